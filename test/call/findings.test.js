'use strict'

// Issue 11's eight findings, one describe each, against the public API only
// (agora-call-token, /express, /socket) and the behaviour fixed in the
// issue's contract. Real socket.io servers on 127.0.0.1 with real
// socket.io-client users, real HTTP (supertest, or node's http with a
// keep-alive agent where the timing matters), real bson 7 ObjectIds and a
// real mongoose CastError. Servers that must be measured while they block run
// in a worker thread (test/helpers/call-worker.js), so that this thread's
// deadlines still fire and a stuck server is terminated instead of waited for.
//
// Every deadline here is generous (2 shared slow cores): the point is to
// separate O(n) from O(n^2), one query from a 10,000-element walk, an answer
// from no answer at all.

const createHttpError = require('http-errors')
const mongoose = require('mongoose')
const { ObjectId } = require('bson')
const act = require('../../lib/index')
const { notifyIncomingCall } = require('../../lib/socket')
const { waitFor, sleep, disconnectAll } = require('../helpers/sockets')
const { ALICE, BOB, EVE, within, ask, deferred, startServer, record, findById, token } = require('./helpers/findings')

// -----------------------------------------------------------------------------

describe('finding 2: a caller who disconnects during call:start leaves no live call', () => {
  const DIRECT = '65c0000000000000000c0002'
  const conversations = new Map([[DIRECT, record(DIRECT, [ALICE, BOB])]])
  let srv
  let hold = null // while set, lookups wait for it
  let delayMs = 0 // every lookup takes this long
  let lookupStarted = deferred()
  const gone = new Map() // socket id -> resolved once the server saw it disconnect
  /** Disconnects the client; resolves once the server has seen it go. */
  function hangUp(client) {
    const { id } = client.socket // the server's socket id too; undefined once disconnected
    client.socket.disconnect()
    return within(gone.get(id).promise, 2000, 'server-side disconnect')
  }

  beforeAll(async () => {
    srv = await startServer({
      findConversation: async id => {
        lookupStarted.resolve()
        if (hold) await hold
        if (delayMs) await sleep(delayMs)
        return conversations.get(id) ?? null
      },
      signaling: { ringTimeoutMs: 60000, ringRateLimit: false }
    })
    // registered after attachCallSignaling: runs after the library's own disconnect listener
    srv.io.on('connection', socket => {
      const d = deferred()
      gone.set(socket.id, d)
      socket.on('disconnect', () => d.resolve())
    })
  })
  afterAll(() => srv.close())

  /** Every call bob was rung for, except `live`, was called off with call:cancelled; none can be accepted. */
  async function assertNothingLeftRinging(bob, live) {
    await ask(bob, 'call:end', {}) // round trip: what the server sent before is delivered
    const rung = bob.events.filter(e => e.event === 'incoming-call').map(e => e.data.callId).filter(id => id !== live)
    const cancelled = new Set(bob.events.filter(e => e.event === 'call:cancelled').map(e => e.data.callId))
    for (const callId of rung) {
      expect({ callId, cancelled: cancelled.has(callId) }).toEqual({ callId, cancelled: true })
      expect((await ask(bob, 'call:accept', { callId })).ok).toBe(false)
    }
  }

  test('disconnect while the lookup is pending: the caller, back online, can call again; bob is not left ringing', async () => {
    const bob = await srv.connect(BOB)
    const release = deferred()
    hold = release.promise
    lookupStarted = deferred()
    const alice1 = await srv.connect(ALICE)
    alice1.socket.emit('call:start', { conversationId: DIRECT, media: 'audio' }, () => {})
    await within(lookupStarted.promise, 2000, 'findConversation')
    await hangUp(alice1)
    await sleep(50) // the library's disconnect handling, whatever it awaits
    hold = null
    release.resolve()
    await sleep(100) // the start it held is over

    const alice2 = await srv.connect(ALICE)
    const again = await ask(alice2, 'call:start', { conversationId: DIRECT, media: 'audio' }, 2000)
    expect(again).toEqual({ ok: true, callId: expect.any(String) })
    await assertNothingLeftRinging(bob, again.callId)
    expect(await ask(alice2, 'call:cancel', { callId: again.callId })).toEqual({ ok: true, callId: again.callId })
    await ask(bob, 'call:end', {})
    expect(srv.handles['/'].store.size).toBe(0)
    alice2.socket.disconnect()
    bob.socket.disconnect()
  })

  test('10 rounds of a 5 ms lookup and an immediate disconnect: never a stuck caller or a ringing callee', async () => {
    const bob = await srv.connect(BOB)
    delayMs = 5
    for (let round = 0; round < 10; round++) {
      const alice1 = await srv.connect(ALICE)
      alice1.socket.emit('call:start', { conversationId: DIRECT, media: 'video' }, () => {})
      await hangUp(alice1) // right after the emit, as a flaky network would
      await sleep(50) // the lookup and the start are over
      const alice2 = await srv.connect(ALICE)
      const again = await ask(alice2, 'call:start', { conversationId: DIRECT, media: 'video' }, 2000)
      expect({ round, again }).toEqual({ round, again: { ok: true, callId: expect.any(String) } })
      expect(await ask(alice2, 'call:cancel', { callId: again.callId })).toEqual({ ok: true, callId: again.callId })
      await hangUp(alice2)
    }
    delayMs = 0
    await assertNothingLeftRinging(bob, null)
    expect(srv.handles['/'].store.size).toBe(0)
    bob.socket.disconnect()
  }, 20000)
})

// -----------------------------------------------------------------------------

describe('finding 3: one conversation is one channel, one user one account, whatever the spelling', () => {
  const CONV = '65c0ffee00000000000000ab' // record with an ObjectId _id
  const NOID = '65c0ffee00000000000000cd' // record without _id or id
  const byHex = new Map([
    [CONV, record(CONV, [ALICE, BOB])],
    [NOID, { participants: [new ObjectId(ALICE), new ObjectId(BOB)] }]
  ])
  const mixed = s => s.replace(/[a-f]/g, (ch, i) => (i % 2 ? ch.toUpperCase() : ch))
  let srv

  beforeAll(async () => {
    srv = await startServer({
      findConversation: findById(byHex),
      router: { getUserId: req => req.get('x-user') }, // a string id, as req.user.id would be
      signaling: { ringTimeoutMs: 60000, ringRateLimit: false }
    })
  })
  afterAll(() => srv.close())

  test('two members asking with two spellings of one id get tokens for one channel: the record\'s own id', async () => {
    for (const id of [CONV, NOID]) {
      const [a, b] = await Promise.all([
        token(srv.server, ALICE, { channelName: id.toUpperCase() }),
        token(srv.server, BOB, { conversationId: mixed(id) })
      ])
      expect([a.status, b.status]).toEqual([200, 200])
      expect([a.body.channelName, b.body.channelName]).toEqual([id, id])
      const channels = [a, b].map(r => act.parseToken(r.body.token).services[0].channelName)
      expect(channels).toEqual([id, id])
    }
  })

  test('the Agora account is the canonical (lowercase) user key, the same one the socket side uses', async () => {
    const res = await token(srv.server, ALICE.toUpperCase(), { channelName: CONV })
    expect(res.status).toBe(200)
    expect(res.body.account).toBe(ALICE)
    expect(act.parseToken(res.body.token).services[0].account).toBe(ALICE)

    const alice = await srv.connect(ALICE.toUpperCase())
    const bob = await srv.connect(BOB)
    const start = await ask(alice, 'call:start', { conversationId: CONV })
    expect(start.ok).toBe(true)
    const ring = await waitFor(bob, 'incoming-call', d => d.callId === start.callId)
    expect(ring.from).toBe(res.body.account)
    expect((await ask(alice, 'call:cancel', { callId: start.callId })).ok).toBe(true)
    disconnectAll([alice, bob])
  })

  test('incoming-call carries the record\'s canonical id, not the caller\'s spelling', async () => {
    const alice = await srv.connect(ALICE)
    const bob = await srv.connect(BOB)
    for (const spelling of [CONV.toUpperCase(), mixed(CONV)]) {
      const start = await ask(alice, 'call:start', { conversationId: spelling })
      expect(start.ok).toBe(true)
      const ring = await waitFor(bob, 'incoming-call', d => d.callId === start.callId)
      expect(ring).toEqual({ callId: start.callId, conversationId: CONV, from: ALICE, media: 'audio' })
      expect((await ask(alice, 'call:cancel', { callId: start.callId })).ok).toBe(true)
    }
    disconnectAll([alice, bob])
  })

  test('notifyIncomingCall: a record whose _id is an uppercase 24-hex string rings with the canonical id', async () => {
    const bob = await srv.connect(BOB)
    const notified = notifyIncomingCall(srv.io, { _id: CONV.toUpperCase(), participants: [ALICE, BOB] }, ALICE, { media: 'video' })
    expect(notified).toEqual([BOB])
    expect(await waitFor(bob, 'incoming-call')).toEqual({ media: 'video', conversationId: CONV, from: ALICE })
    bob.socket.disconnect()
  })
})

// -----------------------------------------------------------------------------

describe('finding 4: user ids "__proto__", "constructor", "hasOwnProperty" work like any other', () => {
  const TEAM = 'team-proto' // string ids, as usernames would be
  const PAIR = 'pair-proto'
  const conversations = new Map([
    [TEAM, { _id: TEAM, participants: ['alice', '__proto__', 'constructor', 'hasOwnProperty'] }],
    [PAIR, { _id: PAIR, participants: ['alice', '__proto__'] }]
  ])
  let srv

  beforeAll(async () => {
    srv = await startServer({
      findConversation: async id => conversations.get(id) ?? null,
      signaling: { ringTimeoutMs: 60000, ringRateLimit: false },
      namespaces: { '/short': { ringTimeoutMs: 200, ringRateLimit: false } }
    })
  })
  afterAll(() => srv.close())

  test('each of them is rung and can accept; the caller hears every accept', async () => {
    const alice = await srv.connect('alice')
    const others = new Map() // not an object: others['__proto__'] = x would set its prototype
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) others.set(name, await srv.connect(name))
    expect(others.size).toBe(3)
    const start = await ask(alice, 'call:start', { conversationId: TEAM })
    expect(start.ok).toBe(true)
    const { callId } = start
    for (const [name, client] of others) {
      expect(await waitFor(client, 'incoming-call', d => d.callId === callId))
        .toEqual({ callId, conversationId: TEAM, from: 'alice', media: 'audio' })
      expect({ name, ack: await ask(client, 'call:accept', { callId }) }).toEqual({ name, ack: { ok: true, callId } })
      expect(await waitFor(alice, 'call:accepted', d => d.by === name)).toEqual({ callId, conversationId: TEAM, by: name })
    }
    for (const client of [alice, ...others.values()]) await ask(client, 'call:end', { callId })
    expect(srv.handles['/'].store.size).toBe(0)
    disconnectAll([alice, ...others.values()])
  })

  test('a call to "__proto__" that nobody answers is missed at the ring timeout, and the caller is free again', async () => {
    const alice = await srv.connect('alice', '/short')
    const proto = await srv.connect('__proto__', '/short')
    const start = await ask(alice, 'call:start', { conversationId: PAIR })
    expect(start.ok).toBe(true)
    const { callId } = start
    await waitFor(proto, 'incoming-call', d => d.callId === callId)
    expect(await waitFor(alice, 'call:missed', d => d.callId === callId, 2000))
      .toEqual({ callId, conversationId: PAIR, userIds: ['__proto__'] })
    expect(await waitFor(alice, 'call:ended', d => d.callId === callId, 2000))
      .toEqual({ callId, conversationId: PAIR, by: null, reason: 'missed' })
    const again = await ask(alice, 'call:start', { conversationId: PAIR })
    expect(again).toEqual({ ok: true, callId: expect.any(String) })
    expect((await ask(alice, 'call:cancel', { callId: again.callId })).ok).toBe(true)
    expect(srv.handles['/short'].store.size).toBe(0)
    disconnectAll([alice, proto])
  })
})

// -----------------------------------------------------------------------------

describe('finding 5: the router maps every lookup failure that is not a body error to 500 INTERNAL', () => {
  let failure // what findConversation does next
  let srv

  beforeAll(async () => {
    srv = await startServer({ findConversation: (...args) => failure(...args) })
  })
  afterAll(() => srv.close())

  async function expectInternal(what) {
    srv.routerErrors.length = 0
    const res = await token(srv.server, ALICE, { channelName: '65c000000000000000000001' })
    expect({ what, status: res.status, type: res.type, body: res.body })
      .toEqual({ what, status: 500, type: 'application/json', body: { error: { code: 'INTERNAL', message: expect.any(String) } } })
    expect({ what, onErrorCalls: srv.routerErrors.length }).toEqual({ what, onErrorCalls: 1 })
    return srv.routerErrors[0]
  }

  test('a rejection with undefined or null (async or thrown) is a JSON 500 and reaches onError', async () => {
    for (const [what, fn] of [
      ['reject undefined', () => Promise.reject(undefined)],
      ['reject null', () => Promise.reject(null)],
      ['throw undefined', () => { throw undefined }]
    ]) {
      failure = fn
      const { err, req } = await expectInternal(what)
      // onError gets an Error (loggers read .stack) that keeps what was thrown as its cause
      expect(err).toBeInstanceOf(Error)
      expect(err.cause == null).toBe(true)
      expect(req.get('x-user')).toBe(ALICE)
    }
  })

  test('an http-errors 404 (or its shape) is a 500, not INVALID_BODY; a mongoose CastError stays "not found" (403)', async () => {
    for (const [what, fn] of [
      ['http-errors 404', () => Promise.reject(createHttpError(404))],
      ['{ status: 404, expose: true }', () => Promise.reject({ status: 404, expose: true })]
    ]) {
      failure = fn
      await expectInternal(what)
    }
    failure = id => Promise.reject(new mongoose.Error.CastError('ObjectId', id, '_id'))
    srv.routerErrors.length = 0
    const res = await token(srv.server, ALICE, { channelName: 'not-an-object-id' })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
    expect(srv.routerErrors).toEqual([])
  })
})

// -----------------------------------------------------------------------------

describe('finding 7: bounds on lookups, ringing and refused starts', () => {
  const DIRECT = '65c0000000000000000e0002'
  const HANG = '65c0000000000000000e0bad' // its lookup never settles
  const conversations = new Map([[DIRECT, record(DIRECT, [ALICE, BOB])]])
  const lookups = []
  const findConversation = id => {
    lookups.push(id)
    if (id === HANG) return new Promise(() => {})
    return Promise.resolve(conversations.get(id) ?? null)
  }
  let srv // lookupTimeoutMs 200
  let dflt // every option at its default

  beforeAll(async () => {
    srv = await startServer({
      findConversation,
      router: { lookupTimeoutMs: 200 },
      signaling: { lookupTimeoutMs: 200, ringTimeoutMs: 60000, ringRateLimit: false }
    })
    dflt = await startServer({ findConversation })
  })
  afterAll(async () => {
    await srv.close()
    await dflt.close()
  })

  test('lookupTimeoutMs 200: the route answers 503 LOOKUP_TIMEOUT, the ack LOOKUP_TIMEOUT, and the caller can call again', async () => {
    let t0 = performance.now()
    const res = await token(srv.server, ALICE, { channelName: HANG }).timeout(3000)
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('LOOKUP_TIMEOUT')
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150)

    const alice = await srv.connect(ALICE)
    const bob = await srv.connect(BOB)
    t0 = performance.now()
    const ack = await ask(alice, 'call:start', { conversationId: HANG }, 3000)
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'LOOKUP_TIMEOUT' }) })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150)
    const next = await ask(alice, 'call:start', { conversationId: DIRECT }, 3000)
    expect(next).toEqual({ ok: true, callId: expect.any(String) })
    expect((await ask(alice, 'call:cancel', { callId: next.callId })).ok).toBe(true)
    disconnectAll([alice, bob])
  }, 10000)

  test('by default a lookup that never settles is answered after about 5 s (route 503, ack LOOKUP_TIMEOUT)', async () => {
    const alice = await dflt.connect(ALICE)
    const t0 = performance.now()
    const [res, ack] = await Promise.all([
      token(dflt.server, ALICE, { channelName: HANG }).timeout(8000),
      ask(alice, 'call:start', { conversationId: HANG }, 8000)
    ])
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('LOOKUP_TIMEOUT')
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'LOOKUP_TIMEOUT' }) })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4000)
    alice.socket.disconnect()
  }, 12000)

  test('ringRateLimit { max: 3 }: the 4th start in the window is RATE_LIMITED with retryAfterMs; the victim rang 3 times', async () => {
    const limited3 = await startServer({ findConversation, signaling: { ringRateLimit: { max: 3, windowMs: 60000 } } })
    const alice = await limited3.connect(ALICE)
    const alice2 = await limited3.connect(ALICE.toUpperCase()) // same user, other device and spelling
    const bob = await limited3.connect(BOB)
    try {
      for (let i = 0; i < 3; i++) {
        const caller = i % 2 ? alice2 : alice
        const start = await ask(caller, 'call:start', { conversationId: DIRECT })
        expect(start).toEqual({ ok: true, callId: expect.any(String) })
        expect((await ask(caller, 'call:cancel', { callId: start.callId })).ok).toBe(true)
      }
      const limited = await ask(alice2, 'call:start', { conversationId: DIRECT })
      expect(limited).toEqual({
        ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: expect.any(Number) }
      })
      expect(limited.error.retryAfterMs).toBeGreaterThan(0)
      expect(limited.error.retryAfterMs).toBeLessThanOrEqual(60000)
      await ask(bob, 'call:end', {})
      expect(bob.events.filter(e => e.event === 'incoming-call')).toHaveLength(3)
    } finally {
      await limited3.close()
    }
  })

  test('the default limit is 20 rings per minute per caller; ringRateLimit: false turns it off', async () => {
    const fresh = await startServer({ findConversation, namespaces: { '/free': { ringRateLimit: false } } })
    async function loop(ns, n) {
      const alice = await fresh.connect(ALICE, ns)
      const bob = await fresh.connect(BOB, ns)
      const acks = []
      for (let i = 0; i < n; i++) {
        const start = await ask(alice, 'call:start', { conversationId: DIRECT })
        acks.push(start.ok ? 'ok' : start.error.code)
        if (start.ok) await ask(alice, 'call:cancel', { callId: start.callId })
      }
      await ask(bob, 'call:end', {})
      const rings = bob.events.filter(e => e.event === 'incoming-call').length
      disconnectAll([alice, bob])
      return { acks, rings }
    }
    try {
      expect(await loop('', 21)).toEqual({ acks: [...Array(20).fill('ok'), 'RATE_LIMITED'], rings: 20 })
      expect(await loop('/free', 25)).toEqual({ acks: Array(25).fill('ok'), rings: 25 })
    } finally {
      await fresh.close()
    }
  }, 15000)

  test('ALREADY_IN_CALL carries the callId, and is answered before findConversation is called', async () => {
    const a = await srv.connect(ALICE)
    const first = await ask(a, 'call:start', { conversationId: DIRECT })
    expect(first.ok).toBe(true)
    lookups.length = 0
    const refused = await ask(a, 'call:start', { conversationId: DIRECT })
    expect(refused).toEqual({
      ok: false, error: { code: 'ALREADY_IN_CALL', message: expect.any(String), callId: first.callId }
    })
    expect(lookups).toEqual([])
    expect(await ask(a, 'call:cancel', { callId: refused.error.callId })).toEqual({ ok: true, callId: first.callId })
    a.socket.disconnect()
  })
})

// -----------------------------------------------------------------------------

describe('finding 8: the call side\'s error codes carry ERR_AGORA_', () => {
  test('notifyIncomingCall with a caller who is not a participant throws ERR_AGORA_NOT_PARTICIPANT', async () => {
    const srv = await startServer({ findConversation: async () => null })
    try {
      let thrown
      try {
        notifyIncomingCall(srv.io, { _id: '65c000000000000000000001', participants: [ALICE, BOB] }, EVE, {})
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(Error)
      expect(thrown.code).toBe('ERR_AGORA_NOT_PARTICIPANT')
      expect(thrown.message).not.toContain(EVE)
    } finally {
      await srv.close()
    }
  })

  test('lib/call/errors.js exports the one registry: codes, every one ERR_AGORA_-prefixed', () => {
    const { codes } = require('../../lib/call/errors')
    expect(codes).toEqual(expect.any(Object))
    const values = Object.values(codes)
    expect(values.length).toBeGreaterThan(0)
    for (const code of values) expect(code).toMatch(/^ERR_AGORA_[A-Z0-9_]+$/)
    // (ERR_CALL_STORE_CONFLICT is gone with the optimistic retries: issue 12's store has no conflicts)
    expect(values).toEqual(expect.arrayContaining(['ERR_AGORA_NOT_PARTICIPANT', 'ERR_AGORA_CALL_STORE_UNAVAILABLE']))
  })
})
