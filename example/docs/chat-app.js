'use strict'
// The chat app around the README examples: a stand-in for a Mongoose
// Conversation model (findOne with { _id, participants } answers like
// MongoDB: the 24-hex id in any case, participants as ObjectIds) and a stand-in
// for your authentication. Replace both with your own. The ids are fixed, so
// that several server processes (example/docs/redis.js) know the same users.
const { ObjectId } = require('bson')

const users = {
  alice: new ObjectId('66a0c0de00000000000000a1'),
  bob: new ObjectId('66a0c0de00000000000000b2'),
  carol: new ObjectId('66a0c0de00000000000000c3')
}
const conversations = [
  { _id: new ObjectId('66a0c0de000000000000d001'), participants: [users.alice, users.bob] },
  { _id: new ObjectId('66a0c0de000000000000d002'), participants: [users.alice, users.bob, users.carol] }
]

const Conversation = {
  async findOne({ _id, participants }) {
    const id = String(_id).toLowerCase()
    const c = conversations.find((x) => x._id.toHexString() === id)
    if (!c || (participants !== undefined && !c.participants.some((p) => p.toHexString() === participants))) return null
    return { ...c, participants: [...c.participants] }
  }
}

// DEMO ONLY: the user id from "Authorization: Bearer <id>" / the handshake's auth.userId.
function authenticate(req, res, next) {
  const id = (req.get('authorization') || '').replace(/^Bearer /, '')
  if (id) req.user = { _id: id }
  next()
}

function socketAuth(socket, next) {
  socket.data.userId = socket.handshake.auth && socket.handshake.auth.userId
  next()
}

module.exports = { users, conversations, Conversation, authenticate, socketAuth }
