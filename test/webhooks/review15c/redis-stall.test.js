'use strict'
// Review of issue 15: the router over RedisDedupeStore when redis-server stops
// answering (SIGSTOP: the connections stay open, nothing comes back). Agora
// waits 10 s for an answer; the router must answer before that, must not
// answer 200 without the handler having run, and must not run the handler
// twice for one noticeId across two processes once Redis is back.
const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const { describeRedis, RedisServer } = require('../../redis/harness')
const { createWebhookRouter, RedisDedupeStore } = require('../../../lib/webhooks')

const SECRET = crypto.randomBytes(16).toString('hex')
const body = () => JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType: 107, notifyMs: Date.now(),
  payload: { channelName: 'conv-1', uid: 7, platform: 7, ts: 1700000000 } })
const sign = (raw) => ({ 'Agora-Signature-V2': crypto.createHmac('sha256', SECRET).update(raw).digest('hex') })
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const AGORA_WAIT_MS = 10000

/** A delivery as Agora makes it: it gives up after 10 s. Resolves with the status (or 'no answer') and the time. */
async function deliver(app, raw) {
  const t0 = Date.now()
  try {
    const res = await request(app).post('/ncs').set('Content-Type', 'application/json').set(sign(raw))
      .timeout(AGORA_WAIT_MS).send(raw)
    return { status: res.status, body: res.body, ms: Date.now() - t0 }
  } catch (err) {
    if (err.timeout) return { status: 'no answer', ms: Date.now() - t0 }
    throw err
  }
}

describeRedis('the webhook router while redis-server is stopped (SIGSTOP)', () => {
  let redis
  const clients = []

  beforeAll(async () => {
    redis = await RedisServer.start()
  }, 20000)

  afterEach(() => {
    if (redis) redis.resume() // never leave it stopped for the next test
  })

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})))
    if (redis) await redis.close()
  })

  async function node(name, calls, { afterHandler, delayMs = 200 } = {}) {
    const { createClient } = require('redis')
    const client = createClient({ url: redis.url })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    const app = express()
    app.use('/ncs', createWebhookRouter({
      secret: SECRET,
      dedupe: new RedisDedupeStore({ client, prefix: 'stall:' }),
      onEvent: async (event) => {
        calls.push(`${name} ${event.noticeId}`)
        await sleep(delayMs) // long enough for a second delivery to find the claim taken
        if (afterHandler) afterHandler()
      },
      onError: () => {}
    }))
    return app
  }

  test('a claim Redis does not answer: a 503 before Agora gives up, and once Redis is back one run in all', async () => {
    const calls = []
    const a = await node('a', calls)
    const b = await node('b', calls)
    const raw = body()
    const id = JSON.parse(raw).noticeId
    redis.pause()
    const first = await deliver(a, raw)
    expect(first.status).toBe(503)
    expect(first.ms).toBeLessThan(AGORA_WAIT_MS)
    expect(calls).toEqual([])
    redis.resume()
    await sleep(500) // the stalled SET has landed by now
    // Agora's retry (to either process, here both at once) runs the handler once, and is answered 200.
    const [ra, rb] = await Promise.all([deliver(a, raw), deliver(b, raw)])
    expect([ra.status, rb.status].sort()).toEqual([200, 409])
    expect(calls).toHaveLength(1)
    expect(calls[0].endsWith(id)).toBe(true)
    expect((await deliver(b, raw)).body).toEqual({ ok: true, duplicate: true })
  }, 40000)

  test('Redis stops after the handler ran: 200 before Agora gives up, and the mark lands once Redis is back', async () => {
    const calls = []
    const a = await node('a', calls, { afterHandler: () => redis.pause() })
    const b = await node('b', calls)
    const raw = body()
    const r = await deliver(a, raw)
    expect(calls).toHaveLength(1)
    expect(r.status).toBe(200)
    expect(r.ms).toBeLessThan(AGORA_WAIT_MS)
    redis.resume()
    await sleep(500)
    expect((await deliver(b, raw)).body).toEqual({ ok: true, duplicate: true })
    expect(calls).toHaveLength(1)
  }, 40000)
})
