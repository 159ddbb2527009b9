'use strict'
// notifyIncomingCall: ring a conversation's other participants once, without
// the call state machine (for apps that keep their own call state).
const { userKey, participantKeys, conversationKey } = require('../identity')
const { assertServer, toRoomFn, invalidType } = require('./options')
const { ServerEvent } = require('./protocol')
const { callError } = require('./errors')

/**
 * Emits incoming-call { ...payload, conversationId, from } to every other
 * participant's room, never to the caller's. conversationId is the record's
 * own canonical id (for an array of participants: payload.conversationId).
 * @returns {string[]} the user keys that were notified
 */
function notifyIncomingCall(io, conversation, fromUserId, payload, options) {
  assertServer(io)
  if (payload !== undefined && payload !== null && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw invalidType('payload', 'an object', payload)
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw invalidType('options', 'an object', options)
  }
  const room = toRoomFn(options ? options.room : undefined)
  const from = userKey(fromUserId, 'fromUserId')
  if (from === null) throw invalidType('fromUserId', 'a user id', fromUserId)
  const keys = participantKeys(conversation)
  if (!keys.delete(from)) throw callError('ERR_AGORA_NOT_PARTICIPANT')
  const requested = payload && payload.conversationId !== undefined ? String(payload.conversationId) : undefined
  const conversationId = conversationKey(Array.isArray(conversation) ? null : conversation, requested) ?? undefined
  const targets = [...keys]
  if (targets.length > 0) {
    io.to(targets.map(room)).except(room(from)).emit(ServerEvent.INCOMING, { ...(payload || {}), conversationId, from })
  }
  return targets
}

module.exports = { notifyIncomingCall }
