'use strict'
// The token deflater reuses one zlib stream per thread; every output must still
// be exactly what a fresh zlib.deflateSync gives (Node's zlib, same process),
// whatever the stream compressed before.
const zlib = require('zlib')
const crypto = require('crypto')
const binding = require('../lib/binding')

// The test-only hooks (src/binding/testing.c): not enumerable, under a symbol.
const testing = binding[Symbol.for('agora-call-token.testing')]

function randomPayload(size, seed) {
  // Token-like bytes: runs of text, repeats and binary, so matches happen.
  const parts = []
  let total = 0
  let i = seed
  while (total < size) {
    const kind = i++ % 4
    const len = 1 + (crypto.randomInt(64))
    let chunk
    if (kind === 0) chunk = crypto.randomBytes(len)
    else if (kind === 1) chunk = Buffer.from('7d72365eb983485397e3e3f9d460bdda'.slice(0, len % 33))
    else if (kind === 2 && parts.length) chunk = parts[crypto.randomInt(parts.length)]
    else chunk = Buffer.alloc(len, 0x41 + (len % 3))
    parts.push(chunk)
    total += chunk.length
  }
  return Buffer.concat(parts).subarray(0, size)
}

test('matches zlib.deflateSync from 0 bytes to the payload limit, in mixed order', () => {
  const limit = binding.limits.maxPayloadBytes
  const sizes = []
  for (let n = 0; n <= 600; n++) sizes.push(n)
  for (let k = 0; k < 300; k++) sizes.push(crypto.randomInt(limit + 1))
  sizes.push(limit, limit - 1, 32768, 1, limit, 0)
  // Big inputs followed by small ones leave stale bytes in the window.
  for (let k = 0; k < 300; k++) sizes.push(k % 2 ? crypto.randomInt(200) : crypto.randomInt(limit + 1))
  let mismatches = 0
  sizes.forEach((n, i) => {
    const data = randomPayload(n, i)
    const ours = testing.deflate(data)
    if (!ours.equals(zlib.deflateSync(data))) mismatches++
  })
  expect(mismatches).toBe(0)
  expect(sizes.length).toBeGreaterThan(1200)
})

test('refuses input over the payload limit', () => {
  expect(() => testing.deflate(Buffer.alloc(binding.limits.maxPayloadBytes + 1))).toThrow(RangeError)
})

// Which path the deflater takes with the zlib of this process (src/core/zstream.c): it reuses one
// stream and clears what the last input dirtied only when it recognised the window and the hash
// chain among zlib's allocations; otherwise it makes a fresh stream per token (same bytes, slower).
// Under Node's own zlib the reuse path must be the one that runs, and the differential above is
// then a test of that path. If this fails, Node's zlib allocates differently from what
// zstream.c expects: tokens stay byte-identical but each one pays a deflateInit2.
test(`the reuse path runs with Node's own zlib (${process.versions.zlib})`, () => {
  expect(testing.deflateReuses).toBe(true)
})

test('the test-only hooks are not part of the API: not enumerable, not in the public exports', () => {
  expect(Object.keys(binding)).not.toContain('testing')
  expect(Object.keys(binding)).not.toContain('_deflate')
  expect(Object.getOwnPropertySymbols(binding).every((s) => !Object.getOwnPropertyDescriptor(binding, s).enumerable))
    .toBe(true)
  expect(Object.keys(binding.limits)).not.toContain('deflateReuses')
  const act = require('..')
  expect(Object.keys(act.limits)).not.toContain('deflateReuses')
  expect(Object.getOwnPropertySymbols(act)).toEqual([])
  // and the addon itself keeps them in a non-enumerable property
  const addon = require(binding.file)
  expect(Object.keys(addon)).not.toContain('testing')
  expect(typeof addon.testing.deflate).toBe('function')
})

// Real token payloads, each after a large payload that dirties the window far past them.
test('real token payloads after large inputs match zlib.deflateSync', () => {
  const act = require('..')
  let mismatches = 0
  for (let k = 0; k < 300; k++) {
    testing.deflate(randomPayload(1000 + crypto.randomInt(binding.limits.maxPayloadBytes - 1000), k))
    const token = act.buildRtcToken({ appId: '970ca35de60c44645bbae8a215061b33', appCertificate: '5cfd2fd1755d40ecb72977518be15d3b',
      channelName: `conv-${k}`, account: `user-${k}` })
    const body = Buffer.from(token.slice(3), 'base64')
    if (!body.equals(zlib.deflateSync(zlib.inflateSync(body)))) mismatches++
  }
  expect(mismatches).toBe(0)
})
