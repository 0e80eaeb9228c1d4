/*
 * common/name.c: allow-list grammars for registry names (see name.h).
 *
 * Invariant: only plain ASCII ranges are tested, never <ctype.h>, so the
 * result does not depend on the locale and a byte >= 0x80 or a NUL is
 * simply outside every class.
 */
#include "common/name.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || is_lower(c) || is_upper(c);
}

/* ^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$ */
bool
name_valid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > NAME_MAX_LEN)
		return false;
	if (!is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (i = 1; i + 1 < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* ^[0-9a-z]{1,64}$ */
bool
system_valid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > NAME_MAX_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!is_digit(s[i]) && !is_lower(s[i]))
			return false;
	return true;
}

void
name_lower(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
	size_t i;

	if (dst == NULL || dstsz == 0)
		return;
	/* Truncate rather than overrun when the caller broke dstsz > len. */
	if (len > dstsz - 1)
		len = dstsz - 1;
	for (i = 0; i < len; i++) {
		if (is_upper(src[i]))
			dst[i] = lower[src[i] - 'A'];
		else
			dst[i] = src[i];
	}
	dst[len] = '\0';
}
