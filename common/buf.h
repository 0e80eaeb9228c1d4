/*
 * common/buf.h: a capped, growable byte buffer (curl's dynbuf).  The
 * contents are always NUL-terminated after a successful append so
 * buf_cstr() can hand them to C string APIs; len excludes the NUL.
 * Growing past max gives REG_ETOOBIG and leaves the buffer unchanged.
 */
#ifndef REG_BUF_H
#define REG_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common/err.h"

struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

/* Caller-owned storage; no allocation until the first append. */
void buf_init(struct buf *, size_t max);
/* Frees the contents (wiping them first if wipe); the buf may be reused. */
void buf_release(struct buf *);
void buf_release_wipe(struct buf *);
/* Empties without freeing. */
void buf_reset(struct buf *);

enum reg_err buf_add(struct buf *, const void *, size_t) REG_MUSTCHECK;
enum reg_err buf_addc(struct buf *, char) REG_MUSTCHECK;
enum reg_err buf_adds(struct buf *, const char *) REG_MUSTCHECK;
enum reg_err buf_printf(struct buf *, const char *, ...)
    REG_PRINTF(2, 3) REG_MUSTCHECK;
enum reg_err buf_vprintf(struct buf *, const char *, va_list)
    REG_PRINTF(2, 0) REG_MUSTCHECK;

/* Borrowed, valid until the next append or release; "" when empty. */
const char *buf_cstr(const struct buf *);

/* Hands the heap contents to the caller (free with free()); buf empties. */
char *buf_steal(struct buf *);

#endif
