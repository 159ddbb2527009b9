'use strict'
// Review of issue 15: onCallEnded "once per call, also across processes", and
// README "Several server processes (Redis)": a Redis restored from an older
// snapshot is detected (the generation went back) and its data is not used.
//
// take() hands an ended call's record out and deletes it. If that change does
// not move the generation, a restart from a snapshot taken between the end
// and the take is not seen as a rollback: the kept call is back, a sweep takes
// it again, and onCallEnded runs a second time for the same call.
const { describeRedis, RedisServer, stopAll } = require('../harness')
const { waitFor, emitAck, sleep, until } = require('../../helpers/sockets')
const { startNode, answeredInChannel } = require('./node')

describeRedis('review 15: a record taken, then Redis restarted from a snapshot taken before the take', () => {
  let redis
  let node

  beforeAll(async () => {
    redis = await RedisServer.start()
    node = await startNode(redis.url, { store: { nodeTtlMs: 1000 } })
  }, 20000)

  afterAll(async () => {
    if (node) await node.close()
    await stopAll()
  })

  test('onCallEnded runs once, not again from the restored snapshot', async () => {
    const { alice, bob, callId, ch, t, send: post200 } = await answeredInChannel(node)
    const ack = { callId }
    const send = async (raw) => expect(await post200(raw)).toBe(200)
    await emitAck(alice, 'call:end', { callId: ack.callId })
    await waitFor(bob, 'call:ended', (d) => d.callId === ack.callId)
    // both are still in the channel: the ended call waits (settleMs) in Redis for its record
    await sleep(100)
    expect(node.seen.records).toEqual([])
    const snapshot = await redis.save()
    await send(ch.leave('bob', t + 10))
    await send(ch.leave('alice', t + 11))
    await until(() => node.seen.records.length === 1, 3000, 'the record')
    expect(node.seen.records[0]).toMatchObject({ callId: ack.callId, outcome: 'completed', durationMs: 9000 })

    await redis.restart(snapshot) // an older snapshot: the record was taken after it was saved
    // settleMs (1.5 s) after the end, and a few sweeps (250 ms) more
    await sleep(3000)
    expect(node.seen.records.map((r) => r.callId)).toEqual([ack.callId])
  }, 15000)
})
