'use strict'
// isParticipant with real mongoose documents and bson ObjectIds (three bson
// majors), next to the `includes` check it replaces, which fails silently.
const mongoose = require('mongoose')
const bson = require('bson')
const bson4 = require('bson4')
const bson1 = require('bson1')
const { isParticipant } = require('..')

const userSchema = new mongoose.Schema({ name: String })
const User = mongoose.model('MembershipUser', userSchema)
const Conversation = mongoose.model('MembershipConversation', new mongoose.Schema({
  participants: [{ type: mongoose.Schema.Types.ObjectId, ref: 'MembershipUser' }]
}))

const alice = new User({ name: 'alice' })
const bob = new User({ name: 'bob' })
const mallory = new User({ name: 'mallory' })
const hydrated = new Conversation({ participants: [alice._id, bob._id] })
// What `.lean()` returns: plain objects with ObjectId participants.
const lean = hydrated.toObject()
// A populated conversation, then plain: participants are `{ _id, name }` objects.
const populated = Conversation.hydrate({ _id: hydrated._id, participants: [] })
populated.participants = [alice, bob]
const populatedPlain = populated.toObject({ depopulate: false })

describe('where `participants.includes(userId)` silently fails, isParticipant works', () => {
  test('a hydrated document: includes casts, and so do we', () => {
    expect(hydrated.participants.includes(String(alice._id))).toBe(true)
    expect(isParticipant(hydrated, String(alice._id))).toBe(true)
    expect(isParticipant(hydrated, alice._id)).toBe(true)
    expect(isParticipant(hydrated, mallory._id)).toBe(false)
  })

  test('a .lean()/toObject() conversation and a string user id', () => {
    expect(lean.participants.includes(String(bob._id))).toBe(false)
    expect(isParticipant(lean, String(bob._id))).toBe(true)
    expect(isParticipant(lean, String(mallory._id))).toBe(false)
  })

  test('an ObjectId that is not the very same object', () => {
    const copy = new mongoose.Types.ObjectId(String(bob._id))
    expect(lean.participants.includes(copy)).toBe(false)
    expect(isParticipant(lean, copy)).toBe(true)
    expect(isParticipant(lean.participants, copy)).toBe(true)
  })

  test('populated participants after toObject()', () => {
    expect(populatedPlain.participants[0]).toHaveProperty('name', 'alice')
    expect(populatedPlain.participants.includes(String(alice._id))).toBe(false)
    expect(populatedPlain.participants.includes(alice._id)).toBe(false)
    expect(isParticipant(populatedPlain, String(alice._id))).toBe(true)
    expect(isParticipant(populatedPlain, alice._id)).toBe(true)
    expect(isParticipant(populatedPlain, mallory._id)).toBe(false)
  })

  test('populated hydrated documents, and a document as the user', () => {
    expect(isParticipant(populated, alice)).toBe(true)
    expect(isParticipant(populated, String(bob._id))).toBe(true)
    expect(isParticipant(populated, mallory)).toBe(false)
  })
})

describe('id forms', () => {
  const hex = '670d12a4f8b1e123456789ab'
  test('any bson major, 24-hex in either case, 12-byte buffers', () => {
    const forms = [hex, hex.toUpperCase(), new bson.ObjectId(hex), new bson4.ObjectId(hex), new bson1.ObjectID(hex),
      new mongoose.Types.ObjectId(hex), Buffer.from(hex, 'hex'), new Uint8Array(Buffer.from(hex, 'hex')), { _id: hex },
      { _id: new bson.ObjectId(hex), name: 'x' }]
    for (const a of forms) {
      for (const b of forms) {
        expect(isParticipant([a], b)).toBe(true)
        expect(isParticipant([a, 'other'], b)).toBe(true)
      }
      expect(isParticipant([a], new bson.ObjectId())).toBe(false)
      expect(isParticipant([a], hex.slice(0, 23) + 'c')).toBe(false)
    }
  })

  test('plain string ids compare exactly; they never equal an ObjectId by accident', () => {
    expect(isParticipant(['alice', 'bob'], 'bob')).toBe(true)
    expect(isParticipant(['alice', 'bob'], 'Bob')).toBe(false)
    expect(isParticipant(['alice'], 'alice ')).toBe(false)
    expect(isParticipant(['user-é'], 'user-é')).toBe(true)
    expect(isParticipant([12], '12')).toBe(true)
    expect(isParticipant(['x'.repeat(1000)], 'x'.repeat(1000))).toBe(true)
    expect(isParticipant(['x'.repeat(1001)], 'x'.repeat(1000))).toBe(false)
    // 12 characters are not 12 bytes of an ObjectId.
    expect(isParticipant(['abcdefghijkl'], new bson.ObjectId(Buffer.from('abcdefghijkl')))).toBe(false)
  })

  test('holes, nulls and odd values never match and never throw', () => {
    const list = [null, undefined, {}, [], 5.5, NaN, Symbol('s'), () => 1, new Uint8Array(11), 'bob']
    expect(isParticipant(list, 'bob')).toBe(true)
    expect(isParticipant(list, 'alice')).toBe(false)
    expect(isParticipant([, , 'bob'], 'bob')).toBe(true) // eslint-disable-line no-sparse-arrays
  })

  test('bad arguments are typed errors', () => {
    for (const bad of [undefined, null, 'abc', 5, {}, { participants: 'x' }]) {
      expect(() => isParticipant(bad, 'u')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    }
    expect(() => isParticipant([], undefined)).toThrow(TypeError)
    const trap = new Proxy([], { get(t, k) { if (k === '0') throw new Error('trap'); return k === 'length' ? 1 : t[k] } })
    expect(() => isParticipant(trap, 'u')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    const getter = { get _id() { throw new Error('boom') } }
    expect(() => isParticipant([getter], 'u')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })
})

test('100,000 participants: found at the end, absent, with ObjectIds and strings', () => {
  const ids = Array.from({ length: 100000 }, () => new bson.ObjectId())
  const last = ids[ids.length - 1]
  expect(isParticipant(ids, String(last))).toBe(true)
  expect(isParticipant(ids, new bson.ObjectId(String(last)))).toBe(true)
  expect(isParticipant(ids, new bson.ObjectId())).toBe(false)
  const strings = ids.map(String)
  expect(isParticipant(strings, last)).toBe(true)
  expect(isParticipant({ participants: strings }, 'nobody')).toBe(false)
  // The same answers as a straightforward JavaScript check, on a sample.
  for (const probe of [ids[0], ids[50000], new bson.ObjectId()]) {
    expect(isParticipant(ids, probe)).toBe(ids.some((p) => p.equals(probe)))
  }
})
