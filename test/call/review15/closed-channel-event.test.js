'use strict'
// Review of issue 15: the router answers 200 only once the event is in the
// call state (README: "The router answers only once channelEvent has written
// the event into the call store, so an event is never lost"). A signaling
// that was closed (a process shutting down: close() comes before the HTTP
// server stops) stores nothing, so the notification must not be answered 200:
// Agora's retry then reaches a process that stores it.
const { startRecordsServer } = require('../helpers/records-server')
const { connectClient, waitFor, emitAck } = require('../../helpers/sockets')
const { post, channel, nowTs } = require('../../helpers/ncs')

let srv
const clients = []

beforeAll(async () => {
  srv = await startRecordsServer()
})
afterAll(async () => {
  for (const c of clients) c.socket.disconnect()
  await srv.close()
})

test('after signaling.close() a channel event is not answered 200 (it was not stored; Agora must send it again)', async () => {
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => connectClient(srv.url, { userId: n }).ready))
  clients.push(alice, bob)
  const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'audio' })
  await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
  const ch = channel('conv-ab')
  expect((await post(srv.hook, ch.join('alice', nowTs()), srv.secret)).status).toBe(200) // stored: 200
  srv.signaling.close()
  await expect(srv.signaling.channelEvent({ type: 'user-join', channelName: 'conv-ab', account: 'bob', tsMs: Date.now() }))
    .rejects.toMatchObject({ code: expect.stringMatching(/^ERR_AGORA_/) })
  const res = await post(srv.hook, ch.join('bob', nowTs() + 1), srv.secret)
  expect(res.status).toBe(500)
  expect(res.body).toEqual({ error: { code: 'WEBHOOK_HANDLER_FAILED', message: expect.any(String) } })
  srv.seen.faults.length = 0
})
