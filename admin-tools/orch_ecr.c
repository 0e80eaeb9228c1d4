/*
 * admin-tools/orch_ecr.c: one function per ECR operation (JSON 1.1,
 * provisioning.md section 3.5).  Expected answers (already exists, not
 * found) come back as REG_EEXIST / REG_ENOENT without a message; every
 * other failure is recorded with orch_aws_fail().  The authorization
 * token is a secret: its answer and every decoded copy are wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/orch_aws.h"
#include "common/codec.h"
#include "common/cryptow.h"

#define ECR_MAX_PAGES 100000

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int64_t
jtime(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	if (d < 0 || d > 253402300799.0)
		return 0;
	return (int64_t)d;
}

static void
repo_from_json(json_t *r, struct orch_ecr_repo *out)
{
	json_t *enc = json_object_get(r, "encryptionConfiguration");

	memset(out, 0, sizeof(*out));
	(void)snprintf(out->name, sizeof(out->name), "%s",
	    jstr(r, "repositoryName"));
	(void)snprintf(out->arn, sizeof(out->arn), "%s",
	    jstr(r, "repositoryArn"));
	(void)snprintf(out->uri, sizeof(out->uri), "%s",
	    jstr(r, "repositoryUri"));
	(void)snprintf(out->mutability, sizeof(out->mutability), "%s",
	    jstr(r, "imageTagMutability"));
	(void)snprintf(out->encryption, sizeof(out->encryption), "%s",
	    json_is_object(enc) ? jstr(enc, "encryptionType") : "AES256");
	out->created = jtime(r, "createdAt");
}

static void
dry_repo(struct orch_aws *a, const char *name, struct orch_ecr_repo *out)
{
	memset(out, 0, sizeof(*out));
	(void)snprintf(out->name, sizeof(out->name), "%s", name);
	(void)snprintf(out->arn, sizeof(out->arn),
	    "arn:aws:ecr:%s:%s:repository/%s", a->region, a->account, name);
	(void)snprintf(out->uri, sizeof(out->uri),
	    "%s.dkr.ecr.%s.amazonaws.com/%s", a->account, a->region, name);
	(void)snprintf(out->encryption, sizeof(out->encryption), "AES256");
	(void)snprintf(out->mutability, sizeof(out->mutability), "IMMUTABLE");
}

static enum reg_err
call(struct orch_aws *a, const char *action, json_t *body, const char *summary,
    json_t **ans, struct orch_apierr *err)
{
	enum reg_err er;

	if (body == NULL)
		return REG_ENOMEM;
	er = orch_aws_json(a, &a->ecr, ORCH_AWS_ECR_TARGET, action, body,
	    summary, false, NULL, ans, err);
	json_decref(body);
	return er;
}

static enum reg_err
fail(struct orch_aws *a, enum reg_err er, const struct orch_apierr *err,
    const char *action, const char *what)
{
	char buf[400];

	(void)snprintf(buf, sizeof(buf), "ecr %s %s", action, what);
	return orch_aws_fail(a, er, err, buf);
}

static json_t *
tag_list(const char *customer)
{
	return json_pack("[{s:s,s:s},{s:s,s:s}]", "Key", ORCH_MANAGED_KEY,
	    "Value", ORCH_MANAGED_VAL, "Key", ORCH_CUSTOMER_KEY, "Value",
	    customer);
}

enum reg_err
orch_ecr_create(struct orch_aws *a, const char *name, const char *customer,
    struct orch_ecr_repo *out)
{
	struct orch_apierr err;
	json_t *ans = NULL;
	char summary[400];
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "repositoryName=%s", name);
	er = call(a, "CreateRepository",
	    json_pack("{s:s,s:o,s:s,s:{s:b},s:{s:s}}", "repositoryName", name,
	        "tags", tag_list(customer), "imageTagMutability", "IMMUTABLE",
	        "imageScanningConfiguration", "scanOnPush", 1,
	        "encryptionConfiguration", "encryptionType", "AES256"),
	    summary, &ans, &err);
	if (er == REG_OK && ans == NULL) {
		dry_repo(a, name, out);
		return REG_OK;
	}
	if (er != REG_OK) {
		if (strcmp(err.code, "RepositoryAlreadyExistsException") == 0)
			return REG_EEXIST;
		return fail(a, er, &err, "CreateRepository", name);
	}
	repo_from_json(json_object_get(ans, "repository"), out);
	json_decref(ans);
	return REG_OK;
}

enum reg_err
orch_ecr_describe(struct orch_aws *a, const char *name,
    struct orch_ecr_repo *out)
{
	struct orch_apierr err;
	json_t *ans = NULL, *list;
	char summary[400];
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "repositoryNames=%s", name);
	er = call(a, "DescribeRepositories",
	    json_pack("{s:[s]}", "repositoryNames", name), summary, &ans, &err);
	if (er == REG_OK && ans == NULL) {
		dry_repo(a, name, out);
		return REG_OK;
	}
	if (er != REG_OK) {
		if (strcmp(err.code, "RepositoryNotFoundException") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "DescribeRepositories", name);
	}
	list = json_object_get(ans, "repositories");
	if (!json_is_array(list) || json_array_size(list) != 1) {
		json_decref(ans);
		return orch_fail(a->ctx, REG_EUPSTREAM,
		    "ecr DescribeRepositories %s: unexpected answer", name);
	}
	repo_from_json(json_array_get(list, 0), out);
	json_decref(ans);
	return REG_OK;
}

enum reg_err
orch_ecr_list_tags(struct orch_aws *a, const char *arn,
    struct orch_aws_tags *out)
{
	struct orch_apierr err;
	json_t *ans = NULL, *tags, *t;
	char summary[600];
	size_t i;
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "resourceArn=%s", arn);
	er = call(a, "ListTagsForResource",
	    json_pack("{s:s}", "resourceArn", arn), summary, &ans, &err);
	if (er == REG_OK && ans == NULL)
		return REG_OK;
	if (er != REG_OK) {
		if (strcmp(err.code, "RepositoryNotFoundException") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "ListTagsForResource", arn);
	}
	tags = json_object_get(ans, "tags");
	json_array_foreach(tags, i, t)
	{
		orch_aws_tags_add(out, jstr(t, "Key"), jstr(t, "Value"));
	}
	json_decref(ans);
	return REG_OK;
}

enum reg_err
orch_ecr_tag(struct orch_aws *a, const char *arn, const char *customer)
{
	struct orch_apierr err;
	json_t *ans = NULL;
	char summary[600];
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "resourceArn=%s", arn);
	er = call(a, "TagResource",
	    json_pack("{s:s,s:o}", "resourceArn", arn, "tags",
	        tag_list(customer)),
	    summary, &ans, &err);
	json_decref(ans);
	if (er != REG_OK)
		return fail(a, er, &err, "TagResource", arn);
	return REG_OK;
}

enum reg_err
orch_ecr_put_lifecycle(struct orch_aws *a, const char *name, const char *text)
{
	struct orch_apierr err;
	json_t *ans = NULL;
	char summary[400];
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "repositoryName=%s", name);
	er = call(a, "PutLifecyclePolicy",
	    json_pack("{s:s,s:s}", "repositoryName", name,
	        "lifecyclePolicyText", text),
	    summary, &ans, &err);
	json_decref(ans);
	if (er != REG_OK) {
		if (strcmp(err.code, "RepositoryNotFoundException") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "PutLifecyclePolicy", name);
	}
	return REG_OK;
}

/*
 * Advance the page token from ans's nextToken: token becomes "" at the
 * end; a token that repeats or does not fit is an error (no endless
 * loop on a misbehaving service).
 */
static enum reg_err
next_token(struct orch_aws *a, json_t *ans, const char *action, char *token,
    size_t tokensz)
{
	json_t *next = json_object_get(ans, "nextToken");

	if (!json_is_string(next) || json_string_length(next) == 0) {
		token[0] = '\0';
		return REG_OK;
	}
	if (json_string_length(next) >= tokensz ||
	    strcmp(json_string_value(next), token) == 0)
		return orch_fail(a->ctx, REG_EUPSTREAM, "ecr %s: bad nextToken",
		    action);
	memcpy(token, json_string_value(next), json_string_length(next) + 1);
	return REG_OK;
}

/* A growable list of repositories. */
struct repo_vec {
	struct orch_ecr_repo *v;
	size_t n, cap;
};

static enum reg_err
collect_repos(json_t *ans, const char *prefix, struct repo_vec *rv)
{
	struct orch_ecr_repo *nv;
	json_t *list = json_object_get(ans, "repositories"), *r;
	size_t i, cap, plen = strlen(prefix);

	json_array_foreach(list, i, r)
	{
		if (strncmp(jstr(r, "repositoryName"), prefix, plen) != 0)
			continue;
		if (rv->n == rv->cap) {
			cap = rv->cap > 0 ? rv->cap * 2 : 16;
			nv = reallocarray(rv->v, cap, sizeof(*nv));
			if (nv == NULL)
				return REG_ENOMEM;
			rv->v = nv;
			rv->cap = cap;
		}
		repo_from_json(r, &rv->v[rv->n++]);
	}
	return REG_OK;
}

/*
 * The whole listing is collected before fn runs: fn may delete
 * repositories, which would shift the service's pages under us.
 */
enum reg_err
orch_ecr_list(struct orch_aws *a, const char *prefix, orch_ecr_repo_fn fn,
    void *arg)
{
	struct orch_apierr err;
	struct repo_vec rv = { NULL, 0, 0 };
	json_t *ans = NULL, *body;
	char token[4096] = "", summary[64];
	size_t i, pages = 0;
	enum reg_err er = REG_OK;

	do {
		if (++pages > ECR_MAX_PAGES) {
			er = orch_fail(a->ctx, REG_EUPSTREAM,
			    "ecr DescribeRepositories: more than %d pages",
			    ECR_MAX_PAGES);
			break;
		}
		body = token[0] != '\0'
		    ? json_pack("{s:i,s:s}", "maxResults", 1000, "nextToken",
		          token)
		    : json_pack("{s:i}", "maxResults", 1000);
		(void)snprintf(summary, sizeof(summary), "page=%zu", pages);
		er = call(a, "DescribeRepositories", body, summary, &ans, &err);
		if (er != REG_OK) {
			er =
			    fail(a, er, &err, "DescribeRepositories", "(list)");
			break;
		}
		if (ans == NULL)
			break; /* dry run */
		er = collect_repos(ans, prefix, &rv);
		if (er == REG_OK)
			er = next_token(a, ans, "DescribeRepositories", token,
			    sizeof(token));
		json_decref(ans);
		ans = NULL;
	} while (er == REG_OK && token[0] != '\0');
	for (i = 0; er == REG_OK && i < rv.n; i++)
		er = fn(a, &rv.v[i], arg);
	free(rv.v);
	return er;
}

static void
count_images(json_t *ans, struct orch_ecr_images *out)
{
	json_t *list = json_object_get(ans, "imageDetails"), *im;
	int64_t t;
	size_t i;

	json_array_foreach(list, i, im)
	{
		out->count++;
		t = jtime(im, "imagePushedAt");
		if (t > out->last_push)
			out->last_push = t;
		t = jtime(im, "lastRecordedPullTime");
		if (t > out->last_pull)
			out->last_pull = t;
	}
}

enum reg_err
orch_ecr_images(struct orch_aws *a, const char *name,
    struct orch_ecr_images *out)
{
	struct orch_apierr err;
	json_t *ans = NULL, *body;
	char token[4096] = "", summary[400];
	size_t pages = 0;
	enum reg_err er = REG_OK;

	(void)snprintf(summary, sizeof(summary), "repositoryName=%s", name);
	do {
		if (++pages > ECR_MAX_PAGES)
			return orch_fail(a->ctx, REG_EUPSTREAM,
			    "ecr DescribeImages: too many pages");
		body = token[0] != '\0'
		    ? json_pack("{s:s,s:i,s:{s:s},s:s}", "repositoryName", name,
		          "maxResults", 1000, "filter", "tagStatus", "ANY",
		          "nextToken", token)
		    : json_pack("{s:s,s:i,s:{s:s}}", "repositoryName", name,
		          "maxResults", 1000, "filter", "tagStatus", "ANY");
		er = call(a, "DescribeImages", body, summary, &ans, &err);
		if (er != REG_OK &&
		    strcmp(err.code, "RepositoryNotFoundException") == 0)
			return REG_ENOENT;
		if (er != REG_OK)
			return fail(a, er, &err, "DescribeImages", name);
		if (ans == NULL)
			return REG_OK; /* dry run */
		count_images(ans, out);
		er = next_token(a, ans, "DescribeImages", token, sizeof(token));
		json_decref(ans);
	} while (er == REG_OK && token[0] != '\0');
	return er;
}

enum reg_err
orch_ecr_delete(struct orch_aws *a, const char *name)
{
	struct orch_apierr err;
	json_t *ans = NULL;
	char summary[400];
	enum reg_err er;

	(void)snprintf(summary, sizeof(summary), "repositoryName=%s force",
	    name);
	er = call(a, "DeleteRepository",
	    json_pack("{s:s,s:b}", "repositoryName", name, "force", 1), summary,
	    &ans, &err);
	json_decref(ans);
	if (er != REG_OK) {
		if (strcmp(err.code, "RepositoryNotFoundException") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "DeleteRepository", name);
	}
	return REG_OK;
}

enum reg_err
orch_ecr_auth_token(struct orch_aws *a, const struct aws_creds *as,
    struct orch_login *out)
{
	struct orch_apierr err;
	json_t *ans = NULL, *list, *d, *tok;
	unsigned char dec[sizeof(out->password) + sizeof(out->username)];
	const char *ep, *colon;
	size_t declen = 0, ulen;
	enum reg_err er;

	er = orch_aws_json(a, &a->ecr, ORCH_AWS_ECR_TARGET,
	    "GetAuthorizationToken", NULL, NULL, true, as, &ans, &err);
	if (er == REG_OK && ans == NULL) {
		(void)snprintf(out->registry_url, sizeof(out->registry_url),
		    "https://%s.dkr.ecr.%s.amazonaws.com", a->account,
		    a->region);
		(void)snprintf(out->username, sizeof(out->username), "AWS");
		return REG_OK;
	}
	if (er != REG_OK) {
		if (as != NULL && er == REG_EAUTH)
			return er; /* the caller polls */
		return orch_aws_fail(a, er, &err, "ecr GetAuthorizationToken");
	}
	list = json_object_get(ans, "authorizationData");
	d = json_is_array(list) ? json_array_get(list, 0) : NULL;
	tok = d != NULL ? json_object_get(d, "authorizationToken") : NULL;
	ep = d != NULL ? jstr(d, "proxyEndpoint") : "";
	/* base64 of "user:password"; the endpoint an http(s) origin */
	er = REG_EUPSTREAM;
	if (json_is_string(tok) &&
	    b64_decode(json_string_value(tok), json_string_length(tok), dec,
	        sizeof(dec) - 1, &declen) == REG_OK) {
		dec[declen] = '\0';
		colon = memchr(dec, ':', declen);
		ulen = colon != NULL ? (size_t)(colon - (const char *)dec) : 0;
		if (colon != NULL && memchr(dec, '\0', declen) == NULL &&
		    ulen > 0 && ulen < sizeof(out->username) &&
		    declen - ulen - 1 < sizeof(out->password) &&
		    (strncmp(ep, "https://", 8) == 0 ||
		        strncmp(ep, "http://", 7) == 0) &&
		    strlen(ep) < sizeof(out->registry_url))
			er = REG_OK;
	}
	if (er != REG_OK) {
		er = orch_fail(a->ctx, REG_EUPSTREAM,
		    "ecr GetAuthorizationToken: the answer has no usable "
		    "authorization data");
		goto out;
	}
	memcpy(out->username, dec, ulen);
	out->username[ulen] = '\0';
	memcpy(out->password, colon + 1, declen - ulen - 1);
	out->password[declen - ulen - 1] = '\0';
	(void)snprintf(out->registry_url, sizeof(out->registry_url), "%s", ep);
	while (strlen(out->registry_url) > 0 &&
	    out->registry_url[strlen(out->registry_url) - 1] == '/')
		out->registry_url[strlen(out->registry_url) - 1] = '\0';
out:
	cryptow_wipe(dec, sizeof(dec));
	json_decref(ans);
	return er;
}
