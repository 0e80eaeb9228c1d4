/*
 * admin-tools/oci_push.c: one push session against an OCI distribution
 * registry (provisioning.md section 6): GET /v2/ and the auth challenge,
 * Basic or Bearer (token endpoint) credentials, HEAD / mount / POST / PUT
 * per blob, PUT of the manifest, retries with backoff on 429 and 5xx
 * (Retry-After honoured), one token refresh on a later 401.
 *
 * Invariants: the Authorization header is only sent to the registry's
 * own origin (and the Basic credentials to the token realm it named);
 * every copy of a secret this file makes (the Basic value, the token,
 * the request's header copies) is wiped before it is freed; log lines and
 * messages hold a method, a URL path without its query, a status and the
 * registry's escaped error text, never a header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "admin-tools/oci.h"
#include "admin-tools/oci_int.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/log.h"
#include "common/span.h"

#define OCI_ATTEMPTS_DEFAULT 4
#define OCI_ATTEMPTS_MAX 10
#define OCI_BACKOFF_DEFAULT_MS 1000
#define OCI_BACKOFF_CAP_MS 20000
#define OCI_RETRY_AFTER_CAP 60 /* seconds */
#define OCI_TIMEOUT_DEFAULT 30000L
#define OCI_BLOB_TIMEOUT_DEFAULT 3600000L
#define OCI_SCOPES_MAX 8
#define OCI_SCOPE_MAX 512
#define OCI_TOKEN_SLACK 10 /* refresh this many seconds before expiry */
#define OCI_TOKEN_TTL_MAX INT64_C(31536000) /* one year */
#define OCI_USER_AGENT "honua-oci/1"

struct sess {
	const struct oci_push_opts *o;
	char origin[OCI_URL_MAX + 1]; /* the registry's, no trailing '/' */
	char *basic;                  /* "Basic <b64>": secret */
	char *bearer;                 /* "Bearer <token>": secret */
	bool use_basic;
	bool use_bearer;
	char *realm;
	char *service;
	char *scopes[OCI_SCOPES_MAX];
	size_t nscopes;
	struct timespec tok_expiry;
	unsigned int max_attempts;
	unsigned int hint_ms; /* Retry-After of the last retryable answer */
	char *err;
	size_t errsz;
};

struct call {
	const char *what; /* the step, for messages */
	const char *method;
	const char *url;
	const char *ctype;
	const void *body;
	size_t body_len;
	int fd; /* >= 0: stream the body from this file */
	uint64_t fd_len;
	long timeout_ms;
	bool retry; /* retry this very request on 429, 5xx, transport */
};

static void
call_init(struct call *c, const struct sess *s, const char *what,
    const char *method, const char *url)
{
	memset(c, 0, sizeof(*c));
	c->what = what;
	c->method = method;
	c->url = url;
	c->fd = -1;
	c->timeout_ms =
	    s->o->timeout_ms > 0 ? s->o->timeout_ms : OCI_TIMEOUT_DEFAULT;
	c->retry = true;
}

/* ---- small helpers ---------------------------------------------------- */

static void
mono_now(struct timespec *ts)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts, rem;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

static bool
retryable_status(long st)
{
	return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

/*
 * The value of header name (lower case) after *pos in resp, trimmed; a
 * span into resp->headers.  Call with *pos = 0 to start.
 */
static bool
hdr_next(const struct fetch_resp *resp, const char *name, size_t *pos,
    struct span *v)
{
	const char *b = resp->headers.p;
	size_t len = resp->headers.len, nl = strlen(name);

	while (b != NULL && *pos < len) {
		const char *line = b + *pos, *eol, *p;
		size_t ll, n;

		eol = memchr(line, '\n', len - *pos);
		ll = eol != NULL ? (size_t)(eol - line) : len - *pos;
		*pos += ll + 1;
		if (ll <= nl || strncasecmp(line, name, nl) != 0 ||
		    line[nl] != ':')
			continue;
		p = line + nl + 1;
		n = ll - nl - 1;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 &&
		    (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		v->p = p;
		v->len = n;
		return true;
	}
	return false;
}

static bool
hdr_first(const struct fetch_resp *resp, const char *name, struct span *v)
{
	size_t pos = 0;

	return hdr_next(resp, name, &pos, v);
}

/* Append s percent-encoded (RFC 3986 unreserved kept). */
static enum reg_err
add_pct(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum reg_err er = REG_OK;

	for (; *s != '\0' && er == REG_OK; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			er = buf_addc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			er = buf_add(b, e, 3);
		}
	}
	return er;
}

/* "METHOD path STATUS": the path without query; origin only if foreign. */
static void
sess_log(const struct sess *s, const char *method, const char *url, long status,
    const char *terr)
{
	struct oci_url u;
	char line[600], path[400], tmp[160];
	size_t plen;

	if (s->o->log == NULL)
		return;
	if (oci_url_parse(url, strlen(url), &u) != REG_OK) {
		(void)snprintf(path, sizeof(path), "(bad url)");
	} else {
		plen = strcspn(url, "?");
		if (oci_same_origin(url, s->origin))
			(void)log_escape(path, sizeof(path), url + u.origin_len,
			    plen - u.origin_len);
		else
			(void)log_escape(path, sizeof(path), url, plen);
	}
	if (terr != NULL)
		(void)snprintf(line, sizeof(line), "%s %s error: %s", method,
		    path, log_escape(tmp, sizeof(tmp), terr, strlen(terr)));
	else
		(void)snprintf(line, sizeof(line), "%s %s %ld", method, path,
		    status);
	s->o->log(s->o->log_arg, line);
}

/* fetch_req_release, after wiping the header copies (Authorization). */
static void
req_release_wipe(struct fetch_req *req)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		char *h = (char *)(uintptr_t)req->headers[i];

		cryptow_wipe(h, strlen(h));
	}
	fetch_req_release(req);
}

/* ---- errors ----------------------------------------------------------- */

static enum reg_err
status_err(long st)
{
	switch (st) {
	case 401:
		return REG_EAUTH;
	case 403:
		return REG_EPERM;
	case 404:
		return REG_ENOENT;
	case 413:
		return REG_ETOOBIG;
	case 415:
		return REG_EMEDIA;
	default:
		return st == 429 || st >= 500 ? REG_EUPSTREAM : REG_EUNPROC;
	}
}

/*
 * "<what>: <who> answered <status>[ CODE][: message][ (detail)][; hint]"
 * from resp; returns the code for that status.
 */
static enum reg_err
sess_fail(struct sess *s, const char *what, const char *who,
    const struct fetch_resp *resp)
{
	struct oci_regerr re;
	struct oci_challenge *ch = NULL;
	char text[OCI_ERRCODE_MAX + OCI_ERRMSG_MAX + 8];
	char extra[OCI_ERRMSG_MAX + 96], tmp[80];
	const char *hint = "";
	struct span v;

	text[0] = '\0';
	extra[0] = '\0';
	if (oci_errbody_parse(resp->body.p, resp->body.len, &re) == REG_OK) {
		(void)snprintf(text, sizeof(text), " %s%s%s", re.code,
		    re.message[0] != '\0' ? ": " : "", re.message);
		if (re.detail[0] != '\0' && strcmp(re.detail, "{}") != 0 &&
		    strcmp(re.detail, "[]") != 0)
			(void)snprintf(extra, sizeof(extra), " (detail %s)",
			    re.detail);
	} else if (resp->body.len > 0) {
		size_t n = strcspn(buf_cstr(&resp->body), "\r\n");

		if (n > 120)
			n = 120;
		(void)log_escape(tmp, sizeof(tmp), resp->body.p, n);
		if (tmp[0] != '\0')
			(void)snprintf(text, sizeof(text), ": %s", tmp);
	}
	if (resp->status == 401) {
		hint = s->o->creds != NULL && s->o->creds->username != NULL
		    ? "; check the username and password"
		    : "; the registry requires credentials";
		ch = malloc(sizeof(*ch));
		if (ch != NULL && hdr_first(resp, "www-authenticate", &v) &&
		    oci_challenge_parse(v.p, v.len, ch) == REG_OK &&
		    oci_challenge_get(ch, "error") != NULL) {
			const char *e = oci_challenge_get(ch, "error");

			(void)snprintf(extra + strlen(extra),
			    sizeof(extra) - strlen(extra), " (error=%s)",
			    log_escape(tmp, sizeof(tmp), e, strlen(e)));
			if (strcmp(e, "insufficient_scope") == 0)
				hint =
				    "; the credentials do not grant pull,push "
				    "on this repository";
		}
	}
	free(ch);
	oci_seterr(s->err, s->errsz, "%s: %s answered %ld%s%s%s", what, who,
	    resp->status, text, extra, hint);
	return status_err(resp->status);
}

/* ---- requests --------------------------------------------------------- */

static unsigned int
backoff_ms(const struct sess *s, unsigned int attempt)
{
	unsigned int base =
	    s->o->backoff_ms > 0 ? s->o->backoff_ms : OCI_BACKOFF_DEFAULT_MS;
	unsigned long long ms = base;
	unsigned int r = 0, i;

	for (i = 1; i < attempt && ms < OCI_BACKOFF_CAP_MS; i++)
		ms *= 2;
	if (ms > OCI_BACKOFF_CAP_MS)
		ms = OCI_BACKOFF_CAP_MS;
	/* "equal jitter": between half and all of the step */
	if (cryptow_random(&r, sizeof(r)) != REG_OK)
		r = 0;
	return (unsigned int)(ms / 2 + (ms / 2 > 0 ? r % (ms / 2 + 1) : 0));
}

/* Retry-After of resp in ms (capped), or 0. */
static unsigned int
retry_after_ms(const struct fetch_resp *resp)
{
	unsigned int secs;
	struct span v;

	if (!hdr_first(resp, "retry-after", &v) ||
	    !oci_retry_after(v.p, v.len, &secs))
		return 0;
	if (secs > OCI_RETRY_AFTER_CAP)
		secs = OCI_RETRY_AFTER_CAP;
	return secs * 1000;
}

/* One request; auth is an Authorization value or NULL. */
static enum reg_err
raw_once(struct sess *s, const struct call *c, const char *auth,
    struct fetch_resp *resp, char *terr, size_t terrsz)
{
	struct fetch_req req;
	struct oci_url u;
	enum reg_err er;

	fetch_req_init(&req);
	er = oci_url_parse(c->url, strlen(c->url), &u);
	if (er != REG_OK) {
		(void)snprintf(terr, terrsz, "malformed URL");
		goto out;
	}
	if (!u.https && !u.loopback) {
		er = REG_EPERM;
		(void)snprintf(terr, terrsz,
		    "plain http to a non-loopback host");
		goto out;
	}
	req.method = c->method;
	req.url = c->url;
	req.ca_file = s->o->ca_file;
	req.allow_http = !u.https && u.loopback;
	req.timeout_ms = c->timeout_ms;
	req.quiet = true;
	req.max_body = (size_t)1 << 20;
	if (c->fd >= 0) {
		req.body_fd = c->fd;
		req.body_fd_len = c->fd_len;
	} else if (c->body != NULL) {
		req.body = c->body;
		req.body_len = c->body_len;
	}
	er = fetch_req_header(&req, "User-Agent", OCI_USER_AGENT);
	if (er == REG_OK && c->ctype != NULL)
		er = fetch_req_header(&req, "Content-Type", c->ctype);
	if (er == REG_OK && auth != NULL)
		er = fetch_req_header(&req, "Authorization", auth);
	if (er != REG_OK) {
		(void)snprintf(terr, terrsz, "%s", reg_err_str(er));
		goto out;
	}
	er = fetch_do(&req, resp, terr, terrsz);
	sess_log(s, c->method, c->url, resp->status,
	    er != REG_OK ? terr : NULL);
out:
	req_release_wipe(&req);
	return er;
}

/*
 * Send c, repeating it on transport errors and retryable statuses when
 * c->retry, up to max_attempts.  REG_OK with any final status.
 */
static enum reg_err
raw_attempts(struct sess *s, const struct call *c, const char *auth,
    struct fetch_resp *resp)
{
	char terr[256], tmp[300];
	unsigned int attempt, ms;
	enum reg_err er;

	s->hint_ms = 0;
	for (attempt = 1;; attempt++) {
		terr[0] = '\0';
		er = raw_once(s, c, auth, resp, terr, sizeof(terr));
		if (er == REG_OK && !retryable_status(resp->status))
			return REG_OK;
		if (er == REG_OK)
			s->hint_ms = retry_after_ms(resp);
		if (!c->retry || attempt >= s->max_attempts ||
		    (er != REG_OK && er != REG_EUPSTREAM)) {
			if (er != REG_OK)
				oci_seterr(s->err, s->errsz, "%s: %s", c->what,
				    log_escape(tmp, sizeof(tmp), terr,
				        strlen(terr)));
			return er;
		}
		ms = s->hint_ms > 0 ? s->hint_ms : backoff_ms(s, attempt);
		sleep_ms(ms);
	}
}

static const char *
auth_for(const struct sess *s, const char *url)
{
	if (!oci_same_origin(url, s->origin))
		return NULL;
	if (s->use_bearer)
		return s->bearer;
	if (s->use_basic)
		return s->basic;
	return NULL;
}

/* ---- Bearer tokens ---------------------------------------------------- */

static bool
scope_valid(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > OCI_SCOPE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
			return false;
	return true;
}

/* Add a scope unless present; silently ignored beyond OCI_SCOPES_MAX. */
static enum reg_err
scope_add(struct sess *s, const char *p, size_t n)
{
	size_t i;

	if (!scope_valid(p, n))
		return REG_EINVAL;
	for (i = 0; i < s->nscopes; i++)
		if (strlen(s->scopes[i]) == n &&
		    memcmp(s->scopes[i], p, n) == 0)
			return REG_OK;
	if (s->nscopes >= OCI_SCOPES_MAX)
		return REG_OK;
	s->scopes[s->nscopes] = strndup(p, n);
	if (s->scopes[s->nscopes] == NULL)
		return REG_ENOMEM;
	s->nscopes++;
	return REG_OK;
}

/* GET realm?service=..&scope=..: a new Bearer value for every scope. */
static enum reg_err
token_fetch(struct sess *s)
{
	struct fetch_resp resp;
	struct buf url;
	struct call c;
	struct timespec now;
	char *tok = NULL, *val = NULL;
	int64_t ttl = 0;
	enum reg_err er;
	size_t i, n;
	bool first;

	fetch_resp_init(&resp);
	buf_init(&url, OCI_URL_MAX);
	first = strchr(s->realm, '?') == NULL;
	er = buf_adds(&url, s->realm);
	if (er == REG_OK && s->service != NULL) {
		er = buf_adds(&url, first ? "?service=" : "&service=");
		first = false;
		if (er == REG_OK)
			er = add_pct(&url, s->service);
	}
	for (i = 0; er == REG_OK && i < s->nscopes; i++) {
		er = buf_adds(&url, first ? "?scope=" : "&scope=");
		first = false;
		if (er == REG_OK)
			er = add_pct(&url, s->scopes[i]);
	}
	if (er != REG_OK) {
		oci_seterr(s->err, s->errsz, "token request: URL too long");
		goto out;
	}
	call_init(&c, s, "token request", "GET", buf_cstr(&url));
	er = raw_attempts(s, &c, s->basic, &resp);
	if (er != REG_OK)
		goto out;
	if (resp.status != 200) {
		er = sess_fail(s, "token request", "token endpoint", &resp);
		goto out;
	}
	er = oci_token_parse(resp.body.p, resp.body.len, &tok, &ttl);
	if (er != REG_OK) {
		oci_seterr(s->err, s->errsz,
		    "token request: the answer holds no usable token (%s)",
		    reg_err_str(er));
		er = REG_EUPSTREAM;
		goto out;
	}
	n = strlen(tok) + 8;
	val = malloc(n);
	if (val == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	(void)snprintf(val, n, "Bearer %s", tok);
	oci_secret_free(s->bearer);
	s->bearer = val;
	val = NULL;
	s->use_bearer = true;
	mono_now(&now);
	if (ttl > OCI_TOKEN_SLACK + 1)
		ttl -= OCI_TOKEN_SLACK;
	if (ttl > OCI_TOKEN_TTL_MAX)
		ttl = OCI_TOKEN_TTL_MAX;
	s->tok_expiry = now;
	s->tok_expiry.tv_sec += (time_t)ttl;
out:
	oci_secret_free(tok);
	oci_secret_free(val);
	/* the body held the token */
	if (resp.body.p != NULL)
		cryptow_wipe(resp.body.p, resp.body.len);
	fetch_resp_release(&resp);
	buf_release(&url);
	return er;
}

static bool
token_expired(const struct sess *s)
{
	struct timespec now;

	mono_now(&now);
	return now.tv_sec > s->tok_expiry.tv_sec ||
	    (now.tv_sec == s->tok_expiry.tv_sec &&
	        now.tv_nsec >= s->tok_expiry.tv_nsec);
}

/* The repository scopes this push needs, always asked for. */
static enum reg_err
default_scopes(struct sess *s)
{
	char sc[OCI_REPO_MAX + 32];
	enum reg_err er;

	(void)snprintf(sc, sizeof(sc), "repository:%s:pull,push",
	    s->o->repository);
	er = scope_add(s, sc, strlen(sc));
	if (er == REG_OK && s->o->mount_from != NULL &&
	    strcmp(s->o->mount_from, s->o->repository) != 0) {
		(void)snprintf(sc, sizeof(sc), "repository:%s:pull",
		    s->o->mount_from);
		er = scope_add(s, sc, strlen(sc));
	}
	return er;
}

/* Set up Bearer from challenge ch and fetch a token. */
static enum reg_err
bearer_setup(struct sess *s, const struct oci_challenge *ch)
{
	const char *realm = oci_challenge_get(ch, "realm");
	const char *service = oci_challenge_get(ch, "service");
	const char *scope = oci_challenge_get(ch, "scope");
	struct oci_url ru, rg;
	enum reg_err er;

	er = oci_url_parse(realm, strlen(realm), &ru);
	if (er != REG_OK || (!ru.https && !ru.loopback) ||
	    oci_url_parse(s->origin, strlen(s->origin), &rg) != REG_OK ||
	    (rg.https && !ru.https && !ru.loopback)) {
		oci_seterr(s->err, s->errsz,
		    "authenticate: the Bearer realm is not an https URL");
		return REG_EAUTH;
	}
	free(s->realm);
	free(s->service);
	s->service = NULL;
	s->realm = strdup(realm);
	if (s->realm == NULL)
		return REG_ENOMEM;
	if (service != NULL) {
		s->service = strdup(service);
		if (s->service == NULL)
			return REG_ENOMEM;
	}
	er = default_scopes(s);
	if (scope == NULL)
		scope = "";
	while (er == REG_OK && *scope != '\0') {
		size_t n = strcspn(scope, " ");

		if (n > 0)
			er = scope_add(s, scope, n);
		scope += n;
		while (*scope == ' ')
			scope++;
	}
	if (er == REG_EINVAL) {
		oci_seterr(s->err, s->errsz,
		    "authenticate: the challenge's scope is malformed");
		return REG_EAUTH;
	}
	if (er != REG_OK)
		return er;
	return token_fetch(s);
}

/*
 * A 401 from the registry: pick up its challenge.  *changed when the
 * request is worth repeating with the new credentials.
 */
static enum reg_err
handle_challenge(struct sess *s, const struct fetch_resp *resp, bool *changed)
{
	struct oci_challenge *ch = NULL, *best = NULL;
	size_t pos = 0;
	struct span v;
	enum reg_err er = REG_OK;

	*changed = false;
	ch = malloc(sizeof(*ch));
	best = malloc(sizeof(*best));
	if (ch == NULL || best == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	best->scheme = OCI_SCHEME_NONE;
	while (hdr_next(resp, "www-authenticate", &pos, &v)) {
		er = oci_challenge_parse(v.p, v.len, ch);
		if (er == REG_ENOENT)
			continue; /* a scheme we do not speak */
		if (er != REG_OK) {
			oci_seterr(s->err, s->errsz,
			    "authenticate: malformed WWW-Authenticate (%s)",
			    reg_err_str(er));
			er = REG_EAUTH;
			goto out;
		}
		if (ch->scheme == OCI_SCHEME_BEARER ||
		    best->scheme == OCI_SCHEME_NONE)
			memcpy(best, ch, sizeof(*best));
		if (best->scheme == OCI_SCHEME_BEARER)
			break;
	}
	er = REG_OK;
	if (best->scheme == OCI_SCHEME_BASIC) {
		if (s->basic == NULL || s->use_basic)
			goto out; /* nothing to add: the 401 stands */
		s->use_basic = true;
		*changed = true;
	} else if (best->scheme == OCI_SCHEME_BEARER) {
		er = bearer_setup(s, best);
		if (er == REG_OK)
			*changed = true;
	}
out:
	free(ch);
	free(best);
	return er;
}

/*
 * Send c to the registry with the current credentials: refresh an
 * expired token first, and on a 401 take up its challenge and repeat
 * once.  REG_OK with any final status (the caller judges it).
 */
static enum reg_err
sess_do(struct sess *s, const struct call *c, struct fetch_resp *resp)
{
	bool reauthed = false, changed;
	enum reg_err er;

	for (;;) {
		if (s->use_bearer && token_expired(s)) {
			er = token_fetch(s);
			if (er != REG_OK)
				return er;
		}
		er = raw_attempts(s, c, auth_for(s, c->url), resp);
		if (er != REG_OK || resp->status != 401 || reauthed ||
		    !oci_same_origin(c->url, s->origin))
			return er;
		er = handle_challenge(s, resp, &changed);
		if (er != REG_OK || !changed)
			return er;
		reauthed = true;
	}
}

/* ---- the push --------------------------------------------------------- */

static enum reg_err
sess_login(struct sess *s)
{
	struct fetch_resp resp;
	struct call c;
	char url[OCI_URL_MAX + 8];
	enum reg_err er;

	fetch_resp_init(&resp);
	(void)snprintf(url, sizeof(url), "%s/v2/", s->origin);
	call_init(&c, s, "authenticate", "GET", url);
	er = sess_do(s, &c, &resp);
	if (er != REG_OK)
		goto out;
	if (resp.status != 200) {
		er = sess_fail(s, "authenticate", "registry", &resp);
		goto out;
	}
out:
	fetch_resp_release(&resp);
	return er;
}

/* The registry's Docker-Content-Digest, when sent, must be want. */
static enum reg_err
check_digest_hdr(struct sess *s, const char *what,
    const struct fetch_resp *resp, const char *want)
{
	char tmp[100];
	struct span v;

	if (!hdr_first(resp, "docker-content-digest", &v))
		return REG_OK;
	if (v.len == strlen(want) && memcmp(v.p, want, v.len) == 0)
		return REG_OK;
	oci_seterr(s->err, s->errsz,
	    "%s: registry reports digest %s, expected %s", what,
	    log_escape(tmp, sizeof(tmp), v.p, v.len), want);
	return REG_EUNPROC;
}

static enum reg_err
blob_url(const struct sess *s, const char *digest, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/v2/%s/blobs/%s", s->origin,
	    s->o->repository, digest);

	return n < 0 || (size_t)n >= outsz ? REG_ETOOBIG : REG_OK;
}

/*
 * Start an upload: POST .../blobs/uploads/, with ?mount=&from= when
 * mounting.  REG_OK with resp 202 (a session: its Location) or, when
 * mounting, 201 (done).  post (size postsz) gets the URL used.
 */
static enum reg_err
upload_start(struct sess *s, const struct oci_desc *d, const char *what,
    char *post, size_t postsz, struct fetch_resp *resp, bool *retry)
{
	bool mount = s->o->mount_from != NULL &&
	    strcmp(s->o->mount_from, s->o->repository) != 0;
	struct call c;
	enum reg_err er;
	int n;

	if (mount)
		n = snprintf(post, postsz,
		    "%s/v2/%s/blobs/uploads/?mount=%s&from=%s", s->origin,
		    s->o->repository, d->digest, s->o->mount_from);
	else
		n = snprintf(post, postsz, "%s/v2/%s/blobs/uploads/", s->origin,
		    s->o->repository);
	if (n < 0 || (size_t)n >= postsz)
		return REG_ETOOBIG;
	call_init(&c, s, what, "POST", post);
	er = sess_do(s, &c, resp);
	if (er != REG_OK)
		return er;
	if (resp->status == 202 || (mount && resp->status == 201))
		return REG_OK;
	*retry = retryable_status(resp->status);
	return sess_fail(s, what, "registry", resp);
}

/* The monolithic PUT of the blob into the session resp (202) started. */
static enum reg_err
upload_put(struct sess *s, const struct oci_image *img,
    const struct oci_desc *d, const char *what, const char *post,
    struct fetch_resp *resp, bool *retry)
{
	struct call c;
	struct span loc;
	char *put = NULL;
	enum reg_err er;
	int fd = -1;

	if (!hdr_first(resp, "location", &loc)) {
		er = REG_EUNPROC;
		oci_seterr(s->err, s->errsz,
		    "%s: registry answered 202 without a Location", what);
		goto out;
	}
	er = oci_location_join(post, loc.p, loc.len, d->digest, &put);
	if (er != REG_OK) {
		oci_seterr(s->err, s->errsz,
		    "%s: unusable upload Location (%s)", what, reg_err_str(er));
		er = REG_EUNPROC;
		goto out;
	}
	er = oci_image_blob_open(img, d, &fd);
	if (er != REG_OK) {
		oci_seterr(s->err, s->errsz, "%s: the blob file changed (%s)",
		    what, reg_err_str(er));
		goto out;
	}
	call_init(&c, s, what, "PUT", put);
	c.ctype = "application/octet-stream";
	c.fd = fd;
	c.fd_len = d->size;
	c.retry = false; /* a failed upload starts over with a new session */
	c.timeout_ms = s->o->blob_timeout_ms > 0 ? s->o->blob_timeout_ms
	                                         : OCI_BLOB_TIMEOUT_DEFAULT;
	er = sess_do(s, &c, resp);
	if (er != REG_OK) {
		*retry = er == REG_EUPSTREAM;
		goto out;
	}
	if (resp->status != 201) {
		*retry = retryable_status(resp->status);
		er = sess_fail(s, what, "registry", resp);
		goto out;
	}
	er = check_digest_hdr(s, what, resp, d->digest);
out:
	if (fd >= 0)
		(void)close(fd);
	free(put);
	return er;
}

/*
 * One upload attempt: mount or POST, then the monolithic PUT.  *retry
 * when the failure is worth a fresh attempt (429, 5xx, transport).
 */
static enum reg_err
upload_blob(struct sess *s, const struct oci_image *img,
    const struct oci_desc *d, const char *what, bool *retry)
{
	struct fetch_resp resp;
	char post[OCI_URL_MAX + 2 * OCI_REPO_MAX + 128];
	enum reg_err er;

	*retry = false;
	fetch_resp_init(&resp);
	er = upload_start(s, d, what, post, sizeof(post), &resp, retry);
	if (er == REG_OK && resp.status == 201)
		er = check_digest_hdr(s, what, &resp, d->digest); /* mounted */
	else if (er == REG_OK)
		er = upload_put(s, img, d, what, post, &resp, retry);
	fetch_resp_release(&resp);
	return er;
}

static enum reg_err
push_blob(struct sess *s, const struct oci_image *img, const struct oci_desc *d,
    const char *what)
{
	struct fetch_resp resp;
	struct call c;
	char url[OCI_URL_MAX + OCI_REPO_MAX + 128];
	unsigned int attempt;
	enum reg_err er;
	bool retry;

	fetch_resp_init(&resp);
	er = blob_url(s, d->digest, url, sizeof(url));
	if (er != REG_OK)
		goto out;
	call_init(&c, s, what, "HEAD", url);
	er = sess_do(s, &c, &resp);
	if (er != REG_OK)
		goto out;
	if (resp.status == 200)
		goto out; /* already there */
	if (resp.status != 404) {
		er = sess_fail(s, what, "registry", &resp);
		goto out;
	}
	for (attempt = 1;; attempt++) {
		er = upload_blob(s, img, d, what, &retry);
		if (er == REG_OK || !retry || attempt >= s->max_attempts)
			break;
		sleep_ms(s->hint_ms > 0 ? s->hint_ms : backoff_ms(s, attempt));
	}
out:
	fetch_resp_release(&resp);
	return er;
}

static enum reg_err
put_manifest(struct sess *s, const struct oci_image *img,
    char digest[OCI_DIGEST_SIZE])
{
	struct fetch_resp resp;
	struct call c;
	char url[OCI_URL_MAX + OCI_REPO_MAX + OCI_TAG_MAX + 32];
	char want[OCI_DIGEST_SIZE], hex[CRYPTOW_SHA256_HEXLEN + 1];
	char what[OCI_REPO_MAX + OCI_TAG_MAX + 32];
	enum reg_err er;
	int n;

	fetch_resp_init(&resp);
	er = cryptow_sha256_hex(img->manifest_bytes, img->manifest_len, hex);
	if (er != REG_OK)
		goto out;
	(void)snprintf(want, sizeof(want), "sha256:%s", hex);
	(void)snprintf(what, sizeof(what), "put manifest %s:%s",
	    s->o->repository, s->o->tag);
	n = snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", s->origin,
	    s->o->repository, s->o->tag);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		er = REG_ETOOBIG;
		goto out;
	}
	call_init(&c, s, what, "PUT", url);
	c.ctype = img->manifest.media_type;
	c.body = img->manifest_bytes;
	c.body_len = img->manifest_len;
	er = sess_do(s, &c, &resp);
	if (er != REG_OK)
		goto out;
	if (resp.status != 201) {
		er = sess_fail(s, what, "registry", &resp);
		goto out;
	}
	er = check_digest_hdr(s, what, &resp, want);
	if (er != REG_OK)
		goto out;
	memcpy(digest, want, OCI_DIGEST_SIZE);
out:
	fetch_resp_release(&resp);
	return er;
}

void
oci_push_opts_init(struct oci_push_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* "Basic base64(user:password)" into *out (new, secret). */
static enum reg_err
basic_make(const struct oci_creds *cr, char **out, char *errbuf, size_t errsz)
{
	size_t ul = strlen(cr->username), pl, i;
	char *plain, *val;

	if (cr->password == NULL || ul == 0 ||
	    strchr(cr->username, ':') != NULL) {
		oci_seterr(errbuf, errsz,
		    "credentials need a username without ':' and a password");
		return REG_EINVAL;
	}
	for (i = 0; i < ul; i++)
		if ((unsigned char)cr->username[i] < 0x20 ||
		    cr->username[i] == 0x7f) {
			oci_seterr(errbuf, errsz,
			    "username holds a control character");
			return REG_EINVAL;
		}
	pl = strlen(cr->password);
	if (ul > 4096 || pl > 65536) {
		oci_seterr(errbuf, errsz, "credentials too long");
		return REG_EINVAL;
	}
	plain = malloc(ul + pl + 2);
	val = malloc(6 + b64_enclen(ul + pl + 1) + 1);
	if (plain == NULL || val == NULL) {
		free(plain);
		free(val);
		return REG_ENOMEM;
	}
	memcpy(plain, cr->username, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, cr->password, pl);
	plain[ul + 1 + pl] = '\0';
	(void)snprintf(val, 7, "Basic ");
	(void)b64_encode((const unsigned char *)plain, ul + 1 + pl, val + 6);
	oci_secret_free(plain);
	*out = val;
	return REG_OK;
}

/* The registry base URL: an origin, maybe with one trailing '/'. */
static enum reg_err
registry_origin(const char *reg, char *origin, size_t originsz, char *errbuf,
    size_t errsz)
{
	struct oci_url u;
	size_t rl = reg != NULL ? strlen(reg) : 0;

	if (reg == NULL || oci_url_parse(reg, rl, &u) != REG_OK ||
	    (rl != u.origin_len &&
	        !(rl == u.origin_len + 1 && reg[rl - 1] == '/')) ||
	    u.origin_len >= originsz) {
		oci_seterr(errbuf, errsz,
		    "registry must be https://host[:port] (no path)");
		return REG_EINVAL;
	}
	if (!u.https && !u.loopback) {
		oci_seterr(errbuf, errsz,
		    "plain http is only allowed for a loopback registry");
		return REG_EINVAL;
	}
	memcpy(origin, reg, u.origin_len);
	origin[u.origin_len] = '\0';
	return REG_OK;
}

/* Check opts and fill s; REG_EINVAL with a message on a bad option. */
static enum reg_err
sess_init(struct sess *s, const struct oci_push_opts *o, char *errbuf,
    size_t errsz)
{
	enum reg_err er;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->err = errbuf;
	s->errsz = errsz;
	s->max_attempts =
	    o->max_attempts > 0 ? o->max_attempts : OCI_ATTEMPTS_DEFAULT;
	if (s->max_attempts > OCI_ATTEMPTS_MAX)
		s->max_attempts = OCI_ATTEMPTS_MAX;
	er = registry_origin(o->registry, s->origin, sizeof(s->origin), errbuf,
	    errsz);
	if (er != REG_OK)
		return er;
	if (o->repository == NULL ||
	    !oci_repo_valid(o->repository, strlen(o->repository))) {
		oci_seterr(errbuf, errsz, "repository name is not valid");
		return REG_EINVAL;
	}
	if (o->tag == NULL || !oci_tag_valid(o->tag, strlen(o->tag))) {
		oci_seterr(errbuf, errsz, "tag is not valid");
		return REG_EINVAL;
	}
	if (o->mount_from != NULL &&
	    !oci_repo_valid(o->mount_from, strlen(o->mount_from))) {
		oci_seterr(errbuf, errsz,
		    "mount-from repository name is not valid");
		return REG_EINVAL;
	}
	if (o->creds == NULL || o->creds->username == NULL)
		return REG_OK;
	return basic_make(o->creds, &s->basic, errbuf, errsz);
}

static void
sess_release(struct sess *s)
{
	size_t i;

	oci_secret_free(s->basic);
	oci_secret_free(s->bearer);
	s->basic = NULL;
	s->bearer = NULL;
	free(s->realm);
	free(s->service);
	for (i = 0; i < s->nscopes; i++)
		free(s->scopes[i]);
	s->nscopes = 0;
}

enum reg_err
oci_push_image(const struct oci_image *img, const struct oci_push_opts *opts,
    char digest_out[OCI_DIGEST_SIZE], char *errbuf, size_t errsz)
{
	struct sess s;
	char what[OCI_DIGEST_SIZE + 80], digest[OCI_DIGEST_SIZE];
	const struct oci_desc *d;
	enum reg_err er;
	size_t i, j;
	bool dup;

	oci_seterr(errbuf, errsz, "(no error)");
	if (img == NULL || opts == NULL) {
		oci_seterr(errbuf, errsz, "no image or no options");
		return REG_EINVAL;
	}
	er = sess_init(&s, opts, errbuf, errsz);
	if (er != REG_OK)
		goto out;
	er = sess_login(&s);
	if (er != REG_OK)
		goto out;
	(void)snprintf(what, sizeof(what), "push config blob %s",
	    img->m.config.digest);
	er = push_blob(&s, img, &img->m.config, what);
	for (i = 0; er == REG_OK && i < img->m.nlayers; i++) {
		d = &img->m.layers[i];
		dup = strcmp(d->digest, img->m.config.digest) == 0;
		for (j = 0; j < i && !dup; j++)
			dup = strcmp(d->digest, img->m.layers[j].digest) == 0;
		if (dup)
			continue; /* pushed a moment ago */
		(void)snprintf(what, sizeof(what), "push layer %zu/%zu blob %s",
		    i + 1, img->m.nlayers, d->digest);
		er = push_blob(&s, img, d, what);
	}
	if (er != REG_OK)
		goto out;
	er = put_manifest(&s, img, digest);
	if (er != REG_OK)
		goto out;
	memcpy(digest_out, digest, OCI_DIGEST_SIZE);
	oci_seterr(errbuf, errsz, "%s", "");
out:
	sess_release(&s);
	return er;
}

enum reg_err
oci_push_layout(const char *layout_dir, const char *layout_tag,
    const struct oci_push_opts *opts, char digest_out[OCI_DIGEST_SIZE],
    char *errbuf, size_t errsz)
{
	struct oci_image *img = NULL;
	enum reg_err er;

	er = oci_layout_open(layout_dir, layout_tag, &img, errbuf, errsz);
	if (er == REG_OK)
		er = oci_push_image(img, opts, digest_out, errbuf, errsz);
	oci_image_free(img);
	return er;
}
