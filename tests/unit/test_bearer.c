/*
 * tests/unit/test_bearer.c: auth/bearer: issue/verify round trip, time
 * boundaries, and one row per way a token must be refused.  Hand-built
 * tokens are signed here, independently of bearer.c, with the sub-key
 * HMAC(key, "reg1-token").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/bearer.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "tests/lib/t.h"

#define NOW INT64_C(1700000000)

static const unsigned char key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const unsigned char key_b[32] = { 9, 9, 9 };

static struct keyring *kr_a;     /* kid "ka", key_a */
static struct keyring *kr_other; /* kid "ka", key_b */
static struct keyring *kr_kb;    /* kid "kb", key_a */

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

/*
 * "reg1." b64url(json) "." b64url(HMAC(HMAC(key, label), "reg1." ...)),
 * built without bearer.c.  label NULL signs with the raw key.
 */
static void
sign_json(const unsigned char key[32], const char *label, const char *json,
    char *out, size_t outsz)
{
	unsigned char sub[32], mac[32];
	size_t off;

	if (outsz < 5 + b64url_enclen(strlen(json)) + 1 + 43 + 1)
		exit(2);
	if (label != NULL) {
		if (cryptow_hmac_sha256(key, 32, label, strlen(label), sub) !=
		    REG_OK)
			exit(2);
	} else {
		memcpy(sub, key, 32);
	}
	memcpy(out, "reg1.", 5);
	off = 5 +
	    b64url_encode((const unsigned char *)json, strlen(json), out + 5);
	if (cryptow_hmac_sha256(sub, 32, out, off, mac) != REG_OK)
		exit(2);
	out[off++] = '.';
	(void)b64url_encode(mac, 32, out + off);
}

/*
 * Verify tok and record one test point: the result must be want and, if
 * want_why is not NULL, the reason want_why.  The call comes first and
 * the message after, so the reason printed is this call's.
 */
static void
expect(const struct keyring *kr, const char *tok, size_t len, int64_t now,
    enum reg_err want, const char *want_why, const char *name)
{
	struct bearer_claims c;
	const char *why = NULL;
	enum reg_err er;

	er = bearer_verify(kr, tok, len, now, &c, &why);
	T_OK(er == want && why != NULL &&
	        (want_why == NULL || strcmp(why, want_why) == 0),
	    "%s: %s (%s)", name, reg_err_str(er), why != NULL ? why : "-");
}

static void
test_round_trip(void)
{
	struct bearer_claims in, got;
	const char *why = NULL;
	char *tok = NULL;
	size_t len;

	memset(&in, 0, sizeof(in));
	(void)snprintf(in.sub, sizeof(in.sub), "%s",
	    "aws:aws:123456789012:role:tf-publisher");
	(void)snprintf(in.arn, sizeof(in.arn), "%s",
	    "arn:aws:iam::123456789012:role/tf-publisher");
	(void)snprintf(in.ses, sizeof(in.ses), "%s", "i-0abc123def4567890");
	T_OK(bearer_issue(kr_a, &in, NOW, 3600, &tok) == REG_OK, "issue");
	if (tok == NULL)
		return;
	len = strlen(tok);
	T_OK(strncmp(tok, "reg1.", 5) == 0 && len <= BEARER_MAX_LEN,
	    "token shape, %zu bytes", len);
	T_OK(strcmp(in.kid, "ka") == 0 && in.iat == NOW &&
	        in.exp == NOW + 3600 && strlen(in.jti) == 32,
	    "issue fills kid, iat, exp, jti");
	memset(&got, 0, sizeof(got));
	expect(kr_a, tok, len, NOW, REG_OK, "ok", "verify");
	if (bearer_verify(kr_a, tok, len, NOW, &got, &why) != REG_OK)
		memset(&got, 0, sizeof(got));
	T_OK(strcmp(got.sub, in.sub) == 0 && strcmp(got.arn, in.arn) == 0 &&
	        strcmp(got.ses, in.ses) == 0 && strcmp(got.kid, "ka") == 0 &&
	        strcmp(got.jti, in.jti) == 0 && got.iat == NOW &&
	        got.exp == NOW + 3600,
	    "claims round trip");
	expect(kr_a, tok, len, NOW + 3599, REG_OK, "ok",
	    "valid one second before exp");
	expect(kr_a, tok, len, NOW + 3600, REG_EAUTH, "token expired",
	    "expired at exp");
	expect(kr_a, tok, len, NOW + 99999, REG_EAUTH, "token expired",
	    "expired long after exp");
	expect(kr_a, tok, len, NOW - 60, REG_OK, "ok",
	    "iat 60 s ahead of the verifier's clock is accepted");
	expect(kr_a, tok, len, NOW - 61, REG_EAUTH,
	    "token issued in the future", "iat 61 s ahead is refused");
	T_OK(bearer_verify(kr_a, tok, len, NOW, &got, NULL) == REG_OK,
	    "why may be NULL");
	cryptow_wipe(tok, len);
	free(tok);
}

/*
 * Decode the payload of tok (which ends at dot), replace the first from
 * with to (same length), re-encode it and keep the original mac.
 */
static size_t
retamper(const char *tok, size_t dot, const char *from, const char *to,
    char *out, size_t outsz)
{
	unsigned char json[1600];
	char *at;
	size_t n, off;

	if (b64url_decode(tok + 5, dot - 5, json, sizeof(json) - 1, &n) !=
	    REG_OK)
		exit(2);
	json[n] = '\0';
	at = strstr((char *)json, from);
	if (at == NULL || strlen(from) != strlen(to))
		exit(2);
	memcpy(at, to, strlen(to));
	memcpy(out, "reg1.", 5);
	off = 5 + b64url_encode(json, n, out + 5);
	if (off + strlen(tok + dot) + 1 > outsz)
		exit(2);
	memcpy(out + off, tok + dot, strlen(tok + dot) + 1);
	return off + strlen(tok + dot);
}

/* exp = now + ttl for every ttl, and the token dies exactly then. */
static void
test_ttls(void)
{
	static const int64_t ttls[] = { 1, 59, 60, 3600, BEARER_MAX_TTL - 1,
		BEARER_MAX_TTL };
	struct bearer_claims cl;
	char *tok;
	size_t i;

	for (i = 0; i < nitems(ttls); i++) {
		memset(&cl, 0, sizeof(cl));
		(void)snprintf(cl.sub, sizeof(cl.sub), "%s", "token:ci");
		cl.exp = -7;
		tok = NULL;
		T_OK(bearer_issue(kr_a, &cl, NOW + (int64_t)i, ttls[i], &tok) ==
		            REG_OK &&
		        cl.iat == NOW + (int64_t)i &&
		        cl.exp == NOW + (int64_t)i + ttls[i],
		    "ttl %lld: iat and exp filled", (long long)ttls[i]);
		if (tok == NULL)
			continue;
		expect(kr_a, tok, strlen(tok), cl.exp - 1, REG_OK, "ok",
		    "valid until exp - 1");
		expect(kr_a, tok, strlen(tok), cl.exp, REG_EAUTH,
		    "token expired", "expired at exp");
		free(tok);
	}
}

/* Tokens made by mutating a freshly issued one. */
static void
test_mutations(void)
{
	static const struct {
		const char *name;
		int op; /* see below */
		size_t arg;
		const char *why;
	} tab[] = {
		{ "tampered payload character", 1, 12, NULL },
		{ "tampered payload byte (sub token:ci -> token:di)", 14, 0,
		    "bad mac" },
		{ "tampered payload byte (exp + 1)", 15, 0, "bad mac" },
		{ "tampered mac byte", 2, 10, "bad mac" },
		{ "truncated by one", 3, 1,
		    "mac is not 32 bytes of base64url" },
		{ "truncated to the payload", 4, 0, "token has no mac part" },
		{ "extra dot at the end", 5, 0,
		    "token has more than three parts" },
		{ "extra dot inside the payload", 6, 8,
		    "token has more than three parts" },
		{ "padding = after the mac", 7, 0,
		    "mac is not 32 bytes of base64url" },
		{ "padding = after the payload", 8, 0,
		    "payload is not base64url" },
		{ "prefix reg2.", 9, 0, "not a reg1 token" },
		{ "prefix REG1.", 10, 0, "not a reg1 token" },
		{ "standard base64 '+' in mac", 11, 5,
		    "mac is not 32 bytes of base64url" },
		{ "space appended", 12, 0, "mac is not 32 bytes of base64url" },
		{ "NUL inside", 13, 20, "payload is not base64url" },
	};
	struct bearer_claims in;
	char *tok = NULL, buf[BEARER_MAX_LEN + 8];
	size_t i, len, dot, n;

	memset(&in, 0, sizeof(in));
	(void)snprintf(in.sub, sizeof(in.sub), "%s", "token:ci");
	if (bearer_issue(kr_a, &in, NOW, 600, &tok) != REG_OK)
		exit(2);
	len = strlen(tok);
	dot = (size_t)(strrchr(tok, '.') - tok);
	for (i = 0; i < nitems(tab); i++) {
		memcpy(buf, tok, len + 1);
		n = len;
		switch (tab[i].op) {
		case 1: /* change one payload character */
			buf[tab[i].arg] = buf[tab[i].arg] == 'A' ? 'B' : 'A';
			break;
		case 2: /* change one mac character (not the last) */
			buf[dot + tab[i].arg] =
			    buf[dot + tab[i].arg] == 'A' ? 'B' : 'A';
			break;
		case 3:
			n -= tab[i].arg;
			break;
		case 4:
			n = dot;
			break;
		case 5:
			buf[n++] = '.';
			break;
		case 6:
			buf[tab[i].arg] = '.';
			break;
		case 7:
			buf[n++] = '=';
			break;
		case 8:
			memmove(buf + dot + 1, buf + dot, n - dot);
			buf[dot] = '=';
			n++;
			break;
		case 9:
			buf[3] = '2';
			break;
		case 10:
			memcpy(buf, "REG1", 4);
			break;
		case 11:
			buf[dot + tab[i].arg] = '+';
			break;
		case 12:
			buf[n++] = ' ';
			break;
		case 13:
			buf[tab[i].arg] = '\0';
			break;
		case 14:
			n = retamper(tok, dot, "\"token:ci\"", "\"token:di\"",
			    buf, sizeof(buf));
			break;
		case 15:
			n = retamper(tok, dot, "\"exp\":1700000600",
			    "\"exp\":1700000601", buf, sizeof(buf));
			break;
		default:
			exit(2);
		}
		expect(kr_a, buf, n, NOW, REG_EAUTH, tab[i].why, tab[i].name);
	}
	expect(kr_a, tok, len, NOW, REG_OK, "ok", "the original verifies");
	expect(kr_other, tok, len, NOW, REG_EAUTH, "bad mac",
	    "same kid, other key");
	expect(kr_kb, tok, len, NOW, REG_ENOENT, "unknown key id",
	    "unknown kid is REG_ENOENT");
	free(tok);
}

/* Hand-built payloads signed with the right key. */
static void
test_payloads(void)
{
#define P(rest) "{\"v\":1,\"kid\":\"ka\"," rest "}"
#define OKREST \
	"\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":\"\",\"iat\":" \
	"1700000000," \
	"\"exp\":1700000600,\"jti\":\"00112233445566778899aabbccddeeff\""
	static const char long257[] =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaa";
	static const struct {
		const char *name;
		const char *json;
		enum reg_err want;
		const char *why;
	} tab[] = {
		{ "well-formed", P(OKREST), REG_OK, "ok" },
		{ "key order is free",
		    "{\"jti\":\"00112233445566778899aabbccddeeff\","
		    "\"exp\":1700000600,\"iat\":1700000000,\"ses\":\"\","
		    "\"uid\":\"\","
		    "\"arn\":\"\",\"sub\":\"token:ci\",\"kid\":\"ka\",\"v\":1}",
		    REG_OK, "ok" },
		{ "duplicate key sub", P("\"sub\":\"token:admin\"," OKREST),
		    REG_EAUTH, "payload is not valid json" },
		{ "duplicate key kid",
		    "{\"v\":1,\"kid\":\"ka\",\"kid\":\"ka\"," OKREST "}",
		    REG_EAUTH, "payload is not valid json" },
		{ "extra key", P(OKREST ",\"adm\":true"), REG_EAUTH,
		    "claims do not match the schema" },
		{ "missing jti",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700000600"),
		    REG_EAUTH, "claims do not match the schema" },
		{ "v 2", "{\"v\":2,\"kid\":\"ka\"," OKREST "}", REG_EAUTH,
		    "claims do not match the schema" },
		{ "v string", "{\"v\":\"1\",\"kid\":\"ka\"," OKREST "}",
		    REG_EAUTH, "claims do not match the schema" },
		{ "v real", "{\"v\":1.0,\"kid\":\"ka\"," OKREST "}", REG_EAUTH,
		    "claims do not match the schema" },
		{ "iat string",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":\"1700000000\",\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "exp real",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700000600.0,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "iat negative",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":-1,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "sub null",
		    P("\"sub\":null,\"arn\":\"\",\"ses\":\"\",\"uid\":\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "sub empty",
		    P("\"sub\":\"\",\"arn\":\"\",\"ses\":\"\",\"uid\":\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "sub with a space",
		    P("\"sub\":\"token:c "
		      "i\",\"arn\":\"\",\"ses\":\"\",\"uid\":\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "sub non-ASCII",
		    P("\"sub\":\"token:c\\u00e9\",\"arn\":\"\",\"ses\":\"\","
		      "\"uid\":\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "sub with NUL escape",
		    P("\"sub\":\"token:c\\u0000\",\"arn\":\"\",\"ses\":\"\","
		      "\"uid\":\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "payload is not valid json" },
		{ "jti upper-case",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899AABBCCDDEEFF\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "jti 31 digits",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeef\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "ses 65 characters",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\""
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaa"
		      "aaaa\","
		      "\"iat\":1700000000,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "exp - iat = 12 h",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700043200,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_OK, "ok" },
		{ "exp - iat = 12 h + 1 s",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700043201,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "token lifetime out of range" },
		{ "exp = iat",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":1700000000,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "token lifetime out of range" },
		{ "expired long ago",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1600000000,\"exp\":1600000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "token expired" },
		{ "iat in the future",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000100,\"exp\":1700000600,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "token issued in the future" },
		{ "exp beyond year 9999",
		    P("\"sub\":\"token:ci\",\"arn\":\"\",\"ses\":\"\",\"uid\":"
		      "\"\","
		      "\"iat\":1700000000,\"exp\":9223372036854775807,"
		      "\"jti\":\"00112233445566778899aabbccddeeff\""),
		    REG_EAUTH, "claims do not match the schema" },
		{ "kid missing", "{\"v\":1," OKREST "}", REG_EAUTH,
		    "payload has no kid" },
		{ "kid a number", "{\"v\":1,\"kid\":7," OKREST "}", REG_EAUTH,
		    "payload has no kid" },
		{ "kid unknown", "{\"v\":1,\"kid\":\"kz\"," OKREST "}",
		    REG_ENOENT, "unknown key id" },
		{ "top-level array", "[1]", REG_EAUTH,
		    "payload is not a json object" },
		{ "top-level string", "\"x\"", REG_EAUTH,
		    "payload is not valid json" },
		{ "trailing garbage", P(OKREST) "x", REG_EAUTH,
		    "payload is not valid json" },
		{ "two objects", P(OKREST) P(OKREST), REG_EAUTH,
		    "payload is not valid json" },
		{ "invalid UTF-8", P(OKREST ",\"x\":\"\xff\""), REG_EAUTH,
		    "payload is not valid json" },
	};
	char tok[BEARER_MAX_LEN + 64], json[1024];
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		sign_json(key_a, "reg1-token", tab[i].json, tok, sizeof(tok));
		expect(kr_a, tok, strlen(tok), NOW, tab[i].want, tab[i].why,
		    tab[i].name);
	}

	/* Domain separation: the right payload under the wrong keys. */
	sign_json(key_a, "reg1-archive-url", P(OKREST), tok, sizeof(tok));
	expect(kr_a, tok, strlen(tok), NOW, REG_EAUTH, "bad mac",
	    "mac made with the archive-url sub-key");
	sign_json(key_a, NULL, P(OKREST), tok, sizeof(tok));
	expect(kr_a, tok, strlen(tok), NOW, REG_EAUTH, "bad mac",
	    "mac made with the raw key");

	/* A 257-byte sub does not fit the claims. */
	(void)snprintf(json, sizeof(json),
	    "{\"v\":1,\"kid\":\"ka\",\"sub\":\"%s\",\"arn\":\"\",\"ses\":\"\","
	    "\"uid\":\"\","
	    "\"iat\":1700000000,\"exp\":1700000600,"
	    "\"jti\":\"00112233445566778899aabbccddeeff\"}",
	    long257);
	sign_json(key_a, "reg1-token", json, tok, sizeof(tok));
	expect(kr_a, tok, strlen(tok), NOW, REG_EAUTH,
	    "claims do not match the schema", "sub of 257 bytes");
#undef P
#undef OKREST
}

static void
test_lengths(void)
{
	struct bearer_claims cl, got;
	char big[BEARER_MAX_LEN + 2];
	const char *why;
	enum reg_err er;
	char *tok = NULL;

	memset(big, 'A', sizeof(big));
	memcpy(big, "reg1.", 5);
	expect(kr_a, big, BEARER_MAX_LEN + 1, NOW, REG_EAUTH, "token too long",
	    "2049 bytes");
	expect(kr_a, "", 0, NOW, REG_EAUTH, "not a reg1 token", "empty token");
	expect(kr_a, "reg1", 4, NOW, REG_EAUTH, "not a reg1 token", "reg1");
	expect(kr_a, "reg1.", 5, NOW, REG_EAUTH, "token has no mac part",
	    "reg1.");
	expect(kr_a, "reg1..", 6, NOW, REG_EAUTH,
	    "mac is not 32 bytes of base64url", "reg1..");

	/* The largest claims still give a token within the cap. */
	memset(&cl, 0, sizeof(cl));
	memset(cl.sub, 's', BEARER_SUB_MAX);
	memset(cl.arn, '"', BEARER_ARN_MAX); /* escaped: doubles in JSON */
	memset(cl.ses, '\\', BEARER_SES_MAX);
	er = bearer_issue(kr_a, &cl, NOW, BEARER_MAX_TTL, &tok);
	T_OK(er == REG_OK && strlen(tok) <= BEARER_MAX_LEN,
	    "largest claims fit in %d bytes (%zu)", BEARER_MAX_LEN,
	    er == REG_OK ? strlen(tok) : 0);
	if (er != REG_OK)
		return;
	memset(&got, 0, sizeof(got));
	er = bearer_verify(kr_a, tok, strlen(tok), NOW, &got, &why);
	T_OK(er == REG_OK && strcmp(got.arn, cl.arn) == 0 &&
	        strcmp(got.ses, cl.ses) == 0 && strcmp(got.sub, cl.sub) == 0,
	    "largest claims verify");
	free(tok);
}

static void
test_issue_refusals(void)
{
	static const struct {
		const char *name;
		const char *sub, *arn, *ses;
		int64_t now, ttl;
	} tab[] = {
		{ "empty sub", "", "", "", NOW, 600 },
		{ "space in sub", "token:a b", "", "", NOW, 600 },
		{ "newline in arn", "token:a", "arn\n", "", NOW, 600 },
		{ "non-ASCII ses", "token:a", "", "s\xc3\xa9", NOW, 600 },
		{ "ttl 0", "token:a", "", "", NOW, 0 },
		{ "ttl negative", "token:a", "", "", NOW, -5 },
		{ "ttl 12 h + 1 s", "token:a", "", "", NOW,
		    BEARER_MAX_TTL + 1 },
		{ "now negative", "token:a", "", "", -1, 600 },
		{ "now beyond 9999", "token:a", "", "", BEARER_TIME_MAX, 600 },
	};
	struct bearer_claims cl;
	char *tok;
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		memset(&cl, 0, sizeof(cl));
		(void)snprintf(cl.sub, sizeof(cl.sub), "%s", tab[i].sub);
		(void)snprintf(cl.arn, sizeof(cl.arn), "%s", tab[i].arn);
		(void)snprintf(cl.ses, sizeof(cl.ses), "%s", tab[i].ses);
		tok = NULL;
		T_OK(bearer_issue(kr_a, &cl, tab[i].now, tab[i].ttl, &tok) ==
		            REG_EINVAL &&
		        tok == NULL && cl.kid[0] == '\0',
		    "issue refuses %s", tab[i].name);
	}
	/* An unterminated field is refused, not read past. */
	memset(&cl, 0, sizeof(cl));
	memset(cl.sub, 'a', sizeof(cl.sub));
	tok = NULL;
	T_OK(bearer_issue(kr_a, &cl, NOW, 600, &tok) == REG_EINVAL,
	    "issue refuses an unterminated sub");
}

/* Tokens are unique (jti) and the newest key signs. */
static void
test_rotation(void)
{
	struct keyring_seed seeds[2];
	struct bearer_claims a, b, got;
	struct keyring *kr2 = NULL;
	char *t1 = NULL, *t2 = NULL;
	const char *why;

	memset(&a, 0, sizeof(a));
	(void)snprintf(a.sub, sizeof(a.sub), "%s", "token:ci");
	b = a;
	T_OK(bearer_issue(kr_a, &a, NOW, 60, &t1) == REG_OK &&
	        bearer_issue(kr_a, &b, NOW, 60, &t2) == REG_OK &&
	        strcmp(a.jti, b.jti) != 0 && strcmp(t1, t2) != 0,
	    "two tokens differ (jti)");
	free(t2);
	t2 = NULL;
	seeds[0].kid = "ka";
	memcpy(seeds[0].key, key_a, 32);
	seeds[1].kid = "kb";
	memcpy(seeds[1].key, key_b, 32);
	if (keyring_from_bytes(seeds, 2, &kr2) != REG_OK)
		exit(2);
	T_OK(bearer_issue(kr2, &b, NOW, 60, &t2) == REG_OK &&
	        strcmp(b.kid, "kb") == 0,
	    "newest key signs");
	T_OK(bearer_verify(kr2, t1, strlen(t1), NOW, &got, &why) == REG_OK,
	    "old key still verifies after rotation");
	T_OK(bearer_verify(kr_a, t2, strlen(t2), NOW, &got, &why) == REG_ENOENT,
	    "a node without the new key gets REG_ENOENT");
	T_OK(bearer_verify(kr_kb, t2, strlen(t2), NOW, &got, &why) ==
	            REG_EAUTH &&
	        strcmp(why, "bad mac") == 0,
	    "kb with other key bytes: bad mac");
	free(t1);
	free(t2);
	keyring_free(kr2);
}

int
main(void)
{
	log_init("test_bearer", 0, LOG_LVL_WARN);
	kr_a = make_keyring("ka", key_a);
	kr_other = make_keyring("ka", key_b);
	kr_kb = make_keyring("kb", key_a);
	test_round_trip();
	test_ttls();
	test_mutations();
	test_payloads();
	test_lengths();
	test_issue_refusals();
	test_rotation();
	keyring_free(kr_a);
	keyring_free(kr_other);
	keyring_free(kr_kb);
	return t_done();
}
