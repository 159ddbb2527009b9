'use strict'
// One way to send a command to whichever Redis client the application gave:
// node-redis (v4 and later: sendCommand(args)), a node-redis cluster
// (sendCommand(firstKey, isReadonly, args)), or ioredis / an ioredis Cluster
// (call(...args), routed by the command's first key). Every command has a
// deadline: past it the promise rejects with ERR_AGORA_CALL_STORE_UNAVAILABLE
// (and the script itself refuses to run later: see GUARD in scripts.js).
const crypto = require('crypto')
const { callError } = require('../../errors')

const sha1 = (text) => crypto.createHash('sha1').update(text).digest('hex')

function kindOf(client) {
  if (!client || (typeof client !== 'object' && typeof client !== 'function')) return null
  if (typeof client.call === 'function') return 'ioredis' // node-redis has no call()
  if (typeof client.sendCommand !== 'function') return null
  // a node-redis cluster has masters and slots; a single client has neither
  if ('masters' in client || typeof client.getSlotMaster === 'function') return 'cluster'
  return 'node-redis'
}

function unavailable(cause) {
  const err = callError('ERR_AGORA_CALL_STORE_UNAVAILABLE', 'RedisCallStore')
  if (cause !== undefined) err.cause = cause
  return err
}

class Commander {
  constructor(client, kind, timeoutMs) {
    this.client = client
    this.kind = kind
    this.timeoutMs = timeoutMs
    this._sha = new Map()
    this._lastReply = 0 // when the client last answered anything
  }

  /** Is the client known to be down (so that waiting is pointless)? */
  down() {
    const c = this.client
    if (this.kind === 'ioredis') return typeof c.status === 'string' && c.status !== 'ready' && c.status !== 'connect'
    return c.isReady === false
  }

  /** The command as this kind of client takes it (a cluster routes by firstKey); no deadline. */
  send(args, firstKey) {
    const strings = args.map(String)
    if (this.kind === 'ioredis') return this.client.call(...strings)
    if (this.kind === 'cluster') return this.client.sendCommand(firstKey, false, strings)
    return this.client.sendCommand(strings)
  }

  /**
   * A command with the deadline `until` (Date.now() ms); client errors become
   * UNAVAILABLE. At the deadline the command is given up only if the
   * connection made no progress lately (no reply to anything): replies come
   * in order, so while others arrive this one is on its way (this process is
   * just busy), and the script's own notAfter says whether it ran in time.
   */
  command(args, firstKey, until) {
    if (this.down()) return Promise.reject(unavailable())
    let sent
    try {
      sent = Promise.resolve(this.send(args, firstKey))
    } catch (err) {
      sent = Promise.reject(err)
    }
    const progressed = () => {
      this._lastReply = Date.now()
    }
    sent.then(progressed, () => {}) // (a late failure after the deadline is nobody's)
    let timer
    // Given up only if Redis answered nothing lately. A timer that fires late
    // means this process was busy, not Redis: it waits another quarter. Else the
    // decision waits for the I/O already received (setImmediate runs after it).
    const quarter = Math.max(50, this.timeoutMs / 4)
    let since = until - quarter
    const timeout = new Promise((resolve, reject) => {
      const arm = (ms) => {
        const due = Date.now() + ms
        timer = setTimeout(() => {
          if (Date.now() - due > quarter / 2) return arm(quarter)
          timer = setImmediate(() => {
            timer = null
            if (this._lastReply > since) {
              since = Date.now()
              arm(quarter)
            } else reject(unavailable())
          })
        }, ms)
      }
      arm(Math.max(1, until - Date.now()))
    })
    return Promise.race([sent, timeout]).finally(() => {
      clearTimeout(timer)
      clearImmediate(timer)
    })
  }

  /** EVALSHA, with EVAL when the server lacks the script (after a restart or a failover). */
  async eval(script, keys, args, until) {
    let sha = this._sha.get(script)
    if (!sha) {
      sha = sha1(script)
      this._sha.set(script, sha)
    }
    const tail = [String(keys.length), ...keys, ...args]
    try {
      try {
        return await this.command(['EVALSHA', sha, ...tail], keys[0], until)
      } catch (err) {
        if (!/NOSCRIPT/.test(String(err && err.message))) throw err
        return await this.command(['EVAL', script, ...tail], keys[0], until)
      }
    } catch (err) {
      if (err && err.code === 'ERR_AGORA_CALL_STORE_UNAVAILABLE') throw err
      // A reply that is a script error is a bug here, not an outage: keep it as it is.
      if (/^(ERR|WRONGTYPE)\b.*(script|Lua|user_script)/i.test(String(err && err.message))) throw err
      throw unavailable(err)
    }
  }
}

/** A failed command as the store's error: its own coded errors as they are, anything else UNAVAILABLE. */
function storeError(err) {
  return err && typeof err.code === 'string' && err.code.startsWith('ERR_AGORA_') ? err : unavailable(err)
}

module.exports = { Commander, kindOf, unavailable, storeError }
