'use strict'
// Stand-ins for the classes of agora-token@2.0.6's src/AccessToken2.js, for code
// that deep-imports them ('agora-token/src/AccessToken2'). Same names, constructor
// arguments, constants and (private-looking) fields; build() hands the fields to
// buildAccessToken and from_string() / verifySignature() use parseToken /
// verifyToken, so every byte comes from the C core. See docs/compat.md.
const { buildAccessToken, parseToken, verifyToken } = require('../../../token')
const { randomSalt } = require('../../../salt')
const { invalidType, invalidValue } = require('../../../errors')
const coerce = require('../../coerce')
const services = require('../../../services')

// The type constants and (below) each class's privilege constants come from the
// core's service table (lib/services.js); the official names them so.
const T = services.ServiceType
const kRtcServiceType = T.RTC
const kRtmServiceType = T.RTM
const kStreamingServiceType = T.STREAMING
const kFpaServiceType = T.FPA
const kChatServiceType = T.CHAT
const kFCdnServiceType = T.FCDN
const kApaasServiceType = T.APAAS
const kRtm2ServiceType = T.RTM2
const kConvoAIServiceType = T.CONVOAI
const kSttServiceType = T.STT

// A service: its type and { privilege: seconds after issueTs }.
class Service {
  constructor(service_type) {
    this.__type = service_type
    this.__privileges = {}
  }

  service_type() {
    return this.__type
  }

  add_privilege(privilege, expire) {
    this.__privileges[privilege] = expire
  }
}

// The official keeps `${uid}` (so undefined becomes 'undefined') and uid 0 as ''.
const uidString = (uid) => (uid === 0 ? '' : `${uid}`)

class ServiceRtc extends Service {
  constructor(channel_name, uid) {
    super(kRtcServiceType)
    this.__channel_name = channel_name
    this.__uid = uidString(uid)
  }
}

class ServiceRtm extends Service {
  constructor(user_id) {
    super(kRtmServiceType)
    this.__user_id = user_id || '' // a number other than 0 stays a number: build() refuses it, as the official does
  }
}

class ServiceStreaming extends Service {
  constructor(channelName = '', account = '') {
    super(kStreamingServiceType)
    this.__channel_name = channelName
    this.__account = uidString(account)
  }
}

class ServiceFpa extends Service {
  constructor() {
    super(kFpaServiceType)
  }
}

class ServiceChat extends Service {
  constructor(user_id) {
    super(kChatServiceType)
    this.__user_id = user_id || ''
  }
}

class ServiceFCdn extends Service {
  constructor(channelName = '', account = '') {
    super(kFCdnServiceType)
    this.__channel_name = channelName
    this.__account = uidString(account)
  }
}

class ServiceApaas extends Service {
  constructor(roomUuid, userUuid, role) {
    super(kApaasServiceType)
    this.__room_uuid = roomUuid || ''
    this.__user_uuid = userUuid || ''
    this.__role = role || -1 // so role 0 is written as -1, as the official does
  }
}

class ServiceConvoAI extends Service {
  constructor() {
    super(kConvoAIServiceType)
  }
}

class ServiceStt extends Service {
  constructor() {
    super(kSttServiceType)
  }
}

// RTM2 permissions: details[resourceType][permissionType] = [resources].
class Rtm2Permissions {
  constructor() {
    this.details = {}
  }

  add(resourceType, permissionType, resources) {
    if (!this.details[resourceType]) this.details[resourceType] = {}
    this.details[resourceType][permissionType] = Array.from(resources)
  }
}
Rtm2Permissions.kMessageChannels = 0
Rtm2Permissions.kStreamChannels = 1
Rtm2Permissions.kGroupChannels = 2
Rtm2Permissions.kServerGroups = 3
Rtm2Permissions.kUsers = 4
Rtm2Permissions.kRead = 0
Rtm2Permissions.kWrite = 1

class ServiceRtm2 extends Service {
  constructor(userId, permissions) {
    super(kRtm2ServiceType)
    this.__user_id = userId === 0 || userId == null ? '' : String(userId)
    this.__permissions = permissions || new Rtm2Permissions()
  }
}

const CANONICAL = /^(0|[1-9]\d*)$/

// RTM2 details -> buildAccessToken's { rt: { pt: [resources] } }, with the official's coercions.
function permissionTree(name, permissions) {
  const details = permissions == null ? undefined : permissions.details
  if (details === null || typeof details !== 'object') {
    throw invalidType(`${name}.details`, 'of type object', details)
  }
  const out = {}
  for (const rt of Object.keys(details)) {
    if (!CANONICAL.test(rt)) throw invalidValue(`${name}.details`, 'has a resource type that is not an integer 0..65535')
    coerce.u16(`${name}.details key`, rt)
    const byType = details[rt]
    if (byType === null || typeof byType !== 'object') {
      throw invalidType(`${name}.details.${rt}`, 'of type object', byType)
    }
    const pts = Object.keys(byType)
    // buildAccessToken has no way to say "a resource type with no permission types";
    // Rtm2Permissions#add never makes one.
    if (pts.length === 0) throw invalidValue(`${name}.details.${rt}`, 'has no permission types')
    out[rt] = {}
    for (const pt of pts) {
      if (!CANONICAL.test(pt)) {
        throw invalidValue(`${name}.details.${rt}`, 'has a permission type that is not an integer 0..65535')
      }
      coerce.u16(`${name}.details.${rt} key`, pt)
      const list = byType[pt]
      if (!Array.isArray(list)) throw invalidType(`${name}.details.${rt}.${pt}`, 'an array', list)
      out[rt][pt] = list.map((r, i) => coerce.bytesString(`${name}.details.${rt}.${pt}[${i}]`, r))
    }
  }
  return out
}

// One service object -> a buildAccessToken service, reading the same fields the official pack() writes.
function serviceSpec(service, i) {
  const name = `services[${i}]`
  if (service === null || typeof service !== 'object' || typeof service.service_type !== 'function') {
    throw invalidType(name, 'a Service', service)
  }
  const type = service.service_type()
  const spec = { type, privileges: coerce.privileges(`${name}.privileges`, service.__privileges) }
  const str = (field) => coerce.bytesString(`${name}.${field}`, service[field])
  const K = services.FIELD_KIND
  switch (services.kindOf(type)) {
    case K.CHANNEL_ACCOUNT: // the official's RTC class keeps the account as __uid
      return Object.assign(spec, { channelName: str('__channel_name'),
        account: str(type === kRtcServiceType ? '__uid' : '__account') })
    case K.USER:
      return Object.assign(spec, { userId: str('__user_id') })
    case K.APAAS:
      return Object.assign(spec, { roomUuid: str('__room_uuid'), userUuid: str('__user_uuid'),
        role: coerce.i16(`${name}.__role`, service.__role) })
    case K.RTM2:
      return Object.assign(spec, { userId: str('__user_id'),
        permissions: permissionTree(`${name}.__permissions`, service.__permissions) })
    case K.NONE:
      return spec
    default:
      throw invalidValue(`${name}`, `has a service type this library cannot build (${services.SERVICES.map((s) => s.type).join(', ')})`)
  }
}

const bytes = (s) => Buffer.from(s, 'utf8')

// A parsed service -> an instance of the official class, its strings as Buffers like the official's.
function serviceFromParsed(s) {
  let service
  switch (s.type) {
    case kRtcServiceType:
      service = new ServiceRtc()
      service.__channel_name = bytes(s.channelName)
      service.__uid = bytes(s.account)
      break
    case kStreamingServiceType: case kFCdnServiceType:
      service = s.type === kStreamingServiceType ? new ServiceStreaming() : new ServiceFCdn()
      service.__channel_name = bytes(s.channelName)
      service.__account = bytes(s.account)
      break
    case kRtmServiceType: case kChatServiceType:
      service = s.type === kRtmServiceType ? new ServiceRtm() : new ServiceChat()
      service.__user_id = bytes(s.userId)
      break
    case kApaasServiceType:
      service = new ServiceApaas()
      service.__room_uuid = bytes(s.roomUuid)
      service.__user_uuid = bytes(s.userUuid)
      service.__role = s.role & 0xffff // the official reads the i16 role as unsigned: -1 comes back as 65535
      break
    case kRtm2ServiceType: {
      service = new ServiceRtm2()
      service.__user_id = bytes(s.userId)
      for (const rt of Object.keys(s.permissions)) {
        for (const pt of Object.keys(s.permissions[rt])) service.__permissions.add(Number(rt), Number(pt), s.permissions[rt][pt])
      }
      break
    }
    default: // a class per type the official has; a type added to the core since gets the base class
      service = Object.hasOwn(AccessToken2.kServices, s.type) ? new AccessToken2.kServices[s.type]() : new Service(s.type)
  }
  service.__privileges = { ...s.privileges }
  return service
}

class AccessToken2 {
  constructor(appId, appCertificate, issueTs, expire) {
    this.appId = appId
    this.appCertificate = appCertificate
    this.issueTs = issueTs || Date.now() / 1000 // 0, null, undefined: now (a fraction; the token holds its integer part)
    this.expire = expire
    this.salt = randomSalt() // 1..99999999 like the official's, from a CSPRNG
    this.services = []
    this.__parsed = false
    this.__token = ''
  }

  add_service(service) {
    this.services.push(service)
  }

  getServices(serviceType) {
    return this.services.filter((service) => service.service_type() === serviceType)
  }

  // '' when the app id or certificate is not 32 hex digits or there is no service, like the official.
  build() {
    if (!coerce.isUuid(this.appId) || !coerce.isUuid(this.appCertificate) || this.services.length === 0) return ''
    return buildAccessToken({
      appId: coerce.bytesString('appId', this.appId),
      appCertificate: this.appCertificate.toString(),
      issueTs: coerce.u32('issueTs', this.issueTs),
      expire: coerce.u32('expire', this.expire),
      salt: coerce.u32('salt', this.salt),
      services: this.services.map(serviceSpec)
    })
  }

  // true when the token reads; the fields are then the token's (appId as a Buffer, like the official).
  from_string(origin_token) {
    this.appId = ''
    this.issueTs = 0
    this.expire = 0
    this.salt = 0
    this.services = []
    this.__parsed = false
    this.__token = ''
    if (typeof origin_token !== 'string' || !origin_token.startsWith('007')) return false
    let parsed
    try {
      parsed = parseToken(origin_token)
    } catch {
      return false
    }
    this.appId = bytes(parsed.appId)
    this.issueTs = parsed.issueTs
    this.expire = parsed.expire
    this.salt = parsed.salt
    this.services = parsed.services.map(serviceFromParsed)
    this.__parsed = true
    this.__token = origin_token
    return true
  }

  // Whether the parsed token's signature matches this certificate (expiry is not checked).
  verifySignature(appCertificate) {
    if (!this.__parsed || !coerce.isUuid(this.appId) || !coerce.isUuid(appCertificate)) return false
    const result = verifyToken(this.__token, appCertificate.toString(), { now: 0 })
    return result.valid
  }
}

AccessToken2.kServices = {
  [kApaasServiceType]: ServiceApaas,
  [kChatServiceType]: ServiceChat,
  [kFCdnServiceType]: ServiceFCdn,
  [kFpaServiceType]: ServiceFpa,
  [kRtcServiceType]: ServiceRtc,
  [kRtmServiceType]: ServiceRtm,
  [kRtm2ServiceType]: ServiceRtm2,
  [kStreamingServiceType]: ServiceStreaming,
  [kConvoAIServiceType]: ServiceConvoAI,
  [kSttServiceType]: ServiceStt
}

// Each class's privilege constants from the table: kPrivilege<Name>, and the
// official's PRIVILEGE_<NAME> spelling for APaaS.
const constantName = (id, name) => (id === 'APAAS' ? `PRIVILEGE_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
  : `kPrivilege${name[0].toUpperCase()}${name.slice(1)}`)
for (const s of services.SERVICES) {
  const cls = AccessToken2.kServices[s.type]
  if (cls) for (const [key, name] of Object.entries(s.privileges)) cls[constantName(s.id, name)] = Number(key)
}

module.exports = {
  AccessToken2,
  kApaasServiceType,
  kChatServiceType,
  kConvoAIServiceType,
  kFCdnServiceType,
  kFpaServiceType,
  kRtcServiceType,
  kRtmServiceType,
  kRtm2ServiceType,
  kSttServiceType,
  kStreamingServiceType,
  Rtm2Permissions,
  Service,
  ServiceApaas,
  ServiceChat,
  ServiceConvoAI,
  ServiceFCdn,
  ServiceFpa,
  ServiceRtc,
  ServiceRtm,
  ServiceRtm2,
  ServiceStt,
  ServiceStreaming
}
