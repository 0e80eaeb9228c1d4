/*
 * admin-tools/client_ignore.h: .terraformignore rules, gitignore-like, for
 * registry-publish.
 *
 * Syntax, one pattern per line:
 *   - blank lines and lines starting with '#' are ignored; "\#" and "\!"
 *     start a pattern with a literal '#' or '!';
 *   - trailing spaces are dropped unless escaped ("\ "), a trailing CR
 *     too;
 *   - '!' negates: a later match re-includes what an earlier one
 *     excluded (the last matching line decides);
 *   - a trailing '/' matches directories only;
 *   - a pattern with a '/' elsewhere is anchored at the module root (a
 *     leading '/' only anchors); without one it matches the base name at
 *     any depth;
 *   - '*' matches any run of characters except '/', '?' one such
 *     character, "[a-z]", "[!x]" / "[^x]" a class, '\' escapes the next
 *     character; a whole segment of two stars matches any number of
 *     directories: alone it matches everything, as the last segment
 *     everything inside the directory before it (not the directory
 *     itself), as the first or a middle segment zero or more
 *     directories.
 * As in git, nothing inside an excluded directory can be re-included,
 * and a path whose components include ".git" or ".terraform" is always
 * excluded, whatever the rules say.
 *
 * Paths are relative, '/'-separated, without leading, trailing or
 * doubled '/'.  Matching takes time bounded by the product of pattern
 * and path lengths (no exponential backtracking).
 */
#ifndef REG_CLIENT_IGNORE_H
#define REG_CLIENT_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define CLIENT_IGNORE_TEXT_MAX ((size_t)256 * 1024) /* bytes of rules */
#define CLIENT_IGNORE_RULES_MAX 4096
#define CLIENT_IGNORE_SEGS_MAX 64   /* '/'-segments in one pattern */
#define CLIENT_IGNORE_PATH_MAX 4096 /* bytes in a path */
#define CLIENT_IGNORE_PATH_SEGS 512 /* segments in a path */

struct client_ignore;

/*
 * Compile the rules text[0..len) (NUL bytes are ordinary characters).
 * *out: new, free with client_ignore_free.  REG_ETOOBIG (over one of the
 * limits above), REG_ENOMEM.
 */
enum reg_err client_ignore_new(const char *text, size_t len,
    struct client_ignore **out) REG_MUSTCHECK;
void client_ignore_free(struct client_ignore *);

/* Number of rules compiled (comments and blank lines not counted). */
size_t client_ignore_count(const struct client_ignore *);

/*
 * Whether the rules alone match path[0..len) (is_dir: it is a directory),
 * without looking at its parents: the last matching rule decides.
 * ig may be NULL (no rules).  A path outside the grammar or the limits
 * never matches.
 */
bool client_ignore_match(const struct client_ignore *ig, const char *path,
    size_t len, bool is_dir);

/*
 * Whether path is left out of the archive: it or one of its parent
 * directories matches, or one of its components is ".git" or
 * ".terraform".  This is what a walk that does not descend into
 * excluded directories gets.  ig may be NULL.
 */
bool client_ignore_excluded(const struct client_ignore *ig, const char *path,
    size_t len, bool is_dir);

/* Whether path[0..len) is in the path grammar above. */
bool client_ignore_path_valid(const char *path, size_t len);

#endif
