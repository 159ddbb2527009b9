'use strict'
// Times as the CLI prints them: ISO 8601 and rough spans ("expires in 2 h 5 min").
const iso = (unix) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z')

function span(seconds) {
  const s = Math.abs(seconds)
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.floor(s / 60)} min`
  if (s < 10 * 3600) {
    const h = Math.floor(s / 3600)
    const m = Math.floor((s % 3600) / 60)
    return m === 0 ? `${h} h` : `${h} h ${m} min`
  }
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`
  return `${Math.floor(s / 86400)} d`
}
const untilPhrase = (at, now) => (at >= now ? `expires in ${span(at - now)}` : `expired ${span(now - at)} ago`)
const sincePhrase = (at, now) => (at <= now ? `${span(now - at)} ago` : `${span(at - now)} in the future`)

module.exports = { iso, span, untilPhrase, sincePhrase }
