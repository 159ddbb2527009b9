'use strict'
// HTTP for the tests: a server on a loopback port, and raw requests.

const http = require('http')

/** Starts an http server for `handler` on 127.0.0.1, port 0. */
function listen(handler) {
  const server = http.createServer(handler)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

function close(server) {
  return new Promise(resolve => {
    if (!server || !server.listening) return resolve()
    server.close(() => resolve())
    if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
  })
}

function urlOf(server) {
  const { port } = server.address()
  return `http://127.0.0.1:${port}`
}

// Raw HTTP: sends the body bytes exactly as given (supertest would re-serialise
// a Buffer sent as JSON) -> { status, headers, text, body (parsed JSON or null) }.
function rawPost(server, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', path, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed = null
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = null
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

module.exports = { listen, close, urlOf, rawPost }
