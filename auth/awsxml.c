/*
 * auth/awsxml.c: bounded element/text extraction from AWS query-protocol
 * XML (see awsxml.h).
 *
 * One forward scan over the whole input validates it and, on the way,
 * tracks how much of the requested path the open-element stack matches;
 * the nth element that matches the full path is remembered.  Text is
 * decoded in a second pass over that element's (already validated) inner
 * content.  The scan is iterative with a fixed-size stack: the input can
 * not make it recurse or allocate.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "auth/awsxml.h"

struct xml_path {
	struct span comp[AWSXML_MAX_PATH];
	size_t n;
};

struct xml_scan {
	const char *p;
	size_t len;
	size_t i;
	struct span stack[AWSXML_MAX_DEPTH];
	size_t depth;
	/* path matching; path may be NULL for a plain check */
	const struct xml_path *path;
	size_t pm;    /* stack[0..pm) matches path->comp[0..pm) */
	size_t nth;   /* which match is wanted */
	size_t count; /* matches seen so far */
	bool open;    /* inside the wanted element */
	bool found;   /* the wanted element was closed */
	bool child;   /* the wanted element has a child element */
	size_t start, end;
};

static bool
xml_name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static bool
xml_name_char(unsigned char c)
{
	return xml_name_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-';
}

static bool
xml_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Character data and attribute values: no NUL, no C0 but TAB LF CR. */
static bool
xml_char_ok(unsigned char c)
{
	return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

static bool
xml_starts(const struct xml_scan *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len - s->i >= n && memcmp(s->p + s->i, lit, n) == 0;
}

/* Index of the first occurrence of lit at or after from, or len. */
static size_t
xml_find(const char *p, size_t len, size_t from, const char *lit)
{
	size_t n = strlen(lit), i;

	if (len < n)
		return len;
	for (i = from; i + n <= len; i++) {
		if (memcmp(p + i, lit, n) == 0)
			return i;
	}
	return len;
}

static bool
xml_cp_ok(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

static size_t
xml_utf8(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
xml_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The digits of &#...; or &#x...; (at most 8), as a code point. */
static bool
xml_charref(const char *d, size_t n, uint32_t *cp)
{
	uint32_t v = 0;
	bool hex = false;
	size_t i;

	if (n > 0 && d[0] == 'x') {
		hex = true;
		d++;
		n--;
	}
	if (n == 0 || n > 8)
		return false;
	for (i = 0; i < n; i++) {
		int x = hex ? xml_hexval(d[i])
		            : (d[i] >= '0' && d[i] <= '9' ? d[i] - '0' : -1);

		if (x < 0)
			return false;
		v = v * (hex ? 16u : 10u) + (uint32_t)x; /* < 16^8: no wrap */
	}
	if (!xml_cp_ok(v))
		return false;
	*cp = v;
	return true;
}

/*
 * Decode the entity or character reference at p[0..len) (p[0] == '&')
 * into out (up to 4 bytes).  *used gets the bytes consumed, *outn the
 * bytes produced.  false when malformed or unknown.
 */
static bool
xml_entity(const char *p, size_t len, size_t *used, char out[4], size_t *outn)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "amp", '&' }, { "lt", '<' }, { "gt", '>' },
		{ "quot", '"' }, { "apos", '\'' } };
	const char *semi;
	size_t n, k, i;
	uint32_t cp;

	k = len - 1 < 12 ? len - 1 : 12; /* "#x0010FFFF" is 10 */
	semi = memchr(p + 1, ';', k);
	if (semi == NULL)
		return false;
	n = (size_t)(semi - (p + 1));
	*used = n + 2;
	if (n > 1 && p[1] == '#') {
		if (!xml_charref(p + 2, n - 1, &cp))
			return false;
		*outn = xml_utf8(cp, out);
		return true;
	}
	for (i = 0; i < nitems(named); i++) {
		if (strlen(named[i].name) == n &&
		    memcmp(p + 1, named[i].name, n) == 0) {
			out[0] = named[i].c;
			*outn = 1;
			return true;
		}
	}
	return false;
}

/* Validate character data or an attribute value up to a stop byte. */
static enum reg_err
xml_chars(struct xml_scan *s, char stop)
{
	char tmp[4];
	size_t used, n;

	while (s->i < s->len && s->p[s->i] != stop && s->p[s->i] != '<') {
		unsigned char c = (unsigned char)s->p[s->i];

		if (c == '&') {
			if (!xml_entity(s->p + s->i, s->len - s->i, &used, tmp,
			        &n))
				return REG_EINVAL;
			s->i += used;
			continue;
		}
		if (!xml_char_ok(c))
			return REG_EINVAL;
		s->i++;
	}
	return REG_OK;
}

static bool
xml_name(struct xml_scan *s, struct span *name)
{
	size_t b = s->i;

	if (s->i >= s->len || !xml_name_start((unsigned char)s->p[s->i]))
		return false;
	while (s->i < s->len && xml_name_char((unsigned char)s->p[s->i]))
		s->i++;
	if (s->i - b > AWSXML_MAX_NAME)
		return false;
	*name = span_make(s->p + b, s->i - b);
	return true;
}

static size_t
xml_skip_ws(struct xml_scan *s)
{
	size_t b = s->i;

	while (s->i < s->len && xml_ws(s->p[s->i]))
		s->i++;
	return s->i - b;
}

static struct span
xml_local(struct span name)
{
	const char *c = memchr(name.p, ':', name.len);

	while (c != NULL) {
		size_t off = (size_t)(c - name.p) + 1;

		name.p += off;
		name.len -= off;
		c = memchr(name.p, ':', name.len);
	}
	return name;
}

static bool
xml_span_eq(struct span a, struct span b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* Attributes: (ws+ name ws* '=' ws* quoted-value)*, then ws*. */
static enum reg_err
xml_attrs(struct xml_scan *s)
{
	struct span name;
	enum reg_err er;
	char q;

	for (;;) {
		size_t ws = xml_skip_ws(s);

		if (s->i >= s->len)
			return REG_EINVAL;
		if (s->p[s->i] == '>' || s->p[s->i] == '/')
			return REG_OK;
		if (ws == 0 || !xml_name(s, &name))
			return REG_EINVAL;
		xml_skip_ws(s);
		if (s->i >= s->len || s->p[s->i] != '=')
			return REG_EINVAL;
		s->i++;
		xml_skip_ws(s);
		if (s->i >= s->len || (s->p[s->i] != '"' && s->p[s->i] != '\''))
			return REG_EINVAL;
		q = s->p[s->i++];
		er = xml_chars(s, q);
		if (er != REG_OK)
			return er;
		if (s->i >= s->len || s->p[s->i] != q)
			return REG_EINVAL; /* '<' in a value or truncated */
		s->i++;
	}
}

/* An element opened (name pushed): path bookkeeping. */
static void
xml_opened(struct xml_scan *s, struct span name)
{
	size_t d = s->depth; /* before the push */

	if (s->open)
		s->child = true;
	if (s->path == NULL)
		return;
	if (s->pm == d && d < s->path->n &&
	    xml_span_eq(xml_local(name), s->path->comp[d])) {
		s->pm = d + 1;
		if (s->pm == s->path->n) {
			if (s->count == s->nth && !s->found) {
				s->open = true;
				s->start = s->i;
			}
			s->count++;
		}
	}
}

/* The element at the top of the stack closes; lt is where "</" began. */
static void
xml_closed(struct xml_scan *s, size_t lt)
{
	if (s->open && s->depth == s->path->n) {
		s->open = false;
		s->found = true;
		s->end = lt;
	}
	if (s->pm == s->depth)
		s->pm--;
	s->depth--;
}

static enum reg_err
xml_start_tag(struct xml_scan *s)
{
	struct span name;
	enum reg_err er;

	s->i++; /* '<' */
	if (!xml_name(s, &name))
		return REG_EINVAL;
	if (s->depth >= AWSXML_MAX_DEPTH)
		return REG_EINVAL;
	er = xml_attrs(s);
	if (er != REG_OK)
		return er;
	if (s->p[s->i] == '/') {
		if (s->i + 1 >= s->len || s->p[s->i + 1] != '>')
			return REG_EINVAL;
		s->i += 2;
		xml_opened(s, name);
		s->stack[s->depth++] = name;
		xml_closed(s, s->i);
		return REG_OK;
	}
	s->i++; /* '>' */
	xml_opened(s, name);
	s->stack[s->depth++] = name;
	return REG_OK;
}

static enum reg_err
xml_end_tag(struct xml_scan *s)
{
	struct span name;
	size_t lt = s->i;

	s->i += 2; /* "</" */
	if (!xml_name(s, &name))
		return REG_EINVAL;
	xml_skip_ws(s);
	if (s->i >= s->len || s->p[s->i] != '>')
		return REG_EINVAL;
	s->i++;
	if (s->depth == 0 || !xml_span_eq(name, s->stack[s->depth - 1]))
		return REG_EINVAL;
	xml_closed(s, lt);
	return REG_OK;
}

/* Skip from the current "<!--" or "<?" to past its terminator. */
static enum reg_err
xml_skip_to(struct xml_scan *s, size_t open, const char *term)
{
	size_t e = xml_find(s->p, s->len, s->i + open, term);

	if (e >= s->len)
		return REG_EINVAL;
	for (; s->i < e; s->i++) {
		if (!xml_char_ok((unsigned char)s->p[s->i]))
			return REG_EINVAL;
	}
	s->i = e + strlen(term);
	return REG_OK;
}

static enum reg_err
xml_markup(struct xml_scan *s)
{
	if (xml_starts(s, "<!--"))
		return xml_skip_to(s, 4, "-->");
	if (xml_starts(s, "<?"))
		return xml_skip_to(s, 2, "?>");
	if (xml_starts(s, "<!")) /* DOCTYPE, CDATA, declarations */
		return REG_EINVAL;
	if (xml_starts(s, "</"))
		return xml_end_tag(s);
	return xml_start_tag(s);
}

static enum reg_err
xml_scan_all(struct xml_scan *s)
{
	enum reg_err er;

	if (s->len > AWSXML_MAX_DOC)
		return REG_ETOOBIG;
	while (s->i < s->len) {
		if (s->p[s->i] == '<')
			er = xml_markup(s);
		else
			er = xml_chars(s, '<');
		if (er != REG_OK)
			return er;
	}
	return s->depth == 0 ? REG_OK : REG_EINVAL;
}

static bool
xml_path_parse(const char *path, struct xml_path *xp)
{
	struct span rest, head;
	bool more = true;

	if (path == NULL)
		return false;
	rest = span_cstr(path);
	xp->n = 0;
	while (more) {
		more = span_split(&rest, '/', &head);
		if (head.len == 0 || head.len > AWSXML_MAX_NAME ||
		    xp->n >= AWSXML_MAX_PATH)
			return false;
		xp->comp[xp->n++] = head;
	}
	return true;
}

static enum reg_err
xml_locate(const char *doc, size_t len, const char *path, size_t nth,
    struct xml_scan *s)
{
	struct xml_path xp;
	enum reg_err er;

	memset(s, 0, sizeof(*s));
	memset(&xp, 0, sizeof(xp));
	if (doc == NULL && len > 0)
		return REG_EINVAL;
	s->p = doc != NULL ? doc : "";
	s->len = len;
	if (!xml_path_parse(path, &xp))
		return REG_EINVAL;
	s->path = &xp;
	s->nth = nth;
	er = xml_scan_all(s);
	s->path = NULL; /* xp dies here */
	if (er != REG_OK)
		return er;
	return s->found ? REG_OK : REG_ENOENT;
}

enum reg_err
awsxml_check(const char *doc, size_t len)
{
	struct xml_scan s;

	memset(&s, 0, sizeof(s));
	if (doc == NULL && len > 0)
		return REG_EINVAL;
	s.p = doc != NULL ? doc : "";
	s.len = len;
	return xml_scan_all(&s);
}

enum reg_err
awsxml_element(const char *doc, size_t len, const char *path, size_t nth,
    struct span *inner)
{
	struct xml_scan s;
	enum reg_err er;

	er = xml_locate(doc, len, path, nth, &s);
	if (er != REG_OK)
		return er;
	*inner = span_make(s.p + s.start, s.end - s.start);
	return REG_OK;
}

/*
 * Decode validated text content (comments and PIs skipped) into out,
 * or only count the bytes when out is NULL.  Returns the length.
 */
static size_t
xml_decode(struct span in, char *out)
{
	size_t i = 0, o = 0, used, n;
	char tmp[4];

	while (i < in.len) {
		if (in.p[i] == '<') {
			const char *term =
			    in.len - i >= 4 && memcmp(in.p + i, "<!--", 4) == 0
			    ? "-->"
			    : "?>";

			i = xml_find(in.p, in.len, i + 2, term) + strlen(term);
			continue;
		}
		if (in.p[i] == '&' &&
		    xml_entity(in.p + i, in.len - i, &used, tmp, &n)) {
			i += used;
		} else {
			tmp[0] = in.p[i++]; /* validated: '&' was handled */
			n = 1;
		}
		if (out != NULL)
			memcpy(out + o, tmp, n);
		o += n;
	}
	return o;
}

enum reg_err
awsxml_text(const char *doc, size_t len, const char *path, size_t nth,
    char *out, size_t outsz, size_t *outlen)
{
	struct xml_scan s;
	struct span in;
	enum reg_err er;
	size_t n;

	if (out == NULL || outsz == 0)
		return REG_EINVAL;
	er = xml_locate(doc, len, path, nth, &s);
	if (er != REG_OK)
		return er;
	if (s.child)
		return REG_EINVAL;
	in = span_make(s.p + s.start, s.end - s.start);
	n = xml_decode(in, NULL);
	if (n >= outsz)
		return REG_ETOOBIG;
	(void)xml_decode(in, out);
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return REG_OK;
}
