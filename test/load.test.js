'use strict'

// The token route under load, briefly: the check of test/load/route-load.js
// (autocannon, 100 connections against the demo server in a child process,
// members / non-members / unauthenticated / malformed requests mixed) for 2 s
// instead of 10. `node test/load/route-load.js` runs the full 10 s.

const { runLoad } = require('./load/route-load')

test('2 s of 100 connections: every member 200, non-member 403, malformed 400, no 5xx', async () => {
  const r = await runLoad({ duration: 2, connections: 100 })
  console.log(`load: ${r.requests} requests in 2 s, ${JSON.stringify(r.counts)}, p99 ${r.latencyMs.p99} ms`)
  expect(r.violations).toEqual([])
  expect(r.errors).toBe(0)
  expect(r.timeouts).toBe(0)
  expect(Object.keys(r.byStatus).sort()).toEqual(['200', '400', '401', '403'])
  expect(r.requests).toBeGreaterThan(500)
  expect(r.verifiedTokens).toBeGreaterThan(0)
}, 30000)
