/*
 * auth/awscreds.h: AWS credentials, region, endpoints and CA trust,
 * found the way the AWS SDKs (botocore) find them, for short-lived CLI
 * tools (get-registry-token, the Terraform credentials helper,
 * registry-publish, honua-orchestrator).  provisioning.md section 3.4.
 *
 * Credential chain, in botocore's order (first source that is
 * configured wins; a source that is configured but fails is an error,
 * not a fall-through):
 *   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *      (+ AWS_SESSION_TOKEN, legacy AWS_SECURITY_TOKEN,
 *      AWS_CREDENTIAL_EXPIRATION).  If AWS_ROLE_ARN is set and
 *      AWS_WEB_IDENTITY_TOKEN_FILE is not, that role is assumed with the
 *      environment keys (AWS_ROLE_SESSION_NAME, AWS_EXTERNAL_ID).
 *      Skipped when the profile is given explicitly (opts.profile), as
 *      the AWS CLI's --profile does; AWS_PROFILE does not skip it.
 *   2. profile role_arn + source_profile (chained, loop-checked, at most
 *      AWS_CHAIN_MAX roles) or + credential_source (Environment,
 *      Ec2InstanceMetadata, EcsContainer): sts:AssumeRole.
 *   3. web identity: role_arn + web_identity_token_file from the profile,
 *      else AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE:
 *      sts:AssumeRoleWithWebIdentity (unsigned; the file is re-read each
 *      time).
 *   4. static keys of the profile: shared credentials file [NAME], then
 *      config file [profile NAME] / [default].
 *      credential_process, SSO and mfa_serial are refused with a clear
 *      error rather than skipped.
 *   5. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback
 *      or ECS/EKS link-local address only).
 *   6. EC2 IMDSv2, unless AWS_EC2_METADATA_DISABLED=true; a timeout means
 *      "not on EC2".
 *
 * The environment is injected (struct aws_env): nothing here calls
 * getenv(); tools pass the C library's getenv, tests a table.  There is
 * no global state; nothing is thread-safe beyond that (one provider per
 * thread).  Network calls go through common/fetch (fetch_global_init()
 * must have run).  Secrets are never logged nor put in error messages;
 * every buffer that held one is wiped.
 */
#ifndef REG_AWSCREDS_H
#define REG_AWSCREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/sigv4.h"
#include "common/err.h"

#define AWS_AKID_MAX 128 /* as sigv4 accepts */
#define AWS_SECRET_MAX 256
#define AWS_TOKEN_MAX 8192
#define AWS_SOURCE_MAX 512
#define AWS_REGION_MAX 64
#define AWS_PROFILE_MAX 128
#define AWS_URL_MAX 2048
#define AWS_PATH_MAX 4096
#define AWS_ERRMSG_MAX 512     /* a good errbuf size */
#define AWS_CHAIN_MAX 8        /* source_profile hops */
#define AWS_REFRESH_WINDOW 600 /* seconds before expiration */
#define AWS_DURATION_DEFAULT 3600
#define AWS_DURATION_MIN 900
#define AWS_DURATION_MAX 43200

/* Caller-owned; clear with aws_creds_clear(). */
struct aws_creds {
	char akid[AWS_AKID_MAX + 1];
	char secret[AWS_SECRET_MAX + 1];
	char session_token[AWS_TOKEN_MAX + 1]; /* "" when none */
	int64_t expiration;                    /* unix time; 0: static */
	/* for messages, e.g. "environment", "profile ci (shared
	 * credentials file)", "assume-role arn:... via profile base",
	 * "web identity arn:...", "container", "imds (role r)" */
	char source[AWS_SOURCE_MAX + 1];
};

/* getenv-like lookup with a context; returns NULL when unset. */
typedef const char *(*aws_getenv_fn)(void *arg, const char *name);

/*
 * The environment.  lookup (with arg) is used when set, else getenv
 * (the tools pass the C library's getenv), else the environment is
 * empty.  Empty values count as unset.  home is the directory "~"
 * stands for; NULL: HOME from the environment.  Everything borrowed.
 */
struct aws_env {
	char *(*getenv)(const char *);
	aws_getenv_fn lookup;
	void *arg;
	const char *home;
};

/*
 * What the caller decides.  Strings are borrowed by the one-shot
 * functions and copied by aws_creds_provider_new().
 */
struct aws_opts {
	struct aws_env env;
	const char *profile; /* --profile; NULL: AWS_PROFILE, else "default" */
	const char *region;  /* --region; NULL: see aws_region_resolve() */
	const char *ca_file; /* --ca-file; NULL: see aws_tls_resolve() */
	const char *proxy;   /* proxy for STS calls; NULL: none.  The
	                        container and IMDS endpoints never use one. */
	int64_t refresh_window; /* provider: seconds; 0: AWS_REFRESH_WINDOW */
	long retry_sleep_ms;    /* between container/STS attempts; 0: 1000 */
};

/* Where TLS trust comes from (aws_tls_resolve). */
struct aws_tls {
	char ca_file[AWS_PATH_MAX]; /* "" : libcurl's default */
	char ca_dir[AWS_PATH_MAX];  /* "" : libcurl's default */
};

/* A resolved service endpoint (aws_endpoint_resolve). */
struct aws_endpoint {
	char url[AWS_URL_MAX + 1]; /* "https://host[:port][/path]" */
	char signing_region[AWS_REGION_MAX + 1];
	bool configured; /* from AWS_ENDPOINT_URL* or the profile */
};

/* Wipe everything, secrets included. */
void aws_creds_clear(struct aws_creds *);

/*
 * Borrowed view for auth/sigv4 (session_token NULL when none), valid as
 * long as c is unchanged.
 */
void aws_creds_sigv4(const struct aws_creds *c, struct sigv4_creds *out);

/*
 * Run the chain once.  now is the current unix time: it signs STS
 * requests and names sessions ("registry-<now>").  *out only on
 * success.  errbuf (may be NULL) gets a one-line lowercase explanation
 * on failure, never a secret.
 * REG_ENOENT: no source is configured, or the named profile does not
 * exist; REG_EINVAL: bad configuration (malformed file, partial keys,
 * bad URL, refused container host, unsupported feature); REG_EPERM: STS
 * denied (AccessDenied); REG_EAUTH: credentials or token rejected or
 * expired; REG_EUPSTREAM: an endpoint could not be reached or answered
 * nonsense; REG_ETOOBIG, REG_ENOMEM, REG_ESYS.
 */
enum reg_err aws_creds_resolve(const struct aws_opts *, int64_t now,
    struct aws_creds *out, char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * Region: opts->region > AWS_REGION > AWS_DEFAULT_REGION > the
 * profile's region > "us-east-1".  Must match [a-z0-9-]{1,64}.  out has
 * AWS_REGION_MAX + 1 bytes, written only on success.
 * REG_EINVAL (bad region, malformed config), REG_ENOENT (named profile
 * missing), REG_ETOOBIG, REG_ENOMEM, REG_ESYS.
 */
enum reg_err aws_region_resolve(const struct aws_opts *,
    char out[AWS_REGION_MAX + 1], char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * Endpoint of service ("sts", "iam", "ecr", or any [a-z0-9-]{1,32} when
 * configured) in region: AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL
 * > the profile's `services` section > the profile's endpoint_url >
 * the default (sts: https://sts.<region>.<partition domain>; iam: the
 * partition's global endpoint signed in us-east-1/cn-north-1/
 * us-gov-west-1; ecr: https://api.ecr.<region>.<domain>).
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 * ignore_configured_endpoint_urls) disables the configured ones.
 * A configured URL must be https, or http to a loopback host.
 * REG_EINVAL (bad URL, unknown service without configuration),
 * REG_ENOENT, REG_ETOOBIG, REG_ENOMEM, REG_ESYS.
 */
enum reg_err aws_endpoint_resolve(const struct aws_opts *, const char *service,
    const char *region, struct aws_endpoint *out, char *errbuf,
    size_t errsz) REG_MUSTCHECK;

/*
 * CA trust like the AWS CLI and Terraform: opts->ca_file >
 * AWS_CA_BUNDLE > the profile's ca_bundle > SSL_CERT_FILE and
 * SSL_CERT_DIR > the system store ("" in out).  "~/" is expanded.
 * Errors as aws_region_resolve().
 */
enum reg_err aws_tls_resolve(const struct aws_opts *, struct aws_tls *out,
    char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * A caching provider.  aws_creds_get() returns the cached credentials
 * until they are within refresh_window seconds of expiring (static ones
 * never expire), then runs the chain again; a failed refresh is an error
 * (and the next call tries again).
 * *out of _new is new, free with aws_creds_provider_free (NULL-safe),
 * which wipes the cache.  opts strings are copied; env.arg and the
 * callbacks are borrowed for the provider's lifetime.
 */
struct aws_creds_provider;

enum reg_err aws_creds_provider_new(const struct aws_opts *,
    struct aws_creds_provider **out) REG_MUSTCHECK;
void aws_creds_provider_free(struct aws_creds_provider *);
/* Errors as aws_creds_resolve(); *out only on success. */
enum reg_err aws_creds_get(struct aws_creds_provider *, int64_t now,
    struct aws_creds *out) REG_MUSTCHECK;
/* The last failure's message ("" after a success); borrowed. */
const char *aws_creds_provider_errmsg(const struct aws_creds_provider *);

/*
 * Helpers, exposed for the tools and the tests.
 */

/*
 * Strict ISO-8601 / RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS, optional
 * fraction (.1 to .999999999, dropped), then Z or +HH:MM / -HH:MM
 * ('T'/'Z' in either case).  Year 1970..9999, real calendar dates,
 * seconds 00..59.  *out (unix time) only on success; REG_EINVAL.
 */
enum reg_err aws_iso8601_parse(const char *p, size_t len,
    int64_t *out) REG_MUSTCHECK;

/*
 * May AWS_CONTAINER_CREDENTIALS_FULL_URI be url[0..len)?  https to any
 * host; http only to 127.0.0.0/8, ::1, localhost, 169.254.170.2,
 * 169.254.170.23 or fd00:ec2::23.  No userinfo.  On false, *why (may
 * be NULL) gets a static message.
 */
bool aws_container_uri_allowed(const char *url, size_t len, const char **why);

#endif
