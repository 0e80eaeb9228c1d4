/*
 * admin-tools/orch_iam.c: one function per IAM or STS operation (query
 * protocol, XML answers read with auth/awsxml; provisioning.md sections
 * 3.3, 3.6, 3.7).  Expected answers (EntityAlreadyExists, NoSuchEntity,
 * DeleteConflict) come back as REG_EEXIST / REG_ENOENT without a
 * message; every other failure is recorded with orch_aws_fail().
 * CreateAccessKey's answer holds the secret key: it is wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-tools/orch_aws.h"
#include "auth/awsxml.h"

#define IAM_VERSION "2010-05-08"
#define STS_VERSION "2011-06-15"
#define IAM_MAX_PAGES 100000

static int64_t
iso_time(const char *s)
{
	int64_t t;

	if (s[0] == '\0' || aws_iso8601_parse(s, strlen(s), &t) != REG_OK)
		return 0;
	return t;
}

static enum reg_err
fail(struct orch_aws *a, enum reg_err er, const struct orch_apierr *err,
    const char *action, const char *what)
{
	char buf[400];

	(void)snprintf(buf, sizeof(buf), "iam %s %s", action, what);
	return orch_aws_fail(a, er, err, buf);
}

/* The body of <ActionResponse><ActionResult>, or the whole answer. */
static struct span
result(const struct fetch_resp *resp, const char *action)
{
	char path[160];
	struct span s;

	(void)snprintf(path, sizeof(path), "%sResponse/%sResult", action,
	    action);
	if (resp->body.p == NULL ||
	    awsxml_element(resp->body.p, resp->body.len, path, 0, &s) != REG_OK)
		s = span_make("", 0);
	return s;
}

/* One IAM call without interesting output; resp released here. */
static enum reg_err
simple(struct orch_aws *a, struct orch_form *f, const char *action,
    const char *summary, struct orch_apierr *err)
{
	struct fetch_resp resp;
	enum reg_err er;

	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->iam, f, action, summary, false, NULL, &resp,
	    err);
	fetch_resp_release(&resp);
	orch_form_release(f);
	return er;
}

static void
user_from(const char *x, size_t len, struct orch_iam_user *u)
{
	char t[64];

	orch_aws_xml_text(x, len, "UserName", 0, u->name, sizeof(u->name));
	orch_aws_xml_text(x, len, "Path", 0, u->path, sizeof(u->path));
	orch_aws_xml_text(x, len, "Arn", 0, u->arn, sizeof(u->arn));
	orch_aws_xml_text(x, len, "CreateDate", 0, t, sizeof(t));
	u->created = iso_time(t);
}

enum reg_err
orch_sts_identity(struct orch_aws *a, const struct aws_creds *as, char *account,
    size_t accountsz, char *arn, size_t arnsz)
{
	struct orch_form f;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct span r;
	enum reg_err er;

	orch_form_init(&f, "GetCallerIdentity", STS_VERSION);
	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->sts, &f, "GetCallerIdentity",
	    as != NULL ? "(new customer key)" : NULL, false, as, &resp, &err);
	orch_form_release(&f);
	if (er == REG_OK && resp.status != 0) {
		r = result(&resp, "GetCallerIdentity");
		orch_aws_xml_text(r.p, r.len, "Account", 0, account, accountsz);
		orch_aws_xml_text(r.p, r.len, "Arn", 0, arn, arnsz);
	}
	fetch_resp_release(&resp);
	if (er != REG_OK && !(as != NULL && er == REG_EAUTH))
		return orch_aws_fail(a, er, &err, "sts GetCallerIdentity");
	return er;
}

enum reg_err
orch_iam_create_user(struct orch_aws *a, const char *user, const char *customer,
    struct orch_iam_user *out)
{
	struct orch_form f;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct span r;
	char summary[200];
	enum reg_err er;

	orch_form_init(&f, "CreateUser", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	orch_form_add(&f, "Path", ORCH_AWS_USER_PATH);
	orch_form_add(&f, "Tags.member.1.Key", ORCH_MANAGED_KEY);
	orch_form_add(&f, "Tags.member.1.Value", ORCH_MANAGED_VAL);
	orch_form_add(&f, "Tags.member.2.Key", ORCH_CUSTOMER_KEY);
	orch_form_add(&f, "Tags.member.2.Value", customer);
	(void)snprintf(summary, sizeof(summary), "UserName=%s", user);
	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->iam, &f, "CreateUser", summary, false, NULL,
	    &resp, &err);
	orch_form_release(&f);
	if (er == REG_OK && resp.status != 0) {
		r = result(&resp, "CreateUser");
		if (awsxml_element(r.p, r.len, "User", 0, &r) == REG_OK)
			user_from(r.p, r.len, out);
	}
	fetch_resp_release(&resp);
	if (er != REG_OK) {
		if (strcmp(err.code, "EntityAlreadyExists") == 0)
			return REG_EEXIST;
		return fail(a, er, &err, "CreateUser", user);
	}
	return REG_OK;
}

enum reg_err
orch_iam_get_user(struct orch_aws *a, const char *user,
    struct orch_iam_user *out)
{
	struct orch_form f;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct span r;
	char summary[200];
	enum reg_err er;

	orch_form_init(&f, "GetUser", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	(void)snprintf(summary, sizeof(summary), "UserName=%s", user);
	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->iam, &f, "GetUser", summary, false, NULL,
	    &resp, &err);
	orch_form_release(&f);
	if (er == REG_OK && resp.status == 0) {
		(void)snprintf(out->name, sizeof(out->name), "%s", user);
		(void)snprintf(out->path, sizeof(out->path), "%s",
		    ORCH_AWS_USER_PATH);
	} else if (er == REG_OK) {
		r = result(&resp, "GetUser");
		if (awsxml_element(r.p, r.len, "User", 0, &r) == REG_OK)
			user_from(r.p, r.len, out);
	}
	fetch_resp_release(&resp);
	if (er != REG_OK) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "GetUser", user);
	}
	return REG_OK;
}

/*
 * One paged IAM list call: the form gets Marker as needed; fn is called
 * with the result element of each page.
 */
typedef enum reg_err (
    *page_fn)(struct orch_aws *, struct span result, void *arg);

static enum reg_err
paged(struct orch_aws *a, const char *action, const char *param,
    const char *value, page_fn fn, void *arg, struct orch_apierr *err)
{
	struct orch_form f;
	struct fetch_resp resp;
	struct span r;
	char marker[2048] = "", trunc[16], summary[300];
	size_t pages = 0;
	enum reg_err er;

	for (;;) {
		if (++pages > IAM_MAX_PAGES)
			return orch_fail(a->ctx, REG_EUPSTREAM,
			    "iam %s: too many pages", action);
		orch_form_init(&f, action, IAM_VERSION);
		orch_form_add(&f, param, value);
		orch_form_add(&f, "MaxItems", "100");
		if (marker[0] != '\0')
			orch_form_add(&f, "Marker", marker);
		(void)snprintf(summary, sizeof(summary), "%s=%s page=%zu",
		    param, value, pages);
		fetch_resp_init(&resp);
		er = orch_aws_query(a, &a->iam, &f, action, summary, false,
		    NULL, &resp, err);
		orch_form_release(&f);
		if (er != REG_OK || resp.status == 0) {
			fetch_resp_release(&resp);
			return er;
		}
		r = result(&resp, action);
		er = fn(a, r, arg);
		orch_aws_xml_text(r.p, r.len, "IsTruncated", 0, trunc,
		    sizeof(trunc));
		if (er == REG_OK && strcmp(trunc, "true") == 0) {
			char next[sizeof(marker)];

			orch_aws_xml_text(r.p, r.len, "Marker", 0, next,
			    sizeof(next));
			if (next[0] == '\0' || strcmp(next, marker) == 0)
				er = orch_fail(a->ctx, REG_EUPSTREAM,
				    "iam %s: truncated answer without a new "
				    "Marker",
				    action);
			else
				memcpy(marker, next, strlen(next) + 1);
		} else {
			marker[0] = '\0';
		}
		fetch_resp_release(&resp);
		if (er != REG_OK || marker[0] == '\0')
			return er;
	}
}

static enum reg_err
tags_page(struct orch_aws *a, struct span r, void *arg)
{
	struct orch_aws_tags *t = arg;
	struct span tags, m;
	char k[256], v[512];
	size_t i;

	(void)a;
	if (awsxml_element(r.p, r.len, "Tags", 0, &tags) != REG_OK)
		return REG_OK;
	for (i = 0; awsxml_element(tags.p, tags.len, "member", i, &m) == REG_OK;
	     i++) {
		orch_aws_xml_text(m.p, m.len, "Key", 0, k, sizeof(k));
		orch_aws_xml_text(m.p, m.len, "Value", 0, v, sizeof(v));
		orch_aws_tags_add(t, k, v);
	}
	return REG_OK;
}

enum reg_err
orch_iam_user_tags(struct orch_aws *a, const char *user,
    struct orch_aws_tags *out)
{
	struct orch_apierr err;
	enum reg_err er;

	er = paged(a, "ListUserTags", "UserName", user, tags_page, out, &err);
	if (er != REG_OK && !a->ctx->has_err) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "ListUserTags", user);
	}
	return er;
}

enum reg_err
orch_iam_tag_user(struct orch_aws *a, const char *user, const char *key,
    const char *value)
{
	struct orch_form f;
	struct orch_apierr err;
	char summary[300];
	enum reg_err er;

	orch_form_init(&f, "TagUser", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	orch_form_add(&f, "Tags.member.1.Key", key);
	orch_form_add(&f, "Tags.member.1.Value", value);
	(void)snprintf(summary, sizeof(summary), "UserName=%s %s", user, key);
	er = simple(a, &f, "TagUser", summary, &err);
	if (er != REG_OK)
		return fail(a, er, &err, "TagUser", user);
	return REG_OK;
}

enum reg_err
orch_iam_put_policy(struct orch_aws *a, const char *user, const char *name,
    const char *doc)
{
	struct orch_form f;
	struct orch_apierr err;
	char summary[300];
	enum reg_err er;

	orch_form_init(&f, "PutUserPolicy", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	orch_form_add(&f, "PolicyName", name);
	orch_form_add(&f, "PolicyDocument", doc);
	(void)snprintf(summary, sizeof(summary), "UserName=%s PolicyName=%s",
	    user, name);
	er = simple(a, &f, "PutUserPolicy", summary, &err);
	if (er != REG_OK) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "PutUserPolicy", user);
	}
	return REG_OK;
}

struct names_arg {
	bool attached;
	char (*v)[600];
	size_t n, cap;
};

static enum reg_err
names_page(struct orch_aws *a, struct span r, void *argp)
{
	struct names_arg *arg = argp;
	struct span list, m;
	size_t i;

	(void)a;
	if (awsxml_element(r.p, r.len,
	        arg->attached ? "AttachedPolicies" : "PolicyNames", 0,
	        &list) != REG_OK)
		return REG_OK;
	for (i = 0; awsxml_element(list.p, list.len, "member", i, &m) == REG_OK;
	     i++) {
		if (arg->n == arg->cap) {
			size_t cap = arg->cap > 0 ? arg->cap * 2 : 8;
			char(*v)[600] =
			    reallocarray(arg->v, cap, sizeof(*arg->v));

			if (v == NULL)
				return REG_ENOMEM;
			arg->v = v;
			arg->cap = cap;
		}
		if (arg->attached)
			orch_aws_xml_text(m.p, m.len, "PolicyArn", 0,
			    arg->v[arg->n], sizeof(arg->v[0]));
		else
			orch_aws_xml_text(list.p, list.len, "member", i,
			    arg->v[arg->n], sizeof(arg->v[0]));
		if (arg->v[arg->n][0] != '\0')
			arg->n++;
	}
	return REG_OK;
}

enum reg_err
orch_iam_list_policies(struct orch_aws *a, const char *user, bool attached,
    orch_iam_name_fn fn, void *argp)
{
	struct names_arg arg;
	struct orch_apierr err;
	const char *action =
	    attached ? "ListAttachedUserPolicies" : "ListUserPolicies";
	size_t i;
	enum reg_err er;

	memset(&arg, 0, sizeof(arg));
	arg.attached = attached;
	/* collect all pages first: fn changes what the listing returns */
	er = paged(a, action, "UserName", user, names_page, &arg, &err);
	if (er != REG_OK && !a->ctx->has_err) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			er = REG_ENOENT;
		else
			er = fail(a, er, &err, action, user);
	}
	for (i = 0; er == REG_OK && i < arg.n; i++)
		er = fn(a, arg.v[i], argp);
	free(arg.v);
	return er;
}

static enum reg_err
user_op(struct orch_aws *a, const char *action, const char *user,
    const char *pname, const char *pval)
{
	struct orch_form f;
	struct orch_apierr err;
	char summary[700];
	enum reg_err er;

	orch_form_init(&f, action, IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	if (pname != NULL)
		orch_form_add(&f, pname, pval);
	(void)snprintf(summary, sizeof(summary), "UserName=%s%s%s%s%s", user,
	    pname != NULL ? " " : "", pname != NULL ? pname : "",
	    pname != NULL ? "=" : "", pname != NULL ? pval : "");
	er = simple(a, &f, action, summary, &err);
	if (er != REG_OK) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		if (strcmp(err.code, "DeleteConflict") == 0 ||
		    strcmp(err.code, "DeleteConflictException") == 0) {
			(void)orch_fail(a->ctx, REG_EEXIST,
			    "iam %s %s: %s: remove what honua-orchestrator "
			    "did not create (login profile, MFA device, SSH "
			    "keys, signing certificates, group memberships) "
			    "by hand, then re-run",
			    action, user,
			    err.message[0] != '\0' ? err.message
			                           : "DeleteConflict");
			return REG_EEXIST;
		}
		return fail(a, er, &err, action, user);
	}
	return REG_OK;
}

enum reg_err
orch_iam_delete_policy(struct orch_aws *a, const char *user, const char *name)
{
	return user_op(a, "DeleteUserPolicy", user, "PolicyName", name);
}

enum reg_err
orch_iam_detach_policy(struct orch_aws *a, const char *user, const char *arn)
{
	return user_op(a, "DetachUserPolicy", user, "PolicyArn", arn);
}

enum reg_err
orch_iam_create_key(struct orch_aws *a, const char *user, struct aws_creds *key,
    int64_t *created)
{
	struct orch_form f;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct span r;
	char summary[200], t[64];
	enum reg_err er;

	orch_form_init(&f, "CreateAccessKey", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	(void)snprintf(summary, sizeof(summary), "UserName=%s", user);
	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->iam, &f, "CreateAccessKey", summary, true,
	    NULL, &resp, &err);
	orch_form_release(&f);
	if (er == REG_OK && resp.status != 0) {
		r = result(&resp, "CreateAccessKey");
		if (awsxml_element(r.p, r.len, "AccessKey", 0, &r) != REG_OK)
			r = span_make("", 0);
		orch_aws_xml_text(r.p, r.len, "AccessKeyId", 0, key->akid,
		    sizeof(key->akid));
		orch_aws_xml_text(r.p, r.len, "SecretAccessKey", 0, key->secret,
		    sizeof(key->secret));
		orch_aws_xml_text(r.p, r.len, "CreateDate", 0, t, sizeof(t));
		*created = iso_time(t);
		(void)snprintf(key->source, sizeof(key->source),
		    "new key of %s", user);
		if (key->akid[0] == '\0' || key->secret[0] == '\0')
			er = orch_fail(a->ctx, REG_EUPSTREAM,
			    "iam CreateAccessKey %s: the answer has no key; "
			    "re-run the command (an undelivered key is "
			    "replaced)",
			    user);
	}
	orch_resp_release_wipe(&resp);
	if (er != REG_OK && !a->ctx->has_err) {
		if (strcmp(err.code, "LimitExceeded") == 0)
			return orch_fail(a->ctx, REG_EUPSTREAM,
			    "iam CreateAccessKey %s: LimitExceeded: %s (a "
			    "quota: not retried): the user is at the 2-key "
			    "cap; re-run with --rotate",
			    user, err.message);
		return fail(a, er, &err, "CreateAccessKey", user);
	}
	return er;
}

static enum reg_err
keys_page(struct orch_aws *a, struct span r, void *arg)
{
	struct orch_iam_keys *out = arg;
	struct span list, m;
	char t[64];
	size_t i;

	(void)a;
	if (awsxml_element(r.p, r.len, "AccessKeyMetadata", 0, &list) != REG_OK)
		return REG_OK;
	for (i = 0; awsxml_element(list.p, list.len, "member", i, &m) == REG_OK;
	     i++) {
		struct orch_iam_key *k;

		if (out->n >= nitems(out->v))
			break;
		k = &out->v[out->n];
		memset(k, 0, sizeof(*k));
		orch_aws_xml_text(m.p, m.len, "AccessKeyId", 0, k->id,
		    sizeof(k->id));
		orch_aws_xml_text(m.p, m.len, "Status", 0, k->status,
		    sizeof(k->status));
		orch_aws_xml_text(m.p, m.len, "CreateDate", 0, t, sizeof(t));
		k->created = iso_time(t);
		if (k->id[0] != '\0')
			out->n++;
	}
	return REG_OK;
}

enum reg_err
orch_iam_list_keys(struct orch_aws *a, const char *user,
    struct orch_iam_keys *out)
{
	struct orch_apierr err;
	enum reg_err er;

	out->n = 0;
	er = paged(a, "ListAccessKeys", "UserName", user, keys_page, out, &err);
	if (er != REG_OK && !a->ctx->has_err) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "ListAccessKeys", user);
	}
	return er;
}

enum reg_err
orch_iam_key_last_used(struct orch_aws *a, struct orch_iam_key *k)
{
	struct orch_form f;
	struct orch_apierr err;
	struct fetch_resp resp;
	struct span r;
	char summary[200], t[64];
	enum reg_err er;

	orch_form_init(&f, "GetAccessKeyLastUsed", IAM_VERSION);
	orch_form_add(&f, "AccessKeyId", k->id);
	(void)snprintf(summary, sizeof(summary), "AccessKeyId=%s", k->id);
	fetch_resp_init(&resp);
	er = orch_aws_query(a, &a->iam, &f, "GetAccessKeyLastUsed", summary,
	    false, NULL, &resp, &err);
	orch_form_release(&f);
	if (er == REG_OK && resp.status != 0) {
		r = result(&resp, "GetAccessKeyLastUsed");
		if (awsxml_element(r.p, r.len, "AccessKeyLastUsed", 0, &r) !=
		    REG_OK)
			r = span_make("", 0);
		orch_aws_xml_text(r.p, r.len, "LastUsedDate", 0, t, sizeof(t));
		k->last_used = iso_time(t);
		orch_aws_xml_text(r.p, r.len, "ServiceName", 0, k->used_service,
		    sizeof(k->used_service));
	}
	fetch_resp_release(&resp);
	if (er != REG_OK)
		return fail(a, er, &err, "GetAccessKeyLastUsed", k->id);
	return REG_OK;
}

enum reg_err
orch_iam_update_key(struct orch_aws *a, const char *user, const char *id,
    const char *status)
{
	struct orch_form f;
	struct orch_apierr err;
	char summary[300];
	enum reg_err er;

	orch_form_init(&f, "UpdateAccessKey", IAM_VERSION);
	orch_form_add(&f, "UserName", user);
	orch_form_add(&f, "AccessKeyId", id);
	orch_form_add(&f, "Status", status);
	(void)snprintf(summary, sizeof(summary),
	    "UserName=%s AccessKeyId=%s Status=%s", user, id, status);
	er = simple(a, &f, "UpdateAccessKey", summary, &err);
	if (er != REG_OK) {
		if (strcmp(err.code, "NoSuchEntity") == 0)
			return REG_ENOENT;
		return fail(a, er, &err, "UpdateAccessKey", id);
	}
	return REG_OK;
}

enum reg_err
orch_iam_delete_key(struct orch_aws *a, const char *user, const char *id)
{
	return user_op(a, "DeleteAccessKey", user, "AccessKeyId", id);
}

struct users_arg {
	struct orch_iam_user *v;
	size_t n, cap;
};

static enum reg_err
users_page(struct orch_aws *a, struct span r, void *argp)
{
	struct users_arg *arg = argp;
	struct span list, m;
	size_t i;

	(void)a;
	if (awsxml_element(r.p, r.len, "Users", 0, &list) != REG_OK)
		return REG_OK;
	for (i = 0; awsxml_element(list.p, list.len, "member", i, &m) == REG_OK;
	     i++) {
		if (arg->n == arg->cap) {
			size_t cap = arg->cap > 0 ? arg->cap * 2 : 16;
			struct orch_iam_user *v =
			    reallocarray(arg->v, cap, sizeof(*v));

			if (v == NULL)
				return REG_ENOMEM;
			arg->v = v;
			arg->cap = cap;
		}
		memset(&arg->v[arg->n], 0, sizeof(arg->v[0]));
		user_from(m.p, m.len, &arg->v[arg->n]);
		if (arg->v[arg->n].name[0] != '\0')
			arg->n++;
	}
	return REG_OK;
}

enum reg_err
orch_iam_list_users(struct orch_aws *a, const char *path_prefix,
    orch_iam_user_fn fn, void *argp)
{
	struct users_arg arg;
	struct orch_apierr err;
	size_t i;
	enum reg_err er;

	memset(&arg, 0, sizeof(arg));
	er = paged(a, "ListUsers", "PathPrefix", path_prefix, users_page, &arg,
	    &err);
	if (er != REG_OK && !a->ctx->has_err)
		er = fail(a, er, &err, "ListUsers", path_prefix);
	for (i = 0; er == REG_OK && i < arg.n; i++)
		er = fn(a, &arg.v[i], argp);
	free(arg.v);
	return er;
}

enum reg_err
orch_iam_delete_user(struct orch_aws *a, const char *user)
{
	return user_op(a, "DeleteUser", user, NULL, NULL);
}
