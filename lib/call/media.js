'use strict'
// Media presence: who is in a call's Agora channel and since when, from
// Agora's channel events (NCS, lib/webhooks/events.js). Pure functions, no
// I/O and no timers, beside machine.js:
//
//   toEntry(event, userOf)          -> entry | null   a typed channel event as a stored entry
//   presence(entries, { since })    -> { users, destroyedAt }
//   changes(before, after)          -> [{ userId, state: 'joined' | 'left', at }]
//   talk(presence, endAt)           -> { startAt, endAt, durationMs }
//
// An entry is { key, kind: 'join' | 'leave' | 'destroy', userId, uid, at, seq, reason }:
// `at` is Agora's server time in ms (NCS sends whole seconds), `seq` its clientSeq.
// NCS promises no order and sends again what was not answered 200, so the
// entries of a call are a set (by `key`) and every view is computed from the
// whole set in (at, seq) order: the same set gives the same presence whatever
// order its entries came in, and an entry seen twice changes nothing.

const JOIN = new Set(['broadcaster-join', 'audience-join', 'user-join'])
const LEAVE = new Set(['broadcaster-leave', 'audience-leave', 'user-leave'])
const MAX_KEY = 200

/**
 * The default userOf: the string account the user joined with (the user key
 * the token route signs), else null. An app that joins with numeric uids
 * passes its own (event) => userKey | null.
 */
function accountOf(event) {
  return typeof event.account === 'string' && event.account !== '' ? event.account : null
}

const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** A typed channel event as an entry for a call's media presence, or null (not one that says who is in). */
function toEntry(event, userOf = accountOf) {
  if (event === null || typeof event !== 'object' || typeof event.channelName !== 'string') return null
  const kind = JOIN.has(event.type) ? 'join' : LEAVE.has(event.type) ? 'leave' : event.type === 'channel-destroy' ? 'destroy' : null
  if (kind === null) return null
  const at = finite(event.tsMs) ?? finite(event.notifyMs)
  if (at === null) return null
  const seq = finite(event.clientSeq) ?? 0
  const uid = finite(event.uid)
  let userId = null
  if (kind !== 'destroy') {
    const u = userOf(event)
    if (u === null || u === undefined) return null
    userId = String(u)
    if (userId === '' || userId.length > MAX_KEY) return null
  }
  // The event's own content, not its noticeId: the same event from two sources is one entry.
  const key = `${event.eventType}:${kind === 'destroy' ? '' : userId}:${uid ?? ''}:${seq}:${at}`
  return { key, kind, userId, uid, at, seq, reason: finite(event.reason) }
}

const byTime = (a, b) => a.at - b.at || a.seq - b.seq || (a.kind === b.kind ? 0 : a.kind === 'join' ? -1 : 1)

/**
 * Who is in the channel, from a call's entries. `since` (ms, our clock, less
 * the allowed skew) drops what came before the call. A destroy counts only
 * when it is not older than a join of this call (a late destroy of the
 * channel's previous session must not end a new call); it closes every open
 * session. users: Map userId -> { inChannel, joinedAt, leftAt, sessions: [[from, to | null]] }.
 */
function presence(entries, { since = -Infinity } = {}) {
  const list = entries.filter((e) => e.at >= since).sort(byTime)
  let lastJoin = -Infinity
  for (const e of list) if (e.kind === 'join' && e.at > lastJoin) lastJoin = e.at
  let destroyedAt = null
  for (const e of list) if (e.kind === 'destroy' && e.at >= lastJoin && lastJoin > -Infinity) destroyedAt = e.at
  const users = new Map()
  for (const e of list) {
    if (e.kind === 'destroy') continue
    if (destroyedAt !== null && e.at > destroyedAt) continue
    let u = users.get(e.userId)
    if (!u) {
      u = { inChannel: false, joinedAt: null, leftAt: null, sessions: [] }
      users.set(e.userId, u)
    }
    if (e.kind === 'join' && !u.inChannel) {
      u.inChannel = true
      if (u.joinedAt === null) u.joinedAt = e.at
      u.sessions.push([e.at, null])
    } else if (e.kind === 'leave' && u.inChannel) {
      u.inChannel = false
      u.leftAt = e.at
      u.sessions[u.sessions.length - 1][1] = e.at
    }
  }
  if (destroyedAt !== null) {
    for (const u of users.values()) {
      if (!u.inChannel) continue
      u.inChannel = false
      u.leftAt = destroyedAt
      u.sessions[u.sessions.length - 1][1] = destroyedAt
    }
  }
  return { users, destroyedAt }
}

/** What changed between two presences: one change per user whose inChannel differs. */
function changes(before, after) {
  const out = []
  for (const [userId, u] of after.users) {
    const was = before.users.get(userId)
    if (Boolean(was && was.inChannel) === u.inChannel) continue
    out.push({ userId, state: u.inChannel ? 'joined' : 'left', at: u.inChannel ? u.sessions[u.sessions.length - 1][0] : u.leftAt })
  }
  return out
}

/** Anyone still in the channel? */
const anyoneIn = (p) => [...p.users.values()].some((u) => u.inChannel)

/**
 * The talk time: when at least two users were in the channel together.
 * Sessions still open count until endAt. startAt/endAt: the first and last
 * moment of it (null when two were never in together: then nobody talked).
 */
function talk(p, endAt) {
  const marks = []
  for (const u of p.users.values()) {
    for (const [from, to] of u.sessions) {
      const until = to === null ? Math.max(endAt, from) : to
      marks.push([from, 1], [until, -1])
    }
  }
  // A join and a leave in the same second both count at that second (NCS times are whole
  // seconds): two who were in during one second met, for 0 ms.
  marks.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  let n = 0
  let opened = null
  let startAt = null
  let last = null
  let durationMs = 0
  for (const [t, d] of marks) {
    n += d
    if (n >= 2 && opened === null) {
      opened = t
      if (startAt === null) startAt = t
    } else if (n < 2 && opened !== null) {
      durationMs += t - opened
      last = t
      opened = null
    }
  }
  return { startAt, endAt: last, durationMs }
}

module.exports = { toEntry, presence, changes, talk, anyoneIn, accountOf }
