/* Legacy AccessToken ("006"): "006" + appId + base64(content), no compression.
 *   m         = u32(salt) u32(ts) privmap(privileges)          (absolute unix times)
 *   content   = bytes(signature) u32(crc32(channel)) u32(crc32(uid)) bytes(m)
 *   signature = HMAC-SHA256(key = certificate, appId + channel + uid + m) */
#ifndef ACT_TOKEN006_H
#define ACT_TOKEN006_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "types.h"

typedef struct {
  act_str app_id;
  act_str app_certificate;
  act_str channel; /* the RTM legacy token puts the account here */
  act_str uid;     /* decimal string of a numeric uid, an account, or "" for uid 0 */
  uint32_t salt;
  uint32_t ts;
  const act_priv *privs;
  size_t n_privs;
} act_token006_in;

#define ACT_TOKEN006_MAX_OUT (3 + ACT_ID_LEN + ((ACT_MAX_CONTENT + 2) / 3) * 4 + 1)

act_status act_token006_build(act_ctx *ctx, const act_token006_in *in, char *out, size_t cap, size_t *out_len);

typedef struct {
  act_str app_id;
  act_str signature;
  uint32_t crc_channel, crc_uid;
  uint32_t salt, ts;
  act_str message; /* m, as signed */
  size_t n_privs;
  act_priv privs[ACT_MAX_PRIVS];
} act_token006_view;

act_status act_token006_parse(act_ctx *ctx, const char *token, size_t len, act_token006_view *out);

/* *match = 1 when the token was signed with cert for this channel and uid
 * (CRCs and signature both agree; the signature is compared in constant time). */
act_status act_token006_check(act_ctx *ctx, const act_token006_view *v, act_str cert, act_str channel, act_str uid,
                              int *match);

#endif
