/*
 * tests/lib/t.c: see t.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static int t_n, t_failed;
static char t_dir[256];

bool
t_ok(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_n++;
	if (!cond)
		t_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", t_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

const char *
t_tmpdir(void)
{
	if (t_dir[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(t_dir, sizeof(t_dir), "%s/regtest-XXXXXX",
		    base != NULL ? base : "/tmp");
		if (mkdtemp(t_dir) == NULL) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return t_dir;
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
t_done(void)
{
	if (t_dir[0] != '\0')
		(void)nftw(t_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	printf("1..%d\n", t_n);
	if (t_failed > 0)
		printf("# %d of %d failed\n", t_failed, t_n);
	return t_failed > 0 || t_n == 0 ? 1 : 0;
}
