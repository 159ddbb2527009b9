'use strict'
// A drop-in for agora-token@2.0.6's main module: the same exports, argument
// orders, defaults and quirks (docs/compat.md lists them), every token built by
// the C core through buildAccessToken.
//   const { RtcTokenBuilder, RtcRole } = require('agora-call-token/compat/agora-token')
const crypto = require('crypto')
const { invalidType } = require('../errors')
const {
  AccessToken2, ServiceRtc, ServiceRtm, ServiceRtm2, ServiceChat, ServiceFpa, ServiceApaas, ServiceConvoAI, ServiceStt,
  Rtm2Permissions
} = require('./agora-token/src/AccessToken2')

const RtcRole = { PUBLISHER: 1, SUBSCRIBER: 2 }

// An RTC service as the official fills it: join always; publish audio, video and
// data only for a role loosely equal (==) to PUBLISHER, so '1' counts and
// anything else (2, 0, undefined, 'publisher') is join-only.
function rtcService(channelName, account, publisher, join, audio, video, data) {
  const rtc = new ServiceRtc(channelName, account)
  rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, join)
  if (publisher) {
    rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, audio)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, video)
    rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, data)
  }
  return rtc
}

function rtmService(userId, login) {
  const rtm = new ServiceRtm(userId)
  rtm.add_privilege(ServiceRtm.kPrivilegeLogin, login)
  return rtm
}

function build(appId, appCertificate, issueTs, expire, services) {
  const token = new AccessToken2(appId, appCertificate, issueTs, expire)
  for (const service of services) token.add_service(service)
  return token.build()
}

class RtcTokenBuilder {
  static buildTokenWithUid(appId, appCertificate, channelName, uid, role, tokenExpire, privilegeExpire = 0) {
    return RtcTokenBuilder.buildTokenWithUserAccount(appId, appCertificate, channelName, uid, role, tokenExpire,
      privilegeExpire)
  }

  static buildTokenWithUserAccount(appId, appCertificate, channelName, account, role, tokenExpire, privilegeExpire = 0) {
    const p = privilegeExpire
    // eslint-disable-next-line eqeqeq
    return build(appId, appCertificate, 0, tokenExpire, [rtcService(channelName, account, role == RtcRole.PUBLISHER, p, p, p, p)])
  }

  static buildTokenWithUidAndPrivilege(appId, appCertificate, channelName, uid, tokenExpire, joinChannelPrivilegeExpire,
    pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire) {
    return RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege(appId, appCertificate, channelName, uid, tokenExpire,
      joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire)
  }

  // The capital B is the official name.
  static BuildTokenWithUserAccountAndPrivilege(appId, appCertificate, channelName, account, tokenExpire,
    joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire) {
    return build(appId, appCertificate, 0, tokenExpire, [rtcService(channelName, account, true, joinChannelPrivilegeExpire,
      pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire)])
  }

  static buildTokenWithRtm(appId, appCertificate, channelName, account, role, tokenExpire, privilegeExpire = 0) {
    const p = privilegeExpire
    // eslint-disable-next-line eqeqeq
    return build(appId, appCertificate, 0, tokenExpire, [rtcService(channelName, account, role == RtcRole.PUBLISHER, p, p, p, p),
      rtmService(account, tokenExpire)])
  }

  static buildTokenWithRtm2(appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire,
    joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire,
    rtmUserId, rtmTokenExpire) {
    return build(appId, appCertificate, 0, rtcTokenExpire, [
      // eslint-disable-next-line eqeqeq
      rtcService(channelName, rtcAccount, rtcRole == RtcRole.PUBLISHER, joinChannelPrivilegeExpire,
        pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire),
      rtmService(rtmUserId, rtmTokenExpire)])
  }
}

// RTC + RTM + one privilege-less service (ConvoAI 9 or STT 10). Unlike the RTC
// builders, these compare the role strictly (===): only the number 1 publishes.
function rtcRtmPlus(extra, appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire,
  joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire,
  rtmUserId, rtmTokenExpire) {
  return build(appId, appCertificate, 0, rtcTokenExpire, [
    rtcService(channelName, rtcAccount, rtcRole === RtcRole.PUBLISHER, joinChannelPrivilegeExpire,
      pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire),
    rtmService(rtmUserId, rtmTokenExpire),
    extra])
}

class ConvoAITokenBuilder {
  static buildToken(appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire, joinChannelPrivilegeExpire,
    pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire, rtmUserId, rtmTokenExpire) {
    return rtcRtmPlus(new ServiceConvoAI(), appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire,
      joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire,
      rtmUserId, rtmTokenExpire)
  }
}

class SttTokenBuilder {
  static buildToken(appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire, joinChannelPrivilegeExpire,
    pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire, rtmUserId, rtmTokenExpire) {
    return rtcRtmPlus(new ServiceStt(), appId, appCertificate, channelName, rtcAccount, rtcRole, rtcTokenExpire,
      joinChannelPrivilegeExpire, pubAudioPrivilegeExpire, pubVideoPrivilegeExpire, pubDataStreamPrivilegeExpire,
      rtmUserId, rtmTokenExpire)
  }
}

class RtmTokenBuilder {
  static buildToken(appId, appCertificate, userId, expire) {
    return build(appId, appCertificate, null, expire, [rtmService(userId, expire)])
  }

  static buildTokenWithPermissions(appId, appCertificate, userId, permissions, expire) {
    const rtm2 = new ServiceRtm2(userId, permissions)
    rtm2.add_privilege(ServiceRtm2.kPrivilegeLogin, expire)
    return build(appId, appCertificate, null, expire, [rtm2])
  }
}

class ChatTokenBuilder {
  static buildUserToken(appId, appCertificate, userUuid, expire) {
    const chat = new ServiceChat(userUuid)
    chat.add_privilege(ServiceChat.kPrivilegeUser, expire)
    return build(appId, appCertificate, null, expire, [chat])
  }

  static buildAppToken(appId, appCertificate, expire) {
    const chat = new ServiceChat()
    chat.add_privilege(ServiceChat.kPrivilegeApp, expire)
    return build(appId, appCertificate, null, expire, [chat])
  }
}

class FpaTokenBuilder {
  // 24 hours, the login privilege 0 ("as long as the token").
  static buildToken(appId, appCertificate) {
    const fpa = new ServiceFpa()
    fpa.add_privilege(ServiceFpa.kPrivilegeLogin, 0)
    return build(appId, appCertificate, 0, 24 * 3600, [fpa])
  }
}

// The Chat user id of an APaaS room-user token: the lowercase hex MD5 (the `md5`
// package's) of the user uuid: a string's UTF-8 bytes, a Buffer's bytes. Other
// values go through toString() and each character's numeric value becomes a byte
// (what `md5` does with them); of those only 0 yields a token (its APaaS and RTM
// user ids are then ''), any other number is refused later, as by the official.
function chatUserId(userUuid) {
  if (userUuid === null || userUuid === undefined) throw invalidType('userUuid', 'of type string', userUuid)
  let bytes
  if (typeof userUuid === 'string' || Object.prototype.toString.call(userUuid) === '[object String]') {
    const s = String(userUuid)
    encodeURIComponent(s) // a lone surrogate throws URIError here, as in `md5`
    bytes = Buffer.from(s, 'utf8')
  } else if (Buffer.isBuffer(userUuid) || userUuid instanceof Uint8Array) {
    bytes = userUuid
  } else {
    bytes = Buffer.from(String(userUuid).split('').map((c) => Number(c) & 0xff))
  }
  return crypto.createHash('md5').update(bytes).digest('hex')
}

// ApaasTokenBuilder and EducationTokenBuilder are the same builder under two names.
function apaasBuilder() {
  return class {
    // APaaS (no privileges, role as given with 0 -> -1) + RTM login + Chat user md5(userUuid).
    static buildRoomUserToken(appId, appCertificate, roomUuid, userUuid, role, expire) {
      const chatId = chatUserId(userUuid)
      const chat = new ServiceChat(chatId)
      chat.add_privilege(ServiceChat.kPrivilegeUser, expire)
      return build(appId, appCertificate, 0, expire, [new ServiceApaas(roomUuid, userUuid, role),
        rtmService(userUuid, expire), chat])
    }

    static buildUserToken(appId, appCertificate, userUuid, expire) {
      const apaas = new ServiceApaas('', userUuid)
      apaas.add_privilege(ServiceApaas.PRIVILEGE_USER, expire)
      return build(appId, appCertificate, 0, expire, [apaas])
    }

    static buildAppToken(appId, appCertificate, expire) {
      const apaas = new ServiceApaas()
      apaas.add_privilege(ServiceApaas.PRIVILEGE_APP, expire)
      return build(appId, appCertificate, 0, expire, [apaas])
    }
  }
}
const ApaasTokenBuilder = apaasBuilder()
Object.defineProperty(ApaasTokenBuilder, 'name', { value: 'ApaasTokenBuilder' })
const EducationTokenBuilder = apaasBuilder()
Object.defineProperty(EducationTokenBuilder, 'name', { value: 'EducationTokenBuilder' })

module.exports = {
  ApaasTokenBuilder,
  ChatTokenBuilder,
  ConvoAITokenBuilder,
  EducationTokenBuilder,
  FpaTokenBuilder,
  RtcRole,
  RtcTokenBuilder,
  RtmTokenBuilder,
  Rtm2Permissions,
  SttTokenBuilder
}
