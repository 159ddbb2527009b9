// Timing: run alone (npm run test:timing, serially after the other suites), so that
// what is measured is this code and not the other test files running beside it.
'use strict';

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

const crypto = require('crypto');
const http = require('http');
const express = require('express');
const request = require('supertest');
const createHttpError = require('http-errors');
const mongoose = require('mongoose');
const { Server } = require('socket.io');
const { ObjectId } = require('bson');
const act = require('../../../lib/index');
const { createCallTokenRouter } = require('../../../lib/express');
const { attachCallSignaling, notifyIncomingCall } = require('../../../lib/socket');
const { listen, close, urlOf } = require('../../helpers/http');
const { connectClient, waitFor, emitAck, sleep, disconnectAll } = require('../../helpers/sockets');
const { startCallWorker } = require('../../helpers/call-worker');

const APP_ID = crypto.randomBytes(16).toString('hex');
const CERT = crypto.randomBytes(16).toString('hex');

// 24-hex ids with letters in them, so that letter case matters
const ALICE = '65b0aaaa0000000000000001';
const BOB = '65b0bbbb0000000000000002';
const CAROL = '65b0cccc0000000000000003';
const EVE = '65b0eeee0000000000000009'; // never a member

/** Resolves like `promise`, or rejects with `what` once `ms` have passed. */
function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** An acked emit that fails with a readable message when the server does not answer. */
function ask(client, event, payload, ms = 1000) {
  return emitAck(client, event, payload, ms).catch(err => {
    throw new Error(`${event} ${JSON.stringify(payload)}: no ack within ${ms} ms (${err.message})`);
  });
}

async function timedAsk(client, event, payload, ms) {
  const t0 = performance.now();
  const ack = await ask(client, event, payload, ms);
  return { ack, ms: performance.now() - t0 };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A promise with its resolve function outside. */
function deferred() {
  let resolve;
  const promise = new Promise(r => { resolve = r; });
  return { promise, resolve };
}

/** Test-only auth: the handshake's auth.userId. */
function testAuth(socket, next) {
  const { userId } = socket.handshake.auth || {};
  if (typeof userId === 'string') socket.data.userId = userId;
  next();
}

/**
 * An in-process express + socket.io server on 127.0.0.1. `x-user` names the
 * HTTP user (an ObjectId when it is 24 hex, else the string).
 */
async function startServer({ findConversation, router = {}, signaling = {}, namespaces = {} }) {
  const app = express();
  app.use((req, res, next) => {
    const u = req.get('x-user');
    if (u) req.user = { _id: /^[0-9a-fA-F]{24}$/.test(u) ? new ObjectId(u) : u };
    next();
  });
  const routerErrors = [];
  app.use('/api/call', createCallTokenRouter({
    appId: APP_ID, appCertificate: CERT, findConversation,
    onError: (err, req) => routerErrors.push({ err, req }), ...router,
  }));
  const server = await listen(app);
  const io = new Server(server);
  const faults = [];
  const handles = {};
  io.use(testAuth);
  handles['/'] = attachCallSignaling(io, { findConversation, onError: err => faults.push(err), ...signaling });
  for (const [name, opts] of Object.entries(namespaces)) {
    io.of(name).use(testAuth);
    handles[name] = attachCallSignaling(io.of(name), { findConversation, onError: err => faults.push(err), ...opts });
  }
  const clients = [];
  return {
    server, io, url: urlOf(server), handles, faults, routerErrors,
    async connect(userId, ns = '') {
      const client = connectClient(urlOf(server) + ns, { userId });
      clients.push(client);
      return client.ready;
    },
    async close() {
      disconnectAll(clients);
      for (const h of Object.values(handles)) h.close();
      await new Promise(resolve => io.close(() => resolve()));
      await close(server);
    },
  };
}

/** A record the way mongoose's lean() returns one: ObjectId _id and participants. */
function record(id, members) {
  return { _id: new ObjectId(id), participants: members.map(m => new ObjectId(m)) };
}

/** Like mongoose findById: casts the id (any letter case) to an ObjectId, CastError when it is none. */
function findById(byHex) {
  return async id => {
    let oid;
    try {
      oid = new ObjectId(id);
    } catch (_) {
      throw new mongoose.Error.CastError('ObjectId', id, '_id');
    }
    return byHex.get(oid.toHexString()) ?? null;
  };
}

function token(server, userId, body) {
  return request(server).post('/api/call/token').set('x-user', userId).send(body);
}

// -----------------------------------------------------------------------------

describe('finding 8: membership is fast', () => {
  const N = 100000;
  const hexes = [];
  for (let i = 0; i < N; i++) hexes.push('6a' + i.toString(16).padStart(22, '0'));
  const fresh = s => Buffer.from(s, 'latin1').toString('latin1'); // equal text, another string

  /** Medians of a and b, run alternately after a warm-up; each must give `expected`. */
  function sideBySide(a, b, expected, { warmup = 5, runs = 11 } = {}) {
    for (let i = 0; i < warmup; i++) {
      expect(a()).toBe(expected);
      expect(b()).toBe(expected);
    }
    const ta = [];
    const tb = [];
    for (let i = 0; i < runs; i++) {
      for (const [fn, out] of i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]]) {
        const t0 = process.hrtime.bigint();
        const r = fn();
        out.push(Number(process.hrtime.bigint() - t0) / 1e6);
        expect(r).toBe(expected);
      }
    }
    return { isParticipantMs: median(ta), baselineMs: median(tb) };
  }

  function expectAtMost(ratio, { isParticipantMs, baselineMs }, what) {
    const report = { what, isParticipantMs: +isParticipantMs.toFixed(3), baselineMs: +baselineMs.toFixed(3) };
    expect({ ...report, ok: isParticipantMs <= ratio * baselineMs }).toEqual({ ...report, ok: true });
  }

  test('isParticipant over 100,000 bson 7 ObjectIds: at most 1.5x participants.some(p => p.equals(id))', () => {
    const participants = hexes.map(h => new ObjectId(h));
    const last = new ObjectId(hexes[N - 1]); // a member, found at the very end
    const absent = new ObjectId('6b' + '0'.repeat(22));
    for (const [what, id, expected] of [['last', last, true], ['absent', absent, false]]) {
      const m = sideBySide(() => act.isParticipant(participants, id), () => participants.some(p => p.equals(id)), expected);
      expectAtMost(1.5, m, `ObjectId ${what}`);
    }
  });

  test('isParticipant over 100,000 strings: at most 1.5x participants.includes(id)', () => {
    const participants = hexes.map(fresh);
    const last = fresh(hexes[N - 1]);
    const absent = '6b' + '0'.repeat(22);
    for (const [what, id, expected] of [['last', last, true], ['absent', absent, false]]) {
      const m = sideBySide(() => act.isParticipant(participants, id), () => participants.includes(id), expected);
      expectAtMost(1.5, m, `string ${what}`);
    }
  });

});
