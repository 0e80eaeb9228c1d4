/*
 * common/fetch.c: libcurl behind fetch.h.  Each call uses its own easy
 * handle (thread-safe with CURLOPT_NOSIGNAL); the settings that matter for
 * safety are set explicitly every time rather than trusted as defaults.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/cryptow.h"
#include "common/fetch.h"
#include "common/log.h"

struct reqpool {
	char *owned[FETCH_MAX_HEADERS];
};

void
fetch_global_init(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fetch_req_init(struct fetch_req *r)
{
	memset(r, 0, sizeof(*r));
	r->body_fd = -1;
}

enum reg_err
fetch_req_header(struct fetch_req *r, const char *name, const char *value)
{
	size_t n;
	char *h;

	if (r->nheaders >= FETCH_MAX_HEADERS)
		return REG_ETOOBIG;
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return REG_EINVAL;
	n = strlen(name) + strlen(value) + 3;
	h = malloc(n);
	if (h == NULL)
		return REG_ENOMEM;
	(void)snprintf(h, n, "%s: %s", name, value);
	r->headers[r->nheaders++] = h;
	return REG_OK;
}

void
fetch_req_release(struct fetch_req *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		char *h = (char *)(uintptr_t)r->headers[i];

		/* headers may carry credentials (Authorization) */
		cryptow_wipe(h, strlen(h));
		free(h);
	}
	r->nheaders = 0;
}

/* curl_slist_free_all, wiping each entry first (they may hold secrets) */
static void
slist_free_wipe(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		if (p->data != NULL)
			cryptow_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

void
fetch_resp_init(struct fetch_resp *resp)
{
	resp->status = 0;
	buf_init(&resp->body, (size_t)1024 * 1024);
	buf_init(&resp->headers, (size_t)64 * 1024);
}

void
fetch_resp_release(struct fetch_resp *resp)
{
	buf_release(&resp->body);
	buf_release(&resp->headers);
}

bool
fetch_resp_header(const struct fetch_resp *resp, const char *name, char *out,
    size_t outsz)
{
	const char *p = buf_cstr(&resp->headers);
	size_t nl = strlen(name);

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (len > nl + 1 && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t vl = len - nl - 1;

			while (vl > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			if (outsz == 0)
				return true;
			if (vl >= outsz)
				vl = outsz - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return false;
}

struct wctx {
	struct buf *b;
	bool toobig;
};

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct wctx *w = arg;
	size_t len = size * n;

	if (buf_add(w->b, p, len) != REG_OK) {
		w->toobig = true;
		return 0; /* abort the transfer */
	}
	return len;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n, i, colon;

	/* a new status line (after a 100 Continue) starts afresh */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		buf_reset(b);
		return len;
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	colon = len;
	for (i = 0; i < len; i++) {
		if (p[i] == ':') {
			colon = i;
			break;
		}
	}
	if (colon == 0 || colon == len)
		return size * n;
	for (i = 0; i < colon; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (buf_addc(b, c) != REG_OK)
			return size * n; /* drop what does not fit */
	}
	if (buf_add(b, p + colon, len - colon) != REG_OK ||
	    buf_addc(b, '\n') != REG_OK)
		return size * n;
	return size * n;
}

struct rctx {
	int fd;
	uint64_t off, len;
};

static size_t
read_cb(char *p, size_t size, size_t n, void *arg)
{
	struct rctx *r = arg;
	size_t want = size * n;
	ssize_t got;

	if (r->off >= r->len)
		return 0;
	if (want > r->len - r->off)
		want = (size_t)(r->len - r->off);
	got = pread(r->fd, p, want, (off_t)r->off);
	if (got < 0)
		return CURL_READFUNC_ABORT;
	r->off += (uint64_t)got;
	return (size_t)got;
}

/* Append s to *l (copied by libcurl); *l is unchanged on failure. */
static enum reg_err
slist_add(struct curl_slist **l, const char *s)
{
	struct curl_slist *tmp;

	tmp = curl_slist_append(*l, s);
	if (tmp == NULL)
		return REG_ENOMEM;
	*l = tmp;
	return REG_OK;
}

/*
 * Where to connect and how safely: everything that matters for safety is
 * set explicitly, never left to a libcurl default or the environment.
 */
static void
set_transport(CURL *h, const struct fetch_req *req, struct curl_slist *cto,
    char *cerr)
{
	if (cto != NULL)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, cto);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
	    req->allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
	    req->allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION,
	    req->follow_redirects ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (req->ca_file != NULL && req->ca_file[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
	if (req->ca_dir != NULL && req->ca_dir[0] != '\0')
		curl_easy_setopt(h, CURLOPT_CAPATH, req->ca_dir);
	/* explicit: "" disables every proxy, including the environment's */
	curl_easy_setopt(h, CURLOPT_PROXY,
	    req->proxy != NULL ? req->proxy : "");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    req->timeout_ms > 0 ? req->timeout_ms : 30000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 5000L);
	/* a transfer that stalls below 1 byte/s for this long is abandoned */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
	    req->stall_seconds > 0 ? req->stall_seconds : 60L);
}

/*
 * The method and the request body: streamed from body_fd, or from memory.
 * NOBODY, UPLOAD and POSTFIELDS each change libcurl's method, so these
 * calls keep their order.
 */
static void
set_method_body(CURL *h, const struct fetch_req *req, struct rctx *rc)
{
	const char *method = req->method != NULL ? req->method : "GET";

	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	if (req->body_fd >= 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, rc);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)req->body_fd_len);
		if (strcmp(method, "PUT") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (req->body != NULL || strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
}

/*
 * Map the outcome of curl_easy_perform() to ours (see fetch.h); errbuf
 * (may be NULL) gets the reason.  Transport errors are logged here, once,
 * unless the caller asked for quiet.
 */
static enum reg_err
perform_err(const struct fetch_req *req, CURLcode cc, const char *cerr,
    bool toobig, char *errbuf, size_t errsz)
{
	const char *msg;
	enum reg_err er;

	if (toobig) {
		if (errbuf != NULL)
			(void)snprintf(errbuf, errsz,
			    "response body too large");
		return REG_ETOOBIG;
	}
	if (cc == CURLE_OK)
		return REG_OK;
	msg = cerr[0] ? cerr : curl_easy_strerror(cc);
	if (errbuf != NULL)
		(void)snprintf(errbuf, errsz, "%s", msg);
	if (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT)
		return REG_EINVAL;
	/* certificate problems are not transient: do not retry them */
	er = cc == CURLE_PEER_FAILED_VERIFICATION ||
	        cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM
	    ? REG_ECRYPTO
	    : REG_EUPSTREAM;
	if (!req->quiet)
		log_warnx("fetch: %s", msg);
	return er;
}

enum reg_err
fetch_do(const struct fetch_req *req, struct fetch_resp *resp, char *errbuf,
    size_t errsz)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *cto = NULL;
	struct wctx w = { &resp->body, false };
	struct rctx rc = { req->body_fd, 0, req->body_fd_len };
	enum reg_err er = REG_OK;
	CURLcode cc;
	CURL *h;
	size_t i;

	if (errbuf != NULL && errsz > 0)
		errbuf[0] = '\0';
	if (req->max_body > 0)
		resp->body.max = req->max_body;
	buf_reset(&resp->body);
	buf_reset(&resp->headers);
	h = curl_easy_init();
	if (h == NULL)
		return REG_ENOMEM;
	for (i = 0; i < req->nheaders && er == REG_OK; i++)
		er = slist_add(&hdrs, req->headers[i]);
	/* no "Expect: 100-continue" round trip */
	if (er == REG_OK)
		er = slist_add(&hdrs, "Expect:");
	if (er == REG_OK && req->connect_to != NULL)
		er = slist_add(&cto, req->connect_to);
	if (er != REG_OK)
		goto out;
	set_transport(h, req, cto, cerr);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &w);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "terraform-registry/1");
	set_method_body(h, req, &rc);

	cc = curl_easy_perform(h);
	er = perform_err(req, cc, cerr, w.toobig, errbuf, errsz);
	if (er == REG_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
out:
	slist_free_wipe(hdrs);
	curl_slist_free_all(cto);
	curl_easy_cleanup(h);
	return er;
}
