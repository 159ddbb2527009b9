'use strict'
// The CLI's flag parser and its usage errors. It never echoes a value in its
// errors: a value may be a secret.

// A usage error: exit code 64 and a hint to --help.
class UsageError extends Error {}

// A small flag parser that never echoes a value in its errors.
function parseFlags(argv, spec) {
  const flags = {}
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h' || arg === '--help') {
      flags.help = true
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      const kind = Object.hasOwn(spec, name) ? spec[name] : undefined
      if (kind === undefined) {
        // Named only when it looks like an option word: never echo what may be a secret.
        throw new UsageError(/^[a-z][a-z-]{0,23}$/.test(name) ? `unknown option --${name}` : 'unknown option')
      }
      if (kind === 'boolean') {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`)
        flags[name] = true
      } else {
        let value
        if (eq !== -1) value = arg.slice(eq + 1)
        else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i]
        if (value === undefined) throw new UsageError(`--${name} needs a value`)
        if (Object.hasOwn(flags, name)) throw new UsageError(`--${name} is given twice`)
        flags[name] = value
      }
    } else if (arg.length > 1 && arg.startsWith('-') && !/^-\d/.test(arg)) {
      throw new UsageError('unknown option (options are spelled --name)')
    } else {
      positional.push(arg)
    }
  }
  return { flags, positional }
}

function unsignedFlag(name, value, max) {
  if (!/^\d+$/.test(value) || Number(value) > max) throw new UsageError(`--${name} must be an integer 0..${max}`)
  return Number(value)
}

module.exports = { UsageError, parseFlags, unsignedFlag }
