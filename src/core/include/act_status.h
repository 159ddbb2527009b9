/* Status codes returned by every core function that can fail. */
#ifndef ACT_STATUS_H
#define ACT_STATUS_H

/* Marks a function whose result is the point (a check, a comparison): the
 * compiler warns when a caller drops it. Empty on compilers without the attribute. */
#if defined(__has_attribute)
#if __has_attribute(warn_unused_result)
#define ACT_MUST_CHECK __attribute__((warn_unused_result))
#endif
#elif defined(__GNUC__) && (__GNUC__ > 3 || (__GNUC__ == 3 && __GNUC_MINOR__ >= 4))
#define ACT_MUST_CHECK __attribute__((warn_unused_result))
#endif
#ifndef ACT_MUST_CHECK
#define ACT_MUST_CHECK
#endif

typedef enum {
  ACT_OK = 0,
  ACT_ERR_ARG,               /* a NULL pointer or an impossible length */
  ACT_ERR_APP_ID,            /* app id is not 32 hexadecimal characters */
  ACT_ERR_APP_CERTIFICATE,   /* app certificate is not 32 hexadecimal characters */
  ACT_ERR_FIELD_TOO_LONG,    /* a string over 65535 bytes cannot be packed */
  ACT_ERR_TOO_MANY,          /* more services, privileges or permissions than the limits */
  ACT_ERR_DUPLICATE,         /* the same privilege key or permission twice in one service */
  ACT_ERR_SERVICE_TYPE,      /* a service type this library cannot build */
  ACT_ERR_NO_SERVICES,       /* a "007" token needs at least one service */
  ACT_ERR_CONTENT_TOO_LARGE, /* the payload would exceed ACT_MAX_CONTENT */
  ACT_ERR_BUFFER,            /* the caller's output buffer is too small */
  ACT_ERR_TOKEN_TOO_LONG,    /* the token string exceeds ACT_MAX_TOKEN_LEN */
  ACT_ERR_VERSION,           /* the token does not start with a known version */
  ACT_ERR_BASE64,            /* the token body is not standard padded base64 */
  ACT_ERR_INFLATE,           /* the token body is not a valid zlib stream */
  ACT_ERR_INFLATE_LIMIT,     /* the zlib stream inflates past ACT_MAX_CONTENT */
  ACT_ERR_TRUNCATED,         /* the payload ends inside a field */
  ACT_ERR_CRYPTO,            /* OpenSSL failed */
  ACT_ERR_ZLIB,              /* zlib failed while compressing */
  ACT_ERR_NOMEM,             /* allocation failed */
  ACT_STATUS_COUNT
} act_status;

/* A short, stable, secret-free description ("app id must be 32 hexadecimal
 * characters"); "unknown status" for a value outside the enum. Never NULL. */
const char *act_status_message(act_status s);
/* The enumerator's name without the prefix ("APP_ID"), for error codes;
 * "UNKNOWN" for a value outside the enum. Never NULL. */
const char *act_status_name(act_status s);

#endif
