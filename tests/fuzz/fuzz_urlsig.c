/*
 * tests/fuzz/fuzz_urlsig.c: urlsig_verify on untrusted queries and paths.
 *
 * A fixed in-memory keyring (kid "kfuzz") and clock; the harness signs
 * PATH once at start-up.  Each input is used twice:
 *  A. as the query of PATH.  Invariant: it verifies only if it is a
 *     permutation of the three parameters the harness signed; the result
 *     is REG_OK, REG_EPERM or REG_ENOENT, with a reason.
 *  B. as a path (up to the first NUL).  Invariant: if urlsig_sign accepts
 *     it, its query verifies, in reversed parameter order too, and fails
 *     at exp, for the path with one byte appended, and for PATH; if sign
 *     refuses it, verifying the harness query against it fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/urlsig.h"

#define NOW INT64_C(1700000000)
#define PATH "/v1/archives/acme/hello/null/1.2.0/hello-1.2.0.tar.gz"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct keyring *fz_kr;
static char fz_query[URLSIG_QUERY_MAX + 1];
static char fz_part[3][URLSIG_QUERY_MAX + 1]; /* its parameters, sorted */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Split q[0..len) on '&' into exactly 3 sorted parts; false otherwise. */
static bool
split3(const char *q, size_t len, char out[3][URLSIG_QUERY_MAX + 1])
{
	size_t i, start = 0, n = 0;

	if (len > URLSIG_QUERY_MAX)
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		if (n == 3)
			return false;
		memcpy(out[n], q + start, i - start);
		out[n][i - start] = '\0';
		n++;
		start = i + 1;
	}
	if (n != 3)
		return false;
	qsort(out, 3, sizeof(out[0]), cmp_str);
	return true;
}

/* Free the harness state at exit, so leak checkers see a clean heap. */
static void
fz_fini(void)
{
	keyring_free(fz_kr);
	fz_kr = NULL;
}

static void
fz_init(void)
{
	struct keyring_seed seed;
	struct buf b;
	size_t i;

	if (fz_kr != NULL)
		return;
	seed.kid = "kfuzz";
	for (i = 0; i < 32; i++)
		seed.key[i] = (unsigned char)(0x50 + i);
	if (atexit(fz_fini) != 0 ||
	    keyring_from_bytes(&seed, 1, &fz_kr) != REG_OK)
		abort();
	buf_init(&b, URLSIG_QUERY_MAX);
	if (urlsig_sign(fz_kr, PATH, NOW + 600, &b) != REG_OK ||
	    !split3(buf_cstr(&b), b.len, fz_part))
		abort();
	memcpy(fz_query, buf_cstr(&b), b.len + 1);
	buf_release(&b);
}

static void
check_code(enum reg_err er, const char *why)
{
	if (why == NULL ||
	    (er != REG_OK && er != REG_EPERM && er != REG_ENOENT))
		abort();
}

/* A: the input as the query of PATH */
static void
as_query(const uint8_t *data, size_t len)
{
	char parts[3][URLSIG_QUERY_MAX + 1];
	const char *why = NULL;
	enum reg_err er;
	char *p;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return;
	memcpy(p, data, len);
	er = urlsig_verify(fz_kr, PATH, p, len, NOW, &why);
	check_code(er, why);
	if (er == REG_OK) {
		if (!split3(p, len, parts) ||
		    strcmp(parts[0], fz_part[0]) != 0 ||
		    strcmp(parts[1], fz_part[1]) != 0 ||
		    strcmp(parts[2], fz_part[2]) != 0)
			abort(); /* verified something never signed */
	}
	free(p);
}

/* B: the input as a path */
static void
as_path(const uint8_t *data, size_t len)
{
	char *path, *longer, rev[URLSIG_QUERY_MAX + 1];
	char parts[3][URLSIG_QUERY_MAX + 1];
	const char *why = NULL;
	enum reg_err er;
	struct buf b;
	size_t n;

	n = strnlen((const char *)data, len);
	if (n > URLSIG_PATH_MAX + 8)
		return;
	path = malloc(n + 1);
	longer = malloc(n + 2);
	if (path == NULL || longer == NULL) {
		free(path);
		free(longer);
		return;
	}
	memcpy(path, data, n);
	path[n] = '\0';
	memcpy(longer, data, n);
	longer[n] = 'x';
	longer[n + 1] = '\0';
	buf_init(&b, URLSIG_QUERY_MAX);
	er = urlsig_sign(fz_kr, path, NOW + 600, &b);
	if (er == REG_OK) {
		if (urlsig_verify(fz_kr, path, buf_cstr(&b), b.len, NOW,
		        &why) != REG_OK)
			abort(); /* round trip */
		if (urlsig_verify(fz_kr, path, buf_cstr(&b), b.len, NOW + 600,
		        &why) != REG_EPERM)
			abort(); /* expired at exp */
		if (!split3(buf_cstr(&b), b.len, parts))
			abort();
		memcpy(rev, parts[2], strlen(parts[2]));
		n = strlen(parts[2]);
		rev[n++] = '&';
		memcpy(rev + n, parts[1], strlen(parts[1]));
		n += strlen(parts[1]);
		rev[n++] = '&';
		memcpy(rev + n, parts[0], strlen(parts[0]) + 1);
		n += strlen(parts[0]);
		if (urlsig_verify(fz_kr, path, rev, n, NOW, &why) != REG_OK)
			abort(); /* order does not matter */
		er = urlsig_verify(fz_kr, longer, buf_cstr(&b), b.len, NOW,
		    &why);
		if (er == REG_OK)
			abort(); /* bound to the exact path */
		er = urlsig_verify(fz_kr, PATH, buf_cstr(&b), b.len, NOW, &why);
		if (er == REG_OK && strcmp(path, PATH) != 0)
			abort();
	} else {
		if (er != REG_EINVAL || b.len != 0)
			abort();
		er = urlsig_verify(fz_kr, path, fz_query, strlen(fz_query), NOW,
		    &why);
		if (er == REG_OK)
			abort(); /* a path sign refuses never verifies */
	}
	buf_release(&b);
	free(path);
	free(longer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fz_init();
	as_query(data, len);
	as_path(data, len);
	return 0;
}
