/*
 * auth/urlsig.h: signed, expiring, multi-use archive URLs.
 *
 * Terraform sends no bearer token to the archive URL it got in
 * X-Terraform-Get (spec/terraform-protocols.md 0.2), so that URL carries
 * its own signature as its query string:
 *
 *   exp=<unix seconds>&kid=<kid>&sig=<base64url(HMAC-SHA256(K, M))>
 *   K = the archive-url sub-key of kid (auth/keyring.h)
 *   M = "archive\n" path "\n" exp "\n" kid
 *
 * path is the exact percent-decoded request path, e.g.
 * /v1/archives/acme/hello/null/1.2.0/hello-1.2.0.tar.gz.  The method is not
 * bound (Terraform sends HEAD, then GET, with the same query), the fixed
 * label "archive" is; the signature is not single-use, it is valid for
 * any number of requests until exp.  go-getter re-sorts query parameters,
 * so verification works on the parsed parameters, in any order.  The
 * registry appends "&checksum=sha256:<hex>" after the signed part; the
 * client removes that parameter before requesting, so it is not signed
 * and, if it does arrive, it is refused like any unknown parameter.
 */
#ifndef REG_URLSIG_H
#define REG_URLSIG_H

#include <stddef.h>
#include <stdint.h>

#include "auth/keyring.h"
#include "common/buf.h"
#include "common/err.h"

#define URLSIG_PATH_MAX 1024 /* bytes of the decoded path */
#define URLSIG_QUERY_MAX 256 /* bytes of the query string */
#define URLSIG_MAX_TTL 86400 /* exp may be at most this far ahead ... */
#define URLSIG_SKEW 60       /* ... plus this, for clocks between nodes */
#define URLSIG_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/*
 * Append the signed query (without a leading '?') for path (NUL-
 * terminated, '/' then printable ASCII without space, at most
 * URLSIG_PATH_MAX bytes) valid until exp, signed with keyring_current(kr),
 * to out.  On failure out is unchanged.
 * REG_EINVAL (bad path, exp outside [1, URLSIG_TIME_MAX]), REG_ETOOBIG
 * (out's cap), REG_ENOMEM, REG_ECRYPTO.
 */
enum reg_err urlsig_sign(const struct keyring *kr, const char *path,
    int64_t exp, struct buf *out) REG_MUSTCHECK;

/*
 * Check the query query[0..qlen) (no NUL needed, no leading '?') for path
 * (NUL-terminated) at time now.  The query must hold exactly the three
 * parameters exp, kid and sig, each once, in any order, with no
 * percent-encoding, no empty parameter and nothing else; exp canonical
 * decimal (no leading zero) with now < exp <= now + URLSIG_MAX_TTL +
 * URLSIG_SKEW; kid a key of kr; sig 43 base64url characters equal
 * (constant time) to the signature.
 *
 * Returns REG_OK; REG_ENOENT when all is well formed but kr lacks kid:
 * the caller may reload the keyring (keyring_cache_refresh) and verify
 * once more, and must then answer as for REG_EPERM; REG_EPERM for every
 * other failure (the registry answers 403); REG_ECRYPTO.
 * If why is not NULL, *why is set on every return to a static lowercase
 * text for the log and the error body, never containing the query:
 * "link expired" for an expired link (so it can be told apart),
 * "bad signature" for a tampered one, and others for malformed queries.
 */
enum reg_err urlsig_verify(const struct keyring *kr, const char *path,
    const char *query, size_t qlen, int64_t now,
    const char **why) REG_MUSTCHECK;

#endif
