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
// Each method here runs synchronously to its end, so every call is atomic in
// this process without a lock; members live in a Map, so any user id works
// ("__proto__" too). The user index is a hint checked on every read (the call
// must exist and have the user ringing or joined), so a step that ends a call
// or times out 100,000 members does not also walk the index: stale entries are
// dropped when read, and those of an ended call a slice at a time afterwards.
const machine = require('../machine')
const { AckError, isActive } = require('../protocol')

const INDEX_SLICE = 5000

class MemoryCallStore {
  constructor() {
    this._calls = new Map() // callId -> call (members: Map)
    this._byUser = new Map() // user key -> callId
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
    }
    return result
  }

  apply(callId, event, actor, now) {
    const call = this._calls.get(callId)
    if (!call) return machine.missing(event)
    const result = machine.step(call, event, actor, now)
    if (!result.error) this._commit(result.call, result.effects)
    return result
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
  }

  _commit(call, effects) {
    const { members } = call
    for (const e of effects) {
      if (e.type === 'member') {
        members.set(e.userId, e.state)
        if (isActive(e.state)) this._byUser.set(e.userId, call.callId)
      } else if (e.type === 'members') {
        // the ring timeout: none of them is in the call any more (the index knows by the state)
        if (!effects.some((x) => x.type === 'end')) for (const u of e.userIds) members.set(u, e.state)
      } else if (e.type === 'end') {
        this._calls.delete(call.callId)
        this._forget(call)
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

module.exports = { MemoryCallStore }
