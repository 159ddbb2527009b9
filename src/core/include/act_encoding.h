/* Text encodings: hexadecimal ids, standard padded base64 (OpenSSL's codec), CRC-32 (zlib's). */
#ifndef ACT_ENCODING_H
#define ACT_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "act_status.h"

/* 1 when p[0..n) is exactly `want` hexadecimal characters (either case), else 0 (also for NULL). */
ACT_MUST_CHECK int act_is_hex(const char *p, size_t n, size_t want);

/* Length of the base64 text for n bytes (with padding, no terminator). */
static inline size_t act_base64_len(size_t n) { return ((n + 2) / 3) * 4; }

/* Encodes n bytes into out, which needs room for act_base64_len(n) + 1 (a NUL
 * follows). Returns the text's length. Cannot fail. */
size_t act_base64_encode(const uint8_t *in, size_t n, char *out);

/* Decodes standard base64 with '=' padding; no whitespace, no URL-safe alphabet.
 * out needs room for (n / 4) * 3 bytes.
 *   ACT_OK          *out_len = decoded size
 *   ACT_ERR_ARG     in, out or out_len NULL
 *   ACT_ERR_BASE64  empty, not a multiple of 4, over 1 GiB, or any other character */
ACT_MUST_CHECK act_status act_base64_decode(const char *in, size_t n, uint8_t *out, size_t *out_len);

/* CRC-32 (IEEE, zlib's) of n bytes: what a "006" token holds of its channel
 * name and uid. 0 for NULL or n == 0. Cannot fail. */
uint32_t act_crc32(const void *p, size_t n);

#endif
