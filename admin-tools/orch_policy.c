/*
 * admin-tools/orch_policy.c: see orch_policy.h.  Invariant: a rendered
 * policy is a JSON object with no placeholder left, and every substituted
 * value matched its grammar, so no value can change the JSON structure.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/orch_policy.h"

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static enum reg_err
read_file(const char *path, struct buf *out, char *errbuf, size_t errsz)
{
	char chunk[4096];
	enum reg_err er = REG_OK;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		(void)snprintf(errbuf, errsz, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? REG_ENOENT : REG_ESYS;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			(void)snprintf(errbuf, errsz, "%s: %s", path,
			    strerror(errno));
			er = REG_ESYS;
			break;
		}
		if (n == 0)
			break;
		er = buf_add(out, chunk, (size_t)n);
		if (er != REG_OK) {
			(void)snprintf(errbuf, errsz, "%s: too large", path);
			break;
		}
	}
	(void)close(fd);
	return er;
}

enum reg_err
orch_policy_load(const struct orch_config *cfg, const char *name,
    struct buf *out, char *errbuf, size_t errsz)
{
	char path[ORCH_PATH_MAX];
	int n;

	if (cfg->policy_dir != NULL) {
		n = snprintf(path, sizeof(path), "%s/%s", cfg->policy_dir,
		    name);
		if (n < 0 || (size_t)n >= sizeof(path))
			return REG_ETOOBIG;
		return read_file(path, out, errbuf, errsz);
	}
	n = snprintf(path, sizeof(path), "%s/%s", ORCH_POLICY_DIR_DEFAULT,
	    name);
	if (n > 0 && (size_t)n < sizeof(path) && file_exists(path))
		return read_file(path, out, errbuf, errsz);
	n = snprintf(path, sizeof(path), "admin-tools/policies/%s", name);
	if (n > 0 && (size_t)n < sizeof(path) && file_exists(path))
		return read_file(path, out, errbuf, errsz);
	(void)snprintf(errbuf, errsz,
	    "policy file %s not found in %s nor ./admin-tools/policies: set "
	    "HONUA_POLICY_DIR to the directory holding it",
	    name, ORCH_POLICY_DIR_DEFAULT);
	return REG_ENOENT;
}

static bool
chars_ok(const char *s, size_t min, size_t max, const char *set)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++) {
		if (strchr(set, s[i]) == NULL)
			return false;
	}
	return true;
}

#define LOWER_DIGITS_DASH "abcdefghijklmnopqrstuvwxyz0123456789-"

static enum reg_err
value_of(const struct orch_policy_vars *v, const char *name, size_t len,
    const char **out, char *errbuf, size_t errsz)
{
	const char *val = NULL;
	bool ok = false;

	if (len == 9 && memcmp(name, "PARTITION", 9) == 0) {
		val = v->partition;
		ok = chars_ok(val, 3, 16, "abcdefghijklmnopqrstuvwxyz-");
	} else if (len == 6 && memcmp(name, "REGION", 6) == 0) {
		val = v->region;
		ok = chars_ok(val, 1, 32, LOWER_DIGITS_DASH);
	} else if (len == 7 && memcmp(name, "ACCOUNT", 7) == 0) {
		val = v->account;
		ok = chars_ok(val, 12, 12, "0123456789");
	} else if (len == 11 && memcmp(name, "CUSTOMER_ID", 11) == 0) {
		val = v->customer_id;
		ok = val != NULL && orch_customer_id_valid(val, strlen(val));
	} else {
		(void)snprintf(errbuf, errsz, "unknown placeholder @%.*s@",
		    (int)(len > 32 ? 32 : len), name);
		return REG_EINVAL;
	}
	if (!ok) {
		(void)snprintf(errbuf, errsz, "invalid value for @%.*s@",
		    (int)len, name);
		return REG_EINVAL;
	}
	*out = val;
	return REG_OK;
}

enum reg_err
orch_policy_compact(const char *doc, size_t len, struct buf *out)
{
	json_error_t jerr;
	json_t *j;
	char *s;
	enum reg_err er;

	j = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return REG_EINVAL;
	}
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		return REG_ENOMEM;
	er = buf_adds(out, s);
	free(s);
	return er;
}

enum reg_err
orch_policy_render(const char *tmpl, size_t len,
    const struct orch_policy_vars *vars, struct buf *out, char *errbuf,
    size_t errsz)
{
	struct buf tmp;
	const char *p = tmpl, *end = tmpl + len, *at, *cl, *val;
	enum reg_err er = REG_OK;

	buf_init(&tmp, ORCH_POLICY_MAX);
	while (p < end) {
		at = memchr(p, '@', (size_t)(end - p));
		if (at == NULL) {
			er = buf_add(&tmp, p, (size_t)(end - p));
			break;
		}
		er = buf_add(&tmp, p, (size_t)(at - p));
		if (er != REG_OK)
			break;
		cl = memchr(at + 1, '@', (size_t)(end - at - 1));
		if (cl == NULL || cl - at - 1 > 32) {
			(void)snprintf(errbuf, errsz,
			    "unterminated placeholder in policy template");
			er = REG_EINVAL;
			break;
		}
		er = value_of(vars, at + 1, (size_t)(cl - at - 1), &val, errbuf,
		    errsz);
		if (er == REG_OK)
			er = buf_adds(&tmp, val);
		if (er != REG_OK)
			break;
		p = cl + 1;
	}
	if (er == REG_OK) {
		er = orch_policy_compact(tmp.p != NULL ? tmp.p : "", tmp.len,
		    out);
		if (er == REG_EINVAL)
			(void)snprintf(errbuf, errsz,
			    "the rendered policy is not a JSON object");
	}
	buf_release(&tmp);
	return er;
}
