/*
 * registry/resp.c: the FastCGI boundary (libfcgi FCGX_* API, never
 * fcgi_stdio).  Everything that touches FCGX_Request lives here.
 *
 * Invariant: headers are sent exactly once, before the first body byte;
 * after that resp_status()/resp_header() are ignored (and logged).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "common/log.h"
#include "registry/conn.h"

#define CONN_HDR_MAX ((size_t)16 * 1024)

struct reg_conn {
	FCGX_Request fcgi;
	int status;
	bool sent;
	bool accepted;
	struct buf hdrs;
	char reason[160]; /* "" = the standard reason phrase */
};

static pthread_mutex_t accept_mtx = PTHREAD_MUTEX_INITIALIZER;

void
conn_lib_init(void)
{
	(void)FCGX_Init();
}

int
conn_listen(const char *path, int backlog)
{
	int fd;

	(void)unlink(path);
	fd = FCGX_OpenSocket(path, backlog);
	if (fd < 0) {
		log_warn("FCGX_OpenSocket %s", path);
		return -1;
	}
	return fd;
}

struct reg_conn *
conn_new(int listen_fd)
{
	struct reg_conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (FCGX_InitRequest(&c->fcgi, listen_fd, 0) != 0) {
		free(c);
		return NULL;
	}
	buf_init(&c->hdrs, CONN_HDR_MAX);
	return c;
}

void
conn_free(struct reg_conn *c)
{
	if (c == NULL)
		return;
	conn_finish(c);
	FCGX_Free(&c->fcgi, 1);
	buf_release(&c->hdrs);
	free(c);
}

void
conn_finish(struct reg_conn *c)
{
	if (!c->accepted)
		return;
	if (!c->sent && resp_end(c) != REG_OK)
		log_debug("fastcgi: client went away before the answer");
	FCGX_Finish_r(&c->fcgi);
	c->accepted = false;
}

bool
conn_accept(struct reg_conn *c)
{
	int rc;

	conn_finish(c);
	pthread_mutex_lock(&accept_mtx);
	rc = FCGX_Accept_r(&c->fcgi);
	pthread_mutex_unlock(&accept_mtx);
	if (rc < 0)
		return false;
	c->accepted = true;
	c->status = 200;
	c->sent = false;
	c->reason[0] = '\0';
	buf_reset(&c->hdrs);
	return true;
}

const char *
conn_param(struct reg_conn *c, const char *name)
{
	return FCGX_GetParam(name, c->fcgi.envp);
}

enum reg_err
conn_read(struct reg_conn *c, void *p, size_t n, size_t *got)
{
	int want = n > (1 << 30) ? (1 << 30) : (int)n;
	int r;

	r = FCGX_GetStr(p, want, c->fcgi.in);
	if (r < 0 || (r < want && FCGX_GetError(c->fcgi.in) != 0)) {
		log_warnx("fastcgi read: stream error");
		return REG_ESYS;
	}
	*got = (size_t)r;
	return REG_OK;
}

void
resp_status(struct reg_conn *c, int status)
{
	if (c->sent) {
		log_warnx("resp_status %d after headers were sent", status);
		return;
	}
	c->status = status;
}

void
resp_reason(struct reg_conn *c, const char *text)
{
	size_t i, o = 0;

	/* RFC 9112 reason-phrase: HTAB, SP, VCHAR; we keep printable ASCII */
	for (i = 0; text[i] != '\0' && o + 1 < sizeof(c->reason); i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch >= 0x20 && ch < 0x7f)
			c->reason[o++] = (char)ch;
	}
	c->reason[o] = '\0';
}

int
resp_get_status(const struct reg_conn *c)
{
	return c->status;
}

bool
resp_started(const struct reg_conn *c)
{
	return c->sent;
}

static bool
hdr_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

enum reg_err
resp_header(struct reg_conn *c, const char *name, const char *value)
{
	if (c->sent) {
		log_warnx("resp_header %s after headers were sent", name);
		return REG_EINVAL;
	}
	if (!hdr_safe(name) || !hdr_safe(value))
		return REG_EINVAL;
	return buf_printf(&c->hdrs, "%s: %s\r\n", name, value);
}

static const char *
status_text(int s)
{
	switch (s) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 507:
		return "Insufficient Storage";
	default:
		return "Status";
	}
}

static enum reg_err
send_headers(struct reg_conn *c)
{
	int r;

	if (c->sent)
		return REG_OK;
	c->sent = true;
	r = FCGX_FPrintF(c->fcgi.out, "Status: %d %s\r\n%s\r\n", c->status,
	    c->reason[0] != '\0' ? c->reason : status_text(c->status),
	    buf_cstr(&c->hdrs));
	return r < 0 ? REG_ESYS : REG_OK;
}

enum reg_err
resp_write(struct reg_conn *c, const void *p, size_t n)
{
	enum reg_err er;

	er = send_headers(c);
	if (er != REG_OK)
		return er;
	while (n > 0) {
		int chunk = n > (1 << 20) ? (1 << 20) : (int)n;

		if (FCGX_PutStr(p, chunk, c->fcgi.out) != chunk)
			return REG_ESYS;
		p = (const char *)p + chunk;
		n -= (size_t)chunk;
	}
	return REG_OK;
}

enum reg_err
resp_end(struct reg_conn *c)
{
	return send_headers(c);
}

enum reg_err
resp_json(struct reg_conn *c, int status, const json_t *doc)
{
	char *s;
	enum reg_err er;

	s = json_dumps(doc, JSON_COMPACT);
	if (s == NULL)
		return REG_ENOMEM;
	resp_status(c, status);
	er = resp_header(c, "Content-Type", "application/json");
	if (er == REG_OK)
		er = resp_write(c, s, strlen(s));
	free(s);
	return er;
}

enum reg_err
resp_error(struct reg_conn *c, int status, const char *msg)
{
	json_t *doc;
	enum reg_err er;

	doc = json_pack("{s:[s]}", "errors", msg);
	if (doc == NULL)
		return REG_ENOMEM;
	er = resp_json(c, status, doc);
	json_decref(doc);
	return er;
}

enum reg_err
resp_empty(struct reg_conn *c, int status)
{
	resp_status(c, status);
	return resp_end(c);
}
