/*
 * auth/principal.c: principal keys from admin input and from STS answers
 * (see principal.h; grammar and table in spec/iam-auth.md section 6).
 *
 * Invariant: every key written by this file satisfies
 * principal_key_valid, and principal_from_grant_input of its display form
 * gives the same key back without a warning.
 */
#include <stdio.h>
#include <string.h>

#include "auth/apitoken.h"
#include "auth/principal.h"
#include "common/span.h"

#define ACCOUNT_LEN 12
#define UNIQUE_ID_MIN 16

static const char *const principal_partitions[] = {
	"aws",
	"aws-cn",
	"aws-us-gov",
	"aws-iso",
	"aws-iso-b",
	"aws-iso-e",
	"aws-iso-f",
	"aws-eusc",
};

enum arn_kind {
	ARN_ROLE,      /* iam role/[path/]name */
	ARN_USER,      /* iam user/[path/]name */
	ARN_ROOT,      /* iam root */
	ARN_ASSUMED,   /* sts assumed-role/role/session */
	ARN_FEDERATED, /* sts federated-user/name */
	ARN_OTHER,     /* any other resource (group, instance-profile, ...) */
};

struct arn {
	struct span partition;
	struct span account;
	enum arn_kind kind;
	struct span name;    /* role or user name */
	struct span path;    /* "/" or "/seg/.../" for role and user */
	struct span session; /* assumed-role only */
};

/* A parsed principal key. */
struct pkey {
	bool token;
	struct span partition, account, type, name;
};

bool
principal_partition_known(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < nitems(principal_partitions); i++)
		if (strlen(principal_partitions[i]) == len &&
		    memcmp(principal_partitions[i], p, len) == 0)
			return true;
	return false;
}

/* [A-Za-z0-9+=,.@_-] */
static bool
iam_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '+':
	case '=':
	case ',':
	case '.':
	case '@':
	case '_':
	case '-':
		return true;
	default:
		return false;
	}
}

static bool
iam_name_ok(struct span s, size_t min, size_t max)
{
	size_t i;

	if (s.len < min || s.len > max)
		return false;
	for (i = 0; i < s.len; i++)
		if (!iam_char(s.p[i]))
			return false;
	return true;
}

static bool
account_ok(struct span s)
{
	size_t i;

	if (s.len != ACCOUNT_LEN)
		return false;
	for (i = 0; i < s.len; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/*
 * An IAM path: "/" or "/seg/.../", at most PRINCIPAL_PATH_MAX bytes,
 * segments non-empty, of '!'..'~' except '/' (the grammar), '*', '?' and
 * '%' (refused outright: wildcards and percent-encoding, section 6).
 */
static bool
path_ok(struct span p)
{
	size_t i;

	if (p.len == 0 || p.len > PRINCIPAL_PATH_MAX || p.p[0] != '/' ||
	    p.p[p.len - 1] != '/')
		return false;
	for (i = 1; i < p.len; i++) {
		char c = p.p[i];

		if (c == '/') {
			if (p.p[i - 1] == '/')
				return false; /* empty segment */
			continue;
		}
		if (c < '!' || c > '~' || c == '*' || c == '?' || c == '%')
			return false;
	}
	return true;
}

static bool
span_prefix(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

static bool
arn_prefix_any_case(struct span s)
{
	static const char lit[] = "arn:";
	size_t i;

	if (s.len < 4)
		return false;
	for (i = 0; i < 4; i++) {
		char c = s.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return true;
}

/* role/[path/]name or user/[path/]name: rest starts at the first '/'. */
static const char *
arn_iam_named(struct span rest, struct arn *a)
{
	const char *last = rest.p;
	size_t i;

	for (i = 0; i < rest.len; i++)
		if (rest.p[i] == '/')
			last = rest.p + i;
	a->path = span_make(rest.p, (size_t)(last - rest.p) + 1);
	a->name = span_make(last + 1, rest.len - a->path.len);
	if (!iam_name_ok(a->name, 1, PRINCIPAL_NAME_MAX))
		return "name is not [A-Za-z0-9+=,.@_-]{1,64}";
	if (!path_ok(a->path))
		return "bad iam path";
	return NULL;
}

/* assumed-role/role/session: exactly three '/' parts. */
static const char *
arn_assumed(struct span res, struct arn *a)
{
	struct span rest = res, part;

	(void)span_split(&rest, '/', &part); /* "assumed-role" */
	if (!span_split(&rest, '/', &a->name) ||
	    memchr(rest.p, '/', rest.len) != NULL)
		return "assumed-role arn must have exactly 3 parts";
	a->session = rest;
	if (!iam_name_ok(a->name, 1, PRINCIPAL_NAME_MAX))
		return "role name is not [A-Za-z0-9+=,.@_-]{1,64}";
	if (!iam_name_ok(a->session, 2, PRINCIPAL_SESSION_MAX))
		return "session name is not [A-Za-z0-9+=,.@_-]{2,64}";
	return NULL;
}

/*
 * arn:<partition>:<service>::<account>:<resource>, exactly six fields.
 * Returns NULL and fills *a, or a static reason.
 */
static const char *
arn_parse(const char *in, size_t len, struct arn *a)
{
	struct span s = span_make(in, len), f[6];
	size_t i, colons = 0;
	struct span res;

	if (!span_prefix(s, "arn:"))
		return arn_prefix_any_case(s) ? "arn must be lower case"
		                              : "not an arn";
	for (i = 0; i < len; i++)
		if (in[i] == ':')
			colons++;
	if (colons != 5)
		return "arn must have exactly 6 fields";
	for (i = 0; i < 6; i++)
		(void)span_split(&s, ':', &f[i]);
	a->partition = f[1];
	a->account = f[4];
	if (!principal_partition_known(f[1].p, f[1].len))
		return "unknown partition";
	if (f[3].len != 0)
		return "region field must be empty";
	if (!account_ok(f[4]))
		return "account is not 12 digits";
	res = f[5];
	if (span_eq(f[2], "iam")) {
		if (span_eq(res, "root")) {
			a->kind = ARN_ROOT;
			return NULL;
		}
		if (span_prefix(res, "role/")) {
			a->kind = ARN_ROLE;
			return arn_iam_named(span_make(res.p + 4, res.len - 4),
			    a);
		}
		if (span_prefix(res, "user/")) {
			a->kind = ARN_USER;
			return arn_iam_named(span_make(res.p + 4, res.len - 4),
			    a);
		}
		a->kind = ARN_OTHER;
		return NULL;
	}
	if (span_eq(f[2], "sts")) {
		if (span_prefix(res, "assumed-role/")) {
			a->kind = ARN_ASSUMED;
			return arn_assumed(res, a);
		}
		a->kind = span_prefix(res, "federated-user/") ? ARN_FEDERATED
		                                              : ARN_OTHER;
		return NULL;
	}
	return "service is neither iam nor sts";
}

/* token:<name> or aws:<partition>:<account>:<role|user>:<name>. */
static bool
key_parse(const char *key, size_t len, struct pkey *k)
{
	struct span s = span_make(key, len), f[5];
	size_t i, colons = 0;

	memset(k, 0, sizeof(*k));
	if (len > PRINCIPAL_KEY_MAX)
		return false;
	if (span_prefix(s, "token:")) {
		k->token = true;
		k->name = span_make(key + 6, len - 6);
		return apitoken_name_valid(k->name.p, k->name.len);
	}
	if (!span_prefix(s, "aws:"))
		return false;
	for (i = 0; i < len; i++)
		if (key[i] == ':')
			colons++;
	if (colons != 4)
		return false;
	for (i = 0; i < 5; i++)
		(void)span_split(&s, ':', &f[i]);
	k->partition = f[1];
	k->account = f[2];
	k->type = f[3];
	k->name = f[4];
	return principal_partition_known(f[1].p, f[1].len) &&
	    account_ok(f[2]) &&
	    (span_eq(f[3], "role") || span_eq(f[3], "user")) &&
	    iam_name_ok(f[4], 1, PRINCIPAL_NAME_MAX);
}

bool
principal_key_valid(const char *key, size_t len)
{
	struct pkey k;

	return key_parse(key, len, &k);
}

/* Key and display form of an aws principal. */
static void
aws_names(struct span partition, struct span account, const char *type,
    struct span name, char key[PRINCIPAL_BUFSZ], char disp[PRINCIPAL_BUFSZ])
{
	/* every span is short and checked: both fit */
	(void)snprintf(key, PRINCIPAL_BUFSZ, "aws:%.*s:%.*s:%s:%.*s",
	    (int)partition.len, partition.p, (int)account.len, account.p, type,
	    (int)name.len, name.p);
	(void)snprintf(disp, PRINCIPAL_BUFSZ, "arn:%.*s:iam::%.*s:%s/%.*s",
	    (int)partition.len, partition.p, (int)account.len, account.p, type,
	    (int)name.len, name.p);
}

enum reg_err
principal_display(const char *key, size_t len, char out[PRINCIPAL_BUFSZ])
{
	char k[PRINCIPAL_BUFSZ];
	struct pkey pk;

	if (!key_parse(key, len, &pk))
		return REG_EINVAL;
	if (pk.token) {
		memcpy(out, key, len);
		out[len] = '\0';
		return REG_OK;
	}
	aws_names(pk.partition, pk.account,
	    span_eq(pk.type, "role") ? "role" : "user", pk.name, k, out);
	return REG_OK;
}

static const char *
grant_from_arn(const char *in, size_t len, struct principal_grant *o)
{
	const char *type;
	struct arn a;
	const char *w;

	w = arn_parse(in, len, &a);
	if (w != NULL)
		return w;
	switch (a.kind) {
	case ARN_ROLE:
	case ARN_USER:
		break;
	case ARN_ROOT:
		return "root is never granted";
	case ARN_ASSUMED:
		return "an assumed-role arn names one session; grant the role "
		       "arn (arn:...:iam::ACCOUNT:role/NAME)";
	case ARN_FEDERATED:
		return "federated-user arns are not accepted";
	case ARN_OTHER:
	default:
		return "only iam role and user arns can be granted";
	}
	type = a.kind == ARN_ROLE ? "role" : "user";
	aws_names(a.partition, a.account, type, a.name, o->key, o->display);
	if (a.path.len > 1)
		(void)snprintf(o->warning, sizeof(o->warning),
		    "%s path %.*s is ignored for matching; grants match %s "
		    "name %.*s",
		    type, (int)a.path.len, a.path.p, type, (int)a.name.len,
		    a.name.p);
	return NULL;
}

enum reg_err
principal_from_grant_input(const char *in, size_t len,
    struct principal_grant *out, const char **why)
{
	struct principal_grant o;
	struct span s = span_make(in, len);
	const char *w = NULL;
	struct pkey pk;

	memset(&o, 0, sizeof(o));
	if (len == 0) {
		w = "empty principal";
	} else if (len > PRINCIPAL_ARN_MAX) {
		w = "principal too long";
	} else if (memchr(in, '*', len) != NULL ||
	    memchr(in, '?', len) != NULL) {
		w = "wildcards are not supported; grant each principal by "
		    "its exact name";
	} else if (span_prefix(s, "token:")) {
		if (!key_parse(in, len, &pk))
			w = "token name is not [a-z0-9][a-z0-9._-]{0,63}";
	} else if (span_prefix(s, "aws:")) {
		if (!key_parse(in, len, &pk))
			w = "not a valid aws:PARTITION:ACCOUNT:role|user:NAME "
			    "key";
	} else if (arn_prefix_any_case(s)) {
		w = grant_from_arn(in, len, &o);
	} else {
		w = "expected an iam role or user arn, token:NAME or an "
		    "aws: principal key";
	}
	if (w == NULL && o.key[0] == '\0') {
		/* a key as typed: it is its own canonical form */
		memcpy(o.key, in, len);
		o.key[len] = '\0';
		if (principal_display(in, len, o.display) != REG_OK)
			w = "internal error";
	}
	if (why != NULL)
		*why = w != NULL ? w : "ok";
	if (w != NULL)
		return REG_EINVAL;
	*out = o;
	return REG_OK;
}

/* prefix then [A-Z0-9], UNIQUE_ID_MIN..PRINCIPAL_UNIQUE_ID_MAX long. */
static bool
unique_id_ok(struct span u, const char *prefix)
{
	size_t i;

	if (u.len < UNIQUE_ID_MIN || u.len > PRINCIPAL_UNIQUE_ID_MAX ||
	    !span_prefix(u, prefix))
		return false;
	for (i = 0; i < u.len; i++)
		if (!((u.p[i] >= 'A' && u.p[i] <= 'Z') ||
		        (u.p[i] >= '0' && u.p[i] <= '9')))
			return false;
	return true;
}

static const char *
sts_check_kind(const struct arn *a, struct span uid, bool allow_users,
    struct span *unique)
{
	struct span rest = uid;

	switch (a->kind) {
	case ARN_ASSUMED:
		if (!span_split(&rest, ':', unique) ||
		    !unique_id_ok(*unique, "AROA"))
			return "assumed-role UserId is not AROA...:session";
		if (rest.len != a->session.len ||
		    memcmp(rest.p, a->session.p, rest.len) != 0)
			return "UserId session differs from the arn session";
		return NULL;
	case ARN_USER:
		if (!allow_users)
			return "iam users may not sign in "
			       "(allow_user_principals "
			       "is off)";
		*unique = uid;
		if (!unique_id_ok(uid, "AIDA"))
			return "iam user UserId is not AIDA...";
		return NULL;
	case ARN_ROOT:
		return "root is never accepted";
	case ARN_FEDERATED:
		return "federated users are not accepted";
	case ARN_ROLE:
		return "an iam role arn is not a caller identity";
	case ARN_OTHER:
	default:
		return "unsupported arn resource type";
	}
}

enum reg_err
principal_from_sts(const char *arn, size_t arnlen, const char *userid,
    size_t uidlen, const char *account, size_t acctlen,
    const char *expected_partition, bool allow_users, struct principal_sts *out,
    const char **why)
{
	struct principal_sts o;
	struct span unique;
	enum reg_err er = REG_EAUTH;
	const char *w;
	struct arn a;

	memset(&o, 0, sizeof(o));
	if (expected_partition == NULL ||
	    !principal_partition_known(expected_partition,
	        strlen(expected_partition))) {
		w = "configured partition is unknown";
		er = REG_EINVAL;
		goto out;
	}
	if (arnlen > PRINCIPAL_ARN_MAX || uidlen > PRINCIPAL_ARN_MAX) {
		w = "arn or UserId too long";
		goto out;
	}
	w = arn_parse(arn, arnlen, &a);
	if (w != NULL)
		goto out;
	if (!span_eq(a.partition, expected_partition)) {
		w = "arn partition is not the configured partition";
		goto out;
	}
	if (!account_ok(span_make(account, acctlen))) {
		w = "Account is not 12 digits";
		goto out;
	}
	if (memcmp(account, a.account.p, ACCOUNT_LEN) != 0) {
		w = "Account differs from the arn account";
		goto out;
	}
	w = sts_check_kind(&a, span_make(userid, uidlen), allow_users, &unique);
	if (w != NULL)
		goto out;
	aws_names(a.partition, a.account,
	    a.kind == ARN_ASSUMED ? "role" : "user", a.name, o.key, o.display);
	if (a.kind == ARN_ASSUMED) {
		memcpy(o.session, a.session.p, a.session.len);
		o.session[a.session.len] = '\0';
	}
	memcpy(o.unique_id, unique.p, unique.len);
	o.unique_id[unique.len] = '\0';
	memcpy(o.account, a.account.p, ACCOUNT_LEN);
	o.account[ACCOUNT_LEN] = '\0';
	*out = o;
	w = "ok";
	er = REG_OK;
out:
	if (why != NULL)
		*why = w;
	return er;
}
