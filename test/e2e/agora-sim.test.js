'use strict'

// The demo's simulated Agora (example/agora-sim.js) against a real HTTP
// server: each notification is signed as Agora signs it (checked here with
// Node's crypto), and the events of one channel come in the order Agora sends
// them even when joins and leaves are asked for at the same time, as two pages
// do when a call ends: one "channel destroyed", after the last leave, and no
// account left in a channel it asked to leave.

const crypto = require('crypto')
const http = require('http')
const { createAgoraSimulator } = require('../../example/agora-sim')

const SECRET = crypto.randomBytes(16).toString('hex')

describe('the simulated Agora of the demo', () => {
  let server
  let received
  let sim

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks = []
      req.on('data', c => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        received.push({
          v2ok: req.headers['agora-signature-v2'] === crypto.createHmac('sha256', SECRET).update(body).digest('hex'),
          v1ok: req.headers['agora-signature'] === crypto.createHmac('sha1', SECRET).update(body).digest('hex'),
          ...JSON.parse(body.toString('utf8'))
        })
        // a slow webhook, so that concurrent requests really overlap
        setTimeout(() => res.end(), 20)
      })
    })
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
    sim = createAgoraSimulator({ secret: SECRET, webhookUrl: `http://127.0.0.1:${server.address().port}/agora/events` })
  })

  beforeEach(() => {
    received = []
  })

  afterAll(() => new Promise(resolve => server.close(resolve)))

  const types = () => received.map(n => n.eventType)

  test('notifications are signed with the secret (V2 and V1)', async () => {
    await sim.join('sig', 'alice')
    await sim.leave('sig', 'alice')
    expect(types()).toEqual([101, 103, 104, 102])
    expect(received.every(n => n.v2ok && n.v1ok)).toBe(true)
  })

  test('two members leaving at once: one channel destroyed, after both leaves', async () => {
    await sim.join('two', 'alice')
    await sim.join('two', 'bob')
    received = []
    await Promise.all([sim.leave('two', 'alice'), sim.leave('two', 'bob')])
    expect(types()).toEqual([104, 104, 102])
    expect(sim.channels.has('two')).toBe(false)
  })

  test('a leave asked for while the join is still being sent: joined, then left, channel gone', async () => {
    await Promise.all([sim.join('race', 'carol'), sim.leave('race', 'carol')])
    expect(types()).toEqual([101, 103, 104, 102])
    expect(sim.channels.has('race')).toBe(false)
  })
})
