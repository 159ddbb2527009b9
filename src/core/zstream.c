#include "zstream.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* zlib allocates the deflate window (w_size [+ padding] items of 2 bytes)
 * before the hash chain `prev` (w_size items of 2 bytes): remember both. */
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
  if (deflateInit2(&z->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return ACT_ERR_NOMEM;
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
  if (!z->def_ready || (!in && n) || !out || !out_len) return ACT_ERR_ARG;
  if (n > UINT_MAX || cap > UINT_MAX) return ACT_ERR_ARG;
  /* deflateReset() clears the hash heads but not the window or the chain, and
   * the match finder reads (and may pick a match by) bytes past the end of the
   * input, up to MAX_MATCH ahead. A fresh stream, like Node's zlib.deflateSync
   * makes, has zeros there; so clear what the last input dirtied to get the
   * same bytes. Without the window found, fall back to a fresh stream. */
  if (z->reuse) {
    size_t w = z->dirty < z->window_bytes ? z->dirty : z->window_bytes;
    size_t p = 2 * z->dirty < z->prev_bytes ? 2 * z->dirty : z->prev_bytes;
    memset(z->window, 0, w);
    memset(z->prev, 0, p);
    if (deflateReset(&z->def) != Z_OK) return ACT_ERR_ZLIB;
  } else {
    deflateEnd(&z->def);
    z->def_ready = 0;
    if (deflateInit2(&z->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return ACT_ERR_NOMEM;
    z->def_ready = 1;
    z->window = z->prev = NULL;
  }
  /* Input is copied to the window start; the longest-match scan reads up to
   * 258 bytes (MAX_MATCH) past it, plus a few for wide compares. */
  z->dirty = n + 258 + 64;
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
