// Timing: run alone (npm run test:timing, serially after the other suites), so that
// what is measured is this code and not the other test files running beside it.
'use strict'

// Issue 11's eight findings, one describe each, against the public API only
// (agora-call-token, /express, /socket) and the behaviour fixed in the
// issue's contract. Real socket.io servers on 127.0.0.1 with real
// socket.io-client users, real HTTP (supertest, or node's http with a
// keep-alive agent where the timing matters), real bson 7 ObjectIds and a
// real mongoose CastError. Servers that must be measured while they block run
// in a worker thread (test/helpers/call-worker.js), so that this thread's
// deadlines still fire and a stuck server is terminated instead of waited for.
//
// Every deadline here is generous (2 shared slow cores): the point is to
// separate O(n) from O(n^2), one query from a 10,000-element walk, an answer
// from no answer at all.

const crypto = require('crypto')
const http = require('http')
const express = require('express')
const request = require('supertest')
const mongoose = require('mongoose')
const { Server } = require('socket.io')
const { ObjectId } = require('bson')
const { createCallTokenRouter } = require('../../../lib/express')
const { attachCallSignaling } = require('../../../lib/socket')
const { listen, close, urlOf } = require('../../helpers/http')
const { connectClient, disconnectAll } = require('../../helpers/sockets')

const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')

// 24-hex ids with letters in them, so that letter case matters
const ALICE = '65b0aaaa0000000000000001'
const EVE = '65b0eeee0000000000000009' // never a member

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
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

function token(server, userId, body) {
  return request(server).post('/api/call/token').set('x-user', userId).send(body)
}

// -----------------------------------------------------------------------------

describe('finding 6: "not a member" and "no such conversation" look the same, in answer and in time', () => {
  const BIG = '65c0000000000000000d1000' // 10,000 members, alice among them, eve not
  const UNKNOWN = '65c0000000000000000dffff'
  const members = [ALICE]
  for (let i = 1; i < 10000; i++) members.push('7d' + i.toString(16).padStart(22, '0'))
  const doc = record(BIG, members)
  const memberHex = new Set(members)
  const calls = []
  // Conversation.findOne({ _id: id, participants: userId }): mongoose casts both
  // to ObjectIds and drops a filter value that is undefined, so called with the
  // id alone it is findById.
  async function findOne(id, userId) {
    calls.push([id, userId])
    let oid
    try {
      oid = new ObjectId(id)
    } catch (_) {
      throw new mongoose.Error.CastError('ObjectId', id, '_id')
    }
    if (oid.toHexString() !== BIG) return null
    if (userId === undefined) return doc
    let uid
    try {
      uid = new ObjectId(userId)
    } catch (_) {
      throw new mongoose.Error.CastError('ObjectId', userId, 'participants')
    }
    return memberHex.has(uid.toHexString()) ? doc : null
  }
  let srv

  beforeAll(async () => {
    srv = await startServer({ findConversation: findOne })
  })
  afterAll(() => srv.close())

  test('the router passes the canonical user id (a lowercase string) as findConversation\'s 2nd argument', async () => {
    calls.length = 0
    const member = await token(srv.server, ALICE, { channelName: BIG }) // req.user._id is an ObjectId
    expect(member.status).toBe(200)
    expect(calls).toEqual([[BIG, ALICE]])
    calls.length = 0
    const outsider = await token(srv.server, EVE, { channelName: BIG })
    expect(outsider.status).toBe(403)
    expect(calls).toEqual([[BIG, EVE]])
  })

  test('non-member of a 10,000-member conversation vs unknown id: same status and body, median times within 1.25x or +0.5 ms', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const { port } = srv.server.address()
    const post = channelName => new Promise((resolve, reject) => {
      const payload = JSON.stringify({ channelName })
      const t0 = process.hrtime.bigint()
      const req = http.request({
        host: '127.0.0.1', port, path: '/api/call/token', method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-user': EVE }
      }, res => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', chunk => { text += chunk })
        res.on('end', () => resolve({ status: res.statusCode, text, ms: Number(process.hrtime.bigint() - t0) / 1e6 }))
      })
      req.on('error', reject)
      req.end(payload)
    })
    try {
      const nonMember = await post(BIG)
      const unknown = await post(UNKNOWN)
      expect(nonMember.status).toBe(403)
      expect({ status: unknown.status, text: unknown.text }).toEqual({ status: nonMember.status, text: nonMember.text })
      for (let i = 0; i < 20; i++) await post(i % 2 ? BIG : UNKNOWN) // warm-up
      const t = { member: [], unknown: [] }
      for (let i = 0; i < 100; i++) {
        const [first, second] = i % 2 ? [BIG, UNKNOWN] : [UNKNOWN, BIG]
        for (const id of [first, second]) {
          const r = await post(id)
          expect(r.status).toBe(403);
          (id === BIG ? t.member : t.unknown).push(r.ms)
        }
      }
      const m = median(t.member)
      const u = median(t.unknown)
      const limit = Math.max(u * 1.25, u + 0.5)
      const report = { nonMemberMedianMs: +m.toFixed(3), unknownMedianMs: +u.toFixed(3) }
      expect({ ...report, ok: m <= limit }).toEqual({ ...report, ok: true })
    } finally {
      agent.destroy()
    }
  }, 30000)
})
