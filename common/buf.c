/*
 * common/buf.c: see buf.h.  Invariant: p == NULL or p[len] == '\0' and
 * len < cap <= max + 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cryptow.h"

#include "common/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_release(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}

void
buf_release_wipe(struct buf *b)
{
	if (b->p != NULL)
		cryptow_wipe(b->p, b->cap);
	buf_release(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static enum reg_err
buf_grow(struct buf *b, size_t add)
{
	size_t need, ncap;
	char *np;

	if (add > b->max || b->len > b->max - add)
		return REG_ETOOBIG;
	need = b->len + add + 1;
	if (need <= b->cap)
		return REG_OK;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = realloc(b->p, ncap);
	if (np == NULL)
		return REG_ENOMEM;
	b->p = np;
	b->cap = ncap;
	return REG_OK;
}

enum reg_err
buf_add(struct buf *b, const void *data, size_t n)
{
	enum reg_err er;

	er = buf_grow(b, n);
	if (er != REG_OK)
		return er;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return REG_OK;
}

enum reg_err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum reg_err
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum reg_err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	enum reg_err er;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return REG_EINVAL;
	er = buf_grow(b, (size_t)n);
	if (er != REG_OK)
		return er;
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return REG_OK;
}

enum reg_err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum reg_err er;

	va_start(ap, fmt);
	er = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return er;
}

const char *
buf_cstr(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}

char *
buf_steal(struct buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = calloc(1, 1);
	buf_init(b, b->max);
	return p;
}
