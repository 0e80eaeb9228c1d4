/*
 * registry/h_grants.c: the grant API behind manage-registry-permissions
 * --registry (GET/PUT/DELETE /v1/grants/:ns[/:principal]).
 *
 * Principals in paths are canonical keys (aws:<partition>:<account>:role:
 * <name>, token:<name>); the tools canonicalise ARNs before calling.
 * Rules:
 *   - reading grants of ns needs create-grant or delete-grant on ns;
 *   - creating a grant, or turning a right on, needs create-grant on ns
 *     AND the caller must hold every right it grants (no escalation);
 *   - turning a right off, or deleting a grant, needs delete-grant on ns;
 *   - namespace "*" is handled like any other: rights on "*" come only
 *     from grants on "*".
 * Every change is audited.
 */
#include <stdio.h>
#include <string.h>

#include "auth/principal.h"
#include "common/log.h"
#include "registry/handlers.h"
#include "registry/views.h"

#define GRANT_BODY_MAX 4096

static json_t *
grant_json(const char *ns, const char *principal, const struct grant *g)
{
	char display[PRINCIPAL_BUFSZ], c[32], u[32];
	json_t *o;

	if (principal_display(principal, strlen(principal), display) != REG_OK)
		snprintf(display, sizeof(display), "%s", principal);
	fmt_time(g->created_at, c);
	fmt_time(g->updated_at != 0 ? g->updated_at : g->created_at, u);
	o = json_pack("{s:s, s:s, s:s, s:{s:b, s:b, s:b, s:b}, s:s, s:s, "
	              "s:s}",
	    "namespace", ns, "principal", principal, "role", display,
	    "permissions", "download", g->download, "upload", g->upload,
	    "create_grant", g->create_grant, "delete_grant", g->delete_grant,
	    "created_at", c, "updated_at", u, "created_by", g->created_by);
	if (o != NULL && g->unique_id[0] != '\0')
		json_object_set_new(o, "unique_id", json_string(g->unique_id));
	return o;
}

static enum reg_err
check_principal(struct reg_req *r)
{
	char esc[128];

	if (!principal_key_valid(r->file, strlen(r->file)))
		return req_fail(r, REG_EINVAL,
		    "invalid principal \"%s\": use a canonical key such as "
		    "aws:aws:123456789012:role:NAME or token:NAME "
		    "(manage-registry-permissions converts ARNs)",
		    log_escape(esc, sizeof(esc), r->file, strlen(r->file)));
	return REG_OK;
}

/* Read access: either grant-management right on the namespace. */
static enum reg_err
require_manage(struct reg_req *r, const char *ns)
{
	if (authz_can(r, RIGHT_CREATE_GRANT, ns) ||
	    authz_can(r, RIGHT_DELETE_GRANT, ns))
		return REG_OK;
	return authz_require(r, RIGHT_CREATE_GRANT, ns);
}

struct list_ctx {
	json_t *arr;
	bool oom;
};

static bool
list_cb(const struct grant_entry *e, void *arg)
{
	struct list_ctx *lc = arg;
	json_t *o = grant_json(e->ns, e->principal, &e->g);

	if (o == NULL || json_array_append_new(lc->arr, o) != 0) {
		lc->oom = true;
		return false;
	}
	return true;
}

enum reg_err
h_grants_get(struct reg_req *r)
{
	const char *ns = r->module.ns;
	struct list_ctx lc = { NULL, false };
	struct grant g;
	json_t *doc = NULL;
	enum reg_err er;

	er = require_manage(r, ns);
	if (er != REG_OK)
		return er;
	if (r->file[0] != '\0') {
		er = check_principal(r);
		if (er != REG_OK)
			return er;
		er = store_grant_get(r->app->store, ns, r->file, &g);
		if (er == REG_ENOENT)
			return req_fail(r, er,
			    "no grant for %s on namespace %s", r->file, ns);
		if (er != REG_OK)
			return er;
		doc = grant_json(ns, r->file, &g);
	} else {
		lc.arr = json_array();
		if (lc.arr == NULL)
			return REG_ENOMEM;
		er = store_grants_each(r->app->store, ns, NULL, list_cb, &lc);
		if (er == REG_ENOENT)
			er = REG_OK;
		if (er == REG_OK && lc.oom)
			er = REG_ENOMEM;
		if (er != REG_OK) {
			json_decref(lc.arr);
			return er;
		}
		doc =
		    json_pack("{s:s, s:o}", "namespace", ns, "grants", lc.arr);
	}
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, 200, doc);
	json_decref(doc);
	return er;
}

/* A right in the body: absent (-1), false (0), true (1). */
static enum reg_err
body_flag(struct reg_req *r, json_t *doc, const char *name, int *out)
{
	json_t *v = json_object_get(doc, name);

	*out = -1;
	if (v == NULL)
		return REG_OK;
	if (!json_is_boolean(v))
		return req_fail(r, REG_EINVAL, "\"%s\" must be true or false",
		    name);
	*out = json_is_true(v) ? 1 : 0;
	return REG_OK;
}

/* The rights of a grant: their body keys and ids, in the same order. */
static const char *const right_keys[4] = { "download", "upload", "create_grant",
	"delete_grant" };
static const enum right right_ids[4] = { RIGHT_DOWNLOAD, RIGHT_UPLOAD,
	RIGHT_CREATE_GRANT, RIGHT_DELETE_GRANT };

/* fields[i] is the flag of g for right_keys[i] and right_ids[i]. */
static void
grant_fields(struct grant *g, bool *fields[4])
{
	fields[0] = &g->download;
	fields[1] = &g->upload;
	fields[2] = &g->create_grant;
	fields[3] = &g->delete_grant;
}

/*
 * The body: only known fields; "mode" create (the default), update or
 * replace; each right absent (-1), false (0) or true (1) in f.
 */
static enum reg_err
grant_body(struct reg_req *r, json_t *doc, const char **mode, int f[4])
{
	json_t *v;
	size_t i;
	void *it;
	enum reg_err er;

	for (it = json_object_iter(doc); it != NULL;
	     it = json_object_iter_next(doc, it)) {
		const char *k = json_object_iter_key(it);

		if (strcmp(k, "download") != 0 && strcmp(k, "upload") != 0 &&
		    strcmp(k, "create_grant") != 0 &&
		    strcmp(k, "delete_grant") != 0 && strcmp(k, "mode") != 0 &&
		    strcmp(k, "unique_id") != 0)
			return req_fail(r, REG_EINVAL,
			    "unknown field in grant body (allowed: download, "
			    "upload, create_grant, delete_grant, unique_id, "
			    "mode)");
	}
	v = json_object_get(doc, "mode");
	if (v != NULL &&
	    (!json_is_string(v) ||
	        (strcmp(json_string_value(v), "create") != 0 &&
	            strcmp(json_string_value(v), "update") != 0 &&
	            strcmp(json_string_value(v), "replace") != 0)))
		return req_fail(r, REG_EINVAL,
		    "\"mode\" must be create, update or replace");
	for (i = 0; i < 4; i++) {
		er = body_flag(r, doc, right_keys[i], &f[i]);
		if (er != REG_OK)
			return er;
	}
	*mode = v != NULL ? json_string_value(v) : "create";
	return REG_OK;
}

/* create needs the grant to be new, update needs it to exist. */
static enum reg_err
check_mode(struct reg_req *r, const char *ns, const char *mode, bool have_old)
{
	if (strcmp(mode, "create") == 0 && have_old)
		return req_fail(r, REG_EEXIST,
		    "grant for %s on namespace %s exists: use mode update or "
		    "replace",
		    r->file, ns);
	if (strcmp(mode, "update") == 0 && !have_old)
		return req_fail(r, REG_ENOENT,
		    "no grant for %s on namespace %s to update", r->file, ns);
	return REG_OK;
}

/*
 * Set the rights of g from f: update keeps a right the body leaves out,
 * create and replace clear it.  *raising / *lowering: some right was
 * turned on / off.
 */
static void
apply_rights(struct grant *g, bool update, const int f[4], bool *raising,
    bool *lowering)
{
	bool *fields[4];
	size_t i;

	grant_fields(g, fields);
	*raising = false;
	*lowering = false;
	for (i = 0; i < 4; i++) {
		bool want = update && f[i] < 0 ? *fields[i] : f[i] == 1;

		if (want && !*fields[i])
			*raising = true;
		if (!want && *fields[i])
			*lowering = true;
		*fields[i] = want;
	}
}

/* An optional "unique_id" pins the grant to one incarnation of the role. */
static enum reg_err
body_unique_id(struct reg_req *r, json_t *doc, struct grant *g)
{
	json_t *v = json_object_get(doc, "unique_id");

	if (v == NULL)
		return REG_OK;
	if (!json_is_string(v) || json_string_length(v) >= sizeof(g->unique_id))
		return req_fail(r, REG_EINVAL,
		    "\"unique_id\" must be a string (the role id, AROA...)");
	snprintf(g->unique_id, sizeof(g->unique_id), "%s",
	    json_string_value(v));
	return REG_OK;
}

/*
 * Who may do this: creating or raising needs create-grant on ns and every
 * right the grant will hold (no escalation); lowering needs delete-grant.
 */
static enum reg_err
check_grant_rights(struct reg_req *r, const char *ns, struct grant *g,
    bool creating, bool raising, bool lowering)
{
	bool *fields[4];
	enum reg_err er;
	size_t i;

	grant_fields(g, fields);
	if (creating || raising) {
		er = authz_require(r, RIGHT_CREATE_GRANT, ns);
		if (er != REG_OK)
			return er;
		for (i = 0; i < 4; i++) {
			if (*fields[i] && !authz_can(r, right_ids[i], ns))
				return req_fail(r, REG_EPERM,
				    "%s cannot grant %s on namespace %s: it "
				    "does not hold that right itself",
				    r->who.display, right_name(right_ids[i]),
				    ns);
		}
	}
	if (lowering)
		return authz_require(r, RIGHT_DELETE_GRANT, ns);
	return REG_OK;
}

/* Store g, audit the change and answer 201 (created) or 200 (updated). */
static enum reg_err
save_grant(struct reg_req *r, const char *ns, struct grant *g, bool have_old)
{
	char target[STORE_PRINCIPAL_MAX + NAME_BUFSZ + 8];
	enum reg_err er;
	json_t *doc;

	if (!have_old) {
		g->created_at = r->now;
		snprintf(g->created_by, sizeof(g->created_by), "%s",
		    r->who.key);
	}
	g->updated_at = r->now;
	er = store_grant_put(r->app->store, ns, r->file, g,
	    have_old ? STORE_REPLACE : STORE_CREATE);
	if (er == REG_EEXIST)
		er = req_fail(r, er,
		    "grant for %s on namespace %s was created "
		    "meanwhile",
		    r->file, ns);
	if (er != REG_OK)
		return er;
	snprintf(target, sizeof(target), "%s %s", ns, r->file);
	audit_log(r, have_old ? "grant-update" : "grant-create", target,
	    json_pack("{s:b, s:b, s:b, s:b}", "download", g->download, "upload",
	        g->upload, "create_grant", g->create_grant, "delete_grant",
	        g->delete_grant));
	doc = grant_json(ns, r->file, g);
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, have_old ? 200 : 201, doc);
	json_decref(doc);
	return er;
}

enum reg_err
h_grant_put(struct reg_req *r)
{
	const char *ns = r->module.ns, *mode = "create";
	struct grant old, g;
	bool have_old, raising, lowering;
	int f[4] = { -1, -1, -1, -1 }; /* all absent until grant_body() */
	json_t *doc = NULL;
	enum reg_err er;

	er = check_principal(r);
	if (er != REG_OK)
		return er;
	er = req_json_body(r, GRANT_BODY_MAX, &doc);
	if (er != REG_OK)
		return er;
	er = grant_body(r, doc, &mode, f);
	if (er != REG_OK)
		goto out;
	er = store_grant_get(r->app->store, ns, r->file, &old);
	if (er != REG_OK && er != REG_ENOENT)
		goto out;
	have_old = er == REG_OK;
	er = check_mode(r, ns, mode, have_old);
	if (er != REG_OK)
		goto out;
	if (!have_old)
		memset(&old, 0, sizeof(old));
	g = old;
	apply_rights(&g, strcmp(mode, "update") == 0, f, &raising, &lowering);
	er = body_unique_id(r, doc, &g);
	if (er != REG_OK)
		goto out;
	er = check_grant_rights(r, ns, &g, !have_old, raising, lowering);
	if (er != REG_OK)
		goto out;
	er = save_grant(r, ns, &g, have_old);
out:
	json_decref(doc);
	return er;
}

enum reg_err
h_grant_delete(struct reg_req *r)
{
	const char *ns = r->module.ns;
	char target[STORE_PRINCIPAL_MAX + NAME_BUFSZ + 8];
	struct grant g;
	enum reg_err er;
	json_t *out;

	er = check_principal(r);
	if (er != REG_OK)
		return er;
	er = authz_require(r, RIGHT_DELETE_GRANT, ns);
	if (er != REG_OK)
		return er;
	er = store_grant_get(r->app->store, ns, r->file, &g);
	if (er == REG_OK)
		er = store_grant_delete(r->app->store, ns, r->file);
	if (er == REG_ENOENT)
		return req_fail(r, er, "no grant for %s on namespace %s",
		    r->file, ns);
	if (er != REG_OK)
		return er;
	snprintf(target, sizeof(target), "%s %s", ns, r->file);
	audit_log(r, "grant-delete", target, NULL);
	out = grant_json(ns, r->file, &g);
	if (out == NULL)
		return REG_ENOMEM;
	json_object_set_new(out, "deleted", json_true());
	er = resp_json(r->conn, 200, out);
	json_decref(out);
	return er;
}
