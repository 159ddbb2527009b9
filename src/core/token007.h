/* AccessToken2 ("007"): "007" + base64(zlib(bytes(signature) + signing_info)). */
#ifndef ACT_TOKEN007_H
#define ACT_TOKEN007_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "types.h"

enum {
  ACT_SERVICE_RTC = 1,
  ACT_SERVICE_RTM = 2,
  ACT_SERVICE_STREAMING = 3,
  ACT_SERVICE_FPA = 4,
  ACT_SERVICE_CHAT = 5,
  ACT_SERVICE_FCDN = 6,
  ACT_SERVICE_APAAS = 7,
  ACT_SERVICE_RTM2 = 8,
  ACT_SERVICE_CONVOAI = 9,
  ACT_SERVICE_STT = 10
};

/* Which fields follow a service's privilege map. */
typedef enum {
  ACT_FIELDS_NONE,          /* FPA, ConvoAI, STT */
  ACT_FIELDS_CHANNEL_ACCOUNT, /* RTC, Streaming, FCDN */
  ACT_FIELDS_USER,          /* RTM, Chat */
  ACT_FIELDS_APAAS,         /* roomUuid, userUuid, role */
  ACT_FIELDS_RTM2,          /* userId, permission tree */
  ACT_FIELDS_UNKNOWN
} act_fields;

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

void act_rtc_layout_fill(const act_rtc_spec *spec, act_rtc_layout *out);

/* Longest token string act_token007_build can produce, plus its NUL. */
#define ACT_TOKEN007_MAX_OUT (3 + ((ACT_ZBUF_CAP + 2) / 3) * 4 + 1)

/* Builds the signed payload into ctx->content; *len gets its size. */
act_status act_token007_payload(act_ctx *ctx, const act_token007_in *in, size_t *len);

/* Builds the token string into out (NUL-terminated); *out_len excludes the NUL. */
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
  size_t n_services;       /* services read (stops at an unknown type) */
  int stopped_at_unknown;  /* 1 when a service of unknown type ended reading */
  act_service_view services[ACT_MAX_SERVICES];
} act_token007_view;

/* Reads a "007" token. Views point into ctx until its next use. */
act_status act_token007_parse(act_ctx *ctx, const char *token, size_t len, act_token007_view *out);

/* *match = 1 when the signature recomputed with cert equals the token's
 * (constant-time). ACT_ERR_APP_CERTIFICATE when cert is not 32 hex characters. */
act_status act_token007_check(act_ctx *ctx, const act_token007_view *v, act_str cert, int *match);

/* Walks a validated RTM2 permission tree. For every resource, and once with
 * resource == NULL for a permission type that lists none, calls cb. */
typedef void (*act_perm_cb)(void *user, uint16_t resource_type, uint16_t permission_type, const act_str *resource);
void act_rtm2_walk(act_str tree, act_perm_cb cb, void *user);

#endif
