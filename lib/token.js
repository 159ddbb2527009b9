'use strict'
// Reading and verifying tokens of both versions, and the low-level builders
// that can express every service the official builders can.
const binding = require('./binding')
const check = require('./check')
const { invalidType, invalidValue, missing, coded, makeError } = require('./errors')
const { randomSalt } = require('./salt')
const services = require('./services')

const malformed = (message) => coded('ERR_AGORA_TOKEN_MALFORMED', message, { argument: 'token', reason: 'VERSION' })

const KIND = services.FIELD_KIND

// RTM2 permissions from the binding's flat (resourceType, permissionType,
// resource | null) triples -> { [resourceType]: { [permissionType]: [resources] } }.
// hasOwn, so an inherited (polluted) key is never taken for one of ours.
function permissionTree(flat) {
  const tree = {}
  for (let j = 0; j < flat.length; j += 3) {
    const rt = flat[j]
    const pt = flat[j + 1]
    if (!Object.hasOwn(tree, rt)) tree[rt] = {}
    const byType = tree[rt]
    if (!Object.hasOwn(byType, pt)) byType[pt] = []
    if (flat[j + 2] !== null) byType[pt].push(flat[j + 2])
  }
  return tree
}

// Where the binding writes a parsed token's numbers, in the layout it exports
// (binding.layouts, from src/binding/layout.h): a header, then per service its
// own numbers, privileges and (APaaS) role. One per module instance, so per
// thread; calls never overlap (the binding refuses re-entry) and each result
// is read out before the next call.
const L7 = binding.layouts.token007
const L7S = L7.service
const L6 = binding.layouts.token006
const NUMS = new Uint32Array(L7.numbers)
const NUMS_SIGNED = new Int32Array(NUMS.buffer)

// NUMS + the binding's strings -> { version, appId, issueTs, expire, salt,
// expiresAt, services }. Objects are written as literals, so no setter planted
// on Object.prototype sees them.
function token007(strings) {
  const count = NUMS[L7.serviceCount]
  const out = new Array(count)
  let i = L7.header
  let j = 1
  for (let s = 0; s < count; s++) {
    const type = NUMS[i + L7S.type]
    const name = services.nameOf(type)
    const kind = NUMS[i + L7S.fieldKind]
    const privilegeCount = NUMS[i + L7S.privilegeCount]
    i += L7S.header
    const privileges = {}
    for (let p = 0; p < privilegeCount; p++, i += 2) privileges[NUMS[i]] = NUMS[i + 1]
    let service
    if (kind === KIND.CHANNEL_ACCOUNT) {
      service = { type, name, channelName: strings[j], account: strings[j + 1], privileges }
      j += 2
    } else if (kind === KIND.USER) {
      service = { type, name, userId: strings[j++], privileges }
    } else if (kind === KIND.APAAS) {
      service = { type, name, roomUuid: strings[j], userUuid: strings[j + 1], role: NUMS_SIGNED[i++], privileges }
      j += 2
    } else if (kind === KIND.RTM2) {
      service = { type, name, userId: strings[j], permissions: permissionTree(strings[j + 1]), privileges }
      j += 2
    } else {
      service = { type, name, privileges }
    }
    out[s] = service
  }
  const issueTs = NUMS[L7.issueTs]
  const expire = NUMS[L7.expire]
  return { version: '007', appId: strings[0], issueTs, expire, salt: NUMS[L7.salt], expiresAt: issueTs + expire,
    services: out }
}

// The binding's flat "006" array -> { version, appId, crcChannelName, crcUid, salt, ts, privileges }.
function token006(r) {
  const privileges = {}
  for (let p = 0, i = L6.header; p < r[L6.privilegeCount]; p++, i += 2) privileges[r[i]] = r[i + 1]
  return { version: '006', appId: r[L6.appId], crcChannelName: r[L6.crcChannelName], crcUid: r[L6.crcUid],
    salt: r[L6.salt], ts: r[L6.ts], privileges }
}

// Where the binding writes the result of a signature check (1 or 0): a typed
// array, which no setter on a prototype can intercept. One per module
// instance, so per thread; calls never overlap (the binding refuses re-entry).
const MATCH = new Int32Array(1)

// parseToken(token) -> the fields of a "007" or "006" token; throws a typed error when malformed.
function parseToken(token) {
  if (typeof token !== 'string') throw invalidType('token', 'of type string', token)
  if (token.startsWith('007')) return token007(binding.parse007(token, NUMS))
  if (token.startsWith('006')) return token006(binding.parse006(token))
  throw malformed('The token does not start with a supported version ("007" or "006")')
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

// The uid string a "006" token signs: a number as its decimal string, 0 as ''.
function legacyUid(name, uid) {
  if (typeof uid === 'number') return check.u32(name, uid) === 0 ? '' : String(uid)
  return check.fieldString(name, uid)
}

// Option names each call takes: any other is refused (ERR_INVALID_ARG_VALUE), so
// a typo (channelname) cannot silently build or check something else.
const VERIFY_OPTIONS = new Set(['now', 'channelName', 'uid'])
const ACCESS_OPTIONS = new Set(['appId', 'appCertificate', 'issueTs', 'expire', 'salt', 'services'])
const LEGACY_OPTIONS = new Set(['appId', 'appCertificate', 'channelName', 'uid', 'salt', 'ts', 'privileges'])
// A service's keys by its field kind: type and privileges, then the kind's fields.
const SERVICE_KEYS = {
  [KIND.NONE]: new Set(['type', 'privileges']),
  [KIND.CHANNEL_ACCOUNT]: new Set(['type', 'privileges', 'channelName', 'uid', 'account']),
  [KIND.USER]: new Set(['type', 'privileges', 'userId']),
  [KIND.APAAS]: new Set(['type', 'privileges', 'roomUuid', 'userUuid', 'role']),
  [KIND.RTM2]: new Set(['type', 'privileges', 'userId', 'permissions'])
}

// issueTs / issuedAt: 0 would be written as is (a token issued in 1970, expired at
// once), where the official builders read 0 as "now": refused, omit it for now.
const issueTime = (name, value) => (value === undefined ? nowSeconds()
  : check.integer(name, value, 1, 0xffffffff))

// verifyToken(token, appCertificate, { now, channelName, uid }) -> { valid, reason, token }.
// Never throws for a bad token; throws only for a bad certificate or options.
function verifyToken(token, appCertificate, options = {}) {
  check.hex32('appCertificate', appCertificate, true)
  check.optionsObject('options', options)
  check.knownKeys('options', options, VERIFY_OPTIONS)
  const nowOpt = check.read(options, 'now')
  const now = nowOpt === undefined ? nowSeconds() : check.integer('options.now', nowOpt, 0, Number.MAX_SAFE_INTEGER)
  if (typeof token !== 'string') return { valid: false, reason: 'malformed', token: null }
  let result
  try {
    if (token.startsWith('006')) {
      // A "006" signature covers the channel name and uid, which the token holds
      // only as CRCs: without them it cannot be checked, so it is not valid.
      const channelName = check.read(options, 'channelName')
      const uid = check.read(options, 'uid')
      if (channelName === undefined || uid === undefined) {
        const parsed = token006(binding.parse006(token))
        return { valid: false, reason: 'signature', token: { ...parsed, expiresAt: parsed.ts } }
      }
      MATCH[0] = 0
      const parsed = token006(binding.verify006(token, appCertificate, check.fieldString('options.channelName', channelName),
        legacyUid('options.uid', uid), MATCH))
      result = { token: { ...parsed, expiresAt: parsed.ts }, match: MATCH[0] === 1 }
    } else if (token.startsWith('007')) {
      MATCH[0] = 0
      const strings = binding.verify007(token, appCertificate, MATCH, NUMS)
      result = { token: token007(strings), match: MATCH[0] === 1 }
    } else {
      return { valid: false, reason: 'malformed', token: null }
    }
  } catch (err) {
    if (err.code === 'ERR_AGORA_TOKEN_MALFORMED' || err.code === 'ERR_AGORA_TOKEN_TOO_LARGE') {
      return { valid: false, reason: 'malformed', token: null }
    }
    throw err
  }
  if (!result.match) return { valid: false, reason: 'signature', token: result.token }
  if (now > result.token.expiresAt) return { valid: false, reason: 'expired', token: result.token }
  return { valid: true, reason: null, token: result.token }
}

// A canonical decimal u16 ("0".."65535") as a number, else -1. Object.keys
// lists integer keys as exactly these strings.
function u16Key(key) {
  const n = Number(key)
  return n >= 0 && n <= 0xffff && Number.isInteger(n) && String(n) === key ? n : -1
}

// { "1": 600, ... } -> [1, 600, ...] with keys and values checked.
function flatPrivileges(name, privileges) {
  if (privileges === undefined) return []
  check.optionsObject(name, privileges)
  const keys = Object.keys(privileges)
  const out = new Array(keys.length * 2)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    const k = u16Key(key)
    if (k < 0) throw invalidValue(`${name}.${key}`, 'is not a privilege key (0..65535)')
    out[2 * i] = k
    out[2 * i + 1] = check.u32(`${name}.${key}`, privileges[key])
  }
  return out
}

const string = (name, value, fallback = '') => (value === undefined ? fallback : check.fieldString(name, value))

// An RTC/Streaming/FCDN identity: uid (number, 0 = '') or account (string).
function accountOf(name, service) {
  const uid = check.read(service, 'uid', name)
  const account = check.read(service, 'account', name)
  if (uid !== undefined && account !== undefined) throw invalidValue(name, 'must have "uid" or "account", not both')
  if (uid !== undefined) return check.u32(`${name}.uid`, uid) === 0 ? '' : String(uid)
  return string(`${name}.account`, account)
}

// RTM2 { [resourceType]: { [permissionType]: [resources] } } -> [rt, pt, [res], ...]
function flatPermissions(name, permissions) {
  if (permissions === undefined) return []
  check.optionsObject(name, permissions)
  const out = []
  for (const rt of Object.keys(permissions)) {
    if (u16Key(rt) < 0) throw invalidValue(`${name}.${rt}`, 'is not a resource type (0..65535)')
    const byType = check.optionsObject(`${name}.${rt}`, check.read(permissions, rt, name))
    const types = Object.keys(byType)
    // The format could carry a resource type with no permission types, but no
    // official builder makes one (Rtm2Permissions.add always adds a list).
    if (types.length === 0) throw invalidValue(`${name}.${rt}`, 'must have at least one permission type')
    for (const pt of types) {
      if (u16Key(pt) < 0) {
        throw invalidValue(`${name}.${rt}.${pt}`, 'is not a permission type (0..65535)')
      }
      const list = check.read(byType, pt, `${name}.${rt}`)
      if (!Array.isArray(list)) throw invalidType(`${name}.${rt}.${pt}`, 'an array of strings', list)
      out.push(Number(rt), Number(pt), list.map((r, i) => check.fieldString(`${name}.${rt}.${pt}[${i}]`, r)))
    }
  }
  return out
}

// One service of buildAccessToken -> the positional form the binding reads:
// [type, privileges, str1, str2, role, permissions]. Which fields a type
// carries comes from the core's service table (lib/services.js).
function normalizeService(service, i) {
  const name = `services[${i}]`
  check.optionsObject(name, service)
  const get = (key) => check.read(service, key, name)
  const type = check.integer(`${name}.type`, get('type'), 1, 0xffff)
  const kind = services.kindOf(type)
  if (kind === undefined) throw invalidValue(`${name}.type`, 'is not a service type this library knows')
  check.knownKeys(name, service, SERVICE_KEYS[kind])
  const privileges = flatPrivileges(`${name}.privileges`, get('privileges'))
  switch (kind) {
    case KIND.CHANNEL_ACCOUNT:
      return [type, privileges, string(`${name}.channelName`, get('channelName')), accountOf(name, service), 0, null]
    case KIND.USER:
      return [type, privileges, string(`${name}.userId`, get('userId')), '', 0, null]
    case KIND.APAAS: {
      const role = get('role')
      return [type, privileges, string(`${name}.roomUuid`, get('roomUuid')), string(`${name}.userUuid`, get('userUuid')),
        role === undefined ? -1 : check.integer(`${name}.role`, role, -32768, 32767), null]
    }
    case KIND.RTM2:
      return [type, privileges, string(`${name}.userId`, get('userId')), '', 0,
        flatPermissions(`${name}.permissions`, get('permissions'))]
    default: // privileges only (FPA, ConvoAI, STT)
      return [type, privileges, '', '', 0, null]
  }
}

// buildAccessToken({ appId, appCertificate, issueTs, expire, salt, services }) -> any "007" token.
function buildAccessToken(options) {
  check.optionsObject('options', options)
  check.knownKeys('options', options, ACCESS_OPTIONS)
  const get = (key) => check.read(options, key)
  const appId = check.hex32('options.appId', get('appId'))
  const expire = get('expire')
  if (expire === undefined) throw missing('options', 'must include "expire" (seconds)')
  check.u32('options.expire', expire)
  const issueTs = issueTime('options.issueTs', get('issueTs'))
  const saltOpt = get('salt')
  const salt = saltOpt === undefined ? randomSalt() : check.u32('options.salt', saltOpt)
  const list = get('services')
  if (!Array.isArray(list)) throw invalidType('options.services', 'an array', list)
  if (list.length === 0) throw invalidValue('options.services', 'must contain at least one service')
  if (list.length > binding.limits.maxServices) {
    throw makeError('ERR_OUT_OF_RANGE', 'options.services', `at most ${binding.limits.maxServices} services long`)
  }
  const normalized = list.map(normalizeService)
  const appCertificate = check.hex32('options.appCertificate', get('appCertificate'), true)
  return binding.build007(appId, appCertificate, issueTs, expire, salt, normalized)
}

// buildLegacyToken({ appId, appCertificate, channelName, uid, salt, ts, privileges }) -> a "006" token.
function buildLegacyToken(options) {
  check.optionsObject('options', options)
  check.knownKeys('options', options, LEGACY_OPTIONS)
  const get = (key) => check.read(options, key)
  const appId = check.hex32('options.appId', get('appId'))
  const channelName = string('options.channelName', get('channelName'))
  const uidOpt = get('uid')
  const uid = uidOpt === undefined ? '' : legacyUid('options.uid', uidOpt)
  const saltOpt = get('salt')
  const salt = saltOpt === undefined ? randomSalt() : check.u32('options.salt', saltOpt)
  const tsOpt = get('ts')
  const ts = tsOpt === undefined ? nowSeconds() + 24 * 3600 : check.u32('options.ts', tsOpt)
  const privileges = flatPrivileges('options.privileges', get('privileges'))
  const appCertificate = check.hex32('options.appCertificate', get('appCertificate'), true)
  return binding.build006(appId, appCertificate, channelName, uid, salt, ts, privileges)
}

module.exports = { parseToken, verifyToken, buildAccessToken, buildLegacyToken, issueTime }
