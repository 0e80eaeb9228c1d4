/*
 * tests/unit/test_archw.c: common/archw.  Every archive is built here, at
 * test time, with libarchive's write API (then sometimes patched, cut or
 * re-wrapped), and each row is inspected twice: from memory and from a
 * file descriptor whose offset must not move.  Both must give the same
 * code and why; each row asserts the code and a substring of why.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/archw.h"
#include "common/err.h"
#include "tests/lib/t.h"

#define BODY_MAX (4u << 20)

/* Limits every row runs with. */
static const struct archw_limits lim = { 16, 64 * 1024 };

/* Formats a row is built in. */
enum {
	F_TGZ = 1,
	F_ZIP = 2,
	F_TAR = 4,
	F_TBZ = 8,
	F_TXZ = 16,
	F_7Z = 32,
	F_ZIP64 = 64,  /* zip with libarchive's zip64 option */
	F_ZIPENC = 128 /* zip with traditional PKWARE encryption */
};

/* What is done to the built body before inspection. */
enum mut {
	M_NONE,
	M_EMPTY,    /* no body at all */
	M_GARBAGE,  /* no archive, just text */
	M_HALF,     /* cut in half */
	M_CUT80,    /* keep the first 80% */
	M_GZCRC,    /* flip a bit of the gzip trailer's CRC */
	M_REGZIP,   /* gzip the whole body again */
	M_APPEND,   /* append junk */
	M_CDNAME,   /* from -> to (same length) in the central directory */
	M_LOCNAME,  /* from -> to (same length) in the local header */
	M_CDEMPTY,  /* central directory name "from" made empty */
	M_METHOD,   /* zip method of every entry to 12 (bzip2) */
	M_USIZE,    /* zip uncompressed sizes understated to 10 */
	M_FLIPDATA, /* flip a byte in the middle of the body */
};

/*
 * Entry kinds: f file (arg: content, else size bytes of 'x'), r file of
 * size pseudo-random bytes, n count files "<name>NN.tf" of size bytes,
 * d directory, l symlink to arg, h hard link to arg, c/b devices, p fifo.
 */
struct tent {
	char kind;
	const char *name;
	const char *arg;
	size_t size;
	unsigned count;
	unsigned mode; /* permission bits; 0: the default */
};

struct row {
	const char *what;
	unsigned fmts;
	struct tent e[6];
	enum mut mut;
	const char *from, *to;
	enum reg_err want;
	const char *why;  /* substring of why; for REG_OK: the format */
	long entries, tf; /* REG_OK only; -1: not checked */
};

struct body {
	unsigned char *p;
	size_t len;
};

/* The write API needs UTF-8 names; the code under test runs in "C". */
static locale_t utf8;

static unsigned char *
pattern(size_t n, bool rnd)
{
	unsigned char *p = malloc(n > 0 ? n : 1);
	uint32_t x = 2463534242u;
	size_t i;

	if (p == NULL)
		abort();
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = rnd ? (unsigned char)x : 'x';
	}
	return p;
}

static bool
add_entry(struct archive *a, const struct tent *t, const char *name)
{
	struct archive_entry *ae = archive_entry_new();
	unsigned char *data = NULL;
	size_t len = 0;
	bool ok = false;

	archive_entry_set_pathname_utf8(ae, name);
	archive_entry_set_mtime(ae, 1700000000, 0);
	switch (t->kind) {
	case 'f':
	case 'r':
	case 'n':
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, t->mode ? t->mode : 0644);
		if (t->arg != NULL) {
			len = strlen(t->arg);
			data = (unsigned char *)strdup(t->arg);
		} else {
			len = t->size;
			data = pattern(len, t->kind == 'r');
		}
		archive_entry_set_size(ae, (la_int64_t)len);
		break;
	case 'd':
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, t->mode ? t->mode : 0755);
		break;
	case 'l':
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_perm(ae, 0777);
		archive_entry_set_symlink_utf8(ae, t->arg);
		break;
	case 'h':
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_hardlink_utf8(ae, t->arg);
		archive_entry_set_size(ae, 0);
		break;
	case 'c':
	case 'b':
		archive_entry_set_filetype(ae,
		    t->kind == 'c' ? AE_IFCHR : AE_IFBLK);
		archive_entry_set_perm(ae, 0600);
		archive_entry_set_rdev(ae, 0x0103);
		break;
	case 'p':
		archive_entry_set_filetype(ae, AE_IFIFO);
		archive_entry_set_perm(ae, 0600);
		break;
	default:
		goto out;
	}
	if (archive_write_header(a, ae) < ARCHIVE_WARN)
		goto out;
	if (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len)
		goto out;
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "# write %s: %s\n", name,
		    archive_error_string(a));
	free(data);
	archive_entry_free(ae);
	return ok;
}

/* Set up the writer for one format; false if libarchive cannot. */
static bool
set_format(struct archive *a, unsigned fmt)
{
	switch (fmt) {
	case F_TGZ:
		return archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
		    archive_write_set_format_pax_restricted(a) == ARCHIVE_OK;
	case F_ZIP:
		return archive_write_set_format_zip(a) == ARCHIVE_OK;
	case F_TAR:
		return archive_write_set_format_pax_restricted(a) == ARCHIVE_OK;
	case F_TBZ:
		return archive_write_add_filter_bzip2(a) == ARCHIVE_OK &&
		    archive_write_set_format_pax_restricted(a) == ARCHIVE_OK;
	case F_TXZ:
		return archive_write_add_filter_xz(a) == ARCHIVE_OK &&
		    archive_write_set_format_pax_restricted(a) == ARCHIVE_OK;
	case F_7Z:
		return archive_write_set_format_7zip(a) == ARCHIVE_OK;
	case F_ZIP64:
		return archive_write_set_format_zip(a) == ARCHIVE_OK &&
		    archive_write_set_options(a, "zip:zip64") == ARCHIVE_OK;
	case F_ZIPENC:
		return archive_write_set_format_zip(a) == ARCHIVE_OK &&
		    archive_write_set_options(a, "zip:encryption=zipcrypt") ==
		    ARCHIVE_OK &&
		    archive_write_set_passphrase(a, "secret") == ARCHIVE_OK;
	default:
		return false;
	}
}

/* Build the row's entries in one format; false: cannot (row skipped). */
static bool
build(const struct row *r, unsigned fmt, struct body *b)
{
	struct archive *a = archive_write_new();
	locale_t old = uselocale(utf8);
	size_t used = 0, i;
	unsigned k;
	char name[256];
	bool ok = false;

	b->p = malloc(BODY_MAX);
	if (a == NULL || b->p == NULL || !set_format(a, fmt))
		goto out;
	(void)archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, b->p, BODY_MAX, &used) != ARCHIVE_OK)
		goto out;
	for (i = 0; i < nitems(r->e) && r->e[i].kind != 0; i++) {
		const struct tent *t = &r->e[i];

		if (t->kind != 'n') {
			if (!add_entry(a, t, t->name))
				goto out;
			continue;
		}
		for (k = 0; k < t->count; k++) {
			(void)snprintf(name, sizeof(name), "%s%02u.tf", t->name,
			    k);
			if (!add_entry(a, t, name))
				goto out;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto out;
	b->len = used;
	ok = true;
out:
	archive_write_free(a);
	(void)uselocale(old);
	if (!ok) {
		free(b->p);
		b->p = NULL;
	}
	return ok;
}

/* Wrap the body in one more gzip layer (libarchive's raw format). */
static bool
regzip(struct body *b)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	unsigned char *p = malloc(BODY_MAX);
	size_t used = 0;
	bool ok = false;

	if (a == NULL || ae == NULL || p == NULL ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_open_memory(a, p, BODY_MAX, &used) != ARCHIVE_OK)
		goto out;
	archive_entry_set_pathname(ae, "body");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_size(ae, (la_int64_t)b->len);
	if (archive_write_header(a, ae) != ARCHIVE_OK ||
	    archive_write_data(a, b->p, b->len) != (la_ssize_t)b->len ||
	    archive_write_close(a) != ARCHIVE_OK)
		goto out;
	free(b->p);
	b->p = p;
	b->len = used;
	p = NULL;
	ok = true;
out:
	free(p);
	archive_entry_free(ae);
	archive_write_free(a);
	return ok;
}

static unsigned char *
find(unsigned char *p, size_t len, const char *s, int nth)
{
	size_t n = strlen(s), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (memcmp(p + i, s, n) == 0 && nth-- == 0)
			return p + i;
	return NULL;
}

static void
put_le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

/* Patch every zip record with sig: the u16 or u32 at off. */
static bool
zip_patch(struct body *b, const char *sig, size_t off, uint32_t v, int w)
{
	unsigned char *q;
	int i;
	bool any = false;

	for (i = 0; (q = find(b->p, b->len, sig, i)) != NULL; i++) {
		if (w == 2)
			put_le16(q + off, v);
		else
			put_le32(q + off, v);
		any = true;
	}
	return any;
}

static bool
mutate(const struct row *r, struct body *b)
{
	static const char junk[] = "not an archive, just some text\n";
	unsigned char *q;

	switch (r->mut) {
	case M_NONE:
		return true;
	case M_EMPTY:
		b->len = 0;
		return true;
	case M_GARBAGE:
		memcpy(b->p, junk, sizeof(junk) - 1);
		b->len = sizeof(junk) - 1;
		return true;
	case M_HALF:
		b->len /= 2;
		return true;
	case M_CUT80:
		b->len = b->len * 8 / 10;
		return true;
	case M_GZCRC:
		b->p[b->len - 8] ^= 0x01;
		return true;
	case M_REGZIP:
		return regzip(b);
	case M_APPEND:
		memcpy(b->p + b->len, junk, sizeof(junk) - 1);
		b->len += sizeof(junk) - 1;
		return true;
	case M_CDNAME:
	case M_LOCNAME:
		/* to may hold a NUL: copy strlen(from) bytes */
		q = find(b->p, b->len, r->from, r->mut == M_CDNAME ? 1 : 0);
		if (q == NULL)
			return false;
		memcpy(q, r->to, strlen(r->from));
		return true;
	case M_CDEMPTY:
		/* the name's bytes become extra field bytes */
		q = find(b->p, b->len, r->from, 1);
		if (q == NULL || q - b->p < 46)
			return false;
		put_le16(q - 46 + 30,
		    (unsigned)(q[-46 + 30] | q[-46 + 31] << 8) +
		        (unsigned)strlen(r->from));
		put_le16(q - 46 + 28, 0);
		return true;
	case M_METHOD:
		return zip_patch(b, "PK\3\4", 8, 12, 2) &&
		    zip_patch(b, "PK\1\2", 10, 12, 2);
	case M_USIZE:
		/* central directory, local header, data descriptor */
		(void)zip_patch(b, "PK\7\10", 12, 10, 4);
		return zip_patch(b, "PK\1\2", 24, 10, 4) &&
		    zip_patch(b, "PK\3\4", 22, 10, 4);
	case M_FLIPDATA:
		b->p[b->len / 2] ^= 0x55;
		return true;
	}
	return false;
}

static const char *
fmt_name(unsigned fmt)
{
	switch (fmt) {
	case F_TGZ:
		return "tar.gz";
	case F_ZIP:
		return "zip";
	case F_TAR:
		return "tar";
	case F_TBZ:
		return "tar.bz2";
	case F_TXZ:
		return "tar.xz";
	case F_ZIP64:
		return "zip64";
	case F_ZIPENC:
		return "encrypted zip";
	default:
		return "7z";
	}
}

/* Inspect from memory and from a file; both must agree with the row. */
static void
check(const struct row *r, unsigned fmt, const struct body *b)
{
	struct archw_result mres, fres;
	char mwhy[256], fwhy[256], path[512];
	enum reg_err mer, fer;
	off_t off = -1;
	int fd;

	memset(&mres, 0xa5, sizeof(mres));
	memset(&fres, 0xa5, sizeof(fres));
	mer = archw_inspect_mem(b->len > 0 ? b->p : NULL, b->len, &lim, &mres,
	    mwhy, sizeof(mwhy));

	(void)snprintf(path, sizeof(path), "%s/body", t_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, b->p, b->len) != (ssize_t)b->len ||
	    lseek(fd, 5, SEEK_SET) != 5) {
		T_OK(false, "%s (%s): write the body: %s", r->what,
		    fmt_name(fmt), strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	fer = archw_inspect_fd(fd, &lim, &fres, fwhy, sizeof(fwhy));
	off = lseek(fd, 0, SEEK_CUR);
	close(fd);

	T_OK(mer == r->want, "%s (%s): mem gives %s, want %s [%s]", r->what,
	    fmt_name(fmt), reg_err_str(mer), reg_err_str(r->want), mwhy);
	T_OK(fer == mer && strcmp(fwhy, mwhy) == 0 && off == 5,
	    "%s (%s): fd agrees [%s] and its offset stays (%ld)", r->what,
	    fmt_name(fmt), fwhy, (long)off);
	if (r->want != REG_OK) {
		T_OK(strstr(mwhy, r->why) != NULL, "%s (%s): why has \"%s\"",
		    r->what, fmt_name(fmt), r->why);
		return;
	}
	T_OK(mwhy[0] == '\0' && strcmp(mres.format, fmt_name(fmt)) == 0 &&
	        memcmp(&mres, &fres, sizeof(mres)) == 0 &&
	        (r->entries < 0 || mres.entries == (uint64_t)r->entries) &&
	        (r->tf < 0 || mres.tf_files == (uint64_t)r->tf) &&
	        mres.bytes <= lim.max_bytes,
	    "%s (%s): result %s entries=%ju tf=%ju bytes=%ju", r->what,
	    fmt_name(fmt), mres.format, (uintmax_t)mres.entries,
	    (uintmax_t)mres.tf_files, (uintmax_t)mres.bytes);
}

/* The usual main.tf, as the fields of a struct tent. */
#define TF_MAIN 'f', "main.tf", "variable \"x\" {}\n", 0, 0, 0
#define BOTH (F_TGZ | F_ZIP)
#define NOARCH "body is not a .tar.gz or .zip archive"

static const struct row rows[] = {
	/* good */
	{ "module tree", BOTH,
	    { { TF_MAIN },
	        { 'f', "variables.tf", "variable \"y\" {}\n", 0, 0, 0 },
	        { 'd', "modules/sub/", NULL, 0, 0, 0 },
	        { 'f', "modules/sub/main.tf", "# sub\n", 0, 0, 0 },
	        { 'f', "README.md", "# module\n", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 5, 3 },
	{ "directory entry ./", BOTH,
	    { { 'd', "./", NULL, 0, 0, 0 },
	        { 'f', "./main.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "sibling symlink b.tf -> a.tf", BOTH,
	    { { 'f', "a.tf", "x", 0, 0, 0 }, { 'l', "b.tf", "a.tf", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "symlink up inside: a/l -> ../main.tf", BOTH,
	    { { TF_MAIN }, { 'l', "a/l", "../main.tf", 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "hard link to an earlier file", F_TGZ,
	    { { TF_MAIN }, { 'h', "copy.tf", "main.tf", 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "only main.tf.json", BOTH, { { 'f', "main.tf.json", "{}", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 1, 1 },
	{ ".tf file only in a subdirectory", BOTH,
	    { { 'f', "README.md", "x", 0, 0, 0 },
	        { 'f', "examples/a/main.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "setgid directory is kept", F_TGZ,
	    { { 'd', "shared/", NULL, 0, 0, 02775 }, { TF_MAIN } }, M_NONE,
	    NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "non-ascii names without symlinks", BOTH,
	    { { TF_MAIN }, { 'f', "r\xc3\xa9sum\xc3\xa9.md", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 2, 1 },
	{ "exactly max_entries", BOTH, { { 'n', "f", NULL, 1, 16, 0 } }, M_NONE,
	    NULL, NULL, REG_OK, NULL, 16, 16 },
	{ "exactly max_bytes", BOTH, { { 'r', "main.tf", NULL, 65536, 0, 0 } },
	    M_NONE, NULL, NULL, REG_OK, NULL, 1, 1 },

	/* not a .tar.gz or .zip */
	{ "empty body", F_TGZ, { { TF_MAIN } }, M_EMPTY, NULL, NULL, REG_EINVAL,
	    NOARCH, 0, 0 },
	{ "garbage bytes", F_TGZ, { { TF_MAIN } }, M_GARBAGE, NULL, NULL,
	    REG_EINVAL, NOARCH, 0, 0 },
	{ "plain uncompressed tar", F_TAR, { { TF_MAIN } }, M_NONE, NULL, NULL,
	    REG_EINVAL, NOARCH " (uncompressed tar)", 0, 0 },
	{ "bzip2 tar", F_TBZ, { { TF_MAIN } }, M_NONE, NULL, NULL, REG_EINVAL,
	    NOARCH, 0, 0 },
	{ "xz tar", F_TXZ, { { TF_MAIN } }, M_NONE, NULL, NULL, REG_EINVAL,
	    NOARCH, 0, 0 },
	{ "7z", F_7Z, { { TF_MAIN } }, M_NONE, NULL, NULL, REG_EINVAL, NOARCH,
	    0, 0 },
	{ "tar.gz gzipped again", F_TGZ, { { TF_MAIN } }, M_REGZIP, NULL, NULL,
	    REG_EINVAL, NOARCH, 0, 0 },
	{ "gzipped zip", F_ZIP, { { TF_MAIN } }, M_REGZIP, NULL, NULL,
	    REG_EINVAL, NOARCH, 0, 0 },

	/* corrupt */
	{ "truncated gzip (half)", F_TGZ, { { TF_MAIN } }, M_HALF, NULL, NULL,
	    REG_EINVAL, "truncated gzip input", 0, 0 },
	{ "truncated gzip (80%)", F_TGZ,
	    { { TF_MAIN }, { 'r', "blob.bin", NULL, 40000, 0, 0 } }, M_CUT80,
	    NULL, NULL, REG_EINVAL, ": truncated gzip input", 0, 0 },
	{ "gzip crc mismatch", F_TGZ,
	    { { TF_MAIN }, { 'r', "blob.bin", NULL, 4000, 0, 0 } }, M_GZCRC,
	    NULL, NULL, REG_EINVAL, "archive is unreadable: gzip checksum", 0,
	    0 },
	{ "tar.gz with trailing junk", F_TGZ, { { TF_MAIN } }, M_APPEND, NULL,
	    NULL, REG_EINVAL, "archive is unreadable: gzip checksum", 0, 0 },
	{ "zip data corrupted", F_ZIP,
	    { { 'r', "main.tf", NULL, 40000, 0, 0 } }, M_FLIPDATA, NULL, NULL,
	    REG_EINVAL, "archive is unreadable: ", 0, 0 },
	{ "truncated zip", F_ZIP, { { TF_MAIN } }, M_HALF, NULL, NULL,
	    REG_EINVAL, NOARCH, 0, 0 },
	{ "zip with trailing junk", F_ZIP, { { TF_MAIN } }, M_APPEND, NULL,
	    NULL, REG_EINVAL, "trailing data", 0, 0 },

	/* paths */
	{ "absolute path", BOTH,
	    { { TF_MAIN }, { 'f', "/etc/x.tf", "x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "entry \"/etc/x.tf\": absolute path", 0, 0 },
	{ "../x.tf", BOTH, { { TF_MAIN }, { 'f', "../x.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "entry \"../x.tf\": path escapes the archive", 0, 0 },
	{ "a/../../x.tf", BOTH,
	    { { TF_MAIN }, { 'f', "a/../../x.tf", "x", 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_EUNPROC, "entry \"a/../../x.tf\": path escapes", 0,
	    0 },
	{ "a/../b.tf (inside, still refused)", BOTH,
	    { { TF_MAIN }, { 'f', "a/../b.tf", "x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "path escapes the archive", 0, 0 },
	{ "control character in a name", BOTH,
	    { { TF_MAIN }, { 'f', "a\x1b[2Jb.tf", "x", 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_EUNPROC,
	    "entry \"a\\x1b[2Jb.tf\": control character in the path", 0, 0 },
	{ "backslash in a zip name", F_ZIP,
	    { { TF_MAIN }, { 'f', "..\\x.tf", "x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "backslash in the path", 0, 0 },
	{ "backslash in a tar name", F_TGZ,
	    { { TF_MAIN }, { 'f', "a\\b.tf", "x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "backslash in the path", 0, 0 },
	{ "drive letter", BOTH,
	    { { TF_MAIN }, { 'f', "c:x.tf", "x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "colon in the path", 0, 0 },
	{ "empty zip name", F_ZIP,
	    { { TF_MAIN }, { 'f', "e.tf", "x", 0, 0, 0 } }, M_CDEMPTY, "e.tf",
	    NULL, REG_EUNPROC, "empty name", 0, 0 },
	{ "NUL in a zip name", F_ZIP,
	    { { TF_MAIN }, { 'f', "e.tf", "x", 0, 0, 0 } }, M_CDNAME, "e.tf",
	    "e\0tf", REG_EUNPROC, "control character in the path", 0, 0 },
	{ "a regular file named .", F_TGZ,
	    { { TF_MAIN }, { 'f', ".", "x", 0, 0, 0 } }, M_NONE, NULL, NULL,
	    REG_EUNPROC, "names the archive root", 0, 0 },

	/* links */
	{ "symlink to /etc/passwd", BOTH,
	    { { TF_MAIN }, { 'l', "passwd", "/etc/passwd", 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_EUNPROC,
	    "entry \"passwd\": symlink target \"/etc/passwd\" is absolute", 0,
	    0 },
	{ "symlink a/l -> ../../x", BOTH,
	    { { TF_MAIN }, { 'l', "a/l", "../../x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC,
	    "entry \"a/l\": symlink target \"../../x\" escapes the archive", 0,
	    0 },
	{ "symlink l -> ..", BOTH, { { TF_MAIN }, { 'l', "l", "..", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "escapes the archive", 0, 0 },
	{ "symlink with .. after a name", BOTH,
	    { { TF_MAIN }, { 'l', "a/l", "x/../../y", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "has \"..\" after a name", 0, 0 },
	{ "entry under a symlink to .", BOTH,
	    { { TF_MAIN }, { 'l', "l", ".", 0, 0, 0 },
	        { 'f', "l/x.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "path \"l/x.tf\" goes through symlink \"l\"", 0, 0 },
	{ "symlink chain that climbs out", F_TGZ,
	    { { TF_MAIN }, { 'd', "e/", NULL, 0, 0, 0 },
	        { 'l', "e/u", "..", 0, 0, 0 }, { 'l', "e/d", "u", 0, 0, 0 },
	        { 'l', "e/d/m", "../../x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "path \"e/d/m\" goes through symlink \"e/d\"", 0, 0 },
	{ "entry under a symlink, other case", BOTH,
	    { { TF_MAIN }, { 'l', "L", "sub", 0, 0, 0 },
	        { 'f', "l/x.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "path \"l/x.tf\" goes through symlink \"l\"", 0, 0 },
	{ "symlinks with non-ascii names", BOTH,
	    { { TF_MAIN }, { 'l', "k", "main.tf", 0, 0, 0 },
	        { 'f', "\xe2\x84\xaa/x.md", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "symlinks and non-ascii names", 0,
	    0 },
	{ "hard link to /etc/shadow", F_TGZ,
	    { { TF_MAIN }, { 'h', "h", "/etc/shadow", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC,
	    "entry \"h\": hard link target \"/etc/shadow\": absolute path", 0,
	    0 },
	{ "hard link escaping", F_TGZ,
	    { { TF_MAIN }, { 'h', "h", "a/../../x", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "hard link target \"a/../../x\": path escapes",
	    0, 0 },
	{ "hard link through a symlink", F_TGZ,
	    { { TF_MAIN }, { 'l', "l", ".", 0, 0, 0 },
	        { 'h', "h", "l/main.tf", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "path \"l/main.tf\" goes through symlink", 0, 0 },

	/* entry types and modes */
	{ "character device", F_TGZ,
	    { { TF_MAIN }, { 'c', "dev/tty", 0, 0, 0, 0 } }, M_NONE, NULL, NULL,
	    REG_EUNPROC, "entry \"dev/tty\": device entries are not allowed", 0,
	    0 },
	{ "block device", F_TGZ, { { TF_MAIN }, { 'b', "sda", 0, 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "device entries are not allowed",
	    0, 0 },
	{ "fifo", F_TGZ, { { TF_MAIN }, { 'p', "fifo", 0, 0, 0, 0 } }, M_NONE,
	    NULL, NULL, REG_EUNPROC,
	    "entry \"fifo\": fifo entries are not allowed", 0, 0 },
	{ "setuid file", BOTH,
	    { { TF_MAIN }, { 'f', "run.sh", "#!/bin/sh\n", 0, 0, 04755 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "entry \"run.sh\": setuid/setgid files are not allowed", 0, 0 },
	{ "setgid file", F_TGZ,
	    { { TF_MAIN }, { 'f', "run.sh", "#!/bin/sh\n", 0, 0, 02755 } },
	    M_NONE, NULL, NULL, REG_EUNPROC,
	    "setuid/setgid files are not allowed", 0, 0 },

	/* no .tf */
	{ "only README.md", BOTH, { { 'f', "README.md", "# hi\n", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "archive contains no .tf file", 0,
	    0 },
	{ "only a hidden .tf", BOTH, { { 'f', ".hidden.tf", "x", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "archive contains no .tf file", 0,
	    0 },
	{ "a .tf that is a directory or symlink", BOTH,
	    { { 'd', "x.tf/", NULL, 0, 0, 0 }, { 'f', "a.md", "x", 0, 0, 0 },
	        { 'l', "y.tf", "a.md", 0, 0, 0 } },
	    M_NONE, NULL, NULL, REG_EUNPROC, "archive contains no .tf file", 0,
	    0 },

	/* limits */
	{ "too many entries", BOTH, { { 'n', "f", NULL, 1, 17, 0 } }, M_NONE,
	    NULL, NULL, REG_ETOOBIG, "archive has more than 16 entries", 0, 0 },
	{ "one big file", BOTH,
	    { { TF_MAIN }, { 'f', "big.bin", 0, 65537, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_ETOOBIG, "archive has more than 65536 bytes of file data",
	    0, 0 },
	{ "many small files", BOTH, { { 'n', "s", NULL, 5000, 14, 0 } }, M_NONE,
	    NULL, NULL, REG_ETOOBIG, "more than 65536 bytes", 0, 0 },
	{ "zip sizes understated (bomb)", F_ZIP,
	    { { 'f', "big.tf", 0, 1u << 20, 0, 0 } }, M_USIZE, NULL, NULL,
	    REG_ETOOBIG, "more than 65536 bytes", 0, 0 },

	/* zip central directory against local headers */
	{ "zip name differs in the central directory", F_ZIP,
	    { { TF_MAIN }, { 'f', "evil.tf", "x", 0, 0, 0 } }, M_CDNAME,
	    "evil.tf", "good.tf", REG_EINVAL,
	    "zip local header does not match the central directory", 0, 0 },
	{ "zip .. only in the central directory", F_ZIP,
	    { { TF_MAIN }, { 'f', "evil.tf", "x", 0, 0, 0 } }, M_CDNAME,
	    "evil.tf", "../x.tf", REG_EUNPROC,
	    "entry \"../x.tf\": path escapes", 0, 0 },
	{ "zip .. only in the local header", F_ZIP,
	    { { TF_MAIN }, { 'f', "evil.tf", "x", 0, 0, 0 } }, M_LOCNAME,
	    "evil.tf", "../x.tf", REG_EINVAL,
	    "does not match the central directory", 0, 0 },
	{ "zip method not stored/deflate", F_ZIP, { { TF_MAIN } }, M_METHOD,
	    NULL, NULL, REG_EUNPROC, "zip compression method", 0, 0 },
	{ "zip64", F_ZIP64, { { TF_MAIN } }, M_NONE, NULL, NULL, REG_EUNPROC,
	    "zip64", 0, 0 },
	{ "encrypted zip", F_ZIPENC, { { TF_MAIN } }, M_NONE, NULL, NULL,
	    REG_EUNPROC, "entry \"main.tf\": encrypted zip entries", 0, 0 },
	{ "zip duplicate names", F_ZIP,
	    { { TF_MAIN }, { 'f', "main.tf", "y", 0, 0, 0 } }, M_NONE, NULL,
	    NULL, REG_EUNPROC, "duplicate zip entry", 0, 0 },
};

static void
test_rows(void)
{
	static const unsigned fmts[] = { F_TGZ, F_ZIP, F_TAR, F_TBZ, F_TXZ,
		F_7Z, F_ZIP64, F_ZIPENC };
	struct body b;
	size_t i, k;

	for (i = 0; i < nitems(rows); i++) {
		for (k = 0; k < nitems(fmts); k++) {
			if (!(rows[i].fmts & fmts[k]))
				continue;
			if (!build(&rows[i], fmts[k], &b)) {
				/* e.g. no bzip2/xz writer in this libarchive */
				printf("# skip %s (%s): cannot build\n",
				    rows[i].what, fmt_name(fmts[k]));
				continue;
			}
			if (mutate(&rows[i], &b))
				check(&rows[i], fmts[k], &b);
			else
				T_OK(false, "%s (%s): mutation failed",
				    rows[i].what, fmt_name(fmts[k]));
			free(b.p);
		}
	}
}

/*
 * A body big enough that libarchive reads the first header before the
 * cut: the error comes from the stream, not from format detection.
 */
static void
test_midstream(void)
{
	static const struct archw_limits big = { 16, 4u << 20 };
	static const struct row r = { "midstream", F_TGZ,
		{ { TF_MAIN }, { 'r', "blob.bin", NULL, 1u << 20, 0, 0 } },
		M_NONE, NULL, NULL, REG_EINVAL, NULL, 0, 0 };
	static const size_t cut[] = { 300000, 600000, 900000 };
	struct archw_result res;
	struct body b;
	char why[256];
	enum reg_err er;
	size_t i;

	if (!build(&r, F_TGZ, &b)) {
		T_OK(false, "build");
		return;
	}
	er = archw_inspect_mem(b.p, b.len, &big, &res, why, sizeof(why));
	T_OK(er == REG_OK && res.bytes == (1u << 20) + 16,
	    "whole body: %s [%s]", reg_err_str(er), why);
	for (i = 0; i < nitems(cut); i++) {
		er = archw_inspect_mem(b.p, cut[i], &big, &res, why,
		    sizeof(why));
		T_OK(er == REG_EINVAL &&
		        strcmp(why,
		            "archive is unreadable: truncated gzip "
		            "input") == 0,
		    "cut at %zu of %zu: %s [%s]", cut[i], b.len,
		    reg_err_str(er), why);
	}
	free(b.p);
}

/* why: NULL is allowed, a short buffer is truncated and terminated. */
static void
test_why(void)
{
	static const struct row r = { "why", F_TGZ,
		{ { 'f', "../x.tf", "x", 0, 0, 0 } }, M_NONE, NULL, NULL,
		REG_EUNPROC, NULL, 0, 0 };
	struct archw_result res;
	struct body b;
	char why[8];

	if (!build(&r, F_TGZ, &b)) {
		T_OK(false, "build");
		return;
	}
	T_OK(archw_inspect_mem(b.p, b.len, &lim, &res, NULL, 0) == REG_EUNPROC,
	    "why == NULL is fine");
	memset(why, 'z', sizeof(why));
	T_OK(archw_inspect_mem(b.p, b.len, &lim, &res, why, sizeof(why)) ==
	            REG_EUNPROC &&
	        strcmp(why, "entry \"") == 0,
	    "why truncated to its size: \"%s\"", why);
	free(b.p);
}

/* A pipe or a directory is not a body: REG_ESYS, not a crash. */
static void
test_bad_fd(void)
{
	struct archw_result res;
	char why[64];
	int p[2];

	if (pipe(p) == -1) {
		T_OK(false, "pipe");
		return;
	}
	T_OK(archw_inspect_fd(p[0], &lim, &res, why, sizeof(why)) == REG_ESYS,
	    "a pipe gives REG_ESYS");
	close(p[0]);
	close(p[1]);
	T_OK(archw_inspect_fd(-1, &lim, &res, why, sizeof(why)) == REG_ESYS,
	    "a closed fd gives REG_ESYS");
}

int
main(void)
{
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 == (locale_t)0) {
		perror("newlocale C.UTF-8");
		return 2;
	}
	test_rows();
	test_midstream();
	test_why();
	test_bad_fd();
	freelocale(utf8);
	return t_done();
}
