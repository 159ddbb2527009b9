'use strict'
// agora-call-token/socket: call signaling over Socket.IO for chat backends
// where the conversation id is the Agora channel name. The implementation
// lives in lib/call/; nothing here loads socket.io or a Redis client (the
// server and the Redis client are passed in, so both stay optional).
//
//   attachCallSignaling(io, { findConversation, getUserId, store, ... })
//   notifyIncomingCall(io, conversation, fromUserId, payload, { room })
//   new MemoryCallStore()                  one process (the default)
//   new RedisCallStore(redisClient, opts)  several processes (with @socket.io/redis-adapter)
//   guardPublisher(pubClient)              the adapter's pubClient, so that a publish in flight
//                                          when Redis drops cannot end the process
const { attachCallSignaling } = require('./call/signaling')
const { notifyIncomingCall } = require('./call/notify')
const { MemoryCallStore } = require('./call/stores/memory')
const { RedisCallStore } = require('./call/stores/redis')
const { guardPublisher } = require('./call/stores/redis/publisher')

module.exports = { notifyIncomingCall, attachCallSignaling, MemoryCallStore, RedisCallStore, guardPublisher }
