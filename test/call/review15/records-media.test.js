'use strict'
// Review of issue 15 (records from media presence): real socket.io-client
// users, Agora's notifications signed as Agora signs them and POSTed to the
// real webhook router, which feeds signaling.channelEvent (MemoryCallStore).
//
// - README "The record": answeredAt/endedAt/durationMs are "the first and last
//   moment two *members* were in the channel together", and a completed call
//   needs "two members ... in the channel together". Someone in the channel
//   who is not a member of the call must not turn a call nobody answered in
//   Agora into a completed one with a duration.
// - A member who left the channel and came back, and is still in it when the
//   record is written, has a media.leftAt that is the end of the last session,
//   not the end of the first one; and that open session does not end before it
//   began (it is closed at the signaling end, on the server's clock, while it
//   began on Agora's, possibly after that end).
const { startRecordsServer, until } = require('../helpers/records-server')
const { connectClient, waitFor, emitAck, sleep } = require('../../helpers/sockets')
const { post, channel, nowTs } = require('../../helpers/ncs')

let srv
const clients = []

beforeAll(async () => {
  // a short settle: the record is written 300 ms after the end when someone is still in the channel
  srv = await startRecordsServer({ channelEvents: { settleMs: 300, joinTimeoutMs: 60000 } })
})
afterAll(async () => {
  for (const c of clients) c.socket.disconnect()
  await srv.close()
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.disconnect()
  await sleep(50)
  expect(srv.seen.faults).toEqual([])
  srv.seen.records.length = 0
})

async function users(...names) {
  const out = await Promise.all(names.map((n) => connectClient(srv.url, { userId: n }).ready))
  clients.push(...out)
  return out
}

const send = async (raw) => expect((await post(srv.hook, raw, srv.secret)).status).toBe(200)

async function answered(alice, bob) {
  const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
  expect(ack.ok).toBe(true)
  await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
  expect((await emitAck(bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
  return ack.callId
}

test('someone in the channel who is not a member of the call does not make it completed, nor give it a duration', async () => {
  const [alice, bob] = await users('alice', 'bob')
  const callId = await answered(alice, bob)
  const ch = channel('conv-ab')
  const t = nowTs()
  await send(ch.join('alice', t))
  // dave is no member of this call (a bot or a late participant of the conversation with a token)
  await send(ch.join('dave', t + 1))
  await emitAck(bob, 'call:end', { callId }) // bob never joined the channel
  await waitFor(alice, 'call:ended', (d) => d.callId === callId)
  await send(ch.leave('dave', t + 30))
  await send(ch.leave('alice', t + 31))
  const [r] = await until(() => srv.seen.records.length === 1 && srv.seen.records, 3000, 'the record')
  expect(r.participants.map((p) => p.userId)).toEqual(['alice', 'bob'])
  // two members (alice and bob) were never in the channel together
  expect(r).toMatchObject({ callId, outcome: 'failed', durationMs: 0, timing: 'media', answeredAt: null })
})

test('a member who left and rejoined the channel and is still in it: media.leftAt is the end of the last session', async () => {
  const [alice, bob] = await users('alice', 'bob')
  const callId = await answered(alice, bob)
  const ch = channel('conv-ab')
  const t = nowTs()
  await send(ch.join('alice', t))
  await send(ch.join('bob', t + 1))
  await send(ch.leave('alice', t + 5, { reason: 2 })) // a network drop
  await send(ch.join('alice', t + 6)) // she is back
  await emitAck(bob, 'call:end', { callId })
  await send(ch.leave('bob', t + 20))
  // alice's leave never comes: the record is written settleMs after the end
  const [r] = await until(() => srv.seen.records.length === 1 && srv.seen.records, 3000, 'the record')
  const a = r.participants.find((p) => p.userId === 'alice').media
  expect(a.sessions).toHaveLength(2)
  expect(a.sessions[0]).toEqual([t * 1000, (t + 5) * 1000])
  expect(a.leftAt).toBe(a.sessions[1][1]) // not (t + 5) s, when she was in the channel again
  expect(a.leftAt).toBeGreaterThan((t + 6) * 1000 - 1)
  for (const [from, to] of a.sessions) expect(to).toBeGreaterThanOrEqual(from) // no session ends before it began
})
