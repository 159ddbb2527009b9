'use strict'
// Review of issue 15: RedisDedupeStore with a node-redis cluster client
// (createCluster), the client the rest of the package accepts (RedisCallStore,
// example/redis-client.js). Two routers with their own cluster clients stand
// for two processes; a real 3-master + 3-replica Redis Cluster from the harness.
const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const { describeRedis, RedisCluster } = require('../../redis/harness')
const { createWebhookRouter, RedisDedupeStore } = require('../../../lib/webhooks')

const SECRET = crypto.randomBytes(16).toString('hex')
const body = () => JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType: 107, notifyMs: Date.now(),
  payload: { channelName: 'conv-1', uid: 7, platform: 7, ts: 1700000000 } })
const sign = (raw) => ({ 'Agora-Signature-V2': crypto.createHmac('sha256', SECRET).update(raw).digest('hex') })
const post = (app, raw) => request(app).post('/ncs').set('Content-Type', 'application/json').set(sign(raw)).send(raw)

describeRedis('RedisDedupeStore on a Redis Cluster (node-redis createCluster)', () => {
  let cluster
  const clients = []

  beforeAll(async () => {
    cluster = await RedisCluster.start({ nodeTimeoutMs: 1000 })
  }, 60000)

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})))
    if (cluster) await cluster.close()
  })

  async function node(onEvent) {
    const { createCluster } = require('redis')
    const client = createCluster({ rootNodes: cluster.rootNodes })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    const errors = []
    const app = express()
    app.use('/ncs', createWebhookRouter({ secret: SECRET, dedupe: new RedisDedupeStore({ client }), onEvent,
      onError: (err) => errors.push(err) }))
    return { app, errors }
  }

  test('one notification on two processes runs its handler once; replays are duplicates; a failure is retried', async () => {
    let calls = 0
    let fail = false
    const onEvent = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 100))
      if (fail) { fail = false; throw new Error('down') }
    }
    const a = await node(onEvent)
    const b = await node(onEvent)
    for (let round = 0; round < 3; round++) {
      const raw = body()
      const [ra, rb] = await Promise.all([post(a.app, raw), post(b.app, raw)])
      expect([ra.status, rb.status].sort()).toEqual([200, 409])
      expect((await post(b.app, raw)).body).toEqual({ ok: true, duplicate: true })
    }
    expect(calls).toBe(3)
    fail = true
    const raw = body()
    expect((await post(a.app, raw)).status).toBe(500)
    expect((await post(b.app, raw)).status).toBe(200) // released on the cluster: the retry runs it
    expect(calls).toBe(5)
    expect([...a.errors, ...b.errors].map((e) => e.code || e.message)).toEqual(['down'])
  }, 60000)
}, { cli: true })
