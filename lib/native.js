'use strict'
// Loads the compiled addon: a prebuilt binary from prebuilds/<platform>-<arch>/
// shipped in the package, or build/Release when it was compiled on install,
// found by node-gyp-build. Its errors are made ordinary errors of the caller's
// realm: errors thrown from native code belong to the main context, so under
// Jest or `vm` an `instanceof TypeError` check would fail on them.
const path = require('path')
const nodeGypBuild = require('node-gyp-build')
const errors = require('./errors')

const kTesting = Symbol.for('agora-call-token.testing')

const root = path.join(__dirname, '..')

function notBuilt(cause) {
  return errors.coded('ERR_AGORA_ADDON_NOT_BUILT', 'agora-call-token: no native addon fits this platform and none was ' +
    `compiled (${process.platform}-${process.arch}). Run \`npm rebuild agora-call-token\` with a C compiler, make and ` +
    'python3 installed, or unset AGORA_CALL_TOKEN_IMPL to use the JavaScript fallback.', { cause })
}

function loadFailed(file, cause) {
  // A binary for another runtime (one without OpenSSL 3's symbols, say) fails
  // here, at load: the addon is linked to resolve every symbol then (-z now).
  return errors.coded('ERR_AGORA_ADDON_LOAD_FAILED', `agora-call-token: the native addon ${path.relative(root, file)} ` +
    `cannot be loaded in this runtime: ${cause && cause.message ? cause.message.split('\n')[0] : cause}`, { cause })
}

function load() {
  let file
  try {
    file = nodeGypBuild.resolve(root)
  } catch (err) {
    throw notBuilt(err)
  }
  try {
    return { addon: require(file), file }
  } catch (err) {
    throw loadFailed(file, err)
  }
}

const { addon: native, file } = load()

// The addon throws plain errors with a registered code (src/binding/errors.h);
// the class comes from the registry (lib/errors.js), in this realm.
function localError(err) {
  if (err instanceof Error || err === null || typeof err !== 'object') return err
  return errors.fromNative(err)
}

function wrap(fn) {
  return function (a, b, c, d, e, f, g) {
    try {
      return fn(a, b, c, d, e, f, g)
    } catch (err) {
      throw localError(err)
    }
  }
}

const engine = {
  buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin) {
    try {
      return native.buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin)
    } catch (err) {
      throw localError(err)
    }
  },
  build007: wrap(native.build007),
  parse007: wrap(native.parse007),
  verify007: wrap(native.verify007),
  build006: wrap(native.build006),
  parse006: wrap(native.parse006),
  verify006: wrap(native.verify006),
  verifyNotification: wrap(native.verifyNotification),
  crc32: wrap(native.crc32),
  // data the core exports (src/binding/tables.c): read by lib/, never copied
  limits: native.limits,
  fieldKinds: native.fieldKinds,
  services: native.services,
  privileges006: native.privileges006,
  statusErrors: native.statusErrors,
  layouts: native.layouts,
  file
}
// Test-only hooks (src/binding/testing.c), not part of the API: not enumerable.
Object.defineProperty(engine, kTesting, {
  value: Object.freeze({ deflate: wrap(native.testing.deflate), deflateReuses: native.testing.deflateReuses })
})

module.exports = engine
