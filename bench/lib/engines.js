'use strict'
// The package twice in one process: as it loads by default (the addon, where
// it loads) and with the JavaScript fallback, for the fallback rows beside
// the addon's. The fallback gets its own copy of lib/ (a fresh module cache
// for lib/ while AGORA_CALL_TOKEN_IMPL=js), then the first copy is put back.
// loadFallback(entry) does the same for another entry point under lib/
// (lib/webhooks for the notification rows).
const path = require('path')

const lib = path.join(__dirname, '..', '..', 'lib')
const act = require(lib)

function loadFallback(entry = lib) {
  const saved = {}
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(lib + path.sep)) {
      saved[key] = require.cache[key]
      delete require.cache[key]
    }
  }
  const env = process.env.AGORA_CALL_TOKEN_IMPL
  process.env.AGORA_CALL_TOKEN_IMPL = 'js'
  try {
    return require(entry)
  } finally {
    if (env === undefined) delete process.env.AGORA_CALL_TOKEN_IMPL
    else process.env.AGORA_CALL_TOKEN_IMPL = env
    // the copies loaded here leave the cache: a later require() of them gets the default one
    for (const key of Object.keys(require.cache)) if (key.startsWith(lib + path.sep)) delete require.cache[key]
    Object.assign(require.cache, saved)
  }
}

const js = loadFallback()
if (js.implementation !== 'js') throw new Error('the fallback did not load')

module.exports = { act, js, lib, loadFallback }
