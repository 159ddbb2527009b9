'use strict'
// A view of a Redis client for @socket.io/redis-adapter's publishing side.
//
// The adapter sends PUBLISH (createAdapter) or SPUBLISH (createShardedAdapter)
// and drops the promise. When Redis restarts or the connection resets while
// such a command is in flight, node-redis and ioredis reject it, and a
// rejection nobody handles ends a Node process (--unhandled-rejections=throw,
// the default since Node 15): one io.to(room).emit() at the wrong moment takes
// the whole server down. This view hands the adapter the same client with a
// handler on every publish promise: the caller still gets the promise (and its
// rejection), the packet is lost as socket.io's docs say it may be, and the
// process lives. Everything else is the client itself (methods bound to it, so
// node-redis's private fields work); the client is not modified.
const { invalidType } = require('../../../errors')

const PUBLISH = new Set(['publish', 'sPublish', 'spublish', 'PUBLISH', 'SPUBLISH'])

/**
 * guardPublisher(client, { onError }) -> the client as the adapter's pubClient.
 * onError(err) hears each failed publish (default: nothing; the client's own
 * 'error' event already tells of the outage).
 */
function guardPublisher(client, { onError } = {}) {
  if (!client || (typeof client !== 'object' && typeof client !== 'function')) throw invalidType('client', 'a Redis client', client)
  if (onError !== undefined && typeof onError !== 'function') throw invalidType('options.onError', 'a function', onError)
  const report = (err) => {
    if (!onError) return
    try {
      onError(err)
    } catch (_) {
      // a failing reporter must not bring back the unhandled rejection
    }
  }
  const bound = new Map()
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function' || prop === 'constructor') return value // constructor.name tells the adapter the client kind
      let fn = bound.get(prop)
      if (fn && fn.original === value) return fn
      fn = PUBLISH.has(prop)
        ? function guardedPublish(...args) {
          let result
          try {
            result = value.apply(target, args)
          } catch (err) { // a client that throws at once: the same, as a handled rejection
            report(err)
            result = Promise.reject(err)
            result.catch(() => {})
            return result
          }
          if (result && typeof result.then === 'function') result.then(undefined, report)
          return result
        }
        : value.bind(target)
      fn.original = value
      bound.set(prop, fn)
      return fn
    }
  })
}

module.exports = { guardPublisher }
