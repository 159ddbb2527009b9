// The CI matrix's ESM check, copied into each app and run there: named imports
// of the main module and the subpaths that need no peer dependency.
import { buildRtcToken, parseToken, verifyToken, buildAccessToken, buildLegacyToken, isParticipant, isValidChannelName,
  RtcRole, ServiceType, limits, implementation } from 'agora-call-token'
import { attachCallSignaling, notifyIncomingCall, MemoryCallStore, RedisCallStore } from 'agora-call-token/socket'
import { RtcTokenBuilder } from 'agora-call-token/compat/agora-token'
import { RtcTokenBuilder as Legacy } from 'agora-call-token/compat/agora-access-token'

const fns = [buildRtcToken, parseToken, verifyToken, buildAccessToken, buildLegacyToken, isParticipant, isValidChannelName,
  attachCallSignaling, notifyIncomingCall, MemoryCallStore, RedisCallStore, RtcTokenBuilder.buildTokenWithUid,
  Legacy.buildTokenWithUid]
const cert = '5CFd2fd1755d40ecb72977518be15d3b'
const token = buildRtcToken({ appId: '970CA35de60c44645bbae8a215061b33', appCertificate: cert, channelName: 'c', uid: 7,
  role: RtcRole.PUBLISHER })
const ok = fns.every((f) => typeof f === 'function') && ServiceType.RTC === 1 && limits.maxServices === 64 &&
  verifyToken(token, cert).valid && parseToken(token).services[0].account === '7'
console.log(JSON.stringify({ esm: ok, implementation }))
process.exit(ok ? 0 : 1)
