/*
 * admin-tools/client_ignore.c: see client_ignore.h.
 *
 * Invariant: a compiled rule holds its pattern split into '/'-segments;
 * one segment is matched by an iterative glob with one backtracking point
 * (every token other than '*' consumes exactly one byte, so the classic
 * algorithm is exact), and segments by a dynamic programme over (pattern
 * segment, path segment), so no input makes matching exponential.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/client_ignore.h"

struct client_ignore_seg {
	const char *p;
	size_t len;
	bool dstar; /* the whole segment is "**" */
};

struct client_ignore_rule {
	char *pat; /* owned; segments point into it */
	struct client_ignore_seg seg[CLIENT_IGNORE_SEGS_MAX];
	size_t nseg;
	bool neg, dir_only, anchored;
};

struct client_ignore {
	struct client_ignore_rule *r;
	size_t n;
};

/* ---- one segment ---- */

/*
 * A bracket class starting at pat[i] == '['.  On a closed class, *pi moves
 * past it and the result is whether c is a member; an unterminated one
 * returns false with *pi unchanged (the '[' is then literal).
 */
static bool
client_ignore_class(const char *pat, size_t plen, size_t *pi, char c, bool *hit)
{
	size_t j = *pi + 1;
	bool neg = false, in = false;
	unsigned char lo, hi, uc = (unsigned char)c;

	if (j < plen && (pat[j] == '!' || pat[j] == '^')) {
		neg = true;
		j++;
	}
	if (j < plen && pat[j] == ']') { /* a ']' first is a member */
		in = c == ']';
		j++;
	}
	while (j < plen && pat[j] != ']') {
		if (pat[j] == '\\' && j + 1 < plen)
			j++;
		lo = hi = (unsigned char)pat[j];
		if (j + 2 < plen && pat[j + 1] == '-' && pat[j + 2] != ']') {
			j += 2;
			if (pat[j] == '\\' && j + 1 < plen)
				j++;
			hi = (unsigned char)pat[j];
		}
		if (uc >= lo && uc <= hi)
			in = true;
		j++;
	}
	if (j >= plen)
		return false;
	*pi = j + 1;
	*hit = in != neg;
	return true;
}

/*
 * Match the single-byte token of pat starting at *pi against c; *pi moves
 * past the token.  '*' is not handled here.
 */
static bool
client_ignore_tok(const char *pat, size_t plen, size_t *pi, char c)
{
	size_t i = *pi;
	bool hit;

	if (pat[i] == '?') {
		*pi = i + 1;
		return true;
	}
	if (pat[i] == '\\' && i + 1 < plen) {
		*pi = i + 2;
		return pat[i + 1] == c;
	}
	if (pat[i] == '[' && client_ignore_class(pat, plen, pi, c, &hit))
		return hit;
	*pi = i + 1;
	return pat[i] == c;
}

static bool
client_ignore_seg_match(const char *pat, size_t plen, const char *s,
    size_t slen)
{
	size_t p = 0, i = 0, star = SIZE_MAX, mark = 0, np;

	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			star = ++p;
			mark = i;
			continue;
		}
		np = p;
		if (p < plen && client_ignore_tok(pat, plen, &np, s[i])) {
			p = np;
			i++;
			continue;
		}
		if (star != SIZE_MAX) {
			p = star;
			i = ++mark;
			continue;
		}
		return false;
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/* ---- paths ---- */

bool
client_ignore_path_valid(const char *path, size_t len)
{
	size_t i, segs = 1;

	if (len == 0 || len > CLIENT_IGNORE_PATH_MAX || path[0] == '/' ||
	    path[len - 1] == '/')
		return false;
	for (i = 0; i < len; i++) {
		if (path[i] == '\0')
			return false;
		if (path[i] == '/') {
			if (path[i - 1] == '/')
				return false;
			segs++;
		}
	}
	return segs <= CLIENT_IGNORE_PATH_SEGS;
}

struct client_ignore_pseg {
	const char *p;
	size_t len;
};

static size_t
client_ignore_split(const char *path, size_t len,
    struct client_ignore_pseg *out)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		out[n].p = path + start;
		out[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

/*
 * Anchored match of the rule's segments against path segments:
 * m[i][j] = pattern segments i.. match path segments j..; a two-star
 * segment matches zero or more path segments, or one or more when it is
 * the last one (so that "a" followed by it does not match "a" itself).
 */
static bool
client_ignore_segs_match(const struct client_ignore_rule *r,
    const struct client_ignore_pseg *ps, size_t n, unsigned char *m)
{
	size_t i, j, P = r->nseg, W = n + 1;

	for (i = P + 1; i-- > 0;) {
		for (j = n + 1; j-- > 0;) {
			bool v;

			if (i == P) {
				v = j == n;
			} else if (r->seg[i].dstar) {
				v = (i + 1 < P && m[(i + 1) * W + j]) ||
				    (j < n &&
				        (m[(i + 1) * W + j + 1] ||
				            m[i * W + j + 1]));
			} else {
				v = j < n &&
				    client_ignore_seg_match(r->seg[i].p,
				        r->seg[i].len, ps[j].p, ps[j].len) &&
				    m[(i + 1) * W + j + 1];
			}
			m[i * W + j] = v ? 1 : 0;
		}
	}
	return m[0] != 0;
}

static bool
client_ignore_rule_match(const struct client_ignore_rule *r,
    const struct client_ignore_pseg *ps, size_t n, bool is_dir,
    unsigned char *m)
{
	if (r->dir_only && !is_dir)
		return false;
	if (!r->anchored)
		return client_ignore_seg_match(r->seg[0].p, r->seg[0].len,
		    ps[n - 1].p, ps[n - 1].len);
	return client_ignore_segs_match(r, ps, n, m);
}

/* The decision for a path already split; m has room for the DP. */
static bool
client_ignore_decide(const struct client_ignore *ig,
    const struct client_ignore_pseg *ps, size_t n, bool is_dir,
    unsigned char *m)
{
	size_t k;

	if (ig == NULL)
		return false;
	for (k = ig->n; k-- > 0;)
		if (client_ignore_rule_match(&ig->r[k], ps, n, is_dir, m))
			return !ig->r[k].neg;
	return false;
}

#define CLIENT_IGNORE_DP \
	((size_t)(CLIENT_IGNORE_SEGS_MAX + 1) * (CLIENT_IGNORE_PATH_SEGS + 1))

bool
client_ignore_match(const struct client_ignore *ig, const char *path,
    size_t len, bool is_dir)
{
	struct client_ignore_pseg *ps;
	unsigned char *m;
	bool res = false;

	if (ig == NULL || !client_ignore_path_valid(path, len))
		return false;
	ps = calloc(CLIENT_IGNORE_PATH_SEGS, sizeof(*ps));
	m = calloc(CLIENT_IGNORE_DP, 1);
	if (ps != NULL && m != NULL)
		res = client_ignore_decide(ig, ps,
		    client_ignore_split(path, len, ps), is_dir, m);
	free(ps);
	free(m);
	return res;
}

bool
client_ignore_excluded(const struct client_ignore *ig, const char *path,
    size_t len, bool is_dir)
{
	struct client_ignore_pseg *ps;
	unsigned char *m;
	size_t n, k;
	bool res = false;

	if (!client_ignore_path_valid(path, len))
		return false;
	ps = calloc(CLIENT_IGNORE_PATH_SEGS, sizeof(*ps));
	m = calloc(CLIENT_IGNORE_DP, 1);
	if (ps == NULL || m == NULL) {
		res = true; /* fail closed: leave it out */
		goto out;
	}
	n = client_ignore_split(path, len, ps);
	for (k = 0; k < n; k++) {
		if ((ps[k].len == 4 && memcmp(ps[k].p, ".git", 4) == 0) ||
		    (ps[k].len == 10 &&
		        memcmp(ps[k].p, ".terraform", 10) == 0)) {
			res = true;
			goto out;
		}
	}
	/* each parent directory, shortest first, then the path itself */
	for (k = 1; k <= n && !res; k++)
		res = client_ignore_decide(ig, ps, k, k < n || is_dir, m);
out:
	free(ps);
	free(m);
	return res;
}

/* ---- compiling ---- */

/* Add the rule line[0..len); REG_OK for lines that are no rule too. */
static enum reg_err
client_ignore_line(struct client_ignore *ig, const char *line, size_t len)
{
	struct client_ignore_rule *r;
	size_t i, start;
	bool neg = false, dir_only = false, anchored;
	char *pat;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	/* trailing spaces, unless the last one is escaped */
	while (len > 0 && line[len - 1] == ' ' &&
	    !(len >= 2 && line[len - 2] == '\\'))
		len--;
	if (len == 0 || line[0] == '#')
		return REG_OK;
	if (line[0] == '!') {
		neg = true;
		line++;
		len--;
	} else if (line[0] == '\\' && len >= 2 &&
	    (line[1] == '#' || line[1] == '!')) {
		line++;
		len--;
	}
	if (len > 0 && line[len - 1] == '/' &&
	    !(len >= 2 && line[len - 2] == '\\')) {
		dir_only = true;
		len--;
	}
	anchored = memchr(line, '/', len) != NULL;
	if (len > 0 && line[0] == '/') {
		line++;
		len--;
	}
	if (len == 0)
		return REG_OK; /* "/" or "!" alone: nothing to match */
	if (ig->n >= CLIENT_IGNORE_RULES_MAX)
		return REG_ETOOBIG;
	pat = malloc(len + 1);
	if (pat == NULL)
		return REG_ENOMEM;
	memcpy(pat, line, len);
	pat[len] = '\0';
	r = &ig->r[ig->n];
	memset(r, 0, sizeof(*r));
	r->pat = pat;
	r->neg = neg;
	r->dir_only = dir_only;
	r->anchored = anchored;
	for (i = 0, start = 0; i <= len; i++) {
		if (i < len && pat[i] != '/')
			continue;
		if (r->nseg >= CLIENT_IGNORE_SEGS_MAX) {
			free(pat);
			r->pat = NULL;
			return REG_ETOOBIG;
		}
		r->seg[r->nseg].p = pat + start;
		r->seg[r->nseg].len = i - start;
		r->seg[r->nseg].dstar = i - start == 2 && pat[start] == '*' &&
		    pat[start + 1] == '*';
		r->nseg++;
		start = i + 1;
	}
	ig->n++;
	return REG_OK;
}

enum reg_err
client_ignore_new(const char *text, size_t len, struct client_ignore **out)
{
	struct client_ignore *ig;
	enum reg_err er = REG_OK;
	size_t i, start = 0, lines = 0;

	if (len > CLIENT_IGNORE_TEXT_MAX)
		return REG_ETOOBIG;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	if (lines + 1 > (size_t)CLIENT_IGNORE_RULES_MAX * 4)
		return REG_ETOOBIG;
	ig = calloc(1, sizeof(*ig));
	if (ig == NULL)
		return REG_ENOMEM;
	ig->r = calloc(lines + 1 < CLIENT_IGNORE_RULES_MAX
	        ? lines + 1
	        : CLIENT_IGNORE_RULES_MAX,
	    sizeof(*ig->r));
	if (ig->r == NULL) {
		free(ig);
		return REG_ENOMEM;
	}
	for (i = 0; i <= len && er == REG_OK; i++) {
		if (i < len && text[i] != '\n')
			continue;
		er = client_ignore_line(ig, text + start, i - start);
		start = i + 1;
	}
	if (er != REG_OK) {
		client_ignore_free(ig);
		return er;
	}
	*out = ig;
	return REG_OK;
}

void
client_ignore_free(struct client_ignore *ig)
{
	size_t i;

	if (ig == NULL)
		return;
	for (i = 0; i < ig->n; i++)
		free(ig->r[i].pat);
	free(ig->r);
	free(ig);
}

size_t
client_ignore_count(const struct client_ignore *ig)
{
	return ig != NULL ? ig->n : 0;
}
