'use strict'
// The text renderer of `inspect`: the report model (report.js) as lines for a person.
const { sincePhrase, untilPhrase } = require('./time')

const RESOURCE_TYPES = { 0: 'messageChannels', 1: 'streamChannels', 2: 'groupChannels', 3: 'serverGroups', 4: 'users' }
const PERMISSION_TYPES = { 0: 'read', 1: 'write' }
const hex8 = (n) => `0x${n.toString(16).padStart(8, '0')}`
const quote = (s) => JSON.stringify(s)

function human(info, now) {
  const lines = []
  const row = (label, value) => lines.push(`  ${label.padEnd(12)}${value}`)
  if (info.version === '007') {
    lines.push('Agora token 007 (AccessToken2)')
    row('app id', info.appId)
    row('issued', `${info.issuedAt}  (${sincePhrase(info.issueTs, now)})`)
    row('expires', `${info.expiresAtIso}  (${untilPhrase(info.expiresAt, now)}; lifetime ${info.expire} s)`)
    row('salt', String(info.salt))
    row('signature', signatureLine(info))
    row('services', String(info.services.length))
    info.services.forEach((s, i) => {
      lines.push(`  [${i + 1}] ${s.name} (type ${s.type})`)
      const field = (label, value) => lines.push(`      ${label.padEnd(20)}  ${value}`)
      if ('channelName' in s) field('channel', quote(s.channelName))
      if ('account' in s) {
        field('account', s.account === '' ? '"" (uid 0: any user)' : quote(s.account))
      }
      if ('userId' in s) field('user id', quote(s.userId))
      if ('roomUuid' in s) {
        field('room uuid', quote(s.roomUuid))
        field('user uuid', quote(s.userUuid))
        field('role', String(s.role))
      }
      if (s.permissions) {
        for (const rt of Object.keys(s.permissions)) {
          for (const pt of Object.keys(s.permissions[rt])) {
            field(`${RESOURCE_TYPES[rt] || `resources${rt}`} ${PERMISSION_TYPES[pt] || `permission${pt}`}`,
              s.permissions[rt][pt].map(quote).join(', ') || '(none)')
          }
        }
      }
      if (s.privileges.length === 0) field('privileges', '(none)')
      for (const p of s.privileges) {
        const when = p.sameAsToken ? `0 s  -> same as the token (${untilPhrase(p.expiresAt, now)})`
          : `${p.value} s  -> ${p.expiresAtIso} (${untilPhrase(p.expiresAt, now)}${p.cappedByToken ? ', capped by the token' : ''})`
        field(p.name, when)
      }
    })
  } else {
    lines.push('Agora token 006 (legacy AccessToken)')
    row('app id', info.appId)
    row('expires', `${info.expiresAtIso}  (${untilPhrase(info.expiresAt, now)})`)
    row('salt', String(info.salt))
    const match = (m) => (m === undefined ? '' : m ? ', matches' : ', DOES NOT match')
    row('channel', `CRC-32 ${hex8(info.crcChannelName)}${match(info.channelMatches)}`)
    row('uid', `CRC-32 ${hex8(info.crcUid)}${info.anyUid ? ' (uid 0: any user)' : ''}${match(info.uidMatches)}`)
    row('signature', signatureLine(info))
    row('privileges', String(info.privileges.length))
    for (const p of info.privileges) {
      lines.push(`      ${p.name.padEnd(26)}  ${p.noOwnExpiry ? '0  -> no expiry of its own (the token\'s applies)'
        : `${p.value}  -> ${p.expiresAtIso} (${untilPhrase(p.value, now)})`}`)
    }
  }
  for (const w of info.warnings) lines.push(`  warning: ${w}`)
  for (const m of info.mismatches) lines.push(`  mismatch: ${m}`)
  lines.push(`  result      ${resultLine(info, now)}`)
  return `${lines.join('\n')}\n`
}

function signatureLine(info) {
  if (info.signature === 'valid') return 'valid for the given certificate'
  if (info.signature === 'invalid') {
    return info.version === '006'
      ? 'INVALID: does not match the given certificate, channel and uid'
      : 'INVALID: does not match the given certificate (another app\'s certificate, or the token was altered)'
  }
  return 'not checked (pass --cert or --cert-env)'
}

function resultLine(info, now) {
  if (info.reasons.length === 0) return info.signature === 'valid' ? 'VALID' : 'readable (signature not checked)'
  const parts = info.reasons.map((r) => (r === 'expired' ? untilPhrase(info.expiresAt, now)
    : r === 'signature' ? 'bad signature' : 'not for the given channel / user'))
  return `INVALID: ${parts.join('; ')}`
}

module.exports = { human }
