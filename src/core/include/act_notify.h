/* Agora Notifications (NCS) signatures. Agora signs the raw body of every
 * notification it POSTs with the customer's NCS secret and sends the result as
 * hex in two headers: "Agora-Signature-V2" (HMAC-SHA256) and "Agora-Signature"
 * (HMAC-SHA1). This module checks one of them against the body, V2 when it is
 * there. Plain C11; the caller passes buffers and lengths (nothing needs a
 * terminator) and gets a status back. No input is ever copied: the secret stays
 * in the caller's buffer, and the MAC contexts are re-keyed with a fixed dummy
 * key after every call, so no secret-derived pad outlives it.
 *
 * One act_notify per thread; never shared between threads. */
#ifndef ACT_NOTIFY_H
#define ACT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "act_limits.h"

typedef enum {
  ACT_NOTIFY_VALID = 0,    /* the chosen header's signature matches the body */
  ACT_NOTIFY_MISMATCH,     /* the chosen header is well formed and does not match: a wrong
                              secret or a changed body (or a forgery) */
  ACT_NOTIFY_MALFORMED,    /* the chosen header is not hex of the digest's length (64 for V2,
                              40 for V1); no MAC was computed */
  ACT_NOTIFY_NO_SIGNATURE, /* both headers are empty: nothing to check */
  ACT_NOTIFY_TOO_LARGE,    /* the body is over ACT_MAX_NOTIFY_BODY bytes; nothing was hashed */
  ACT_NOTIFY_BAD_SECRET,   /* the secret is empty or over ACT_MAX_NOTIFY_SECRET bytes */
  ACT_NOTIFY_ERR_ARG,      /* a NULL act_notify, a NULL pointer with a non-zero length,
                              or a NULL `used` */
  ACT_NOTIFY_ERR_CRYPTO,   /* OpenSSL failed (the contexts are re-keyed all the same) */
  ACT_NOTIFY_STATUS_COUNT
} act_notify_status;

/* Which header a call checked. */
typedef enum { ACT_NOTIFY_NONE = 0, ACT_NOTIFY_V1 = 1, ACT_NOTIFY_V2 = 2 } act_notify_version;

#define ACT_NOTIFY_V2_HEX 64 /* hex characters of an HMAC-SHA256 */
#define ACT_NOTIFY_V1_HEX 40 /* hex characters of an HMAC-SHA1 */

typedef struct act_notify act_notify;

/* A verifier: one HMAC implementation fetched from OpenSSL and a context for
 * each digest. NULL when memory or OpenSSL fails. */
act_notify *act_notify_new(void);
void act_notify_free(act_notify *v);

/* Checks a notification's signature.
 *   body, body_len      the raw request body, exactly as received
 *   v2, v2_len          the "Agora-Signature-V2" header value (hex, either case); empty = absent
 *   v1, v1_len          the "Agora-Signature" header value (hex, either case); empty = absent
 *   secret, secret_len  the NCS secret from Agora's console, as bytes
 *   *used               set to the header checked: V2 when v2_len > 0, else V1 when
 *                       v1_len > 0, else NONE (a V2 that fails never falls back to V1)
 * Returns, checking in this order:
 *   ACT_NOTIFY_ERR_ARG, ACT_NOTIFY_BAD_SECRET, ACT_NOTIFY_TOO_LARGE,
 *   ACT_NOTIFY_NO_SIGNATURE, ACT_NOTIFY_MALFORMED,
 *   then ACT_NOTIFY_VALID or ACT_NOTIFY_MISMATCH (the digests are compared
 *   with CRYPTO_memcmp, in time independent of where they differ), or
 *   ACT_NOTIFY_ERR_CRYPTO. */
act_notify_status act_notify_verify(act_notify *v, const uint8_t *body, size_t body_len, const char *v2, size_t v2_len,
                                    const char *v1, size_t v1_len, const uint8_t *secret, size_t secret_len,
                                    act_notify_version *used);

/* Signs a body as Agora does, for tests and simulators: writes the lowercase hex
 * HMAC of `version` (V1 or V2) to out and a NUL after it (out_cap >= 65 for V2,
 * >= 41 for V1).
 * Returns ACT_NOTIFY_VALID on success; ACT_NOTIFY_ERR_ARG (NULL pointers, version
 * NONE, out_cap too small), ACT_NOTIFY_BAD_SECRET, ACT_NOTIFY_TOO_LARGE or
 * ACT_NOTIFY_ERR_CRYPTO otherwise (out is then an empty string when out_cap > 0). */
act_notify_status act_notify_sign(act_notify *v, act_notify_version version, const uint8_t *body, size_t body_len,
                                  const uint8_t *secret, size_t secret_len, char *out, size_t out_cap);

/* The enumerator's name without the prefix ACT_NOTIFY_ (and ERR_ for the two
 * failures: "ARG", "CRYPTO"; error codes are lib/errors.js's): "MISMATCH"; "UNKNOWN" out of range. */
const char *act_notify_status_name(act_notify_status s);

#endif
