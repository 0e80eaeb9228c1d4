/*
 * admin-tools/manage-registry-permissions.c: create, update, delete, show
 * and list grants (principal x namespace -> download, upload,
 * create_grant, delete_grant) directly in the registry's LMDB state: the
 * local mode of the original CLI (spec/original-registry.md section 6.2),
 * with its surface kept and its bugs fixed:
 *   - options are accepted before and after the subcommand;
 *   - update changes only the rights given (-d sets, --no-download clears);
 *   - create refuses to overwrite unless --force;
 *   - delete and show of a missing grant fail with exit 1.
 *
 * Principals go through principal_from_grant_input, so a grant is always
 * keyed by the canonical principal key registryd looks up.  Every change
 * appends an audit record as "local-admin:<login name>".
 *
 * XXX update is read-modify-write in two store transactions: two admins
 * updating the same grant at the same instant can lose one change (the
 * store has no compare-and-swap yet).
 *
 * With --registry HOST the same commands go through a running registry's
 * grant API (GET/PUT/DELETE /v1/grants/:ns[/:principal]), authenticated
 * by --token, --token-file, REGISTRY_TOKEN or else the caller's AWS
 * identity (the IAM exchange).  The registry enforces create-grant and
 * delete-grant on the namespace, refuses grants of rights the caller does
 * not hold, and audits every change; the output is the same as locally.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "admin-tools/client_grants.h"
#include "auth/principal.h"
#include "common/name.h"
#include "storage/store.h"

static const char usage_short[] =
    "usage: manage-registry-permissions [--state DIR] -r PRINCIPAL "
    "-n NAMESPACE\n"
    "           {create|update|delete|show} [-d] [-u] [-c] [-D]\n"
    "           [--no-download] [--no-upload] [--no-create-grant]\n"
    "           [--no-delete-grant] [--unique-id ID] [--force]\n"
    "       manage-registry-permissions [--state DIR] list [-n NAMESPACE]\n"
    "           [-r PRINCIPAL]\n"
    "       manage-registry-permissions --registry HOST [--ca-file FILE]\n"
    "           [--token TOKEN | --token-file FILE] [--profile NAME]\n"
    "           [--region REGION] <the same commands>\n"
    "try 'manage-registry-permissions --help' for more information\n";

static const char usage_full[] =
    "usage: manage-registry-permissions [--state DIR] -r PRINCIPAL "
    "-n NAMESPACE\n"
    "           {create|update|delete|show} [-d] [-u] [-c] [-D]\n"
    "           [--no-download] [--no-upload] [--no-create-grant]\n"
    "           [--no-delete-grant] [--unique-id ID] [--force]\n"
    "       manage-registry-permissions [--state DIR] list [-n NAMESPACE]\n"
    "           [-r PRINCIPAL]\n"
    "       manage-registry-permissions --registry HOST [--ca-file FILE]\n"
    "           [--token TOKEN | --token-file FILE] [--profile NAME]\n"
    "           [--region REGION] <the same commands>\n"
    "\n"
    "Manage the grants of a registry in its local state directory, or "
    "with\n"
    "--registry through a running registry's grant API.  A grant gives a\n"
    "principal rights on a namespace.  Options may come before or after "
    "the\n"
    "subcommand.\n"
    "\n"
    "subcommands:\n"
    "  create    create a grant; unset rights are false; refuses if the "
    "grant\n"
    "            exists (--force replaces it)\n"
    "  update    change only the rights given; the grant must exist\n"
    "  delete    delete a grant and print what it was\n"
    "  show      print a grant\n"
    "  list      print every grant as a JSON array, filtered by -n and/or "
    "-r\n"
    "\n"
    "options:\n"
    "  -r, --role-arn, --principal PRINCIPAL\n"
    "                       arn:aws:iam::123456789012:role/[path/]Name (the "
    "path is\n"
    "                       ignored), arn:aws:iam::123456789012:user/Name,\n"
    "                       token:NAME, or a principal key such as\n"
    "                       aws:aws:123456789012:role:Name\n"
    "  -n, --namespace NAMESPACE\n"
    "                       a namespace name, or '*' for every namespace\n"
    "  -d, --download       grant download        --no-download      "
    "revoke it\n"
    "  -u, --upload         grant upload          --no-upload        "
    "revoke it\n"
    "  -c, --create-grant   grant create_grant    --no-create-grant  "
    "revoke it\n"
    "  -D, --delete-grant   grant delete_grant    --no-delete-grant  "
    "revoke it\n"
    "  --unique-id ID       pin the grant to the IAM unique id (AROA.../"
    "AIDA...);\n"
    "                       with update, --unique-id '' removes the pin\n"
    "  --force              let create replace an existing grant\n"
    "  --state DIR          state directory (default: $REGISTRY_STATE, else\n"
    "                       /var/lib/registry)\n"
    "  --registry HOST      remote mode: the registry host[:port]; "
    "changes need\n"
    "                       create_grant (to grant, only rights the caller "
    "holds)\n"
    "                       or delete_grant (to revoke) on the namespace; "
    "list\n"
    "                       needs -n\n"
    "  --ca-file FILE       remote: trust this CA (default: SSL_CERT_FILE,\n"
    "                       SSL_CERT_DIR, the system store)\n"
    "  --token TOKEN        remote: an API or registry token (default:\n"
    "                       $REGISTRY_TOKEN, else the IAM exchange with the "
    "AWS\n"
    "                       credentials)\n"
    "  --token-file FILE    remote: read the token from FILE\n"
    "  --profile NAME, --region REGION\n"
    "                       remote: AWS profile and region for the IAM "
    "exchange\n"
    "  -h, --help           print this help and exit\n"
    "\n"
    "create, update, delete and show print the grant as JSON:\n"
    "  {\"namespace\": ..., \"role\": ..., \"principal\": ..., "
    "\"permissions\": {...}, ...}\n"
    "\n"
    "exit status: 0 success, 1 the command failed (the message says what "
    "to do),\n"
    "2 usage error (bad option, missing or invalid argument).\n";

enum {
	OPT_NO_DOWNLOAD = 256,
	OPT_NO_UPLOAD,
	OPT_NO_CREATE_GRANT,
	OPT_NO_DELETE_GRANT,
	OPT_UNIQUE_ID,
	OPT_FORCE,
	OPT_STATE,
	OPT_REGISTRY,
	OPT_CA_FILE,
	OPT_TOKEN,
	OPT_TOKEN_FILE,
	OPT_PROFILE,
	OPT_REGION,
};

static const struct option mrp_longopts[] = {
	{ "role-arn", required_argument, NULL, 'r' },
	{ "principal", required_argument, NULL, 'r' },
	{ "namespace", required_argument, NULL, 'n' },
	{ "download", no_argument, NULL, 'd' },
	{ "upload", no_argument, NULL, 'u' },
	{ "create-grant", no_argument, NULL, 'c' },
	{ "delete-grant", no_argument, NULL, 'D' },
	{ "no-download", no_argument, NULL, OPT_NO_DOWNLOAD },
	{ "no-upload", no_argument, NULL, OPT_NO_UPLOAD },
	{ "no-create-grant", no_argument, NULL, OPT_NO_CREATE_GRANT },
	{ "no-delete-grant", no_argument, NULL, OPT_NO_DELETE_GRANT },
	{ "unique-id", required_argument, NULL, OPT_UNIQUE_ID },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "registry", required_argument, NULL, OPT_REGISTRY },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum right { R_DOWNLOAD, R_UPLOAD, R_CREATE_GRANT, R_DELETE_GRANT, R_N };

static const struct {
	const char *name;
	const char *set_opt;
	const char *clear_opt;
} rights[R_N] = {
	[R_DOWNLOAD] = { "download", "-d/--download", "--no-download" },
	[R_UPLOAD] = { "upload", "-u/--upload", "--no-upload" },
	[R_CREATE_GRANT] = { "create_grant", "-c/--create-grant",
	    "--no-create-grant" },
	[R_DELETE_GRANT] = { "delete_grant", "-D/--delete-grant",
	    "--no-delete-grant" },
};

struct mrp_opts {
	const char *principal_in; /* -r as typed */
	const char *ns_in;        /* -n as typed */
	bool set[R_N], clear[R_N];
	const char *unique_id; /* NULL when not given */
	bool force;
	const char *state_opt;
	const char *registry;
	const char *ca_file, *token_file, *profile, *region;
	char *token_arg;
	bool help;
	struct cli_pos pos;

	/* resolved */
	char state[CLI_PATH_MAX];
	char ns[NAME_BUFSZ]; /* lower case, or "*" */
	struct principal_grant pg;
};

/* The reason, then the short usage, on stderr; returns the exit code. */
/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

static void
rights_of(struct grant *g, bool *out[R_N])
{
	out[R_DOWNLOAD] = &g->download;
	out[R_UPLOAD] = &g->upload;
	out[R_CREATE_GRANT] = &g->create_grant;
	out[R_DELETE_GRANT] = &g->delete_grant;
}

static bool
any_right_flag(const struct mrp_opts *o)
{
	int i;

	for (i = 0; i < R_N; i++)
		if (o->set[i] || o->clear[i])
			return true;
	return false;
}

/* Namespace argument: "*" or a name, lower-cased into o->ns. */
static bool
resolve_ns(struct mrp_opts *o)
{
	size_t len = strlen(o->ns_in);

	if (strcmp(o->ns_in, "*") == 0) {
		(void)snprintf(o->ns, sizeof(o->ns), "*");
		return true;
	}
	if (!name_valid(o->ns_in, len))
		return false;
	name_lower(o->ns, sizeof(o->ns), o->ns_in, len);
	return true;
}

static int
resolve_principal(struct mrp_opts *o)
{
	const char *why = NULL;
	enum reg_err er;

	er = principal_from_grant_input(o->principal_in,
	    strlen(o->principal_in), &o->pg, &why);
	if (er != REG_OK) {
		cli_err("invalid principal '%s': %s: give an IAM role ARN "
		        "(arn:aws:iam::123456789012:role/Name), a user ARN, "
		        "token:NAME or a principal key "
		        "(aws:aws:123456789012:role:Name)",
		    o->principal_in, why != NULL ? why : reg_err_str(er));
		return CLI_EXIT_USAGE;
	}
	if (o->pg.warning[0] != '\0')
		cli_warn("%s", o->pg.warning);
	return CLI_EXIT_OK;
}

/* --unique-id: "" (clear, update only) or [A-Z0-9]{1,128}. */
static bool
unique_id_valid(const char *s)
{
	size_t i, n = strnlen(s, PRINCIPAL_UNIQUE_ID_MAX + 1);

	if (n > PRINCIPAL_UNIQUE_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* Audit one grant change; prints its own failure. */
static enum reg_err
audit_grant(struct store *st, const char *action, const struct mrp_opts *o,
    const struct grant *g)
{
	struct cli_out out;
	enum reg_err er;

	cli_out_init(&out);
	cli_out_s(&out, "\"namespace\":");
	cli_out_js(&out, o->ns);
	cli_out_f(&out,
	    ",\"permissions\":{\"download\":%s,\"upload\":%s,"
	    "\"create_grant\":%s,\"delete_grant\":%s}",
	    cli_jbool(g->download), cli_jbool(g->upload),
	    cli_jbool(g->create_grant), cli_jbool(g->delete_grant));
	if (g->unique_id[0] != '\0') {
		cli_out_s(&out, ",\"unique_id\":");
		cli_out_js(&out, g->unique_id);
	}
	er = out.er;
	if (er == REG_OK)
		er = cli_audit(st, action, o->pg.key, buf_cstr(&out.b));
	else
		cli_err("%s was done but its audit record was not written "
		        "(%s): check the state directory",
		    action, reg_err_str(er));
	cli_out_release(&out);
	return er;
}

/* Print one grant as the original tool did, plus our fields. */
static bool
print_grant(const struct mrp_opts *o, const struct grant *g)
{
	struct cli_out out;
	bool ok;

	cli_out_init(&out);
	cli_grant_json(&out, 0, o->ns, o->pg.display, o->pg.key, g);
	cli_out_s(&out, "\n");
	ok = cli_print(&out);
	cli_out_release(&out);
	return ok;
}

/*
 * After a change: the audit record is written first (so a closed stdout
 * cannot skip it), then the grant printed whatever the audit did.
 */
static int
done(enum reg_err audited, const struct mrp_opts *o, const struct grant *g)
{
	bool printed = print_grant(o, g);

	return audited == REG_OK && printed ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static void
grant_missing(const struct mrp_opts *o, const char *hint)
{
	cli_err("grant for %s on namespace %s does not exist; %s",
	    o->pg.display, o->ns, hint);
}

static void
store_failed(const struct mrp_opts *o, const char *what, enum reg_err er)
{
	cli_err("cannot %s the grant for %s on namespace %s (%s, see above): "
	        "check the state directory %s",
	    what, o->pg.display, o->ns, reg_err_str(er), o->state);
}

static int
cmd_create(struct store *st, struct mrp_opts *o)
{
	struct grant g, old;
	bool *r[R_N];
	bool existed = false;
	enum reg_err er;
	int i;

	memset(&g, 0, sizeof(g));
	rights_of(&g, r);
	for (i = 0; i < R_N; i++)
		*r[i] = o->set[i];
	g.created_at = g.updated_at = cli_now();
	(void)snprintf(g.created_by, sizeof(g.created_by), "%s", cli_actor());
	if (o->unique_id != NULL)
		(void)snprintf(g.unique_id, sizeof(g.unique_id), "%s",
		    o->unique_id);

	if (o->force) {
		er = store_grant_get(st, o->ns, o->pg.key, &old);
		if (er != REG_OK && er != REG_ENOENT) {
			store_failed(o, "read", er);
			return CLI_EXIT_FAIL;
		}
		existed = er == REG_OK;
	}
	er = store_grant_put(st, o->ns, o->pg.key, &g,
	    o->force ? STORE_REPLACE : STORE_CREATE);
	if (er == REG_EEXIST) {
		cli_err("grant for %s on namespace %s exists; use update, or "
		        "create --force to replace it",
		    o->pg.display, o->ns);
		return CLI_EXIT_FAIL;
	}
	if (er != REG_OK) {
		store_failed(o, "create", er);
		return CLI_EXIT_FAIL;
	}
	/* Re-read: a replaced grant keeps its created_at/created_by. */
	if (store_grant_get(st, o->ns, o->pg.key, &old) == REG_OK)
		g = old;
	return done(audit_grant(st, existed ? "grant_replace" : "grant_create",
	                o, &g),
	    o, &g);
}

static int
cmd_update(struct store *st, struct mrp_opts *o)
{
	struct grant g, now;
	bool *r[R_N];
	enum reg_err er;
	int i;

	er = store_grant_get(st, o->ns, o->pg.key, &g);
	if (er == REG_ENOENT) {
		grant_missing(o, "create it with create");
		return CLI_EXIT_FAIL;
	}
	if (er != REG_OK) {
		store_failed(o, "read", er);
		return CLI_EXIT_FAIL;
	}
	rights_of(&g, r);
	for (i = 0; i < R_N; i++) {
		if (o->set[i])
			*r[i] = true;
		if (o->clear[i])
			*r[i] = false;
	}
	if (o->unique_id != NULL)
		(void)snprintf(g.unique_id, sizeof(g.unique_id), "%s",
		    o->unique_id);
	g.updated_at = cli_now();
	er = store_grant_put(st, o->ns, o->pg.key, &g, STORE_UPDATE);
	if (er == REG_ENOENT) {
		grant_missing(o, "create it with create");
		return CLI_EXIT_FAIL;
	}
	if (er != REG_OK) {
		store_failed(o, "update", er);
		return CLI_EXIT_FAIL;
	}
	if (store_grant_get(st, o->ns, o->pg.key, &now) == REG_OK)
		g = now;
	return done(audit_grant(st, "grant_update", o, &g), o, &g);
}

static int
cmd_delete(struct store *st, struct mrp_opts *o)
{
	struct grant g;
	enum reg_err er;

	er = store_grant_get(st, o->ns, o->pg.key, &g);
	if (er == REG_OK)
		er = store_grant_delete(st, o->ns, o->pg.key);
	if (er == REG_ENOENT) {
		grant_missing(o,
		    "nothing was deleted (list shows the existing grants)");
		return CLI_EXIT_FAIL;
	}
	if (er != REG_OK) {
		store_failed(o, "delete", er);
		return CLI_EXIT_FAIL;
	}
	return done(audit_grant(st, "grant_delete", o, &g), o, &g);
}

static int
cmd_show(struct store *st, struct mrp_opts *o)
{
	struct grant g;
	enum reg_err er;

	er = store_grant_get(st, o->ns, o->pg.key, &g);
	if (er == REG_ENOENT) {
		grant_missing(o,
		    "create it with create (list shows the "
		    "existing grants)");
		return CLI_EXIT_FAIL;
	}
	if (er != REG_OK) {
		store_failed(o, "read", er);
		return CLI_EXIT_FAIL;
	}
	return print_grant(o, &g) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

struct list_arg {
	struct cli_out *out;
	size_t n;
};

static bool
list_cb(const struct grant_entry *e, void *argp)
{
	struct list_arg *a = argp;
	char display[PRINCIPAL_BUFSZ];

	/* A key of a kind this build does not know is shown as is. */
	if (principal_display(e->principal, strlen(e->principal), display) !=
	    REG_OK)
		(void)snprintf(display, sizeof(display), "%s", e->principal);
	cli_out_s(a->out, a->n > 0 ? ",\n  " : "\n  ");
	cli_grant_json(a->out, 2, e->ns, display, e->principal, &e->g);
	a->n++;
	return a->out->er == REG_OK;
}

static int
cmd_list(struct store *st, struct mrp_opts *o)
{
	struct list_arg a;
	struct cli_out out;
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	cli_out_init(&out);
	a.out = &out;
	a.n = 0;
	cli_out_s(&out, "[");
	er = store_grants_each(st, o->ns_in != NULL ? o->ns : NULL,
	    o->principal_in != NULL ? o->pg.key : NULL, list_cb, &a);
	if (er != REG_OK && out.er == REG_OK) {
		cli_err("cannot list grants (%s, see above): check the state "
		        "directory %s",
		    reg_err_str(er), o->state);
		goto out;
	}
	cli_out_s(&out, a.n > 0 ? "\n]\n" : "]\n");
	if (cli_print(&out))
		rc = CLI_EXIT_OK;
out:
	cli_out_release(&out);
	return rc;
}

static int
parse(int argc, char *argv[], struct mrp_opts *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "hr:n:ducD", mrp_longopts, &o->pos);
		if (c == -1)
			break;
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'r':
			o->principal_in = optarg;
			break;
		case 'n':
			o->ns_in = optarg;
			break;
		case 'd':
			o->set[R_DOWNLOAD] = true;
			break;
		case 'u':
			o->set[R_UPLOAD] = true;
			break;
		case 'c':
			o->set[R_CREATE_GRANT] = true;
			break;
		case 'D':
			o->set[R_DELETE_GRANT] = true;
			break;
		case OPT_NO_DOWNLOAD:
			o->clear[R_DOWNLOAD] = true;
			break;
		case OPT_NO_UPLOAD:
			o->clear[R_UPLOAD] = true;
			break;
		case OPT_NO_CREATE_GRANT:
			o->clear[R_CREATE_GRANT] = true;
			break;
		case OPT_NO_DELETE_GRANT:
			o->clear[R_DELETE_GRANT] = true;
			break;
		case OPT_UNIQUE_ID:
			o->unique_id = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_STATE:
			o->state_opt = optarg;
			break;
		case OPT_REGISTRY:
			o->registry = optarg;
			break;
		case OPT_CA_FILE:
			o->ca_file = optarg;
			break;
		case OPT_TOKEN:
			o->token_arg = optarg;
			break;
		case OPT_TOKEN_FILE:
			o->token_file = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	return CLI_EXIT_OK;
}

/* Which options the subcommand allows, and how they combine. */
static int
check_options(const struct mrp_opts *o, const char *sub)
{
	bool is_create = strcmp(sub, "create") == 0;
	bool is_update = strcmp(sub, "update") == 0;
	bool changes = is_create || is_update;
	int i;

	for (i = 0; i < R_N; i++)
		if (o->set[i] && o->clear[i])
			return usage_error("%s and %s contradict each other: "
			                   "give one of them",
			    rights[i].set_opt, rights[i].clear_opt);
	if (any_right_flag(o) && !changes)
		return usage_error("the right options (-d, -u, -c, -D, "
		                   "--no-...) apply to create and update "
		                   "only, not %s",
		    sub);
	if (o->force && !is_create)
		return usage_error("--force applies to create only");
	if (o->unique_id != NULL && !changes)
		return usage_error("--unique-id applies to create and update "
		                   "only");
	if (o->unique_id != NULL &&
	    (!unique_id_valid(o->unique_id) ||
	        (o->unique_id[0] == '\0' && !is_update)))
		return usage_error("invalid --unique-id '%s': give the IAM "
		                   "unique id (upper-case letters and "
		                   "digits, e.g. AROAEXAMPLEID1234567), or "
		                   "'' with update to remove the pin",
		    o->unique_id);
	if (is_update && !any_right_flag(o) && o->unique_id == NULL)
		return usage_error("update needs at least one of -d, -u, -c, "
		                   "-D, --no-download, --no-upload, "
		                   "--no-create-grant, --no-delete-grant, "
		                   "--unique-id");
	return CLI_EXIT_OK;
}

/* -r and -n: present where needed, valid, canonical. */
static int
check_targets(struct mrp_opts *o, const char *sub)
{
	bool is_list = strcmp(sub, "list") == 0;
	int rc;

	if (!is_list && o->principal_in == NULL)
		return usage_error("%s needs -r PRINCIPAL", sub);
	if (!is_list && o->ns_in == NULL)
		return usage_error("%s needs -n NAMESPACE", sub);
	if (o->ns_in != NULL && !resolve_ns(o))
		return usage_error("invalid namespace '%s': use '*' or 1 to 64 "
		                   "letters, digits, '-' or '_', starting and "
		                   "ending with a letter or digit",
		    o->ns_in);
	if (o->principal_in != NULL) {
		rc = resolve_principal(o);
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	if (o->unique_id != NULL && o->unique_id[0] != '\0' &&
	    strncmp(o->pg.key, "aws:", 4) != 0)
		return usage_error("--unique-id applies to IAM principals, not "
		                   "%s",
		    o->pg.key);
	return CLI_EXIT_OK;
}

/* Every check of the command line that needs no state. */
static int
check_args(struct mrp_opts *o, const char *sub)
{
	static const char *const subs[] = { "create", "update", "delete",
		"show", "list" };
	size_t i;
	int rc;

	for (i = 0; i < nitems(subs); i++)
		if (strcmp(sub, subs[i]) == 0)
			break;
	if (i == nitems(subs))
		return usage_error("unknown subcommand '%s': use create, "
		                   "update, delete, show or list",
		    sub);
	rc = check_options(o, sub);
	if (rc == CLI_EXIT_OK)
		rc = check_targets(o, sub);
	return rc;
}

/* ---- remote mode ---- */

/* Local or remote: the options of the other mode are mistakes. */
static int
check_mode(const struct mrp_opts *o, const char *sub)
{
	bool remote_opts = o->ca_file != NULL || o->token_arg != NULL ||
	    o->token_file != NULL || o->profile != NULL || o->region != NULL;

	if (o->registry == NULL && remote_opts)
		return usage_error(
		    "--ca-file, --token, --token-file, --profile "
		    "and --region apply to the remote mode: add "
		    "--registry HOST");
	if (o->registry != NULL && o->state_opt != NULL)
		return usage_error(
		    "give --state DIR (local) or --registry HOST "
		    "(remote), not both");
	if (o->token_arg != NULL && o->token_file != NULL)
		return usage_error("give --token or --token-file, not both");
	if (o->registry != NULL && strcmp(sub, "list") == 0 && o->ns_in == NULL)
		return usage_error("remote list needs -n NAMESPACE: the grant "
		                   "API lists one namespace at a time");
	return CLI_EXIT_OK;
}

struct remote {
	struct mrp_opts *o;
	const char *sub;
	char host[CLIENT_HOST_BUFSZ];
	struct client_tls tls;
	struct client_token tok;
	struct client_http h;
	struct fetch_resp resp;
};

/* A grant document of the answer, printed as the local mode prints it. */
static int
remote_print_grant(struct remote *r)
{
	struct client_grant *g;
	struct cli_out out;
	bool ok = false;

	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	if (client_grant_parse(r->resp.body.p != NULL ? r->resp.body.p : "",
	        r->resp.body.len, g) != REG_OK) {
		cli_err("%s answered %s with something that is not a grant "
		        "(HTTP %ld): check that --registry names the registry",
		    r->host, r->sub, r->resp.status);
		free(g);
		return CLI_EXIT_FAIL;
	}
	cli_out_init(&out);
	cli_grant_json(&out, 0, g->ns, g->role, g->principal, &g->g);
	cli_out_s(&out, "\n");
	ok = cli_print(&out);
	cli_out_release(&out);
	free(g);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int
remote_print_list(struct remote *r)
{
	struct client_grant *a = NULL;
	struct cli_out out;
	size_t n = 0, i, shown = 0;
	bool ok;

	if (client_grants_parse(r->resp.body.p != NULL ? r->resp.body.p : "",
	        r->resp.body.len, &a, &n) != REG_OK) {
		cli_err("%s answered list with something that is not a grant "
		        "list (HTTP %ld): check that --registry names the "
		        "registry",
		    r->host, r->resp.status);
		return CLI_EXIT_FAIL;
	}
	cli_out_init(&out);
	cli_out_s(&out, "[");
	for (i = 0; i < n; i++) {
		if (r->o->principal_in != NULL &&
		    strcmp(a[i].principal, r->o->pg.key) != 0)
			continue;
		cli_out_s(&out, shown > 0 ? ",\n  " : "\n  ");
		cli_grant_json(&out, 2, a[i].ns, a[i].role, a[i].principal,
		    &a[i].g);
		shown++;
	}
	cli_out_s(&out, shown > 0 ? "\n]\n" : "]\n");
	ok = cli_print(&out);
	cli_out_release(&out);
	free(a);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* A refusal: the registry's reason and what to do. */
static int
remote_refused(struct remote *r)
{
	const struct mrp_opts *o = r->o;
	char msg[CLIENT_ERR_MAX];
	const char *hint;

	client_resp_error(&r->resp, msg, sizeof(msg));
	switch (r->resp.status) {
	case 409:
		cli_err("grant for %s on namespace %s exists; use update, or "
		        "create --force to replace it",
		    o->pg.display, o->ns);
		return CLI_EXIT_FAIL;
	case 404:
		if (o->principal_in != NULL && strcmp(r->sub, "list") != 0) {
			grant_missing(o,
			    strcmp(r->sub, "delete") == 0
			        ? "nothing was deleted (list shows the "
			          "existing grants)"
			        : "create it with create");
			return CLI_EXIT_FAIL;
		}
		hint = "check --registry";
		break;
	case 401:
		hint = "the token was refused: check --token or the AWS "
		       "credentials";
		break;
	case 403:
		hint =
		    "ask for the create_grant (to grant) or delete_grant (to "
		    "revoke) right on the namespace, and only grant rights "
		    "you hold";
		break;
	default:
		hint = "fix what the registry says and try again";
		break;
	}
	cli_err("%s refused %s (HTTP %ld): %s: %s", r->host, r->sub,
	    r->resp.status, msg, hint);
	return CLI_EXIT_FAIL;
}

/* The PUT body of create and update. */
static int
remote_body(const struct mrp_opts *o, const char *sub, struct buf *b)
{
	int want[R_N], i;
	const char *mode;

	for (i = 0; i < R_N; i++) {
		if (strcmp(sub, "create") == 0)
			want[i] = o->set[i] ? 1 : 0;
		else
			want[i] = o->set[i] ? 1 : o->clear[i] ? 0 : -1;
	}
	mode = strcmp(sub, "update") == 0 ? "update"
	    : o->force                    ? "replace"
	                                  : "create";
	if (client_grant_body(want, o->unique_id, mode, b) != REG_OK) {
		cli_err("cannot build the request: try again");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int
remote_call(struct remote *r)
{
	const struct mrp_opts *o = r->o;
	const char *sub = r->sub, *method = "GET";
	char path[512], err[CLIENT_ERR_MAX] = "";
	struct buf body;
	enum reg_err er;
	int rc = CLI_EXIT_OK;

	buf_init(&body, 4096);
	if (o->principal_in != NULL && strcmp(sub, "list") != 0)
		(void)snprintf(path, sizeof(path), "/v1/grants/%s/%s", o->ns,
		    o->pg.key);
	else
		(void)snprintf(path, sizeof(path), "/v1/grants/%s", o->ns);
	if (strcmp(sub, "create") == 0 || strcmp(sub, "update") == 0) {
		method = "PUT";
		rc = remote_body(o, sub, &body);
	} else if (strcmp(sub, "delete") == 0) {
		method = "DELETE";
	}
	if (rc == CLI_EXIT_OK) {
		er = client_request(&r->h, method, path,
		    body.len > 0 ? "application/json" : NULL, body.p, body.len,
		    -1, 0, &r->resp, err, sizeof(err));
		if (er != REG_OK) {
			cli_err("%s", err);
			rc = CLI_EXIT_FAIL;
		}
	}
	buf_release(&body);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (r->resp.status != 200 && r->resp.status != 201)
		return remote_refused(r);
	return strcmp(sub, "list") == 0 ? remote_print_list(r)
	                                : remote_print_grant(r);
}

static int
remote(struct mrp_opts *o, const char *sub)
{
	struct client_login l;
	struct remote *r;
	char err[CLIENT_ERR_MAX] = "";
	const char *why = NULL;
	int rc = CLI_EXIT_FAIL;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	r->o = o;
	r->sub = sub;
	client_token_init(&r->tok);
	fetch_resp_init(&r->resp);
	if (client_host_canon(o->registry, strlen(o->registry), r->host,
	        &why) != REG_OK) {
		rc = usage_error("invalid --registry '%s': %s", o->registry,
		    why);
		goto out;
	}
	fetch_global_init();
	if (client_tls_init(&r->tls, o->ca_file, getenv("SSL_CERT_FILE"),
	        getenv("SSL_CERT_DIR"), err, sizeof(err)) != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	memset(&l, 0, sizeof(l));
	l.host = r->host;
	l.ca_file = client_tls_ca(&r->tls);
	l.token_arg = o->token_arg;
	l.token_file = o->token_file;
	l.profile = o->profile;
	l.region = o->region;
	if (client_bearer(&l, &r->tok, err, sizeof(err)) != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	r->h.host = r->host;
	r->h.ca_file = client_tls_ca(&r->tls);
	r->h.bearer = r->tok.token;
	rc = remote_call(r);
out:
	fetch_resp_release(&r->resp);
	client_token_release(&r->tok);
	client_tls_release(&r->tls);
	free(r);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct mrp_opts *o = NULL;
	struct store *st = NULL;
	const char *sub;
	int rc;

	if (!cli_init("manage-registry-permissions"))
		return CLI_EXIT_FAIL;
	/* struct principal_grant is large: keep it off the stack. */
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		cli_err("out of memory: try again");
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	rc = parse(argc, argv, o);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->help) {
		(void)fputs(usage_full, stdout);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	if (o->pos.overflow || o->pos.n > 1) {
		rc = usage_error("give exactly one subcommand (create, update, "
		                 "delete, show or list)");
		goto out;
	}
	if (o->pos.n == 0) {
		rc = usage_error("no subcommand given: use create, update, "
		                 "delete, show or list");
		goto out;
	}
	sub = o->pos.v[0];
	rc = check_args(o, sub);
	if (rc == CLI_EXIT_OK)
		rc = check_mode(o, sub);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->registry != NULL) {
		rc = remote(o, sub);
		goto out;
	}
	if (cli_state_dir(o->state_opt, o->state, sizeof(o->state)) != REG_OK) {
		rc = usage_error(
		    "--state: give a non-empty directory path of at most "
		    "4095 bytes");
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_store_open(o->state, &st) != REG_OK)
		goto out;
	if (strcmp(sub, "create") == 0)
		rc = cmd_create(st, o);
	else if (strcmp(sub, "update") == 0)
		rc = cmd_update(st, o);
	else if (strcmp(sub, "delete") == 0)
		rc = cmd_delete(st, o);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_show(st, o);
	else
		rc = cmd_list(st, o);
out:
	store_close(st);
	free(o);
	return rc;
}
