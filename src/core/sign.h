/* Internal: HMAC-SHA256 signing for both token versions, through OpenSSL. */
#ifndef ACT_SIGN_H
#define ACT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "include/act_types.h"

typedef struct act_signer act_signer;

act_signer *act_signer_new(void);
void act_signer_free(act_signer *s);

/* out = HMAC-SHA256(key, msg). */
act_status act_hmac_sha256(act_signer *s, const void *key, size_t key_len, const void *msg, size_t msg_len,
                           uint8_t out[32]);

/* out = HMAC-SHA256(key, parts[0] + parts[1] + ...), without joining the parts. */
act_status act_hmac_sha256_parts(act_signer *s, const void *key, size_t key_len, const act_str *parts, size_t n,
                                 uint8_t out[32]);

/* "007": k1 = HMAC(u32(issue_ts), cert); k2 = HMAC(u32(salt), k1); out = HMAC(k2, info). */
act_status act_sign007(act_signer *s, act_str cert, uint32_t issue_ts, uint32_t salt, const uint8_t *info,
                       size_t info_len, uint8_t out[32]);

/* Re-keys the HMAC context with a fixed dummy key, so that no key derived from
 * (or equal to) a certificate stays in it after a call: OpenSSL keeps the
 * keyed pads inside the context until its next init. */
act_status act_signer_forget(act_signer *s);

#endif
