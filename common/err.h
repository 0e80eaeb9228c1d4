/*
 * common/err.h: the one error type of the project.
 *
 * Every fallible function returns enum reg_err (REG_OK == 0) and is marked
 * REG_MUSTCHECK.  Library-specific detail (mdb_strerror, ERR_get_error,
 * json_error_t, CURLcode) is logged once, in the boundary module that saw
 * it; callers only pass the code up.  reg_err_http_status() is the single
 * place where a code becomes an HTTP status.
 */
#ifndef REG_ERR_H
#define REG_ERR_H

#define REG_MUSTCHECK __attribute__((warn_unused_result))
#define REG_PRINTF(a, b) __attribute__((format(printf, a, b)))

#ifndef nitems
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum reg_err {
	REG_OK = 0,
	REG_ENOMEM,    /* allocation failed (500) */
	REG_EINVAL,    /* malformed client input (400) */
	REG_ENOENT,    /* no such namespace/module/version/grant (404) */
	REG_EEXIST,    /* already exists, different content (409) */
	REG_EAUTH,     /* missing or bad credentials (401) */
	REG_EPERM,     /* authenticated, not allowed (403) */
	REG_ETOOBIG,   /* body or field over its limit (413) */
	REG_ESTORE,    /* LMDB failure (500) */
	REG_ENOSPC,    /* LMDB map full or disk full (507) */
	REG_ECRYPTO,   /* OpenSSL failure (500) */
	REG_EUPSTREAM, /* upstream (STS) unreachable or throttling (503) */
	REG_ESYS,      /* system call failure; errno was logged (500) */
	REG_EMETHOD,   /* method not allowed on this path (405) */
	REG_EMEDIA,    /* unsupported media type (415) */
	REG_EUNPROC,   /* well-formed but unacceptable content (422) */
	REG_ERR_MAX
};

/* Short lowercase text for an error code; never NULL. */
const char *reg_err_str(enum reg_err);

/* The HTTP status a handler's error maps to. */
int reg_err_http_status(enum reg_err);

#endif
