/*
 * admin-tools/registry-publish.c: pack a module directory reproducibly
 * and publish it (PUT /v1/modules/:ns/:name/:system/:version).
 *
 *   registry-publish [--registry HOST] NAMESPACE/NAME/SYSTEM VERSION [DIR]
 *
 * The archive is a pure function of the tree (admin-tools/client_pack.h),
 * so publishing the same directory twice sends the same bytes: the
 * registry answers 200 the second time, and 409 when the bytes differ
 * under an existing version.  With -n/--dry-run nothing is sent and
 * nothing is needed but the directory.  stdout gets the digest the
 * registry recorded (or, for a dry run, the listing); every message goes
 * to stderr.  Exit status: 0 published (or already there), 1 failed, 2
 * usage.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "admin-tools/client_pack.h"
#include "common/name.h"
#include "common/num.h"
#include "common/semver.h"

static const char usage_short[] =
    "usage: registry-publish [-n] [--registry HOST] [--token TOKEN | "
    "--token-file FILE]\n"
    "           [--ca-file FILE] [--profile NAME] [--region REGION]\n"
    "           [--output FILE] NAMESPACE/NAME/SYSTEM VERSION [DIR]\n"
    "try 'registry-publish --help' for more information\n";

static const char usage_full[] =
    "usage: registry-publish [-n] [--registry HOST] [--token TOKEN | "
    "--token-file FILE]\n"
    "           [--ca-file FILE] [--profile NAME] [--region REGION]\n"
    "           [--output FILE] NAMESPACE/NAME/SYSTEM VERSION [DIR]\n"
    "\n"
    "Pack the module in DIR (default: the current directory) into a "
    "reproducible\n"
    ".tar.gz and publish it as VERSION.  Entries are sorted, times, "
    "owners and\n"
    "modes fixed, .terraformignore honoured, .git and .terraform left "
    "out, so the\n"
    "same tree always gives the same digest.  Versions are immutable: "
    "the same\n"
    "bytes again are accepted, different bytes are refused.\n"
    "\n"
    "options:\n"
    "  --registry HOST      registry host[:port] (default: "
    "$REGISTRY_HOST)\n"
    "  -n, --dry-run        print the files, size and digest; send "
    "nothing\n"
    "  --token TOKEN        registry or API token (default: "
    "$REGISTRY_TOKEN, else\n"
    "                       a token from the IAM exchange with the AWS "
    "credentials)\n"
    "  --token-file FILE    read the token from the first line of FILE\n"
    "  --ca-file FILE       trust this CA for the registry (default: "
    "SSL_CERT_FILE,\n"
    "                       SSL_CERT_DIR, the system store)\n"
    "  --profile NAME       AWS profile for the IAM exchange\n"
    "  --region REGION      AWS region for the IAM exchange\n"
    "  --output FILE        also write the archive to FILE\n"
    "  -h, --help           print this help and exit\n"
    "\n"
    "environment: SOURCE_DATE_EPOCH sets the time recorded for every "
    "entry\n"
    "(default 0).\n"
    "\n"
    "exit status: 0 published, 1 failed (the message says what to do), 2 "
    "usage.\n";

enum {
	OPT_REGISTRY = 256,
	OPT_TOKEN,
	OPT_TOKEN_FILE,
	OPT_CA_FILE,
	OPT_PROFILE,
	OPT_REGION,
	OPT_OUTPUT,
};

static const struct option rp_longopts[] = {
	{ "registry", required_argument, NULL, OPT_REGISTRY },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct rp {
	const char *registry, *ca_file, *token_file, *profile, *region;
	const char *output;
	char *token_arg;
	bool dry_run, help;
	struct cli_pos pos;

	/* resolved */
	char host[CLIENT_HOST_BUFSZ];
	char ns[NAME_BUFSZ], name[NAME_BUFSZ], sys[NAME_BUFSZ];
	const char *version, *dir;
	int64_t mtime;
	struct client_pack pack;
	int fd; /* the archive (unlinked temp file) */
	char digest[CRYPTOW_SHA256_HEXLEN + 1];
	uint64_t size;
};

/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

static int
parse(int argc, char *argv[], struct rp *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "hn", rp_longopts, &o->pos);
		if (c == -1)
			return CLI_EXIT_OK;
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case OPT_REGISTRY:
			o->registry = optarg;
			break;
		case OPT_TOKEN:
			o->token_arg = optarg;
			break;
		case OPT_TOKEN_FILE:
			o->token_file = optarg;
			break;
		case OPT_CA_FILE:
			o->ca_file = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		case OPT_OUTPUT:
			o->output = optarg;
			break;
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
}

/* NAMESPACE/NAME/SYSTEM */
static int
parse_address(struct rp *o, const char *a)
{
	const char *s1 = strchr(a, '/'),
	           *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
	size_t nl, ml, sl;

	if (s1 == NULL || s2 == NULL || strchr(s2 + 1, '/') != NULL)
		return usage_error("module address '%s' is not "
		                   "NAMESPACE/NAME/SYSTEM (e.g. acme/vpc/aws)",
		    a);
	nl = (size_t)(s1 - a);
	ml = (size_t)(s2 - s1 - 1);
	sl = strlen(s2 + 1);
	if (!name_valid(a, nl) || !name_valid(s1 + 1, ml))
		return usage_error("invalid namespace or name in '%s': use 1 "
		                   "to 64 letters, digits, '-' or '_', "
		                   "starting "
		                   "and ending with a letter or digit",
		    a);
	if (!system_valid(s2 + 1, sl))
		return usage_error("invalid system '%s': use 1 to 64 "
		                   "lower-case "
		                   "letters and digits (e.g. aws)",
		    s2 + 1);
	memcpy(o->ns, a, nl);
	o->ns[nl] = '\0';
	memcpy(o->name, s1 + 1, ml);
	o->name[ml] = '\0';
	memcpy(o->sys, s2 + 1, sl + 1);
	return CLI_EXIT_OK;
}

static int
check_args(struct rp *o)
{
	const char *why = NULL, *sde, *reg;
	struct semver sv;
	int rc;

	if (o->pos.overflow || o->pos.n < 2 || o->pos.n > 3)
		return usage_error("give NAMESPACE/NAME/SYSTEM, VERSION and "
		                   "optionally DIR");
	rc = parse_address(o, o->pos.v[0]);
	if (rc != CLI_EXIT_OK)
		return rc;
	o->version = o->pos.v[1];
	if (semver_parse(o->version, strlen(o->version), &sv, &why) != REG_OK)
		return usage_error("invalid version '%s': %s", o->version,
		    why != NULL ? why : "not SemVer 2.0 (e.g. 1.2.3)");
	o->dir = o->pos.n == 3 ? o->pos.v[2] : ".";
	if (o->token_arg != NULL && o->token_file != NULL)
		return usage_error("give --token or --token-file, not both");
	sde = getenv("SOURCE_DATE_EPOCH");
	if (sde != NULL && sde[0] != '\0' &&
	    num_parse_i64(sde, strlen(sde), 0, INT64_C(253402300799),
	        &o->mtime) != REG_OK)
		return usage_error("SOURCE_DATE_EPOCH='%s' is not a number of "
		                   "seconds since 1970: unset it or fix it",
		    sde);
	reg = o->registry != NULL ? o->registry : getenv(CLIENT_HOST_ENV);
	if ((reg == NULL || reg[0] == '\0') && !o->dry_run)
		return usage_error("no registry given: use --registry HOST or "
		                   "set REGISTRY_HOST");
	if (reg != NULL && reg[0] != '\0' &&
	    client_host_canon(reg, strlen(reg), o->host, &why) != REG_OK)
		return usage_error("invalid registry host '%s': %s", reg, why);
	return CLI_EXIT_OK;
}

/* --output: a copy of the archive, written atomically. */
static int
save_copy(const struct rp *o)
{
	char tmp[CLIENT_PATH_MAX + 16], chunk[65536];
	uint64_t off = 0;
	ssize_t n;
	int fd, rc = CLI_EXIT_FAIL;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", o->output) >=
	    (int)sizeof(tmp)) {
		cli_err("--output path is too long");
		return CLI_EXIT_FAIL;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_err("cannot create %s: %s: check the directory of --output",
		    tmp, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	while ((n = pread(o->fd, chunk, sizeof(chunk), (off_t)off)) > 0) {
		if (write(fd, chunk, (size_t)n) != n)
			break;
		off += (uint64_t)n;
	}
	if (off == o->size && fchmod(fd, 0644) == 0 && fsync(fd) == 0 &&
	    close(fd) == 0) {
		fd = -1;
		if (rename(tmp, o->output) == 0)
			rc = CLI_EXIT_OK;
	}
	if (fd >= 0)
		(void)close(fd);
	if (rc != CLI_EXIT_OK) {
		cli_err("cannot write %s: %s", o->output, strerror(errno));
		(void)unlink(tmp);
	}
	return rc;
}

/* Scan, pack into an unlinked temporary file, hash. */
static int
build(struct rp *o)
{
	char err[CLIENT_ERR_MAX] = "", path[CLIENT_PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	enum reg_err er;

	er = client_pack_scan(o->dir, &o->pack, err, sizeof(err));
	if (er != REG_OK) {
		cli_err("%s", err);
		return CLI_EXIT_FAIL;
	}
	(void)snprintf(path, sizeof(path), "%s/registry-publish-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	o->fd = mkstemp(path);
	if (o->fd < 0) {
		cli_err("cannot create a temporary file in %s (%s): set TMPDIR "
		        "to a writable directory",
		    tmp != NULL ? tmp : "/tmp", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	(void)unlink(path);
	er = client_pack_write(o->dir, &o->pack, o->mtime, o->fd, err,
	    sizeof(err));
	if (er == REG_OK)
		er = client_pack_digest(o->fd, o->digest, &o->size);
	if (er != REG_OK) {
		cli_err("%s", err[0] != '\0' ? err : reg_err_str(er));
		return CLI_EXIT_FAIL;
	}
	return o->output != NULL ? save_copy(o) : CLI_EXIT_OK;
}

static void
mode_str(const struct client_pack_entry *e, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = '-';
	if (e->type == ARCHW_PACK_DIR)
		out[0] = 'd';
	else if (e->type == ARCHW_PACK_SYMLINK)
		out[0] = 'l';
	for (i = 0; i < 9; i++) {
		out[i + 1] = '-';
		if ((e->mode & (0400u >> i)) != 0)
			out[i + 1] = rwx[i];
	}
	out[10] = '\0';
}

static int
dry_run(const struct rp *o)
{
	struct cli_out out;
	char m[11];
	size_t i;
	bool ok;

	cli_out_init(&out);
	for (i = 0; i < o->pack.n; i++) {
		const struct client_pack_entry *e = &o->pack.e[i];

		mode_str(e, m);
		cli_out_f(&out, "%s %10llu %s%s", m,
		    (unsigned long long)e->size, e->path,
		    e->type == ARCHW_PACK_DIR ? "/" : "");
		if (e->type == ARCHW_PACK_SYMLINK)
			cli_out_f(&out, " -> %s", e->target);
		cli_out_s(&out, "\n");
	}
	cli_out_f(&out,
	    "archive: %zu entries, %llu bytes of files, %llu "
	    "bytes compressed\n",
	    o->pack.n, (unsigned long long)o->pack.bytes,
	    (unsigned long long)o->size);
	cli_out_f(&out, "digest: sha256:%s\n", o->digest);
	ok = cli_print(&out);
	cli_out_release(&out);
	if (ok)
		client_note("dry run: %s/%s/%s %s was not sent%s%s%s", o->ns,
		    o->name, o->sys, o->version,
		    o->host[0] != '\0' ? " to " : "", o->host,
		    o->pack.ignored > 0 ? " (some entries were left out by "
		                          ".terraformignore, .git or "
		                          ".terraform)"
		                        : "");
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* The digest of a 200/201 answer, checked against ours. */
static int
published(const struct rp *o, const struct fetch_resp *resp)
{
	json_error_t jerr;
	json_t *doc;
	const char *d = NULL;
	char want[CRYPTOW_SHA256_HEXLEN + 8];
	int rc = CLI_EXIT_FAIL;

	(void)snprintf(want, sizeof(want), "sha256:%s", o->digest);
	doc = json_loadb(resp->body.p != NULL ? resp->body.p : "",
	    resp->body.len, 0, &jerr);
	if (json_is_object(doc) &&
	    json_is_string(json_object_get(doc, "digest")))
		d = json_string_value(json_object_get(doc, "digest"));
	if (d == NULL) {
		cli_err("the registry accepted %s/%s/%s %s (HTTP %ld) but did "
		        "not say which digest it recorded: check with GET "
		        "/v1/modules/%s/%s/%s/%s",
		    o->ns, o->name, o->sys, o->version, resp->status, o->ns,
		    o->name, o->sys, o->version);
	} else if (strcmp(d, want) != 0) {
		cli_err("the registry recorded %.80s for %s/%s/%s %s but this "
		        "archive is %s: something between here and the "
		        "registry changed the upload; check proxies",
		    d, o->ns, o->name, o->sys, o->version, want);
	} else {
		if (printf("%s\n", d) < 0 || fflush(stdout) != 0)
			cli_err("cannot write to standard output");
		else
			rc = CLI_EXIT_OK;
		client_note("%s %s/%s/%s %s on %s (%llu bytes)",
		    resp->status == 201 ? "published"
		                        : "already published with the same "
		                          "content:",
		    o->ns, o->name, o->sys, o->version, o->host,
		    (unsigned long long)o->size);
	}
	json_decref(doc);
	return rc;
}

static int
refused(const struct rp *o, const struct fetch_resp *resp)
{
	char msg[CLIENT_ERR_MAX];
	const char *hint;

	client_resp_error(resp, msg, sizeof(msg));
	switch (resp->status) {
	case 409:
		hint = "versions are immutable: publish a new version";
		break;
	case 401:
		hint = "the token was refused: check --token or the AWS "
		       "credentials";
		break;
	case 403:
		hint = "ask a registry administrator for the upload right on "
		       "the namespace";
		break;
	case 413:
		hint = "the archive is larger than the registry accepts: list "
		       "what is not part of the module in .terraformignore";
		break;
	default:
		hint = "fix what the registry says and publish again";
		break;
	}
	cli_err("the registry refused %s/%s/%s %s (HTTP %ld): %s: %s", o->ns,
	    o->name, o->sys, o->version, resp->status, msg, hint);
	return CLI_EXIT_FAIL;
}

static int
upload(struct rp *o)
{
	struct client_tls tls;
	struct client_token tok;
	struct client_login login;
	struct client_http h;
	struct fetch_resp resp;
	char err[CLIENT_ERR_MAX] = "", path[512];
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	client_token_init(&tok);
	fetch_resp_init(&resp);
	er = client_tls_init(&tls, o->ca_file, getenv("SSL_CERT_FILE"),
	    getenv("SSL_CERT_DIR"), err, sizeof(err));
	if (er != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	memset(&login, 0, sizeof(login));
	login.host = o->host;
	login.ca_file = client_tls_ca(&tls);
	login.token_arg = o->token_arg;
	login.token_file = o->token_file;
	login.profile = o->profile;
	login.region = o->region;
	er = client_bearer(&login, &tok, err, sizeof(err));
	if (er != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	(void)snprintf(path, sizeof(path), "/v1/modules/%s/%s/%s/%s", o->ns,
	    o->name, o->sys, o->version);
	memset(&h, 0, sizeof(h));
	h.host = o->host;
	h.ca_file = client_tls_ca(&tls);
	h.bearer = tok.token;
	h.timeout_ms = 600000;
	er = client_request(&h, "PUT", path, "application/gzip", NULL, 0, o->fd,
	    o->size, &resp, err, sizeof(err));
	if (er != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	if (resp.status == 200 || resp.status == 201)
		rc = published(o, &resp);
	else
		rc = refused(o, &resp);
out:
	fetch_resp_release(&resp);
	client_token_release(&tok);
	client_tls_release(&tls);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct rp *o;
	int rc;

	if (!cli_init("registry-publish"))
		return CLI_EXIT_FAIL;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		cli_err("out of memory: try again");
		return CLI_EXIT_FAIL;
	}
	o->fd = -1;
	client_pack_init(&o->pack);
	rc = parse(argc, argv, o);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->help) {
		(void)fputs(usage_full, stdout);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	rc = check_args(o);
	if (rc == CLI_EXIT_OK)
		rc = build(o);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (o->dry_run)
		rc = dry_run(o);
	else {
		fetch_global_init();
		rc = upload(o);
	}
out:
	if (o->fd >= 0)
		(void)close(o->fd);
	client_pack_release(&o->pack);
	free(o);
	return rc;
}
