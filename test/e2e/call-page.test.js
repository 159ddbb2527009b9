'use strict'

// The demo call page (example/public/) in a real browser: Debian's Chromium
// driven by playwright-core, against the demo server (createDemoServer, port 0,
// throwaway credentials, so media stays off and nothing leaves the machine).
// Two users in separate browser contexts: Alice calls Bob, Bob's page rings,
// Bob accepts, both pages show a token for the same channel (the conversation
// id). The server simulates Agora's channel events (throwaway credentials), so
// after the call both pages show its call message ("Video call · 0:0x") in the
// conversation. Decline, cancel and busy too, and an outsider is refused.
// No console error on any page (a 404 favicon would be one). Screenshots at
// 1000 px and 390 px go to test/artifacts/ (git-ignored).
//
// Chromium is required in CI: without /usr/bin/chromium this file FAILS when
// CI is set (unless SKIP_BROWSER_TESTS=1) and is skipped, saying why, elsewhere
// (CHROMIUM_PATH overrides the path).

const fs = require('fs')
const path = require('path')
const act = require('../../lib')

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const SKIP = process.env.SKIP_BROWSER_TESTS === '1'
const ARTIFACTS = path.join(__dirname, '..', 'artifacts')
const BANNER_WITHIN_MS = 2000

function missing() {
  if (!fs.existsSync(CHROMIUM)) {
    return `Chromium is not installed at ${CHROMIUM}: apt-get install chromium ` +
      '(or set CHROMIUM_PATH), or set SKIP_BROWSER_TESTS=1 to skip the browser tests'
  }
  try {
    require.resolve('playwright-core')
  } catch (_) {
    return 'playwright-core is not installed (npm install), or set SKIP_BROWSER_TESTS=1 to skip the browser tests'
  }
  return null
}

const problem = missing()

if (problem) {
  // In CI (CI set, as .ci/run runs) a missing program fails the run; on a
  // developer's machine the file is skipped with the reason in the test name.
  const required = !SKIP && Boolean(process.env.CI) && process.env.CI !== 'false';
  (required ? test : test.skip)(`the browser tests need Chromium and playwright-core: ${problem}`, () => {
    throw new Error(problem)
  })
}

(problem ? describe.skip : describe)('the call page in Chromium', () => {
  const { createDemoServer } = require('../../example/server')
  let demo
  let browser
  const pages = {}
  const pageErrors = []

  async function openAs(name) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
    const page = await context.newPage()
    page.on('pageerror', err => pageErrors.push(`${name}: ${err.message}`))
    page.on('console', m => {
      if (m.type() === 'error') pageErrors.push(`${name} console: ${m.text()}`)
    })
    await page.goto(`${demo.url}/?user=${name}`)
    await page.getByTestId('login').click()
    await page.waitForSelector('body[data-connected="true"]', { timeout: 5000 })
    pages[name] = page
    return page
  }

  const text = (page, testid) => page.getByTestId(testid).textContent()
  const callButton = (page, conversationId) =>
    page.locator(`li[data-conversation-id="${conversationId}"]`).getByTestId('call')

  async function screenshot(page, name) {
    await page.screenshot({ path: path.join(ARTIFACTS, `call-page-${name}.png`), fullPage: true })
  }

  /** A screenshot at 390 px wide too; nothing may stick out sideways there. */
  async function narrow(page, name) {
    const before = page.viewportSize()
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const overflow = await page.evaluate(() => globalThis.document.documentElement.scrollWidth)
      expect({ name, overflow }).toEqual({ name, overflow: 390 })
      // ids and tokens keep to one line each (they scroll sideways), never broken mid-string
      const wrapped = await page.evaluate(() => {
        const doc = globalThis.document
        return [...doc.querySelectorAll('code, #token-info td')].filter(el => el.offsetParent !== null).filter(el => {
          const range = doc.createRange()
          range.selectNodeContents(el)
          return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1
        }).map(el => el.textContent)
      })
      expect({ name, wrapped }).toEqual({ name, wrapped: [] })
      await screenshot(page, `${name}-390`)
    } finally {
      await page.setViewportSize(before)
    }
  }

  /** The events log, oldest first, without the times. */
  const logLines = async page => (await page.getByTestId('log').locator('li').allTextContents())
    .reverse().map(l => l.slice(l.indexOf('  ') + 2))

  const messages = (page, conversationId) =>
    page.locator(`li[data-conversation-id="${conversationId}"]`).getByTestId('call-message').locator('.text').allTextContents()

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true })
    const saved = [process.env.AGORA_APP_ID, process.env.AGORA_APP_CERTIFICATE]
    delete process.env.AGORA_APP_ID // throwaway credentials: media off, no traffic to Agora
    delete process.env.AGORA_APP_CERTIFICATE
    try {
      demo = await createDemoServer({ port: 0, ringTimeoutMs: 30000, quiet: true })
    } finally {
      if (saved[0] !== undefined) process.env.AGORA_APP_ID = saved[0]
      if (saved[1] !== undefined) process.env.AGORA_APP_CERTIFICATE = saved[1]
    }
    const { chromium } = require('playwright-core')
    // playwright starts Chromium with a fresh temporary user-data-dir of its own
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    })
    await Promise.all([openAs('alice'), openAs('bob'), openAs('carol')])
  }, 60000)

  afterAll(async () => {
    if (browser) await browser.close()
    if (demo) await demo.close()
  })

  afterEach(() => {
    expect(pageErrors).toEqual([])
  })

  test('Alice calls Bob: the banner shows within 2 s, Bob accepts, both have a token for the same channel', async () => {
    const { alice, bob } = pages
    const direct = demo.conversations.direct
    expect(demo.media.enabled).toBe(false)
    expect(demo.channelEvents).toBe('simulated')

    const t0 = Date.now()
    await callButton(alice, direct).click()
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: BANNER_WITHIN_MS })
    expect(Date.now() - t0).toBeLessThan(BANNER_WITHIN_MS)
    expect(await text(bob, 'incoming-title')).toBe('Alice is calling you (video)')
    // no second call while one rings or runs: the buttons are off, not an error afterwards
    expect(await callButton(alice, direct).isDisabled()).toBe(true)
    expect(await callButton(bob, direct).isDisabled()).toBe(true)
    await alice.getByTestId('call-status').filter({ hasText: 'Ringing…' }).waitFor({ timeout: 2000 })
    await screenshot(bob, 'bob-ringing')

    await bob.getByTestId('accept').click()
    await alice.getByTestId('call-status').filter({ hasText: 'In call with Bob' }).waitFor({ timeout: 2000 })
    await bob.getByTestId('incoming').waitFor({ state: 'hidden', timeout: 2000 })
    expect(await text(bob, 'call-title')).toBe('Video call from Alice') // not "... · Alice" again

    for (const [page, userId] of [[alice, demo.users.alice], [bob, demo.users.bob]]) {
      await page.getByTestId('token-signature').filter({ hasText: 'valid' }).waitFor({ timeout: 2000 })
      expect(await text(page, 'call-channel')).toBe(direct)
      expect(await text(page, 'token-channel')).toBe(direct)
      expect(await text(page, 'token-account')).toBe(userId)
      expect(await text(page, 'token-signature')).toBe('valid (signed by this server)')
      // the token on the page is a real one for this user and channel
      const token = act.parseToken(await text(page, 'call-token'))
      expect(token.services[0]).toMatchObject({ channelName: direct, account: userId })
      expect(token.appId).toBe(demo.appId)
      expect(await text(page, 'media-status')).toMatch(/^Media is off: the server uses throwaway credentials/)
    }
    expect(await text(alice, 'call-id')).toBe(await text(bob, 'call-id'))
    for (const page of [alice, bob]) {
      await page.getByTestId('channel-status').filter({ hasText: 'Simulated Agora: you are in the channel' }).waitFor({ timeout: 2000 })
    }
    await screenshot(alice, 'alice')
    await screenshot(bob, 'bob')
    await narrow(bob, 'bob')

    // Carol calls the group while both are in this call: busy. Her page "joins" the
    // simulated channel and leaves it at once; her join is held back 300 ms on
    // the way, so the leave must wait for it, or she stays in the channel.
    const { carol } = pages
    await carol.route('**/api/call/media', async route => {
      if (route.request().postDataJSON().action === 'join') await new Promise(resolve => setTimeout(resolve, 300))
      await route.continue()
    })
    await callButton(carol, demo.conversations.group).click()
    await carol.getByTestId('call-status').filter({ hasText: 'Busy: nobody could take the call' }).waitFor({ timeout: 2000 })
    expect(await carol.getByTestId('notice').isVisible()).toBe(false) // said once, in the panel
    await carol.getByTestId('log').locator('li').filter({ hasText: 'You left the Agora channel' }).first().waitFor({ timeout: 2000 })
    expect((await logLines(carol)).filter(l => l.endsWith('the Agora channel'))).toEqual(['You joined the Agora channel', 'You left the Agora channel'])
    expect(demo.simulatedChannel(demo.conversations.group)).toEqual([])
    await carol.unroute('**/api/call/media')
    await carol.getByTestId('close-call').click()
    await screenshot(pages.carol, 'carol-busy')

    await bob.getByTestId('hangup').click()
    await alice.getByTestId('call-status').filter({ hasText: 'Call ended: Bob hung up' }).waitFor({ timeout: 2000 })
    await bob.getByTestId('call-status').filter({ hasText: 'You hung up' }).waitFor({ timeout: 2000 })
    expect(await alice.getByTestId('notice').isVisible()).toBe(false)
    expect(await callButton(alice, direct).isDisabled()).toBe(false)
    // both pages "left" the simulated channel: the record is written, both conversations show it
    for (const page of [alice, bob]) {
      await page.locator(`li[data-conversation-id="${direct}"]`).getByTestId('call-message').first().waitFor({ timeout: 5000 })
      expect(await messages(page, direct)).toEqual([expect.stringMatching(/^Video call · 0:0\d$/)])
    }
    const [record] = demo.messagesOf(direct)
    expect(record).toMatchObject({ outcome: 'completed', timing: 'media', startedBy: demo.users.alice })
    // the events log has one's own actions too, each once: joining the channel and leaving it
    // alike, whoever hung up (the one hung up on leaves after the call is over)
    for (const page of [alice, bob]) {
      await page.getByTestId('log').locator('li').filter({ hasText: 'You left the Agora channel' }).first().waitFor({ timeout: 2000 })
    }
    const count = (lines, line) => lines.filter(l => l === line).length
    const bobLog = await logLines(bob)
    for (const line of ['You accepted the call from Alice', 'You hung up', 'You joined the Agora channel', 'You left the Agora channel']) {
      expect({ line, times: count(bobLog, line) }).toEqual({ line, times: 1 })
    }
    const aliceLog = await logLines(alice)
    for (const line of ['You started a video call in your direct chat with Bob', 'Bob accepted', 'You joined the Agora channel',
      'Bob joined the Agora channel', 'You left the Agora channel']) {
      expect({ line, times: count(aliceLog, line) }).toEqual({ line, times: 1 })
    }
    await alice.getByTestId('close-call').click()
    await bob.getByTestId('close-call').click()
    await screenshot(alice, 'alice-after-call')
    await narrow(alice, 'alice-after-call')
  })

  test('/favicon.ico is there (no 404 on every page)', async () => {
    const res = await fetch(`${demo.url}/favicon.ico`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
  })

  test('a user who is not a participant is told they are not allowed', async () => {
    const { carol, bob } = pages
    await carol.getByTestId('conversation-id').fill(demo.conversations.direct) // Alice and Bob's
    await carol.getByTestId('call-by-id').click()
    const notice = carol.getByTestId('notice')
    await notice.filter({ hasText: 'Not allowed' }).waitFor({ timeout: 2000 })
    expect(await notice.textContent()).toBe('Not allowed: you are not a participant of this conversation.')
    expect(await notice.getAttribute('data-kind')).toBe('refused')
    expect(await carol.getByTestId('call-panel').isVisible()).toBe(false)
    expect(await bob.getByTestId('incoming').isVisible()).toBe(false)
    await screenshot(carol, 'carol-not-allowed')
    // The refusal is the token route's 403, which Chromium logs as a failed resource: the one console error expected here.
    const refused = pageErrors.filter(e => /^carol console: Failed to load resource: .* 403 \(Forbidden\)$/.test(e))
    expect(refused).toHaveLength(1)
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter(e => !refused.includes(e)))
  })

  test('decline and cancel show as expected on both sides', async () => {
    const { alice, bob } = pages
    const direct = demo.conversations.direct
    await callButton(alice, direct).click()
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: BANNER_WITHIN_MS })
    await bob.getByTestId('decline').click()
    await alice.getByTestId('call-status').filter({ hasText: 'Bob declined the call' }).waitFor({ timeout: 2000 })
    expect(await bob.getByTestId('incoming').isVisible()).toBe(false)
    await alice.getByTestId('close-call').click()

    await callButton(alice, direct).click()
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: BANNER_WITHIN_MS })
    await alice.getByTestId('cancel').click()
    await bob.getByTestId('incoming').waitFor({ state: 'hidden', timeout: 2000 })
    expect(await text(bob, 'call-title')).toBe('Video call from Alice') // not "... · Alice" again
    await bob.getByTestId('notice').filter({ hasText: 'Missed call from Alice (cancelled)' }).waitFor({ timeout: 2000 })
    await alice.getByTestId('call-status').filter({ hasText: 'You cancelled the call' }).waitFor({ timeout: 2000 })
    await screenshot(bob, 'bob-missed')
    for (const page of [alice, bob]) {
      await page.locator(`li[data-conversation-id="${direct}"]`).getByTestId('call-message').nth(2).waitFor({ timeout: 5000 })
      const texts = await messages(page, direct)
      expect({ texts: texts.slice(1), records: demo.messagesOf(direct).length }).toEqual({ texts: ['Call declined', 'Cancelled call'], records: 3 })
    }
    await alice.getByTestId('close-call').click()
    // a new call rings: the old "Missed call" notice is not about it, and goes
    await callButton(alice, direct).click()
    await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: BANNER_WITHIN_MS })
    expect(await bob.getByTestId('notice').isVisible()).toBe(false)
    await alice.getByTestId('cancel').click()
    await bob.getByTestId('incoming').waitFor({ state: 'hidden', timeout: 2000 })
    await alice.getByTestId('close-call').click()
  })

  test('a double click starts one call; a call Bob does not answer is a missed call on both pages', async () => {
    // its own server: a short ring timeout
    const quick = await createDemoServer({ port: 0, ringTimeoutMs: 1500, quiet: true })
    const contexts = []
    try {
      const open = async name => {
        const context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
        contexts.push(context)
        const page = await context.newPage()
        page.on('pageerror', err => pageErrors.push(`${name} (missed): ${err.message}`))
        page.on('console', m => {
          if (m.type() === 'error') pageErrors.push(`${name} (missed) console: ${m.text()}`)
        })
        await page.goto(`${quick.url}/?user=${name}`)
        await page.getByTestId('login').click()
        await page.waitForSelector('body[data-connected="true"]', { timeout: 5000 })
        return page
      }
      const [alice, bob] = await Promise.all([open('alice'), open('bob')])
      const direct = quick.conversations.direct
      // the second click lands while the first waits for its token: no "You are already in a call"
      await callButton(alice, direct).dblclick()
      await bob.getByTestId('incoming').waitFor({ state: 'visible', timeout: BANNER_WITHIN_MS })
      await alice.getByTestId('call-status').filter({ hasText: 'Ringing…' }).waitFor({ timeout: 2000 })
      expect(await alice.getByTestId('notice').isVisible()).toBe(false)
      expect((await logLines(alice)).filter(l => l.startsWith('Call refused'))).toEqual([])

      // nobody answers: Bob's banner goes, he is told once, his buttons are back
      await alice.getByTestId('call-status').filter({ hasText: 'No answer: the call was missed' }).waitFor({ timeout: 4000 })
      await bob.getByTestId('incoming').waitFor({ state: 'hidden', timeout: 2000 })
      await bob.getByTestId('notice').filter({ hasText: 'Missed call from Alice' }).waitFor({ timeout: 2000 })
      expect(await callButton(bob, direct).isDisabled()).toBe(false)
      expect(await callButton(alice, direct).isDisabled()).toBe(false)
      for (const page of [alice, bob]) {
        await page.locator(`li[data-conversation-id="${direct}"]`).getByTestId('call-message').first().waitFor({ timeout: 5000 })
        expect(await messages(page, direct)).toEqual(['Missed call'])
      }
      expect(quick.messagesOf(direct).map(m => m.outcome)).toEqual(['missed'])
      await screenshot(bob, 'bob-missed-timeout')
    } finally {
      await Promise.all(contexts.map(c => c.close()))
      await quick.close()
    }
  })

  test('with credentials that look real, media is off and the page says why (no SDK, or Agora unreachable)', async () => {
    const crypto = require('crypto')
    const credentials = { appId: crypto.randomBytes(16).toString('hex'), appCertificate: crypto.randomBytes(16).toString('hex') }
    const noSdk = await createDemoServer({ port: 0, ...credentials, agoraSdk: null })
    const offline = await createDemoServer({ port: 0, ...credentials, mediaJoinTimeoutMs: 1500 })
    const context = await browser.newContext()
    // Nothing leaves this machine: every request not to the demo servers fails.
    const local = new Set([new URL(noSdk.url).host, new URL(offline.url).host])
    await context.route('**/*', route => (local.has(new URL(route.request().url()).host) ? route.continue() : route.abort()))
    try {
      const page = await context.newPage()
      page.on('pageerror', err => pageErrors.push(`media: ${err.message}`))
      for (const [server, expected] of [
        [noSdk, /^Media is off: agora-rtc-sdk-ng is not installed on the server/],
        [offline, offline.media.enabled ? /^Media is off: Agora is unreachable or refused the token/ : /^Media is off: agora-rtc-sdk-ng is not installed/]
      ]) {
        await page.goto(`${server.url}/?user=alice`)
        await page.getByTestId('login').click()
        await page.waitForSelector('body[data-connected="true"]', { timeout: 5000 })
        await callButton(page, server.conversations.direct).click()
        await page.getByTestId('media-status').filter({ hasText: 'Media is off' }).waitFor({ timeout: 5000 })
        expect(await text(page, 'media-status')).toMatch(expected)
        // everything else still works
        await page.getByTestId('token-channel').filter({ hasText: server.conversations.direct }).waitFor({ timeout: 2000 })
        await page.getByTestId('cancel').click()
        await page.getByTestId('call-status').filter({ hasText: 'You cancelled the call' }).waitFor({ timeout: 2000 })
      }
      await screenshot(page, 'alice-media-off')
    } finally {
      await context.close()
      await Promise.all([noSdk.close(), offline.close()])
    }
  }, 30000)
})
