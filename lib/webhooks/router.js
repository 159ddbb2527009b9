'use strict'
// createWebhookRouter({ secret, onEvent, dedupe, limit, leaseMs, onError }): an
// Express router for Agora's channel-event notifications, answering POST at
// the path it is mounted on:
//
//   app.use('/agora/events', createWebhookRouter({ secret, onEvent }))  // before express.json()
//   app.use(express.json())
//
// It reads the raw body itself (the signature covers the exact bytes), checks
// it, de-duplicates by noticeId, runs onEvent and answers 200 once that has
// settled. Statuses: 401 missing or bad signature, 400 not a JSON object, 413
// over the limit, 409 the same notification is being handled, 500 the handler
// failed (Agora sends it again) or a body parser ran first, 503 the dedupe store
// failed. Bodies are JSON { ok } or { error: { code, message } } and never hold
// the secret or a header's value.
const { invalidType, invalidValue, withCode } = require('../errors')
const { integer } = require('../check')
const { verifyNotification, MAX_BODY, _secretBytes } = require('./verify')
const { MemoryDedupeStore, isStore } = require('./dedupe')

let express
try {
  express = require('express')
} catch (e) {
  const err = new Error('agora-call-token/webhooks needs the "express" package for createWebhookRouter (npm install express)')
  err.code = 'ERR_MODULE_NOT_FOUND'
  err.cause = e
  throw err
}

const KNOWN = ['secret', 'onEvent', 'dedupe', 'limit', 'leaseMs', 'onError']

const CONSUMED_MESSAGE = 'The request body was already read by a body parser, so its signature cannot be checked. ' +
  'Mount the webhook router before express.json() (or any body parser): ' +
  "app.use('/agora/events', createWebhookRouter(...)); app.use(express.json())"

function validate(input) {
  if (input === null || typeof input !== 'object') throw invalidType('options', 'an object', input)
  const o = {}
  for (const key of Object.keys(input)) {
    if (!KNOWN.includes(key)) throw invalidValue(`options.${key}`, 'is not a known option')
    o[key] = input[key]
  }
  if (o.secret === undefined) throw invalidType('options.secret', 'a string or Buffer (the NCS secret from Agora Console)')
  // A private copy: a caller's Buffer changed later cannot change the key.
  const key = _secretBytes(o.secret, 'options.secret')
  const secret = Buffer.alloc(key.bytes.length)
  secret.set(key.bytes)
  if (key.owned) key.bytes.fill(0)
  if (typeof o.onEvent !== 'function') throw invalidType('options.onEvent', 'a function (event, context) => void | Promise', o.onEvent)
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw invalidType('options.onError', 'a function (err, req) => void', o.onError)
  }
  let store = null
  if (o.dedupe === undefined || o.dedupe === true) store = new MemoryDedupeStore()
  else if (isStore(o.dedupe)) store = o.dedupe
  else if (o.dedupe !== false) {
    throw invalidType('options.dedupe', 'true, false, a MemoryDedupeStore, a RedisDedupeStore or { claim, complete, release }', o.dedupe)
  }
  return {
    secret,
    onEvent: o.onEvent,
    onError: o.onError || defaultOnError,
    store,
    limit: o.limit === undefined ? MAX_BODY : integer('options.limit', o.limit, 1, MAX_BODY),
    leaseMs: o.leaseMs === undefined ? 60000 : integer('options.leaseMs', o.leaseMs, 1, 24 * 60 * 60 * 1000)
  }
}

function defaultOnError(err) {
  // Our own errors carry a code and a fixed message; an onEvent error is the app's own.
  console.error('[agora-call-token] webhook:', err && err.stack ? err.stack : err)
}

function send(res, status, code, message) {
  res.set('Cache-Control', 'no-store')
  if (code === undefined) return res.status(status).json({ ok: true, ...message })
  return res.status(status).json({ error: { code, message } })
}

const REJECT = {
  'missing-signature': [401, 'SIGNATURE_MISSING', 'The notification carries no signature (see the README: Channel events (webhooks))'],
  signature: [401, 'SIGNATURE_INVALID', 'The signature does not match the body'],
  'too-large': [413, 'PAYLOAD_TOO_LARGE', 'The request body is too large'],
  'not-json': [400, 'INVALID_JSON', 'The request body is not valid JSON'],
  'not-object': [400, 'INVALID_NOTIFICATION', 'The request body is not a JSON object']
}

/** A body parser that ran before us: the stream is read (or being read), or it left a flag. */
function consumed(req) {
  return req._body === true || req.readableEnded === true || req.readableDidRead === true
}

class TooLarge extends Error {}

/** The raw body, at most limit bytes (TooLarge past that). */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    const done = (err, body) => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', done)
      req.off('close', onClose)
      if (err) reject(err)
      else resolve(body)
    }
    const onData = (chunk) => {
      size += chunk.length
      if (size > limit) return done(new TooLarge())
      chunks.push(chunk)
    }
    const onEnd = () => done(null, Buffer.concat(chunks, size))
    const onClose = () => done(withCode(new Error('the request was aborted before its body was read'), 'ERR_AGORA_WEBHOOK_ABORTED'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', done)
    req.on('close', onClose)
  })
}

/** 413 without reading on: the rest is drained and the connection closed after the answer. */
function tooLarge(req, res) {
  res.set('Connection', 'close')
  req.resume()
  const [status, code, message] = REJECT['too-large']
  return send(res, status, code, message)
}

/**
 * @returns {import('express').Router}
 */
function createWebhookRouter(options) {
  const opts = validate(options)
  const router = express.Router()

  function fault(err, req) {
    try {
      opts.onError(err, req)
    } catch {
      // a logger that throws must not take the request down
    }
  }

  async function handle(req, res) {
    res.set('Cache-Control', 'no-store')
    let body
    if (Buffer.isBuffer(req.body) && consumed(req)) {
      body = req.body // express.raw() ran first: those are the bytes received
    } else if (consumed(req)) {
      fault(withCode(new Error(CONSUMED_MESSAGE), 'ERR_AGORA_WEBHOOK_BODY_CONSUMED'), req)
      return send(res, 500, 'WEBHOOK_BODY_CONSUMED', CONSUMED_MESSAGE)
    } else {
      const declared = Number(req.headers['content-length'])
      if (declared > opts.limit) return tooLarge(req, res)
      try {
        body = await readBody(req, opts.limit)
      } catch (err) {
        if (err instanceof TooLarge) return tooLarge(req, res)
        return undefined // the client is gone: nobody to answer
      }
    }
    if (body.length > opts.limit) return tooLarge(req, res)

    const result = verifyNotification(body, req.headers, opts.secret)
    if (!result.valid) {
      const [status, code, message] = REJECT[result.reason]
      return send(res, status, code, message)
    }
    const { event } = result
    const context = { req, version: result.version }
    const key = event.noticeId || null // '' names no notification: never a dedupe key
    if (!opts.store || key === null) return run(req, res, event, context, null, null)

    let claim
    try {
      claim = await opts.store.claim(key, opts.leaseMs)
    } catch (err) {
      fault(withCode(new Error('the webhook dedupe store failed', { cause: err }), 'ERR_AGORA_WEBHOOK_STORE'), req)
      return send(res, 503, 'WEBHOOK_STORE_FAILED', 'The notification could not be recorded; it will be sent again')
    }
    if (!claim || claim.claimed !== true) {
      if (claim && claim.state === 'done') return send(res, 200, undefined, { duplicate: true })
      return send(res, 409, 'WEBHOOK_IN_PROGRESS', 'This notification is being handled; it will be sent again')
    }
    return run(req, res, event, context, key, claim.token)
  }

  async function run(req, res, event, context, key, token) {
    try {
      await opts.onEvent(event, context)
    } catch (err) {
      fault(err instanceof Error ? err : withCode(new Error('onEvent rejected with a non-Error', { cause: err }),
        'ERR_AGORA_WEBHOOK_HANDLER'), req)
      if (key !== null) {
        try {
          await opts.store.release(key, token) // Agora's retry must run the handler again
        } catch (e) {
          fault(withCode(new Error('the webhook dedupe store failed', { cause: e }), 'ERR_AGORA_WEBHOOK_STORE'), req)
        }
      }
      return send(res, 500, 'WEBHOOK_HANDLER_FAILED', 'The notification could not be handled; it will be sent again')
    }
    if (key !== null) {
      try {
        await opts.store.complete(key, token)
      } catch (err) {
        // Handled all the same: answer 200. Only a replay within the lease would be refused.
        fault(withCode(new Error('the webhook dedupe store failed', { cause: err }), 'ERR_AGORA_WEBHOOK_STORE'), req)
      }
    }
    return send(res, 200, undefined, {})
  }

  router.post('/', (req, res, next) => {
    handle(req, res).catch((err) => {
      fault(err, req)
      if (!res.headersSent) send(res, 500, 'INTERNAL', 'Internal server error')
      else next(err)
    })
  })
  router.all('/', (req, res) => {
    res.set('Allow', 'POST')
    send(res, 405, 'METHOD_NOT_ALLOWED', 'Agora notifications are POSTed')
  })
  return router
}

module.exports = { createWebhookRouter }
