'use strict'
// `npm pack` (whose prepack makes the prebuilt binaries), then install that
// tarball into an empty project and use it: the published package must hold
// everything it needs to run, with or without install scripts.
const { execFileSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const root = path.join(__dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

test('the packed tarball installs, builds and works in an empty project', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-pack-'))
  try {
    const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: 'pipe' })
    const [info] = JSON.parse(out)
    const files = info.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['binding.gyp', 'lib/index.js', 'src/binding/instance.c', 'src/binding/layout.h', 'src/core/token007.c',
      'index.d.ts', 'README.md', 'LICENSE', 'package.json', 'bin/agora-call-token.js', 'lib/compat/agora-token.js',
      'lib/fallback/index.js', 'lib/fallback/tables.js', 'lib/cli/index.js', 'scripts/install.js', 'prebuilds/linux-x64/node.napi.glibc.node',
      'prebuilds/linux-arm64/node.napi.glibc.node', 'docs/compat.md', 'bench/README.md',
      'src/core/notify.c', 'webhooks.d.ts', 'lib/webhooks/index.js']))
    // Nothing of the tests, the build or the fixtures goes out (bench/ only its README, which the README links).
    expect(files.filter((f) => /^(test|build|node_modules|bench|example)\//.test(f) && f !== 'bench/README.md')).toEqual([])
    expect(info.size).toBeLessThanOrEqual(1024 * 1024)
    // Every file the README links to is in the package.
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => m[1])
    expect(links.length).toBeGreaterThanOrEqual(2)
    for (const link of links) expect({ link, shipped: files.includes(link) }).toEqual({ link, shipped: true })
    // The prebuilt binaries resolve every symbol at load (a runtime without
    // them fails require() catchably) and need nothing but libc.
    for (const arch of ['x64', 'arm64']) {
      const elf = execFileSync('readelf', ['-d', path.join(root, 'prebuilds', `linux-${arch}`, 'node.napi.glibc.node')],
        { encoding: 'utf8' })
      expect(elf).toMatch(/BIND_NOW/)
      expect([...elf.matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1])).toEqual(['libc.so.6'])
    }

    const app = path.join(dir, 'app')
    fs.mkdirSync(app)
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', path.join(dir, info.filename)],
      { cwd: app, encoding: 'utf8', stdio: 'pipe' })
    const script = `
      const act = require('agora-call-token')
      const t = act.buildRtcToken({ appId: '970CA35de60c44645bbae8a215061b33', appCertificate: '5CFd2fd1755d40ecb72977518be15d3b',
        channelName: 'conv', account: 'u1', issuedAt: 1700000000, salt: 7 })
      const v = act.verifyToken(t, '5CFd2fd1755d40ecb72977518be15d3b', { now: 1700000001 })
      const compat = require('agora-call-token/compat/agora-token')
      // The webhooks subpath: verifyNotification needs no express (the app has none).
      const hooks = require('agora-call-token/webhooks')
      const ncs = hooks.verifyNotification('{"eventType":10,"noticeId":"4eb720f0-8da7-11e9-a43e-53f411c2761f","notifyMs":1560408533119,"payload":{"a":"1","b":2},"productId":1}',
        { 'Agora-Signature-V2': 'de96da5acf03b0021ac3b4fa2225e7ae6f3533a30d50bb02c08ea4fa748bda24' }, 'secret')
      let router = null
      try { hooks.createWebhookRouter({ secret: 's', onEvent() {} }) } catch (e) { router = e.code }
      console.log(JSON.stringify({ implementation: act.implementation, valid: v.valid, channel: v.token.services[0].channelName,
        main: require.resolve('agora-call-token'), compat: typeof compat.RtcTokenBuilder.buildTokenWithUid,
        ncs: ncs.valid, router }))`
    const res = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' }))
    expect(res.implementation).toBe('native')
    expect(res.valid).toBe(true)
    expect(res.channel).toBe('conv')
    expect(res.main.startsWith(path.join(app, 'node_modules'))).toBe(true)
    expect(res.compat).toBe('function')
    expect(res.ncs).toBe(true)
    expect(res.router).toBe('ERR_MODULE_NOT_FOUND') // express is an optional peer: a clear error, only when used
    // The CLI is installed as a bin and runs.
    const bin = path.join(app, 'node_modules', '.bin', 'agora-call-token')
    const help = execFileSync(bin, ['--help'], { cwd: app, encoding: 'utf8' })
    expect(help).toMatch(/inspect/)
    // The prebuilt binary served: nothing was compiled.
    expect(fs.existsSync(path.join(app, 'node_modules', 'agora-call-token', 'build'))).toBe(false)

    // Where no prebuilt binary fits and scripts did not run, AGORA_CALL_TOKEN_IMPL=native
    // says so, and its advice (npm rebuild) fixes it.
    const pkgDir = path.join(app, 'node_modules', 'agora-call-token')
    fs.rmSync(path.join(pkgDir, 'prebuilds'), { recursive: true })
    const probe = "const a = require('agora-call-token'); console.log(a.implementation)"
    expect(execFileSync(process.execPath, ['-e', probe], { cwd: app, encoding: 'utf8' }).trim()).toBe('js')
    let refused
    try {
      execFileSync(process.execPath, ['-e', probe], { cwd: app, encoding: 'utf8', stdio: 'pipe',
        env: { ...process.env, AGORA_CALL_TOKEN_IMPL: 'native' } })
    } catch (err) {
      refused = err.stderr
    }
    expect(refused).toMatch(/ERR_AGORA_ADDON_NOT_BUILT/)
    expect(refused).toMatch(/npm rebuild agora-call-token/)
    execFileSync(npm, ['rebuild', 'agora-call-token'], { cwd: app, encoding: 'utf8', stdio: 'pipe' })
    expect(execFileSync(process.execPath, ['-e', probe], { cwd: app, encoding: 'utf8',
      env: { ...process.env, AGORA_CALL_TOKEN_IMPL: 'native' } }).trim()).toBe('native')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}, 180000)
