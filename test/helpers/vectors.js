'use strict'
// The official vectors (copied from shared/vectors into test/fixtures).
const path = require('path')

const v007 = require(path.join(__dirname, '..', 'fixtures', 'accesstoken2-007.json')).vectors
const v006 = require(path.join(__dirname, '..', 'fixtures', 'accesstoken-006.json')).vectors
// The names and field kinds from the core's service table (what parseToken reports).
const { nameOf, kindOf, FIELD_KIND: K } = require('../../lib/services')

// What parseToken should return for a vector's service (uid -> decimal string, 0 -> '').
function expectedService(s) {
  const out = { type: s.type, name: nameOf(s.type), privileges: s.privileges }
  const kind = kindOf(s.type)
  if (kind === K.CHANNEL_ACCOUNT) {
    out.channelName = s.channelName
    out.account = 'uid' in s ? (s.uid === 0 ? '' : String(s.uid)) : s.account
  } else if (kind === K.USER) {
    out.userId = s.userId
  } else if (kind === K.APAAS) {
    Object.assign(out, { roomUuid: s.roomUuid, userUuid: s.userUuid, role: s.role })
  } else if (kind === K.RTM2) {
    Object.assign(out, { userId: s.userId, permissions: s.permissions })
  }
  return out
}

// Services in wire order: sorted by type, stable.
const wireOrder = (services) => services.map((s, i) => [s, i]).sort((a, b) => a[0].type - b[0].type || a[1] - b[1])
  .map(([s]) => s)

module.exports = { v007, v006, expectedService, wireOrder }
