/*
 * tests/unit/test_orch.c: honua-orchestrator's core and AWS provider
 * pieces that need no network: the customer-id grammar, names, policy
 * rendering, the credentials document (render, 0600 write, read back),
 * retry classification and backoff bounds, Retry-After, ECR and IAM error
 * bodies, the --older-than grammar, URLs, audit flags, build argument
 * checks, and the call loop against a closed port (retries, sleeps) and
 * in dry-run mode (no request).  Tables, real files in a temporary
 * directory, no mocks.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../lib/t.h"
#include "../../admin-tools/orch_aws.h"
#include "../../admin-tools/orch_build.h"
#include "../../admin-tools/orch_core.h"
#include "../../admin-tools/orch_creds_doc.h"
#include "../../admin-tools/orch_policy.h"
#include "../../common/fetch.h"

static void
test_customer_id(void)
{
	static const struct {
		const char *id;
		bool ok;
	} v[] = {
		{ "acme", true },
		{ "abc", true },
		{ "a12", true },
		{ "abcdefghijklmno", true }, /* 15 */
		{ "z9z9z9z9z9z9z9z", true },
		{ "ab", false },               /* too short */
		{ "abcdefghijklmnop", false }, /* 16 */
		{ "Acme", false },             /* upper case */
		{ "1abc", false },             /* digit first */
		{ "acme-co", false },          /* hyphen: ACR */
		{ "acme_co", false },
		{ "acme.co", false },
		{ "ac me", false },
		{ "", false },
		{ "acm\xc3\xa9", false },
	};
	size_t i;

	for (i = 0; i < nitems(v); i++)
		T_OK(orch_customer_id_valid(v[i].id, strlen(v[i].id)) ==
		        v[i].ok,
		    "customer id \"%s\" %s", v[i].id,
		    v[i].ok ? "accepted" : "refused");
	T_OK(!orch_customer_id_valid("acme\0x", 6), "NUL inside is refused");
	T_OK(!orch_customer_id_valid(NULL, 0), "NULL is refused");
	T_OK(strstr(ORCH_ID_RULE, "^[a-z][a-z0-9]{2,14}$") != NULL,
	    "the rule text carries the regular expression");
}

static void
test_names(void)
{
	static const struct {
		const char *s;
		bool ok;
	} img[] = {
		{ "app", true },
		{ "my-app", true },
		{ "a.b_c-d", true },
		{ "x1", true },
		{ "-app", false },
		{ "app-", false },
		{ "a--b", false },
		{ "App", false },
		{ "a/b", false },
		{ "", false },
	};
	const char *names[ORCH_MAX_IMAGES];
	char store[256], buf[64];
	size_t i, n = 0;

	for (i = 0; i < nitems(img); i++)
		T_OK(orch_image_name_valid(img[i].s, strlen(img[i].s)) ==
		        img[i].ok,
		    "image name \"%s\"", img[i].s);
	T_OK(orch_split_images("app,worker,api", store, sizeof(store), names,
	         ORCH_MAX_IMAGES, &n) == REG_OK &&
	        n == 3 && strcmp(names[2], "api") == 0,
	    "image list split");
	T_OK(orch_split_images("app,app", store, sizeof(store), names,
	         ORCH_MAX_IMAGES, &n) == REG_EINVAL,
	    "a repeated image is refused");
	T_OK(orch_split_images("app,", store, sizeof(store), names,
	         ORCH_MAX_IMAGES, &n) == REG_EINVAL,
	    "an empty image is refused");
	T_OK(orch_aws_user_name("acme", buf, sizeof(buf)) &&
	        strcmp(buf, "honua-customer-acme") == 0,
	    "IAM user name");
	T_OK(orch_aws_repo_name("acme", "app", buf, sizeof(buf)) &&
	        strcmp(buf, "honua/acme/app") == 0,
	    "ECR repository name");
	T_OK(!orch_aws_repo_name("acme", "app", buf, 8) && buf[0] == '\0',
	    "a name that does not fit is an error");
	T_OK(orch_tag_valid("v1.2.3", 6) && orch_tag_valid("_x", 2) &&
	        !orch_tag_valid(".x", 2) && !orch_tag_valid("a b", 3) &&
	        !orch_tag_valid("", 0),
	    "OCI tags");
	T_OK(orch_list_has(ORCH_DEFAULT_REGIONS, "eu-west-1", 9) &&
	        !orch_list_has(ORCH_DEFAULT_REGIONS, "eu-west", 7) &&
	        !orch_list_has(ORCH_DEFAULT_REGIONS, "eu-central-1", 12) &&
	        orch_list_has(" a , b ", "b", 1),
	    "allow-list membership");
}

static void
test_duration(void)
{
	static const struct {
		const char *s;
		enum reg_err er;
		int64_t secs;
	} v[] = {
		{ "90d", REG_OK, (int64_t)90 * 86400 },
		{ "12h", REG_OK, (int64_t)12 * 3600 },
		{ "0d", REG_OK, 0 },
		{ "30s", REG_OK, 30 },
		{ "15m", REG_OK, 900 },
		{ "2w", REG_OK, (int64_t)14 * 86400 },
		{ "999999d", REG_OK, 999999LL * 86400 },
		{ "1000000d", REG_EINVAL, 0 },
		{ "d", REG_EINVAL, 0 },
		{ "90", REG_EINVAL, 0 },
		{ "90x", REG_EINVAL, 0 },
		{ "-1d", REG_EINVAL, 0 },
		{ "+1d", REG_EINVAL, 0 },
		{ " 1d", REG_EINVAL, 0 },
		{ "1 d", REG_EINVAL, 0 },
		{ "1dd", REG_EINVAL, 0 },
		{ "1.5d", REG_EINVAL, 0 },
		{ "", REG_EINVAL, 0 },
		{ "90D", REG_EINVAL, 0 },
	};
	int64_t out;
	size_t i;

	for (i = 0; i < nitems(v); i++) {
		out = -7;
		T_OK(orch_duration_parse(v[i].s, strlen(v[i].s), &out) ==
		            v[i].er &&
		        (v[i].er != REG_OK ? out == -7 : out == v[i].secs),
		    "duration \"%s\"", v[i].s);
	}
}

static void
test_policy(void)
{
	struct orch_config cfg;
	struct orch_policy_vars vars = { "aws", "us-east-1", "123456789012",
		"acme" };
	struct buf tmpl, out;
	char msg[256];
	json_error_t jerr;
	json_t *j, *st;
	const char *res;

	memset(&cfg, 0, sizeof(cfg));
	cfg.policy_dir = "admin-tools/policies";
	buf_init(&tmpl, ORCH_POLICY_MAX);
	buf_init(&out, ORCH_POLICY_MAX);
	T_OK(orch_policy_load(&cfg, ORCH_POLICY_PULL, &tmpl, msg,
	         sizeof(msg)) == REG_OK,
	    "the pull template is shipped");
	T_OK(orch_policy_render(buf_cstr(&tmpl), tmpl.len, &vars, &out, msg,
	         sizeof(msg)) == REG_OK,
	    "the pull template renders");
	T_OK(strchr(buf_cstr(&out), '@') == NULL, "no placeholder is left");
	j = json_loads(buf_cstr(&out), JSON_REJECT_DUPLICATES, &jerr);
	T_OK(j != NULL, "the rendered policy is JSON");
	st = json_array_get(json_object_get(j, "Statement"), 1);
	res = json_string_value(json_object_get(st, "Resource"));
	T_OK(res != NULL &&
	        strcmp(res,
	            "arn:aws:ecr:us-east-1:123456789012:repository/honua/acme/"
	            "*") == 0,
	    "resource scoped to the customer: %s", res != NULL ? res : "-");
	T_OK(strstr(buf_cstr(&out), "ecr:GetAuthorizationToken") != NULL &&
	        strstr(buf_cstr(&out), "ecr:PutImage") == NULL,
	    "pull template: login + pull, no push");
	json_decref(j);
	buf_reset(&tmpl);
	buf_reset(&out);
	T_OK(orch_policy_load(&cfg, ORCH_POLICY_PUSH, &tmpl, msg,
	         sizeof(msg)) == REG_OK &&
	        orch_policy_render(buf_cstr(&tmpl), tmpl.len, &vars, &out, msg,
	            sizeof(msg)) == REG_OK &&
	        strstr(buf_cstr(&out), "ecr:PutImage") != NULL,
	    "push template adds the upload actions");
	buf_reset(&tmpl);
	T_OK(orch_policy_load(&cfg, ORCH_POLICY_ORCHESTRATOR, &tmpl, msg,
	         sizeof(msg)) == REG_OK,
	    "the orchestrator's own policy is shipped");
	j = json_loadb(tmpl.p, tmpl.len, JSON_REJECT_DUPLICATES, &jerr);
	T_OK(j != NULL && strstr(tmpl.p, "aws:ResourceTag/ManagedBy") != NULL &&
	        strstr(tmpl.p, "aws:RequestTag/ManagedBy") != NULL &&
	        strstr(tmpl.p, "aws:RequestedRegion") != NULL,
	    "orchestrator policy: JSON with tag and region conditions");
	json_decref(j);
	buf_reset(&tmpl);
	T_OK(orch_policy_load(&cfg, "no-such.json", &tmpl, msg, sizeof(msg)) ==
	        REG_ENOENT,
	    "a missing policy file is REG_ENOENT");

	/* rendering rules */
	buf_reset(&out);
	T_OK(orch_policy_render("{\"a\":\"@NOPE@\"}", 14, &vars, &out, msg,
	         sizeof(msg)) == REG_EINVAL &&
	        strstr(msg, "unknown placeholder") != NULL,
	    "unknown placeholder refused");
	T_OK(orch_policy_render("{\"a\":\"@REGION\"}", 15, &vars, &out, msg,
	         sizeof(msg)) == REG_EINVAL,
	    "unterminated placeholder refused");
	T_OK(orch_policy_render("{\"a\":@ACCOUNT@}", 15, &vars, &out, msg,
	         sizeof(msg)) == REG_OK &&
	        strcmp(buf_cstr(&out), "{\"a\":123456789012}") == 0,
	    "placeholders anywhere, result compacted");
	{
		struct orch_policy_vars bad[] = {
			{ "aws", "us-east-1", "12345", "acme" },
			{ "aws", "US-EAST-1", "123456789012", "acme" },
			{ "aws", "us-east-1", "123456789012", "Acme\"" },
			{ "aws\"", "us-east-1", "123456789012", "acme" },
		};
		size_t i;

		for (i = 0; i < nitems(bad); i++) {
			buf_reset(&out);
			T_OK(orch_policy_render("[\"@PARTITION@@REGION@@"
			                        "ACCOUNT@"
			                        "@CUSTOMER_ID@\"]",
			         43, &bad[i], &out, msg,
			         sizeof(msg)) == REG_EINVAL,
			    "invalid value %zu refused", i);
		}
	}
	buf_reset(&out);
	T_OK(orch_policy_render("[1,", 3, &vars, &out, msg, sizeof(msg)) ==
	        REG_EINVAL,
	    "a template that is not JSON is refused");
	buf_release(&tmpl);
	buf_release(&out);
}

static void
test_creds_doc(void)
{
	static const char *const repos[] = { "honua/acme/app",
		"honua/acme/worker" };
	struct orch_doc_field f[] = {
		{ "region", "us-east-1", NULL, 0 },
		{ "repositories", NULL, repos, 2 },
		{ "accessKeyId", "AKIAEXAMPLE000000001", NULL, 0 },
		{ "secretAccessKey", "se\"cr\\et/+=\n", NULL, 0 },
	};
	struct orch_creds_doc d = { "acme", 1795447714, "aws", f, nitems(f) };
	struct buf b;
	char path[512], out[64], msg[256];
	json_error_t jerr;
	json_t *j, *aws;
	struct stat st;
	mode_t old;
	FILE *fp;

	buf_init(&b, ORCH_DOC_MAX);
	T_OK(orch_creds_doc_render(&d, &b) == REG_OK, "document renders");
	j = json_loadb(b.p, b.len, JSON_REJECT_DUPLICATES, &jerr);
	aws = json_object_get(j, "aws");
	T_OK(j != NULL &&
	        strcmp(json_string_value(json_object_get(j, "schema")),
	            "honua-credentials/v1") == 0 &&
	        strcmp(json_string_value(json_object_get(j, "customerId")),
	            "acme") == 0 &&
	        strcmp(json_string_value(json_object_get(j, "managedBy")),
	            "honua-orchestrator") == 0 &&
	        strcmp(json_string_value(json_object_get(j, "issuedAt")),
	            "2026-11-23T15:28:34Z") == 0,
	    "document header (provisioning.md section 2)");
	T_OK(aws != NULL &&
	        json_array_size(json_object_get(aws, "repositories")) == 2 &&
	        strcmp(json_string_value(
	                   json_object_get(aws, "secretAccessKey")),
	            "se\"cr\\et/+=\n") == 0,
	    "aws section round-trips, escapes included");
	json_decref(j);

	(void)snprintf(path, sizeof(path), "%s/acme.json", t_tmpdir());
	memset(&st, 0, sizeof(st));
	old = umask(0);
	T_OK(orch_creds_doc_write(path, b.p, b.len, msg, sizeof(msg)) == REG_OK,
	    "document written");
	(void)umask(old);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "mode 0600 even with umask 0 (%o)", (unsigned)(st.st_mode & 0777));
	T_OK(orch_creds_doc_peek(path, "aws", "accessKeyId", out,
	         sizeof(out)) == REG_OK &&
	        strcmp(out, "AKIAEXAMPLE000000001") == 0,
	    "the key id reads back");
	T_OK(orch_creds_doc_peek(path, "aws", "nope", out, sizeof(out)) ==
	        REG_ENOENT,
	    "a missing member is REG_ENOENT");
	T_OK(orch_creds_doc_write(path, "{}\n", 3, msg, sizeof(msg)) ==
	            REG_OK &&
	        orch_creds_doc_peek(path, "aws", "accessKeyId", out,
	            sizeof(out)) == REG_EINVAL,
	    "a second write replaces the file; not a document: REG_EINVAL");
	(void)snprintf(path, sizeof(path), "%s/missing/dir/x.json", t_tmpdir());
	T_OK(orch_creds_doc_write(path, b.p, b.len, msg, sizeof(msg)) ==
	            REG_ESYS &&
	        strstr(msg, "secret") == NULL,
	    "writing into a missing directory fails: %s", msg);
	T_OK(orch_creds_doc_peek(path, "aws", "accessKeyId", out,
	         sizeof(out)) == REG_ENOENT,
	    "a missing file is REG_ENOENT");
	(void)snprintf(path, sizeof(path), "%s/bad.json", t_tmpdir());
	fp = fopen(path, "w");
	if (fp != NULL) {
		(void)fputs("{\"schema\":\"honua-credentials/v1\",\"aws\":{\""
		            "accessKeyId\":7}}",
		    fp);
		(void)fclose(fp);
	}
	T_OK(orch_creds_doc_peek(path, "aws", "accessKeyId", out,
	         sizeof(out)) == REG_ENOENT,
	    "a non-string member is not read");
	buf_release_wipe(&b);
}

static void
test_retry(void)
{
	static const struct {
		long status;
		const char *code;
		enum orch_retry_class cls;
	} v[] = {
		{ 400, "Throttling", ORCH_RC_THROTTLE },
		{ 400, "ThrottlingException", ORCH_RC_THROTTLE },
		{ 400, "ThrottledException", ORCH_RC_THROTTLE },
		{ 400, "RequestThrottledException", ORCH_RC_THROTTLE },
		{ 400, "TooManyRequestsException", ORCH_RC_THROTTLE },
		{ 400, "RequestLimitExceeded", ORCH_RC_THROTTLE },
		{ 400, "RequestThrottled", ORCH_RC_THROTTLE },
		{ 503, "SlowDown", ORCH_RC_THROTTLE },
		{ 400, "PriorRequestNotComplete", ORCH_RC_THROTTLE },
		{ 400, "RequestTimeout", ORCH_RC_THROTTLE },
		{ 400, "RequestTimeoutException", ORCH_RC_THROTTLE },
		{ 429, "", ORCH_RC_THROTTLE },
		{ 500, "", ORCH_RC_TRANSIENT },
		{ 502, "", ORCH_RC_TRANSIENT },
		{ 503, "ServiceUnavailable", ORCH_RC_TRANSIENT },
		{ 504, "", ORCH_RC_TRANSIENT },
		{ 0, "", ORCH_RC_TRANSIENT }, /* connection error */
		{ 409, "ConcurrentModification", ORCH_RC_TRANSIENT },
		{ 400, "LimitExceededException", ORCH_RC_QUOTA },
		{ 409, "LimitExceeded", ORCH_RC_QUOTA },
		{ 429, "LimitExceededException", ORCH_RC_QUOTA },
		{ 503, "LimitExceeded", ORCH_RC_QUOTA },
		{ 400, "RepositoryAlreadyExistsException", ORCH_RC_NONE },
		{ 404, "NoSuchEntity", ORCH_RC_NONE },
		{ 409, "EntityAlreadyExists", ORCH_RC_NONE },
		{ 403, "AccessDenied", ORCH_RC_NONE },
		{ 501, "", ORCH_RC_NONE },
		{ 400, "", ORCH_RC_NONE },
	};
	struct orch_retry_cfg rc = { 5, 1000, 50, 20000 };
	struct orch_retry_cfg zero = { 5, 0, 0, 20000 };
	uint64_t rnds[] = { 0, 1, 49, 50, 999, 123456789, UINT64_MAX };
	long w, lim;
	unsigned a;
	size_t i, j;
	bool ok = true;

	for (i = 0; i < nitems(v); i++)
		T_OK(orch_retry_classify(v[i].status, v[i].code) == v[i].cls,
		    "classify %ld %s", v[i].status, v[i].code);
	T_OK(orch_retry_classify(500, NULL) == ORCH_RC_TRANSIENT,
	    "NULL code is no code");
	for (a = 1; a <= 12; a++) {
		for (j = 0; j < nitems(rnds); j++) {
			lim = 1000L << (a - 1);
			if (a > 6 || lim > 20000)
				lim = 20000;
			w = orch_backoff_ms(&rc, a, ORCH_RC_THROTTLE, rnds[j]);
			if (w < 0 || w > lim)
				ok = false;
			lim = 50L << (a - 1);
			if (lim > 20000)
				lim = 20000;
			w = orch_backoff_ms(&rc, a, ORCH_RC_TRANSIENT, rnds[j]);
			if (w < 0 || w > lim)
				ok = false;
		}
	}
	T_OK(ok, "backoff within [0, min(cap, base*2^(n-1))] for every rnd");
	T_OK(orch_backoff_ms(&rc, 1, ORCH_RC_THROTTLE, 1000) == 1000 &&
	        orch_backoff_ms(&rc, 1, ORCH_RC_THROTTLE, 1001) == 0,
	    "full jitter: rnd modulo (limit + 1)");
	T_OK(orch_backoff_ms(&rc, 3, ORCH_RC_TRANSIENT, 200) == 200 &&
	        orch_backoff_ms(&rc, 3, ORCH_RC_TRANSIENT, 201) == 0,
	    "base 50 ms doubles: attempt 3 allows up to 200 ms");
	T_OK(orch_backoff_ms(&rc, 40, ORCH_RC_THROTTLE, 20000) == 20000 &&
	        orch_backoff_ms(&rc, 40, ORCH_RC_THROTTLE, 20001) == 0,
	    "cap 20 s, no overflow at attempt 40");
	T_OK(orch_backoff_ms(&zero, 3, ORCH_RC_THROTTLE, 77) == 0,
	    "base 0: no wait (the tests' setting)");
}

static void
test_retry_after(void)
{
	static const struct {
		const char *hdrs;
		long ms;
	} v[] = {
		{ "retry-after: 3\n", 3000 },
		{ "x-amz-retry-after: 250\n", 250 },
		{ "retry-after: 2\nx-amz-retry-after: 1500\n", 1500 },
		{ "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\n", -1 },
		{ "retry-after: -1\n", -1 },
		{ "retry-after: 99999\n", -1 },
		{ "", -1 },
	};
	struct fetch_resp r;
	size_t i;

	for (i = 0; i < nitems(v); i++) {
		fetch_resp_init(&r);
		if (buf_adds(&r.headers, v[i].hdrs) != REG_OK)
			continue;
		T_OK(orch_retry_after_ms(&r) == v[i].ms, "Retry-After case %zu",
		    i);
		fetch_resp_release(&r);
	}
}

static void
test_errors(void)
{
	static const struct {
		const char *in;
		const char *out;
	} norm[] = {
		{ "RepositoryNotFoundException",
		    "RepositoryNotFoundException" },
		{ "com.amazonaws.ecr#RepositoryNotFoundException",
		    "RepositoryNotFoundException" },
		{ "com.amazon.coral.availability#ThrottlingException",
		    "ThrottlingException" },
		{ "UnrecognizedClientException:http://internal.amazon.com/"
		  "coral/com.amazon.coral.service/",
		    "UnrecognizedClientException" },
		{ "aws.protocoltests#Foo:http://x", "Foo" },
		{ "a#b#C", "C" },
		{ "#", "" },
		{ "", "" },
		{ ":x", "" },
		{ "Bad Name", "" },
		{ "Na\"me", "" },
	};
	static const struct {
		const char *body;
		const char *hdr;
		const char *code;
		const char *msg;
	} js[] = {
		{ "{\"__type\":\"RepositoryAlreadyExistsException\","
		  "\"message\":"
		  "\"exists\"}",
		    NULL, "RepositoryAlreadyExistsException", "exists" },
		{ "{\"__type\":\"com.amazonaws.ecr#LimitExceededException\","
		  "\"Message\":\"quota\"}",
		    NULL, "LimitExceededException", "quota" },
		{ "not json", "ThrottlingException:http://internal/",
		    "ThrottlingException", "" },
		{ "{\"message\":\"x\"}", NULL, "", "x" },
		{ "{\"__type\":7}", NULL, "", "" },
		{ "{\"__type\":\"A\",\"__type\":\"B\"}", "C", "C", "" },
		{ "{\"__type\":\"X\",\"message\":\"line\\nbreak\"}", NULL, "X",
		    "line\\x0abreak" },
		{ "", NULL, "", "" },
	};
	struct orch_apierr err;
	const char *xml =
	    "<ErrorResponse "
	    "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
	    "<Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>"
	    "<Message>User with name honua-customer-acme already exists."
	    "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
	char out[96];
	size_t i;

	for (i = 0; i < nitems(norm); i++) {
		orch_aws_errtype_norm(norm[i].in, strlen(norm[i].in), out,
		    sizeof(out));
		T_OK(strcmp(out, norm[i].out) == 0, "__type \"%s\" -> \"%s\"",
		    norm[i].in, out);
	}
	orch_aws_errtype_norm("ThrottlingException", 19, out, 5);
	T_OK(out[0] == '\0', "a code that does not fit is dropped");
	for (i = 0; i < nitems(js); i++) {
		memset(&err, 0, sizeof(err));
		orch_aws_json_error(js[i].body, strlen(js[i].body), js[i].hdr,
		    &err);
		T_OK(strcmp(err.code, js[i].code) == 0 &&
		        strcmp(err.message, js[i].msg) == 0,
		    "JSON error %zu -> [%s] [%s]", i, err.code, err.message);
	}
	memset(&err, 0, sizeof(err));
	orch_aws_xml_error(xml, strlen(xml), &err);
	T_OK(strcmp(err.code, "EntityAlreadyExists") == 0 &&
	        strstr(err.message, "already exists") != NULL,
	    "IAM XML error");
	memset(&err, 0, sizeof(err));
	orch_aws_xml_error("<ErrorResponse><Error><Code>", 28, &err);
	T_OK(err.code[0] == '\0', "a truncated XML error reads as nothing");
}

static void
test_url(void)
{
	static const struct {
		const char *url;
		const char *hostport;
		const char *path;
		bool ok;
		bool loopback;
	} v[] = {
		{ "https://iam.amazonaws.com", "iam.amazonaws.com", "/", true,
		    false },
		{ "https://iam.amazonaws.com:443/", "iam.amazonaws.com", "/",
		    true, false },
		{ "http://127.0.0.1:4566/", "127.0.0.1:4566", "/", true, true },
		{ "http://localhost:80/x/y?q", "localhost", "/x/y", true,
		    true },
		{ "http://[::1]:8080", "[::1]:8080", "/", true, true },
		{ "https://u:p@host/", "", "", false, false },
		{ "ftp://host/", "", "", false, false },
		{ "https://", "", "", false, false },
		{ "https://host:99999/", "", "", false, false },
		{ "https://ho st/", "", "", false, false },
	};
	struct orch_url u;
	size_t i;
	bool ok;

	for (i = 0; i < nitems(v); i++) {
		ok = orch_url_parse(v[i].url, &u) == REG_OK;
		T_OK(ok == v[i].ok &&
		        (!ok ||
		            (strcmp(u.hostport, v[i].hostport) == 0 &&
		                strcmp(u.path, v[i].path) == 0 &&
		                u.loopback == v[i].loopback)),
		    "URL %s", v[i].url);
	}
}

static void
test_audit_flags(void)
{
	struct orch_audit a;
	struct orch_audit_item *it;
	const int64_t now = 1800000000, day = 86400;

	orch_audit_init(&a);
	if (orch_audit_add(&a, &it) != REG_OK)
		return;
	(void)snprintf(it->kind, sizeof(it->kind), "ecr-repository");
	(void)snprintf(it->name, sizeof(it->name), "old-busy");
	it->created = now - 400 * day;
	it->images = 2;
	it->last_push = now - 1 * day;
	if (orch_audit_add(&a, &it) != REG_OK)
		return;
	(void)snprintf(it->kind, sizeof(it->kind), "ecr-repository");
	(void)snprintf(it->name, sizeof(it->name), "empty");
	it->created = now - 1 * day;
	it->images = 0;
	if (orch_audit_add(&a, &it) != REG_OK)
		return;
	(void)snprintf(it->kind, sizeof(it->kind), "iam-user");
	(void)snprintf(it->name, sizeof(it->name), "u");
	it->created = now - 200 * day;
	if (orch_audit_add(&a, &it) != REG_OK)
		return;
	(void)snprintf(it->kind, sizeof(it->kind), "access-key");
	(void)snprintf(it->name, sizeof(it->name), "k1");
	(void)snprintf(it->parent, sizeof(it->parent), "u");
	it->created = now - 200 * day;
	it->last_used = now - 100 * day;
	orch_audit_flag(&a, now, 90 * day);
	T_OK(a.v[0].older && !a.v[0].unused, "old but pushed recently");
	T_OK(!a.v[1].older && a.v[1].unused, "new and empty: unused");
	T_OK(a.v[3].older && a.v[3].unused, "key idle 100 days of 90: unused");
	T_OK(a.v[2].unused, "a user whose keys are all unused is unused");
	orch_audit_flag(&a, now, -1);
	T_OK(!a.v[0].older && !a.v[3].older, "no threshold: nothing is older");
	T_OK(!a.v[3].unused && !a.v[2].unused,
	    "no threshold: a key used once is in use");
	orch_audit_flag(&a, now, 0);
	T_OK(a.v[0].older && a.v[1].older, "0d: everything is older");
	orch_audit_release(&a);
}

static void
test_build_args(void)
{
	const struct orch_provider_ops *ops[ORCH_BUILD_MAX_TARGETS];
	char msg[128];
	size_t n = 0;

	T_OK(orch_build_url_ok("https://github.com/org/repo.git") &&
	        orch_build_url_ok("file:///tmp/repo") &&
	        orch_build_url_ok("http://127.0.0.1:8080/x.git") &&
	        !orch_build_url_ok("http://github.com/org/repo") &&
	        !orch_build_url_ok("-uhttps://x") &&
	        !orch_build_url_ok("https://x/a b") &&
	        !orch_build_url_ok("ssh://git@github.com/x") &&
	        !orch_build_url_ok("https://user:tok@github.com/x"),
	    "repository URLs");
	T_OK(orch_build_ref_ok("main") && orch_build_ref_ok("v1.0.0") &&
	        orch_build_ref_ok("feature/x") &&
	        orch_build_ref_ok("0123456789abcdef") &&
	        !orch_build_ref_ok("-x") && !orch_build_ref_ok("a..b") &&
	        !orch_build_ref_ok("a b") && !orch_build_ref_ok(""),
	    "refs");
	T_OK(orch_build_relpath_ok("Dockerfile") &&
	        orch_build_relpath_ok("docker/app.Dockerfile") &&
	        orch_build_relpath_ok("./x") &&
	        !orch_build_relpath_ok("/etc/x") &&
	        !orch_build_relpath_ok("../x") &&
	        !orch_build_relpath_ok("a/../../x") &&
	        !orch_build_relpath_ok(""),
	    "relative paths");
	T_OK(orch_build_targets("aws", ops, &n, msg, sizeof(msg)) == REG_OK &&
	        n == 1 && strcmp(ops[0]->name, "aws") == 0,
	    "--push-to aws");
	T_OK(orch_build_targets("aws,azure", ops, &n, msg, sizeof(msg)) ==
	            REG_ENOENT &&
	        strcmp(msg,
	            "provider azure is not available in this build "
	            "yet") == 0,
	    "--push-to azure: not available yet");
	T_OK(orch_build_targets("gcp", ops, &n, msg, sizeof(msg)) == REG_ENOENT,
	    "--push-to gcp: not available yet");
	T_OK(orch_build_targets("aws,aws", ops, &n, msg, sizeof(msg)) ==
	        REG_EINVAL,
	    "a repeated target is refused");
	T_OK(orch_build_targets("docker", ops, &n, msg, sizeof(msg)) ==
	        REG_EINVAL,
	    "an unknown target is refused");
	T_OK(orch_build_targets("", ops, &n, msg, sizeof(msg)) == REG_EINVAL,
	    "an empty list is refused");
	T_OK(orch_provider_find("aws") != NULL &&
	        orch_provider_find("aws")->available &&
	        orch_provider_find("azure") != NULL &&
	        !orch_provider_find("azure")->available &&
	        orch_provider_find("nope") == NULL,
	    "provider table");
}

struct sleeps {
	long total, max;
	unsigned n;
};

static void
count_sleep(void *arg, long ms)
{
	struct sleeps *s = arg;

	s->n++;
	s->total += ms;
	if (ms > s->max)
		s->max = ms;
}

static void
test_call_loop(void)
{
	struct orch_ctx ctx;
	struct orch_call c;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct sleeps s = { 0, 0, 0 };
	enum reg_err er;

	orch_ctx_init(&ctx);
	ctx.cfg.retry.max_attempts = 4;
	ctx.cfg.retry.base_throttle_ms = 1000;
	ctx.cfg.retry.base_other_ms = 50;
	ctx.cfg.retry.cap_ms = 20000;
	ctx.cfg.http_timeout_ms = 2000;
	ctx.sleep_ms = count_sleep;
	ctx.sleep_arg = &s;
	memset(&c, 0, sizeof(c));
	c.provider = "aws";
	c.service = "sts";
	c.action = "GetCallerIdentity";
	c.method = "POST";
	c.url = "http://127.0.0.1:1/";
	c.allow_http = true;
	fetch_resp_init(&resp);
	er = orch_call_do(&ctx, &c, &resp, &err);
	T_OK(er == REG_EUPSTREAM && err.status == 0,
	    "a closed port: REG_EUPSTREAM after the last attempt");
	T_OK(ctx.ncalls == 4 && s.n == 3, "4 attempts, 3 waits (%lu, %u)",
	    ctx.ncalls, s.n);
	T_OK(s.max <= 200, "transient waits stay under 50 ms * 2^2 (%ld)",
	    s.max);
	fetch_resp_release(&resp);

	ctx.opts.dry_run = true;
	ctx.ncalls = 0;
	fetch_resp_init(&resp);
	er = orch_call_do(&ctx, &c, &resp, &err);
	T_OK(er == REG_OK && resp.status == 0 && ctx.ncalls == 0 &&
	        ctx.nplanned == 1,
	    "dry-run: printed, not sent");
	fetch_resp_release(&resp);
}

static void
test_config(void)
{
	struct orch_config cfg;
	char msg[256];

	T_OK(orch_config_load(&cfg, NULL, NULL, msg, sizeof(msg)) == REG_OK &&
	        cfg.retry.max_attempts == 5 &&
	        cfg.retry.base_throttle_ms == 1000 &&
	        cfg.retry.base_other_ms == 50 && cfg.retry.cap_ms == 20000 &&
	        strcmp(cfg.allowed_regions, ORCH_DEFAULT_REGIONS) == 0 &&
	        strcmp(cfg.pat_secret, "honua/github-pat-build-orchestrator") ==
	            0 &&
	        strcmp(cfg.images, "app") == 0,
	    "defaults (standard mode: 5 attempts, 1 s / 50 ms, cap 20 s)");
}

static const char *
env_bad(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "HONUA_MAX_ATTEMPTS") == 0 ? "five" : NULL;
}

static const char *
env_fast(void *arg, const char *name)
{
	(void)arg;
	if (strcmp(name, "HONUA_RETRY_BASE_MS") == 0)
		return "0";
	if (strcmp(name, "HONUA_CONSISTENCY_TIMEOUT_S") == 0)
		return "3";
	if (strcmp(name, "AWS_ALLOWED_ECR_REGIONS") == 0)
		return "eu-central-1";
	return NULL;
}

static void
test_config_env(void)
{
	struct orch_config cfg;
	char msg[256];

	T_OK(orch_config_load(&cfg, env_bad, NULL, msg, sizeof(msg)) ==
	            REG_EINVAL &&
	        strstr(msg, "HONUA_MAX_ATTEMPTS") != NULL,
	    "a malformed variable is named: %s", msg);
	T_OK(orch_config_load(&cfg, env_fast, NULL, msg, sizeof(msg)) ==
	            REG_OK &&
	        cfg.retry.base_throttle_ms == 0 &&
	        cfg.consistency_timeout_ms == 3000 &&
	        strcmp(cfg.allowed_regions, "eu-central-1") == 0,
	    "waits and the allow-list come from the environment");
}

int
main(void)
{
	fetch_global_init();
	test_customer_id();
	test_names();
	test_duration();
	test_policy();
	test_creds_doc();
	test_retry();
	test_retry_after();
	test_errors();
	test_url();
	test_audit_flags();
	test_build_args();
	test_call_loop();
	test_config();
	test_config_env();
	return t_done();
}
