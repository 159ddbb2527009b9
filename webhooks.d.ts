// Types for 'agora-call-token/webhooks'.
import type { IncomingMessage } from 'http'

/** Names of Agora's RTC channel event types (productId 1). */
export type ChannelEventTypeName =
  | 'channel-create' // 101
  | 'channel-destroy' // 102
  | 'broadcaster-join' // 103
  | 'broadcaster-leave' // 104
  | 'audience-join' // 105
  | 'audience-leave' // 106
  | 'user-join' // 107 (communication profile)
  | 'user-leave' // 108
  | 'role-to-broadcaster' // 111
  | 'role-to-audience' // 112

/** A verified notification, typed. Fields missing from the body (or of the wrong kind) are null. */
export interface NotificationEvent {
  /** 'unknown' for other products and event types: kept, never refused. */
  type: ChannelEventTypeName | 'unknown'
  noticeId: string | null
  productId: number | null
  eventType: number | null
  /** When Agora sent this notification (ms); changes on every retry. */
  notifyMs: number | null
  sid: string | null
  channelName: string | null
  /** The numeric Agora uid (0..2^32-1). */
  uid: number | null
  /** The user account string, when Agora sends one. */
  account: string | null
  platform: number | null
  platformName: 'other' | 'android' | 'ios' | 'windows' | 'linux' | 'web' | 'macos' | null
  clientType: number | null
  /** Grows per user: orders one user's events. */
  clientSeq: number | null
  /** Leave reason code (leave events). */
  reason: number | null
  reasonName: 'other' | 'quit' | 'timeout' | 'banned' | 'server' | 'new-device' | 'multiple-ips' | 'abnormal' | null
  /** When the event happened on Agora's server, in seconds, and the same in ms. */
  ts: number | null
  tsMs: number | null
  /** Seconds in the channel (leave events). */
  duration: number | null
  /** channel-destroy: the last uid to leave. */
  lastUid: number | null
  /** The body's payload object, untouched. */
  payload: Record<string, unknown> | null
  /** The whole parsed body. */
  body: Record<string, unknown>
}

export type VerifyReason = null | 'missing-signature' | 'signature' | 'too-large' | 'not-json' | 'not-object'

export type VerifyResult =
  | { valid: true; reason: null; version: 'v2' | 'v1'; event: NotificationEvent }
  | { valid: false; reason: Exclude<VerifyReason, null>; version: 'v2' | 'v1' | null; event: null }

export type HeadersLike =
  | Record<string, string | string[] | undefined>
  | Map<string, string | string[]>
  | { get(name: string): string | null | undefined }

/**
 * Checks Agora-Signature-V2 (HMAC-SHA256; preferred) or Agora-Signature (HMAC-SHA1) against the exact
 * bytes received. Never throws for a bad body; throws typed errors for a bad secret or argument types.
 */
export declare function verifyNotification(
  rawBody: Uint8Array | ArrayBuffer | string,
  headers: HeadersLike,
  secret: string | Uint8Array
): VerifyResult

export type ClaimResult = { claimed: true; token: string } | { claimed: false; state: 'done' | 'pending' }

/** Where handled noticeIds are kept. */
export interface DedupeStore {
  claim(key: string, leaseMs: number): Promise<ClaimResult>
  complete(key: string, token: string): Promise<void>
  release(key: string, token: string): Promise<void>
}

export declare class MemoryDedupeStore implements DedupeStore {
  /** ttlMs: how long a handled noticeId is remembered (default 1 hour); max: entries kept (default 100,000). */
  constructor(options?: { ttlMs?: number; max?: number })
  readonly size: number
  claim(key: string, leaseMs: number): Promise<ClaimResult>
  complete(key: string, token: string): Promise<void>
  release(key: string, token: string): Promise<void>
}

/** Shared by several processes: SET NX PX on `${prefix}${noticeId}`. */
export declare class RedisDedupeStore implements DedupeStore {
  /** client: a connected node-redis (v4+, single or createCluster) or ioredis (Redis or Cluster) client. prefix default 'agora-ncs:notice:'. */
  /** commandTimeoutMs: a command Redis has not answered by then fails (default 2000, at most 60000). */
  constructor(options: { client: unknown; prefix?: string; ttlMs?: number; commandTimeoutMs?: number })
  claim(key: string, leaseMs: number): Promise<ClaimResult>
  complete(key: string, token: string): Promise<void>
  release(key: string, token: string): Promise<void>
}

export interface WebhookContext {
  req: IncomingMessage
  version: 'v2' | 'v1'
}

export interface WebhookRouterOptions {
  /** The NCS secret from Agora Console; never logged or returned. */
  secret: string | Uint8Array
  /** Runs once per notification; the router answers 200 once it has settled, 500 (Agora retries) if it throws. */
  onEvent(event: NotificationEvent, context: WebhookContext): void | Promise<void>
  /** true (default): in memory; false: off; or a store (RedisDedupeStore for several processes). */
  dedupe?: boolean | DedupeStore
  /** Largest body in bytes, at most limits.maxBodyBytes (1 MiB, the default). */
  limit?: number
  /** How long a claim blocks other deliveries of one notification while its handler runs (default 60,000 ms). */
  leaseMs?: number
  /** Server faults: a parser that ran first, a failing handler or store (default console.error). */
  onError?(err: unknown, req: IncomingMessage): void
}

/** An Express router (mount it with app.use(path, router), before any body parser). */
export interface WebhookRouter {
  (req: IncomingMessage, res: unknown, next: (err?: unknown) => void): void
}

export declare function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter

export declare const ChannelEventType: Readonly<Record<number, ChannelEventTypeName>>
export declare const Platform: Readonly<Record<number, string>>
export declare const LeaveReason: Readonly<Record<number, string>>
/** Which check runs: the C core through the addon, or Node's crypto. */
export declare const implementation: 'native' | 'js'
export declare const limits: Readonly<{ maxBodyBytes: number }>
