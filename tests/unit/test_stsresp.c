/*
 * auth/stsresp: iam-auth.md section 8 E 22 (Content-Type) and 23
 * (bodies), the section 4.3 success samples and the section 4.4 error
 * samples with their status mapping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../auth/stsresp.h"

#define CT_JSON "application/json"
#define ARN_ROLE \
	"arn:aws:sts::123456789012:assumed-role/RoleName/RoleSessionName"
#define RESULT \
	"\"GetCallerIdentityResult\":{\"Account\":\"123456789012\"," \
	"\"Arn\":\"arn:aws:iam::123456789012:user/admin\"," \
	"\"UserId\":\"AIDAYAM4POHXHRVANDQBQ\"}"
#define META \
	"\"ResponseMetadata\":{\"RequestId\":" \
	"\"8f0d54da-1230-40f7-b4ac-95015c4b84cd\"}"
/* section 4.3, JSON form, verbatim */
#define SAMPLE "{\"GetCallerIdentityResponse\":{" RESULT "," META "}}"
#define WRAP(inner) "{\"GetCallerIdentityResponse\":{" inner "}}"

/* section 4.3, XML form (the documented default) */
static const char xml_ok[] =
    "<GetCallerIdentityResponse "
    "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <GetCallerIdentityResult>\n"
    "    <Arn>" ARN_ROLE "</Arn>\n"
    "    <UserId>AROA3XFRBF535PLBIFPI4:RoleSessionName</UserId>\n"
    "    <Account>123456789012</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>7f4fc40c-853a-11e6-8848-8d035d01eb87</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetCallerIdentityResponse>\n";

static const struct ok_case {
	const char *desc, *ct, *body;
	enum reg_err er;
	const char *why; /* substring; NULL when accepted */
} ok_cases[] = {
	/* accepted */
	{ "4.3 json sample", CT_JSON, SAMPLE, REG_OK, NULL },
	{ "22: json; charset=utf-8 accepted", "application/json; charset=utf-8",
	    SAMPLE, REG_OK, NULL },
	{ "22: media type case-insensitive", "Application/JSON", SAMPLE, REG_OK,
	    NULL },
	{ "22: blanks around the media type", " application/json ;x=y", SAMPLE,
	    REG_OK, NULL },
	{ "no ResponseMetadata", CT_JSON, WRAP(RESULT), REG_OK, NULL },
	{ "extra keys inside the result ignored", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"arn:aws:iam::123456789012:user/admin\","
	         "\"UserId\":\"AIDAYAM4POHXHRVANDQBQ\",\"New\":[1,2]}," META),
	    REG_OK, NULL },
	{ "metadata without RequestId", CT_JSON,
	    WRAP(RESULT ",\"ResponseMetadata\":{}"), REG_OK, NULL },
	/* 22: content types */
	{ "22: text/xml", "text/xml", SAMPLE, REG_EUPSTREAM,
	    "not application/json" },
	{ "22: text/xml with the xml body", "text/xml", xml_ok, REG_EUPSTREAM,
	    "not application/json" },
	{ "22: text/html", "text/html", SAMPLE, REG_EUPSTREAM,
	    "not application/json" },
	{ "22: missing", NULL, SAMPLE, REG_EUPSTREAM, "missing content-type" },
	{ "22: empty", "", SAMPLE, REG_EUPSTREAM, "not application/json" },
	{ "22: application/jsonx", "application/jsonx", SAMPLE, REG_EUPSTREAM,
	    "not application/json" },
	{ "22: application/json-seq", "application/json-seq", SAMPLE,
	    REG_EUPSTREAM, "not application/json" },
	{ "22: application/x-amz-json-1.1", "application/x-amz-json-1.1",
	    SAMPLE, REG_EUPSTREAM, "not application/json" },
	/* 23: bodies */
	{ "23: non-json", CT_JSON, "<html>hi</html>", REG_EUPSTREAM,
	    "invalid json" },
	{ "23: xml body labelled json", CT_JSON, xml_ok, REG_EUPSTREAM,
	    "invalid json" },
	{ "23: empty body", CT_JSON, "", REG_EUPSTREAM, "invalid json" },
	{ "23: duplicate Arn", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"arn:aws:iam::123456789012:user/admin\","
	         "\"Arn\":\"arn:aws:iam::123456789012:user/eve\","
	         "\"UserId\":\"AIDAYAM4POHXHRVANDQBQ\"}"),
	    REG_EUPSTREAM, "invalid json" },
	{ "23: duplicate result", CT_JSON, WRAP(RESULT "," RESULT),
	    REG_EUPSTREAM, "invalid json" },
	{ "23: extra top-level key", CT_JSON,
	    "{\"AssumeRoleWithWebIdentityResponse\":{},"
	    "\"GetCallerIdentityResponse\":{" RESULT "}}",
	    REG_EUPSTREAM, "exactly GetCallerIdentityResponse" },
	{ "23: other response only", CT_JSON,
	    "{\"AssumeRoleWithWebIdentityResponse\":{" RESULT "}}",
	    REG_EUPSTREAM, "exactly GetCallerIdentityResponse" },
	{ "23: result nested one level deeper", CT_JSON,
	    WRAP("\"GetCallerIdentityResponse\":{" RESULT "}"), REG_EUPSTREAM,
	    "unknown key" },
	{ "23: result nested inside the result", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{" RESULT "}"), REG_EUPSTREAM,
	    "Arn must be" },
	{ "23: Arn a number", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":5,\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: Arn null", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":null,\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: Arn empty", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"\",\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: Arn missing", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: UserId missing", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"arn:aws:iam::123456789012:user/admin\"}"),
	    REG_EUPSTREAM, "UserId must be" },
	{ "23: Account an object", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":{},"
	         "\"Arn\":\"arn:aws:iam::123456789012:user/admin\","
	         "\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Account must be" },
	{ "23: Arn with a newline", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"arn:aws:iam::1:user/a\\nb\",\"UserId\":\"AIDA\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: Arn non-ascii", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"123456789012\","
	         "\"Arn\":\"arn:aws:iam::1:user/\\u00e9\",\"UserId\":\"A\"}"),
	    REG_EUPSTREAM, "Arn must be" },
	{ "23: trailing garbage", CT_JSON, SAMPLE "x", REG_EUPSTREAM,
	    "invalid json" },
	{ "23: two documents", CT_JSON, SAMPLE SAMPLE, REG_EUPSTREAM,
	    "invalid json" },
	{ "23: json string holding the xml (CVE-2020-16250)", CT_JSON,
	    "\"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>"
	    "arn:aws:iam::123456789012:user/admin</Arn>"
	    "</GetCallerIdentityResult></GetCallerIdentityResponse>\"",
	    REG_EUPSTREAM, "invalid json" },
	{ "23: top-level array", CT_JSON, "[" SAMPLE "]", REG_EUPSTREAM,
	    "exactly GetCallerIdentityResponse" },
	{ "23: result not an object", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":[]"), REG_EUPSTREAM,
	    "GetCallerIdentityResult missing" },
	{ "23: result missing", CT_JSON, WRAP(META), REG_EUPSTREAM,
	    "GetCallerIdentityResult missing" },
	{ "23: response not an object", CT_JSON,
	    "{\"GetCallerIdentityResponse\":\"x\"}", REG_EUPSTREAM,
	    "exactly GetCallerIdentityResponse" },
	{ "metadata not an object", CT_JSON,
	    WRAP(RESULT ",\"ResponseMetadata\":1"), REG_EUPSTREAM,
	    "ResponseMetadata" },
	{ "RequestId a number", CT_JSON,
	    WRAP(RESULT ",\"ResponseMetadata\":{\"RequestId\":1}"),
	    REG_EUPSTREAM, "RequestId" },
	{ "RequestId with a space", CT_JSON,
	    WRAP(RESULT ",\"ResponseMetadata\":{\"RequestId\":\"a b\"}"),
	    REG_EUPSTREAM, "RequestId" },
	{ "\\u0000 in a string", CT_JSON,
	    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"1\\u0000\","
	         "\"Arn\":\"a\",\"UserId\":\"u\"}"),
	    REG_EUPSTREAM, "invalid json" },
};

static void
test_ok_cases(void)
{
	size_t i;

	for (i = 0; i < nitems(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		struct stsresp_identity *id = calloc(1, sizeof(*id));
		const char *why = NULL;
		enum reg_err er;
		bool ok;

		if (id == NULL)
			return;
		er = stsresp_parse(c->ct, c->body, strlen(c->body), id, &why);
		if (c->why == NULL)
			ok = er == REG_OK &&
			    strcmp(id->account, "123456789012") == 0 &&
			    strcmp(id->arn,
			        "arn:aws:iam::123456789012:user/admin") == 0 &&
			    strcmp(id->user_id, "AIDAYAM4POHXHRVANDQBQ") == 0;
		else
			ok = er == c->er && why != NULL &&
			    strstr(why, c->why) != NULL;
		if (!T_OK(ok, "%s", c->desc))
			printf("#   er %d why %s\n", er,
			    why != NULL ? why : "(null)");
		free(id);
	}
}

/* RequestId extracted; oversize bodies refused; exact-size buffers. */
static void
test_limits(void)
{
	struct stsresp_identity *id = calloc(1, sizeof(*id));
	char *big = NULL, *exact = NULL;
	const char *why = NULL;
	size_t n;

	if (id == NULL)
		return;
	T_OK(stsresp_parse(CT_JSON, SAMPLE, strlen(SAMPLE), id, &why) ==
	            REG_OK &&
	        strcmp(id->request_id,
	            "8f0d54da-1230-40f7-b4ac-95015c4b84cd") == 0,
	    "RequestId extracted");
	/* a 17 KiB body: otherwise valid, too big */
	n = (size_t)17 * 1024;
	big = malloc(n);
	if (big != NULL) {
		memset(big, ' ', n);
		memcpy(big, SAMPLE, strlen(SAMPLE));
		T_OK(stsresp_parse(CT_JSON, big, n, id, &why) ==
		            REG_EUPSTREAM &&
		        strstr(why, "16 KiB") != NULL,
		    "23: 17 KiB body refused");
		T_OK(stsresp_parse(CT_JSON, big, STSRESP_MAX_BODY, id, &why) ==
		        REG_OK,
		    "16 KiB body with blank padding accepted");
	}
	/* a field of 2049 bytes */
	exact = malloc(4096);
	if (exact != NULL) {
		int k = snprintf(exact, 4096,
		    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"1\","
		         "\"UserId\":\"u\",\"Arn\":\"%2049s\"}"),
		    "a");
		T_OK(k > 0 &&
		        stsresp_parse(CT_JSON, exact, (size_t)k, id, &why) ==
		            REG_EUPSTREAM,
		    "2049-byte Arn refused");
		k = snprintf(exact, 4096,
		    WRAP("\"GetCallerIdentityResult\":{\"Account\":\"1\","
		         "\"UserId\":\"u\",\"Arn\":\"%2048s\"}"),
		    "a");
		T_OK(k > 0 &&
		        stsresp_parse(CT_JSON, exact, (size_t)k, id, &why) ==
		            REG_OK &&
		        strlen(id->arn) == 2048,
		    "2048-byte Arn accepted");
	}
	/* not NUL-terminated: the parser must stay within len */
	free(exact);
	exact = malloc(strlen(SAMPLE));
	if (exact != NULL) {
		memcpy(exact, SAMPLE, strlen(SAMPLE));
		T_OK(stsresp_parse(CT_JSON, exact, strlen(SAMPLE), id, &why) ==
		        REG_OK,
		    "unterminated exact-size body");
	}
	free(exact);
	free(big);
	free(id);
}

/* Section 4.4 error bodies and the status mapping. */
static void
test_errors(void)
{
	static const struct {
		const char *desc;
		long status;
		const char *body;
		enum reg_err parse; /* stsresp_parse_error */
		const char *code, *rid;
		enum reg_err mapped;
	} v[] = {
		{ "xml SignatureDoesNotMatch", 403,
		    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/"
		    "2011-06-15/\">\n"
		    "  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch"
		    "</Code><Message>Signature expired: 20220127T001427Z is "
		    "now earlier than 20220127T014428Z (20220127T015928Z - 15 "
		    "min.)</Message></Error>\n"
		    "  <RequestId>4f1c5ad3-cd0a-4b8a-8d7b-0e2a1f1d7c11"
		    "</RequestId>\n"
		    "</ErrorResponse>\n",
		    REG_OK, "SignatureDoesNotMatch",
		    "4f1c5ad3-cd0a-4b8a-8d7b-0e2a1f1d7c11", REG_EAUTH },
		{ "xml with prolog, InvalidClientTokenId", 403,
		    "<?xml version=\"1.0\"?>\n<ErrorResponse><Error><Type>"
		    "Sender</Type><Code>InvalidClientTokenId</Code><Message>"
		    "The security token included in the request is invalid."
		    "</Message></Error><RequestId>r-1</RequestId>"
		    "</ErrorResponse>",
		    REG_OK, "InvalidClientTokenId", "r-1", REG_EAUTH },
		{ "xml ExpiredToken", 403,
		    "<ErrorResponse><Error><Code>ExpiredToken</Code></Error>"
		    "</ErrorResponse>",
		    REG_OK, "ExpiredToken", "", REG_EAUTH },
		{ "json Throttling", 400,
		    "{\"Error\":{\"Code\":\"Throttling\",\"Message\":\"Rate "
		    "exceeded\",\"Type\":\"Sender\"},\"RequestId\":\"abc-1\"}",
		    REG_OK, "Throttling", "abc-1", REG_EUPSTREAM },
		{ "xml Throttling", 400,
		    "<ErrorResponse><Error><Code>Throttling</Code></Error>"
		    "<RequestId>x</RequestId></ErrorResponse>",
		    REG_OK, "Throttling", "x", REG_EUPSTREAM },
		{ "json AccessDenied", 403,
		    "{\"Error\":{\"Code\":\"AccessDenied\",\"Message\":\"no\"},"
		    "\"RequestId\":\"r\"}",
		    REG_OK, "AccessDenied", "r", REG_EAUTH },
		{ "json RequestExpired", 400,
		    "{\"Error\":{\"Code\":\"RequestExpired\"}}", REG_OK,
		    "RequestExpired", "", REG_EAUTH },
		{ "json InternalFailure 500", 500,
		    "{\"Error\":{\"Code\":\"InternalFailure\"}}", REG_OK,
		    "InternalFailure", "", REG_EUPSTREAM },
		{ "xml ServiceUnavailable 503", 503,
		    "<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
		    "</Error></ErrorResponse>",
		    REG_OK, "ServiceUnavailable", "", REG_EUPSTREAM },
		{ "html 502", 502, "<html>bad gateway</html>", REG_EINVAL, "",
		    "", REG_EUPSTREAM },
		{ "empty 403", 403, "", REG_EINVAL, "", "", REG_EAUTH },
		{ "301 redirect", 301, "", REG_EINVAL, "", "", REG_EUPSTREAM },
		{ "code with markup", 403,
		    "<ErrorResponse><Error><Code>A<b>B</b></Code></Error>"
		    "</ErrorResponse>",
		    REG_EINVAL, "", "", REG_EAUTH },
		{ "code with a space", 403,
		    "{\"Error\":{\"Code\":\"Access Denied\"}}", REG_EINVAL, "",
		    "", REG_EAUTH },
		{ "json code not a string", 400, "{\"Error\":{\"Code\":1}}",
		    REG_EINVAL, "", "", REG_EAUTH },
		{ "xml wrong root", 400,
		    "<Foo><Error><Code>Throttling</Code></Error></Foo>",
		    REG_EINVAL, "", "", REG_EAUTH },
		{ "xml unterminated code", 400,
		    "<ErrorResponse><Error><Code>Throttling", REG_EINVAL, "",
		    "", REG_EAUTH },
		{ "json bad RequestId ignored", 403,
		    "{\"Error\":{\"Code\":\"AccessDenied\"},\"RequestId\":"
		    "\"a\\n\"}",
		    REG_OK, "AccessDenied", "", REG_EAUTH },
	};
	size_t i;

	for (i = 0; i < nitems(v); i++) {
		struct stsresp_error e;
		enum reg_err er, mapped;
		bool ok;

		memset(&e, 0, sizeof(e));
		er = stsresp_parse_error(v[i].body, strlen(v[i].body), &e);
		mapped =
		    stsresp_status_err(v[i].status, er == REG_OK ? &e : NULL);
		ok = er == v[i].parse && strcmp(e.code, v[i].code) == 0 &&
		    strcmp(e.request_id, v[i].rid) == 0 &&
		    mapped == v[i].mapped;
		if (!T_OK(ok, "%s", v[i].desc))
			printf("#   er %d code \"%s\" rid \"%s\" mapped %d\n",
			    er, e.code, e.request_id, mapped);
	}
	T_OK(stsresp_status_err(200, NULL) == REG_OK, "200 maps to ok");
	T_OK(stsresp_status_err(404, NULL) == REG_EAUTH, "404 maps to auth");
	T_OK(stsresp_status_err(307, NULL) == REG_EUPSTREAM,
	    "307 maps to upstream");
	T_OK(stsresp_status_err(100, NULL) == REG_EUPSTREAM,
	    "100 maps to upstream");
}

int
main(void)
{
	test_ok_cases();
	test_limits();
	test_errors();
	return t_done();
}
