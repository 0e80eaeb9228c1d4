/*
 * registry/views.c: see views.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/semver.h"
#include "registry/handlers.h"
#include "registry/views.h"

void
fmt_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, 32, "1970-01-01T00:00:00Z");
		return;
	}
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void
view_module_id(const struct module_addr *m, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s/%s", m->ns, m->name, m->system);
}

json_t *
view_version(const struct version_rec *v)
{
	char id[4 * SEMVER_BUFSZ], ts[32], dg[80];
	json_t *o;

	snprintf(id, sizeof(id), "%s/%s/%s/%s", v->m.ns, v->m.name, v->m.system,
	    v->version);
	fmt_time(v->published_at, ts);
	snprintf(dg, sizeof(dg), "sha256:%s", v->digest);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, "
	              "s:s, s:s, s:b}",
	    "id", id, "namespace", v->m.ns, "name", v->m.name, "provider",
	    v->m.system, "system", v->m.system, "version", v->version,
	    "published_at", ts, "publisher", v->publisher, "digest", dg, "size",
	    (json_int_t)v->size, "format", v->format, "owner", v->publisher,
	    "deprecated", v->deprecated);
	if (o != NULL && v->deprecated)
		json_object_set_new(o, "deprecation_reason",
		    json_string(v->deprecation_reason));
	return o;
}

static int
vcmp(const void *a, const void *b)
{
	const struct version_rec *x = a, *y = b;

	return semver_cmp_str(x->version, y->version);
}

void
versions_sort(struct verlist *vl)
{
	if (vl->n > 1)
		qsort(vl->v, vl->n, sizeof(vl->v[0]), vcmp);
}

const struct version_rec *
versions_latest(const struct verlist *vl)
{
	const struct version_rec *best = NULL, *best_any = NULL;
	size_t i;

	for (i = 0; i < vl->n; i++) {
		struct semver sv;
		const struct version_rec *v = &vl->v[i];

		if (semver_parse(v->version, strlen(v->version), &sv, NULL) !=
		    REG_OK)
			continue;
		if (best_any == NULL ||
		    semver_cmp_str(v->version, best_any->version) > 0)
			best_any = v;
		if (semver_is_prerelease(&sv))
			continue;
		if (best == NULL ||
		    semver_cmp_str(v->version, best->version) > 0)
			best = v;
	}
	return best != NULL ? best : best_any;
}

enum reg_err
req_read_body(struct reg_req *r, size_t max, struct buf *out)
{
	char chunk[16384];
	enum reg_err er;
	size_t got;

	if (r->has_content_length && r->content_length > max)
		return req_fail(r, REG_ETOOBIG,
		    "request body larger than %zu bytes", max);
	for (;;) {
		er = conn_read(r->conn, chunk, sizeof(chunk), &got);
		if (er != REG_OK)
			return req_fail(r, er,
			    "request body could not be read");
		if (got == 0)
			break;
		er = buf_add(out, chunk, got);
		if (er == REG_ETOOBIG)
			return req_fail(r, er,
			    "request body larger than %zu bytes", max);
		if (er != REG_OK)
			return er;
	}
	return REG_OK;
}

enum reg_err
req_require_json(struct reg_req *r)
{
	size_t ctlen;

	ctlen = strcspn(r->content_type, ";");
	while (ctlen > 0 && r->content_type[ctlen - 1] == ' ')
		ctlen--;
	if (ctlen != 16 ||
	    strncasecmp(r->content_type, "application/json", 16) != 0)
		return req_fail(r, REG_EMEDIA,
		    "Content-Type must be application/json");
	return REG_OK;
}

enum reg_err
req_json_body(struct reg_req *r, size_t max, json_t **out)
{
	struct buf b;
	json_error_t jerr;
	json_t *doc;
	enum reg_err er;

	er = req_require_json(r);
	if (er != REG_OK)
		return er;
	buf_init(&b, max);
	er = req_read_body(r, max, &b);
	if (er != REG_OK)
		goto out;
	doc = json_loadb(b.p != NULL ? b.p : "", b.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (doc == NULL) {
		char esc[200];

		er = req_fail(r, REG_EINVAL, "invalid JSON body: %s at %d:%d",
		    log_escape(esc, sizeof(esc), jerr.text, strlen(jerr.text)),
		    jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		er = req_fail(r, REG_EINVAL, "JSON body must be an object");
		goto out;
	}
	*out = doc;
out:
	buf_release(&b);
	return er;
}
