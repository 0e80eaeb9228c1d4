/*
 * admin-tools/client_cache.h: the token cache of terraform-credentials-iam.
 *
 * One file per registry host in $XDG_CACHE_HOME/terraform-credentials-iam
 * (else ~/.cache/terraform-credentials-iam; the directory is 0700), named
 * by the lower-case hex SHA-256 of the host in comparison form, mode
 * 0600, written to a temporary file in the same directory and renamed
 * into place.  Content: {"host": H, "token": T, "expires_at": unix
 * seconds (0: no expiry known, a token given by `store`), "obtained_at":
 * unix seconds}.  A file that is not exactly that (not a regular file of
 * ours with mode 0600, malformed, for another host) is unusable: the
 * caller ignores it and replaces it.  Tokens are secrets: buffers that
 * held one are wiped.
 */
#ifndef REG_CLIENT_CACHE_H
#define REG_CLIENT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admin-tools/client.h"
#include "common/err.h"

#define CLIENT_CACHE_APP "terraform-credentials-iam"
#define CLIENT_CACHE_FILE_MAX 16384
#define CLIENT_CACHE_MARGIN_MIN 60 /* seconds */

/*
 * The cache directory: xdg (XDG_CACHE_HOME) when absolute, else
 * home "/.cache"; + "/" CLIENT_CACHE_APP.  REG_ENOENT when neither is
 * usable, REG_ETOOBIG.
 */
enum reg_err client_cache_dir(const char *xdg, const char *home, char *out,
    size_t outsz) REG_MUSTCHECK;

/*
 * Create dir (and missing parents, mode 0700) and make sure it is ours and
 * 0700 (a looser mode on our own directory is tightened).  REG_EPERM (not
 * ours, or not a directory), REG_ESYS; err says which.
 */
enum reg_err client_cache_prepare(const char *dir, char *err,
    size_t errsz) REG_MUSTCHECK;

/* dir "/" hex(SHA-256(host)).  REG_ETOOBIG, REG_ECRYPTO. */
enum reg_err client_cache_path(const char *dir, const char *host, char *out,
    size_t outsz) REG_MUSTCHECK;

/*
 * Parse cache content buf[0..len) for host into *out (token,
 * expires_at) and *obtained_at, on success only.  REG_EINVAL with *why.
 */
enum reg_err client_cache_parse(const char *buf, size_t len, const char *host,
    struct client_token *out, int64_t *obtained_at,
    const char **why) REG_MUSTCHECK;

/*
 * Read the cache file at path for host.  REG_ENOENT (no file),
 * REG_EINVAL (unusable: *why says why: wrong type, owner or mode, too
 * large, malformed, another host), REG_ESYS.
 */
enum reg_err client_cache_load(const char *path, const char *host,
    struct client_token *out, int64_t *obtained_at,
    const char **why) REG_MUSTCHECK;

/*
 * Write the entry atomically (temporary file in dir, 0600, fsync,
 * rename over path).  REG_ESYS, REG_ENOMEM, REG_EINVAL (bad token).
 */
enum reg_err client_cache_save(const char *dir, const char *path,
    const char *host, const char *token, int64_t expires_at,
    int64_t obtained_at) REG_MUSTCHECK;

/* Remove the entry; a missing one is REG_OK.  REG_ESYS. */
enum reg_err client_cache_forget(const char *path) REG_MUSTCHECK;

/*
 * Whether a token obtained at obtained_at and expiring at expires_at may
 * still be handed out at now: more than max(60 s, 10% of its lifetime)
 * must remain.  expires_at 0 (no expiry known) is always fresh.
 */
bool client_cache_fresh(int64_t expires_at, int64_t obtained_at, int64_t now);

#endif
