'use strict'
// The CLI's commands, inspect and build rtc. Each takes its arguments and the
// run's io (print, printError, write, addSecret, env, now, readStdin) and
// returns the exit code; usage mistakes throw UsageError.
const lib = require('..')
const { relabel } = require('../errors')
const { HELP } = require('./help')
const { UsageError, parseFlags, unsignedFlag } = require('./flags')
const { iso } = require('./time')
const { normalizeToken, malformedHints } = require('./hints')
const { describe007, describe006 } = require('./report')
const { human } = require('./text')

// buildRtcToken's options as the user gave them to `build rtc`
const LABELS = { 'options.appId': 'AGORA_APP_ID', 'options.appCertificate': 'AGORA_APP_CERTIFICATE',
  'options.channelName': '--channel', 'options.account': '--account', 'options.uid': '--uid',
  'options.expiresIn': '--expires' }

const EXIT = { OK: 0, INVALID: 1, MALFORMED: 2, USAGE: 64, SOFTWARE: 70 }

function inspect(argv, io) {
  const { print, printError, addSecret } = io
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
    cert = io.env.AGORA_APP_CERTIFICATE
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
  const now = flags.now === undefined ? io.now() : unsignedFlag('now', flags.now, 0xffffffff)

  const token = normalizeToken(positional[0] === '-' ? io.readStdin() : positional[0])
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
      for (const h of hints) io.writeErr(`  hint: ${h}\n`)
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

function build(argv, io) {
  const { print, addSecret } = io
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
  const appId = io.env.AGORA_APP_ID
  const appCertificate = io.env.AGORA_APP_CERTIFICATE
  addSecret(appCertificate)
  if (!appId || !appCertificate) {
    throw new UsageError('set AGORA_APP_ID and AGORA_APP_CERTIFICATE in the environment')
  }
  const options = { appId, appCertificate, channelName: flags.channel, role: flags.role || 'publisher' }
  if (flags.uid !== undefined) options.uid = unsignedFlag('uid', flags.uid, 0xffffffff)
  else options.account = flags.account
  if (flags.expires !== undefined) options.expiresIn = unsignedFlag('expires', flags.expires, 0xffffffff)
  options.issuedAt = io.now()
  let token
  try {
    token = lib.buildRtcToken(options)
  } catch (err) {
    // The library names the argument as data (err.argument): say it as the flag
    // or variable the user set. Its messages never echo a value.
    if (typeof err.argument === 'string' && Object.hasOwn(LABELS, err.argument)) {
      throw new UsageError(relabel(err, LABELS[err.argument]))
    }
    if (typeof err.code === 'string' && err.code.startsWith('ERR_')) throw new UsageError(err.message)
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

module.exports = { EXIT, inspect, build }
