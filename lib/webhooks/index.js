'use strict'
// agora-call-token/webhooks: Agora's channel-event notifications (NCS), verified
// in the C core (or Node's crypto), typed, de-duplicated and handed to the app.
//
//   const { createWebhookRouter } = require('agora-call-token/webhooks')
//   app.use('/agora/events', createWebhookRouter({ secret: process.env.AGORA_NCS_SECRET, onEvent }))
//   app.use(express.json()) // after: the router reads the raw body itself
//
// express is loaded only when createWebhookRouter is first used, so
// verifyNotification works without it.
const { verifyNotification, implementation, MAX_BODY } = require('./verify')
const { MemoryDedupeStore, RedisDedupeStore } = require('./dedupe')
const { CHANNEL_EVENT_TYPES, PLATFORMS, LEAVE_REASONS } = require('./events')
const { typedInputs } = require('../errors')

function createWebhookRouter(options) {
  return require('./router').createWebhookRouter(options)
}

const verify = typedInputs('headers', verifyNotification)
const limits = Object.freeze({ maxBodyBytes: MAX_BODY })

// Names bound to identifiers only, so that Node's CommonJS export detection
// sees every one of them and ESM can import them by name.
module.exports = {
  createWebhookRouter,
  verifyNotification: verify,
  MemoryDedupeStore,
  RedisDedupeStore,
  ChannelEventType: CHANNEL_EVENT_TYPES,
  Platform: PLATFORMS,
  LeaveReason: LEAVE_REASONS,
  implementation,
  limits
}
