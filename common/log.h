/*
 * common/log.h: OpenBSD-style logging.  One destination (stderr or
 * syslog) chosen at start-up, UTC timestamps, the current thread's request
 * id on every line.  Callers never pass secrets (tokens, Authorization
 * headers, query strings) to these functions; input-derived text goes
 * through log_escape() first.
 */
#ifndef REG_LOG_H
#define REG_LOG_H

#include <stddef.h>

#include "common/err.h"

enum log_level { LOG_LVL_WARN = 0, LOG_LVL_INFO = 1, LOG_LVL_DEBUG = 2 };

/* name: program name (borrowed, must outlive the program). */
void log_init(const char *name, int use_syslog, enum log_level level);
void log_set_level(enum log_level);

/* Request id for this thread's log lines; NULL clears it.  Copied. */
void log_set_reqid(const char *id);

void log_warn(const char *, ...) REG_PRINTF(1, 2); /* appends strerror */
void log_warnx(const char *, ...) REG_PRINTF(1, 2);
void log_info(const char *, ...) REG_PRINTF(1, 2);
void log_debug(const char *, ...) REG_PRINTF(1, 2);
__attribute__((noreturn)) void fatal(const char *, ...) REG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) REG_PRINTF(1, 2);

/*
 * Copy at most srclen bytes of untrusted text into dst (size dstsz,
 * always NUL-terminated), replacing control and non-ASCII bytes with
 * \xHH and truncating with "..." when it does not fit.  Returns dst.
 */
char *log_escape(char *dst, size_t dstsz, const char *src, size_t srclen);

#endif
