/* verifyNotification(body: Uint8Array, v2: string, v1: string, secret: Uint8Array) -> status name
 * ("VALID", "MISMATCH", "MALFORMED", "NO_SIGNATURE", "TOO_LARGE", "BAD_SECRET", ...).
 * Agora NCS signatures; lib/webhooks/verify.js checks the arguments first. The
 * body and secret are read in place, never copied; a header over 255 bytes is cut
 * there, which keeps it malformed (a digest is 40 or 64 hex characters). */
#include "instance.h"

static napi_value verify_notification(napi_env env, napi_callback_info info) {
  ARGS(4);
  bnd_instance *in = bnd_get_instance(env);
  void *body = NULL, *secret = NULL;
  size_t body_n = 0, secret_n = 0, v2_n = 0, v1_n = 0;
  char v2[256], v1[256];
  napi_valuetype t2, t1;
  if (!in || !bnd_get_typed(env, argv[0], napi_uint8_array, "body", "a Uint8Array", &body, &body_n) ||
      !bnd_get_typed(env, argv[3], napi_uint8_array, "secret", "a Uint8Array", &secret, &secret_n))
    return NULL;
  NAPI(napi_typeof(env, argv[1], &t2));
  NAPI(napi_typeof(env, argv[2], &t1));
  if (t2 != napi_string || t1 != napi_string) {
    bnd_throw_type(env, t2 != napi_string ? "v2" : "v1", "of type string");
    return NULL;
  }
  NAPI(napi_get_value_string_utf8(env, argv[1], v2, sizeof v2, &v2_n));
  NAPI(napi_get_value_string_utf8(env, argv[2], v1, sizeof v1, &v1_n));
  if (!in->notify && !(in->notify = act_notify_new())) {
    bnd_throw_code(env, "ERR_AGORA_NOMEM", "cannot allocate the notification verifier");
    return NULL;
  }
  act_notify_version used;
  act_notify_status st = act_notify_verify(in->notify, body, body_n, v2, v2_n, v1, v1_n, secret, secret_n, &used);
  const char *name = act_notify_status_name(st);
  return bnd_string(env, name, strlen(name));
}

int bnd_define_notify(napi_env env, napi_value exports) {
  napi_property_descriptor prop = BND_METHOD("verifyNotification", verify_notification);
  return napi_define_properties(env, exports, 1, &prop) == napi_ok;
}
