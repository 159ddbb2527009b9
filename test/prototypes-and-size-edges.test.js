'use strict'
// Review findings, kept as tests: prefix ids, polluted prototypes, long "006"
// fields, arena exhaustion. Pollution runs in child processes so it cannot
// leak into other tests.
const { execFileSync } = require('child_process')
const path = require('path')
const act = require('..')

const LIB = JSON.stringify(path.join(__dirname, '..', 'lib'))
const appId = '970CA35de60c44645bbae8a215061b33'
const cert = '5CFd2fd1755d40ecb72977518be15d3b'
const other = '6CFd2fd1755d40ecb72977518be15d3b'

function child(code) {
  return JSON.parse(execFileSync(process.execPath, ['-e', `const act = require(${LIB});\n${code}`], { encoding: 'utf8' }))
}

describe('isParticipant never takes a prefix for the id', () => {
  test.each([
    ['a multi-byte character after the id', ['x'.repeat(30) + 'é'], 'x'.repeat(30)],
    ['an emoji after a 23-byte id', ['y'.repeat(23) + '😀'], 'y'.repeat(23)],
    ['a 24-hex id followed by more text', ['670d12a4f8b1e123456789ab€'], '670d12a4f8b1e123456789ab'],
    ['a needle over the field limit', ['z'.repeat(65535)], 'z'.repeat(65535) + 'é'],
    ['an empty id', [''], '']
  ])('%s', (_, participants, userId) => {
    expect(act.isParticipant(participants, userId)).toBe(false)
  })
  test('the same strings do match', () => {
    expect(act.isParticipant(['x'.repeat(30) + 'é'], 'x'.repeat(30) + 'é')).toBe(true)
    expect(act.isParticipant(['z'.repeat(65535)], 'z'.repeat(65535))).toBe(true)
  })
})

describe('prototype pollution cannot fake a signature check or a field', () => {
  const t7 = act.buildRtcToken({ appId, appCertificate: cert, channelName: 'conv', account: 'alice', issuedAt: 1700000000 })
  const t6 = act.buildLegacyToken({ appId, appCertificate: cert, channelName: 'conv', uid: 7 })

  // Accessors on the prototypes take code running in the process, which owns it
  // anyway; still, the signature check is reported through a typed array, so
  // even they cannot make a token signed with another certificate verify.
  test('accessors on Array.prototype and Object.prototype never make a wrong certificate verify', () => {
    const out = child(`
      for (let i = 0; i < 40; i++) Object.defineProperty(Array.prototype, i, { configurable: true, get() { return 1 }, set() {} });
      for (const k of ['match', 'salt', 'channelName', 'account', 'token', 'valid']) {
        Object.defineProperty(Object.prototype, k, { configurable: true, get() { return 1 }, set() {} });
      }
      let a, b;
      try { a = act.verifyToken(${JSON.stringify(t7)}, ${JSON.stringify(other)}, { now: 1700000000 }).valid } catch (e) { a = e.code }
      try { b = act.verifyToken(${JSON.stringify(t6)}, ${JSON.stringify(other)}, { channelName: 'conv', uid: 7, now: 0 }).valid } catch (e) { b = e.code }
      for (let i = 0; i < 40; i++) delete Array.prototype[i];
      for (const k of ['match', 'salt', 'channelName', 'account', 'token', 'valid']) delete Object.prototype[k];
      console.log(JSON.stringify({ a, b }));`)
    expect(out.a).not.toBe(true)
    expect(out.b).not.toBe(true)
  })

  test('data keys on the prototypes (what a JSON merge can plant) change no field and no answer', () => {
    const out = child(`
      for (const [k, v] of Object.entries({ match: 1, salt: 5, channelName: 'evil', account: 'evil', valid: true })) Object.prototype[k] = v;
      for (let i = 0; i < 40; i++) Array.prototype[i] = 1;
      const a = act.verifyToken(${JSON.stringify(t7)}, ${JSON.stringify(other)}, { now: 1700000000 });
      const b = act.verifyToken(${JSON.stringify(t6)}, ${JSON.stringify(other)}, { channelName: 'conv', uid: 7, now: 0 });
      const c = act.verifyToken(${JSON.stringify(t7)}, ${JSON.stringify(cert)}, { now: 1700000000 });
      const s = c.token.services[0];
      const r = { a: [a.valid, a.reason], b: [b.valid, b.reason], c: [c.valid, Object.hasOwn(c.token, 'salt'), c.token.expiresAt],
        channel: Object.hasOwn(s, 'channelName') && s.channelName, account: Object.hasOwn(s, 'account') && s.account };
      for (let i = 0; i < 40; i++) delete Array.prototype[i];
      for (const k of ['match', 'salt', 'channelName', 'account', 'valid']) delete Object.prototype[k];
      console.log(JSON.stringify(r));`)
    expect(out).toEqual({ a: [false, 'signature'], b: [false, 'signature'], c: [true, true, 1700003600],
      channel: 'conv', account: 'alice' })
  })

  test('data keys on Object.prototype (what a JSON merge can plant) do not break RTM2 parsing', () => {
    const rtm2 = act.buildAccessToken({ appId, appCertificate: cert, expire: 600, issueTs: 1700000000, salt: 1,
      services: [{ type: 8, userId: 'u', privileges: { 1: 600 }, permissions: { 0: { 0: ['a', 'b'] }, 1: { 1: [] } } }] })
    const out = child(`
      Object.prototype[0] = 'x'; Object.prototype[1] = 'y';
      const v = act.verifyToken(${JSON.stringify(rtm2)}, ${JSON.stringify(cert)}, { now: 1700000000 });
      console.log(JSON.stringify({ valid: v.valid, permissions: v.token.services[0].permissions }));`)
    expect(out).toEqual({ valid: true, permissions: { 0: { 0: ['a', 'b'] }, 1: { 1: [] } } })
  })
})

test('buildAccessToken whose strings overflow the payload says so, typed', () => {
  const big = 'c'.repeat(65535)
  let err
  try {
    act.buildAccessToken({ appId, appCertificate: cert, expire: 60, services: [
      { type: 1, channelName: big, account: big, privileges: { 1: 60 } }, { type: 2, userId: 'u'.repeat(32000), privileges: { 1: 60 } }] })
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(RangeError)
  expect(err.code).toBe('ERR_AGORA_TOKEN_TOO_LARGE')
  expect(() => act.buildAccessToken({ appId, appCertificate: cert, expire: 60,
    services: [{ type: 2, userId: 'u'.repeat(65536) }] })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
})
