'use strict'

// Worker body for test/workers.test.js (also run on the main thread): loads the
// addon in this thread and builds, verifies and spot-parses `count` tokens
// whose inputs depend on `seed`, so no two threads build the same tokens.
// Reports counts, elapsed time and a few sample tokens the main thread can
// rebuild and compare byte for byte.

const { parentPort, workerData, isMainThread } = require('worker_threads')
const path = require('path')

const act = require(path.join(__dirname, '..', '..', 'lib'))

const ISSUED_AT = 1700000000
const SAMPLES = [0, 777, 54321]

/** The inputs of token i for a thread: deterministic, varied (uid/account, role, RTM, lifetime). */
function inputs(appId, appCertificate, seed, i) {
  const options = {
    appId,
    appCertificate,
    channelName: `conv-${seed}-${i % 997}`,
    issuedAt: ISSUED_AT,
    salt: 1 + ((seed * 1000003 + i) % 99999999),
    expiresIn: 60 + (i % 3600)
  }
  if (i % 3 === 0) options.uid = 1 + ((seed * 7919 + i) % 0xfffffffe)
  else options.account = `user-${seed}-${i}`
  if (i % 5 === 0) options.role = 'subscriber'
  if (i % 7 === 0 && options.account) options.withRtm = true
  return options
}

function run({ appId, appCertificate, otherCertificate, seed, count }) {
  const t0 = process.hrtime.bigint()
  let built = 0
  let verified = 0
  let refusedOther = 0
  let parsedOk = 0
  const failures = []
  const samples = {}
  for (let i = 0; i < count; i++) {
    const options = inputs(appId, appCertificate, seed, i)
    const token = act.buildRtcToken(options)
    built++
    const result = act.verifyToken(token, appCertificate, { now: ISSUED_AT + 1 })
    if (result.valid) verified++
    else if (failures.length < 5) failures.push({ i, reason: result.reason })
    if (SAMPLES.includes(i)) samples[i] = token
    if (i % 1000 === 0) {
      // the wrong certificate never verifies, and the fields read back are the inputs
      if (act.verifyToken(token, otherCertificate, { now: ISSUED_AT + 1 }).reason === 'signature') refusedOther++
      const rtc = result.token.services[0]
      const account = options.uid !== undefined ? String(options.uid) : options.account
      if (rtc.channelName === options.channelName && rtc.account === account && result.token.salt === options.salt &&
          act.isParticipant([`user-${seed}-x`, account], account)) {
        parsedOk++
      }
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  return { seed, built, verified, refusedOther, parsedOk, checked: Math.ceil(count / 1000), failures, samples, ms }
}

if (!isMainThread && parentPort) {
  parentPort.postMessage(run(workerData))
}

module.exports = { run, inputs }
