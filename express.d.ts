// Types for 'agora-call-token/express'.
import type { Router, Request } from 'express'
import type { UserIdLike } from './index'

export interface CallTokenRouterOptions {
  /** 32 hexadecimal characters. */
  appId: string
  /** 32 hexadecimal characters; never logged or returned. */
  appCertificate: string
  /**
   * The conversation (with `participants`) or null. userId is the canonical user key; the recommended form
   * answers "exists and has this member" in one query: `(id, userId) => Conversation.findOne({ _id: id, participants: userId }).lean()`.
   */
  findConversation(id: string, userId: string): unknown | Promise<unknown>
  /** findConversation not settled by then: 503 LOOKUP_TIMEOUT. Default 5000. */
  lookupTimeoutMs?: number
  /** Default: `req.user?.id ?? req.user?._id`. */
  getUserId?(req: Request): UserIdLike | null | undefined | Promise<UserIdLike | null | undefined>
  /** Token lifetime in seconds, 1..86400. Default 3600. */
  expiresIn?: number
  /** Default 'publisher'. */
  role?: 'publisher' | 'subscriber' | 1 | 2
  /** 'account' (default): the user id string is the Agora account; 'uid' needs `uidFor`. */
  identity?: 'account' | 'uid'
  uidFor?(userId: string, req: Request): number | Promise<number>
  /** Receives server faults (default console.error). */
  onError?(err: unknown, req: Request): void
}

/** 200 body of POST /token. */
export interface CallTokenResponse {
  token: string
  appId: string
  channelName: string
  account?: string
  uid?: number
  /** Unix seconds. */
  expiresAt: number
}

export interface CallTokenErrorResponse {
  error: { code: string; message: string }
}

export declare function createCallTokenRouter(options: CallTokenRouterOptions): Router
