/* The readers: parse007/verify007 and parse006/verify006. The token string is
 * read into the instance's buffer, the core parses (and checks) it, and the
 * view goes out in the layouts of layout.h. The verify exports report the
 * signature check by writing 1 or 0 into the caller's Int32Array, not through
 * a property: a setter planted on a prototype can neither swallow nor fake it. */
#include "instance.h"
#include "layout.h"

/* An RTM2 tree as a flat array of (resourceType, permissionType, resource)
 * triples, resource null for a permission type that lists none; lib/ nests it. */
static void perm_cb(void *user, uint16_t rt, uint16_t pt, const act_str *resource) {
  bnd_pusher *p = user;
  napi_value none = NULL;
  bnd_push_u32(p, rt);
  bnd_push_u32(p, pt);
  if (resource) {
    bnd_push_str(p, resource->p, resource->n);
  } else {
    if (!p->failed && napi_get_null(p->env, &none) != napi_ok) p->failed = 1;
    bnd_push(p, none);
  }
}

#define PUSH_STR(pusher, str) bnd_push_str(pusher, (str).p, (str).n)

/* A parsed "007" token: numbers into nums (cap of them), strings returned (see layout.h). */
static napi_value view007_out(napi_env env, const act_token007_view *v, uint32_t *nums, size_t cap) {
  bnd_pusher p = {env, NULL, 0, 0};
  if (cap < L7_HEADER) goto full;
  NAPI(napi_create_array(env, &p.arr));
  PUSH_STR(&p, v->app_id);
  nums[L7_ISSUE_TS] = v->issue_ts;
  nums[L7_EXPIRE] = v->expire;
  nums[L7_SALT] = v->salt;
  nums[L7_SERVICE_COUNT] = (uint32_t)v->n_services;
  size_t at = L7_HEADER;
  for (size_t i = 0; i < v->n_services; i++) {
    const act_service_view *s = &v->services[i];
    act_fields kind = act_service_fields(s->type);
    int role = kind == ACT_FIELDS_APAAS;
    if (cap - at < L7S_HEADER + 2 * s->n_privs + (size_t)role) goto full;
    nums[at + L7S_TYPE] = s->type;
    nums[at + L7S_FIELD_KIND] = (uint32_t)kind;
    nums[at + L7S_PRIVILEGE_COUNT] = (uint32_t)s->n_privs;
    at += L7S_HEADER;
    for (size_t k = 0; k < s->n_privs; k++) {
      nums[at++] = s->privs[k].key;
      nums[at++] = s->privs[k].value;
    }
    switch (kind) {
      case ACT_FIELDS_CHANNEL_ACCOUNT:
        PUSH_STR(&p, s->channel);
        PUSH_STR(&p, s->account);
        break;
      case ACT_FIELDS_USER:
        PUSH_STR(&p, s->user_id);
        break;
      case ACT_FIELDS_APAAS:
        PUSH_STR(&p, s->room_uuid);
        PUSH_STR(&p, s->user_uuid);
        nums[at++] = (uint32_t)(int32_t)s->role;
        break;
      case ACT_FIELDS_RTM2: {
        bnd_pusher perms = {env, NULL, 0, p.failed};
        PUSH_STR(&p, s->user_id);
        if (!perms.failed && napi_create_array(env, &perms.arr) != napi_ok) perms.failed = 1;
        if (!perms.failed) act_rtm2_walk(s->perms, perm_cb, &perms);
        bnd_push(&p, perms.failed ? NULL : perms.arr);
        break;
      }
      default:
        break;
    }
  }
  if (p.failed) {
    bnd_rethrow(env);
    return NULL;
  }
  return p.arr;
full:
  bnd_throw_status_arg(env, ACT_ERR_TOO_MANY, "numbers");
  return NULL;
}

/* Reads the token argument into the instance's buffer; too long is refused before decoding. */
static int get_token(napi_env env, bnd_instance *in, napi_value v, size_t *n) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    bnd_throw_type(env, "token", "of type string");
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, in->token, sizeof in->token, n) != napi_ok) {
    bnd_rethrow(env);
    return 0;
  }
  if (*n > ACT_MAX_TOKEN_LEN) {
    bnd_throw_status_arg(env, ACT_ERR_TOKEN_TOO_LONG, "token");
    return 0;
  }
  return 1;
}

static int get_match_out(napi_env env, napi_value v, int32_t **out) {
  void *data = NULL;
  size_t len = 0;
  if (!bnd_get_typed(env, v, napi_int32_array, "match", "an Int32Array", &data, &len)) return 0;
  if (len < 1) {
    bnd_throw_type(env, "match", "an Int32Array");
    return 0;
  }
  *out = data;
  return 1;
}

/* parse007(token, Uint32Array nums) -> strings;
 * verify007(token, cert, Int32Array match, Uint32Array nums) -> strings */
static napi_value read007(napi_env env, napi_callback_info info, int verify) {
  ARGS(4);
  bnd_instance *in = bnd_get_instance(env);
  size_t n = 0, cert_n = 0, cap = 0;
  char cert[BND_STRBUF(ACT_ID_LEN)];
  int32_t *match_out = NULL;
  void *nums = NULL;
  if (!in || !get_token(env, in, argv[0], &n) ||
      !bnd_get_typed(env, argv[verify ? 3 : 1], napi_uint32_array, "numbers", "a Uint32Array", &nums, &cap))
    return NULL;
  if (verify && (!get_match_out(env, argv[2], &match_out) || !bnd_get_cert(env, argv[1], cert, &cert_n))) return NULL;
  act_status st = act_token007_parse(in->ctx, in->token, n, &in->view7);
  int match = 0;
  if (st == ACT_OK && verify) st = act_token007_check(in->ctx, &in->view7, (act_str){cert, cert_n}, &match);
  if (verify) {
    act_wipe(cert, sizeof cert);
    *match_out = match;
  }
  if (st != ACT_OK) {
    bnd_throw_status(env, st);
    return NULL;
  }
  return view007_out(env, &in->view7, nums, cap);
}

static napi_value parse007_impl(napi_env env, napi_callback_info info) { return read007(env, info, 0); }
static napi_value verify007_impl(napi_env env, napi_callback_info info) { return read007(env, info, 1); }

/* A parsed "006" token as one flat array (LAYOUT006, then the privileges). */
static napi_value view006_flat(napi_env env, const act_token006_view *v) {
  bnd_pusher p = {env, NULL, 0, 0};
  uint32_t nums[L6_HEADER] = {0};
  NAPI(napi_create_array(env, &p.arr));
  nums[L6_CRC_CHANNEL] = v->crc_channel;
  nums[L6_CRC_UID] = v->crc_uid;
  nums[L6_SALT] = v->salt;
  nums[L6_TS] = v->ts;
  nums[L6_PRIVILEGE_COUNT] = (uint32_t)v->n_privs;
  for (uint32_t i = 0; i < L6_HEADER; i++) {
    if (i == L6_APP_ID)
      PUSH_STR(&p, v->app_id);
    else
      bnd_push_u32(&p, nums[i]);
  }
  for (size_t k = 0; k < v->n_privs; k++) {
    bnd_push_u32(&p, v->privs[k].key);
    bnd_push_u32(&p, v->privs[k].value);
  }
  if (p.failed) {
    bnd_rethrow(env);
    return NULL;
  }
  return p.arr;
}

/* parse006(token) -> flat array; verify006(token, cert, channel, uid, Int32Array match) -> flat array */
static napi_value read006(napi_env env, napi_callback_info info, int verify) {
  ARGS(5);
  bnd_instance *in = bnd_get_instance(env);
  size_t n = 0, cert_n = 0, channel_n = 0, uid_n = 0;
  char cert[BND_STRBUF(ACT_ID_LEN)];
  int32_t *match_out = NULL;
  if (!in || !get_token(env, in, argv[0], &n)) return NULL;
  char *channel = in->s1, *uid = in->s2;
  if (verify &&
      (!get_match_out(env, argv[4], &match_out) ||
       !bnd_get_string(env, argv[2], "channelName", channel, ACT_MAX_FIELD, &channel_n) ||
       !bnd_get_string(env, argv[3], "uid", uid, ACT_MAX_FIELD, &uid_n) || !bnd_get_cert(env, argv[1], cert, &cert_n)))
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
    bnd_throw_status(env, st);
    return NULL;
  }
  return view006_flat(env, &in->view6);
}

static napi_value parse006_impl(napi_env env, napi_callback_info info) { return read006(env, info, 0); }
static napi_value verify006_impl(napi_env env, napi_callback_info info) { return read006(env, info, 1); }

BND_GUARDED(parse007)
BND_GUARDED(verify007)
BND_GUARDED(parse006)
BND_GUARDED(verify006)

int bnd_define_readers(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      BND_METHOD("parse007", parse007),
      BND_METHOD("verify007", verify007),
      BND_METHOD("parse006", parse006),
      BND_METHOD("verify006", verify006),
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok;
}
