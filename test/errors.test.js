'use strict'
// Every input rule of the public API, for both implementations: a TypeError or RangeError with a code and
// a message naming the argument; never the certificate in a message.
const { IMPLS } = require('./helpers/impls')

const appId = '970CA35de60c44645bbae8a215061b33'
const appCertificate = '5CFd2fd1755d40ecb72977518be15d3b'
const base = { appId, appCertificate, channelName: 'conv-1', account: 'user-1' }

function expectError(fn, Type, code, mentions) {
  let err
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(Type)
  expect(err.code).toBe(code)
  if (mentions) expect(err.message).toContain(mentions)
  expect(err.message).not.toContain(appCertificate)
  return err
}

describe.each(IMPLS)('%s', (impl, act) => {
  describe('buildRtcToken input rules', () => {
    const cases = [
      ['options not an object', () => act.buildRtcToken(), TypeError, 'ERR_INVALID_ARG_TYPE', '"options"'],
      ['options null', () => act.buildRtcToken(null), TypeError, 'ERR_INVALID_ARG_TYPE', '"options"'],
      ['appId missing', { appId: undefined }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.appId'],
      ['appId 31 chars', { appId: appId.slice(1) }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.appId'],
      ['appId not hex', { appId: appId.slice(1) + 'g' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.appId'],
      ['certificate number', { appCertificate: 42 }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.appCertificate'],
      ['certificate 33 chars', { appCertificate: appCertificate + 'a' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.appCertificate'],
      ['channel missing', { channelName: undefined }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.channelName'],
      ['channel empty', { channelName: '' }, RangeError, 'ERR_OUT_OF_RANGE', 'options.channelName'],
      ['channel 65 chars', { channelName: 'a'.repeat(65) }, RangeError, 'ERR_OUT_OF_RANGE', 'options.channelName'],
      ['channel with slash', { channelName: 'a/b' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.channelName'],
      ['channel with non-ASCII', { channelName: 'café' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.channelName'],
      ['channel with NUL', { channelName: 'a\0b' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.channelName'],
      ['no uid nor account', { account: undefined }, TypeError, 'ERR_MISSING_ARGS', 'uid'],
      ['uid and account', { uid: 5 }, TypeError, 'ERR_INVALID_ARG_VALUE', 'exactly one'],
      ['uid negative', { account: undefined, uid: -1 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.uid'],
      ['uid 2^32', { account: undefined, uid: 2 ** 32 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.uid'],
      ['uid fraction', { account: undefined, uid: 1.5 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.uid'],
      ['uid NaN', { account: undefined, uid: NaN }, RangeError, 'ERR_OUT_OF_RANGE', 'options.uid'],
      ['uid string', { account: undefined, uid: '5' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uid'],
      ['uid bigint', { account: undefined, uid: 5n }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uid'],
      ['account number', { account: 5 }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.account'],
      ['account empty', { account: '' }, RangeError, 'ERR_OUT_OF_RANGE', 'options.account'],
      ['account 256 bytes', { account: 'é'.repeat(128) }, RangeError, 'ERR_OUT_OF_RANGE', 'options.account'],
      ['account lone surrogate', { account: 'a\uD800b' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.account'],
      ['account NUL', { account: 'a\0b' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.account'],
      ['role unknown', { role: 'admin' }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.role'],
      ['role 3', { role: 3 }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.role'],
      ['expiresIn 0', { expiresIn: 0 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.expiresIn'],
      ['expiresIn over a day', { expiresIn: 86401 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.expiresIn'],
      ['expiresIn Infinity', { expiresIn: Infinity }, RangeError, 'ERR_OUT_OF_RANGE', 'options.expiresIn'],
      ['expiresIn string', { expiresIn: '3600' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.expiresIn'],
      ['privilegeExpiresIn negative', { privilegeExpiresIn: -1 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.privilegeExpiresIn'],
      ['privileges unknown key', { privileges: { joinChannel: 1, kick: 2 } }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.privileges.kick'],
      ['privileges without join', { privileges: { publishAudio: 5 } }, TypeError, 'ERR_MISSING_ARGS', 'joinChannel'],
      ['privileges and role', { role: 'publisher', privileges: { joinChannel: 5 } }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.privileges'],
      ['withRtm not boolean', { withRtm: 'yes' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.withRtm'],
      ['withRtm with uid 0', { account: undefined, uid: 0, withRtm: true }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.withRtm'],
      ['issuedAt negative', { issuedAt: -5 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.issuedAt'],
      ['salt past u32', { salt: 2 ** 32 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.salt'],
      ['unknown option (typo)', { expireIn: 60 }, TypeError, 'ERR_INVALID_ARG_VALUE', 'options.expireIn'],
      ['throwing getter', Object.defineProperty({ ...base }, 'channelName', { get() { throw new Error('boom') }, enumerable: true }),
        TypeError, 'ERR_INVALID_ARG_VALUE', 'options.channelName']
    ]
    test.each(cases)('%s', (_, input, Type, code, mentions) => {
      const fn = typeof input === 'function' ? input : () => act.buildRtcToken(Object.getOwnPropertyDescriptor(input, 'channelName')?.get ? input : { ...base, ...input })
      expectError(fn, Type, code, mentions)
    })

    test('a wrong certificate is refused without echoing it', () => {
      const cert = 'zz' + appCertificate.slice(2)
      const err = expectError(() => act.buildRtcToken({ ...base, appCertificate: cert }), TypeError, 'ERR_INVALID_ARG_VALUE')
      expect(err.message).not.toContain(cert)
      expect(err.stack).not.toContain(cert)
    })

    test('the limits themselves are accepted', () => {
      for (const extra of [{ channelName: 'a'.repeat(64) }, { account: 'é'.repeat(127) + 'a' }, { expiresIn: 86400 },
        { expiresIn: 1, privilegeExpiresIn: 0 }, { account: undefined, uid: 4294967295 }, { account: undefined, uid: 0 },
        { channelName: ' !#$%&()+-:;<=.>?@[]^_{}|~,' }, { role: 'subscriber' }, { role: act.RtcRole.PUBLISHER }]) {
        expect(act.buildRtcToken({ ...base, ...extra })).toMatch(/^007[A-Za-z0-9+/]+=*$/)
      }
    })

    test('defaults: publisher, one hour, privileges equal to the token lifetime, issued now, random salt', () => {
      const before = Math.floor(Date.now() / 1000)
      const a = act.parseToken(act.buildRtcToken(base))
      const b = act.parseToken(act.buildRtcToken(base))
      expect(a.expire).toBe(3600)
      expect(a.issueTs).toBeGreaterThanOrEqual(before)
      expect(a.issueTs).toBeLessThanOrEqual(Math.floor(Date.now() / 1000))
      expect(a.services).toEqual([{ type: 1, name: 'RTC', channelName: 'conv-1', account: 'user-1',
        privileges: { 1: 3600, 2: 3600, 3: 3600, 4: 3600 } }])
      expect(a.salt).toBeGreaterThanOrEqual(1)
      expect(a.salt).toBeLessThanOrEqual(99999999)
      expect(a.salt).not.toBe(b.salt)
    })

    test('withRtm adds an RTM login for the same account', () => {
      const t = act.parseToken(act.buildRtcToken({ ...base, expiresIn: 600, privilegeExpiresIn: 300, withRtm: true }))
      expect(t.services[1]).toEqual({ type: 2, name: 'RTM', userId: 'user-1', privileges: { 1: 600 } })
      expect(t.services[0].privileges).toEqual({ 1: 300, 2: 300, 3: 300, 4: 300 })
    })
  })

  describe('parseToken and verifyToken on bad tokens', () => {
    const good = act.buildRtcToken({ ...base, issuedAt: 1700000000, expiresIn: 600 })
    const bad = ['', '007', '008abc', '007!!!!', '007AAAA', good.slice(0, 40), good + 'AAAA', 'x'.repeat(100000), good.replace(/^007/, '006')]

    test.each(bad.map((t) => [t.slice(0, 20), t]))('parseToken(%j...) throws a typed error', (_, token) => {
      let err
      try {
        act.parseToken(token)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(Error)
      expect(['ERR_AGORA_TOKEN_MALFORMED', 'ERR_AGORA_TOKEN_TOO_LARGE']).toContain(err.code)
      expect(err instanceof TypeError || err instanceof RangeError).toBe(true)
    })

    test.each([...bad, 42, null, undefined, {}, Symbol('t')].map((t) => [String(typeof t === 'symbol' ? 'symbol' : t).slice(0, 20), t]))(
      'verifyToken(%j...) answers malformed, never throws', (_, token) => {
        expect(act.verifyToken(token, appCertificate)).toEqual({ valid: false, reason: 'malformed', token: null })
      })

    test('parseToken of a non-string is a TypeError', () => {
      expectError(() => act.parseToken(42), TypeError, 'ERR_INVALID_ARG_TYPE', '"token"')
    })

    test('verifyToken: signature, expiry and a bad certificate', () => {
      expect(act.verifyToken(good, appCertificate, { now: 1700000600 })).toMatchObject({ valid: true, reason: null })
      expect(act.verifyToken(good, appCertificate, { now: 1700000601 })).toMatchObject({ valid: false, reason: 'expired' })
      expect(act.verifyToken(good, appCertificate.replace(/^5/, '6'), { now: 1700000000 }))
        .toMatchObject({ valid: false, reason: 'signature' })
      expectError(() => act.verifyToken(good, 'nothex'), TypeError, 'ERR_INVALID_ARG_VALUE', 'appCertificate')
      expectError(() => act.verifyToken(good, appCertificate, { now: 'soon' }), TypeError, 'ERR_INVALID_ARG_TYPE', 'options.now')
    })

    test('a token whose every byte is flipped in turn never verifies and never crashes', () => {
      const body = Buffer.from(good.slice(3), 'base64')
      for (let i = 0; i < body.length; i++) {
        const copy = Buffer.from(body)
        copy[i] ^= 0x41
        const r = act.verifyToken('007' + copy.toString('base64'), appCertificate, { now: 1700000000 })
        expect(r.valid).toBe(false)
        expect(['malformed', 'signature']).toContain(r.reason)
      }
    })
  })
})
