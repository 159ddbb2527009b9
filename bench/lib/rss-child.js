'use strict'
// Run as: node --expose-gc bench/lib/rss-child.js [tokens]
// Builds that many "007" tokens through the addon's default path and prints,
// as JSON, the resident set size after a full GC before and after the loop.
const act = require('../..')
const { APP_ID, APP_CERT, CHANNEL, ACCOUNT } = require('./inputs')

if (typeof global.gc !== 'function') {
  console.error('rss-child.js needs --expose-gc')
  process.exit(2)
}

const total = Number(process.argv[2] || 1e6)
const MB = 1024 * 1024

function settle() {
  for (let i = 0; i < 4; i++) global.gc()
  const m = process.memoryUsage()
  return { rss: m.rss / MB, heapUsed: m.heapUsed / MB, heapTotal: m.heapTotal / MB, external: m.external / MB }
}

function build(n) {
  let sink = 0
  for (let i = 0; i < n; i++) {
    sink += act.buildRtcToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, account: ACCOUNT }).length
  }
  return sink
}

// warm-up long enough for V8's young generation to reach its working size
let sink = build(Math.min(100000, total))
const before = settle()
let peak = 0
const t0 = process.hrtime.bigint()
const step = Math.max(1, Math.floor(total / 20))
for (let done = 0; done < total; done += step) {
  sink += build(Math.min(step, total - done))
  peak = Math.max(peak, process.memoryUsage.rss() / MB)
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9
const after = settle()
process.stdout.write(JSON.stringify({
  tokens: total,
  seconds,
  nsPerToken: (seconds * 1e9) / total,
  before,
  after,
  peakRss: peak,
  growth: { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, external: after.external - before.external },
  sink
}) + '\n')
