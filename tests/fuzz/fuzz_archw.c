/*
 * tests/fuzz/fuzz_archw.c: archw_inspect_mem on arbitrary bytes, with
 * small limits so that the limit paths are reachable.
 *
 * Invariants checked:
 *   - the code is one archw_inspect_mem may return for memory input:
 *     REG_OK, REG_EINVAL, REG_EUNPROC, REG_ETOOBIG or REG_ENOMEM;
 *   - REG_OK: entries <= max_entries, bytes <= max_bytes,
 *     1 <= tf_files <= entries, format is "tar.gz" or "zip", why is "";
 *   - failure: why is non-empty, and the out-param is untouched;
 *   - why is NUL-terminated within whysz, nothing past whysz is written,
 *     and it holds printable ASCII only (input-derived text is escaped);
 *   - the same input gives the same code with a 1-byte why buffer, and
 *     with why == NULL.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/archw.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define WHYSZ 96
#define CANARY 16

static const struct archw_limits lim = { 8, 4096 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct archw_result res, before;
	char why[WHYSZ + CANARY], tiny[2];
	unsigned char *p;
	enum reg_err er, er2;
	size_t i, n;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);
	memset(&res, 0xa5, sizeof(res));
	before = res;
	memset(why, 'Z', sizeof(why));

	er = archw_inspect_mem(p, len, &lim, &res, why, WHYSZ);

	if (er != REG_OK && er != REG_EINVAL && er != REG_EUNPROC &&
	    er != REG_ETOOBIG && er != REG_ENOMEM)
		abort();
	n = strnlen(why, WHYSZ);
	if (n == WHYSZ)
		abort(); /* not terminated within whysz */
	for (i = WHYSZ; i < sizeof(why); i++)
		if (why[i] != 'Z')
			abort(); /* wrote past whysz */
	for (i = 0; i < n; i++)
		if (why[i] < 0x20 || why[i] > 0x7e)
			abort(); /* unescaped input in why */
	if (er == REG_OK) {
		if (n != 0 || res.entries > lim.max_entries ||
		    res.bytes > lim.max_bytes || res.tf_files < 1 ||
		    res.tf_files > res.entries ||
		    (strcmp(res.format, "tar.gz") != 0 &&
		        strcmp(res.format, "zip") != 0))
			abort();
	} else {
		if (n == 0 || memcmp(&res, &before, sizeof(res)) != 0)
			abort();
	}

	tiny[1] = 'Z';
	er2 = archw_inspect_mem(p, len, &lim, &res, tiny, 1);
	if (er2 != er || tiny[0] != '\0' || tiny[1] != 'Z')
		abort();
	er2 = archw_inspect_mem(p, len, &lim, &res, NULL, 0);
	if (er2 != er)
		abort();
	free(p);
	return 0;
}
