/*
 * registry/conn.h: one FastCGI request/response, as handlers and req.c
 * see it.  registry/resp.c is the only file that includes <fcgiapp.h>.
 *
 * A response is: resp_status() and resp_header() calls, then body writes
 * (the first body write, or resp_end(), sends the header block).  The
 * helpers resp_json()/resp_error()/resp_empty() do all of it at once.
 */
#ifndef REG_CONN_H
#define REG_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"

struct reg_conn;

/* A FastCGI parameter, or NULL.  Borrowed until the request finishes. */
const char *conn_param(struct reg_conn *, const char *name);

/*
 * Read up to n body bytes.  *got = 0 means end of body.  REG_ESYS when
 * the stream broke (client or nginx went away).
 */
enum reg_err conn_read(struct reg_conn *, void *, size_t n,
    size_t *got) REG_MUSTCHECK;

void resp_status(struct reg_conn *, int status);
/*
 * Replace the standard reason phrase of the status line (HTTP/1.1
 * clients show it: Terraform prints it for /versions errors, whose body
 * it hides).  Copied, reduced to printable ASCII, truncated.
 */
void resp_reason(struct reg_conn *, const char *text);
/* Name and value are copied; CR/LF in either refuse the header. */
enum reg_err resp_header(struct reg_conn *, const char *name,
    const char *value) REG_MUSTCHECK;
enum reg_err resp_write(struct reg_conn *, const void *, size_t) REG_MUSTCHECK;
/* Sends headers if not yet sent.  Idempotent. */
enum reg_err resp_end(struct reg_conn *) REG_MUSTCHECK;
bool resp_started(const struct reg_conn *);
int resp_get_status(const struct reg_conn *);

/* status + Content-Type: application/json + the compact dump of doc. */
enum reg_err resp_json(struct reg_conn *, int status,
    const json_t *doc) REG_MUSTCHECK;
/* status + {"errors":[msg]}. */
enum reg_err resp_error(struct reg_conn *, int status,
    const char *msg) REG_MUSTCHECK;
/* status and no body. */
enum reg_err resp_empty(struct reg_conn *, int status) REG_MUSTCHECK;

/* ---- the accept loop (used by main.c) ---- */

/* Open the listening unix socket; returns the fd or -1 (logged). */
int conn_listen(const char *path, int backlog);
/* Must be called once before threads start. */
void conn_lib_init(void);

/* new, free with conn_free(); one per worker thread. */
struct reg_conn *conn_new(int listen_fd);
void conn_free(struct reg_conn *);
/*
 * Wait for the next request (finishing the previous one).  Accepts are
 * serialised by a process-wide mutex.  false when the socket was shut
 * down or failed: the worker should exit.
 */
bool conn_accept(struct reg_conn *);
/* Finish the current request (flush and close). */
void conn_finish(struct reg_conn *);

#endif
