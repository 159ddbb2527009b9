'use strict'

// Call records and ring-offline across two server processes over one real
// redis-server: Alice on the first process, Bob on the second, Carol on
// none. Every channel notification is POSTed to both processes at once (as
// Agora may deliver a retry to another process behind a load balancer), and
// still each call's onCallEnded runs exactly once, on one process, with the
// duration from media presence. onRingOffline names Carol (no socket
// anywhere), never Bob (connected to the other process).

const crypto = require('crypto')
const path = require('path')
const { describeRedis, RedisServer, startServers, connectUsers, stopAll } = require('./harness')
const { waitFor, emitAck, sleep, until } = require('../helpers/sockets')
const { post, channel, nowTs } = require('../helpers/ncs')

const FIXTURE = path.join(__dirname, 'fixtures', 'records-server.js')
const SECRET = 'ncs-' + crypto.randomBytes(12).toString('hex')

/** The JSON of every "TAG {json}" line a server printed. */
function lines(server, tag) {
  return server.child.output.split('\n').filter(l => l.startsWith(tag + ' ')).map(l => JSON.parse(l.slice(tag.length + 1)))
}

describeRedis('call records over Redis, two server processes', () => {
  let redis
  let servers
  let u
  const records = () => servers.flatMap(s => lines(s, 'RECORD'))
  const both = raw => Promise.all(servers.map(s => post(`${s.url}/agora/events`, raw, SECRET)))

  beforeAll(async () => {
    redis = await RedisServer.start()
    servers = await startServers(2, {
      script: FIXTURE,
      name: 'records-server',
      env: { REDIS_URL: redis.url, NCS_SECRET: SECRET, RING_TIMEOUT_MS: '1000', SETTLE_MS: '3000', CALL_NODE_TTL_MS: '3000' }
    })
    u = await connectUsers({ alice: [servers[0], 'alice'], bob: [servers[1], 'bob'] })
  }, 30000)

  afterAll(async () => {
    for (const c of Object.values(u || {})) c.socket.disconnect()
    await stopAll()
  })

  test('a completed call: every notification to both processes, one record with the media duration', async () => {
    const ack = await emitAck(u.alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
    await waitFor(u.bob, 'incoming-call', d => d.callId === ack.callId, 2000)
    expect((await emitAck(u.bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
    const ch = channel('conv-ab')
    const t = nowTs()
    for (const raw of [ch.join('alice', t), ch.join('bob', t + 1)]) {
      // one process handles it; the other answers 200 (done) or 409 (being handled: Agora would retry)
      const statuses = (await both(raw)).map(r => r.status).sort()
      expect([[200, 200], [200, 409]]).toContainEqual(statuses)
    }
    // Bob, on the other process, hears Alice's media presence through the adapter
    await waitFor(u.bob, 'call:media', d => d.userId === 'alice' && d.state === 'joined', 2000)
    await emitAck(u.alice, 'call:end', { callId: ack.callId })
    await waitFor(u.bob, 'call:ended', d => d.callId === ack.callId, 2000)
    await both(ch.leave('bob', t + 43))
    await both(ch.leave('alice', t + 44))
    await until(() => records().length >= 1, 5000, 'the record')
    await sleep(300) // a second record, if any, has time to show up
    const mine = records().filter(r => r.callId === ack.callId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ outcome: 'completed', timing: 'media', durationMs: 42000, startedBy: 'alice', endedBy: 'alice' })
  })

  test('missed, declined and cancelled calls: one record each, whichever process ended them', async () => {
    const start = async () => {
      const ack = await emitAck(u.alice, 'call:start', { conversationId: 'conv-ab', media: 'audio' })
      await waitFor(u.bob, 'incoming-call', d => d.callId === ack.callId, 2000)
      return ack.callId
    }
    const missed = await start()
    await waitFor(u.alice, 'call:ended', d => d.callId === missed, 4000) // a sweep of either process times it out
    const declined = await start()
    await emitAck(u.bob, 'call:decline', { callId: declined })
    const cancelled = await start()
    await emitAck(u.alice, 'call:cancel', { callId: cancelled })
    const ids = [missed, declined, cancelled]
    await until(() => records().filter(r => ids.includes(r.callId)).length >= 3, 5000, 'three records')
    await sleep(300)
    const got = records().filter(r => ids.includes(r.callId))
    expect(got.map(r => [r.callId, r.outcome]).sort()).toEqual([[missed, 'missed'], [declined, 'declined'], [cancelled, 'cancelled']].sort())
  })

  test('onRingOffline names the member with no socket on either process, not the one on the other process', async () => {
    const ack = await emitAck(u.alice, 'call:start', { conversationId: 'conv-abc', media: 'video' })
    await waitFor(u.bob, 'incoming-call', d => d.callId === ack.callId, 2000)
    await until(() => servers.some(s => lines(s, 'OFFLINE').some(x => x.call.callId === ack.callId)), 3000, 'onRingOffline')
    await sleep(200)
    const offline = servers.flatMap(s => lines(s, 'OFFLINE')).filter(x => x.call.callId === ack.callId)
    expect(offline).toEqual([{ call: { callId: ack.callId, conversationId: 'conv-abc', callerId: 'alice', media: 'video' }, userIds: ['carol'] }])
    expect(lines(servers[1], 'OFFLINE')).toEqual([]) // the process of the ringing call's caller told it
    await emitAck(u.alice, 'call:cancel', { callId: ack.callId })
    await until(() => records().some(r => r.callId === ack.callId), 5000, 'its record')
  })

  test('events out of order, each to a different process, and twice: the same presence, the destroy ends the call, one record', async () => {
    const ack = await emitAck(u.alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
    await waitFor(u.bob, 'incoming-call', d => d.callId === ack.callId, 2000)
    expect((await emitAck(u.bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
    const ch = channel('conv-ab')
    const t = nowTs()
    const to = (i, raw) => post(`${servers[i].url}/agora/events`, raw, SECRET)
    const bobJoin = ch.join('bob', t + 3)
    await to(1, ch.join('alice', t))
    await to(0, ch.leave('bob', t + 30)) // before his join
    await to(1, bobJoin)
    const again = JSON.parse(bobJoin)
    again.noticeId = crypto.randomUUID() // the same event from another source: the store drops it
    expect((await to(0, JSON.stringify(again))).status).toBe(200)
    await to(0, ch.destroy(t + 31))
    await waitFor(u.alice, 'call:ended', d => d.callId === ack.callId && d.reason === 'channel-destroyed', 3000)
    await to(1, ch.leave('alice', t + 31))
    await until(() => records().some(r => r.callId === ack.callId), 5000, 'the record')
    await sleep(300)
    const mine = records().filter(r => r.callId === ack.callId)
    expect(mine.map(r => [r.outcome, r.durationMs, r.endReason])).toEqual([['completed', 27000, 'channel-destroyed']])
  })

  // last: it kills the first process
  test('the process that ended a call dies before its record: the other process writes it, once, after settleMs', async () => {
    const ack = await emitAck(u.alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
    await waitFor(u.bob, 'incoming-call', d => d.callId === ack.callId, 2000)
    expect((await emitAck(u.bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
    const ch = channel('conv-ab')
    const t = nowTs() - 2
    for (const raw of [ch.join('alice', t), ch.join('bob', t + 1)]) await both(raw)
    await emitAck(u.alice, 'call:end', { callId: ack.callId }) // on the first process, which now waits for the leaves
    await waitFor(u.bob, 'call:ended', d => d.callId === ack.callId, 2000)
    const endedAt = Date.now()
    await servers[0].stop('SIGKILL')
    await until(() => lines(servers[1], 'RECORD').some(r => r.callId === ack.callId), 8000, 'the record from the other process')
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(2500) // settleMs (3 s): the leaves could still have come
    await sleep(500)
    const mine = records().filter(r => r.callId === ack.callId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ outcome: 'completed', timing: 'media', startedBy: 'alice', endedBy: 'alice', answeredAt: (t + 1) * 1000 })
  }, 20000)
})
