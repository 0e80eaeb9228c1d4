/*
 * tests/fuzz/fuzz_clientjson.c: the JSON documents the client tools read
 * (admin-tools/client.c, client_cache.c, client_grants.c) on arbitrary
 * bytes: the token endpoint's answer, a helper cache entry, a grant and a
 * grant listing.  Invariants: nothing is kept from a refused document; an
 * accepted token is a valid token; an accepted cache entry written back
 * with client_cache_save's format parses to the same values; an accepted
 * grant has a valid namespace and principal key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/client.h"
#include "admin-tools/client_cache.h"
#include "admin-tools/client_grants.h"

#define FZ_HOST "127.0.0.1:8443"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_token(const char *p, size_t len)
{
	struct client_token t;

	client_token_init(&t);
	if (client_token_parse(p, len, &t) == REG_OK) {
		if (t.token == NULL ||
		    !client_token_valid(t.token, strlen(t.token)) ||
		    t.expires_at < 0 || t.expires_in < 0)
			abort();
	} else if (t.token != NULL) {
		abort();
	}
	client_token_release(&t);
}

static void
check_cache(const char *p, size_t len)
{
	struct client_token t, u;
	char again[CLIENT_CACHE_FILE_MAX];
	int64_t got = -1, got2 = -1;
	const char *why = NULL;
	int n;

	client_token_init(&t);
	client_token_init(&u);
	if (client_cache_parse(p, len, FZ_HOST, &t, &got, &why) != REG_OK) {
		if (t.token != NULL || why == NULL)
			abort();
		return;
	}
	n = snprintf(again, sizeof(again),
	    "{\"host\":\"%s\",\"token\":\"%s\",\"expires_at\":%lld,"
	    "\"obtained_at\":%lld}\n",
	    FZ_HOST, t.token, (long long)t.expires_at, (long long)got);
	if (n < 0 || (size_t)n >= sizeof(again) ||
	    client_cache_parse(again, (size_t)n, FZ_HOST, &u, &got2, &why) !=
	        REG_OK ||
	    strcmp(t.token, u.token) != 0 || t.expires_at != u.expires_at ||
	    got != got2)
		abort();
	client_token_release(&t);
	client_token_release(&u);
}

static void
check_grants(const char *p, size_t len)
{
	struct client_grant g, *a = NULL;
	size_t n = 0, i;

	if (client_grant_parse(p, len, &g) == REG_OK &&
	    !principal_key_valid(g.principal, strlen(g.principal)))
		abort();
	if (client_grants_parse(p, len, &a, &n) == REG_OK) {
		for (i = 0; i < n; i++)
			if (!principal_key_valid(a[i].principal,
			        strlen(a[i].principal)) ||
			    (strcmp(a[i].ns, "*") != 0 &&
			        !name_valid(a[i].ns, strlen(a[i].ns))))
				abort();
		free(a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	check_token(p, len);
	check_cache(p, len);
	check_grants(p, len);
	free(p);
	return 0;
}
