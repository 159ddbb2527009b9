'use strict'
// createWebhookRouter over real HTTP (supertest against an Express app), with
// notifications signed by Node's crypto as Agora signs them.
const crypto = require('crypto')
const util = require('util')
const express = require('express')
const request = require('supertest')
const { createWebhookRouter, MemoryDedupeStore, verifyNotification } = require('../../lib/webhooks')

const SECRET = 'ncs-' + crypto.randomBytes(12).toString('hex')
const PATH = '/agora/events'

function body(eventType = 103, payload = {}, extra = {}) {
  return JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType, notifyMs: Date.now(), sid: 'S1',
    payload: { channelName: 'conv-1', uid: 42, platform: 7, ts: 1700000000, account: 'user-42', ...payload }, ...extra })
}
const sign = (raw, secret = SECRET) => ({
  'Agora-Signature-V2': crypto.createHmac('sha256', secret).update(raw).digest('hex'),
  'Agora-Signature': crypto.createHmac('sha1', secret).update(raw).digest('hex')
})

// Everything the outside world sees: statuses, headers and bodies, and everything logged.
const seen = []
function post(app, raw, headers = sign(raw), path = PATH) {
  const req = request(app).post(path).set('Content-Type', 'application/json')
  for (const [k, v] of Object.entries(headers)) req.set(k, v)
  return req.send(raw).then((res) => {
    seen.push(JSON.stringify({ status: res.status, headers: res.headers, text: res.text }))
    return res
  })
}

function makeApp(options = {}, { before } = {}) {
  const events = []
  const errors = []
  const app = express()
  if (before) app.use(before)
  const router = createWebhookRouter({
    secret: SECRET,
    onEvent: (event, context) => { events.push({ event, context }) },
    onError: (err) => { errors.push(err); seen.push(util.inspect(err, { depth: 5 })) },
    ...options
  })
  app.use(PATH, router)
  app.use(express.json())
  app.post('/api/echo', (req, res) => res.json({ echo: req.body }))
  return { app, events, errors }
}

const deferred = () => {
  let resolve, reject
  const promise = new Promise((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('createWebhookRouter', () => {
  test('a signed notification reaches onEvent typed, and is answered 200 with JSON', async () => {
    const { app, events, errors } = makeApp()
    const raw = body(104, { reason: 1, duration: 600 })
    const res = await post(app, raw)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true })
    expect(res.headers['cache-control']).toBe('no-store')
    expect(events).toHaveLength(1)
    expect(events[0].event).toMatchObject({ type: 'broadcaster-leave', channelName: 'conv-1', uid: 42, account: 'user-42',
      platformName: 'web', reasonName: 'quit', duration: 600, ts: 1700000000 })
    expect(events[0].context.version).toBe('v2')
    expect(events[0].context.req.headers['content-type']).toBe('application/json')
    expect(errors).toEqual([])
    // V1 alone, uppercase hex.
    const raw2 = body()
    const res2 = await post(app, raw2, { 'agora-signature': sign(raw2)['Agora-Signature'].toUpperCase() })
    expect(res2.status).toBe(200)
    expect(events[1].context.version).toBe('v1')
    // Mounted at a path: a trailing slash is the same route; other paths and methods are not it.
    expect((await post(app, body(), undefined, PATH + '/')).status).toBe(200)
    expect((await request(app).get(PATH)).status).toBe(405)
    expect((await request(app).get(PATH)).headers.allow).toBe('POST')
    expect((await post(app, body(), undefined, PATH + '/other')).status).toBe(404)
  })

  test('401, 400 and 413 answers, and the handler never runs for them', async () => {
    const { app, events } = makeApp({ limit: 2048 })
    const raw = body()
    const h = sign(raw)
    const cases = [
      [raw, {}, 401, 'SIGNATURE_MISSING'],
      [raw, { 'Agora-Signature-V2': '' }, 401, 'SIGNATURE_MISSING'],
      [raw.replace('"uid":42', '"uid":43'), h, 401, 'SIGNATURE_INVALID'],
      [raw, sign(raw, 'wrong-secret'), 401, 'SIGNATURE_INVALID'],
      [raw, { 'Agora-Signature-V2': h['Agora-Signature-V2'].slice(2), 'Agora-Signature': h['Agora-Signature'] }, 401,
        'SIGNATURE_INVALID'],
      ['not json', sign('not json'), 400, 'INVALID_JSON'],
      ['[1]', sign('[1]'), 400, 'INVALID_NOTIFICATION'],
      ['', sign(''), 400, 'INVALID_JSON']
    ]
    for (const [b, headers, status, code] of cases) {
      const res = await post(app, b, headers)
      expect([res.status, res.body.error && res.body.error.code]).toEqual([status, code])
      expect(typeof res.body.error.message).toBe('string')
    }
    // Over the limit, with a Content-Length, and chunked (no length): never read to the end, never hashed.
    const big = body(103, { pad: 'x'.repeat(4000) })
    const res = await post(app, big)
    expect([res.status, res.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE'])
    const chunked = await new Promise((resolve, reject) => {
      const server = app.listen(0, '127.0.0.1', () => {
        const http = require('http')
        const req = http.request({ port: server.address().port, host: '127.0.0.1', path: PATH, method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', ...sign(big) } }, (r) => {
            let text = ''
          r.on('data', (c) => { text += c })
          r.on('end', () => { server.close(); resolve({ status: r.statusCode, text }) })
          })
        req.on('error', (e) => { server.close(); reject(e) })
        for (let i = 0; i < big.length; i += 500) req.write(big.slice(i, i + 500))
        req.end()
      })
    })
    expect(chunked.status).toBe(413)
    expect(JSON.parse(chunked.text).error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(events).toEqual([])
    // At the limit: fine.
    const fit = body(103, { pad: '' })
    const exact = fit.replace('"pad":""', `"pad":"${'y'.repeat(2048 - fit.length)}"`)
    expect(exact.length).toBe(2048)
    expect((await post(app, exact)).status).toBe(200)
  })

  test('mounted before express.json(), the rest of the app parses JSON as before', async () => {
    const { app, events } = makeApp()
    const res = await request(app).post('/api/echo').send({ hello: 'world' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ echo: { hello: 'world' } })
    expect((await post(app, body())).status).toBe(200)
    expect(events).toHaveLength(1)
  })

  test('a body parser that ran first gets a clear 500 naming the fix, reported to onError', async () => {
    const { app, events, errors } = makeApp({}, { before: express.json() })
    const res = await post(app, body())
    expect(res.status).toBe(500)
    expect(res.body.error.code).toBe('WEBHOOK_BODY_CONSUMED')
    expect(res.body.error.message).toMatch(/before express\.json\(\)/)
    expect(errors).toHaveLength(1)
    expect(errors[0].code).toBe('ERR_AGORA_WEBHOOK_BODY_CONSUMED')
    expect(events).toEqual([])
    // A JSON parser that re-serializes would be tempting to verify; it is never done.
    const text = await makeApp({}, { before: express.text({ type: '*/*' }) })
    expect((await post(text.app, body())).body.error.code).toBe('WEBHOOK_BODY_CONSUMED')
    // express.raw() keeps the exact bytes: those are verified.
    const raw = makeApp({}, { before: express.raw({ type: 'application/json' }) })
    const r = await post(raw.app, body())
    expect(r.status).toBe(200)
    expect(raw.events).toHaveLength(1)
    const tampered = await post(raw.app, body(), sign(body()))
    expect(tampered.status).toBe(401)
  })

  test('replays are handled once; a delivery while the first is running answers 409', async () => {
    const gate = deferred()
    let calls = 0
    const { app } = makeApp({ onEvent: async () => { calls++; await gate.promise } })
    const raw = body()
    const first = post(app, raw)
    await new Promise((r) => setTimeout(r, 50))
    const during = await post(app, raw)
    expect([during.status, during.body.error.code]).toEqual([409, 'WEBHOOK_IN_PROGRESS'])
    gate.resolve()
    expect((await first).status).toBe(200)
    for (let i = 0; i < 3; i++) {
      const again = await post(app, raw)
      expect(again.status).toBe(200)
      expect(again.body).toEqual({ ok: true, duplicate: true })
    }
    expect(calls).toBe(1)
    // A retry is a new body (notifyMs changes) with the same noticeId: still once.
    const retry = JSON.stringify({ ...JSON.parse(raw), notifyMs: Date.now() + 5000 })
    expect((await post(app, retry)).body).toEqual({ ok: true, duplicate: true })
    expect(calls).toBe(1)
    // dedupe: false runs the handler every time; a body without noticeId is never de-duplicated.
    const off = makeApp({ dedupe: false })
    await post(off.app, raw)
    await post(off.app, raw)
    expect(off.events).toHaveLength(2)
    const anon = makeApp()
    const noId = JSON.stringify({ productId: 1, eventType: 101, payload: { channelName: 'c' } })
    await post(anon.app, noId)
    await post(anon.app, noId)
    expect(anon.events).toHaveLength(2)
  })

  test('200 only once onEvent has settled; a failure is a 500 and the retry runs the handler again', async () => {
    const order = []
    const gate = deferred()
    let fail = true
    const { app, errors } = makeApp({
      onEvent: async (event) => {
        order.push(`start ${event.type}`)
        await gate.promise
        if (fail) { fail = false; throw new Error('database down') }
        order.push('done')
      }
    })
    const raw = body(101, { channelName: 'c' })
    const pending = post(app, raw).then((res) => { order.push(`answered ${res.status}`); return res })
    await new Promise((r) => setTimeout(r, 100))
    expect(order).toEqual(['start channel-create']) // no answer while the handler runs
    gate.resolve()
    const failed = await pending
    expect(failed.body.error.code).toBe('WEBHOOK_HANDLER_FAILED')
    expect(errors.map((e) => e.message)).toEqual(['database down'])
    const retried = await post(app, raw)
    expect(retried.status).toBe(200)
    expect(order).toEqual(['start channel-create', 'answered 500', 'start channel-create', 'done'])
    expect((await post(app, raw)).body.duplicate).toBe(true)
    // A rejection with a non-Error and a synchronous throw are handler failures too.
    const odd = makeApp({ onEvent: () => Promise.reject('nope') })
    expect((await post(odd.app, body())).status).toBe(500)
    expect(odd.errors[0].code).toBe('ERR_AGORA_WEBHOOK_HANDLER')
    const sync = makeApp({ onEvent: () => { throw new TypeError('bug') } })
    expect((await post(sync.app, body())).status).toBe(500)
  })

  test('a failing store is a 503 (Agora sends again), never a handler run without de-duplication', async () => {
    const broken = { claim: async () => { throw new Error('ECONNREFUSED') }, complete: async () => {}, release: async () => {} }
    const { app, events, errors } = makeApp({ dedupe: broken })
    const res = await post(app, body())
    expect([res.status, res.body.error.code]).toEqual([503, 'WEBHOOK_STORE_FAILED'])
    expect(events).toEqual([])
    expect(errors[0].code).toBe('ERR_AGORA_WEBHOOK_STORE')
    // A store that fails to mark done after a success: still 200, reported.
    const late = makeApp({ dedupe: { claim: async () => ({ claimed: true, token: 't' }), complete: async () => { throw new Error('x') },
      release: async () => {} } })
    expect((await post(late.app, body())).status).toBe(200)
    expect(late.errors[0].code).toBe('ERR_AGORA_WEBHOOK_STORE')
  })

  test('the memory store forgets after its lifetime and keeps at most max entries', async () => {
    const store = new MemoryDedupeStore({ ttlMs: 80, max: 3 })
    const { app, events } = makeApp({ dedupe: store })
    const raw = body()
    await post(app, raw)
    expect((await post(app, raw)).body.duplicate).toBe(true)
    await new Promise((r) => setTimeout(r, 120))
    expect((await post(app, raw)).body.duplicate).toBeUndefined()
    expect(events).toHaveLength(2)
    for (let i = 0; i < 10; i++) await post(app, body())
    expect(store.size).toBeLessThanOrEqual(3)
    const c = await store.claim('k', 1000)
    expect(await store.claim('k', 1000)).toEqual({ claimed: false, state: 'pending' })
    await store.release('k', 'not-the-token')
    expect((await store.claim('k', 1000)).claimed).toBe(false)
    await store.release('k', c.token)
    expect((await store.claim('k', 1000)).claimed).toBe(true)
  })

  test('options are checked with typed errors that never show the secret', () => {
    const onEvent = () => {}
    const cases = [
      [undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ onEvent }, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ secret: '', onEvent }, TypeError, 'ERR_INVALID_ARG_VALUE'],
      [{ secret: 42, onEvent }, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ secret: SECRET }, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ secret: SECRET, onEvent, limit: 2 * 1024 * 1024 }, RangeError, 'ERR_OUT_OF_RANGE'],
      [{ secret: SECRET, onEvent, limit: 0 }, RangeError, 'ERR_OUT_OF_RANGE'],
      [{ secret: SECRET, onEvent, dedupe: 'redis' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ secret: SECRET, onEvent, onError: 'log' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
      [{ secret: SECRET, onEvent, secrett: SECRET }, TypeError, 'ERR_INVALID_ARG_VALUE'],
      [{ secret: SECRET.repeat(1000), onEvent }, RangeError, 'ERR_OUT_OF_RANGE']
    ]
    for (const [options, Ctor, code] of cases) {
      let err
      try { createWebhookRouter(options) } catch (e) { err = e }
      expect(err).toBeInstanceOf(Ctor)
      expect(err.code).toBe(code)
      expect(err.message).not.toContain(SECRET)
      expect(err.message).not.toContain(SECRET.slice(4))
    }
    // The secret is copied: changing the caller's Buffer later changes nothing.
    const buf = Buffer.from(SECRET)
    const { app } = makeApp({ secret: buf })
    buf.fill(0)
    return post(app, body()).then((res) => expect(res.status).toBe(200))
  })

  test('the default onError logs without the secret or header values', async () => {
    const logged = []
    const spy = jest.spyOn(console, 'error').mockImplementation((...args) => { logged.push(util.format(...args)) })
    try {
      const app = express()
      app.use(express.json())
      app.use(PATH, createWebhookRouter({ secret: SECRET, onEvent: () => { throw new Error('handler broke') } }))
      const raw = body()
      await post(app, raw)
      const ok = express()
      ok.use(PATH, createWebhookRouter({ secret: SECRET, onEvent: () => { throw new Error('handler broke') } }))
      await post(ok, raw)
    } finally {
      spy.mockRestore()
    }
    expect(logged.join('\n')).toMatch(/WEBHOOK_BODY_CONSUMED|before express\.json/)
    expect(logged.join('\n')).toMatch(/handler broke/)
    seen.push(...logged)
  })

  test('no response or log of this file holds the secret, a signature header value or name', async () => {
    // One more round of every outcome, then the scan over all that was seen above too.
    const { app } = makeApp({ onEvent: (e) => { if (e.type === 'channel-destroy') throw new Error('fail') } })
    const raws = [body(), body(102), 'x', '[]']
    const signatures = []
    for (const raw of raws) {
      const h = sign(raw)
      signatures.push(h['Agora-Signature-V2'], h['Agora-Signature'])
      await post(app, raw, h)
      await post(app, raw + ' ', h)
    }
    const all = seen.join('\n')
    expect(seen.length).toBeGreaterThan(40)
    expect(all).not.toContain(SECRET)
    expect(all.toLowerCase()).not.toContain('agora-signature') // nor the headers' names
    for (const s of signatures) {
      expect(all).not.toContain(s)
      expect(all.toLowerCase()).not.toContain(s.slice(0, 16))
    }
    // verifyNotification itself answers without them too.
    const r = verifyNotification(raws[0], sign(raws[0], 'other'), SECRET)
    expect(JSON.stringify(r)).not.toContain(SECRET)
  })
})
