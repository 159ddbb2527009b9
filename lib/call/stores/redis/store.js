'use strict'
// RedisCallStore: the store contract of lib/call/stores/memory.js, kept in
// Redis and shared by every server process. Each change is one Lua script
// (scripts.js): it checks the member's state, writes the member's entry and
// the counters, and hands back the call as it was, on which this file runs
// machine.step, so the effects are exactly the machine's. Nothing conflicts
// and nothing is retried: 300 simultaneous accepts are 300 scripts in a row.
//
// Faults (README "Several server processes (Redis)"):
// - every command has a deadline (commandTimeoutMs); a script that reaches
//   Redis after it does nothing (notAfter, in Redis's clock);
// - an epoch names the data: Redis restarted empty (no epoch) or from an older
//   snapshot (the generation went back) -> a new epoch, the old calls are gone
//   and sweep() asks the signaling to tell their participants;
// - presence is written as absolute counts of this process's sockets and
//   rewritten whole whenever a write failed, the process was reaped, or Redis
//   lost it; heartbeats use Redis's clock and nobody reaps right after a stall.
const crypto = require('crypto')
const machine = require('../../machine')
const { AckError } = require('../../protocol')
const { positiveInt } = require('../../options')
const { callError } = require('../../errors')
const { Commander, kindOf, unavailable, storeError } = require('./client')
const S = require('./scripts')

function argError(Ctor, code, message) {
  const err = new Ctor(message)
  err.code = code
  return err
}

// A prefix whose first {...} is a non-empty Redis Cluster hash tag.
const HASH_TAG = /^[^{]*\{[^}]+\}/

const STATE_OF = new Map(Object.entries(S.CODE).map(([state, c]) => [c, state]))
const CACHED = 2000 // calls whose fixed part (meta, others, bits) this process keeps
const MAX_ENTRIES = 10000 // channel entries kept per call, unless options.maxChannelEntries says
const OFFLINE_CHUNK = 1000 // users per presence script

/** The fixed part of a call: { meta, others, bits }, from the stored strings. */
const fixedPart = (meta, others, bits) => ({ meta: JSON.parse(meta), others: JSON.parse(others), bits })

/** What a call's meta says of it, live or ended. */
const identityOf = (meta) => ({
  callId: meta.callId, conversationId: meta.conversationId, callerId: meta.callerId, media: meta.media, createdAt: meta.createdAt
})

/** The call from its fixed part and a snapshot (scripts.js SNAPSHOT), members in the machine's order. */
function decodeCall({ meta, others, bits }, [phase, answeredAt, joined, ringing, codes]) {
  const members = new Map([[meta.callerId, STATE_OF.get(codes[0])]])
  for (let i = 0; i < others.length; i++) if (bits[i] === '1') members.set(others[i], STATE_OF.get(codes[i + 1]))
  for (let i = 0; i < others.length; i++) if (bits[i] !== '1' && !members.has(others[i])) members.set(others[i], STATE_OF.get(codes[i + 1]))
  return {
    ...identityOf(meta),
    ringUntil: meta.ringUntil,
    answeredAt: answeredAt ? Number(answeredAt) : null,
    phase: String(phase),
    joined: Number(joined),
    ringing: Number(ringing),
    members
  }
}

/** The call from a plain HGETALL of its hash (get()). */
function decodeHash(flat) {
  const f = fields(flat)
  const fixed = fixedPart(f.get('meta'), f.get('others'), f.get('bits'))
  const codes = [fixed.meta.callerId, ...fixed.others].map((u) => S.CODE[f.get('m:' + u)] || '?').join('')
  return decodeCall(fixed, [f.get('phase'), f.get('answeredAt'), f.get('joined'), f.get('ringing'), codes])
}

/** A flat HGETALL reply (array, RESP3 map or ioredis object) as a Map. */
function fields(flat) {
  const list = Array.isArray(flat) ? flat : Object.entries(flat || {}).flat()
  const f = new Map()
  for (let i = 0; i < list.length; i += 2) f.set(String(list[i]), String(list[i + 1]))
  return f
}

/** An ended call kept for its record (scripts.js ENDED) as the store contract's plain data. */
function decodeEnded(flat, entries) {
  const f = fields(flat)
  const meta = JSON.parse(f.get('meta'))
  const others = JSON.parse(f.get('others'))
  const members = Object.create(null)
  const times = Object.create(null)
  const num = (k) => (f.has(k) && f.get(k) !== '' ? Number(f.get(k)) : null)
  for (const u of [meta.callerId, ...others]) {
    const state = f.get('m:' + u)
    if (state === undefined || u in members) continue
    members[u] = state
    const t = [num('t:' + u), num('l:' + u)]
    if (t[0] !== null || t[1] !== null) times[u] = t
  }
  return {
    ...identityOf(meta),
    answeredAt: num('answeredAt'),
    endedAt: num('endedAt'),
    endReason: f.get('endReason') || null,
    endBy: f.get('endBy') || null,
    members,
    times,
    channel: entries.map((e) => JSON.parse(String(e)))
  }
}

/**
 * A call store in Redis, shared by every server process, for
 * attachCallSignaling(io, { store }). Pass a connected client: node-redis
 * (`redis` v4 or later, single or createCluster) or ioredis (Redis or
 * Cluster). This module never loads a Redis package itself.
 */
class RedisCallStore {
  /**
   * @param {object} client a connected node-redis / node-redis cluster / ioredis client
   * @param {object} [options]
   * @param {string} [options.prefix='{agora-call}:'] must contain a hash tag {...}: every key is in its slot
   * @param {number} [options.nodeTtlMs=10000] a process that has not swept for this long counts as dead
   * @param {number} [options.commandTimeoutMs=800] past it an event is answered UNAVAILABLE
   * @param {number} [options.maxCallMs=14400000] a call with no change for this long is dropped (keys expire)
   * @param {string} [options.nodeId] this process (default a random UUID)
   */
  constructor(client, options = {}) {
    const kind = kindOf(client)
    if (!kind) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'client must be a node-redis (sendCommand) or ioredis (call) client')
    }
    if (options === null || typeof options !== 'object') {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object')
    }
    const { prefix = '{agora-call}:', nodeId = crypto.randomUUID() } = options
    if (typeof prefix !== 'string') throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.prefix must be a string')
    if (!HASH_TAG.test(prefix)) {
      throw argError(TypeError, 'ERR_INVALID_ARG_VALUE',
        "options.prefix must contain a Redis Cluster hash tag such as '{agora-call}:' (every key must be in one slot)")
    }
    if (typeof nodeId !== 'string' || nodeId === '' || /\s/.test(nodeId)) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.nodeId must be a non-empty string without spaces')
    }
    this.client = client
    this.prefix = prefix
    this.nodeId = nodeId
    this.nodeTtlMs = positiveInt(options.nodeTtlMs, 'options.nodeTtlMs', 10000)
    this.commandTimeoutMs = positiveInt(options.commandTimeoutMs, 'options.commandTimeoutMs', 800)
    this.maxCallMs = positiveInt(options.maxCallMs, 'options.maxCallMs', 4 * 3600 * 1000)
    this.maxChannelEntries = positiveInt(options.maxChannelEntries, 'options.maxChannelEntries', MAX_ENTRIES)
    if (this.maxCallMs < 2 * this.nodeTtlMs) {
      throw argError(RangeError, 'ERR_OUT_OF_RANGE', 'options.maxCallMs must be at least twice options.nodeTtlMs')
    }
    this._cmd = new Commander(client, kind, this.commandTimeoutMs)
    this._epochKey = prefix + 'epoch'
    this._genKey = prefix + 'gen'
    this.epoch = null // the data's current name (see scripts.js)
    this._retired = new Set() // epochs left behind: never adopted again
    this._maxGen = 0 // highest generation seen in this epoch
    this._epochTask = null
    this._local = new Map() // user -> sockets on this process (the truth presence is rebuilt from)
    this._pver = 0 // presence writes sent
    this._pverOk = 0 // highest presence write confirmed
    this._presenceDirty = false
    this._presenceAt = Date.now() // the last time this process's presence was written whole
    this._registered = null // the epoch in which this process's sweeps were seen
    this._reconcile = false // calls may have vanished: tell sweep()'s caller
    this._offset = 0 // Redis clock - this clock (ms), from the sweeps
    this._offsetSamples = 0
    this._fixed = new Map() // callId -> fixed part (insertion order: the oldest first out)
  }

  _base() {
    return `${this.prefix}${this.epoch}:`
  }

  /** Runs a guarded script (scripts.js GUARD); follows epoch changes; returns its reply. */
  async _script(script, keys, args) {
    const margin = Math.min(200, Math.floor(this.commandTimeoutMs / 4))
    for (let attempt = 0; attempt < 4; attempt++) {
      const until = Date.now() + this.commandTimeoutMs
      if (this.epoch === null) await this._sync(null, () => this._establish(''), until)
      const epoch = this.epoch
      const base = this._base()
      const notAfter = Math.floor(until - margin + this._offset)
      const reply = await this._cmd.eval(script, [this._epochKey, this._genKey, ...keys(base)],
        [epoch, String(notAfter), String(this._maxGen), ...args(base)], until)
      const tag = String(reply[0])
      // Redis answered, but got the script after its notAfter (it did nothing):
      // this process or the network was slow, not Redis. Sent again, fresh.
      if (tag === 'late') continue
      if (tag === 'epoch') {
        const current = String(reply[1])
        await this._sync(epoch, () => (current === '' || this._retired.has(current)
          ? this._establish(current)
          : this._adopt(current, null)), until)
        continue
      }
      if (tag === 'rollback') {
        await this._sync(epoch, () => this._establish(epoch), until)
        continue
      }
      const gen = Number(reply[1])
      if (epoch === this.epoch && gen > this._maxGen) this._maxGen = gen
      return reply
    }
    throw unavailable()
  }

  /** One epoch change at a time; none if the epoch moved on from `from` meanwhile. */
  async _sync(from, task, until) {
    while (this._epochTask) await this._epochTask
    if (this.epoch !== from) return
    this._epochTask = Promise.resolve().then(() => task(until))
    try {
      await this._epochTask
    } finally {
      this._epochTask = null
    }
  }

  /** Sets an epoch when Redis has none, or moves on from `from` to a new one. */
  async _establish(from, until = Date.now() + this.commandTimeoutMs) {
    for (let i = 0; i < 3; i++) {
      const proposed = crypto.randomBytes(4).toString('hex')
      const [cur, gen] = (await this._cmd.eval(S.EPOCH, [this._epochKey, this._genKey],
        [proposed, from, String(this._maxGen)], until)).map(String)
      if (!this._retired.has(cur) || cur === this.epoch) {
        if (cur !== this.epoch) this._adopt(cur, gen)
        return
      }
      from = cur // an epoch this process has left before (an older snapshot): move on from it too
    }
    throw unavailable()
  }

  _adopt(epoch, gen) {
    if (epoch === this.epoch) return
    if (this.epoch !== null) {
      this._retired.add(this.epoch)
      this._reconcile = true // the calls of the old epoch are gone: their participants are told
    }
    this.epoch = epoch
    this._maxGen = gen === null ? 0 : Number(gen)
    this._presenceDirty = true
    this._registered = null
  }

  // ---- the store contract --------------------------------------------------------------

  /** The call the user rings for or is joined to, checked to be live; or null. */
  async callIdOf(userId) {
    const u = String(userId)
    const reply = await this._script(S.CALL_OF, (b) => [b + 'u:' + u], (b) => [u, b])
    return String(reply[2]) || null
  }

  /** Store contract: a new call, atomically (see stores/memory.js). */
  async create(init, others) {
    const list = [...new Set(others)].map(String)
    const caller = String(init.callerId)
    const ringUntil = init.now + init.ringTimeoutMs
    const meta = JSON.stringify({
      callId: init.callId, conversationId: init.conversationId, callerId: caller, media: init.media, createdAt: init.now, ringUntil
    })
    const reply = await this._script(S.CREATE,
      (b) => [b + 'c:' + init.callId, b + 'dl', b + 'u:' + caller, ...list.map((u) => b + 'u:' + u)],
      (b) => [init.callId, caller, meta, String(ringUntil), b, String(this.maxCallMs), JSON.stringify(list),
        String(init.conversationId), String(Number.isInteger(init.keepMs) && init.keepMs > 0 ? init.keepMs : 0)])
    if (String(reply[0]) === 'busy') return { error: AckError.ALREADY_IN_CALL, callId: String(reply[1]) }
    if (String(reply[0]) === 'taken') return { error: 'DUPLICATE_CALL_ID' }
    const bits = String(reply[2])
    const ringing = []
    const busy = []
    for (let i = 0; i < list.length; i++) (bits[i] === '1' ? ringing : busy).push(list[i])
    return machine.start({ ...init, callerId: caller }, ringing, busy)
  }

  /** Store contract: one machine step on the stored call, atomically. */
  async apply(callId, event, actor, now) {
    const who = actor === null || actor === undefined ? null : String(actor)
    let fixed = this._fixed.get(callId) // immutable once created: sent only when not known here
    const reply = await this._script(S.APPLY,
      (b) => [b + 'c:' + callId, b + 'dl', who === null ? b + 'c:' + callId : b + 'u:' + who],
      (b) => [event, who ?? '', String(now), callId, b, String(this.maxCallMs), fixed ? '0' : '1'])
    const tag = String(reply[0])
    if (tag === 'missing') {
      this._fixed.delete(callId)
      return machine.missing(event)
    }
    const snap = reply[2].map(String)
    if (!fixed) {
      fixed = fixedPart(snap[5], snap[6], snap[7])
      this._fixed.set(callId, fixed)
      if (this._fixed.size > CACHED) this._fixed.delete(this._fixed.keys().next().value)
    }
    const result = machine.step(decodeCall(fixed, snap), event, who, now)
    // The script applied the machine's table itself; both must agree.
    const changed = !result.error && result.effects.some((e) => e.type === 'member' || e.type === 'members')
    const ended = !result.error && result.effects.some((e) => e.type === 'end')
    if (changed !== (tag === 'ok') || ended !== (tag === 'ok' && Number(reply[3]) === 1)) {
      throw callError('ERR_AGORA_CALL_STORE_DIVERGED', `${event} on ${tag}`)
    }
    if (ended) this._fixed.delete(callId)
    return result
  }

  /** Store contract: a media entry for the call of a conversation's channel (see stores/memory.js). */
  async channelEvent(conversationId, entry) {
    const conv = String(conversationId)
    const reply = await this._script(S.CHANNEL, (b) => [b + 'ch:' + conv],
      (b) => [b, entry.key, JSON.stringify(entry), String(this.maxCallMs), String(this.maxChannelEntries), '0'])
    if (String(reply[0]) === 'none') return null
    const callId = String(reply[2])
    let live = Number(reply[3]) === 1
    const entries = reply[5].map((e) => JSON.parse(String(e)))
    let call = null
    if (live) {
      const fixed = await this._fixedOf(callId)
      if (fixed) {
        const c = decodeCall(fixed, reply[6].map(String))
        const members = Object.create(null)
        for (const [u, st] of c.members) members[u] = st
        call = { ...c, members }
      } else {
        live = false // ended meanwhile
      }
    }
    return { callId, live, duplicate: Number(reply[4]) === 1, full: Number(reply[8]) === 1, entries, call, createdAt: Number(reply[7]) }
  }

  /** The fixed part of a live call (cached), or null when it is gone. */
  async _fixedOf(callId) {
    const cached = this._fixed.get(callId)
    if (cached) return cached
    const key = this._base() + 'c:' + callId
    const got = await this._cmd.command(['HMGET', key, 'meta', 'others', 'bits'], key, Date.now() + this.commandTimeoutMs)
      .catch((err) => { throw storeError(err) })
    if (!Array.isArray(got) || got[0] === null || got[0] === undefined) return null
    const fixed = fixedPart(String(got[0]), String(got[1]), String(got[2]))
    this._fixed.set(callId, fixed)
    if (this._fixed.size > CACHED) this._fixed.delete(this._fixed.keys().next().value)
    return fixed
  }

  /** Store contract: the channel entries of a call (live or kept). */
  async mediaEntries(callId) {
    if (this.epoch === null) await this._sync(null, () => this._establish(''))
    const key = this._base() + 'x:' + String(callId)
    const got = await this._cmd.command(['HVALS', key], key, Date.now() + this.commandTimeoutMs)
      .catch((err) => { throw storeError(err) })
    return (Array.isArray(got) ? got : []).map((e) => JSON.parse(String(e)))
  }

  /** Store contract: an ended call kept for its record, left in place; or null. */
  ended(callId) {
    return this._ended(callId, false)
  }

  /** Store contract: the ended call kept for its record, to exactly one caller across processes; else null. */
  take(callId) {
    return this._ended(callId, true)
  }

  async _ended(callId, take) {
    const id = String(callId)
    const reply = await this._script(S.ENDED, (b) => [b + 'e:' + id, b + 'x:' + id, b + 'settle'], () => [id, take ? '1' : '0'])
    if (String(reply[0]) === 'none') return null
    return decodeEnded(reply[2], reply[3])
  }

  /** The users of the list with no socket on any process. */
  async offline(userIds) {
    const out = []
    const list = [...userIds].map(String)
    for (let i = 0; i < list.length; i += OFFLINE_CHUNK) {
      const chunk = JSON.stringify(list.slice(i, i + OFFLINE_CHUNK))
      const reply = await this._script(S.OFFLINE, () => [], (b) => [b, chunk])
      for (const u of reply[2]) out.push(String(u))
    }
    return out
  }

  /** A copy of the call ({ members: { user: state } }), or null. */
  async get(callId) {
    if (this.epoch === null) await this._sync(null, () => this._establish(''))
    const key = this._base() + 'c:' + callId
    const flat = await this._cmd.command(['HGETALL', key], key, Date.now() + this.commandTimeoutMs)
      .catch((err) => { throw storeError(err) })
    const list = Array.isArray(flat) ? flat : Object.entries(flat || {}).flat() // RESP3 / ioredis objects
    if (list.length === 0) return null
    const call = decodeHash(list)
    const members = Object.create(null)
    for (const [u, s] of call.members) members[u] = s
    return { ...call, members }
  }

  /** States now of [[userId, callId], ...]: '' where the user is not in that call (or it is gone). */
  async memberStates(pairs) {
    if (pairs.length === 0) return []
    const reply = await this._script(S.STATES, () => [], (b) => [b, JSON.stringify(pairs)])
    return reply[2].map(String)
  }

  // ---- presence and sweeps -------------------------------------------------------------

  /** A socket of userId connected to this process. */
  async userConnected(userId) {
    const u = String(userId)
    this._local.set(u, (this._local.get(u) || 0) + 1)
    await this._writePresence(u)
  }

  /** A socket of userId left this process; resolves with the sockets they still have anywhere. */
  userDisconnected(userId) {
    const u = String(userId)
    const n = (this._local.get(u) || 0) - 1
    if (n > 0) this._local.set(u, n)
    else this._local.delete(u)
    return this._writePresence(u)
  }

  /** The sockets userId has on every process (this one's count written again first). */
  userSockets(userId) {
    return this._writePresence(String(userId))
  }

  async _writePresence(u) {
    const v = ++this._pver
    try {
      const reply = await this._script(S.PRESENCE,
        (b) => [b + 'p:' + u, b + 'nu:' + this.nodeId, b + 'pv'],
        () => [this.nodeId, u, String(this._local.get(u) || 0), String(v), String(this.maxCallMs)])
      if (v > this._pverOk) this._pverOk = v
      return Number(reply[2])
    } catch (err) {
      this._presenceDirty = true // the next sweep writes this process's presence whole
      throw err
    }
  }

  /** Sets this process's presence counts from scratch, e.g. { userId: sockets }. */
  async resetPresence(counts) {
    this._local = new Map(Object.entries(counts || {}).filter(([, n]) => n > 0))
    await this._repairPresence()
  }

  async _repairPresence() {
    const v = ++this._pver
    this._presenceDirty = false
    try {
      await this._script(S.RESET_PRESENCE, (b) => [b + 'nu:' + this.nodeId, b + 'pv'],
        (b) => [this.nodeId, b, JSON.stringify(Object.fromEntries(this._local)), String(v), String(this.maxCallMs)])
      if (v > this._pverOk) this._pverOk = v
      this._presenceAt = Date.now()
    } catch (err) {
      this._presenceDirty = true
      throw err
    }
  }

  /**
   * Heartbeat of this process, and what is due: ring deadlines passed by `now`,
   * users whose every process is dead (handed to exactly one sweeper), whether
   * this process had been reaped, and `reconcile` when calls may have vanished
   * (a new epoch, or reaped): the caller then checks its users' calls.
   */
  async sweep({ now = Date.now(), limit = 100 } = {}) {
    // A user's presence key lives maxCallMs after its last write: one who just stays connected
    // gets no writes, so the whole presence of this process is written again well before that.
    if (Date.now() - this._presenceAt >= this.maxCallMs / 4) this._presenceDirty = true
    if (this._presenceDirty) await this._repairPresence().catch(() => {})
    const t0 = Date.now()
    const reply = await this._script(S.SWEEP, (b) => [b + 'nodes', b + 'dl', b + 'pv', b + 'settle'],
      (b) => [this.nodeId, String(this.nodeTtlMs), String(now), String(limit), b, String(this.maxCallMs)])
    const t1 = Date.now()
    this._clock(Number(reply[2]), t0, t1)
    const reaped = Number(reply[5]) !== 1 && this._registered === this.epoch
    this._registered = this.epoch
    if (Number(reply[7]) < this._pverOk) this._presenceDirty = true // Redis lost presence writes
    if (reaped) {
      this._presenceDirty = true
      this._reconcile = true
    }
    if (this._presenceDirty) await this._repairPresence().catch(() => {})
    const reconcile = this._reconcile
    this._reconcile = false
    return {
      due: reply[3].map(String),
      gone: reply[4].map(String),
      reaped,
      reconcile,
      lapsed: Number(reply[6]) === 1,
      settled: (reply[8] || []).map(String) // ended calls whose record is due: take() them
    }
  }

  _clock(redisNow, t0, t1) {
    if (!(t1 - t0 < 250) || !Number.isFinite(redisNow)) return
    const sample = redisNow - (t0 + t1) / 2
    this._offset = this._offsetSamples++ === 0 ? sample : this._offset + (sample - this._offset) / 5
  }

  /**
   * This process is going away: its heartbeat is set in the past, so the
   * other processes' next sweep ends the calls of users who were only here.
   * The client stays open (it is yours).
   */
  async close() {
    if (this.epoch === null) return
    const key = this._base() + 'nodes'
    await this._cmd.command(['HSET', key, this.nodeId, '0 0'], key, Date.now() + this.commandTimeoutMs)
  }
}

module.exports = { RedisCallStore, HASH_TAG }
