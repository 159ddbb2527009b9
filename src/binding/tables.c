/* The data the binding exports, so that lib/ reads facts instead of keeping
 * copies: the limits, the field kinds, the service table and the "006"
 * privilege names (act_token007.h, act_token006.h), what each status becomes
 * (errors.h, with the core's messages) and the reader layouts (layout.h).
 * scripts/gen-tables.js writes the same data for the JavaScript fallback from
 * the same headers, and test/tables.test.js checks that both agree. Also
 * crc32(string), the core's CRC-32 (zlib's), for the CLI's "006" checks. */
#include "instance.h"
#include "layout.h"

static int set_value(napi_env env, napi_value obj, const char *key, napi_value v) {
  return v && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static napi_value limits(napi_env env) {
  napi_value o;
  NAPI(napi_create_object(env, &o));
  if (!bnd_set_u32(env, o, "maxTokenLength", ACT_MAX_TOKEN_LEN) ||
      !bnd_set_u32(env, o, "maxPayloadBytes", ACT_MAX_CONTENT) ||
      !bnd_set_u32(env, o, "maxServices", ACT_MAX_SERVICES) || !bnd_set_u32(env, o, "maxPrivileges", ACT_MAX_PRIVS) ||
      !bnd_set_u32(env, o, "maxPermissions", ACT_MAX_PERMS))
    return NULL;
  return o;
}

static napi_value field_kinds(napi_env env) {
  napi_value o;
  NAPI(napi_create_object(env, &o));
  if (!bnd_set_u32(env, o, "NONE", ACT_FIELDS_NONE) ||
      !bnd_set_u32(env, o, "CHANNEL_ACCOUNT", ACT_FIELDS_CHANNEL_ACCOUNT) ||
      !bnd_set_u32(env, o, "USER", ACT_FIELDS_USER) || !bnd_set_u32(env, o, "APAAS", ACT_FIELDS_APAAS) ||
      !bnd_set_u32(env, o, "RTM2", ACT_FIELDS_RTM2))
    return NULL;
  return o;
}

/* [[type, id, name, fieldKind, privileges], ...] in type order */
static napi_value services(napi_env env) {
  size_t n = 0;
  const act_service_info *t = act_service_table(&n);
  napi_value arr;
  NAPI(napi_create_array(env, &arr));
  for (size_t i = 0; i < n; i++) {
    bnd_pusher p = {env, NULL, 0, 0};
    NAPI(napi_create_array(env, &p.arr));
    bnd_push_u32(&p, t[i].type);
    bnd_push_str(&p, t[i].id, strlen(t[i].id));
    bnd_push_str(&p, t[i].name, strlen(t[i].name));
    bnd_push_u32(&p, (uint32_t)t[i].fields);
    bnd_push_str(&p, t[i].privileges, strlen(t[i].privileges));
    if (p.failed) return NULL;
    NAPI(napi_set_element(env, arr, (uint32_t)i, p.arr));
  }
  return arr;
}

/* { STATUS_NAME: [code, message], ... } for every status but OK */
static napi_value status_errors(napi_env env) {
  napi_value o;
  NAPI(napi_create_object(env, &o));
  for (int st = ACT_OK + 1; st < ACT_STATUS_COUNT; st++) {
    bnd_pusher p = {env, NULL, 0, 0};
    const char *code = bnd_status_code((act_status)st), *msg = act_status_message((act_status)st);
    NAPI(napi_create_array(env, &p.arr));
    bnd_push_str(&p, code, strlen(code));
    bnd_push_str(&p, msg, strlen(msg));
    if (p.failed || !set_value(env, o, act_status_name((act_status)st), p.arr)) return NULL;
  }
  return o;
}

#define SET_L7_(c, js) &&bnd_set_u32(env, o, #js, L7_##c)
#define SET_L7S_(c, js) &&bnd_set_u32(env, o, #js, L7S_##c)
#define SET_L6_(c, js) &&bnd_set_u32(env, o, #js, L6_##c)
/* { token007: { issueTs: 0, ..., header, numbers, service: { type: 0, ..., header } },
 *   token006: { appId: 0, ..., header } } */
static napi_value layouts(napi_env env) {
  napi_value all, o, service;
  NAPI(napi_create_object(env, &all));
  NAPI(napi_create_object(env, &o));
  if (!(1 LAYOUT007_SERVICE(SET_L7S_)) || !bnd_set_u32(env, o, "header", L7S_HEADER)) return NULL;
  service = o;
  NAPI(napi_create_object(env, &o));
  if (!(1 LAYOUT007(SET_L7_)) || !bnd_set_u32(env, o, "header", L7_HEADER) ||
      !bnd_set_u32(env, o, "numbers", LAYOUT007_NUMBERS) || !set_value(env, o, "service", service) ||
      !set_value(env, all, "token007", o))
    return NULL;
  NAPI(napi_create_object(env, &o));
  if (!(1 LAYOUT006(SET_L6_)) || !bnd_set_u32(env, o, "header", L6_HEADER) || !set_value(env, all, "token006", o))
    return NULL;
  return all;
}
#undef SET_L7_
#undef SET_L7S_
#undef SET_L6_

static napi_value privileges006(napi_env env) {
  return bnd_string(env, ACT_TOKEN006_PRIVILEGES, strlen(ACT_TOKEN006_PRIVILEGES));
}

/* crc32(string) -> the CRC-32 of its UTF-8 (at most ACT_MAX_FIELD bytes, a token field). */
static napi_value crc32_impl(napi_env env, napi_callback_info info) {
  ARGS(1);
  bnd_instance *in = bnd_get_instance(env);
  size_t n = 0;
  napi_value v;
  if (!in || !bnd_get_string(env, argv[0], "text", in->s1, ACT_MAX_FIELD, &n)) return NULL;
  NAPI(napi_create_uint32(env, act_crc32(in->s1, n), &v));
  return v;
}
BND_GUARDED(crc32)

int bnd_define_tables(napi_env env, napi_value exports) {
  napi_property_descriptor fn = BND_METHOD("crc32", crc32);
  return napi_define_properties(env, exports, 1, &fn) == napi_ok && set_value(env, exports, "limits", limits(env)) &&
         set_value(env, exports, "fieldKinds", field_kinds(env)) &&
         set_value(env, exports, "services", services(env)) &&
         set_value(env, exports, "privileges006", privileges006(env)) &&
         set_value(env, exports, "statusErrors", status_errors(env)) &&
         set_value(env, exports, "layouts", layouts(env));
}
