/*
 * common/archw_pack.h: writing module archives (the packing half of the
 * libarchive door; common/archw.h is the inspecting half).
 *
 * The output is a gzip-compressed tar in restricted pax format (plain
 * ustar headers, a pax extended header only where ustar cannot say it,
 * such as long or non-ASCII names) that is a pure function of the entries
 * given: no owner names, uid/gid 0, the mtime the caller passes, no
 * atime/ctime, xattrs or ACLs, and a gzip header without timestamp or
 * file name.  Entries are written in the order given: the caller sorts.
 * Nothing here looks at the file system except the data descriptors the
 * caller hands over.
 */
#ifndef REG_ARCHW_PACK_H
#define REG_ARCHW_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum archw_pack_type {
	ARCHW_PACK_FILE,
	ARCHW_PACK_DIR,
	ARCHW_PACK_SYMLINK,
};

/* One entry; every pointer is borrowed for the call. */
struct archw_pack_entry {
	const char *path; /* relative, '/'-separated, no trailing '/' */
	enum archw_pack_type type;
	unsigned mode;      /* permission bits only (e.g. 0644) */
	uint64_t size;      /* ARCHW_PACK_FILE: exact number of data bytes */
	const char *target; /* ARCHW_PACK_SYMLINK: the link target */
	int64_t mtime;      /* seconds since the epoch, >= 0 */
};

struct archw_pack;

/*
 * Start an archive written to fd (which stays the caller's; it is not
 * closed).  *out: new, free with archw_pack_free().
 * REG_ENOMEM, REG_ESYS (libarchive refused the setup; logged).
 */
enum reg_err archw_pack_new(int fd, struct archw_pack **out) REG_MUSTCHECK;

/*
 * Append one entry.  For ARCHW_PACK_FILE exactly e->size bytes are read
 * from datafd (from its current offset); a file that turns out shorter
 * or longer than that is REG_EUNPROC ("file changed while packing").
 * REG_EINVAL for a bad entry (empty path, bad mode, missing target),
 * REG_ESYS for a read or write failure (logged).  On any failure the
 * archive is unusable: free it.
 */
enum reg_err archw_pack_add(struct archw_pack *,
    const struct archw_pack_entry *e, int datafd) REG_MUSTCHECK;

/* Write the end of the archive and flush the gzip stream.  REG_ESYS. */
enum reg_err archw_pack_finish(struct archw_pack *) REG_MUSTCHECK;

/* NULL-safe; an unfinished archive is abandoned (its bytes are junk). */
void archw_pack_free(struct archw_pack *);

#endif
