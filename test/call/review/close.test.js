'use strict'
// close() while calls are in flight: after close() nothing rings, nothing is
// left in the store that nobody will ever time out.
const { attachCallSignaling, MemoryCallStore } = require('../../../lib/socket')
const { startServer, emitAck, waitFor, sleep } = require('./helpers')

const hex = (i) => i.toString(16).padStart(24, '0')

test('close() while a big group\'s call:start is computing keys: no call is stored and nobody rings after close', async () => {
  const N = 20000
  const participants = Array.from({ length: N }, (_, i) => hex(i + 1))
  const conversation = { _id: 'big', participants }
  const srv = await startServer({
    signaling: {
      // the lookup answers, and close() runs on the next turn of the loop
      findConversation: async () => {
        setImmediate(() => srv.handle.close())
        return conversation
      }
    }
  })
  try {
    const caller = await srv.connect(hex(1))
    const callee = await srv.connect(hex(2))
    const ack = await emitAck(caller, 'call:start', { conversationId: 'big' }, 5000)
    await sleep(300)
    const rang = callee.events.filter((e) => e.event === 'incoming-call')
    expect(ack).toEqual(expect.objectContaining({ ok: expect.any(Boolean) }))
    // today: acked ok, stored, never rung and never timed out (close() cleared the timers):
    // the caller and all 19,999 members are "in a call" for good
    expect({ stored: srv.handle.store.size, callerIn: srv.handle.store.callIdOf(hex(1)) !== null, rang: rang.length })
      .toEqual({ stored: 0, callerIn: false, rang: 0 })
  } finally {
    await srv.stop()
  }
})

test('a store handed to a new attachCallSignaling after close() still has its ringing calls timed out', async () => {
  const store = new MemoryCallStore()
  const conversations = new Map([['ab', { _id: 'ab', participants: ['a', 'b'] }]])
  const srv = await startServer({ conversations, signaling: { store, ringTimeoutMs: 200 } })
  let second
  try {
    const [a, b] = await Promise.all([srv.connect('a'), srv.connect('b')])
    const started = await emitAck(a, 'call:start', { conversationId: 'ab' })
    await waitFor(b, 'incoming-call')
    srv.handle.close() // e.g. a reload of the signaling's options
    second = attachCallSignaling(srv.io, { store, ringTimeoutMs: 200, findConversation: async (id) => conversations.get(id) ?? null })
    await sleep(800)
    // the old call is long past its ringUntil; nobody should be in it any more
    expect({ stored: store.size, a: store.callIdOf('a'), b: store.callIdOf('b') }).toEqual({ stored: 0, a: null, b: null })
    expect(started.ok).toBe(true)
  } finally {
    if (second) second.close()
    await srv.stop()
  }
})
