/* Internal: little-endian packing: u16, u32, i16, length-prefixed bytes, privilege maps.
 * The writer and reader never step past their buffer: a write that does not fit
 * or a read past the end sets a sticky flag and does nothing. */
#ifndef ACT_PACK_H
#define ACT_PACK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  int overflow; /* set when something did not fit */
  int too_long; /* set when a bytes() field was over 65535 bytes */
} act_writer;

typedef struct {
  const uint8_t *buf;
  size_t len;
  size_t pos;
  int short_read; /* set when a read ran past the end */
} act_reader;

static inline void act_writer_init(act_writer *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->cap = cap;
  w->len = 0;
  w->overflow = 0;
  w->too_long = 0;
}

static inline uint8_t *act_put_reserve(act_writer *w, size_t n) {
  if (w->overflow || w->cap - w->len < n) {
    w->overflow = 1;
    return NULL;
  }
  uint8_t *p = w->buf + w->len;
  w->len += n;
  return p;
}

static inline void act_put_u16(act_writer *w, uint16_t v) {
  uint8_t *p = act_put_reserve(w, 2);
  if (p) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
  }
}

static inline void act_put_u32(act_writer *w, uint32_t v) {
  uint8_t *p = act_put_reserve(w, 4);
  if (p) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
  }
}

static inline void act_put_i16(act_writer *w, int16_t v) { act_put_u16(w, (uint16_t)v); }

static inline void act_put_bytes(act_writer *w, const void *data, size_t n) {
  if (n > 65535) {
    w->too_long = 1;
    w->overflow = 1;
    return;
  }
  uint8_t *p = act_put_reserve(w, 2 + n);
  if (p) {
    p[0] = (uint8_t)n;
    p[1] = (uint8_t)(n >> 8);
    if (n) memcpy(p + 2, data, n);
  }
}

static inline void act_reader_init(act_reader *r, const uint8_t *buf, size_t len) {
  r->buf = buf;
  r->len = len;
  r->pos = 0;
  r->short_read = 0;
}

static inline const uint8_t *act_get_span(act_reader *r, size_t n) {
  if (r->short_read || r->len - r->pos < n) {
    r->short_read = 1;
    return NULL;
  }
  const uint8_t *p = r->buf + r->pos;
  r->pos += n;
  return p;
}

static inline uint16_t act_get_u16(act_reader *r) {
  const uint8_t *p = act_get_span(r, 2);
  return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

static inline uint32_t act_get_u32(act_reader *r) {
  const uint8_t *p = act_get_span(r, 4);
  return p ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)) : 0;
}

static inline int16_t act_get_i16(act_reader *r) { return (int16_t)act_get_u16(r); }

/* Reads bytes(): a u16 length then that many bytes; *out points into the buffer. */
static inline size_t act_get_bytes(act_reader *r, const uint8_t **out) {
  size_t n = act_get_u16(r);
  const uint8_t *p = act_get_span(r, n);
  *out = p;
  return p ? n : 0;
}

#endif
