'use strict'
// agora-call-token: Agora RTC tokens from a C addon (or its JavaScript
// fallback), and the membership check, for chat backends where the
// conversation id is the channel name.
// Express and Socket.IO glue live in 'agora-call-token/express' and '/socket'.
const binding = require('./binding')
const { typedInputs } = require('./errors')
const { isValidChannelName } = require('./check')
const membership = require('./membership')
const rtc = require('./rtc')
const token = require('./token')

const ServiceType = Object.freeze({ RTC: 1, RTM: 2, STREAMING: 3, FPA: 4, CHAT: 5, FCDN: 6, APAAS: 7, RTM2: 8,
  CONVOAI: 9, STT: 10 })

const buildRtcToken = typedInputs('options', rtc.buildRtcToken)
const parseToken = typedInputs('token', token.parseToken)
const verifyToken = typedInputs('options', token.verifyToken)
const buildAccessToken = typedInputs('options', token.buildAccessToken)
const buildLegacyToken = typedInputs('options', token.buildLegacyToken)
const isParticipant = typedInputs('conversationOrParticipants', membership.isParticipant)
const RtcRole = rtc.RtcRole
const limits = Object.freeze({ ...binding.limits })
// 'native' (the C addon) or 'js' (the fallback): see README "Implementations".
const implementation = binding.implementation

// Every export by name, so that Node's CommonJS export detection sees them
// and `import { parseToken } from 'agora-call-token'` works from ESM.
module.exports = {
  buildRtcToken,
  parseToken,
  verifyToken,
  buildAccessToken,
  buildLegacyToken,
  isParticipant,
  isValidChannelName,
  RtcRole,
  ServiceType,
  limits,
  implementation
}
