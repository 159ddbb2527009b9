/* Unit tests for the C core, run under AddressSanitizer and UBSan by `npm test`.
 * Linked against the system's OpenSSL and upstream zlib: compressed bytes are
 * compared with the vectors' tokenVanillaZlib, payloads with their content. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <zlib.h>

#include "act.h"
#include "check.h"
#include "ctx_internal.h" /* white-box: the deflater's window and paths */
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
  const char *cases[][2] = {{"", ""},
                            {"f", "Zg=="},
                            {"fo", "Zm8="},
                            {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
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
  CHECK(act_signer_is_clear(s));
  /* RFC 4231 test case 6: a key longer than the block is hashed first. */
  static const uint8_t want6[32] = {0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26,
                                    0xaa, 0xcb, 0xf5, 0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28,
                                    0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f, 0x0e, 0xe3, 0x7f, 0x54};
  uint8_t key[200], data[300], ref[EVP_MAX_MD_SIZE];
  memset(key, 0xaa, 131);
  const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  CHECK_EQ_INT(act_hmac_sha256(s, key, 131, msg6, strlen(msg6), mac), ACT_OK);
  CHECK_MEM(mac, 32, want6, 32);
  /* Against OpenSSL's own HMAC for every key length around the block size,
   * with the message fed in parts. */
  for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 13 + 5);
  int differ = 0, left = 0;
  for (size_t kl = 0; kl <= sizeof key; kl++) {
    size_t dl = (kl * 37) % sizeof data, ref_n = 0;
    act_str parts[3] = {{(const char *)data, dl / 3}, {NULL, 0}, {(const char *)data + dl / 3, dl - dl / 3}};
    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, kl, data, dl, ref, sizeof ref, &ref_n) || ref_n != 32) {
      differ++;
      continue;
    }
    CHECK_EQ_INT(act_hmac_sha256_parts(s, key, kl, parts, 3, mac), ACT_OK);
    if (memcmp(mac, ref, 32) != 0) differ++;
    if (!act_signer_is_clear(s)) left++;
  }
  CHECK_EQ_INT(differ, 0);
  CHECK_EQ_INT(left, 0);
  CHECK_EQ_INT(act_hmac_sha256(NULL, key, 4, data, 4, mac), ACT_ERR_ARG);
  CHECK_EQ_INT(act_hmac_sha256(s, key, 4, NULL, 4, mac), ACT_ERR_ARG);
  /* "007" signing keys the last HMAC with k2 = HMAC(salt, HMAC(ts, cert)): afterwards
   * the signer holds none of k1, k2 or the certificate. */
  uint8_t k1[32], k2[32], sig[32];
  const char *cert = "5cfd2fd1755d40ecb72977518be15d3b";
  uint8_t ts[4] = {0x00, 0xf1, 0x53, 0x65}, salt[4] = {42, 0, 0, 0};
  CHECK_EQ_INT(act_hmac_sha256(s, ts, 4, cert, 32, k1), ACT_OK);
  CHECK_EQ_INT(act_hmac_sha256(s, salt, 4, k1, 32, k2), ACT_OK);
  CHECK_EQ_INT(act_hmac_sha256(s, k2, 32, data, 120, mac), ACT_OK);
  CHECK_EQ_INT(act_sign007(s, (act_str){cert, 32}, 0x6553f100u, 42, data, 120, sig), ACT_OK);
  CHECK_MEM(sig, 32, mac, 32);
  CHECK(act_signer_is_clear(s));
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
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn, out, sizeof out, &n), ACT_ERR_INFLATE_LIMIT);
  /* The same bomb as a token is refused with its own status. */
  char *tok = malloc(4 + act_base64_len(zn) + 1);
  memcpy(tok, "007", 3);
  size_t tn = 3 + act_base64_encode(z, zn, tok + 3);
  static act_token007_view v;
  CHECK_EQ_INT(act_token007_parse(ctx, tok, tn, &v), ACT_ERR_INFLATE_LIMIT);
  /* A stream that inflates to exactly the cap is fine; one byte more is not. */
  zn = compressBound(big);
  CHECK(compress2(z, &zn, zeros, ACT_MAX_CONTENT, 6) == Z_OK);
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn, out, ACT_MAX_CONTENT, &n), ACT_OK);
  CHECK_EQ_INT(n, ACT_MAX_CONTENT);
  zn = compressBound(big);
  CHECK(compress2(z, &zn, zeros, ACT_MAX_CONTENT + 1, 6) == Z_OK);
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn, out, ACT_MAX_CONTENT, &n), ACT_ERR_INFLATE_LIMIT);
  /* Truncated and trailing-garbage streams. */
  zn = compressBound(big);
  CHECK(compress2(z, &zn, (const uint8_t *)"hello hello hello", 17, 6) == Z_OK);
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn - 3, out, sizeof out, &n), ACT_ERR_INFLATE);
  z[zn] = 0;
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn + 1, out, sizeof out, &n), ACT_ERR_INFLATE);
  CHECK_EQ_INT(act_ctx_inflate(ctx, z, zn, out, sizeof out, &n), ACT_OK);
  CHECK_MEM(out, n, "hello hello hello", 17);
  CHECK_EQ_INT(act_ctx_inflate(ctx, (const uint8_t *)"garbage!", 8, out, sizeof out, &n), ACT_ERR_INFLATE);
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
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      return SAME(channel) && SAME(account);
    case ACT_FIELDS_USER:
      return SAME(user_id);
    case ACT_FIELDS_APAAS:
      return SAME(room_uuid) && SAME(user_uuid) && in->role == out->role;
    case ACT_FIELDS_RTM2:
      return SAME(user_id) && out->perms.n > 2;
    default:
      return 1;
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
  a->len += (size_t)snprintf(a->seen + a->len, sizeof a->seen - a->len, "%u/%u:%.*s;", rt, pt, res ? (int)res->n : 0,
                             res ? res->p : "");
}

static void test_vectors007(act_ctx *ctx) {
  static char tok[ACT_TOKEN007_MAX_OUT];
  static act_token007_view v;
  for (size_t i = 0; i < N_VEC007; i++) {
    const vec007 *t = &kVec007[i];
    size_t n = 0;
    const uint8_t *payload = NULL;
    CHECK_EQ_INT(act_token007_payload(ctx, &t->in, &payload, &n), ACT_OK);
    CHECK_MEM(payload, n, t->content.p, t->content.n);
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
          if (t->in.services[j].type == type && k < v.n_services)
            CHECK(service_matches(&t->in.services[j], &v.services[k++]));
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
    uLongf zn = ACT_ZBUF_CAP;
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
  uLongf zn = ACT_ZBUF_CAP;
  static uint8_t z[ACT_ZBUF_CAP];
  compress2(z, &zn, payload, t->content.n, 6);
  memcpy(tok, "007", 3);
  n = 3 + act_base64_encode(z, zn, tok + 3);
  CHECK_EQ_INT(act_token007_parse(ctx, tok, n, &v), ACT_OK);
  CHECK(v.stopped_at_unknown && v.n_services == 1 && v.services[0].type == 1);
}

/* The service table: types from 1 without gaps (act_service_fields indexes it
 * by type), each row's fields and name as act_service_fields / _name say. */
static void test_service_table(void) {
  size_t n = 0;
  const act_service_info *t = act_service_table(&n);
  CHECK(n >= 10);
  for (size_t i = 0; i < n; i++) {
    CHECK_EQ_INT(t[i].type, i + 1);
    CHECK_EQ_INT(act_service_fields(t[i].type), t[i].fields);
    CHECK(strcmp(act_service_name(t[i].type), t[i].name) == 0);
    CHECK(t[i].id && t[i].privileges);
  }
  CHECK_EQ_INT(act_service_fields(0), ACT_FIELDS_UNKNOWN);
  CHECK_EQ_INT(act_service_fields((uint16_t)(n + 1)), ACT_FIELDS_UNKNOWN);
  CHECK(act_service_name((uint16_t)(n + 1)) == NULL);
  CHECK_EQ_INT(ACT_SERVICE_RTM2, 8);
  CHECK_EQ_INT(act_crc32("", 0), 0);
  CHECK_EQ_INT(act_crc32("123456789", 9), 0xcbf43926u); /* the CRC-32 check value */
}

static size_t put16(uint8_t *p, size_t at, uint16_t v) {
  p[at] = (uint8_t)v;
  p[at + 1] = (uint8_t)(v >> 8);
  return at + 2;
}

/* A "007" token with one RTM2 service whose tree has `pairs` permission types. */
static size_t rtm2_token(uint16_t pairs, char *tok) {
  static uint8_t payload[4096];
  static uint8_t z[ACT_ZBUF_CAP];
  size_t at = put16(payload, 0, 32);
  memset(payload + at, 's', 32);
  at = put16(payload, at + 32, 32);
  memcpy(payload + at, "970ca35de60c44645bbae8a215061b33", 32);
  at += 32;
  memset(payload + at, 1, 12); /* issue_ts, expire, salt */
  at = put16(payload, at + 12, 1);
  at = put16(payload, at, ACT_SERVICE_RTM2);
  at = put16(payload, at, 0); /* no privileges */
  at = put16(payload, at, 1);
  payload[at++] = 'u';
  at = put16(payload, at, 1); /* one resource type ... */
  at = put16(payload, at, 0);
  at = put16(payload, at, pairs); /* ... with `pairs` permission types, no resources */
  for (uint16_t i = 0; i < pairs; i++) at = put16(payload, put16(payload, at, i), 0);
  uLongf zn = ACT_ZBUF_CAP;
  compress2(z, &zn, payload, at, 6);
  memcpy(tok, "007", 3);
  return 3 + act_base64_encode(z, zn, tok + 3);
}

/* A parse holds to the build's limit of ACT_MAX_PERMS RTM2 pairs. */
static void test_rtm2_parse_limit(act_ctx *ctx) {
  static char tok[ACT_TOKEN007_MAX_OUT];
  static act_token007_view v;
  size_t n = rtm2_token(ACT_MAX_PERMS, tok);
  CHECK_EQ_INT(act_token007_parse(ctx, tok, n, &v), ACT_OK);
  CHECK(v.n_services == 1 && v.services[0].type == ACT_SERVICE_RTM2);
  n = rtm2_token(ACT_MAX_PERMS + 1, tok);
  CHECK_EQ_INT(act_token007_parse(ctx, tok, n, &v), ACT_ERR_TOO_MANY);
  n = rtm2_token(200, tok);
  CHECK_EQ_INT(act_token007_parse(ctx, tok, n, &v), ACT_ERR_TOO_MANY);
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
  const uint8_t *payload = NULL;
  CHECK_EQ_INT(act_token007_payload(ctx, &in, &payload, &n), ACT_OK);
  CHECK_MEM(payload, n, kVec007[0].content.p, kVec007[0].content.n);
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

/* Token-like bytes: random runs, hex text, repeats of earlier bytes, letter runs. */
static uint32_t g_rng = 0x9e3779b9u;
static uint32_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng;
}
static void token_like(uint8_t *d, size_t n) {
  size_t t = 0;
  for (int k = 0; t < n; k++) {
    size_t len = 1 + rnd() % 64;
    if (len > n - t) len = n - t;
    if (k % 4 == 0) {
      for (size_t i = 0; i < len; i++) d[t + i] = (uint8_t)rnd();
    } else if (k % 4 == 1) {
      for (size_t i = 0; i < len; i++) d[t + i] = (uint8_t) "7d72365eb983485397e3e3f9d460bdda"[i % 32];
    } else if (k % 4 == 2 && t > len) {
      memmove(d + t, d + rnd() % (t - len), len);
    } else {
      memset(d + t, 0x41 + (int)(len % 3), len);
    }
    t += len;
  }
}

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

/* Both deflate paths give compress2()'s bytes (a fresh stream of the same
 * zlib), whatever came before; the reuse path leaves the window and the chain
 * all zero past what the last input wrote, as a fresh stream has them. */
static void test_deflate_paths(act_ctx *ctx) {
  static uint8_t in[ACT_MAX_CONTENT], ours[ACT_ZBUF_CAP], fresh[ACT_ZBUF_CAP];
  act_ctx *fresh_ctx = act_ctx_new();
  CHECK(fresh_ctx != NULL);
  if (!fresh_ctx) return;
  /* the system's upstream zlib allocates as zstream.c expects: the reuse path runs */
  CHECK(act_ctx_deflate_reuses(ctx));
  fresh_ctx->z.reuse = 0; /* force the other path */
  CHECK(!act_ctx_deflate_reuses(fresh_ctx));
  CHECK(!act_ctx_deflate_reuses(NULL));
  int mismatches = 0, stale = 0;
  for (int k = 0; k < 400; k++) {
    /* big inputs between small ones leave the most behind */
    size_t n = k % 3 == 0 ? rnd() % (ACT_MAX_CONTENT + 1) : rnd() % 600;
    token_like(in, n);
    uLongf zn = sizeof fresh;
    CHECK_EQ_INT(compress2(fresh, &zn, in, (uLong)n, Z_DEFAULT_COMPRESSION), Z_OK);
    for (int path = 0; path < 2; path++) {
      act_ctx *c = path ? fresh_ctx : ctx;
      size_t on = 0;
      CHECK_EQ_INT(act_ctx_deflate(c, in, n, ours, sizeof ours, &on), ACT_OK);
      if (on != zn || memcmp(ours, fresh, zn) != 0) mismatches++;
    }
    const act_zlib *z = &ctx->z;
    if (z->dirty < z->window_bytes && !all_zero(z->window + z->dirty, z->window_bytes - z->dirty)) stale++;
    if (2 * z->dirty < z->prev_bytes && !all_zero(z->prev + 2 * z->dirty, z->prev_bytes - 2 * z->dirty)) stale++;
  }
  CHECK_EQ_INT(mismatches, 0);
  CHECK_EQ_INT(stale, 0);
  size_t on = 0;
  CHECK_EQ_INT(act_ctx_deflate(ctx, in, 10, ours, 4, &on), ACT_ERR_BUFFER);
  CHECK_EQ_INT(act_ctx_deflate(NULL, in, 10, ours, sizeof ours, &on), ACT_ERR_ARG);
  CHECK_EQ_INT(act_ctx_deflate(ctx, NULL, 10, ours, sizeof ours, &on), ACT_ERR_ARG);
  act_ctx_free(fresh_ctx);
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
  CHECK(act_signer_is_clear(ctx->signer)); /* after building and checking every "007" vector */
  test_token007_errors(ctx);
  test_service_table();
  test_rtm2_parse_limit(ctx);
  test_rtc_layout(ctx);
  test_vectors006(ctx);
  CHECK(act_signer_is_clear(ctx->signer)); /* after every "006" vector */
  test_deflate_paths(ctx);
  CHECK(strcmp(act_status_name(ACT_ERR_INFLATE_LIMIT), "INFLATE_LIMIT") == 0);
  act_ctx_free(ctx);
  return check_report("core");
}
