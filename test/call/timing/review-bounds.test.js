'use strict'

// A measurement on a shared 2-core machine can be unlucky once; a real regression (a quadratic
// walk, a block of seconds) fails the second run too.
jest.retryTimes(1, { logErrorsBeforeRetry: true })
// Bounds a hostile client or a slow database must not get around: the
// per-user event queue, the ring rate-limit map.
const v8 = require('v8')
const vm = require('vm')
const { startServer, sleep } = require('../review/helpers')
const { rateLimit } = require('../../../lib/call/options')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

test('one client cannot make the server hold an unbounded queue of its call:start events (payloads included) behind a slow lookup', async () => {
  let release
  const hung = new Promise((resolve) => { release = resolve })
  const conversations = new Map([['ab', { _id: 'ab', participants: ['a', 'b'] }]])
  const srv = await startServer({
    conversations,
    signaling: { findConversation: () => hung, lookupTimeoutMs: 60000 }
  })
  try {
    const a = await srv.connect('a')
    const before = heap()
    const junk = 'x'.repeat(500 * 1024)
    const acks = []
    for (let i = 0; i < 100; i++) {
      acks.push(a.socket.timeout(120000).emitWithAck('call:start', { conversationId: 'ab', media: 'audio', junk: junk + i }).catch(() => null))
    }
    // every event has reached the server (a round trip on another event name queues behind nothing)
    await sleep(1500)
    const grown = heap() - before
    // 100 x 500 KB sent; a bound on pending events per user keeps this small
    expect(grown).toBeLessThan(20 * 1024 * 1024)
    release(null)
    await Promise.race([Promise.all(acks), sleep(5000)])
  } finally {
    release(null)
    await srv.stop()
  }
})

test('the ring rate limiter costs the same per attempt with 25,000 users in the window as with 5,000', () => {
  const perCall = {}
  for (const users of [5000, 25000]) {
    const limit = rateLimit(undefined, 'ringRateLimit', { max: 20, windowMs: 60000 })
    for (let i = 0; i < users; i++) limit(`u${i}`)
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < 300; i++) limit(`v${users}-${i}`)
    perCall[users] = Number(process.hrtime.bigint() - t0) / 300
  }
  // today: above 10,000 live windows every attempt walks the whole map
  expect(perCall[25000]).toBeLessThan(5 * perCall[5000] + 2000)
})

test('a socket whose async getUserId never settles gets its call:start answered, not held forever', async () => {
  const srv = await startServer({ signaling: { getUserId: () => new Promise(() => {}), lookupTimeoutMs: 300 } })
  try {
    const a = await srv.connect('a')
    const answer = await a.socket.timeout(2000).emitWithAck('call:start', { conversationId: 'ab' })
      .then((ack) => ack.error.code, () => 'no answer in 2 s')
    expect(['UNAUTHENTICATED', 'LOOKUP_TIMEOUT', 'UNAVAILABLE']).toContain(answer)
  } finally {
    await srv.stop()
  }
})
