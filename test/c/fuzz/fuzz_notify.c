/* libFuzzer harness: Agora Notifications signatures (src/core/notify).
 *
 * Input: a flags byte, then three length bytes (secret, V2 header, V1 header),
 * then those three strings, then the body (everything left). Any bytes go
 * anywhere: NULs, non-hex, wrong lengths, an empty secret. Flags:
 *   bit 0  replace the V2 header with the body's true HMAC-SHA256 (hex)
 *   bit 1  replace the V1 header with the body's true HMAC-SHA1 (hex)
 *   bit 2  write those in uppercase (bit 3: mixed case)
 *   bit 4  then flip one bit of the body (taken from the next input byte)
 *   bit 5  a secret of ACT_MAX_NOTIFY_SECRET + (flags >> 6) - 1 bytes instead (0..2 over)
 * An oracle built on OpenSSL's one-shot HMAC() says what act_notify_verify
 * must answer (status and header used); act_notify_sign must agree with HMAC()
 * too. The verifier must also leave no state behind: the same call made twice
 * answers the same. Aborts on any difference. */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fuzz_common.h"
#include "act_notify.h"

static act_notify *g_v;
static uint8_t g_big_secret[ACT_MAX_NOTIFY_SECRET + 2];

static void to_hex(const uint8_t *d, size_t n, char *out, int mode) {
  static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
  for (size_t i = 0; i < 2 * n; i++) {
    int nib = i & 1 ? d[i / 2] & 15 : d[i / 2] >> 4;
    int caps = mode == 1 || (mode == 2 && (i % 3 == 0));
    out[i] = (caps ? up : lo)[nib];
  }
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = (unsigned char)tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 1 when h is 2n hex digits spelling d, 0 when 2n hex digits spelling something else, -1 when not 2n hex digits. */
static int spells(const char *h, size_t hn, const uint8_t *d, size_t n) {
  if (hn != 2 * n) return -1;
  int same = 1;
  for (size_t i = 0; i < n; i++) {
    int a = hexval((unsigned char)h[2 * i]), b = hexval((unsigned char)h[2 * i + 1]);
    if (a < 0 || b < 0) return -1;
    if ((uint8_t)(a << 4 | b) != d[i]) same = 0;
  }
  return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_v && !(g_v = act_notify_new())) abort();
  fuzz_in in = {data, size};
  uint8_t flags = take_u8(&in);
  size_t sn = take_u8(&in), n2 = take_u8(&in), n1 = take_u8(&in);
  act_str secret_s = take_str(&in, sn), v2_s = take_str(&in, n2), v1_s = take_str(&in, n1);
  uint8_t flip = (flags & 16) ? take_u8(&in) : 0;
  size_t body_len = in.n;
  uint8_t *body = malloc(body_len + 1); /* a copy of its own, so ASan sees reads past its end */
  char v2[256], v1[256];
  if (!body) abort();
  if (body_len) memcpy(body, in.p, body_len);
  memcpy(v2, v2_s.p ? v2_s.p : "", v2_s.n);
  memcpy(v1, v1_s.p ? v1_s.p : "", v1_s.n);
  const uint8_t *secret = (const uint8_t *)secret_s.p;
  size_t secret_len = secret_s.n;
  if (flags & 32) {
    memset(g_big_secret, 0x5a, sizeof g_big_secret);
    secret = g_big_secret;
    secret_len = ACT_MAX_NOTIFY_SECRET + (flags >> 6) - 1;
  }

  int case_mode = flags & 4 ? 1 : flags & 8 ? 2 : 0;
  uint8_t d2[32], d1[20];
  unsigned l2 = 0, l1 = 0;
  int keyed = secret_len > 0 && secret_len <= ACT_MAX_NOTIFY_SECRET;
  if (keyed) {
    FUZZ_ASSERT(HMAC(EVP_sha256(), secret, (int)secret_len, body, body_len, d2, &l2) && l2 == 32);
    FUZZ_ASSERT(HMAC(EVP_sha1(), secret, (int)secret_len, body, body_len, d1, &l1) && l1 == 20);
    if (flags & 1) to_hex(d2, 32, v2, case_mode);
    if (flags & 2) to_hex(d1, 20, v1, case_mode);
  }
  n2 = (flags & 1) && keyed ? 64 : v2_s.n;
  n1 = (flags & 2) && keyed ? 40 : v1_s.n;
  if ((flags & 16) && body_len) body[(flip >> 3) % body_len] ^= (uint8_t)(1u << (flip & 7));
  if (keyed && (flags & 16)) { /* the oracle sees the body that is verified */
    HMAC(EVP_sha256(), secret, (int)secret_len, body, body_len, d2, &l2);
    HMAC(EVP_sha1(), secret, (int)secret_len, body, body_len, d1, &l1);
  }

  /* The oracle. */
  act_notify_status want;
  act_notify_version want_used = ACT_NOTIFY_NONE;
  if (!keyed)
    want = ACT_NOTIFY_BAD_SECRET;
  else if (!n2 && !n1)
    want = ACT_NOTIFY_NO_SIGNATURE;
  else {
    want_used = n2 ? ACT_NOTIFY_V2 : ACT_NOTIFY_V1;
    int s = n2 ? spells(v2, n2, d2, 32) : spells(v1, n1, d1, 20);
    want = s < 0 ? ACT_NOTIFY_MALFORMED : s ? ACT_NOTIFY_VALID : ACT_NOTIFY_MISMATCH;
  }

  act_notify_version used = (act_notify_version)99;
  act_notify_status st = act_notify_verify(g_v, body, body_len, v2, n2, v1, n1, secret, secret_len, &used);
  if (st != want || used != want_used)
    fprintf(stderr, "verify: %s (used %d), oracle %s (used %d)\n", act_notify_status_name(st), used,
            act_notify_status_name(want), want_used);
  FUZZ_ASSERT(st == want && used == want_used);
  /* Independent of the oracle: a true signature verifies, and stops verifying once a body bit flips. */
  if (keyed && ((flags & 1) || ((flags & 2) && n2 == 0))) {
    FUZZ_ASSERT(st == ((flags & 16) && body_len ? ACT_NOTIFY_MISMATCH : ACT_NOTIFY_VALID));
  }
  act_notify_version again;
  FUZZ_ASSERT(act_notify_verify(g_v, body, body_len, v2, n2, v1, n1, secret, secret_len, &again) == st &&
              again == used);

  /* Signing agrees with HMAC() in both digests. */
  char out[65];
  act_notify_status ss = act_notify_sign(g_v, ACT_NOTIFY_V2, body, body_len, secret, secret_len, out, sizeof out);
  FUZZ_ASSERT(ss == (keyed ? ACT_NOTIFY_VALID : ACT_NOTIFY_BAD_SECRET));
  if (keyed) {
    FUZZ_ASSERT(strlen(out) == 64 && spells(out, 64, d2, 32) == 1);
    FUZZ_ASSERT(act_notify_sign(g_v, ACT_NOTIFY_V1, body, body_len, secret, secret_len, out, 41) == ACT_NOTIFY_VALID);
    FUZZ_ASSERT(strlen(out) == 40 && spells(out, 40, d1, 20) == 1);
  }
  free(body);
  return 0;
}
