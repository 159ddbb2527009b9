'use strict'
// Why a token does not read, and what would make it read: the usual transport
// damage (a "+" decoded as a space, URL encoding, the URL-safe alphabet, quotes).
const lib = require('..')

// The token as pasted: trimmed, and without the quotes it was copied with.
function normalizeToken(raw) {
  let token = raw.trim()
  if (token.length >= 2 && (token[0] === '"' || token[0] === "'") && token[token.length - 1] === token[0]) {
    token = token.slice(1, -1).trim()
  }
  return token
}

function readable(token) {
  try {
    lib.parseToken(token)
    return true
  } catch {
    return false
  }
}

// Why a token does not read, and what would make it read: the usual transport damage.
function malformedHints(token) {
  const hints = []
  if (token.length === 0) return ['the token is empty']
  if (!token.startsWith('007') && !token.startsWith('006')) {
    hints.push('it does not start with "007" (AccessToken2) or "006" (legacy AccessToken): ' +
      'not an Agora token of a version this tool reads (or something was prepended to it)')
  }
  if (/\s/.test(token)) {
    const plus = token.replace(/ /g, '+').replace(/\s/g, '')
    hints.push(readable(plus)
      ? 'it reads once every space is turned back into "+": a URL query string decoded "+" as a space; ' +
        'encode the token with encodeURIComponent, or send it in a JSON body or header'
      : 'it contains spaces or line breaks (copied with a line wrap, or "+" decoded as a space?)')
  }
  if (/%[0-9A-Fa-f]{2}/.test(token)) {
    let decoded
    try {
      decoded = decodeURIComponent(token)
    } catch {}
    if (decoded && readable(decoded)) hints.push('it is URL-encoded: it reads once decoded (decodeURIComponent)')
  }
  if (/[-_]/.test(token.slice(3)) && readable(token.slice(0, 3) + token.slice(3).replace(/-/g, '+').replace(/_/g, '/'))) {
    hints.push('it uses the URL-safe base64 alphabet ("-" and "_"); Agora tokens use "+" and "/"')
  }
  return hints
}

module.exports = { normalizeToken, readable, malformedHints }
