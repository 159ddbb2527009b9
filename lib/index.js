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

// The core's service table (src/core/include/act_token007.h ACT_SERVICES).
const { ServiceType } = require('./services')

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
