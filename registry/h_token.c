/*
 * registry/h_token.c: POST /v1/auth/token, the AWS IAM sign-in
 * (spec/iam-auth.md section 5.3, checks 1 to 18, in that order).
 *
 * The caller sends a presigned sts:GetCallerIdentity URL (the k8s-aws-v1.
 * token that `aws eks get-token --cluster-name <registry host>` prints).
 * Everything is checked locally first (auth/iamtok.c: envelope, encoding,
 * URL, allowlisted host, parameters, values, scope, signed headers,
 * freshness), the signature is recorded in the replay cache shared by all
 * workers and nodes' LMDB, the request is rebuilt from the parsed values
 * and sent to the allowlisted STS host with our own audience header, the
 * answer is parsed strictly (auth/stsresp.c), the ARN canonicalised
 * (auth/principal.c), and a stateless signed bearer token is issued for a
 * principal that holds at least one grant.
 *
 * Status codes: 400 malformed request, 415 not JSON, 401 STS refused the
 * signature (or the token was already used), 403 the identity is not
 * acceptable or has no grant, 503 + Retry-After when STS is unreachable,
 * throttling or answering nonsense.  Every issued token and every refusal
 * is audited (principal, account, session, access key id, STS request
 * id, reason) - never the token, the signature or the session token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/bearer.h"
#include "auth/iamtok.h"
#include "auth/keyring.h"
#include "auth/principal.h"
#include "auth/stsresp.h"
#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/log.h"
#include "registry/handlers.h"
#include "registry/views.h"

#define TOKEN_BODY_MAX 8192
#define STS_BODY_MAX STSRESP_MAX_BODY

struct exch {
	struct iamtok tok;
	struct stsresp_identity id;
	struct principal_sts who;
	char sts_request_id[STSRESP_MAX_ID + 1];
	const char *reason;
};

/* Audit a refusal and fail with er and the client-facing message. */
static enum reg_err
refuse(struct reg_req *r, struct exch *x, enum reg_err er, const char *msg,
    const char *reason)
{
	json_t *ex;

	app_count(r->app, MET_TOKENS_REFUSED);
	ex = json_pack("{s:s, s:i}", "reason", reason, "status",
	    reg_err_http_status(er));
	if (ex != NULL) {
		if (x->tok.akid[0] != '\0')
			json_object_set_new(ex, "access_key_id",
			    json_string(x->tok.akid));
		if (x->who.key[0] != '\0') {
			json_object_set_new(ex, "sts_principal",
			    json_string(x->who.key));
			json_object_set_new(ex, "account",
			    json_string(x->who.account));
			json_object_set_new(ex, "session_name",
			    json_string(x->who.session));
		} else if (x->id.arn[0] != '\0') {
			char esc[300];

			json_object_set_new(ex, "sts_arn",
			    json_string(log_escape(esc, sizeof(esc), x->id.arn,
			        strlen(x->id.arn))));
		}
		if (x->sts_request_id[0] != '\0')
			json_object_set_new(ex, "sts_request_id",
			    json_string(x->sts_request_id));
	}
	audit_log(r, "token-refused", NULL, ex);
	/*
	 * req_fail() returns er too, but from another file: returning er
	 * here lets the static analyzer see that a refusal is never REG_OK.
	 */
	(void)req_fail(r, er, "%s", msg);
	return er;
}

/* Check 1 (the app's part): media type and size. */
static enum reg_err
read_body(struct reg_req *r, struct buf *b)
{
	enum reg_err er;

	er = req_require_json(r);
	if (er != REG_OK)
		return er;
	return req_read_body(r, TOKEN_BODY_MAX, b);
}

/* Checks 11 and 12: rebuild, send, with at most one retry on 5xx. */
static enum reg_err
call_sts(struct reg_req *r, struct exch *x, struct fetch_resp *resp)
{
	const struct reg_config *cfg = r->app->cfg;
	struct fetch_req fr;
	struct buf url;
	char connect_to[CONFIG_STR_MAX + 160], err[256];
	enum reg_err er;
	int attempt;

	buf_init(&url, 8192);
	fetch_req_init(&fr);
	er = iamtok_outbound_url(&x->tok, &url);
	if (er != REG_OK)
		goto out;
	fr.url = buf_cstr(&url);
	er = fetch_req_header(&fr, cfg->audience_header, cfg->audience);
	if (er == REG_OK)
		er = fetch_req_header(&fr, "Accept", "application/json");
	if (er != REG_OK)
		goto out;
	if (cfg->sts_test_endpoint[0] != '\0') {
		/* tests only (-T): same Host, SNI and checks, other socket */
		snprintf(connect_to, sizeof(connect_to), "%s:443:%s",
		    x->tok.endpoint->host, cfg->sts_test_endpoint);
		fr.connect_to = connect_to;
	}
	fr.ca_file = cfg->sts_ca_file[0] != '\0' ? cfg->sts_ca_file : NULL;
	fr.proxy = cfg->sts_proxy;
	fr.timeout_ms = (long)cfg->sts_timeout_ms;
	fr.connect_timeout_ms = 2000;
	fr.max_body = STS_BODY_MAX;
	fr.quiet = true;
	for (attempt = 0; attempt < 2; attempt++) {
		er = fetch_do(&fr, resp, err, sizeof(err));
		if (er != REG_OK) {
			log_warnx("sts %s: %s", x->tok.endpoint->host, err);
			break;
		}
		if (resp->status < 500 || attempt == 1)
			break;
		/* one retry of a 5xx, after a little jitter */
		{
			unsigned char j = 0;

			if (cryptow_random(&j, 1) != REG_OK)
				j = 128;
			usleep(100000 + (useconds_t)j * 800);
		}
	}
out:
	buf_release(&url);
	fetch_req_release(&fr);
	return er;
}

/* Collect the namespaces the principal holds grants on (pins honoured). */
struct ns_ctx {
	const struct principal_sts *who;
	json_t *arr;
	bool pin_mismatch;
};

static bool
ns_cb(const struct grant_entry *e, void *arg)
{
	struct ns_ctx *c = arg;

	if (e->g.unique_id[0] != '\0' &&
	    strcmp(e->g.unique_id, c->who->unique_id) != 0) {
		c->pin_mismatch = true;
		return true;
	}
	if (!e->g.download && !e->g.upload && !e->g.create_grant &&
	    !e->g.delete_grant)
		return true;
	(void)json_array_append_new(c->arr, json_string(e->ns));
	return true;
}

/*
 * Checks 1 to 9, then the requested lifetime against token_max_ttl.
 * *ttl: the lifetime of the token to issue.
 */
static enum reg_err
parse_request(struct reg_req *r, struct exch *x, int64_t *ttl)
{
	const struct reg_config *cfg = r->app->cfg;
	struct iamtok_policy pol;
	struct buf body;
	const char *why = NULL;
	enum reg_err er;

	buf_init(&body, TOKEN_BODY_MAX);
	er = read_body(r, &body);
	if (er == REG_ETOOBIG || er == REG_EMEDIA || er == REG_EINVAL) {
		char msg[sizeof(r->errmsg)];

		/* refuse() rewrites r->errmsg: never pass it in as msg */
		snprintf(msg, sizeof(msg), "%s", r->errmsg);
		er = refuse(r, x, er, msg, msg);
		goto out;
	}
	if (er != REG_OK)
		goto out;

	/* checks 2 to 9 */
	pol.endpoints = r->app->sts_eps;
	pol.nendpoints = cfg->nsts;
	pol.audience_header = cfg->audience_header;
	pol.now = r->now;
	pol.max_age = (int64_t)cfg->max_age;
	pol.max_future = (int64_t)cfg->max_future;
	er = iamtok_parse_body(body.p != NULL ? body.p : "", body.len, &pol,
	    &x->tok, &why);
	if (er != REG_OK) {
		char msg[300];

		snprintf(msg, sizeof(msg), "invalid token request: %s",
		    why != NULL ? why : "malformed");
		er = refuse(r, x, er == REG_ENOMEM ? er : REG_EINVAL, msg,
		    why != NULL ? why : "malformed");
		goto out;
	}
	if (x->tok.expiration_seconds > (int64_t)cfg->token_max_ttl) {
		char msg[160];

		snprintf(msg, sizeof(msg),
		    "expiration_seconds exceeds the maximum of %llu",
		    (unsigned long long)cfg->token_max_ttl);
		er = refuse(r, x, REG_EINVAL, msg, "expiration too long");
		goto out;
	}
	*ttl = x->tok.expiration_seconds > 0 ? x->tok.expiration_seconds
	                                     : (int64_t)cfg->token_ttl;
out:
	buf_release(&body);
	return er;
}

/* Check 10: single use, shared by every worker (LMDB). */
static enum reg_err
check_replay(struct reg_req *r, struct exch *x)
{
	unsigned char rkey[CRYPTOW_SHA256_LEN];
	enum reg_err er;

	er = iamtok_replay_key(&x->tok, rkey);
	if (er == REG_OK)
		er = store_replay_add(r->app->store, rkey, x->tok.date + 900,
		    r->now);
	if (er == REG_EEXIST)
		return refuse(r, x, REG_EAUTH,
		    "this signed request was already used: sign a new one",
		    "replay");
	return er;
}

/* STS answered with an error status: its code decides 401 or 503. */
static enum reg_err
refuse_sts_status(struct reg_req *r, struct exch *x,
    const struct fetch_resp *resp)
{
	struct stsresp_error se;
	bool have = stsresp_parse_error(buf_cstr(&resp->body), resp->body.len,
	                &se) == REG_OK;
	char msg[200], reason[200];
	enum reg_err er;

	if (have && se.request_id[0] != '\0')
		snprintf(x->sts_request_id, sizeof(x->sts_request_id), "%s",
		    se.request_id);
	er = stsresp_status_err(resp->status, have ? &se : NULL);
	snprintf(reason, sizeof(reason), "sts status %ld %s", resp->status,
	    have ? se.code : "");
	if (er == REG_EAUTH) {
		snprintf(msg, sizeof(msg),
		    "AWS STS rejected the signed request (%s)",
		    have ? se.code : "no error code");
		return refuse(r, x, REG_EAUTH, msg, reason);
	}
	r->retry_after = 5;
	return refuse(r, x, REG_EUPSTREAM,
	    "AWS STS is unavailable or throttling: sign a new "
	    "request and try again "
	    "shortly",
	    reason);
}

/*
 * Checks 11 to 14: send the rebuilt request to STS and parse its answer
 * into x->id.  Transport trouble and unusable answers are 503 with
 * Retry-After; the client must sign a new request to try again.
 */
static enum reg_err
ask_sts(struct reg_req *r, struct exch *x)
{
	struct fetch_resp resp;
	char ctype[128] = "";
	const char *why = NULL;
	enum reg_err er;

	fetch_resp_init(&resp);
	er = call_sts(r, x, &resp);
	if (er == REG_ETOOBIG || er == REG_EUPSTREAM || er == REG_EINVAL ||
	    er == REG_ECRYPTO) {
		/* a certificate that does not verify is never retried */
		r->retry_after = 5;
		er = refuse(r, x, REG_EUPSTREAM,
		    "AWS STS could not be reached: sign a new request and try "
		    "again shortly",
		    er == REG_ETOOBIG       ? "sts answer too large"
		        : er == REG_ECRYPTO ? "sts certificate did not verify"
		                            : "sts unreachable");
		goto out;
	}
	if (er != REG_OK)
		goto out;
	(void)fetch_resp_header(&resp, "x-amzn-requestid", x->sts_request_id,
	    sizeof(x->sts_request_id));
	if (resp.status != 200) {
		er = refuse_sts_status(r, x, &resp);
		goto out;
	}
	(void)fetch_resp_header(&resp, "content-type", ctype, sizeof(ctype));
	er = stsresp_parse(ctype[0] != '\0' ? ctype : NULL,
	    buf_cstr(&resp.body), resp.body.len, &x->id, &why);
	if (er != REG_OK) {
		r->retry_after = 5;
		er = refuse(r, x, REG_EUPSTREAM,
		    "AWS STS gave an unusable answer: sign a new request and "
		    "try again shortly",
		    why != NULL ? why : "bad sts answer");
		goto out;
	}
	if (x->id.request_id[0] != '\0')
		snprintf(x->sts_request_id, sizeof(x->sts_request_id), "%s",
		    x->id.request_id);
out:
	fetch_resp_release(&resp);
	return er;
}

/*
 * Checks 15 and 16: the identity, then the namespaces it holds grants on.
 * *nss: new, the caller owns it (json_decref).
 */
static enum reg_err
identity_grants(struct reg_req *r, struct exch *x, json_t **nss)
{
	const struct reg_config *cfg = r->app->cfg;
	struct ns_ctx nc = { NULL, NULL, false };
	const char *why = NULL;
	enum reg_err er;

	er = principal_from_sts(x->id.arn, strlen(x->id.arn), x->id.user_id,
	    strlen(x->id.user_id), x->id.account, strlen(x->id.account),
	    x->tok.endpoint->partition, cfg->allow_user_principals, &x->who,
	    &why);
	if (er != REG_OK) {
		char msg[300];

		snprintf(msg, sizeof(msg),
		    "this identity cannot sign in here: %s",
		    why != NULL ? why : "not an IAM role");
		return refuse(r, x, REG_EPERM, msg,
		    why != NULL ? why : "identity refused");
	}
	nc.who = &x->who;
	nc.arr = json_array();
	if (nc.arr == NULL)
		return REG_ENOMEM;
	er = store_grants_each(r->app->store, NULL, x->who.key, ns_cb, &nc);
	if (er != REG_OK && er != REG_ENOENT)
		goto out;
	if (json_array_size(nc.arr) == 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s has no grant on this registry%s",
		    x->who.display,
		    nc.pin_mismatch ? " (its grants are pinned to another "
		                      "role id: the role was re-created)"
		                    : "");
		er = refuse(r, x, REG_EPERM, msg,
		    nc.pin_mismatch ? "unique id mismatch" : "no grant");
		goto out;
	}
	*nss = nc.arr;
	nc.arr = NULL;
	er = REG_OK;
out:
	json_decref(nc.arr);
	return er;
}

/*
 * Checks 17 and 18: issue a stateless signed token for x->who, valid for
 * ttl seconds, answer it with the namespaces nss (borrowed) and audit it.
 */
static enum reg_err
issue_token(struct reg_req *r, struct exch *x, int64_t ttl, json_t *nss)
{
	struct bearer_claims cl;
	struct keyring *kr;
	char exp_at[32];
	char *token = NULL;
	json_t *doc = NULL;
	enum reg_err er;

	/* check 17: a stateless signed token */
	memset(&cl, 0, sizeof(cl));
	snprintf(cl.sub, sizeof(cl.sub), "%s", x->who.key);
	snprintf(cl.arn, sizeof(cl.arn), "%s", x->who.display);
	snprintf(cl.ses, sizeof(cl.ses), "%s", x->who.session);
	snprintf(cl.uid, sizeof(cl.uid), "%s", x->who.unique_id);
	kr = keyring_cache_get(r->app->keys);
	er = bearer_issue(kr, &cl, r->now, ttl, &token);
	keyring_free(kr);
	if (er != REG_OK)
		goto out;
	fmt_time(cl.exp, exp_at);
	doc = json_pack("{s:s, s:s, s:I, s:s, s:O}", "token", token,
	    "expires_at", exp_at, "expires_in", (json_int_t)ttl, "principal",
	    x->who.display, "namespaces", nss);
	if (doc == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	app_count(r->app, MET_TOKENS_ISSUED);
	/* check 18 */
	memset(&r->who, 0, sizeof(r->who));
	snprintf(r->who.key, sizeof(r->who.key), "%s", x->who.key);
	snprintf(r->who.session, sizeof(r->who.session), "%s", x->who.session);
	audit_log(r, "token-issued", NULL,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "account",
	        x->who.account, "session_name", x->who.session, "access_key_id",
	        x->tok.akid, "sts_request_id", x->sts_request_id, "jti", cl.jti,
	        "expires_at", (json_int_t)cl.exp));
	er = resp_header(r->conn, "Cache-Control", "no-store");
	if (er == REG_OK)
		er = resp_json(r->conn, 200, doc);
out:
	if (token != NULL) {
		cryptow_wipe(token, strlen(token));
		free(token);
	}
	json_decref(doc);
	return er;
}

enum reg_err
h_auth_token(struct reg_req *r)
{
	const struct reg_config *cfg = r->app->cfg;
	struct exch *x;
	json_t *nss = NULL;
	enum reg_err er;
	int64_t ttl = 0;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return REG_ENOMEM;
	if (cfg->nsts == 0 || cfg->audience[0] == '\0') {
		er = req_fail(r, REG_ENOENT,
		    "IAM sign-in is not configured on this registry "
		    "(audience and sts_endpoint)");
		goto out;
	}
	er = parse_request(r, x, &ttl);
	if (er != REG_OK)
		goto out;
	er = check_replay(r, x);
	if (er != REG_OK)
		goto out;
	er = ask_sts(r, x);
	if (er != REG_OK)
		goto out;
	er = identity_grants(r, x, &nss);
	if (er != REG_OK)
		goto out;
	er = issue_token(r, x, ttl, nss);
out:
	json_decref(nss);
	cryptow_wipe(x, sizeof(*x));
	free(x);
	return er;
}
