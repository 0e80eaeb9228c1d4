/*
 * auth/awscreds.c: the credential chain (see awscreds.h for the order)
 * and the caching provider.
 *
 * Invariant: each source either finds nothing (and the chain moves on),
 * produces complete, shape-checked credentials, or fails with a message;
 * a failure stops the chain (botocore: a configured source that breaks
 * is an error, not a fall-through).  Every struct aws_creds that held
 * source credentials is wiped before it goes out of scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/awscreds_priv.h"
#include "common/cryptow.h"
#include "common/log.h"

/*
 * A role chain, outermost first: roles[0] is the profile asked for,
 * roles[i + 1] the source_profile of roles[i].  The walk that builds it
 * ends at a base: a profile with static keys, a web identity profile,
 * or a credential_source of the last role.
 */
struct aws_chain {
	const char *roles[AWS_CHAIN_MAX];
	size_t n;
	const char *base; /* base profile, or NULL for credential_source */
	const char *csrc; /* credential_source of roles[n - 1], or NULL */
};

void
aws_creds_clear(struct aws_creds *c)
{
	if (c != NULL)
		cryptow_wipe(c, sizeof(*c));
}

void
aws_creds_sigv4(const struct aws_creds *c, struct sigv4_creds *out)
{
	out->akid = c->akid;
	out->secret = c->secret;
	out->session_token =
	    c->session_token[0] != '\0' ? c->session_token : NULL;
}

/* Copy checked key material into *out; what names it in messages. */
static enum reg_err
aws_fill(struct aws_ctx *c, const char *akid, const char *secret,
    const char *token, const char *what, struct aws_creds *out)
{
	struct aws_creds cr;
	enum reg_err er = REG_OK;

	memset(&cr, 0, sizeof(cr));
	if (!aws_copy(cr.akid, sizeof(cr.akid), akid, strlen(akid)))
		er = aws_fail(c, REG_EINVAL,
		    "%s: the access key id is longer than %d bytes", what,
		    AWS_AKID_MAX);
	else if (!aws_copy(cr.secret, sizeof(cr.secret), secret,
	             strlen(secret)))
		er = aws_fail(c, REG_EINVAL,
		    "%s: the secret access key is longer than %d bytes", what,
		    AWS_SECRET_MAX);
	else if (token != NULL &&
	    !aws_copy(cr.session_token, sizeof(cr.session_token), token,
	        strlen(token)))
		er = aws_fail(c, REG_EINVAL,
		    "%s: the session token is longer than %d bytes", what,
		    AWS_TOKEN_MAX);
	if (er == REG_OK)
		er = aws_creds_check(c, &cr, what);
	if (er == REG_OK) {
		(void)snprintf(cr.source, sizeof(cr.source), "%s", what);
		*out = cr;
	}
	aws_creds_clear(&cr);
	return er;
}

/* AWS_ACCESS_KEY_ID and friends, nothing else. */
static enum reg_err
aws_src_env_keys(struct aws_ctx *c, bool *found, struct aws_creds *out)
{
	const char *akid = aws_env(c, "AWS_ACCESS_KEY_ID");
	const char *secret = aws_env(c, "AWS_SECRET_ACCESS_KEY");
	const char *token = aws_env(c, "AWS_SESSION_TOKEN");
	const char *exp = aws_env(c, "AWS_CREDENTIAL_EXPIRATION");
	int64_t t = 0;
	enum reg_err er;

	*found = false;
	if (akid == NULL)
		return REG_OK;
	if (secret == NULL)
		return aws_fail(c, REG_EINVAL,
		    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is "
		    "not");
	if (token == NULL)
		token = aws_env(c, "AWS_SECURITY_TOKEN");
	if (exp != NULL && aws_iso8601_parse(exp, strlen(exp), &t) != REG_OK)
		return aws_fail(c, REG_EINVAL,
		    "AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
	er = aws_fill(c, akid, secret, token, "environment", out);
	if (er != REG_OK)
		return er;
	out->expiration = t;
	*found = true;
	return REG_OK;
}

/* 1. environment keys, and AWS_ROLE_ARN assumed on top of them. */
static enum reg_err
aws_src_env(struct aws_ctx *c, bool *found, struct aws_creds *out)
{
	struct aws_creds base;
	struct aws_role r;
	enum reg_err er;

	memset(&base, 0, sizeof(base));
	er = aws_src_env_keys(c, found, &base);
	if (er != REG_OK || !*found)
		goto out;
	memset(&r, 0, sizeof(r));
	r.role_arn = aws_env(c, "AWS_ROLE_ARN");
	if (r.role_arn == NULL ||
	    aws_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE") != NULL) {
		*out = base;
		goto out;
	}
	r.session = aws_env(c, "AWS_ROLE_SESSION_NAME");
	r.external_id = aws_env(c, "AWS_EXTERNAL_ID");
	r.via = "environment";
	*found = false;
	er = aws_sts_assume_role(c, &r, &base, out);
	if (er == REG_OK)
		*found = true;
out:
	aws_creds_clear(&base);
	return er;
}

/* Static keys of one file's section; per file as botocore reads them. */
static enum reg_err
aws_static_in(struct aws_ctx *c, bool config, const char *profile, bool *found,
    struct aws_creds *out)
{
	const struct aws_ini *ini = config ? c->config : c->creds;
	const char *akid, *secret, *token;
	char what[AWS_SOURCE_MAX + 1];
	size_t idx;

	*found = false;
	if (!(config ? aws_prof_config_section(c, profile, &idx)
	             : aws_ini_find(ini, profile, &idx)))
		return REG_OK;
	akid = aws_ini_get(ini, idx, "aws_access_key_id");
	if (akid == NULL || akid[0] == '\0')
		return REG_OK;
	secret = aws_ini_get(ini, idx, "aws_secret_access_key");
	token = aws_ini_get(ini, idx, "aws_session_token");
	if (token == NULL)
		token = aws_ini_get(ini, idx, "aws_security_token");
	if (secret == NULL || secret[0] == '\0')
		return aws_fail(c, REG_EINVAL,
		    "profile %s in %s has aws_access_key_id but no "
		    "aws_secret_access_key",
		    profile, config ? c->config_path : c->creds_path);
	if (token != NULL && token[0] == '\0')
		token = NULL;
	(void)snprintf(what, sizeof(what), "profile %s (%s)", profile,
	    config ? "config file" : "shared credentials file");
	*found = true;
	return aws_fill(c, akid, secret, token, what, out);
}

static bool
aws_has_static(const struct aws_ctx *c, const char *profile)
{
	const char *v = aws_prof(c, profile, "aws_access_key_id", NULL);

	return v != NULL && v[0] != '\0';
}

/* 4. static keys: the credentials file, then the config file. */
static enum reg_err
aws_src_static(struct aws_ctx *c, const char *profile, bool *found,
    struct aws_creds *out)
{
	enum reg_err er;

	er = aws_static_in(c, false, profile, found, out);
	if (er != REG_OK || *found)
		return er;
	return aws_static_in(c, true, profile, found, out);
}

static const char *
aws_pv(const struct aws_ctx *c, const char *profile, const char *key)
{
	const char *v = aws_prof(c, profile, key, NULL);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Features we do not implement: a clear error, not a silent skip. */
static enum reg_err
aws_unsupported(struct aws_ctx *c, const char *profile)
{
	static const char *const keys[] = { "credential_process", "sso_session",
		"sso_start_url", "login_session" };
	size_t i;

	for (i = 0; i < nitems(keys); i++) {
		if (aws_pv(c, profile, keys[i]) != NULL)
			return aws_fail(c, REG_EINVAL,
			    "profile %s uses %s, which is not supported: "
			    "use static keys, role_arn or web identity",
			    profile, keys[i]);
	}
	return REG_OK;
}

/* credential_source = Environment | Ec2InstanceMetadata | EcsContainer */
static enum reg_err
aws_cred_source(struct aws_ctx *c, const char *profile, const char *cs,
    struct aws_creds *out)
{
	bool found = false;
	enum reg_err er;

	if (strcmp(cs, "Environment") == 0) {
		er = aws_src_env_keys(c, &found, out);
		if (er == REG_OK && !found)
			er = aws_fail(c, REG_ENOENT,
			    "profile %s: credential_source Environment, but "
			    "AWS_ACCESS_KEY_ID is not set",
			    profile);
		return er;
	}
	if (strcmp(cs, "Ec2InstanceMetadata") == 0)
		return aws_src_imds(c, true, &found, out);
	if (strcmp(cs, "EcsContainer") == 0)
		return aws_src_container(c, true, &found, out);
	return aws_fail(c, REG_EINVAL,
	    "profile %s: credential_source must be Environment, "
	    "Ec2InstanceMetadata or EcsContainer",
	    profile);
}

/* 3. web identity; env_ok: AWS_* variables may fill in. */
static enum reg_err
aws_src_webid(struct aws_ctx *c, const char *profile, bool env_ok, bool *found,
    struct aws_creds *out)
{
	char path[AWS_PATH_MAX];
	struct aws_role r;
	const char *tf;
	enum reg_err er;

	*found = false;
	memset(&r, 0, sizeof(r));
	tf = aws_pv(c, profile, "web_identity_token_file");
	r.role_arn = aws_pv(c, profile, "role_arn");
	r.session = aws_pv(c, profile, "role_session_name");
	r.duration = aws_pv(c, profile, "duration_seconds");
	if (env_ok) {
		if (tf == NULL)
			tf = aws_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE");
		if (r.role_arn == NULL)
			r.role_arn = aws_env(c, "AWS_ROLE_ARN");
		if (r.session == NULL)
			r.session = aws_env(c, "AWS_ROLE_SESSION_NAME");
	}
	if (tf == NULL)
		return REG_OK;
	if (r.role_arn == NULL)
		return aws_fail(c, REG_EINVAL,
		    "web identity token file %s is configured but no role "
		    "ARN (role_arn or AWS_ROLE_ARN)",
		    tf);
	er = aws_expand(c, tf, path, sizeof(path));
	if (er != REG_OK)
		return aws_fail(c, REG_EINVAL,
		    "web identity token file %s: cannot expand the path", tf);
	r.token_file = path;
	r.via = "web identity";
	er = aws_sts_web_identity(c, &r, out);
	if (er == REG_OK)
		*found = true;
	return er;
}

static bool
aws_on_chain(const struct aws_chain *ch, const char *p)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		if (strcmp(ch->roles[i], p) == 0)
			return true;
	}
	return false;
}

/* Checks of a profile that has role_arn; *sp or *cs is set. */
static enum reg_err
aws_role_check(struct aws_ctx *c, const char *profile, const char **sp,
    const char **cs)
{
	*sp = aws_pv(c, profile, "source_profile");
	*cs = aws_pv(c, profile, "credential_source");
	if (aws_pv(c, profile, "mfa_serial") != NULL)
		return aws_fail(c, REG_EINVAL,
		    "profile %s needs an MFA code (mfa_serial), which is not "
		    "supported",
		    profile);
	if (*sp != NULL && *cs != NULL)
		return aws_fail(c, REG_EINVAL,
		    "profile %s has both source_profile and credential_source",
		    profile);
	if (*sp == NULL && *cs == NULL)
		return aws_fail(c, REG_EINVAL,
		    "profile %s has role_arn but neither source_profile nor "
		    "credential_source",
		    profile);
	return REG_OK;
}

/* A source profile that is itself a role to assume (not a base). */
static bool
aws_is_role(const struct aws_ctx *c, const char *p)
{
	return !aws_has_static(c, p) && aws_pv(c, p, "role_arn") != NULL &&
	    aws_pv(c, p, "web_identity_token_file") == NULL;
}

/*
 * Walk source_profile links from top (which has role_arn).  botocore's
 * rules: a source profile's static keys win over its own role_arn; only
 * a profile sourcing itself with static keys may appear twice.
 */
static enum reg_err
aws_chain_walk(struct aws_ctx *c, const char *top, struct aws_chain *ch)
{
	const char *cur = top, *sp, *cs;
	enum reg_err er;

	memset(ch, 0, sizeof(*ch));
	for (;;) {
		if (ch->n >= AWS_CHAIN_MAX)
			return aws_fail(c, REG_EINVAL,
			    "profile %s: more than %d chained roles", top,
			    AWS_CHAIN_MAX);
		er = aws_role_check(c, cur, &sp, &cs);
		if (er != REG_OK)
			return er;
		ch->roles[ch->n++] = cur;
		if (cs != NULL) {
			ch->csrc = cs;
			return REG_OK;
		}
		if (aws_on_chain(ch, sp) &&
		    !(strcmp(sp, cur) == 0 && aws_has_static(c, sp)))
			return aws_fail(c, REG_EINVAL,
			    "source_profile loop: profile %s sources %s, which "
			    "is already on the chain",
			    cur, sp);
		if (!aws_prof_exists(c, sp))
			return aws_fail(c, REG_ENOENT,
			    "source_profile %s not found in %s or %s", sp,
			    c->config_path, c->creds_path);
		if (!aws_is_role(c, sp)) {
			ch->base = sp;
			return REG_OK;
		}
		cur = sp;
	}
}

/* The credentials of a base profile: static keys or web identity. */
static enum reg_err
aws_base_creds(struct aws_ctx *c, const char *profile, struct aws_creds *out)
{
	bool found = false;
	enum reg_err er;

	if (aws_has_static(c, profile))
		return aws_src_static(c, profile, &found, out);
	er = aws_src_webid(c, profile, false, &found, out);
	if (er != REG_OK || found)
		return er;
	er = aws_unsupported(c, profile);
	if (er != REG_OK)
		return er;
	return aws_fail(c, REG_ENOENT,
	    "source_profile %s has no credentials (no keys, role_arn or "
	    "web_identity_token_file)",
	    profile);
}

/* 2. role_arn with source_profile or credential_source: AssumeRole(s). */
static enum reg_err
aws_prof_assume(struct aws_ctx *c, const char *top, struct aws_creds *out)
{
	char via[AWS_PROFILE_MAX + 64];
	struct aws_creds cur, next;
	struct aws_chain ch;
	struct aws_role r;
	size_t i;
	enum reg_err er;

	memset(&cur, 0, sizeof(cur));
	memset(&next, 0, sizeof(next));
	er = aws_chain_walk(c, top, &ch);
	if (er != REG_OK)
		return er;
	if (ch.csrc != NULL)
		er = aws_cred_source(c, ch.roles[ch.n - 1], ch.csrc, &cur);
	else
		er = aws_base_creds(c, ch.base, &cur);
	/* innermost role first; each one signs the next call */
	for (i = ch.n; i > 0 && er == REG_OK; i--) {
		const char *p = ch.roles[i - 1];

		if (i == ch.n && ch.csrc != NULL)
			(void)snprintf(via, sizeof(via), "credential_source %s",
			    ch.csrc);
		else
			(void)snprintf(via, sizeof(via), "profile %s",
			    i == ch.n ? ch.base : ch.roles[i]);
		memset(&r, 0, sizeof(r));
		r.role_arn = aws_pv(c, p, "role_arn");
		r.session = aws_pv(c, p, "role_session_name");
		r.external_id = aws_pv(c, p, "external_id");
		r.duration = aws_pv(c, p, "duration_seconds");
		r.via = via;
		er = aws_sts_assume_role(c, &r, &cur, &next);
		cur = next;
		aws_creds_clear(&next);
	}
	if (er == REG_OK)
		*out = cur;
	aws_creds_clear(&cur);
	return er;
}

static enum reg_err
aws_chain_run(struct aws_ctx *c, struct aws_creds *out)
{
	bool found = false;
	enum reg_err er;

	if (!c->profile_explicit) {
		er = aws_src_env(c, &found, out);
		if (er != REG_OK || found)
			return er;
	}
	er = aws_ctx_files(c);
	if (er != REG_OK)
		return er;
	if (aws_pv(c, c->profile, "role_arn") != NULL &&
	    aws_pv(c, c->profile, "web_identity_token_file") == NULL)
		return aws_prof_assume(c, c->profile, out);
	er = aws_src_webid(c, c->profile, true, &found, out);
	if (er != REG_OK || found)
		return er;
	er = aws_src_static(c, c->profile, &found, out);
	if (er != REG_OK || found)
		return er;
	er = aws_unsupported(c, c->profile);
	if (er != REG_OK)
		return er;
	er = aws_src_container(c, false, &found, out);
	if (er != REG_OK || found)
		return er;
	er = aws_src_imds(c, false, &found, out);
	if (er != REG_OK || found)
		return er;
	return aws_fail(c, REG_ENOENT,
	    "no AWS credentials found (environment, profile %s in %s and %s, "
	    "web identity, container, instance metadata)",
	    c->profile,
	    c->config_path[0] != '\0' ? c->config_path : "(no config)",
	    c->creds_path[0] != '\0' ? c->creds_path : "(no credentials)");
}

enum reg_err
aws_creds_resolve(const struct aws_opts *o, int64_t now, struct aws_creds *out,
    char *errbuf, size_t errsz)
{
	struct aws_creds cr;
	struct aws_ctx c;
	enum reg_err er;

	memset(&cr, 0, sizeof(cr));
	aws_ctx_init(&c, o, now, errbuf, errsz);
	er = aws_ctx_start(&c);
	if (er == REG_OK)
		er = aws_chain_run(&c, &cr);
	if (er == REG_OK) {
		*out = cr;
		log_debug("awscreds: credentials from %s", cr.source);
	} else if (errbuf != NULL && errsz > 0 && errbuf[0] == '\0') {
		(void)snprintf(errbuf, errsz, "aws credentials: %s",
		    reg_err_str(er));
	}
	aws_creds_clear(&cr);
	aws_ctx_release(&c);
	return er;
}

enum reg_err
aws_region_resolve(const struct aws_opts *o, char out[AWS_REGION_MAX + 1],
    char *errbuf, size_t errsz)
{
	struct aws_ctx c;
	enum reg_err er;

	aws_ctx_init(&c, o, 0, errbuf, errsz);
	er = aws_ctx_start(&c);
	if (er == REG_OK)
		er = aws_ctx_region(&c);
	if (er == REG_OK)
		memcpy(out, c.region, sizeof(c.region));
	aws_ctx_release(&c);
	return er;
}

enum reg_err
aws_endpoint_resolve(const struct aws_opts *o, const char *service,
    const char *region, struct aws_endpoint *out, char *errbuf, size_t errsz)
{
	struct aws_ctx c;
	enum reg_err er;

	aws_ctx_init(&c, o, 0, errbuf, errsz);
	er = aws_ctx_start(&c);
	if (er == REG_OK)
		er = aws_ctx_endpoint(&c, service, region, out);
	aws_ctx_release(&c);
	return er;
}

enum reg_err
aws_tls_resolve(const struct aws_opts *o, struct aws_tls *out, char *errbuf,
    size_t errsz)
{
	struct aws_ctx c;
	enum reg_err er;

	aws_ctx_init(&c, o, 0, errbuf, errsz);
	er = aws_ctx_start(&c);
	if (er == REG_OK)
		er = aws_ctx_tls(&c);
	if (er == REG_OK)
		*out = c.tls;
	aws_ctx_release(&c);
	return er;
}

struct aws_creds_provider {
	struct aws_opts o; /* strings point at the copies below */
	char *profile, *region, *ca_file, *proxy;
	struct aws_creds cache;
	bool have;
	char err[AWS_ERRMSG_MAX];
};

static enum reg_err
aws_dup(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return REG_OK;
	*out = strdup(s);
	return *out != NULL ? REG_OK : REG_ENOMEM;
}

enum reg_err
aws_creds_provider_new(const struct aws_opts *o,
    struct aws_creds_provider **out)
{
	struct aws_creds_provider *p;
	enum reg_err er;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return REG_ENOMEM;
	p->o = *o;
	er = aws_dup(o->profile, &p->profile);
	if (er == REG_OK)
		er = aws_dup(o->region, &p->region);
	if (er == REG_OK)
		er = aws_dup(o->ca_file, &p->ca_file);
	if (er == REG_OK)
		er = aws_dup(o->proxy, &p->proxy);
	if (er != REG_OK) {
		aws_creds_provider_free(p);
		return er;
	}
	p->o.profile = p->profile;
	p->o.region = p->region;
	p->o.ca_file = p->ca_file;
	p->o.proxy = p->proxy;
	*out = p;
	return REG_OK;
}

void
aws_creds_provider_free(struct aws_creds_provider *p)
{
	if (p == NULL)
		return;
	aws_creds_clear(&p->cache);
	free(p->profile);
	free(p->region);
	free(p->ca_file);
	free(p->proxy);
	free(p);
}

static bool
aws_fresh(const struct aws_creds_provider *p, int64_t now)
{
	int64_t w =
	    p->o.refresh_window > 0 ? p->o.refresh_window : AWS_REFRESH_WINDOW;

	if (!p->have)
		return false;
	if (p->cache.expiration == 0)
		return true;
	/* expiration - now > w, without overflow for any int64 now */
	return p->cache.expiration > now && p->cache.expiration - now > w;
}

enum reg_err
aws_creds_get(struct aws_creds_provider *p, int64_t now, struct aws_creds *out)
{
	enum reg_err er;

	if (aws_fresh(p, now)) {
		*out = p->cache;
		return REG_OK;
	}
	if (p->have)
		log_debug("awscreds: credentials from %s expire at %lld, "
		          "refreshing",
		    p->cache.source, (long long)p->cache.expiration);
	aws_creds_clear(&p->cache);
	p->have = false;
	er = aws_creds_resolve(&p->o, now, &p->cache, p->err, sizeof(p->err));
	if (er != REG_OK)
		return er;
	p->have = true;
	p->err[0] = '\0';
	*out = p->cache;
	return REG_OK;
}

const char *
aws_creds_provider_errmsg(const struct aws_creds_provider *p)
{
	return p->err;
}
