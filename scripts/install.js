#!/usr/bin/env node
'use strict'
// The install script: nothing to do where a prebuilt binary (prebuilds/) or an
// earlier build loads. Otherwise compile with node-gyp; when that cannot be done
// (no compiler, make or python3), say so and succeed: the JavaScript fallback
// serves, with the same API and tokens. AGORA_CALL_TOKEN_IMPL=native makes a
// failed compile fail the install.
const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')

function loads() {
  try {
    require(require('node-gyp-build').resolve(root))
    return true
  } catch {
    return false
  }
}

function compile() {
  const nodeGyp = process.env.npm_config_node_gyp // npm and pnpm hand their bundled node-gyp to scripts
  const [cmd, args] = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']]
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: !nodeGyp && process.platform === 'win32' })
  return r.status === 0 && loads()
}

// In a git checkout of this package (a developer's `npm install`), always
// compile: a prebuilt binary left by an earlier `npm pack` may be older than src/.
const checkout = fs.existsSync(path.join(root, '.git'))
if (!checkout && loads()) process.exit(0)
if (!checkout) console.log(`agora-call-token: no prebuilt binary for ${process.platform}-${process.arch}; compiling the addon`)
if (compile()) process.exit(0)
if (process.env.AGORA_CALL_TOKEN_IMPL === 'native') {
  console.error('agora-call-token: the native addon could not be built, and AGORA_CALL_TOKEN_IMPL=native asks for it')
  process.exit(1)
}
console.warn('agora-call-token: the native addon could not be built here; the JavaScript fallback will serve ' +
  "(same API and tokens; require('agora-call-token').implementation === 'js'). " +
  'To build it later: install a C compiler, make and python3, then `npm rebuild agora-call-token`.')
