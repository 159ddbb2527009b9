/* The binding's errors. Each carries a `code` (every code is registered, with
 * its class, in lib/errors.js: lib/native.js gives the error that class, so
 * the class is chosen in one place), an `argument` (the argument's name, as
 * data: nothing needs to parse a message) where one is at fault, and for a
 * malformed token the core status as `reason`. No message holds input. */
#ifndef BND_ERRORS_H
#define BND_ERRORS_H

#include <node_api.h>

#include "../core/include/act_status.h"

/* Which code each core status becomes: X(status, code). Exported as
 * statusErrors (with the core's messages) and copied into
 * lib/fallback/tables.js by scripts/gen-tables.js. */
#define BND_STATUS_CODES(X)                         \
  X(ARG, "ERR_AGORA_INTERNAL")                      \
  X(APP_ID, "ERR_INVALID_ARG_VALUE")                \
  X(APP_CERTIFICATE, "ERR_INVALID_ARG_VALUE")       \
  X(FIELD_TOO_LONG, "ERR_AGORA_TOKEN_TOO_LARGE")    \
  X(TOO_MANY, "ERR_AGORA_TOKEN_TOO_LARGE")          \
  X(DUPLICATE, "ERR_INVALID_ARG_VALUE")             \
  X(SERVICE_TYPE, "ERR_INVALID_ARG_VALUE")          \
  X(NO_SERVICES, "ERR_INVALID_ARG_VALUE")           \
  X(CONTENT_TOO_LARGE, "ERR_AGORA_TOKEN_TOO_LARGE") \
  X(BUFFER, "ERR_AGORA_INTERNAL")                   \
  X(TOKEN_TOO_LONG, "ERR_AGORA_TOKEN_TOO_LARGE")    \
  X(VERSION, "ERR_AGORA_TOKEN_MALFORMED")           \
  X(BASE64, "ERR_AGORA_TOKEN_MALFORMED")            \
  X(INFLATE, "ERR_AGORA_TOKEN_MALFORMED")           \
  X(INFLATE_LIMIT, "ERR_AGORA_TOKEN_TOO_LARGE")     \
  X(TRUNCATED, "ERR_AGORA_TOKEN_MALFORMED")         \
  X(CRYPTO, "ERR_AGORA_CRYPTO")                     \
  X(ZLIB, "ERR_AGORA_ZLIB")                         \
  X(NOMEM, "ERR_AGORA_NOMEM")

/* The code of a status (ERR_AGORA_INTERNAL for one outside the table). */
const char *bnd_status_code(act_status st);

/* Throws the error of a failed core call; reason = the status name for ERR_AGORA_TOKEN_MALFORMED. */
void bnd_throw_status(napi_env env, act_status st);
/* Throws the error of a status met while reading argument `arg` (its name kept as err.argument). */
void bnd_throw_status_arg(napi_env env, act_status st, const char *arg);
/* ERR_INVALID_ARG_TYPE: The "arg" argument must be `what`. */
void bnd_throw_type(napi_env env, const char *arg, const char *what);
/* ERR_OUT_OF_RANGE: The value of "arg" is out of range. It must be `what`. */
void bnd_throw_range(napi_env env, const char *arg, const char *what);
/* Any registered code with a fixed message. */
void bnd_throw_code(napi_env env, const char *code, const char *message);
/* After a failed Node-API call: throws ERR_AGORA_INTERNAL unless an exception is pending already. */
void bnd_rethrow(napi_env env);

#endif
