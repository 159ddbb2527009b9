'use strict'
// Review of issue 15: "A channel-destroy ends the call", and the router answers
// 500 when channelEvent fails so that Agora's retry does the work.
//
// channelEvent stores the entry first, then ends the call (a second store
// step). When Redis stops answering between the two (here: CLIENT PAUSE
// WRITE of the real redis-server, right after the entry was stored), the
// webhook answers 500 and Agora sends the same notification again. That retry
// finds its entry stored already ("duplicate") and must still end the call,
// or it never ends: nobody else will send the destroy again.
const { describeRedis, RedisServer, stopAll } = require('../harness')
const { waitFor, emitAck, sleep } = require('../../helpers/sockets')
const { startNode, answeredInChannel } = require('./node')

describeRedis('review 15: a channel-destroy whose call end failed, sent again', () => {
  let redis
  let node

  beforeAll(async () => {
    redis = await RedisServer.start()
    node = await startNode(redis.url, { store: { commandTimeoutMs: 400 } })
  }, 20000)

  afterAll(async () => {
    if (node) await node.close()
    await stopAll()
  })

  test('the retry of the destroy ends the call', async () => {
    const { alice, callId, ch, t, send: status } = await answeredInChannel(node)
    const ack = { callId }
    const send = async (raw) => ({ status: await status(raw) })
    expect((await send(ch.leave('bob', t + 8))).status).toBe(200)
    expect((await send(ch.leave('alice', t + 9))).status).toBe(200)

    // Redis holds every write (and script) for 1.2 s from the moment the destroy's entry is stored
    const real = node.store.channelEvent.bind(node.store)
    let pauseAfter = true
    node.store.channelEvent = async (...args) => {
      const got = await real(...args)
      if (pauseAfter) {
        pauseAfter = false
        await redis.pauseWrites(1200)
      }
      return got
    }
    const destroy = ch.destroy(t + 9)
    const first = await send(destroy)
    expect(first.status).toBe(500) // the call could not be ended: Agora will send it again
    await sleep(1300) // Redis answers again
    expect(alice.events.some((e) => e.event === 'call:ended')).toBe(false)

    // Agora's retry: the same notification (noticeId, payload), notifyMs updated as Agora does on a resend
    const retry = await send(JSON.stringify({ ...JSON.parse(destroy), notifyMs: Date.now() }))
    expect(retry.status).toBe(200)
    const ended = await waitFor(alice, 'call:ended', (d) => d.callId === ack.callId, 1500)
    expect(ended).toMatchObject({ by: null, reason: 'channel-destroyed' })
    expect(await emitAck(alice, 'call:end', { callId: ack.callId })).toMatchObject({ ok: false })
  }, 15000)
})
