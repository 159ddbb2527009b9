/* libFuzzer harness: reading "007" tokens (act_token007_parse, then
 * act_token007_check and act_rtm2_walk on whatever parsed).
 *
 * The first input byte picks how the rest becomes a token, so the fuzzer
 * reaches the payload reader without having to discover zlib and base64:
 *   0: the rest is the token string as is
 *   1: the rest is the inflated payload (signature + signing info): deflated, base64'd, "007"
 *   2: the rest is the compressed body: base64'd, "007"
 *   3: the rest is the signing info: signed here with kCertA, then as in 1;
 *      such a token must verify with kCertA whenever its app id is 32 hex
 * Seeds: test/c/fuzz/gen-corpus.js. */
#include <zlib.h>

#include "ctx_internal.h" /* white-box: views must point into ctx->content */
#include "fuzz_common.h"
#include "pack.h"
#include "sign.h"

static act_token007_view g_view;

typedef struct {
  act_str tree;
  size_t calls;
} walk_acc;

static void walk_cb(void *user, uint16_t rt, uint16_t pt, const act_str *res) {
  walk_acc *acc = user;
  (void)rt;
  (void)pt;
  acc->calls++;
  if (res) inside(*res, acc->tree.p, acc->tree.n);
}

static char *make_token(const uint8_t *body, size_t n, int compress, size_t *len) {
  uLongf zn = compress ? compressBound((uLong)n) : (uLongf)n;
  uint8_t *z = malloc(zn ? zn : 1);
  if (!z) abort();
  if (compress) {
    FUZZ_ASSERT(compress2(z, &zn, body, (uLong)n, Z_DEFAULT_COMPRESSION) == Z_OK);
  } else if (n) {
    memcpy(z, body, n);
  }
  char *tok = malloc(3 + act_base64_len(zn) + 1);
  if (!tok) abort();
  memcpy(tok, "007", 3);
  *len = 3 + act_base64_encode(z, zn, tok + 3);
  free(z);
  return tok;
}

/* Mode 3: content = bytes(HMAC signature with kCertA) + info. */
static uint8_t *signed_content(const uint8_t *info, size_t n, size_t *len) {
  act_reader r;
  act_reader_init(&r, info, n);
  const uint8_t *app;
  act_get_bytes(&r, &app);
  uint32_t ts = act_get_u32(&r);
  act_get_u32(&r);
  uint32_t salt = act_get_u32(&r);
  uint8_t *c = malloc(2 + ACT_SIGNATURE_LEN + n);
  if (!c) abort();
  act_signer *s = act_signer_new();
  if (!s) abort();
  act_str cert = {kCertA, 32};
  FUZZ_ASSERT(act_sign007(s, cert, ts, salt, info, n, c + 2) == ACT_OK);
  act_signer_free(s);
  c[0] = ACT_SIGNATURE_LEN;
  c[1] = 0;
  if (n) memcpy(c + 2 + ACT_SIGNATURE_LEN, info, n);
  *len = 2 + ACT_SIGNATURE_LEN + n;
  return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  act_ctx *ctx = fuzz_ctx();
  if (size == 0) return 0;
  int mode = data[0] & 3;
  const uint8_t *rest = data + 1;
  size_t n = size - 1, len = 0;
  char *tok;
  if (mode == 0) {
    tok = malloc(n ? n : 1); /* an exact-size copy: ASan sees any read past the string */
    if (!tok) abort();
    if (n) memcpy(tok, rest, n);
    len = n;
  } else if (mode == 3) {
    size_t cn;
    uint8_t *content = signed_content(rest, n, &cn);
    tok = make_token(content, cn, 1, &len);
    free(content);
  } else {
    tok = make_token(rest, n, mode == 1, &len);
  }

  act_token007_view *v = &g_view;
  act_status st = act_token007_parse(ctx, tok, len, v);
  FUZZ_ASSERT(st >= ACT_OK && st < ACT_STATUS_COUNT);
  FUZZ_ASSERT(act_status_message(st) && act_status_name(st));
  if (len > ACT_MAX_TOKEN_LEN) FUZZ_ASSERT(st == ACT_ERR_TOKEN_TOO_LONG);
  if (st == ACT_OK) {
    const uint8_t *base = ctx->content;
    size_t cap = sizeof ctx->content;
    inside(v->signature, base, cap);
    inside(v->signing_info, base, cap);
    inside(v->app_id, base, cap);
    FUZZ_ASSERT(v->n_services <= v->declared_services && v->n_services <= ACT_MAX_SERVICES);
    for (size_t i = 0; i < v->n_services; i++) {
      const act_service_view *s = &v->services[i];
      FUZZ_ASSERT(act_service_fields(s->type) != ACT_FIELDS_UNKNOWN && act_service_name(s->type));
      FUZZ_ASSERT(s->n_privs <= ACT_MAX_PRIVS);
      inside(s->channel, base, cap);
      inside(s->account, base, cap);
      inside(s->user_id, base, cap);
      inside(s->room_uuid, base, cap);
      inside(s->user_uuid, base, cap);
      inside(s->perms, base, cap);
      if (s->type == ACT_SERVICE_RTM2) {
        walk_acc acc = {s->perms, 0};
        act_rtm2_walk(s->perms, walk_cb, &acc);
      }
    }
    int match = -1;
    act_str good = {kCertA, 32}, bad = {kCertA, 31};
    FUZZ_ASSERT(act_token007_check(ctx, v, good, &match) == ACT_OK);
    FUZZ_ASSERT(match == 0 || match == 1);
    if (mode == 3 && v->signature.n == ACT_SIGNATURE_LEN && act_is_hex(v->app_id.p, v->app_id.n, ACT_ID_LEN))
      FUZZ_ASSERT(match == 1);
    act_str other = {kCertB, 32};
    if (match == 1) {
      int m2 = -1;
      FUZZ_ASSERT(act_token007_check(ctx, v, other, &m2) == ACT_OK && m2 == 0);
    }
    FUZZ_ASSERT(act_token007_check(ctx, v, bad, &match) == ACT_ERR_APP_CERTIFICATE && match == 0);
  }
  free(tok);
  return 0;
}
