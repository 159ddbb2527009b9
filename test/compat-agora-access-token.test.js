'use strict'
// agora-call-token/compat/agora-access-token against agora-access-token@2.0.4: the
// same exports, and for every builder the same "006" token (every field; with the
// salt set alike, the same string), which the official AccessToken reads back and
// re-signs to the very same string. The clock is Jest's fake one, shared by both.
const official = require('agora-access-token')
const officialAT = require('agora-access-token/src/AccessToken')
const compat = require('../lib/compat/agora-access-token')
const compatAT = require('../lib/compat/agora-access-token/src/AccessToken')
const { parseToken, verifyToken } = require('../lib')

const A = '970CA35de60c44645bbae8a215061b33'
const C = '5CFd2fd1755d40ecb72977518be15d3b'
const NOW_MS = Date.UTC(2024, 4, 1, 10, 0, 0) + 999
const NOW = Math.floor(NOW_MS / 1000)
const LATER = NOW + 3600

beforeAll(() => jest.useFakeTimers({ now: NOW_MS }))
afterAll(() => jest.useRealTimers())

const withoutSalt = (token) => {
  const { salt, ...rest } = parseToken(token)
  return rest
}

function thrown(fn) {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('did not throw')
}

// The official AccessToken reads `token` and, given the channel and uid the token
// was made for, signs the same fields again: the very same string, else the signature differs.
function officialRecompute(token, channelName, uid, cert = C) {
  const key = new officialAT.AccessToken(A, cert, channelName, uid)
  expect(key.fromString(token)).toBe(true)
  return key.build()
}

// [method, label, args(module), channel signed, uid signed]
const CASES = [
  ['RtcTokenBuilder.buildTokenWithUid', 'publisher', (m) => [A, C, 'conv-1', 2882341273, m.RtcRole.PUBLISHER, LATER],
    'conv-1', 2882341273],
  ['RtcTokenBuilder.buildTokenWithUid', 'subscriber: join only', (m) => [A, C, 'conv-1', 42, m.RtcRole.SUBSCRIBER, LATER],
    'conv-1', 42],
  ['RtcTokenBuilder.buildTokenWithUid', 'ATTENDEE publishes', (m) => [A, C, 'c', 0, m.RtcRole.ATTENDEE, LATER], 'c', 0],
  ['RtcTokenBuilder.buildTokenWithUid', 'ADMIN publishes', (m) => [A, C, 'c', 0, m.RtcRole.ADMIN, LATER], 'c', 0],
  ['RtcTokenBuilder.buildTokenWithUid', "role '' == ATTENDEE publishes", () => [A, C, 'c', 0, '', LATER], 'c', 0],
  ['RtcTokenBuilder.buildTokenWithUid', 'role undefined: join only; privilege 0 (no own expiry)',
    () => [A, C, 'c', 7, undefined, 0], 'c', 7],
  ['RtcTokenBuilder.buildTokenWithUid', 'fractional and string times', () => [A, C, 'c', 7, 1, `${LATER}.9`], 'c', 7],
  ['RtcTokenBuilder.buildTokenWithAccount', 'string account', () => [A, C, 'c', 'alice@example', 1, LATER],
    'c', 'alice@example'],
  ['RtcTokenBuilder.buildTokenWithAccount', 'numeric account stringified', () => [A, C, 'c', 123, 2, LATER], 'c', 123],
  ['RtmTokenBuilder.buildToken', 'RTM login, account in the channel slot', (m) => [A, C, 'rtm-user', m.RtmRole.Rtm_User, LATER],
    'rtm-user', ''],
  ['RtmTokenBuilder.buildToken', 'role ignored, privilege 0', () => [A, C, 'rtm-user', 99, 0], 'rtm-user', '']
]

describe('the same exports as agora-access-token', () => {
  test('main module names and roles', () => {
    expect(Object.keys(compat).sort()).toEqual(Object.keys(official).sort())
    expect(compat.RtcRole).toEqual(official.RtcRole)
    expect(compat.RtcRole).toEqual({ ATTENDEE: 0, PUBLISHER: 1, SUBSCRIBER: 2, ADMIN: 101 })
    expect(compat.RtmRole).toEqual(official.RtmRole)
  })

  test('every builder has the official methods with the same arity, each covered below', () => {
    const covered = new Set(CASES.map(([path]) => path))
    for (const name of ['RtcTokenBuilder', 'RtmTokenBuilder']) {
      const methods = (cls) => Object.getOwnPropertyNames(cls).filter((k) => typeof cls[k] === 'function').sort()
      expect(methods(compat[name])).toEqual(methods(official[name]))
      for (const m of methods(official[name])) {
        expect(compat[name][m].length).toBe(official[name][m].length)
        expect(covered).toContain(`${name}.${m}`)
      }
    }
  })

  test('src/AccessToken: version, priviledges and the class', () => {
    expect(Object.keys(compatAT).sort()).toEqual(Object.keys(officialAT).sort())
    expect(compatAT.version).toBe(officialAT.version)
    expect(compatAT.priviledges).toEqual(officialAT.priviledges)
  })
})

describe.each(CASES)('%s: %s', (path, label, args, channelName, uid) => {
  test('same token as agora-access-token; its AccessToken re-signs ours to the same string', () => {
    const [cls, method] = path.split('.')
    const ours = compat[cls][method](...args(compat))
    const theirs = official[cls][method](...args(official))
    expect(ours).toMatch(/^006/)
    expect(withoutSalt(ours)).toEqual(withoutSalt(theirs))
    expect(parseToken(ours).ts).toBe(NOW + 24 * 3600)
    expect(officialRecompute(ours, channelName, uid)).toBe(ours)
    // ...and not with another certificate, channel or uid.
    expect(officialRecompute(ours, channelName, uid, '00000000000000000000000000000000')).not.toBe(ours)
    expect(officialRecompute(ours, `${channelName}x`, uid)).not.toBe(ours)
    expect(officialRecompute(ours, channelName, `${uid}1`)).not.toBe(ours)
    // Our verifier agrees.
    expect(verifyToken(ours, C, { now: NOW, channelName, uid }).valid).toBe(true)
  })
})

describe('the official quirks', () => {
  test('one salt per process, the same for every token (like the official\'s module-level random)', () => {
    const salts = new Set([
      compat.RtcTokenBuilder.buildTokenWithUid(A, C, 'a', 1, 1, LATER),
      compat.RtcTokenBuilder.buildTokenWithAccount(A, C, 'b', 'x', 2, 0),
      compat.RtmTokenBuilder.buildToken(A, C, 'u', 1, LATER)
    ].map((t) => parseToken(t).salt))
    expect(salts.size).toBe(1)
    expect(new compatAT.AccessToken(A, C, 'c', 1).salt).toBe([...salts][0])
  })

  test('the same string as the official once the salts agree', () => {
    const ours = new compatAT.AccessToken(A, C, 'conv', 5)
    const theirs = new officialAT.AccessToken(A, C, 'conv', 5)
    for (const key of [ours, theirs]) {
      key.salt = 123456
      key.addPriviledge(compatAT.priviledges.kJoinChannel, LATER)
      key.addPriviledge(compatAT.priviledges.kAdministrateChannel, 0)
      key.addPriviledge(compatAT.priviledges.kRtmLogin, LATER + 1)
    }
    expect(ours.build()).toBe(theirs.build())
  })

  test('ts is now + 24 h at the call', () => {
    jest.setSystemTime(NOW_MS + 10000)
    try {
      expect(parseToken(compat.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, 0)).ts).toBe(NOW + 10 + 86400)
      expect(new compatAT.AccessToken(A, C, 'c', 1).ts).toBe(new officialAT.AccessToken(A, C, 'c', 1).ts)
    } finally {
      jest.setSystemTime(NOW_MS)
    }
  })

  const THROWS = [
    ['a numeric RTM account', (m) => m.RtmTokenBuilder.buildToken(A, C, 42, 1, LATER)],
    ['no channel name', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, undefined, 1, 1, LATER)],
    ['a negative privilege time', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, -1)],
    ['a privilege time over u32', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', 1, 1, 2 ** 32)],
    ['no certificate', (m) => m.RtcTokenBuilder.buildTokenWithUid(A, undefined, 'c', 1, 1, LATER)]
  ]
  test.each(THROWS)('%s throws like agora-access-token', (label, fn) => {
    const theirs = thrown(() => fn(official))
    expect(thrown(() => fn(compat)).name).toBe(theirs.name)
  })

  test('an app id or certificate that is not 32 hex digits throws (the official signs a useless token)', () => {
    expect(official.RtcTokenBuilder.buildTokenWithUid('not-an-app-id', C, 'c', 1, 1, LATER)).toMatch(/^006not-an-app-id/)
    const err = thrown(() => compat.RtcTokenBuilder.buildTokenWithUid('not-an-app-id', C, 'c', 1, 1, LATER))
    expect(err).toBeInstanceOf(TypeError)
    expect(thrown(() => compat.RtcTokenBuilder.buildTokenWithUid(A, 'secret', 'c', 1, 1, LATER)).message).not.toMatch('secret')
  })

  test('uid undefined is signed as "undefined", as by the official', () => {
    const ours = compat.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', undefined, 1, LATER)
    expect(verifyToken(ours, C, { now: NOW, channelName: 'c', uid: 'undefined' }).valid).toBe(true)
    expect(withoutSalt(ours)).toEqual(withoutSalt(official.RtcTokenBuilder.buildTokenWithUid(A, C, 'c', undefined, 1, LATER)))
  })
})

describe('src/AccessToken fromString', () => {
  test('reads what the official reads from an official token', () => {
    const token = official.RtcTokenBuilder.buildTokenWithUid(A, C, 'conv', 9, 1, LATER)
    const ours = new compatAT.AccessToken(A, C, 'conv', 9)
    const theirs = new officialAT.AccessToken(A, C, 'conv', 9)
    expect(ours.fromString(token)).toBe(true)
    expect(theirs.fromString(token)).toBe(true)
    for (const k of ['signature', 'crc_channel_name', 'crc_uid', 'm', 'salt', 'ts', 'messages']) {
      expect([k, ours[k]]).toEqual([k, theirs[k]])
    }
    expect(ours.build()).toBe(token)
  })

  test('refuses what is not a "006" token', () => {
    const key = new compatAT.AccessToken(A, C, 'c', 1)
    for (const bad of ['', '007abc', `006${A}`, `006${A}!!!!`, 6, undefined]) expect(key.fromString(bad)).toBe(false)
  })
})
