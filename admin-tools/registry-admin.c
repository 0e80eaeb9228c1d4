/*
 * admin-tools/registry-admin.c: set up and look after a registry state
 * directory locally: init, static API tokens, signing keys, public
 * namespaces and the audit log.  Safe to run while registryd runs (LMDB
 * serialises writers; keys are added and removed atomically).
 *
 * Invariants: an API token secret is printed once, alone, on stdout and
 * nowhere else (never logged, never in the audit record, wiped after
 * use); every change appends an audit record whose principal is
 * "local-admin:<login name>".
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin-tools/cli.h"
#include "auth/apitoken.h"
#include "auth/keyring.h"
#include "common/cryptow.h"
#include "common/name.h"
#include "common/num.h"
#include "storage/blob.h"
#include "storage/store.h"

/* Ten years: long enough for any CI secret that should still expire. */
#define RA_EXPIRES_MAX UINT64_C(315360000)
#define RA_SINCE_MAX (INT64_MAX / 1000000)

static const char usage_short[] =
    "usage: registry-admin [--state DIR] [--json] COMMAND [ARG ...]\n"
    "commands: init\n"
    "          token create NAME [--expires-in SECONDS] [--grant-all]\n"
    "          token list | token revoke NAME\n"
    "          key rotate | key list | key retire KID\n"
    "          namespace public NS on|off | namespace show NS\n"
    "          audit [--since UNIX_SECONDS]\n"
    "try 'registry-admin --help' for more information\n";

static const char usage_full[] =
    "usage: registry-admin [--state DIR] [--json] COMMAND [ARG ...]\n"
    "\n"
    "Set up and look after a registry state directory (LMDB database,\n"
    "blob directory, signing keys) on the host that holds it.\n"
    "\n"
    "options (accepted before or after the command):\n"
    "  --state DIR         state directory (default: $REGISTRY_STATE, "
    "else\n"
    "                      /var/lib/registry)\n"
    "  --json              print lists and results as JSON\n"
    "  -h, --help          print this help and exit\n"
    "\n"
    "commands:\n"
    "  init                create the state directory (0700) with db/, "
    "blobs/,\n"
    "                      keys/ and a first signing key; a second run "
    "changes\n"
    "                      nothing\n"
    "  token create NAME [--expires-in SECONDS] [--grant-all]\n"
    "                      make an API token (principal token:NAME); "
    "prints the\n"
    "                      token alone on stdout, once; only its SHA-256 "
    "is kept.\n"
    "                      --grant-all also grants all four rights on "
    "every\n"
    "                      namespace (\"*\")\n"
    "  token list          name, created, expires, revoked of every token\n"
    "  token revoke NAME   revoke a token\n"
    "  key rotate          add a signing key; it becomes the current one\n"
    "  key list            signing key ids, oldest first, the current one "
    "marked\n"
    "  key retire KID      delete a signing key (never the only one)\n"
    "  namespace public NS on|off\n"
    "                      allow or stop anonymous download from NS\n"
    "  namespace show NS   whether NS is public, its modules and grants\n"
    "  audit [--since UNIX_SECONDS]\n"
    "                      print audit records as JSON lines, oldest "
    "first\n"
    "\n"
    "NAME is [a-z0-9][a-z0-9._-]{0,63}.  Every change is written to the "
    "audit log\n"
    "as principal local-admin:<login name>.\n"
    "\n"
    "exit status: 0 success, 1 the command failed (the message says what "
    "to do),\n"
    "2 usage error (bad option, argument or value).\n";

enum {
	OPT_STATE = 256,
	OPT_JSON,
	OPT_EXPIRES_IN,
	OPT_GRANT_ALL,
	OPT_SINCE,
};

static const struct option ra_longopts[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "expires-in", required_argument, NULL, OPT_EXPIRES_IN },
	{ "grant-all", no_argument, NULL, OPT_GRANT_ALL },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ NULL, 0, NULL, 0 },
};

struct ra_opts {
	const char *state_opt;
	char state[CLI_PATH_MAX];
	bool json;
	bool help;
	const char *expires_in; /* NULL when not given */
	bool grant_all;
	const char *since; /* NULL when not given */
	struct cli_pos pos;
};

/* The reason, then the short usage, on stderr; returns the exit code. */
/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

/*
 * The exit code after a change: its audit record (written first) and the
 * output must both have succeeded; each failure was already reported.
 */
static int
after_change(enum reg_err audited, bool printed)
{
	return audited == REG_OK && printed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static bool
path_or_fail(char *out, size_t outsz, const char *dir, const char *sub)
{
	if (cli_path(out, outsz, dir, sub))
		return true;
	cli_err("path too long: %s/%s: use a shorter state directory", dir,
	    sub);
	return false;
}

/* ---- init ---- */

struct init_state {
	const struct ra_opts *o;
	char db[CLI_PATH_MAX], data[CLI_PATH_MAX], blobs[CLI_PATH_MAX];
	char sha[CLI_PATH_MAX], tmp[CLI_PATH_MAX], keys[CLI_PATH_MAX];
	const char *created[8];
	size_t ncreated;
	char kid[KEYRING_KID_BUFSZ]; /* "" unless a key was generated */
	struct store *st;
};

/* Record (and, as text, print) that what was created at path. */
static void
init_note(struct init_state *is, const char *what, const char *path,
    const char *detail)
{
	if (is->ncreated < nitems(is->created))
		is->created[is->ncreated++] = what;
	if (!is->o->json)
		(void)printf("created %s%s\n", path, detail);
}

static bool
init_changed(const struct init_state *is)
{
	return is->ncreated > 0 || is->kid[0] != '\0';
}

/*
 * Make directory path with exactly mode 0700 unless it exists.  *made
 * tells which.  Prints the failure.
 */
static bool
init_dir(const char *path, bool *made)
{
	struct stat sb;

	*made = false;
	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			cli_err("%s exists but is not a directory: move it "
			        "away or choose another --state",
			    path);
			return false;
		}
		if ((sb.st_mode & 077) != 0)
			cli_warn("%s has mode %04o: it should be 0700 "
			         "(chmod 0700 %s)",
			    path, (unsigned)(sb.st_mode & 07777), path);
		return true;
	}
	if (errno != ENOENT) {
		cli_err("cannot inspect %s: %s: check its permissions", path,
		    strerror(errno));
		return false;
	}
	if (mkdir(path, 0700) != 0 || chmod(path, 0700) != 0) {
		cli_err("cannot create %s: %s: create its parent directory "
		        "or run as a user that may write there",
		    path, strerror(errno));
		return false;
	}
	*made = true;
	return true;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/*
 * Whether keydir holds a file keyring_load would read (<kid>.key), so
 * that a fresh directory gets a key without keyring_load's complaint.
 */
static bool
keys_present(const char *keydir)
{
	struct dirent *de;
	DIR *d;
	size_t n;
	bool found = false;

	d = opendir(keydir);
	if (d == NULL)
		return true; /* let keyring_load report it */
	for (;;) {
		de = readdir(d);
		if (de == NULL || found)
			break;
		n = strlen(de->d_name);
		if (n > 4 && strcmp(de->d_name + n - 4, ".key") == 0 &&
		    keyring_kid_valid(de->d_name, n - 4))
			found = true;
	}
	(void)closedir(d);
	return found;
}

static bool
init_paths(struct init_state *is)
{
	const char *state = is->o->state;

	return path_or_fail(is->db, sizeof(is->db), state, "db") &&
	    path_or_fail(is->data, sizeof(is->data), is->db, "data.mdb") &&
	    path_or_fail(is->blobs, sizeof(is->blobs), state, "blobs") &&
	    path_or_fail(is->sha, sizeof(is->sha), is->blobs, "sha256") &&
	    path_or_fail(is->tmp, sizeof(is->tmp), is->blobs, "tmp") &&
	    path_or_fail(is->keys, sizeof(is->keys), state, "keys");
}

/* The state directory itself, then db/ with its LMDB environment. */
static bool
init_db(struct init_state *is)
{
	bool made, had_data;
	enum reg_err er;

	if (!init_dir(is->o->state, &made))
		return false;
	if (made)
		init_note(is, ".", is->o->state, " (mode 0700)");
	if (!init_dir(is->db, &made))
		return false;
	had_data = exists(is->data);
	er = store_open(is->db, NULL, &is->st);
	if (er != REG_OK) {
		cli_err("cannot open or create the database in %s (%s): check "
		        "that you run as the owner of %s",
		    is->db, reg_err_str(er), is->o->state);
		return false;
	}
	if (made || !had_data)
		init_note(is, "db", is->db, " (LMDB environment)");
	return true;
}

static bool
init_blobs(struct init_state *is)
{
	enum reg_err er;

	if (exists(is->blobs) && exists(is->sha) && exists(is->tmp))
		return true;
	er = blob_init_dir(is->blobs);
	if (er != REG_OK) {
		cli_err("cannot create the blob directory %s (%s): check the "
		        "permissions of %s",
		    is->blobs, reg_err_str(er), is->o->state);
		return false;
	}
	init_note(is, "blobs", is->blobs, "");
	return true;
}

/* keys/ and a first signing key; existing keys must load cleanly. */
static bool
init_keys(struct init_state *is)
{
	struct keyring *kr = NULL;
	bool made;
	enum reg_err er;

	if (!init_dir(is->keys, &made))
		return false;
	if (made)
		init_note(is, "keys", is->keys, " (mode 0700)");
	er = keys_present(is->keys) ? keyring_load(is->keys, &kr) : REG_ENOENT;
	keyring_free(kr);
	if (er == REG_OK)
		return true;
	if (er != REG_ENOENT) {
		cli_err("the signing keys in %s are not usable (%s, see "
		        "above): fix or remove the files named there, then "
		        "run init again",
		    is->keys, reg_err_str(er));
		return false;
	}
	er = keyring_generate(is->keys, is->kid);
	if (er != REG_OK) {
		cli_err("cannot generate a signing key in %s (%s): check the "
		        "permissions of %s",
		    is->keys, reg_err_str(er), is->keys);
		return false;
	}
	if (!is->o->json)
		(void)printf("generated signing key %s in %s\n", is->kid,
		    is->keys);
	return true;
}

/* `"created": [...], "key": K|null` with the given separators. */
static void
init_detail(struct cli_out *out, const struct init_state *is, const char *colon,
    const char *comma, const char *keyname)
{
	size_t i;

	cli_out_f(out, "\"created\"%s[", colon);
	for (i = 0; i < is->ncreated; i++) {
		if (i > 0)
			cli_out_s(out, comma);
		cli_out_js(out, is->created[i]);
	}
	cli_out_f(out, "]%s\"%s\"%s", comma, keyname, colon);
	if (is->kid[0] != '\0')
		cli_out_js(out, is->kid);
	else
		cli_out_s(out, "null");
}

/* Run as root on a state dir owned by registryd's user: hand over. */
static void
init_adopt(const struct init_state *is)
{
	static const char *const sub[] = { "db", "db/data.mdb", "db/lock.mdb",
		"blobs", "blobs/sha256", "blobs/tmp", "keys" };
	char path[CLI_PATH_MAX], file[KEYRING_KID_BUFSZ + 4];
	size_t i;

	for (i = 0; i < nitems(sub); i++)
		if (cli_path(path, sizeof(path), is->o->state, sub[i]))
			cli_adopt(is->o->state, path);
	if (is->kid[0] == '\0')
		return;
	(void)snprintf(file, sizeof(file), "%s.key", is->kid);
	if (cli_path(path, sizeof(path), is->keys, file))
		cli_adopt(is->o->state, path);
}

static bool
init_print(const struct init_state *is)
{
	struct cli_out out;
	bool ok;

	if (!is->o->json) {
		if (!init_changed(is))
			(void)printf("nothing to do: %s is already "
			             "initialised\n",
			    is->o->state);
		return cli_flush();
	}
	cli_out_init(&out);
	cli_out_s(&out, "{\"state_dir\": ");
	cli_out_js(&out, is->o->state);
	cli_out_f(&out, ", \"changed\": %s, ", cli_jbool(init_changed(is)));
	init_detail(&out, is, ": ", ", ", "key");
	cli_out_s(&out, "}\n");
	ok = cli_print(&out);
	cli_out_release(&out);
	return ok;
}

/* The audit record of what init changed; complete false after a failure. */
static bool
init_audit(const struct init_state *is, bool complete)
{
	struct cli_out out;
	enum reg_err er;

	cli_out_init(&out);
	init_detail(&out, is, ":", ",", "kid");
	cli_out_f(&out, ",\"complete\":%s", cli_jbool(complete));
	er = out.er;
	if (er == REG_OK)
		er = cli_audit(is->st, "init", is->o->state, buf_cstr(&out.b));
	else
		cli_err("init was done but its audit record was not written "
		        "(%s): check the state directory",
		    reg_err_str(er));
	cli_out_release(&out);
	return er == REG_OK;
}

static int
cmd_init(struct ra_opts *o)
{
	struct init_state *is;
	bool ok, audited;

	if (o->pos.n != 1)
		return usage_error("init takes no arguments");
	/* Six paths of CLI_PATH_MAX: keep them off the stack. */
	is = calloc(1, sizeof(*is));
	if (is == NULL) {
		cli_err("out of memory: try again");
		return CLI_EXIT_FAIL;
	}
	is->o = o;
	ok = init_paths(is) && init_db(is) && init_blobs(is) && init_keys(is);
	if (is->db[0] != '\0' && is->keys[0] != '\0')
		init_adopt(is);
	/* Whatever was changed is audited, even when a later step failed. */
	audited = is->st == NULL || !init_changed(is) || init_audit(is, ok);
	if (ok)
		ok = init_print(is);
	ok = ok && audited;
	store_close(is->st);
	free(is);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- tokens ---- */

/* NAME of "token create|revoke NAME" into principal; a usage error. */
static int
token_name_arg(const char *name, char principal[APITOKEN_PRINCIPAL_BUFSZ])
{
	if (!apitoken_name_valid(name, strlen(name)) ||
	    apitoken_principal(name, strlen(name), principal) != REG_OK)
		return usage_error("invalid token name '%s': use 1 to 64 of "
		                   "[a-z0-9._-], starting with a letter or "
		                   "digit",
		    name);
	return CLI_EXIT_OK;
}

/* --grant-all: ("*", token:NAME) with every right, and its audit. */
static bool
token_grant_all(struct store *st, const struct ra_opts *o, const char *name,
    const char *principal)
{
	struct grant g;
	enum reg_err er;

	memset(&g, 0, sizeof(g));
	g.download = g.upload = g.create_grant = g.delete_grant = true;
	g.created_at = g.updated_at = cli_now();
	(void)snprintf(g.created_by, sizeof(g.created_by), "%s", cli_actor());
	er = store_grant_put(st, "*", principal, &g, STORE_REPLACE);
	if (er != REG_OK) {
		cli_err("token %s was created but its grant was not (%s): run "
		        "manage-registry-permissions --state %s -r %s -n '*' "
		        "create -d -u -c -D",
		    name, reg_err_str(er), o->state, principal);
		return false;
	}
	if (cli_audit(st, "grant_create", principal,
	        "\"namespace\":\"*\",\"permissions\":{\"download\":true,"
	        "\"upload\":true,\"create_grant\":true,\"delete_grant\":"
	        "true}") != REG_OK)
		return false;
	(void)fprintf(stderr,
	    "%s: granted download, upload, create_grant and delete_grant on "
	    "every namespace (*) to %s\n",
	    cli_prog(), principal);
	return true;
}

/* s and a newline on stdout with write(2); s is wiped by the caller. */
static bool
write_secret_line(char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;
	bool ok = true;

	s[len] = '\n'; /* in the NUL's place while writing */
	while (ok && off <= len) {
		n = write(STDOUT_FILENO, s + off, len + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ok = false;
		else
			off += (size_t)n;
	}
	s[len] = '\0';
	return ok;
}

/*
 * Make the token, store its hash, print it.  The secret lives only in
 * tok, which is wiped on every path.
 */
static bool
token_make(struct store *st, const struct ra_opts *o, struct api_token *t)
{
	char tok[APITOKEN_BUFSZ];
	enum reg_err er;
	bool ok = false;

	memset(tok, 0, sizeof(tok));
	er = apitoken_generate(tok);
	if (er == REG_OK)
		er = apitoken_hash(tok, strlen(tok), t->hash);
	if (er != REG_OK) {
		cli_err("cannot generate a token (%s): check that the "
		        "system's random generator works",
		    reg_err_str(er));
		goto out;
	}
	er = store_apitoken_put(st, t);
	if (er == REG_EEXIST) {
		cli_err("a token named %s already exists: choose another name "
		        "(registry-admin token list shows the names in use; "
		        "revoked names stay taken)",
		    t->name);
		goto out;
	}
	if (er != REG_OK) {
		cli_err("cannot store token %s (%s): check the state "
		        "directory %s",
		    t->name, reg_err_str(er), o->state);
		goto out;
	}
	/*
	 * Stored: print it whatever happens next, or it is lost.  write(2)
	 * rather than stdio, so no copy stays in a stdio buffer.
	 */
	if (!cli_flush() || !write_secret_line(tok)) {
		cli_err("token %s was stored but could not be printed: revoke "
		        "it (registry-admin token revoke %s) and create "
		        "another",
		    t->name, t->name);
		goto out;
	}
	ok = true;
out:
	cryptow_wipe(tok, sizeof(tok));
	return ok;
}

static int
token_create(struct ra_opts *o)
{
	char principal[APITOKEN_PRINCIPAL_BUFSZ], extra[128];
	struct api_token t;
	struct store *st = NULL;
	uint64_t secs = 0;
	int rc;

	if (o->pos.n != 3)
		return usage_error("token create takes exactly one NAME");
	rc = token_name_arg(o->pos.v[2], principal);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (o->expires_in != NULL &&
	    num_parse_u64(o->expires_in, strlen(o->expires_in), 1,
	        RA_EXPIRES_MAX, &secs) != REG_OK)
		return usage_error("--expires-in '%s': give a whole number of "
		                   "seconds from 1 to 315360000 (ten years)",
		    o->expires_in);
	if (cli_stdout_was_closed()) {
		cli_err("standard output is closed, so the token would be "
		        "lost: run token create with its output going to a "
		        "terminal or a file");
		return CLI_EXIT_FAIL;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;

	memset(&t, 0, sizeof(t));
	(void)snprintf(t.name, sizeof(t.name), "%s", o->pos.v[2]);
	(void)snprintf(t.created_by, sizeof(t.created_by), "%s", cli_actor());
	t.created_at = cli_now();
	t.expires_at = secs > 0 ? t.created_at + (int64_t)secs : 0;
	if (!token_make(st, o, &t))
		goto out;
	(void)fprintf(stderr,
	    "%s: token %s created (principal %s); it is shown only once: "
	    "store it now\n",
	    cli_prog(), t.name, principal);

	if (secs > 0)
		(void)snprintf(extra, sizeof(extra),
		    "\"expires_at\":%lld,\"grant_all\":%s",
		    (long long)t.expires_at, cli_jbool(o->grant_all));
	else
		(void)snprintf(extra, sizeof(extra),
		    "\"expires_at\":null,\"grant_all\":%s",
		    cli_jbool(o->grant_all));
	if (cli_audit(st, "token_create", principal, extra) != REG_OK)
		goto out;
	if (o->grant_all && !token_grant_all(st, o, t.name, principal))
		goto out;
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	return rc;
}

struct tlist_arg {
	struct cli_out *out;
	bool json;
	size_t n;
};

static void
tlist_json(struct cli_out *out, const struct api_token *t, size_t n)
{
	bool expired = t->expires_at != 0 && t->expires_at <= cli_now();

	cli_out_s(out, n > 0 ? ",\n  {\"name\": " : "\n  {\"name\": ");
	cli_out_js(out, t->name);
	cli_out_f(out, ", \"created_at\": %lld", (long long)t->created_at);
	if (t->expires_at != 0)
		cli_out_f(out, ", \"expires_at\": %lld",
		    (long long)t->expires_at);
	else
		cli_out_s(out, ", \"expires_at\": null");
	cli_out_f(out, ", \"revoked\": %s, \"expired\": %s",
	    cli_jbool(t->revoked), cli_jbool(expired));
	cli_out_s(out, ", \"created_by\": ");
	cli_out_js(out, t->created_by);
	cli_out_s(out, "}");
}

static void
tlist_text(struct cli_out *out, const struct api_token *t)
{
	char created[32], expires[32];

	cli_fmt_time(t->created_at, created, sizeof(created));
	if (t->expires_at != 0)
		cli_fmt_time(t->expires_at, expires, sizeof(expires));
	else
		(void)snprintf(expires, sizeof(expires), "never");
	cli_out_f(out, "%-24s %-20s %-20s %s\n", t->name, created, expires,
	    t->revoked ? "yes" : "no");
}

static bool
tlist_cb(const struct api_token *t, void *argp)
{
	struct tlist_arg *a = argp;

	if (a->json)
		tlist_json(a->out, t, a->n);
	else
		tlist_text(a->out, t);
	a->n++;
	return a->out->er == REG_OK;
}

static int
token_list(struct ra_opts *o)
{
	struct tlist_arg a;
	struct cli_out out;
	struct store *st = NULL;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	if (o->pos.n != 2)
		return usage_error("token list takes no arguments");
	cli_out_init(&out);
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	a.out = &out;
	a.json = o->json;
	a.n = 0;
	if (o->json)
		cli_out_s(&out, "[");
	else
		cli_out_f(&out, "%-24s %-20s %-20s %s\n", "NAME", "CREATED",
		    "EXPIRES", "REVOKED");
	er = store_apitokens_each(st, tlist_cb, &a);
	if (er != REG_OK && out.er == REG_OK) {
		cli_err("cannot list tokens (%s): check the state directory "
		        "%s",
		    reg_err_str(er), o->state);
		goto out;
	}
	if (o->json)
		cli_out_s(&out, a.n > 0 ? "\n]\n" : "]\n");
	if (cli_print(&out))
		rc = CLI_EXIT_OK;
out:
	cli_out_release(&out);
	store_close(st);
	return rc;
}

struct tfind_arg {
	const char *name;
	bool found;
	bool revoked;
};

static bool
tfind_cb(const struct api_token *t, void *argp)
{
	struct tfind_arg *a = argp;

	if (strcmp(t->name, a->name) != 0)
		return true;
	a->found = true;
	a->revoked = t->revoked;
	return false;
}

static int
token_revoke(struct ra_opts *o)
{
	char principal[APITOKEN_PRINCIPAL_BUFSZ];
	struct tfind_arg f = { NULL, false, false };
	struct store *st = NULL;
	enum reg_err er;
	int rc;

	if (o->pos.n != 3)
		return usage_error("token revoke takes exactly one NAME");
	rc = token_name_arg(o->pos.v[2], principal);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_FAIL;
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	f.name = o->pos.v[2];
	er = store_apitokens_each(st, tfind_cb, &f);
	if (er == REG_OK && !f.found)
		er = REG_ENOENT;
	if (er == REG_OK && f.revoked) {
		(void)printf("token %s was already revoked\n", f.name);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	if (er == REG_OK)
		er = store_apitoken_revoke(st, f.name);
	if (er == REG_ENOENT) {
		cli_err("no API token named %s: registry-admin token list "
		        "shows the existing tokens",
		    f.name);
		goto out;
	}
	if (er != REG_OK) {
		cli_err("cannot revoke token %s (%s): check the state "
		        "directory %s",
		    f.name, reg_err_str(er), o->state);
		goto out;
	}
	(void)printf("token %s revoked; its grants stay until removed with "
	             "manage-registry-permissions\n",
	    f.name);
	rc = after_change(cli_audit(st, "token_revoke", principal, NULL),
	    cli_flush());
out:
	store_close(st);
	return rc;
}

static int
cmd_token(struct ra_opts *o)
{
	const char *sub = o->pos.n > 1 ? o->pos.v[1] : "";

	if ((o->expires_in != NULL || o->grant_all) &&
	    strcmp(sub, "create") != 0)
		return usage_error("--expires-in and --grant-all apply to "
		                   "'token create' only");
	if (strcmp(sub, "create") == 0)
		return token_create(o);
	if (strcmp(sub, "list") == 0)
		return token_list(o);
	if (strcmp(sub, "revoke") == 0)
		return token_revoke(o);
	if (sub[0] == '\0')
		return usage_error("token needs a subcommand: create, list or "
		                   "revoke");
	return usage_error("unknown token subcommand '%s': use create, list "
	                   "or revoke",
	    sub);
}

/* ---- keys ---- */

/* keys/ of an initialised state dir into out; prints the failure. */
static bool
keys_dir(const struct ra_opts *o, char *out, size_t outsz)
{
	struct stat sb;

	if (!path_or_fail(out, outsz, o->state, "keys"))
		return false;
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_err("cannot open state in %s: it has no keys directory: "
		        "run registry-admin --state %s init",
		    o->state, o->state);
		return false;
	}
	return true;
}

static void
keyring_load_failed(const char *keys, enum reg_err er)
{
	switch (er) {
	case REG_ENOENT:
		cli_err("no signing key in %s: run registry-admin key rotate "
		        "to add one",
		    keys);
		break;
	case REG_EPERM:
		cli_err("the signing keys in %s are accessible to other users "
		        "(see above): chmod 0600 the key files and 0700 the "
		        "directory",
		    keys);
		break;
	default:
		cli_err("cannot load the signing keys in %s (%s, see above): "
		        "fix or remove the files named there",
		    keys, reg_err_str(er));
		break;
	}
}

/* A key made by root must be readable by registryd's user. */
static void
key_adopt(const struct ra_opts *o, const char *keys, const char *kid)
{
	char path[CLI_PATH_MAX], file[KEYRING_KID_BUFSZ + 4];

	(void)snprintf(file, sizeof(file), "%s.key", kid);
	if (cli_path(path, sizeof(path), keys, file))
		cli_adopt(o->state, path);
}

static int
key_rotate(struct ra_opts *o)
{
	char keys[CLI_PATH_MAX], kid[KEYRING_KID_BUFSZ];
	struct cli_out out;
	struct store *st = NULL;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	if (o->pos.n != 2)
		return usage_error("key rotate takes no arguments");
	cli_out_init(&out);
	if (!keys_dir(o, keys, sizeof(keys)) ||
	    cli_store_open(o->state, &st) != REG_OK)
		goto out;
	er = keyring_generate(keys, kid);
	if (er != REG_OK) {
		cli_err("cannot generate a signing key in %s (%s, see above): "
		        "check the permissions of %s",
		    keys, reg_err_str(er), keys);
		goto out;
	}
	key_adopt(o, keys, kid);
	if (o->json) {
		cli_out_s(&out, "{\"kid\": ");
		cli_out_js(&out, kid);
		cli_out_s(&out, ", \"current\": true}\n");
	} else
		cli_out_f(&out,
		    "new signing key %s (now the current key)\n"
		    "registryd picks it up on SIGHUP, or when it first sees a "
		    "token signed with it\n"
		    "(copy %s/%s.key to every other node); retire the old key "
		    "once the tokens it signed have expired\n",
		    kid, keys, kid);
	er = cli_audit(st, "key_rotate", kid, NULL);
	rc = after_change(er, cli_print(&out));
out:
	cli_out_release(&out);
	store_close(st);
	return rc;
}

static void
key_list_print(struct cli_out *out, const char **kids, size_t n, bool json)
{
	size_t i;
	bool cur;

	if (json)
		cli_out_s(out, "[");
	for (i = 0; i < n; i++) {
		cur = i + 1 == n; /* the newest key signs */
		if (!json) {
			cli_out_f(out, "%s%s\n", kids[i],
			    cur ? " (current)" : "");
			continue;
		}
		cli_out_s(out, i > 0 ? ",\n  {\"kid\": " : "\n  {\"kid\": ");
		cli_out_js(out, kids[i]);
		cli_out_f(out, ", \"current\": %s}", cli_jbool(cur));
	}
	if (json)
		cli_out_s(out, n > 0 ? "\n]\n" : "]\n");
}

static int
key_list(struct ra_opts *o)
{
	char keys[CLI_PATH_MAX];
	const char **kids = NULL;
	struct keyring *kr = NULL;
	struct cli_out out;
	size_t n;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	if (o->pos.n != 2)
		return usage_error("key list takes no arguments");
	cli_out_init(&out);
	if (!keys_dir(o, keys, sizeof(keys)))
		goto out;
	er = keyring_load(keys, &kr);
	if (er != REG_OK) {
		keyring_load_failed(keys, er);
		goto out;
	}
	n = keyring_list(kr, NULL, 0);
	kids = calloc(n > 0 ? n : 1, sizeof(*kids));
	if (kids == NULL) {
		cli_err("out of memory listing keys: try again");
		goto out;
	}
	n = keyring_list(kr, kids, n);
	key_list_print(&out, kids, n, o->json);
	if (cli_print(&out))
		rc = CLI_EXIT_OK;
out:
	free(kids);
	keyring_free(kr);
	cli_out_release(&out);
	return rc;
}

static void
key_retire_failed(const char *keys, const char *kid, enum reg_err er)
{
	switch (er) {
	case REG_EPERM:
		cli_err("%s is the only signing key: run registry-admin key "
		        "rotate first, then retire %s",
		    kid, kid);
		break;
	case REG_ENOENT:
		cli_err("no signing key %s in %s: registry-admin key list "
		        "shows the key ids",
		    kid, keys);
		break;
	default:
		cli_err("cannot retire key %s (%s, see above): check the "
		        "permissions of %s",
		    kid, reg_err_str(er), keys);
		break;
	}
}

static int
key_retire(struct ra_opts *o)
{
	char keys[CLI_PATH_MAX];
	const char *kid;
	struct keyring *kr = NULL;
	struct store *st = NULL;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	if (o->pos.n != 3)
		return usage_error("key retire takes exactly one KID");
	kid = o->pos.v[2];
	if (!keyring_kid_valid(kid, strlen(kid)))
		return usage_error("invalid key id '%s': key list shows the "
		                   "key ids",
		    kid);
	if (!keys_dir(o, keys, sizeof(keys)) ||
	    cli_store_open(o->state, &st) != REG_OK)
		goto out;
	er = keyring_retire(keys, kid);
	if (er != REG_OK) {
		key_retire_failed(keys, kid, er);
		goto out;
	}
	(void)printf("retired signing key %s; registryd stops accepting "
	             "tokens and URLs signed with it at its next reload "
	             "(SIGHUP)\n",
	    kid);
	if (keyring_load(keys, &kr) == REG_OK)
		(void)printf("current signing key: %s\n",
		    keyring_key_kid(keyring_current(kr)));
	rc = after_change(cli_audit(st, "key_retire", kid, NULL), cli_flush());
out:
	keyring_free(kr);
	store_close(st);
	return rc;
}

static int
cmd_key(struct ra_opts *o)
{
	const char *sub = o->pos.n > 1 ? o->pos.v[1] : "";

	if (strcmp(sub, "rotate") == 0)
		return key_rotate(o);
	if (strcmp(sub, "list") == 0)
		return key_list(o);
	if (strcmp(sub, "retire") == 0)
		return key_retire(o);
	if (sub[0] == '\0')
		return usage_error("key needs a subcommand: rotate, list or "
		                   "retire");
	return usage_error("unknown key subcommand '%s': use rotate, list "
	                   "or retire",
	    sub);
}

/* ---- namespaces ---- */

/* Validate and lower-case a namespace argument; a usage error. */
static int
ns_arg(const char *ns, char out[NAME_BUFSZ])
{
	size_t len = strlen(ns);

	if (!name_valid(ns, len))
		return usage_error("invalid namespace '%s': use 1 to 64 "
		                   "letters, digits, '-' or '_', starting and "
		                   "ending with a letter or digit",
		    ns);
	name_lower(out, NAME_BUFSZ, ns, len);
	return CLI_EXIT_OK;
}

static int
ns_public(struct ra_opts *o)
{
	char ns[NAME_BUFSZ];
	struct store *st = NULL;
	const char *onoff;
	bool on;
	enum reg_err er;
	int rc;

	if (o->pos.n != 4)
		return usage_error("usage: namespace public NS on|off");
	rc = ns_arg(o->pos.v[2], ns);
	if (rc != CLI_EXIT_OK)
		return rc;
	onoff = o->pos.v[3];
	if (strcmp(onoff, "on") != 0 && strcmp(onoff, "off") != 0)
		return usage_error("namespace public: give on or off, not '%s'",
		    onoff);
	on = strcmp(onoff, "on") == 0;
	rc = CLI_EXIT_FAIL;
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	er = store_ns_set_public(st, ns, on);
	if (er != REG_OK) {
		cli_err("cannot change namespace %s (%s): check the state "
		        "directory %s",
		    ns, reg_err_str(er), o->state);
		goto out;
	}
	if (o->json)
		(void)printf("{\"namespace\": \"%s\", \"public\": %s}\n", ns,
		    cli_jbool(on));
	else
		(void)printf("namespace %s is %s\n", ns,
		    on ? "public: anyone may download its modules"
		       : "not public: downloads need a grant");
	er = cli_audit(st, "namespace_public", ns,
	    on ? "\"public\":true" : "\"public\":false");
	rc = after_change(er, cli_flush());
out:
	store_close(st);
	return rc;
}

struct nshow_arg {
	struct cli_out *out;
	bool json;
	size_t n;
};

static bool
nshow_module_cb(const struct module_addr *m, void *argp)
{
	struct nshow_arg *a = argp;
	char mod[2 * NAME_BUFSZ];

	(void)snprintf(mod, sizeof(mod), "%s/%s", m->name, m->system);
	if (a->json) {
		cli_out_s(a->out, a->n > 0 ? ", " : "");
		cli_out_js(a->out, mod);
	} else
		cli_out_f(a->out, "  %s\n", mod);
	a->n++;
	return a->out->er == REG_OK;
}

static bool
nshow_grant_cb(const struct grant_entry *e, void *argp)
{
	struct nshow_arg *a = argp;
	const struct grant *g = &e->g;

	if (!a->json) {
		cli_out_f(a->out, "  %-40s%s%s%s%s\n", e->principal,
		    g->download ? " download" : "", g->upload ? " upload" : "",
		    g->create_grant ? " create_grant" : "",
		    g->delete_grant ? " delete_grant" : "");
		a->n++;
		return a->out->er == REG_OK;
	}
	cli_out_s(a->out, a->n > 0 ? ", {\"principal\": " : "{\"principal\": ");
	cli_out_js(a->out, e->principal);
	cli_out_f(a->out,
	    ", \"permissions\": {\"download\": %s, \"upload\": %s, "
	    "\"create_grant\": %s, \"delete_grant\": %s}}",
	    cli_jbool(g->download), cli_jbool(g->upload),
	    cli_jbool(g->create_grant), cli_jbool(g->delete_grant));
	a->n++;
	return a->out->er == REG_OK;
}

/* Modules and grants of ns into a->out. */
static enum reg_err
ns_show_lists(struct store *st, const char *ns, struct nshow_arg *a)
{
	enum reg_err er;

	a->n = 0;
	er = store_modules_each(st, ns, nshow_module_cb, a);
	if (er == REG_ENOENT)
		er = REG_OK;
	if (er != REG_OK)
		return er;
	if (!a->json && a->n == 0)
		cli_out_s(a->out, "  (none)\n");
	cli_out_s(a->out, a->json ? "], \"grants\": [" : "grants:\n");
	a->n = 0;
	er = store_grants_each(st, ns, NULL, nshow_grant_cb, a);
	if (er != REG_OK)
		return er;
	if (!a->json && a->n == 0)
		cli_out_s(a->out, "  (none; grants on \"*\" apply too)\n");
	if (a->json)
		cli_out_s(a->out, "]}\n");
	return REG_OK;
}

static int
ns_show(struct ra_opts *o)
{
	char ns[NAME_BUFSZ];
	struct nshow_arg a;
	struct cli_out out;
	struct store *st = NULL;
	bool pub = false;
	enum reg_err er;
	int rc;

	if (o->pos.n != 3)
		return usage_error("usage: namespace show NS");
	rc = ns_arg(o->pos.v[2], ns);
	if (rc != CLI_EXIT_OK)
		return rc;
	rc = CLI_EXIT_FAIL;
	cli_out_init(&out);
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	er = store_ns_is_public(st, ns, &pub);
	if (er == REG_ENOENT) {
		pub = false;
		er = REG_OK;
	}
	if (o->json)
		cli_out_f(&out,
		    "{\"namespace\": \"%s\", \"public\": %s, \"modules\": [",
		    ns, cli_jbool(pub));
	else
		cli_out_f(&out, "namespace: %s\npublic: %s\nmodules:\n", ns,
		    pub ? "yes" : "no");
	a.out = &out;
	a.json = o->json;
	if (er == REG_OK)
		er = ns_show_lists(st, ns, &a);
	if (er != REG_OK && out.er == REG_OK) {
		cli_err("cannot read namespace %s (%s): check the state "
		        "directory %s",
		    ns, reg_err_str(er), o->state);
		goto out;
	}
	if (cli_print(&out))
		rc = CLI_EXIT_OK;
out:
	cli_out_release(&out);
	store_close(st);
	return rc;
}

static int
cmd_namespace(struct ra_opts *o)
{
	const char *sub = o->pos.n > 1 ? o->pos.v[1] : "";

	if (strcmp(sub, "public") == 0)
		return ns_public(o);
	if (strcmp(sub, "show") == 0)
		return ns_show(o);
	if (sub[0] == '\0')
		return usage_error("namespace needs a subcommand: public or "
		                   "show");
	return usage_error("unknown namespace subcommand '%s': use public "
	                   "or show",
	    sub);
}

/* ---- audit ---- */

struct audit_arg {
	bool failed;
};

static bool
audit_cb(int64_t ts_us, const char *json, size_t len, void *argp)
{
	struct audit_arg *a = argp;
	size_t i, start = 0;

	(void)ts_us;
	/* One record per line, whatever a writer put in it. */
	for (i = 0; i <= len; i++) {
		if (i < len && json[i] != '\n' && json[i] != '\r')
			continue;
		if (i > start &&
		    fwrite(json + start, 1, i - start, stdout) != i - start)
			a->failed = true;
		if (i < len && putchar(' ') == EOF)
			a->failed = true;
		start = i + 1;
	}
	if (putchar('\n') == EOF)
		a->failed = true;
	return !a->failed;
}

static int
cmd_audit(struct ra_opts *o)
{
	struct audit_arg a = { false };
	struct store *st = NULL;
	int64_t since = 0;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	if (o->pos.n != 1)
		return usage_error("audit takes no arguments (use --since "
		                   "UNIX_SECONDS)");
	if (o->since != NULL &&
	    num_parse_i64(o->since, strlen(o->since), 0, RA_SINCE_MAX,
	        &since) != REG_OK)
		return usage_error("--since '%s': give a time in Unix seconds "
		                   "(e.g. $(date -d yesterday +%%s))",
		    o->since);
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	/* Streamed: LMDB readers block no writer, so registryd goes on. */
	er = store_audit_each(st, since * 1000000, audit_cb, &a);
	if (!cli_flush() || a.failed)
		goto out;
	if (er != REG_OK) {
		cli_err("cannot read the audit log (%s): check the state "
		        "directory %s",
		    reg_err_str(er), o->state);
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	store_close(st);
	return rc;
}

/* ---- main ---- */

static int
parse(int argc, char *argv[], struct ra_opts *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "h", ra_longopts, &o->pos);
		if (c == -1)
			break;
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case OPT_STATE:
			o->state_opt = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_EXPIRES_IN:
			o->expires_in = optarg;
			break;
		case OPT_GRANT_ALL:
			o->grant_all = true;
			break;
		case OPT_SINCE:
			o->since = optarg;
			break;
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	return CLI_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct ra_opts o;
	const char *cmd;
	enum reg_err er;
	int rc;

	if (!cli_init("registry-admin"))
		return CLI_EXIT_FAIL;
	memset(&o, 0, sizeof(o));
	rc = parse(argc, argv, &o);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (o.help) {
		(void)fputs(usage_full, stdout);
		return cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	if (o.pos.overflow)
		return usage_error("too many arguments");
	if (o.pos.n == 0)
		return usage_error("no command given");
	er = cli_state_dir(o.state_opt, o.state, sizeof(o.state));
	if (er != REG_OK)
		return usage_error(
		    "--state: give a non-empty directory path of at most "
		    "4095 bytes");
	cmd = o.pos.v[0];
	if (o.since != NULL && strcmp(cmd, "audit") != 0)
		return usage_error("--since applies to 'audit' only");
	if ((o.expires_in != NULL || o.grant_all) && strcmp(cmd, "token") != 0)
		return usage_error("--expires-in and --grant-all apply to "
		                   "'token create' only");
	if (strcmp(cmd, "init") == 0)
		return cmd_init(&o);
	if (strcmp(cmd, "token") == 0)
		return cmd_token(&o);
	if (strcmp(cmd, "key") == 0)
		return cmd_key(&o);
	if (strcmp(cmd, "namespace") == 0)
		return cmd_namespace(&o);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(&o);
	return usage_error("unknown command '%s'", cmd);
}
