#!/usr/bin/env node
'use strict'
// npm run prebuild (and prepack, so every packed tarball has them): builds the
// addon for linux-x64 and linux-arm64 (glibc) into prebuilds/<platform>-<arch>/
// node.napi.glibc.node, where node-gyp-build finds them at run time. Node-API
// version 8, so one binary serves every Node from 18 on.
//   - the host's architecture with node-gyp (the build `npm install` would make);
//   - the other with a cross compiler (Debian: gcc-aarch64-linux-gnu or
//     gcc-x86-64-linux-gnu), the same sources and flags as binding.gyp.
// Both link with -z now, and are stripped. PREBUILD_ARCHS=x64 (say) limits the list.
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8')).targets[0]
const ARCHS = (process.env.PREBUILD_ARCHS || 'x64,arm64').split(',').filter(Boolean)
const TRIPLETS = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }
const out = (arch) => path.join(root, 'prebuilds', `linux-${arch}`, 'node.napi.glibc.node')

// Everything goes to stderr: `npm pack --json` runs this (prepack) and its
// stdout must stay the JSON.
function run(cmd, args) {
  console.error(`> ${cmd} ${args.join(' ')}`)
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 2] })
}

function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// Node's headers (node_api.h, openssl/, zlib.h): npm's nodedir, node-gyp's
// download cache, or the ones beside this node binary.
function nodeHeaders() {
  const version = process.versions.node
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    process.env.HOME && path.join(process.env.HOME, '.cache', 'node-gyp', version, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node')
  ].filter(Boolean)
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')))
  if (!found) throw new Error(`no Node headers found (looked in ${candidates.join(', ')}); run \`npx node-gyp install\``)
  return found
}

function hostBuild(arch) {
  const nodeGyp = process.env.npm_config_node_gyp
  if (nodeGyp) run(process.execPath, [nodeGyp, 'rebuild'])
  else run('npx', ['--yes', 'node-gyp', 'rebuild'])
  fs.mkdirSync(path.dirname(out(arch)), { recursive: true })
  fs.copyFileSync(path.join(root, 'build', 'Release', 'agora_call_token.node'), out(arch))
  run('strip', ['--strip-unneeded', out(arch)])
}

function crossBuild(arch) {
  const t = TRIPLETS[arch]
  if (!has(`${t}-gcc`)) {
    throw new Error(`no cross compiler for ${arch}: install ${t}-gcc (Debian: apt-get install gcc-${t.replace(/_/g, '-')}) ` +
      `or set PREBUILD_ARCHS to the architectures you can build`)
  }
  fs.mkdirSync(path.dirname(out(arch)), { recursive: true })
  const defines = gyp.defines.map((d) => `-D${d}`)
  run(`${t}-gcc`, ['-shared', '-fPIC', ...gyp.cflags_c, ...defines, '-I', nodeHeaders(), ...gyp.sources,
    '-Wl,-z,now', '-o', out(arch)])
  run(`${t}-strip`, ['--strip-unneeded', out(arch)])
}

if (process.platform !== 'linux') throw new Error('prebuilds are made on Linux')
const host = process.arch
for (const arch of ARCHS) {
  if (!TRIPLETS[arch]) throw new Error(`unknown architecture ${arch} (known: ${Object.keys(TRIPLETS).join(', ')})`)
  if (arch === host) hostBuild(arch)
  else crossBuild(arch)
  console.error(`prebuilds/linux-${arch}/node.napi.glibc.node: ${fs.statSync(out(arch)).size} bytes`)
}
