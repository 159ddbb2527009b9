'use strict'
// Child process for the HTTP row: node bench/lib/http-server.js addon|seed
// Starts one server on a free loopback port, tells the parent (IPC) its URL,
// and stays until the parent disconnects.
const { APP_ID, APP_CERT } = require('./inputs')

async function main() {
  const which = process.argv[2]
  const opts = { port: 0, host: '127.0.0.1', appId: APP_ID, appCertificate: APP_CERT }
  const srv = which === 'seed'
    ? await require('../seed-route').createSeedServer(opts)
    : await require('../../example/server').createDemoServer(opts)
  process.send({ url: srv.url, user: srv.users.alice, channelName: srv.conversations.direct })
  process.on('disconnect', () => { srv.close().then(() => process.exit(0)) })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
