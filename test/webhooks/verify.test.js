'use strict'
// verifyNotification over both checks: the C core (through the addon) and
// Node's crypto. One suite body runs against each; signatures come from Agora's
// documentation and from Node's crypto, never from the code under test.
const crypto = require('crypto')
const path = require('path')
const fc = require('fast-check')
const verifyModule = require('../../lib/webhooks/verify')
const { CHANNEL_EVENT_TYPES } = require('../../lib/webhooks/events')

const { _makeVerify, _jsCheck, MAX_BODY, MAX_SECRET } = verifyModule
// The addon itself: lib/binding.js may not re-export verifyNotification yet.
const addon = require(path.join(__dirname, '..', '..', 'build', 'Release', 'agora_call_token.node'))

// Agora's example (issue 15): body, secret "secret".
const AGORA_BODY = '{"eventType":10,"noticeId":"4eb720f0-8da7-11e9-a43e-53f411c2761f","notifyMs":1560408533119,' +
  '"payload":{"a":"1","b":2},"productId":1}'
const AGORA_V2 = 'de96da5acf03b0021ac3b4fa2225e7ae6f3533a30d50bb02c08ea4fa748bda24'
const AGORA_V1 = '5a3bb6a6d9fad2ea9ae3fb707a14c9d7f3136df1'
// The channel-event reference's example (it has an eventMs field).
const DOC_BODY = '{"eventMs":1560408533119,"eventType":10,"noticeId":"4eb720f0-8da7-11e9-a43e-53f411c2761f",' +
  '"notifyMs":1560408533119,"payload":{"a":"1","b":2},"productId":1}'
const DOC_V2 = '6d3320c60b11101395b7fc8f9068748808a0aa1bfa064438e39d1bc2c7d74d99'
const DOC_V1 = '033c62f40f687675f17f0f41f91a40c71c0f134c'

const v2Of = (body, secret) => crypto.createHmac('sha256', secret).update(body).digest('hex')
const v1Of = (body, secret) => crypto.createHmac('sha1', secret).update(body).digest('hex')
const signed = (body, secret) => ({ 'agora-signature-v2': v2Of(body, secret), 'agora-signature': v1Of(body, secret) })

function notification(eventType, payload, extra = {}) {
  return JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType, notifyMs: 1611566412672,
    sid: 'C866467GVJJ54687', payload, ...extra })
}

const checks = [['js', _jsCheck], ['native', addon.verifyNotification]]

describe.each(checks)('verifyNotification (%s check)', (name, check) => {
  const verify = _makeVerify(check)

  test("Agora's documented vectors, each header alone and both", () => {
    for (const [body, v2, v1] of [[AGORA_BODY, AGORA_V2, AGORA_V1], [DOC_BODY, DOC_V2, DOC_V1]]) {
      expect(verify(body, { 'agora-signature-v2': v2, 'agora-signature': v1 }, 'secret'))
        .toMatchObject({ valid: true, reason: null, version: 'v2' })
      expect(verify(Buffer.from(body), { 'Agora-Signature-V2': v2 }, 'secret')).toMatchObject({ valid: true, version: 'v2' })
      expect(verify(body, { 'Agora-Signature': v1 }, Buffer.from('secret'))).toMatchObject({ valid: true, version: 'v1' })
    }
    // The vectors do not cross.
    expect(verify(AGORA_BODY, { 'agora-signature-v2': DOC_V2 }, 'secret').reason).toBe('signature')
    // eventType 10 is no RTC channel event: kept, typed 'unknown', payload untouched.
    const { event } = verify(AGORA_BODY, { 'agora-signature-v2': AGORA_V2 }, 'secret')
    expect(event).toMatchObject({ type: 'unknown', eventType: 10, productId: 1, noticeId: '4eb720f0-8da7-11e9-a43e-53f411c2761f',
      notifyMs: 1560408533119, payload: { a: '1', b: 2 } })
  })

  test('random bodies and secrets signed with Node crypto verify, in either hex case, and stop verifying when changed', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 512 }),
      fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 100 })),
      fc.boolean(), fc.nat(),
      (bytes, secret, caps, at) => {
        const key = typeof secret === 'string' ? secret : Buffer.from(secret)
        if (typeof key === 'string' && Buffer.byteLength(key) === 0) return
        const body = Buffer.from(bytes)
        const h = signed(body, key)
        const v2 = caps ? h['agora-signature-v2'].toUpperCase() : h['agora-signature-v2']
        const v1 = caps ? h['agora-signature'].toUpperCase() : h['agora-signature']
        const ok = verify(body, { 'agora-signature-v2': v2, 'agora-signature': v1 }, secret)
        // Any bytes verify; only JSON objects become events.
        expect(ok.reason === null || ok.reason === 'not-json' || ok.reason === 'not-object').toBe(true)
        expect(verify(body, { 'agora-signature': v1 }, secret).version).toBe('v1')
        expect(verify(body, { 'agora-signature': v1 }, secret).reason).toBe(ok.reason)
        if (body.length) {
          const tampered = Buffer.from(body)
          tampered[at % body.length] ^= 1 << (at % 8)
          expect(verify(tampered, { 'agora-signature-v2': v2 }, secret).reason).toBe('signature')
          expect(verify(tampered, { 'agora-signature': v1 }, secret).reason).toBe('signature')
        }
      }), { numRuns: 150 })
  })

  test('random JSON notifications verify and parse to their own fields', () => {
    fc.assert(fc.property(fc.string({ maxLength: 64 }), fc.integer({ min: 0, max: 0xffffffff }), fc.string({ minLength: 1 }),
      (channelName, uid, secret) => {
        const body = notification(107, { channelName, uid, platform: 7, ts: 1560396834 })
        const r = verify(body, signed(body, secret), secret)
        expect(r).toMatchObject({ valid: true, reason: null })
        expect(r.event).toMatchObject({ type: 'user-join', channelName, uid, platform: 7, platformName: 'web' })
      }), { numRuns: 100 })
  })

  test('a tampered body, a wrong secret, a bad V2 next to a good V1', () => {
    const body = notification(103, { channelName: 'c1', uid: 5, platform: 1, ts: 1 })
    const h = signed(body, 'secret')
    expect(verify(body.replace('"uid":5', '"uid":6'), h, 'secret')).toEqual({ valid: false, reason: 'signature', version: 'v2', event: null })
    expect(verify(body + ' ', h, 'secret').reason).toBe('signature')
    expect(verify(body, h, 'Secret').reason).toBe('signature')
    expect(verify(body, h, 'secret ').reason).toBe('signature')
    expect(verify(body, { ...h, 'agora-signature-v2': v2Of(body, 'other') }, 'secret'))
      .toMatchObject({ valid: false, reason: 'signature', version: 'v2' }) // no fallback to V1
    expect(verify(body, { ...h, 'agora-signature-v2': 'not hex' }, 'secret').reason).toBe('signature')
    expect(verify(body, { 'agora-signature-v2': h['agora-signature'] }, 'secret').reason).toBe('signature') // V1 digest as V2
    expect(verify(body, { 'agora-signature-v2': h['agora-signature-v2'].slice(1) }, 'secret').reason).toBe('signature')
    expect(verify(body, { 'agora-signature-v2': h['agora-signature-v2'] + '0' }, 'secret').reason).toBe('signature')
  })

  test('a missing signature: no header, empty headers, other headers only', () => {
    const body = notification(101, { channelName: 'c', ts: 1 })
    for (const headers of [{}, { 'agora-signature-v2': '', 'agora-signature': '' }, { 'content-type': 'application/json' },
      new Map(), { 'agora-signature-v2': undefined }]) {
      expect(verify(body, headers, 'secret')).toEqual({ valid: false, reason: 'missing-signature', version: null, event: null })
    }
    // An empty V2 counts as absent: the V1 is checked.
    expect(verify(body, { 'agora-signature-v2': '', 'agora-signature': v1Of(body, 'secret') }, 'secret'))
      .toMatchObject({ valid: true, version: 'v1' })
  })

  test('headers in any case, as a Map, as WHATWG Headers, with surrounding spaces', () => {
    const body = notification(102, { channelName: 'c', ts: 2, lastUid: 9 })
    const v2 = v2Of(body, 'k')
    for (const headers of [{ 'AGORA-SIGNATURE-V2': v2 }, { 'aGoRa-SiGnAtUrE-v2': v2 }, new Map([['Agora-Signature-V2', v2]]),
      new Headers({ 'Agora-Signature-V2': v2 }), { 'agora-signature-v2': ` ${v2} ` }, { 'agora-signature-v2': [v2] }]) {
      expect(verify(body, headers, 'k')).toMatchObject({ valid: true, version: 'v2' })
    }
    // Two spellings (or two values) are joined like repeated headers: never a signature.
    expect(verify(body, { 'agora-signature-v2': v2, 'Agora-Signature-V2': v2 }, 'k').reason).toBe('signature')
    expect(verify(body, { 'agora-signature-v2': [v2, v2] }, 'k').reason).toBe('signature')
    expect(verify(body, { 'agora-signature-v2': 42 }, 'k').reason).toBe('signature')
  })

  test('bodies over the limit are refused unhashed; one at the limit verifies', () => {
    const pad = (n) => { const s = '{"pad":"' + 'x'.repeat(n - 10) + '"}'; expect(s.length).toBe(n); return s }
    const atLimit = pad(MAX_BODY)
    expect(verify(atLimit, signed(atLimit, 's'), 's')).toMatchObject({ valid: true, reason: null })
    const over = pad(MAX_BODY + 1)
    expect(verify(over, signed(over, 's'), 's')).toEqual({ valid: false, reason: 'too-large', version: null, event: null })
    expect(verify(Buffer.alloc(5 * MAX_BODY), {}, 's').reason).toBe('too-large')
  })

  test('verified bodies that are not JSON objects', () => {
    for (const [body, reason] of [['not json', 'not-json'], ['', 'not-json'], ['{"a":', 'not-json'], ['[1,2]', 'not-object'],
      ['null', 'not-object'], ['42', 'not-object'], ['"s"', 'not-object'], [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'not-json']]) {
      expect(verify(body, signed(body, 's'), 's')).toEqual({ valid: false, reason, version: 'v2', event: null })
    }
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"eventType":101}')])
    expect(verify(bom, signed(bom, 's'), 's').valid).toBe(true)
  })

  test('every RTC channel event type is named and typed; unknown types and products are kept', () => {
    const payloads = {
      101: { channelName: 'test_webhook', ts: 1560396834 },
      102: { channelName: 'test_webhook', ts: 1560399999, lastUid: 12121212 },
      103: { channelName: 'test_webhook', uid: 12121212, platform: 1, clientSeq: 1625051030746, ts: 1560396843, account: 'test' },
      104: { channelName: 'test_webhook', uid: 12121212, platform: 1, clientSeq: 1625051030789, reason: 1, ts: 1560396943,
        duration: 600, account: 'test' },
      105: { channelName: 'test_webhook', uid: 12121212, platform: 6, clientType: 10, ts: 1560396843 },
      106: { channelName: 'test_webhook', uid: 12121212, platform: 2, reason: 2, ts: 1560396943, duration: 5 },
      107: { channelName: 'test_webhook', uid: 12121212, platform: 7, ts: 1560396834 },
      108: { channelName: 'test_webhook', uid: 12121212, platform: 8, reason: 999, ts: 1560496834 },
      111: { channelName: 'test_webhook', uid: 12121212, clientSeq: 1625051035469, ts: 1560396834, account: 'test' },
      112: { channelName: 'test_webhook', uid: 12121212, clientSeq: 16250510358369, ts: 1560496834 }
    }
    expect(Object.keys(payloads)).toEqual(Object.keys(CHANNEL_EVENT_TYPES))
    const names = []
    for (const [type, payload] of Object.entries(payloads)) {
      const body = notification(Number(type), payload)
      const { valid, event } = verify(body, signed(body, 'secret'), 'secret')
      expect(valid).toBe(true)
      names.push(event.type)
      expect(event).toMatchObject({ eventType: Number(type), productId: 1, channelName: 'test_webhook', ts: payload.ts,
        tsMs: payload.ts * 1000, sid: 'C866467GVJJ54687', notifyMs: 1611566412672, payload })
      expect(event.uid).toBe(payload.uid ?? null)
      expect(event.account).toBe(payload.account ?? null)
      expect(event.platform).toBe(payload.platform ?? null)
      expect(event.reason).toBe(payload.reason ?? null)
      expect(event.duration).toBe(payload.duration ?? null)
      expect(event.clientSeq).toBe(payload.clientSeq ?? null)
      expect(event.lastUid).toBe(payload.lastUid ?? null)
    }
    expect(names).toEqual(['channel-create', 'channel-destroy', 'broadcaster-join', 'broadcaster-leave', 'audience-join',
      'audience-leave', 'user-join', 'user-leave', 'role-to-broadcaster', 'role-to-audience'])
    const typed = (t, p, extra) => {
      const body = notification(t, p, extra)
      return verify(body, signed(body, 'k'), 'k').event
    }
    expect(typed(104, payloads[104])).toMatchObject({ platformName: 'android', reasonName: 'quit' })
    expect(typed(105, payloads[105])).toMatchObject({ platformName: 'linux', clientType: 10 })
    expect(typed(108, payloads[108])).toMatchObject({ platformName: 'macos', reasonName: 'abnormal' })
    // Unknown event types, other products, odd fields: kept, not refused.
    expect(typed(109, { channelName: 'c' })).toMatchObject({ type: 'unknown', eventType: 109, channelName: 'c' })
    expect(typed(101, { channelName: 'c' }, { productId: 3 })).toMatchObject({ type: 'unknown', productId: 3 })
    expect(typed(103, { uid: '77', ts: '1560396843', platform: 42, reason: 77 }))
      .toMatchObject({ type: 'broadcaster-join', uid: 77, ts: 1560396843, platformName: null, reasonName: null })
    expect(typed(103, { uid: -1, channelName: 5, account: '' })).toMatchObject({ uid: null, channelName: null, account: null })
    expect(typed(103, 'not an object')).toMatchObject({ type: 'broadcaster-join', payload: null, channelName: null })
    const body = '{"noticeId":7,"productId":"1","eventType":"103"}'
    expect(verify(body, signed(body, 'k'), 'k').event).toMatchObject({ type: 'broadcaster-join', noticeId: null })
  })

  test('bad arguments are typed errors that never show the secret', () => {
    const body = notification(101, { channelName: 'c', ts: 1 })
    const h = signed(body, 'hunter2-secret')
    const cases = [
      [() => verify(body, h), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, h, ''), TypeError, 'ERR_INVALID_ARG_VALUE'],
      [() => verify(body, h, Buffer.alloc(0)), TypeError, 'ERR_INVALID_ARG_VALUE'],
      [() => verify(body, h, 12345), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, h, { secret: 'hunter2-secret' }), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, h, 'hunter2-secret'.repeat(MAX_SECRET)), RangeError, 'ERR_OUT_OF_RANGE'],
      [() => verify(12, h, 'hunter2-secret'), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify({ body }, h, 'hunter2-secret'), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, null, 'hunter2-secret'), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, 'agora-signature', 'hunter2-secret'), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => verify(body, { get 'agora-signature-v2'() { throw new Error('x') } }, 'hunter2-secret'), TypeError,
        'ERR_INVALID_ARG_VALUE'],
      [() => verify(body, new Proxy({}, { ownKeys() { throw new Error('hunter2-secret') } }), 'hunter2-secret'), TypeError,
        'ERR_INVALID_ARG_VALUE']
    ]
    for (const [fn, Ctor, code] of cases) {
      let err
      try { fn() } catch (e) { err = e }
      expect(err).toBeInstanceOf(Ctor)
      expect(err.code).toBe(code)
      expect(err.message).not.toMatch(/hunter2/)
      expect(err.message).not.toMatch(String('hunter2-secret'.length))
    }
    // Exactly MAX_SECRET bytes is a secret.
    const long = 'k'.repeat(MAX_SECRET)
    expect(verify(body, signed(body, long), long).valid).toBe(true)
    expect(verify(new Uint8Array(Buffer.from(body)).buffer, signed(body, 'k'), 'k').valid).toBe(true)
  })
})

describe('the two checks', () => {
  const native = addon.verifyNotification
  const header = fc.oneof(
    fc.constant(''), fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 300 }),
    fc.stringMatching(/^[0-9a-fA-F]{64}$/), fc.stringMatching(/^[0-9a-fA-F]{40}$/), fc.stringMatching(/^[0-9a-fA-F\u0130 ]{38,66}$/))

  test('answer alike for any body, headers and secret, true signatures included', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), header, header, fc.uint8Array({ minLength: 1, maxLength: 80 }),
      fc.integer({ min: 0, max: 3 }), fc.boolean(), (bytes, v2, v1, key, truth, caps) => {
        const body = Buffer.from(bytes)
        const secret = Buffer.from(key)
        if (truth & 1) v2 = v2Of(body, secret)
        if (truth & 2) v1 = v1Of(body, secret)
        if (caps) { v2 = v2.toUpperCase(); v1 = v1.toUpperCase() }
        const a = _jsCheck(body, v2, v1, secret)
        expect(native(body, v2, v1, secret)).toBe(a)
        if (truth & 1) expect(a).toBe('VALID')
      }), { numRuns: 400 })
  })

  test('share their limits with the C core', () => {
    const s = Buffer.from('s')
    expect(native(Buffer.alloc(MAX_BODY + 1), '', '', s)).toBe('TOO_LARGE')
    expect(native(Buffer.alloc(MAX_BODY), '', '', s)).toBe('NO_SIGNATURE')
    expect(_jsCheck(Buffer.alloc(MAX_BODY + 1), '', '', s)).toBe('TOO_LARGE')
    expect(_jsCheck(Buffer.alloc(MAX_BODY), '', '', s)).toBe('NO_SIGNATURE')
    expect(native(Buffer.alloc(1), '', '', Buffer.alloc(MAX_SECRET + 1))).toBe('BAD_SECRET')
    expect(native(Buffer.alloc(1), '', '', Buffer.alloc(MAX_SECRET))).toBe('NO_SIGNATURE')
    expect(native(Buffer.alloc(1), 'a'.repeat(100000), '', s)).toBe('MALFORMED')
    expect(_jsCheck(Buffer.alloc(1), 'a'.repeat(100000), '', s)).toBe('MALFORMED')
  })

  test('the native check is used when the binding exports it, Node crypto otherwise or with AGORA_CALL_TOKEN_IMPL=js', () => {
    const load = (env, binding) => {
      let mod
      const saved = process.env.AGORA_CALL_TOKEN_IMPL
      if (env === undefined) delete process.env.AGORA_CALL_TOKEN_IMPL
      else process.env.AGORA_CALL_TOKEN_IMPL = env
      try {
        jest.isolateModules(() => {
          jest.doMock('../../lib/binding', binding)
          mod = require('../../lib/webhooks/verify')
        })
      } finally {
        jest.dontMock('../../lib/binding')
        if (saved === undefined) delete process.env.AGORA_CALL_TOKEN_IMPL
        else process.env.AGORA_CALL_TOKEN_IMPL = saved
      }
      return mod
    }
    let calls = 0
    const counting = (...args) => { calls++; return native(...args) }
    const withNative = load(undefined, () => ({ verifyNotification: counting }))
    expect(withNative.implementation).toBe('native')
    expect(withNative.verifyNotification(AGORA_BODY, { 'agora-signature-v2': AGORA_V2 }, 'secret').valid).toBe(true)
    expect(calls).toBe(1)
    const forced = load('js', () => ({ verifyNotification: counting }))
    expect(forced.implementation).toBe('js')
    expect(forced.verifyNotification(AGORA_BODY, { 'agora-signature-v2': AGORA_V2 }, 'secret').valid).toBe(true)
    expect(calls).toBe(1)
    expect(load(undefined, () => ({})).implementation).toBe('js')
    const unbuilt = load(undefined, () => { throw Object.assign(new Error('not built'), { code: 'ERR_AGORA_ADDON_NOT_BUILT' }) })
    expect(unbuilt.implementation).toBe('js')
    expect(unbuilt.verifyNotification(AGORA_BODY, { 'agora-signature': AGORA_V1 }, 'secret').valid).toBe(true)
  })
})
