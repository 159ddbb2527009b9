'use strict'

// The app certificate never leaves the process: not in an error message, stack
// or property (also when the certificate itself is the bad value), not in a
// token or its inflated payload, not in any route response (every status), not
// in what the router logs (onError, console) and not in the demo server's
// stdout/stderr.

const crypto = require('crypto')
const path = require('path')
const util = require('util')
const zlib = require('zlib')
const { spawn } = require('child_process')
const express = require('express')
const act = require('../lib')
const { createCallTokenRouter } = require('../lib/express')
const { listen, close, rawPost: rawPostTo } = require('./helpers/http')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')
const CERT_UPPER = CERT.toUpperCase()
const CERT_BYTES = Buffer.from(CERT, 'hex')

/** Every way the certificate could appear in text. */
function expectClean(text, where) {
  const s = String(text)
  for (const form of [CERT, CERT_UPPER, CERT.slice(0, 16), CERT.slice(16), CERT_BYTES.toString('base64').slice(0, 20)]) {
    if (s.includes(form)) throw new Error(`the certificate (or a part of it) appears in ${where}`)
  }
}

function errorText(err) {
  return [String(err && err.message), err && err.stack, util.inspect(err, { showHidden: true, depth: 5 }),
    JSON.stringify(err)].join('\n')
}

// Console output of the whole file, checked at the end.
const consoleOutput = []
beforeAll(() => {
  for (const method of ['log', 'error', 'warn', 'info', 'debug']) {
    jest.spyOn(console, method).mockImplementation((...args) => consoleOutput.push(util.format(...args)))
  }
})
afterAll(() => {
  jest.restoreAllMocks()
  for (const line of consoleOutput) expectClean(line, 'console output')
})

describe('error messages', () => {
  const RTC = { appId: APP_ID, appCertificate: CERT, channelName: 'c', account: 'a' }
  const ACCESS = { appId: APP_ID, appCertificate: CERT, expire: 60, services: [{ type: 1 }] }
  const LEGACY = { appId: APP_ID, appCertificate: CERT, channelName: 'c', uid: 1 }
  // Near-misses of the certificate: the bad value contains the secret and must not be echoed.
  const NEAR = [CERT + ' ', ` ${CERT}`, `${CERT}\n`, CERT.slice(0, 31) + 'g', CERT + CERT, CERT + 'x'.repeat(1 << 20),
    CERT.slice(0, 31), `${CERT}\0`, Buffer.from(CERT), [CERT], { toString: () => CERT }, new String(CERT)] // eslint-disable-line no-new-wrappers
  const calls = []
  for (const bad of NEAR) {
    calls.push(() => act.buildRtcToken({ ...RTC, appCertificate: bad }))
    calls.push(() => act.buildAccessToken({ ...ACCESS, appCertificate: bad }))
    calls.push(() => act.buildLegacyToken({ ...LEGACY, appCertificate: bad }))
    calls.push(() => act.verifyToken('007abc', bad))
    calls.push(() => createCallTokenRouter({ appId: APP_ID, appCertificate: bad, findConversation: () => null }))
    // the certificate given where another value belongs
    calls.push(() => act.buildRtcToken({ ...RTC, appId: bad }))
    // (as a channel name or participant, a certificate-like string may be valid: the call may succeed)
    calls.push(Object.assign(() => act.buildRtcToken({ ...RTC, channelName: bad }), { mayReturn: true }))
    calls.push(() => act.buildRtcToken({ ...RTC, account: bad, expiresIn: bad }))
    calls.push(() => act.buildRtcToken({ ...RTC, salt: bad }))
    calls.push(() => act.parseToken(bad))
    calls.push(() => act.parseToken(`007${bad}`))
    calls.push(() => act.parseToken(`006${bad}`))
    calls.push(Object.assign(() => act.isParticipant(bad, 'u'), { mayReturn: true }))
  }
  // every other refusal, with the real certificate among the arguments
  calls.push(
    () => act.buildRtcToken({ ...RTC, channelName: 'bad/name' }),
    () => act.buildRtcToken({ ...RTC, expiresIn: 0 }),
    () => act.buildRtcToken({ ...RTC, uid: 1 }),
    () => act.buildRtcToken({ ...RTC, typo: 1 }),
    () => act.buildRtcToken({ ...RTC, get salt() { throw new Error('getter') } }),
    () => act.buildAccessToken({ ...ACCESS, services: [{ type: 1, channelName: 'x'.repeat(40000) }] }),
    () => act.buildAccessToken({ ...ACCESS, services: [{ type: 1, privileges: { 1: 1, '01': 2 } }] }),
    () => act.buildAccessToken({ ...ACCESS, services: Array.from({ length: 65 }, () => ({ type: 4 })) }),
    () => act.buildLegacyToken({ ...LEGACY, channelName: 'x'.repeat(65536), uid: 'y' }),
    () => act.verifyToken('007', CERT, { now: -1 }),
    () => act.verifyToken(act.buildLegacyToken(LEGACY), CERT, { channelName: 'c', uid: -1 }),
    () => act.parseToken('007' + zlib.deflateSync(Buffer.alloc(1 << 20)).toString('base64')),
    () => act.parseToken('007' + 'A'.repeat(60000))
  )

  test(`${calls.length} refused calls: no certificate in any message, stack or property`, () => {
    const notRefused = []
    for (const call of calls) {
      let result
      try {
        result = call()
      } catch (err) {
        expectClean(errorText(err), `the error "${err && err.message}"`)
        continue
      }
      if (!call.mayReturn) notRefused.push(String(call))
      expectClean(JSON.stringify(result), 'a result')
    }
    expect(notRefused).toEqual([])
  })

  test('verifyToken answers never carry the certificate', () => {
    const token = act.buildRtcToken(RTC)
    for (const cert of [CERT, 'f'.repeat(32)]) expectClean(JSON.stringify(act.verifyToken(token, cert)), 'a verify answer')
    const legacy = act.buildLegacyToken(LEGACY)
    expectClean(JSON.stringify(act.verifyToken(legacy, CERT, { channelName: 'c', uid: 1 })), 'a "006" verify answer')
    expectClean(JSON.stringify(act.parseToken(legacy)), 'a parsed "006" token')
  })
})

describe('tokens', () => {
  test('neither the token nor its inflated payload contains the certificate (text or bytes)', () => {
    for (let i = 0; i < 200; i++) {
      const token = act.buildRtcToken({ appId: APP_ID, appCertificate: CERT, channelName: `c${i}`, account: `u${i}`, withRtm: true })
      expectClean(token, 'a token')
      const payload = zlib.inflateSync(Buffer.from(token.slice(3), 'base64'))
      expect(payload.includes(CERT_BYTES)).toBe(false)
      expect(payload.includes(Buffer.from(CERT))).toBe(false)
      const legacy = act.buildLegacyToken({ appId: APP_ID, appCertificate: CERT, channelName: `c${i}`, uid: i })
      expectClean(legacy, 'a "006" token')
      const content = Buffer.from(legacy.slice(35), 'base64')
      expect(content.includes(CERT_BYTES) || content.includes(Buffer.from(CERT))).toBe(false)
    }
  })
})

// ---- the router: every status, its onError hook and the default console logger ----

// The token route with the body bytes exactly as given (test/helpers/http.js).
const rawPost = (server, headers, body) => rawPostTo(server, '/api/call/token', headers, body)

describe('route responses and logs', () => {
  const servers = []
  const hooked = []
  const LONG_USER = 'u'.repeat(300) // a member whose id is too long for a token account: TOKEN_BUILD_FAILED
  const conversations = new Map([['conv', { participants: ['alice', LONG_USER] }]])

  async function start(extra) {
    const app = express()
    app.use((req, res, next) => {
      const m = /^Bearer (.+)$/.exec(req.get('authorization') || '')
      if (m) req.user = { id: m[1] }
      next()
    })
    app.use('/api/call', createCallTokenRouter({
      appId: APP_ID,
      appCertificate: CERT,
      findConversation: async (id) => {
        if (id === 'explode') throw new Error('database unavailable')
        return conversations.get(id) ?? null
      },
      ...extra
    }))
    const server = await listen(app)
    servers.push(server)
    return server
  }
  afterAll(async () => {
    for (const s of servers) await close(s)
  })

  const json = 'application/json'
  const CASES = [
    ['member', { 'Content-Type': json, Authorization: 'Bearer alice' }, '{"channelName":"conv"}', 200],
    ['outsider', { 'Content-Type': json, Authorization: 'Bearer mallory' }, '{"channelName":"conv"}', 403],
    ['unknown conversation', { 'Content-Type': json, Authorization: 'Bearer alice' }, '{"channelName":"none"}', 403],
    ['no user', { 'Content-Type': json }, '{"channelName":"conv"}', 401],
    ['invalid JSON', { 'Content-Type': json, Authorization: 'Bearer alice' }, '{', 400],
    ['not an object', { 'Content-Type': json, Authorization: 'Bearer alice' }, '[]', 400],
    ['missing channel', { 'Content-Type': json, Authorization: 'Bearer alice' }, '{}', 400],
    ['bad channel', { 'Content-Type': json, Authorization: 'Bearer alice' }, `{"channelName":"${CERT}/"}`, 400],
    ['too large', { 'Content-Type': json, Authorization: 'Bearer alice' }, JSON.stringify({ channelName: 'x'.repeat(20000) }), 413],
    ['unsupported encoding', { 'Content-Type': json, Authorization: 'Bearer alice', 'Content-Encoding': 'x-bogus' }, '{}', 415],
    ['store failure', { 'Content-Type': json, Authorization: 'Bearer alice' }, '{"channelName":"explode"}', 500],
    ['token build failure', { 'Content-Type': json, Authorization: `Bearer ${LONG_USER}` }, '{"channelName":"conv"}', 500],
    ['corrupt gzip body', { 'Content-Type': json, Authorization: 'Bearer alice', 'Content-Encoding': 'gzip' }, 'garbage', null]
  ]

  for (const [label, extra] of [
    ['onError hook', { onError: (err, req) => hooked.push(errorText(err), util.inspect(req.body)) }],
    ['default logger (console.error)', {}],
    ['getUserId that throws', { getUserId: () => { throw new Error('session store down') } }]
  ]) {
    test(`${label}: no response of any status contains the certificate`, async () => {
      const server = await start(extra)
      const statuses = new Set()
      for (const [name, headers, body, status] of CASES) {
        const res = await rawPost(server, headers, body)
        if (status !== null && !extra.getUserId) expect({ name, status: res.status }).toEqual({ name, status })
        statuses.add(res.status)
        expectClean(res.text, `the ${res.status} response to "${name}"`)
        expectClean(JSON.stringify(res.headers), `the headers of "${name}"`)
      }
      if (!extra.getUserId) expect([...statuses].sort()).toEqual([200, 400, 401, 403, 413, 415, 500])
      for (const line of hooked) expectClean(line, 'the onError hook')
    })
  }

  test('the default logger did log (so the console check above is not vacuous)', () => {
    expect(consoleOutput.some((line) => line.includes('[agora-call-token]'))).toBe(true)
    expect(hooked.length).toBeGreaterThan(0)
  })
})

describe('demo server', () => {
  test('stdout and stderr of `node example/server.js` never show the certificate', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'example', 'server.js')], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: CERT },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
    try {
      const url = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo server did not start: ${out}`)), 10000)
        const poll = setInterval(() => {
          // The banner comes in several writes: wait for its last lines too.
          const m = /listening on (http:\/\/[^\s]+)/.exec(out)
          if (m && /-> 403/.test(out)) {
            clearInterval(poll)
            clearTimeout(timer)
            resolve(m[1])
          }
        }, 20)
      })
      expect(out).toContain(APP_ID)
      const { port } = new URL(url)
      const server = { address: () => ({ port: Number(port) }) }
      const alice = '665f1c2e8a1b2c3d4e5f0001'
      const dave = '665f1c2e8a1b2c3d4e5f0004'
      const conv = '665f1c2e8a1b2c3d4e5fc001'
      const bodies = []
      for (const [headers, body] of [
        [{ 'Content-Type': 'application/json', Authorization: `Bearer ${alice}` }, JSON.stringify({ channelName: conv })],
        [{ 'Content-Type': 'application/json', Authorization: `Bearer ${dave}` }, JSON.stringify({ channelName: conv })],
        [{ 'Content-Type': 'application/json', Authorization: `Bearer ${alice}` }, '{"channelName":'],
        [{ 'Content-Type': 'application/json', Authorization: `Bearer ${alice}`, 'Content-Encoding': 'gzip' }, 'not gzip'],
        [{ 'Content-Type': 'application/json' }, '{}']
      ]) {
        const res = await rawPost(server, headers, body)
        bodies.push(res.status)
        expectClean(res.text, `a demo response (${res.status})`)
      }
      expect(bodies.slice(0, 3)).toEqual([200, 403, 400])
    } finally {
      child.kill('SIGTERM')
    }
    await exited
    expectClean(out, 'the demo server output')
    expect(out).toContain('the certificate is never printed')
  }, 20000)
})
