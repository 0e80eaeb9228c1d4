/*
 * registry/views.h: JSON renderings shared by several handlers, and small
 * request helpers.
 */
#ifndef REG_VIEWS_H
#define REG_VIEWS_H

#include <jansson.h>

#include "common/buf.h"
#include "registry/req.h"
#include "storage/store.h"

/* RFC 3339 UTC ("2026-11-23T10:00:00Z") into out (>= 21 bytes). */
void fmt_time(int64_t t, char out[32]);

/* New reference: the detail object of one version. */
json_t *view_version(const struct version_rec *);

/* "ns/name/system" display id into out. */
void view_module_id(const struct module_addr *, char *out, size_t outsz);

/* Sort ascending by SemVer precedence. */
void versions_sort(struct verlist *);

/*
 * The newest version that is not a pre-release (else the newest of all);
 * NULL when the list is empty.  Borrowed from vl.
 */
const struct version_rec *versions_latest(const struct verlist *);

/*
 * Read the whole request body into out (capped at max bytes): REG_ETOOBIG
 * past the cap, REG_ESYS when the stream broke.
 */
enum reg_err req_read_body(struct reg_req *, size_t max,
    struct buf *out) REG_MUSTCHECK;

/* REG_EMEDIA (with the message) unless Content-Type is application/json
 * (parameters such as charset allowed). */
enum reg_err req_require_json(struct reg_req *) REG_MUSTCHECK;

/*
 * Parse a JSON object body strictly (duplicates rejected), after checking
 * Content-Type is application/json.  *out: new reference.
 */
enum reg_err req_json_body(struct reg_req *, size_t max,
    json_t **out) REG_MUSTCHECK;

#endif
