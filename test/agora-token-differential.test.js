'use strict'
// Differential tests against the official builder (agora-token, devDependency)
// in the same process: same inputs, salt and timestamp -> the same string.
const fc = require('fast-check')
const { AccessToken2, ServiceRtc, ServiceRtm } = require('agora-token/src/AccessToken2')
const { RtcTokenBuilder, RtcRole } = require('agora-token')
const { IMPLS } = require('./helpers/impls')

const RUNS = Number(process.env.DIFF_RUNS || 1000)
const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/)
const CHANNEL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,'.split('')
const channel = fc.array(fc.constantFrom(...CHANNEL_CHARS), { minLength: 1, maxLength: 64 }).map((a) => a.join(''))
const account = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 255)
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const expiry = fc.integer({ min: 1, max: 86400 })

function official({ appId, appCertificate, channelName, who, issuedAt, expiresIn, privilegeExpiresIn, salt, role, rtm }) {
  const t = new AccessToken2(appId, appCertificate, issuedAt, expiresIn)
  t.salt = salt
  const rtc = new ServiceRtc(channelName, who)
  rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, privilegeExpiresIn)
  if (role === 1) {
    rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, privilegeExpiresIn)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, privilegeExpiresIn)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, privilegeExpiresIn)
  }
  t.add_service(rtc)
  if (rtm) {
    const s = new ServiceRtm(String(who))
    s.add_privilege(ServiceRtm.kPrivilegeLogin, expiresIn)
    t.add_service(s)
  }
  return t.build()
}

describe.each(IMPLS)('%s', (impl, act) => {
  test(`buildRtcToken equals agora-token's AccessToken2 over ${RUNS} random cases`, () => {
    fc.assert(fc.property(
      hex32, hex32, channel, fc.oneof(u32, account), u32, expiry, fc.integer({ min: 0, max: 86400 }), u32,
      fc.constantFrom(1, 2), fc.boolean(),
      (appId, appCertificate, channelName, who, issuedAt, expiresIn, privilegeExpiresIn, salt, role, rtmWanted) => {
        const rtm = rtmWanted && who !== 0
        const opts = { appId, appCertificate, channelName, issuedAt, expiresIn, privilegeExpiresIn, salt, role }
        if (typeof who === 'number') opts.uid = who
        else opts.account = who
        if (rtm) opts.withRtm = true
        // agora-token treats issueTs 0 as "now"; 0 is the one timestamp it cannot be given.
        if (issuedAt === 0) return
        const ours = act.buildRtcToken(opts)
        expect(ours).toBe(official({ ...opts, who, rtm }))
        const parsed = new AccessToken2()
        expect(parsed.from_string(ours)).toBe(true)
        expect(parsed.verifySignature(appCertificate)).toBe(true)
        expect(parsed.salt).toBe(salt)
        expect(parsed.issueTs).toBe(issuedAt)
      }), { numRuns: RUNS })
  })

  test('buildRtcToken equals RtcTokenBuilder with the clock and Math.random controlled', () => {
    const realRandom = Math.random
    const realNow = Date.now
    try {
      fc.assert(fc.property(hex32, hex32, channel, fc.oneof(u32, account), fc.integer({ min: 1, max: 99999999 }),
        fc.integer({ min: 1e9, max: 2e9 }), expiry, fc.constantFrom(1, 2),
        (appId, cert, channelName, who, salt, now, expiresIn, role) => {
          Math.random = () => (salt - 1 + 0.5) / 99999999
          const nowMs = now * 1000 + 123
          Date.now = () => nowMs
          const RealDate = global.Date
          const official = (() => {
            global.Date = class extends RealDate { constructor(...a) { super(...(a.length ? a : [nowMs])) } }
            try {
              return typeof who === 'number'
                ? RtcTokenBuilder.buildTokenWithUid(appId, cert, channelName, who, role, expiresIn, expiresIn)
                : RtcTokenBuilder.buildTokenWithUserAccount(appId, cert, channelName, who, role, expiresIn, expiresIn)
            } finally {
              global.Date = RealDate
            }
          })()
          const opts = { appId, appCertificate: cert, channelName, role: role === RtcRole.PUBLISHER ? 'publisher' : 'subscriber',
            expiresIn, salt, issuedAt: now }
          if (typeof who === 'number') opts.uid = who
          else opts.account = who
          expect(act.buildRtcToken(opts)).toBe(official)
        }), { numRuns: 200 })
    } finally {
      Math.random = realRandom
      Date.now = realNow
    }
  })

  test('parseToken reads what agora-token builds, and rejects a tampered signature', () => {
    fc.assert(fc.property(hex32, hex32, channel, account, u32, expiry, (appId, cert, channelName, who, salt, expiresIn) => {
      const token = official({ appId, appCertificate: cert, channelName, who, issuedAt: 1700000000, expiresIn,
        privilegeExpiresIn: expiresIn, salt, role: 1 })
      const parsed = act.parseToken(token)
      expect(parsed.services[0]).toMatchObject({ type: 1, name: 'RTC', channelName, account: who })
      expect(act.verifyToken(token, cert, { now: 1700000000 }).valid).toBe(true)
      const other = (cert[0] === 'a' ? 'b' : 'a') + cert.slice(1)
      expect(act.verifyToken(token, other, { now: 1700000000 })).toMatchObject({ valid: false, reason: 'signature' })
    }), { numRuns: 200 })
  })
})
