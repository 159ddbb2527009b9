'use strict'
// The README's code: every JavaScript or TypeScript snippet is a whole file
// under example/ (its first line names it), equal to that file, and each file
// runs here: the quick start over real HTTP, the compat modules, ESM and
// TypeScript. (example/esm.mjs also runs, per implementation, in test/esm.test.js;
// example/docs/calls.js in test/call/readme-calls.test.js; example/docs/call-history.js in
// test/call/readme-history.test.js; example/docs/redis.js and
// redis-cluster.js, on real Redis, in test/redis/readme-redis.test.js.)
const { execFileSync } = require('child_process')
const fs = require('fs')
const path = require('path')
const mongoose = require('mongoose')
const request = require('supertest')

const root = path.join(__dirname, '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
const APP_ID = '970CA35de60c44645bbae8a215061b33'
const CERT = '5CFd2fd1755d40ecb72977518be15d3b'

// [section heading, language, code] for every fenced block
const blocks = []
let section = ''
for (const part of readme.split(/^(```[a-z]*\n[\s\S]*?^```)$/m)) {
  const fence = /^```([a-z]*)\n([\s\S]*?)```$/.exec(part)
  if (!fence) {
    const headings = part.match(/^#+ .*$/gm)
    if (headings) section = headings[headings.length - 1]
    continue
  }
  blocks.push([section, fence[1], fence[2]])
}
const files = blocks.filter(([, lang]) => ['js', 'mjs', 'ts'].includes(lang))

test('the README has its snippets, and each names its file', () => {
  expect(files.length).toBeGreaterThanOrEqual(4)
  for (const [heading, , text] of files) {
    expect({ heading, first: text.split('\n')[0] }).toEqual({ heading, first: expect.stringMatching(/^\/\/ example\/\S+: /) })
  }
})

test.each(files.map(([heading, , text]) => [/^\/\/ (example\/\S+):/.exec(text)[1], heading, text]))(
  '%s is exactly the snippet under "%s"', (file, _, text) => {
    expect(fs.readFileSync(path.join(root, file), 'utf8')).toBe(text)
  })

describe('example/quick-start.js over real HTTP', () => {
  let app
  let Conversation
  const docs = new Map()
  const member = new mongoose.Types.ObjectId()
  const outsider = new mongoose.Types.ObjectId()
  let conversationId

  beforeAll(() => {
    process.env.AGORA_APP_ID = APP_ID
    process.env.AGORA_APP_CERTIFICATE = CERT
    const example = require('../example/quick-start')
    Conversation = example.Conversation
    app = example.createApp()
    const conversation = new Conversation({ participants: [member, new mongoose.Types.ObjectId()] })
    conversationId = String(conversation._id)
    docs.set(conversationId, conversation.toObject())
    // No MongoDB server here: mongoose casts the id and builds the query as
    // usual, and only the collection's findOne answers from memory.
    jest.spyOn(Conversation.collection, 'findOne').mockImplementation(async (filter) => docs.get(String(filter._id)) ?? null)
  })
  afterAll(() => {
    jest.restoreAllMocks()
    delete process.env.AGORA_APP_ID
    delete process.env.AGORA_APP_CERTIFICATE
  })

  const post = (user, body) => {
    const r = request(app).post('/api/call/token').set('Content-Type', 'application/json')
    if (user) r.set('x-demo-user', String(user))
    return r.send(body)
  }

  test('a participant gets a token for the conversation', async () => {
    const res = await post(member, JSON.stringify({ channelName: conversationId }))
    expect(res.status).toBe(200)
    const { verifyToken } = require('..')
    const v = verifyToken(res.body.token, CERT)
    expect(v.valid).toBe(true)
    expect(v.token.services[0]).toMatchObject({ channelName: conversationId, account: String(member) })
  })

  test('an outsider, an unknown conversation and an id that is no ObjectId (CastError) get 403', async () => {
    for (const [user, channelName] of [[outsider, conversationId], [member, String(new mongoose.Types.ObjectId())],
      [member, 'not-an-object-id']]) {
      const res = await post(user, JSON.stringify({ channelName }))
      expect({ channelName, status: res.status }).toEqual({ channelName, status: 403 })
    }
  })

  test('no user: 401; a body that is not JSON: 400', async () => {
    expect((await post(null, JSON.stringify({ channelName: conversationId }))).status).toBe(401)
    expect((await post(member, '{"channelName":')).status).toBe(400)
  })
})

test('example/compat.js prints tokens the main module verifies', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'example', 'compat.js')], { cwd: root, encoding: 'utf8' })
  const tokens = out.trim().split('\n')
  expect(tokens).toHaveLength(4)
  const { verifyToken } = require('..')
  expect(verifyToken(tokens[0], CERT).valid).toBe(true)
  expect(verifyToken(tokens[1], CERT, { channelName: 'conv-1', uid: 42 }).valid).toBe(true)
  expect(verifyToken(tokens[2], CERT).valid).toBe(true)
  expect(verifyToken(tokens[3], CERT, { channelName: 'conv-1', uid: 42 }).valid).toBe(true)
})

test('example/typescript.mts compiles (module nodenext, @types/express) and runs', () => {
  execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'example')], { cwd: root })
  const out = execFileSync(process.execPath, [path.join(root, 'test', 'artifacts', 'example-ts', 'typescript.mjs')],
    { cwd: root, encoding: 'utf8' })
  expect(JSON.parse(out)).toEqual({ valid: true, router: 'function' })
}, 60000)
