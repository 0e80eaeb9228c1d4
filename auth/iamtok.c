/*
 * auth/iamtok.c: checks 2 to 9 of iam-auth.md section 5.3 (see iamtok.h).
 *
 * Invariant: nothing from the client reaches the output unparsed.  The
 * URL is taken apart by our own parser, every query value is decoded
 * exactly once and checked against its grammar, and the outbound URL is
 * rebuilt from the checked values alone (iamtok_outbound_url).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth/iamtok.h"
#include "auth/sigv4.h"
#include "common/codec.h"
#include "common/num.h"
#include "common/span.h"

#define IAMTOK_MAX_HOST 253

enum iamtok_qid {
	Q_ACTION,
	Q_VERSION,
	Q_ALGORITHM,
	Q_CREDENTIAL,
	Q_DATE,
	Q_EXPIRES,
	Q_SIGNED_HEADERS,
	Q_SIGNATURE,
	Q_TOKEN,
	Q_N
};

/* The exact-case parameter set of check 5; only the token is optional. */
static const struct {
	const char *name;
	const char *missing;
	bool required;
} iamtok_qtab[Q_N] = {
	[Q_ACTION] = { "Action", "query: missing Action", true },
	[Q_VERSION] = { "Version", "query: missing Version", true },
	[Q_ALGORITHM] = { "X-Amz-Algorithm", "query: missing X-Amz-Algorithm",
	    true },
	[Q_CREDENTIAL] = { "X-Amz-Credential",
	    "query: missing X-Amz-Credential", true },
	[Q_DATE] = { "X-Amz-Date", "query: missing X-Amz-Date", true },
	[Q_EXPIRES] = { "X-Amz-Expires", "query: missing X-Amz-Expires", true },
	[Q_SIGNED_HEADERS] = { "X-Amz-SignedHeaders",
	    "query: missing X-Amz-SignedHeaders", true },
	[Q_SIGNATURE] = { "X-Amz-Signature", "query: missing X-Amz-Signature",
	    true },
	[Q_TOKEN] = { "X-Amz-Security-Token", NULL, false },
};

/* Scratch state of one parse; decoded values live in dec. */
struct iamtok_ctx {
	const struct iamtok_policy *pol;
	const char *why;
	char url[IAMTOK_MAX_URL];
	size_t urllen;
	char dec[IAMTOK_MAX_URL];
	size_t declen;
	struct span val[Q_N];
	bool seen[Q_N];
	struct iamtok tok;
};

static enum reg_err
iamtok_fail(struct iamtok_ctx *c, const char *why)
{
	c->why = why;
	return REG_EINVAL;
}

static bool
iamtok_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static bool
iamtok_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

static char
iamtok_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	return c;
}

static bool
iamtok_ci_eq(struct span a, struct span b)
{
	size_t i;

	if (a.len != b.len)
		return false;
	for (i = 0; i < a.len; i++) {
		if (iamtok_lower(a.p[i]) != iamtok_lower(b.p[i]))
			return false;
	}
	return true;
}

static int
iamtok_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* [a-z0-9-]{1,64} (also the allowlist's region grammar) */
static bool
iamtok_region_ok(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	}
	return true;
}

static bool
iamtok_host_ok(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;
	bool alpha = false;

	if (n == 0 || n > IAMTOK_MAX_HOST || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			alpha = true;
		else if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		             s[i] == '.'))
			return false;
	}
	return alpha; /* all digits and dots would be an IPv4 literal */
}

static const char *
iamtok_audience(const struct iamtok_policy *pol)
{
	return pol->audience_header != NULL ? pol->audience_header
	                                    : IAMTOK_DEFAULT_AUDIENCE_HEADER;
}

bool
iamtok_policy_valid(const struct iamtok_policy *pol)
{
	const char *aud;
	size_t i, n;

	if (pol == NULL || pol->endpoints == NULL || pol->nendpoints == 0)
		return false;
	for (i = 0; i < pol->nendpoints; i++) {
		const struct iamtok_endpoint *e = &pol->endpoints[i];

		if (!iamtok_host_ok(e->host) || !iamtok_region_ok(e->region) ||
		    !iamtok_region_ok(e->partition))
			return false;
	}
	aud = iamtok_audience(pol);
	n = strlen(aud);
	if (n == 0 || n > IAMTOK_MAX_HEADER_NAME || strcmp(aud, "host") == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!((aud[i] >= 'a' && aud[i] <= 'z') ||
		        (aud[i] >= '0' && aud[i] <= '9') || aud[i] == '-'))
			return false;
	}
	return pol->now >= 0 && pol->max_age >= 0 && pol->max_age <= 900 &&
	    pol->max_future >= 0 && pol->max_future <= 900;
}

/*
 * Strict %HH decoding of s into c->dec: '%' needs two hex digits (either
 * case), and an escape of an unreserved character is refused (it is not
 * what any SDK emits, cf. GetCaller%49dentity).
 */
static enum reg_err
iamtok_pct_decode(struct iamtok_ctx *c, struct span s, struct span *out)
{
	size_t i, start = c->declen;

	for (i = 0; i < s.len; i++) {
		char ch = s.p[i];

		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= s.len)
				return iamtok_fail(c,
				    "query: truncated percent-encoding");
			hi = iamtok_hexval(s.p[i + 1]);
			lo = iamtok_hexval(s.p[i + 2]);
			if (hi < 0 || lo < 0)
				return iamtok_fail(c,
				    "query: bad percent-encoding");
			ch = (char)(hi << 4 | lo);
			if (iamtok_unreserved((unsigned char)ch))
				return iamtok_fail(c,
				    "query: needless percent-encoding");
			i += 2;
		}
		c->dec[c->declen++] = ch; /* never longer than the URL */
	}
	*out = span_make(c->dec + start, c->declen - start);
	return REG_OK;
}

/* Raw bytes of a pair: unreserved, '%' escapes and '=' only. */
static enum reg_err
iamtok_pair_chars(struct iamtok_ctx *c, struct span pair)
{
	size_t i;

	for (i = 0; i < pair.len; i++) {
		unsigned char ch = (unsigned char)pair.p[i];

		if (iamtok_unreserved(ch) || ch == '%' || ch == '=')
			continue;
		if (ch == ';')
			return iamtok_fail(c, "query: ';' is not a separator");
		if (ch == '+')
			return iamtok_fail(c,
			    "query: '+' is not allowed, use %2B or %20");
		return iamtok_fail(c, "query: invalid character");
	}
	return REG_OK;
}

/*
 * One "name=value" pair of check 5: decoded, not a case-insensitive
 * duplicate of names[0..*nnames), one of the exact-case names.
 */
static enum reg_err
iamtok_pair(struct iamtok_ctx *c, struct span pair, struct span *names,
    size_t *nnames)
{
	struct span name, value, rest = pair;
	size_t k;
	enum reg_err er;

	if (pair.len == 0)
		return iamtok_fail(c, "query: empty parameter");
	er = iamtok_pair_chars(c, pair);
	if (er != REG_OK)
		return er;
	if (!span_split(&rest, '=', &name))
		return iamtok_fail(c, "query: parameter without '='");
	if (memchr(rest.p, '=', rest.len) != NULL)
		return iamtok_fail(c, "query: unencoded '=' in value");
	er = iamtok_pct_decode(c, name, &name);
	if (er == REG_OK)
		er = iamtok_pct_decode(c, rest, &value);
	if (er != REG_OK)
		return er;
	if (name.len == 0)
		return iamtok_fail(c, "query: empty parameter name");
	for (k = 0; k < *nnames; k++) {
		if (iamtok_ci_eq(names[k], name))
			return iamtok_fail(c, "query: duplicate parameter");
	}
	for (k = 0; k < Q_N; k++) {
		if (span_eq(name, iamtok_qtab[k].name))
			break;
	}
	if (k == Q_N)
		return iamtok_fail(c, "query: unknown parameter");
	/* distinct known names, so at most Q_N of them */
	names[(*nnames)++] = name;
	c->val[k] = value;
	c->seen[k] = true;
	return REG_OK;
}

/* Check 5: split on '&' only; every required name exactly once. */
static enum reg_err
iamtok_query(struct iamtok_ctx *c, struct span q)
{
	struct span names[Q_N], pair;
	size_t nnames = 0, k;
	bool more = true;
	enum reg_err er = REG_OK;

	if (q.len == 0)
		return iamtok_fail(c, "url: missing query");
	while (more && er == REG_OK) {
		more = span_split(&q, '&', &pair);
		er = iamtok_pair(c, pair, names, &nnames);
	}
	if (er != REG_OK)
		return er;
	for (k = 0; k < Q_N; k++) {
		if (iamtok_qtab[k].required && !c->seen[k])
			return iamtok_fail(c, iamtok_qtab[k].missing);
	}
	return REG_OK;
}

/* Check 4; on success the query part goes to iamtok_query(). */
static enum reg_err
iamtok_url(struct iamtok_ctx *c)
{
	static const char scheme[] = "https://";
	struct span u = span_make(c->url, c->urllen), auth, path, q;
	size_t i, n;

	if (u.len < sizeof(scheme) - 1 ||
	    memcmp(u.p, scheme, sizeof(scheme) - 1) != 0)
		return iamtok_fail(c, "url: scheme must be https");
	u.p += sizeof(scheme) - 1;
	u.len -= sizeof(scheme) - 1;
	if (memchr(u.p, '#', u.len) != NULL)
		return iamtok_fail(c, "url: fragment not allowed");
	for (n = 0; n < u.len && u.p[n] != '/' && u.p[n] != '?'; n++)
		;
	auth = span_make(u.p, n);
	if (memchr(auth.p, '@', auth.len) != NULL)
		return iamtok_fail(c, "url: userinfo not allowed");
	if (memchr(auth.p, ':', auth.len) != NULL)
		return iamtok_fail(c, "url: port not allowed");
	if (auth.len == 0)
		return iamtok_fail(c, "url: empty host");
	for (i = 0; i < c->pol->nendpoints; i++) {
		if (span_eq(auth, c->pol->endpoints[i].host)) {
			c->tok.endpoint = &c->pol->endpoints[i];
			break;
		}
	}
	if (c->tok.endpoint == NULL)
		return iamtok_fail(c, "url: host not in allowlist");
	q = span_make(u.p + n, u.len - n);
	if (!span_split(&q, '?', &path)) {
		if (!span_eq(path, "/"))
			return iamtok_fail(c, "url: path must be /");
		return iamtok_fail(c, "url: missing query");
	}
	if (!span_eq(path, "/"))
		return iamtok_fail(c, "url: path must be /");
	return iamtok_query(c, q);
}

static bool
iamtok_lowerhex(struct span s, size_t n)
{
	size_t i;

	if (s.len != n)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s.p[i] >= '0' && s.p[i] <= '9') ||
		        (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	}
	return true;
}

/* AWS session tokens are standard base64 (A-Za-z0-9+/=). */
static bool
iamtok_token_ok(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > IAMTOK_MAX_URL)
		return false;
	for (i = 0; i < s.len; i++) {
		char ch = s.p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		        (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
		        ch == '='))
			return false;
	}
	return true;
}

/* Check 6. */
static enum reg_err
iamtok_values(struct iamtok_ctx *c)
{
	struct span e = c->val[Q_EXPIRES];
	uint64_t v;

	if (!span_eq(c->val[Q_ACTION], "GetCallerIdentity"))
		return iamtok_fail(c, "action must be GetCallerIdentity");
	if (!span_eq(c->val[Q_VERSION], "2011-06-15"))
		return iamtok_fail(c, "version must be 2011-06-15");
	if (!span_eq(c->val[Q_ALGORITHM], SIGV4_ALGORITHM))
		return iamtok_fail(c, "algorithm must be AWS4-HMAC-SHA256");
	if (!iamtok_lowerhex(c->val[Q_SIGNATURE], SIGV4_SIG_HEXLEN))
		return iamtok_fail(c,
		    "signature must be 64 lower-case hex digits");
	/* no leading zero: the value is rebuilt from the number */
	if (e.len == 0 || e.len > 3 || e.p[0] == '0' ||
	    num_parse_u64(e.p, e.len, 1, IAMTOK_MAX_EXPIRES, &v) != REG_OK)
		return iamtok_fail(c, "expires must be a decimal 1..900");
	c->tok.expires = (unsigned)v;
	memcpy(c->tok.signature, c->val[Q_SIGNATURE].p, SIGV4_SIG_HEXLEN);
	c->tok.signature[SIGV4_SIG_HEXLEN] = '\0';
	if (c->seen[Q_TOKEN]) {
		if (!iamtok_token_ok(c->val[Q_TOKEN]))
			return iamtok_fail(c,
			    "security token must be non-empty base64");
		memcpy(c->tok.session_token, c->val[Q_TOKEN].p,
		    c->val[Q_TOKEN].len);
		c->tok.session_token[c->val[Q_TOKEN].len] = '\0';
		c->tok.has_session_token = true;
	}
	return REG_OK;
}

/* Check 7: AKID/yyyymmdd/region/sts/aws4_request. */
static enum reg_err
iamtok_credential(struct iamtok_ctx *c)
{
	struct span rest = c->val[Q_CREDENTIAL], part[5];
	struct span date = c->val[Q_DATE];
	size_t n = 0, i;
	bool more = true;

	while (more) {
		if (n == nitems(part))
			return iamtok_fail(c,
			    "credential: must be "
			    "akid/date/region/sts/aws4_request");
		more = span_split(&rest, '/', &part[n]);
		n++;
	}
	if (n != nitems(part))
		return iamtok_fail(c,
		    "credential: must be akid/date/region/sts/aws4_request");
	if (part[0].len < IAMTOK_AKID_MIN || part[0].len > IAMTOK_AKID_MAX)
		return iamtok_fail(c, "credential: bad access key id");
	for (i = 0; i < part[0].len; i++) {
		char ch = part[0].p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return iamtok_fail(c, "credential: bad access key id");
	}
	/* digits are check 9's business, on X-Amz-Date */
	if (part[1].len != 8 || date.len < 8 ||
	    memcmp(part[1].p, date.p, 8) != 0)
		return iamtok_fail(c,
		    "credential: date does not match x-amz-date");
	if (!span_eq(part[2], c->tok.endpoint->region))
		return iamtok_fail(c,
		    "credential: region does not match the sts host");
	if (!span_eq(part[3], "sts"))
		return iamtok_fail(c, "credential: service must be sts");
	if (!span_eq(part[4], "aws4_request"))
		return iamtok_fail(c,
		    "credential: terminator must be aws4_request");
	memcpy(c->tok.akid, part[0].p, part[0].len);
	c->tok.akid[part[0].len] = '\0';
	return REG_OK;
}

/* Check 8: exactly host and the audience header, in canonical order. */
static enum reg_err
iamtok_signed_headers(struct iamtok_ctx *c)
{
	const char *aud = iamtok_audience(c->pol);
	char want[sizeof(c->tok.signed_headers)];

	if (strcmp("host", aud) < 0)
		(void)snprintf(want, sizeof(want), "host;%s", aud);
	else
		(void)snprintf(want, sizeof(want), "%s;host", aud);
	if (!span_eq(c->val[Q_SIGNED_HEADERS], want))
		return iamtok_fail(c,
		    "signedheaders must be exactly host and "
		    "the audience header");
	memcpy(c->tok.signed_headers, want, strlen(want) + 1);
	return REG_OK;
}

static int
iamtok_num(const char *p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/* Check 9: ^\d{8}T\d{6}Z$, a real UTC time, inside the window. */
static enum reg_err
iamtok_date(struct iamtok_ctx *c)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	struct span d = c->val[Q_DATE];
	const struct iamtok_policy *pol = c->pol;
	struct tm tm;
	int year, mon, day, dim;
	time_t t;

	if (d.len != 16 || !iamtok_digits(d.p, 8) || d.p[8] != 'T' ||
	    !iamtok_digits(d.p + 9, 6) || d.p[15] != 'Z')
		return iamtok_fail(c, "x-amz-date must be YYYYMMDDTHHMMSSZ");
	year = iamtok_num(d.p, 4);
	mon = iamtok_num(d.p + 4, 2);
	day = iamtok_num(d.p + 6, 2);
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = iamtok_num(d.p + 9, 2);
	tm.tm_min = iamtok_num(d.p + 11, 2);
	tm.tm_sec = iamtok_num(d.p + 13, 2);
	if (year < 1970 || mon < 1 || mon > 12)
		return iamtok_fail(c, "x-amz-date is not a valid time");
	dim = mdays[mon - 1];
	if (mon == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		dim = 29;
	if (day < 1 || day > dim || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		return iamtok_fail(c, "x-amz-date is not a valid time");
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	t = timegm(&tm);
	if (t == (time_t)-1 || t < 0)
		return iamtok_fail(c, "x-amz-date is not a valid time");
	/* now >= 0 and 0 <= t < 2^38: no overflow below */
	if ((int64_t)t < pol->now && pol->now - (int64_t)t > pol->max_age)
		return iamtok_fail(c, "x-amz-date too old");
	if ((int64_t)t > pol->now && (int64_t)t - pol->now > pol->max_future)
		return iamtok_fail(c, "x-amz-date in the future");
	memcpy(c->tok.amz_date, d.p, 16);
	c->tok.amz_date[16] = '\0';
	c->tok.date = (int64_t)t;
	return REG_OK;
}

/* Check 3, then 4 to 9, into c->tok. */
static enum reg_err
iamtok_token(struct iamtok_ctx *c, const char *tok, size_t len)
{
	static const char prefix[] = IAMTOK_PREFIX;
	const size_t plen = sizeof(prefix) - 1;
	size_t i;
	enum reg_err er;

	if (!iamtok_policy_valid(c->pol))
		return iamtok_fail(c, "policy: invalid");
	if (len > IAMTOK_MAX_TOKEN)
		return iamtok_fail(c, "token: longer than 4096 bytes");
	if (len < plen || memcmp(tok, prefix, plen) != 0)
		return iamtok_fail(c, "token: prefix must be k8s-aws-v1.");
	if (len == plen)
		return iamtok_fail(c, "token: empty payload");
	er = b64url_decode(tok + plen, len - plen, (unsigned char *)c->url,
	    sizeof(c->url), &c->urllen);
	if (er != REG_OK)
		return iamtok_fail(c, "token: payload is not strict base64url");
	for (i = 0; i < c->urllen; i++) {
		if (c->url[i] < 0x20 || c->url[i] > 0x7e)
			return iamtok_fail(c,
			    "token: url has control or non-ascii bytes");
	}
	er = iamtok_url(c);
	if (er == REG_OK)
		er = iamtok_values(c);
	if (er == REG_OK)
		er = iamtok_credential(c);
	if (er == REG_OK)
		er = iamtok_signed_headers(c);
	if (er == REG_OK)
		er = iamtok_date(c);
	return er;
}

static struct iamtok_ctx *
iamtok_ctx_new(const struct iamtok_policy *pol)
{
	struct iamtok_ctx *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->pol = pol;
	return c;
}

/* The URL may carry a session token: wipe the scratch copies. */
static void
iamtok_ctx_free(struct iamtok_ctx *c)
{
	if (c == NULL)
		return;
	cryptow_wipe(c, sizeof(*c));
	free(c);
}

enum reg_err
iamtok_parse_token(const char *tok, size_t len, const struct iamtok_policy *pol,
    struct iamtok *out, const char **why)
{
	struct iamtok_ctx *c = NULL;
	enum reg_err er;

	c = iamtok_ctx_new(pol);
	if (c == NULL) {
		er = REG_ENOMEM;
		if (why != NULL)
			*why = "out of memory";
		goto out;
	}
	er = iamtok_token(c, tok, len);
	if (er != REG_OK) {
		if (why != NULL)
			*why = c->why;
		goto out;
	}
	*out = c->tok;
out:
	iamtok_ctx_free(c);
	return er;
}

/*
 * Check 2's key set: "method" and "token" strings, optional positive
 * integer "expiration_seconds", nothing else.  Values are borrowed from
 * root.  Returns NULL or the reason.
 */
static const char *
iamtok_envelope(json_t *root, json_t **method, json_t **token,
    json_int_t *expsec)
{
	const char *key;
	json_t *val;

	json_object_foreach(root, key, val)
	{
		if (strcmp(key, "method") == 0) {
			if (!json_is_string(val))
				return "envelope: method must be a string";
			*method = val;
		} else if (strcmp(key, "token") == 0) {
			if (!json_is_string(val))
				return "envelope: token must be a string";
			*token = val;
		} else if (strcmp(key, "expiration_seconds") == 0) {
			if (!json_is_integer(val))
				return "envelope: expiration_seconds must be "
				       "an integer";
			*expsec = json_integer_value(val);
			if (*expsec <= 0)
				return "envelope: expiration_seconds must be "
				       "positive";
		} else {
			return "envelope: unknown key";
		}
	}
	if (*method == NULL)
		return "envelope: missing method";
	if (*token == NULL)
		return "envelope: missing token";
	return NULL;
}

/* Check 2, then checks 3 to 9 on the token. */
enum reg_err
iamtok_parse_body(const char *body, size_t len, const struct iamtok_policy *pol,
    struct iamtok *out, const char **why)
{
	json_t *root = NULL, *method = NULL, *token = NULL;
	json_int_t expsec = 0;
	json_error_t jerr;
	const char *w = NULL;
	struct iamtok tmp;
	enum reg_err er = REG_EINVAL;

	if (len > IAMTOK_MAX_BODY) {
		er = REG_ETOOBIG;
		w = "envelope: body over 8 KiB";
		goto out;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			er = REG_ENOMEM;
		w = er == REG_ENOMEM ? "out of memory"
		                     : "envelope: invalid json";
		goto out;
	}
	if (!json_is_object(root)) {
		w = "envelope: not a json object";
		goto out;
	}
	w = iamtok_envelope(root, &method, &token, &expsec);
	if (w == NULL &&
	    (json_string_length(method) != 7 ||
	        memcmp(json_string_value(method), "aws-iam", 7) != 0))
		w = "envelope: unsupported method";
	if (w != NULL)
		goto out;
	er = iamtok_parse_token(json_string_value(token),
	    json_string_length(token), pol, &tmp, &w);
	if (er != REG_OK)
		goto out;
	tmp.expiration_seconds = (int64_t)expsec;
	*out = tmp;
	cryptow_wipe(&tmp, sizeof(tmp));
out:
	json_decref(root);
	if (er != REG_OK && why != NULL)
		*why = w;
	return er;
}

enum reg_err
iamtok_outbound_url(const struct iamtok *t, struct buf *out)
{
	struct sigv4_param q[Q_N];
	char expires[8], cred[IAMTOK_AKID_MAX + 80];
	size_t n = 0, start = out->len;
	int k;
	enum reg_err er;

	if (t->endpoint == NULL || t->expires == 0 ||
	    t->expires > IAMTOK_MAX_EXPIRES)
		return REG_EINVAL;
	(void)snprintf(expires, sizeof(expires), "%u", t->expires);
	k = snprintf(cred, sizeof(cred), "%s/%.8s/%s/sts/aws4_request", t->akid,
	    t->amz_date, t->endpoint->region);
	if (k < 0 || (size_t)k >= sizeof(cred))
		return REG_EINVAL;
	q[n].name = span_cstr("Action");
	q[n++].value = span_cstr("GetCallerIdentity");
	q[n].name = span_cstr("Version");
	q[n++].value = span_cstr("2011-06-15");
	q[n].name = span_cstr("X-Amz-Algorithm");
	q[n++].value = span_cstr(SIGV4_ALGORITHM);
	q[n].name = span_cstr("X-Amz-Credential");
	q[n++].value = span_cstr(cred);
	q[n].name = span_cstr("X-Amz-Date");
	q[n++].value = span_cstr(t->amz_date);
	q[n].name = span_cstr("X-Amz-Expires");
	q[n++].value = span_cstr(expires);
	q[n].name = span_cstr("X-Amz-SignedHeaders");
	q[n++].value = span_cstr(t->signed_headers);
	if (t->has_session_token) {
		q[n].name = span_cstr("X-Amz-Security-Token");
		q[n++].value = span_cstr(t->session_token);
	}
	q[n].name = span_cstr("X-Amz-Signature");
	q[n++].value = span_cstr(t->signature);

	er = buf_printf(out, "https://%s/?", t->endpoint->host);
	if (er == REG_OK)
		er = sigv4_canonical_query(q, n, out);
	if (er != REG_OK && out->len > start) {
		out->len = start;
		out->p[start] = '\0';
	}
	return er;
}

enum reg_err
iamtok_replay_key(const struct iamtok *t, unsigned char key[CRYPTOW_SHA256_LEN])
{
	return cryptow_sha256(t->signature, strlen(t->signature), key);
}
