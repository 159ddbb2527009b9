/* The C floor: the same core calls the addon makes, for the same inputs, in a
 * plain C loop with no Node in between. What the addon costs above these
 * numbers is the price of Node-API, argument checks in lib/ and V8 strings.
 *
 * Links the system OpenSSL and zlib (Debian: zlib 1.2.13), while the addon
 * uses the ones Node ships: the numbers are close, not identical, builds.
 *
 * Allocation counting: this program defines malloc, calloc, realloc, free and
 * the aligned variants itself (glibc supports replacing them), forwarding to
 * glibc's __libc_* entry points. An executable's definitions win symbol
 * resolution for every shared library too, so allocations made inside
 * libcrypto and libz are counted as well as the core's own.
 *
 *   floor [--json] [--quick] [--only NAME[,NAME]] [--rounds N] [--min-ms N]
 *         [--alloc-sites] [--tokens] [--stages]
 *   floor --profile NAME --iters N     (just the loop, for valgrind --tool=callgrind)
 *
 * NAME: build007-uid, build007-account, verify007, build006; with --stages (or
 * --only stage-...) also the stages of those paths alone: stage-payload (pack +
 * 3 HMACs), stage-hmac, stage-deflate, stage-base64-encode, stage-base64-decode,
 * stage-inflate.
 *
 * Only the core's public API (src/core/include) is used: the context is opaque.
 * Every op cycles through distinct inputs (salts, payloads, tokens): one input
 * repeated lets the CPU's branch predictors learn deflate by heart and runs
 * about 40% faster than real tokens do.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <zlib.h> /* zlibVersion() for the report */

#include "act.h"

/* ---- allocation counter ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

static volatile unsigned long g_allocs; /* malloc/calloc/realloc/aligned calls */
static int g_record;                    /* record call sites (--alloc-sites) */
#define MAX_SITES 64
static struct {
  void *site;
  unsigned long count;
} g_sites[MAX_SITES];

static void note_alloc(void *site) {
  g_allocs++;
  if (!g_record) return;
  for (int i = 0; i < MAX_SITES; i++) {
    if (g_sites[i].site == site || !g_sites[i].site) {
      g_sites[i].site = site;
      g_sites[i].count++;
      return;
    }
  }
}

void *malloc(size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  note_alloc(__builtin_return_address(0));
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
void *memalign(size_t al, size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_memalign(al, n);
}
void *aligned_alloc(size_t al, size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_memalign(al, n);
}
int posix_memalign(void **out, size_t al, size_t n) {
  note_alloc(__builtin_return_address(0));
  if (al < sizeof(void *) || (al & (al - 1))) return EINVAL;
  void *p = __libc_memalign(al, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}
void *valloc(size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_valloc(n);
}
void *pvalloc(size_t n) {
  note_alloc(__builtin_return_address(0));
  return __libc_pvalloc(n);
}

/* ---- inputs: the same literals as bench/lib/inputs.js ---- */

static const char APP_ID[] = "970ca35de60c44645bbae8a215061b33";
static const char APP_CERT[] = "5cfd2fd1755d40ecb72977518be15d3b";
static const char CHANNEL[] = "665f1c2e8a1b2c3d4e5fc001"; /* a conversation id is the channel */
static const char ACCOUNT[] = "665f1c2e8a1b2c3d4e5f0001"; /* a user id is the account */
static const char UID[] = "1234567";                      /* uid 1234567 as the token carries it */
#define EXPIRE 3600u

static act_ctx *g_ctx;
static char g_out[ACT_TOKEN007_MAX_OUT > ACT_TOKEN006_MAX_OUT ? ACT_TOKEN007_MAX_OUT : ACT_TOKEN006_MAX_OUT];
/* The tokens verify007 reads, in turn: distinct tokens (salts differ), since a
 * loop over one constant input lets the branch predictors learn it by heart. */
#define N_TOKENS 64
#define TOKEN_CAP 512
static char g_tokens[N_TOKENS][TOKEN_CAP];
static size_t g_tokens_n[N_TOKENS];
static unsigned g_next_token;
static act_token007_view g_view7;
static uint32_t g_issue_ts;
static uint32_t g_rng = 2463534242u;

/* The default path draws a salt in 1..99999999 per token; a cheap generator here. */
static uint32_t next_salt(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return g_rng % 99999999u + 1;
}

static void die(const char *what, act_status st) {
  fprintf(stderr, "floor: %s failed: %s\n", what, act_status_message(st));
  exit(2);
}

/* A publisher's RTC services, laid out by the same core call the binding makes. */
static void publisher(act_rtc_layout *layout, const char *account, size_t account_n) {
  act_rtc_spec spec = {{CHANNEL, sizeof CHANNEL - 1}, {account, account_n}, EXPIRE, {EXPIRE, EXPIRE, EXPIRE}, 7, 0, 0};
  act_rtc_layout_fill(&spec, layout);
}

/* What build_rtc in src/binding.c does for a publisher. */
static size_t build007(const char *account, size_t account_n, uint32_t issue_ts, uint32_t salt) {
  act_rtc_layout layout;
  publisher(&layout, account, account_n);
  act_token007_in in = {{APP_ID, 32}, {APP_CERT, 32}, issue_ts, EXPIRE, salt, layout.services, layout.n_services};
  size_t n = 0;
  act_status st = act_token007_build(g_ctx, &in, g_out, sizeof g_out, &n);
  if (st != ACT_OK) die("act_token007_build", st);
  return n;
}

/* What buildLegacyToken does for agora-access-token's publisher: privileges 1..4 at ts. */
static size_t build006(uint32_t salt, uint32_t ts) {
  act_priv privs[4] = {{1, ts}, {2, ts}, {3, ts}, {4, ts}};
  act_token006_in in = {
      {APP_ID, 32}, {APP_CERT, 32}, {CHANNEL, sizeof CHANNEL - 1}, {UID, sizeof UID - 1}, salt, ts, privs, 4};
  size_t n = 0;
  act_status st = act_token006_build(g_ctx, &in, g_out, sizeof g_out, &n);
  if (st != ACT_OK) die("act_token006_build", st);
  return n;
}

/* What verify007 in src/binding.c does: parse, then recompute the signature. */
static size_t verify007(void) {
  unsigned k = g_next_token++ % N_TOKENS;
  act_status st = act_token007_parse(g_ctx, g_tokens[k], g_tokens_n[k], &g_view7);
  if (st != ACT_OK) die("act_token007_parse", st);
  int match = 0;
  st = act_token007_check(g_ctx, &g_view7, (act_str){APP_CERT, 32}, &match);
  if (st != ACT_OK || !match) die("act_token007_check", st == ACT_OK ? ACT_ERR_CRYPTO : st);
  return (size_t)match + g_view7.n_services;
}

/* Stages of the two paths, each alone, to see where a token's time goes. */
/* N_PAYLOADS distinct real payloads (account publisher tokens, distinct salts
 * and so distinct signatures), for stage-deflate and stage-hmac to go through in turn. */
#define N_PAYLOADS 256
#define PAYLOAD_CAP 256
static uint8_t g_payloads[N_PAYLOADS][PAYLOAD_CAP];
static size_t g_payloads_n[N_PAYLOADS];
static unsigned g_next_payload;
static uint8_t g_z[N_TOKENS][TOKEN_CAP]; /* the tokens' compressed bodies */
static size_t g_z_n[N_TOKENS];
static uint8_t g_tmp[ACT_ZBUF_CAP];

static const uint8_t *payload007(uint32_t salt, size_t *n) {
  act_rtc_layout layout;
  const uint8_t *payload = NULL;
  publisher(&layout, ACCOUNT, sizeof ACCOUNT - 1);
  act_token007_in in = {{APP_ID, 32}, {APP_CERT, 32}, g_issue_ts, EXPIRE, salt, layout.services, layout.n_services};
  act_status st = act_token007_payload(g_ctx, &in, &payload, n);
  if (st != ACT_OK) die("act_token007_payload", st);
  return payload;
}
static size_t stage_payload(void) {
  size_t n = 0;
  return (size_t)payload007(next_salt(), &n)[2] + n;
}
/* One HMAC-SHA256 as the third "007" one: key = 32 bytes, message = the signing info. */
static size_t stage_hmac(void) {
  uint8_t out[32];
  unsigned k = g_next_payload++ % N_PAYLOADS;
  const uint8_t *p = g_payloads[k];
  act_status st = act_ctx_hmac_sha256(g_ctx, p + 2, 32, p + 34, g_payloads_n[k] - 34, out);
  if (st != ACT_OK) die("act_ctx_hmac_sha256", st);
  return out[0];
}
static size_t stage_deflate(void) {
  size_t n = 0;
  unsigned k = g_next_payload++ % N_PAYLOADS;
  act_status st = act_ctx_deflate(g_ctx, g_payloads[k], g_payloads_n[k], g_tmp, sizeof g_tmp, &n);
  if (st != ACT_OK) die("act_ctx_deflate", st);
  return n;
}
static size_t stage_base64_encode(void) {
  unsigned k = g_next_token++ % N_TOKENS;
  return act_base64_encode(g_z[k], g_z_n[k], (char *)g_tmp);
}
static size_t stage_base64_decode(void) {
  size_t n = 0;
  unsigned k = g_next_token++ % N_TOKENS;
  act_status st = act_base64_decode(g_tokens[k] + 3, g_tokens_n[k] - 3, g_tmp, &n);
  if (st != ACT_OK) die("act_base64_decode", st);
  return n;
}
static size_t stage_inflate(void) {
  size_t n = 0;
  unsigned k = g_next_token++ % N_TOKENS;
  act_status st = act_ctx_inflate(g_ctx, g_z[k], g_z_n[k], g_tmp, sizeof g_tmp, &n);
  if (st != ACT_OK) die("act_ctx_inflate", st);
  return n;
}

typedef size_t (*op_fn)(void);
static size_t op_build007_uid(void) { return build007(UID, sizeof UID - 1, g_issue_ts, next_salt()); }
static size_t op_build007_account(void) { return build007(ACCOUNT, sizeof ACCOUNT - 1, g_issue_ts, next_salt()); }
static size_t op_verify007(void) { return verify007(); }
static size_t op_build006(void) { return build006(next_salt(), g_issue_ts + 24 * 3600); }

static const struct {
  const char *name;
  const char *label;
  op_fn fn;
} kOps[] = {
    {"build007-uid", "\"007\" RTC build, uid", op_build007_uid},
    {"build007-account", "\"007\" RTC build, account", op_build007_account},
    {"verify007", "\"007\" parse + verify", op_verify007},
    {"build006", "\"006\" RTC build, uid", op_build006},
    /* stages (--stages): parts of the above, alone */
    {"stage-payload", "\"007\" pack + sign (3 HMACs)", stage_payload},
    {"stage-hmac", "one HMAC-SHA256 of a signing info (256 in turn)", stage_hmac},
    {"stage-deflate", "act_ctx_deflate of a real payload (256 distinct, in turn)", stage_deflate},
    {"stage-base64-encode", "base64 of the compressed payload", stage_base64_encode},
    {"stage-base64-decode", "base64 decode of a token", stage_base64_decode},
    {"stage-inflate", "act_ctx_inflate of a token body", stage_inflate},
};
#define N_MAIN_OPS 4
#define N_OPS (sizeof kOps / sizeof kOps[0])

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t g_sink;

static double run_batch(op_fn fn, unsigned long n) {
  size_t sink = 0;
  double t0 = now_ns();
  for (unsigned long i = 0; i < n; i++) sink += fn();
  double t1 = now_ns();
  g_sink += sink;
  return t1 - t0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct {
  double ns_median, ns_min, ns_max;
  unsigned long batch;
  int rounds;
  double allocs_per_op;
  unsigned long alloc_ops;
} result;

static result measure(op_fn fn, int rounds, double min_ms) {
  result r = {0};
  /* warm-up (also the calibration): grow the batch until it takes min_ms */
  unsigned long n = 64;
  double t;
  for (;;) {
    t = run_batch(fn, n);
    if (t >= min_ms * 1e6) break;
    n = t < 1e5 ? n * 8 : (unsigned long)((double)n * (min_ms * 1e6 / t) * 1.1) + 1;
  }
  run_batch(fn, n); /* one more, now at the final size */
  /* allocations once warm */
  unsigned long ops = n < 10000 ? n : 10000;
  unsigned long before = g_allocs;
  for (unsigned long i = 0; i < ops; i++) g_sink += fn();
  r.alloc_ops = ops;
  r.allocs_per_op = (double)(g_allocs - before) / (double)ops;
  double per[256];
  if (rounds > 256) rounds = 256;
  for (int i = 0; i < rounds; i++) per[i] = run_batch(fn, n) / (double)n;
  r.batch = n;
  r.rounds = rounds;
  r.ns_min = r.ns_max = per[0];
  for (int i = 1; i < rounds; i++) {
    if (per[i] < r.ns_min) r.ns_min = per[i];
    if (per[i] > r.ns_max) r.ns_max = per[i];
  }
  r.ns_median = median(per, rounds);
  return r;
}

static int selected(const char *only, const char *name, int stages) {
  if (!only) return stages || strncmp(name, "stage-", 6) != 0;
  size_t len = strlen(name);
  for (const char *p = only; *p;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    /* a whole name, or a prefix of one ("build007" selects both builds) */
    if (n && n <= len && strncmp(p, name, n) == 0) return 1;
    p += n + (end ? 1 : 0);
  }
  return 0;
}

static void print_sites(void) {
  for (int i = 0; i < MAX_SITES && g_sites[i].site; i++) {
    Dl_info info;
    const char *obj = "?";
    uintptr_t base_off = 0;
    if (dladdr(g_sites[i].site, &info)) {
      if (info.dli_fname) obj = info.dli_fname;
      base_off = (uintptr_t)g_sites[i].site - (uintptr_t)info.dli_fbase;
      if (info.dli_sname) {
        fprintf(stderr, "    %8lu  %s+0x%lx (%s)\n", g_sites[i].count, info.dli_sname,
                (unsigned long)((uintptr_t)g_sites[i].site - (uintptr_t)info.dli_saddr), obj);
        continue;
      }
    }
    /* a static function: resolve with  addr2line -f -e OBJ 0xOFFSET  (or gdb, with debug symbols) */
    fprintf(stderr, "    %8lu  %s+0x%lx\n", g_sites[i].count, obj, (unsigned long)base_off);
  }
}

int main(int argc, char **argv) {
  int json = 0, rounds = 15, sites = 0, tokens = 0, stages = 0;
  double min_ms = 20;
  const char *only = NULL, *profile = NULL;
  unsigned long iters = 100000;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--json"))
      json = 1;
    else if (!strcmp(argv[i], "--quick"))
      rounds = 7, min_ms = 10;
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--min-ms") && i + 1 < argc)
      min_ms = atof(argv[++i]);
    else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
      profile = argv[++i];
    else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
      iters = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--alloc-sites"))
      sites = 1;
    else if (!strcmp(argv[i], "--tokens"))
      tokens = 1;
    else if (!strcmp(argv[i], "--stages"))
      stages = 1;
    else {
      fprintf(stderr,
              "usage: floor [--json] [--quick] [--only NAMES] [--rounds N] [--min-ms N] [--alloc-sites] [--tokens] "
              "[--stages]\n"
              "       floor --profile NAME [--iters N]\n");
      return 2;
    }
  }
  if (rounds < 1) rounds = 1;

  g_ctx = act_ctx_new();
  if (!g_ctx) die("act_ctx_new", ACT_ERR_NOMEM);
  g_issue_ts = (uint32_t)time(NULL);
  /* the tokens verify007 reads: account tokens, as the addon row uses, and their bodies */
  for (unsigned k = 0; k < N_TOKENS; k++) {
    g_tokens_n[k] = build007(ACCOUNT, sizeof ACCOUNT - 1, g_issue_ts, next_salt());
    if (g_tokens_n[k] >= TOKEN_CAP) die("build007 (token too long for the pool)", ACT_ERR_BUFFER);
    memcpy(g_tokens[k], g_out, g_tokens_n[k] + 1);
    if (act_base64_decode(g_tokens[k] + 3, g_tokens_n[k] - 3, g_tmp, &g_z_n[k]) != ACT_OK || g_z_n[k] > TOKEN_CAP)
      die("act_base64_decode", ACT_ERR_BASE64);
    memcpy(g_z[k], g_tmp, g_z_n[k]);
  }
  /* the payloads stage-deflate and stage-hmac go through */
  for (unsigned k = 0; k < N_PAYLOADS; k++) {
    const uint8_t *p = payload007(next_salt(), &g_payloads_n[k]);
    if (g_payloads_n[k] > PAYLOAD_CAP) die("payload007 (payload too long for the pool)", ACT_ERR_BUFFER);
    memcpy(g_payloads[k], p, g_payloads_n[k]);
  }

  if (tokens) {
    /* Fixed salt and time, for bench/index.js to check the floor builds what the addon builds. */
    size_t n = build007(UID, sizeof UID - 1, 1700000000u, 42);
    printf("build007-uid %.*s\n", (int)n, g_out);
    n = build007(ACCOUNT, sizeof ACCOUNT - 1, 1700000000u, 42);
    printf("build007-account %.*s\n", (int)n, g_out);
    n = build006(42, 1700086400u);
    printf("build006 %.*s\n", (int)n, g_out);
    act_ctx_free(g_ctx);
    return 0;
  }

  if (profile) {
    for (size_t k = 0; k < N_OPS; k++) {
      if (strcmp(kOps[k].name, profile) != 0) continue;
      for (unsigned long i = 0; i < iters; i++) g_sink += kOps[k].fn();
      act_ctx_free(g_ctx);
      return 0;
    }
    fprintf(stderr, "floor: no operation named %s\n", profile);
    return 2;
  }

  if (json)
    printf("{\"zlib\":\"%s\",\"openssl\":\"%s\",\"results\":[", zlibVersion(), OpenSSL_version(OPENSSL_VERSION));
  else
    printf("C floor (system zlib %s, %s): %d rounds of >= %.0f ms\n", zlibVersion(), OpenSSL_version(OPENSSL_VERSION),
           rounds, min_ms);
  int first = 1;
  for (size_t k = 0; k < N_OPS; k++) {
    if (!selected(only, kOps[k].name, stages)) continue;
    result r = measure(kOps[k].fn, rounds, min_ms);
    if (sites) {
      /* the per-op allocation pass again, recording where each came from */
      memset(g_sites, 0, sizeof g_sites);
      g_record = 1;
      for (int i = 0; i < 1000; i++) g_sink += kOps[k].fn();
      g_record = 0;
    }
    if (json) {
      printf(
          "%s{\"name\":\"%s\",\"nsPerOp\":%.1f,\"nsMin\":%.1f,\"nsMax\":%.1f,\"batch\":%lu,"
          "\"rounds\":%d,\"allocsPerOp\":%.3f,\"allocOps\":%lu}",
          first ? "" : ",", kOps[k].name, r.ns_median, r.ns_min, r.ns_max, r.batch, r.rounds, r.allocs_per_op,
          r.alloc_ops);
    } else {
      printf("  %-18s %9.1f ns/op (min %.1f, max %.1f; batch %lu)\n", kOps[k].name, r.ns_median, r.ns_min, r.ns_max,
             r.batch);
      printf("  %-18s allocations per token after warm-up: %g\n", "", r.allocs_per_op);
    }
    if (sites && g_sites[0].site) {
      fprintf(stderr, "  %s: allocation sites over 1000 warm ops (count, caller):\n", kOps[k].name);
      print_sites();
    }
    first = 0;
  }
  if (json) printf("]}\n");
  act_ctx_free(g_ctx);
  return (int)(g_sink & 0); /* keep the sink */
}
