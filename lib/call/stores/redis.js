'use strict'
// RedisCallStore lives in ./redis/ (store.js, scripts.js, client.js).
module.exports = require('./redis/store')
