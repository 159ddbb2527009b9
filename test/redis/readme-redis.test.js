'use strict'

// README "Several server processes (Redis)" runs as written: two processes of
// `node example/docs/redis.js` on a real redis-server, and two of
// `node example/docs/redis-cluster.js` on a real 3-master + 3-replica Redis
// Cluster (test/redis/harness.js starts both; each process is given different
// seeds). Alice is on the first process, Bob and Carol on the second: a call
// rings across them, is accepted, is busy for Carol (the state is shared),
// ends, and Bob rings Alice back. Then SIGTERM, with the users still connected:
// each process runs its close() (store.close() marks it gone in Redis) and
// exits 0, and no Redis connection is left.
//
// redis-server (and redis-cli for the cluster) are required in CI: with CI set
// a missing one FAILS these tests (unless SKIP_REDIS_TESTS=1); elsewhere they
// are skipped, saying why.

const path = require('path')
const { RedisServer, RedisCluster, describeRedis, freePort, spawnUntil, stopChild, parseClientList, cli, stopAll } =
  require('./harness')
const { connectClient, waitFor, emitAck, disconnectAll } = require('../helpers/sockets')
const { users, conversations } = require('../../example/docs/chat-app')

const EXAMPLES = path.join(__dirname, '..', '..', 'example', 'docs')
const [DIRECT, GROUP] = conversations.map(c => String(c._id))
const id = user => String(users[user])
const WAIT_MS = 3000 // events cross Redis pub/sub: more than the in-memory default
const NODES_KEY = /^\{agora-call\}:.*nodes$/ // RedisCallStore's heartbeats (default prefix)

afterAll(stopAll)

/** `node example/docs/<file>` with env; resolves once it printed its URL. */
async function startExample(file, env) {
  const port = await freePort()
  const child = await spawnUntil(`${file} :${port}`, process.execPath, [path.join(EXAMPLES, file)],
    { env: { ...process.env, ...env, PORT: String(port) } }, /^http:\/\/127\.0\.0\.1:\d+$/m, 15000)
  return { child, url: /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(child.output)[1] }
}

/** Alice on `a`, Bob and Carol on `b` (clients of test/helpers/sockets.js, recording every event). */
async function connectUsers(a, b) {
  const clients = {
    alice: connectClient(a.url, { userId: id('alice') }),
    bob: connectClient(b.url, { userId: id('bob') }),
    carol: connectClient(b.url, { userId: id('carol') })
  }
  await Promise.all(Object.values(clients).map(c => c.ready))
  return clients
}

/** Ring, accept, busy, hang up, ring back. Resolves with what each saw, in one object. */
async function callAcross({ alice, bob, carol }) {
  const started = await emitAck(alice, 'call:start', { conversationId: DIRECT, media: 'audio' }, WAIT_MS)
  const ring = await waitFor(bob, 'incoming-call', () => true, WAIT_MS)
  const accepted = await emitAck(bob, 'call:accept', { callId: ring.callId }, WAIT_MS)
  const aliceHeard = await waitFor(alice, 'call:accepted', () => true, WAIT_MS)
  // the call state is shared: Carol, on the second process, finds both in a call
  const group = await emitAck(carol, 'call:start', { conversationId: GROUP }, WAIT_MS)
  const busy = await waitFor(carol, 'call:busy', () => true, WAIT_MS)
  const ended = await emitAck(alice, 'call:end', { callId: started.callId }, WAIT_MS)
  const bobHeard = await waitFor(bob, 'call:ended', () => true, WAIT_MS)
  // both are free again: Bob (second process) rings Alice (first); it still rings at shutdown
  const again = await emitAck(bob, 'call:start', { conversationId: DIRECT }, WAIT_MS)
  const aliceRung = await waitFor(alice, 'incoming-call', r => r.callId === again.callId, WAIT_MS)
  return {
    started, ring, accepted, aliceHeard, group, busy: { ...busy, userIds: [...busy.userIds].sort() },
    ended, bobHeard, again: again.ok, aliceRung: aliceRung.from
  }
}

function expectedCall(result) {
  const callId = result.started.callId
  return {
    started: { ok: true, callId: expect.any(String) },
    ring: { callId, conversationId: DIRECT, from: id('alice'), media: 'audio' },
    accepted: { ok: true, callId },
    aliceHeard: { callId, conversationId: DIRECT, by: id('bob') },
    group: { ok: true, callId: expect.any(String) },
    busy: { callId: result.group.callId, conversationId: GROUP, userIds: [id('alice'), id('bob')].sort() },
    ended: { ok: true, callId },
    bobHeard: { callId, conversationId: DIRECT, by: id('alice'), reason: 'hangup' },
    again: true,
    aliceRung: id('bob')
  }
}

/** Client connections to `port`: not the redis-cli asking, nor a replication link (flags S or M). */
async function redisClients(port) {
  return parseClientList(await cli(port, ['CLIENT', 'LIST']))
    .filter(c => c.cmd !== 'client|list' && !/[SM]/.test(c.flags))
}

/** The heartbeats RedisCallStore keeps on `port` (the master of its slot): one value per process. */
async function heartbeats(port) {
  const keys = (await cli(port, ['--scan', '--pattern', '{agora-call}:*nodes'])).split('\n').filter(k => NODES_KEY.test(k))
  if (keys.length !== 1) return { keys }
  const flat = (await cli(port, ['HGETALL', keys[0]])).split('\n')
  return flat.filter((_, i) => i % 2 === 1)
}

/**
 * SIGTERM to both processes with the users still connected (as at a deploy):
 * resolves with how each exited and why each user was disconnected.
 */
async function shutDown(processes, clients) {
  const reasons = Object.values(clients).map(c => new Promise(resolve => c.socket.once('disconnect', resolve)))
  await Promise.all(processes.map(p => stopChild(p.child, 'SIGTERM'))) // SIGKILL after 3 s
  return {
    exits: processes.map(p => [p.child.exitCode, p.child.signalCode]),
    disconnects: await Promise.all(reasons)
  }
}

// io.close() closes each connection without a disconnect packet: the clients see "transport close"
const SHUT_DOWN = { exits: [[0, null], [0, null]], disconnects: ['transport close', 'transport close', 'transport close'] }
const LIVE = expect.not.stringMatching(/^0 0$/) // store.close() writes "0 0": gone

describeRedis('README: example/docs/redis.js (one Redis)', () => {
  let redis
  let processes = []
  let clients = {}
  beforeAll(async () => {
    redis = await RedisServer.start()
    processes = await Promise.all([0, 1].map(() => startExample('redis.js', { REDIS_URL: redis.url })))
    clients = await connectUsers(...processes)
  })
  afterAll(async () => {
    disconnectAll(Object.values(clients))
    if (redis) await redis.close()
  })

  test('a call rings from one process to the other, is accepted, is busy for a third user, and ends', async () => {
    const result = await callAcross(clients)
    expect(result).toEqual(expectedCall(result))
  })

  test('SIGTERM with users connected: close() marks both gone in Redis, exits 0, leaves no connection', async () => {
    expect((await redisClients(redis.port)).length).toBe(4) // a command and a subscriber connection each
    expect(await heartbeats(redis.port)).toEqual([LIVE, LIVE])
    expect(await shutDown(processes, clients)).toEqual(SHUT_DOWN)
    expect(await heartbeats(redis.port)).toEqual(['0 0', '0 0'])
    expect(await redisClients(redis.port)).toEqual([])
  })
})

describeRedis('README: example/docs/redis-cluster.js (Redis Cluster, sharded adapter)', () => {
  let cluster
  let processes = []
  let clients = {}
  beforeAll(async () => {
    cluster = await RedisCluster.start()
    // each process gets other seeds (REDIS_CLUSTER): the client finds the rest of the cluster
    const seeds = cluster.seeds.split(',')
    processes = await Promise.all([seeds.slice(0, 2), seeds.slice(3)].map(s =>
      startExample('redis-cluster.js', { REDIS_CLUSTER: s.join(',') })))
    clients = await connectUsers(...processes)
  }, 60000)
  afterAll(async () => {
    disconnectAll(Object.values(clients))
    if (cluster) await cluster.close()
  })

  test('a call rings from one process to the other, is accepted, is busy for a third user, and ends', async () => {
    const result = await callAcross(clients)
    expect(result).toEqual(expectedCall(result))
  })

  test('SIGTERM with users connected: close() marks both gone in Redis, exits 0, and no node keeps a connection', async () => {
    const ports = cluster.nodes.map(n => n.port)
    const master = await cluster.masterOf('{agora-call}:')
    expect((await Promise.all(ports.map(redisClients))).flat().length).toBeGreaterThan(0)
    expect(await heartbeats(master)).toEqual([LIVE, LIVE])
    expect(await shutDown(processes, clients)).toEqual(SHUT_DOWN)
    expect(await heartbeats(master)).toEqual(['0 0', '0 0'])
    expect((await Promise.all(ports.map(redisClients))).flat()).toEqual([])
  })
}, { cli: true })
