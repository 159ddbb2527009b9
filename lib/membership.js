'use strict'
// isParticipant: the membership check, walked and compared in C.
const binding = require('./binding')
const { invalidType } = require('./errors')

function participantsOf(value) {
  if (Array.isArray(value)) return value
  if (value !== null && typeof value === 'object') {
    let participants
    try {
      participants = value.participants
    } catch {
      participants = undefined
    }
    if (Array.isArray(participants)) return participants
  }
  throw invalidType('conversationOrParticipants', 'an array of participants or an object with a "participants" array',
    value)
}

// isParticipant(conversationOrParticipants, userId) -> boolean. Ids may be
// strings, bson/mongoose ObjectIds, populated documents ({ _id }) or 12-byte
// Uint8Arrays; the same 24-hex ObjectId in any case, or the same string, match.
function isParticipant(conversationOrParticipants, userId) {
  const participants = participantsOf(conversationOrParticipants)
  if (userId === undefined || userId === null) {
    throw invalidType('userId', 'a string, an ObjectId or a 12-byte Uint8Array', userId)
  }
  return binding.isParticipant(participants, userId)
}

module.exports = { isParticipant }
