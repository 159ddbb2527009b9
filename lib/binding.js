'use strict'
// The token engine: the native addon (lib/native.js) where it loads, else the
// JavaScript fallback (lib/fallback/), which has the same exports and gives
// the same outputs. AGORA_CALL_TOKEN_IMPL=native or =js chooses; with =native a
// failure to load the addon is an error, not a fallback.
const IMPL = process.env.AGORA_CALL_TOKEN_IMPL

function choose() {
  if (IMPL === 'js') return { implementation: 'js', engine: require('./fallback/index'), nativeError: null }
  if (IMPL === 'native') return { implementation: 'native', engine: require('./native'), nativeError: null }
  if (IMPL !== undefined && IMPL !== '') {
    throw require('./errors').coded('ERR_INVALID_ARG_VALUE', 'agora-call-token: AGORA_CALL_TOKEN_IMPL must be "native", ' +
      `"js" or unset. Received a string of length ${IMPL.length}`, { argument: 'AGORA_CALL_TOKEN_IMPL' })
  }
  try {
    return { implementation: 'native', engine: require('./native'), nativeError: null }
  } catch (err) {
    if (err.code !== 'ERR_AGORA_ADDON_NOT_BUILT' && err.code !== 'ERR_AGORA_ADDON_LOAD_FAILED') throw err
    return { implementation: 'js', engine: require('./fallback/index'), nativeError: err }
  }
}

const { implementation, engine, nativeError } = choose()

// `nativeError`: why the addon was not used (null when it is, or when js was asked for).
// The test-only hooks stay under their symbol, not enumerable.
const kTesting = Symbol.for('agora-call-token.testing')
module.exports = Object.defineProperty({ ...engine, implementation, nativeError }, kTesting, { value: engine[kTesting] })
