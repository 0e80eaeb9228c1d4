/*
 * admin-tools/oci_parse.c: the OCI client's bounded parsers for what a
 * registry sends (WWW-Authenticate challenges, error bodies, token
 * answers, upload Locations, Retry-After), the name and digest grammars,
 * and URL origins.
 *
 * Invariant: every parser reads only [p, p + len), needs no NUL, writes
 * its out-parameter only on success, and keeps nothing outside its
 * grammar: text meant for humans is escaped to printable ASCII.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "admin-tools/oci.h"
#include "admin-tools/oci_int.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "common/num.h"

void
oci_seterr(char *errbuf, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(errbuf, errsz, fmt, ap);
	va_end(ap);
}

void
oci_secret_free(char *s)
{
	if (s == NULL)
		return;
	cryptow_wipe(s, strlen(s));
	free(s);
}

/* ---- grammars --------------------------------------------------------- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

static bool
is_lower_hex(char c)
{
	return (c >= 'a' && c <= 'f') || is_digit(c);
}

bool
oci_digest_valid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len != 7 + CRYPTOW_SHA256_HEXLEN ||
	    memcmp(s, "sha256:", 7) != 0)
		return false;
	for (i = 7; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool
repo_component(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || !is_lower_alnum(s[0]))
		return false;
	while (i < len) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < len && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else {
			return false;
		}
		/* a separator is always followed by an alphanumeric */
		if (i >= len || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

bool
oci_repo_valid(const char *s, size_t len)
{
	size_t i, start = 0;

	if (s == NULL || len == 0 || len > OCI_REPO_MAX)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (!repo_component(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

bool
oci_tag_valid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > OCI_TAG_MAX)
		return false;
	if (!is_alpha(s[0]) && !is_digit(s[0]) && s[0] != '_')
		return false;
	for (i = 1; i < len; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* RFC 6838 restricted-name: first alnum, then alnum or !#$&-^_.+ */
static bool
media_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 127 || (!is_alpha(s[0]) && !is_digit(s[0])))
		return false;
	for (i = 1; i < len; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) &&
		    strchr("!#$&-^_.+", s[i]) == NULL)
			return false;
	return true;
}

bool
oci_media_valid(const char *s, size_t len)
{
	const char *slash;

	if (s == NULL || len == 0 || len > OCI_MEDIA_MAX)
		return false;
	slash = memchr(s, '/', len);
	if (slash == NULL)
		return false;
	return media_name(s, (size_t)(slash - s)) &&
	    media_name(slash + 1, len - (size_t)(slash - s) - 1);
}

/* ---- URLs ------------------------------------------------------------- */

/* 127.a.b.c with four decimal parts of at most three digits, <= 255 */
static bool
ipv4_loopback(const char *h, size_t n)
{
	size_t i = 0, part = 0;

	while (part < 4) {
		size_t s = i;
		uint64_t v;

		while (i < n && is_digit(h[i]))
			i++;
		if (i - s == 0 || i - s > 3 ||
		    num_parse_u64(h + s, i - s, 0, 255, &v) != REG_OK)
			return false;
		if (part == 0 && v != 127)
			return false;
		part++;
		if (part < 4) {
			if (i >= n || h[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

static bool
host_loopback(const char *h, size_t n)
{
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return true;
	if (n == 5 && memcmp(h, "[::1]", 5) == 0)
		return true;
	return ipv4_loopback(h, n);
}

/* Bytes 0x21-0x7e only, and no fragment. */
static bool
url_chars_ok(const char *u, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (u[i] < 0x21 || u[i] > 0x7e || u[i] == '#')
			return false;
	return true;
}

static bool
is_v6char(char c)
{
	return is_lower_hex(c) || (c >= 'A' && c <= 'F') || c == ':' ||
	    c == '.';
}

static bool
is_hostchar(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-';
}

/*
 * The authority u[hs, ae): a host ([IPv6] or name/IPv4) then an optional
 * ":port" (1-65535).  *he gets the end of the host.
 */
static bool
parse_authority(const char *u, size_t hs, size_t ae, size_t *he)
{
	size_t h = hs;
	uint64_t port;

	if (h < ae && u[h] == '[') {
		h++;
		while (h < ae && is_v6char(u[h]))
			h++;
		if (h >= ae || u[h] != ']' || h == hs + 1)
			return false;
		h++;
	} else {
		while (h < ae && is_hostchar(u[h]))
			h++;
		if (h == hs)
			return false;
	}
	if (h < ae &&
	    (u[h] != ':' || ae - h - 1 == 0 || ae - h - 1 > 5 ||
	        num_parse_u64(u + h + 1, ae - h - 1, 1, 65535, &port) !=
	            REG_OK))
		return false;
	*he = h;
	return true;
}

enum reg_err
oci_url_parse(const char *u, size_t len, struct oci_url *out)
{
	struct oci_url r;
	size_t hs, he, ae;

	if (u == NULL)
		return REG_EINVAL;
	if (len > OCI_URL_MAX)
		return REG_ETOOBIG;
	if (!url_chars_ok(u, len))
		return REG_EINVAL;
	if (len >= 8 && memcmp(u, "https://", 8) == 0) {
		r.https = true;
		hs = 8;
	} else if (len >= 7 && memcmp(u, "http://", 7) == 0) {
		r.https = false;
		hs = 7;
	} else {
		return REG_EINVAL;
	}
	ae = hs;
	while (ae < len && u[ae] != '/' && u[ae] != '?')
		ae++;
	if (!parse_authority(u, hs, ae, &he))
		return REG_EINVAL;
	r.loopback = host_loopback(u + hs, he - hs);
	r.origin_len = ae;
	*out = r;
	return REG_OK;
}

bool
oci_same_origin(const char *a, const char *b)
{
	struct oci_url ua, ub;

	if (oci_url_parse(a, strlen(a), &ua) != REG_OK ||
	    oci_url_parse(b, strlen(b), &ub) != REG_OK)
		return false;
	return ua.origin_len == ub.origin_len &&
	    memcmp(a, b, ua.origin_len) == 0;
}

/* A "." or ".." segment in the path part (before any '?') of s. */
static bool
has_dot_segment(const char *s, size_t len)
{
	size_t i, start = 0;
	const char *q = memchr(s, '?', len);

	if (q != NULL)
		len = (size_t)(q - s);
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			size_t n = i - start;

			if ((n == 1 && s[start] == '.') ||
			    (n == 2 && s[start] == '.' && s[start + 1] == '.'))
				return true;
			start = i + 1;
		}
	}
	return false;
}

/* Whether loc starts with a URI scheme ("x:" before any '/' or '?'). */
static bool
has_scheme(const char *loc, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (loc[i] == ':')
			return i > 0;
		if (loc[i] == '/' || loc[i] == '?')
			return false;
	}
	return false;
}

/* loc as an absolute URL: checked, never a downgrade from https. */
static enum reg_err
join_absolute(const struct oci_url *ru, const char *loc, size_t loclen,
    struct buf *b)
{
	struct oci_url lu;
	enum reg_err er;

	er = oci_url_parse(loc, loclen, &lu);
	if (er != REG_OK)
		return er;
	if (has_dot_segment(loc + lu.origin_len, loclen - lu.origin_len))
		return REG_EINVAL;
	if (ru->https && !lu.https)
		return REG_EPERM;
	return buf_add(b, loc, loclen);
}

/* loc as a path, absolute or relative to req_url's directory. */
static enum reg_err
join_path(const char *req_url, const struct oci_url *ru, const char *loc,
    size_t loclen, struct buf *b)
{
	const char *path = req_url + ru->origin_len;
	size_t plen = strcspn(path, "?");
	enum reg_err er;

	if (has_dot_segment(loc, loclen))
		return REG_EINVAL;
	er = buf_add(b, req_url, ru->origin_len);
	if (er != REG_OK || loc[0] != '/') {
		/* the request's directory: up to and including the last / */
		while (plen > 0 && path[plen - 1] != '/')
			plen--;
		if (er == REG_OK)
			er = plen > 0 ? buf_add(b, path, plen)
			              : buf_addc(b, '/');
	}
	if (er == REG_OK)
		er = buf_add(b, loc, loclen);
	return er;
}

enum reg_err
oci_location_join(const char *req_url, const char *loc, size_t loclen,
    const char *digest, char **out)
{
	struct oci_url ru;
	struct buf b;
	enum reg_err er = REG_EINVAL;

	buf_init(&b, OCI_URL_MAX);
	if (req_url == NULL || loc == NULL || loclen == 0)
		goto out;
	er = oci_url_parse(req_url, strlen(req_url), &ru);
	if (er != REG_OK)
		goto out;
	er = REG_EINVAL;
	if (loclen > OCI_URL_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	if (!url_chars_ok(loc, loclen) ||
	    (digest != NULL && !oci_digest_valid(digest, strlen(digest))))
		goto out;
	if (loclen >= 2 && loc[0] == '/' && loc[1] == '/')
		goto out; /* network-path reference: not from a registry */
	if (has_scheme(loc, loclen))
		er = join_absolute(&ru, loc, loclen, &b);
	else
		er = join_path(req_url, &ru, loc, loclen, &b);
	if (er == REG_OK && digest != NULL)
		er = buf_printf(&b, "%cdigest=sha256%%3A%s",
		    memchr(loc, '?', loclen) != NULL ? '&' : '?', digest + 7);
	if (er != REG_OK)
		goto out;
	*out = buf_steal(&b);
out:
	buf_release(&b);
	return er;
}

bool
oci_retry_after(const char *s, size_t len, unsigned int *secs)
{
	uint64_t v;

	if (s == NULL)
		return false;
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 5 ||
	    num_parse_u64(s, len, 0, 99999, &v) != REG_OK)
		return false;
	*secs = (unsigned int)v;
	return true;
}

/* ---- WWW-Authenticate ------------------------------------------------- */

struct cparse {
	const char *p;
	size_t len;
	size_t pos;
};

/* RFC 7230 tchar */
static bool
is_tchar(char c)
{
	return is_alpha(c) || is_digit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 token68 characters, before the trailing '=' */
static bool
is_t68(char c)
{
	return is_alpha(c) || is_digit(c) ||
	    (c != '\0' && strchr("-._~+/", c) != NULL);
}

static void
skip_ows(struct cparse *c)
{
	while (c->pos < c->len && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t'))
		c->pos++;
}

static size_t
scan_token(struct cparse *c)
{
	size_t s = c->pos;

	while (c->pos < c->len && is_tchar(c->p[c->pos]))
		c->pos++;
	return c->pos - s;
}

/* Append n bytes and a NUL to the pool; *off gets where they start. */
static enum reg_err
pool_add(struct oci_challenge *ch, const char *s, size_t n, bool lower,
    size_t *off)
{
	size_t i;

	if (n >= sizeof(ch->pool) - ch->used)
		return REG_ETOOBIG;
	*off = ch->used;
	for (i = 0; i < n; i++) {
		char b = s[i];

		if (lower && b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		ch->pool[ch->used++] = b;
	}
	ch->pool[ch->used++] = '\0';
	return REG_OK;
}

/* A quoted-string at c->pos (on the '"'), unescaped into the pool. */
static enum reg_err
parse_quoted(struct cparse *c, struct oci_challenge *ch, size_t *off,
    size_t *vlen)
{
	size_t start = ch->used, n = 0;

	c->pos++; /* the opening quote */
	for (;;) {
		unsigned char b;

		if (c->pos >= c->len)
			return REG_EINVAL; /* unterminated */
		b = (unsigned char)c->p[c->pos++];
		if (b == '"')
			break;
		if (b == '\\') {
			if (c->pos >= c->len)
				return REG_EINVAL;
			b = (unsigned char)c->p[c->pos++];
		}
		/* qdtext / quoted-pair without obs-text */
		if (b != '\t' && (b < 0x20 || b > 0x7e))
			return REG_EINVAL;
		if (n >= OCI_CHAL_VALUE_MAX)
			return REG_ETOOBIG;
		if (start + n + 1 >= sizeof(ch->pool))
			return REG_ETOOBIG;
		ch->pool[start + n++] = (char)b;
	}
	ch->pool[start + n] = '\0';
	ch->used = start + n + 1;
	*off = start;
	*vlen = n;
	return REG_OK;
}

/* name BWS "=" BWS (token / quoted-string) */
static enum reg_err
parse_param(struct cparse *c, struct oci_challenge *ch)
{
	size_t ns = c->pos, n, vs, vn, i, noff = 0, voff = 0;
	enum reg_err er;

	n = scan_token(c);
	if (n == 0)
		return REG_EINVAL;
	if (n > OCI_CHAL_NAME_MAX)
		return REG_ETOOBIG;
	skip_ows(c);
	if (c->pos >= c->len || c->p[c->pos] != '=')
		return REG_EINVAL;
	c->pos++;
	skip_ows(c);
	if (c->pos >= c->len)
		return REG_EINVAL;
	if (ch->nparams >= OCI_CHAL_PARAMS_MAX)
		return REG_ETOOBIG;
	for (i = 0; i < ch->nparams; i++) {
		const char *have = ch->pool + ch->param[i].name;

		if (strlen(have) == n && strncasecmp(have, c->p + ns, n) == 0)
			return REG_EINVAL; /* duplicate parameter */
	}
	er = pool_add(ch, c->p + ns, n, true, &noff);
	if (er != REG_OK)
		return er;
	if (c->p[c->pos] == '"') {
		er = parse_quoted(c, ch, &voff, &vn);
		if (er != REG_OK)
			return er;
	} else {
		vs = c->pos;
		vn = scan_token(c);
		if (vn == 0)
			return REG_EINVAL;
		if (vn > OCI_CHAL_VALUE_MAX)
			return REG_ETOOBIG;
		er = pool_add(ch, c->p + vs, vn, false, &voff);
		if (er != REG_OK)
			return er;
	}
	ch->param[ch->nparams].name = noff;
	ch->param[ch->nparams].value = voff;
	ch->param[ch->nparams].value_len = vn;
	ch->nparams++;
	return REG_OK;
}

/* token68 followed by OWS and the end or a comma: consumed, true. */
static bool
take_token68(struct cparse *c)
{
	size_t q = c->pos, r;

	while (q < c->len && is_t68(c->p[q]))
		q++;
	if (q == c->pos)
		return false;
	while (q < c->len && c->p[q] == '=')
		q++;
	r = q;
	while (r < c->len && (c->p[r] == ' ' || c->p[r] == '\t'))
		r++;
	if (r < c->len && c->p[r] != ',')
		return false;
	c->pos = q;
	return true;
}

/* Is the list element at c->pos an auth-param (token BWS "=")? */
static bool
next_is_param(const struct cparse *c)
{
	size_t q = c->pos;

	while (q < c->len && is_tchar(c->p[q]))
		q++;
	if (q == c->pos)
		return false;
	while (q < c->len && (c->p[q] == ' ' || c->p[q] == '\t'))
		q++;
	return q < c->len && c->p[q] == '=';
}

/* Skip commas and whitespace (list separators, empty elements). */
static void
skip_seps(struct cparse *c)
{
	while (c->pos < c->len &&
	    (c->p[c->pos] == ',' || c->p[c->pos] == ' ' ||
	        c->p[c->pos] == '\t'))
		c->pos++;
}

/*
 * #auth-param at c->pos into ch; stops at the end or on the comma before
 * an element that is not a parameter (the next challenge).
 */
static enum reg_err
parse_params(struct cparse *c, struct oci_challenge *ch)
{
	enum reg_err er;
	size_t save;

	for (;;) {
		er = parse_param(c, ch);
		if (er != REG_OK)
			return er;
		skip_ows(c);
		if (c->pos == c->len)
			return REG_OK;
		if (c->p[c->pos] != ',')
			return REG_EINVAL;
		/* another parameter, empty elements, or the next challenge */
		save = c->pos;
		skip_seps(c);
		if (c->pos == c->len)
			return REG_OK;
		if (!next_is_param(c)) {
			c->pos = save;
			return REG_OK;
		}
	}
}

/*
 * One challenge at c->pos into ch; stops at the end or on the comma
 * before the next challenge.
 */
static enum reg_err
parse_one(struct cparse *c, struct oci_challenge *ch)
{
	size_t s0 = c->pos, n;

	ch->scheme = OCI_SCHEME_NONE;
	ch->nparams = 0;
	ch->used = 0;
	n = scan_token(c);
	if (n == 0)
		return REG_EINVAL;
	if (n == 5 && strncasecmp(c->p + s0, "basic", 5) == 0)
		ch->scheme = OCI_SCHEME_BASIC;
	else if (n == 6 && strncasecmp(c->p + s0, "bearer", 6) == 0)
		ch->scheme = OCI_SCHEME_BEARER;
	if (c->pos == c->len || c->p[c->pos] == ',')
		return REG_OK;
	if (c->p[c->pos] != ' ')
		return REG_EINVAL; /* auth-scheme 1*SP ... */
	while (c->pos < c->len && c->p[c->pos] == ' ')
		c->pos++;
	if (c->pos == c->len || c->p[c->pos] == ',' || take_token68(c))
		return REG_OK;
	return parse_params(c, ch);
}

const char *
oci_challenge_get(const struct oci_challenge *ch, const char *name)
{
	size_t i;

	for (i = 0; i < ch->nparams && i < OCI_CHAL_PARAMS_MAX; i++)
		if (strcmp(ch->pool + ch->param[i].name, name) == 0)
			return ch->pool + ch->param[i].value;
	return NULL;
}

const char *
oci_challenge_name(const struct oci_challenge *ch, size_t i)
{
	if (i >= ch->nparams || i >= OCI_CHAL_PARAMS_MAX)
		return NULL;
	return ch->pool + ch->param[i].name;
}

const char *
oci_challenge_value(const struct oci_challenge *ch, size_t i)
{
	if (i >= ch->nparams || i >= OCI_CHAL_PARAMS_MAX)
		return NULL;
	return ch->pool + ch->param[i].value;
}

/*
 * Keep cur in best if it is the first Basic, or the first Bearer (which
 * must have a realm).  *have once best holds something.
 */
static enum reg_err
keep_best(const struct oci_challenge *cur, struct oci_challenge *best,
    bool *have)
{
	const char *realm;

	if (cur->scheme == OCI_SCHEME_BEARER) {
		realm = oci_challenge_get(cur, "realm");
		if (realm == NULL || realm[0] == '\0')
			return REG_EINVAL;
		if (!*have || best->scheme != OCI_SCHEME_BEARER) {
			memcpy(best, cur, sizeof(*best));
			*have = true;
		}
	} else if (cur->scheme == OCI_SCHEME_BASIC && !*have) {
		memcpy(best, cur, sizeof(*best));
		*have = true;
	}
	return REG_OK;
}

enum reg_err
oci_challenge_parse(const char *p, size_t len, struct oci_challenge *out)
{
	struct cparse c = { p, len, 0 };
	struct oci_challenge *cur = NULL, *best = NULL;
	bool have = false;
	enum reg_err er = REG_EINVAL;

	if (p == NULL)
		goto out;
	if (len > OCI_CHAL_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	cur = malloc(sizeof(*cur));
	best = malloc(sizeof(*best));
	if (cur == NULL || best == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	skip_seps(&c); /* leading empty list elements */
	if (c.pos == len)
		goto out; /* empty */
	while (c.pos < len) {
		er = parse_one(&c, cur);
		if (er == REG_OK)
			er = keep_best(cur, best, &have);
		if (er != REG_OK)
			goto out;
		er = REG_EINVAL;
		skip_ows(&c);
		if (c.pos < len && p[c.pos] != ',')
			goto out;
		skip_seps(&c);
	}
	er = REG_ENOENT;
	if (!have)
		goto out;
	memcpy(out, best, sizeof(*out));
	er = REG_OK;
out:
	free(cur);
	free(best);
	return er;
}

/* ---- JSON answers ----------------------------------------------------- */

static bool
errcode_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > OCI_ERRCODE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] >= 'A' && s[i] <= 'Z') && !is_digit(s[i]) &&
		    s[i] != '_')
			return false;
	return true;
}

enum reg_err
oci_errbody_parse(const char *p, size_t len, struct oci_regerr *out)
{
	struct oci_regerr r;
	json_error_t jerr;
	json_t *root = NULL, *errs, *e, *code, *msg, *det;
	char *dump = NULL;
	enum reg_err er = REG_EINVAL;

	if (p == NULL)
		goto out;
	if (len > OCI_ERRBODY_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	root = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		goto out;
	errs = json_object_get(root, "errors");
	if (!json_is_array(errs) || json_array_size(errs) == 0)
		goto out;
	e = json_array_get(errs, 0);
	code = json_object_get(e, "code");
	if (!json_is_string(code) ||
	    !errcode_valid(json_string_value(code), json_string_length(code)))
		goto out;
	memset(&r, 0, sizeof(r));
	r.nerrors = json_array_size(errs);
	memcpy(r.code, json_string_value(code), json_string_length(code));
	msg = json_object_get(e, "message");
	if (json_is_string(msg))
		(void)log_escape(r.message, sizeof(r.message),
		    json_string_value(msg), json_string_length(msg));
	else if (msg != NULL && !json_is_null(msg))
		goto out;
	det = json_object_get(e, "detail");
	if (json_is_string(det)) {
		(void)log_escape(r.detail, sizeof(r.detail),
		    json_string_value(det), json_string_length(det));
	} else if (det != NULL && !json_is_null(det)) {
		dump = json_dumps(det,
		    JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		if (dump == NULL) {
			er = REG_ENOMEM;
			goto out;
		}
		(void)log_escape(r.detail, sizeof(r.detail), dump,
		    strlen(dump));
	}
	*out = r;
	er = REG_OK;
out:
	free(dump);
	json_decref(root);
	return er;
}

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-._~+/" ) *"=" */
static bool
b64token_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_t68(s[i]))
		i++;
	if (i == 0)
		return false;
	while (i < n && s[i] == '=')
		i++;
	return i == n;
}

/* A string member that is present and not empty, or NULL. */
static enum reg_err
token_member(json_t *root, const char *key, json_t **out)
{
	json_t *v = json_object_get(root, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return REG_OK;
	if (!json_is_string(v))
		return REG_EINVAL;
	if (json_string_length(v) > 0)
		*out = v;
	return REG_OK;
}

enum reg_err
oci_token_parse(const char *p, size_t len, char **tok, int64_t *expires_in)
{
	json_error_t jerr;
	json_t *root = NULL, *t = NULL, *a = NULL, *ex;
	json_int_t ttl = OCI_TOKEN_TTL_DEFAULT;
	const char *s;
	size_t n;
	char *copy;
	enum reg_err er = REG_EINVAL;

	if (p == NULL)
		goto out;
	if (len > OCI_TOKENRESP_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	root = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root))
		goto out;
	if (token_member(root, "token", &t) != REG_OK ||
	    token_member(root, "access_token", &a) != REG_OK)
		goto out;
	if (t == NULL)
		t = a;
	if (t == NULL)
		goto out;
	ex = json_object_get(root, "expires_in");
	if (ex != NULL && !json_is_null(ex)) {
		if (!json_is_integer(ex) || json_integer_value(ex) <= 0)
			goto out;
		ttl = json_integer_value(ex);
	}
	s = json_string_value(t);
	n = json_string_length(t);
	if (n > OCI_TOKEN_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	if (!b64token_valid(s, n))
		goto out;
	copy = malloc(n + 1);
	if (copy == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	memcpy(copy, s, n);
	copy[n] = '\0';
	*tok = copy;
	*expires_in = (int64_t)ttl;
	er = REG_OK;
out:
	json_decref(root);
	return er;
}
