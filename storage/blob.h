/*
 * storage/blob.h: content-addressed archive files.
 *
 *   <blobdir>/sha256/ab/<64 hex>     committed blobs, read-only, immutable
 *   <blobdir>/tmp/upload-XXXXXX      uploads in progress
 *
 * An upload is streamed into a temp file while being hashed, fsynced,
 * inspected by the caller through its fd, then committed by rename into
 * place (and the directory fsynced).  A crash leaves at most a temp file,
 * which blob_cleanup_tmp() removes at the next start.
 */
#ifndef REG_BLOB_H
#define REG_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct blob_writer;

/* Creates the directory layout if needed.  REG_ESYS. */
enum reg_err blob_init_dir(const char *blobdir) REG_MUSTCHECK;

/*
 * Remove every leftover temp file (tmp/upload-*; nothing else there is
 * touched); returns how many (logs each).  Only at start-up, before any
 * writer exists: it cannot tell a leftover from an upload in progress.
 */
size_t blob_cleanup_tmp(const char *blobdir);

/*
 * A temp file in <blobdir>/tmp (mode 0600 until commit).  *out: new, free
 * with blob_writer_free().  REG_ESYS, REG_ENOSPC, REG_ENOMEM.
 */
enum reg_err blob_writer_new(const char *blobdir,
    struct blob_writer **out) REG_MUSTCHECK;
/*
 * Append and hash.  REG_ETOOBIG when the total would pass max bytes (if
 * max != 0; nothing is written then), REG_ENOSPC, REG_ESYS.  After
 * REG_ENOSPC/REG_ESYS the writer is spoilt: later calls give REG_EINVAL,
 * as do calls after finish.
 */
enum reg_err blob_writer_write(struct blob_writer *, const void *, size_t,
    uint64_t max) REG_MUSTCHECK;
/*
 * fsync; digest (hex, 65 bytes) and size are final after this (either may
 * be NULL; calling again returns them again).  REG_ENOSPC, REG_ESYS.
 */
enum reg_err blob_writer_finish(struct blob_writer *, char digest[65],
    uint64_t *size) REG_MUSTCHECK;
/* The temp file's fd (read it from offset 0 with pread), valid until free. */
int blob_writer_fd(const struct blob_writer *);
/*
 * Rename into the content-addressed place (mode 0644) and fsync its
 * directory; if the blob already exists, drop the temp file instead.
 * REG_EINVAL before finish.  REG_ESYS.
 */
enum reg_err blob_writer_commit(struct blob_writer *) REG_MUSTCHECK;
/* Unlinks the temp file unless committed.  NULL-safe. */
void blob_writer_free(struct blob_writer *);

/*
 * Relative path of a blob below blobdir ("sha256/ab/<hex>") into out.
 * REG_EINVAL unless digest is 64 lower-case hex digits (NUL-terminated
 * right after them); REG_ETOOBIG when outsz < BLOB_RELPATH_SZ.
 */
#define BLOB_RELPATH_SZ 75 /* "sha256/" 2 "/" 64 NUL */
enum reg_err blob_relpath(const char *digest, char *out,
    size_t outsz) REG_MUSTCHECK;

#endif
