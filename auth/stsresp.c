/*
 * auth/stsresp.c: the STS response parsers (see stsresp.h).
 *
 * Invariant: only the one expected JSON shape is accepted as an
 * identity; nothing is searched for inside other documents (the
 * CVE-2020-16250 fake-response-inside-a-response shape).  The error-body
 * extractor only ever yields short token strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/stsresp.h"
#include "common/span.h"

static bool
stsresp_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
stsresp_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	return c;
}

/* Media type (before any ';', OWS trimmed) is application/json. */
static bool
stsresp_is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t a = 0, b, i;

	if (ct == NULL)
		return false;
	b = strcspn(ct, ";");
	while (a < b && (ct[a] == ' ' || ct[a] == '\t'))
		a++;
	while (b > a && (ct[b - 1] == ' ' || ct[b - 1] == '\t'))
		b--;
	if (b - a != sizeof(want) - 1)
		return false;
	for (i = 0; i < b - a; i++) {
		if (stsresp_lower(ct[a + i]) != want[i])
			return false;
	}
	return true;
}

static bool
stsresp_printable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	}
	return true;
}

/* [A-Za-z0-9._:-]{1,STSRESP_MAX_ID} */
static bool
stsresp_id_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > STSRESP_MAX_ID)
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == ':' || c == '-'))
			return false;
	}
	return true;
}

/* A result field: non-empty printable string, copied into out. */
static bool
stsresp_field(const json_t *obj, const char *key, char *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t n;

	if (!json_is_string(v))
		return false;
	n = json_string_length(v);
	if (n == 0 || n > STSRESP_MAX_FIELD ||
	    !stsresp_printable(json_string_value(v), n))
		return false;
	memcpy(out, json_string_value(v), n);
	out[n] = '\0';
	return true;
}

static json_t *
stsresp_load(const char *body, size_t len, enum reg_err *er)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		*er = json_error_code(&jerr) == json_error_out_of_memory
		    ? REG_ENOMEM
		    : REG_EUPSTREAM;
	return root;
}

/* Check 13's header and size part; NULL when acceptable. */
static const char *
stsresp_envelope(const char *content_type, const char *body, size_t len)
{
	if (content_type == NULL)
		return "response: missing content-type";
	if (!stsresp_is_json_type(content_type))
		return "response: content-type is not application/json";
	if (len > STSRESP_MAX_BODY)
		return "response: body over 16 KiB";
	if (body == NULL && len > 0)
		return "response: no body";
	return NULL;
}

/* Optional ResponseMetadata; only RequestId is looked at. */
static const char *
stsresp_metadata(const json_t *meta, struct stsresp_identity *id)
{
	const json_t *v;

	if (meta == NULL)
		return NULL;
	if (!json_is_object(meta))
		return "response: ResponseMetadata not an object";
	v = json_object_get(meta, "RequestId");
	if (v == NULL)
		return NULL;
	if (!json_is_string(v) ||
	    !stsresp_id_ok(json_string_value(v), json_string_length(v)))
		return "response: bad RequestId";
	memcpy(id->request_id, json_string_value(v), json_string_length(v) + 1);
	return NULL;
}

/* Check 14 on a parsed document; NULL when id was filled. */
static const char *
stsresp_identity_of(json_t *root, struct stsresp_identity *id)
{
	json_t *resp, *res = NULL, *meta = NULL, *v;
	const char *key;

	resp = json_object_get(root, "GetCallerIdentityResponse");
	if (!json_is_object(root) || json_object_size(root) != 1 ||
	    !json_is_object(resp))
		return "response: top level must be exactly "
		       "GetCallerIdentityResponse";
	json_object_foreach(resp, key, v)
	{
		if (strcmp(key, "GetCallerIdentityResult") == 0)
			res = v;
		else if (strcmp(key, "ResponseMetadata") == 0)
			meta = v;
		else
			return "response: unknown key in "
			       "GetCallerIdentityResponse";
	}
	if (!json_is_object(res))
		return "response: GetCallerIdentityResult missing or not an "
		       "object";
	if (!stsresp_field(res, "Arn", id->arn))
		return "response: Arn must be a non-empty printable string";
	if (!stsresp_field(res, "UserId", id->user_id))
		return "response: UserId must be a non-empty printable string";
	if (!stsresp_field(res, "Account", id->account))
		return "response: Account must be a non-empty printable "
		       "string";
	return stsresp_metadata(meta, id);
}

enum reg_err
stsresp_parse(const char *content_type, const char *body, size_t len,
    struct stsresp_identity *out, const char **why)
{
	struct stsresp_identity *id = NULL;
	json_t *root = NULL;
	const char *w;
	enum reg_err er = REG_EUPSTREAM;

	w = stsresp_envelope(content_type, body, len);
	if (w != NULL)
		goto out;
	root = stsresp_load(body != NULL ? body : "", len, &er);
	if (root == NULL) {
		w = er == REG_ENOMEM ? "out of memory"
		                     : "response: invalid json";
		goto out;
	}
	id = calloc(1, sizeof(*id));
	if (id == NULL) {
		er = REG_ENOMEM;
		w = "out of memory";
		goto out;
	}
	er = REG_EUPSTREAM;
	w = stsresp_identity_of(root, id);
	if (w != NULL)
		goto out;
	*out = *id;
	er = REG_OK;
out:
	free(id);
	json_decref(root);
	if (er != REG_OK && why != NULL)
		*why = w;
	return er;
}

/* Copy s into out (STSRESP_MAX_ID + 1) if it is a valid id. */
static bool
stsresp_take_id(struct span s, char *out)
{
	if (!stsresp_id_ok(s.p, s.len))
		return false;
	memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	return true;
}

static enum reg_err
stsresp_error_json(const char *body, size_t len, struct stsresp_error *e)
{
	json_t *root, *err, *code, *rid;
	enum reg_err er = REG_EINVAL;

	root = stsresp_load(body, len, &er);
	if (root == NULL)
		return er == REG_ENOMEM ? REG_ENOMEM : REG_EINVAL;
	er = REG_EINVAL;
	err = json_object_get(root, "Error");
	code = json_object_get(err, "Code");
	if (json_is_string(code) &&
	    stsresp_take_id(span_make(json_string_value(code),
	                        json_string_length(code)),
	        e->code)) {
		er = REG_OK;
		rid = json_object_get(root, "RequestId");
		if (json_is_string(rid))
			(void)stsresp_take_id(span_make(json_string_value(rid),
			                          json_string_length(rid)),
			    e->request_id);
	}
	json_decref(root);
	return er;
}

/* The text between <tag> and </tag>, searched within s. */
static bool
stsresp_xml_elem(struct span s, const char *tag, struct span *text,
    struct span *after)
{
	char open[32], close[33];
	const char *a, *b;
	size_t ol, cl;

	ol = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
	cl = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
	a = memmem(s.p, s.len, open, ol);
	if (a == NULL)
		return false;
	a += ol;
	b = memmem(a, (size_t)(s.p + s.len - a), close, cl);
	if (b == NULL)
		return false;
	*text = span_make(a, (size_t)(b - a));
	if (after != NULL)
		*after = span_make(b + cl, (size_t)(s.p + s.len - (b + cl)));
	return true;
}

static enum reg_err
stsresp_error_xml(struct span s, struct stsresp_error *e)
{
	static const char root[] = "<ErrorResponse";
	struct span err, code, rid, rest;

	/* optional prolog, then the root element */
	if (s.len >= 5 && memcmp(s.p, "<?xml", 5) == 0) {
		const char *q = memmem(s.p, s.len, "?>", 2);

		if (q == NULL)
			return REG_EINVAL;
		s = span_make(q + 2, (size_t)(s.p + s.len - (q + 2)));
		while (s.len > 0 && stsresp_ws(s.p[0])) {
			s.p++;
			s.len--;
		}
	}
	if (s.len <= sizeof(root) - 1 ||
	    memcmp(s.p, root, sizeof(root) - 1) != 0 ||
	    !(s.p[sizeof(root) - 1] == '>' ||
	        stsresp_ws(s.p[sizeof(root) - 1])))
		return REG_EINVAL;
	if (!stsresp_xml_elem(s, "Error", &err, &rest) ||
	    !stsresp_xml_elem(err, "Code", &code, NULL) ||
	    !stsresp_take_id(code, e->code))
		return REG_EINVAL;
	if (stsresp_xml_elem(rest, "RequestId", &rid, NULL))
		(void)stsresp_take_id(rid, e->request_id);
	return REG_OK;
}

enum reg_err
stsresp_parse_error(const char *body, size_t len, struct stsresp_error *out)
{
	static struct stsresp_error zero;
	struct stsresp_error e = zero;
	struct span s = span_make(body, len);
	enum reg_err er;

	if (body == NULL || len > STSRESP_MAX_BODY)
		return REG_EINVAL;
	while (s.len > 0 && stsresp_ws(s.p[0])) {
		s.p++;
		s.len--;
	}
	if (s.len == 0)
		return REG_EINVAL;
	if (s.p[0] == '{')
		er = stsresp_error_json(body, len, &e);
	else if (s.p[0] == '<')
		er = stsresp_error_xml(s, &e);
	else
		er = REG_EINVAL;
	if (er == REG_OK)
		*out = e;
	return er;
}

bool
stsresp_is_throttling(const struct stsresp_error *e)
{
	return e != NULL &&
	    (strcmp(e->code, "Throttling") == 0 ||
	        strcmp(e->code, "ThrottlingException") == 0);
}

enum reg_err
stsresp_status_err(long status, const struct stsresp_error *err)
{
	if (status == 200)
		return REG_OK;
	if (stsresp_is_throttling(err))
		return REG_EUPSTREAM;
	if (status >= 400 && status <= 499)
		return REG_EAUTH;
	return REG_EUPSTREAM;
}
