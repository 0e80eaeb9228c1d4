/*
 * tests/fuzz/fuzz_arn.c: principal_from_grant_input, principal_from_sts,
 * principal_key_valid and principal_display on untrusted input.
 *
 * The whole input is one grant input; split at '\n' it is also an STS
 * answer (Arn, UserId, Account; partition "aws", users allowed when the
 * input length is odd).  Invariants: on success the key matches its
 * grammar, principal_display(key) is the display form, and parsing the
 * display form as grant input gives the same key with no warning; an STS
 * key is a role or user key of the answer's partition and account, users
 * only when allowed, with a session and unique id of the right shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/principal.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_key(const char *key, const char *display)
{
	struct principal_grant again;
	char disp[PRINCIPAL_BUFSZ];

	if (!principal_key_valid(key, strlen(key)))
		abort();
	if (principal_display(key, strlen(key), disp) != REG_OK ||
	    strcmp(disp, display) != 0)
		abort();
	if (principal_from_grant_input(display, strlen(display), &again,
	        NULL) != REG_OK ||
	    strcmp(again.key, key) != 0 || again.warning[0] != '\0')
		abort();
	if (strchr(key, '*') != NULL || strchr(key, '?') != NULL ||
	    strchr(key, '/') != NULL)
		abort();
}

static bool
session_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || n > PRINCIPAL_SESSION_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (strchr("+=,.@_-", s[i]) == NULL &&
		    !((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static void
as_sts(const char *p, size_t len)
{
	const char *f[3] = { "", "", "" }, *nl;
	size_t flen[3] = { 0, 0, 0 }, i = 0, off = 0;
	struct principal_sts o;
	char prefix[64];
	bool users = len % 2 == 1;
	const char *why = NULL;
	enum reg_err er;

	while (i < 3 && off <= len) {
		nl = memchr(p + off, '\n', len - off);
		f[i] = p + off;
		flen[i] = nl != NULL ? (size_t)(nl - (p + off)) : len - off;
		off += flen[i] + 1;
		i++;
		if (nl == NULL)
			break;
	}
	er = principal_from_sts(f[0], flen[0], f[1], flen[1], f[2], flen[2],
	    "aws", users, &o, &why);
	if (why == NULL || (er != REG_OK && er != REG_EAUTH))
		abort();
	if (er != REG_OK)
		return;
	check_key(o.key, o.display);
	if (flen[2] != 12 || memcmp(o.account, f[2], 12) != 0)
		abort();
	memcpy(prefix, "aws:aws:", 8);
	memcpy(prefix + 8, o.account, 12);
	memcpy(prefix + 20, ":role:", 7);
	if (strncmp(o.key, prefix, 26) == 0) {
		if (!session_ok(o.session) ||
		    strncmp(o.unique_id, "AROA", 4) != 0)
			abort();
		return;
	}
	memcpy(prefix + 20, ":user:", 7);
	if (strncmp(o.key, prefix, 26) != 0 || !users || o.session[0] != '\0' ||
	    strncmp(o.unique_id, "AIDA", 4) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct principal_grant g;
	char disp[PRINCIPAL_BUFSZ];
	const char *why = NULL;
	enum reg_err er;
	char *p;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);

	er = principal_from_grant_input(p, len, &g, &why);
	if (why == NULL || (er != REG_OK && er != REG_EINVAL))
		abort();
	if (er == REG_OK) {
		check_key(g.key, g.display);
		if (len >= 4 && memcmp(p, "arn:", 4) == 0 &&
		    strncmp(g.key, "aws:", 4) != 0)
			abort();
	}

	if (principal_key_valid(p, len)) {
		if (principal_display(p, len, disp) != REG_OK)
			abort();
		if (principal_from_grant_input(p, len, &g, NULL) != REG_OK ||
		    strlen(g.key) != len || memcmp(g.key, p, len) != 0)
			abort(); /* a key is its own canonical form */
		check_key(g.key, disp);
	}

	as_sts(p, len);
	free(p);
	return 0;
}
