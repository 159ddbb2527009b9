// example/docs/redis-cluster.js: calls across several server processes on a Redis Cluster
// (README "Redis Cluster"). `REDIS_CLUSTER=10.0.0.1:7000,10.0.0.2:7000 node
// example/docs/redis-cluster.js` serves it; the stand-ins are in example/docs/chat-app.js.
'use strict'
const http = require('http')
const { Server } = require('socket.io')
const { createCluster } = require('redis')
const { createShardedAdapter } = require('@socket.io/redis-adapter')
const { attachCallSignaling, RedisCallStore, guardPublisher } = require('agora-call-token/socket')
const { Conversation, socketAuth } = require('./chat-app')

const findConversation = (id, userId) => Conversation.findOne({ _id: id, participants: userId })
const seeds = (list = '') => list.split(',').filter(Boolean).map((hostPort) => ({ url: `redis://${hostPort}` }))

async function main({ port = 0, rootNodes = seeds(process.env.REDIS_CLUSTER) } = {}) {
  const pub = createCluster({
    rootNodes, // a few of the nodes; the client finds the rest
    topologyRefreshOnReconnectionAttemptStrategy: 500 // find the new master 0.5 s into a failover (default 5 s)
  })
  const sub = pub.duplicate()
  for (const client of [pub, sub]) client.on('error', (err) => console.error('Redis:', err.message))
  await Promise.all([pub.connect(), sub.connect()])

  const server = http.createServer()
  const io = new Server(server)
  io.adapter(createShardedAdapter(guardPublisher(pub), sub)) // SPUBLISH (Redis 7): each message to one shard
  io.use(socketAuth)
  const store = new RedisCallStore(pub) // all its keys in one slot: the prefix's hash tag
  const signaling = attachCallSignaling(io, { findConversation, store })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))

  // On shutdown: as in example/docs/redis.js
  async function close() {
    signaling.close()
    await store.close()
    await io.close()
    await Promise.all([pub.close(), sub.close()])
  }
  return { url: `http://127.0.0.1:${server.address().port}`, server, io, signaling, store, close }
}

module.exports = { main }
if (require.main === module) {
  main({ port: Number(process.env.PORT) || 3000 }).then((app) => {
    console.log(app.url)
    process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
  })
}
