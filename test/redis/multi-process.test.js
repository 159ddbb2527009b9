'use strict'

// Call signalling across server processes. A real redis-server (spawned on a
// free loopback port, no persistence) and two `node example/server.js`
// processes with REDIS_URL on two ports: Alice connects to the first, Bob and
// Carol to the second (Dave too, for races). Every scenario of the one-process
// suite behaves the same, events are delivered once (both processes sweep
// deadlines), and killing a process mid-call does not leave the other side
// waiting: the call ends or is missed within the ring timeout.
//
// redis-server is required in CI: without it this file FAILS when CI is set
// (unless SKIP_REDIS_TESTS=1) and is skipped, saying why, elsewhere
// (REDIS_SERVER_PATH overrides the binary).

const crypto = require('crypto')
const act = require('../../lib')
const { connectClient, waitFor, emitAck, names, sleep, disconnectAll } = require('../helpers/sockets')
const { storeContract } = require('../call/store-contract')
const { REDIS_SERVER, DEMO: SERVER, DEMO_USERS, DEMO_CONVERSATIONS, describeRedis, freePort, spawnUntil, stopChild: stop } = require('./harness')

const RING_TIMEOUT_MS = 1000
const NODE_TTL_MS = 1500
const ROUNDS = Number(process.env.RACE_ROUNDS || 8)
const QUIET_MS = 150 // after the last expected event: time for a stray one to show up
const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

const U = DEMO_USERS
const { DIRECT, GROUP } = DEMO_CONVERSATIONS

describeRedis('call signalling over Redis, two server processes', () => {
  let redisServer
  let redisUrl
  let redis // a client for looking at the keys
  const servers = [null, null] // { child, port, url }
  const c = {} // alice -> server 0; bob, carol, dave -> server 1
  const home = { alice: 0, bob: 1, carol: 1, dave: 1 }

  async function startServer(i, port) {
    port = port || await freePort()
    const child = await spawnUntil(`server ${i}`, process.execPath, [SERVER], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: redisUrl,
        RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
        CALL_NODE_TTL_MS: String(NODE_TTL_MS),
        AGORA_APP_ID: APP_ID,
        AGORA_APP_CERTIFICATE: CERT
      }
    }, /listening on/)
    servers[i] = { child, port, url: `http://127.0.0.1:${port}` }
    return servers[i]
  }

  async function connect(name) {
    const client = connectClient(servers[home[name]].url, { userId: U[name] })
    await client.ready
    c[name] = client
    return client
  }

  /** No event for QUIET_MS: whatever was on its way has arrived. */
  async function quiet() {
    let count
    do {
      count = Object.values(c).reduce((n, x) => n + x.events.length, 0)
      await sleep(QUIET_MS)
    } while (Object.values(c).reduce((n, x) => n + x.events.length, 0) !== count)
  }

  async function startCall(client, conversationId, media = 'audio') {
    const ack = await emitAck(client, 'call:start', { conversationId, media }, 3000)
    expect(ack).toEqual({ ok: true, callId: expect.any(String) })
    return ack.callId
  }

  async function ok(client, event, callId) {
    expect(await emitAck(client, event, { callId }, 3000)).toEqual({ ok: true, callId })
  }

  async function tokenFrom(server, userId, channelName) {
    const res = await fetch(`${server.url}/api/call/token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${userId}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channelName })
    })
    return { status: res.status, body: await res.json() }
  }

  // The store's keys live under the prefix and the data's epoch (lib/call/stores/redis/scripts.js).
  async function base() {
    return `{agora-call}:${await redis.get('{agora-call}:epoch')}:`
  }

  async function keys(pattern) {
    return (await redis.keys(`${await base()}${pattern}`)).sort()
  }

  beforeAll(async () => {
    const port = await freePort()
    redisServer = await spawnUntil('redis-server', REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {},
      /Ready to accept connections/)
    redisUrl = `redis://127.0.0.1:${port}`
    const { createClient } = require('redis')
    redis = createClient({ url: redisUrl })
    redis.on('error', () => {})
    await redis.connect()
    await Promise.all([startServer(0), startServer(1)])
    await Promise.all(Object.keys(home).map(connect))
  }, 30000)

  beforeEach(async () => {
    await quiet()
    for (const x of Object.values(c)) x.events.length = 0
  })

  afterEach(async () => {
    // every scenario leaves no call behind, in Redis either
    expect(await keys('c:*')).toEqual([])
    expect(await keys('u:*')).toEqual([])
    expect(await redis.zCard(`${await base()}dl`)).toBe(0)
    // and every key has a lifetime
    const all = await redis.keys('{agora-call}:*')
    const ttls = await Promise.all(all.map(k => redis.pTTL(k)))
    expect(all.filter((k, i) => ttls[i] < 0)).toEqual([])
  })

  afterAll(async () => {
    disconnectAll(Object.values(c))
    await Promise.all(servers.map(s => s && stop(s.child)))
    if (redis && redis.isOpen) await redis.close()
    await stop(redisServer)
  })

  test('both processes run in Redis mode and registered themselves', async () => {
    for (const s of servers) expect(s.child.output).toMatch(/Call state and socket.io rooms in Redis/)
    expect(await keys('nodes')).toEqual([`${await base()}nodes`])
    expect(await redis.hLen(`${await base()}nodes`)).toBe(2)
  })

  test('ring across processes: Bob and Carol (server 2) get Alice\'s call (server 1); cancel reaches both', async () => {
    const callId = await startCall(c.alice, GROUP, 'video')
    const expected = { callId, conversationId: GROUP, from: U.alice, media: 'video' }
    expect(await waitFor(c.bob, 'incoming-call', undefined, 1000)).toEqual(expected)
    expect(await waitFor(c.carol, 'incoming-call', undefined, 1000)).toEqual(expected)
    await ok(c.alice, 'call:cancel', callId)
    const cancelled = { callId, conversationId: GROUP, by: U.alice }
    expect(await waitFor(c.bob, 'call:cancelled')).toEqual(cancelled)
    expect(await waitFor(c.carol, 'call:cancelled')).toEqual(cancelled)
    await quiet()
    expect(names(c.alice)).toEqual([])
    expect(names(c.bob)).toEqual(['incoming-call', 'call:cancelled'])
    expect(names(c.carol)).toEqual(['incoming-call', 'call:cancelled'])
    expect(names(c.dave)).toEqual([])
  })

  test('accept across processes; both get tokens (from either server) for the same channel; hang up', async () => {
    const callId = await startCall(c.alice, DIRECT)
    await waitFor(c.bob, 'incoming-call')
    await ok(c.bob, 'call:accept', callId)
    expect(await waitFor(c.alice, 'call:accepted')).toEqual({ callId, conversationId: DIRECT, by: U.bob })

    const [ta, tb, td] = await Promise.all([
      tokenFrom(servers[0], U.alice, DIRECT), tokenFrom(servers[1], U.bob, DIRECT), tokenFrom(servers[1], U.dave, DIRECT)
    ])
    expect([ta.status, tb.status, td.status]).toEqual([200, 200, 403])
    expect(act.parseToken(ta.body.token).services[0]).toMatchObject({ channelName: DIRECT, account: U.alice })
    expect(act.parseToken(tb.body.token).services[0]).toMatchObject({ channelName: DIRECT, account: U.bob })
    expect(act.verifyToken(tb.body.token, CERT).valid).toBe(true)

    await ok(c.bob, 'call:end', callId)
    expect(await waitFor(c.alice, 'call:ended')).toEqual({ callId, conversationId: DIRECT, by: U.bob, reason: 'hangup' })
    await quiet()
    expect(names(c.alice)).toEqual(['call:accepted', 'call:ended'])
    expect(names(c.bob)).toEqual(['incoming-call'])
    expect(names(c.carol)).toEqual([])
  })

  test('group: one accepts, one declines, the call goes on; hang-ups end it', async () => {
    const callId = await startCall(c.alice, GROUP)
    await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
    await ok(c.bob, 'call:accept', callId)
    await ok(c.carol, 'call:decline', callId)
    await waitFor(c.alice, 'call:declined')
    await quiet()
    expect(c.alice.events).toEqual([
      { event: 'call:accepted', data: { callId, conversationId: GROUP, by: U.bob } },
      { event: 'call:declined', data: { callId, conversationId: GROUP, by: U.carol } }
    ])
    expect(names(c.bob)).toEqual(['incoming-call', 'call:declined'])
    expect(names(c.carol)).toEqual(['incoming-call']) // still ringing when bob accepted: not told
    await ok(c.alice, 'call:end', callId)
    expect(await waitFor(c.bob, 'call:ended')).toEqual({ callId, conversationId: GROUP, by: U.alice, reason: 'hangup' })
    await quiet()
    expect(names(c.carol)).toEqual(['incoming-call'])
  })

  test('decline (direct) across processes: call:declined then call:ended; a late accept is refused', async () => {
    const callId = await startCall(c.alice, DIRECT)
    await waitFor(c.bob, 'incoming-call')
    await ok(c.bob, 'call:decline', callId)
    await waitFor(c.alice, 'call:ended')
    await quiet()
    expect(c.alice.events).toEqual([
      { event: 'call:declined', data: { callId, conversationId: DIRECT, by: U.bob } },
      { event: 'call:ended', data: { callId, conversationId: DIRECT, by: U.bob, reason: 'declined' } }
    ])
    expect(names(c.bob)).toEqual(['incoming-call'])
    expect((await emitAck(c.bob, 'call:accept', { callId })).error.code).toBe('CALL_NOT_FOUND')
  })

  test('missed: nobody answers within RING_TIMEOUT_MS; told once although two processes sweep', async () => {
    const t0 = Date.now()
    const callId = await startCall(c.alice, GROUP)
    const ended = await waitFor(c.alice, 'call:ended', undefined, RING_TIMEOUT_MS + 1500)
    expect(ended).toEqual({ callId, conversationId: GROUP, by: null, reason: 'missed' })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RING_TIMEOUT_MS - 100)
    await quiet()
    const missed = { callId, conversationId: GROUP, userIds: [U.bob, U.carol] }
    expect(c.alice.events).toEqual([{ event: 'call:missed', data: missed }, { event: 'call:ended', data: ended }])
    expect(c.bob.events).toEqual([
      { event: 'incoming-call', data: { callId, conversationId: GROUP, from: U.alice, media: 'audio' } },
      { event: 'call:missed', data: { callId, conversationId: GROUP } } // who missed it: no list
    ])
    expect(names(c.carol)).toEqual(['incoming-call', 'call:missed'])
    expect(names(c.dave)).toEqual([])
  })

  test('busy across processes: the busy ones are told to the caller only', async () => {
    const callId = await startCall(c.alice, DIRECT)
    await waitFor(c.bob, 'incoming-call')
    await ok(c.bob, 'call:accept', callId)
    await waitFor(c.alice, 'call:accepted')
    await quiet()
    for (const x of Object.values(c)) x.events.length = 0

    const busyId = await startCall(c.carol, GROUP)
    await waitFor(c.carol, 'call:ended')
    await quiet()
    expect(c.carol.events).toEqual([
      { event: 'call:busy', data: { callId: busyId, conversationId: GROUP, userIds: [U.alice, U.bob] } },
      { event: 'call:ended', data: { callId: busyId, conversationId: GROUP, by: null, reason: 'busy' } }
    ])
    for (const x of [c.alice, c.bob, c.dave]) expect(names(x)).toEqual([])
    const again = await emitAck(c.bob, 'call:start', { conversationId: GROUP })
    expect(again.error.code).toBe('ALREADY_IN_CALL')

    await ok(c.alice, 'call:end', callId)
    await waitFor(c.bob, 'call:ended')
  })

  test('a race between processes: two calls that both want Bob, and Bob rings for exactly one', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      for (const x of Object.values(c)) x.events.length = 0
      // Alice (server 1) calls Bob; Carol (server 2) calls the group (Alice and Bob) at the same moment
      const [a, k] = await Promise.all([
        emitAck(c.alice, 'call:start', { conversationId: DIRECT }, 3000),
        emitAck(c.carol, 'call:start', { conversationId: GROUP }, 3000)
      ])
      await quiet()
      const seen = JSON.stringify({ round, a, k, alice: c.alice.events, bob: c.bob.events, carol: c.carol.events })
      expect([seen, names(c.bob)]).toEqual([seen, ['incoming-call']])
      if (a.ok) {
        // Alice won: Carol finds both busy
        expect([seen, k.ok, names(c.carol), names(c.alice)]).toEqual([seen, true, ['call:busy', 'call:ended'], []])
        expect(c.bob.events[0].data.callId).toBe(a.callId)
        await ok(c.alice, 'call:cancel', a.callId)
        await waitFor(c.bob, 'call:cancelled')
      } else {
        // Carol won: Alice was already ringing for her
        expect([seen, a.error.code, k.ok, names(c.alice), names(c.carol)])
          .toEqual([seen, 'ALREADY_IN_CALL', true, ['incoming-call'], []])
        expect(c.bob.events[0].data.callId).toBe(k.callId)
        await ok(c.carol, 'call:cancel', k.callId)
        await Promise.all([waitFor(c.bob, 'call:cancelled'), waitFor(c.alice, 'call:cancelled')])
      }
    }
  })

  test('a user whose last socket leaves (on the other process) declines a ringing call', async () => {
    const bob2 = connectClient(servers[0].url, { userId: U.bob }) // a second device, on server 1
    await bob2.ready
    try {
      const callId = await startCall(c.alice, DIRECT)
      await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(bob2, 'incoming-call')])
      c.bob.socket.disconnect() // bob2 still rings: nothing happens
      await quiet()
      expect(names(c.alice)).toEqual([])
      bob2.socket.disconnect()
      await waitFor(c.alice, 'call:ended')
      await quiet()
      expect(c.alice.events).toEqual([
        { event: 'call:declined', data: { callId, conversationId: DIRECT, by: U.bob } },
        { event: 'call:ended', data: { callId, conversationId: DIRECT, by: U.bob, reason: 'disconnect' } }
      ])
    } finally {
      bob2.socket.disconnect()
      await connect('bob')
    }
  })

  test('killing the caller\'s process mid-call: the other side\'s call ends, nobody waits forever', async () => {
    const callId = await startCall(c.alice, DIRECT)
    await waitFor(c.bob, 'incoming-call')
    await ok(c.bob, 'call:accept', callId)
    await waitFor(c.alice, 'call:accepted')

    const t0 = Date.now()
    await stop(servers[0].child, 'SIGKILL')
    expect(await waitFor(c.bob, 'call:ended', undefined, NODE_TTL_MS + 2000))
      .toEqual({ callId, conversationId: DIRECT, by: U.alice, reason: 'disconnect' })
    expect(Date.now() - t0).toBeLessThan(NODE_TTL_MS + 1500)
    // Bob is free again
    expect(await redis.get(`${await base()}u:${U.bob}`)).toBe(null)

    await startServer(0, servers[0].port)
    await connect('alice')
  }, 20000)

  test('killing the callees\' process while ringing: the caller hears back within the ring timeout', async () => {
    const t0 = Date.now()
    const callId = await startCall(c.alice, GROUP)
    await Promise.all([waitFor(c.bob, 'incoming-call'), waitFor(c.carol, 'incoming-call')])
    await stop(servers[1].child, 'SIGKILL')
    const ended = await waitFor(c.alice, 'call:ended', undefined, RING_TIMEOUT_MS + NODE_TTL_MS + 1000)
    expect(ended).toMatchObject({ callId, conversationId: GROUP })
    expect(['missed', 'disconnect']).toContain(ended.reason)
    expect(Date.now() - t0).toBeLessThan(RING_TIMEOUT_MS + 1000)

    await startServer(1, servers[1].port)
    await Promise.all(['bob', 'carol', 'dave'].map(connect))
    // and the restarted process takes calls again
    const next = await startCall(c.alice, DIRECT)
    await waitFor(c.bob, 'incoming-call', d => d.callId === next)
    await ok(c.bob, 'call:decline', next)
    await waitFor(c.alice, 'call:ended', d => d.callId === next)
  }, 20000)

  describe('RedisCallStore on its own (other key prefixes)', () => {
    const { RedisCallStore } = require('../../lib/socket')
    const clients = []

    async function client() {
      const { createClient } = require('redis')
      const x = createClient({ url: redisUrl })
      x.on('error', () => {})
      await x.connect()
      clients.push(x)
      return x
    }

    afterAll(async () => {
      await Promise.all(clients.map(x => x.close()))
    })

    // The store contract suite, one body with MemoryCallStore (test/call/memory-store.test.js).
    let contract = 0
    storeContract('RedisCallStore', async options => new RedisCallStore(await client(), { prefix: `{contract-${++contract}}:`, ...options }),
      async store => {
        const keys = await redis.keys(`${store.prefix}*`)
        if (keys.length) await redis.del(keys)
      })

    test('sweep: due deadlines to every sweeper, a dead process\'s users to exactly one, nobody reaped after a stall', async () => {
      const opts = nodeId => ({ prefix: '{sw}:', nodeTtlMs: 300, maxCallMs: 60000, nodeId })
      const [a, b, k] = [new RedisCallStore(await client(), opts('A')), new RedisCallStore(await client(), opts('B')),
        new RedisCallStore(await client(), opts('K'))]
      await a.userConnected('x')
      await a.userConnected('y')
      await b.userConnected('y') // y also has a socket on B
      expect(await a.userDisconnected('x')).toBe(0)
      await a.userConnected('x')
      for (const s of [a, b, k]) expect(await s.sweep()).toMatchObject({ due: [], gone: [], reaped: false })
      const base = `{sw}:${a.epoch}:`

      const now = Date.now()
      const init = (callId, callerId, ringUntil) => ({ callId, conversationId: 'x', callerId, media: 'audio', now: ringUntil - 1000, ringTimeoutMs: 1000 })
      await b.create(init('late', 'x', now - 1), ['y'])
      await b.create(init('early', 'p', now + 60000), ['q'])
      // A stops sweeping; B and K go on: once A's beat is over nodeTtlMs old, one of them reaps it
      const seen = []
      for (let i = 0; i < 8; i++) {
        await sleep(100)
        seen.push(...await Promise.all([b.sweep({ now }), k.sweep({ now })]))
      }
      expect(seen.slice(0, 2).map(r => r.due)).toEqual([['late'], ['late']])
      expect(seen.flatMap(r => r.gone)).toEqual(['x']) // y still has B; x goes to one sweeper, once

      // A comes back: it learns it was reaped, and writes its presence again
      expect(await a.sweep()).toMatchObject({ reaped: true, reconcile: true })
      expect(await redis.hGetAll(`${base}p:x`)).toEqual({ A: '1' })
      expect((await a.sweep()).reaped).toBe(false)

      // A stall of all of them (nobody sweeps for over nodeTtlMs): the first sweeps after it reap nobody
      await sleep(450)
      const first = await b.sweep()
      await sleep(150)
      const second = await b.sweep() // A's beat is 600 ms old, but B has not beaten steadily for nodeTtlMs yet
      expect([first.lapsed, first.gone, second.lapsed, second.gone]).toEqual([true, [], false, []])
      expect((await a.sweep()).reaped).toBe(false)

      await b.apply('late', 'end', 'x', now)
      await b.apply('early', 'end', 'p', now)
      expect(await redis.zCard(`${base}dl`)).toBe(0)
    })

    test('calls vanish with the epoch: Redis emptied, or back from an older snapshot (the generation went back)', async () => {
      const s = new RedisCallStore(await client(), { prefix: '{ep}:', nodeTtlMs: 1000 })
      const init = (callId, callerId) => ({ callId, conversationId: 'x', callerId, media: 'audio', now: Date.now(), ringTimeoutMs: 60000 })
      await s.create(init('e1', 'a'), ['b'])
      const first = s.epoch
      expect((await s.sweep()).reconcile).toBe(false)
      // emptied (a restart without persistence)
      const all = await redis.keys('{ep}:*')
      await redis.del(all)
      expect(await s.callIdOf('a')).toBe(null)
      expect(s.epoch).not.toBe(first)
      expect((await s.sweep()).reconcile).toBe(true)
      // the generation goes back (what a restore from an older RDB file looks like)
      await s.create(init('e2', 'a'), ['b'])
      const second = s.epoch
      await redis.set('{ep}:gen', '1')
      expect(await s.callIdOf('a')).toBe(null) // e2 is in the epoch left behind
      expect(s.epoch).not.toBe(second)
      // and the epoch of the snapshot, brought back whole, is not adopted again
      await redis.set('{ep}:epoch', second)
      expect(await s.callIdOf('b')).toBe(null)
      expect([first, second]).not.toContain(s.epoch)
      expect((await s.sweep()).reconcile).toBe(true)
    })

    test('a command past commandTimeoutMs is answered UNAVAILABLE, and does nothing when it reaches Redis later', async () => {
      const c2 = await client()
      const s = new RedisCallStore(c2, { prefix: '{late}:', commandTimeoutMs: 300 })
      expect(await s.callIdOf('a')).toBe(null)
      const blocker = await client()
      const held = blocker.sendCommand(['CLIENT', 'PAUSE', '700', 'WRITE'])
      await held
      const init = { callId: 'late-1', conversationId: 'x', callerId: 'a', media: 'audio', now: Date.now(), ringTimeoutMs: 60000 }
      const t0 = Date.now()
      await expect(s.create(init, ['b'])).rejects.toMatchObject({ code: 'ERR_AGORA_CALL_STORE_UNAVAILABLE' })
      expect(Date.now() - t0).toBeLessThan(500)
      await sleep(700) // the pause ends: the script runs now, past its notAfter
      expect(await s.get('late-1')).toBe(null)
      expect(await s.callIdOf('a')).toBe(null)
    })

    test('options are checked', () => {
      expect(() => new RedisCallStore({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
      expect(() => new RedisCallStore(redis, { nodeTtlMs: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
      expect(() => new RedisCallStore(redis, { prefix: 5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
      // every key in one Redis Cluster slot: the prefix must carry a hash tag
      for (const prefix of ['agora-call:', '{}:', 'a}{b:', '']) {
        expect(() => new RedisCallStore(redis, { prefix })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
      }
      expect(new RedisCallStore(redis, { prefix: 'app:{calls}:' }).prefix).toBe('app:{calls}:')
      expect(() => new RedisCallStore(redis, { commandTimeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    })
  })
})
