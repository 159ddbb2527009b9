// Compiled by test/esm.test.js with `module: nodenext` and then run by Node:
// named imports of the main module and of every subpath, as an ESM TypeScript
// app writes them. Prints what it got, so the test can compare.
import { buildRtcToken, parseToken, verifyToken, buildAccessToken, buildLegacyToken, isParticipant,
  isValidChannelName, RtcRole, ServiceType, limits, implementation } from 'agora-call-token'
import { createCallTokenRouter } from 'agora-call-token/express'
import { attachCallSignaling, notifyIncomingCall, MemoryCallStore, RedisCallStore } from 'agora-call-token/socket'
import { RtcTokenBuilder, RtcRole as OfficialRole } from 'agora-call-token/compat/agora-token'
import { AccessToken2, ServiceRtc } from 'agora-call-token/compat/agora-token/src/AccessToken2'
import { RtcTokenBuilder as LegacyBuilder, RtcRole as LegacyRole } from 'agora-call-token/compat/agora-access-token'
import { AccessToken, priviledges } from 'agora-call-token/compat/agora-access-token/src/AccessToken'

const appId = '970CA35de60c44645bbae8a215061b33'
const appCertificate = '5CFd2fd1755d40ecb72977518be15d3b'
const token: string = buildRtcToken({ appId, appCertificate, channelName: 'conv-1', account: 'user-1', role: RtcRole.SUBSCRIBER,
  issuedAt: 1700000000, salt: 1 })
const verified = verifyToken(token, appCertificate, { now: 1700000001 })
const engine: 'native' | 'js' = implementation

console.log(JSON.stringify({
  engine,
  valid: verified.valid,
  version: parseToken(token).version,
  types: [buildAccessToken, buildLegacyToken, isParticipant, isValidChannelName, createCallTokenRouter, attachCallSignaling,
    notifyIncomingCall, MemoryCallStore, RedisCallStore, RtcTokenBuilder, AccessToken2, ServiceRtc, LegacyBuilder,
    AccessToken].map((f) => typeof f),
  values: [ServiceType.RTC, limits.maxServices, OfficialRole.PUBLISHER, LegacyRole.PUBLISHER, typeof priviledges]
}))
