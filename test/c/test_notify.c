/* Unit tests for src/core/notify (Agora Notifications signatures), run under
 * AddressSanitizer and UBSan by `npm test`. Expected digests come from Agora's
 * documentation and from OpenSSL's one-shot HMAC(), not from the code under test. */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

#include "check.h"
#include "act_notify.h"

static const uint8_t *U(const char *s) { return (const uint8_t *)s; }

/* Agora's example (the issue text): body, secret "secret". */
static const char kBody[] =
    "{\"eventType\":10,\"noticeId\":\"4eb720f0-8da7-11e9-a43e-53f411c2761f\",\"notifyMs\":1560408533119,"
    "\"payload\":{\"a\":\"1\",\"b\":2},\"productId\":1}";
static const char kV2[] = "de96da5acf03b0021ac3b4fa2225e7ae6f3533a30d50bb02c08ea4fa748bda24";
static const char kV1[] = "5a3bb6a6d9fad2ea9ae3fb707a14c9d7f3136df1";
/* The example in Agora's channel-event reference (with an eventMs field). */
static const char kBody2[] =
    "{\"eventMs\":1560408533119,\"eventType\":10,\"noticeId\":\"4eb720f0-8da7-11e9-a43e-53f411c2761f\","
    "\"notifyMs\":1560408533119,\"payload\":{\"a\":\"1\",\"b\":2},\"productId\":1}";
static const char kV2b[] = "6d3320c60b11101395b7fc8f9068748808a0aa1bfa064438e39d1bc2c7d74d99";
static const char kV1b[] = "033c62f40f687675f17f0f41f91a40c71c0f134c";

static act_notify_status verify(act_notify *v, const char *body, size_t n, const char *v2, const char *v1,
                                const char *secret, act_notify_version *used) {
  return act_notify_verify(v, U(body), n, v2, v2 ? strlen(v2) : 0, v1, v1 ? strlen(v1) : 0, U(secret), strlen(secret),
                           used);
}

static void upper(char *dst, const char *src) {
  size_t i = 0;
  for (; src[i]; i++) dst[i] = (char)toupper((unsigned char)src[i]);
  dst[i] = '\0';
}

static void test_agora_vectors(act_notify *v) {
  act_notify_version used = ACT_NOTIFY_NONE;
  size_t n = strlen(kBody);
  CHECK_EQ_INT(verify(v, kBody, n, kV2, kV1, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(used, ACT_NOTIFY_V2);
  CHECK_EQ_INT(verify(v, kBody, n, kV2, NULL, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, kV1, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(used, ACT_NOTIFY_V1);
  CHECK_EQ_INT(verify(v, kBody2, strlen(kBody2), kV2b, kV1b, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(verify(v, kBody2, strlen(kBody2), NULL, kV1b, "secret", &used), ACT_NOTIFY_VALID);
  /* The two examples' signatures do not cross. */
  CHECK_EQ_INT(verify(v, kBody2, strlen(kBody2), kV2, NULL, "secret", &used), ACT_NOTIFY_MISMATCH);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, kV1b, "secret", &used), ACT_NOTIFY_MISMATCH);

  char out[65];
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, U(kBody), n, U("secret"), 6, out, sizeof out), ACT_NOTIFY_VALID);
  CHECK(strcmp(out, kV2) == 0);
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V1, U(kBody), n, U("secret"), 6, out, 41), ACT_NOTIFY_VALID);
  CHECK(strcmp(out, kV1) == 0);
}

static void test_case_and_format(act_notify *v) {
  act_notify_version used;
  size_t n = strlen(kBody);
  char up2[65], up1[41], mixed[65], bad[80];
  upper(up2, kV2);
  upper(up1, kV1);
  CHECK_EQ_INT(verify(v, kBody, n, up2, NULL, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, up1, "secret", &used), ACT_NOTIFY_VALID);
  memcpy(mixed, kV2, sizeof mixed);
  for (size_t i = 0; i < 64; i += 3) mixed[i] = (char)toupper((unsigned char)mixed[i]);
  CHECK_EQ_INT(verify(v, kBody, n, mixed, NULL, "secret", &used), ACT_NOTIFY_VALID);

  /* Not hex of the digest's length: MALFORMED, whichever way. */
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 63, NULL, 0, U("secret"), 6, &used), ACT_NOTIFY_MALFORMED);
  snprintf(bad, sizeof bad, "%s0", kV2);
  CHECK_EQ_INT(verify(v, kBody, n, bad, NULL, "secret", &used), ACT_NOTIFY_MALFORMED);
  memcpy(bad, kV2, sizeof kV2);
  bad[10] = 'g';
  CHECK_EQ_INT(verify(v, kBody, n, bad, NULL, "secret", &used), ACT_NOTIFY_MALFORMED);
  bad[10] = ' ';
  CHECK_EQ_INT(verify(v, kBody, n, bad, NULL, "secret", &used), ACT_NOTIFY_MALFORMED);
  snprintf(bad, sizeof bad, " %s", kV1); /* surrounding space is not trimmed here */
  CHECK_EQ_INT(verify(v, kBody, n, NULL, bad, "secret", &used), ACT_NOTIFY_MALFORMED);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, kV2, "secret", &used), ACT_NOTIFY_MALFORMED); /* a V2 digest as V1 */
  CHECK_EQ_INT(used, ACT_NOTIFY_V1);
  CHECK_EQ_INT(verify(v, kBody, n, kV1, NULL, "secret", &used), ACT_NOTIFY_MALFORMED);
  /* A NUL inside the header is a character like any other. */
  memcpy(bad, kV2, sizeof kV2);
  bad[5] = '\0';
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, bad, 64, NULL, 0, U("secret"), 6, &used), ACT_NOTIFY_MALFORMED);
}

static void test_preference_and_absence(act_notify *v) {
  act_notify_version used = ACT_NOTIFY_V1;
  size_t n = strlen(kBody);
  char wrong2[65];
  memcpy(wrong2, kV2, sizeof wrong2);
  wrong2[0] = wrong2[0] == '0' ? '1' : '0';
  /* V2 is checked when present; a bad V2 never falls back to a good V1. */
  CHECK_EQ_INT(verify(v, kBody, n, wrong2, kV1, "secret", &used), ACT_NOTIFY_MISMATCH);
  CHECK_EQ_INT(used, ACT_NOTIFY_V2);
  CHECK_EQ_INT(verify(v, kBody, n, "zz", kV1, "secret", &used), ACT_NOTIFY_MALFORMED);
  /* An empty header is an absent one. */
  CHECK_EQ_INT(verify(v, kBody, n, "", kV1, "secret", &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(used, ACT_NOTIFY_V1);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, NULL, "secret", &used), ACT_NOTIFY_NO_SIGNATURE);
  CHECK_EQ_INT(used, ACT_NOTIFY_NONE);
  CHECK_EQ_INT(verify(v, kBody, n, "", "", "secret", &used), ACT_NOTIFY_NO_SIGNATURE);
}

static void test_tamper_and_secret(act_notify *v) {
  act_notify_version used;
  size_t n = strlen(kBody);
  char body[sizeof kBody];
  int all = 1;
  /* Every single-bit change anywhere in the body is caught, by either digest. */
  for (size_t i = 0; i < n; i++)
    for (int bit = 0; bit < 8; bit++) {
      memcpy(body, kBody, sizeof body);
      body[i] ^= (char)(1 << bit);
      all &= verify(v, body, n, kV2, NULL, "secret", &used) == ACT_NOTIFY_MISMATCH;
      all &= verify(v, body, n, NULL, kV1, "secret", &used) == ACT_NOTIFY_MISMATCH;
    }
  CHECK(all);
  CHECK_EQ_INT(verify(v, kBody, n - 1, kV2, NULL, "secret", &used), ACT_NOTIFY_MISMATCH);
  CHECK_EQ_INT(verify(v, kBody, n, kV2, NULL, "Secret", &used), ACT_NOTIFY_MISMATCH);
  CHECK_EQ_INT(verify(v, kBody, n, kV2, NULL, "secret ", &used), ACT_NOTIFY_MISMATCH);
  CHECK_EQ_INT(verify(v, kBody, n, NULL, kV1, "secre", &used), ACT_NOTIFY_MISMATCH);
  /* The right secret still works after wrong ones (the contexts are re-keyed, not stuck). */
  CHECK_EQ_INT(verify(v, kBody, n, kV2, NULL, "secret", &used), ACT_NOTIFY_VALID);
}

static void test_limits_and_args(act_notify *v) {
  act_notify_version used;
  size_t n = strlen(kBody);
  uint8_t *big = malloc(ACT_MAX_NOTIFY_BODY + 1), *key = malloc(ACT_MAX_NOTIFY_SECRET + 1);
  char sig[65];
  if (!big || !key) abort();
  memset(big, '{', ACT_MAX_NOTIFY_BODY + 1);
  memset(key, 'k', ACT_MAX_NOTIFY_SECRET + 1);

  /* The body limit: exactly the limit is signed and checked, one byte more is not hashed. */
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, big, ACT_MAX_NOTIFY_BODY, U("s"), 1, sig, sizeof sig),
               ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, big, ACT_MAX_NOTIFY_BODY, sig, 64, NULL, 0, U("s"), 1, &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, big, ACT_MAX_NOTIFY_BODY + 1, sig, 64, NULL, 0, U("s"), 1, &used),
               ACT_NOTIFY_TOO_LARGE);
  CHECK_EQ_INT(act_notify_verify(v, big, ACT_MAX_NOTIFY_BODY + 1, NULL, 0, NULL, 0, U("s"), 1, &used),
               ACT_NOTIFY_TOO_LARGE);
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V1, big, ACT_MAX_NOTIFY_BODY + 1, U("s"), 1, sig, sizeof sig),
               ACT_NOTIFY_TOO_LARGE);
  CHECK(sig[0] == '\0');

  /* The secret: 1..ACT_MAX_NOTIFY_SECRET bytes, any bytes (NUL included). */
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, U(kBody), n, key, ACT_MAX_NOTIFY_SECRET, sig, sizeof sig),
               ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, sig, 64, NULL, 0, key, ACT_MAX_NOTIFY_SECRET, &used),
               ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, sig, 64, NULL, 0, key, ACT_MAX_NOTIFY_SECRET + 1, &used),
               ACT_NOTIFY_BAD_SECRET);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 64, NULL, 0, U(""), 0, &used), ACT_NOTIFY_BAD_SECRET);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 64, NULL, 0, NULL, 0, &used), ACT_NOTIFY_BAD_SECRET);
  static const uint8_t nul_key[] = {'a', 0, 'b'};
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, U(kBody), n, nul_key, 3, sig, sizeof sig), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, sig, 64, NULL, 0, nul_key, 3, &used), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, sig, 64, NULL, 0, nul_key, 1, &used), ACT_NOTIFY_MISMATCH);

  /* The empty body is a body. */
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V1, NULL, 0, U("s"), 1, sig, sizeof sig), ACT_NOTIFY_VALID);
  CHECK_EQ_INT(act_notify_verify(v, NULL, 0, NULL, 0, sig, 40, U("s"), 1, &used), ACT_NOTIFY_VALID);

  /* Arguments. */
  CHECK_EQ_INT(act_notify_verify(NULL, U(kBody), n, kV2, 64, NULL, 0, U("secret"), 6, &used), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_verify(v, NULL, 1, kV2, 64, NULL, 0, U("secret"), 6, &used), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, NULL, 64, NULL, 0, U("secret"), 6, &used), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 64, NULL, 3, U("secret"), 6, &used), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 64, NULL, 0, NULL, 6, &used), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_verify(v, U(kBody), n, kV2, 64, NULL, 0, U("secret"), 6, NULL), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_NONE, U(kBody), n, U("s"), 1, sig, sizeof sig), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, U(kBody), n, U("s"), 1, sig, 64), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_sign(v, ACT_NOTIFY_V2, U(kBody), n, U("s"), 1, NULL, 65), ACT_NOTIFY_ERR_ARG);
  CHECK_EQ_INT(act_notify_sign(NULL, ACT_NOTIFY_V2, U(kBody), n, U("s"), 1, sig, 65), ACT_NOTIFY_ERR_ARG);
  CHECK(strcmp(act_notify_status_name(ACT_NOTIFY_NO_SIGNATURE), "NO_SIGNATURE") == 0);
  CHECK(strcmp(act_notify_status_name(ACT_NOTIFY_STATUS_COUNT), "UNKNOWN") == 0);
  free(big);
  free(key);
}

static void to_hex(const uint8_t *d, size_t n, char *out, int caps) {
  const char *digits = caps ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
  out[2 * n] = '\0';
}

static uint32_t next(uint32_t *x) { /* xorshift32: reproducible, no libc state */
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

/* Random bodies and secrets against OpenSSL's one-shot HMAC(). */
static void test_against_hmac(act_notify *v) {
  uint8_t body[600], secret[200], d[32];
  char h2[65], h1[41];
  uint32_t seed = 12345;
  int ok = 1;
  for (int round = 0; round < 300; round++) {
    size_t bn = next(&seed) % sizeof body, sn = 1 + next(&seed) % sizeof secret;
    for (size_t i = 0; i < bn; i++) body[i] = (uint8_t)next(&seed);
    for (size_t i = 0; i < sn; i++) secret[i] = (uint8_t)next(&seed);
    unsigned dn = 0;
    act_notify_version used;
    HMAC(EVP_sha256(), secret, (int)sn, body, bn, d, &dn);
    to_hex(d, dn, h2, round & 1);
    HMAC(EVP_sha1(), secret, (int)sn, body, bn, d, &dn);
    to_hex(d, dn, h1, round & 2);
    ok &=
        act_notify_verify(v, body, bn, h2, 64, h1, 40, secret, sn, &used) == ACT_NOTIFY_VALID && used == ACT_NOTIFY_V2;
    ok &=
        act_notify_verify(v, body, bn, NULL, 0, h1, 40, secret, sn, &used) == ACT_NOTIFY_VALID && used == ACT_NOTIFY_V1;
    secret[0] ^= 1;
    ok &= act_notify_verify(v, body, bn, h2, 64, NULL, 0, secret, sn, &used) == ACT_NOTIFY_MISMATCH;
    ok &= act_notify_verify(v, body, bn, NULL, 0, h1, 40, secret, sn, &used) == ACT_NOTIFY_MISMATCH;
  }
  CHECK(ok);
}

int main(void) {
  act_notify *v = act_notify_new();
  if (!v) {
    fprintf(stderr, "act_notify_new failed\n");
    return 1;
  }
  test_agora_vectors(v);
  test_case_and_format(v);
  test_preference_and_absence(v);
  test_tamper_and_secret(v);
  test_limits_and_args(v);
  test_against_hmac(v);
  act_notify_free(v);
  act_notify_free(NULL);
  return check_report("notify");
}
