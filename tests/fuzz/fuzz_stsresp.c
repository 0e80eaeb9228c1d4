/*
 * tests/fuzz/fuzz_stsresp.c: the STS response parsers, auth/stsresp.
 *
 * Input: the Content-Type value up to the first LF (a first line of
 * "-" means no header), then the body.  Invariants:
 *   - stsresp_parse fails with REG_EUPSTREAM (or REG_ENOMEM), a lowercase
 *     why and the output untouched; on success Arn, UserId and Account
 *     are non-empty printable ASCII of at most 2048 bytes and RequestId
 *     is empty or [A-Za-z0-9._:-]{1,128};
 *   - success is a fixed point: the identity written back as the
 *     canonical JSON document parses to the same identity;
 *   - the media-type check is exactly "application/json" before ';',
 *     blanks trimmed, case-insensitive;
 *   - stsresp_parse_error yields only [A-Za-z0-9._:-]{1,128} codes and
 *     request ids (or ""), and the status mapping is total.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "../../auth/stsresp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define UNTOUCHED 0x5a

static bool
id_ok(const char *s, bool empty_ok)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return empty_ok;
	if (n > STSRESP_MAX_ID)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == ':' || c == '-'))
			return false;
	}
	return true;
}

static bool
field_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > STSRESP_MAX_FIELD)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

/* The reference media-type rule, written independently. */
static bool
ref_json_type(const char *ct)
{
	const char *semi;
	size_t a, b;

	if (ct == NULL)
		return false;
	semi = strchr(ct, ';');
	b = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
	for (a = 0; a < b && (ct[a] == ' ' || ct[a] == '\t'); a++)
		;
	while (b > a && (ct[b - 1] == ' ' || ct[b - 1] == '\t'))
		b--;
	return b - a == 16 && strncasecmp(ct + a, "application/json", 16) == 0;
}

static void
check_fixed_point(const struct stsresp_identity *id)
{
	struct stsresp_identity *again = malloc(sizeof(*again));
	json_t *doc;
	char *s = NULL;
	const char *why = NULL;

	if (again == NULL)
		return;
	doc = json_pack("{s:{s:{s:s,s:s,s:s},s:{s:s}}}",
	    "GetCallerIdentityResponse", "GetCallerIdentityResult", "Arn",
	    id->arn, "UserId", id->user_id, "Account", id->account,
	    "ResponseMetadata", "RequestId",
	    id->request_id[0] != '\0' ? id->request_id : "x");
	if (doc != NULL)
		s = json_dumps(doc, JSON_COMPACT);
	if (s != NULL) {
		if (stsresp_parse("application/json", s, strlen(s), again,
		        &why) != REG_OK ||
		    strcmp(again->arn, id->arn) != 0 ||
		    strcmp(again->user_id, id->user_id) != 0 ||
		    strcmp(again->account, id->account) != 0)
			abort();
	}
	free(s);
	json_decref(doc);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct stsresp_identity *id = NULL;
	struct stsresp_error e;
	const uint8_t *nl = memchr(data, '\n', len);
	char *ct = NULL, *body = NULL;
	const char *ctp, *why = NULL;
	size_t ctlen, blen, i;
	enum reg_err er;
	static const long statuses[] = { 200, 301, 400, 403, 404, 500, 503 };

	ctlen = nl != NULL ? (size_t)(nl - data) : 0;
	blen = nl != NULL ? len - ctlen - 1 : len;
	ct = malloc(ctlen + 1);
	body = malloc(blen > 0 ? blen : 1);
	id = malloc(sizeof(*id));
	if (ct == NULL || body == NULL || id == NULL)
		goto out;
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	memcpy(body, nl != NULL ? nl + 1 : data, blen);
	ctp = strcmp(ct, "-") == 0 ? NULL : ct;

	memset(id, UNTOUCHED, sizeof(*id));
	er = stsresp_parse(ctp, body, blen, id, &why);
	if (er == REG_OK) {
		if (!ref_json_type(ctp) || blen > STSRESP_MAX_BODY)
			abort();
		if (!field_ok(id->arn) || !field_ok(id->user_id) ||
		    !field_ok(id->account) || !id_ok(id->request_id, true))
			abort();
		check_fixed_point(id);
	} else {
		const unsigned char *raw = (const unsigned char *)id;

		if (er != REG_EUPSTREAM && er != REG_ENOMEM)
			abort();
		if (why == NULL || why[0] < 'a' || why[0] > 'z')
			abort();
		for (i = 0; i < sizeof(*id); i++) {
			if (raw[i] != UNTOUCHED)
				abort();
		}
		if (er == REG_EUPSTREAM && ctp != NULL &&
		    ref_json_type(ctp) != (strstr(why, "content-type") == NULL))
			abort(); /* type refused iff it is not json */
	}

	memset(&e, UNTOUCHED, sizeof(e));
	er = stsresp_parse_error(body, blen, &e);
	if (er == REG_OK) {
		if (!id_ok(e.code, false) || !id_ok(e.request_id, true))
			abort();
	} else if (er != REG_EINVAL && er != REG_ENOMEM) {
		abort();
	}
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		enum reg_err m =
		    stsresp_status_err(statuses[i], er == REG_OK ? &e : NULL);

		if (statuses[i] == 200 ? m != REG_OK
		                       : (m != REG_EAUTH && m != REG_EUPSTREAM))
			abort();
	}
out:
	free(ct);
	free(body);
	free(id);
	return 0;
}
