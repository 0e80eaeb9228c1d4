/*
 * tests/fuzz/fuzz_orch_url.c: orch_url_parse, the URL reader behind every
 * endpoint honua-orchestrator signs for (the Host it signs must be the
 * Host libcurl sends).  Invariants on success:
 *   - the input starts with "http://" or "https://" and https matches;
 *   - host is non-empty, made of [A-Za-z0-9.:_-], and hostport is host,
 *     "[host]" for IPv6, optionally followed by ":port" (1..65535, never
 *     the scheme's default);
 *   - path starts with '/' and holds no '?' or '#';
 *   - loopback <=> host is localhost, ::1 or starts with "127.".
 * The input is NUL-terminated (the function takes a C string) but copied
 * to an exact-size heap buffer, so any read past it is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../admin-tools/orch_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
host_ok(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
		           "Z"
		           "0123456789.:_-",
		        h[i]) == NULL)
			return false;
	}
	return true;
}

/* ":port", 1..65535, never the scheme's default. */
static bool
port_ok(const char *rest, bool https)
{
	long port = 0;
	size_t i, n;

	if (*rest == '\0')
		return true;
	n = strlen(rest + 1);
	if (*rest != ':' || n == 0 || n > 5 ||
	    strspn(rest + 1, "0123456789") != n)
		return false;
	for (i = 1; rest[i] != '\0'; i++)
		port = port * 10 + (rest[i] - '0');
	return port >= 1 && port <= 65535 && !(https && port == 443) &&
	    !(!https && port == 80);
}

static bool
hostport_ok(const struct orch_url *u)
{
	const char *hp = u->hostport;
	size_t hl = strlen(u->host);

	if (hp[0] == '[')
		return strncmp(hp + 1, u->host, hl) == 0 && hp[hl + 1] == ']' &&
		    port_ok(hp + hl + 2, u->https);
	return strncmp(hp, u->host, hl) == 0 && port_ok(hp + hl, u->https);
}

static void
check(const char *in, const struct orch_url *u)
{
	bool lo;

	if (u->https != (strncmp(in, "https://", 8) == 0) ||
	    (!u->https && strncmp(in, "http://", 7) != 0))
		abort();
	if (!host_ok(u->host) || !hostport_ok(u))
		abort();
	if (u->path[0] != '/' || strchr(u->path, '?') != NULL ||
	    strchr(u->path, '#') != NULL)
		abort();
	lo = strcmp(u->host, "localhost") == 0 || strcmp(u->host, "::1") == 0 ||
	    strncmp(u->host, "127.", 4) == 0;
	if (lo != u->loopback)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct orch_url u;
	char *p;

	if (len > 4096)
		return 0;
	p = malloc(len + 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	p[len] = '\0';
	if (orch_url_parse(p, &u) == REG_OK)
		check(p, &u);
	free(p);
	return 0;
}
