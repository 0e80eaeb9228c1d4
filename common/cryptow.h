/*
 * common/cryptow.h: the only door to OpenSSL (EVP).  SHA-256, HMAC-SHA256,
 * random bytes, constant-time compare, wiping.
 */
#ifndef REG_CRYPTOW_H
#define REG_CRYPTOW_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define CRYPTOW_SHA256_LEN 32
#define CRYPTOW_SHA256_HEXLEN 64

enum reg_err cryptow_sha256(const void *, size_t,
    unsigned char out[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;
/* Lower-case hex digest, NUL-terminated (out has 65 bytes). */
enum reg_err cryptow_sha256_hex(const void *, size_t,
    char out[CRYPTOW_SHA256_HEXLEN + 1]) REG_MUSTCHECK;

/* Streaming SHA-256.  new -> update* -> final; free is NULL-safe. */
struct cryptow_hash;
enum reg_err cryptow_hash_new(struct cryptow_hash **) REG_MUSTCHECK;
enum reg_err cryptow_hash_update(struct cryptow_hash *, const void *,
    size_t) REG_MUSTCHECK;
enum reg_err cryptow_hash_final(struct cryptow_hash *,
    unsigned char out[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;
void cryptow_hash_free(struct cryptow_hash *);

enum reg_err cryptow_hmac_sha256(const void *key, size_t keylen,
    const void *msg, size_t msglen,
    unsigned char out[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;

enum reg_err cryptow_random(void *, size_t) REG_MUSTCHECK;

/* Constant-time equality of two n-byte regions. */
bool cryptow_memeq(const void *, const void *, size_t);

/* Wipe memory the compiler may not elide. */
void cryptow_wipe(void *, size_t);

#endif
