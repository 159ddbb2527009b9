'use strict'

// Call signalling with real socket.io-client users on a real http server
// (127.0.0.1, port 0). Every client records every event it receives; after
// each scenario the clients "settle" (a round trip each) and the test asserts
// the exact list per client, so a wrong recipient cannot go unnoticed.

const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const { Server } = require('socket.io')
const { ObjectId } = require('bson')
const act = require('../lib')
const { createCallTokenRouter } = require('../lib/express')
const { attachCallSignaling, notifyIncomingCall } = require('../lib/socket')
const { createDemoServer } = require('../example/server')
const { listen, close, urlOf } = require('./helpers/http')
const { connectClient, waitFor, emitAck, names, settle, disconnectAll } = require('./helpers/sockets')
const { notice, sign } = require('./helpers/ncs')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

const ID = {
  alice: '65b000000000000000000001',
  bob: '65b000000000000000000002',
  carol: '65b000000000000000000003',
  eve: '65b000000000000000000009' // the outsider
}
const GROUP = '65c000000000000000000001' // alice, bob, carol (ObjectId participants)
const DIRECT = '65c000000000000000000002' // alice, bob (populated participants)
const BOB_CAROL = '65c000000000000000000003' // bob, carol (string participants)
const SOLO = '65c000000000000000000004' // alice alone
const EVE_CAROL = '65c000000000000000000005' // eve is an outsider to the others only

const conversations = new Map([
  [GROUP, { _id: new ObjectId(GROUP), participants: [ID.alice, ID.bob, ID.carol].map(id => new ObjectId(id)) }],
  [DIRECT, { _id: new ObjectId(DIRECT), participants: [{ _id: new ObjectId(ID.alice) }, { _id: new ObjectId(ID.bob) }] }],
  [BOB_CAROL, { _id: BOB_CAROL, participants: [ID.bob, ID.carol] }],
  [SOLO, { _id: SOLO, participants: [ID.alice] }],
  [EVE_CAROL, { _id: EVE_CAROL, participants: [ID.eve, ID.carol] }]
])
const findConversation = async id => conversations.get(id) ?? null

let server
let io
let url
const handles = []
const faults = []
const c = {} // clients on the default namespace
const s = {} // clients on /short (ring timeout 200 ms)
let everyone = []

// Test-only auth: the handshake's auth.userId, if any (a socket without one is anonymous).
function testAuth(socket, next) {
  const { userId } = socket.handshake.auth || {}
  if (typeof userId === 'string') socket.data.userId = userId
  next()
}

beforeAll(async () => {
  const app = express()
  app.use((req, res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') || '')
    if (m) req.user = { _id: new ObjectId(m[1]) }
    next()
  })
  app.use('/api/call', createCallTokenRouter({ appId: APP_ID, appCertificate: CERT, findConversation }))
  server = await listen(app)
  url = urlOf(server)
  io = new Server(server)
  io.use(testAuth)
  io.of('/short').use(testAuth)
  io.of('/custom').use(testAuth)
  const onError = err => faults.push(err)
  handles.push(attachCallSignaling(io, { findConversation, ringTimeoutMs: 10000, onError }))
  handles.push(attachCallSignaling(io.of('/short'), { findConversation, ringTimeoutMs: 200, onError }))
  handles.push(attachCallSignaling(io.of('/custom'), { findConversation, room: id => `user:${id}`, onError }))

  for (const name of ['alice', 'bob', 'carol', 'eve']) c[name] = connectClient(url, { userId: ID[name] })
  c.anon = connectClient(url, {})
  for (const name of ['alice', 'bob', 'carol', 'eve']) s[name] = connectClient(`${url}/short`, { userId: ID[name] })
  everyone = [...Object.values(c), ...Object.values(s)]
  await Promise.all(everyone.map(x => x.ready))
})

beforeEach(async () => {
  await settle(everyone) // events of the previous test are delivered before they are forgotten
  for (const x of everyone) x.events.length = 0
  faults.length = 0
})

afterEach(() => {
  // every scenario leaves no call behind and no unexpected server error
  for (const h of handles) {
    expect(h.store.size).toBe(0)
    h.store.clear()
  }
  expect(faults).toEqual([])
})

afterAll(async () => {
  disconnectAll(everyone)
  for (const h of handles) h.close()
  await new Promise(resolve => io.close(() => resolve()))
  await close(server)
})

const all = () => Object.values(c)

async function startCall(client, conversationId, media = 'audio') {
  const ack = await emitAck(client, 'call:start', { conversationId, media })
  expect(ack).toEqual({ ok: true, callId: expect.any(String) })
  return ack.callId
}

async function ok(client, event, callId) {
  expect(await emitAck(client, event, { callId })).toEqual({ ok: true, callId })
}

function tokenFor(userId, channelName) {
  return request(server).post('/api/call/token').set('Authorization', `Bearer ${userId}`).send({ channelName })
}

test('a group call rings both others within a second, never the caller or the outsider', async () => {
  const callId = await startCall(c.alice, GROUP, 'video')
  const expected = { callId, conversationId: GROUP, from: ID.alice, media: 'video' }
  const [b, k] = await Promise.all([
    waitFor(c.bob, 'incoming-call', undefined, 1000),
    waitFor(c.carol, 'incoming-call', undefined, 1000)
  ])
  expect(b).toEqual(expected)
  expect(k).toEqual(expected)
  await settle(all())
  expect(names(c.alice)).toEqual([])
  expect(names(c.eve)).toEqual([])
  expect(names(c.anon)).toEqual([])
  expect(names(c.bob)).toEqual(['incoming-call'])
  expect(names(c.carol)).toEqual(['incoming-call'])
  await ok(c.alice, 'call:cancel', callId)
})

test('accept: the caller learns it, then both get tokens for the same channel; end reaches the other side', async () => {
  const callId = await startCall(c.alice, DIRECT)
  await waitFor(c.bob, 'incoming-call')
  await ok(c.bob, 'call:accept', callId)
  expect(await waitFor(c.alice, 'call:accepted')).toEqual({ callId, conversationId: DIRECT, by: ID.bob })

  const [ta, tb] = await Promise.all([tokenFor(ID.alice, DIRECT), tokenFor(ID.bob, DIRECT)])
  expect(ta.status).toBe(200)
  expect(tb.status).toBe(200)
  const ra = act.parseToken(ta.body.token).services[0]
  const rb = act.parseToken(tb.body.token).services[0]
  expect(ra.channelName).toBe(DIRECT)
  expect(rb.channelName).toBe(DIRECT)
  expect(ra.account).toBe(ID.alice)
  expect(rb.account).toBe(ID.bob)
  expect(act.verifyToken(tb.body.token, CERT).valid).toBe(true)
  expect((await tokenFor(ID.eve, DIRECT)).status).toBe(403)

  await ok(c.bob, 'call:end', callId)
  expect(await waitFor(c.alice, 'call:ended'))
    .toEqual({ callId, conversationId: DIRECT, by: ID.bob, reason: 'hangup' })
  await settle(all())
  expect(names(c.alice)).toEqual(['call:accepted', 'call:ended'])
  expect(names(c.bob)).toEqual(['incoming-call'])
  for (const x of [c.carol, c.eve, c.anon]) expect(names(x)).toEqual([])
})

test('group accept: everyone joined is told (those still ringing are not), and each gets a token for the same channel', async () => {
  const callId = await startCall(c.alice, GROUP)
  await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
  await ok(c.bob, 'call:accept', callId)
  await ok(c.carol, 'call:accept', callId)
  await settle(all())
  expect(c.alice.events).toEqual([
    { event: 'call:accepted', data: { callId, conversationId: GROUP, by: ID.bob } },
    { event: 'call:accepted', data: { callId, conversationId: GROUP, by: ID.carol } }
  ])
  expect(c.bob.events.slice(1)).toEqual([{ event: 'call:accepted', data: { callId, conversationId: GROUP, by: ID.carol } }])
  expect(c.carol.events.slice(1)).toEqual([]) // carol was still ringing when bob accepted
  expect(names(c.eve)).toEqual([])

  const tokens = await Promise.all([ID.alice, ID.bob, ID.carol].map(id => tokenFor(id, GROUP)))
  const channels = tokens.map(t => act.parseToken(t.body.token).services[0].channelName)
  expect(channels).toEqual([GROUP, GROUP, GROUP])
  expect((await tokenFor(ID.eve, GROUP)).status).toBe(403)

  // one hangs up: the call goes on for the two others
  await ok(c.bob, 'call:end', callId)
  await settle(all())
  expect(c.alice.events.at(-1)).toEqual({ event: 'call:left', data: { callId, conversationId: GROUP, by: ID.bob } })
  expect(c.carol.events.at(-1)).toEqual({ event: 'call:left', data: { callId, conversationId: GROUP, by: ID.bob } })
  expect(names(c.bob)).toEqual(['incoming-call', 'call:accepted'])

  // the next one leaves: fewer than two remain, the call is over
  await ok(c.carol, 'call:end', callId)
  await settle(all())
  expect(c.alice.events.at(-1)).toEqual({
    event: 'call:ended', data: { callId, conversationId: GROUP, by: ID.carol, reason: 'hangup' }
  })
  expect(names(c.alice)).toEqual(['call:accepted', 'call:accepted', 'call:left', 'call:ended'])
  expect(names(c.bob)).toEqual(['incoming-call', 'call:accepted'])
  expect(names(c.carol)).toEqual(['incoming-call', 'call:left'])
  expect(names(c.eve)).toEqual([])
  expect(names(c.anon)).toEqual([])
})

test('decline (direct): the caller gets call:declined then call:ended', async () => {
  const callId = await startCall(c.alice, DIRECT)
  await waitFor(c.bob, 'incoming-call')
  await ok(c.bob, 'call:decline', callId)
  await waitFor(c.alice, 'call:ended')
  await settle(all())
  expect(c.alice.events).toEqual([
    { event: 'call:declined', data: { callId, conversationId: DIRECT, by: ID.bob } },
    { event: 'call:ended', data: { callId, conversationId: DIRECT, by: ID.bob, reason: 'declined' } }
  ])
  expect(names(c.bob)).toEqual(['incoming-call'])
  for (const x of [c.carol, c.eve, c.anon]) expect(names(x)).toEqual([])
  // the call is gone: a second decline or an accept is refused
  const late = await emitAck(c.bob, 'call:accept', { callId })
  expect(late).toEqual({ ok: false, error: { code: 'CALL_NOT_FOUND', message: expect.any(String) } })
})

test('decline (group): the call goes on until everyone has declined', async () => {
  const callId = await startCall(c.alice, GROUP)
  await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
  await ok(c.bob, 'call:decline', callId)
  await settle(all())
  expect(names(c.alice)).toEqual(['call:declined'])
  expect(names(c.carol)).toEqual(['incoming-call']) // still ringing: told only how it ends
  await ok(c.carol, 'call:decline', callId)
  await settle(all())
  expect(c.alice.events).toEqual([
    { event: 'call:declined', data: { callId, conversationId: GROUP, by: ID.bob } },
    { event: 'call:declined', data: { callId, conversationId: GROUP, by: ID.carol } },
    { event: 'call:ended', data: { callId, conversationId: GROUP, by: ID.carol, reason: 'declined' } }
  ])
  expect(names(c.bob)).toEqual(['incoming-call'])
  expect(names(c.carol)).toEqual(['incoming-call'])
  expect(names(c.eve)).toEqual([])
})

test('cancel: everyone still ringing gets call:cancelled, nobody else anything', async () => {
  const callId = await startCall(c.alice, GROUP)
  await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
  await ok(c.alice, 'call:cancel', callId)
  const expected = { callId, conversationId: GROUP, by: ID.alice }
  expect(await waitFor(c.bob, 'call:cancelled')).toEqual(expected)
  expect(await waitFor(c.carol, 'call:cancelled')).toEqual(expected)
  await settle(all())
  expect(names(c.alice)).toEqual([])
  expect(names(c.bob)).toEqual(['incoming-call', 'call:cancelled'])
  expect(names(c.carol)).toEqual(['incoming-call', 'call:cancelled'])
  expect(names(c.eve)).toEqual([])
  expect(names(c.anon)).toEqual([])
})

test('only the caller can cancel', async () => {
  const callId = await startCall(c.alice, DIRECT)
  await waitFor(c.bob, 'incoming-call')
  const res = await emitAck(c.bob, 'call:cancel', { callId })
  expect(res).toEqual({ ok: false, error: { code: 'INVALID_STATE', message: expect.any(String) } })
  await ok(c.alice, 'call:end', callId) // call:end by a caller nobody answered = cancel
  expect(await waitFor(c.bob, 'call:cancelled')).toEqual({ callId, conversationId: DIRECT, by: ID.alice })
  await settle(all())
  expect(names(c.alice)).toEqual([])
  expect(names(c.bob)).toEqual(['incoming-call', 'call:cancelled'])
})

test('missed: nobody answers within ringTimeoutMs (200 ms)', async () => {
  const t0 = Date.now()
  const callId = await startCall(s.alice, GROUP)
  // the caller hears who missed it; each who missed it is told just that
  const missed = { callId, conversationId: GROUP, userIds: [ID.bob, ID.carol] }
  expect(await waitFor(s.alice, 'call:ended', undefined, 2000))
    .toEqual({ callId, conversationId: GROUP, by: null, reason: 'missed' })
  expect(Date.now() - t0).toBeGreaterThanOrEqual(150)
  await settle(Object.values(s))
  expect(s.alice.events).toEqual([
    { event: 'call:missed', data: missed },
    { event: 'call:ended', data: { callId, conversationId: GROUP, by: null, reason: 'missed' } }
  ])
  expect(s.bob.events).toEqual([
    { event: 'incoming-call', data: { callId, conversationId: GROUP, from: ID.alice, media: 'audio' } },
    { event: 'call:missed', data: { callId, conversationId: GROUP } }
  ])
  expect(names(s.carol)).toEqual(['incoming-call', 'call:missed'])
  expect(names(s.eve)).toEqual([])
  for (const x of all()) expect(names(x)).toEqual([]) // other namespace: nothing
})

test('missed in a group someone answered: only the one still ringing stops, the call goes on', async () => {
  const callId = await startCall(s.alice, GROUP)
  await waitFor(s.bob, 'incoming-call')
  await ok(s.bob, 'call:accept', callId)
  expect(await waitFor(s.carol, 'call:missed', undefined, 2000)).toEqual({ callId, conversationId: GROUP })
  await settle(Object.values(s))
  expect(s.alice.events.at(-1)).toEqual({ event: 'call:missed', data: { callId, conversationId: GROUP, userIds: [ID.carol] } })
  expect(names(s.alice)).toEqual(['call:accepted', 'call:missed'])
  expect(names(s.bob)).toEqual(['incoming-call', 'call:missed'])
  expect(names(s.carol)).toEqual(['incoming-call', 'call:missed'])
  await ok(s.alice, 'call:end', callId)
  expect(await waitFor(s.bob, 'call:ended')).toEqual({ callId, conversationId: GROUP, by: ID.alice, reason: 'hangup' })
  await settle(Object.values(s))
  expect(names(s.carol)).toEqual(['incoming-call', 'call:missed'])
  expect(names(s.eve)).toEqual([])
})

test('busy: calling someone already in a call tells the caller, and nobody else', async () => {
  const callId = await startCall(c.alice, DIRECT)
  await waitFor(c.bob, 'incoming-call')
  await ok(c.bob, 'call:accept', callId)
  await waitFor(c.alice, 'call:accepted')
  for (const x of all()) x.events.length = 0

  // direct: the only callee is busy, so the call is over at once
  const busyId = await startCall(c.carol, BOB_CAROL)
  await waitFor(c.carol, 'call:ended')
  await settle(all())
  expect(c.carol.events).toEqual([
    { event: 'call:busy', data: { callId: busyId, conversationId: BOB_CAROL, userIds: [ID.bob] } },
    { event: 'call:ended', data: { callId: busyId, conversationId: BOB_CAROL, by: null, reason: 'busy' } }
  ])
  for (const x of [c.alice, c.bob, c.eve, c.anon]) expect(names(x)).toEqual([])

  // group: both others busy
  const groupId = await startCall(c.carol, GROUP, 'video')
  await waitFor(c.carol, 'call:ended', d => d.callId === groupId)
  await settle(all())
  expect(c.carol.events.slice(2)).toEqual([
    { event: 'call:busy', data: { callId: groupId, conversationId: GROUP, userIds: [ID.alice, ID.bob] } },
    { event: 'call:ended', data: { callId: groupId, conversationId: GROUP, by: null, reason: 'busy' } }
  ])
  for (const x of [c.alice, c.bob, c.eve, c.anon]) expect(names(x)).toEqual([])

  // a caller already in a call cannot start another
  const again = await emitAck(c.alice, 'call:start', { conversationId: GROUP, media: 'audio' })
  expect(again).toEqual({ ok: false, error: { code: 'ALREADY_IN_CALL', message: expect.any(String), callId } })

  await ok(c.alice, 'call:end', callId)
  await waitFor(c.bob, 'call:ended')
})

test('busy in a group: the busy one is skipped, the others ring', async () => {
  const eveCall = await startCall(c.eve, EVE_CAROL) // carol is ringing for eve: busy for anyone else
  await waitFor(c.carol, 'incoming-call')
  const callId = await startCall(c.alice, GROUP)
  expect(await waitFor(c.alice, 'call:busy')).toEqual({ callId, conversationId: GROUP, userIds: [ID.carol] })
  expect(await waitFor(c.bob, 'incoming-call')).toEqual({ callId, conversationId: GROUP, from: ID.alice, media: 'audio' })
  await settle(all())
  expect(names(c.alice)).toEqual(['call:busy'])
  expect(names(c.bob)).toEqual(['incoming-call'])
  expect(c.carol.events).toEqual([
    { event: 'incoming-call', data: { callId: eveCall, conversationId: EVE_CAROL, from: ID.eve, media: 'audio' } }
  ])
  expect(names(c.eve)).toEqual([])
  await ok(c.alice, 'call:cancel', callId)
  await ok(c.eve, 'call:cancel', eveCall)
  await Promise.all([waitFor(c.bob, 'call:cancelled'), waitFor(c.carol, 'call:cancelled')])
})

test('an outsider is refused and reaches nobody; an anonymous socket too', async () => {
  const res = await emitAck(c.eve, 'call:start', { conversationId: GROUP, media: 'audio' })
  expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } })
  const unknown = await emitAck(c.eve, 'call:start', { conversationId: '65c0000000000000000000ee', media: 'audio' })
  expect(unknown).toEqual(res)

  const callId = await startCall(c.alice, GROUP)
  await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
  for (const event of ['call:accept', 'call:decline', 'call:cancel', 'call:end']) {
    const r = await emitAck(c.eve, event, { callId })
    expect(r).toEqual({ ok: false, error: { code: 'CALL_NOT_FOUND', message: expect.any(String) } })
    const a = await emitAck(c.anon, event, { callId })
    expect(a).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } })
  }
  const anonStart = await emitAck(c.anon, 'call:start', { conversationId: GROUP })
  expect(anonStart.error.code).toBe('UNAUTHENTICATED')
  await settle(all())
  expect(names(c.alice)).toEqual([])
  expect(names(c.bob)).toEqual(['incoming-call'])
  expect(names(c.carol)).toEqual(['incoming-call'])
  expect(names(c.eve)).toEqual([])
  expect(names(c.anon)).toEqual([])
  // the call is untouched
  await ok(c.bob, 'call:accept', callId)
  await ok(c.alice, 'call:cancel', callId) // the caller leaves: bob (joined) and carol (ringing) go on
  await ok(c.bob, 'call:end', callId)
  expect(await waitFor(c.carol, 'call:cancelled')).toEqual({ callId, conversationId: GROUP, by: ID.bob })
})

test('bad payloads never throw in the server; acks are optional', async () => {
  const invalid = { ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.any(String) } }
  for (const payload of [undefined, null, 'x', 42, [], {}, { conversationId: 5 }, { conversationId: 'a/b' },
    { conversationId: GROUP, media: 'hologram' }, { conversationId: 'x'.repeat(65) }]) {
    expect(await emitAck(c.alice, 'call:start', payload)).toEqual(invalid)
  }
  for (const payload of [undefined, null, 'x', {}, { callId: 7 }, { callId: '' }, { callId: 'x'.repeat(200) }]) {
    for (const event of ['call:accept', 'call:decline', 'call:cancel', 'call:end']) {
      expect(await emitAck(c.bob, event, payload)).toEqual(invalid)
    }
  }
  // an ack callback as the only argument
  const onlyAck = await c.alice.socket.timeout(1000).emitWithAck('call:start')
  expect(onlyAck).toEqual(invalid)
  expect(await emitAck(c.alice, 'call:start', { conversationId: SOLO })).toEqual({
    ok: false, error: { code: 'NO_ONE_TO_CALL', message: expect.any(String) }
  })
  // no acks at all, bad and good
  c.alice.socket.emit('call:start', null)
  c.alice.socket.emit('call:accept', { callId: 'nope' })
  c.alice.socket.emit('call:end')
  c.alice.socket.emit('call:start', { conversationId: DIRECT, media: 'video' })
  const ring = await waitFor(c.bob, 'incoming-call')
  expect(ring).toMatchObject({ conversationId: DIRECT, from: ID.alice, media: 'video' })
  c.bob.socket.emit('call:decline', { callId: ring.callId })
  await waitFor(c.alice, 'call:ended')
  await settle(all())
  expect(names(c.alice)).toEqual(['call:declined', 'call:ended'])
  expect(names(c.eve)).toEqual([])
})

test('disconnects: a ringing user declines, a joined user leaves, a lone caller cancels', async () => {
  const bob2 = connectClient(url, { userId: ID.bob })
  const carol2 = connectClient(url, { userId: ID.carol })
  await Promise.all([bob2.ready, carol2.ready])
  try {
    const callId = await startCall(c.alice, GROUP)
    // every device of a user rings
    await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(bob2, 'incoming-call'), waitFor(carol2, 'incoming-call')])
    await ok(bob2, 'call:accept', callId)
    // the other device of bob learns he accepted elsewhere (so it stops ringing); the accepting one does not
    expect(await waitFor(c.bob, 'call:accepted')).toEqual({ callId, conversationId: GROUP, by: ID.bob })

    // carol has two devices: closing one changes nothing
    carol2.socket.disconnect()
    // carol's last device goes away while ringing: counts as a decline
    c.carol.socket.disconnect()
    expect(await waitFor(c.alice, 'call:declined')).toEqual({ callId, conversationId: GROUP, by: ID.carol })
    expect(await waitFor(bob2, 'call:declined')).toEqual({ callId, conversationId: GROUP, by: ID.carol })
    await settle([c.alice, c.bob, bob2, c.eve])
    expect(names(c.alice)).toEqual(['call:accepted', 'call:declined'])

    // bob's devices go away: he leaves, the call is over for alice
    c.bob.socket.disconnect()
    bob2.socket.disconnect()
    expect(await waitFor(c.alice, 'call:ended')).toEqual({ callId, conversationId: GROUP, by: ID.bob, reason: 'disconnect' })
    await settle([c.alice, c.eve])
    expect(names(c.alice)).toEqual(['call:accepted', 'call:declined', 'call:ended'])
    expect(names(c.eve)).toEqual([])
  } finally {
    disconnectAll([bob2, carol2])
    c.bob = connectClient(url, { userId: ID.bob })
    c.carol = connectClient(url, { userId: ID.carol })
    await Promise.all([c.bob.ready, c.carol.ready])
    everyone = [...Object.values(c), ...Object.values(s)]
  }

  // a caller who disconnects while nobody answered cancels the call
  const alice2 = connectClient(url, { userId: ID.alice })
  await alice2.ready
  const callId = await startCall(alice2, DIRECT)
  await waitFor(c.bob, 'incoming-call')
  c.alice.socket.disconnect() // another device of alice: nothing happens
  await settle([alice2, c.bob])
  expect(names(c.bob)).toEqual(['incoming-call'])
  alice2.socket.disconnect()
  expect(await waitFor(c.bob, 'call:cancelled')).toEqual({ callId, conversationId: DIRECT, by: ID.alice })
  c.alice = connectClient(url, { userId: ID.alice })
  await c.alice.ready
  everyone = [...Object.values(c), ...Object.values(s)]
})

describe('notifyIncomingCall', () => {
  test('emits incoming-call to every other participant room, never to the caller', async () => {
    const conversation = conversations.get(GROUP)
    const notified = notifyIncomingCall(io, conversation, new ObjectId(ID.bob), { media: 'video', from: 'forged' })
    expect(notified).toEqual([ID.alice, ID.carol])
    const expected = { media: 'video', conversationId: GROUP, from: ID.bob }
    expect(await waitFor(c.alice, 'incoming-call')).toEqual(expected)
    expect(await waitFor(c.carol, 'incoming-call')).toEqual(expected)
    await settle(all())
    expect(names(c.bob)).toEqual([])
    expect(names(c.eve)).toEqual([])
    expect(names(c.anon)).toEqual([])
    expect(names(c.alice)).toEqual(['incoming-call'])
  })

  test('a room(userId) option and populated participants', async () => {
    const k = {}
    for (const name of ['alice', 'bob', 'carol']) k[name] = connectClient(`${url}/custom`, { userId: ID[name] })
    await Promise.all(Object.values(k).map(x => x.ready))
    try {
      const nsp = io.of('/custom')
      notifyIncomingCall(nsp, conversations.get(DIRECT), ID.alice, { callId: 'x1' }, { room: id => `user:${id}` })
      expect(await waitFor(k.bob, 'incoming-call')).toEqual({ callId: 'x1', conversationId: DIRECT, from: ID.alice })
      // default room names do not exist on /custom: nobody gets it
      notifyIncomingCall(nsp, conversations.get(DIRECT), ID.alice, { callId: 'x2' })
      await settle(Object.values(k))
      expect(names(k.bob)).toEqual(['incoming-call'])
      expect(names(k.alice)).toEqual([])
      expect(names(k.carol)).toEqual([])
    } finally {
      disconnectAll(Object.values(k))
    }
  })

  test('argument errors', () => {
    expect(() => notifyIncomingCall(io, { participants: 'nope' }, ID.alice)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => notifyIncomingCall(io, conversations.get(GROUP), ID.eve)).toThrow(
      expect.objectContaining({ code: 'ERR_AGORA_NOT_PARTICIPANT' }))
    expect(() => notifyIncomingCall({}, conversations.get(GROUP), ID.alice)).toThrow(TypeError)
  })
})

describe('attachCallSignaling options and store', () => {
  test('options are validated', () => {
    const cases = [
      [undefined, 'ERR_INVALID_ARG_TYPE'],
      [{}, 'ERR_INVALID_ARG_TYPE'],
      [{ findConversation, ringTimeoutMs: 0 }, 'ERR_OUT_OF_RANGE'],
      [{ findConversation, ringTimeoutMs: '5' }, 'ERR_INVALID_ARG_TYPE'],
      [{ findConversation, room: 'user' }, 'ERR_INVALID_ARG_TYPE'],
      [{ findConversation, store: {} }, 'ERR_INVALID_ARG_TYPE'],
      [{ findConversation, getUserId: 1 }, 'ERR_INVALID_ARG_TYPE']
    ]
    for (const [options, code] of cases) {
      expect(() => attachCallSignaling(io.of('/unused'), options)).toThrow(expect.objectContaining({ code }))
    }
    expect(() => attachCallSignaling(null, { findConversation })).toThrow(TypeError)
  })

  // MemoryCallStore itself: test/call/memory-store.test.js runs the store contract suite on it.

  test('close() clears pending ring timers', async () => {
    const nsp = io.of('/closing')
    nsp.use(testAuth)
    const h = attachCallSignaling(nsp, { findConversation, ringTimeoutMs: 100, onError: err => faults.push(err) })
    const a = connectClient(`${url}/closing`, { userId: ID.alice })
    const b = connectClient(`${url}/closing`, { userId: ID.bob })
    await Promise.all([a.ready, b.ready])
    try {
      await startCall(a, DIRECT)
      await waitFor(b, 'incoming-call')
      h.close()
      const after = await emitAck(a, 'call:end', { callId: 'x' }, 150).catch(() => 'no answer')
      expect(after).toBe('no answer') // listeners are gone
      await expect(waitFor(b, 'call:missed', undefined, 250)).rejects.toThrow(/timed out/)
    } finally {
      disconnectAll([a, b])
    }
  })
})

test('the npm start demo: alice calls bob, both get tokens for the same channel, dave gets 403', async () => {
  const demo = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, ringTimeoutMs: 1000 })
  const alice = connectClient(demo.url, { userId: demo.users.alice })
  const bob = connectClient(demo.url, { userId: demo.users.bob })
  try {
    await Promise.all([alice.ready, bob.ready])
    const rejected = connectClient(demo.url, { userId: 'nobody' })
    await expect(rejected.ready).rejects.toThrow(/unauthorized/)
    rejected.socket.disconnect()

    const callId = await startCall(alice, demo.conversations.direct, 'video')
    expect(await waitFor(bob, 'incoming-call')).toEqual({
      callId, conversationId: demo.conversations.direct, from: demo.users.alice, media: 'video'
    })
    await ok(bob, 'call:accept', callId)
    await waitFor(alice, 'call:accepted')
    const get = user => request(demo.url).post('/api/call/token')
      .set('Authorization', `Bearer ${user}`).send({ channelName: demo.conversations.direct })
    const [ta, tb, td] = await Promise.all([get(demo.users.alice), get(demo.users.bob), get(demo.users.dave)])
    expect(act.parseToken(ta.body.token).services[0].channelName).toBe(demo.conversations.direct)
    expect(act.parseToken(tb.body.token).services[0].channelName).toBe(demo.conversations.direct)
    expect(td.status).toBe(403)
    await ok(alice, 'call:end', callId)
    await waitFor(bob, 'call:ended')
  } finally {
    disconnectAll([alice, bob])
    await demo.close()
  }
})

test('the demo with RINGING_OFFLINE=keep logs onRingOffline at the start (Carol, no socket) and when Bob\'s last socket drops while ringing', async () => {
  const logged = []
  const spy = jest.spyOn(console, 'log').mockImplementation((...a) => { logged.push(a.join(' ')) })
  const demo = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, ringingOffline: 'keep' })
  const alice = connectClient(demo.url, { userId: demo.users.alice })
  const bob = connectClient(demo.url, { userId: demo.users.bob })
  try {
    await Promise.all([alice.ready, bob.ready])
    const callId = await startCall(alice, demo.conversations.group, 'video')
    await waitFor(bob, 'incoming-call')
    bob.socket.disconnect()
    const deadline = Date.now() + 3000
    const offline = () => logged.filter(l => l.startsWith('[demo] ring offline') && l.includes(callId))
    while (offline().length < 2 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    expect(offline().map(l => l.replace(/^.*users /, ''))).toEqual(['Carol', 'Bob'])
    await settle([alice])
    expect(names(alice)).not.toContain('call:declined') // Bob rings on: a push could still bring him
    await ok(alice, 'call:cancel', callId)
  } finally {
    spy.mockRestore()
    disconnectAll([alice, bob])
    await demo.close()
  }
})

test('the demo with real credentials: AGORA_NCS_SECRET set takes signed notifications at /agora/events (no simulator); unset, no route', async () => {
  const secret = 'ncs-' + crypto.randomBytes(8).toString('hex')
  const withSecret = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, ncsSecret: secret, quiet: true })
  const without = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, ncsSecret: '', quiet: true })
  try {
    const payload = { channelName: withSecret.conversations.direct, uid: 7, account: withSecret.users.alice, platform: 7, ts: 1 }
    const raw = notice(103, payload)
    const post = (demo, headers) => request(demo.url).post('/agora/events').set(headers).send(raw)
    const good = await post(withSecret, sign(raw, secret))
    const bad = await post(withSecret, sign(raw, secret + 'x'))
    const media = await request(withSecret.url).post('/api/call/media')
      .set('Authorization', `Bearer ${withSecret.users.alice}`).send({ channelName: withSecret.conversations.direct, action: 'join' })
    const none = await post(without, sign(raw, secret))
    expect({
      modes: [withSecret.channelEvents, without.channelEvents],
      statuses: [good.status, bad.status, media.status, none.status],
      simulator: media.body.error.code,
      leaks: [good, bad, none].some(r => JSON.stringify(r.body).includes(secret))
    }).toEqual({ modes: ['agora', 'off'], statuses: [200, 401, 404, 404], simulator: 'NOT_SIMULATED', leaks: false })
  } finally {
    await withSecret.close()
    await without.close()
  }
})

describe('the demo call page and its routes', () => {
  let demo
  beforeAll(async () => {
    demo = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT })
  })
  afterAll(() => demo && demo.close())

  test('serves the page, its script and the socket.io client', async () => {
    const page = await request(demo.url).get('/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<script src="/socket.io/socket.io.js"></script>')
    expect(page.text).toContain('Call by conversation id')
    expect((await request(demo.url).get('/app.js')).status).toBe(200)
    const client = await request(demo.url).get('/socket.io/socket.io.js')
    expect(client.status).toBe(200)
    expect(client.headers['content-type']).toMatch(/javascript/)
  })

  test('GET /api/config tells whether media can work, and why not', async () => {
    const config = await request(demo.url).get('/api/config')
    expect(config.body).toMatchObject({ appId: APP_ID, throwawayCredentials: false, redis: false })
    expect(JSON.stringify(config.body)).not.toContain(CERT)
    let installed = true
    try {
      require.resolve('agora-rtc-sdk-ng')
    } catch (_) {
      installed = false
    }
    expect(config.body.media.enabled).toBe(installed)
    const sdk = await request(demo.url).get('/vendor/AgoraRTC_N.js')
    expect(sdk.status).toBe(installed ? 200 : 404)

    const noSdk = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, agoraSdk: null })
    try {
      const res = await request(noSdk.url).get('/api/config')
      expect(res.body.media).toEqual({ enabled: false, reason: expect.stringMatching(/agora-rtc-sdk-ng is not installed/), sdkUrl: null })
      expect((await request(noSdk.url).get('/vendor/AgoraRTC_N.js')).status).toBe(404)
    } finally {
      await noSdk.close()
    }
  })

  test('GET /api/call/inspect decodes a token with parseToken, for a logged-in user', async () => {
    const { users, conversations: convs } = demo
    const issued = await request(demo.url).post('/api/call/token')
      .set('Authorization', `Bearer ${users.bob}`).send({ channelName: convs.group })
    const inspect = token => request(demo.url).get('/api/call/inspect').query({ token })
      .set('Authorization', `Bearer ${users.bob}`)
    const res = await inspect(issued.body.token)
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.valid).toBe(true)
    expect(res.body.token).toEqual(act.parseToken(issued.body.token))
    expect(res.body.token.services[0]).toMatchObject({ channelName: convs.group, account: users.bob })
    expect(res.text).not.toContain(CERT)
    // signed with another certificate: decoded, but not valid
    const foreign = act.buildRtcToken({ appId: APP_ID, appCertificate: crypto.randomBytes(16).toString('hex'), channelName: 'x', uid: 1 })
    expect((await inspect(foreign)).body).toMatchObject({ valid: false, reason: 'signature' })
    expect((await inspect('garbage')).status).toBe(400)
    expect((await request(demo.url).get('/api/call/inspect').set('Authorization', `Bearer ${users.bob}`)).status).toBe(400)
    expect((await request(demo.url).get('/api/call/inspect').query({ token: issued.body.token })).status).toBe(401)
  })
})

test('without REDIS_URL, neither lib/socket.js nor the demo server loads a Redis package', () => {
  const { execFileSync } = require('child_process')
  const path = require('path')
  const script = `
    const redisPackages = () => Object.keys(require.cache)
      .filter(f => /node_modules[\\\\/](redis|@redis[\\\\/][^\\\\/]+|@socket[.]io[\\\\/]redis-adapter)[\\\\/]/.test(f));
    require('./lib/socket');
    const afterLib = redisPackages();
    const { createDemoServer } = require('./example/server');
    createDemoServer({ port: 0, redisUrl: process.env.REDIS_URL }).then(async demo => {
      const out = { afterLib, afterStart: redisPackages(), redis: demo.redis };
      await demo.close();
      process.stdout.write(JSON.stringify(out));
    });`
  const env = { ...process.env }
  delete env.REDIS_URL
  const out = execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), env })
  expect(JSON.parse(out)).toEqual({ afterLib: [], afterStart: [], redis: false })
})
