'use strict'
// RedisDedupeStore on a real redis-server (spawned on a free loopback port, no
// persistence): two routers with their own clients stand for two processes
// behind one load balancer, as Agora's retries may land on either.
//
// redis-server is required in CI: without it this file FAILS when CI is set
// (unless SKIP_REDIS_TESTS=1) and is skipped, saying why, elsewhere
// (REDIS_SERVER_PATH overrides the binary).
const { missingPrerequisite } = require('../helpers/ci')
const { spawn, spawnSync } = require('child_process')
const crypto = require('crypto')
const { freePort } = require('../redis/harness')
const express = require('express')
const request = require('supertest')
const { createWebhookRouter, RedisDedupeStore } = require('../../lib/webhooks')

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server'
const SKIP = process.env.SKIP_REDIS_TESTS === '1'
const SECRET = crypto.randomBytes(16).toString('hex')

function missing() {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    return `redis-server is not installed (${REDIS_SERVER}): apt-get install redis-server (or set REDIS_SERVER_PATH), ` +
      'or set SKIP_REDIS_TESTS=1'
  }
  return null
}
const problem = missing()
if (problem) missingPrerequisite('the Redis dedupe tests need redis-server', problem, { skip: SKIP })

const body = (extra = {}) => JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType: 107, notifyMs: Date.now(),
  payload: { channelName: 'conv-1', uid: 7, platform: 7, ts: 1700000000 }, ...extra })
const sign = (raw) => ({ 'Agora-Signature-V2': crypto.createHmac('sha256', SECRET).update(raw).digest('hex') })
const post = (app, raw) => request(app).post('/ncs').set('Content-Type', 'application/json').set(sign(raw)).send(raw)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

;(problem ? describe.skip : describe)('RedisDedupeStore on a real redis-server', () => {
  let server
  let url
  const clients = []

  async function client() {
    const { createClient } = require('redis')
    const c = createClient({ url })
    c.on('error', () => {})
    await c.connect()
    clients.push(c)
    return c
  }

  async function node(onEvent, storeOptions = {}) {
    const store = new RedisDedupeStore({ client: await client(), prefix: 'test:ncs:', ...storeOptions })
    const app = express()
    app.use('/ncs', createWebhookRouter({ secret: SECRET, dedupe: store, onEvent, onError: () => {} }))
    return { app, store }
  }

  beforeAll(async () => {
    const port = await freePort()
    server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10000)
      server.stdout.on('data', (c) => {
        out += c
        if (/Ready to accept connections/.test(out)) { clearTimeout(timer); resolve() }
      })
      server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}):\n${out}`)) })
    })
    url = `redis://127.0.0.1:${port}`
  }, 20000)

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => {})))
    if (server && server.exitCode === null) {
      await new Promise((resolve) => { server.once('exit', resolve); server.kill('SIGTERM') })
    }
  })

  test('one notification delivered to two processes at once, and again later, runs its handler once', async () => {
    let calls = 0
    const onEvent = async () => { calls++; await sleep(100) }
    const a = await node(onEvent)
    const b = await node(onEvent)
    for (let round = 0; round < 5; round++) {
      const raw = body()
      const [ra, rb] = await Promise.all([post(a.app, raw), post(b.app, raw)])
      expect([ra.status, rb.status].sort()).toEqual([200, 409])
      expect((await post(b.app, raw)).body).toEqual({ ok: true, duplicate: true })
      expect((await post(a.app, raw)).body).toEqual({ ok: true, duplicate: true })
    }
    expect(calls).toBe(5)
  })

  test('a handler that fails on one process is retried on the other; the key then lives ttlMs', async () => {
    const seen = []
    const a = await node(async (e) => { seen.push(`a ${e.noticeId}`); throw new Error('down') })
    const b = await node(async (e) => { seen.push(`b ${e.noticeId}`) }, { ttlMs: 30000 })
    const raw = body()
    const id = JSON.parse(raw).noticeId
    expect((await post(a.app, raw)).status).toBe(500)
    const redis = clients[clients.length - 1]
    expect(await redis.get(`test:ncs:${id}`)).toBeNull() // released: nothing blocks the retry
    expect((await post(b.app, raw)).status).toBe(200)
    expect((await post(a.app, raw)).body.duplicate).toBe(true)
    expect(seen).toEqual([`a ${id}`, `b ${id}`])
    expect(await redis.get(`test:ncs:${id}`)).toBe('done')
    const pttl = await redis.pTTL(`test:ncs:${id}`)
    expect(pttl).toBeGreaterThan(25000)
    expect(pttl).toBeLessThanOrEqual(30000)
  })

  test('a claim left by a process that died frees itself after the lease; release only frees its own claim', async () => {
    const { store } = await node(() => {})
    const first = await store.claim('dead', 200)
    expect(first.claimed).toBe(true)
    expect(await store.claim('dead', 200)).toEqual({ claimed: false, state: 'pending' })
    await sleep(300)
    const second = await store.claim('dead', 5000)
    expect(second.claimed).toBe(true)
    await store.release('dead', first.token) // the old holder's late release must not free the new claim
    expect(await store.claim('dead', 5000)).toEqual({ claimed: false, state: 'pending' })
    await store.release('dead', second.token)
    expect((await store.claim('dead', 5000)).claimed).toBe(true)
  })

  test('the client is checked', () => {
    expect(() => new RedisDedupeStore({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => new RedisDedupeStore({ client: { get() {} } })).toThrow(TypeError)
    expect(() => new RedisDedupeStore({ client: { call() {} }, ttlMs: 0 })).toThrow(RangeError)
    expect(() => new RedisDedupeStore({ client: { call() {} }, tttl: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})
