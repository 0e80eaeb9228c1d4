/*
 * tests/fuzz/fuzz_rec.c: the storage value decoders (storage/rec.c) on
 * arbitrary bytes.  Invariant: whatever decodes re-encodes to exactly the
 * same bytes (the encoding is canonical), and decoding never reads past
 * the exact-size copy (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
same(const unsigned char *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen || memcmp(a, b, blen) != 0)
		abort(); /* decoded, but not canonical */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static unsigned char out[REC_MAX + 64];
	struct module_addr m;
	struct version_rec v;
	struct grant g;
	struct api_token t;
	unsigned char h[32];
	int64_t e;
	bool pub;
	const char *json;
	size_t jlen;
	uint8_t *p;

	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	if (rec_dec_module(p, len, &m) == REG_OK)
		same(out, rec_enc_module(out, sizeof(out), &m), p, len);
	if (rec_dec_version(p, len, &v) == REG_OK)
		same(out, rec_enc_version(out, sizeof(out), &v), p, len);
	if (rec_dec_grant(p, len, &g) == REG_OK)
		same(out, rec_enc_grant(out, sizeof(out), &g), p, len);
	if (rec_dec_ns(p, len, &pub) == REG_OK)
		same(out, rec_enc_ns(out, sizeof(out), pub), p, len);
	if (rec_dec_token(p, len, &t) == REG_OK)
		same(out, rec_enc_token(out, sizeof(out), &t), p, len);
	if (rec_dec_tokname(p, len, h) == REG_OK)
		same(out, rec_enc_tokname(out, sizeof(out), h), p, len);
	if (rec_dec_replay(p, len, &e) == REG_OK)
		same(out, rec_enc_replay(out, sizeof(out), e), p, len);
	if (rec_dec_audit(p, len, &json, &jlen) == REG_OK) {
		if (json[jlen] != '\0' || jlen > len)
			abort();
	}
	free(p);
	return 0;
}
