'use strict'

/**
 * agora-call-token/express
 *
 * An Express router that hands an Agora RTC token to an authenticated user for
 * a conversation they belong to. The conversation id is the Agora channel name.
 *
 *   const { createCallTokenRouter } = require('agora-call-token/express');
 *   app.use('/api/call', createCallTokenRouter({
 *     appId, appCertificate,
 *     findConversation: id => Conversation.findById(id).lean(),
 *   }));
 *   // POST /api/call/token  { "channelName": "<conversation id>" }
 *
 * express is an optional peer dependency: it is loaded here only, never by the
 * main module.
 */

const act = require('./index')
const { snapshot, hex32, integer } = require('./check')
const { userKey, conversationKey, isParticipant } = require('./identity')
const { positiveInt } = require('./call/options')
const { MAX_EXPIRY } = require('./rtc')

let express
try {
  express = require('express')
} catch (e) {
  const err = new Error('agora-call-token/express needs the "express" package (npm install express)')
  err.code = 'ERR_MODULE_NOT_FOUND'
  err.cause = e
  throw err
}

const MAX_UID = 0xffffffff

function argError(Ctor, code, message) {
  const err = new Ctor(message)
  err.code = code
  return err
}

function normalizeRole(role) {
  if (role === undefined || role === 'publisher' || role === act.RtcRole.PUBLISHER) return 'publisher'
  if (role === 'subscriber' || role === act.RtcRole.SUBSCRIBER) return 'subscriber'
  throw argError(TypeError, 'ERR_INVALID_ARG_VALUE',
    'options.role must be "publisher", "subscriber", RtcRole.PUBLISHER (1) or RtcRole.SUBSCRIBER (2)')
}

function validateOptions(input) {
  if (input === null || typeof input !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object')
  }
  // One read of the caller's own properties: no getters, proxies or polluted prototype after this.
  const options = snapshot('options', input)
  const { appId, appCertificate, findConversation, getUserId, identity = 'account', uidFor, onError } = options
  // The same checks as buildRtcToken's; neither value is ever echoed.
  hex32('options.appId', appId)
  hex32('options.appCertificate', appCertificate, true)
  if (typeof findConversation !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.findConversation must be a function (id) => conversation | null')
  }
  if (getUserId !== undefined && typeof getUserId !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.getUserId must be a function (req) => userId')
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.onError must be a function (err, req) => void')
  }
  const expiresIn = options.expiresIn === undefined ? 3600 : integer('options.expiresIn', options.expiresIn, 1, MAX_EXPIRY)
  const role = normalizeRole(options.role)
  const lookupTimeoutMs = positiveInt(options.lookupTimeoutMs, 'options.lookupTimeoutMs', 5000)
  if (identity !== 'account' && identity !== 'uid') {
    throw argError(TypeError, 'ERR_INVALID_ARG_VALUE', 'options.identity must be "account" or "uid"')
  }
  if (identity === 'uid' && typeof uidFor !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uidFor must be a function (userId, req) => uid when identity is "uid"')
  }
  if (identity === 'account' && uidFor !== undefined && typeof uidFor !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uidFor must be a function')
  }
  return {
    appId,
    appCertificate,
    findConversation,
    getUserId: getUserId || defaultGetUserId,
    expiresIn,
    role,
    identity,
    uidFor,
    onError: onError || defaultOnError,
    lookupTimeoutMs
  }
}

function defaultGetUserId(req) {
  return req.user?.id ?? req.user?._id
}

function defaultOnError(err) {
  // The error comes from the application's own callbacks or a token build; the
  // certificate is never part of it.
  console.error('[agora-call-token] call token request failed:', err && err.stack ? err.stack : err)
}

/** An error of the body parser: the client's fault, mapped by its type. */
class BodyError extends Error {
  constructor(cause) {
    super('request body')
    this.cause = cause
  }
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

function sendError(res, status, code, message) {
  res.set('Cache-Control', 'no-store')
  res.status(status).json({ error: { code, message } })
}

const FORBIDDEN_MESSAGE = 'You are not a participant of this conversation'

/**
 * @param {object} options
 * @param {string} options.appId 32 hex
 * @param {string} options.appCertificate 32 hex (never logged or returned)
 * @param {(id: string, userId: string) => any} options.findConversation conversation (with `participants`)
 *   or null; may be async. userId is the canonical user key: `(id, userId) => Conversation.findOne({ _id: id,
 *   participants: userId })` answers "exists and has this member" in one query.
 * @param {number} [options.lookupTimeoutMs=5000] findConversation not settled by then: 503 LOOKUP_TIMEOUT
 * @param {(req) => any} [options.getUserId] default req.user?.id ?? req.user?._id; may be async
 * @param {number} [options.expiresIn=3600] seconds, 1..86400
 * @param {'publisher'|'subscriber'|1|2} [options.role='publisher']
 * @param {'account'|'uid'} [options.identity='account']
 * @param {(userId: string, req) => number} [options.uidFor] required for identity 'uid'; 1..2^32-1; may be async
 * @param {(err, req) => void} [options.onError] receives server faults (default console.error)
 * @returns {import('express').Router}
 */
function createCallTokenRouter(options) {
  const opts = validateOptions(options)
  const router = express.Router()
  // Skips by itself when an application-level parser already read the body.
  const jsonParser = express.json({ limit: '16kb' })

  function fault(err, req) {
    try {
      opts.onError(err, req)
    } catch (_) {
      // a logger that throws must not take the request down
    }
  }

  /** fn() within lookupTimeoutMs: past it, 503 LOOKUP_TIMEOUT (so no request is held forever). */
  async function bounded(what, fn) {
    let timer
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new HttpError(503, 'LOOKUP_TIMEOUT', `The ${what} could not be looked up in time`)),
        opts.lookupTimeoutMs)
    })
    try {
      return await Promise.race([Promise.resolve().then(fn), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async function authenticate(req, res, next) {
    res.set('Cache-Control', 'no-store')
    let userId
    try {
      userId = await bounded('user', () => opts.getUserId(req))
    } catch (err) {
      fault(err, req)
      if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message)
      return sendError(res, 500, 'INTERNAL', 'Internal server error')
    }
    if (userId === null || userId === undefined || userId === '') {
      return sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required')
    }
    let account = null
    try {
      account = userKey(userId)
    } catch (_) {
      // a user id whose getter throws is no user id
    }
    if (account === null) {
      fault(new TypeError('getUserId returned a value that is not a usable user id'), req)
      return sendError(res, 500, 'INTERNAL', 'Internal server error')
    }
    res.locals.agoraCallUser = { userId, account }
    next()
  }

  /** findConversation(id, userId) within lookupTimeoutMs; a mongoose CastError means "no such id". */
  async function lookup(id, account) {
    try {
      return await bounded('conversation', () => opts.findConversation(id, account))
    } catch (err) {
      if (err && err.name === 'CastError') return null
      if (err instanceof HttpError) throw err
      // Anything else is a server fault, whatever its shape (undefined, an http-errors object, ...).
      throw err instanceof Error ? err : Object.assign(new Error('findConversation rejected with a non-Error'), { cause: err })
    }
  }

  async function issueToken(req, res) {
    const { account } = res.locals.agoraCallUser
    const body = req.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'INVALID_BODY', 'Expected a JSON object body like {"channelName": "<conversation id>"}')
    }
    // The user comes from the session only: any userId in the body is ignored.
    const hasChannel = body.channelName !== undefined && body.channelName !== null
    const hasConversation = body.conversationId !== undefined && body.conversationId !== null
    if (!hasChannel && !hasConversation) {
      throw new HttpError(400, 'MISSING_CHANNEL_NAME', 'channelName (or conversationId) is required')
    }
    if (hasChannel && hasConversation && body.channelName !== body.conversationId &&
        !(typeof body.channelName === 'string' && typeof body.conversationId === 'string' &&
          userKey(body.channelName) === userKey(body.conversationId))) {
      throw new HttpError(400, 'INVALID_BODY', 'channelName and conversationId differ')
    }
    const channelName = hasChannel ? body.channelName : body.conversationId
    if (typeof channelName !== 'string' || !act.isValidChannelName(channelName)) {
      throw new HttpError(400, 'INVALID_CHANNEL_NAME',
        'channelName must be 1 to 64 bytes of letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,')
    }

    const conversation = await lookup(channelName, account)
    // Unknown conversation and non-member answer the same, so ids cannot be probed.
    if (!conversation || !isParticipant(conversation, account)) {
      throw new HttpError(403, 'FORBIDDEN', FORBIDDEN_MESSAGE)
    }
    // The channel is the record's own id, never the spelling the client sent:
    // every member of one conversation gets the same channel.
    const channel = conversationKey(conversation, channelName)
    if (!act.isValidChannelName(channel)) {
      throw new Error('the conversation id is not a valid Agora channel name')
    }

    const issuedAt = Math.floor(Date.now() / 1000)
    const params = {
      appId: opts.appId,
      appCertificate: opts.appCertificate,
      channelName: channel,
      role: opts.role,
      expiresIn: opts.expiresIn,
      issuedAt
    }
    const result = { token: undefined, appId: opts.appId, channelName: channel }
    if (opts.identity === 'uid') {
      const uid = await bounded('uid', () => opts.uidFor(account, req))
      // uid 0 would be a wildcard token usable by anyone in the channel: refuse it.
      if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) {
        const err = new RangeError('uidFor returned a value that is not an integer from 1 to 2^32-1')
        err.code = 'ERR_OUT_OF_RANGE'
        throw err
      }
      params.uid = uid
      result.uid = uid
    } else {
      params.account = account
      result.account = account
    }

    let token
    try {
      token = act.buildRtcToken(params)
    } catch (err) {
      fault(err, req)
      throw new HttpError(500, 'TOKEN_BUILD_FAILED', 'Could not build a call token for this user and channel')
    }
    result.token = token
    result.expiresAt = issuedAt + opts.expiresIn
    res.set('Cache-Control', 'no-store')
    res.status(200).json(result)
  }

  // Errors of the body parser are tagged, so that only they map to 4xx.
  const parseBody = (req, res, next) => jsonParser(req, res, err => next(err ? new BodyError(err) : undefined))

  router.post('/token', authenticate, parseBody, async (req, res, next) => {
    try {
      await issueToken(req, res)
    } catch (err) {
      next(err)
    }
  })

  // Errors from the body parser and the handler above; always JSON, never a secret.

  router.use((err, req, res, next) => {
    if (res.headersSent) return next(err)
    if (err instanceof HttpError) {
      if (err.status >= 500) fault(err, req)
      return sendError(res, err.status, err.code, err.message)
    }
    if (!(err instanceof BodyError)) {
      fault(err, req)
      return sendError(res, 500, 'INTERNAL', 'Internal server error')
    }
    const cause = err.cause
    switch (cause && cause.type) {
      case 'entity.parse.failed':
        return sendError(res, 400, 'INVALID_JSON', 'The request body is not valid JSON')
      case 'entity.too.large':
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large')
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding')
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return sendError(res, 400, 'INVALID_BODY', 'The request body could not be read')
      default:
        break
    }
    // Other client errors from the body reader (a corrupt gzip body, ...): the client's fault.
    if (cause && cause.expose && cause.status >= 400 && cause.status < 500) {
      return sendError(res, 400, 'INVALID_BODY', 'The request body could not be read')
    }
    fault(cause, req)
    return sendError(res, 500, 'INTERNAL', 'Internal server error')
  })

  return router
}

module.exports = { createCallTokenRouter }
