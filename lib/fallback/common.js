'use strict'
// The fallback's shared pieces: limits, errors, argument readers, packing,
// signing, zlib and base64, each mirroring the C file named in its heading.
const crypto = require('crypto')
const zlib = require('zlib')

const errors = require('../errors')
// The data the addon exports, generated from the C headers (not loadable here:
// the fallback runs where the addon cannot). See scripts/gen-tables.js.
const tables = require('./tables')

const { limits, fieldKinds, services, privileges006, statusErrors, layouts } = tables
const { maxField: MAX_FIELD, idLength: ID_LEN, signatureLength: SIGNATURE_LEN, arenaSize: ARENA_SIZE } = tables.sizes
const { maxPayloadBytes: MAX_CONTENT, maxTokenLength: MAX_TOKEN_LEN, maxServices: MAX_SERVICES, maxPrivileges: MAX_PRIVS,
  maxPermissions: MAX_PERMS } = limits
// act_service_fields: the field kind of a type, -1 for one the table does not know
const KIND_OF = new Map(services.map(([type, , , kind]) => [type, kind]))
const fieldsOf = (type) => (KIND_OF.has(type) ? KIND_OF.get(type) : -1)

// ---- errors: src/binding/errors.c ----

// The error of a core status (code and message from the table), as bnd_throw_status_arg.
function status(name, argument) {
  const [code, message] = statusErrors[name]
  return errors.coded(code, message, { argument, reason: code === 'ERR_AGORA_TOKEN_MALFORMED' ? name : undefined })
}

const argType = (arg, what) => errors.makeError('ERR_INVALID_ARG_TYPE', arg, what)
const argRange = (arg, what) => errors.makeError('ERR_OUT_OF_RANGE', arg, what)
const coded = errors.withCode

// ---- argument readers: src/binding/napi_util.h ----

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
  if (v.length > MAX_TOKEN_LEN || Buffer.byteLength(v, 'utf8') > MAX_TOKEN_LEN) throw status('TOKEN_TOO_LONG', 'token')
  return v
}

const utf8 = (buf, [start, end]) => (end > start ? buf.toString('utf8', start, end) : '')

module.exports = { MAX_CONTENT, MAX_TOKEN_LEN, MAX_SERVICES, MAX_PRIVS, MAX_PERMS, MAX_FIELD, ID_LEN, SIGNATURE_LEN,
  ARENA_SIZE, limits, fieldKinds, services, privileges006, statusErrors, layouts, fieldsOf, coded, status, argType,
  argRange, str, u32, optU32,
  array, isHex32, readPrivs, sortPrivs, Writer, Reader, getPrivmap, hmac, sign007, crc32, inflate, base64, tokenText, utf8 }
