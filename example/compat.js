// example/compat.js: the drop-in modules, where code used agora-token or agora-access-token.
//   node example/compat.js
'use strict'
// was: require('agora-token')
const { RtcTokenBuilder, RtcRole } = require('agora-call-token/compat/agora-token')
// was: require('agora-access-token')
const { RtcTokenBuilder: Legacy, RtcRole: LegacyRole } = require('agora-call-token/compat/agora-access-token')
// deep imports keep their path after the package name:
const { AccessToken2, ServiceRtc } = require('agora-call-token/compat/agora-token/src/AccessToken2')
const { AccessToken, priviledges } = require('agora-call-token/compat/agora-access-token/src/AccessToken')

const appId = '970CA35de60c44645bbae8a215061b33'
const cert = '5CFd2fd1755d40ecb72977518be15d3b'
const now = Math.floor(Date.now() / 1000)
console.log(RtcTokenBuilder.buildTokenWithUid(appId, cert, 'conv-1', 42, RtcRole.PUBLISHER, 3600, 3600))
console.log(Legacy.buildTokenWithUid(appId, cert, 'conv-1', 42, LegacyRole.PUBLISHER, now + 3600))
const token = new AccessToken2(appId, cert, now, 600)
const rtc = new ServiceRtc('conv-1', 42)
rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, 600)
token.add_service(rtc)
console.log(token.build())
const legacy = new AccessToken(appId, cert, 'conv-1', 42)
legacy.addPriviledge(priviledges.kJoinChannel, now + 600)
console.log(legacy.build())
