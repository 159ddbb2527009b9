'use strict'
// A stand-in for agora-access-token@2.0.4's src/AccessToken.js (the legacy "006"
// token), for code that deep-imports it. build() hands the fields to
// buildLegacyToken; fromString() reads with parseToken. See docs/compat.md.
const crypto = require('crypto')
const { buildLegacyToken, parseToken } = require('../../../token')
const coerce = require('../../coerce')
const { PRIVILEGES_006 } = require('../../../services')

const version = '006'

// Like the official, one salt per process, drawn when the module loads
// (0..4294967294, the official's Math.floor(Math.random() * 0xFFFFFFFF) range),
// here from a CSPRNG; every token of the process carries it unless `salt` is set.
const moduleSalt = crypto.randomInt(0, 0xffffffff)

// The "006" privileges from the core's table (lib/services.js), named as the
// official names them: k<Name>, with its spelling kPublishAudiocdn for key 5.
const priviledges = Object.fromEntries(Object.entries(PRIVILEGES_006).map(([key, name]) =>
  [name === 'publishAudioCdn' ? 'kPublishAudiocdn' : `k${name[0].toUpperCase()}${name.slice(1)}`, Number(key)]))

class AccessToken {
  constructor(appID, appCertificate, channelName, uid) {
    this.appID = appID
    this.appCertificate = appCertificate
    this.channelName = channelName
    this.messages = {}
    this.salt = moduleSalt
    this.ts = Math.floor(Date.now() / 1000) + 24 * 3600 // the token's own expiry, absolute
    this.uid = uid === 0 ? '' : `${uid}` // so undefined becomes 'undefined', as in the official
  }

  // Privilege values are absolute unix seconds.
  addPriviledge(priviledge, expireTimestamp) {
    this.messages[priviledge] = expireTimestamp
  }

  // The app id and certificate must be 32 hex digits (the official signs anything);
  // numbers are coerced and strings packed as the official does (docs/compat.md).
  build() {
    return buildLegacyToken({
      appId: coerce.bytesString('appID', this.appID),
      appCertificate: this.appCertificate,
      channelName: coerce.bytesString('channelName', this.channelName),
      uid: coerce.bytesString('uid', this.uid),
      salt: coerce.u32('salt', this.salt),
      ts: coerce.u32('ts', this.ts),
      privileges: coerce.privileges('messages', this.messages)
    })
  }

  // true when `originToken` reads as a "006" token; sets signature, crc_channel_name,
  // crc_uid, m, salt, ts and messages like the official (appID, channelName and uid are left alone).
  fromString(originToken) {
    if (typeof originToken !== 'string' || originToken.slice(0, 3) !== version) return false
    let parsed
    try {
      parsed = parseToken(originToken)
    } catch {
      return false
    }
    // parseToken has checked the layout: bytes(signature) u32 u32 bytes(m).
    const content = Buffer.from(originToken.slice(35), 'base64')
    const sigLength = content.readUInt16LE(0)
    this.signature = content.subarray(2, 2 + sigLength)
    this.crc_channel_name = parsed.crcChannelName
    this.crc_uid = parsed.crcUid
    const mStart = 2 + sigLength + 8
    this.m = content.subarray(mStart + 2, mStart + 2 + content.readUInt16LE(mStart))
    this.salt = parsed.salt
    this.ts = parsed.ts
    this.messages = { ...parsed.privileges }
    return true
  }
}

module.exports = { version, AccessToken, priviledges }
