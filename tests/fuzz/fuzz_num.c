/*
 * tests/fuzz/fuzz_num.c: num_parse_u64 and num_parse_i64 against a
 * reference that never does arithmetic: acceptance is decided on the
 * digit string (length, then bytewise against the limit), and the value
 * is checked by printing it back.
 *   - accepted <=> [-]1..20 ASCII digits whose value fits the type;
 *   - the value printed back equals the digits without leading zeros;
 *   - a range [min, max] taken from the input accepts exactly the full
 *     parse's values inside it;
 *   - the out-param is untouched on failure.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/num.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SENTINEL 0x5a5a5a5a5a5a5a5aULL

/* Digits only, 1..20 of them; *sig gets them without leading zeros. */
static bool
ref_digits(const char *p, size_t len, const char **sig, size_t *siglen)
{
	size_t i;

	if (len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	while (len > 1 && p[0] == '0') {
		p++;
		len--;
	}
	*sig = p;
	*siglen = len;
	return true;
}

/* A significant digit string <= the decimal limit lim? */
static bool
ref_le(const char *sig, size_t siglen, const char *lim)
{
	size_t n = strlen(lim);

	if (siglen != n)
		return siglen < n;
	return memcmp(sig, lim, n) <= 0;
}

/* p[0..len), len > 0 */
static void
check_u64(const char *p, size_t len, uint64_t lo, uint64_t hi)
{
	const char *sig = NULL;
	size_t siglen = 0;
	uint64_t v = SENTINEL, w = SENTINEL;
	bool want;
	char buf[32];
	int n;

	want = ref_digits(p, len, &sig, &siglen) &&
	    ref_le(sig, siglen, "18446744073709551615");
	if ((num_parse_u64(p, len, 0, UINT64_MAX, &v) == REG_OK) != want)
		abort();
	if (!want) {
		if (v != SENTINEL)
			abort();
	} else {
		n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
		if (n < 0 || (size_t)n != siglen ||
		    memcmp(buf, sig, siglen) != 0)
			abort();
	}
	/* the range only narrows */
	if ((num_parse_u64(p, len, lo, hi, &w) == REG_OK) !=
	    (want && v >= lo && v <= hi))
		abort();
	if (w != SENTINEL && w != v)
		abort();
}

/* v printed back is the significant digits, with '-' iff negative. */
static void
check_i64_value(int64_t v, bool neg, const char *sig, size_t siglen)
{
	bool zero = siglen == 1 && sig[0] == '0';
	char buf[32];
	const char *d = buf;
	int n;

	n = snprintf(buf, sizeof(buf), "%" PRId64, v);
	if (n < 0 || (size_t)n >= sizeof(buf))
		abort();
	/* "-0" prints as "0"; otherwise the sign must match */
	if (zero ? v != 0 : (v < 0) != neg)
		abort();
	if (v < 0) {
		d++;
		n--;
	}
	if ((size_t)n != siglen || memcmp(d, sig, siglen) != 0)
		abort();
}

/* p[0..len), len > 0 */
static void
check_i64(const char *p, size_t len, int64_t lo, int64_t hi)
{
	const char *sig = NULL, *digits = p;
	size_t siglen = 0, dlen = len;
	int64_t v = (int64_t)SENTINEL, w = (int64_t)SENTINEL;
	bool neg = false, want;

	if (p[0] == '-') {
		neg = true;
		digits++;
		dlen--;
	}
	want = ref_digits(digits, dlen, &sig, &siglen) &&
	    ref_le(sig, siglen,
	        neg ? "9223372036854775808" : "9223372036854775807");
	if ((num_parse_i64(p, len, INT64_MIN, INT64_MAX, &v) == REG_OK) != want)
		abort();
	if (!want && v != (int64_t)SENTINEL)
		abort();
	if (want)
		check_i64_value(v, neg, sig, siglen);
	if ((num_parse_i64(p, len, lo, hi, &w) == REG_OK) !=
	    (want && v >= lo && v <= hi))
		abort();
	if (w != (int64_t)SENTINEL && w != v)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint64_t lo = 0, hi = UINT64_MAX;
	char *p;
	size_t i;

	/* 16 bytes of range in front of inputs long enough to carry one */
	if (len > 16 && data[0] == '#') {
		lo = hi = 0;
		for (i = 0; i < 8; i++) {
			lo = lo << 8 | data[1 + i];
			hi = hi << 8 | data[9 + i];
		}
		data += 17;
		len -= 17;
		if (lo > hi) {
			uint64_t t = lo;

			lo = hi;
			hi = t;
		}
	}
	if (len == 0) {
		uint64_t u = SENTINEL;
		int64_t i64 = (int64_t)SENTINEL;

		/* NULL with length 0: empty, refused, never dereferenced */
		if (num_parse_u64(NULL, 0, 0, UINT64_MAX, &u) != REG_EINVAL ||
		    num_parse_i64(NULL, 0, INT64_MIN, INT64_MAX, &i64) !=
		        REG_EINVAL ||
		    u != SENTINEL || i64 != (int64_t)SENTINEL)
			abort();
		return 0;
	}
	p = malloc(len);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	check_u64(p, len, lo, hi);
	check_i64(p, len, (int64_t)(lo ^ (UINT64_C(1) << 63)),
	    (int64_t)(hi ^ (UINT64_C(1) << 63)));
	free(p);
	return 0;
}
