#include "privmap.h"

act_status act_privs_sort(const act_priv *in, size_t n, act_priv *out) {
  if (n > ACT_MAX_PRIVS) return ACT_ERR_TOO_MANY;
  if (n && !in) return ACT_ERR_ARG;
  for (size_t i = 0; i < n; i++) {
    act_priv v = in[i];
    size_t j = i;
    while (j > 0 && out[j - 1].key > v.key) {
      out[j] = out[j - 1];
      j--;
    }
    if (j > 0 && out[j - 1].key == v.key) return ACT_ERR_DUPLICATE;
    out[j] = v;
  }
  return ACT_OK;
}

void act_put_privmap(act_writer *w, const act_priv *sorted, size_t n) {
  act_put_u16(w, (uint16_t)n);
  uint8_t *p = act_put_reserve(w, 6 * n);
  if (!p) return;
  for (size_t i = 0; i < n; i++, p += 6) {
    uint16_t k = sorted[i].key;
    uint32_t v = sorted[i].value;
    p[0] = (uint8_t)k;
    p[1] = (uint8_t)(k >> 8);
    p[2] = (uint8_t)v;
    p[3] = (uint8_t)(v >> 8);
    p[4] = (uint8_t)(v >> 16);
    p[5] = (uint8_t)(v >> 24);
  }
}

act_status act_get_privmap(act_reader *r, act_priv *out, size_t *n) {
  size_t count = act_get_u16(r);
  if (r->short_read) return ACT_ERR_TRUNCATED;
  if (count > ACT_MAX_PRIVS) return ACT_ERR_TOO_MANY;
  for (size_t i = 0; i < count; i++) {
    out[i].key = act_get_u16(r);
    out[i].value = act_get_u32(r);
  }
  if (r->short_read) return ACT_ERR_TRUNCATED;
  *n = count;
  return ACT_OK;
}
