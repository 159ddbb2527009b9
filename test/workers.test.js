'use strict'

// The addon in worker threads: it is loaded by the main thread and by four
// workers at once, each building and verifying WORKER_TOKENS tokens (default
// 100,000) with its own inputs. Every token verifies, the samples match what
// the main thread builds for the same inputs, every worker exits with code 0,
// a worker terminated mid-loop takes nothing down, and the main thread goes on.
// On 2 cores the whole file takes about 15 s (5 x 100,000 build + verify).

const path = require('path')
const crypto = require('crypto')
const { Worker } = require('worker_threads')
const act = require('../lib')
const { run, inputs } = require('./helpers/worker-build')

const COUNT = Number(process.env.WORKER_TOKENS) || 100000
const WORKERS = 4
const APP_ID = crypto.randomBytes(16).toString('hex')
const CERT = crypto.randomBytes(16).toString('hex')
const OTHER = crypto.randomBytes(16).toString('hex')
const SCRIPT = path.join(__dirname, 'helpers', 'worker-build.js')

function startWorker(seed, count = COUNT) {
  const worker = new Worker(SCRIPT, {
    workerData: { appId: APP_ID, appCertificate: CERT, otherCertificate: OTHER, seed, count }
  })
  const done = new Promise((resolve, reject) => {
    let result
    worker.on('message', (m) => {
      result = m
    })
    worker.on('error', reject)
    worker.on('exit', (code) => resolve({ code, result }))
  })
  return { worker, done }
}

function expectAllGood(r, count) {
  expect(r).toMatchObject({ built: count, verified: count, failures: [] })
  expect(r.refusedOther).toBe(r.checked)
  expect(r.parsedOk).toBe(r.checked)
}

test(`main thread + ${WORKERS} workers build and verify ${COUNT} tokens each; all exit cleanly`, async () => {
  const t0 = Date.now()
  const workers = []
  for (let w = 1; w <= WORKERS; w++) workers.push(startWorker(w))

  // The main thread works at the same time (its loop is synchronous; the workers run in parallel).
  const mine = run({ appId: APP_ID, appCertificate: CERT, otherCertificate: OTHER, seed: 0, count: COUNT })
  expectAllGood(mine, COUNT)

  const results = await Promise.all(workers.map((w) => w.done))
  const elapsed = Date.now() - t0
  for (const { code, result } of results) {
    expect(code).toBe(0)
    expectAllGood(result, COUNT)
    // the same inputs built here give the same bytes: no state leaked between threads
    for (const [i, token] of Object.entries(result.samples)) {
      expect(act.buildRtcToken(inputs(APP_ID, CERT, result.seed, Number(i)))).toBe(token)
    }
  }
  const perThread = [mine, ...results.map((r) => r.result)].map((r) => Math.round(r.ms))
  // Figures for the report: wall time and each thread's loop time.
  console.log(`workers: ${WORKERS + 1} x ${COUNT} tokens in ${elapsed} ms (per thread ms: ${perThread.join(', ')})`)

  // the main thread's instance still works after the workers' instances are gone
  const token = act.buildRtcToken({ appId: APP_ID, appCertificate: CERT, channelName: 'after', account: 'me' })
  expect(act.verifyToken(token, CERT).valid).toBe(true)
}, 180000)

test('a worker terminated in the middle of its loop exits, and the others are unaffected', async () => {
  const doomed = startWorker(97, 10000000)
  const steady = startWorker(98, 20000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  await doomed.worker.terminate()
  const [d, s] = await Promise.all([doomed.done, steady.done])
  expect(d.code).toBe(1) // terminate() exit code
  expect(d.result).toBeUndefined()
  expect(s.code).toBe(0)
  expectAllGood(s.result, 20000)
  expect(act.verifyToken(act.buildRtcToken({ appId: APP_ID, appCertificate: CERT, channelName: 'x', uid: 1 }), CERT).valid)
    .toBe(true)
}, 60000)

test('twenty short-lived workers load and unload the addon in turn', async () => {
  for (let round = 0; round < 5; round++) {
    const batch = []
    for (let k = 0; k < 4; k++) batch.push(startWorker(200 + round * 4 + k, 200))
    for (const { code, result } of await Promise.all(batch.map((w) => w.done))) {
      expect(code).toBe(0)
      expectAllGood(result, 200)
    }
  }
}, 60000)
