/*
 * common/fetch.h: the only door to libcurl.  One synchronous HTTP request
 * with explicit, safe defaults: no redirects unless asked, TLS verified,
 * protocols restricted, an explicit proxy setting (never the environment
 * unless the caller passes it on), timeouts, and a capped response body.
 */
#ifndef REG_FETCH_H
#define REG_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

#define FETCH_MAX_HEADERS 32

struct fetch_req {
	const char *method; /* "GET" (default when NULL), "POST", ... */
	const char *url;
	const char *headers[FETCH_MAX_HEADERS]; /* "Name: value" */
	size_t nheaders;
	const void *body; /* request body in memory, or NULL */
	size_t body_len;
	int body_fd; /* or stream from this fd (>= 0), from 0 */
	uint64_t body_fd_len;
	const char *connect_to;  /* CURLOPT_CONNECT_TO entry, or NULL */
	const char *ca_file;     /* NULL: the system trust store */
	const char *ca_dir;      /* NULL: default */
	const char *proxy;       /* NULL or "": no proxy at all */
	bool allow_http;         /* http:// allowed (loopback tools, tests) */
	bool follow_redirects;   /* same-scheme redirects, at most 5 */
	long timeout_ms;         /* 0: 30000 */
	long connect_timeout_ms; /* 0: 5000 */
	long stall_seconds;      /* under 1 byte/s this long: fail; 0: 60 */
	size_t max_body;         /* response cap; 0: 1 MiB */
	bool quiet;              /* do not log transport errors */
};

struct fetch_resp {
	long status;
	struct buf body;
	struct buf headers; /* "name: value\n" lines, names lower-cased */
};

void fetch_req_init(struct fetch_req *);
/* Append "Name: value" (copied into an internal pool of the request). */
enum reg_err fetch_req_header(struct fetch_req *, const char *name,
    const char *value) REG_MUSTCHECK;
void fetch_req_release(struct fetch_req *);

void fetch_resp_init(struct fetch_resp *);
void fetch_resp_release(struct fetch_resp *);
/*
 * The value of response header name (case-insensitive) copied into out,
 * or false when absent.
 */
bool fetch_resp_header(const struct fetch_resp *, const char *name, char *out,
    size_t outsz);

/*
 * Perform the request.  REG_OK for any HTTP status (see resp->status);
 * REG_EUPSTREAM when no HTTP answer was had (DNS, connect, timeout, a TLS
 * failure other than certificate verification), REG_ECRYPTO when the
 * peer's certificate did not verify (not worth retrying),
 * REG_ETOOBIG when the body passed max_body, REG_EINVAL for a bad URL or
 * scheme.  errbuf (may be NULL) gets libcurl's message.
 * Must be called after fetch_global_init().
 */
enum reg_err fetch_do(const struct fetch_req *, struct fetch_resp *,
    char *errbuf, size_t errsz) REG_MUSTCHECK;

/* Once per process, before threads: curl_global_init. */
void fetch_global_init(void);

#endif
