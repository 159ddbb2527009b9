'use strict'
// README "Channel events": example/docs/webhooks.js receives a signed notification once.
const crypto = require('crypto')
const request = require('supertest')

const SECRET = crypto.randomBytes(16).toString('hex')
process.env.AGORA_NCS_SECRET = SECRET
const { createApp } = require('../../example/docs/webhooks')

test('a signed broadcaster-join reaches onEvent once; a bad signature is 401; the rest of the app parses JSON', async () => {
  const seen = []
  const app = createApp({ seen })
  app.post('/echo', (req, res) => res.json(req.body))
  const body = JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType: 103, notifyMs: Date.now(),
    payload: { channelName: 'conv-1', uid: 42, platform: 1, clientSeq: 1, ts: 1 } })
  const sig = crypto.createHmac('sha256', SECRET).update(body).digest('hex')
  const post = (s) => request(app).post('/agora/events').set('Content-Type', 'application/json').set('Agora-Signature-V2', s).send(body)
  expect((await post(sig)).status).toBe(200)
  expect((await post(sig)).body).toEqual({ ok: true, duplicate: true })
  expect((await post('0'.repeat(64))).status).toBe(401)
  expect(seen).toEqual([['conv-1', 42, null]]) // a uid event has no account
  expect((await request(app).post('/echo').send({ a: 1 })).body).toEqual({ a: 1 })
})
