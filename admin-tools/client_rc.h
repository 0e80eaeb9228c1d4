/*
 * admin-tools/client_rc.h: finding and replacing the credentials_helper
 * block of a Terraform CLI configuration file (~/.terraformrc) without
 * touching anything else in it, for install-registry-credentials-helper.
 *
 * The scanner is a small bounded tokenizer for the HCL the CLI
 * configuration is written in: strings with backslash escapes and
 * "${...}" interpolations (which may nest strings), comments ('#' and
 * "//" to the end of the line, "/ * ... * /"), brackets that must
 * balance, words and '='.  Heredocs ("<<EOF") are refused rather than
 * guessed at.  It reports the top-level `credentials_helper` blocks: the
 * byte range from the keyword to the closing brace, and the first label.
 */
#ifndef REG_CLIENT_RC_H
#define REG_CLIENT_RC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

#define CLIENT_RC_MAX ((size_t)1024 * 1024) /* bytes of configuration */
#define CLIENT_RC_DEPTH_MAX 64  /* nesting of brackets and strings */
#define CLIENT_RC_BLOCKS_MAX 16 /* credentials_helper blocks noted */
#define CLIENT_RC_LABEL_MAX 127
#define CLIENT_RC_HELPER "iam" /* the block name we own */

struct client_rc_block {
	size_t start; /* offset of the keyword */
	size_t end;   /* offset just past the closing '}' */
	char label[CLIENT_RC_LABEL_MAX + 1]; /* raw text of the first label */
};

struct client_rc_scan {
	struct client_rc_block b[CLIENT_RC_BLOCKS_MAX];
	size_t n;
	size_t err_line; /* 1-based line of a REG_EINVAL, else 0 */
};

/*
 * Scan text[0..len).  *out is always written (n = 0 and err_line set on
 * failure).  REG_EINVAL with *why (static, lowercase): unterminated
 * string or comment, unbalanced brackets, a heredoc, a
 * credentials_helper that is not a block, the file ending in the middle
 * of an item; REG_ETOOBIG: over CLIENT_RC_MAX, CLIENT_RC_DEPTH_MAX or
 * CLIENT_RC_BLOCKS_MAX.
 */
enum reg_err client_rc_scan(const char *text, size_t len,
    struct client_rc_scan *out, const char **why) REG_MUSTCHECK;

/*
 * Append s as an HCL string literal ("..." with '"' and '\' escaped).
 * REG_EINVAL when s has control characters or "${" / "%{" (template
 * syntax we will not write); REG_ETOOBIG, REG_ENOMEM.
 */
enum reg_err client_rc_quote(const char *s, struct buf *out) REG_MUSTCHECK;

/*
 * The new file: text with its credentials_helper "iam" block replaced by
 * block (the block's text, without a trailing newline), or block
 * appended (after a blank line) when there is none; every other byte is
 * kept.  Editing the result again with the same block gives the same
 * bytes.  A credentials_helper block with another label is replaced only
 * when force, since Terraform allows one.  out is appended to.
 * REG_EINVAL (*why: the scan failed; see scan->err_line), REG_EEXIST
 * (*why: another helper is configured and !force, or there are several
 * credentials_helper blocks), REG_ETOOBIG, REG_ENOMEM.  scan (may be
 * NULL) receives the scan of text.
 */
enum reg_err client_rc_edit(const char *text, size_t len, const char *block,
    bool force, struct buf *out, struct client_rc_scan *scan,
    const char **why) REG_MUSTCHECK;

#endif
