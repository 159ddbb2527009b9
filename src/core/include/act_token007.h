/* AccessToken2 ("007"): "007" + base64(zlib(bytes(signature) + signing_info)). */
#ifndef ACT_TOKEN007_H
#define ACT_TOKEN007_H

#include <stddef.h>
#include <stdint.h>

#include "act_ctx.h"
#include "act_types.h"

/* Which fields follow a service's privilege map. */
typedef enum {
  ACT_FIELDS_NONE,            /* privileges only */
  ACT_FIELDS_CHANNEL_ACCOUNT, /* channel name, account */
  ACT_FIELDS_USER,            /* user id */
  ACT_FIELDS_APAAS,           /* roomUuid, userUuid, role */
  ACT_FIELDS_RTM2,            /* userId, permission tree */
  ACT_FIELDS_UNKNOWN
} act_fields;

/* The service table: every service type this library knows, one line each.
 * Adding a service type is adding a line here; the core, the binding (which
 * exports the table), lib/ (ServiceType, parseToken's names, the compat
 * classes' constants, the CLI's privilege names) and the JavaScript fallback
 * (lib/fallback/tables.js, generated from this header by scripts/gen-tables.js)
 * all follow it.
 *   X(type, ID, name, fields, privileges)
 *   ID          ACT_SERVICE_<ID> here, ServiceType.<ID> in JavaScript
 *   name        the name parseToken reports
 *   fields      ACT_FIELDS_<fields>: what follows the privilege map on the wire
 *   privileges  "key:name ..." as agora-token's constants (kPrivilege<Name>) */
#define ACT_SERVICES(X)                                                                                            \
  X(1, RTC, "RTC", CHANNEL_ACCOUNT, "1:joinChannel 2:publishAudioStream 3:publishVideoStream 4:publishDataStream") \
  X(2, RTM, "RTM", USER, "1:login")                                                                                \
  X(3, STREAMING, "Streaming", CHANNEL_ACCOUNT, "1:publishMixStream 2:publishRawStream")                           \
  X(4, FPA, "FPA", NONE, "1:login")                                                                                \
  X(5, CHAT, "Chat", USER, "1:user 2:app")                                                                         \
  X(6, FCDN, "FCDN", CHANNEL_ACCOUNT, "1:publish 2:play")                                                          \
  X(7, APAAS, "APaaS", APAAS, "1:roomUser 2:user 3:app")                                                           \
  X(8, RTM2, "RTM2", RTM2, "1:login")                                                                              \
  X(9, CONVOAI, "ConvoAI", NONE, "")                                                                               \
  X(10, STT, "STT", NONE, "")

#define ACT_SERVICE_ENUM_(type, id, name, fields, privileges) ACT_SERVICE_##id = type,
enum { ACT_SERVICES(ACT_SERVICE_ENUM_) };
#undef ACT_SERVICE_ENUM_

/* One row of the service table. */
typedef struct {
  uint16_t type;
  const char *id;
  const char *name;
  act_fields fields;
  const char *privileges;
} act_service_info;

/* The service table in type order; *n = its number of rows. Cannot fail. */
const act_service_info *act_service_table(size_t *n);

/* The field kind of a service type; ACT_FIELDS_UNKNOWN for a type this library does not know. */
act_fields act_service_fields(uint16_t type);
/* "RTC", "RTM", ... or NULL for an unknown type. */
const char *act_service_name(uint16_t type);

/* RTM2: the resources granted for one (resource type, permission type) pair. */
typedef struct {
  uint16_t resource_type;
  uint16_t permission_type;
  const act_str *resources;
  size_t n_resources;
} act_perm;

/* One service to build. Fields that the type does not carry are ignored. */
typedef struct {
  uint16_t type;
  const act_priv *privs; /* any order; packed ascending by key */
  size_t n_privs;
  act_str channel, account; /* RTC, Streaming, FCDN (a uid as its decimal string, uid 0 as "") */
  act_str user_id;          /* RTM, Chat, RTM2 */
  act_str room_uuid, user_uuid;
  int16_t role;          /* APaaS */
  const act_perm *perms; /* RTM2: any order; packed by resource type then permission type */
  size_t n_perms;
} act_service;

typedef struct {
  act_str app_id;
  act_str app_certificate;
  uint32_t issue_ts;
  uint32_t expire;
  uint32_t salt;
  const act_service *services; /* packed sorted by type, stable */
  size_t n_services;
} act_token007_in;

/* Privilege keys of the RTC and RTM services. */
enum { ACT_RTC_JOIN = 1, ACT_RTC_PUBLISH_AUDIO = 2, ACT_RTC_PUBLISH_VIDEO = 3, ACT_RTC_PUBLISH_DATA = 4 };
enum { ACT_RTM_LOGIN = 1 };

/* What the official RTC builders (agora-token's RtcTokenBuilder) put in a token. */
typedef struct {
  act_str channel, account; /* account: a uid as its decimal string, uid 0 as "" */
  uint32_t join;            /* join channel, always written */
  uint32_t publish[3];      /* publish audio, video, data ... */
  unsigned publish_mask;    /* ... bit i set: publish[i] is written */
  int with_rtm;             /* buildTokenWithRtm: an RTM login for the same account */
  uint32_t rtm_login;
} act_rtc_spec;

/* The services for an act_rtc_spec; they point into this struct, so keep it in place. */
typedef struct {
  act_priv privs[4];
  act_priv login;
  act_service services[2];
  size_t n_services;
} act_rtc_layout;

/* Cannot fail: spec's strings are checked when the token is built. */
void act_rtc_layout_fill(const act_rtc_spec *spec, act_rtc_layout *out);

/* Longest token string act_token007_build can produce, plus its NUL. */
#define ACT_TOKEN007_MAX_OUT (3 + ((ACT_ZBUF_CAP + 2) / 3) * 4 + 1)

/* Builds the signed, uncompressed payload (bytes(signature) + signing info) in
 * the context; *payload points at it until the context's next use.
 *   ACT_OK                     *payload, *len = the payload
 *   ACT_ERR_ARG                ctx, in, payload or len NULL; services NULL; a NULL
 *                              privilege, permission or resource list with a count
 *   ACT_ERR_APP_ID             app_id is not 32 hexadecimal characters
 *   ACT_ERR_APP_CERTIFICATE    app_certificate is not 32 hexadecimal characters
 *   ACT_ERR_NO_SERVICES        n_services is 0
 *   ACT_ERR_TOO_MANY           over ACT_MAX_SERVICES services, ACT_MAX_PRIVS privileges
 *                              or ACT_MAX_PERMS permissions in one service, or 65535 resources
 *   ACT_ERR_SERVICE_TYPE       a service type act_service_fields does not know
 *   ACT_ERR_DUPLICATE          a privilege key or (resource, permission) pair twice in one service
 *   ACT_ERR_FIELD_TOO_LONG     a string over ACT_MAX_FIELD bytes
 *   ACT_ERR_CONTENT_TOO_LARGE  the payload would exceed ACT_MAX_CONTENT
 *   ACT_ERR_CRYPTO             OpenSSL failed */
act_status act_token007_payload(act_ctx *ctx, const act_token007_in *in, const uint8_t **payload, size_t *len);

/* Builds the token string into out (NUL-terminated; ACT_TOKEN007_MAX_OUT always fits).
 *   ACT_OK          *out_len = its length without the NUL
 *   every status of act_token007_payload, and
 *   ACT_ERR_ARG     out or out_len NULL
 *   ACT_ERR_BUFFER  cap is too small
 *   ACT_ERR_ZLIB, ACT_ERR_NOMEM  as act_ctx_deflate */
act_status act_token007_build(act_ctx *ctx, const act_token007_in *in, char *out, size_t cap, size_t *out_len);

/* A parsed service; strings point into the context. */
typedef struct {
  uint16_t type;
  size_t n_privs;
  act_priv privs[ACT_MAX_PRIVS];
  act_str channel, account, user_id, room_uuid, user_uuid;
  int16_t role;
  act_str perms; /* RTM2: the raw, validated permission tree */
} act_service_view;

typedef struct {
  act_str app_id;
  act_str signature;
  act_str signing_info;
  uint32_t issue_ts, expire, salt;
  uint16_t declared_services;
  size_t n_services;      /* services read (stops at an unknown type) */
  int stopped_at_unknown; /* 1 when a service of unknown type ended reading */
  act_service_view services[ACT_MAX_SERVICES];
} act_token007_view;

/* Reads a "007" token. Views point into ctx until its next use. Reading stops,
 * with ACT_OK and stopped_at_unknown = 1, at the first service of unknown type.
 * On a failure, out may hold part of what was read.
 *   ACT_OK
 *   ACT_ERR_ARG             ctx or out NULL; token NULL with len > 0
 *   ACT_ERR_TOKEN_TOO_LONG  len over ACT_MAX_TOKEN_LEN
 *   ACT_ERR_VERSION         does not start with "007"
 *   ACT_ERR_BASE64          the body is not standard padded base64
 *   ACT_ERR_INFLATE         the body is not one complete zlib stream
 *   ACT_ERR_INFLATE_LIMIT   it inflates past ACT_MAX_CONTENT
 *   ACT_ERR_ZLIB            zlib failed
 *   ACT_ERR_TRUNCATED       the payload ends inside a field
 *   ACT_ERR_TOO_MANY        over ACT_MAX_SERVICES known services, ACT_MAX_PRIVS privileges in
 *                           one, or an RTM2 tree of over ACT_MAX_PERMS (resource, permission)
 *                           pairs: the limits a build holds to
 */
ACT_MUST_CHECK act_status act_token007_parse(act_ctx *ctx, const char *token, size_t len, act_token007_view *out);

/* *match = 1 when the signature recomputed with cert equals the token's
 * (constant-time), else 0; 0 also for a view whose signature is not 32 bytes
 * or whose app id is not 32 hexadecimal characters. *match is 0 on every status but ACT_OK.
 *   ACT_OK                   *match says
 *   ACT_ERR_ARG              ctx, v or match NULL
 *   ACT_ERR_APP_CERTIFICATE  cert is not 32 hexadecimal characters
 *   ACT_ERR_CRYPTO           OpenSSL failed */
ACT_MUST_CHECK act_status act_token007_check(act_ctx *ctx, const act_token007_view *v, act_str cert, int *match);

/* Walks a permission tree validated by act_token007_parse (one from elsewhere is
 * read without stepping past its end). For every resource, and once with
 * resource == NULL for a permission type that lists none, calls cb. */
typedef void (*act_perm_cb)(void *user, uint16_t resource_type, uint16_t permission_type, const act_str *resource);
void act_rtm2_walk(act_str tree, act_perm_cb cb, void *user);

#endif
