// example/docs/redis.js: calls across several server processes that share one Redis
// (README "Several server processes"). `REDIS_URL=redis://127.0.0.1:6379 PORT=3001 node
// example/docs/redis.js` serves it; start more on other PORTs. The token route is as in
// example/docs/calls.js (it needs no Redis); the stand-ins are in example/docs/chat-app.js.
'use strict'
const http = require('http')
const { Server } = require('socket.io')
const { createClient } = require('redis')
const { createAdapter } = require('@socket.io/redis-adapter')
const { attachCallSignaling, RedisCallStore, guardPublisher } = require('agora-call-token/socket')
const { Conversation, socketAuth } = require('./chat-app')

const findConversation = (id, userId) => Conversation.findOne({ _id: id, participants: userId })

async function main({ port = 0, redisUrl = process.env.REDIS_URL } = {}) {
  const pub = createClient({ url: redisUrl })
  const sub = pub.duplicate()
  // node-redis reconnects by itself; an 'error' event with no listener would end the process
  for (const client of [pub, sub]) client.on('error', (err) => console.error('Redis:', err.message))
  await Promise.all([pub.connect(), sub.connect()])

  const server = http.createServer()
  const io = new Server(server)
  io.adapter(createAdapter(guardPublisher(pub), sub)) // events reach users on every process
  io.use(socketAuth)
  const store = new RedisCallStore(pub) // the call state, shared; options below
  const signaling = attachCallSignaling(io, { findConversation, store })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))

  // On shutdown: stop the signaling, tell the other processes this one is gone, then disconnect.
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
