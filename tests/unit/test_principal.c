/*
 * tests/unit/test_principal.c: auth/principal: every row of the table in
 * spec/iam-auth.md section 6, the response-identity cases of section 8
 * E 25 and the ARN-matching cases of section 8 F 26, plus the admin's
 * grant input and the key grammar.
 */
#include <stdio.h>
#include <string.h>

#include "auth/principal.h"
#include "common/log.h"
#include "tests/lib/t.h"

#define ACCT "123456789012"
#define ROLEID "AROAEXAMPLEROLEID1234"
#define USERID "AIDAEXAMPLEUSERID1234"

struct sts_row {
	const char *name;
	const char *arn, *userid, *account, *partition;
	bool allow_users;
	enum reg_err want;
	const char *key;     /* expected on success */
	const char *session; /* expected on success */
	const char *unique;  /* expected on success */
	const char *why;     /* expected reason */
};

static void
check_sts(const struct sts_row *r)
{
	struct principal_sts o;
	const char *why = NULL;
	char esc[200];
	enum reg_err er;

	memset(&o, 0x5a, sizeof(o));
	er = principal_from_sts(r->arn, strlen(r->arn), r->userid,
	    strlen(r->userid), r->account, strlen(r->account), r->partition,
	    r->allow_users, &o, &why);
	(void)log_escape(esc, sizeof(esc), r->arn, strlen(r->arn));
	if (r->want != REG_OK) {
		T_OK(er == r->want && why != NULL && strcmp(why, r->why) == 0 &&
		        o.key[0] == 0x5a,
		    "sts %s: %s refused (%s)", r->name, esc,
		    why != NULL ? why : "-");
		return;
	}
	T_OK(er == REG_OK && strcmp(o.key, r->key) == 0 &&
	        strcmp(o.session, r->session) == 0 &&
	        strcmp(o.unique_id, r->unique) == 0 &&
	        strcmp(o.account, ACCT) == 0 && strcmp(why, "ok") == 0 &&
	        principal_key_valid(o.key, strlen(o.key)),
	    "sts %s: %s -> %s (%s)", r->name, esc, er == REG_OK ? o.key : "-",
	    why != NULL ? why : "-");
}

/* spec/iam-auth.md section 6 table, row by row, and section 8 E 25. */
static void
test_sts_table(void)
{
	static const struct sts_row tab[] = {
		/* section 6 table */
		{ "6.1 assumed-role",
		    "arn:aws:sts::" ACCT
		    ":assumed-role/tf-publisher/i-0abc123def4567890",
		    ROLEID ":i-0abc123def4567890", ACCT, "aws", false, REG_OK,
		    "aws:aws:" ACCT ":role:tf-publisher", "i-0abc123def4567890",
		    ROLEID, "ok" },
		{ "6.2 SSO role",
		    "arn:aws:sts::" ACCT ":assumed-role/"
		    "AWSReservedSSO_Admin_0123456789abcdef/jane@example.com",
		    ROLEID ":jane@example.com", ACCT, "aws", false, REG_OK,
		    "aws:aws:" ACCT
		    ":role:AWSReservedSSO_Admin_0123456789abcdef",
		    "jane@example.com", ROLEID, "ok" },
		{ "6.4 iam user, users allowed",
		    "arn:aws:iam::" ACCT ":user/ci-bot", USERID, ACCT, "aws",
		    true, REG_OK, "aws:aws:" ACCT ":user:ci-bot", "", USERID,
		    "ok" },
		{ "6.4 iam user with a path, users allowed",
		    "arn:aws:iam::" ACCT ":user/division/ci-bot", USERID, ACCT,
		    "aws", true, REG_OK, "aws:aws:" ACCT ":user:ci-bot", "",
		    USERID, "ok" },
		{ "6.4 iam user, users not allowed",
		    "arn:aws:iam::" ACCT ":user/ci-bot", USERID, ACCT, "aws",
		    false, REG_EAUTH, NULL, NULL, NULL,
		    "iam users may not sign in (allow_user_principals is "
		    "off)" },
		{ "6.5 assumed-role with 4 parts",
		    "arn:aws:sts::" ACCT ":assumed-role/Org/Team/Admin/Session",
		    ROLEID ":Session", ACCT, "aws", false, REG_EAUTH, NULL,
		    NULL, NULL, "assumed-role arn must have exactly 3 parts" },
		{ "6.6 assumed-role with 2 parts",
		    "arn:aws:sts::" ACCT ":assumed-role/Admin", ROLEID ":Admin",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "assumed-role arn must have exactly 3 parts" },
		{ "6.7 federated-user",
		    "arn:aws:sts::" ACCT ":federated-user/Bob", ACCT ":Bob",
		    ACCT, "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "federated users are not accepted" },
		{ "6.8 root", "arn:aws:iam::" ACCT ":root", ACCT, ACCT, "aws",
		    true, REG_EAUTH, NULL, NULL, NULL,
		    "root is never accepted" },
		{ "6.9 cross-partition",
		    "arn:aws-cn:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "arn partition is not the configured partition" },
		{ "6.10 Account differs from the arn",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    "210987654321", "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "Account differs from the arn account" },
		{ "6.11 UserId without ':'",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID, ACCT,
		    "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "assumed-role UserId is not AROA...:session" },
		{ "6.11 UserId not AROA",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1",
		    "AKIAIOSFODNN7EXAMPLE:S1", ACCT, "aws", false, REG_EAUTH,
		    NULL, NULL, NULL,
		    "assumed-role UserId is not AROA...:session" },
		{ "6.11 UserId AIDA for a role",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", USERID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "assumed-role UserId is not AROA...:session" },
		{ "6.12 ARN: upper case",
		    "ARN:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "arn must be lower case" },
		{ "6.12 region set",
		    "arn:aws:iam:us-east-1:" ACCT ":user/ci-bot", USERID, ACCT,
		    "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "region field must be empty" },
		{ "6.12 region set on sts",
		    "arn:aws:sts:us-east-1:" ACCT ":assumed-role/R/S1",
		    ROLEID ":S1", ACCT, "aws", false, REG_EAUTH, NULL, NULL,
		    NULL, "region field must be empty" },
		{ "6.12 7 fields", "arn:aws:sts::" ACCT ":assumed-role/R/S1:x",
		    ROLEID ":S1:x", ACCT, "aws", false, REG_EAUTH, NULL, NULL,
		    NULL, "arn must have exactly 6 fields" },
		{ "6.12 7 fields in a user path",
		    "arn:aws:iam::" ACCT ":user/a:b/ci-bot", USERID, ACCT,
		    "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "arn must have exactly 6 fields" },
		{ "6.12 %2F in a role name",
		    "arn:aws:sts::" ACCT ":assumed-role/R%2FX/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "role name is not [A-Za-z0-9+=,.@_-]{1,64}" },
		{ "6.12 %2F in a user path",
		    "arn:aws:iam::" ACCT ":user/a%2Fb/ci-bot", USERID, ACCT,
		    "aws", true, REG_EAUTH, NULL, NULL, NULL, "bad iam path" },
		{ "6.12 * in a role name",
		    "arn:aws:sts::" ACCT ":assumed-role/*/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "role name is not [A-Za-z0-9+=,.@_-]{1,64}" },
		{ "6.12 space in a role name",
		    "arn:aws:sts::" ACCT ":assumed-role/R X/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "role name is not [A-Za-z0-9+=,.@_-]{1,64}" },
		{ "6.12 trailing space",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1 ", ROLEID ":S1 ",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "session name is not [A-Za-z0-9+=,.@_-]{2,64}" },
		/* section 8 E 25 beyond the table */
		{ "E25 instance-profile",
		    "arn:aws:iam::" ACCT ":instance-profile/web", USERID, ACCT,
		    "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "unsupported arn resource type" },
		{ "E25 group", "arn:aws:iam::" ACCT ":group/admins", USERID,
		    ACCT, "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "unsupported arn resource type" },
		{ "E25 iam role arn is not a caller",
		    "arn:aws:iam::" ACCT ":role/tf-publisher", ROLEID ":s1",
		    ACCT, "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "an iam role arn is not a caller identity" },
		{ "E25 UserId session differs",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S2",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "UserId session differs from the arn session" },
		{ "E25 UserId lower-case id",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1",
		    "AROAexampleroleid1234:S1", ACCT, "aws", false, REG_EAUTH,
		    NULL, NULL, NULL,
		    "assumed-role UserId is not AROA...:session" },
		{ "E25 UserId too short",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", "AROA123:S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "assumed-role UserId is not AROA...:session" },
		{ "E25 user UserId with ':'",
		    "arn:aws:iam::" ACCT ":user/ci-bot", USERID ":x", ACCT,
		    "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "iam user UserId is not AIDA..." },
		{ "E25 user UserId AROA", "arn:aws:iam::" ACCT ":user/ci-bot",
		    ROLEID, ACCT, "aws", true, REG_EAUTH, NULL, NULL, NULL,
		    "iam user UserId is not AIDA..." },
		{ "E25 Account 11 digits",
		    "arn:aws:sts::12345678901:assumed-role/R/S1", ROLEID ":S1",
		    "12345678901", "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "account is not 12 digits" },
		{ "E25 Account not digits",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    "12345678901x", "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "Account is not 12 digits" },
		{ "E25 session of 1 character",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S", ROLEID ":S", ACCT,
		    "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "session name is not [A-Za-z0-9+=,.@_-]{2,64}" },
		{ "E25 session of 65 characters",
		    "arn:aws:sts::" ACCT ":assumed-role/R/"
		    "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"
		    "SSSSSSS",
		    ROLEID ":SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"
		           "SSSSSSSSSSSSSSS",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "session name is not [A-Za-z0-9+=,.@_-]{2,64}" },
		{ "E25 empty role name",
		    "arn:aws:sts::" ACCT ":assumed-role//S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "role name is not [A-Za-z0-9+=,.@_-]{1,64}" },
		{ "E25 service s3", "arn:aws:s3::" ACCT ":assumed-role/R/S1",
		    ROLEID ":S1", ACCT, "aws", false, REG_EAUTH, NULL, NULL,
		    NULL, "service is neither iam nor sts" },
		{ "E25 unknown partition",
		    "arn:aws-xx:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "unknown partition" },
		{ "E25 empty arn", "", ROLEID ":S1", ACCT, "aws", false,
		    REG_EAUTH, NULL, NULL, NULL, "not an arn" },
		{ "E25 newline at the end",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1\n", ROLEID ":S1",
		    ACCT, "aws", false, REG_EAUTH, NULL, NULL, NULL,
		    "session name is not [A-Za-z0-9+=,.@_-]{2,64}" },
		{ "configured partition aws-cn",
		    "arn:aws-cn:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    ACCT, "aws-cn", false, REG_OK, "aws:aws-cn:" ACCT ":role:R",
		    "S1", ROLEID, "ok" },
		{ "configured partition unknown",
		    "arn:aws:sts::" ACCT ":assumed-role/R/S1", ROLEID ":S1",
		    ACCT, "aws-mars", false, REG_EINVAL, NULL, NULL, NULL,
		    "configured partition is unknown" },
		{ "role name of 64, session of 64",
		    "arn:aws:sts::" ACCT ":assumed-role/"
		    "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
		    "RRRRRR/"
		    "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"
		    "SSSSSS",
		    ROLEID ":SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"
		           "SSSSSSSSSSSSSS",
		    ACCT, "aws", false, REG_OK,
		    "aws:aws:" ACCT ":role:"
		    "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
		    "RRRRRRRRR",
		    "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"
		    "SSSSSS",
		    ROLEID, "ok" },
		{ "role name of 65",
		    "arn:aws:sts::" ACCT ":assumed-role/"
		    "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
		    "RRRRRRR/"
		    "S1",
		    ROLEID ":S1", ACCT, "aws", false, REG_EAUTH, NULL, NULL,
		    NULL, "role name is not [A-Za-z0-9+=,.@_-]{1,64}" },
		{ "session with every allowed punctuation",
		    "arn:aws:sts::" ACCT ":assumed-role/r+=,.@_-/s+=,.@_-",
		    ROLEID ":s+=,.@_-", ACCT, "aws", false, REG_OK,
		    "aws:aws:" ACCT ":role:r+=,.@_-", "s+=,.@_-", ROLEID,
		    "ok" },
	};
	size_t i;

	for (i = 0; i < nitems(tab); i++)
		check_sts(&tab[i]);
}

struct grant_row {
	const char *in;
	enum reg_err want;
	const char *key;     /* on success */
	const char *display; /* on success */
	const char *warning; /* on success */
};

static void
check_grant(const struct grant_row *r)
{
	struct principal_grant o, again;
	const char *why = NULL;
	char esc[200], disp[PRINCIPAL_BUFSZ];
	enum reg_err er, er2, er3;

	memset(&o, 0x5a, sizeof(o));
	er = principal_from_grant_input(r->in, strlen(r->in), &o, &why);
	(void)log_escape(esc, sizeof(esc), r->in, strlen(r->in));
	if (r->want != REG_OK) {
		T_OK(er == r->want && o.key[0] == 0x5a && why != NULL,
		    "grant %s refused (%s)", esc, why != NULL ? why : "-");
		return;
	}
	T_OK(er == REG_OK && strcmp(o.key, r->key) == 0 &&
	        strcmp(o.display, r->display) == 0 &&
	        strcmp(o.warning, r->warning) == 0,
	    "grant %s -> %s %s [%s]", esc, er == REG_OK ? o.key : "-",
	    er == REG_OK ? o.display : "-", er == REG_OK ? o.warning : "-");
	if (er != REG_OK)
		return;
	/* invariants: the display form parses back to the key, quietly */
	er2 = principal_from_grant_input(o.display, strlen(o.display), &again,
	    NULL);
	er3 = principal_display(o.key, strlen(o.key), disp);
	T_OK(er2 == REG_OK && strcmp(again.key, o.key) == 0 &&
	        again.warning[0] == '\0' && er3 == REG_OK &&
	        strcmp(disp, o.display) == 0 &&
	        principal_key_valid(o.key, strlen(o.key)),
	    "grant %s: display round trip", esc);
}

static void
test_grant_input(void)
{
	static const struct grant_row tab[] = {
		{ "arn:aws:iam::" ACCT ":role/tf-publisher", REG_OK,
		    "aws:aws:" ACCT ":role:tf-publisher",
		    "arn:aws:iam::" ACCT ":role/tf-publisher", "" },
		{ "arn:aws:iam::" ACCT ":role/platform/tf-publisher", REG_OK,
		    "aws:aws:" ACCT ":role:tf-publisher",
		    "arn:aws:iam::" ACCT ":role/tf-publisher",
		    "role path /platform/ is ignored for matching; grants "
		    "match "
		    "role name tf-publisher" },
		{ "arn:aws:iam::" ACCT ":role/aws-reserved/sso.amazonaws.com/"
		  "eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
		    REG_OK,
		    "aws:aws:" ACCT
		    ":role:AWSReservedSSO_Admin_0123456789abcdef",
		    "arn:aws:iam::" ACCT
		    ":role/AWSReservedSSO_Admin_0123456789abcdef",
		    "role path /aws-reserved/sso.amazonaws.com/eu-west-1/ is "
		    "ignored for matching; grants match role name "
		    "AWSReservedSSO_Admin_0123456789abcdef" },
		{ "arn:aws:iam::" ACCT ":user/ci-bot", REG_OK,
		    "aws:aws:" ACCT ":user:ci-bot",
		    "arn:aws:iam::" ACCT ":user/ci-bot", "" },
		{ "arn:aws:iam::" ACCT ":user/division_abc/ci-bot", REG_OK,
		    "aws:aws:" ACCT ":user:ci-bot",
		    "arn:aws:iam::" ACCT ":user/ci-bot",
		    "user path /division_abc/ is ignored for matching; grants "
		    "match user name ci-bot" },
		{ "token:ci-bot", REG_OK, "token:ci-bot", "token:ci-bot", "" },
		{ "aws:aws:" ACCT ":role:tf-publisher", REG_OK,
		    "aws:aws:" ACCT ":role:tf-publisher",
		    "arn:aws:iam::" ACCT ":role/tf-publisher", "" },
		{ "aws:aws-us-gov:" ACCT ":user:x", REG_OK,
		    "aws:aws-us-gov:" ACCT ":user:x",
		    "arn:aws-us-gov:iam::" ACCT ":user/x", "" },
		{ "arn:aws-cn:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-cn:" ACCT ":role:r",
		    "arn:aws-cn:iam::" ACCT ":role/r", "" },
		{ "arn:aws-us-gov:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-us-gov:" ACCT ":role:r",
		    "arn:aws-us-gov:iam::" ACCT ":role/r", "" },
		{ "arn:aws-iso:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-iso:" ACCT ":role:r",
		    "arn:aws-iso:iam::" ACCT ":role/r", "" },
		{ "arn:aws-iso-b:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-iso-b:" ACCT ":role:r",
		    "arn:aws-iso-b:iam::" ACCT ":role/r", "" },
		{ "arn:aws-iso-e:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-iso-e:" ACCT ":role:r",
		    "arn:aws-iso-e:iam::" ACCT ":role/r", "" },
		{ "arn:aws-iso-f:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-iso-f:" ACCT ":role:r",
		    "arn:aws-iso-f:iam::" ACCT ":role/r", "" },
		{ "arn:aws-eusc:iam::" ACCT ":role/r", REG_OK,
		    "aws:aws-eusc:" ACCT ":role:r",
		    "arn:aws-eusc:iam::" ACCT ":role/r", "" },
		{ "arn:aws:iam::" ACCT ":role/r+=,.@_-", REG_OK,
		    "aws:aws:" ACCT ":role:r+=,.@_-",
		    "arn:aws:iam::" ACCT ":role/r+=,.@_-", "" },
		{ "arn:aws:iam::" ACCT ":role/a!b\"#$&'()+,-.;<=>@[]^_`{|}~/x",
		    REG_OK, "aws:aws:" ACCT ":role:x",
		    "arn:aws:iam::" ACCT ":role/x",
		    "role path /a!b\"#$&'()+,-.;<=>@[]^_`{|}~/ is ignored for "
		    "matching; grants match role name x" },
		/* refusals */
		{ "arn:aws:sts::" ACCT ":assumed-role/tf-publisher/s1",
		    REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:sts::" ACCT ":federated-user/Bob", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::" ACCT ":root", REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":group/admins", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":instance-profile/web", REG_EINVAL,
		    NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":policy/p", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "*", REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/*", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/tf-*", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/tf-publishe?", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/*/tf-publisher", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::*:role/tf-publisher", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/tf publisher", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/tf%2Fpublisher", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/a%2Fb/tf-publisher", REG_EINVAL,
		    NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/a//tf-publisher", REG_EINVAL,
		    NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role//tf-publisher", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/", REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role", REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:iam::" ACCT ":role/p/", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/"
		  "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"
		  "RRRRRRRRR",
		    REG_EINVAL, NULL, NULL, NULL }, /* 65 */
		{ "arn:aws-xx:iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:AWS:iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn::iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL, NULL },
		{ "ARN:aws:iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "Arn:aws:iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam:us-east-1:" ACCT ":role/r", REG_EINVAL, NULL,
		    NULL, NULL },
		{ "arn:aws:IAM::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/r:x", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/a:b/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam:" ACCT ":role/r", REG_EINVAL, NULL, NULL, NULL },
		{ "arn:aws:iam::12345678901:role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::1234567890123:role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":Role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ " arn:aws:iam::" ACCT ":role/r", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "arn:aws:iam::" ACCT ":role/r\n", REG_EINVAL, NULL, NULL,
		    NULL },
		{ "token:", REG_EINVAL, NULL, NULL, NULL },
		{ "token:CI", REG_EINVAL, NULL, NULL, NULL },
		{ "token:-ci", REG_EINVAL, NULL, NULL, NULL },
		{ "token:ci:x", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws:" ACCT ":group:x", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws:12345:role:x", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws-xx:" ACCT ":role:x", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws:" ACCT ":role:x:y", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws:" ACCT ":role:", REG_EINVAL, NULL, NULL, NULL },
		{ "aws:aws:" ACCT ":role", REG_EINVAL, NULL, NULL, NULL },
		{ "oidc:github:owner=1", REG_EINVAL, NULL, NULL, NULL },
		{ "tf-publisher", REG_EINVAL, NULL, NULL, NULL },
		{ "", REG_EINVAL, NULL, NULL, NULL },
	};
	size_t i;

	for (i = 0; i < nitems(tab); i++)
		check_grant(&tab[i]);
}

/* IAM paths: 512 bytes are accepted, 513 refused. */
static void
test_path_length(void)
{
	char in[700], path[520];
	struct principal_grant o;
	const char *why;
	enum reg_err er;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[511] = '/';
	path[512] = '\0';
	(void)snprintf(in, sizeof(in), "arn:aws:iam::%s:role%sr", ACCT, path);
	er = principal_from_grant_input(in, strlen(in), &o, &why);
	T_OK(er == REG_OK && strcmp(o.key, "aws:aws:" ACCT ":role:r") == 0 &&
	        strlen(o.warning) > 512,
	    "512-byte path accepted, warning carries it");
	path[511] = 'p';
	path[512] = '/';
	path[513] = '\0';
	(void)snprintf(in, sizeof(in), "arn:aws:iam::%s:role%sr", ACCT, path);
	er = principal_from_grant_input(in, strlen(in), &o, &why);
	T_OK(er == REG_EINVAL, "513-byte path refused");
}

/* spec/iam-auth.md section 8 F 26: matching is exact on the key. */
static void
test_matching(void)
{
	struct principal_grant g;
	struct principal_sts a, b;
	enum reg_err e1, e2, e3;

	e1 = principal_from_grant_input("arn:aws:iam::" ACCT ":role/Admin",
	    strlen("arn:aws:iam::" ACCT ":role/Admin"), &g, NULL);
	e2 = principal_from_sts("arn:aws:sts::" ACCT ":assumed-role/admin/s1",
	    strlen("arn:aws:sts::" ACCT ":assumed-role/admin/s1"), ROLEID ":s1",
	    strlen(ROLEID ":s1"), ACCT, 12, "aws", false, &a, NULL);
	T_OK(e1 == REG_OK && e2 == REG_OK && strcmp(g.key, a.key) != 0,
	    "F26 grant role/Admin does not match caller role/admin");

	e1 = principal_from_grant_input("arn:aws:iam::" ACCT
	                                ":role/platform/tf-publisher",
	    strlen("arn:aws:iam::" ACCT ":role/platform/tf-publisher"), &g,
	    NULL);
	e2 = principal_from_sts("arn:aws:sts::" ACCT
	                        ":assumed-role/tf-publisher/s1",
	    strlen("arn:aws:sts::" ACCT ":assumed-role/tf-publisher/s1"),
	    ROLEID ":s1", strlen(ROLEID ":s1"), ACCT, 12, "aws", false, &a,
	    NULL);
	T_OK(e1 == REG_OK && e2 == REG_OK && strcmp(g.key, a.key) == 0,
	    "F26 grant with a path matches the assumed-role without one");

	e3 = principal_from_sts("arn:aws:sts::" ACCT
	                        ":assumed-role/tf-publisher/s2",
	    strlen("arn:aws:sts::" ACCT ":assumed-role/tf-publisher/s2"),
	    "AROAOTHERROLEID98765:s2", strlen("AROAOTHERROLEID98765:s2"), ACCT,
	    12, "aws", false, &b, NULL);
	T_OK(e3 == REG_OK && strcmp(a.key, b.key) == 0 &&
	        strcmp(a.unique_id, ROLEID) == 0 &&
	        strcmp(b.unique_id, "AROAOTHERROLEID98765") == 0,
	    "F26 recreated role: same key, different unique id for pinning");
	T_OK(strcmp(a.session, "s1") == 0 && strcmp(b.session, "s2") == 0,
	    "sessions are kept apart from the key");
}

static void
test_key_grammar(void)
{
	static const struct {
		const char *key;
		bool ok;
		const char *display;
	} tab[] = {
		{ "aws:aws:" ACCT ":role:tf-publisher", true,
		    "arn:aws:iam::" ACCT ":role/tf-publisher" },
		{ "aws:aws-eusc:" ACCT ":user:u", true,
		    "arn:aws-eusc:iam::" ACCT ":user/u" },
		{ "token:ci", true, "token:ci" },
		{ "token:", false, NULL },
		{ "aws:aws:" ACCT ":Role:x", false, NULL },
		{ "aws:aws:" ACCT ":role:x/y", false, NULL },
		{ "aws:aws::role:x", false, NULL },
		{ "aws::" ACCT ":role:x", false, NULL },
		{ "arn:aws:iam::" ACCT ":role/x", false, NULL },
		{ "oidc:github:x", false, NULL },
		{ "", false, NULL },
	};
	char out[PRINCIPAL_BUFSZ];
	enum reg_err er;
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		T_OK(principal_key_valid(tab[i].key, strlen(tab[i].key)) ==
		        tab[i].ok,
		    "key_valid(%s) == %d", tab[i].key, tab[i].ok);
		memcpy(out, "unchanged", 10);
		er = principal_display(tab[i].key, strlen(tab[i].key), out);
		if (tab[i].ok)
			T_OK(er == REG_OK && strcmp(out, tab[i].display) == 0,
			    "display(%s) = %s", tab[i].key, out);
		else
			T_OK(er == REG_EINVAL && strcmp(out, "unchanged") == 0,
			    "display(%s) refused", tab[i].key);
	}
	T_OK(principal_key_valid("token:ci\0x", 10) == false,
	    "NUL inside a key");
	T_OK(principal_partition_known("aws", 3) &&
	        !principal_partition_known("aws-", 4) &&
	        !principal_partition_known("aws-iso-", 8) &&
	        !principal_partition_known("", 0),
	    "partition set");
}

int
main(void)
{
	log_init("test_principal", 0, LOG_LVL_WARN);
	test_sts_table();
	test_grant_input();
	test_path_length();
	test_matching();
	test_key_grammar();
	return t_done();
}
