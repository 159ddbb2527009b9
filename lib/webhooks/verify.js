'use strict'
// verifyNotification(rawBody, headers, secret) -> { valid, reason, version, event }
//
// Agora signs the raw body of every notification with the NCS secret:
// "Agora-Signature-V2" is the hex HMAC-SHA256, "Agora-Signature" the hex
// HMAC-SHA1. V2 is checked when present (a bad V2 never falls back to V1), hex of
// either case, compared in constant time, over at most MAX_BODY bytes. The check
// runs in the C core when the addon exports it, else in Node's crypto with the
// same answers (AGORA_CALL_TOKEN_IMPL=js forces the latter).
const crypto = require('crypto')
const { invalidType, invalidValue, outOfRange, withCode } = require('../errors')
const { typeEvent } = require('./events')

const MAX_BODY = 1024 * 1024 // ACT_MAX_NOTIFY_BODY in src/core/act_limits.h (a test keeps them equal)
const MAX_SECRET = 4096 // ACT_MAX_NOTIFY_SECRET
const V2_HEADER = 'agora-signature-v2'
const V1_HEADER = 'agora-signature'
const HEX64 = /^[0-9a-fA-F]{64}$/
const HEX40 = /^[0-9a-fA-F]{40}$/

/** The check in Node's crypto: the same statuses as act_notify_verify. */
function jsCheck(body, v2, v1, secret) {
  if (secret.length === 0 || secret.length > MAX_SECRET) return 'BAD_SECRET'
  if (body.length > MAX_BODY) return 'TOO_LARGE'
  if (!v2 && !v1) return 'NO_SIGNATURE'
  const useV2 = v2.length > 0
  const hex = useV2 ? v2 : v1
  if (!(useV2 ? HEX64 : HEX40).test(hex)) return 'MALFORMED'
  const mac = crypto.createHmac(useV2 ? 'sha256' : 'sha1', secret).update(body).digest()
  return crypto.timingSafeEqual(mac, Buffer.from(hex, 'hex')) ? 'VALID' : 'MISMATCH'
}

function nativeCheck() {
  if (process.env.AGORA_CALL_TOKEN_IMPL === 'js') return null
  try {
    const binding = require('../binding')
    return typeof binding.verifyNotification === 'function' ? binding.verifyNotification : null
  } catch {
    return null // the addon is not built or not loadable here: Node's crypto answers
  }
}

const isBytes = (v) => v instanceof Uint8Array

function bodyBytes(rawBody) {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8')
  if (isBytes(rawBody)) return rawBody
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody)
  throw invalidType('rawBody', 'a Buffer, Uint8Array or string (the exact bytes received)', rawBody)
}

/**
 * The secret as bytes. `owned` is true for a copy made here, which the caller
 * wipes after use. Messages never show the secret, not even its length.
 */
function secretBytes(secret, name = 'secret') {
  let bytes
  let owned = false
  if (typeof secret === 'string') {
    bytes = Buffer.from(secret, 'utf8')
    owned = true
  } else if (isBytes(secret)) {
    bytes = secret
  } else {
    throw invalidType(name, 'a string, Buffer or Uint8Array (the NCS secret from Agora Console)', undefined)
  }
  if (bytes.length === 0) throw invalidValue(name, 'must not be empty')
  if (bytes.length > MAX_SECRET) {
    if (owned) bytes.fill(0)
    throw outOfRange(name, `at most ${MAX_SECRET} bytes`, undefined)
  }
  return { bytes, owned }
}

function headerString(v) {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v.trim()
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : '?')).join(', ').trim()
  return '?' // present, but no signature: malformed
}

/**
 * A header's value from a plain object (Node's req.headers or any spelling of
 * the names), a Map, or a WHATWG Headers-like object with get(). Two spellings
 * of one name in a plain object are joined like repeated headers (and so never
 * make a valid signature).
 */
function headerValue(headers, name) {
  if (headers instanceof Map) {
    const found = []
    for (const [k, v] of headers) if (typeof k === 'string' && k.toLowerCase() === name) found.push(v)
    return headerString(found.length > 1 ? found.flat() : found[0])
  }
  if (typeof headers.get === 'function') return headerString(headers.get(name))
  const found = []
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) found.push(headers[k])
  return headerString(found.length > 1 ? found.flat() : found[0])
}

function signatureHeaders(headers) {
  if (headers === null || typeof headers !== 'object') {
    throw invalidType('headers', 'an object, Map or Headers', headers)
  }
  try {
    return { v2: headerValue(headers, V2_HEADER), v1: headerValue(headers, V1_HEADER) }
  } catch (err) {
    if (err && typeof err.code === 'string') throw err
    throw invalidValue('headers', 'could not be read (a getter, proxy trap or get() threw)')
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** The verified body as a typed event, or the reason it is not one. */
function parse(bytes) {
  let body
  try {
    body = JSON.parse(decoder.decode(bytes))
  } catch {
    return { reason: 'not-json', event: null }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { reason: 'not-object', event: null }
  return { reason: null, event: typeEvent(body) }
}

const REASONS = {
  MISMATCH: 'signature',
  MALFORMED: 'signature',
  NO_SIGNATURE: 'missing-signature',
  TOO_LARGE: 'too-large'
}

function makeVerify(check) {
  return function verifyNotification(rawBody, headers, secret) {
    const bytes = bodyBytes(rawBody)
    const { v2, v1 } = signatureHeaders(headers)
    const key = secretBytes(secret)
    let status
    try {
      status = bytes.length > MAX_BODY ? 'TOO_LARGE' : check(bytes, v2, v1, key.bytes)
    } finally {
      if (key.owned) key.bytes.fill(0)
    }
    const version = !v2 && !v1 ? null : v2 ? 'v2' : 'v1'
    if (status === 'VALID') {
      const { reason, event } = parse(bytes)
      return { valid: reason === null, reason, version, event }
    }
    if (Object.hasOwn(REASONS, status)) {
      return { valid: false, reason: REASONS[status], version: status === 'TOO_LARGE' ? null : version, event: null }
    }
    // BAD_SECRET cannot happen after secretBytes(); anything else is OpenSSL failing.
    throw withCode(new Error(`the notification could not be verified (${status})`), 'ERR_AGORA_CRYPTO')
  }
}

const native = nativeCheck()
const verifyNotification = makeVerify(native || jsCheck)

module.exports = {
  verifyNotification,
  implementation: native ? 'native' : 'js',
  MAX_BODY,
  MAX_SECRET,
  // For the tests: the same wrapper over a given check (both paths answer alike).
  _makeVerify: makeVerify,
  _jsCheck: jsCheck,
  _secretBytes: secretBytes
}
