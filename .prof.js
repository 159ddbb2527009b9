const { createClient } = require('redis')
const { RedisCallStore } = require('./lib/call/stores/redis')
const st = require('./lib/call/stores/redis/store')
;(async () => {
  const c = createClient({ url: 'redis://127.0.0.1:6399' }); await c.connect()
  const s = new RedisCallStore(c, { prefix: '{prof}:' })
  const init = { callId: 'g' + Date.now(), conversationId: 'x', callerId: 'z', media: 'audio', now: 1000, ringTimeoutMs: 30000 }
  const others = Array.from({length: 300}, (_, i) => 'm' + i)
  await s.create(init, others)
  let t0 = Date.now()
  const r = await Promise.all(others.map(u => s.apply(init.callId, 'accept', u, 5)))
  console.log('300 accepts', Date.now() - t0, 'ms')
  // raw script time
  await s.create({ ...init, callId: 'h' + Date.now() }, others.map(x => x + 'h'))
  t0 = Date.now()
  await Promise.all(others.map(u => c.sendCommand(['HGETALL', s._base() + 'c:' + init.callId])))
  console.log('300 raw HGETALL of deleted', Date.now() - t0)
  await c.close()
})()
