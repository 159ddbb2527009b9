'use strict'

// Test harness for the Redis fault tests: real redis-server processes started
// here (a temp dir each, loopback, no persistence unless asked), the faults
// applied to them from outside (SIGSTOP/SIGCONT, CLIENT KILL of one process's
// connections, CLIENT PAUSE WRITE, restart empty, restart from an older RDB
// snapshot, kill), a 3-master + 3-replica Redis Cluster with failover, demo
// server processes (example/server.js with REDIS_URL) and socket.io-client users.
//
// Nothing here talks to anything but 127.0.0.1. Every process started is
// remembered and stopped by stopAll() (call it in afterAll).

const { spawn, spawnSync, execFile } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const { connectClient, sleep } = require('../helpers/sockets')

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server'
const REDIS_CLI = process.env.REDIS_CLI_PATH || 'redis-cli'
const DEMO = path.join(__dirname, '..', '..', 'example', 'server.js')
const started = new Set() // every child process started here

// The demo's users ({ alice: hex, ... }) and conversations, from example/server.js itself.
const { USERS, CONVERSATIONS } = require('../../example/server')
const DEMO_USERS = Object.fromEntries(USERS.map(u => [u.name.toLowerCase(), u._id.toHexString()]))
const [DIRECT, GROUP, CAROL_DAVE] = CONVERSATIONS.map(c => c._id.toHexString()) // alice+bob, alice+bob+carol, carol+dave
const DEMO_CONVERSATIONS = { DIRECT, GROUP, CAROL_DAVE }
// A test process that dies leaves no redis-server or server process behind.
process.once('exit', () => {
  for (const child of started) {
    try {
      child.kill('SIGKILL')
    } catch (_) {
      // gone
    }
  }
})

// ---- availability: skip off-CI, fail in CI ---------------------------------------

/** Why the Redis tests cannot run here, or null. */
function missing({ cli = false } = {}) {
  const bins = [[REDIS_SERVER, 'redis-server', 'REDIS_SERVER_PATH']]
  if (cli) bins.push([REDIS_CLI, 'redis-cli', 'REDIS_CLI_PATH'])
  for (const [bin, name, env] of bins) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
    if (r.error || r.status !== 0) {
      return `${name} is not installed (${bin}): apt-get install redis-server redis-tools ` +
        `(or set ${env}), or set SKIP_REDIS_TESTS=1 to skip the Redis tests`
    }
  }
  for (const pkg of ['redis', '@socket.io/redis-adapter']) {
    try {
      require.resolve(pkg)
    } catch (_) {
      return `the "${pkg}" package is not installed (npm install), or set SKIP_REDIS_TESTS=1`
    }
  }
  return null
}

/**
 * `describe` when Redis is here; otherwise a test that fails (CI set, unless
 * SKIP_REDIS_TESTS=1) or is skipped with the reason in its name.
 */
function describeRedis(name, fn, options) {
  const problem = process.env.SKIP_REDIS_TESTS === '1' ? 'SKIP_REDIS_TESTS=1' : missing(options)
  if (!problem) return describe(name, fn)
  const required = process.env.SKIP_REDIS_TESTS !== '1' && Boolean(process.env.CI) && process.env.CI !== 'false';
  (required ? test : test.skip)(`${name}: needs redis-server: ${problem}`, () => {
    throw new Error(problem)
  })
  return describe.skip(name, fn)
}

// ---- processes ----------------------------------------------------------------------

function portFree(port) {
  return new Promise(resolve => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** A free port p whose cluster bus port p + 10000 is free too. */
async function freeClusterPort(taken) {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 35000)
    if (taken.has(p) || taken.has(p + 10000)) continue
    if (await portFree(p) && await portFree(p + 10000)) {
      taken.add(p)
      taken.add(p + 10000)
      return p
    }
  }
  throw new Error('no free port pair for a cluster node')
}

/** Spawns a child and resolves once its output matches `ready`. */
function spawnUntil(name, cmd, args, options, ready, timeoutMs = 10000) {
  const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  started.add(child)
  child.once('exit', () => started.delete(child))
  child.output = ''
  const onData = chunk => {
    child.output += chunk
    if (child.output.length > 200000) child.output = child.output.slice(-100000)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${child.output}`))
    }, timeoutMs)
    const check = () => {
      if (ready.test(child.output)) {
        clearTimeout(timer)
        child.stdout.off('data', check)
        child.stderr.off('data', check)
        child.off('exit', onExit)
        resolve(child)
      }
    }
    const onExit = code => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code}) before it was ready:\n${child.output}`))
    }
    child.stdout.on('data', check)
    child.stderr.on('data', check)
    child.once('exit', onExit)
  })
}

function exited(child) {
  return !child || child.exitCode !== null || child.signalCode !== null
}

function stopChild(child, signal = 'SIGTERM') {
  if (exited(child)) return Promise.resolve()
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    try {
      child.kill('SIGCONT') // a stopped process cannot act on SIGTERM
    } catch (_) {
      // gone
    }
    child.kill(signal)
  })
}

/** Stops every process this harness started (afterAll). */
async function stopAll() {
  await Promise.all([...started].map(c => stopChild(c, 'SIGKILL')))
}

/** Runs redis-cli against 127.0.0.1:port; resolves with its stdout (trimmed). */
function cli(port, args, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args.map(String)],
      { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`))
        resolve(stdout.trim())
      })
  })
}

/** Parses CLIENT LIST into objects of its fields. */
function parseClientList(text) {
  return text.split('\n').filter(Boolean).map(line => {
    const o = {}
    for (const part of line.trim().split(' ')) {
      const i = part.indexOf('=')
      if (i > 0) o[part.slice(0, i)] = part.slice(i + 1)
    }
    return o
  })
}

/**
 * Local TCP ports of process `pid`'s connections to `remotePort` on loopback,
 * read from /proc (Linux): which Redis clients belong to which server process.
 */
function localPortsOf(pid, remotePort) {
  const inodes = new Set()
  let fds = []
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`)
  } catch (_) {
    return new Set()
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch (_) {
      // closed meanwhile
    }
  }
  const ports = new Set()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (_) {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      const local = parseInt(f[1].split(':')[1], 16)
      const remote = parseInt(f[2].split(':')[1], 16)
      if (remote === remotePort && inodes.has(f[9])) ports.add(local)
    }
  }
  return ports
}

// ---- one redis-server -------------------------------------------------------------------

class RedisServer {
  /**
   * @param {object} [options]
   * @param {string[]} [options.args] more redis-server arguments
   */
  static async start(options = {}) {
    const server = new RedisServer(options)
    server.port = await freePort()
    server.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-redis-'))
    await server._spawn()
    return server
  }

  constructor(options) {
    this.options = options
    this.child = null
    this.snapshots = 0
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`
  }

  get pid() {
    return this.child.pid
  }

  async _spawn() {
    // no save points, no AOF: nothing is written unless save() is called
    this.child = await spawnUntil(`redis-server :${this.port}`, REDIS_SERVER, [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--dbfilename', 'dump.rdb',
      '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...(this.options.args || [])
    ], {}, /Ready to accept connections/)
  }

  cli(...args) {
    return cli(this.port, args)
  }

  /** SIGSTOP: the server holds every connection open and answers nothing. */
  pause() {
    this.child.kill('SIGSTOP')
  }

  /** SIGCONT after pause(). */
  resume() {
    this.child.kill('SIGCONT')
  }

  async clients() {
    return parseClientList(await this.cli('CLIENT', 'LIST'))
  }

  /**
   * Redis clients of a process: { pid, pubsub } selects the connections that
   * process `pid` holds (pubsub: true only subscribers, false only command
   * connections, undefined both).
   */
  async clientsOf(pid, { pubsub } = {}) {
    const ports = localPortsOf(pid, this.port)
    return (await this.clients()).filter(c => {
      const port = Number(String(c.addr).split(':').pop())
      if (!ports.has(port)) return false
      const isSub = /P/.test(c.flags || '') || Number(c.sub || 0) + Number(c.psub || 0) + Number(c.ssub || 0) > 0
      return pubsub === undefined || pubsub === isSub
    })
  }

  /** CLIENT KILL ID of each client given (objects from clients()/clientsOf()); resolves with how many were killed. */
  async kill(clients) {
    let n = 0
    for (const c of clients) {
      n += Number(await this.cli('CLIENT', 'KILL', 'ID', c.id).catch(() => 0)) || 0
    }
    return n
  }

  /** CLIENT PAUSE ms WRITE: write commands (and every script) wait. */
  pauseWrites(ms) {
    return this.cli('CLIENT', 'PAUSE', ms, 'WRITE')
  }

  unpause() {
    return this.cli('CLIENT', 'UNPAUSE')
  }

  /** Clients whose command is held by CLIENT PAUSE (or otherwise blocked). */
  async blockedClients() {
    const info = await this.cli('INFO', 'clients')
    const m = /blocked_clients:(\d+)/.exec(info)
    return m ? Number(m[1]) : 0
  }

  /** SAVE an RDB snapshot now; resolves with its file (restart from it later). */
  async save() {
    await this.cli('SAVE')
    const file = path.join(this.dir, `snapshot-${++this.snapshots}.rdb`)
    fs.copyFileSync(path.join(this.dir, 'dump.rdb'), file)
    return file
  }

  /** Kills the server (no save) and leaves the port closed: an outage. */
  async stop() {
    await stopChild(this.child, 'SIGKILL')
  }

  /** Starts it again on the same port, from `snapshot` (a save() file) or empty. */
  async start(snapshot = null) {
    if (!exited(this.child)) throw new Error('redis-server is still running')
    const dump = path.join(this.dir, 'dump.rdb')
    fs.rmSync(dump, { force: true })
    if (snapshot) fs.copyFileSync(snapshot, dump)
    for (let i = 0; !(await portFree(this.port)); i++) {
      if (i > 100) throw new Error(`port ${this.port} stays busy`)
      await sleep(20)
    }
    await this._spawn()
  }

  /** Kill, then start again empty (or from `snapshot`). Resolves with the outage in ms. */
  async restart(snapshot = null) {
    const t0 = Date.now()
    await this.stop()
    await this.start(snapshot)
    return Date.now() - t0
  }

  /** Stops the server for good and removes its temp dir. */
  async close() {
    await this.stop()
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}

// ---- Redis Cluster: 3 masters, 3 replicas -------------------------------------------------

class RedisCluster {
  /**
   * @param {object} [options]
   * @param {number} [options.nodeTimeoutMs=1000] cluster-node-timeout: how soon a master counts as failed
   */
  static async start(options = {}) {
    const cluster = new RedisCluster(options)
    await cluster._start()
    return cluster
  }

  constructor({ nodeTimeoutMs = 1000 } = {}) {
    this.nodeTimeoutMs = nodeTimeoutMs
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-cluster-'))
    this.nodes = [] // { port, child, dir }
  }

  /** Seeds for a cluster client: [{ url }]. */
  get rootNodes() {
    return this.nodes.filter(n => !exited(n.child)).map(n => ({ url: `redis://127.0.0.1:${n.port}` }))
  }

  /** "host:port,host:port,..." of the nodes up (for an env variable). */
  get seeds() {
    return this.nodes.filter(n => !exited(n.child)).map(n => `127.0.0.1:${n.port}`).join(',')
  }

  async _start() {
    const taken = new Set()
    for (let i = 0; i < 6; i++) {
      const port = await freeClusterPort(taken)
      const dir = path.join(this.dir, String(port))
      fs.mkdirSync(dir)
      this.nodes.push({ port, dir, child: null })
    }
    await Promise.all(this.nodes.map(async n => {
      n.child = await spawnUntil(`cluster node :${n.port}`, REDIS_SERVER, [
        '--port', String(n.port), '--bind', '127.0.0.1', '--dir', n.dir, '--save', '', '--appendonly', 'no',
        '--protected-mode', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(this.nodeTimeoutMs)
      ], {}, /Ready to accept connections/)
    }))
    const out = await new Promise((resolve, reject) => {
      execFile(REDIS_CLI, ['--cluster', 'create', ...this.nodes.map(n => `127.0.0.1:${n.port}`),
        '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30000, encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) return reject(new Error(`redis-cli --cluster create: ${err.message}\n${stdout}${stderr}`))
        resolve(stdout)
        })
    })
    if (!/All 16384 slots covered/.test(out)) throw new Error(`cluster create did not cover all slots:\n${out}`)
    await this.waitOk()
    await this.waitReplicas()
  }

  /**
   * Resolves when every replica that is up has its link to its master up (a
   * replica that never synced cannot take over: its data counts as too old).
   */
  async waitReplicas(timeoutMs = 20000) {
    const t0 = Date.now()
    for (;;) {
      const up = this.nodes.filter(n => !exited(n.child))
      const infos = await Promise.all(up.map(n => cli(n.port, ['INFO', 'replication']).catch(() => '')))
      const replicas = infos.filter(i => /role:slave/.test(i))
      if (replicas.length > 0 && replicas.every(i => /master_link_status:up/.test(i))) return Date.now() - t0
      if (Date.now() - t0 > timeoutMs) throw new Error(`replicas not in sync after ${timeoutMs} ms`)
      await sleep(100)
    }
  }

  /** Resolves when every node that is up says cluster_state:ok and agrees on 3 masters with slots. */
  async waitOk(timeoutMs = 20000) {
    const t0 = Date.now()
    for (;;) {
      const up = this.nodes.filter(n => !exited(n.child))
      const states = await Promise.all(up.map(n => cli(n.port, ['CLUSTER', 'INFO']).catch(() => '')))
      const ok = states.every(s => /cluster_state:ok/.test(s) && /cluster_size:3/.test(s))
      if (ok) {
        const masters = await this.masters()
        if (masters.length === 3 && masters.every(m => !m.failed)) return Date.now() - t0
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`cluster not ok after ${timeoutMs} ms:\n${states.join('\n')}`)
      await sleep(100)
    }
  }

  /** CLUSTER NODES as seen by a node that is up: [{ id, port, master, failed, slots }]. */
  async topology() {
    const up = this.nodes.find(n => !exited(n.child))
    const text = await cli(up.port, ['CLUSTER', 'NODES'])
    return text.split('\n').filter(Boolean).map(line => {
      const f = line.split(' ')
      return {
        id: f[0],
        port: Number(f[1].split('@')[0].split(':').pop()),
        master: /master/.test(f[2]),
        failed: /fail/.test(f[2]) && !/fail\?/.test(f[2]),
        masterId: f[3] === '-' ? null : f[3],
        slots: f.slice(8)
      }
    })
  }

  /** Masters serving slots (not failed). */
  async masters() {
    return (await this.topology()).filter(n => n.master && !n.failed && n.slots.length > 0)
  }

  /** Port of the master serving `key`'s slot now. */
  async masterOf(key) {
    const up = this.nodes.find(n => !exited(n.child))
    const slot = Number(await cli(up.port, ['CLUSTER', 'KEYSLOT', key]))
    for (const m of await this.masters()) {
      for (const range of m.slots) {
        const [a, b = a] = range.split('-').map(Number)
        if (slot >= a && slot <= b) return m.port
      }
    }
    throw new Error(`no master for slot ${slot}`)
  }

  /**
   * SIGKILLs the master serving `key` (default: any master) and waits until a
   * replica took its slots and the cluster is ok again. Resolves with
   * { port, failoverMs }.
   */
  async killMaster(key) {
    const port = key === undefined ? (await this.masters())[0].port : await this.masterOf(key)
    const node = this.nodes.find(n => n.port === port)
    const t0 = Date.now()
    await stopChild(node.child, 'SIGKILL')
    const limit = this.nodeTimeoutMs * 10 + 10000
    // the others mark it failed and a replica takes its slots
    for (;;) {
      const masters = await this.masters().catch(() => [])
      if (masters.length === 3 && !masters.some(m => m.port === port)) break
      if (Date.now() - t0 > limit) throw new Error(`no failover of :${port} after ${limit} ms`)
      await sleep(100)
    }
    await this.waitOk(limit)
    return { port, failoverMs: Date.now() - t0 }
  }

  async close() {
    await Promise.all(this.nodes.map(n => stopChild(n.child, 'SIGKILL')))
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}

// ---- server processes and users ----------------------------------------------------------

/**
 * Starts `example/server.js` (or `script`) with PORT/HOST and `env` (REDIS_URL,
 * RING_TIMEOUT_MS, CALL_NODE_TTL_MS, ...). Resolves with { child, port, url, restart() }.
 */
async function startServer({ env = {}, port, script = DEMO, name = 'server' } = {}) {
  port = port || await freePort()
  const child = await spawnUntil(`${name} :${port}`, process.execPath, [script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }
  }, /listening on/, 15000)
  const server = { child, port, url: `http://127.0.0.1:${port}`, env, script, name }
  server.restart = async () => {
    await stopChild(server.child, 'SIGKILL')
    Object.assign(server, await startServer({ env, port, script, name }))
    return server
  }
  server.stop = signal => stopChild(server.child, signal)
  return server
}

/** Starts n demo processes side by side. */
function startServers(n, options) {
  return Promise.all(Array.from({ length: n }, (_, i) => startServer({ ...options, name: `${options.name || 'server'} ${i}` })))
}

/**
 * Connects users: { name: [server, userId] } -> { name: client } (clients of
 * test/helpers/sockets.js, recording every event). Connects at most `batch` at once.
 */
async function connectUsers(map, { batch = 50, timeoutMs = 5000 } = {}) {
  const entries = Object.entries(map)
  const out = {}
  for (let i = 0; i < entries.length; i += batch) {
    await Promise.all(entries.slice(i, i + batch).map(async ([name, [server, userId]]) => {
      const client = connectClient(server.url, { userId }, { timeoutMs })
      await client.ready
      client.name = name
      client.userId = userId
      out[name] = client
    }))
  }
  return out
}

module.exports = {
  REDIS_SERVER, REDIS_CLI, DEMO, DEMO_USERS, DEMO_CONVERSATIONS,
  missing, describeRedis, freePort, spawnUntil, stopChild, stopAll, cli, parseClientList, localPortsOf,
  RedisServer, RedisCluster, startServer, startServers, connectUsers
}
