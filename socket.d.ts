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

export type MemberState = 'joined' | 'ringing' | 'declined' | 'left' | 'missed' | 'busy'

/** A call as stores keep it; `members` maps user keys to member states. */
export interface Call {
  callId: string
  conversationId: string
  callerId: string
  media: 'audio' | 'video'
  createdAt: number
  /** Ring deadline, ms since the epoch. */
  ringUntil: number
  answeredAt: number | null
  phase: 'ringing' | 'active'
  /** How many members are joined / ringing. */
  joined: number
  ringing: number
  members: ReadonlyMap<string, MemberState>
}

/** A copy of a call for inspection (`store.get`): members as a null-prototype object. */
export type CallRecord = Omit<Call, 'members'> & { members: Record<string, MemberState> }

/** One step's effects, in order (see lib/call/machine.js). */
export type CallEffect =
  | { type: 'member', userId: string, state: MemberState }
  | { type: 'create' }
  | { type: 'end' }
  | { type: 'emit', to: string[], event: string, data: Record<string, unknown>, echo?: boolean }
  | { type: 'timer', action: 'start' | 'clear' }
  | { type: 'members', userIds: string[], state: MemberState }
  | { type: 'ring-offline', userIds: string[], call: CallInfo }

export type CallEvent = 'accept' | 'decline' | 'end' | 'cancel' | 'disconnect' | 'offline' | 'timeout' | 'channel-gone'

export interface CallInit {
  callId: string
  conversationId: string
  callerId: string
  media: 'audio' | 'video'
  now: number
  ringTimeoutMs: number
}

export type StepResult = { call: Call | null, effects: CallEffect[], error?: undefined } | { error: string, callId?: string }

export interface SweepResult {
  /** Calls whose ring deadline has passed. */
  due: string[]
  /** Users left with no connection on a live process (their processes died). */
  gone: string[]
  /** This process had been taken for dead by another one (it registers its sockets again). */
  reaped: boolean
  /** Calls may have vanished (a new epoch: Redis restarted or went back; or reaped): check the users' calls. */
  reconcile?: boolean
  /** This process's own heartbeat had lapsed (a stall): it reaped nobody this round. */
  lapsed?: boolean
}

/**
 * The store contract: where call state lives, each method atomic (every one
 * may return a promise). A store shared by several processes implements the
 * optional members too.
 */
export interface CallStore {
  callIdOf(userId: string): string | null | Promise<string | null>
  /** A new call; refused with { error: 'ALREADY_IN_CALL', callId } when the caller is in one. */
  create(init: CallInit, others: Iterable<string>): StepResult | Promise<StepResult>
  /** One machine step on the stored call. */
  apply(callId: string, event: CallEvent, actor: string | null, now: number): StepResult | Promise<StepResult>
  get?(callId: string): CallRecord | null | Promise<CallRecord | null>
  /** Heartbeat, due ring deadlines and users of dead processes; called every sweepIntervalMs. */
  sweep?(options: { now: number, limit: number }): Promise<SweepResult>
  userConnected?(userId: string): void | Promise<void>
  /** Resolves with the sockets the user still has (on every process), or anything else to ask the adapter. */
  userDisconnected?(userId: string): number | void | Promise<number | void>
  resetPresence?(counts: Record<string, number>): void | Promise<void>
  /** The sockets the user has on every process now (asked again after a failed userDisconnected). */
  userSockets?(userId: string): number | Promise<number>
  /** The state of each [userId, callId] now, '' where the user is not in it: used to tell users of calls that vanished. */
  memberStates?(pairs: Array<[string, string]>): string[] | Promise<string[]>
  /** A process silent this long counts as dead (the sweep interval must be at most half of it). */
  readonly nodeTtlMs?: number
}

export declare class MemoryCallStore implements CallStore {
  /** maxChannelEntries: Agora channel entries one call keeps (default 10000); past it channelEvent says reason 'full'. */
  constructor(options?: { maxChannelEntries?: number })
  readonly maxChannelEntries: number
  callIdOf(userId: string): string | null
  create(init: CallInit, others: Iterable<string>): StepResult
  apply(callId: string, event: CallEvent, actor: string | null, now: number): StepResult
  get(callId: string): CallRecord | null
  readonly size: number
  clear(): void
}

/** node-redis (v4 and later: createClient or createCluster) or ioredis (Redis or Cluster). */
export type RedisLikeClient =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>, readonly masters: unknown }
  | { call(command: string, ...args: string[]): Promise<unknown> }

export interface RedisCallStoreOptions {
  /** Default '{agora-call}:'. Must contain a hash tag {...} (every key in one Redis Cluster slot). */
  prefix?: string
  /** Default 10000. */
  nodeTtlMs?: number
  /** Past it (while Redis answers nothing) an event is acked UNAVAILABLE and its script does nothing later. Default 800. */
  commandTimeoutMs?: number
  /** A call with no change for this long is dropped (its keys expire). Default 4 hours. */
  maxCallMs?: number
  /** Default a random UUID. */
  nodeId?: string
  /** Agora channel entries one call keeps. Default 10000. */
  maxChannelEntries?: number
}

/** Call state in Redis, shared by every server process (use with @socket.io/redis-adapter). */
export declare class RedisCallStore implements CallStore {
  constructor(client: RedisLikeClient, options?: RedisCallStoreOptions)
  readonly client: RedisLikeClient
  readonly prefix: string
  readonly nodeId: string
  readonly nodeTtlMs: number
  readonly commandTimeoutMs: number
  readonly maxCallMs: number
  readonly maxChannelEntries: number
  /** The current epoch of the data (a new one after Redis restarted empty or went back to an older snapshot). */
  readonly epoch: string | null
  get(callId: string): Promise<CallRecord | null>
  callIdOf(userId: string): Promise<string | null>
  create(init: CallInit, others: Iterable<string>): Promise<StepResult>
  apply(callId: string, event: CallEvent, actor: string | null, now: number): Promise<StepResult>
  sweep(options?: { now?: number, limit?: number }): Promise<SweepResult>
  userConnected(userId: string): Promise<void>
  userDisconnected(userId: string): Promise<number>
  resetPresence(counts: Record<string, number>): Promise<void>
  userSockets(userId: string): Promise<number>
  memberStates(pairs: Array<[string, string]>): Promise<string[]>
  /** Marks this process dead (its heartbeat in the past) so the others end its users' calls; the client stays open. */
  close(): Promise<void>
}

/**
 * The client as @socket.io/redis-adapter's pubClient: the adapter drops its PUBLISH/SPUBLISH
 * promises, and one that fails while Redis restarts would be an unhandled rejection that ends
 * the process. The view handles each (onError hears it) and is otherwise the client itself.
 */
export declare function guardPublisher<T extends object>(client: T, options?: { onError?(err: unknown): void }): T

export interface CallSignalingOptions {
  /**
   * The conversation (with `participants`) or null. userId is the caller's canonical key:
   * `(id, userId) => Conversation.findOne({ _id: id, participants: userId }).lean()` is the recommended form.
   */
  findConversation(id: string, userId: string): unknown | Promise<unknown>
  /** findConversation not settled by then: the ack is LOOKUP_TIMEOUT. Default 5000. */
  lookupTimeoutMs?: number
  /** call:start attempts per user and window; false turns it off. Default { max: 20, windowMs: 60000 }. */
  ringRateLimit?: { max?: number, windowMs?: number } | false
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
  /** Media presence from Agora's channel events (feed them to `channelEvent`). */
  channelEvents?: boolean | ChannelEventsOptions
  /** Once per call (across processes with Redis), when it has ended. */
  onCallEnded?(record: CallHistoryRecord): void | Promise<void>
  /** Rung members with no socket on any process (at the start, and when a ringing member's last socket drops). */
  onRingOffline?(info: { call: CallInfo, userIds: string[] }): void | Promise<void>
  /** With onRingOffline: 'keep' (default) a ringing member whose last socket drops rings on; 'decline' they decline. */
  ringingOffline?: 'keep' | 'decline'
  /** A member joined in signaling who has not appeared in the channel joinTimeoutMs later. */
  onMediaAbsent?(info: { call: CallInfo, userId: string, joinedAt: number, waitedMs: number }): void | Promise<void>
}

export interface ChannelEventsOptions {
  /** Default 20000. */
  joinTimeoutMs?: number
  /** How long an ended call waits for its channel to empty before its record is written. Default 15000. */
  settleMs?: number
  /** Channel events up to this long before the call's start still count. Default 5000. */
  skewMs?: number
  /** The user of an event; default its string `account`. */
  userOf?(event: { uid: number | null, account: string | null, channelName: string | null }): string | null
}

export interface CallInfo {
  callId: string
  conversationId: string
  callerId: string
  media: 'audio' | 'video'
}

export type CallOutcome = 'completed' | 'missed' | 'declined' | 'cancelled' | 'busy' | 'failed'

export interface CallHistoryRecord {
  callId: string
  conversationId: string
  media: 'audio' | 'video'
  startedBy: string
  startedAt: number
  answeredAt: number | null
  endedAt: number
  durationMs: number
  timing: 'media' | 'signaling'
  outcome: CallOutcome
  endReason: string | null
  endedBy: string | null
  signaling: { answeredAt: number | null, endedAt: number, durationMs: number }
  participants: Array<{
    userId: string
    role: 'caller' | 'callee'
    state: string
    joinedAt: number | null
    leftAt: number | null
    media: { joinedAt: number | null, leftAt: number | null, sessions: Array<[number, number]> } | null
  }>
}

export interface CallSignaling {
  store: CallStore
  /** A typed Agora channel event (from agora-call-token/webhooks' onEvent, or any source). */
  channelEvent(event: object): Promise<{ applied: boolean, callId?: string, reason?: string, changes?: Array<{ userId: string, state: 'joined' | 'left', at: number }> }>
  close(): void
}

export declare function attachCallSignaling(io: Server | Namespace, options: CallSignalingOptions): CallSignaling
