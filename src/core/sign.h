/* Internal: HMAC-SHA256 signing for both token versions, through OpenSSL. */
#ifndef ACT_SIGN_H
#define ACT_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "include/act_types.h"

typedef struct act_signer act_signer;

act_signer *act_signer_new(void);
void act_signer_free(act_signer *s);

/* out = HMAC-SHA256(key, msg); any key length (over 64 bytes it is hashed first).
 * ACT_ERR_ARG for NULL pointers, ACT_ERR_CRYPTO when OpenSSL fails. */
act_status act_hmac_sha256(act_signer *s, const void *key, size_t key_len, const void *msg, size_t msg_len,
                           uint8_t out[32]);

/* out = HMAC-SHA256(key, parts[0] + parts[1] + ...), without joining the parts. */
act_status act_hmac_sha256_parts(act_signer *s, const void *key, size_t key_len, const act_str *parts, size_t n,
                                 uint8_t out[32]);

/* "007": k1 = HMAC(u32(issue_ts), cert); k2 = HMAC(u32(salt), k1); out = HMAC(k2, info). */
act_status act_sign007(act_signer *s, act_str cert, uint32_t issue_ts, uint32_t salt, const uint8_t *info,
                       size_t info_len, uint8_t out[32]);

/* Every call above returns with the signer holding nothing derived from its
 * key or message: the padded keys and hash states lived in wiped stack
 * blocks, and (built the EVP way, see sign.c) the signer's digest context is
 * back at SHA-256's initial state. For the white-box test: 1 when that holds
 * (the EVP way: finalising a copy of the context gives SHA-256 of nothing). */
int act_signer_is_clear(act_signer *s);

#endif
