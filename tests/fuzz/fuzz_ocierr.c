/*
 * tests/fuzz/fuzz_ocierr.c: the OCI client's parsers for what a registry
 * or a layout hands it, on untrusted input.  Each input is used as:
 *  A. a registry error body (oci_errbody_parse).  On success: at least
 *     one entry; the code is [A-Z0-9_]{1,64}; message and detail are
 *     printable ASCII within their caps.
 *  B. an upload Location (oci_location_join) against an http and an
 *     https request URL.  On success: the result is itself a valid
 *     http(s) URL of printable bytes without '#', no longer than
 *     OCI_URL_MAX plus the digest parameter, ends with that parameter,
 *     never downgrades https, and keeps the request's origin unless the
 *     Location was absolute.
 *  C. Retry-After (oci_retry_after): success only for 1-5 digits.
 *  D. index.json (oci_index_pick, with and without a tag) and a manifest
 *     (oci_manifest_parse): every descriptor returned has a valid
 *     sha256 digest and media type; sizes and layer counts within caps.
 * Inputs are exact-size heap copies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/oci.h"
#include "admin-tools/oci_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define DG \
	"sha256:" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DGQ \
	"digest=sha256%" \
	"3A0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
printable(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n > max)
		abort();
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void
as_errbody(const char *p, size_t len)
{
	struct oci_regerr re;
	enum reg_err er;
	size_t i, n;

	er = oci_errbody_parse(p, len, &re);
	if (er != REG_OK) {
		if (er != REG_EINVAL && er != REG_ETOOBIG && er != REG_ENOMEM)
			abort();
		return;
	}
	n = strlen(re.code);
	if (re.nerrors == 0 || n == 0 || n > OCI_ERRCODE_MAX ||
	    len > OCI_ERRBODY_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (!((re.code[i] >= 'A' && re.code[i] <= 'Z') ||
		        (re.code[i] >= '0' && re.code[i] <= '9') ||
		        re.code[i] == '_'))
			abort();
	printable(re.message, OCI_ERRMSG_MAX);
	printable(re.detail, OCI_ERRMSG_MAX);
}

static void
as_location(const char *req, const char *p, size_t len, const char *digest)
{
	struct oci_url ru, ou;
	char *out = NULL;
	enum reg_err er;
	size_t n, i;

	er = oci_location_join(req, p, len, digest, &out);
	if (er != REG_OK) {
		if ((er != REG_EINVAL && er != REG_ETOOBIG && er != REG_EPERM &&
		        er != REG_ENOMEM) ||
		    out != NULL)
			abort();
		return;
	}
	n = strlen(out);
	if (n > OCI_URL_MAX + sizeof(DGQ) || len == 0 || len > OCI_URL_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (out[i] < 0x21 || out[i] > 0x7e || out[i] == '#')
			abort();
	if (digest != NULL &&
	    (n < sizeof(DGQ) || strcmp(out + n - (sizeof(DGQ) - 1), DGQ) != 0 ||
	        (out[n - sizeof(DGQ)] != '?' && out[n - sizeof(DGQ)] != '&')))
		abort();
	/* the result minus the digest parameter is a valid URL */
	if (oci_url_parse(req, strlen(req), &ru) != REG_OK ||
	    oci_url_parse(out, n, &ou) != REG_OK)
		abort();
	if (ru.https && !ou.https)
		abort();
	if (!(len >= 5 &&
	        (memcmp(p, "http:", 5) == 0 ||
	            (len >= 6 && memcmp(p, "https:", 6) == 0))) &&
	    !oci_same_origin(req, out))
		abort();
	free(out);
}

static void
as_retry_after(const char *p, size_t len)
{
	unsigned int secs = 0;

	if (oci_retry_after(p, len, &secs) && secs > 99999)
		abort();
}

static void
check_desc(const struct oci_desc *d, uint64_t max)
{
	if (!oci_digest_valid(d->digest, strlen(d->digest)) ||
	    !oci_media_valid(d->media_type, strlen(d->media_type)) ||
	    d->size > max)
		abort();
}

static void
as_layout_json(const char *p, size_t len)
{
	static const char *const types[] = { OCI_MT_OCI_MANIFEST,
		OCI_MT_DOCKER_MANIFEST };
	struct oci_manifest m;
	struct oci_desc d;
	char err[256];
	size_t t, i;

	if (oci_index_pick(p, len, NULL, &d, err, sizeof(err)) == REG_OK)
		check_desc(&d, OCI_MANIFEST_MAX);
	if (oci_index_pick(p, len, "v1", &d, err, sizeof(err)) == REG_OK)
		check_desc(&d, OCI_MANIFEST_MAX);
	for (t = 0; t < 2; t++) {
		if (oci_manifest_parse(p, len, types[t], &m, err,
		        sizeof(err)) != REG_OK)
			continue;
		if (m.nlayers > OCI_LAYERS_MAX || m.layers == NULL)
			abort();
		check_desc(&m.config, INT64_MAX);
		for (i = 0; i < m.nlayers; i++)
			check_desc(&m.layers[i], INT64_MAX);
		oci_manifest_release(&m);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	as_errbody(p, len);
	as_location("http://127.0.0.1:5000/v2/honua/a/blobs/uploads/", p, len,
	    DG);
	as_location("https://r.example:8443/v2/x/blobs/uploads/?mount=y", p,
	    len, NULL);
	as_retry_after(p, len);
	as_layout_json(p, len);
	free(p);
	return 0;
}
