/* The layout contracts between the readers (read.c) and lib/token.js, as data:
 * the binding exports them as `layouts` (tables.c) and lib/ decodes by these
 * names, never by offsets of its own; scripts/gen-tables.js copies them into
 * lib/fallback/tables.js, whose readers write by them too.
 *
 * A parsed "007" token's numbers go into the caller's Uint32Array:
 *   LAYOUT007 header, then per service LAYOUT007_SERVICE, then its privileges
 *   (privilegeCount pairs: key, value), then for an APaaS service its role (an
 *   int16, sign-extended). Its strings go into one small array: appId, then per
 *   service the strings of its field kind: channel, account | userId |
 *   roomUuid, userUuid | userId, [rt, pt, resource | null, ...].
 * A parsed "006" token is one flat array: LAYOUT006, then privilegeCount pairs. */
#ifndef BND_LAYOUT_H
#define BND_LAYOUT_H

#include "../core/include/act_limits.h"

/* X(C name, JS name), in order */
#define LAYOUT007(X) X(ISSUE_TS, issueTs) X(EXPIRE, expire) X(SALT, salt) X(SERVICE_COUNT, serviceCount)
#define LAYOUT007_SERVICE(X) X(TYPE, type) X(FIELD_KIND, fieldKind) X(PRIVILEGE_COUNT, privilegeCount)
#define LAYOUT006(X) \
  X(APP_ID, appId)   \
  X(CRC_CHANNEL, crcChannelName) X(CRC_UID, crcUid) X(SALT, salt) X(TS, ts) X(PRIVILEGE_COUNT, privilegeCount)

#define LAYOUT_ENUM_(prefix, c, js) prefix##c,
#define L7_(c, js) LAYOUT_ENUM_(L7_, c, js)
#define L7S_(c, js) LAYOUT_ENUM_(L7S_, c, js)
#define L6_(c, js) LAYOUT_ENUM_(L6_, c, js)
enum { LAYOUT007(L7_) L7_HEADER };
enum { LAYOUT007_SERVICE(L7S_) L7S_HEADER };
enum { LAYOUT006(L6_) L6_HEADER };
#undef L7_
#undef L7S_
#undef L6_
#undef LAYOUT_ENUM_

/* Numbers a "007" token can need: the header, and per service its own numbers,
 * every privilege and a role. */
#define LAYOUT007_NUMBERS (L7_HEADER + ACT_MAX_SERVICES * (L7S_HEADER + 2 * ACT_MAX_PRIVS + 1))

#endif
