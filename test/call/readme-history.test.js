'use strict'
// README "Channel events and call history" run as written: example/docs/call-history.js,
// with signed notifications POSTed to its route and real socket.io-client users.
const crypto = require('crypto')
const { connectClient, waitFor, emitAck, disconnectAll } = require('../helpers/sockets')
const { post, channel, nowTs } = require('../helpers/ncs')

process.env.AGORA_NCS_SECRET = crypto.randomBytes(16).toString('hex')
const { main } = require('../../example/docs/call-history')
const { users, conversations } = require('../../example/docs/chat-app')

test('a call as the README shows it: media presence, its record once the channel is empty, the push for an offline member', async () => {
  const saved = []
  const pushes = []
  const app = await main({ saveCallMessage: (r) => saved.push(r), sendPush: (u, call) => pushes.push([u, call.callId]) })
  const alice = connectClient(app.url, { userId: String(users.alice) })
  const bob = connectClient(app.url, { userId: String(users.bob) })
  try {
    await Promise.all([alice.ready, bob.ready])
    const group = String(conversations[1]._id)
    const { callId } = await emitAck(alice, 'call:start', { conversationId: group, media: 'audio' })
    await waitFor(bob, 'incoming-call')
    for (let i = 0; i < 100 && pushes.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(pushes).toEqual([[[String(users.carol)], callId]]) // carol has no socket
    await emitAck(bob, 'call:accept', { callId })
    const ch = channel(group)
    const t = nowTs()
    const hook = `${app.url}/agora/events`
    for (const raw of [ch.join(String(users.alice), t), ch.join(String(users.bob), t + 1)]) {
      expect((await post(hook, raw, process.env.AGORA_NCS_SECRET)).status).toBe(200)
    }
    expect(await waitFor(alice, 'call:media', (d) => d.userId === String(users.bob))).toMatchObject({ callId, state: 'joined' })
    await emitAck(alice, 'call:end', { callId }) // bob and carol (ringing) go on
    await emitAck(bob, 'call:end', { callId })
    await post(hook, ch.leave(String(users.bob), t + 63), process.env.AGORA_NCS_SECRET)
    await post(hook, ch.leave(String(users.alice), t + 64), process.env.AGORA_NCS_SECRET)
    for (let i = 0; i < 100 && saved.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(saved).toHaveLength(1)
    expect(saved[0]).toMatchObject({ callId, conversationId: group, outcome: 'completed', timing: 'media', durationMs: 62000 })
    expect(saved[0].participants.map((p) => [p.userId, p.state])).toEqual([
      [String(users.alice), 'left'], [String(users.bob), 'left'], [String(users.carol), 'ringing']])
    // a wrong signature never reaches the call state
    expect((await post(hook, ch.join(String(users.bob), t + 70), 'not-the-secret')).status).toBe(401)
  } finally {
    disconnectAll([alice, bob])
    app.signaling.close()
    app.io.close()
  }
})
