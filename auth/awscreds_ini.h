/*
 * auth/awscreds_ini.h: the parser for the AWS shared config and
 * credentials files (~/.aws/config, ~/.aws/credentials), with the
 * semantics of Python's configparser as botocore uses it, and explicit
 * caps.
 *
 * Grammar, line by line (LF, CRLF and lone CR end lines; a leading UTF-8
 * BOM is skipped):
 *   - blank lines, and lines whose first non-blank byte is '#' or ';'
 *     (comments; there are no inline comments in values);
 *   - "[name]" section headers (leading/trailing blanks allowed; after
 *     ']' only blanks or a comment); the name is kept verbatim;
 *   - "key = value" or "key: value" options: the first '=' or ':' splits,
 *     the key is trimmed and lower-cased (ASCII), the value trimmed;
 *   - continuation lines: a line indented deeper than the option line
 *     before it is appended to that option's value after a '\n' (blank
 *     lines in between are kept as empty lines, trailing ones dropped),
 *     which is how nested values are written:
 *         [services my-endpoints]
 *         sts =
 *           endpoint_url = http://127.0.0.1:4566
 *     (the value of "sts" is "\nendpoint_url = http://127.0.0.1:4566").
 * Errors (REG_EINVAL, with "line N: what" in errbuf, never the line's
 * content, which may be a secret): an option before any section, a line
 * that is neither, an empty key, an unterminated or empty section header
 * or junk after it, a duplicate section or a duplicate key in one section
 * (configparser's strict mode), NUL or other control bytes (TAB
 * excepted).  Over a cap (file, line, sections, keys): REG_ETOOBIG.
 *
 * Invariant: after a successful parse every section name is non-empty
 * and free of ']' and control bytes but TAB; every key is non-empty,
 * lower-case, free of '=', ':', blanks at either end and control bytes
 * but an inner TAB; every value has no blanks at either end of any of
 * its lines and no control bytes but TAB and '\n' (joins of
 * continuation lines).  Nothing is echoed into errbuf from the input.
 */
#ifndef REG_AWSCREDS_INI_H
#define REG_AWSCREDS_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/span.h"

#define AWS_INI_MAX_FILE ((size_t)1024 * 1024) /* bytes per file */
#define AWS_INI_MAX_LINE ((size_t)16384)       /* bytes per line */
#define AWS_INI_MAX_SECTIONS ((size_t)1024)
#define AWS_INI_MAX_KEYS ((size_t)256) /* per section */

struct aws_ini;

/*
 * Parse p[0..len) (no NUL needed).  *out is new, free with
 * aws_ini_free(); written only on success.  errbuf (may be NULL) gets a
 * lowercase "line N: ..." message on failure.
 * REG_EINVAL (malformed), REG_ETOOBIG (a cap), REG_ENOMEM.
 */
enum reg_err aws_ini_parse(const char *p, size_t len, struct aws_ini **out,
    char *errbuf, size_t errsz) REG_MUSTCHECK;

/* Wipes the parsed text (it may hold secret keys) and frees; NULL-safe. */
void aws_ini_free(struct aws_ini *);

/* Sections in file order.  Strings are borrowed, valid until free. */
size_t aws_ini_nsections(const struct aws_ini *);
const char *aws_ini_section(const struct aws_ini *, size_t i);
/* Index of the section named exactly name; false when absent. */
bool aws_ini_find(const struct aws_ini *, const char *name, size_t *idx);

/* Options of section sect, in file order; borrowed until free. */
size_t aws_ini_nkeys(const struct aws_ini *, size_t sect);
void aws_ini_key(const struct aws_ini *, size_t sect, size_t k,
    const char **key, const char **value);
/* The value of key (lower-case) in sect, or NULL. */
const char *aws_ini_get(const struct aws_ini *, size_t sect, const char *key);

/*
 * botocore's nested values: when value starts with '\n', each non-blank
 * line is "subkey = subvalue" (split at the first '=', both trimmed; the
 * last one wins).  *out is borrowed from value.
 * REG_ENOENT when value is not nested or has no such subkey, REG_EINVAL
 * when a line has no '='.
 */
enum reg_err aws_ini_nested(const char *value, const char *subkey,
    struct span *out) REG_MUSTCHECK;

#endif
