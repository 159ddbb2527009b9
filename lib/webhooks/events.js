'use strict'
// Agora Notifications (NCS) bodies as typed events. The names follow Agora's
// channel-event reference (productId 1, RTC): "Channel event types".

const PRODUCT_RTC = 1

const CHANNEL_EVENT_TYPES = Object.freeze({
  101: 'channel-create', // the first user joined: the channel exists
  102: 'channel-destroy', // the last user left
  103: 'broadcaster-join', // a host joined (live-broadcasting profile)
  104: 'broadcaster-leave',
  105: 'audience-join', // an audience member joined (live-broadcasting profile)
  106: 'audience-leave',
  107: 'user-join', // a user joined (communication profile)
  108: 'user-leave',
  111: 'role-to-broadcaster', // setClientRole: audience -> host
  112: 'role-to-audience' // setClientRole: host -> audience
})

const PLATFORMS = Object.freeze({ 0: 'other', 1: 'android', 2: 'ios', 5: 'windows', 6: 'linux', 7: 'web', 8: 'macos' })

// Why a user left (104, 106, 108).
const LEAVE_REASONS = Object.freeze({
  0: 'other',
  1: 'quit', // left normally
  2: 'timeout', // no packet for over 10 s
  3: 'banned', // kicked, e.g. through the banning RESTful API
  4: 'server', // Agora's server moved the connection (it comes back)
  5: 'new-device', // the same user joined from another device
  9: 'multiple-ips', // the SDK dropped the connection over several client IPs
  999: 'abnormal' // frequent joins and leaves: Agora advises waiting a minute before acting
})

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

// A finite number, or a string of decimal digits (some proxies stringify); else null.
function num(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'string' && /^-?\d{1,16}(\.\d+)?$/.test(v)) return Number(v)
  return null
}

function uint32(v) {
  const n = num(v)
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : null
}

const str = (v) => (typeof v === 'string' ? v : null)

/**
 * The typed view of a parsed notification body (a JSON object). Unknown
 * products and event types are kept with type 'unknown'; every field that is
 * missing or of the wrong kind is null. `payload` is the body's own payload
 * object, untouched; `body` the whole parsed body.
 */
function typeEvent(body) {
  const payload = isObject(body.payload) ? body.payload : {}
  const productId = num(body.productId)
  const eventType = num(body.eventType)
  const type = (productId === PRODUCT_RTC && Object.hasOwn(CHANNEL_EVENT_TYPES, eventType) &&
    CHANNEL_EVENT_TYPES[eventType]) || 'unknown'
  const ts = num(payload.ts)
  const platform = num(payload.platform)
  const reason = num(payload.reason)
  const account = str(payload.account)
  return {
    type,
    noticeId: str(body.noticeId),
    productId,
    eventType,
    notifyMs: num(body.notifyMs),
    sid: str(body.sid),
    channelName: str(payload.channelName),
    uid: uint32(payload.uid),
    account: account === '' ? null : account,
    platform,
    platformName: platform !== null && Object.hasOwn(PLATFORMS, platform) ? PLATFORMS[platform] : null,
    clientType: num(payload.clientType),
    clientSeq: num(payload.clientSeq),
    reason,
    reasonName: reason !== null && Object.hasOwn(LEAVE_REASONS, reason) ? LEAVE_REASONS[reason] : null,
    ts, // seconds, Agora's server clock
    tsMs: ts === null ? null : ts * 1000,
    duration: num(payload.duration), // seconds in the channel (leave events)
    lastUid: uint32(payload.lastUid), // channel-destroy
    payload: isObject(body.payload) ? body.payload : null,
    body
  }
}

module.exports = { typeEvent, CHANNEL_EVENT_TYPES, PLATFORMS, LEAVE_REASONS, PRODUCT_RTC }
