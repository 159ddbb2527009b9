'use strict'
// One call-signaling "process" for the review tests, in the test process: the
// flow tests' server (test/call/helpers/records-server.js: socket.io, the real
// webhook router at /agora/events feeding signaling.channelEvent, every hook
// recorded) on its own node-redis client and RedisCallStore (its own nodeId)
// on a real redis-server.
const { RedisCallStore } = require('../../../lib/socket')
const { startRecordsServer } = require('../../call/helpers/records-server')
const { waitFor, emitAck } = require('../../helpers/sockets')
const { post, channel, nowTs } = require('../../helpers/ncs')

async function startNode(redisUrl, { store: storeOptions = {}, signaling = {} } = {}) {
  const { createClient } = require('redis')
  const client = createClient({ url: redisUrl, socket: { reconnectStrategy: () => 50 } })
  client.on('error', () => {}) // outages are the point of some tests: the client reconnects
  await client.connect()
  const store = new RedisCallStore(client, { prefix: '{review15}:', ...storeOptions })
  const node = await startRecordsServer({
    store,
    ringTimeoutMs: 10000,
    channelEvents: { settleMs: 1500, joinTimeoutMs: 60000 },
    ...signaling
  })
  return {
    ...node,
    store,
    client,
    async close() {
      await node.close()
      await client.disconnect().catch(() => {})
    }
  }
}

/**
 * Alice calls Bob on `node`, Bob accepts, and Agora tells of both joining the
 * channel (signed, through the real router). -> { alice, bob, callId, ch, t, send }
 * where send(raw) posts one more notification and resolves its status.
 */
async function answeredInChannel(node) {
  const alice = await node.connect('alice')
  const bob = await node.connect('bob')
  const ack = await emitAck(alice, 'call:start', { conversationId: 'conv-ab', media: 'video' })
  await waitFor(bob, 'incoming-call', (d) => d.callId === ack.callId)
  expect((await emitAck(bob, 'call:accept', { callId: ack.callId })).ok).toBe(true)
  const ch = channel('conv-ab')
  const t = nowTs()
  const send = async (raw) => (await post(node.hook, raw, node.secret)).status
  expect([await send(ch.join('alice', t)), await send(ch.join('bob', t + 1))]).toEqual([200, 200])
  return { alice, bob, callId: ack.callId, ch, t, send }
}

module.exports = { startNode, answeredInChannel }
