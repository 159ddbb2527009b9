'use strict'
// The inputs every row uses; bench/floor.c has the same literals.
module.exports = Object.freeze({
  APP_ID: '970ca35de60c44645bbae8a215061b33',
  APP_CERT: '5cfd2fd1755d40ecb72977518be15d3b',
  CHANNEL: '665f1c2e8a1b2c3d4e5fc001', // a conversation id is the channel name
  ACCOUNT: '665f1c2e8a1b2c3d4e5f0001', // a user id is the Agora account
  UID: 1234567,
  EXPIRE: 3600,
  // for the fixed rows and the cross-checks
  FIXED_ISSUED_AT: 1700000000,
  FIXED_SALT: 42
})
