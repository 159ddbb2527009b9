#include "include/act_encoding.h"

#include <openssl/evp.h>
#include <zlib.h>

static inline int hexval(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

int act_is_hex(const char *p, size_t n, size_t want) {
  if (!p || n != want) return 0;
  for (size_t i = 0; i < n; i++)
    if (!hexval((unsigned char)p[i])) return 0;
  return 1;
}

size_t act_base64_encode(const uint8_t *in, size_t n, char *out) {
  if (n == 0) {
    out[0] = '\0';
    return 0;
  }
  return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static inline int b64char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

act_status act_base64_decode(const char *in, size_t n, uint8_t *out, size_t *out_len) {
  if (!in || !out || !out_len) return ACT_ERR_ARG;
  if (n == 0 || n % 4 != 0 || n > 0x3fffffff) return ACT_ERR_BASE64;
  size_t pad = 0;
  if (in[n - 1] == '=') pad = (in[n - 2] == '=') ? 2 : 1;
  /* EVP_DecodeBlock trims whitespace and accepts '=' only loosely: check first. */
  for (size_t i = 0; i < n - pad; i++)
    if (!b64char((unsigned char)in[i])) return ACT_ERR_BASE64;
  int got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
  if (got < 0 || (size_t)got < pad) return ACT_ERR_BASE64;
  *out_len = (size_t)got - pad;
  return ACT_OK;
}

uint32_t act_crc32(const void *p, size_t n) { return (p && n) ? (uint32_t)crc32(0L, (const Bytef *)p, (uInt)n) : 0; }
