/*
 * admin-tools/client_grants.h: the grant API as manage-registry-permissions
 * --registry speaks it (registry/h_grants.c): request bodies for
 * PUT /v1/grants/:ns/:principal and the grant documents of its answers,
 * parsed into the struct grant the local mode prints, so both modes print
 * the same thing.
 */
#ifndef REG_CLIENT_GRANTS_H
#define REG_CLIENT_GRANTS_H

#include <stddef.h>

#include "auth/principal.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/name.h"
#include "storage/store.h"

#define CLIENT_GRANTS_MAX 100000 /* grants in one listing */

/* One grant as the API shows it. */
struct client_grant {
	char ns[NAME_BUFSZ];
	char principal[PRINCIPAL_BUFSZ]; /* the key */
	char role[PRINCIPAL_BUFSZ];      /* its display form */
	struct grant g;
};

/*
 * The PUT body: each right as given (rights[i] < 0: absent, 0: false,
 * 1: true, in the order download, upload, create_grant, delete_grant),
 * unique_id when not NULL, and mode ("create", "update" or "replace").
 * Appended to out.  REG_EINVAL (bad mode or unique id), REG_ETOOBIG,
 * REG_ENOMEM.
 */
enum reg_err client_grant_body(const int rights[4], const char *unique_id,
    const char *mode, struct buf *out) REG_MUSTCHECK;

/*
 * One grant document, body[0..len), into *out (on success only):
 * {"namespace", "principal", "role", "permissions": {four booleans},
 * "created_at", "updated_at" (RFC 3339), "created_by", optional
 * "unique_id", optional "deleted"}.  REG_EINVAL, REG_ENOMEM.
 */
enum reg_err client_grant_parse(const char *body, size_t len,
    struct client_grant *out) REG_MUSTCHECK;

/*
 * A listing {"namespace": ns, "grants": [grant...]}.  *out: new array of
 * *n grants (free with free()), on success only.  REG_EINVAL,
 * REG_ETOOBIG, REG_ENOMEM.
 */
enum reg_err client_grants_parse(const char *body, size_t len,
    struct client_grant **out, size_t *n) REG_MUSTCHECK;

#endif
