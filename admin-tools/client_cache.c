/*
 * admin-tools/client_cache.c: see client_cache.h.  Invariant: a token is
 * read only from a regular file of ours with mode 0600 opened without
 * following symlinks, and written only through a 0600 temporary file in
 * the same (0700) directory and rename(2).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/client_cache.h"
#include "common/cryptow.h"

enum reg_err
client_cache_dir(const char *xdg, const char *home, char *out, size_t outsz)
{
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outsz, "%s/%s", xdg, CLIENT_CACHE_APP);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outsz, "%s/.cache/%s", home,
		    CLIENT_CACHE_APP);
	else
		return REG_ENOENT;
	return n < 0 || (size_t)n >= outsz ? REG_ETOOBIG : REG_OK;
}

/* mkdir -p with 0700 for what is created. */
static enum reg_err
client_cache_mkdirs(const char *dir, char *err, size_t errsz)
{
	char p[CLIENT_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return REG_ESYS;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			(void)snprintf(err, errsz,
			    "cannot create the cache directory %s: %s", p,
			    strerror(errno));
			return REG_ESYS;
		}
		p[i] = i < n ? '/' : '\0';
	}
	return REG_OK;
}

enum reg_err
client_cache_prepare(const char *dir, char *err, size_t errsz)
{
	struct stat st;
	enum reg_err er;

	er = client_cache_mkdirs(dir, err, errsz);
	if (er != REG_OK)
		return er;
	if (lstat(dir, &st) != 0) {
		(void)snprintf(err, errsz,
		    "cannot use the cache directory %s: %s", dir,
		    strerror(errno));
		return REG_ESYS;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		(void)snprintf(err, errsz,
		    "the cache directory %s is not a directory owned by this "
		    "user: remove it",
		    dir);
		return REG_EPERM;
	}
	if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) != 0) {
		(void)snprintf(err, errsz, "cannot make %s mode 0700: %s", dir,
		    strerror(errno));
		return REG_ESYS;
	}
	return REG_OK;
}

enum reg_err
client_cache_path(const char *dir, const char *host, char *out, size_t outsz)
{
	char hex[CRYPTOW_SHA256_HEXLEN + 1];
	int n;

	if (cryptow_sha256_hex(host, strlen(host), hex) != REG_OK)
		return REG_ECRYPTO;
	n = snprintf(out, outsz, "%s/%s", dir, hex);
	return n < 0 || (size_t)n >= outsz ? REG_ETOOBIG : REG_OK;
}

/* A non-negative integer member, or -1 when absent; false when bad. */
static bool
client_cache_int(json_t *doc, const char *name, int64_t *out)
{
	json_t *v = json_object_get(doc, name);

	*out = -1;
	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

/* Keys other than ours make the entry unusable. */
static bool
client_cache_keys_ok(json_t *doc)
{
	const char *k;
	json_t *v;

	json_object_foreach(doc, k, v)
	{
		(void)v;
		if (strcmp(k, "host") != 0 && strcmp(k, "token") != 0 &&
		    strcmp(k, "expires_at") != 0 &&
		    strcmp(k, "obtained_at") != 0)
			return false;
	}
	return true;
}

enum reg_err
client_cache_parse(const char *buf, size_t len, const char *host,
    struct client_token *out, int64_t *obtained_at, const char **why)
{
	json_error_t jerr;
	json_t *doc, *h, *t;
	int64_t exp, got;
	const char *w = NULL;
	enum reg_err er = REG_EINVAL;

	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		w = "not a JSON object";
		goto out;
	}
	h = json_object_get(doc, "host");
	t = json_object_get(doc, "token");
	if (!client_cache_keys_ok(doc) || !json_is_string(h) ||
	    !json_is_string(t) || !client_cache_int(doc, "expires_at", &exp) ||
	    !client_cache_int(doc, "obtained_at", &got) || exp < 0) {
		w = "not a cache entry (host, token, expires_at, obtained_at)";
		goto out;
	}
	if (strcmp(json_string_value(h), host) != 0) {
		w = "the entry is for another host";
		goto out;
	}
	if (!client_token_valid(json_string_value(t), json_string_length(t)) ||
	    strlen(json_string_value(t)) != json_string_length(t)) {
		w = "the token is malformed";
		goto out;
	}
	er = client_token_set(out, json_string_value(t));
	if (er != REG_OK)
		goto out;
	out->expires_at = exp;
	out->expires_in = 0;
	*obtained_at = got > 0 ? got : 0;
out:
	if (json_is_object(doc)) {
		t = json_object_get(doc, "token");
		if (json_is_string(t)) /* jansson's copy of the secret */
			cryptow_wipe((void *)(uintptr_t)json_string_value(t),
			    json_string_length(t));
	}
	json_decref(doc);
	if (er != REG_OK && why != NULL)
		*why = w != NULL ? w : reg_err_str(er);
	return er;
}

/* Whether the open entry may be trusted: NULL, or why not. */
static const char *
client_cache_check(int fd, struct stat *st)
{
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		return "the cache entry is not a regular file";
	if (st->st_uid != geteuid() || (st->st_mode & 07777) != 0600)
		return "the cache entry is not a mode 0600 file of this user";
	if (st->st_size <= 0 || st->st_size > CLIENT_CACHE_FILE_MAX)
		return "the cache entry is empty or too large";
	return NULL;
}

enum reg_err
client_cache_load(const char *path, const char *host, struct client_token *out,
    int64_t *obtained_at, const char **why)
{
	char *buf = NULL;
	const char *w;
	struct stat st;
	enum reg_err er = REG_EINVAL;
	size_t size = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return REG_ENOENT;
	if (fd < 0) {
		w = errno == ELOOP ? "the cache entry is a symlink"
		                   : "the cache entry cannot be read";
		er = errno == ELOOP ? REG_EINVAL : REG_ESYS;
		goto out;
	}
	w = client_cache_check(fd, &st);
	if (w != NULL)
		goto out;
	size = (size_t)st.st_size;
	buf = malloc(size);
	if (buf == NULL) {
		er = REG_ENOMEM;
		w = "out of memory";
		goto out;
	}
	n = read(fd, buf, size);
	if (n != (ssize_t)size) {
		w = "the cache entry cannot be read";
		goto out;
	}
	er = client_cache_parse(buf, size, host, out, obtained_at, &w);
out:
	if (buf != NULL) {
		cryptow_wipe(buf, size);
		free(buf);
	}
	if (fd >= 0)
		(void)close(fd);
	if (er != REG_OK && why != NULL)
		*why = w;
	return er;
}

enum reg_err
client_cache_save(const char *dir, const char *path, const char *host,
    const char *token, int64_t expires_at, int64_t obtained_at)
{
	char tmp[CLIENT_PATH_MAX];
	struct buf b;
	enum reg_err er;
	int fd = -1, n;

	if (!client_token_valid(token, strlen(token)) || expires_at < 0)
		return REG_EINVAL;
	buf_init(&b, CLIENT_CACHE_FILE_MAX);
	er = buf_printf(&b,
	    "{\"host\":\"%s\",\"token\":\"%s\",\"expires_at\":%lld,"
	    "\"obtained_at\":%lld}\n",
	    host, token, (long long)expires_at, (long long)obtained_at);
	if (er != REG_OK)
		goto out;
	n = snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		er = REG_ETOOBIG;
		goto out;
	}
	fd = mkstemp(tmp); /* 0600 */
	if (fd < 0) {
		er = REG_ESYS;
		goto out;
	}
	er = REG_ESYS;
	if (fchmod(fd, 0600) != 0 || write(fd, b.p, b.len) != (ssize_t)b.len ||
	    fsync(fd) != 0) {
		(void)close(fd);
		(void)unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		goto out;
	}
	er = REG_OK;
out:
	buf_release_wipe(&b);
	return er;
}

enum reg_err
client_cache_forget(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return REG_ESYS;
	return REG_OK;
}

bool
client_cache_fresh(int64_t expires_at, int64_t obtained_at, int64_t now)
{
	int64_t life, margin;

	if (expires_at == 0)
		return true;
	life = obtained_at > 0 && obtained_at < expires_at
	    ? expires_at - obtained_at
	    : 0;
	margin = life / 10 > CLIENT_CACHE_MARGIN_MIN ? life / 10
	                                             : CLIENT_CACHE_MARGIN_MIN;
	return expires_at - now > margin;
}
