'use strict';
// RedisCallStore: the store contract of lib/call/stores/memory.js, kept in
// Redis and shared by every server process. A step is one optimistic
// transaction: plain GETs, the pure machine step, then a Lua script that
// checks the values read are unchanged and writes (or reports a conflict, and
// the step runs again).

const crypto = require('crypto');
const machine = require('../machine');
const { AckError, isActive } = require('../protocol');
const { positiveInt } = require('../options');
const { callError } = require('../errors');

function argError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

// A call record in Redis: the call with its members as [user, state] pairs.
function encode(call) {
  return JSON.stringify({ ...call, members: [...call.members] });
}

function decode(raw) {
  const call = JSON.parse(raw);
  call.members = new Map(call.members);
  return call;
}

/** The call after a step's member effects (a new Map: the transaction may run again). */
function applied(call, effects) {
  const members = new Map(call.members);
  for (const e of effects) if (e.type === 'member') members.set(e.userId, e.state);
  return { ...call, members };
}

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
      if (!this._before.has(callId)) this._before.set(callId, raw ? decode(raw) : null);
    }
    return this._before.get(callId);
  }

  async get(callId) {
    if (this._after.has(callId)) return this._after.get(callId);
    return this._original(callId);
  }

  async save(call) {
    await this._original(call.callId);
    this._after.set(call.callId, call);
  }

  async delete(callId) {
    await this._original(callId);
    this._after.set(callId, null);
  }

  async callIdOf(userId) {
    for (const [callId, call] of this._after) {
      if (call && isActive(call.members.get(userId))) return callId;
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
      const users = new Set([...((before && before.members.keys()) || []), ...((call && call.members.keys()) || [])]);
      if (call === null) {
        ops.push(['del', callKey], ['zrem', deadlines, callId]);
        for (const u of users) ops.push(['unidx', k(store._key('user:', u)), callId]);
        continue;
      }
      ops.push(['set', callKey, encode(call)]);
      for (const u of users) {
        if (isActive(call.members.get(u))) ops.push(['set', k(store._key('user:', u)), callId]);
        else ops.push(['unidx', k(store._key('user:', u)), callId]);
      }
      const ringing = call.ringing > 0;
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
        throw callError('ERR_AGORA_CALL_STORE_CONFLICT', 'RedisCallStore');
      }
      await new Promise(resolve => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
  }

  /** A copy of the call ({ members: { user: state } }), or null. */
  async get(callId) {
    const raw = await this._command(['GET', this._key('call:', callId)]);
    if (raw === null || raw === undefined) return null;
    const call = decode(String(raw));
    const members = Object.create(null);
    for (const [u, s] of call.members) members[u] = s;
    return { ...call, members };
  }

  /** Store contract: a new call, atomically (see stores/memory.js). */
  create(init, others) {
    const list = [...others];
    return this.transaction(async tx => {
      const current = await tx.callIdOf(init.callerId);
      if (current) return { error: AckError.ALREADY_IN_CALL, callId: current };
      const inCall = await Promise.all(list.map(u => tx.callIdOf(u)));
      const result = machine.start(init, list.filter((u, i) => !inCall[i]), list.filter((u, i) => inCall[i]));
      if (result.call) await tx.save(applied(result.call, result.effects));
      return result;
    });
  }

  /** Store contract: one machine step on the stored call, atomically. */
  apply(callId, event, actor, now) {
    return this.transaction(async tx => {
      const call = await tx.get(callId);
      if (!call) {
        if (event === machine.Event.TIMEOUT) await tx.delete(callId); // a stale deadline entry
        return machine.missing(event);
      }
      const result = machine.step(call, event, actor, now);
      if (result.error) return result;
      if (result.effects.some(e => e.type === 'end')) await tx.delete(callId);
      else if (result.effects.length) await tx.save(applied(result.call, result.effects));
      return result;
    });
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


module.exports = { RedisCallStore };
