'use strict';

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

const act = require('./index');
const { snapshot, hex32, integer } = require('./check');
const { MAX_EXPIRY } = require('./rtc');

let express;
try {
  express = require('express');
} catch (e) {
  const err = new Error('agora-call-token/express needs the "express" package (npm install express)');
  err.code = 'ERR_MODULE_NOT_FOUND';
  err.cause = e;
  throw err;
}

const MAX_UID = 0xffffffff;

function argError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

/** The string form of a user id: strings as they are, ObjectIds as 24 hex, populated docs by their _id. */
function userIdToString(id, depth = 0) {
  if (id === null || id === undefined) return null;
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : null;
  if (typeof id === 'bigint') return String(id);
  if (typeof id === 'object' && depth < 3) {
    if (typeof id.toHexString === 'function') return String(id.toHexString());
    if (id instanceof Uint8Array) return id.length === 12 ? Buffer.from(id).toString('hex') : null;
    if (id._id !== undefined && id._id !== id) return userIdToString(id._id, depth + 1);
    const s = String(id);
    return s && s !== '[object Object]' ? s : null;
  }
  return null;
}

function normalizeRole(role) {
  if (role === undefined || role === 'publisher' || role === act.RtcRole.PUBLISHER) return 'publisher';
  if (role === 'subscriber' || role === act.RtcRole.SUBSCRIBER) return 'subscriber';
  throw argError(TypeError, 'ERR_INVALID_ARG_VALUE',
    'options.role must be "publisher", "subscriber", RtcRole.PUBLISHER (1) or RtcRole.SUBSCRIBER (2)');
}

function validateOptions(input) {
  if (input === null || typeof input !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object');
  }
  // One read of the caller's own properties: no getters, proxies or polluted prototype after this.
  const options = snapshot('options', input);
  const { appId, appCertificate, findConversation, getUserId, identity = 'account', uidFor, onError } = options;
  // The same checks as buildRtcToken's; neither value is ever echoed.
  hex32('options.appId', appId);
  hex32('options.appCertificate', appCertificate, true);
  if (typeof findConversation !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.findConversation must be a function (id) => conversation | null');
  }
  if (getUserId !== undefined && typeof getUserId !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.getUserId must be a function (req) => userId');
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.onError must be a function (err, req) => void');
  }
  const expiresIn = options.expiresIn === undefined ? 3600 : integer('options.expiresIn', options.expiresIn, 1, MAX_EXPIRY);
  const role = normalizeRole(options.role);
  if (identity !== 'account' && identity !== 'uid') {
    throw argError(TypeError, 'ERR_INVALID_ARG_VALUE', 'options.identity must be "account" or "uid"');
  }
  if (identity === 'uid' && typeof uidFor !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uidFor must be a function (userId, req) => uid when identity is "uid"');
  }
  if (identity === 'account' && uidFor !== undefined && typeof uidFor !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options.uidFor must be a function');
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
  };
}

function defaultGetUserId(req) {
  return req.user?.id ?? req.user?._id;
}

function defaultOnError(err) {
  // The error comes from the application's own callbacks or a token build; the
  // certificate is never part of it.
  console.error('[agora-call-token] call token request failed:', err && err.stack ? err.stack : err);
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function sendError(res, status, code, message) {
  res.set('Cache-Control', 'no-store');
  res.status(status).json({ error: { code, message } });
}

const FORBIDDEN_MESSAGE = 'You are not a participant of this conversation';

/**
 * @param {object} options
 * @param {string} options.appId 32 hex
 * @param {string} options.appCertificate 32 hex (never logged or returned)
 * @param {(id: string) => any} options.findConversation conversation (with `participants`) or null; may be async
 * @param {(req) => any} [options.getUserId] default req.user?.id ?? req.user?._id; may be async
 * @param {number} [options.expiresIn=3600] seconds, 1..86400
 * @param {'publisher'|'subscriber'|1|2} [options.role='publisher']
 * @param {'account'|'uid'} [options.identity='account']
 * @param {(userId: string, req) => number} [options.uidFor] required for identity 'uid'; 1..2^32-1; may be async
 * @param {(err, req) => void} [options.onError] receives server faults (default console.error)
 * @returns {import('express').Router}
 */
function createCallTokenRouter(options) {
  const opts = validateOptions(options);
  const router = express.Router();
  // Skips by itself when an application-level parser already read the body.
  const jsonParser = express.json({ limit: '16kb' });

  function fault(err, req) {
    try {
      opts.onError(err, req);
    } catch (_) {
      // a logger that throws must not take the request down
    }
  }

  async function authenticate(req, res, next) {
    res.set('Cache-Control', 'no-store');
    let userId;
    try {
      userId = await opts.getUserId(req);
    } catch (err) {
      fault(err, req);
      return sendError(res, 500, 'INTERNAL', 'Internal server error');
    }
    if (userId === null || userId === undefined || userId === '') {
      return sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required');
    }
    const account = userIdToString(userId);
    if (account === null || account === '') {
      fault(new TypeError('getUserId returned a value that is not a usable user id'), req);
      return sendError(res, 500, 'INTERNAL', 'Internal server error');
    }
    res.locals.agoraCallUser = { userId, account };
    next();
  }

  async function issueToken(req, res) {
    const { account } = res.locals.agoraCallUser;
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'INVALID_BODY', 'Expected a JSON object body like {"channelName": "<conversation id>"}');
    }
    // The user comes from the session only: any userId in the body is ignored.
    const hasChannel = body.channelName !== undefined && body.channelName !== null;
    const hasConversation = body.conversationId !== undefined && body.conversationId !== null;
    if (!hasChannel && !hasConversation) {
      throw new HttpError(400, 'MISSING_CHANNEL_NAME', 'channelName (or conversationId) is required');
    }
    if (hasChannel && hasConversation && body.channelName !== body.conversationId) {
      throw new HttpError(400, 'INVALID_BODY', 'channelName and conversationId differ');
    }
    const channelName = hasChannel ? body.channelName : body.conversationId;
    if (typeof channelName !== 'string' || !act.isValidChannelName(channelName)) {
      throw new HttpError(400, 'INVALID_CHANNEL_NAME',
        'channelName must be 1 to 64 bytes of letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,');
    }

    let conversation;
    try {
      conversation = await opts.findConversation(channelName);
    } catch (err) {
      // Mongoose's findById on an id that is not an ObjectId: the same as not found.
      if (err && err.name === 'CastError') conversation = null;
      else throw err;
    }
    // Unknown conversation and non-member answer the same, so ids cannot be probed.
    if (!conversation) {
      throw new HttpError(403, 'FORBIDDEN', FORBIDDEN_MESSAGE);
    }
    if (!act.isParticipant(conversation, account)) {
      throw new HttpError(403, 'FORBIDDEN', FORBIDDEN_MESSAGE);
    }

    const issuedAt = Math.floor(Date.now() / 1000);
    const params = {
      appId: opts.appId,
      appCertificate: opts.appCertificate,
      channelName,
      role: opts.role,
      expiresIn: opts.expiresIn,
      issuedAt,
    };
    const result = { token: undefined, appId: opts.appId, channelName };
    if (opts.identity === 'uid') {
      const uid = await opts.uidFor(account, req);
      // uid 0 would be a wildcard token usable by anyone in the channel: refuse it.
      if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) {
        const err = new RangeError('uidFor returned a value that is not an integer from 1 to 2^32-1');
        err.code = 'ERR_OUT_OF_RANGE';
        throw err;
      }
      params.uid = uid;
      result.uid = uid;
    } else {
      params.account = account;
      result.account = account;
    }

    let token;
    try {
      token = act.buildRtcToken(params);
    } catch (err) {
      fault(err, req);
      throw new HttpError(500, 'TOKEN_BUILD_FAILED', 'Could not build a call token for this user and channel');
    }
    result.token = token;
    result.expiresAt = issuedAt + opts.expiresIn;
    res.set('Cache-Control', 'no-store');
    res.status(200).json(result);
  }

  router.post('/token', authenticate, jsonParser, async (req, res, next) => {
    try {
      await issueToken(req, res);
    } catch (err) {
      next(err);
    }
  });

  // Errors from the body parser and the handler above; always JSON, never a secret.
  // eslint-disable-next-line no-unused-vars
  router.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
    switch (err && err.type) {
      case 'entity.parse.failed':
        return sendError(res, 400, 'INVALID_JSON', 'The request body is not valid JSON');
      case 'entity.too.large':
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
      case 'request.aborted':
      case 'request.size.invalid':
      case 'stream.encoding.set':
        return sendError(res, 400, 'INVALID_BODY', 'The request body could not be read');
      default:
        break;
    }
    // Other client errors from the body reader (a corrupt gzip body, ...): the client's fault.
    if (err && err.expose && err.status >= 400 && err.status < 500) {
      return sendError(res, 400, 'INVALID_BODY', 'The request body could not be read');
    }
    fault(err, req);
    return sendError(res, 500, 'INTERNAL', 'Internal server error');
  });

  return router;
}

module.exports = { createCallTokenRouter };
