'use strict'
// The call-signaling sections of `npm run bench` (issue 11): the row ids, running
// them and printing them. Each row sits beside its floor, the seed's way.
// `ui` comes from bench/index.js: { log, progress, doneProgress, summary, selected, compare, printCompare,
// fmtX, fmtNs, fmtInt, fmtRatio, mark, pad, lpad }.

const RING_RATES = [500, 2000]
const GROUP_SIZES = [10000, 100000]
// ids say 10k/100k: with --only's prefix match, 'call-group-10000' would also select 100000
const groupId = (n) => `call-group-${n / 1000}k`

function ids() {
  const membership = require('./membership').rows().map((r) => r.id)
  return [...membership, ...RING_RATES.map((r) => `call-ring-${r}`), 'call-ring-redis', ...GROUP_SIZES.map(groupId)]
}

// ---- isParticipant by id kind ----
function runMembership(opts, results, ui) {
  const rows = require('./membership').rows().filter((r) => ui.selected(opts, r.id))
  for (const row of rows) {
    const why = row.available()
    if (why) {
      ui.log(opts, `\n${row.title}  [${row.id}]\n  skipped: ${why}`)
      results.push({ id: row.id, kind: 'compare', skipped: why, goals: [] })
      ui.summary.push([row.id, '', '', 'skipped', '', ''])
      continue
    }
    ui.progress(`${row.id}...`)
    const result = ui.compare(row.make(), opts)
    ui.doneProgress()
    const ratio = result.ratios.floor
    const goals = [{
      id: `${row.id}:not-slower`,
      text: `isParticipant at least as fast as ${result.contenders[1].label}`,
      value: ui.fmtX(ratio.median),
      pass: ratio.median >= 1
    }]
    const out = { id: row.id, kind: 'compare', title: row.title, result, goals }
    results.push(out)
    ui.printCompare(opts, out)
    ui.summary.push([row.id, `${ui.fmtNs(result.contenders[0].nsPerOp.median)}/op`,
      `${ui.fmtNs(result.contenders[1].nsPerOp.median)}/op (floor)`, ui.fmtRatio(ratio), '>= 1x the floor', ui.mark(goals[0].pass)])
  }
}

// ---- call:start -> incoming-call under load ----
const ms = (x) => (x === null || x === undefined ? '-' : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(x >= 10 ? 1 : 2)} ms`)

async function runRing(opts, results, ui) {
  const rates = RING_RATES.filter((r) => ui.selected(opts, `call-ring-${r}`))
  if (!rates.length) return
  const seconds = opts.callSeconds
  let r
  try {
    r = await require('./call').runRing({ rates, seconds, sliceS: opts.quick ? 1 : 2, onProgress: ui.progress })
  } catch (err) {
    r = { error: err.message }
  }
  ui.doneProgress()
  ui.log(opts, '\ncall:start -> incoming-call, 1,000 connected socket.io-client sockets (500 caller/callee pairs, each a ' +
    '2-member conversation), open loop at a fixed rate, each call cancelled once acked; each server in its own child ' +
    `process, the clients in this one; ${seconds} s per server per rate in alternating slices`)
  if (r.error) {
    ui.log(opts, `  skipped: ${r.error}`)
    for (const rate of rates) {
      results.push({ id: `call-ring-${rate}`, kind: 'call-ring', skipped: r.error, goals: [] })
      ui.summary.push([`call-ring-${rate}`, '', '', 'skipped', '', ''])
    }
    return
  }
  ui.log(opts, `  signaling: attachCallSignaling (MemoryCallStore, ringRateLimit ${r.info.ringRateLimit}); floor: ` +
    'participants.includes, then io.to(other).emit(\'incoming-call\'), ack; its call:cancel emits call:cancelled and acks')
  ui.log(opts, '  ring = the caller\'s emit to the callee\'s incoming-call; calls/s = ok acks within the slices; ' +
    'GC and CPU counted in the server process')
  for (const row of r.rates) {
    const { rate, signaling: s, floor: f } = row
    ui.log(opts, `  ${ui.fmtInt(rate)} calls/s offered`)
    const line = (label, x) => {
      const errs = Object.entries(x.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
      ui.log(opts, `    ${ui.pad(label, 9)} ${ui.lpad(ui.fmtInt(x.callsPerSec), 6)} calls/s   ring p50 ${ui.lpad(ms(x.ringP50Ms), 8)}  ` +
        `p99 ${ui.lpad(ms(x.ringP99Ms), 8)}  max ${ui.lpad(ms(x.ringMaxMs), 8)}   GC ${x.gcCount} (${x.gcMajor} major, ` +
        `${x.gcMs.toFixed(0)} ms) = ${x.gcPer1000Calls === null ? '-' : x.gcPer1000Calls.toFixed(2)}/1,000 calls   ` +
        `CPU ${x.cpuUsPerCall === null ? '-' : ui.fmtInt(x.cpuUsPerCall)} us/call   ` +
        `(${ui.fmtInt(x.ok)} calls; no free pair ${x.dropped}, lost ${x.lost}, errors ${errs})`)
    }
    line('signaling', s)
    line('floor', f)
    const ratio = (a, b) => (a === null || b === null || !b ? null : a / b)
    const p50x = ratio(s.ringP50Ms, f.ringP50Ms)
    const p99x = ratio(s.ringP99Ms, f.ringP99Ms)
    const tputx = ratio(s.callsPerSec, f.callsPerSec)
    const gcx = ratio(s.gcPer1000Calls, f.gcPer1000Calls)
    const fx = (x) => (x === null ? '-' : ui.fmtX(x))
    ui.log(opts, `    signaling/floor: ring p50 ${fx(p50x)}, p99 ${fx(p99x)}; calls/s ${fx(tputx)}; GC per call ${fx(gcx)}; ` +
      `CPU per call ${fx(ratio(s.cpuUsPerCall, f.cpuUsPerCall))}`)
    const judged = rate === 2000 // the issue's goals are for 2,000/s
    const goals = [
      { id: `call-ring-${rate}:p99-vs-floor`, text: 'ring p99 <= 3x the floor\'s', value: fx(p99x), pass: judged ? p99x !== null && p99x <= 3 : null },
      { id: `call-ring-${rate}:p99`, text: 'ring p99 < 100 ms', value: ms(s.ringP99Ms), pass: judged ? s.ringP99Ms !== null && s.ringP99Ms < 100 : null },
      { id: `call-ring-${rate}:throughput`, text: 'calls/s >= 0.7x the floor\'s', value: fx(tputx), pass: judged ? tputx !== null && tputx >= 0.7 : null }
    ]
    for (const g of goals) ui.log(opts, `    goal: ${g.text}: ${g.value} ${ui.mark(g.pass)}${judged ? '' : ' (judged at 2,000/s only)'}`)
    results.push({ id: `call-ring-${rate}`, kind: 'call-ring', rate, pairs: r.pairs, sockets: r.sockets, seconds, slices: r.slices,
      signaling: s, floor: f, ratios: { ringP50: p50x, ringP99: p99x, callsPerSec: tputx, gcPerCall: gcx }, goals })
    const mk = judged ? ui.mark(goals.every((g) => g.pass)) : 'info'
    ui.summary.push([`call-ring-${rate}`, `p99 ${ms(s.ringP99Ms)}, ${ui.fmtInt(s.callsPerSec)}/s`,
      `p99 ${ms(f.ringP99Ms)}, ${ui.fmtInt(f.callsPerSec)}/s (floor)`, `p99 ${fx(p99x)}, calls/s ${fx(tputx)}, GC ${fx(gcx)}`,
      judged ? 'p99 <= 3x, < 100 ms; >= 0.7x calls/s' : '', mk])
  }
}

// ---- call:start in large conversations ----
const GROUP_GOALS = { 10000: { ackMs: 30, blockMs: 50 }, 100000: { ackMs: 500, blockMs: 100 } }

async function runGroups(opts, results, ui) {
  const sizes = GROUP_SIZES.filter((n) => ui.selected(opts, groupId(n)))
  if (!sizes.length) return
  const reps = opts.quick ? 2 : 4
  const capMs = opts.callTimeoutS * 1000
  let r
  try {
    r = await require('./call').runGroups({ sizes, reps, capMs, onProgress: ui.progress })
  } catch (err) {
    r = { error: err.message }
  }
  ui.doneProgress()
  ui.log(opts, `\ncall:start in large conversations: 1 caller (in the middle of the list) and 50 connected members ` +
    `(spread over it, the last at its end), the others offline; each server in its own child process; ${reps} calls each, ` +
    `alternating, the first cold; a call not acked and rung within ${opts.callTimeoutS} s is a timeout (the server is killed)`)
  if (r.error) {
    ui.log(opts, `  skipped: ${r.error}`)
    for (const n of sizes) {
      results.push({ id: groupId(n), kind: 'call-group', skipped: r.error, goals: [] })
      ui.summary.push([groupId(n), '', '', 'skipped', '', ''])
    }
    return
  }
  ui.log(opts, '  floor: participants.includes, then io.to(member).emit(\'incoming-call\') for each member, ack. ' +
    'block = the longest event-loop delay in the server (monitorEventLoopDelay, 1 ms) from the emit to 50 ms after the last ring')
  for (const g of r.sizes) {
    const { members, signaling: s, floor: f } = g
    const id = groupId(members)
    ui.log(opts, `  ${ui.fmtInt(members)} members  [${id}]`)
    const line = (label, x) => {
      if (!x.cold) {
        ui.log(opts, `    ${ui.pad(label, 9)} ${x.timeout ? `timeout > ${opts.callTimeoutS} s (not acked and rung; server killed)` : `error ${x.error}`}`)
        return
      }
      const timedOut = x.timeout ? `; then timeout > ${opts.callTimeoutS} s` : ''
      ui.log(opts, `    ${ui.pad(label, 9)} ack ${ui.lpad(ms(x.cold.ackMs), 8)} cold, ${ui.lpad(ms(x.warmAckMs), 8)} warm ` +
        `(server side ${ms(x.cold.serverAckMs)} cold)   all 50 rung ${ui.lpad(ms(x.cold.ringAllMs), 8)} cold, ` +
        `${ui.lpad(ms(x.warmRingAllMs), 8)} warm   longest block ${ui.lpad(ms(x.cold.blockMs), 8)} cold, ` +
        `${ui.lpad(ms(x.warmBlockMs), 8)} warm${timedOut}`)
    }
    line('signaling', s)
    line('floor', f)
    const goal = GROUP_GOALS[members]
    const ok = (x) => Boolean(x.cold && !x.timeout && !x.error)
    const ackx = ok(s) && ok(f) ? s.ackMaxMs / f.ackMaxMs : null
    const blockx = ok(s) && ok(f) ? s.blockMaxMs / f.blockMaxMs : null
    const fx = (x) => (x === null ? '-' : ui.fmtX(x))
    const worst = (x, k) => (x.timeout ? `timeout > ${opts.callTimeoutS} s` : x.error ? `error ${x.error}` : ms(x[k]))
    ui.log(opts, `    signaling/floor (worst call of each): ack ${fx(ackx)}, longest block ${fx(blockx)}`)
    const goals = [
      { id: `${id}:ack`, text: `every call acked within ${goal.ackMs} ms`, value: worst(s, 'ackMaxMs'), pass: ok(s) && s.ackMaxMs <= goal.ackMs },
      { id: `${id}:block`, text: `no event-loop block over ${goal.blockMs} ms`, value: worst(s, 'blockMaxMs'),
        pass: ok(s) && s.blockMaxMs <= goal.blockMs }
    ]
    for (const gl of goals) ui.log(opts, `    goal: ${gl.text}: ${gl.value} ${ui.mark(gl.pass)}`)
    results.push({ id, kind: 'call-group', members, connected: g.connected, reps, capMs, signaling: s, floor: f,
      ratios: { ack: ackx, block: blockx }, goals })
    ui.summary.push([id, `ack ${worst(s, 'ackMaxMs')}, block ${worst(s, 'blockMaxMs')}`,
      `ack ${worst(f, 'ackMaxMs')}, block ${worst(f, 'blockMaxMs')} (floor)`, `ack ${fx(ackx)}, block ${fx(blockx)}`,
      `ack <= ${goal.ackMs} ms, block <= ${goal.blockMs} ms`, ui.mark(goals.every((gl) => gl.pass))])
  }
}

// ---- call:start -> incoming-call across two processes over Redis (issue 12) ----
async function runRingRedis(opts, results, ui) {
  const id = 'call-ring-redis'
  if (!ui.selected(opts, id)) return
  const calls = opts.quick ? 100 : 400
  let r
  try {
    r = await require('./call-redis').run({ calls, rounds: opts.quick ? 2 : 4, onProgress: ui.progress })
  } catch (err) {
    r = { skipped: err.message }
  }
  ui.doneProgress()
  ui.log(opts, '\ncall:start -> incoming-call across two processes over Redis: the caller on one server process, the callee ' +
    `on another, one local redis-server (socket.io Redis adapter); ${calls} calls one at a time per mode in alternating rounds, ` +
    'each cancelled before the next')
  if (r.skipped) {
    ui.log(opts, `  skipped: ${r.skipped}`)
    results.push({ id, kind: 'call-ring-redis', skipped: r.skipped, goals: [] })
    ui.summary.push([id, '', '', 'skipped', '', ''])
    return
  }
  ui.log(opts, '  signaling: attachCallSignaling with RedisCallStore; floor: participants.includes, then io.to(callee).emit through the adapter')
  for (const [label, x] of [['signaling', r.signaling], ['floor', r.floor]]) {
    const errs = Object.entries(x.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'
    ui.log(opts, `    ${ui.pad(label, 9)} ring p50 ${ui.lpad(ms(x.p50), 8)}  p99 ${ui.lpad(ms(x.p99), 8)}  (${x.n} calls, errors ${errs})`)
  }
  const p50x = r.floor.p50 ? r.signaling.p50 / r.floor.p50 : null
  const p99x = r.floor.p99 ? r.signaling.p99 / r.floor.p99 : null
  const fx = (x) => (x === null ? '-' : ui.fmtX(x))
  ui.log(opts, `    signaling/floor: ring p50 ${fx(p50x)}, p99 ${fx(p99x)} (the signaling adds 2 Redis round trips: the caller's current call, then the create)`)
  results.push({ id, kind: 'call-ring-redis', calls, signaling: r.signaling, floor: r.floor, ratios: { ringP50: p50x, ringP99: p99x }, goals: [] })
  ui.summary.push([id, `p50 ${ms(r.signaling.p50)}, p99 ${ms(r.signaling.p99)}`, `p50 ${ms(r.floor.p50)}, p99 ${ms(r.floor.p99)} (floor)`,
    `p50 ${fx(p50x)}, p99 ${fx(p99x)}`, '', 'info'])
}

module.exports = { ids, runMembership, runRing, runRingRedis, runGroups }
