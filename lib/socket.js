'use strict';

/**
 * agora-call-token/socket
 *
 * Call signalling over Socket.IO for chat backends where the conversation id is
 * the Agora channel name. Nothing here loads socket.io: the server object is
 * passed in, so socket.io stays an optional peer dependency.
 *
 *   notifyIncomingCall(io, conversation, fromUserId, payload, { room })
 *   attachCallSignaling(io, { findConversation, getUserId, ringTimeoutMs, room, store })
 *
 * Every user has a room named by their id string (override with `room`);
 * every socket of that user joins it, so all their devices ring.
 */

const crypto = require('crypto');
const act = require('./index');

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
  if (Array.isArray(conversation)) return conversation;
  if (conversation && typeof conversation === 'object' && Array.isArray(conversation.participants)) {
    return conversation.participants;
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
 *   { callId, conversationId, callerId, media, createdAt, state: 'ringing'|'active',
 *     members: { [userId]: 'joined'|'ringing'|'declined'|'left'|'missed' } }
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
 * @param {import('socket.io').Server|import('socket.io').Namespace} io
 * @param {object} options
 * @param {(conversationId: string) => any} options.findConversation may be async
 * @param {(socket) => any} [options.getUserId] default socket.data.userId; may be async
 * @param {number} [options.ringTimeoutMs=30000]
 * @param {(userId: string) => string} [options.room] default String(userId)
 * @param {object} [options.store] default new MemoryCallStore()
 * @param {() => string} [options.generateCallId] default crypto.randomUUID
 * @param {(err) => void} [options.onError] server faults (default console.error)
 * @returns {{ store: object, close(): void }}
 */
function attachCallSignaling(io, options) {
  assertServer(io);
  if (options === null || typeof options !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object');
  }
  const { findConversation, onError } = options;
  if (typeof findConversation !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.findConversation must be a function (id) => conversation | null');
  }
  const getUserId = options.getUserId === undefined ? socket => socket.data && socket.data.userId : options.getUserId;
  if (typeof getUserId !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.getUserId must be a function (socket) => userId');
  }
  const ringTimeoutMs = options.ringTimeoutMs === undefined ? 30000 : options.ringTimeoutMs;
  if (typeof ringTimeoutMs !== 'number') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.ringTimeoutMs must be a number');
  }
  if (!Number.isInteger(ringTimeoutMs) || ringTimeoutMs < 1 || ringTimeoutMs > 0x7fffffff) {
    throw argError(RangeError, 'ERR_OUT_OF_RANGE', 'options.ringTimeoutMs must be an integer from 1 to 2147483647');
  }
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

  const timers = new Map(); // callId -> ring timeout
  const attached = new Map(); // socket -> { event: listener }
  const queue = serialQueue(); // call state changes run one at a time
  let closed = false;

  function fault(err) {
    try {
      if (onError) onError(err);
      else console.error('[agora-call-token] call signalling error:', err && err.stack ? err.stack : err);
    } catch (_) {
      // ignore a failing logger
    }
  }

  // ---- outgoing events ------------------------------------------------------

  /**
   * Emits to the rooms of `userIds`; with `socket`, also to the actor's other
   * sockets (their own room) but never back to that socket.
   */
  function send(out, userIds, event, data, socket, actorId) {
    out.push({ userIds: [...userIds], event, data, socket, actorId });
  }

  function flush(out) {
    for (const { userIds, event, data, socket, actorId } of out) {
      try {
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
    const t = setTimeout(() => {
      timers.delete(callId);
      if (closed) return;
      queue(() => ringTimeout(callId)).catch(fault);
    }, ringTimeoutMs);
    if (typeof t.unref === 'function') t.unref();
    timers.set(callId, t);
  }

  function base(call) {
    return { callId: call.callId, conversationId: call.conversationId };
  }

  /** Ends the call if it cannot go on: nobody joined, or fewer than two joined or ringing. */
  async function settle(call, out, by, reason) {
    const joined = membersIn(call, 'joined');
    const ringing = membersIn(call, 'ringing');
    if (joined.length > 0 && joined.length + ringing.length >= 2) {
      if (ringing.length === 0) clearTimer(call.callId);
      await store.save(call);
      return false;
    }
    clearTimer(call.callId);
    await store.delete(call.callId);
    if (joined.length) send(out, joined, 'call:ended', { ...base(call), by, reason });
    if (ringing.length) send(out, ringing, 'call:cancelled', { ...base(call), by });
    return true;
  }

  async function ringTimeout(callId) {
    const call = await store.get(callId);
    if (!call) return [];
    const missed = membersIn(call, 'ringing');
    if (missed.length === 0) return [];
    const out = [];
    for (const u of missed) call.members[u] = 'missed';
    send(out, [...missed, ...membersIn(call, 'joined')], 'call:missed', { ...base(call), userIds: missed });
    await settle(call, out, null, 'missed');
    flush(out);
    return out;
  }

  /** A member leaves: hang-up, cancel or disconnect of someone joined. */
  async function leave(call, userId, out, reason, socket) {
    call.members[userId] = 'left';
    const ended = await settle(call, out, userId, reason);
    if (!ended) {
      const others = othersInCall(call, userId);
      send(out, others, 'call:left', { ...base(call), by: userId }, socket, userId);
    }
  }

  async function decline(call, userId, out, reason, socket) {
    call.members[userId] = 'declined';
    const others = othersInCall(call, userId);
    send(out, others, 'call:declined', { ...base(call), by: userId }, socket, userId);
    await settle(call, out, userId, reason);
  }

  // ---- client events ----------------------------------------------------------

  function readCallId(payload) {
    if (!payload || typeof payload !== 'object' || typeof payload.callId !== 'string' ||
        payload.callId === '' || payload.callId.length > 128) {
      throw new SignalError('INVALID_PAYLOAD', 'Expected { callId }');
    }
    return payload.callId;
  }

  async function memberCall(callId, userId) {
    const call = await store.get(callId);
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

    return queue(async () => {
      if (closed) throw new SignalError('UNAVAILABLE', 'Call signalling is shut down');
      if (await store.callIdOf(userId)) throw new SignalError('ALREADY_IN_CALL', 'You are already in a call');
      const busy = [];
      const ringing = [];
      for (const u of others) ((await store.callIdOf(u)) ? busy : ringing).push(u);
      const callId = String(generateCallId());
      const call = {
        callId,
        conversationId,
        callerId: userId,
        media,
        createdAt: Date.now(),
        state: 'ringing',
        members: { [userId]: 'joined' },
      };
      const out = [];
      if (busy.length) send(out, [userId], 'call:busy', { ...base(call), userIds: busy });
      if (ringing.length === 0) {
        send(out, [userId], 'call:ended', { ...base(call), by: null, reason: 'busy' });
      } else {
        for (const u of ringing) call.members[u] = 'ringing';
        await store.save(call);
        startTimer(callId);
        // incoming-call first, then busy news for the caller
        out.unshift({ userIds: ringing, event: 'incoming-call', data: { ...base(call), from: userId, media } });
      }
      return { reply: { ok: true, callId }, out };
    });
  }

  function onAccept(socket, userId, payload) {
    const callId = readCallId(payload);
    return queue(async () => {
      const call = await memberCall(callId, userId);
      if (call.members[userId] !== 'ringing') throw new SignalError('INVALID_STATE', 'This call is not ringing for you');
      call.members[userId] = 'joined';
      call.state = 'active';
      const out = [];
      send(out, othersInCall(call, userId), 'call:accepted', { ...base(call), by: userId }, socket, userId);
      await settle(call, out, userId, 'hangup'); // saves; stops the ring timer once nobody rings
      return { reply: { ok: true, callId }, out };
    });
  }

  function onDecline(socket, userId, payload) {
    const callId = readCallId(payload);
    return queue(async () => {
      const call = await memberCall(callId, userId);
      if (call.members[userId] !== 'ringing') throw new SignalError('INVALID_STATE', 'This call is not ringing for you');
      const out = [];
      await decline(call, userId, out, 'declined', socket);
      return { reply: { ok: true, callId }, out };
    });
  }

  function onCancel(socket, userId, payload) {
    const callId = readCallId(payload);
    return queue(async () => {
      const call = await memberCall(callId, userId);
      if (call.callerId !== userId || call.members[userId] !== 'joined') {
        throw new SignalError('INVALID_STATE', 'Only the caller can cancel a call');
      }
      const out = [];
      await leave(call, userId, out, 'cancelled', socket);
      return { reply: { ok: true, callId }, out };
    });
  }

  function onEnd(socket, userId, payload) {
    const callId = readCallId(payload);
    return queue(async () => {
      const call = await memberCall(callId, userId);
      const state = call.members[userId];
      const out = [];
      if (state === 'ringing') await decline(call, userId, out, 'declined', socket);
      else if (state === 'joined') await leave(call, userId, out, 'hangup', socket);
      else throw new SignalError('INVALID_STATE', 'You are no longer in this call');
      return { reply: { ok: true, callId }, out };
    });
  }

  async function onDisconnect(userId) {
    // Another tab or device of the same user keeps them in the call.
    const remaining = await io.in(room(userId)).fetchSockets();
    if (remaining.length > 0) return;
    await queue(async () => {
      const callId = await store.callIdOf(userId);
      if (!callId) return;
      const call = await store.get(callId);
      if (!call) return;
      const out = [];
      const state = call.members[userId];
      if (state === 'ringing') await decline(call, userId, out, 'disconnect', null);
      else if (state === 'joined') await leave(call, userId, out, 'disconnect', null);
      flush(out);
    });
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
    let ready;
    const join = raw => {
      const userId = userKey(raw);
      if (userId === null || socket.disconnected) return null;
      const joined = socket.join(room(userId));
      return isThenable(joined) ? joined.then(() => userId) : userId;
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

    const listeners = {};
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
    attached.set(socket, listeners);
  }

  io.on('connection', onConnection);

  return {
    store,
    /** Stops handling call events and clears every ring timer. Sockets stay connected. */
    close() {
      if (closed) return;
      closed = true;
      io.off('connection', onConnection);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const [socket, listeners] of attached) {
        for (const [event, fn] of Object.entries(listeners)) socket.off(event, fn);
      }
      attached.clear();
    },
  };
}

module.exports = { notifyIncomingCall, attachCallSignaling, MemoryCallStore };
