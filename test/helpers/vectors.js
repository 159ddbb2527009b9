'use strict'
// The official vectors (copied from shared/vectors into test/fixtures).
const path = require('path')

const v007 = require(path.join(__dirname, '..', 'fixtures', 'accesstoken2-007.json')).vectors
const v006 = require(path.join(__dirname, '..', 'fixtures', 'accesstoken-006.json')).vectors

// What parseToken should return for a vector's service (uid -> decimal string, 0 -> '').
function expectedService(s) {
  const names = { 1: 'RTC', 2: 'RTM', 3: 'Streaming', 4: 'FPA', 5: 'Chat', 6: 'FCDN', 7: 'APaaS', 8: 'RTM2' }
  const out = { type: s.type, name: names[s.type], privileges: s.privileges }
  if ([1, 3, 6].includes(s.type)) {
    out.channelName = s.channelName
    out.account = 'uid' in s ? (s.uid === 0 ? '' : String(s.uid)) : s.account
  } else if ([2, 5].includes(s.type)) {
    out.userId = s.userId
  } else if (s.type === 7) {
    Object.assign(out, { roomUuid: s.roomUuid, userUuid: s.userUuid, role: s.role })
  } else if (s.type === 8) {
    Object.assign(out, { userId: s.userId, permissions: s.permissions })
  }
  return out
}

// Services in wire order: sorted by type, stable.
const wireOrder = (services) => services.map((s, i) => [s, i]).sort((a, b) => a[0].type - b[0].type || a[1] - b[1])
  .map(([s]) => s)

module.exports = { v007, v006, expectedService, wireOrder }
