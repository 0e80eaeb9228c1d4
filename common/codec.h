/*
 * common/codec.h: hex and base64 codecs, no allocation, no library.
 * Decoders take (pointer, length) and are strict: they reject every
 * byte outside the alphabet, padding where none is expected, and
 * non-canonical trailing bits.
 */
#ifndef REG_CODEC_H
#define REG_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* Lower-case hex of in[0..n) into out (size >= 2n+1), NUL-terminated. */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Exactly 2*outlen lower-case hex digits; false otherwise. */
bool hex_decode(const char *in, size_t len, unsigned char *out, size_t outlen);

/* Encoded length (without NUL) of n bytes. */
size_t b64url_enclen(size_t n); /* unpadded */
size_t b64_enclen(size_t n);    /* padded */

/* Encode into out (size > enclen), NUL-terminated; returns the length. */
size_t b64url_encode(const unsigned char *in, size_t n, char *out);
size_t b64_encode(const unsigned char *in, size_t n, char *out);

/*
 * Strict unpadded base64url (RFC 4648 section 5) / padded standard
 * base64 decode into out (capacity outsz).  REG_EINVAL on any deviation,
 * REG_ETOOBIG when out is too small.  *outlen only on success.
 */
enum reg_err b64url_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen) REG_MUSTCHECK;
enum reg_err b64_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen) REG_MUSTCHECK;

#endif
