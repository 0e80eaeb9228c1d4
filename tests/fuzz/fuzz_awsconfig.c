/*
 * tests/fuzz/fuzz_awsconfig.c: the AWS shared config/credentials file
 * parser, auth/awscreds_ini, and the value parsers the chain applies to
 * what it reads (nested values, container URIs, ISO-8601 times).
 *
 * Input: a config file (exact-size heap copy).  Invariants:
 *   - the result is REG_OK, REG_EINVAL, REG_ETOOBIG or REG_ENOMEM; on
 *     failure the message is "line N: " plus one of the parser's fixed
 *     texts, or "larger than ..." (nothing from the input is echoed);
 *   - on success the documented shape holds: section names non-empty,
 *     unique, without ']' or control bytes; keys non-empty, lower-case,
 *     unique per section, without '=', ':', outer blanks or control
 *     bytes (inner blanks, TAB included, are kept); values without control bytes but '\n', each line without
 *     outer blanks, no trailing '\n';
 *   - a fixed point: the parsed file written back canonically
 *     ("[name]", "key=value", continuation lines indented with a TAB)
 *     parses to exactly the same sections, keys and values;
 *   - aws_ini_nested() results lie inside the value and are trimmed;
 *     aws_container_uri_allowed() accepts only http(s) URLs;
 *     aws_iso8601_parse() accepts only 20..40-byte values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../auth/awscreds.h"
#include "../../auth/awscreds_ini.h"
#include "../../common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const msgs[] = { "unterminated section header",
	"junk after section header", "empty section name", "duplicate section",
	"more than 1024 sections", "option before any section header",
	"neither a section header nor key = value", "empty key",
	"more than 256 keys in a section", "duplicate key",
	"longer than 16384 bytes", "NUL byte", "control character 0x" };

static void
check_msg(const char *m)
{
	size_t i, d = 0;

	if (strncmp(m, "larger than ", 12) == 0)
		return;
	if (strncmp(m, "line ", 5) != 0)
		abort();
	m += 5;
	while (m[d] >= '0' && m[d] <= '9')
		d++;
	if (d == 0 || strncmp(m + d, ": ", 2) != 0)
		abort();
	m += d + 2;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		if (strncmp(m, msgs[i], strlen(msgs[i])) == 0)
			return;
	}
	abort();
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_value(const char *v)
{
	const char *line = v, *nl;
	size_t n;

	for (;;) {
		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (n > 0 && (blank(line[0]) || blank(line[n - 1])))
			abort();
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	n = strlen(v);
	if (n > 0 && v[n - 1] == '\n')
		abort();
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
	}
}

static void
check_shape(const struct aws_ini *ini)
{
	size_t s, k, j, n = aws_ini_nsections(ini), idx;
	const char *key, *val, *k2, *v2, *q;

	for (s = 0; s < n; s++) {
		const char *name = aws_ini_section(ini, s);

		if (name[0] == '\0' || strchr(name, ']') != NULL)
			abort();
		for (q = name; *q != '\0'; q++) {
			if ((unsigned char)*q < 0x20 && *q != '\t')
				abort();
		}
		if (!aws_ini_find(ini, name, &idx) || idx != s)
			abort(); /* unique */
		for (k = 0; k < aws_ini_nkeys(ini, s); k++) {
			aws_ini_key(ini, s, k, &key, &val);
			if (key == NULL || val == NULL || key[0] == '\0' ||
			    strpbrk(key, "=:\n\r") != NULL || blank(key[0]) ||
			    blank(key[strlen(key) - 1]))
				abort();
			for (q = key; *q != '\0'; q++) {
				if ((*q >= 'A' && *q <= 'Z') ||
				    ((unsigned char)*q < 0x20 && *q != '\t'))
					abort();
			}
			check_value(val);
			for (j = 0; j < k; j++) {
				aws_ini_key(ini, s, j, &k2, &v2);
				if (strcmp(k2, key) == 0)
					abort();
			}
			if (aws_ini_get(ini, s, key) != val)
				abort();
		}
	}
}

/* Canonical form; NULL when it would not fit in a file. */
static char *
serialize(const struct aws_ini *ini, size_t *len)
{
	struct buf b;
	size_t s, k;
	const char *key, *val, *p;
	enum reg_err er = REG_OK;

	buf_init(&b, AWS_INI_MAX_FILE + 64);
	for (s = 0; s < aws_ini_nsections(ini) && er == REG_OK; s++) {
		er = buf_printf(&b, "[%s]\n", aws_ini_section(ini, s));
		for (k = 0; k < aws_ini_nkeys(ini, s) && er == REG_OK; k++) {
			aws_ini_key(ini, s, k, &key, &val);
			er = buf_printf(&b, "%s=", key);
			for (p = val; *p != '\0' && er == REG_OK; p++) {
				er = buf_addc(&b, *p);
				/* a continuation line (not a blank one) */
				if (er == REG_OK && *p == '\n' &&
				    p[1] != '\n' && p[1] != '\0')
					er = buf_addc(&b, '\t');
			}
			if (er == REG_OK)
				er = buf_addc(&b, '\n');
		}
	}
	if (er != REG_OK || b.len > AWS_INI_MAX_FILE) {
		buf_release(&b);
		return NULL;
	}
	*len = b.len;
	return b.len > 0 ? buf_steal(&b) : strdup("");
}

static void
check_fixed_point(const struct aws_ini *a)
{
	struct aws_ini *b = NULL;
	char err[200], *text;
	size_t len = 0, s, k;
	const char *k1, *v1, *k2, *v2;

	text = serialize(a, &len);
	if (text == NULL)
		return;
	if (aws_ini_parse(text, len, &b, err, sizeof(err)) != REG_OK)
		abort();
	if (aws_ini_nsections(a) != aws_ini_nsections(b))
		abort();
	for (s = 0; s < aws_ini_nsections(a); s++) {
		if (strcmp(aws_ini_section(a, s), aws_ini_section(b, s)) != 0 ||
		    aws_ini_nkeys(a, s) != aws_ini_nkeys(b, s))
			abort();
		for (k = 0; k < aws_ini_nkeys(a, s); k++) {
			aws_ini_key(a, s, k, &k1, &v1);
			aws_ini_key(b, s, k, &k2, &v2);
			if (strcmp(k1, k2) != 0 || strcmp(v1, v2) != 0)
				abort();
		}
	}
	aws_ini_free(b);
	free(text);
}

static void
check_values(const struct aws_ini *ini)
{
	const char *key, *val;
	struct span sp;
	size_t s, k, n;
	int64_t t;
	enum reg_err er;

	for (s = 0; s < aws_ini_nsections(ini); s++) {
		for (k = 0; k < aws_ini_nkeys(ini, s); k++) {
			aws_ini_key(ini, s, k, &key, &val);
			n = strlen(val);
			er = aws_ini_nested(val, "endpoint_url", &sp);
			if (er == REG_OK &&
			    (sp.p < val || sp.p + sp.len > val + n ||
			        (sp.len > 0 &&
			            (blank(sp.p[0]) ||
			                blank(sp.p[sp.len - 1])))))
				abort();
			if (er != REG_OK && er != REG_ENOENT &&
			    er != REG_EINVAL)
				abort();
			if (aws_container_uri_allowed(val, n, NULL) &&
			    strncasecmp(val, "http://", 7) != 0 &&
			    strncasecmp(val, "https://", 8) != 0)
				abort();
			if (aws_iso8601_parse(val, n, &t) == REG_OK &&
			    (n < 20 || n > 40))
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct aws_ini *ini = NULL;
	char err[200];
	char *p = malloc(len > 0 ? len : 1);
	enum reg_err er;

	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);
	err[0] = '\0';
	er = aws_ini_parse(p, len, &ini, err, sizeof(err));
	if (er != REG_OK) {
		if (ini != NULL ||
		    (er != REG_EINVAL && er != REG_ETOOBIG && er != REG_ENOMEM))
			abort();
		if (er != REG_ENOMEM)
			check_msg(err);
	} else {
		check_shape(ini);
		check_fixed_point(ini);
		check_values(ini);
	}
	aws_ini_free(ini);
	free(p);
	return 0;
}
