'use strict'
// The cross-process row (issue 12): call:start -> incoming-call with the caller
// on one server process and the callee on another, both over one local
// redis-server (the socket.io Redis adapter). The signaling (RedisCallStore)
// beside the floor (participants.includes, then a plain io.to(callee).emit,
// also through the adapter), in alternating rounds in one run. One call at a
// time per pair (closed loop), each cancelled before the next.
const { spawn, spawnSync } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const { performance } = require('perf_hooks')
const ids = require('./call-ids')
const call = require('./call')

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server'
const PAIRS = 20

function unavailable() {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) return `redis-server not installed (${REDIS_SERVER})`
  for (const pkg of ['redis', '@socket.io/redis-adapter', 'socket.io-client']) {
    try {
      require.resolve(pkg)
    } catch {
      return `the ${pkg} package is not installed`
    }
  }
  return null
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

async function startRedis() {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-bench-redis-'))
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] })
  await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10000)
    child.stdout.on('data', (d) => {
      out += d
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)))
  })
  child.stdout.resume()
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => {
        fs.rmSync(dir, { recursive: true, force: true })
        resolve()
      })
      child.kill('SIGKILL') // this child only, by its own handle
    })
  }
}

// Two processes of one mode: callers connect to the first, callees to the second.
async function side(mode, url, connect) {
  const env = { BENCH_REDIS_URL: url }
  const servers = [await call.startServer(mode, env), await call.startServer(mode, env)]
  for (const s of servers) await s.request('pairs', { count: PAIRS })
  const callers = await call.connectAll(connect, servers[0].url, Array.from({ length: PAIRS }, (_, i) => ids.pairCaller(i)))
  const callees = await call.connectAll(connect, servers[1].url, Array.from({ length: PAIRS }, (_, i) => ids.pairCallee(i)))
  return { mode, servers, callers, callees, ring: [], errors: {} }
}

function once(socket, event, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on)
      reject(new Error(`no ${event} in ${timeoutMs} ms`))
    }, timeoutMs)
    const on = (data) => {
      clearTimeout(timer)
      resolve(data)
    }
    socket.once(event, on)
  })
}

const ack = (socket, event, payload) => new Promise((resolve) => socket.emit(event, payload, resolve))

async function oneCall(s, i) {
  const caller = s.callers[i % PAIRS]
  const callee = s.callees[i % PAIRS]
  const rang = once(callee, 'incoming-call', 5000)
  const t0 = performance.now()
  const started = ack(caller, 'call:start', { conversationId: ids.pairConversation(i % PAIRS), media: 'audio' })
  try {
    await rang
    s.ring.push(performance.now() - t0)
  } catch {
    s.errors.noRing = (s.errors.noRing || 0) + 1
  }
  const res = await started
  if (!(res && res.ok)) {
    const code = (res && res.error && res.error.code) || '?'
    s.errors[code] = (s.errors[code] || 0) + 1
    return
  }
  const cancelled = once(callee, 'call:cancelled', 5000).catch(() => null)
  await ack(caller, 'call:cancel', { callId: res.callId })
  await cancelled
}

/** { signaling, floor } each { p50, p99, n, errors }, or { skipped } / { error }. */
async function run({ calls = 400, rounds = 4, onProgress = () => {} } = {}) {
  const why = unavailable()
  if (why) return { skipped: why }
  const connect = require('socket.io-client').io
  const redis = await startRedis()
  const sides = []
  try {
    for (const mode of ['signaling', 'floor']) sides.push(await side(mode, redis.url, connect))
    const per = Math.ceil(calls / rounds)
    for (let i = 0; i < 10; i++) for (const s of sides) await oneCall(s, i) // warm-up
    for (const s of sides) s.ring.length = 0
    for (let r = 0; r < rounds; r++) {
      for (const s of sides) {
        onProgress(`call-ring-redis: ${s.mode} round ${r + 1}/${rounds}`)
        for (let i = 0; i < per; i++) await oneCall(s, r * per + i)
      }
    }
    const out = {}
    for (const s of sides) {
      const sorted = [...s.ring].sort((a, b) => a - b)
      out[s.mode] = { n: sorted.length, p50: call.percentile(sorted, 50), p99: call.percentile(sorted, 99), errors: s.errors }
    }
    return out
  } finally {
    for (const s of sides) {
      call.closeAll([...s.callers, ...s.callees])
      await Promise.all(s.servers.map(call.stopServer))
    }
    await redis.stop()
  }
}

module.exports = { run, unavailable }
