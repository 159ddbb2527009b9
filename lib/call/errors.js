'use strict'
// The call side's error registry: every code the call module throws or
// answers, in one place. Thrown errors (programming or server faults) carry
// the package's ERR_AGORA_ prefix; argument errors keep Node's own codes
// (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE), made by
// lib/errors.js. Codes answered to clients over the wire (acks, HTTP bodies)
// are in lib/call/protocol.js (AckError) and lib/express.js (HTTP).
const { withCode } = require('../errors')

const registry = new Map()

function E(code, Base, message) {
  registry.set(code, { Base, message })
}

E('ERR_AGORA_NOT_PARTICIPANT', Error, 'the caller is not a participant of this conversation')
E('ERR_AGORA_INVALID_CALL_ID', Error, 'generateCallId() gave an id that cannot be used')
E('ERR_AGORA_CALL_STORE_UNAVAILABLE', Error, 'the call store did not answer in time')
E('ERR_AGORA_CALL_STORE_DIVERGED', Error, 'the Redis script and machine.step disagree on a step (a bug: please report it)')

/** A new error of a registered code; `detail` is appended to the message. */
function callError(code, detail) {
  const entry = registry.get(code)
  if (!entry) throw new Error(`unregistered error code ${code}`)
  return withCode(new entry.Base(detail ? `${entry.message}: ${detail}` : entry.message), code)
}

const codes = Object.freeze(Object.fromEntries([...registry.keys()].map((c) => [c.slice('ERR_AGORA_'.length), c])))

module.exports = { callError, codes }
