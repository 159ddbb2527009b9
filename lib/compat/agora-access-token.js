'use strict'
// A drop-in for agora-access-token@2.0.4's main module (legacy "006" tokens): the
// same exports, argument orders and quirks (docs/compat.md), every token built by
// the C core through buildLegacyToken.
//   const { RtcTokenBuilder, RtcRole } = require('agora-call-token/compat/agora-access-token')
const { AccessToken, priviledges } = require('./agora-access-token/src/AccessToken')

// ATTENDEE and ADMIN are deprecated and get the publisher's privileges.
const RtcRole = { ATTENDEE: 0, PUBLISHER: 1, SUBSCRIBER: 2, ADMIN: 101 }
const RtmRole = { Rtm_User: 1 }

class RtcTokenBuilder {
  // privilegeExpiredTs is an absolute unix time (0: no expiry of its own); the token's ts is now + 24 h.
  static buildTokenWithUid(appID, appCertificate, channelName, uid, role, privilegeExpiredTs) {
    return RtcTokenBuilder.buildTokenWithAccount(appID, appCertificate, channelName, uid, role, privilegeExpiredTs)
  }

  static buildTokenWithAccount(appID, appCertificate, channelName, account, role, privilegeExpiredTs) {
    const key = new AccessToken(appID, appCertificate, channelName, account)
    key.addPriviledge(priviledges.kJoinChannel, privilegeExpiredTs)
    // Loose (==) like the official: '' and false equal ATTENDEE (0) and so publish too.
    // eslint-disable-next-line eqeqeq
    if (role == RtcRole.ATTENDEE || role == RtcRole.PUBLISHER || role == RtcRole.ADMIN) {
      key.addPriviledge(priviledges.kPublishAudioStream, privilegeExpiredTs)
      key.addPriviledge(priviledges.kPublishVideoStream, privilegeExpiredTs)
      key.addPriviledge(priviledges.kPublishDataStream, privilegeExpiredTs)
    }
    return key.build()
  }
}

class RtmTokenBuilder {
  // The account goes where the channel name would be, the uid is '' and `role` is ignored.
  static buildToken(appID, appCertificate, account, role, privilegeExpiredTs) {
    const key = new AccessToken(appID, appCertificate, account, '')
    key.addPriviledge(priviledges.kRtmLogin, privilegeExpiredTs)
    return key.build()
  }
}

module.exports = { RtcTokenBuilder, RtcRole, RtmTokenBuilder, RtmRole }
