/*
 * registry/authz.c: who is calling, and may they.
 *
 * Authorization header rule (defined here, tested in the integration
 * suite): the scheme "Bearer" matched case-insensitively, then exactly one
 * space, then the token, which must be non-empty and contain no
 * whitespace.  Anything else is 401.  Tokens are recognised by prefix:
 * "reg1." (signed, stateless, from the token endpoint) or "regt_" (static
 * API token, looked up by SHA-256).  Grants are re-read on every request,
 * so a removed grant takes effect on the next one.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/apitoken.h"
#include "auth/bearer.h"
#include "auth/principal.h"
#include "common/log.h"
#include "auth/keyring.h"
#include "registry/handlers.h"

#define AUTHZ_TOKEN_MAX 4096

const char *
right_name(enum right r)
{
	switch (r) {
	case RIGHT_DOWNLOAD:
		return "download";
	case RIGHT_UPLOAD:
		return "upload";
	case RIGHT_CREATE_GRANT:
		return "create-grant";
	case RIGHT_DELETE_GRANT:
		return "delete-grant";
	}
	return "?";
}

static enum reg_err
identify_apitoken(struct reg_req *r, const char *tok, size_t len)
{
	struct api_token t;
	unsigned char h[32];
	enum reg_err er;

	if (!apitoken_looks_like(tok, len))
		return req_fail(r, REG_EAUTH, "malformed API token");
	er = apitoken_hash(tok, len, h);
	if (er != REG_OK)
		return er;
	er = store_apitoken_get(r->app->store, h, &t);
	if (er == REG_ENOENT)
		return req_fail(r, REG_EAUTH, "unknown API token");
	if (er != REG_OK)
		return er;
	if (t.revoked)
		return req_fail(r, REG_EAUTH, "API token %s was revoked",
		    t.name);
	if (t.expires_at != 0 && t.expires_at <= r->now)
		return req_fail(r, REG_EAUTH, "API token %s has expired",
		    t.name);
	snprintf(r->who.key, sizeof(r->who.key), "token:%s", t.name);
	snprintf(r->who.display, sizeof(r->who.display), "token:%s", t.name);
	snprintf(r->who.via, sizeof(r->who.via), "api-token");
	return REG_OK;
}

static enum reg_err
identify_bearer(struct reg_req *r, const char *tok, size_t len)
{
	struct bearer_claims cl;
	struct keyring *kr;
	const char *why = "invalid token";
	enum reg_err er;

	kr = keyring_cache_get(r->app->keys);
	er = bearer_verify(kr, tok, len, r->now, &cl, &why);
	keyring_free(kr);
	if (er == REG_ENOENT && keyring_cache_refresh(r->app->keys, r->now)) {
		/* unknown key id: maybe a key added by registry-admin */
		kr = keyring_cache_get(r->app->keys);
		er = bearer_verify(kr, tok, len, r->now, &cl, &why);
		keyring_free(kr);
	}
	if (er != REG_OK)
		return req_fail(r, REG_EAUTH, "%s", why);
	snprintf(r->who.key, sizeof(r->who.key), "%s", cl.sub);
	snprintf(r->who.display, sizeof(r->who.display), "%s",
	    cl.arn[0] != '\0' ? cl.arn : cl.sub);
	snprintf(r->who.session, sizeof(r->who.session), "%s", cl.ses);
	snprintf(r->who.unique_id, sizeof(r->who.unique_id), "%s", cl.uid);
	snprintf(r->who.via, sizeof(r->who.via), "iam");
	return REG_OK;
}

enum reg_err
authz_identify(struct reg_req *r)
{
	const char *h = r->authorization, *tok;
	size_t len;

	if (h == NULL)
		return REG_OK;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return req_fail(r, REG_EAUTH,
		    "unsupported Authorization scheme: use \"Bearer <token>\"");
	tok = h + 7;
	len = strlen(tok);
	if (len == 0)
		return req_fail(r, REG_EAUTH,
		    "empty bearer token: get one with get-registry-token or "
		    "the terraform-credentials-iam helper");
	if (len > AUTHZ_TOKEN_MAX)
		return req_fail(r, REG_EAUTH, "bearer token too long");
	if (strpbrk(tok, " \t\r\n") != NULL)
		return req_fail(r, REG_EAUTH,
		    "malformed Authorization header: exactly one space after "
		    "\"Bearer\" and no whitespace in the token");
	if (strncmp(tok, "reg1.", 5) == 0)
		return identify_bearer(r, tok, len);
	if (strncmp(tok, "regt_", 5) == 0)
		return identify_apitoken(r, tok, len);
	return req_fail(r, REG_EAUTH,
	    "unrecognised bearer token: expected a registry token (reg1.) or "
	    "an API token (regt_)");
}

static bool
rights_has(const struct rights *rt, enum right r)
{
	switch (r) {
	case RIGHT_DOWNLOAD:
		return rt->download;
	case RIGHT_UPLOAD:
		return rt->upload;
	case RIGHT_CREATE_GRANT:
		return rt->create_grant;
	case RIGHT_DELETE_GRANT:
		return rt->delete_grant;
	}
	return false;
}

enum reg_err
authz_require(struct reg_req *r, enum right want, const char *ns)
{
	struct rights rt;
	enum reg_err er;

	if (r->who.key[0] == '\0') {
		bool pub = false;

		if (want == RIGHT_DOWNLOAD) {
			er = store_ns_is_public(r->app->store, ns, &pub);
			if (er != REG_OK && er != REG_ENOENT)
				return er;
			if (pub)
				return REG_OK;
		}
		return req_fail(r, REG_EAUTH,
		    "authentication required: this registry needs a bearer "
		    "token for %s on namespace %s (configure the "
		    "terraform-credentials-iam helper, TF_TOKEN_<host>, or a "
		    "credentials block)",
		    right_name(want), ns);
	}
	er = store_rights(r->app->store, r->who.key, r->who.unique_id, ns, &rt);
	if (er != REG_OK && er != REG_ENOENT)
		return er;
	if (er == REG_OK && rights_has(&rt, want))
		return REG_OK;
	if (er == REG_OK && rt.pin_mismatch)
		return req_fail(r, REG_EPERM,
		    "%s lacks the %s right on namespace %s: its grant is "
		    "pinned to another role id (the role was re-created); ask "
		    "an administrator to re-approve it",
		    r->who.display, right_name(want), ns);
	return req_fail(r, REG_EPERM,
	    "%s lacks the %s right on namespace %s: ask an administrator "
	    "for a grant",
	    r->who.display, right_name(want), ns);
}

bool
authz_can(struct reg_req *r, enum right want, const char *ns)
{
	char saved[sizeof(r->errmsg)];
	bool ok;

	memcpy(saved, r->errmsg, sizeof(saved));
	ok = authz_require(r, want, ns) == REG_OK;
	memcpy(r->errmsg, saved, sizeof(saved));
	return ok;
}

void
audit_log(struct reg_req *r, const char *action, const char *target,
    json_t *extra)
{
	json_t *rec;
	char *s;

	rec = extra != NULL ? extra : json_object();
	if (rec == NULL)
		return;
	json_object_set_new(rec, "ts", json_integer(r->now));
	json_object_set_new(rec, "action", json_string(action));
	json_object_set_new(rec, "principal",
	    json_string(r->who.key[0] ? r->who.key : "anonymous"));
	if (r->who.session[0] != '\0')
		json_object_set_new(rec, "session",
		    json_string(r->who.session));
	if (target != NULL)
		json_object_set_new(rec, "target", json_string(target));
	if (r->id[0] != '\0')
		json_object_set_new(rec, "request_id", json_string(r->id));
	s = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rec);
	if (s == NULL)
		return;
	if (store_audit_append(r->app->store, s, strlen(s)) != REG_OK)
		log_warnx("audit record lost: %s", action);
	log_info("audit %s", s);
	free(s);
}
