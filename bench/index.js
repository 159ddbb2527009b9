'use strict'
// npm run bench [-- --quick] [-- --json] [-- --only build007,participant-100000] [-- --list]
// See bench/README.md. Goals are printed with PASS/FAIL; a miss never fails the run.
const os = require('os')
const { spawnSync } = require('child_process')
const path = require('path')
const { compare } = require('./lib/measure')
const callRows = require('./lib/call-rows')

const HELP = `usage: node bench/index.js [options]
  --quick          short run: fewer/shorter rounds, 200,000 tokens for RSS, 3 s HTTP
  --json           print machine-readable results (JSON) on stdout instead of the table
  --only LIST      comma-separated row ids or prefixes (see --list), e.g. --only build007,floor
  --rounds N       alternating rounds per comparison (default 20, quick 15)
  --min-ms N       minimum milliseconds per batch (default 20, quick 10)
  --rss-tokens N   tokens for the RSS row (default 1,000,000, quick 200,000)
  --http-seconds N autocannon duration per server (default 10, quick 3)
  --call-seconds N call:start load per server per rate (default 6, quick 2)
  --call-timeout-s N  a large-group call:start not done by then is a timeout (default 20)
  --list           list the row ids and exit
  --help`

function parseArgs(argv) {
  const o = { quick: false, json: false, only: null, list: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--quick') o.quick = true
    else if (a === '--json') o.json = true
    else if (a === '--list') o.list = true
    else if (a === '--only') o.only = value().split(',').map((s) => s.trim()).filter(Boolean)
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',').map((s) => s.trim()).filter(Boolean)
    else if (a === '--rounds') o.rounds = Number(value())
    else if (a === '--min-ms') o.minMs = Number(value())
    else if (a === '--rss-tokens') o.rssTokens = Number(value())
    else if (a === '--http-seconds') o.httpSeconds = Number(value())
    else if (a === '--call-seconds') o.callSeconds = Number(value())
    else if (a === '--call-timeout-s') o.callTimeoutS = Number(value())
    else if (a === '--help' || a === '-h') o.help = true
    else throw new Error(`unknown option ${a}`)
  }
  o.rounds = o.rounds || (o.quick ? 15 : 20)
  o.minMs = o.minMs || (o.quick ? 10 : 20)
  o.warmupMs = o.quick ? 100 : 250
  o.rssTokens = o.rssTokens || (o.quick ? 200000 : 1000000)
  o.httpSeconds = o.httpSeconds || (o.quick ? 3 : 10)
  o.callSeconds = o.callSeconds || (o.quick ? 2 : 6)
  o.callTimeoutS = o.callTimeoutS || 20
  o.connections = 50
  return o
}

const FLOOR_OPS = [
  { id: 'floor-build007-uid', op: 'build007-uid', title: '"007" RTC build, uid', goal: true },
  { id: 'floor-build007-account', op: 'build007-account', title: '"007" RTC build, account', goal: true },
  { id: 'floor-build006', op: 'build006', title: '"006" RTC build, uid', goal: true },
  { id: 'floor-verify007', op: 'verify007', title: '"007" parse + verify', goal: false }
]

function allIds() {
  const tokens = require('./lib/tokens').rows().map((r) => r.id)
  const notify = require('./lib/notify').rows().map((r) => r.id)
  const participants = require('./lib/participants').rows().map((r) => r.id)
  return [...tokens, ...notify, ...participants, ...FLOOR_OPS.map((f) => f.id), 'alloc', 'rss', 'http', ...callRows.ids()]
}

function selected(opts, id) {
  if (!opts.only) return true
  return opts.only.some((p) => id === p || id.startsWith(p))
}

const log = (opts, ...a) => { if (opts.json) process.stderr.write(a.join(' ') + '\n'); else console.log(...a) }
const progress = (msg) => { if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`) }
const doneProgress = () => { if (process.stderr.isTTY) process.stderr.write('\r\x1b[K') }

// How busy the CPUs are with other work: sampled over 500 ms while this process sleeps.
async function otherLoad() {
  const sample = () => os.cpus().reduce((a, c) => {
    const t = c.times
    a.idle += t.idle
    a.total += t.user + t.nice + t.sys + t.idle + t.irq
    return a
  }, { idle: 0, total: 0 })
  const a = sample()
  await new Promise((resolve) => setTimeout(resolve, 500))
  const b = sample()
  const total = b.total - a.total
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0 // 0..1 of all CPUs
}

function warnLoad(opts, busy, when) {
  if (busy > 0.15) {
    log(opts, `WARNING: other processes kept ${(busy * 100).toFixed(0)}% of the ${os.cpus().length} CPUs busy ${when}: ` +
      'expect noisy numbers (the per-round ratios hold up better than the absolute ones)')
  }
}

// ---- formatting ----
const fmtInt = (n) => Math.round(n).toLocaleString('en-US')
function fmtNs(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  return ns >= 100 ? `${fmtInt(ns)} ns` : `${ns.toFixed(1)} ns`
}
const fmtX = (x) => `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`
const fmtRatio = (r) => `${fmtX(r.median)} [${fmtX(r.min)}..${fmtX(r.max)}]`
const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length))
const lpad = (s, n) => (s.length >= n ? s : ' '.repeat(n - s.length) + s)
const mark = (pass) => (pass === null ? 'info' : pass ? 'PASS' : 'FAIL')

function printCompare(opts, row) {
  log(opts, `\n${row.title}  [${row.id}]`)
  const w = Math.max(...row.result.contenders.map((c) => c.label.length))
  for (const c of row.result.contenders) {
    const ratio = row.result.ratios[c.key]
    const line = `  ${pad(c.label, w)} ${lpad(fmtInt(c.opsPerSec), 11)} ops/s ${lpad(fmtNs(c.nsPerOp.median), 10)}/op` +
      (ratio ? `   addon ${fmtRatio(ratio)}` : '')
    log(opts, line)
  }
  if (row.result.vsFaster) log(opts, `  ${pad('vs the faster JS way in each round', w)} ${' '.repeat(32)}   addon ${fmtRatio(row.result.vsFaster)}`)
  for (const g of row.goals) log(opts, `  goal: ${g.text}: ${g.value} ${mark(g.pass)}`)
}

// One line per row for the closing table: [row, addon, other, result, goal, mark].
const summary = []

// ---- sections ----
function runTokens(opts, results, checks) {
  const tokens = require('./lib/tokens')
  const rows = tokens.rows().filter((r) => selected(opts, r.id))
  if (!rows.length) return
  const failures = tokens.selfCheck()
  checks.push(...failures.map((f) => ({ check: f, ok: false })))
  if (!failures.length) checks.push({ check: 'addon and official builders: same tokens for fixed inputs, same services otherwise', ok: true })
  for (const row of rows) {
    progress(`${row.id}...`)
    const result = compare(row.contenders, opts)
    doneProgress()
    const r = result.ratios[row.goal.key]
    const other = result.contenders.find((c) => c.key === row.goal.key)
    if (row.goal.maxCost) {
      // a floor: the addon's cost over the floor's, per round (the inverse of the speed-up ratio)
      const cost = { median: 1 / r.median, min: 1 / r.max, max: 1 / r.min }
      result.cost = { [row.goal.key]: cost }
      const goals = [{ id: `${row.id}:cost`, text: row.goal.text, value: fmtX(cost.median), pass: cost.median <= row.goal.maxCost }]
      const out = { id: row.id, kind: 'compare', title: row.title, result, goals }
      results.push(out)
      printCompare(opts, out)
      log(opts, `  ${row.goal.key}: the addon costs ${fmtRatio(cost)} the floor per round`)
      summary.push([row.id, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`, `${fmtNs(other.nsPerOp.median)}/op (floor)`,
        `${fmtRatio(cost)} the floor's cost`, `<= ${row.goal.maxCost}x`, mark(goals[0].pass)])
      for (const c of result.contenders.slice(1)) {
        if (c.key === row.goal.key) continue
        summary.push([`${row.id} vs ${c.key}`, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`, `${fmtNs(c.nsPerOp.median)}/op`,
          fmtRatio(result.ratios[c.key]), '', 'info'])
      }
      continue
    }
    const goals = [{
      id: `${row.id}:speedup`,
      text: row.goal.text,
      value: fmtX(r.median),
      pass: r.median >= row.goal.min,
      aimMet: row.goal.aim ? r.median >= row.goal.aim : undefined
    }]
    if (row.goal.aim) goals[0].value += r.median >= row.goal.aim ? ' (aim met)' : ` (aim ${row.goal.aim}x not met)`
    const out = { id: row.id, kind: 'compare', title: row.title, result, goals }
    results.push(out)
    printCompare(opts, out)
    summary.push([row.id, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`, `${fmtNs(other.nsPerOp.median)}/op`,
      fmtRatio(r), row.goal.aim ? `>= ${row.goal.min}x (aim ${row.goal.aim}x)` : `>= ${row.goal.min}x`,
      mark(goals[0].pass)])
    const fallback = result.contenders.find((c) => c.key === 'fallback')
    if (fallback) {
      summary.push([`${row.id} (fallback)`, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`,
        `${fmtNs(fallback.nsPerOp.median)}/op`, fmtRatio(result.ratios.fallback), 'reported only', ''])
    }
  }
}

// Notification rows (bench/lib/notify.js): the addon's check against Node's crypto, reported only.
function runNotify(opts, results, checks) {
  const notify = require('./lib/notify')
  const rows = notify.rows().filter((r) => selected(opts, r.id))
  if (!rows.length) return
  const why = notify.unavailable()
  if (why) {
    log(opts, `\nnotification rows skipped: ${why}`)
    for (const row of rows) {
      results.push({ id: row.id, kind: 'compare', skipped: why, goals: [] })
      summary.push([row.id, '', '', 'skipped (no addon)', '', ''])
    }
    return
  }
  const failures = notify.selfCheck()
  checks.push(...failures.map((f) => ({ check: f, ok: false })))
  if (!failures.length) checks.push({ check: 'notifications: every body valid on both sides with equal results, a changed one refused', ok: true })
  for (const row of rows) {
    progress(`${row.id}...`)
    const result = compare(row.contenders(), opts)
    doneProgress()
    const out = { id: row.id, kind: 'compare', title: row.title, result, goals: [] }
    results.push(out)
    printCompare(opts, out)
    summary.push([`${row.id} (fallback)`, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`,
      `${fmtNs(result.contenders[1].nsPerOp.median)}/op`, fmtRatio(result.ratios.fallback), 'reported only', 'info'])
  }
}

function runParticipants(opts, results) {
  const rows = require('./lib/participants').rows().filter((r) => selected(opts, r.id))
  if (!rows.length) return
  for (const row of rows) {
    progress(`${row.id}...`)
    const result = compare(row.make(), opts)
    doneProgress()
    const [addon, some, map] = result.contenders.map((c) => c.perRound)
    const per = addon.map((ns, i) => Math.min(some[i], map[i]) / ns)
    const sorted = [...per].sort((a, b) => a - b)
    const m = sorted.length >> 1
    result.vsFaster = {
      median: sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2,
      min: sorted[0],
      max: sorted[sorted.length - 1]
    }
    const goals = [{
      id: `${row.id}:not-slower`,
      text: 'isParticipant never slower than the faster JS way',
      value: fmtX(result.vsFaster.median),
      pass: result.vsFaster.median >= 1
    }]
    const out = { id: row.id, kind: 'compare', title: row.title, result, goals }
    results.push(out)
    printCompare(opts, out)
    const faster = Math.min(result.contenders[1].nsPerOp.median, result.contenders[2].nsPerOp.median)
    summary.push([row.id, `${fmtNs(result.contenders[0].nsPerOp.median)}/op`, `${fmtNs(faster)}/op (faster JS)`,
      fmtRatio(result.vsFaster), '>= 1x the faster JS', mark(goals[0].pass)])
  }
}

// the call rows (bench/lib/call-rows.js) print with the helpers of this file
const ui = { log, progress, doneProgress, summary, selected, compare, printCompare, fmtX, fmtNs, fmtInt, fmtRatio, mark, pad, lpad }
function runMembership(opts, results) {
  callRows.runMembership(opts, results, ui)
}

function runFloor(opts, results, checks) {
  const want = FLOOR_OPS.filter((f) => selected(opts, f.id))
  const wantAlloc = selected(opts, 'alloc')
  if (!want.length && !wantAlloc) return
  const floor = require('./lib/floor')
  progress('building and running bench/floor.c...')
  const only = wantAlloc ? null : want.map((f) => f.op).join(',')
  const stages = want.length > 0 && !opts.quick
  const fr = floor.run({ quick: opts.quick, only: only && stages ? `${only},stage-` : only, rounds: opts.rounds,
    minMs: opts.minMs, stages })
  doneProgress()
  log(opts, '\nC floor: bench/floor.c, the same core calls and inputs in a plain C loop (no Node)')
  if (fr.error) {
    log(opts, `  skipped: ${fr.error}`)
    results.push({ id: 'floor', kind: 'floor', skipped: fr.error, goals: [] })
    summary.push(['floor, alloc', '', '', 'skipped (no C floor)', '', ''])
    return
  }
  log(opts, `  note: the floor links the system zlib (${fr.zlib}, upstream) and ${fr.openssl}; ` +
    `the addon uses Node's own (zlib ${process.versions.zlib}, OpenSSL ${process.versions.openssl}).`)
  log(opts, '  The two zlibs compress differently, so "007" tokens differ in bytes (the payloads are equal).')

  // cross-check: the floor builds what the addon builds (same payload; "006" byte for byte)
  const ft = floor.tokens()
  if (ft) {
    const act = require('..')
    const { APP_ID, APP_CERT, CHANNEL, ACCOUNT, UID } = require('./lib/inputs')
    const zlib = require('zlib')
    const payload = (t) => zlib.inflateSync(Buffer.from(t.slice(3), 'base64')).toString('hex')
    const base = { appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, issuedAt: 1700000000, salt: 42 }
    const ok = payload(ft['build007-uid']) === payload(act.buildRtcToken({ ...base, uid: UID })) &&
      payload(ft['build007-account']) === payload(act.buildRtcToken({ ...base, account: ACCOUNT })) &&
      ft.build006 === act.buildLegacyToken({ appId: APP_ID, appCertificate: APP_CERT, channelName: CHANNEL, uid: UID,
        salt: 42, ts: 1700086400, privileges: { 1: 1700086400, 2: 1700086400, 3: 1700086400, 4: 1700086400 } })
    checks.push({ check: 'C floor and addon: same payloads for fixed inputs', ok })
    if (!ok) log(opts, '  WARNING: the floor does not build what the addon builds: its numbers are not comparable')
  }

  const byOp = Object.fromEntries(fr.results.map((r) => [r.name, r]))
  const tokens = require('./lib/tokens')
  for (const f of want) {
    const fl = byOp[f.op]
    if (!fl) continue
    // the addon's number: from its comparison row when that ran, else measured alone now
    const fromRow = results.find((r) => r.id === f.op)
    let addonNs
    if (fromRow) {
      addonNs = fromRow.result.contenders[0].nsPerOp.median
    } else {
      progress(`addon ${f.op} alone...`)
      addonNs = compare([{ key: 'addon', label: f.op, fn: tokens.addonOps[f.op] }], opts).contenders[0].nsPerOp.median
      doneProgress()
    }
    const ratio = addonNs / fl.nsPerOp
    const goals = [{
      id: `${f.id}:cost`,
      text: f.goal ? 'addon cost per token <= 1.3x the C floor' : 'addon / floor (no goal: the addon builds the parsed JS object)',
      value: fmtX(ratio),
      pass: f.goal ? ratio <= 1.3 : null
    }]
    results.push({ id: f.id, kind: 'floor', title: f.title, addonNsPerOp: addonNs, floor: fl, ratio, goals })
    summary.push([f.id, `${fmtNs(addonNs)}/op`, `${fmtNs(fl.nsPerOp)}/op (C floor)`, `${fmtX(ratio)} the floor's cost`,
      f.goal ? '<= 1.3x' : '', mark(goals[0].pass)])
    log(opts, `  ${pad(f.title, 26)} addon ${lpad(fmtNs(addonNs), 9)}/op   floor ${lpad(fmtNs(fl.nsPerOp), 9)}/op ` +
      `(${fmtNs(fl.nsMin)}..${fmtNs(fl.nsMax)})   addon/floor ${fmtX(ratio)}   ${mark(goals[0].pass)}`)
  }
  const stageRows = fr.results.filter((r) => r.name.startsWith('stage-'))
  if (stageRows.length) {
    log(opts, '  floor breakdown, each stage alone (info; see bench/README.md):')
    for (const r of stageRows) log(opts, `    ${pad(r.name, 22)} ${lpad(fmtNs(r.nsPerOp), 10)}/op   allocations ${r.allocsPerOp}`)
    results.push({ id: 'floor-stages', kind: 'floor-stages', stages: stageRows, goals: [] })
  }
  const tokenOps = fr.results.filter((r) => !r.name.startsWith('stage-'))
  if (wantAlloc) {
    const goals = tokenOps.map((r) => ({
      id: `alloc:${r.name}`,
      text: `0 heap allocations per op in the C floor once warm (${r.name})`,
      value: String(r.allocsPerOp),
      pass: r.allocsPerOp === 0
    }))
    results.push({ id: 'alloc', kind: 'alloc', perOp: Object.fromEntries(tokenOps.map((r) => [r.name, r.allocsPerOp])), goals })
    log(opts, '  allocations per token after warm-up (malloc/calloc/realloc/aligned, libcrypto and libz included):')
    for (const r of tokenOps) {
      log(opts, `    ${pad(r.name, 18)} ${lpad(String(r.allocsPerOp), 6)}   ${mark(r.allocsPerOp === 0)}`)
      summary.push([`alloc ${r.name}`, '', '', `${r.allocsPerOp} allocations per op (C floor, warm)`, '0',
        mark(r.allocsPerOp === 0)])
    }
    if (tokenOps.some((r) => r.allocsPerOp > 0)) log(opts, '    where: ./bench/out/floor --alloc-sites')
  }
}

function runRss(opts, results) {
  if (!selected(opts, 'rss')) return
  progress(`RSS: ${fmtInt(opts.rssTokens)} tokens in a child process...`)
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'lib', 'rss-child.js'), String(opts.rssTokens)],
    { encoding: 'utf8', timeout: 600000 })
  doneProgress()
  log(opts, `\nRSS growth over ${fmtInt(opts.rssTokens)} addon "007" tokens (child process, --expose-gc, GC before each reading)`)
  if (r.status !== 0) {
    const why = `the child failed: ${(r.stderr || '').trim().slice(0, 300)}`
    log(opts, `  skipped: ${why}`)
    results.push({ id: 'rss', kind: 'rss', skipped: why, goals: [] })
    summary.push(['rss', '', '', 'skipped', '', ''])
    return
  }
  const m = JSON.parse(r.stdout)
  // judged only over at least 1,000,000 tokens: a shorter run cannot tell a slow leak from noise
  const goals = [{
    id: 'rss:growth',
    text: 'RSS growth < 2 MB over 1,000,000 tokens',
    value: `${m.growth.rss.toFixed(2)} MB` + (m.tokens < 1e6 ? ` over only ${fmtInt(m.tokens)} tokens: not judged` : ''),
    pass: m.tokens >= 1e6 ? m.growth.rss < 2 : null
  }]
  results.push({ id: 'rss', kind: 'rss', ...m, goals })
  summary.push(['rss', '', '', `+${m.growth.rss.toFixed(2)} MB over ${fmtInt(m.tokens)} tokens`, '< 2 MB', mark(goals[0].pass)])
  log(opts, `  RSS ${m.before.rss.toFixed(1)} MB -> ${m.after.rss.toFixed(1)} MB (peak ${m.peakRss.toFixed(1)} MB): ` +
    `growth ${m.growth.rss.toFixed(2)} MB; V8 heap used ${m.growth.heapUsed >= 0 ? '+' : ''}${m.growth.heapUsed.toFixed(2)} MB, ` +
    `external ${m.growth.external >= 0 ? '+' : ''}${m.growth.external.toFixed(2)} MB; ${fmtNs(m.nsPerToken)}/token   ${mark(goals[0].pass)}`)
}

async function runHttp(opts, results) {
  if (!selected(opts, 'http')) return
  progress(`HTTP: autocannon ${opts.httpSeconds} s x 2...`)
  let r
  try {
    r = await require('./lib/http').run({ durationS: opts.httpSeconds, connections: opts.connections })
  } catch (err) {
    r = { error: err.message }
  }
  doneProgress()
  log(opts, `\nPOST /api/call/token, autocannon ${opts.connections} connections, ${opts.httpSeconds} s per server in alternating ` +
    'slices, loopback (servers in child processes, autocannon in this one)')
  if (r.error) {
    log(opts, `  skipped: ${r.error}`)
    results.push({ id: 'http', kind: 'http', skipped: r.error, goals: [] })
    summary.push(['http', '', '', 'skipped', '', ''])
    return
  }
  const line = (label, x) => log(opts, `  ${pad(label, 60)} ${lpad(fmtInt(x.requestsPerSec), 8)} req/s   p50 ${x.latencyP50Ms} ms` +
    `   p99 ${x.latencyP99Ms} ms (median of slices)   (${fmtInt(x.requests)} requests, non-2xx ${x.non2xx}, errors ${x.errors})`)
  line('demo server (example/server.js: addon router)', r.addon)
  line('seed route (bench/seed-route.js: agora-token)', r.seed)
  const ratio = r.addon.requestsPerSec / r.seed.requestsPerSec
  log(opts, `  demo/seed requests per second: ${fmtX(ratio)} overall, ${fmtRatio(r.ratioPerSlice)} per ${r.sliceS} s slice ` +
    '(reported only; not a goal)')
  results.push({ id: 'http', kind: 'http', ...r, ratio, goals: [] })
  summary.push(['http', `${fmtInt(r.addon.requestsPerSec)} req/s, p99 ${r.addon.latencyP99Ms} ms`,
    `${fmtInt(r.seed.requestsPerSec)} req/s, p99 ${r.seed.latencyP99Ms} ms (seed)`, `${fmtRatio(r.ratioPerSlice)} req/s`, '', 'info'])
}

function printSummary(opts, results, checks) {
  const goals = results.flatMap((r) => r.goals || [])
  log(opts, '\nSummary (goals are reported only: a miss never fails the run)')
  log(opts, "  result of a comparison: the other's ns/op / the addon's, median of the rounds [min..max]; above 1x the addon is faster")
  const head = ['row', 'addon', 'other', 'result', 'goal', '']
  const rows = [head, ...summary]
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) log(opts, '  ' + r.map((c, i) => (i === 1 || i === 2 ? lpad(c, w[i]) : pad(c, w[i]))).join('  ').trimEnd())
  const pass = goals.filter((g) => g.pass === true).length
  const fail = goals.filter((g) => g.pass === false).length
  log(opts, `  ${pass} passed, ${fail} missed`)
  const bad = checks.filter((c) => !c.ok)
  if (bad.length) {
    log(opts, '\nCHECKS FAILED: these rows compare unlike things')
    for (const c of bad) log(opts, `  ${c.check}`)
  }
}

async function main() {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`${err.message}\n${HELP}`)
    process.exit(2)
  }
  if (opts.help) return console.log(HELP)
  if (opts.list) return console.log(allIds().join('\n'))
  if (opts.only) {
    const ids = allIds()
    const unknown = opts.only.filter((p) => !ids.some((id) => id === p || id.startsWith(p)))
    if (unknown.length) {
      console.error(`--only: no row matches ${unknown.join(', ')} (see --list)`)
      process.exit(2)
    }
  }
  const t0 = Date.now()
  const meta = {
    node: process.version,
    zlib: process.versions.zlib,
    openssl: process.versions.openssl,
    cpus: os.cpus().length,
    cpuModel: (os.cpus()[0] || {}).model,
    quick: opts.quick,
    rounds: opts.rounds,
    minMsPerBatch: opts.minMs,
    warmupMs: opts.warmupMs,
    date: new Date().toISOString()
  }
  log(opts, `agora-call-token benchmarks: node ${meta.node}, ${meta.cpus} CPUs (${meta.cpuModel}), ${opts.quick ? 'quick' : 'full'} run`)
  meta.otherLoadBefore = await otherLoad()
  warnLoad(opts, meta.otherLoadBefore, 'before the run')
  log(opts, `${opts.rounds} alternating rounds per comparison after warm-up, each batch >= ${opts.minMs} ms; ` +
    'medians; "addon Nx [min..max]" = the other\'s ns/op / the addon\'s, per round (median of the rounds\' ratios)')
  const results = []
  const checks = []
  runTokens(opts, results, checks)
  runNotify(opts, results, checks)
  runParticipants(opts, results)
  runMembership(opts, results)
  runFloor(opts, results, checks)
  runRss(opts, results)
  await runHttp(opts, results)
  await callRows.runRing(opts, results, ui)
  await callRows.runRingRedis(opts, results, ui)
  await callRows.runGroups(opts, results, ui)
  printSummary(opts, results, checks)
  meta.otherLoadAfter = await otherLoad()
  warnLoad(opts, meta.otherLoadAfter, 'after the run')
  meta.seconds = (Date.now() - t0) / 1000
  log(opts, `\n(${meta.seconds.toFixed(0)} s)`)
  if (opts.json) {
    // per-round arrays stay in: a reader can recompute any statistic
    const goals = results.flatMap((r) => r.goals || [])
    process.stdout.write(JSON.stringify({ meta, checks, goals, results }, null, 2) + '\n')
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
