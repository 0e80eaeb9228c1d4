/*
 * admin-tools/orch_core.c: see orch_core.h.  Invariant: nothing here
 * logs a header or a body; a response that may hold a secret is wiped
 * before its memory is reused or freed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin-tools/orch_core.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "common/num.h"

#define ORCH_POLL_MAX_MS 10000L
#define ORCH_RETRY_AFTER_MAX_MS 120000L /* a longer Retry-After is cut */

void
orch_ctx_init(struct orch_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts.older_than_s = -1;
}

enum reg_err
orch_fail(struct orch_ctx *ctx, enum reg_err er, const char *fmt, ...)
{
	va_list ap;

	if (ctx->has_err)
		return er;
	va_start(ap, fmt);
	(void)vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	ctx->has_err = true;
	return er;
}

void
orch_fail_clear(struct orch_ctx *ctx)
{
	ctx->has_err = false;
	ctx->err[0] = '\0';
}

void
orch_vlog(struct orch_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!ctx->opts.verbose || ctx->log == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_arg, line);
}

void
orch_warn(struct orch_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "honua-orchestrator: warning: %s\n", line);
}

void
orch_sleep(struct orch_ctx *ctx, long ms)
{
	struct timespec ts;

	if (ctx->sleep_ms != NULL) {
		ctx->sleep_ms(ctx->sleep_arg, ms > 0 ? ms : 0);
		return;
	}
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int64_t
orch_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
orch_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
orch_fmt_time(int64_t t, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return;
	(void)strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * ---- configuration ----------------------------------------------------
 */

static const char *
cfg_get(orch_getenv_fn get, void *arg, const char *name)
{
	const char *v = get != NULL ? get(arg, name) : NULL;

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static enum reg_err
cfg_num(orch_getenv_fn get, void *arg, const char *name, uint64_t min,
    uint64_t max, uint64_t mult, long *out, char *errbuf, size_t errsz)
{
	const char *v = cfg_get(get, arg, name);
	uint64_t n;

	if (v == NULL)
		return REG_OK;
	if (num_parse_u64(v, strlen(v), min, max, &n) != REG_OK) {
		(void)snprintf(errbuf, errsz,
		    "%s must be a whole number from %llu to %llu", name,
		    (unsigned long long)min, (unsigned long long)max);
		return REG_EINVAL;
	}
	*out = (long)(n * mult);
	return REG_OK;
}

enum reg_err
orch_config_load(struct orch_config *cfg, orch_getenv_fn get, void *arg,
    char *errbuf, size_t errsz)
{
	long attempts = 5;
	enum reg_err er;

	memset(cfg, 0, sizeof(*cfg));
	cfg->retry.base_throttle_ms = 1000;
	cfg->retry.base_other_ms = 50;
	cfg->retry.cap_ms = 20000;
	cfg->consistency_timeout_ms = 90000;
	cfg->consistency_poll_ms = 1000;
	cfg->http_timeout_ms = 60000;
	er = cfg_num(get, arg, "HONUA_MAX_ATTEMPTS", 1, 20, 1, &attempts,
	    errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_RETRY_BASE_MS", 0, 60000, 1,
		    &cfg->retry.base_throttle_ms, errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_RETRY_BASE_OTHER_MS", 0, 60000, 1,
		    &cfg->retry.base_other_ms, errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_RETRY_CAP_MS", 0, 300000, 1,
		    &cfg->retry.cap_ms, errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_CONSISTENCY_TIMEOUT_S", 0, 3600,
		    1000, &cfg->consistency_timeout_ms, errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_CONSISTENCY_POLL_MS", 0, 60000, 1,
		    &cfg->consistency_poll_ms, errbuf, errsz);
	if (er == REG_OK)
		er = cfg_num(get, arg, "HONUA_HTTP_TIMEOUT_MS", 100, 3600000, 1,
		    &cfg->http_timeout_ms, errbuf, errsz);
	if (er != REG_OK)
		return er;
	cfg->retry.max_attempts = (unsigned)attempts;
	cfg->policy_dir = cfg_get(get, arg, "HONUA_POLICY_DIR");
	cfg->allowed_regions = cfg_get(get, arg, "AWS_ALLOWED_ECR_REGIONS");
	if (cfg->allowed_regions == NULL)
		cfg->allowed_regions = ORCH_DEFAULT_REGIONS;
	cfg->pat_secret = cfg_get(get, arg, "GITHUB_PAT_SECRET_NAME");
	if (cfg->pat_secret == NULL)
		cfg->pat_secret = ORCH_DEFAULT_PAT_SECRET;
	cfg->images = cfg_get(get, arg, "HONUA_ECR_IMAGES");
	if (cfg->images == NULL)
		cfg->images = "app";
	cfg->buildah_root = cfg_get(get, arg, "HONUA_BUILDAH_ROOT");
	cfg->buildah_runroot = cfg_get(get, arg, "HONUA_BUILDAH_RUNROOT");
	cfg->tmpdir = cfg_get(get, arg, "TMPDIR");
	if (cfg->tmpdir == NULL)
		cfg->tmpdir = "/tmp";
	cfg->registry_ca = cfg_get(get, arg, "HONUA_REGISTRY_CA_FILE");
	return REG_OK;
}

/*
 * ---- names ------------------------------------------------------------
 */

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
orch_customer_id_valid(const char *p, size_t len)
{
	size_t i;

	if (p == NULL || len < ORCH_ID_MIN || len > ORCH_ID_MAX ||
	    !is_lower(p[0]))
		return false;
	for (i = 1; i < len; i++) {
		if (!is_lower(p[i]) && !is_digit(p[i]))
			return false;
	}
	return true;
}

bool
orch_image_name_valid(const char *p, size_t len)
{
	size_t i;
	bool sep = true; /* at start: a separator may not come first */

	if (p == NULL || len == 0 || len > ORCH_IMAGE_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (is_lower(p[i]) || is_digit(p[i])) {
			sep = false;
		} else if (p[i] == '.' || p[i] == '_' || p[i] == '-') {
			if (sep)
				return false;
			sep = true;
		} else {
			return false;
		}
	}
	return !sep;
}

enum reg_err
orch_split_images(const char *list, char *store, size_t storesz,
    const char **names, size_t max, size_t *n)
{
	size_t len = list != NULL ? strlen(list) : 0, k = 0, i, j;
	char *s, *e;

	if (len == 0 || storesz <= len)
		return REG_EINVAL;
	memcpy(store, list, len + 1);
	s = store;
	for (;;) {
		e = strchr(s, ',');
		if (e != NULL)
			*e = '\0';
		if (k >= max || !orch_image_name_valid(s, strlen(s)))
			return REG_EINVAL;
		names[k++] = s;
		if (e == NULL)
			break;
		s = e + 1;
	}
	for (i = 0; i < k; i++) {
		for (j = i + 1; j < k; j++) {
			if (strcmp(names[i], names[j]) == 0)
				return REG_EINVAL;
		}
	}
	*n = k;
	return REG_OK;
}

bool
orch_tag_valid(const char *p, size_t len)
{
	size_t i;
	char c;

	if (p == NULL || len == 0 || len > 128)
		return false;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z') ||
		    c == '_')
			continue;
		if (i > 0 && (c == '.' || c == '-'))
			continue;
		return false;
	}
	return true;
}

bool
orch_list_has(const char *list, const char *p, size_t len)
{
	const char *s = list, *e;
	size_t n;

	if (list == NULL)
		return false;
	for (;;) {
		while (*s == ' ')
			s++;
		e = strchr(s, ',');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == len && n > 0 && memcmp(s, p, n) == 0)
			return true;
		if (e == NULL)
			return false;
		s = e + 1;
	}
}

enum reg_err
orch_duration_parse(const char *p, size_t len, int64_t *secs)
{
	uint64_t n, mult;

	if (p == NULL || len < 2 || len > 7)
		return REG_EINVAL;
	switch (p[len - 1]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = (uint64_t)7 * 86400;
		break;
	default:
		return REG_EINVAL;
	}
	if (num_parse_u64(p, len - 1, 0, 999999, &n) != REG_OK)
		return REG_EINVAL;
	*secs = (int64_t)(n * mult);
	return REG_OK;
}

/*
 * ---- retries ----------------------------------------------------------
 */

static const char *const orch_quota_codes[] = {
	"LimitExceededException",
	"LimitExceeded",
};

static const char *const orch_throttle_codes[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"RequestLimitExceeded",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"RequestTimeout",
	"RequestTimeoutException",
};

/* Retryable without being throttling (IAM 409 ConcurrentModification). */
static const char *const orch_transient_codes[] = {
	"ConcurrentModification",
	"ConcurrentModificationException",
	"InternalError",
	"InternalFailure",
	"ServiceUnavailable",
};

static bool
code_in(const char *code, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(code, set[i]) == 0)
			return true;
	}
	return false;
}

enum orch_retry_class
orch_retry_classify(long status, const char *code)
{
	if (code == NULL)
		code = "";
	if (code_in(code, orch_quota_codes, nitems(orch_quota_codes)))
		return ORCH_RC_QUOTA;
	if (code_in(code, orch_throttle_codes, nitems(orch_throttle_codes)))
		return ORCH_RC_THROTTLE;
	if (status == 429)
		return ORCH_RC_THROTTLE;
	if (code_in(code, orch_transient_codes, nitems(orch_transient_codes)))
		return ORCH_RC_TRANSIENT;
	if (status == 0 || status == 500 || status == 502 || status == 503 ||
	    status == 504)
		return ORCH_RC_TRANSIENT;
	return ORCH_RC_NONE;
}

long
orch_backoff_ms(const struct orch_retry_cfg *rc, unsigned attempt,
    enum orch_retry_class cls, uint64_t rnd)
{
	long base =
	    cls == ORCH_RC_THROTTLE ? rc->base_throttle_ms : rc->base_other_ms;
	long cap = rc->cap_ms > 0 ? rc->cap_ms : 0;
	long lim = base > 0 ? base : 0;
	unsigned i;

	if (attempt == 0)
		attempt = 1;
	for (i = 1; i < attempt && lim < cap; i++)
		lim = lim > cap / 2 ? cap : lim * 2;
	if (lim > cap)
		lim = cap;
	if (lim <= 0)
		return 0;
	return (long)(rnd % ((uint64_t)lim + 1));
}

long
orch_retry_after_ms(const struct fetch_resp *resp)
{
	char v[32];
	uint64_t n;

	if (fetch_resp_header(resp, "x-amz-retry-after", v, sizeof(v)) &&
	    num_parse_u64(v, strlen(v), 0, 3600000, &n) == REG_OK)
		return (long)n;
	if (fetch_resp_header(resp, "retry-after", v, sizeof(v)) &&
	    num_parse_u64(v, strlen(v), 0, 3600, &n) == REG_OK)
		return (long)n * 1000;
	return -1;
}

/*
 * ---- the call loop ----------------------------------------------------
 */

void
orch_resp_release_wipe(struct fetch_resp *resp)
{
	buf_release_wipe(&resp->body);
	fetch_resp_release(resp);
}

static void
req_release_wipe(struct fetch_req *req)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		cryptow_wipe((void *)(uintptr_t)req->headers[i],
		    strlen(req->headers[i]));
	fetch_req_release(req);
}

static enum reg_err
status_err(long status, enum orch_retry_class cls)
{
	if (status == 0 || cls != ORCH_RC_NONE)
		return REG_EUPSTREAM;
	if (status == 401 || status == 403)
		return REG_EAUTH;
	if (status == 404)
		return REG_ENOENT;
	if (status == 409)
		return REG_EEXIST;
	if (status >= 400 && status < 500)
		return REG_EINVAL;
	return REG_EUPSTREAM;
}

static void
dry_print(struct orch_ctx *ctx, const struct orch_call *c)
{
	ctx->nplanned++;
	(void)printf("dry-run: %s %s %s %s %s", c->provider, c->service,
	    c->action, c->method, c->url);
	if (c->summary != NULL && c->summary[0] != '\0')
		(void)printf(" %s", c->summary);
	if (c->show_body && c->body != NULL && c->body_len > 0)
		(void)printf(" body=%.*s",
		    c->body_len > 4096 ? 4096 : (int)c->body_len,
		    (const char *)c->body);
	(void)printf("\n");
}

/* One attempt's outcome. */
enum attempt_res {
	ATTEMPT_OK,    /* a 2xx answer */
	ATTEMPT_RETRY, /* err and cls say what; the loop decides */
	ATTEMPT_FATAL, /* *er is final (signing, a bad URL, memory) */
};

static void
log_attempt(struct orch_ctx *ctx, const struct orch_call *c,
    const char *outcome, unsigned attempt, unsigned max, int64_t t0)
{
	orch_vlog(ctx, "%s %s %s %s %s%s%s -> %s (attempt %u/%u, %lld ms)",
	    c->provider, c->service, c->action, c->method, c->url,
	    c->summary != NULL ? " " : "", c->summary != NULL ? c->summary : "",
	    outcome, attempt, max, (long long)(orch_now_ms() - t0));
}

static enum attempt_res
attempt_once(struct orch_ctx *ctx, const struct orch_call *c,
    struct fetch_resp *resp, struct orch_apierr *err,
    enum orch_retry_class *cls, enum reg_err *er, unsigned attempt,
    unsigned max)
{
	struct fetch_req req;
	char cerr[256] = "", outcome[300];
	int64_t t0 = orch_now_ms();

	memset(err, 0, sizeof(*err));
	fetch_req_init(&req);
	req.method = c->method;
	req.url = c->url;
	req.body = c->body;
	req.body_len = c->body_len;
	req.allow_http = c->allow_http;
	req.ca_file = c->ca_file;
	req.max_body = c->max_body;
	req.timeout_ms = ctx->cfg.http_timeout_ms;
	req.quiet = true;
	if (c->resp_secret)
		buf_release_wipe(&resp->body);
	*er = c->sign != NULL ? c->sign(c->arg, &req) : REG_OK;
	if (*er == REG_OK) {
		ctx->ncalls++;
		*er = fetch_do(&req, resp, cerr, sizeof(cerr));
	}
	req_release_wipe(&req);
	if (*er != REG_OK && *er != REG_EUPSTREAM) {
		(void)snprintf(err->message, sizeof(err->message), "%s", cerr);
		return ATTEMPT_FATAL;
	}
	if (*er == REG_EUPSTREAM) {
		resp->status = 0;
		(void)snprintf(err->message, sizeof(err->message),
		    "no answer: %s", cerr);
		*cls = ORCH_RC_TRANSIENT;
		(void)snprintf(outcome, sizeof(outcome), "no answer (%s)",
		    cerr);
		log_attempt(ctx, c, outcome, attempt, max, t0);
		return ATTEMPT_RETRY;
	}
	err->status = resp->status;
	(void)fetch_resp_header(resp, "x-amzn-requestid", err->request_id,
	    sizeof(err->request_id));
	if (resp->status >= 200 && resp->status < 300) {
		(void)snprintf(outcome, sizeof(outcome), "%ld", resp->status);
		log_attempt(ctx, c, outcome, attempt, max, t0);
		return ATTEMPT_OK;
	}
	if (c->errparse != NULL)
		c->errparse(c->arg, resp, err);
	err->status = resp->status;
	*cls = orch_retry_classify(resp->status, err->code);
	(void)snprintf(outcome, sizeof(outcome), "%ld %s", resp->status,
	    err->code[0] != '\0' ? err->code : "-");
	log_attempt(ctx, c, outcome, attempt, max, t0);
	return ATTEMPT_RETRY;
}

/* The wait before the next attempt: backoff, or a longer Retry-After. */
static long
next_wait(struct orch_ctx *ctx, const struct fetch_resp *resp, unsigned attempt,
    enum orch_retry_class cls)
{
	uint64_t rnd;
	long wait, ra;

	if (cryptow_random(&rnd, sizeof(rnd)) != REG_OK)
		rnd = (uint64_t)orch_now_ms();
	wait = orch_backoff_ms(&ctx->cfg.retry, attempt, cls, rnd);
	ra = resp->status != 0 ? orch_retry_after_ms(resp) : -1;
	if (ra > wait)
		wait =
		    ra > ORCH_RETRY_AFTER_MAX_MS ? ORCH_RETRY_AFTER_MAX_MS : ra;
	return wait;
}

enum reg_err
orch_call_do(struct orch_ctx *ctx, const struct orch_call *c,
    struct fetch_resp *resp, struct orch_apierr *err)
{
	unsigned max =
	    c->max_attempts > 0 ? c->max_attempts : ctx->cfg.retry.max_attempts;
	enum orch_retry_class cls = ORCH_RC_NONE;
	enum attempt_res res;
	unsigned attempt;
	long wait;
	enum reg_err er = REG_EUPSTREAM;

	memset(err, 0, sizeof(*err));
	if (max == 0)
		max = 1;
	if (ctx->opts.dry_run) {
		dry_print(ctx, c);
		resp->status = 0;
		return REG_OK;
	}
	for (attempt = 1; attempt <= max; attempt++) {
		res = attempt_once(ctx, c, resp, err, &cls, &er, attempt, max);
		if (res == ATTEMPT_OK)
			return REG_OK;
		if (res == ATTEMPT_FATAL)
			return er;
		if (cls == ORCH_RC_NONE || cls == ORCH_RC_QUOTA ||
		    attempt == max)
			break;
		wait = next_wait(ctx, resp, attempt, cls);
		orch_vlog(ctx, "retrying %s %s in %ld ms (%s)", c->service,
		    c->action, wait,
		    cls == ORCH_RC_THROTTLE ? "throttled" : "transient error");
		orch_sleep(ctx, wait);
	}
	return status_err(resp->status, cls);
}

void
orch_poll_start(struct orch_ctx *ctx, struct orch_poll *p)
{
	p->deadline_ms = orch_now_ms() + ctx->cfg.consistency_timeout_ms;
	p->wait_ms = ctx->cfg.consistency_poll_ms;
	p->n = 0;
}

bool
orch_poll_next(struct orch_ctx *ctx, struct orch_poll *p, const char *what)
{
	int64_t left = p->deadline_ms - orch_now_ms();
	long w = p->wait_ms;

	if (left <= 0 && p->n > 0)
		return false;
	if (left < 0)
		left = 0;
	if (w > left)
		w = (long)left;
	p->n++;
	orch_vlog(ctx, "waiting %ld ms for %s to become visible (poll %u)", w,
	    what, p->n);
	orch_sleep(ctx, w);
	if (p->wait_ms < ORCH_POLL_MAX_MS / 2)
		p->wait_ms = p->wait_ms > 0 ? p->wait_ms * 2 : 0;
	else
		p->wait_ms = ORCH_POLL_MAX_MS;
	return true;
}

/*
 * ---- URLs -------------------------------------------------------------
 */

static bool
copy_n(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* host[:port] or [v6]:port of p[0..len) into u; REG_EINVAL. */
static enum reg_err
url_authority(const char *p, size_t len, struct orch_url *u)
{
	const char *hs = p, *he, *ps, *pe = p + len;
	uint64_t port = 0;
	size_t i, n;

	if (len == 0 || memchr(p, '@', len) != NULL)
		return REG_EINVAL;
	if (*p == '[') {
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(pe - hs));
		if (he == NULL)
			return REG_EINVAL;
		ps = he + 1;
	} else {
		he = memchr(p, ':', len);
		if (he == NULL)
			he = pe;
		ps = he;
	}
	n = (size_t)(he - hs);
	if (n == 0 || !copy_n(u->host, sizeof(u->host), hs, n))
		return REG_EINVAL;
	for (i = 0; i < n; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
		           "Z"
		           "0123456789.-:_",
		        u->host[i]) == NULL)
			return REG_EINVAL;
	}
	if (ps < pe &&
	    (*ps != ':' ||
	        num_parse_u64(ps + 1, (size_t)(pe - ps - 1), 1, 65535, &port) !=
	            REG_OK))
		return REG_EINVAL;
	if ((u->https && port == 443) || (!u->https && port == 80))
		port = 0;
	(void)snprintf(u->hostport, sizeof(u->hostport),
	    *p == '[' ? "[%s]" : "%s", u->host);
	if (port != 0) {
		n = strlen(u->hostport);
		(void)snprintf(u->hostport + n, sizeof(u->hostport) - n, ":%u",
		    (unsigned)port);
	}
	return REG_OK;
}

enum reg_err
orch_url_parse(const char *url, struct orch_url *out)
{
	struct orch_url u;
	const char *p, *pe;

	memset(&u, 0, sizeof(u));
	if (url == NULL)
		return REG_EINVAL;
	if (strncmp(url, "https://", 8) == 0) {
		u.https = true;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		return REG_EINVAL;
	}
	pe = p + strcspn(p, "/?#");
	if (url_authority(p, (size_t)(pe - p), &u) != REG_OK)
		return REG_EINVAL;
	if (*pe != '/')
		(void)snprintf(u.path, sizeof(u.path), "/");
	else if (!copy_n(u.path, sizeof(u.path), pe, strcspn(pe, "?#")))
		return REG_EINVAL;
	u.loopback = strcmp(u.host, "localhost") == 0 ||
	    strcmp(u.host, "::1") == 0 || strncmp(u.host, "127.", 4) == 0;
	*out = u;
	return REG_OK;
}

/*
 * ---- reports ----------------------------------------------------------
 */

void
orch_report_init(struct orch_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
orch_report_release(struct orch_report *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

enum reg_err
orch_report_add(struct orch_report *r, const char *action, const char *kind,
    const char *name, const char *detail)
{
	struct orch_report_item *v, *it;
	size_t cap;

	if (r->n == r->cap) {
		cap = r->cap > 0 ? r->cap * 2 : 8;
		v = reallocarray(r->v, cap, sizeof(*v));
		if (v == NULL)
			return REG_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	it = &r->v[r->n++];
	memset(it, 0, sizeof(*it));
	(void)snprintf(it->action, sizeof(it->action), "%s", action);
	(void)snprintf(it->kind, sizeof(it->kind), "%s", kind);
	(void)snprintf(it->name, sizeof(it->name), "%s", name);
	(void)snprintf(it->detail, sizeof(it->detail), "%s",
	    detail != NULL ? detail : "");
	return REG_OK;
}

void
orch_audit_init(struct orch_audit *a)
{
	memset(a, 0, sizeof(*a));
}

void
orch_audit_release(struct orch_audit *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

enum reg_err
orch_audit_add(struct orch_audit *a, struct orch_audit_item **out)
{
	struct orch_audit_item *v;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap > 0 ? a->cap * 2 : 16;
		v = reallocarray(a->v, cap, sizeof(*v));
		if (v == NULL)
			return REG_ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	*out = &a->v[a->n++];
	memset(*out, 0, sizeof(**out));
	(*out)->images = -1;
	return REG_OK;
}

/* Last activity before the cutoff, or none at all. */
static bool
idle(int64_t t, bool threshold, int64_t cutoff)
{
	if (t <= 0)
		return true;
	return threshold && t < cutoff;
}

void
orch_audit_flag(struct orch_audit *a, int64_t now, int64_t older_than_s)
{
	bool thr = older_than_s >= 0;
	int64_t cutoff = thr ? now - older_than_s : 0;
	size_t i, j;
	bool all;

	for (i = 0; i < a->n; i++) {
		struct orch_audit_item *it = &a->v[i];

		it->older = thr && it->created > 0 && it->created <= cutoff;
		if (strcmp(it->kind, "access-key") == 0) {
			it->unused = idle(it->last_used, thr, cutoff);
		} else if (strcmp(it->kind, "ecr-repository") == 0) {
			if (it->images == 0)
				it->unused = true;
			else if (thr)
				it->unused =
				    idle(it->last_push, true, cutoff) &&
				    idle(it->last_used, true, cutoff);
			else
				it->unused = it->last_used <= 0;
		}
	}
	/* users: unused when every key of theirs is (or they have none) */
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].kind, "iam-user") != 0)
			continue;
		all = true;
		for (j = 0; j < a->n; j++) {
			if (strcmp(a->v[j].kind, "access-key") == 0 &&
			    strcmp(a->v[j].parent, a->v[i].name) == 0 &&
			    !a->v[j].unused)
				all = false;
		}
		a->v[i].unused = all;
	}
}

void
orch_login_clear(struct orch_login *l)
{
	cryptow_wipe(l, sizeof(*l));
}

/*
 * ---- providers --------------------------------------------------------
 */

extern const struct orch_provider_ops orch_aws_provider;

static const struct orch_provider_ops orch_azure_provider = {
	.name = "azure",
	.available = false,
};

static const struct orch_provider_ops orch_gcp_provider = {
	.name = "gcp",
	.available = false,
};

const struct orch_provider_ops *const orch_providers[] = {
	&orch_aws_provider,
	&orch_azure_provider,
	&orch_gcp_provider,
	NULL,
};

const struct orch_provider_ops *
orch_provider_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; orch_providers[i] != NULL; i++) {
		if (strcmp(orch_providers[i]->name, name) == 0)
			return orch_providers[i];
	}
	return NULL;
}
