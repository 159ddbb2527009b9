'use strict'
// Review of issue 15: onRingOffline names the rung members "who have no socket
// on any process. With Redis that is the store's presence of every process".
//
// A user's presence key lives maxCallMs after the last write for that user.
// A user who simply stays connected (a desktop chat client, for hours) gets no
// more writes, while the process goes on with its other users: their key
// expires, they look offline everywhere, and a call to them fires
// onRingOffline (a push notification) although they are connected. Here with
// maxCallMs 1 s, two "processes" (two stores with their own node ids on one
// real redis-server): Bob stays connected to B, other users come and go on A.
const { describeRedis, RedisServer, stopAll } = require('../harness')
const { waitFor, emitAck, sleep } = require('../../helpers/sockets')
const { startNode } = require('./node')

describeRedis('review 15: presence of a user who stays connected longer than maxCallMs', () => {
  let redis
  let a
  let b

  beforeAll(async () => {
    redis = await RedisServer.start()
    const store = { nodeTtlMs: 500, maxCallMs: 1000 }
    a = await startNode(redis.url, { store: { ...store, nodeId: 'A' } })
    b = await startNode(redis.url, { store: { ...store, nodeId: 'B' } })
  }, 20000)

  afterAll(async () => {
    if (a) await a.close()
    if (b) await b.close()
    await stopAll()
  })

  test('a call to a user connected to the other process for longer than maxCallMs does not fire onRingOffline for them', async () => {
    const bob = await b.connect('bob')
    const alice = await a.connect('alice')
    // the other process is busy with other users: presence writes go on there
    const until = Date.now() + 1800
    let n = 0
    while (Date.now() < until) {
      const other = await a.connect(`visitor-${n++}`)
      await sleep(100)
      other.socket.disconnect()
    }
    expect(bob.socket.connected).toBe(true)
    const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-abc', media: 'audio' })
    expect(ack.ok).toBe(true)
    // carol has no socket anywhere: she is named; bob is connected to B
    for (let i = 0; i < 50 && a.seen.offline.length === 0; i++) await sleep(20)
    expect(a.seen.offline.map((x) => x.userIds)).toEqual([['carol']])
    await emitAck(alice, 'call:cancel', { callId: ack.callId })
    await waitFor(alice, 'call:ended', (d) => d.callId === ack.callId).catch(() => {})
  }, 15000)
})
