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
const zlib = require('zlib')
const { MAX_CONTENT, MAX_FIELD, limits, fieldKinds, services, privileges006, statusErrors, layouts, argType, argRange, str,
  crc32: crcBytes } = require('./common')
const { buildRtc, build007, build006 } = require('./build')
const { parse007, verify007, parse006, verify006 } = require('./read')

// testing.deflate(Uint8Array) -> Buffer, as the addon's (here it is zlib.deflateSync itself).
function deflate(data) {
  if (!(data instanceof Uint8Array)) throw argType('data', 'a Uint8Array')
  if (data.length > MAX_CONTENT) throw argRange('data', 'at most the token payload limit in length')
  return zlib.deflateSync(data)
}

// crc32(string) -> the CRC-32 of its UTF-8, as the addon's (src/binding/tables.c).
const crc32 = (text) => crcBytes(str(text, 'text', MAX_FIELD))

// verifyNotification lives in lib/webhooks/verify.js for the fallback (Node's crypto).
const engine = { buildRtc, build007, parse007, verify007, build006, parse006, verify006, crc32,
  limits, fieldKinds, services, privileges006, statusErrors, layouts }
// Test-only hooks, not part of the API (see src/binding/testing.c): not enumerable.
Object.defineProperty(engine, Symbol.for('agora-call-token.testing'), {
  value: Object.freeze({ deflate, deflateReuses: false })
})

module.exports = engine
