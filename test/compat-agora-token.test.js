'use strict'
// agora-call-token/compat/agora-token against agora-token@2.0.6 itself: the same
// exports, and for every builder method the same token (every field; with the
// official's Math.random pinned to our salt, the same string), which the official
// parser reads and verifies. The clock is Jest's fake one, shared by both.
const official = require('agora-token')
const officialA2 = require('agora-token/src/AccessToken2')
const compat = require('../lib/compat/agora-token')
const compatA2 = require('../lib/compat/agora-token/src/AccessToken2')
const { parseToken } = require('../lib')

const A = '970CA35de60c44645bbae8a215061b33'
const C = '5CFd2fd1755d40ecb72977518be15d3b'
const OTHER_CERT = '00000000000000000000000000000000'
const NOW_MS = Date.UTC(2024, 4, 1, 10, 0, 0) + 700 // a fraction of a second: issueTs keeps the integer part
const NOW = Math.floor(NOW_MS / 1000)

beforeAll(() => jest.useFakeTimers({ now: NOW_MS }))
afterAll(() => jest.useRealTimers())
afterEach(() => jest.restoreAllMocks())

const withoutSalt = (token) => {
  const { salt, ...rest } = parseToken(token)
  return rest
}

// The official builder's output with its Math.random pinned so that its salt is `salt`.
function officialWithSalt(salt, fn) {
  const spy = jest.spyOn(Math, 'random').mockReturnValue((salt - 0.5) / 99999999)
  try {
    return fn()
  } finally {
    spy.mockRestore()
  }
}

// The error fn throws (Node's own errors come from another realm under Jest: compare names).
function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('did not throw')
}

function expectSame(path, args) {
  const [cls, method] = path.split('.')
  const ours = compat[cls][method](...args(compat))
  const theirs = official[cls][method](...args(official))
  expect(ours).toMatch(/^007/)
  // Same fields, the salt aside (both random).
  expect(withoutSalt(ours)).toEqual(withoutSalt(theirs))
  expect(parseToken(ours).issueTs).toBe(NOW)
  // The same string once the official draws our salt.
  expect(officialWithSalt(parseToken(ours).salt, () => official[cls][method](...args(official)))).toBe(ours)
  // The official parser reads ours and accepts its signature, for this certificate only.
  const reader = new officialA2.AccessToken2()
  expect(reader.from_string(ours)).toBe(true)
  expect(reader.verifySignature(C)).toBe(true)
  expect(reader.verifySignature(OTHER_CERT)).toBe(false)
  return ours
}

const perms = (mod) => {
  const p = new mod.Rtm2Permissions()
  p.add(mod.Rtm2Permissions.kMessageChannels, mod.Rtm2Permissions.kRead, ['chat-*', 'lobby'])
  p.add(mod.Rtm2Permissions.kMessageChannels, mod.Rtm2Permissions.kWrite, ['chat-1'])
  p.add(mod.Rtm2Permissions.kUsers, mod.Rtm2Permissions.kRead, new Set(['*']))
  return p
}

// [method, label, args(module)]: the ordinary calls and the quirky ones.
const CASES = [
  ['RtcTokenBuilder.buildTokenWithUid', 'publisher', () => [A, C, 'conv-1', 2882341273, 1, 3600, 1800]],
  ['RtcTokenBuilder.buildTokenWithUid', 'subscriber, uid 0 (any user), privilegeExpire defaulting to 0',
    (m) => [A, C, 'conv-1', 0, m.RtcRole.SUBSCRIBER, 600]],
  ['RtcTokenBuilder.buildTokenWithUid', "role '1' counts as publisher (==)", () => [A, C, 'c', 7, '1', 600, 60]],
  ['RtcTokenBuilder.buildTokenWithUid', 'unknown role 101 is join-only', () => [A, C, 'c', 7, 101, 600, 60]],
  ['RtcTokenBuilder.buildTokenWithUid', 'fractions truncated, numeric strings and undefined expire (0)',
    () => [A, C, 'c', 7, 1, undefined, '42.9']],
  ['RtcTokenBuilder.buildTokenWithUserAccount', 'string account', () => [A, C, 'c', 'alice@example', 1, 600, 600]],
  ['RtcTokenBuilder.buildTokenWithUserAccount', 'a numeric account is stringified', () => [A, C, 'c', 123, 2, 600]],
  ['RtcTokenBuilder.buildTokenWithUserAccount', "account '0' stays '0'", () => [A, C, 'c', '0', 2, 600]],
  ['RtcTokenBuilder.buildTokenWithUidAndPrivilege', 'own privilege times',
    () => [A, C, 'c', 99, 3600, 3600, 0, 120, 4000]],
  ['RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege', 'own privilege times, undefined -> 0',
    () => [A, C, 'c', 'bob', 3600, 3600, undefined, 120]],
  ['RtcTokenBuilder.buildTokenWithRtm', 'RTC + RTM for the same account', () => [A, C, 'c', 'bob', 1, 3600, 600]],
  ['RtcTokenBuilder.buildTokenWithRtm', 'uid 0: RTM user id is empty too', () => [A, C, 'c', 0, 2, 3600]],
  ['RtcTokenBuilder.buildTokenWithRtm2', 'RTC + RTM with their own users and times',
    () => [A, C, 'c', 5, 1, 3600, 3600, 60, 70, 80, 'rtm-user', 1800]],
  ['RtcTokenBuilder.buildTokenWithRtm2', 'subscriber: publish times ignored',
    () => [A, C, 'c', 'acct', 2, 3600, 3600, 60, 70, 80, 'rtm-user', 1800]],
  ['ConvoAITokenBuilder.buildToken', 'publisher',
    () => [A, C, 'c', 1001, 1, 3600, 3600, 3600, 3600, 3600, 'agent', 3600]],
  ['ConvoAITokenBuilder.buildToken', "role '1' is join-only here (===)",
    () => [A, C, 'c', 'acct', '1', 3600, 3600, 1, 2, 3, 'agent', 60]],
  ['SttTokenBuilder.buildToken', 'publisher', () => [A, C, 'c', 0, 1, 3600, 0, 0, 0, 0, 'stt-bot', 3600]],
  ['SttTokenBuilder.buildToken', 'subscriber', () => [A, C, 'c', 9, 2, 3600, 10, 20, 30, 40, 'stt-bot', 3600]],
  ['RtmTokenBuilder.buildToken', 'user', () => [A, C, 'rtm-user', 3600]],
  ['RtmTokenBuilder.buildToken', 'user 0 -> empty', () => [A, C, 0, 3600]],
  ['RtmTokenBuilder.buildTokenWithPermissions', 'a permission tree', (m) => [A, C, 'u1', perms(m), 3600]],
  ['RtmTokenBuilder.buildTokenWithPermissions', 'no permissions (null), numeric user id stringified',
    () => [A, C, 77, null, 3600]],
  ['RtmTokenBuilder.buildTokenWithPermissions', 'a plain { details } object',
    () => [A, C, 'u', { details: { 2: { 1: ['g'] }, 0: { 0: [] } } }, 60]],
  ['ChatTokenBuilder.buildUserToken', 'user', () => [A, C, 'chat-user', 600]],
  ['ChatTokenBuilder.buildAppToken', 'app', () => [A, C, 600]],
  ['FpaTokenBuilder.buildToken', '24 h, login 0', () => [A, C]],
  ['ApaasTokenBuilder.buildRoomUserToken', 'APaaS + RTM + Chat md5(user)', () => [A, C, 'room-1', 'user-ü', 1, 600]],
  ['ApaasTokenBuilder.buildRoomUserToken', 'role 0 is written as -1', () => [A, C, 'room-1', 'user', 0, 600]],
  ['ApaasTokenBuilder.buildRoomUserToken', 'user uuid 0', () => [A, C, 'room-1', 0, 2, 600]],
  ['ApaasTokenBuilder.buildUserToken', 'user', () => [A, C, 'user', 600]],
  ['ApaasTokenBuilder.buildAppToken', 'app', () => [A, C, 600]],
  ['EducationTokenBuilder.buildRoomUserToken', 'same as APaaS', () => [A, C, 'room', 'user', 3, 600]],
  ['EducationTokenBuilder.buildUserToken', 'user', () => [A, C, 'user', 600]],
  ['EducationTokenBuilder.buildAppToken', 'app', () => [A, C, 600]]
]

describe('the same exports as agora-token', () => {
  test('main module names, roles and RTM2 constants', () => {
    expect(Object.keys(compat).sort()).toEqual(Object.keys(official).sort())
    expect(compat.RtcRole).toEqual(official.RtcRole)
    for (const k of Object.keys(official.Rtm2Permissions)) expect(compat.Rtm2Permissions[k]).toBe(official.Rtm2Permissions[k])
  })

  test('every builder has the official methods with the same arity (argument count before defaults)', () => {
    const methods = (cls) => Object.getOwnPropertyNames(cls).filter((k) => typeof cls[k] === 'function').sort()
    for (const name of Object.keys(official).filter((k) => k.endsWith('Builder'))) {
      expect(methods(compat[name])).toEqual(methods(official[name]))
      for (const m of methods(official[name])) expect([name, m, compat[name][m].length]).toEqual([name, m, official[name][m].length])
    }
  })

  test('every method is covered by a case below', () => {
    const covered = new Set(CASES.map(([path]) => path))
    for (const name of Object.keys(official).filter((k) => k.endsWith('Builder'))) {
      for (const m of Object.getOwnPropertyNames(official[name]).filter((k) => typeof official[name][k] === 'function')) {
        expect(covered).toContain(`${name}.${m}`)
      }
    }
  })

  test('src/AccessToken2: the same names and constants', () => {
    expect(Object.keys(compatA2).sort()).toEqual(Object.keys(officialA2).sort())
    for (const [name, value] of Object.entries(officialA2)) {
      if (typeof value !== 'function') expect([name, compatA2[name]]).toEqual([name, value])
      else for (const k of Object.keys(value)) if (typeof value[k] !== 'object') expect([name, k, compatA2[name][k]]).toEqual([name, k, value[k]])
    }
    expect(Object.keys(compatA2.AccessToken2.kServices)).toEqual(Object.keys(officialA2.AccessToken2.kServices))
  })
})

describe.each(CASES)('%s: %s', (path, label, args) => {
  test('same token as agora-token, verified by its parser', () => {
    expectSame(path, args)
  })
})

describe('the official quirks', () => {
  test('returns "" for an invalid app id or certificate', () => {
    for (const [id, cert] of [['x', C], [A, 'y'], [undefined, C], [A, null], [A.slice(1), C], [A, `${C}0`]]) {
      expect(official.RtcTokenBuilder.buildTokenWithUid(id, cert, 'c', 1, 1, 600)).toBe('')
      expect(compat.RtcTokenBuilder.buildTokenWithUid(id, cert, 'c', 1, 1, 600)).toBe('')
      expect(compat.FpaTokenBuilder.buildToken(id, cert)).toBe('')
    }
    // "" wins over any bad argument, as the official checks the ids first.
    expect(compat.RtcTokenBuilder.buildTokenWithUid('x', C, undefined, 1, 1, -5)).toBe('')
    expect(official.RtcTokenBuilder.buildTokenWithUid('x', C, undefined, 1, 1, -5)).toBe('')
  })

  test('AccessToken2 with no service builds ""', () => {
    expect(new compatA2.AccessToken2(A, C, NOW, 600).build()).toBe('')
    expect(new officialA2.AccessToken2(A, C, NOW, 600).build()).toBe('')
  })

  // Where agora-token throws, we throw the same class of error.
  const THROWS = [
    ['a numeric RTM user id', (m) => m.RtmTokenBuilder.buildToken(A, C, 12345, 600)],
    ['a numeric Chat user id', (m) => m.ChatTokenBuilder.buildUserToken(A, C, 77, 600)],
    ['a numeric account with RTM', (m) => m.RtcTokenBuilder.buildTokenWithRtm(A, C, 'c', 5, 1, 600)],
    ['a numeric APaaS user', (m) => m.ApaasTokenBuilder.buildRoomUserToken(A, C, 'r', 77, 1, 600)],
    ['an undefined APaaS user for a room token', (m) => m.ApaasTokenBuilder.buildRoomUserToken(A, C, 'r', undefined, 1, 600)],
    ['an APaaS role over i16', (m) => m.ApaasTokenBuilder.buildRoomUserToken(A, C, 'r', 'u', 40000, 600)],
    ['a negative expire', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, -1)],
    ['an expire over u32', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, 2 ** 32)],
    ['an infinite privilege', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, 600, Infinity)],
    ['a BigInt expire', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, 600n)],
    ['a numeric channel name', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 5, 1, 1, 600)],
    ['no channel name', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, undefined, 1, 1, 600)],
    ['permissions without details', (m) => m.RtmTokenBuilder.buildTokenWithPermissions(A, C, 'u', {}, 600)],
    ['a non-string RTM2 resource', (m) => m.RtmTokenBuilder.buildTokenWithPermissions(A, C, 'u', { details: { 0: { 0: [1] } } }, 600)]
  ]
  test.each(THROWS)('%s throws like agora-token', (label, fn) => {
    const theirs = thrown(() => fn(official))
    const ours = thrown(() => fn(compat))
    // The same class; where the official throws a bare Error (md5 of undefined), a TypeError.
    expect(ours.name).toBe(theirs.name === 'Error' ? 'TypeError' : theirs.name)
    expect(ours.message).not.toMatch(C)
  })

  test('a Buffer channel name is its UTF-8 text, as with Buffer.from', () => {
    const ours = compat.RtcTokenBuilder.buildTokenWithUid(A, C, Buffer.from('chännel'), 1, 1, 600)
    const theirs = official.RtcTokenBuilder.buildTokenWithUid(A, C, Buffer.from('chännel'), 1, 1, 600)
    expect(withoutSalt(ours)).toEqual(withoutSalt(theirs))
  })

  test('issueTs is the clock at the call (the fake clock moves, both follow)', () => {
    jest.setSystemTime(NOW_MS + 5000)
    try {
      const ours = compat.ChatTokenBuilder.buildAppToken(A, C, 60)
      expect(withoutSalt(ours)).toEqual(withoutSalt(official.ChatTokenBuilder.buildAppToken(A, C, 60)))
      expect(parseToken(ours).issueTs).toBe(NOW + 5)
    } finally {
      jest.setSystemTime(NOW_MS)
    }
  })

  test('salts are fresh per token, in 1..99999999', () => {
    const salts = new Set()
    for (let i = 0; i < 50; i++) salts.add(parseToken(compat.FpaTokenBuilder.buildToken(A, C)).salt)
    expect(salts.size).toBeGreaterThan(45)
    for (const s of salts) expect(s >= 1 && s <= 99999999).toBe(true)
  })
})

describe('src/AccessToken2 classes', () => {
  // The same services through both packages' classes, one salt and time: the same string.
  function both(fill) {
    const make = (mod) => {
      const t = new mod.AccessToken2(A, C, NOW - 100, 900)
      t.salt = 424242
      fill(mod, t)
      return t.build()
    }
    const ours = make(compatA2)
    expect(ours).toBe(make(officialA2))
    return ours
  }

  test('every service class, repeated types, stable order', () => {
    const token = both((m, t) => {
      const rtm2 = new m.ServiceRtm2('u2', null)
      rtm2.add_privilege(m.ServiceRtm2.kPrivilegeLogin, 30)
      t.add_service(rtm2)
      const rtcB = new m.ServiceRtc('b', 'acct')
      rtcB.add_privilege(m.ServiceRtc.kPrivilegeJoinChannel, 0)
      t.add_service(rtcB)
      const rtcA = new m.ServiceRtc('a', 0)
      rtcA.add_privilege(m.ServiceRtc.kPrivilegePublishDataStream, 5)
      rtcA.add_privilege(m.ServiceRtc.kPrivilegeJoinChannel, 6)
      t.add_service(rtcA)
      t.add_service(new m.ServiceStreaming('s', 8))
      t.add_service(new m.ServiceFCdn())
      t.add_service(new m.ServiceFpa())
      t.add_service(new m.ServiceChat())
      t.add_service(new m.ServiceRtm('r'))
      t.add_service(new m.ServiceApaas('room', 'user', -7))
      t.add_service(new m.ServiceConvoAI())
      t.add_service(new m.ServiceStt())
    })
    expect(parseToken(token).services.map((s) => s.type)).toEqual([1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(parseToken(token).services[0].channelName).toBe('b')
  })

  test('issueTs 0 means now; a fractional issueTs keeps its integer part', () => {
    const a = new compatA2.AccessToken2(A, C, 0, 60)
    const b = new officialA2.AccessToken2(A, C, 0, 60)
    expect(a.issueTs).toBe(b.issueTs)
    a.add_service(new compatA2.ServiceFpa())
    expect(parseToken(a.build()).issueTs).toBe(NOW)
  })

  test('from_string reads what the official reads, and verifySignature agrees', () => {
    const source = official.ApaasTokenBuilder.buildRoomUserToken(A, C, 'room', 'user', 0, 600)
    const ours = new compatA2.AccessToken2()
    const theirs = new officialA2.AccessToken2()
    expect(ours.from_string(source)).toBe(true)
    expect(theirs.from_string(source)).toBe(true)
    for (const k of ['appId', 'issueTs', 'expire', 'salt']) expect(ours[k]).toEqual(theirs[k])
    expect(Buffer.isBuffer(ours.appId)).toBe(true)
    const fields = (t) => t.services.map((s) => {
      const { __permissions, ...rest } = s
      return { ...rest, __permissions: __permissions && __permissions.details }
    })
    expect(fields(ours)).toEqual(fields(theirs))
    expect(ours.services.map((s) => s.constructor.name)).toEqual(theirs.services.map((s) => s.constructor.name))
    // The official reads the APaaS role -1 back as 65535 and then cannot rebuild the token: neither can we.
    expect(ours.getServices(7)[0].__role).toBe(65535)
    ours.appCertificate = C
    theirs.appCertificate = C
    expect(thrown(() => theirs.build()).name).toBe('RangeError')
    expect(thrown(() => ours.build()).name).toBe('RangeError')
    expect(ours.verifySignature(C)).toBe(true)
    expect(ours.verifySignature(OTHER_CERT)).toBe(false)
    expect(ours.verifySignature('nope')).toBe(false)
  })

  test('from_string then build gives back the same token', () => {
    const source = officialWithSalt(777, () => official.RtmTokenBuilder.buildTokenWithPermissions(A, C, 'u', perms(official), 60))
    const t = new compatA2.AccessToken2()
    expect(t.from_string(source)).toBe(true)
    t.appCertificate = C
    expect(t.build()).toBe(source)
  })

  test('from_string refuses what is not a token, and forgets the previous one', () => {
    const t = new compatA2.AccessToken2()
    expect(t.from_string(compat.FpaTokenBuilder.buildToken(A, C))).toBe(true)
    for (const bad of ['', '007', '006abc', '007not-base64!', `007${Buffer.from('not zlib').toString('base64')}`, 7, null]) {
      expect(t.from_string(bad)).toBe(false)
      expect(new officialA2.AccessToken2().from_string(bad)).toBe(false)
      expect(t.services).toEqual([])
      expect(t.verifySignature(C)).toBe(false)
    }
  })

  test('an RTM2 resource type with no permission types (hand-made details) is refused, not packed differently', () => {
    const p = new compatA2.Rtm2Permissions()
    p.details = { 0: {} }
    expect(() => compat.RtmTokenBuilder.buildTokenWithPermissions(A, C, 'u', p, 60)).toThrow(TypeError)
    expect(official.RtmTokenBuilder.buildTokenWithPermissions(A, C, 'u', p, 60)).toMatch(/^007/)
  })

  test('an unknown service class is refused rather than packed wrong', () => {
    const t = new compatA2.AccessToken2(A, C, NOW, 60)
    t.add_service(new compatA2.Service(11))
    expect(() => t.build()).toThrow(TypeError)
  })
})
