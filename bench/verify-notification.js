'use strict'
// node bench/verify-notification.js: verifyNotification with the C check vs Node's crypto, side by side in one
// process, alternating rounds over 256 distinct signed bodies; prints medians of 15 rounds (us per call).
const crypto = require('crypto')
const path = require('path')
const { _makeVerify, _jsCheck } = require(path.join(__dirname, '..', 'lib', 'webhooks', 'verify'))
const addon = require(path.join(__dirname, '..', 'build', 'Release', 'agora_call_token.node'))
const secret = 'ncs-secret-from-console-0123456789'
function run(size) {
  const bodies = []
  for (let i = 0; i < 256; i++) {
    const b = JSON.stringify({ noticeId: crypto.randomUUID(), productId: 1, eventType: 104, notifyMs: Date.now() + i, sid: 'S' + i,
      payload: { channelName: '665f1c2e8a1b2c3d4e5fc001', uid: 1000 + i, platform: 7, clientSeq: 1625051030789 + i, reason: 1, ts: 1560396943, duration: 600, account: 'acc' + i, pad: 'x'.repeat(Math.max(0, size - 260)) } })
    bodies.push([Buffer.from(b), { 'agora-signature-v2': crypto.createHmac('sha256', secret).update(b).digest('hex'), 'agora-signature': 'x' }])
  }
  const impls = { native: _makeVerify(addon.verifyNotification), js: _makeVerify(_jsCheck) }
  const checks = { native: addon.verifyNotification, js: _jsCheck }
  const res = { native: [], js: [], nativeCheck: [], jsCheck: [] }
  const key = Buffer.from(secret)
  for (let round = 0; round < 15; round++) {
    for (const name of round % 2 ? ['js', 'native'] : ['native', 'js']) {
      const f = impls[name]; let n = 0; const t0 = process.hrtime.bigint()
      while (n < 20000) { const [b, h] = bodies[n & 255]; if (!f(b, h, secret).valid) throw 1; n++ }
      res[name].push(Number(process.hrtime.bigint() - t0) / n / 1000)
      const c = checks[name]; n = 0; const t1 = process.hrtime.bigint()
      while (n < 20000) { const [b, h] = bodies[n & 255]; if (c(b, h['agora-signature-v2'], '', key) !== 'VALID') throw 2; n++ }
      res[name + 'Check'].push(Number(process.hrtime.bigint() - t1) / n / 1000)
    }
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(2)
  console.log(`body ~${bodies[0][0].length} B: verifyNotification native ${med(res.native)} us, js ${med(res.js)} us; check only: native ${med(res.nativeCheck)} us, js ${med(res.jsCheck)} us`)
}
run(300); run(16384)
