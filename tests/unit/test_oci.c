/*
 * admin-tools/oci*: the OCI push client's parsers and layout reader.
 * Tables for the WWW-Authenticate parser, registry error bodies, token
 * answers, Location joining, Retry-After and the name grammars; layouts
 * written by hand into t_tmpdir() for the reader (good, missing blob,
 * digest and size mismatch, path traversal, oversized, unknown media
 * type, image index, symbolic link); option checks of the pusher that
 * fail before any request is made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../admin-tools/oci.h"
#include "../../admin-tools/oci_int.h"
#include "../../common/cryptow.h"

#define S(lit) lit, sizeof(lit) - 1

static const char *
ername(enum reg_err er)
{
	return reg_err_str(er);
}

/* ---- WWW-Authenticate ------------------------------------------------- */

static const struct {
	const char *in;
	enum reg_err er;
	enum oci_scheme scheme;
	const char *realm, *service, *scope, *error;
	size_t nparams;
} chal_tab[] = {
	/* docker-registry htpasswd, ECR */
	{ "Basic realm=\"basic-realm\"", REG_OK, OCI_SCHEME_BASIC,
	    "basic-realm", NULL, NULL, NULL, 1 },
	{ "Basic realm=\"https://123456789012.dkr.ecr.us-east-1.amazonaws."
	  "com/\",service=\"ecr.amazonaws.com\"",
	    REG_OK, OCI_SCHEME_BASIC,
	    "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",
	    "ecr.amazonaws.com", NULL, NULL, 2 },
	/* distribution token auth, ACR, GAR */
	{ "Bearer realm=\"https://honuaacme.azurecr.io/oauth2/token\","
	  "service=\"honuaacme.azurecr.io\",scope=\"repository:hello-world:"
	  "pull\"",
	    REG_OK, OCI_SCHEME_BEARER,
	    "https://honuaacme.azurecr.io/oauth2/token", "honuaacme.azurecr.io",
	    "repository:hello-world:pull", NULL, 3 },
	{ "Bearer realm=\"http://127.0.0.1:5001/token\",service=\"honua-test-"
	  "registry\",scope=\"repository:honua/cust-99/app:pull,push\","
	  "error=\"insufficient_scope\"",
	    REG_OK, OCI_SCHEME_BEARER, "http://127.0.0.1:5001/token",
	    "honua-test-registry", "repository:honua/cust-99/app:pull,push",
	    "insufficient_scope", 4 },
	/* case, tokens, whitespace */
	{ "bEaReR REALM=\"x\"", REG_OK, OCI_SCHEME_BEARER, "x", NULL, NULL,
	    NULL, 1 },
	{ "Bearer realm=tok", REG_OK, OCI_SCHEME_BEARER, "tok", NULL, NULL,
	    NULL, 1 },
	{ "Bearer   realm = \"x\" ,\tservice= \"y\"", REG_OK, OCI_SCHEME_BEARER,
	    "x", "y", NULL, NULL, 2 },
	{ "Bearer realm=\"x\",,service=\"y\"", REG_OK, OCI_SCHEME_BEARER, "x",
	    "y", NULL, NULL, 2 },
	{ "Bearer realm=\"x\",", REG_OK, OCI_SCHEME_BEARER, "x", NULL, NULL,
	    NULL, 1 },
	{ " , Basic realm=\"b\"", REG_OK, OCI_SCHEME_BASIC, "b", NULL, NULL,
	    NULL, 1 },
	/* commas and escapes inside quoted strings */
	{ "Bearer realm=\"https://a/t?x=1,2\",scope=\"repository:a:pull,"
	  "push\"",
	    REG_OK, OCI_SCHEME_BEARER, "https://a/t?x=1,2", NULL,
	    "repository:a:pull,push", NULL, 2 },
	{ "Bearer realm=\"a\\\"b\\\\c\"", REG_OK, OCI_SCHEME_BEARER, "a\"b\\c",
	    NULL, NULL, NULL, 1 },
	{ "Bearer realm=\"a, b=\\\"c\\\", Basic\"", REG_OK, OCI_SCHEME_BEARER,
	    "a, b=\"c\", Basic", NULL, NULL, NULL, 1 },
	/* several challenges: Bearer preferred, unknown schemes skipped */
	{ "Basic realm=\"b\", Bearer realm=\"r\",service=\"s\"", REG_OK,
	    OCI_SCHEME_BEARER, "r", "s", NULL, NULL, 2 },
	{ "Negotiate abc==, Basic realm=\"x\"", REG_OK, OCI_SCHEME_BASIC, "x",
	    NULL, NULL, NULL, 1 },
	{ "Digest realm=\"d\", nonce=\"n\", Basic realm=\"x\"", REG_OK,
	    OCI_SCHEME_BASIC, "x", NULL, NULL, NULL, 1 },
	{ "Basic", REG_OK, OCI_SCHEME_BASIC, NULL, NULL, NULL, NULL, 0 },
	{ "Basic, Bearer realm=\"r\"", REG_OK, OCI_SCHEME_BEARER, "r", NULL,
	    NULL, NULL, 1 },
	{ "Negotiate", REG_ENOENT, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Digest realm=\"x\",nonce=\"y\"", REG_ENOENT, 0, NULL, NULL, NULL,
	    NULL, 0 },
	/* missing realm */
	{ "Bearer", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer service=\"s\",scope=\"x\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	{ "Bearer realm=\"\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer abcdef==", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Basic realm=\"x\", Bearer", REG_EINVAL, 0, NULL, NULL, NULL, NULL,
	    0 },
	/* unterminated quotes and escapes */
	{ "Bearer realm=\"x", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"x\\", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"x\\\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"x\",service=\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	/* duplicate parameters */
	{ "Bearer realm=\"x\",realm=\"y\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	{ "Bearer realm=\"x\",REALM=\"x\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	{ "Basic realm=\"b\",realm=\"b\", Bearer realm=\"r\"", REG_EINVAL, 0,
	    NULL, NULL, NULL, NULL, 0 },
	/* other syntax errors */
	{ "", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ " , ,", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "=realm", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"x\" service=\"y\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	{ "Bearer\trealm=\"x\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=a b", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	/* a bare token after a comma is the next (unknown) challenge */
	{ "Bearer realm=\"x\",service", REG_OK, OCI_SCHEME_BEARER, "x", NULL,
	    NULL, NULL, 1 },
	{ "Bearer realm=\"x\",service=", REG_EINVAL, 0, NULL, NULL, NULL, NULL,
	    0 },
	{ "Bearer realm=\"x\";service=\"y\"", REG_EINVAL, 0, NULL, NULL, NULL,
	    NULL, 0 },
	{ "Bearer realm=\"a\x01z\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"caf\xc3\xa9\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL,
	    0 },
	{ "Bearer realm=\"x\"\r\n", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
	{ "Bearer realm=\"x\"\"y\"", REG_EINVAL, 0, NULL, NULL, NULL, NULL, 0 },
};

static bool
str_eq_or_null(const char *got, const char *want)
{
	if (want == NULL)
		return got == NULL;
	return got != NULL && strcmp(got, want) == 0;
}

static void
test_challenge_table(void)
{
	struct oci_challenge *ch = malloc(sizeof(*ch));
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < nitems(chal_tab); i++) {
		enum reg_err er;

		memset(ch, 0xa5, sizeof(*ch));
		er = oci_challenge_parse(chal_tab[i].in, strlen(chal_tab[i].in),
		    ch);
		if (!T_OK(er == chal_tab[i].er, "challenge %zu: %s (want %s)",
		        i, ername(er), ername(chal_tab[i].er)) ||
		    er != REG_OK)
			continue;
		T_OK(ch->scheme == chal_tab[i].scheme &&
		        ch->nparams == chal_tab[i].nparams &&
		        str_eq_or_null(oci_challenge_get(ch, "realm"),
		            chal_tab[i].realm) &&
		        str_eq_or_null(oci_challenge_get(ch, "service"),
		            chal_tab[i].service) &&
		        str_eq_or_null(oci_challenge_get(ch, "scope"),
		            chal_tab[i].scope) &&
		        str_eq_or_null(oci_challenge_get(ch, "error"),
		            chal_tab[i].error),
		    "challenge %zu: fields", i);
	}
	free(ch);
}

/* Challenges built at run time: value, name and count limits. */
static void
test_challenge_limits(void)
{
	struct oci_challenge *ch = malloc(sizeof(*ch));
	char *in = malloc(OCI_CHAL_MAX + 64);
	size_t n, i;

	if (ch == NULL || in == NULL)
		goto out;
	/* a value of exactly OCI_CHAL_VALUE_MAX, then one more byte */
	n = (size_t)snprintf(in, 32, "Bearer realm=\"");
	memset(in + n, 'v', OCI_CHAL_VALUE_MAX);
	memcpy(in + n + OCI_CHAL_VALUE_MAX, "\"", 2);
	T_OK(oci_challenge_parse(in, strlen(in), ch) == REG_OK &&
	        strlen(oci_challenge_get(ch, "realm")) == OCI_CHAL_VALUE_MAX,
	    "realm of %d bytes is accepted", OCI_CHAL_VALUE_MAX);
	memset(in + n, 'v', OCI_CHAL_VALUE_MAX + 1);
	memcpy(in + n + OCI_CHAL_VALUE_MAX + 1, "\"", 2);
	T_OK(oci_challenge_parse(in, strlen(in), ch) == REG_ETOOBIG,
	    "realm of %d bytes is REG_ETOOBIG", OCI_CHAL_VALUE_MAX + 1);
	/* the same as a token */
	memset(in + n - 1, 'v', OCI_CHAL_VALUE_MAX + 1);
	in[n - 1 + OCI_CHAL_VALUE_MAX + 1] = '\0';
	T_OK(oci_challenge_parse(in, strlen(in), ch) == REG_ETOOBIG,
	    "token value over the limit is REG_ETOOBIG");
	/* header over OCI_CHAL_MAX */
	memset(in, ' ', OCI_CHAL_MAX + 1);
	memcpy(in, "Basic realm=\"x\"", 15);
	T_OK(oci_challenge_parse(in, OCI_CHAL_MAX + 1, ch) == REG_ETOOBIG,
	    "header of %d bytes is REG_ETOOBIG", OCI_CHAL_MAX + 1);
	T_OK(oci_challenge_parse(in, OCI_CHAL_MAX, ch) == REG_OK,
	    "header of %d bytes (trailing spaces) is fine", OCI_CHAL_MAX);
	/* parameter names */
	(void)snprintf(in, 128, "Bearer realm=x,%s=1",
	    "abcdefghijklmnopqrstuvwxyz012345");
	T_OK(oci_challenge_parse(in, strlen(in), ch) == REG_OK,
	    "a 32-byte parameter name is accepted");
	(void)snprintf(in, 128, "Bearer realm=x,%s=1",
	    "abcdefghijklmnopqrstuvwxyz0123456");
	T_OK(oci_challenge_parse(in, strlen(in), ch) == REG_ETOOBIG,
	    "a 33-byte parameter name is REG_ETOOBIG");
	/* parameter count */
	n = (size_t)snprintf(in, 64, "Bearer realm=x");
	for (i = 1; i < OCI_CHAL_PARAMS_MAX; i++)
		n += (size_t)snprintf(in + n, 16, ",p%zu=%zu", i, i);
	T_OK(oci_challenge_parse(in, n, ch) == REG_OK &&
	        ch->nparams == OCI_CHAL_PARAMS_MAX &&
	        strcmp(oci_challenge_name(ch, 15), "p15") == 0 &&
	        strcmp(oci_challenge_value(ch, 15), "15") == 0 &&
	        oci_challenge_name(ch, 16) == NULL,
	    "%d parameters are accepted", OCI_CHAL_PARAMS_MAX);
	n += (size_t)snprintf(in + n, 16, ",p%d=1", OCI_CHAL_PARAMS_MAX);
	T_OK(oci_challenge_parse(in, n, ch) == REG_ETOOBIG,
	    "%d parameters are REG_ETOOBIG", OCI_CHAL_PARAMS_MAX + 1);
	/* no NUL needed: parse a prefix of a longer buffer */
	memcpy(in, "Bearer realm=\"abc\"XYZ", 21);
	T_OK(oci_challenge_parse(in, 18, ch) == REG_OK &&
	        strcmp(oci_challenge_get(ch, "realm"), "abc") == 0,
	    "length-bounded: bytes after len are not read");
	T_OK(oci_challenge_parse(NULL, 0, ch) == REG_EINVAL, "NULL input");
out:
	free(in);
	free(ch);
}

/* ---- error bodies ----------------------------------------------------- */

static const struct {
	const char *in;
	enum reg_err er;
	const char *code, *message, *detail;
	size_t nerrors;
} errb_tab[] = {
	{ "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"provided "
	  "digest did not match uploaded content\",\"detail\":{}}]}",
	    REG_OK, "DIGEST_INVALID",
	    "provided digest did not match uploaded content", "{}", 1 },
	{ "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":"
	  "\"authentication required\",\"detail\":[{\"Type\":\"repository\","
	  "\"Name\":\"honua/cust-99/app\",\"Action\":\"push\"}]}]}",
	    REG_OK, "UNAUTHORIZED", "authentication required",
	    "[{\"Type\":\"repository\",\"Name\":\"honua/cust-99/app\","
	    "\"Action\":\"push\"}]",
	    1 },
	{ "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository "
	  "name not known to registry\",\"detail\":{\"name\":\"x\"}}]}",
	    REG_OK, "NAME_UNKNOWN", "repository name not known to registry",
	    "{\"name\":\"x\"}", 1 },
	{ "{\"errors\":[{\"code\":\"DENIED\"},{\"code\":\"UNSUPPORTED\"}]}",
	    REG_OK, "DENIED", "", "", 2 },
	{ "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":null,"
	  "\"detail\":\"slow down\"}]}",
	    REG_OK, "TOOMANYREQUESTS", "", "slow down", 1 },
	{ "{\"errors\":[{\"code\":\"X\",\"message\":\"a\\nb\\u00e9\\\\\"}]}",
	    REG_OK, "X", "a\\x0ab\\xc3\\xa9\\x5c", "", 1 },
	{ " {\"errors\":[{\"code\":\"A_1\"}], \"other\":1}\n", REG_OK, "A_1",
	    "", "", 1 },
	/* not the shape */
	{ "Not Authorized", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[]}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":{}}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[\"DENIED\"]}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[{\"message\":\"x\"}]}", REG_EINVAL, NULL, NULL, NULL,
	    0 },
	{ "{\"errors\":[{\"code\":\"lower\"}]}", REG_EINVAL, NULL, NULL, NULL,
	    0 },
	{ "{\"errors\":[{\"code\":\"\"}]}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[{\"code\":\"A B\"}]}", REG_EINVAL, NULL, NULL, NULL,
	    0 },
	{ "{\"errors\":[{\"code\":1}]}", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[{\"code\":\"X\",\"message\":5}]}", REG_EINVAL, NULL,
	    NULL, NULL, 0 },
	{ "{\"errors\":[{\"code\":\"X\",\"code\":\"Y\"}]}", REG_EINVAL, NULL,
	    NULL, NULL, 0 },
	{ "{\"errors\":[{\"code\":\"X\"}]}{}", REG_EINVAL, NULL, NULL, NULL,
	    0 },
	{ "[{\"code\":\"X\"}]", REG_EINVAL, NULL, NULL, NULL, 0 },
	{ "{\"errors\":[{\"code\":\"X\\u0000\"}]}", REG_EINVAL, NULL, NULL,
	    NULL, 0 },
};

static void
test_errbody_table(void)
{
	struct oci_regerr re;
	size_t i;

	for (i = 0; i < nitems(errb_tab); i++) {
		enum reg_err er;

		memset(&re, 0x5a, sizeof(re));
		er = oci_errbody_parse(errb_tab[i].in, strlen(errb_tab[i].in),
		    &re);
		if (!T_OK(er == errb_tab[i].er, "errbody %zu: %s (want %s)", i,
		        ername(er), ername(errb_tab[i].er)) ||
		    er != REG_OK)
			continue;
		T_OK(strcmp(re.code, errb_tab[i].code) == 0 &&
		        strcmp(re.message, errb_tab[i].message) == 0 &&
		        strcmp(re.detail, errb_tab[i].detail) == 0 &&
		        re.nerrors == errb_tab[i].nerrors,
		    "errbody %zu: code %s message \"%s\" detail \"%s\"", i,
		    re.code, re.message, re.detail);
	}
}

static void
test_errbody_limits(void)
{
	struct oci_regerr re;
	size_t n = OCI_ERRBODY_MAX + 1, i;
	char *in = malloc(n + 1);
	bool printable = true;

	memset(&re, 0, sizeof(re));
	if (in == NULL)
		return;
	/* a long message is truncated, printable and NUL-ended */
	i = (size_t)snprintf(in, 64,
	    "{\"errors\":[{\"code\":\"X\",\"message\":\"");
	memset(in + i, 'm', 1000);
	memcpy(in + i + 1000, "\"}]}", 5);
	T_OK(oci_errbody_parse(in, strlen(in), &re) == REG_OK &&
	        strlen(re.message) <= OCI_ERRMSG_MAX &&
	        strcmp(re.message + strlen(re.message) - 3, "...") == 0,
	    "a long message is truncated with \"...\" (%zu bytes)",
	    strlen(re.message));
	for (i = 0; re.message[i] != '\0'; i++)
		if (re.message[i] < 0x20 || re.message[i] > 0x7e)
			printable = false;
	T_OK(printable, "message is printable");
	/* over the body cap */
	memset(in, ' ', n);
	i = (size_t)snprintf(in, n, "{\"errors\":[{\"code\":\"X\"}]}");
	in[i] = ' '; /* no NUL: only (in, n) is parsed */
	T_OK(oci_errbody_parse(in, n, &re) == REG_ETOOBIG,
	    "a body of %zu bytes is REG_ETOOBIG", n);
	T_OK(oci_errbody_parse(in, n - 1, &re) == REG_OK,
	    "a body of %zu bytes is parsed", n - 1);
	free(in);
}

/* ---- token answers ---------------------------------------------------- */

static const struct {
	const char *in;
	enum reg_err er;
	const char *token;
	int64_t ttl;
} tok_tab[] = {
	{ "{\"token\":\"abc.def-ghi_~+/\"}", REG_OK, "abc.def-ghi_~+/", 60 },
	{ "{\"access_token\":\"eyJ.x.y\",\"expires_in\":300}", REG_OK,
	    "eyJ.x.y", 300 },
	{ "{\"token\":\"t1\",\"access_token\":\"t2\",\"expires_in\":900,"
	  "\"issued_at\":\"2026-11-23T00:00:00Z\"}",
	    REG_OK, "t1", 900 },
	{ "{\"token\":\"\",\"access_token\":\"b\"}", REG_OK, "b", 60 },
	{ "{\"token\":null,\"access_token\":\"b\"}", REG_OK, "b", 60 },
	{ "{\"token\":\"abc==\",\"expires_in\":null}", REG_OK, "abc==", 60 },
	{ "{\"refresh_token\":\"r\",\"access_token\":\"a\"}", REG_OK, "a", 60 },
	{ "{}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a b\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\\\"b\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\\r\\nX-Evil: 1\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"=abc\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"ab=c\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":5}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\",\"expires_in\":0}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\",\"expires_in\":-5}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\",\"expires_in\":\"60\"}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\",\"expires_in\":1.5}", REG_EINVAL, NULL, 0 },
	{ "{\"token\":\"a\",\"token\":\"b\"}", REG_EINVAL, NULL, 0 },
	{ "[\"token\"]", REG_EINVAL, NULL, 0 },
	{ "token=abc", REG_EINVAL, NULL, 0 },
};

static void
test_token_table(void)
{
	size_t i;

	for (i = 0; i < nitems(tok_tab); i++) {
		static char untouched[] = "untouched";
		char *tok = untouched;
		int64_t ttl = -1;
		enum reg_err er;

		er = oci_token_parse(tok_tab[i].in, strlen(tok_tab[i].in), &tok,
		    &ttl);
		if (!T_OK(er == tok_tab[i].er, "token %zu: %s (want %s)", i,
		        ername(er), ername(tok_tab[i].er)))
			continue;
		if (er != REG_OK) {
			T_OK(strcmp(tok, "untouched") == 0 && ttl == -1,
			    "token %zu: out-params untouched", i);
			continue;
		}
		T_OK(strcmp(tok, tok_tab[i].token) == 0 &&
		        ttl == tok_tab[i].ttl,
		    "token %zu: \"%s\" ttl %lld", i, tok, (long long)ttl);
		oci_secret_free(tok);
	}
}

static void
test_token_limits(void)
{
	size_t n = OCI_TOKEN_MAX + 1;
	char *in = malloc(n + 32), *tok = NULL;
	int64_t ttl;

	if (in == NULL)
		return;
	(void)snprintf(in, 11, "{\"token\":\"");
	memset(in + 10, 'a', OCI_TOKEN_MAX);
	memcpy(in + 10 + OCI_TOKEN_MAX, "\"}", 3);
	T_OK(oci_token_parse(in, strlen(in), &tok, &ttl) == REG_OK &&
	        strlen(tok) == OCI_TOKEN_MAX,
	    "a token of %d bytes is accepted", OCI_TOKEN_MAX);
	oci_secret_free(tok);
	memset(in + 10, 'a', n);
	memcpy(in + 10 + n, "\"}", 3);
	T_OK(oci_token_parse(in, strlen(in), &tok, &ttl) == REG_ETOOBIG,
	    "a token of %zu bytes is REG_ETOOBIG", n);
	free(in);
}

/* ---- Location --------------------------------------------------------- */

#define DG \
	"sha256:" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DGQ \
	"digest=sha256%" \
	"3A0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UP "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/"

static const struct {
	const char *req, *loc, *digest;
	enum reg_err er;
	const char *out;
} loc_tab[] = {
	/* absolute, with and without a query */
	{ UP, "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u1?_state=Zx%3D",
	    DG, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/"
	    "u1?_state=Zx%3D&" DGQ },
	{ UP, "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u1", DG, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u1?" DGQ },
	{ UP, "https://other.example/upload/u1?sig=1", DG, REG_OK,
	    "https://other.example/upload/u1?sig=1&" DGQ },
	/* absolute path, with and without a query */
	{ UP, "/v2/honua/a/blobs/uploads/u2", DG, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u2?" DGQ },
	{ UP, "/v2/honua/a/blobs/uploads/u2?_state=abc", DG, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/"
	    "u2?_state=abc&" DGQ },
	{ "https://r.example:8443/v2/x/blobs/uploads/?mount=" DG "&from=y",
	    "/v2/x/blobs/uploads/u3", DG, REG_OK,
	    "https://r.example:8443/v2/x/blobs/uploads/u3?" DGQ },
	{ "http://[::1]:5000/v2/x/blobs/uploads/", "/u", NULL, REG_OK,
	    "http://[::1]:5000/u" },
	/* relative path, against the request's directory */
	{ UP, "u4?x=1", DG, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u4?x=1&" DGQ },
	{ UP "?mount=x&from=y", "u5", NULL, REG_OK,
	    "http://127.0.0.1:5000/v2/honua/a/blobs/uploads/u5" },
	{ "http://127.0.0.1:5000", "u6", NULL, REG_OK,
	    "http://127.0.0.1:5000/u6" },
	/* no digest */
	{ UP, "/v2/u7?a=b", NULL, REG_OK, "http://127.0.0.1:5000/v2/u7?a=b" },
	/* refused */
	{ "https://r.example/v2/x/blobs/uploads/", "http://r.example/v2/u", DG,
	    REG_EPERM, NULL },
	{ UP, "//evil.example/v2/u", DG, REG_EINVAL, NULL },
	{ UP, "", DG, REG_EINVAL, NULL },
	{ UP, "/v2/honua/../b/u", DG, REG_EINVAL, NULL },
	{ UP, "./u", DG, REG_EINVAL, NULL },
	{ UP, "..", DG, REG_EINVAL, NULL },
	{ UP, "http://127.0.0.1:5000/v2/./u", DG, REG_EINVAL, NULL },
	{ UP, "ftp://127.0.0.1/u", DG, REG_EINVAL, NULL },
	{ UP, "javascript:alert(1)", DG, REG_EINVAL, NULL },
	{ UP, "HTTP://127.0.0.1:5000/u", DG, REG_EINVAL, NULL },
	{ UP, "http://user@127.0.0.1:5000/u", DG, REG_EINVAL, NULL },
	{ UP, "http://127.0.0.1:0/u", DG, REG_EINVAL, NULL },
	{ UP, "http://127.0.0.1:65536/u", DG, REG_EINVAL, NULL },
	{ UP, "http://:5000/u", DG, REG_EINVAL, NULL },
	{ UP, "/v2/a b", DG, REG_EINVAL, NULL },
	{ UP, "/v2/u#frag", DG, REG_EINVAL, NULL },
	{ UP, "/v2/u\r\nX: y", DG, REG_EINVAL, NULL },
	{ UP, "/v2/u", "sha256:ABC", REG_EINVAL, NULL },
	{ UP, "/v2/u", "sha512:0123", REG_EINVAL, NULL },
	{ "ftp://x/", "/v2/u", DG, REG_EINVAL, NULL },
	{ "not a url", "/v2/u", DG, REG_EINVAL, NULL },
};

static void
test_location_table(void)
{
	size_t i;

	for (i = 0; i < nitems(loc_tab); i++) {
		char *out = NULL;
		enum reg_err er;

		er = oci_location_join(loc_tab[i].req, loc_tab[i].loc,
		    strlen(loc_tab[i].loc), loc_tab[i].digest, &out);
		if (!T_OK(er == loc_tab[i].er, "location %zu: %s (want %s)", i,
		        ername(er), ername(loc_tab[i].er)))
			;
		else if (er == REG_OK)
			T_OK(strcmp(out, loc_tab[i].out) == 0,
			    "location %zu: %s", i, out);
		else
			T_OK(out == NULL, "location %zu: no output", i);
		free(out);
	}
}

static void
test_location_limits(void)
{
	char *loc = malloc(OCI_URL_MAX + 2), *out = NULL;

	if (loc == NULL)
		return;
	loc[0] = '/';
	memset(loc + 1, 'a', OCI_URL_MAX);
	T_OK(oci_location_join(UP, loc, OCI_URL_MAX + 1, NULL, &out) ==
	        REG_ETOOBIG,
	    "a Location of %d bytes is REG_ETOOBIG", OCI_URL_MAX + 1);
	/* fits alone, not once joined with the origin */
	T_OK(oci_location_join(UP, loc, OCI_URL_MAX - 5, NULL, &out) ==
	        REG_ETOOBIG,
	    "a joined URL over %d bytes is REG_ETOOBIG", OCI_URL_MAX);
	T_OK(oci_location_join(UP, loc, 100, NULL, &out) == REG_OK &&
	        strlen(out) == 21 + 100,
	    "length-bounded Location");
	free(out);
	free(loc);
}

/* ---- small grammars --------------------------------------------------- */

static const struct {
	const char *in;
	bool ok;
	bool loopback;
	bool https;
} url_tab[] = {
	{ "http://127.0.0.1:5000", true, true, false },
	{ "http://127.1.2.3", true, true, false },
	{ "http://localhost:5000/", true, true, false },
	{ "http://LOCALHOST", true, true, false },
	{ "http://[::1]:5000", true, true, false },
	{ "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", true, false,
	    true },
	{ "https://honuaacme.azurecr.io/v2/", true, false, true },
	{ "http://127.0.0.1.evil.example", true, false, false },
	{ "http://128.0.0.1", true, false, false },
	{ "http://127.0.0.256", true, false, false },
	{ "http://127.0.0", true, false, false },
	{ "http://[::2]", true, false, false },
	{ "http://localhost.example", true, false, false },
	{ "https://", false, false, false },
	{ "https://h:", false, false, false },
	{ "https://h:x", false, false, false },
	{ "https://h:123456", false, false, false },
	{ "https://u:p@h", false, false, false },
	{ "https://[::1", false, false, false },
	{ "https://[]", false, false, false },
	{ "https://h_x", false, false, false },
	{ "https://h x", false, false, false },
	{ "https://h#f", false, false, false },
	{ "HTTPS://h", false, false, false },
	{ "h:5000", false, false, false },
};

static void
test_url_table(void)
{
	struct oci_url u;
	size_t i;

	for (i = 0; i < nitems(url_tab); i++) {
		enum reg_err er;

		memset(&u, 0, sizeof(u));
		er = oci_url_parse(url_tab[i].in, strlen(url_tab[i].in), &u);
		T_OK((er == REG_OK) == url_tab[i].ok &&
		        (er != REG_OK ||
		            (u.loopback == url_tab[i].loopback &&
		                u.https == url_tab[i].https)),
		    "url %zu: %s: %s loopback %d", i, url_tab[i].in, ername(er),
		    u.loopback);
	}
	T_OK(oci_same_origin("http://127.0.0.1:5000/v2/",
	         "http://127.0.0.1:5000"),
	    "same origin, different paths");
	T_OK(!oci_same_origin("http://127.0.0.1:5000/",
	         "http://127.0.0.1:5001/"),
	    "different ports");
	T_OK(!oci_same_origin("http://127.0.0.1:5000/",
	         "https://127.0.0.1:5000/"),
	    "different schemes");
}

static void
test_grammars(void)
{
	static const struct {
		const char *s;
		bool ok;
	} repos[] = {
		{ "honua/acme/app", true },
		{ "honua/cust-42/app", true },
		{ "a", true },
		{ "a.b_c__d--e/f", true },
		{ "a___b", false },
		{ "A/b", false },
		{ "/a", false },
		{ "a/", false },
		{ "a//b", false },
		{ "a/../b", false },
		{ "-a", false },
		{ "a-", false },
		{ "a..b", false },
		{ "a b", false },
		{ "", false },
	}, tags[] = {
		{ "v1", true },
		{ "_x", true },
		{ "1.0.0-rc.1_A", true },
		{ ".v1", false },
		{ "-v1", false },
		{ "v1:x", false },
		{ "v/1", false },
		{ "", false },
	}, digests[] = {
		{ DG, true },
		{ "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		    false },
		{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		    false },
		{ "sha256:../../../../../../../../../../../../../../../../etc/passwd",
		    false },
		{ "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/",
		    false },
		{ "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    false },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    false },
	}, media[] = {
		{ OCI_MT_OCI_MANIFEST, true },
		{ OCI_MT_DOCKER_MANIFEST, true },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", true },
		{ "application/json; charset=utf-8", false },
		{ "application", false },
		{ "/json", false },
		{ "application/", false },
		{ "a/b/c", false },
		{ "application/+json", false },
	};
	size_t i;

	for (i = 0; i < nitems(repos); i++)
		T_OK(oci_repo_valid(repos[i].s, strlen(repos[i].s)) ==
		        repos[i].ok,
		    "repository \"%s\" %s", repos[i].s,
		    repos[i].ok ? "valid" : "invalid");
	for (i = 0; i < nitems(tags); i++)
		T_OK(oci_tag_valid(tags[i].s, strlen(tags[i].s)) == tags[i].ok,
		    "tag \"%s\" %s", tags[i].s,
		    tags[i].ok ? "valid" : "invalid");
	for (i = 0; i < nitems(digests); i++)
		T_OK(oci_digest_valid(digests[i].s, strlen(digests[i].s)) ==
		        digests[i].ok,
		    "digest %zu %s", i, digests[i].ok ? "valid" : "invalid");
	for (i = 0; i < nitems(media); i++)
		T_OK(oci_media_valid(media[i].s, strlen(media[i].s)) ==
		        media[i].ok,
		    "media type \"%s\" %s", media[i].s,
		    media[i].ok ? "valid" : "invalid");
	T_OK(!oci_tag_valid("v123456789012345678901234567890123456789012345678"
	                    "901234567890123456789012345678901234567890123456"
	                    "7890123456789012345678901",
	         129),
	    "a 129-byte tag is invalid");
}

static void
test_retry_after(void)
{
	static const struct {
		const char *s;
		bool ok;
		unsigned int secs;
	} tab[] = {
		{ "1", true, 1 },
		{ " 120 ", true, 120 },
		{ "0", true, 0 },
		{ "99999", true, 99999 },
		{ "100000", false, 0 },
		{ "-1", false, 0 },
		{ "1.5", false, 0 },
		{ "", false, 0 },
		{ "Wed, 21 Oct 2015 07:28:00 GMT", false, 0 },
	};
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		unsigned int secs = 4242;
		bool ok = oci_retry_after(tab[i].s, strlen(tab[i].s), &secs);

		T_OK(ok == tab[i].ok && (!ok || secs == tab[i].secs),
		    "Retry-After \"%s\"", tab[i].s);
	}
}

/* ---- layouts ---------------------------------------------------------- */

#define LAYER "layer bytes, pretend this is a tar.gz"
#define CONFIG \
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":" \
	"\"layers\",\"diff_ids\":[]}}"

static void
put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[1024];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

/* Store data as a blob; digest gets "sha256:<hex>". */
static void
put_blob(const char *dir, const void *data, size_t len, char *digest)
{
	char name[128], hex[CRYPTOW_SHA256_HEXLEN + 1];

	if (cryptow_sha256_hex(data, len, hex) != REG_OK)
		exit(2);
	(void)snprintf(digest, OCI_DIGEST_SIZE, "sha256:%s", hex);
	(void)snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
	put_file(dir, name, data, len);
}

static void
mkdirs(const char *dir)
{
	char p[1024];

	(void)snprintf(p, sizeof(p), "%s", dir);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		exit(2);
	(void)snprintf(p, sizeof(p), "%s/blobs", dir);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		exit(2);
	(void)snprintf(p, sizeof(p), "%s/blobs/sha256", dir);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		exit(2);
}

struct lay {
	char dir[512];
	char layer[OCI_DIGEST_SIZE], config[OCI_DIGEST_SIZE];
	char manifest[OCI_DIGEST_SIZE];
	char mbody[2048];
	size_t mlen;
};

/*
 * A one-layer layout in t_tmpdir()/name.  mt: the manifest's media type;
 * the index entry gets index_mt (NULL: the same) and size msize (0: the
 * real one), and names the manifest by tag.
 */
static void
mk_layout(struct lay *l, const char *name, const char *mt, const char *index_mt,
    unsigned long long msize, const char *tag)
{
	char index[4096];
	int n;

	memset(l, 0, sizeof(*l));
	(void)snprintf(l->dir, sizeof(l->dir), "%s/%s", t_tmpdir(), name);
	mkdirs(l->dir);
	put_file(l->dir, "oci-layout",
	    S("{\"imageLayoutVersion\": \"1.0.0\"}"));
	put_blob(l->dir, S(LAYER), l->layer);
	put_blob(l->dir, S(CONFIG), l->config);
	n = snprintf(l->mbody, sizeof(l->mbody),
	    "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{"
	    "\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	    "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
	    "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":"
	    "\"%s\",\"size\":%zu}]}",
	    mt, l->config, sizeof(CONFIG) - 1, l->layer, sizeof(LAYER) - 1);
	l->mlen = (size_t)n;
	put_blob(l->dir, l->mbody, l->mlen, l->manifest);
	n = snprintf(index, sizeof(index),
	    "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	    "\"digest\":\"%s\",\"size\":%llu,\"annotations\":{\"" OCI_REF_NAME
	    "\":\"%s\"}}]}",
	    index_mt != NULL ? index_mt : mt, l->manifest,
	    msize > 0 ? msize : (unsigned long long)l->mlen, tag);
	put_file(l->dir, "index.json", index, (size_t)n);
}

static enum reg_err
open_layout(const char *dir, const char *tag, char *err, size_t errsz)
{
	struct oci_image *img = NULL;
	enum reg_err er;

	err[0] = '\0';
	er = oci_layout_open(dir, tag, &img, err, errsz);
	if (er == REG_OK && img == NULL)
		er = REG_ERR_MAX; /* must not happen */
	oci_image_free(img);
	return er;
}

static void
test_layout_good(void)
{
	struct oci_image *img = NULL;
	struct lay l;
	char err[512], buf[64];
	enum reg_err er;
	int fd = -1;

	mk_layout(&l, "good", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	err[0] = '\0';
	er = oci_layout_open(l.dir, "v1", &img, err, sizeof(err));
	if (!T_OK(er == REG_OK, "good layout opens: %s", err))
		return;
	T_OK(strcmp(img->manifest.digest, l.manifest) == 0 &&
	        img->manifest_len == l.mlen &&
	        memcmp(img->manifest_bytes, l.mbody, l.mlen) == 0 &&
	        strcmp(img->manifest.media_type, OCI_MT_OCI_MANIFEST) == 0,
	    "manifest bytes and digest");
	T_OK(img->m.nlayers == 1 &&
	        strcmp(img->m.layers[0].digest, l.layer) == 0 &&
	        img->m.layers[0].size == sizeof(LAYER) - 1 &&
	        strcmp(img->m.config.digest, l.config) == 0 &&
	        img->m.config.size == sizeof(CONFIG) - 1,
	    "config and layer descriptors");
	T_OK(oci_image_blob_open(img, &img->m.layers[0], &fd) == REG_OK &&
	        read(fd, buf, sizeof(buf)) == (ssize_t)(sizeof(LAYER) - 1) &&
	        memcmp(buf, LAYER, sizeof(LAYER) - 1) == 0,
	    "layer blob opens and reads");
	if (fd >= 0)
		close(fd);
	oci_image_free(img);

	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_OK,
	    "the only manifest is picked without a tag: %s", err);
	T_OK(open_layout(l.dir, "v2", err, sizeof(err)) == REG_ENOENT &&
	        strstr(err, "v2") != NULL,
	    "unknown tag is REG_ENOENT: %s", err);
	T_OK(open_layout(l.dir, "../v1", err, sizeof(err)) == REG_EINVAL,
	    "a tag outside its grammar is REG_EINVAL");

	mk_layout(&l, "docker", OCI_MT_DOCKER_MANIFEST, NULL, 0, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_OK,
	    "docker v2 schema 2 manifest opens: %s", err);
}

/* Rewrite index.json of l with a body made by fmt. */
static void put_index(const struct lay *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put_index(const struct lay *l, const char *fmt, ...)
{
	char index[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(index, sizeof(index), fmt, ap);
	va_end(ap);
	put_file(l->dir, "index.json", index, (size_t)n);
}

#define ENTRY \
	"{\"mediaType\":\"" OCI_MT_OCI_MANIFEST "\",\"digest\":\"%s\"," \
	"\"size\":%zu,\"annotations\":{\"" OCI_REF_NAME "\":\"%s\"}}"

static void
test_layout_index(void)
{
	struct lay l, m;
	char err[512], path[1024];

	mk_layout(&l, "two", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	mk_layout(&m, "two-b", OCI_MT_OCI_MANIFEST, NULL, 0, "v2");
	/* copy m's manifest blob into l so both entries resolve */
	put_blob(l.dir, m.mbody, m.mlen, m.manifest);
	put_index(&l,
	    "{\"schemaVersion\":2,\"manifests\":[" ENTRY "," ENTRY "]}",
	    l.manifest, l.mlen, "v1", m.manifest, m.mlen, "v2");
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_EINVAL &&
	        strstr(err, "2 manifests") != NULL,
	    "two manifests and no tag: %s", err);
	T_OK(open_layout(l.dir, "v2", err, sizeof(err)) == REG_OK,
	    "two manifests, tag v2 picks one: %s", err);
	put_index(&l,
	    "{\"schemaVersion\":2,\"manifests\":[" ENTRY "," ENTRY "]}",
	    l.manifest, l.mlen, "v1", m.manifest, m.mlen, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL,
	    "two manifests with the same tag: %s", err);
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[]}");
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_ENOENT,
	    "empty index: %s", err);
	put_index(&l, "{\"schemaVersion\":1,\"manifests\":[" ENTRY "]}",
	    l.manifest, l.mlen, "v1");
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_EINVAL,
	    "index schemaVersion 1: %s", err);
	put_index(&l,
	    "{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[" ENTRY
	    "]}",
	    l.manifest, l.mlen, "v1");
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_EINVAL,
	    "index with a duplicate key: %s", err);
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]} x",
	    l.manifest, l.mlen, "v1");
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_EINVAL,
	    "index with trailing garbage: %s", err);
	/* a missing manifest blob */
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]}", DG,
	    l.mlen, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_ENOENT &&
	        strstr(err, "missing") != NULL,
	    "index.json pointing at a missing blob: %s", err);
	/* path traversal and other digest forms */
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]}",
	    "sha256:../../../../../../../../../../../../../../../../../etc/"
	    "passwd",
	    l.mlen, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL &&
	        strstr(err, "digest") != NULL,
	    "path traversal in a digest: %s", err);
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]}",
	    "sha256:/etc/passwd", l.mlen, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL,
	    "absolute path in a digest: %s", err);
	(void)snprintf(path, sizeof(path), "sha512:%.64s", l.manifest + 7);
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]}", path,
	    l.mlen, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL,
	    "sha512 digest: %s", err);
	/* index.json over its cap */
	{
		size_t n = OCI_INDEX_MAX + 1;
		char *big = malloc(n);

		if (big != NULL) {
			memset(big, ' ', n);
			big[0] = '{';
			big[1] = '}';
			put_file(l.dir, "index.json", big, n);
			T_OK(open_layout(l.dir, NULL, err, sizeof(err)) ==
			        REG_ETOOBIG,
			    "index.json of %zu bytes: %s", n, err);
			free(big);
		}
	}
	/* oci-layout */
	put_file(l.dir, "oci-layout", S("{\"imageLayoutVersion\":\"2.0.0\"}"));
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_EINVAL,
	    "imageLayoutVersion 2.0.0: %s", err);
	(void)snprintf(path, sizeof(path), "%s/oci-layout", l.dir);
	(void)unlink(path);
	T_OK(open_layout(l.dir, NULL, err, sizeof(err)) == REG_ENOENT,
	    "no oci-layout: %s", err);
	T_OK(open_layout("/nonexistent/layout", NULL, err, sizeof(err)) ==
	        REG_ENOENT,
	    "no such directory: %s", err);
}

static void
test_layout_blobs(void)
{
	struct lay l;
	char err[512], path[1024], target[1024];
	static char other[sizeof(LAYER) - 1];

	/* manifest blob content does not match its digest */
	mk_layout(&l, "mism", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	(void)snprintf(path, sizeof(path), "blobs/sha256/%.64s",
	    l.manifest + 7);
	l.mbody[l.mlen - 2] = ' ';
	put_file(l.dir, path, l.mbody, l.mlen);
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EUNPROC &&
	        strstr(err, "digest") != NULL,
	    "manifest digest mismatch: %s", err);
	/* manifest size differs from the index */
	mk_layout(&l, "msize", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	put_index(&l, "{\"schemaVersion\":2,\"manifests\":[" ENTRY "]}",
	    l.manifest, l.mlen + 1, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EUNPROC &&
	        strstr(err, "size") != NULL,
	    "manifest size mismatch: %s", err);
	/* a layer whose bytes changed (same size) */
	mk_layout(&l, "lmism", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	memset(other, 'x', sizeof(other));
	(void)snprintf(path, sizeof(path), "blobs/sha256/%.64s", l.layer + 7);
	put_file(l.dir, path, other, sizeof(other));
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EUNPROC &&
	        strstr(err, "layer 1") != NULL,
	    "layer digest mismatch: %s", err);
	/* a layer of another size */
	put_file(l.dir, path, other, sizeof(other) - 1);
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EUNPROC,
	    "layer size mismatch: %s", err);
	/* a missing layer */
	(void)snprintf(target, sizeof(target), "%.500s/%.500s", l.dir, path);
	(void)unlink(target);
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_ENOENT &&
	        strstr(err, "missing") != NULL,
	    "missing layer blob: %s", err);
	/* a missing config */
	mk_layout(&l, "nocfg", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	(void)snprintf(target, sizeof(target), "%s/blobs/sha256/%.64s", l.dir,
	    l.config + 7);
	(void)unlink(target);
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_ENOENT &&
	        strstr(err, "config") != NULL,
	    "missing config blob: %s", err);
	/* a symbolic link as a blob is refused */
	mk_layout(&l, "symlink", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	(void)snprintf(target, sizeof(target), "%s/blobs/sha256/%.64s", l.dir,
	    l.layer + 7);
	(void)snprintf(path, sizeof(path), "%s/real-layer", l.dir);
	if (rename(target, path) == 0 && symlink(path, target) == 0)
		T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL,
		    "a symlinked blob is refused: %s", err);
}

static void
test_layout_media(void)
{
	struct lay l;
	char err[512];

	mk_layout(&l, "unknown", "application/vnd.example.thing+json", NULL, 0,
	    "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EMEDIA &&
	        strstr(err, "unsupported") != NULL,
	    "unknown media type: %s", err);
	mk_layout(&l, "index", OCI_MT_OCI_INDEX, NULL, 0, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EMEDIA &&
	        strstr(err, "multi-arch") != NULL,
	    "an image index is refused clearly: %s", err);
	mk_layout(&l, "mtdiff", OCI_MT_DOCKER_MANIFEST, OCI_MT_OCI_MANIFEST, 0,
	    "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_EINVAL &&
	        strstr(err, "mediaType") != NULL,
	    "manifest mediaType differs from the index: %s", err);
	mk_layout(&l, "big", OCI_MT_OCI_MANIFEST, NULL,
	    (unsigned long long)OCI_MANIFEST_MAX + 1, "v1");
	T_OK(open_layout(l.dir, "v1", err, sizeof(err)) == REG_ETOOBIG,
	    "oversized manifest descriptor: %s", err);
}

/* Manifests parsed from memory. */
static void
test_manifest_table(void)
{
	static const struct {
		const char *in;
		const char *mt;
		enum reg_err er;
		size_t nlayers;
	} tab[] = {
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":1},\"layers\":[]}",
		    OCI_MT_OCI_MANIFEST, REG_OK, 0 },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":1},\"layers\":[]}",
		    OCI_MT_DOCKER_MANIFEST, REG_EINVAL, 0 },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":1,\"annotations\":{}},"
		  "\"layers\":[{\"mediaType\":\"a/c\",\"digest\":\"" DG "\","
		  "\"size\":0,\"urls\":[\"https://x\"]}],\"subject\":{}}",
		    OCI_MT_OCI_MANIFEST, REG_OK, 1 },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":-1},\"layers\":[]}",
		    OCI_MT_OCI_MANIFEST, REG_EINVAL, 0 },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":\"1\"},\"layers\":[]}",
		    OCI_MT_OCI_MANIFEST, REG_EINVAL, 0 },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\","
		  "\"digest\":\"" DG "\",\"size\":1}}",
		    OCI_MT_OCI_MANIFEST, REG_EINVAL, 0 },
		{ "{\"schemaVersion\":2,\"layers\":[]}", OCI_MT_OCI_MANIFEST,
		    REG_EINVAL, 0 },
		{ "{\"schemaVersion\":2,\"manifests\":[]}", OCI_MT_OCI_INDEX,
		    REG_EMEDIA, 0 },
		{ "{}", OCI_MT_DOCKER_LIST, REG_EMEDIA, 0 },
		{ "{}", "text/plain", REG_EMEDIA, 0 },
		{ "[]", OCI_MT_OCI_MANIFEST, REG_EINVAL, 0 },
		{ "", OCI_MT_OCI_MANIFEST, REG_EINVAL, 0 },
	};
	struct oci_manifest m;
	char err[256];
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		enum reg_err er;

		err[0] = '\0';
		er = oci_manifest_parse(tab[i].in, strlen(tab[i].in), tab[i].mt,
		    &m, err, sizeof(err));
		T_OK(er == tab[i].er &&
		        (er != REG_OK || m.nlayers == tab[i].nlayers),
		    "manifest %zu: %s (want %s) %s", i, ername(er),
		    ername(tab[i].er), err);
		if (er == REG_OK)
			oci_manifest_release(&m);
	}
}

/* The pusher refuses bad options before it sends anything. */
static void
test_push_opts(void)
{
	static const struct {
		const char *registry, *repo, *tag, *from, *user;
	} tab[] = {
		{ "http://registry.example.com", "honua/a", "v1", NULL, NULL },
		{ "ftp://127.0.0.1", "honua/a", "v1", NULL, NULL },
		{ "https://r.example/v2", "honua/a", "v1", NULL, NULL },
		{ "https://r.example?x", "honua/a", "v1", NULL, NULL },
		{ "https://user:pw@r.example", "honua/a", "v1", NULL, NULL },
		{ NULL, "honua/a", "v1", NULL, NULL },
		{ "https://r.example", "Honua/A", "v1", NULL, NULL },
		{ "https://r.example", "honua/../a", "v1", NULL, NULL },
		{ "https://r.example", NULL, "v1", NULL, NULL },
		{ "https://r.example", "honua/a", "v1/x", NULL, NULL },
		{ "https://r.example", "honua/a", NULL, NULL, NULL },
		{ "https://r.example", "honua/a", "v1", "../x", NULL },
		{ "https://r.example", "honua/a", "v1", NULL, "AWS:x" },
		{ "https://r.example", "honua/a", "v1", NULL, "" },
		{ "https://r.example", "honua/a", "v1", NULL, "a\nb" },
	};
	struct oci_image *img = NULL;
	struct oci_push_opts o;
	struct oci_creds cr;
	struct lay l;
	char err[512], digest[OCI_DIGEST_SIZE] = "untouched";
	size_t i;

	mk_layout(&l, "push", OCI_MT_OCI_MANIFEST, NULL, 0, "v1");
	if (oci_layout_open(l.dir, "v1", &img, err, sizeof(err)) != REG_OK)
		return;
	for (i = 0; i < nitems(tab); i++) {
		oci_push_opts_init(&o);
		o.registry = tab[i].registry;
		o.repository = tab[i].repo;
		o.tag = tab[i].tag;
		o.mount_from = tab[i].from;
		cr.username = tab[i].user;
		cr.password = "sekrit-password";
		o.creds = &cr;
		T_OK(oci_push_image(img, &o, digest, err, sizeof(err)) ==
		            REG_EINVAL &&
		        strcmp(digest, "untouched") == 0 &&
		        strstr(err, "sekrit") == NULL,
		    "bad option %zu is REG_EINVAL: %s", i, err);
	}
	oci_image_free(img);
}

int
main(void)
{
	test_challenge_table();
	test_challenge_limits();
	test_errbody_table();
	test_errbody_limits();
	test_token_table();
	test_token_limits();
	test_location_table();
	test_location_limits();
	test_url_table();
	test_grammars();
	test_retry_after();
	test_manifest_table();
	test_layout_good();
	test_layout_index();
	test_layout_blobs();
	test_layout_media();
	test_push_opts();
	return t_done();
}
