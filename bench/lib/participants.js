'use strict'
// isParticipant rows: the addon against the two usual JS ways, over lists of
// bson ObjectIds, with the user absent (the whole list is walked) or last.
const { ObjectId } = require('bson')
const act = require('../..')

const SIZES = [10, 1000, 100000]
const lists = new Map()

function listOf(size) {
  if (!lists.has(size)) lists.set(size, Array.from({ length: size }, () => new ObjectId()))
  return lists.get(size)
}

function rows() {
  const out = []
  for (const size of SIZES) {
    for (const where of ['absent', 'last']) {
      for (const as of ['oid', 'str']) {
        const id = `participant-${size}-${where}-${as}`
        out.push({
          id,
          size,
          where,
          as,
          title: `isParticipant, ${size.toLocaleString('en-US')} ObjectIds, user ${where === 'absent' ? 'absent (worst case)' : 'last'}, ` +
            `userId as ${as === 'oid' ? 'an ObjectId' : 'a string'}`,
          // built on first use so that --only skips the 100,000-id lists
          make() {
            const participants = listOf(size)
            // a different ObjectId instance than the list's, as req.user._id is
            const oid = where === 'absent' ? new ObjectId() : new ObjectId(participants[size - 1].toHexString())
            const userId = as === 'oid' ? oid : oid.toHexString()
            const expected = where === 'last'
            const contenders = [
              { key: 'addon', label: 'addon isParticipant(participants, userId)',
                fn: () => (act.isParticipant(participants, userId) ? 1 : 0) },
              { key: 'some-equals', label: 'participants.some(p => p.equals(userId))',
                fn: () => (participants.some((p) => p.equals(userId)) ? 1 : 0) },
              { key: 'map-includes', label: 'participants.map(String).includes(String(userId))',
                fn: () => (participants.map(String).includes(String(userId)) ? 1 : 0) }
            ]
            for (const c of contenders) {
              if (c.fn() !== (expected ? 1 : 0)) throw new Error(`${id}: ${c.label} answered ${!expected}`)
            }
            return contenders
          }
        })
      }
    }
  }
  return out
}

module.exports = { rows, SIZES }
