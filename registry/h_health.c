/*
 * registry/h_health.c: /healthz (liveness: the store answers) and
 * /metrics (Prometheus text format).  nginx exposes both to loopback only.
 */
#include <stdio.h>
#include <string.h>

#include "registry/handlers.h"

enum reg_err
h_healthz(struct reg_req *r)
{
	bool pub;
	enum reg_err er;
	json_t *doc;

	/* a read transaction proves the environment is usable */
	er = store_ns_is_public(r->app->store, "healthz", &pub);
	if (er != REG_OK && er != REG_ENOENT)
		return req_fail(r, er, "store unavailable");
	doc = json_pack("{s:s, s:I}", "status", "ok", "uptime_seconds",
	    (json_int_t)(r->now - r->app->started_at));
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(r->conn, 200, doc);
	json_decref(doc);
	return er;
}

enum reg_err
h_metrics(struct reg_req *r)
{
	static const struct {
		enum metric m;
		const char *name, *help;
	} defs[] = {
		{ MET_REQUESTS, "registry_requests_total", "Requests served." },
		{ MET_2XX, "registry_responses_2xx_total", "2xx/3xx answers." },
		{ MET_4XX, "registry_responses_4xx_total", "4xx answers." },
		{ MET_5XX, "registry_responses_5xx_total", "5xx answers." },
		{ MET_PUBLISH, "registry_publish_total",
		    "Versions published." },
		{ MET_DOWNLOAD_URLS, "registry_download_urls_total",
		    "Archive links handed out." },
		{ MET_ARCHIVES, "registry_archive_requests_total",
		    "Archive requests authorised." },
		{ MET_TOKENS_ISSUED, "registry_tokens_issued_total",
		    "Bearer tokens issued." },
		{ MET_TOKENS_REFUSED, "registry_token_refusals_total",
		    "Token requests refused." },
	};
	struct buf b;
	enum reg_err er = REG_OK;
	size_t i;

	buf_init(&b, 16384);
	for (i = 0; i < nitems(defs) && er == REG_OK; i++)
		er =
		    buf_printf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		        defs[i].name, defs[i].help, defs[i].name, defs[i].name,
		        (unsigned long long)atomic_load(
		            &r->app->metrics[defs[i].m]));
	if (er == REG_OK)
		er = buf_printf(&b,
		    "# HELP registry_uptime_seconds Seconds since start.\n"
		    "# TYPE registry_uptime_seconds gauge\n"
		    "registry_uptime_seconds %lld\n",
		    (long long)(r->now - r->app->started_at));
	if (er == REG_OK)
		er = resp_header(r->conn, "Content-Type",
		    "text/plain; version=0.0.4");
	if (er == REG_OK)
		er = resp_write(r->conn, b.p, b.len);
	buf_release(&b);
	return er;
}
