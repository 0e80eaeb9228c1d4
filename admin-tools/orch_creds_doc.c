/*
 * admin-tools/orch_creds_doc.c: see orch_creds_doc.h.  Invariant: the
 * document's bytes never reach a log or an error message.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/orch_core.h"
#include "admin-tools/orch_creds_doc.h"
#include "common/cryptow.h"

static enum reg_err
js(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	enum reg_err er;
	char esc[7];

	er = buf_addc(b, '"');
	for (p = (const unsigned char *)s; er == REG_OK && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			er = buf_add(b, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			er = buf_add(b, esc, 6);
		} else {
			er = buf_addc(b, (char)*p);
		}
	}
	if (er == REG_OK)
		er = buf_addc(b, '"');
	cryptow_wipe(esc, sizeof(esc));
	return er;
}

static enum reg_err
member(struct buf *b, const char *indent, const char *key, const char *val,
    bool last)
{
	enum reg_err er;

	er = buf_adds(b, indent);
	if (er == REG_OK)
		er = js(b, key);
	if (er == REG_OK)
		er = buf_adds(b, ": ");
	if (er == REG_OK)
		er = js(b, val);
	if (er == REG_OK)
		er = buf_adds(b, last ? "\n" : ",\n");
	return er;
}

/* "key": ["a", "b"] */
static enum reg_err
member_list(struct buf *b, const struct orch_doc_field *f, bool last)
{
	enum reg_err er;
	size_t j;

	er = buf_adds(b, "    ");
	if (er == REG_OK)
		er = js(b, f->key);
	if (er == REG_OK)
		er = buf_adds(b, ": [");
	for (j = 0; er == REG_OK && j < f->nlist; j++) {
		if (f->list[j] == NULL)
			return REG_EINVAL;
		if (j > 0)
			er = buf_adds(b, ", ");
		if (er == REG_OK)
			er = js(b, f->list[j]);
	}
	if (er == REG_OK)
		er = buf_adds(b, last ? "]\n" : "],\n");
	return er;
}

static enum reg_err
header(const struct orch_creds_doc *d, struct buf *out)
{
	char issued[32];
	enum reg_err er;

	orch_fmt_time(d->issued_at, issued, sizeof(issued));
	er = buf_adds(out, "{\n");
	if (er == REG_OK)
		er = member(out, "  ", "schema", ORCH_DOC_SCHEMA, false);
	if (er == REG_OK)
		er = member(out, "  ", "customerId", d->customer_id, false);
	if (er == REG_OK)
		er = member(out, "  ", "managedBy", ORCH_MANAGED_VAL, false);
	if (er == REG_OK)
		er = member(out, "  ", "issuedAt", issued, false);
	if (er == REG_OK)
		er = buf_adds(out, "  ");
	if (er == REG_OK)
		er = js(out, d->section);
	if (er == REG_OK)
		er = buf_adds(out, ": {\n");
	return er;
}

enum reg_err
orch_creds_doc_render(const struct orch_creds_doc *d, struct buf *out)
{
	const struct orch_doc_field *f;
	enum reg_err er;
	size_t i;

	if (d->customer_id == NULL || d->section == NULL)
		return REG_EINVAL;
	er = header(d, out);
	for (i = 0; er == REG_OK && i < d->nfields; i++) {
		f = &d->fields[i];
		if (f->key == NULL || (f->list == NULL && f->value == NULL))
			return REG_EINVAL;
		if (f->list == NULL)
			er = member(out, "    ", f->key, f->value,
			    i + 1 == d->nfields);
		else
			er = member_list(out, f, i + 1 == d->nfields);
	}
	if (er == REG_OK)
		er = buf_adds(out, "  }\n}\n");
	return er;
}

static enum reg_err
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return REG_ESYS;
		p += n;
		len -= (size_t)n;
	}
	return REG_OK;
}

static enum reg_err
write_stdout(const char *data, size_t len, char *errbuf, size_t errsz)
{
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		(void)snprintf(errbuf, errsz, "writing to standard output: %s",
		    strerror(errno));
		return REG_ESYS;
	}
	return REG_OK;
}

enum reg_err
orch_creds_doc_write(const char *path, const char *data, size_t len,
    char *errbuf, size_t errsz)
{
	char dir[ORCH_PATH_MAX], tmp[ORCH_PATH_MAX + 32];
	const char *base, *slash;
	enum reg_err er = REG_ESYS;
	int fd = -1, dfd = -1, n;
	bool made = false;

	if (errsz > 0)
		errbuf[0] = '\0';
	if (path == NULL || path[0] == '\0')
		return REG_EINVAL;
	if (strcmp(path, "-") == 0)
		return write_stdout(data, len, errbuf, errsz);
	slash = strrchr(path, '/');
	if (slash == NULL) {
		(void)snprintf(dir, sizeof(dir), ".");
		base = path;
	} else if (slash == path) {
		(void)snprintf(dir, sizeof(dir), "/");
		base = slash + 1;
	} else {
		if ((size_t)(slash - path) >= sizeof(dir)) {
			(void)snprintf(errbuf, errsz, "%s: path too long",
			    path);
			return REG_EINVAL;
		}
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		base = slash + 1;
	}
	if (base[0] == '\0') {
		(void)snprintf(errbuf, errsz, "%s: names a directory", path);
		return REG_EINVAL;
	}
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(errbuf, errsz, "%s: path too long", path);
		return REG_EINVAL;
	}
	/* mkstemp creates the file 0600 whatever the umask */
	fd = mkstemp(tmp);
	if (fd < 0) {
		(void)snprintf(errbuf, errsz, "creating a file in %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	made = true;
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != REG_OK ||
	    fsync(fd) != 0) {
		(void)snprintf(errbuf, errsz, "writing %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		(void)snprintf(errbuf, errsz, "writing %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		(void)snprintf(errbuf, errsz, "renaming %s to %s: %s", tmp,
		    path, strerror(errno));
		goto out;
	}
	made = false;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd); /* best effort: the data itself is synced */
	er = REG_OK;
out:
	if (fd >= 0)
		(void)close(fd);
	if (dfd >= 0)
		(void)close(dfd);
	if (made)
		(void)unlink(tmp);
	return er;
}

/* A whole regular file of at most cap bytes (not following links). */
static enum reg_err
slurp(const char *path, struct buf *b)
{
	struct stat st;
	char chunk[4096];
	enum reg_err er = REG_ESYS;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? REG_ENOENT : REG_ESYS;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	er = st.st_size > (off_t)b->max ? REG_ETOOBIG : REG_OK;
	while (er == REG_OK) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			er = n < 0 ? REG_ESYS : REG_OK;
			break;
		}
		er = buf_add(b, chunk, (size_t)n);
	}
out:
	cryptow_wipe(chunk, sizeof(chunk));
	(void)close(fd);
	return er;
}

enum reg_err
orch_creds_doc_peek(const char *path, const char *section, const char *key,
    char *out, size_t outsz)
{
	struct buf b;
	json_t *doc = NULL, *schema, *sec, *v;
	json_error_t jerr;
	enum reg_err er;

	buf_init(&b, ORCH_DOC_MAX);
	er = slurp(path, &b);
	if (er != REG_OK)
		goto out;
	doc = json_loadb(b.p != NULL ? b.p : "", b.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	schema = doc != NULL ? json_object_get(doc, "schema") : NULL;
	if (!json_is_string(schema) ||
	    strcmp(json_string_value(schema), ORCH_DOC_SCHEMA) != 0) {
		er = REG_EINVAL;
		goto out;
	}
	sec = json_object_get(doc, section);
	v = sec != NULL ? json_object_get(sec, key) : NULL;
	if (!json_is_string(v))
		er = REG_ENOENT;
	else if (json_string_length(v) >= outsz)
		er = REG_ETOOBIG;
	else
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
out:
	json_decref(doc);
	buf_release_wipe(&b);
	return er;
}
