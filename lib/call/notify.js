'use strict'
// notifyIncomingCall: ring a conversation's other participants once, without
// the call state machine (for apps that keep their own call state).
const { userKey, participantKeys, conversationKey } = require('../identity')
const { assertServer, toRoomFn, invalidType } = require('./options')
const { ServerEvent } = require('./protocol')
const { callError } = require('./errors')

const CHUNK = 1000 // rooms per emit; more go out in later turns of the event loop

/**
 * Emits incoming-call { ...payload, conversationId, from } to every other
 * participant's room, never to the caller's. conversationId is the record's
 * own canonical id (for an array of participants: payload.conversationId).
 * Over 1,000 participants, the first 1,000 are rung at once and the others in
 * later turns of the event loop (so a big group never blocks the server).
 * @returns {string[]} the user keys that were (or are being) notified
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
  const message = { ...(payload || {}), conversationId, from }
  const except = room(from)
  const send = (list) => io.to(list.map(room)).except(except).emit(ServerEvent.INCOMING, message)
  if (targets.length <= CHUNK) {
    if (targets.length > 0) send(targets)
    return targets
  }
  // A big group: the first chunk now, the rest between turns of the event loop.
  send(targets.slice(0, CHUNK))
  let i = CHUNK
  const next = () => {
    try {
      send(targets.slice(i, i + CHUNK))
    } catch {
      return // the server went away meanwhile
    }
    i += CHUNK
    if (i < targets.length) setImmediate(next)
  }
  setImmediate(next)
  return targets
}

module.exports = { notifyIncomingCall }
