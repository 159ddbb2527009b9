#!/usr/bin/env node
'use strict'
// agora-call-token: look inside Agora "006" / "007" tokens, check them, and mint RTC tokens.
// Exit codes: 0 valid (or readable, without --cert), 1 invalid (signature, expired, or not
// for the given channel/user), 2 unreadable, 64 usage error. The certificate is never printed.
const fs = require('fs')
const path = require('path')
const lib = require('../lib')

const EXIT = { OK: 0, INVALID: 1, MALFORMED: 2, USAGE: 64, SOFTWARE: 70 }

const HELP = {
  main: `Usage: agora-call-token <command> [options]

Commands:
  inspect <token|->   show what is inside a "006" or "007" Agora token, and check it
  build rtc ...       mint an RTC token from flags and AGORA_APP_ID / AGORA_APP_CERTIFICATE

Options:
  -h, --help          this help ("agora-call-token <command> --help" for a command's)
  --version           the package version

Exit codes: 0 valid (or readable when no certificate is given), 1 invalid,
2 unreadable or malformed token, 64 usage error.
`,
  inspect: `Usage: agora-call-token inspect <token|-> [options]

Prints the version, app id, issue time and expiry (ISO and relative), every service
with its channel / user and each privilege with its own expiry. "-" reads the token
from standard input.

Options:
  --cert <hex>        the App Certificate (32 hex digits): verify the signature
  --cert-env          take the certificate from AGORA_APP_CERTIFICATE instead
                      (keeps it out of the process list and shell history)
  --channel <name>    the channel the client joins: checked against the token
                      (a "006" token's signature covers it: needed with --cert)
  --uid <n>           the client's numeric uid (0: any user), checked likewise
  --account <s>       or its string user account
  --now <unix>        judge expiry at this time instead of the clock
  --json              machine-readable output
  -h, --help          this help

Exit codes: 0 valid (or readable and unexpired when no certificate is given),
1 invalid (bad signature, expired, or not for the given channel / user),
2 unreadable or malformed token, 64 usage error.
`,
  build: `Usage: agora-call-token build rtc [options]

Token kinds:
  rtc                 an AccessToken2 ("007") RTC token ("build rtc --help")
`,
  buildRtc: `Usage: agora-call-token build rtc --channel <name> (--account <s> | --uid <n>) [options]

Mints an AccessToken2 ("007") RTC token with the app id and certificate from the
AGORA_APP_ID and AGORA_APP_CERTIFICATE environment variables, and prints it.

Options:
  --channel <name>    the channel name (1..64 of Agora's characters)
  --account <s>       the user's string account, or
  --uid <n>           the user's numeric uid, 0..4294967295 (0: any user)
  --role <role>       publisher (join and publish, the default) or subscriber (join only)
  --expires <s>       token lifetime in seconds, 1..86400 (default 3600)
  --json              print { token, appId, channelName, ..., expiresAt } as JSON
  -h, --help          this help
`
}

// Everything written goes through here; a certificate we know of is masked (in
// any letter case), should anything printed ever contain it.
const secrets = []
const addSecret = (s) => {
  if (typeof s === 'string' && s.length >= 8) secrets.push(s) // a shorter one is no certificate, and masking it would garble
}
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
function write(stream, text) {
  let out = text
  for (const s of secrets) out = out.replace(new RegExp(escapeRegExp(s), 'gi'), '[certificate]')
  stream.write(out)
}
const print = (text) => write(process.stdout, text.endsWith('\n') ? text : `${text}\n`)
const printError = (text) => write(process.stderr, `agora-call-token: ${text}\n`)

class UsageError extends Error {}

// A small flag parser that never echoes a value in its errors.
function parseFlags(argv, spec) {
  const flags = {}
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h' || arg === '--help') {
      flags.help = true
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      const kind = Object.hasOwn(spec, name) ? spec[name] : undefined
      if (kind === undefined) {
        // Named only when it looks like an option word: never echo what may be a secret.
        throw new UsageError(/^[a-z][a-z-]{0,23}$/.test(name) ? `unknown option --${name}` : 'unknown option')
      }
      if (kind === 'boolean') {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`)
        flags[name] = true
      } else {
        let value
        if (eq !== -1) value = arg.slice(eq + 1)
        else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i]
        if (value === undefined) throw new UsageError(`--${name} needs a value`)
        if (Object.hasOwn(flags, name)) throw new UsageError(`--${name} is given twice`)
        flags[name] = value
      }
    } else if (arg.length > 1 && arg.startsWith('-') && !/^-\d/.test(arg)) {
      throw new UsageError('unknown option (options are spelled --name)')
    } else {
      positional.push(arg)
    }
  }
  return { flags, positional }
}

function unsignedFlag(name, value, max) {
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${name} must be an integer 0..${max}`)
  return Number(value)
}

// ---- time ---------------------------------------------------------------------

const iso = (unix) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z')

function span(seconds) {
  const s = Math.abs(seconds)
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.floor(s / 60)} min`
  if (s < 10 * 3600) {
    const h = Math.floor(s / 3600)
    const m = Math.floor((s % 3600) / 60)
    return m === 0 ? `${h} h` : `${h} h ${m} min`
  }
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`
  return `${Math.floor(s / 86400)} d`
}
const untilPhrase = (at, now) => (at >= now ? `expires in ${span(at - now)}` : `expired ${span(now - at)} ago`)
const sincePhrase = (at, now) => (at <= now ? `${span(now - at)} ago` : `${span(at - now)} in the future`)

// ---- names --------------------------------------------------------------------

const PRIVILEGES_007 = {
  1: { 1: 'joinChannel', 2: 'publishAudioStream', 3: 'publishVideoStream', 4: 'publishDataStream' },
  2: { 1: 'login' },
  3: { 1: 'publishMixStream', 2: 'publishRawStream' },
  4: { 1: 'login' },
  5: { 1: 'user', 2: 'app' },
  6: { 1: 'publish', 2: 'play' },
  7: { 1: 'roomUser', 2: 'user', 3: 'app' },
  8: { 1: 'login' }
}
const PRIVILEGES_006 = {
  1: 'joinChannel', 2: 'publishAudioStream', 3: 'publishVideoStream', 4: 'publishDataStream', 5: 'publishAudioCdn',
  6: 'publishVideoCdn', 7: 'requestPublishAudioStream', 8: 'requestPublishVideoStream', 9: 'requestPublishDataStream',
  10: 'invitePublishAudioStream', 11: 'invitePublishVideoStream', 12: 'invitePublishDataStream',
  101: 'administrateChannel', 1000: 'rtmLogin'
}
const RESOURCE_TYPES = { 0: 'messageChannels', 1: 'streamChannels', 2: 'groupChannels', 3: 'serverGroups', 4: 'users' }
const PERMISSION_TYPES = { 0: 'read', 1: 'write' }

// ---- CRC-32 (IEEE), for matching a "006" token's channel and uid -------------------

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c
})
function crc32(text) {
  let c = 0xffffffff
  for (const byte of Buffer.from(text, 'utf8')) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// ---- reading a token ------------------------------------------------------------

function normalizeToken(raw) {
  let token = raw.trim()
  if (token.length >= 2 && (token[0] === '"' || token[0] === "'") && token[token.length - 1] === token[0]) {
    token = token.slice(1, -1).trim()
  }
  return token
}

function readable(token) {
  try {
    lib.parseToken(token)
    return true
  } catch {
    return false
  }
}

// Why a token does not read, and what would make it read: the usual transport damage.
function malformedHints(token) {
  const hints = []
  if (token.length === 0) return ['the token is empty']
  if (!token.startsWith('007') && !token.startsWith('006')) {
    hints.push('it does not start with "007" (AccessToken2) or "006" (legacy AccessToken): ' +
      'not an Agora token of a version this tool reads (or something was prepended to it)')
  }
  if (/\s/.test(token)) {
    const plus = token.replace(/ /g, '+').replace(/\s/g, '')
    hints.push(readable(plus)
      ? 'it reads once every space is turned back into "+": a URL query string decoded "+" as a space; ' +
        'encode the token with encodeURIComponent, or send it in a JSON body or header'
      : 'it contains spaces or line breaks (copied with a line wrap, or "+" decoded as a space?)')
  }
  if (/%[0-9A-Fa-f]{2}/.test(token)) {
    let decoded
    try {
      decoded = decodeURIComponent(token)
    } catch {}
    if (decoded && readable(decoded)) hints.push('it is URL-encoded: it reads once decoded (decodeURIComponent)')
  }
  if (/[-_]/.test(token.slice(3)) && readable(token.slice(0, 3) + token.slice(3).replace(/-/g, '+').replace(/_/g, '/'))) {
    hints.push('it uses the URL-safe base64 alphabet ("-" and "_"); Agora tokens use "+" and "/"')
  }
  return hints
}

// ---- inspect ----------------------------------------------------------------------

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
    const names = PRIVILEGES_007[s.type] || {}
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
    if (s.type === 1) {
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
    const rtc = parsed.services.filter((s) => s.type === 1)
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
    const p = { key, name: PRIVILEGES_006[key] || `privilege${key}`, value, noOwnExpiry: value === 0 }
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

function readStdin() {
  try {
    return fs.readFileSync(0, 'utf8')
  } catch (err) {
    if (err.code === 'EAGAIN' || err.code === 'EOF') return ''
    throw err
  }
}

function inspect(argv) {
  const { flags, positional } = parseFlags(argv, {
    cert: 'string', 'cert-env': 'boolean', channel: 'string', uid: 'string', account: 'string', now: 'string',
    json: 'boolean'
  })
  if (flags.help) {
    print(HELP.inspect)
    return EXIT.OK
  }
  if (positional.length === 0) throw new UsageError('inspect needs a token, or "-" to read it from standard input')
  if (positional.length > 1) throw new UsageError('inspect takes one token')

  let cert
  if (flags.cert !== undefined && flags['cert-env']) throw new UsageError('give --cert or --cert-env, not both')
  if (flags.cert !== undefined) {
    cert = flags.cert
    addSecret(cert)
  } else if (flags['cert-env']) {
    cert = process.env.AGORA_APP_CERTIFICATE
    if (!cert) throw new UsageError('--cert-env: AGORA_APP_CERTIFICATE is not set')
    addSecret(cert)
  }
  if (cert !== undefined && !/^[0-9a-fA-F]{32}$/.test(cert)) {
    throw new UsageError('the certificate must be 32 hexadecimal characters')
  }
  if (flags.uid !== undefined && flags.account !== undefined) throw new UsageError('give --uid or --account, not both')
  const expect = {}
  if (flags.channel !== undefined) expect.channelName = flags.channel
  let uidOption
  if (flags.uid !== undefined) {
    uidOption = unsignedFlag('uid', flags.uid, 0xffffffff)
    expect.account = uidOption === 0 ? '' : String(uidOption)
  } else if (flags.account !== undefined) {
    uidOption = flags.account
    expect.account = flags.account
  }
  const now = flags.now === undefined ? Math.floor(Date.now() / 1000) : unsignedFlag('now', flags.now, 0xffffffff)

  const token = normalizeToken(positional[0] === '-' ? readStdin() : positional[0])
  let parsed
  try {
    parsed = lib.parseToken(token)
  } catch (err) {
    if (err.code !== 'ERR_AGORA_TOKEN_MALFORMED' && err.code !== 'ERR_AGORA_TOKEN_TOO_LARGE') throw err
    const message = err.code === 'ERR_AGORA_TOKEN_TOO_LARGE' ? 'the token is larger than any Agora token'
      : 'the token cannot be read'
    const hints = malformedHints(token)
    if (flags.json) print(JSON.stringify({ status: 'malformed', error: message, hints }, null, 2))
    else {
      printError(message)
      for (const h of hints) write(process.stderr, `  hint: ${h}\n`)
    }
    return EXIT.MALFORMED
  }
  if (parsed.version === '006' && cert !== undefined && (expect.channelName === undefined || uidOption === undefined)) {
    throw new UsageError('a "006" token\'s signature covers the channel name and uid: ' +
      'give --channel and --uid (or --account) with the certificate')
  }

  const info = parsed.version === '007' ? describe007(parsed, now, expect) : describe006(parsed, now, expect)
  info.signature = 'unchecked'
  if (cert !== undefined) {
    const options = parsed.version === '006' ? { now, channelName: expect.channelName, uid: uidOption } : { now }
    const result = lib.verifyToken(token, cert, options)
    info.signature = result.reason === 'signature' ? 'invalid' : 'valid'
    if (info.signature === 'invalid') {
      // The certificate's characters are signed as given: another letter case is another key.
      for (const [variant, label] of [[cert.toLowerCase(), 'lower'], [cert.toUpperCase(), 'upper']]) {
        if (variant !== cert && lib.verifyToken(token, variant, options).reason !== 'signature') {
          info.warnings.push(`the signature matches the certificate written in ${label} case: the builder was given ` +
            'it in another letter case, and the characters are signed as given (Agora\'s console shows it in lower case)')
        }
      }
    }
  }
  info.reasons = []
  if (info.signature === 'invalid') info.reasons.push('signature')
  if (info.expired) info.reasons.push('expired')
  if (info.mismatches.length > 0) info.reasons.push('mismatch')
  info.status = info.reasons.length > 0 ? 'invalid' : info.signature === 'valid' ? 'valid' : 'readable'

  if (flags.json) {
    const { status, reasons, signature, ...rest } = info
    print(JSON.stringify({ status, reasons, signature, now, ...rest }, null, 2))
  } else {
    print(human(info, now))
  }
  return info.reasons.length > 0 ? EXIT.INVALID : EXIT.OK
}

// ---- build ------------------------------------------------------------------------

function build(argv) {
  const kind = argv[0]
  if (kind === undefined) throw new UsageError('build needs a token kind: build rtc ...')
  if (kind === '-h' || kind === '--help') {
    print(HELP.build)
    return EXIT.OK
  }
  if (kind !== 'rtc') throw new UsageError('build knows one token kind: rtc')
  const { flags, positional } = parseFlags(argv.slice(1), {
    channel: 'string', account: 'string', uid: 'string', role: 'string', expires: 'string', json: 'boolean'
  })
  if (flags.help) {
    print(HELP.buildRtc)
    return EXIT.OK
  }
  if (positional.length > 0) throw new UsageError('build rtc takes only options (see --help)')
  if (flags.channel === undefined) throw new UsageError('build rtc needs --channel')
  if ((flags.uid === undefined) === (flags.account === undefined)) {
    throw new UsageError('build rtc needs exactly one of --account and --uid')
  }
  if (flags.role !== undefined && flags.role !== 'publisher' && flags.role !== 'subscriber') {
    throw new UsageError('--role must be publisher or subscriber')
  }
  const appId = process.env.AGORA_APP_ID
  const appCertificate = process.env.AGORA_APP_CERTIFICATE
  addSecret(appCertificate)
  if (!appId || !appCertificate) {
    throw new UsageError('set AGORA_APP_ID and AGORA_APP_CERTIFICATE in the environment')
  }
  const options = { appId, appCertificate, channelName: flags.channel, role: flags.role || 'publisher' }
  if (flags.uid !== undefined) options.uid = unsignedFlag('uid', flags.uid, 0xffffffff)
  else options.account = flags.account
  if (flags.expires !== undefined) options.expiresIn = unsignedFlag('expires', flags.expires, 0xffffffff)
  options.issuedAt = Math.floor(Date.now() / 1000)
  let token
  try {
    token = lib.buildRtcToken(options)
  } catch (err) {
    if (typeof err.code === 'string' && err.code.startsWith('ERR_')) {
      // The library's messages name the argument and never echo a value.
      throw new UsageError(err.message.replace(/"options\.appId"/, 'AGORA_APP_ID')
        .replace(/"options\.appCertificate"/, 'AGORA_APP_CERTIFICATE')
        .replace(/"options\.channelName"/, '--channel').replace(/"options\.account"/, '--account')
        .replace(/"options\.uid"/, '--uid').replace(/"options\.expiresIn"/, '--expires'))
    }
    throw err
  }
  if (flags.json) {
    const expiresIn = options.expiresIn === undefined ? 3600 : options.expiresIn
    print(JSON.stringify({
      token,
      appId,
      channelName: flags.channel,
      ...(flags.uid !== undefined ? { uid: options.uid } : { account: options.account }),
      role: options.role,
      issueTs: options.issuedAt,
      expiresAt: options.issuedAt + expiresIn,
      expiresAtIso: iso(options.issuedAt + expiresIn)
    }, null, 2))
  } else {
    print(token)
  }
  return EXIT.OK
}

// ---- main -------------------------------------------------------------------------

function main(argv) {
  const [command, ...rest] = argv
  if (command === undefined) {
    write(process.stderr, HELP.main)
    return EXIT.USAGE
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    print(HELP.main)
    return EXIT.OK
  }
  if (command === '--version') {
    print(require(path.join(__dirname, '..', 'package.json')).version)
    return EXIT.OK
  }
  if (command === 'inspect') return inspect(rest)
  if (command === 'build') return build(rest)
  throw new UsageError('unknown command (commands: inspect, build)')
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (err) {
  if (err instanceof UsageError) {
    printError(`${err.message}\nRun "agora-call-token --help" for usage.`)
    process.exitCode = EXIT.USAGE
  } else {
    printError(`internal error: ${err && err.message}`)
    process.exitCode = EXIT.SOFTWARE
  }
}
