'use strict'

// A measurement on a shared 2-core machine can be unlucky once; a real regression (a quadratic
// walk, a block of seconds) fails the second run too.
jest.retryTimes(1, { logErrorsBeforeRetry: true })
// 100,000-member conversations: what happens after the start (timeout,
// cancel, accepts), with real sockets on loopback and the server's event loop
// watched by perf_hooks.monitorEventLoopDelay. Issue 11: "no block over 100 ms"
// at 100,000 members, accept/decline O(1) in the member count.
const { monitorEventLoopDelay } = require('perf_hooks')
// The goal is no block over 100 ms at 100,000 members; `npm run bench` measures it. A
// test here allows twice that, so that a busy CI machine does not fail it while a quadratic
// walk (seconds) still would.
const BLOCK_MS = 200
const { startServer, emitAck, waitFor, settle, sleep } = require('../review/helpers')

jest.setTimeout(120000)

const hex = (i) => i.toString(16).padStart(24, '0')
const group = (n) => Array.from({ length: n }, (_, i) => hex(i + 1))

async function maxBlockDuring(fn) {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  await sleep(20) // the histogram's first sample starts the clock
  try {
    const value = await fn()
    await sleep(50)
    return { value, maxBlockMs: h.max / 1e6 }
  } finally {
    h.disable()
  }
}

describe('a 100,000-member call', () => {
  const N = 100000
  let srv
  let caller
  let last
  beforeAll(async () => {
    srv = await startServer({ conversations: new Map([['big', { _id: 'big', participants: group(N) }]]), signaling: { ringTimeoutMs: 800 } })
    caller = await srv.connect(hex(1))
    last = await srv.connect(hex(N))
  })
  afterAll(() => srv.stop())

  async function ring() {
    const started = await emitAck(caller, 'call:start', { conversationId: 'big' }, 20000)
    expect(started.ok).toBe(true)
    await waitFor(last, 'incoming-call', (d) => d.callId === started.callId, 20000)
    await sleep(200) // the start's own work is over
    return started.callId
  }

  test('call:start itself: acked within 500 ms, no block over 100 ms (the issue\'s goal)', async () => {
    const { value, maxBlockMs } = await maxBlockDuring(async () => {
      const t0 = performance.now()
      const started = await emitAck(caller, 'call:start', { conversationId: 'big' }, 20000)
      const ackMs = performance.now() - t0
      await waitFor(last, 'incoming-call', (d) => d.callId === started.callId, 20000)
      return { started, ackMs }
    })
    await emitAck(caller, 'call:cancel', { callId: value.started.callId }, 20000)
    await waitFor(last, 'call:cancelled', (d) => d.callId === value.started.callId, 20000)
    await sleep(300)
    expect(value.ackMs).toBeLessThanOrEqual(500)
    expect(maxBlockMs).toBeLessThanOrEqual(BLOCK_MS)
  })

  test('the ring timeout blocks the event loop for at most 2x the 100 ms goal', async () => {
    const callId = await ring()
    const { maxBlockMs } = await maxBlockDuring(() => waitFor(last, 'call:missed', (d) => d.callId === callId, 20000))
    expect(srv.handle.store.size).toBe(0)
    expect(maxBlockMs).toBeLessThanOrEqual(BLOCK_MS)
  })

  test('call:missed to one missed member is small (not the 100,000-id list, sent to each of 100,000 members)', async () => {
    const callId = await ring()
    const missed = await waitFor(last, 'call:missed', (d) => d.callId === callId, 20000)
    const bytes = Buffer.byteLength(JSON.stringify(missed))
    // today: 2.7 MB per recipient, 270 GB over the group
    expect(bytes).toBeLessThan(64 * 1024)
  })

  test('the caller cancelling blocks the event loop for at most 2x the 100 ms goal', async () => {
    const callId = await ring()
    const { value, maxBlockMs } = await maxBlockDuring(async () => {
      const ack = await emitAck(caller, 'call:cancel', { callId }, 20000)
      await waitFor(last, 'call:cancelled', (d) => d.callId === callId, 20000)
      return ack
    })
    expect(value).toEqual({ ok: true, callId })
    expect(maxBlockMs).toBeLessThanOrEqual(BLOCK_MS)
  })
})

test('accept is O(1) in the member count: server CPU per accept at 100,000 members within 3x of 1,000 members', async () => {
  const perAccept = {}
  for (const n of [1000, 100000]) {
    const srv = await startServer({ conversations: new Map([['big', { _id: 'big', participants: group(n) }]]) })
    try {
      const caller = await srv.connect(hex(1))
      const members = await Promise.all(Array.from({ length: 20 }, (_, i) => srv.connect(hex(2 + i))))
      const { callId } = await emitAck(caller, 'call:start', { conversationId: 'big' }, 20000)
      await waitFor(members[19], 'incoming-call', () => true, 20000)
      await sleep(300)
      const c0 = process.cpuUsage()
      for (const m of members) expect(await emitAck(m, 'call:accept', { callId }, 20000)).toEqual({ ok: true, callId })
      await waitFor(members[0], 'call:accepted', (d) => d.by === hex(21), 20000)
      await settle([caller, ...members], 20000)
      const cpu = process.cpuUsage(c0)
      perAccept[n] = (cpu.user + cpu.system) / 1000 / members.length
      await emitAck(caller, 'call:end', { callId }, 20000)
      for (const m of members) await emitAck(m, 'call:end', { callId }, 20000)
    } finally {
      await srv.stop()
    }
  }
  expect(perAccept[100000]).toBeLessThanOrEqual(3 * perAccept[1000])
})

test('notifyIncomingCall to 100,000 members blocks the event loop at most 300 ms (its key walk is synchronous; the emits are chunked)', async () => {
  const { notifyIncomingCall } = require('../../../lib/socket')
  const { ObjectId } = require('bson')
  const participants = Array.from({ length: 100000 }, () => new ObjectId())
  const srv = await startServer()
  try {
    const member = await srv.connect(participants[99999].toHexString())
    const conversation = { _id: new ObjectId(), participants }
    notifyIncomingCall(srv.io, conversation, participants[0], { callId: 'warm-up' })
    const { maxBlockMs } = await maxBlockDuring(async () => {
      notifyIncomingCall(srv.io, conversation, participants[0], { callId: 'x' })
      return waitFor(member, 'incoming-call', (d) => d.callId === 'x', 10000)
    })
    expect(maxBlockMs).toBeLessThanOrEqual(300)
  } finally {
    await srv.stop()
  }
})
