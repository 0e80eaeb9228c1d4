/*
 * auth/awsxml.h: a small, bounded, purpose-built reader for the XML that
 * AWS query-protocol services (STS, IAM) answer with.  It is not a
 * general XML parser: it finds elements by a path of local names and
 * returns either their raw inner content or their decoded text.
 *
 * Invariant: every call checks the whole input for the subset of XML it
 * accepts before answering, so the verdict on a document (REG_EINVAL or
 * not) never depends on the path asked for.  Accepted: elements with
 * attributes, character data with the five predefined entities and
 * numeric character references (&#NN; &#xNN;, XML Char range only),
 * comments, processing instructions (the <?xml ...?> declaration).
 * Refused with REG_EINVAL: DOCTYPE (no DTDs, no entity expansion),
 * CDATA sections, unknown entities, NUL and control bytes other than
 * TAB/LF/CR, mismatched or unclosed tags (a truncated document), nesting
 * deeper than AWSXML_MAX_DEPTH, names longer than AWSXML_MAX_NAME.
 * Input over AWSXML_MAX_DOC bytes is REG_ETOOBIG.  Bytes >= 0x80 are
 * passed through (not checked as UTF-8).
 *
 * Paths are element local names (a "prefix:" is ignored) separated by
 * '/', matched from the top level of the input: "ErrorResponse/Error/Code".
 * The input may be a whole document or a fragment (several top-level
 * elements and text, e.g. the inner content returned by
 * awsxml_element()), so lists such as IAM's <member> elements can be
 * walked with nth and then queried with relative paths.
 *
 * Nothing here allocates; every output is caller-owned.
 */
#ifndef REG_AWSXML_H
#define REG_AWSXML_H

#include <stddef.h>

#include "common/err.h"
#include "common/span.h"

#define AWSXML_MAX_DOC ((size_t)4 * 1024 * 1024) /* input bytes */
#define AWSXML_MAX_DEPTH 32                      /* open elements */
#define AWSXML_MAX_NAME 256 /* element/attribute name bytes */
#define AWSXML_MAX_PATH 16  /* path components */

/*
 * Find the nth (0-based, document order) element matching path in
 * doc[0..len) and set *inner to its raw content between the start and
 * end tags (borrowed from doc: valid as long as doc is; empty for
 * <x/>).  path is a NUL-terminated string of 1..AWSXML_MAX_PATH
 * non-empty components.
 * REG_ENOENT when there is no such element, REG_EINVAL for a malformed
 * document or path, REG_ETOOBIG for an oversized document.  *inner only
 * on success.
 */
enum reg_err awsxml_element(const char *doc, size_t len, const char *path,
    size_t nth, struct span *inner) REG_MUSTCHECK;

/*
 * As awsxml_element(), then decode the element's character data
 * (entities resolved, comments dropped) into out[0..outsz), always
 * NUL-terminated on success, with the length in *outlen (may be NULL).
 * The decoded text never contains NUL.  Whitespace is kept as is.
 * REG_EINVAL also when the element has child elements (it is not a text
 * element); REG_ETOOBIG when the text needs outsz bytes or more.
 * out and *outlen are written only on success.
 */
enum reg_err awsxml_text(const char *doc, size_t len, const char *path,
    size_t nth, char *out, size_t outsz, size_t *outlen) REG_MUSTCHECK;

/*
 * REG_OK when doc[0..len) is well-formed in the sense above, else
 * REG_EINVAL or REG_ETOOBIG.
 */
enum reg_err awsxml_check(const char *doc, size_t len) REG_MUSTCHECK;

#endif
