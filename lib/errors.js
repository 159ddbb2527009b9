'use strict'
// The package's one error registry, in the shape of Node's lib/internal/errors.js:
// E(code, Class, message) for every code anything in the package throws (the
// addon's codes too: src/binding/errors.h picks the code, this file the class).
// README "Errors" lists the same codes; test/errors-registry.test.js checks that
// every ERR_ literal in lib/, src/ and bin/ is registered here and in the README.
//
// An error names the argument at fault as data (err.argument, e.g.
// 'options.channelName'), so nothing has to parse a message; a malformed token
// error says why in err.reason. Messages describe what was received by type
// (and a string's length) and never echo values, so no secret can leak
// through them.

const registry = new Map()
const kArgs = Symbol('agora-call-token.errorArgs')

// message: a string (a detail passed on is appended after ': ') or a function
// of the arguments given to makeError. Node-style argument codes take the
// argument's name first.
function E(code, Base, message, { argument = false } = {}) {
  registry.set(code, { Base, message, argument })
}

// ---- argument errors (Node's own codes and messages) ----
E('ERR_INVALID_ARG_TYPE', TypeError, (name, expected, received) =>
  `The "${name}" argument must be ${expected}${received === undefined ? '' : `. Received ${received}`}`, { argument: true })
E('ERR_INVALID_ARG_VALUE', TypeError, (name, reason) => `The "${name}" argument ${reason}`, { argument: true })
E('ERR_OUT_OF_RANGE', RangeError, (name, range, received) =>
  `The value of "${name}" is out of range. It must be ${range}${received === undefined ? '' : `. Received ${received}`}`,
{ argument: true })
E('ERR_MISSING_ARGS', TypeError, (name, reason) => `The "${name}" argument ${reason}`, { argument: true })
E('ERR_INVALID_RETURN_VALUE', TypeError, 'a function passed in returned a value of the wrong kind')
// thrown by the optional-peer loaders (lib/express.js, lib/webhooks/router.js) as Node does for a missing module
E('ERR_MODULE_NOT_FOUND', Error, 'an optional peer dependency is not installed')

// ---- tokens (the addon's and the fallback's codes, src/binding/errors.h) ----
E('ERR_AGORA_TOKEN_MALFORMED', TypeError, 'the token cannot be read')
E('ERR_AGORA_TOKEN_TOO_LARGE', RangeError, 'the token, or a part of it, is over a size limit')
E('ERR_AGORA_CRYPTO', Error, 'a cryptographic operation failed')
E('ERR_AGORA_ZLIB', Error, 'compression failed')
E('ERR_AGORA_NOMEM', Error, 'out of memory')
E('ERR_AGORA_INTERNAL', Error, 'internal error in agora-call-token (a bug: please report it)')
E('ERR_AGORA_REENTRANT', Error, 'agora-call-token was called again from inside one of its own calls')
E('ERR_AGORA_ADDON_NOT_BUILT', Error, 'no native addon fits this platform and none was compiled')
E('ERR_AGORA_ADDON_LOAD_FAILED', Error, 'the native addon cannot be loaded in this runtime')

// ---- calls (lib/call/) ----
E('ERR_AGORA_NOT_PARTICIPANT', Error, 'the caller is not a participant of this conversation')
E('ERR_AGORA_INVALID_CALL_ID', Error, 'generateCallId() gave an id that cannot be used')
E('ERR_AGORA_CALL_STORE_UNAVAILABLE', Error, 'the call store did not answer in time')
E('ERR_AGORA_CALL_SIGNALING_CLOSED', Error, 'the call signaling was closed')
E('ERR_AGORA_CALL_STORE_DIVERGED', Error,
  'the Redis script and machine.step disagree on a step (a bug: please report it)')

// ---- webhooks (lib/webhooks/) ----
E('ERR_AGORA_WEBHOOK_ABORTED', Error, 'the request was aborted before its body was read')
E('ERR_AGORA_WEBHOOK_BODY_CONSUMED', Error, 'the request body was consumed by an earlier middleware')
E('ERR_AGORA_WEBHOOK_STORE', Error, 'the webhook dedupe store failed')
E('ERR_AGORA_WEBHOOK_HANDLER', Error, 'the webhook handler failed')

// Codes the package reads from errors others throw, never throws itself.
const OBSERVED = Object.freeze(['ERR_BUFFER_TOO_LARGE']) // zlib's maxOutputLength (lib/fallback/common.js)

function entry(code) {
  const e = registry.get(code)
  if (!e) throw new Error(`agora-call-token: unregistered error code ${code} (add it to lib/errors.js)`)
  return e
}

function render(e, args) {
  if (typeof e.message === 'function') return e.message(...args)
  return args[0] ? `${e.message}: ${args[0]}` : e.message
}

// A new error of a registered code: class and message from the registry.
function makeError(code, ...args) {
  const e = entry(code)
  const err = new e.Base(render(e, args))
  err.code = code
  if (e.argument) err.argument = args[0]
  Object.defineProperty(err, kArgs, { value: args })
  return err
}

// An error with a message made elsewhere (the addon's, a core status's), its
// class from the registry; `argument` and `reason` kept as data.
function coded(code, message, { argument, reason, cause } = {}) {
  const e = entry(code)
  const err = cause === undefined ? new e.Base(message) : new e.Base(message, { cause })
  err.code = code
  if (argument !== undefined) err.argument = argument
  if (reason !== undefined) err.reason = reason
  return err
}

// An error thrown by the addon (an object of the main realm) -> one of this
// realm. One without a code (JavaScript that threw inside a call: a getter, a
// proxy trap) keeps its class by name and stays without a code.
function fromNative(err) {
  if (typeof err.code !== 'string') {
    const Ctor = err.name === 'RangeError' ? RangeError : err.name === 'TypeError' ? TypeError : Error
    return new Ctor(err.message)
  }
  return coded(registry.has(err.code) ? err.code : 'ERR_AGORA_INTERNAL', String(err.message),
    { argument: err.argument, reason: err.reason })
}

// The message of an argument error with the argument called `label` (a CLI
// flag, an environment variable) instead: from the error's data, not its text.
function relabel(err, label) {
  const args = err && err[kArgs]
  if (!args || !registry.has(err.code) || !registry.get(err.code).argument) return `${label}: ${err.message}`
  return render(registry.get(err.code), [label, ...args.slice(1)])
}

// Sets a registered code on an error made by the caller (one with a cause, say).
function withCode(err, code) {
  entry(code)
  err.code = code
  return err
}

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

const invalidType = (name, expected, value) => makeError('ERR_INVALID_ARG_TYPE', name, expected, describe(value))
const invalidValue = (name, reason) => makeError('ERR_INVALID_ARG_VALUE', name, reason)
const outOfRange = (name, range, value) => makeError('ERR_OUT_OF_RANGE', name, range, describe(value))
const missing = (name, reason) => makeError('ERR_MISSING_ARGS', name, reason)

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

// Every registered code with its class name and default message, for the README and the tests.
const codes = () => [...registry].map(([code, e]) => ({ code, class: e.Base.name,
  message: typeof e.message === 'string' ? e.message : null }))

module.exports = { E, makeError, coded, fromNative, relabel, withCode, describe, invalidType, invalidValue, outOfRange,
  missing, typedInputs, codes, OBSERVED, isRegistered: (code) => registry.has(code) }
