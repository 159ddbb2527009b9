/* Internal: the layout of act_ctx. Only the core's own .c files (and its
 * white-box tests) include this; callers see the opaque type of act_ctx.h. */
#ifndef ACT_CTX_INTERNAL_H
#define ACT_CTX_INTERNAL_H

#include <stdint.h>

#include "include/act_ctx.h"
#include "include/act_limits.h"
#include "sign.h"
#include "zstream.h"

struct act_ctx {
  act_zlib z;
  act_signer *signer;
  uint8_t content[ACT_MAX_CONTENT + 1]; /* payload being built, or inflated (one byte over detects the cap) */
  uint8_t zbuf[ACT_ZBUF_CAP];           /* compressed payload, or decoded base64 */
};

#endif
