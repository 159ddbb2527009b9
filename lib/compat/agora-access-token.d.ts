// Types for agora-call-token/compat/agora-access-token: a drop-in for agora-access-token@2.0.4
// (legacy "006" tokens). Times are absolute unix seconds; the token's own expiry is now + 24 h.

export declare const RtcRole: { ATTENDEE: number; PUBLISHER: number; SUBSCRIBER: number; ADMIN: number }
export declare const RtmRole: { Rtm_User: number }

export declare class RtcTokenBuilder {
  /** uid 0 means any user. ATTENDEE, PUBLISHER and ADMIN (compared loosely) publish; others join only. */
  static buildTokenWithUid(appID: string, appCertificate: string, channelName: string, uid: number, role: number,
    privilegeExpiredTs: number): string
  static buildTokenWithAccount(appID: string, appCertificate: string, channelName: string, account: string | number,
    role: number, privilegeExpiredTs: number): string
}

export declare class RtmTokenBuilder {
  /** `role` is ignored. The account must be a string (a number throws a TypeError, as in agora-access-token). */
  static buildToken(appID: string, appCertificate: string, account: string, role: number,
    privilegeExpiredTs: number): string
}
