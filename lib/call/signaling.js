'use strict'
// attachCallSignaling: the Socket.IO transport of the call protocol. It turns
// client events into store steps (lib/call/machine.js run atomically by the
// store) and carries out their effects: emits, ring timers, the sweeper of a
// shared store. Per user, events and the disconnect run one after another in
// arrival order, so a disconnect never overtakes the call:start it follows.
const crypto = require('crypto')
const { userKey, participantKeysAsync, conversationKey } = require('../identity')
const { snapshot } = require('../check')
const { ClientEvent, ServerEvent, Member, AckError, SignalError, readStart, readCallId } = require('./protocol')
const { Event, about } = require('./machine')
const { MemoryCallStore } = require('./stores/memory')
const { liveness } = require('./liveness')
const { createRecords } = require('./records')
const { accountOf } = require('./media')
const { assertServer, toRoomFn, fn, positiveInt, rateLimit, invalidType, outOfRange } = require('./options')
const { callError } = require('./errors')

const CHUNK = 1000 // rooms per emit to a big group; the event loop runs between chunks
const MAX_PENDING = 16 // events of one user waiting behind each other; more are refused at once
const MAX_CALL_ID = 128
const LIVENESS_EVERY = 4 // sweeps between two checks that this process's users' calls still exist

// A shared store that did not answer in time (or is down): the ack says UNAVAILABLE.
const isUnavailable = (err) => err !== null && typeof err === 'object' && err.code === 'ERR_AGORA_CALL_STORE_UNAVAILABLE'

const STEP = {
  [ClientEvent.ACCEPT]: Event.ACCEPT,
  [ClientEvent.DECLINE]: Event.DECLINE,
  [ClientEvent.CANCEL]: Event.CANCEL,
  [ClientEvent.END]: Event.END
}

const isThenable = (x) => x !== null && (typeof x === 'object' || typeof x === 'function') && typeof x.then === 'function'
const yieldLoop = () => new Promise((resolve) => setImmediate(resolve))
const isCastError = (err) => err !== null && typeof err === 'object' && err.name === 'CastError'

/** Runs tasks per key one after another; a key's queue is dropped once idle. */
function keyedQueue() {
  const tails = new Map()
  const queue = (key, task) => {
    const run = (tails.get(key) || Promise.resolve()).then(task)
    const tail = run.then(() => {}, () => {})
    tails.set(key, tail)
    tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
  queue.idle = (key) => !tails.has(key)
  return queue
}

/** Settles with the lookup, or rejects with LOOKUP_TIMEOUT after ms. */
function within(ms, start) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new SignalError(AckError.LOOKUP_TIMEOUT)), ms)
  })
  return Promise.race([Promise.resolve().then(start), timeout]).finally(() => clearTimeout(timer))
}

/** options.channelEvents: true or { joinTimeoutMs, settleMs, skewMs, userOf }; false/undefined: off. */
function channelOptions(value) {
  if (value === undefined || value === false) return null
  const o = value === true ? {} : value
  if (o === null || typeof o !== 'object') throw invalidType('options.channelEvents', 'true or { joinTimeoutMs, settleMs, skewMs, userOf }', value)
  const own = (k) => (Object.hasOwn(o, k) ? o[k] : undefined)
  return {
    joinTimeoutMs: positiveInt(own('joinTimeoutMs'), 'options.channelEvents.joinTimeoutMs', 20000),
    settleMs: positiveInt(own('settleMs'), 'options.channelEvents.settleMs', 15000),
    skewMs: positiveInt(own('skewMs'), 'options.channelEvents.skewMs', 5000),
    userOf: fn(own('userOf'), 'options.channelEvents.userOf', '(event) => userKey | null', accountOf)
  }
}

function validate(io, input) {
  assertServer(io)
  if (input === null || typeof input !== 'object') throw invalidType('options', 'an object', input)
  // One read of the caller's own properties: no getters, proxies or polluted prototype after this.
  const o = snapshot('options', input)
  const store = o.store === undefined ? new MemoryCallStore() : o.store
  for (const m of ['callIdOf', 'create', 'apply']) {
    if (!store || typeof store[m] !== 'function') throw invalidType('options.store', `an object with a ${m}() method`, store)
  }
  const ringTimeoutMs = positiveInt(o.ringTimeoutMs, 'options.ringTimeoutMs', 30000)
  const nodeTtlMs = typeof store.nodeTtlMs === 'number' ? store.nodeTtlMs : Infinity
  const defaultSweep = Math.max(50, Math.min(1000, Math.floor(ringTimeoutMs / 4), Math.floor(nodeTtlMs / 4)))
  const sweepIntervalMs = positiveInt(o.sweepIntervalMs, 'options.sweepIntervalMs', defaultSweep)
  const sweeping = typeof store.sweep === 'function'
  if (sweeping && sweepIntervalMs * 2 > nodeTtlMs) {
    throw outOfRange('options.sweepIntervalMs', 'at most half of store.nodeTtlMs', sweepIntervalMs)
  }
  if (o.ringingOffline !== undefined && o.ringingOffline !== 'keep' && o.ringingOffline !== 'decline') {
    throw invalidType('options.ringingOffline', "'keep' or 'decline'", o.ringingOffline)
  }
  return {
    store,
    sweeping,
    sweepIntervalMs,
    ringTimeoutMs,
    findConversation: fn(o.findConversation, 'options.findConversation', '(id, userId) => conversation | null'),
    getUserId: fn(o.getUserId, 'options.getUserId', '(socket) => userId', (socket) => socket.data && socket.data.userId),
    generateCallId: fn(o.generateCallId, 'options.generateCallId', '() => string', () => crypto.randomUUID()),
    onError: fn(o.onError, 'options.onError', '(err) => void', null),
    room: toRoomFn(o.room),
    lookupTimeoutMs: positiveInt(o.lookupTimeoutMs, 'options.lookupTimeoutMs', 5000),
    limiter: rateLimit(o.ringRateLimit, 'options.ringRateLimit', { max: 20, windowMs: 60000 }),
    channelEvents: channelOptions(o.channelEvents),
    onCallEnded: fn(o.onCallEnded, 'options.onCallEnded', '(record) => void | Promise', null),
    onRingOffline: fn(o.onRingOffline, 'options.onRingOffline', '({ call, userIds }) => void | Promise', null),
    // 'keep': with onRingOffline, a ringing member whose last socket drops keeps ringing (a push may bring
    // them back); 'decline': they decline, as without onRingOffline.
    keepRinging: o.onRingOffline !== undefined && (o.ringingOffline === undefined || o.ringingOffline === 'keep'),
    onMediaAbsent: fn(o.onMediaAbsent, 'options.onMediaAbsent', '({ call, userId, joinedAt, waitedMs }) => void | Promise', null)
  }
}

/**
 * Call signaling on a socket.io server (or namespace); see README "Socket.IO".
 * @returns {{ store: object, close(): void }}
 */
function attachCallSignaling(io, input) {
  const opts = validate(io, input)
  const { store, room, ringTimeoutMs, limiter } = opts
  const timers = new Map() // callId -> ring timeout
  const attached = new Map() // socket -> { listeners, userId }
  const perUser = keyedQueue() // one user's events and disconnects, in order
  const perCall = keyedQueue() // one call's effects, in order (ringing a big group yields)
  let closed = false
  let sweeper = null
  const pendingGone = new Set() // users whose last socket left while the store could not be asked: retried by the sweeps
  const calls = liveness({ io, room, isClosed: () => closed, fault })
  const localSockets = new Map() // user -> sockets on this process (who can be rung without a shared store)
  const records = createRecords({
    store, opts, deliver: (...a) => deliver(...a), step: (...a) => step(...a), fault, isClosed: () => closed
  })

  function fault(err) {
    try {
      if (opts.onError) opts.onError(err)
      else console.error('[agora-call-token] call signaling error:', err && err.stack ? err.stack : err)
    } catch {
      // a failing logger must not take the process down
    }
  }

  // ---- effects ----------------------------------------------------------------------

  // With Socket.IO's own in-memory adapter every socket is in this process, so an
  // echo to the actor's other sockets can be skipped when there is none (an emit
  // encodes its packet before it looks for recipients). Other adapters may have
  // the actor's other sockets elsewhere: always sent.
  // (Read at each emit: an app may set io.adapter(...) after attaching.)
  const noOtherSocketHere = (socket, actor) => {
    const adapter = socket.nsp && socket.nsp.adapter
    if (!adapter || !adapter.constructor || adapter.constructor.name !== 'Adapter' || !(adapter.rooms instanceof Map)) return false
    const set = adapter.rooms.get(room(actor))
    return set === undefined || (set.size === 1 && set.has(socket.id))
  }

  function emit(to, e, socket, actor) {
    const rooms = to.map(room)
    let echo = e.echo && socket && actor !== null
    if (echo && noOtherSocketHere(socket, actor)) echo = false
    if (echo) rooms.push(room(actor))
    if (rooms.length === 0) return
    ;(echo ? socket.to(rooms) : io.to(rooms)).emit(e.event, e.data)
  }

  // A big group in chunks (the actor's other sockets, if told, with the first).
  async function emitChunked(e, socket, actor) {
    for (let i = 0; i < e.to.length; i += CHUNK) {
      if (i > 0) await yieldLoop()
      if (closed) return
      emit(e.to.slice(i, i + CHUNK), i === 0 ? e : { ...e, echo: false }, socket, actor)
    }
  }

  function perform(callId, e, socket, actor) {
    try {
      if (e.type === 'emit') emit(e.to, e, socket, actor)
      else if (e.type === 'timer') {
        if (e.action === 'start') startTimer(callId)
        else clearTimer(callId)
      }
    } catch (err) {
      fault(err)
    }
  }

  /** Carries out a step's effects for callId, after those of earlier steps of the same call. */
  function deliver(callId, effects, socket = null, actor = null) {
    if (!effects || effects.length === 0) return
    // The common case, a small call with nothing of it still being sent: at once, no queue.
    if (perCall.idle(callId) && !effects.some((e) => e.type === 'emit' && e.to.length > CHUNK)) {
      for (const e of effects) {
        if (closed) return
        perform(callId, e, socket, actor)
      }
      return
    }
    perCall(callId, async () => {
      for (const e of effects) {
        // After close() nothing more is sent: the adapter's clients may be closed already,
        // and a publish on a closed client fails where nothing can catch it.
        if (closed) return
        if (e.type === 'emit' && e.to.length > CHUNK) await emitChunked(e, socket, actor).catch(fault)
        else perform(callId, e, socket, actor)
      }
    }).catch(fault)
  }

  function clearTimer(callId) {
    const t = timers.get(callId)
    if (t) {
      clearTimeout(t)
      timers.delete(callId)
    }
  }

  function startTimer(callId, delayMs = ringTimeoutMs) {
    clearTimer(callId)
    if (closed) return
    const t = setTimeout(() => {
      timers.delete(callId)
      // a store that cannot be asked now: the sweeps find the deadline again
      if (!closed) step(callId, Event.TIMEOUT, null).catch((err) => (isUnavailable(err) ? null : fault(err)))
    }, Math.max(0, delayMs) + 1)
    if (typeof t.unref === 'function') t.unref()
    timers.set(callId, t)
  }

  // A store handed over from an earlier attachCallSignaling (closed since): its
  // ringing calls get their timers here, or nobody would ever time them out.
  if (!opts.sweeping && typeof store.ringingCalls === 'function') {
    const now = Date.now()
    for (const { callId, ringUntil } of store.ringingCalls()) startTimer(callId, ringUntil - now)
  }

  /** One machine step through the store; its effects are delivered. Returns the step's result. */
  async function step(callId, event, actor, socket = null) {
    const now = Date.now()
    const result = await store.apply(callId, event, actor, now)
    if (!result.error) {
      deliver(callId, result.effects, socket, actor)
      records.effects(callId, result.effects, result.call, now)
    }
    return result
  }

  /** Those rung who have no socket on any process: onRingOffline (after the start was acked). */
  async function ringOffline(call) {
    if (!opts.onRingOffline || !call) return
    const ringing = []
    for (const [u, s] of call.members) if (s === Member.RINGING) ringing.push(u)
    const offline = typeof store.offline === 'function'
      ? await store.offline(ringing)
      : ringing.filter((u) => !localSockets.has(u))
    if (offline.length && !closed) await opts.onRingOffline({ call: about(call), userIds: offline })
  }

  // ---- client events ----------------------------------------------------------------

  async function lookup(conversationId, userId) {
    try {
      // A synchronous answer (a Map, a cache) cannot be late: no timeout timer for it.
      const found = opts.findConversation(conversationId, userId)
      return isThenable(found) ? await within(opts.lookupTimeoutMs, () => found) : found
    } catch (err) {
      if (isCastError(err)) return null // mongoose: not an ObjectId, so no such conversation
      throw err
    }
  }

  function newCallId() {
    const id = opts.generateCallId()
    if (typeof id !== 'string' || id === '' || id.length > MAX_CALL_ID) {
      throw callError('ERR_AGORA_INVALID_CALL_ID', 'generateCallId() must return a string of 1 to 128 characters')
    }
    return id
  }

  async function onStart(socket, userId, { conversationId, media }) {
    // The cheap checks first: a refused start costs nothing per participant.
    const current = await store.callIdOf(userId)
    if (current) throw new SignalError(AckError.ALREADY_IN_CALL, undefined, { callId: current })
    const wait = limiter(userId)
    if (wait > 0) throw new SignalError(AckError.RATE_LIMITED, undefined, { retryAfterMs: wait })
    const conversation = await lookup(conversationId, userId)
    if (socket.disconnected) throw new SignalError(AckError.UNAVAILABLE, 'The connection closed during the call start')
    if (closed) throw new SignalError(AckError.UNAVAILABLE)
    const keys = conversation ? await participantKeysAsync(conversation) : null // sync below 5,000
    if (!keys || !keys.delete(userId)) throw new SignalError(AckError.FORBIDDEN)
    if (keys.size === 0) throw new SignalError(AckError.NO_ONE_TO_CALL)
    // Computing a big group's keys yields: the connection or the signaling may be gone by now.
    if (socket.disconnected) throw new SignalError(AckError.UNAVAILABLE, 'The connection closed during the call start')
    if (closed) throw new SignalError(AckError.UNAVAILABLE)
    const init = {
      callId: newCallId(),
      conversationId: conversationKey(conversation, conversationId),
      callerId: userId,
      media,
      now: Date.now(),
      ringTimeoutMs,
      keepMs: records.keepMs
    }
    const result = await store.create(init, keys)
    if (result.error === 'DUPLICATE_CALL_ID') throw callError('ERR_AGORA_INVALID_CALL_ID', 'generateCallId() repeated an id in use')
    if (result.error) throw new SignalError(result.error, undefined, result.callId ? { callId: result.callId } : undefined)
    if (!result.call) {
      const busy = result.effects.find((e) => e.event === ServerEvent.BUSY)
      records.busy(init, busy ? busy.data.userIds : [], Date.now())
    }
    return { reply: { ok: true, callId: init.callId }, callId: init.callId, effects: result.effects, call: result.call, now: init.now }
  }

  async function onCallEvent(socket, userId, event, callId) {
    const now = Date.now()
    const result = await store.apply(callId, STEP[event], userId, now)
    if (result.error) throw new SignalError(result.error)
    return { reply: { ok: true, callId }, callId, effects: result.effects, call: result.call, now }
  }

  // Per user: events waiting in its queue, and whether a call:start is among them.
  const pending = new Map() // user -> { events, starting }

  async function dispatch(socket, entry, event, args) {
    const ack = args.length > 0 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null
    const payload = args.length > 0 && typeof args[0] !== 'function' ? args[0] : undefined
    let reply
    let done = null
    try {
      // Only the fields read from the payload wait in the queue, never the payload itself.
      const input = event === ClientEvent.START ? readStart(payload) : readCallId(payload)
      const userId = await entry.ready
      if (closed) throw new SignalError(AckError.UNAVAILABLE)
      if (!userId) throw new SignalError(AckError.UNAUTHENTICATED)
      const slot = pending.get(userId) || { events: 0, starting: false }
      if (slot.events >= MAX_PENDING) {
        throw new SignalError(AckError.RATE_LIMITED, 'Too many events waiting; try again', { retryAfterMs: 1000 })
      }
      const start = event === ClientEvent.START
      if (start && slot.starting) throw new SignalError(AckError.INVALID_STATE, 'A call start is already in progress')
      slot.events++
      if (start) slot.starting = true
      pending.set(userId, slot)
      try {
        done = await perUser(userId, () => (start ? onStart(socket, userId, input) : onCallEvent(socket, userId, event, input)))
      } finally {
        slot.events--
        if (start) slot.starting = false
        if (slot.events === 0 && pending.get(userId) === slot) pending.delete(userId)
      }
      reply = done.reply
      if (ack) safeAck(ack, reply)
      calls.stepped(userId, done.callId, done.effects)
      deliver(done.callId, done.effects, socket, userId)
      records.effects(done.callId, done.effects, done.call, done.now)
      if (event === ClientEvent.START && opts.onRingOffline) ringOffline(done.call).catch(fault)
      return
    } catch (err) {
      if (err instanceof SignalError) reply = err.toAck()
      else if (isUnavailable(err)) reply = new SignalError(AckError.UNAVAILABLE).toAck()
      else {
        fault(err)
        reply = new SignalError(AckError.INTERNAL).toAck()
      }
    }
    if (ack) safeAck(ack, reply)
  }

  function safeAck(ack, reply) {
    try {
      ack(reply)
    } catch (err) {
      fault(err)
    }
  }

  async function remainingSockets(userId, again = false) {
    if (again && typeof store.userSockets === 'function') return store.userSockets(userId)
    if (!again && typeof store.userDisconnected === 'function') {
      const n = await store.userDisconnected(userId)
      if (typeof n === 'number') return n
    }
    return (await io.in(room(userId)).fetchSockets()).length
  }

  /** The user has no connection left anywhere: ringing counts as a decline, joined as leaving. */
  async function userGone(userId) {
    const callId = await store.callIdOf(userId)
    // With onRingOffline a member still ringing keeps ringing (the app may push a notification).
    if (callId) await step(callId, opts.keepRinging ? Event.OFFLINE : Event.DISCONNECT, userId)
  }

  /**
   * The user's last socket here left: with none anywhere, their call hears a
   * disconnect. When the store cannot be asked (an outage, a dropped
   * connection) the sweeps ask again until it answers.
   */
  function onDisconnect(userId, again = false) {
    return perUser(userId, async () => {
      if (closed) return
      try {
        if ((await remainingSockets(userId, again)) > 0 || closed) return
        await userGone(userId)
      } catch (err) {
        if (!opts.sweeping) throw err
        pendingGone.add(userId)
        if (!isUnavailable(err)) throw err
        return
      }
      pendingGone.delete(userId)
    })
  }

  // ---- shared stores: ring deadlines and dead processes ---------------------------------

  // The store rebuilds this process's presence itself when it was lost (a
  // failed write, a restart, being taken for dead); a sweep here also retries
  // the disconnects that could not be checked, and checks that the calls this
  // process's users were told they are in still exist (at once when the store
  // says calls may have vanished, else every few sweeps).
  let sweepRunning = false
  let sweeps = 0
  async function sweep() {
    if (sweepRunning || closed) return
    sweepRunning = true
    try {
      const now = Date.now()
      const { due = [], gone = [], reconcile = false, settled = [] } = (await store.sweep({ now, limit: 100 })) || {}
      if (reconcile || ++sweeps % LIVENESS_EVERY === 0) {
        await calls.check(store, { immediate: reconcile, graceMs: opts.sweepIntervalMs }).catch(fault)
      }
      for (const userId of [...pendingGone]) {
        if (closed) return
        await onDisconnect(userId, true).catch(fault)
      }
      for (const userId of gone) {
        if (closed) return
        await perUser(userId, () => userGone(userId)).catch((err) => {
          pendingGone.add(userId) // asked again by the next sweep
          if (!isUnavailable(err)) fault(err)
        })
      }
      for (const callId of due) {
        if (closed) return
        await step(callId, Event.TIMEOUT, null).catch((err) => (isUnavailable(err) ? null : fault(err)))
      }
      for (const callId of settled) {
        if (closed) return
        await records.finalize(callId).catch((err) => (isUnavailable(err) ? null : fault(err)))
      }
    } finally {
      sweepRunning = false
    }
  }

  if (opts.sweeping) {
    // During an outage every sweep fails: said once, until one works again.
    let down = false
    const run = () => sweep().then(() => {
      down = false
    }, (err) => {
      if (!isUnavailable(err) || !down) fault(err)
      down = down || isUnavailable(err)
    })
    sweeper = setInterval(run, opts.sweepIntervalMs)
    if (typeof sweeper.unref === 'function') sweeper.unref()
    run()
  }

  // ---- connections --------------------------------------------------------------------

  function join(socket, entry, raw) {
    const userId = userKey(raw)
    if (userId === null || socket.disconnected) return null
    entry.userId = userId
    localSockets.set(userId, (localSockets.get(userId) || 0) + 1)
    const joined = socket.join(room(userId))
    if (opts.sweeping) entry.unwatch = calls.watch(socket, userId)
    const present = () => {
      if (typeof store.userConnected !== 'function') return userId
      return Promise.resolve(store.userConnected(userId)).then(() => userId, (err) => {
        fault(err)
        return userId
      })
    }
    return isThenable(joined) ? joined.then(present) : present()
  }

  function onConnection(socket) {
    if (closed) return
    const entry = { listeners: {}, userId: null, ready: null, unwatch: null }
    try {
      const raw = opts.getUserId(socket)
      // A synchronous getUserId joins the room before any event can arrive.
      // An async getUserId gets lookupTimeoutMs, like findConversation: then the socket has no user.
      entry.ready = isThenable(raw)
        ? within(opts.lookupTimeoutMs, () => raw).then((r) => join(socket, entry, r))
        : Promise.resolve(join(socket, entry, raw))
    } catch (err) {
      entry.ready = Promise.reject(err)
    }
    entry.ready = entry.ready.catch((err) => {
      fault(err)
      return null
    })
    for (const event of Object.values(ClientEvent)) {
      entry.listeners[event] = (...args) => {
        dispatch(socket, entry, event, args).catch(fault)
      }
    }
    entry.listeners.disconnect = () => {
      attached.delete(socket)
      if (entry.userId !== null) {
        const n = (localSockets.get(entry.userId) || 0) - 1
        if (n > 0) localSockets.set(entry.userId, n)
        else localSockets.delete(entry.userId)
      }
      if (entry.unwatch) entry.unwatch()
      entry.ready.then((userId) => (userId && !closed ? onDisconnect(userId) : undefined)).catch(fault)
    }
    for (const [event, listener] of Object.entries(entry.listeners)) socket.on(event, listener)
    attached.set(socket, entry)
  }

  io.on('connection', onConnection)

  return {
    store,
    /**
     * A typed Agora channel event (createWebhookRouter's onEvent, or any
     * source): media presence, call:media, a destroyed channel ends its call.
     * Resolves { applied, callId, changes }; rejects when the store cannot be reached or after close().
     */
    channelEvent(event) {
      // Closed (a process shutting down): nothing is stored, so the webhook must not answer 200.
      if (closed) return Promise.reject(callError('ERR_AGORA_CALL_SIGNALING_CLOSED', 'channelEvent()'))
      return records.channelEvent(event)
    },
    /** Stops handling call events, the sweeps and every ring timer. Sockets stay connected. */
    close() {
      if (closed) return
      closed = true
      records.close()
      io.off('connection', onConnection)
      if (sweeper) clearInterval(sweeper)
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      for (const [socket, { listeners, unwatch }] of attached) {
        for (const [event, listener] of Object.entries(listeners)) socket.off(event, listener)
        if (unwatch) unwatch()
      }
      attached.clear()
    }
  }
}

module.exports = { attachCallSignaling }
