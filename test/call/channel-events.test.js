'use strict'
// The call flow with channel events: real socket.io-client users, Agora's
// notifications signed as Agora signs them and POSTed to the real webhook
// router, which feeds signaling.channelEvent. Checks call:media, the end of a
// call whose channel is destroyed, onCallEnded's records (durations from
// media presence, each outcome) with events out of order and twice, and
// onRingOffline.
const { startRecordsServer, until } = require('./helpers/records-server')
const { connectClient, waitFor, emitAck, settle, sleep } = require('../helpers/sockets')
const { post, post: postNcs, channel, nowTs, sign } = require('../helpers/ncs')
const { MemoryCallStore } = require('../../lib/socket')
const { verifyNotification } = require('../../lib/webhooks')

let srv
const clients = []

beforeAll(async () => {
  // settleMs 1500: calls answered with no channel events wait that long for late joins
  srv = await startRecordsServer({ channelEvents: { settleMs: 1500, joinTimeoutMs: 60000 } })
})
afterAll(async () => {
  for (const c of clients) c.socket.disconnect()
  await srv.close()
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.disconnect()
  await sleep(50) // the disconnects reach the server
  expect(srv.seen.faults).toEqual([])
  srv.seen.records.length = 0
  srv.seen.offline.length = 0
})

async function users(...names) {
  const out = await Promise.all(names.map((n) => connectClient(srv.url, { userId: n }).ready))
  clients.push(...out)
  return out
}

const media = (client) => client.events.filter((e) => e.event === 'call:media').map((e) => `${e.data.userId}:${e.data.state}`)
const send = (raw) => post(srv.hook, raw, srv.secret)

async function answered(alice, bob, conversationId = 'conv-ab') {
  const ack = await emitAck(alice, 'call:start', { conversationId, media: 'video' })
  expect(ack.ok).toBe(true)
  await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
  expect((await emitAck(bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
  return ack.callId
}

test('a completed call: call:media to those in the call, and a record with the media duration (42 s) once the channel is empty', async () => {
  const [alice, bob] = await users('alice', 'bob')
  const callId = await answered(alice, bob)
  const ch = channel('conv-ab')
  const t = nowTs()
  expect((await send(ch.join('alice', t))).status).toBe(200)
  expect((await send(ch.join('bob', t + 2))).status).toBe(200)
  await waitFor(alice, 'call:media', (d) => d.userId === 'bob')
  await settle([alice, bob])
  expect(media(alice)).toEqual(['alice:joined', 'bob:joined'])
  expect(media(bob)).toEqual(['alice:joined', 'bob:joined'])
  expect(alice.events.find((e) => e.event === 'call:media').data).toEqual({ callId, conversationId: 'conv-ab', userId: 'alice', state: 'joined', at: t * 1000 })

  await emitAck(bob, 'call:end', { callId })
  await waitFor(alice, 'call:ended', (d) => d.callId === callId)
  await sleep(50)
  expect(srv.seen.records).toEqual([]) // both are still in the channel: the record waits for the leaves
  await send(ch.leave('bob', t + 44))
  await send(ch.leave('alice', t + 45))
  await until(() => srv.seen.records.length === 1, 3000, 'the record')
  const [r] = srv.seen.records
  expect(r).toMatchObject({
    callId, conversationId: 'conv-ab', media: 'video', startedBy: 'alice', outcome: 'completed', timing: 'media',
    answeredAt: (t + 2) * 1000, endedAt: (t + 44) * 1000, durationMs: 42000, endReason: 'hangup', endedBy: 'bob'
  })
  expect(r.participants.map((p) => [p.userId, p.role, p.media.joinedAt, p.media.leftAt])).toEqual([
    ['alice', 'caller', t * 1000, (t + 45) * 1000], ['bob', 'callee', (t + 2) * 1000, (t + 44) * 1000]])
  expect(r.signaling.answeredAt).toBeGreaterThanOrEqual(r.startedAt)
  expect(r.participants[1].joinedAt).toBe(r.signaling.answeredAt) // signaling times are kept beside
})

test('missed, declined and cancelled calls each give one record with that outcome', async () => {
  const [alice, bob] = await users('alice', 'bob')
  const start = async () => {
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'audio' })
    await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
    return ack.callId
  }
  const missed = await start()
  await waitFor(alice, 'call:ended', (d) => d.callId === missed, 3000)
  const declined = await start()
  await emitAck(bob, 'call:decline', { callId: declined })
  const cancelled = await start()
  await emitAck(alice, 'call:cancel', { callId: cancelled })
  await until(() => srv.seen.records.length === 3, 3000, 'three records')
  expect(srv.seen.records.map((r) => [r.callId, r.outcome, r.durationMs, r.answeredAt])).toEqual([
    [missed, 'missed', 0, null], [declined, 'declined', 0, null], [cancelled, 'cancelled', 0, null]])
  expect(srv.seen.records[1].participants.map((p) => [p.userId, p.state])).toEqual([['alice', 'joined'], ['bob', 'declined']])
})

test('events out of order and twice: the same presence, the destroyed channel ends the call, one record', async () => {
  const [alice, bob] = await users('alice', 'bob')
  const callId = await answered(alice, bob)
  const ch = channel('conv-ab')
  const t = nowTs()
  const bobJoin = ch.join('bob', t + 3)
  await send(ch.join('alice', t))
  await send(ch.leave('bob', t + 30)) // before his join
  await send(bobJoin)
  expect((await send(bobJoin)).body).toEqual({ ok: true, duplicate: true }) // Agora's retry: the router drops it
  const again = JSON.parse(bobJoin)
  again.noticeId = 'another-id' // the same event from another source: the store drops it
  expect((await send(JSON.stringify(again))).status).toBe(200)
  await send(ch.destroy(t + 31))
  await waitFor(alice, 'call:ended', (d) => d.callId === callId)
  const ended = await waitFor(bob, 'call:ended', (d) => d.callId === callId)
  expect(ended).toEqual({ callId, conversationId: 'conv-ab', by: null, reason: 'channel-destroyed' })
  await send(ch.leave('alice', t + 31)) // after the end: nothing more
  await until(() => srv.seen.records.length === 1, 3000, 'the record')
  await sleep(100)
  expect(srv.seen.records).toHaveLength(1)
  expect(srv.seen.records[0]).toMatchObject({ callId, outcome: 'completed', durationMs: 27000, endReason: 'channel-destroyed', timing: 'media' })
  // bob's join and leave were known together: nobody was told he joined
  expect(media(alice)).toEqual(['alice:joined', 'alice:left'])
})

describe('an answered call with no member seen in the channel yet (settleMs 600)', () => {
  let quick
  const quickUsers = async (...names) => {
    const out = await Promise.all(names.map((n) => connectClient(quick.url, { userId: n }).ready))
    clients.push(...out)
    return out
  }
  beforeAll(async () => {
    quick = await startRecordsServer({ channelEvents: { settleMs: 600, joinTimeoutMs: 60000 } })
  })
  afterAll(() => quick.close())
  afterEach(() => {
    expect(quick.seen.faults).toEqual([])
    quick.seen.records.length = 0
  })

  test('nobody ever joined in Agora: the record waits settleMs for late joins, then says failed', async () => {
    const [alice, bob] = await quickUsers('alice', 'bob')
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
    await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
    await emitAck(bob, 'call:accept', { callId: ack.callId })
    const endedAt = Date.now()
    await emitAck(alice, 'call:end', { callId: ack.callId })
    await sleep(300)
    expect(quick.seen.records).toEqual([]) // Agora's join events may still be on their way
    await until(() => quick.seen.records.length === 1, 3000, 'the record')
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(550)
    expect(quick.seen.records[0]).toMatchObject({ callId: ack.callId, outcome: 'failed', durationMs: 0, timing: 'media', answeredAt: null })
  })

  test('the joins and leaves arrive after the hang-up (NCS is seconds late): completed, with their duration', async () => {
    const [alice, bob] = await quickUsers('alice', 'bob')
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'audio' })
    await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
    await emitAck(bob, 'call:accept', { callId: ack.callId })
    await emitAck(bob, 'call:end', { callId: ack.callId })
    const ch = channel('conv-ab')
    const t = nowTs()
    const post = (raw) => postNcs(quick.hook, raw, quick.secret)
    for (const raw of [ch.join('alice', t), ch.join('bob', t + 1), ch.leave('bob', t + 6), ch.leave('alice', t + 6)]) {
      expect((await post(raw)).status).toBe(200)
    }
    await until(() => quick.seen.records.length === 1, 3000, 'the record')
    expect(quick.seen.records[0]).toMatchObject({ callId: ack.callId, outcome: 'completed', durationMs: 5000, timing: 'media' })
  })
})

test('onRingOffline: at the start for a member with no socket; and for one whose last socket drops while ringing, who keeps ringing', async () => {
  const [alice, bob] = await users('alice', 'bob') // carol is not connected
  const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-abc', media: 'video' })
  await until(() => srv.seen.offline.length === 1, 2000, 'onRingOffline')
  expect(srv.seen.offline[0]).toEqual({ call: { callId: ack.callId, conversationId: 'conv-abc', callerId: 'alice', media: 'video' }, userIds: ['carol'] })
  await waitFor(bob, 'incoming-call')
  bob.socket.disconnect()
  await until(() => srv.seen.offline.length === 2, 2000, 'onRingOffline for bob')
  expect(srv.seen.offline[1].userIds).toEqual(['bob'])
  await settle([alice])
  expect(alice.events.map((e) => e.event)).not.toContain('call:declined') // bob still rings
  const [bob2] = await users('bob')
  expect((await emitAck(bob2, 'call:accept', { callId: ack.callId })).ok).toBe(true)
  await emitAck(alice, 'call:end', { callId: ack.callId })
  await until(() => srv.seen.records.length === 1, 5000, 'the record')
  expect(srv.seen.records[0].participants.map((p) => [p.userId, p.state])).toEqual([['alice', 'left'], ['bob', 'joined'], ['carol', 'missed']])
})

test('a busy call (nobody free to ring) has a record too', async () => {
  const [alice, bob, carol] = await users('alice', 'bob', 'carol')
  const callId = await answered(alice, bob)
  const ack = await emitAck(carol, 'call:start', { conversationId: 'conv-abc', media: 'audio' })
  await until(() => srv.seen.records.length === 1, 2000, 'the busy record')
  expect(srv.seen.records[0]).toMatchObject({ callId: ack.callId, outcome: 'busy', startedBy: 'carol', durationMs: 0 })
  await emitAck(alice, 'call:end', { callId })
  await until(() => srv.seen.records.length === 2, 5000, 'the second record')
})

test('a call at its bound of channel entries: channelEvent says full, and the call goes on', async () => {
  const small = await startRecordsServer({ store: new MemoryCallStore({ maxChannelEntries: 2 }) })
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => connectClient(small.url, { userId: n }).ready))
  clients.push(alice, bob)
  try {
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'audio' })
    await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
    const ch = channel('conv-ab')
    const t = nowTs()
    const typed = (raw) => verifyNotification(raw, sign(raw, small.secret), small.secret).event
    const results = []
    for (const raw of [ch.join('alice', t), ch.leave('alice', t + 1), ch.join('alice', t + 2)]) results.push(await small.signaling.channelEvent(typed(raw)))
    expect(results.map((r) => [r.applied, r.reason])).toEqual([[true, undefined], [true, undefined], [false, 'full']])
    expect((await emitAck(bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
    expect(small.seen.faults).toEqual([])
  } finally {
    await small.close()
  }
})

test('close() with records still waiting for the channel to empty writes them (a MemoryCallStore would lose them)', async () => {
  const own = await startRecordsServer()
  const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => connectClient(own.url, { userId: n }).ready))
  clients.push(alice, bob)
  try {
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
    await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
    await emitAck(bob, 'call:accept', { callId: ack.callId })
    const ch = channel('conv-ab')
    const t = nowTs() - 2 // Agora's times are of the past
    for (const raw of [ch.join('alice', t), ch.join('bob', t + 1)]) expect((await post(own.hook, raw, own.secret)).status).toBe(200)
    await emitAck(alice, 'call:end', { callId: ack.callId })
    await sleep(100)
    expect(own.seen.records).toEqual([]) // both still in the channel: settleMs (20 s) to go
    own.signaling.close()
    await until(() => own.seen.records.length === 1, 2000, 'the record at close')
    expect(own.seen.records[0]).toMatchObject({ callId: ack.callId, outcome: 'completed', timing: 'media', answeredAt: (t + 1) * 1000 })
    expect(own.seen.faults).toEqual([])
  } finally {
    await own.close()
  }
})
