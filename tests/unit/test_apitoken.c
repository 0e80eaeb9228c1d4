/*
 * tests/unit/test_apitoken.c: auth/apitoken: generation, hashing (a
 * vector computed outside this code base), shape check, name grammar.
 */
#include <string.h>

#include "auth/apitoken.h"
#include "common/codec.h"
#include "common/log.h"
#include "tests/lib/t.h"

/* base64url of the bytes 00..1f, and its SHA-256 (Python hashlib). */
#define TOK_0_31 "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define TOK_0_31_SHA256 \
	"19a31aeafa8756af8be3efbce00d83c2bdee75a7fb101ae94a9e7cacc76c8764"

static void
test_generate(void)
{
	char a[APITOKEN_BUFSZ], b[APITOKEN_BUFSZ];
	enum reg_err ea, eb;

	ea = apitoken_generate(a);
	eb = apitoken_generate(b);
	T_OK(ea == REG_OK && eb == REG_OK, "generate twice");
	T_OK(strlen(a) == APITOKEN_LEN && strncmp(a, "regt_", 5) == 0,
	    "48 characters with the prefix");
	T_OK(apitoken_looks_like(a, strlen(a)) &&
	        apitoken_looks_like(b, strlen(b)),
	    "generated tokens look like tokens");
	T_OK(strcmp(a, b) != 0, "two tokens differ");
}

static void
test_hash(void)
{
	unsigned char h[32], h2[32];
	char hex[65];
	enum reg_err er;

	er = apitoken_hash(TOK_0_31, strlen(TOK_0_31), h);
	hex_encode(h, sizeof(h), hex);
	T_OK(er == REG_OK && strcmp(hex, TOK_0_31_SHA256) == 0,
	    "hash vector: %s", hex);
	er = apitoken_hash(TOK_0_31 "x", strlen(TOK_0_31), h2);
	T_OK(er == REG_OK && memcmp(h, h2, 32) == 0,
	    "hash reads exactly len bytes");
}

static void
test_looks_like(void)
{
	static const struct {
		const char *tok;
		size_t len; /* 0: strlen */
		bool ok;
	} tab[] = {
		{ TOK_0_31, 0, true },
		{ "regt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, true },
		{ "regt_"
		  "___________________________________________"
		  "w",
		    0, false }, /* 49 */
		{ "regt_"
		  "__________________________________________"
		  "w",
		    0, true },
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh", 0,
		    false }, /* 47 */
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", 0,
		    false }, /* 49 */
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", 0,
		    false }, /* trailing bits not zero */
		{ "regT_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0,
		    false },
		{ "regt-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0,
		    false },
		{ "reg1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0,
		    false },
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd+h8", 0,
		    false }, /* standard alphabet */
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd/h8", 0,
		    false },
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=", 0,
		    false }, /* padding */
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd h8", 0,
		    false },
		{ "regt_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\0h8", 48,
		    false },
		{ "", 0, false },
		{ "regt_", 0, false },
	};
	size_t i, len;

	for (i = 0; i < nitems(tab); i++) {
		len = tab[i].len != 0 ? tab[i].len : strlen(tab[i].tok);
		T_OK(apitoken_looks_like(tab[i].tok, len) == tab[i].ok,
		    "looks_like row %zu == %d", i, tab[i].ok);
	}
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} tab[] = {
		{ "ci", true },
		{ "a", true },
		{ "0", true },
		{ "ci-bot.prod_1", true },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaa",
		    true }, /* 64 */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaa",
		    false }, /* 65 */
		{ "", false },
		{ "-ci", false },
		{ ".ci", false },
		{ "_ci", false },
		{ "CI", false },
		{ "ci bot", false },
		{ "ci:bot", false },
		{ "ci/bot", false },
		{ "ci*", false },
		{ "ci\n", false },
	};
	char key[APITOKEN_PRINCIPAL_BUFSZ];
	enum reg_err er;
	size_t i;

	for (i = 0; i < nitems(tab); i++)
		T_OK(apitoken_name_valid(tab[i].name, strlen(tab[i].name)) ==
		        tab[i].ok,
		    "name row %zu == %d", i, tab[i].ok);
	er = apitoken_principal("ci-bot", 6, key);
	T_OK(er == REG_OK && strcmp(key, "token:ci-bot") == 0,
	    "principal key token:ci-bot");
	er = apitoken_principal(tab[4].name, 64, key);
	T_OK(er == REG_OK && strlen(key) == 70, "longest principal key fits");
	memcpy(key, "unchanged", 10);
	er = apitoken_principal("Bad", 3, key);
	T_OK(er == REG_EINVAL && strcmp(key, "unchanged") == 0,
	    "bad name refused, out untouched");
}

int
main(void)
{
	log_init("test_apitoken", 0, LOG_LVL_WARN);
	test_generate();
	test_hash();
	test_looks_like();
	test_names();
	return t_done();
}
