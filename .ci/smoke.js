'use strict'
// The CI matrix's check of an installed package, run by each runtime (Node
// x64 and arm64, Bun) inside an app that installed the packed tarball and
// agora-token@2.0.6:
//   <runtime> .ci/smoke.js <fixtures dir>       (cwd: the app)
// In this one process: which implementation it got; random RTC tokens equal to
// agora-token's AccessToken2 for the same inputs; every official "007" vector
// payload signed alike (deflated by this process's zlib); parse and verify;
// typed errors. Prints one JSON line; exits 1 on any mismatch.
const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')
const { createRequire } = require('module')

const appRequire = createRequire(path.join(process.cwd(), 'app.js'))
const act = appRequire('agora-call-token')
const { AccessToken2, ServiceRtc, ServiceRtm } = appRequire('agora-token/src/AccessToken2')
const fixtures = process.argv[2]
const CASES = Number(process.env.SMOKE_CASES || 1000)

const failures = []
const fail = (what) => failures.length < 10 && failures.push(what)
const hex = () => crypto.randomBytes(16).toString('hex')
const CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,'
const pick = (n) => Array.from({ length: n }, () => CHARS[crypto.randomInt(CHARS.length)]).join('')

let identical = 0
for (let i = 0; i < CASES; i++) {
  const appId = hex()
  const appCertificate = hex()
  const channelName = pick(1 + crypto.randomInt(64))
  const who = i % 2 ? crypto.randomInt(2 ** 32 - 1) + 1 : pick(1 + crypto.randomInt(40)).replace(/ /g, 'x')
  const issuedAt = 1 + crypto.randomInt(2 ** 31)
  const expiresIn = 1 + crypto.randomInt(86400)
  const salt = crypto.randomInt(2 ** 32 - 1)
  const publisher = i % 3 !== 0
  const withRtm = i % 5 === 0
  const opts = { appId, appCertificate, channelName, issuedAt, expiresIn, salt, role: publisher ? 'publisher' : 'subscriber', withRtm }
  if (typeof who === 'number') opts.uid = who
  else opts.account = who
  const ours = act.buildRtcToken(opts)
  const t = new AccessToken2(appId, appCertificate, issuedAt, expiresIn)
  t.salt = salt
  const rtc = new ServiceRtc(channelName, who)
  for (const k of publisher ? [1, 2, 3, 4] : [1]) rtc.add_privilege(k, expiresIn)
  t.add_service(rtc)
  if (withRtm) {
    const rtm = new ServiceRtm(String(who))
    rtm.add_privilege(ServiceRtm.kPrivilegeLogin, expiresIn)
    t.add_service(rtm)
  }
  if (ours === t.build()) identical++
  else fail(`token ${i} differs from agora-token's`)
  const v = act.verifyToken(ours, appCertificate, { now: issuedAt })
  if (!v.valid || v.token.services[0].channelName !== channelName) fail(`token ${i} does not verify`)
}

// The official vectors: the same signed payload, deflated by this process's zlib.
let vectors = 0
if (fixtures) {
  const v007 = JSON.parse(fs.readFileSync(path.join(fixtures, 'accesstoken2-007.json'), 'utf8')).vectors
  for (const v of v007) {
    const expected = '007' + zlib.deflateSync(Buffer.from(v.content, 'base64')).toString('base64')
    // only the builder's options: a vector also carries its name, token and payload
    const { appId, appCertificate, issueTs, expire, salt, services } = v
    if (act.buildAccessToken({ appId, appCertificate, issueTs, expire, salt, services }) !== expected) fail(`vector ${v.name}`)
    else vectors++
    if (!act.verifyToken(v.token, v.appCertificate, { now: v.issueTs }).valid) fail(`vector ${v.name} does not verify`)
  }
  const v006 = JSON.parse(fs.readFileSync(path.join(fixtures, 'accesstoken-006.json'), 'utf8')).vectors
  for (const v of v006) {
    const { appId, appCertificate, channelName, uid, salt, ts, privileges } = v
    if (act.buildLegacyToken({ appId, appCertificate, channelName, uid, salt, ts, privileges }) !== v.token) fail(`vector ${v.name}`)
    else vectors++
  }
}

// Typed errors, and hostile tokens answered, never a crash.
const errors = []
for (const [fn, code] of [[() => act.buildRtcToken({}), 'ERR_INVALID_ARG_TYPE'],
  [() => act.parseToken('007!!!!'), 'ERR_AGORA_TOKEN_MALFORMED'],
  [() => act.parseToken('007' + zlib.deflateSync(Buffer.alloc(1 << 20)).toString('base64')), 'ERR_AGORA_TOKEN_TOO_LARGE']]) {
  try {
    fn()
    fail(`no error for ${code}`)
  } catch (err) {
    if (err.code !== code) fail(`got ${err.code} for ${code}`)
    else errors.push(code)
  }
}

const runtime = typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `node ${process.version} ${process.arch}` // eslint-disable-line no-undef
const result = { runtime, implementation: act.implementation, identical: `${identical}/${CASES}`, vectors, errors: errors.length,
  failures }
console.log(JSON.stringify(result))
process.exit(failures.length ? 1 : 0)
