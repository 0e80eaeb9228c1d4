/*
 * tests/fuzz/fuzz_sigv4.c: SigV4 encoding, canonical query, canonical
 * URI and canonical headers, auth/sigv4.
 *
 * The input, raw, is (1) a string to URI-encode, (2) a query split on '&'
 * and the first '=' into undecoded parameters, (3) a path when it starts
 * with '/', and (4) "name:value" header lines.  Invariants:
 *   - sigv4_uri_encode output holds only A-Za-z0-9-._~ and %XX with
 *     upper-case hex ('/' too with keep_slash), and decodes back to the
 *     input;
 *   - the canonical query has one "name=value" per parameter, only
 *     encoded bytes plus '=' and '&', is sorted by (name, value) and
 *     decodes back to the same multiset of parameters; shuffling the
 *     input does not change it;
 *   - the normalised canonical URI starts with '/', has no empty, "." or
 *     ".." segment, and normalising it again changes nothing;
 *   - a canonical request either fails with REG_EINVAL and leaves the
 *     output untouched, or has 6 + (number of header names) lines.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../auth/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_MAXQ 64
#define FZ_MAXH 16

static bool
unreserved(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static int
uhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode an encoded string into out (capacity >= len); abort on any byte
 * the encoder may not produce.  Returns the decoded length.
 */
static size_t
strict_decode(const char *p, size_t len, bool slash_ok, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (unreserved(p[i]) || (slash_ok && p[i] == '/')) {
			out[o++] = p[i];
			continue;
		}
		if (p[i] != '%' || i + 2 >= len || uhex(p[i + 1]) < 0 ||
		    uhex(p[i + 2]) < 0)
			abort();
		out[o++] = (char)(uhex(p[i + 1]) << 4 | uhex(p[i + 2]));
		if (unreserved(out[o - 1]) || (slash_ok && out[o - 1] == '/'))
			abort(); /* needless escape */
		i += 2;
	}
	return o;
}

static void
check_encode(const char *p, size_t len, bool slash)
{
	struct buf b;
	char *dec;

	buf_init(&b, 3 * len + 16);
	dec = malloc(len + 1);
	if (dec == NULL)
		goto out;
	if (sigv4_uri_encode(p, len, slash, &b) != REG_OK)
		abort();
	if (strict_decode(buf_cstr(&b), b.len, slash, dec) != len ||
	    memcmp(dec, p, len) != 0)
		abort();
out:
	free(dec);
	buf_release(&b);
}

static size_t
split_query(const char *p, size_t len, struct sigv4_param *q)
{
	struct span rest = span_make(p, len), pair, name;
	size_t n = 0;
	bool more = true;

	while (more && n < FZ_MAXQ) {
		more = span_split(&rest, '&', &pair);
		if (span_split(&pair, '=', &name)) {
			q[n].name = name;
			q[n].value = pair;
		} else {
			q[n].name = pair;
			q[n].value = span_make(pair.p + pair.len, 0);
		}
		n++;
	}
	return n;
}

static int
cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

static void
check_query(const struct sigv4_param *q, size_t n)
{
	struct sigv4_param rev[FZ_MAXQ];
	struct span rest, pair, name, prev_n = { NULL, 0 },
	                              prev_v = { NULL, 0 };
	bool used[FZ_MAXQ], more = true;
	struct buf b, b2;
	char *dn = NULL, *dv = NULL;
	size_t i, k, count = 0;

	buf_init(&b, SIGV4_MAX_CREQ);
	buf_init(&b2, SIGV4_MAX_CREQ);
	if (sigv4_canonical_query(q, n, &b) != REG_OK)
		abort();
	for (i = 0; i < n; i++)
		rev[i] = q[n - 1 - i];
	if (sigv4_canonical_query(rev, n, &b2) != REG_OK || b.len != b2.len ||
	    memcmp(buf_cstr(&b), buf_cstr(&b2), b.len) != 0)
		abort(); /* order-independent */
	if (n == 0) {
		if (b.len != 0)
			abort();
		goto out;
	}
	dn = malloc(b.len + 1);
	dv = malloc(b.len + 1);
	if (dn == NULL || dv == NULL)
		goto out;
	memset(used, 0, sizeof(used));
	rest = span_make(b.p, b.len);
	while (more) {
		size_t nl, vl;

		more = span_split(&rest, '&', &pair);
		if (!span_split(&pair, '=', &name))
			abort();
		/* sorted by encoded name, then encoded value */
		if (count > 0 &&
		    (cmp_bytes(prev_n.p, prev_n.len, name.p, name.len) > 0 ||
		        (cmp_bytes(prev_n.p, prev_n.len, name.p, name.len) ==
		                0 &&
		            cmp_bytes(prev_v.p, prev_v.len, pair.p, pair.len) >
		                0)))
			abort();
		prev_n = name;
		prev_v = pair;
		nl = strict_decode(name.p, name.len, false, dn);
		vl = strict_decode(pair.p, pair.len, false, dv);
		for (k = 0; k < n; k++) {
			if (!used[k] && q[k].name.len == nl &&
			    q[k].value.len == vl &&
			    memcmp(q[k].name.p, dn, nl) == 0 &&
			    memcmp(q[k].value.p, dv, vl) == 0)
				break;
		}
		if (k == n)
			abort(); /* not one of the inputs */
		used[k] = true;
		count++;
	}
	if (count != n)
		abort();
out:
	free(dn);
	free(dv);
	buf_release(&b);
	buf_release(&b2);
}

static void
check_uri(const char *p, size_t len)
{
	struct buf b, b2;
	char *dec = NULL;
	size_t i, dl;

	buf_init(&b, 3 * len + 16);
	buf_init(&b2, 3 * len + 16);
	if (sigv4_canonical_uri(span_make(p, len), 0, &b) != REG_OK)
		abort();
	if (b.len == 0 || b.p[0] != '/')
		abort();
	for (i = 0; i < b.len; i++) {
		if (b.p[i] != '/')
			continue;
		if (i + 1 < b.len && b.p[i + 1] == '/')
			abort(); /* empty segment */
		if (i + 1 < b.len && b.p[i + 1] == '.' &&
		    (i + 2 == b.len || b.p[i + 2] == '/'))
			abort(); /* "." */
		if (i + 2 < b.len && b.p[i + 1] == '.' && b.p[i + 2] == '.' &&
		    (i + 3 == b.len || b.p[i + 3] == '/'))
			abort(); /* ".." */
	}
	dec = malloc(b.len + 1);
	if (dec == NULL)
		goto out;
	dl = strict_decode(b.p, b.len, true, dec);
	if (sigv4_canonical_uri(span_make(dec, dl), 0, &b2) != REG_OK ||
	    b2.len != b.len || memcmp(b.p, b2.p, b.len) != 0)
		abort(); /* idempotent */
out:
	free(dec);
	buf_release(&b);
	buf_release(&b2);
}

static void
check_request(const char *p, size_t len)
{
	struct sigv4_param h[FZ_MAXH];
	struct span rest = span_make(p, len), line, name;
	struct sigv4_req r;
	struct buf b, sh;
	size_t n = 0, i, lines = 0, names = 1;
	bool more = true;
	enum reg_err er;

	while (more && n < FZ_MAXH) {
		more = span_split(&rest, '\n', &line);
		if (!span_split(&line, ':', &name))
			continue;
		h[n].name = name;
		h[n].value = line;
		n++;
	}
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.host = span_cstr("example.amazonaws.com");
	r.path = span_cstr("/");
	r.headers = h;
	r.nheaders = n;
	r.amz_date = "20150830T123600Z";
	buf_init(&b, SIGV4_MAX_CREQ);
	buf_init(&sh, SIGV4_MAX_CREQ);
	if (buf_adds(&b, "x") != REG_OK)
		goto out;
	er = sigv4_canonical_request(&r, &b);
	if (er != REG_OK) {
		if (er != REG_EINVAL || b.len != 1)
			abort();
		goto out;
	}
	if (sigv4_signed_headers(&r, &sh) != REG_OK)
		abort();
	for (i = 0; i < sh.len; i++) {
		if (sh.p[i] == ';')
			names++;
		else if (sh.p[i] >= 'A' && sh.p[i] <= 'Z')
			abort(); /* lower-cased */
	}
	for (i = 1; i < b.len; i++)
		lines += b.p[i] == '\n';
	if (lines != 6 + names - 1)
		abort();
out:
	buf_release(&b);
	buf_release(&sh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sigv4_param q[FZ_MAXQ];
	char *p;
	size_t n;

	if (len > 4096)
		return 0;
	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	check_encode(p, len, false);
	check_encode(p, len, true);
	n = split_query(p, len, q);
	check_query(q, n);
	if (len > 0 && p[0] == '/')
		check_uri(p, len);
	check_request(p, len);
	free(p);
	return 0;
}
