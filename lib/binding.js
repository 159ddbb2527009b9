'use strict'
// Loads the compiled addon (built by `npm install` through node-gyp) and makes
// its errors ordinary errors of the caller's realm: errors thrown from native
// code belong to the main context, so under Jest or `vm` an `instanceof
// TypeError` check would fail on them.
const path = require('path')

function load() {
  const root = path.join(__dirname, '..', 'build')
  const tried = []
  for (const mode of ['Release', 'Debug']) {
    const file = path.join(root, mode, 'agora_call_token.node')
    try {
      return require(file)
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') throw err
      tried.push(`build/${mode}`)
    }
  }
  const err = new Error(`agora-call-token: the native addon is not built (looked in ${tried.join(', ')}). ` +
    'Run `npm install` (or `npx node-gyp rebuild`) in the package; it needs a C compiler and python3.')
  err.code = 'ERR_AGORA_ADDON_NOT_BUILT'
  throw err
}

const native = load()

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
  serviceNames: native.serviceNames
}
