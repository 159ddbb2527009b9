'use strict'
// The test credentials: the app id and certificate of Agora's own sample
// vectors (not a real project's), a second certificate for "wrong certificate"
// cases, and the same pair in the mixed case of the official examples.
const APP_ID = '970ca35de60c44645bbae8a215061b33'
const APP_CERTIFICATE = '5cfd2fd1755d40ecb72977518be15d3b'
const OTHER_CERTIFICATE = 'ffffffffffffffffffffffffffffffff'
const APP_ID_MIXED = '970CA35de60c44645bbae8a215061b33'
const APP_CERTIFICATE_MIXED = '5CFd2fd1755d40ecb72977518be15d3b'

module.exports = { APP_ID, APP_CERTIFICATE, OTHER_CERTIFICATE, APP_ID_MIXED, APP_CERTIFICATE_MIXED }
