/*
 * auth/apitoken.h: static API tokens, for bootstrap and for CI without a
 * cloud identity (DESIGN.md "Identity, tokens, grants").
 *
 *   token = "regt_" base64url(32 random bytes)     (48 characters)
 *
 * A token is shown once when it is made and stored only as its SHA-256
 * (looked up by digest; compare digests with cryptow_memeq).  A token has
 * a name; its principal key is "token:<name>".  Tokens are secrets: never
 * log them, and wipe copies (cryptow_wipe) when done.
 */
#ifndef REG_APITOKEN_H
#define REG_APITOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/cryptow.h"
#include "common/err.h"

#define APITOKEN_PREFIX "regt_"
#define APITOKEN_LEN 48 /* "regt_" + 43 */
#define APITOKEN_BUFSZ (APITOKEN_LEN + 1)
#define APITOKEN_NAME_MAX 64 /* name grammar [a-z0-9][a-z0-9._-]{0,63} */
#define APITOKEN_PRINCIPAL_BUFSZ (6 + APITOKEN_NAME_MAX + 1) /* "token:" */

/*
 * A new random token into out (NUL-terminated).  REG_ECRYPTO when the
 * random generator fails (out is then untouched).  The caller shows it
 * once, stores apitoken_hash of it, and wipes out.
 */
enum reg_err apitoken_generate(char out[APITOKEN_BUFSZ]) REG_MUSTCHECK;

/* SHA-256 of tok[0..len) into out.  REG_ECRYPTO. */
enum reg_err apitoken_hash(const char *tok, size_t len,
    unsigned char out[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;

/*
 * Whether tok[0..len) has the shape of a token: the prefix, exactly
 * APITOKEN_LEN bytes, the base64url alphabet, and canonical trailing bits
 * (so each 32-byte value has exactly one spelling).  Cheap, no secrets
 * involved: decide this before hashing and looking up.
 */
bool apitoken_looks_like(const char *tok, size_t len);

/* The name grammar: [a-z0-9][a-z0-9._-]{0,63}. */
bool apitoken_name_valid(const char *name, size_t len);

/*
 * "token:" + name into out (NUL-terminated).  REG_EINVAL when the name is
 * not valid (out untouched).
 */
enum reg_err apitoken_principal(const char *name, size_t len,
    char out[APITOKEN_PRINCIPAL_BUFSZ]) REG_MUSTCHECK;

#endif
