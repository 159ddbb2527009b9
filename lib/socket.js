'use strict';

/**
 * agora-call-token/socket
 *
 * Call signalling over Socket.IO for chat backends where the conversation id is
 * the Agora channel name. Nothing here loads socket.io or a Redis client: the
 * server object (and the Redis client) are passed in, so they stay optional.
 *
 *   notifyIncomingCall(io, conversation, fromUserId, payload, { room })
 *   attachCallSignaling(io, { findConversation, getUserId, ringTimeoutMs, room, store })
 *   new MemoryCallStore()                  one process (the default)
 *   new RedisCallStore(redisClient, opts)  several processes (with @socket.io/redis-adapter)
 *
 * Every user has a room named by their id string (override with `room`);
 * every socket of that user joins it, so all their devices ring.
 */

const crypto = require('crypto');
const act = require('./index');
const { isArray, snapshot } = require('./check');

const HEX24 = /^[0-9a-fA-F]{24}$/;
const MEDIA = new Set(['audio', 'video']);

function argError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

/**
 * A user id as a comparable string: ObjectIds (bson, mongoose, 12-byte
 * buffers, 24-hex text in any case) as lowercase 24 hex, populated documents
 * by their _id, other strings as they are. null when there is no usable id.
 */
function userKey(id, depth = 0) {
  if (id === null || id === undefined) return null;
  if (typeof id === 'string') {
    if (id === '') return null;
    return HEX24.test(id) ? id.toLowerCase() : id;
  }
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : null;
  if (typeof id === 'bigint') return String(id);
  if (typeof id === 'object' && depth < 3) {
    if (typeof id.toHexString === 'function') return userKey(String(id.toHexString()), depth + 1);
    if (id instanceof Uint8Array) return id.length === 12 ? Buffer.from(id).toString('hex') : null;
    if (id._id !== undefined && id._id !== id) return userKey(id._id, depth + 1);
  }
  return null;
}

function participantsOf(conversation) {
  if (isArray('conversation', conversation)) return conversation;
  if (conversation && typeof conversation === 'object') {
    let participants;
    try {
      participants = conversation.participants;
    } catch (_) {
      throw argError(TypeError, 'ERR_INVALID_ARG_VALUE', 'conversation.participants could not be read (its getter threw)');
    }
    if (isArray('conversation.participants', participants)) return participants;
  }
  throw argError(TypeError, 'ERR_INVALID_ARG_TYPE',
    'conversation must be an array of participants or an object with a participants array');
}

/** Distinct participant keys of a conversation, in order. */
function participantKeys(conversation) {
  const keys = [];
  for (const p of participantsOf(conversation)) {
    const k = userKey(p);
    if (k !== null && !keys.includes(k)) keys.push(k);
  }
  return keys;
}

function defaultRoom(userId) {
  return String(userId);
}

function toRoomFn(room) {
  if (room === undefined) return defaultRoom;
  if (typeof room !== 'function') throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.room must be a function (userId) => string');
  return userId => {
    const name = room(userId);
    if (typeof name !== 'string' || name === '') {
      throw argError(TypeError, 'ERR_INVALID_RETURN_VALUE', 'options.room must return a non-empty string');
    }
    return name;
  };
}

function assertServer(io) {
  if (!io || typeof io.to !== 'function' || typeof io.on !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'io must be a socket.io Server or Namespace');
  }
}

/**
 * Rings every participant of `conversation` except the caller: emits
 * `incoming-call` `{ ...payload, conversationId, from }` to each other
 * participant's room, never to the caller's (payload cannot override
 * conversationId or from).
 *
 * @param {import('socket.io').Server|import('socket.io').Namespace} io
 * @param {object|Array} conversation `{ _id, participants }` or an array of participants
 *   (then payload.conversationId names the conversation)
 * @param {*} fromUserId the caller; must be a participant
 * @param {object} [payload]
 * @param {{ room?: (userId: string) => string }} [options]
 * @returns {string[]} the user ids that were notified
 */
function notifyIncomingCall(io, conversation, fromUserId, payload, options) {
  assertServer(io);
  if (payload !== undefined && payload !== null && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'payload must be an object');
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object');
  }
  const room = toRoomFn(options ? options.room : undefined);
  const from = userKey(fromUserId);
  if (from === null) throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'fromUserId must be a user id');
  const keys = participantKeys(conversation);
  if (!act.isParticipant(conversation, from)) {
    throw argError(Error, 'ERR_NOT_PARTICIPANT', 'the caller is not a participant of this conversation');
  }
  let conversationId;
  if (!Array.isArray(conversation)) {
    const raw = conversation._id !== undefined ? conversation._id : conversation.id;
    if (raw !== undefined && raw !== null) conversationId = String(raw);
  }
  if (conversationId === undefined && payload && payload.conversationId !== undefined) {
    conversationId = String(payload.conversationId);
  }
  const targets = keys.filter(k => k !== from);
  if (targets.length > 0) {
    const message = { ...(payload || {}), conversationId, from };
    io.to(targets.map(room)).except(room(from)).emit('incoming-call', message);
  }
  return targets;
}

/**
 * In-memory call store. The signalling code only uses these methods and awaits
 * each result, so an async implementation (Redis, ...) can take its place.
 * Calls are plain JSON-able objects:
 *   { callId, conversationId, callerId, media, createdAt, ringUntil, state: 'ringing'|'active',
 *     members: { [userId]: 'joined'|'ringing'|'declined'|'left'|'missed' } }
 * (ringUntil: the ring deadline, ms since the epoch.)
 * A user is "in" a call while their member state is 'joined' or 'ringing';
 * a user is in at most one call at a time.
 */
class MemoryCallStore {
  constructor() {
    this._calls = new Map();
    this._byUser = new Map();
  }

  /** @returns {object|null} a copy of the call */
  get(callId) {
    const call = this._calls.get(callId);
    return call ? structuredClone(call) : null;
  }

  /** Inserts or replaces a call and re-indexes its members. */
  save(call) {
    const copy = structuredClone(call);
    const previous = this._calls.get(copy.callId);
    if (previous) this._unindex(previous);
    this._calls.set(copy.callId, copy);
    for (const [userId, state] of Object.entries(copy.members)) {
      if (state === 'joined' || state === 'ringing') this._byUser.set(userId, copy.callId);
    }
  }

  delete(callId) {
    const call = this._calls.get(callId);
    if (!call) return;
    this._unindex(call);
    this._calls.delete(callId);
  }

  /** @returns {string|null} the call the user is joined to or ringing for */
  callIdOf(userId) {
    return this._byUser.get(userId) ?? null;
  }

  get size() {
    return this._calls.size;
  }

  clear() {
    this._calls.clear();
    this._byUser.clear();
  }

  _unindex(call) {
    for (const userId of Object.keys(call.members)) {
      if (this._byUser.get(userId) === call.callId) this._byUser.delete(userId);
    }
  }
}

class SignalError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function serialQueue() {
  let tail = Promise.resolve();
  return fn => {
    const run = tail.then(fn);
    tail = run.then(() => {}, () => {});
    return run;
  };
}

function isThenable(x) {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof x.then === 'function';
}

const CALL_EVENTS = ['call:start', 'call:accept', 'call:decline', 'call:cancel', 'call:end'];

function positiveInt(value, name, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', `${name} must be a number`);
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw argError(RangeError, 'ERR_OUT_OF_RANGE', `${name} must be an integer from 1 to 2147483647`);
  }
  return value;
}

/**
 * Call signalling on a socket.io server (or namespace).
 *
 * Client -> server (each with an optional acknowledgement callback):
 *   call:start   { conversationId, media: 'audio'|'video' }   ack { ok: true, callId }
 *   call:accept  { callId }                                     ack { ok: true, callId }
 *   call:decline { callId }
 *   call:cancel  { callId }   (the caller)
 *   call:end     { callId }   (hang up; while still ringing it declines)
 *   on failure   ack { ok: false, error: { code, message } }
 *
 * Server -> client:
 *   incoming-call  { callId, conversationId, from, media }
 *   call:accepted  { callId, conversationId, by }
 *   call:declined  { callId, conversationId, by }
 *   call:left      { callId, conversationId, by }             someone hung up, the call goes on
 *   call:cancelled { callId, conversationId, by }             to those still ringing when the call ends
 *   call:ended     { callId, conversationId, by, reason }     to those joined when the call ends;
 *                  reason: 'hangup'|'cancelled'|'declined'|'missed'|'busy'|'disconnect'
 *   call:missed    { callId, conversationId, userIds }        ring timeout
 *   call:busy      { callId, conversationId, userIds }        to the caller
 *
 * State changes are read-modify-write on the store. With a store that has no
 * transaction() (MemoryCallStore), they run one at a time in this process.
 * A shared store (RedisCallStore) runs each one in store.transaction(fn),
 * which may run fn again when another process changed what fn read; fn has
 * no side effect except its return value, and events are sent once it commits.
 * Such a store's sweep() also drives ring timeouts (deadlines kept in the
 * store, so a call still times out when the process that started it died)
 * and tells which users' server processes died.
 *
 * @param {import('socket.io').Server|import('socket.io').Namespace} io
 * @param {object} options
 * @param {(conversationId: string) => any} options.findConversation may be async
 * @param {(socket) => any} [options.getUserId] default socket.data.userId; may be async
 * @param {number} [options.ringTimeoutMs=30000]
 * @param {(userId: string) => string} [options.room] default String(userId)
 * @param {object} [options.store] default new MemoryCallStore()
 * @param {number} [options.sweepIntervalMs] shared stores only: how often this process sweeps
 *   (default ringTimeoutMs / 4 and store.nodeTtlMs / 4, within 50..1000)
 * @param {() => string} [options.generateCallId] default crypto.randomUUID
 * @param {(err) => void} [options.onError] server faults (default console.error)
 * @returns {{ store: object, close(): void }}
 */
function attachCallSignaling(io, input) {
  assertServer(io);
  if (input === null || typeof input !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object');
  }
  // One read of the caller's own properties: no getters, proxies or polluted prototype after this.
  const options = snapshot('options', input);
  const { findConversation, onError } = options;
  if (typeof findConversation !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.findConversation must be a function (id) => conversation | null');
  }
  const getUserId = options.getUserId === undefined ? socket => socket.data && socket.data.userId : options.getUserId;
  if (typeof getUserId !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.getUserId must be a function (socket) => userId');
  }
  const ringTimeoutMs = positiveInt(options.ringTimeoutMs, 'options.ringTimeoutMs', 30000);
  const room = toRoomFn(options.room);
  const generateCallId = options.generateCallId === undefined ? () => crypto.randomUUID() : options.generateCallId;
  if (typeof generateCallId !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.generateCallId must be a function');
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.onError must be a function');
  }
  const store = options.store === undefined ? new MemoryCallStore() : options.store;
  for (const m of ['get', 'save', 'delete', 'callIdOf']) {
    if (!store || typeof store[m] !== 'function') {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.store must have a ${m}() method`);
    }
  }
  const transactional = typeof store.transaction === 'function';
  const sweeping = typeof store.sweep === 'function';
  const nodeTtlMs = typeof store.nodeTtlMs === 'number' ? store.nodeTtlMs : Infinity;
  const defaultSweep = Math.max(50, Math.min(1000, Math.floor(ringTimeoutMs / 4), Math.floor(nodeTtlMs / 4)));
  const sweepIntervalMs = positiveInt(options.sweepIntervalMs, 'options.sweepIntervalMs', defaultSweep);
  if (sweeping && sweepIntervalMs * 2 > nodeTtlMs) {
    throw argError(RangeError, 'ERR_OUT_OF_RANGE', 'options.sweepIntervalMs must be at most half of store.nodeTtlMs');
  }

  const timers = new Map(); // callId -> ring timeout
  const attached = new Map(); // socket -> { listeners, userId }
  const queue = serialQueue(); // memory store: call state changes run one at a time
  let closed = false;
  let sweeper = null;

  function fault(err) {
    try {
      if (onError) onError(err);
      else console.error('[agora-call-token] call signalling error:', err && err.stack ? err.stack : err);
    } catch (_) {
      // ignore a failing logger
    }
  }

  /**
   * Runs fn(st) as one atomic state change; st has get/save/delete/callIdOf.
   * fn must only touch st and its own locals: a shared store may run it again.
   */
  function atomically(fn) {
    if (transactional) return store.transaction(fn);
    return queue(() => fn(store));
  }

  // ---- outgoing events and timers (run once the change is committed) ---------

  /**
   * Emits to the rooms of `userIds`; with `socket`, also to the actor's other
   * sockets (their own room) but never back to that socket.
   */
  function send(out, userIds, event, data, socket, actorId) {
    out.push({ userIds: [...userIds], event, data, socket, actorId });
  }

  function flush(out) {
    for (const item of out) {
      try {
        if (item.timer === 'start') {
          startTimer(item.callId);
          continue;
        }
        if (item.timer === 'clear') {
          clearTimer(item.callId);
          continue;
        }
        const { userIds, event, data, socket, actorId } = item;
        const rooms = userIds.map(room);
        if (socket && actorId !== undefined) rooms.push(room(actorId));
        if (rooms.length === 0) continue;
        (socket ? socket.to(rooms) : io.to(rooms)).emit(event, data);
      } catch (err) {
        fault(err);
      }
    }
  }

  // ---- call state -------------------------------------------------------------

  function membersIn(call, state) {
    return Object.keys(call.members).filter(u => call.members[u] === state);
  }

  function othersInCall(call, userId) {
    return Object.keys(call.members).filter(
      u => u !== userId && (call.members[u] === 'joined' || call.members[u] === 'ringing'));
  }

  function clearTimer(callId) {
    const t = timers.get(callId);
    if (t) {
      clearTimeout(t);
      timers.delete(callId);
    }
  }

  function startTimer(callId) {
    clearTimer(callId);
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(callId);
      if (closed) return;
      atomically(st => ringTimeout(st, callId, null)).then(flush, fault);
    }, ringTimeoutMs);
    if (typeof t.unref === 'function') t.unref();
    timers.set(callId, t);
  }

  function base(call) {
    return { callId: call.callId, conversationId: call.conversationId };
  }

  /** Ends the call if it cannot go on: nobody joined, or fewer than two joined or ringing. */
  async function settle(st, call, out, by, reason) {
    const joined = membersIn(call, 'joined');
    const ringing = membersIn(call, 'ringing');
    if (joined.length > 0 && joined.length + ringing.length >= 2) {
      if (ringing.length === 0) out.push({ timer: 'clear', callId: call.callId });
      await st.save(call);
      return false;
    }
    out.push({ timer: 'clear', callId: call.callId });
    await st.delete(call.callId);
    if (joined.length) send(out, joined, 'call:ended', { ...base(call), by, reason });
    if (ringing.length) send(out, ringing, 'call:cancelled', { ...base(call), by });
    return true;
  }

  /**
   * Everyone still ringing missed the call. `now` (a sweep) only acts on a call
   * whose ring deadline has passed; null (this process's own timer) always acts.
   */
  async function ringTimeout(st, callId, now) {
    const out = [];
    const call = await st.get(callId);
    if (!call) {
      if (now !== null) await st.delete(callId); // a stale deadline entry
      return out;
    }
    if (now !== null && typeof call.ringUntil === 'number' && call.ringUntil > now) return out;
    const missed = membersIn(call, 'ringing');
    if (missed.length === 0) return out;
    for (const u of missed) call.members[u] = 'missed';
    send(out, [...missed, ...membersIn(call, 'joined')], 'call:missed', { ...base(call), userIds: missed });
    await settle(st, call, out, null, 'missed');
    return out;
  }

  /** A member leaves: hang-up, cancel or disconnect of someone joined. */
  async function leave(st, call, userId, out, reason, socket) {
    call.members[userId] = 'left';
    const ended = await settle(st, call, out, userId, reason);
    if (!ended) {
      const others = othersInCall(call, userId);
      send(out, others, 'call:left', { ...base(call), by: userId }, socket, userId);
    }
  }

  async function decline(st, call, userId, out, reason, socket) {
    call.members[userId] = 'declined';
    const others = othersInCall(call, userId);
    send(out, others, 'call:declined', { ...base(call), by: userId }, socket, userId);
    await settle(st, call, out, userId, reason);
  }

  /** The user's last connection is gone: ringing counts as a decline, joined as leaving. */
  async function userGone(st, userId) {
    const out = [];
    const callId = await st.callIdOf(userId);
    if (!callId) return out;
    const call = await st.get(callId);
    if (!call) return out;
    const state = call.members[userId];
    if (state === 'ringing') await decline(st, call, userId, out, 'disconnect', null);
    else if (state === 'joined') await leave(st, call, userId, out, 'disconnect', null);
    return out;
  }

  // ---- client events ----------------------------------------------------------

  function readCallId(payload) {
    if (!payload || typeof payload !== 'object' || typeof payload.callId !== 'string' ||
        payload.callId === '' || payload.callId.length > 128) {
      throw new SignalError('INVALID_PAYLOAD', 'Expected { callId }');
    }
    return payload.callId;
  }

  async function memberCall(st, callId, userId) {
    const call = await st.get(callId);
    // Unknown call and not a member answer the same.
    if (!call || !Object.prototype.hasOwnProperty.call(call.members, userId)) {
      throw new SignalError('CALL_NOT_FOUND', 'No such call for this user');
    }
    return call;
  }

  async function onStart(socket, userId, payload) {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new SignalError('INVALID_PAYLOAD', "Expected { conversationId, media: 'audio' | 'video' }");
    }
    const { conversationId } = payload;
    const media = payload.media === undefined ? 'audio' : payload.media;
    if (typeof conversationId !== 'string' || !act.isValidChannelName(conversationId)) {
      throw new SignalError('INVALID_PAYLOAD', 'conversationId must be a valid channel name');
    }
    if (!MEDIA.has(media)) throw new SignalError('INVALID_PAYLOAD', "media must be 'audio' or 'video'");

    let conversation;
    try {
      conversation = await findConversation(conversationId);
    } catch (err) {
      if (!(err && err.name === 'CastError')) throw err; // mongoose: not an ObjectId, so not found
      conversation = null;
    }
    if (!conversation || !act.isParticipant(conversation, userId)) {
      throw new SignalError('FORBIDDEN', 'You are not a participant of this conversation');
    }
    const others = participantKeys(conversation).filter(u => u !== userId);
    if (others.length === 0) throw new SignalError('NO_ONE_TO_CALL', 'Nobody else is in this conversation');
    const callId = String(generateCallId());

    return atomically(async st => {
      if (closed) throw new SignalError('UNAVAILABLE', 'Call signalling is shut down');
      if (await st.callIdOf(userId)) throw new SignalError('ALREADY_IN_CALL', 'You are already in a call');
      const inCall = await Promise.all(others.map(u => st.callIdOf(u)));
      const busy = others.filter((u, i) => inCall[i]);
      const ringing = others.filter((u, i) => !inCall[i]);
      const createdAt = Date.now();
      const call = {
        callId,
        conversationId,
        callerId: userId,
        media,
        createdAt,
        ringUntil: createdAt + ringTimeoutMs,
        state: 'ringing',
        members: { [userId]: 'joined' },
      };
      const out = [];
      if (ringing.length === 0) {
        send(out, [userId], 'call:busy', { ...base(call), userIds: busy });
        send(out, [userId], 'call:ended', { ...base(call), by: null, reason: 'busy' });
      } else {
        for (const u of ringing) call.members[u] = 'ringing';
        await st.save(call);
        // incoming-call first, then busy news for the caller
        send(out, ringing, 'incoming-call', { ...base(call), from: userId, media });
        if (busy.length) send(out, [userId], 'call:busy', { ...base(call), userIds: busy });
        out.push({ timer: 'start', callId });
      }
      return { reply: { ok: true, callId }, out };
    });
  }

  function onAccept(socket, userId, payload) {
    const callId = readCallId(payload);
    return atomically(async st => {
      const call = await memberCall(st, callId, userId);
      if (call.members[userId] !== 'ringing') throw new SignalError('INVALID_STATE', 'This call is not ringing for you');
      call.members[userId] = 'joined';
      call.state = 'active';
      const out = [];
      send(out, othersInCall(call, userId), 'call:accepted', { ...base(call), by: userId }, socket, userId);
      await settle(st, call, out, userId, 'hangup'); // saves; stops the ring timer once nobody rings
      return { reply: { ok: true, callId }, out };
    });
  }

  function onDecline(socket, userId, payload) {
    const callId = readCallId(payload);
    return atomically(async st => {
      const call = await memberCall(st, callId, userId);
      if (call.members[userId] !== 'ringing') throw new SignalError('INVALID_STATE', 'This call is not ringing for you');
      const out = [];
      await decline(st, call, userId, out, 'declined', socket);
      return { reply: { ok: true, callId }, out };
    });
  }

  function onCancel(socket, userId, payload) {
    const callId = readCallId(payload);
    return atomically(async st => {
      const call = await memberCall(st, callId, userId);
      if (call.callerId !== userId || call.members[userId] !== 'joined') {
        throw new SignalError('INVALID_STATE', 'Only the caller can cancel a call');
      }
      const out = [];
      await leave(st, call, userId, out, 'cancelled', socket);
      return { reply: { ok: true, callId }, out };
    });
  }

  function onEnd(socket, userId, payload) {
    const callId = readCallId(payload);
    return atomically(async st => {
      const call = await memberCall(st, callId, userId);
      const state = call.members[userId];
      const out = [];
      if (state === 'ringing') await decline(st, call, userId, out, 'declined', socket);
      else if (state === 'joined') await leave(st, call, userId, out, 'hangup', socket);
      else throw new SignalError('INVALID_STATE', 'You are no longer in this call');
      return { reply: { ok: true, callId }, out };
    });
  }

  async function onDisconnect(userId) {
    // Another tab or device of the same user keeps them in the call. A shared
    // store counts them across processes; otherwise ask the adapter.
    let remaining = null;
    if (typeof store.userDisconnected === 'function') remaining = await store.userDisconnected(userId);
    if (typeof remaining !== 'number') remaining = (await io.in(room(userId)).fetchSockets()).length;
    if (remaining > 0 || closed) return;
    flush(await atomically(st => userGone(st, userId)));
  }

  // ---- shared stores: deadlines and dead processes ----------------------------

  let sweepRunning = false;
  async function sweep() {
    if (sweepRunning || closed) return;
    sweepRunning = true;
    try {
      const now = Date.now();
      const { due = [], gone = [], reaped = false } = (await store.sweep({ now, limit: 100 })) || {};
      if (reaped && typeof store.resetPresence === 'function') {
        // Another process took this one for dead (a long stall): register again.
        const counts = {};
        for (const { userId } of attached.values()) if (userId) counts[userId] = (counts[userId] || 0) + 1;
        await store.resetPresence(counts);
      }
      for (const userId of gone) {
        if (closed) return;
        try {
          flush(await atomically(st => userGone(st, userId)));
        } catch (err) {
          fault(err);
        }
      }
      for (const callId of due) {
        if (closed) return;
        try {
          flush(await atomically(st => ringTimeout(st, callId, now)));
        } catch (err) {
          fault(err);
        }
      }
    } finally {
      sweepRunning = false;
    }
  }

  if (sweeping) {
    sweeper = setInterval(() => {
      sweep().catch(fault);
    }, sweepIntervalMs);
    if (typeof sweeper.unref === 'function') sweeper.unref();
    sweep().catch(fault);
  }

  const handlers = {
    'call:start': onStart,
    'call:accept': onAccept,
    'call:decline': onDecline,
    'call:cancel': onCancel,
    'call:end': onEnd,
  };

  async function dispatch(socket, ready, event, args) {
    const ack = args.length > 0 && typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
    const payload = args.length > 0 && typeof args[0] !== 'function' ? args[0] : undefined;
    let reply;
    let out = [];
    try {
      const userId = await ready;
      if (closed) throw new SignalError('UNAVAILABLE', 'Call signalling is shut down');
      if (!userId) throw new SignalError('UNAUTHENTICATED', 'This connection has no authenticated user');
      ({ reply, out } = await handlers[event](socket, userId, payload));
    } catch (err) {
      if (err instanceof SignalError) {
        reply = { ok: false, error: { code: err.code, message: err.message } };
      } else {
        fault(err);
        reply = { ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } };
      }
      out = [];
    }
    if (ack) {
      try {
        ack(reply);
      } catch (err) {
        fault(err);
      }
    }
    flush(out);
  }

  function onConnection(socket) {
    if (closed) return;
    const entry = { listeners: {}, userId: null };
    let ready;
    const join = raw => {
      const userId = userKey(raw);
      if (userId === null || socket.disconnected) return null;
      entry.userId = userId;
      const joined = socket.join(room(userId));
      const present = () => {
        if (typeof store.userConnected !== 'function') return userId;
        return Promise.resolve(store.userConnected(userId)).then(() => userId, err => {
          fault(err);
          return userId;
        });
      };
      return isThenable(joined) ? joined.then(present) : present();
    };
    try {
      const raw = getUserId(socket);
      // A synchronous getUserId joins the room before any event can arrive.
      ready = isThenable(raw) ? Promise.resolve(raw).then(join) : Promise.resolve(join(raw));
    } catch (err) {
      ready = Promise.reject(err);
    }
    ready = ready.catch(err => {
      fault(err);
      return null;
    });

    const { listeners } = entry;
    for (const event of CALL_EVENTS) {
      listeners[event] = (...args) => {
        dispatch(socket, ready, event, args).catch(fault);
      };
    }
    listeners.disconnect = () => {
      attached.delete(socket);
      ready.then(userId => (userId && !closed ? onDisconnect(userId) : undefined)).catch(fault);
    };
    for (const [event, fn] of Object.entries(listeners)) socket.on(event, fn);
    attached.set(socket, entry);
  }

  io.on('connection', onConnection);

  return {
    store,
    /** Stops handling call events, the sweeps and every ring timer. Sockets stay connected. */
    close() {
      if (closed) return;
      closed = true;
      io.off('connection', onConnection);
      if (sweeper) clearInterval(sweeper);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const [socket, { listeners }] of attached) {
        for (const [event, fn] of Object.entries(listeners)) socket.off(event, fn);
      }
      attached.clear();
    },
  };
}

// ---- RedisCallStore --------------------------------------------------------------

// Commit of one transaction: every key read must still hold what was read
// ('' = absent), then the writes apply. KEYS are every key involved; ARGV[1] is
// { c: [[keyIndex, expected]], o: [[op, keyIndex, arg, arg2]] }.
const LUA_COMMIT = `
local p = cjson.decode(ARGV[1])
for _, c in ipairs(p.c) do
  local v = redis.call('GET', KEYS[c[1]])
  if not v then v = '' end
  if v ~= c[2] then return 0 end
end
for _, o in ipairs(p.o) do
  local op, k = o[1], KEYS[o[2]]
  if op == 'set' then redis.call('SET', k, o[3])
  elseif op == 'del' then redis.call('DEL', k)
  elseif op == 'unidx' then
    if redis.call('GET', k) == o[3] then redis.call('DEL', k) end
  elseif op == 'zadd' then redis.call('ZADD', k, o[4], o[3])
  elseif op == 'zrem' then redis.call('ZREM', k, o[3])
  end
end
return 1
`;

// KEYS: presence:<user>, node-users:<node>, nodes, node:<node>; ARGV: node, user, ttl
const LUA_CONNECTED = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('SADD', KEYS[2], ARGV[2])
local added = redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
return added
`;

// KEYS: presence:<user>, node-users:<node>; ARGV: node, user.
// Returns how many sockets the user still has on processes not known dead.
const LUA_DISCONNECTED = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[2])
end
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
return total
`;

// Heartbeat, reaping of dead processes and due ring deadlines in one round trip.
// KEYS: nodes, node:<self>, deadlines; ARGV: self, ttl, now, limit, prefix.
// Returns { due callIds, users left with no live connection, 1 if this process had been reaped }.
const LUA_SWEEP = `
local reaped = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
local gone = {}
for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if n ~= ARGV[1] and redis.call('EXISTS', ARGV[5] .. 'node:' .. n) == 0 then
    redis.call('SREM', KEYS[1], n)
    local nu = ARGV[5] .. 'node-users:' .. n
    for _, u in ipairs(redis.call('SMEMBERS', nu)) do
      local pk = ARGV[5] .. 'presence:' .. u
      redis.call('HDEL', pk, n)
      if redis.call('HLEN', pk) == 0 then table.insert(gone, u) end
    end
    redis.call('DEL', nu)
  end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])
return { due, gone, reaped }
`;

// KEYS: node-users:<node>, nodes, node:<node>; ARGV: node, ttl, prefix, JSON { user: count }
const LUA_RESET_PRESENCE = `
local counts = cjson.decode(ARGV[4])
for _, u in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('HDEL', ARGV[3] .. 'presence:' .. u, ARGV[1])
end
redis.call('DEL', KEYS[1])
for u, n in pairs(counts) do
  redis.call('HSET', ARGV[3] .. 'presence:' .. u, ARGV[1], n)
  redis.call('SADD', KEYS[1], u)
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return 1
`;

function sha1(text) {
  return crypto.createHash('sha1').update(text).digest('hex');
}

function isActive(state) {
  return state === 'joined' || state === 'ringing';
}

/** One optimistic transaction: reads are remembered, writes are buffered until commit(). */
class RedisTransaction {
  constructor(store) {
    this._store = store;
    this._reads = new Map(); // key -> raw value read ('' = absent)
    this._before = new Map(); // callId -> call as first read (or null)
    this._after = new Map(); // callId -> call as written (null = deleted)
  }

  async _read(key) {
    if (this._reads.has(key)) return this._reads.get(key);
    const value = await this._store._command(['GET', key]);
    const raw = value === null || value === undefined ? '' : String(value);
    if (!this._reads.has(key)) this._reads.set(key, raw);
    return this._reads.get(key);
  }

  async _original(callId) {
    if (!this._before.has(callId)) {
      const raw = await this._read(this._store._key('call:', callId));
      if (!this._before.has(callId)) this._before.set(callId, raw ? JSON.parse(raw) : null);
    }
    return this._before.get(callId);
  }

  async get(callId) {
    if (this._after.has(callId)) {
      const call = this._after.get(callId);
      return call ? structuredClone(call) : null;
    }
    const call = await this._original(callId);
    return call ? structuredClone(call) : null;
  }

  async save(call) {
    await this._original(call.callId);
    this._after.set(call.callId, structuredClone(call));
  }

  async delete(callId) {
    await this._original(callId);
    this._after.set(callId, null);
  }

  async callIdOf(userId) {
    for (const [callId, call] of this._after) {
      if (call && isActive(call.members[userId])) return callId;
    }
    const raw = await this._read(this._store._key('user:', userId));
    if (raw && this._after.has(raw)) return null; // written here without this user in it
    return raw || null;
  }

  /** true when committed, false when something read has changed since (run again). */
  async commit() {
    // One read is a snapshot by itself; several reads without writes are checked
    // too, so that what fn saw was all true at one moment.
    if (this._after.size === 0 && this._reads.size <= 1) return true;
    const keys = [];
    const index = new Map();
    const k = key => {
      if (!index.has(key)) {
        keys.push(key);
        index.set(key, keys.length);
      }
      return index.get(key);
    };
    const checks = [];
    for (const [key, raw] of this._reads) checks.push([k(key), raw]);
    const ops = [];
    const store = this._store;
    const deadlines = k(store._key('deadlines', ''));
    for (const [callId, call] of this._after) {
      const before = this._before.get(callId);
      const callKey = k(store._key('call:', callId));
      const users = new Set([...Object.keys((before && before.members) || {}), ...Object.keys((call && call.members) || {})]);
      if (call === null) {
        ops.push(['del', callKey], ['zrem', deadlines, callId]);
        for (const u of users) ops.push(['unidx', k(store._key('user:', u)), callId]);
        continue;
      }
      ops.push(['set', callKey, JSON.stringify(call)]);
      for (const u of users) {
        if (isActive(call.members[u])) ops.push(['set', k(store._key('user:', u)), callId]);
        else ops.push(['unidx', k(store._key('user:', u)), callId]);
      }
      const ringing = Object.values(call.members).includes('ringing');
      if (ringing && typeof call.ringUntil === 'number') ops.push(['zadd', deadlines, callId, String(call.ringUntil)]);
      else ops.push(['zrem', deadlines, callId]);
    }
    const result = await store._eval(LUA_COMMIT, keys, [JSON.stringify({ c: checks, o: ops })]);
    return Number(result) === 1;
  }
}

/**
 * A call store in Redis, shared by every server process, for
 * attachCallSignaling(io, { store }). Pass a connected client: node-redis
 * (`redis` v4 or later: sendCommand) or ioredis (call). This module never
 * loads a Redis package itself.
 *
 * Keys (prefix default '{agora-call}:', a hash tag so that Redis Cluster keeps
 * them in one slot, as the Lua scripts need):
 *   call:<callId>          JSON call record
 *   user:<userId>          the call the user is joined to or ringing for
 *   deadlines              sorted set: callId by ring deadline (ms), while someone rings
 *   nodes                  set of server process ids
 *   node:<nodeId>          heartbeat, expires after nodeTtlMs
 *   node-users:<nodeId>    users with a socket on that process
 *   presence:<userId>      hash nodeId -> sockets the user has there
 * Every change is one optimistic transaction: plain GETs, then a Lua script
 * that checks the values read are unchanged and writes (or reports a
 * conflict, and the change runs again).
 */
class RedisCallStore {
  /**
   * @param {object} client a connected node-redis or ioredis client
   * @param {object} [options]
   * @param {string} [options.prefix='{agora-call}:']
   * @param {number} [options.nodeTtlMs=10000] a process that has not swept for this long counts as dead
   * @param {string} [options.nodeId] this process (default a random UUID)
   * @param {number} [options.maxRetries=100] conflicts tolerated per change
   */
  constructor(client, options = {}) {
    if (!client || (typeof client.sendCommand !== 'function' && typeof client.call !== 'function')) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'client must be a node-redis (sendCommand) or ioredis (call) client');
    }
    if (options === null || typeof options !== 'object') {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object');
    }
    const { prefix = '{agora-call}:', nodeId = crypto.randomUUID() } = options;
    if (typeof prefix !== 'string') throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.prefix must be a string');
    if (typeof nodeId !== 'string' || nodeId === '') {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.nodeId must be a non-empty string');
    }
    this.client = client;
    this.prefix = prefix;
    this.nodeId = nodeId;
    this.nodeTtlMs = positiveInt(options.nodeTtlMs, 'options.nodeTtlMs', 10000);
    this.maxRetries = positiveInt(options.maxRetries, 'options.maxRetries', 100);
    this._ioredis = typeof client.call === 'function'; // node-redis has no call()
    this._sha = new Map();
    this._registered = false; // this process is in the nodes set (as far as it knows)
    this._reaped = false;
  }

  _key(kind, id) {
    return this.prefix + kind + id;
  }

  _command(args) {
    const strings = args.map(String);
    if (this._ioredis) return this.client.call(...strings);
    return this.client.sendCommand(strings);
  }

  async _eval(script, keys, args) {
    let sha = this._sha.get(script);
    if (!sha) {
      sha = sha1(script);
      this._sha.set(script, sha);
    }
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this._command(['EVALSHA', sha, ...tail]);
    } catch (err) {
      if (!/NOSCRIPT/.test(String(err && err.message))) throw err;
      return this._command(['EVAL', script, ...tail]);
    }
  }

  /**
   * Runs fn(tx) and commits its writes atomically; runs it again (up to
   * maxRetries times) while another change got in between.
   */
  async transaction(fn) {
    for (let attempt = 0; ; attempt++) {
      const tx = new RedisTransaction(this);
      const result = await fn(tx);
      if (await tx.commit()) return result;
      if (attempt >= this.maxRetries) {
        const err = new Error('RedisCallStore: too many conflicting changes to the same call, giving up');
        err.code = 'ERR_CALL_STORE_CONFLICT';
        throw err;
      }
      await new Promise(resolve => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
  }

  get(callId) {
    return this.transaction(tx => tx.get(callId));
  }

  save(call) {
    return this.transaction(tx => tx.save(call));
  }

  delete(callId) {
    return this.transaction(tx => tx.delete(callId));
  }

  async callIdOf(userId) {
    const raw = await this._command(['GET', this._key('user:', userId)]);
    return raw === null || raw === undefined || raw === '' ? null : String(raw);
  }

  /** A socket of userId connected to this process. */
  async userConnected(userId) {
    const added = await this._eval(LUA_CONNECTED,
      [this._key('presence:', userId), this._key('node-users:', this.nodeId), this._key('nodes', ''), this._key('node:', this.nodeId)],
      [this.nodeId, userId, String(this.nodeTtlMs)]);
    this._registration(added);
  }

  _registration(added) {
    // Added back to the nodes set after having been in it: another process reaped this one.
    if (Number(added) === 1 && this._registered) this._reaped = true;
    this._registered = true;
  }

  /** A socket of userId left this process; resolves with the sockets they still have anywhere. */
  async userDisconnected(userId) {
    const total = await this._eval(LUA_DISCONNECTED,
      [this._key('presence:', userId), this._key('node-users:', this.nodeId)], [this.nodeId, userId]);
    return Number(total);
  }

  /** Sets this process's presence counts from scratch, e.g. { userId: sockets }. */
  async resetPresence(counts) {
    await this._eval(LUA_RESET_PRESENCE,
      [this._key('node-users:', this.nodeId), this._key('nodes', ''), this._key('node:', this.nodeId)],
      [this.nodeId, String(this.nodeTtlMs), this.prefix, JSON.stringify(counts || {})]);
  }

  /**
   * Heartbeat of this process, and what is due: ring deadlines passed by `now`,
   * users whose every process is dead (their presence is removed here, so
   * exactly one sweeping process gets them).
   */
  async sweep({ now = Date.now(), limit = 100 } = {}) {
    const reply = await this._eval(LUA_SWEEP,
      [this._key('nodes', ''), this._key('node:', this.nodeId), this._key('deadlines', '')],
      [this.nodeId, String(this.nodeTtlMs), String(now), String(limit), this.prefix]);
    const [due, gone, added] = reply;
    this._registration(added);
    const reaped = this._reaped;
    this._reaped = false;
    return { due: due.map(String), gone: gone.map(String), reaped };
  }

  /**
   * This process is going away: drop its heartbeat so that the other
   * processes' next sweep ends the calls of users who were only here.
   * The client stays open (it is yours).
   */
  async close() {
    await this._command(['DEL', this._key('node:', this.nodeId)]);
  }
}

module.exports = { notifyIncomingCall, attachCallSignaling, MemoryCallStore, RedisCallStore };
