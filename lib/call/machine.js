'use strict'
// The call state machine: pure functions with no I/O and no timers.
//
//   step(call, event, actor, now) -> { call, effects } | { error }
//   start(init, ringing, busy)    -> { call, effects }
//
// It implements this table: the acting member's state x the event gives the
// member's next state, what the others are told and, when the call can no
// longer go on, why it ends. "-" is refused with INVALID_STATE; a user who is
// not a member at all gets CALL_NOT_FOUND (for "disconnect": nothing happens).
//
//   member \ event | accept           | decline            | end (hang up)      | cancel (caller)      | disconnect
//   ---------------+------------------+--------------------+--------------------+----------------------+-------------------
//   ringing        | joined, accepted | declined, declined | declined, declined | -                    | declined, declined
//                  |                  | ends: declined     | ends: declined     |                      | ends: disconnect
//   joined         | -                | -                  | left, left         | left, left           | left, left
//                  |                  |                    | ends: hangup       | ends: cancelled      | ends: disconnect
//   declined, left,| -                | -                  | -                  | -                    | nothing
//   missed, busy   |                  |                    |                    |                      |
//
//   offline (the member's last socket dropped, when the app rings offline users
//   itself: onRingOffline): ringing -> stays ringing, effect ring-offline (the
//   app may push a notification; the ring timeout still applies); joined -> as
//   disconnect.
//
//   timeout (no actor, once now >= ringUntil): every ringing member -> missed;
//   call:missed to them ({ callId, conversationId }) and to those joined (with the
//   missed userIds); ends: missed.
//
//   channel-gone (no actor: Agora destroyed the call's channel): every joined
//   member -> left, every ringing one -> missed; ends: channel-destroyed.
//
// "told" goes to the members joined (other than the actor) and to the actor's
// other sockets, never to those still ringing: in a big group k answers would
// otherwise cost k x members messages. Those ringing hear only how it ends.
//
// "ends" applies after the change when the call cannot go on: nobody joined,
// or fewer than two members still joined or ringing. Then those joined get
// call:ended { by, reason } and those still ringing call:cancelled { by }.
// Otherwise the call goes on, and "left" is told as call:left; once nobody
// rings any more the ring timer stops.
//
// A call is { callId, conversationId, callerId, media, createdAt, ringUntil,
// answeredAt, phase, joined, ringing, members }: `members` is a Map of user
// key -> member state that step() only reads; `joined` and `ringing` count its
// members in those states. Effects, in the order they are to happen:
//   { type: 'member', userId, state }          set a member's state
//   { type: 'members', userIds, state }        the same for many (the ring timeout)
//   { type: 'create' } / { type: 'end' }       store the new call / remove it
//   { type: 'emit', to, event, data, echo }    send event to the users in `to`;
//                                              echo: also to the actor's other sockets
//   { type: 'timer', action: 'start'|'clear' } the ring timer
//   { type: 'ring-offline', userIds, call }     those still ringing with no socket left (onRingOffline)
const { Member, Phase, Reason, ServerEvent, AckError, isActive } = require('./protocol')

const Event = Object.freeze({
  ACCEPT: 'accept',
  DECLINE: 'decline',
  END: 'end',
  CANCEL: 'cancel',
  DISCONNECT: 'disconnect',
  OFFLINE: 'offline',
  TIMEOUT: 'timeout',
  CHANNEL_GONE: 'channel-gone'
})

// [next member state, event told to the others, reason if the call ends]
const TABLE = Object.freeze({
  [Member.RINGING]: Object.freeze({
    [Event.ACCEPT]: [Member.JOINED, ServerEvent.ACCEPTED, null],
    [Event.DECLINE]: [Member.DECLINED, ServerEvent.DECLINED, Reason.DECLINED],
    [Event.END]: [Member.DECLINED, ServerEvent.DECLINED, Reason.DECLINED],
    [Event.DISCONNECT]: [Member.DECLINED, ServerEvent.DECLINED, Reason.DISCONNECT]
  }),
  [Member.JOINED]: Object.freeze({
    [Event.END]: [Member.LEFT, ServerEvent.LEFT, Reason.HANGUP],
    [Event.CANCEL]: [Member.LEFT, ServerEvent.LEFT, Reason.CANCELLED],
    [Event.DISCONNECT]: [Member.LEFT, ServerEvent.LEFT, Reason.DISCONNECT],
    [Event.OFFLINE]: [Member.LEFT, ServerEvent.LEFT, Reason.DISCONNECT]
  })
})

// What the app is told of a call (onRingOffline, call:media): no member list.
const about = (call) => ({ callId: call.callId, conversationId: call.conversationId, callerId: call.callerId, media: call.media })

const base = (call) => ({ callId: call.callId, conversationId: call.conversationId })
// The event data as literals, in base()'s key order: V8 (Node 20) makes `{ ...base(call), by }`
// cost microseconds (a spread followed by new keys), several times per call.
const byData = (call, by) => ({ callId: call.callId, conversationId: call.conversationId, by })
const endData = (call, by, reason) => ({ callId: call.callId, conversationId: call.conversationId, by, reason })
const idsData = (call, userIds) => ({ callId: call.callId, conversationId: call.conversationId, userIds })

function counted(call, from, to) {
  const next = { ...call }
  if (from === Member.JOINED) next.joined--
  if (from === Member.RINGING) next.ringing--
  if (to === Member.JOINED) next.joined++
  if (to === Member.RINGING) next.ringing++
  return next
}

// Members in one of `states` after the changes in `override` (a Map), in order.
function membersIn(call, override, states, except) {
  const out = []
  for (const [u, s] of call.members) {
    const state = override.has(u) ? override.get(u) : s
    if (u !== except && states.includes(state)) out.push(u)
  }
  return out
}

// The call after a change: goes on (maybe stopping the ring timer) or ends.
function settle(before, next, override, by, reason, effects, echo) {
  if (next.joined > 0 && next.joined + next.ringing >= 2) {
    if (before.ringing > 0 && next.ringing === 0) effects.push({ type: 'timer', action: 'clear' })
    return false
  }
  const joined = []
  const ringing = []
  for (const [u, s] of next.members) {
    const state = override.has(u) ? override.get(u) : s
    if (state === Member.JOINED) joined.push(u)
    else if (state === Member.RINGING) ringing.push(u)
  }
  effects.push({ type: 'timer', action: 'clear' }, { type: 'end' })
  if (joined.length || echo) {
    effects.push({ type: 'emit', to: joined, event: ServerEvent.ENDED, data: endData(next, by, reason), echo })
  }
  if (ringing.length) effects.push({ type: 'emit', to: ringing, event: ServerEvent.CANCELLED, data: byData(next, by) })
  return true
}

function timeout(call, now) {
  if (!(now >= call.ringUntil) || call.ringing === 0) return { call, effects: [] }
  const missed = []
  const joined = []
  for (const [u, s] of call.members) {
    if (s === Member.RINGING) missed.push(u)
    else if (s === Member.JOINED) joined.push(u)
  }
  const effects = [{ type: 'members', userIds: missed, state: Member.MISSED }]
  const next = { ...call, ringing: 0 }
  effects.push({ type: 'emit', to: missed, event: ServerEvent.MISSED, data: base(call) })
  if (joined.length) effects.push({ type: 'emit', to: joined, event: ServerEvent.MISSED, data: idsData(call, missed) })
  // Nobody rings any more: the call goes on with those joined, or ends.
  if (joined.length >= 2) effects.push({ type: 'timer', action: 'clear' })
  else {
    effects.push({ type: 'timer', action: 'clear' }, { type: 'end' })
    if (joined.length) effects.push({ type: 'emit', to: joined, event: ServerEvent.ENDED, data: endData(call, null, Reason.MISSED) })
  }
  return { call: next, effects }
}

function channelGone(call) {
  const joined = []
  const ringing = []
  for (const [u, s] of call.members) {
    if (s === Member.JOINED) joined.push(u)
    else if (s === Member.RINGING) ringing.push(u)
  }
  const effects = []
  if (joined.length) effects.push({ type: 'members', userIds: joined, state: Member.LEFT })
  if (ringing.length) effects.push({ type: 'members', userIds: ringing, state: Member.MISSED })
  effects.push({ type: 'timer', action: 'clear' }, { type: 'end' })
  if (joined.length) effects.push({ type: 'emit', to: joined, event: ServerEvent.ENDED, data: endData(call, null, Reason.CHANNEL_DESTROYED) })
  if (ringing.length) effects.push({ type: 'emit', to: ringing, event: ServerEvent.CANCELLED, data: byData(call, null) })
  return { call: { ...call, joined: 0, ringing: 0 }, effects }
}

/**
 * One event on a call. `actor` is the user key (null for a timeout); `now` is
 * ms since the epoch. Returns { call, effects } or { error } (an AckError code).
 */
function step(call, event, actor, now) {
  if (event === Event.TIMEOUT) return timeout(call, now)
  if (event === Event.CHANNEL_GONE) return channelGone(call)
  const quiet = event === Event.DISCONNECT || event === Event.OFFLINE // no ack, no echo, never refused
  if (!call.members.has(actor)) {
    return quiet ? { call, effects: [] } : { error: AckError.CALL_NOT_FOUND }
  }
  const state = call.members.get(actor)
  if (event === Event.OFFLINE && state === Member.RINGING) {
    return { call, effects: [{ type: 'ring-offline', userIds: [actor], call: about(call) }] }
  }
  const row = TABLE[state] && TABLE[state][event]
  if (!row || (event === Event.CANCEL && call.callerId !== actor)) {
    return quiet ? { call, effects: [] } : { error: AckError.INVALID_STATE }
  }
  const [to, told, reason] = row
  const echo = !quiet
  const override = new Map([[actor, to]])
  let next = counted(call, state, to)
  const effects = [{ type: 'member', userId: actor, state: to }]
  const others = () => membersIn(next, override, [Member.JOINED], actor)
  if (to === Member.JOINED) {
    if (next.phase !== Phase.ACTIVE) next = { ...next, phase: Phase.ACTIVE, answeredAt: now }
    effects.push({ type: 'emit', to: others(), event: told, data: byData(next, actor), echo })
    settle(call, next, override, actor, Reason.HANGUP, effects, echo)
    return { call: next, effects }
  }
  if (to === Member.DECLINED) {
    effects.push({ type: 'emit', to: others(), event: told, data: byData(next, actor), echo })
    settle(call, next, override, actor, reason, effects, false)
    return { call: next, effects }
  }
  // Leaving: told as call:left only when the call goes on.
  const mark = effects.length
  if (!settle(call, next, override, actor, reason, effects, echo)) {
    effects.splice(mark, 0, { type: 'emit', to: others(), event: told, data: byData(next, actor), echo })
  }
  return { call: next, effects }
}

/**
 * A new call: the caller joined, `ringing` (user keys not in a call) rung,
 * `busy` (user keys in another call) told to the caller. With nobody to ring
 * the call is never stored: the caller hears busy, then ended.
 */
function start(init, ringing, busy) {
  const { callId, conversationId, callerId, media, now, ringTimeoutMs } = init
  const members = new Map([[callerId, Member.JOINED]])
  for (const u of ringing) members.set(u, Member.RINGING)
  for (const u of busy) if (!members.has(u)) members.set(u, Member.BUSY)
  const call = {
    callId,
    conversationId,
    callerId,
    media,
    createdAt: now,
    ringUntil: now + ringTimeoutMs,
    answeredAt: null,
    phase: Phase.RINGING,
    joined: 1,
    ringing: ringing.length,
    members
  }
  const effects = []
  if (ringing.length === 0) {
    effects.push({ type: 'emit', to: [callerId], event: ServerEvent.BUSY, data: idsData(call, [...busy]) })
    effects.push({ type: 'emit', to: [callerId], event: ServerEvent.ENDED, data: endData(call, null, Reason.BUSY) })
    return { call: null, effects }
  }
  effects.push({ type: 'create' })
  // incoming-call first, then the busy news for the caller
  effects.push({ type: 'emit', to: ringing, event: ServerEvent.INCOMING, data: { callId, conversationId, from: callerId, media } })
  if (busy.length) effects.push({ type: 'emit', to: [callerId], event: ServerEvent.BUSY, data: idsData(call, [...busy]) })
  effects.push({ type: 'timer', action: 'start' })
  return { call, effects }
}

/** Why a step ends the call, from the actor's state before it (the stores keep it with the ended call). */
function endReasonOf(event, state) {
  if (event === Event.TIMEOUT) return Reason.MISSED
  if (event === Event.CHANNEL_GONE) return Reason.CHANNEL_DESTROYED
  const row = TABLE[state] && TABLE[state][event]
  return row ? row[2] : null
}

// What step() answers for a call that does not exist (any more).
const CLIENT_EVENTS = new Set([Event.ACCEPT, Event.DECLINE, Event.END, Event.CANCEL])
const missing = (event) => (CLIENT_EVENTS.has(event) ? { error: AckError.CALL_NOT_FOUND } : { call: null, effects: [] })

module.exports = { Event, TABLE, step, start, missing, isActive, about, endReasonOf }
