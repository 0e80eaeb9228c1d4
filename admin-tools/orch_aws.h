/*
 * admin-tools/orch_aws.h: the AWS provider of honua-orchestrator: ECR
 * (JSON 1.1), IAM and STS (query/XML), Secrets Manager (JSON 1.1), all
 * signed with SigV4 (auth/sigv4) using credentials, region, endpoints
 * and CA trust from auth/awscreds (provisioning.md section 3).
 *
 * orch_aws.c holds the provider (struct orch_provider_ops
 * orch_aws_provider), the transport and the command flows; orch_ecr.c
 * and orch_iam.c one function per API operation.  Names:
 *   ECR repository  honua/<customer-id>/<image>
 *   IAM user        honua-customer-<customer-id>, path /honua/
 *   inline policy   honua-ecr-access
 *   tags            ManagedBy=honua-orchestrator, honua:customer-id=<id>
 *                   (+ on the user: honua:pending-key=<id of a key
 *                   created, not yet delivered>, honua:delivered-key=<id
 *                   of the key whose document was written>)
 *
 * Invariant: a resource is changed or adopted only when it carries
 * ManagedBy=honua-orchestrator and the matching customer id; secrets
 * (secret keys, session tokens, authorization tokens, secret strings)
 * never reach a log, an error message or a report.
 */
#ifndef REG_ORCH_AWS_H
#define REG_ORCH_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "admin-tools/orch_core.h"
#include "auth/awscreds.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fetch.h"

#define ORCH_AWS_USER_PREFIX "honua-customer-"
#define ORCH_AWS_USER_PATH "/honua/"
#define ORCH_AWS_POLICY_NAME "honua-ecr-access"
#define ORCH_AWS_DELIVERED_KEY "honua:delivered-key"
#define ORCH_AWS_PENDING_KEY "honua:pending-key"
#define ORCH_AWS_ECR_TARGET "AmazonEC2ContainerRegistry_V20150921"
#define ORCH_AWS_SM_TARGET "secretsmanager"
#define ORCH_AWS_SESSION_NAME "honua-orchestrator"
#define ORCH_AWS_MAX_KEYS 16 /* access keys listed per user (IAM caps at 2) */
#define ORCH_AWS_RESP_MAX ((size_t)4 << 20)

extern const struct orch_provider_ops orch_aws_provider;

/* A resolved endpoint with its parsed URL and signing scope. */
struct orch_aws_ep {
	char url[AWS_URL_MAX + 8];
	char signing_region[AWS_REGION_MAX + 1];
	const char *signing_name; /* "ecr", "iam", "sts", "secretsmanager" */
	struct orch_url u;
};

/* The provider's state for one command (new in open, freed in close). */
struct orch_aws {
	struct orch_ctx *ctx;
	struct aws_opts opts;
	struct aws_creds_provider *prov;
	struct aws_creds base; /* --assume-role-arn: the source keys */
	int env_mode;          /* see aws_lookup() in orch_aws.c */
	bool creds_ok;         /* a first resolution succeeded */
	char region[AWS_REGION_MAX + 1];
	struct aws_tls tls;
	struct orch_aws_ep ecr, iam, sts, sm;
	char account[16];
	char partition[16];
	char caller_arn[512];
	bool identity_known;
};

/* Ownership tags of one resource. */
struct orch_aws_tags {
	bool managed;         /* ManagedBy=honua-orchestrator */
	char managed_by[128]; /* its value, "" when absent */
	char customer[64];    /* honua:customer-id, "" when absent */
	char delivered[64];   /* honua:delivered-key, "" when absent */
	char pending[64];     /* honua:pending-key, "" when absent */
};

/*
 * Names (borrowed id, validated by the caller): the IAM user
 * "honua-customer-<id>" and the ECR repository "honua/<id>/<image>".
 * false when out is too small (out is then "").
 */
bool orch_aws_user_name(const char *id, char *out, size_t outsz);
bool orch_aws_repo_name(const char *id, const char *image, char *out,
    size_t outsz);

/* Accumulate one Key/Value pair into t. */
void orch_aws_tags_add(struct orch_aws_tags *t, const char *key,
    const char *value);

/* Whether t marks a resource of customer id. */
bool orch_aws_tags_ours(const struct orch_aws_tags *t, const char *id);

/*
 * ---- error bodies (unit-tested and fuzzed) ---------------------------
 */

/*
 * Normalise a JSON-protocol error type p[0..len): drop everything up to
 * the last '#' ("com.amazonaws.ecr#Name"), then everything from the
 * first ':' ("Name:http://internal..."); the result must be
 * [A-Za-z0-9_.]{1,95}, else out is "".  out has outsz >= 1 bytes.
 */
void orch_aws_errtype_norm(const char *p, size_t len, char *out, size_t outsz);

/*
 * Read a JSON 1.1 error answer: __type (or, when absent, the
 * x-amzn-ErrorType header value hdr_type, may be NULL) normalised into
 * err->code; "message" or "Message" escaped into err->message.  Any
 * input is accepted; what cannot be read stays "".
 */
void orch_aws_json_error(const char *body, size_t len, const char *hdr_type,
    struct orch_apierr *err);

/* Read a query-protocol XML error (ErrorResponse/Error/Code, Message). */
void orch_aws_xml_error(const char *body, size_t len, struct orch_apierr *err);

/*
 * ---- transport (orch_aws.c) ---------------------------------------------
 */

/* Query-protocol form body with a sticky error. */
struct orch_form {
	struct buf b;
	enum reg_err er;
};
void orch_form_init(struct orch_form *, const char *action,
    const char *version);
void orch_form_add(struct orch_form *, const char *name, const char *value);
void orch_form_release(struct orch_form *);

/*
 * One JSON 1.1 call (ECR, Secrets Manager).  body is borrowed; *out (may
 * be NULL) gets the parsed answer object (new, json_decref) on success,
 * or NULL in dry-run mode.  as: sign with these credentials instead of
 * the tool's (the customer's new key).  Errors as orch_call_do(), with
 * err filled; for the caller to turn into a message with orch_aws_fail.
 */
enum reg_err orch_aws_json(struct orch_aws *, const struct orch_aws_ep *ep,
    const char *target, const char *action, json_t *body, const char *summary,
    bool resp_secret, const struct aws_creds *as, json_t **out,
    struct orch_apierr *err) REG_MUSTCHECK;

/*
 * One query call (IAM, STS).  resp (initialised by the caller, released
 * by it; orch_resp_release_wipe when resp_secret) gets the XML answer;
 * status 0 in dry-run mode.
 */
enum reg_err orch_aws_query(struct orch_aws *, const struct orch_aws_ep *ep,
    struct orch_form *form, const char *action, const char *summary,
    bool resp_secret, const struct aws_creds *as, struct fetch_resp *resp,
    struct orch_apierr *err) REG_MUSTCHECK;

/*
 * Record "what: code: message (hint)" as the command's failure and
 * return er; the hint says what to do for quotas, throttling, auth.
 */
enum reg_err orch_aws_fail(struct orch_aws *, enum reg_err er,
    const struct orch_apierr *err, const char *what);

/* Text of XML element path (relative to doc[0..len)) into out, or "". */
void orch_aws_xml_text(const char *doc, size_t len, const char *path,
    size_t nth, char *out, size_t outsz);

/* Whether dry-run is on. */
bool orch_aws_dry(const struct orch_aws *);

/*
 * Learn the account and partition (sts:GetCallerIdentity) once.  In
 * dry-run mode they are "000000000000" and "aws".
 */
enum reg_err orch_aws_identity(struct orch_aws *) REG_MUSTCHECK;

/*
 * The SecretString of Secrets Manager secret name, appended to out
 * (wipe it).  REG_ENOENT when the secret does not exist.  In dry-run
 * mode out stays empty.
 */
enum reg_err orch_aws_secret_string(struct orch_ctx *, void *state,
    const char *name, struct buf *out) REG_MUSTCHECK;

/*
 * ---- ECR (orch_ecr.c) ------------------------------------------------
 */

/* One repository as DescribeRepositories/CreateRepository answer it. */
struct orch_ecr_repo {
	char name[300];
	char arn[512];
	char uri[600];
	char encryption[16];
	char mutability[32];
	int64_t created;
};

/* REG_EEXIST: RepositoryAlreadyExistsException. */
enum reg_err orch_ecr_create(struct orch_aws *, const char *name,
    const char *customer, struct orch_ecr_repo *out) REG_MUSTCHECK;
/* REG_ENOENT: RepositoryNotFoundException. */
enum reg_err orch_ecr_describe(struct orch_aws *, const char *name,
    struct orch_ecr_repo *out) REG_MUSTCHECK;
enum reg_err orch_ecr_list_tags(struct orch_aws *, const char *arn,
    struct orch_aws_tags *out) REG_MUSTCHECK;
enum reg_err orch_ecr_tag(struct orch_aws *, const char *arn,
    const char *customer) REG_MUSTCHECK;
/* REG_ENOENT: RepositoryNotFoundException. */
enum reg_err orch_ecr_put_lifecycle(struct orch_aws *, const char *name,
    const char *text) REG_MUSTCHECK;

/* Called for each repository whose name starts with prefix. */
typedef enum reg_err (*orch_ecr_repo_fn)(struct orch_aws *,
    const struct orch_ecr_repo *, void *arg);
enum reg_err orch_ecr_list(struct orch_aws *, const char *prefix,
    orch_ecr_repo_fn fn, void *arg) REG_MUSTCHECK;

struct orch_ecr_images {
	long long count;
	int64_t last_push;
	int64_t last_pull;
};
enum reg_err orch_ecr_images(struct orch_aws *, const char *name,
    struct orch_ecr_images *out) REG_MUSTCHECK;
/* REG_ENOENT: already gone. */
enum reg_err orch_ecr_delete(struct orch_aws *, const char *name) REG_MUSTCHECK;
/*
 * GetAuthorizationToken (with as, or the tool's credentials): the
 * decoded user name and password and the proxy endpoint.
 */
enum reg_err orch_ecr_auth_token(struct orch_aws *, const struct aws_creds *as,
    struct orch_login *out) REG_MUSTCHECK;

/*
 * ---- IAM and STS (orch_iam.c) -----------------------------------------
 */

struct orch_iam_user {
	char name[128];
	char path[512];
	char arn[600];
	int64_t created;
};

struct orch_iam_key {
	char id[AWS_AKID_MAX + 1];
	char status[16];
	int64_t created;
	int64_t last_used; /* 0: never */
	char used_service[32];
};

struct orch_iam_keys {
	struct orch_iam_key v[ORCH_AWS_MAX_KEYS];
	size_t n;
};

/* GetCallerIdentity with as (or the tool's credentials). */
enum reg_err orch_sts_identity(struct orch_aws *, const struct aws_creds *as,
    char *account, size_t accountsz, char *arn, size_t arnsz) REG_MUSTCHECK;

/* REG_EEXIST: EntityAlreadyExists. */
enum reg_err orch_iam_create_user(struct orch_aws *, const char *user,
    const char *customer, struct orch_iam_user *out) REG_MUSTCHECK;
/* REG_ENOENT: NoSuchEntity. */
enum reg_err orch_iam_get_user(struct orch_aws *, const char *user,
    struct orch_iam_user *out) REG_MUSTCHECK;
enum reg_err orch_iam_user_tags(struct orch_aws *, const char *user,
    struct orch_aws_tags *out) REG_MUSTCHECK;
enum reg_err orch_iam_tag_user(struct orch_aws *, const char *user,
    const char *key, const char *value) REG_MUSTCHECK;
enum reg_err orch_iam_put_policy(struct orch_aws *, const char *user,
    const char *name, const char *doc) REG_MUSTCHECK;

/* Called with each inline policy name / attached policy ARN. */
typedef enum reg_err (
    *orch_iam_name_fn)(struct orch_aws *, const char *, void *arg);
enum reg_err orch_iam_list_policies(struct orch_aws *, const char *user,
    bool attached, orch_iam_name_fn fn, void *arg) REG_MUSTCHECK;
/* REG_ENOENT: already gone. */
enum reg_err orch_iam_delete_policy(struct orch_aws *, const char *user,
    const char *name) REG_MUSTCHECK;
enum reg_err orch_iam_detach_policy(struct orch_aws *, const char *user,
    const char *arn) REG_MUSTCHECK;

/*
 * CreateAccessKey: the new key into *key (secret included: clear it with
 * aws_creds_clear) and its creation time.  REG_EUPSTREAM with the error
 * code LimitExceeded at the 2-key cap.
 */
enum reg_err orch_iam_create_key(struct orch_aws *, const char *user,
    struct aws_creds *key, int64_t *created) REG_MUSTCHECK;
enum reg_err orch_iam_list_keys(struct orch_aws *, const char *user,
    struct orch_iam_keys *out) REG_MUSTCHECK;
enum reg_err orch_iam_key_last_used(struct orch_aws *,
    struct orch_iam_key *k) REG_MUSTCHECK;
enum reg_err orch_iam_update_key(struct orch_aws *, const char *user,
    const char *id, const char *status) REG_MUSTCHECK;
/* REG_ENOENT: already gone. */
enum reg_err orch_iam_delete_key(struct orch_aws *, const char *user,
    const char *id) REG_MUSTCHECK;

typedef enum reg_err (*orch_iam_user_fn)(struct orch_aws *,
    const struct orch_iam_user *, void *arg);
enum reg_err orch_iam_list_users(struct orch_aws *, const char *path_prefix,
    orch_iam_user_fn fn, void *arg) REG_MUSTCHECK;
/* REG_ENOENT: already gone; REG_EEXIST: DeleteConflict. */
enum reg_err orch_iam_delete_user(struct orch_aws *,
    const char *user) REG_MUSTCHECK;

#endif
