/*
 * auth/bearer.h: stateless signed bearer tokens (DESIGN.md "Identity,
 * tokens, grants").
 *
 *   token   = "reg1." payload "." mac
 *   payload = base64url(compact JSON, exactly these keys:
 *             {"v":1,"kid":K,"sub":S,"arn":A,"ses":E,"uid":U,"iat":I,
 *              "exp":X,"jti":J})
 *   mac     = base64url(HMAC-SHA256(token sub-key of kid K,
 *                                   "reg1." payload))
 *
 * base64url is unpadded and strict (common/codec.h).  sub is the
 * principal key grants are looked up by; arn the display ARN or ""; ses
 * the STS session name (audit only) or ""; uid the role's unique id
 * (AROA..., for pinned grants) or ""; iat/exp Unix seconds; jti 16
 * random bytes in lower-case hex.  A token is at most BEARER_MAX_LEN
 * bytes and lives at most BEARER_MAX_TTL seconds.  Any node holding the
 * key verifies; nothing is stored, so revocation is by removing the grant
 * (re-read on every request) or retiring the key.
 *
 * Tokens are secrets: never log them, nor any part of them.
 */
#ifndef REG_BEARER_H
#define REG_BEARER_H

#include <stddef.h>
#include <stdint.h>

#include "auth/keyring.h"
#include "common/err.h"

#define BEARER_PREFIX "reg1."
#define BEARER_MAX_LEN 2048
#define BEARER_MAX_TTL INT64_C(43200) /* 12 h: exp - iat, seconds */
#define BEARER_SKEW 60                /* iat may be this far in the future */
#define BEARER_SUB_MAX 256            /* = STORE_PRINCIPAL_MAX */
#define BEARER_ARN_MAX 256
#define BEARER_SES_MAX 64
#define BEARER_UID_MAX 128
#define BEARER_JTI_LEN 32                     /* hex of 16 bytes */
#define BEARER_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/*
 * The claims of a token.  Strings are NUL-terminated printable ASCII
 * (0x21..0x7e; arn and ses may be empty, sub may not).
 */
struct bearer_claims {
	char kid[KEYRING_KID_BUFSZ];
	char sub[BEARER_SUB_MAX + 1];
	char arn[BEARER_ARN_MAX + 1];
	char ses[BEARER_SES_MAX + 1];
	/* the role's unique id (AROA...), "" when none: grants pinned to
	 * another id give this token nothing (storage store_rights) */
	char uid[BEARER_UID_MAX + 1];
	int64_t iat;
	int64_t exp;
	char jti[BEARER_JTI_LEN + 1];
};

/*
 * Issue a token signed with keyring_current(kr).  The caller fills
 * cl->sub, cl->arn and cl->ses; on success this fills cl->kid, cl->iat
 * (= now), cl->exp (= now + ttl) and cl->jti (for the audit log).
 * 1 <= ttl <= BEARER_MAX_TTL, 0 <= now.
 * *token_out (on success only): new, NUL-terminated; the caller wipes
 * (cryptow_wipe) and frees it with free().
 * REG_EINVAL (bad claims or ttl), REG_ENOMEM, REG_ECRYPTO, REG_ETOOBIG.
 */
enum reg_err bearer_issue(const struct keyring *kr, struct bearer_claims *cl,
    int64_t now, int64_t ttl, char **token_out) REG_MUSTCHECK;

/*
 * Verify tok[0..len) (no NUL needed) at time now.  Checks, in order: the
 * "reg1." prefix, length <= BEARER_MAX_LEN, exactly two dots, strict
 * base64url, a 32-byte mac, a JSON object whose "kid" names a key of kr,
 * the mac (constant-time), then the exact schema (JSON_REJECT_DUPLICATES,
 * the 9 keys with strict types, v == 1, kid/jti/string grammars), then
 * exp - iat in (0, BEARER_MAX_TTL], iat <= now + BEARER_SKEW, now < exp.
 *
 * Returns REG_OK and fills *out (only then); REG_ENOENT when the token is
 * well formed but names a kid kr does not hold: the caller may reload the
 * keyring (keyring_cache_refresh) and verify once more, and must then
 * treat REG_ENOENT like REG_EAUTH; REG_EAUTH for every other failure;
 * REG_ECRYPTO when HMAC itself fails.  The payload is parsed before the
 * mac is checked because the kid is inside it; the input cap keeps that
 * cheap.
 * If why is not NULL, *why is set on every return to a static lowercase
 * text for the log ("ok", "token expired", ...); it never contains any
 * part of the token.
 */
enum reg_err bearer_verify(const struct keyring *kr, const char *tok,
    size_t len, int64_t now, struct bearer_claims *out,
    const char **why) REG_MUSTCHECK;

#endif
