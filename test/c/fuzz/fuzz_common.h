/* Shared pieces of the libFuzzer harnesses: one working context per process
 * (as the Node binding keeps one per environment), a consumer that reads typed
 * values off the fuzz input, and a touch() that makes ASan read every byte a
 * view points at. Abort (a crash libFuzzer reports) on any broken property. */
#ifndef ACT_FUZZ_COMMON_H
#define ACT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"

#define FUZZ_ASSERT(cond)                                                         \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static act_ctx *g_ctx;

static inline act_ctx *fuzz_ctx(void) {
  if (!g_ctx) {
    g_ctx = act_ctx_new();
    if (!g_ctx) abort();
  }
  return g_ctx;
}

/* Reads every byte of [p, p+n) so ASan checks the view; the sum keeps it live. */
static volatile unsigned fuzz_sink;
static inline void touch(const void *p, size_t n) {
  const volatile uint8_t *b = p;
  unsigned s = 0;
  if (!p) {
    FUZZ_ASSERT(n == 0);
    return;
  }
  for (size_t i = 0; i < n; i++) s += b[i];
  fuzz_sink += s;
}

/* A view string must be NULL+0 or lie inside [base, base+len). */
static inline void inside(act_str s, const void *base, size_t len) {
  if (!s.p) {
    FUZZ_ASSERT(s.n == 0);
    return;
  }
  const uint8_t *p = (const uint8_t *)s.p, *b = base;
  FUZZ_ASSERT(p >= b && s.n <= len && (size_t)(p - b) <= len - s.n);
  touch(s.p, s.n);
}

/* Typed values taken off the front of the fuzz input; zeros once it runs out. */
typedef struct {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline uint8_t take_u8(fuzz_in *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}
static inline uint16_t take_u16(fuzz_in *in) { return (uint16_t)(take_u8(in) | (take_u8(in) << 8)); }
static inline uint32_t take_u32(fuzz_in *in) { return (uint32_t)take_u16(in) | ((uint32_t)take_u16(in) << 16); }
/* Up to max bytes, as a pointer into the input (no copy). */
static inline act_str take_str(fuzz_in *in, size_t len) {
  if (len > in->n) len = in->n;
  act_str s = {(const char *)in->p, len};
  in->p += len;
  in->n -= len;
  return s;
}

/* Certificates the harnesses sign and check with (A: the official vectors' one). */
static const char kCertA[] = "5CFd2fd1755d40ecb72977518be15d3b";
static const char kCertB[] = "0123456789abcdefABCDEF0123456789";

#endif
