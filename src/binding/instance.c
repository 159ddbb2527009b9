/* Node-API binding entry: the instance, the guard and the module's init.
 * The exports themselves live by concern: builders (build.c), readers
 * (read.c), notification checks (notify.c), data tables (tables.c) and the
 * test-only hooks (testing.c); errors.c maps statuses to errors. */
#include "instance.h"

#include <stdlib.h>

bnd_instance *bnd_get_instance(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) {
    bnd_throw_code(env, "ERR_AGORA_INTERNAL", "agora-call-token is not initialised in this environment");
    return NULL;
  }
  return data;
}

napi_value bnd_guarded(napi_env env, napi_callback_info info, napi_callback impl) {
  bnd_instance *in = bnd_get_instance(env);
  if (!in) return NULL;
  if (in->busy) {
    bnd_throw_code(env, "ERR_AGORA_REENTRANT",
                   "agora-call-token was called again from inside one of its own calls (a getter, setter or proxy)");
    return NULL;
  }
  in->busy = 1;
  napi_value result = impl(env, info);
  in->busy = 0;
  return result;
}

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  bnd_instance *in = data;
  act_ctx_free(in->ctx);
  act_notify_free(in->notify);
  act_wipe(in->token, sizeof in->token);
  free(in);
}

static napi_value init(napi_env env, napi_value exports) {
  bnd_instance *in = malloc(sizeof *in);
  if (in) in->busy = 0, in->notify = NULL;
  if (!in || !(in->ctx = act_ctx_new())) {
    free(in);
    bnd_throw_code(env, "ERR_AGORA_NOMEM", "cannot allocate the token context");
    return NULL;
  }
  if (napi_set_instance_data(env, in, finalize_instance, NULL) != napi_ok) {
    act_ctx_free(in->ctx);
    free(in);
    bnd_rethrow(env);
    return NULL;
  }
  if (!bnd_define_builders(env, exports) || !bnd_define_readers(env, exports) || !bnd_define_notify(env, exports) ||
      !bnd_define_tables(env, exports) || !bnd_define_testing(env, exports, in)) {
    bnd_rethrow(env);
    return NULL;
  }
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
