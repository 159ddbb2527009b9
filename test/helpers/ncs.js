'use strict'
// Agora NCS notifications for tests: bodies as Agora's "Channel event types"
// page shows them, signed with Node's crypto as Agora signs them, POSTed over
// real HTTP to a webhook route.
const crypto = require('crypto')

let seq = 0

/** The raw body of one notification (a string: the signature covers these bytes). */
function notice(eventType, payload, { noticeId = crypto.randomUUID(), notifyMs = Date.now() } = {}) {
  return JSON.stringify({ noticeId, productId: 1, eventType, notifyMs, sid: crypto.randomBytes(8).toString('hex').toUpperCase(), payload })
}

const sign = (raw, secret) => ({
  'Content-Type': 'application/json',
  'Agora-Signature-V2': crypto.createHmac('sha256', secret).update(raw).digest('hex'),
  'Agora-Signature': crypto.createHmac('sha1', secret).update(raw).digest('hex')
})

/** POSTs a raw body, signed; resolves { status, body }. */
async function post(url, raw, secret) {
  const res = await fetch(url, { method: 'POST', headers: sign(raw, secret), body: raw })
  return { status: res.status, body: await res.json() }
}

/** Bodies of a channel's events (communication profile: 107 / 108; live: 103 / 104). */
function channel(channelName, { live = true } = {}) {
  const uids = new Map()
  const uidOf = (account) => {
    if (!uids.has(account)) uids.set(account, 100000 + uids.size)
    return uids.get(account)
  }
  return {
    join: (account, ts, extra) => notice(live ? 103 : 107,
      { channelName, uid: uidOf(account), account, platform: 7, clientSeq: ++seq, ts, ...extra }),
    leave: (account, ts, extra) => notice(live ? 104 : 108,
      { channelName, uid: uidOf(account), account, platform: 7, reason: 1, duration: 1, clientSeq: ++seq, ts, ...extra }),
    create: (ts) => notice(101, { channelName, ts }),
    destroy: (ts) => notice(102, { channelName, ts, lastUid: 1 })
  }
}

/** Agora's clock now, in seconds. */
const nowTs = () => Math.floor(Date.now() / 1000)

module.exports = { notice, sign, post, channel, nowTs }
