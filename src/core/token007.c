#include "include/act_token007.h"

#include <string.h>

#include "include/act_encoding.h"
#include "pack.h"
#include "privmap.h"
#include "ctx_internal.h"
#include "sign.h"

#define ACT_SERVICE_ROW_(type, id, name, fields, privileges) {type, #id, name, ACT_FIELDS_##fields, privileges},
static const act_service_info kServices[] = {ACT_SERVICES(ACT_SERVICE_ROW_)};
#undef ACT_SERVICE_ROW_
#define N_SERVICES (sizeof kServices / sizeof kServices[0])

const act_service_info *act_service_table(size_t *n) {
  if (n) *n = N_SERVICES;
  return kServices;
}

/* The table lists types in order from 1 with no gaps (test_core.c checks it), so a type is its row + 1. */
act_fields act_service_fields(uint16_t type) {
  return (type > 0 && type <= N_SERVICES) ? kServices[type - 1].fields : ACT_FIELDS_UNKNOWN;
}

const char *act_service_name(uint16_t type) {
  return (type > 0 && type <= N_SERVICES) ? kServices[type - 1].name : NULL;
}

void act_rtc_layout_fill(const act_rtc_spec *spec, act_rtc_layout *out) {
  static const uint16_t publish_keys[3] = {ACT_RTC_PUBLISH_AUDIO, ACT_RTC_PUBLISH_VIDEO, ACT_RTC_PUBLISH_DATA};
  size_t n = 0;
  memset(out, 0, sizeof *out);
  out->privs[n++] = (act_priv){ACT_RTC_JOIN, spec->join};
  for (int i = 0; i < 3; i++)
    if (spec->publish_mask & (1u << i)) out->privs[n++] = (act_priv){publish_keys[i], spec->publish[i]};
  out->services[0].type = ACT_SERVICE_RTC;
  out->services[0].privs = out->privs;
  out->services[0].n_privs = n;
  out->services[0].channel = spec->channel;
  out->services[0].account = spec->account;
  out->n_services = 1;
  if (spec->with_rtm) {
    out->login = (act_priv){ACT_RTM_LOGIN, spec->rtm_login};
    out->services[1].type = ACT_SERVICE_RTM;
    out->services[1].privs = &out->login;
    out->services[1].n_privs = 1;
    out->services[1].user_id = spec->account;
    out->n_services = 2;
  }
}

static void put_str(act_writer *w, act_str s) { act_put_bytes(w, s.p, s.p ? s.n : 0); }

/* RTM2 tree: sort the (resource type, permission type) pairs, refuse repeats,
 * then write the counts the format nests them under. */
static act_status put_rtm2_tree(act_writer *w, const act_perm *perms, size_t n) {
  size_t order[ACT_MAX_PERMS];
  if (n > ACT_MAX_PERMS) return ACT_ERR_TOO_MANY;
  if (n && !perms) return ACT_ERR_ARG;
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    uint32_t key = ((uint32_t)perms[i].resource_type << 16) | perms[i].permission_type;
    while (j > 0) {
      const act_perm *q = &perms[order[j - 1]];
      uint32_t qk = ((uint32_t)q->resource_type << 16) | q->permission_type;
      if (qk == key) return ACT_ERR_DUPLICATE;
      if (qk < key) break;
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
    if (perms[i].n_resources > 65535) return ACT_ERR_TOO_MANY;
    if (perms[i].n_resources && !perms[i].resources) return ACT_ERR_ARG;
  }
  size_t n_types = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || perms[order[i]].resource_type != perms[order[i - 1]].resource_type) n_types++;
  act_put_u16(w, (uint16_t)n_types);
  for (size_t i = 0; i < n;) {
    uint16_t rt = perms[order[i]].resource_type;
    size_t end = i;
    while (end < n && perms[order[end]].resource_type == rt) end++;
    act_put_u16(w, rt);
    act_put_u16(w, (uint16_t)(end - i));
    for (; i < end; i++) {
      const act_perm *p = &perms[order[i]];
      act_put_u16(w, p->permission_type);
      act_put_u16(w, (uint16_t)p->n_resources);
      for (size_t k = 0; k < p->n_resources; k++) put_str(w, p->resources[k]);
    }
  }
  return ACT_OK;
}

static act_status put_service(act_writer *w, const act_service *s) {
  act_priv sorted[ACT_MAX_PRIVS];
  act_fields f = act_service_fields(s->type);
  if (f == ACT_FIELDS_UNKNOWN) return ACT_ERR_SERVICE_TYPE;
  act_status st = act_privs_sort(s->privs, s->n_privs, sorted);
  if (st != ACT_OK) return st;
  act_put_u16(w, s->type);
  act_put_privmap(w, sorted, s->n_privs);
  switch (f) {
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      put_str(w, s->channel);
      put_str(w, s->account);
      break;
    case ACT_FIELDS_USER:
      put_str(w, s->user_id);
      break;
    case ACT_FIELDS_APAAS:
      put_str(w, s->room_uuid);
      put_str(w, s->user_uuid);
      act_put_i16(w, s->role);
      break;
    case ACT_FIELDS_RTM2:
      put_str(w, s->user_id);
      return put_rtm2_tree(w, s->perms, s->n_perms);
    default:
      break;
  }
  return ACT_OK;
}

act_status act_token007_payload(act_ctx *ctx, const act_token007_in *in, const uint8_t **payload, size_t *len) {
  size_t order[ACT_MAX_SERVICES];
  if (!ctx || !in || !payload || !len) return ACT_ERR_ARG;
  if (!act_is_hex(in->app_id.p, in->app_id.n, ACT_ID_LEN)) return ACT_ERR_APP_ID;
  if (!act_is_hex(in->app_certificate.p, in->app_certificate.n, ACT_ID_LEN)) return ACT_ERR_APP_CERTIFICATE;
  if (in->n_services == 0) return ACT_ERR_NO_SERVICES;
  if (in->n_services > ACT_MAX_SERVICES) return ACT_ERR_TOO_MANY;
  if (!in->services) return ACT_ERR_ARG;
  for (size_t i = 0; i < in->n_services; i++) { /* stable sort by type */
    size_t j = i;
    while (j > 0 && in->services[order[j - 1]].type > in->services[i].type) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }

  act_writer w;
  act_writer_init(&w, ctx->content, ACT_MAX_CONTENT);
  act_put_u16(&w, ACT_SIGNATURE_LEN);
  act_put_reserve(&w, ACT_SIGNATURE_LEN);
  size_t info_at = w.len;
  put_str(&w, in->app_id);
  act_put_u32(&w, in->issue_ts);
  act_put_u32(&w, in->expire);
  act_put_u32(&w, in->salt);
  act_put_u16(&w, (uint16_t)in->n_services);
  for (size_t i = 0; i < in->n_services; i++) {
    act_status st = put_service(&w, &in->services[order[i]]);
    if (st != ACT_OK) return st;
  }
  if (w.too_long) return ACT_ERR_FIELD_TOO_LONG;
  if (w.overflow) return ACT_ERR_CONTENT_TOO_LARGE;
  act_status st = act_sign007(ctx->signer, in->app_certificate, in->issue_ts, in->salt, ctx->content + info_at,
                              w.len - info_at, ctx->content + 2);
  if (st != ACT_OK) return st;
  *payload = ctx->content;
  *len = w.len;
  return ACT_OK;
}

act_status act_token007_build(act_ctx *ctx, const act_token007_in *in, char *out, size_t cap, size_t *out_len) {
  size_t n = 0, zn = 0;
  const uint8_t *payload = NULL;
  if (!out || !out_len) return ACT_ERR_ARG;
  act_status st = act_token007_payload(ctx, in, &payload, &n);
  if (st != ACT_OK) return st;
  st = act_deflate(&ctx->z, payload, n, ctx->zbuf, sizeof ctx->zbuf, &zn);
  if (st != ACT_OK) return st;
  if (cap < 3 + act_base64_len(zn) + 1) return ACT_ERR_BUFFER;
  memcpy(out, "007", 3);
  *out_len = 3 + act_base64_encode(ctx->zbuf, zn, out + 3);
  return ACT_OK;
}

/* Validates (cb == NULL) or walks an RTM2 permission tree at the reader.
 * Returns its number of (resource type, permission type) pairs. */
static size_t rtm2_scan(act_reader *r, act_perm_cb cb, void *user) {
  size_t pairs = 0;
  uint16_t n_types = act_get_u16(r);
  for (uint16_t i = 0; i < n_types && !r->short_read; i++) {
    uint16_t rt = act_get_u16(r);
    uint16_t n_perms = act_get_u16(r);
    pairs += n_perms;
    for (uint16_t j = 0; j < n_perms && !r->short_read; j++) {
      uint16_t pt = act_get_u16(r);
      uint16_t n_res = act_get_u16(r);
      if (n_res == 0 && cb && !r->short_read) cb(user, rt, pt, NULL);
      for (uint16_t k = 0; k < n_res && !r->short_read; k++) {
        const uint8_t *p;
        size_t len = act_get_bytes(r, &p);
        if (cb && !r->short_read) {
          act_str s = {(const char *)p, len};
          cb(user, rt, pt, &s);
        }
      }
    }
  }
  return pairs;
}

void act_rtm2_walk(act_str tree, act_perm_cb cb, void *user) {
  act_reader r;
  if (!tree.p || !cb) return;
  act_reader_init(&r, (const uint8_t *)tree.p, tree.n);
  (void)rtm2_scan(&r, cb, user);
}

static act_str get_str(act_reader *r) {
  const uint8_t *p;
  size_t n = act_get_bytes(r, &p);
  act_str s = {(const char *)p, n};
  return s;
}

static act_status get_service(act_reader *r, uint16_t type, act_service_view *s) {
  memset(s, 0, sizeof *s);
  s->type = type;
  act_status st = act_get_privmap(r, s->privs, &s->n_privs);
  if (st != ACT_OK) return st;
  switch (act_service_fields(type)) {
    case ACT_FIELDS_CHANNEL_ACCOUNT:
      s->channel = get_str(r);
      s->account = get_str(r);
      break;
    case ACT_FIELDS_USER:
      s->user_id = get_str(r);
      break;
    case ACT_FIELDS_APAAS:
      s->room_uuid = get_str(r);
      s->user_uuid = get_str(r);
      s->role = act_get_i16(r);
      break;
    case ACT_FIELDS_RTM2: {
      s->user_id = get_str(r);
      size_t start = r->pos;
      /* A build refuses more pairs than ACT_MAX_PERMS; so does a parse (after
       * the tree is read whole, so a truncated one is still TRUNCATED). */
      size_t pairs = rtm2_scan(r, NULL, NULL);
      if (!r->short_read && pairs > ACT_MAX_PERMS) return ACT_ERR_TOO_MANY;
      s->perms.p = (const char *)r->buf + start;
      s->perms.n = r->pos - start;
      break;
    }
    default:
      break;
  }
  return r->short_read ? ACT_ERR_TRUNCATED : ACT_OK;
}

act_status act_token007_parse(act_ctx *ctx, const char *token, size_t len, act_token007_view *out) {
  size_t zn = 0, n = 0;
  if (!ctx || (!token && len) || !out) return ACT_ERR_ARG;
  if (len > ACT_MAX_TOKEN_LEN) return ACT_ERR_TOKEN_TOO_LONG;
  if (len < 3 || memcmp(token, "007", 3) != 0) return ACT_ERR_VERSION;
  act_status st = act_base64_decode(token + 3, len - 3, ctx->zbuf, &zn);
  if (st != ACT_OK) return st;
  st = act_inflate(&ctx->z, ctx->zbuf, zn, ctx->content, ACT_MAX_CONTENT + 1, &n);
  if (st != ACT_OK) return st;
  if (n > ACT_MAX_CONTENT) return ACT_ERR_INFLATE_LIMIT;

  act_reader r;
  act_reader_init(&r, ctx->content, n);
  memset(out, 0, offsetof(act_token007_view, services));
  out->signature = get_str(&r);
  out->signing_info.p = (const char *)ctx->content + r.pos;
  out->signing_info.n = n - (r.short_read ? n : r.pos);
  out->app_id = get_str(&r);
  out->issue_ts = act_get_u32(&r);
  out->expire = act_get_u32(&r);
  out->salt = act_get_u32(&r);
  out->declared_services = act_get_u16(&r);
  if (r.short_read) return ACT_ERR_TRUNCATED;
  for (uint16_t i = 0; i < out->declared_services; i++) {
    uint16_t type = act_get_u16(&r);
    if (r.short_read) return ACT_ERR_TRUNCATED;
    if (act_service_fields(type) == ACT_FIELDS_UNKNOWN) {
      out->stopped_at_unknown = 1;
      break;
    }
    if (out->n_services == ACT_MAX_SERVICES) return ACT_ERR_TOO_MANY;
    st = get_service(&r, type, &out->services[out->n_services]);
    if (st != ACT_OK) return st;
    out->n_services++;
  }
  return ACT_OK;
}

act_status act_token007_check(act_ctx *ctx, const act_token007_view *v, act_str cert, int *match) {
  uint8_t sig[ACT_SIGNATURE_LEN];
  if (!ctx || !v || !match) return ACT_ERR_ARG;
  *match = 0;
  if (!act_is_hex(cert.p, cert.n, ACT_ID_LEN)) return ACT_ERR_APP_CERTIFICATE;
  if (v->signature.n != ACT_SIGNATURE_LEN || !act_is_hex(v->app_id.p, v->app_id.n, ACT_ID_LEN)) return ACT_OK;
  act_status st =
      act_sign007(ctx->signer, cert, v->issue_ts, v->salt, (const uint8_t *)v->signing_info.p, v->signing_info.n, sig);
  if (st == ACT_OK) *match = act_equal_ct(sig, v->signature.p, ACT_SIGNATURE_LEN);
  act_wipe(sig, sizeof sig);
  return st;
}
