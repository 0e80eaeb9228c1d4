/*
 * common/span.h: (pointer, length) views into memory someone else owns.
 * A span never implies a NUL terminator.
 */
#ifndef REG_SPAN_H
#define REG_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct span {
	const char *p;
	size_t len;
};

static inline struct span
span_make(const char *p, size_t len)
{
	struct span s = { p, len };
	return s;
}

static inline struct span
span_cstr(const char *s)
{
	return span_make(s, s != NULL ? strlen(s) : 0);
}

static inline bool
span_eq(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

/*
 * Split s at the first occurrence of c: *head gets the part before it,
 * s advances past it.  Returns false (s unchanged, *head = all of s)
 * when c does not occur.
 */
static inline bool
span_split(struct span *s, char c, struct span *head)
{
	const char *q = s->len > 0 ? memchr(s->p, c, s->len) : NULL;

	if (q == NULL) {
		*head = *s;
		return false;
	}
	head->p = s->p;
	head->len = (size_t)(q - s->p);
	s->len -= head->len + 1;
	s->p = q + 1;
	return true;
}

#endif
