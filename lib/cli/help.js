'use strict'
// The CLI's help texts: the main usage and one per command.
const HELP = {
  main: `Usage: agora-call-token <command> [options]

Commands:
  inspect <token|->   show what is inside a "006" or "007" Agora token, and check it
  build rtc ...       mint an RTC token from flags and AGORA_APP_ID / AGORA_APP_CERTIFICATE

Options:
  -h, --help          this help ("agora-call-token <command> --help" for a command's)
  --version           the package version

Exit codes: 0 valid (or readable when no certificate is given), 1 invalid,
2 unreadable or malformed token, 64 usage error.
`,
  inspect: `Usage: agora-call-token inspect <token|-> [options]

Prints the version, app id, issue time and expiry (ISO and relative), every service
with its channel / user and each privilege with its own expiry. "-" reads the token
from standard input.

Options:
  --cert <hex>        the App Certificate (32 hex digits): verify the signature
  --cert-env          take the certificate from AGORA_APP_CERTIFICATE instead
                      (keeps it out of the process list and shell history)
  --channel <name>    the channel the client joins: checked against the token
                      (a "006" token's signature covers it: needed with --cert)
  --uid <n>           the client's numeric uid (0: any user), checked likewise
  --account <s>       or its string user account
  --now <unix>        judge expiry at this time instead of the clock
  --json              machine-readable output
  -h, --help          this help

Exit codes: 0 valid (or readable and unexpired when no certificate is given),
1 invalid (bad signature, expired, or not for the given channel / user),
2 unreadable or malformed token, 64 usage error.
`,
  build: `Usage: agora-call-token build rtc [options]

Token kinds:
  rtc                 an AccessToken2 ("007") RTC token ("build rtc --help")
`,
  buildRtc: `Usage: agora-call-token build rtc --channel <name> (--account <s> | --uid <n>) [options]

Mints an AccessToken2 ("007") RTC token with the app id and certificate from the
AGORA_APP_ID and AGORA_APP_CERTIFICATE environment variables, and prints it.

Options:
  --channel <name>    the channel name (1..64 of Agora's characters)
  --account <s>       the user's string account, or
  --uid <n>           the user's numeric uid, 0..4294967295 (0: any user)
  --role <role>       publisher (join and publish, the default) or subscriber (join only)
  --expires <s>       token lifetime in seconds, 1..86400 (default 3600)
  --json              print { token, appId, channelName, ..., expiresAt } as JSON
  -h, --help          this help
`
}

module.exports = { HELP }
