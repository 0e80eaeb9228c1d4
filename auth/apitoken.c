/*
 * auth/apitoken.c: static API tokens (see apitoken.h).
 */
#include <stdio.h>
#include <string.h>

#include "auth/apitoken.h"
#include "common/codec.h"

#define APITOKEN_PREFIX_LEN 5
#define APITOKEN_RAW_LEN 32
#define APITOKEN_B64_LEN 43 /* base64url of 32 bytes, unpadded */

enum reg_err
apitoken_generate(char out[APITOKEN_BUFSZ])
{
	unsigned char raw[APITOKEN_RAW_LEN];
	char b64[APITOKEN_B64_LEN + 1];
	enum reg_err er;

	er = cryptow_random(raw, sizeof(raw));
	if (er != REG_OK)
		goto out;
	(void)b64url_encode(raw, sizeof(raw), b64);
	(void)snprintf(out, APITOKEN_BUFSZ, "%s%s", APITOKEN_PREFIX, b64);
out:
	cryptow_wipe(raw, sizeof(raw));
	cryptow_wipe(b64, sizeof(b64));
	return er;
}

enum reg_err
apitoken_hash(const char *tok, size_t len,
    unsigned char out[CRYPTOW_SHA256_LEN])
{
	return cryptow_sha256(tok, len, out);
}

bool
apitoken_looks_like(const char *tok, size_t len)
{
	unsigned char raw[APITOKEN_RAW_LEN];
	size_t n = 0;
	bool ok;

	if (len != APITOKEN_LEN ||
	    memcmp(tok, APITOKEN_PREFIX, APITOKEN_PREFIX_LEN) != 0)
		return false;
	/* The strict decoder checks the alphabet and the trailing bits. */
	ok = b64url_decode(tok + APITOKEN_PREFIX_LEN, len - APITOKEN_PREFIX_LEN,
	         raw, sizeof(raw), &n) == REG_OK &&
	    n == sizeof(raw);
	cryptow_wipe(raw, sizeof(raw));
	return ok;
}

bool
apitoken_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > APITOKEN_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '-'))
			continue;
		return false;
	}
	return true;
}

enum reg_err
apitoken_principal(const char *name, size_t len,
    char out[APITOKEN_PRINCIPAL_BUFSZ])
{
	if (!apitoken_name_valid(name, len))
		return REG_EINVAL;
	memcpy(out, "token:", 6);
	memcpy(out + 6, name, len);
	out[6 + len] = '\0';
	return REG_OK;
}
