// example/docs/webhooks.js: Agora's channel events into an Express app (README "Channel events")
'use strict'
const express = require('express')
const { createWebhookRouter } = require('agora-call-token/webhooks')

function createApp({ seen = [] } = {}) {
  const app = express()
  // Before express.json(): the signature covers the exact bytes, so the router reads the body itself.
  app.use('/agora/events', createWebhookRouter({
    secret: process.env.AGORA_NCS_SECRET,
    async onEvent(event) { // once per notification; throw and Agora sends it again
      if (event.type === 'broadcaster-join') seen.push([event.channelName, event.uid, event.account])
    }
    // dedupe: new RedisDedupeStore({ client: redisClient }), when several processes take the traffic
  }))
  app.use(express.json()) // the rest of the app as before
  return app
}

module.exports = { createApp }
