/*
 * tests/fuzz/fuzz_config.c: registry/config.c on arbitrary text.
 * Invariants: on success every string setting is NUL-terminated inside
 * its buffer, numbers are inside their documented ranges, at most
 * CONFIG_MAX_STS endpoints; on failure the message is NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
terminated(const char *s, size_t n)
{
	if (memchr(s, '\0', n) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct reg_config c;
	char why[256];
	char *p;
	size_t i;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	config_defaults(&c);
	memset(why, 'x', sizeof(why));
	why[sizeof(why) - 1] = '\0';
	if (config_parse(&c, p, len, why, sizeof(why)) == REG_OK) {
		terminated(c.socket, sizeof(c.socket));
		terminated(c.state_dir, sizeof(c.state_dir));
		terminated(c.audience, sizeof(c.audience));
		terminated(c.sts_test_endpoint, sizeof(c.sts_test_endpoint));
		if (c.threads < 1 || c.threads > 256 || c.socket_mode > 0777 ||
		    c.token_max_ttl > 43200 || c.max_age > 900 ||
		    c.nsts > CONFIG_MAX_STS)
			abort();
		for (i = 0; i < c.nsts; i++) {
			terminated(c.sts[i].host, sizeof(c.sts[i].host));
			if (strchr(c.sts[i].partition, ' ') != NULL)
				abort();
		}
		if (config_check(&c, true, why, sizeof(why)) != REG_OK)
			terminated(why, sizeof(why));
	}
	terminated(why, sizeof(why));
	free(p);
	return 0;
}
