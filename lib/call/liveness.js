'use strict'
// What this process's users were told about their calls, and the check that
// those calls still exist in a shared store. A call can vanish from Redis
// (restarted empty, restored from an older snapshot, keys expired, or this
// process was taken for dead and its users' calls ended): then each
// connected participant is told, as the protocol says a call ends:
//   joined  -> call:ended { by: null, reason: 'unavailable' }
//   ringing -> call:cancelled { by: null }
// What a user was told is read from what their sockets here were sent
// (socket.onAnyOutgoing, broadcasts from other processes included) and from
// the steps they took here; nothing is kept for users without a socket here.
const { ServerEvent, Member, Reason, isActive } = require('./protocol')

function liveness({ io, room, isClosed, fault }) {
  const known = new Map() // user -> { callId, conversationId, state }
  const sockets = new Map() // user -> sockets watched here

  const matches = (u, callId) => {
    const k = known.get(u)
    return k !== undefined && k.callId === callId
  }

  function note(u, event, data) {
    if (!data || typeof data !== 'object' || typeof data.callId !== 'string') return
    const { callId, conversationId } = data
    switch (event) {
      case ServerEvent.INCOMING:
        known.set(u, { callId, conversationId, state: Member.RINGING })
        break
      case ServerEvent.ACCEPTED:
        if (data.by === u) known.set(u, { callId, conversationId, state: Member.JOINED })
        break
      case ServerEvent.DECLINED:
      case ServerEvent.LEFT:
        if (data.by === u && matches(u, callId)) known.delete(u)
        break
      case ServerEvent.ENDED:
      case ServerEvent.CANCELLED:
        if (matches(u, callId)) known.delete(u)
        break
      case ServerEvent.MISSED:
        // those who missed it get no userIds (a big group's list would be huge); those joined do
        if (!Array.isArray(data.userIds) && matches(u, callId)) known.delete(u)
        break
      default:
    }
  }

  /** Starts following what `socket` (of user u) is sent; returns the function that stops it. */
  function watch(socket, u) {
    sockets.set(u, (sockets.get(u) || 0) + 1)
    const listener = (event, data) => {
      try {
        note(u, event, data)
      } catch (err) {
        fault(err)
      }
    }
    if (typeof socket.onAnyOutgoing === 'function') socket.onAnyOutgoing(listener)
    let done = false
    return () => {
      if (done) return
      done = true
      if (typeof socket.offAnyOutgoing === 'function') socket.offAnyOutgoing(listener)
      const n = (sockets.get(u) || 0) - 1
      if (n > 0) sockets.set(u, n)
      else {
        sockets.delete(u)
        known.delete(u)
      }
    }
  }

  /** The user's own step here (call:start, accept, ...): its effects say where they are now. */
  function stepped(u, callId, effects) {
    if (!sockets.has(u) || !Array.isArray(effects)) return
    let conversationId
    let state
    let ended = false
    for (const e of effects) {
      if (e.type === 'emit' && conversationId === undefined && e.data) conversationId = e.data.conversationId
      else if (e.type === 'create') state = Member.JOINED
      else if (e.type === 'member' && e.userId === u) state = e.state
      else if (e.type === 'end') ended = true
    }
    if (ended || (state !== undefined && !isActive(state))) {
      if (matches(u, callId)) known.delete(u)
    } else if (state !== undefined) {
      const before = known.get(u)
      known.set(u, { callId, conversationId: conversationId ?? (before && before.conversationId), state })
    }
  }

  function tell(u, k) {
    if (known.get(u) !== k) return // told something since, or gone
    known.delete(u)
    const to = io.to(room(u))
    if (k.state === Member.JOINED) {
      to.emit(ServerEvent.ENDED, { callId: k.callId, conversationId: k.conversationId, by: null, reason: Reason.UNAVAILABLE })
    } else {
      to.emit(ServerEvent.CANCELLED, { callId: k.callId, conversationId: k.conversationId, by: null })
    }
  }

  /**
   * Checks every call a user here was told they are in against the store.
   * Those gone are told at once (`immediate`: the store says calls vanished)
   * or after graceMs, unless the real news arrived meanwhile.
   */
  async function check(store, { immediate = false, graceMs = 500 } = {}) {
    if (known.size === 0 || typeof store.memberStates !== 'function') return 0
    const entries = [...known]
    const states = await store.memberStates(entries.map(([u, k]) => [u, k.callId]))
    const lost = []
    entries.forEach(([u, k], i) => {
      if (isActive(states[i])) {
        if (known.get(u) === k) k.state = states[i]
      } else {
        lost.push([u, k])
      }
    })
    if (lost.length === 0) return 0
    const run = () => {
      if (isClosed()) return
      for (const [u, k] of lost) tell(u, k)
    }
    if (immediate) run()
    else {
      const t = setTimeout(run, graceMs)
      if (typeof t.unref === 'function') t.unref()
    }
    return lost.length
  }

  return { watch, stepped, check, known }
}

module.exports = { liveness }
