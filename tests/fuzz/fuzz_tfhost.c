/*
 * tests/fuzz/fuzz_tfhost.c: registry host names (client_host_canon) and
 * TF_TOKEN_ names (admin-tools/client.c) on arbitrary bytes.  Invariants:
 *   - a host that canonicalises is at most CLIENT_HOST_MAX bytes of
 *     [a-z0-9.-] with at most one ':' followed by a port other than 443,
 *     and canonicalising it again gives the same string;
 *   - its TF_TOKEN_ name maps back, by Terraform's own rule, to it;
 *   - any input read as a variable name either fails or gives a host that
 *     is already in comparison form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_canon(const char *h)
{
	char again[CLIENT_HOST_BUFSZ], name[CLIENT_TFNAME_BUFSZ];
	char back[CLIENT_HOST_BUFSZ];
	const char *colon = strchr(h, ':');
	size_t i, n = strlen(h);

	if (n == 0 || n > CLIENT_HOST_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		        (h[i] >= '0' && h[i] <= '9') || h[i] == '.' ||
		        h[i] == '-' || h[i] == ':'))
			abort();
	if (colon != NULL &&
	    (strchr(colon + 1, ':') != NULL || strcmp(colon, ":443") == 0))
		abort();
	if (client_host_canon(h, n, again, NULL) != REG_OK ||
	    strcmp(again, h) != 0)
		abort();
	if (client_tf_token_name(h, name, sizeof(name)) != REG_OK)
		abort();
	if (client_tf_token_host(name, strlen(name), back) != REG_OK ||
	    strcmp(back, h) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char out[CLIENT_HOST_BUFSZ], *p;
	const char *why = NULL;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	if (client_host_canon(p, len, out, &why) == REG_OK)
		check_canon(out);
	else if (why == NULL)
		abort();
	if (client_tf_token_host(p, len, out) == REG_OK)
		check_canon(out);
	free(p);
	return 0;
}
