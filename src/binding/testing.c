/* Test-only hooks, kept out of the production API: a non-enumerable `testing`
 * object on the addon's exports, which lib/native.js hands on only under
 * Symbol.for('agora-call-token.testing') (not enumerable either, and not
 * reachable through the package's exports map).
 *   testing.deflate(Uint8Array) -> Buffer: the token deflater on its own, for
 *     test/deflate.test.js (against zlib.deflateSync) and the bench's
 *     varied-payload floor. At most ACT_MAX_CONTENT bytes.
 *   testing.deflateReuses: which path the deflater takes with the zlib this
 *     process runs (see act_ctx_deflate_reuses). */
#include "instance.h"

static napi_value deflate_impl(napi_env env, napi_callback_info info) {
  ARGS(1);
  bnd_instance *in = bnd_get_instance(env);
  size_t len = 0, zn = 0;
  void *data = NULL;
  if (!in || !bnd_get_typed(env, argv[0], napi_uint8_array, "data", "a Uint8Array", &data, &len)) return NULL;
  if (len > ACT_MAX_CONTENT) {
    bnd_throw_range(env, "data", "at most the token payload limit in length");
    return NULL;
  }
  act_status st = act_ctx_deflate(in->ctx, data, len, (uint8_t *)in->out, sizeof in->out, &zn);
  if (st != ACT_OK) {
    bnd_throw_status(env, st);
    return NULL;
  }
  napi_value out;
  NAPI(napi_create_buffer_copy(env, zn, in->out, NULL, &out));
  return out;
}
BND_GUARDED(deflate)

int bnd_define_testing(napi_env env, napi_value exports, bnd_instance *in) {
  napi_value testing, reuses;
  if (napi_create_object(env, &testing) != napi_ok ||
      napi_get_boolean(env, act_ctx_deflate_reuses(in->ctx), &reuses) != napi_ok)
    return 0;
  napi_property_descriptor props[] = {
      BND_METHOD("deflate", deflate),
      {"deflateReuses", NULL, NULL, NULL, NULL, reuses, napi_enumerable, NULL},
  };
  napi_property_descriptor hidden = {"testing", NULL, NULL, NULL, NULL, testing, napi_default, NULL};
  return napi_define_properties(env, testing, 2, props) == napi_ok &&
         napi_define_properties(env, exports, 1, &hidden) == napi_ok;
}
