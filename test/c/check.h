/* A minimal test harness: CHECK records a failure and carries on. */
#ifndef ACT_CHECK_H
#define ACT_CHECK_H

#include <stdio.h>
#include <string.h>

static int g_checks, g_failed;

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    g_checks++;                                                                              \
    if (!(cond)) {                                                                           \
      g_failed++;                                                                            \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, __func__, #cond); \
    }                                                                                        \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                                                   \
  do {                                                                                                       \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                                    \
    g_checks++;                                                                                              \
    if (va_ != vb_) {                                                                                        \
      g_failed++;                                                                                            \
      fprintf(stderr, "%s:%d: %s: %s == %lld, expected %lld\n", __FILE__, __LINE__, __func__, #a, va_, vb_); \
    }                                                                                                        \
  } while (0)

#define CHECK_MEM(a, an, b, bn) CHECK((size_t)(an) == (size_t)(bn) && memcmp((a), (b), (an)) == 0)

static int check_report(const char *suite) {
  fprintf(stdout, "%s: %d passed, %d failed\n", suite, g_checks - g_failed, g_failed);
  return g_failed ? 1 : 0;
}

#endif
