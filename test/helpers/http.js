'use strict';

const http = require('http');

/** Starts an http server for `handler` on 127.0.0.1, port 0. */
function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server) {
  return new Promise(resolve => {
    if (!server || !server.listening) return resolve();
    server.close(() => resolve());
    if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
  });
}

function urlOf(server) {
  const { port } = server.address();
  return `http://127.0.0.1:${port}`;
}

module.exports = { listen, close, urlOf };
