'use strict'
const { guardPublisher } = require('../lib/socket')

/**
 * Redis connections for the call store and the Socket.IO adapter, for one
 * Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER: "host:port,host:port"
 * seeds). Loads the `redis` and `@socket.io/redis-adapter` packages only when
 * called.
 *
 * - one Redis: a node-redis client and its duplicate (subscriber), and the
 *   classic adapter (`createAdapter`, PUBLISH/PSUBSCRIBE);
 * - a cluster: a node-redis cluster client and its duplicate, and the sharded
 *   adapter (`createShardedAdapter`, Redis 7 SPUBLISH/SSUBSCRIBE: each message
 *   goes to the one shard that owns its channel, not to every node).
 * - the adapter publishes through guardPublisher(pub): a publish in flight when
 *   Redis drops is a lost packet, not an unhandled rejection that ends the process.
 *
 * @param {object} options
 * @param {string} [options.url] redis://host:port of one Redis
 * @param {string|string[]} [options.cluster] seeds of a cluster ("host:port" each)
 * @param {number} [options.connectTimeoutMs=5000] the first connection's limit
 * @param {(which: string, err: Error) => void} [options.onError] connection errors (the clients reconnect by themselves)
 * @returns {Promise<{ pub, sub, adapter, cluster: boolean, close(): Promise<void> }>}
 */
async function connectRedisClients(options = {}) {
  const { url, connectTimeoutMs = 5000, onError = () => {} } = options
  const seeds = typeof options.cluster === 'string' ? options.cluster.split(',').filter(Boolean) : options.cluster
  const cluster = Array.isArray(seeds) && seeds.length > 0
  if (!cluster && !url) throw new TypeError('connectRedisClients needs options.url or options.cluster')
  let redis
  let adapters
  try {
    redis = require('redis')
    adapters = require('@socket.io/redis-adapter')
  } catch (err) {
    const e = new Error('Redis is configured, but the "redis" and "@socket.io/redis-adapter" packages are not installed ' +
      '(npm install redis @socket.io/redis-adapter)')
    e.cause = err
    throw e
  }
  const pub = cluster
    ? redis.createCluster({
      rootNodes: seeds.map(s => ({ url: /^redis:\/\//.test(s) ? s : `redis://${s}` })),
      // After a master fails, look for the new topology 500 ms into the
      // reconnection attempts (node-redis waits 5 s by default): the calls'
      // slot is served again as soon as a replica has taken over.
      topologyRefreshOnReconnectionAttemptStrategy: 500
    })
    : redis.createClient({ url })
  const sub = pub.duplicate()
  pub.on('error', err => onError('commands', err))
  sub.on('error', err => onError('subscriber', err))
  let timer
  try {
    await Promise.race([
      Promise.all([pub.connect(), sub.connect()]),
      new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`could not connect to Redis within ${connectTimeoutMs} ms`)), connectTimeoutMs)
      })
    ])
  } catch (err) {
    for (const c of [pub, sub]) {
      try {
        c.destroy()
      } catch (_) {
        // already closed
      }
    }
    throw err
  } finally {
    clearTimeout(timer)
  }
  const publisher = guardPublisher(pub, { onError: err => onError('publish', err) })
  const adapter = cluster ? adapters.createShardedAdapter(publisher, sub) : adapters.createAdapter(publisher, sub)
  return {
    pub,
    sub,
    adapter,
    cluster,
    close: () => Promise.allSettled([quit(pub), quit(sub)]).then(() => {})
  }
}

function quit(client) {
  if (client.isOpen === false) return Promise.resolve()
  return typeof client.close === 'function' ? client.close() : client.quit()
}

module.exports = { connectRedisClients }
