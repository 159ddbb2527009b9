/* Unit tests for the C core, run under AddressSanitizer and UBSan by `npm test`.
 * Linked against the system's OpenSSL and upstream zlib: compressed bytes are
 * compared with the vectors' tokenVanillaZlib, payloads with their content. */
#include <stdlib.h>
#include <zlib.h>

#include "act.h"
#include "check.h"
#include "out/vectors_gen.h"
#include "pack.h"
#include "privmap.h"
#include "sign.h"

static act_str S(const char *s) {
  act_str r = {s, strlen(s)};
  return r;
}

static void test_pack(void) {
  uint8_t buf[16];
  act_writer w;
  act_writer_init(&w, buf, sizeof buf);
  act_put_u16(&w, 0x1234);
  act_put_u32(&w, 0xA1B2C3D4u);
  act_put_i16(&w, -1);
  act_put_bytes(&w, "xy", 2);
  static const uint8_t want[] = {0x34, 0x12, 0xD4, 0xC3, 0xB2, 0xA1, 0xFF, 0xFF, 2, 0, 'x', 'y'};
  CHECK(!w.overflow);
  CHECK_MEM(buf, w.len, want, sizeof want);
  act_put_bytes(&w, "12345", 5); /* 7 more bytes do not fit in the 4 left */
  CHECK(w.overflow);
  CHECK_EQ_INT(w.len, sizeof want);

  static uint8_t big[70000];
  act_writer_init(&w, big, sizeof big);
  act_put_bytes(&w, big, 65536);
  CHECK(w.too_long && w.overflow && w.len == 0);
  act_writer_init(&w, big, sizeof big);
  act_put_bytes(&w, big + 2, 65535);
  CHECK(!w.overflow && w.len == 65537 && big[0] == 0xFF && big[1] == 0xFF);

  act_reader r;
  act_reader_init(&r, want, sizeof want);
  CHECK_EQ_INT(act_get_u16(&r), 0x1234);
  CHECK_EQ_INT(act_get_u32(&r), 0xA1B2C3D4u);
  CHECK_EQ_INT(act_get_i16(&r), -1);
  const uint8_t *p;
  CHECK_EQ_INT(act_get_bytes(&r, &p), 2);
  CHECK(p && p[0] == 'x' && !r.short_read);
  CHECK_EQ_INT(act_get_u16(&r), 0);
  CHECK(r.short_read);
  static const uint8_t lying[] = {9, 0, 'a'}; /* says 9 bytes, has 1 */
  act_reader_init(&r, lying, sizeof lying);
  CHECK_EQ_INT(act_get_bytes(&r, &p), 0);
  CHECK(r.short_read && p == NULL);
}

static void test_privmap(void) {
  act_priv in[] = {{4, 40}, {1, 10}, {3, 30}, {2, 20}}, out[ACT_MAX_PRIVS];
  CHECK_EQ_INT(act_privs_sort(in, 4, out), ACT_OK);
  for (int i = 0; i < 4; i++) CHECK(out[i].key == i + 1 && out[i].value == (uint32_t)(i + 1) * 10);
  act_priv dup[] = {{1, 1}, {2, 2}, {1, 3}};
  CHECK_EQ_INT(act_privs_sort(dup, 3, out), ACT_ERR_DUPLICATE);
  act_priv many[ACT_MAX_PRIVS + 1];
  for (int i = 0; i <= ACT_MAX_PRIVS; i++) many[i] = (act_priv){(uint16_t)i, 0};
  CHECK_EQ_INT(act_privs_sort(many, ACT_MAX_PRIVS + 1, out), ACT_ERR_TOO_MANY);
  CHECK_EQ_INT(act_privs_sort(many, ACT_MAX_PRIVS, out), ACT_OK);

  uint8_t buf[64];
  act_writer w;
  act_writer_init(&w, buf, sizeof buf);
  act_privs_sort(in, 4, out);
  act_put_privmap(&w, out, 4);
  CHECK_EQ_INT(w.len, 2 + 4 * 6);
  act_reader r;
  act_reader_init(&r, buf, w.len);
  act_priv back[ACT_MAX_PRIVS];
  size_t n = 0;
  CHECK_EQ_INT(act_get_privmap(&r, back, &n), ACT_OK);
  CHECK(n == 4 && back[3].key == 4 && back[3].value == 40);
  act_reader_init(&r, buf, w.len - 1);
  CHECK_EQ_INT(act_get_privmap(&r, back, &n), ACT_ERR_TRUNCATED);
}

static void test_base64_hex(void) {
  char out[64];
  const char *cases[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = act_base64_encode((const uint8_t *)cases[i][0], strlen(cases[i][0]), out);
    CHECK_MEM(out, n, cases[i][1], strlen(cases[i][1]));
    CHECK_EQ_INT(n, act_base64_len(strlen(cases[i][0])));
    if (!n) continue;
    uint8_t dec[64];
    size_t dn = 0;
    CHECK_EQ_INT(act_base64_decode(cases[i][1], n, dec, &dn), ACT_OK);
    CHECK_MEM(dec, dn, cases[i][0], strlen(cases[i][0]));
  }
  uint8_t dec[64];
  size_t dn;
  const char *bad[] = {"Zm9", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Z===", "Zm=v", "Zm9vYg", "=Zm9"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    CHECK_EQ_INT(act_base64_decode(bad[i], strlen(bad[i]), dec, &dn), ACT_ERR_BASE64);
  CHECK_EQ_INT(act_base64_decode("", 0, dec, &dn), ACT_ERR_BASE64);

  CHECK(act_is_hex("970CA35de60c44645bbae8a215061b33", 32, 32));
  CHECK(!act_is_hex("970CA35de60c44645bbae8a215061b3g", 32, 32));
  CHECK(!act_is_hex("970CA35de60c44645bbae8a215061b3", 31, 32));
  CHECK(!act_is_hex(NULL, 0, 32));
}

static void test_hmac(void) {
  /* RFC 4231 test case 2. */
  static const uint8_t want[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                                   0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                                   0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
  act_signer *s = act_signer_new();
  CHECK(s != NULL);
  uint8_t mac[32];
  const char *msg = "what do ya want for nothing?";
  CHECK_EQ_INT(act_hmac_sha256(s, "Jefe", 4, msg, strlen(msg), mac), ACT_OK);
  CHECK_MEM(mac, 32, want, 32);
  /* A second use of the same context gives the same answer. */
  memset(mac, 0, sizeof mac);
  CHECK_EQ_INT(act_hmac_sha256(s, "Jefe", 4, msg, strlen(msg), mac), ACT_OK);
  CHECK_MEM(mac, 32, want, 32);
  CHECK(act_equal_ct(mac, want, 32));
  mac[31] ^= 1;
  CHECK(!act_equal_ct(mac, want, 32));
  act_signer_free(s);
}

static void test_inflate_bounds(act_ctx *ctx) {
  /* A zip bomb: 1 MiB of zeros deflates to ~1 KiB; inflating stops at the cap. */
  size_t big = 1 << 20;
  uint8_t *zeros = calloc(1, big);
  uLongf zn = compressBound(big);
  uint8_t *z = malloc(zn);
  CHECK(compress2(z, &zn, zeros, big, 6) == Z_OK);
  uint8_t out[ACT_MAX_CONTENT + 1];
  size_t n = 0;
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn, out, sizeof out, &n), ACT_ERR_INFLATE_LIMIT);
  /* The same bomb as a token is refused with its own status. */
  char *tok = malloc(4 + act_base64_len(zn) + 1);
  memcpy(tok, "007", 3);
  size_t tn = 3 + act_base64_encode(z, zn, tok + 3);
  static act_token007_view v;
  CHECK_EQ_INT(act_token007_parse(ctx, tok, tn, &v), ACT_ERR_INFLATE_LIMIT);
  /* A stream that inflates to exactly the cap is fine; one byte more is not. */
  zn = compressBound(big);
  CHECK(compress2(z, &zn, zeros, ACT_MAX_CONTENT, 6) == Z_OK);
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn, out, ACT_MAX_CONTENT, &n), ACT_OK);
  CHECK_EQ_INT(n, ACT_MAX_CONTENT);
  zn = compressBound(big);
  CHECK(compress2(z, &zn, zeros, ACT_MAX_CONTENT + 1, 6) == Z_OK);
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn, out, ACT_MAX_CONTENT, &n), ACT_ERR_INFLATE_LIMIT);
  /* Truncated and trailing-garbage streams. */
  zn = compressBound(big);
  CHECK(compress2(z, &zn, (const uint8_t *)"hello hello hello", 17, 6) == Z_OK);
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn - 3, out, sizeof out, &n), ACT_ERR_INFLATE);
  z[zn] = 0;
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn + 1, out, sizeof out, &n), ACT_ERR_INFLATE);
  CHECK_EQ_INT(act_inflate(&ctx->z, z, zn, out, sizeof out, &n), ACT_OK);
  CHECK_MEM(out, n, "hello hello hello", 17);
  CHECK_EQ_INT(act_inflate(&ctx->z, (const uint8_t *)"garbage!", 8, out, sizeof out, &n), ACT_ERR_INFLATE);
  /* Too long before any decoding. */
  char *huge = malloc(ACT_MAX_TOKEN_LEN + 1);
  memset(huge, 'A', ACT_MAX_TOKEN_LEN + 1);
  memcpy(huge, "007", 3);
  CHECK_EQ_INT(act_token007_parse(ctx, huge, ACT_MAX_TOKEN_LEN + 1, &v), ACT_ERR_TOKEN_TOO_LONG);
  memcpy(huge, "006", 3);
  static act_token006_view v6;
  CHECK_EQ_INT(act_token006_parse(ctx, huge, ACT_MAX_TOKEN_LEN + 1, &v6), ACT_ERR_TOKEN_TOO_LONG);
  free(huge);
  free(tok);
  free(z);
  free(zeros);
}

static int service_matches(const act_service *in, const act_service_view *out) {
  if (in->type != out->type || in->n_privs != out->n_privs) return 0;
  for (size_t i = 0; i < in->n_privs; i++) {
    int found = 0;
    for (size_t j = 0; j < out->n_privs; j++)
      if (out->privs[j].key == in->privs[i].key && out->privs[j].value == in->privs[i].value) found = 1;
    if (!found) return 0;
  }
#define SAME(f) (in->f.n == out->f.n && (in->f.n == 0 || memcmp(in->f.p, out->f.p, in->f.n) == 0))
  switch (act_service_fields(in->type)) {
    case ACT_FIELDS_CHANNEL_ACCOUNT: return SAME(channel) && SAME(account);
    case ACT_FIELDS_USER: return SAME(user_id);
    case ACT_FIELDS_APAAS: return SAME(room_uuid) && SAME(user_uuid) && in->role == out->role;
    case ACT_FIELDS_RTM2: return SAME(user_id) && out->perms.n > 2;
    default: return 1;
  }
#undef SAME
}

typedef struct {
  int count;
  char seen[512];
  size_t len;
} walk_acc;

static void walk_cb(void *user, uint16_t rt, uint16_t pt, const act_str *res) {
  walk_acc *a = user;
  a->count++;
  a->len += (size_t)snprintf(a->seen + a->len, sizeof a->seen - a->len, "%u/%u:%.*s;", rt, pt,
                             res ? (int)res->n : 0, res ? res->p : "");
}

static void test_vectors007(act_ctx *ctx) {
  static char tok[ACT_TOKEN007_MAX_OUT];
  static act_token007_view v;
  for (size_t i = 0; i < N_VEC007; i++) {
    const vec007 *t = &kVec007[i];
    size_t n = 0;
    CHECK_EQ_INT(act_token007_payload(ctx, &t->in, &n), ACT_OK);
    CHECK_MEM(ctx->content, n, t->content.p, t->content.n);
    CHECK_EQ_INT(act_token007_build(ctx, &t->in, tok, sizeof tok, &n), ACT_OK);
    if (n != t->vanilla.n || memcmp(tok, t->vanilla.p, n) != 0) {
      fprintf(stderr, "vector %zu (%s) differs from tokenVanillaZlib\n", i, t->name.p);
      g_failed++;
    }
    g_checks++;
    /* Both compressed forms, ours and Node's, parse back to the inputs. */
    for (int form = 0; form < 2; form++) {
      act_str s = form ? t->node : (act_str){tok, n};
      CHECK_EQ_INT(act_token007_parse(ctx, s.p, s.n, &v), ACT_OK);
      CHECK_MEM(v.app_id.p, v.app_id.n, t->in.app_id.p, t->in.app_id.n);
      CHECK(v.issue_ts == t->in.issue_ts && v.expire == t->in.expire && v.salt == t->in.salt);
      CHECK_EQ_INT(v.n_services, t->in.n_services);
      CHECK(!v.stopped_at_unknown);
      /* Services come back sorted by type, stable. */
      size_t k = 0;
      for (uint16_t type = 0; type <= 10; type++)
        for (size_t j = 0; j < t->in.n_services; j++)
          if (t->in.services[j].type == type && k < v.n_services) CHECK(service_matches(&t->in.services[j], &v.services[k++]));
      int match = 0;
      CHECK_EQ_INT(act_token007_check(ctx, &v, t->in.app_certificate, &match), ACT_OK);
      CHECK(match);
      CHECK_EQ_INT(act_token007_check(ctx, &v, S("00000000000000000000000000000000"), &match), ACT_OK);
      CHECK(!match);
    }
  }
  /* The RTM2 tree comes back as written. */
  for (size_t i = 0; i < N_VEC007; i++) {
    const vec007 *t = &kVec007[i];
    if (t->in.services[0].type != ACT_SERVICE_RTM2) continue;
    CHECK_EQ_INT(act_token007_parse(ctx, t->node.p, t->node.n, &v), ACT_OK);
    walk_acc acc = {0};
    act_rtm2_walk(v.services[0].perms, walk_cb, &acc);
    CHECK_EQ_INT(acc.count, 4);
    CHECK(strcmp(acc.seen, "0/0:message-a;0/0:message-b;1/1:stream-a;4/0:user-a;") == 0);
  }
}

static void test_token007_errors(act_ctx *ctx) {
  static char tok[ACT_TOKEN007_MAX_OUT];
  static act_token007_view v;
  act_token007_in in = kVec007[0].in;
  size_t n;
  in.app_id = S("970CA35de60c44645bbae8a215061b3");
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_APP_ID);
  in = kVec007[0].in;
  in.app_certificate = S("5CFd2fd1755d40ecb72977518be15d3X");
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_APP_CERTIFICATE);
  in = kVec007[0].in;
  in.n_services = 0;
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_NO_SERVICES);
  in = kVec007[0].in;
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, 20, &n), ACT_ERR_BUFFER);
  act_service svc = kVec007[0].in.services[0];
  svc.type = 11;
  in.services = &svc;
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_SERVICE_TYPE);
  static char longs[70000];
  memset(longs, 'a', sizeof longs);
  svc = kVec007[0].in.services[0];
  svc.account = (act_str){longs, 65536};
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_FIELD_TOO_LONG);
  svc.account = (act_str){longs, 40000};
  CHECK_EQ_INT(act_token007_build(ctx, &in, tok, sizeof tok, &n), ACT_ERR_CONTENT_TOO_LARGE);
  /* Parsing garbage of every kind fails cleanly. */
  CHECK_EQ_INT(act_token007_parse(ctx, "", 0, &v), ACT_ERR_VERSION);
  CHECK_EQ_INT(act_token007_parse(ctx, "006abc", 6, &v), ACT_ERR_VERSION);
  CHECK_EQ_INT(act_token007_parse(ctx, "007", 3, &v), ACT_ERR_BASE64);
  CHECK_EQ_INT(act_token007_parse(ctx, "007@@@@", 7, &v), ACT_ERR_BASE64);
  CHECK_EQ_INT(act_token007_parse(ctx, "007AAAA", 7, &v), ACT_ERR_INFLATE);
  /* Every truncation of a real payload is TRUNCATED, never a read past the end. */
  const vec007 *t = &kVec007[3];
  for (size_t cut = 0; cut < t->content.n; cut++) {
    uLongf zn = sizeof ctx->zbuf;
    static uint8_t z[ACT_ZBUF_CAP];
    compress2(z, &zn, (const uint8_t *)t->content.p, cut, 6);
    memcpy(tok, "007", 3);
    n = 3 + act_base64_encode(z, zn, tok + 3);
    act_status st = act_token007_parse(ctx, tok, n, &v);
    CHECK(st == ACT_ERR_TRUNCATED);
  }
  /* An unknown service type ends reading and keeps what came before. */
  uint8_t payload[512];
  memcpy(payload, t->content.p, t->content.n);
  size_t first_svc_end = t->content.n - (2 + 2 + 6 + 2 + 9); /* the RTM service is last */
  payload[first_svc_end] = 99;
  uLongf zn = sizeof ctx->zbuf;
  static uint8_t z[ACT_ZBUF_CAP];
  compress2(z, &zn, payload, t->content.n, 6);
  memcpy(tok, "007", 3);
  n = 3 + act_base64_encode(z, zn, tok + 3);
  CHECK_EQ_INT(act_token007_parse(ctx, tok, n, &v), ACT_OK);
  CHECK(v.stopped_at_unknown && v.n_services == 1 && v.services[0].type == 1);
}

static void test_rtc_layout(act_ctx *ctx) {
  /* The official builder's layout reproduces the "rtc publisher" vector's services ... */
  act_rtc_spec spec = {S("7d72365eb983485397e3e3f9d460bdda"), S("2882341273"), 600, {600, 600, 600}, 7, 0, 0};
  act_rtc_layout layout;
  act_rtc_layout_fill(&spec, &layout);
  CHECK_EQ_INT(layout.n_services, 1);
  CHECK_EQ_INT(layout.services[0].n_privs, 4);
  CHECK(layout.services[0].privs[3].key == ACT_RTC_PUBLISH_DATA && layout.services[0].privs[3].value == 600);
  /* ... a subscriber gets join only, and with RTM a login for the same account. */
  spec.publish_mask = 0;
  spec.with_rtm = 1;
  spec.rtm_login = 900;
  act_rtc_layout_fill(&spec, &layout);
  CHECK_EQ_INT(layout.n_services, 2);
  CHECK_EQ_INT(layout.services[0].n_privs, 1);
  CHECK(layout.services[1].type == ACT_SERVICE_RTM && layout.services[1].privs[0].value == 900);
  CHECK_MEM(layout.services[1].user_id.p, layout.services[1].user_id.n, "2882341273", 10);
  /* Built into a token, the subscriber layout equals vector 1's payload shape (join only). */
  act_token007_in in = kVec007[0].in;
  spec = (act_rtc_spec){kVec007[0].in.services[0].channel, kVec007[0].in.services[0].account, 600, {0}, 0, 0, 0};
  act_rtc_layout_fill(&spec, &layout);
  in.services = layout.services;
  in.n_services = layout.n_services;
  size_t n = 0;
  CHECK_EQ_INT(act_token007_payload(ctx, &in, &n), ACT_OK);
  CHECK_MEM(ctx->content, n, kVec007[0].content.p, kVec007[0].content.n);
}

static void test_vectors006(act_ctx *ctx) {
  static char tok[ACT_TOKEN006_MAX_OUT];
  static act_token006_view v;
  for (size_t i = 0; i < N_VEC006; i++) {
    const vec006 *t = &kVec006[i];
    size_t n = 0;
    CHECK_EQ_INT(act_token006_build(ctx, &t->in, tok, sizeof tok, &n), ACT_OK);
    CHECK_MEM(tok, n, t->token.p, t->token.n);
    CHECK_EQ_INT(act_token006_parse(ctx, t->token.p, t->token.n, &v), ACT_OK);
    CHECK(v.salt == t->in.salt && v.ts == t->in.ts && v.n_privs == t->in.n_privs);
    CHECK(v.crc_channel == (uint32_t)crc32(0, (const Bytef *)t->in.channel.p, (uInt)t->in.channel.n));
    int match = 0;
    CHECK_EQ_INT(act_token006_check(ctx, &v, t->in.app_certificate, t->in.channel, t->in.uid, &match), ACT_OK);
    CHECK(match);
    CHECK_EQ_INT(act_token006_check(ctx, &v, t->in.app_certificate, S("other"), t->in.uid, &match), ACT_OK);
    CHECK(!match);
  }
  CHECK_EQ_INT(act_token006_parse(ctx, "006970CA35de60c44645bbae8a215061b33", 35, &v), ACT_ERR_BASE64);
  CHECK_EQ_INT(act_token006_parse(ctx, "006970CA35de60c44645bbae8a215061b33AAAA", 39, &v), ACT_ERR_TRUNCATED);
}


int main(void) {
  act_ctx *ctx = act_ctx_new();
  if (!ctx) {
    fprintf(stderr, "act_ctx_new failed\n");
    return 1;
  }
  test_pack();
  test_privmap();
  test_base64_hex();
  test_hmac();
  test_inflate_bounds(ctx);
  test_vectors007(ctx);
  test_token007_errors(ctx);
  test_rtc_layout(ctx);
  test_vectors006(ctx);
  CHECK(strcmp(act_status_name(ACT_ERR_INFLATE_LIMIT), "INFLATE_LIMIT") == 0);
  act_ctx_free(ctx);
  return check_report("core");
}
