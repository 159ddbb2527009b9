#include "membership.h"

#include <string.h>

static int hex_nibble(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void act_id_from_text(const char *s, size_t n, uint8_t oid_buf[ACT_OID_LEN], act_id *out) {
  out->kind = ACT_ID_TEXT;
  out->p = (const uint8_t *)s;
  out->n = n;
  if (n != 2 * ACT_OID_LEN) return;
  for (size_t i = 0; i < ACT_OID_LEN; i++) {
    int hi = hex_nibble((unsigned char)s[2 * i]);
    int lo = hex_nibble((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0) return;
    oid_buf[i] = (uint8_t)(hi << 4 | lo);
  }
  out->kind = ACT_ID_OID;
  out->p = oid_buf;
  out->n = ACT_OID_LEN;
}

void act_id_from_oid(const uint8_t *bytes, act_id *out) {
  out->kind = ACT_ID_OID;
  out->p = bytes;
  out->n = ACT_OID_LEN;
}

int act_id_equal(const act_id *a, const act_id *b) {
  /* An empty id names nobody, so it equals nothing (not even another empty one). */
  if (a->kind == ACT_ID_NONE || a->n == 0 || a->kind != b->kind || a->n != b->n) return 0;
  return memcmp(a->p, b->p, a->n) == 0;
}

long act_find_participant(const act_id *needle, size_t n, act_id_source src, void *user) {
  if (!needle || !src || needle->kind == ACT_ID_NONE) return -1;
  for (size_t i = 0; i < n; i++) {
    act_id id;
    uint8_t buf[ACT_OID_LEN];
    int got = src(user, i, &id, buf);
    if (got < 0) return -2;
    if (got > 0 && act_id_equal(needle, &id)) return (long)i;
  }
  return -1;
}
