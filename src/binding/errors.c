/* Error mapping: core statuses and argument faults -> JS errors (see errors.h). */
#include "errors.h"

#include <stdio.h>
#include <string.h>

#include "../core/include/act_status.h"

#define BND_CODE_ROW_(status, code) [ACT_ERR_##status] = code,
static const char *const kCodes[ACT_STATUS_COUNT] = {BND_STATUS_CODES(BND_CODE_ROW_)};
#undef BND_CODE_ROW_

const char *bnd_status_code(act_status st) {
  return ((unsigned)st < ACT_STATUS_COUNT && kCodes[st]) ? kCodes[st] : "ERR_AGORA_INTERNAL";
}

/* new Error(message) with code, and argument / reason when given; thrown. */
static void throw_with(napi_env env, const char *code, const char *message, const char *argument, const char *reason) {
  napi_value c, m, err, v;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &m) != napi_ok ||
      napi_create_error(env, c, m, &err) != napi_ok) {
    bnd_rethrow(env);
    return;
  }
  if (argument && (napi_create_string_utf8(env, argument, NAPI_AUTO_LENGTH, &v) != napi_ok ||
                   napi_set_named_property(env, err, "argument", v) != napi_ok)) {
    bnd_rethrow(env);
    return;
  }
  if (reason && (napi_create_string_utf8(env, reason, NAPI_AUTO_LENGTH, &v) != napi_ok ||
                 napi_set_named_property(env, err, "reason", v) != napi_ok)) {
    bnd_rethrow(env);
    return;
  }
  napi_throw(env, err);
}

void bnd_throw_status_arg(napi_env env, act_status st, const char *arg) {
  const char *code = bnd_status_code(st);
  const char *reason = strcmp(code, "ERR_AGORA_TOKEN_MALFORMED") == 0 ? act_status_name(st) : NULL;
  throw_with(env, code, act_status_message(st), arg, reason);
}

void bnd_throw_status(napi_env env, act_status st) { bnd_throw_status_arg(env, st, NULL); }

void bnd_throw_type(napi_env env, const char *arg, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "The \"%s\" argument must be %s", arg, what);
  throw_with(env, "ERR_INVALID_ARG_TYPE", msg, arg, NULL);
}

void bnd_throw_range(napi_env env, const char *arg, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "The value of \"%s\" is out of range. It must be %s", arg, what);
  throw_with(env, "ERR_OUT_OF_RANGE", msg, arg, NULL);
}

void bnd_throw_code(napi_env env, const char *code, const char *message) { throw_with(env, code, message, NULL, NULL); }

void bnd_rethrow(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *e = NULL;
    napi_get_last_error_info(env, &e);
    napi_throw_error(env, "ERR_AGORA_INTERNAL", (e && e->error_message) ? e->error_message : "Node-API call failed");
  }
}
