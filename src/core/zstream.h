/* Internal: zlib streams kept open and reset per token: deflate at zlib's defaults
 * (level 6, windowBits 15, memLevel 8, default strategy, as compress() and
 * Node's zlib.deflateSync), and inflate with a hard cap on the output. */
#ifndef ACT_ZSTREAM_H
#define ACT_ZSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "include/act_status.h"

typedef struct {
  z_stream def;
  z_stream inf;
  int def_ready;
  int inf_ready;
  /* The deflate stream's sliding window and hash chain, found by our allocator,
   * and how much of them the previous input dirtied (see act_deflate). */
  uint8_t *window;
  size_t window_bytes;
  uint8_t *prev;
  size_t prev_bytes;
  size_t dirty;
  int reuse; /* 1: reset and clear per use; 0: a fresh stream per use */
} act_zlib;

act_status act_zlib_init(act_zlib *z);
void act_zlib_end(act_zlib *z);

/* Compresses in[0..n) into out; ACT_ERR_BUFFER when out is too small. */
act_status act_deflate(act_zlib *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* Inflates a complete zlib stream into out. The output never exceeds cap: a
 * stream that would inflate further is ACT_ERR_INFLATE_LIMIT; a broken or
 * incomplete stream, or bytes after its end, ACT_ERR_INFLATE. */
act_status act_inflate(act_zlib *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#endif
