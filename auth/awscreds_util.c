/*
 * auth/awscreds_util.c: the small bounded parsers and checks of the
 * credential chain: URLs (endpoint overrides, container URIs), the
 * container host allow-list, ISO-8601 times, regions, the shape of
 * credentials, and the JSON credential documents of the container and
 * IMDS endpoints.
 *
 * Invariant: nothing here echoes a secret; messages name fields, not
 * values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "auth/awscreds_priv.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "common/num.h"

static bool
aws_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

static int
aws_num(const char *p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

static bool
aws_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Fraction and zone after "YYYY-MM-DDTHH:MM:SS": offset in seconds. */
static bool
aws_iso_zone(const char *p, size_t len, size_t i, int *off)
{
	size_t f = 0;
	int oh, om;

	if (i < len && p[i] == '.') {
		i++;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			i++;
			f++;
		}
		if (f == 0 || f > 9)
			return false;
	}
	if (i + 1 == len && (p[i] == 'Z' || p[i] == 'z')) {
		*off = 0;
		return true;
	}
	if (i + 6 != len || (p[i] != '+' && p[i] != '-') || p[i + 3] != ':' ||
	    !aws_digits(p + i + 1, 2) || !aws_digits(p + i + 4, 2))
		return false;
	oh = aws_num(p + i + 1, 2);
	om = aws_num(p + i + 4, 2);
	if (oh > 23 || om > 59)
		return false;
	*off = (oh * 3600 + om * 60) * (p[i] == '-' ? -1 : 1);
	return true;
}

enum reg_err
aws_iso8601_parse(const char *p, size_t len, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	struct tm tm;
	int y, mo, d, dim, off = 0;
	time_t t;

	if (p == NULL || len < 20 || len > 40)
		return REG_EINVAL;
	if (!aws_digits(p, 4) || p[4] != '-' || !aws_digits(p + 5, 2) ||
	    p[7] != '-' || !aws_digits(p + 8, 2) ||
	    (p[10] != 'T' && p[10] != 't') || !aws_digits(p + 11, 2) ||
	    p[13] != ':' || !aws_digits(p + 14, 2) || p[16] != ':' ||
	    !aws_digits(p + 17, 2))
		return REG_EINVAL;
	if (!aws_iso_zone(p, len, 19, &off))
		return REG_EINVAL;
	y = aws_num(p, 4);
	mo = aws_num(p + 5, 2);
	d = aws_num(p + 8, 2);
	if (y < 1970 || mo < 1 || mo > 12)
		return REG_EINVAL;
	dim = mdays[mo - 1] + (mo == 2 && aws_leap(y) ? 1 : 0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = aws_num(p + 11, 2);
	tm.tm_min = aws_num(p + 14, 2);
	tm.tm_sec = aws_num(p + 17, 2);
	if (d < 1 || d > dim || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		return REG_EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1 || (int64_t)t - off < 0)
		return REG_EINVAL;
	*out = (int64_t)t - off;
	return REG_OK;
}

static bool
aws_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static bool
aws_v6_char(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	    (c >= '0' && c <= '9') || c == ':' || c == '.';
}

static bool
aws_span_all(struct span s, bool (*ok)(char))
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (!ok(s.p[i]))
			return false;
	}
	return true;
}

/* After the host: "" or ":port". */
static bool
aws_url_port(struct span rest, unsigned *port)
{
	uint64_t v;

	if (rest.len == 0) {
		*port = 0;
		return true;
	}
	if (rest.p[0] != ':' || rest.len < 2 || rest.len > 6 ||
	    num_parse_u64(rest.p + 1, rest.len - 1, 1, 65535, &v) != REG_OK)
		return false;
	*port = (unsigned)v;
	return true;
}

static bool
aws_url_authority(struct span a, struct aws_url *t)
{
	struct span rest;
	const char *rb;

	if (a.len == 0 || memchr(a.p, '@', a.len) != NULL)
		return false;
	if (a.p[0] == '[') {
		rb = memchr(a.p, ']', a.len);
		if (rb == NULL)
			return false;
		t->ipv6 = true;
		t->host = span_make(a.p + 1, (size_t)(rb - a.p) - 1);
		rest = span_make(rb + 1, a.len - t->host.len - 2);
		if (t->host.len < 2 || t->host.len > 45 ||
		    !aws_span_all(t->host, aws_v6_char))
			return false;
	} else {
		const char *colon = memchr(a.p, ':', a.len);
		size_t hl = colon != NULL ? (size_t)(colon - a.p) : a.len;

		t->host = span_make(a.p, hl);
		rest = span_make(a.p + hl, a.len - hl);
		if (t->host.len == 0 || t->host.len > 253 ||
		    !aws_span_all(t->host, aws_host_char))
			return false;
	}
	return aws_url_port(rest, &t->port);
}

enum reg_err
aws_url_parse(const char *s, size_t len, struct aws_url *u)
{
	struct aws_url t;
	size_t i, a, e;
	unsigned dflt;

	memset(&t, 0, sizeof(t));
	if (s == NULL || len == 0 || len > AWS_URL_MAX)
		return REG_EINVAL;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f || s[i] == '#')
			return REG_EINVAL;
	}
	if (len > 8 && strncasecmp(s, "https://", 8) == 0) {
		t.https = true;
		a = 8;
	} else if (len > 7 && strncasecmp(s, "http://", 7) == 0) {
		a = 7;
	} else {
		return REG_EINVAL;
	}
	for (e = a; e < len && s[e] != '/' && s[e] != '?'; e++)
		;
	if (!aws_url_authority(span_make(s + a, e - a), &t))
		return REG_EINVAL;
	if (e < len && s[e] != '/')
		return REG_EINVAL; /* a query without a path */
	t.path = span_make(s + e, len - e);
	dflt = t.https ? 443 : 80;
	if (snprintf(t.hostport, sizeof(t.hostport), "%s%.*s%s",
	        t.ipv6 ? "[" : "", (int)t.host.len, t.host.p,
	        t.ipv6 ? "]" : "") >= (int)sizeof(t.hostport))
		return REG_EINVAL;
	if (t.port != 0 && t.port != dflt) {
		size_t n = strlen(t.hostport);

		(void)snprintf(t.hostport + n, sizeof(t.hostport) - n, ":%u",
		    t.port);
	}
	*u = t;
	return REG_OK;
}

/* Strict dotted quad: four 0..255 without leading zeros. */
static bool
aws_ipv4(struct span h, unsigned char out[4])
{
	struct span rest = h, part;
	size_t n = 0;
	bool more = true;
	uint64_t v;

	while (more) {
		more = span_split(&rest, '.', &part);
		if (n == 4 || part.len == 0 || part.len > 3 ||
		    (part.len > 1 && part.p[0] == '0') ||
		    num_parse_u64(part.p, part.len, 0, 255, &v) != REG_OK)
			return false;
		out[n++] = (unsigned char)v;
	}
	return n == 4;
}

static bool
aws_ipv6(struct span h, struct in6_addr *a)
{
	char tmp[64];

	if (h.len == 0 || h.len >= sizeof(tmp))
		return false;
	memcpy(tmp, h.p, h.len);
	tmp[h.len] = '\0';
	return inet_pton(AF_INET6, tmp, a) == 1;
}

bool
aws_url_loopback(const struct aws_url *u)
{
	unsigned char q[4];
	struct in6_addr a;

	if (u->ipv6)
		return aws_ipv6(u->host, &a) && IN6_IS_ADDR_LOOPBACK(&a);
	if (u->host.len == 9 && strncasecmp(u->host.p, "localhost", 9) == 0)
		return true;
	return aws_ipv4(u->host, q) && q[0] == 127;
}

bool
aws_container_uri_allowed(const char *url, size_t len, const char **why)
{
	static const unsigned char ecs[4] = { 169, 254, 170, 2 };
	static const unsigned char eks[4] = { 169, 254, 170, 23 };
	struct in6_addr a, eks6;
	unsigned char q[4];
	struct aws_url u;

	if (why != NULL)
		*why = "not an http(s) URL without user info";
	if (aws_url_parse(url, len, &u) != REG_OK)
		return false;
	if (u.https || aws_url_loopback(&u))
		return true;
	if (why != NULL)
		*why = "http is allowed only to loopback, 169.254.170.2, "
		       "169.254.170.23 or fd00:ec2::23";
	if (u.ipv6) {
		if (inet_pton(AF_INET6, "fd00:ec2::23", &eks6) != 1)
			return false;
		return aws_ipv6(u.host, &a) &&
		    memcmp(&a, &eks6, sizeof(a)) == 0;
	}
	return aws_ipv4(u.host, q) &&
	    (memcmp(q, ecs, 4) == 0 || memcmp(q, eks, 4) == 0);
}

bool
aws_region_ok(const char *r)
{
	size_t i, n;

	if (r == NULL)
		return false;
	n = strlen(r);
	if (n == 0 || n > AWS_REGION_MAX || r[0] == '-' || r[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (!((r[i] >= 'a' && r[i] <= 'z') ||
		        (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return false;
	}
	return true;
}

const char *
aws_partition_domain(const char *region)
{
	static const struct {
		const char *prefix, *domain;
	} tab[] = {
		{ "cn-", "amazonaws.com.cn" },
		{ "us-isob-", "sc2s.sgov.gov" },
		{ "us-isof-", "csp.hci.ic.gov" },
		{ "us-iso-", "c2s.ic.gov" },
		{ "eu-isoe-", "cloud.adc-e.uk" },
		{ "eusc-", "amazonaws.eu" },
	};
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		if (strncmp(region, tab[i].prefix, strlen(tab[i].prefix)) == 0)
			return tab[i].domain;
	}
	return "amazonaws.com";
}

bool
aws_copy(char *dst, size_t dstsz, const char *s, size_t len)
{
	if (len >= dstsz || (len > 0 && memchr(s, '\0', len) != NULL))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

static bool
aws_graph(const char *s, bool alnum_only)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (alnum_only
		        ? !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		              (c >= '0' && c <= '9'))
		        : (c < 0x21 || c > 0x7e))
			return false;
	}
	return true;
}

enum reg_err
aws_creds_check(struct aws_ctx *c, const struct aws_creds *cr, const char *what)
{
	if (cr->akid[0] == '\0' || !aws_graph(cr->akid, true))
		return aws_fail(c, REG_EINVAL,
		    "%s: the access key id is not 1..%d letters and digits",
		    what, AWS_AKID_MAX);
	if (cr->secret[0] == '\0' || !aws_graph(cr->secret, false))
		return aws_fail(c, REG_EINVAL,
		    "%s: the secret access key is not 1..%d printable "
		    "characters",
		    what, AWS_SECRET_MAX);
	if (!aws_graph(cr->session_token, false))
		return aws_fail(c, REG_EINVAL,
		    "%s: the session token has characters that are not "
		    "printable",
		    what);
	return REG_OK;
}

/* Wipe a jansson string in place (it held a secret) before decref. */
static void
aws_json_wipe(json_t *v)
{
	if (json_is_string(v))
		cryptow_wipe((void *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
}

static enum reg_err
aws_json_field(struct aws_ctx *c, json_t *root, const char *name, bool required,
    char *dst, size_t dstsz, const char *what)
{
	json_t *v = json_object_get(root, name);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return aws_fail(c, REG_EUPSTREAM,
			    "%s: the response has no %s", what, name);
		dst[0] = '\0';
		return REG_OK;
	}
	if (!json_is_string(v))
		return aws_fail(c, REG_EUPSTREAM,
		    "%s: %s in the response is not a string", what, name);
	if (!aws_copy(dst, dstsz, json_string_value(v), json_string_length(v)))
		return aws_fail(c, REG_EUPSTREAM,
		    "%s: %s in the response is too long or has a NUL", what,
		    name);
	return REG_OK;
}

enum reg_err
aws_creds_from_json(struct aws_ctx *c, const char *body, size_t len,
    const char *what, bool imds, struct aws_creds *out)
{
	static const char *const secret_keys[] = { "SecretAccessKey", "Token" };
	char code[64] = "", exp[64] = "";
	struct aws_creds cr;
	json_error_t jerr;
	json_t *root;
	enum reg_err er;
	size_t i;

	memset(&cr, 0, sizeof(cr));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		er = aws_fail(c, REG_EUPSTREAM,
		    "%s: the response is not a json object", what);
		goto out;
	}
	if (imds) {
		er = aws_json_field(c, root, "Code", true, code, sizeof(code),
		    what);
		if (er == REG_OK && strcmp(code, "Success") != 0) {
			char esc[80];

			er = aws_fail(c, REG_EUPSTREAM,
			    "%s: Code is %s, not Success", what,
			    log_escape(esc, sizeof(esc), code, strlen(code)));
		}
		if (er != REG_OK)
			goto out;
	}
	er = aws_json_field(c, root, "AccessKeyId", true, cr.akid,
	    sizeof(cr.akid), what);
	if (er == REG_OK)
		er = aws_json_field(c, root, "SecretAccessKey", true, cr.secret,
		    sizeof(cr.secret), what);
	if (er == REG_OK)
		er = aws_json_field(c, root, "Token", false, cr.session_token,
		    sizeof(cr.session_token), what);
	if (er == REG_OK)
		er = aws_json_field(c, root, "Expiration", false, exp,
		    sizeof(exp), what);
	if (er != REG_OK)
		goto out;
	if (exp[0] != '\0' &&
	    aws_iso8601_parse(exp, strlen(exp), &cr.expiration) != REG_OK) {
		er = aws_fail(c, REG_EUPSTREAM,
		    "%s: Expiration is not an ISO-8601 time", what);
		goto out;
	}
	er = aws_creds_check(c, &cr, what);
	if (er == REG_OK)
		*out = cr;
out:
	if (root != NULL) {
		for (i = 0; i < nitems(secret_keys); i++)
			aws_json_wipe(json_object_get(root, secret_keys[i]));
	}
	json_decref(root);
	aws_creds_clear(&cr);
	return er;
}

void
aws_sleep_ms(long ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

void
aws_fetch_release(struct fetch_req *req, struct fetch_resp *resp)
{
	size_t i;

	if (req != NULL) {
		for (i = 0; i < req->nheaders; i++) {
			char *h = (char *)(uintptr_t)req->headers[i];

			cryptow_wipe(h, strlen(h));
		}
		fetch_req_release(req);
	}
	if (resp != NULL) {
		if (resp->body.p != NULL)
			cryptow_wipe(resp->body.p, resp->body.len);
		fetch_resp_release(resp);
	}
}
