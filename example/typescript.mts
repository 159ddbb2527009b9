// example/typescript.mts: ESM TypeScript (module: nodenext); the types ship with
// the package. For the Express types of 'agora-call-token/express', install
// @types/express too.
import { buildRtcToken, verifyToken, RtcRole, type RtcTokenOptions } from 'agora-call-token'
import { createCallTokenRouter } from 'agora-call-token/express'

const options: RtcTokenOptions = {
  appId: '970CA35de60c44645bbae8a215061b33',
  appCertificate: '5CFd2fd1755d40ecb72977518be15d3b',
  channelName: 'conv-1',
  account: 'user-1',
  role: RtcRole.SUBSCRIBER
}
const token: string = buildRtcToken(options)
const router = createCallTokenRouter({
  appId: options.appId,
  appCertificate: options.appCertificate,
  findConversation: async (id: string) => (id === 'conv-1' ? { participants: ['user-1'] } : null)
})
console.log(JSON.stringify({ valid: verifyToken(token, options.appCertificate).valid, router: typeof router }))
