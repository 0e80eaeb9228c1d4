/*
 * admin-tools/cli.c: see cli.h.  Invariant: nothing here exits or logs a
 * secret; every message names what failed and what to do about it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin-tools/cli.h"
#include "common/log.h"

static const char *cli_name = "registry-tool";
static bool cli_stdout_closed;

bool
cli_init(const char *prog)
{
	int fd;

	cli_name = prog;
	log_init(prog, 0, LOG_LVL_WARN);
	/*
	 * With 0, 1 or 2 closed, the next open (LMDB's lock or data file)
	 * would get it, and our output would be written into the database.
	 */
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			cli_stdout_closed = true;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return false;
	}
	return true;
}

bool
cli_stdout_was_closed(void)
{
	return cli_stdout_closed;
}

const char *
cli_prog(void)
{
	return cli_name;
}

__attribute__((format(printf, 2, 0))) static void
cli_vmsg(const char *kind, const char *fmt, va_list ap)
{
	char msg[2048];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	(void)fprintf(stderr, "%s: %s%s\n", cli_name, kind, msg);
}

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg("", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_err("%s", msg);
	(void)fputs(usage, stderr);
	return CLI_EXIT_USAGE;
}

static void
cli_pos_add(struct cli_pos *pos, const char *a)
{
	if (pos->n >= CLI_MAXPOS) {
		pos->overflow = true;
		return;
	}
	pos->v[pos->n++] = a;
}

int
cli_getopt(int argc, char *const argv[], const char *optstring,
    const struct option *longopts, struct cli_pos *pos)
{
	char ostr[128];
	const char *a;
	int n;

	/* '+': getopt stops at each non-option; we collect it and go on. */
	n = snprintf(ostr, sizeof(ostr), "+%s", optstring);
	if (n < 0 || (size_t)n >= sizeof(ostr))
		return '?';
	while (optind < argc) {
		a = argv[optind];
		if (strcmp(a, "--") == 0) {
			optind++;
			while (optind < argc)
				cli_pos_add(pos, argv[optind++]);
			return -1;
		}
		if (a[0] != '-' || a[1] == '\0') {
			cli_pos_add(pos, a);
			optind++;
			continue;
		}
		/*
		 * An option element; getopt keeps its own place inside a
		 * group such as "-du" and moves optind past it at the end.
		 */
		return getopt_long(argc, argv, ostr, longopts, NULL);
	}
	return -1;
}

enum reg_err
cli_state_dir(const char *opt, char *out, size_t outsz)
{
	const char *s = opt;
	size_t len;

	if (s == NULL) {
		s = getenv(CLI_STATE_ENV);
		if (s == NULL || s[0] == '\0')
			s = CLI_STATE_DEFAULT;
	}
	len = strnlen(s, outsz);
	if (len == 0)
		return REG_EINVAL;
	if (len >= outsz)
		return REG_ETOOBIG;
	while (len > 1 && s[len - 1] == '/')
		len--;
	memcpy(out, s, len);
	out[len] = '\0';
	return REG_OK;
}

bool
cli_path(char *out, size_t outsz, const char *dir, const char *sub)
{
	int n;

	n = snprintf(out, outsz, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
	    sub);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return false;
	}
	return true;
}

enum reg_err
cli_store_open(const char *statedir, struct store **out)
{
	char db[CLI_PATH_MAX], data[CLI_PATH_MAX];
	struct stat sb;
	enum reg_err er;

	if (!cli_path(db, sizeof(db), statedir, "db") ||
	    !cli_path(data, sizeof(data), db, "data.mdb")) {
		cli_err("state directory name too long: %s: use a shorter "
		        "path",
		    statedir);
		return REG_EINVAL;
	}
	if (stat(statedir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (errno == EACCES) {
			cli_err("cannot open state in %s: permission denied: "
			        "run as the user that owns it",
			    statedir);
			return REG_ESYS;
		}
		cli_err("cannot open state in %s: no such directory: run "
		        "registry-admin --state %s init",
		    statedir, statedir);
		return REG_ENOENT;
	}
	/* Do not let store_open create an environment init never made. */
	if (stat(data, &sb) != 0) {
		if (errno == EACCES) {
			cli_err("cannot open state in %s: permission denied: "
			        "run as the user that owns it",
			    statedir);
			return REG_ESYS;
		}
		cli_err("cannot open state in %s: it is not initialised: "
		        "run registry-admin --state %s init",
		    statedir, statedir);
		return REG_ENOENT;
	}
	er = store_open(db, NULL, out);
	/* LMDB creates lock.mdb again if someone removed it. */
	if (cli_path(data, sizeof(data), db, "lock.mdb"))
		cli_adopt(statedir, data);
	if (er != REG_OK) {
		cli_err("cannot open the database in %s (%s): check that you "
		        "run as the owner of %s, or run registry-admin "
		        "--state %s init",
		    db, reg_err_str(er), statedir, statedir);
		return er;
	}
	return REG_OK;
}

void
cli_adopt(const char *statedir, const char *path)
{
	struct stat sd, sp;

	if (geteuid() != 0 || stat(statedir, &sd) != 0 ||
	    (sd.st_uid == 0 && sd.st_gid == 0))
		return;
	if (lstat(path, &sp) != 0 || sp.st_uid != 0)
		return;
	if (lchown(path, sd.st_uid, sd.st_gid) != 0)
		cli_warn("cannot give %s to the owner of %s: %s: chown it "
		         "yourself, or registryd will not be able to use it",
		    path, statedir, strerror(errno));
}

/* A login name we are willing to put in the audit log as is. */
static bool
cli_login_ok(const char *s)
{
	size_t i, n = strnlen(s, 65);

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

const char *
cli_actor(void)
{
	static char actor[CLI_ACTOR_MAX];
	char login[65], pwbuf[4096];
	struct passwd pw, *pwp = NULL;
	const char *who = NULL;

	if (actor[0] != '\0')
		return actor;
	if (getlogin_r(login, sizeof(login)) == 0 && cli_login_ok(login))
		who = login;
	if (who == NULL &&
	    getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 &&
	    pwp != NULL && cli_login_ok(pwp->pw_name))
		who = pwp->pw_name;
	if (who != NULL)
		(void)snprintf(actor, sizeof(actor), "local-admin:%s", who);
	else
		(void)snprintf(actor, sizeof(actor), "local-admin:uid%lu",
		    (unsigned long)getuid());
	return actor;
}

int64_t
cli_now(void)
{
	return (int64_t)time(NULL);
}

void
cli_fmt_time(int64_t t, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (outsz == 0)
		return;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, outsz, "%lld", (long long)t);
}

enum reg_err
cli_json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	enum reg_err er;
	const unsigned char *p;
	char esc[7];

	er = buf_addc(b, '"');
	for (p = (const unsigned char *)s; er == REG_OK && *p != '\0'; p++) {
		switch (*p) {
		case '"':
			er = buf_adds(b, "\\\"");
			break;
		case '\\':
			er = buf_adds(b, "\\\\");
			break;
		case '\n':
			er = buf_adds(b, "\\n");
			break;
		case '\r':
			er = buf_adds(b, "\\r");
			break;
		case '\t':
			er = buf_adds(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 0xf];
				esc[6] = '\0';
				er = buf_adds(b, esc);
			} else
				er = buf_addc(b, (char)*p);
			break;
		}
	}
	if (er == REG_OK)
		er = buf_addc(b, '"');
	return er;
}

const char *
cli_jbool(bool v)
{
	return v ? "true" : "false";
}

void
cli_out_init(struct cli_out *out)
{
	buf_init(&out->b, CLI_OUT_MAX);
	out->er = REG_OK;
}

void
cli_out_release(struct cli_out *out)
{
	buf_release(&out->b);
}

void
cli_out_s(struct cli_out *out, const char *text)
{
	if (out->er == REG_OK)
		out->er = buf_adds(&out->b, text);
}

void
cli_out_f(struct cli_out *out, const char *fmt, ...)
{
	va_list ap;

	if (out->er != REG_OK)
		return;
	va_start(ap, fmt);
	out->er = buf_vprintf(&out->b, fmt, ap);
	va_end(ap);
}

void
cli_out_js(struct cli_out *out, const char *s)
{
	if (out->er == REG_OK)
		out->er = cli_json_str(&out->b, s);
}

/* One `"key": "str",` member line (a JSON literal instead when str is
 * NULL). */
static void
cli_member(struct cli_out *out, int indent, const char *key, const char *str,
    const char *lit, bool last)
{
	cli_out_f(out, "%*s", indent, "");
	cli_out_js(out, key);
	cli_out_s(out, ": ");
	if (str != NULL)
		cli_out_js(out, str);
	else
		cli_out_s(out, lit);
	cli_out_s(out, last ? "\n" : ",\n");
}

void
cli_grant_json(struct cli_out *out, int indent, const char *ns,
    const char *role, const char *principal, const struct grant *g)
{
	char num[32];
	int in = indent + 2, in2 = indent + 4;

	cli_out_s(out, "{\n");
	cli_member(out, in, "namespace", ns, NULL, false);
	cli_member(out, in, "role", role, NULL, false);
	cli_member(out, in, "principal", principal, NULL, false);
	cli_out_f(out, "%*s\"permissions\": {\n", in, "");
	cli_member(out, in2, "download", NULL, cli_jbool(g->download), false);
	cli_member(out, in2, "upload", NULL, cli_jbool(g->upload), false);
	cli_member(out, in2, "create_grant", NULL, cli_jbool(g->create_grant),
	    false);
	cli_member(out, in2, "delete_grant", NULL, cli_jbool(g->delete_grant),
	    true);
	cli_out_f(out, "%*s},\n", in, "");
	if (g->unique_id[0] != '\0')
		cli_member(out, in, "unique_id", g->unique_id, NULL, false);
	(void)snprintf(num, sizeof(num), "%lld", (long long)g->created_at);
	cli_member(out, in, "created_at", NULL, num, false);
	cli_member(out, in, "created_by", g->created_by, NULL, false);
	(void)snprintf(num, sizeof(num), "%lld", (long long)g->updated_at);
	cli_member(out, in, "updated_at", NULL, num, true);
	cli_out_f(out, "%*s}", indent, "");
}

bool
cli_print(const struct cli_out *out)
{
	if (out->er != REG_OK) {
		cli_err("cannot format the output (%s): try again, or narrow "
		        "what is listed",
		    reg_err_str(out->er));
		return false;
	}
	if (out->b.len > 0 &&
	    fwrite(out->b.p, 1, out->b.len, stdout) != out->b.len) {
		cli_err("writing to standard output failed: %s: check where "
		        "the output goes",
		    strerror(errno));
		return false;
	}
	return cli_flush();
}

bool
cli_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("writing to standard output failed: %s: check where "
		        "the output goes",
		    strerror(errno));
		return false;
	}
	return true;
}

enum reg_err
cli_audit(struct store *st, const char *action, const char *target,
    const char *extra)
{
	struct cli_out out;
	enum reg_err er;

	cli_out_init(&out);
	cli_out_s(&out, "{\"action\":");
	cli_out_js(&out, action);
	cli_out_s(&out, ",\"principal\":");
	cli_out_js(&out, cli_actor());
	cli_out_s(&out, ",\"target\":");
	cli_out_js(&out, target);
	cli_out_s(&out, ",\"tool\":");
	cli_out_js(&out, cli_name);
	cli_out_f(&out, ",\"ts\":%lld", (long long)cli_now());
	if (extra != NULL && extra[0] != '\0')
		cli_out_f(&out, ",%s", extra);
	cli_out_s(&out, "}");
	er = out.er;
	if (er == REG_OK)
		er = store_audit_append(st, buf_cstr(&out.b), out.b.len);
	if (er != REG_OK)
		cli_err("%s was done but its audit record was not written "
		        "(%s): check the state directory's disk space and "
		        "permissions",
		    action, reg_err_str(er));
	cli_out_release(&out);
	return er;
}
