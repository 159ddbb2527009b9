'use strict'
// Argument checks shared by the builders: each returns the value or throws a typed error.
const { invalidType, invalidValue, outOfRange } = require('./errors')

const HEX32 = /^[0-9a-fA-F]{32}$/
// Agora's channel-name alphabet: letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,
const CHANNEL = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/
// A lone surrogate cannot be encoded to UTF-8 faithfully.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function hex32(name, value, secret) {
  if (typeof value !== 'string') throw invalidType(name, 'of type string', secret ? undefined : value)
  if (!HEX32.test(value)) throw invalidValue(name, 'must be 32 hexadecimal characters')
  return value
}

function integer(name, value, min, max) {
  if (typeof value !== 'number') throw invalidType(name, 'of type number', value)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(name, `an integer >= ${min} and <= ${max}`, value)
  }
  return value
}

const u32 = (name, value) => integer(name, value, 0, 0xffffffff)

function wellFormed(name, value) {
  if (LONE_SURROGATE.test(value)) throw invalidValue(name, 'must not contain a lone UTF-16 surrogate')
  return value
}

// Any string that packs into a token field (at most 65535 UTF-8 bytes).
function fieldString(name, value) {
  if (typeof value !== 'string') throw invalidType(name, 'of type string', value)
  wellFormed(name, value)
  if (value.length > 21845 && Buffer.byteLength(value) > 65535) {
    throw outOfRange(name, 'at most 65535 bytes in UTF-8', value)
  }
  return value
}

const isValidChannelName = (name) => typeof name === 'string' && CHANNEL.test(name)

function channelName(name, value) {
  if (typeof value !== 'string') throw invalidType(name, 'of type string', value)
  if (value.length < 1 || value.length > 64) throw outOfRange(name, '1 to 64 characters long', value)
  if (!CHANNEL.test(value)) {
    throw invalidValue(name, 'may contain only letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,')
  }
  return value
}

// Reads an own property: never one inherited from a polluted Object.prototype.
// A throwing getter or proxy trap becomes a typed error.
function read(options, key, prefix = 'options') {
  try {
    return Object.hasOwn(options, key) ? options[key] : undefined
  } catch {
    throw invalidValue(`${prefix}.${key}`, 'could not be read (its getter threw)')
  }
}

// Array.isArray throws for a revoked Proxy: answer with a typed error instead.
function isArray(name, value) {
  try {
    return Array.isArray(value)
  } catch {
    throw invalidValue(name, 'could not be read (a revoked proxy)')
  }
}

function optionsObject(name, value) {
  if (value === null || typeof value !== 'object' || isArray(name, value)) {
    throw invalidType(name, 'of type object', value)
  }
  return value
}

// A plain copy of an options object's own enumerable properties, read once:
// setup code then sees no getters, proxies or inherited (polluted) values.
function snapshot(name, value) {
  optionsObject(name, value)
  const out = {}
  try {
    for (const key of Object.keys(value)) out[key] = value[key]
  } catch {
    throw invalidValue(name, 'could not be read (a getter or proxy trap threw)')
  }
  return out
}

// Refuses keys that are not options (a typo must not silently fall back to a default).
function knownKeys(name, options, allowed) {
  let keys
  try {
    keys = Object.keys(options)
  } catch {
    throw invalidValue(name, 'could not be read (a proxy trap threw)')
  }
  for (const key of keys) {
    if (!allowed.has(key)) throw invalidValue(`${name}.${key}`, 'is not a known option')
  }
}

module.exports = { hex32, integer, u32, fieldString, wellFormed, channelName, isValidChannelName, read,
  isArray, optionsObject, snapshot, knownKeys }
