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
  state: 'ringing' | 'active'
  members: Record<string, MemberState>
}

/** Where call state lives; every method may return a promise (a shared store can replace it). */
export interface CallStore {
  get(callId: string): CallRecord | null | Promise<CallRecord | null>
  save(call: CallRecord): void | Promise<void>
  delete(callId: string): void | Promise<void>
  callIdOf(userId: string): string | null | Promise<string | null>
}

export declare class MemoryCallStore implements CallStore {
  get(callId: string): CallRecord | null
  save(call: CallRecord): void
  delete(callId: string): void
  callIdOf(userId: string): string | null
  readonly size: number
  clear(): void
}

export interface CallSignalingOptions {
  findConversation(id: string): unknown | Promise<unknown>
  /** Default `socket.data.userId`. */
  getUserId?(socket: Socket): UserIdLike | null | undefined
  /** Default 30000. */
  ringTimeoutMs?: number
  room?(userId: string): string
  store?: CallStore
  generateCallId?(): string
  onError?(err: unknown): void
}

export interface CallSignaling {
  store: CallStore
  close(): void
}

export declare function attachCallSignaling(io: Server | Namespace, options: CallSignalingOptions): CallSignaling
