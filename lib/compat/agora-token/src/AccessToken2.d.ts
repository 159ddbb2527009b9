// Types for agora-call-token/compat/agora-token/src/AccessToken2 (agora-token@2.0.6's src/AccessToken2).
import { Rtm2Permissions, Rtm2PermissionDetails } from '../../agora-token'

export { Rtm2Permissions }

export declare const kRtcServiceType: 1
export declare const kRtmServiceType: 2
export declare const kStreamingServiceType: 3
export declare const kFpaServiceType: 4
export declare const kChatServiceType: 5
export declare const kFCdnServiceType: 6
export declare const kApaasServiceType: 7
export declare const kRtm2ServiceType: 8
export declare const kConvoAIServiceType: 9
export declare const kSttServiceType: 10

export declare class Service {
  constructor(service_type: number)
  service_type(): number
  /** Seconds after the token's issue time (0: as long as the token). */
  add_privilege(privilege: number, expire: number): void
}

export declare class ServiceRtc extends Service {
  constructor(channel_name?: string, uid?: string | number)
  static readonly kPrivilegeJoinChannel: 1
  static readonly kPrivilegePublishAudioStream: 2
  static readonly kPrivilegePublishVideoStream: 3
  static readonly kPrivilegePublishDataStream: 4
}
export declare class ServiceRtm extends Service {
  constructor(user_id?: string)
  static readonly kPrivilegeLogin: 1
}
export declare class ServiceStreaming extends Service {
  constructor(channelName?: string, account?: string | number)
  static readonly kPrivilegePublishMixStream: 1
  static readonly kPrivilegePublishRawStream: 2
}
export declare class ServiceFpa extends Service {
  constructor()
  static readonly kPrivilegeLogin: 1
}
export declare class ServiceChat extends Service {
  constructor(user_id?: string)
  static readonly kPrivilegeUser: 1
  static readonly kPrivilegeApp: 2
}
export declare class ServiceFCdn extends Service {
  constructor(channelName?: string, account?: string | number)
  static readonly kPrivilegePublish: 1
  static readonly kPrivilegePlay: 2
}
export declare class ServiceApaas extends Service {
  constructor(roomUuid?: string, userUuid?: string, role?: number)
  static readonly PRIVILEGE_ROOM_USER: 1
  static readonly PRIVILEGE_USER: 2
  static readonly PRIVILEGE_APP: 3
}
export declare class ServiceRtm2 extends Service {
  constructor(userId?: string | number, permissions?: Rtm2PermissionDetails | null)
  static readonly kPrivilegeLogin: 1
}
export declare class ServiceConvoAI extends Service {
  constructor()
}
export declare class ServiceStt extends Service {
  constructor()
}

export declare class AccessToken2 {
  /** issueTs 0 / null / undefined: now. */
  constructor(appId?: string, appCertificate?: string, issueTs?: number | null, expire?: number)
  /** A Buffer (its bytes) after from_string(). */
  appId: string | Uint8Array
  appCertificate: string
  issueTs: number
  expire: number
  /** 1..99999999, from a CSPRNG; set it for a reproducible token. */
  salt: number
  services: Service[]
  static kServices: { [serviceType: number]: new () => Service }
  add_service(service: Service): void
  getServices(serviceType: number): Service[]
  /** '' when the app id or certificate is not 32 hex digits or there is no service. */
  build(): string
  from_string(origin_token: string): boolean
  verifySignature(appCertificate: string): boolean
}
