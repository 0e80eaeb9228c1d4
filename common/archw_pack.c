/*
 * common/archw_pack.c: reproducible .tar.gz writing (see archw_pack.h);
 * with common/archw.c, the only files that include <archive.h>.
 *
 * Invariant: the bytes written depend only on the entries and their data:
 * every header field that could carry the packing machine's state (owner,
 * names, times other than mtime, the gzip timestamp and file name) is
 * either fixed or left out.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/archw_pack.h"
#include "common/log.h"

#define ARCHW_PACK_CHUNK 65536

struct archw_pack {
	struct archive *a;
	unsigned char *chunk;
	bool broken;
	bool finished;
};

/*
 * libarchive converts names through the current locale; in "C" a UTF-8
 * name would not convert.  Switch this thread only, for one call.
 */
struct archw_pack_loc {
	locale_t loc, old;
};

static void
archw_pack_loc_enter(struct archw_pack_loc *l)
{
	l->old = (locale_t)0;
	l->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (l->loc != (locale_t)0)
		l->old = uselocale(l->loc);
}

static void
archw_pack_loc_leave(struct archw_pack_loc *l)
{
	if (l->loc != (locale_t)0) {
		(void)uselocale(l->old);
		freelocale(l->loc);
	}
}

static enum reg_err
archw_pack_fail(struct archw_pack *p, const char *what)
{
	const char *msg = archive_error_string(p->a);

	log_warnx("archw_pack: %s: %s", what,
	    msg != NULL ? msg : "unknown libarchive error");
	p->broken = true;
	return REG_ESYS;
}

enum reg_err
archw_pack_new(int fd, struct archw_pack **out)
{
	struct archw_pack *p;
	struct archw_pack_loc l;
	enum reg_err er = REG_OK;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return REG_ENOMEM;
	p->chunk = malloc(ARCHW_PACK_CHUNK);
	p->a = archive_write_new();
	if (p->chunk == NULL || p->a == NULL) {
		archw_pack_free(p);
		return REG_ENOMEM;
	}
	archw_pack_loc_enter(&l);
	if (archive_write_add_filter_gzip(p->a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(p->a, "gzip", "timestamp", NULL) !=
	        ARCHIVE_OK ||
	    archive_write_open_fd(p->a, fd) != ARCHIVE_OK)
		er = archw_pack_fail(p, "setup");
	archw_pack_loc_leave(&l);
	if (er != REG_OK) {
		archw_pack_free(p);
		return er;
	}
	*out = p;
	return REG_OK;
}

/* Copy exactly size bytes of fd into the archive. */
static enum reg_err
archw_pack_data(struct archw_pack *p, int fd, uint64_t size)
{
	uint64_t done = 0;
	size_t want;
	ssize_t n;
	char extra;

	while (done < size) {
		want = size - done < ARCHW_PACK_CHUNK ? (size_t)(size - done)
		                                      : ARCHW_PACK_CHUNK;
		n = read(fd, p->chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("archw_pack: read");
			return REG_ESYS;
		}
		if (n == 0)
			return REG_EUNPROC; /* shrank */
		if (archive_write_data(p->a, p->chunk, (size_t)n) != n)
			return archw_pack_fail(p, "write data");
		done += (uint64_t)n;
	}
	do {
		n = read(fd, &extra, 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_warn("archw_pack: read");
		return REG_ESYS;
	}
	return n == 0 ? REG_OK : REG_EUNPROC; /* grew */
}

enum reg_err
archw_pack_add(struct archw_pack *p, const struct archw_pack_entry *e,
    int datafd)
{
	struct archive_entry *ae = NULL;
	struct archw_pack_loc l;
	enum reg_err er = REG_OK;

	if (p->broken)
		return REG_ESYS;
	if (e->path == NULL || e->path[0] == '\0' || (e->mode & ~07777u) != 0 ||
	    e->mtime < 0 ||
	    (e->type == ARCHW_PACK_SYMLINK &&
	        (e->target == NULL || e->target[0] == '\0')) ||
	    (e->type == ARCHW_PACK_FILE && datafd < 0))
		return REG_EINVAL;
	ae = archive_entry_new();
	if (ae == NULL)
		return REG_ENOMEM;
	archw_pack_loc_enter(&l);
	archive_entry_copy_pathname(ae, e->path);
	switch (e->type) {
	case ARCHW_PACK_FILE:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)e->size);
		break;
	case ARCHW_PACK_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_size(ae, 0);
		break;
	case ARCHW_PACK_SYMLINK:
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_copy_symlink(ae, e->target);
		archive_entry_set_size(ae, 0);
		break;
	default:
		er = REG_EINVAL;
		goto out;
	}
	archive_entry_set_perm(ae, (mode_t)e->mode);
	archive_entry_set_mtime(ae, (time_t)e->mtime, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	if (archive_write_header(p->a, ae) != ARCHIVE_OK) {
		er = archw_pack_fail(p, "write header");
		goto out;
	}
	if (e->type == ARCHW_PACK_FILE) {
		er = archw_pack_data(p, datafd, e->size);
		if (er != REG_OK)
			p->broken = true;
	}
out:
	archw_pack_loc_leave(&l);
	archive_entry_free(ae);
	return er;
}

enum reg_err
archw_pack_finish(struct archw_pack *p)
{
	enum reg_err er = REG_OK;

	if (p->broken)
		return REG_ESYS;
	if (archive_write_close(p->a) != ARCHIVE_OK)
		er = archw_pack_fail(p, "close");
	p->broken = true; /* nothing more may be added */
	p->finished = er == REG_OK;
	return er;
}

void
archw_pack_free(struct archw_pack *p)
{
	if (p == NULL)
		return;
	if (p->a != NULL) {
		/* an unfinished archive gets no trailer written */
		if (!p->finished)
			(void)archive_write_fail(p->a);
		archive_write_free(p->a);
	}
	free(p->chunk);
	free(p);
}
