'use strict'
// Shared set-up of the review tests: a real http server on loopback with the
// token router and Socket.IO call signaling, real socket.io-client users.
const crypto = require('crypto')
const express = require('express')
const { Server } = require('socket.io')
const { createCallTokenRouter } = require('../../../lib/express')
const { attachCallSignaling } = require('../../../lib/socket')
const { listen, close, urlOf } = require('../../helpers/http')
const { connectClient, emitAck, waitFor, settle, sleep, disconnectAll } = require('../../helpers/sockets')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

function testAuth(socket, next) {
  const { userId } = socket.handshake.auth || {}
  if (typeof userId === 'string') socket.data.userId = userId
  next()
}

/**
 * A server with `conversations` (Map id -> record). signaling: options for
 * attachCallSignaling (findConversation defaults to the Map), router: options
 * for createCallTokenRouter (omit to skip the route).
 */
async function startServer({ conversations = new Map(), signaling = {}, router = null } = {}) {
  const faults = []
  const find = async (id) => conversations.get(id) ?? null
  const app = express()
  app.use((req, res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') || '')
    if (m) req.user = { id: m[1] }
    next()
  })
  if (router) {
    app.use('/api/call', createCallTokenRouter({
      appId: APP_ID, appCertificate: CERT, findConversation: find, onError: (err) => faults.push(err), ...router
    }))
  }
  const server = await listen(app)
  const io = new Server(server)
  io.use(testAuth)
  const handle = attachCallSignaling(io, { findConversation: find, onError: (err) => faults.push(err), ...signaling })
  const url = urlOf(server)
  const clients = []
  return {
    app, server, io, handle, url, faults, conversations,
    async connect(userId) {
      const c = connectClient(url, userId === undefined ? {} : { userId })
      clients.push(c)
      await c.ready
      return c
    },
    async stop() {
      disconnectAll(clients)
      handle.close()
      await new Promise((resolve) => io.close(() => resolve()))
      await close(server)
    }
  }
}

module.exports = { startServer, emitAck, waitFor, settle, sleep, APP_ID, CERT }
