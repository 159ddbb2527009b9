// example/docs/calls.js: the token route and the call signaling of a chat backend
// (README "Express and Socket.IO"). `node example/docs/calls.js` serves it; the
// model and login stand-ins are in example/docs/chat-app.js.
'use strict'
const http = require('http')
const express = require('express')
const { Server } = require('socket.io')
const { createCallTokenRouter } = require('agora-call-token/express')
const { attachCallSignaling } = require('agora-call-token/socket')
const { Conversation, authenticate, socketAuth } = require('./chat-app')

// The recommended lookup: the conversation only if it exists and has this member, in one query.
const findConversation = (id, userId) => Conversation.findOne({ _id: id, participants: userId })

async function main({ port = 0 } = {}) {
  const app = express()
  app.use('/api/call', authenticate, createCallTokenRouter({
    appId: process.env.AGORA_APP_ID,
    appCertificate: process.env.AGORA_APP_CERTIFICATE,
    findConversation,
    lookupTimeoutMs: 3000 // a lookup that hangs is a 503, not a request held forever
  }))
  const server = http.createServer(app)
  const io = new Server(server)
  io.use(socketAuth) // sets socket.data.userId from your session or JWT
  const signaling = attachCallSignaling(io, {
    findConversation,
    ringTimeoutMs: 30000,
    ringRateLimit: { max: 20, windowMs: 60000 } // call:start per user per minute
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, server, io, signaling }
}

module.exports = { main }
if (require.main === module) main({ port: Number(process.env.PORT) || 3000 }).then(({ url }) => console.log(url))
