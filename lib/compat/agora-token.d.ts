// Types for agora-call-token/compat/agora-token: a drop-in for agora-token@2.0.6.
// Times are seconds after the token's issue time (0: as long as the token).
// Every builder returns '' when the app id or certificate is not 32 hex digits.

/** A user id or account: a number is written as its decimal string, 0 as '' (any user). */
type Account = string | number

export interface Rtm2PermissionDetails {
  details: { [resourceType: number]: { [permissionType: number]: string[] } }
}

/** RTM2 resource-level permissions. */
export declare class Rtm2Permissions implements Rtm2PermissionDetails {
  static readonly kMessageChannels: 0
  static readonly kStreamChannels: 1
  static readonly kGroupChannels: 2
  static readonly kServerGroups: 3
  static readonly kUsers: 4
  static readonly kRead: 0
  static readonly kWrite: 1
  details: { [resourceType: number]: { [permissionType: number]: string[] } }
  /** Adds or replaces the resources of one resource type and permission type. */
  add(resourceType: number, permissionType: number, resources: Iterable<string> | ArrayLike<string>): void
}

export declare const RtcRole: { PUBLISHER: number; SUBSCRIBER: number }

export declare class RtcTokenBuilder {
  /** Role == RtcRole.PUBLISHER (loosely: '1' too) gets join + publish; any other role join only. */
  static buildTokenWithUid(appId: string, appCertificate: string, channelName: string, uid: Account, role: number,
    tokenExpire: number, privilegeExpire?: number): string
  static buildTokenWithUserAccount(appId: string, appCertificate: string, channelName: string, account: Account,
    role: number, tokenExpire: number, privilegeExpire?: number): string
  static buildTokenWithUidAndPrivilege(appId: string, appCertificate: string, channelName: string, uid: Account,
    tokenExpire: number, joinChannelPrivilegeExpire: number, pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number, pubDataStreamPrivilegeExpire: number): string
  static BuildTokenWithUserAccountAndPrivilege(appId: string, appCertificate: string, channelName: string,
    account: Account, tokenExpire: number, joinChannelPrivilegeExpire: number, pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number, pubDataStreamPrivilegeExpire: number): string
  /** RTC as buildTokenWithUserAccount plus an RTM login (for tokenExpire) for the same account (a string). */
  static buildTokenWithRtm(appId: string, appCertificate: string, channelName: string, account: string, role: number,
    tokenExpire: number, privilegeExpire?: number): string
  static buildTokenWithRtm2(appId: string, appCertificate: string, channelName: string, rtcAccount: Account,
    rtcRole: number, rtcTokenExpire: number, joinChannelPrivilegeExpire: number, pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number, pubDataStreamPrivilegeExpire: number, rtmUserId: string,
    rtmTokenExpire: number): string
}

/** RTC + RTM + ConvoAI. rtcRole is compared strictly: only the number 1 publishes. */
export declare class ConvoAITokenBuilder {
  static buildToken(appId: string, appCertificate: string, channelName: string, rtcAccount: Account, rtcRole: number,
    rtcTokenExpire: number, joinChannelPrivilegeExpire: number, pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number, pubDataStreamPrivilegeExpire: number, rtmUserId: string,
    rtmTokenExpire: number): string
}

/** RTC + RTM + STT. rtcRole is compared strictly: only the number 1 publishes. */
export declare class SttTokenBuilder {
  static buildToken(appId: string, appCertificate: string, channelName: string, rtcAccount: Account, rtcRole: number,
    rtcTokenExpire: number, joinChannelPrivilegeExpire: number, pubAudioPrivilegeExpire: number,
    pubVideoPrivilegeExpire: number, pubDataStreamPrivilegeExpire: number, rtmUserId: string,
    rtmTokenExpire: number): string
}

export declare class RtmTokenBuilder {
  /** userId must be a string: a number other than 0 throws a TypeError, as in agora-token. */
  static buildToken(appId: string, appCertificate: string, userId: string, expire: number): string
  static buildTokenWithPermissions(appId: string, appCertificate: string, userId: Account,
    permissions: Rtm2PermissionDetails | null | undefined, expire: number): string
}

export declare class ChatTokenBuilder {
  static buildUserToken(appId: string, appCertificate: string, userUuid: string, expire: number): string
  static buildAppToken(appId: string, appCertificate: string, expire: number): string
}

export declare class FpaTokenBuilder {
  /** A 24-hour FPA login token. */
  static buildToken(appId: string, appCertificate: string): string
}

export declare class ApaasTokenBuilder {
  /** APaaS (role 0 is written as -1) + RTM login + Chat user md5(userUuid). */
  static buildRoomUserToken(appId: string, appCertificate: string, roomUuid: string, userUuid: string, role: number,
    expire: number): string
  static buildUserToken(appId: string, appCertificate: string, userUuid: string, expire: number): string
  static buildAppToken(appId: string, appCertificate: string, expire: number): string
}

/** The same builder as ApaasTokenBuilder. */
export declare class EducationTokenBuilder {
  static buildRoomUserToken(appId: string, appCertificate: string, roomUuid: string, userUuid: string, role: number,
    expire: number): string
  static buildUserToken(appId: string, appCertificate: string, userUuid: string, expire: number): string
  static buildAppToken(appId: string, appCertificate: string, expire: number): string
}
