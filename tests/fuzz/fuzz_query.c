/*
 * tests/fuzz/fuzz_query.c: req_pct_decode (registry/req.c), the one
 * percent-decoder for paths and query strings.  Invariants: success means
 * the output is NUL-terminated, has no NUL inside, is no longer than the
 * input, and re-encoding every byte as %HH decodes back to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/req.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char out[4096], again[4096], enc[3 * 4096 + 1];
	char *p;
	long n, m;
	size_t i;

	if (len > 4000)
		return 0;
	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	n = req_pct_decode(p, len, out, sizeof(out));
	if (n >= 0) {
		if ((size_t)n > len || out[n] != '\0' ||
		    strlen(out) != (size_t)n)
			abort();
		for (i = 0; i < (size_t)n; i++)
			snprintf(enc + 3 * i, 4, "%%%02X",
			    (unsigned char)out[i]);
		m = req_pct_decode(enc, 3 * (size_t)n, again, sizeof(again));
		if (m != n || memcmp(out, again, (size_t)n) != 0)
			abort();
	}
	free(p);
	return 0;
}
