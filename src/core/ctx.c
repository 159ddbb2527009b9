#include "ctx.h"

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
