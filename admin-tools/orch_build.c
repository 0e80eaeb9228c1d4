/*
 * admin-tools/orch_build.c: see orch_build.h.  Invariant: the GitHub
 * token exists in this process only in a wiped-after-use buffer and in
 * the environment block handed to git (GIT_CONFIG_VALUE_0); it is never
 * on a command line, in a log line, in an error message or in a report.
 * Children get no AWS keys and no GIT_TRACE* variables.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin-tools/oci.h"
#include "admin-tools/orch_aws.h"
#include "admin-tools/orch_build.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"

extern char **environ;

#define BUILD_ENV_MAX 512
#define BUILD_ENV_POOL \
	(40u * 1024) /* our variables, the token header included */
#define BUILD_TAIL_LINES 30

bool
orch_build_url_ok(const char *url)
{
	struct orch_url u;
	size_t i;

	if (url == NULL || url[0] == '-' || strlen(url) > 2048)
		return false;
	for (i = 0; url[i] != '\0'; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	if (strncmp(url, "file:///", 8) == 0)
		return true;
	if (orch_url_parse(url, &u) != REG_OK)
		return false;
	return u.https || u.loopback;
}

bool
orch_build_ref_ok(const char *ref)
{
	size_t n = ref != NULL ? strlen(ref) : 0;

	if (n == 0 || n > 255 || ref[0] == '-' || strstr(ref, "..") != NULL)
		return false;
	return strspn(ref,
	           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	           "0123456789._/-") == n;
}

bool
orch_build_relpath_ok(const char *path)
{
	const char *p = path, *e;
	size_t n;

	if (path == NULL || path[0] == '\0' || path[0] == '/' ||
	    strlen(path) > 1024)
		return false;
	for (;;) {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (e == NULL)
			break;
		p = e + 1;
	}
	for (p = path; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

enum reg_err
orch_build_targets(const char *list, const struct orch_provider_ops **ops,
    size_t *n, char *msg, size_t msgsz)
{
	char name[32];
	const char *p = list, *e;
	const struct orch_provider_ops *o;
	size_t k = 0, len, i;

	if (list == NULL || list[0] == '\0') {
		(void)snprintf(msg, msgsz, "--push-to needs aws, azure or gcp");
		return REG_EINVAL;
	}
	for (;;) {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len >= sizeof(name)) {
			(void)snprintf(msg, msgsz,
			    "--push-to \"%s\": a comma-separated list of aws, "
			    "azure, gcp",
			    list);
			return REG_EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		o = orch_provider_find(name);
		if (o == NULL) {
			(void)snprintf(msg, msgsz,
			    "--push-to: unknown target \"%s\": use aws, azure "
			    "or gcp",
			    name);
			return REG_EINVAL;
		}
		if (!o->available) {
			(void)snprintf(msg, msgsz,
			    "provider %s is not available in this build yet",
			    name);
			return REG_ENOENT;
		}
		for (i = 0; i < k; i++) {
			if (ops[i] == o) {
				(void)snprintf(msg, msgsz,
				    "--push-to names %s twice", name);
				return REG_EINVAL;
			}
		}
		if (k >= ORCH_BUILD_MAX_TARGETS)
			return REG_EINVAL;
		ops[k++] = o;
		if (e == NULL)
			break;
		p = e + 1;
	}
	*n = k;
	return REG_OK;
}

/*
 * ---- child processes ----------------------------------------------------
 */

/* Environment variables children never inherit. */
static bool
scrubbed(const char *kv)
{
	static const char *const drop[] = {
		"GIT_TRACE",
		"GIT_CURL_VERBOSE",
		"GIT_CONFIG_",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
		"GIT_TERMINAL_PROMPT=",
		"AWS_ACCESS_KEY_ID=",
		"AWS_SECRET_ACCESS_KEY=",
		"AWS_SESSION_TOKEN=",
		"AWS_SECURITY_TOKEN=",
	};
	size_t i;

	for (i = 0; i < nitems(drop); i++) {
		if (strncmp(kv, drop[i], strlen(drop[i])) == 0)
			return true;
	}
	return false;
}

/*
 * The environment block for children: the scrubbed environ plus a few
 * variables of ours, kept in pool (wiped at release: one may hold the
 * token).
 */
struct child_env {
	char *v[BUILD_ENV_MAX + 1];
	size_t n;
	char pool[BUILD_ENV_POOL];
	size_t used;
};

static enum reg_err
env_build(struct child_env *e)
{
	char **p;

	e->n = 0;
	e->used = 0;
	e->v[0] = NULL;
	for (p = environ; p != NULL && *p != NULL; p++) {
		if (scrubbed(*p))
			continue;
		if (e->n >= BUILD_ENV_MAX - 8)
			return REG_ETOOBIG;
		e->v[e->n++] = *p;
	}
	e->v[e->n] = NULL;
	return REG_OK;
}

static enum reg_err
env_add(struct child_env *e, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *s = e->pool + e->used;

	if (e->n >= BUILD_ENV_MAX || len > sizeof(e->pool) - e->used)
		return REG_ETOOBIG;
	(void)snprintf(s, len, "%s=%s", name, value);
	e->used += len;
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
	return REG_OK;
}

static void
env_release(struct child_env *e)
{
	cryptow_wipe(e->pool, sizeof(e->pool));
	e->used = 0;
	e->n = 0;
	e->v[0] = NULL;
}

/* The last lines of a log file, to stderr. */
static void
log_tail(const char *path)
{
	char buf[8192], esc[256], *line, *nl;
	size_t n, lines = 0;
	long off;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fseek(f, 0, SEEK_END) == 0) {
		off = ftell(f);
		(void)fseek(f,
		    off > (long)sizeof(buf) - 1 ? off - (long)sizeof(buf) + 1
		                                : 0,
		    SEEK_SET);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	line = buf + n;
	while (line > buf && lines <= BUILD_TAIL_LINES) {
		line--;
		if (*line == '\n')
			lines++;
	}
	for (; line != NULL && *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		if (*line != '\0')
			(void)fprintf(stderr, "  | %s\n",
			    log_escape(esc, sizeof(esc), line, strlen(line)));
	}
}

/* The verdict on a child's wait status; the log tail on failure. */
static enum reg_err
child_status(struct orch_ctx *ctx, const char *what, const char *prog, int st,
    const char *logfile)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return REG_OK;
	if (!ctx->opts.verbose) {
		(void)fprintf(stderr,
		    "honua-orchestrator: %s failed; last lines of its "
		    "output:\n",
		    what);
		log_tail(logfile);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return orch_fail(ctx, REG_ESYS,
		    "%s: %s could not be run: install it (Debian package %s)",
		    what, prog, prog);
	return orch_fail(ctx, REG_ESYS, "%s failed (%s %d)%s", what,
	    WIFEXITED(st) ? "exit status" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
	    ctx->opts.verbose ? "" : ": see the output above");
}

/* In the child: wire up descriptors, exec; never returns. */
__attribute__((noreturn)) static void
child_exec(bool verbose, const char *const argv[], const struct child_env *env,
    const char *logfile, const char *capture)
{
	int fd;

	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		(void)dup2(fd, 0);
		(void)close(fd);
	}
	fd = verbose ? dup(2)
	             : open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		(void)close(fd);
	}
	if (capture != NULL) {
		fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			(void)dup2(fd, 1);
			(void)close(fd);
		}
	}
	execvpe(argv[0], (char *const *)(uintptr_t)argv, env->v);
	(void)fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Run argv (argv[0] looked up in PATH) with env; stdout and stderr go to
 * logfile (appended), or to our stderr with -v; stdout to capture when
 * not NULL.  REG_OK only when the child exited 0.
 */
static enum reg_err
run(struct orch_ctx *ctx, const char *what, const char *const argv[],
    const struct child_env *env, const char *logfile, const char *capture)
{
	char line[2048];
	size_t i, off = 0;
	pid_t pid;
	int st;

	for (i = 0; argv[i] != NULL && off < sizeof(line) - 1; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s",
		    i > 0 ? " " : "", argv[i]);
	if (ctx->opts.dry_run) {
		(void)printf("dry-run: would run: %s\n", line);
		return REG_OK;
	}
	orch_vlog(ctx, "run: %s", line);
	(void)fflush(stdout);
	(void)fflush(stderr);
	pid = fork();
	if (pid < 0)
		return orch_fail(ctx, REG_ESYS, "%s: fork: %s", what,
		    strerror(errno));
	if (pid == 0)
		child_exec(ctx->opts.verbose, argv, env, logfile, capture);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return orch_fail(ctx, REG_ESYS, "%s: waitpid: %s", what,
			    strerror(errno));
	}
	return child_status(ctx, what, argv[0], st, logfile);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

static void
rm_tree(struct orch_ctx *ctx, const char *dir)
{
	if (dir[0] == '\0')
		return;
	if (nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		orch_warn(ctx, "could not remove the build directory %s: %s",
		    dir, strerror(errno));
}

/*
 * ---- the build ----------------------------------------------------------
 */

struct build {
	struct orch_ctx *ctx;
	char tmp[ORCH_PATH_MAX];
	char src[ORCH_PATH_MAX + 16];
	char layout[ORCH_PATH_MAX + 16];
	char logfile[ORCH_PATH_MAX + 16];
	char root[ORCH_PATH_MAX + 16];
	char runroot[ORCH_PATH_MAX + 16];
	char image[512];
	char commit[64];
	bool image_built;
};

/* The authorization header git sends to the repository's host. */
static enum reg_err
git_env(struct build *b, const char *token, struct child_env *env)
{
	struct orch_url u;
	char key[600], *cred = NULL, *hdr = NULL;
	size_t clen, hlen;
	enum reg_err er;

	er = env_build(env);
	if (er == REG_OK)
		er = env_add(env, "GIT_TERMINAL_PROMPT", "0");
	/* file:// needs no token; http:// is accepted for loopback only */
	if (er != REG_OK || token == NULL || token[0] == '\0' ||
	    strncmp(b->ctx->opts.github_repo, "file://", 7) == 0)
		return er;
	if (orch_url_parse(b->ctx->opts.github_repo, &u) != REG_OK ||
	    (!u.https && !u.loopback))
		return REG_EINVAL;
	/* scoped to the repository's origin: not sent anywhere else */
	(void)snprintf(key, sizeof(key), "http.%s://%s/.extraheader",
	    u.https ? "https" : "http", u.hostport);
	clen = strlen("x-access-token:") + strlen(token);
	cred = malloc(clen + 1);
	hlen = strlen("AUTHORIZATION: basic ") + b64_enclen(clen);
	hdr = malloc(hlen + 1);
	if (cred == NULL || hdr == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	(void)snprintf(cred, clen + 1, "x-access-token:%s", token);
	memcpy(hdr, "AUTHORIZATION: basic ", 21);
	(void)b64_encode((const unsigned char *)cred, clen, hdr + 21);
	er = env_add(env, "GIT_CONFIG_COUNT", "1");
	if (er == REG_OK)
		er = env_add(env, "GIT_CONFIG_KEY_0", key);
	if (er == REG_OK)
		er = env_add(env, "GIT_CONFIG_VALUE_0", hdr);
out:
	if (cred != NULL) {
		cryptow_wipe(cred, clen);
		free(cred);
	}
	if (hdr != NULL) {
		cryptow_wipe(hdr, hlen);
		free(hdr);
	}
	return er;
}

static enum reg_err
git_clone(struct build *b, const char *token)
{
	struct orch_ctx *ctx = b->ctx;
	struct child_env env;
	char cap[ORCH_PATH_MAX + 16];
	const char *argv[12];
	size_t i = 0;
	FILE *f;
	enum reg_err er;

	er = git_env(b, token, &env);
	if (er != REG_OK) {
		env_release(&env);
		return orch_fail(ctx, er, "preparing git: %s", reg_err_str(er));
	}
	argv[i++] = "git";
	argv[i++] = "clone";
	argv[i++] = "--quiet";
	argv[i++] = "--depth";
	argv[i++] = "1";
	if (ctx->opts.ref != NULL) {
		argv[i++] = "--branch";
		argv[i++] = ctx->opts.ref;
	}
	argv[i++] = "--";
	argv[i++] = ctx->opts.github_repo;
	argv[i++] = b->src;
	argv[i] = NULL;
	er = run(ctx, "git clone", argv, &env, b->logfile, NULL);
	if (er != REG_OK && ctx->opts.ref != NULL) {
		/* a commit id is no --branch: full clone, then check out */
		orch_fail_clear(ctx);
		rm_tree(ctx, b->src);
		orch_vlog(ctx,
		    "shallow clone of %s failed; trying a full "
		    "clone and checkout",
		    ctx->opts.ref);
		i = 0;
		argv[i++] = "git";
		argv[i++] = "clone";
		argv[i++] = "--quiet";
		argv[i++] = "--";
		argv[i++] = ctx->opts.github_repo;
		argv[i++] = b->src;
		argv[i] = NULL;
		er = run(ctx, "git clone", argv, &env, b->logfile, NULL);
		if (er == REG_OK) {
			i = 0;
			argv[i++] = "git";
			argv[i++] = "-C";
			argv[i++] = b->src;
			argv[i++] = "checkout";
			argv[i++] = "--quiet";
			argv[i++] = "--detach";
			argv[i++] = ctx->opts.ref;
			argv[i] = NULL;
			er = run(ctx, "git checkout", argv, &env, b->logfile,
			    NULL);
		}
	}
	if (er == REG_OK && !ctx->opts.dry_run) {
		(void)snprintf(cap, sizeof(cap), "%s/commit", b->tmp);
		i = 0;
		argv[i++] = "git";
		argv[i++] = "-C";
		argv[i++] = b->src;
		argv[i++] = "rev-parse";
		argv[i++] = "HEAD";
		argv[i] = NULL;
		if (run(ctx, "git rev-parse", argv, &env, b->logfile, cap) ==
		        REG_OK &&
		    (f = fopen(cap, "r")) != NULL) {
			if (fgets(b->commit, sizeof(b->commit), f) == NULL)
				b->commit[0] = '\0';
			b->commit[strcspn(b->commit, "\r\n")] = '\0';
			(void)fclose(f);
		}
	}
	env_release(&env);
	return er;
}

static enum reg_err
buildah(struct build *b)
{
	struct orch_ctx *ctx = b->ctx;
	const struct orch_opts *o = &ctx->opts;
	struct child_env env;
	char df[ORCH_PATH_MAX * 2], cx[ORCH_PATH_MAX * 2],
	    dst[ORCH_PATH_MAX * 2];
	const char *argv[24];
	size_t i = 0, base;
	enum reg_err er;

	er = env_build(&env);
	if (er != REG_OK)
		return orch_fail(ctx, er,
		    "preparing buildah: too many "
		    "environment variables");
	(void)snprintf(df, sizeof(df), "%s/%s", b->src,
	    o->dockerfile != NULL ? o->dockerfile : "Dockerfile");
	(void)snprintf(cx, sizeof(cx), "%s/%s", b->src,
	    o->context != NULL ? o->context : ".");
	argv[i++] = "buildah";
	argv[i++] = "--root";
	argv[i++] = b->root;
	argv[i++] = "--runroot";
	argv[i++] = b->runroot;
	argv[i++] = "--storage-driver";
	argv[i++] = "vfs";
	base = i;
	argv[i++] = "bud";
	argv[i++] = "--isolation";
	argv[i++] = "chroot";
	argv[i++] = "--pull=never";
	argv[i++] = "--quiet";
	argv[i++] = "-f";
	argv[i++] = df;
	argv[i++] = "-t";
	argv[i++] = b->image;
	argv[i++] = cx;
	argv[i] = NULL;
	er = run(ctx, "buildah bud", argv, &env, b->logfile, NULL);
	if (er == REG_OK) {
		b->image_built = true;
		(void)snprintf(dst, sizeof(dst), "oci:%s:%s", b->layout,
		    o->tag);
		i = base;
		argv[i++] = "push";
		argv[i++] = "--quiet";
		argv[i++] = b->image;
		argv[i++] = dst;
		argv[i] = NULL;
		er = run(ctx, "buildah push (OCI layout)", argv, &env,
		    b->logfile, NULL);
	}
	env_release(&env);
	return er;
}

static void
buildah_rmi(struct build *b)
{
	struct child_env env;
	const char *argv[12];
	size_t i = 0;

	if (!b->image_built || b->ctx->cfg.buildah_root == NULL ||
	    env_build(&env) != REG_OK)
		return;
	argv[i++] = "buildah";
	argv[i++] = "--root";
	argv[i++] = b->root;
	argv[i++] = "--runroot";
	argv[i++] = b->runroot;
	argv[i++] = "--storage-driver";
	argv[i++] = "vfs";
	argv[i++] = "rmi";
	argv[i++] = b->image;
	argv[i] = NULL;
	if (run(b->ctx, "buildah rmi", argv, &env, b->logfile, NULL) != REG_OK)
		orch_fail_clear(b->ctx); /* best effort, not the result */
	env_release(&env);
}

static void
oci_log(void *arg, const char *line)
{
	orch_vlog(arg, "oci: %s", line);
}

/* Registry credentials of every target, before anything is built. */
static enum reg_err
login_one(struct orch_ctx *ctx, const struct orch_provider_ops *ops,
    struct orch_login *login)
{
	void *st = NULL;
	enum reg_err er;

	er = ops->open(ctx, &st);
	if (er == REG_OK)
		er = ops->registry_login(ctx, st, login);
	if (st != NULL)
		ops->close(st);
	return er;
}

static enum reg_err
push_one(struct build *b, const struct orch_provider_ops *ops,
    const struct orch_login *login, struct orch_report *rep)
{
	struct orch_ctx *ctx = b->ctx;
	struct oci_push_opts po;
	struct oci_creds creds;
	char repo[600], digest[OCI_DIGEST_SIZE] = "", msg[1024] = "";
	char detail[1600];
	enum reg_err er;

	(void)snprintf(repo, sizeof(repo), "%s/%s", login->repo_prefix,
	    ctx->opts.image != NULL ? ctx->opts.image : "app");
	if (ctx->opts.dry_run) {
		(void)printf("dry-run: would push %s:%s to %s\n", repo,
		    ctx->opts.tag, login->registry_url);
		return REG_OK;
	}
	oci_push_opts_init(&po);
	creds.username = login->username;
	creds.password = login->password;
	po.registry = login->registry_url;
	po.repository = repo;
	po.tag = ctx->opts.tag;
	po.creds = &creds;
	po.ca_file = ctx->cfg.registry_ca;
	po.log = oci_log;
	po.log_arg = ctx;
	po.max_attempts = ctx->cfg.retry.max_attempts;
	po.backoff_ms = ctx->cfg.retry.base_other_ms > 0
	    ? (unsigned)ctx->cfg.retry.base_other_ms
	    : 1;
	er = oci_push_layout(b->layout, ctx->opts.tag, &po, digest, msg,
	    sizeof(msg));
	if (er != REG_OK)
		return orch_fail(ctx, er, "pushing %s:%s to %s (%s): %s", repo,
		    ctx->opts.tag, login->registry_url, ops->name, msg);
	(void)snprintf(detail, sizeof(detail), "%s/%s:%s@%s%s%s",
	    login->registry_url, repo, ctx->opts.tag, digest,
	    b->commit[0] != '\0' ? " commit " : "", b->commit);
	return orch_report_add(rep, "pushed", "image", repo, detail);
}

enum reg_err
orch_build_run(struct orch_ctx *ctx,
    const struct orch_provider_ops *const *targets, size_t ntargets,
    struct orch_report *rep)
{
	const struct orch_opts *o = &ctx->opts;
	struct orch_login *logins = NULL;
	struct build *b;
	struct buf pat;
	void *aws = NULL;
	size_t i;
	enum reg_err er;

	buf_init(&pat, 16384);
	b = calloc(1, sizeof(*b));
	logins = calloc(ntargets > 0 ? ntargets : 1, sizeof(*logins));
	if (b == NULL || logins == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	b->ctx = ctx;
	/* 1. the GitHub token, from Secrets Manager (never argv) */
	er = orch_aws_provider.open(ctx, &aws);
	if (er == REG_OK)
		er =
		    orch_aws_secret_string(ctx, aws, ctx->cfg.pat_secret, &pat);
	if (aws != NULL)
		orch_aws_provider.close(aws);
	/* 2. every target's registry and credentials: fail before building */
	for (i = 0; er == REG_OK && i < ntargets; i++)
		er = login_one(ctx, targets[i], &logins[i]);
	if (er != REG_OK)
		goto out;
	/* 3. a private work directory */
	(void)snprintf(b->tmp, sizeof(b->tmp), "%s/honua-build-XXXXXX",
	    ctx->cfg.tmpdir);
	if (o->dry_run) {
		(void)snprintf(b->tmp, sizeof(b->tmp), "%s/honua-build-DRYRUN",
		    ctx->cfg.tmpdir);
	} else if (mkdtemp(b->tmp) == NULL) {
		er = orch_fail(ctx, REG_ESYS, "creating a directory in %s: %s",
		    ctx->cfg.tmpdir, strerror(errno));
		b->tmp[0] = '\0';
		goto out;
	}
	(void)snprintf(b->src, sizeof(b->src), "%s/src", b->tmp);
	(void)snprintf(b->layout, sizeof(b->layout), "%s/layout", b->tmp);
	(void)snprintf(b->logfile, sizeof(b->logfile), "%s/build.log", b->tmp);
	(void)snprintf(b->root, sizeof(b->root), "%s",
	    ctx->cfg.buildah_root != NULL ? ctx->cfg.buildah_root : "");
	if (b->root[0] == '\0')
		(void)snprintf(b->root, sizeof(b->root), "%s/storage", b->tmp);
	(void)snprintf(b->runroot, sizeof(b->runroot), "%s",
	    ctx->cfg.buildah_runroot != NULL ? ctx->cfg.buildah_runroot : "");
	if (b->runroot[0] == '\0')
		(void)snprintf(b->runroot, sizeof(b->runroot), "%s/runroot",
		    b->tmp);
	(void)snprintf(b->image, sizeof(b->image),
	    "localhost/honua-build/%s-%s:%s", o->customer_id,
	    o->image != NULL ? o->image : "app", o->tag);
	/* 4. clone, 5. build and export */
	er = git_clone(b, buf_cstr(&pat));
	buf_release_wipe(&pat);
	if (er == REG_OK)
		er = buildah(b);
	/* 6. push to every target */
	for (i = 0; er == REG_OK && i < ntargets; i++)
		er = push_one(b, targets[i], &logins[i], rep);
	buildah_rmi(b);
out:
	buf_release_wipe(&pat);
	if (b != NULL && !o->dry_run && b->tmp[0] != '\0' &&
	    strstr(b->tmp, "XXXXXX") == NULL)
		rm_tree(ctx, b->tmp);
	if (logins != NULL) {
		for (i = 0; i < ntargets; i++)
			orch_login_clear(&logins[i]);
		free(logins);
	}
	free(b);
	return er;
}
