'use strict'
// The fallback's builders: buildRtc, build007 (src/core/token007.c and the
// binding's argument reading) and build006 (src/core/token006.c).
const zlib = require('zlib')
const { MAX_CONTENT, MAX_SERVICES, MAX_PRIVS, MAX_PERMS, MAX_FIELD, ID_LEN, SIGNATURE_LEN, ARENA_SIZE, fieldKinds: K, fieldsOf, status,
  argType, argRange, str, u32, optU32, array, isHex32, readPrivs, sortPrivs, Writer, hmac, sign007, crc32 } = require('./common')

// ---- "007" build: src/core/token007.c ----

// An RTM2 tree: [{ rt, pt, resources: [Buffer] }] sorted, repeats refused, nested counts.
function putRtm2(w, perms) {
  if (perms.length > MAX_PERMS) throw status('TOO_MANY')
  const keyed = perms.map((p, i) => ({ p, i, key: p.rt * 65536 + p.pt }))
  keyed.sort((a, b) => a.key - b.key || a.i - b.i)
  for (let i = 1; i < keyed.length; i++) if (keyed[i].key === keyed[i - 1].key) throw status('DUPLICATE')
  for (const { p } of keyed) if (p.resources.length > 65535) throw status('TOO_MANY')
  let types = 0
  for (let i = 0; i < keyed.length; i++) if (i === 0 || keyed[i].p.rt !== keyed[i - 1].p.rt) types++
  w.u16(types)
  for (let i = 0; i < keyed.length;) {
    const rt = keyed[i].p.rt
    let end = i
    while (end < keyed.length && keyed[end].p.rt === rt) end++
    w.u16(rt)
    w.u16(end - i)
    for (; i < end; i++) {
      const p = keyed[i].p
      w.u16(p.pt)
      w.u16(p.resources.length)
      for (const r of p.resources) w.bytes(r)
    }
  }
}

function putService(w, s) {
  const f = fieldsOf(s.type)
  if (f < 0) throw status('SERVICE_TYPE')
  const sorted = sortPrivs(s.privs)
  w.u16(s.type)
  w.privmap(sorted)
  if (f === K.CHANNEL_ACCOUNT) {
    w.bytes(s.s1)
    w.bytes(s.s2)
  } else if (f === K.USER) {
    w.bytes(s.s1)
  } else if (f === K.APAAS) {
    w.bytes(s.s1)
    w.bytes(s.s2)
    w.u16(s.role & 0xffff)
  } else if (f === K.RTM2) {
    w.bytes(s.s1)
    putRtm2(w, s.perms)
  }
}

const EMPTY = Buffer.alloc(0)

// act_token007_build: appId and cert as Buffers, services as read by readService.
function token007(appId, cert, issueTs, expire, salt, services) {
  if (!isHex32(appId)) throw status('APP_ID')
  if (!isHex32(cert)) throw status('APP_CERTIFICATE')
  if (services.length === 0) throw status('NO_SERVICES')
  if (services.length > MAX_SERVICES) throw status('TOO_MANY')
  const order = services.map((s, i) => i).sort((a, b) => services[a].type - services[b].type || a - b)
  const w = new Writer(MAX_CONTENT)
  w.u16(SIGNATURE_LEN)
  w.reserve(SIGNATURE_LEN)
  const infoAt = w.len
  w.bytes(appId)
  w.u32(issueTs)
  w.u32(expire)
  w.u32(salt)
  w.u16(services.length)
  for (const i of order) putService(w, services[i])
  if (w.tooLong) throw status('FIELD_TOO_LONG')
  if (w.overflow) throw status('CONTENT_TOO_LARGE')
  const content = w.buf.subarray(0, w.len)
  sign007(cert, issueTs, salt, content.subarray(infoAt)).copy(content, 2)
  const out = '007' + zlib.deflateSync(content).toString('base64')
  content.fill(0)
  return out
}

// buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin)
function buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin) {
  const app = str(appId, 'appId', ID_LEN)
  const ch = str(channel, 'channelName', MAX_FIELD)
  const acc = str(account, 'account', MAX_FIELD)
  u32(issueTs, 'issueTs')
  u32(expire, 'expire')
  u32(salt, 'salt')
  u32(join, 'joinChannel')
  const opt = [optU32(audio, 'publishAudio'), optU32(video, 'publishVideo'), optU32(data, 'publishData'),
    optU32(rtmLogin, 'rtmLogin')]
  const certificate = str(cert, 'appCertificate', ID_LEN)
  // act_rtc_layout_fill
  const privs = [{ key: 1, value: join }]
  for (let i = 0; i < 3; i++) if (opt[i] >= 0) privs.push({ key: 2 + i, value: opt[i] })
  const services = [{ type: 1, privs, s1: ch, s2: acc }]
  if (opt[3] >= 0) services.push({ type: 2, privs: [{ key: 1, value: opt[3] }], s1: acc })
  try {
    return token007(app, certificate, issueTs, expire, salt, services)
  } finally {
    certificate.fill(0)
  }
}

// One normalized service from lib/token.js: [type, [k, v, ...], str1, str2, role, perms]
function readService(v, arena) {
  const f = [0, 1, 2, 3, 4, 5].map((i) => v[i])
  const type = u32(f[0], 'service.type')
  if (type > 0xffff) throw argRange('service.type', 'an integer >= 0 and <= 65535')
  const privArr = array(f[1], 'service.privileges')
  if (Math.floor(privArr.length / 2) > MAX_PRIVS) throw status('TOO_MANY', 'service.privileges')
  arena.alloc(8 * (Math.floor(privArr.length / 2) + 1))
  const s = { type, privs: readPrivs(privArr), s1: EMPTY, s2: EMPTY, role: 0, perms: [] }
  const kind = fieldsOf(type)
  if (kind === K.CHANNEL_ACCOUNT) {
    s.s1 = arena.string(f[2], 'channelName')
    s.s2 = arena.string(f[3], 'account')
  } else if (kind === K.USER) {
    s.s1 = arena.string(f[2], 'userId')
  } else if (kind === K.APAAS) {
    s.s1 = arena.string(f[2], 'roomUuid')
    s.s2 = arena.string(f[3], 'userUuid')
    s.role = typeof f[4] === 'number' ? f[4] | 0 : 0 // napi_get_value_int32; lib/ checked the range
  } else if (kind === K.RTM2) {
    s.s1 = arena.string(f[2], 'userId')
    const flat = array(f[5], 'permissions')
    const n = Math.floor(flat.length / 3)
    if (n > MAX_PERMS) throw status('TOO_MANY', 'permissions')
    arena.alloc(24 * (n + 1))
    for (let i = 0; i < n; i++) {
      const rt = u32(flat[3 * i], 'resourceType')
      const pt = u32(flat[3 * i + 1], 'permissionType')
      const list = array(flat[3 * i + 2], 'resources')
      if (rt > 0xffff || pt > 0xffff || list.length > 0xffff) {
        throw argRange('permissions', 'made of 16-bit types and at most 65535 resources')
      }
      arena.alloc(16 * (list.length + 1))
      s.perms.push({ rt, pt, resources: list.map((r) => arena.string(r, 'resource')) })
    }
  }
  return s
}

// The addon copies one build's strings into a fixed arena; past it the payload
// is over its limit anyway. Counted the same way here, so the same input gets
// the same error.
class Arena {
  constructor() {
    this.used = 0
  }

  alloc(n) {
    const at = (this.used + 15) & ~15
    if (at > ARENA_SIZE || ARENA_SIZE - at < n) throw status('CONTENT_TOO_LARGE')
    this.used = at + n
  }

  string(v, arg) {
    if (typeof v !== 'string') throw argType(arg, 'of type string')
    const b = Buffer.from(v, 'utf8')
    if (b.length > MAX_FIELD) throw status('FIELD_TOO_LONG', arg)
    this.alloc(b.length + 1)
    return b
  }
}

// build007(appId, cert, issueTs, expire, salt, services)
function build007(appId, cert, issueTs, expire, salt, services) {
  const app = str(appId, 'appId', ID_LEN)
  u32(issueTs, 'issueTs')
  u32(expire, 'expire')
  u32(salt, 'salt')
  array(services, 'services')
  if (services.length > MAX_SERVICES) throw status('TOO_MANY', 'services')
  const arena = new Arena()
  arena.alloc(128 * (services.length + 1))
  const svcs = services.map((v) => readService(v, arena))
  const certificate = str(cert, 'appCertificate', ID_LEN)
  try {
    return token007(app, certificate, issueTs, expire, salt, svcs)
  } finally {
    certificate.fill(0)
  }
}

// ---- "006": src/core/token006.c ----

function sign006(cert, appId, channel, uid, m) {
  return hmac(cert, appId, channel, uid, m)
}

// build006(appId, cert, channel, uid, salt, ts, [k, v, ...])
function build006(appId, cert, channel, uid, salt, ts, privileges) {
  const app = str(appId, 'appId', ID_LEN)
  const ch = str(channel, 'channelName', MAX_FIELD)
  const id = str(uid, 'uid', MAX_FIELD)
  u32(salt, 'salt')
  u32(ts, 'ts')
  array(privileges, 'privileges')
  if (Math.floor(privileges.length / 2) > MAX_PRIVS) throw status('TOO_MANY', 'privileges')
  const privs = readPrivs(privileges)
  const certificate = str(cert, 'appCertificate', ID_LEN)
  try {
    if (!isHex32(app)) throw status('APP_ID')
    if (!isHex32(certificate)) throw status('APP_CERTIFICATE')
    const sorted = sortPrivs(privs)
    const w = new Writer(MAX_CONTENT)
    w.u16(SIGNATURE_LEN)
    w.reserve(SIGNATURE_LEN)
    w.u32(crc32(ch))
    w.u32(crc32(id))
    const mLenAt = w.len
    w.u16(0)
    const mAt = w.len
    w.u32(salt)
    w.u32(ts)
    w.privmap(sorted)
    if (w.overflow) throw status('CONTENT_TOO_LARGE')
    const content = w.buf.subarray(0, w.len)
    content.writeUInt16LE(w.len - mAt, mLenAt)
    sign006(certificate, app, ch, id, content.subarray(mAt)).copy(content, 2)
    return '006' + app.toString('latin1') + content.toString('base64')
  } finally {
    certificate.fill(0)
  }
}

module.exports = { buildRtc, build007, build006, sign006 }
