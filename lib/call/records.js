'use strict'
// Channel events, media presence and call records for attachCallSignaling:
// the I/O around the pure lib/call/media.js and lib/call/history.js.
//
// - channelEvent(event): a typed Agora channel event (agora-call-token/webhooks,
//   or any source) goes into the call of its channel, atomically in the store;
//   those joined in the call hear call:media when someone's presence changes;
//   a destroyed channel ends its call (machine event channel-gone).
// - A member joined in signaling who never shows up in the channel within
//   joinTimeoutMs is reported: onMediaAbsent({ call, userId, joinedAt }).
// - When a call ends, the store keeps it (init.keepMs); its record goes to
//   onCallEnded once, taken from the store atomically (so once across processes):
//   at once without channel events, else once nobody is in the channel any more
//   (the leave events usually come after the hang-up) or settleMs after the end;
//   an answered call with no member seen in the channel yet also waits (late joins).
//   A process that dies first leaves it to the other processes' sweeps.
const { Member, ServerEvent } = require('./protocol')
const { Event, about } = require('./machine')
const { toEntry, presence, changes, anyoneIn, accountOf } = require('./media')
const { buildRecord } = require('./history')

const RECORD_KEEP_MS = 60000 // without channel events: how long a record waits for a process that died before it ran

function createRecords({ store, opts, deliver, step, fault, isClosed }) {
  const channelEvents = opts.channelEvents
  const onCallEnded = opts.onCallEnded
  const settleMs = channelEvents ? channelEvents.settleMs : 0
  const skewMs = channelEvents ? channelEvents.skewMs : 0
  const userOf = channelEvents ? channelEvents.userOf : accountOf
  const keepMs = onCallEnded || channelEvents ? (channelEvents ? settleMs : RECORD_KEEP_MS) : 0
  const timers = new Map() // key -> timeout (settle: callId; absent: callId \n userId)
  const supported = typeof store.take === 'function' && typeof store.channelEvent === 'function'
  // Which effects matter here: with no hook and no channel events a step's effects are not even read.
  const records = supported && keepMs > 0
  const absent = Boolean(channelEvents && opts.onMediaAbsent) && typeof store.mediaEntries === 'function'
  const active = records || absent || Boolean(opts.onRingOffline)

  function later(key, ms, task) {
    clearTimeout(timers.get(key))
    const t = setTimeout(() => {
      timers.delete(key)
      if (!isClosed()) Promise.resolve().then(task).catch(fault)
    }, ms)
    if (typeof t.unref === 'function') t.unref()
    timers.set(key, t)
  }

  async function run(hook, arg) {
    try {
      await hook(arg)
    } catch (err) {
      fault(err)
    }
  }

  /** The record of an ended call, to onCallEnded, if this process is the one that takes it. */
  async function finalize(callId) {
    clearTimeout(timers.get(callId))
    timers.delete(callId)
    if (!supported) return
    const data = await store.take(callId)
    if (!data || !onCallEnded) return
    await run(onCallEnded, buildRecord(data, { channelEvents: Boolean(channelEvents), skewMs }))
  }

  /** A call ended here: its record now, or once the channel is empty. */
  async function ended(callId) {
    if (!supported || keepMs === 0) return
    if (!channelEvents) return finalize(callId)
    const data = await store.ended(callId)
    if (!data) return
    const p = presence(data.channel, { since: data.createdAt - skewMs })
    // Answered, yet no member seen in the channel: Agora's join events may still be on their
    // way (NCS posts seconds after the fact), so the record waits for them as for the leaves.
    const answered = data.answeredAt !== null && data.answeredAt !== undefined
    const awaitingJoins = answered && !Object.keys(data.members || {}).some((u) => p.users.has(u))
    if (!anyoneIn(p) && !awaitingJoins) return finalize(callId)
    later(callId, settleMs, () => finalize(callId))
  }

  /** A call never stored (nobody could be rung): its record at once. */
  function busy(init, busyIds, now) {
    if (!onCallEnded) return
    const members = { [init.callerId]: Member.JOINED }
    for (const u of busyIds) if (!(u in members)) members[u] = Member.BUSY
    const data = { ...init, createdAt: init.now, answeredAt: null, endedAt: now, endReason: 'busy', endBy: null, members, times: {}, channel: [] }
    run(onCallEnded, buildRecord(data, { channelEvents: Boolean(channelEvents), skewMs }))
  }

  function absentLater(callId, call, userId, joinedAt) {
    if (!channelEvents || !opts.onMediaAbsent || typeof store.mediaEntries !== 'function') return
    later(`${callId}\n${userId}`, channelEvents.joinTimeoutMs, async () => {
      const states = typeof store.memberStates === 'function'
        ? await store.memberStates([[userId, callId]])
        : [((await store.get(callId)) || { members: {} }).members[userId]]
      if (states[0] !== Member.JOINED) return
      const entries = await store.mediaEntries(callId)
      const p = presence(entries || [], { since: call.createdAt - skewMs })
      if (p.users.has(userId)) return
      await run(opts.onMediaAbsent, { call: about(call), userId, joinedAt, waitedMs: channelEvents.joinTimeoutMs })
    })
  }

  /** Every step's effects pass here (from deliver): ends, joins, ring-offline. */
  function effects(callId, list, call, now) {
    if (!active) return
    for (const e of list) {
      if (e.type === 'end') {
        if (records) ended(callId).catch(fault)
      } else if (e.type === 'create' && call) absentLater(callId, call, call.callerId, now)
      else if (e.type === 'member' && e.state === Member.JOINED && call) absentLater(callId, call, e.userId, now)
      else if (e.type === 'member' && e.state !== Member.JOINED) {
        if (!absent) continue // no absence timer was ever set
        clearTimeout(timers.get(`${callId}\n${e.userId}`))
        timers.delete(`${callId}\n${e.userId}`)
      } else if (e.type === 'ring-offline' && opts.onRingOffline) run(opts.onRingOffline, { call: e.call, userIds: e.userIds })
    }
  }

  /**
   * A typed channel event. Resolves { applied, callId, changes } (applied:
   * false when it is not about a call here, or seen before); rejects only when
   * the store cannot be reached (the webhook then answers 500 and Agora retries).
   */
  async function channelEvent(event) {
    if (!supported) return { applied: false, reason: 'store' }
    const entry = toEntry(event, userOf)
    if (!entry) return { applied: false, reason: 'ignored' }
    const got = await store.channelEvent(event.channelName, entry)
    if (!got) return { applied: false, reason: 'no-call' }
    if (got.full) return { applied: false, reason: 'full', callId: got.callId } // 10,000 entries: the bound
    const since = got.createdAt - skewMs
    const after = presence(got.entries, { since })
    if (got.duplicate) {
      // Stored before, but what it causes may have failed after that (the store stopped
      // answering: the webhook said 500 and this is Agora's retry). Done again; both are idempotent.
      if (got.live && got.call && after.destroyedAt !== null) await step(got.callId, Event.CHANNEL_GONE, null)
      else if (!got.live && channelEvents && !anyoneIn(after)) await finalize(got.callId)
      return { applied: false, reason: 'duplicate', callId: got.callId }
    }
    const before = presence(got.entries.filter((e) => e.key !== entry.key), { since })
    const changed = changes(before, after)
    if (got.live && got.call) {
      const base = { callId: got.callId, conversationId: got.call.conversationId }
      const joined = Object.keys(got.call.members).filter((u) => got.call.members[u] === Member.JOINED)
      if (joined.length) {
        deliver(got.callId, changed.map((c) => ({ type: 'emit', to: joined, event: ServerEvent.MEDIA, data: { ...base, ...c } })))
      }
      if (after.destroyedAt !== null && before.destroyedAt === null) await step(got.callId, Event.CHANNEL_GONE, null)
    } else if (!got.live && channelEvents && !anyoneIn(after)) {
      await finalize(got.callId)
    }
    return { applied: true, callId: got.callId, changes: changed }
  }

  function close() {
    const settling = [...timers.keys()].filter((key) => !key.includes('\n'))
    for (const t of timers.values()) clearTimeout(t)
    timers.clear()
    // A store that no other process sweeps (MemoryCallStore) would lose these records with
    // this process: they are written now, with what is known. A shared store's sweeps write
    // them elsewhere once settled.
    if (typeof store.sweep !== 'function') for (const callId of settling) finalize(callId).catch(fault)
  }

  return { keepMs, effects, busy, finalize, channelEvent, close, enabled: Boolean(channelEvents) }
}

module.exports = { createRecords }
