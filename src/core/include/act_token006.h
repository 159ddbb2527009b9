/* Legacy AccessToken ("006"): "006" + appId + base64(content), no compression.
 *   m         = u32(salt) u32(ts) privmap(privileges)          (absolute unix times)
 *   content   = bytes(signature) u32(crc32(channel)) u32(crc32(uid)) bytes(m)
 *   signature = HMAC-SHA256(key = certificate, appId + channel + uid + m) */
#ifndef ACT_TOKEN006_H
#define ACT_TOKEN006_H

#include <stddef.h>
#include <stdint.h>

#include "act_ctx.h"
#include "act_types.h"

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

/* The "006" privilege keys and their names (agora-access-token's Privileges
 * without the leading k), "key:name ...": exported by the binding and copied
 * into lib/fallback/tables.js by scripts/gen-tables.js, like ACT_SERVICES. */
#define ACT_TOKEN006_PRIVILEGES                                                                           \
  "1:joinChannel 2:publishAudioStream 3:publishVideoStream 4:publishDataStream 5:publishAudioCdn "        \
  "6:publishVideoCdn 7:requestPublishAudioStream 8:requestPublishVideoStream 9:requestPublishDataStream " \
  "10:invitePublishAudioStream 11:invitePublishVideoStream 12:invitePublishDataStream "                   \
  "101:administrateChannel 1000:rtmLogin"

#define ACT_TOKEN006_MAX_OUT (3 + ACT_ID_LEN + ((ACT_MAX_CONTENT + 2) / 3) * 4 + 1)

/* Builds the token string into out (NUL-terminated; ACT_TOKEN006_MAX_OUT always fits).
 *   ACT_OK                     *out_len = its length without the NUL
 *   ACT_ERR_ARG                ctx, in, out or out_len NULL; a NULL string with a length;
 *                              privs NULL with n_privs > 0
 *   ACT_ERR_APP_ID             app_id is not 32 hexadecimal characters
 *   ACT_ERR_APP_CERTIFICATE    app_certificate is not 32 hexadecimal characters
 *   ACT_ERR_FIELD_TOO_LONG     channel or uid over ACT_MAX_FIELD bytes
 *   ACT_ERR_TOO_MANY           more than ACT_MAX_PRIVS privileges
 *   ACT_ERR_DUPLICATE          a privilege key twice
 *   ACT_ERR_CONTENT_TOO_LARGE  the payload would exceed ACT_MAX_CONTENT
 *   ACT_ERR_BUFFER             cap is too small
 *   ACT_ERR_CRYPTO             OpenSSL failed */
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

/* Reads a "006" token. app_id points into token; signature and message into ctx
 * (until its next use). On a failure, out may hold part of what was read.
 *   ACT_OK
 *   ACT_ERR_ARG             ctx or out NULL; token NULL with len > 0
 *   ACT_ERR_TOKEN_TOO_LONG  len over ACT_MAX_TOKEN_LEN, or a body decoding past ACT_MAX_CONTENT
 *   ACT_ERR_VERSION         does not start with "006"
 *   ACT_ERR_TRUNCATED       shorter than "006" + app id, or the payload ends inside a field
 *   ACT_ERR_BASE64          the body is not standard padded base64
 *   ACT_ERR_TOO_MANY        the privilege map declares more than ACT_MAX_PRIVS */
ACT_MUST_CHECK act_status act_token006_parse(act_ctx *ctx, const char *token, size_t len, act_token006_view *out);

/* *match = 1 when the token was signed with cert for this channel and uid
 * (CRCs and signature both agree; the signature is compared in constant time),
 * else 0. *match is 0 on every status but ACT_OK.
 *   ACT_OK                   *match says
 *   ACT_ERR_ARG              ctx, v or match NULL; a NULL string with a length
 *   ACT_ERR_APP_CERTIFICATE  cert is not 32 hexadecimal characters
 *   ACT_ERR_CRYPTO           OpenSSL failed */
ACT_MUST_CHECK act_status act_token006_check(act_ctx *ctx, const act_token006_view *v, act_str cert, act_str channel,
                                             act_str uid, int *match);

#endif
