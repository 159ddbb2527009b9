'use strict'
// Issue 11's findings that main has no test for (by number). These pass on
// main: they are the coverage the closing note asks for, not new problems.
const request = require('supertest')
const { startServer, emitAck, waitFor, settle, sleep } = require('./helpers')

const AB = new Map([['ab', { _id: 'ab', participants: ['a', 'b'] }]])

test('#2 a caller who disconnects during call:start (5 ms lookup) leaves nobody ringing and can start again', async () => {
  const find = async (id) => { await sleep(5); return AB.get(id) ?? null }
  const srv = await startServer({ signaling: { findConversation: find } })
  try {
    for (let round = 0; round < 10; round++) {
      const a = await srv.connect('a')
      const b = await srv.connect('b')
      a.socket.emit('call:start', { conversationId: 'ab' })
      a.socket.disconnect()
      await sleep(40)
      await settle([b])
      const rang = b.events.filter((e) => e.event === 'incoming-call').length
      const cancelled = b.events.filter((e) => e.event === 'call:cancelled').length
      expect(rang).toBe(cancelled)
      expect(srv.handle.store.size).toBe(0)
      const again = await srv.connect('a')
      const started = await emitAck(again, 'call:start', { conversationId: 'ab' })
      expect(started.ok).toBe(true)
      await emitAck(again, 'call:cancel', { callId: started.callId })
      again.socket.disconnect()
      b.socket.disconnect()
      await sleep(20)
    }
  } finally {
    await srv.stop()
  }
})

test('#4 a user "__proto__" is rung, accepts, and the call ends', async () => {
  const conversations = new Map([['p', { _id: 'p', participants: ['a', '__proto__'] }]])
  const srv = await startServer({ conversations, signaling: { ringTimeoutMs: 300 } })
  try {
    const [a, p] = await Promise.all([srv.connect('a'), srv.connect('__proto__')])
    const started = await emitAck(a, 'call:start', { conversationId: 'p' })
    await waitFor(p, 'incoming-call')
    expect(await emitAck(p, 'call:accept', { callId: started.callId })).toEqual({ ok: true, callId: started.callId })
    expect(await emitAck(p, 'call:end', { callId: started.callId })).toEqual({ ok: true, callId: started.callId })
    expect(srv.handle.store.size).toBe(0)
  } finally {
    await srv.stop()
  }
})

test.each([['undefined', undefined], ['null', null], ['an http-errors shape', { status: 404, expose: true, message: 'Not Found' }]])(
  '#5 findConversation rejecting with %s is a JSON 500 INTERNAL and onError is called', async (_, reason) => {
    const srv = await startServer({ router: { findConversation: () => Promise.reject(reason) } })
    try {
      const res = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer a').send({ channelName: 'ab' })
      expect([res.status, res.body.error && res.body.error.code]).toEqual([500, 'INTERNAL'])
      expect(srv.faults.length).toBe(1)
    } finally {
      await srv.stop()
    }
  })

test('#7 lookupTimeoutMs: a hung findConversation is 503 LOOKUP_TIMEOUT on the route and LOOKUP_TIMEOUT in the ack', async () => {
  const never = () => new Promise(() => {})
  const srv = await startServer({
    signaling: { findConversation: never, lookupTimeoutMs: 200 },
    router: { findConversation: never, lookupTimeoutMs: 200 }
  })
  try {
    const res = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer a').send({ channelName: 'ab' })
    expect([res.status, res.body.error.code]).toEqual([503, 'LOOKUP_TIMEOUT'])
    const a = await srv.connect('a')
    const ack = await emitAck(a, 'call:start', { conversationId: 'ab' }, 2000)
    expect(ack.error.code).toBe('LOOKUP_TIMEOUT')
  } finally {
    await srv.stop()
  }
})

test('#7 ringRateLimit: the 3rd start in the window is RATE_LIMITED with retryAfterMs; ALREADY_IN_CALL carries the callId before any lookup', async () => {
  let lookups = 0
  const find = async (id) => { lookups++; return AB.get(id) ?? null }
  const srv = await startServer({ signaling: { findConversation: find, ringRateLimit: { max: 2, windowMs: 60000 } } })
  try {
    const [a] = await Promise.all([srv.connect('a'), srv.connect('b')])
    const first = await emitAck(a, 'call:start', { conversationId: 'ab' })
    const n = lookups
    const refused = await emitAck(a, 'call:start', { conversationId: 'ab' })
    expect(refused.error).toEqual({ code: 'ALREADY_IN_CALL', message: expect.any(String), callId: first.callId })
    expect(lookups).toBe(n)
    await emitAck(a, 'call:cancel', { callId: first.callId })
    const second = await emitAck(a, 'call:start', { conversationId: 'ab' })
    await emitAck(a, 'call:cancel', { callId: second.callId })
    const third = await emitAck(a, 'call:start', { conversationId: 'ab' })
    expect(third.error).toEqual({ code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: expect.any(Number) })
    expect(third.error.retryAfterMs).toBeGreaterThan(0)
  } finally {
    await srv.stop()
  }
})
