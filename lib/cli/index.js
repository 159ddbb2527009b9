'use strict'
// agora-call-token's command line: look inside Agora "006" / "007" tokens,
// check them, and mint RTC tokens. main(argv, io) runs one command and returns
// the exit code: 0 valid (or readable, without --cert), 1 invalid (signature,
// expired, or not for the given channel/user), 2 unreadable, 64 usage error,
// 70 internal error. io is injectable: { stdout, stderr, env, now, readStdin }
// (streams with write(), the environment, a clock in unix seconds, a function
// returning standard input); bin/agora-call-token.js passes the process's.
// The certificate is never printed.
const fs = require('fs')
const path = require('path')
const { HELP } = require('./help')
const { UsageError } = require('./flags')
const { EXIT, inspect, build } = require('./commands')

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function readProcessStdin() {
  try {
    return fs.readFileSync(0, 'utf8')
  } catch (err) {
    if (err.code === 'EAGAIN' || err.code === 'EOF') return ''
    throw err
  }
}

// Everything a run writes goes through its io: a certificate it knows of is
// masked (in any letter case), should anything printed ever contain it.
function runIo({ stdout = process.stdout, stderr = process.stderr, env = process.env,
  now = () => Math.floor(Date.now() / 1000), readStdin = readProcessStdin } = {}) {
  const secrets = []
  const mask = (text) => {
    let out = text
    for (const s of secrets) out = out.replace(new RegExp(escapeRegExp(s), 'gi'), '[certificate]')
    return out
  }
  return {
    env,
    now,
    readStdin,
    // a shorter string is no certificate, and masking it would garble the output
    addSecret: (s) => { if (typeof s === 'string' && s.length >= 8) secrets.push(s) },
    print: (text) => stdout.write(mask(text.endsWith('\n') ? text : `${text}\n`)),
    printError: (text) => stderr.write(mask(`agora-call-token: ${text}\n`)),
    writeErr: (text) => stderr.write(mask(text))
  }
}

function run(argv, io) {
  const [command, ...rest] = argv
  if (command === undefined) {
    io.writeErr(HELP.main)
    return EXIT.USAGE
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    io.print(HELP.main)
    return EXIT.OK
  }
  if (command === '--version') {
    io.print(require(path.join(__dirname, '..', '..', 'package.json')).version)
    return EXIT.OK
  }
  if (command === 'inspect') return inspect(rest, io)
  if (command === 'build') return build(rest, io)
  throw new UsageError('unknown command (commands: inspect, build)')
}

function main(argv, options) {
  const io = runIo(options)
  try {
    return run(argv, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.printError(`${err.message}\nRun "agora-call-token --help" for usage.`)
      return EXIT.USAGE
    }
    io.printError(`internal error: ${err && err.message}`)
    return EXIT.SOFTWARE
  }
}

module.exports = { main, EXIT }
