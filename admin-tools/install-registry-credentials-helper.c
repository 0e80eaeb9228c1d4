/*
 * admin-tools/install-registry-credentials-helper.c: install
 * terraform-credentials-iam where Terraform looks for credentials helpers
 * and point the CLI configuration at it.
 *
 *   install-registry-credentials-helper --registry-host HOST
 *       [--plugin-directory DIR] [--rc-file FILE] [--ca-file FILE] ...
 *
 * The original tool's surface (spec/original-registry.md 6.3) with its
 * bugs fixed: the helper is a binary (no python3 needed), the registry
 * host is written into the block so the helper answers only for it, the
 * block is added or replaced in place rather than appended again on every
 * run, and the rest of the file is kept byte for byte.  Both files are
 * written to a temporary file and renamed into place.  Exit status: 0
 * installed (or already up to date), 1 failed, 2 usage.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "admin-tools/client_rc.h"
#include "common/num.h"

#define INST_HELPER_NAME "terraform-credentials-iam"
#define INST_HOSTS_MAX 16
#define INST_BIN_MAX ((off_t)64 << 20)

static const char usage_short[] =
    "usage: install-registry-credentials-helper --registry-host HOST "
    "[...]\n"
    "           [--plugin-directory DIR] [--rc-file FILE] [--ca-file "
    "FILE]\n"
    "           [--token-host HOST] [--profile NAME] [--region REGION]\n"
    "           [--expiration-window SECONDS] [--helper-binary PATH] "
    "[--force] [-n]\n"
    "try 'install-registry-credentials-helper --help' for more "
    "information\n";

static const char usage_full[] =
    "usage: install-registry-credentials-helper --registry-host HOST "
    "[...]\n"
    "           [--plugin-directory DIR] [--rc-file FILE] [--ca-file "
    "FILE]\n"
    "           [--token-host HOST] [--profile NAME] [--region REGION]\n"
    "           [--expiration-window SECONDS] [--helper-binary PATH] "
    "[--force] [-n]\n"
    "\n"
    "Copy terraform-credentials-iam into Terraform's plugin directory and "
    "add (or\n"
    "update) its credentials_helper \"iam\" block in the CLI "
    "configuration, so\n"
    "that terraform init signs in to the registry with the caller's AWS "
    "identity.\n"
    "\n"
    "options:\n"
    "  --registry-host HOST     the registry host[:port] the helper "
    "answers for\n"
    "                           (repeatable; required)\n"
    "  --plugin-directory DIR   where to install the helper (default:\n"
    "                           $HOME/.terraform.d/plugins, where "
    "Terraform looks)\n"
    "  --rc-file FILE           the CLI configuration to edit (default: "
    "$HOME/.terraformrc)\n"
    "  --ca-file FILE           the registry's CA, recorded for the "
    "helper\n"
    "  --token-host HOST        where the token endpoint is, recorded for "
    "the helper\n"
    "  --profile NAME           AWS profile, recorded for the helper\n"
    "  --region REGION          AWS region, recorded for the helper\n"
    "  -T, --expiration-window SECONDS\n"
    "                           token lifetime the helper asks for "
    "(default: the\n"
    "                           registry's)\n"
    "  --helper-binary PATH     the helper to install (default: "
    "terraform-credentials-iam\n"
    "                           next to this program)\n"
    "  --force                  replace another credentials_helper block "
    "(Terraform\n"
    "                           allows only one)\n"
    "  -n, --dry-run            print what would be done; change nothing\n"
    "  --service NAME           accepted and ignored (API Gateway is gone)\n"
    "  -h, --help               print this help and exit\n"
    "\n"
    "exit status: 0 ok, 1 failed (the message says what to do), 2 "
    "usage.\n";

enum {
	OPT_REGISTRY_HOST = 256,
	OPT_PLUGIN_DIR,
	OPT_RC_FILE,
	OPT_CA_FILE,
	OPT_TOKEN_HOST,
	OPT_PROFILE,
	OPT_REGION,
	OPT_HELPER,
	OPT_FORCE,
	OPT_SERVICE,
};

static const struct option i_longopts[] = {
	{ "registry-host", required_argument, NULL, OPT_REGISTRY_HOST },
	{ "plugin-directory", required_argument, NULL, OPT_PLUGIN_DIR },
	{ "rc-file", required_argument, NULL, OPT_RC_FILE },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "token-host", required_argument, NULL, OPT_TOKEN_HOST },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "expiration-window", required_argument, NULL, 'T' },
	{ "time", required_argument, NULL, 'T' },
	{ "helper-binary", required_argument, NULL, OPT_HELPER },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct inst {
	const char *hosts_in[INST_HOSTS_MAX];
	size_t nhosts;
	bool too_many;
	const char *plugin_dir_in, *rc_in, *ca_in, *token_host_in, *profile;
	const char *region, *window, *helper_in, *service;
	bool force, dry_run, help;
	struct cli_pos pos;

	/* resolved */
	char hosts[INST_HOSTS_MAX][CLIENT_HOST_BUFSZ];
	char token_host[CLIENT_HOST_BUFSZ];
	char ca[PATH_MAX];
	char helper[PATH_MAX];
	char plugin_dir[CLIENT_PATH_MAX];
	char dest[CLIENT_PATH_MAX];
	char rc[CLIENT_PATH_MAX];
	struct buf block;
};

/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

static int
parse(int argc, char *argv[], struct inst *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "hnT:", i_longopts, &o->pos);
		switch (c) {
		case -1:
			return CLI_EXIT_OK;
		case 'h':
			o->help = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'T':
			o->window = optarg;
			break;
		case OPT_REGISTRY_HOST:
			if (o->nhosts < INST_HOSTS_MAX)
				o->hosts_in[o->nhosts++] = optarg;
			else
				o->too_many = true;
			break;
		case OPT_PLUGIN_DIR:
			o->plugin_dir_in = optarg;
			break;
		case OPT_RC_FILE:
			o->rc_in = optarg;
			break;
		case OPT_CA_FILE:
			o->ca_in = optarg;
			break;
		case OPT_TOKEN_HOST:
			o->token_host_in = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		case OPT_HELPER:
			o->helper_in = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_SERVICE:
			o->service = optarg;
			break;
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
}

/* Hosts, lifetime and the recorded options. */
static int
check_values(struct inst *o)
{
	const char *why = NULL;
	uint64_t secs;
	size_t i;

	if (o->pos.n > 0)
		return usage_error("unexpected argument '%s'", o->pos.v[0]);
	if (o->nhosts == 0 || o->too_many)
		return usage_error("give --registry-host HOST (1 to %d times): "
		                   "the registry the helper signs in to",
		    INST_HOSTS_MAX);
	for (i = 0; i < o->nhosts; i++)
		if (client_host_canon(o->hosts_in[i], strlen(o->hosts_in[i]),
		        o->hosts[i], &why) != REG_OK)
			return usage_error("invalid --registry-host '%s': %s",
			    o->hosts_in[i], why);
	if (o->token_host_in != NULL &&
	    client_host_canon(o->token_host_in, strlen(o->token_host_in),
	        o->token_host, &why) != REG_OK)
		return usage_error("invalid --token-host '%s': %s",
		    o->token_host_in, why);
	if (o->window != NULL &&
	    num_parse_u64(o->window, strlen(o->window), 1, 43200, &secs) !=
	        REG_OK)
		return usage_error("invalid --expiration-window '%s': seconds, "
		                   "1 to 43200",
		    o->window);
	if (o->service != NULL)
		client_note("note: --service %s is ignored: the registry "
		            "issues tokens itself (no API Gateway or Lambda)",
		    o->service);
	return CLI_EXIT_OK;
}

/* Paths: the helper binary, the CA (absolute), plugin dir, rc file. */
static int
check_paths(struct inst *o)
{
	const char *home = getenv("HOME");
	char self[CLIENT_PATH_MAX];
	struct stat st;
	int n;

	if (o->ca_in != NULL && realpath(o->ca_in, o->ca) == NULL)
		return usage_error("cannot use --ca-file %s: %s", o->ca_in,
		    strerror(errno));
	if (o->helper_in != NULL) {
		n = snprintf(o->helper, sizeof(o->helper), "%s", o->helper_in);
	} else {
		if (client_self_dir(self, sizeof(self)) != REG_OK) {
			cli_err("cannot find this program's directory: give "
			        "--helper-binary PATH");
			return CLI_EXIT_FAIL;
		}
		n = snprintf(o->helper, sizeof(o->helper), "%s/%s", self,
		    INST_HELPER_NAME);
	}
	if (n < 0 || (size_t)n >= sizeof(o->helper) ||
	    stat(o->helper, &st) != 0 || !S_ISREG(st.st_mode) ||
	    access(o->helper, X_OK) != 0) {
		cli_err("no executable helper at %s: install "
		        "terraform-credentials-iam next to this program or "
		        "give --helper-binary PATH",
		    o->helper);
		return CLI_EXIT_FAIL;
	}
	if ((o->plugin_dir_in == NULL || o->rc_in == NULL) &&
	    (home == NULL || home[0] != '/'))
		return usage_error("HOME is not set: give --plugin-directory "
		                   "and --rc-file");
	n = o->plugin_dir_in != NULL
	    ? snprintf(o->plugin_dir, sizeof(o->plugin_dir), "%s",
	          o->plugin_dir_in)
	    : snprintf(o->plugin_dir, sizeof(o->plugin_dir),
	          "%s/.terraform.d/plugins", home);
	if (n < 0 || (size_t)n >= sizeof(o->plugin_dir) ||
	    snprintf(o->dest, sizeof(o->dest), "%s/%s", o->plugin_dir,
	        INST_HELPER_NAME) >= (int)sizeof(o->dest))
		return usage_error("plugin directory path too long");
	n = o->rc_in != NULL
	    ? snprintf(o->rc, sizeof(o->rc), "%s", o->rc_in)
	    : snprintf(o->rc, sizeof(o->rc), "%s/.terraformrc", home);
	if (n < 0 || (size_t)n >= sizeof(o->rc) - 16)
		return usage_error("rc file path too long");
	return CLI_EXIT_OK;
}

static enum reg_err
add_arg(struct buf *b, const char *opt, const char *val)
{
	enum reg_err er;

	er = buf_printf(b, "%s\"%s\", ", b->p[b->len - 1] == '[' ? "" : ", ",
	    opt);
	if (er == REG_OK)
		er = client_rc_quote(val, b);
	return er;
}

/* The credentials_helper block, args in a fixed order. */
static int
make_block(struct inst *o)
{
	enum reg_err er;
	size_t i;

	er = buf_adds(&o->block,
	    "credentials_helper \"" CLIENT_RC_HELPER "\" {\n  args = [");
	for (i = 0; er == REG_OK && i < o->nhosts; i++)
		er = add_arg(&o->block, "--registry-host", o->hosts[i]);
	if (er == REG_OK && o->ca[0] != '\0')
		er = add_arg(&o->block, "--ca-file", o->ca);
	if (er == REG_OK && o->token_host_in != NULL)
		er = add_arg(&o->block, "--token-host", o->token_host);
	if (er == REG_OK && o->profile != NULL)
		er = add_arg(&o->block, "--profile", o->profile);
	if (er == REG_OK && o->region != NULL)
		er = add_arg(&o->block, "--region", o->region);
	if (er == REG_OK && o->window != NULL)
		er = add_arg(&o->block, "--time", o->window);
	if (er == REG_OK)
		er = buf_adds(&o->block, "]\n}");
	if (er != REG_OK) {
		cli_err("cannot write the helper's arguments into HCL (%s): "
		        "paths and names must not contain control characters, "
		        "\"${\" or \"%%{\"",
		    reg_err_str(er));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* Write len bytes to a temporary file next to path, then rename. */
static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    const struct stat *owner)
{
	char tmp[CLIENT_PATH_MAX + 16];
	int fd;

	(void)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_err("cannot create a file next to %s: %s: check the "
		        "directory's permissions",
		    path, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0 ||
	    (owner != NULL && geteuid() == 0 &&
	        fchown(fd, owner->st_uid, owner->st_gid) != 0) ||
	    fsync(fd) != 0) {
		cli_err("cannot write %s: %s", tmp, strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return CLI_EXIT_FAIL;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		cli_err("cannot replace %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* Read a whole regular file of at most max bytes into b. */
static int
read_file(const char *path, struct buf *b, struct stat *st, bool *missing)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*missing = true;
		return CLI_EXIT_OK;
	}
	if (fd < 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		cli_err("cannot read %s: %s", path,
		    fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			(void)close(fd);
		return CLI_EXIT_FAIL;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (buf_add(b, chunk, (size_t)n) != REG_OK) {
			cli_err("%s is larger than 1 MiB: not a CLI "
			        "configuration",
			    path);
			(void)close(fd);
			return CLI_EXIT_FAIL;
		}
	}
	(void)close(fd);
	if (n < 0) {
		cli_err("cannot read %s: %s", path, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* mkdir -p, 0755 for what is created; -1 with errno. */
static int
mkdirs(const char *dir)
{
	char p[CLIENT_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		p[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int
install_helper(struct inst *o)
{
	char real_src[PATH_MAX], real_dst[PATH_MAX];
	struct buf bin;
	struct stat st;
	bool missing;
	int rc;

	if (realpath(o->helper, real_src) != NULL &&
	    realpath(o->dest, real_dst) != NULL &&
	    strcmp(real_src, real_dst) == 0)
		return CLI_EXIT_OK; /* installing onto itself */
	if (o->dry_run) {
		client_note("would install %s as %s", o->helper, o->dest);
		return CLI_EXIT_OK;
	}
	if (mkdirs(o->plugin_dir) != 0) {
		cli_err("cannot create the plugin directory %s: %s",
		    o->plugin_dir, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	buf_init(&bin, (size_t)INST_BIN_MAX);
	rc = read_file(o->helper, &bin, &st, &missing);
	if (rc == CLI_EXIT_OK && missing) {
		cli_err("%s disappeared", o->helper);
		rc = CLI_EXIT_FAIL;
	}
	if (rc == CLI_EXIT_OK)
		rc = write_atomic(o->dest, bin.p, bin.len, 0755, NULL);
	buf_release(&bin);
	if (rc == CLI_EXIT_OK &&
	    printf("Installed the Terraform credentials helper to %s\n",
	        o->dest) < 0)
		rc = CLI_EXIT_FAIL;
	return rc;
}

static int
update_rc(struct inst *o)
{
	char real[PATH_MAX];
	const char *path = o->rc, *why = NULL;
	struct client_rc_scan sc;
	struct buf old, out;
	struct stat st;
	bool missing;
	enum reg_err er;
	int rc;

	/* write through a symlink to the file it names */
	if (realpath(o->rc, real) != NULL)
		path = real;
	buf_init(&old, CLIENT_RC_MAX);
	buf_init(&out, CLIENT_RC_MAX + 65536);
	rc = read_file(path, &old, &st, &missing);
	if (rc != CLI_EXIT_OK)
		goto out;
	er = client_rc_edit(old.p != NULL ? old.p : "", old.len,
	    buf_cstr(&o->block), o->force, &out, &sc, &why);
	if (er == REG_EINVAL) {
		cli_err("cannot read %s line %zu: %s: fix the file, or give "
		        "another --rc-file",
		    path, sc.err_line, why);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (er != REG_OK) {
		cli_err("%s: %s", path, why != NULL ? why : reg_err_str(er));
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (!missing && out.len == old.len &&
	    (old.len == 0 ||
	        (old.p != NULL && out.p != NULL &&
	            memcmp(out.p, old.p, old.len) == 0))) {
		rc = printf("%s already has this credentials_helper block\n",
		         path) < 0
		    ? CLI_EXIT_FAIL
		    : CLI_EXIT_OK;
		goto out;
	}
	if (o->dry_run) {
		rc = printf("Would write to %s:\n%s\n", path,
		         buf_cstr(&o->block)) < 0
		    ? CLI_EXIT_FAIL
		    : CLI_EXIT_OK;
		goto out;
	}
	rc = write_atomic(path, out.p, out.len,
	    missing ? 0600 : (st.st_mode & 07777), missing ? NULL : &st);
	if (rc == CLI_EXIT_OK &&
	    printf("%s the following in %s:\n%s\n",
	        sc.n > 0 ? "Updated" : "Added", path, buf_cstr(&o->block)) < 0)
		rc = CLI_EXIT_FAIL;
out:
	buf_release(&old);
	buf_release(&out);
	return rc;
}

/* Things that would make Terraform not use what we installed. */
static void
warnings(const struct inst *o)
{
	const char *home = getenv("HOME"), *cfg = getenv("TF_CLI_CONFIG_FILE");
	char std[CLIENT_PATH_MAX];

	if (home != NULL && o->plugin_dir_in != NULL) {
		(void)snprintf(std, sizeof(std), "%s/.terraform.d/plugins",
		    home);
		if (strcmp(o->plugin_dir, std) != 0 &&
		    strncmp(o->plugin_dir, std, strlen(std)) != 0)
			cli_warn("Terraform looks for credentials helpers only "
			         "in %s and %s/<os>_<arch>",
			    std, std);
	}
	if (cfg != NULL && cfg[0] != '\0' && strcmp(cfg, o->rc) != 0)
		cli_warn("TF_CLI_CONFIG_FILE is set to %s: Terraform reads "
		         "that "
		         "file, not %s",
		    cfg, o->rc);
}

int
main(int argc, char *argv[])
{
	struct inst *o;
	int rc;

	if (!cli_init("install-registry-credentials-helper"))
		return CLI_EXIT_FAIL;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	buf_init(&o->block, (size_t)64 * 1024);
	rc = parse(argc, argv, o);
	if (rc == CLI_EXIT_OK && o->help) {
		(void)fputs(usage_full, stdout);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	if (rc == CLI_EXIT_OK)
		rc = check_values(o);
	if (rc == CLI_EXIT_OK)
		rc = check_paths(o);
	if (rc == CLI_EXIT_OK)
		rc = make_block(o);
	if (rc == CLI_EXIT_OK)
		rc = install_helper(o);
	if (rc == CLI_EXIT_OK)
		rc = update_rc(o);
	if (rc == CLI_EXIT_OK) {
		warnings(o);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
out:
	buf_release(&o->block);
	free(o);
	return rc;
}
