'use strict'
// One call-signaling server with channel events for the flow tests: Express
// with the real webhook router (createWebhookRouter) feeding
// signaling.channelEvent, socket.io on the same port, and every hook recorded.
const http = require('http')
const crypto = require('crypto')
const express = require('express')
const { Server } = require('socket.io')
const { attachCallSignaling } = require('../../../lib/socket')
const { createWebhookRouter } = require('../../../lib/webhooks')
const { until, connectClient } = require('../../helpers/sockets') // until: re-exported for the flow tests

const CONVERSATIONS = new Map([
  ['conv-ab', ['alice', 'bob']],
  ['conv-abc', ['alice', 'bob', 'carol']]
])

async function startRecordsServer(options = {}) {
  const secret = 'ncs-' + crypto.randomBytes(12).toString('hex')
  const seen = { records: [], offline: [], absent: [], faults: [] }
  const app = express()
  const server = http.createServer(app)
  const io = new Server(server)
  io.use((socket, next) => {
    socket.data.userId = socket.handshake.auth && socket.handshake.auth.userId
    next()
  })
  const signaling = attachCallSignaling(io, {
    findConversation: async (id) => (CONVERSATIONS.has(id) ? { _id: id, participants: [...CONVERSATIONS.get(id)] } : null),
    ringTimeoutMs: 800,
    channelEvents: { settleMs: 20000, joinTimeoutMs: 60000 },
    onCallEnded: (r) => { seen.records.push(r) },
    onRingOffline: (x) => { seen.offline.push(x) },
    onMediaAbsent: (x) => { seen.absent.push(x) },
    onError: (err) => { seen.faults.push(err) },
    ...options
  })
  app.use('/agora/events', createWebhookRouter({ secret, onEvent: (event) => signaling.channelEvent(event), onError: (err) => seen.faults.push(err) }))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  const clients = []
  return {
    url,
    hook: `${url}/agora/events`,
    secret,
    seen,
    signaling,
    /** A socket.io-client user of this server (test/helpers/sockets.js), disconnected by close(). */
    connect(userId) {
      const c = connectClient(url, { userId })
      clients.push(c)
      return c.ready
    },
    close: () => new Promise((resolve) => {
      for (const c of clients) c.socket.disconnect()
      signaling.close()
      io.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

module.exports = { startRecordsServer, until, CONVERSATIONS }
