/* Marshalling helpers for the binding: read arguments into C buffers, build
 * results. Every helper here is prefixed bnd_ (the core's own act_ names, such
 * as pack.h's act_get_u32, are another thing). Errors go through errors.h. */
#ifndef BND_NAPI_UTIL_H
#define BND_NAPI_UTIL_H

#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/include/act_limits.h"
#include "../core/include/act_types.h"
#include "errors.h"

/* Every Node-API call goes through this: on failure throw (if nothing is
 * pending yet) and return NULL from the export. */
#define NAPI(call)           \
  do {                       \
    if ((call) != napi_ok) { \
      bnd_rethrow(env);      \
      return NULL;           \
    }                        \
  } while (0)

/* Declares argv[n] for an export with exactly n arguments (missing ones are undefined). */
#define ARGS(n)                       \
  size_t argc = (n);                  \
  napi_value argv[(n) > 0 ? (n) : 1]; \
  NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

/* Room a buffer needs for a string of at most n UTF-8 bytes: n, a NUL, and
 * 4 more so that a string cut by V8 at a character boundary still shows up as
 * longer than n (V8 never writes a partial character). */
#define BND_STRBUF(n) ((n) + 5)

/* Copies a JS string's UTF-8 into buf (BND_STRBUF(max) bytes). Returns 0 (with
 * ERR_INVALID_ARG_TYPE or ERR_OUT_OF_RANGE thrown) when v is not a string or is over max bytes. */
static inline int bnd_get_string(napi_env env, napi_value v, const char *arg, char *buf, size_t max, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    bnd_throw_type(env, arg, "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, buf, BND_STRBUF(max), len) != napi_ok) {
    bnd_rethrow(env);
    return 0;
  }
  if (*len > max) {
    char what[64];
    snprintf(what, sizeof what, "at most %zu bytes in UTF-8", max);
    bnd_throw_range(env, arg, what);
    return 0;
  }
  return 1;
}

/* Reads an integer in [0, 2^32) exactly (no fraction, no coercion). */
static inline int bnd_get_u32(napi_env env, napi_value v, const char *arg, uint32_t *out) {
  napi_valuetype t;
  double d;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    bnd_throw_type(env, arg, "of type number");
    return 0;
  }
  napi_get_value_double(env, v, &d);
  if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
    bnd_throw_range(env, arg, "an integer >= 0 and <= 4294967295");
    return 0;
  }
  *out = (uint32_t)d;
  return 1;
}

/* Like bnd_get_u32, but undefined or -1 means "absent" (returns 1, *present = 0). */
static inline int bnd_get_opt_u32(napi_env env, napi_value v, const char *arg, uint32_t *out, int *present) {
  napi_valuetype t;
  double d;
  *present = 0;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_undefined) return 1;
  if (t == napi_number && napi_get_value_double(env, v, &d) == napi_ok && d == -1) return 1;
  *present = 1;
  return bnd_get_u32(env, v, arg, out);
}

/* A typed array of one type: its data and length, else ERR_INVALID_ARG_TYPE ("arg must be `what`"). */
static inline int bnd_get_typed(napi_env env, napi_value v, napi_typedarray_type want, const char *arg,
                                const char *what, void **data, size_t *len) {
  bool typed = false;
  napi_typedarray_type tt;
  if (napi_is_typedarray(env, v, &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, v, &tt, len, data, NULL, NULL) != napi_ok || tt != want) {
    bnd_throw_type(env, arg, what);
    return 0;
  }
  return 1;
}

static inline int bnd_get_array(napi_env env, napi_value v, const char *arg, uint32_t *len) {
  bool is = false;
  if (napi_is_array(env, v, &is) != napi_ok || !is) {
    bnd_throw_type(env, arg, "an array");
    return 0;
  }
  return napi_get_array_length(env, v, len) == napi_ok;
}

static inline int bnd_element(napi_env env, napi_value arr, uint32_t i, napi_value *out) {
  return napi_get_element(env, arr, i, out) == napi_ok;
}

static inline napi_value bnd_string(napi_env env, const char *p, size_t n) {
  napi_value v = NULL;
  if (napi_create_string_utf8(env, n ? p : "", n, &v) != napi_ok) bnd_rethrow(env);
  return v;
}

static inline int bnd_set_u32(napi_env env, napi_value obj, const char *key, uint32_t x) {
  napi_value v;
  return napi_create_uint32(env, x, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static inline int bnd_set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  return napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok &&
         napi_set_named_property(env, obj, key, v) == napi_ok;
}

/* Reads the certificate; on any failure its partial copy is wiped too. */
static inline int bnd_get_cert(napi_env env, napi_value v, char cert[BND_STRBUF(ACT_ID_LEN)], size_t *n) {
  if (bnd_get_string(env, v, "appCertificate", cert, ACT_ID_LEN, n)) return 1;
  act_wipe(cert, BND_STRBUF(ACT_ID_LEN));
  return 0;
}

/* Appends values to a JS array; the first failure sticks. */
typedef struct {
  napi_env env;
  napi_value arr;
  uint32_t at;
  int failed;
} bnd_pusher;

static inline void bnd_push(bnd_pusher *p, napi_value v) {
  if (!p->failed && (!v || napi_set_element(p->env, p->arr, p->at++, v) != napi_ok)) p->failed = 1;
}

static inline void bnd_push_u32(bnd_pusher *p, uint32_t x) {
  napi_value v = NULL;
  if (!p->failed && napi_create_uint32(p->env, x, &v) != napi_ok) p->failed = 1;
  bnd_push(p, v);
}

static inline void bnd_push_str(bnd_pusher *p, const char *s, size_t n) {
  napi_value v = NULL;
  if (!p->failed && napi_create_string_utf8(p->env, n ? s : "", n, &v) != napi_ok) p->failed = 1;
  bnd_push(p, v);
}

#endif
