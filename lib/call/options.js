'use strict'
// Option readers shared by the call module's public functions.
const { invalidType, outOfRange } = require('../errors')

function assertServer(io) {
  if (!io || typeof io.to !== 'function' || typeof io.on !== 'function') {
    throw invalidType('io', 'a socket.io Server or Namespace', io)
  }
}

const defaultRoom = (userId) => String(userId)

/** The user -> room name function; a bad room() result is a typed error. */
function toRoomFn(room) {
  if (room === undefined) return defaultRoom
  if (typeof room !== 'function') throw invalidType('options.room', 'a function (userId) => string', room)
  return (userId) => {
    const name = room(userId)
    if (typeof name !== 'string' || name === '') {
      const err = new TypeError('options.room must return a non-empty string')
      err.code = 'ERR_INVALID_RETURN_VALUE'
      throw err
    }
    return name
  }
}

function fn(value, name, shape, fallback) {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'function') throw invalidType(name, `a function ${shape}`, value)
  return value
}

function positiveInt(value, name, fallback) {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw invalidType(name, 'of type number', value)
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw outOfRange(name, 'an integer from 1 to 2147483647', value)
  }
  return value
}

/**
 * A per-key fixed-window limiter: limiter(key) counts one attempt and returns
 * 0, or the ms until the key may try again. `false` turns it off.
 */
function rateLimit(value, name, fallback) {
  if (value === false) return () => 0
  let max = fallback.max
  let windowMs = fallback.windowMs
  if (value !== undefined) {
    if (value === null || typeof value !== 'object') throw invalidType(name, '{ max, windowMs } or false', value)
    let raw
    try {
      raw = { max: Object.hasOwn(value, 'max') ? value.max : undefined, windowMs: Object.hasOwn(value, 'windowMs') ? value.windowMs : undefined }
    } catch {
      throw invalidType(name, '{ max, windowMs } that can be read (a getter threw)', value)
    }
    max = positiveInt(raw.max, `${name}.max`, max)
    windowMs = positiveInt(raw.windowMs, `${name}.windowMs`, windowMs)
  }
  const windows = new Map() // key -> { count, resetAt }
  let nextPrune = 0
  return (key) => {
    const now = Date.now()
    // Expired windows go at most once per window: the walk is paid once per windowMs, not per attempt.
    if (now >= nextPrune) {
      nextPrune = now + windowMs
      for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k)
    }
    let w = windows.get(key)
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs }
      windows.set(key, w)
    }
    if (w.count >= max) return w.resetAt - now
    w.count++
    return 0
  }
}

module.exports = { assertServer, toRoomFn, fn, positiveInt, rateLimit, invalidType, outOfRange }
