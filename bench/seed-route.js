'use strict'
// POST /api/call/token written the seed's way, for the HTTP row to compare the
// demo server against: the same demo auth, data and middleware stack as
// example/server.js, but the membership check is a `participants.includes`
// over strings and the token comes from agora-token's RtcTokenBuilder.
const http = require('http')
const path = require('path')
const express = require('express')
const { Server } = require('socket.io')
const { ObjectId } = require('bson')
const { RtcTokenBuilder, RtcRole } = require('agora-token')
const { USERS, CONVERSATIONS } = require('../example/server')

async function createSeedServer({ port = 0, host = '127.0.0.1', appId, appCertificate, expiresIn = 3600 } = {}) {
  const users = new Map(USERS.map((u) => [u._id.toHexString(), u]))
  const conversations = new Map(CONVERSATIONS.map((c) => [c._id.toHexString(), c]))
  const findUser = (id) => (typeof id === 'string' ? users.get(id.toLowerCase()) || null : null)
  // like Conversation.findById(id).lean(): a plain copy, or null
  const findConversation = async (id) => {
    if (typeof id !== 'string' || !ObjectId.isValid(id) || id.length !== 24) return null
    const c = conversations.get(id.toLowerCase())
    return c ? { ...c, participants: [...c.participants] } : null
  }

  const app = express()
  app.disable('x-powered-by')
  app.use(express.static(path.join(__dirname, '..', 'example', 'public'))) // as the demo server does
  app.use('/api', (req, res, next) => { // DEMO-ONLY auth, as in example/server.js
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') || '')
    const user = m ? findUser(m[1]) : null
    if (user) req.user = user
    next()
  })

  app.post('/api/call/token', express.json({ limit: '16kb' }), async (req, res) => {
    res.set('Cache-Control', 'no-store')
    if (!req.user) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } })
    const channelName = req.body && req.body.channelName
    if (typeof channelName !== 'string' || !channelName) {
      return res.status(400).json({ error: { code: 'MISSING_CHANNEL_NAME', message: 'channelName is required' } })
    }
    try {
      const conversation = await findConversation(channelName)
      const account = String(req.user._id)
      if (!conversation || !conversation.participants.map(String).includes(account)) {
        return res.status(403).json({ error: { code: 'FORBIDDEN', message: 'You are not a participant of this conversation' } })
      }
      const issuedAt = Math.floor(Date.now() / 1000)
      const token = RtcTokenBuilder.buildTokenWithUserAccount(appId, appCertificate, channelName, account,
        RtcRole.PUBLISHER, expiresIn, expiresIn)
      res.status(200).json({ token, appId, channelName, account, expiresAt: issuedAt + expiresIn })
    } catch (err) {
      res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } })
    }
  })

  const server = http.createServer(app)
  const io = new Server(server, { serveClient: false }) // the demo server has Socket.IO on the same server
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address()
  return {
    app,
    server,
    url: `http://${address.address}:${address.port}`,
    users: Object.fromEntries(USERS.map((u) => [u.name.toLowerCase(), u._id.toHexString()])),
    conversations: {
      direct: CONVERSATIONS[0]._id.toHexString(),
      group: CONVERSATIONS[1]._id.toHexString(),
      carolDave: CONVERSATIONS[2]._id.toHexString()
    },
    close() {
      return new Promise((resolve) => {
        io.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}

module.exports = { createSeedServer }
