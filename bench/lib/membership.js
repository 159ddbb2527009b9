'use strict'
// isParticipant rows by id kind: 24-hex strings, bson 6 ObjectIds (mongoose 8's
// major) and bson 7 ObjectIds, with the user in the middle of the list or not in
// it, against the fastest correct plain-JS way for that kind:
//   strings:   participants.includes(userId)
//   ObjectIds: participants.some(p => p.equals(userId))
// The userId is a fresh value equal to the list's (a different ObjectId instance,
// a string that is not the list's own string), as req.user._id would be.
const act = require('../..')

const SIZES = [10, 1000, 100000]
const KINDS = ['str', 'bson6', 'bson7']
const WHERE = ['middle', 'absent']

function bsonOf(kind) {
  try {
    return require(kind === 'bson6' ? 'bson6' : 'bson')
  } catch {
    return null
  }
}

// What an ObjectId of that kind holds (bson 7: i0..i3; bson 6: a 12-byte buffer),
// checked so that a row never runs on the wrong major
function shapeOf(kind) {
  const bson = bsonOf(kind)
  return bson ? Object.keys(new bson.ObjectId()).join(',') : null
}
const SHAPES = { bson6: 'buffer', bson7: 'i0,i1,i2,i3' }

const lists = new Map()
function listOf(kind, size) {
  const key = `${kind}-${size}`
  if (!lists.has(key)) {
    const bson = bsonOf(kind === 'str' ? 'bson7' : kind)
    const oids = Array.from({ length: size }, () => new bson.ObjectId())
    lists.set(key, kind === 'str' ? oids.map((o) => o.toHexString()) : oids)
  }
  return lists.get(key)
}

// a string equal to s but not the same string object (as one parsed from a JWT or a URL)
const freshString = (s) => Buffer.from(s, 'latin1').toString('latin1')

function rows() {
  const out = []
  for (const kind of KINDS) {
    for (const size of SIZES) {
      for (const where of WHERE) {
        const id = `member-${kind}-${size}-${where}`
        out.push({
          id,
          kind,
          size,
          where,
          title: `isParticipant, ${size.toLocaleString('en-US')} ${kind === 'str' ? '24-hex strings' : `${kind === 'bson6' ? 'bson 6' : 'bson 7'} ObjectIds`}, ` +
            `user ${where === 'middle' ? 'in the middle' : 'not a member (the whole list)'}`,
          available() {
            if (kind === 'bson6' && !bsonOf('bson6')) return 'bson 6 is not installed (devDependency "bson6": "npm:bson@^6")'
            if (kind !== 'str' && shapeOf(kind) !== SHAPES[kind]) return `${kind}: ObjectIds hold ${shapeOf(kind)}, not ${SHAPES[kind]}`
            return null
          },
          make() {
            const participants = listOf(kind, size)
            const bson = bsonOf(kind === 'str' ? 'bson7' : kind)
            const hex = where === 'middle' ? String(kind === 'str' ? participants[size >> 1] : participants[size >> 1].toHexString())
              : new bson.ObjectId().toHexString()
            const userId = kind === 'str' ? freshString(hex) : new bson.ObjectId(hex)
            const expected = where === 'middle' ? 1 : 0
            const floor = kind === 'str'
              ? { key: 'floor', label: 'participants.includes(userId)', fn: () => (participants.includes(userId) ? 1 : 0) }
              : { key: 'floor', label: 'participants.some(p => p.equals(userId))',
                fn: () => (participants.some((p) => p.equals(userId)) ? 1 : 0) }
            const contenders = [
              { key: 'addon', label: 'isParticipant(participants, userId)', fn: () => (act.isParticipant(participants, userId) ? 1 : 0) },
              floor
            ]
            for (const c of contenders) {
              if (c.fn() !== expected) throw new Error(`${id}: ${c.label} answered ${!expected}`)
            }
            return contenders
          }
        })
      }
    }
  }
  return out
}

module.exports = { rows, SIZES, KINDS }
