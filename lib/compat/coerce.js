'use strict'
// How the official builders turn loose JavaScript values into token fields,
// reproduced so the compat modules accept and refuse the same inputs:
// their ByteBuf writes numbers with Buffer#writeUInt32LE / writeUInt16LE /
// writeInt16LE (value = +value; NaN writes 0; fractions are truncated; out of
// range throws a RangeError) and strings with Buffer.from(value) (a string, a
// String object or a Buffer; anything else throws a TypeError).
// Errors follow the library's rule: they name the field and never echo values.
const { withCode, invalidType, invalidValue } = require('../errors')

function integerLike(name, value, min, max) {
  const v = +value // a BigInt or Symbol throws a TypeError here, as in Buffer#write*
  if (v > max || v < min) {
    throw withCode(new RangeError(`The value of "${name}" is out of range. It must be >= ${min} and <= ${max}`),
      'ERR_OUT_OF_RANGE')
  }
  if (Number.isNaN(v)) return 0
  return Math.trunc(v) || 0 // -0 -> 0
}

const u32 = (name, value) => integerLike(name, value, 0, 0xffffffff)
const u16 = (name, value) => integerLike(name, value, 0, 0xffff)
const i16 = (name, value) => integerLike(name, value, -0x8000, 0x7fff)

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// The string Buffer.from(value) would pack. Bytes (a Buffer / Uint8Array, as a
// parsed token holds) must be valid UTF-8: the core packs strings.
function bytesString(name, value) {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    try {
      return utf8.decode(value)
    } catch {
      throw invalidValue(name, 'holds bytes that are not valid UTF-8')
    }
  }
  if (Object.prototype.toString.call(value) === '[object String]') return String.prototype.valueOf.call(value)
  throw invalidType(name, 'of type string or an instance of Buffer', value)
}

// The official isUuid: not null/undefined and its toString() is 32 hex digits.
const isUuid = (value) => value !== null && value !== undefined && /^[0-9a-fA-F]{32}$/.test(value.toString())

// A privilege map as the official putTreeMapUInt32 writes it: { key: value } with
// keys and values coerced. Keys must be canonical integers: the official writes
// other keys ('abc', '1.5') coerced and in insertion order, which no valid token has.
function privileges(name, map) {
  const out = {}
  if (!map) return out
  for (const key of Object.keys(map)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) throw invalidValue(`${name}`, 'has a privilege key that is not an integer 0..65535')
    u16(`${name} key`, key)
    out[key] = u32(`${name}.${key}`, map[key])
  }
  return out
}

module.exports = { u32, u16, i16, bytesString, isUuid, privileges }
