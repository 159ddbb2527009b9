/* The working context: the reusable zlib streams, the HMAC state and the
 * scratch buffers one thread needs to build and read tokens. Opaque: its
 * layout is the core's business (src/core/ctx_internal.h). One per thread (the
 * Node binding keeps one per environment); never shared between threads.
 * Views the parsers return point into it and stay valid until its next use. */
#ifndef ACT_CTX_H
#define ACT_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "act_status.h"

typedef struct act_ctx act_ctx;

/* A new context, or NULL when memory (or OpenSSL's HMAC, or zlib) is not available. */
act_ctx *act_ctx_new(void);
/* Frees ctx and wipes the payload it last held. NULL: nothing. */
void act_ctx_free(act_ctx *ctx);

/* Compresses in[0..n) into out[0..cap) with the token deflater: zlib's defaults
 * (level 6, windowBits 15, memLevel 8, default strategy), giving the bytes a
 * fresh stream (compress(), Node's zlib.deflateSync) gives with the same zlib.
 *   ACT_OK            *out_len = compressed size
 *   ACT_ERR_ARG       ctx, out or out_len NULL; in NULL with n > 0; n or cap over UINT_MAX
 *   ACT_ERR_BUFFER    out is too small (a deflateBound(n) sized buffer always fits)
 *   ACT_ERR_ZLIB      zlib failed
 *   ACT_ERR_NOMEM     the stream could not be re-created (the next call tries again) */
act_status act_ctx_deflate(act_ctx *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* Inflates one complete zlib stream in[0..n) into out; never writes past cap.
 *   ACT_OK                 *out_len = inflated size
 *   ACT_ERR_ARG            ctx, out or out_len NULL; in NULL with n > 0; n or cap over UINT_MAX
 *   ACT_ERR_INFLATE        not a zlib stream, incomplete, or bytes after its end
 *   ACT_ERR_INFLATE_LIMIT  the stream inflates past cap
 *   ACT_ERR_ZLIB           zlib failed */
act_status act_ctx_inflate(act_ctx *ctx, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* Which path act_ctx_deflate takes with the zlib it runs on: 1 when it resets
 * one stream and clears the window bytes the last input dirtied (the allocation
 * pattern zlib's deflateInit2 is known to have was seen), 0 when it creates a
 * fresh stream per call (an unknown zlib: slower, same bytes). 0 for NULL. */
ACT_MUST_CHECK int act_ctx_deflate_reuses(const act_ctx *ctx);

/* out = HMAC-SHA256(key, msg), with the context's digest state; nothing derived
 * from key stays in the context afterwards.
 *   ACT_OK; ACT_ERR_ARG (ctx, key or out NULL, msg NULL with msg_len > 0); ACT_ERR_CRYPTO */
act_status act_ctx_hmac_sha256(act_ctx *ctx, const void *key, size_t key_len, const void *msg, size_t msg_len,
                               uint8_t out[32]);

#endif
