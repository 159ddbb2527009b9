#include "ctx_internal.h"

#include <stdlib.h>

act_ctx *act_ctx_new(void) {
  act_ctx *ctx = malloc(sizeof *ctx);
  if (!ctx) return NULL;
  ctx->signer = act_signer_new();
  if (!ctx->signer) {
    free(ctx);
    return NULL;
  }
  if (act_zlib_init(&ctx->z) != ACT_OK) {
    act_signer_free(ctx->signer);
    free(ctx);
    return NULL;
  }
  return ctx;
}

void act_ctx_free(act_ctx *ctx) {
  if (!ctx) return;
  act_zlib_end(&ctx->z);
  act_signer_free(ctx->signer);
  act_wipe(ctx->content, sizeof ctx->content);
  free(ctx);
}

act_status act_ctx_deflate(act_ctx *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (!ctx) return ACT_ERR_ARG;
  return act_deflate(&ctx->z, in, n, out, cap, out_len);
}

act_status act_ctx_inflate(act_ctx *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (!ctx) return ACT_ERR_ARG;
  return act_inflate(&ctx->z, in, n, out, cap, out_len);
}

int act_ctx_deflate_reuses(const act_ctx *ctx) { return ctx ? ctx->z.reuse : 0; }

act_status act_ctx_hmac_sha256(act_ctx *ctx, const void *key, size_t key_len, const void *msg, size_t msg_len,
                               uint8_t out[32]) {
  if (!ctx) return ACT_ERR_ARG;
  return act_hmac_sha256(ctx->signer, key, key_len, msg, msg_len, out);
}
