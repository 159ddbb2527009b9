'use strict'
// One error registry (lib/errors.js): every ERR_ code written in lib/, src/ and
// bin/ is registered there (or is one the package only reads from others'
// errors), every registered code is in README's Errors table with its class,
// and errors carry the argument's name as data.
const fs = require('fs')
const path = require('path')
const errors = require('../lib/errors')

const root = path.join(__dirname, '..')

function files(dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name)
    if (d.isDirectory()) return files(rel)
    return /\.(js|c|h|mjs)$/.test(d.name) ? [rel] : []
  })
}

// ERR_ words not part of a longer identifier (the core's ACT_ERR_* enumerators are C names, not codes).
const LITERAL = /(?<![A-Za-z0-9_])ERR_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_])/g

const found = new Map()
for (const file of ['lib', 'src', 'bin'].flatMap(files)) {
  for (const [code] of fs.readFileSync(path.join(root, file), 'utf8').matchAll(LITERAL)) {
    if (!found.has(code)) found.set(code, file)
  }
}

test('the scan sees the codes it should (it can fail)', () => {
  for (const code of ['ERR_AGORA_TOKEN_MALFORMED', 'ERR_AGORA_REENTRANT', 'ERR_AGORA_CALL_STORE_DIVERGED',
    'ERR_AGORA_WEBHOOK_STORE', 'ERR_INVALID_ARG_TYPE']) expect(found.has(code)).toBe(true)
  expect(found.size).toBeGreaterThan(15)
})

test.each([...found])('%s (first seen in %s) is registered', (code) => {
  expect(errors.isRegistered(code) || errors.OBSERVED.includes(code)).toBe(true)
})

test('every registered code is in README\'s Errors table with its class', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
  const table = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Implementations'))
  const rows = new Map([...table.matchAll(/^\| `(ERR_\w+)` \| `(\w+)` \|/gm)].map((m) => [m[1], m[2]]))
  const registered = errors.codes()
  expect([...rows.keys()].sort()).toEqual(registered.map((e) => e.code).sort())
  for (const e of registered) expect([e.code, rows.get(e.code)]).toEqual([e.code, e.class])
})

test('an unregistered code cannot be thrown', () => {
  expect(() => errors.makeError('ERR_AGORA_NO_SUCH_THING')).toThrow(/unregistered error code/)
  expect(() => errors.withCode(new Error('x'), 'ERR_NOPE')).toThrow(/unregistered/)
})

test('errors carry the argument as data, and relabel renders from it, not from the message', () => {
  const act = require('..')
  let err
  try {
    act.buildRtcToken({ appId: 'a'.repeat(32), appCertificate: 'b'.repeat(32), channelName: 'bad/name', uid: 1 })
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(TypeError)
  expect(err.code).toBe('ERR_INVALID_ARG_VALUE')
  expect(err.argument).toBe('options.channelName')
  expect(errors.relabel(err, '--channel')).toBe(err.message.replace('"options.channelName"', '"--channel"'))
  const range = errors.outOfRange('options.expiresIn', 'an integer >= 1 and <= 86400', 0)
  expect([range.argument, errors.relabel(range, '--expires')]).toEqual(['options.expiresIn',
    'The value of "--expires" is out of range. It must be an integer >= 1 and <= 86400. Received a number'])
})

test.each([['native'], ['js']])('%s: the engine\'s own errors carry the argument too', (impl) => {
  const { loadWith } = require('./helpers/impls')
  const binding = loadWith(impl, 'lib/binding')
  const caught = (fn) => {
    try {
      fn()
    } catch (e) {
      return { class: e.constructor.name, code: e.code, argument: e.argument, reason: e.reason }
    }
    return null
  }
  expect(caught(() => binding.buildRtc(1))).toEqual({ class: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', argument: 'appId',
    reason: undefined })
  expect(caught(() => binding.parse007('007AAAA', new Uint32Array(9)))).toEqual({ class: 'TypeError',
    code: 'ERR_AGORA_TOKEN_MALFORMED', argument: undefined, reason: 'INFLATE' })
  expect(caught(() => binding.build007('a'.repeat(32), 'b'.repeat(32), 1, 1, 1, new Array(65).fill([1, [], '', '', 0, null]))))
    .toEqual({ class: 'RangeError', code: 'ERR_AGORA_TOKEN_TOO_LARGE', argument: 'services', reason: undefined })
})
