/*
 * admin-tools/terraform-credentials-iam.c: Terraform's credentials helper
 * (spec/terraform-protocols.md 3.4) for registries that sign in with AWS
 * IAM.
 *
 *   terraform-credentials-iam --registry-host HOST [...] [--ca-file FILE]
 *       [--token-host HOST] [--profile NAME] [--region REGION]
 *       [--time SECONDS] {get|store|forget} HOST
 *
 * Terraform runs it with the args of the credentials_helper block (written
 * by install-registry-credentials-helper) followed by the verb and a host
 * in comparison form.  Only the configured registry hosts are served: for
 * any other host `get` prints {} and exits 0 before anything else happens
 * (no file, no DNS, no connection), so no signed material ever goes to
 * another host.  For a served host `get` prints {"token":...} from the
 * cache (client_cache.h) while more than max(60 s, 10% of its lifetime)
 * remains, else exchanges the caller's AWS identity for a new token and
 * caches it; `store` caches the token given on stdin as is (terraform
 * login), `forget` removes it.  Failures exit 1 with the reason on stderr,
 * which Terraform shows in its log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "admin-tools/client_cache.h"
#include "common/cryptow.h"
#include "common/num.h"

#define HELPER_HOSTS_MAX 16
#define HELPER_STDIN_MAX 16384

static const char usage_short[] =
    "usage: terraform-credentials-iam --registry-host HOST [...] "
    "[--ca-file FILE]\n"
    "           [--token-host HOST] [--profile NAME] [--region REGION]\n"
    "           [--time SECONDS] {get|store|forget} HOST\n"
    "try 'terraform-credentials-iam --help' for more information\n";

static const char usage_full[] =
    "usage: terraform-credentials-iam --registry-host HOST [...] "
    "[--ca-file FILE]\n"
    "           [--token-host HOST] [--profile NAME] [--region REGION]\n"
    "           [--time SECONDS] {get|store|forget} HOST\n"
    "\n"
    "Terraform credentials helper: Terraform runs it as\n"
    "terraform-credentials-iam ARGS... get HOST and sends the token it "
    "prints.\n"
    "Install it with install-registry-credentials-helper.\n"
    "\n"
    "  get HOST     print {\"token\":\"...\"} for a configured registry "
    "host (cached\n"
    "               until shortly before it expires, then exchanged "
    "again with\n"
    "               the AWS identity), or {} for any other host\n"
    "  store HOST   cache the token given on stdin as {\"token\":\"...\"}\n"
    "  forget HOST  remove the cached token\n"
    "\n"
    "options:\n"
    "  --registry-host HOST  a registry host this helper serves "
    "(repeatable)\n"
    "  --ca-file FILE        trust this CA for the registry (default: "
    "SSL_CERT_FILE,\n"
    "                        SSL_CERT_DIR, the system store)\n"
    "  --token-host HOST     where the token endpoint is (default: the "
    "host asked for)\n"
    "  --profile NAME        AWS profile (default: AWS_PROFILE, default)\n"
    "  --region REGION       AWS region (default: AWS_REGION, the "
    "profile)\n"
    "  -T, --time SECONDS    token lifetime asked for (default: the "
    "registry's)\n"
    "  -h, --help            print this help and exit\n"
    "\n"
    "Tokens are cached in $XDG_CACHE_HOME/terraform-credentials-iam (or\n"
    "~/.cache/terraform-credentials-iam), one 0600 file per host.\n"
    "\n"
    "exit status: 0 ok (also {} for hosts not served), 1 failed, 2 "
    "usage.\n";

enum {
	OPT_REGISTRY_HOST = 256,
	OPT_CA_FILE,
	OPT_TOKEN_HOST,
	OPT_PROFILE,
	OPT_REGION,
};

static const struct option h_longopts[] = {
	{ "registry-host", required_argument, NULL, OPT_REGISTRY_HOST },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "token-host", required_argument, NULL, OPT_TOKEN_HOST },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "time", required_argument, NULL, 'T' },
	{ "expiration-window", required_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum h_verb { VERB_GET, VERB_STORE, VERB_FORGET };

struct helper {
	const char *hosts_in[HELPER_HOSTS_MAX];
	size_t nhosts;
	bool too_many;
	const char *ca_file, *token_host_in, *profile, *region, *time;
	bool help;
	struct cli_pos pos;

	/* resolved */
	enum h_verb verb;
	char host[CLIENT_HOST_BUFSZ]; /* the host asked about */
	bool served;
	int64_t seconds;
	char token_host[CLIENT_HOST_BUFSZ];
	char dir[CLIENT_PATH_MAX], path[CLIENT_PATH_MAX];
};

/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

static int
parse(int argc, char *argv[], struct helper *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "hT:", h_longopts, &o->pos);
		switch (c) {
		case -1:
			return CLI_EXIT_OK;
		case 'h':
			o->help = true;
			break;
		case 'T':
			o->time = optarg;
			break;
		case OPT_REGISTRY_HOST:
			if (o->nhosts < HELPER_HOSTS_MAX)
				o->hosts_in[o->nhosts++] = optarg;
			else
				o->too_many = true;
			break;
		case OPT_CA_FILE:
			o->ca_file = optarg;
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
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
}

/*
 * The verb, the host asked about, and whether we serve it.  Nothing here
 * touches the file system or the network.
 */
static int
check_args(struct helper *o)
{
	static const char *const verbs[] = { "get", "store", "forget" };
	char conf[CLIENT_HOST_BUFSZ];
	const char *why = NULL;
	uint64_t secs = 0;
	size_t i;

	if (o->pos.overflow || o->pos.n != 2)
		return usage_error("give the verb (get, store or forget) and "
		                   "the host, as Terraform does");
	for (i = 0; i < nitems(verbs); i++)
		if (strcmp(o->pos.v[0], verbs[i]) == 0)
			break;
	if (i == nitems(verbs))
		return usage_error(
		    "unknown verb '%s': use get, store or forget", o->pos.v[0]);
	o->verb = (enum h_verb)i;
	if (o->nhosts == 0 || o->too_many)
		return usage_error("give 1 to %d --registry-host options: the "
		                   "hosts this helper answers for",
		    HELPER_HOSTS_MAX);
	if (o->time != NULL &&
	    num_parse_u64(o->time, strlen(o->time), 1, 43200, &secs) != REG_OK)
		return usage_error("invalid --time '%s': seconds, 1 to 43200",
		    o->time);
	o->seconds = (int64_t)secs;
	/* A host Terraform would never send is simply not ours. */
	if (client_host_canon(o->pos.v[1], strlen(o->pos.v[1]), o->host,
	        NULL) != REG_OK)
		o->host[0] = '\0';
	for (i = 0; i < o->nhosts; i++) {
		if (client_host_canon(o->hosts_in[i], strlen(o->hosts_in[i]),
		        conf, &why) != REG_OK)
			return usage_error("invalid --registry-host '%s': %s",
			    o->hosts_in[i], why);
		if (o->host[0] != '\0' && strcmp(conf, o->host) == 0)
			o->served = true;
	}
	if (o->token_host_in != NULL &&
	    client_host_canon(o->token_host_in, strlen(o->token_host_in),
	        o->token_host, &why) != REG_OK)
		return usage_error("invalid --token-host '%s': %s",
		    o->token_host_in, why);
	return CLI_EXIT_OK;
}

static int
print_token(const char *token)
{
	if (printf("{\"token\":\"%s\"}\n", token) < 0 || fflush(stdout) != 0) {
		cli_err("cannot write to standard output");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* The cache directory and this host's entry; false: no caching. */
static bool
cache_init(struct helper *o)
{
	char err[CLIENT_ERR_MAX] = "";

	if (client_cache_dir(getenv("XDG_CACHE_HOME"), getenv("HOME"), o->dir,
	        sizeof(o->dir)) != REG_OK) {
		cli_warn("no cache directory (HOME and XDG_CACHE_HOME unset): "
		         "every run exchanges a new token");
		return false;
	}
	if (client_cache_prepare(o->dir, err, sizeof(err)) != REG_OK) {
		cli_warn("%s; not caching", err);
		return false;
	}
	if (client_cache_path(o->dir, o->host, o->path, sizeof(o->path)) !=
	    REG_OK) {
		cli_warn("cache path too long; not caching");
		return false;
	}
	return true;
}

static int
cmd_get(struct helper *o)
{
	struct client_token tok;
	struct client_tls tls;
	struct client_http th;
	struct client_iam ci;
	char err[CLIENT_ERR_MAX] = "";
	const char *why = NULL;
	int64_t obtained = 0, now = client_now();
	bool cache = cache_init(o);
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	client_token_init(&tok);
	memset(&tls, 0, sizeof(tls));
	if (cache) {
		er = client_cache_load(o->path, o->host, &tok, &obtained, &why);
		if (er == REG_OK &&
		    client_cache_fresh(tok.expires_at, obtained, now)) {
			rc = print_token(tok.token);
			goto out;
		}
		if (er != REG_OK && er != REG_ENOENT)
			cli_warn("ignoring the cache entry %s (%s); it will be "
			         "replaced",
			    o->path, why != NULL ? why : reg_err_str(er));
		client_token_release(&tok);
	}
	er = client_tls_init(&tls, o->ca_file, getenv("SSL_CERT_FILE"),
	    getenv("SSL_CERT_DIR"), err, sizeof(err));
	if (er == REG_OK) {
		memset(&th, 0, sizeof(th));
		th.host = o->token_host[0] != '\0' ? o->token_host : o->host;
		th.ca_file = client_tls_ca(&tls);
		memset(&ci, 0, sizeof(ci));
		ci.audience = o->host;
		ci.token_host = &th;
		ci.profile = o->profile;
		ci.region = o->region;
		ci.expiration_seconds = o->seconds;
		ci.getenv = getenv;
		fetch_global_init();
		er = client_iam_token(&ci, now, &tok, err, sizeof(err));
	}
	if (er != REG_OK) {
		cli_err("%s", err);
		goto out;
	}
	if (cache &&
	    client_cache_save(o->dir, o->path, o->host, tok.token,
	        tok.expires_at, now) != REG_OK)
		cli_warn("cannot write the cache entry %s: %s", o->path,
		    strerror(errno));
	rc = print_token(tok.token);
out:
	client_token_release(&tok);
	client_tls_release(&tls);
	return rc;
}

/* stdin: {"token": "..."} as terraform login sends it. */
static int
cmd_store(struct helper *o)
{
	char *in;
	json_error_t jerr;
	json_t *doc = NULL, *t;
	size_t n = 0;
	ssize_t r;
	int rc = CLI_EXIT_FAIL;

	in = malloc(HELPER_STDIN_MAX);
	if (in == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	while (n < HELPER_STDIN_MAX &&
	    (r = read(STDIN_FILENO, in + n, HELPER_STDIN_MAX - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	doc = json_loadb(in, n, JSON_REJECT_DUPLICATES, &jerr);
	t = json_is_object(doc) ? json_object_get(doc, "token") : NULL;
	if (!json_is_string(t) ||
	    !client_token_valid(json_string_value(t), json_string_length(t)) ||
	    strlen(json_string_value(t)) != json_string_length(t)) {
		cli_err("store expects {\"token\":\"...\"} on standard input");
		goto out;
	}
	if (!cache_init(o)) {
		cli_err("cannot store the token for %s: no usable cache "
		        "directory",
		    o->host);
		goto out;
	}
	if (client_cache_save(o->dir, o->path, o->host, json_string_value(t), 0,
	        client_now()) != REG_OK) {
		cli_err("cannot write %s: %s", o->path, strerror(errno));
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	if (json_is_string(t))
		cryptow_wipe((void *)(uintptr_t)json_string_value(t),
		    json_string_length(t));
	json_decref(doc);
	cryptow_wipe(in, n);
	free(in);
	return rc;
}

static int
cmd_forget(struct helper *o)
{
	if (!cache_init(o))
		return CLI_EXIT_OK; /* nothing can be cached either */
	if (client_cache_forget(o->path) != REG_OK) {
		cli_err("cannot remove %s: %s", o->path, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* A host we do not serve: answer without touching anything. */
static int
not_served(const struct helper *o)
{
	switch (o->verb) {
	case VERB_GET:
		if (fputs("{}\n", stdout) < 0 || fflush(stdout) != 0)
			return CLI_EXIT_FAIL;
		return CLI_EXIT_OK;
	case VERB_STORE:
		cli_err("this helper only keeps credentials for the registry "
		        "hosts it was installed for, not %s: add a credentials "
		        "block for that host to the CLI configuration instead",
		    o->pos.v[1]);
		return CLI_EXIT_FAIL;
	case VERB_FORGET:
	default:
		return CLI_EXIT_OK;
	}
}

int
main(int argc, char *argv[])
{
	struct helper *o;
	int rc;

	if (!cli_init("terraform-credentials-iam"))
		return CLI_EXIT_FAIL;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_FAIL;
	}
	rc = parse(argc, argv, o);
	if (rc == CLI_EXIT_OK && o->help) {
		(void)fputs(usage_full, stdout);
		rc = cli_flush() ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		goto out;
	}
	if (rc == CLI_EXIT_OK)
		rc = check_args(o);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!o->served)
		rc = not_served(o);
	else if (o->verb == VERB_GET)
		rc = cmd_get(o);
	else if (o->verb == VERB_STORE)
		rc = cmd_store(o);
	else
		rc = cmd_forget(o);
out:
	free(o);
	return rc;
}
