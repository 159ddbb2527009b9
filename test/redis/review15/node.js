'use strict'
// One call-signaling "process" for the review tests, in the test process: its
// own node-redis client and RedisCallStore (its own nodeId) on a real
// redis-server, socket.io on its own port, and the real webhook router at
// /agora/events feeding signaling.channelEvent. Every hook is recorded.
const http = require('http')
const crypto = require('crypto')
const express = require('express')
const { Server } = require('socket.io')
const { attachCallSignaling, RedisCallStore } = require('../../../lib/socket')
const { createWebhookRouter } = require('../../../lib/webhooks')
const { connectClient } = require('../../helpers/sockets')

const CONVERSATIONS = new Map([['conv-ab', ['alice', 'bob']], ['conv-abc', ['alice', 'bob', 'carol']]])
const SECRET = 'ncs-' + crypto.randomBytes(12).toString('hex')

async function startNode(redisUrl, { store: storeOptions = {}, signaling = {} } = {}) {
  const { createClient } = require('redis')
  const client = createClient({ url: redisUrl, socket: { reconnectStrategy: () => 50 } })
  client.on('error', () => {}) // outages are the point of some tests: the client reconnects
  await client.connect()
  const store = new RedisCallStore(client, { prefix: '{review15}:', ...storeOptions })
  const seen = { records: [], offline: [], faults: [] }
  const app = express()
  const server = http.createServer(app)
  const io = new Server(server)
  io.use((socket, next) => {
    socket.data.userId = socket.handshake.auth && socket.handshake.auth.userId
    next()
  })
  const handle = attachCallSignaling(io, {
    store,
    findConversation: async (id) => (CONVERSATIONS.has(id) ? { _id: id, participants: [...CONVERSATIONS.get(id)] } : null),
    ringTimeoutMs: 10000,
    channelEvents: { settleMs: 1500, joinTimeoutMs: 60000 },
    onCallEnded: (r) => { seen.records.push(r) },
    onRingOffline: (x) => { seen.offline.push(x) },
    onError: (err) => { seen.faults.push(err) },
    ...signaling
  })
  app.use('/agora/events', createWebhookRouter({ secret: SECRET, onEvent: (event) => handle.channelEvent(event), onError: () => {} }))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  const clients = []
  return {
    url,
    hook: `${url}/agora/events`,
    secret: SECRET,
    store,
    client,
    seen,
    signaling: handle,
    async connect(userId) {
      const c = connectClient(url, { userId })
      clients.push(c)
      return c.ready
    },
    async close() {
      for (const c of clients) c.socket.disconnect()
      handle.close()
      await new Promise((resolve) => {
        io.close(() => resolve())
        server.closeAllConnections()
      })
      await client.disconnect().catch(() => {})
    }
  }
}

module.exports = { startNode }
