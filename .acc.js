const h = require('./test/redis/harness')
const { waitFor, emitAck } = require('./test/helpers/sockets')
const { BIG_GROUP_ID, bigMember } = require('./test/redis/fixtures/call-server')
const path = require('path')
;(async () => {
  const redis = await h.RedisServer.start()
  const port = await h.freePort()
  const child = await h.spawnUntil('cs', process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), path.join(__dirname, 'test/redis/fixtures/call-server.js')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, GROUP_SIZE: '301', RING_TIMEOUT_MS: '60000', CALL_NODE_TTL_MS: '10000', STORE: process.env.STORE || '' } }, /listening on/)
  const server = { url: 'http://127.0.0.1:' + port, stop: s => h.stopChild(child, s) }
  const map = {}; for (let i = 0; i <= 300; i++) map['m' + i] = [server, bigMember(i)]
  const m = Object.values(await h.connectUsers(map))
  const [caller, ...callees] = m
  const { callId } = await emitAck(caller, 'call:start', { conversationId: BIG_GROUP_ID }, 5000)
  await Promise.all(callees.map(x => waitFor(x, 'incoming-call', d => d.callId === callId, 10000)))
  const t0 = Date.now()
  const ms = await Promise.all(callees.map(async x => { await emitAck(x, 'call:accept', { callId }, 20000); return Date.now() - t0 }))
  console.log('slowest', Math.max(...ms), 'median', ms.sort((a,b)=>a-b)[150])
  for (const x of m) x.socket.disconnect()
  await server.stop('SIGTERM'); await h.stopAll(); process.exit(0)
})()
