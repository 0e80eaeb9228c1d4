/*
 * auth/awscreds_ini.c: configparser-compatible INI parsing for the AWS
 * shared files (see awscreds_ini.h).
 *
 * All strings live NUL-terminated in one capped arena (struct buf); the
 * section and key tables hold offsets into it, so growing the arena never
 * leaves a dangling pointer.  The arena is wiped before it is freed.  The
 * value being built is always the last string in the arena, so a
 * continuation line is appended in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/awscreds_ini.h"
#include "common/buf.h"
#include "common/cryptow.h"

struct ini_sect {
	size_t name;  /* arena offset */
	size_t first; /* index of its first key */
	size_t nkeys;
};

struct ini_key {
	size_t key, val; /* arena offsets */
};

struct aws_ini {
	struct buf arena;
	struct ini_sect *sect;
	size_t nsect;
	struct ini_key *keys;
	size_t nkeys, capkeys;
};

/* Parser state between lines. */
struct ini_st {
	struct aws_ini *ini;
	size_t lineno;
	bool in_opt; /* an option may take continuation lines */
	size_t opt_indent;
	size_t blanks; /* blank lines seen inside the option's value */
	char *errbuf;
	size_t errsz;
};

REG_PRINTF(2, 3)
static enum reg_err ini_fail(struct ini_st *st, const char *fmt, ...);

static enum reg_err
ini_fail(struct ini_st *st, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (st->errbuf == NULL || st->errsz == 0)
		return REG_EINVAL;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(st->errbuf, st->errsz, "line %zu: %s", st->lineno, msg);
	return REG_EINVAL;
}

static bool
ini_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span
ini_trim(struct span s)
{
	while (s.len > 0 && ini_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && ini_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

static const char *
ini_str(const struct aws_ini *ini, size_t off)
{
	return ini->arena.p + off;
}

static enum reg_err
ini_addstr(struct aws_ini *ini, struct span s, bool lower, size_t *off)
{
	size_t start = ini->arena.len, i;
	enum reg_err er = REG_OK;

	for (i = 0; i < s.len && er == REG_OK; i++) {
		char c = s.p[i];

		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		er = buf_addc(&ini->arena, c);
	}
	if (er == REG_OK)
		er = buf_addc(&ini->arena, '\0');
	if (er != REG_OK)
		return er;
	*off = start;
	return REG_OK;
}

static enum reg_err
ini_section(struct ini_st *st, struct span line)
{
	struct aws_ini *ini = st->ini;
	const char *rb = memchr(line.p, ']', line.len);
	struct span name, rest;
	struct ini_sect *ns;
	size_t i, off;
	enum reg_err er;

	if (rb == NULL)
		return ini_fail(st, "unterminated section header");
	name = span_make(line.p + 1, (size_t)(rb - line.p) - 1);
	rest = ini_trim(span_make(rb + 1, line.len - name.len - 2));
	if (rest.len > 0 && rest.p[0] != '#' && rest.p[0] != ';')
		return ini_fail(st, "junk after section header");
	if (name.len == 0)
		return ini_fail(st, "empty section name");
	for (i = 0; i < ini->nsect; i++) {
		const char *s = ini_str(ini, ini->sect[i].name);

		if (strlen(s) == name.len && memcmp(s, name.p, name.len) == 0)
			return ini_fail(st, "duplicate section");
	}
	if (ini->nsect >= AWS_INI_MAX_SECTIONS) {
		(void)ini_fail(st, "more than %zu sections",
		    AWS_INI_MAX_SECTIONS);
		return REG_ETOOBIG;
	}
	ns = reallocarray(ini->sect, ini->nsect + 1, sizeof(*ns));
	if (ns == NULL)
		return REG_ENOMEM;
	ini->sect = ns;
	er = ini_addstr(ini, name, false, &off);
	if (er != REG_OK)
		return er;
	ns[ini->nsect].name = off;
	ns[ini->nsect].first = ini->nkeys;
	ns[ini->nsect].nkeys = 0;
	ini->nsect++;
	st->in_opt = false;
	return REG_OK;
}

static enum reg_err
ini_option(struct ini_st *st, struct span line, size_t indent)
{
	struct aws_ini *ini = st->ini;
	struct ini_sect *cur;
	struct span key, val;
	size_t i, d, koff, voff;
	enum reg_err er;

	if (ini->nsect == 0)
		return ini_fail(st, "option before any section header");
	cur = &ini->sect[ini->nsect - 1];
	for (d = 0; d < line.len && line.p[d] != '=' && line.p[d] != ':'; d++)
		;
	if (d == line.len)
		return ini_fail(st, "neither a section header nor key = value");
	key = ini_trim(span_make(line.p, d));
	val = ini_trim(span_make(line.p + d + 1, line.len - d - 1));
	if (key.len == 0)
		return ini_fail(st, "empty key");
	if (cur->nkeys >= AWS_INI_MAX_KEYS) {
		(void)ini_fail(st, "more than %zu keys in a section",
		    AWS_INI_MAX_KEYS);
		return REG_ETOOBIG;
	}
	er = ini_addstr(ini, key, true, &koff);
	if (er != REG_OK)
		return er;
	for (i = 0; i < cur->nkeys; i++) {
		if (strcmp(ini_str(ini, ini->keys[cur->first + i].key),
		        ini_str(ini, koff)) == 0)
			return ini_fail(st, "duplicate key");
	}
	er = ini_addstr(ini, val, false, &voff);
	if (er != REG_OK)
		return er;
	if (ini->nkeys == ini->capkeys) {
		size_t nc = ini->capkeys > 0 ? ini->capkeys * 2 : 16;
		struct ini_key *nk = reallocarray(ini->keys, nc, sizeof(*nk));

		if (nk == NULL)
			return REG_ENOMEM;
		ini->keys = nk;
		ini->capkeys = nc;
	}
	ini->keys[ini->nkeys].key = koff;
	ini->keys[ini->nkeys].val = voff;
	ini->nkeys++;
	cur->nkeys++;
	st->in_opt = true;
	st->opt_indent = indent;
	st->blanks = 0;
	return REG_OK;
}

/* Append "\n" x (blanks + 1) and line to the last value (arena tail). */
static enum reg_err
ini_continue(struct ini_st *st, struct span line)
{
	struct buf *a = &st->ini->arena;
	size_t keep = a->len, i;
	enum reg_err er = REG_OK;

	a->len--; /* the value's NUL; buf_add* restores one */
	for (i = 0; i <= st->blanks && er == REG_OK; i++)
		er = buf_addc(a, '\n');
	if (er == REG_OK)
		er = buf_add(a, line.p, line.len);
	if (er == REG_OK)
		er = buf_addc(a, '\0');
	if (er != REG_OK) {
		a->len = keep;
		a->p[keep - 1] = '\0';
		return er;
	}
	st->blanks = 0;
	return REG_OK;
}

static enum reg_err
ini_line(struct ini_st *st, struct span raw)
{
	size_t i, indent;
	struct span line;

	if (raw.len > AWS_INI_MAX_LINE) {
		(void)ini_fail(st, "longer than %zu bytes", AWS_INI_MAX_LINE);
		return REG_ETOOBIG;
	}
	for (i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.p[i];

		if (c == '\0')
			return ini_fail(st, "NUL byte");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return ini_fail(st, "control character 0x%02x", c);
	}
	for (indent = 0; indent < raw.len && ini_blank(raw.p[indent]); indent++)
		;
	line = ini_trim(raw);
	if (line.len == 0) {
		if (st->in_opt)
			st->blanks++;
		return REG_OK;
	}
	if (line.p[0] == '#' || line.p[0] == ';')
		return REG_OK;
	if (st->in_opt && indent > st->opt_indent)
		return ini_continue(st, line);
	if (line.p[0] == '[')
		return ini_section(st, line);
	return ini_option(st, line, indent);
}

enum reg_err
aws_ini_parse(const char *p, size_t len, struct aws_ini **out, char *errbuf,
    size_t errsz)
{
	struct aws_ini *ini = NULL;
	struct ini_st st;
	size_t i = 0;
	enum reg_err er = REG_OK;

	memset(&st, 0, sizeof(st));
	st.errbuf = errbuf;
	st.errsz = errsz;
	if (errbuf != NULL && errsz > 0)
		errbuf[0] = '\0';
	if (p == NULL && len > 0)
		return REG_EINVAL;
	if (len > AWS_INI_MAX_FILE) {
		if (errbuf != NULL)
			(void)snprintf(errbuf, errsz, "larger than %zu bytes",
			    AWS_INI_MAX_FILE);
		return REG_ETOOBIG;
	}
	ini = calloc(1, sizeof(*ini));
	if (ini == NULL)
		return REG_ENOMEM;
	/* every byte can cost at most two in the arena (NUL, '\n') */
	buf_init(&ini->arena, 2 * AWS_INI_MAX_FILE + 16);
	er = buf_addc(&ini->arena, '\0'); /* offset 0: "" */
	if (er != REG_OK)
		goto out;
	st.ini = ini;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && er == REG_OK) {
		size_t b = i;

		while (i < len && p[i] != '\n' && p[i] != '\r')
			i++;
		st.lineno++;
		er = ini_line(&st, span_make(p + b, i - b));
		if (i < len && p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			i++;
		if (i < len)
			i++;
	}
out:
	if (er != REG_OK) {
		aws_ini_free(ini);
		return er;
	}
	*out = ini;
	return REG_OK;
}

void
aws_ini_free(struct aws_ini *ini)
{
	if (ini == NULL)
		return;
	buf_release_wipe(&ini->arena);
	free(ini->sect);
	free(ini->keys);
	free(ini);
}

size_t
aws_ini_nsections(const struct aws_ini *ini)
{
	return ini->nsect;
}

const char *
aws_ini_section(const struct aws_ini *ini, size_t i)
{
	return i < ini->nsect ? ini_str(ini, ini->sect[i].name) : NULL;
}

bool
aws_ini_find(const struct aws_ini *ini, const char *name, size_t *idx)
{
	size_t i;

	if (ini == NULL)
		return false;
	for (i = 0; i < ini->nsect; i++) {
		if (strcmp(ini_str(ini, ini->sect[i].name), name) == 0) {
			*idx = i;
			return true;
		}
	}
	return false;
}

size_t
aws_ini_nkeys(const struct aws_ini *ini, size_t sect)
{
	return sect < ini->nsect ? ini->sect[sect].nkeys : 0;
}

void
aws_ini_key(const struct aws_ini *ini, size_t sect, size_t k, const char **key,
    const char **value)
{
	const struct ini_key *e;

	*key = NULL;
	*value = NULL;
	if (sect >= ini->nsect || k >= ini->sect[sect].nkeys)
		return;
	e = &ini->keys[ini->sect[sect].first + k];
	*key = ini_str(ini, e->key);
	*value = ini_str(ini, e->val);
}

const char *
aws_ini_get(const struct aws_ini *ini, size_t sect, const char *key)
{
	size_t k;

	if (ini == NULL || sect >= ini->nsect)
		return NULL;
	for (k = 0; k < ini->sect[sect].nkeys; k++) {
		const struct ini_key *e = &ini->keys[ini->sect[sect].first + k];

		if (strcmp(ini_str(ini, e->key), key) == 0)
			return ini_str(ini, e->val);
	}
	return NULL;
}

enum reg_err
aws_ini_nested(const char *value, const char *subkey, struct span *out)
{
	struct span rest, line, k;
	bool more = true, found = false;
	const char *eq;

	if (value == NULL || value[0] != '\n')
		return REG_ENOENT;
	rest = span_cstr(value + 1);
	while (more) {
		more = span_split(&rest, '\n', &line);
		line = ini_trim(line);
		if (line.len == 0)
			continue;
		eq = memchr(line.p, '=', line.len);
		if (eq == NULL)
			return REG_EINVAL;
		k = ini_trim(span_make(line.p, (size_t)(eq - line.p)));
		if (span_eq(k, subkey)) {
			*out = ini_trim(span_make(eq + 1,
			    line.len - (size_t)(eq - line.p) - 1));
			found = true;
		}
	}
	return found ? REG_OK : REG_ENOENT;
}
