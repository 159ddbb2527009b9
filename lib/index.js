'use strict'
// agora-call-token: Agora RTC tokens from a C addon, and the membership check,
// for chat backends where the conversation id is the channel name.
// Express and Socket.IO glue live in 'agora-call-token/express' and '/socket'.
const binding = require('./binding')
const { typedInputs } = require('./errors')
const { isValidChannelName } = require('./check')
const { isParticipant } = require('./membership')
const { buildRtcToken, RtcRole } = require('./rtc')
const { parseToken, verifyToken, buildAccessToken, buildLegacyToken } = require('./token')

const ServiceType = Object.freeze({ RTC: 1, RTM: 2, STREAMING: 3, FPA: 4, CHAT: 5, FCDN: 6, APAAS: 7, RTM2: 8,
  CONVOAI: 9, STT: 10 })

module.exports = {
  buildRtcToken: typedInputs('options', buildRtcToken),
  parseToken: typedInputs('token', parseToken),
  verifyToken: typedInputs('options', verifyToken),
  buildAccessToken: typedInputs('options', buildAccessToken),
  buildLegacyToken: typedInputs('options', buildLegacyToken),
  isParticipant: typedInputs('conversationOrParticipants', isParticipant),
  isValidChannelName,
  RtcRole,
  ServiceType,
  limits: Object.freeze({ ...binding.limits })
}
