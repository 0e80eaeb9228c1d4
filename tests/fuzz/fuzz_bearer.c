/*
 * tests/fuzz/fuzz_bearer.c: bearer_verify on untrusted input.
 *
 * A fixed in-memory keyring (kid "kfuzz", key bytes 0xa0..0xbf) and a
 * fixed clock.  Each input is used twice:
 *  A. as a token.  Invariant: it verifies only if it is byte for byte the
 *     token this harness issued; the result is REG_OK, REG_EAUTH or
 *     REG_ENOENT, with a reason.
 *  B. as a payload, signed here with the right sub-key (derived here,
 *     independently of keyring.c), so the schema and time checks behind
 *     the mac are reached.  Invariant: on success every claim is within
 *     its grammar and the times are in range at the clock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/bearer.h"
#include "common/codec.h"
#include "common/cryptow.h"

#define NOW INT64_C(1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct keyring *fz_kr;
static unsigned char fz_sub[32]; /* HMAC(key, "reg1-token") */
static char *fz_issued;

/* Free the harness state at exit, so leak checkers see a clean heap. */
static void
fz_fini(void)
{
	free(fz_issued);
	fz_issued = NULL;
	keyring_free(fz_kr);
	fz_kr = NULL;
}

static void
fz_init(void)
{
	struct keyring_seed seed;
	struct bearer_claims c, got;
	const char *why;
	size_t i;

	if (fz_kr != NULL)
		return;
	seed.kid = "kfuzz";
	for (i = 0; i < 32; i++)
		seed.key[i] = (unsigned char)(0xa0 + i);
	if (atexit(fz_fini) != 0 ||
	    keyring_from_bytes(&seed, 1, &fz_kr) != REG_OK ||
	    cryptow_hmac_sha256(seed.key, 32, "reg1-token", 10, fz_sub) !=
	        REG_OK)
		abort();
	memset(&c, 0, sizeof(c));
	memcpy(c.sub, "aws:aws:123456789012:role:fuzz", 31);
	memcpy(c.arn, "arn:aws:iam::123456789012:role/fuzz", 36);
	memcpy(c.ses, "s1", 3);
	if (bearer_issue(fz_kr, &c, NOW, 3600, &fz_issued) != REG_OK ||
	    bearer_verify(fz_kr, fz_issued, strlen(fz_issued), NOW, &got,
	        &why) != REG_OK)
		abort();
}

static bool
printable(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

static void
check_claims(const struct bearer_claims *c)
{
	size_t i;

	if (strcmp(c->kid, "kfuzz") != 0 ||
	    !printable(c->sub, 1, BEARER_SUB_MAX) ||
	    !printable(c->arn, 0, BEARER_ARN_MAX) ||
	    !printable(c->ses, 0, BEARER_SES_MAX) ||
	    strlen(c->jti) != BEARER_JTI_LEN)
		abort();
	for (i = 0; i < BEARER_JTI_LEN; i++)
		if (!((c->jti[i] >= '0' && c->jti[i] <= '9') ||
		        (c->jti[i] >= 'a' && c->jti[i] <= 'f')))
			abort();
	if (c->iat < 0 || c->exp <= c->iat ||
	    c->exp - c->iat > BEARER_MAX_TTL || c->exp <= NOW ||
	    c->iat > NOW + BEARER_SKEW)
		abort();
}

/* B: "reg1." b64url(data) "." mac, verified at NOW. */
static void
as_payload(const uint8_t *data, size_t len)
{
	unsigned char mac[32];
	struct bearer_claims c;
	const char *why = NULL;
	enum reg_err er;
	size_t need, off;
	char *buf, *tok;

	if (len > 4096)
		return;
	need = 5 + b64url_enclen(len) + 1 + 43;
	buf = malloc(need + 1);
	tok = malloc(need); /* exact size: no NUL to lean on */
	if (buf == NULL || tok == NULL) {
		free(buf);
		free(tok);
		return;
	}
	memcpy(buf, "reg1.", 5);
	off = 5 + b64url_encode(data, len, buf + 5);
	if (cryptow_hmac_sha256(fz_sub, 32, buf, off, mac) != REG_OK)
		abort();
	buf[off++] = '.';
	(void)b64url_encode(mac, 32, buf + off);
	memcpy(tok, buf, need);
	free(buf);
	er = bearer_verify(fz_kr, tok, need, NOW, &c, &why);
	if (why == NULL)
		abort();
	if (er == REG_OK) {
		if (need > BEARER_MAX_LEN)
			abort();
		check_claims(&c);
	} else if (er != REG_EAUTH && er != REG_ENOENT) {
		abort();
	}
	free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct bearer_claims c;
	const char *why = NULL;
	enum reg_err er;
	char *p;

	fz_init();
	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	/* A: the input as a token */
	er = bearer_verify(fz_kr, p, len, NOW, &c, &why);
	if (why == NULL)
		abort();
	if (er == REG_OK) {
		if (len != strlen(fz_issued) || memcmp(p, fz_issued, len) != 0)
			abort(); /* a token this harness never issued */
		check_claims(&c);
	} else if (er != REG_EAUTH && er != REG_ENOENT) {
		abort();
	}
	free(p);
	/* B: the input as a payload, signed with the right key */
	as_payload(data, len);
	return 0;
}
