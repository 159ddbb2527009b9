'use strict'
// Seed corpora for the libFuzzer harnesses, from the official vectors in
// test/fixtures: writes out/corpus-parse007, out/corpus-parse006 and
// out/corpus-roundtrip (generated, never committed). Each seed starts with the
// mode byte its harness reads (see the comment at the top of each harness).
const fs = require('fs')
const path = require('path')
const zlib = require('zlib')

const fixtures = path.join(__dirname, '..', '..', 'fixtures')
const v007 = JSON.parse(fs.readFileSync(path.join(fixtures, 'accesstoken2-007.json'), 'utf8')).vectors
const v006 = JSON.parse(fs.readFileSync(path.join(fixtures, 'accesstoken-006.json'), 'utf8')).vectors
const out = path.join(__dirname, 'out')

function writer(name) {
  const dir = path.join(out, `corpus-${name}`)
  fs.mkdirSync(dir, { recursive: true })
  let n = 0
  return (mode, bytes) => {
    const file = path.join(dir, `seed-${String(n++).padStart(3, '0')}`)
    fs.writeFileSync(file, Buffer.concat([Buffer.from([mode]), Buffer.from(bytes)]))
  }
}

// ---- "007" parsing: 0 token string, 1 payload, 2 compressed body, 3 signing info
const p7 = writer('parse007')
for (const v of v007) {
  p7(0, Buffer.from(v.token, 'latin1'))
  if (v.tokenVanillaZlib && v.tokenVanillaZlib !== v.token) p7(0, Buffer.from(v.tokenVanillaZlib, 'latin1'))
  const content = Buffer.from(v.content, 'base64')
  p7(1, content)
  p7(2, Buffer.from(v.token.slice(3), 'base64'))
  p7(3, content.subarray(2 + content.readUInt16LE(0)))
}
// zip bombs: a body that inflates to 1 MiB of zeros, one just over the cap, one at it
p7(2, zlib.deflateSync(Buffer.alloc(1 << 20)))
p7(2, zlib.deflateSync(Buffer.alloc(32769)))
p7(0, Buffer.from('007' + zlib.deflateSync(Buffer.alloc(32768)).toString('base64'), 'latin1'))
p7(0, Buffer.from('007', 'latin1'))
p7(0, Buffer.from('007eJw=', 'latin1'))

// ---- "006" parsing: 0 token string, 1 decoded content, 2 message m
const p6 = writer('parse006')
for (const v of v006) {
  p6(0, Buffer.from(v.token, 'latin1'))
  const content = Buffer.from(v.token.slice(35), 'base64')
  p6(1, content)
  const mAt = 2 + content.readUInt16LE(0) + 8
  p6(2, content.subarray(mAt + 2, mAt + 2 + content.readUInt16LE(mAt)))
}

// ---- build round trip: the vectors' fields in the harness's input format
const HEX = '0123456789abcdefABCDEF'
const rt = writer('roundtrip')
const u8 = (x) => Buffer.from([x & 0xff])
const u16 = (x) => { const b = Buffer.alloc(2); b.writeUInt16LE(x & 0xffff); return b }
const u32 = (x) => { const b = Buffer.alloc(4); b.writeUInt32LE(x >>> 0); return b }
const hexBytes = (s) => Buffer.from([...s].map((c) => HEX.indexOf(c)))
const field = (s = '') => {
  const b = Buffer.from(s, 'utf8').subarray(0, 63)
  return Buffer.concat([u8(b.length), b])
}
const key = (k) => (k < 16 ? u8(0x80 | k) : Buffer.from([(k >> 8) & 0x7f, k & 0xff]))
const account = (s) => ('uid' in s ? (s.uid === 0 ? '' : String(s.uid)) : s.account || '')

function encode(v, flags = 0) {
  const parts = [u8(flags), hexBytes(v.appId), hexBytes(v.appCertificate), u32(v.issueTs), u32(v.expire), u32(v.salt),
    u8(v.services.length)]
  for (const s of v.services) {
    const privs = Object.entries(s.privileges || {})
    parts.push(u8(s.type - 1), u8(privs.length))
    for (const [k, val] of privs) parts.push(key(Number(k)), u32(val))
    parts.push(field(s.channelName), field(account(s)), field(s.userId), field(s.roomUuid), field(s.userUuid),
      u16(s.role || 0))
    if (s.type === 8) {
      const perms = []
      for (const [r, byType] of Object.entries(s.permissions || {})) {
        for (const [p, list] of Object.entries(byType)) perms.push([Number(r) % 4, Number(p) % 4, list.slice(0, 4)])
      }
      parts.push(u8(perms.length))
      for (const [r, p, list] of perms) parts.push(u8(r), u8(p), u8(list.length), ...list.map(field))
    }
  }
  return Buffer.concat(parts)
}
for (const v of v007) {
  const seed = encode(v)
  rt(seed[0], seed.subarray(1))
  const legacy = encode(v, 8)
  rt(legacy[0], legacy.subarray(1))
}

// ---- notification signatures: flags, lengths of secret / V2 / V1, those strings, the body
const crypto = require('crypto')
const nt = writer('notify')
const agoraBody = '{"eventType":10,"noticeId":"4eb720f0-8da7-11e9-a43e-53f411c2761f","notifyMs":1560408533119,' +
  '"payload":{"a":"1","b":2},"productId":1}'
const channelBody = JSON.stringify({ noticeId: '2000001428:4330:107', productId: 1, eventType: 104, notifyMs: 1611566412672,
  sid: 'C866467GVJJ54687', payload: { channelName: 'test_webhook', uid: 12121212, platform: 1, clientSeq: 1625051030789,
    reason: 1, ts: 1560396943, duration: 600, account: 'test' } })
const notifySeed = (flags, secret, v2, v1, body, flip) => {
  const s = Buffer.from(secret)
  const parts = [u8(s.length), u8(v2.length), u8(v1.length), s, Buffer.from(v2, 'latin1'), Buffer.from(v1, 'latin1')]
  if (flags & 16) parts.push(u8(flip || 0))
  parts.push(Buffer.from(body))
  nt(flags, Buffer.concat(parts))
}
for (const body of [agoraBody, channelBody, '', '{}']) {
  const v2 = crypto.createHmac('sha256', 'secret').update(body).digest('hex')
  const v1 = crypto.createHmac('sha1', 'secret').update(body).digest('hex')
  notifySeed(0, 'secret', v2, v1, body)
  notifySeed(0, 'secret', '', v1.toUpperCase(), body)
  notifySeed(0, 'secret', v2.slice(0, 63), '', body)
  notifySeed(3, 'secret', '', '', body)
  notifySeed(1 | 16, 'secret', '', '', body, 77)
  notifySeed(2 | 4, 'secret', '', '', body)
}
notifySeed(1 | 32 | 64, '', '', '', agoraBody)

console.log(`seed corpora written to ${path.relative(process.cwd(), out) || '.'}`)
