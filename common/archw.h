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
 */
enum reg_err archw_inspect_fd(int fd, const struct archw_limits *,
    struct archw_result *out, char *why, size_t whysz) REG_MUSTCHECK;
enum reg_err archw_inspect_mem(const void *, size_t,
    const struct archw_limits *, struct archw_result *out, char *why,
    size_t whysz) REG_MUSTCHECK;

#endif
