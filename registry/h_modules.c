/*
 * registry/h_modules.c: the read side of the module registry protocol
 * (spec/terraform-protocols.md sections 1, 2 and 10): discovery, versions,
 * download locations, version details, namespace listing and search.
 *
 * Download locations are root-relative archive URLs carrying their own
 * HMAC signature and expiry (Terraform sends no token to them) plus
 * checksum=sha256:<digest>, which go-getter strips before the request and
 * checks on the downloaded bytes, so every install is verified end to end
 * against the digest recorded at publish.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/urlsig.h"
#include "common/log.h"
#include "common/num.h"
#include "auth/keyring.h"
#include "registry/handlers.h"
#include "registry/views.h"

#define LIST_DEFAULT_LIMIT 15
#define LIST_MAX_LIMIT 100

enum reg_err
h_discovery(struct reg_req *r)
{
	json_t *doc;
	enum reg_err er;

	doc = json_pack("{s:s}", "modules.v1", "/v1/modules/");
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, 200, doc);
	json_decref(doc);
	return er;
}

/* Load the module's versions after checking the download right. */
static enum reg_err
load_versions(struct reg_req *r, struct verlist *vl)
{
	enum reg_err er;

	er = authz_require(r, RIGHT_DOWNLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	er = store_module_versions(r->app->store, &r->module, vl);
	if (er == REG_ENOENT)
		return req_fail(r, er, "module %s/%s/%s not found",
		    r->module.ns, r->module.name, r->module.system);
	if (er == REG_OK)
		versions_sort(vl);
	return er;
}

enum reg_err
h_versions(struct reg_req *r)
{
	struct verlist vl;
	json_t *doc = NULL, *arr;
	enum reg_err er;
	size_t i;

	verlist_init(&vl);
	er = load_versions(r, &vl);
	if (er != REG_OK)
		goto out;
	er = REG_ENOMEM;
	arr = json_array();
	if (arr == NULL)
		goto out;
	doc = json_pack("{s:[{s:o}]}", "modules", "versions", arr);
	if (doc == NULL)
		goto out;
	for (i = 0; i < vl.n; i++) {
		json_t *v = json_pack("{s:s}", "version", vl.v[i].version);

		if (v == NULL)
			goto out;
		if (vl.v[i].deprecated) {
			json_object_set_new(v, "deprecated", json_true());
			json_object_set_new(v, "deprecation_reason",
			    json_string(vl.v[i].deprecation_reason));
		}
		if (json_array_append_new(arr, v) != 0)
			goto out;
	}
	er = resp_json(r->conn, 200, doc);
out:
	json_decref(doc);
	verlist_release(&vl);
	return er;
}

static enum reg_err
get_version(struct reg_req *r, struct version_rec *v)
{
	enum reg_err er;

	er = authz_require(r, RIGHT_DOWNLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	er = store_version_get(r->app->store, &r->module, r->version, v);
	if (er == REG_ENOENT) {
		char esc[SEMVER_BUFSZ * 2];

		return req_fail(r, er, "module %s/%s/%s version %s not found",
		    r->module.ns, r->module.name, r->module.system,
		    log_escape(esc, sizeof(esc), r->version,
		        strlen(r->version)));
	}
	return er;
}

enum reg_err
h_download(struct reg_req *r)
{
	struct version_rec v;
	struct keyring *kr;
	struct buf path, loc;
	enum reg_err er;

	er = get_version(r, &v);
	if (er != REG_OK)
		return er;
	buf_init(&path, 1024);
	buf_init(&loc, 2048);
	er = buf_printf(&path, "/v1/archives/%s/%s/%s/%s/%s-%s.%s", v.m.ns,
	    v.m.name, v.m.system, v.version, v.m.name, v.version, v.format);
	if (er == REG_OK)
		er = buf_printf(&loc, "%s?", buf_cstr(&path));
	if (er == REG_OK) {
		kr = keyring_cache_get(r->app->keys);
		er = urlsig_sign(kr, buf_cstr(&path),
		    r->now + (int64_t)r->app->cfg->archive_url_ttl, &loc);
		keyring_free(kr);
	}
	if (er == REG_OK)
		er = buf_printf(&loc, "&checksum=sha256:%s", v.digest);
	if (er == REG_OK)
		er = resp_header(r->conn, "X-Terraform-Get", buf_cstr(&loc));
	if (er == REG_OK)
		er = resp_header(r->conn, "Cache-Control", "no-store");
	if (er == REG_OK) {
		app_count(r->app, MET_DOWNLOAD_URLS);
		er = resp_empty(r->conn, 204);
	}
	buf_release(&path);
	buf_release(&loc);
	return er;
}

enum reg_err
h_latest_download(struct reg_req *r)
{
	struct verlist vl;
	const struct version_rec *v;
	char loc[1024];
	enum reg_err er;

	verlist_init(&vl);
	er = load_versions(r, &vl);
	if (er != REG_OK)
		goto out;
	v = versions_latest(&vl);
	if (v == NULL) {
		er = req_fail(r, REG_ENOENT, "module has no versions");
		goto out;
	}
	snprintf(loc, sizeof(loc), "/v1/modules/%s/%s/%s/%s/download", v->m.ns,
	    v->m.name, v->m.system, v->version);
	er = resp_header(r->conn, "Location", loc);
	if (er == REG_OK)
		er = resp_empty(r->conn, 302);
out:
	verlist_release(&vl);
	return er;
}

enum reg_err
h_version_get(struct reg_req *r)
{
	struct version_rec v;
	json_t *doc;
	enum reg_err er;

	er = get_version(r, &v);
	if (er != REG_OK)
		return er;
	doc = view_version(&v);
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, 200, doc);
	json_decref(doc);
	return er;
}

enum reg_err
h_module_latest(struct reg_req *r)
{
	struct verlist vl;
	const struct version_rec *v;
	json_t *doc = NULL, *arr;
	enum reg_err er;
	size_t i;

	verlist_init(&vl);
	er = load_versions(r, &vl);
	if (er != REG_OK)
		goto out;
	v = versions_latest(&vl);
	er = REG_ENOMEM;
	if (v == NULL || (doc = view_version(v)) == NULL)
		goto out;
	arr = json_array();
	if (arr == NULL || json_object_set_new(doc, "versions", arr) != 0)
		goto out;
	for (i = 0; i < vl.n; i++)
		if (json_array_append_new(arr, json_string(vl.v[i].version)) !=
		    0)
			goto out;
	er = resp_json(r->conn, 200, doc);
out:
	json_decref(doc);
	verlist_release(&vl);
	return er;
}

/* ---- listing and search ---- */

struct list_ctx {
	struct reg_req *r;
	const char *q; /* lower-case needle, "" for all */
	const char *only_ns;
	uint64_t offset, limit, seen;
	json_t *items;
	bool more;
	enum reg_err er;
	char last_ns[NAME_BUFSZ];
	bool last_ok;
};

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = strlen(hay), i;

	if (n == 0)
		return true;
	for (i = 0; i + n <= h; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

static bool
list_cb(const struct module_addr *m, void *arg)
{
	struct list_ctx *lc = arg;
	struct verlist vl;
	const struct version_rec *latest;
	json_t *item;

	if (lc->q[0] != '\0' && !contains_ci(m->ns, lc->q) &&
	    !contains_ci(m->name, lc->q) && !contains_ci(m->system, lc->q))
		return true;
	if (strcasecmp(lc->last_ns, m->ns) != 0) {
		snprintf(lc->last_ns, sizeof(lc->last_ns), "%s", m->ns);
		lc->last_ok = lc->only_ns != NULL ||
		    authz_can(lc->r, RIGHT_DOWNLOAD, m->ns);
	}
	if (!lc->last_ok)
		return true;
	if (lc->seen++ < lc->offset)
		return true;
	if ((uint64_t)json_array_size(lc->items) >= lc->limit) {
		lc->more = true;
		return false;
	}
	verlist_init(&vl);
	lc->er = store_module_versions(lc->r->app->store, m, &vl);
	if (lc->er == REG_ENOENT) { /* deleted meanwhile */
		lc->er = REG_OK;
		verlist_release(&vl);
		return true;
	}
	if (lc->er != REG_OK) {
		verlist_release(&vl);
		return false;
	}
	latest = versions_latest(&vl);
	item = latest != NULL ? view_version(latest) : NULL;
	verlist_release(&vl);
	if (item == NULL || json_array_append_new(lc->items, item) != 0) {
		lc->er = REG_ENOMEM;
		return false;
	}
	return true;
}

static enum reg_err
parse_page(struct reg_req *r, uint64_t *offset, uint64_t *limit)
{
	const char *o = req_param(r, "offset"), *l = req_param(r, "limit");

	*offset = 0;
	*limit = LIST_DEFAULT_LIMIT;
	if (o != NULL &&
	    num_parse_u64(o, strlen(o), 0, 1000000000, offset) != REG_OK)
		return req_fail(r, REG_EINVAL,
		    "offset must be a non-negative integer");
	if (l != NULL &&
	    num_parse_u64(l, strlen(l), 1, LIST_MAX_LIMIT, limit) != REG_OK)
		return req_fail(r, REG_EINVAL,
		    "limit must be an integer from 1 to %d", LIST_MAX_LIMIT);
	return REG_OK;
}

static enum reg_err
list_modules(struct reg_req *r, const char *ns, const char *q)
{
	struct list_ctx lc;
	char needle[REQ_PARAM_MAX + 1];
	json_t *doc = NULL, *meta;
	enum reg_err er;

	memset(&lc, 0, sizeof(lc));
	er = parse_page(r, &lc.offset, &lc.limit);
	if (er != REG_OK)
		return er;
	snprintf(needle, sizeof(needle), "%s", q != NULL ? q : "");
	lc.r = r;
	lc.q = needle;
	lc.only_ns = ns;
	lc.items = json_array();
	if (lc.items == NULL)
		return REG_ENOMEM;
	er = store_modules_each(r->app->store, ns, list_cb, &lc);
	if (er == REG_OK)
		er = lc.er;
	if (er != REG_OK)
		goto out;
	meta = json_pack("{s:I, s:I}", "limit", (json_int_t)lc.limit,
	    "current_offset", (json_int_t)lc.offset);
	if (meta != NULL && lc.more)
		json_object_set_new(meta, "next_offset",
		    json_integer((json_int_t)lc.offset + (json_int_t)lc.limit));
	if (meta != NULL && lc.offset > 0)
		json_object_set_new(meta, "prev_offset",
		    json_integer(
		        (json_int_t)(lc.offset > lc.limit ? lc.offset - lc.limit
		                                          : 0)));
	doc = json_pack("{s:o, s:O}", "meta", meta, "modules", lc.items);
	er = doc != NULL ? resp_json(r->conn, 200, doc) : REG_ENOMEM;
out:
	json_decref(doc);
	json_decref(lc.items);
	return er;
}

enum reg_err
h_ns_list(struct reg_req *r)
{
	enum reg_err er;

	er = authz_require(r, RIGHT_DOWNLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	return list_modules(r, r->module.ns, NULL);
}

enum reg_err
h_list_all(struct reg_req *r)
{
	return list_modules(r, NULL, NULL);
}

enum reg_err
h_search(struct reg_req *r)
{
	const char *q = req_param(r, "q");

	if (q == NULL || q[0] == '\0')
		return req_fail(r, REG_EINVAL,
		    "search needs a non-empty q parameter");
	if (strlen(q) > 128)
		return req_fail(r, REG_EINVAL,
		    "search term longer than 128 characters");
	return list_modules(r, NULL, q);
}
