/*
 * admin-tools/oci_int.h: helpers shared by the oci_*.c files only; not
 * part of the client's interface.
 */
#ifndef REG_OCI_INT_H
#define REG_OCI_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* An http(s) URL split at the end of its origin ("scheme://authority"). */
struct oci_url {
	bool https;
	bool loopback;     /* 127.0.0.0/8, localhost or [::1] */
	size_t origin_len; /* bytes of "scheme://host[:port]" */
};

/*
 * Parse u (len bytes): scheme http or https (lower case), "://", a host
 * (name, dotted IPv4 or [IPv6]) and an optional port 1-65535, no
 * userinfo; then anything from '/', '?' or end.  Bytes must be 0x21-0x7e.
 * *out only on success; REG_EINVAL otherwise, REG_ETOOBIG over
 * OCI_URL_MAX.
 */
enum reg_err oci_url_parse(const char *u, size_t len,
    struct oci_url *out) REG_MUSTCHECK;

/* Whether a and b (both valid URLs) have the same origin, exactly. */
bool oci_same_origin(const char *a, const char *b);

/* Format into errbuf when it is not NULL (errsz may be 0). */
void oci_seterr(char *errbuf, size_t errsz, const char *fmt, ...)
    REG_PRINTF(3, 4);

#endif
