#include "include/act_token006.h"

#include <string.h>

#include "include/act_encoding.h"
#include "pack.h"
#include "privmap.h"
#include "ctx_internal.h"
#include "sign.h"

static uint32_t crc_of(act_str s) { return act_crc32(s.p, s.n); }

/* HMAC over appId + channel + uid + m, fed piece by piece. */
static act_status sign006(act_ctx *ctx, act_str cert, act_str app_id, act_str channel, act_str uid, act_str m,
                          uint8_t out[32]) {
  const act_str parts[4] = {app_id, channel, uid, m};
  return act_hmac_sha256_parts(ctx->signer, cert.p, cert.n, parts, 4, out); /* keeps nothing of cert */
}

act_status act_token006_build(act_ctx *ctx, const act_token006_in *in, char *out, size_t cap, size_t *out_len) {
  act_priv sorted[ACT_MAX_PRIVS];
  if (!ctx || !in || !out || !out_len) return ACT_ERR_ARG;
  if (!act_is_hex(in->app_id.p, in->app_id.n, ACT_ID_LEN)) return ACT_ERR_APP_ID;
  if (!act_is_hex(in->app_certificate.p, in->app_certificate.n, ACT_ID_LEN)) return ACT_ERR_APP_CERTIFICATE;
  if ((!in->channel.p && in->channel.n) || (!in->uid.p && in->uid.n)) return ACT_ERR_ARG;
  if (in->channel.n > ACT_MAX_FIELD || in->uid.n > ACT_MAX_FIELD) return ACT_ERR_FIELD_TOO_LONG;
  act_status st = act_privs_sort(in->privs, in->n_privs, sorted);
  if (st != ACT_OK) return st;

  /* content = bytes(sig) crc crc bytes(m); m is written in place. */
  act_writer w;
  act_writer_init(&w, ctx->content, ACT_MAX_CONTENT);
  act_put_u16(&w, ACT_SIGNATURE_LEN);
  act_put_reserve(&w, ACT_SIGNATURE_LEN);
  act_put_u32(&w, crc_of(in->channel));
  act_put_u32(&w, crc_of(in->uid));
  size_t m_len_at = w.len;
  act_put_u16(&w, 0);
  size_t m_at = w.len;
  act_put_u32(&w, in->salt);
  act_put_u32(&w, in->ts);
  act_put_privmap(&w, sorted, in->n_privs);
  if (w.overflow) return ACT_ERR_CONTENT_TOO_LARGE;
  size_t m_len = w.len - m_at;
  ctx->content[m_len_at] = (uint8_t)m_len;
  ctx->content[m_len_at + 1] = (uint8_t)(m_len >> 8);

  act_str m = {(const char *)ctx->content + m_at, m_len};
  st = sign006(ctx, in->app_certificate, in->app_id, in->channel, in->uid, m, ctx->content + 2);
  if (st != ACT_OK) return st;
  if (cap < 3 + ACT_ID_LEN + act_base64_len(w.len) + 1) return ACT_ERR_BUFFER;
  memcpy(out, "006", 3);
  memcpy(out + 3, in->app_id.p, ACT_ID_LEN);
  *out_len = 3 + ACT_ID_LEN + act_base64_encode(ctx->content, w.len, out + 3 + ACT_ID_LEN);
  return ACT_OK;
}

act_status act_token006_parse(act_ctx *ctx, const char *token, size_t len, act_token006_view *out) {
  size_t n = 0;
  if (!ctx || (!token && len) || !out) return ACT_ERR_ARG;
  if (len > ACT_MAX_TOKEN_LEN) return ACT_ERR_TOKEN_TOO_LONG;
  if (len < 3 || memcmp(token, "006", 3) != 0) return ACT_ERR_VERSION;
  if (len < 3 + ACT_ID_LEN) return ACT_ERR_TRUNCATED;
  if ((len - 3 - ACT_ID_LEN) / 4 * 3 > ACT_MAX_CONTENT) return ACT_ERR_TOKEN_TOO_LONG;
  act_status st = act_base64_decode(token + 3 + ACT_ID_LEN, len - 3 - ACT_ID_LEN, ctx->content, &n);
  if (st != ACT_OK) return st;

  memset(out, 0, sizeof *out);
  out->app_id.p = token + 3;
  out->app_id.n = ACT_ID_LEN;
  act_reader r;
  act_reader_init(&r, ctx->content, n);
  const uint8_t *p;
  out->signature.n = act_get_bytes(&r, &p);
  out->signature.p = (const char *)p;
  out->crc_channel = act_get_u32(&r);
  out->crc_uid = act_get_u32(&r);
  out->message.n = act_get_bytes(&r, &p);
  out->message.p = (const char *)p;
  if (r.short_read) return ACT_ERR_TRUNCATED;
  act_reader mr;
  act_reader_init(&mr, p, out->message.n);
  out->salt = act_get_u32(&mr);
  out->ts = act_get_u32(&mr);
  if (mr.short_read) return ACT_ERR_TRUNCATED;
  return act_get_privmap(&mr, out->privs, &out->n_privs);
}

act_status act_token006_check(act_ctx *ctx, const act_token006_view *v, act_str cert, act_str channel, act_str uid,
                              int *match) {
  uint8_t sig[ACT_SIGNATURE_LEN];
  if (!ctx || !v || !match) return ACT_ERR_ARG;
  *match = 0;
  if (!act_is_hex(cert.p, cert.n, ACT_ID_LEN)) return ACT_ERR_APP_CERTIFICATE;
  if ((!channel.p && channel.n) || (!uid.p && uid.n)) return ACT_ERR_ARG;
  if (v->signature.n != ACT_SIGNATURE_LEN) return ACT_OK;
  int crc_ok = v->crc_channel == crc_of(channel) && v->crc_uid == crc_of(uid);
  act_status st = sign006(ctx, cert, v->app_id, channel, uid, v->message, sig);
  if (st == ACT_OK) *match = act_equal_ct(sig, v->signature.p, ACT_SIGNATURE_LEN) & crc_ok;
  act_wipe(sig, sizeof sig);
  return st;
}
