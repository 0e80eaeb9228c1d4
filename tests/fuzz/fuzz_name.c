/*
 * tests/fuzz/fuzz_name.c: name_valid, system_valid and name_lower against
 * the grammars of spec 2.1 restated here independently:
 *   - name_valid and system_valid agree with a second, obvious reading of
 *     the regular expressions (both directions, not just "valid => ok");
 *   - valid implies 1 <= len <= NAME_MAX_LEN and alnum first/last;
 *   - every valid system is a valid name;
 *   - name_lower never writes past dstsz, always NUL-terminates, leaves
 *     no upper case, is idempotent and does not change name validity;
 *     a lowered valid name without '-' or '_' is a valid system.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
ref_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* ^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$ */
static bool
ref_name(const unsigned char *p, size_t len)
{
	size_t i;

	if (len < 1 || len > 64)
		return false;
	for (i = 0; i < len; i++) {
		bool edge = i == 0 || i == len - 1;

		if (!ref_alnum(p[i]) && (edge || (p[i] != '-' && p[i] != '_')))
			return false;
	}
	return true;
}

/* ^[0-9a-z]{1,64}$ */
static bool
ref_system(const unsigned char *p, size_t len)
{
	size_t i;

	if (len < 1 || len > 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		        (p[i] >= 'a' && p[i] <= 'z')))
			return false;
	return true;
}

static void
check_lower(const char *p, size_t len)
{
	char *a, *b, *t;
	size_t i, tsz;

	/* exact-size destinations: dstsz == len + 1 */
	a = malloc(len + 1);
	b = malloc(len + 1);
	tsz = len / 2 + 1; /* too small on purpose: must truncate */
	t = malloc(tsz);
	if (a == NULL || b == NULL || t == NULL)
		goto out;

	name_lower(a, len + 1, p, len);
	if (a[len] != '\0')
		abort();
	for (i = 0; i < len; i++) {
		int want = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i];

		if (a[i] != want)
			abort(); /* only ASCII upper case may change */
	}
	name_lower(b, len + 1, a, len);
	if (memcmp(a, b, len + 1) != 0)
		abort(); /* not idempotent */
	if (name_valid(a, len) != name_valid(p, len))
		abort(); /* case changed validity */
	if (name_valid(a, len) && memchr(a, '-', len) == NULL &&
	    memchr(a, '_', len) == NULL && !system_valid(a, len))
		abort(); /* lowered alnum name must be a system */

	name_lower(t, tsz, p, len);
	if (t[tsz - 1] != '\0' || memcmp(t, a, tsz - 1) != 0)
		abort(); /* truncation must keep a prefix and the NUL */
out:
	free(a);
	free(b);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p;
	bool nv, sv;

	if (len == 0) {
		if (name_valid("", 0) || system_valid("", 0))
			abort(); /* the empty name must be rejected */
		check_lower("", 0);
		return 0;
	}
	p = malloc(len);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);

	nv = name_valid(p, len);
	sv = system_valid(p, len);
	if (nv != ref_name(data, len) || sv != ref_system(data, len))
		abort(); /* disagrees with the grammar */
	if (nv &&
	    (len > NAME_MAX_LEN || !ref_alnum((unsigned char)p[0]) ||
	        !ref_alnum((unsigned char)p[len - 1])))
		abort();
	if (sv && !nv)
		abort(); /* system grammar is a subset of the name grammar */
	check_lower(p, len);
	free(p);
	return 0;
}
