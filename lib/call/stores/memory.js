'use strict'
// MemoryCallStore: the calls of one process, in memory. It implements the
// store contract that the signaling uses (and test/call/store-contract.js
// checks for every store):
//
//   callIdOf(userId)                   -> callId | null   the call the user rings for or is joined to
//   create(init, others)               -> { call, effects } | { error, callId }
//       atomically: refuses with ALREADY_IN_CALL (and that call's id) when the
//       caller is in a call, with DUPLICATE_CALL_ID when init.callId is a live
//       call's, else rings those of `others` not in a call
//   apply(callId, event, actor, now)   -> { call, effects } | { error }
//       atomically: one machine step on the stored call
//   get(callId)                        -> a copy { ...call, members: { user: state } } | null
//   ringingCalls()                     -> [{ callId, ringUntil }] (optional: a store without sweep())
//   size, clear()
//
// Call history and media presence (optional for a store; both stores here have them):
//   create(init) with init.keepMs > 0 keeps the call once it ends, for keepMs,
//       with each member's signaling times, its end reason and its channel entries
//   channelEvent(conversationId, entry, now) -> { callId, live, duplicate, full, entries, call } | null
//       atomically adds a media entry (lib/call/media.js) to the call of that channel,
//       live (call: as get()) or ended and kept (call: null); full: not added, the call
//       already holds options.maxChannelEntries (10,000) entries
//   mediaEntries(callId)               -> the call's channel entries | null
//   ended(callId)                      -> what take() would give, left in place | null
//   take(callId)                       -> the kept call, exactly once (then null): the record's data
//       (a kept call stays until it is taken: lib/call/records.js takes each within keepMs)
//
// Each method here runs synchronously to its end, so every call is atomic in
// this process without a lock; members live in a Map, so any user id works
// ("__proto__" too). The user index is a hint checked on every read (the call
// must exist and have the user ringing or joined), so a step that ends a call
// or times out 100,000 members does not also walk the index: stale entries are
// dropped when read, and those of an ended call a slice at a time afterwards.
const machine = require('../machine')
const { AckError, Member, isActive } = require('../protocol')
const { positiveInt } = require('../options')
const { invalidType } = require('../../errors')

const MAX_ENTRIES = 10000 // channel entries kept per call, unless options.maxChannelEntries says

const INDEX_SLICE = 5000

class MemoryCallStore {
  /** @param {{ maxChannelEntries?: number }} [options] */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw invalidType('options', 'an object', options)
    this.maxChannelEntries = positiveInt(options.maxChannelEntries, 'options.maxChannelEntries', MAX_ENTRIES)
    this._calls = new Map() // callId -> call (members: Map)
    this._byUser = new Map() // user key -> callId
    this._extra = new Map() // callId -> { keepMs, times: Map user -> [joinedAt, leftAt], channel: Map key -> entry }
    this._channels = new Map() // conversationId -> the newest callId in that channel
    this._ended = new Map() // callId -> the data of a kept call, until take()
  }

  callIdOf(userId) {
    const callId = this._byUser.get(userId)
    if (callId === undefined) return null
    const call = this._calls.get(callId)
    if (call !== undefined && isActive(call.members.get(userId))) return callId
    this._byUser.delete(userId) // the call ended, or the user left it
    return null
  }

  create(init, others) {
    const current = this.callIdOf(init.callerId)
    if (current !== null) return { error: AckError.ALREADY_IN_CALL, callId: current }
    if (this._calls.has(init.callId)) return { error: 'DUPLICATE_CALL_ID' }
    const ringing = []
    const busy = []
    // Those free are indexed as they are found (one pass for a big group):
    // with anyone to ring the call is stored, so nothing is undone.
    for (const u of others) {
      if (this.callIdOf(u) !== null) busy.push(u)
      else {
        ringing.push(u)
        this._byUser.set(u, init.callId)
      }
    }
    const result = machine.start(init, ringing, busy)
    if (result.call) {
      this._byUser.set(init.callerId, init.callId)
      this._calls.set(init.callId, result.call)
      const keepMs = Number.isInteger(init.keepMs) && init.keepMs > 0 ? init.keepMs : 0
      this._extra.set(init.callId, { keepMs, times: new Map(), channel: new Map() })
      this._channels.set(init.conversationId, init.callId)
    }
    return result
  }

  apply(callId, event, actor, now) {
    const call = this._calls.get(callId)
    if (!call) return machine.missing(event)
    const before = call.members.get(actor)
    const result = machine.step(call, event, actor, now)
    if (!result.error) this._commit(result.call, result.effects, now, machine.endReasonOf(event, before), actor)
    return result
  }

  channelEvent(conversationId, entry) {
    const callId = this._channels.get(conversationId)
    if (callId === undefined) return null
    const live = this._calls.has(callId)
    const ended = live ? null : this._ended.get(callId)
    const channel = live ? this._extra.get(callId).channel : ended ? ended.channel : null
    if (!channel) return null
    const duplicate = channel.has(entry.key)
    const full = !duplicate && channel.size >= this.maxChannelEntries
    if (!duplicate && !full) channel.set(entry.key, { ...entry })
    const entries = [...channel.values()]
    const createdAt = live ? this._calls.get(callId).createdAt : ended.createdAt
    return { callId, live, duplicate, full, entries, call: live ? this.get(callId) : null, createdAt }
  }

  /** The channel entries of a call, live or ended and kept; null when there is no such call. */
  mediaEntries(callId) {
    const extra = this._extra.get(callId)
    const channel = extra ? extra.channel : this._ended.has(callId) ? this._ended.get(callId).channel : null
    return channel ? [...channel.values()].map((e) => ({ ...e })) : null
  }

  ended(callId) {
    const e = this._ended.get(callId)
    return e ? copyData(e) : null
  }

  take(callId) {
    const e = this._ended.get(callId)
    if (!e) return null
    this._ended.delete(callId)
    if (this._channels.get(e.conversationId) === callId) this._channels.delete(e.conversationId)
    return copyData(e)
  }

  get(callId) {
    const call = this._calls.get(callId)
    if (!call) return null
    const members = Object.create(null)
    for (const [u, s] of call.members) members[u] = s
    return { ...call, members }
  }

  /** The calls someone still rings for, with their deadlines: a signaling attached later arms their timers. */
  ringingCalls() {
    const out = []
    for (const call of this._calls.values()) if (call.ringing > 0) out.push({ callId: call.callId, ringUntil: call.ringUntil })
    return out
  }

  get size() {
    return this._calls.size
  }

  clear() {
    this._calls.clear()
    this._byUser.clear()
    this._extra.clear()
    this._channels.clear()
    this._ended.clear()
  }

  _commit(call, effects, now, reason, actor) {
    const { members } = call
    const extra = this._extra.get(call.callId)
    const stamp = (u, from, to) => {
      if (!extra || extra.keepMs === 0) return // times are only for the record of a kept call
      const t = extra.times.get(u) || [null, null]
      if (to === Member.JOINED) t[0] = now
      else if (from === Member.JOINED) t[1] = now
      extra.times.set(u, t)
    }
    for (const e of effects) {
      if (e.type === 'member') {
        stamp(e.userId, members.get(e.userId), e.state)
        members.set(e.userId, e.state)
        if (isActive(e.state)) this._byUser.set(e.userId, call.callId)
      } else if (e.type === 'members') {
        // the ring timeout: none of them is in the call any more (the index knows by the state);
        // their states matter only while the call goes on, or for the record of a kept call
        const kept = extra && extra.keepMs > 0
        if (kept || !effects.some((x) => x.type === 'end')) {
          for (const u of e.userIds) {
            stamp(u, members.get(u), e.state)
            members.set(u, e.state)
          }
        }
      } else if (e.type === 'end') {
        this._calls.delete(call.callId)
        this._forget(call)
        this._extra.delete(call.callId)
        if (extra && extra.keepMs > 0) {
          const data = {
            callId: call.callId,
            conversationId: call.conversationId,
            callerId: call.callerId,
            media: call.media,
            createdAt: call.createdAt,
            answeredAt: call.answeredAt,
            endedAt: now,
            endReason: reason,
            endBy: actor ?? null,
            members: Object.fromEntries(members),
            times: Object.fromEntries(extra.times),
            channel: new Map(extra.channel)
          }
          this._ended.set(call.callId, data)
        } else if (this._channels.get(call.conversationId) === call.callId) {
          this._channels.delete(call.conversationId)
        }
        return
      }
    }
    this._calls.set(call.callId, call)
  }

  // An ended call's index entries, INDEX_SLICE users per turn of the event loop.
  _forget(call) {
    const users = [...call.members.keys()]
    const drop = (from) => {
      const to = Math.min(users.length, from + INDEX_SLICE)
      for (let i = from; i < to; i++) if (this._byUser.get(users[i]) === call.callId) this._byUser.delete(users[i])
      if (to < users.length) setImmediate(drop, to).unref()
    }
    if (users.length <= INDEX_SLICE) drop(0)
    else setImmediate(drop, 0).unref()
  }
}

/** A kept call as plain data (members and times as objects, channel entries as an array). */
function copyData(d) {
  const members = Object.create(null)
  for (const [u, s] of Object.entries(d.members)) members[u] = s
  const times = Object.create(null)
  for (const [u, t] of Object.entries(d.times)) times[u] = [...t]
  return { ...d, members, times, channel: [...d.channel.values()].map((e) => ({ ...e })) }
}

module.exports = { MemoryCallStore }
