#!/usr/bin/env node
'use strict'
// agora-call-token: the command line (lib/cli/), run with this process's argv,
// streams, environment and clock. See `agora-call-token --help` and docs/cli.md.
const { main } = require('../lib/cli')

process.exitCode = main(process.argv.slice(2))
