'use strict'
// The one identity rule, through the real token route (supertest) and real
// sockets: one conversation must be one Agora channel whatever spelling the
// client sends, for the id types a Mongo backend really uses.
const request = require('supertest')
const mongoose = require('mongoose')
const { startServer, emitAck, waitFor } = require('./helpers')

const UUID = '109eea49-9975-411d-8b23-41b389fe8497'
const Conversation = mongoose.model('ReviewUuidConversation', new mongoose.Schema({
  _id: mongoose.Schema.Types.UUID,
  participants: [String]
}))
// A record as mongoose 9 hands it back; any letter case of the UUID finds it
// (mongoose casts both spellings to the same bson UUID).
const record = Conversation.hydrate({ _id: new mongoose.mongo.BSON.UUID(UUID), participants: ['alice', 'bob'] })
const findConversation = async (id) => {
  const filter = Conversation.findOne({ _id: id }).cast(Conversation)
  return String(filter._id) === UUID ? record : null
}

test('a UUID conversation id (mongoose 9 UUID _id) in two letter cases is one channel on the route', async () => {
  const srv = await startServer({ signaling: { findConversation }, router: { findConversation } })
  try {
    const lower = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer alice').send({ channelName: UUID })
    const upper = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer bob').send({ channelName: UUID.toUpperCase() })
    expect([lower.status, upper.status]).toEqual([200, 200])
    // String(conversation._id) is the record's own canonical id
    expect([lower.body.channelName, upper.body.channelName]).toEqual([String(record._id), String(record._id)])
  } finally {
    await srv.stop()
  }
})

test('incoming-call for a UUID conversation carries the record\'s id, not the caller\'s spelling', async () => {
  const srv = await startServer({ signaling: { findConversation } })
  try {
    const [alice, bob] = await Promise.all([srv.connect('alice'), srv.connect('bob')])
    const started = await emitAck(alice, 'call:start', { conversationId: UUID.toUpperCase() })
    expect(started.ok).toBe(true)
    const ring = await waitFor(bob, 'incoming-call')
    expect(ring.conversationId).toBe(String(record._id))
    await emitAck(alice, 'call:cancel', { callId: started.callId })
  } finally {
    await srv.stop()
  }
})

// The identity rule takes any 24-hex string for an ObjectId (README "One identity rule"): a string
// id of 24 hex digits matches its other letter cases. That is the rule, tested in
// test/membership.test.js, not a bug; an app with such case-sensitive usernames must not use them.
