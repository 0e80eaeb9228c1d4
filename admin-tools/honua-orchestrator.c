/*
 * admin-tools/honua-orchestrator.c: the vendor's tool that gives each
 * customer its own container registry and credentials that reach only
 * that customer's images.  This file is the command line: options,
 * usage errors (exit 2), dispatch to a provider (orch_core.h), and the
 * printed reports.  See docs/honua-orchestrator.1.
 *
 * Invariant: only main() exits; nothing printed here can hold a secret
 * (reports carry names and ids only; the credentials document is written
 * by the provider through orch_creds_doc).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "admin-tools/cli.h"
#include "admin-tools/orch_build.h"
#include "admin-tools/orch_core.h"
#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/log.h"

#define PROG "honua-orchestrator"

enum {
	OPT_PROVIDER = 256,
	OPT_CUSTOMER,
	OPT_REGION,
	OPT_PROFILE,
	OPT_ROTATE,
	OPT_OUTPUT,
	OPT_ALLOW_PUSH,
	OPT_IMAGES,
	OPT_IMAGE,
	OPT_REPO,
	OPT_REF,
	OPT_DOCKERFILE,
	OPT_CONTEXT,
	OPT_TAG,
	OPT_PUSH_TO,
	OPT_OLDER,
	OPT_UNUSED,
	OPT_JSON,
	OPT_CONFIRM,
	OPT_ROLE,
	OPT_EXTID,
	OPT_DRY,
};

static const struct option longopts[] = {
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "customer-id", required_argument, NULL, OPT_CUSTOMER },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "rotate", no_argument, NULL, OPT_ROTATE },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "allow-push", no_argument, NULL, OPT_ALLOW_PUSH },
	{ "images", required_argument, NULL, OPT_IMAGES },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "github-repo", required_argument, NULL, OPT_REPO },
	{ "ref", required_argument, NULL, OPT_REF },
	{ "dockerfile", required_argument, NULL, OPT_DOCKERFILE },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "push-to", required_argument, NULL, OPT_PUSH_TO },
	{ "older-than", required_argument, NULL, OPT_OLDER },
	{ "unused", no_argument, NULL, OPT_UNUSED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "confirm", no_argument, NULL, OPT_CONFIRM },
	{ "assume-role-arn", required_argument, NULL, OPT_ROLE },
	{ "external-id", required_argument, NULL, OPT_EXTID },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *name;
	enum orch_cmd cmd;
} commands[] = {
	{ "create-registry", ORCH_CMD_CREATE_REGISTRY },
	{ "create-credentials", ORCH_CMD_CREATE_CREDENTIALS },
	{ "build", ORCH_CMD_BUILD },
	{ "audit", ORCH_CMD_AUDIT },
	{ "delete", ORCH_CMD_DELETE },
};

/* Which command-specific options each command takes (bit per OPT_). */
#define B(o) (1ull << ((o)-OPT_PROVIDER))
#define GLOBAL_OPTS \
	(B(OPT_REGION) | B(OPT_PROFILE) | B(OPT_JSON) | B(OPT_ROLE) | \
	    B(OPT_EXTID) | B(OPT_DRY))

static unsigned long long
allowed(enum orch_cmd c)
{
	switch (c) {
	case ORCH_CMD_CREATE_REGISTRY:
		return GLOBAL_OPTS | B(OPT_PROVIDER) | B(OPT_CUSTOMER) |
		    B(OPT_IMAGES);
	case ORCH_CMD_CREATE_CREDENTIALS:
		return GLOBAL_OPTS | B(OPT_PROVIDER) | B(OPT_CUSTOMER) |
		    B(OPT_ROTATE) | B(OPT_OUTPUT) | B(OPT_ALLOW_PUSH);
	case ORCH_CMD_BUILD:
		return GLOBAL_OPTS | B(OPT_CUSTOMER) | B(OPT_REPO) |
		    B(OPT_REF) | B(OPT_DOCKERFILE) | B(OPT_CONTEXT) |
		    B(OPT_TAG) | B(OPT_PUSH_TO) | B(OPT_IMAGE);
	case ORCH_CMD_AUDIT:
		return GLOBAL_OPTS | B(OPT_PROVIDER) | B(OPT_OLDER) |
		    B(OPT_UNUSED);
	case ORCH_CMD_DELETE:
		return GLOBAL_OPTS | B(OPT_PROVIDER) | B(OPT_CUSTOMER) |
		    B(OPT_CONFIRM);
	case ORCH_CMD_NONE:
		break;
	}
	return 0;
}

static void
usage(FILE *f)
{
	(void)fprintf(f,
	    "usage: " PROG " COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  create-registry    --provider aws --customer-id ID [--region R]"
	    " [--images a,b]\n"
	    "  create-credentials --provider aws --customer-id ID [--rotate]"
	    " [--allow-push]\n"
	    "                     [--output FILE|-]   (default "
	    "./honua-credentials-ID.json)\n"
	    "  build              --customer-id ID --github-repo URL [--ref "
	    "REF]\n"
	    "                     [--dockerfile PATH] [--context DIR] "
	    "[--image NAME] --tag TAG\n"
	    "                     --push-to aws[,azure,gcp]\n"
	    "  audit              --provider aws|all [--older-than 90d] "
	    "[--unused] [--json]\n"
	    "  delete             --customer-id ID --provider aws|all "
	    "--confirm\n"
	    "\n"
	    "global options:\n"
	    "  --assume-role-arn ARN --external-id X   work in another "
	    "account through that role\n"
	    "  --region R  --profile P                 AWS region and "
	    "profile\n"
	    "  --dry-run                               print every API call, "
	    "make none\n"
	    "  --json                                  machine-readable "
	    "output\n"
	    "  -v                                      request log on stderr "
	    "(no secrets)\n"
	    "  -h, --help                              this text\n"
	    "\n"
	    "customer ids: " ORCH_ID_RULE ".\n"
	    "exit status: 0 ok, 1 failed, 2 usage.  See " PROG "(1).\n");
}

static int usage_err(const char *fmt, ...) REG_PRINTF(1, 2);

static int
usage_err(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, PROG ": %s\n", msg);
	(void)fprintf(stderr, "run '" PROG " --help' for usage\n");
	return ORCH_EXIT_USAGE;
}

static const char *
env_get(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

static void
vlog_sink(void *arg, const char *line)
{
	(void)arg;
	(void)fprintf(stderr, PROG ": v: %s\n", line);
}

/* jansson frees through here: decoded secrets do not linger in the heap. */
static void *
wipe_malloc(size_t n)
{
	return malloc(n);
}

static void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	cryptow_wipe(p, malloc_usable_size(p));
	free(p);
}

/*
 * ---- printing -----------------------------------------------------------
 */

static void
jstr(FILE *f, const char *s)
{
	const unsigned char *p;

	(void)fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			(void)fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			(void)fprintf(f, "\\u%04x", *p);
		else
			(void)fputc(*p, f);
	}
	(void)fputc('"', f);
}

static void
print_report(FILE *f, const struct orch_ctx *ctx, const char *cmd,
    const char *provider, const struct orch_report *r)
{
	size_t i;

	if (ctx->opts.json) {
		(void)fprintf(f, "{\"command\":");
		jstr(f, cmd);
		(void)fprintf(f, ",\"provider\":");
		jstr(f, provider);
		(void)fprintf(f, ",\"customerId\":");
		jstr(f,
		    ctx->opts.customer_id != NULL ? ctx->opts.customer_id : "");
		(void)fprintf(f, ",\"dryRun\":%s,\"ok\":%s,\"actions\":[",
		    ctx->opts.dry_run ? "true" : "false",
		    ctx->has_err ? "false" : "true");
		for (i = 0; i < r->n; i++) {
			(void)fprintf(f, "%s{\"action\":", i > 0 ? "," : "");
			jstr(f, r->v[i].action);
			(void)fprintf(f, ",\"kind\":");
			jstr(f, r->v[i].kind);
			(void)fprintf(f, ",\"name\":");
			jstr(f, r->v[i].name);
			(void)fprintf(f, ",\"detail\":");
			jstr(f, r->v[i].detail);
			(void)fprintf(f, "}");
		}
		(void)fprintf(f, "]}\n");
		return;
	}
	for (i = 0; i < r->n; i++)
		(void)fprintf(f, "%-13s %-5s %-20s %s%s%s\n", r->v[i].action,
		    provider, r->v[i].kind, r->v[i].name,
		    r->v[i].detail[0] != '\0' ? "  " : "", r->v[i].detail);
}

static void
print_time(FILE *f, const char *label, int64_t t, bool json)
{
	char ts[32];

	orch_fmt_time(t, ts, sizeof(ts));
	if (json) {
		(void)fprintf(f, ",\"%s\":", label);
		if (t > 0)
			jstr(f, ts);
		else
			(void)fprintf(f, "null");
	} else {
		(void)fprintf(f, " %s=%s", label, t > 0 ? ts : "never");
	}
}

/* The unused flag is reported only when --unused asked for it. */
static void
audit_keep_asked(struct orch_audit *a, bool unused)
{
	size_t i;

	for (i = 0; !unused && i < a->n; i++)
		a->v[i].unused = false;
}

static void
audit_item_json(FILE *f, const char *provider, const struct orch_audit_item *it,
    bool deletable)
{
	(void)fprintf(f, "{\"provider\":");
	jstr(f, provider);
	(void)fprintf(f, ",\"kind\":");
	jstr(f, it->kind);
	(void)fprintf(f, ",\"name\":");
	jstr(f, it->name);
	(void)fprintf(f, ",\"customerId\":");
	jstr(f, it->customer);
	print_time(f, "created", it->created, true);
	if (it->created > 0)
		(void)fprintf(f, ",\"ageDays\":%lld",
		    (long long)((orch_now() - it->created) / 86400));
	if (strcmp(it->kind, "ecr-repository") == 0) {
		(void)fprintf(f, ",\"images\":%lld", it->images);
		print_time(f, "lastPush", it->last_push, true);
		print_time(f, "lastPull", it->last_used, true);
	}
	if (strcmp(it->kind, "access-key") == 0) {
		(void)fprintf(f, ",\"user\":");
		jstr(f, it->parent);
		(void)fprintf(f, ",\"status\":");
		jstr(f, it->status);
		print_time(f, "lastUsed", it->last_used, true);
		(void)fprintf(f, ",\"lastUsedService\":");
		jstr(f, it->used_service);
	}
	(void)fprintf(f,
	    ",\"olderThanThreshold\":%s,\"unused\":%s,\"deletable\":%s",
	    it->older ? "true" : "false", it->unused ? "true" : "false",
	    deletable ? "true" : "false");
	if (deletable)
		(void)fprintf(f,
		    ",\"deleteWith\":\"" PROG " delete --provider %s "
		    "--customer-id %s --confirm\"",
		    provider, it->customer);
	(void)fprintf(f, "}");
}

static void
audit_item_text(FILE *f, const char *provider, const struct orch_audit_item *it)
{
	char ts[32];

	orch_fmt_time(it->created, ts, sizeof(ts));
	(void)fprintf(f, "%-5s %-15s %-32s customer=%s created=%s", provider,
	    it->kind, it->name, it->customer[0] != '\0' ? it->customer : "?",
	    ts[0] != '\0' ? ts : "?");
	if (it->created > 0)
		(void)fprintf(f, " age=%lldd",
		    (long long)((orch_now() - it->created) / 86400));
	if (strcmp(it->kind, "ecr-repository") == 0) {
		(void)fprintf(f, " images=%lld", it->images);
		print_time(f, "last-push", it->last_push, false);
		print_time(f, "last-pull", it->last_used, false);
	}
	if (strcmp(it->kind, "access-key") == 0) {
		(void)fprintf(f, " user=%s status=%s", it->parent, it->status);
		print_time(f, "last-used", it->last_used, false);
	}
	if (it->older || it->unused)
		(void)fprintf(f, " FLAGS=%s%s%s",
		    it->older ? "older-than-threshold" : "",
		    it->older && it->unused ? "," : "",
		    it->unused ? "unused" : "");
	(void)fprintf(f, "\n");
}

static void
print_audit(FILE *f, const struct orch_ctx *ctx, const char *provider,
    const struct orch_audit *a, bool *first)
{
	const struct orch_audit_item *it;
	size_t i;

	for (i = 0; i < a->n; i++) {
		it = &a->v[i];
		if (!ctx->opts.json) {
			audit_item_text(f, provider, it);
			continue;
		}
		if (!*first)
			(void)fputc(',', f);
		*first = false;
		audit_item_json(f, provider, it,
		    orch_customer_id_valid(it->customer, strlen(it->customer)));
	}
}

/*
 * ---- commands -----------------------------------------------------------
 */

static int
finish(struct orch_ctx *ctx, const char *cmd, enum reg_err er)
{
	if (ctx->opts.dry_run)
		(void)printf("dry-run: %lu request(s) planned, none made\n",
		    ctx->nplanned);
	if (er == REG_OK && !ctx->has_err)
		return ORCH_EXIT_OK;
	if (!ctx->has_err)
		(void)orch_fail(ctx, er, "%s", reg_err_str(er));
	(void)fprintf(stderr, PROG ": %s: %s\n", cmd, ctx->err);
	return ORCH_EXIT_FAIL;
}

static const struct orch_provider_ops *
provider_or_usage(const char *name, int *rc)
{
	const struct orch_provider_ops *ops = orch_provider_find(name);

	if (ops == NULL) {
		*rc =
		    usage_err("unknown provider \"%s\": use aws, azure or gcp",
		        name);
		return NULL;
	}
	if (!ops->available) {
		*rc =
		    usage_err("provider %s is not available in this build yet",
		        name);
		return NULL;
	}
	return ops;
}

/* Open a provider; a failure is printed and mapped to an exit code. */
static int
open_or_exit(struct orch_ctx *ctx, const char *cmd,
    const struct orch_provider_ops *ops, void **st)
{
	enum reg_err er;

	*st = NULL;
	er = ops->open(ctx, st);
	if (er == REG_OK)
		return ORCH_EXIT_OK;
	if (!ctx->has_err)
		(void)orch_fail(ctx, er, "%s", reg_err_str(er));
	(void)fprintf(stderr, PROG ": %s: %s\n", cmd, ctx->err);
	/* a region outside the allow-list, a bad endpoint: configuration */
	return er == REG_EINVAL ? ORCH_EXIT_USAGE : ORCH_EXIT_FAIL;
}

/* create-registry, create-credentials, delete for one open provider. */
static enum reg_err
run_one(struct orch_ctx *ctx, const struct orch_provider_ops *ops, void *st,
    struct orch_report *rep)
{
	enum reg_err er;

	er = ops->validate_names(ctx, st, ctx->opts.customer_id);
	if (er != REG_OK)
		return er;
	switch (ctx->opts.cmd) {
	case ORCH_CMD_CREATE_REGISTRY:
		return ops->create_registry(ctx, st, rep);
	case ORCH_CMD_CREATE_CREDENTIALS:
		return ops->create_credentials(ctx, st, rep);
	case ORCH_CMD_DELETE:
		return ops->delete (ctx, st, rep);
	default:
		return REG_EINVAL;
	}
}

static int
cmd_provider(struct orch_ctx *ctx, const char *cmd)
{
	const struct orch_provider_ops *ops;
	struct orch_report rep;
	FILE *out = stdout;
	enum reg_err er = REG_OK;
	bool all;
	void *st;
	int rc = ORCH_EXIT_OK;
	size_t i;

	all = strcmp(ctx->opts.provider, "all") == 0;
	if (all && ctx->opts.cmd != ORCH_CMD_DELETE)
		return usage_err("--provider all works with audit and delete "
		                 "only");
	if (!all && provider_or_usage(ctx->opts.provider, &rc) == NULL)
		return rc;
	if (ctx->opts.cmd == ORCH_CMD_CREATE_CREDENTIALS &&
	    strcmp(ctx->opts.output, "-") == 0)
		out = stderr; /* stdout carries the document */
	orch_report_init(&rep);
	for (i = 0; er == REG_OK && orch_providers[i] != NULL; i++) {
		ops = orch_providers[i];
		if (!all && strcmp(ops->name, ctx->opts.provider) != 0)
			continue;
		if (!ops->available) {
			orch_warn(ctx,
			    "provider %s is not available in this build yet: "
			    "skipped",
			    ops->name);
			continue;
		}
		rc = open_or_exit(ctx, cmd, ops, &st);
		if (rc != ORCH_EXIT_OK)
			goto out;
		er = run_one(ctx, ops, st, &rep);
		ops->close(st);
		print_report(out, ctx, cmd, ops->name, &rep);
		rep.n = 0;
	}
	rc = finish(ctx, cmd, er);
out:
	orch_report_release(&rep);
	return rc;
}

static int
cmd_audit(struct orch_ctx *ctx)
{
	const struct orch_provider_ops *ops;
	struct orch_audit a;
	bool all = strcmp(ctx->opts.provider, "all") == 0, first = true;
	size_t i, unmanaged = 0;
	void *st;
	enum reg_err er = REG_OK;
	int rc = ORCH_EXIT_OK;

	if (!all && provider_or_usage(ctx->opts.provider, &rc) == NULL)
		return rc;
	if (ctx->opts.json)
		(void)printf("{\"command\":\"audit\",\"generatedAt\":%lld,"
		             "\"olderThanSeconds\":%lld,\"resources\":[",
		    (long long)orch_now(), (long long)ctx->opts.older_than_s);
	for (i = 0; er == REG_OK && orch_providers[i] != NULL; i++) {
		ops = orch_providers[i];
		if (!all && strcmp(ops->name, ctx->opts.provider) != 0)
			continue;
		if (!ops->available) {
			orch_warn(ctx,
			    "provider %s is not available in this build yet: "
			    "skipped",
			    ops->name);
			continue;
		}
		rc = open_or_exit(ctx, "audit", ops, &st);
		if (rc != ORCH_EXIT_OK) {
			if (ctx->opts.json)
				(void)printf("]}\n");
			return rc;
		}
		orch_audit_init(&a);
		er = ops->audit(ctx, st, &a);
		ops->close(st);
		orch_audit_flag(&a, orch_now(), ctx->opts.older_than_s);
		audit_keep_asked(&a, ctx->opts.unused);
		print_audit(stdout, ctx, ops->name, &a, &first);
		unmanaged += a.unmanaged;
		orch_audit_release(&a);
	}
	if (ctx->opts.json)
		(void)printf("],\"unmanagedIgnored\":%zu,\"ok\":%s}\n",
		    unmanaged,
		    er == REG_OK && !ctx->has_err ? "true" : "false");
	else if (unmanaged > 0)
		(void)printf("%zu resource(s) under the honua prefixes are not "
		             "managed by honua-orchestrator: not listed, never "
		             "deleted by this tool\n",
		    unmanaged);
	return finish(ctx, "audit", er);
}

static int
cmd_build(struct orch_ctx *ctx)
{
	const struct orch_provider_ops *targets[ORCH_BUILD_MAX_TARGETS];
	struct orch_report rep;
	size_t n = 0;
	char msg[256];
	enum reg_err er;
	int rc;

	er = orch_build_targets(ctx->opts.push_to, targets, &n, msg,
	    sizeof(msg));
	if (er != REG_OK)
		return usage_err("%s", msg);
	orch_report_init(&rep);
	er = orch_build_run(ctx, targets, n, &rep);
	print_report(stdout, ctx, "build", ctx->opts.push_to, &rep);
	orch_report_release(&rep);
	rc = finish(ctx, "build", er);
	return rc;
}

/*
 * ---- main ---------------------------------------------------------------
 */

/* The directory the credentials document goes to is writable ("-": yes). */
static bool
output_dir_ok(const char *path)
{
	char dir[ORCH_PATH_MAX];
	const char *slash;

	if (strcmp(path, "-") == 0)
		return true;
	if (path[0] == '\0' || path[strlen(path) - 1] == '/')
		return false;
	slash = strrchr(path, '/');
	if (slash == NULL)
		return access(".", W_OK | X_OK) == 0;
	if (slash == path)
		return access("/", W_OK | X_OK) == 0;
	if ((size_t)(slash - path) >= sizeof(dir))
		return false;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return access(dir, W_OK | X_OK) == 0;
}

/* build's arguments; -1 when fine, else the exit code. */
static int
check_build(const struct orch_opts *o)
{
	if (o->github_repo == NULL || o->tag == NULL || o->push_to == NULL)
		return usage_err("build needs --github-repo, --tag and "
		                 "--push-to");
	if (!orch_build_url_ok(o->github_repo))
		return usage_err("--github-repo \"%s\": use an https:// "
		                 "URL (file:// and loopback http:// are "
		                 "accepted for testing)",
		    o->github_repo);
	if (o->ref != NULL && !orch_build_ref_ok(o->ref))
		return usage_err("--ref \"%s\" is not a branch, tag or "
		                 "commit name",
		    o->ref);
	if (!orch_tag_valid(o->tag, strlen(o->tag)))
		return usage_err("--tag \"%s\" must match "
		                 "[A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
		    o->tag);
	if (o->dockerfile != NULL && !orch_build_relpath_ok(o->dockerfile))
		return usage_err("--dockerfile \"%s\" must be a "
		                 "relative "
		                 "path inside the repository",
		    o->dockerfile);
	if (o->context != NULL && !orch_build_relpath_ok(o->context))
		return usage_err("--context \"%s\" must be a relative "
		                 "path inside the repository",
		    o->context);
	if (o->image != NULL &&
	    !orch_image_name_valid(o->image, strlen(o->image)))
		return usage_err("--image \"%s\" must match "
		                 "^[a-z0-9]+([._-][a-z0-9]+)*$",
		    o->image);
	return -1;
}

/* --assume-role-arn and --external-id; -1 when fine. */
static int
check_role(const struct orch_opts *o)
{
	if ((o->assume_role_arn == NULL) != (o->external_id == NULL))
		return usage_err("--assume-role-arn and --external-id go "
		                 "together: the role must require an external "
		                 "id");
	if (o->assume_role_arn != NULL &&
	    (strncmp(o->assume_role_arn, "arn:", 4) != 0 ||
	        strstr(o->assume_role_arn, ":role/") == NULL ||
	        strlen(o->assume_role_arn) > 2048))
		return usage_err("--assume-role-arn \"%s\" is not a role ARN "
		                 "(arn:aws:iam::ACCOUNT:role/NAME)",
		    o->assume_role_arn);
	if (o->external_id != NULL) {
		size_t n = strlen(o->external_id);

		if (n < 2 || n > 1224 ||
		    strspn(o->external_id,
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		        "0123456789_+=,.@:/-") != n)
			return usage_err("--external-id must be 2-1224 "
			                 "characters of [A-Za-z0-9_+=,.@:/-]");
	}
	return -1;
}

static int
check_usage(struct orch_ctx *ctx, unsigned long long given)
{
	struct orch_opts *o = &ctx->opts;
	unsigned long long bad = given & ~allowed(o->cmd);
	static char out[96];
	size_t i;
	int rc;

	for (i = 0; bad != 0 && longopts[i].name != NULL; i++) {
		if (longopts[i].val >= OPT_PROVIDER &&
		    (bad & B(longopts[i].val)) != 0)
			return usage_err("--%s does not apply to this command",
			    longopts[i].name);
	}
	if (o->cmd != ORCH_CMD_BUILD && o->cmd != ORCH_CMD_AUDIT &&
	    o->provider == NULL)
		return usage_err("--provider is required");
	if (o->cmd == ORCH_CMD_AUDIT && o->provider == NULL)
		return usage_err("--provider is required (aws or all)");
	if (o->provider != NULL && strcmp(o->provider, "all") != 0 &&
	    orch_provider_find(o->provider) == NULL)
		return usage_err("unknown provider \"%s\": use aws, azure, gcp "
		                 "(or all for audit and delete)",
		    o->provider);
	if (o->cmd != ORCH_CMD_AUDIT && o->customer_id == NULL)
		return usage_err("--customer-id is required");
	if (o->customer_id != NULL &&
	    !orch_customer_id_valid(o->customer_id, strlen(o->customer_id))) {
		(void)fprintf(stderr,
		    PROG
		    ": customer id \"%s\" is invalid: it must be " ORCH_ID_RULE
		    ", so that it is valid on AWS, Azure and Google "
		    "Cloud\n",
		    o->customer_id);
		return ORCH_EXIT_USAGE;
	}
	rc = check_role(o);
	if (rc >= 0)
		return rc;
	if (o->cmd == ORCH_CMD_DELETE && !o->confirm && !o->dry_run)
		return usage_err("delete removes the customer's registry "
		                 "repositories (with their images), IAM user "
		                 "and keys: add --confirm (run audit or "
		                 "--dry-run first to see what goes)");
	if (o->cmd == ORCH_CMD_CREATE_CREDENTIALS && o->output == NULL) {
		(void)snprintf(out, sizeof(out), "honua-credentials-%s.json",
		    o->customer_id);
		o->output = out;
	}
	if (o->cmd == ORCH_CMD_CREATE_CREDENTIALS && !output_dir_ok(o->output))
		return usage_err("--output %s: its directory does not exist or "
		                 "is not writable (checked before any key is "
		                 "made)",
		    o->output);
	if (o->cmd == ORCH_CMD_BUILD)
		return check_build(o);
	return -1;
}

int
main(int argc, char **argv)
{
	struct orch_ctx ctx;
	struct orch_opts *o = &ctx.opts;
	struct cli_pos pos;
	unsigned long long given = 0;
	char msg[512];
	size_t i;
	int ch, rc;

	if (!cli_init(PROG))
		return ORCH_EXIT_FAIL;
	orch_ctx_init(&ctx);
	memset(&pos, 0, sizeof(pos));
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "vh", longopts, &pos)) != -1) {
		if (ch >= OPT_PROVIDER)
			given |= B(ch);
		switch (ch) {
		case OPT_PROVIDER:
			o->provider = optarg;
			break;
		case OPT_CUSTOMER:
			o->customer_id = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_ROTATE:
			o->rotate = true;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		case OPT_ALLOW_PUSH:
			o->allow_push = true;
			break;
		case OPT_IMAGES:
			o->images = optarg;
			break;
		case OPT_IMAGE:
			o->image = optarg;
			break;
		case OPT_REPO:
			o->github_repo = optarg;
			break;
		case OPT_REF:
			o->ref = optarg;
			break;
		case OPT_DOCKERFILE:
			o->dockerfile = optarg;
			break;
		case OPT_CONTEXT:
			o->context = optarg;
			break;
		case OPT_TAG:
			o->tag = optarg;
			break;
		case OPT_PUSH_TO:
			o->push_to = optarg;
			break;
		case OPT_OLDER:
			if (orch_duration_parse(optarg, strlen(optarg),
			        &o->older_than_s) != REG_OK)
				return usage_err("--older-than \"%s\": use a "
				                 "number and a unit s, m, h, d "
				                 "or w (90d, 12h, 0d)",
				    optarg);
			break;
		case OPT_UNUSED:
			o->unused = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CONFIRM:
			o->confirm = true;
			break;
		case OPT_ROLE:
			o->assume_role_arn = optarg;
			break;
		case OPT_EXTID:
			o->external_id = optarg;
			break;
		case OPT_DRY:
			o->dry_run = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return ORCH_EXIT_OK;
		default:
			return usage_err("bad option");
		}
	}
	if (pos.n == 0)
		return usage_err("a command is required: create-registry, "
		                 "create-credentials, build, audit or delete");
	if (pos.n > 1 || pos.overflow)
		return usage_err("unexpected argument \"%s\"", pos.v[1]);
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(pos.v[0], commands[i].name) == 0)
			o->cmd = commands[i].cmd;
	}
	if (o->cmd == ORCH_CMD_NONE)
		return usage_err("unknown command \"%s\"", pos.v[0]);
	rc = check_usage(&ctx, given);
	if (rc >= 0)
		return rc;
	if (orch_config_load(&ctx.cfg, env_get, NULL, msg, sizeof(msg)) !=
	    REG_OK)
		return usage_err("%s", msg);
	ctx.getenv = env_get;
	ctx.log = vlog_sink;
	if (o->verbose)
		log_set_level(LOG_LVL_INFO);
	json_set_alloc_funcs(wipe_malloc, wipe_free);
	fetch_global_init();
	switch (o->cmd) {
	case ORCH_CMD_AUDIT:
		return cmd_audit(&ctx);
	case ORCH_CMD_BUILD:
		return cmd_build(&ctx);
	default:
		return cmd_provider(&ctx, pos.v[0]);
	}
}
