/*
 * tests/fuzz/fuzz_orch_ecrerr.c: the ECR (JSON 1.1) error reader of
 * honua-orchestrator: orch_aws_json_error on a body, with the first line
 * of the input as the x-amzn-ErrorType header, and orch_aws_errtype_norm
 * on the raw bytes.  Invariants:
 *   - the code is "" or 1..95 bytes of [A-Za-z0-9_.] (no '#', ':');
 *   - a normalised code is a substring of its input: what follows the
 *     last '#', cut at the first ':';
 *   - the message holds no control byte and no byte >= 0x80 (escaped);
 *   - everything is NUL-terminated inside its buffer.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../admin-tools/orch_aws.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
code_ok(const char *c, size_t max)
{
	size_t i, n = strnlen(c, max + 1);

	if (n > 95 || n >= max)
		return false;
	for (i = 0; i < n; i++) {
		char ch = c[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		        (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct orch_apierr err;
	char *p, *hdr = NULL, norm[96];
	const char *body, *nl, *start;
	size_t blen, i, hlen, n;

	p = calloc(1, len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);

	/* the normaliser, against its definition */
	orch_aws_errtype_norm(p, len, norm, sizeof(norm));
	if (!code_ok(norm, sizeof(norm)))
		abort();
	n = strlen(norm);
	if (n > 0) {
		start = p;
		for (i = 0; i < len; i++) {
			if (p[i] == '#')
				start = p + i + 1;
		}
		if ((size_t)(p + len - start) < n ||
		    memcmp(start, norm, n) != 0 ||
		    ((size_t)(p + len - start) > n && start[n] != ':'))
			abort();
	}

	/* header line + body */
	nl = len > 0 ? memchr(p, '\n', len) : NULL;
	if (nl != NULL) {
		hlen = (size_t)(nl - p);
		hdr = malloc(hlen + 1);
		if (hdr == NULL) {
			free(p);
			return 0;
		}
		memcpy(hdr, p, hlen);
		hdr[hlen] = '\0';
		body = nl + 1;
		blen = len - hlen - 1;
	} else {
		body = p;
		blen = len;
	}
	memset(&err, 0x5a, sizeof(err));
	orch_aws_json_error(body, blen, hdr, &err);
	if (!code_ok(err.code, sizeof(err.code)))
		abort();
	n = strnlen(err.message, sizeof(err.message));
	if (n >= sizeof(err.message))
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)err.message[i];
		if (c < 0x20 || c >= 0x7f)
			abort();
	}
	free(hdr);
	free(p);
	return 0;
}
