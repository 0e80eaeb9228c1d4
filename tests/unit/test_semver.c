/*
 * common/semver: strict SemVer 2.0.0 parsing, precedence (SemVer 11) and
 * the total order of semver_cmp_str.  The valid and invalid tables start
 * with the examples published with the semver.org regular expression;
 * every valid string must print back byte for byte (the parser only
 * accepts canonical strings).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../common/semver.h"

#define S(lit) lit, sizeof(lit) - 1

#define MSG_PARTS "version must have three numeric parts: MAJOR.MINOR.PATCH"
#define MSG_V "version must not start with 'v'; use 1.2.3"
#define MSG_EMPTY "version is empty"
#define MSG_LONG "version is longer than 128 characters"
#define MSG_PRE_EMPTY "pre-release after '-' is empty"
#define MSG_PRE_ID "pre-release identifier is empty"
#define MSG_PRE_CHAR \
	"pre-release identifier has a character outside [0-9A-Za-z-]"
#define MSG_PRE_LZ "pre-release numeric identifier has a leading zero"
#define MSG_BUILD_EMPTY "build metadata after '+' is empty"
#define MSG_BUILD_ID "build metadata identifier is empty"
#define MSG_BUILD_CHAR \
	"build metadata identifier has a character outside [0-9A-Za-z-]"

/* 122 + "1.0.0+" = 128 characters */
#define A61 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
static const char long128[] = "1.0.0+" A61 A61;
static const char long129[] = "1.0.0+" A61 A61 "a";

/* Valid versions with their fields. */
struct field_case {
	const char *in;
	uint64_t major, minor, patch;
	const char *pre, *build;
};

static const struct field_case field_cases[] = {
	{ "0.0.0", 0, 0, 0, "", "" },
	{ "1.2.3", 1, 2, 3, "", "" },
	{ "10.20.30", 10, 20, 30, "", "" },
	{ "1.1.2-prerelease+meta", 1, 1, 2, "prerelease", "meta" },
	{ "1.1.2+meta-valid", 1, 1, 2, "", "meta-valid" },
	{ "1.0.0-alpha.beta.1", 1, 0, 0, "alpha.beta.1", "" },
	{ "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", 1, 2, 3,
	    "---RC-SNAPSHOT.12.9.1--.12", "788" },
	{ "1.0.0+0.build.1-rc.10000aaa-kk-0.1", 1, 0, 0, "",
	    "0.build.1-rc.10000aaa-kk-0.1" },
	{ "1.3.0-beta1", 1, 3, 0, "beta1", "" },
	{ "1.2.0+abc", 1, 2, 0, "", "abc" },
	{ "18446744073709551615.18446744073709551615.18446744073709551615",
	    UINT64_MAX, UINT64_MAX, UINT64_MAX, "", "" },
	{ "1.2.3-0", 1, 2, 3, "0", "" },
	{ "1.2.3--", 1, 2, 3, "-", "" },
	{ "1.2.3+-", 1, 2, 3, "", "-" },
	{ "1.2.3-a+b-c", 1, 2, 3, "a", "b-c" },
	{ "1.2.3-a-b+c", 1, 2, 3, "a-b", "c" },
	{ long128, 1, 0, 0, "", A61 A61 },
};

/* Valid: the semver.org examples plus edge cases; checked by round trip. */
static const char *const valid[] = {
	"0.0.4",
	"1.2.3",
	"10.20.30",
	"1.1.2-prerelease+meta",
	"1.1.2+meta",
	"1.1.2+meta-valid",
	"1.0.0-alpha",
	"1.0.0-beta",
	"1.0.0-alpha.beta",
	"1.0.0-alpha.beta.1",
	"1.0.0-alpha.1",
	"1.0.0-alpha0.valid",
	"1.0.0-alpha.0valid",
	"1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
	"1.0.0-rc.1+build.1",
	"2.0.0-rc.1+build.123",
	"1.2.3-beta",
	"10.2.3-DEV-SNAPSHOT",
	"1.2.3-SNAPSHOT-123",
	"1.0.0",
	"2.0.0",
	"1.1.7",
	"2.0.0+build.1848",
	"2.0.1-alpha.1227",
	"1.0.0-alpha+beta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
	"1.2.3----R-S.12.9.1--.12+meta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12",
	"1.0.0+0.build.1-rc.10000aaa-kk-0.1",
	"1.0.0-0A.is.legal",
	/* from the SemVer 2.0.0 text */
	"1.0.0-x.7.z.92",
	"1.0.0-x-y-z.--",
	"1.0.0-alpha+001",
	"1.0.0+20130313144700",
	"1.0.0-beta+exp.sha.5114f85",
	"1.0.0+21AF26D3----117B344092BD",
	/* edges */
	"0.0.0",
	"0.0.0-0",
	"1.2.3-0.0",
	"1.2.3-0a",
	"1.2.3-00a",
	"1.2.3-a0",
	"1.2.3+0",
	"1.2.3+00",   /* build identifiers may have leading zeros */
	"1.2.3+01.0", /* ... and any number of them */
	"1.2.3-1+1",
	"1.2.3-123456789012345678901234567890", /* no 64-bit cap */
	"18446744073709551615.0.0",
	"0.18446744073709551615.0",
	"0.0.18446744073709551615",
	long128,
};

/* Invalid, with the exact message. */
struct bad_case {
	const char *in;
	size_t len;
	const char *why;
};

static const struct bad_case invalid[] = {
	/* the semver.org invalid examples */
	{ S("1"), MSG_PARTS },
	{ S("1.2"), MSG_PARTS },
	{ S("1.2.3-0123"), MSG_PRE_LZ },
	{ S("1.2.3-0123.0123"), MSG_PRE_LZ },
	{ S("1.1.2+.123"), MSG_BUILD_ID },
	{ S("+invalid"), MSG_PARTS },
	{ S("-invalid"), MSG_PARTS },
	{ S("-invalid+invalid"), MSG_PARTS },
	{ S("-invalid.01"), MSG_PARTS },
	{ S("alpha"), MSG_PARTS },
	{ S("alpha.beta"), MSG_PARTS },
	{ S("alpha.beta.1"),
	    "version has a non-digit character in the major part" },
	{ S("alpha.1"), MSG_PARTS },
	{ S("alpha+beta"), MSG_PARTS },
	{ S("alpha_beta"), MSG_PARTS },
	{ S("alpha."), MSG_PARTS },
	{ S("alpha.."), "version has a non-digit character in the major part" },
	{ S("beta"), MSG_PARTS },
	{ S("1.0.0-alpha_beta"), MSG_PRE_CHAR },
	{ S("-alpha."), MSG_PARTS },
	{ S("1.0.0-alpha.."), MSG_PRE_ID },
	{ S("1.0.0-alpha..1"), MSG_PRE_ID },
	{ S("1.0.0-alpha...1"), MSG_PRE_ID },
	{ S("1.0.0-alpha....1"), MSG_PRE_ID },
	{ S("1.0.0-alpha.....1"), MSG_PRE_ID },
	{ S("1.0.0-alpha......1"), MSG_PRE_ID },
	{ S("1.0.0-alpha.......1"), MSG_PRE_ID },
	{ S("01.1.1"), "version has a leading zero in the major part" },
	{ S("1.01.1"), "version has a leading zero in the minor part" },
	{ S("1.1.01"), "version has a leading zero in the patch part" },
	{ S("1.2.3.DEV"), MSG_PARTS },
	{ S("1.2-SNAPSHOT"), MSG_PARTS },
	{ S("1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788"), MSG_PARTS },
	{ S("1.2-RC-SNAPSHOT"), MSG_PARTS },
	{ S("-1.0.3-gamma+b7718"), MSG_PARTS },
	{ S("+justmeta"), MSG_PARTS },
	{ S("9.8.7+meta+meta"), MSG_BUILD_CHAR },
	{ S("9.8.7-whatever+meta+meta"), MSG_BUILD_CHAR },
	{ S("99999999999999999999999.999999999999999999.99999999999999999"
	    "----RC-SNAPSHOT.12.09.1--------------------------------..12"),
	    "version major part does not fit in 64 bits" },
	/* valid for the semver.org regex, but our numbers are 64-bit */
	{ S("99999999999999999999999.999999999999999999.99999999999999999"),
	    "version major part does not fit in 64 bits" },
	/* emptiness and length */
	{ S(""), MSG_EMPTY },
	{ NULL, 0, MSG_EMPTY },
	{ long129, sizeof(long129) - 1, MSG_LONG },
	/* a leading 'v' gets its own message */
	{ S("v1.2.3"), MSG_V },
	{ S("V1.2.3"), MSG_V },
	{ S("v1"), MSG_V },
	{ S("v"), MSG_V },
	/* numeric parts */
	{ S("1..3"), "version has an empty minor part" },
	{ S(".2.3"), "version has an empty major part" },
	{ S("1.2."), "version has an empty patch part" },
	{ S(".."), "version has an empty major part" },
	{ S("1.2.3.4"), MSG_PARTS },
	{ S("1.2.x"), "version has a non-digit character in the patch part" },
	{ S("1.x.3"), "version has a non-digit character in the minor part" },
	{ S("=1.2.3"), "version has a non-digit character in the major part" },
	{ S(" 1.2.3"), "version has a non-digit character in the major part" },
	{ S("1.2.3 "), "version has a non-digit character in the patch part" },
	{ S("1.2.3\n"), "version has a non-digit character in the patch part" },
	{ S("1.2.3\0"), "version has a non-digit character in the patch part" },
	{ S("1.2.\xd9\xa3"),
	    "version has a non-digit character in the patch part" },
	{ S("1.+2.3"), MSG_PARTS },
	{ S("1.-2.3"), MSG_PARTS },
	{ S("00.0.0"), "version has a leading zero in the major part" },
	{ S("0.00.0"), "version has a leading zero in the minor part" },
	{ S("0.0.00"), "version has a leading zero in the patch part" },
	{ S("18446744073709551616.0.0"),
	    "version major part does not fit in 64 bits" },
	{ S("0.18446744073709551616.0"),
	    "version minor part does not fit in 64 bits" },
	{ S("0.0.99999999999999999999"),
	    "version patch part does not fit in 64 bits" },
	{ S("0.0.100000000000000000000"),
	    "version patch part does not fit in 64 bits" },
	/* pre-release */
	{ S("1.2.3-"), MSG_PRE_EMPTY },
	{ S("1.2.3-+b"), MSG_PRE_EMPTY },
	{ S("1.2.3-.a"), MSG_PRE_ID },
	{ S("1.2.3-a."), MSG_PRE_ID },
	{ S("1.2.3-."), MSG_PRE_ID },
	{ S("1.2.3-a b"), MSG_PRE_CHAR },
	{ S("1.2.3-a\0"), MSG_PRE_CHAR },
	{ S("1.2.3-\xc3\xa4"), MSG_PRE_CHAR },
	{ S("1.2.3-a/b"), MSG_PRE_CHAR },
	{ S("1.2.3-00"), MSG_PRE_LZ },
	{ S("1.2.3-01"), MSG_PRE_LZ },
	{ S("1.2.3-alpha.00"), MSG_PRE_LZ },
	{ S("1.2.3-alpha.01+b"), MSG_PRE_LZ },
	/* build metadata */
	{ S("1.2.3+"), MSG_BUILD_EMPTY },
	{ S("1.2.3-a+"), MSG_BUILD_EMPTY },
	{ S("1.2.3+a..b"), MSG_BUILD_ID },
	{ S("1.2.3+a."), MSG_BUILD_ID },
	{ S("1.2.3+a_b"), MSG_BUILD_CHAR },
	{ S("1.2.3++"), MSG_BUILD_CHAR },
	{ S("1.2.3+a\n"), MSG_BUILD_CHAR },
	/* the length bounds the parse */
	{ "1.2.3", 3, MSG_PARTS },
	{ "1.2.3-", 4, "version has an empty patch part" },
};

/* Strictly increasing precedence (SemVer 11, spec examples included). */
static const char *const chain[] = {
	"0.0.0-0",
	"0.0.0",
	"0.0.1",
	"0.1.0",
	"0.9.0",
	"0.10.0",
	"1.0.0-0",
	"1.0.0-1",
	"1.0.0-2",
	"1.0.0-10",
	"1.0.0-99999999999999999999",
	"1.0.0-100000000000000000000",
	"1.0.0-123456789012345678901234567890",
	"1.0.0-123456789012345678901234567891",
	"1.0.0--",
	"1.0.0-0a",
	"1.0.0-A",
	"1.0.0-Z",
	"1.0.0-a",
	"1.0.0-alpha",
	"1.0.0-alpha.1",
	"1.0.0-alpha.1.0",
	"1.0.0-alpha.2",
	"1.0.0-alpha.beta",
	"1.0.0-alpha-1",
	"1.0.0-alpha0",
	"1.0.0-beta",
	"1.0.0-beta.2",
	"1.0.0-beta.11",
	"1.0.0-rc.1",
	"1.0.0",
	"1.0.1",
	"1.1.0",
	"1.2.0",
	"1.10.0",
	"2.0.0",
	"2.1.0",
	"2.1.1",
	"10.0.0",
	"18446744073709551615.0.0",
};

/* Equal precedence: build metadata is ignored. */
static const struct {
	const char *a, *b;
} same[] = {
	{ "1.0.0", "1.0.0" },
	{ "1.0.0", "1.0.0+build" },
	{ "1.0.0+a", "1.0.0+b" },
	{ "1.0.0-rc.1+x", "1.0.0-rc.1+y.z" },
	{ "1.0.0-alpha", "1.0.0-alpha+001" },
	{ "1.0.0-123456789012345678901234567890+a",
	    "1.0.0-123456789012345678901234567890" },
};

static int
sgn(int c)
{
	return (c > 0) - (c < 0);
}

static bool
parse_ok(const char *s, struct semver *v)
{
	const char *why = NULL;

	return semver_parse(s, strlen(s), v, &why) == REG_OK;
}

/* Field by field: the struct has padding, so no memcmp of the whole. */
static bool
same_struct(const struct semver *a, const struct semver *b)
{
	return a->major == b->major && a->minor == b->minor &&
	    a->patch == b->patch &&
	    memcmp(a->pre, b->pre, sizeof(a->pre)) == 0 &&
	    memcmp(a->build, b->build, sizeof(a->build)) == 0;
}

static void
test_fields(void)
{
	size_t i;

	for (i = 0; i < nitems(field_cases); i++) {
		const struct field_case *c = &field_cases[i];
		struct semver v;

		if (!T_OK(parse_ok(c->in, &v), "parse \"%s\"", c->in))
			continue;
		T_OK(v.major == c->major && v.minor == c->minor &&
		        v.patch == c->patch,
		    "\"%s\" is %" PRIu64 ".%" PRIu64 ".%" PRIu64, c->in,
		    v.major, v.minor, v.patch);
		T_OK(strcmp(v.pre, c->pre) == 0, "\"%s\" pre \"%s\"", c->in,
		    v.pre);
		T_OK(strcmp(v.build, c->build) == 0, "\"%s\" build \"%s\"",
		    c->in, v.build);
		T_OK(semver_is_prerelease(&v) == (c->pre[0] != '\0'),
		    "\"%s\" is_prerelease", c->in);
	}
}

static void
test_valid(void)
{
	char buf[3 * SEMVER_BUFSZ];
	size_t i;

	for (i = 0; i < nitems(valid); i++) {
		struct semver v;
		const char *why = "unset";
		enum reg_err er;

		er = semver_parse(valid[i], strlen(valid[i]), &v, &why);
		if (!T_OK(er == REG_OK, "valid \"%s\" (%s)", valid[i],
		        er == REG_OK ? "ok" : why))
			continue;
		T_OK(strcmp(why, "unset") == 0, "\"%s\": why untouched",
		    valid[i]);
		(void)snprintf(buf, sizeof(buf),
		    "%" PRIu64 ".%" PRIu64 ".%" PRIu64 "%s%s%s%s", v.major,
		    v.minor, v.patch, v.pre[0] != '\0' ? "-" : "", v.pre,
		    v.build[0] != '\0' ? "+" : "", v.build);
		T_OK(strcmp(buf, valid[i]) == 0, "\"%s\" prints back as \"%s\"",
		    valid[i], buf);
		T_OK(semver_is_prerelease(&v) ==
		        (strcspn(valid[i], "-") < strcspn(valid[i], "+")),
		    "\"%s\" is_prerelease", valid[i]);
		/* why may be NULL */
		T_OK(semver_parse(valid[i], strlen(valid[i]), &v, NULL) ==
		        REG_OK,
		    "\"%s\" with why NULL", valid[i]);
	}
}

static void
test_invalid(void)
{
	size_t i;

	for (i = 0; i < nitems(invalid); i++) {
		const struct bad_case *c = &invalid[i];
		struct semver v, before;
		const char *why = NULL;
		enum reg_err er;

		memset(&v, 0xa5, sizeof(v));
		memset(&before, 0xa5, sizeof(before));
		er = semver_parse(c->in, c->len, &v, &why);
		T_OK(er == REG_EINVAL,
		    "invalid case %zu \"%.*s\" is REG_EINVAL", i, (int)c->len,
		    c->in != NULL ? c->in : "");
		T_OK(why != NULL && strcmp(why, c->why) == 0,
		    "invalid case %zu: why \"%s\", want \"%s\"", i,
		    why != NULL ? why : "(null)", c->why);
		T_OK(same_struct(&v, &before),
		    "invalid case %zu: out untouched", i);
		T_OK(semver_parse(c->in, c->len, &v, NULL) == REG_EINVAL,
		    "invalid case %zu with why NULL", i);
	}
}

static void
test_chain(void)
{
	struct semver *v;
	size_t i, j, n = nitems(chain);

	v = calloc(n, sizeof(*v));
	if (v == NULL) {
		T_OK(false, "calloc");
		return;
	}
	for (i = 0; i < n; i++)
		if (!T_OK(parse_ok(chain[i], &v[i]), "chain \"%s\"", chain[i]))
			goto out;
	/* every pair, both ways: cmp agrees with the index order */
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int want = (i > j) - (i < j);
			int got = semver_cmp(&v[i], &v[j]);
			int gots = semver_cmp_str(chain[i], chain[j]);

			if (got != want || sgn(gots) != want)
				T_OK(false,
				    "cmp(\"%s\", \"%s\") = %d/%d, want %d",
				    chain[i], chain[j], got, gots, want);
		}
	}
	T_OK(true, "%zu x %zu chain comparisons", n, n);
	for (i = 0; i + 1 < n; i++)
		T_OK(semver_cmp(&v[i], &v[i + 1]) < 0, "\"%s\" < \"%s\"",
		    chain[i], chain[i + 1]);
out:
	free(v);
}

static void
test_same(void)
{
	size_t i;

	for (i = 0; i < nitems(same); i++) {
		struct semver a, b;

		if (!T_OK(parse_ok(same[i].a, &a) && parse_ok(same[i].b, &b),
		        "parse \"%s\", \"%s\"", same[i].a, same[i].b))
			continue;
		T_OK(semver_cmp(&a, &b) == 0 && semver_cmp(&b, &a) == 0,
		    "\"%s\" == \"%s\" in precedence", same[i].a, same[i].b);
		/* the total order still separates them, by build bytes */
		T_OK(sgn(semver_cmp_str(same[i].a, same[i].b)) ==
		        sgn(strcmp(same[i].a, same[i].b)),
		    "cmp_str(\"%s\", \"%s\") follows the build metadata",
		    same[i].a, same[i].b);
	}
}

static int
cmp_str_qsort(const void *a, const void *b)
{
	return semver_cmp_str(*(const char *const *)a, *(const char *const *)b);
}

static void
test_cmp_str(void)
{
	const char *in[] = { "garbage", "1.0.0+b", "1.0.0", "v1.0.0", "1.0.0+a",
		"0.9.0", "1.0.0-rc.1", "", "1.0.0+a.1", "1.0.0+0", "01.0.0",
		"1.0.0+A" };
	static const char *const want[] = { "", "01.0.0", "garbage", "v1.0.0",
		"0.9.0", "1.0.0-rc.1", "1.0.0", "1.0.0+0", "1.0.0+A", "1.0.0+a",
		"1.0.0+a.1", "1.0.0+b" };
	size_t i, j;
	bool ok = true;

	qsort(in, nitems(in), sizeof(in[0]), cmp_str_qsort);
	for (i = 0; i < nitems(in); i++)
		if (strcmp(in[i], want[i]) != 0)
			ok = T_OK(false, "sorted[%zu] \"%s\", want \"%s\"", i,
			    in[i], want[i]);
	T_OK(ok, "cmp_str sorts unparsable first, then precedence, build");

	/* antisymmetric, and 0 only for identical strings */
	for (i = 0; i < nitems(in); i++)
		for (j = 0; j < nitems(in); j++) {
			int c = semver_cmp_str(in[i], in[j]);

			if (c != -semver_cmp_str(in[j], in[i]) ||
			    (c == 0) != (i == j))
				T_OK(false, "cmp_str(\"%s\", \"%s\") = %d",
				    in[i], in[j], c);
		}
	T_OK(semver_cmp_str(NULL, NULL) == 0, "cmp_str(NULL, NULL)");
	T_OK(semver_cmp_str(NULL, "") < 0, "NULL sorts first");
	T_OK(semver_cmp_str("1.0.0", NULL) > 0, "NULL sorts first (2)");
}

int
main(void)
{
	test_fields();
	test_valid();
	test_invalid();
	test_chain();
	test_same();
	test_cmp_str();
	return t_done();
}
