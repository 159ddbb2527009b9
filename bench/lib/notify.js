'use strict'
// Notification rows: verifyNotification of agora-call-token/webhooks with the
// addon's C check (the package's default) against the same module loaded with
// AGORA_CALL_TOKEN_IMPL=js (Node's crypto), over many distinct signed bodies.
// Reported only: no goal.
const crypto = require('crypto')
const path = require('path')
const { lib, loadFallback } = require('./engines')

const webhooks = path.join(lib, 'webhooks')
const addon = require(webhooks) // as the package loads it: the C check where the addon loads
const fallback = loadFallback(webhooks) // the same module with Node's crypto
const fallbackCheck = require(path.join(webhooks, 'verify'))._jsCheck // the check the fallback calls
const nativeCheck = require(path.join(lib, 'binding')).verifyNotification // what lib/webhooks/verify.js calls

// An NCS secret as Agora Console shows it (32 characters); the router holds it as a Buffer.
const SECRET = Buffer.from('5f0c2e8a1b2c3d4e9a7b6c5d4e3f2a1b')
const POOL = 256 // distinct bodies per size: one body repeated lets the CPU learn the branches

// A small deterministic generator, so that every run signs the same bodies.
function rng(seed) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s
  }
}
const hex = (next, n) => Array.from({ length: n }, () => (next() >>> 28).toString(16)).join('')

// An RTC channel event (productId 1) as NCS sends it: join/leave of a host or a user,
// with the fields Agora documents for them; about 300 bytes.
function channelEvent(next, i) {
  const eventType = [103, 104, 107, 108][i & 3]
  const leave = eventType === 104 || eventType === 108
  const ts = 1764547200 + (next() % 86400)
  const payload = {
    channelName: hex(next, 24), // a conversation id
    uid: 100000 + (next() % 900000000),
    platform: [1, 2, 5, 7, 8][next() % 5],
    clientSeq: 1764547200000 + (next() % 1e9),
    ts
  }
  if (leave) {
    payload.reason = [1, 1, 1, 2, 5, 999][next() % 6]
    payload.duration = next() % 7200
  }
  if (eventType >= 107) payload.clientType = [3, 8, 10][next() % 3]
  payload.account = hex(next, 24) // a user id
  return {
    noticeId: `${2000000000 + (next() % 1e8)}:${next() % 10000}:${eventType}`,
    productId: 1,
    eventType,
    notifyMs: ts * 1000 + (next() % 3000),
    sid: hex(next, 32).toUpperCase(),
    payload
  }
}

// A Cloud Recording "uploaded" notification (productId 3, eventType 31): its fileList
// grows with the recorded users and slices; entries are added until the body reaches 16 KiB.
function recordingUploaded(next, i, size) {
  const start = 1764547200000 + (next() % 1e9)
  const body = {
    noticeId: crypto.createHash('md5').update(`${i}:${next()}`).digest('hex'),
    productId: 3,
    eventType: 31,
    notifyMs: start + 3600000,
    payload: {
      cname: hex(next, 24),
      uid: String(100000 + (next() % 900000000)),
      sid: hex(next, 32),
      sequence: next() % 10,
      sendts: start + 3600000,
      serviceType: 0,
      details: { msgName: 'uploaded', status: 0, fileList: [] }
    }
  }
  const list = body.payload.details.fileList
  const prefix = `${body.payload.sid}_${body.payload.cname}`
  for (let n = 0; JSON.stringify(body).length < size; n++) {
    list.push({ fileName: `${prefix}__uid_s_${100000 + (next() % 900000)}__uid_e_av_${n}.m3u8`,
      trackType: 'audio_and_video', uid: String(100000 + (next() % 900000000)), mixedAllUser: false,
      isPlayable: true, sliceStartTime: start + n * 10000 })
  }
  return body
}

// The request headers NCS sends (Node's req.headers: lower-case names), both signatures.
function signed(body) {
  const raw = Buffer.from(JSON.stringify(body))
  return {
    raw,
    headers: {
      host: 'api.example.com',
      'user-agent': 'Go-http-client/1.1',
      'content-length': String(raw.length),
      'content-type': 'application/json',
      'agora-signature': crypto.createHmac('sha1', SECRET).update(raw).digest('hex'),
      'agora-signature-v2': crypto.createHmac('sha256', SECRET).update(raw).digest('hex'),
      'accept-encoding': 'gzip'
    }
  }
}

const SIZES = {
  300: { title: 'RTC channel events (103/104/107/108)', make: (next, i) => channelEvent(next, i) },
  '16k': { title: 'Cloud Recording "uploaded" with its fileList', make: (next, i) => recordingUploaded(next, i, 16384) }
}
const pools = {}
function pool(size) {
  if (!pools[size]) {
    const next = rng(size === '16k' ? 16384 : 300)
    pools[size] = Array.from({ length: POOL }, (_, i) => signed(SIZES[size].make(next, i)))
    if (new Set(pools[size].map((p) => p.headers['agora-signature-v2'])).size !== POOL) throw new Error('the body pool repeats')
  }
  return pools[size]
}
const meanBytes = (size) => Math.round(pool(size).reduce((a, p) => a + p.raw.length, 0) / POOL)

// fn(raw, headers) over the pool, one body per call.
function overPool(size, fn) {
  const bodies = pool(size)
  let i = 0
  return () => {
    const b = bodies[i++ & (POOL - 1)]
    return fn(b.raw, b.headers)
  }
}
const full = (mod) => (raw, headers) => (mod.verifyNotification(raw, headers, SECRET).valid ? 1 : 0)
const check = (fn) => (raw, headers) => (fn(raw, headers['agora-signature-v2'], headers['agora-signature'], SECRET) === 'VALID' ? 1 : 0)

/** Why the rows cannot run (the addon's check is not there), or null. */
function unavailable() {
  if (typeof nativeCheck !== 'function' || addon.implementation !== 'native') {
    return 'the addon is not loaded (or has no verifyNotification): both sides would be Node\'s crypto'
  }
  if (fallback.implementation !== 'js') return 'the fallback copy of lib/webhooks did not load with Node\'s crypto'
  return null
}

// Before timing: every body valid on both sides with the same typed event, and a body
// with one byte changed refused by both. Returns a list of failures.
function selfCheck() {
  const failures = []
  for (const size of Object.keys(SIZES)) {
    let same = true
    let valid = true
    let refused = true
    for (const { raw, headers } of pool(size)) {
      const a = addon.verifyNotification(raw, headers, SECRET)
      const b = fallback.verifyNotification(raw, headers, SECRET)
      valid &&= a.valid && b.valid && check(nativeCheck)(raw, headers) === 1 && check(fallbackCheck)(raw, headers) === 1
      same &&= JSON.stringify(a) === JSON.stringify(b)
      const bad = Buffer.from(raw)
      bad[bad.length >> 1] ^= 1
      refused &&= [addon, fallback].every((m) => m.verifyNotification(bad, headers, SECRET).reason === 'signature') &&
        nativeCheck(bad, headers['agora-signature-v2'], '', SECRET) === 'MISMATCH' &&
        fallbackCheck(bad, headers['agora-signature-v2'], '', SECRET) === 'MISMATCH'
    }
    if (!valid) failures.push(`notify-${size}: a signed body is not valid on both sides`)
    if (!same) failures.push(`notify-${size}: the two sides give different results`)
    if (!refused) failures.push(`notify-${size}: a changed body is not refused by both sides`)
  }
  return failures
}

const FALLBACK = 'same module, AGORA_CALL_TOKEN_IMPL=js (Node crypto)'

// Each row: { id, title, contenders }; the first contender is the addon. No goal.
function rows() {
  const out = []
  for (const size of Object.keys(SIZES)) {
    const what = () => `${POOL} distinct signed ${SIZES[size].title}, ~${meanBytes(size).toLocaleString('en-US')} B`
    out.push({
      id: `notify-${size}`,
      get title() { return `verifyNotification (HMAC-SHA256 check + JSON parse + typing), ${what()}` },
      contenders: () => [
        { key: 'addon', label: 'agora-call-token/webhooks verifyNotification(raw, req.headers, secret)',
          fn: overPool(size, full(addon)) },
        { key: 'fallback', label: FALLBACK, fn: overPool(size, full(fallback)) }
      ]
    }, {
      id: `notify-check-${size}`,
      get title() { return `the signature check alone (what verifyNotification calls), ${what()}` },
      contenders: () => [
        { key: 'addon', label: 'the addon\'s verifyNotification(body, v2, v1, secret) (C, OpenSSL)',
          fn: overPool(size, check(nativeCheck)) },
        { key: 'fallback', label: 'lib/webhooks/verify.js jsCheck (crypto.createHmac + timingSafeEqual)',
          fn: overPool(size, check(fallbackCheck)) }
      ]
    })
  }
  return out
}

module.exports = { rows, selfCheck, unavailable }
