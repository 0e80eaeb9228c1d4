/*
 * admin-tools/client_pack.c: see client_pack.h.
 *
 * Invariant: the walk never follows a symlink (lstat, O_NOFOLLOW), keeps
 * a queue instead of recursing, and stops at CLIENT_PACK_ENTRIES_MAX; a
 * file is packed only if it is still the regular file of the size the
 * scan saw.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin-tools/client_ignore.h"
#include "admin-tools/client_pack.h"
#include "common/codec.h"
#include "common/log.h"

#define CLIENT_PACK_SHOW 200

void
client_pack_init(struct client_pack *p)
{
	memset(p, 0, sizeof(*p));
}

void
client_pack_release(struct client_pack *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->e[i].path);
		free(p->e[i].target);
	}
	free(p->e);
	client_pack_init(p);
}

/* ---- the registry's rules ---- */

static const char *
client_pack_chars(const char *p)
{
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return "has a control character";
		if (c == '\\')
			return "has a backslash";
		if (c == ':')
			return "has a colon";
	}
	return NULL;
}

const char *
client_pack_name_rule(const char *name)
{
	if (name[0] == '\0')
		return "is empty";
	if (strlen(name) > CLIENT_PACK_PATH_MAX)
		return "is longer than 4096 bytes";
	return client_pack_chars(name);
}

/* ".." only as leading components, at most depth of them. */
static const char *
client_pack_link_climb(const char *target, size_t depth)
{
	size_t ups = 0;
	const char *p, *s;
	bool named = false;

	for (p = target; *p != '\0'; p = *s != '\0' ? s + 1 : s) {
		s = strchr(p, '/');
		if (s == NULL)
			s = p + strlen(p);
		if (s - p == 0 || (s - p == 1 && p[0] == '.'))
			continue;
		if (s - p != 2 || p[0] != '.' || p[1] != '.') {
			named = true;
			continue;
		}
		if (named)
			return "has \"..\" after a name";
		if (++ups > depth)
			return "points outside the module directory";
	}
	return NULL;
}

const char *
client_pack_link_rule(const char *name, const char *target)
{
	size_t depth = 0, i;

	for (i = 0; name[i] != '\0'; i++)
		if (name[i] == '/')
			depth++; /* directories above the link */
	if (target[0] == '\0')
		return "is empty";
	if (strlen(target) > CLIENT_PACK_PATH_MAX)
		return "is too long";
	if (target[0] == '/')
		return "is absolute";
	if (client_pack_chars(target) != NULL)
		return client_pack_chars(target);
	return client_pack_link_climb(target, depth);
}

bool
client_pack_is_tf(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base != NULL ? base + 1 : name;
	n = strlen(base);
	if (base[0] == '.')
		return false;
	return (n > 3 && strcmp(base + n - 3, ".tf") == 0) ||
	    (n > 8 && strcmp(base + n - 8, ".tf.json") == 0);
}

static bool
client_pack_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* ---- the walk ---- */

struct client_pack_walk {
	const char *root;
	struct client_ignore *ig;
	struct client_pack *p;
	char **queue; /* directories still to read (relative; "" = root) */
	size_t nq, capq;
	char *err;
	size_t errsz;
};

static char *
client_pack_show(char *dst, size_t dstsz, const char *s)
{
	return log_escape(dst, dstsz, s, strlen(s));
}

static enum reg_err
client_pack_add(struct client_pack_walk *w, const struct client_pack_entry *e)
{
	struct client_pack_entry *ne;
	size_t cap;

	if (w->p->n >= CLIENT_PACK_ENTRIES_MAX) {
		(void)snprintf(w->err, w->errsz,
		    "more than %d entries: the registry refuses archives that "
		    "large; list what is not part of the module in "
		    ".terraformignore",
		    CLIENT_PACK_ENTRIES_MAX);
		return REG_ETOOBIG;
	}
	if (w->p->n == w->p->cap) {
		cap = w->p->cap == 0 ? 64 : w->p->cap * 2;
		ne = reallocarray(w->p->e, cap, sizeof(*ne));
		if (ne == NULL)
			return REG_ENOMEM;
		w->p->e = ne;
		w->p->cap = cap;
	}
	w->p->e[w->p->n++] = *e;
	return REG_OK;
}

static enum reg_err
client_pack_push(struct client_pack_walk *w, const char *rel)
{
	char **nq, *d;
	size_t cap;

	if (w->nq == w->capq) {
		cap = w->capq == 0 ? 16 : w->capq * 2;
		nq = reallocarray(w->queue, cap, sizeof(*nq));
		if (nq == NULL)
			return REG_ENOMEM;
		w->queue = nq;
		w->capq = cap;
	}
	d = strdup(rel);
	if (d == NULL)
		return REG_ENOMEM;
	w->queue[w->nq++] = d;
	return REG_OK;
}

/* Refuse entry rel with reason, naming it. */
static enum reg_err
client_pack_refuse(struct client_pack_walk *w, const char *rel,
    const char *reason, const char *advice)
{
	char show[CLIENT_PACK_SHOW];

	(void)snprintf(w->err, w->errsz, "%s: \"%s\" %s: %s", w->root,
	    client_pack_show(show, sizeof(show), rel), reason, advice);
	return REG_EUNPROC;
}

static enum reg_err
client_pack_link(struct client_pack_walk *w, const char *full, const char *rel,
    struct client_pack_entry *e)
{
	char t[CLIENT_PACK_PATH_MAX + 1], show[CLIENT_PACK_SHOW];
	char msg[CLIENT_PACK_SHOW + 64];
	const char *rule;
	ssize_t n;

	n = readlink(full, t, sizeof(t));
	if (n < 0) {
		(void)snprintf(w->err, w->errsz,
		    "cannot read the symlink %s: %s", full, strerror(errno));
		return REG_ESYS;
	}
	if ((size_t)n >= sizeof(t))
		return client_pack_refuse(w, rel,
		    "is a symlink with a target "
		    "longer than 4096 bytes",
		    "remove it or list it in .terraformignore");
	t[n] = '\0';
	rule = client_pack_link_rule(rel, t);
	if (rule != NULL) {
		(void)snprintf(msg, sizeof(msg),
		    "is a symlink whose target \"%s\" %s",
		    client_pack_show(show, sizeof(show), t), rule);
		return client_pack_refuse(w, rel, msg,
		    "the registry keeps only links that stay inside the "
		    "module: replace it with a copy, or list it in "
		    ".terraformignore");
	}
	e->type = ARCHW_PACK_SYMLINK;
	e->mode = 0777;
	e->target = strdup(t);
	return e->target != NULL ? REG_OK : REG_ENOMEM;
}

/* One directory entry: rel is its path in the archive. */
static enum reg_err
client_pack_entry(struct client_pack_walk *w, const char *full, const char *rel)
{
	struct client_pack_entry e;
	struct stat st;
	const char *rule;
	enum reg_err er = REG_OK;

	if (lstat(full, &st) != 0) {
		(void)snprintf(w->err, w->errsz, "cannot stat %s: %s", full,
		    strerror(errno));
		return REG_ESYS;
	}
	if (client_ignore_excluded(w->ig, rel, strlen(rel),
	        S_ISDIR(st.st_mode))) {
		w->p->ignored++;
		return REG_OK;
	}
	rule = client_pack_name_rule(rel);
	if (rule != NULL)
		return client_pack_refuse(w, rel, rule,
		    "the registry refuses such names: rename it or list it in "
		    ".terraformignore");
	memset(&e, 0, sizeof(e));
	if (S_ISREG(st.st_mode)) {
		e.type = ARCHW_PACK_FILE;
		e.mode = (st.st_mode & S_IXUSR) != 0 ? 0755 : 0644;
		e.size = (uint64_t)st.st_size;
	} else if (S_ISDIR(st.st_mode)) {
		e.type = ARCHW_PACK_DIR;
		e.mode = 0755;
		er = client_pack_push(w, rel);
	} else if (S_ISLNK(st.st_mode)) {
		er = client_pack_link(w, full, rel, &e);
	} else {
		return client_pack_refuse(w, rel,
		    "is not a regular file, directory or symlink",
		    "remove it or list it in .terraformignore");
	}
	if (er == REG_OK) {
		e.path = strdup(rel);
		er = e.path != NULL ? client_pack_add(w, &e) : REG_ENOMEM;
	}
	if (er != REG_OK) {
		free(e.path);
		free(e.target);
		return er;
	}
	if (e.type == ARCHW_PACK_FILE) {
		w->p->bytes += e.size;
		if (client_pack_is_tf(rel))
			w->p->tf_files++;
	}
	return REG_OK;
}

/* Read one queued directory. */
static enum reg_err
client_pack_dir(struct client_pack_walk *w, const char *rel)
{
	char full[CLIENT_PACK_PATH_MAX * 2], sub[CLIENT_PACK_PATH_MAX + 2];
	struct dirent *de;
	enum reg_err er = REG_OK;
	DIR *dp;
	int n;

	n = snprintf(full, sizeof(full), "%s%s%s", w->root,
	    rel[0] != '\0' ? "/" : "", rel);
	if (n < 0 || (size_t)n >= sizeof(full))
		return REG_ETOOBIG;
	dp = opendir(full);
	if (dp == NULL) {
		(void)snprintf(w->err, w->errsz,
		    "cannot read the directory %s: "
		    "%s",
		    full, strerror(errno));
		return REG_ESYS;
	}
	while (er == REG_OK) {
		errno = 0;
		de = readdir(dp);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n = snprintf(sub, sizeof(sub), "%s%s%s", rel,
		    rel[0] != '\0' ? "/" : "", de->d_name);
		if (n < 0 || (size_t)n > CLIENT_PACK_PATH_MAX) {
			er = client_pack_refuse(w, rel,
			    "holds a path longer than 4096 bytes",
			    "shorten it or list it in .terraformignore");
			break;
		}
		n = snprintf(full, sizeof(full), "%s/%s", w->root, sub);
		if (n < 0 || (size_t)n >= sizeof(full)) {
			er = REG_ETOOBIG;
			break;
		}
		er = client_pack_entry(w, full, sub);
	}
	if (er == REG_OK && errno != 0) {
		(void)snprintf(w->err, w->errsz, "cannot read the directory %s",
		    rel[0] != '\0' ? rel : w->root);
		er = REG_ESYS;
	}
	(void)closedir(dp);
	return er;
}

static enum reg_err
client_pack_ignore_file(struct client_pack_walk *w)
{
	char path[CLIENT_PACK_PATH_MAX + 32], *text = NULL;
	struct stat st;
	enum reg_err er = REG_OK;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", w->root,
	    CLIENT_PACK_IGNORE_FILE);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? REG_OK : REG_ESYS;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > CLIENT_IGNORE_TEXT_MAX) {
		(void)close(fd);
		(void)snprintf(w->err, w->errsz,
		    "%s is not a regular file of at most 256 KiB: fix it",
		    path);
		return REG_ETOOBIG;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		(void)close(fd);
		return REG_ENOMEM;
	}
	n = read(fd, text, (size_t)st.st_size);
	(void)close(fd);
	if (n != (ssize_t)st.st_size)
		er = REG_ESYS;
	if (er == REG_OK)
		er = client_ignore_new(text, (size_t)n, &w->ig);
	if (er != REG_OK)
		(void)snprintf(w->err, w->errsz, "cannot use %s (%s): fix it",
		    path, reg_err_str(er));
	free(text);
	return er;
}

static int
client_pack_cmp(const void *a, const void *b)
{
	const struct client_pack_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* After the walk: rules that need every entry. */
static enum reg_err
client_pack_final(struct client_pack_walk *w)
{
	bool links = false, nonascii = false;
	size_t i;

	for (i = 0; i < w->p->n; i++) {
		if (w->p->e[i].type == ARCHW_PACK_SYMLINK)
			links = true;
		if (!client_pack_ascii(w->p->e[i].path))
			nonascii = true;
	}
	if (links && nonascii) {
		(void)snprintf(w->err, w->errsz,
		    "%s has symlinks and non-ASCII file names, which the "
		    "registry refuses together: replace the links with copies "
		    "or rename the files",
		    w->root);
		return REG_EUNPROC;
	}
	if (w->p->tf_files == 0) {
		(void)snprintf(w->err, w->errsz,
		    "%s has no .tf file (after .terraformignore): give the "
		    "directory of a Terraform module",
		    w->root);
		return REG_EUNPROC;
	}
	qsort(w->p->e, w->p->n, sizeof(w->p->e[0]), client_pack_cmp);
	return REG_OK;
}

enum reg_err
client_pack_scan(const char *root, struct client_pack *p, char *err,
    size_t errsz)
{
	struct client_pack_walk w;
	struct client_pack tmp;
	struct stat st;
	enum reg_err er;
	char *d;

	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		(void)snprintf(err, errsz,
		    "%s is not a directory: give the module's directory", root);
		return REG_ENOENT;
	}
	client_pack_init(&tmp);
	memset(&w, 0, sizeof(w));
	w.root = root;
	w.p = &tmp;
	w.err = err;
	w.errsz = errsz;
	er = client_pack_ignore_file(&w);
	if (er == REG_OK)
		er = client_pack_push(&w, "");
	while (er == REG_OK && w.nq > 0) {
		d = w.queue[--w.nq];
		er = client_pack_dir(&w, d);
		free(d);
	}
	if (er == REG_OK)
		er = client_pack_final(&w);
	while (w.nq > 0)
		free(w.queue[--w.nq]);
	free(w.queue);
	client_ignore_free(w.ig);
	if (er != REG_OK) {
		if (err[0] == '\0')
			(void)snprintf(err, errsz, "cannot read %s: %s", root,
			    reg_err_str(er));
		client_pack_release(&tmp);
		return er;
	}
	client_pack_release(p);
	*p = tmp;
	return REG_OK;
}

/* ---- writing ---- */

static enum reg_err
client_pack_open(const char *root, const struct client_pack_entry *e, int *fdp,
    char *err, size_t errsz)
{
	char full[CLIENT_PACK_PATH_MAX * 2];
	struct stat st;
	int fd;

	(void)snprintf(full, sizeof(full), "%s/%s", root, e->path);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		(void)snprintf(err, errsz, "cannot open %s: %s", full,
		    strerror(errno));
		return REG_ESYS;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != e->size) {
		(void)close(fd);
		(void)snprintf(err, errsz,
		    "%s changed while it was being packed: run again", full);
		return REG_EUNPROC;
	}
	*fdp = fd;
	return REG_OK;
}

enum reg_err
client_pack_write(const char *root, const struct client_pack *p, int64_t mtime,
    int outfd, char *err, size_t errsz)
{
	struct archw_pack *a = NULL;
	struct archw_pack_entry ae;
	enum reg_err er;
	size_t i;
	int fd;

	er = archw_pack_new(outfd, &a);
	for (i = 0; er == REG_OK && i < p->n; i++) {
		const struct client_pack_entry *e = &p->e[i];

		fd = -1;
		if (e->type == ARCHW_PACK_FILE) {
			er = client_pack_open(root, e, &fd, err, errsz);
			if (er != REG_OK)
				break;
		}
		memset(&ae, 0, sizeof(ae));
		ae.path = e->path;
		ae.type = e->type;
		ae.mode = e->mode;
		ae.size = e->size;
		ae.target = e->target;
		ae.mtime = mtime;
		er = archw_pack_add(a, &ae, fd);
		if (fd >= 0)
			(void)close(fd);
		if (er == REG_EUNPROC)
			(void)snprintf(err, errsz,
			    "%s/%s changed while it was being packed: run "
			    "again",
			    root, e->path);
	}
	if (er == REG_OK)
		er = archw_pack_finish(a);
	archw_pack_free(a);
	if (er != REG_OK && err[0] == '\0')
		(void)snprintf(err, errsz, "cannot write the archive: %s",
		    reg_err_str(er));
	return er;
}

enum reg_err
client_pack_digest(int fd, char hex[CRYPTOW_SHA256_HEXLEN + 1], uint64_t *size)
{
	struct cryptow_hash *h = NULL;
	unsigned char md[CRYPTOW_SHA256_LEN], *chunk;
	uint64_t off = 0;
	enum reg_err er;
	ssize_t n;

	chunk = malloc(65536);
	if (chunk == NULL)
		return REG_ENOMEM;
	er = cryptow_hash_new(&h);
	while (er == REG_OK) {
		n = pread(fd, chunk, 65536, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			er = REG_ESYS;
			break;
		}
		if (n == 0)
			break;
		er = cryptow_hash_update(h, chunk, (size_t)n);
		off += (uint64_t)n;
	}
	if (er == REG_OK)
		er = cryptow_hash_final(h, md);
	if (er == REG_OK) {
		hex_encode(md, sizeof(md), hex);
		*size = off;
	}
	cryptow_hash_free(h);
	free(chunk);
	return er;
}
