/*
 * tests/fuzz/fuzz_semver.c: semver_parse, semver_cmp and semver_cmp_str.
 *
 * Invariants checked:
 *   - semver_parse accepts exactly what ref_valid(), a character-level
 *     state machine written independently from the grammar, accepts;
 *   - failure: REG_EINVAL, a non-empty lowercase-first message, and the
 *     out-param untouched;
 *   - success: 1 <= len <= SEMVER_MAX_LEN, starts with a digit (so never
 *     'v'), and the struct prints back to exactly the input (the parser
 *     accepts canonical strings only);
 *   - semver_cmp is reflexive, antisymmetric and transitive against a
 *     fixed set of versions, agrees with ref_cmp() (SemVer 11 computed on
 *     the strings, with no integer conversion), ignores build metadata,
 *     puts a release above its pre-releases and a bumped patch above both;
 *   - the input split at its first '\n' gives two strings a, b:
 *     semver_cmp_str is antisymmetric on them and is 0 exactly when the
 *     strings are equal (a total order), and agrees with semver_cmp when
 *     both parse and their precedence differs.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fixed_str[] = {
	"0.0.0-0",
	"0.0.0",
	"1.0.0-0",
	"1.0.0-99999999999999999999999",
	"1.0.0-alpha",
	"1.0.0-alpha.1",
	"1.0.0-alpha.beta",
	"1.0.0-beta.11",
	"1.0.0-rc.1+build",
	"1.0.0",
	"1.0.0+zzz",
	"1.2.3",
	"2.0.0",
	"18446744073709551615.18446744073709551615.18446744073709551615",
};

#define NFIXED (sizeof(fixed_str) / sizeof(fixed_str[0]))

static struct semver fixed[NFIXED];

static int
sgn(int c)
{
	return (c > 0) - (c < 0);
}

/* Character classes of the grammar. */
static bool
ref_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
ref_ident(char c)
{
	return ref_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-';
}

enum { F_MAJOR, F_MINOR, F_PATCH, F_PRE, F_BUILD, F_BAD };

/* Is the identifier p[0..n) of the given field acceptable? */
static bool
ref_ident_ok(const char *p, size_t n, int field)
{
	size_t i;
	bool digits = true;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		digits = digits && ref_digit(p[i]);
	if (field == F_BUILD)
		return true;
	if (digits && n > 1 && p[0] == '0')
		return false; /* leading zero */
	if (field == F_PRE)
		return true;
	/* a numeric part: digits that fit in 64 bits */
	return digits &&
	    (n < 20 || (n == 20 && memcmp(p, "18446744073709551615", 20) <= 0));
}

/*
 * Where separator c leads from field: the next field, F_BAD for a
 * separator that is not allowed here, -1 when c is no separator here.
 */
static int
ref_sep(int field, char c)
{
	if (c == '.' && field <= F_PATCH)
		return field == F_PATCH ? F_BAD : field + 1;
	if (c == '.')
		return field; /* between pre-release or build identifiers */
	if (c == '-' && field == F_PATCH)
		return F_PRE;
	if (c == '+' && (field == F_PATCH || field == F_PRE))
		return F_BUILD;
	return -1;
}

/*
 * SemVer 2.0.0 with 64-bit numeric parts, one byte at a time: a
 * separator ends an identifier and may move on to the next field.
 */
static bool
ref_valid(const char *p, size_t len)
{
	size_t i, start = 0;
	int field = F_MAJOR, next;

	if (len == 0 || len > SEMVER_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		next = ref_sep(field, p[i]);
		if (next < 0) {
			if (field <= F_PATCH ? !ref_digit(p[i])
			                     : !ref_ident(p[i]))
				return false;
			continue;
		}
		if (next == F_BAD || !ref_ident_ok(p + start, i - start, field))
			return false;
		field = next;
		start = i + 1;
	}
	return field >= F_PATCH && ref_ident_ok(p + start, len - start, field);
}

/* Order of two digit strings without leading zeros. */
static int
ref_cmp_num(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return sgn(memcmp(a, b, alen));
}

/* Length of the run of bytes of p[0..len) neither NUL nor in stop. */
static size_t
ref_span(const char *p, size_t len, const char *stop)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == '\0' || strchr(stop, p[i]) != NULL)
			break;
	return i;
}

static bool
ref_numeric(const char *p, size_t n)
{
	return ref_span(p, n,
	           "-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
	    n;
}

/* Two pre-release identifiers (SemVer 11.4.1 to 11.4.3). */
static int
ref_cmp_ident(const char *a, size_t na, const char *b, size_t nb)
{
	bool da = ref_numeric(a, na), db = ref_numeric(b, nb);
	int c;

	if (da && db)
		return ref_cmp_num(a, na, b, nb);
	if (da != db)
		return da ? -1 : 1; /* numeric below alphanumeric */
	c = sgn(memcmp(a, b, na < nb ? na : nb));
	return c != 0 ? c : (na > nb) - (na < nb);
}

/* Two pre-release strings "-x.y.z", without build metadata. */
static int
ref_cmp_pre(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t na, nb;
	int c;

	if (alen == 0 || blen == 0)
		return (blen > 0) - (alen > 0); /* release is higher */
	for (;;) {
		a++; /* the '-' or '.' in front of the identifier */
		alen--;
		b++;
		blen--;
		na = ref_span(a, alen, ".");
		nb = ref_span(b, blen, ".");
		c = ref_cmp_ident(a, na, b, nb);
		if (c != 0)
			return c;
		a += na;
		alen -= na;
		b += nb;
		blen -= nb;
		if (alen == 0 || blen == 0)
			return (alen > 0) -
			    (blen > 0); /* more fields: higher */
	}
}

/*
 * SemVer 11 on two strings that ref_valid() accepted, computed on the
 * text: numbers compare by length then bytes, never converted.
 */
static int
ref_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t na, nb;
	int part, c;

	for (part = 0; part < 3; part++) {
		na = ref_span(a, alen, ".-+");
		nb = ref_span(b, blen, ".-+");
		c = ref_cmp_num(a, na, b, nb);
		if (c != 0)
			return c;
		/* step over the number and, for MAJOR and MINOR, the dot */
		na += part < 2;
		nb += part < 2;
		a += na;
		alen -= na;
		b += nb;
		blen -= nb;
	}
	/* drop build metadata; what is left is "" or "-pre" */
	return ref_cmp_pre(a, ref_span(a, alen, "+"), b,
	    ref_span(b, blen, "+"));
}

static void
load_fixed(void)
{
	static bool loaded;
	size_t i;

	if (loaded)
		return;
	for (i = 0; i < NFIXED; i++)
		if (semver_parse(fixed_str[i], strlen(fixed_str[i]), &fixed[i],
		        NULL) != REG_OK ||
		    !ref_valid(fixed_str[i], strlen(fixed_str[i])))
			abort();
	loaded = true;
}

/* The order axioms for v (parsed from p) against every fixed version. */
static void
check_order(const char *p, size_t len, const struct semver *v)
{
	size_t i, j;

	if (semver_cmp(v, v) != 0 || ref_cmp(p, len, p, len) != 0)
		abort(); /* reflexive */
	for (i = 0; i < NFIXED; i++) {
		int c = sgn(semver_cmp(v, &fixed[i]));

		if (c != -sgn(semver_cmp(&fixed[i], v)))
			abort(); /* antisymmetric */
		if (c != ref_cmp(p, len, fixed_str[i], strlen(fixed_str[i])))
			abort(); /* not SemVer 11 */
		for (j = 0; j < NFIXED; j++) {
			int d = sgn(semver_cmp(&fixed[i], &fixed[j]));
			int e = sgn(semver_cmp(v, &fixed[j]));

			if (c == 0 && e != d)
				abort(); /* equal elements compare alike */
			if (c < 0 && d <= 0 && e >= 0)
				abort(); /* transitive */
			if (c > 0 && d >= 0 && e <= 0)
				abort(); /* transitive */
		}
	}
}

/* Precedence facts that follow from the fields of a parsed v. */
static void
check_fields(const struct semver *v)
{
	struct semver w;

	w = *v;
	memset(w.build, 0, sizeof(w.build));
	if (semver_cmp(v, &w) != 0)
		abort(); /* build metadata is ignored */
	if (semver_is_prerelease(v) != (v->pre[0] != '\0'))
		abort();
	if (semver_is_prerelease(v)) {
		memset(w.pre, 0, sizeof(w.pre));
		if (semver_cmp(v, &w) >= 0 || semver_cmp(&w, v) <= 0)
			abort(); /* release > its pre-releases */
	}
	if (v->patch < UINT64_MAX) {
		w = *v;
		w.patch++;
		memset(w.pre, 0, sizeof(w.pre));
		w.pre[0] = '0';
		if (semver_cmp(v, &w) >= 0)
			abort(); /* any x.y.(z+1)-0 is above x.y.z */
	}
}

/* A parsed version prints back byte for byte. */
static void
check_canonical(const char *p, size_t len, const struct semver *v)
{
	char buf[3 * SEMVER_BUFSZ];
	int n;

	n = snprintf(buf, sizeof(buf),
	    "%" PRIu64 ".%" PRIu64 ".%" PRIu64 "%s%s%s%s", v->major, v->minor,
	    v->patch, v->pre[0] != '\0' ? "-" : "", v->pre,
	    v->build[0] != '\0' ? "+" : "", v->build);
	if (n < 0 || (size_t)n != len || memcmp(buf, p, len) != 0)
		abort();
}

static void
check_one(const char *p, size_t len)
{
	struct semver v, before;
	const char *why = NULL;
	enum reg_err er;

	memset(&v, 0x5a, sizeof(v));
	memset(&before, 0x5a, sizeof(before));
	er = semver_parse(p, len, &v, &why);
	if ((er == REG_OK) != ref_valid(p, len))
		abort(); /* disagrees with the grammar */
	if (er != REG_OK) {
		if (er != REG_EINVAL || why == NULL || why[0] < 'a' ||
		    why[0] > 'z')
			abort(); /* a specific, lowercase message */
		if (v.major != before.major || v.minor != before.minor ||
		    v.patch != before.patch ||
		    memcmp(v.pre, before.pre, sizeof(v.pre)) != 0 ||
		    memcmp(v.build, before.build, sizeof(v.build)) != 0)
			abort(); /* out written on failure */
		return;
	}
	if (len == 0 || len > SEMVER_MAX_LEN || p[0] < '0' || p[0] > '9')
		abort(); /* includes: never starts with 'v' */
	check_canonical(p, len, &v);
	check_fields(&v);
	check_order(p, len, &v);
}

/* NUL-terminated exact-size copy of p[0..len). */
static char *
dupz(const char *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

static void
check_pair(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);
	char *a = NULL, *b = NULL;
	struct semver va, vb;
	size_t alen, blen;
	int c, d;

	if (nl == NULL)
		return;
	alen = (size_t)(nl - p);
	blen = len - alen - 1;
	/* cmp_str takes C strings: skip inputs with a NUL inside */
	if (memchr(p, '\0', len) != NULL)
		return;
	a = dupz(p, alen);
	b = dupz(nl + 1, blen);
	if (a == NULL || b == NULL)
		goto out;
	c = sgn(semver_cmp_str(a, b));
	if (c != -sgn(semver_cmp_str(b, a)))
		abort(); /* antisymmetric */
	if ((c == 0) != (strcmp(a, b) == 0))
		abort(); /* 0 exactly for equal strings */
	if (semver_parse(a, alen, &va, NULL) == REG_OK &&
	    semver_parse(b, blen, &vb, NULL) == REG_OK) {
		d = sgn(semver_cmp(&va, &vb));
		if (d != -sgn(semver_cmp(&vb, &va)))
			abort();
		if (d != ref_cmp(a, alen, b, blen))
			abort(); /* not SemVer 11 */
		if (d != 0 && d != c)
			abort(); /* precedence decides first */
		if (d == 0 && c != sgn(strcmp(va.build, vb.build)))
			abort(); /* then build metadata, bytewise */
	}
out:
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p;

	load_fixed();
	if (len == 0) {
		check_one("", 0);
		return 0;
	}
	p = malloc(len);
	if (p == NULL)
		return 0;
	memcpy(p, data, len);
	check_one(p, len);
	check_pair(p, len);
	free(p);
	return 0;
}
