/* Plain data types shared by the token builders and parsers. */
#ifndef ACT_TYPES_H
#define ACT_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "act_limits.h"
#include "status.h"

/* A byte string owned by the caller (not NUL-terminated). */
typedef struct {
  const char *p;
  size_t n;
} act_str;

/* One privilege: key (1 join channel, ...) and its value (seconds). */
typedef struct {
  uint16_t key;
  uint32_t value;
} act_priv;

#endif
