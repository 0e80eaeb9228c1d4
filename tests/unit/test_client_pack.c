/*
 * admin-tools/client_pack + common/archw_pack: a real directory tree in
 * a temporary directory is packed; the archive is the same bytes however
 * the tree's times and owners change, differs when a byte changes, has a
 * gzip header without timestamp, and is accepted by the registry's own
 * inspector (common/archw).  The registry's entry rules (names, symlink
 * targets) are a table; every refusal names the entry.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../admin-tools/client_pack.h"
#include "../../common/archw.h"

static char root[512];

static void
put(const char *rel, const char *text, mode_t mode)
{
	char p[1024];
	int fd;

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		perror(p);
		return;
	}
	if (write(fd, text, strlen(text)) < 0)
		perror(p);
	(void)fchmod(fd, mode);
	(void)close(fd);
}

static void
mkd(const char *rel)
{
	char p[1024];

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	(void)mkdir(p, 0700);
}

static void
link_to(const char *target, const char *rel)
{
	char p[1024];

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	(void)unlink(p);
	if (symlink(target, p) != 0)
		perror(p);
}

static void
rm(const char *rel)
{
	char p[1024];

	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	(void)unlink(p);
}

/* Pack root into a fresh temporary file; returns the fd or -1. */
static int
pack(int64_t mtime, struct client_pack *p, char *hex, enum reg_err *erp,
    char *err, size_t errsz)
{
	char path[600];
	uint64_t size;
	enum reg_err er;
	int fd;

	err[0] = '\0';
	client_pack_init(p);
	er = client_pack_scan(root, p, err, errsz);
	if (er != REG_OK) {
		*erp = er;
		return -1;
	}
	(void)snprintf(path, sizeof(path), "%s/out-XXXXXX", t_tmpdir());
	fd = mkstemp(path);
	if (fd < 0) {
		*erp = REG_ESYS;
		return -1;
	}
	(void)unlink(path);
	er = client_pack_write(root, p, mtime, fd, err, errsz);
	if (er == REG_OK)
		er = client_pack_digest(fd, hex, &size);
	*erp = er;
	if (er != REG_OK) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

static void
build_tree(void)
{
	(void)snprintf(root, sizeof(root), "%s/mod", t_tmpdir());
	(void)mkdir(root, 0755);
	put("main.tf", "output \"x\" { value = 1 }\n", 0600);
	put("variables.tf.json", "{}\n", 0644);
	mkd("scripts");
	put("scripts/run.sh", "#!/bin/sh\necho hi\n", 0700);
	mkd("empty");
	mkd(".git");
	put(".git/config", "[core]\n", 0644);
	mkd(".terraform");
	put(".terraform/x.tf", "x\n", 0644);
	put("debug.log", "noise\n", 0644);
	put("keep.log", "kept\n", 0644);
	mkd("build");
	put("build/out.bin", "junk\n", 0644);
	put(".terraformignore", "# test\n*.log\n!keep.log\nbuild/\n", 0644);
	link_to("scripts/run.sh", "run");
	link_to("../main.tf", "scripts/main-link.tf");
}

static void
test_scan_and_write(void)
{
	static const char *const want[] = { ".terraformignore", "empty",
		"keep.log", "main.tf", "run", "scripts", "scripts/main-link.tf",
		"scripts/run.sh", "variables.tf.json" };
	struct client_pack p1, p2;
	struct archw_limits lim = { 10000, 1 << 20 };
	struct archw_result res;
	struct timeval tv[2] = { { 1000000, 0 }, { 1000000, 0 } };
	char h1[65], h2[65], h3[65], err[512], why[256], path[1024];
	unsigned char hdr[10];
	enum reg_err er;
	size_t i;
	int fd1, fd2, fd3;
	bool same;

	fd1 = pack(0, &p1, h1, &er, err, sizeof(err));
	T_OK(fd1 >= 0, "pack: %s %s", reg_err_str(er), err);
	if (fd1 < 0)
		return;
	same = p1.n == nitems(want);
	for (i = 0; same && i < p1.n; i++)
		same = strcmp(p1.e[i].path, want[i]) == 0;
	T_OK(same,
	    "entries sorted, ignored ones (.git, .terraform, *.log but "
	    "keep.log, build/) left out (%zu entries)",
	    p1.n);
	T_OK(p1.tf_files == 2,
	    "two .tf files; a link to one does not count "
	    "(%zu)",
	    p1.tf_files);
	for (i = 0; i < p1.n; i++) {
		if (strcmp(p1.e[i].path, "main.tf") == 0)
			T_OK(p1.e[i].mode == 0644, "0600 file packed as 0644");
		if (strcmp(p1.e[i].path, "scripts/run.sh") == 0)
			T_OK(p1.e[i].mode == 0755,
			    "executable file packed as 0755");
		if (strcmp(p1.e[i].path, "scripts/main-link.tf") == 0)
			T_OK(p1.e[i].type == ARCHW_PACK_SYMLINK &&
			        strcmp(p1.e[i].target, "../main.tf") == 0,
			    "link inside the tree kept as a link");
	}
	T_OK(pread(fd1, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
	        hdr[0] == 0x1f && hdr[1] == 0x8b && hdr[3] == 0 &&
	        hdr[4] == 0 && hdr[5] == 0 && hdr[6] == 0 && hdr[7] == 0,
	    "gzip header: no file name, no timestamp");
	er = archw_inspect_fd(fd1, &lim, &res, why, sizeof(why));
	T_OK(er == REG_OK && res.entries == p1.n && res.tf_files == 2,
	    "the registry's inspector accepts it (%s: %s)", reg_err_str(er),
	    why);

	/* other times, other modes of the same content: same bytes */
	(void)snprintf(path, sizeof(path), "%s/main.tf", root);
	(void)utimes(path, tv);
	(void)chmod(path, 0640);
	(void)snprintf(path, sizeof(path), "%s/scripts", root);
	(void)utimes(path, tv);
	fd2 = pack(0, &p2, h2, &er, err, sizeof(err));
	T_OK(fd2 >= 0 && strcmp(h1, h2) == 0,
	    "same tree, other times and modes: same digest");
	client_pack_release(&p2);

	fd3 = pack(1700000000, &p2, h3, &er, err, sizeof(err));
	T_OK(fd3 >= 0 && strcmp(h1, h3) != 0,
	    "another SOURCE_DATE_EPOCH: another digest");
	client_pack_release(&p2);
	if (fd3 >= 0)
		(void)close(fd3);

	put("main.tf", "output \"x\" { value = 2 }\n", 0644);
	fd3 = pack(0, &p2, h3, &er, err, sizeof(err));
	T_OK(fd3 >= 0 && strcmp(h1, h3) != 0, "one byte changed: new digest");
	client_pack_release(&p2);
	if (fd3 >= 0)
		(void)close(fd3);
	put("main.tf", "output \"x\" { value = 1 }\n", 0644);

	client_pack_release(&p1);
	(void)close(fd1);
	if (fd2 >= 0)
		(void)close(fd2);
}

static void
test_refusals(void)
{
	struct client_pack p;
	char hex[65], err[512], path[1024];
	enum reg_err er;
	int fd;

	link_to("/etc/passwd", "abs-link");
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "abs-link") != NULL &&
	        strstr(err, "absolute") != NULL,
	    "absolute symlink refused, named (%s)", err);
	rm("abs-link");

	link_to("../../outside", "scripts/up");
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "scripts/up") != NULL &&
	        strstr(err, "outside") != NULL,
	    "symlink leaving the module refused (%s)", err);
	rm("scripts/up");

	put("c:colon.tf", "x\n", 0644);
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "colon") != NULL,
	    "colon in a name refused (%s)", err);
	rm("c:colon.tf");

	(void)snprintf(path, sizeof(path), "%s/fifo", root);
	if (mkfifo(path, 0600) == 0) {
		fd = pack(0, &p, hex, &er, err, sizeof(err));
		T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "fifo") != NULL,
		    "fifo refused (%s)", err);
		(void)unlink(path);
	}

	put("caf\xc3\xa9.txt", "x\n", 0644);
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "non-ASCII") != NULL,
	    "symlinks with non-ASCII names refused (%s)", err);
	rm("run");
	rm("scripts/main-link.tf");
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd >= 0, "non-ASCII names without symlinks are fine (%s)", err);
	client_pack_release(&p);
	if (fd >= 0)
		(void)close(fd);
	rm("caf\xc3\xa9.txt");

	put(".terraformignore", "*.tf\n*.json\n", 0644);
	fd = pack(0, &p, hex, &er, err, sizeof(err));
	T_OK(fd < 0 && er == REG_EUNPROC && strstr(err, "no .tf file") != NULL,
	    "no .tf file left refused (%s)", err);

	T_OK(client_pack_scan("/nonexistent/dir", &p, err, sizeof(err)) ==
	        REG_ENOENT,
	    "missing directory is REG_ENOENT");
}

static const struct {
	const char *name, *target, *rule; /* rule NULL: accepted */
} links[] = {
	{ "l", "main.tf", NULL },
	{ "l", "./main.tf", NULL },
	{ "a/l", "../main.tf", NULL },
	{ "a/b/l", "../../x/y", NULL },
	{ "a/l", "b/../c", "after a name" },
	{ "l", "../x", "outside" },
	{ "a/l", "../../x", "outside" },
	{ "l", "/etc/passwd", "absolute" },
	{ "l", "", "empty" },
	{ "l", "a\\b", "backslash" },
	{ "l", "c:x", "colon" },
	{ "l", "a\nb", "control" },
};

static void
test_link_rules(void)
{
	const char *r;
	size_t i;

	for (i = 0; i < nitems(links); i++) {
		r = client_pack_link_rule(links[i].name, links[i].target);
		T_OK(links[i].rule == NULL
		        ? r == NULL
		        : r != NULL && strstr(r, links[i].rule) != NULL,
		    "link %s -> row %zu: %s", links[i].name, i,
		    r != NULL ? r : "accepted");
	}
	T_OK(client_pack_is_tf("a/b.tf") && client_pack_is_tf("x.tf.json") &&
	        !client_pack_is_tf(".hidden.tf") && !client_pack_is_tf("tf") &&
	        !client_pack_is_tf("a.tfvars"),
	    ".tf file names as the registry counts them");
	T_OK(client_pack_name_rule("ok/name.tf") == NULL &&
	        client_pack_name_rule("bad\\name") != NULL &&
	        client_pack_name_rule("") != NULL,
	    "name rules");
}

int
main(void)
{
	build_tree();
	test_scan_and_write();
	test_refusals();
	test_link_rules();
	return t_done();
}
