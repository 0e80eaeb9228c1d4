/*
 * admin-tools/client_grants.c: see client_grants.h.  Invariant: a parsed
 * grant has a valid namespace (or "*") and principal key, printable
 * strings that fit their fields, and times that parsed as RFC 3339.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin-tools/client_grants.h"
#include "auth/awscreds.h"

static const char *const client_grant_rights[4] = { "download", "upload",
	"create_grant", "delete_grant" };

/* "" (no pin) or [A-Z0-9]{1,128}. */
static bool
client_grant_uid_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return false;
	return i <= PRINCIPAL_UNIQUE_ID_MAX;
}

enum reg_err
client_grant_body(const int rights[4], const char *unique_id, const char *mode,
    struct buf *out)
{
	size_t start = out->len, i;
	enum reg_err er;

	if (strcmp(mode, "create") != 0 && strcmp(mode, "update") != 0 &&
	    strcmp(mode, "replace") != 0)
		return REG_EINVAL;
	if (unique_id != NULL && !client_grant_uid_ok(unique_id))
		return REG_EINVAL;
	er = buf_printf(out, "{\"mode\":\"%s\"", mode);
	for (i = 0; er == REG_OK && i < 4; i++)
		if (rights[i] >= 0)
			er = buf_printf(out, ",\"%s\":%s",
			    client_grant_rights[i],
			    rights[i] != 0 ? "true" : "false");
	if (er == REG_OK && unique_id != NULL)
		er = buf_printf(out, ",\"unique_id\":\"%s\"", unique_id);
	if (er == REG_OK)
		er = buf_addc(out, '}');
	if (er != REG_OK) {
		out->len = start;
		if (out->p != NULL)
			out->p[start] = '\0';
	}
	return er;
}

/* A printable string member that fits outsz; false otherwise. */
static bool
client_grant_str(json_t *o, const char *name, char *out, size_t outsz,
    bool optional)
{
	json_t *v = json_object_get(o, name);
	const char *s;
	size_t n, i;

	if (v == NULL && optional) {
		out[0] = '\0';
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= outsz || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	memcpy(out, s, n + 1);
	return true;
}

static bool
client_grant_time(json_t *o, const char *name, int64_t *out)
{
	json_t *v = json_object_get(o, name);

	return json_is_string(v) &&
	    aws_iso8601_parse(json_string_value(v), json_string_length(v),
	        out) == REG_OK;
}

static enum reg_err
client_grant_obj(json_t *o, struct client_grant *out)
{
	struct client_grant g;
	json_t *perm, *v;
	bool *fields[4];
	size_t i;

	memset(&g, 0, sizeof(g));
	if (!json_is_object(o) ||
	    !client_grant_str(o, "namespace", g.ns, sizeof(g.ns), false) ||
	    !client_grant_str(o, "principal", g.principal, sizeof(g.principal),
	        false) ||
	    !client_grant_str(o, "role", g.role, sizeof(g.role), false) ||
	    !client_grant_str(o, "created_by", g.g.created_by,
	        sizeof(g.g.created_by), true) ||
	    !client_grant_str(o, "unique_id", g.g.unique_id,
	        sizeof(g.g.unique_id), true) ||
	    !client_grant_time(o, "created_at", &g.g.created_at) ||
	    !client_grant_time(o, "updated_at", &g.g.updated_at))
		return REG_EINVAL;
	if ((strcmp(g.ns, "*") != 0 && !name_valid(g.ns, strlen(g.ns))) ||
	    !principal_key_valid(g.principal, strlen(g.principal)))
		return REG_EINVAL;
	perm = json_object_get(o, "permissions");
	if (!json_is_object(perm))
		return REG_EINVAL;
	fields[0] = &g.g.download;
	fields[1] = &g.g.upload;
	fields[2] = &g.g.create_grant;
	fields[3] = &g.g.delete_grant;
	for (i = 0; i < 4; i++) {
		v = json_object_get(perm, client_grant_rights[i]);
		if (!json_is_boolean(v))
			return REG_EINVAL;
		*fields[i] = json_is_true(v);
	}
	*out = g;
	return REG_OK;
}

enum reg_err
client_grant_parse(const char *body, size_t len, struct client_grant *out)
{
	json_error_t jerr;
	json_t *doc;
	enum reg_err er;

	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	er = doc != NULL ? client_grant_obj(doc, out) : REG_EINVAL;
	json_decref(doc);
	return er;
}

enum reg_err
client_grants_parse(const char *body, size_t len, struct client_grant **out,
    size_t *n)
{
	struct client_grant *a = NULL;
	json_error_t jerr;
	json_t *doc, *arr, *v;
	enum reg_err er = REG_EINVAL;
	size_t i, cnt;

	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	arr = json_is_object(doc) ? json_object_get(doc, "grants") : NULL;
	if (!json_is_array(arr))
		goto out;
	cnt = json_array_size(arr);
	if (cnt > CLIENT_GRANTS_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	a = calloc(cnt > 0 ? cnt : 1, sizeof(*a));
	if (a == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	json_array_foreach(arr, i, v)
	{
		er = client_grant_obj(v, &a[i]);
		if (er != REG_OK)
			goto out;
	}
	er = REG_OK;
	*out = a;
	*n = cnt;
	a = NULL;
out:
	free(a);
	json_decref(doc);
	return er;
}
