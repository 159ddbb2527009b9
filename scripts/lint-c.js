#!/usr/bin/env node
'use strict'
// The C half of `npm run lint`: clang-format (the style of .clang-format,
// --dry-run -Werror) and cppcheck (warnings, portability, performance) over
// src/, test/c/ and bench/. `--fix` rewrites the files with clang-format
// instead. Both tools are Debian packages (.ci/run installs them); a missing
// one is an error, not a skip.
const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const DIRS = ['src', 'test/c', 'bench']
const SKIP = new Set(['out', 'node_modules'])

function cFiles(dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name)
    if (d.isDirectory()) return SKIP.has(d.name) ? [] : cFiles(rel)
    return /\.[ch]$/.test(d.name) ? [rel] : []
  })
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.error && r.error.code === 'ENOENT') {
    console.error(`lint-c: ${cmd} is not installed (apt-get install ${cmd === 'cppcheck' ? 'cppcheck' : 'clang-format'})`)
    process.exit(1)
  }
  return r.status
}

const files = DIRS.flatMap(cFiles).sort()
if (process.argv.includes('--fix')) process.exit(run('clang-format', ['-i', ...files]))
let failed = run('clang-format', ['--dry-run', '-Werror', ...files]) !== 0
// the core and the binding (the tests and the bench are checked by their sanitizer runs)
failed = run('cppcheck', ['--quiet', '--std=c11', '--enable=warning,portability,performance', '--error-exitcode=1',
  '--inline-suppr', '-I', 'src/core/include', '-DNAPI_VERSION=8', 'src/core', 'src/binding']) !== 0 || failed
if (failed) {
  console.error('lint-c: failed (npm run lint:fix applies the format)')
  process.exit(1)
}
console.log(`lint-c: ${files.length} C files formatted, cppcheck clean`)
