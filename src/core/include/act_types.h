/* Plain data types shared by the token builders and parsers, and the two
 * memory helpers a caller holding a certificate needs. */
#ifndef ACT_TYPES_H
#define ACT_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "act_limits.h"
#include "act_status.h"

/* A byte string owned by the caller (not NUL-terminated). p may be NULL only when n is 0. */
typedef struct {
  const char *p;
  size_t n;
} act_str;

/* One privilege: key (1 join channel, ...) and its value (seconds). */
typedef struct {
  uint16_t key;
  uint32_t value;
} act_priv;

/* 1 when a[0..n) equals b[0..n), else 0, in time that depends only on n. */
ACT_MUST_CHECK int act_equal_ct(const void *a, const void *b, size_t n);

/* Overwrites n bytes in a way the compiler keeps (OPENSSL_cleanse). NULL or 0: nothing. */
void act_wipe(void *p, size_t n);

#endif
