/*
 * tests/lib/t.h: a tiny TAP producer for the unit tests.
 * T_OK(cond, fmt, ...) records one test point.  t_done() prints the plan
 * and returns the exit status (0 when every point passed).
 */
#ifndef REG_T_H
#define REG_T_H

#include <stdbool.h>
#include <stddef.h>

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

bool t_ok(bool cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define T_OK(cond, ...) t_ok((cond), __FILE__, __LINE__, __VA_ARGS__)

/* A fresh temporary directory, removed (recursively) by t_done(). */
const char *t_tmpdir(void);

int t_done(void);

#endif
