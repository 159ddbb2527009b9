// Types for agora-call-token/compat/agora-access-token/src/AccessToken (agora-access-token@2.0.4's src/AccessToken).

export declare const version: '006'

export declare const priviledges: {
  kJoinChannel: 1
  kPublishAudioStream: 2
  kPublishVideoStream: 3
  kPublishDataStream: 4
  kPublishAudiocdn: 5
  kPublishVideoCdn: 6
  kRequestPublishAudioStream: 7
  kRequestPublishVideoStream: 8
  kRequestPublishDataStream: 9
  kInvitePublishAudioStream: 10
  kInvitePublishVideoStream: 11
  kInvitePublishDataStream: 12
  kAdministrateChannel: 101
  kRtmLogin: 1000
}

export declare class AccessToken {
  constructor(appID?: string, appCertificate?: string, channelName?: string, uid?: string | number)
  appID: string
  appCertificate: string
  channelName: string
  /** The uid as signed: a number as its decimal string, 0 as ''. */
  uid: string
  /** One per process, like the official's. */
  salt: number
  /** The token's expiry, absolute unix seconds (now + 24 h). */
  ts: number
  /** Privilege key -> absolute unix seconds. */
  messages: Record<number, number>
  signature?: Uint8Array
  crc_channel_name?: number
  crc_uid?: number
  m?: Uint8Array
  addPriviledge(priviledge: number, expireTimestamp: number): void
  build(): string
  fromString(originToken: string): boolean
}
