#include "sign.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>

struct act_signer {
  EVP_MAC *mac;
  EVP_MAC_CTX *ctx;
};

act_signer *act_signer_new(void) {
  act_signer *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (s->mac) s->ctx = EVP_MAC_CTX_new(s->mac);
  if (s->ctx) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(s->ctx, params) == 1) return s;
  }
  act_signer_free(s);
  return NULL;
}

void act_signer_free(act_signer *s) {
  if (!s) return;
  EVP_MAC_CTX_free(s->ctx);
  EVP_MAC_free(s->mac);
  free(s);
}

act_status act_hmac_sha256_parts(act_signer *s, const void *key, size_t key_len, const act_str *parts, size_t n,
                                 uint8_t out[32]) {
  size_t out_len = 0;
  if (!s || !key || (!parts && n) || !out) return ACT_ERR_ARG;
  if (EVP_MAC_init(s->ctx, key, key_len, NULL) != 1) return ACT_ERR_CRYPTO;
  for (size_t i = 0; i < n; i++) {
    if (!parts[i].p && parts[i].n) return ACT_ERR_ARG;
    if (parts[i].n && EVP_MAC_update(s->ctx, (const unsigned char *)parts[i].p, parts[i].n) != 1) return ACT_ERR_CRYPTO;
  }
  if (EVP_MAC_final(s->ctx, out, &out_len, 32) != 1 || out_len != 32) return ACT_ERR_CRYPTO;
  return ACT_OK;
}

act_status act_hmac_sha256(act_signer *s, const void *key, size_t key_len, const void *msg, size_t msg_len,
                           uint8_t out[32]) {
  act_str part = {msg, msg_len};
  return act_hmac_sha256_parts(s, key, key_len, &part, 1, out);
}

act_status act_signer_forget(act_signer *s) {
  static const unsigned char dummy[32];
  if (!s) return ACT_ERR_ARG;
  return EVP_MAC_init(s->ctx, dummy, sizeof dummy, NULL) == 1 ? ACT_OK : ACT_ERR_CRYPTO;
}

static void le32(uint8_t b[4], uint32_t v) {
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}

act_status act_sign007(act_signer *s, act_str cert, uint32_t issue_ts, uint32_t salt, const uint8_t *info,
                       size_t info_len, uint8_t out[32]) {
  uint8_t k1[32], k2[32], b[4];
  le32(b, issue_ts);
  act_status st = act_hmac_sha256(s, b, 4, cert.p, cert.n, k1);
  if (st == ACT_OK) {
    le32(b, salt);
    st = act_hmac_sha256(s, b, 4, k1, 32, k2);
  }
  if (st == ACT_OK) st = act_hmac_sha256(s, k2, 32, info, info_len, out);
  act_status forgot = act_signer_forget(s); /* the context held k2 */
  if (st == ACT_OK) st = forgot;
  act_wipe(k1, sizeof k1);
  act_wipe(k2, sizeof k2);
  return st;
}

int act_equal_ct(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

void act_wipe(void *p, size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}
