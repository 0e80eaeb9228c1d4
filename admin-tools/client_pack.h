/*
 * admin-tools/client_pack.h: a module directory as a reproducible
 * .tar.gz, for registry-publish.
 *
 * client_pack_scan() walks the directory without following symlinks,
 * leaves out what .terraformignore (in the directory's root) excludes and
 * every ".git" and ".terraform", and checks every entry against the rules
 * the registry applies on upload (common/archw.h), so that a refusal is
 * reported here, with the file's name, before anything is sent: names
 * without control characters, '\' or ':'; regular files, directories and
 * symlinks only; symlink targets relative, with ".." only as leading
 * components and climbing no higher than the link's own directory; no
 * symlinks together with non-ASCII names; at least one .tf file.
 * Entries are sorted bytewise by path; modes become 0755 (directories and
 * files with the owner's execute bit) or 0644; the archive records no
 * owner, uid/gid 0 and one fixed mtime.  The same tree therefore always
 * packs to the same bytes.
 */
#ifndef REG_CLIENT_PACK_H
#define REG_CLIENT_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/archw_pack.h"
#include "common/cryptow.h"
#include "common/err.h"

#define CLIENT_PACK_ENTRIES_MAX 10000 /* the registry's default limit */
#define CLIENT_PACK_PATH_MAX 4096
#define CLIENT_PACK_IGNORE_FILE ".terraformignore"

struct client_pack_entry {
	char *path; /* owned, relative, '/'-separated */
	enum archw_pack_type type;
	unsigned mode; /* 0644, 0755 (or 0777 for symlinks) */
	uint64_t size; /* files */
	char *target;  /* owned; symlinks */
};

struct client_pack {
	struct client_pack_entry *e; /* sorted by path */
	size_t n, cap;
	uint64_t bytes; /* sum of file sizes */
	size_t tf_files;
	size_t ignored; /* entries left out (not descended into) */
};

void client_pack_init(struct client_pack *);
void client_pack_release(struct client_pack *);

/*
 * Walk root into *p (client_pack_init'ed; filled on success only).
 * REG_ENOENT (root missing or not a directory), REG_EUNPROC (an entry the
 * registry would refuse, or no .tf file), REG_ETOOBIG (more than
 * CLIENT_PACK_ENTRIES_MAX entries, a path or .terraformignore too long),
 * REG_ESYS, REG_ENOMEM; err names the entry and what to do.
 */
enum reg_err client_pack_scan(const char *root, struct client_pack *p,
    char *err, size_t errsz) REG_MUSTCHECK;

/*
 * Write the archive of a scanned tree to outfd with every entry's mtime
 * set to mtime (>= 0).  REG_EUNPROC when a file changed since the scan,
 * REG_ESYS, REG_ENOMEM; err says which.
 */
enum reg_err client_pack_write(const char *root, const struct client_pack *p,
    int64_t mtime, int outfd, char *err, size_t errsz) REG_MUSTCHECK;

/*
 * SHA-256 (lower-case hex) and size of everything in fd from offset 0.
 * REG_ESYS, REG_ENOMEM, REG_ECRYPTO.
 */
enum reg_err client_pack_digest(int fd, char hex[CRYPTOW_SHA256_HEXLEN + 1],
    uint64_t *size) REG_MUSTCHECK;

/*
 * The registry's rules, for tests: NULL when name (a relative path) is
 * acceptable as an entry name, else why not; NULL when the symlink name
 * -> target is acceptable, else why not.
 */
const char *client_pack_name_rule(const char *name);
const char *client_pack_link_rule(const char *name, const char *target);

/* Whether name's base name makes it a .tf file for the registry. */
bool client_pack_is_tf(const char *name);

#endif
