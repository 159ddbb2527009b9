'use strict'
// Loads the compiled addon: a prebuilt binary from prebuilds/<platform>-<arch>/
// shipped in the package, or build/Release when it was compiled on install,
// found by node-gyp-build. Its errors are made ordinary errors of the caller's
// realm: errors thrown from native code belong to the main context, so under
// Jest or `vm` an `instanceof TypeError` check would fail on them.
const path = require('path')
const nodeGypBuild = require('node-gyp-build')

const root = path.join(__dirname, '..')

function notBuilt(cause) {
  const err = new Error('agora-call-token: no native addon fits this platform and none was compiled ' +
    `(${process.platform}-${process.arch}). Run \`npm rebuild agora-call-token\` with a C compiler, make and python3 ` +
    'installed, or unset AGORA_CALL_TOKEN_IMPL to use the JavaScript fallback.', { cause })
  err.code = 'ERR_AGORA_ADDON_NOT_BUILT'
  return err
}

function loadFailed(file, cause) {
  // A binary for another runtime (one without OpenSSL 3's symbols, say) fails
  // here, at load: the addon is linked to resolve every symbol then (-z now).
  const err = new Error(`agora-call-token: the native addon ${path.relative(root, file)} cannot be loaded in this ` +
    `runtime: ${cause && cause.message ? cause.message.split('\n')[0] : cause}`, { cause })
  err.code = 'ERR_AGORA_ADDON_LOAD_FAILED'
  return err
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

function localError(err) {
  if (err instanceof Error || err === null || typeof err !== 'object') return err
  const Ctor = err.name === 'RangeError' ? RangeError : err.name === 'TypeError' ? TypeError : Error
  const out = new Ctor(err.message)
  out.code = err.code
  if (err.reason !== undefined) out.reason = err.reason
  return out
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

module.exports = {
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
  _deflate: wrap(native._deflate),
  limits: native.limits,
  fieldKinds: native.fieldKinds,
  serviceKinds: native.serviceKinds,
  serviceNames: native.serviceNames,
  file
}
