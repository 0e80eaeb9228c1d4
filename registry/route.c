/*
 * registry/route.c: the static route table and the dispatcher.
 *
 * A route is a method mask and a list of segment patterns: literals, or
 * ":ns", ":name", ":system" (checked against the name grammars), ":version"
 * and ":file" (length-checked here; handlers check semantics).  The first
 * route whose segments match wins; a path that matches only with another
 * method gives 405 with Allow.  Errors become one JSON body here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/name.h"
#include "registry/handlers.h"

typedef enum reg_err (*handler_fn)(struct reg_req *);

/*
 * Pointers first, then the small fields, so that the table wastes no
 * padding between them.  Its entries name their fields: the order of the
 * fields is free to change.
 */
struct route {
	const char *pat[REQ_MAX_SEGS];
	handler_fn fn;
	unsigned methods;
	bool anon; /* never authenticates the caller (no Authorization use) */
};

#define GH (M_GET | M_HEAD)

static const struct route routes[] = {
	{ .methods = GH,
	    .pat = { ".well-known", "terraform.json" },
	    .fn = h_discovery,
	    .anon = true },
	{ .methods = GH, .pat = { "healthz" }, .fn = h_healthz, .anon = true },
	{ .methods = GH, .pat = { "metrics" }, .fn = h_metrics, .anon = true },
	{ .methods = M_POST,
	    .pat = { "v1", "auth", "token" },
	    .fn = h_auth_token,
	    .anon = true },
	{ .methods = GH,
	    .pat = { "v1", "grants", ":ns" },
	    .fn = h_grants_get,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "grants", ":ns", ":principal" },
	    .fn = h_grants_get,
	    .anon = false },
	{ .methods = M_PUT,
	    .pat = { "v1", "grants", ":ns", ":principal" },
	    .fn = h_grant_put,
	    .anon = false },
	{ .methods = M_DELETE,
	    .pat = { "v1", "grants", ":ns", ":principal" },
	    .fn = h_grant_delete,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules" },
	    .fn = h_list_all,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", "search" },
	    .fn = h_search,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns" },
	    .fn = h_ns_list,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns", ":name", ":system" },
	    .fn = h_module_latest,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", "versions" },
	    .fn = h_versions,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", "download" },
	    .fn = h_latest_download,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", ":version",
	        "download" },
	    .fn = h_download,
	    .anon = false },
	{ .methods = M_POST,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", ":version",
	        "deprecate" },
	    .fn = h_deprecate,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", ":version" },
	    .fn = h_version_get,
	    .anon = false },
	{ .methods = M_PUT,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", ":version" },
	    .fn = h_publish,
	    .anon = false },
	{ .methods = M_DELETE,
	    .pat = { "v1", "modules", ":ns", ":name", ":system", ":version" },
	    .fn = h_version_delete,
	    .anon = false },
	{ .methods = GH,
	    .pat = { "v1", "archives", ":ns", ":name", ":system", ":version",
	        ":file" },
	    .fn = h_archive,
	    .anon = true },
};

enum reg_err
req_fail(struct reg_req *r, enum reg_err er, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	return er;
}

static size_t
pat_len(const struct route *rt)
{
	size_t n = 0;

	while (n < REQ_MAX_SEGS && rt->pat[n] != NULL)
		n++;
	return n;
}

static bool
seg_matches(const char *pat, const char *seg)
{
	return pat[0] == ':' || strcmp(pat, seg) == 0;
}

/* Copy and check the variable segments of a matched route into r. */
static enum reg_err
bind_params(struct reg_req *r, const struct route *rt)
{
	size_t i;

	for (i = 0; i < r->nseg; i++) {
		const char *p = rt->pat[i], *s = r->seg[i];
		size_t n = strlen(s);
		char esc[96];

		if (p[0] != ':')
			continue;
		if (strcmp(p, ":ns") == 0) {
			bool grants = strcmp(r->seg[1], "grants") == 0;

			if (!name_valid(s, n) &&
			    !(grants && strcmp(s, "*") == 0))
				return req_fail(r, REG_EINVAL,
				    "invalid namespace \"%s\": use letters, "
				    "digits, '-' and '_' (1-64 characters, "
				    "starting and ending with a letter or "
				    "digit)",
				    log_escape(esc, sizeof(esc), s, n));
			memcpy(r->module.ns, s, n + 1);
		} else if (strcmp(p, ":name") == 0) {
			if (!name_valid(s, n))
				return req_fail(r, REG_EINVAL,
				    "invalid module name \"%s\": use letters, "
				    "digits, '-' and '_' (1-64 characters, "
				    "starting and ending with a letter or "
				    "digit)",
				    log_escape(esc, sizeof(esc), s, n));
			memcpy(r->module.name, s, n + 1);
		} else if (strcmp(p, ":system") == 0) {
			if (!system_valid(s, n))
				return req_fail(r, REG_EINVAL,
				    "invalid target system \"%s\": use 1-64 "
				    "lower-case letters or digits",
				    log_escape(esc, sizeof(esc), s, n));
			memcpy(r->module.system, s, n + 1);
		} else if (strcmp(p, ":version") == 0) {
			if (n > SEMVER_MAX_LEN)
				return req_fail(r, REG_EINVAL,
				    "version longer than %d characters",
				    SEMVER_MAX_LEN);
			memcpy(r->version, s, n + 1);
		} else {
			/* :file, :principal */
			memcpy(r->file, s, n + 1);
		}
	}
	return REG_OK;
}

static const struct route *
route_find(struct reg_req *r, unsigned *allow)
{
	size_t i, j;

	*allow = 0;
	for (i = 0; i < nitems(routes); i++) {
		const struct route *rt = &routes[i];

		if (pat_len(rt) != r->nseg)
			continue;
		for (j = 0; j < r->nseg; j++)
			if (!seg_matches(rt->pat[j], r->seg[j]))
				break;
		if (j != r->nseg)
			continue;
		if (rt->methods & r->method)
			return rt;
		*allow |= rt->methods;
	}
	return NULL;
}

static void
set_allow(struct reg_conn *c, unsigned allow)
{
	static const struct {
		unsigned m;
		const char *name;
	} ms[] = { { M_GET, "GET" }, { M_HEAD, "HEAD" }, { M_PUT, "PUT" },
		{ M_POST, "POST" }, { M_DELETE, "DELETE" } };
	char buf[64] = "";
	size_t i;

	for (i = 0; i < nitems(ms); i++) {
		if (!(allow & ms[i].m))
			continue;
		if (buf[0] != '\0')
			strncat(buf, ", ", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, ms[i].name, sizeof(buf) - strlen(buf) - 1);
	}
	if (resp_header(c, "Allow", buf) != REG_OK)
		log_debug("cannot set Allow");
}

static void
count_status(struct app *a, int st)
{
	app_count(a, MET_REQUESTS);
	if (st >= 500)
		app_count(a, MET_5XX);
	else if (st >= 400)
		app_count(a, MET_4XX);
	else
		app_count(a, MET_2XX);
}

static enum reg_err
write_error(struct reg_conn *c, struct reg_req *r, enum reg_err er, int status)
{
	enum reg_err wr = REG_OK;

	if (er == REG_EAUTH)
		wr = resp_header(c, "WWW-Authenticate",
		    "Bearer realm=\"terraform-registry\"");
	if ((er == REG_EAUTH || er == REG_EPERM) && r->errmsg[0] != '\0') {
		char reason[sizeof(r->errmsg) + 32];

		snprintf(reason, sizeof(reason), "%s (%s)",
		    er == REG_EAUTH ? "Unauthorized" : "Forbidden", r->errmsg);
		resp_reason(c, reason);
	}
	if (wr == REG_OK && er == REG_EUPSTREAM) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%d",
		    r->retry_after > 0 ? r->retry_after : 5);
		wr = resp_header(c, "Retry-After", ra);
	}
	if (wr == REG_OK)
		wr = resp_header(c, "Cache-Control", "no-store");
	if (wr == REG_OK)
		wr = resp_error(c, status,
		    r->errmsg[0] != '\0' ? r->errmsg : reg_err_str(er));
	return wr;
}

void
dispatch(struct app *a, struct reg_conn *c)
{
	static _Thread_local struct reg_req r;
	const struct route *rt;
	const char *why = NULL;
	unsigned allow = 0;
	enum reg_err er;
	int status;

	memset(&r, 0, sizeof(r));
	r.app = a;
	r.now = (int64_t)time(NULL);
	er = req_parse(c, &r, &why);
	log_set_reqid(r.id[0] != '\0' ? r.id : NULL);
	if (er != REG_OK) {
		(void)req_fail(&r, er, "%s", why);
		goto fail;
	}
	rt = route_find(&r, &allow);
	if (rt == NULL) {
		if (allow != 0) {
			set_allow(c, allow);
			er = req_fail(&r, REG_EMETHOD,
			    "method not allowed on %s", r.raw_path);
		} else {
			char esc[128];

			er = req_fail(&r, REG_ENOENT, "no such endpoint: %s",
			    log_escape(esc, sizeof(esc), r.raw_path,
			        strlen(r.raw_path)));
		}
		goto fail;
	}
	er = bind_params(&r, rt);
	if (er != REG_OK)
		goto fail;
	if (!rt->anon) {
		static const char *const tokparams[] = { "token",
			"access_token", "x_registry_auth", "auth", "bearer" };
		size_t i;

		for (i = 0; i < nitems(tokparams); i++) {
			if (req_param(&r, tokparams[i]) != NULL) {
				er = req_fail(&r, REG_EINVAL,
				    "credentials in the query string are "
				    "refused (they end up in logs): send "
				    "Authorization: Bearer <token>");
				goto fail;
			}
		}
		er = authz_identify(&r);
		if (er != REG_OK)
			goto fail;
	}
	er = rt->fn(&r);
	if (er == REG_OK) {
		if (resp_end(c) != REG_OK)
			log_debug("client went away");
		count_status(a, resp_get_status(c));
		goto done;
	}
fail:
	status = reg_err_http_status(er);
	if (status >= 500)
		log_warnx("%s: %s (%s)", r.raw_path, reg_err_str(er), r.errmsg);
	if (!resp_started(c) && write_error(c, &r, er, status) != REG_OK)
		log_debug("client went away");
	count_status(a, status);
done:
	log_set_reqid(NULL);
}
