/*
 * auth/iamtok: iam-auth.md section 8 A to D as a table.  Every row starts
 * from a real presigned GetCallerIdentity URL made with sigv4_presign (at
 * a fixed "now" plus an offset), applies one readable mutation to the
 * URL, the token or the JSON body, and asserts the result: REG_OK, or the
 * error code and a substring of why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/t.h"
#include "../../auth/iamtok.h"
#include "../../auth/sigv4.h"
#include "../../common/codec.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define H_USE1 "sts.us-east-1.amazonaws.com"
#define H_EUW1 "sts.eu-west-1.amazonaws.com"
#define H_GLOBAL "sts.amazonaws.com"
#define SP(lit) \
	{ \
		(lit), sizeof(lit) - 1 \
	}

#define TEST_TOKEN \
	"FwoGZXIvYXdzEBYaDH+/Ex4mpleSessionT0ken/AB+cd/EF==" /* base64 */

static const struct iamtok_endpoint endpoints[] = {
	{ H_USE1, "us-east-1", "aws" },
	{ H_EUW1, "eu-west-1", "aws" },
	{ H_GLOBAL, "us-east-1", "aws" },
};

static const struct sigv4_creds creds = { "AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };

/* Token mutations applied after base64url encoding. */
enum tokmut {
	TM_NONE,
	TM_PAD,      /* append '=' */
	TM_PLUS,     /* a '+' inside the payload */
	TM_SLASH,    /* a '/' inside the payload */
	TM_SPACE,    /* a space inside the payload */
	TM_NEWLINE,  /* a newline inside the payload */
	TM_NONCANON, /* non-zero trailing bits in the last character */
	TM_LONG,     /* pad to 4097 bytes */
	TM_EMPTY,    /* prefix only */
};

struct row {
	const char *desc;
	/* how the presigned URL is made */
	const char *host, *region; /* default H_USE1, us-east-1 */
	bool token;                /* with a session token */
	int date_off;              /* seconds from NOW */
	bool us_only;              /* policy allowlists only H_USE1 */
	/* URL mutations, in this order */
	const char *base;    /* replaces "https://host/" */
	const char *from;    /* the pair named from ... */
	const char *to;      /* ... becomes this raw text ("" deletes it) */
	const char *add;     /* appended after add_sep (default '&') */
	const char *add_sep; /* separator before add */
	const char *date;    /* raw X-Amz-Date and credential date */
	struct span suffix;  /* raw bytes appended to the URL */
	/* token and body */
	const char *prefix; /* replaces "k8s-aws-v1." */
	enum tokmut tm;
	const char *body; /* '@' is the JSON-escaped token */
	size_t pad;       /* spaces appended to the body */
	/* expectation */
	enum reg_err er;
	const char *why; /* substring of why; NULL for REG_OK */
};

#define CRED(akid, date, region, svc, term) \
	"X-Amz-Credential=" akid "%2F" date "%2F" region "%2F" svc "%2F" term
#define AKID "AKIAIOSFODNN7EXAMPLE"
#define ENV(rest) "{\"method\":\"aws-iam\",\"token\":\"@\"" rest "}"

static const struct row rows[] = {
	/* accepted */
	{ .desc = "valid, long-term key" },
	{ .desc = "valid, session token", .token = true },
	{ .desc = "valid, eu-west-1", .host = H_EUW1, .region = "eu-west-1" },
	{ .desc = "valid, global host signs us-east-1", .host = H_GLOBAL },
	{ .desc = "valid, expiration_seconds",
	    .body = ENV(",\"expiration_seconds\":3600") },
	{ .desc = "valid, key order in the envelope",
	    .body = "{\"token\":\"@\",\"method\":\"aws-iam\"}" },
	{ .desc = "valid, lower-case percent hex",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=host%3bx-k8s-aws-id" },
	{ .desc = "18: now-300 accepted", .date_off = -300 },
	{ .desc = "18: now+60 accepted", .date_off = 60 },

	/* A 1: body over 8 KiB (the rest of item 1 is nginx's) */
	{ .desc = "1: body over 8 KiB",
	    .pad = 8200,
	    .er = REG_ETOOBIG,
	    .why = "over 8 KiB" },
	/* A 2 */
	{ .desc = "2: invalid json",
	    .body = "{\"method\":",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: trailing bytes",
	    .body = ENV("") "x",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: two documents",
	    .body = ENV("") ENV(""),
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: top-level array",
	    .body = "[\"@\"]",
	    .er = REG_EINVAL,
	    .why = "not a json object" },
	{ .desc = "2: top-level string",
	    .body = "\"@\"",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: duplicate key",
	    .body = "{\"method\":\"aws-iam\",\"token\":\"a\",\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: duplicate method",
	    .body = ENV(",\"method\":\"aws-iam\""),
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: \\u0000 in a string",
	    .body = "{\"method\":\"aws-iam\\u0000\",\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	{ .desc = "2: invalid utf-8",
	    .body = "{\"method\":\"aws-iam\",\"token\":\"@\",\"x\":\"\xff\"}",
	    .er = REG_EINVAL,
	    .why = "invalid json" },
	/* A 3 */
	{ .desc = "3: missing method",
	    .body = "{\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "missing method" },
	{ .desc = "3: missing token",
	    .body = "{\"method\":\"aws-iam\"}",
	    .er = REG_EINVAL,
	    .why = "missing token" },
	{ .desc = "3: empty object",
	    .body = "{}",
	    .er = REG_EINVAL,
	    .why = "missing method" },
	{ .desc = "3: unknown key",
	    .body = ENV(",\"role\":\"deploy\""),
	    .er = REG_EINVAL,
	    .why = "unknown key" },
	{ .desc = "3: aws and oidc fields",
	    .body = ENV(",\"provider\":\"github\""),
	    .er = REG_EINVAL,
	    .why = "unknown key" },
	{ .desc = "3: method a number",
	    .body = "{\"method\":1,\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "method must be a string" },
	{ .desc = "3: method null",
	    .body = "{\"method\":null,\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "method must be a string" },
	{ .desc = "3: token an object",
	    .body = "{\"method\":\"aws-iam\",\"token\":{\"t\":\"@\"}}",
	    .er = REG_EINVAL,
	    .why = "token must be a string" },
	{ .desc = "3: token null",
	    .body = "{\"method\":\"aws-iam\",\"token\":null}",
	    .er = REG_EINVAL,
	    .why = "token must be a string" },
	{ .desc = "3: token a number",
	    .body = "{\"method\":\"aws-iam\",\"token\":7}",
	    .er = REG_EINVAL,
	    .why = "token must be a string" },
	{ .desc = "3: expiration_seconds 0",
	    .body = ENV(",\"expiration_seconds\":0"),
	    .er = REG_EINVAL,
	    .why = "expiration_seconds must be positive" },
	{ .desc = "3: expiration_seconds -1",
	    .body = ENV(",\"expiration_seconds\":-1"),
	    .er = REG_EINVAL,
	    .why = "expiration_seconds must be positive" },
	{ .desc = "3: expiration_seconds real",
	    .body = ENV(",\"expiration_seconds\":60.0"),
	    .er = REG_EINVAL,
	    .why = "expiration_seconds must be an integer" },
	{ .desc = "3: expiration_seconds string",
	    .body = ENV(",\"expiration_seconds\":\"60\""),
	    .er = REG_EINVAL,
	    .why = "expiration_seconds must be an integer" },
	/* A 4 */
	{ .desc = "4: method AWS-IAM",
	    .body = "{\"method\":\"AWS-IAM\",\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "unsupported method" },
	{ .desc = "4: method oidc",
	    .body = "{\"method\":\"oidc\",\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "unsupported method" },
	{ .desc = "4: method with trailing space",
	    .body = "{\"method\":\"aws-iam \",\"token\":\"@\"}",
	    .er = REG_EINVAL,
	    .why = "unsupported method" },

	/* B 5 */
	{ .desc = "5: prefix k8s-aws-v2.",
	    .prefix = "k8s-aws-v2.",
	    .er = REG_EINVAL,
	    .why = "prefix" },
	{ .desc = "5: prefix K8S-AWS-V1.",
	    .prefix = "K8S-AWS-V1.",
	    .er = REG_EINVAL,
	    .why = "prefix" },
	{ .desc = "5: no prefix",
	    .prefix = "",
	    .er = REG_EINVAL,
	    .why = "prefix" },
	{ .desc = "5: token of 4097 bytes",
	    .tm = TM_LONG,
	    .er = REG_EINVAL,
	    .why = "longer than 4096" },
	{ .desc = "5: empty payload",
	    .tm = TM_EMPTY,
	    .er = REG_EINVAL,
	    .why = "empty payload" },
	/* B 6 */
	{ .desc = "6: padding",
	    .tm = TM_PAD,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: standard alphabet +",
	    .tm = TM_PLUS,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: standard alphabet /",
	    .tm = TM_SLASH,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: space",
	    .tm = TM_SPACE,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: newline",
	    .tm = TM_NEWLINE,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: non-canonical trailing bits",
	    .tm = TM_NONCANON,
	    .er = REG_EINVAL,
	    .why = "base64url" },
	{ .desc = "6: decoded CR",
	    .suffix = SP("\r"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },
	{ .desc = "6: decoded LF",
	    .suffix = SP("\n"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },
	{ .desc = "6: decoded NUL",
	    .suffix = SP("\0"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },
	{ .desc = "6: decoded TAB",
	    .suffix = SP("\t"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },
	{ .desc = "6: decoded 0x80",
	    .suffix = SP("\x80"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },
	{ .desc = "6: decoded 0x7f",
	    .suffix = SP("\x7f"),
	    .er = REG_EINVAL,
	    .why = "control or non-ascii" },

	/* C 7 */
	{ .desc = "7: http",
	    .base = "http://" H_USE1 "/",
	    .er = REG_EINVAL,
	    .why = "scheme must be https" },
	{ .desc = "7: HTTPS",
	    .base = "HTTPS://" H_USE1 "/",
	    .er = REG_EINVAL,
	    .why = "scheme must be https" },
	{ .desc = "7: suffix host",
	    .base = "https://" H_USE1 ".evil.example/",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: evil host",
	    .base = "https://evil.example/",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: userinfo",
	    .base = "https://" H_USE1 "@evil.example/",
	    .er = REG_EINVAL,
	    .why = "userinfo" },
	{ .desc = "7: fragment before @",
	    .base = "https://evil.example#@" H_USE1 "/",
	    .er = REG_EINVAL,
	    .why = "fragment" },
	{ .desc = "7: explicit port",
	    .base = "https://" H_USE1 ":443/",
	    .er = REG_EINVAL,
	    .why = "port" },
	{ .desc = "7: upper-case host",
	    .base = "https://STS.US-EAST-1.AMAZONAWS.COM/",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: trailing dot",
	    .base = "https://" H_USE1 "./",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: ipv4 literal",
	    .base = "https://52.94.0.1/",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: ipv6 literal",
	    .base = "https://[::1]/",
	    .er = REG_EINVAL,
	    .why = "url:" },
	{ .desc = "7: punycode host",
	    .base = "https://xn--sts-9na.us-east-1.amazonaws.com/",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "7: empty host",
	    .base = "https:///",
	    .er = REG_EINVAL,
	    .why = "empty host" },
	/* C 8 */
	{ .desc = "8: region not allowlisted",
	    .host = "sts.ap-southeast-2.amazonaws.com",
	    .region = "ap-southeast-2",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "8: other partition",
	    .host = "sts.cn-north-1.amazonaws.com.cn",
	    .region = "cn-north-1",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "8: fips host",
	    .host = "sts-fips.us-east-1.amazonaws.com",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "8: dual-stack host",
	    .host = "sts.us-east-1.api.aws",
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	{ .desc = "8: global host not configured",
	    .host = H_GLOBAL,
	    .us_only = true,
	    .er = REG_EINVAL,
	    .why = "host not in allowlist" },
	/* C 9 */
	{ .desc = "9: path /x",
	    .base = "https://" H_USE1 "/x",
	    .er = REG_EINVAL,
	    .why = "path must be /" },
	{ .desc = "9: path //",
	    .base = "https://" H_USE1 "//",
	    .er = REG_EINVAL,
	    .why = "path must be /" },
	{ .desc = "9: path /%2F",
	    .base = "https://" H_USE1 "/%2F",
	    .er = REG_EINVAL,
	    .why = "path must be /" },
	{ .desc = "9: path /./",
	    .base = "https://" H_USE1 "/./",
	    .er = REG_EINVAL,
	    .why = "path must be /" },
	{ .desc = "9: empty path",
	    .base = "https://" H_USE1,
	    .er = REG_EINVAL,
	    .why = "path must be /" },
	{ .desc = "9: fragment",
	    .suffix = SP("#frag"),
	    .er = REG_EINVAL,
	    .why = "fragment" },
	{ .desc = "9: no query",
	    .base = "https://" H_USE1 "/",
	    .from = "*",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing query" },

	/* D 10: each required parameter missing in turn */
	{ .desc = "10: no Action",
	    .from = "Action",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing Action" },
	{ .desc = "10: no Version",
	    .from = "Version",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing Version" },
	{ .desc = "10: no X-Amz-Algorithm",
	    .from = "X-Amz-Algorithm",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-Algorithm" },
	{ .desc = "10: no X-Amz-Credential",
	    .from = "X-Amz-Credential",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-Credential" },
	{ .desc = "10: no X-Amz-Date",
	    .from = "X-Amz-Date",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-Date" },
	{ .desc = "10: no X-Amz-Expires",
	    .from = "X-Amz-Expires",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-Expires" },
	{ .desc = "10: no X-Amz-SignedHeaders",
	    .from = "X-Amz-SignedHeaders",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-SignedHeaders" },
	{ .desc = "10: no X-Amz-Signature",
	    .from = "X-Amz-Signature",
	    .to = "",
	    .er = REG_EINVAL,
	    .why = "missing X-Amz-Signature" },
	/* D 11 */
	{ .desc = "11: X-Amz-Target",
	    .add = "X-Amz-Target=AWSSecurityTokenServiceV20110615.AssumeRole",
	    .er = REG_EINVAL,
	    .why = "unknown parameter" },
	{ .desc = "11: RoleArn",
	    .add = "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fx",
	    .er = REG_EINVAL,
	    .why = "unknown parameter" },
	{ .desc = "11: Foo",
	    .add = "Foo=1",
	    .er = REG_EINVAL,
	    .why = "unknown parameter" },
	/* D 12 */
	{ .desc = "12: exact duplicate Action",
	    .add = "Action=GetCallerIdentity",
	    .er = REG_EINVAL,
	    .why = "duplicate parameter" },
	{ .desc = "12: case-variant duplicate (CVE-2022-2385)",
	    .add = "x-amz-credential=eve",
	    .er = REG_EINVAL,
	    .why = "duplicate parameter" },
	{ .desc = "12: lower-case name only",
	    .from = "Action",
	    .to = "action=GetCallerIdentity",
	    .er = REG_EINVAL,
	    .why = "unknown parameter" },
	{ .desc = "12: duplicate via percent-encoded name",
	    .add = "X-Amz-D%61te=20231114T221320Z",
	    .er = REG_EINVAL,
	    .why = "needless percent-encoding" },
	/* D 13 */
	{ .desc = "13: AssumeRole",
	    .from = "Action",
	    .to = "Action=AssumeRole",
	    .er = REG_EINVAL,
	    .why = "action must be GetCallerIdentity" },
	{ .desc = "13: AssumeRoleWithWebIdentity",
	    .from = "Action",
	    .to = "Action=AssumeRoleWithWebIdentity",
	    .er = REG_EINVAL,
	    .why = "action must be GetCallerIdentity" },
	{ .desc = "13: GetSessionToken",
	    .from = "Action",
	    .to = "Action=GetSessionToken",
	    .er = REG_EINVAL,
	    .why = "action must be GetCallerIdentity" },
	{ .desc = "13: trailing space, encoded",
	    .from = "Action",
	    .to = "Action=GetCallerIdentity%20",
	    .er = REG_EINVAL,
	    .why = "action must be GetCallerIdentity" },
	{ .desc = "13: trailing space, raw",
	    .from = "Action",
	    .to = "Action=GetCallerIdentity ",
	    .er = REG_EINVAL,
	    .why = "invalid character" },
	{ .desc = "13: GetCaller%49dentity",
	    .from = "Action",
	    .to = "Action=GetCaller%49dentity",
	    .er = REG_EINVAL,
	    .why = "needless percent-encoding" },
	{ .desc = "13: Version 2011-06-16",
	    .from = "Version",
	    .to = "Version=2011-06-16",
	    .er = REG_EINVAL,
	    .why = "version must be 2011-06-15" },
	{ .desc = "13: SigV4A",
	    .from = "X-Amz-Algorithm",
	    .to = "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256",
	    .er = REG_EINVAL,
	    .why = "algorithm must be AWS4-HMAC-SHA256" },
	{ .desc = "13: HMAC-SHA512",
	    .from = "X-Amz-Algorithm",
	    .to = "X-Amz-Algorithm=AWS4-HMAC-SHA512",
	    .er = REG_EINVAL,
	    .why = "algorithm must be AWS4-HMAC-SHA256" },
	{ .desc = "13: ';' separator",
	    .from = "Version",
	    .to = "",
	    .add = "Version=2011-06-15",
	    .add_sep = ";",
	    .er = REG_EINVAL,
	    .why = "';' is not a separator" },
	{ .desc = "13: '+' in a value",
	    .from = "Action",
	    .to = "Action=GetCaller+Identity",
	    .er = REG_EINVAL,
	    .why = "'+' is not allowed" },
	{ .desc = "13: %zz",
	    .from = "Action",
	    .to = "Action=Get%zzIdentity",
	    .er = REG_EINVAL,
	    .why = "bad percent-encoding" },
	{ .desc = "13: '%' at end",
	    .from = "Action",
	    .to = "Action=GetCallerIdentity%",
	    .er = REG_EINVAL,
	    .why = "truncated percent-encoding" },
	{ .desc = "13: '%4' at end",
	    .from = "Action",
	    .to = "Action=GetCallerIdentity%4",
	    .er = REG_EINVAL,
	    .why = "truncated percent-encoding" },
	{ .desc = "13: empty pair",
	    .add = "",
	    .er = REG_EINVAL,
	    .why = "empty parameter" },
	{ .desc = "13: pair without '='",
	    .add = "Foo",
	    .er = REG_EINVAL,
	    .why = "without '='" },
	{ .desc = "13: raw '=' in a value",
	    .from = "Version",
	    .to = "Version=2011-06-15=x",
	    .er = REG_EINVAL,
	    .why = "unencoded '='" },
	{ .desc = "13: empty name",
	    .add = "=x",
	    .er = REG_EINVAL,
	    .why = "empty parameter name" },
	/* D 14 */
	{ .desc = "14: expires 0",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=0",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires -1",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=-1",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires 901",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=901",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires 60s",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=60s",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires 1e2",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=1e2",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires 10^20",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=100000000000000000000",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires 060",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=060",
	    .er = REG_EINVAL,
	    .why = "expires" },
	{ .desc = "14: expires empty",
	    .from = "X-Amz-Expires",
	    .to = "X-Amz-Expires=",
	    .er = REG_EINVAL,
	    .why = "expires" },
	/* D 15 */
	{ .desc = "15: upper-case signature",
	    .from = "X-Amz-Signature",
	    .to = "X-Amz-Signature="
	          "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789ab"
	          "cdef",
	    .er = REG_EINVAL,
	    .why = "signature must be 64 lower-case hex" },
	{ .desc = "15: 63 characters",
	    .from = "X-Amz-Signature",
	    .to = "X-Amz-Signature="
	          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	          "cde",
	    .er = REG_EINVAL,
	    .why = "signature must be 64 lower-case hex" },
	{ .desc = "15: 65 characters",
	    .from = "X-Amz-Signature",
	    .to = "X-Amz-Signature="
	          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
	          "cdef0",
	    .er = REG_EINVAL,
	    .why = "signature must be 64 lower-case hex" },
	{ .desc = "15: non-hex",
	    .from = "X-Amz-Signature",
	    .to = "X-Amz-Signature="
	          "0123456789abcdeg0123456789abcdef0123456789abcdef0123456789ab"
	          "cdef",
	    .er = REG_EINVAL,
	    .why = "signature must be 64 lower-case hex" },
	/* D 16 */
	{ .desc = "16: host only",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=host",
	    .er = REG_EINVAL,
	    .why = "signedheaders" },
	{ .desc = "16: extra accept",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id%3Baccept",
	    .er = REG_EINVAL,
	    .why = "signedheaders" },
	{ .desc = "16: unsorted",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=x-k8s-aws-id%3Bhost",
	    .er = REG_EINVAL,
	    .why = "signedheaders" },
	{ .desc = "16: empty element",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=host%3B%3Bx-k8s-aws-id",
	    .er = REG_EINVAL,
	    .why = "signedheaders" },
	{ .desc = "16: upper case",
	    .from = "X-Amz-SignedHeaders",
	    .to = "X-Amz-SignedHeaders=HOST%3BX-K8S-AWS-ID",
	    .er = REG_EINVAL,
	    .why = "signedheaders" },
	/* D 17 */
	{ .desc = "17: service s3",
	    .from = "X-Amz-Credential",
	    .to = CRED(AKID, "20231114", "us-east-1", "s3", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "service must be sts" },
	{ .desc = "17: service STS",
	    .from = "X-Amz-Credential",
	    .to = CRED(AKID, "20231114", "us-east-1", "STS", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "service must be sts" },
	{ .desc = "17: terminator aws4_request2",
	    .from = "X-Amz-Credential",
	    .to = CRED(AKID, "20231114", "us-east-1", "sts", "aws4_request2"),
	    .er = REG_EINVAL,
	    .why = "terminator" },
	{ .desc = "17: date differs",
	    .from = "X-Amz-Credential",
	    .to = CRED(AKID, "20231113", "us-east-1", "sts", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "date does not match" },
	{ .desc = "17: region differs from host",
	    .from = "X-Amz-Credential",
	    .to = CRED(AKID, "20231114", "eu-west-1", "sts", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "region does not match" },
	{ .desc = "17: us-west-2 scope on the global host",
	    .host = H_GLOBAL,
	    .region = "us-west-2",
	    .er = REG_EINVAL,
	    .why = "region does not match" },
	{ .desc = "17: lower-case akid",
	    .from = "X-Amz-Credential",
	    .to = CRED("AKIAiosfodnn7EXAMPLE", "20231114", "us-east-1", "sts",
	        "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "bad access key id" },
	{ .desc = "17: akid of 15",
	    .from = "X-Amz-Credential",
	    .to = CRED("AKIAIOSFODNN7EX", "20231114", "us-east-1", "sts",
	        "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "bad access key id" },
	{ .desc = "17: akid of 129",
	    .from = "X-Amz-Credential",
	    .to = CRED("AKIA01234567890123456789012345678901234567890123456789"
	               "0123456789012345678901234567890123456789012345678901"
	               "23456789012345678901234",
	        "20231114", "us-east-1", "sts", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "bad access key id" },
	{ .desc = "17: '/' inside the akid",
	    .from = "X-Amz-Credential",
	    .to = CRED("AKIAIOSFODNN7%2FEXAMPLE", "20231114", "us-east-1",
	        "sts", "aws4_request"),
	    .er = REG_EINVAL,
	    .why = "must be akid/date/region/sts" },
	{ .desc = "17: too few parts",
	    .from = "X-Amz-Credential",
	    .to = "X-Amz-Credential=" AKID "%2F20231114%2Fus-east-1%2Fsts",
	    .er = REG_EINVAL,
	    .why = "must be akid/date/region/sts" },
	/* D 18 */
	{ .desc = "18: dashes and colons",
	    .date = "2024-01-01T00%3A00%3A00Z",
	    .er = REG_EINVAL,
	    .why = "x-amz-date must be" },
	{ .desc = "18: no Z",
	    .date = "20240101T000000",
	    .er = REG_EINVAL,
	    .why = "x-amz-date must be" },
	{ .desc = "18: month 13",
	    .date = "20241301T000000Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: 30 February",
	    .date = "20240230T000000Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: hour 24",
	    .date = "20240101T246000Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: second 60",
	    .date = "20231114T221360Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: 29 February 2023",
	    .date = "20230229T000000Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: day 00",
	    .date = "20231100T000000Z",
	    .er = REG_EINVAL,
	    .why = "not a valid time" },
	{ .desc = "18: now-301 rejected",
	    .date_off = -301,
	    .er = REG_EINVAL,
	    .why = "too old" },
	{ .desc = "18: now+61 rejected",
	    .date_off = 61,
	    .er = REG_EINVAL,
	    .why = "in the future" },
	{ .desc = "18: a year old",
	    .date_off = -365 * 86400,
	    .er = REG_EINVAL,
	    .why = "too old" },
	/* session token grammar */
	{ .desc = "empty session token",
	    .token = true,
	    .from = "X-Amz-Security-Token",
	    .to = "X-Amz-Security-Token=",
	    .er = REG_EINVAL,
	    .why = "security token" },
	{ .desc = "session token with a space",
	    .token = true,
	    .from = "X-Amz-Security-Token",
	    .to = "X-Amz-Security-Token=a%20b",
	    .er = REG_EINVAL,
	    .why = "security token" },
};

static void
fmt_date(int64_t t, char out[SIGV4_AMZ_DATE_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, SIGV4_AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

/* A real presigned URL for host/region at NOW + off. */
static bool
presign(struct buf *out, const char *host, const char *region, bool with_token,
    int64_t off)
{
	static const struct sigv4_param q[] = {
		{ SP("Action"), SP("GetCallerIdentity") },
		{ SP("Version"), SP("2011-06-15") },
	};
	static const struct sigv4_param h[] = {
		{ SP("x-k8s-aws-id"), SP("registry.example.com") },
	};
	char date[SIGV4_AMZ_DATE_LEN + 1];
	struct sigv4_creds cr = creds;
	struct sigv4_req r;

	fmt_date(NOW + off, date);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.host = span_cstr(host);
	r.path = span_cstr("/");
	r.query = q;
	r.nquery = nitems(q);
	r.headers = h;
	r.nheaders = nitems(h);
	r.amz_date = date;
	if (with_token)
		cr.session_token = TEST_TOKEN;
	return sigv4_presign(&r, &cr, region, "sts", 60, out) == REG_OK;
}

/* Apply the row's URL mutations to the presigned url. */
static bool
mutate_url(const struct row *rw, const char *url, struct buf *out)
{
	const char *q = strchr(url, '?');
	struct span rest, pair;
	bool more = true, first = true;
	char date8[9];

	if (q == NULL)
		return false;
	if (buf_adds(out, rw->base != NULL ? rw->base : "") != REG_OK)
		return false;
	if (rw->base == NULL && buf_add(out, url, (size_t)(q - url)) != REG_OK)
		return false;
	if (rw->from != NULL && strcmp(rw->from, "*") == 0)
		goto tail;
	if (buf_addc(out, '?') != REG_OK)
		return false;
	rest = span_cstr(q + 1);
	while (more) {
		const char *eq;
		size_t nl;
		enum reg_err er = REG_OK;

		more = span_split(&rest, '&', &pair);
		eq = memchr(pair.p, '=', pair.len);
		nl = eq != NULL ? (size_t)(eq - pair.p) : pair.len;
		if (rw->from != NULL && strlen(rw->from) == nl &&
		    memcmp(pair.p, rw->from, nl) == 0) {
			if (*rw->to == '\0')
				continue;
			if (!first)
				er = buf_addc(out, '&');
			if (er == REG_OK)
				er = buf_adds(out, rw->to);
		} else if (rw->date != NULL && nl == 10 &&
		    memcmp(pair.p, "X-Amz-Date", 10) == 0) {
			er = buf_printf(out, "%sX-Amz-Date=%s",
			    first ? "" : "&", rw->date);
		} else if (rw->date != NULL && nl == 16 &&
		    memcmp(pair.p, "X-Amz-Credential", 16) == 0) {
			memcpy(date8, rw->date, 8);
			date8[8] = '\0';
			er = buf_printf(out,
			    "%sX-Amz-Credential=%s%%2F%s%%2Fus-east-1%%2Fsts"
			    "%%2Faws4_request",
			    first ? "" : "&", AKID, date8);
		} else {
			if (!first)
				er = buf_addc(out, '&');
			if (er == REG_OK)
				er = buf_add(out, pair.p, pair.len);
		}
		if (er != REG_OK)
			return false;
		first = false;
	}
	if (rw->add != NULL &&
	    (buf_adds(out, rw->add_sep != NULL ? rw->add_sep : "&") != REG_OK ||
	        buf_adds(out, rw->add) != REG_OK))
		return false;
tail:
	return buf_add(out, rw->suffix.p, rw->suffix.len) == REG_OK;
}

static bool
make_token(const struct row *rw, const struct buf *url, struct buf *tok)
{
	char *enc = malloc(b64url_enclen(url->len + 3) + 1);
	const char *pfx = rw->prefix != NULL ? rw->prefix : "k8s-aws-v1.";
	size_t n, mid;
	bool ok = false;

	if (enc == NULL)
		return false;
	if (rw->tm == TM_NONCANON && url->len % 3 == 0) {
		/* need leftover bits: encode one byte more */
		unsigned char tmp[IAMTOK_MAX_URL + 4];

		memcpy(tmp, url->p, url->len);
		tmp[url->len] = 'x';
		n = b64url_encode(tmp, url->len + 1, enc);
	} else {
		n = b64url_encode((const unsigned char *)url->p, url->len, enc);
	}
	mid = n / 2;
	switch (rw->tm) {
	case TM_PAD:
		enc[n++] = '=';
		enc[n] = '\0';
		break;
	case TM_PLUS:
		enc[mid] = '+';
		break;
	case TM_SLASH:
		enc[mid] = '/';
		break;
	case TM_SPACE:
		enc[mid] = ' ';
		break;
	case TM_NEWLINE:
		enc[mid] = '\n';
		break;
	case TM_NONCANON: {
		static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
		                        "mnopqrstuvwxyz0123456789-_";
		size_t v = (size_t)(strchr(a, enc[n - 1]) - a);

		enc[n - 1] = a[v | 1];
		break;
	}
	case TM_EMPTY:
		n = 0;
		enc[0] = '\0';
		break;
	default:
		break;
	}
	if (buf_adds(tok, pfx) != REG_OK || buf_add(tok, enc, n) != REG_OK)
		goto out;
	if (rw->tm == TM_LONG) {
		while (tok->len < IAMTOK_MAX_TOKEN + 1) {
			if (buf_addc(tok, 'A') != REG_OK)
				goto out;
		}
	}
	ok = true;
out:
	free(enc);
	return ok;
}

/* The body template with '@' replaced by the JSON-escaped token. */
static bool
make_body(const struct row *rw, const struct buf *tok, struct buf *body)
{
	const char *t = rw->body != NULL ? rw->body : ENV("");
	size_t i, k;

	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] != '@') {
			if (buf_addc(body, t[i]) != REG_OK)
				return false;
			continue;
		}
		for (k = 0; k < tok->len; k++) {
			unsigned char c = (unsigned char)tok->p[k];
			enum reg_err er;

			if (c < 0x20)
				er = buf_printf(body, "\\u%04x", c);
			else if (c == '"' || c == '\\')
				er = buf_printf(body, "\\%c", c);
			else
				er = buf_addc(body, (char)c);
			if (er != REG_OK)
				return false;
		}
	}
	for (i = 0; i < rw->pad; i++) {
		if (buf_addc(body, ' ') != REG_OK)
			return false;
	}
	return true;
}

static struct iamtok_policy
policy(bool us_only)
{
	struct iamtok_policy p;

	memset(&p, 0, sizeof(p));
	p.endpoints = endpoints;
	p.nendpoints = us_only ? 1 : nitems(endpoints);
	p.now = NOW;
	p.max_age = 300;
	p.max_future = 60;
	return p;
}

static bool
same_tok(const struct iamtok *a, const struct iamtok *b)
{
	return a->endpoint == b->endpoint && strcmp(a->akid, b->akid) == 0 &&
	    strcmp(a->amz_date, b->amz_date) == 0 &&
	    strcmp(a->signature, b->signature) == 0 &&
	    strcmp(a->signed_headers, b->signed_headers) == 0 &&
	    a->has_session_token == b->has_session_token &&
	    strcmp(a->session_token, b->session_token) == 0 &&
	    a->expires == b->expires && a->date == b->date;
}

/* Accepted rows: the fields, and the rebuilt URL parses the same. */
static bool
check_accepted(const struct row *rw, const struct iamtok *t,
    const struct iamtok_policy *pol)
{
	const char *host = rw->host != NULL ? rw->host : H_USE1;
	struct buf url, tok;
	struct iamtok again;
	const char *why = NULL;
	bool ok;

	ok = strcmp(t->endpoint->host, host) == 0 &&
	    strcmp(t->akid, AKID) == 0 && t->date == NOW + rw->date_off &&
	    t->expires == 60 && t->has_session_token == rw->token &&
	    (!rw->token || strcmp(t->session_token, TEST_TOKEN) == 0) &&
	    strcmp(t->signed_headers, "host;x-k8s-aws-id") == 0 &&
	    strlen(t->signature) == 64 &&
	    t->expiration_seconds ==
	        (rw->body != NULL && strstr(rw->body, "expiration") != NULL
	                ? 3600
	                : 0);
	buf_init(&url, 8192);
	buf_init(&tok, 8192);
	ok = ok && iamtok_outbound_url(t, &url) == REG_OK &&
	    strncmp(buf_cstr(&url), "https://", 8) == 0 &&
	    make_token(&rows[0], &url, &tok) &&
	    iamtok_parse_token(tok.p, tok.len, pol, &again, &why) == REG_OK &&
	    same_tok(t, &again);
	buf_release(&url);
	buf_release(&tok);
	return ok;
}

static void
run_row(const struct row *rw)
{
	struct iamtok_policy pol = policy(rw->us_only);
	struct buf signed_url, url, tok, body;
	struct iamtok t;
	const char *why = NULL;
	enum reg_err er = REG_ENOMEM;
	bool ok;

	buf_init(&signed_url, 8192);
	buf_init(&url, 8192);
	buf_init(&tok, 16384);
	buf_init(&body, 32768);
	memset(&t, 0, sizeof(t));
	ok = presign(&signed_url, rw->host != NULL ? rw->host : H_USE1,
	         rw->region != NULL ? rw->region : "us-east-1", rw->token,
	         rw->date_off) &&
	    mutate_url(rw, buf_cstr(&signed_url), &url) &&
	    make_token(rw, &url, &tok) && make_body(rw, &tok, &body);
	if (ok)
		er = iamtok_parse_body(body.p, body.len, &pol, &t, &why);
	if (rw->why == NULL)
		ok = ok && er == REG_OK && check_accepted(rw, &t, &pol);
	else
		ok = ok && er == rw->er && why != NULL &&
		    strstr(why, rw->why) != NULL;
	if (!T_OK(ok, "%s", rw->desc))
		printf("#   er %d why \"%s\"\n#   url %s\n", er,
		    why != NULL ? why : "(null)", buf_cstr(&url));
	buf_release(&signed_url);
	buf_release(&url);
	buf_release(&tok);
	buf_release(&body);
}

/* 19: the key is the signature, whatever the encoding of the query. */
static void
test_replay_key(void)
{
	struct iamtok_policy pol = policy(false);
	struct buf u1, u2, t1, t2;
	struct iamtok a, b;
	unsigned char k1[CRYPTOW_SHA256_LEN], k2[CRYPTOW_SHA256_LEN];
	unsigned char k3[CRYPTOW_SHA256_LEN];
	const char *q, *why = NULL;
	struct span rest, pair, parts[16];
	size_t n = 0, i;
	bool more = true, ok;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	buf_init(&u1, 8192);
	buf_init(&u2, 8192);
	buf_init(&t1, 16384);
	buf_init(&t2, 16384);
	ok = presign(&u1, H_USE1, "us-east-1", true, 0);
	/* u2: same pairs in reverse order, percent-hex in lower case */
	q = strchr(buf_cstr(&u1), '?');
	ok = ok && q != NULL &&
	    buf_add(&u2, u1.p, (size_t)(q - u1.p) + 1) == REG_OK;
	rest = span_cstr(q != NULL ? q + 1 : "");
	while (ok && more && n < nitems(parts)) {
		more = span_split(&rest, '&', &pair);
		parts[n++] = pair;
	}
	for (i = n; ok && i > 0; i--) {
		const struct span *p = &parts[i - 1];
		size_t k;

		if (i != n)
			ok = buf_addc(&u2, '&') == REG_OK;
		for (k = 0; ok && k < p->len; k++) {
			char c = p->p[k];

			if (k >= 1 && p->p[k - 1] == '%' && c >= 'A' &&
			    c <= 'F')
				c = (char)(c - 'A' + 'a');
			else if (k >= 2 && p->p[k - 2] == '%' && c >= 'A' &&
			    c <= 'F')
				c = (char)(c - 'A' + 'a');
			ok = buf_addc(&u2, c) == REG_OK;
		}
	}
	ok = ok && strcmp(buf_cstr(&u1), buf_cstr(&u2)) != 0 &&
	    make_token(&rows[0], &u1, &t1) && make_token(&rows[0], &u2, &t2) &&
	    iamtok_parse_token(t1.p, t1.len, &pol, &a, &why) == REG_OK &&
	    iamtok_parse_token(t2.p, t2.len, &pol, &b, &why) == REG_OK &&
	    iamtok_replay_key(&a, k1) == REG_OK &&
	    iamtok_replay_key(&b, k2) == REG_OK;
	T_OK(ok && memcmp(k1, k2, sizeof(k1)) == 0,
	    "19: re-encoded query gives the same replay key");
	buf_reset(&u1);
	buf_reset(&u2);
	ok = ok && iamtok_outbound_url(&a, &u1) == REG_OK &&
	    iamtok_outbound_url(&b, &u2) == REG_OK &&
	    strcmp(buf_cstr(&u1), buf_cstr(&u2)) == 0;
	T_OK(ok, "19: and the same outbound url");
	ok = ok && cryptow_sha256(a.signature, 64, k3) == REG_OK &&
	    memcmp(k1, k3, sizeof(k1)) == 0;
	T_OK(ok, "19: the key is SHA-256 of the signature");
	a.signature[0] = a.signature[0] == '0' ? '1' : '0';
	ok = ok && iamtok_replay_key(&a, k3) == REG_OK &&
	    memcmp(k1, k3, sizeof(k1)) != 0;
	T_OK(ok, "19: another signature, another key");
	buf_release(&u1);
	buf_release(&u2);
	buf_release(&t1);
	buf_release(&t2);
}

/* Check 11: the outbound URL, exactly. */
static void
test_outbound(void)
{
	static const char want[] =
	    "https://" H_USE1 "/?Action=GetCallerIdentity"
	    "&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=" AKID "%2F20231114%2Fus-east-1%2Fsts"
	    "%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60"
	    "&X-Amz-Security-Token=FwoGZXIvYXdzEBYaDH%2B%2FEx4mpleSessionT0"
	    "ken%2FAB%2Bcd%2FEF%3D%3D&X-Amz-Signature=";
	struct iamtok_policy pol = policy(false);
	struct buf u, t, o;
	struct iamtok a;
	const char *why = NULL;
	bool ok;

	buf_init(&u, 8192);
	buf_init(&t, 16384);
	buf_init(&o, 8192);
	ok = presign(&u, H_USE1, "us-east-1", true, 0) &&
	    make_token(&rows[0], &u, &t) &&
	    iamtok_parse_token(t.p, t.len, &pol, &a, &why) == REG_OK &&
	    iamtok_outbound_url(&a, &o) == REG_OK;
	ok = ok && strncmp(buf_cstr(&o), want, sizeof(want) - 1) == 0 &&
	    strcmp(buf_cstr(&o) + sizeof(want) - 1 + 64,
	        "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id") == 0 &&
	    strncmp(buf_cstr(&o) + sizeof(want) - 1, a.signature, 64) == 0;
	if (!T_OK(ok, "11: outbound url rebuilt in canonical order"))
		printf("# %s\n", buf_cstr(&o));
	buf_release(&o);
	buf_init(&o, 64);
	T_OK(iamtok_outbound_url(&a, &o) == REG_ETOOBIG && o.len == 0,
	    "11: outbound url respects the buf cap");
	buf_release(&u);
	buf_release(&t);
	buf_release(&o);
}

/* A configurable audience header, and policy validation. */
static void
test_policy(void)
{
	static const struct iamtok_endpoint bad[] = {
		{ "STS.us-east-1.amazonaws.com", "us-east-1", "aws" },
	};
	static const struct iamtok_endpoint dot[] = {
		{ "sts.amazonaws.com.", "us-east-1", "aws" },
	};
	static const struct iamtok_endpoint ip[] = {
		{ "52.94.0.1", "us-east-1", "aws" },
	};
	struct iamtok_policy p = policy(false);
	struct iamtok t;
	const char *why = NULL;

	T_OK(iamtok_policy_valid(&p), "default policy valid");
	p.audience_header = "Host";
	T_OK(!iamtok_policy_valid(&p), "audience header must be lower case");
	p.audience_header = "host";
	T_OK(!iamtok_policy_valid(&p), "audience header must not be host");
	p = policy(false);
	p.max_age = 901;
	T_OK(!iamtok_policy_valid(&p), "max_age capped at 900");
	p = policy(false);
	p.endpoints = bad;
	p.nendpoints = 1;
	T_OK(!iamtok_policy_valid(&p), "upper-case allowlisted host refused");
	p.endpoints = dot;
	T_OK(!iamtok_policy_valid(&p), "trailing-dot allowlisted host refused");
	p.endpoints = ip;
	T_OK(!iamtok_policy_valid(&p), "ip literal allowlisted host refused");
	T_OK(iamtok_parse_token("k8s-aws-v1.x", 12, &p, &t, &why) ==
	            REG_EINVAL &&
	        strstr(why, "policy") != NULL,
	    "parsers refuse a bad policy");
	p = policy(false);
	p.nendpoints = 0;
	T_OK(!iamtok_policy_valid(&p), "empty allowlist refused");
}

/* A URL presigned by botocore 1.43 (SigV4QueryAuth) at NOW: accepted, and
 * sigv4_presign with the same inputs gives the same signature. */
static void
test_botocore(void)
{
	static const char url[] =
	    "https://" H_USE1 "/?Action=GetCallerIdentity&Version=2011-06-15"
	    "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" AKID
	    "%2F20231114%2Fus-east-1%2Fsts%2Faws4_request"
	    "&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60"
	    "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
	    "&X-Amz-Security-Token=FwoGZXIvYXdzEBYaDH%2B%2FEx4mpleSessionT0"
	    "ken%2FAB%2Bcd%2FEF%3D%3D"
	    "&X-Amz-Signature="
	    "6feb0275f6378fb5fe9383e2d8d5734bd49b5ffea4e80557abd422d66c08be99";
	struct iamtok_policy pol = policy(false);
	struct buf u, t, mine;
	struct iamtok a;
	const char *why = NULL, *sig;
	bool ok;

	buf_init(&u, 8192);
	buf_init(&t, 16384);
	buf_init(&mine, 8192);
	ok = buf_adds(&u, url) == REG_OK && make_token(&rows[0], &u, &t) &&
	    iamtok_parse_token(t.p, t.len, &pol, &a, &why) == REG_OK &&
	    a.has_session_token && strcmp(a.session_token, TEST_TOKEN) == 0 &&
	    a.date == NOW &&
	    strcmp(a.signature, url + sizeof(url) - 1 - 64) == 0;
	T_OK(ok, "botocore presigned url accepted");
	ok = presign(&mine, H_USE1, "us-east-1", true, 0);
	sig = strstr(buf_cstr(&mine), "&X-Amz-Signature=");
	T_OK(ok && sig != NULL && strcmp(sig + 17, a.signature) == 0,
	    "sigv4_presign signs as botocore does");
	buf_release(&u);
	buf_release(&t);
	buf_release(&mine);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < nitems(rows); i++)
		run_row(&rows[i]);
	test_replay_key();
	test_outbound();
	test_botocore();
	test_policy();
	return t_done();
}
