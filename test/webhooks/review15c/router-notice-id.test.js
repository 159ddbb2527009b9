'use strict'
// Review of issue 15: de-duplication must only merge deliveries of one
// notification. A body whose noticeId is the empty string names none, so two
// different such notifications must both reach onEvent (the router must not
// answer 200 "duplicate" for one whose handler never ran).
const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const { createWebhookRouter } = require('../../../lib/webhooks')

const SECRET = crypto.randomBytes(16).toString('hex')
const sign = (raw) => ({ 'Agora-Signature-V2': crypto.createHmac('sha256', SECRET).update(raw).digest('hex') })
const post = (app, raw) => request(app).post('/ncs').set('Content-Type', 'application/json').set(sign(raw)).send(raw)

test('two different notifications with an empty noticeId both run the handler', async () => {
  const seen = []
  const app = express()
  app.use('/ncs', createWebhookRouter({ secret: SECRET, onEvent: (e) => { seen.push(e.uid) }, onError: () => {} }))
  const join = (uid) => JSON.stringify({ noticeId: '', productId: 1, eventType: 107, notifyMs: Date.now(),
    payload: { channelName: 'conv-1', uid, platform: 7, ts: 1700000000 } })
  const first = await post(app, join(1))
  const second = await post(app, join(2))
  expect([first.status, second.status]).toEqual([200, 200])
  expect(second.body).toEqual({ ok: true })
  expect(seen).toEqual([1, 2])
})
