// example/quick-start.js: a complete Express app with the call-token route.
//   MONGODB_URI=mongodb://127.0.0.1/chat AGORA_APP_ID=... AGORA_APP_CERTIFICATE=... node example/quick-start.js
'use strict'
const express = require('express')
const mongoose = require('mongoose')
const { createCallTokenRouter } = require('agora-call-token/express')

const Conversation = mongoose.models.Conversation ||
  mongoose.model('Conversation', new mongoose.Schema({ participants: [mongoose.Schema.Types.ObjectId] }))

// Your authentication goes here: it must set req.user. This stub trusts a
// header and is for trying the example only.
function requireUser(req, res, next) {
  const id = req.get('x-demo-user')
  if (id) req.user = { id }
  next()
}

// The channel name is the conversation id. An id that is not an ObjectId makes
// mongoose throw a CastError: that is "no such conversation" (403), not a 500.
async function findConversation(id) {
  try {
    return await Conversation.findById(id).lean()
  } catch (err) {
    if (err instanceof mongoose.Error.CastError) return null
    throw err
  }
}

function createApp() {
  const app = express()
  app.use(express.json())
  app.use(requireUser)
  app.use('/api/call', createCallTokenRouter({
    appId: process.env.AGORA_APP_ID,
    appCertificate: process.env.AGORA_APP_CERTIFICATE,
    findConversation
  }))
  // POST /api/call/token { "channelName": "<conversation id>" } -> { token, appId, channelName, account, expiresAt }
  return app
}

async function main() {
  await mongoose.connect(process.env.MONGODB_URI)
  const port = Number(process.env.PORT || 3000)
  createApp().listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
}

if (require.main === module) main()
module.exports = { createApp, findConversation, Conversation }
