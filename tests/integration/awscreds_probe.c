/*
 * tests/integration/awscreds_probe.c: a test driver for auth/awscreds,
 * built by tests/integration/t_awscreds.sh (not by the Makefile, not
 * installed).  It runs the credential chain from the real process
 * environment, as the tools will, and prints what it found without the
 * secrets: the source, the key id, SHA-256 of the secret and of the
 * session token, the expiration.
 *
 *   awscreds_probe [-p profile] [-r region] [-c ca-file] [-w window]
 *                  [-n calls] [-s step] [-R retry-ms] [-v]
 *
 * -n/-s drive the caching provider: call i runs at now + i * step (a
 * simulated clock), so the refresh window can be tested without
 * waiting.  Exit 0 on success, 1 on a resolution error (message on
 * stderr), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/awscreds.h"
#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/log.h"
#include "common/num.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: awscreds_probe [-p profile] [-r region] "
	    "[-c ca-file] [-w window] [-n calls] [-s step] "
	    "[-R retry-ms] [-v]\n");
	exit(2);
}

static uint64_t
number(const char *s, uint64_t max)
{
	uint64_t v;

	if (num_parse_u64(s, strlen(s), 0, max, &v) != REG_OK)
		usage();
	return v;
}

static int
print_creds(size_t i, const struct aws_creds *c)
{
	char sh[CRYPTOW_SHA256_HEXLEN + 1], th[CRYPTOW_SHA256_HEXLEN + 1];

	if (cryptow_sha256_hex(c->secret, strlen(c->secret), sh) != REG_OK ||
	    cryptow_sha256_hex(c->session_token, strlen(c->session_token),
	        th) != REG_OK)
		return -1;
	printf("get %zu\n", i);
	printf("source: %s\n", c->source);
	printf("akid: %s\n", c->akid);
	printf("secret_sha256: %s\n", sh);
	printf("token_sha256: %s\n", c->session_token[0] != '\0' ? th : "none");
	printf("expiration: %lld\n", (long long)c->expiration);
	return 0;
}

int
main(int argc, char **argv)
{
	struct aws_creds_provider *p = NULL;
	struct aws_endpoint ep;
	struct aws_creds c;
	struct aws_opts o;
	char region[AWS_REGION_MAX + 1], err[AWS_ERRMSG_MAX];
	uint64_t calls = 1, step = 0;
	int64_t now;
	size_t i;
	int ch, rc = 0;
	enum reg_err er;

	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.env.getenv = getenv;
	log_init("awscreds_probe", 0, LOG_LVL_WARN);
	while ((ch = getopt(argc, argv, "p:r:c:w:n:s:R:v")) != -1) {
		switch (ch) {
		case 'p':
			o.profile = optarg;
			break;
		case 'r':
			o.region = optarg;
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'w':
			o.refresh_window = (int64_t)number(optarg, 1u << 30);
			break;
		case 'n':
			calls = number(optarg, 100);
			break;
		case 's':
			step = number(optarg, 1u << 30);
			break;
		case 'R':
			o.retry_sleep_ms = (long)number(optarg, 60000);
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		default:
			usage();
		}
	}
	fetch_global_init();
	now = (int64_t)time(NULL);

	if (aws_region_resolve(&o, region, err, sizeof(err)) != REG_OK) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	printf("region: %s\n", region);
	if (aws_endpoint_resolve(&o, "sts", region, &ep, err, sizeof(err)) ==
	    REG_OK)
		printf("sts_endpoint: %s (%s)\n", ep.url,
		    ep.configured ? "configured" : "default");

	er = aws_creds_provider_new(&o, &p);
	if (er != REG_OK) {
		fprintf(stderr, "error: %s\n", reg_err_str(er));
		return 1;
	}
	for (i = 0; i < calls; i++) {
		er = aws_creds_get(p, now + (int64_t)(i * step), &c);
		if (er != REG_OK) {
			fprintf(stderr, "error: %s: %s\n", reg_err_str(er),
			    aws_creds_provider_errmsg(p));
			rc = 1;
			break;
		}
		if (print_creds(i, &c) != 0) {
			rc = 1;
			break;
		}
	}
	aws_creds_clear(&c);
	aws_creds_provider_free(p);
	return rc;
}
