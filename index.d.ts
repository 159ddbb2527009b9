// Types for agora-call-token's main module.

export declare const RtcRole: Readonly<{ PUBLISHER: 1; SUBSCRIBER: 2 }>
export type RtcRoleValue = 1 | 2
export declare const ServiceType: Readonly<{
  RTC: 1; RTM: 2; STREAMING: 3; FPA: 4; CHAT: 5; FCDN: 6; APAAS: 7; RTM2: 8; CONVOAI: 9; STT: 10
}>

export interface RtcPrivileges {
  /** Seconds after issue that joining stays allowed (required). */
  joinChannel: number
  publishAudio?: number
  publishVideo?: number
  publishData?: number
}

interface RtcTokenOptionsBase {
  /** 32 hexadecimal characters. */
  appId: string
  /** 32 hexadecimal characters. Never appears in an error message. */
  appCertificate: string
  /** 1 to 64 characters from Agora's set; in a chat backend, the conversation id. */
  channelName: string
  /** Default 'publisher'. Cannot be combined with `privileges`. */
  role?: 'publisher' | 'subscriber' | RtcRoleValue
  /** Token lifetime in seconds, 1..86400. Default 3600. */
  expiresIn?: number
  /** Privilege lifetime in seconds, 0..86400. Default `expiresIn`. */
  privilegeExpiresIn?: number
  /** Explicit per-privilege lifetimes; replaces the role's set. */
  privileges?: RtcPrivileges
  /** Also add an RTM login for the same user, valid for `expiresIn`. */
  withRtm?: boolean
  /** Unix seconds. Default now. */
  issuedAt?: number
  /** u32. Default: a CSPRNG draw in 1..99999999. */
  salt?: number
}
export type RtcTokenOptions =
  | (RtcTokenOptionsBase & { uid: number; account?: undefined })
  | (RtcTokenOptionsBase & { account: string; uid?: undefined })

export declare function buildRtcToken(options: RtcTokenOptions): string

export type Privileges = Record<number, number>
/** RTM2 permissions: { [resourceType]: { [permissionType]: resources } } */
export type Rtm2PermissionTree = Record<number, Record<number, string[]>>

export interface ParsedService {
  type: number
  name: 'RTC' | 'RTM' | 'Streaming' | 'FPA' | 'Chat' | 'FCDN' | 'APaaS' | 'RTM2' | 'ConvoAI' | 'STT'
  privileges: Privileges
  channelName?: string
  /** RTC/Streaming/FCDN: a uid as its decimal string, uid 0 as ''. */
  account?: string
  userId?: string
  roomUuid?: string
  userUuid?: string
  role?: number
  permissions?: Rtm2PermissionTree
}

export interface ParsedToken007 {
  version: '007'
  appId: string
  issueTs: number
  expire: number
  salt: number
  /** issueTs + expire */
  expiresAt: number
  services: ParsedService[]
}

export interface ParsedToken006 {
  version: '006'
  appId: string
  crcChannelName: number
  crcUid: number
  salt: number
  ts: number
  privileges: Privileges
  expiresAt?: number
}

export type ParsedToken = ParsedToken007 | ParsedToken006

export declare function parseToken(token: string): ParsedToken

export interface VerifyOptions {
  /** Unix seconds. Default the clock. */
  now?: number
  /** "006" only: the channel name the token was made for. */
  channelName?: string
  /** "006" only: the uid (number) or account (string) the token was made for. */
  uid?: number | string
}

export interface VerifyResult {
  valid: boolean
  reason: null | 'malformed' | 'signature' | 'expired'
  token: ParsedToken | null
}

export declare function verifyToken(token: unknown, appCertificate: string, options?: VerifyOptions): VerifyResult

export interface ServiceSpec {
  type: number
  privileges?: Privileges
  channelName?: string
  uid?: number
  account?: string
  userId?: string
  roomUuid?: string
  userUuid?: string
  role?: number
  permissions?: Rtm2PermissionTree
}

export interface AccessTokenOptions {
  appId: string
  appCertificate: string
  /** Unix seconds. Default now. */
  issueTs?: number
  /** Seconds after issueTs. */
  expire: number
  salt?: number
  services: ServiceSpec[]
}
export declare function buildAccessToken(options: AccessTokenOptions): string

export interface LegacyTokenOptions {
  appId: string
  appCertificate: string
  channelName: string
  /** A number (0 = any user) or an account string. */
  uid?: number | string
  salt?: number
  /** Absolute unix seconds. Default now + 24 h. */
  ts?: number
  /** Absolute unix seconds per privilege key. */
  privileges?: Privileges
}
export declare function buildLegacyToken(options: LegacyTokenOptions): string

/** A user or participant id: a string, a bson/mongoose ObjectId, a populated document, or 12 bytes. */
export type UserIdLike = string | number | Uint8Array | { id?: unknown; _id?: unknown; toHexString?(): string }

export declare function isParticipant(
  conversationOrParticipants: readonly unknown[] | { participants: readonly unknown[] },
  userId: UserIdLike
): boolean

export declare function isValidChannelName(name: unknown): name is string

export declare const limits: Readonly<{
  maxTokenLength: number
  maxPayloadBytes: number
  maxServices: number
  maxPrivileges: number
  maxPermissions: number
}>

/** Which token engine this process got: the C addon, or the JavaScript fallback
 * (where no prebuilt binary fits and none could be compiled, or AGORA_CALL_TOKEN_IMPL=js). */
export declare const implementation: 'native' | 'js'
