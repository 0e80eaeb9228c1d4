/*
 * registry/h_archive.c: GET/HEAD of a module archive.
 *
 * Terraform sends no bearer token here (spec/terraform-protocols.md 0.2),
 * so the URL carries its own signature (auth/urlsig), checked on the
 * parsed parameters because go-getter re-sorts them, and valid for
 * several requests until it expires (HEAD, then GET).  registryd only
 * authorises; nginx streams the bytes from an internal location
 * (X-Accel-Redirect), with sendfile and without Content-Encoding.
 */
#include <stdio.h>
#include <string.h>

#include "auth/urlsig.h"
#include "auth/keyring.h"
#include "registry/handlers.h"
#include "storage/blob.h"

enum reg_err
h_archive(struct reg_req *r)
{
	struct version_rec v;
	struct keyring *kr;
	const char *why = "invalid signature";
	char want[REQ_SEG_MAX + 1], rel[128], loc[CONFIG_STR_MAX + 128];
	enum reg_err er;

	kr = keyring_cache_get(r->app->keys);
	er = urlsig_verify(kr, r->raw_path, r->raw_query, strlen(r->raw_query),
	    r->now, &why);
	keyring_free(kr);
	if (er == REG_ENOENT && keyring_cache_refresh(r->app->keys, r->now)) {
		kr = keyring_cache_get(r->app->keys);
		er = urlsig_verify(kr, r->raw_path, r->raw_query,
		    strlen(r->raw_query), r->now, &why);
		keyring_free(kr);
	}
	if (er != REG_OK)
		return req_fail(r, REG_EPERM,
		    "archive link refused: %s; run terraform init again to "
		    "get a fresh link",
		    why);
	er = store_version_get(r->app->store, &r->module, r->version, &v);
	if (er == REG_ENOENT)
		return req_fail(r, er, "this module version no longer exists");
	if (er != REG_OK)
		return er;
	snprintf(want, sizeof(want), "%s-%s.%s", v.m.name, v.version, v.format);
	if (strcmp(want, r->file) != 0)
		return req_fail(r, REG_ENOENT, "no such archive");
	er = blob_relpath(v.digest, rel, sizeof(rel));
	if (er != REG_OK)
		return er;
	snprintf(loc, sizeof(loc), "%s%s", r->app->cfg->blob_location, rel);
	app_count(r->app, MET_ARCHIVES);
	er = resp_header(r->conn, "X-Accel-Redirect", loc);
	if (er == REG_OK)
		er = resp_header(r->conn, "Content-Type",
		    strcmp(v.format, "zip") == 0 ? "application/zip"
		                                 : "application/gzip");
	if (er == REG_OK)
		er = resp_empty(r->conn, 200);
	return er;
}
