/*
 * registry/h_publish.c: the write side: publish, delete and deprecate.
 *
 * Publish streams the body into a temporary blob file while hashing it
 * (never holding it in memory), fsyncs it, inspects it with libarchive,
 * renames it into its content-addressed place and only then records the
 * version in LMDB.  Versions are immutable: the same bytes again answer
 * 200, different bytes 409.  The LMDB put is the arbiter between
 * concurrent publishers (MDB_NOOVERWRITE): exactly one wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/archw.h"
#include "common/log.h"
#include "registry/handlers.h"
#include "registry/views.h"
#include "storage/blob.h"

#define PUBLISH_CHUNK 65536
#define SMALL_BODY_MAX 8192

static enum reg_err
check_version(struct reg_req *r, struct semver *sv)
{
	const char *why = NULL;
	char esc[SEMVER_BUFSZ * 2];

	if (semver_parse(r->version, strlen(r->version), sv, &why) != REG_OK)
		return req_fail(r, REG_EINVAL, "invalid version \"%s\": %s",
		    log_escape(esc, sizeof(esc), r->version,
		        strlen(r->version)),
		    why != NULL ? why : "not a SemVer 2.0 version");
	return REG_OK;
}

static void
module_target(const struct reg_req *r, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s/%s/%s", r->module.ns, r->module.name,
	    r->module.system, r->version);
}

/* 201 or 200 with the version document. */
static enum reg_err
answer_version(struct reg_req *r, int status, const struct version_rec *v)
{
	json_t *doc;
	enum reg_err er;
	char loc[1024];

	doc = view_version(v);
	if (doc == NULL)
		return REG_ENOMEM;
	snprintf(loc, sizeof(loc), "/v1/modules/%s/%s/%s/%s", v->m.ns,
	    v->m.name, v->m.system, v->version);
	er = resp_header(r->conn, "Location", loc);
	if (er == REG_OK)
		er = resp_json(r->conn, status, doc);
	json_decref(doc);
	return er;
}

static enum reg_err
conflict(struct reg_req *r, const struct version_rec *have, const char *digest)
{
	return req_fail(r, REG_EEXIST,
	    "version %s of %s/%s/%s already exists with digest sha256:%s; "
	    "this upload has sha256:%s. Versions are immutable: publish a "
	    "new version",
	    have->version, have->m.ns, have->m.name, have->m.system,
	    have->digest, digest);
}

static enum reg_err
receive_body(struct reg_req *r, struct blob_writer *bw, uint64_t max,
    uint64_t *total)
{
	static _Thread_local char chunk[PUBLISH_CHUNK];
	enum reg_err er;
	size_t got;

	*total = 0;
	for (;;) {
		er = conn_read(r->conn, chunk, sizeof(chunk), &got);
		if (er != REG_OK)
			return req_fail(r, REG_EINVAL,
			    "upload interrupted: the request body could not "
			    "be read");
		if (got == 0)
			break;
		er = blob_writer_write(bw, chunk, got, max);
		if (er == REG_ETOOBIG)
			return req_fail(r, er,
			    "archive larger than the limit of %llu bytes",
			    (unsigned long long)max);
		if (er == REG_ENOSPC)
			return req_fail(r, er,
			    "the registry is out of disk space");
		if (er != REG_OK)
			return er;
		*total += got;
	}
	if (r->has_content_length && *total != r->content_length)
		return req_fail(r, REG_EINVAL,
		    "upload interrupted: got %llu of %llu bytes",
		    (unsigned long long)*total,
		    (unsigned long long)r->content_length);
	if (*total == 0)
		return req_fail(r, REG_EINVAL,
		    "empty body: send the module as a .tar.gz or .zip archive");
	return REG_OK;
}

/*
 * Stream the body into bw, finish the blob (digest and size into v) and
 * inspect the archive (its format into ar).  Refusals carry the message.
 */
static enum reg_err
receive_archive(struct reg_req *r, struct blob_writer *bw,
    struct version_rec *v, struct archw_result *ar)
{
	const struct reg_config *cfg = r->app->cfg;
	struct archw_limits lim = { cfg->max_archive_entries,
		cfg->max_archive_bytes };
	char why[256] = "";
	uint64_t total = 0;
	enum reg_err er;

	er = receive_body(r, bw, cfg->max_upload_bytes, &total);
	if (er != REG_OK)
		return er;
	er = blob_writer_finish(bw, v->digest, &v->size);
	if (er != REG_OK)
		return er;
	er = archw_inspect_fd(blob_writer_fd(bw), &lim, ar, why, sizeof(why));
	if (er == REG_EINVAL)
		return req_fail(r, er, "%s", why);
	if (er == REG_EUNPROC || er == REG_ETOOBIG)
		return req_fail(r, er, "archive refused: %s", why);
	return er;
}

/* The version exists already: 200 for the same bytes, else 409. */
static enum reg_err
answer_existing(struct reg_req *r, const struct version_rec *have,
    const char *digest)
{
	if (strcmp(have->digest, digest) == 0)
		return answer_version(r, 200, have);
	return conflict(r, have, digest);
}

/*
 * Move the blob into its content-addressed place, then record the version
 * (the rest of v is filled here).  REG_EEXIST, with *have filled, when a
 * concurrent publisher recorded it first.
 */
static enum reg_err
record_version(struct reg_req *r, struct blob_writer *bw, struct version_rec *v,
    const struct archw_result *ar, struct version_rec *have)
{
	enum reg_err er;

	er = blob_writer_commit(bw);
	if (er == REG_ENOSPC)
		return req_fail(r, er, "the registry is out of disk space");
	if (er != REG_OK)
		return er;
	v->m = r->module;
	snprintf(v->version, sizeof(v->version), "%s", r->version);
	snprintf(v->format, sizeof(v->format), "%s", ar->format);
	snprintf(v->publisher, sizeof(v->publisher), "%s", r->who.key);
	v->published_at = r->now;
	er = store_version_put(r->app->store, v, have);
	if (er == REG_ENOSPC)
		return req_fail(r, er,
		    "the registry database is full (map_size): nothing was "
		    "recorded; ask the operator to raise map_size");
	return er;
}

enum reg_err
h_publish(struct reg_req *r)
{
	const struct reg_config *cfg = r->app->cfg;
	struct archw_result ar;
	struct blob_writer *bw = NULL;
	struct version_rec v, have;
	struct semver sv;
	char target[512];
	enum reg_err er;
	json_t *extra;

	er = authz_require(r, RIGHT_UPLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	er = check_version(r, &sv);
	if (er != REG_OK)
		return er;
	if (r->has_content_length && r->content_length > cfg->max_upload_bytes)
		return req_fail(r, REG_ETOOBIG,
		    "archive of %llu bytes is larger than the limit of %llu",
		    (unsigned long long)r->content_length,
		    (unsigned long long)cfg->max_upload_bytes);

	er = blob_writer_new(r->app->blobdir, &bw);
	if (er != REG_OK)
		goto out;
	memset(&v, 0, sizeof(v));
	er = receive_archive(r, bw, &v, &ar);
	if (er != REG_OK)
		goto out;

	/* Same version already there?  Decide before touching the blobs. */
	er = store_version_get(r->app->store, &r->module, r->version, &have);
	if (er == REG_OK) {
		er = answer_existing(r, &have, v.digest);
		goto out;
	}
	if (er != REG_ENOENT)
		goto out;

	er = record_version(r, bw, &v, &ar, &have);
	if (er == REG_EEXIST) {
		/* lost a race with a concurrent publisher */
		er = answer_existing(r, &have, v.digest);
		goto out;
	}
	if (er != REG_OK)
		goto out;
	app_count(r->app, MET_PUBLISH);
	module_target(r, target, sizeof(target));
	extra = json_pack("{s:s, s:I, s:s}", "digest", v.digest, "size",
	    (json_int_t)v.size, "format", v.format);
	audit_log(r, "publish", target, extra);
	er = answer_version(r, 201, &v);
out:
	blob_writer_free(bw);
	return er;
}

/*
 * "reason": a string of at most STORE_REASON_MAX bytes without control
 * characters, copied into reason.
 */
static enum reg_err
copy_reason(struct reg_req *r, const json_t *jr, char *reason, size_t rsz)
{
	const char *s;
	size_t i, n;

	if (!json_is_string(jr))
		return req_fail(r, REG_EINVAL, "\"reason\" must be a string");
	s = json_string_value(jr);
	n = json_string_length(jr);
	if (n > STORE_REASON_MAX || n >= rsz)
		return req_fail(r, REG_EINVAL,
		    "\"reason\" longer than %d bytes", STORE_REASON_MAX);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return req_fail(r, REG_EINVAL,
			    "\"reason\" contains a control character");
	}
	memcpy(reason, s, n + 1);
	return REG_OK;
}

/* Optional {"reason": "..."} body; reason is "" when there is none. */
static enum reg_err
read_reason(struct reg_req *r, bool required, char *reason, size_t rsz,
    int *deprecated)
{
	json_t *doc = NULL, *jr, *jd;
	json_error_t jerr;
	enum reg_err er;

	reason[0] = '\0';
	if (!required && (!r->has_content_length || r->content_length == 0))
		return REG_OK;
	er = req_json_body(r, SMALL_BODY_MAX, &doc);
	if (er != REG_OK)
		return er;
	jr = NULL;
	jd = NULL;
	if (json_unpack_ex(doc, &jerr, JSON_STRICT, "{s?o, s?o}", "reason", &jr,
	        "deprecated", &jd) != 0) {
		er = req_fail(r, REG_EINVAL,
		    "body must be {\"reason\": \"...\"}%s",
		    deprecated != NULL ? " or {\"deprecated\": false}" : "");
		goto out;
	}
	if (jd != NULL) {
		if (deprecated == NULL || !json_is_boolean(jd)) {
			er = req_fail(r, REG_EINVAL,
			    "\"deprecated\" must be a boolean");
			goto out;
		}
		*deprecated = json_is_true(jd);
	}
	if (jr != NULL) {
		er = copy_reason(r, jr, reason, rsz);
		if (er != REG_OK)
			goto out;
	}
	if (required && reason[0] == '\0' &&
	    (deprecated == NULL || *deprecated != 0)) {
		er = req_fail(r, REG_EINVAL,
		    "a non-empty \"reason\" is required");
		goto out;
	}
	er = REG_OK;
out:
	json_decref(doc);
	return er;
}

enum reg_err
h_version_delete(struct reg_req *r)
{
	struct version_rec v;
	char reason[STORE_REASON_MAX + 1], target[512];
	enum reg_err er;
	json_t *doc;

	er = authz_require(r, RIGHT_UPLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	er = read_reason(r, false, reason, sizeof(reason), NULL);
	if (er != REG_OK)
		return er;
	er = store_version_get(r->app->store, &r->module, r->version, &v);
	if (er == REG_OK)
		er =
		    store_version_delete(r->app->store, &r->module, r->version);
	if (er == REG_ENOENT)
		return req_fail(r, er, "module %s/%s/%s version %s not found",
		    r->module.ns, r->module.name, r->module.system, r->version);
	if (er != REG_OK)
		return er;
	module_target(r, target, sizeof(target));
	audit_log(r, "delete", target,
	    json_pack("{s:s, s:s}", "reason", reason, "digest", v.digest));
	doc = json_pack("{s:s, s:s}", "deleted", target, "reason", reason);
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, 200, doc);
	json_decref(doc);
	return er;
}

enum reg_err
h_deprecate(struct reg_req *r)
{
	struct version_rec v;
	char reason[STORE_REASON_MAX + 1], target[512];
	int deprecated = 1;
	enum reg_err er;

	er = authz_require(r, RIGHT_UPLOAD, r->module.ns);
	if (er != REG_OK)
		return er;
	er = read_reason(r, true, reason, sizeof(reason), &deprecated);
	if (er != REG_OK)
		return er;
	er = store_version_deprecate(r->app->store, &r->module, r->version,
	    deprecated != 0, deprecated ? reason : "");
	if (er == REG_ENOENT)
		return req_fail(r, er, "module %s/%s/%s version %s not found",
		    r->module.ns, r->module.name, r->module.system, r->version);
	if (er != REG_OK)
		return er;
	module_target(r, target, sizeof(target));
	audit_log(r, deprecated ? "deprecate" : "undeprecate", target,
	    json_pack("{s:s}", "reason", reason));
	er = store_version_get(r->app->store, &r->module, r->version, &v);
	if (er != REG_OK)
		return er;
	return answer_version(r, 200, &v);
}
