// Type-checked by `npx tsc -p test/types`: the public types used the way an app would.
import { buildRtcToken, parseToken, verifyToken, isParticipant, buildAccessToken, buildLegacyToken, RtcRole,
  ServiceType } from '../..'
import { RtcTokenBuilder, RtcRole as OfficialRole, RtmTokenBuilder, Rtm2Permissions, ChatTokenBuilder,
  FpaTokenBuilder, ApaasTokenBuilder, EducationTokenBuilder, ConvoAITokenBuilder, SttTokenBuilder }
  from '../../lib/compat/agora-token'
import { AccessToken2, ServiceRtc } from '../../lib/compat/agora-token/src/AccessToken2'
import * as legacy from '../../lib/compat/agora-access-token'
import { AccessToken, priviledges } from '../../lib/compat/agora-access-token/src/AccessToken'

const appId = '970CA35de60c44645bbae8a215061b33'
const appCertificate = '5CFd2fd1755d40ecb72977518be15d3b'

const rtc: string = buildRtcToken({ appId, appCertificate, channelName: 'conv-1', account: 'user-1', role: 'subscriber' })
buildRtcToken({ appId, appCertificate, channelName: 'conv-1', uid: 42, role: RtcRole.PUBLISHER, withRtm: true })
const parsed = parseToken(rtc)
if (parsed.version === '007') {
  const expiresAt: number = parsed.expiresAt
  for (const s of parsed.services) console.log(s.name, s.channelName, s.privileges[1], expiresAt)
} else {
  console.log(parsed.crcChannelName)
}
const result = verifyToken(rtc, appCertificate, { now: 0 })
const reason: null | 'malformed' | 'signature' | 'expired' = result.reason
console.log(reason, isParticipant({ participants: ['a', 'b'] }, 'a'), isParticipant(['a'], 'b'))

const mixed: string = buildAccessToken({
  appId, appCertificate, expire: 600, issueTs: 1, salt: 2,
  services: [
    { type: ServiceType.RTC, channelName: 'c', uid: 0, privileges: { 1: 0 } },
    { type: ServiceType.RTM2, userId: 'u', permissions: { 0: { 1: ['a'] } }, privileges: { 1: 600 } },
    { type: ServiceType.APAAS, roomUuid: 'r', userUuid: 'u', role: 2 }
  ]
})
const old: string = buildLegacyToken({ appId, appCertificate, channelName: 'c', uid: 'acct', privileges: { 1: 0 } })
console.log(mixed, old)

// compat: agora-token
const perms = new Rtm2Permissions()
perms.add(Rtm2Permissions.kMessageChannels, Rtm2Permissions.kRead, ['chat-*'])
const compat: string[] = [
  RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, 'c', 0, OfficialRole.PUBLISHER, 600),
  RtcTokenBuilder.buildTokenWithUserAccount(appId, appCertificate, 'c', 'acct', OfficialRole.SUBSCRIBER, 600, 300),
  RtcTokenBuilder.buildTokenWithUidAndPrivilege(appId, appCertificate, 'c', 7, 600, 600, 0, 0, 0),
  RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege(appId, appCertificate, 'c', 'a', 600, 600, 0, 0, 0),
  RtcTokenBuilder.buildTokenWithRtm(appId, appCertificate, 'c', 'a', OfficialRole.PUBLISHER, 600, 600),
  RtcTokenBuilder.buildTokenWithRtm2(appId, appCertificate, 'c', 'a', 1, 600, 600, 600, 600, 600, 'rtm', 600),
  ConvoAITokenBuilder.buildToken(appId, appCertificate, 'c', 0, 1, 600, 600, 600, 600, 600, 'agent', 600),
  SttTokenBuilder.buildToken(appId, appCertificate, 'c', 0, 1, 600, 600, 600, 600, 600, 'stt', 600),
  RtmTokenBuilder.buildToken(appId, appCertificate, 'u', 600),
  RtmTokenBuilder.buildTokenWithPermissions(appId, appCertificate, 'u', perms, 600),
  ChatTokenBuilder.buildUserToken(appId, appCertificate, 'u', 600),
  ChatTokenBuilder.buildAppToken(appId, appCertificate, 600),
  FpaTokenBuilder.buildToken(appId, appCertificate),
  ApaasTokenBuilder.buildRoomUserToken(appId, appCertificate, 'r', 'u', 1, 600),
  EducationTokenBuilder.buildAppToken(appId, appCertificate, 600)
]
const t2 = new AccessToken2(appId, appCertificate, 0, 600)
t2.salt = 1
const svc = new ServiceRtc('c', 0)
svc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, 0)
t2.add_service(svc)
const reread = new AccessToken2()
const ok: boolean = reread.from_string(t2.build()) && reread.verifySignature(appCertificate)

// compat: agora-access-token
const legacyTokens: string[] = [
  legacy.RtcTokenBuilder.buildTokenWithUid(appId, appCertificate, 'c', 0, legacy.RtcRole.ADMIN, 1800000000),
  legacy.RtcTokenBuilder.buildTokenWithAccount(appId, appCertificate, 'c', 'acct', legacy.RtcRole.ATTENDEE, 0),
  legacy.RtmTokenBuilder.buildToken(appId, appCertificate, 'acct', legacy.RtmRole.Rtm_User, 0)
]
const at = new AccessToken(appId, appCertificate, 'c', 0)
at.addPriviledge(priviledges.kJoinChannel, 0)
const readBack: boolean = new AccessToken().fromString(at.build())
console.log(compat, ok, legacyTokens, readBack)

// @ts-expect-error uid and account are exclusive
buildRtcToken({ appId, appCertificate, channelName: 'c', uid: 1, account: 'a' })
// @ts-expect-error the RTM user id is a string
RtmTokenBuilder.buildToken(appId, appCertificate, 42, 600)

// call signaling: the store contract, the recommended one-query lookup, the bounds
import { Server } from 'socket.io'
import { attachCallSignaling, MemoryCallStore, guardPublisher, type CallStore, type StepResult } from 'agora-call-token/socket'
const store: CallStore = new MemoryCallStore()
const signaling = attachCallSignaling(new Server(), {
  findConversation: async (id: string, userId: string) => ({ _id: id, participants: [userId] }),
  lookupTimeoutMs: 3000,
  ringRateLimit: { max: 10, windowMs: 60000 },
  store
})
const step: StepResult | Promise<StepResult> = signaling.store.apply('call-1', 'end', 'user-1', Date.now())
console.log(step)
signaling.close()

// the adapter's pubClient keeps the client's own type
const pubClient = { publish: async (channel: string, message: string): Promise<number> => channel.length + message.length }
const guarded: typeof pubClient = guardPublisher(pubClient, { onError: (err: unknown) => console.error(err) })
console.log(guarded.publish('c', 'm'))
