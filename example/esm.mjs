// example/esm.mjs: ESM named imports (every subpath works the same way).
//   node example/esm.mjs
import { buildRtcToken, verifyToken, implementation } from 'agora-call-token'

const appId = process.env.AGORA_APP_ID || '970CA35de60c44645bbae8a215061b33'
const appCertificate = process.env.AGORA_APP_CERTIFICATE || '5CFd2fd1755d40ecb72977518be15d3b'

const token = buildRtcToken({ appId, appCertificate, channelName: 'conv-1', account: 'user-1' })
const { valid, token: parsed } = verifyToken(token, appCertificate)
console.log(JSON.stringify({ implementation, valid, channelName: parsed.services[0].channelName }))
