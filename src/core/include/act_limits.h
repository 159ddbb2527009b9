/* Fixed limits. Tokens are a few hundred bytes; these bound hostile input. */
#ifndef ACT_LIMITS_H
#define ACT_LIMITS_H

/* Largest payload (signature + signing info) built or accepted after inflation.
 * An RTC token is ~200 bytes; 32 KiB leaves room for large RTM2 permission trees. */
#define ACT_MAX_CONTENT 32768
/* Longest token string accepted before any decoding: "007" + base64 of a
 * stored (incompressible) 32 KiB payload, with margin. */
#define ACT_MAX_TOKEN_LEN 49152
/* Largest decoded (still compressed) body. */
#define ACT_MAX_DECODED ((ACT_MAX_TOKEN_LEN / 4) * 3)
/* Room for a compressed payload (deflate never grows 32 KiB past this) or a decoded token body. */
#define ACT_ZBUF_CAP (ACT_MAX_DECODED + 64)
#define ACT_MAX_SERVICES 64
#define ACT_MAX_PRIVS 32
#define ACT_MAX_PERMS 64
#define ACT_MAX_FIELD 65535
#define ACT_SIGNATURE_LEN 32
#define ACT_ID_LEN 32

/* Largest Agora Notifications (NCS) body verified. Channel events are a few
 * hundred bytes and the biggest NCS bodies (cloud recording file lists) a few
 * tens of KiB; 1 MiB leaves room for those and bounds what an unauthenticated
 * sender can make a server buffer and hash per request (HMAC work is linear in
 * the body, and the body must be held whole before it can be checked). */
#define ACT_MAX_NOTIFY_BODY (1024 * 1024)
/* Longest NCS secret accepted. Agora's console secrets are short strings; the
 * bound only turns a misconfiguration (a file's contents passed) into an error. */
#define ACT_MAX_NOTIFY_SECRET 4096

#endif
