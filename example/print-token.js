'use strict'
// Prints a demo token for a demo conversation, and what is inside it.
const crypto = require('crypto')
const act = require('..')

const appId = process.env.AGORA_APP_ID || crypto.randomBytes(16).toString('hex')
const appCertificate = process.env.AGORA_APP_CERTIFICATE || crypto.randomBytes(16).toString('hex')
if (!process.env.AGORA_APP_ID || !process.env.AGORA_APP_CERTIFICATE) {
  console.log('AGORA_APP_ID / AGORA_APP_CERTIFICATE not set: using throwaway credentials for this demo.')
}
const conversationId = '670d12a4f8b1e123456789ab' // a MongoDB conversation id is the channel name
const userId = '670d12a4f8b1e1234567890a'
const token = act.buildRtcToken({ appId, appCertificate, channelName: conversationId, account: userId })
console.log(`token for user ${userId} in conversation ${conversationId}:\n${token}\n`)
console.log(JSON.stringify(act.parseToken(token), null, 2))
console.log('verify:', act.verifyToken(token, appCertificate).valid)
