'use strict'
// lib/call/media.js and lib/call/history.js without sockets: channel events as
// entries, presence from any order of a set of entries, talk time, and the
// record of an ended call with its outcome.
const fc = require('fast-check')
const { toEntry, presence, changes, talk } = require('../../lib/call/media')
const { buildRecord, Outcome } = require('../../lib/call/history')
const { typeEvent } = require('../../lib/webhooks/events')

const T0 = 1_700_000_000 // seconds, Agora's clock

// A typed event as the router hands it over.
const ev = (eventType, payload, extra = {}) =>
  typeEvent({ noticeId: `n-${eventType}-${payload.uid}-${payload.clientSeq}`, productId: 1, eventType, notifyMs: (payload.ts + 1) * 1000, payload, ...extra })
const join = (account, ts, seq = ts) => ev(103, { channelName: 'conv', uid: 1000 + account.length, account, ts, clientSeq: seq, platform: 7 })
const leave = (account, ts, seq = ts) => ev(104, { channelName: 'conv', uid: 1000 + account.length, account, ts, clientSeq: seq, reason: 1, duration: 1 })
const destroy = (ts) => ev(102, { channelName: 'conv', ts, lastUid: 1 })

describe('toEntry', () => {
  test('joins, leaves (communication and live profiles) and destroys become entries; the rest is not', () => {
    expect(toEntry(join('alice', T0))).toMatchObject({ kind: 'join', userId: 'alice', at: T0 * 1000, seq: T0 })
    expect(toEntry(ev(108, { channelName: 'c', uid: 7, account: 'bob', ts: T0, clientSeq: 3 }))).toMatchObject({ kind: 'leave', userId: 'bob' })
    expect(toEntry(ev(105, { channelName: 'c', uid: 7, account: 'bob', ts: T0, clientSeq: 3 }))).toMatchObject({ kind: 'join' })
    expect(toEntry(destroy(T0))).toMatchObject({ kind: 'destroy', userId: null })
    expect(toEntry(ev(101, { channelName: 'c', ts: T0 }))).toBe(null)
    expect(toEntry(ev(111, { channelName: 'c', uid: 7, account: 'bob', ts: T0 }))).toBe(null)
    expect(toEntry(ev(999, { channelName: 'c', uid: 7, ts: T0 }))).toBe(null)
  })

  test('a join with only a numeric uid is nobody unless userOf maps it', () => {
    const e = ev(103, { channelName: 'c', uid: 42, ts: T0, clientSeq: 1 })
    expect(toEntry(e)).toBe(null)
    expect(toEntry(e, (x) => (x.uid === 42 ? 'u42' : null))).toMatchObject({ userId: 'u42', uid: 42 })
  })

  test('the key is the content, not the noticeId: the same event resent under another id is one entry', () => {
    const a = join('alice', T0)
    const b = { ...a, noticeId: 'other' }
    expect(toEntry(a).key).toBe(toEntry(b).key)
    expect(toEntry(join('alice', T0, 1)).key).not.toBe(toEntry(join('alice', T0, 2)).key)
  })
})

describe('presence', () => {
  const entries = [join('alice', T0), join('bob', T0 + 2), leave('bob', T0 + 44), leave('alice', T0 + 45), destroy(T0 + 45)].map((e) => toEntry(e))

  test('in order: sessions and who is in', () => {
    const p = presence(entries.slice(0, 2))
    expect([...p.users.keys()]).toEqual(['alice', 'bob'])
    expect(p.users.get('bob')).toEqual({ inChannel: true, joinedAt: (T0 + 2) * 1000, leftAt: null, sessions: [[(T0 + 2) * 1000, null]] })
    const all = presence(entries)
    expect(all.destroyedAt).toBe((T0 + 45) * 1000)
    expect(all.users.get('alice').sessions).toEqual([[T0 * 1000, (T0 + 45) * 1000]])
  })

  test('any order and any duplicates of the same set give the same presence', () => {
    const expected = presence(entries)
    fc.assert(fc.property(fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
      fc.array(fc.nat(entries.length - 1), { maxLength: 4 }), (order, dups) => {
        const list = [...order, ...dups.map((i) => entries[i])]
        const got = presence(list)
        expect(got.destroyedAt).toBe(expected.destroyedAt)
        expect([...got.users]).toEqual([...expected.users])
      }))
  })

  test('a leave that arrived before its join (same second, later clientSeq) still closes the session', () => {
    const p = presence([toEntry(leave('bob', T0, 9)), toEntry(join('bob', T0, 8))])
    expect(p.users.get('bob')).toMatchObject({ inChannel: false, sessions: [[T0 * 1000, T0 * 1000]] })
  })

  test('a destroy older than a join of the call (the channel\'s previous session) is ignored', () => {
    const p = presence([toEntry(destroy(T0 - 1)), toEntry(join('alice', T0))])
    expect(p.destroyedAt).toBe(null)
    expect(p.users.get('alice').inChannel).toBe(true)
    expect(presence([toEntry(destroy(T0))]).destroyedAt).toBe(null) // nobody joined: nothing to destroy
  })

  test('since drops what came before the call', () => {
    const p = presence([toEntry(join('alice', T0 - 100)), toEntry(join('bob', T0))], { since: T0 * 1000 })
    expect([...p.users.keys()]).toEqual(['bob'])
  })

  test('changes: one per user whose presence flipped', () => {
    const before = presence(entries.slice(0, 2))
    const after = presence(entries.slice(0, 3))
    expect(changes(before, after)).toEqual([{ userId: 'bob', state: 'left', at: (T0 + 44) * 1000 }])
    expect(changes(presence([]), before)).toEqual([
      { userId: 'alice', state: 'joined', at: T0 * 1000 }, { userId: 'bob', state: 'joined', at: (T0 + 2) * 1000 }])
  })
})

describe('talk', () => {
  test('the time two or more were in together; open sessions count until the end', () => {
    const p = presence([join('alice', T0), join('bob', T0 + 2), leave('bob', T0 + 44)].map((e) => toEntry(e)))
    expect(talk(p, (T0 + 60) * 1000)).toEqual({ startAt: (T0 + 2) * 1000, endAt: (T0 + 44) * 1000, durationMs: 42000 })
    const alone = presence([toEntry(join('alice', T0))])
    expect(talk(alone, (T0 + 60) * 1000)).toEqual({ startAt: null, endAt: null, durationMs: 0 })
  })

  test('a group: overlapping sessions are counted once, a gap with one person is not', () => {
    const p = presence([join('a', T0), join('b', T0 + 10), leave('b', T0 + 20), join('c', T0 + 30), leave('a', T0 + 40)].map((e) => toEntry(e)))
    expect(talk(p, (T0 + 50) * 1000).durationMs).toBe(20000)
  })

  test('two in the channel during one and the same second met, for 0 ms (NCS times are whole seconds)', () => {
    const p = presence([join('a', T0), join('b', T0 + 1), leave('b', T0 + 1), leave('a', T0 + 1)].map((e) => toEntry(e)))
    expect(talk(p, (T0 + 5) * 1000)).toEqual({ startAt: (T0 + 1) * 1000, endAt: (T0 + 1) * 1000, durationMs: 0 })
    const apart = presence([join('a', T0), leave('a', T0 + 1), join('b', T0 + 2), leave('b', T0 + 3)].map((e) => toEntry(e)))
    expect(talk(apart, (T0 + 5) * 1000).startAt).toBe(null)
  })
})

describe('buildRecord and the outcome', () => {
  const data = (over) => ({
    callId: 'c1', conversationId: 'conv', callerId: 'alice', media: 'video', createdAt: T0 * 1000 - 500,
    answeredAt: null, endedAt: (T0 + 50) * 1000, endReason: 'hangup', endBy: 'alice',
    members: { alice: 'left', bob: 'left' }, times: {}, channel: [], ...over
  })

  test.each([
    [{ endReason: 'busy', members: { alice: 'joined', bob: 'busy' } }, Outcome.BUSY],
    [{ endReason: 'missed', members: { alice: 'left', bob: 'missed' } }, Outcome.MISSED],
    [{ endReason: 'declined', endBy: 'bob', members: { alice: 'left', bob: 'declined' } }, Outcome.DECLINED],
    [{ endReason: 'cancelled', members: { alice: 'left', bob: 'ringing' } }, Outcome.CANCELLED],
    [{ endReason: 'hangup', members: { alice: 'left', bob: 'ringing' } }, Outcome.CANCELLED],
    [{ endReason: 'disconnect', members: { alice: 'left', bob: 'ringing' } }, Outcome.FAILED],
    [{ endReason: 'hangup', answeredAt: (T0 + 1) * 1000 }, Outcome.COMPLETED]
  ])('%o -> %s', (over, outcome) => {
    const r = buildRecord(data(over))
    expect(r.outcome).toBe(outcome)
    expect(r.timing).toBe('signaling')
  })

  test('signaling times without channel events; media times with them, and the outcome needs two in the channel', () => {
    const answeredAt = (T0 + 1) * 1000
    const base = data({ answeredAt, times: { bob: [answeredAt, (T0 + 48) * 1000] } })
    const sig = buildRecord(base)
    expect(sig).toMatchObject({ answeredAt, endedAt: (T0 + 50) * 1000, durationMs: 49000, timing: 'signaling', startedBy: 'alice' })
    expect(sig.participants).toEqual([
      { userId: 'alice', role: 'caller', state: 'left', joinedAt: base.createdAt, leftAt: base.endedAt, media: null },
      { userId: 'bob', role: 'callee', state: 'left', joinedAt: answeredAt, leftAt: (T0 + 48) * 1000, media: null }
    ])
    const channel = [join('alice', T0), join('bob', T0 + 2), leave('bob', T0 + 44), leave('alice', T0 + 45)].map((e) => toEntry(e))
    const med = buildRecord({ ...base, channel }, { channelEvents: true })
    expect(med).toMatchObject({ answeredAt: (T0 + 2) * 1000, endedAt: (T0 + 44) * 1000, durationMs: 42000, timing: 'media', outcome: 'completed' })
    const [j, l] = [(T0 + 2) * 1000, (T0 + 44) * 1000]
    expect(med.participants[1].media).toEqual({ joinedAt: j, leftAt: l, sessions: [[j, l]] })
    const nobody = buildRecord({ ...base, channel: channel.slice(0, 1) }, { channelEvents: true })
    expect(nobody).toMatchObject({ outcome: 'failed', durationMs: 0, timing: 'media' })
  })
})
