#include "include/act_status.h"

static const struct {
  const char *name;
  const char *message;
} table[ACT_STATUS_COUNT] = {
    [ACT_OK] = {"OK", "ok"},
    [ACT_ERR_ARG] = {"ARG", "invalid argument"},
    [ACT_ERR_APP_ID] = {"APP_ID", "app id must be 32 hexadecimal characters"},
    [ACT_ERR_APP_CERTIFICATE] = {"APP_CERTIFICATE", "app certificate must be 32 hexadecimal characters"},
    [ACT_ERR_FIELD_TOO_LONG] = {"FIELD_TOO_LONG", "a string field is longer than 65535 bytes"},
    [ACT_ERR_TOO_MANY] = {"TOO_MANY", "too many services, privileges or permissions"},
    [ACT_ERR_DUPLICATE] = {"DUPLICATE", "a privilege or permission appears twice in one service"},
    [ACT_ERR_SERVICE_TYPE] = {"SERVICE_TYPE", "unknown service type"},
    [ACT_ERR_NO_SERVICES] = {"NO_SERVICES", "a token needs at least one service"},
    [ACT_ERR_CONTENT_TOO_LARGE] = {"CONTENT_TOO_LARGE", "token payload exceeds the size limit"},
    [ACT_ERR_BUFFER] = {"BUFFER", "output buffer too small"},
    [ACT_ERR_TOKEN_TOO_LONG] = {"TOKEN_TOO_LONG", "token string exceeds the length limit"},
    [ACT_ERR_VERSION] = {"VERSION", "token does not start with a supported version"},
    [ACT_ERR_BASE64] = {"BASE64", "token body is not valid base64"},
    [ACT_ERR_INFLATE] = {"INFLATE", "token body is not a valid zlib stream"},
    [ACT_ERR_INFLATE_LIMIT] = {"INFLATE_LIMIT", "token payload inflates past the size limit"},
    [ACT_ERR_TRUNCATED] = {"TRUNCATED", "token payload is truncated"},
    [ACT_ERR_CRYPTO] = {"CRYPTO", "cryptographic operation failed"},
    [ACT_ERR_ZLIB] = {"ZLIB", "compression failed"},
    [ACT_ERR_NOMEM] = {"NOMEM", "out of memory"},
};

const char *act_status_message(act_status s) {
  return ((unsigned)s < ACT_STATUS_COUNT) ? table[s].message : "unknown status";
}

const char *act_status_name(act_status s) { return ((unsigned)s < ACT_STATUS_COUNT) ? table[s].name : "UNKNOWN"; }
