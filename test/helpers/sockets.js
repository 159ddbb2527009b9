'use strict'

// Test helpers for real socket.io-client connections: per-client event
// recording, event waits with timeouts, acknowledged emits.

const { io: connect } = require('socket.io-client')

function connectClient(url, auth, { timeoutMs = 2000 } = {}) {
  const socket = connect(url, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs
  })
  const events = []
  // The demo's chat messages (call records written into conversations) are not call signaling:
  // the call suites assert the exact signaling events each client gets.
  socket.onAny((event, ...args) => {
    if (event !== 'conversation:message') events.push({ event, data: args[0] })
  })
  const client = { socket, events }
  client.ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect to ${url} timed out`)), timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(client)
    })
    socket.once('connect_error', err => {
      clearTimeout(timer)
      reject(err)
    })
  })
  return client
}

/** Resolves with the first recorded (past or future) event matching, or rejects after timeoutMs. */
function waitFor(client, event, predicate = () => true, timeoutMs = 1000) {
  const found = client.events.find(e => e.event === event && predicate(e.data))
  if (found) return Promise.resolve(found.data)
  return new Promise((resolve, reject) => {
    const listener = (name, ...args) => {
      if (name === event && predicate(args[0])) {
        clearTimeout(timer)
        client.socket.offAny(listener)
        resolve(args[0])
      }
    }
    const timer = setTimeout(() => {
      client.socket.offAny(listener)
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`))
    }, timeoutMs)
    client.socket.onAny(listener)
  })
}

/** Emits with an acknowledgement; rejects if the server does not answer in time. */
function emitAck(client, event, payload, timeoutMs = 1000) {
  return client.socket.timeout(timeoutMs).emitWithAck(event, payload)
}

/** Event names recorded by a client, in order. */
function names(client) {
  return client.events.map(e => e.event)
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Resolves with check()'s value once it is truthy (polled every 10 ms), or rejects after ms. */
async function until(check, ms = 3000, what = 'condition') {
  const end = Date.now() + ms
  for (;;) {
    const v = check()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(10)
  }
}

function disconnectAll(clients) {
  for (const c of clients) {
    if (c && c.socket) c.socket.disconnect()
  }
}

module.exports = { connectClient, waitFor, emitAck, names, sleep, until, disconnectAll }

/**
 * Deterministic "settle": a round trip from every client. Whatever the server
 * sent a client before answering is delivered before that answer, so once all
 * round trips are done nothing already emitted is still in flight. Uses a
 * call:end without a callId, which the server refuses with no side effect.
 */
function settle(clients, timeoutMs = 1000) {
  return Promise.all(
    clients.filter(c => c.socket.connected).map(c => emitAck(c, 'call:end', {}, timeoutMs)))
}

module.exports.settle = settle
