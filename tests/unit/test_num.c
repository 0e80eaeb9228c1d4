/*
 * common/num: the bounded decimal parser.  Tables of (input, range,
 * expected result); inputs carry an explicit length so that bytes past
 * it (and embedded NULs) are part of the test.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "../lib/t.h"
#include "../../common/num.h"

#define S(lit) lit, sizeof(lit) - 1

struct u64_case {
	const char *in;
	size_t len;
	uint64_t min, max;
	enum reg_err er;
	uint64_t want;
};

static const struct u64_case u64_cases[] = {
	{ S("0"), 0, UINT64_MAX, REG_OK, 0 },
	{ S("1"), 0, UINT64_MAX, REG_OK, 1 },
	{ S("42"), 0, UINT64_MAX, REG_OK, 42 },
	{ S("007"), 0, UINT64_MAX, REG_OK, 7 },
	{ S("4294967296"), 0, UINT64_MAX, REG_OK, 4294967296u },
	{ S("9223372036854775808"), 0, UINT64_MAX, REG_OK,
	    9223372036854775808u },
	{ S("18446744073709551615"), 0, UINT64_MAX, REG_OK, UINT64_MAX },
	{ S("18446744073709551614"), 0, UINT64_MAX, REG_OK, UINT64_MAX - 1 },
	/* 20 digits with leading zeros is still in the cap */
	{ S("00000000000000000001"), 0, UINT64_MAX, REG_OK, 1 },
	/* overflow, by one and by a lot */
	{ S("18446744073709551616"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("18446744073709551620"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("99999999999999999999"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("20000000000000000000"), 0, UINT64_MAX, REG_EINVAL, 0 },
	/* more than 20 digits, even when the value is small */
	{ S("000000000000000000001"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("123456789012345678901"), 0, UINT64_MAX, REG_EINVAL, 0 },
	/* not digits */
	{ S(""), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ NULL, 0, 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("-1"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("-0"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("+1"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S(" 1"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("1 "), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("1\n"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("\t1"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("0x10"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("1e3"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("1.0"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("1,000"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("12a"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("a12"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("\xd9\xa1"), 0, UINT64_MAX, REG_EINVAL, 0 }, /* Arabic-Indic 1 */
	{ S("1\0002"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("\0"), 0, UINT64_MAX, REG_EINVAL, 0 },
	{ S("/"), 0, UINT64_MAX, REG_EINVAL, 0 }, /* '0' - 1 */
	{ S(":"), 0, UINT64_MAX, REG_EINVAL, 0 }, /* '9' + 1 */
	/* length bounds the parse: "12" out of "123" */
	{ "123", 2, 0, UINT64_MAX, REG_OK, 12 },
	{ "9x", 1, 0, UINT64_MAX, REG_OK, 9 },
	/* range */
	{ S("1"), 1, 65535, REG_OK, 1 },
	{ S("65535"), 1, 65535, REG_OK, 65535 },
	{ S("0"), 1, 65535, REG_EINVAL, 0 },
	{ S("65536"), 1, 65535, REG_EINVAL, 0 },
	{ S("5"), 5, 5, REG_OK, 5 },
	{ S("5"), 6, 4, REG_EINVAL, 0 }, /* empty range */
	{ S("18446744073709551615"), 0, UINT64_MAX - 1, REG_EINVAL, 0 },
};

struct i64_case {
	const char *in;
	size_t len;
	int64_t min, max;
	enum reg_err er;
	int64_t want;
};

static const struct i64_case i64_cases[] = {
	{ S("0"), INT64_MIN, INT64_MAX, REG_OK, 0 },
	{ S("-0"), INT64_MIN, INT64_MAX, REG_OK, 0 },
	{ S("-0"), 0, 0, REG_OK, 0 },
	{ S("1"), INT64_MIN, INT64_MAX, REG_OK, 1 },
	{ S("-1"), INT64_MIN, INT64_MAX, REG_OK, -1 },
	{ S("-007"), INT64_MIN, INT64_MAX, REG_OK, -7 },
	{ S("9223372036854775807"), INT64_MIN, INT64_MAX, REG_OK, INT64_MAX },
	{ S("-9223372036854775807"), INT64_MIN, INT64_MAX, REG_OK, -INT64_MAX },
	{ S("-9223372036854775808"), INT64_MIN, INT64_MAX, REG_OK, INT64_MIN },
	{ S("-00000000000000000001"), INT64_MIN, INT64_MAX, REG_OK, -1 },
	{ S("9223372036854775808"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-9223372036854775809"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("18446744073709551615"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-18446744073709551615"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("18446744073709551616"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-18446744073709551616"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-000000000000000000001"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S(""), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ NULL, 0, INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("--1"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("+1"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("- 1"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S(" -1"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("1-"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-1-"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-a"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	{ S("-1\0"), INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
	/* range */
	{ S("-5"), -10, 10, REG_OK, -5 },
	{ S("-10"), -10, 10, REG_OK, -10 },
	{ S("-11"), -10, 10, REG_EINVAL, 0 },
	{ S("11"), -10, 10, REG_EINVAL, 0 },
	{ S("-1"), 0, INT64_MAX, REG_EINVAL, 0 },
	{ S("-9223372036854775808"), INT64_MIN + 1, INT64_MAX, REG_EINVAL, 0 },
	{ "-12", 2, INT64_MIN, INT64_MAX, REG_OK, -1 },
	{ "-12", 1, INT64_MIN, INT64_MAX, REG_EINVAL, 0 },
};

static void
test_u64(void)
{
	size_t i;

	for (i = 0; i < nitems(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t v = 0xdeadbeef;
		enum reg_err er;

		er = num_parse_u64(c->in, c->len, c->min, c->max, &v);
		T_OK(er == c->er, "u64 case %zu: result %d, want %d", i, er,
		    c->er);
		if (c->er == REG_OK)
			T_OK(v == c->want,
			    "u64 case %zu: value %" PRIu64 ", want %" PRIu64, i,
			    v, c->want);
		else
			T_OK(v == 0xdeadbeef,
			    "u64 case %zu: out untouched on failure", i);
	}
}

static void
test_i64(void)
{
	size_t i;

	for (i = 0; i < nitems(i64_cases); i++) {
		const struct i64_case *c = &i64_cases[i];
		int64_t v = 0x5eed;
		enum reg_err er;

		er = num_parse_i64(c->in, c->len, c->min, c->max, &v);
		T_OK(er == c->er, "i64 case %zu: result %d, want %d", i, er,
		    c->er);
		if (c->er == REG_OK)
			T_OK(v == c->want,
			    "i64 case %zu: value %" PRId64 ", want %" PRId64, i,
			    v, c->want);
		else
			T_OK(v == 0x5eed,
			    "i64 case %zu: out untouched on failure", i);
	}
}

int
main(void)
{
	test_u64();
	test_i64();
	return t_done();
}
