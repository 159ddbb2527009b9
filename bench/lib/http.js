'use strict'
// The HTTP row: POST /api/call/token under autocannon, for the demo server
// (example/server.js: the addon's Express router) and for the same route
// written the seed's way (bench/seed-route.js: agora-token). Each server runs
// in its own child process; autocannon runs here, in alternating slices.
const { fork } = require('child_process')
const path = require('path')
const act = require('../..')
const { APP_CERT } = require('./inputs')

function loadAutocannon() {
  try {
    return require('autocannon')
  } catch {
    return null
  }
}

function startServer(which) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'http-server.js'), [which], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.once('message', (info) => resolve({ child, ...info }))
    child.once('exit', (code) => reject(new Error(`the ${which} server exited (${code}) before it listened`)))
    child.once('error', reject)
  })
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000) // this child only, by its own handle
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.disconnect()
  })
}

function requestFor(srv) {
  return {
    url: `${srv.url}/api/call/token`,
    method: 'POST',
    headers: { authorization: `Bearer ${srv.user}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channelName: srv.channelName })
  }
}

// a 200 with a token that verifies, or the numbers mean nothing
async function preflight(which, request) {
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body })
  const json = await res.json()
  if (res.status !== 200 || !act.verifyToken(json.token, APP_CERT).valid) {
    throw new Error(`${which}: preflight answered ${res.status} ${JSON.stringify(json).slice(0, 200)}`)
  }
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// Both servers run at once (idle while the other is loaded); autocannon loads
// them in alternating slices (A B, B A, ...) so that drifting background load
// hits both alike, durationS seconds in all for each.
async function run({ durationS, connections }) {
  const autocannon = loadAutocannon()
  if (!autocannon) return { error: 'autocannon is not installed (npm install --no-save autocannon, or add it as a devDependency)' }
  const names = ['addon', 'seed']
  const servers = []
  try {
    for (const which of names) servers.push(await startServer(which))
    const requests = servers.map(requestFor)
    for (let i = 0; i < names.length; i++) await preflight(names[i], requests[i])
    for (const r of requests) await autocannon({ ...r, connections, duration: 1 }) // warm-up, not counted
    const sliceS = durationS >= 4 ? 2 : 1
    const slices = Math.max(1, Math.round(durationS / sliceS))
    const got = names.map(() => [])
    for (let k = 0; k < slices; k++) {
      const order = k % 2 === 0 ? [0, 1] : [1, 0]
      for (const i of order) got[i].push(await autocannon({ ...requests[i], connections, duration: sliceS }))
    }
    const sum = (list, f) => list.reduce((a, r) => a + f(r), 0)
    const summarize = (which, list) => ({
      which,
      requestsPerSec: sum(list, (r) => r.requests.total) / sum(list, (r) => r.duration),
      latencyP50Ms: median(list.map((r) => r.latency.p50)),
      latencyP99Ms: median(list.map((r) => r.latency.p99)),
      latencyMaxMs: Math.max(...list.map((r) => r.latency.max)),
      requests: sum(list, (r) => r.requests.total),
      non2xx: sum(list, (r) => r.non2xx),
      errors: sum(list, (r) => r.errors),
      timeouts: sum(list, (r) => r.timeouts),
      slices: list.map((r) => ({ requestsPerSec: r.requests.total / r.duration, latencyP99Ms: r.latency.p99 }))
    })
    const [addon, seed] = names.map((n, i) => summarize(n, got[i]))
    const perSlice = got[0].map((r, k) => (r.requests.total / r.duration) / (got[1][k].requests.total / got[1][k].duration))
    return {
      durationS: slices * sliceS,
      sliceS,
      slices,
      connections,
      addon,
      seed,
      ratioPerSlice: { median: median(perSlice), min: Math.min(...perSlice), max: Math.max(...perSlice) }
    }
  } finally {
    for (const srv of servers) await stopServer(srv.child)
  }
}

module.exports = { run }
