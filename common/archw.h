/*
 * common/archw.h: module archive inspection (the only door to
 * libarchive).  Reads a .tar.gz or .zip and checks every entry before the
 * registry records anything: no absolute paths, no "..", no links that
 * leave the archive (hard links and symlinks), no device/fifo/socket
 * entries, at most max_entries entries and max_bytes uncompressed bytes,
 * and at least one regular file whose name ends in ".tf".
 */
#ifndef REG_ARCHW_H
#define REG_ARCHW_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct archw_limits {
	uint64_t max_entries;
	uint64_t max_bytes; /* sum of uncompressed regular-file sizes */
};

struct archw_result {
	uint64_t entries;
	uint64_t bytes;
	uint64_t tf_files;
	char format[8]; /* "tar.gz" or "zip" */
};

/*
 * Inspect the archive readable from fd (from offset 0; the fd's offset is
 * not used) or from memory.  On failure *why (if why != NULL) gets a
 * lowercase message naming the problem and the entry, e.g.
 * "entry \"../x.tf\": path escapes the archive".  Returns:
 *   REG_EINVAL   not a readable .tar.gz / .zip (or another format)
 *   REG_EUNPROC  a forbidden entry, or no .tf file
 *   REG_ETOOBIG  over max_entries or max_bytes
 *   REG_ENOMEM
 *   REG_ESYS     fd is not a regular file, or pread failed (logged)
 *
 * Accepted: gzip-compressed tar (one gzip member, nothing after it, its
 * CRC-32 and length checked) and zip (one disk, no zip64, no encryption,
 * stored or deflate only, central directory consistent with the local
 * headers).  Refused entries: empty, absolute, ".."-containing names,
 * names with control characters, '\\' or ':' (Windows separators, drive
 * letters, streams), names longer than 4096 bytes; symlinks whose target
 * is absolute, climbs above the link's directory, or uses ".." after a
 * name; anything stored under a symlink; non-ASCII names in an archive
 * with symlinks; hard links whose target breaks the name rules; devices,
 * fifos, sockets; setuid/setgid regular files.  The data of every entry
 * is decompressed and counted against max_bytes (stopping as soon as it
 * passes), so headers that understate sizes do not help.  "." entries
 * count as entries; .tf files are regular files named *.tf or *.tf.json
 * whose base name does not start with '.'.  out is written on REG_OK
 * only; why is always NUL-terminated when whysz > 0.
 *
 * Thread-safe: the calling thread's locale is switched to C.UTF-8 with
 * uselocale(3) for the duration of the call and restored after.
 */
enum reg_err archw_inspect_fd(int fd, const struct archw_limits *,
    struct archw_result *out, char *why, size_t whysz) REG_MUSTCHECK;
enum reg_err archw_inspect_mem(const void *, size_t,
    const struct archw_limits *, struct archw_result *out, char *why,
    size_t whysz) REG_MUSTCHECK;

#endif
