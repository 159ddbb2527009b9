'use strict'
// The store contract suite: one scenario body that every call store must pass
// (MemoryCallStore here, RedisCallStore on a real redis-server in
// test/redis/). `makeStore(options)` returns a fresh, empty store (maybe
// async) with those constructor options; `dispose(store)` releases it.
const { Event } = require('../../lib/call/machine')
const { Member, ServerEvent } = require('../../lib/call/protocol')

let seq = 0
const init = (callerId, extra = {}) => ({
  callId: `call-${process.pid}-${++seq}`,
  conversationId: 'conv-1',
  callerId,
  media: 'audio',
  now: 1_000_000,
  ringTimeoutMs: 30000,
  ...extra
})

const emits = (effects) => effects.filter((e) => e.type === 'emit').map((e) => [e.event, [...e.to].sort()])
const types = (effects) => effects.map((e) => e.type)

function storeContract(name, makeStore, dispose = async () => {}, { groupAccepts = 300 } = {}) {
  describe(`store contract: ${name}`, () => {
    let store
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await dispose(store)
    })

    test('create rings those free, tells the caller who is busy, and indexes members', async () => {
      const first = await store.create(init('a'), ['b'])
      expect(first.error).toBeUndefined()
      const id = first.call.callId
      expect(await store.callIdOf('a')).toBe(id)
      expect(await store.callIdOf('b')).toBe(id)
      const second = await store.create(init('c'), ['b', 'd'])
      expect(emits(second.effects)).toEqual([[ServerEvent.INCOMING, ['d']], [ServerEvent.BUSY, ['c']]])
      expect(await store.callIdOf('d')).toBe(second.call.callId)
      const got = await store.get(second.call.callId)
      expect({ ...got.members }).toEqual({ c: Member.JOINED, d: Member.RINGING, b: Member.BUSY })
      expect(await store.get('no-such-call')).toBe(null)
    })

    test('a caller in a call is refused with that call; nobody free to ring stores nothing', async () => {
      const { call } = await store.create(init('a'), ['b'])
      expect(await store.create(init('a'), ['x'])).toEqual({ error: 'ALREADY_IN_CALL', callId: call.callId })
      const allBusy = await store.create(init('c', { callId: 'all-busy' }), ['a', 'b'])
      expect(allBusy.call).toBe(null)
      expect(emits(allBusy.effects)).toEqual([[ServerEvent.BUSY, ['c']], [ServerEvent.ENDED, ['c']]])
      expect(await store.get('all-busy')).toBe(null)
      expect(await store.callIdOf('c')).toBe(null)
    })

    test('create refuses a callId that a live call has (nothing of that call changes)', async () => {
      const { call } = await store.create(init('a'), ['b'])
      expect(await store.create(init('c', { callId: call.callId }), ['d'])).toEqual({ error: 'DUPLICATE_CALL_ID' })
      expect([await store.callIdOf('a'), await store.callIdOf('b'), await store.callIdOf('c'), await store.callIdOf('d')])
        .toEqual([call.callId, call.callId, null, null])
    })

    test('accept, then hang-up ends a direct call and frees both users', async () => {
      const { call } = await store.create(init('a'), ['b'])
      const accepted = await store.apply(call.callId, Event.ACCEPT, 'b', 1_000_100)
      expect(emits(accepted.effects)).toEqual([[ServerEvent.ACCEPTED, ['a']]])
      expect((await store.get(call.callId)).phase).toBe('active')
      expect(await store.apply(call.callId, Event.ACCEPT, 'b', 1_000_200)).toEqual({ error: 'INVALID_STATE' })
      const ended = await store.apply(call.callId, Event.END, 'a', 1_000_300)
      expect(types(ended.effects)).toContain('end')
      expect(await store.get(call.callId)).toBe(null)
      expect([await store.callIdOf('a'), await store.callIdOf('b')]).toEqual([null, null])
      expect(await store.apply(call.callId, Event.END, 'a', 1_000_400)).toEqual({ error: 'CALL_NOT_FOUND' })
    })

    test('non-members get CALL_NOT_FOUND; a disconnect of a non-member changes nothing', async () => {
      const { call } = await store.create(init('a'), ['b'])
      expect(await store.apply(call.callId, Event.ACCEPT, 'z', 1)).toEqual({ error: 'CALL_NOT_FOUND' })
      expect((await store.apply(call.callId, Event.DISCONNECT, 'z', 1)).effects).toEqual([])
      expect((await store.apply('gone', Event.DISCONNECT, 'z', 1)).effects).toEqual([])
      expect(await store.apply(call.callId, Event.CANCEL, 'b', 1)).toEqual({ error: 'INVALID_STATE' })
    })

    test('timeout: only once the deadline passed; those ringing miss, the call goes on with who joined', async () => {
      const { call } = await store.create(init('a'), ['b', 'c'])
      await store.apply(call.callId, Event.ACCEPT, 'b', 1_000_001)
      expect((await store.apply(call.callId, Event.TIMEOUT, null, 1_000_002)).effects).toEqual([])
      const missed = await store.apply(call.callId, Event.TIMEOUT, null, 1_030_000)
      // c, who missed it, is told so; a and b, in the call, hear who missed it
      expect(emits(missed.effects)).toEqual([[ServerEvent.MISSED, ['c']], [ServerEvent.MISSED, ['a', 'b']]])
      expect(missed.effects.filter((e) => e.type === 'emit').map((e) => e.data.userIds)).toEqual([undefined, ['c']])
      expect(await store.callIdOf('c')).toBe(null)
      expect(await store.callIdOf('b')).toBe(call.callId)
      expect((await store.get(call.callId)).members.c).toBe(Member.MISSED)
    })

    test('user ids that are Object.prototype names are members like any other', async () => {
      const { call } = await store.create(init('__proto__'), ['constructor', 'hasOwnProperty'])
      expect(await store.callIdOf('constructor')).toBe(call.callId)
      await store.apply(call.callId, Event.ACCEPT, 'constructor', 2)
      const got = await store.get(call.callId)
      expect([got.members.__proto__, got.members.constructor, got.members.hasOwnProperty])
        .toEqual([Member.JOINED, Member.JOINED, Member.RINGING])
      await store.apply(call.callId, Event.TIMEOUT, null, 2_000_000)
      await store.apply(call.callId, Event.END, '__proto__', 3)
      expect(await store.get(call.callId)).toBe(null)
      expect(await store.callIdOf('__proto__')).toBe(null)
    })

    test(`a group call: ${groupAccepts} simultaneous accepts all succeed and everyone ends up joined`, async () => {
      const others = Array.from({ length: groupAccepts }, (_, i) => `m${i}`)
      const { call } = await store.create(init('a'), others)
      const results = await Promise.all(others.map((u) => store.apply(call.callId, Event.ACCEPT, u, 5)))
      expect(results.filter((r) => r.error)).toEqual([])
      const got = await store.get(call.callId)
      expect(got.joined).toBe(groupAccepts + 1)
      expect(got.ringing).toBe(0)
      expect(Object.values(got.members).every((s) => s === Member.JOINED)).toBe(true)
    })

    test('a call created with keepMs is kept once it ends: times, end reason, then taken exactly once', async () => {
      const { call } = await store.create(init('a', { keepMs: 60000 }), ['b', 'c'])
      await store.apply(call.callId, Event.ACCEPT, 'b', 1_000_100)
      await store.apply(call.callId, Event.DECLINE, 'c', 1_000_150)
      expect(await store.ended(call.callId)).toBe(null) // still live
      await store.apply(call.callId, Event.END, 'b', 1_000_900)
      expect(await store.get(call.callId)).toBe(null)
      expect([await store.callIdOf('a'), await store.callIdOf('b')]).toEqual([null, null])
      const kept = await store.ended(call.callId)
      expect(kept).toMatchObject({
        callId: call.callId, conversationId: 'conv-1', callerId: 'a', media: 'audio', createdAt: 1_000_000,
        answeredAt: 1_000_100, endedAt: 1_000_900, endReason: 'hangup', endBy: 'b', channel: []
      })
      expect({ ...kept.members }).toEqual({ a: Member.JOINED, b: Member.LEFT, c: Member.DECLINED }) // a was in it when it ended
      expect({ ...kept.times }).toMatchObject({ b: [1_000_100, 1_000_900] })
      const takes = await Promise.all([store.take(call.callId), store.take(call.callId), store.take(call.callId)])
      expect(takes.filter(Boolean)).toHaveLength(1)
      expect(await store.ended(call.callId)).toBe(null)
      // without keepMs nothing is kept
      const other = await store.create(init('a'), ['b'])
      await store.apply(other.call.callId, Event.CANCEL, 'a', 1_000_010)
      expect(await store.take(other.call.callId)).toBe(null)
    })

    test('channel entries go to the live call of the channel, once each, then to it ended, and nowhere once taken', async () => {
      const { call } = await store.create(init('a', { keepMs: 60000, conversationId: 'conv-media' }), ['b'])
      const entry = (key, kind, userId) => ({ key, kind, userId, uid: 7, at: 1_000_050, seq: 1, reason: null })
      const first = await store.channelEvent('conv-media', entry('k1', 'join', 'a'))
      expect(first).toMatchObject({ callId: call.callId, live: true, duplicate: false, createdAt: 1_000_000 })
      expect(first.entries).toEqual([entry('k1', 'join', 'a')])
      expect({ ...first.call.members }).toEqual({ a: Member.JOINED, b: Member.RINGING })
      expect((await store.channelEvent('conv-media', entry('k1', 'join', 'a'))).duplicate).toBe(true)
      expect(await store.channelEvent('no-such-conversation', entry('k1', 'join', 'a'))).toBe(null)
      expect(await store.mediaEntries(call.callId)).toHaveLength(1)
      await store.apply(call.callId, Event.ACCEPT, 'b', 1_000_100)
      const gone = await store.apply(call.callId, Event.CHANNEL_GONE, null, 1_000_200)
      expect(types(gone.effects)).toContain('end')
      const late = await store.channelEvent('conv-media', entry('k2', 'leave', 'a'))
      expect(late).toMatchObject({ callId: call.callId, live: false, duplicate: false, call: null })
      expect(late.entries.map((e) => e.key).sort()).toEqual(['k1', 'k2'])
      const taken = await store.take(call.callId)
      expect(taken).toMatchObject({ endReason: 'channel-destroyed', endBy: null })
      expect({ ...taken.members }).toEqual({ a: Member.LEFT, b: Member.LEFT })
      expect(taken.channel).toHaveLength(2)
      expect(await store.channelEvent('conv-media', entry('k3', 'leave', 'b'))).toBe(null)
    })

    test('a call holds at most maxChannelEntries entries: past it an entry is refused as full, a repeat is still a duplicate', async () => {
      const small = await makeStore({ maxChannelEntries: 3 })
      try {
        const { call } = await small.create(init('a', { keepMs: 60000, conversationId: 'conv-full' }), ['b'])
        const entry = (key) => ({ key, kind: 'join', userId: 'a', uid: 7, at: 1_000_050, seq: Number(key.slice(1)), reason: null })
        const got = []
        for (const key of ['k1', 'k2', 'k3', 'k4', 'k2']) {
          const r = await small.channelEvent('conv-full', entry(key))
          got.push([key, r.duplicate, r.full, r.entries.length])
        }
        expect(got).toEqual([['k1', false, false, 1], ['k2', false, false, 2], ['k3', false, false, 3], ['k4', false, true, 3], ['k2', true, false, 3]])
        expect(await small.mediaEntries(call.callId)).toHaveLength(3)
      } finally {
        await dispose(small)
      }
      expect(() => new store.constructor(...(store.client ? [store.client] : []), { maxChannelEntries: 0 }))
        .toThrow(expect.objectContaining({ name: 'RangeError' }))
    })

    test('concurrent leaves of the last two members end the call exactly once', async () => {
      const { call } = await store.create(init('a'), ['b', 'c'])
      await store.apply(call.callId, Event.ACCEPT, 'b', 1)
      await store.apply(call.callId, Event.DECLINE, 'c', 2)
      const [x, y] = await Promise.all([
        store.apply(call.callId, Event.END, 'a', 3),
        store.apply(call.callId, Event.DISCONNECT, 'b', 3)
      ])
      const ends = [x, y].filter((r) => !r.error && types(r.effects).includes('end'))
      expect(ends.length).toBe(1)
      expect(await store.get(call.callId)).toBe(null)
      expect([await store.callIdOf('a'), await store.callIdOf('b'), await store.callIdOf('c')]).toEqual([null, null, null])
    })
  })
}

module.exports = { storeContract }
