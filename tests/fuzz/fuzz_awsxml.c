/*
 * tests/fuzz/fuzz_awsxml.c: auth/awsxml (the STS/IAM XML extractor) and
 * aws_iso8601_parse (the Expiration parser).
 *
 * Input: an XML document (exact-size heap copy).  Invariants:
 *   - the verdict on the document does not depend on the path: when
 *     awsxml_check() refuses it, every awsxml_element() and awsxml_text()
 *     call returns the same error; when it accepts, they return only
 *     REG_OK or REG_ENOENT (plus REG_EINVAL/REG_ETOOBIG from text for a
 *     non-text element or a small buffer);
 *   - a found element's span lies inside the input and is itself an
 *     accepted fragment; relative lookups in it agree with the absolute
 *     lookup (same bytes);
 *   - decoded text is NUL-terminated, has no NUL and no C0 byte but
 *     TAB/LF/CR, is never longer than the raw span, equals the raw span
 *     when that has no markup or entity, and needs exactly len + 1
 *     bytes (len bytes of room is REG_ETOOBIG);
 *   - aws_iso8601_parse on the raw input: any accepted time lies in
 *     1970..9999 and survives a format/parse round trip, and the
 *     canonical "YYYY-MM-DDTHH:MM:SSZ" form reproduces itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../auth/awscreds.h"
#include "../../auth/awsxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define OUTSZ 4096

static const char *const paths[] = {
	"AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId",
	"AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey",
	"AssumeRoleResponse/AssumeRoleResult/Credentials/SessionToken",
	"AssumeRoleResponse/AssumeRoleResult/Credentials/Expiration",
	("AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/"
	 "Credentials/AccessKeyId"),
	"ErrorResponse/Error/Code",
	"ErrorResponse/Error/Message",
	"ListUsersResponse/ListUsersResult/Users/member/UserName",
	"a",
	"a/b",
	"a/b/c",
	"r/a",
};

/* (outer, inner) pairs for the relative-lookup invariant */
static const char *const rel[][3] = {
	{ "AssumeRoleResponse/AssumeRoleResult", "Credentials/AccessKeyId",
	    "AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId" },
	{ "ErrorResponse/Error", "Code", "ErrorResponse/Error/Code" },
	{ "a", "b/c", "a/b/c" },
	{ "a/b", "c", "a/b/c" },
};

static void
check_text(const char *p, size_t len, const char *path, size_t nth,
    enum reg_err ee, struct span sp)
{
	static char out[OUTSZ + 1];
	size_t n = 0, i;
	enum reg_err te;
	bool plain = true;

	te = awsxml_text(p, len, path, nth, out, OUTSZ, &n);
	if (ee != REG_OK) {
		if (te != ee)
			abort();
		return;
	}
	if (te != REG_OK && te != REG_EINVAL && te != REG_ETOOBIG)
		abort();
	for (i = 0; i < sp.len; i++) {
		if (sp.p[i] == '<' || sp.p[i] == '&')
			plain = false;
	}
	if (te == REG_EINVAL && plain)
		abort(); /* no '<': cannot have a child element */
	if (te == REG_ETOOBIG && sp.len < OUTSZ)
		abort(); /* decoded text never outgrows the raw span */
	if (te != REG_OK)
		return;
	if (n >= OUTSZ || out[n] != '\0' || strlen(out) != n || n > sp.len)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			abort();
	}
	if (plain && (n != sp.len || memcmp(out, sp.p, n) != 0))
		abort();
	/* exactly n + 1 bytes are needed */
	if (awsxml_text(p, len, path, nth, out, n + 1, &i) != REG_OK || i != n)
		abort();
	if (n > 0 && awsxml_text(p, len, path, nth, out, n, &i) != REG_ETOOBIG)
		abort();
}

static void
check_xml(const char *p, size_t len)
{
	struct span sp, outer, inner, whole;
	enum reg_err ce, ee;
	size_t i, nth;

	ce = awsxml_check(p, len);
	if (ce != REG_OK && ce != REG_EINVAL && ce != REG_ETOOBIG)
		abort();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (nth = 0; nth < 2; nth++) {
			sp.p = NULL;
			sp.len = 0;
			ee = awsxml_element(p, len, paths[i], nth, &sp);
			if (ce != REG_OK ? ee != ce
			                 : ee != REG_OK && ee != REG_ENOENT)
				abort();
			if (ee == REG_OK &&
			    (sp.p < p || sp.len > len ||
			        (size_t)(sp.p - p) > len - sp.len ||
			        awsxml_check(sp.p, sp.len) != REG_OK))
				abort();
			check_text(p, len, paths[i], nth, ee, sp);
		}
	}
	if (ce != REG_OK)
		return;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (awsxml_element(p, len, rel[i][0], 0, &outer) != REG_OK ||
		    awsxml_element(outer.p, outer.len, rel[i][1], 0, &inner) !=
		        REG_OK)
			continue;
		/* document order: the first match inside the first outer
		 * element is the first match overall */
		if (awsxml_element(p, len, rel[i][2], 0, &whole) != REG_OK ||
		    whole.p != inner.p || whole.len != inner.len)
			abort();
	}
}

static void
check_iso(const char *p, size_t len)
{
	char canon[32];
	struct tm tm;
	int64_t t, t2;
	time_t tt;

	if (aws_iso8601_parse(p, len, &t) != REG_OK)
		return;
	if (t < 0 || t > 253402300799LL)
		abort();
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(canon, sizeof(canon), "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		abort();
	if (aws_iso8601_parse(canon, 20, &t2) != REG_OK || t2 != t)
		abort();
	if (len == 20 && p[10] == 'T' && p[19] == 'Z' &&
	    memcmp(canon, p, 20) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);
	check_xml(p, len);
	check_iso(p, len);
	free(p);
	return 0;
}
