'use strict'
// buildRtcToken: the one call a chat backend needs, an RTC token for one user
// in one channel (the conversation id), with the official builders' defaults.
const binding = require('./binding')
const check = require('./check')
const { invalidType, invalidValue, outOfRange, missing } = require('./errors')
const { randomSalt } = require('./salt')
const { issueTime } = require('./token')

const RtcRole = Object.freeze({ PUBLISHER: 1, SUBSCRIBER: 2 })
const MAX_EXPIRY = 86400 // Agora's documented maximum lifetime: 24 hours
const ROLE_NAMES = { publisher: RtcRole.PUBLISHER, subscriber: RtcRole.SUBSCRIBER }
const OPTIONS = new Set(['appId', 'appCertificate', 'channelName', 'uid', 'account', 'role', 'expiresIn',
  'privilegeExpiresIn', 'privileges', 'withRtm', 'issuedAt', 'salt'])
const PRIVILEGES = ['joinChannel', 'publishAudio', 'publishVideo', 'publishData']

function role(value) {
  if (value === undefined) return RtcRole.PUBLISHER
  if (value === RtcRole.PUBLISHER || value === RtcRole.SUBSCRIBER) return value
  if (typeof value === 'string' && Object.hasOwn(ROLE_NAMES, value)) return ROLE_NAMES[value]
  throw invalidValue('options.role', "must be 'publisher', 'subscriber', RtcRole.PUBLISHER or RtcRole.SUBSCRIBER")
}

// The account string the token carries: a uid as its decimal string, uid 0 as ''.
function identity(uid, account) {
  if (uid !== undefined && account !== undefined) {
    throw invalidValue('options', 'must have exactly one of "uid" and "account", not both')
  }
  if (uid !== undefined) return check.u32('options.uid', uid) === 0 ? '' : String(uid)
  if (account === undefined) throw missing('options', 'must have one of "uid" or "account"')
  if (typeof account !== 'string') throw invalidType('options.account', 'of type string', account)
  if (account.length === 0) throw outOfRange('options.account', 'a non-empty string', account)
  if (account.includes('\0')) throw invalidValue('options.account', 'must not contain NUL characters')
  check.wellFormed('options.account', account)
  if (account.length > 63 && Buffer.byteLength(account) > 255) {
    throw outOfRange('options.account', 'at most 255 bytes in UTF-8', account)
  }
  return account
}

// Explicit per-privilege lifetimes (the official "with privilege" builders).
function explicitPrivileges(value) {
  check.optionsObject('options.privileges', value)
  check.knownKeys('options.privileges', value, new Set(PRIVILEGES))
  const out = PRIVILEGES.map((key) => {
    const v = check.read(value, key, 'options.privileges')
    return v === undefined ? -1 : check.integer(`options.privileges.${key}`, v, 0, MAX_EXPIRY)
  })
  if (out[0] === -1) throw missing('options.privileges', 'must include "joinChannel"')
  return out
}

function buildRtcToken(options) {
  check.optionsObject('options', options)
  check.knownKeys('options', options, OPTIONS)
  const get = (key) => check.read(options, key)
  const appId = check.hex32('options.appId', get('appId'))
  const channelName = check.channelName('options.channelName', get('channelName'))
  const account = identity(get('uid'), get('account'))

  const expiresInOpt = get('expiresIn')
  const expiresIn = expiresInOpt === undefined ? 3600 : check.integer('options.expiresIn', expiresInOpt, 1, MAX_EXPIRY)
  const privOpt = get('privilegeExpiresIn')
  const privExpire = privOpt === undefined ? expiresIn : check.integer('options.privilegeExpiresIn', privOpt, 0, MAX_EXPIRY)
  const roleOpt = get('role')
  const privilegesOpt = get('privileges')
  let privs
  if (privilegesOpt !== undefined) {
    if (roleOpt !== undefined || privOpt !== undefined) {
      throw invalidValue('options.privileges', 'replaces "role" and "privilegeExpiresIn": pass one or the other')
    }
    privs = explicitPrivileges(privilegesOpt)
  } else {
    const p = role(roleOpt) === RtcRole.PUBLISHER ? privExpire : -1
    privs = [privExpire, p, p, p]
  }
  const withRtm = get('withRtm')
  if (withRtm !== undefined && typeof withRtm !== 'boolean') throw invalidType('options.withRtm', 'of type boolean', withRtm)
  if (withRtm && account === '') throw invalidValue('options.withRtm', 'needs a user: uid 0 (any user) has no RTM login')

  const issuedAt = issueTime('options.issuedAt', get('issuedAt'))
  const saltOpt = get('salt')
  const salt = saltOpt === undefined ? randomSalt() : check.u32('options.salt', saltOpt)
  const appCertificate = check.hex32('options.appCertificate', get('appCertificate'), true)
  return binding.buildRtc(appId, appCertificate, channelName, account, issuedAt, expiresIn, salt,
    privs[0], privs[1], privs[2], privs[3], withRtm ? expiresIn : -1)
}

module.exports = { buildRtcToken, RtcRole, MAX_EXPIRY }
