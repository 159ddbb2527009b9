'use strict'
// The two token engines, each loaded the way an application gets it: the
// package's main module in a fresh module registry with AGORA_CALL_TOKEN_IMPL
// set. A suite body written once runs against both:
//   describe.each(IMPLS)('%s', (impl, act) => { ... })
// TEST_IMPLS=js (or native) narrows the list; the default is both, and then a
// missing addon fails here instead of silently testing the fallback twice.
const path = require('path')

const root = path.join(__dirname, '..', '..')

function loadWith(impl, file = '') {
  const saved = process.env.AGORA_CALL_TOKEN_IMPL
  process.env.AGORA_CALL_TOKEN_IMPL = impl
  let mod
  try {
    jest.isolateModules(() => {
      mod = require(path.join(root, file || 'lib'))
    })
  } finally {
    if (saved === undefined) delete process.env.AGORA_CALL_TOKEN_IMPL
    else process.env.AGORA_CALL_TOKEN_IMPL = saved
  }
  return mod
}

const NAMES = (process.env.TEST_IMPLS || 'native,js').split(',').filter(Boolean)
const IMPLS = NAMES.map((name) => {
  const act = loadWith(name)
  if (act.implementation !== name) throw new Error(`asked for the ${name} implementation, got ${act.implementation}`)
  return [name, act]
})

// The token string this process's zlib makes for a payload (the fixtures'
// strings come from one zlib; a Node built against another gives other bytes
// for the same payload, and every implementation follows its own process).
const zlib = require('zlib')
const tokenFor = (payloadBase64) => '007' + zlib.deflateSync(Buffer.from(payloadBase64, 'base64')).toString('base64')

module.exports = { IMPLS, loadWith, tokenFor }
