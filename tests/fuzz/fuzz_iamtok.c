/*
 * tests/fuzz/fuzz_iamtok.c: the token endpoint's input (envelope, token,
 * URL, query), auth/iamtok.
 *
 * An input starting with '{' is a request body for iamtok_parse_body();
 * anything else is a decoded URL, wrapped here as "k8s-aws-v1." +
 * base64url so the fuzzer can mutate the URL grammar directly.
 * Invariants:
 *   - failure: REG_EINVAL (REG_ETOOBIG only for an oversized body), a
 *     non-empty lowercase why, and the output struct untouched;
 *   - success: every field satisfies its grammar (host from the
 *     allowlist, AKID [A-Z0-9]{16,128}, X-Amz-Date inside the window and
 *     equal to the epoch time, 64 lower-case hex signature, expires
 *     1..900, base64 session token, signed headers host;x-k8s-aws-id);
 *   - the rebuilt outbound URL holds only unreserved bytes, upper-case
 *     %XX, '=' and '&' after "https://<host>/?", and wrapped as a token
 *     it parses to exactly the same struct (a fixed point);
 *   - the replay key is SHA-256 of the signature.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../auth/iamtok.h"
#include "../../common/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define UNTOUCHED 0x5a

static const struct iamtok_endpoint fz_endpoints[] = {
	{ "sts.us-east-1.amazonaws.com", "us-east-1", "aws" },
	{ "sts.eu-west-1.amazonaws.com", "eu-west-1", "aws" },
	{ "sts.amazonaws.com", "us-east-1", "aws" },
};

static const struct iamtok_policy fz_policy = { fz_endpoints,
	sizeof(fz_endpoints) / sizeof(fz_endpoints[0]), NULL, FUZZ_NOW, 300,
	60 };

static bool
is_unreserved(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static bool
is_upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void
check_fields(const struct iamtok *t)
{
	const struct iamtok_endpoint *e = t->endpoint;
	char date[17];
	time_t tt;
	struct tm tm;
	size_t i, n;

	if (e < fz_endpoints ||
	    e >= fz_endpoints + sizeof(fz_endpoints) / sizeof(fz_endpoints[0]))
		abort();
	n = strlen(t->akid);
	if (n < IAMTOK_AKID_MIN || n > IAMTOK_AKID_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (!((t->akid[i] >= 'A' && t->akid[i] <= 'Z') ||
		        (t->akid[i] >= '0' && t->akid[i] <= '9')))
			abort();
	}
	if (strlen(t->signature) != 64)
		abort();
	for (i = 0; i < 64; i++) {
		if (!((t->signature[i] >= '0' && t->signature[i] <= '9') ||
		        (t->signature[i] >= 'a' && t->signature[i] <= 'f')))
			abort();
	}
	if (t->expires < 1 || t->expires > 900)
		abort();
	if (strcmp(t->signed_headers, "host;x-k8s-aws-id") != 0)
		abort();
	if (t->date < FUZZ_NOW - 300 || t->date > FUZZ_NOW + 60)
		abort();
	tt = (time_t)t->date;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm) != 16 ||
	    strcmp(date, t->amz_date) != 0)
		abort();
	n = strlen(t->session_token);
	if (t->has_session_token != (n > 0))
		abort();
	for (i = 0; i < n; i++) {
		char c = t->session_token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		        c == '='))
			abort();
	}
	if (t->expiration_seconds < 0)
		abort();
}

static bool
same(const struct iamtok *a, const struct iamtok *b)
{
	return a->endpoint == b->endpoint && strcmp(a->akid, b->akid) == 0 &&
	    strcmp(a->amz_date, b->amz_date) == 0 &&
	    strcmp(a->signature, b->signature) == 0 &&
	    strcmp(a->signed_headers, b->signed_headers) == 0 &&
	    a->has_session_token == b->has_session_token &&
	    strcmp(a->session_token, b->session_token) == 0 &&
	    a->expires == b->expires && a->date == b->date;
}

static void
check_roundtrip(const struct iamtok *t)
{
	unsigned char key[CRYPTOW_SHA256_LEN], want[CRYPTOW_SHA256_LEN];
	struct iamtok *again = NULL;
	struct buf url;
	char *tok = NULL;
	const char *q, *why = NULL;
	size_t i, n, hl;

	buf_init(&url, 8192);
	if (iamtok_outbound_url(t, &url) != REG_OK)
		abort();
	hl = strlen(t->endpoint->host);
	if (url.len < 8 + hl + 2 || memcmp(url.p, "https://", 8) != 0 ||
	    memcmp(url.p + 8, t->endpoint->host, hl) != 0 ||
	    memcmp(url.p + 8 + hl, "/?", 2) != 0)
		abort();
	q = url.p + 8 + hl + 2;
	n = url.len - 8 - hl - 2;
	for (i = 0; i < n; i++) {
		if (is_unreserved(q[i]) || q[i] == '=' || q[i] == '&')
			continue;
		if (q[i] != '%' || i + 2 >= n || !is_upper_hex(q[i + 1]) ||
		    !is_upper_hex(q[i + 2]))
			abort();
		i += 2;
	}
	/* wrapped again, the rebuilt URL is a fixed point */
	tok = malloc(11 + b64url_enclen(url.len) + 1);
	again = malloc(sizeof(*again));
	if (tok == NULL || again == NULL)
		goto out;
	memcpy(tok, "k8s-aws-v1.", 11);
	n = 11 + b64url_encode((const unsigned char *)url.p, url.len, tok + 11);
	if (iamtok_parse_token(tok, n, &fz_policy, again, &why) != REG_OK ||
	    !same(t, again))
		abort();
	if (iamtok_replay_key(t, key) != REG_OK ||
	    cryptow_sha256(t->signature, 64, want) != REG_OK ||
	    memcmp(key, want, sizeof(key)) != 0)
		abort();
out:
	free(tok);
	free(again);
	buf_release(&url);
}

static void
check_result(enum reg_err er, const char *why, const struct iamtok *t,
    bool body)
{
	const unsigned char *raw = (const unsigned char *)t;
	size_t i;

	if (er == REG_OK) {
		check_fields(t);
		check_roundtrip(t);
		return;
	}
	if (!(er == REG_EINVAL || er == REG_ENOMEM ||
	        (body && er == REG_ETOOBIG)))
		abort();
	if (why == NULL || why[0] < 'a' || why[0] > 'z')
		abort();
	for (i = 0; i < sizeof(*t); i++) {
		if (raw[i] != UNTOUCHED)
			abort(); /* out-param written on failure */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct iamtok *t = NULL;
	char *p = NULL, *tok = NULL;
	const char *why = NULL;
	enum reg_err er;
	size_t n;

	t = malloc(sizeof(*t));
	p = malloc(len > 0 ? len : 1);
	if (t == NULL || p == NULL)
		goto out;
	memset(t, UNTOUCHED, sizeof(*t));
	memcpy(p, data, len);
	if (len > 0 && p[0] == '{') {
		er = iamtok_parse_body(p, len, &fz_policy, t, &why);
		check_result(er, why, t, true);
		goto out;
	}
	tok = malloc(11 + b64url_enclen(len) + 1);
	if (tok == NULL)
		goto out;
	memcpy(tok, "k8s-aws-v1.", 11);
	n = 11 + b64url_encode((const unsigned char *)p, len, tok + 11);
	er = iamtok_parse_token(tok, n, &fz_policy, t, &why);
	check_result(er, why, t, false);
out:
	free(t);
	free(p);
	free(tok);
	return 0;
}
