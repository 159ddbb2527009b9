'use strict'
// Every official vector, byte for byte, through the public API, and parsed back,
// with both implementations. A "007" token is the deflated payload: the
// expected string is what this process's zlib makes of the vector's payload
// (the fixtures' `token` is Chromium's zlib, `tokenVanillaZlib` upstream zlib's).
const zlib = require('zlib')
const { v007, v006, expectedService, wireOrder } = require('./helpers/vectors')
const { IMPLS, tokenFor } = require('./helpers/impls')

describe.each(IMPLS)('%s', (impl, act) => {
  describe('"007" vectors', () => {
    test('this process\'s zlib makes one of the fixtures\' two strings for the first vector', () => {
      expect([v007[0].token, v007[0].tokenVanillaZlib]).toContain(tokenFor(v007[0].content))
    })

    test.each(v007.map((v) => [v.name, v]))('%s: buildAccessToken gives the exact token', (_, v) => {
      const { appId, appCertificate, issueTs, expire, salt, services } = v
      const token = act.buildAccessToken({ appId, appCertificate, issueTs, expire, salt, services })
      expect(token).toBe(tokenFor(v.content))
      // The payload every official builder signs, whatever zlib compressed it.
      expect(zlib.inflateSync(Buffer.from(token.slice(3), 'base64')).toString('base64')).toBe(v.content)
    })

    test.each(v007.map((v) => [v.name, v]))('%s: parseToken returns its fields', (_, v) => {
      for (const token of [v.token, v.tokenVanillaZlib]) {
        const parsed = act.parseToken(token)
        expect(parsed).toEqual({
          version: '007', appId: v.appId, issueTs: v.issueTs, expire: v.expire, salt: v.salt,
          expiresAt: v.issueTs + v.expire, services: wireOrder(v.services).map(expectedService)
        })
        const verified = act.verifyToken(token, v.appCertificate, { now: v.issueTs })
        expect(verified).toMatchObject({ valid: true, reason: null })
      }
    })

    // The RTC vectors that buildRtcToken can express: one RTC service whose
    // privileges are a role's set or an explicit set.
    const rtc = v007.filter((v) => v.services.length === 1 && v.services[0].type === 1)
    test('buildRtcToken covers the single-RTC vectors', () => expect(rtc.length).toBeGreaterThanOrEqual(45))
    test.each(rtc.map((v) => [v.name, v]))('%s: buildRtcToken gives the exact token', (_, v) => {
      const s = v.services[0]
      const p = s.privileges
      const keys = Object.keys(p).join(',')
      const opts = { appId: v.appId, appCertificate: v.appCertificate, channelName: s.channelName,
        issuedAt: v.issueTs, expiresIn: v.expire, salt: v.salt }
      if ('uid' in s) opts.uid = s.uid
      else opts.account = s.account
      const same = new Set(Object.values(p)).size === 1
      if (keys === '1,2,3,4' && same) Object.assign(opts, { role: 'publisher', privilegeExpiresIn: p[1] })
      else if (keys === '1') Object.assign(opts, { role: act.RtcRole.SUBSCRIBER, privilegeExpiresIn: p[1] })
      else {
        opts.privileges = { joinChannel: p[1], publishAudio: p[2], publishVideo: p[3], publishData: p[4] }
      }
      expect(act.buildRtcToken(opts)).toBe(tokenFor(v.content))
    })
  })

  describe('"006" vectors', () => {
    test.each(v006.map((v) => [v.name, v]))('%s: buildLegacyToken gives the exact token and parses back', (_, v) => {
      const { appId, appCertificate, channelName, uid, salt, ts, privileges } = v
      expect(act.buildLegacyToken({ appId, appCertificate, channelName, uid, salt, ts, privileges })).toBe(v.token)
      const parsed = act.parseToken(v.token)
      expect(parsed).toMatchObject({ version: '006', appId: v.appId, salt: v.salt, ts: v.ts, privileges: v.privileges })
      expect(act.verifyToken(v.token, v.appCertificate, { channelName: v.channelName, uid: v.uid, now: v.ts }).valid).toBe(true)
      expect(act.verifyToken(v.token, v.appCertificate, { channelName: v.channelName + 'x', uid: v.uid, now: v.ts }))
        .toMatchObject({ valid: false, reason: 'signature' })
    })
  })
})
