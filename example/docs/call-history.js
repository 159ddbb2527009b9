// example/docs/call-history.js: Agora's channel events into the call state, and each call's record
// (README "Channel events and call history")
'use strict'
const http = require('http')
const express = require('express')
const { Server } = require('socket.io')
const { attachCallSignaling } = require('agora-call-token/socket')
const { createWebhookRouter } = require('agora-call-token/webhooks')
const { Conversation, socketAuth } = require('./chat-app')

async function main({ port = 0, saveCallMessage, sendPush } = {}) {
  const app = express()
  const server = http.createServer(app)
  const io = new Server(server)
  io.use(socketAuth)
  const signaling = attachCallSignaling(io, {
    findConversation: (id, userId) => Conversation.findOne({ _id: id, participants: userId }),
    channelEvents: { joinTimeoutMs: 20000, settleMs: 15000 }, // media presence from Agora's notifications
    // Once per call, even with several processes over Redis: write it into the chat.
    onCallEnded: (record) => saveCallMessage(record), // { outcome, durationMs, timing, participants, ... }
    // Rung members with no socket anywhere (and those whose last socket drops while it rings).
    onRingOffline: ({ call, userIds }) => sendPush(userIds, call),
    onMediaAbsent: ({ call, userId }) => console.warn(`${userId} never joined the channel of ${call.callId}`)
  })
  // Before express.json(): the router reads and verifies the raw body itself.
  app.use('/agora/events', createWebhookRouter({
    secret: process.env.AGORA_NCS_SECRET,
    onEvent: (event) => signaling.channelEvent(event) // answers 200 once it is in the call state
  }))
  app.use(express.json())
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, io, signaling }
}

module.exports = { main }
