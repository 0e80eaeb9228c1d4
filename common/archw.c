/*
 * common/archw.c: module archive inspection (see archw.h); the only file
 * that includes <archive.h>.
 *
 * Invariants: nothing is written to disk; the input is read only through
 * struct archw_src (pread(2) at explicit offsets, or memory), so a
 * caller's fd offset is neither used nor moved; every path, link target,
 * count and byte total is checked against a fixed cap before it is used.
 *
 * What go-getter would extract must stay inside its destination:
 *  R1  names are relative, non-empty, at most ARCHW_NAME_MAX bytes, with
 *      no ".." component and no control character, backslash or ':'.
 *  R2  a symlink target is relative, passes the same character rules, has
 *      ".." only as leading components, and climbs no higher than the
 *      directory that holds the link.
 *  R3  no entry (nor hard link target) lies under a symlink, so every
 *      link sits where its name says and R2's depth is its real depth;
 *      a target's names then only descend, through links that land
 *      inside by the same argument.  The test ignores ASCII case, and an
 *      archive with a symlink must have ASCII names, so that a
 *      case-insensitive file system cannot alias a path onto a link.
 *  R4  a hard link target passes R1 and R3.
 * Devices, fifos and sockets are refused, and so are setuid/setgid
 * regular files: they cannot be stripped, and Terraform is often run as
 * root in CI.  Sticky bits and setgid directories are harmless and kept.
 *
 * Zip archives have two directories of names: libarchive reports the
 * local headers, Go's archive/zip (go-getter) the central directory.
 * archw_zip_cd() walks the central directory the way Go does and every
 * entry libarchive reports must match a record there, by exact name and
 * type, one to one.
 */
#include <sys/stat.h>

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/archw.h"
#include "common/buf.h"
#include "common/log.h"

#define ARCHW_NAME_MAX 4096        /* bytes in a path or link target */
#define ARCHW_NAMES_MAX (8u << 20) /* bytes of names kept per archive */
#define ARCHW_IOBUF 65536
#define ARCHW_DATABUF 16384
#define ARCHW_SHOW 96 /* bytes of an escaped name in why */
/* Room for tar headers, pax records and padding in the gzip check. */
#define ARCHW_TAR_FIXED (1u << 20)
#define ARCHW_TAR_ENTRY (64u << 10)

/* Entry types, as flags in struct archw_slot. */
#define ARCHW_T_REG 0x01u
#define ARCHW_T_DIR 0x02u
#define ARCHW_T_LNK 0x04u
#define ARCHW_T_MASK 0x07u
#define ARCHW_F_SEEN 0x20u

/* Zip record layouts (APPNOTE 4.3.7, 4.3.12, 4.3.16). */
#define ZIP_LOC_LEN 30
#define ZIP_CEN_LEN 46
#define ZIP_END_LEN 22
#define ZIP_END_MAXCOMMENT 65535
#define ZIP_LOC64_LEN 20

/* Where the archive bytes come from; the libarchive callbacks' data. */
struct archw_src {
	int fd; /* -1 for memory */
	const unsigned char *mem;
	uint64_t size;
	uint64_t off;       /* the callbacks' position, not the fd's */
	int err;            /* errno of a failed pread, 0 if none */
	unsigned char *buf; /* ARCHW_IOBUF bytes, fd only */
};

/* A string set keyed by normalized path; names live in the arena. */
struct archw_slot {
	uint64_t h; /* 0: empty slot */
	size_t off;
	size_t len;
	unsigned flags;
};

struct archw_set {
	struct archw_slot *v;
	size_t cap; /* a power of two, or 0 */
	size_t n;
	struct buf names;
};

struct archw_ctx {
	struct archw_src *src;
	const struct archw_limits *lim;
	struct archive *a;
	struct archw_result res;
	char *why;
	size_t whysz;
	bool zip;
	struct archw_set cd;    /* zip only: central directory names */
	uint64_t cd_n;          /* central directory records */
	uint64_t cd_dots;       /* ... whose name is "." or "./" */
	uint64_t la_dots;       /* libarchive entries named "." */
	struct archw_set links; /* R3: folded names of symlinks */
	struct buf deep;        /* R3: paths with a '/', NUL-separated */
	bool nonascii;
	char norm[ARCHW_NAME_MAX + 1];
	unsigned char data[ARCHW_DATABUF];
};

static void archw_why(struct archw_ctx *, const char *, ...) REG_PRINTF(2, 3);

static void
archw_why(struct archw_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why == NULL || c->whysz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(c->why, c->whysz, fmt, ap);
	va_end(ap);
}

/* why before there is a context (and "" on entry, so success leaves ""). */
static void
archw_why0(char *why, size_t whysz, const char *msg)
{
	if (why != NULL && whysz > 0)
		(void)snprintf(why, whysz, "%s", msg);
}

static const char *
archw_show(char *dst, const char *p, size_t n)
{
	return log_escape(dst, ARCHW_SHOW, p, n);
}

/* An entry's problem: 'entry "name": rule'. */
static enum reg_err
archw_bad(struct archw_ctx *c, enum reg_err er, const char *name,
    const char *rule)
{
	char show[ARCHW_SHOW];

	archw_why(c, "entry \"%s\": %s", archw_show(show, name, strlen(name)),
	    rule);
	return er;
}

/* ---- input: pread(2) or memory, behind libarchive's callbacks ---- */

static la_ssize_t
archw_cb_read(struct archive *a, void *arg, const void **bufp)
{
	struct archw_src *s = arg;
	size_t want;
	ssize_t n;

	if (s->off >= s->size)
		return 0;
	want = s->size - s->off > ARCHW_IOBUF ? ARCHW_IOBUF
	                                      : (size_t)(s->size - s->off);
	if (s->fd < 0) {
		*bufp = s->mem + s->off;
		s->off += want;
		return (la_ssize_t)want;
	}
	do
		n = pread(s->fd, s->buf, want, (off_t)s->off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->err = errno;
		archive_set_error(a, errno, "pread failed");
		return ARCHIVE_FATAL;
	}
	*bufp = s->buf;
	s->off += (uint64_t)n;
	return n;
}

static la_int64_t
archw_cb_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct archw_src *s = arg;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)s->off;
		break;
	case SEEK_END:
		base = (int64_t)s->size;
		break;
	default:
		archive_set_error(a, EINVAL, "bad whence");
		return ARCHIVE_FATAL;
	}
	if ((off < 0 && -(off + 1) >= base) ||
	    (off > 0 && (uint64_t)off > s->size - (uint64_t)base)) {
		archive_set_error(a, EINVAL, "seek outside the body");
		return ARCHIVE_FATAL;
	}
	s->off = (uint64_t)(base + off);
	return (la_int64_t)s->off;
}

static la_int64_t
archw_cb_skip(struct archive *a, void *arg, la_int64_t req)
{
	struct archw_src *s = arg;
	uint64_t n;

	(void)a;
	if (req <= 0)
		return 0;
	n = s->size - s->off;
	if ((uint64_t)req < n)
		n = (uint64_t)req;
	s->off += n;
	return (la_int64_t)n;
}

/* Exactly n bytes at off, for the zip walker.  REG_EINVAL past the end. */
static enum reg_err
archw_src_at(struct archw_ctx *c, uint64_t off, void *dst, size_t n)
{
	struct archw_src *s = c->src;
	unsigned char *p = dst;
	ssize_t r;

	if (off > s->size || n > s->size - off) {
		archw_why(c, "zip archive is truncated");
		return REG_EINVAL;
	}
	if (n == 0)
		return REG_OK;
	if (s->fd < 0) {
		memcpy(dst, s->mem + off, n);
		return REG_OK;
	}
	while (n > 0) {
		r = pread(s->fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO; /* the file shrank */
			log_warn("archw: pread");
			archw_why(c, "cannot read the body");
			return REG_ESYS;
		}
		p += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return REG_OK;
}

/* ---- paths ---- */

/*
 * Next component of p[*i..len), skipping empty and "." ones.  Returns
 * false at the end.
 */
static bool
archw_comp(const char *p, size_t len, size_t *i, size_t *s, size_t *e)
{
	while (*i < len) {
		size_t b = *i, j = *i;

		while (j < len && p[j] != '/')
			j++;
		*i = j < len ? j + 1 : j;
		if (j == b || (j - b == 1 && p[b] == '.'))
			continue;
		*s = b;
		*e = j;
		return true;
	}
	return false;
}

/*
 * Normalized form of p (components joined by '/', ASCII lower-cased if
 * fold) into c->norm; len must be <= ARCHW_NAME_MAX.  Returns its length.
 */
static size_t
archw_norm(struct archw_ctx *c, const char *p, size_t len, bool fold)
{
	size_t i = 0, s, e, o = 0, k;

	if (len > ARCHW_NAME_MAX)
		len =
		    ARCHW_NAME_MAX; /* callers apply R1 first; belt and braces */
	while (archw_comp(p, len, &i, &s, &e)) {
		if (o > 0)
			c->norm[o++] = '/';
		for (k = s; k < e; k++) {
			char ch = p[k];

			if (fold && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			c->norm[o++] = ch;
		}
	}
	c->norm[o] = '\0';
	return o;
}

static uint64_t
archw_fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define ARCHW_FNV0 0xcbf29ce484222325ull

/* R1's character rules, shared by names and link targets. */
static const char *
archw_chars(const char *p, size_t len, bool *nonascii)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch < 0x20 || ch == 0x7f)
			return "control character in the path";
		if (ch == '\\')
			return "backslash in the path";
		if (ch == ':')
			return "colon in the path";
		if (ch >= 0x80)
			*nonascii = true;
	}
	return NULL;
}

/* R1: NULL if the path is acceptable as an entry name, else the rule. */
static const char *
archw_name_rule(const char *p, size_t len, bool *nonascii)
{
	size_t i = 0, s, e;
	const char *rule;

	if (len == 0)
		return "empty name";
	if (len > ARCHW_NAME_MAX)
		return "name is too long";
	if (p[0] == '/')
		return "absolute path";
	rule = archw_chars(p, len, nonascii);
	if (rule != NULL)
		return rule;
	while (archw_comp(p, len, &i, &s, &e))
		if (e - s == 2 && p[s] == '.' && p[s + 1] == '.')
			return "path escapes the archive";
	return NULL;
}

/* ---- string sets ---- */

static void
archw_set_init(struct archw_set *st)
{
	st->v = NULL;
	st->cap = 0;
	st->n = 0;
	buf_init(&st->names, ARCHW_NAMES_MAX);
}

static void
archw_set_release(struct archw_set *st)
{
	free(st->v);
	buf_release(&st->names);
	archw_set_init(st);
}

static uint64_t
archw_key(const char *p, size_t n)
{
	uint64_t h = archw_fnv(ARCHW_FNV0, p, n);

	return h != 0 ? h : 1;
}

/* The slot for (p, n) with hash h: its entry, or the empty slot. */
static struct archw_slot *
archw_set_slot(const struct archw_set *st, uint64_t h, const char *p, size_t n)
{
	size_t i = (size_t)h & (st->cap - 1);

	for (;;) {
		struct archw_slot *sl = &st->v[i];

		if (sl->h == 0)
			return sl;
		if (sl->h == h && sl->len == n &&
		    memcmp(st->names.p + sl->off, p, n) == 0)
			return sl;
		i = (i + 1) & (st->cap - 1);
	}
}

static struct archw_slot *
archw_set_find(const struct archw_set *st, uint64_t h, const char *p, size_t n)
{
	struct archw_slot *sl;

	if (st->cap == 0)
		return NULL;
	sl = archw_set_slot(st, h, p, n);
	return sl->h != 0 ? sl : NULL;
}

static enum reg_err
archw_set_grow(struct archw_set *st)
{
	struct archw_slot *nv, *old = st->v;
	size_t i, ocap = st->cap, ncap;

	ncap = ocap == 0 ? 64 : ocap * 2;
	if (ncap < ocap)
		return REG_ENOMEM;
	nv = calloc(ncap, sizeof(*nv));
	if (nv == NULL)
		return REG_ENOMEM;
	st->v = nv;
	st->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].h != 0) {
			size_t j = (size_t)old[i].h & (ncap - 1);

			while (nv[j].h != 0)
				j = (j + 1) & (ncap - 1);
			nv[j] = old[i];
		}
	}
	free(old);
	return REG_OK;
}

/*
 * Find or insert (p, n); *out is its slot (valid until the next add).
 * *added tells which.  REG_ETOOBIG when the names pass ARCHW_NAMES_MAX.
 */
static enum reg_err
archw_set_add(struct archw_set *st, const char *p, size_t n,
    struct archw_slot **out, bool *added)
{
	struct archw_slot *sl;
	uint64_t h = archw_key(p, n);
	size_t off;
	enum reg_err er;

	if (st->n + 1 > st->cap / 2) {
		er = archw_set_grow(st);
		if (er != REG_OK)
			return er;
	}
	sl = archw_set_slot(st, h, p, n);
	*added = sl->h == 0;
	if (*added) {
		off = st->names.len;
		er = buf_add(&st->names, p, n);
		if (er == REG_OK)
			er = buf_addc(&st->names, '\0');
		if (er != REG_OK)
			return er;
		sl->h = h;
		sl->off = off;
		sl->len = n;
		sl->flags = 0;
		st->n++;
	}
	*out = sl;
	return REG_OK;
}

/* ---- zip central directory (Go's archive/zip view) ---- */

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

struct archw_span {
	uint64_t start, end;
};

static int
archw_span_cmp(const void *x, const void *y)
{
	const struct archw_span *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Where Go's findDirectoryEnd finds the end record in t, or tl. */
static size_t
archw_zip_find_end(const unsigned char *t, size_t tl)
{
	size_t i;

	for (i = tl - ZIP_END_LEN + 1; i-- > 0;)
		if (memcmp(t + i, "PK\5\6", 4) == 0 &&
		    i + ZIP_END_LEN + le16(t + i + 20) <= tl)
			return i;
	return tl;
}

/*
 * The end record e found in the tail t (tl bytes, at body offset base),
 * held to stricter rules than Go's so that libarchive's own search must
 * land on the same record: the comment runs to the end of the body and
 * holds no other signature, no zip64, one disk, and the central
 * directory ends where the end record starts.
 */
static enum reg_err
archw_zip_end_check(struct archw_ctx *c, const unsigned char *t, size_t tl,
    size_t e, uint64_t base)
{
	const unsigned char *r = t + e;
	size_t k;

	if (e + ZIP_END_LEN + le16(r + 20) != tl) {
		archw_why(c, "zip archive has trailing data");
		return REG_EINVAL;
	}
	for (k = e + 4; k + 4 <= tl; k++) {
		if (memcmp(t + k, "PK\5\6", 4) == 0) {
			archw_why(c, "zip comment holds a directory signature");
			return REG_EINVAL;
		}
	}
	if (le16(r + 4) != 0 || le16(r + 6) != 0 ||
	    le16(r + 8) != le16(r + 10)) {
		archw_why(c, "multi-disk zip archives are not supported");
		return REG_EINVAL;
	}
	if ((e >= ZIP_LOC64_LEN &&
	        memcmp(r - ZIP_LOC64_LEN, "PK\6\7", 4) == 0) ||
	    le16(r + 10) == 0xffff || le32(r + 12) == 0xffffffff ||
	    le32(r + 16) == 0xffffffff) {
		archw_why(c, "zip64 archives are not supported");
		return REG_EUNPROC;
	}
	if ((uint64_t)le32(r + 16) + le32(r + 12) != base + e) {
		archw_why(c,
		    "zip central directory is not where the end "
		    "record says");
		return REG_EINVAL;
	}
	return REG_OK;
}

/*
 * Find and check the end record.  The tail read holds the longest comment
 * and, before the record, room for a zip64 locator.
 */
static enum reg_err
archw_zip_end(struct archw_ctx *c, uint64_t *cdoff, uint64_t *cdsize,
    uint64_t *count)
{
	const size_t maxtail = ZIP_LOC64_LEN + ZIP_END_LEN + ZIP_END_MAXCOMMENT;
	unsigned char *t = NULL;
	uint64_t size = c->src->size;
	size_t tl, e;
	enum reg_err er;

	tl = size < maxtail ? (size_t)size : maxtail;
	if (tl < ZIP_END_LEN) {
		archw_why(c, "zip archive is truncated");
		return REG_EINVAL;
	}
	t = malloc(tl);
	if (t == NULL)
		return REG_ENOMEM;
	er = archw_src_at(c, size - tl, t, tl);
	if (er != REG_OK)
		goto out;
	e = archw_zip_find_end(t, tl);
	if (e == tl) {
		archw_why(c, "zip end of central directory not found");
		er = REG_EINVAL;
		goto out;
	}
	er = archw_zip_end_check(c, t, tl, e, size - tl);
	if (er != REG_OK)
		goto out;
	*count = le16(t + e + 10);
	*cdsize = le32(t + e + 12);
	*cdoff = le32(t + e + 16);
out:
	free(t);
	return er;
}

/* The entry type Go's FileHeader.Mode() gives, if we accept it. */
static enum reg_err
archw_zip_type(struct archw_ctx *c, const unsigned char *h, const char *name,
    size_t nlen, unsigned *t)
{
	unsigned creator = le16(h + 4) >> 8;
	uint32_t ext = le32(h + 38);
	mode_t m;

	*t = ARCHW_T_REG;
	if (creator == 3 || creator == 19) { /* unix, macOS */
		m = (mode_t)(ext >> 16);
		switch (m & S_IFMT) {
		case 0:
		case S_IFREG:
			if (m & (S_ISUID | S_ISGID))
				return archw_bad(c, REG_EUNPROC, name,
				    "setuid/setgid files are not allowed");
			break;
		case S_IFDIR:
			*t = ARCHW_T_DIR;
			break;
		case S_IFLNK:
			*t = ARCHW_T_LNK;
			break;
		default:
			return archw_bad(c, REG_EUNPROC, name,
			    "device, fifo and socket entries are not allowed");
		}
	} else if (creator == 0 || creator == 11 || creator == 14) {
		if (ext & 0x10)
			*t = ARCHW_T_DIR; /* MS-DOS directory attribute */
	}
	if (nlen > 0 && name[nlen - 1] == '/') {
		if (*t == ARCHW_T_LNK)
			return archw_bad(c, REG_EINVAL, name,
			    "zip entry is both a symlink and a directory");
		*t = ARCHW_T_DIR;
	}
	return REG_OK;
}

/* The central directory record h for name: what we accept of zip. */
static enum reg_err
archw_zip_fields(struct archw_ctx *c, const unsigned char *h, const char *name,
    size_t nlen, unsigned *t)
{
	const char *rule;

	/* memchr: a NUL would hide the rest of the name from strlen. */
	rule = memchr(name, '\0', nlen) != NULL
	    ? "control character in the path"
	    : archw_name_rule(name, nlen, &c->nonascii);
	if (rule != NULL)
		return archw_bad(c, REG_EUNPROC, name, rule);
	if (le16(h + 8) & 1)
		return archw_bad(c, REG_EUNPROC, name,
		    "encrypted zip entries are not supported");
	if (le16(h + 10) != 0 && le16(h + 10) != 8)
		return archw_bad(c, REG_EUNPROC, name,
		    "zip compression method is not stored or deflate");
	if (le32(h + 20) == 0xffffffff || le32(h + 24) == 0xffffffff ||
	    le32(h + 42) == 0xffffffff)
		return archw_bad(c, REG_EUNPROC, name,
		    "zip64 entries are not supported");
	if (le16(h + 34) != 0)
		return archw_bad(c, REG_EINVAL, name,
		    "zip entry is on another disk");
	return archw_zip_type(c, h, name, nlen, t);
}

/* A local header field that is set must equal the central one. */
static bool
archw_zip_same32(const unsigned char *l, const unsigned char *h, size_t lo,
    size_t ho)
{
	return le32(l + lo) == 0 || le32(l + lo) == le32(h + ho);
}

/*
 * The local header of record h must say what h says: same name bytes,
 * method and encryption, and (without a data descriptor) the same CRC
 * and sizes.  *span gets the bytes the entry occupies.
 */
static enum reg_err
archw_zip_local(struct archw_ctx *c, const unsigned char *h, const char *name,
    size_t nlen, struct archw_span *span)
{
	unsigned char l[ZIP_LOC_LEN];
	char lname[ARCHW_NAME_MAX];
	uint32_t loff = le32(h + 42);
	enum reg_err er;

	er = archw_src_at(c, loff, l, sizeof(l));
	if (er == REG_OK)
		er = archw_src_at(c, (uint64_t)loff + ZIP_LOC_LEN, lname, nlen);
	if (er != REG_OK)
		return er;
	if (memcmp(l, "PK\3\4", 4) != 0 || le16(l + 26) != nlen ||
	    memcmp(lname, name, nlen) != 0 || le16(l + 8) != le16(h + 10) ||
	    ((le16(l + 6) ^ le16(h + 8)) & 1) != 0 ||
	    (!(le16(l + 6) & 8) &&
	        (!archw_zip_same32(l, h, 14, 16) ||
	            !archw_zip_same32(l, h, 18, 20) ||
	            !archw_zip_same32(l, h, 22, 24))))
		return archw_bad(c, REG_EINVAL, name,
		    "zip local header does not match the central directory");
	span->start = loff;
	span->end =
	    (uint64_t)loff + ZIP_LOC_LEN + nlen + le16(l + 28) + le32(h + 20);
	return REG_OK;
}

/* One central directory record at *pos; advances *pos. */
static enum reg_err
archw_zip_rec(struct archw_ctx *c, uint64_t *pos, uint64_t cdend,
    struct archw_span *span)
{
	unsigned char h[ZIP_CEN_LEN];
	char name[ARCHW_NAME_MAX + 1];
	struct archw_slot *sl;
	size_t nlen, nn;
	uint64_t reclen;
	unsigned t;
	bool added;
	enum reg_err er;

	if (cdend - *pos < ZIP_CEN_LEN) {
		archw_why(c, "zip central directory is truncated");
		return REG_EINVAL;
	}
	er = archw_src_at(c, *pos, h, sizeof(h));
	if (er != REG_OK)
		return er;
	if (memcmp(h, "PK\1\2", 4) != 0) {
		archw_why(c, "zip central directory is damaged");
		return REG_EINVAL;
	}
	nlen = le16(h + 28);
	reclen = ZIP_CEN_LEN + (uint64_t)nlen + le16(h + 30) + le16(h + 32);
	if (cdend - *pos < reclen) {
		archw_why(c, "zip central directory is truncated");
		return REG_EINVAL;
	}
	if (nlen > ARCHW_NAME_MAX) {
		archw_why(c, "zip entry name is too long");
		return REG_EUNPROC;
	}
	er = archw_src_at(c, *pos + ZIP_CEN_LEN, name, nlen);
	if (er != REG_OK)
		return er;
	name[nlen] = '\0';
	*pos += reclen;
	er = archw_zip_fields(c, h, name, nlen, &t);
	if (er == REG_OK)
		er = archw_zip_local(c, h, name, nlen, span);
	if (er != REG_OK)
		return er;
	nn = archw_norm(c, name, nlen, false);
	if (nn == 0) {
		c->cd_dots++;
		return REG_OK;
	}
	er = archw_set_add(&c->cd, c->norm, nn, &sl, &added);
	if (er != REG_OK)
		return er;
	if (!added)
		return archw_bad(c, REG_EUNPROC, name, "duplicate zip entry");
	sl->flags = t;
	return REG_OK;
}

static enum reg_err
archw_zip_cd(struct archw_ctx *c)
{
	struct archw_span *spans = NULL;
	uint64_t cdoff, cdsize, count, pos, i;
	enum reg_err er;

	er = archw_zip_end(c, &cdoff, &cdsize, &count);
	if (er != REG_OK)
		goto out;
	if (count > c->lim->max_entries) {
		archw_why(c, "archive has more than %ju entries",
		    (uintmax_t)c->lim->max_entries);
		er = REG_ETOOBIG;
		goto out;
	}
	spans = calloc(count > 0 ? (size_t)count : 1, sizeof(*spans));
	if (spans == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	pos = cdoff;
	for (i = 0; i < count; i++) {
		er = archw_zip_rec(c, &pos, cdoff + cdsize, &spans[i]);
		if (er != REG_OK)
			goto out;
	}
	er = REG_EINVAL;
	if (pos != cdoff + cdsize) {
		archw_why(c, "zip central directory has extra bytes");
		goto out;
	}
	/* Entries must not share or overlap data (overlapping zip bombs). */
	qsort(spans, (size_t)count, sizeof(*spans), archw_span_cmp);
	for (i = 0; i < count; i++) {
		if (spans[i].end > cdoff ||
		    (i + 1 < count && spans[i].end > spans[i + 1].start)) {
			archw_why(c, "zip entries overlap");
			goto out;
		}
	}
	c->cd_n = count;
	er = REG_OK;
out:
	free(spans);
	return er;
}

/* A libarchive zip entry must be one central directory record. */
static enum reg_err
archw_zip_match(struct archw_ctx *c, const char *name, unsigned t)
{
	struct archw_slot *sl;
	size_t nn;

	nn = archw_norm(c, name, strlen(name), false);
	if (nn == 0) {
		if (++c->la_dots <= c->cd_dots)
			return REG_OK;
	} else {
		sl =
		    archw_set_find(&c->cd, archw_key(c->norm, nn), c->norm, nn);
		if (sl != NULL && (sl->flags & ARCHW_T_MASK) == t &&
		    !(sl->flags & ARCHW_F_SEEN)) {
			sl->flags |= ARCHW_F_SEEN;
			return REG_OK;
		}
	}
	return archw_bad(c, REG_EINVAL, name,
	    "zip local header does not match the central directory");
}

/* ---- links (R2, R3) ---- */

/* Remember a path that must not lie under a symlink (R3). */
static enum reg_err
archw_note_path(struct archw_ctx *c, const char *p)
{
	size_t nn;
	enum reg_err er;

	nn = archw_norm(c, p, strlen(p), false);
	if (memchr(c->norm, '/', nn) == NULL)
		return REG_OK;
	er = buf_add(&c->deep, c->norm, nn + 1);
	if (er == REG_ETOOBIG)
		archw_why(c, "archive names exceed %u bytes", ARCHW_NAMES_MAX);
	return er;
}

/* R2 for the symlink entry `name` -> `target`; records it for R3. */
static enum reg_err
archw_symlink(struct archw_ctx *c, const char *name, const char *target)
{
	char show[ARCHW_SHOW], msg[ARCHW_SHOW + 64];
	size_t len = strlen(target), i = 0, s, e, depth = 0, ups = 0, nn;
	struct archw_slot *sl;
	const char *rule = NULL;
	bool named = false, added, dummy = false;
	enum reg_err er;

	while (archw_comp(name, strlen(name), &i, &s, &e))
		depth++;
	depth = depth > 0 ? depth - 1 : 0; /* the link's directory */
	if (len == 0)
		rule = "is empty";
	else if (len > ARCHW_NAME_MAX)
		rule = "is too long";
	else if (target[0] == '/')
		rule = "is absolute";
	else
		rule = archw_chars(target, len, &dummy);
	for (i = 0; rule == NULL && archw_comp(target, len, &i, &s, &e);) {
		if (e - s == 2 && target[s] == '.' && target[s + 1] == '.') {
			if (named)
				rule = "has \"..\" after a name";
			else if (++ups > depth)
				rule = "escapes the archive";
		} else {
			named = true;
		}
	}
	if (rule != NULL) {
		(void)snprintf(msg, sizeof(msg), "symlink target \"%s\" %s",
		    archw_show(show, target, len), rule);
		return archw_bad(c, REG_EUNPROC, name, msg);
	}
	nn = archw_norm(c, name, strlen(name), true);
	er = archw_set_add(&c->links, c->norm, nn, &sl, &added);
	if (er == REG_ETOOBIG)
		archw_why(c, "archive names exceed %u bytes", ARCHW_NAMES_MAX);
	return er;
}

/* R3, once every name is known. */
static enum reg_err
archw_links(struct archw_ctx *c)
{
	char show[ARCHW_SHOW], lshow[ARCHW_SHOW];
	size_t o, i, len;
	uint64_t h;

	if (c->links.n == 0)
		return REG_OK;
	if (c->nonascii) {
		archw_why(c, "archive has symlinks and non-ascii names");
		return REG_EUNPROC;
	}
	for (o = 0; o < c->deep.len; o += len + 1) {
		const char *p = c->deep.p + o;

		len = strlen(p);
		h = ARCHW_FNV0;
		for (i = 0; i < len; i++) {
			char ch = p[i];

			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			c->norm[i] = ch; /* the folded prefix so far */
			if (ch == '/' &&
			    archw_set_find(&c->links, h != 0 ? h : 1, c->norm,
			        i) != NULL) {
				archw_why(c,
				    "path \"%s\" goes through symlink "
				    "\"%s\"",
				    archw_show(show, p, len),
				    archw_show(lshow, p, i));
				return REG_EUNPROC;
			}
			h = archw_fnv(h, &ch, 1);
		}
	}
	return REG_OK;
}

/* ---- entries ---- */

static bool
archw_is_tf(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base != NULL ? base + 1 : name;
	n = strlen(base);
	if (base[0] == '.') /* Terraform ignores hidden files */
		return false;
	return (n > 3 && strcmp(base + n - 3, ".tf") == 0) ||
	    (n > 8 && strcmp(base + n - 8, ".tf.json") == 0);
}

/* libarchive's error on archive a reading s, as ours. */
static enum reg_err
archw_la_err2(struct archw_ctx *c, struct archive *a, const struct archw_src *s,
    const char *name)
{
	char show[ARCHW_SHOW], nshow[ARCHW_SHOW];
	const char *msg = archive_error_string(a);

	if (s->err != 0) {
		errno = s->err;
		log_warn("archw: pread");
		archw_why(c, "cannot read the body");
		return REG_ESYS;
	}
	if (archive_errno(a) == ENOMEM)
		return REG_ENOMEM;
	if (msg == NULL)
		msg = "unknown error";
	(void)archw_show(show, msg, strlen(msg));
	if (name != NULL)
		archw_why(c, "entry \"%s\": archive is unreadable: %s",
		    archw_show(nshow, name, strlen(name)), show);
	else
		archw_why(c, "archive is unreadable: %s", show);
	return REG_EINVAL;
}

static enum reg_err
archw_la_err(struct archw_ctx *c, const char *name)
{
	return archw_la_err2(c, c->a, c->src, name);
}

static bool
archw_set_source(struct archive *a, struct archw_src *s)
{
	return archive_read_set_callback_data(a, s) == ARCHIVE_OK &&
	    archive_read_set_read_callback(a, archw_cb_read) == ARCHIVE_OK &&
	    archive_read_set_seek_callback(a, archw_cb_seek) == ARCHIVE_OK &&
	    archive_read_set_skip_callback(a, archw_cb_skip) == ARCHIVE_OK;
}

/* a + b, saturating. */
static uint64_t
archw_sadd(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * CRC-32 (IEEE 802.3, as gzip) and length of the data of a's one entry,
 * reading at most max_bytes plus room for tar headers and pax records.
 */
static enum reg_err
archw_gzip_sum(struct archw_ctx *c, struct archive *a,
    const struct archw_src *s, uint32_t *crcp, uint64_t *totalp)
{
	uint32_t tab[256], crc = 0xffffffffu, k;
	uint64_t total = 0, cap, room;
	la_ssize_t n, i;
	int j;

	for (k = 0; k < 256; k++) {
		uint32_t v = k;

		for (j = 0; j < 8; j++)
			v = (v & 1) ? 0xedb88320u ^ (v >> 1) : v >> 1;
		tab[k] = v;
	}
	room = c->lim->max_entries > UINT64_MAX / ARCHW_TAR_ENTRY
	    ? UINT64_MAX
	    : c->lim->max_entries * ARCHW_TAR_ENTRY;
	cap = archw_sadd(archw_sadd(c->lim->max_bytes, ARCHW_TAR_FIXED), room);
	for (;;) {
		n = archive_read_data(a, c->data, sizeof(c->data));
		if (n == 0)
			break;
		if (n < 0)
			return archw_la_err2(c, a, s, NULL);
		if ((uint64_t)n > cap - total) {
			archw_why(c,
			    "archive is more than %ju bytes uncompressed",
			    (uintmax_t)cap);
			return REG_ETOOBIG;
		}
		total += (uint64_t)n;
		for (i = 0; i < n; i++)
			crc = tab[(crc ^ c->data[i]) & 0xff] ^ (crc >> 8);
	}
	*crcp = crc ^ 0xffffffffu;
	*totalp = total;
	return REG_OK;
}

/*
 * libarchive 3.6 does not check the gzip trailer (CRC-32 and ISIZE; an
 * XXX in its gzip filter) but Go's compress/gzip does, so such a body
 * would only fail at terraform init.  Decompress the whole stream once
 * more, raw, and compare with the body's last 8 bytes.  This also caps
 * the decompressed stream, tar headers and pax metadata included, which
 * counting file data alone does not.  Trailing bytes after the gzip
 * stream, and multi-member gzip (whose last trailer covers only its own
 * member), fail the comparison; Go would refuse the former too.
 */
static enum reg_err
archw_gzip_check(struct archw_ctx *c)
{
	struct archw_src s = *c->src;
	struct archive *a = NULL;
	struct archive_entry *ae;
	uint32_t crc = 0;
	uint64_t total = 0;
	unsigned char tr[8];
	enum reg_err er;

	s.off = 0;
	s.err = 0;
	s.buf = NULL;
	er = REG_ENOMEM;
	if (s.fd >= 0 && (s.buf = malloc(ARCHW_IOBUF)) == NULL)
		goto out;
	a = archive_read_new();
	if (a == NULL || archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    !archw_set_source(a, &s))
		goto out;
	if (archive_read_open1(a) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ae) != ARCHIVE_OK) {
		er = archw_la_err2(c, a, &s, NULL);
		goto out;
	}
	er = archw_gzip_sum(c, a, &s, &crc, &total);
	if (er != REG_OK)
		goto out;
	er = archw_src_at(c, c->src->size - 8, tr, sizeof(tr));
	if (er != REG_OK)
		goto out;
	if (crc != le32(tr) || (uint32_t)total != le32(tr + 4)) {
		archw_why(c,
		    "archive is unreadable: gzip checksum or length "
		    "mismatch (or data after the gzip stream)");
		er = REG_EINVAL;
	}
out:
	archive_read_free(a);
	free(s.buf);
	return er;
}

/*
 * libarchive found no tar.gz or zip.  If the body starts like gzip, say
 * what libarchive saw (a truncated stream, say).
 */
static enum reg_err
archw_notarch(struct archw_ctx *c)
{
	char show[ARCHW_SHOW];
	unsigned char magic[2];
	const char *msg = archive_error_string(c->a);

	if (c->src->err != 0 || archive_errno(c->a) == ENOMEM)
		return archw_la_err(c, NULL);
	if (msg != NULL && c->src->size >= 2 &&
	    archw_src_at(c, 0, magic, 2) == REG_OK && magic[0] == 0x1f &&
	    magic[1] == 0x8b)
		archw_why(c, "body is not a .tar.gz or .zip archive: %s",
		    archw_show(show, msg, strlen(msg)));
	else
		archw_why(c, "body is not a .tar.gz or .zip archive");
	return REG_EINVAL;
}

/* After the first header: only tar+gzip and plain zip are accepted. */
static enum reg_err
archw_format(struct archw_ctx *c)
{
	int fmt = archive_format(c->a) & ARCHIVE_FORMAT_BASE_MASK;
	int nf = archive_filter_count(c->a);

	if (fmt == ARCHIVE_FORMAT_TAR && nf == 2 &&
	    archive_filter_code(c->a, 0) == ARCHIVE_FILTER_GZIP) {
		(void)snprintf(c->res.format, sizeof(c->res.format), "tar.gz");
		return archw_gzip_check(c);
	}
	if (fmt == ARCHIVE_FORMAT_ZIP && nf == 1) {
		(void)snprintf(c->res.format, sizeof(c->res.format), "zip");
		c->zip = true;
		return archw_zip_cd(c);
	}
	if (fmt == ARCHIVE_FORMAT_TAR && nf == 1)
		archw_why(c,
		    "body is not a .tar.gz or .zip archive "
		    "(uncompressed tar)");
	else
		archw_why(c, "body is not a .tar.gz or .zip archive");
	return REG_EINVAL;
}

/* Read (and count) the entry's data; stop as soon as the cap is passed. */
static enum reg_err
archw_data(struct archw_ctx *c, const char *name)
{
	la_ssize_t n;

	for (;;) {
		n = archive_read_data(c->a, c->data, sizeof(c->data));
		if (n == 0)
			return REG_OK;
		if (n < 0)
			return archw_la_err(c, name);
		if ((uint64_t)n > c->lim->max_bytes - c->res.bytes) {
			archw_why(c,
			    "archive has more than %ju bytes of "
			    "file data",
			    (uintmax_t)c->lim->max_bytes);
			return REG_ETOOBIG;
		}
		c->res.bytes += (uint64_t)n;
	}
}

/* R4: the target hl of the hard link entry name. */
static enum reg_err
archw_hardlink(struct archw_ctx *c, const char *name, const char *hl)
{
	char show[ARCHW_SHOW], msg[ARCHW_SHOW + 64];
	const char *rule;

	rule = archw_name_rule(hl, strlen(hl), &c->nonascii);
	if (rule == NULL && archw_norm(c, hl, strlen(hl), false) == 0)
		rule = "names the archive root";
	if (rule != NULL) {
		(void)snprintf(msg, sizeof(msg), "hard link target \"%s\": %s",
		    archw_show(show, hl, strlen(hl)), rule);
		return archw_bad(c, REG_EUNPROC, name, msg);
	}
	return archw_note_path(c, hl);
}

/* The entry's type as ARCHW_T_*, if it is one we accept. */
static enum reg_err
archw_type(struct archw_ctx *c, struct archive_entry *ae, const char *name,
    bool hardlink, unsigned *t)
{
	*t = ARCHW_T_REG;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		if (archive_entry_mode(ae) & (S_ISUID | S_ISGID))
			return archw_bad(c, REG_EUNPROC, name,
			    "setuid/setgid files are not allowed");
		return REG_OK;
	case AE_IFDIR:
		*t = ARCHW_T_DIR;
		return REG_OK;
	case AE_IFLNK:
		*t = ARCHW_T_LNK;
		return REG_OK;
	case AE_IFCHR:
	case AE_IFBLK:
		return archw_bad(c, REG_EUNPROC, name,
		    "device entries are not allowed");
	case AE_IFIFO:
		return archw_bad(c, REG_EUNPROC, name,
		    "fifo entries are not allowed");
	case AE_IFSOCK:
		return archw_bad(c, REG_EUNPROC, name,
		    "socket entries are not allowed");
	default:
		if (hardlink)
			return REG_OK; /* a tar hard link may carry no type */
		return archw_bad(c, REG_EUNPROC, name, "unknown entry type");
	}
}

/* A regular file (not a hard link): early size check, .tf count. */
static enum reg_err
archw_regular(struct archw_ctx *c, struct archive_entry *ae, const char *name)
{
	if (archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 &&
	    (uint64_t)archive_entry_size(ae) >
	        c->lim->max_bytes - c->res.bytes) {
		archw_why(c, "archive has more than %ju bytes of file data",
		    (uintmax_t)c->lim->max_bytes);
		return REG_ETOOBIG;
	}
	if (archw_is_tf(name))
		c->res.tf_files++;
	return REG_OK;
}

static enum reg_err
archw_entry(struct archw_ctx *c, struct archive_entry *ae)
{
	const char *name = archive_entry_pathname(ae);
	const char *hl = archive_entry_hardlink(ae);
	const char *rule, *target;
	unsigned t;
	enum reg_err er;

	if (name == NULL)
		return archw_bad(c, REG_EUNPROC, "",
		    "name cannot be decoded as utf-8");
	rule = archw_name_rule(name, strlen(name), &c->nonascii);
	if (rule != NULL)
		return archw_bad(c, REG_EUNPROC, name, rule);
	er = hl != NULL ? archw_hardlink(c, name, hl) : REG_OK;
	if (er == REG_OK)
		er = archw_type(c, ae, name, hl != NULL, &t);
	if (er != REG_OK)
		return er;
	if (archw_norm(c, name, strlen(name), false) == 0 &&
	    (t != ARCHW_T_DIR || hl != NULL))
		return archw_bad(c, REG_EUNPROC, name,
		    "names the archive root");
	if (c->zip) {
		er = archw_zip_match(c, name, t);
		if (er != REG_OK)
			return er;
	}
	if (t == ARCHW_T_LNK && hl == NULL) {
		target = archive_entry_symlink(ae);
		er = archw_symlink(c, name, target != NULL ? target : "");
		if (er != REG_OK)
			return er;
	}
	er = archw_note_path(c, name);
	if (er == REG_OK && t == ARCHW_T_REG && hl == NULL)
		er = archw_regular(c, ae, name);
	if (er != REG_OK)
		return er;
	/* Every entry's data counts: skipping would still inflate it. */
	return archw_data(c, name);
}

/* The first header decides the format, or that there is none. */
static enum reg_err
archw_first(struct archw_ctx *c, int r)
{
	if (r < ARCHIVE_WARN &&
	    (c->src->err != 0 || archive_errno(c->a) == ENOMEM))
		return archw_la_err(c, NULL);
	if (r < ARCHIVE_WARN && archive_format(c->a) == 0)
		return archw_notarch(c);
	return archw_format(c);
}

static enum reg_err
archw_walk(struct archw_ctx *c)
{
	struct archive_entry *ae;
	bool first = true;
	int r;
	enum reg_err er;

	for (;;) {
		r = archive_read_next_header(c->a, &ae);
		if (first) {
			first = false;
			er = archw_first(c, r);
			if (er != REG_OK)
				return er;
		}
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) /* a warning too: readers may disagree */
			return archw_la_err(c,
			    r == ARCHIVE_WARN ? archive_entry_pathname(ae)
			                      : NULL);
		if (c->res.entries >= c->lim->max_entries) {
			archw_why(c, "archive has more than %ju entries",
			    (uintmax_t)c->lim->max_entries);
			return REG_ETOOBIG;
		}
		c->res.entries++;
		er = archw_entry(c, ae);
		if (er != REG_OK)
			return er;
	}
	if (c->zip && c->res.entries != c->cd_n) {
		archw_why(c, "zip entries do not match the central directory");
		return REG_EINVAL;
	}
	return REG_OK;
}

static enum reg_err
archw_inspect(struct archw_src *src, const struct archw_limits *lim,
    struct archw_result *out, char *why, size_t whysz)
{
	struct archw_ctx *c;
	locale_t loc, oldloc = (locale_t)0;
	enum reg_err er;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		archw_why0(why, whysz, "out of memory");
		return REG_ENOMEM;
	}
	archw_why0(why, whysz, "");
	c->src = src;
	c->lim = lim;
	c->why = why;
	c->whysz = whysz;
	archw_set_init(&c->cd);
	archw_set_init(&c->links);
	buf_init(&c->deep, ARCHW_NAMES_MAX);

	/*
	 * libarchive converts names to the current locale; in "C" every
	 * non-ASCII UTF-8 name would fail.  Switch this thread only.
	 */
	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (loc != (locale_t)0)
		oldloc = uselocale(loc);

	er = REG_ENOMEM;
	c->a = archive_read_new();
	if (c->a == NULL)
		goto out;
	if (archive_read_support_filter_gzip(c->a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(c->a) != ARCHIVE_OK ||
	    archive_read_support_format_zip_seekable(c->a) != ARCHIVE_OK ||
	    !archw_set_source(c->a, src)) {
		log_warnx("archw: libarchive setup: %s",
		    archive_error_string(c->a) != NULL
		        ? archive_error_string(c->a)
		        : "unknown error");
		goto out;
	}
	if (archive_read_open1(c->a) != ARCHIVE_OK) {
		er = archw_notarch(c);
		goto out;
	}
	er = archw_walk(c);
	if (er == REG_OK)
		er = archw_links(c);
	if (er == REG_OK && c->res.tf_files == 0) {
		archw_why(c, "archive contains no .tf file");
		er = REG_EUNPROC;
	}
	if (er == REG_OK)
		*out = c->res;
out:
	if (er == REG_ENOMEM)
		archw_why(c, "out of memory");
	archive_read_free(c->a);
	if (loc != (locale_t)0) {
		(void)uselocale(oldloc);
		freelocale(loc);
	}
	archw_set_release(&c->cd);
	archw_set_release(&c->links);
	buf_release(&c->deep);
	free(c);
	return er;
}

enum reg_err
archw_inspect_fd(int fd, const struct archw_limits *lim,
    struct archw_result *out, char *why, size_t whysz)
{
	struct archw_src src;
	struct stat st;
	enum reg_err er;

	if (fstat(fd, &st) == -1) {
		log_warn("archw: fstat");
		archw_why0(why, whysz, "cannot read the body");
		return REG_ESYS;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("archw: fd %d is not a regular file", fd);
		archw_why0(why, whysz, "cannot read the body");
		return REG_ESYS;
	}
	memset(&src, 0, sizeof(src));
	src.fd = fd;
	src.size = (uint64_t)st.st_size;
	src.buf = malloc(ARCHW_IOBUF);
	if (src.buf == NULL) {
		archw_why0(why, whysz, "out of memory");
		return REG_ENOMEM;
	}
	er = archw_inspect(&src, lim, out, why, whysz);
	free(src.buf);
	return er;
}

enum reg_err
archw_inspect_mem(const void *p, size_t len, const struct archw_limits *lim,
    struct archw_result *out, char *why, size_t whysz)
{
	struct archw_src src;

	memset(&src, 0, sizeof(src));
	src.fd = -1;
	src.mem = p;
	src.size = len;
	return archw_inspect(&src, lim, out, why, whysz);
}
