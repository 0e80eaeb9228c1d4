/*
 * admin-tools/client.h: what the registry's client tools share
 * (get-registry-token, terraform-credentials-iam,
 * install-registry-credentials-helper, registry-publish and
 * manage-registry-permissions --registry): registry host names in
 * Terraform's comparison form and TF_TOKEN_ variable names
 * (spec/terraform-protocols.md 3.2), TLS trust the way Terraform finds it
 * (SSL_CERT_FILE, SSL_CERT_DIR, plus --ca-file), HTTPS requests to the
 * registry with the server's error text, and bearer tokens: given (API
 * tokens) or obtained through the IAM exchange (spec/iam-auth.md 3.1 and
 * 5.1-5.2: a presigned sts:GetCallerIdentity whose signed x-k8s-aws-id
 * header is the registry host, POSTed to /v1/auth/token).
 *
 * Secrets (AWS keys, session tokens, presigned URLs, issued tokens) are
 * never printed in messages and are wiped before their memory is freed.
 * Nothing here exits; every error text says what failed and what to do.
 */
#ifndef REG_CLIENT_H
#define REG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fetch.h"

#define CLIENT_HOSTNAME_MAX 253
#define CLIENT_HOST_MAX (CLIENT_HOSTNAME_MAX + 6) /* ":65535" */
#define CLIENT_HOST_BUFSZ (CLIENT_HOST_MAX + 1)
/* "TF_TOKEN_" + every '-' doubled + ":port" */
#define CLIENT_TFNAME_BUFSZ (9 + 2 * CLIENT_HOSTNAME_MAX + 6 + 1)
#define CLIENT_TOKEN_MAX 4096
#define CLIENT_PATH_MAX 4096
#define CLIENT_ERR_MAX 1024 /* a good size for err buffers */
#define CLIENT_TOKEN_ENV "REGISTRY_TOKEN"
#define CLIENT_HOST_ENV "REGISTRY_HOST"

/*
 * Terraform's comparison form of a registry host as a user types it:
 * ASCII letters lower-cased, ":443" dropped, other ports kept (leading
 * zeros dropped), labels [a-z0-9-]{1,63} not starting or ending with '-',
 * at most 253 bytes.  Refused with *why set (static, lowercase, says what
 * to do): a scheme or path, non-ASCII (IDN) names, '_', IPv6 literals, a
 * trailing dot, a bad port.  out (on success only) is NUL-terminated.
 * REG_EINVAL.
 */
enum reg_err client_host_canon(const char *in, size_t len,
    char out[CLIENT_HOST_BUFSZ], const char **why) REG_MUSTCHECK;

/*
 * The environment variable Terraform reads the token of host (comparison
 * form, as client_host_canon makes it) from: "TF_TOKEN_" + host with '-'
 * as "__" and '.' as '_', ":port" kept with its colon.
 * REG_EINVAL (not a comparison-form host), REG_ETOOBIG (outsz).
 */
enum reg_err client_tf_token_name(const char *host, char *out,
    size_t outsz) REG_MUSTCHECK;

/*
 * Terraform's own direction, for tests: the host a variable name
 * var[0..len) (with its "TF_TOKEN_" prefix) applies to: "__" -> '-',
 * then '_' -> '.', then the comparison form.  REG_EINVAL.
 */
enum reg_err client_tf_token_host(const char *var, size_t len,
    char out[CLIENT_HOST_BUFSZ]) REG_MUSTCHECK;

/* Whether a POSIX shell cannot export name (it has ':' or '-'). */
bool client_tf_token_needs_env(const char *name);

/*
 * Whether tok[0..len) looks like a registry token: 1..CLIENT_TOKEN_MAX
 * bytes of [A-Za-z0-9._~+/=-], so it can be printed into shell
 * assignments, HCL and JSON strings unquoted-safe.
 */
bool client_token_valid(const char *tok, size_t len);

/*
 * TLS trust for requests to the registry, as Terraform (Go) finds it:
 * --ca-file when given (only that file); else when SSL_CERT_DIR is set, a
 * temporary bundle of SSL_CERT_FILE (or the first of Go's default bundle
 * files) and every file of each ':'-separated directory (Go reads every
 * file; OpenSSL would want hashed names); else SSL_CERT_FILE; else
 * libcurl's default.  Caller-owned storage.
 */
struct client_tls {
	char ca_file[CLIENT_PATH_MAX]; /* "" : the default */
	char bundle[CLIENT_PATH_MAX];  /* temporary file to remove, or "" */
};

/*
 * Fill t.  ca_opt, cert_file and cert_dir may be NULL or "" (unset).
 * REG_ENOENT (ca_opt unreadable), REG_ESYS, REG_ETOOBIG (directories
 * with more than 32 MiB of files); err says which and what to do.
 */
enum reg_err client_tls_init(struct client_tls *t, const char *ca_opt,
    const char *cert_file, const char *cert_dir, char *err,
    size_t errsz) REG_MUSTCHECK;
/* Removes the temporary bundle; t may be reused. */
void client_tls_release(struct client_tls *t);
/* The CA file to hand to libcurl, or NULL for the default; borrowed. */
const char *client_tls_ca(const struct client_tls *t);

/* One HTTPS request to a registry.  Everything borrowed. */
struct client_http {
	const char *host;    /* comparison form */
	const char *ca_file; /* NULL: the default trust */
	const char *bearer;  /* NULL: no Authorization header */
	long timeout_ms;     /* 0: 30 s */
};

/*
 * method path (starting with '/') on https://host, with an optional body
 * from memory (body, len, ctype) or from fd (fdlen bytes from offset 0).
 * REG_OK for any HTTP answer (resp->status); otherwise err says why:
 * REG_EUPSTREAM (no answer: DNS, connect, TLS), REG_ECRYPTO (the
 * certificate did not verify), REG_EINVAL, REG_ETOOBIG, REG_ENOMEM.  resp must have been fetch_resp_init'ed.
 */
enum reg_err client_request(const struct client_http *h, const char *method,
    const char *path, const char *ctype, const void *body, size_t len, int fd,
    uint64_t fdlen, struct fetch_resp *resp, char *err,
    size_t errsz) REG_MUSTCHECK;

/*
 * The server's explanation of a non-2xx answer: the "errors" strings of a
 * JSON error body joined with "; ", else the start of the body, else
 * "HTTP <status>"; control and non-ASCII bytes escaped.
 */
void client_resp_error(const struct fetch_resp *resp, char *out, size_t outsz);

/* A bearer token and what the registry said about it. */
struct client_token {
	char *token;        /* heap; wiped and freed by release */
	int64_t expires_at; /* Unix seconds; 0: unknown */
	int64_t expires_in; /* seconds; 0: unknown */
	char principal[512];
};

void client_token_init(struct client_token *);
void client_token_release(struct client_token *);
/* Copy tok into t (replacing what it held).  REG_EINVAL, REG_ENOMEM. */
enum reg_err client_token_set(struct client_token *t,
    const char *tok) REG_MUSTCHECK;

/*
 * A token given on the command line: copy it into t, then overwrite the
 * argv string so that it does not linger (ps shows the overwritten
 * text).  REG_EINVAL when it is not a plausible token.
 */
enum reg_err client_token_from_arg(struct client_token *t,
    char *arg) REG_MUSTCHECK;

/*
 * A token read from a file (first line, trailing CR/LF dropped, at most
 * CLIENT_TOKEN_MAX bytes).  REG_ENOENT, REG_EINVAL, REG_ESYS.
 */
enum reg_err client_token_from_file(struct client_token *t, const char *path,
    char *err, size_t errsz) REG_MUSTCHECK;

/*
 * The STS host a GetCallerIdentity is presigned for in region: the
 * regional endpoint of the region's partition (sts.<region>.amazonaws.com,
 * .amazonaws.com.cn for cn-*, ...).  REG_EINVAL for a bad region.
 */
enum reg_err client_sts_host(const char *region, char *out,
    size_t outsz) REG_MUSTCHECK;

/* AWS credentials as auth/sigv4 takes them (borrowed). */
struct sigv4_creds;

/*
 * Append "k8s-aws-v1." + base64url(presigned GetCallerIdentity URL for
 * client_sts_host(region), signed header x-k8s-aws-id: audience,
 * a random X-Amz-Expires in 60..900, signed at now) to out.  The result is a secret.
 * REG_EINVAL, REG_ETOOBIG, REG_ENOMEM, REG_ECRYPTO.
 */
enum reg_err client_iam_presign(const struct sigv4_creds *creds,
    const char *region, const char *audience, int64_t now,
    struct buf *out) REG_MUSTCHECK;

/* How to obtain a token by the IAM exchange.  Everything borrowed. */
struct client_iam {
	const char *audience; /* the registry host (comparison form) */
	const struct client_http *token_host; /* where /v1/auth/token is */
	const char *profile;                  /* --profile or NULL */
	const char *region;                   /* --region or NULL */
	int64_t expiration_seconds;           /* 0: the registry's default */
	char *(*getenv)(const char *);        /* the environment (getenv) */
	const char *home; /* NULL: HOME from the environment */
	bool token_hint;  /* errors may suggest --token (the tool has it) */
};

/*
 * Resolve AWS credentials and the region with the SDK chain
 * (auth/awscreds.h), presign, exchange at POST /v1/auth/token, and fill
 * *out (on success only).  Errors, with err saying what to do:
 * REG_ENOENT (no AWS credentials), REG_EINVAL (bad AWS configuration or
 * a malformed registry answer), REG_EAUTH / REG_EPERM (the registry or
 * STS refused: 401 / 403), REG_EUPSTREAM (unreachable, 5xx),
 * REG_ENOMEM, REG_ESYS.
 */
enum reg_err client_iam_token(const struct client_iam *, int64_t now,
    struct client_token *out, char *err, size_t errsz) REG_MUSTCHECK;

/*
 * Parse the token endpoint's 200 answer body[0..len) into *out (on
 * success only): {"token": string, "expires_at": RFC 3339 string,
 * "expires_in": integer, "principal": string, ...}; token required and
 * valid, the others optional.  REG_EINVAL, REG_ENOMEM.
 */
enum reg_err client_token_parse(const char *body, size_t len,
    struct client_token *out) REG_MUSTCHECK;

/*
 * How a tool authenticates to a registry: --token, --token-file, the
 * REGISTRY_TOKEN environment variable (in that order; API tokens or any
 * registry token, used as they are), else the IAM exchange with the AWS
 * credential chain.  Everything borrowed; token_arg is overwritten in
 * place once copied.
 */
struct client_login {
	const char *host;           /* the registry (comparison form) */
	const char *ca_file;        /* NULL: default trust */
	char *token_arg;            /* --token, or NULL */
	const char *token_file;     /* --token-file, or NULL */
	const char *profile;        /* --profile, or NULL */
	const char *region;         /* --region, or NULL */
	int64_t expiration_seconds; /* for the exchange; 0: default */
};

/*
 * The bearer token for l->host into *out (client_token_init'ed).  Errors
 * as client_iam_token() and client_token_from_file(); err says what to
 * do.
 */
enum reg_err client_bearer(struct client_login *l, struct client_token *out,
    char *err, size_t errsz) REG_MUSTCHECK;

/* "<prog>: <message>\n" on stderr (cli_prog()): progress and notes. */
void client_note(const char *fmt, ...) REG_PRINTF(1, 2);

/* The current time in Unix seconds. */
int64_t client_now(void);

/*
 * The program's own directory (from /proc/self/exe) into out.
 * REG_ESYS, REG_ETOOBIG.
 */
enum reg_err client_self_dir(char *out, size_t outsz) REG_MUSTCHECK;

#endif
