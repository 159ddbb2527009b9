'use strict'
// The one identity rule: what a user id and a conversation id are. The token
// route, the call signaling and isParticipant all go through here, so one user
// is one Agora account and one conversation is one Agora channel, whatever
// spelling or shape the id arrives in.
//
// The key of an id (a string, or null when the value is no usable id):
// - a 24-hex string (a MongoDB ObjectId as text) in any letter case: lowercased;
// - an ObjectId of any bson major: bson 7 keeps four 24-bit integers i0..i3,
//   older ones a 12-byte `id` buffer, any other build answers toHexString():
//   its 24 lowercase hex digits;
// - a 12-byte Uint8Array (a Buffer): its hex;
// - a UUID (a bson/mongoose UUID, Binary subtype 4, or its 8-4-4-4-12 text in any
//   letter case): its lowercase text with dashes;
// - a populated document ({ _id }): the key of its _id (at most 3 levels deep);
// - any other non-empty string of at most 65535 UTF-8 bytes: itself;
// - a safe integer or a bigint: its decimal text.
// Everything else (objects without an id, NaN, a 1 MB string) has no key.
const { invalidType, invalidValue } = require('./errors')

const MAX_DEPTH = 3
const MAX_TEXT = 65535
const HEX24 = /^[0-9a-fA-F]{24}$/
const LOWER_HEX24 = /^[0-9a-f]{24}$/
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

// Bytes as lowercase hex by table, without a Buffer allocation per id.
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => (i + 0x100).toString(16).slice(1))
const hex6 = (n) => BYTE_HEX[n >>> 16] + BYTE_HEX[(n >>> 8) & 255] + BYTE_HEX[n & 255]
function bytesHex(b) {
  let s = ''
  for (let i = 0; i < 12; i++) s += BYTE_HEX[b[i]]
  return s
}

// (n | 0) === n rather than Number.isInteger: the same answer in this range, and never a
// call into a builtin (under Jest's module sandbox Number.isInteger costs ~250 ns here).
const isInt24 = (n) => typeof n === 'number' && n >= 0 && n <= 0xffffff && (n | 0) === n

function uuidText(b) {
  let s = ''
  for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + BYTE_HEX[b[i]]
  return s
}

function textKey(s) {
  if (s.length === 0) return null
  if (s.length === 24 && HEX24.test(s)) return LOWER_HEX24.test(s) ? s : s.toLowerCase()
  if (s.length === 36 && UUID.test(s)) return s.toLowerCase()
  if (s.length > MAX_TEXT / 3 && (s.length > MAX_TEXT || Buffer.byteLength(s) > MAX_TEXT)) return null
  return s
}

function objectKey(o, depth) {
  if (o instanceof Uint8Array) {
    return o.length === 12 ? bytesHex(o) : null
  }
  // bson >= 7: four 24-bit integers (its `id` getter would allocate).
  const i3 = o.i3
  if (isInt24(i3)) {
    const { i0, i1, i2 } = o
    if (isInt24(i0) && isInt24(i1) && isInt24(i2)) return hex6(i0) + hex6(i1) + hex6(i2) + hex6(i3)
  }
  if (o._bsontype === 'Binary') {
    const b = o.buffer
    return o.sub_type === 4 && b instanceof Uint8Array && b.length === 16 ? uuidText(b) : null
  }
  const id = o.id
  if (id instanceof Uint8Array) return id.length === 12 ? bytesHex(id) : null
  const sub = o._id
  if (sub !== undefined && sub !== null) return depth < MAX_DEPTH ? keyAt(sub, depth + 1) : null
  const type = o._bsontype
  if (type === 'ObjectId' || type === 'ObjectID') {
    const hex = typeof o.toHexString === 'function' ? o.toHexString() : undefined
    return typeof hex === 'string' && HEX24.test(hex) ? hex.toLowerCase() : null
  }
  return null
}

function keyAt(id, depth) {
  switch (typeof id) {
    case 'string':
      return textKey(id)
    case 'number':
      return Number.isSafeInteger(id) ? String(id) : null
    case 'bigint':
      return textKey(String(id))
    case 'object':
      return id === null ? null : objectKey(id, depth)
    default:
      return null
  }
}

// Reading a hostile value (a throwing getter, a proxy trap) is a typed error.
function guarded(name, fn, value) {
  try {
    return fn(value)
  } catch (err) {
    if (err !== null && typeof err === 'object' && typeof err.code === 'string') throw err
    throw invalidValue(name, 'could not be read (a getter, proxy trap or toHexString threw)')
  }
}

/** The key of a user id, or null. Throws ERR_INVALID_ARG_VALUE only when reading the value threw. */
const userKey = (id, name = 'userId') => guarded(name, (v) => keyAt(v, 0), id)

/**
 * The canonical id of a conversation record: the key of its own _id (else its
 * id), else the key of the id it was looked up by. This is the channel name.
 */
function conversationKey(conversation, requestedId) {
  let key = null
  if (conversation !== null && typeof conversation === 'object' && !Array.isArray(conversation)) {
    key = guarded('conversation', (c) => {
      const own = c._id !== undefined && c._id !== null ? c._id : c.id
      return own === undefined || own === null ? null : keyAt(own, 1)
    }, conversation)
  }
  if (key === null && requestedId !== undefined) key = userKey(requestedId, 'conversationId')
  return key
}

function participantsOf(value, name = 'conversationOrParticipants') {
  const list = guarded(name, (v) => {
    if (Array.isArray(v)) return v
    if (v !== null && typeof v === 'object') {
      const p = v.participants
      if (Array.isArray(p)) return p
    }
    return null
  }, value)
  if (list === null) {
    throw invalidType(name, 'an array of participants or an object with a "participants" array', value)
  }
  return list
}

function addKeys(list, from, to, keys) {
  guarded('conversation.participants', () => {
    for (let i = from; i < to; i++) {
      const k = keyAt(list[i], 0)
      if (k !== null) keys.add(k)
    }
  })
}

/** The distinct keys of a conversation's participants, in order (a Set). */
function participantKeys(conversation) {
  const list = participantsOf(conversation, 'conversation')
  const keys = new Set()
  addKeys(list, 0, list.length, keys)
  return keys
}

const KEY_SLICE = 5000
const yieldLoop = () => new Promise((resolve) => setImmediate(resolve))

/**
 * participantKeys for big groups: the event loop runs between slices of
 * KEY_SLICE participants (a small group's keys come at once, as a value).
 */
function participantKeysAsync(conversation) {
  const list = participantsOf(conversation, 'conversation')
  if (list.length <= KEY_SLICE) {
    const keys = new Set()
    addKeys(list, 0, list.length, keys)
    return keys
  }
  return slicedKeys(list)
}

async function slicedKeys(list) {
  const keys = new Set()
  for (let i = 0; i < list.length; i += KEY_SLICE) {
    if (i > 0) await yieldLoop()
    addKeys(list, i, Math.min(list.length, i + KEY_SLICE), keys)
  }
  return keys
}

// ---- isParticipant -------------------------------------------------------------------
// One pass, no allocation per participant on the common shapes: a string is
// compared as it is (a 24-hex one case-insensitively, after a two-character
// precheck on its last digits, so lowercase ids cost one compare), a bson 7 ObjectId by its four
// integers, an older one by its 12 bytes; anything else through keyAt.

let lastNeedle = null // the needle of the last call: a member check repeats for one user

function needleOf(key) {
  if (lastNeedle !== null && lastNeedle.key === key) return lastNeedle
  const oid = key.length === 24 && LOWER_HEX24.test(key)
  // ObjectId and UUID text match in any letter case: their keys are lowercase
  const folds = oid || (key.length === 36 && UUID.test(key))
  const n = { key, raw: undefined, oid, folds, c0: 0, c1: 0, i: null, bytes: null }
  // the last two characters: an ObjectId's counter, where ids of one app differ most
  // (the first eight hex digits are a timestamp that a conversation's members often share)
  n.c0 = key.charCodeAt(key.length - 1)
  n.c1 = key.length > 1 ? key.charCodeAt(key.length - 2) : 0
  if (oid) {
    n.i = [0, 6, 12, 18].map((at) => parseInt(key.slice(at, at + 6), 16))
    n.bytes = Array.from({ length: 12 }, (_, j) => parseInt(key.slice(2 * j, 2 * j + 2), 16))
  }
  lastNeedle = n
  return n
}

function bytesEqual(b, want) {
  if (b.length !== 12) return false
  for (let j = 11; j >= 0; j--) if (b[j] !== want[j]) return false
  return true
}

// A list of strings (ids kept as text) has a loop of its own: a separate function
// keeps its own type feedback, so the JIT compiles it for strings alone even in
// a process that also checks lists of ObjectIds. It hands over at the first
// element that is not a string.
function findStrings(list, needle) {
  const { key, folds, c0, c1 } = needle
  const klen = key.length
  const klast = klen - 1
  for (let i = 0; i < list.length; i++) {
    const p = list[i]
    if (typeof p !== 'string') return findMixed(list, i, needle)
    if (folds) {
      // `| 32` lowercases A-F and leaves digits alone: a cheap filter before the real compare
      if ((p.charCodeAt(klast) | 32) === c0 && p.length === klen && (p.charCodeAt(klast - 1) | 32) === c1 &&
        (p === key || p.toLowerCase() === key)) return true
    } else if (p.charCodeAt(klast) === c0 && p.length === klen && p === key) return true
  }
  return false
}

const findIn = (list, needle) => (typeof list[0] === 'string' ? findStrings(list, needle) : findMixed(list, 0, needle))

function findMixed(list, from, needle) {
  const { key, oid, folds, c0, c1 } = needle
  const klen = key.length
  const klast = klen - 1
  const ints = needle.i
  const n0 = oid ? ints[0] : -1
  const n1 = oid ? ints[1] : -1
  const n2 = oid ? ints[2] : -1
  const n3 = oid ? ints[3] : -1
  for (let i = from; i < list.length; i++) {
    const p = list[i]
    if (typeof p === 'string') {
      // Length and last digits first: most participants are told apart without a string compare.
      if (folds) {
        // `| 32` lowercases A-F and leaves digits alone: a cheap filter before the real compare
        if (p.length === klen && (p.charCodeAt(klast) | 32) === c0 && (p.charCodeAt(klast - 1) | 32) === c1 &&
          (p === key || p.toLowerCase() === key)) return true
      } else if (p.length === klen && p.charCodeAt(klast) === c0 && p === key) return true
      continue
    }
    if (typeof p !== 'object' || p === null) {
      if (p !== undefined && keyAt(p, 0) === key) return true
      continue
    }
    if (oid) {
      const i3 = p.i3
      if (typeof i3 === 'number') {
        if (i3 === n3 && p.i0 === n0 && p.i1 === n1 && p.i2 === n2 && isInt24(i3)) return true
        if (isInt24(i3) && isInt24(p.i0)) continue // another bson 7 ObjectId
      } else if (!(p instanceof Uint8Array)) {
        const id = p.id
        if (id instanceof Uint8Array) {
          if (bytesEqual(id, needle.bytes)) return true
          continue
        }
      }
    }
    if (keyAt(p, 0) === key) return true
  }
  return false
}

// A bson 7 ObjectId holding the cached needle's four integers is that needle:
// its current values are compared, so a changed object is never taken for it.
function sameOid(needle, id) {
  if (!needle.oid || typeof id !== 'object' || id === null) return false
  try {
    const i3 = id.i3
    return typeof i3 === 'number' && i3 === needle.i[3] && id.i0 === needle.i[0] && id.i1 === needle.i[1] &&
      id.i2 === needle.i[2] && isInt24(i3)
  } catch {
    return false // a getter that throws: the full read below reports it
  }
}

/**
 * isParticipant(conversationOrParticipants, userId) -> boolean, by the rule
 * above: the same user in any of its shapes matches, nothing else does.
 */
function isParticipant(conversationOrParticipants, userId) {
  const list = Array.isArray(conversationOrParticipants) ? conversationOrParticipants : participantsOf(conversationOrParticipants)
  if (userId === undefined || userId === null) {
    throw invalidType('userId', 'a string, an ObjectId or a 12-byte Uint8Array', userId)
  }
  let needle = lastNeedle
  if (needle === null || (needle.raw !== userId && !sameOid(needle, userId))) {
    const key = typeof userId === 'string' ? textKey(userId) : userKey(userId)
    if (key === null) return false
    needle = needleOf(key)
    needle.raw = typeof userId === 'string' ? userId : undefined
  }
  try {
    return findIn(list, needle)
  } catch (err) {
    if (err !== null && typeof err === 'object' && typeof err.code === 'string') throw err
    throw invalidValue('conversationOrParticipants', 'could not be read (a getter, proxy trap or toHexString threw)')
  }
}

module.exports = { userKey, conversationKey, participantKeys, participantKeysAsync, participantsOf, isParticipant }
