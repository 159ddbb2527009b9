/* agora-call-token's C core: the public API, everything a caller needs.
 * Plain C11, no Node. Link the core's .c files with OpenSSL (libcrypto) and zlib.
 *
 *   act_limits.h    fixed size limits (ACT_MAX_*)
 *   act_status.h    act_status, its messages and names; ACT_MUST_CHECK
 *   act_types.h     act_str, act_priv; act_wipe, act_equal_ct
 *   act_ctx.h       the opaque working context; its deflater, inflater and HMAC
 *   act_encoding.h  hexadecimal checks and base64
 *   act_token007.h  AccessToken2 ("007"): services, build, parse, check
 *   act_token006.h  legacy AccessToken ("006"): build, parse, check
 *   act_notify.h    Agora Notifications (NCS) signatures: verify, sign
 *
 * Conventions: every function that can fail returns an act_status, and the
 * statuses it can return are listed beside it. Out-parameters are written only
 * on ACT_OK unless said otherwise. Strings are (pointer, length) pairs, never
 * NUL-terminated on input. Views returned by the parsers point into the context
 * (or into the caller's token) and stay valid until the context's next use.
 * No status message ever contains input data, so none can carry a secret. */
#ifndef ACT_H
#define ACT_H

#include "act_ctx.h"
#include "act_encoding.h"
#include "act_limits.h"
#include "act_notify.h"
#include "act_status.h"
#include "act_token006.h"
#include "act_token007.h"
#include "act_types.h"

#endif
