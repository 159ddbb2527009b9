'use strict'

// Issue 12: calls across processes when Redis misbehaves. Real redis-server
// processes (test/redis/harness.js), two signalling server processes each
// (example/server.js with REDIS_URL; test/redis/fixtures/call-server.js where
// the demo cannot serve: a 301-member group, a Redis Cluster), real
// socket.io-client users. One test per finding of the issue:
//   1 a stall longer than nodeTtlMs        2 CLIENT PAUSE WRITE + CLIENT KILL during presence updates
//   3 300 simultaneous group accepts (beside the memory store)       4a restart empty   4b restart from an older snapshot
//   4c events during an outage             5 Redis Cluster, a master killed mid-call
// What every one expects: nothing is lost silently (each connected participant
// of a call that ends is told: call:ended / call:cancelled / call:missed), the
// state stays consistent (the users can start new calls), and nobody still
// connected is ended with reason 'disconnect'. A test summarises what happened
// in one object and compares it whole, so a failure shows all of it.
//
// redis-server (and redis-cli for the cluster) are required in CI: with CI set
// a missing one FAILS these tests (unless SKIP_REDIS_TESTS=1); elsewhere they
// are skipped, saying why.

const path = require('path')
const { RedisServer, RedisCluster, DEMO_USERS, DEMO_CONVERSATIONS, describeRedis, startServer, startServers, connectUsers, stopAll } =
  require('./harness')
const { waitFor, emitAck, sleep, disconnectAll, names } = require('../helpers/sockets')

const CALL_SERVER = path.join(__dirname, 'fixtures', 'call-server.js')
const { BIG_GROUP_ID, bigMember } = require('./fixtures/call-server')

const U = DEMO_USERS
const { DIRECT, GROUP, CAROL_DAVE } = DEMO_CONVERSATIONS
const TERMINAL = new Set(['call:ended', 'call:cancelled', 'call:missed'])
const ACK_MS = 8000 // how long a test waits for an ack before it records "no answer"

afterAll(stopAll)

// ---- what happened to a call ----------------------------------------------------------

/** The terminal events (ended/cancelled/missed) a client got for callId, as "event:reason". */
function endings(client, callId) {
  return client.events
    .filter(e => TERMINAL.has(e.event) && e.data && e.data.callId === callId)
    .map(e => (e.event === 'call:ended' ? `${e.event}:${e.data.reason}` : e.event))
}

/** call:ended with reason 'disconnect' naming a user who is still connected. */
function falseDisconnects(clients) {
  const connected = new Set(clients.filter(c => c.socket.connected).map(c => c.userId))
  const out = []
  for (const c of clients) {
    for (const e of c.events) {
      if (e.event === 'call:ended' && e.data.reason === 'disconnect' && connected.has(e.data.by)) {
        out.push(`${c.name} got call:ended disconnect by a connected user`)
      }
    }
  }
  return out
}

async function ack(client, event, payload, timeoutMs = ACK_MS) {
  const t0 = Date.now()
  try {
    const reply = await emitAck(client, event, payload, timeoutMs)
    return { reply, ms: Date.now() - t0 }
  } catch (_) {
    return { reply: { ok: false, error: { code: `NO_ANSWER_IN_${timeoutMs}_MS` } }, ms: Date.now() - t0 }
  }
}

const code = r => (r.reply.ok ? 'ok' : r.reply.error.code)

/**
 * UNAVAILABLE means "not now, try again" (README): a client sends the event
 * again while that is the answer, here for up to `forMs`.
 */
async function retried(client, event, payload, forMs = 5000) {
  const t0 = Date.now()
  for (;;) {
    const r = await ack(client, event, payload, 3000)
    if (code(r) !== 'UNAVAILABLE' || Date.now() - t0 > forMs) return r
    await sleep(250)
  }
}

/**
 * A call is resolved when either every participant was told it ended, or none
 * was and it still works: its first participant hangs up (ok) and every other
 * one is told. Resolves with 'ended', 'goes on', or a description of what is wrong.
 */
async function resolution(callId, clients, waitMs) {
  const t0 = Date.now()
  while (Date.now() - t0 < waitMs && !clients.every(c => endings(c, callId).length > 0)) await sleep(50)
  const told = clients.filter(c => endings(c, callId).length > 0)
  if (told.length === clients.length) return 'ended'
  if (told.length > 0) {
    return `only ${told.map(c => c.name).join(', ')} told; ${clients.filter(c => !told.includes(c)).map(c => c.name).join(', ')} never`
  }
  const [first, ...others] = clients
  const hangup = await retried(first, 'call:end', { callId })
  if (!hangup.reply.ok) return `nobody told, and ${first.name}'s call:end answers ${code(hangup)}`
  const t1 = Date.now()
  while (Date.now() - t1 < 2000 && !others.every(c => endings(c, callId).length > 0)) await sleep(50)
  const deaf = others.filter(c => endings(c, callId).length === 0)
  return deaf.length ? `goes on, but ${deaf.map(c => c.name).join(', ')} not told of the hang-up` : 'goes on'
}

/** caller can start a call in conversationId and callee rings for it; then it is cancelled. */
async function canCall(caller, conversationId, callee) {
  const start = await retried(caller, 'call:start', { conversationId })
  if (!start.reply.ok) return `${caller.name} cannot call: ${code(start)}`
  const { callId } = start.reply
  const rang = await waitFor(callee, 'incoming-call', d => d.callId === callId, 2000).then(() => true, () => false)
  await ack(caller, 'call:cancel', { callId }, 3000)
  if (rang) await waitFor(callee, 'call:cancelled', d => d.callId === callId, 2000).catch(() => {})
  return rang ? 'ok' : `${callee.name} did not ring`
}

async function startCall(caller, conversationId) {
  const r = await ack(caller, 'call:start', { conversationId }, 3000)
  expect(r.reply).toEqual({ ok: true, callId: expect.any(String) })
  return r.reply.callId
}

/** Alice calls Bob, Bob accepts: an active direct call. */
async function activeCall(c) {
  const callId = await startCall(c.alice, DIRECT)
  await waitFor(c.bob, 'incoming-call', d => d.callId === callId, 2000)
  expect((await ack(c.bob, 'call:accept', { callId })).reply).toEqual({ ok: true, callId })
  await waitFor(c.alice, 'call:accepted', d => d.callId === callId, 2000)
  return callId
}

function clearEvents(c) {
  for (const x of Object.values(c)) x.events.length = 0
}

/** Two demo processes on `redis`: Alice and Dave on the first, Bob and Carol on the second. */
async function demoPair(redis, { ringTimeoutMs = 5000, nodeTtlMs = 2000 } = {}) {
  const servers = await startServers(2, {
    name: 'demo',
    env: { REDIS_URL: redis.url, RING_TIMEOUT_MS: String(ringTimeoutMs), CALL_NODE_TTL_MS: String(nodeTtlMs) }
  })
  const c = await connectUsers({
    alice: [servers[0], U.alice], dave: [servers[0], U.dave], bob: [servers[1], U.bob], carol: [servers[1], U.carol]
  })
  return { servers, c }
}

// ---- 1, 2, 4: one redis-server, two demo processes --------------------------------------

describeRedis('issue 12 faults on one redis-server, two demo processes', () => {
  let redis
  let servers
  let c
  const NODE_TTL_MS = 2000

  async function fresh(options) {
    if (c) disconnectAll(Object.values(c))
    if (servers) await Promise.all(servers.map(s => s.stop('SIGKILL')))
    if (redis) await redis.close()
    redis = await RedisServer.start();
    ({ servers, c } = await demoPair(redis, { nodeTtlMs: NODE_TTL_MS, ...options }))
  }

  afterAll(async () => {
    if (c) disconnectAll(Object.values(c))
    if (servers) await Promise.all(servers.map(s => s.stop('SIGKILL')))
    if (redis) await redis.close()
  })

  test('1: a Redis stall longer than nodeTtlMs (SIGSTOP 4 s, nodeTtlMs 2 s) ends no call and reaps nobody', async () => {
    await fresh()
    const callId = await activeCall(c)
    clearEvents(c)
    redis.pause()
    await sleep(2 * NODE_TTL_MS)
    redis.resume()
    await sleep(NODE_TTL_MS + 500) // both processes sweep several times
    const everyone = Object.values(c)
    expect({
      falseDisconnects: falseDisconnects(everyone),
      call: await resolution(callId, [c.alice, c.bob], 0),
      aliceCanCallBob: await canCall(c.alice, DIRECT, c.bob),
      carolCanCallDave: await canCall(c.carol, CAROL_DAVE, c.dave)
    }).toEqual({ falseDisconnects: [], call: 'goes on', aliceCanCallBob: 'ok', carolCanCallDave: 'ok' })
  }, 30000)

  /** Holds writes, lets `action` send a presence script that waits, then kills that process's command connections. */
  async function dropDuring(server, action) {
    await redis.pauseWrites(5000)
    try {
      const before = await redis.blockedClients()
      await action()
      for (let i = 0; i < 40 && (await redis.blockedClients()) <= before; i++) await sleep(25)
      const killed = await redis.kill(await redis.clientsOf(server.child.pid, { pubsub: false }))
      expect(killed).toBeGreaterThan(0)
    } finally {
      await redis.unpause()
    }
  }

  test('2a: a disconnect whose presence update dies with its connection still ends the call, and the user is free', async () => {
    await fresh()
    const callId = await activeCall(c)
    clearEvents(c)
    await dropDuring(servers[1], () => c.bob.socket.disconnect())
    const alice = await waitFor(c.alice, 'call:ended', d => d.callId === callId, NODE_TTL_MS + 2000)
      .then(d => `call:ended:${d.reason}`, () => 'never told');
    [c.bob] = Object.values(await connectUsers({ bob: [servers[1], U.bob] }))
    const bobCanCall = await canCall(c.bob, DIRECT, c.alice)
    // and a later disconnect still ends Bob's calls: presence is right again
    const again = await ack(c.alice, 'call:start', { conversationId: DIRECT }, 3000)
    let later = `alice cannot call: ${code(again)}`
    if (again.reply.ok) {
      const next = again.reply.callId
      await waitFor(c.bob, 'incoming-call', d => d.callId === next, 2000)
      c.bob.socket.disconnect()
      later = await waitFor(c.alice, 'call:ended', d => d.callId === next, 3000)
        .then(d => `call:ended:${d.reason}`, () => 'never told')
    }
    [c.bob] = Object.values(await connectUsers({ bob: [servers[1], U.bob] }))
    expect({ alice, bobCanCall, later }).toEqual({ alice: 'call:ended:disconnect', bobCanCall: 'ok', later: 'call:ended:disconnect' })
  }, 30000)

  test('2b: a connect whose presence update dies with its connection still counts: closing the other tab ends nothing', async () => {
    await fresh()
    const callId = await activeCall(c)
    clearEvents(c)
    let bob2
    await dropDuring(servers[1], async () => {
      bob2 = connectUsers({ bob2: [servers[1], U.bob] }) // connects while writes are held
      await sleep(100)
    });
    ({ bob2 } = await bob2)
    await sleep(300)
    c.bob.socket.disconnect() // the first tab closes; bob2 is still in the call
    await sleep(NODE_TTL_MS + 500)
    const aliceGot = names(c.alice).filter(n => TERMINAL.has(n))
    const hangup = await ack(bob2, 'call:end', { callId }, 3000)
    const aliceHeard = hangup.reply.ok
      ? await waitFor(c.alice, 'call:ended', d => d.callId === callId && d.reason === 'hangup', 2000).then(() => 'hangup', () => 'nothing')
      : 'n/a'
    bob2.socket.disconnect();
    [c.bob] = Object.values(await connectUsers({ bob: [servers[1], U.bob] }))
    expect({ aliceGot, bob2Hangup: code(hangup), aliceHeard })
      .toEqual({ aliceGot: [], bob2Hangup: 'ok', aliceHeard: 'hangup' })
  }, 30000)

  test('4a: Redis restarted empty: the ringing call and the active call are each resolved, everyone told, everyone free', async () => {
    const RING = 3000
    await fresh({ ringTimeoutMs: RING })
    const active = await activeCall(c)
    const ringing = await startCall(c.carol, CAROL_DAVE)
    await waitFor(c.dave, 'incoming-call', d => d.callId === ringing, 2000)
    clearEvents(c)
    const outageMs = await redis.restart()
    expect({
      outageUnder1s: outageMs < 1000,
      ringing: await resolution(ringing, [c.carol, c.dave], RING + 2000),
      active: await resolution(active, [c.alice, c.bob], 1000),
      falseDisconnects: falseDisconnects(Object.values(c)),
      aliceCanCallBob: await canCall(c.alice, DIRECT, c.bob),
      carolCanCallDave: await canCall(c.carol, CAROL_DAVE, c.dave)
    }).toEqual({
      outageUnder1s: true, ringing: 'ended', active: expect.stringMatching(/^(ended|goes on)$/),
      falseDisconnects: [], aliceCanCallBob: 'ok', carolCanCallDave: 'ok'
    })
  }, 40000)

  test('4b: Redis restarted from an older snapshot: calls that ended since stay ended, nobody is busy', async () => {
    await fresh()
    const active = await activeCall(c)
    const ringing = await startCall(c.carol, CAROL_DAVE)
    await waitFor(c.dave, 'incoming-call', d => d.callId === ringing, 2000)
    const snapshot = await redis.save() // both calls are in it
    await ack(c.alice, 'call:end', { callId: active })
    await ack(c.dave, 'call:decline', { callId: ringing })
    await Promise.all([
      waitFor(c.bob, 'call:ended', d => d.callId === active, 2000),
      waitFor(c.carol, 'call:ended', d => d.callId === ringing, 2000)
    ])
    clearEvents(c)
    await redis.restart(snapshot)
    await sleep(NODE_TTL_MS) // time for sweeps / repair
    expect({
      aliceCanCallBob: await canCall(c.alice, DIRECT, c.bob),
      bobCanCallAlice: await canCall(c.bob, DIRECT, c.alice),
      carolCanCallDave: await canCall(c.carol, CAROL_DAVE, c.dave),
      daveCanCallCarol: await canCall(c.dave, CAROL_DAVE, c.carol),
      rangAgain: Object.values(c).filter(x => x.events.some(e => e.event === 'incoming-call' && e.data.callId === ringing)).map(x => x.name)
    }).toEqual({ aliceCanCallBob: 'ok', bobCanCallAlice: 'ok', carolCanCallDave: 'ok', daveCanCallCarol: 'ok', rangAgain: [] })
  }, 40000)

  test('4c: during an outage events are answered UNAVAILABLE within 1 s; when Redis is back the call goes on or ends, everyone told', async () => {
    // nodeTtlMs well over the outages here: this test is not about finding 1
    const TTL = 8000
    await fresh({ nodeTtlMs: TTL })
    const active = await activeCall(c)
    const snapshot = await redis.save() // Redis comes back with what it had (persistence)
    clearEvents(c)
    await redis.stop()
    const [start, end] = await Promise.all([
      ack(c.carol, 'call:start', { conversationId: CAROL_DAVE }, 6000),
      ack(c.bob, 'call:end', { callId: active }, 6000)
    ])
    const down = { start, end }
    await redis.start(snapshot)
    // hung rather than down: the server holds the connection and answers nothing
    await sleep(500)
    redis.pause()
    const hung = { start: await ack(c.dave, 'call:start', { conversationId: CAROL_DAVE }, 1500) }
    redis.resume()
    await sleep(1000)
    const fast = r => `${code(r)} ${r.ms <= 1000 ? 'within 1 s' : `after ${r.ms} ms`}`
    expect({
      downStart: fast(down.start),
      downEnd: fast(down.end),
      hungStart: fast(hung.start),
      active: await resolution(active, [c.alice, c.bob], 1000),
      falseDisconnects: falseDisconnects(Object.values(c)),
      carolCanCallDave: await canCall(c.carol, CAROL_DAVE, c.dave),
      aliceCanCallBob: await canCall(c.alice, DIRECT, c.bob)
    }).toEqual({
      downStart: 'UNAVAILABLE within 1 s', downEnd: 'UNAVAILABLE within 1 s', hungStart: 'UNAVAILABLE within 1 s',
      active: expect.stringMatching(/^(ended|goes on)$/), falseDisconnects: [], carolCanCallDave: 'ok', aliceCanCallBob: 'ok'
    })
  }, 60000)
})

// ---- 3: a 301-member group, 300 accepts at once --------------------------------------------

describeRedis('issue 12 finding 3: simultaneous group accepts over Redis', () => {
  const CALLEES = 300
  let redis
  const servers = {}
  const members = {}

  // The same group on two servers: one on Redis, and one process with the
  // memory store (no Redis at all) as the floor. Every accept is told to the
  // 300 others, so a storm is 90,000 socket.io packets whichever the store:
  // Redis must add no failures and little time to that.
  beforeAll(async () => {
    redis = await RedisServer.start()
    const env = { GROUP_SIZE: String(CALLEES + 1), RING_TIMEOUT_MS: '60000', CALL_NODE_TTL_MS: '10000' };
    [servers.memory, servers.redis] = await Promise.all([
      startServer({ script: CALL_SERVER, name: 'call-server memory', env: { ...env, STORE: 'memory' } }),
      startServer({ script: CALL_SERVER, name: 'call-server redis', env: { ...env, REDIS_URL: redis.url } })
    ])
  }, 60000)

  afterAll(async () => {
    for (const m of Object.values(members)) disconnectAll(Object.values(m))
    await Promise.all(Object.values(servers).map(s => s.stop('SIGKILL')))
    if (redis) await redis.close()
  })

  async function storm(which) {
    const map = {}
    for (let i = 0; i <= CALLEES; i++) map[`m${i}`] = [servers[which], bigMember(i)]
    members[which] = await connectUsers(map)
    const [caller, ...callees] = Object.values(members[which])
    const callId = await startCall(caller, BIG_GROUP_ID)
    await Promise.all(callees.map(m => waitFor(m, 'incoming-call', d => d.callId === callId, 10000)))
    const t0 = Date.now()
    const acks = await Promise.all(callees.map(m => ack(m, 'call:accept', { callId }, 30000)))
    const wallMs = Date.now() - t0
    const codes = {}
    for (const a of acks) codes[code(a)] = (codes[code(a)] || 0) + 1
    const slowestMs = Math.max(...acks.map(a => a.ms))
    const ended = await ack(caller, 'call:end', { callId }, 10000)
    disconnectAll(Object.values(members[which]))
    delete members[which]
    await sleep(500)
    return { codes, slowestMs, wallMs, ended: code(ended) }
  }

  test(`3: ${CALLEES} members accept at once: all ok, and the slowest within 2x (+500 ms) of the memory store's`, async () => {
    // two storms each, alternating, the best of each compared: this machine's load varies a lot between storms
    const runs = { memory: [], redis: [] }
    for (let round = 0; round < 2; round++) {
      runs.memory.push(await storm('memory'))
      runs.redis.push(await storm('redis'))
    }
    const best = which => Math.min(...runs[which].map(r => r.slowestMs))
    console.log(`finding 3: ${CALLEES} accepts, slowest ack per storm: Redis ${runs.redis.map(r => r.slowestMs).join(', ')} ms, ` +
      `memory store ${runs.memory.map(r => r.slowestMs).join(', ')} ms; Redis codes ${JSON.stringify(runs.redis.map(r => r.codes))}`)
    const all = which => runs[which].map(r => ({ codes: r.codes, ended: r.ended }))
    const clean = { codes: { ok: CALLEES }, ended: 'ok' }
    expect({ memory: all('memory'), redis: all('redis') }).toEqual({ memory: [clean, clean], redis: [clean, clean] })
    expect(best('redis')).toBeLessThan(2 * best('memory') + 500)
  }, 180000)
})

// ---- 5: Redis Cluster, 3 masters + 3 replicas ---------------------------------------------

describeRedis('issue 12 finding 5: two processes on a Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster
  let servers
  let c
  const RING = 3000

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 1000 })
    servers = await startServers(2, {
      script: CALL_SERVER, name: 'call-server',
      env: { REDIS_CLUSTER: cluster.seeds, RING_TIMEOUT_MS: String(RING), CALL_NODE_TTL_MS: '3000' }
    })
    c = await connectUsers({
      alice: [servers[0], U.alice], dave: [servers[0], U.dave], bob: [servers[1], U.bob], carol: [servers[1], U.carol]
    })
  }, 60000)

  beforeEach(() => clearEvents(c))

  afterAll(async () => {
    if (c) disconnectAll(Object.values(c))
    if (servers) await Promise.all(servers.map(s => s.stop('SIGKILL')))
    if (cluster) await cluster.close()
  })

  test('5: ring across processes, cancel reaches everyone', async () => {
    const callId = await startCall(c.alice, GROUP)
    await Promise.all([c.bob, c.carol].map(x => waitFor(x, 'incoming-call', d => d.callId === callId, 2000)))
    expect((await ack(c.alice, 'call:cancel', { callId })).reply).toEqual({ ok: true, callId })
    await Promise.all([c.bob, c.carol].map(x => waitFor(x, 'call:cancelled', d => d.callId === callId, 2000)))
  })

  test('5: accept across processes and hang up', async () => {
    const callId = await activeCall(c)
    expect((await ack(c.bob, 'call:end', { callId })).reply).toEqual({ ok: true, callId })
    expect(await waitFor(c.alice, 'call:ended', d => d.callId === callId, 2000))
      .toEqual({ callId, conversationId: DIRECT, by: U.bob, reason: 'hangup' })
  })

  test('5: missed once although two processes sweep', async () => {
    const callId = await startCall(c.carol, CAROL_DAVE)
    await waitFor(c.dave, 'incoming-call', d => d.callId === callId, 2000)
    await waitFor(c.carol, 'call:ended', d => d.callId === callId, RING + 2000)
    await sleep(300)
    expect({ carol: endings(c.carol, callId), dave: endings(c.dave, callId) })
      .toEqual({ carol: ['call:missed', 'call:ended:missed'], dave: ['call:missed'] })
  })

  test('5: the master holding the call keys is killed mid-call: after the failover each call goes on or ends, everyone told', async () => {
    const active = await activeCall(c)
    const ringing = await startCall(c.carol, CAROL_DAVE)
    await waitFor(c.dave, 'incoming-call', d => d.callId === ringing, 2000)
    clearEvents(c)
    const { failoverMs } = await cluster.killMaster('{agora-call}:x') // the default prefix's hash tag
    console.log(`finding 5: failover took ${failoverMs} ms`)
    expect({
      active: await resolution(active, [c.alice, c.bob], 1000),
      ringing: await resolution(ringing, [c.carol, c.dave], RING + 3000),
      falseDisconnects: falseDisconnects(Object.values(c)),
      aliceCanCallBob: await canCall(c.alice, DIRECT, c.bob),
      carolCanCallDave: await canCall(c.carol, CAROL_DAVE, c.dave)
    }).toEqual({
      active: expect.stringMatching(/^(ended|goes on)$/), ringing: expect.stringMatching(/^(ended|goes on)$/),
      falseDisconnects: [], aliceCanCallBob: 'ok', carolCanCallDave: 'ok'
    })
  }, 40000)
}, { cli: true })
