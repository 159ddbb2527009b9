/* Marshalling helpers for binding.c: read arguments into C buffers, throw
 * Node-style errors (with a `code` and the argument's name), build results. */
#ifndef ACT_NAPI_UTIL_H
#define ACT_NAPI_UTIL_H

#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Every Node-API call goes through this: on failure throw (if nothing is
 * pending yet) and return NULL from the export. */
#define NAPI(call)                                             \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      act_napi_rethrow(env);                                   \
      return NULL;                                             \
    }                                                          \
  } while (0)

/* Declares argv[n] for an export with exactly n arguments (missing ones are undefined). */
#define ARGS(n)                                                \
  size_t argc = (n);                                           \
  napi_value argv[(n) > 0 ? (n) : 1];                          \
  NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

static inline void act_napi_rethrow(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *e = NULL;
    napi_get_last_error_info(env, &e);
    napi_throw_error(env, "ERR_AGORA_INTERNAL", (e && e->error_message) ? e->error_message : "Node-API call failed");
  }
}

static inline void act_throw_type(napi_env env, const char *arg, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "The \"%s\" argument must be %s", arg, what);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
}

static inline void act_throw_range(napi_env env, const char *arg, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "The value of \"%s\" is out of range. It must be %s", arg, what);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
}

/* Room a buffer needs for a string of at most n UTF-8 bytes: n, a NUL, and
 * 4 more so that a string cut by V8 at a character boundary still shows up as
 * longer than n (V8 never writes a partial character). */
#define ACT_STRBUF(n) ((n) + 5)

/* Copies a JS string's UTF-8 into buf (ACT_STRBUF(max) bytes). Returns 0 (with
 * a TypeError or RangeError thrown) when v is not a string or is over max bytes. */
static inline int act_get_string(napi_env env, napi_value v, const char *arg, char *buf, size_t max, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    act_throw_type(env, arg, "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, buf, ACT_STRBUF(max), len) != napi_ok) {
    act_napi_rethrow(env);
    return 0;
  }
  if (*len > max) {
    char what[64];
    snprintf(what, sizeof what, "at most %zu bytes in UTF-8", max);
    act_throw_range(env, arg, what);
    return 0;
  }
  return 1;
}

/* Reads an integer in [0, 2^32) exactly (no fraction, no coercion). */
static inline int act_get_u32(napi_env env, napi_value v, const char *arg, uint32_t *out) {
  napi_valuetype t;
  double d;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    act_throw_type(env, arg, "of type number");
    return 0;
  }
  napi_get_value_double(env, v, &d);
  if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d) {
    act_throw_range(env, arg, "an integer >= 0 and <= 4294967295");
    return 0;
  }
  *out = (uint32_t)d;
  return 1;
}

/* Like act_get_u32, but undefined or -1 means "absent" (returns 1, *present = 0). */
static inline int act_get_opt_u32(napi_env env, napi_value v, const char *arg, uint32_t *out, int *present) {
  napi_valuetype t;
  double d;
  *present = 0;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_undefined) return 1;
  if (t == napi_number && napi_get_value_double(env, v, &d) == napi_ok && d == -1) return 1;
  *present = 1;
  return act_get_u32(env, v, arg, out);
}

static inline napi_value act_string(napi_env env, const char *p, size_t n) {
  napi_value v = NULL;
  if (napi_create_string_utf8(env, n ? p : "", n, &v) != napi_ok) act_napi_rethrow(env);
  return v;
}

static inline int act_set_str(napi_env env, napi_value obj, const char *key, const char *p, size_t n) {
  napi_value v = act_string(env, p, n);
  return v && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static inline int act_set_u32(napi_env env, napi_value obj, const char *key, uint32_t x) {
  napi_value v;
  return napi_create_uint32(env, x, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static inline int act_set_i32(napi_env env, napi_value obj, const char *key, int32_t x) {
  napi_value v;
  return napi_create_int32(env, x, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

/* A bump allocator over a fixed block: strings and arrays copied out of JS for one call. */
typedef struct {
  uint8_t *base;
  size_t cap;
  size_t used;
} act_arena;

static inline void *act_arena_alloc(act_arena *a, size_t n) {
  size_t at = (a->used + 15) & ~(size_t)15;
  if (at > a->cap || a->cap - at < n) return NULL;
  a->used = at + n;
  return a->base + at;
}

#endif
