'use strict'
// Salts from a CSPRNG, drawn in batches: uniform in 1..99999999 like the
// official builders' range (which use Math.random), without modulo bias.
const crypto = require('crypto')

const RANGE = 99999999
const LIMIT = Math.floor(0x100000000 / RANGE) * RANGE // reject above this to stay uniform
const pool = new Uint32Array(512)
let next = pool.length

function randomSalt() {
  for (;;) {
    if (next === pool.length) {
      crypto.randomFillSync(pool)
      next = 0
    }
    const v = pool[next++]
    if (v < LIMIT) return (v % RANGE) + 1
  }
}

module.exports = { randomSalt }
