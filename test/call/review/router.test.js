'use strict'
// The token route (real HTTP through supertest): bounds on the app's own
// async callbacks, and one conversation named two ways in one body.
const request = require('supertest')
const { startServer } = require('./helpers')

const conversations = new Map([['65c0000000000000000000aa', { _id: '65c0000000000000000000aa', participants: ['alice', 'bob'] }]])
const never = () => new Promise(() => {})

test('an async getUserId that never settles is answered after lookupTimeoutMs, not held forever', async () => {
  const srv = await startServer({ conversations, router: { getUserId: never, lookupTimeoutMs: 300 } })
  try {
    const t0 = Date.now()
    const res = await request(srv.app).post('/api/call/token').send({ channelName: '65c0000000000000000000aa' })
      .timeout(3000).then((r) => r, (err) => ({ status: err.timeout ? 'held for 3 s' : err.message }))
    expect(res.status).toBe(503)
    expect(Date.now() - t0).toBeLessThan(2000)
  } finally {
    await srv.stop()
  }
})

test("identity 'uid': a uidFor that never settles is answered after lookupTimeoutMs, not held forever", async () => {
  const srv = await startServer({ conversations, router: { identity: 'uid', uidFor: never, lookupTimeoutMs: 300 } })
  try {
    const res = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer alice').send({ channelName: '65c0000000000000000000aa' })
      .timeout(3000).then((r) => r, (err) => ({ status: err.timeout ? 'held for 3 s' : err.message }))
    expect(res.status).toBe(503)
  } finally {
    await srv.stop()
  }
})

test('channelName and conversationId that are one id in two letter cases are not "differ" (400)', async () => {
  const srv = await startServer({ conversations, router: {} })
  try {
    const res = await request(srv.app).post('/api/call/token').set('Authorization', 'Bearer alice')
      .send({ channelName: '65c0000000000000000000aa', conversationId: '65C0000000000000000000AA' })
    expect(res.status).toBe(200)
    expect(res.body.channelName).toBe('65c0000000000000000000aa')
  } finally {
    await srv.stop()
  }
})
