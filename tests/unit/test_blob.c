/*
 * storage/blob.c: uploads streamed into a real directory under t_tmpdir(),
 * checked against a one-shot SHA-256 of the same bytes; limits, commit
 * twice, abandoned uploads, leftover clean-up and the digest grammar.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../common/cryptow.h"
#include "../../storage/blob.h"

static char blobdir[512];

/* Entries in <blobdir>/tmp other than "." and "..". */
static int
count_tmp(void)
{
	char path[600];
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)snprintf(path, sizeof(path), "%s/tmp", blobdir);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	(void)closedir(d);
	return n;
}

/* Stream data in chunks of step bytes (0: one write) and commit. */
static bool
put_blob(const unsigned char *data, size_t len, size_t step, char digest[65],
    struct stat *sb)
{
	struct blob_writer *w = NULL;
	char want[65], rel[BLOB_RELPATH_SZ], path[700];
	unsigned char *back = NULL;
	uint64_t size = 0;
	enum reg_err er;
	size_t off, n;
	bool ok = false;

	if (!T_OK(cryptow_sha256_hex(data, len, want) == REG_OK, "sha256"))
		return false;
	if (!T_OK(blob_writer_new(blobdir, &w) == REG_OK, "writer_new"))
		return false;
	for (off = 0; off < len; off += n) {
		n = step == 0 || step > len - off ? len - off : step;
		if (blob_writer_write(w, data + off, n, 0) != REG_OK)
			break;
	}
	if (!T_OK(off >= len, "wrote %zu bytes in steps of %zu", len, step))
		goto out;
	memset(digest, 0, 65);
	er = blob_writer_finish(w, digest, &size);
	if (!T_OK(er == REG_OK && strcmp(digest, want) == 0 && size == len,
	        "finish: digest %.12s.. size %llu", digest,
	        (unsigned long long)size))
		goto out;
	back = malloc(len + 1);
	T_OK(back != NULL &&
	        pread(blob_writer_fd(w), back, len + 1, 0) == (ssize_t)len &&
	        memcmp(back, data, len) == 0,
	    "the fd reads back the bytes from offset 0");
	if (!T_OK(blob_writer_commit(w) == REG_OK, "commit"))
		goto out;
	T_OK(blob_writer_commit(w) == REG_OK, "commit again is a no-op");
	if (!T_OK(blob_relpath(digest, rel, sizeof(rel)) == REG_OK, "relpath"))
		goto out;
	(void)snprintf(path, sizeof(path), "%s/%s", blobdir, rel);
	ok = T_OK(stat(path, sb) == 0 && (uint64_t)sb->st_size == len &&
	        (sb->st_mode & 07777) == 0644,
	    "%s exists, %zu bytes, mode 0644", rel, len);
out:
	free(back);
	blob_writer_free(w);
	return ok;
}

static void
test_roundtrip(void)
{
	static const struct {
		size_t len;
		size_t step;
	} cases[] = {
		{ 0, 0 },
		{ 1, 0 },
		{ 5, 1 },
		{ 4096, 7 },
		{ 100000, 4096 },
		{ 300000, 65536 },
		{ 300000, 0 },
	};
	unsigned char *data;
	char digest[65], first[65];
	struct stat sb, sb2;
	size_t i, j;

	data = malloc(300000);
	if (data == NULL) {
		T_OK(0, "malloc");
		return;
	}
	for (i = 0; i < nitems(cases); i++) {
		for (j = 0; j < cases[i].len; j++)
			data[j] = (unsigned char)(j * 31 + i);
		(void)put_blob(data, cases[i].len, cases[i].step, digest, &sb);
		T_OK(count_tmp() == 0, "tmp/ empty after commit");
	}

	/* The same bytes again: the committed file is kept as it was. */
	memcpy(data, "same content", 12);
	if (put_blob(data, 12, 0, first, &sb) &&
	    put_blob(data, 12, 5, digest, &sb2))
		T_OK(strcmp(first, digest) == 0 && sb.st_ino == sb2.st_ino,
		    "second commit of identical content keeps the first file");
	T_OK(count_tmp() == 0, "and drops its temp file");
	free(data);
}

static void
test_limits(void)
{
	static const struct {
		uint64_t max;
		size_t writes[4]; /* 0 ends */
		enum reg_err want[4];
	} cases[] = {
		{ 10, { 5, 5, 1, 0 }, { REG_OK, REG_OK, REG_ETOOBIG } },
		{ 10, { 11, 10, 0 }, { REG_ETOOBIG, REG_OK } },
		{ 10, { 9, 2, 1, 0 }, { REG_OK, REG_ETOOBIG, REG_OK } },
		{ 0, { 64, 64, 64, 0 }, { REG_OK, REG_OK, REG_OK } },
	};
	static const unsigned char buf[64];
	struct blob_writer *w;
	char digest[65];
	uint64_t size;
	enum reg_err er;
	size_t i, j, want;

	for (i = 0; i < nitems(cases); i++) {
		w = NULL;
		if (!T_OK(blob_writer_new(blobdir, &w) == REG_OK, "new"))
			continue;
		want = 0;
		for (j = 0; j < 4 && cases[i].writes[j] != 0; j++) {
			T_OK(blob_writer_write(w, buf, cases[i].writes[j],
			         cases[i].max) == cases[i].want[j],
			    "limits %zu: write %zu of max %llu is %d", i,
			    cases[i].writes[j],
			    (unsigned long long)cases[i].max,
			    (int)cases[i].want[j]);
			if (cases[i].want[j] == REG_OK)
				want += cases[i].writes[j];
		}
		size = 0;
		er = blob_writer_finish(w, digest, &size);
		T_OK(er == REG_OK && size == want,
		    "refused writes wrote nothing (size %llu)",
		    (unsigned long long)size);
		blob_writer_free(w);
	}
	T_OK(count_tmp() == 0, "tmp/ empty after the limit cases");
}

static void
test_abandon(void)
{
	struct blob_writer *w = NULL;

	if (!T_OK(blob_writer_new(blobdir, &w) == REG_OK, "new"))
		return;
	T_OK(count_tmp() == 1, "temp file exists while writing");
	T_OK(blob_writer_commit(w) == REG_EINVAL,
	    "commit before finish is REG_EINVAL");
	T_OK(blob_writer_write(w, "abc", 3, 0) == REG_OK, "write");
	T_OK(blob_writer_finish(w, NULL, NULL) == REG_OK,
	    "finish with NULL out-params");
	T_OK(blob_writer_write(w, "d", 1, 0) == REG_EINVAL,
	    "write after finish is REG_EINVAL");
	T_OK(blob_writer_fd(w) >= 0, "fd");
	blob_writer_free(w);
	T_OK(count_tmp() == 0, "free without commit removed the temp file");
	blob_writer_free(NULL);
	T_OK(blob_writer_fd(NULL) == -1, "fd of NULL is -1");
}

static void
test_cleanup(void)
{
	static const struct {
		const char *name;
		bool removed;
	} files[] = {
		{ "upload-aaaaaa", true },
		{ "upload-zz0000", true },
		{ "keep.txt", false },
		{ "uploa", false },
	};
	char path[700], other[600];
	size_t i;
	int fd;

	for (i = 0; i < nitems(files); i++) {
		(void)snprintf(path, sizeof(path), "%s/tmp/%s", blobdir,
		    files[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		T_OK(fd != -1, "create %s", files[i].name);
		if (fd != -1)
			(void)close(fd);
	}
	T_OK(blob_cleanup_tmp(blobdir) == 2, "two leftovers removed");
	for (i = 0; i < nitems(files); i++) {
		(void)snprintf(path, sizeof(path), "%s/tmp/%s", blobdir,
		    files[i].name);
		T_OK((access(path, F_OK) != 0) == files[i].removed, "%s %s",
		    files[i].name, files[i].removed ? "removed" : "kept");
		(void)unlink(path);
	}
	T_OK(blob_cleanup_tmp(blobdir) == 0, "nothing left the second time");
	(void)snprintf(other, sizeof(other), "%s/none", t_tmpdir());
	T_OK(blob_cleanup_tmp(other) == 0, "missing directory: 0");
}

static void
test_relpath(void)
{
	static const char good[] =
	    "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
	static const struct {
		const char *digest;
		size_t outsz;
		enum reg_err want;
	} cases[] = {
		{ good, BLOB_RELPATH_SZ, REG_OK },
		{ good, 200, REG_OK },
		{ good, BLOB_RELPATH_SZ - 1, REG_ETOOBIG },
		{ "", BLOB_RELPATH_SZ, REG_EINVAL },
		{ "ab", BLOB_RELPATH_SZ, REG_EINVAL },
		/* 63 and 65 digits */
		{ "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abc",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abcde",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		/* upper case, non-hex, path characters */
		{ "AB0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abcd",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ "ag0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abcd",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ "../"
		  "123456789abcdef0123456789abcdef0123456789abcdef0123456789abc"
		  "d",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ "ab0123456789abcdef0123456789abcdef0123456789abcdef012345678/"
		  "abcd",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ " b0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
		  "abcd",
		    BLOB_RELPATH_SZ, REG_EINVAL },
		{ NULL, BLOB_RELPATH_SZ, REG_EINVAL },
	};
	char out[200];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		memset(out, 0, sizeof(out));
		T_OK(blob_relpath(cases[i].digest, out, cases[i].outsz) ==
		        cases[i].want,
		    "relpath case %zu is %d", i, (int)cases[i].want);
	}
	T_OK(blob_relpath(good, out, sizeof(out)) == REG_OK &&
	        strncmp(out, "sha256/ab/", 10) == 0 &&
	        strcmp(out + 10, good) == 0,
	    "relpath is sha256/ab/<hex> (%s)", out);
}

int
main(void)
{
	char bad[600];
	struct blob_writer *w = NULL;

	(void)snprintf(blobdir, sizeof(blobdir), "%s/blobs", t_tmpdir());
	if (blob_init_dir(blobdir) != REG_OK ||
	    blob_init_dir(blobdir) != REG_OK)
		return 2;
	T_OK(count_tmp() == 0, "init_dir twice; tmp/ exists and is empty");

	test_roundtrip();
	test_limits();
	test_abandon();
	test_cleanup();
	test_relpath();

	(void)snprintf(bad, sizeof(bad), "%s/no-such-blobdir", t_tmpdir());
	T_OK(blob_writer_new(bad, &w) == REG_ESYS && w == NULL,
	    "writer in a missing directory is REG_ESYS");
	return t_done();
}
