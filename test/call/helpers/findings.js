'use strict'
// The helpers of issue 11's findings tests (test/call/findings.test.js and
// test/call/timing/findings-*.test.js): one server, one set of ids.
const crypto = require('crypto')
const express = require('express')
const request = require('supertest')
const mongoose = require('mongoose')
const { Server } = require('socket.io')
const { ObjectId } = require('bson')
const { createCallTokenRouter } = require('../../../lib/express')
const { attachCallSignaling } = require('../../../lib/socket')
const { listen, close, urlOf } = require('../../helpers/http')
const { connectClient, emitAck, disconnectAll } = require('../../helpers/sockets')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

// 24-hex ids with letters in them, so that letter case matters
const ALICE = '65b0aaaa0000000000000001'
const BOB = '65b0bbbb0000000000000002'
const CAROL = '65b0cccc0000000000000003'
const EVE = '65b0eeee0000000000000009' // never a member

/** Resolves like `promise`, or rejects with `what` once `ms` have passed. */
function within(promise, ms, what) {
  let timer
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** An acked emit that fails with a readable message when the server does not answer. */
function ask(client, event, payload, ms = 1000) {
  return emitAck(client, event, payload, ms).catch(err => {
    throw new Error(`${event} ${JSON.stringify(payload)}: no ack within ${ms} ms (${err.message})`)
  })
}

async function timedAsk(client, event, payload, ms) {
  const t0 = performance.now()
  const ack = await ask(client, event, payload, ms)
  return { ack, ms: performance.now() - t0 }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** A promise with its resolve function outside. */
function deferred() {
  let resolve
  const promise = new Promise(r => { resolve = r })
  return { promise, resolve }
}

/** Test-only auth: the handshake's auth.userId. */
function testAuth(socket, next) {
  const { userId } = socket.handshake.auth || {}
  if (typeof userId === 'string') socket.data.userId = userId
  next()
}

/**
 * An in-process express + socket.io server on 127.0.0.1. `x-user` names the
 * HTTP user (an ObjectId when it is 24 hex, else the string).
 */
async function startServer({ findConversation, router = {}, signaling = {}, namespaces = {} }) {
  const app = express()
  app.use((req, res, next) => {
    const u = req.get('x-user')
    if (u) req.user = { _id: /^[0-9a-fA-F]{24}$/.test(u) ? new ObjectId(u) : u }
    next()
  })
  const routerErrors = []
  app.use('/api/call', createCallTokenRouter({
    appId: APP_ID, appCertificate: CERT, findConversation,
    onError: (err, req) => routerErrors.push({ err, req }), ...router
  }))
  const server = await listen(app)
  const io = new Server(server)
  const faults = []
  const handles = {}
  io.use(testAuth)
  handles['/'] = attachCallSignaling(io, { findConversation, onError: err => faults.push(err), ...signaling })
  for (const [name, opts] of Object.entries(namespaces)) {
    io.of(name).use(testAuth)
    handles[name] = attachCallSignaling(io.of(name), { findConversation, onError: err => faults.push(err), ...opts })
  }
  const clients = []
  return {
    server, io, url: urlOf(server), handles, faults, routerErrors,
    async connect(userId, ns = '') {
      const client = connectClient(urlOf(server) + ns, { userId })
      clients.push(client)
      return client.ready
    },
    async close() {
      disconnectAll(clients)
      for (const h of Object.values(handles)) h.close()
      await new Promise(resolve => io.close(() => resolve()))
      await close(server)
    }
  }
}

/** A record the way mongoose's lean() returns one: ObjectId _id and participants. */
function record(id, members) {
  return { _id: new ObjectId(id), participants: members.map(m => new ObjectId(m)) }
}

/** Like mongoose findById: casts the id (any letter case) to an ObjectId, CastError when it is none. */
function findById(byHex) {
  return async id => {
    let oid
    try {
      oid = new ObjectId(id)
    } catch (_) {
      throw new mongoose.Error.CastError('ObjectId', id, '_id')
    }
    return byHex.get(oid.toHexString()) ?? null
  }
}

function token(server, userId, body) {
  return request(server).post('/api/call/token').set('x-user', userId).send(body)
}

module.exports = {
  APP_ID, CERT, ALICE, BOB, CAROL, EVE, within, ask, timedAsk, median, deferred, testAuth, startServer, record, findById, token
}
