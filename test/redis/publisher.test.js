'use strict'

// guardPublisher (agora-call-token/socket) on a real redis-server. The
// adapter's PUBLISH promises are dropped by @socket.io/redis-adapter; when
// redis-server is killed with publishes in flight, the plain client rejects
// them and the process dies of the unhandled rejection (the first test shows
// it happens); through guardPublisher the process lives, hears the failures,
// and publishes again once Redis is back.

const path = require('path')
const { RedisServer, describeRedis, spawnUntil, stopChild, stopAll } = require('./harness')
const { guardPublisher } = require('../../lib/socket')

const CHILD = path.join(__dirname, 'fixtures', 'publisher-child.js')
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

afterAll(stopAll)

function exitOf(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve('alive'), ms)
    child.once('exit', code => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

describeRedis('guardPublisher: a publish in flight when Redis dies', () => {
  let redis
  beforeEach(async () => {
    redis = await RedisServer.start()
  })
  afterEach(async () => {
    if (redis) await redis.close()
  })

  async function run(guard) {
    const child = await spawnUntil(`publisher GUARD=${guard}`, process.execPath, [CHILD],
      { env: { ...process.env, REDIS_URL: redis.url, GUARD: guard } }, /^ready$/m)
    // broadcasting: Redis has answered a few thousand of its PUBLISHes
    const published = async () => Number((/cmdstat_publish:calls=(\d+)/.exec(await redis.cli('INFO', 'commandstats')) || [0, 0])[1])
    for (let waited = 0; waited < 10000 && await published() < 2000; waited += 50) await sleep(50)
    await redis.stop()
    return child
  }

  test('the plain client: the process ends with the unhandled rejection', async () => {
    const child = await run('0')
    const code = await exitOf(child, 5000)
    await stopChild(child, 'SIGKILL')
    expect({ code, output: child.output }).toEqual({
      code: expect.any(Number),
      output: expect.stringMatching(/SocketClosedUnexpectedlyError|ECONNRESET|Socket closed unexpectedly/)
    })
    expect(code).not.toBe(0)
  }, 20000)

  test('through guardPublisher: the process lives, the failures are heard, and it publishes again after the restart', async () => {
    const child = await run('1')
    const code = await exitOf(child, 2000)
    await redis.start()
    const mark = child.output.length
    // node-redis reconnects by itself, after a back-off of up to a few seconds
    for (let waited = 0; waited < 15000 && !/^probe ok$/m.test(child.output.slice(mark)); waited += 100) await sleep(100)
    const after = child.output.slice(mark)
    const errors = Math.max(0, ...[...child.output.matchAll(/^errors (\d+)$/gm)].map(m => Number(m[1])))
    await stopChild(child, 'SIGKILL')
    expect({ code, failuresHeard: errors > 0, probeAfterRestart: /^probe ok$/m.test(after) })
      .toEqual({ code: 'alive', failuresHeard: true, probeAfterRestart: true })
  }, 30000)
})

describeRedis('guardPublisher: the view is the client', () => {
  let redis
  let client
  beforeAll(async () => {
    redis = await RedisServer.start()
    client = require('redis').createClient({ url: redis.url })
    client.on('error', () => {})
    await client.connect()
  })
  afterAll(async () => {
    if (client) await client.close()
    if (redis) await redis.close()
  })

  test('commands, the constructor and the client itself are unchanged; bad arguments are TypeErrors', async () => {
    const view = guardPublisher(client)
    await view.set('k', 'v')
    expect({
      publish: await view.publish('c', 'm'), // subscribers reached: none
      get: await view.get('k'),
      ctor: view.constructor === client.constructor,
      same: view.isReady === client.isReady,
      untouched: Object.hasOwn(client, 'publish')
    }).toEqual({ publish: 0, get: 'v', ctor: true, same: true, untouched: false })
    expect(() => guardPublisher(null)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => guardPublisher(client, { onError: 1 })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
  })

  test('a failed publish still rejects for a caller who awaits it, and onError hears it', async () => {
    const heard = []
    const other = client.duplicate()
    other.on('error', () => {})
    await other.connect()
    const view = guardPublisher(other, { onError: err => heard.push(err) })
    await other.close()
    await expect(view.publish('c', 'm')).rejects.toThrow()
    expect(heard.length).toBe(1)
  })
})
