/*
 * tests/fuzz/fuzz_b64url.c: the strict base64 decoders (and hex).
 *
 * The decoders are canonical, so decoding is the inverse of encoding on
 * both sides:
 *   - decode ok => re-encoding gives exactly the input, the output length
 *     is the one the encoded length implies, a buffer of exactly that
 *     size suffices and one byte less is REG_ETOOBIG;
 *   - decode fails => *outlen untouched, and the error is REG_EINVAL
 *     (the buffer given was always large enough);
 *   - the input taken as raw bytes encodes and decodes back to itself.
 * The same checks run for padded standard base64 and for hex.
 * Inputs and outputs are exact-size heap buffers, so any access past
 * them is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define UNSET ((size_t)0x5a5a5a5a)

typedef enum reg_err (
    *dec_fn)(const char *, size_t, unsigned char *, size_t, size_t *);
typedef size_t (*enc_fn)(const unsigned char *, size_t, char *);

struct codec {
	dec_fn dec;
	enc_fn enc;
	size_t (*enclen)(size_t);
};

static const struct codec url = { b64url_decode, b64url_encode, b64url_enclen };
static const struct codec std = { b64_decode, b64_encode, b64_enclen };

/* An upper bound of the decoded size of len characters. */
static size_t
dec_bound(size_t len)
{
	return len / 4 * 3 + 3;
}

/* The input as an encoded string. */
static void
check_decode(const struct codec *c, const char *p, size_t len)
{
	unsigned char *out = NULL, *exact = NULL;
	char *re = NULL;
	size_t outlen = UNSET, n2 = UNSET;
	enum reg_err er;

	out = malloc(dec_bound(len));
	if (out == NULL)
		goto out;
	er = c->dec(p, len, out, dec_bound(len), &outlen);
	if (er != REG_OK) {
		if (er != REG_EINVAL || outlen != UNSET)
			abort();
		goto out;
	}
	if (outlen > dec_bound(len) || c->enclen(outlen) != len)
		abort();
	/* canonical: encoding the bytes gives back the very input */
	re = malloc(len + 1);
	if (re == NULL)
		goto out;
	if (c->enc(out, outlen, re) != len || memcmp(re, p, len) != 0 ||
	    re[len] != '\0')
		abort();
	/* exactly outlen bytes of room suffice, one less does not */
	exact = malloc(outlen > 0 ? outlen : 1);
	if (exact == NULL)
		goto out;
	if (c->dec(p, len, exact, outlen, &n2) != REG_OK || n2 != outlen ||
	    memcmp(exact, out, outlen) != 0)
		abort();
	if (outlen > 0) {
		n2 = UNSET;
		if (c->dec(p, len, exact, outlen - 1, &n2) != REG_ETOOBIG ||
		    n2 != UNSET)
			abort();
	}
out:
	free(out);
	free(re);
	free(exact);
}

/* The input as raw bytes. */
static void
check_encode(const struct codec *c, const unsigned char *p, size_t n)
{
	size_t elen = c->enclen(n), outlen = UNSET;
	unsigned char *back = NULL;
	char *enc = NULL;

	enc = malloc(elen + 1);
	back = malloc(n > 0 ? n : 1);
	if (enc == NULL || back == NULL)
		goto out;
	if (c->enc(p, n, enc) != elen || enc[elen] != '\0' ||
	    strlen(enc) != elen)
		abort();
	if (c->dec(enc, elen, back, n, &outlen) != REG_OK || outlen != n ||
	    memcmp(back, p, n) != 0)
		abort();
out:
	free(enc);
	free(back);
}

static void
check_hex(const char *p, size_t len)
{
	unsigned char *out = NULL;
	char *re = NULL;

	if (len % 2 != 0) {
		if (hex_decode(p, len, NULL, len / 2))
			abort(); /* odd length refused before any write */
		return;
	}
	out = malloc(len / 2 > 0 ? len / 2 : 1);
	re = malloc(len + 1);
	if (out == NULL || re == NULL)
		goto out;
	if (hex_decode(p, len, out, len / 2)) {
		hex_encode(out, len / 2, re);
		if (memcmp(re, p, len) != 0 || re[len] != '\0')
			abort(); /* lower-case only: canonical */
	}
	hex_encode((const unsigned char *)p, len / 2, re);
	if (!hex_decode(re, len, out, len / 2) || memcmp(out, p, len / 2) != 0)
		abort();
out:
	free(out);
	free(re);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p;

	if (len == 0) {
		check_decode(&url, "", 0);
		check_decode(&std, "", 0);
		return 0;
	}
	p = malloc(len);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	check_decode(&url, p, len);
	check_decode(&std, p, len);
	check_encode(&url, (const unsigned char *)p, len);
	check_encode(&std, (const unsigned char *)p, len);
	check_hex(p, len);
	free(p);
	return 0;
}
