/*
 * auth/stsresp.h: strict parsing of the STS GetCallerIdentity answer
 * (iam-auth.md section 5.3, the body part of check 13, and check 14) and
 * bounded extraction of the error code from an STS error body, for the
 * section 4.4 status mapping.
 *
 * Invariant: a successful stsresp_parse() saw a Content-Type whose media
 * type is application/json and exactly one JSON document of the shape
 * {"GetCallerIdentityResponse":{"GetCallerIdentityResult":{...},
 * "ResponseMetadata":{...}}}; Arn, UserId and Account are non-empty
 * printable ASCII of at most STSRESP_MAX_FIELD bytes.  The ARN grammar
 * itself (check 15) is not checked here.
 */
#ifndef REG_STSRESP_H
#define REG_STSRESP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define STSRESP_MAX_BODY 16384 /* 16 KiB, as the fetch caps it */
#define STSRESP_MAX_FIELD 2048
#define STSRESP_MAX_ID 128 /* RequestId, error Code */

/* Caller-owned storage, no heap. */
struct stsresp_identity {
	char arn[STSRESP_MAX_FIELD + 1];
	char user_id[STSRESP_MAX_FIELD + 1];
	char account[STSRESP_MAX_FIELD + 1];
	char request_id[STSRESP_MAX_ID + 1]; /* "" when absent */
};

struct stsresp_error {
	char code[STSRESP_MAX_ID + 1];       /* e.g. "Throttling" */
	char request_id[STSRESP_MAX_ID + 1]; /* "" when absent */
};

/*
 * Parse a 200 response.  content_type is the Content-Type header value
 * (NUL-terminated, NULL when absent); body[0..len) need not be
 * NUL-terminated.  *out is written only on success; *why (why may be
 * NULL) only on failure, with a static lowercase message.
 * REG_EUPSTREAM for every malformed response (the caller answers 503),
 * REG_ENOMEM.
 */
enum reg_err stsresp_parse(const char *content_type, const char *body,
    size_t len, struct stsresp_identity *out, const char **why) REG_MUSTCHECK;

/*
 * Extract Code and RequestId from an STS error body, JSON
 * ({"Error":{"Code":...},"RequestId":...}) or XML
 * (<ErrorResponse><Error><Code>...</Code></Error><RequestId>...), chosen
 * by the first non-blank byte.  Both values must match
 * [A-Za-z0-9._:-]{1,128}; an absent or malformed RequestId leaves "".
 * *out only on success.  REG_EINVAL when no valid Code is found (the
 * caller still maps the status), REG_ENOMEM.
 */
enum reg_err stsresp_parse_error(const char *body, size_t len,
    struct stsresp_error *out) REG_MUSTCHECK;

/* Code "Throttling" (or "ThrottlingException"): retryable, 503. */
bool stsresp_is_throttling(const struct stsresp_error *);

/*
 * Section 4.4: the error for an STS HTTP status and parsed error body
 * (err may be NULL when the body had no code).  200 is REG_OK; a
 * throttling code, any 5xx and anything else unexpected (1xx, 3xx
 * redirects, which are never followed) are REG_EUPSTREAM; every other
 * 4xx is REG_EAUTH.
 */
enum reg_err stsresp_status_err(long status, const struct stsresp_error *err);

#endif
