/* The builders: buildRtc, build007 and build006. Each reads its arguments into
 * C buffers (the certificate onto the stack, wiped after the call), makes one
 * core call and returns the token string. lib/rtc.js and lib/token.js check and
 * normalise the options first; this layer checks again what it reads. */
#include <string.h>

#include "instance.h"

/* The token a builder left in in->out, or the error for its status. */
static napi_value token_result(napi_env env, bnd_instance *in, act_status st, size_t n) {
  napi_value v;
  if (st != ACT_OK) {
    bnd_throw_status(env, st);
    return NULL;
  }
  NAPI(napi_create_string_latin1(env, in->out, n, &v));
  return v;
}

/* buildRtc(appId, cert, channel, account, issueTs, expire, salt, join, audio, video, data, rtmLogin)
 * audio/video/data/rtmLogin: -1 leaves that privilege (or the RTM service) out. */
static napi_value build_rtc_impl(napi_env env, napi_callback_info info) {
  ARGS(12);
  bnd_instance *in = bnd_get_instance(env);
  if (!in) return NULL;
  char app_id[BND_STRBUF(ACT_ID_LEN)], cert[BND_STRBUF(ACT_ID_LEN)];
  char *channel = in->s1, *account = in->s2;
  size_t app_id_n, cert_n, channel_n, account_n;
  uint32_t issue_ts, expire, salt, join, opt[4];
  int present[4];
  static const char *const names[4] = {"publishAudio", "publishVideo", "publishData", "rtmLogin"};
  if (!bnd_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !bnd_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
      !bnd_get_string(env, argv[3], "account", account, ACT_MAX_FIELD, &account_n) ||
      !bnd_get_u32(env, argv[4], "issueTs", &issue_ts) || !bnd_get_u32(env, argv[5], "expire", &expire) ||
      !bnd_get_u32(env, argv[6], "salt", &salt) || !bnd_get_u32(env, argv[7], "joinChannel", &join))
    return NULL;
  for (int i = 0; i < 4; i++)
    if (!bnd_get_opt_u32(env, argv[8 + i], names[i], &opt[i], &present[i])) return NULL;
  if (!bnd_get_cert(env, argv[1], cert, &cert_n)) return NULL;

  act_rtc_spec spec = {{channel, channel_n},
                       {account, account_n},
                       join,
                       {opt[0], opt[1], opt[2]},
                       (unsigned)(present[0] | present[1] << 1 | present[2] << 2),
                       present[3],
                       opt[3]};
  act_rtc_layout layout;
  act_rtc_layout_fill(&spec, &layout);
  act_token007_in tin = {{app_id, app_id_n}, {cert, cert_n},   issue_ts, expire, salt,
                         layout.services,    layout.n_services};
  size_t n = 0;
  act_status st = act_token007_build(in->ctx, &tin, in->out, sizeof in->out, &n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, n);
}

/* A bump allocator over the instance's arena: the strings and arrays copied
 * out of JS for one build. When it is used up the payload is over its limit anyway. */
typedef struct {
  uint8_t *base;
  size_t cap;
  size_t used;
} arena;

static void *arena_alloc(napi_env env, arena *a, size_t n) {
  size_t at = (a->used + 15) & ~(size_t)15;
  if (at > a->cap || a->cap - at < n) {
    bnd_throw_status(env, ACT_ERR_CONTENT_TOO_LARGE);
    return NULL;
  }
  a->used = at + n;
  return a->base + at;
}

/* Copies a JS string into the arena: a field over 65535 bytes cannot be packed,
 * and strings that together overflow the arena overflow the payload too. */
static int arena_string(napi_env env, arena *a, napi_value v, const char *arg, act_str *out) {
  napi_valuetype t;
  size_t full = 0, len = 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    bnd_throw_type(env, arg, "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, &full) != napi_ok) {
    bnd_rethrow(env);
    return 0;
  }
  if (full > ACT_MAX_FIELD) {
    bnd_throw_status_arg(env, ACT_ERR_FIELD_TOO_LONG, arg);
    return 0;
  }
  char *dst = arena_alloc(env, a, full + 1);
  if (!dst) return 0;
  if (napi_get_value_string_utf8(env, v, dst, full + 1, &len) != napi_ok) {
    bnd_rethrow(env);
    return 0;
  }
  out->p = dst;
  out->n = len;
  return 1;
}

/* [key, value, key, value, ...] (n elements) -> n / 2 privileges. */
static int read_privs(napi_env env, napi_value arr, uint32_t n, act_priv *out) {
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value k, v;
    uint32_t key, value;
    if (!bnd_element(env, arr, i, &k) || !bnd_element(env, arr, i + 1, &v) ||
        !bnd_get_u32(env, k, "privilege key", &key) || !bnd_get_u32(env, v, "privilege value", &value))
      return 0;
    if (key > 0xffff) {
      bnd_throw_range(env, "privilege key", "an integer >= 0 and <= 65535");
      return 0;
    }
    out[i / 2] = (act_priv){(uint16_t)key, value};
  }
  return 1;
}

/* RTM2: [resourceType, permissionType, [resources...], ...] -> s->perms. */
static int read_perms(napi_env env, arena *a, napi_value flat, act_service *s) {
  uint32_t n;
  if (!bnd_get_array(env, flat, "permissions", &n)) return 0;
  size_t n_perms = n / 3;
  if (n_perms > ACT_MAX_PERMS) {
    bnd_throw_status_arg(env, ACT_ERR_TOO_MANY, "permissions");
    return 0;
  }
  act_perm *perms = arena_alloc(env, a, sizeof(act_perm) * (n_perms + 1));
  if (!perms) return 0;
  for (size_t i = 0; i < n_perms; i++) {
    napi_value rt, pt, list, item;
    uint32_t rtv, ptv, count;
    if (!bnd_element(env, flat, (uint32_t)(3 * i), &rt) || !bnd_element(env, flat, (uint32_t)(3 * i + 1), &pt) ||
        !bnd_element(env, flat, (uint32_t)(3 * i + 2), &list) || !bnd_get_u32(env, rt, "resourceType", &rtv) ||
        !bnd_get_u32(env, pt, "permissionType", &ptv) || !bnd_get_array(env, list, "resources", &count))
      return 0;
    if (rtv > 0xffff || ptv > 0xffff || count > 0xffff) {
      bnd_throw_range(env, "permissions", "made of 16-bit types and at most 65535 resources");
      return 0;
    }
    act_str *res = arena_alloc(env, a, sizeof(act_str) * (count + 1));
    if (!res) return 0;
    for (uint32_t k = 0; k < count; k++)
      if (!bnd_element(env, list, k, &item) || !arena_string(env, a, item, "resource", &res[k])) return 0;
    perms[i] = (act_perm){(uint16_t)rtv, (uint16_t)ptv, res, count};
  }
  s->perms = perms;
  s->n_perms = n_perms;
  return 1;
}

/* A normalized service from lib/: [type, [k, v, k, v, ...], str1, str2, role, perms]
 * with perms = [resourceType, permissionType, [resources...], ...] (RTM2 only).
 * str1/str2 are channelName/account, userId/"", or roomUuid/userUuid by field kind. */
static int read_service(napi_env env, arena *a, napi_value v, act_service *s) {
  napi_value f[6];
  uint32_t type, n;
  memset(s, 0, sizeof *s);
  for (uint32_t i = 0; i < 6; i++)
    if (!bnd_element(env, v, i, &f[i])) return 0;
  if (!bnd_get_u32(env, f[0], "service.type", &type)) return 0;
  s->type = (uint16_t)type;
  if (type > 0xffff) {
    bnd_throw_range(env, "service.type", "an integer >= 0 and <= 65535");
    return 0;
  }
  if (!bnd_get_array(env, f[1], "service.privileges", &n)) return 0;
  if (n / 2 > ACT_MAX_PRIVS) {
    bnd_throw_status_arg(env, ACT_ERR_TOO_MANY, "service.privileges");
    return 0;
  }
  act_priv *privs = arena_alloc(env, a, sizeof(act_priv) * (n / 2 + 1));
  if (!privs || !read_privs(env, f[1], n, privs)) return 0;
  s->privs = privs;
  s->n_privs = n / 2;
  switch (act_service_fields(s->type)) {
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      return arena_string(env, a, f[2], "channelName", &s->channel) &&
             arena_string(env, a, f[3], "account", &s->account);
    case ACT_FIELDS_USER:
      return arena_string(env, a, f[2], "userId", &s->user_id);
    case ACT_FIELDS_APAAS: {
      int32_t role;
      if (!arena_string(env, a, f[2], "roomUuid", &s->room_uuid) ||
          !arena_string(env, a, f[3], "userUuid", &s->user_uuid))
        return 0;
      if (napi_get_value_int32(env, f[4], &role) != napi_ok) {
        bnd_rethrow(env);
        return 0;
      }
      s->role = (int16_t)role;
      return 1;
    }
    case ACT_FIELDS_RTM2:
      return arena_string(env, a, f[2], "userId", &s->user_id) && read_perms(env, a, f[5], s);
    default:
      return 1;
  }
}

/* build007(appId, cert, issueTs, expire, salt, services) with services normalized by lib/. */
static napi_value build007_impl(napi_env env, napi_callback_info info) {
  ARGS(6);
  bnd_instance *in = bnd_get_instance(env);
  if (!in) return NULL;
  char app_id[BND_STRBUF(ACT_ID_LEN)], cert[BND_STRBUF(ACT_ID_LEN)];
  size_t app_id_n, cert_n;
  uint32_t issue_ts, expire, salt, n_services;
  if (!bnd_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !bnd_get_u32(env, argv[2], "issueTs", &issue_ts) || !bnd_get_u32(env, argv[3], "expire", &expire) ||
      !bnd_get_u32(env, argv[4], "salt", &salt) || !bnd_get_array(env, argv[5], "services", &n_services))
    return NULL;
  if (n_services > ACT_MAX_SERVICES) {
    bnd_throw_status_arg(env, ACT_ERR_TOO_MANY, "services");
    return NULL;
  }
  arena a = {in->arena, sizeof in->arena, 0};
  act_service *svcs = arena_alloc(env, &a, sizeof(act_service) * (n_services + 1));
  if (!svcs) return NULL;
  for (uint32_t i = 0; i < n_services; i++) {
    napi_value v;
    if (!bnd_element(env, argv[5], i, &v) || !read_service(env, &a, v, &svcs[i])) {
      bnd_rethrow(env);
      return NULL;
    }
  }
  if (!bnd_get_cert(env, argv[1], cert, &cert_n)) return NULL;
  act_token007_in tin = {{app_id, app_id_n}, {cert, cert_n}, issue_ts, expire, salt, svcs, n_services};
  size_t n = 0;
  act_status st = act_token007_build(in->ctx, &tin, in->out, sizeof in->out, &n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, n);
}

/* build006(appId, cert, channel, uid, salt, ts, [k, v, ...]) */
static napi_value build006_impl(napi_env env, napi_callback_info info) {
  ARGS(7);
  bnd_instance *in = bnd_get_instance(env);
  if (!in) return NULL;
  char app_id[BND_STRBUF(ACT_ID_LEN)], cert[BND_STRBUF(ACT_ID_LEN)];
  char *channel = in->s1, *uid = in->s2;
  size_t app_id_n, cert_n, channel_n, uid_n;
  uint32_t salt, ts, n;
  act_priv privs[ACT_MAX_PRIVS];
  if (!bnd_get_string(env, argv[0], "appId", app_id, ACT_ID_LEN, &app_id_n) ||
      !bnd_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
      !bnd_get_string(env, argv[3], "uid", uid, ACT_MAX_FIELD, &uid_n) || !bnd_get_u32(env, argv[4], "salt", &salt) ||
      !bnd_get_u32(env, argv[5], "ts", &ts) || !bnd_get_array(env, argv[6], "privileges", &n))
    return NULL;
  if (n / 2 > ACT_MAX_PRIVS) {
    bnd_throw_status_arg(env, ACT_ERR_TOO_MANY, "privileges");
    return NULL;
  }
  if (!read_privs(env, argv[6], n, privs)) return NULL;
  if (!bnd_get_cert(env, argv[1], cert, &cert_n)) return NULL;
  act_token006_in tin = {
      {app_id, app_id_n}, {cert, cert_n}, {channel, channel_n}, {uid, uid_n}, salt, ts, privs, n / 2};
  size_t out_n = 0;
  act_status st = act_token006_build(in->ctx, &tin, in->out, sizeof in->out, &out_n);
  act_wipe(cert, sizeof cert);
  return token_result(env, in, st, out_n);
}

BND_GUARDED(build_rtc)
BND_GUARDED(build007)
BND_GUARDED(build006)

int bnd_define_builders(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      BND_METHOD("buildRtc", build_rtc),
      BND_METHOD("build007", build007),
      BND_METHOD("build006", build006),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
