'use strict'
// The call protocol: event names in both directions, member states, the
// codes an acknowledgement can carry, and readers for client payloads.
const { isValidChannelName } = require('../check')

// Client -> server. Each may carry an acknowledgement callback as its last argument.
const ClientEvent = Object.freeze({
  START: 'call:start', // { conversationId, media: 'audio' | 'video' } -> ack { ok, callId }
  ACCEPT: 'call:accept', // { callId }
  DECLINE: 'call:decline', // { callId }
  CANCEL: 'call:cancel', // { callId }, the caller only
  END: 'call:end' // { callId }: hang up; while ringing it declines
})

// Server -> client.
const ServerEvent = Object.freeze({
  INCOMING: 'incoming-call', // { callId, conversationId, from, media }
  ACCEPTED: 'call:accepted', // { callId, conversationId, by }
  DECLINED: 'call:declined', // { callId, conversationId, by }
  LEFT: 'call:left', // { callId, conversationId, by }: someone hung up, the call goes on
  CANCELLED: 'call:cancelled', // { callId, conversationId, by }: to those still ringing when it ends
  ENDED: 'call:ended', // { callId, conversationId, by, reason }: to those in the call when it ends
  MISSED: 'call:missed', // { callId, conversationId, userIds }: ring timeout
  BUSY: 'call:busy', // { callId, conversationId, userIds }: to the caller
  MEDIA: 'call:media' // { callId, conversationId, userId, state: 'joined' | 'left', at }: channel events (Agora NCS)
})

// A member's state in a call. RINGING and JOINED are "in the call": a user is in
// at most one call at a time.
const Member = Object.freeze({
  RINGING: 'ringing',
  JOINED: 'joined',
  DECLINED: 'declined',
  LEFT: 'left',
  MISSED: 'missed',
  BUSY: 'busy'
})

const isActive = (state) => state === Member.RINGING || state === Member.JOINED

// The call as a whole: ringing until someone answers, then active.
const Phase = Object.freeze({ RINGING: 'ringing', ACTIVE: 'active' })

// Why a call ended (call:ended's reason).
const Reason = Object.freeze({
  HANGUP: 'hangup',
  CANCELLED: 'cancelled',
  DECLINED: 'declined',
  MISSED: 'missed',
  BUSY: 'busy',
  DISCONNECT: 'disconnect',
  UNAVAILABLE: 'unavailable', // the shared store lost the call (Redis restarted empty, or from an older snapshot)
  CHANNEL_DESTROYED: 'channel-destroyed' // Agora says the call's channel is gone (everyone left the media)
})

// Codes of a failed acknowledgement: { ok: false, error: { code, message, ... } }.
const AckError = Object.freeze({
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NO_ONE_TO_CALL: 'NO_ONE_TO_CALL',
  ALREADY_IN_CALL: 'ALREADY_IN_CALL', // carries callId: the call the user is in
  RATE_LIMITED: 'RATE_LIMITED', // carries retryAfterMs
  LOOKUP_TIMEOUT: 'LOOKUP_TIMEOUT',
  CALL_NOT_FOUND: 'CALL_NOT_FOUND',
  INVALID_STATE: 'INVALID_STATE',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL'
})

const MESSAGES = Object.freeze({
  INVALID_PAYLOAD: 'Invalid payload',
  UNAUTHENTICATED: 'This connection has no authenticated user',
  FORBIDDEN: 'You are not a participant of this conversation',
  NO_ONE_TO_CALL: 'Nobody else is in this conversation',
  ALREADY_IN_CALL: 'You are already in a call',
  RATE_LIMITED: 'Too many calls started; try again later',
  LOOKUP_TIMEOUT: 'The conversation could not be looked up in time',
  CALL_NOT_FOUND: 'No such call for this user',
  INVALID_STATE: 'This call cannot do that now',
  UNAVAILABLE: 'Call signaling is unavailable',
  INTERNAL: 'Internal server error'
})

/** An error answered to the client in the ack; never carries server internals. */
class SignalError extends Error {
  constructor(code, message = MESSAGES[code], extra = undefined) {
    super(message)
    this.code = code
    this.extra = extra
  }

  toAck() {
    return { ok: false, error: { code: this.code, message: this.message, ...this.extra } }
  }
}

const MEDIA = new Set(['audio', 'video'])
const MAX_CALL_ID = 128

const isPlainPayload = (p) => p !== null && typeof p === 'object' && !Array.isArray(p)

function own(payload, key) {
  try {
    return Object.hasOwn(payload, key) ? payload[key] : undefined
  } catch {
    return undefined
  }
}

/** { conversationId, media } of call:start, or a SignalError. */
function readStart(payload) {
  if (!isPlainPayload(payload)) {
    throw new SignalError(AckError.INVALID_PAYLOAD, "Expected { conversationId, media: 'audio' | 'video' }")
  }
  const conversationId = own(payload, 'conversationId')
  const rawMedia = own(payload, 'media')
  const media = rawMedia === undefined ? 'audio' : rawMedia
  if (typeof conversationId !== 'string' || !isValidChannelName(conversationId)) {
    throw new SignalError(AckError.INVALID_PAYLOAD, 'conversationId must be a valid channel name')
  }
  if (!MEDIA.has(media)) throw new SignalError(AckError.INVALID_PAYLOAD, "media must be 'audio' or 'video'")
  return { conversationId, media }
}

/** The callId of accept/decline/cancel/end, or a SignalError. */
function readCallId(payload) {
  const callId = isPlainPayload(payload) ? own(payload, 'callId') : undefined
  if (typeof callId !== 'string' || callId === '' || callId.length > MAX_CALL_ID) {
    throw new SignalError(AckError.INVALID_PAYLOAD, 'Expected { callId }')
  }
  return callId
}

module.exports = {
  ClientEvent,
  ServerEvent,
  Member,
  Phase,
  Reason,
  AckError,
  SignalError,
  isActive,
  readStart,
  readCallId
}
