/* SHA256_Init/Update/Final are deprecated since OpenSSL 3.0 (in favour of EVP)
 * but present in every 3.x; see "Two ways to hash" below. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

/* HMAC-SHA256 (RFC 2104) over OpenSSL's SHA-256, through one reused digest
 * context. OpenSSL does the hashing; this file only lays out the two padded
 * key blocks HMAC is defined with:
 *   HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)),  K' = K padded to 64
 *   bytes with zeros (or H(K) when K is longer than 64 bytes).
 * Why not EVP_MAC: every EVP_MAC_init re-keys through the provider (two
 * digest inits and two block compressions, plus parameter handling), and the
 * keyed context keeps the key's pads until it is re-keyed once more, which cost
 * a fourth, dummy re-key per token to forget them. Here the padded key exists
 * only in a stack block that is wiped before returning, and the digest context
 * is re-initialised at the end of every call, so nothing derived from a key
 * (or from the certificate) stays in the signer after a call.
 *
 * Two ways to hash, the same SHA-256 of OpenSSL:
 * - SHA256_Init/Update/Final on a SHA256_CTX on the stack, wiped after use:
 *   no allocation, no provider dispatch, and the signer holds no state at all.
 *   The default with OpenSSL 3 (Node 18 to 26 ship 3.0 and 3.5), where
 *   EVP_DigestInit_ex2 frees and re-creates the provider's context on every
 *   init: 7 allocations per "007" token, about 3% of a whole token's time.
 * - EVP_MD (fetched once) on one EVP_MD_CTX, re-initialised at the end of
 *   every call: used with OpenSSL 4 headers, or with -DACT_SIGN_EVP (test/c
 *   builds and runs its tests both ways), in case the deprecated calls go. */
#if defined(ACT_SIGN_EVP) || OPENSSL_VERSION_MAJOR >= 4
#define SIGN_EVP 1
#else
#define SIGN_EVP 0
#endif

#define BLOCK 64
#define DIGEST 32

struct act_signer {
  EVP_MD *md; /* EVP way: fetched once */
  EVP_MD_CTX *c;
};

#if SIGN_EVP
/* out = SHA-256(pre || parts...) */
static int sha256_parts(act_signer *s, const void *pre, size_t pre_n, const act_str *parts, size_t n,
                        uint8_t out[DIGEST]) {
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(s->c, NULL, NULL) != 1 || EVP_DigestUpdate(s->c, pre, pre_n) != 1) return 0;
  for (size_t i = 0; i < n; i++)
    if (parts[i].n && EVP_DigestUpdate(s->c, parts[i].p, parts[i].n) != 1) return 0;
  return EVP_DigestFinal_ex(s->c, out, &len) == 1 && len == DIGEST;
}

static int signer_init(act_signer *s) {
  s->md = EVP_MD_fetch(NULL, "SHA256", NULL);
  if (s->md) s->c = EVP_MD_CTX_new();
  /* initialised once here so that the provider's context exists before the first token */
  return s->c && EVP_DigestInit_ex2(s->c, s->md, NULL) == 1;
}

/* Back to SHA-256's initial state: what the last hash absorbed is gone. */
static act_status reset(act_signer *s, act_status st) {
  int ok = EVP_DigestInit_ex2(s->c, NULL, NULL) == 1;
  return st == ACT_OK && !ok ? ACT_ERR_CRYPTO : st;
}
#else
static int sha256_parts(act_signer *s, const void *pre, size_t pre_n, const act_str *parts, size_t n,
                        uint8_t out[DIGEST]) {
  SHA256_CTX c;
  (void)s;
  int ok = SHA256_Init(&c) == 1 && SHA256_Update(&c, pre, pre_n) == 1;
  for (size_t i = 0; ok && i < n; i++)
    if (parts[i].n && SHA256_Update(&c, parts[i].p, parts[i].n) != 1) ok = 0;
  ok = ok && SHA256_Final(out, &c) == 1;
  act_wipe(&c, sizeof c);
  return ok;
}

static int signer_init(act_signer *s) {
  (void)s;
  return 1;
}

static act_status reset(act_signer *s, act_status st) { /* nothing kept: the contexts were on the stack, wiped */
  (void)s;
  return st;
}
#endif

act_signer *act_signer_new(void) {
  act_signer *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (signer_init(s)) return s;
  act_signer_free(s);
  return NULL;
}

void act_signer_free(act_signer *s) {
  if (!s) return;
  EVP_MD_CTX_free(s->c);
  EVP_MD_free(s->md);
  free(s);
}

/* out = HMAC(key, parts...). out may be the buffer of parts (each hash reads
 * all its input before the final one writes out). The EVP way leaves the
 * digest context holding the last hash's final state: callers end with reset(). */
static act_status hmac(act_signer *s, const void *key, size_t key_len, const act_str *parts, size_t n,
                       uint8_t out[DIGEST]) {
  uint8_t pad[BLOCK], inner[DIGEST];
  act_status st = ACT_ERR_CRYPTO;
  memset(pad, 0, sizeof pad);
  if (key_len > BLOCK) {
    if (!sha256_parts(s, key, key_len, NULL, 0, pad)) goto done;
  } else if (key_len) {
    memcpy(pad, key, key_len);
  }
  for (size_t i = 0; i < BLOCK; i++) pad[i] ^= 0x36;
  if (!sha256_parts(s, pad, BLOCK, parts, n, inner)) goto done;
  for (size_t i = 0; i < BLOCK; i++) pad[i] ^= 0x36 ^ 0x5c;
  act_str last = {(const char *)inner, DIGEST};
  if (sha256_parts(s, pad, BLOCK, &last, 1, out)) st = ACT_OK;
done:
  act_wipe(pad, sizeof pad);
  act_wipe(inner, sizeof inner);
  return st;
}

act_status act_hmac_sha256_parts(act_signer *s, const void *key, size_t key_len, const act_str *parts, size_t n,
                                 uint8_t out[32]) {
  if (!s || !key || (!parts && n) || !out) return ACT_ERR_ARG;
  for (size_t i = 0; i < n; i++)
    if (!parts[i].p && parts[i].n) return ACT_ERR_ARG;
  return reset(s, hmac(s, key, key_len, parts, n, out));
}

act_status act_hmac_sha256(act_signer *s, const void *key, size_t key_len, const void *msg, size_t msg_len,
                           uint8_t out[32]) {
  act_str part = {msg, msg_len};
  return act_hmac_sha256_parts(s, key, key_len, &part, 1, out);
}

int act_signer_is_clear(act_signer *s) {
#if !SIGN_EVP
  return s && !s->c; /* the SHA256_CTX way keeps no state in the signer at all */
#else
  static const uint8_t empty[DIGEST] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                        0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                        0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  uint8_t got[DIGEST];
  unsigned int len = 0;
  EVP_MD_CTX *copy = EVP_MD_CTX_new();
  int clear = copy && EVP_MD_CTX_copy_ex(copy, s->c) == 1 && EVP_DigestFinal_ex(copy, got, &len) == 1 &&
              len == DIGEST && memcmp(got, empty, DIGEST) == 0;
  EVP_MD_CTX_free(copy);
  return clear;
#endif
}

static void le32(uint8_t b[4], uint32_t v) {
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}

act_status act_sign007(act_signer *s, act_str cert, uint32_t issue_ts, uint32_t salt, const uint8_t *info,
                       size_t info_len, uint8_t out[32]) {
  uint8_t k[DIGEST], b[4];
  if (!s || (!cert.p && cert.n) || (!info && info_len) || !out) return ACT_ERR_ARG;
  act_str m = cert;
  le32(b, issue_ts);
  act_status st = hmac(s, b, 4, &m, 1, k); /* k1 */
  if (st == ACT_OK) {
    le32(b, salt);
    m = (act_str){(const char *)k, DIGEST};
    st = hmac(s, b, 4, &m, 1, k); /* k2, over k1 (read into the pad's digest before k is written) */
  }
  if (st == ACT_OK) {
    m = (act_str){(const char *)info, info_len};
    st = hmac(s, k, DIGEST, &m, 1, out);
  }
  act_wipe(k, sizeof k);
  return reset(s, st);
}

int act_equal_ct(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }

void act_wipe(void *p, size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}
