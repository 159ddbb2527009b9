'use strict'
// Node-style errors: a TypeError or RangeError with a `code` and a message that
// names the argument. Messages describe what was received by type (and a
// string's length) and never echo values, so no secret can leak through them.

function describe(value) {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  const t = typeof value
  if (t === 'string') return `a string of length ${value.length}`
  if (t === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'a number' : 'a non-finite number'
  if (t === 'object') {
    let array = false
    try {
      array = Array.isArray(value)
    } catch {} // a revoked Proxy
    return array ? 'an array' : 'an object'
  }
  return `type ${t}`
}

function withCode(err, code) {
  err.code = code
  return err
}

const invalidType = (name, expected, value) =>
  withCode(new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(value)}`), 'ERR_INVALID_ARG_TYPE')

const invalidValue = (name, reason) =>
  withCode(new TypeError(`The "${name}" argument ${reason}`), 'ERR_INVALID_ARG_VALUE')

const outOfRange = (name, range, value) =>
  withCode(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${describe(value)}`),
    'ERR_OUT_OF_RANGE')

const missing = (name, reason) => withCode(new TypeError(`The "${name}" argument ${reason}`), 'ERR_MISSING_ARGS')

// Wraps a public function so that an error with no `code` (a throwing getter,
// toString or proxy trap met while reading the arguments) reaches the caller as
// a typed error; the original message is dropped, so nothing of the input leaks.
function typedInputs(name, fn) {
  return function (a, b, c) {
    try {
      return fn(a, b, c)
    } catch (err) {
      if (err !== null && typeof err === 'object' && typeof err.code === 'string') throw err
      throw invalidValue(name, 'could not be read (a getter, proxy trap or conversion threw)')
    }
  }
}

module.exports = { describe, withCode, invalidType, invalidValue, outOfRange, missing, typedInputs }
