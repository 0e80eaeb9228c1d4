/*
 * tests/fuzz/fuzz_ociauth.c: the OCI client's authentication parsers on
 * untrusted input.  Each input is used twice:
 *  A. as a WWW-Authenticate value (oci_challenge_parse).  Invariants on
 *     success: the scheme is Basic or Bearer; at most OCI_CHAL_PARAMS_MAX
 *     parameters; every name is a non-empty lower-case RFC 7230 token of
 *     at most OCI_CHAL_NAME_MAX bytes and unique; every value is at most
 *     OCI_CHAL_VALUE_MAX bytes of HTAB or printable ASCII, as long as
 *     recorded, and found again by name; a Bearer challenge has a
 *     non-empty realm; the input was at most OCI_CHAL_MAX bytes.  On
 *     failure only the documented codes, and the out-parameter untouched.
 *  B. as a token endpoint answer (oci_token_parse).  Invariants on
 *     success: a non-empty RFC 6750 b64token of at most OCI_TOKEN_MAX
 *     bytes and a positive lifetime.
 * Inputs are exact-size heap copies, so any read past len is an ASan
 * error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Parameter i: a unique lower-case token name, a bounded text value. */
static void
check_param(const struct oci_challenge *ch, size_t i)
{
	const char *name = oci_challenge_name(ch, i);
	const char *value = oci_challenge_value(ch, i);
	size_t j, n;

	if (name == NULL || value == NULL)
		abort();
	n = strlen(name);
	if (n == 0 || n > OCI_CHAL_NAME_MAX)
		abort();
	for (j = 0; j < n; j++)
		if (!is_tchar(name[j]))
			abort(); /* also catches upper case */
	for (j = 0; j < i; j++)
		if (strcmp(name, oci_challenge_name(ch, j)) == 0)
			abort();
	n = strlen(value);
	if (n != ch->param[i].value_len || n > OCI_CHAL_VALUE_MAX)
		abort();
	for (j = 0; j < n; j++)
		if (value[j] != '\t' && (value[j] < 0x20 || value[j] > 0x7e))
			abort();
	if (oci_challenge_get(ch, name) != value)
		abort();
}

static void
check_challenge(const struct oci_challenge *ch, size_t len)
{
	const char *realm;
	size_t i;

	if (len > OCI_CHAL_MAX || ch->nparams > OCI_CHAL_PARAMS_MAX ||
	    (ch->scheme != OCI_SCHEME_BASIC && ch->scheme != OCI_SCHEME_BEARER))
		abort();
	for (i = 0; i < ch->nparams; i++)
		check_param(ch, i);
	if (oci_challenge_name(ch, ch->nparams) != NULL)
		abort();
	realm = oci_challenge_get(ch, "realm");
	if (ch->scheme == OCI_SCHEME_BEARER &&
	    (realm == NULL || *realm == '\0'))
		abort();
}

static void
as_challenge(const char *p, size_t len)
{
	struct oci_challenge *ch = malloc(sizeof(*ch));
	enum reg_err er;

	if (ch == NULL)
		return;
	memset(ch, 0x5a, sizeof(*ch));
	er = oci_challenge_parse(p, len, ch);
	if (er == REG_OK) {
		check_challenge(ch, len);
	} else {
		size_t i;

		if (er != REG_EINVAL && er != REG_ETOOBIG && er != REG_ENOENT &&
		    er != REG_ENOMEM)
			abort();
		if (len > OCI_CHAL_MAX && er != REG_ETOOBIG)
			abort();
		for (i = 0; i < sizeof(*ch); i++)
			if (((const unsigned char *)ch)[i] != 0x5a)
				abort(); /* written on failure */
	}
	free(ch);
}

static void
as_token(const char *p, size_t len)
{
	char *tok = NULL;
	int64_t ttl = 0;
	enum reg_err er;
	size_t n, i;

	er = oci_token_parse(p, len, &tok, &ttl);
	if (er != REG_OK) {
		if ((er != REG_EINVAL && er != REG_ETOOBIG &&
		        er != REG_ENOMEM) ||
		    tok != NULL || ttl != 0)
			abort();
		return;
	}
	n = strlen(tok);
	if (n == 0 || n > OCI_TOKEN_MAX || ttl <= 0 || len > OCI_TOKENRESP_MAX)
		abort();
	for (i = 0; i < n && tok[i] != '='; i++)
		if (!((tok[i] >= 'a' && tok[i] <= 'z') ||
		        (tok[i] >= 'A' && tok[i] <= 'Z') ||
		        (tok[i] >= '0' && tok[i] <= '9') ||
		        strchr("-._~+/", tok[i]) != NULL))
			abort();
	if (i == 0)
		abort();
	for (; i < n; i++)
		if (tok[i] != '=')
			abort();
	oci_secret_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	as_challenge(p, len);
	as_token(p, len);
	free(p);
	return 0;
}
