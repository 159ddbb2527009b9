'use strict'
// lib/call/machine.js as a table, without sockets: every member state x event,
// in a direct call (caller a, callee b) and a group (a, b, c), gives the next
// member state, what is told to whom, and whether the call ends and why.
const { step, start, Event, TABLE, endReasonOf } = require('../../lib/call/machine')
const { Member, ServerEvent, Reason, Phase } = require('../../lib/call/protocol')

const { RINGING, JOINED, DECLINED, LEFT, MISSED, BUSY } = Member

// A stored call with the given member states (a is the caller).
function callWith(states) {
  const members = new Map(Object.entries(states))
  const count = (s) => [...members.values()].filter((x) => x === s).length
  return {
    callId: 'c1',
    conversationId: 'conv',
    callerId: 'a',
    media: 'video',
    createdAt: 0,
    ringUntil: 100,
    answeredAt: null,
    phase: count(JOINED) > 1 ? Phase.ACTIVE : Phase.RINGING,
    joined: count(JOINED),
    ringing: count(RINGING),
    members
  }
}

// What a result looks like in a table row.
function summary(result) {
  if (result.error) return result.error
  const out = []
  for (const e of result.effects) {
    if (e.type === 'member') out.push(`${e.userId}=${e.state}`)
    else if (e.type === 'members') out.push(`${e.userIds.join(',')}=${e.state}`)
    else if (e.type === 'emit') {
      out.push(`${e.event}>${[...e.to].join(',') || '-'}${e.echo ? '+echo' : ''}${e.data.reason ? `(${e.data.reason})` : ''}` +
        `${e.data.userIds ? `[${e.data.userIds.join(',')}]` : ''}`)
    } else if (e.type === 'timer') out.push(`timer:${e.action}`)
    else if (e.type === 'ring-offline') out.push(`ring-offline[${e.userIds.join(',')}]`)
    else out.push(e.type)
  }
  return out.join(' ')
}

const DIRECT = [
  // [b's state, event by b, expected]
  [RINGING, Event.ACCEPT, 'b=joined call:accepted>a+echo timer:clear'],
  [RINGING, Event.DECLINE, 'b=declined call:declined>a+echo timer:clear end call:ended>a(declined)'],
  [RINGING, Event.END, 'b=declined call:declined>a+echo timer:clear end call:ended>a(declined)'],
  [RINGING, Event.CANCEL, 'INVALID_STATE'],
  [RINGING, Event.DISCONNECT, 'b=declined call:declined>a timer:clear end call:ended>a(disconnect)'],
  [JOINED, Event.ACCEPT, 'INVALID_STATE'],
  [JOINED, Event.DECLINE, 'INVALID_STATE'],
  [JOINED, Event.END, 'b=left timer:clear end call:ended>a+echo(hangup)'],
  [JOINED, Event.CANCEL, 'INVALID_STATE'], // b is not the caller
  [JOINED, Event.DISCONNECT, 'b=left timer:clear end call:ended>a(disconnect)'],
  // offline (onRingOffline set): a member still ringing keeps ringing, the app hears of it
  [RINGING, Event.OFFLINE, 'ring-offline[b]'],
  [JOINED, Event.OFFLINE, 'b=left timer:clear end call:ended>a(disconnect)']
]
for (const s of [DECLINED, LEFT, MISSED, BUSY]) {
  for (const e of [Event.ACCEPT, Event.DECLINE, Event.END, Event.CANCEL]) DIRECT.push([s, e, 'INVALID_STATE'])
  DIRECT.push([s, Event.DISCONNECT, ''])
  DIRECT.push([s, Event.OFFLINE, ''])
}

describe('direct call: the callee b in each state x each event', () => {
  test.each(DIRECT)('b %s, %s -> %s', (state, event, expected) => {
    const call = callWith({ a: JOINED, b: state })
    expect(summary(step(call, event, 'b', 50))).toBe(expected)
    expect(call.members.get('b')).toBe(state) // the input is never changed
  })
})

describe('the caller a', () => {
  test.each([
    [{ b: RINGING }, Event.CANCEL, 'a=left timer:clear end call:ended>-+echo(cancelled) call:cancelled>b'],
    [{ b: RINGING }, Event.END, 'a=left timer:clear end call:ended>-+echo(hangup) call:cancelled>b'],
    [{ b: RINGING }, Event.DISCONNECT, 'a=left timer:clear end call:cancelled>b'],
    [{ b: JOINED }, Event.CANCEL, 'a=left timer:clear end call:ended>b+echo(cancelled)'],
    [{ b: JOINED, c: RINGING }, Event.CANCEL, 'a=left call:left>b+echo'], // b and c can still talk
    [{ b: JOINED, c: JOINED }, Event.END, 'a=left call:left>b,c+echo'],
    [{ b: RINGING }, Event.ACCEPT, 'INVALID_STATE']
  ])('%o, a %s -> %s', (others, event, expected) => {
    expect(summary(step(callWith({ a: JOINED, ...others }), event, 'a', 50))).toBe(expected)
  })
})

describe('group call (a joined, b and c)', () => {
  test.each([
    // those still ringing hear nothing of the others' answers, only how the call ends
    [{ b: RINGING, c: RINGING }, 'b', Event.ACCEPT, 'b=joined call:accepted>a+echo'],
    [{ b: RINGING, c: JOINED }, 'b', Event.ACCEPT, 'b=joined call:accepted>a,c+echo timer:clear'],
    [{ b: RINGING, c: RINGING }, 'b', Event.DECLINE, 'b=declined call:declined>a+echo'],
    [{ b: RINGING, c: DECLINED }, 'b', Event.DECLINE, 'b=declined call:declined>a+echo timer:clear end call:ended>a(declined)'],
    [{ b: JOINED, c: RINGING }, 'b', Event.END, 'b=left call:left>a+echo'],
    [{ b: JOINED, c: JOINED }, 'c', Event.DISCONNECT, 'c=left call:left>a,b'],
    [{ b: LEFT, c: RINGING }, 'a', Event.END, 'a=left timer:clear end call:ended>-+echo(hangup) call:cancelled>c']
  ])('%o, %s %s -> %s', (others, actor, event, expected) => {
    expect(summary(step(callWith({ a: JOINED, ...others }), event, actor, 50))).toBe(expected)
  })
})

describe('timeout', () => {
  test.each([
    [{ b: RINGING }, 99, ''],
    [{ b: RINGING }, 100, 'b=missed call:missed>b call:missed>a[b] timer:clear end call:ended>a(missed)'],
    [{ b: RINGING, c: JOINED }, 100, 'b=missed call:missed>b call:missed>a,c[b] timer:clear'],
    [{ b: RINGING, c: RINGING, d: JOINED }, 100, 'b,c=missed call:missed>b,c call:missed>a,d[b,c] timer:clear'],
    [{ b: JOINED }, 100, '']
  ])('%o at %d -> %s', (others, now, expected) => {
    expect(summary(step(callWith({ a: JOINED, ...others }), Event.TIMEOUT, null, now))).toBe(expected)
  })
})

describe('channel-gone (Agora destroyed the channel)', () => {
  test.each([
    [{ b: RINGING }, 'a=left b=missed timer:clear end call:ended>a(channel-destroyed) call:cancelled>b'],
    [{ b: JOINED }, 'a,b=left timer:clear end call:ended>a,b(channel-destroyed)'],
    [{ b: JOINED, c: RINGING, d: DECLINED }, 'a,b=left c=missed timer:clear end call:ended>a,b(channel-destroyed) call:cancelled>c']
  ])('%o -> %s', (others, expected) => {
    const r = step(callWith({ a: JOINED, ...others }), Event.CHANNEL_GONE, null, 50)
    expect(summary(r)).toBe(expected)
    expect([r.call.joined, r.call.ringing]).toEqual([0, 0])
  })
})

test('endReasonOf names the reason of the step that ends a call, as the stores keep it', () => {
  expect(endReasonOf(Event.TIMEOUT, undefined)).toBe(Reason.MISSED)
  expect(endReasonOf(Event.CHANNEL_GONE, undefined)).toBe(Reason.CHANNEL_DESTROYED)
  expect(endReasonOf(Event.CANCEL, JOINED)).toBe(Reason.CANCELLED)
  expect(endReasonOf(Event.END, RINGING)).toBe(Reason.DECLINED)
  expect(endReasonOf(Event.OFFLINE, JOINED)).toBe(Reason.DISCONNECT)
  expect(endReasonOf(Event.ACCEPT, LEFT)).toBe(null)
})

test('a non-member gets CALL_NOT_FOUND; its disconnect is nothing', () => {
  const call = callWith({ a: JOINED, b: RINGING })
  for (const e of [Event.ACCEPT, Event.DECLINE, Event.END, Event.CANCEL]) expect(step(call, e, 'z', 0)).toEqual({ error: 'CALL_NOT_FOUND' })
  expect(summary(step(call, Event.DISCONNECT, 'z', 0))).toBe('')
  expect(summary(step(call, Event.OFFLINE, 'z', 0))).toBe('')
})

test('counts and phase follow the members; answeredAt is the first accept', () => {
  const call = callWith({ a: JOINED, b: RINGING, c: RINGING })
  const r1 = step(call, Event.ACCEPT, 'b', 42)
  expect([r1.call.joined, r1.call.ringing, r1.call.phase, r1.call.answeredAt]).toEqual([2, 1, Phase.ACTIVE, 42])
  const r2 = step({ ...r1.call, members: new Map([...call.members, ['b', JOINED]]) }, Event.ACCEPT, 'c', 50)
  expect([r2.call.joined, r2.call.ringing, r2.call.answeredAt]).toEqual([3, 0, 42])
})

test('start: rings those free, busy news after incoming-call; nobody free -> busy then ended, nothing stored', () => {
  const init = { callId: 'c', conversationId: 'k', callerId: 'a', media: 'audio', now: 10, ringTimeoutMs: 5 }
  expect(summary(start(init, ['b'], ['c']))).toBe('create incoming-call>b call:busy>a[c] timer:start')
  const none = start(init, [], ['b'])
  expect(none.call).toBe(null)
  expect(summary(none)).toBe(`call:busy>a[b] call:ended>a(${Reason.BUSY})`)
  expect(start(init, ['b'], []).call.ringUntil).toBe(15)
  expect(start(init, ['b'], []).effects.find((e) => e.type === 'emit').event).toBe(ServerEvent.INCOMING)
})

test('the table names only real states and events', () => {
  for (const [state, row] of Object.entries(TABLE)) {
    expect(Object.values(Member)).toContain(state)
    for (const [event, [next]] of Object.entries(row)) {
      expect(Object.values(Event)).toContain(event)
      expect(Object.values(Member)).toContain(next)
    }
  }
})
