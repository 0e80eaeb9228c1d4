/*
 * admin-tools/orch_creds_doc.h: the credentials document handed to a
 * customer (provisioning.md section 2): render it, write it with mode
 * 0600 through a temporary file, fsync and rename (or to standard
 * output), and read one non-secret field back from an earlier document.
 *
 * The document holds a secret: every buffer it passes through is wiped
 * by the caller (buf_release_wipe) or here before it is freed.
 */
#ifndef REG_ORCH_CREDS_DOC_H
#define REG_ORCH_CREDS_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

#define ORCH_DOC_SCHEMA "honua-credentials/v1"
#define ORCH_DOC_MAX ((size_t)64 << 10)

/* One member of the provider's section: a string or a string array. */
struct orch_doc_field {
	const char *key;
	const char *value;       /* used when list is NULL */
	const char *const *list; /* string array of nlist entries */
	size_t nlist;
};

/* Everything borrowed for the call. */
struct orch_creds_doc {
	const char *customer_id;
	int64_t issued_at;   /* Unix seconds */
	const char *section; /* "aws", "azure", "gcp" */
	const struct orch_doc_field *fields;
	size_t nfields;
};

/*
 * Append the document as indented JSON (with a final newline) to out,
 * whose cap must allow it.  REG_EINVAL on a NULL key or value,
 * REG_ETOOBIG, REG_ENOMEM.  On failure out may hold part of a secret:
 * the caller wipes it in every case.
 */
enum reg_err orch_creds_doc_render(const struct orch_creds_doc *,
    struct buf *out) REG_MUSTCHECK;

/*
 * Write data[0..len) to path ("-": standard output, flushed) as a new
 * file of mode 0600 whatever the umask: a temporary file in the same
 * directory, written, fsync'd, renamed over path, the directory fsync'd.
 * On failure the temporary file is removed, path is untouched, and errbuf
 * says why (never any of the data).  REG_ESYS, REG_EINVAL (empty path).
 */
enum reg_err orch_creds_doc_write(const char *path, const char *data,
    size_t len, char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * The string value of section.key in the document at path (not "-"),
 * copied to out.  REG_ENOENT when the file or the member is absent,
 * REG_EINVAL when it is not such a document, REG_ETOOBIG when it is
 * larger than ORCH_DOC_MAX or the value does not fit, REG_ESYS.
 * Only for non-secret members (accessKeyId); the file's bytes are wiped.
 */
enum reg_err orch_creds_doc_peek(const char *path, const char *section,
    const char *key, char *out, size_t outsz) REG_MUSTCHECK;

#endif
