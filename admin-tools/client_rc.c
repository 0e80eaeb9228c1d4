/*
 * admin-tools/client_rc.c: see client_rc.h.
 *
 * Invariant: the scanner is one loop over the bytes with an explicit,
 * bounded stack of modes (code, string, interpolation), so no input can
 * recurse or loop without consuming a byte; every offset it reports lies
 * inside the input.
 */
#include <string.h>

#include "admin-tools/client_rc.h"

enum rc_mode { RC_CODE, RC_STR, RC_INTERP };

/* Where the top level is in the grammar  key [labels] { ... } | key = v */
enum rc_top {
	RC_KEY,    /* expecting a key */
	RC_AFTER,  /* after a key: labels, '{' or '=' */
	RC_VALUE,  /* after '=': one value */
	RC_HLABEL, /* after the credentials_helper keyword */
};

struct rc_frame {
	enum rc_mode mode;
	char close;      /* RC_CODE: the bracket that closes it */
	unsigned braces; /* RC_INTERP: open '{' inside it */
};

struct rc_state {
	const char *t;
	size_t len, i;
	struct rc_frame st[CLIENT_RC_DEPTH_MAX];
	size_t depth; /* frames in use; st[0] is the file */
	enum rc_top top;
	bool in_helper;    /* between a helper's '{' and its '}' */
	bool helper_label; /* its first label was recorded */
	size_t str_start;  /* offset of the '"' of a top-level string */
	struct client_rc_scan *out;
	const char *why;
};

static bool
rc_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static enum reg_err
rc_fail(struct rc_state *s, const char *why, enum reg_err er)
{
	s->why = why;
	return er;
}

static enum reg_err
rc_push(struct rc_state *s, enum rc_mode m, char close)
{
	if (s->depth >= CLIENT_RC_DEPTH_MAX)
		return rc_fail(s, "nesting is too deep", REG_ETOOBIG);
	s->st[s->depth].mode = m;
	s->st[s->depth].close = close;
	s->st[s->depth].braces = 0;
	s->depth++;
	return REG_OK;
}

/* At the file level (no bracket or string open). */
static bool
rc_at_top(const struct rc_state *s)
{
	return s->depth == 1;
}

/* The label text s->t[a..b) of the helper block being read. */
static void
rc_label(struct rc_state *s, size_t a, size_t b)
{
	struct client_rc_block *blk = &s->out->b[s->out->n];
	size_t n = b - a;

	if (s->helper_label)
		return;
	if (n > CLIENT_RC_LABEL_MAX)
		n = CLIENT_RC_LABEL_MAX;
	memcpy(blk->label, s->t + a, n);
	blk->label[n] = '\0';
	s->helper_label = true;
}

/* A complete top-level value or label token ended (word or string). */
static enum reg_err
rc_top_token(struct rc_state *s, size_t a, size_t b, bool is_word)
{
	switch (s->top) {
	case RC_KEY:
		if (!is_word) {
			s->top = RC_AFTER; /* a quoted key */
			return REG_OK;
		}
		if (b - a == 18 &&
		    memcmp(s->t + a, "credentials_helper", 18) == 0) {
			if (s->out->n >= CLIENT_RC_BLOCKS_MAX)
				return rc_fail(s,
				    "too many credentials_helper blocks",
				    REG_ETOOBIG);
			memset(&s->out->b[s->out->n], 0, sizeof(s->out->b[0]));
			s->out->b[s->out->n].start = a;
			s->helper_label = false;
			s->top = RC_HLABEL;
			return REG_OK;
		}
		s->top = RC_AFTER;
		return REG_OK;
	case RC_HLABEL:
		rc_label(s, a, b);
		return REG_OK;
	case RC_VALUE:
		s->top = RC_KEY;
		return REG_OK;
	case RC_AFTER:
	default:
		return REG_OK; /* a label of some other block */
	}
}

/* '=' at the top level. */
static enum reg_err
rc_top_equals(struct rc_state *s)
{
	if (s->top == RC_HLABEL)
		return rc_fail(s,
		    "credentials_helper is not written as a block "
		    "(credentials_helper \"NAME\" { ... })",
		    REG_EINVAL);
	if (s->top != RC_AFTER)
		return rc_fail(s, "'=' without a key", REG_EINVAL);
	s->top = RC_VALUE;
	return REG_OK;
}

/* An opening bracket in code. */
static enum reg_err
rc_open(struct rc_state *s, char c)
{
	char close = (char)(c == '{' ? '}' : c == '[' ? ']' : ')');

	if (rc_at_top(s) && s->top == RC_HLABEL) {
		if (c != '{')
			return rc_fail(s,
			    "credentials_helper is not written as a block",
			    REG_EINVAL);
		s->in_helper = true;
	} else if (rc_at_top(s) && s->top == RC_KEY) {
		return rc_fail(s, "bracket where a key was expected",
		    REG_EINVAL);
	}
	return rc_push(s, RC_CODE, close);
}

/* A closing bracket in code. */
static enum reg_err
rc_close(struct rc_state *s, char c)
{
	if (s->depth <= 1 || s->st[s->depth - 1].close != c)
		return rc_fail(s, "unbalanced brackets", REG_EINVAL);
	s->depth--;
	if (!rc_at_top(s))
		return REG_OK;
	if (s->in_helper) {
		s->out->b[s->out->n].end = s->i + 1;
		s->out->n++;
		s->in_helper = false;
	}
	s->top = RC_KEY; /* a block or a bracketed value ended */
	return REG_OK;
}

/* Skip a comment starting at s->i; false when there is none. */
static bool
rc_comment(struct rc_state *s, enum reg_err *er)
{
	const char *t = s->t, *e;
	size_t i = s->i;

	*er = REG_OK;
	if (t[i] == '#' || (t[i] == '/' && i + 1 < s->len && t[i + 1] == '/')) {
		e = memchr(t + i, '\n', s->len - i);
		s->i = e != NULL ? (size_t)(e - t) : s->len;
		return true;
	}
	if (t[i] == '/' && i + 1 < s->len && t[i + 1] == '*') {
		e = i + 2 < s->len ? memmem(t + i + 2, s->len - i - 2, "*/", 2)
		                   : NULL;
		if (e == NULL)
			*er = rc_fail(s, "unterminated /* comment", REG_EINVAL);
		else
			s->i = (size_t)(e - t) + 2;
		return true;
	}
	return false;
}

/* One step in code (the file or inside brackets). */
static enum reg_err
rc_code(struct rc_state *s)
{
	char c = s->t[s->i];
	enum reg_err er;
	size_t a;

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
		s->i++;
		return REG_OK;
	}
	if (rc_comment(s, &er))
		return er;
	if (c == '<' && s->i + 1 < s->len && s->t[s->i + 1] == '<')
		return rc_fail(s,
		    "heredoc strings (<<) are not supported: edit the file "
		    "by hand",
		    REG_EINVAL);
	if (c == '"') {
		s->str_start = s->i;
		s->i++;
		return rc_push(s, RC_STR, '"');
	}
	if (c == '{' || c == '[' || c == '(') {
		er = rc_open(s, c);
		s->i++;
		return er;
	}
	if (c == '}' || c == ']' || c == ')') {
		er = rc_close(s, c);
		s->i++;
		return er;
	}
	if (rc_word_char(c)) {
		for (a = s->i; s->i < s->len && rc_word_char(s->t[s->i]);)
			s->i++;
		return rc_at_top(s) ? rc_top_token(s, a, s->i, true) : REG_OK;
	}
	s->i++;
	if (c == '=' && rc_at_top(s))
		return rc_top_equals(s);
	return REG_OK;
}

/* One step inside a string. */
static enum reg_err
rc_str(struct rc_state *s)
{
	char c = s->t[s->i];

	if (c == '\\') {
		if (s->i + 1 >= s->len || s->t[s->i + 1] == '\n')
			return rc_fail(s, "unterminated string", REG_EINVAL);
		s->i += 2;
		return REG_OK;
	}
	if (c == '\n')
		return rc_fail(s, "unterminated string", REG_EINVAL);
	if (c == '"') {
		s->depth--;
		s->i++;
		return rc_at_top(s)
		    ? rc_top_token(s, s->str_start + 1, s->i - 1, false)
		    : REG_OK;
	}
	if (c == '$' && s->i + 1 < s->len && s->t[s->i + 1] == '{') {
		s->i += 2;
		return rc_push(s, RC_INTERP, '}');
	}
	s->i++;
	return REG_OK;
}

/* One step inside "${ ... }". */
static enum reg_err
rc_interp(struct rc_state *s)
{
	struct rc_frame *f = &s->st[s->depth - 1];
	char c = s->t[s->i];

	s->i++;
	if (c == '"')
		return rc_push(s, RC_STR, '"');
	if (c == '{')
		f->braces++;
	if (c == '}') {
		if (f->braces == 0)
			s->depth--;
		else
			f->braces--;
	}
	return REG_OK;
}

static size_t
rc_line_of(const char *t, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (t[i] == '\n')
			line++;
	return line;
}

enum reg_err
client_rc_scan(const char *text, size_t len, struct client_rc_scan *out,
    const char **why)
{
	struct rc_state s;
	enum reg_err er = REG_OK;

	memset(out, 0, sizeof(*out));
	if (len > CLIENT_RC_MAX) {
		if (why != NULL)
			*why = "the file is larger than 1 MiB";
		return REG_ETOOBIG;
	}
	memset(&s, 0, sizeof(s));
	s.t = text;
	s.len = len;
	s.out = out;
	s.st[0].mode = RC_CODE;
	s.depth = 1;
	s.top = RC_KEY;
	while (er == REG_OK && s.i < len) {
		switch (s.st[s.depth - 1].mode) {
		case RC_STR:
			er = rc_str(&s);
			break;
		case RC_INTERP:
			er = rc_interp(&s);
			break;
		case RC_CODE:
		default:
			er = rc_code(&s);
			break;
		}
	}
	if (er == REG_OK && s.depth != 1)
		er = rc_fail(&s,
		    s.st[s.depth - 1].mode == RC_CODE ? "unclosed bracket"
		                                      : "unterminated string",
		    REG_EINVAL);
	if (er == REG_OK && s.top != RC_KEY)
		er = rc_fail(&s, "the file ends in the middle of an item",
		    REG_EINVAL);
	if (er != REG_OK) {
		out->n = 0;
		out->err_line = rc_line_of(text, s.i < len ? s.i : len);
		if (why != NULL)
			*why = s.why;
	}
	return er;
}

enum reg_err
client_rc_quote(const char *s, struct buf *out)
{
	size_t start = out->len, i;
	enum reg_err er;

	if (strstr(s, "${") != NULL || strstr(s, "%{") != NULL)
		return REG_EINVAL;
	er = buf_addc(out, '"');
	for (i = 0; er == REG_OK && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			er = REG_EINVAL;
			break;
		}
		if (c == '"' || c == '\\')
			er = buf_addc(out, '\\');
		if (er == REG_OK)
			er = buf_addc(out, (char)c);
	}
	if (er == REG_OK)
		er = buf_addc(out, '"');
	if (er != REG_OK) { /* leave out as it was */
		out->len = start;
		if (out->p != NULL)
			out->p[start] = '\0';
	}
	return er;
}

enum reg_err
client_rc_edit(const char *text, size_t len, const char *block, bool force,
    struct buf *out, struct client_rc_scan *scan, const char **why)
{
	struct client_rc_scan local;
	struct client_rc_scan *sc = &local;
	const struct client_rc_block *b;
	enum reg_err er;

	if (scan != NULL)
		sc = scan;

	er = client_rc_scan(text, len, sc, why);
	if (er != REG_OK)
		return er;
	if (sc->n > 1) {
		if (why != NULL)
			*why = "the file has several credentials_helper "
			       "blocks but Terraform allows one: remove all "
			       "but one by hand";
		return REG_EEXIST;
	}
	if (sc->n == 0) {
		er = buf_add(out, text, len);
		if (er == REG_OK && len > 0 && text[len - 1] != '\n')
			er = buf_addc(out, '\n');
		if (er == REG_OK && len > 0)
			er = buf_addc(out, '\n');
		if (er == REG_OK)
			er = buf_adds(out, block);
		if (er == REG_OK)
			er = buf_addc(out, '\n');
		return er;
	}
	b = &sc->b[0];
	if (strcmp(b->label, CLIENT_RC_HELPER) != 0 && !force) {
		if (why != NULL)
			*why = "another credentials_helper block is configured "
			       "and Terraform allows only one: remove it, or "
			       "use --force to replace it";
		return REG_EEXIST;
	}
	er = buf_add(out, text, b->start);
	if (er == REG_OK)
		er = buf_adds(out, block);
	if (er == REG_OK)
		er = buf_add(out, text + b->end, len - b->end);
	return er;
}
