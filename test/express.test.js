'use strict'

// POST /token router: every status, identity from the session only, tokens
// parsed back and verified. Real Express apps on 127.0.0.1 via supertest.

const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const { ObjectId } = require('bson')
const mongoose = require('mongoose')
const act = require('../lib')
const { createCallTokenRouter } = require('../lib/express')
const { createDemoServer } = require('../example/server')
const { listen, close } = require('./helpers/http')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

const ALICE = '64a000000000000000000001'
const BOB = '64a000000000000000000002'
const CAROL = '64a000000000000000000003'
const MALLORY = '64a0000000000000000000ff' // in no conversation

const CONV = {
  strings: '64c000000000000000000001', // participants as strings
  objectIds: '64c000000000000000000002', // bson ObjectIds, as .lean() returns them
  mongooseIds: '64c000000000000000000003', // mongoose.Types.ObjectId
  populated: '64c000000000000000000004', // populated user docs { _id, name }
  hydrated: '64c000000000000000000005', // a full mongoose document (no .lean())
  textIds: 'support-room' // non-ObjectId user ids and channel name
}

const ConversationModel = mongoose.model('TestConversation', new mongoose.Schema({
  participants: [{ type: mongoose.Schema.Types.ObjectId, ref: 'User' }]
}))

const conversations = new Map([
  [CONV.strings, { _id: CONV.strings, participants: [ALICE, BOB] }],
  [CONV.objectIds, { _id: new ObjectId(CONV.objectIds), participants: [new ObjectId(ALICE), new ObjectId(BOB)] }],
  [CONV.mongooseIds, {
    _id: new mongoose.Types.ObjectId(CONV.mongooseIds),
    participants: [new mongoose.Types.ObjectId(ALICE), new mongoose.Types.ObjectId(CAROL)]
  }],
  [CONV.populated, {
    _id: new ObjectId(CONV.populated),
    participants: [{ _id: new ObjectId(ALICE), name: 'Alice' }, { _id: new ObjectId(BOB), name: 'Bob' }]
  }],
  [CONV.hydrated, ConversationModel.hydrate({ _id: CONV.hydrated, participants: [ALICE, BOB, CAROL] })],
  [CONV.textIds, { _id: CONV.textIds, participants: ['agent-7', 'customer 42'] }]
])

// Like `id => Conversation.findById(id).lean()`: async, plain object or null.
async function findConversation(id) {
  return conversations.get(id) ?? null
}

const responses = [] // every body the routers sent, checked for the certificate at the end
const faults = []

/** Test-only auth: `Authorization: Bearer <id>` sets req.user through userFor. */
function makeApp(routerOptions = {}, { userFor = id => ({ id }), preParse = false } = {}) {
  const app = express()
  app.use((req, res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') || '')
    if (m) req.user = userFor(m[1])
    next()
  })
  if (preParse) app.use(express.json())
  app.use('/api/call', createCallTokenRouter({
    appId: APP_ID,
    appCertificate: CERT,
    findConversation,
    onError: err => faults.push(err),
    ...routerOptions
  }))
  return app
}

const servers = {}

beforeAll(async () => {
  servers.plain = await listen(makeApp())
  servers.objectIdUser = await listen(makeApp({}, { userFor: id => ({ _id: new ObjectId(id), name: 'x' }) }))
  servers.preParsed = await listen(makeApp({}, { preParse: true }))
  servers.subscriber = await listen(makeApp({ role: 'subscriber', expiresIn: 600 }))
  servers.uid = await listen(makeApp({
    identity: 'uid',
    uidFor: async userId => parseInt(userId.slice(-6), 16) + 1000
  }))
  servers.badUid = await listen(makeApp({ identity: 'uid', uidFor: () => 0 }))
  servers.throwing = await listen(makeApp({
    findConversation: async () => {
      throw new Error(`database down (connection string has ${CERT}? no: it must never leak)`)
    }
  }))
  servers.castError = await listen(makeApp({
    findConversation: async id => {
      if (!/^[0-9a-f]{24}$/.test(id)) {
        const err = new Error(`Cast to ObjectId failed for value "${id}"`)
        err.name = 'CastError'
        throw err
      }
      return findConversation(id)
    }
  }))
  servers.customUser = await listen(makeApp({
    getUserId: async req => req.get('x-session-user')
  }))
  servers.noParticipants = await listen(makeApp({ findConversation: async () => ({ _id: 'x', members: [] }) }))
})

afterAll(async () => {
  await Promise.all(Object.values(servers).map(close))
})

function post(server, { user, body, raw, contentType = 'application/json', headers = {} } = {}) {
  let req = request(server).post('/api/call/token')
  if (user !== undefined) req = req.set('Authorization', `Bearer ${user}`)
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v)
  if (raw !== undefined) req = req.set('Content-Type', contentType).send(raw)
  else if (body !== undefined) req = req.send(body)
  return req.then(res => {
    responses.push(res.text)
    return res
  })
}

function expectError(res, status, code) {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  expect(res.headers['cache-control']).toBe('no-store')
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } })
}

function rtcService(token) {
  const parsed = act.parseToken(token)
  expect(parsed.version).toBe('007')
  expect(parsed.appId).toBe(APP_ID)
  expect(parsed.services).toHaveLength(1)
  return { parsed, rtc: parsed.services[0] }
}

describe('200: a participant gets a token', () => {
  test('string participants: token for channel = conversation id, account = session user', async () => {
    const before = Math.floor(Date.now() / 1000)
    const res = await post(servers.plain, { user: ALICE, body: { channelName: CONV.strings } })
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(Object.keys(res.body).sort()).toEqual(['account', 'appId', 'channelName', 'expiresAt', 'token'])
    expect(res.body).toMatchObject({ appId: APP_ID, channelName: CONV.strings, account: ALICE })
    expect(res.body.token).toMatch(/^007/)

    const { parsed, rtc } = rtcService(res.body.token)
    expect(rtc.channelName).toBe(CONV.strings)
    expect(rtc.account).toBe(ALICE)
    expect(parsed.issueTs).toBeGreaterThanOrEqual(before)
    expect(parsed.issueTs).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
    expect(res.body.expiresAt).toBe(parsed.issueTs + 3600)
    expect(res.body.expiresAt).toBe(parsed.expiresAt)
    expect(act.verifyToken(res.body.token, CERT).valid).toBe(true)
    expect(act.verifyToken(res.body.token, crypto.randomBytes(16).toString('hex')).valid).toBe(false)
  })

  test('conversationId is an alias of channelName', async () => {
    const res = await post(servers.plain, { user: BOB, body: { conversationId: CONV.strings } })
    expect(res.status).toBe(200)
    expect(res.body.channelName).toBe(CONV.strings)
    expect(rtcService(res.body.token).rtc.account).toBe(BOB)
  })

  test.each([
    ['bson ObjectId participants (.lean() style)', CONV.objectIds, ALICE],
    ['mongoose ObjectId participants', CONV.mongooseIds, CAROL],
    ['populated participants { _id, name }', CONV.populated, BOB],
    ['a hydrated mongoose document', CONV.hydrated, CAROL]
  ])('%s', async (_label, conversationId, user) => {
    const res = await post(servers.plain, { user, body: { channelName: conversationId } })
    expect(res.status).toBe(200)
    const { rtc } = rtcService(res.body.token)
    expect(rtc.channelName).toBe(conversationId)
    expect(rtc.account).toBe(user)
    expect(act.verifyToken(res.body.token, CERT).valid).toBe(true)
  })

  test('a session user id that is an ObjectId becomes its 24-hex string as the account', async () => {
    const res = await post(servers.objectIdUser, { user: ALICE, body: { channelName: CONV.objectIds } })
    expect(res.status).toBe(200)
    expect(res.body.account).toBe(ALICE)
    expect(rtcService(res.body.token).rtc.account).toBe(ALICE)
  })

  test('text user ids and a channel name with spaces and punctuation', async () => {
    const res = await post(servers.plain, { user: 'customer 42', body: { channelName: CONV.textIds } })
    expect(res.status).toBe(200)
    expect(rtcService(res.body.token).rtc).toMatchObject({ channelName: 'support-room', account: 'customer 42' })
  })

  test('works when the application already parsed JSON bodies', async () => {
    const res = await post(servers.preParsed, { user: ALICE, body: { channelName: CONV.strings } })
    expect(res.status).toBe(200)
    expect(rtcService(res.body.token).rtc.account).toBe(ALICE)
  })

  test('role subscriber and expiresIn options', async () => {
    const pub = await post(servers.plain, { user: ALICE, body: { channelName: CONV.strings } })
    const sub = await post(servers.subscriber, { user: ALICE, body: { channelName: CONV.strings } })
    expect(sub.status).toBe(200)
    const { parsed, rtc } = rtcService(sub.body.token)
    expect(sub.body.expiresAt).toBe(parsed.issueTs + 600)
    const pubPrivileges = Object.keys(rtcService(pub.body.token).rtc.privileges).length
    expect(Object.keys(rtc.privileges).length).toBeLessThan(pubPrivileges)
  })

  test("identity 'uid' uses uidFor(userId)", async () => {
    const res = await post(servers.uid, { user: BOB, body: { channelName: CONV.strings } })
    expect(res.status).toBe(200)
    const uid = parseInt(BOB.slice(-6), 16) + 1000
    expect(res.body.uid).toBe(uid)
    expect(res.body).not.toHaveProperty('account')
    expect(rtcService(res.body.token).rtc.account).toBe(String(uid))
    expect(act.verifyToken(res.body.token, CERT).valid).toBe(true)
  })

  test('custom async getUserId', async () => {
    const res = await post(servers.customUser, { headers: { 'x-session-user': BOB }, body: { channelName: CONV.strings } })
    expect(res.status).toBe(200)
    expect(res.body.account).toBe(BOB)
    expectError(await post(servers.customUser, { body: { channelName: CONV.strings } }), 401, 'UNAUTHENTICATED')
  })
})

describe('the user comes from the session, never from the body', () => {
  test('a forged userId of a member gets a non-member nothing', async () => {
    const res = await post(servers.plain, { user: MALLORY, body: { channelName: CONV.strings, userId: ALICE } })
    expectError(res, 403, 'FORBIDDEN')
    expect(res.text).not.toMatch(/007/)
  })

  test('a forged userId without a session is 401', async () => {
    expectError(await post(servers.plain, { body: { channelName: CONV.strings, userId: ALICE } }), 401, 'UNAUTHENTICATED')
  })

  test("a member's token is for themself, whatever userId / account / uid the body claims", async () => {
    const res = await post(servers.plain, {
      user: BOB,
      body: { channelName: CONV.strings, userId: ALICE, account: ALICE, uid: 1 }
    })
    expect(res.status).toBe(200)
    expect(res.body.account).toBe(BOB)
    expect(rtcService(res.body.token).rtc.account).toBe(BOB)
  })
})

describe('4xx', () => {
  test('400 malformed JSON, as JSON (not an HTML page)', async () => {
    const res = await post(servers.plain, { user: ALICE, raw: '{"channelName": ' })
    expectError(res, 400, 'INVALID_JSON')
    expect(res.text).not.toMatch(/<html|<pre/i)
  })

  test('400 malformed JSON also when unauthenticated shows no token', async () => {
    const res = await post(servers.plain, { raw: '{oops' })
    expect([400, 401]).toContain(res.status)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
  })

  test('400 missing channelName', async () => {
    expectError(await post(servers.plain, { user: ALICE, body: {} }), 400, 'MISSING_CHANNEL_NAME')
    expectError(await post(servers.plain, { user: ALICE, body: { channelName: null } }), 400, 'MISSING_CHANNEL_NAME')
    expectError(await post(servers.plain, { user: ALICE }), 400, 'INVALID_BODY') // no body at all
  })

  test('400 body that is not a JSON object', async () => {
    expectError(await post(servers.plain, { user: ALICE, raw: '[]' }), 400, 'INVALID_BODY')
    // the strict JSON parser already refuses top-level primitives
    expectError(await post(servers.plain, { user: ALICE, raw: `"${CONV.strings}"` }), 400, 'INVALID_JSON')
    expectError(await post(servers.plain, { user: ALICE, raw: 'null' }), 400, 'INVALID_JSON')
    expectError(await post(servers.plain, {
      user: ALICE, raw: `channelName=${CONV.strings}`, contentType: 'text/plain'
    }), 400, 'INVALID_BODY')
  })

  test('400 channel names Agora would refuse', async () => {
    for (const channelName of ['a/b', 'with\nnewline', 'caf\u00e9', '', 'a'.repeat(65), 'x"y', 42, ['a'], { a: 1 }, true]) {
      const res = await post(servers.plain, { user: ALICE, body: { channelName } })
      expectError(res, 400, 'INVALID_CHANNEL_NAME')
    }
  })

  test('64 bytes is still a valid name (then 403: no such conversation)', async () => {
    expectError(await post(servers.plain, { user: ALICE, body: { channelName: 'a'.repeat(64) } }), 403, 'FORBIDDEN')
  })

  test('400 channelName and conversationId that disagree', async () => {
    expectError(await post(servers.plain, {
      user: ALICE, body: { channelName: CONV.strings, conversationId: CONV.objectIds }
    }), 400, 'INVALID_BODY')
  })

  test('401 without an authenticated user', async () => {
    expectError(await post(servers.plain, { body: { channelName: CONV.strings } }), 401, 'UNAUTHENTICATED')
  })

  test('403 non-member and 403 unknown conversation are indistinguishable', async () => {
    const nonMember = await post(servers.plain, { user: CAROL, body: { channelName: CONV.strings } })
    const unknown = await post(servers.plain, { user: CAROL, body: { channelName: '64c0000000000000000000ee' } })
    expectError(nonMember, 403, 'FORBIDDEN')
    expectError(unknown, 403, 'FORBIDDEN')
    expect(unknown.body).toEqual(nonMember.body)
  })

  test('403 when a mongoose CastError says the id cannot exist', async () => {
    expectError(await post(servers.castError, { user: ALICE, body: { channelName: 'not-an-object-id' } }), 403, 'FORBIDDEN')
    const ok = await post(servers.castError, { user: ALICE, body: { channelName: CONV.strings } })
    expect(ok.status).toBe(200)
  })

  test('413 oversized body', async () => {
    const res = await post(servers.plain, { user: ALICE, body: { channelName: CONV.strings, pad: 'x'.repeat(64 * 1024) } })
    expectError(res, 413, 'PAYLOAD_TOO_LARGE')
  })
})

describe('5xx', () => {
  test('500 when findConversation throws, with no secret in the body', async () => {
    faults.length = 0
    const res = await post(servers.throwing, { user: ALICE, body: { channelName: CONV.strings } })
    expectError(res, 500, 'INTERNAL')
    expect(res.text).not.toContain(CERT)
    expect(res.text).not.toMatch(/database down/)
    expect(faults).toHaveLength(1) // reported to onError, not swallowed
  })

  test('a conversation without participants is a server fault (500), not a crash', async () => {
    expectError(await post(servers.noParticipants, { user: ALICE, body: { channelName: CONV.strings } }), 500, 'INTERNAL')
  })

  test('an account Agora cannot take (over 255 bytes) gives clean JSON and the server lives on', async () => {
    const longId = 'u'.repeat(300)
    conversations.set('long-account-room', { _id: 'long-account-room', participants: [longId, ALICE] })
    const res = await post(servers.plain, { user: longId, body: { channelName: 'long-account-room' } })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.body.error.code).toEqual(expect.any(String))
    expect(res.text).not.toContain(CERT)
    const after = await post(servers.plain, { user: ALICE, body: { channelName: 'long-account-room' } })
    expect(after.status).toBe(200)
  })

  test('uidFor returning 0 (a wildcard uid) is refused', async () => {
    expectError(await post(servers.badUid, { user: ALICE, body: { channelName: CONV.strings } }), 500, 'INTERNAL')
  })
})

describe('options are validated when the router is created', () => {
  const base = { appId: APP_ID, appCertificate: CERT, findConversation }
  test.each([
    ['no options', undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['appId missing', { ...base, appId: undefined }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['appId not 32 hex', { ...base, appId: 'xyz' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['appCertificate not 32 hex', { ...base, appCertificate: `${CERT}00` }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['appCertificate not a string', { ...base, appCertificate: 123 }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['findConversation missing', { ...base, findConversation: undefined }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['getUserId not a function', { ...base, getUserId: 'user' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ["identity 'uid' without uidFor", { ...base, identity: 'uid' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    ['unknown identity', { ...base, identity: 'email' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['bad role', { ...base, role: 'admin' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    ['expiresIn 0', { ...base, expiresIn: 0 }, RangeError, 'ERR_OUT_OF_RANGE'],
    ['expiresIn over 24 h', { ...base, expiresIn: 86401 }, RangeError, 'ERR_OUT_OF_RANGE'],
    ['expiresIn not a number', { ...base, expiresIn: '3600' }, TypeError, 'ERR_INVALID_ARG_TYPE']
  ])('%s', (_label, options, ErrorClass, code) => {
    let error
    try {
      createCallTokenRouter(options)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ErrorClass)
    expect(error.code).toBe(code)
    expect(error.message).not.toContain(CERT)
  })

  test('valid options, role as RtcRole numbers', () => {
    expect(typeof createCallTokenRouter({ ...base, role: act.RtcRole.SUBSCRIBER })).toBe('function')
    expect(typeof createCallTokenRouter({ ...base, role: 1, identity: 'uid', uidFor: () => 7 })).toBe('function')
  })
})

describe('npm start demo server (createDemoServer on port 0)', () => {
  let demo
  beforeAll(async () => {
    demo = await createDemoServer({ port: 0, appId: APP_ID, appCertificate: CERT, ringTimeoutMs: 500 })
  })
  afterAll(() => demo && demo.close())

  test('a member gets a token, a non-member gets 403', async () => {
    const { users, conversations: convs } = demo
    const member = await request(demo.url).post('/api/call/token')
      .set('Authorization', `Bearer ${users.alice}`).send({ channelName: convs.direct })
    expect(member.status).toBe(200)
    expect(member.headers['cache-control']).toBe('no-store')
    const { rtc } = rtcService(member.body.token)
    expect(rtc).toMatchObject({ channelName: convs.direct, account: users.alice })
    expect(act.verifyToken(member.body.token, CERT).valid).toBe(true)

    const outsider = await request(demo.url).post('/api/call/token')
      .set('Authorization', `Bearer ${users.dave}`).send({ channelName: convs.direct })
    expect(outsider.status).toBe(403)
    expect(outsider.body.error.code).toBe('FORBIDDEN')

    const anonymous = await request(demo.url).post('/api/call/token').send({ channelName: convs.direct })
    expect(anonymous.status).toBe(401)
    responses.push(member.text, outsider.text, anonymous.text)
  })

  test('GET /health and GET /api/conversations', async () => {
    const health = await request(demo.url).get('/health')
    expect(health.status).toBe(200)
    expect(health.body.ok).toBe(true)

    const mine = await request(demo.url).get('/api/conversations').set('Authorization', `Bearer ${demo.users.carol}`)
    expect(mine.status).toBe(200)
    expect(mine.body.conversations.map(c => c.id).sort())
      .toEqual([demo.conversations.group, demo.conversations.carolDave].sort())
    expect((await request(demo.url).get('/api/conversations')).status).toBe(401)
  })

  test('throwaway credentials when none are given', async () => {
    const saved = [process.env.AGORA_APP_ID, process.env.AGORA_APP_CERTIFICATE]
    delete process.env.AGORA_APP_ID
    delete process.env.AGORA_APP_CERTIFICATE
    const other = await createDemoServer({ port: 0 })
    try {
      expect(other.throwawayCredentials).toBe(true)
      expect(other.appId).toMatch(/^[0-9a-f]{32}$/)
      const res = await request(other.url).post('/api/call/token')
        .set('Authorization', `Bearer ${other.users.bob}`).send({ channelName: other.conversations.group })
      expect(res.status).toBe(200)
      expect(res.body.appId).toBe(other.appId)
    } finally {
      await other.close()
      if (saved[0] !== undefined) process.env.AGORA_APP_ID = saved[0]
      if (saved[1] !== undefined) process.env.AGORA_APP_CERTIFICATE = saved[1]
    }
  })
})

describe('packaging', () => {
  test("the 'agora-call-token/express' and '/socket' subpaths are these modules", () => {
    expect(require('agora-call-token/express')).toBe(require('../lib/express'))
    expect(require('agora-call-token/socket')).toBe(require('../lib/socket'))
  })

  test('requiring the main module loads neither express nor socket.io', () => {
    const { execFileSync } = require('child_process')
    const path = require('path')
    const script = `require('./lib');
      const loaded = Object.keys(require.cache).filter(f => /node_modules.(express|socket[.]io|router|body-parser)./.test(f));
      process.stdout.write(JSON.stringify(loaded));`
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..') })
    expect(JSON.parse(out)).toEqual([])
  })
})

test('no response ever contained the app certificate', () => {
  expect(responses.length).toBeGreaterThan(30)
  for (const text of responses) expect(text).not.toContain(CERT)
})
