'use strict'
// Builds and runs bench/floor.c (the core's calls in a plain C loop).
const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const DIR = path.join(__dirname, '..')
const BIN = path.join(DIR, 'out', 'floor')

function haveCompiler() {
  const cc = process.env.CC || 'cc'
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' })
  return !r.error && r.status === 0
}

// Returns null when built, else the reason it could not be.
function build() {
  if (!haveCompiler()) return `no C compiler (${process.env.CC || 'cc'}) found`
  let r = spawnSync('make', ['-s', '-C', DIR, 'out/floor'], { encoding: 'utf8' })
  if (r.error && r.error.code === 'ENOENT') { // no make: the same command as bench/Makefile's
    const core = path.join(DIR, '..', 'src', 'core')
    const srcs = fs.readdirSync(core).filter((f) => f.endsWith('.c')).map((f) => path.join(core, f))
    fs.mkdirSync(path.dirname(BIN), { recursive: true })
    r = spawnSync(process.env.CC || 'cc', ['-O2', '-g', '-std=c11', `-I${path.join(core, 'include')}`, '-o', BIN, path.join(DIR, 'floor.c'), ...srcs,
      '-lssl', '-lcrypto', '-lz', '-ldl'], { encoding: 'utf8' })
  }
  if (r.error) return `the floor could not be built: ${r.error.message}`
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' / ')
    return `bench/floor.c did not build (needs libssl-dev and zlib1g-dev): ${tail}`
  }
  return null
}

// { zlib, openssl, results: [{ name, nsPerOp, nsMin, nsMax, batch, rounds, allocsPerOp }] } or { error }
function run({ quick, only, rounds, minMs, stages }) {
  const err = build()
  if (err) return { error: err }
  const args = ['--json']
  if (quick) args.push('--quick')
  if (rounds) args.push('--rounds', String(rounds))
  if (minMs) args.push('--min-ms', String(minMs))
  if (only) args.push('--only', only)
  if (stages) args.push('--stages')
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000 })
  if (r.error || r.status !== 0) return { error: `bench/out/floor failed: ${r.error ? r.error.message : r.stderr.trim()}` }
  try {
    return JSON.parse(r.stdout)
  } catch (e) {
    return { error: `bench/out/floor printed something that is not JSON: ${e.message}` }
  }
}

// The floor's tokens for fixed salt and time (for the cross-check), or null.
function tokens() {
  if (build()) return null
  const r = spawnSync(BIN, ['--tokens'], { encoding: 'utf8' })
  if (r.status !== 0) return null
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')))
}

module.exports = { run, tokens, build }
