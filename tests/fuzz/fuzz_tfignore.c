/*
 * tests/fuzz/fuzz_tfignore.c: the .terraformignore matcher
 * (admin-tools/client_ignore.c) on arbitrary rules and paths.  The input
 * is RULES, a NUL byte, then paths separated by '\n'.  Invariants:
 *   - compiling is REG_OK or REG_ETOOBIG, never anything else;
 *   - matching is deterministic, and a path outside the grammar never
 *     matches;
 *   - the rules followed by "*" exclude every valid path; followed by
 *     "!*" they exclude only paths with a ".git" or ".terraform"
 *     component;
 *   - a path with a ".git" component is always excluded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/client_ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
has_fixed(const char *p, size_t len)
{
	size_t i, s = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] != '/')
			continue;
		if ((i - s == 4 && memcmp(p + s, ".git", 4) == 0) ||
		    (i - s == 10 && memcmp(p + s, ".terraform", 10) == 0))
			return true;
		s = i + 1;
	}
	return false;
}

static struct client_ignore *
compile_with(const char *rules, size_t rlen, const char *tail)
{
	struct client_ignore *ig = NULL;
	size_t tl = strlen(tail);
	char *t = malloc(rlen + tl + 1);

	if (t == NULL)
		return NULL;
	memcpy(t, rules, rlen);
	memcpy(t + rlen, tail, tl + 1);
	if (client_ignore_new(t, rlen + tl, &ig) != REG_OK)
		ig = NULL;
	free(t);
	return ig;
}

static void
check_path(const struct client_ignore *ig, const struct client_ignore *all,
    const struct client_ignore *none, const char *p, size_t len)
{
	bool valid = client_ignore_path_valid(p, len);
	bool dir = len > 0 && (p[0] & 1) != 0;
	bool a = client_ignore_excluded(ig, p, len, dir);

	if (a != client_ignore_excluded(ig, p, len, dir))
		abort();
	if (client_ignore_match(ig, p, len, dir) !=
	    client_ignore_match(ig, p, len, dir))
		abort();
	if (!valid && (a || client_ignore_match(ig, p, len, dir)))
		abort();
	if (!valid)
		return;
	if (has_fixed(p, len) && !a)
		abort();
	if (all != NULL && !client_ignore_excluded(all, p, len, dir))
		abort();
	if (none != NULL &&
	    client_ignore_excluded(none, p, len, dir) != has_fixed(p, len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct client_ignore *ig = NULL, *all, *none;
	const char *nul, *p, *e, *end;
	size_t rlen;
	enum reg_err er;
	char *buf;

	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, len);
	nul = memchr(buf, '\0', len);
	rlen = nul != NULL ? (size_t)(nul - buf) : len;
	er = client_ignore_new(buf, rlen, &ig);
	if (er != REG_OK && er != REG_ETOOBIG && er != REG_ENOMEM)
		abort();
	if (er != REG_OK) {
		free(buf);
		return 0;
	}
	all = compile_with(buf, rlen, "\n*\n");
	none = compile_with(buf, rlen, "\n!*\n");
	end = buf + len;
	for (p = nul != NULL ? nul + 1 : end; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		check_path(ig, all, none, p, (size_t)(e - p));
		if (e == end)
			break;
	}
	client_ignore_free(ig);
	client_ignore_free(all);
	client_ignore_free(none);
	free(buf);
	return 0;
}
