'use strict'
// The call rows: call:start -> incoming-call under open-loop load with 1,000
// connected sockets, and call:start in 10,000- and 100,000-member conversations.
// Each server (the signaling and the floor) runs in its own child process
// (call-server.js); the socket.io-client sockets live in this process.
const { fork } = require('child_process')
const path = require('path')
const { performance } = require('perf_hooks')
const ids = require('./call-ids')

const MODES = ['signaling', 'floor']

function loadClient() {
  try {
    return require('socket.io-client').io
  } catch {
    return null
  }
}

// ---- server children ----
function startServer(mode, env = undefined) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'call-server.js'), [mode],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], ...(env ? { env: { ...process.env, ...env } } : {}) })
    const pending = new Map()
    let seq = 0
    const srv = {
      mode,
      child,
      request(type, args = {}, timeoutMs = 10000) {
        return new Promise((res, rej) => {
          const id = ++seq
          const timer = setTimeout(() => { pending.delete(id); rej(new Error(`${mode} server: ${type} timed out`)) }, timeoutMs)
          pending.set(id, (msg) => { clearTimeout(timer); msg.error ? rej(new Error(msg.error)) : res(msg) })
          child.send({ id, type, ...args })
        })
      }
    }
    child.on('message', (msg) => {
      if (msg.type === 'listening') {
        Object.assign(srv, { url: `http://127.0.0.1:${msg.port}`, info: msg })
        return resolve(srv)
      }
      const done = pending.get(msg.id)
      if (done) { pending.delete(msg.id); done(msg) }
    })
    child.once('exit', (code, signal) => {
      for (const done of pending.values()) done({ error: `${mode} server exited (${code || signal})` })
      pending.clear()
      reject(new Error(`the ${mode} server exited (${code || signal}) before it listened`))
    })
    child.once('error', reject)
  })
}

function stopServer(srv) {
  return new Promise((resolve) => {
    const { child } = srv
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000) // this child only, by its own handle
    child.once('exit', () => { clearTimeout(timer); resolve() })
    if (child.connected) child.disconnect()
    else child.kill('SIGKILL')
  })
}

// A child stuck in a synchronous loop reads no IPC: kill it by its handle.
function killServer(srv) {
  return new Promise((resolve) => {
    if (srv.child.exitCode !== null || srv.child.signalCode !== null) return resolve()
    srv.child.once('exit', () => resolve())
    srv.child.kill('SIGKILL')
  })
}

// ---- client sockets ----
async function connectAll(connect, url, userIds) {
  const sockets = []
  for (let i = 0; i < userIds.length; i += 100) {
    const batch = userIds.slice(i, i + 100).map((userId) => new Promise((resolve, reject) => {
      const s = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { userId } })
      const timer = setTimeout(() => reject(new Error(`socket of ${userId} did not connect in 15 s`)), 15000)
      s.once('connect', () => { clearTimeout(timer); resolve(s) })
      s.once('connect_error', (err) => { clearTimeout(timer); reject(err) })
    }))
    sockets.push(...(await Promise.all(batch)))
  }
  return sockets
}

const closeAll = (sockets) => { for (const s of sockets) s.disconnect() }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function percentile(sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

// ---- the ring row ----

// One contender's side: 500 caller/callee pairs, each a 2-member conversation.
async function setupPairs(connect, srv, pairCount) {
  await srv.request('pairs', { count: pairCount })
  const callers = await connectAll(connect, srv.url, Array.from({ length: pairCount }, (_, i) => ids.pairCaller(i)))
  const callees = await connectAll(connect, srv.url, Array.from({ length: pairCount }, (_, i) => ids.pairCallee(i)))
  const side = { srv, sockets: [...callers, ...callees], pairs: [], free: [], slice: null }
  for (let i = 0; i < pairCount; i++) {
    const pair = { caller: callers[i], callee: callees[i], conversationId: ids.pairConversation(i), busy: false,
      emitAt: 0, rang: true, done: true }
    pair.callee.on('incoming-call', () => {
      if (pair.rang) return // not this pair's call in flight (cannot happen with one call per pair)
      pair.rang = true
      if (side.slice) side.slice.ring.push(performance.now() - pair.emitAt)
      release(side, pair)
    })
    side.pairs.push(pair)
    side.free.push(pair)
  }
  return side
}

function release(side, pair) {
  if (pair.busy && pair.rang && pair.done) {
    pair.busy = false
    side.free.push(pair)
  }
}

function startCall(side, pair, s) {
  pair.busy = true
  pair.rang = false
  pair.done = false
  pair.emitAt = performance.now()
  s.sent++
  pair.caller.emit('call:start', { conversationId: pair.conversationId, media: 'audio' }, (res) => {
    const now = performance.now()
    if (res && res.ok) {
      s.ok++
      if (now <= s.end) s.okInWindow++
      // end it at once so that both users are free for the next call
      pair.caller.emit('call:cancel', { callId: res.callId }, (r2) => {
        if (!(r2 && r2.ok)) s.errors[`cancel ${r2 && r2.error ? r2.error.code : '?'}`] = (s.errors[`cancel ${r2 && r2.error ? r2.error.code : '?'}`] || 0) + 1
        pair.done = true
        release(side, pair)
      })
    } else {
      const code = res && res.error ? res.error.code : '?'
      s.errors[code] = (s.errors[code] || 0) + 1
      pair.rang = true // nothing rings
      pair.done = true
      release(side, pair)
    }
  })
}

// Open loop: calls are due at t0 + k / rate whatever the server does; a due call
// that finds no free pair (all 500 still in a call) is counted as dropped.
async function ringSlice(side, rate, ms) {
  const s = { ring: [], sent: 0, ok: 0, okInWindow: 0, dropped: 0, errors: {}, end: 0 }
  await side.srv.request('countersStart')
  side.slice = s
  const t0 = performance.now()
  s.end = t0 + ms
  let issued = 0
  await new Promise((resolve) => {
    const tick = () => {
      const now = Math.min(performance.now(), s.end)
      const due = Math.floor(((now - t0) * rate) / 1000)
      while (issued < due) {
        issued++
        const pair = side.free.shift()
        if (pair) startCall(side, pair, s)
        else s.dropped++
      }
      if (now < s.end) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  // drain: the calls in flight finish (or are counted lost after 5 s)
  const drainEnd = performance.now() + 5000
  while (side.free.length < side.pairs.length && performance.now() < drainEnd) await sleep(5)
  s.lost = side.pairs.length - side.free.length
  side.slice = null
  for (const p of side.pairs) { // a lost call must not keep its pair
    if (p.busy) { p.busy = false; p.rang = true; p.done = true; side.free.push(p) }
  }
  s.offered = issued
  s.windowMs = ms
  s.server = await side.srv.request('countersStop')
  return s
}

function summarize(slices) {
  const ring = slices.flatMap((s) => s.ring).sort((a, b) => a - b)
  const sum = (k) => slices.reduce((a, s) => a + s[k], 0)
  const windowS = sum('windowMs') / 1000
  const errors = {}
  for (const s of slices) for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] || 0) + v
  const server = { gcCount: 0, gcMajor: 0, gcMs: 0, cpuMs: 0, faults: 0 }
  for (const s of slices) for (const k of Object.keys(server)) server[k] += s.server[k]
  const ok = sum('ok')
  return {
    offered: sum('offered'),
    sent: sum('sent'),
    ok,
    dropped: sum('dropped'),
    lost: sum('lost'),
    errors,
    callsPerSec: sum('okInWindow') / windowS,
    ringP50Ms: percentile(ring, 50),
    ringP99Ms: percentile(ring, 99),
    ringMaxMs: ring.length ? ring[ring.length - 1] : null,
    rings: ring.length,
    seconds: windowS,
    ...server,
    gcPer1000Calls: ok ? (server.gcCount * 1000) / ok : null,
    cpuUsPerCall: ok ? (server.cpuMs * 1000) / ok : null
  }
}

/**
 * @param {{ rates: number[], seconds: number, sliceS: number, pairs?: number, onProgress?: Function }} o
 * @returns {{ error } | { pairs, sockets, rates: [{ rate, signaling, floor }], info }}
 */
async function runRing({ rates, seconds, sliceS, pairs = 500, onProgress = () => {} }) {
  const connect = loadClient()
  if (!connect) return { error: 'socket.io-client is not installed' }
  const servers = []
  const sides = {}
  try {
    for (const mode of MODES) servers.push(await startServer(mode))
    onProgress(`connecting ${pairs * 2 * MODES.length} sockets...`)
    for (const srv of servers) sides[srv.mode] = await setupPairs(connect, srv, pairs)
    // warm-up, not counted: each server JIT-compiles its paths
    for (const mode of MODES) await ringSlice(sides[mode], Math.min(...rates), 500)
    const out = []
    const slices = Math.max(2, Math.round(seconds / sliceS))
    for (const rate of rates) {
      const got = { signaling: [], floor: [] }
      for (let k = 0; k < slices; k++) {
        const order = k % 2 === 0 ? MODES : [...MODES].reverse()
        for (const mode of order) {
          onProgress(`call:start at ${rate}/s, ${mode}, slice ${k + 1}/${slices}...`)
          got[mode].push(await ringSlice(sides[mode], rate, (seconds * 1000) / slices))
        }
      }
      out.push({ rate, signaling: summarize(got.signaling), floor: summarize(got.floor) })
    }
    return { pairs, sockets: pairs * 2, slices, rates: out, info: servers[0].info }
  } finally {
    for (const side of Object.values(sides)) closeAll(side.sockets)
    await sleep(100)
    for (const srv of servers) await stopServer(srv)
  }
}

// ---- the large-group row ----

function waitFor(promise, ms) {
  let timer
  return Promise.race([promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })])
}

async function groupSide(connect, mode, members, connected) {
  const srv = await startServer(mode)
  const { conversationId } = await srv.request('group', { members }, 60000)
  const callerId = ids.groupMember(members, ids.groupCallerIndex(members))
  const memberIds = ids.groupConnectedIndexes(members, connected).map((i) => ids.groupMember(members, i))
  const [caller] = await connectAll(connect, srv.url, [callerId])
  const sockets = await connectAll(connect, srv.url, memberIds)
  return { srv, conversationId, caller, sockets }
}

// One call:start: ack time, time until every connected member rang, the longest
// event-loop delay in the server from just before the emit to 50 ms after the last ring.
async function groupCall(side, capMs) {
  await side.srv.request('eldStart')
  // the histogram's first timer tick only takes its time base: a block before it is not seen
  await sleep(20)
  const rung = side.sockets.map((s) => new Promise((resolve) => s.once('incoming-call', () => resolve(performance.now()))))
  const t0 = performance.now()
  const acked = new Promise((resolve) => side.caller.emit('call:start', { conversationId: side.conversationId, media: 'audio' },
    (res) => resolve({ res, at: performance.now() })))
  const a = await waitFor(acked, capMs)
  if (a === 'timeout') return { timeout: true }
  if (!(a.res && a.res.ok)) {
    for (const s of side.sockets) s.removeAllListeners('incoming-call')
    return { error: a.res && a.res.error ? a.res.error.code : '?' }
  }
  const left = capMs - (a.at - t0)
  const r = await waitFor(Promise.all(rung), Math.max(left, 1))
  if (r === 'timeout') return { timeout: true, ackMs: a.at - t0 }
  await sleep(50)
  const eld = await side.srv.request('eldStop', {}, Math.max(capMs, 10000))
  const c0 = performance.now()
  const cancelled = new Promise((resolve) => side.caller.emit('call:cancel', { callId: a.res.callId }, resolve))
  const c = await waitFor(cancelled, capMs)
  return { ackMs: a.at - t0, serverAckMs: eld.serverAckMs, ringAllMs: Math.max(...r) - t0, blockMs: eld.maxMs, cancelMs: c === 'timeout' ? null : performance.now() - c0,
    cancelTimeout: c === 'timeout' }
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : null
}

/**
 * @param {{ sizes: number[], reps: number, connected: number, capMs: number, onProgress?: Function }} o
 */
async function runGroups({ sizes, reps, connected = 50, capMs = 20000, onProgress = () => {} }) {
  const connect = loadClient()
  if (!connect) return { error: 'socket.io-client is not installed' }
  const out = []
  for (const members of sizes) {
    const sides = {}
    const runs = { signaling: [], floor: [] }
    const stopped = {}
    try {
      for (const mode of MODES) {
        onProgress(`${members.toLocaleString('en-US')}-member conversation: ${mode} server...`)
        sides[mode] = await groupSide(connect, mode, members, connected)
      }
      for (let k = 0; k < reps; k++) {
        const order = k % 2 === 0 ? MODES : [...MODES].reverse()
        for (const mode of order) {
          if (stopped[mode]) continue
          onProgress(`call:start in ${members.toLocaleString('en-US')} members, ${mode}, ${k + 1}/${reps}...`)
          const r = await groupCall(sides[mode], capMs)
          runs[mode].push(r)
          if (r.timeout || r.error || r.cancelTimeout) {
            stopped[mode] = true
            if (r.timeout || r.cancelTimeout) await killServer(sides[mode].srv) // stuck in a synchronous loop
          }
        }
      }
    } finally {
      for (const side of Object.values(sides)) closeAll([side.caller, ...side.sockets])
      await sleep(100)
      for (const side of Object.values(sides)) await stopServer(side.srv)
    }
    const sum = (mode) => {
      const rs = runs[mode]
      const good = rs.filter((r) => !r.timeout && !r.error)
      const bad = rs.find((r) => r.timeout || r.error)
      // the first call is cold (nothing JIT-compiled for this size yet), the others warm
      const warm = good.slice(1)
      const max = (k) => (good.length ? Math.max(...good.map((r) => r[k])) : null)
      return {
        runs: rs.length,
        timeout: rs.some((r) => r.timeout),
        error: bad && bad.error ? bad.error : null,
        cold: good[0] || null,
        warmAckMs: median(warm.map((r) => r.ackMs)),
        warmBlockMs: median(warm.map((r) => r.blockMs)),
        warmRingAllMs: median(warm.map((r) => r.ringAllMs)),
        ackMaxMs: max('ackMs'),
        blockMaxMs: max('blockMs'),
        ringAllMaxMs: max('ringAllMs'),
        perRun: rs
      }
    }
    out.push({ members, connected: ids.groupConnectedIndexes(members, connected).length, capMs,
      signaling: sum('signaling'), floor: sum('floor') })
  }
  return { sizes: out }
}

module.exports = { runRing, runGroups, startServer, stopServer, connectAll, closeAll, percentile }
