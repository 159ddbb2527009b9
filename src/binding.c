/* Node-API binding: argument conversion, errors and calls into src/core.
 * Each export reads its arguments into C buffers, makes one core call and
 * turns the result (or status) into JS. Context-aware: all state lives in the
 * per-environment instance data, so the main thread and every worker get their own. */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "core/act.h"
#include "napi_util.h"

#define ARENA_SIZE (160 * 1024)

typedef struct {
  act_ctx *ctx;
  act_token007_view view7;
  act_token006_view view6;
  char out[ACT_TOKEN007_MAX_OUT > ACT_TOKEN006_MAX_OUT ? ACT_TOKEN007_MAX_OUT : ACT_TOKEN006_MAX_OUT];
  char token[ACT_STRBUF(ACT_MAX_TOKEN_LEN)];
  char s1[ACT_STRBUF(ACT_MAX_FIELD)]; /* channel name */
  char s2[ACT_STRBUF(ACT_MAX_FIELD)]; /* account or uid */
  uint8_t arena[ARENA_SIZE];
  int busy; /* an export is running: the buffers above are in use */
} instance;

static instance *get_instance(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) {
    napi_throw_error(env, "ERR_AGORA_INTERNAL", "agora-call-token is not initialised in this environment");
    return NULL;
  }
  return data;
}

/* Throws the JS error for a core status: parse failures are TypeErrors with
 * code ERR_AGORA_TOKEN_MALFORMED, size limits RangeErrors. Messages come from
 * the core's fixed table and never contain input. */
static void throw_status(napi_env env, act_status st) {
  char code[64];
  const char *msg = act_status_message(st);
  napi_value err = NULL, reason = NULL;
  switch (st) {
    case ACT_ERR_TOKEN_TOO_LONG:
    case ACT_ERR_INFLATE_LIMIT:
      napi_throw_range_error(env, "ERR_AGORA_TOKEN_TOO_LARGE", msg);
      return;
    case ACT_ERR_VERSION:
    case ACT_ERR_BASE64:
    case ACT_ERR_INFLATE:
    case ACT_ERR_TRUNCATED:
      snprintf(code, sizeof code, "ERR_AGORA_TOKEN_MALFORMED");
      break;
    case ACT_ERR_APP_ID:
    case ACT_ERR_APP_CERTIFICATE:
    case ACT_ERR_SERVICE_TYPE:
    case ACT_ERR_DUPLICATE:
    case ACT_ERR_NO_SERVICES:
      napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", msg);
      return;
    case ACT_ERR_FIELD_TOO_LONG:
    case ACT_ERR_TOO_MANY:
    case ACT_ERR_CONTENT_TOO_LARGE:
      napi_throw_range_error(env, "ERR_AGORA_TOKEN_TOO_LARGE", msg);
      return;
    default:
      snprintf(code, sizeof code, "ERR_AGORA_%s", act_status_name(st));
      napi_throw_error(env, code, msg);
      return;
  }
  napi_value c, m;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m) != napi_ok ||
      napi_create_type_error(env, c, m, &err) != napi_ok ||
      napi_create_string_utf8(env, act_status_name(st), NAPI_AUTO_LENGTH, &reason) != napi_ok ||
      napi_set_named_property(env, err, "reason", reason) != napi_ok) {
    act_napi_rethrow(env);
    return;
  }
  napi_throw(env, err);
}

/* Reads the certificate; on any failure its partial copy is wiped too. */
static int get_cert(napi_env env, napi_value v, char cert[ACT_STRBUF(ACT_ID_LEN)], size_t *n) {
  if (act_get_string(env, v, "appCertificate", cert, ACT_ID_LEN, n)) return 1;
  act_wipe(cert, ACT_STRBUF(ACT_ID_LEN));
  return 0;
}

/* The token a builder left in in->out, or the error for its status. */
static napi_value token_result(napi_env env, instance *in, act_status st, size_t n) {
  napi_value v;
  if (st != ACT_OK) {
    throw_status(env, st);
    return NULL;
  }
  NAPI(napi_create_string_latin1(env, in->out, n, &v));
  return v;
}

/* buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin)
 * audio/video/data/rtmLogin: -1 leaves that privilege (or the RTM service) out. */
static napi_value build_rtc_impl(napi_env env, napi_callback_info info) {
  ARGS(12);
  instance *in = get_instance(env);
  if (!in) return NULL;
  char app_id[ACT_STRBUF(ACT_ID_LEN)], cert[ACT_STRBUF(ACT_ID_LEN)];
  char *channel = in->s1, *account = in->s2;
  size_t app_id_n, cert_n, channel_n, account_n;
  uint32_t issue_ts, expire, salt, join, opt[4];
  int present[4];
  static const char *const names[4] = {"publishAudio", "publishVideo", "publishData", "rtmLogin"};
  if (!act_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !act_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
      !act_get_string(env, argv[3], "account", account, ACT_MAX_FIELD, &account_n) ||
      !act_get_u32(env, argv[4], "issueTs", &issue_ts) || !act_get_u32(env, argv[5], "expire", &expire) ||
      !act_get_u32(env, argv[6], "salt", &salt) || !act_get_u32(env, argv[7], "joinChannel", &join))
    return NULL;
  for (int i = 0; i < 4; i++)
    if (!act_get_opt_u32(env, argv[8 + i], names[i], &opt[i], &present[i])) return NULL;
  if (!get_cert(env, argv[1], cert, &cert_n)) return NULL;

  act_rtc_spec spec = {{channel, channel_n}, {account, account_n}, join, {opt[0], opt[1], opt[2]},
                       (unsigned)(present[0] | present[1] << 1 | present[2] << 2), present[3], opt[3]};
  act_rtc_layout layout;
  act_rtc_layout_fill(&spec, &layout);
  act_token007_in tin = {{app_id, app_id_n}, {cert, cert_n}, issue_ts, expire, salt, layout.services, layout.n_services};
  size_t n = 0;
  act_status st = act_token007_build(in->ctx, &tin, in->out, sizeof in->out, &n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, n);
}

/* Room from the arena; when it is used up the payload is over its limit anyway. */
static void *arena_alloc(napi_env env, act_arena *a, size_t n) {
  void *p = act_arena_alloc(a, n);
  if (!p) throw_status(env, ACT_ERR_CONTENT_TOO_LARGE);
  return p;
}

/* Copies a JS string into the arena: a field over 65535 bytes cannot be packed,
 * and strings that together overflow the arena overflow the payload too. */
static int arena_string(napi_env env, act_arena *a, napi_value v, const char *arg, act_str *out) {
  napi_valuetype t;
  size_t full = 0, len = 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    act_throw_type(env, arg, "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, &full) != napi_ok) {
    act_napi_rethrow(env);
    return 0;
  }
  if (full > ACT_MAX_FIELD) {
    throw_status(env, ACT_ERR_FIELD_TOO_LONG);
    return 0;
  }
  char *dst = act_arena_alloc(a, full + 1);
  if (!dst) {
    throw_status(env, ACT_ERR_CONTENT_TOO_LARGE);
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, dst, full + 1, &len) != napi_ok) {
    act_napi_rethrow(env);
    return 0;
  }
  out->p = dst;
  out->n = len;
  return 1;
}

static int get_array(napi_env env, napi_value v, const char *arg, uint32_t *len) {
  bool is = false;
  if (napi_is_array(env, v, &is) != napi_ok || !is) {
    act_throw_type(env, arg, "an array");
    return 0;
  }
  return napi_get_array_length(env, v, len) == napi_ok;
}

static int element(napi_env env, napi_value arr, uint32_t i, napi_value *out) {
  return napi_get_element(env, arr, i, out) == napi_ok;
}

/* [key, value, key, value, ...] (n elements) -> n / 2 privileges. */
static int read_privs(napi_env env, napi_value arr, uint32_t n, act_priv *out) {
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value k, v;
    uint32_t key, value;
    if (!element(env, arr, i, &k) || !element(env, arr, i + 1, &v) || !act_get_u32(env, k, "privilege key", &key) ||
        !act_get_u32(env, v, "privilege value", &value))
      return 0;
    if (key > 0xffff) {
      act_throw_range(env, "privilege key", "an integer >= 0 and <= 65535");
      return 0;
    }
    out[i / 2] = (act_priv){(uint16_t)key, value};
  }
  return 1;
}

/* A normalized service from lib/: [type, [k, v, k, v, ...], str1, str2, role, perms]
 * with perms = [resourceType, permissionType, [resources...], ...] (RTM2 only).
 * str1/str2 are channelName/account, userId/"", or roomUuid/userUuid by type. */
static int read_service(napi_env env, act_arena *a, napi_value v, act_service *s) {
  napi_value f[6];
  uint32_t type, n;
  memset(s, 0, sizeof *s);
  for (uint32_t i = 0; i < 6; i++)
    if (!element(env, v, i, &f[i])) return 0;
  if (!act_get_u32(env, f[0], "service.type", &type)) return 0;
  s->type = (uint16_t)type;
  if (type > 0xffff) {
    act_throw_range(env, "service.type", "an integer >= 0 and <= 65535");
    return 0;
  }
  if (!get_array(env, f[1], "service.privileges", &n)) return 0;
  if (n / 2 > ACT_MAX_PRIVS) {
    napi_throw_range_error(env, "ERR_AGORA_TOKEN_TOO_LARGE", act_status_message(ACT_ERR_TOO_MANY));
    return 0;
  }
  act_priv *privs = arena_alloc(env, a, sizeof(act_priv) * (n / 2 + 1));
  if (!privs) return 0;
  if (!read_privs(env, f[1], n, privs)) return 0;
  s->privs = privs;
  s->n_privs = n / 2;
  act_str s1 = {0}, s2 = {0};
  switch (act_service_fields(s->type)) {
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      if (!arena_string(env, a, f[2], "channelName", &s1) || !arena_string(env, a, f[3], "account", &s2)) return 0;
      s->channel = s1;
      s->account = s2;
      break;
    case ACT_FIELDS_USER:
      if (!arena_string(env, a, f[2], "userId", &s1)) return 0;
      s->user_id = s1;
      break;
    case ACT_FIELDS_APAAS: {
      int32_t role;
      if (!arena_string(env, a, f[2], "roomUuid", &s1) || !arena_string(env, a, f[3], "userUuid", &s2) ||
          napi_get_value_int32(env, f[4], &role) != napi_ok) {
        act_napi_rethrow(env);
        return 0;
      }
      s->room_uuid = s1;
      s->user_uuid = s2;
      s->role = (int16_t)role;
      break;
    }
    case ACT_FIELDS_RTM2: {
      if (!arena_string(env, a, f[2], "userId", &s1) || !get_array(env, f[5], "permissions", &n)) return 0;
      s->user_id = s1;
      size_t n_perms = n / 3;
      if (n_perms > ACT_MAX_PERMS) {
        napi_throw_range_error(env, "ERR_AGORA_TOKEN_TOO_LARGE", act_status_message(ACT_ERR_TOO_MANY));
        return 0;
      }
      act_perm *perms = arena_alloc(env, a, sizeof(act_perm) * (n_perms + 1));
      if (!perms) return 0;
      for (size_t i = 0; i < n_perms; i++) {
        napi_value rt, pt, list, item;
        uint32_t rtv, ptv, count;
        if (!element(env, f[5], (uint32_t)(3 * i), &rt) || !element(env, f[5], (uint32_t)(3 * i + 1), &pt) ||
            !element(env, f[5], (uint32_t)(3 * i + 2), &list) || !act_get_u32(env, rt, "resourceType", &rtv) ||
            !act_get_u32(env, pt, "permissionType", &ptv) || !get_array(env, list, "resources", &count))
          return 0;
        if (rtv > 0xffff || ptv > 0xffff || count > 0xffff) {
          act_throw_range(env, "permissions", "made of 16-bit types and at most 65535 resources");
          return 0;
        }
        act_str *res = arena_alloc(env, a, sizeof(act_str) * (count + 1));
        if (!res) return 0;
        for (uint32_t k = 0; k < count; k++)
          if (!element(env, list, k, &item) || !arena_string(env, a, item, "resource", &res[k])) return 0;
        perms[i] = (act_perm){(uint16_t)rtv, (uint16_t)ptv, res, count};
      }
      s->perms = perms;
      s->n_perms = n_perms;
      break;
    }
    default:
      break;
  }
  return 1;
}

/* build007(appId, cert, issueTs, expire, salt, services) with services normalized by lib/. */
static napi_value build007_impl(napi_env env, napi_callback_info info) {
  ARGS(6);
  instance *in = get_instance(env);
  if (!in) return NULL;
  char app_id[ACT_STRBUF(ACT_ID_LEN)], cert[ACT_STRBUF(ACT_ID_LEN)];
  size_t app_id_n, cert_n;
  uint32_t issue_ts, expire, salt, n_services;
  if (!act_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !act_get_u32(env, argv[2], "issueTs", &issue_ts) || !act_get_u32(env, argv[3], "expire", &expire) ||
      !act_get_u32(env, argv[4], "salt", &salt) || !get_array(env, argv[5], "services", &n_services))
    return NULL;
  if (n_services > ACT_MAX_SERVICES) {
    throw_status(env, ACT_ERR_TOO_MANY);
    return NULL;
  }
  act_arena a = {in->arena, sizeof in->arena, 0};
  act_service *svcs = arena_alloc(env, &a, sizeof(act_service) * (n_services + 1));
  if (!svcs) return NULL;
  for (uint32_t i = 0; i < n_services; i++) {
    napi_value v;
    if (!element(env, argv[5], i, &v) || !read_service(env, &a, v, &svcs[i])) {
      act_napi_rethrow(env);
      return NULL;
    }
  }
  if (!get_cert(env, argv[1], cert, &cert_n)) return NULL;
  act_token007_in tin = {{app_id, app_id_n}, {cert, cert_n}, issue_ts, expire, salt, svcs, n_services};
  size_t n = 0;
  act_status st = act_token007_build(in->ctx, &tin, in->out, sizeof in->out, &n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, n);
}

/* Appends values to a JS array; the first failure sticks. */
typedef struct {
  napi_env env;
  napi_value arr;
  uint32_t at;
  int failed;
} pusher;

static void push(pusher *p, napi_value v) {
  if (!p->failed && (!v || napi_set_element(p->env, p->arr, p->at++, v) != napi_ok)) p->failed = 1;
}

static void push_u32(pusher *p, uint32_t x) {
  napi_value v = NULL;
  if (!p->failed && napi_create_uint32(p->env, x, &v) != napi_ok) p->failed = 1;
  push(p, v);
}

static void push_str(pusher *p, act_str s) {
  napi_value v = NULL;
  if (!p->failed && napi_create_string_utf8(p->env, s.n ? s.p : "", s.n, &v) != napi_ok) p->failed = 1;
  push(p, v);
}

/* An RTM2 tree as a flat array of (resourceType, permissionType, resource)
 * triples, resource null for a permission type that lists none; lib/ nests it. */
static void perm_cb(void *user, uint16_t rt, uint16_t pt, const act_str *resource) {
  pusher *p = user;
  napi_value none = NULL;
  push_u32(p, rt);
  push_u32(p, pt);
  if (resource) {
    push_str(p, *resource);
  } else {
    if (!p->failed && napi_get_null(p->env, &none) != napi_ok) p->failed = 1;
    push(p, none);
  }
}

/* A parsed "007" token for lib/ to turn into objects: its numbers go straight
 * into the caller's Uint32Array (no Node-API call each), its strings into one
 * small array.
 *   nums:    issueTs, expire, salt, serviceCount, then per service: type,
 *            fieldKind, privilegeCount, key, value, ..., and for APaaS the role
 *            (an int16, sign-extended)
 *   strings: appId, then per service the strings of its kind (act_fields):
 *            channel, account | userId | roomUuid, userUuid |
 *            userId, [rt, pt, resource, ...] (see perm_cb) */
static napi_value view007_out(napi_env env, const act_token007_view *v, uint32_t *nums, size_t cap) {
  size_t at = 0;
  pusher p = {env, NULL, 0, 0};
#define NUM(x)                 \
  do {                         \
    if (at == cap) goto full;  \
    nums[at++] = (uint32_t)(x); \
  } while (0)
  NAPI(napi_create_array(env, &p.arr));
  push_str(&p, v->app_id);
  NUM(v->issue_ts);
  NUM(v->expire);
  NUM(v->salt);
  NUM(v->n_services);
  for (size_t i = 0; i < v->n_services; i++) {
    const act_service_view *s = &v->services[i];
    act_fields kind = act_service_fields(s->type);
    NUM(s->type);
    NUM(kind);
    NUM(s->n_privs);
    for (size_t k = 0; k < s->n_privs; k++) {
      NUM(s->privs[k].key);
      NUM(s->privs[k].value);
    }
    switch (kind) {
      case ACT_FIELDS_CHANNEL_ACCOUNT:
        push_str(&p, s->channel);
        push_str(&p, s->account);
        break;
      case ACT_FIELDS_USER:
        push_str(&p, s->user_id);
        break;
      case ACT_FIELDS_APAAS:
        push_str(&p, s->room_uuid);
        push_str(&p, s->user_uuid);
        NUM((int32_t)s->role);
        break;
      case ACT_FIELDS_RTM2: {
        pusher perms = {env, NULL, 0, p.failed};
        push_str(&p, s->user_id);
        if (!perms.failed && napi_create_array(env, &perms.arr) != napi_ok) perms.failed = 1;
        if (!perms.failed) act_rtm2_walk(s->perms, perm_cb, &perms);
        push(&p, perms.failed ? NULL : perms.arr);
        break;
      }
      default:
        break;
    }
  }
#undef NUM
  if (p.failed) {
    act_napi_rethrow(env);
    return NULL;
  }
  return p.arr;
full:
  throw_status(env, ACT_ERR_TOO_MANY);
  return NULL;
}

/* The caller's Uint32Array that view007_out writes the numbers into. */
static int get_nums_out(napi_env env, napi_value v, uint32_t **out, size_t *cap) {
  bool typed = false;
  napi_typedarray_type tt;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, v, &tt, cap, &data, NULL, NULL) != napi_ok || tt != napi_uint32_array) {
    act_throw_type(env, "numbers", "a Uint32Array");
    return 0;
  }
  *out = data;
  return 1;
}

/* The verify exports report the signature check by writing 1 or 0 into the
 * caller's Int32Array, not through a property: a setter planted on a
 * prototype can neither swallow nor fake it. */
static int get_match_out(napi_env env, napi_value v, int32_t **out) {
  bool typed = false;
  napi_typedarray_type tt;
  size_t len = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, v, &tt, &len, &data, NULL, NULL) != napi_ok || tt != napi_int32_array || len < 1) {
    act_throw_type(env, "match", "an Int32Array");
    return 0;
  }
  *out = data;
  return 1;
}

/* Reads the token argument into the instance's buffer; too long is refused before decoding. */
static int get_token(napi_env env, instance *in, napi_value v, size_t *n) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    act_throw_type(env, "token", "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, in->token, sizeof in->token, n) != napi_ok) {
    act_napi_rethrow(env);
    return 0;
  }
  if (*n > ACT_MAX_TOKEN_LEN) {
    throw_status(env, ACT_ERR_TOKEN_TOO_LONG);
    return 0;
  }
  return 1;
}

/* parse007(token, Uint32Array nums) -> strings;
 * verify007(token, cert, Int32Array match, Uint32Array nums) -> strings (see view007_out) */
static napi_value read007(napi_env env, napi_callback_info info, int verify) {
  ARGS(4);
  instance *in = get_instance(env);
  size_t n = 0, cert_n = 0, cap = 0;
  char cert[ACT_STRBUF(ACT_ID_LEN)];
  int32_t *match_out = NULL;
  uint32_t *nums = NULL;
  if (!in || !get_token(env, in, argv[0], &n) || !get_nums_out(env, argv[verify ? 3 : 1], &nums, &cap)) return NULL;
  if (verify && (!get_match_out(env, argv[2], &match_out) || !get_cert(env, argv[1], cert, &cert_n))) return NULL;
  act_status st = act_token007_parse(in->ctx, in->token, n, &in->view7);
  int match = 0;
  if (st == ACT_OK && verify) st = act_token007_check(in->ctx, &in->view7, (act_str){cert, cert_n}, &match);
  if (verify) {
    act_wipe(cert, sizeof cert);
    *match_out = match;
  }
  if (st != ACT_OK) {
    throw_status(env, st);
    return NULL;
  }
  return view007_out(env, &in->view7, nums, cap);
}

static napi_value parse007_impl(napi_env env, napi_callback_info info) { return read007(env, info, 0); }
static napi_value verify007_impl(napi_env env, napi_callback_info info) { return read007(env, info, 1); }

/* build006(appId, cert, channel, uid, salt, ts, [k, v, ...]) */
static napi_value build006_impl(napi_env env, napi_callback_info info) {
  ARGS(7);
  instance *in = get_instance(env);
  if (!in) return NULL;
  char app_id[ACT_STRBUF(ACT_ID_LEN)], cert[ACT_STRBUF(ACT_ID_LEN)];
  char *channel = in->s1, *uid = in->s2;
  size_t app_id_n, cert_n, channel_n, uid_n;
  uint32_t salt, ts, n;
  act_priv privs[ACT_MAX_PRIVS];
  if (!act_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !act_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
      !act_get_string(env, argv[3], "uid", uid, ACT_MAX_FIELD, &uid_n) || !act_get_u32(env, argv[4], "salt", &salt) ||
      !act_get_u32(env, argv[5], "ts", &ts) || !get_array(env, argv[6], "privileges", &n))
    return NULL;
  if (n / 2 > ACT_MAX_PRIVS) {
    throw_status(env, ACT_ERR_TOO_MANY);
    return NULL;
  }
  if (!read_privs(env, argv[6], n, privs)) return NULL;
  if (!get_cert(env, argv[1], cert, &cert_n)) return NULL;
  act_token006_in tin = {{app_id, app_id_n}, {cert, cert_n}, {channel, channel_n}, {uid, uid_n}, salt, ts, privs, n / 2};
  size_t out_n = 0;
  act_status st = act_token006_build(in->ctx, &tin, in->out, sizeof in->out, &out_n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, out_n);
}

/* A parsed "006" token as one flat array for lib/:
 *   appId, crcChannelName, crcUid, salt, ts, privilegeCount, key, value, ... */
static napi_value view006_flat(napi_env env, const act_token006_view *v) {
  pusher p = {env, NULL, 0, 0};
  NAPI(napi_create_array(env, &p.arr));
  push_str(&p, v->app_id);
  push_u32(&p, v->crc_channel);
  push_u32(&p, v->crc_uid);
  push_u32(&p, v->salt);
  push_u32(&p, v->ts);
  push_u32(&p, (uint32_t)v->n_privs);
  for (size_t k = 0; k < v->n_privs; k++) {
    push_u32(&p, v->privs[k].key);
    push_u32(&p, v->privs[k].value);
  }
  if (p.failed) {
    act_napi_rethrow(env);
    return NULL;
  }
  return p.arr;
}

/* parse006(token) -> flat array; verify006(token, cert, channel, uid, Int32Array match) -> flat array */
static napi_value read006(napi_env env, napi_callback_info info, int verify) {
  ARGS(5);
  instance *in = get_instance(env);
  size_t n = 0, cert_n = 0, channel_n = 0, uid_n = 0;
  char cert[ACT_STRBUF(ACT_ID_LEN)];
  int32_t *match_out = NULL;
  if (!in || !get_token(env, in, argv[0], &n)) return NULL;
  char *channel = in->s1, *uid = in->s2;
  if (verify && (!get_match_out(env, argv[4], &match_out) ||
                 !act_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
                 !act_get_string(env, argv[3], "uid", uid, ACT_MAX_FIELD, &uid_n) || !get_cert(env, argv[1], cert, &cert_n)))
    return NULL;
  act_status st = act_token006_parse(in->ctx, in->token, n, &in->view6);
  int match = 0;
  if (st == ACT_OK && verify)
    st = act_token006_check(in->ctx, &in->view6, (act_str){cert, cert_n}, (act_str){channel, channel_n},
                            (act_str){uid, uid_n}, &match);
  if (verify) {
    act_wipe(cert, sizeof cert);
    *match_out = match;
  }
  if (st != ACT_OK) {
    throw_status(env, st);
    return NULL;
  }
  return view006_flat(env, &in->view6);
}

/* _deflate(Uint8Array) -> Buffer: the token deflater on its own, for the
 * differential test against zlib.deflateSync. At most ACT_MAX_CONTENT bytes. */
static napi_value deflate_export_impl(napi_env env, napi_callback_info info) {
  ARGS(1);
  instance *in = get_instance(env);
  bool typed = false;
  napi_typedarray_type tt;
  size_t len = 0, zn = 0;
  void *data = NULL;
  if (!in) return NULL;
  if (napi_is_typedarray(env, argv[0], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[0], &tt, &len, &data, NULL, NULL) != napi_ok || tt != napi_uint8_array) {
    act_throw_type(env, "data", "a Uint8Array");
    return NULL;
  }
  if (len > ACT_MAX_CONTENT) {
    act_throw_range(env, "data", "at most the token payload limit in length");
    return NULL;
  }
  act_status st = act_deflate(&in->ctx->z, data, len, in->ctx->zbuf, sizeof in->ctx->zbuf, &zn);
  if (st != ACT_OK) {
    throw_status(env, st);
    return NULL;
  }
  napi_value out;
  NAPI(napi_create_buffer_copy(env, zn, in->ctx->zbuf, NULL, &out));
  return out;
}


static napi_value parse006_impl(napi_env env, napi_callback_info info) { return read006(env, info, 0); }
static napi_value verify006_impl(napi_env env, napi_callback_info info) { return read006(env, info, 1); }

/* Every export runs with its instance marked busy: JS that runs in the middle
 * of a call (a getter, a setter on Object.prototype, a proxy trap) and calls
 * the addon again would otherwise overwrite the buffers the first call is using. */
static napi_value guarded(napi_env env, napi_callback_info info, napi_callback impl) {
  instance *in = get_instance(env);
  if (!in) return NULL;
  if (in->busy) {
    napi_throw_error(env, "ERR_AGORA_REENTRANT",
                     "agora-call-token was called again from inside one of its own calls (a getter, setter or proxy)");
    return NULL;
  }
  in->busy = 1;
  napi_value result = impl(env, info);
  in->busy = 0;
  return result;
}

#define GUARDED(name) \
  static napi_value name(napi_env env, napi_callback_info info) { return guarded(env, info, name##_impl); }
GUARDED(build_rtc)
GUARDED(build007)
GUARDED(parse007)
GUARDED(verify007)
GUARDED(build006)
GUARDED(parse006)
GUARDED(verify006)
GUARDED(deflate_export)

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  instance *in = data;
  act_ctx_free(in->ctx);
  act_wipe(in->token, sizeof in->token);
  free(in);
}

static napi_value init(napi_env env, napi_value exports) {
  instance *in = malloc(sizeof *in);
  if (in) in->busy = 0;
  if (!in || !(in->ctx = act_ctx_new())) {
    free(in);
    napi_throw_error(env, "ERR_AGORA_INTERNAL", "cannot allocate the token context");
    return NULL;
  }
  if (napi_set_instance_data(env, in, finalize_instance, NULL) != napi_ok) {
    act_ctx_free(in->ctx);
    free(in);
    act_napi_rethrow(env);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"buildRtc", NULL, build_rtc, NULL, NULL, NULL, napi_enumerable, NULL},
      {"build007", NULL, build007, NULL, NULL, NULL, napi_enumerable, NULL},
      {"parse007", NULL, parse007, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verify007", NULL, verify007, NULL, NULL, NULL, napi_enumerable, NULL},
      {"build006", NULL, build006, NULL, NULL, NULL, napi_enumerable, NULL},
      {"parse006", NULL, parse006, NULL, NULL, NULL, napi_enumerable, NULL},
      {"verify006", NULL, verify006, NULL, NULL, NULL, napi_enumerable, NULL},
      {"_deflate", NULL, deflate_export, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  napi_value limits;
  NAPI(napi_create_object(env, &limits));
  if (!act_set_u32(env, limits, "maxTokenLength", ACT_MAX_TOKEN_LEN) ||
      !act_set_u32(env, limits, "maxPayloadBytes", ACT_MAX_CONTENT) ||
      !act_set_u32(env, limits, "maxServices", ACT_MAX_SERVICES) ||
      !act_set_u32(env, limits, "maxPrivileges", ACT_MAX_PRIVS) ||
      !act_set_u32(env, limits, "maxPermissions", ACT_MAX_PERMS)) {
    act_napi_rethrow(env);
    return NULL;
  }
  NAPI(napi_set_named_property(env, exports, "limits", limits));
  napi_value kinds;
  NAPI(napi_create_object(env, &kinds));
  if (!act_set_u32(env, kinds, "NONE", ACT_FIELDS_NONE) || !act_set_u32(env, kinds, "CHANNEL_ACCOUNT", ACT_FIELDS_CHANNEL_ACCOUNT) ||
      !act_set_u32(env, kinds, "USER", ACT_FIELDS_USER) || !act_set_u32(env, kinds, "APAAS", ACT_FIELDS_APAAS) ||
      !act_set_u32(env, kinds, "RTM2", ACT_FIELDS_RTM2)) {
    act_napi_rethrow(env);
    return NULL;
  }
  NAPI(napi_set_named_property(env, exports, "fieldKinds", kinds));
  /* serviceKinds[type]: the field kind of each service type the core knows (1..). */
  napi_value service_kinds, kind_v;
  NAPI(napi_create_array(env, &service_kinds));
  for (uint16_t type = 0; type < 64; type++) {
    act_fields f = act_service_fields(type);
    if (f == ACT_FIELDS_UNKNOWN) continue;
    NAPI(napi_create_uint32(env, (uint32_t)f, &kind_v));
    NAPI(napi_set_element(env, service_kinds, type, kind_v));
  }
  NAPI(napi_set_named_property(env, exports, "serviceKinds", service_kinds));
  napi_value service_names, name_v;
  NAPI(napi_create_array(env, &service_names));
  for (uint16_t type = 0; type < 64; type++) {
    const char *name = act_service_name(type);
    if (!name) continue;
    NAPI(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &name_v));
    NAPI(napi_set_element(env, service_names, type, name_v));
  }
  NAPI(napi_set_named_property(env, exports, "serviceNames", service_names));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
