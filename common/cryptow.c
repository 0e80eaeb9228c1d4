/*
 * common/cryptow.c: OpenSSL EVP behind cryptow.h.  OpenSSL errors are
 * logged here, once, and become REG_ECRYPTO.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"

struct cryptow_hash {
	EVP_MD_CTX *ctx;
};

static enum reg_err
cryptow_fail(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	log_warnx("%s: %s", what, buf);
	ERR_clear_error();
	return REG_ECRYPTO;
}

enum reg_err
cryptow_sha256(const void *p, size_t n, unsigned char out[CRYPTOW_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
		return cryptow_fail("EVP_Digest");
	return REG_OK;
}

enum reg_err
cryptow_sha256_hex(const void *p, size_t n, char out[CRYPTOW_SHA256_HEXLEN + 1])
{
	unsigned char md[CRYPTOW_SHA256_LEN];
	enum reg_err er;

	er = cryptow_sha256(p, n, md);
	if (er != REG_OK)
		return er;
	hex_encode(md, sizeof(md), out);
	return REG_OK;
}

enum reg_err
cryptow_hash_new(struct cryptow_hash **out)
{
	struct cryptow_hash *h;

	h = OPENSSL_zalloc(sizeof(*h));
	if (h == NULL)
		return REG_ENOMEM;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL) {
		OPENSSL_free(h);
		return REG_ENOMEM;
	}
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		cryptow_hash_free(h);
		return cryptow_fail("EVP_DigestInit_ex");
	}
	*out = h;
	return REG_OK;
}

enum reg_err
cryptow_hash_update(struct cryptow_hash *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		return cryptow_fail("EVP_DigestUpdate");
	return REG_OK;
}

enum reg_err
cryptow_hash_final(struct cryptow_hash *h,
    unsigned char out[CRYPTOW_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1)
		return cryptow_fail("EVP_DigestFinal_ex");
	return REG_OK;
}

void
cryptow_hash_free(struct cryptow_hash *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	OPENSSL_free(h);
}

enum reg_err
cryptow_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTOW_SHA256_LEN])
{
	unsigned int len = 0;

	if (keylen > 0x7fffffff)
		return REG_EINVAL;
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &len) ==
	    NULL)
		return cryptow_fail("HMAC");
	return REG_OK;
}

enum reg_err
cryptow_random(void *p, size_t n)
{
	if (n > 0x7fffffff)
		return REG_EINVAL;
	if (RAND_bytes(p, (int)n) != 1)
		return cryptow_fail("RAND_bytes");
	return REG_OK;
}

bool
cryptow_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
cryptow_wipe(void *p, size_t n)
{
	if (p != NULL)
		OPENSSL_cleanse(p, n);
}
