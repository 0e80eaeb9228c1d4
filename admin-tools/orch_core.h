/*
 * admin-tools/orch_core.h: the cloud-neutral core of honua-orchestrator.
 *
 * The core owns what every provider shares: the configuration read from
 * the environment (once, in orch_config_load), the customer-id grammar
 * valid on AWS, Azure and Google Cloud (provisioning.md section 1), the
 * --older-than duration grammar, the one HTTP call loop with retries
 * (AWS "standard" mode: exponential backoff with full jitter, Retry-After
 * honoured, quota errors never retried), --dry-run (every call printed,
 * none made), the -v request log (method, URL, service, action, status;
 * never a header or a body), the bounded eventual-consistency poll, and
 * the reports printed at the end of a command.
 *
 * A provider (struct orch_provider_ops) implements the cloud side: it
 * builds, signs and parses requests and decides what an answer means.
 * Only AWS is implemented; Azure ACR and Google Artifact Registry slot in
 * as further orch_provider_ops tables.
 *
 * Invariant: no secret is ever passed to the request log, to an error
 * message or to a report; buffers that held one are wiped.
 */
#ifndef REG_ORCH_CORE_H
#define REG_ORCH_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fetch.h"

#define ORCH_EXIT_OK 0
#define ORCH_EXIT_FAIL 1
#define ORCH_EXIT_USAGE 2

#define ORCH_ID_MIN 3
#define ORCH_ID_MAX 15
#define ORCH_ID_BUFSZ (ORCH_ID_MAX + 1)
#define ORCH_ID_RULE \
	"3-15 characters, lowercase letters and digits, starting with a " \
	"letter (^[a-z][a-z0-9]{2,14}$)"

#define ORCH_MANAGED_KEY "ManagedBy"
#define ORCH_MANAGED_VAL "honua-orchestrator"
#define ORCH_CUSTOMER_KEY "honua:customer-id"

#define ORCH_IMAGE_MAX 64  /* one image (repository leaf) name */
#define ORCH_MAX_IMAGES 16 /* images per customer */
#define ORCH_ERRMSG_MAX 1024
#define ORCH_PATH_MAX 4096

#define ORCH_DEFAULT_REGIONS "us-east-1,us-west-2,eu-west-1,ap-southeast-1"
#define ORCH_DEFAULT_PAT_SECRET "honua/github-pat-build-orchestrator"
#ifndef ORCH_POLICY_DIR_DEFAULT
#define ORCH_POLICY_DIR_DEFAULT "/usr/local/share/honua-orchestrator/policies"
#endif

/* Retry policy (AWS "standard" mode, provisioning.md section 1). */
struct orch_retry_cfg {
	unsigned max_attempts; /* total attempts, >= 1 */
	long base_throttle_ms; /* backoff base for throttling errors */
	long base_other_ms;    /* backoff base for other retryable errors */
	long cap_ms;           /* no single wait is longer */
};

/*
 * Everything read from the environment, once, by orch_config_load().
 * Strings point into the environment or static storage (borrowed).
 */
struct orch_config {
	struct orch_retry_cfg retry;
	long consistency_timeout_ms; /* HONUA_CONSISTENCY_TIMEOUT_S */
	long consistency_poll_ms;    /* HONUA_CONSISTENCY_POLL_MS */
	long http_timeout_ms;        /* HONUA_HTTP_TIMEOUT_MS */
	const char *policy_dir;      /* HONUA_POLICY_DIR, else NULL */
	const char *allowed_regions; /* AWS_ALLOWED_ECR_REGIONS */
	const char *pat_secret;      /* GITHUB_PAT_SECRET_NAME */
	const char *images;          /* HONUA_ECR_IMAGES ("app") */
	const char *buildah_root;    /* HONUA_BUILDAH_ROOT, else NULL */
	const char *buildah_runroot; /* HONUA_BUILDAH_RUNROOT, else NULL */
	const char *tmpdir;          /* TMPDIR, else "/tmp" */
	const char *registry_ca;     /* HONUA_REGISTRY_CA_FILE, else NULL */
};

/* getenv-like; NULL when unset. */
typedef const char *(*orch_getenv_fn)(void *arg, const char *name);

/*
 * Fill cfg from the environment (get/arg; empty values count as unset).
 * REG_EINVAL with a message in errbuf naming the variable when a value is
 * malformed; defaults otherwise.
 */
enum reg_err orch_config_load(struct orch_config *cfg, orch_getenv_fn get,
    void *arg, char *errbuf, size_t errsz) REG_MUSTCHECK;

/* The request log sink: one line, no newline; never a secret. */
typedef void (*orch_log_fn)(void *arg, const char *line);

/* Commands. */
enum orch_cmd {
	ORCH_CMD_NONE = 0,
	ORCH_CMD_CREATE_REGISTRY,
	ORCH_CMD_CREATE_CREDENTIALS,
	ORCH_CMD_BUILD,
	ORCH_CMD_AUDIT,
	ORCH_CMD_DELETE,
};

/* What the command line asked for (strings borrowed from argv). */
struct orch_opts {
	enum orch_cmd cmd;
	const char *provider;    /* --provider */
	const char *customer_id; /* --customer-id, validated */
	const char *region;      /* --region */
	const char *profile;     /* --profile */
	const char *output;      /* --output FILE or "-" */
	const char *images;      /* --images a,b (create-registry) */
	const char *image;       /* --image (build) */
	const char *github_repo; /* --github-repo */
	const char *ref;         /* --ref */
	const char *dockerfile;  /* --dockerfile */
	const char *context;     /* --context */
	const char *tag;         /* --tag */
	const char *push_to;     /* --push-to list */
	const char *assume_role_arn;
	const char *external_id;
	int64_t older_than_s; /* --older-than; -1: not given */
	bool rotate, allow_push, unused, confirm, dry_run, json, verbose;
};

/*
 * One command's run-time state.  The core fills it in main(); providers
 * read opts and cfg and report through the functions below.
 */
struct orch_ctx {
	struct orch_opts opts;
	struct orch_config cfg;
	orch_getenv_fn getenv; /* the environment; NULL: empty */
	void *getenv_arg;
	orch_log_fn log; /* -v sink (stderr); NULL: silent */
	void *log_arg;
	/* sleep hook (tests); NULL: nanosleep */
	void (*sleep_ms)(void *arg, long ms);
	void *sleep_arg;
	unsigned long ncalls;      /* requests made (not counting dry-run) */
	unsigned long nplanned;    /* dry-run: requests printed */
	char err[ORCH_ERRMSG_MAX]; /* first failure, "what: why: what to do" */
	bool has_err;
};

void orch_ctx_init(struct orch_ctx *);

/*
 * Record the command's failure message (the first one wins; later ones
 * are ignored) and return er.  The text is printed once by main().
 */
enum reg_err orch_fail(struct orch_ctx *, enum reg_err er, const char *fmt, ...)
    REG_PRINTF(3, 4);

/*
 * Forget the recorded failure: the caller recovered from it (a fallback
 * that worked, a best-effort clean-up).
 */
void orch_fail_clear(struct orch_ctx *);

/* Log one -v line (format, no secrets); no-op unless -v. */
void orch_vlog(struct orch_ctx *, const char *fmt, ...) REG_PRINTF(2, 3);

/* A warning on stderr, always shown. */
void orch_warn(struct orch_ctx *, const char *fmt, ...) REG_PRINTF(2, 3);

/* Sleep ms milliseconds (through the hook when set). */
void orch_sleep(struct orch_ctx *, long ms);

/* Wall clock, Unix seconds and milliseconds. */
int64_t orch_now(void);
int64_t orch_now_ms(void);

/* "YYYY-MM-DDTHH:MM:SSZ" of t into out (>= 21 bytes); "" for t <= 0. */
void orch_fmt_time(int64_t t, char *out, size_t outsz);

/*
 * ---- names --------------------------------------------------------
 */

/* ^[a-z][a-z0-9]{2,14}$ on p[0..len). */
bool orch_customer_id_valid(const char *p, size_t len);

/*
 * An image (repository leaf) name: ^[a-z0-9]+([._-][a-z0-9]+)*$, at most
 * ORCH_IMAGE_MAX bytes.
 */
bool orch_image_name_valid(const char *p, size_t len);

/*
 * Split a comma-separated image list into names[0..*n) (copied into
 * store, which must be at least len + 1 bytes).  REG_EINVAL for an empty
 * list, an invalid or repeated name, or more than max names.
 */
enum reg_err orch_split_images(const char *list, char *store, size_t storesz,
    const char **names, size_t max, size_t *n) REG_MUSTCHECK;

/* An OCI tag: ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$. */
bool orch_tag_valid(const char *p, size_t len);

/*
 * Whether word (p[0..len)) is one of the comma-separated items of list
 * (items are compared exactly; spaces around items are ignored).
 */
bool orch_list_has(const char *list, const char *p, size_t len);

/*
 * --older-than: 1..6 digits then one unit s, m, h, d or w ("90d", "12h",
 * "0d").  *secs only on success; REG_EINVAL otherwise.
 */
enum reg_err orch_duration_parse(const char *p, size_t len,
    int64_t *secs) REG_MUSTCHECK;

/*
 * ---- retries --------------------------------------------------------
 */

enum orch_retry_class {
	ORCH_RC_NONE = 0,  /* not retryable: a definite answer */
	ORCH_RC_TRANSIENT, /* 5xx, connection error, transient codes */
	ORCH_RC_THROTTLE,  /* throttling codes, 429 */
	ORCH_RC_QUOTA,     /* a service quota: never retried */
};

/*
 * Classify an answer: status is the HTTP status (0 when no answer was
 * had: a connection error), code the provider's error code ("" none).
 * Quota codes (LimitExceededException, LimitExceeded) win over the status.
 */
enum orch_retry_class orch_retry_classify(long status, const char *code);

/*
 * The wait before attempt `attempt + 1` after `attempt` failed attempts
 * (attempt >= 1): full jitter, rnd % (min(cap, base * 2^(attempt-1)) + 1)
 * milliseconds, base by class.  Never negative, never above cap_ms.
 */
long orch_backoff_ms(const struct orch_retry_cfg *, unsigned attempt,
    enum orch_retry_class cls, uint64_t rnd);

/*
 * Retry-After (seconds) or x-amz-retry-after (milliseconds) of a
 * response, in milliseconds; -1 when absent or malformed.
 */
long orch_retry_after_ms(const struct fetch_resp *);

/*
 * ---- the call loop ------------------------------------------------
 */

/* A provider's reading of a failed answer.  Never holds a secret. */
struct orch_apierr {
	long status;       /* HTTP status; 0: no answer */
	char code[96];     /* normalised error code, "" when unknown */
	char message[512]; /* the service's message, escaped */
	char request_id[128];
};

/*
 * One API request.  Every pointer is borrowed for the call.
 * sign is called before every attempt with a fresh fetch_req holding the
 * method, URL and body; it adds the headers (and signs).  errparse turns a
 * non-2xx answer into an orch_apierr.
 */
struct orch_call {
	const char *provider; /* "aws" */
	const char *service;  /* "ecr" */
	const char *action;   /* "CreateRepository" */
	const char *method;   /* "POST" */
	const char *url;
	const void *body;
	size_t body_len;
	const char *summary; /* -v/dry-run text, e.g. "repositoryName=x" */
	bool show_body;      /* dry-run prints the body (no secrets in it) */
	bool resp_secret;    /* the answer carries a secret */
	bool allow_http;     /* loopback endpoint */
	const char *ca_file;
	size_t max_body;       /* 0: 1 MiB */
	unsigned max_attempts; /* 0: cfg.retry.max_attempts */
	enum reg_err (*sign)(void *arg, struct fetch_req *req);
	void (*errparse)(void *arg, const struct fetch_resp *resp,
	    struct orch_apierr *err);
	void *arg;
};

/*
 * Perform call with retries.  In dry-run mode the call is printed on
 * stdout and nothing is sent: REG_OK with resp->status == 0.
 * REG_OK with a 2xx answer in resp; otherwise err says what the service
 * answered and the return value is a coarse class: REG_EINVAL (4xx),
 * REG_EAUTH (401/403 and auth codes), REG_ENOENT (404), REG_EEXIST (409),
 * REG_EUPSTREAM (no answer, 5xx or throttling after the last attempt, or
 * a quota).  resp (initialised by the caller) is released by the caller;
 * with resp_secret its body is wiped on each retry.
 */
enum reg_err orch_call_do(struct orch_ctx *, const struct orch_call *,
    struct fetch_resp *resp, struct orch_apierr *err) REG_MUSTCHECK;

/* Wipe and release a response that may hold a secret. */
void orch_resp_release_wipe(struct fetch_resp *);

/*
 * Bounded poll for eventual consistency: orch_poll_start, then call
 * orch_poll_next after each "not yet" answer; it sleeps (doubling from
 * cfg.consistency_poll_ms, at most 10 s) and returns false once
 * cfg.consistency_timeout_ms has passed.
 */
struct orch_poll {
	int64_t deadline_ms;
	long wait_ms;
	unsigned n;
};
void orch_poll_start(struct orch_ctx *, struct orch_poll *);
bool orch_poll_next(struct orch_ctx *, struct orch_poll *, const char *what);

/*
 * ---- URLs ----------------------------------------------------------
 */

struct orch_url {
	bool https;
	bool loopback;      /* 127.0.0.0/8, ::1 or localhost */
	char host[256];     /* without brackets */
	char hostport[300]; /* what libcurl sends as Host */
	char path[1024];    /* "/" when empty; no query */
};

/* Parse an http(s) URL without userinfo or fragment; REG_EINVAL. */
enum reg_err orch_url_parse(const char *url,
    struct orch_url *out) REG_MUSTCHECK;

/*
 * ---- reports --------------------------------------------------------
 */

/* One line of a create/delete report: never a secret. */
struct orch_report_item {
	char action[16]; /* "created", "adopted", "removed", "absent", ... */
	char kind[24];   /* "ecr-repository", "iam-user", "access-key" */
	char name[300];
	char detail[300];
};

struct orch_report {
	struct orch_report_item *v;
	size_t n, cap;
};

void orch_report_init(struct orch_report *);
void orch_report_release(struct orch_report *);
enum reg_err orch_report_add(struct orch_report *, const char *action,
    const char *kind, const char *name, const char *detail) REG_MUSTCHECK;

/* One resource in an audit. */
struct orch_audit_item {
	char kind[24]; /* "ecr-repository", "iam-user", "access-key" */
	char name[300];
	char customer[64];
	char parent[128]; /* access key: its user */
	char status[16];  /* access key: Active / Inactive */
	char used_service[32];
	int64_t created;   /* 0: unknown */
	int64_t last_push; /* repositories: newest image push, 0: none */
	int64_t last_used; /* keys: last use; repositories: last pull */
	long long images;  /* repositories: image count; -1: n/a */
	bool older;        /* created before now - older_than */
	bool unused;       /* see orch_audit_flag() */
};

struct orch_audit {
	struct orch_audit_item *v;
	size_t n, cap;
	size_t unmanaged; /* resources seen under the prefix, not ours */
};

void orch_audit_init(struct orch_audit *);
void orch_audit_release(struct orch_audit *);
/* Append a zeroed item (images = -1); *out borrowed until the next add. */
enum reg_err orch_audit_add(struct orch_audit *,
    struct orch_audit_item **out) REG_MUSTCHECK;

/*
 * Set older/unused on every item.  older_than_s < 0: no age threshold.
 * unused: a key never used or (with a threshold) last used before
 * now - older_than; a repository with no image, or (with a threshold)
 * neither pushed nor pulled since; a user whose keys are all unused.
 */
void orch_audit_flag(struct orch_audit *, int64_t now, int64_t older_than_s);

/*
 * ---- providers ------------------------------------------------------
 */

/* Registry login for a push. */
struct orch_login {
	char registry_url[512]; /* "https://host[:port]" */
	char username[128];
	char password[4096];   /* secret: wipe with orch_login_clear */
	char repo_prefix[256]; /* e.g. "honua/acme" */
};
void orch_login_clear(struct orch_login *);

struct orch_provider_ops {
	const char *name;
	bool available; /* compiled in and implemented */
	/*
	 * Set up for one command (resolve region, endpoints; no request).
	 * *state: new, freed by close.  Usage-type problems (a region not
	 * allowed) are REG_EINVAL with orch_fail() called.
	 */
	enum reg_err (*open)(struct orch_ctx *, void **state);
	void (*close)(void *state);
	/* Check the provider's names for this customer id (no request). */
	enum reg_err (*validate_names)(struct orch_ctx *, void *state,
	    const char *customer_id);
	enum reg_err (*create_registry)(struct orch_ctx *, void *state,
	    struct orch_report *);
	enum reg_err (*create_credentials)(struct orch_ctx *, void *state,
	    struct orch_report *);
	enum reg_err (
	    *audit)(struct orch_ctx *, void *state, struct orch_audit *);
	enum reg_err (
	    *delete)(struct orch_ctx *, void *state, struct orch_report *);
	enum reg_err (*registry_login)(struct orch_ctx *, void *state,
	    struct orch_login *);
};

/* Every provider this build knows, available or not; NULL-terminated. */
extern const struct orch_provider_ops *const orch_providers[];

/* The provider called name, or NULL. */
const struct orch_provider_ops *orch_provider_find(const char *name);

#endif
