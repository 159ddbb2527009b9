'use strict'
// De-duplication of Agora notifications by noticeId. Agora sends a notification
// again when it got no 200 within 10 s, so one notification can arrive several
// times, on any process. A store answers claim(key, leaseMs):
//   { claimed: true, token }            run the handler, then complete() or release()
//   { claimed: false, state: 'done' }   already handled: answer 200 again
//   { claimed: false, state: 'pending'} being handled (here or on another process)
// A claim is a lease: a process that dies mid-handler frees it after leaseMs.
// complete(key, token) marks the key done for the store's lifetime (ttlMs);
// release(key, token) forgets the claim, so Agora's next retry runs the handler.
const crypto = require('crypto')
const { invalidType, invalidValue, withCode } = require('../errors')
const { integer } = require('../check')
const { Commander, kindOf } = require('../call/stores/redis/client')

const DEFAULT_TTL_MS = 60 * 60 * 1000 // Agora's retries of one notification end well within an hour
const DEFAULT_COMMAND_TIMEOUT_MS = 2000 // well within the 10 s Agora waits for an answer
const MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000

function options(name, input, allowed) {
  if (input === undefined) return {}
  if (input === null || typeof input !== 'object') throw invalidType(name, 'an object', input)
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw invalidValue(`${name}.${key}`, 'is not a known option')
  }
  return input
}

const ttl = (name, v) => (v === undefined ? DEFAULT_TTL_MS : integer(name, v, 1, MAX_TTL_MS))
const newToken = () => crypto.randomBytes(12).toString('base64url')

/** In one process: a Map with a lifetime per entry and a cap on entries (oldest dropped first). */
class MemoryDedupeStore {
  #map = new Map() // key -> { state, token, expires }
  #ttlMs
  #max

  constructor(opts) {
    const o = options('options', opts, ['ttlMs', 'max'])
    this.#ttlMs = ttl('options.ttlMs', o.ttlMs)
    this.#max = o.max === undefined ? 100000 : integer('options.max', o.max, 1, 1e8)
  }

  get size() {
    return this.#map.size
  }

  #sweep(now) {
    let n = 0
    for (const [key, e] of this.#map) {
      if (e.expires > now || n++ > 100) break
      this.#map.delete(key)
    }
    while (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value)
  }

  async claim(key, leaseMs) {
    const now = Date.now()
    this.#sweep(now)
    const e = this.#map.get(key)
    if (e && e.expires > now) return { claimed: false, state: e.state }
    const token = newToken()
    this.#map.delete(key) // re-inserted at the end: the Map stays roughly in expiry order
    this.#map.set(key, { state: 'pending', token, expires: now + leaseMs })
    return { claimed: true, token }
  }

  // A success is marked done whoever holds the claim by now (as in Redis).
  async complete(key, token) {
    this.#map.delete(key)
    this.#map.set(key, { state: 'done', token, expires: Date.now() + this.#ttlMs })
  }

  async release(key, token) {
    const e = this.#map.get(key)
    if (e && e.token === token && e.state === 'pending') this.#map.delete(key)
  }
}

// Deletes the key only while it still holds this claim (another process may own it after a lease ran out).
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"

/**
 * Across processes: one Redis key per noticeId, claimed with SET NX PX. Takes a
 * connected node-redis (v4+, single or createCluster) or ioredis (Redis or
 * Cluster) client; it is used, never closed. A command Redis has not answered
 * within commandTimeoutMs rejects (a stopped server keeps its connections open
 * and answers nothing, and clients queue commands while they reconnect), so the
 * router answers before Agora gives up; a claim that lands after that is
 * released at once, so it does not hold the notification for the whole lease.
 */
class RedisDedupeStore {
  #send
  #prefix
  #ttlMs
  #timeoutMs

  constructor(opts) {
    const o = options('options', opts, ['client', 'prefix', 'ttlMs', 'commandTimeoutMs'])
    const { client } = o
    // Every command names one key (args[1], or args[3] for EVAL): a cluster routes by it.
    const kind = kindOf(client)
    if (kind === null) throw invalidType('options.client', 'a node-redis (v4 or later) or ioredis client', client)
    const commander = new Commander(client, kind) // the call store's: which client takes which call
    this.#send = (key, args) => commander.send(args, key)
    if (o.prefix !== undefined && typeof o.prefix !== 'string') throw invalidType('options.prefix', 'a string', o.prefix)
    this.#prefix = o.prefix === undefined ? 'agora-ncs:notice:' : o.prefix
    this.#ttlMs = ttl('options.ttlMs', o.ttlMs)
    this.#timeoutMs = o.commandTimeoutMs === undefined
      ? DEFAULT_COMMAND_TIMEOUT_MS
      : integer('options.commandTimeoutMs', o.commandTimeoutMs, 1, 60000)
  }

  /** The reply to a command, or a rejection once Redis has not answered for commandTimeoutMs. */
  #deadline(sent) {
    let timer
    const late = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(withCode(new Error(`Redis did not answer within ${this.#timeoutMs} ms`),
        'ERR_AGORA_WEBHOOK_STORE')), this.#timeoutMs)
    })
    return Promise.race([sent, late]).finally(() => clearTimeout(timer))
  }

  #command(key, args) {
    let sent
    try {
      sent = Promise.resolve(this.#send(key, args))
    } catch (err) {
      sent = Promise.reject(err)
    }
    return { sent, reply: this.#deadline(sent) }
  }

  async claim(key, leaseMs) {
    const k = this.#prefix + key
    const token = newToken()
    const { sent, reply } = this.#command(k, ['SET', k, `pending:${token}`, 'NX', 'PX', String(leaseMs)])
    let set
    try {
      set = await reply
    } catch (err) {
      // Given up: should the SET still land, nobody runs the handler for it, so free the key again.
      sent.then((r) => (r === 'OK' ? this.release(key, token) : null)).catch(() => {})
      throw err
    }
    if (set === 'OK') return { claimed: true, token }
    const value = await this.#command(k, ['GET', k]).reply
    // null: the other claim just ended without a mark; Agora's next retry will find the key free.
    return { claimed: false, state: value === 'done' ? 'done' : 'pending' }
  }

  async complete(key) {
    const k = this.#prefix + key
    await this.#command(k, ['SET', k, 'done', 'PX', String(this.#ttlMs)]).reply
  }

  async release(key, token) {
    const k = this.#prefix + key
    await this.#command(k, ['EVAL', RELEASE, '1', k, `pending:${token}`]).reply
  }
}

function isStore(v) {
  return v !== null && typeof v === 'object' && ['claim', 'complete', 'release'].every((m) => typeof v[m] === 'function')
}

module.exports = { MemoryDedupeStore, RedisDedupeStore, isStore, DEFAULT_TTL_MS }
