'use strict'
const { MemoryCallStore } = require('../../lib/socket')
const { storeContract } = require('./store-contract')

storeContract('MemoryCallStore', (options) => new MemoryCallStore(options))

test('MemoryCallStore hands out copies and clear() empties it', () => {
  const store = new MemoryCallStore()
  const { call } = store.create({ callId: 'c1', conversationId: 'x', callerId: 'a', media: 'audio', now: 0, ringTimeoutMs: 10 }, ['b'])
  const copy = store.get(call.callId)
  copy.members.a = 'left'
  expect(store.get('c1').members.a).toBe('joined')
  expect(store.size).toBe(1)
  store.clear()
  expect([store.size, store.callIdOf('a')]).toEqual([0, null])
})
