'use strict'

// A call-signaling server in a worker thread, for tests that measure how long
// the server blocks. The test thread keeps its own event loop (its clients and
// its deadlines run while the server is busy) and can terminate a server that
// is stuck in a long synchronous loop.
//
// startCallWorker({ conversations, signaling }) -> { url, request(type, data), terminate() }
//   conversations: [{ id, users: [userId...], tail?: [userId...], size?, kind? }]
//     users come first, then generated members, then tail (size in all);
//     kind 'objectid' (bson ObjectIds, the default) or 'string'.
//   signaling: plain options for attachCallSignaling (ringTimeoutMs, ...).
// Requests (answered by the worker):
//   'eld:start'                     start a monitorEventLoopDelay histogram (10 ms resolution)
//   'eld:stop'    -> { maxMs }      the longest delay seen since eld:start
//   'lookups'     -> { [id]: n }    findConversation calls per id
//   'notify' { id, from } -> { ms, notified }   notifyIncomingCall timed inside the worker

const path = require('path')
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads')

if (isMainThread) {
  const startCallWorker = (data, { timeoutMs = 10000 } = {}) => new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: data })
    const pending = new Map()
    let seq = 0
    let done = false
    const timer = setTimeout(() => fail(new Error(`call worker did not start within ${timeoutMs} ms`)), timeoutMs)
    function fail(err) {
      if (done) return
      done = true
      clearTimeout(timer)
      worker.terminate()
      reject(err)
    }
    worker.on('error', err => {
      for (const p of pending.values()) p.reject(err)
      fail(err)
    })
    worker.on('message', msg => {
      if (msg.type === 'ready') {
        done = true
        clearTimeout(timer)
        resolve(handle(msg.port))
        return
      }
      const p = pending.get(msg.seq)
      if (!p) return
      pending.delete(msg.seq)
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }))
      else p.resolve(msg.result)
    })
    function handle(port) {
      return {
        url: `http://127.0.0.1:${port}`,
        /** Resolves with the worker's answer; rejects after timeoutMs (a blocked worker answers late). */
        request(type, payload, { timeoutMs: ms = 3000 } = {}) {
          const id = ++seq
          return new Promise((res, rej) => {
            const t = setTimeout(() => {
              pending.delete(id)
              rej(new Error(`the server thread did not answer "${type}" within ${ms} ms`))
            }, ms)
            pending.set(id, {
              resolve: v => { clearTimeout(t); res(v) },
              reject: e => { clearTimeout(t); rej(e) }
            })
            worker.postMessage({ seq: id, type, payload })
          })
        },
        terminate: () => worker.terminate()
      }
    }
  })
  module.exports = { startCallWorker }
} else {
  const http = require('http')
  const { monitorEventLoopDelay } = require('perf_hooks')
  const { ObjectId } = require('bson')
  const { Server } = require('socket.io')
  const { attachCallSignaling, notifyIncomingCall } = require(path.join(__dirname, '..', '..', 'lib', 'socket'))

  const conversations = new Map()
  for (const spec of workerData.conversations) {
    const kind = spec.kind || 'objectid'
    const tail = spec.tail || []
    const ids = [...spec.users]
    const size = spec.size || ids.length + tail.length
    for (let i = ids.length; i < size - tail.length; i++) {
      // distinct 24-hex ids, none equal to a named user's
      ids.push('7' + spec.id.slice(-6) + i.toString(16).padStart(17, '0'))
    }
    ids.push(...tail)
    const participants = kind === 'string' ? ids : ids.map(h => new ObjectId(h))
    conversations.set(spec.id, { _id: new ObjectId(spec.id), participants })
  }
  const lookups = {}
  const findConversation = async id => {
    lookups[id] = (lookups[id] || 0) + 1
    return conversations.get(id) ?? null
  }

  const server = http.createServer()
  const io = new Server(server)
  io.use((socket, next) => {
    const { userId } = socket.handshake.auth || {}
    if (typeof userId === 'string') socket.data.userId = userId
    next()
  })
  attachCallSignaling(io, { findConversation, onError: () => {}, ...(workerData.signaling || {}) })

  let histogram = null
  const handlers = {
    'eld:start'() {
      if (histogram) histogram.disable()
      histogram = monitorEventLoopDelay({ resolution: 10 })
      histogram.enable()
      return null
    },
    'eld:stop'() {
      histogram.disable()
      const maxMs = histogram.max / 1e6
      histogram = null
      return { maxMs }
    },
    lookups() {
      return { ...lookups }
    },
    notify({ id, from }) {
      const t0 = performance.now()
      const notified = notifyIncomingCall(io, conversations.get(id), from, { media: 'audio' })
      return { ms: performance.now() - t0, notified: notified.length }
    }
  }
  parentPort.on('message', ({ seq, type, payload }) => {
    try {
      parentPort.postMessage({ seq, result: handlers[type](payload) })
    } catch (err) {
      parentPort.postMessage({ seq, error: { message: err.message, code: err.code } })
    }
  })
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready', port: server.address().port }))
}
