'use strict'
// buildAccessToken against agora-token's own AccessToken2 (the devDependency, in
// this process): random mixes of every service type 1..10, repeated types, random
// privilege maps and RTM2 permission trees, with the same salt and issue time ->
// the same string, which the official parser reads and verifies.
const fc = require('fast-check')
const official = require('agora-token/src/AccessToken2')
const { IMPLS } = require('./helpers/impls')

const RUNS = Number(process.env.DIFF_RUNS || 400)
// A fixed seed keeps the suite deterministic; DIFF_SEED=<n> explores others.
const SEED = Number(process.env.DIFF_SEED || 20240501)

const hex32 = fc.stringMatching(/^[0-9a-fA-F]{32}$/)
const u32 = fc.integer({ min: 0, max: 0xffffffff })
// Any well-formed text (NULs, astral characters, ...), as a field packs UTF-8 bytes.
const text = fc.string({ unit: 'grapheme', maxLength: 24 })
const privileges = fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String),
  fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 86400 }), u32), { maxKeys: 6 })
// RTM2: resource type -> permission type -> resources. Rtm2Permissions#add always
// makes a permission type, so a resource type never has none. (buildAccessToken's
// permissions shape cannot say "a resource type with no permission types", which
// agora-token packs from a hand-made `details` such as { 0: {} }; the compat
// classes refuse that rather than build a different token.)
const permissions = fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String),
  fc.dictionary(fc.integer({ min: 0, max: 0xffff }).map(String), fc.array(text, { maxLength: 3 }),
    { minKeys: 1, maxKeys: 3 }), { maxKeys: 4 })
const who = fc.oneof(u32, text)

const service = fc.oneof(
  fc.record({ type: fc.constantFrom(1, 3, 6), privileges, channelName: text, who }),
  fc.record({ type: fc.constantFrom(2, 5), privileges, userId: text }),
  fc.record({ type: fc.constant(4), privileges }),
  fc.record({ type: fc.constant(7), privileges, roomUuid: text, userUuid: text, role: fc.integer({ min: -32768, max: 32767 }) }),
  fc.record({ type: fc.constant(8), privileges, userId: text, permissions }),
  fc.record({ type: fc.constantFrom(9, 10), privileges })
)

// One random service -> our spec and the official's object.
function ours(s) {
  const spec = { type: s.type, privileges: Object.fromEntries(Object.entries(s.privileges)) }
  if ('who' in s) {
    spec.channelName = s.channelName
    if (typeof s.who === 'number') spec.uid = s.who
    else spec.account = s.who
  }
  for (const k of ['userId', 'roomUuid', 'userUuid', 'role', 'permissions']) if (k in s) spec[k] = s[k]
  return spec
}

function theirs(s) {
  let svc
  switch (s.type) {
    case 1: svc = new official.ServiceRtc(s.channelName, s.who); break
    case 3: svc = new official.ServiceStreaming(s.channelName, s.who); break
    case 6: svc = new official.ServiceFCdn(s.channelName, s.who); break
    case 2: svc = new official.ServiceRtm(s.userId); break
    case 5: svc = new official.ServiceChat(s.userId); break
    case 4: svc = new official.ServiceFpa(); break
    case 7:
      svc = new official.ServiceApaas(s.roomUuid, s.userUuid)
      svc.__role = s.role // the constructor would turn 0 into -1
      break
    case 8: {
      const p = new official.Rtm2Permissions()
      for (const [rt, byType] of Object.entries(s.permissions)) {
        for (const [pt, list] of Object.entries(byType)) p.add(Number(rt), Number(pt), list)
      }
      svc = new official.ServiceRtm2(s.userId, p)
      break
    }
    case 9: svc = new official.ServiceConvoAI(); break
    default: svc = new official.ServiceStt()
  }
  for (const [k, v] of Object.entries(s.privileges)) svc.add_privilege(Number(k), v)
  return svc
}

describe.each(IMPLS)('%s', (impl, act) => {
  test(`buildAccessToken equals agora-token's AccessToken2 over ${RUNS} random service mixes`, () => {
    fc.assert(fc.property(
      hex32, hex32, fc.integer({ min: 1, max: 0xffffffff }), u32, u32, fc.array(service, { minLength: 1, maxLength: 12 }),
      (appId, appCertificate, issueTs, expire, salt, services) => {
        const token = act.buildAccessToken({ appId, appCertificate, issueTs, expire, salt, services: services.map(ours) })
        const t = new official.AccessToken2(appId, appCertificate, issueTs, expire)
        t.salt = salt
        for (const s of services) t.add_service(theirs(s))
        expect(token).toBe(t.build())
        const reader = new official.AccessToken2()
        expect(reader.from_string(token)).toBe(true)
        expect(reader.verifySignature(appCertificate)).toBe(true)
        expect(reader.services.map((s) => s.service_type())).toEqual(services.map((s) => s.type).sort((a, b) => a - b))
      }), { numRuns: RUNS, seed: SEED })
  })

  test('the generator reaches every type, repeated types and non-empty RTM2 trees', () => {
    const samples = fc.sample(fc.array(service, { minLength: 1, maxLength: 12 }), { numRuns: 200, seed: 1 })
    const types = new Set(samples.flat().map((s) => s.type))
    expect([...types].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(samples.some((mix) => new Set(mix.map((s) => s.type)).size < mix.length)).toBe(true)
    expect(samples.flat().some((s) => s.type === 8 && Object.keys(s.permissions).length > 1)).toBe(true)
  })
})
