'use strict'
// Which engine a process gets, in fresh processes as an application starts:
// the addon where it loads, the JavaScript fallback where it does not, and
// AGORA_CALL_TOKEN_IMPL to choose. An addon with a symbol the runtime lacks
// (as under Bun, which has no OpenSSL 3) must fail require() catchably, not
// kill the process at the first call: the addon links with -z now.
const { execFileSync, spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const root = path.join(__dirname, '..')
const main = JSON.stringify(root)

// Loads the package in a child with the given environment; prints what it got.
function probe(env) {
  const code = `
    let out
    try {
      const act = require(${main})
      const b = require(${JSON.stringify(path.join(root, 'lib', 'binding.js'))})
      const t = act.buildRtcToken({ appId: '970CA35de60c44645bbae8a215061b33', appCertificate: '5CFd2fd1755d40ecb72977518be15d3b',
        channelName: 'c', account: 'u', issuedAt: 1700000000, salt: 9 })
      out = { implementation: act.implementation, nativeError: b.nativeError && b.nativeError.code, token: t }
    } catch (err) {
      out = { error: err.code, message: err.message }
    }
    console.log(JSON.stringify(out))`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, ...env } })
  expect(r.status).toBe(0) // whatever happened, the process lived to say it
  return JSON.parse(r.stdout)
}

const expected = require('..').buildRtcToken({ appId: '970CA35de60c44645bbae8a215061b33',
  appCertificate: '5CFd2fd1755d40ecb72977518be15d3b', channelName: 'c', account: 'u', issuedAt: 1700000000, salt: 9 })

let dir
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-impl-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('this checkout: the addon by default, the fallback with =js, the same token', () => {
  expect(probe({ AGORA_CALL_TOKEN_IMPL: '' })).toEqual({ implementation: 'native', nativeError: null, token: expected })
  expect(probe({ AGORA_CALL_TOKEN_IMPL: 'native' })).toEqual({ implementation: 'native', nativeError: null, token: expected })
  expect(probe({ AGORA_CALL_TOKEN_IMPL: 'js' })).toEqual({ implementation: 'js', nativeError: null, token: expected })
})

test('an unknown AGORA_CALL_TOKEN_IMPL is refused with a typed error', () => {
  expect(probe({ AGORA_CALL_TOKEN_IMPL: 'nativ' })).toMatchObject({ error: 'ERR_INVALID_ARG_VALUE' })
})

test('no addon at all: the fallback serves; =native says what to run', () => {
  // node-gyp-build looks in AGORA_CALL_TOKEN_PREBUILD instead of the package when it is set
  const empty = path.join(dir, 'empty')
  fs.mkdirSync(empty)
  expect(probe({ AGORA_CALL_TOKEN_PREBUILD: empty })).toEqual({ implementation: 'js', nativeError: 'ERR_AGORA_ADDON_NOT_BUILT',
    token: expected })
  const refused = probe({ AGORA_CALL_TOKEN_PREBUILD: empty, AGORA_CALL_TOKEN_IMPL: 'native' })
  expect(refused.error).toBe('ERR_AGORA_ADDON_NOT_BUILT')
  expect(refused.message).toContain('npm rebuild agora-call-token')
})

const hasCompiler = spawnSync('cc', ['--version']).status === 0

;(hasCompiler ? test : test.skip)('an addon with a symbol this runtime lacks fails require(), catchably, and the fallback serves', () => {
  // A Node-API addon that calls a function no runtime exports, linked as binding.gyp links.
  const src = path.join(dir, 'missing.c')
  fs.writeFileSync(src, `#include <node_api.h>
extern int agora_call_token_no_such_symbol(void);
static napi_value call(napi_env env, napi_callback_info info) {
  napi_value v; napi_create_int32(env, agora_call_token_no_such_symbol(), &v); return v; }
NAPI_MODULE_INIT() { napi_value f; napi_create_function(env, "call", NAPI_AUTO_LENGTH, call, NULL, &f);
  napi_set_named_property(env, exports, "buildRtc", f); return exports; }
`)
  const headers = [process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node']
    .find((d) => d && fs.existsSync(path.join(d, 'node_api.h')))
  const prebuilt = path.join(dir, 'broken', 'prebuilds', `${process.platform}-${process.arch}`)
  fs.mkdirSync(prebuilt, { recursive: true })
  execFileSync('cc', ['-shared', '-fPIC', '-I', headers, src, '-Wl,-z,now', '-o', path.join(prebuilt, 'node.napi.node')])
  const broken = path.join(dir, 'broken')
  expect(probe({ AGORA_CALL_TOKEN_PREBUILD: broken })).toEqual({ implementation: 'js', nativeError: 'ERR_AGORA_ADDON_LOAD_FAILED',
    token: expected })
  const refused = probe({ AGORA_CALL_TOKEN_PREBUILD: broken, AGORA_CALL_TOKEN_IMPL: 'native' })
  expect(refused.error).toBe('ERR_AGORA_ADDON_LOAD_FAILED')
  expect(refused.message).toContain('agora_call_token_no_such_symbol')
}, 30000)
