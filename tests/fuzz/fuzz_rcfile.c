/*
 * tests/fuzz/fuzz_rcfile.c: the CLI configuration scanner and the
 * credentials_helper block editor (admin-tools/client_rc.c) on arbitrary
 * bytes.  Invariants, whatever the input:
 *   - the scan is REG_OK, REG_EINVAL (with a reason and a line inside the
 *     input) or REG_ETOOBIG; every block it reports lies inside the
 *     input, in order, starts with the keyword and ends with '}';
 *   - an edit that succeeds keeps every byte outside the block it
 *     replaces (or all of them, before the appended block), the result
 *     scans to exactly one helper block, labelled "iam", whose text is
 *     the block written, and editing the result again gives the same
 *     bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/client_rc.h"

#define FZ_BLOCK \
	"credentials_helper \"iam\" {\n  args = [\"--registry-host\", " \
	"\"r.example:8443\", \"--ca-file\", \"/a \\\"b\\\"/ca.crt\"]\n}"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_scan(const char *p, size_t len, const struct client_rc_scan *sc,
    enum reg_err er, const char *why)
{
	size_t i, prev = 0, lines = 1;

	for (i = 0; i < len; i++)
		if (p[i] == '\n')
			lines++;
	if (er == REG_EINVAL &&
	    (why == NULL || sc->err_line < 1 || sc->err_line > lines))
		abort();
	if (er != REG_OK && er != REG_EINVAL && er != REG_ETOOBIG)
		abort();
	if (er != REG_OK && sc->n != 0)
		abort();
	for (i = 0; i < sc->n; i++) {
		const struct client_rc_block *b = &sc->b[i];

		if (b->start < prev || b->end <= b->start || b->end > len ||
		    b->end - b->start < 20 ||
		    memcmp(p + b->start, "credentials_helper", 18) != 0 ||
		    p[b->end - 1] != '}')
			abort();
		prev = b->end;
	}
}

static void
check_edit(const char *p, size_t len, bool force)
{
	struct client_rc_scan before, after;
	struct buf out, again;
	const char *why = NULL;
	size_t bl = strlen(FZ_BLOCK), pre, post;
	enum reg_err er;

	buf_init(&out, CLIENT_RC_MAX * 2 + 4096);
	buf_init(&again, CLIENT_RC_MAX * 2 + 4096);
	er = client_rc_edit(p, len, FZ_BLOCK, force, &out, &before, &why);
	if (er != REG_OK)
		goto done;
	if (client_rc_scan(out.p, out.len, &after, &why) != REG_OK ||
	    after.n != 1 || strcmp(after.b[0].label, "iam") != 0 ||
	    after.b[0].end - after.b[0].start != bl ||
	    memcmp(out.p + after.b[0].start, FZ_BLOCK, bl) != 0)
		abort();
	if (before.n == 0) {
		if (out.len < len || memcmp(out.p, p, len) != 0)
			abort();
	} else {
		pre = before.b[0].start;
		post = len - before.b[0].end;
		if (out.len != pre + bl + post || memcmp(out.p, p, pre) != 0 ||
		    memcmp(out.p + pre + bl, p + before.b[0].end, post) != 0)
			abort();
	}
	if (client_rc_edit(out.p, out.len, FZ_BLOCK, false, &again, NULL,
	        &why) != REG_OK ||
	    again.len != out.len || memcmp(again.p, out.p, out.len) != 0)
		abort();
done:
	buf_release(&out);
	buf_release(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct client_rc_scan sc;
	const char *why = NULL;
	enum reg_err er;
	char *p;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	er = client_rc_scan(p, len, &sc, &why);
	check_scan(p, len, &sc, er, why);
	check_edit(p, len, false);
	check_edit(p, len, true);
	free(p);
	return 0;
}
