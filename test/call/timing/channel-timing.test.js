'use strict'
// Channel-event timers (run serially with the other timing tests): a member
// joined in signaling who never shows up in the channel is reported after
// joinTimeoutMs, one who does is not; an ended call whose channel never
// empties gets its record settleMs after the end, with the open session
// counted until the end.
const { startRecordsServer, until } = require('../helpers/records-server')
const { connectClient, waitFor, emitAck, sleep } = require('../../helpers/sockets')
const { post, channel, nowTs } = require('../../helpers/ncs')

const JOIN_TIMEOUT_MS = 300
const SETTLE_MS = 400
let srv
let clients = []

beforeAll(async () => {
  srv = await startRecordsServer({ channelEvents: { joinTimeoutMs: JOIN_TIMEOUT_MS, settleMs: SETTLE_MS } })
})
afterAll(async () => {
  for (const c of clients) c.socket.disconnect()
  await srv.close()
})

test('onMediaAbsent for the member who never joined the channel, not for the one who did; the record waits settleMs at most', async () => {
  clients = await Promise.all(['alice', 'bob'].map((n) => connectClient(srv.url, { userId: n }).ready))
  const [alice, bob] = clients
  const { callId } = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
  await waitFor(bob, 'incoming-call')
  const acceptedAt = Date.now()
  await emitAck(bob, 'call:accept', { callId })
  const ch = channel('conv-ab')
  const t = nowTs()
  expect((await post(srv.hook, ch.join('alice', t), srv.secret)).status).toBe(200)
  await until(() => srv.seen.absent.length === 1, JOIN_TIMEOUT_MS * 5, 'onMediaAbsent')
  expect(Date.now() - acceptedAt).toBeGreaterThanOrEqual(JOIN_TIMEOUT_MS)
  expect(srv.seen.absent[0]).toMatchObject({ call: { callId }, userId: 'bob', waitedMs: JOIN_TIMEOUT_MS })
  await sleep(JOIN_TIMEOUT_MS) // alice's own timer (from the start) has passed too: she was in the channel
  expect(srv.seen.absent.map((a) => a.userId)).toEqual(['bob'])

  await emitAck(alice, 'call:end', { callId })
  const endedAt = Date.now()
  await until(() => srv.seen.records.length === 1, SETTLE_MS * 5, 'the settled record')
  expect(Date.now() - endedAt).toBeGreaterThanOrEqual(SETTLE_MS - 20)
  const [r] = srv.seen.records
  expect(r).toMatchObject({ callId, outcome: 'failed', timing: 'media', durationMs: 0 }) // alice was alone in the channel
  expect(r.participants[0].media.sessions).toEqual([[t * 1000, r.signaling.endedAt]]) // open until the end
  expect(srv.seen.faults).toEqual([])
})
