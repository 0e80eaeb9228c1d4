/*
 * auth/awscreds_priv.h: what the auth/awscreds*.c files share; not for
 * other modules.
 *
 * One struct aws_ctx lives for one resolution (one aws_creds_resolve(),
 * aws_region_resolve(), ... call).  It borrows the options, owns the
 * parsed shared files and the resolved region, TLS trust and STS
 * endpoint, each computed lazily on first use (so a malformed config
 * file does not break an environment-only setup, as in botocore), and
 * collects the one error message of the call.
 */
#ifndef REG_AWSCREDS_PRIV_H
#define REG_AWSCREDS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/awscreds.h"
#include "auth/awscreds_ini.h"
#include "common/buf.h"
#include "common/fetch.h"
#include "common/span.h"

#define AWS_HOSTPORT_MAX 300
#define AWS_STS_TIMEOUT_MS 15000L
#define AWS_STS_ATTEMPTS 3
#define AWS_CONTAINER_TIMEOUT_MS 2000L
#define AWS_CONTAINER_ATTEMPTS 3
#define AWS_IMDS_TIMEOUT_MS 1000L
#define AWS_TOKEN_FILE_MAX ((size_t)20000) /* STS's WebIdentityToken cap */
#define AWS_AUTH_TOKEN_MAX ((size_t)16384) /* container Authorization */
#define AWS_RESP_MAX ((size_t)64 * 1024)   /* STS / container / IMDS bodies */

/* A parsed http(s) URL: scheme://host[:port][path]. */
struct aws_url {
	bool https;
	bool ipv6;        /* host was [bracketed] */
	struct span host; /* without brackets */
	unsigned port;    /* 0: not given */
	struct span path; /* "" or starting with '/' (may hold a query) */
	char hostport[AWS_HOSTPORT_MAX]; /* the Host header libcurl sends */
};

struct aws_ctx {
	const struct aws_opts *o;
	int64_t now;
	char *errbuf;
	size_t errsz;
	char profile[AWS_PROFILE_MAX + 1];
	bool profile_explicit; /* from opts->profile */
	bool profile_named;    /* opts->profile or AWS_PROFILE */
	/* lazily loaded */
	bool files_done;
	struct aws_ini *config, *creds; /* NULL: file absent */
	char config_path[AWS_PATH_MAX], creds_path[AWS_PATH_MAX];
	bool region_done;
	char region[AWS_REGION_MAX + 1];
	bool tls_done;
	struct aws_tls tls;
	bool sts_done;
	struct aws_endpoint sts;
	struct aws_url sts_url;
};

/* Parameters of one AssumeRole / AssumeRoleWithWebIdentity call. */
struct aws_role {
	const char *role_arn;
	const char *session;     /* NULL: "registry-<now>" */
	const char *external_id; /* NULL: none */
	const char *duration;    /* NULL: AWS_DURATION_DEFAULT; digits */
	const char *token_file;  /* web identity only */
	const char *via;         /* what the source credentials are */
};

/* awscreds_cfg.c */
void aws_ctx_init(struct aws_ctx *, const struct aws_opts *, int64_t now,
    char *errbuf, size_t errsz);
enum reg_err aws_ctx_start(struct aws_ctx *) REG_MUSTCHECK;
void aws_ctx_release(struct aws_ctx *);
enum reg_err aws_ctx_files(struct aws_ctx *) REG_MUSTCHECK;
enum reg_err aws_ctx_region(struct aws_ctx *) REG_MUSTCHECK;
enum reg_err aws_ctx_tls(struct aws_ctx *) REG_MUSTCHECK;
enum reg_err aws_ctx_endpoint(struct aws_ctx *, const char *service,
    const char *region, struct aws_endpoint *out) REG_MUSTCHECK;
enum reg_err aws_ctx_sts(struct aws_ctx *) REG_MUSTCHECK;

/* Environment value, NULL when unset or empty. */
const char *aws_env(const struct aws_ctx *, const char *name);
/* botocore's ensure_boolean: "true" in any case. */
bool aws_is_true(const char *);
/* Merged profile value (credentials file over config file), or NULL;
 * *from (may be NULL) names the file kind.  Files must be loaded. */
const char *aws_prof(const struct aws_ctx *, const char *profile,
    const char *key, const char **from);
bool aws_prof_exists(const struct aws_ctx *, const char *profile);
/* The config-file section of profile (files loaded). */
bool aws_prof_config_section(const struct aws_ctx *, const char *profile,
    size_t *idx);
/* Expand a leading "~/" with the home directory. */
enum reg_err aws_expand(const struct aws_ctx *, const char *path, char *out,
    size_t outsz) REG_MUSTCHECK;
/* Read a whole regular file of at most cap bytes into out (wipe it).
 * *missing (may be NULL: then a missing file is an error) is set for
 * ENOENT/ENOTDIR or a directory.  Messages name what. */
enum reg_err aws_read_file(struct aws_ctx *, const char *what, const char *path,
    size_t cap, struct buf *out, bool *missing) REG_MUSTCHECK;

/* Record the call's message (the first one wins) and return er. */
enum reg_err aws_fail(struct aws_ctx *, enum reg_err er, const char *fmt, ...)
    REG_PRINTF(3, 4);

/* awscreds_util.c */
enum reg_err aws_url_parse(const char *s, size_t len,
    struct aws_url *u) REG_MUSTCHECK;
bool aws_url_loopback(const struct aws_url *u);
bool aws_region_ok(const char *);
const char *aws_partition_domain(const char *region);
/* Shape checks of resolved credentials; what names the source. */
enum reg_err aws_creds_check(struct aws_ctx *, const struct aws_creds *,
    const char *what) REG_MUSTCHECK;
/* Copy s into a fixed field; false when it does not fit. */
bool aws_copy(char *dst, size_t dstsz, const char *s, size_t len);
/* {"AccessKeyId","SecretAccessKey","Token","Expiration"[,"Code"]} */
enum reg_err aws_creds_from_json(struct aws_ctx *, const char *body, size_t len,
    const char *what, bool imds, struct aws_creds *out) REG_MUSTCHECK;
void aws_sleep_ms(long ms);
/* fetch_req_release/fetch_resp_release after wiping headers and body. */
void aws_fetch_release(struct fetch_req *, struct fetch_resp *);

/* awscreds_sts.c */
enum reg_err aws_sts_assume_role(struct aws_ctx *, const struct aws_role *,
    const struct aws_creds *src, struct aws_creds *out) REG_MUSTCHECK;
enum reg_err aws_sts_web_identity(struct aws_ctx *, const struct aws_role *,
    struct aws_creds *out) REG_MUSTCHECK;

/* awscreds_http.c: *found false when the source is not configured (or,
 * for IMDS, not reachable); required turns "not found" into an error. */
enum reg_err aws_src_container(struct aws_ctx *, bool required, bool *found,
    struct aws_creds *out) REG_MUSTCHECK;
enum reg_err aws_src_imds(struct aws_ctx *, bool required, bool *found,
    struct aws_creds *out) REG_MUSTCHECK;

#endif
