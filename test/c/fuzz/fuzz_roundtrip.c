/* libFuzzer harness: build from fuzzed fields, then parse back.
 *
 * The input describes an act_token007_in (app id, certificate, times, salt and
 * up to 65 services of every type 0..11, with privileges, strings and RTM2
 * permission trees), built with act_token007_build. An oracle computes what the
 * builder must answer (the first refused service in wire order, else an
 * over-long field, else a payload over ACT_MAX_CONTENT, else OK). Every built
 * token must then:
 *   - be at most ACT_MAX_TOKEN_LEN characters,
 *   - parse to the same fields (services in wire order, privileges sorted by
 *     key, RTM2 permissions walked sorted by resource then permission type),
 *   - verify with the certificate it was built with and with no other,
 *   - carry exactly the bytes a fresh zlib stream (compress2, level 6) makes
 *     of the payload: the context reuses its deflate stream across tokens.
 * With flag bit 3 it also builds a legacy "006" token from the first service's
 * strings and privileges, parses it back and checks it. */
#include <zlib.h>

#include "fuzz_common.h"

#define MAX_IN_SERVICES 66
#define POOL (65536 + 8 * 1024)

static char g_filler[70000];
static act_service g_svc[MAX_IN_SERVICES];
static act_priv g_privs[MAX_IN_SERVICES][40];
static act_perm g_perms[MAX_IN_SERVICES][70];
static act_str g_pool[POOL];
static size_t g_pool_used;
static char g_out[ACT_TOKEN007_MAX_OUT > ACT_TOKEN006_MAX_OUT ? ACT_TOKEN007_MAX_OUT : ACT_TOKEN006_MAX_OUT];
static act_token007_view g_view7;
static act_token006_view g_view6;
static const char kHex[] = "0123456789abcdefABCDEF";

/* A string: most from the input; length codes 253..255 make long ones from filler. */
static act_str take_field(fuzz_in *in) {
  uint8_t c = take_u8(in);
  act_str s;
  if (c == 255) {
    s.p = g_filler;
    s.n = 65536 + take_u8(in); /* over the 65535-byte field limit */
  } else if (c == 254) {
    s.p = g_filler;
    s.n = take_u16(in);
  } else if (c == 253) {
    s.p = g_filler;
    s.n = 4096 + take_u16(in) % 8192;
  } else {
    s = take_str(in, c % 64);
  }
  return s;
}

static uint16_t take_key(fuzz_in *in) {
  uint8_t b = take_u8(in);
  if (b & 0x80) return b & 0x0f; /* small keys: repeats are likely */
  return (uint16_t)((b << 8) | take_u8(in));
}

static int field_ok(act_str s) { return s.n <= 65535; }
static size_t field_len(act_str s) { return 2 + s.n; }

static int privs_dup(const act_priv *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (p[i].key == p[j].key) return 1;
  return 0;
}

static void sort_privs(act_priv *p, size_t n) {
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && p[j - 1].key > p[j].key; j--) {
      act_priv t = p[j];
      p[j] = p[j - 1];
      p[j - 1] = t;
    }
}

static uint32_t perm_key(const act_perm *p) { return ((uint32_t)p->resource_type << 16) | p->permission_type; }

/* What act_token007_build must answer, and the payload size when OK. */
static act_status oracle(const act_token007_in *in, const size_t *order, size_t *size) {
  if (!act_is_hex(in->app_id.p, in->app_id.n, 32)) return ACT_ERR_APP_ID;
  if (!act_is_hex(in->app_certificate.p, in->app_certificate.n, 32)) return ACT_ERR_APP_CERTIFICATE;
  if (in->n_services == 0) return ACT_ERR_NO_SERVICES;
  if (in->n_services > ACT_MAX_SERVICES) return ACT_ERR_TOO_MANY;
  size_t total = 2 + 32 + 2 + 32 + 4 + 4 + 4 + 2;
  int too_long = 0;
  for (size_t k = 0; k < in->n_services; k++) {
    const act_service *s = &in->services[order[k]];
    act_fields f = act_service_fields(s->type);
    if (f == ACT_FIELDS_UNKNOWN) return ACT_ERR_SERVICE_TYPE;
    if (s->n_privs > ACT_MAX_PRIVS) return ACT_ERR_TOO_MANY;
    if (privs_dup(s->privs, s->n_privs)) return ACT_ERR_DUPLICATE;
    total += 2 + 2 + 6 * s->n_privs;
    switch (f) {
      case ACT_FIELDS_CHANNEL_ACCOUNT:
        too_long |= !field_ok(s->channel) || !field_ok(s->account);
        total += field_len(s->channel) + field_len(s->account);
        break;
      case ACT_FIELDS_USER:
        too_long |= !field_ok(s->user_id);
        total += field_len(s->user_id);
        break;
      case ACT_FIELDS_APAAS:
        too_long |= !field_ok(s->room_uuid) || !field_ok(s->user_uuid);
        total += field_len(s->room_uuid) + field_len(s->user_uuid) + 2;
        break;
      case ACT_FIELDS_RTM2: {
        too_long |= !field_ok(s->user_id);
        total += field_len(s->user_id);
        if (s->n_perms > ACT_MAX_PERMS) return ACT_ERR_TOO_MANY;
        for (size_t i = 0; i < s->n_perms; i++) {
          for (size_t j = 0; j < i; j++)
            if (perm_key(&s->perms[i]) == perm_key(&s->perms[j])) return ACT_ERR_DUPLICATE;
          if (s->perms[i].n_resources > 65535) return ACT_ERR_TOO_MANY;
        }
        total += 2;
        for (size_t i = 0; i < s->n_perms; i++) {
          int new_rt = 1;
          for (size_t j = 0; j < i; j++)
            if (s->perms[j].resource_type == s->perms[i].resource_type) new_rt = 0;
          total += (new_rt ? 4 : 0) + 4;
          for (size_t r = 0; r < s->perms[i].n_resources; r++) {
            too_long |= !field_ok(s->perms[i].resources[r]);
            total += field_len(s->perms[i].resources[r]);
          }
        }
        break;
      }
      default:
        break;
    }
  }
  if (too_long) return ACT_ERR_FIELD_TOO_LONG;
  if (total > ACT_MAX_CONTENT) return ACT_ERR_CONTENT_TOO_LARGE;
  *size = total;
  return ACT_OK;
}

static int same(act_str a, act_str b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

/* The RTM2 walk must list the permissions sorted by (resource type, permission type). */
typedef struct {
  const act_perm *sorted[70];
  size_t n, at, res;
  int bad;
} walk_expect;

static void walk_cb(void *user, uint16_t rt, uint16_t pt, const act_str *res) {
  walk_expect *w = user;
  if (w->bad || w->at >= w->n) {
    w->bad = 1;
    return;
  }
  const act_perm *p = w->sorted[w->at];
  if (rt != p->resource_type || pt != p->permission_type) {
    w->bad = 1;
    return;
  }
  if (p->n_resources == 0) {
    if (res) w->bad = 1;
    w->at++;
    return;
  }
  if (!res || !same(*res, p->resources[w->res])) {
    w->bad = 1;
    return;
  }
  if (++w->res == p->n_resources) {
    w->res = 0;
    w->at++;
  }
}

static void check_service(const act_service *want, const act_service_view *got) {
  act_priv sorted[40];
  FUZZ_ASSERT(got->type == want->type && got->n_privs == want->n_privs);
  memcpy(sorted, want->privs, want->n_privs * sizeof *sorted);
  sort_privs(sorted, want->n_privs);
  for (size_t i = 0; i < want->n_privs; i++)
    FUZZ_ASSERT(got->privs[i].key == sorted[i].key && got->privs[i].value == sorted[i].value);
  switch (act_service_fields(want->type)) {
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      FUZZ_ASSERT(same(got->channel, want->channel) && same(got->account, want->account));
      break;
    case ACT_FIELDS_USER:
      FUZZ_ASSERT(same(got->user_id, want->user_id));
      break;
    case ACT_FIELDS_APAAS:
      FUZZ_ASSERT(same(got->room_uuid, want->room_uuid) && same(got->user_uuid, want->user_uuid));
      FUZZ_ASSERT(got->role == want->role);
      break;
    case ACT_FIELDS_RTM2: {
      FUZZ_ASSERT(same(got->user_id, want->user_id));
      walk_expect w = {{0}, want->n_perms, 0, 0, 0};
      for (size_t i = 0; i < want->n_perms; i++) w.sorted[i] = &want->perms[i];
      for (size_t i = 1; i < w.n; i++)
        for (size_t j = i; j > 0 && perm_key(w.sorted[j - 1]) > perm_key(w.sorted[j]); j--) {
          const act_perm *t = w.sorted[j];
          w.sorted[j] = w.sorted[j - 1];
          w.sorted[j - 1] = t;
        }
      act_rtm2_walk(got->perms, walk_cb, &w);
      FUZZ_ASSERT(!w.bad && w.at == w.n);
      break;
    }
    default:
      break;
  }
}

/* The token's compressed body must equal a fresh zlib stream's output. */
static void check_deflate(act_ctx *ctx, const act_token007_in *in, const char *tok, size_t len) {
  size_t n = 0, zn = 0;
  const uint8_t *payload = NULL;
  FUZZ_ASSERT(act_token007_payload(ctx, in, &payload, &n) == ACT_OK);
  uLongf fresh_n = compressBound((uLong)n);
  uint8_t *fresh = malloc(fresh_n), *body = malloc((len - 3) / 4 * 3 + 1);
  if (!fresh || !body) abort();
  FUZZ_ASSERT(compress2(fresh, &fresh_n, payload, (uLong)n, Z_DEFAULT_COMPRESSION) == Z_OK);
  FUZZ_ASSERT(act_base64_decode(tok + 3, len - 3, body, &zn) == ACT_OK);
  FUZZ_ASSERT(zn == fresh_n && memcmp(body, fresh, zn) == 0);
  free(fresh);
  free(body);
}

static void legacy(act_ctx *ctx, const act_token007_in *in, const act_service *s) {
  act_str ch = s->channel.n || s->channel.p ? s->channel : s->user_id;
  act_str uid = s->account.n || s->account.p ? s->account : s->user_uuid;
  act_token006_in l = {in->app_id, in->app_certificate, ch, uid, in->salt, in->issue_ts, s->privs, s->n_privs};
  size_t len = 0;
  act_status st = act_token006_build(ctx, &l, g_out, sizeof g_out, &len);
  act_status want = ACT_OK;
  if (!act_is_hex(in->app_id.p, in->app_id.n, 32))
    want = ACT_ERR_APP_ID;
  else if (!act_is_hex(in->app_certificate.p, in->app_certificate.n, 32))
    want = ACT_ERR_APP_CERTIFICATE;
  else if (ch.n > 65535 || uid.n > 65535)
    want = ACT_ERR_FIELD_TOO_LONG;
  else if (s->n_privs > ACT_MAX_PRIVS)
    want = ACT_ERR_TOO_MANY;
  else if (privs_dup(s->privs, s->n_privs))
    want = ACT_ERR_DUPLICATE;
  /* The channel and uid are signed piece by piece and carried only as CRCs, so
   * their length never makes the token too large. */
  FUZZ_ASSERT(st == want);
  if (st != ACT_OK) return;
  FUZZ_ASSERT(len < sizeof g_out && g_out[len] == '\0' && len <= ACT_MAX_TOKEN_LEN);
  act_token006_view *v = &g_view6;
  FUZZ_ASSERT(act_token006_parse(ctx, g_out, len, v) == ACT_OK);
  FUZZ_ASSERT(same(v->app_id, in->app_id) && v->salt == in->salt && v->ts == in->issue_ts);
  FUZZ_ASSERT(v->crc_channel == (uint32_t)crc32(0, (const Bytef *)ch.p, (uInt)ch.n));
  FUZZ_ASSERT(v->crc_uid == (uint32_t)crc32(0, (const Bytef *)uid.p, (uInt)uid.n));
  act_priv sorted[40];
  memcpy(sorted, s->privs, s->n_privs * sizeof *sorted);
  sort_privs(sorted, s->n_privs);
  FUZZ_ASSERT(v->n_privs == s->n_privs);
  for (size_t i = 0; i < s->n_privs; i++)
    FUZZ_ASSERT(v->privs[i].key == sorted[i].key && v->privs[i].value == sorted[i].value);
  int match = -1;
  FUZZ_ASSERT(act_token006_check(ctx, v, in->app_certificate, ch, uid, &match) == ACT_OK && match == 1);
  act_str other = {kCertB, 32};
  if (!same(other, in->app_certificate)) {
    FUZZ_ASSERT(act_token006_check(ctx, v, other, ch, uid, &match) == ACT_OK && match == 0);
  }
}

#ifdef FUZZ_STATS
static unsigned *g_counts;
static void print_stats(void) {
  for (int i = 0; i < ACT_STATUS_COUNT; i++)
    if (g_counts[i]) fprintf(stderr, "%-18s %u\n", act_status_name((act_status)i), g_counts[i]);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  act_ctx *ctx = fuzz_ctx();
  fuzz_in in = {data, size};
  char app_id[33], cert[33];
  if (!g_filler[0]) memset(g_filler, 'x', sizeof g_filler);
  g_pool_used = 0;

  uint8_t flags = take_u8(&in);
  for (int i = 0; i < 32; i++) app_id[i] = kHex[take_u8(&in) % 22];
  for (int i = 0; i < 32; i++) cert[i] = kHex[take_u8(&in) % 22];
  act_token007_in tin;
  memset(&tin, 0, sizeof tin);
  tin.app_id = (act_str){app_id, 32};
  tin.app_certificate = (act_str){cert, 32};
  if (flags & 1) app_id[take_u8(&in) % 32] = (char)take_u8(&in); /* maybe not hex any more */
  if (flags & 2) tin.app_certificate.n = take_u8(&in) % 40;      /* maybe not 32 long */
  tin.issue_ts = take_u32(&in);
  tin.expire = take_u32(&in);
  tin.salt = take_u32(&in);
  uint8_t ns = take_u8(&in);
  tin.n_services = ns >= 250 ? 60 + (size_t)(ns - 250) : ns % 12; /* 0..11, or 60..65 */

  for (size_t i = 0; i < tin.n_services; i++) {
    act_service *s = &g_svc[i];
    memset(s, 0, sizeof *s);
    uint8_t t = take_u8(&in) % 32;
    s->type = t < 30 ? (uint16_t)(t % 10 + 1) : (t == 30 ? 0 : 11);
    s->n_privs = take_u8(&in) % 36;
    for (size_t k = 0; k < s->n_privs; k++) {
      g_privs[i][k].key = take_key(&in);
      g_privs[i][k].value = take_u32(&in);
    }
    s->privs = g_privs[i];
    s->channel = take_field(&in);
    s->account = take_field(&in);
    s->user_id = take_field(&in);
    s->room_uuid = take_field(&in);
    s->user_uuid = take_field(&in);
    s->role = (int16_t)take_u16(&in);
    if (s->type == ACT_SERVICE_RTM2) {
      uint8_t np = take_u8(&in);
      s->n_perms = np >= 200 ? 60 + (size_t)(np % 8) : np % 8; /* 0..7, or 60..67 */
      for (size_t k = 0; k < s->n_perms; k++) {
        act_perm *p = &g_perms[i][k];
        p->resource_type = take_u8(&in) % 4;
        p->permission_type = take_u8(&in) % 4;
        uint8_t nr = take_u8(&in);
        p->n_resources = nr == 255 ? 65536 : nr == 254 ? 65535 : nr % 5;
        if (g_pool_used + p->n_resources > POOL) p->n_resources = 0;
        p->resources = &g_pool[g_pool_used];
        for (size_t r = 0; r < p->n_resources; r++)
          g_pool[g_pool_used + r] = p->n_resources > 4 ? (act_str){g_filler, 0} : take_field(&in);
        g_pool_used += p->n_resources;
      }
      s->perms = g_perms[i];
    }
  }
  tin.services = g_svc;

  size_t order[MAX_IN_SERVICES];
  for (size_t i = 0; i < tin.n_services; i++) { /* stable sort by type: wire order */
    size_t j = i;
    while (j > 0 && g_svc[order[j - 1]].type > g_svc[i].type) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  size_t want_size = 0;
  act_status want = oracle(&tin, order, &want_size);

  size_t len = 0;
  act_status st = act_token007_build(ctx, &tin, g_out, sizeof g_out, &len);
#ifdef FUZZ_STATS /* cc -DFUZZ_STATS ...; ./fuzz_roundtrip -runs=0 corpus: how often each answer comes */
  static unsigned counts[ACT_STATUS_COUNT];
  static int registered;
  if (!registered) {
    registered = 1;
    atexit(print_stats);
  }
  g_counts = counts;
  counts[st]++;
#endif
  if (st != want) fprintf(stderr, "build: got %s, oracle %s\n", act_status_name(st), act_status_name(want));
  FUZZ_ASSERT(st == want);
  if (st == ACT_OK) {
    FUZZ_ASSERT(len < sizeof g_out && g_out[len] == '\0' && memcmp(g_out, "007", 3) == 0);
    FUZZ_ASSERT(len <= ACT_MAX_TOKEN_LEN);
    act_token007_view *v = &g_view7;
    act_status pst = act_token007_parse(ctx, g_out, len, v);
    if (pst != ACT_OK) fprintf(stderr, "parse back: %s\n", act_status_name(pst));
    FUZZ_ASSERT(pst == ACT_OK);
    FUZZ_ASSERT(2 + v->signature.n + v->signing_info.n == want_size);
    FUZZ_ASSERT(same(v->app_id, tin.app_id));
    FUZZ_ASSERT(v->issue_ts == tin.issue_ts && v->expire == tin.expire && v->salt == tin.salt);
    FUZZ_ASSERT(v->declared_services == tin.n_services && v->n_services == tin.n_services && !v->stopped_at_unknown);
    for (size_t k = 0; k < tin.n_services; k++) check_service(&g_svc[order[k]], &v->services[k]);
    int match = -1;
    FUZZ_ASSERT(act_token007_check(ctx, v, tin.app_certificate, &match) == ACT_OK && match == 1);
    char other[32];
    memcpy(other, cert, 32);
    other[flags % 32] = other[flags % 32] == '0' ? '1' : '0';
    FUZZ_ASSERT(act_token007_check(ctx, v, (act_str){other, 32}, &match) == ACT_OK && match == 0);
    check_deflate(ctx, &tin, g_out, len);
  }
  if ((flags & 8) && tin.n_services > 0) legacy(ctx, &tin, &g_svc[0]);
  return 0;
}
