'use strict'

// Memory: 200,000 tokens built and parsed (plus verifies, legacy tokens, RTM2
// tokens, membership checks and every error path) in a child process started
// with --expose-gc, so that GC can be forced before each RSS reading. RSS may
// not grow by more than 10 MB between the end of a warm-up and the end of the
// run. The child pins V8's young generation (--max-semi-space-size=1): left to
// itself V8 grows it by up to ~16 MB under CPU contention (parallel Jest
// workers), which shows in RSS as committed heap although nothing leaks.
// (The C core itself runs under valgrind memcheck in `make -C test/c valgrind`.)

const { spawnSync } = require('child_process')
const path = require('path')

const ITERATIONS = Number(process.env.LEAK_ITERATIONS) || 200000
const LIMIT_MB = 10

const CHILD = `
'use strict';
const zlib = require('zlib');
const act = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
const APP = '0123456789abcdef0123456789abcdef';
const CERT = 'fedcba9876543210fedcba9876543210';
const bomb = '007' + zlib.deflateSync(Buffer.alloc(4 << 20)).toString('base64');
const legacy = act.buildLegacyToken({ appId: APP, appCertificate: CERT, channelName: 'c', uid: 42, salt: 1, ts: 2 });
const rtm2 = { appId: APP, appCertificate: CERT, expire: 600, issueTs: 1, salt: 1, services: [
  { type: 8, userId: 'u', privileges: { 1: 600 }, permissions: { 1: { 1: ['a', 'b'], 2: [] }, 4: { 0: ['c'] } } },
  { type: 7, roomUuid: 'r', userUuid: 'u', role: 1, privileges: { 1: 600 } }] };
const participants = ['64a000000000000000000001', { _id: '64a000000000000000000002' }, new Uint8Array(12)];
const ignore = (f) => { try { f(); } catch (e) { if (!e.code) throw e; } };

function step(i) {
  const token = act.buildRtcToken({ appId: APP, appCertificate: CERT, channelName: 'conv-' + (i % 500),
    account: 'user-' + i, issuedAt: 1700000000, salt: 1 + i, withRtm: i % 2 === 0 });
  const parsed = act.parseToken(token);
  if (parsed.services[0].account !== 'user-' + i) throw new Error('bad parse at ' + i);
  switch (i % 8) {
    case 0: if (!act.verifyToken(token, CERT, { now: 1700000001 }).valid) throw new Error('bad verify'); break;
    case 1: act.verifyToken(legacy, CERT, { channelName: 'c', uid: 42 }); break;
    case 2: act.parseToken(act.buildAccessToken(rtm2)); break;
    case 3: act.isParticipant(participants, '64A000000000000000000002'); break;
    case 4: ignore(() => act.parseToken(token.slice(0, -6))); ignore(() => act.parseToken(bomb)); break;
    case 5: ignore(() => act.buildRtcToken({ appId: APP, appCertificate: CERT, channelName: 'bad/name', account: 'x' })); break;
    case 6: ignore(() => act.buildAccessToken({ ...rtm2, services: [{ type: 1, channelName: 'x'.repeat(40000) }] })); break;
    case 7: act.verifyToken(token, 'ffffffffffffffffffffffffffffffff'); break;
  }
}

function rss() {
  for (let k = 0; k < 3; k++) global.gc();
  return process.memoryUsage().rss;
}

const n = ${ITERATIONS};
for (let i = 0; i < 20000; i++) step(i);   // warm-up: JIT, allocator pools, V8 heap size
const before = rss();
const heapBefore = process.memoryUsage().heapTotal;
const t0 = Date.now();
for (let i = 0; i < n; i++) step(i);
const after = rss();
const heapAfter = process.memoryUsage().heapTotal;
console.log(JSON.stringify({ n, before, after, heapBefore, heapAfter, ms: Date.now() - t0 }));
`

test(`RSS grows by less than ${LIMIT_MB} MB over ${ITERATIONS} tokens built and parsed`, () => {
  const child = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=1', '-e', CHILD],
    { encoding: 'utf8', timeout: 120000 })
  expect(child.stderr).toBe('')
  expect(child.status).toBe(0)
  const { n, before, after, heapBefore, heapAfter, ms } = JSON.parse(child.stdout.trim().split('\n').pop())
  const mb = (x) => (x / 1048576).toFixed(1)
  const grownMB = (after - before) / (1 << 20)
  console.log(`leaks: ${n} iterations in ${ms} ms; RSS ${mb(before)} -> ${mb(after)} MB ` +
    `(${grownMB >= 0 ? '+' : ''}${grownMB.toFixed(2)} MB), V8 heap ${mb(heapBefore)} -> ${mb(heapAfter)} MB`)
  expect(n).toBe(ITERATIONS)
  expect(grownMB).toBeLessThan(LIMIT_MB)
}, 120000)
