/*
 * tests/fuzz/fuzz_orch_duration.c: orch_duration_parse (--older-than)
 * against a reference that decides on the bytes alone:
 *   - accepted <=> 1..6 ASCII digits followed by one of s m h d w;
 *   - the value equals digits * unit, computed independently;
 *   - the out-param is untouched on failure.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../admin-tools/orch_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SENTINEL ((int64_t)0x5a5a5a5a5a5a5a5aLL)

static bool
ref(const char *p, size_t len, int64_t *out)
{
	int64_t v = 0, unit;
	size_t i;

	if (len < 2 || len > 7)
		return false;
	switch (p[len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 604800;
		break;
	default:
		return false;
	}
	for (i = 0; i + 1 < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v * unit;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int64_t got = SENTINEL, want = 0;
	enum reg_err er;
	bool ok;
	char *p;

	p = calloc(1, len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);
	er = orch_duration_parse(len > 0 ? p : NULL, len, &got);
	ok = ref(p, len, &want);
	if ((er == REG_OK) != ok)
		abort();
	if (ok && got != want)
		abort();
	if (!ok && (er != REG_EINVAL || got != SENTINEL))
		abort();
	free(p);
	return 0;
}
