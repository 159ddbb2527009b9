'use strict'
// README "Express" and "Socket.IO" run as written: example/docs/calls.js.
const crypto = require('crypto')
const request = require('supertest')
const act = require('../..')
const { connectClient, waitFor, emitAck, disconnectAll } = require('../helpers/sockets')

process.env.AGORA_APP_ID = crypto.randomBytes(16).toString('hex')
process.env.AGORA_APP_CERTIFICATE = crypto.randomBytes(16).toString('hex')
const { main } = require('../../example/docs/calls')
const { users, conversations } = require('../../example/docs/chat-app')

let app
beforeAll(async () => {
  app = await main()
})
afterAll(async () => {
  app.signaling.close()
  app.io.close()
})

test('a call as the README shows it: ring, accept, tokens for one channel; outsiders and other spellings', async () => {
  const [direct, group] = conversations
  const alice = connectClient(app.url, { userId: String(users.alice) })
  const bob = connectClient(app.url, { userId: String(users.bob) })
  const carol = connectClient(app.url, { userId: String(users.carol) })
  try {
    await Promise.all([alice.ready, bob.ready, carol.ready])
    const started = await emitAck(alice, 'call:start', { conversationId: String(direct._id).toUpperCase(), media: 'video' })
    expect(started).toEqual({ ok: true, callId: expect.any(String) })
    const ring = await waitFor(bob, 'incoming-call')
    expect(ring).toEqual({ callId: started.callId, conversationId: String(direct._id), from: String(users.alice), media: 'video' })
    expect(await emitAck(bob, 'call:accept', { callId: ring.callId })).toEqual({ ok: true, callId: ring.callId })
    await waitFor(alice, 'call:accepted')

    const tokens = []
    for (const [user, spelling] of [[users.alice, String(direct._id)], [users.bob, String(direct._id).toUpperCase()]]) {
      const res = await request(app.url).post('/api/call/token').set('Authorization', `Bearer ${user}`).send({ channelName: spelling })
      expect(res.status).toBe(200)
      tokens.push(res.body)
    }
    expect(tokens.map((t) => t.channelName)).toEqual([String(direct._id), String(direct._id)])
    for (const t of tokens) {
      const parsed = act.parseToken(t.token)
      expect(parsed.services[0].channelName).toBe(String(direct._id))
      expect(act.verifyToken(t.token, process.env.AGORA_APP_CERTIFICATE).valid).toBe(true)
    }
    // carol is not in the direct conversation: 403 on the route, FORBIDDEN on the socket
    const no = await request(app.url).post('/api/call/token').set('Authorization', `Bearer ${users.carol}`).send({ channelName: String(direct._id) })
    expect(no.status).toBe(403)
    expect((await emitAck(carol, 'call:start', { conversationId: String(direct._id) })).error.code).toBe('FORBIDDEN')
    // the group: alice and bob are both in the direct call, so carol hears busy for both
    const busy = await emitAck(carol, 'call:start', { conversationId: String(group._id) })
    expect(busy.ok).toBe(true)
    expect((await waitFor(carol, 'call:busy')).userIds.sort()).toEqual([String(users.alice), String(users.bob)].sort())
    expect(await emitAck(alice, 'call:end', { callId: started.callId })).toEqual({ ok: true, callId: started.callId })
    expect((await waitFor(bob, 'call:ended')).reason).toBe('hangup')
  } finally {
    disconnectAll([alice, bob, carol])
  }
})
