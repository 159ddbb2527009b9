'use strict';

/**
 * Demo chat backend: Express + Socket.IO with Agora call tokens and call
 * signalling. Run with `npm start` (PORT, HOST, AGORA_APP_ID,
 * AGORA_APP_CERTIFICATE from the environment).
 *
 * In an application, require the published subpaths instead:
 *   require('agora-call-token/express'), require('agora-call-token/socket')
 */

const crypto = require('crypto');
const http = require('http');
const path = require('path');
const express = require('express');
const { Server } = require('socket.io');
const { ObjectId } = require('bson');
const { createCallTokenRouter } = require('../lib/express');
const { attachCallSignaling } = require('../lib/socket');

// ---- in-memory data (stable ids, so curl commands keep working between runs) ----

const USERS = [
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0001'), name: 'Alice' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0002'), name: 'Bob' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0003'), name: 'Carol' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0004'), name: 'Dave' },
];
const [ALICE, BOB, CAROL, DAVE] = USERS;

const CONVERSATIONS = [
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc001'),
    type: 'direct',
    name: null,
    participants: [ALICE._id, BOB._id],
  },
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc002'),
    type: 'group',
    name: 'Weekend plans',
    participants: [ALICE._id, BOB._id, CAROL._id],
  },
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc003'),
    type: 'direct',
    name: null,
    participants: [CAROL._id, DAVE._id],
  },
];

function createStore() {
  const users = new Map(USERS.map(u => [u._id.toHexString(), u]));
  const conversations = new Map(CONVERSATIONS.map(c => [c._id.toHexString(), c]));
  return {
    users,
    conversations,
    findUser(id) {
      return typeof id === 'string' ? users.get(id.toLowerCase()) || null : null;
    },
    /** Like `Conversation.findById(id).lean()`: a plain object or null. */
    async findConversation(id) {
      if (typeof id !== 'string' || !ObjectId.isValid(id) || id.length !== 24) return null;
      const c = conversations.get(id.toLowerCase());
      return c ? { ...c, participants: [...c.participants] } : null;
    },
    conversationsOf(userId) {
      return [...conversations.values()].filter(c => c.participants.some(p => p.toHexString() === userId));
    },
  };
}

// ---- DEMO-ONLY AUTHENTICATION ------------------------------------------------
// Whoever sends `Authorization: Bearer <userId>` (HTTP) or `auth: { userId }`
// (socket handshake) IS that user. Anyone can be anyone: replace this with your
// real session / JWT check before using any of this outside a laptop.

function demoHttpAuth(store) {
  return (req, res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') || '');
    const user = m ? store.findUser(m[1]) : null;
    if (user) req.user = user; // { _id: ObjectId, name }, as a lean user document
    next();
  };
}

function demoSocketAuth(store) {
  return (socket, next) => {
    const auth = socket.handshake.auth || {};
    const user = store.findUser(auth.userId);
    if (!user) return next(new Error('unauthorized: pass auth: { userId } with a demo user id'));
    socket.data.userId = user._id.toHexString();
    next();
  };
}
// ---- end of demo-only authentication -------------------------------------------

function resolveCredentials(appId, appCertificate) {
  appId = appId || process.env.AGORA_APP_ID || '';
  appCertificate = appCertificate || process.env.AGORA_APP_CERTIFICATE || '';
  if (appId && appCertificate) return { appId, appCertificate, throwaway: false };
  return {
    appId: crypto.randomBytes(16).toString('hex'),
    appCertificate: crypto.randomBytes(16).toString('hex'),
    throwaway: true,
  };
}

function publicUser(u) {
  return { id: u._id.toHexString(), name: u.name };
}

/**
 * Builds and starts the demo server.
 * @param {object} [options]
 * @param {number} [options.port=0] 0 picks a free port
 * @param {string} [options.host='127.0.0.1'] loopback by default: the demo auth is not real auth
 * @param {string} [options.appId] default AGORA_APP_ID, else a throwaway one
 * @param {string} [options.appCertificate] default AGORA_APP_CERTIFICATE, else a throwaway one
 * @param {number} [options.ringTimeoutMs=30000]
 * @param {number} [options.expiresIn=3600]
 * @returns {Promise<{ app, io, server, port, host, url, appId, throwawayCredentials, signaling, users, conversations, close(): Promise<void> }>}
 */
async function createDemoServer(options = {}) {
  const { port = 0, host = '127.0.0.1', ringTimeoutMs = 30000, expiresIn = 3600 } = options;
  const { appId, appCertificate, throwaway } = resolveCredentials(options.appId, options.appCertificate);
  const store = createStore();

  const app = express();
  app.disable('x-powered-by');
  app.use(express.static(path.join(__dirname, 'public')));

  app.get('/health', (req, res) => {
    res.json({ ok: true, uptime: Math.round(process.uptime()) });
  });

  app.use('/api', demoHttpAuth(store));

  // Demo users for the browser page's "log in as" picker.
  app.get('/api/users', (req, res) => {
    res.json({ users: USERS.map(publicUser) });
  });

  app.get('/api/conversations', (req, res) => {
    if (!req.user) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } });
    const me = req.user._id.toHexString();
    res.json({
      user: publicUser(req.user),
      conversations: store.conversationsOf(me).map(c => ({
        id: c._id.toHexString(),
        type: c.type,
        name: c.name || c.participants.filter(p => p.toHexString() !== me).map(p => store.findUser(p.toHexString()).name).join(', '),
        participants: c.participants.map(p => publicUser(store.findUser(p.toHexString()))),
      })),
    });
  });

  // POST /api/call/token { channelName } -> { token, appId, channelName, account, expiresAt }
  app.use('/api/call', createCallTokenRouter({
    appId,
    appCertificate,
    expiresIn,
    findConversation: id => store.findConversation(id),
  }));

  app.use('/api', (req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
  });

  const server = http.createServer(app);
  const io = new Server(server, { serveClient: false });
  io.use(demoSocketAuth(store));
  const signaling = attachCallSignaling(io, {
    ringTimeoutMs,
    findConversation: id => store.findConversation(id),
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing;
  return {
    app,
    io,
    server,
    signaling,
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    appId,
    throwawayCredentials: throwaway,
    users: Object.fromEntries(USERS.map(u => [u.name.toLowerCase(), u._id.toHexString()])),
    conversations: {
      direct: CONVERSATIONS[0]._id.toHexString(),
      group: CONVERSATIONS[1]._id.toHexString(),
      carolDave: CONVERSATIONS[2]._id.toHexString(),
    },
    close() {
      if (!closing) {
        closing = new Promise(resolve => {
          signaling.close();
          io.close(() => resolve()); // disconnects every socket and closes the http server
          if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
        });
      }
      return closing;
    },
  };
}

async function main() {
  const credentials = resolveCredentials();
  let demo;
  try {
    demo = await createDemoServer({
      port: process.env.PORT === undefined ? 3000 : Number(process.env.PORT),
      host: process.env.HOST || '127.0.0.1',
      appId: credentials.appId,
      appCertificate: credentials.appCertificate,
    });
  } catch (err) {
    // Messages from the router never contain the certificate.
    console.error(`Could not start the demo server: ${err.message}`);
    process.exitCode = 1;
    return;
  }
  const { url, users, conversations } = demo;
  const log = console.log;
  log(`agora-call-token demo backend listening on ${url}`);
  if (credentials.throwaway) {
    log('AGORA_APP_ID / AGORA_APP_CERTIFICATE are not set: using throwaway random credentials for this run.');
    log('Tokens are well-formed and verifiable here, but Agora will not accept them.');
  }
  log(`App ID: ${demo.appId} (the certificate is never printed)`);
  log('');
  log('DEMO-ONLY AUTH: "Authorization: Bearer <userId>" over HTTP and socket auth { userId } - anyone can be anyone.');
  log('');
  log('Users:');
  for (const [name, id] of Object.entries(users)) log(`  ${name.padEnd(6)} ${id}`);
  log('Conversations (the id is the Agora channel name):');
  log(`  direct alice+bob         ${conversations.direct}`);
  log(`  group  alice+bob+carol   ${conversations.group}`);
  log(`  direct carol+dave        ${conversations.carolDave}`);
  log('');
  log('Alice is a member -> 200 with a token:');
  log(`  curl -s -X POST ${url}/api/call/token -H 'Authorization: Bearer ${users.alice}' -H 'Content-Type: application/json' -d '{"channelName":"${conversations.direct}"}'`);
  log('Dave is not a member -> 403:');
  log(`  curl -s -i -X POST ${url}/api/call/token -H 'Authorization: Bearer ${users.dave}' -H 'Content-Type: application/json' -d '{"channelName":"${conversations.direct}"}'`);

  const stop = () => {
    log('Shutting down');
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main();
}

module.exports = { createDemoServer, USERS, CONVERSATIONS };
