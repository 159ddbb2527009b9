'use strict'
// The native addon against the JavaScript fallback, in one process: random
// inputs and mutated tokens go to both, and the outcomes must be the same, a
// token string byte for byte, a parsed object deep-equal, or an error of the
// same class with the same code, reason and message.
const crypto = require('crypto')
const zlib = require('zlib')
const fc = require('fast-check')
const { loadWith } = require('./helpers/impls')
const { v007, v006 } = require('./helpers/vectors')

const T = Symbol.for('agora-call-token.testing')
const native = loadWith('native')
const js = loadWith('js')
const RUNS = Number(process.env.DIFF_RUNS || 300)
const SEED = Number(process.env.DIFF_SEED || 77)

function outcome(fn) {
  try {
    return { value: fn() }
  } catch (err) {
    return { error: { class: err.constructor.name, code: err.code, reason: err.reason, argument: err.argument,
      message: err.message } }
  }
}

function same(call) {
  const a = outcome(() => call(native))
  const b = outcome(() => call(js))
  expect(b).toEqual(a)
  return a
}

test('the two engines are the ones asked for', () => {
  expect([native.implementation, js.implementation]).toEqual(['native', 'js'])
  expect(js.limits).toEqual(native.limits)
  expect(Object.keys(js).sort()).toEqual(Object.keys(native).sort())
})

const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/)
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const text = fc.string({ unit: 'grapheme', maxLength: 40 })
const privileges = fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String), u32, { maxKeys: 6 })

test(`buildRtcToken: ${RUNS} random option sets, valid or not, give the same outcome`, () => {
  const value = fc.oneof(u32, fc.integer({ min: -5, max: 100000 }), text, fc.constant(undefined), fc.boolean())
  fc.assert(fc.property(hex32, hex32, fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,64}$/), text), fc.oneof(u32, text),
    value, value, fc.constantFrom(undefined, 'publisher', 'subscriber', 1, 2, 3), fc.boolean(), u32, u32,
    (appId, appCertificate, channelName, who, expiresIn, privilegeExpiresIn, role, withRtm, issuedAt, salt) => {
      const opts = { appId, appCertificate, channelName, issuedAt, salt, withRtm }
      if (typeof who === 'number') opts.uid = who
      else opts.account = who
      if (expiresIn !== undefined) opts.expiresIn = expiresIn
      if (privilegeExpiresIn !== undefined) opts.privilegeExpiresIn = privilegeExpiresIn
      if (role !== undefined) opts.role = role
      const r = same((act) => act.buildRtcToken(opts))
      if (r.value) same((act) => act.verifyToken(r.value, appCertificate, { now: issuedAt }))
    }), { numRuns: RUNS, seed: SEED })
})

const service = fc.oneof(
  fc.record({ type: fc.constantFrom(1, 3, 6), channelName: text, account: text, privileges }),
  fc.record({ type: fc.constantFrom(2, 5), userId: text, privileges }),
  fc.record({ type: fc.constant(7), roomUuid: text, userUuid: text, role: fc.integer({ min: -32768, max: 32767 }), privileges }),
  fc.record({ type: fc.constant(8), userId: text, privileges,
    permissions: fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String),
      fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String), fc.array(text, { maxLength: 3 }), { minKeys: 1, maxKeys: 3 }),
      { maxKeys: 3 }) }),
  fc.record({ type: fc.constantFrom(4, 9, 10), privileges })
)

test(`buildAccessToken: ${RUNS} random service mixes give the same token, which both parse alike`, () => {
  // issueTs 0 is refused (see test/unknown-options.test.js): 1 and up
  fc.assert(fc.property(hex32, hex32, fc.integer({ min: 1, max: 0xffffffff }), u32, u32,
    fc.array(service, { minLength: 1, maxLength: 8 }), (appId, appCertificate, issueTs, expire, salt, services) => {
      const r = same((act) => act.buildAccessToken({ appId, appCertificate, issueTs, expire, salt, services }))
      expect(r.value).toMatch(/^007/)
      same((act) => act.parseToken(r.value))
      same((act) => act.verifyToken(r.value, appCertificate, { now: issueTs }))
    }), { numRuns: RUNS, seed: SEED })
})

test(`buildLegacyToken: ${RUNS} random inputs give the same token and the same verification`, () => {
  fc.assert(fc.property(hex32, hex32, text, fc.oneof(u32, text), u32, u32, privileges,
    (appId, appCertificate, channelName, uid, salt, ts, privs) => {
      const r = same((act) => act.buildLegacyToken({ appId, appCertificate, channelName, uid, salt, ts, privileges: privs }))
      same((act) => act.parseToken(r.value))
      same((act) => act.verifyToken(r.value, appCertificate, { channelName, uid, now: 0 }))
      same((act) => act.verifyToken(r.value, appCertificate, { channelName: channelName + 'x', uid, now: 0 }))
    }), { numRuns: RUNS, seed: SEED })
})

// Mutations of real tokens: in the text, in the compressed body, and in the
// inflated payload (deflated again, so parsing goes deep into the structure).
function mutants(token) {
  const out = []
  for (let i = 0; i < token.length; i += 3) {
    out.push(token.slice(0, i), token.slice(0, i) + 'A' + token.slice(i + 1), token.slice(0, i) + '=' + token.slice(i))
  }
  const body = Buffer.from(token.slice(3), 'base64')
  for (let i = 0; i < body.length; i++) {
    const b = Buffer.from(body)
    b[i] ^= 1 << (i % 8)
    out.push('007' + b.toString('base64'))
  }
  const payload = zlib.inflateSync(body)
  for (let i = 0; i < payload.length; i++) {
    const flipped = Buffer.from(payload)
    flipped[i] ^= 0xff
    out.push('007' + zlib.deflateSync(flipped).toString('base64'))
    out.push('007' + zlib.deflateSync(payload.subarray(0, i)).toString('base64'))
  }
  out.push(token + '00', '007' + zlib.deflateSync(Buffer.concat([payload, Buffer.alloc(3)])).toString('base64'))
  return out
}

test('every mutation of the "007" vectors parses and verifies alike', () => {
  let count = 0
  let parsed = 0
  for (const v of v007.slice(0, 12)) {
    for (const t of mutants(v.token)) {
      const r = same((act) => act.parseToken(t))
      if (r.value) parsed++
      same((act) => act.verifyToken(t, v.appCertificate, { now: v.issueTs }))
      count++
    }
  }
  expect(count).toBeGreaterThan(5000)
  expect(parsed).toBeGreaterThan(100) // some mutants are still tokens, with other fields
})

test('every mutation of the "006" vectors parses and verifies alike', () => {
  for (const v of v006) {
    const body = Buffer.from(v.token.slice(35), 'base64')
    const tokens = []
    for (let i = 0; i < v.token.length; i++) tokens.push(v.token.slice(0, i), v.token.slice(0, i) + 'Z' + v.token.slice(i + 1))
    for (let i = 0; i < body.length; i++) {
      const b = Buffer.from(body)
      b[i] ^= 0xff
      tokens.push(v.token.slice(0, 35) + b.toString('base64'), v.token.slice(0, 35) + body.subarray(0, i).toString('base64'))
    }
    for (const t of tokens) {
      same((act) => act.parseToken(t))
      same((act) => act.verifyToken(t, v.appCertificate, { channelName: v.channelName, uid: v.uid, now: v.ts }))
    }
  }
})

test('random and hostile token strings give the same outcome', () => {
  const strings = ['', '007', '006', '007====', '007AAAA', '007\0', '006' + 'é'.repeat(16) + 'AAAA', '007' + 'A'.repeat(49149),
    '007' + 'A'.repeat(49150), '006' + 'a'.repeat(32) + 'A'.repeat(43700), '007' + zlib.deflateSync(Buffer.alloc(40000)).toString('base64'),
    '007' + zlib.deflateSync(Buffer.alloc(32768)).toString('base64'), '007' + zlib.deflateSync(Buffer.alloc(32769)).toString('base64')]
  for (let i = 0; i < 300; i++) strings.push((i % 2 ? '007' : '006') + crypto.randomBytes(i).toString('base64'))
  for (const t of strings) {
    same((act) => act.parseToken(t))
    same((act) => act.verifyToken(t, '5CFd2fd1755d40ecb72977518be15d3b'))
  }
})

test('the binding-level exports agree on arguments lib/ never sends', () => {
  const n = require('../lib/native')
  const j = require('../lib/fallback/index')
  const calls = [
    (b) => b.buildRtc(1), (b) => b.buildRtc('a'.repeat(33)), (b) => b.buildRtc('a'.repeat(32), 'b'.repeat(32), 'c', 'd', -1),
    (b) => b.buildRtc('g'.repeat(32), 'b'.repeat(32), 'c', 'd', 1, 1, 1, 1, undefined, -1, 5, -1),
    (b) => b.buildRtc('a'.repeat(32), 'z'.repeat(32), 'c', 'd', 1, 1, 1, 1, undefined, -1, 5, -1),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, []),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, [[11, [], '', '', 0, null]]),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, [[1, [1, 2, 1, 3], '', '', 0, null]]),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, [[8, [], 'u', '', 0, [1, 1, [], 1, 1, ['x']]]]),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, [[1, [], 'x'.repeat(40000), '', 0, null]]),
    (b) => b.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, [[1, [], 'x'.repeat(65536), '', 0, null]]),
    (b) => b.build006('a'.repeat(32), 'b'.repeat(32), 'c', 'u', 1, 1, [1, 5, 1, 6]),
    (b) => b.parse007('007AAAA', new Uint32Array(2)),
    (b) => b.parse007(v007[0].token, []),
    (b) => b.verify007(v007[0].token, 'b'.repeat(32), new Uint32Array(1), new Uint32Array(99)),
    (b) => b.verify007(v007[0].token, 'x'.repeat(32), new Int32Array(1), new Uint32Array(99)),
    (b) => b.verify006(v006[0].token, 'b'.repeat(33), 'c', 'u', new Int32Array(1)),
    (b) => b[T].deflate('abc'), (b) => b[T].deflate(new Uint8Array(32769)),
    (b) => b[T].deflate(Buffer.from('the same bytes as zlib.deflateSync')),
    (b) => b.crc32('conv-1'), (b) => b.crc32(7), (b) => b.crc32('x'.repeat(65536))
  ]
  for (const call of calls) {
    const a = outcome(() => call(n))
    const b = outcome(() => call(j))
    expect(b).toEqual(a)
  }
})
