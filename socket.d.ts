// Types for 'agora-call-token/socket'.
import type { Server, Namespace, Socket } from 'socket.io'
import type { UserIdLike } from './index'

export interface Conversation {
  _id?: unknown
  id?: unknown
  participants: readonly unknown[]
}

export interface NotifyOptions {
  /** Room name for a user id; default the id string. */
  room?(userId: string): string
}

/** Emits `incoming-call { ...payload, conversationId, from }` to every other participant; returns their ids. */
export declare function notifyIncomingCall(
  io: Server | Namespace,
  conversation: Conversation,
  fromUserId: UserIdLike,
  payload?: Record<string, unknown>,
  options?: NotifyOptions
): string[]

export type MemberState = 'joined' | 'ringing' | 'declined' | 'left' | 'missed'

export interface CallRecord {
  callId: string
  conversationId: string
  callerId: string
  media: 'audio' | 'video'
  createdAt: number
  /** Ring deadline, ms since the epoch. */
  ringUntil?: number
  state: 'ringing' | 'active'
  members: Record<string, MemberState>
}

/** The four store operations; every one may return a promise. */
export interface CallStoreOps {
  get(callId: string): CallRecord | null | Promise<CallRecord | null>
  save(call: CallRecord): void | Promise<void>
  delete(callId: string): void | Promise<void>
  callIdOf(userId: string): string | null | Promise<string | null>
}

export interface SweepResult {
  /** Calls whose ring deadline has passed. */
  due: string[]
  /** Users left with no connection on a live process (their processes died). */
  gone: string[]
  /** This process had been taken for dead by another one (it registers its sockets again). */
  reaped: boolean
}

/**
 * Where call state lives. Without transaction(), changes run one at a time in
 * this process (one process only). A store shared by several processes
 * implements the optional members.
 */
export interface CallStore extends CallStoreOps {
  /** Runs fn atomically; may run it again after a conflict, so fn only touches tx. */
  transaction?<T>(fn: (tx: CallStoreOps) => Promise<T>): Promise<T>
  /** Heartbeat, due ring deadlines and users of dead processes; called every sweepIntervalMs. */
  sweep?(options: { now: number, limit: number }): Promise<SweepResult>
  userConnected?(userId: string): void | Promise<void>
  /** Resolves with the sockets the user still has (on every process), or anything else to ask the adapter. */
  userDisconnected?(userId: string): number | void | Promise<number | void>
  resetPresence?(counts: Record<string, number>): void | Promise<void>
  /** A process silent this long counts as dead (the sweep interval must be at most half of it). */
  readonly nodeTtlMs?: number
}

export declare class MemoryCallStore implements CallStore {
  get(callId: string): CallRecord | null
  save(call: CallRecord): void
  delete(callId: string): void
  callIdOf(userId: string): string | null
  readonly size: number
  clear(): void
}

/** Anything with node-redis's sendCommand (redis v4 and later) or ioredis's call. */
export type RedisLikeClient =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { call(command: string, ...args: string[]): Promise<unknown> }

export interface RedisCallStoreOptions {
  /** Default '{agora-call}:' (a hash tag: one Redis Cluster slot, as the scripts need). */
  prefix?: string
  /** Default 10000. */
  nodeTtlMs?: number
  /** Default a random UUID. */
  nodeId?: string
  /** Conflicts tolerated per change, default 100. */
  maxRetries?: number
}

/** Call state in Redis, shared by every server process (use with @socket.io/redis-adapter). */
export declare class RedisCallStore implements CallStore {
  constructor(client: RedisLikeClient, options?: RedisCallStoreOptions)
  readonly client: RedisLikeClient
  readonly prefix: string
  readonly nodeId: string
  readonly nodeTtlMs: number
  readonly maxRetries: number
  get(callId: string): Promise<CallRecord | null>
  save(call: CallRecord): Promise<void>
  delete(callId: string): Promise<void>
  callIdOf(userId: string): Promise<string | null>
  transaction<T>(fn: (tx: CallStoreOps) => Promise<T>): Promise<T>
  sweep(options?: { now?: number, limit?: number }): Promise<SweepResult>
  userConnected(userId: string): Promise<void>
  userDisconnected(userId: string): Promise<number>
  resetPresence(counts: Record<string, number>): Promise<void>
  /** Drops this process's heartbeat so the others end its users' calls; the client stays open. */
  close(): Promise<void>
}

export interface CallSignalingOptions {
  findConversation(id: string): unknown | Promise<unknown>
  /** Default `socket.data.userId`. */
  getUserId?(socket: Socket): UserIdLike | null | undefined
  /** Default 30000. */
  ringTimeoutMs?: number
  room?(userId: string): string
  store?: CallStore
  /** Shared stores: how often this process sweeps; default ringTimeoutMs / 4 and nodeTtlMs / 4, within 50..1000. */
  sweepIntervalMs?: number
  generateCallId?(): string
  onError?(err: unknown): void
}

export interface CallSignaling {
  store: CallStore
  close(): void
}

export declare function attachCallSignaling(io: Server | Namespace, options: CallSignalingOptions): CallSignaling
