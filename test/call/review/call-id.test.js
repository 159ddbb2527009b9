'use strict'
// generateCallId is the integrator's: a careless one (a timestamp, a counter
// per process, a long random string) must not leave users in a call forever.
const { startServer, emitAck, waitFor, settle, sleep } = require('./helpers')

const conv = (id, participants) => [id, { _id: id, participants }]

test('a repeated callId from generateCallId does not leave the first call\'s users stuck in a call nobody can end', async () => {
  const conversations = new Map([conv('ab', ['a', 'b']), conv('cd', ['c', 'd'])])
  // e.g. () => String(Date.now()): two calls in the same millisecond
  const srv = await startServer({ conversations, signaling: { generateCallId: () => 'same-id', ringTimeoutMs: 300 } })
  try {
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((u) => srv.connect(u)))
    const first = await emitAck(a, 'call:start', { conversationId: 'ab' })
    const second = await emitAck(c, 'call:start', { conversationId: 'cd' })
    expect(first.ok).toBe(true)
    expect(second).toEqual(expect.objectContaining({ ok: expect.any(Boolean) }))
    await sleep(700) // both ring timeouts are over
    await settle([a, b, c, d])
    // Nobody may still be "in a call" after every ring timed out.
    for (const client of [a, b, c, d]) {
      const again = await emitAck(client, 'call:start', { conversationId: client === a || client === b ? 'ab' : 'cd' })
      expect(again.error && again.error.code).not.toBe('ALREADY_IN_CALL')
      if (again.ok) await emitAck(client, 'call:cancel', { callId: again.callId })
    }
  } finally {
    await srv.stop()
  }
})

test('a callId longer than the 128 characters call:cancel accepts is not handed out (the caller could never cancel)', async () => {
  const conversations = new Map([conv('ab', ['a', 'b'])])
  const crypto = require('crypto')
  const srv = await startServer({ conversations, signaling: { generateCallId: () => crypto.randomBytes(80).toString('hex') } })
  try {
    const [a, b] = await Promise.all(['a', 'b'].map((u) => srv.connect(u)))
    const started = await emitAck(a, 'call:start', { conversationId: 'ab' })
    if (started.ok) {
      await waitFor(b, 'incoming-call')
      // The id the server handed out must be usable.
      expect(await emitAck(a, 'call:cancel', { callId: started.callId })).toEqual({ ok: true, callId: started.callId })
    } else {
      expect(started.error.code).toBe('INTERNAL')
    }
  } finally {
    await srv.stop()
  }
})
