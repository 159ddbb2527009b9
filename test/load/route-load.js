'use strict'

// The token route under load: autocannon, 100 connections on loopback against
// the demo server (example/server.js, in a child process so that it has a core
// of its own), each connection cycling through a mix of members, non-members,
// unauthenticated and malformed requests. Every response is checked:
// members 200 (a sample of the tokens verified with the certificate),
// non-members 403, unauthenticated 401, malformed 400; no 5xx, no socket
// error, no timeout, and nothing logged by the server.
//
//   node test/load/route-load.js [seconds=10] [connections=100]
//
// exits 1 on any violation. test/load.test.js runs the same check for 2 s.

const crypto = require('crypto')
const path = require('path')
const { fork } = require('child_process')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

// ---- the server side (this file forked with --server) ----
async function serve() {
  const { createDemoServer } = require(path.join(__dirname, '..', '..', 'example', 'server'))
  const demo = await createDemoServer({ port: 0, appId: process.env.AGORA_APP_ID, appCertificate: process.env.AGORA_APP_CERTIFICATE })
  process.send({ url: demo.url, users: demo.users, conversations: demo.conversations })
  process.on('message', (m) => {
    if (m === 'stop') demo.close().then(() => process.exit(0))
  })
}

// ---- the load side ----
function requestMix({ users, conversations }) {
  const post = (kind, userId, body) => {
    const headers = { 'content-type': 'application/json' }
    if (userId) headers.authorization = `Bearer ${userId}`
    return { kind, method: 'POST', path: '/api/call/token', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }
  }
  return [
    post('member', users.alice, { channelName: conversations.direct }),
    post('nonMember', users.dave, { channelName: conversations.direct }),
    post('malformed', users.alice, '{"channelName":'),
    post('member', users.bob, { conversationId: conversations.group }),
    post('nonMember', users.alice, { channelName: conversations.carolDave }),
    post('malformed', users.bob, { channelName: 12345 }),
    post('member', users.carol, { channelName: conversations.carolDave, userId: users.alice }),
    post('nonMember', users.carol, { channelName: '665f1c2e8a1b2c3d4e5fcfff' }),
    post('malformed', users.carol, { channelName: 'x'.repeat(65) }),
    post('unauthenticated', null, { channelName: conversations.direct }),
    post('malformed', users.dave, '[]'),
    post('member', users.dave, { channelName: conversations.carolDave }),
    post('malformed', users.alice, {}),
    post('nonMember', users.dave, { channelName: conversations.group, userId: users.alice }),
    post('malformed', users.alice, { channelName: conversations.direct, conversationId: conversations.group }),
    post('malformed', users.bob, { channelName: 'bad/channel' })
  ]
}

const EXPECTED = { member: 200, nonMember: 403, unauthenticated: 401, malformed: 400 }

async function runLoad({ duration = 10, connections = 100, verifyEvery = 20 } = {}) {
  const autocannon = require('autocannon')
  const act = require(path.join(__dirname, '..', '..', 'lib'))
  const child = fork(__filename, ['--server'], {
    env: { ...process.env, AGORA_APP_ID: APP_ID, AGORA_APP_CERTIFICATE: CERT },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let serverOutput = ''
  child.stdout.on('data', (d) => { serverOutput += d })
  child.stderr.on('data', (d) => { serverOutput += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const info = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`the demo server exited (${code}): ${serverOutput}`)))
  })

  const counts = {}
  const violations = []
  let verified = 0
  let ok = 0
  const requests = requestMix(info).map((r) => ({
    ...r,
    onResponse(status, body) {
      const key = `${r.kind} ${status}`
      counts[key] = (counts[key] || 0) + 1
      if (status !== EXPECTED[r.kind] && violations.length < 20) violations.push({ kind: r.kind, status, body: String(body).slice(0, 200) })
      if (status === 200 && ok++ % verifyEvery === 0) {
        const { token, channelName } = JSON.parse(body)
        const v = act.verifyToken(token, CERT)
        if (!v.valid || v.token.services[0].channelName !== channelName) violations.push({ kind: r.kind, status, body: 'token does not verify' })
        verified++
      }
    }
  }))

  const result = await autocannon({ url: info.url, connections, duration, requests, timeout: 10 })
  child.send('stop')
  const { code, signal } = await exited

  const byStatus = {}
  for (const [key, n] of Object.entries(counts)) {
    const status = key.split(' ')[1]
    byStatus[status] = (byStatus[status] || 0) + n
  }
  const fiveXX = Object.entries(byStatus).filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0)
  if (result.errors) violations.push({ kind: 'socket errors', status: result.errors })
  if (result.timeouts) violations.push({ kind: 'timeouts', status: result.timeouts })
  if (fiveXX) violations.push({ kind: '5xx', status: fiveXX })
  for (const kind of Object.keys(EXPECTED)) {
    if (!counts[`${kind} ${EXPECTED[kind]}`]) violations.push({ kind, status: 'no response of this kind' })
  }
  if (code !== 0) violations.push({ kind: 'server exit', status: code ?? signal })
  if (/\[agora-call-token\]/.test(serverOutput)) violations.push({ kind: 'server logged an error', status: serverOutput.slice(0, 500) })
  if (serverOutput.includes(CERT)) violations.push({ kind: 'server printed the certificate', status: '' })

  return {
    duration,
    connections,
    requests: result.requests.total,
    perSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    counts,
    byStatus,
    verifiedTokens: verified,
    violations
  }
}

module.exports = { runLoad }

if (require.main === module) {
  if (process.argv[2] === '--server') {
    serve()
  } else {
    const duration = Number(process.argv[2]) || 10
    const connections = Number(process.argv[3]) || 100
    runLoad({ duration, connections }).then((r) => {
      console.log(JSON.stringify(r, null, 2))
      if (r.violations.length) {
        console.error(`FAIL: ${r.violations.length} violation(s)`)
        process.exitCode = 1
      } else {
        console.log(`OK: ${r.requests} requests in ${duration} s (${r.perSecond}/s), no violation`)
      }
    }, (err) => {
      console.error(err)
      process.exitCode = 1
    })
  }
}
