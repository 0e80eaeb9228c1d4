/*
 * admin-tools/get-registry-token.c: a registry token from the caller's
 * AWS identity, printed for Terraform.
 *
 *   get-registry-token [-T SECONDS] [-r REGISTRY_HOST] [-t TOKEN_HOST]
 *                      {token,config,env}
 *
 * The original tool's surface (spec/original-registry.md 6.1), its bugs
 * fixed: `config` works, an error answer is an error (exit 1, nothing on
 * stdout) and never printed as a token, `env` names follow Terraform's
 * rule exactly (hosts with ports too; spec/terraform-protocols.md 3.2),
 * and the request is the IAM exchange (a presigned GetCallerIdentity with
 * the registry host as signed audience, POSTed to /v1/auth/token) rather
 * than an API Gateway call.  stdout holds only the requested output;
 * notes go to stderr.  Exit status: 0 ok, 1 failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "common/num.h"

static const char usage_short[] =
    "usage: get-registry-token [-T SECONDS] [-r REGISTRY_HOST] "
    "[-t TOKEN_HOST]\n"
    "           [--region REGION] [--profile NAME] [--ca-file FILE]\n"
    "           [--token TOKEN | --token-file FILE] {token,config,env}\n"
    "try 'get-registry-token --help' for more information\n";

static const char usage_full[] =
    "usage: get-registry-token [-T SECONDS] [-r REGISTRY_HOST] "
    "[-t TOKEN_HOST]\n"
    "           [--region REGION] [--profile NAME] [--ca-file FILE]\n"
    "           [--token TOKEN | --token-file FILE] {token,config,env}\n"
    "\n"
    "Exchange the caller's AWS identity for a registry token and print "
    "it:\n"
    "  token   the raw token\n"
    "  config  a credentials block for a Terraform CLI configuration "
    "file\n"
    "  env     TF_TOKEN_<host>=<token>, the variable Terraform reads\n"
    "\n"
    "options:\n"
    "  -r, --registry-host HOST  the registry host[:port], without "
    "https://\n"
    "                       (default: $REGISTRY_HOST)\n"
    "  -t, --token-host HOST     where the token endpoint is (default: "
    "the\n"
    "                       registry host)\n"
    "  -T, --time SECONDS   token lifetime asked for (default: the "
    "registry's)\n"
    "  --region REGION      AWS region to sign in (default: AWS_REGION, "
    "the profile)\n"
    "  --profile NAME       AWS profile (default: AWS_PROFILE, default)\n"
    "  --ca-file FILE       trust this CA for the registry (default: "
    "SSL_CERT_FILE,\n"
    "                       SSL_CERT_DIR, the system store)\n"
    "  --token TOKEN        skip the exchange: format this token "
    "(default:\n"
    "                       $REGISTRY_TOKEN when set)\n"
    "  --token-file FILE    the same, read from FILE\n"
    "  --service NAME       accepted and ignored (API Gateway is gone)\n"
    "  -h, --help           print this help and exit\n"
    "\n"
    "A host with a port gives a variable name with a ':' (e.g.\n"
    "TF_TOKEN_127_0_0_1:8443) that a shell cannot export; apply it with "
    "env:\n"
    "  env \"$(get-registry-token -r 127.0.0.1:8443 env)\" terraform "
    "init\n"
    "\n"
    "exit status: 0 ok, 1 failed (the message says what to do), 2 "
    "usage.\n";

enum {
	OPT_REGION = 256,
	OPT_PROFILE,
	OPT_CA_FILE,
	OPT_TOKEN,
	OPT_TOKEN_FILE,
	OPT_SERVICE,
};

static const struct option grt_longopts[] = {
	{ "time", required_argument, NULL, 'T' },
	{ "registry-host", required_argument, NULL, 'r' },
	{ "token-host", required_argument, NULL, 't' },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum grt_cmd { CMD_TOKEN, CMD_CONFIG, CMD_ENV };

struct grt {
	const char *time, *registry, *token_host_in, *region, *profile;
	const char *ca_file, *token_file, *service;
	char *token_arg;
	bool help;
	struct cli_pos pos;

	/* resolved */
	enum grt_cmd cmd;
	int64_t seconds;
	char host[CLIENT_HOST_BUFSZ];
	char token_host[CLIENT_HOST_BUFSZ];
};

/* one line naming the problem, then the short usage; exit status 2 */
#define usage_error(...) cli_usage_error(usage_short, __VA_ARGS__)

static int
parse(int argc, char *argv[], struct grt *o)
{
	int c;

	for (;;) {
		c = cli_getopt(argc, argv, "hT:r:t:", grt_longopts, &o->pos);
		switch (c) {
		case -1:
			return CLI_EXIT_OK;
		case 'h':
			o->help = true;
			break;
		case 'T':
			o->time = optarg;
			break;
		case 'r':
			o->registry = optarg;
			break;
		case 't':
			o->token_host_in = optarg;
			break;
		case OPT_REGION:
			o->region = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
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
		case OPT_SERVICE:
			o->service = optarg;
			break;
		default:
			(void)fputs(usage_short, stderr);
			return CLI_EXIT_USAGE;
		}
	}
}

static int
check_args(struct grt *o)
{
	static const char *const cmds[] = { "token", "config", "env" };
	const char *why = NULL, *reg, *th;
	uint64_t secs = 0;
	size_t i;

	if (o->pos.overflow || o->pos.n != 1)
		return usage_error("give exactly one of token, config or env");
	for (i = 0; i < nitems(cmds); i++)
		if (strcmp(o->pos.v[0], cmds[i]) == 0)
			break;
	if (i == nitems(cmds))
		return usage_error("unknown command '%s': use token, config or "
		                   "env",
		    o->pos.v[0]);
	o->cmd = (enum grt_cmd)i;
	if (o->time != NULL &&
	    num_parse_u64(o->time, strlen(o->time), 1, 43200, &secs) != REG_OK)
		return usage_error("invalid -T/--time '%s': give the lifetime "
		                   "in seconds, 1 to 43200 (the registry caps "
		                   "it further)",
		    o->time);
	o->seconds = (int64_t)secs;
	if (o->token_arg != NULL && o->token_file != NULL)
		return usage_error("give --token or --token-file, not both");
	reg = o->registry != NULL ? o->registry : getenv(CLIENT_HOST_ENV);
	if (reg == NULL || reg[0] == '\0')
		return usage_error("no registry host given: use "
		                   "-r/--registry-host HOST (e.g. "
		                   "registry.example.com or 127.0.0.1:8443)");
	if (client_host_canon(reg, strlen(reg), o->host, &why) != REG_OK)
		return usage_error("invalid registry host '%s': %s", reg, why);
	th = o->token_host_in != NULL ? o->token_host_in : o->host;
	if (client_host_canon(th, strlen(th), o->token_host, &why) != REG_OK)
		return usage_error("invalid token host '%s': %s", th, why);
	if (o->service != NULL)
		client_note("note: --service %s is ignored: the registry "
		            "issues tokens itself (no API Gateway or Lambda)",
		    o->service);
	return CLI_EXIT_OK;
}

static int
print_token(const struct grt *o, const char *token)
{
	char name[CLIENT_TFNAME_BUFSZ];
	int n;

	switch (o->cmd) {
	case CMD_TOKEN:
		n = printf("%s\n", token);
		break;
	case CMD_CONFIG:
		n = printf("\ncredentials \"%s\" {\n    token = \"%s\"\n}\n\n",
		    o->host, token);
		break;
	case CMD_ENV:
	default:
		if (client_tf_token_name(o->host, name, sizeof(name)) !=
		    REG_OK) {
			cli_err("cannot name the TF_TOKEN_ variable of %s",
			    o->host);
			return CLI_EXIT_FAIL;
		}
		n = printf("%s=%s\n", name, token);
		if (n >= 0 && client_tf_token_needs_env(name))
			client_note("note: %s contains '%s', which a shell "
			            "cannot export: apply it with env, e.g. "
			            "env '%s=...' terraform init, or env "
			            "\"$(get-registry-token -r %s env)\" "
			            "terraform init",
			    name, strchr(name, ':') != NULL ? ":" : "-", name,
			    o->host);
		break;
	}
	if (n < 0 || fflush(stdout) != 0) {
		cli_err("cannot write to standard output");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int
run(struct grt *o)
{
	struct client_tls tls;
	struct client_token tok;
	struct client_http th;
	struct client_iam ci;
	char err[CLIENT_ERR_MAX] = "";
	const char *env = getenv(CLIENT_TOKEN_ENV);
	enum reg_err er;
	int rc = CLI_EXIT_FAIL;

	client_token_init(&tok);
	memset(&tls, 0, sizeof(tls));
	if (o->token_arg != NULL || o->token_file != NULL ||
	    (env != NULL && env[0] != '\0')) {
		struct client_login l;

		memset(&l, 0, sizeof(l));
		l.host = o->host;
		l.token_arg = o->token_arg;
		l.token_file = o->token_file;
		er = client_bearer(&l, &tok, err, sizeof(err));
	} else {
		er = client_tls_init(&tls, o->ca_file, getenv("SSL_CERT_FILE"),
		    getenv("SSL_CERT_DIR"), err, sizeof(err));
		if (er == REG_OK) {
			memset(&th, 0, sizeof(th));
			th.host = o->token_host;
			th.ca_file = client_tls_ca(&tls);
			memset(&ci, 0, sizeof(ci));
			ci.audience = o->host;
			ci.token_host = &th;
			ci.profile = o->profile;
			ci.region = o->region;
			ci.expiration_seconds = o->seconds;
			ci.getenv = getenv;
			ci.token_hint = true;
			fetch_global_init();
			er = client_iam_token(&ci, client_now(), &tok, err,
			    sizeof(err));
		}
	}
	if (er != REG_OK)
		cli_err("%s", err);
	else
		rc = print_token(o, tok.token);
	client_token_release(&tok);
	client_tls_release(&tls);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct grt *o;
	int rc;

	if (!cli_init("get-registry-token"))
		return CLI_EXIT_FAIL;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		cli_err("out of memory: try again");
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
	if (rc == CLI_EXIT_OK)
		rc = run(o);
out:
	free(o);
	return rc;
}
