'use strict'
// The data the core exports (limits, field kinds, the service table, the "006"
// privilege names, what each status becomes, the reader layouts): the addon's
// exports and the JavaScript fallback's generated copy (lib/fallback/tables.js)
// must be the same, and that copy must be what scripts/gen-tables.js makes
// from the C headers now.
const fs = require('fs')
const { loadWith } = require('./helpers/impls')
const gen = require('../scripts/gen-tables')

const native = loadWith('native', 'lib/binding')
const js = loadWith('js', 'lib/binding')
const KEYS = ['limits', 'fieldKinds', 'services', 'privileges006', 'statusErrors', 'layouts']

test('lib/fallback/tables.js is what scripts/gen-tables.js makes from the headers', () => {
  expect(fs.readFileSync(gen.OUT, 'utf8')).toBe(gen.generate())
  const dts = fs.readFileSync(gen.DTS, 'utf8')
  expect(gen.declarations(dts)).toBe(dts)
})

test.each(KEYS)('native and fallback export the same %s', (key) => {
  expect(native.implementation).toBe('native')
  expect(js.implementation).toBe('js')
  expect(native[key]).toBeDefined()
  expect(js[key]).toEqual(native[key])
})

test('the service table: types in order from 1 without gaps, ids and names unique, privileges parse', () => {
  const rows = native.services
  expect(rows.length).toBeGreaterThanOrEqual(10)
  rows.forEach(([type], i) => expect(type).toBe(i + 1))
  expect(new Set(rows.map((r) => r[1])).size).toBe(rows.length)
  expect(new Set(rows.map((r) => r[2])).size).toBe(rows.length)
  for (const [, , , kind, privileges] of rows) {
    expect(Object.values(native.fieldKinds)).toContain(kind)
    expect(privileges).toMatch(/^(\d+:[a-z][A-Za-z]*( \d+:[a-z][A-Za-z]*)*)?$/)
  }
})

test('every JavaScript view of the table is derived from it', () => {
  const act = require('..')
  const services = require('../lib/services')
  expect(act.ServiceType).toEqual(Object.fromEntries(native.services.map(([type, id]) => [id, type])))
  // the compat classes' type constants and privilege constants
  const compat = require('../lib/compat/agora-token/src/AccessToken2')
  for (const s of services.SERVICES) {
    const cls = compat.AccessToken2.kServices[s.type]
    expect(new cls().service_type()).toBe(s.type)
    for (const [key, name] of Object.entries(s.privileges)) {
      const constant = s.id === 'APAAS' ? `PRIVILEGE_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
        : `kPrivilege${name[0].toUpperCase()}${name.slice(1)}`
      expect([s.id, constant, cls[constant]]).toEqual([s.id, constant, Number(key)])
    }
  }
  // index.d.ts names every ServiceType key and every parsed service name
  const dts = fs.readFileSync(require.resolve('../index.d.ts'), 'utf8')
  for (const s of services.SERVICES) {
    expect(dts).toContain(`${s.id}: ${s.type}`)
    expect(dts).toContain(`'${s.name}'`)
  }
})

test('the layouts describe the numbers lib/token.js reads', () => {
  const L7 = native.layouts.token007
  expect(L7.numbers).toBe(L7.header + native.limits.maxServices * (L7.service.header + 2 * native.limits.maxPrivileges + 1))
  // offsets are 0..header-1, each once
  for (const layout of [L7, L7.service, native.layouts.token006]) {
    const offsets = Object.entries(layout).filter(([k]) => !['header', 'numbers', 'service'].includes(k)).map(([, v]) => v)
    expect(offsets.sort((a, b) => a - b)).toEqual([...Array(layout.header).keys()])
  }
})

test('the generator refuses headers it cannot read', () => {
  const real = fs.readFileSync
  const spy = jest.spyOn(fs, 'readFileSync').mockImplementation((file, enc) =>
    (String(file).endsWith('act_token007.h') ? '/* nothing */' : real(file, enc)))
  try {
    expect(() => gen.generate()).toThrow(/cannot read/)
  } finally {
    spy.mockRestore()
  }
})
