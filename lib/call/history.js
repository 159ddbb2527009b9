'use strict'
// The record of a call that ended, for onCallEnded(record): pure, from what a
// store keeps of an ended call (take()):
//
//   { callId, conversationId, callerId, media, createdAt, answeredAt, endedAt,
//     endReason, endBy, members: { user: state }, times: { user: [joinedAt, leftAt] },
//     channel: [entries of lib/call/media.js] }
//
// With channel events on, the times come from media presence (Agora's own
// clock) and `timing` says 'media'; otherwise from the signaling ('signaling').
const { Reason } = require('./protocol')
const { presence, talk } = require('./media')

const Outcome = Object.freeze({
  COMPLETED: 'completed',
  MISSED: 'missed',
  DECLINED: 'declined',
  CANCELLED: 'cancelled',
  BUSY: 'busy',
  FAILED: 'failed'
})

// An unanswered call: its end reason -> outcome.
const UNANSWERED = Object.freeze({
  [Reason.BUSY]: Outcome.BUSY,
  [Reason.MISSED]: Outcome.MISSED,
  [Reason.DECLINED]: Outcome.DECLINED,
  [Reason.CANCELLED]: Outcome.CANCELLED,
  [Reason.HANGUP]: Outcome.CANCELLED // the caller hung up while it rang
})

/**
 * The outcome: busy (nobody could be rung), missed, declined, cancelled
 * (the caller gave up while it rang), completed (answered; with channel
 * events, two members were in the channel together) or failed (answered but
 * nobody talked, or ended by a dropped connection or the channel before anyone answered).
 */
function outcomeOf(data, mediaTalk) {
  if (data.endReason === Reason.BUSY) return Outcome.BUSY
  if (data.answeredAt !== null && data.answeredAt !== undefined) {
    if (mediaTalk && mediaTalk.startAt === null) return Outcome.FAILED
    return Outcome.COMPLETED
  }
  return UNANSWERED[data.endReason] || Outcome.FAILED
}

/**
 * onCallEnded's record. options.channelEvents: media presence is on;
 * options.skewMs: how far before the call's start a channel event still counts.
 */
function buildRecord(data, { channelEvents = false, skewMs = 5000 } = {}) {
  const endedAt = data.endedAt
  const p = channelEvents ? presence(data.channel || [], { since: data.createdAt - skewMs }) : null
  const times = data.times || {}
  const members = data.members || {}
  // The talk time is between members: anyone else in the channel (a bot with an account) does not count.
  const t = p ? talk({ ...p, users: new Map([...p.users].filter(([u]) => Object.hasOwn(members, u))) }, endedAt) : null
  const outcome = outcomeOf(data, t)
  const participants = []
  for (const userId of Object.keys(members)) {
    const state = members[userId]
    const caller = userId === data.callerId
    const [j, l] = times[userId] || [null, null]
    const joinedAt = caller ? data.createdAt : j
    const leftAt = joinedAt === null ? null : (l ?? endedAt)
    const m = p ? p.users.get(userId) : undefined
    participants.push({
      userId,
      role: caller ? 'caller' : 'callee',
      state, // the member's last signaling state: left, declined, missed, busy, ...
      joinedAt,
      leftAt,
      media: p ? mediaOf(m, endedAt) : null
    })
  }
  const signaling = {
    answeredAt: data.answeredAt ?? null,
    endedAt,
    durationMs: data.answeredAt === null || data.answeredAt === undefined ? 0 : Math.max(0, endedAt - data.answeredAt)
  }
  const timing = t ? 'media' : 'signaling'
  return {
    callId: data.callId,
    conversationId: data.conversationId,
    media: data.media,
    startedBy: data.callerId,
    startedAt: data.createdAt,
    answeredAt: t ? t.startAt : signaling.answeredAt,
    endedAt: t ? (t.endAt ?? endedAt) : endedAt,
    durationMs: t ? t.durationMs : signaling.durationMs,
    timing,
    outcome,
    endReason: data.endReason ?? null,
    endedBy: data.endBy ?? null,
    signaling,
    participants
  }
}

// One member's channel presence for the record: open sessions close at the call's end
// (never before they began: they are on Agora's clock, the end on ours), and so does leftAt.
function mediaOf(m, endedAt) {
  if (!m) return { joinedAt: null, leftAt: null, sessions: [] }
  const sessions = m.sessions.map(([a, b]) => [a, b ?? Math.max(endedAt, a)])
  return {
    joinedAt: m.joinedAt,
    leftAt: m.inChannel ? sessions[sessions.length - 1][1] : m.leftAt,
    sessions
  }
}

module.exports = { buildRecord, outcomeOf, Outcome }
