/*
 * auth/sigv4.h: the one AWS Signature Version 4 implementation.
 *
 * Used to sign (Authorization-header form and presigned-query form, with
 * an optional session token, for any service and region) and by the
 * verifying side to rebuild canonical requests and canonical query
 * strings.  Nothing here does I/O.
 *
 * Invariants: every output is appended to a caller-owned struct buf whose
 * cap the caller chooses; on failure the buf is left exactly as it was.
 * Secrets (the secret key, "AWS4"+secret, the derived signing keys) live
 * only in local storage and are wiped with cryptow_wipe() before return.
 *
 * Ownership: every pointer in the structs below is borrowed for the
 * duration of the call; nothing is retained.  Names and values are
 * (pointer, length) spans and may contain any byte; query names and
 * values are the *decoded* bytes, the path is the decoded path.
 */
#ifndef REG_SIGV4_H
#define REG_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/cryptow.h"
#include "common/err.h"
#include "common/span.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* hex SHA-256 of the empty string: the payload hash of a GET */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define SIGV4_AMZ_DATE_LEN 16 /* YYYYMMDDTHHMMSSZ */
#define SIGV4_SIG_HEXLEN 64
#define SIGV4_MAX_PARAMS 256    /* query parameters per request */
#define SIGV4_MAX_HEADERS 64    /* headers per request */
#define SIGV4_MAX_NAME 256      /* header name length */
#define SIGV4_MAX_CREQ 262144   /* canonical request, string to sign */
#define SIGV4_MAX_SCOPE_PART 64 /* region, service */
#define SIGV4_MAX_AKID 128
#define SIGV4_MAX_EXPIRES 604800 /* 7 days, the SigV4 maximum */

/* Request flags (struct sigv4_req.flags). */
/* Do not normalise the path (S3); default normalises as for other
 * services: "." and ".." resolved, empty segments dropped. */
#define SIGV4_NO_NORMALIZE_PATH 0x1u
/* Header form only: do not sign the session token; the caller adds the
 * X-Amz-Security-Token header after signing (post-sts-header-after). */
#define SIGV4_TOKEN_UNSIGNED 0x2u
/* Presign only: build an http:// URL (loopback STS mock in tests). */
#define SIGV4_SCHEME_HTTP 0x4u

/* One query parameter or header: decoded name and value. */
struct sigv4_param {
	struct span name;
	struct span value;
};

/*
 * What is signed.  host is the Host header value including ":port" when
 * it is not the scheme's default; it is always signed and must not also
 * appear in headers.  Every entry of headers is signed, in the given
 * order for duplicate names (their values are joined with ',').  A value
 * containing LF is an obsolete folded header: each line is trimmed and
 * the lines are joined with ','.  payload_hash, when not NULL, is used as
 * is (64 lower-case hex or "UNSIGNED-PAYLOAD"); otherwise the hex SHA-256
 * of body[0..body_len) is used (body may be NULL when body_len is 0).
 * amz_date is "YYYYMMDDTHHMMSSZ".
 */
struct sigv4_req {
	const char *method;
	struct span host;
	struct span path;
	const struct sigv4_param *query;
	size_t nquery;
	const struct sigv4_param *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
	const char *payload_hash;
	const char *amz_date;
	unsigned flags;
};

/* Credentials; session_token NULL for long-term keys.  Borrowed. */
struct sigv4_creds {
	const char *akid;
	const char *secret;
	const char *session_token;
};

/*
 * Append the RFC 3986 encoding of p[0..len) to out: A-Za-z0-9-._~ are
 * kept, every other byte becomes %XX (upper-case hex); '/' is kept too
 * when keep_slash (paths).  REG_ETOOBIG past the buf's cap, REG_ENOMEM.
 */
enum reg_err sigv4_uri_encode(const char *p, size_t len, bool keep_slash,
    struct buf *out) REG_MUSTCHECK;

/*
 * Append the canonical query string of q[0..n): each name and value
 * encoded with sigv4_uri_encode, sorted by encoded name then encoded
 * value (bytewise), joined as "n=v&n=v" ("n=" for an empty value).
 * REG_EINVAL when n > SIGV4_MAX_PARAMS; REG_ETOOBIG, REG_ENOMEM.
 */
enum reg_err sigv4_canonical_query(const struct sigv4_param *q, size_t n,
    struct buf *out) REG_MUSTCHECK;

/*
 * Append the canonical URI of a decoded path (normalised unless
 * SIGV4_NO_NORMALIZE_PATH is in flags).  An empty path is "/"; a path
 * not starting with '/' is REG_EINVAL.
 */
enum reg_err sigv4_canonical_uri(struct span path, unsigned flags,
    struct buf *out) REG_MUSTCHECK;

/*
 * Append the signed-headers list of req ("host" plus every header name,
 * lower-cased, sorted, unique, joined with ';').
 * REG_EINVAL on a bad header name, a "host" entry in req->headers or too
 * many headers; REG_ETOOBIG, REG_ENOMEM.
 */
enum reg_err sigv4_signed_headers(const struct sigv4_req *req,
    struct buf *out) REG_MUSTCHECK;

/*
 * Append the canonical request of req exactly as described (nothing is
 * added: the caller supplies X-Amz-* headers or query parameters):
 * METHOD \n URI \n QUERY \n HEADERS \n SIGNEDHEADERS \n PAYLOADHASH.
 * REG_EINVAL on a malformed request (method not an HTTP token, bad header
 * name, control bytes in a header value, bad payload_hash, bad path);
 * REG_ETOOBIG, REG_ENOMEM, REG_ECRYPTO.
 */
enum reg_err sigv4_canonical_request(const struct sigv4_req *req,
    struct buf *out) REG_MUSTCHECK;

/*
 * Append the credential scope "YYYYMMDD/region/service/aws4_request".
 * region and service must match [a-z0-9-]{1,64}: REG_EINVAL otherwise.
 */
enum reg_err sigv4_scope(const char *amz_date, const char *region,
    const char *service, struct buf *out) REG_MUSTCHECK;

/*
 * Append the string to sign for creq[0..creqlen):
 * "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n" hex(SHA-256(creq)).
 * REG_EINVAL on a malformed amz_date, region or service.
 */
enum reg_err sigv4_string_to_sign(const char *amz_date, const char *region,
    const char *service, const char *creq, size_t creqlen,
    struct buf *out) REG_MUSTCHECK;

/*
 * Derive the signing key HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date8),
 * region), service), "aws4_request") into key.  date8 is the first 8
 * characters of amz_date.  Intermediates are wiped; the caller wipes key.
 */
enum reg_err sigv4_signing_key(const char *secret, const char *amz_date,
    const char *region, const char *service,
    unsigned char key[CRYPTOW_SHA256_LEN]) REG_MUSTCHECK;

/* sig = lower-case hex HMAC(key, sts[0..stslen)), NUL-terminated. */
enum reg_err sigv4_signature(const unsigned char key[CRYPTOW_SHA256_LEN],
    const char *sts, size_t stslen,
    char sig[SIGV4_SIG_HEXLEN + 1]) REG_MUSTCHECK;

/*
 * Sign req in the Authorization-header form and append the header value
 * ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...")
 * to out.  The signer adds "x-amz-date: <req->amz_date>" and, when
 * creds->session_token is set and SIGV4_TOKEN_UNSIGNED is not, the
 * "x-amz-security-token" header to the signed set; the caller must send
 * exactly those headers (and the token header in either case), so
 * req->headers must not contain host, x-amz-date, x-amz-security-token
 * or authorization (REG_EINVAL).
 * REG_EINVAL on bad input or credentials; REG_ETOOBIG, REG_ENOMEM,
 * REG_ECRYPTO.
 */
enum reg_err sigv4_authorization_header(const struct sigv4_req *req,
    const struct sigv4_creds *creds, const char *region, const char *service,
    struct buf *out) REG_MUSTCHECK;

/*
 * Presign req and append the full URL to out:
 * "https://" host canonical-URI "?" canonical-query "&X-Amz-Signature=" sig
 * where the canonical query holds req->query plus X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires (1..SIGV4_MAX_EXPIRES),
 * X-Amz-SignedHeaders (host plus req->headers) and, with a session
 * token, X-Amz-Security-Token (always signed in this form).  The headers
 * in req->headers are signed but not part of the URL: the caller sends
 * them (e.g. "x-k8s-aws-id").  The payload hash is req->payload_hash or
 * SHA-256 of the body (empty: e3b0...), as botocore's SigV4QueryAuth and
 * aws-sdk-go do for non-S3 services; S3 callers pass "UNSIGNED-PAYLOAD".
 * REG_EINVAL on bad input, or when req->query already has one of the
 * X-Amz-* names above; REG_ETOOBIG, REG_ENOMEM, REG_ECRYPTO.
 */
enum reg_err sigv4_presign(const struct sigv4_req *req,
    const struct sigv4_creds *creds, const char *region, const char *service,
    unsigned expires, struct buf *out) REG_MUSTCHECK;

#endif
