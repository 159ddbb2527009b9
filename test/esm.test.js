'use strict'
// ESM: every named export of the main module and of every subpath in
// package.json "exports" can be imported by name from an .mjs file (Node's
// CommonJS export detection must see each one), under both implementations;
// and TypeScript with `module: nodenext` compiles such imports to code that runs.
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const out = path.join(root, 'test', 'artifacts', 'esm')
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json')

// Runs an ES module inside the package (so 'agora-call-token' resolves to this
// package through "exports") and returns what it printed, parsed.
function runModule(file, env = {}) {
  const stdout = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
  return JSON.parse(stdout)
}

beforeAll(() => fs.mkdirSync(out, { recursive: true }))

test('the exports map lists the main module and the subpaths the README documents', () => {
  expect(subpaths).toEqual(expect.arrayContaining(['.', './express', './socket', './compat/agora-token',
    './compat/agora-access-token']))
})

describe.each(['native', 'js'])('%s implementation', (impl) => {
  test.each(subpaths.map((sub) => [pkg.name + sub.slice(1), sub]))('import { every export } from "%s"', (specifier, sub) => {
    const names = Object.keys(require(path.join(root, pkg.exports[sub].default))).sort()
    expect(names.length).toBeGreaterThan(0)
    const aliases = names.map((n, i) => `${n} as x${i}`).join(', ')
    const source = `import { ${aliases} } from '${specifier}'
import { createRequire } from 'module'
const cjs = createRequire(import.meta.url)('${specifier}')
const got = [${names.map((_, i) => `x${i}`).join(', ')}]
console.log(JSON.stringify(${JSON.stringify(names)}.map((n, i) => [n, got[i] === cjs[n] && got[i] !== undefined])))
`
    const file = path.join(out, `${impl}-${sub.replace(/[^a-z0-9]+/gi, '_') || 'main'}.mjs`)
    fs.writeFileSync(file, source)
    expect(runModule(file, { AGORA_CALL_TOKEN_IMPL: impl })).toEqual(names.map((n) => [n, true]))
  })

  test('example/esm.mjs (the README\'s ESM section) runs', () => {
    const r = runModule(path.join(root, 'example', 'esm.mjs'), { AGORA_CALL_TOKEN_IMPL: impl })
    expect(r).toEqual({ implementation: impl, valid: true, channelName: 'conv-1' })
  })
})

test('TypeScript, module nodenext: named imports of every subpath compile and run', () => {
  const tsc = path.join(root, 'node_modules', '.bin', 'tsc')
  execFileSync(tsc, ['-p', path.join(root, 'test', 'types-esm')], { cwd: root, encoding: 'utf8' })
  const compiled = path.join(root, 'test', 'artifacts', 'types-esm', 'imports.mjs')
  for (const impl of ['native', 'js']) {
    const r = runModule(compiled, { AGORA_CALL_TOKEN_IMPL: impl })
    expect(r).toEqual({ engine: impl, valid: true, version: '007', types: Array(14).fill('function'),
      values: [1, 64, 1, 1, 'object'] })
  }
}, 60000)
