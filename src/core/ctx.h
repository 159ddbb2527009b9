/* A working context: the reusable zlib streams, the HMAC context and the
 * scratch buffers one thread needs to build and read tokens. One per thread
 * (the Node binding keeps one per environment); never shared between threads.
 * Views returned by the parsers point into it and stay valid until its next use. */
#ifndef ACT_CTX_H
#define ACT_CTX_H

#include <stdint.h>

#include "act_limits.h"
#include "sign.h"
#include "zstream.h"

/* Room for a compressed payload (deflate never grows 32 KiB past this) or a decoded token body. */
#define ACT_ZBUF_CAP (ACT_MAX_DECODED + 64)

typedef struct act_ctx {
  act_zlib z;
  act_signer *signer;
  uint8_t content[ACT_MAX_CONTENT + 1]; /* payload being built, or inflated (one byte over detects the cap) */
  uint8_t zbuf[ACT_ZBUF_CAP];           /* compressed payload, or decoded base64 */
} act_ctx;

act_ctx *act_ctx_new(void);
void act_ctx_free(act_ctx *ctx);

#endif
