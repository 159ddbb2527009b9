'use strict'
// Token rows: this addon against the official npm builders, same inputs, and
// the package's JavaScript fallback beside them.
const zlib = require('zlib')
const { act, js } = require('./engines')
const binding = require('../../lib/binding')
const { RtcTokenBuilder, RtcRole } = require('agora-token')
const { AccessToken2, ServiceRtc } = require('agora-token/src/AccessToken2')
const legacy = require('agora-access-token')
const { AccessToken: LegacyAccessToken, priviledges: LegacyPriv } = require('agora-access-token/src/AccessToken')
const { APP_ID, APP_CERT, CHANNEL, ACCOUNT, UID, EXPIRE, FIXED_ISSUED_AT, FIXED_SALT } = require('./inputs')

const agoraTokenVersion = require('agora-token/package.json').version
const agoraAccessTokenVersion = require('agora-access-token/package.json').version

// agora-token with a fixed salt and issue time: what buildTokenWithUserAccount
// does, on an AccessToken2 whose salt and issueTs are set by hand.
function agoraTokenFixed(account) {
  const token = new AccessToken2(APP_ID, APP_CERT, FIXED_ISSUED_AT, EXPIRE)
  token.salt = FIXED_SALT
  const rtc = new ServiceRtc(CHANNEL, account)
  rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, EXPIRE)
  rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, EXPIRE)
  rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, EXPIRE)
  rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, EXPIRE)
  token.add_service(rtc)
  return token.build()
}

const fixed = (engine, identity) => engine.buildRtcToken({
  appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, ...identity, issuedAt: FIXED_ISSUED_AT, salt: FIXED_SALT
})
const addonFixed = (identity) => fixed(act, identity)

function legacyFixed(ts) {
  const t = new LegacyAccessToken(APP_ID, APP_CERT, CHANNEL, UID)
  t.salt = FIXED_SALT
  t.ts = ts
  for (const k of [LegacyPriv.kJoinChannel, LegacyPriv.kPublishAudioStream, LegacyPriv.kPublishVideoStream,
    LegacyPriv.kPublishDataStream]) t.addPriviledge(k, ts)
  return t.build()
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

// Checks that each pair builds the same thing before timing it. Returns a list of failures.
function selfCheck() {
  const failures = []
  const eq = (what, a, b) => { if (a !== b) failures.push(`${what}: outputs differ`) }
  eq('"007" uid, fixed salt+issuedAt vs agora-token', addonFixed({ uid: UID }), agoraTokenFixed(UID))
  eq('"007" account, fixed salt+issuedAt vs agora-token', addonFixed({ account: ACCOUNT }), agoraTokenFixed(ACCOUNT))
  const ts = FIXED_ISSUED_AT + 3600
  eq('"006" uid, fixed salt+ts vs agora-access-token', act.buildLegacyToken({
    appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID, salt: FIXED_SALT, ts,
    privileges: { 1: ts, 2: ts, 3: ts, 4: ts }
  }), legacyFixed(ts))
  // default paths: same services and privileges on both sides
  const strip = (t) => { const p = act.parseToken(t); return JSON.stringify(p.services) + p.expire }
  eq('"007" uid default path: services', strip(act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT,
    channelName: CHANNEL, uid: UID })), strip(RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERT, CHANNEL, UID,
    RtcRole.PUBLISHER, EXPIRE, EXPIRE)))
  eq('"007" account default path: services', strip(act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT,
    channelName: CHANNEL, account: ACCOUNT })), strip(RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, APP_CERT,
    CHANNEL, ACCOUNT, RtcRole.PUBLISHER, EXPIRE, EXPIRE)))
  eq('"007" account, fixed salt+issuedAt: fallback vs addon', fixed(js, { account: ACCOUNT }), addonFixed({ account: ACCOUNT }))
  eq('parse+verify: addon says valid', tokenPool().every((t) => addonVerify(t) === 1), true)
  eq('parse+verify: fallback says valid', tokenPool().every((t) => fallbackVerify(t) === 1), true)
  eq('parse+verify: agora-token says valid', tokenPool().every((t) => agoraVerify(t) === 1), true)
  return failures
}

// The tokens both sides parse and verify, in turn: account tokens from the
// addon's default path. Distinct tokens (their salts differ), because a loop
// over one constant input lets the CPU's branch predictors learn it by heart.
const POOL = 64
let pool
function tokenPool() {
  if (!pool) {
    pool = Array.from({ length: POOL }, () =>
      act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }))
  }
  return pool
}

// A verify contender: fn(token) over the pool, one token per call.
function overPool(fn) {
  const tokens = tokenPool()
  let i = 0
  return () => fn(tokens[i++ & (POOL - 1)])
}
const addonVerify = (token) => (act.verifyToken(token, APP_CERT).valid ? 1 : 0)
const fallbackVerify = (token) => (js.verifyToken(token, APP_CERT).valid ? 1 : 0)
const FALLBACK = 'JavaScript fallback (AGORA_CALL_TOKEN_IMPL=js), same call'
const legacyBuild = (engine) => {
  const ts = nowSeconds() + EXPIRE
  return engine.buildLegacyToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID,
    privileges: { 1: ts, 2: ts, 3: ts, 4: ts } }).length
}
const agoraVerify = (token) => { const t = new AccessToken2(); return t.from_string(token) && t.verifySignature(APP_CERT) ? 1 : 0 }

// The deflate floor: the addon's own token deflater (reset + clear + deflate, through Node-API
// like a build) over the payloads of 256 distinct real tokens in turn. One payload repeated lets
// the CPU learn deflate's branches and runs about 40% faster, which is not a fair floor.
const PAYLOADS = 256
let payloads
function payloadPool() {
  if (!payloads) {
    payloads = Array.from({ length: PAYLOADS }, () => zlib.inflateSync(Buffer.from(act.buildRtcToken({
      appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }).slice(3), 'base64')))
    if (new Set(payloads.map((p) => p.toString('hex'))).size !== PAYLOADS) throw new Error('the payload pool repeats')
  }
  return payloads
}
function deflateFloor() {
  const pool = payloadPool()
  let i = 0
  return () => binding[Symbol.for('agora-call-token.testing')].deflate(pool[i++ & (PAYLOADS - 1)]).length
}

const AGORA = `agora-token@${agoraTokenVersion}`
const LEGACY = `agora-access-token@${agoraAccessTokenVersion}`

// Each row: { id, title, contenders, goal }. The first contender is the addon.
function rows() {
  return [
    {
      id: 'build007-uid',
      title: '"007" RTC token, uid, publisher (default path: random salt, now)',
      contenders: [
        { key: 'addon', label: 'addon buildRtcToken({ appId, appCertificate, channelName, uid })',
          fn: () => act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID }).length },
        { key: 'agora-token', label: `${AGORA} RtcTokenBuilder.buildTokenWithUid`,
          fn: () => RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERT, CHANNEL, UID, RtcRole.PUBLISHER, EXPIRE, EXPIRE).length },
        { key: 'fallback', label: FALLBACK,
          fn: () => js.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID }).length }
      ],
      goal: { key: 'agora-token', min: 6, aim: 8, text: '"007" build >= 6x agora-token (aim 8x)' }
    },
    {
      id: 'build007-account',
      title: '"007" RTC token, account, publisher (default path: random salt, now)',
      contenders: [
        { key: 'addon', label: 'addon buildRtcToken({ appId, appCertificate, channelName, account })',
          fn: () => act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }).length },
        { key: 'agora-token', label: `${AGORA} RtcTokenBuilder.buildTokenWithUserAccount`,
          fn: () => RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, APP_CERT, CHANNEL, ACCOUNT, RtcRole.PUBLISHER, EXPIRE,
            EXPIRE).length },
        { key: 'fallback', label: FALLBACK,
          fn: () => js.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }).length }
      ],
      goal: { key: 'agora-token', min: 6, aim: 8, text: '"007" build >= 6x agora-token (aim 8x)' }
    },
    {
      id: 'build007-vs-deflate',
      title: `"007" RTC token, account, publisher, against the deflate floor (${PAYLOADS} distinct real payloads)`,
      contenders: [
        { key: 'addon', label: 'addon buildRtcToken({ appId, appCertificate, channelName, account })',
          fn: () => act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }).length },
        { key: 'deflate-floor', label: `deflate floor: the addon's testing.deflate(payload), ${PAYLOADS} payloads in turn`,
          fn: deflateFloor() },
        { key: 'agora-token', label: `${AGORA} RtcTokenBuilder.buildTokenWithUserAccount`,
          fn: () => RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, APP_CERT, CHANNEL, ACCOUNT, RtcRole.PUBLISHER, EXPIRE,
            EXPIRE).length }
      ],
      // cost: the addon's ns/op over the floor's, per round; a token cannot cost less than its deflate
      goal: { key: 'deflate-floor', maxCost: 1.2, text: 'buildRtcToken <= 1.2x the varied-payload deflate floor' }
    },
    {
      id: 'build007-fixed',
      title: '"007" RTC token, account, publisher, fixed salt + issuedAt (byte-identical outputs)',
      contenders: [
        { key: 'addon', label: 'addon buildRtcToken({ ..., account, issuedAt, salt })',
          fn: () => addonFixed({ account: ACCOUNT }).length },
        { key: 'agora-token', label: `${AGORA} AccessToken2 + ServiceRtc, salt/issueTs set`,
          fn: () => agoraTokenFixed(ACCOUNT).length },
        { key: 'fallback', label: FALLBACK, fn: () => fixed(js, { account: ACCOUNT }).length }
      ],
      goal: { key: 'agora-token', min: 6, aim: 8, text: '"007" build >= 6x agora-token (aim 8x)' }
    },
    {
      id: 'verify007',
      title: `"007" parse + verify (valid account tokens, ${POOL} in turn)`,
      contenders: [
        { key: 'addon', label: 'addon verifyToken(token, cert)', fn: overPool(addonVerify) },
        { key: 'agora-token', label: `${AGORA} new AccessToken2().from_string(token) + verifySignature(cert)`,
          fn: overPool(agoraVerify) },
        { key: 'fallback', label: FALLBACK, fn: overPool(fallbackVerify) }
      ],
      goal: { key: 'agora-token', min: 5, text: 'parse+verify >= 5x agora-token' }
    },
    {
      id: 'build006',
      title: '"006" RTC token, uid, publisher (privileges until now + 1 h)',
      contenders: [
        { key: 'addon', label: 'addon buildLegacyToken({ ..., uid, privileges: { 1..4: ts } })',
          fn: () => {
            const ts = nowSeconds() + EXPIRE
            return act.buildLegacyToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID,
              privileges: { 1: ts, 2: ts, 3: ts, 4: ts } }).length
          } },
        { key: 'agora-access-token', label: `${LEGACY} RtcTokenBuilder.buildTokenWithUid`,
          fn: () => legacy.RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERT, CHANNEL, UID, legacy.RtcRole.PUBLISHER,
            nowSeconds() + EXPIRE).length },
        { key: 'fallback', label: FALLBACK, fn: () => legacyBuild(js) }
      ],
      goal: { key: 'agora-access-token', min: 5, text: '"006" build >= 5x agora-access-token' }
    }
  ]
}

// The addon's default-path calls alone, for the floor rows when the comparisons did not run.
const addonOps = {
  'build007-uid': () => act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID }).length,
  'build007-account': () => act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL,
    account: ACCOUNT }).length,
  get verify007() { return overPool(addonVerify) },
  build006: () => {
    const ts = nowSeconds() + EXPIRE
    return act.buildLegacyToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID,
      privileges: { 1: ts, 2: ts, 3: ts, 4: ts } }).length
  }
}

module.exports = { rows, selfCheck, addonOps, addonFixed, payloadPool }
