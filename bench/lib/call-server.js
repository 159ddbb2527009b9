'use strict'
// The Socket.IO server of the call rows, in its own process (forked by call.js).
//   node call-server.js signaling   attachCallSignaling from lib/socket.js (the public API only)
//   node call-server.js floor       the seed's way: participants.includes, then io.to(other).emit per member
// With BENCH_REDIS_URL both run over Redis: the socket.io Redis adapter, and
// RedisCallStore for the signaling (several such processes share calls).
// The harness talks to it over IPC: conversations to create, GC and CPU counters,
// the event-loop delay histogram. Conversations hold 24-hex strings (call-ids.js).
const http = require('http')
const { Server } = require('socket.io')
const { PerformanceObserver, monitorEventLoopDelay, constants, performance } = require('perf_hooks')
const ids = require('./call-ids')

const mode = process.argv[2]
if (mode !== 'signaling' && mode !== 'floor') throw new Error(`usage: call-server.js signaling|floor (got ${mode})`)

const conversations = new Map() // id -> { _id, participants }
const httpServer = http.createServer()
const io = new Server(httpServer, { serveClient: false, transports: ['websocket'] })
let faults = 0
const info = { mode }

// Server-side ack time of the last call:start, read off the Engine.IO packets
// (Socket.IO encodes an event with an ack id as '2<id>[...]' and its ack as '3<id>[...]'),
// so that nothing inside the handler under test is touched.
const lastStart = { receivedAt: 0, ackedAt: 0, ackId: null }
io.on('connection', (socket) => {
  socket.conn.on('packet', (p) => {
    if (p.type !== 'message' || typeof p.data !== 'string' || p.data[0] !== '2') return
    const m = /^2(\d+)\["call:start"/.exec(p.data)
    if (m) Object.assign(lastStart, { receivedAt: performance.now(), ackedAt: 0, ackId: m[1] })
  })
  socket.conn.on('packetCreate', (p) => {
    if (p.type !== 'message' || typeof p.data !== 'string' || p.data[0] !== '3' || lastStart.ackedAt) return
    if (lastStart.ackId !== null && p.data.startsWith(`3${lastStart.ackId}[`)) lastStart.ackedAt = performance.now()
  })
})

async function connectRedis(url) {
  if (!url) return null
  const { connectRedisClients } = require('../../example/redis-client')
  const redis = await connectRedisClients({ url, onError: () => { faults++ } })
  io.adapter(redis.adapter)
  info.redis = true
  return redis
}

function attach(redis) {
  if (mode === 'signaling') {
    const { attachCallSignaling, RedisCallStore } = require('../../lib/socket')
    const base = {
      ...(redis ? { store: new RedisCallStore(redis.pub) } : {}),
      findConversation: (id) => conversations.get(id) || null,
      getUserId: (socket) => socket.handshake.auth.userId,
      onError: () => { faults++ }
    }
    // The new signaling limits rings per caller (default 20/min), which an offered
    // load of 2,000 calls/s over 500 callers would hit at once: turn it off. Code
    // that does not know the option ignores it (options are copied, not checked);
    // should a version refuse it as unknown, run without it.
    try {
      attachCallSignaling(io, { ...base, ringRateLimit: false })
      info.ringRateLimit = 'false passed'
    } catch (err) {
      if (!/ringRateLimit/.test(String(err && err.message))) throw err
      attachCallSignaling(io, base)
      info.ringRateLimit = 'refused as unknown: not passed'
    }
  } else {
    // The floor: what a seed handler does, no state machine, no store, no timers.
    const calls = new Map() // callId -> { conversation, from }
    let seq = 0
    io.on('connection', (socket) => {
      const userId = socket.handshake.auth.userId
      socket.join(userId)
      socket.on('call:start', (payload, ack) => {
        const conversation = payload && conversations.get(payload.conversationId)
        if (!conversation || !conversation.participants.includes(userId)) {
          return ack({ ok: false, error: { code: 'FORBIDDEN', message: 'not a participant' } })
        }
        const callId = `call-${++seq}`
        calls.set(callId, { conversation, from: userId })
        const message = { callId, conversationId: conversation._id, from: userId, media: payload.media }
        for (const member of conversation.participants) {
          if (member !== userId) io.to(member).emit('incoming-call', message)
        }
        ack({ ok: true, callId })
      })
      socket.on('call:cancel', (payload, ack) => {
        const call = payload && calls.get(payload.callId)
        if (!call || call.from !== userId) return ack({ ok: false, error: { code: 'CALL_NOT_FOUND', message: 'no such call' } })
        calls.delete(payload.callId)
        const message = { callId: payload.callId, conversationId: call.conversation._id, by: userId }
        for (const member of call.conversation.participants) {
          if (member !== userId) io.to(member).emit('call:cancelled', message)
        }
        ack({ ok: true, callId: payload.callId })
      })
    })
  }

}

// ---- counters ----
const gc = { count: 0, ms: 0, major: 0 }
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++
    gc.ms += e.duration
    const kind = e.detail ? e.detail.kind : e.kind
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++
  }
}).observe({ entryTypes: ['gc'] })

let window = null
let eld = null
const handlers = {
  pairs({ count }) {
    for (let i = 0; i < count; i++) {
      const _id = ids.pairConversation(i)
      conversations.set(_id, { _id, participants: [ids.pairCaller(i), ids.pairCallee(i)] })
    }
    return { conversations: conversations.size }
  },
  group({ members }) {
    const _id = ids.groupConversation(members)
    conversations.set(_id, { _id, participants: Array.from({ length: members }, (_, i) => ids.groupMember(members, i)) })
    return { conversationId: _id }
  },
  countersStart() {
    window = { gc: { ...gc }, cpu: process.cpuUsage(), faults }
    return {}
  },
  countersStop() {
    const cpu = process.cpuUsage(window.cpu)
    return {
      gcCount: gc.count - window.gc.count,
      gcMajor: gc.major - window.gc.major,
      gcMs: gc.ms - window.gc.ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      faults: faults - window.faults
    }
  },
  eldStart() {
    eld = monitorEventLoopDelay({ resolution: 1 })
    eld.enable()
    return {}
  },
  eldStop() {
    eld.disable()
    // a sample is taken every ms; a block of X ms shows as a delay of about X ms
    return { maxMs: eld.max / 1e6, p99Ms: eld.percentile(99) / 1e6, samples: eld.count,
      serverAckMs: lastStart.ackedAt ? lastStart.ackedAt - lastStart.receivedAt : null }
  }
}

process.on('message', (msg) => {
  let reply
  try {
    reply = { id: msg.id, ...handlers[msg.type](msg) }
  } catch (err) {
    reply = { id: msg.id, error: String(err && err.stack ? err.stack : err) }
  }
  process.send(reply)
})
process.on('disconnect', () => process.exit(0)) // the harness is gone or done

connectRedis(process.env.BENCH_REDIS_URL).then((redis) => {
  attach(redis)
  httpServer.listen(0, '127.0.0.1', () => {
    process.send({ type: 'listening', port: httpServer.address().port, ...info })
  })
}, (err) => {
  console.error(`call-server: ${err.message}`)
  process.exit(1)
})
