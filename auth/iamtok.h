/*
 * auth/iamtok.h: pure validation of the token endpoint's input for
 * method "aws-iam" (iam-auth.md section 5.3, checks 2 to 9, in order),
 * plus the pieces checks 10 and 11 need: the replay key and the rebuilt
 * outbound STS URL.  No network, no storage, no clock: the caller passes
 * "now".
 *
 * Input: {"method":"aws-iam","token":"k8s-aws-v1.<base64url(URL)>"} with
 * an optional positive integer "expiration_seconds".  The URL is a
 * presigned sts:GetCallerIdentity GET as `aws eks get-token` makes it.
 *
 * Invariant: a struct iamtok filled by a successful parse satisfies every
 * grammar of checks 4 to 9, and iamtok_outbound_url() of it, wrapped as a
 * token again, parses to the same struct.  Every failure is REG_EINVAL
 * (REG_ETOOBIG for an oversized body, REG_ENOMEM) with *why set to a
 * static lowercase message naming the problem; it is safe to log and
 * never contains input bytes.
 */
#ifndef REG_IAMTOK_H
#define REG_IAMTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/cryptow.h"
#include "common/err.h"

#define IAMTOK_MAX_BODY 8192  /* check 1 is the caller's; defence only */
#define IAMTOK_MAX_TOKEN 4096 /* whole token, prefix included */
#define IAMTOK_PREFIX "k8s-aws-v1."
/* decoded URL: at most 3/4 of the base64url part */
#define IAMTOK_MAX_URL 3072
#define IAMTOK_AKID_MIN 16
#define IAMTOK_AKID_MAX 128
#define IAMTOK_MAX_EXPIRES 900
#define IAMTOK_DEFAULT_AUDIENCE_HEADER "x-k8s-aws-id"
#define IAMTOK_MAX_HEADER_NAME 64

/* One allowlisted STS endpoint: host byte-exact, its signing region. */
struct iamtok_endpoint {
	const char *host;      /* e.g. "sts.us-east-1.amazonaws.com" */
	const char *region;    /* e.g. "us-east-1" */
	const char *partition; /* e.g. "aws" */
};

/*
 * What the caller allows.  endpoints is borrowed and must outlive every
 * struct iamtok parsed with it (the result points at one entry).
 * audience_header NULL means "x-k8s-aws-id".  A token is fresh when
 * now - max_age <= X-Amz-Date <= now + max_future (seconds).
 */
struct iamtok_policy {
	const struct iamtok_endpoint *endpoints;
	size_t nendpoints;
	const char *audience_header;
	int64_t now;
	int64_t max_age;
	int64_t max_future;
};

/* The parsed, validated token.  Caller-owned storage, no heap. */
struct iamtok {
	const struct iamtok_endpoint *endpoint; /* borrowed from the policy */
	char akid[IAMTOK_AKID_MAX + 1];
	char amz_date[17];                         /* YYYYMMDDTHHMMSSZ */
	char signature[CRYPTOW_SHA256_HEXLEN + 1]; /* 64 lower-case hex */
	char signed_headers[5 + IAMTOK_MAX_HEADER_NAME + 1];
	bool has_session_token;
	char session_token[IAMTOK_MAX_URL + 1]; /* "" when absent */
	unsigned expires;                       /* X-Amz-Expires, 1..900 */
	int64_t date;                           /* X-Amz-Date, epoch s */
	int64_t expiration_seconds; /* from the envelope; 0 = absent */
};

/*
 * True when the policy itself is usable: at least one endpoint, every
 * host/region/partition non-empty, host lower-case [a-z0-9.-] without a
 * trailing dot, region [a-z0-9-], audience header a lower-case token
 * other than "host", max_age and max_future in 0..900.  Check this at
 * start-up; the parsers refuse a bad policy with REG_EINVAL.
 */
bool iamtok_policy_valid(const struct iamtok_policy *);

/*
 * Checks 2 to 9 on the request body body[0..len): strict JSON envelope,
 * then iamtok_parse_token() on the "token" string.  *out is written only
 * on success; *why (why may be NULL) only on failure, with a static
 * string.
 */
enum reg_err iamtok_parse_body(const char *body, size_t len,
    const struct iamtok_policy *, struct iamtok *out,
    const char **why) REG_MUSTCHECK;

/* Checks 3 to 9 on a bare token tok[0..len) (no envelope). */
enum reg_err iamtok_parse_token(const char *tok, size_t len,
    const struct iamtok_policy *, struct iamtok *out,
    const char **why) REG_MUSTCHECK;

/*
 * Check 11: append "https://<host>/?<canonical query>" rebuilt from the
 * parsed values only (SigV4 URI encoding, names sorted, X-Amz-Signature
 * included).  REG_ETOOBIG past out's cap, REG_ENOMEM, REG_EINVAL.
 */
enum reg_err iamtok_outbound_url(const struct iamtok *,
    struct buf *out) REG_MUSTCHECK;

/*
 * Check 10's key: SHA-256 of the X-Amz-Signature value (its 64 hex
 * characters), so that any re-encoding of the same query replays.
 */
enum reg_err iamtok_replay_key(const struct iamtok *,
    unsigned char key[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;

#endif
