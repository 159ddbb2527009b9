/* libFuzzer harness: reading legacy "006" tokens (act_token006_parse, then
 * act_token006_check).
 *
 * The first input byte picks how the rest becomes a token:
 *   0: the rest is the token string as is
 *   1: the rest is the decoded content: "006" + app id + base64(rest)
 *   2: the rest is the signed message m (salt, ts, privileges): signed here
 *      with kCertA for kChannel/kUid; such a token must verify
 * Seeds: test/c/fuzz/gen-corpus.js. */
#include <zlib.h>

#include "ctx_internal.h" /* white-box: views must point into ctx->content */
#include "fuzz_common.h"
#include "pack.h"
#include "sign.h"

static const char kAppId[] = "970CA35de60c44645bbae8a215061b33";
static const char kChannel[] = "7d72365eb983485397e3e3f9d460bdda";
static const char kUid[] = "2882341273";
static act_token006_view g_view;

static char *encode(const uint8_t *content, size_t n, size_t *len) {
  char *tok = malloc(3 + ACT_ID_LEN + act_base64_len(n) + 1);
  if (!tok) abort();
  memcpy(tok, "006", 3);
  memcpy(tok + 3, kAppId, ACT_ID_LEN);
  *len = 3 + ACT_ID_LEN + act_base64_encode(content, n, tok + 3 + ACT_ID_LEN);
  return tok;
}

/* content = bytes(HMAC(kCertA, appId + channel + uid + m)) crc crc bytes(m) */
static uint8_t *signed_content(const uint8_t *m, size_t n, size_t *len) {
  size_t mlen = n > 65535 ? 65535 : n;
  size_t msg_n = 32 + sizeof kChannel - 1 + sizeof kUid - 1 + mlen;
  uint8_t *msg = malloc(msg_n), *c = malloc(2 + 32 + 8 + 2 + mlen);
  if (!msg || !c) abort();
  memcpy(msg, kAppId, 32);
  memcpy(msg + 32, kChannel, sizeof kChannel - 1);
  memcpy(msg + 32 + sizeof kChannel - 1, kUid, sizeof kUid - 1);
  if (mlen) memcpy(msg + msg_n - mlen, m, mlen);
  act_signer *s = act_signer_new();
  if (!s) abort();
  act_writer w;
  act_writer_init(&w, c, 2 + 32 + 8 + 2 + mlen);
  act_put_u16(&w, 32);
  uint8_t *sig = act_put_reserve(&w, 32);
  FUZZ_ASSERT(act_hmac_sha256(s, kCertA, 32, msg, msg_n, sig) == ACT_OK);
  act_signer_free(s);
  act_put_u32(&w, (uint32_t)crc32(0, (const Bytef *)kChannel, sizeof kChannel - 1));
  act_put_u32(&w, (uint32_t)crc32(0, (const Bytef *)kUid, sizeof kUid - 1));
  act_put_bytes(&w, m, mlen);
  FUZZ_ASSERT(!w.overflow);
  free(msg);
  *len = w.len;
  return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  act_ctx *ctx = fuzz_ctx();
  if (size == 0) return 0;
  int mode = data[0] % 3;
  const uint8_t *rest = data + 1;
  size_t n = size - 1, len = 0;
  char *tok;
  if (mode == 0) {
    tok = malloc(n ? n : 1);
    if (!tok) abort();
    if (n) memcpy(tok, rest, n);
    len = n;
  } else if (mode == 1) {
    tok = encode(rest, n, &len);
  } else {
    size_t cn;
    uint8_t *c = signed_content(rest, n, &cn);
    tok = encode(c, cn, &len);
    free(c);
  }

  act_token006_view *v = &g_view;
  act_status st = act_token006_parse(ctx, tok, len, v);
  FUZZ_ASSERT(st >= ACT_OK && st < ACT_STATUS_COUNT);
  if (len > ACT_MAX_TOKEN_LEN) FUZZ_ASSERT(st == ACT_ERR_TOKEN_TOO_LONG);
  if (st == ACT_OK) {
    inside(v->app_id, tok, len);
    inside(v->signature, ctx->content, sizeof ctx->content);
    inside(v->message, ctx->content, sizeof ctx->content);
    FUZZ_ASSERT(v->n_privs <= ACT_MAX_PRIVS);
    act_str cert = {kCertA, 32}, ch = {kChannel, sizeof kChannel - 1}, uid = {kUid, sizeof kUid - 1};
    act_str none = {NULL, 0};
    int match = -1;
    FUZZ_ASSERT(act_token006_check(ctx, v, cert, ch, uid, &match) == ACT_OK);
    FUZZ_ASSERT(match == 0 || match == 1);
    if (mode == 2) FUZZ_ASSERT(match == 1);
    if (match) {
      act_str other = {kCertB, 32};
      int m2 = -1;
      FUZZ_ASSERT(act_token006_check(ctx, v, other, ch, uid, &m2) == ACT_OK && m2 == 0);
      FUZZ_ASSERT(act_token006_check(ctx, v, cert, ch, none, &m2) == ACT_OK && m2 == 0);
    }
    FUZZ_ASSERT(act_token006_check(ctx, v, cert, none, none, &match) == ACT_OK);
    act_str bad = {kCertA, 33};
    FUZZ_ASSERT(act_token006_check(ctx, v, bad, ch, uid, &match) == ACT_ERR_APP_CERTIFICATE && match == 0);
  }
  free(tok);
  return 0;
}
