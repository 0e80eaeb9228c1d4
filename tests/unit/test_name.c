/*
 * common/name: namespace/name and system grammars (spec 2.1), and
 * name_lower.  One table of (input, length, name_valid, system_valid).
 */
#include <string.h>

#include "../lib/t.h"
#include "../../common/name.h"

#define S(lit) lit, sizeof(lit) - 1

/* 64 and 65 characters */
#define L64 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789ab"
#define L65 L64 "c"

struct name_case {
	const char *in;
	size_t len;
	bool name, system;
};

static const struct name_case cases[] = {
	{ S("a"), true, true },
	{ S("Z"), true, false },
	{ S("0"), true, true },
	{ S("9"), true, true },
	{ S("ab"), true, true },
	{ S("hashicorp"), true, true },
	{ S("consul"), true, true },
	{ S("aws"), true, true },
	{ S("null"), true, true },
	{ S("NULL"), true, false }, /* upper case: name yes, system no */
	{ S("Null"), true, false },
	{ S("ACME"), true, false },
	{ S("terraform-aws-modules"), true, false },
	{ S("my_module"), true, false },
	{ S("a-b"), true, false },
	{ S("a_b"), true, false },
	{ S("a--b"), true, false },
	{ S("a__b"), true, false },
	{ S("a-_-b"), true, false },
	{ S("1-2"), true, false },
	{ S("vpc2"), true, true },
	{ S("2vpc"), true, true },
	{ S(L64), true, true },
	{ S("A"
	    "bcdefghijklmnopqrstuvwxyz-bcdefghijklmnopqrstuvwxyz_123456789Z"),
	    true, false },
	/* length */
	{ S(""), false, false },
	{ NULL, 0, false, false },
	{ S(L65), false, false },
	/* first and last character must be alphanumeric */
	{ S("-"), false, false },
	{ S("_"), false, false },
	{ S("-a"), false, false },
	{ S("a-"), false, false },
	{ S("_a"), false, false },
	{ S("a_"), false, false },
	{ S("--"), false, false },
	{ S("-ab-"), false, false },
	/* characters outside the classes */
	{ S("a.b"), false, false },
	{ S("a/b"), false, false },
	{ S(".."), false, false },
	{ S("."), false, false },
	{ S("a b"), false, false },
	{ S(" a"), false, false },
	{ S("a "), false, false },
	{ S("a\n"), false, false },
	{ S("a%2fb"), false, false },
	{ S("a+b"), false, false },
	{ S("a:b"), false, false },
	{ S("a@b"), false, false },
	{ S("a[b"), false, false },
	{ S("a`b"), false, false },
	{ S("a{b"), false, false },
	{ S("\xc3\xa9"), false, false },   /* e-acute */
	{ S("a\xc3\xa9z"), false, false }, /* inside */
	{ S("a\0b"), false, false },
	{ S("a\0"), false, false },
	{ S("\0"), false, false },
	/* the length argument bounds the check: "ab" of "ab-" */
	{ "ab-", 2, true, true },
	{ "a/", 1, true, true },
	{ "a-b", 2, false, false },
};

static void
test_valid(void)
{
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		const struct name_case *c = &cases[i];

		T_OK(name_valid(c->in, c->len) == c->name,
		    "name_valid case %zu (len %zu) is %s", i, c->len,
		    c->name ? "true" : "false");
		T_OK(system_valid(c->in, c->len) == c->system,
		    "system_valid case %zu (len %zu) is %s", i, c->len,
		    c->system ? "true" : "false");
	}
}

struct lower_case {
	const char *in;
	size_t len;
	size_t dstsz;
	const char *want;
};

static const struct lower_case lower_cases[] = {
	{ S("HashiCorp"), 64, "hashicorp" }, { S("ACME"), 5, "acme" },
	{ S("already-lower_9"), 64, "already-lower_9" },
	{ S("AZaz@[`{09"), 64, "azaz@[`{09" }, /* class edges */
	{ S("\xc3\x89"), 8, "\xc3\x89" },      /* non-ASCII untouched */
	{ S(""), 1, "" },
	{ S("ABC"), 3, "ab" }, /* dstsz <= len: truncated, still NUL */
	{ S("ABC"), 1, "" },
	{ "ABCDEF", 3, 64, "abc" }, /* the length bounds the read */
};

static void
test_lower(void)
{
	size_t i;

	for (i = 0; i < nitems(lower_cases); i++) {
		const struct lower_case *c = &lower_cases[i];
		char dst[NAME_BUFSZ];

		memset(dst, 'X', sizeof(dst));
		name_lower(dst, c->dstsz, c->in, c->len);
		T_OK(strcmp(dst, c->want) == 0, "name_lower case %zu: \"%s\"",
		    i, dst);
	}

	/* dstsz 0 writes nothing */
	{
		char dst[2] = { 'X', 'Y' };

		name_lower(dst, 0, "AB", 2);
		T_OK(dst[0] == 'X' && dst[1] == 'Y', "name_lower dstsz 0");
	}
	/* an embedded NUL is copied as a byte, not a terminator */
	{
		char dst[4];

		name_lower(dst, sizeof(dst), "A\0B", 3);
		T_OK(memcmp(dst, "a\0b", 4) == 0, "name_lower embedded NUL");
	}
}

int
main(void)
{
	T_OK(strlen(L64) == NAME_MAX_LEN, "L64 is NAME_MAX_LEN long");
	test_valid();
	test_lower();
	return t_done();
}
