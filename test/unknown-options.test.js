'use strict'
// Every builder and verifyToken refuse option names they do not know (a typo
// must not silently build a token for channel '' or answer 'signature'), in
// both implementations; issuedAt / issueTs 0 is refused (the official builders
// read 0 as "now"; this package would have written 1970); parseToken holds to
// the build's limit of 64 RTM2 permission groups.
const zlib = require('zlib')
const { IMPLS } = require('./helpers/impls')

const { APP_ID, APP_CERTIFICATE: CERT } = require('./helpers/credentials')

function refusal(fn) {
  try {
    fn()
  } catch (err) {
    return { class: err.constructor.name, code: err.code, argument: err.argument }
  }
  return 'no error'
}
const unknown = (argument) => ({ class: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', argument })

describe.each(IMPLS)('%s', (impl, act) => {
  const access = (extra, service) => act.buildAccessToken({ appId: APP_ID, appCertificate: CERT, expire: 600,
    services: [service || { type: 1, channelName: 'conv-1', uid: 7 }], ...extra })
  const legacy = (extra) => act.buildLegacyToken({ appId: APP_ID, appCertificate: CERT, channelName: 'conv-1', uid: 7,
    ...extra })

  test('buildAccessToken: known options build, an unknown one is refused by name', () => {
    expect(access({}).startsWith('007')).toBe(true)
    expect(refusal(() => access({ expiresIn: 600 }))).toEqual(unknown('options.expiresIn'))
    expect(refusal(() => access({ issuets: 5 }))).toEqual(unknown('options.issuets'))
  })

  test('buildAccessToken services: the issue\'s example (channelname) and a key of another kind', () => {
    expect(refusal(() => access({}, { type: 1, channelname: 'conv-1', uid: 7 }))).toEqual(unknown('services[0].channelname'))
    expect(refusal(() => access({}, { type: 2, channelName: 'conv-1' }))).toEqual(unknown('services[0].channelName'))
    expect(refusal(() => access({}, { type: 4, userId: 'u' }))).toEqual(unknown('services[0].userId'))
    expect(refusal(() => access({}, { type: 7, roomUuid: 'r', userUuid: 'u', role: 1, uid: 3 })))
      .toEqual(unknown('services[0].uid'))
    // every kind's own keys are accepted
    for (const s of [{ type: 3, channelName: 'c', account: 'a' }, { type: 5, userId: 'u' }, { type: 9, privileges: { 1: 5 } },
      { type: 7, roomUuid: 'r', userUuid: 'u', role: 1 }, { type: 8, userId: 'u', permissions: { 0: { 0: ['x'] } } }]) {
      expect(access({}, s).startsWith('007')).toBe(true)
    }
  })

  test('buildLegacyToken: an unknown option', () => {
    expect(legacy({}).startsWith('006')).toBe(true)
    expect(refusal(() => legacy({ channel: 'x' }))).toEqual(unknown('options.channel'))
  })

  test('verifyToken: an unknown option (channelname) is refused instead of answering "signature"', () => {
    const t006 = legacy({ ts: 2000000000 })
    expect(act.verifyToken(t006, CERT, { channelName: 'conv-1', uid: 7, now: 100 }).valid).toBe(true)
    expect(refusal(() => act.verifyToken(t006, CERT, { channelname: 'conv-1', uid: 7 }))).toEqual(unknown('options.channelname'))
  })

  test('issuedAt / issueTs 0 is refused; omitted means now', () => {
    const base = { appId: APP_ID, appCertificate: CERT, channelName: 'conv-1', uid: 7 }
    const range = (argument) => ({ class: 'RangeError', code: 'ERR_OUT_OF_RANGE', argument })
    expect(refusal(() => act.buildRtcToken({ ...base, issuedAt: 0 }))).toEqual(range('options.issuedAt'))
    expect(refusal(() => access({ issueTs: 0 }))).toEqual(range('options.issueTs'))
    const now = Math.floor(Date.now() / 1000)
    expect(Math.abs(act.parseToken(act.buildRtcToken(base)).issueTs - now)).toBeLessThanOrEqual(2)
    expect(act.parseToken(act.buildRtcToken({ ...base, issuedAt: 1 })).issueTs).toBe(1)
  })

  test('parseToken refuses an RTM2 tree over the 64 groups a build allows', () => {
    const perms = (n) => Object.fromEntries([...Array(n).keys()].map((i) => [i, { 0: [`r${i}`] }]))
    const t64 = access({}, { type: 8, userId: 'u', permissions: perms(64) })
    expect(Object.keys(act.parseToken(t64).services[0].permissions)).toHaveLength(64)
    expect(refusal(() => access({}, { type: 8, userId: 'u', permissions: perms(65) })).code).toBe('ERR_AGORA_TOKEN_TOO_LARGE')
    // 200 groups, made by rewriting the 64-group token's payload (the builders refuse it)
    const payload = zlib.inflateSync(Buffer.from(t64.slice(3), 'base64'))
    // the tree: u16 64 resource types, the first (0) with 1 permission type (0) listing 1 resource 'r0'
    const at = payload.indexOf(Buffer.from([64, 0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0x72, 0x30]))
    expect(at).toBeGreaterThan(0)
    const extra = []
    for (let i = 64; i < 200; i++) extra.push(Buffer.from([i, 0, 1, 0, 0, 0, 0, 0])) // rt, 1 type: pt 0, no resources
    const grown = Buffer.concat([payload.subarray(0, at), Buffer.from([200, 0]), payload.subarray(at + 2), ...extra])
    const t200 = '007' + zlib.deflateSync(grown).toString('base64')
    expect(refusal(() => act.parseToken(t200))).toEqual({ class: 'RangeError', code: 'ERR_AGORA_TOKEN_TOO_LARGE',
      argument: undefined })
    expect(act.verifyToken(t200, CERT).reason).toBe('malformed')
  })
})
