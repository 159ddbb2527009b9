'use strict'

/**
 * Demo chat backend: Express + Socket.IO with Agora call tokens and call
 * signalling, and a call page (example/public/) at /. Run with `npm start`.
 *
 * Environment: PORT (3000), HOST (127.0.0.1), AGORA_APP_ID and
 * AGORA_APP_CERTIFICATE (throwaway ones when unset), RING_TIMEOUT_MS (30000),
 * REDIS_URL (unset: one process, in-memory call state; set: the socket.io
 * Redis adapter and a Redis call store, so several processes can serve the
 * same users), CALL_NODE_TTL_MS (10000: with Redis, how long a silent process
 * counts as alive), REDIS_CLUSTER (instead of REDIS_URL: "host:port,..." seeds of
 * a Redis Cluster; the sharded adapter, Redis 7), AGORA_NCS_SECRET (the secret of
 * Agora's Notifications service: with real credentials, channel events from
 * Agora at POST /agora/events; with throwaway ones the demo simulates Agora and
 * posts them itself, see example/agora-sim.js).
 *
 * Each call's record (onCallEnded) becomes a call message in its
 * conversation ("Video call · 0:42", "Missed call"), shown on the page.
 *
 * In an application, require the published subpaths instead:
 *   require('agora-call-token/express'), require('agora-call-token/socket')
 */

const crypto = require('crypto')
const http = require('http')
const path = require('path')
const express = require('express')
const { Server } = require('socket.io')
const { ObjectId } = require('bson')
const act = require('../lib')
const { createCallTokenRouter } = require('../lib/express')
const { attachCallSignaling, RedisCallStore } = require('../lib/socket')
const { createWebhookRouter } = require('../lib/webhooks')
const { createAgoraSimulator } = require('./agora-sim')

// ---- in-memory data (stable ids, so curl commands keep working between runs) ----

const USERS = [
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0001'), name: 'Alice' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0002'), name: 'Bob' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0003'), name: 'Carol' },
  { _id: new ObjectId('665f1c2e8a1b2c3d4e5f0004'), name: 'Dave' }
]
const [ALICE, BOB, CAROL, DAVE] = USERS

const CONVERSATIONS = [
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc001'),
    type: 'direct',
    name: null,
    participants: [ALICE._id, BOB._id]
  },
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc002'),
    type: 'group',
    name: 'Weekend plans',
    participants: [ALICE._id, BOB._id, CAROL._id]
  },
  {
    _id: new ObjectId('665f1c2e8a1b2c3d4e5fc003'),
    type: 'direct',
    name: null,
    participants: [CAROL._id, DAVE._id]
  }
]

function createStore() {
  const users = new Map(USERS.map(u => [u._id.toHexString(), u]))
  const conversations = new Map(CONVERSATIONS.map(c => [c._id.toHexString(), c]))
  const messages = new Map() // conversation id -> call messages, oldest first
  return {
    users,
    conversations,
    messages,
    messagesOf(id) {
      return messages.get(id) || []
    },
    addMessage(id, message) {
      const list = messages.get(id) || []
      list.push(message)
      if (list.length > 100) list.shift()
      messages.set(id, list)
    },
    findUser(id) {
      return typeof id === 'string' ? users.get(id.toLowerCase()) || null : null
    },
    /**
     * Like `Conversation.findOne({ _id: id, participants: userId }).lean()`, the
     * recommended one-query lookup: the conversation when it exists and has this
     * member, else null (so unknown and not-a-member cost the same).
     */
    async findConversation(id, userId) {
      if (typeof id !== 'string' || !ObjectId.isValid(id) || id.length !== 24) return null
      const c = conversations.get(id.toLowerCase())
      if (!c || !c.participants.some(p => p.toHexString() === userId)) return null
      return { ...c, participants: [...c.participants] }
    },
    conversationsOf(userId) {
      return [...conversations.values()].filter(c => c.participants.some(p => p.toHexString() === userId))
    }
  }
}

// ---- DEMO-ONLY AUTHENTICATION ------------------------------------------------
// Whoever sends `Authorization: Bearer <userId>` (HTTP) or `auth: { userId }`
// (socket handshake) IS that user. Anyone can be anyone: replace this with your
// real session / JWT check before using any of this outside a laptop.

function demoHttpAuth(store) {
  return (req, res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') || '')
    const user = m ? store.findUser(m[1]) : null
    if (user) req.user = user // { _id: ObjectId, name }, as a lean user document
    next()
  }
}

function demoSocketAuth(store) {
  return (socket, next) => {
    const auth = socket.handshake.auth || {}
    const user = store.findUser(auth.userId)
    if (!user) return next(new Error('unauthorized: pass auth: { userId } with a demo user id'))
    socket.data.userId = user._id.toHexString()
    next()
  }
}
// ---- end of demo-only authentication -------------------------------------------

function resolveCredentials(appId, appCertificate) {
  appId = appId || process.env.AGORA_APP_ID || ''
  appCertificate = appCertificate || process.env.AGORA_APP_CERTIFICATE || ''
  if (appId && appCertificate) return { appId, appCertificate, throwaway: false }
  return {
    appId: crypto.randomBytes(16).toString('hex'),
    appCertificate: crypto.randomBytes(16).toString('hex'),
    throwaway: true
  }
}

/** m:ss (or h:mm:ss) of a duration in ms. */
function clock(ms) {
  const s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60))
  const ss = String(s % 60).padStart(2, '0')
  return h ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}

/** The call message a chat shows for a record of onCallEnded. */
function callMessage(record) {
  const kind = record.media === 'video' ? 'Video call' : 'Audio call'
  const text = {
    completed: `${kind} · ${clock(record.durationMs)}`,
    missed: 'Missed call',
    declined: 'Call declined',
    cancelled: 'Cancelled call',
    busy: 'Busy: nobody could take the call',
    failed: `${kind} failed`
  }[record.outcome] || kind
  return {
    id: record.callId,
    kind: 'call',
    text,
    outcome: record.outcome,
    media: record.media,
    durationMs: record.durationMs,
    timing: record.timing,
    startedBy: record.startedBy,
    at: record.endedAt
  }
}

function publicUser(u) {
  return { id: u._id.toHexString(), name: u.name }
}

/** The browser build of agora-rtc-sdk-ng (an optional package), or null. */
function findAgoraSdk() {
  try {
    const main = require.resolve('agora-rtc-sdk-ng')
    const file = path.join(path.dirname(main), 'AgoraRTC_N-production.js')
    return require('fs').existsSync(file) ? file : main
  } catch (_) {
    return null
  }
}

/**
 * Socket.IO Redis adapter and Redis call store, on one Redis (REDIS_URL) or a
 * Redis Cluster (REDIS_CLUSTER seeds: the sharded adapter). Loaded only when
 * Redis is configured, so a one-process demo never loads a Redis package.
 */
async function connectRedis({ url, cluster }, { nodeTtlMs }) {
  const { connectRedisClients } = require('./redis-client')
  const seen = new Set()
  const redis = await connectRedisClients({
    url,
    cluster,
    onError: (which, err) => {
      const key = `${which}: ${err && err.message}`
      if (!seen.has(key)) console.error(`[demo] Redis ${key}`) // the client retries by itself
      seen.add(key)
    }
  })
  return {
    adapter: redis.adapter,
    store: new RedisCallStore(redis.pub, { nodeTtlMs }),
    close: redis.close
  }
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
 * @param {string} [options.redisUrl] call state and socket.io rooms in Redis (several processes); default none
 * @param {string} [options.redisCluster] instead: Redis Cluster seeds "host:port,host:port"
 * @param {number} [options.nodeTtlMs=10000] with Redis: a process silent for this long counts as dead
 * @param {string|null} [options.agoraSdk] path of the agora-rtc-sdk-ng browser build; null: none (default: found in node_modules)
 * @param {number} [options.mediaJoinTimeoutMs=10000] how long the page waits for Agora before it says media is off
 * @param {'decline'|'keep'} [options.ringingOffline='decline'] a ringing user whose last socket drops: declines,
 *   or rings on and goes to onRingOffline (logged) so a push notification could still bring them
 * @returns {Promise<{ app, io, server, port, host, url, appId, throwawayCredentials, media, redis, signaling, users,
 *   conversations, close(): Promise<void> }>}
 */
async function createDemoServer(options = {}) {
  const { port = 0, host = '127.0.0.1', ringTimeoutMs = 30000, expiresIn = 3600, redisUrl, redisCluster, nodeTtlMs = 10000 } = options
  const { appId, appCertificate, throwaway } = resolveCredentials(options.appId, options.appCertificate)
  const store = createStore()
  // Channel events: simulated with throwaway credentials (a random NCS secret of
  // this run), Agora's own with real credentials and AGORA_NCS_SECRET, else none.
  const configuredSecret = options.ncsSecret === undefined ? process.env.AGORA_NCS_SECRET || '' : options.ncsSecret || ''
  const channelMode = throwaway ? 'simulated' : configuredSecret ? 'agora' : 'off'
  const ncsSecret = throwaway ? crypto.randomBytes(16).toString('hex') : configuredSecret
  const quiet = Boolean(options.quiet)
  const ringingOffline = options.ringingOffline || 'decline'
  const agoraSdk = options.agoraSdk === undefined ? findAgoraSdk() : options.agoraSdk
  // Whether the page can try real audio/video, and if not, why.
  const joinTimeoutMs = options.mediaJoinTimeoutMs === undefined ? 10000 : options.mediaJoinTimeoutMs
  let media = { enabled: true, reason: null, sdkUrl: '/vendor/AgoraRTC_N.js', joinTimeoutMs }
  if (throwaway) {
    media = { enabled: false, reason: 'the server uses throwaway credentials (set AGORA_APP_ID and AGORA_APP_CERTIFICATE for a real Agora project)', sdkUrl: null }
  } else if (!agoraSdk) {
    media = { enabled: false, reason: 'agora-rtc-sdk-ng is not installed on the server (npm install agora-rtc-sdk-ng)', sdkUrl: null }
  }

  const app = express()
  app.disable('x-powered-by')
  let signaling = null // attached below, once the socket.io server exists
  // Agora's notifications: mounted before any body parser (the signature covers the raw body).
  if (channelMode !== 'off') {
    app.use('/agora/events', createWebhookRouter({
      secret: ncsSecret,
      onEvent: event => (signaling ? signaling.channelEvent(event) : undefined)
    }))
  }
  app.get('/favicon.ico', (req, res) => res.type('image/svg+xml').sendFile(path.join(__dirname, 'public', 'favicon.svg')))
  app.use(express.static(path.join(__dirname, 'public')))
  if (agoraSdk) {
    app.get('/vendor/AgoraRTC_N.js', (req, res) => {
      res.type('application/javascript').sendFile(agoraSdk)
    })
  }

  app.get('/health', (req, res) => {
    res.json({ ok: true, uptime: Math.round(process.uptime()) })
  })

  app.use('/api', demoHttpAuth(store))

  // Demo users for the browser page's "log in as" picker.
  app.get('/api/users', (req, res) => {
    res.json({ users: USERS.map(publicUser) })
  })

  app.get('/api/conversations', (req, res) => {
    if (!req.user) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } })
    const me = req.user._id.toHexString()
    res.json({
      user: publicUser(req.user),
      conversations: store.conversationsOf(me).map(c => ({
        id: c._id.toHexString(),
        messages: store.messagesOf(c._id.toHexString()),
        type: c.type,
        name: c.name || c.participants.filter(p => p.toHexString() !== me).map(p => store.findUser(p.toHexString()).name).join(', '),
        participants: c.participants.map(p => publicUser(store.findUser(p.toHexString())))
      }))
    })
  })

  // What the page needs to know: the app id (public) and whether media can work.
  app.get('/api/config', (req, res) => {
    res.json({
      appId, throwawayCredentials: throwaway, media, ringTimeoutMs, redis: Boolean(redisUrl || redisCluster), channelEvents: channelMode
    })
  })

  // The simulated Agora (throwaway credentials only): the page says it joined or
  // left the call's channel, and the simulator sends the notifications Agora would.
  let simulator = null
  app.post('/api/call/media', express.json({ limit: '1kb' }), async (req, res) => {
    res.set('Cache-Control', 'no-store')
    if (!req.user) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } })
    if (!simulator) return res.status(404).json({ error: { code: 'NOT_SIMULATED', message: 'Agora is not simulated here (real credentials)' } })
    const { channelName, action } = req.body || {}
    const me = req.user._id.toHexString()
    if (action !== 'join' && action !== 'leave') {
      return res.status(400).json({ error: { code: 'INVALID_BODY', message: "Expected { channelName, action: 'join' | 'leave' }" } })
    }
    const conversation = await store.findConversation(channelName, me)
    if (!conversation) return res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Not a participant of this conversation' } })
    try {
      await simulator[action](conversation._id.toHexString(), me)
      res.json({ ok: true })
    } catch (err) {
      console.error('[demo] simulated Agora notification failed:', err.message)
      res.status(502).json({ error: { code: 'SIMULATION_FAILED', message: 'The simulated notification was not delivered' } })
    }
  })

  // GET /api/call/inspect?token=... -> what is inside a token, decoded here with
  // the addon's parseToken (the certificate never leaves the server; only
  // whether the signature is ours is told).
  app.get('/api/call/inspect', (req, res) => {
    res.set('Cache-Control', 'no-store')
    if (!req.user) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Authentication required' } })
    const { token } = req.query
    if (typeof token !== 'string' || token === '') {
      return res.status(400).json({ error: { code: 'MISSING_TOKEN', message: 'token is required' } })
    }
    const { valid, reason, token: parsed } = act.verifyToken(token, appCertificate)
    if (!parsed) return res.status(400).json({ error: { code: 'MALFORMED_TOKEN', message: 'Not an Agora token' } })
    res.json({ valid, reason, token: parsed })
  })

  // POST /api/call/token { channelName } -> { token, appId, channelName, account, expiresAt }
  app.use('/api/call', createCallTokenRouter({
    appId,
    appCertificate,
    expiresIn,
    findConversation: (id, userId) => store.findConversation(id, userId)
  }))

  app.use('/api', (req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such endpoint' } })
  })

  const redis = redisUrl || redisCluster ? await connectRedis({ url: redisUrl, cluster: redisCluster }, { nodeTtlMs }) : null
  const server = http.createServer(app)
  // serveClient: the page loads /socket.io/socket.io.js
  const io = new Server(server, { serveClient: true, ...(redis ? { adapter: redis.adapter } : {}) })
  io.use(demoSocketAuth(store))
  signaling = attachCallSignaling(io, {
    ringTimeoutMs,
    findConversation: (id, userId) => store.findConversation(id, userId),
    ...(redis ? { store: redis.store } : {}),
    ...(channelMode !== 'off' ? { channelEvents: { settleMs: 10000, joinTimeoutMs: 20000 } } : {}),
    // The call's record, once: a call message in its conversation, sent to its participants.
    onCallEnded(record) {
      const conversation = store.conversations.get(record.conversationId)
      if (!conversation) return
      const message = callMessage(record)
      store.addMessage(record.conversationId, message)
      const rooms = conversation.participants.map(p => p.toHexString())
      io.to(rooms).emit('conversation:message', { conversationId: record.conversationId, message })
    },
    // Those who cannot be rung over a socket: where an app sends a push notification (FCM, APNs).
    // The demo keeps the plain behaviour for a ringing user whose last tab closes (they decline);
    // options.ringingOffline 'keep' lets them ring on until the timeout.
    ringingOffline,
    onRingOffline({ call, userIds }) {
      if (!quiet) console.log(`[demo] ring offline (a push notification would go here): call ${call.callId}, users ${userIds.map(u => (store.findUser(u) || { name: u }).name).join(', ')}`)
    },
    onMediaAbsent({ call, userId }) {
      if (!quiet) console.log(`[demo] ${(store.findUser(userId) || { name: userId }).name} joined call ${call.callId} but never appeared in the Agora channel`)
    }
  })

  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    signaling.close()
    if (redis) await redis.close()
    throw err
  }
  const address = server.address()
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  if (channelMode === 'simulated') {
    simulator = createAgoraSimulator({ secret: ncsSecret, webhookUrl: `http://${urlHost}:${address.port}/agora/events` })
  }

  let closing
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
    media,
    channelEvents: channelMode,
    ringingOffline,
    messagesOf: id => store.messagesOf(id),
    // accounts in a simulated Agora channel (throwaway credentials), for tests; [] otherwise
    simulatedChannel: name => (simulator && simulator.channels.has(name) ? [...simulator.channels.get(name).keys()] : []),
    redis: Boolean(redis),
    users: Object.fromEntries(USERS.map(u => [u.name.toLowerCase(), u._id.toHexString()])),
    conversations: {
      direct: CONVERSATIONS[0]._id.toHexString(),
      group: CONVERSATIONS[1]._id.toHexString(),
      carolDave: CONVERSATIONS[2]._id.toHexString()
    },
    close() {
      if (!closing) {
        closing = (async () => {
          signaling.close()
          // With Redis: drop this process's heartbeat, so the others end the
          // calls of users who were connected only here.
          if (redis) await redis.store.close().catch(() => {})
          await new Promise(resolve => {
            io.close(() => resolve()) // disconnects every socket and closes the http server
            if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
          })
          if (redis) await redis.close()
        })()
      }
      return closing
    }
  }
}

function envInt(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (milliseconds)`)
  return n
}

async function main() {
  let demo
  try {
    demo = await createDemoServer({
      port: process.env.PORT === undefined ? 3000 : Number(process.env.PORT),
      host: process.env.HOST || '127.0.0.1',
      // AGORA_APP_ID / AGORA_APP_CERTIFICATE, else throwaway ones
      ringTimeoutMs: envInt('RING_TIMEOUT_MS', 30000),
      redisUrl: process.env.REDIS_URL || undefined,
      redisCluster: process.env.REDIS_CLUSTER || undefined,
      nodeTtlMs: envInt('CALL_NODE_TTL_MS', 10000),
      ringingOffline: process.env.RINGING_OFFLINE || undefined
    })
  } catch (err) {
    // Messages from the router never contain the certificate.
    console.error(`Could not start the demo server: ${err.message}`)
    process.exitCode = 1
    return
  }
  const { url, users, conversations } = demo
  const log = console.log
  log(`agora-call-token demo backend listening on ${url}`)
  if (demo.throwawayCredentials) {
    log('AGORA_APP_ID / AGORA_APP_CERTIFICATE are not set: using throwaway random credentials for this run.')
    log('Tokens are well-formed and verifiable here, but Agora will not accept them.')
  }
  log(`App ID: ${demo.appId} (the certificate is never printed)`)
  log(demo.redis
    ? 'Call state and socket.io rooms in Redis (REDIS_URL): run more processes on other PORTs, they share calls.'
    : 'One process, call state in memory (set REDIS_URL to share calls between processes).')
  log(demo.media.enabled
    ? 'The call page joins Agora with agora-rtc-sdk-ng for audio/video.'
    : `Media is off in the call page: ${demo.media.reason}.`)
  log({
    simulated: 'Channel events: simulated (the server signs and posts to its own /agora/events what Agora would send).',
    agora: 'Channel events: from Agora at POST /agora/events (AGORA_NCS_SECRET).',
    off: 'Channel events: off (set AGORA_NCS_SECRET and point Agora\'s Notifications at /agora/events); call records use signaling times.'
  }[demo.channelEvents])
  log(demo.ringingOffline === 'keep'
    ? 'A ringing user whose last tab closes rings on, and is logged as "ring offline" (RINGING_OFFLINE=keep).'
    : 'A ringing user whose last tab closes declines (RINGING_OFFLINE=keep: they ring on, logged as "ring offline").')
  log('')
  log(`Call page: open ${url}/ in two browser windows, pick a different user in each.`)
  log('')
  log('DEMO-ONLY AUTH: "Authorization: Bearer <userId>" over HTTP and socket auth { userId } - anyone can be anyone.')
  log('')
  log('Users:')
  for (const [name, id] of Object.entries(users)) log(`  ${name.padEnd(6)} ${id}`)
  log('Conversations (the id is the Agora channel name):')
  log(`  direct alice+bob         ${conversations.direct}`)
  log(`  group  alice+bob+carol   ${conversations.group}`)
  log(`  direct carol+dave        ${conversations.carolDave}`)
  log('')
  log('Alice is a member -> 200 with a token:')
  log(`  curl -s -X POST ${url}/api/call/token -H 'Authorization: Bearer ${users.alice}' -H 'Content-Type: application/json' -d '{"channelName":"${conversations.direct}"}'`)
  log('Dave is not a member -> 403:')
  log(`  curl -s -i -X POST ${url}/api/call/token -H 'Authorization: Bearer ${users.dave}' -H 'Content-Type: application/json' -d '{"channelName":"${conversations.direct}"}'`)

  const stop = () => {
    log('Shutting down')
    demo.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (require.main === module) {
  main()
}

module.exports = { createDemoServer, callMessage, USERS, CONVERSATIONS }
