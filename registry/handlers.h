/*
 * registry/handlers.h: the endpoint handlers and the dispatcher.
 *
 * A handler gets a parsed, routed request.  It writes a response and
 * returns REG_OK, or returns an error code (after req_fail() set a message)
 * and the dispatcher writes the status and the {"errors":[...]} body in one
 * place.  Handlers never free request-owned memory.
 */
#ifndef REG_HANDLERS_H
#define REG_HANDLERS_H

#include <stdbool.h>

#include "registry/app.h"
#include "registry/req.h"

/* Set the error message (printf-style) and return er. */
enum reg_err req_fail(struct reg_req *, enum reg_err er, const char *fmt, ...)
    REG_PRINTF(3, 4);

/* Serve one accepted request end to end. */
void dispatch(struct app *, struct reg_conn *);

/* rights */
enum right {
	RIGHT_DOWNLOAD,
	RIGHT_UPLOAD,
	RIGHT_CREATE_GRANT,
	RIGHT_DELETE_GRANT,
};
const char *right_name(enum right);

/*
 * Authenticate the Authorization header (if any) into req->who.  No header
 * is fine (anonymous).  A header that does not verify gives REG_EAUTH.
 */
enum reg_err authz_identify(struct reg_req *) REG_MUSTCHECK;
/*
 * Require right want on namespace ns.  Anonymous callers get REG_EAUTH
 * unless want is download and ns is public; authenticated callers without
 * the right get REG_EPERM with a message naming the right and the
 * namespace.
 */
enum reg_err authz_require(struct reg_req *, enum right want,
    const char *ns) REG_MUSTCHECK;
/* Like authz_require but only answers (no message, no error). */
bool authz_can(struct reg_req *, enum right want, const char *ns);

/* Append an audit record {"ts","action","principal","target",...extra}. */
void audit_log(struct reg_req *, const char *action, const char *target,
    json_t *extra /* consumed, may be NULL */);

/* handlers (h_*.c) */
enum reg_err h_discovery(struct reg_req *);
enum reg_err h_healthz(struct reg_req *);
enum reg_err h_metrics(struct reg_req *);
enum reg_err h_versions(struct reg_req *);
enum reg_err h_download(struct reg_req *);
enum reg_err h_latest_download(struct reg_req *);
enum reg_err h_version_get(struct reg_req *);
enum reg_err h_module_latest(struct reg_req *);
enum reg_err h_ns_list(struct reg_req *);
enum reg_err h_list_all(struct reg_req *);
enum reg_err h_search(struct reg_req *);
enum reg_err h_publish(struct reg_req *);
enum reg_err h_version_delete(struct reg_req *);
enum reg_err h_deprecate(struct reg_req *);
enum reg_err h_archive(struct reg_req *);
enum reg_err h_auth_token(struct reg_req *);
enum reg_err h_grants_get(struct reg_req *);
enum reg_err h_grant_put(struct reg_req *);
enum reg_err h_grant_delete(struct reg_req *);

#endif
