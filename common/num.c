/*
 * common/num.c: the one bounded decimal parser (see num.h).
 *
 * Invariant: a successful parse consumed exactly len bytes, all of them
 * ASCII digits (after an optional '-' for the signed form), at most
 * NUM_MAX_DIGITS of them, and the value never overflowed on the way.
 */
#include <stdbool.h>

#include "common/num.h"

#define NUM_MAX_DIGITS 20

/*
 * Digits only, 1..NUM_MAX_DIGITS of them, no overflow of uint64_t.
 * Leading zeros are accepted, as strtonum(3) does.
 */
static enum reg_err
num_digits(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || len == 0 || len > NUM_MAX_DIGITS)
		return REG_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return REG_EINVAL;
		d = (unsigned int)(s[i] - '0');
		/* v * 10 + d must not exceed UINT64_MAX */
		if (v > (UINT64_MAX - d) / 10)
			return REG_EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return REG_OK;
}

enum reg_err
num_parse_u64(const char *s, size_t len, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t v;
	enum reg_err er;

	er = num_digits(s, len, &v);
	if (er != REG_OK)
		goto out;
	if (v < min || v > max) {
		er = REG_EINVAL;
		goto out;
	}
	*out = v;
out:
	return er;
}

enum reg_err
num_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	uint64_t mag;
	int64_t v;
	bool neg = false;
	enum reg_err er;

	if (s != NULL && len > 0 && s[0] == '-') {
		neg = true;
		s++;
		len--;
	}
	er = num_digits(s, len, &mag);
	if (er != REG_OK)
		goto out;
	if (neg) {
		/* |INT64_MIN| is INT64_MAX + 1; negate without overflow. */
		if (mag > (uint64_t)INT64_MAX + 1) {
			er = REG_EINVAL;
			goto out;
		}
		v = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
	} else {
		if (mag > (uint64_t)INT64_MAX) {
			er = REG_EINVAL;
			goto out;
		}
		v = (int64_t)mag;
	}
	if (v < min || v > max) {
		er = REG_EINVAL;
		goto out;
	}
	*out = v;
out:
	return er;
}
