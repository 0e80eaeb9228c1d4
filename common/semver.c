/*
 * common/semver.c: strict Semantic Versioning 2.0.0 (see semver.h).
 *
 * Invariant: a string that parses is canonical.  Numeric parts and
 * numeric pre-release identifiers have no leading zeros, so printing the
 * struct back as MAJOR.MINOR.PATCH[-PRE][+BUILD] gives the input byte
 * for byte, and two parsed versions have equal precedence and equal
 * build metadata only when their strings are identical.  The parser
 * reads exactly len bytes and never relies on a NUL.
 */
#include <string.h>

#include "common/num.h"
#include "common/semver.h"

enum semver_part { PART_MAJOR, PART_MINOR, PART_PATCH, PART_N };

/* Messages per numeric part; static so *why can point at them. */
static const struct {
	const char *empty;
	const char *nondigit;
	const char *leadzero;
	const char *toobig;
} part_msg[PART_N] = {
	[PART_MAJOR] = {
	    "version has an empty major part",
	    "version has a non-digit character in the major part",
	    "version has a leading zero in the major part",
	    "version major part does not fit in 64 bits",
	},
	[PART_MINOR] = {
	    "version has an empty minor part",
	    "version has a non-digit character in the minor part",
	    "version has a leading zero in the minor part",
	    "version minor part does not fit in 64 bits",
	},
	[PART_PATCH] = {
	    "version has an empty patch part",
	    "version has a non-digit character in the patch part",
	    "version has a leading zero in the patch part",
	    "version patch part does not fit in 64 bits",
	},
};

/* Messages for a dot-separated identifier list (pre-release or build). */
struct ident_msg {
	const char *empty;    /* nothing after the '-' or '+' */
	const char *idempty;  /* "a..b", ".a", "a." */
	const char *badchar;  /* outside [0-9A-Za-z-] */
	const char *leadzero; /* NULL: leading zeros allowed (build) */
};

static const struct ident_msg pre_msg = {
	"pre-release after '-' is empty",
	"pre-release identifier is empty",
	"pre-release identifier has a character outside [0-9A-Za-z-]",
	"pre-release numeric identifier has a leading zero",
};

static const struct ident_msg build_msg = {
	"build metadata after '+' is empty",
	"build metadata identifier is empty",
	"build metadata identifier has a character outside [0-9A-Za-z-]",
	NULL,
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-';
}

static bool
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* One of MAJOR, MINOR, PATCH: s[0..len) holds no '.'. */
static enum reg_err
parse_part(const char *s, size_t len, enum semver_part part, uint64_t *out,
    const char **why)
{
	if (len == 0) {
		*why = part_msg[part].empty;
		return REG_EINVAL;
	}
	if (!all_digits(s, len)) {
		*why = part_msg[part].nondigit;
		return REG_EINVAL;
	}
	if (len > 1 && s[0] == '0') {
		*why = part_msg[part].leadzero;
		return REG_EINVAL;
	}
	/* Only digits, no leading zero: the one way left to fail is size. */
	if (num_parse_u64(s, len, 0, UINT64_MAX, out) != REG_OK) {
		*why = part_msg[part].toobig;
		return REG_EINVAL;
	}
	return REG_OK;
}

/* MAJOR.MINOR.PATCH: exactly two dots, three numeric parts. */
static enum reg_err
parse_core(const char *s, size_t len, struct semver *v, const char **why)
{
	uint64_t *dst[PART_N] = { &v->major, &v->minor, &v->patch };
	size_t start = 0, i, ndots = 0;
	enum reg_err er;
	int part;

	for (i = 0; i < len; i++)
		if (s[i] == '.')
			ndots++;
	if (ndots != 2) {
		*why = "version must have three numeric parts: "
		       "MAJOR.MINOR.PATCH";
		return REG_EINVAL;
	}
	for (part = PART_MAJOR; part < PART_N; part++) {
		const char *dot = memchr(s + start, '.', len - start);
		size_t end = dot != NULL ? (size_t)(dot - s) : len;

		er = parse_part(s + start, end - start, (enum semver_part)part,
		    dst[part], why);
		if (er != REG_OK)
			return er;
		start = end + 1;
	}
	return REG_OK;
}

/*
 * A dot-separated list of identifiers from [0-9A-Za-z-], none empty;
 * numeric ones without leading zeros when m->leadzero is set.  Copied
 * NUL-terminated into dst (dstsz > len, checked by the caller's length
 * cap).
 */
static enum reg_err
parse_idents(const char *s, size_t len, const struct ident_msg *m, char *dst,
    const char **why)
{
	size_t i, start = 0;

	if (len == 0) {
		*why = m->empty;
		return REG_EINVAL;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ident_char(s[i])) {
				*why = m->badchar;
				return REG_EINVAL;
			}
			continue;
		}
		/* s[start..i) is one identifier */
		if (i == start) {
			*why = m->idempty;
			return REG_EINVAL;
		}
		if (m->leadzero != NULL && i - start > 1 && s[start] == '0' &&
		    all_digits(s + start, i - start)) {
			*why = m->leadzero;
			return REG_EINVAL;
		}
		start = i + 1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return REG_OK;
}

enum reg_err
semver_parse(const char *s, size_t len, struct semver *out, const char **why)
{
	struct semver v;
	const char *plus, *dash, *msg = NULL;
	size_t corelen, relen;
	enum reg_err er = REG_EINVAL;

	memset(&v, 0, sizeof(v));
	if (s == NULL || len == 0) {
		msg = "version is empty";
		goto out;
	}
	if (len > SEMVER_MAX_LEN) {
		msg = "version is longer than 128 characters";
		goto out;
	}
	if (s[0] == 'v' || s[0] == 'V') {
		msg = "version must not start with 'v'; use 1.2.3";
		goto out;
	}

	/* The first '+' starts build metadata; a '-' before it, pre-release. */
	plus = memchr(s, '+', len);
	relen = plus != NULL ? (size_t)(plus - s) : len;
	dash = memchr(s, '-', relen);
	corelen = dash != NULL ? (size_t)(dash - s) : relen;

	er = parse_core(s, corelen, &v, &msg);
	if (er != REG_OK)
		goto out;
	if (dash != NULL) {
		er = parse_idents(dash + 1, relen - corelen - 1, &pre_msg,
		    v.pre, &msg);
		if (er != REG_OK)
			goto out;
	}
	if (plus != NULL) {
		er = parse_idents(plus + 1, len - relen - 1, &build_msg,
		    v.build, &msg);
		if (er != REG_OK)
			goto out;
	}
	*out = v;
out:
	if (er != REG_OK && why != NULL)
		*why = msg;
	return er;
}

static int
sign3(int c)
{
	return (c > 0) - (c < 0);
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/*
 * Numeric identifiers of any length: strip leading zeros (a parsed
 * version has none; this keeps the order total for any input), then the
 * longer is larger, then bytewise.
 */
static int
cmp_numeric(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 1 && a[0] == '0') {
		a++;
		alen--;
	}
	while (blen > 1 && b[0] == '0') {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return sign3(memcmp(a, b, alen));
}

/* ASCII order; when one is a prefix of the other, the shorter is lower. */
static int
cmp_alnum(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return sign3(c);
	return cmp_u64(alen, blen);
}

/* SemVer section 11.4 on two non-empty pre-release strings. */
static int
cmp_pre(const char *a, const char *b)
{
	size_t alen = strlen(a), blen = strlen(b);

	for (;;) {
		const char *da = memchr(a, '.', alen);
		const char *db = memchr(b, '.', blen);
		size_t la = da != NULL ? (size_t)(da - a) : alen;
		size_t lb = db != NULL ? (size_t)(db - b) : blen;
		bool na = la > 0 && all_digits(a, la);
		bool nb = lb > 0 && all_digits(b, lb);
		int c;

		if (na && nb)
			c = cmp_numeric(a, la, b, lb);
		else if (na != nb)
			c = na ? -1 : 1; /* numeric < alphanumeric */
		else
			c = cmp_alnum(a, la, b, lb);
		if (c != 0)
			return c;
		/* Equal so far: a larger set of fields is higher. */
		if (da == NULL || db == NULL)
			return (da != NULL) - (db != NULL);
		a = da + 1;
		alen -= la + 1;
		b = db + 1;
		blen -= lb + 1;
	}
}

int
semver_cmp(const struct semver *a, const struct semver *b)
{
	int c;

	c = cmp_u64(a->major, b->major);
	if (c == 0)
		c = cmp_u64(a->minor, b->minor);
	if (c == 0)
		c = cmp_u64(a->patch, b->patch);
	if (c != 0)
		return c;
	/* A release is higher than any of its pre-releases. */
	if (a->pre[0] == '\0' || b->pre[0] == '\0')
		return (a->pre[0] != '\0' ? -1 : 0) +
		    (b->pre[0] != '\0' ? 1 : 0);
	return cmp_pre(a->pre, b->pre);
}

int
semver_cmp_str(const char *a, const char *b)
{
	struct semver va, vb;
	bool oka, okb;
	int c;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	oka = semver_parse(a, strlen(a), &va, NULL) == REG_OK;
	okb = semver_parse(b, strlen(b), &vb, NULL) == REG_OK;
	if (!oka || !okb) {
		if (oka != okb)
			return oka ? 1 : -1; /* unparsable sorts first */
		return sign3(strcmp(a, b));
	}
	c = semver_cmp(&va, &vb);
	if (c == 0)
		c = sign3(strcmp(va.build, vb.build));
	return c;
}

bool
semver_is_prerelease(const struct semver *v)
{
	return v->pre[0] != '\0';
}
