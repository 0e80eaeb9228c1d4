/*
 * tests/unit/test_urlsig.c: auth/urlsig: sign/verify round trip, any
 * parameter order, and one row per way a link must be refused.  A
 * signature is also computed here, independently of urlsig.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/urlsig.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "tests/lib/t.h"

#define NOW INT64_C(1700000000)
#define EXP "1700000600"
#define PATH "/v1/archives/acme/hello/null/1.2.0/hello-1.2.0.tar.gz"

static const unsigned char key_a[32] = { 7, 7, 7, 1 };
static const unsigned char key_b[32] = { 8 };
static struct keyring *kr_a, *kr_other, *kr_kb;
static char sig_a[44]; /* the signature of PATH, EXP, kid ka */

static struct keyring *
make_keyring(const char *kid, const unsigned char key[32])
{
	struct keyring_seed seed;
	struct keyring *kr = NULL;

	seed.kid = kid;
	memcpy(seed.key, key, 32);
	if (keyring_from_bytes(&seed, 1, &kr) != REG_OK)
		exit(2);
	return kr;
}

/* base64url(HMAC(HMAC(key, "reg1-archive-url"), msg)) */
static void
sign_msg(const unsigned char key[32], const char *msg, char out[44])
{
	unsigned char sub[32], mac[32];

	if (cryptow_hmac_sha256(key, 32, "reg1-archive-url", 16, sub) !=
	        REG_OK ||
	    cryptow_hmac_sha256(sub, 32, msg, strlen(msg), mac) != REG_OK)
		exit(2);
	(void)b64url_encode(mac, 32, out);
}

static void
expect(const struct keyring *kr, const char *path, const char *q, int64_t now,
    enum reg_err want, const char *want_why, const char *name)
{
	const char *why = NULL;
	enum reg_err er;

	er = urlsig_verify(kr, path, q, strlen(q), now, &why);
	T_OK(er == want && why != NULL &&
	        (want_why == NULL || strcmp(why, want_why) == 0),
	    "%s: %s (%s)", name, reg_err_str(er), why != NULL ? why : "-");
}

static void
test_round_trip(void)
{
	char want[160];
	struct buf b;
	enum reg_err er;

	buf_init(&b, 1024);
	er = buf_adds(&b, PATH "?");
	if (er == REG_OK)
		er = urlsig_sign(kr_a, PATH, 1700000600, &b);
	(void)snprintf(want, sizeof(want), "%s?exp=%s&kid=ka&sig=%s", PATH, EXP,
	    sig_a);
	T_OK(er == REG_OK && strcmp(buf_cstr(&b), want) == 0,
	    "sign appends exp, kid, sig (signature computed independently)");
	expect(kr_a, PATH, buf_cstr(&b) + strlen(PATH) + 1, NOW, REG_OK, "ok",
	    "verify what was signed");
	expect(kr_a, PATH, buf_cstr(&b) + strlen(PATH) + 1, NOW + 599, REG_OK,
	    "ok", "still valid one second before exp");
	expect(kr_a, PATH, buf_cstr(&b) + strlen(PATH) + 1, NOW + 600,
	    REG_EPERM, "link expired", "expired at exp");
	expect(kr_a, PATH, buf_cstr(&b) + strlen(PATH) + 1, NOW + 600000,
	    REG_EPERM, "link expired", "expired long after");
	buf_release(&b);

	/* sign refusals, and out unchanged on failure */
	buf_init(&b, 1024);
	T_OK(urlsig_sign(kr_a, "relative/path", 10, &b) == REG_EINVAL &&
	        b.len == 0,
	    "sign refuses a relative path");
	T_OK(urlsig_sign(kr_a, "/a b", 10, &b) == REG_EINVAL,
	    "sign refuses a space in the path");
	T_OK(urlsig_sign(kr_a, "", 10, &b) == REG_EINVAL,
	    "sign refuses an empty path");
	T_OK(urlsig_sign(kr_a, PATH, 0, &b) == REG_EINVAL,
	    "sign refuses exp 0");
	T_OK(urlsig_sign(kr_a, PATH, URLSIG_TIME_MAX + 1, &b) == REG_EINVAL,
	    "sign refuses exp beyond 9999");
	buf_release(&b);
	buf_init(&b, 20);
	T_OK(urlsig_sign(kr_a, PATH, 10, &b) == REG_ETOOBIG && b.len == 0,
	    "sign honours the buffer cap");
	buf_release(&b);
}

/* Expand a query template: '@' is sig_a, '#' its first 42 characters. */
static void
fill(const char *tmpl, char *out, size_t outsz)
{
	size_t o = 0, n;

	for (; *tmpl != '\0'; tmpl++) {
		n = *tmpl == '@' ? 43 : *tmpl == '#' ? 42 : 1;
		if (o + n >= outsz)
			exit(2);
		memcpy(out + o, n == 1 ? tmpl : sig_a, n);
		o += n;
	}
	out[o] = '\0';
}

static void
test_queries(void)
{
	static const struct {
		const char *name;
		const char *tmpl; /* '@': sig of PATH/EXP/ka, '#': 42 of it */
		enum reg_err want;
		const char *why;
	} tab[] = {
		{ "order exp kid sig", "exp=" EXP "&kid=ka&sig=@", REG_OK,
		    "ok" },
		{ "order sig kid exp", "sig=@&kid=ka&exp=" EXP, REG_OK, "ok" },
		{ "order kid exp sig", "kid=ka&exp=" EXP "&sig=@", REG_OK,
		    "ok" },
		{ "order kid sig exp", "kid=ka&sig=@&exp=" EXP, REG_OK, "ok" },
		{ "order exp sig kid (go-getter sorts)",
		    "exp=" EXP "&kid=ka&sig=@", REG_OK, "ok" },
		{ "order sig exp kid", "sig=@&exp=" EXP "&kid=ka", REG_OK,
		    "ok" },
		{ "duplicate exp", "exp=" EXP "&exp=" EXP "&kid=ka&sig=@",
		    REG_EPERM, "duplicate query parameter" },
		{ "duplicate kid", "exp=" EXP "&kid=ka&kid=ka&sig=@", REG_EPERM,
		    "duplicate query parameter" },
		{ "duplicate sig", "exp=" EXP "&kid=ka&sig=@&sig=x", REG_EPERM,
		    "duplicate query parameter" },
		{ "unknown parameter", "exp=" EXP "&kid=ka&sig=@&foo=1",
		    REG_EPERM, "unknown query parameter" },
		{ "checksum left in", "exp=" EXP "&kid=ka&sig=@&checksum=x",
		    REG_EPERM, "unknown query parameter" },
		{ "upper-case name", "EXP=" EXP "&kid=ka&sig=@", REG_EPERM,
		    "unknown query parameter" },
		{ "percent-encoded name", "%65xp=" EXP "&kid=ka&sig=@",
		    REG_EPERM, "unknown query parameter" },
		{ "missing exp", "kid=ka&sig=@", REG_EPERM,
		    "missing query parameter" },
		{ "missing kid", "exp=" EXP "&sig=@", REG_EPERM,
		    "missing query parameter" },
		{ "missing sig", "exp=" EXP "&kid=ka", REG_EPERM,
		    "missing query parameter" },
		{ "empty query", "", REG_EPERM, "missing signature" },
		{ "trailing &", "exp=" EXP "&kid=ka&sig=@&", REG_EPERM,
		    "malformed query parameter" },
		{ "leading &", "&exp=" EXP "&kid=ka&sig=@", REG_EPERM,
		    "malformed query parameter" },
		{ "&& inside", "exp=" EXP "&&kid=ka&sig=@", REG_EPERM,
		    "malformed query parameter" },
		{ "no =", "exp=" EXP "&kid&sig=@", REG_EPERM,
		    "malformed query parameter" },
		{ "empty name", "exp=" EXP "&=ka&sig=@", REG_EPERM,
		    "malformed query parameter" },
		{ "; separator", "exp=" EXP ";kid=ka&sig=@", REG_EPERM,
		    "missing query parameter" },
		{ "; separator, all present", "exp=" EXP ";x=1&kid=ka&sig=@",
		    REG_EPERM, "bad exp" },
		{ "exp empty", "exp=&kid=ka&sig=@", REG_EPERM, "bad exp" },
		{ "exp leading zero", "exp=0" EXP "&kid=ka&sig=@", REG_EPERM,
		    "bad exp" },
		{ "exp with +", "exp=%2B" EXP "&kid=ka&sig=@", REG_EPERM,
		    "bad exp" },
		{ "exp negative", "exp=-1&kid=ka&sig=@", REG_EPERM, "bad exp" },
		{ "exp 1e9", "exp=1e9&kid=ka&sig=@", REG_EPERM, "bad exp" },
		{ "exp overflow", "exp=99999999999999999999999&kid=ka&sig=@",
		    REG_EPERM, "bad exp" },
		{ "exp beyond 9999", "exp=253402300800&kid=ka&sig=@", REG_EPERM,
		    "bad exp" },
		{ "exp with space", "exp=" EXP " &kid=ka&sig=@", REG_EPERM,
		    "bad exp" },
		{ "exp changed (extended)", "exp=1700000601&kid=ka&sig=@",
		    REG_EPERM, "bad signature" },
		{ "exp in the past", "exp=1699999999&kid=ka&sig=@", REG_EPERM,
		    "link expired" },
		{ "exp = now", "exp=1700000000&kid=ka&sig=@", REG_EPERM,
		    "link expired" },
		{ "exp too far ahead", "exp=1700086461&kid=ka&sig=@", REG_EPERM,
		    "link expiry too far ahead" },
		{ "exp at the ttl limit", "exp=1700086460&kid=ka&sig=@",
		    REG_EPERM, "bad signature" },
		{ "kid unknown", "exp=" EXP "&kid=kz&sig=@", REG_ENOENT,
		    "unknown key id" },
		{ "kid empty", "exp=" EXP "&kid=&sig=@", REG_EPERM, "bad kid" },
		{ "kid upper-case", "exp=" EXP "&kid=KA&sig=@", REG_EPERM,
		    "bad kid" },
		{ "kid percent-encoded", "exp=" EXP "&kid=%6ba&sig=@",
		    REG_EPERM, "bad kid" },
		{ "sig empty", "exp=" EXP "&kid=ka&sig=", REG_EPERM,
		    "bad signature encoding" },
		{ "sig padded", "exp=" EXP "&kid=ka&sig=@=", REG_EPERM,
		    "bad signature encoding" },
		{ "sig truncated", "exp=" EXP "&kid=ka&sig=#", REG_EPERM,
		    "bad signature encoding" },
		{ "sig of zeros",
		    "exp=" EXP
		    "&kid=ka&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    REG_EPERM, "bad signature" },
	};
	char q[512];
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		fill(tab[i].tmpl, q, sizeof(q));
		expect(kr_a, PATH, q, NOW, tab[i].want, tab[i].why,
		    tab[i].name);
	}
}

static void
test_tamper(void)
{
	char q[256], bad[44], over[600];
	size_t i;

	(void)snprintf(q, sizeof(q), "exp=%s&kid=ka&sig=%s", EXP, sig_a);
	expect(kr_a, PATH, q, NOW, REG_OK, "ok", "baseline");
	expect(kr_a, "/v1/archives/acme/hello/null/1.2.1/hello-1.2.1.tar.gz", q,
	    NOW, REG_EPERM, "bad signature", "other path");
	expect(kr_a, PATH "x", q, NOW, REG_EPERM, "bad signature",
	    "path with a byte appended");
	expect(kr_a, "/v1/archives/acme/hello/null/1.2.0/hello-1.2.0.zip", q,
	    NOW, REG_EPERM, "bad signature", "other file name");
	expect(kr_a, "v1/archives", q, NOW, REG_EPERM, "bad archive path",
	    "relative path");
	expect(kr_a, "/a b", q, NOW, REG_EPERM, "bad archive path",
	    "space in path");
	expect(kr_other, PATH, q, NOW, REG_EPERM, "bad signature",
	    "same kid, other key");
	expect(kr_kb, PATH, q, NOW, REG_ENOENT, "unknown key id",
	    "unknown kid is REG_ENOENT");

	/* every single-character change of the signature (not the last,
	 * whose low bits are padding) is refused */
	for (i = 0; i < 42; i++) {
		memcpy(bad, sig_a, sizeof(bad));
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		(void)snprintf(q, sizeof(q), "exp=%s&kid=ka&sig=%s", EXP, bad);
		expect(kr_a, PATH, q, NOW, REG_EPERM, "bad signature",
		    "sig character changed");
	}

	/* a signature made with the token sub-key (domain separation) */
	{
		unsigned char sub[32], mac[32];
		const char *msg = "archive\n" PATH "\n" EXP "\nka";

		if (cryptow_hmac_sha256(key_a, 32, "reg1-token", 10, sub) !=
		        REG_OK ||
		    cryptow_hmac_sha256(sub, 32, msg, strlen(msg), mac) !=
		        REG_OK)
			exit(2);
		(void)b64url_encode(mac, 32, bad);
		(void)snprintf(q, sizeof(q), "exp=%s&kid=ka&sig=%s", EXP, bad);
		expect(kr_a, PATH, q, NOW, REG_EPERM, "bad signature",
		    "signature made with the token sub-key");
	}
	/* the method label is fixed: a "GET\n" message does not verify */
	sign_msg(key_a, "GET\n" PATH "\n" EXP "\nka", bad);
	(void)snprintf(q, sizeof(q), "exp=%s&kid=ka&sig=%s", EXP, bad);
	expect(kr_a, PATH, q, NOW, REG_EPERM, "bad signature",
	    "signature over another label");

	memset(over, 'a', sizeof(over));
	memcpy(over, "exp=", 4);
	over[sizeof(over) - 1] = '\0';
	expect(kr_a, PATH, over, NOW, REG_EPERM, "query too long",
	    "query over the cap");
}

/* A longest path signs and verifies; one byte more is refused. */
static void
test_long_path(void)
{
	char path[URLSIG_PATH_MAX + 2];
	const char *why;
	struct buf b;
	enum reg_err er;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[URLSIG_PATH_MAX] = '\0';
	buf_init(&b, 1024);
	er = urlsig_sign(kr_a, path, NOW + 60, &b);
	T_OK(er == REG_OK, "sign a %d-byte path", URLSIG_PATH_MAX);
	er = urlsig_verify(kr_a, path, buf_cstr(&b), b.len, NOW, &why);
	T_OK(er == REG_OK, "verify a %d-byte path", URLSIG_PATH_MAX);
	path[URLSIG_PATH_MAX] = 'p';
	path[URLSIG_PATH_MAX + 1] = '\0';
	er = urlsig_verify(kr_a, path, buf_cstr(&b), b.len, NOW, &why);
	T_OK(er == REG_EPERM && strcmp(why, "bad archive path") == 0,
	    "a longer path is refused");
	buf_reset(&b);
	T_OK(urlsig_sign(kr_a, path, NOW + 60, &b) == REG_EINVAL,
	    "sign refuses a longer path");
	buf_release(&b);
}

int
main(void)
{
	log_init("test_urlsig", 0, LOG_LVL_WARN);
	kr_a = make_keyring("ka", key_a);
	kr_other = make_keyring("ka", key_b);
	kr_kb = make_keyring("kb", key_a);
	sign_msg(key_a, "archive\n" PATH "\n" EXP "\nka", sig_a);
	test_round_trip();
	test_queries();
	test_tamper();
	test_long_path();
	keyring_free(kr_a);
	keyring_free(kr_other);
	keyring_free(kr_kb);
	return t_done();
}
