/*
 * registry/config.c: the "key = value" configuration file.
 *
 * Grammar, one setting per line:  key = value   (# starts a comment line;
 * blank lines ignored; whitespace around key and value trimmed; no quoting).
 * Lines are at most 1023 bytes, the file at most 64 KiB.  Unknown keys,
 * repeated keys (except sts_endpoint) and bad values are errors naming the
 * line: a config that does not say what the operator meant must not start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/num.h"
#include "common/span.h"
#include "registry/config.h"

#define CONFIG_FILE_MAX 65536 /* 64 KiB; an int for the "%d" messages */
#define CONFIG_LINE_MAX 1023

enum ctype { C_STR, C_U64, C_OCT, C_BOOL, C_STS };

struct copt {
	const char *key;
	enum ctype type;
	size_t off;
	size_t size; /* for strings: buffer size */
	uint64_t min, max;
	const char *def;
};

#define S(k, f, d) \
	{ \
		k, C_STR, offsetof(struct reg_config, f), \
		    sizeof(((struct reg_config *)0)->f), 0, 0, d \
	}
#define U(k, f, lo, hi, d) \
	{ \
		k, C_U64, offsetof(struct reg_config, f), 0, lo, hi, d \
	}
#define B(k, f, d) \
	{ \
		k, C_BOOL, offsetof(struct reg_config, f), 0, 0, 1, d \
	}

static const struct copt copts[] = {
	S("socket", socket, "/run/registry/registryd.sock"),
	{ "socket_mode", C_OCT, offsetof(struct reg_config, socket_mode), 0, 0,
	    0777, "0660" },
	S("state_dir", state_dir, "/var/lib/registry"),
	S("user", user, ""),
	S("group", group, ""),
	U("threads", threads, 1, 256, "8"),
	B("syslog", syslog, "no"),
	S("log_level", log_level, "info"),
	U("map_size", map_size, 65536, UINT64_C(1) << 40, "1073741824"),
	U("max_upload_bytes", max_upload_bytes, 1024, UINT64_C(1) << 34,
	    "104857600"),
	U("max_archive_entries", max_archive_entries, 1, 1000000, "10000"),
	U("max_archive_bytes", max_archive_bytes, 1024, UINT64_C(1) << 36,
	    "1073741824"),
	U("archive_url_ttl", archive_url_ttl, 10, 86400, "600"),
	S("blob_location", blob_location, "/_blobs/"),
	S("audience", audience, ""),
	S("audience_header", audience_header, "x-k8s-aws-id"),
	{ "sts_endpoint", C_STS, 0, 0, 0, 0, NULL },
	U("token_ttl", token_ttl, 60, 43200, "3600"),
	U("token_max_ttl", token_max_ttl, 60, 43200, "3600"),
	U("max_age", max_age, 1, 900, "300"),
	U("max_future", max_future, 0, 900, "60"),
	B("allow_user_principals", allow_user_principals, "no"),
	S("sts_ca_file", sts_ca_file, ""),
	S("sts_proxy", sts_proxy, ""),
	S("sts_test_endpoint", sts_test_endpoint, ""),
	U("sts_timeout_ms", sts_timeout_ms, 100, 30000, "5000"),
};

/* A string: copied whole or refused, never truncated. */
static enum reg_err
set_string(char *base, const struct copt *o, struct span v, const char **why)
{
	if (v.len >= o->size) {
		*why = "value too long";
		return REG_EINVAL;
	}
	memcpy(base + o->off, v.p, v.len);
	base[o->off + v.len] = '\0';
	return REG_OK;
}

static enum reg_err
set_u64(char *base, const struct copt *o, struct span v, const char **why)
{
	uint64_t u;

	if (num_parse_u64(v.p, v.len, o->min, o->max, &u) != REG_OK) {
		*why = "not a number in the allowed range";
		return REG_EINVAL;
	}
	memcpy(base + o->off, &u, sizeof(u));
	return REG_OK;
}

/* A file mode: 1 to 4 octal digits, at most o->max. */
static enum reg_err
set_octal(char *base, const struct copt *o, struct span v, const char **why)
{
	uint64_t u = 0;
	size_t i;

	if (v.len == 0 || v.len > 4) {
		*why = "not an octal mode";
		return REG_EINVAL;
	}
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '7') {
			*why = "not an octal mode";
			return REG_EINVAL;
		}
		u = u * 8 + (uint64_t)(v.p[i] - '0');
	}
	if (u > o->max) {
		*why = "mode out of range";
		return REG_EINVAL;
	}
	memcpy(base + o->off, &u, sizeof(u));
	return REG_OK;
}

static enum reg_err
set_bool(char *base, const struct copt *o, struct span v, const char **why)
{
	bool b;

	if (span_eq(v, "yes") || span_eq(v, "true") || span_eq(v, "on"))
		b = true;
	else if (span_eq(v, "no") || span_eq(v, "false") || span_eq(v, "off"))
		b = false;
	else {
		*why = "expected yes or no";
		return REG_EINVAL;
	}
	memcpy(base + o->off, &b, sizeof(b));
	return REG_OK;
}

/*
 * Split "HOST REGION PARTITION" (fields separated by runs of spaces) into
 * f[0..2].  The last field is the rest of the line: the caller checks that
 * it is one word.  false when there are fewer than three fields.
 */
static bool
sts_fields(struct span v, struct span f[3])
{
	struct span rest = v;
	size_t i;

	for (i = 0; i < 3; i++) {
		while (rest.len > 0 && rest.p[0] == ' ') {
			rest.p++;
			rest.len--;
		}
		if (i == 2) {
			f[i] = rest; /* one word: checked by the caller */
			break;
		}
		if (!span_split(&rest, ' ', &f[i]))
			return false;
	}
	return true;
}

/* A lower-case DNS name: a-z, 0-9, '.' and '-' only. */
static bool
sts_host_valid(struct span h)
{
	size_t i;

	for (i = 0; i < h.len; i++) {
		char ch = h.p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		        ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

/* sts_endpoint = HOST REGION PARTITION; each line adds one endpoint. */
static enum reg_err
set_sts(struct reg_config *c, struct span v, const char **why)
{
	struct sts_endpoint *e;
	struct span f[3];

	if (c->nsts >= CONFIG_MAX_STS) {
		*why = "too many sts_endpoint lines";
		return REG_EINVAL;
	}
	if (!sts_fields(v, f)) {
		*why = "expected: sts_endpoint = HOST REGION PARTITION";
		return REG_EINVAL;
	}
	e = &c->sts[c->nsts];
	if (f[0].len == 0 || f[0].len >= sizeof(e->host) || f[1].len == 0 ||
	    f[1].len >= sizeof(e->region) || f[2].len == 0 ||
	    f[2].len >= sizeof(e->partition) ||
	    memchr(f[2].p, ' ', f[2].len) != NULL) {
		*why = "expected: sts_endpoint = HOST REGION PARTITION";
		return REG_EINVAL;
	}
	if (!sts_host_valid(f[0])) {
		*why = "sts host must be a lower-case DNS name";
		return REG_EINVAL;
	}
	memcpy(e->host, f[0].p, f[0].len);
	e->host[f[0].len] = '\0';
	memcpy(e->region, f[1].p, f[1].len);
	e->region[f[1].len] = '\0';
	memcpy(e->partition, f[2].p, f[2].len);
	e->partition[f[2].len] = '\0';
	c->nsts++;
	return REG_OK;
}

/* One helper per option type; *why is set only on failure. */
static enum reg_err
set_value(struct reg_config *c, const struct copt *o, struct span v,
    const char **why)
{
	char *base = (char *)c;

	switch (o->type) {
	case C_STR:
		return set_string(base, o, v, why);
	case C_U64:
		return set_u64(base, o, v, why);
	case C_OCT:
		return set_octal(base, o, v, why);
	case C_BOOL:
		return set_bool(base, o, v, why);
	case C_STS:
		return set_sts(c, v, why);
	}
	*why = "internal: bad option type";
	return REG_EINVAL;
}

void
config_defaults(struct reg_config *c)
{
	const char *why = NULL;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < nitems(copts); i++) {
		if (copts[i].def == NULL)
			continue;
		if (set_value(c, &copts[i], span_cstr(copts[i].def), &why) !=
		    REG_OK)
			fatalx("config default %s: %s", copts[i].key, why);
	}
}

static struct span
trim(struct span s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 &&
	    (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
	        s.p[s.len - 1] == '\r'))
		s.len--;
	return s;
}

enum reg_err
config_parse(struct reg_config *c, const char *text, size_t len, char *whybuf,
    size_t whysz)
{
	struct span all = span_make(text, len), line;
	bool seen[nitems(copts)];
	unsigned lineno = 0;
	size_t i;

	memset(seen, 0, sizeof(seen));
	if (len > CONFIG_FILE_MAX) {
		snprintf(whybuf, whysz, "config file larger than %d bytes",
		    CONFIG_FILE_MAX);
		return REG_ETOOBIG;
	}
	while (all.len > 0) {
		struct span key, val;
		const struct copt *o = NULL;
		const char *why = NULL;
		bool more;

		more = span_split(&all, '\n', &line);
		if (!more)
			all.len = 0;
		lineno++;
		if (line.len > CONFIG_LINE_MAX) {
			snprintf(whybuf, whysz, "line %u: too long", lineno);
			return REG_EINVAL;
		}
		if (memchr(line.p, '\0', line.len) != NULL) {
			snprintf(whybuf, whysz, "line %u: NUL byte", lineno);
			return REG_EINVAL;
		}
		line = trim(line);
		if (line.len == 0 || line.p[0] == '#')
			continue;
		val = line;
		if (!span_split(&val, '=', &key)) {
			snprintf(whybuf, whysz, "line %u: expected key = value",
			    lineno);
			return REG_EINVAL;
		}
		key = trim(key);
		val = trim(val);
		for (i = 0; i < nitems(copts); i++) {
			if (span_eq(key, copts[i].key)) {
				o = &copts[i];
				break;
			}
		}
		if (o == NULL) {
			char esc[80];
			snprintf(whybuf, whysz, "line %u: unknown key \"%s\"",
			    lineno,
			    log_escape(esc, sizeof(esc), key.p, key.len));
			return REG_EINVAL;
		}
		if (seen[i] && o->type != C_STS) {
			snprintf(whybuf, whysz, "line %u: %s set twice", lineno,
			    o->key);
			return REG_EINVAL;
		}
		seen[i] = true;
		if (set_value(c, o, val, &why) != REG_OK) {
			snprintf(whybuf, whysz, "line %u: %s: %s", lineno,
			    o->key, why);
			return REG_EINVAL;
		}
	}
	return REG_OK;
}

enum reg_err
config_load(struct reg_config *c, const char *path, char *whybuf, size_t whysz)
{
	char *text = NULL;
	struct stat sb;
	enum reg_err er = REG_ESYS;
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(whybuf, whysz, "%s: %s", path, strerror(errno));
		return REG_ESYS;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(whybuf, whysz, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size > CONFIG_FILE_MAX) {
		snprintf(whybuf, whysz, "%s: larger than %d bytes", path,
		    CONFIG_FILE_MAX);
		er = REG_ETOOBIG;
		goto out;
	}
	text = malloc((size_t)sb.st_size + 1);
	if (text == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	while (off < (size_t)sb.st_size) {
		n = read(fd, text + off, (size_t)sb.st_size - off);
		if (n <= 0) {
			snprintf(whybuf, whysz, "%s: read failed", path);
			goto out;
		}
		off += (size_t)n;
	}
	er = config_parse(c, text, off, whybuf, whysz);
out:
	free(text);
	close(fd);
	return er;
}

static bool
is_loopback_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	uint64_t port;
	size_t hl;

	if (colon == NULL)
		return false;
	hl = (size_t)(colon - s);
	if (num_parse_u64(colon + 1, strlen(colon + 1), 1, 65535, &port) !=
	    REG_OK)
		return false;
	if (hl == 9 && memcmp(s, "localhost", 9) == 0)
		return true;
	/* 127.0.0.0/8 in dotted form */
	if (hl >= 7 && memcmp(s, "127.", 4) == 0) {
		size_t i, dots = 0;
		for (i = 0; i < hl; i++) {
			if (s[i] == '.')
				dots++;
			else if (s[i] < '0' || s[i] > '9')
				return false;
		}
		return dots == 3;
	}
	return hl == 5 && memcmp(s, "[::1]", 5) == 0;
}

enum reg_err
config_check(const struct reg_config *c, bool allow_test_sts, char *whybuf,
    size_t whysz)
{
	size_t i;

	if (c->socket[0] != '/') {
		snprintf(whybuf, whysz, "socket must be an absolute path");
		return REG_EINVAL;
	}
	if (c->state_dir[0] != '/') {
		snprintf(whybuf, whysz, "state_dir must be an absolute path");
		return REG_EINVAL;
	}
	if (strcmp(c->log_level, "warn") != 0 &&
	    strcmp(c->log_level, "info") != 0 &&
	    strcmp(c->log_level, "debug") != 0) {
		snprintf(whybuf, whysz,
		    "log_level must be warn, info or debug");
		return REG_EINVAL;
	}
	if (c->token_ttl > c->token_max_ttl) {
		snprintf(whybuf, whysz, "token_ttl exceeds token_max_ttl");
		return REG_EINVAL;
	}
	if (c->blob_location[0] != '/' ||
	    c->blob_location[strlen(c->blob_location) - 1] != '/') {
		snprintf(whybuf, whysz,
		    "blob_location must start and end with '/'");
		return REG_EINVAL;
	}
	for (i = 0; i < c->nsts; i++) {
		if (strcmp(c->sts[i].host, "sts.amazonaws.com") == 0 &&
		    (strcmp(c->sts[i].region, "us-east-1") != 0 ||
		        strcmp(c->sts[i].partition, "aws") != 0)) {
			snprintf(whybuf, whysz,
			    "sts.amazonaws.com must be region us-east-1, "
			    "partition aws");
			return REG_EINVAL;
		}
	}
	if (c->nsts > 0 && c->audience[0] == '\0') {
		snprintf(whybuf, whysz,
		    "sts_endpoint is set but audience is empty");
		return REG_EINVAL;
	}
	if (c->sts_test_endpoint[0] != '\0') {
		if (!allow_test_sts) {
			snprintf(whybuf, whysz,
			    "sts_test_endpoint needs the -T start-up flag");
			return REG_EINVAL;
		}
		if (!is_loopback_hostport(c->sts_test_endpoint)) {
			snprintf(whybuf, whysz,
			    "sts_test_endpoint must be a loopback HOST:PORT");
			return REG_EINVAL;
		}
	}
	return REG_OK;
}

const char *
config_env_state(void)
{
	const char *s = getenv("REGISTRY_STATE");

	return s != NULL && s[0] != '\0' ? s : NULL;
}
