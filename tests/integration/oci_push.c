/*
 * tests/integration/oci_push.c: a driver for admin-tools/oci.h, built by
 * t_oci.sh (not by the Makefile).  Pushes an OCI image layout and prints
 * the manifest digest on stdout; with -v, one request log line per
 * request on stderr.  The password comes from a file (-P) or from the
 * environment (OCI_PUSH_PASSWORD), never from the command line.
 *
 * usage: oci_push [-v] [-u user] [-P password-file] [-f from-repo]
 *            [-c ca-file] [-t layout-tag] [-a attempts] [-b backoff-ms]
 *            layout registry repository tag
 * Exit: 0 pushed, 1 failed (message on stderr), 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/oci.h"
#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/num.h"

static void
log_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "oci_push: %s\n", line);
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: oci_push [-v] [-u user] [-P password-file] [-f from-repo] "
	    "[-c ca-file] [-t layout-tag] [-a attempts] [-b backoff-ms] "
	    "layout registry repository tag\n");
	return 2;
}

/* First line of path into pw (size pwsz), without its newline. */
static int
read_password(const char *path, char *pw, size_t pwsz)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (fgets(pw, (int)pwsz, f) == NULL)
		pw[0] = '\0';
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	return 0;
}

static int
parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (num_parse_u64(s, strlen(s), 0, max, &v) != REG_OK)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct oci_push_opts o;
	struct oci_creds cr = { NULL, NULL };
	char pw[4096], err[1024], digest[OCI_DIGEST_SIZE];
	const char *user = NULL, *pwfile = NULL, *ltag = NULL, *env;
	enum reg_err er;
	int ch, rc = 1;

	oci_push_opts_init(&o);
	pw[0] = '\0';
	while ((ch = getopt(argc, argv, "va:b:c:f:P:t:u:")) != -1) {
		switch (ch) {
		case 'v':
			o.log = log_line;
			break;
		case 'a':
			if (parse_uint(optarg, 10, &o.max_attempts) != 0)
				return usage();
			break;
		case 'b':
			if (parse_uint(optarg, 60000, &o.backoff_ms) != 0)
				return usage();
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'f':
			o.mount_from = optarg;
			break;
		case 'P':
			pwfile = optarg;
			break;
		case 't':
			ltag = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 4)
		return usage();
	if (user != NULL) {
		env = getenv("OCI_PUSH_PASSWORD");
		if (pwfile != NULL) {
			if (read_password(pwfile, pw, sizeof(pw)) != 0)
				goto out;
		} else if (env != NULL) {
			(void)snprintf(pw, sizeof(pw), "%s", env);
		}
		cr.username = user;
		cr.password = pw;
		o.creds = &cr;
	}
	o.registry = argv[optind + 1];
	o.repository = argv[optind + 2];
	o.tag = argv[optind + 3];
	fetch_global_init();
	er = oci_push_layout(argv[optind], ltag, &o, digest, err, sizeof(err));
	if (er != REG_OK) {
		fprintf(stderr, "oci_push: %s [%s]\n", err, reg_err_str(er));
		goto out;
	}
	printf("%s\n", digest);
	rc = 0;
out:
	cryptow_wipe(pw, sizeof(pw));
	return rc;
}
