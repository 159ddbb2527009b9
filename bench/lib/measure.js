'use strict'
// Timing engine. All contenders of a comparison run in this process, in
// alternating rounds (A B, then B A, ...) after a warm-up; each round times one
// batch per contender with process.hrtime.bigint(). Every contender gets its own
// batch size, calibrated so that one batch lasts at least `minMs`.
//
// A contender is { key, label, fn } where fn() does one operation and returns a
// number (token length, 1/0...): the batch loop sums them, so nothing is dead code.

// One loop per contender, compiled from its own source text: V8 keeps type
// feedback per function literal, so a shared loop would turn megamorphic and
// tax whichever contender runs second.
function makeRunner(fn) {
  // eslint-disable-next-line no-new-func
  const loop = new Function('fn', 'n', 'let s = 0\nfor (let i = 0; i < n; i++) s += fn()\nreturn s')
  return (n) => {
    const t0 = process.hrtime.bigint()
    const s = loop(fn, n)
    const t1 = process.hrtime.bigint()
    return { ns: Number(t1 - t0), sink: s }
  }
}

let sink = 0 // results go here so that no batch can be optimised away

function median(values) {
  const v = [...values].sort((a, b) => a - b)
  const m = v.length >> 1
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}

function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

// Grows the batch until it lasts minMs; returns the batch size.
function calibrate(run, minMs) {
  const target = minMs * 1e6
  let n = 1
  for (;;) {
    const { ns, sink: s } = run(n)
    sink += s
    if (ns >= target) return n
    n = ns < target / 64 ? n * 8 : Math.ceil(n * (target / Math.max(ns, 1)) * 1.15)
  }
}

/**
 * @param {Array<{key, label, fn}>} contenders the first is the subject (the addon)
 * @param {{ rounds: number, minMs: number, warmupMs: number }} opts
 * @returns {{ contenders: object[], ratios: object, rounds: number }}
 *   contenders[i]: { key, label, batch, nsPerOp: {median,min,max}, opsPerSec, perRound: [] }
 *   ratios[key]: { median, min, max } of (contender ns / subject ns) per round, for each other contender:
 *   above 1 the subject is that many times faster.
 */
function compare(contenders, { rounds, minMs, warmupMs }) {
  const runs = contenders.map((c) => makeRunner(c.fn))
  // warm-up: calibrate each, then alternate whole batches until warmupMs has passed
  let batches = runs.map((run) => calibrate(run, minMs))
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(warmupMs * 1e6))
  do {
    runs.forEach((run, i) => { sink += run(batches[i]).sink })
  } while (process.hrtime.bigint() < warmEnd)
  // re-calibrate now that everything is optimised
  batches = runs.map((run) => calibrate(run, minMs))

  const perRound = contenders.map(() => [])
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? runs.map((_, i) => i) : runs.map((_, i) => runs.length - 1 - i)
    for (const i of order) {
      const { ns, sink: s } = runs[i](batches[i])
      sink += s
      perRound[i].push(ns / batches[i])
    }
  }
  const subject = perRound[0]
  const ratios = {}
  contenders.forEach((c, i) => {
    if (i === 0) return
    ratios[c.key] = summary(perRound[i].map((ns, r) => ns / subject[r]))
  })
  return {
    rounds,
    contenders: contenders.map((c, i) => {
      const ns = summary(perRound[i])
      return { key: c.key, label: c.label, batch: batches[i], nsPerOp: ns, opsPerSec: 1e9 / ns.median, perRound: perRound[i] }
    }),
    ratios,
    sink
  }
}

module.exports = { compare, median, summary }
