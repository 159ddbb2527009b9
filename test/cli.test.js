'use strict'
// The `agora-call-token` command line: inspect (good, expired, tampered,
// garbage, "006", --json, stdin), build rtc and help, with their exit codes;
// and no output of any run ever contains the certificate. Runs in process
// through lib/cli's main(argv, io), with its streams, environment and stdin
// injected; a few runs spawn the real binary for the exit code and stdin, and
// one under the JavaScript fallback.
const { execFile } = require('child_process')
const path = require('path')
const zlib = require('zlib')
const { buildRtcToken, buildLegacyToken, buildAccessToken, parseToken, verifyToken } = require('..')
const { main } = require('../lib/cli')

const BIN = path.join(__dirname, '..', 'bin', 'agora-call-token.js')
const { APP_ID_MIXED: A, APP_CERTIFICATE_MIXED: C, OTHER_CERTIFICATE: OTHER_CERT } = require('./helpers/credentials')
const NOW = Math.floor(Date.now() / 1000)

const outputs = []
const sink = () => {
  const chunks = []
  return { write: (s) => chunks.push(s), text: () => chunks.join('') }
}

// In process: main with the run's streams, environment, clock and stdin.
async function run(args, { input, env, now } = {}) {
  const stdout = sink()
  const stderr = sink()
  const code = main(args, { stdout, stderr, env: { ...env }, now, readStdin: () => (input === undefined ? '' : input) })
  outputs.push(stdout.text(), stderr.text())
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

// The real binary, as a child process.
function spawnRun(args, { input, env } = {}) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], {
      cwd: path.join(__dirname, '..'),
      env: { PATH: process.env.PATH, ...env },
      timeout: 10000
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
      outputs.push(stdout, stderr)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input === undefined ? '' : input)
  })
}

const good = buildRtcToken({ appId: A, appCertificate: C, channelName: 'conv-42', uid: 2882341273, expiresIn: 3600,
  privilegeExpiresIn: 0, withRtm: true, issuedAt: NOW - 360 })
const expired = buildRtcToken({ appId: A, appCertificate: C, channelName: 'conv-42', account: 'alice',
  role: 'subscriber', issuedAt: NOW - 4 * 3600, expiresIn: 3600 })

// The same token with one byte of its channel name changed, compressed again: it reads, its signature fails.
function tamper(token) {
  const content = zlib.inflateSync(Buffer.from(token.slice(3), 'base64'))
  const at = content.indexOf(Buffer.from('conv-42'))
  content[at + 5] = '7'.charCodeAt(0)
  return `007${zlib.deflateSync(content).toString('base64')}`
}
const tampered = tamper(good)

afterAll(() => {
  // Nothing any run printed holds the certificate (in either case).
  expect(outputs.length).toBeGreaterThan(80)
  for (const out of outputs) expect(out.toLowerCase()).not.toContain(C.toLowerCase())
})

describe('inspect', () => {
  test('a good token, verified: exit 0 and everything a person needs', async () => {
    const { code, stdout } = await run(['inspect', good, '--cert', C, '--now', String(NOW)])
    expect(code).toBe(0)
    expect(stdout).toContain('007 (AccessToken2)')
    expect(stdout).toContain(A)
    expect(stdout).toContain(`issued      ${new Date((NOW - 360) * 1000).toISOString().replace('.000Z', 'Z')}  (6 min ago)`)
    expect(stdout).toMatch(/expires in 54 min/)
    expect(stdout).toContain('"conv-42"')
    expect(stdout).toContain('"2882341273"')
    expect(stdout).toMatch(/joinChannel\s+0 s {2}-> same as the token/)
    expect(stdout).toMatch(/publishDataStream\s+0 s/)
    expect(stdout).toMatch(/RTM \(type 2\)[\s\S]*login\s+3600 s/)
    expect(stdout).toContain('signature   valid for the given certificate')
    expect(stdout).toMatch(/result\s+VALID/)
  })

  test('without a certificate: readable, exit 0', async () => {
    const { code, stdout } = await run(['inspect', good])
    expect(code).toBe(0)
    expect(stdout).toContain('not checked')
    expect(stdout).toMatch(/result\s+readable/)
  })

  test('the wrong certificate: exit 1, bad signature', async () => {
    const { code, stdout } = await run(['inspect', good, '--cert', OTHER_CERT])
    expect(code).toBe(1)
    expect(stdout).toMatch(/signature\s+INVALID/)
    expect(stdout).toMatch(/result\s+INVALID: bad signature/)
  })

  test('a tampered token: reads, exit 1 on its signature', async () => {
    expect(verifyToken(tampered, C).reason).toBe('signature')
    const { code, stdout } = await run(['inspect', tampered, '--cert', C])
    expect(code).toBe(1)
    expect(stdout).toContain('"conv-72"')
    expect(stdout).toMatch(/bad signature/)
  })

  test('an expired token: exit 1 with "expired 3 h ago", with or without the certificate', async () => {
    for (const extra of [['--cert', C], ['--now', String(NOW)]]) {
      const { code, stdout } = await run(['inspect', expired, ...extra])
      expect(code).toBe(1)
      expect(stdout).toMatch(/\(expired 3 h ago; lifetime 3600 s\)/)
      expect(stdout).toMatch(/result\s+INVALID: expired 3 h ago/)
    }
  })

  test('--now judges expiry at another time', async () => {
    const { code, stdout } = await run(['inspect', expired, '--now', String(NOW - 4 * 3600 + 60)])
    expect(code).toBe(0)
    expect(stdout).toContain('expires in 59 min')
  })

  test('--channel / --uid that the token is not for: exit 1', async () => {
    expect((await run(['inspect', good, '--channel', 'conv-42', '--uid', '2882341273'])).code).toBe(0)
    const other = await run(['inspect', good, '--channel', 'conv-43'])
    expect(other.code).toBe(1)
    expect(other.stdout).toContain('another channel')
    expect((await run(['inspect', good, '--account', 'bob'])).code).toBe(1)
  })

  test('--json: the same facts, machine-readable', async () => {
    const { code, stdout } = await run(['inspect', good, '--cert', C, '--json', '--now', String(NOW)])
    expect(code).toBe(0)
    const info = JSON.parse(stdout)
    expect(info).toMatchObject({ status: 'valid', reasons: [], signature: 'valid', version: '007', appId: A,
      issueTs: NOW - 360, expire: 3600, expiresAt: NOW + 3240, expiresIn: 3240, expired: false, now: NOW })
    expect(info.services.map((s) => s.name)).toEqual(['RTC', 'RTM'])
    expect(info.services[0]).toMatchObject({ channelName: 'conv-42', account: '2882341273' })
    expect(info.services[0].privileges.map((p) => [p.name, p.value, p.sameAsToken])).toEqual([
      ['joinChannel', 0, true], ['publishAudioStream', 0, true], ['publishVideoStream', 0, true], ['publishDataStream', 0, true]])
    expect(info.services[1].privileges[0]).toMatchObject({ name: 'login', value: 3600, expiresAt: NOW + 3240 })

    const bad = JSON.parse((await run(['inspect', expired, '--cert', OTHER_CERT, '--json'])).stdout)
    expect(bad).toMatchObject({ status: 'invalid', reasons: ['signature', 'expired'], signature: 'invalid', expired: true })
  })

  test('every service type and RTM2 permissions are named', async () => {
    const token = buildAccessToken({ appId: A, appCertificate: C, expire: 600, issueTs: NOW, salt: 1, services: [
      { type: 3, channelName: 's', uid: 0, privileges: { 1: 0, 2: 60 } }, { type: 4, privileges: { 1: 0 } },
      { type: 5, userId: 'u', privileges: { 1: 600 } }, { type: 6, channelName: 'f', account: 'a', privileges: { 2: 9 } },
      { type: 7, roomUuid: 'room', userUuid: 'user', role: 2, privileges: { 3: 600 } },
      { type: 8, userId: 'u', permissions: { 0: { 0: ['chat-*'] }, 4: { 1: ['*'] } }, privileges: { 1: 600 } },
      { type: 9 }, { type: 10 }] })
    const { code, stdout } = await run(['inspect', token])
    expect(code).toBe(0)
    for (const s of ['Streaming (type 3)', 'publishMixStream', 'publishRawStream', 'FPA (type 4)', 'Chat (type 5)',
      'FCDN (type 6)', 'play', 'APaaS (type 7)', 'room uuid', 'RTM2 (type 8)', 'messageChannels read', '"chat-*"',
      'users write', 'ConvoAI (type 9)', 'STT (type 10)', '"" (uid 0: any user)']) {
      expect(stdout).toContain(s)
    }
  })

  test('garbage: exit 2, also as JSON', async () => {
    for (const junk of ['hello', '007', '007AAAA', `007${'A'.repeat(60000)}`, `006${A}@@@`]) {
      const { code, stderr } = await run(['inspect', junk])
      expect(code).toBe(2)
      expect(stderr).toMatch(/cannot be read|larger than any Agora token/)
    }
    const { code, stdout } = await run(['inspect', 'not a token', '--json'])
    expect(code).toBe(2)
    expect(JSON.parse(stdout)).toMatchObject({ status: 'malformed' })
  })

  test('a token whose "+" became spaces gets a hint', async () => {
    let token = good
    for (let salt = 1; !token.includes('+'); salt++) {
      token = buildRtcToken({ appId: A, appCertificate: C, channelName: 'conv-42', uid: 1, salt, issuedAt: NOW })
    }
    const { code, stderr } = await run(['inspect', token.replace(/\+/g, ' ')])
    expect(code).toBe(2)
    expect(stderr).toMatch(/reads once every space is turned back into "\+"/)
  })

  test('"-" reads the token from stdin (whitespace and quotes trimmed)', async () => {
    for (const runner of [run, spawnRun]) {
      const { code, stdout } = await runner(['inspect', '-', '--cert', C], { input: `  "${good}"\n` })
      expect(code).toBe(0)
      expect(stdout).toMatch(/result\s+VALID/)
      expect((await runner(['inspect', '-'], { input: '' })).code).toBe(2)
    }
  })

  test('the clock is injectable: now() judges expiry when --now is not given', async () => {
    expect((await run(['inspect', good], { now: () => NOW })).code).toBe(0)
    const late = await run(['inspect', good], { now: () => NOW + 7200 })
    expect(late.code).toBe(1)
    expect(late.stdout).toMatch(/expired 66 min ago/)
  })

  test('--cert-env reads the certificate from AGORA_APP_CERTIFICATE', async () => {
    expect((await run(['inspect', good, '--cert-env'], { env: { AGORA_APP_CERTIFICATE: C } })).code).toBe(0)
    expect((await run(['inspect', good, '--cert-env'], { env: { AGORA_APP_CERTIFICATE: OTHER_CERT } })).code).toBe(1)
    expect((await run(['inspect', good, '--cert-env'])).code).toBe(64)
  })

  describe('"006" tokens', () => {
    const legacy = buildLegacyToken({ appId: A, appCertificate: C, channelName: 'room', uid: 42, salt: 7, ts: NOW + 3600,
      privileges: { 1: NOW + 600, 2: 0 } })

    test('verified with --channel and --uid: exit 0', async () => {
      const { code, stdout } = await run(['inspect', legacy, '--cert', C, '--channel', 'room', '--uid', '42', '--now',
        String(NOW)])
      expect(code).toBe(0)
      expect(stdout).toContain('006 (legacy AccessToken)')
      expect(stdout).toMatch(/channel\s+CRC-32 0x[0-9a-f]{8}, matches/)
      expect(stdout).toMatch(/joinChannel\s+\d+ {2}-> .*expires in 10 min/)
      expect(stdout).toMatch(/publishAudioStream\s+0 {2}-> no expiry of its own/)
      expect(stdout).toMatch(/result\s+VALID/)
    })

    test('another uid or certificate: exit 1; no --channel/--uid with --cert: usage 64', async () => {
      const wrongUid = await run(['inspect', legacy, '--cert', C, '--channel', 'room', '--uid', '43'])
      expect(wrongUid.code).toBe(1)
      expect(wrongUid.stdout).toMatch(/uid\s+CRC-32 0x[0-9a-f]{8}, DOES NOT match/)
      expect((await run(['inspect', legacy, '--cert', OTHER_CERT, '--channel', 'room', '--uid', '42'])).code).toBe(1)
      const usage = await run(['inspect', legacy, '--cert', C])
      expect(usage.code).toBe(64)
      expect(usage.stderr).toContain('--channel and --uid')
      expect((await run(['inspect', legacy])).code).toBe(0)
    })

    test('--json', async () => {
      const info = JSON.parse((await run(['inspect', legacy, '--json', '--channel', 'room', '--uid', '42'])).stdout)
      expect(info).toMatchObject({ status: 'readable', version: '006', appId: A, ts: NOW + 3600, salt: 7,
        channelMatches: true, uidMatches: true, anyUid: false })
      expect(info.privileges.map((p) => p.name)).toEqual(['joinChannel', 'publishAudioStream'])
    })
  })
})

describe('the binary', () => {
  // Exit codes as a shell sees them, and the same output as main in process.
  test.each([
    ['valid', ['inspect', good, '--cert', C, '--now', String(NOW)], 0],
    ['bad signature', ['inspect', good, '--cert', OTHER_CERT, '--now', String(NOW)], 1],
    ['unreadable', ['inspect', 'hello'], 2],
    ['usage', ['inspect'], 64],
    ['no command', [], 64]
  ])('%s: exit %d', async (_, args, exit) => {
    const spawned = await spawnRun(args)
    const inProcess = await run(args)
    expect(spawned.code).toBe(exit)
    expect(inProcess).toEqual(spawned)
  })

  test('under the JavaScript fallback: a "006" channel and uid still match (the fallback\'s CRC-32)', async () => {
    const legacy = buildLegacyToken({ appId: A, appCertificate: C, channelName: 'room', uid: 42, ts: NOW + 3600 })
    const args = ['inspect', legacy, '--cert', C, '--channel', 'room', '--uid', '42', '--json']
    const js = await spawnRun(args, { env: { AGORA_CALL_TOKEN_IMPL: 'js' } })
    expect(js.code).toBe(0)
    expect(JSON.parse(js.stdout)).toMatchObject({ status: 'valid', channelMatches: true, uidMatches: true })
    const wrong = await spawnRun(['inspect', legacy, '--channel', 'rooms', '--uid', '42', '--json'],
      { env: { AGORA_CALL_TOKEN_IMPL: 'js' } })
    expect([wrong.code, JSON.parse(wrong.stdout).channelMatches]).toEqual([1, false])
  })
})

describe('build rtc', () => {
  const env = { AGORA_APP_ID: A, AGORA_APP_CERTIFICATE: C }

  test('a uid publisher token that verifies', async () => {
    const { code, stdout } = await run(['build', 'rtc', '--channel', 'conv-1', '--uid', '42'], { env })
    expect(code).toBe(0)
    const token = stdout.trim()
    expect(verifyToken(token, C).valid).toBe(true)
    const parsed = parseToken(token)
    expect(parsed.expire).toBe(3600)
    expect(parsed.services).toEqual([{ type: 1, name: 'RTC', channelName: 'conv-1', account: '42',
      privileges: { 1: 3600, 2: 3600, 3: 3600, 4: 3600 } }])
    expect(Math.abs(parsed.issueTs - NOW)).toBeLessThan(60)
  })

  test('--account, --role subscriber, --expires, --json', async () => {
    const { code, stdout } = await run(['build', 'rtc', '--channel', 'conv-1', '--account', 'alice', '--role',
      'subscriber', '--expires', '600', '--json'], { env })
    expect(code).toBe(0)
    const out = JSON.parse(stdout)
    expect(out).toMatchObject({ appId: A, channelName: 'conv-1', account: 'alice', role: 'subscriber' })
    expect(out.expiresAt - out.issueTs).toBe(600)
    expect(parseToken(out.token).services[0]).toMatchObject({ account: 'alice', privileges: { 1: 600 } })
  })

  test('the output pipes into inspect', async () => {
    const token = (await run(['build', 'rtc', '--channel', 'c', '--uid', '0'], { env })).stdout
    const { code, stdout } = await run(['inspect', '-', '--cert-env'], { input: token, env })
    expect(code).toBe(0)
    expect(stdout).toContain('"" (uid 0: any user)')
  })

  test.each([
    ['no environment', ['--channel', 'c', '--uid', '1'], {}],
    ['a bad certificate in the environment', ['--channel', 'c', '--uid', '1'], { AGORA_APP_ID: A, AGORA_APP_CERTIFICATE: 'xyz' }],
    ['no --channel', ['--uid', '1'], env],
    ['both --uid and --account', ['--channel', 'c', '--uid', '1', '--account', 'a'], env],
    ['neither --uid nor --account', ['--channel', 'c'], env],
    ['a channel name Agora refuses', ['--channel', 'no/slash', '--uid', '1'], env],
    ['an unknown role', ['--channel', 'c', '--uid', '1', '--role', 'host'], env],
    ['a non-numeric uid', ['--channel', 'c', '--uid', 'abc'], env],
    ['an expiry over 24 h', ['--channel', 'c', '--uid', '1', '--expires', '86401'], env],
    ['a stray argument', ['--channel', 'c', '--uid', '1', C], env]
  ])('%s: usage error 64', async (label, args, e) => {
    const { code, stdout, stderr } = await run(['build', 'rtc', ...args], { env: e })
    expect(code).toBe(64)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^agora-call-token: /)
  })
})

describe('help and usage', () => {
  test.each([
    [['--help'], 'Usage: agora-call-token <command>'],
    [['help'], 'Usage: agora-call-token <command>'],
    [['inspect', '--help'], 'Usage: agora-call-token inspect'],
    [['build', '--help'], 'Usage: agora-call-token build rtc'],
    [['build', 'rtc', '--help'], 'AGORA_APP_CERTIFICATE']
  ])('%j prints help, exit 0', async (args, text) => {
    const { code, stdout } = await run(args)
    expect(code).toBe(0)
    expect(stdout).toContain(text)
  })

  test.each([
    [[]],
    [['frobnicate']],
    [['inspect']],
    [['inspect', 'a', 'b']],
    [['inspect', 'x', '--bogus']],
    [['inspect', 'x', '--cert']],
    [['inspect', good, '--cert', C.slice(1)]],
    [['inspect', good, '--cert', C, '--cert-env']],
    [['inspect', good, '--uid', '-1']],
    [['inspect', good, '--uid', '1', '--account', 'a']],
    [['inspect', good, '--json=yes']],
    [['build']],
    [['build', 'rtm']]
  ])('%j is a usage error, exit 64', async (args) => {
    const { code, stderr } = await run(args)
    expect(code).toBe(64)
    expect(stderr.length).toBeGreaterThan(0)
  })

  test('even a token that carries the certificate as its account does not get it printed', async () => {
    const odd = buildRtcToken({ appId: A, appCertificate: C, channelName: 'c', account: C.toLowerCase() })
    const { code, stdout } = await run(['inspect', odd, '--cert', C, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).services[0].account).toBe('[certificate]')
  })

  test('a certificate in another letter case is named as the likely cause of a bad signature', async () => {
    const upper = buildRtcToken({ appId: A, appCertificate: C.toUpperCase(), channelName: 'c', uid: 1 })
    const { code, stdout } = await run(['inspect', upper, '--cert', C])
    expect(code).toBe(1)
    expect(stdout).toContain('matches the certificate written in upper case')
    expect((await run(['inspect', good, '--cert', OTHER_CERT])).stdout).not.toContain('letter case')
  })

  test('a certificate given where it does not belong is not echoed', async () => {
    for (const args of [['inspect', good, C], ['inspect', good, `--${C}`], ['inspect', good, '--cert', `${C}00`],
      ['inspect', good, `--cret=${C}`], [C]]) {
      const { code } = await run(args)
      expect(code).toBe(64)
    }
  })
})
