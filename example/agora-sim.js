'use strict'

/**
 * A stand-in for Agora's Notifications service (NCS), for the demo with
 * throwaway credentials: when a page says it joined or left a call's channel,
 * this sends the notifications Agora would send (101 channel created, 103
 * broadcaster joined, 104 left, 102 channel destroyed), as Agora sends them:
 * a JSON body signed with the NCS secret (Agora-Signature-V2: HMAC-SHA256,
 * Agora-Signature: HMAC-SHA1), POSTed to the app's own webhook route. So the
 * whole flow (media presence, call:media, call records) can be seen without
 * an Agora account. Nothing here is used with real credentials.
 */

const crypto = require('crypto')
const http = require('http')

/** uid Agora would map an account to: any stable 32-bit number will do for the demo. */
function uidOf(account) {
  return crypto.createHash('sha256').update(account).digest().readUInt32BE(0) || 1
}

function createAgoraSimulator({ secret, webhookUrl }) {
  const channels = new Map() // channelName -> Map account -> joinedAt (ms)
  const queues = new Map() // channelName -> the last join/leave of that channel, in flight
  let seq = 0

  // One join or leave at a time per channel, in the order asked: Agora reports a
  // channel's events one after the other (a leave asked for while the join is
  // still being sent comes after it; two last leaves destroy the channel once).
  function serial(channelName, fn) {
    const run = (queues.get(channelName) || Promise.resolve()).then(fn)
    const tail = run.catch(() => {})
    queues.set(channelName, tail)
    tail.then(() => {
      if (queues.get(channelName) === tail) queues.delete(channelName)
    })
    return run
  }

  function send(eventType, payload) {
    const body = JSON.stringify({
      noticeId: crypto.randomUUID(),
      productId: 1,
      eventType,
      notifyMs: Date.now(),
      sid: crypto.randomBytes(16).toString('hex').toUpperCase(),
      payload: { ...payload, ts: Math.floor(Date.now() / 1000) }
    })
    const url = new URL(webhookUrl)
    return new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'Agora-Signature-V2': crypto.createHmac('sha256', secret).update(body).digest('hex'),
          'Agora-Signature': crypto.createHmac('sha1', secret).update(body).digest('hex')
        }
      }, res => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  /** The account joined the channel (as the Agora SDK would, with the token's account). */
  function join(channelName, account) {
    return serial(channelName, () => joinNow(channelName, account))
  }

  async function joinNow(channelName, account) {
    let members = channels.get(channelName)
    if (!members) {
      members = new Map()
      channels.set(channelName, members)
      await send(101, { channelName })
    }
    if (members.has(account)) return
    members.set(account, Date.now())
    await send(103, { channelName, uid: uidOf(account), account, platform: 7, clientSeq: ++seq })
  }

  /** The account left the channel; the last one out destroys it. */
  function leave(channelName, account) {
    return serial(channelName, () => leaveNow(channelName, account))
  }

  async function leaveNow(channelName, account) {
    const members = channels.get(channelName)
    if (!members || !members.has(account)) return
    const since = members.get(account)
    members.delete(account)
    await send(104, {
      channelName, uid: uidOf(account), account, platform: 7, reason: 1, clientSeq: ++seq,
      duration: Math.round((Date.now() - since) / 1000)
    })
    if (members.size === 0) {
      channels.delete(channelName)
      await send(102, { channelName, lastUid: uidOf(account) })
    }
  }

  return { join, leave, channels }
}

module.exports = { createAgoraSimulator, uidOf }
