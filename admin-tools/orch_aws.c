/*
 * admin-tools/orch_aws.c: the AWS provider: set-up (region allow-list,
 * endpoints, credentials, --assume-role-arn), the SigV4 transport over
 * the core's call loop, error bodies, and the command flows
 * (create-registry, create-credentials, audit, delete, registry login).
 * See orch_aws.h for the names and the invariant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin-tools/orch_aws.h"
#include "admin-tools/orch_creds_doc.h"
#include "admin-tools/orch_policy.h"
#include "auth/awsxml.h"
#include "auth/sigv4.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"

/* aws_lookup() modes */
#define ENV_PLAIN 0  /* the process environment */
#define ENV_BASE 1   /* hide AWS_ROLE_ARN & co: resolve the source keys */
#define ENV_ASSUME 2 /* source keys + --assume-role-arn/--external-id */

static const char *const auth_codes[] = {
	"AccessDenied",
	"AccessDeniedException",
	"UnrecognizedClientException",
	"InvalidClientTokenId",
	"SignatureDoesNotMatch",
	"InvalidSignatureException",
	"ExpiredToken",
	"ExpiredTokenException",
	"MissingAuthenticationToken",
	"IncompleteSignature",
	"AuthFailure",
};

/*
 * ---- tags ---------------------------------------------------------------
 */

void
orch_aws_tags_add(struct orch_aws_tags *t, const char *key, const char *value)
{
	if (strcmp(key, ORCH_MANAGED_KEY) == 0) {
		(void)snprintf(t->managed_by, sizeof(t->managed_by), "%s",
		    value);
		t->managed = strcmp(value, ORCH_MANAGED_VAL) == 0;
	} else if (strcmp(key, ORCH_CUSTOMER_KEY) == 0) {
		(void)snprintf(t->customer, sizeof(t->customer), "%s", value);
	} else if (strcmp(key, ORCH_AWS_DELIVERED_KEY) == 0) {
		(void)snprintf(t->delivered, sizeof(t->delivered), "%s", value);
	} else if (strcmp(key, ORCH_AWS_PENDING_KEY) == 0) {
		(void)snprintf(t->pending, sizeof(t->pending), "%s", value);
	}
}

bool
orch_aws_tags_ours(const struct orch_aws_tags *t, const char *id)
{
	return t->managed && strcmp(t->customer, id) == 0;
}

/*
 * ---- error bodies -------------------------------------------------------
 */

void
orch_aws_errtype_norm(const char *p, size_t len, char *out, size_t outsz)
{
	size_t i, start = 0, end;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (p == NULL)
		return;
	for (i = 0; i < len; i++) {
		if (p[i] == '#')
			start = i + 1;
	}
	end = start;
	while (end < len && p[end] != ':')
		end++;
	if (end == start || end - start >= outsz || end - start > 95)
		return;
	for (i = start; i < end; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return;
	}
	memcpy(out, p + start, end - start);
	out[end - start] = '\0';
}

void
orch_aws_json_error(const char *body, size_t len, const char *hdr_type,
    struct orch_apierr *err)
{
	json_error_t jerr;
	json_t *j = NULL, *t, *m;

	err->code[0] = '\0';
	err->message[0] = '\0';
	if (body != NULL && len > 0 && len <= 65536)
		j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j != NULL && json_is_object(j)) {
		t = json_object_get(j, "__type");
		if (t == NULL)
			t = json_object_get(j, "code");
		if (json_is_string(t))
			orch_aws_errtype_norm(json_string_value(t),
			    json_string_length(t), err->code,
			    sizeof(err->code));
		m = json_object_get(j, "message");
		if (m == NULL)
			m = json_object_get(j, "Message");
		if (json_is_string(m))
			(void)log_escape(err->message, sizeof(err->message),
			    json_string_value(m), json_string_length(m));
	}
	json_decref(j);
	if (err->code[0] == '\0' && hdr_type != NULL)
		orch_aws_errtype_norm(hdr_type, strlen(hdr_type), err->code,
		    sizeof(err->code));
}

void
orch_aws_xml_text(const char *doc, size_t len, const char *path, size_t nth,
    char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	if (doc == NULL ||
	    awsxml_text(doc, len, path, nth, out, outsz, NULL) != REG_OK)
		out[0] = '\0';
}

void
orch_aws_xml_error(const char *body, size_t len, struct orch_apierr *err)
{
	char raw[512] = "";

	orch_aws_xml_text(body, len, "ErrorResponse/Error/Code", 0, raw,
	    sizeof(raw));
	orch_aws_errtype_norm(raw, strlen(raw), err->code, sizeof(err->code));
	orch_aws_xml_text(body, len, "ErrorResponse/Error/Message", 0, raw,
	    sizeof(raw));
	(void)log_escape(err->message, sizeof(err->message), raw, strlen(raw));
}

static void
json_errparse(void *arg, const struct fetch_resp *resp, struct orch_apierr *err)
{
	char hdr[256];

	(void)arg;
	if (!fetch_resp_header(resp, "x-amzn-errortype", hdr, sizeof(hdr)))
		hdr[0] = '\0';
	orch_aws_json_error(resp->body.p, resp->body.len,
	    hdr[0] != '\0' ? hdr : NULL, err);
}

static void
xml_errparse(void *arg, const struct fetch_resp *resp, struct orch_apierr *err)
{
	(void)arg;
	orch_aws_xml_error(resp->body.p, resp->body.len, err);
}

/* Auth failures arrive as 400 from JSON services: one class for all. */
static enum reg_err
remap(enum reg_err er, const struct orch_apierr *err)
{
	size_t i;

	if (er == REG_OK)
		return er;
	for (i = 0; i < nitems(auth_codes); i++) {
		if (strcmp(err->code, auth_codes[i]) == 0)
			return REG_EAUTH;
	}
	return er;
}

enum reg_err
orch_aws_fail(struct orch_aws *a, enum reg_err er,
    const struct orch_apierr *err, const char *what)
{
	enum orch_retry_class cls = orch_retry_classify(err->status, err->code);
	const char *hint = "";

	if (a->ctx->has_err)
		return er;
	if (cls == ORCH_RC_QUOTA)
		hint = " (a service quota: not retried): request a quota "
		       "increase or remove resources you no longer need";
	else if (cls == ORCH_RC_THROTTLE)
		hint = " (still throttled after the last attempt): try again "
		       "later or raise HONUA_MAX_ATTEMPTS";
	else if (cls == ORCH_RC_TRANSIENT)
		hint = " (after the last attempt): the service is unavailable "
		       "or unreachable; re-run the command, it resumes where "
		       "it stopped";
	else if (er == REG_EAUTH)
		hint = ": check the AWS credentials and that they allow this "
		       "action (admin-tools/policies/orchestrator-policy.json)";
	(void)orch_fail(a->ctx, er, "%s: %s%s%s%s%s", what,
	    err->code[0] != '\0' ? err->code : "error",
	    err->status != 0 ? "" : " (no answer)",
	    err->message[0] != '\0' ? ": " : "", err->message, hint);
	return er;
}

bool
orch_aws_dry(const struct orch_aws *a)
{
	return a->ctx->opts.dry_run;
}

/*
 * ---- credentials --------------------------------------------------------
 */

/* ENV_ASSUME: the source keys and the role; *hit says it answered. */
static const char *
assume_env(const struct orch_aws *a, const char *name, bool *hit)
{
	static const char *const hidden[] = {
		"AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_SECURITY_TOKEN",
		"AWS_CREDENTIAL_EXPIRATION",
	};
	const struct orch_opts *o = &a->ctx->opts;
	size_t i;

	*hit = true;
	for (i = 0; i < nitems(hidden); i++) {
		if (strcmp(name, hidden[i]) == 0)
			return NULL;
	}
	if (strcmp(name, "AWS_ROLE_ARN") == 0)
		return o->assume_role_arn;
	if (strcmp(name, "AWS_EXTERNAL_ID") == 0)
		return o->external_id;
	if (strcmp(name, "AWS_ROLE_SESSION_NAME") == 0)
		return ORCH_AWS_SESSION_NAME;
	if (strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
		return a->base.akid;
	if (strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
		return a->base.secret;
	if (strcmp(name, "AWS_SESSION_TOKEN") == 0)
		return a->base.session_token[0] != '\0' ? a->base.session_token
		                                        : NULL;
	if (strcmp(name, "AWS_PROFILE") == 0 && o->profile != NULL)
		return o->profile;
	*hit = false;
	return NULL;
}

static const char *
aws_lookup(void *arg, const char *name)
{
	struct orch_aws *a = arg;
	const char *v;
	bool hit = false;

	if (a->env_mode == ENV_BASE &&
	    (strcmp(name, "AWS_ROLE_ARN") == 0 ||
	        strcmp(name, "AWS_EXTERNAL_ID") == 0 ||
	        strcmp(name, "AWS_ROLE_SESSION_NAME") == 0))
		return NULL;
	if (a->env_mode == ENV_ASSUME) {
		v = assume_env(a, name, &hit);
		if (hit)
			return v;
	}
	return a->ctx->getenv != NULL ? a->ctx->getenv(a->ctx->getenv_arg, name)
	                              : NULL;
}

static enum reg_err
aws_creds_now(struct orch_aws *a, struct aws_creds *out)
{
	struct orch_opts *o = &a->ctx->opts;
	char msg[AWS_ERRMSG_MAX] = "";
	enum reg_err er;

	if (a->prov == NULL) {
		if (o->assume_role_arn != NULL) {
			a->env_mode = ENV_BASE;
			er = aws_creds_resolve(&a->opts, orch_now(), &a->base,
			    msg, sizeof(msg));
			if (er != REG_OK)
				return orch_fail(a->ctx, er,
				    "AWS credentials for assuming %s: %s: set "
				    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
				    "AWS_PROFILE or --profile",
				    o->assume_role_arn, msg);
			a->env_mode = ENV_ASSUME;
			a->opts.profile = NULL;
		}
		er = aws_creds_provider_new(&a->opts, &a->prov);
		if (er != REG_OK)
			return orch_fail(a->ctx, er, "AWS credentials: %s",
			    reg_err_str(er));
	}
	er = aws_creds_get(a->prov, orch_now(), out);
	if (er == REG_OK) {
		if (!a->creds_ok)
			orch_vlog(a->ctx, "aws credentials from %s",
			    out->source);
		a->creds_ok = true;
		return REG_OK;
	}
	if (o->assume_role_arn != NULL)
		return orch_fail(a->ctx, er,
		    "assuming role %s with the given external id failed: %s: "
		    "check --assume-role-arn, --external-id and the role's "
		    "trust policy",
		    o->assume_role_arn, aws_creds_provider_errmsg(a->prov));
	return orch_fail(a->ctx, er,
	    "AWS credentials: %s: set AWS_ACCESS_KEY_ID and "
	    "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile",
	    aws_creds_provider_errmsg(a->prov));
}

/*
 * ---- transport ----------------------------------------------------------
 */

void
orch_form_init(struct orch_form *f, const char *action, const char *version)
{
	buf_init(&f->b, (size_t)256 << 10);
	f->er = buf_printf(&f->b, "Action=%s&Version=%s", action, version);
}

void
orch_form_add(struct orch_form *f, const char *name, const char *value)
{
	if (f->er != REG_OK)
		return;
	f->er = buf_addc(&f->b, '&');
	if (f->er == REG_OK)
		f->er = sigv4_uri_encode(name, strlen(name), false, &f->b);
	if (f->er == REG_OK)
		f->er = buf_addc(&f->b, '=');
	if (f->er == REG_OK)
		f->er = sigv4_uri_encode(value, strlen(value), false, &f->b);
}

void
orch_form_release(struct orch_form *f)
{
	buf_release(&f->b);
}

struct sign_arg {
	struct orch_aws *a;
	const struct orch_aws_ep *ep;
	const char *ctype;
	const char *target; /* X-Amz-Target or NULL */
	const struct aws_creds *as;
	const char *body;
	size_t body_len;
};

static enum reg_err
aws_sign(void *argp, struct fetch_req *req)
{
	struct sign_arg *s = argp;
	struct aws_creds *c = NULL;
	const struct aws_creds *use = s->as;
	struct sigv4_creds sc;
	struct sigv4_param hdr[2];
	struct sigv4_req r;
	struct buf auth;
	char date[SIGV4_AMZ_DATE_LEN + 1];
	time_t t = time(NULL);
	struct tm tm;
	enum reg_err er;

	buf_init(&auth, 16384);
	if (use == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return REG_ENOMEM;
		er = aws_creds_now(s->a, c);
		if (er != REG_OK)
			goto out;
		use = c;
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm) == 0) {
		er = REG_ESYS;
		goto out;
	}
	memset(&r, 0, sizeof(r));
	hdr[0].name = span_cstr("content-type");
	hdr[0].value = span_cstr(s->ctype);
	if (s->target != NULL) {
		hdr[1].name = span_cstr("x-amz-target");
		hdr[1].value = span_cstr(s->target);
	}
	r.method = "POST";
	r.host = span_cstr(s->ep->u.hostport);
	r.path = span_cstr(s->ep->u.path);
	r.headers = hdr;
	r.nheaders = s->target != NULL ? 2 : 1;
	r.body = s->body;
	r.body_len = s->body_len;
	r.amz_date = date;
	aws_creds_sigv4(use, &sc);
	er = sigv4_authorization_header(&r, &sc, s->ep->signing_region,
	    s->ep->signing_name, &auth);
	if (er != REG_OK) {
		(void)orch_fail(s->a->ctx, er, "signing the %s request: %s",
		    s->ep->signing_name, reg_err_str(er));
		goto out;
	}
	er = fetch_req_header(req, "Content-Type", s->ctype);
	if (er == REG_OK && s->target != NULL)
		er = fetch_req_header(req, "X-Amz-Target", s->target);
	if (er == REG_OK)
		er = fetch_req_header(req, "X-Amz-Date", date);
	if (er == REG_OK && sc.session_token != NULL)
		er = fetch_req_header(req, "X-Amz-Security-Token",
		    sc.session_token);
	if (er == REG_OK)
		er = fetch_req_header(req, "Authorization", buf_cstr(&auth));
out:
	buf_release_wipe(&auth);
	if (c != NULL) {
		aws_creds_clear(c);
		free(c);
	}
	return er;
}

static void
call_init(struct orch_aws *a, const struct orch_aws_ep *ep, struct orch_call *c,
    const char *action, const char *summary)
{
	memset(c, 0, sizeof(*c));
	c->provider = "aws";
	c->service = ep->signing_name;
	c->action = action;
	c->method = "POST";
	c->url = ep->url;
	c->summary = summary;
	c->show_body = true;
	c->allow_http = !ep->u.https && ep->u.loopback;
	c->ca_file = a->tls.ca_file[0] != '\0' ? a->tls.ca_file : NULL;
	c->max_body = ORCH_AWS_RESP_MAX;
	c->sign = aws_sign;
}

enum reg_err
orch_aws_json(struct orch_aws *a, const struct orch_aws_ep *ep,
    const char *target, const char *action, json_t *body, const char *summary,
    bool resp_secret, const struct aws_creds *as, json_t **out,
    struct orch_apierr *err)
{
	struct orch_call c;
	struct sign_arg s;
	struct fetch_resp resp;
	json_error_t jerr;
	char tgt[160], *txt;
	json_t *j;
	enum reg_err er;

	if (out != NULL)
		*out = NULL;
	txt = body != NULL ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS)
	                   : strdup("{}");
	if (txt == NULL)
		return REG_ENOMEM;
	(void)snprintf(tgt, sizeof(tgt), "%s.%s", target, action);
	call_init(a, ep, &c, action, summary);
	c.body = txt;
	c.body_len = strlen(txt);
	c.resp_secret = resp_secret;
	c.errparse = json_errparse;
	s.a = a;
	s.ep = ep;
	s.ctype = "application/x-amz-json-1.1";
	s.target = tgt;
	s.as = as;
	s.body = txt;
	s.body_len = c.body_len;
	c.arg = &s;
	fetch_resp_init(&resp);
	er = orch_call_do(a->ctx, &c, &resp, err);
	if (er == REG_OK && resp.status != 0 && out != NULL) {
		j = json_loadb(resp.body.p != NULL ? resp.body.p : "",
		    resp.body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL || !json_is_object(j)) {
			json_decref(j);
			(void)snprintf(err->message, sizeof(err->message),
			    "the %s answer is not a JSON object", action);
			er = REG_EUPSTREAM;
		} else {
			*out = j;
		}
	}
	er = remap(er, err);
	if (resp_secret)
		orch_resp_release_wipe(&resp);
	else
		fetch_resp_release(&resp);
	free(txt);
	return er;
}

enum reg_err
orch_aws_query(struct orch_aws *a, const struct orch_aws_ep *ep,
    struct orch_form *form, const char *action, const char *summary,
    bool resp_secret, const struct aws_creds *as, struct fetch_resp *resp,
    struct orch_apierr *err)
{
	struct orch_call c;
	struct sign_arg s;
	enum reg_err er;

	memset(err, 0, sizeof(*err));
	if (form->er != REG_OK)
		return form->er;
	call_init(a, ep, &c, action, summary);
	c.body = buf_cstr(&form->b);
	c.body_len = form->b.len;
	c.resp_secret = resp_secret;
	c.errparse = xml_errparse;
	s.a = a;
	s.ep = ep;
	s.ctype = "application/x-www-form-urlencoded; charset=utf-8";
	s.target = NULL;
	s.as = as;
	s.body = c.body;
	s.body_len = c.body_len;
	c.arg = &s;
	er = orch_call_do(a->ctx, &c, resp, err);
	if (er == REG_OK && resp->status != 0 &&
	    awsxml_check(resp->body.p != NULL ? resp->body.p : "",
	        resp->body.len) != REG_OK) {
		(void)snprintf(err->message, sizeof(err->message),
		    "the %s answer is not well-formed XML", action);
		er = REG_EUPSTREAM;
	}
	return remap(er, err);
}

/*
 * ---- open / close -------------------------------------------------------
 */

static enum reg_err
ep_resolve(struct orch_aws *a, const char *service, const char *signing,
    struct orch_aws_ep *ep)
{
	struct aws_endpoint e;
	char msg[AWS_ERRMSG_MAX] = "";
	enum reg_err er;

	memset(ep, 0, sizeof(*ep));
	er = aws_endpoint_resolve(&a->opts, service, a->region, &e, msg,
	    sizeof(msg));
	if (er == REG_EINVAL && strcmp(service, "secrets-manager") == 0 &&
	    strstr(msg, "no default endpoint") != NULL) {
		memset(&e, 0, sizeof(e));
		(void)snprintf(e.url, sizeof(e.url),
		    "https://secretsmanager.%s.%s", a->region,
		    strncmp(a->region, "cn-", 3) == 0 ? "amazonaws.com.cn"
		                                      : "amazonaws.com");
		(void)snprintf(e.signing_region, sizeof(e.signing_region), "%s",
		    a->region);
		er = REG_OK;
	}
	if (er != REG_OK)
		return orch_fail(a->ctx, REG_EINVAL, "%s endpoint: %s", service,
		    msg);
	(void)snprintf(ep->url, sizeof(ep->url), "%s/", e.url);
	(void)snprintf(ep->signing_region, sizeof(ep->signing_region), "%s",
	    e.signing_region);
	ep->signing_name = signing;
	if (orch_url_parse(ep->url, &ep->u) != REG_OK)
		return orch_fail(a->ctx, REG_EINVAL,
		    "%s endpoint %s: not an "
		    "http(s) URL",
		    service, e.url);
	if (!ep->u.https && !ep->u.loopback)
		return orch_fail(a->ctx, REG_EINVAL,
		    "%s endpoint %s: plain http is allowed only to a loopback "
		    "host",
		    service, e.url);
	/* sign exactly the path we send */
	(void)snprintf(ep->url, sizeof(ep->url), "%s://%s%s",
	    ep->u.https ? "https" : "http", ep->u.hostport, ep->u.path);
	return REG_OK;
}

static void
aws_close(void *state)
{
	struct orch_aws *a = state;

	if (a == NULL)
		return;
	aws_creds_provider_free(a->prov);
	aws_creds_clear(&a->base);
	free(a);
}

static enum reg_err
aws_open(struct orch_ctx *ctx, void **state)
{
	struct orch_aws *a;
	char msg[AWS_ERRMSG_MAX] = "";
	enum reg_err er;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return REG_ENOMEM;
	a->ctx = ctx;
	a->opts.env.lookup = aws_lookup;
	a->opts.env.arg = a;
	a->opts.profile = ctx->opts.profile;
	a->opts.region = ctx->opts.region;
	a->env_mode = ctx->opts.assume_role_arn != NULL ? ENV_BASE : ENV_PLAIN;
	er = aws_region_resolve(&a->opts, a->region, msg, sizeof(msg));
	if (er != REG_OK) {
		er = orch_fail(ctx, REG_EINVAL, "AWS region: %s", msg);
		goto out;
	}
	/* the allow-list is checked before any request is made */
	if (!orch_list_has(ctx->cfg.allowed_regions, a->region,
	        strlen(a->region))) {
		er = orch_fail(ctx, REG_EINVAL,
		    "region %s is not allowed (AWS_ALLOWED_ECR_REGIONS=%s): "
		    "pass --region with one of those or extend "
		    "AWS_ALLOWED_ECR_REGIONS",
		    a->region, ctx->cfg.allowed_regions);
		goto out;
	}
	er = aws_tls_resolve(&a->opts, &a->tls, msg, sizeof(msg));
	if (er != REG_OK) {
		er = orch_fail(ctx, REG_EINVAL, "AWS CA bundle: %s", msg);
		goto out;
	}
	er = ep_resolve(a, "ecr", "ecr", &a->ecr);
	if (er == REG_OK)
		er = ep_resolve(a, "iam", "iam", &a->iam);
	if (er == REG_OK)
		er = ep_resolve(a, "sts", "sts", &a->sts);
	if (er == REG_OK)
		er = ep_resolve(a, "secrets-manager", "secretsmanager", &a->sm);
	if (er != REG_OK)
		goto out;
	orch_vlog(ctx, "aws region %s; ecr %s, iam %s (signed %s), sts %s",
	    a->region, a->ecr.url, a->iam.url, a->iam.signing_region,
	    a->sts.url);
	*state = a;
	a = NULL;
out:
	aws_close(a);
	return er;
}

static enum reg_err
aws_validate_names(struct orch_ctx *ctx, void *state, const char *id)
{
	char user[128];
	int n;

	(void)state;
	if (!orch_customer_id_valid(id, strlen(id)))
		return orch_fail(ctx, REG_EINVAL, "customer id %s: must be %s",
		    id, ORCH_ID_RULE);
	/* IAM user names: [\w+=,.@-]{1,64}; ECR names: 2..256 */
	n = snprintf(user, sizeof(user), "%s%s", ORCH_AWS_USER_PREFIX, id);
	if (n < 0 || n > 64)
		return orch_fail(ctx, REG_EINVAL,
		    "IAM user name %s is too long", user);
	return REG_OK;
}

enum reg_err
orch_aws_identity(struct orch_aws *a)
{
	const char *p, *e;
	enum reg_err er;

	if (a->identity_known)
		return REG_OK;
	if (orch_aws_dry(a)) {
		er = orch_sts_identity(a, NULL, a->account, sizeof(a->account),
		    a->caller_arn, sizeof(a->caller_arn));
		(void)snprintf(a->account, sizeof(a->account), "000000000000");
		(void)snprintf(a->partition, sizeof(a->partition), "aws");
		a->identity_known = true;
		return er;
	}
	er = orch_sts_identity(a, NULL, a->account, sizeof(a->account),
	    a->caller_arn, sizeof(a->caller_arn));
	if (er != REG_OK)
		return er;
	/* arn:PARTITION:... */
	p = strncmp(a->caller_arn, "arn:", 4) == 0 ? a->caller_arn + 4 : NULL;
	e = p != NULL ? strchr(p, ':') : NULL;
	if (e == NULL || e == p || (size_t)(e - p) >= sizeof(a->partition) ||
	    strlen(a->account) != 12)
		return orch_fail(a->ctx, REG_EUPSTREAM,
		    "sts GetCallerIdentity: unexpected identity %s (account "
		    "%s)",
		    a->caller_arn, a->account);
	memcpy(a->partition, p, (size_t)(e - p));
	a->partition[e - p] = '\0';
	a->identity_known = true;
	orch_vlog(a->ctx, "aws identity %s (account %s, partition %s)",
	    a->caller_arn, a->account, a->partition);
	return REG_OK;
}

enum reg_err
orch_aws_secret_string(struct orch_ctx *ctx, void *state, const char *name,
    struct buf *out)
{
	struct orch_aws *a = state;
	struct orch_apierr err;
	json_t *body, *ans = NULL, *s;
	char summary[300];
	enum reg_err er;

	(void)ctx;
	body = json_pack("{s:s}", "SecretId", name);
	if (body == NULL)
		return REG_ENOMEM;
	(void)snprintf(summary, sizeof(summary), "SecretId=%s", name);
	er = orch_aws_json(a, &a->sm, ORCH_AWS_SM_TARGET, "GetSecretValue",
	    body, summary, true, NULL, &ans, &err);
	json_decref(body);
	if (er == REG_OK && ans == NULL)
		return REG_OK; /* dry run */
	if (er != REG_OK) {
		if (strcmp(err.code, "ResourceNotFoundException") == 0)
			return orch_fail(a->ctx, REG_ENOENT,
			    "secretsmanager GetSecretValue %s: no such secret: "
			    "store the GitHub token there or set "
			    "GITHUB_PAT_SECRET_NAME",
			    name);
		return orch_aws_fail(a, er, &err,
		    "secretsmanager GetSecretValue");
	}
	s = json_object_get(ans, "SecretString");
	if (!json_is_string(s) || json_string_length(s) == 0)
		er = orch_fail(a->ctx, REG_EINVAL,
		    "secret %s has no SecretString: store the token as text",
		    name);
	else
		er = buf_add(out, json_string_value(s), json_string_length(s));
	json_decref(ans);
	return er;
}

/*
 * ---- names --------------------------------------------------------------
 */

bool
orch_aws_user_name(const char *id, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s%s", ORCH_AWS_USER_PREFIX, id);

	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return false;
	}
	return true;
}

bool
orch_aws_repo_name(const char *id, const char *image, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "honua/%s/%s", id, image);

	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return false;
	}
	return true;
}

static void
user_name(const char *id, char *out, size_t outsz)
{
	(void)orch_aws_user_name(id, out, outsz);
}

static enum reg_err
images_of(struct orch_ctx *ctx, char *store, size_t storesz, const char **names,
    size_t *n)
{
	const char *list =
	    ctx->opts.images != NULL ? ctx->opts.images : ctx->cfg.images;

	if (orch_split_images(list, store, storesz, names, ORCH_MAX_IMAGES,
	        n) != REG_OK)
		return orch_fail(ctx, REG_EINVAL,
		    "image list \"%s\" (--images or HONUA_ECR_IMAGES): each "
		    "name must match ^[a-z0-9]+([._-][a-z0-9]+)*$ (at most "
		    "%d, no repeats)",
		    list, ORCH_MAX_IMAGES);
	return REG_OK;
}

/*
 * ---- create-registry ----------------------------------------------------
 */

/* Adopt an existing repository if, and only if, it is ours. */
static enum reg_err
adopt_repo(struct orch_aws *a, const char *name, const char *id,
    struct orch_ecr_repo *repo)
{
	struct orch_aws_tags tags;
	enum reg_err er;

	er = orch_ecr_describe(a, name, repo);
	if (er == REG_ENOENT)
		return orch_fail(a->ctx, REG_EUPSTREAM,
		    "ecr repository %s: reported as existing but not found; "
		    "re-run the command",
		    name);
	if (er != REG_OK)
		return er;
	memset(&tags, 0, sizeof(tags));
	er = orch_ecr_list_tags(a, repo->arn, &tags);
	if (er != REG_OK)
		return er;
	if (!tags.managed)
		return orch_fail(a->ctx, REG_EPERM,
		    "ecr repository %s exists but is not managed by "
		    "honua-orchestrator (no tag %s=%s): refusing to adopt it; "
		    "remove or rename it, or use another customer id",
		    name, ORCH_MANAGED_KEY, ORCH_MANAGED_VAL);
	if (strcmp(tags.customer, id) != 0)
		return orch_fail(a->ctx, REG_EPERM,
		    "ecr repository %s is managed for customer \"%s\", not %s: "
		    "refusing to adopt it",
		    name, tags.customer, id);
	if (strcmp(repo->encryption, "AES256") != 0)
		orch_warn(a->ctx,
		    "ecr repository %s uses encryption %s, not AES256 (it "
		    "cannot be changed after creation)",
		    name, repo->encryption);
	if (strcmp(repo->mutability, "IMMUTABLE") != 0)
		orch_warn(a->ctx,
		    "ecr repository %s has image tag mutability %s, not "
		    "IMMUTABLE",
		    name, repo->mutability);
	return orch_ecr_tag(a, repo->arn, id);
}

/* One repository: created, or adopted when ours; its lifecycle policy. */
static enum reg_err
ensure_repo(struct orch_aws *a, const char *name, const char *id,
    const char *lifecycle, struct orch_report *rep)
{
	struct orch_ctx *ctx = a->ctx;
	struct orch_ecr_repo repo;
	struct orch_poll poll;
	bool created;
	enum reg_err er;

	memset(&repo, 0, sizeof(repo));
	er = orch_ecr_create(a, name, id, &repo);
	created = er == REG_OK;
	if (er == REG_EEXIST)
		er = adopt_repo(a, name, id, &repo);
	if (er != REG_OK)
		return er;
	/* a repository just created may not be visible yet */
	orch_poll_start(ctx, &poll);
	do {
		er = orch_ecr_put_lifecycle(a, name, lifecycle);
	} while (er == REG_ENOENT && orch_poll_next(ctx, &poll, name));
	if (er == REG_ENOENT)
		return orch_fail(ctx, er,
		    "ecr PutLifecyclePolicy %s: repository not visible after "
		    "%ld s; re-run the command",
		    name, ctx->cfg.consistency_timeout_ms / 1000);
	if (er != REG_OK)
		return er;
	return orch_report_add(rep,
	    orch_aws_dry(a) ? "would-create"
	        : created   ? "created"
	                    : "adopted",
	    "ecr-repository", name, repo.uri);
}

static enum reg_err
aws_create_registry(struct orch_ctx *ctx, void *state, struct orch_report *rep)
{
	struct orch_aws *a = state;
	const char *id = ctx->opts.customer_id, *names[ORCH_MAX_IMAGES];
	char store[1024], name[300], msg[512] = "";
	struct buf raw, life;
	size_t i, n = 0;
	enum reg_err er;

	buf_init(&raw, ORCH_POLICY_MAX);
	buf_init(&life, ORCH_POLICY_MAX);
	er = images_of(ctx, store, sizeof(store), names, &n);
	if (er != REG_OK)
		goto out;
	er = orch_policy_load(&ctx->cfg, ORCH_POLICY_LIFECYCLE, &raw, msg,
	    sizeof(msg));
	if (er == REG_OK &&
	    orch_policy_compact(buf_cstr(&raw), raw.len, &life) != REG_OK) {
		(void)snprintf(msg, sizeof(msg), "%s is not a JSON object",
		    ORCH_POLICY_LIFECYCLE);
		er = REG_EINVAL;
	}
	if (er != REG_OK) {
		er = orch_fail(ctx, er, "lifecycle policy: %s", msg);
		goto out;
	}
	er = orch_aws_identity(a);
	for (i = 0; er == REG_OK && i < n; i++) {
		(void)orch_aws_repo_name(id, names[i], name, sizeof(name));
		er = ensure_repo(a, name, id, buf_cstr(&life), rep);
	}
out:
	buf_release(&raw);
	buf_release(&life);
	return er;
}

/*
 * ---- create-credentials -------------------------------------------------
 */

struct repo_list {
	const char *id;
	char names[ORCH_MAX_IMAGES * 4][300];
	char registry[300];
	size_t n;
	size_t foreign;
};

static enum reg_err
collect_repo(struct orch_aws *a, const struct orch_ecr_repo *r, void *arg)
{
	struct repo_list *l = arg;
	struct orch_aws_tags tags;
	const char *slash;
	enum reg_err er;

	memset(&tags, 0, sizeof(tags));
	er = orch_ecr_list_tags(a, r->arn, &tags);
	if (er == REG_ENOENT)
		return REG_OK; /* deleted meanwhile */
	if (er != REG_OK)
		return er;
	if (!orch_aws_tags_ours(&tags, l->id)) {
		l->foreign++;
		return REG_OK;
	}
	if (l->n >= nitems(l->names))
		return REG_OK;
	(void)snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", r->name);
	slash = strchr(r->uri, '/');
	if (l->registry[0] == '\0' && slash != NULL &&
	    (size_t)(slash - r->uri) < sizeof(l->registry)) {
		memcpy(l->registry, r->uri, (size_t)(slash - r->uri));
		l->registry[slash - r->uri] = '\0';
	}
	return REG_OK;
}

/* Ensure the IAM user exists and is ours; *created says which. */
static enum reg_err
ensure_user(struct orch_aws *a, const char *user, const char *id, bool *created,
    struct orch_aws_tags *tags)
{
	struct orch_iam_user u;
	struct orch_poll poll;
	enum reg_err er;

	memset(tags, 0, sizeof(*tags));
	memset(&u, 0, sizeof(u));
	er = orch_iam_create_user(a, user, id, &u);
	*created = er == REG_OK;
	if (er == REG_OK) {
		orch_aws_tags_add(tags, ORCH_MANAGED_KEY, ORCH_MANAGED_VAL);
		orch_aws_tags_add(tags, ORCH_CUSTOMER_KEY, id);
		return REG_OK;
	}
	if (er != REG_EEXIST)
		return er;
	/* adopt: only ours, only under /honua/ */
	orch_poll_start(a->ctx, &poll);
	for (;;) {
		er = orch_iam_get_user(a, user, &u);
		if (er != REG_ENOENT || !orch_poll_next(a->ctx, &poll, user))
			break;
	}
	if (er == REG_OK) {
		for (;;) {
			er = orch_iam_user_tags(a, user, tags);
			if (er != REG_ENOENT ||
			    !orch_poll_next(a->ctx, &poll, user))
				break;
		}
	}
	if (er == REG_ENOENT)
		return orch_fail(a->ctx, er,
		    "iam user %s: exists but cannot be read; re-run the "
		    "command",
		    user);
	if (er != REG_OK)
		return er;
	if (!tags->managed || strcmp(tags->customer, id) != 0)
		return orch_fail(a->ctx, REG_EPERM,
		    "iam user %s exists but is not managed by "
		    "honua-orchestrator for customer %s (tags %s=\"%s\", "
		    "%s=\"%s\"): refusing to adopt it",
		    user, id, ORCH_MANAGED_KEY, tags->managed_by,
		    ORCH_CUSTOMER_KEY, tags->customer);
	if (strcmp(u.path, ORCH_AWS_USER_PATH) != 0)
		return orch_fail(a->ctx, REG_EPERM,
		    "iam user %s has path %s, not %s: refusing to adopt it",
		    user, u.path, ORCH_AWS_USER_PATH);
	return REG_OK;
}

/* Deactivate, then delete one key; absent is fine. */
static enum reg_err
retire_key(struct orch_aws *a, const char *user, const char *id,
    struct orch_report *rep, const char *why)
{
	enum reg_err er;

	er = orch_iam_update_key(a, user, id, "Inactive");
	if (er == REG_ENOENT)
		return orch_report_add(rep, "absent", "access-key", id, why);
	if (er == REG_OK)
		er = orch_iam_delete_key(a, user, id);
	if (er == REG_ENOENT)
		er = REG_OK;
	if (er == REG_OK)
		er = orch_report_add(rep, "removed", "access-key", id, why);
	return er;
}

/*
 * Poll until the new key works: STS first (the key is known), then
 * ecr:GetAuthorizationToken (the inline policy is in force).
 */
static enum reg_err
verify_key(struct orch_aws *a, const struct aws_creds *key)
{
	struct orch_login login;
	struct orch_poll poll;
	char acct[16], arn[600];
	enum reg_err er;

	orch_poll_start(a->ctx, &poll);
	for (;;) {
		er = orch_sts_identity(a, key, acct, sizeof(acct), arn,
		    sizeof(arn));
		if (er != REG_EAUTH ||
		    !orch_poll_next(a->ctx, &poll, "the new access key"))
			break;
	}
	while (er == REG_OK) {
		memset(&login, 0, sizeof(login));
		er = orch_ecr_auth_token(a, key, &login);
		orch_login_clear(&login);
		if (er != REG_EAUTH ||
		    !orch_poll_next(a->ctx, &poll, "the new key's policy"))
			break;
	}
	if (er == REG_EAUTH)
		return orch_fail(a->ctx, er,
		    "the new access key %s is not usable after %ld s (IAM "
		    "eventual consistency): re-run the command; it replaces "
		    "the undelivered key",
		    key->akid, a->ctx->cfg.consistency_timeout_ms / 1000);
	return er;
}

static enum reg_err
write_doc(struct orch_aws *a, const struct aws_creds *key, const char *user,
    const struct repo_list *repos, struct orch_report *rep)
{
	struct orch_ctx *ctx = a->ctx;
	const char *list[nitems(repos->names)];
	struct orch_doc_field f[7];
	struct orch_creds_doc d;
	char login[800], msg[512];
	struct buf doc;
	size_t i;
	enum reg_err er;

	for (i = 0; i < repos->n; i++)
		list[i] = repos->names[i];
	(void)snprintf(login, sizeof(login),
	    "aws ecr get-login-password --region %s | docker login "
	    "--username AWS --password-stdin %s",
	    a->region, repos->registry);
	memset(f, 0, sizeof(f));
	f[0].key = "region";
	f[0].value = a->region;
	f[1].key = "registry";
	f[1].value = repos->registry;
	f[2].key = "repositories";
	f[2].list = list;
	f[2].nlist = repos->n;
	f[3].key = "iamUser";
	f[3].value = user;
	f[4].key = "accessKeyId";
	f[4].value = key->akid;
	f[5].key = "secretAccessKey";
	f[5].value = key->secret;
	f[6].key = "dockerLogin";
	f[6].value = login;
	d.customer_id = ctx->opts.customer_id;
	d.issued_at = orch_now();
	d.section = "aws";
	d.fields = f;
	d.nfields = nitems(f);
	buf_init(&doc, ORCH_DOC_MAX);
	er = orch_creds_doc_render(&d, &doc);
	if (er == REG_OK) {
		er = orch_creds_doc_write(ctx->opts.output, buf_cstr(&doc),
		    doc.len, msg, sizeof(msg));
		if (er != REG_OK)
			(void)orch_fail(ctx, er,
			    "writing the credentials document: %s: the new "
			    "key %s was not delivered; fix the problem and "
			    "re-run: the undelivered key is replaced",
			    msg, key->akid);
	}
	buf_release_wipe(&doc);
	if (er == REG_OK)
		er = orch_report_add(rep, "wrote", "credentials",
		    strcmp(ctx->opts.output, "-") == 0 ? "(standard output)"
		                                       : ctx->opts.output,
		    key->akid);
	return er;
}

struct key_plan {
	struct orch_iam_keys keys;
	bool known[ORCH_AWS_MAX_KEYS];  /* delivered: tag or output file */
	bool orphan[ORCH_AWS_MAX_KEYS]; /* not delivered, never used */
	size_t nknown, norphan, nforeign;
};

static enum reg_err
plan_keys(struct orch_aws *a, const char *user,
    const struct orch_aws_tags *tags, struct key_plan *p)
{
	struct orch_ctx *ctx = a->ctx;
	struct orch_poll poll;
	char file_akid[AWS_AKID_MAX + 1] = "";
	size_t i;
	enum reg_err er;

	memset(p, 0, sizeof(*p));
	orch_poll_start(ctx, &poll);
	for (;;) {
		er = orch_iam_list_keys(a, user, &p->keys);
		if (er != REG_ENOENT || !orch_poll_next(ctx, &poll, user))
			break;
	}
	if (er == REG_ENOENT)
		return orch_fail(ctx, er,
		    "iam ListAccessKeys %s: user not visible after %ld s; "
		    "re-run the command",
		    user, ctx->cfg.consistency_timeout_ms / 1000);
	if (er != REG_OK)
		return er;
	if (strcmp(ctx->opts.output, "-") != 0 &&
	    orch_creds_doc_peek(ctx->opts.output, "aws", "accessKeyId",
	        file_akid, sizeof(file_akid)) != REG_OK)
		file_akid[0] = '\0';
	for (i = 0; i < p->keys.n; i++) {
		struct orch_iam_key *k = &p->keys.v[i];

		er = orch_iam_key_last_used(a, k);
		if (er != REG_OK)
			return er;
		if ((tags->delivered[0] != '\0' &&
		        strcmp(k->id, tags->delivered) == 0) ||
		    (file_akid[0] != '\0' && strcmp(k->id, file_akid) == 0)) {
			p->known[i] = true;
			p->nknown++;
		} else if (k->last_used == 0 ||
		    (tags->pending[0] != '\0' &&
		        strcmp(k->id, tags->pending) == 0)) {
			/* never used, or created and verified by a run that
			 * stopped before the document was written */
			p->orphan[i] = true;
			p->norphan++;
		} else {
			p->nforeign++;
		}
	}
	return REG_OK;
}

/* Index of the oldest key matching the mask (NULL: any), or -1. */
static int
oldest(const struct key_plan *p, const bool *mask)
{
	int best = -1;
	size_t i;

	for (i = 0; i < p->keys.n; i++) {
		if (mask != NULL && !mask[i])
			continue;
		if (best < 0 || p->keys.v[i].created < p->keys.v[best].created)
			best = (int)i;
	}
	return best;
}

/* Steps 1-2: the customer's repositories and the rendered policy. */
static enum reg_err
creds_prepare(struct orch_aws *a, const char *id, struct repo_list *repos,
    struct buf *policy)
{
	struct orch_ctx *ctx = a->ctx;
	struct orch_policy_vars vars;
	struct buf tmpl;
	char prefix[64], msg[512] = "";
	enum reg_err er;

	er = orch_aws_identity(a);
	if (er != REG_OK)
		return er;
	/* 1. the customer's repositories (create-registry made them) */
	(void)snprintf(prefix, sizeof(prefix), "honua/%s/", id);
	er = orch_ecr_list(a, prefix, collect_repo, repos);
	if (er != REG_OK)
		return er;
	if (repos->n == 0 && !orch_aws_dry(a))
		return orch_fail(ctx, REG_ENOENT,
		    "customer %s has no ecr repository managed by "
		    "honua-orchestrator in %s: run create-registry first",
		    id, a->region);
	if (repos->registry[0] == '\0')
		(void)snprintf(repos->registry, sizeof(repos->registry),
		    "%s.dkr.ecr.%s.amazonaws.com", a->account, a->region);
	/* 2. the policy, rendered before anything changes */
	buf_init(&tmpl, ORCH_POLICY_MAX);
	er = orch_policy_load(&ctx->cfg,
	    ctx->opts.allow_push ? ORCH_POLICY_PUSH : ORCH_POLICY_PULL, &tmpl,
	    msg, sizeof(msg));
	if (er == REG_OK) {
		vars.partition = a->partition;
		vars.region = a->region;
		vars.account = a->account;
		vars.customer_id = id;
		er = orch_policy_render(buf_cstr(&tmpl), tmpl.len, &vars,
		    policy, msg, sizeof(msg));
	}
	buf_release(&tmpl);
	if (er != REG_OK)
		return orch_fail(ctx, er, "customer policy: %s", msg);
	return REG_OK;
}

/* Steps 3-4: the user, created or adopted, and its inline policy. */
static enum reg_err
creds_user(struct orch_aws *a, const char *user, const char *id,
    const char *policy, struct orch_aws_tags *tags, struct orch_report *rep)
{
	struct orch_ctx *ctx = a->ctx;
	struct orch_poll poll;
	bool created;
	enum reg_err er;

	er = ensure_user(a, user, id, &created, tags);
	if (er == REG_OK)
		er = orch_report_add(rep,
		    orch_aws_dry(a) ? "would-create"
		        : created   ? "created"
		                    : "adopted",
		    "iam-user", user, ORCH_AWS_USER_PATH);
	if (er != REG_OK)
		return er;
	/* upsert; a user just created may not be visible yet */
	orch_poll_start(ctx, &poll);
	do {
		er = orch_iam_put_policy(a, user, ORCH_AWS_POLICY_NAME, policy);
	} while (er == REG_ENOENT && orch_poll_next(ctx, &poll, user));
	if (er == REG_ENOENT)
		return orch_fail(ctx, er,
		    "iam PutUserPolicy %s: user not visible after %ld s; "
		    "re-run the command",
		    user, ctx->cfg.consistency_timeout_ms / 1000);
	if (er != REG_OK)
		return er;
	return orch_report_add(rep, "put", "iam-policy", ORCH_AWS_POLICY_NAME,
	    ctx->opts.allow_push ? "pull and push" : "pull");
}

/*
 * Without --rotate and with a delivered key: converged.  Undelivered
 * keys of a failed run are cleaned up.
 */
static enum reg_err
keys_kept(struct orch_aws *a, const char *user, const struct key_plan *plan,
    struct orch_report *rep)
{
	enum reg_err er = REG_OK;
	size_t i;

	for (i = 0; er == REG_OK && i < plan->keys.n; i++) {
		if (plan->orphan[i])
			er = retire_key(a, user, plan->keys.v[i].id, rep,
			    "undelivered key of an earlier run");
		else if (plan->known[i])
			er = orch_report_add(rep, "kept", "access-key",
			    plan->keys.v[i].id,
			    "already delivered; use --rotate for a new key");
	}
	return er;
}

/* At the 2-key cap: retire an undelivered key, else the oldest. */
static enum reg_err
make_room(struct orch_aws *a, const char *user, const struct key_plan *plan,
    bool *retired, struct orch_report *rep)
{
	int victim;

	if (plan->keys.n < 2)
		return REG_OK;
	victim = oldest(plan, plan->orphan);
	if (victim < 0)
		victim = oldest(plan, NULL);
	if (!plan->orphan[victim])
		orch_warn(a->ctx,
		    "iam user %s has %zu access keys (the cap is 2): retiring "
		    "the older key %s before creating the new one",
		    user, plan->keys.n, plan->keys.v[victim].id);
	retired[victim] = true;
	return retire_key(a, user, plan->keys.v[victim].id, rep,
	    "made room under the 2-key cap");
}

/*
 * Steps 6-10: create a key, mark it pending, check it works, write the
 * document, mark it delivered, and only then retire the older keys.
 */
static enum reg_err
issue_key(struct orch_aws *a, const char *user, const struct repo_list *repos,
    const struct key_plan *plan, const bool *retired, struct orch_report *rep)
{
	struct aws_creds *key;
	int64_t kcreated = 0;
	size_t i;
	enum reg_err er;

	key = calloc(1, sizeof(*key));
	if (key == NULL)
		return REG_ENOMEM;
	er = orch_iam_create_key(a, user, key, &kcreated);
	if (er != REG_OK || orch_aws_dry(a)) {
		if (er == REG_OK)
			(void)printf("dry-run: would verify the new key and "
			             "write the credentials document to %s\n",
			    a->ctx->opts.output);
		goto out;
	}
	er = orch_report_add(rep, "created", "access-key", key->akid, user);
	/* marked before it is ever used: a re-run knows it is ours */
	if (er == REG_OK)
		er =
		    orch_iam_tag_user(a, user, ORCH_AWS_PENDING_KEY, key->akid);
	if (er == REG_OK)
		er = verify_key(a, key);
	if (er == REG_OK)
		er = write_doc(a, key, user, repos, rep);
	if (er == REG_OK)
		er = orch_iam_tag_user(a, user, ORCH_AWS_DELIVERED_KEY,
		    key->akid);
	for (i = 0; er == REG_OK && i < plan->keys.n; i++) {
		if (!retired[i])
			er = retire_key(a, user, plan->keys.v[i].id, rep,
			    plan->orphan[i]
			        ? "undelivered key of an earlier run"
			        : "replaced by the new key");
	}
out:
	aws_creds_clear(key);
	free(key);
	return er;
}

static enum reg_err
aws_create_credentials(struct orch_ctx *ctx, void *state,
    struct orch_report *rep)
{
	struct orch_aws *a = state;
	const char *id = ctx->opts.customer_id;
	struct orch_aws_tags tags;
	struct repo_list *repos;
	struct key_plan *plan;
	char user[128];
	struct buf policy;
	bool retired[ORCH_AWS_MAX_KEYS];
	int victim;
	enum reg_err er;

	buf_init(&policy, ORCH_POLICY_MAX);
	memset(retired, 0, sizeof(retired));
	user_name(id, user, sizeof(user));
	repos = calloc(1, sizeof(*repos));
	plan = calloc(1, sizeof(*plan));
	if (repos == NULL || plan == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	repos->id = id;
	er = creds_prepare(a, id, repos, &policy);
	if (er == REG_OK)
		er = creds_user(a, user, id, buf_cstr(&policy), &tags, rep);
	/* 5. the keys: decide before creating anything */
	if (er == REG_OK)
		er = plan_keys(a, user, &tags, plan);
	if (er != REG_OK)
		goto out;
	if (!ctx->opts.rotate && plan->nknown > 0) {
		er = keys_kept(a, user, plan, rep);
		goto out;
	}
	if (!ctx->opts.rotate && plan->nforeign > 0) {
		victim = oldest(plan, NULL);
		er = orch_fail(ctx, REG_EEXIST,
		    "iam user %s already has access key %s in use, not "
		    "delivered by this tool as far as it can tell: re-run "
		    "with --rotate to issue a new key and retire the old one",
		    user, victim >= 0 ? plan->keys.v[victim].id : "?");
		goto out;
	}
	er = make_room(a, user, plan, retired, rep);
	if (er == REG_OK)
		er = issue_key(a, user, repos, plan, retired, rep);
out:
	free(repos);
	free(plan);
	buf_release(&policy);
	return er;
}

/*
 * ---- audit --------------------------------------------------------------
 */

struct audit_arg {
	struct orch_audit *out;
};

static enum reg_err
audit_repo(struct orch_aws *a, const struct orch_ecr_repo *r, void *argp)
{
	struct audit_arg *arg = argp;
	struct orch_audit_item *it;
	struct orch_aws_tags tags;
	struct orch_ecr_images im;
	enum reg_err er;

	memset(&tags, 0, sizeof(tags));
	er = orch_ecr_list_tags(a, r->arn, &tags);
	if (er == REG_ENOENT)
		return REG_OK;
	if (er != REG_OK)
		return er;
	if (!tags.managed) {
		arg->out->unmanaged++;
		return REG_OK;
	}
	memset(&im, 0, sizeof(im));
	er = orch_ecr_images(a, r->name, &im);
	if (er == REG_ENOENT)
		return REG_OK;
	if (er != REG_OK)
		return er;
	er = orch_audit_add(arg->out, &it);
	if (er != REG_OK)
		return er;
	(void)snprintf(it->kind, sizeof(it->kind), "ecr-repository");
	(void)snprintf(it->name, sizeof(it->name), "%s", r->name);
	(void)snprintf(it->customer, sizeof(it->customer), "%s", tags.customer);
	it->created = r->created;
	it->images = im.count;
	it->last_push = im.last_push;
	it->last_used = im.last_pull;
	return REG_OK;
}

static enum reg_err
audit_user(struct orch_aws *a, const struct orch_iam_user *u, void *argp)
{
	struct audit_arg *arg = argp;
	struct orch_audit_item *it;
	struct orch_aws_tags tags;
	struct orch_iam_keys *keys;
	size_t i;
	enum reg_err er;

	memset(&tags, 0, sizeof(tags));
	er = orch_iam_user_tags(a, u->name, &tags);
	if (er == REG_ENOENT)
		return REG_OK;
	if (er != REG_OK)
		return er;
	if (!tags.managed) {
		arg->out->unmanaged++;
		return REG_OK;
	}
	er = orch_audit_add(arg->out, &it);
	if (er != REG_OK)
		return er;
	(void)snprintf(it->kind, sizeof(it->kind), "iam-user");
	(void)snprintf(it->name, sizeof(it->name), "%s", u->name);
	(void)snprintf(it->customer, sizeof(it->customer), "%s", tags.customer);
	it->created = u->created;
	keys = calloc(1, sizeof(*keys));
	if (keys == NULL)
		return REG_ENOMEM;
	er = orch_iam_list_keys(a, u->name, keys);
	if (er == REG_ENOENT)
		er = REG_OK;
	for (i = 0; er == REG_OK && i < keys->n; i++) {
		er = orch_iam_key_last_used(a, &keys->v[i]);
		if (er == REG_OK)
			er = orch_audit_add(arg->out, &it);
		if (er != REG_OK)
			break;
		(void)snprintf(it->kind, sizeof(it->kind), "access-key");
		(void)snprintf(it->name, sizeof(it->name), "%s", keys->v[i].id);
		(void)snprintf(it->parent, sizeof(it->parent), "%s", u->name);
		(void)snprintf(it->customer, sizeof(it->customer), "%s",
		    tags.customer);
		(void)snprintf(it->status, sizeof(it->status), "%s",
		    keys->v[i].status);
		(void)snprintf(it->used_service, sizeof(it->used_service), "%s",
		    keys->v[i].used_service);
		it->created = keys->v[i].created;
		it->last_used = keys->v[i].last_used;
	}
	free(keys);
	return er;
}

static enum reg_err
aws_audit(struct orch_ctx *ctx, void *state, struct orch_audit *out)
{
	struct orch_aws *a = state;
	struct audit_arg arg = { out };
	enum reg_err er;

	(void)ctx;
	er = orch_ecr_list(a, "honua/", audit_repo, &arg);
	if (er == REG_OK)
		er = orch_iam_list_users(a, ORCH_AWS_USER_PATH, audit_user,
		    &arg);
	return er;
}

/*
 * ---- delete -------------------------------------------------------------
 */

struct del_arg {
	const char *id;
	struct orch_report *rep;
	size_t skipped;
};

static enum reg_err
del_repo(struct orch_aws *a, const struct orch_ecr_repo *r, void *argp)
{
	struct del_arg *arg = argp;
	struct orch_aws_tags tags;
	struct orch_ecr_images im;
	char detail[64];
	enum reg_err er;

	memset(&tags, 0, sizeof(tags));
	er = orch_ecr_list_tags(a, r->arn, &tags);
	if (er == REG_ENOENT)
		return orch_report_add(arg->rep, "absent", "ecr-repository",
		    r->name, "");
	if (er != REG_OK)
		return er;
	if (!orch_aws_tags_ours(&tags, arg->id)) {
		arg->skipped++;
		return orch_report_add(arg->rep, "skipped", "ecr-repository",
		    r->name,
		    tags.managed ? "managed for another customer"
		                 : "not managed by honua-orchestrator");
	}
	memset(&im, 0, sizeof(im));
	er = orch_ecr_images(a, r->name, &im);
	if (er == REG_ENOENT)
		return orch_report_add(arg->rep, "absent", "ecr-repository",
		    r->name, "");
	if (er != REG_OK)
		return er;
	er = orch_ecr_delete(a, r->name);
	if (er == REG_ENOENT)
		return orch_report_add(arg->rep, "absent", "ecr-repository",
		    r->name, "");
	if (er != REG_OK)
		return er;
	(void)snprintf(detail, sizeof(detail), "%lld image(s)", im.count);
	return orch_report_add(arg->rep,
	    orch_aws_dry(a) ? "would-remove" : "removed", "ecr-repository",
	    r->name, detail);
}

struct del_pol {
	struct orch_report *rep;
	const char *user;
	bool attached;
};

static enum reg_err
del_policy(struct orch_aws *a, const char *name, void *argp)
{
	struct del_pol *d = argp;
	enum reg_err er;

	if (d->attached)
		er = orch_iam_detach_policy(a, d->user, name);
	else
		er = orch_iam_delete_policy(a, d->user, name);
	if (er == REG_ENOENT)
		er = REG_OK;
	if (er != REG_OK)
		return er;
	return orch_report_add(d->rep,
	    orch_aws_dry(a)   ? "would-remove"
	        : d->attached ? "detached"
	                      : "removed",
	    d->attached ? "iam-attached-policy" : "iam-policy", name, d->user);
}

static enum reg_err
del_keys(struct orch_aws *a, const char *user, struct orch_report *rep)
{
	struct orch_iam_keys *keys;
	size_t i;
	enum reg_err er;

	keys = calloc(1, sizeof(*keys));
	if (keys == NULL)
		return REG_ENOMEM;
	er = orch_iam_list_keys(a, user, keys);
	for (i = 0; er == REG_OK && i < keys->n; i++) {
		er = orch_iam_delete_key(a, user, keys->v[i].id);
		if (er == REG_ENOENT)
			er = REG_OK;
		if (er == REG_OK)
			er = orch_report_add(rep,
			    orch_aws_dry(a) ? "would-remove" : "removed",
			    "access-key", keys->v[i].id, user);
	}
	free(keys);
	return er;
}

static enum reg_err
del_user(struct orch_aws *a, const char *id, struct del_arg *arg)
{
	struct orch_iam_user u;
	struct orch_aws_tags tags;
	struct del_pol dp;
	char user[128];
	enum reg_err er;

	user_name(id, user, sizeof(user));
	memset(&u, 0, sizeof(u));
	er = orch_iam_get_user(a, user, &u);
	if (er == REG_ENOENT)
		return orch_report_add(arg->rep, "absent", "iam-user", user,
		    "");
	if (er != REG_OK)
		return er;
	memset(&tags, 0, sizeof(tags));
	er = orch_iam_user_tags(a, user, &tags);
	if (er == REG_ENOENT)
		return orch_report_add(arg->rep, "absent", "iam-user", user,
		    "");
	if (er != REG_OK)
		return er;
	if (!orch_aws_dry(a) &&
	    (!orch_aws_tags_ours(&tags, id) ||
	        strcmp(u.path, ORCH_AWS_USER_PATH) != 0)) {
		arg->skipped++;
		return orch_report_add(arg->rep, "skipped", "iam-user", user,
		    !tags.managed ? "not managed by honua-orchestrator"
		        : strcmp(tags.customer, id) != 0
		        ? "managed for another customer"
		        : "not under path /honua/");
	}
	/* IAM's order: keys, inline policies, attached policies, user */
	er = del_keys(a, user, arg->rep);
	dp.rep = arg->rep;
	dp.user = user;
	dp.attached = false;
	if (er == REG_OK)
		er = orch_iam_list_policies(a, user, false, del_policy, &dp);
	dp.attached = true;
	if (er == REG_OK)
		er = orch_iam_list_policies(a, user, true, del_policy, &dp);
	if (er == REG_OK)
		er = orch_iam_delete_user(a, user);
	if (er == REG_ENOENT)
		er = REG_OK;
	if (er != REG_OK)
		return er;
	return orch_report_add(arg->rep,
	    orch_aws_dry(a) ? "would-remove" : "removed", "iam-user", user,
	    ORCH_AWS_USER_PATH);
}

static enum reg_err
aws_delete(struct orch_ctx *ctx, void *state, struct orch_report *rep)
{
	struct orch_aws *a = state;
	const char *id = ctx->opts.customer_id;
	struct del_arg arg = { id, rep, 0 };
	char prefix[64];
	enum reg_err er;

	er = del_user(a, id, &arg);
	if (er != REG_OK)
		return er;
	(void)snprintf(prefix, sizeof(prefix), "honua/%s/", id);
	er = orch_ecr_list(a, prefix, del_repo, &arg);
	if (er != REG_OK)
		return er;
	if (arg.skipped > 0)
		orch_warn(ctx,
		    "left %zu resource(s) named for customer %s alone: they "
		    "are "
		    "not managed by honua-orchestrator for it (see the "
		    "report); "
		    "remove them by hand if they should go",
		    arg.skipped, id);
	return REG_OK;
}

/*
 * ---- registry login (push) -----------------------------------------------
 */

static enum reg_err
aws_registry_login(struct orch_ctx *ctx, void *state, struct orch_login *out)
{
	struct orch_aws *a = state;
	const char *id = ctx->opts.customer_id;
	struct orch_ecr_repo repo;
	struct orch_aws_tags tags;
	char name[300];
	enum reg_err er;

	(void)orch_aws_repo_name(id,
	    ctx->opts.image != NULL ? ctx->opts.image : "app", name,
	    sizeof(name));
	memset(&repo, 0, sizeof(repo));
	er = orch_ecr_describe(a, name, &repo);
	if (er == REG_ENOENT)
		return orch_fail(ctx, er,
		    "ecr repository %s does not exist: run create-registry "
		    "--customer-id %s first",
		    name, id);
	if (er != REG_OK)
		return er;
	if (!orch_aws_dry(a)) {
		memset(&tags, 0, sizeof(tags));
		er = orch_ecr_list_tags(a, repo.arn, &tags);
		if (er != REG_OK)
			return er;
		if (!orch_aws_tags_ours(&tags, id))
			return orch_fail(ctx, REG_EPERM,
			    "ecr repository %s is not managed by "
			    "honua-orchestrator for customer %s: refusing to "
			    "push to it",
			    name, id);
	}
	er = orch_ecr_auth_token(a, NULL, out);
	if (er != REG_OK)
		return er;
	(void)snprintf(out->repo_prefix, sizeof(out->repo_prefix), "honua/%s",
	    id);
	return REG_OK;
}

const struct orch_provider_ops orch_aws_provider = {
	.name = "aws",
	.available = true,
	.open = aws_open,
	.close = aws_close,
	.validate_names = aws_validate_names,
	.create_registry = aws_create_registry,
	.create_credentials = aws_create_credentials,
	.audit = aws_audit,
	.delete = aws_delete,
	.registry_login = aws_registry_login,
};
