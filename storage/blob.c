/*
 * storage/blob.c: content-addressed archive files (layout in blob.h).
 *
 * Invariant: a file under sha256/ is complete, fsynced and named after
 * the SHA-256 of its bytes, because it only gets there by rename() of a
 * finished temp file whose digest was computed while it was written.  So
 * when the target already exists it has the same bytes, and committing
 * again just drops the temp file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "storage/blob.h"

#define BLOB_TMP_PREFIX "upload-"

struct blob_writer {
	char *blobdir;
	char tmppath[PATH_MAX];
	int fd;
	struct cryptow_hash *hash;
	uint64_t size;
	char digest[CRYPTOW_SHA256_HEXLEN + 1];
	bool failed;    /* a write went wrong: file and hash may disagree */
	bool finished;  /* digest and size are final */
	bool committed; /* the temp file is gone (renamed or dropped) */
};

/* snprintf into a path buffer; false (errno ENAMETOOLONG) when it is cut. */
static bool blob_path(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
blob_path(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return false;
	}
	return true;
}

/* mkdir that accepts an existing directory. */
static enum reg_err
blob_mkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return REG_OK;
	log_warn("mkdir %s", path);
	return REG_ESYS;
}

/* Make a directory entry durable: fsync the directory itself. */
static enum reg_err
blob_fsync_dir(const char *path)
{
	enum reg_err er = REG_OK;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		log_warn("open %s", path);
		return REG_ESYS;
	}
	if (fsync(fd) == -1) {
		log_warn("fsync %s", path);
		er = REG_ESYS;
	}
	(void)close(fd);
	return er;
}

/* errno of a failed write/fsync to ours. */
static enum reg_err
blob_ioerr(const char *what, const char *path)
{
	bool full = errno == ENOSPC || errno == EDQUOT;

	log_warn("%s %s", what, path);
	return full ? REG_ENOSPC : REG_ESYS;
}

enum reg_err
blob_init_dir(const char *blobdir)
{
	char path[PATH_MAX];
	enum reg_err er;

	if (blobdir == NULL)
		return REG_EINVAL;
	er = blob_mkdir(blobdir, 0755);
	if (er != REG_OK)
		return er;
	if (!blob_path(path, sizeof(path), "%s/sha256", blobdir)) {
		log_warn("%s", blobdir);
		return REG_ESYS;
	}
	er = blob_mkdir(path, 0755);
	if (er != REG_OK)
		return er;
	if (!blob_path(path, sizeof(path), "%s/tmp", blobdir)) {
		log_warn("%s", blobdir);
		return REG_ESYS;
	}
	/* Uploads in progress are nobody else's business. */
	return blob_mkdir(path, 0700);
}

size_t
blob_cleanup_tmp(const char *blobdir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = NULL;
	size_t n = 0;

	if (blobdir == NULL ||
	    !blob_path(path, sizeof(path), "%s/tmp", blobdir))
		return 0;
	d = opendir(path);
	if (d == NULL) {
		if (errno != ENOENT)
			log_warn("opendir %s", path);
		return 0;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		/* Only what blob_writer_new() creates; leave anything else. */
		if (strncmp(de->d_name, BLOB_TMP_PREFIX,
		        sizeof(BLOB_TMP_PREFIX) - 1) != 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == -1) {
			log_warn("unlink %s/%s", path, de->d_name);
			continue;
		}
		log_info("blob: removed leftover upload %s/%s", path,
		    de->d_name);
		n++;
	}
	if (errno != 0)
		log_warn("readdir %s", path);
	(void)closedir(d);
	return n;
}

enum reg_err
blob_writer_new(const char *blobdir, struct blob_writer **out)
{
	struct blob_writer *w = NULL;
	enum reg_err er;

	if (blobdir == NULL)
		return REG_EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return REG_ENOMEM;
	w->fd = -1;
	w->blobdir = strdup(blobdir);
	if (w->blobdir == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = cryptow_hash_new(&w->hash);
	if (er != REG_OK)
		goto out;
	if (!blob_path(w->tmppath, sizeof(w->tmppath),
	        "%s/tmp/" BLOB_TMP_PREFIX "XXXXXX", blobdir)) {
		log_warn("%s", blobdir);
		er = REG_ESYS;
		goto out;
	}
	/* 0600 while in progress; commit makes it 0644. */
	w->fd = mkostemp(w->tmppath, O_CLOEXEC);
	if (w->fd == -1) {
		er = blob_ioerr("mkostemp", w->tmppath);
		w->tmppath[0] = '\0';
		goto out;
	}
	*out = w;
	w = NULL;
	er = REG_OK;
out:
	blob_writer_free(w);
	return er;
}

enum reg_err
blob_writer_write(struct blob_writer *w, const void *p, size_t n, uint64_t max)
{
	const unsigned char *q = p;
	enum reg_err er;
	size_t off = 0;
	ssize_t k;

	if (w == NULL || w->failed || w->finished || (p == NULL && n > 0))
		return REG_EINVAL;
	if (max != 0 && (w->size > max || n > max - w->size))
		return REG_ETOOBIG;
	if (n > UINT64_MAX - w->size)
		return REG_ETOOBIG;
	while (off < n) {
		k = write(w->fd, q + off, n - off);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			w->failed = true;
			return blob_ioerr("write", w->tmppath);
		}
		if (k == 0) {
			/* Cannot happen for a regular file; do not spin. */
			errno = EIO;
			w->failed = true;
			return blob_ioerr("write", w->tmppath);
		}
		off += (size_t)k;
	}
	er = cryptow_hash_update(w->hash, p, n);
	if (er != REG_OK) {
		w->failed = true;
		return er;
	}
	w->size += n;
	return REG_OK;
}

enum reg_err
blob_writer_finish(struct blob_writer *w, char digest[65], uint64_t *size)
{
	unsigned char md[CRYPTOW_SHA256_LEN];
	enum reg_err er;

	if (w == NULL || w->failed)
		return REG_EINVAL;
	if (!w->finished) {
		if (fsync(w->fd) == -1) {
			w->failed = true;
			return blob_ioerr("fsync", w->tmppath);
		}
		er = cryptow_hash_final(w->hash, md);
		if (er != REG_OK) {
			w->failed = true;
			return er;
		}
		hex_encode(md, sizeof(md), w->digest);
		w->finished = true;
	}
	if (digest != NULL)
		memcpy(digest, w->digest, sizeof(w->digest));
	if (size != NULL)
		*size = w->size;
	return REG_OK;
}

int
blob_writer_fd(const struct blob_writer *w)
{
	return w != NULL ? w->fd : -1;
}

enum reg_err
blob_writer_commit(struct blob_writer *w)
{
	char rel[BLOB_RELPATH_SZ], top[PATH_MAX], dir[PATH_MAX];
	char target[PATH_MAX];
	struct stat sb;
	enum reg_err er;

	if (w == NULL || !w->finished || w->failed)
		return REG_EINVAL;
	if (w->committed)
		return REG_OK;
	er = blob_relpath(w->digest, rel, sizeof(rel));
	if (er != REG_OK)
		return er;
	/* rel is "sha256/ab/<hex>": the directory is its first 9 bytes. */
	if (!blob_path(top, sizeof(top), "%s/sha256", w->blobdir) ||
	    !blob_path(dir, sizeof(dir), "%s/%.9s", w->blobdir, rel) ||
	    !blob_path(target, sizeof(target), "%s/%s", w->blobdir, rel)) {
		log_warn("%s", w->blobdir);
		return REG_ESYS;
	}
	if (mkdir(dir, 0755) == 0) {
		/* A new ab/ directory: make its entry in sha256/ durable. */
		er = blob_fsync_dir(top);
		if (er != REG_OK)
			return er;
	} else if (errno != EEXIST) {
		log_warn("mkdir %s", dir);
		return REG_ESYS;
	}

	if (stat(target, &sb) == 0) {
		/* Same name, same bytes: keep the one already there. */
		if (unlink(w->tmppath) == -1 && errno != ENOENT)
			log_warn("unlink %s", w->tmppath);
		w->committed = true;
		return REG_OK;
	}
	if (errno != ENOENT) {
		log_warn("stat %s", target);
		return REG_ESYS;
	}
	/* Blobs are not secret; nginx's worker user must read them. */
	if (fchmod(w->fd, 0644) == -1) {
		log_warn("fchmod %s", w->tmppath);
		return REG_ESYS;
	}
	/* Racing committers of the same digest rename identical bytes. */
	if (rename(w->tmppath, target) == -1) {
		log_warn("rename %s to %s", w->tmppath, target);
		return REG_ESYS;
	}
	w->committed = true;
	return blob_fsync_dir(dir);
}

void
blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		(void)close(w->fd);
	if (!w->committed && w->tmppath[0] != '\0' &&
	    unlink(w->tmppath) == -1 && errno != ENOENT)
		log_warn("unlink %s", w->tmppath);
	cryptow_hash_free(w->hash);
	free(w->blobdir);
	free(w);
}

enum reg_err
blob_relpath(const char *digest, char *out, size_t outsz)
{
	size_t i, n;

	if (digest == NULL || out == NULL)
		return REG_EINVAL;
	n = strnlen(digest, CRYPTOW_SHA256_HEXLEN + 1);
	if (n != CRYPTOW_SHA256_HEXLEN)
		return REG_EINVAL;
	for (i = 0; i < n; i++)
		if (!((digest[i] >= '0' && digest[i] <= '9') ||
		        (digest[i] >= 'a' && digest[i] <= 'f')))
			return REG_EINVAL;
	if (outsz < BLOB_RELPATH_SZ)
		return REG_ETOOBIG;
	/* Cannot be cut: outsz was checked against the fixed length. */
	(void)snprintf(out, outsz, "sha256/%.2s/%s", digest, digest);
	return REG_OK;
}
