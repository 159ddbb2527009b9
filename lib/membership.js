'use strict'
// isParticipant: the membership check, walked and compared in C.
const binding = require('./binding')
const check = require('./check')
const { invalidType, invalidValue } = require('./errors')

function participantsOf(value) {
  if (check.isArray('conversationOrParticipants', value)) return value
  if (value !== null && typeof value === 'object') {
    let participants
    try {
      participants = value.participants
    } catch {
      throw invalidValue('conversationOrParticipants', 'could not be read (its "participants" getter threw)')
    }
    if (check.isArray('conversationOrParticipants.participants', participants)) return participants
  }
  throw invalidType('conversationOrParticipants', 'an array of participants or an object with a "participants" array',
    value)
}

// isParticipant(conversationOrParticipants, userId) -> boolean. Ids may be
// strings, bson/mongoose ObjectIds, populated documents ({ _id }) or 12-byte
// Uint8Arrays; the same 24-hex ObjectId in any case, or the same string, match.
// The property names the addon reads ids through, in its order; as literals
// they are internalized strings, which V8 looks up fastest.
const ID_KEYS = Object.freeze(['id', '_id', '_bsontype', 'i0', 'i1', 'i2', 'i3'])

function isParticipant(conversationOrParticipants, userId) {
  const participants = participantsOf(conversationOrParticipants)
  if (userId === undefined || userId === null) {
    throw invalidType('userId', 'a string, an ObjectId or a 12-byte Uint8Array', userId)
  }
  return binding.isParticipant(participants, userId, ID_KEYS)
}

module.exports = { isParticipant }
