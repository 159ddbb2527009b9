'use strict'
// The report model of `inspect`: what a parsed token says, judged at `now`
// against what the client expects (channel, user), as plain data; the text
// renderer (text.js) and --json print it. Privilege names come from the
// core's service table (lib/services.js); a "006" channel / uid is matched by
// the core's CRC-32 (binding.crc32: the addon's, or the fallback's).
const lib = require('..')
const binding = require('../binding')
const table = require('../services')
const { iso, untilPhrase, sincePhrase } = require('./time')

const crc32 = (text) => binding.crc32(text)

function describe007(parsed, now, expect) {
  const warnings = []
  const mismatches = []
  const services = parsed.services.map((s) => {
    const out = { type: s.type, name: s.name }
    if ('channelName' in s) out.channelName = s.channelName
    if ('account' in s) out.account = s.account
    if ('userId' in s) out.userId = s.userId
    if ('roomUuid' in s) Object.assign(out, { roomUuid: s.roomUuid, userUuid: s.userUuid, role: s.role })
    if ('permissions' in s) out.permissions = s.permissions
    const names = table.privilegeNames(s.type)
    out.privileges = Object.keys(s.privileges).map(Number).sort((a, b) => a - b).map((key) => {
      const value = s.privileges[key]
      const p = { key, name: names[key] || `privilege${key}`, value, sameAsToken: value === 0 }
      const own = parsed.issueTs + value
      p.expiresAt = value === 0 ? parsed.expiresAt : Math.min(own, parsed.expiresAt)
      p.expiresAtIso = iso(p.expiresAt)
      p.expired = now > p.expiresAt
      if (value !== 0 && own > parsed.expiresAt) p.cappedByToken = true
      if (p.expired && now <= parsed.expiresAt) {
        warnings.push(`${s.name} privilege ${p.name} ${untilPhrase(p.expiresAt, now)} although the token has not: ` +
          'Agora refuses that action')
      }
      return p
    })
    if (s.type === table.ServiceType.RTC) {
      if (!lib.isValidChannelName(s.channelName)) {
        warnings.push('the RTC channel name is not 1..64 of Agora\'s characters (letters, digits, space and ' +
          '!#$%&()+-:;<=.>?@[]^_{}|~,): the SDK refuses to join it')
      }
      if (!(1 in s.privileges)) warnings.push('the RTC service has no joinChannel privilege')
    }
    return out
  })
  if (parsed.issueTs > now + 300) {
    warnings.push(`issued ${sincePhrase(parsed.issueTs, now)}: the clock of the machine that made it runs ahead ` +
      '(or this one is behind)')
  }
  if (parsed.expire > 86400) warnings.push('the lifetime is over 24 h, Agora\'s documented maximum')
  if (expect.channelName !== undefined || expect.account !== undefined) {
    const rtc = parsed.services.filter((s) => s.type === table.ServiceType.RTC)
    const fits = rtc.some((s) => (expect.channelName === undefined || s.channelName === expect.channelName) &&
      (expect.account === undefined || s.account === '' || s.account === expect.account))
    if (!fits) {
      if (rtc.length === 0) mismatches.push('the token has no RTC service')
      else if (expect.channelName !== undefined && !rtc.some((s) => s.channelName === expect.channelName)) {
        mismatches.push('the token is for another channel than --channel')
      } else mismatches.push('the token is for another user than --uid / --account')
    }
  }
  return {
    version: '007',
    appId: parsed.appId,
    issueTs: parsed.issueTs,
    issuedAt: iso(parsed.issueTs),
    expire: parsed.expire,
    expiresAt: parsed.expiresAt,
    expiresAtIso: iso(parsed.expiresAt),
    expiresIn: parsed.expiresAt - now,
    expired: now > parsed.expiresAt,
    salt: parsed.salt,
    services,
    warnings,
    mismatches
  }
}

function describe006(parsed, now, expect) {
  const warnings = []
  const mismatches = []
  const privileges = Object.keys(parsed.privileges).map(Number).sort((a, b) => a - b).map((key) => {
    const value = parsed.privileges[key]
    const p = { key, name: table.PRIVILEGES_006[key] || `privilege${key}`, value, noOwnExpiry: value === 0 }
    if (value !== 0) {
      p.expiresAtIso = iso(value)
      p.expired = now > value
      if (p.expired && now <= parsed.ts) {
        warnings.push(`privilege ${p.name} ${untilPhrase(value, now)} although the token has not: Agora refuses that action`)
      }
    }
    return p
  })
  if (1000 in parsed.privileges) {
    warnings.push('an RTM login token: its channel slot holds the RTM user id and its uid is empty ' +
      '(check it with --channel <rtm user id> --uid 0)')
  }
  const out = {
    version: '006',
    appId: parsed.appId,
    ts: parsed.ts,
    expiresAt: parsed.ts,
    expiresAtIso: iso(parsed.ts),
    expiresIn: parsed.ts - now,
    expired: now > parsed.ts,
    salt: parsed.salt,
    crcChannelName: parsed.crcChannelName,
    crcUid: parsed.crcUid,
    anyUid: parsed.crcUid === 0,
    privileges,
    warnings,
    mismatches
  }
  if (expect.channelName !== undefined) {
    out.channelMatches = crc32(expect.channelName) === parsed.crcChannelName
    if (!out.channelMatches) mismatches.push('the token is for another channel than --channel (its CRC-32 differs)')
  }
  if (expect.account !== undefined) {
    out.uidMatches = crc32(expect.account) === parsed.crcUid
    if (!out.uidMatches) mismatches.push('the token is for another uid / account than given (its CRC-32 differs)')
  }
  return out
}

module.exports = { describe007, describe006 }
