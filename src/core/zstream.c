#include "zstream.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Why the token deflater clears part of its stream before each use
 * ======================================================================
 * The goal is byte identity: a "007" token must be exactly the string the
 * official builders make, and they compress with a fresh stream per token
 * (Node's zlib.deflateSync, which agora-token calls). Creating a stream per
 * token (deflateInit2 allocates about 268 KiB and deflateEnd frees it) costs
 * more than compressing a 150-byte payload, so one stream is kept and reset.
 *
 * zlib.h says deflateReset "is equivalent to deflateEnd followed by
 * deflateInit, but does not free and reallocate the internal compression
 * state". That holds for the stream's meaning (the output always inflates to
 * the input) but not for its bytes. deflateReset clears the hash heads
 * (`head`) and the counters, not the sliding window nor the hash chain
 * (`prev`): they keep the previous input. A fresh stream starts with both all
 * zero (our allocator callocs them; Node's fresh streams give the same bytes
 * run after run, so theirs start zeroed as well), and the match finder reads window bytes
 * past the end of the input (it compares up to MAX_MATCH = 258 bytes ahead,
 * in wide words) to rank candidate matches. Stale bytes there can make it
 * pick another (equally valid) match, so the compressed bytes differ.
 * Measured on 2026-12-01 with Node 20's zlib 1.3.1-e00f703 through the addon,
 * without the window clearing: 25 of 6,000 random payloads and 1 of 3,000
 * real tokens (after a few large payloads) differed from zlib.deflateSync;
 * with it: none. (Upstream zlib 1.2.13 zeroes WIN_INIT bytes past the input
 * itself and showed no difference either way in 20,000 payloads.)
 *
 * So before each reuse, act_deflate restores what a fresh stream has: it
 * zeroes every byte the last use may have written. The window gets the input
 * copied to its start, so the last input dirtied window[0 .. n): `dirty` is
 * n + 258 + 64 bytes, the input plus the match finder's reach past it plus
 * room for a zlib that writes ahead in wide words. By induction the window
 * is then all zero at the start of every use, as in a fresh stream. Inputs
 * are at most ACT_MAX_CONTENT (32 KiB) and never slide the window.
 *
 * `prev` holds one 2-byte position per window position, so the last input
 * wrote at most prev[0 .. dirty), i.e. 2 * dirty bytes: that much is cleared.
 * As we read zlib's code, the match finder only follows chain entries written
 * by the current input (every position writes its entry when inserted, and a
 * chain starts from `head`, which deflateReset clears), and in the
 * measurements above leaving `prev` stale changed no output, with either
 * zlib. It is cleared anyway: it costs a memset of about 1 KiB per token,
 * and it keeps byte identity from resting on that reading of the match
 * finder holding for every zlib fork (Chromium's already differs from
 * upstream in its hash and its match finder).
 *
 * The allocation-order assumption: our zalloc cannot ask zlib where the
 * window and `prev` are, so it recognises them by shape. deflateInit2 (zlib
 * 1.2.x to 1.3.x, and Chromium's fork) allocates the state, then the window
 * (w_size [+ padding] items of 2 bytes), then `prev` (w_size items of 2
 * bytes), then `head` and the pending buffer: the first two allocations of
 * 2-byte items with at least w_size items are taken as window and `prev`.
 * When both are not seen, act_deflate falls back to a fresh stream per call
 * (same bytes, slower); act_ctx_deflate_reuses() says which path runs. A zlib
 * that allocated in another order with the same shapes would be cleared in
 * the wrong places: the differential tests (test/deflate.test.js against
 * Node's own zlib.deflateSync, test/c against compress2, the roundtrip
 * fuzzer) catch that, and test/deflate.test.js also checks that the reuse
 * path is the one that runs under Node. */
#define W_SIZE (1u << 15)

static voidpf act_zalloc(voidpf opaque, uInt items, uInt size) {
  act_zlib *z = opaque;
  void *p = calloc(items, size);
  if (p && z && size == 2 && items >= W_SIZE) {
    if (!z->window) {
      z->window = p;
      z->window_bytes = (size_t)items * size;
    } else if (!z->prev) {
      z->prev = p;
      z->prev_bytes = (size_t)items * size;
    }
  }
  return p;
}

static void act_zfree(voidpf opaque, voidpf p) {
  (void)opaque;
  free(p);
}

act_status act_zlib_init(act_zlib *z) {
  memset(z, 0, sizeof *z);
  z->def.zalloc = act_zalloc;
  z->def.zfree = act_zfree;
  z->def.opaque = z;
  if (deflateInit2(&z->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return ACT_ERR_NOMEM;
  z->def_ready = 1;
  z->reuse = z->window && z->prev; /* else not the allocation pattern we know: re-initialise per use */
  if (inflateInit2(&z->inf, 15) != Z_OK) {
    act_zlib_end(z);
    return ACT_ERR_NOMEM;
  }
  z->inf_ready = 1;
  return ACT_OK;
}

void act_zlib_end(act_zlib *z) {
  if (z->def_ready) deflateEnd(&z->def);
  if (z->inf_ready) inflateEnd(&z->inf);
  z->def_ready = z->inf_ready = 0;
}

act_status act_deflate(act_zlib *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (!z || (!in && n) || !out || !out_len) return ACT_ERR_ARG;
  if (n > UINT_MAX || cap > UINT_MAX) return ACT_ERR_ARG;
  /* See the top of this file: restore the zeros a fresh stream has. */
  if (z->reuse && z->def_ready) {
    size_t w = z->dirty < z->window_bytes ? z->dirty : z->window_bytes;
    size_t p = 2 * z->dirty < z->prev_bytes ? 2 * z->dirty : z->prev_bytes;
    memset(z->window, 0, w);
    memset(z->prev, 0, p);
    if (deflateReset(&z->def) != Z_OK) return ACT_ERR_ZLIB;
  } else { /* a fresh stream per call; after a failed re-creation, try again */
    if (z->def_ready) deflateEnd(&z->def);
    z->def_ready = 0;
    z->reuse = 0;
    z->window = z->prev = NULL;
    if (deflateInit2(&z->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return ACT_ERR_NOMEM;
    z->def_ready = 1;
  }
  z->dirty = n + 258 + 64; /* what this input may write: see the top of this file */
  z->def.next_in = (Bytef *)(uintptr_t)in;
  z->def.avail_in = (uInt)n;
  z->def.next_out = out;
  z->def.avail_out = (uInt)cap;
  int r = deflate(&z->def, Z_FINISH);
  if (r == Z_STREAM_END) {
    *out_len = cap - z->def.avail_out;
    return ACT_OK;
  }
  return (r == Z_OK || r == Z_BUF_ERROR) ? ACT_ERR_BUFFER : ACT_ERR_ZLIB;
}

act_status act_inflate(act_zlib *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  if (!z->inf_ready || (!in && n) || !out || !out_len) return ACT_ERR_ARG;
  if (n > UINT_MAX || cap > UINT_MAX) return ACT_ERR_ARG;
  if (inflateReset(&z->inf) != Z_OK) return ACT_ERR_ZLIB;
  z->inf.next_in = (Bytef *)(uintptr_t)in;
  z->inf.avail_in = (uInt)n;
  z->inf.next_out = out;
  z->inf.avail_out = (uInt)cap;
  int r = inflate(&z->inf, Z_FINISH);
  if (r == Z_STREAM_END) {
    if (z->inf.avail_in != 0) return ACT_ERR_INFLATE;
    *out_len = cap - z->inf.avail_out;
    return ACT_OK;
  }
  /* Output full while the stream still has more to give: over the cap. */
  if ((r == Z_BUF_ERROR || r == Z_OK) && z->inf.avail_out == 0) return ACT_ERR_INFLATE_LIMIT;
  return ACT_ERR_INFLATE;
}
