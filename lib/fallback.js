'use strict'
// The JavaScript fallback: the addon's token exports (see src/binding.c) in
// plain JavaScript, with Node's crypto (HMAC-SHA256) and zlib (deflateSync,
// inflateSync). Used where the compiled addon cannot be loaded (no prebuilt
// binary fits and nothing could be compiled, or a runtime without OpenSSL 3's
// symbols), or when AGORA_CALL_TOKEN_IMPL=js. Same arguments, same outputs
// byte for byte (with the same zlib), same errors and limits. What it cannot
// do that the addon does: wipe the certificate's copy (a JavaScript string
// cannot be overwritten; the intermediate keys it owns are zeroed), and the
// re-entrancy guard (no user code runs inside these functions: lib/ hands them
// plain values).
const crypto = require('crypto')
const zlib = require('zlib')

// src/core/act_limits.h
const MAX_CONTENT = 32768
const MAX_TOKEN_LEN = 49152
const MAX_SERVICES = 64
const MAX_PRIVS = 32
const MAX_PERMS = 64
const MAX_FIELD = 65535
const ID_LEN = 32
const SIGNATURE_LEN = 32
// src/binding.c: the arena that holds one build's strings and arrays.
const ARENA_SIZE = 160 * 1024

const limits = { maxTokenLength: MAX_TOKEN_LEN, maxPayloadBytes: MAX_CONTENT, maxServices: MAX_SERVICES,
  maxPrivileges: MAX_PRIVS, maxPermissions: MAX_PERMS }
const fieldKinds = { NONE: 0, CHANNEL_ACCOUNT: 1, USER: 2, APAAS: 3, RTM2: 4 }
const K = fieldKinds
// src/core/token007.c kServices; index = service type, sparse like the addon's arrays.
const serviceKinds = []
const serviceNames = []
;[[1, 'RTC', K.CHANNEL_ACCOUNT], [2, 'RTM', K.USER], [3, 'Streaming', K.CHANNEL_ACCOUNT], [4, 'FPA', K.NONE],
  [5, 'Chat', K.USER], [6, 'FCDN', K.CHANNEL_ACCOUNT], [7, 'APaaS', K.APAAS], [8, 'RTM2', K.RTM2],
  [9, 'ConvoAI', K.NONE], [10, 'STT', K.NONE]].forEach(([type, name, kind]) => {
  serviceKinds[type] = kind
  serviceNames[type] = name
})
const fieldsOf = (type) => (type > 0 && type < serviceKinds.length ? serviceKinds[type] : -1)

// ---- errors: src/core/status.c and throw_status in src/binding.c ----

const STATUS = {
  APP_ID: 'app id must be 32 hexadecimal characters',
  APP_CERTIFICATE: 'app certificate must be 32 hexadecimal characters',
  FIELD_TOO_LONG: 'a string field is longer than 65535 bytes',
  TOO_MANY: 'too many services, privileges or permissions',
  DUPLICATE: 'a privilege or permission appears twice in one service',
  SERVICE_TYPE: 'unknown service type',
  NO_SERVICES: 'a token needs at least one service',
  CONTENT_TOO_LARGE: 'token payload exceeds the size limit',
  TOKEN_TOO_LONG: 'token string exceeds the length limit',
  VERSION: 'token does not start with a supported version',
  BASE64: 'token body is not valid base64',
  INFLATE: 'token body is not a valid zlib stream',
  INFLATE_LIMIT: 'token payload inflates past the size limit',
  TRUNCATED: 'token payload is truncated'
}

function coded(err, code) {
  err.code = code
  return err
}

function status(name) {
  const msg = STATUS[name]
  switch (name) {
    case 'TOKEN_TOO_LONG': case 'INFLATE_LIMIT': case 'FIELD_TOO_LONG': case 'TOO_MANY': case 'CONTENT_TOO_LARGE':
      return coded(new RangeError(msg), 'ERR_AGORA_TOKEN_TOO_LARGE')
    case 'VERSION': case 'BASE64': case 'INFLATE': case 'TRUNCATED': {
      const err = coded(new TypeError(msg), 'ERR_AGORA_TOKEN_MALFORMED')
      err.reason = name
      return err
    }
    default: // APP_ID, APP_CERTIFICATE, SERVICE_TYPE, DUPLICATE, NO_SERVICES
      return coded(new TypeError(msg), 'ERR_INVALID_ARG_VALUE')
  }
}

const argType = (arg, what) => coded(new TypeError(`The "${arg}" argument must be ${what}`), 'ERR_INVALID_ARG_TYPE')
const argRange = (arg, what) => coded(new RangeError(`The value of "${arg}" is out of range. It must be ${what}`),
  'ERR_OUT_OF_RANGE')

// ---- argument readers: src/napi_util.h ----

// A string argument as its UTF-8 bytes (lone surrogates become U+FFFD, as in Node-API).
function str(v, arg, max) {
  if (typeof v !== 'string') throw argType(arg, 'of type string')
  if (v.length > max) throw argRange(arg, `at most ${max} bytes in UTF-8`)
  const b = Buffer.from(v, 'utf8')
  if (b.length > max) throw argRange(arg, `at most ${max} bytes in UTF-8`)
  return b
}

function u32(v, arg) {
  if (typeof v !== 'number') throw argType(arg, 'of type number')
  if (!(v >= 0 && v <= 4294967295) || v !== Math.floor(v)) throw argRange(arg, 'an integer >= 0 and <= 4294967295')
  return v
}

// undefined or -1: absent (-1 returned)
const optU32 = (v, arg) => (v === undefined || v === -1 ? -1 : u32(v, arg))

function array(v, arg) {
  if (!Array.isArray(v)) throw argType(arg, 'an array')
  return v
}

// act_is_hex: exactly 32 hexadecimal characters (either case)
function isHex32(b) {
  if (b.length !== ID_LEN) return false
  for (let i = 0; i < ID_LEN; i++) {
    const c = b[i]
    const l = c | 0x20
    if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false
  }
  return true
}

// [key, value, key, value, ...] -> [{ key, value }] (an odd last element is ignored, as in the addon)
function readPrivs(arr) {
  const out = []
  for (let i = 0; i + 1 < arr.length; i += 2) {
    const key = u32(arr[i], 'privilege key')
    const value = u32(arr[i + 1], 'privilege value')
    if (key > 0xffff) throw argRange('privilege key', 'an integer >= 0 and <= 65535')
    out.push({ key, value })
  }
  return out
}

// src/core/privmap.c act_privs_sort: insertion order kept, sorted by key, repeats refused.
function sortPrivs(privs) {
  if (privs.length > MAX_PRIVS) throw status('TOO_MANY')
  const sorted = privs.slice().sort((a, b) => a.key - b.key)
  for (let i = 1; i < sorted.length; i++) if (sorted[i].key === sorted[i - 1].key) throw status('DUPLICATE')
  return sorted
}

// ---- packing: src/core/pack.h ----

class Writer {
  constructor(cap) {
    this.buf = Buffer.allocUnsafe(cap)
    this.cap = cap
    this.len = 0
    this.overflow = false
    this.tooLong = false
  }

  reserve(n) {
    if (this.overflow || this.cap - this.len < n) {
      this.overflow = true
      return -1
    }
    const at = this.len
    this.len += n
    return at
  }

  u16(v) {
    const at = this.reserve(2)
    if (at >= 0) this.buf.writeUInt16LE(v & 0xffff, at)
  }

  u32(v) {
    const at = this.reserve(4)
    if (at >= 0) this.buf.writeUInt32LE(v >>> 0, at)
  }

  bytes(b) {
    if (b.length > 65535) {
      this.tooLong = true
      this.overflow = true
      return
    }
    const at = this.reserve(2 + b.length)
    if (at < 0) return
    this.buf.writeUInt16LE(b.length, at)
    b.copy(this.buf, at + 2)
  }

  privmap(sorted) {
    this.u16(sorted.length)
    const at = this.reserve(6 * sorted.length)
    if (at < 0) return
    for (let i = 0; i < sorted.length; i++) {
      this.buf.writeUInt16LE(sorted[i].key, at + 6 * i)
      this.buf.writeUInt32LE(sorted[i].value, at + 6 * i + 2)
    }
  }
}

class Reader {
  constructor(buf, start = 0, end = buf.length) {
    this.buf = buf
    this.pos = start
    this.end = end
    this.short = false
  }

  span(n) {
    if (this.short || this.end - this.pos < n) {
      this.short = true
      return -1
    }
    const at = this.pos
    this.pos += n
    return at
  }

  u16() {
    const at = this.span(2)
    return at < 0 ? 0 : this.buf.readUInt16LE(at)
  }

  u32() {
    const at = this.span(4)
    return at < 0 ? 0 : this.buf.readUInt32LE(at)
  }

  // bytes(): a u16 length, then that many bytes -> [start, end) in buf (empty on a short read)
  bytes() {
    const n = this.u16()
    const at = this.span(n)
    return at < 0 ? [0, 0] : [at, at + n]
  }
}

// src/core/privmap.c act_get_privmap -> [key, value, ...], or a status name
function getPrivmap(r) {
  const count = r.u16()
  if (r.short) return 'TRUNCATED'
  if (count > MAX_PRIVS) return 'TOO_MANY'
  const out = new Array(2 * count)
  for (let i = 0; i < count; i++) {
    out[2 * i] = r.u16()
    out[2 * i + 1] = r.u32()
  }
  return r.short ? 'TRUNCATED' : out
}

// ---- signing: src/core/sign.c ----

function hmac(key, ...parts) {
  const h = crypto.createHmac('sha256', key)
  for (const p of parts) h.update(p)
  return h.digest()
}

function le32(v) {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32LE(v >>> 0, 0)
  return b
}

function sign007(cert, issueTs, salt, info) {
  const k1 = hmac(le32(issueTs), cert)
  const k2 = hmac(le32(salt), k1)
  const sig = hmac(k2, info)
  k1.fill(0)
  k2.fill(0)
  return sig
}

// ---- zlib: src/core/zstream.c ----

let crc32 = zlib.crc32 // Node >= 20.15 and 22.2
if (typeof crc32 !== 'function') {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  crc32 = (buf) => {
    let c = -1
    for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >>> 8)
    return (c ^ -1) >>> 0
  }
}

// Inflates at most MAX_CONTENT bytes: the addon inflates into MAX_CONTENT + 1
// bytes of room and refuses a stream that fills it. One chunk of that size, so
// zlib stops there (a bomb costs no more) and an error met before it is an error.
const INFLATE_OPTIONS = { chunkSize: MAX_CONTENT + 1, maxOutputLength: MAX_CONTENT, info: true }

function inflate(body) {
  let result
  try {
    result = zlib.inflateSync(body, INFLATE_OPTIONS)
  } catch (err) {
    throw status(err && err.code === 'ERR_BUFFER_TOO_LARGE' ? 'INFLATE_LIMIT' : 'INFLATE')
  }
  // Bytes after the end of the stream: not a token.
  const used = result.engine && result.engine.bytesWritten
  if (typeof used === 'number' && used !== body.length) throw status('INFLATE')
  return result.buffer
}

// ---- base64: src/core/encoding.c ----

const B64 = /^[A-Za-z0-9+/]*$/

// The token's body text (ASCII once checked) -> bytes; BASE64 on anything but
// standard padded base64.
function base64(text) {
  const n = text.length
  if (n === 0 || n % 4 !== 0) throw status('BASE64')
  let pad = 0
  if (text.charCodeAt(n - 1) === 61) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1
  if (!B64.test(pad ? text.slice(0, n - pad) : text)) throw status('BASE64')
  return Buffer.from(text, 'base64')
}

// A token argument: its UTF-8 length is limited before anything is decoded.
function tokenText(v) {
  if (typeof v !== 'string') throw argType('token', 'of type string')
  if (v.length > MAX_TOKEN_LEN || Buffer.byteLength(v, 'utf8') > MAX_TOKEN_LEN) throw status('TOKEN_TOO_LONG')
  return v
}

const utf8 = (buf, [start, end]) => (end > start ? buf.toString('utf8', start, end) : '')

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
  if (Math.floor(privArr.length / 2) > MAX_PRIVS) throw status('TOO_MANY')
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
    if (n > MAX_PERMS) throw status('TOO_MANY')
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
    if (b.length > MAX_FIELD) throw status('FIELD_TOO_LONG')
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
  if (services.length > MAX_SERVICES) throw status('TOO_MANY')
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

// ---- "007" parse: act_token007_parse and view007_out ----

function rtm2Scan(r, cb) {
  const types = r.u16()
  for (let i = 0; i < types && !r.short; i++) {
    const rt = r.u16()
    const n = r.u16()
    for (let j = 0; j < n && !r.short; j++) {
      const pt = r.u16()
      const count = r.u16()
      if (count === 0 && cb && !r.short) cb(rt, pt, null)
      for (let k = 0; k < count && !r.short; k++) {
        const range = r.bytes()
        if (cb && !r.short) cb(rt, pt, range)
      }
    }
  }
}

// -> { content, signature: [s, e], info: [s, e], appId: [s, e], issueTs, expire, salt, services }
function parse007Token(token) {
  if (token.length < 3 || !token.startsWith('007')) throw status('VERSION')
  const content = inflate(base64(token.slice(3)))
  const r = new Reader(content)
  const view = { content, signature: r.bytes(), info: null, appId: null, issueTs: 0, expire: 0, salt: 0, services: [] }
  view.info = r.short ? [content.length, content.length] : [r.pos, content.length]
  view.appId = r.bytes()
  view.issueTs = r.u32()
  view.expire = r.u32()
  view.salt = r.u32()
  const declared = r.u16()
  if (r.short) throw status('TRUNCATED')
  for (let i = 0; i < declared; i++) {
    const type = r.u16()
    if (r.short) throw status('TRUNCATED')
    const kind = fieldsOf(type)
    if (kind < 0) break // a service type this library does not know ends reading
    if (view.services.length === MAX_SERVICES) throw status('TOO_MANY')
    const privs = getPrivmap(r)
    if (typeof privs === 'string') throw status(privs)
    const s = { type, kind, privs }
    if (kind === K.CHANNEL_ACCOUNT || kind === K.APAAS) {
      s.s1 = r.bytes()
      s.s2 = r.bytes()
      if (kind === K.APAAS) {
        const role = r.u16()
        s.role = role > 0x7fff ? role - 0x10000 : role
      }
    } else if (kind === K.USER || kind === K.RTM2) {
      s.s1 = r.bytes()
      if (kind === K.RTM2) {
        const start = r.pos
        rtm2Scan(r, null)
        s.perms = [start, r.pos]
      }
    }
    if (r.short) throw status('TRUNCATED')
    view.services.push(s)
  }
  return view
}

// The numbers into nums (a Uint32Array), the strings returned (view007_out).
function view007Out(view, nums) {
  if (!(nums instanceof Uint32Array)) throw argType('numbers', 'a Uint32Array')
  const { content } = view
  const cap = nums.length
  let at = 0
  const num = (x) => {
    if (at === cap) throw status('TOO_MANY')
    nums[at++] = x
  }
  const strings = [utf8(content, view.appId)]
  num(view.issueTs)
  num(view.expire)
  num(view.salt)
  num(view.services.length)
  for (const s of view.services) {
    num(s.type)
    num(s.kind)
    num(s.privs.length / 2)
    for (const x of s.privs) num(x)
    if (s.kind === K.CHANNEL_ACCOUNT || s.kind === K.APAAS) {
      strings.push(utf8(content, s.s1), utf8(content, s.s2))
      if (s.kind === K.APAAS) num(s.role)
    } else if (s.kind === K.USER) {
      strings.push(utf8(content, s.s1))
    } else if (s.kind === K.RTM2) {
      strings.push(utf8(content, s.s1))
      const flat = []
      rtm2Scan(new Reader(content, s.perms[0], s.perms[1]), (rt, pt, range) => {
        flat.push(rt, pt, range === null ? null : utf8(content, range))
      })
      strings.push(flat)
    }
  }
  return strings
}

function parse007(token, nums) {
  const text = tokenText(token)
  if (!(nums instanceof Uint32Array)) throw argType('numbers', 'a Uint32Array')
  return view007Out(parse007Token(text), nums)
}

function matchOut(match) {
  if (!(match instanceof Int32Array) || match.length < 1) throw argType('match', 'an Int32Array')
  return match
}

function verify007(token, cert, match, nums) {
  const text = tokenText(token)
  if (!(nums instanceof Uint32Array)) throw argType('numbers', 'a Uint32Array')
  matchOut(match)
  const certificate = str(cert, 'appCertificate', ID_LEN)
  let view
  let ok = 0
  try {
    view = parse007Token(text)
    if (!isHex32(certificate)) throw status('APP_CERTIFICATE')
    const { content } = view
    const sig = content.subarray(view.signature[0], view.signature[1])
    if (sig.length === SIGNATURE_LEN && isHex32(content.subarray(view.appId[0], view.appId[1]))) {
      const mine = sign007(certificate, view.issueTs, view.salt, content.subarray(view.info[0], view.info[1]))
      ok = crypto.timingSafeEqual(mine, sig) ? 1 : 0
      mine.fill(0)
    }
  } finally {
    certificate.fill(0)
    match[0] = ok
  }
  return view007Out(view, nums)
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
  if (Math.floor(privileges.length / 2) > MAX_PRIVS) throw status('TOO_MANY')
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

// -> { bytes, appId: [s, e] of bytes, signature, crcChannel, crcUid, message: [s, e] of content, salt, ts, privs }
function parse006Token(token) {
  const bytes = Buffer.from(token, 'utf8')
  const len = bytes.length
  if (len < 3 || !token.startsWith('006')) throw status('VERSION')
  if (len < 3 + ID_LEN) throw status('TRUNCATED')
  if (Math.floor((len - 3 - ID_LEN) / 4) * 3 > MAX_CONTENT) throw status('TOKEN_TOO_LONG')
  const body = bytes.subarray(3 + ID_LEN)
  // non-ASCII bytes are never base64: latin1 keeps them as non-base64 characters
  const content = base64(body.toString('latin1'))
  const r = new Reader(content)
  const view = { bytes, content, signature: r.bytes(), crcChannel: r.u32(), crcUid: r.u32(), message: r.bytes() }
  if (r.short) throw status('TRUNCATED')
  const mr = new Reader(content, view.message[0], view.message[1])
  view.salt = mr.u32()
  view.ts = mr.u32()
  if (mr.short) throw status('TRUNCATED')
  const privs = getPrivmap(mr)
  if (typeof privs === 'string') throw status(privs)
  view.privs = privs
  return view
}

function view006Flat(v) {
  return [v.bytes.toString('utf8', 3, 3 + ID_LEN), v.crcChannel, v.crcUid, v.salt, v.ts, v.privs.length / 2, ...v.privs]
}

function parse006(token) {
  return view006Flat(parse006Token(tokenText(token)))
}

function verify006(token, cert, channel, uid, match) {
  const text = tokenText(token)
  matchOut(match)
  const ch = str(channel, 'channelName', MAX_FIELD)
  const id = str(uid, 'uid', MAX_FIELD)
  const certificate = str(cert, 'appCertificate', ID_LEN)
  let view
  let ok = 0
  try {
    view = parse006Token(text)
    if (!isHex32(certificate)) throw status('APP_CERTIFICATE')
    const sig = view.content.subarray(view.signature[0], view.signature[1])
    if (sig.length === SIGNATURE_LEN) {
      const crcOk = view.crcChannel === crc32(ch) && view.crcUid === crc32(id)
      const mine = sign006(certificate, view.bytes.subarray(3, 3 + ID_LEN), ch, id,
        view.content.subarray(view.message[0], view.message[1]))
      ok = crypto.timingSafeEqual(mine, sig) && crcOk ? 1 : 0
      mine.fill(0)
    }
  } finally {
    certificate.fill(0)
    match[0] = ok
  }
  return view006Flat(view)
}

// _deflate(Uint8Array) -> Buffer, as the addon's (here it is zlib.deflateSync itself).
function _deflate(data) {
  if (!(data instanceof Uint8Array)) throw argType('data', 'a Uint8Array')
  if (data.length > MAX_CONTENT) throw argRange('data', 'at most the token payload limit in length')
  return zlib.deflateSync(data)
}

// Membership stays with the addon here (it is being rewritten in plain JavaScript
// elsewhere); under the fallback it says so instead of failing obscurely.
function isParticipant() {
  throw coded(new Error('agora-call-token: isParticipant needs the native addon in this version'),
    'ERR_AGORA_ADDON_NOT_BUILT')
}

module.exports = { buildRtc, build007, parse007, verify007, build006, parse006, verify006, isParticipant, _deflate,
  limits, fieldKinds, serviceKinds, serviceNames }
