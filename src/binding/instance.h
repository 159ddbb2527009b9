/* The per-environment instance and the re-entrancy guard. The binding is
 * context-aware: all state lives in the instance data of one environment, so
 * the main thread and every worker get their own. */
#ifndef BND_INSTANCE_H
#define BND_INSTANCE_H

#include <node_api.h>

#include "../core/include/act.h"
#include "napi_util.h"

#define BND_ARENA_SIZE (160 * 1024)

typedef struct {
  act_ctx *ctx;
  act_token007_view view7;
  act_token006_view view6;
  char out[ACT_TOKEN007_MAX_OUT > ACT_TOKEN006_MAX_OUT ? ACT_TOKEN007_MAX_OUT : ACT_TOKEN006_MAX_OUT];
  char token[BND_STRBUF(ACT_MAX_TOKEN_LEN)];
  char s1[BND_STRBUF(ACT_MAX_FIELD)]; /* channel name */
  char s2[BND_STRBUF(ACT_MAX_FIELD)]; /* account or uid */
  uint8_t arena[BND_ARENA_SIZE];
  act_notify *notify; /* made on first use by verifyNotification */
  int busy;           /* an export is running: the buffers above are in use */
} bnd_instance;

/* This environment's instance, or NULL with ERR_AGORA_INTERNAL thrown. */
bnd_instance *bnd_get_instance(napi_env env);

/* Runs impl with the instance marked busy; refuses (ERR_AGORA_REENTRANT) a
 * call made from inside another: JS that runs in the middle of a call (a
 * getter, a setter on Object.prototype, a proxy trap) and calls the addon
 * again would otherwise overwrite the buffers the first call is using. */
napi_value bnd_guarded(napi_env env, napi_callback_info info, napi_callback impl);

/* name(env, info) = name##_impl under the guard. */
#define BND_GUARDED(name) \
  static napi_value name(napi_env env, napi_callback_info info) { return bnd_guarded(env, info, name##_impl); }

/* An enumerable method property. */
#define BND_METHOD(js_name, fn) \
  { js_name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL }

/* Each concern defines its exports on `exports`: 1 on success, else 0 with an exception pending. */
int bnd_define_builders(napi_env env, napi_value exports);
int bnd_define_readers(napi_env env, napi_value exports);
int bnd_define_notify(napi_env env, napi_value exports);
int bnd_define_tables(napi_env env, napi_value exports);
int bnd_define_testing(napi_env env, napi_value exports, bnd_instance *in);

#endif
