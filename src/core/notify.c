#include "include/act_notify.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>

#define MAX_DIGEST 32

struct act_notify {
  EVP_MAC *mac;
  EVP_MAC_CTX *sha256; /* V2 */
  EVP_MAC_CTX *sha1;   /* V1 */
};

static EVP_MAC_CTX *hmac_ctx(EVP_MAC *mac, char *digest) {
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (ctx && EVP_MAC_CTX_set_params(ctx, params) == 1) return ctx;
  EVP_MAC_CTX_free(ctx);
  return NULL;
}

act_notify *act_notify_new(void) {
  act_notify *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (v->mac) {
    char sha256[] = "SHA256", sha1[] = "SHA1";
    v->sha256 = hmac_ctx(v->mac, sha256);
    v->sha1 = hmac_ctx(v->mac, sha1);
  }
  if (v->sha256 && v->sha1) return v;
  act_notify_free(v);
  return NULL;
}

void act_notify_free(act_notify *v) {
  if (!v) return;
  EVP_MAC_CTX_free(v->sha256);
  EVP_MAC_CTX_free(v->sha1);
  EVP_MAC_free(v->mac);
  free(v);
}

/* out = HMAC(secret, body); then the context is re-keyed with a dummy key, so
 * the secret's inner and outer pads do not stay in it until the next call. */
static act_notify_status mac(EVP_MAC_CTX *ctx, const uint8_t *secret, size_t secret_len, const uint8_t *body,
                             size_t body_len, uint8_t out[MAX_DIGEST], size_t want) {
  static const unsigned char dummy[32];
  size_t out_len = 0;
  int ok = EVP_MAC_init(ctx, secret, secret_len, NULL) == 1 &&
           (body_len == 0 || EVP_MAC_update(ctx, body, body_len) == 1) &&
           EVP_MAC_final(ctx, out, &out_len, MAX_DIGEST) == 1 && out_len == want;
  int forgot = EVP_MAC_init(ctx, dummy, sizeof dummy, NULL) == 1;
  return ok && forgot ? ACT_NOTIFY_VALID : ACT_NOTIFY_ERR_CRYPTO;
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The header is attacker-chosen and public, so decoding it may branch;
 * only the comparison with the computed digest has to be constant-time. */
static int hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t n) {
  if (hex_len != 2 * n) return 0;
  for (size_t i = 0; i < n; i++) {
    int hi = hex_value((unsigned char)hex[2 * i]), lo = hex_value((unsigned char)hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return 0;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 1;
}

static act_notify_status check_common(const act_notify *v, const uint8_t *body, size_t body_len, const uint8_t *secret,
                                      size_t secret_len) {
  if (!v || (!body && body_len) || (!secret && secret_len)) return ACT_NOTIFY_ERR_ARG;
  if (secret_len == 0 || secret_len > ACT_MAX_NOTIFY_SECRET) return ACT_NOTIFY_BAD_SECRET;
  if (body_len > ACT_MAX_NOTIFY_BODY) return ACT_NOTIFY_TOO_LARGE;
  return ACT_NOTIFY_VALID;
}

act_notify_status act_notify_verify(act_notify *v, const uint8_t *body, size_t body_len, const char *v2, size_t v2_len,
                                    const char *v1, size_t v1_len, const uint8_t *secret, size_t secret_len,
                                    act_notify_version *used) {
  if (!used || (!v2 && v2_len) || (!v1 && v1_len)) return ACT_NOTIFY_ERR_ARG;
  *used = ACT_NOTIFY_NONE;
  act_notify_status st = check_common(v, body, body_len, secret, secret_len);
  if (st != ACT_NOTIFY_VALID) return st;
  if (!v2_len && !v1_len) return ACT_NOTIFY_NO_SIGNATURE;

  int use_v2 = v2_len > 0;
  *used = use_v2 ? ACT_NOTIFY_V2 : ACT_NOTIFY_V1;
  size_t n = use_v2 ? 32 : 20;
  uint8_t want[MAX_DIGEST], got[MAX_DIGEST];
  if (!hex_decode(use_v2 ? v2 : v1, use_v2 ? v2_len : v1_len, want, n)) return ACT_NOTIFY_MALFORMED;
  st = mac(use_v2 ? v->sha256 : v->sha1, secret, secret_len, body, body_len, got, n);
  if (st == ACT_NOTIFY_VALID && CRYPTO_memcmp(got, want, n) != 0) st = ACT_NOTIFY_MISMATCH;
  OPENSSL_cleanse(got, sizeof got);
  return st;
}

act_notify_status act_notify_sign(act_notify *v, act_notify_version version, const uint8_t *body, size_t body_len,
                                  const uint8_t *secret, size_t secret_len, char *out, size_t out_cap) {
  static const char digits[] = "0123456789abcdef";
  if (!out) return ACT_NOTIFY_ERR_ARG;
  if (out_cap) out[0] = '\0';
  size_t n = version == ACT_NOTIFY_V2 ? 32 : version == ACT_NOTIFY_V1 ? 20 : 0;
  if (!n || out_cap < 2 * n + 1) return ACT_NOTIFY_ERR_ARG;
  act_notify_status st = check_common(v, body, body_len, secret, secret_len);
  if (st != ACT_NOTIFY_VALID) return st;
  uint8_t d[MAX_DIGEST];
  st = mac(version == ACT_NOTIFY_V2 ? v->sha256 : v->sha1, secret, secret_len, body, body_len, d, n);
  if (st == ACT_NOTIFY_VALID) {
    for (size_t i = 0; i < n; i++) {
      out[2 * i] = digits[d[i] >> 4];
      out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
  }
  OPENSSL_cleanse(d, sizeof d);
  return st;
}

const char *act_notify_status_name(act_notify_status s) {
  static const char *const names[ACT_NOTIFY_STATUS_COUNT] = {
      [ACT_NOTIFY_VALID] = "VALID",         [ACT_NOTIFY_MISMATCH] = "MISMATCH",
      [ACT_NOTIFY_MALFORMED] = "MALFORMED", [ACT_NOTIFY_NO_SIGNATURE] = "NO_SIGNATURE",
      [ACT_NOTIFY_TOO_LARGE] = "TOO_LARGE", [ACT_NOTIFY_BAD_SECRET] = "BAD_SECRET",
      [ACT_NOTIFY_ERR_ARG] = "ARG",         [ACT_NOTIFY_ERR_CRYPTO] = "CRYPTO",
  };
  return (unsigned)s < ACT_NOTIFY_STATUS_COUNT ? names[s] : "UNKNOWN";
}
