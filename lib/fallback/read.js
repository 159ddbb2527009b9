'use strict'
// The fallback's readers: parse007/verify007 (act_token007_parse and
// view007_out) and parse006/verify006 (src/core/token006.c).
const crypto = require('crypto')
const { MAX_CONTENT, MAX_SERVICES, MAX_PERMS, MAX_FIELD, layouts, ID_LEN, SIGNATURE_LEN, fieldKinds: K, fieldsOf, status,
  argType, str, isHex32, Reader,
  getPrivmap, sign007, crc32, inflate, base64, tokenText, utf8 } = require('./common')
const { sign006 } = require('./build')

// ---- "007" parse: act_token007_parse and view007_out ----

// Validates (cb null) or walks an RTM2 tree; returns its (resource, permission) pair count.
function rtm2Scan(r, cb) {
  let pairs = 0
  const types = r.u16()
  for (let i = 0; i < types && !r.short; i++) {
    const rt = r.u16()
    const n = r.u16()
    pairs += n
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
  return pairs
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
        const pairs = rtm2Scan(r, null)
        if (!r.short && pairs > MAX_PERMS) throw status('TOO_MANY') // as a build (act_token007_parse)
        s.perms = [start, r.pos]
      }
    }
    if (r.short) throw status('TRUNCATED')
    view.services.push(s)
  }
  return view
}

const L7 = layouts.token007
const L7S = L7.service
const L6 = layouts.token006

// The numbers into nums (a Uint32Array), the strings returned, in the
// layouts of src/binding/layout.h (view007_out).
function view007Out(view, nums) {
  if (!(nums instanceof Uint32Array)) throw argType('numbers', 'a Uint32Array')
  const { content } = view
  const cap = nums.length
  const full = () => status('TOO_MANY', 'numbers')
  const strings = [utf8(content, view.appId)]
  if (cap < L7.header) throw full()
  nums[L7.issueTs] = view.issueTs
  nums[L7.expire] = view.expire
  nums[L7.salt] = view.salt
  nums[L7.serviceCount] = view.services.length
  let at = L7.header
  for (const s of view.services) {
    if (cap - at < L7S.header + s.privs.length + (s.kind === K.APAAS ? 1 : 0)) throw full()
    nums[at + L7S.type] = s.type
    nums[at + L7S.fieldKind] = s.kind
    nums[at + L7S.privilegeCount] = s.privs.length / 2
    at += L7S.header
    for (const x of s.privs) nums[at++] = x
    if (s.kind === K.CHANNEL_ACCOUNT || s.kind === K.APAAS) {
      strings.push(utf8(content, s.s1), utf8(content, s.s2))
      if (s.kind === K.APAAS) nums[at++] = s.role
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
  const out = new Array(L6.header)
  out[L6.appId] = v.bytes.toString('utf8', 3, 3 + ID_LEN)
  out[L6.crcChannelName] = v.crcChannel
  out[L6.crcUid] = v.crcUid
  out[L6.salt] = v.salt
  out[L6.ts] = v.ts
  out[L6.privilegeCount] = v.privs.length / 2
  return out.concat(v.privs)
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

module.exports = { parse007, verify007, parse006, verify006 }
