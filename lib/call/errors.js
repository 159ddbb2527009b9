'use strict'
// The call side's errors: its codes are registered in the package's one
// registry (lib/errors.js), beside every other. Thrown errors (programming or
// server faults) carry the package's ERR_AGORA_ prefix; argument errors keep
// Node's own codes (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE,
// ERR_OUT_OF_RANGE). Codes answered to clients over the wire (acks, HTTP
// bodies) are in lib/call/protocol.js (AckError) and lib/express.js (HTTP).
const { makeError } = require('../errors')

const CALL_CODES = ['ERR_AGORA_NOT_PARTICIPANT', 'ERR_AGORA_INVALID_CALL_ID', 'ERR_AGORA_CALL_STORE_UNAVAILABLE',
  'ERR_AGORA_CALL_STORE_DIVERGED', 'ERR_AGORA_CALL_SIGNALING_CLOSED']

/** A new error of a registered code; `detail` is appended to the message. */
const callError = (code, detail) => makeError(code, detail)

const codes = Object.freeze(Object.fromEntries(CALL_CODES.map((c) => [c.slice('ERR_AGORA_'.length), c])))

module.exports = { callError, codes }
