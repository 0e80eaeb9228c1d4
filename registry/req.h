/*
 * registry/req.h: everything a handler may read about a request, filled
 * and validated once by req_parse() from the FastCGI parameters.
 * Handlers see only this struct (and the conn for body/response).
 */
#ifndef REG_REQ_H
#define REG_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/name.h"
#include "common/semver.h"
#include "registry/conn.h"
#include "storage/store.h"

#define REQ_PATH_MAX 1024
#define REQ_QUERY_MAX 2048
#define REQ_MAX_SEGS 12
#define REQ_MAX_PARAMS 16
#define REQ_SEG_MAX 256
#define REQ_PARAM_MAX 512

enum reg_method {
	M_GET = 1,
	M_HEAD = 2,
	M_PUT = 4,
	M_POST = 8,
	M_DELETE = 16,
};

struct req_param {
	char name[64];
	char value[REQ_PARAM_MAX + 1];
};

/* The authenticated caller, if any. */
struct principal {
	char key[STORE_PRINCIPAL_MAX + 1]; /* "" when anonymous */
	char display[STORE_PRINCIPAL_MAX + 1];
	char session[80];
	char unique_id[129]; /* the role's AROA... id, "" when none */
	char via[16];        /* "api-token", "iam", "" */
};

struct app; /* registry/app.h */

struct reg_req {
	struct app *app;       /* borrowed from the process */
	struct reg_conn *conn; /* borrowed for this request */
	char id[40];           /* request id, for logs */
	enum reg_method method;
	char raw_path[REQ_PATH_MAX + 1]; /* percent-decoded path */
	/* path segments, percent-decoded once, no empty ones */
	char seg[REQ_MAX_SEGS][REQ_SEG_MAX + 1];
	size_t nseg;
	struct req_param params[REQ_MAX_PARAMS];
	size_t nparams;
	char raw_query[REQ_QUERY_MAX + 1];
	char content_type[128];
	uint64_t content_length;
	bool has_content_length;
	const char *authorization; /* borrowed FastCGI param, or NULL */
	char remote_addr[64];

	/* filled by the router from the path: */
	struct module_addr module;
	char version[SEMVER_BUFSZ];
	char file[REQ_SEG_MAX + 1];

	/* filled by the dispatcher when the route needs a caller: */
	struct principal who;
	int64_t now;

	/* set by req_fail(): the message of the error body */
	char errmsg[512];
	int retry_after; /* seconds, for 503 */
};

/*
 * Parse the FastCGI parameters of conn into req (which the caller zeroed).
 * On REG_EINVAL/REG_ETOOBIG, *why names the problem (static text).
 */
enum reg_err req_parse(struct reg_conn *, struct reg_req *,
    const char **why) REG_MUSTCHECK;

/* The value of query parameter name, or NULL (first occurrence). */
const char *req_param(const struct reg_req *, const char *name);

/*
 * Strict percent-decoding of in[0..len) into out (size outsz): only %HH
 * escapes, no '+' as space, no NUL result.  Returns the decoded length or
 * -1.
 */
long req_pct_decode(const char *in, size_t len, char *out, size_t outsz);

#endif
