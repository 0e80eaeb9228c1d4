/*
 * tests/integration/presign.c: test driver for tests/integration/t_iam.sh.
 * Not a product tool and not built by the Makefile; the suite compiles it:
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. tests/integration/presign.c \
 *       O/libauth.a O/libstorage.a O/libcommon.a \
 *       $(pkg-config --libs jansson libcurl openssl lmdb libarchive)
 *
 * It presigns sts:GetCallerIdentity with the project's own signer
 * (auth/sigv4.h sigv4_presign) and prints the k8s-aws-v1 token, or the
 * raw URL, so the suite can mutate it; or it wraps a URL read on stdin.
 *
 *   presign [options]          print k8s-aws-v1.<base64url(URL)>
 *   presign --url [options]    print the presigned URL
 *   presign --wrap             read a URL on stdin (one trailing newline
 *                              dropped), print it wrapped as a token
 *
 * Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN (optional), so that secrets never appear on a command
 * line.  Options:
 *   --region R        signing region (default us-east-1)
 *   --host H          host to sign (default sts.R.amazonaws.com)
 *   --service S       credential scope service (default sts)
 *   --audience A      value of the signed x-k8s-aws-id header (required
 *                     unless --no-audience)
 *   --no-audience     sign only host (SignedHeaders=host)
 *   --header N:V      sign one more header (repeatable)
 *   --action A        Action value (default GetCallerIdentity)
 *   --version V       Version value (default 2011-06-15)
 *   --param N=V       one more signed query parameter (repeatable, raw
 *                     decoded bytes)
 *   --date D          X-Amz-Date YYYYMMDDTHHMMSSZ (default now)
 *   --date-offset S   now + S seconds (may be negative)
 *   --expires N       X-Amz-Expires (default 60)
 * Exit status: 0 ok, 1 signing failed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/sigv4.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/span.h"

#define MAXP 32

static void
usage(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "presign: %s\n", msg);
	fprintf(stderr,
	    "usage: presign [--url] [--region R] [--host H] [--service S]\n"
	    "           [--audience A | --no-audience] [--header N:V]...\n"
	    "           [--action A] [--version V] [--param N=V]...\n"
	    "           [--date YYYYMMDDTHHMMSSZ | --date-offset S] "
	    "[--expires N]\n"
	    "       presign --wrap < url\n");
	exit(2);
}

static int
wrap_stdin(void)
{
	static char in[65536];
	size_t n = fread(in, 1, sizeof(in) - 1, stdin);
	char *out;

	if (n == sizeof(in) - 1)
		usage("input too long");
	if (n > 0 && in[n - 1] == '\n')
		n--;
	out = malloc(b64url_enclen(n) + 1);
	if (out == NULL)
		return 1;
	(void)b64url_encode((const unsigned char *)in, n, out);
	printf("k8s-aws-v1.%s\n", out);
	free(out);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigv4_param q[MAXP], h[MAXP];
	size_t nq = 0, nh = 0;
	const char *region = "us-east-1", *host = NULL, *service = "sts";
	const char *audience = NULL, *action = "GetCallerIdentity";
	const char *version = "2011-06-15", *date = NULL;
	char hostbuf[256], datebuf[SIGV4_AMZ_DATE_LEN + 1];
	long long offset = 0;
	unsigned long expires = 60;
	bool want_url = false, no_audience = false;
	struct sigv4_creds cr;
	struct sigv4_req r;
	struct buf out;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--wrap") == 0) {
			if (argc != 2)
				usage("--wrap takes no other option");
			return wrap_stdin();
		} else if (strcmp(a, "--url") == 0) {
			want_url = true;
			continue;
		} else if (strcmp(a, "--no-audience") == 0) {
			no_audience = true;
			continue;
		}
		if (v == NULL)
			usage("option needs a value");
		i++;
		if (strcmp(a, "--region") == 0)
			region = v;
		else if (strcmp(a, "--host") == 0)
			host = v;
		else if (strcmp(a, "--service") == 0)
			service = v;
		else if (strcmp(a, "--audience") == 0)
			audience = v;
		else if (strcmp(a, "--action") == 0)
			action = v;
		else if (strcmp(a, "--version") == 0)
			version = v;
		else if (strcmp(a, "--date") == 0)
			date = v;
		else if (strcmp(a, "--date-offset") == 0)
			offset = strtoll(v, NULL, 10);
		else if (strcmp(a, "--expires") == 0)
			expires = strtoul(v, NULL, 10);
		else if (strcmp(a, "--param") == 0 ||
		    strcmp(a, "--header") == 0) {
			bool isq = a[2] == 'p';
			const char *sep = strchr(v, isq ? '=' : ':');
			struct sigv4_param *p = isq ? &q[nq] : &h[nh];

			if (sep == NULL || (isq ? nq : nh) + 2 >= MAXP)
				usage("bad --param/--header");
			p->name = span_make(v, (size_t)(sep - v));
			p->value = span_cstr(sep + 1);
			if (isq)
				nq++;
			else
				nh++;
		} else
			usage("unknown option");
	}
	if (!no_audience && audience == NULL)
		usage("--audience or --no-audience is required");
	cr.akid = getenv("AWS_ACCESS_KEY_ID");
	cr.secret = getenv("AWS_SECRET_ACCESS_KEY");
	cr.session_token = getenv("AWS_SESSION_TOKEN");
	if (cr.session_token != NULL && cr.session_token[0] == '\0')
		cr.session_token = NULL;
	if (cr.akid == NULL || cr.secret == NULL)
		usage(
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
	if (host == NULL) {
		snprintf(hostbuf, sizeof(hostbuf), "sts.%s.amazonaws.com",
		    region);
		host = hostbuf;
	}
	if (date == NULL) {
		time_t t = time(NULL) + (time_t)offset;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(datebuf, sizeof(datebuf), "%Y%m%dT%H%M%SZ", &tm);
		date = datebuf;
	}
	/* Action and Version first, then the extras */
	memmove(q + 2, q, nq * sizeof(q[0]));
	q[0].name = span_cstr("Action");
	q[0].value = span_cstr(action);
	q[1].name = span_cstr("Version");
	q[1].value = span_cstr(version);
	nq += 2;
	if (!no_audience) {
		h[nh].name = span_cstr("x-k8s-aws-id");
		h[nh++].value = span_cstr(audience);
	}

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.host = span_cstr(host);
	r.path = span_cstr("/");
	r.query = q;
	r.nquery = nq;
	r.headers = h;
	r.nheaders = nh;
	r.amz_date = date;
	buf_init(&out, 16384);
	if (sigv4_presign(&r, &cr, region, service, (unsigned)expires, &out) !=
	    REG_OK) {
		fprintf(stderr, "presign: sigv4_presign failed\n");
		return 1;
	}
	if (want_url) {
		printf("%s\n", buf_cstr(&out));
	} else {
		char *enc = malloc(b64url_enclen(out.len) + 1);

		if (enc == NULL)
			return 1;
		(void)b64url_encode((const unsigned char *)out.p, out.len, enc);
		printf("k8s-aws-v1.%s\n", enc);
		free(enc);
	}
	buf_release(&out);
	return 0;
}
