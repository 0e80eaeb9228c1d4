/*
 * auth/awscreds_http.c: the two metadata-endpoint sources of the chain,
 * ECS/EKS container credentials and EC2 IMDSv2 (provisioning.md 3.4,
 * items 5 and 6).
 *
 * Invariant: neither ever uses a proxy; the container Authorization
 * token and the IMDS session token are sent only to the endpoint they
 * belong to, never logged, and wiped after use; a configured container
 * endpoint that fails is an error, an IMDS that cannot be reached means
 * "not on EC2".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/awscreds_priv.h"
#include "common/cryptow.h"
#include "common/log.h"

#define AWS_ECS_HOST "http://169.254.170.2"
#define AWS_IMDS_V4 "http://169.254.169.254"
#define AWS_IMDS_V6 "http://[fd00:ec2::254]"
#define AWS_IMDS_TOKEN_MAX ((size_t)4096)
#define AWS_IMDS_ROLE_MAX ((size_t)128)

/* The container Authorization value: token file (re-read) or variable. */
static enum reg_err
aws_container_auth(struct aws_ctx *c, struct buf *tok)
{
	const char *file = aws_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *val = aws_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *what = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
	size_t i;
	enum reg_err er;

	buf_reset(tok);
	if (file != NULL) {
		what = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
		er =
		    aws_read_file(c, what, file, AWS_AUTH_TOKEN_MAX, tok, NULL);
		if (er != REG_OK)
			return er;
		/* one trailing newline is tolerated (echo > file) */
		if (tok->len > 0 && tok->p[tok->len - 1] == '\n')
			tok->len--;
		if (tok->len > 0 && tok->p[tok->len - 1] == '\r')
			tok->len--;
		if (tok->p != NULL)
			tok->p[tok->len] = '\0';
	} else if (val != NULL) {
		er = buf_adds(tok, val);
		if (er != REG_OK)
			return aws_fail(c, er, "%s is too long", what);
	} else {
		return REG_OK;
	}
	for (i = 0; i < tok->len; i++) {
		unsigned char ch = (unsigned char)tok->p[i];

		if (ch == '\r' || ch == '\n')
			return aws_fail(c, REG_EINVAL,
			    "%s holds a CR or LF: not a legal header value",
			    what);
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return aws_fail(c, REG_EINVAL,
			    "%s holds a control character", what);
	}
	return REG_OK;
}

static enum reg_err
aws_container_url(struct aws_ctx *c, char *url, size_t urlsz, bool *https)
{
	const char *rel = aws_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *why = NULL;
	char esc[128];
	struct aws_url u;

	if (rel != NULL) {
		if (rel[0] != '/' ||
		    (size_t)snprintf(url, urlsz, "%s%s", AWS_ECS_HOST, rel) >=
		        urlsz ||
		    aws_url_parse(url, strlen(url), &u) != REG_OK)
			return aws_fail(c, REG_EINVAL,
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI %s is not "
			    "an absolute path",
			    log_escape(esc, sizeof(esc), rel, strlen(rel)));
		*https = false;
		return REG_OK;
	}
	if (!aws_container_uri_allowed(full, strlen(full), &why))
		return aws_fail(c, REG_EINVAL,
		    "AWS_CONTAINER_CREDENTIALS_FULL_URI %s is refused: %s",
		    log_escape(esc, sizeof(esc), full, strlen(full)), why);
	(void)snprintf(url, urlsz, "%s", full);
	*https = aws_url_parse(full, strlen(full), &u) == REG_OK && u.https;
	return REG_OK;
}

/* One GET of the container endpoint. */
static enum reg_err
aws_container_get(struct aws_ctx *c, const char *url, bool https,
    const struct buf *tok, struct fetch_resp *resp, char *neterr, size_t nesz)
{
	struct fetch_req req;
	enum reg_err er;

	fetch_req_init(&req);
	req.url = url;
	req.allow_http = !https;
	req.proxy = NULL;
	req.ca_file = c->tls.ca_file;
	req.ca_dir = c->tls.ca_dir;
	req.timeout_ms = AWS_CONTAINER_TIMEOUT_MS;
	req.connect_timeout_ms = AWS_CONTAINER_TIMEOUT_MS;
	req.max_body = AWS_RESP_MAX;
	req.quiet = true;
	er = fetch_req_header(&req, "Accept", "application/json");
	if (er == REG_OK && tok->len > 0)
		er = fetch_req_header(&req, "Authorization", buf_cstr(tok));
	if (er == REG_OK)
		er = fetch_do(&req, resp, neterr, nesz);
	aws_fetch_release(&req, NULL);
	return er;
}

/* Up to AWS_CONTAINER_ATTEMPTS GETs; *status 0 for a transport error. */
static enum reg_err
aws_container_fetch(struct aws_ctx *c, const char *url, bool https,
    struct buf *tok, struct fetch_resp *resp, long *status, char *neterr,
    size_t nesz)
{
	int attempt;
	enum reg_err er = REG_OK;

	for (attempt = 1; attempt <= AWS_CONTAINER_ATTEMPTS; attempt++) {
		if (attempt > 1)
			aws_sleep_ms(c->o->retry_sleep_ms > 0
			        ? c->o->retry_sleep_ms
			        : 1000);
		/* the token file rotates: read it for every attempt */
		er = aws_container_auth(c, tok);
		if (er != REG_OK)
			return er;
		er = aws_container_get(c, url, https, tok, resp, neterr, nesz);
		*status = er == REG_OK ? resp->status : 0;
		if (*status == 200)
			return REG_OK;
		log_debug("awscreds: container attempt %d: %s", attempt,
		    er != REG_OK ? neterr : "http error");
	}
	if (er != REG_OK)
		return aws_fail(c, er, "container credentials from %s: %s", url,
		    neterr);
	return aws_fail(c,
	    *status == 401 || *status == 403 ? REG_EAUTH : REG_EUPSTREAM,
	    "container credentials endpoint %s answered HTTP %ld", url,
	    *status);
}

enum reg_err
aws_src_container(struct aws_ctx *c, bool required, bool *found,
    struct aws_creds *out)
{
	char url[AWS_URL_MAX + 64], neterr[256] = "";
	struct fetch_resp resp;
	struct buf tok;
	bool https = false;
	long status = 0;
	enum reg_err er;

	*found = false;
	if (aws_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == NULL &&
	    aws_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI") == NULL) {
		if (required)
			return aws_fail(c, REG_ENOENT,
			    "credential_source EcsContainer: neither "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
		return REG_OK;
	}
	buf_init(&tok, AWS_AUTH_TOKEN_MAX + 1);
	fetch_resp_init(&resp);
	er = aws_container_url(c, url, sizeof(url), &https);
	if (er == REG_OK && https)
		er = aws_ctx_tls(c);
	if (er == REG_OK)
		er = aws_container_fetch(c, url, https, &tok, &resp, &status,
		    neterr, sizeof(neterr));
	if (er == REG_OK)
		er = aws_creds_from_json(c, resp.body.p, resp.body.len,
		    "container credentials", false, out);
	if (er == REG_OK) {
		(void)snprintf(out->source, sizeof(out->source), "container");
		*found = true;
	}
	buf_release_wipe(&tok);
	aws_fetch_release(NULL, &resp);
	return er;
}

struct imds {
	char base[AWS_URL_MAX + 1];
	bool https;
	char token[AWS_IMDS_TOKEN_MAX + 1]; /* "" : IMDSv1 */
};

static enum reg_err
aws_imds_base(struct aws_ctx *c, struct imds *m)
{
	const char *ep = aws_env(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = aws_env(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	char esc[96];
	struct aws_url u;
	size_t n;

	if (ep == NULL)
		ep = aws_prof(c, c->profile, "ec2_metadata_service_endpoint",
		    NULL);
	if (mode == NULL)
		mode = aws_prof(c, c->profile,
		    "ec2_metadata_service_endpoint_mode", NULL);
	if (ep == NULL || ep[0] == '\0') {
		if (mode != NULL && strcasecmp(mode, "ipv6") == 0)
			ep = AWS_IMDS_V6;
		else if (mode == NULL || strcasecmp(mode, "ipv4") == 0)
			ep = AWS_IMDS_V4;
		else
			return aws_fail(c, REG_EINVAL,
			    "ec2 metadata endpoint mode %s is neither IPv4 nor "
			    "IPv6",
			    log_escape(esc, sizeof(esc), mode, strlen(mode)));
	}
	n = strlen(ep);
	while (n > 0 && ep[n - 1] == '/')
		n--;
	if (aws_url_parse(ep, n, &u) != REG_OK || u.path.len > 0 ||
	    !aws_copy(m->base, sizeof(m->base), ep, n))
		return aws_fail(c, REG_EINVAL,
		    "ec2 metadata endpoint %s is not an http(s)://host[:port] "
		    "URL",
		    log_escape(esc, sizeof(esc), ep, strlen(ep)));
	m->https = u.https;
	return REG_OK;
}

/* One IMDS request; REG_EUPSTREAM for a transport failure. */
static enum reg_err
aws_imds_req(struct aws_ctx *c, const struct imds *m, const char *method,
    const char *path, struct fetch_resp *resp)
{
	char url[AWS_URL_MAX + 256], neterr[256];
	struct fetch_req req;
	enum reg_err er;

	(void)snprintf(url, sizeof(url), "%s%s", m->base, path);
	fetch_req_init(&req);
	req.method = method;
	req.url = url;
	req.allow_http = !m->https;
	req.proxy = NULL;
	req.ca_file = c->tls.ca_file;
	req.ca_dir = c->tls.ca_dir;
	req.timeout_ms = AWS_IMDS_TIMEOUT_MS;
	req.connect_timeout_ms = AWS_IMDS_TIMEOUT_MS;
	req.max_body = AWS_RESP_MAX;
	req.quiet = true;
	if (strcmp(method, "PUT") == 0)
		er = fetch_req_header(&req,
		    "x-aws-ec2-metadata-token-ttl-seconds", "21600");
	else if (m->token[0] != '\0')
		er = fetch_req_header(&req, "x-aws-ec2-metadata-token",
		    m->token);
	else
		er = REG_OK;
	if (er == REG_OK)
		er = fetch_do(&req, resp, neterr, sizeof(neterr));
	if (er == REG_EUPSTREAM)
		log_debug("awscreds: imds %s %s: %s", method, path, neterr);
	else if (er != REG_OK)
		er = aws_fail(c, er, "imds %s %s: %s", method, path, neterr);
	aws_fetch_release(&req, NULL);
	return er;
}

static struct span
aws_trim_body(const struct fetch_resp *resp)
{
	struct span s =
	    span_make(resp->body.p != NULL ? resp->body.p : "", resp->body.len);

	while (s.len > 0 &&
	    (s.p[s.len - 1] == '\n' || s.p[s.len - 1] == '\r' ||
	        s.p[s.len - 1] == ' '))
		s.len--;
	return s;
}

/* PUT /latest/api/token.  *reachable false: not on EC2. */
static enum reg_err
aws_imds_token(struct aws_ctx *c, struct imds *m, bool *reachable)
{
	struct fetch_resp resp;
	struct span t;
	size_t i;
	enum reg_err er;

	*reachable = false;
	fetch_resp_init(&resp);
	er = aws_imds_req(c, m, "PUT", "/latest/api/token", &resp);
	if (er == REG_EUPSTREAM) {
		er = REG_OK; /* timeout or refused: not on EC2 */
		goto out;
	}
	if (er != REG_OK)
		goto out;
	*reachable = true;
	if (resp.status == 200) {
		t = aws_trim_body(&resp);
		for (i = 0; i < t.len; i++) {
			if (t.p[i] < 0x21 || t.p[i] > 0x7e)
				break;
		}
		if (t.len == 0 || i < t.len ||
		    !aws_copy(m->token, sizeof(m->token), t.p, t.len))
			er = aws_fail(c, REG_EUPSTREAM,
			    "imds %s: the session token is not printable "
			    "text of at most %zu bytes",
			    m->base, AWS_IMDS_TOKEN_MAX);
	} else if (resp.status == 403 || resp.status == 404 ||
	    resp.status == 405) {
		if (aws_is_true(aws_env(c, "AWS_EC2_METADATA_V1_DISABLED")) ||
		    aws_is_true(aws_prof(c, c->profile,
		        "ec2_metadata_v1_disabled", NULL)))
			er = aws_fail(c, REG_EUPSTREAM,
			    "imds %s: no IMDSv2 token (HTTP %ld) and IMDSv1 "
			    "is disabled",
			    m->base, resp.status);
		m->token[0] = '\0'; /* fall back to IMDSv1 */
	} else {
		er = aws_fail(c, REG_EUPSTREAM,
		    "imds %s: the token request answered HTTP %ld", m->base,
		    resp.status);
	}
out:
	aws_fetch_release(NULL, &resp);
	return er;
}

static bool
aws_role_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_+=,.@-", ch) != NULL;
}

/* GET .../security-credentials/ -> role.  *none: no role attached. */
static enum reg_err
aws_imds_role(struct aws_ctx *c, const struct imds *m, char *role,
    size_t rolesz, bool *none)
{
	struct fetch_resp resp;
	struct span s, line;
	size_t i;
	enum reg_err er;

	*none = false;
	fetch_resp_init(&resp);
	er = aws_imds_req(c, m, "GET",
	    "/latest/meta-data/iam/"
	    "security-credentials/",
	    &resp);
	if (er == REG_EUPSTREAM || (er == REG_OK && resp.status == 404)) {
		*none = true;
		er = REG_OK;
		goto out;
	}
	if (er != REG_OK)
		goto out;
	if (resp.status != 200) {
		er = aws_fail(c, resp.status == 401 ? REG_EAUTH : REG_EUPSTREAM,
		    "imds %s: the role list answered HTTP %ld", m->base,
		    resp.status);
		goto out;
	}
	s = aws_trim_body(&resp);
	(void)span_split(&s, '\n', &line);
	if (line.len > 0 && line.p[line.len - 1] == '\r')
		line.len--;
	for (i = 0; i < line.len && aws_role_char(line.p[i]); i++)
		;
	if (line.len == 0) {
		*none = true;
		goto out;
	}
	if (i < line.len || line.len > AWS_IMDS_ROLE_MAX ||
	    !aws_copy(role, rolesz, line.p, line.len))
		er = aws_fail(c, REG_EUPSTREAM,
		    "imds %s: the role name is not 1..%zu characters of "
		    "[A-Za-z0-9_+=,.@-]",
		    m->base, AWS_IMDS_ROLE_MAX);
out:
	aws_fetch_release(NULL, &resp);
	return er;
}

static enum reg_err
aws_imds_creds(struct aws_ctx *c, const struct imds *m, const char *role,
    struct aws_creds *out)
{
	char path[AWS_IMDS_ROLE_MAX + 64];
	struct fetch_resp resp;
	enum reg_err er;

	(void)snprintf(path, sizeof(path),
	    "/latest/meta-data/iam/security-credentials/%s", role);
	fetch_resp_init(&resp);
	er = aws_imds_req(c, m, "GET", path, &resp);
	if (er == REG_EUPSTREAM)
		er = aws_fail(c, er,
		    "imds %s: no answer for the credentials "
		    "of role %s",
		    m->base, role);
	if (er != REG_OK)
		goto out;
	if (resp.status != 200) {
		er = aws_fail(c, resp.status == 401 ? REG_EAUTH : REG_EUPSTREAM,
		    "imds %s: the credentials of role %s answered HTTP %ld",
		    m->base, role, resp.status);
		goto out;
	}
	er = aws_creds_from_json(c, resp.body.p, resp.body.len, "imds", true,
	    out);
	if (er == REG_OK)
		(void)snprintf(out->source, sizeof(out->source),
		    "imds (role %s)", role);
out:
	aws_fetch_release(NULL, &resp);
	return er;
}

enum reg_err
aws_src_imds(struct aws_ctx *c, bool required, bool *found,
    struct aws_creds *out)
{
	char role[AWS_IMDS_ROLE_MAX + 1];
	struct imds m;
	bool reachable = false, none = false;
	enum reg_err er;

	*found = false;
	memset(&m, 0, sizeof(m));
	if (aws_is_true(aws_env(c, "AWS_EC2_METADATA_DISABLED"))) {
		log_debug("awscreds: imds disabled by "
		          "AWS_EC2_METADATA_DISABLED");
		if (required)
			return aws_fail(c, REG_ENOENT,
			    "credential_source Ec2InstanceMetadata, but "
			    "AWS_EC2_METADATA_DISABLED is true");
		return REG_OK;
	}
	er = aws_ctx_files(c);
	if (er == REG_OK)
		er = aws_imds_base(c, &m);
	if (er == REG_OK && m.https)
		er = aws_ctx_tls(c);
	if (er == REG_OK)
		er = aws_imds_token(c, &m, &reachable);
	if (er == REG_OK && reachable)
		er = aws_imds_role(c, &m, role, sizeof(role), &none);
	if (er != REG_OK)
		goto out;
	if (!reachable || none) {
		log_debug("awscreds: imds %s: %s", m.base,
		    reachable ? "no instance role" : "not reachable");
		if (required)
			er = aws_fail(c, REG_ENOENT,
			    "credential_source Ec2InstanceMetadata: %s at %s",
			    reachable ? "no IAM role attached"
			              : "no instance metadata service",
			    m.base);
		goto out;
	}
	er = aws_imds_creds(c, &m, role, out);
	if (er == REG_OK)
		*found = true;
out:
	cryptow_wipe(m.token, sizeof(m.token));
	return er;
}
