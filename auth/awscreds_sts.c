/*
 * auth/awscreds_sts.c: sts:AssumeRole (SigV4-signed) and
 * sts:AssumeRoleWithWebIdentity (unsigned) over the query protocol,
 * provisioning.md sections 3.2-3.4, with the XML answer read by
 * auth/awsxml.
 *
 * Invariant: the signed Host header is the one sent (it is set
 * explicitly, host[:port] with the port only when not the scheme's
 * default); secrets in request and response buffers are wiped; error
 * messages carry the role, the STS code and its (escaped) message, never
 * a key, a token or a signature.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/awscreds_priv.h"
#include "auth/awsxml.h"
#include "auth/sigv4.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "common/num.h"

#define STS_VERSION "2011-06-15"
#define STS_CT "application/x-www-form-urlencoded; charset=utf-8"
#define STS_BODY_MAX ((size_t)64 * 1024)
#define STS_MSG_MAX 512

/* What one attempt produced, for the error mapping. */
struct sts_res {
	long status;
	char code[129];
	char msg[STS_MSG_MAX]; /* escaped */
	char neterr[256];
};

static bool
sts_session_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_+=,.@-", ch) != NULL;
}

static bool
sts_ok(const char *s, size_t min, size_t max, bool ext)
{
	size_t i, n = strlen(s);

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++) {
		if (!(sts_session_char(s[i]) ||
		        (ext && (s[i] == ':' || s[i] == '/'))))
			return false;
	}
	return true;
}

static bool
sts_arn_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 20 || n > 2048 || strncmp(s, "arn:", 4) != 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	}
	return true;
}

static enum reg_err
sts_param(struct buf *b, const char *name, const char *val)
{
	enum reg_err er;

	er = buf_printf(b, "&%s=", name);
	if (er == REG_OK)
		er = sigv4_uri_encode(val, strlen(val), false, b);
	return er;
}

/* Validate the role parameters and build the form body. */
static enum reg_err
sts_body(struct aws_ctx *c, const char *action, const struct aws_role *r,
    const char *session, const char *token, struct buf *b)
{
	char esc[96];
	uint64_t d = AWS_DURATION_DEFAULT;
	enum reg_err er;

	if (r->role_arn == NULL || !sts_arn_ok(r->role_arn))
		return aws_fail(c, REG_EINVAL,
		    "role %s is not an ARN (arn:..., 20..2048 printable "
		    "characters)",
		    r->role_arn == NULL
		        ? "(none)"
		        : log_escape(esc, sizeof(esc), r->role_arn,
		              strlen(r->role_arn)));
	if (!sts_ok(session, 2, 64, false))
		return aws_fail(c, REG_EINVAL,
		    "role session name %s is not 2..64 characters of "
		    "[A-Za-z0-9_+=,.@-]",
		    log_escape(esc, sizeof(esc), session, strlen(session)));
	if (r->external_id != NULL && !sts_ok(r->external_id, 2, 1224, true))
		return aws_fail(c, REG_EINVAL,
		    "the external id for %s is not 2..1224 characters of "
		    "[A-Za-z0-9_+=,.@:/-]",
		    r->role_arn);
	if (r->duration != NULL &&
	    num_parse_u64(r->duration, strlen(r->duration), AWS_DURATION_MIN,
	        AWS_DURATION_MAX, &d) != REG_OK)
		return aws_fail(c, REG_EINVAL,
		    "duration_seconds %s is not %d..%d",
		    log_escape(esc, sizeof(esc), r->duration,
		        strlen(r->duration)),
		    AWS_DURATION_MIN, AWS_DURATION_MAX);
	er = buf_printf(b, "Action=%s&Version=%s", action, STS_VERSION);
	if (er == REG_OK)
		er = sts_param(b, "RoleArn", r->role_arn);
	if (er == REG_OK)
		er = sts_param(b, "RoleSessionName", session);
	if (er == REG_OK && r->external_id != NULL && token == NULL)
		er = sts_param(b, "ExternalId", r->external_id);
	if (er == REG_OK)
		er = buf_printf(b, "&DurationSeconds=%llu",
		    (unsigned long long)d);
	if (er == REG_OK && token != NULL)
		er = sts_param(b, "WebIdentityToken", token);
	return er;
}

/* Add Host, X-Amz-Date, the token and Authorization for src. */
static enum reg_err
sts_sign(struct aws_ctx *c, const struct aws_creds *src, const struct buf *body,
    struct fetch_req *req)
{
	char amz[SIGV4_AMZ_DATE_LEN + 1];
	struct sigv4_param hdr[1];
	struct sigv4_creds sc;
	struct sigv4_req sr;
	struct buf auth;
	time_t now = (time_t)c->now;
	struct tm tm;
	enum reg_err er;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(amz, sizeof(amz), "%Y%m%dT%H%M%SZ", &tm) !=
	        SIGV4_AMZ_DATE_LEN)
		return aws_fail(c, REG_EINVAL, "cannot format the time");
	memset(&sr, 0, sizeof(sr));
	hdr[0].name = span_cstr("content-type");
	hdr[0].value = span_cstr(STS_CT);
	sr.method = "POST";
	sr.host = span_cstr(c->sts_url.hostport);
	sr.path = c->sts_url.path;
	sr.headers = hdr;
	sr.nheaders = 1;
	sr.body = body->p;
	sr.body_len = body->len;
	sr.amz_date = amz;
	aws_creds_sigv4(src, &sc);
	buf_init(&auth, 4096);
	er = sigv4_authorization_header(&sr, &sc, c->sts.signing_region, "sts",
	    &auth);
	if (er != REG_OK) {
		buf_release(&auth);
		return aws_fail(c, er, "cannot sign the STS request (%s)",
		    reg_err_str(er));
	}
	er = fetch_req_header(req, "X-Amz-Date", amz);
	if (er == REG_OK && sc.session_token != NULL)
		er = fetch_req_header(req, "X-Amz-Security-Token",
		    sc.session_token);
	if (er == REG_OK)
		er = fetch_req_header(req, "Authorization", buf_cstr(&auth));
	buf_release_wipe(&auth);
	return er;
}

static void
sts_error_body(const struct fetch_resp *resp, struct sts_res *res)
{
	char raw[STS_MSG_MAX];
	struct span el;
	size_t n;
	enum reg_err er;

	res->code[0] = '\0';
	res->msg[0] = '\0';
	if (awsxml_text(resp->body.p, resp->body.len,
	        "ErrorResponse/Error/Code", 0, raw, sizeof(raw), &n) == REG_OK)
		(void)log_escape(res->code, sizeof(res->code), raw, n);
	er = awsxml_text(resp->body.p, resp->body.len,
	    "ErrorResponse/Error/Message", 0, raw, sizeof(raw), &n);
	if (er == REG_OK)
		(void)log_escape(res->msg, sizeof(res->msg), raw, n);
	else if (er == REG_ETOOBIG &&
	    awsxml_element(resp->body.p, resp->body.len,
	        "ErrorResponse/Error/Message", 0, &el) == REG_OK)
		(void)log_escape(res->msg, sizeof(res->msg), el.p, el.len);
}

static enum reg_err
sts_xml_field(struct aws_ctx *c, const struct fetch_resp *resp,
    const char *action, const char *field, char *out, size_t outsz)
{
	char path[160];
	enum reg_err er;

	(void)snprintf(path, sizeof(path), "%sResponse/%sResult/Credentials/%s",
	    action, action, field);
	er = awsxml_text(resp->body.p, resp->body.len, path, 0, out, outsz,
	    NULL);
	if (er != REG_OK)
		return aws_fail(c, REG_EUPSTREAM,
		    "sts:%s answered 200 without a usable %s (%s)", action,
		    field, reg_err_str(er));
	return REG_OK;
}

static enum reg_err
sts_parse_ok(struct aws_ctx *c, const struct fetch_resp *resp,
    const char *action, struct aws_creds *cr)
{
	char exp[64];
	enum reg_err er;

	er = sts_xml_field(c, resp, action, "AccessKeyId", cr->akid,
	    sizeof(cr->akid));
	if (er == REG_OK)
		er = sts_xml_field(c, resp, action, "SecretAccessKey",
		    cr->secret, sizeof(cr->secret));
	if (er == REG_OK)
		er = sts_xml_field(c, resp, action, "SessionToken",
		    cr->session_token, sizeof(cr->session_token));
	if (er == REG_OK)
		er = sts_xml_field(c, resp, action, "Expiration", exp,
		    sizeof(exp));
	if (er == REG_OK &&
	    aws_iso8601_parse(exp, strlen(exp), &cr->expiration) != REG_OK)
		er = aws_fail(c, REG_EUPSTREAM,
		    "sts:%s: Expiration is not an ISO-8601 time", action);
	if (er == REG_OK)
		er = aws_creds_check(c, cr, "sts");
	return er;
}

/* One HTTP exchange; REG_OK with res->status, or a transport error. */
static enum reg_err
sts_post(struct aws_ctx *c, const struct aws_creds *src, const struct buf *body,
    const char *action, struct aws_creds *cr, struct sts_res *res)
{
	struct fetch_req req;
	struct fetch_resp resp;
	enum reg_err er;

	fetch_req_init(&req);
	fetch_resp_init(&resp);
	req.method = "POST";
	req.url = c->sts.url;
	req.body = body->p;
	req.body_len = body->len;
	req.ca_file = c->tls.ca_file;
	req.ca_dir = c->tls.ca_dir;
	req.proxy = c->o->proxy;
	req.allow_http = !c->sts_url.https; /* loopback only, checked */
	req.timeout_ms = AWS_STS_TIMEOUT_MS;
	req.max_body = STS_BODY_MAX;
	req.quiet = true;
	er = fetch_req_header(&req, "Host", c->sts_url.hostport);
	if (er == REG_OK)
		er = fetch_req_header(&req, "Content-Type", STS_CT);
	if (er == REG_OK && src != NULL)
		er = sts_sign(c, src, body, &req);
	if (er != REG_OK)
		goto out;
	res->neterr[0] = '\0';
	er = fetch_do(&req, &resp, res->neterr, sizeof(res->neterr));
	if (er == REG_ECRYPTO) /* not retried: it would fail the same way */
		er = aws_fail(c, er,
		    "cannot reach STS at %s: %s (check the CA: --ca-file, "
		    "AWS_CA_BUNDLE or SSL_CERT_FILE)",
		    c->sts.url, res->neterr);
	else if (er != REG_OK && er != REG_EUPSTREAM)
		er = aws_fail(c, er, "sts request to %s failed: %s", c->sts.url,
		    res->neterr);
	if (er != REG_OK)
		goto out;
	res->status = resp.status;
	if (resp.status == 200)
		er = sts_parse_ok(c, &resp, action, cr);
	else
		sts_error_body(&resp, res);
out:
	aws_fetch_release(&req, &resp);
	return er;
}

static bool
sts_code_is(const struct sts_res *res, const char *a, const char *b)
{
	return strcmp(res->code, a) == 0 ||
	    (b != NULL && strcmp(res->code, b) == 0);
}

static bool
sts_retryable(const struct sts_res *res)
{
	return res->status >= 500 ||
	    sts_code_is(res, "Throttling", "ThrottlingException") ||
	    sts_code_is(res, "RequestLimitExceeded", "RequestThrottled") ||
	    sts_code_is(res, "IDPCommunicationError", NULL);
}

static enum reg_err
sts_map_error(struct aws_ctx *c, const struct aws_role *r, bool web,
    const struct sts_res *res)
{
	const char *act = web ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	const char *code = res->code[0] != '\0' ? res->code : "no error code";

	if (sts_code_is(res, "AccessDenied", NULL) && !web)
		return aws_fail(c, REG_EPERM,
		    "sts:AssumeRole on %s was denied (AccessDenied: %s); check "
		    "that %s may assume the role and, if its trust policy "
		    "requires an external id, that external_id or "
		    "AWS_EXTERNAL_ID is right (%s)",
		    r->role_arn, res->msg, r->via,
		    r->external_id != NULL ? "one was sent" : "none was sent");
	if (sts_code_is(res, "AccessDenied", NULL))
		return aws_fail(c, REG_EPERM,
		    "sts:%s on %s was denied (AccessDenied: %s)", act,
		    r->role_arn, res->msg);
	if (web && sts_code_is(res, "ExpiredTokenException", "ExpiredToken"))
		return aws_fail(c, REG_EAUTH,
		    "sts:%s on %s: the web identity token in %s has expired "
		    "(%s: %s)",
		    act, r->role_arn, r->token_file, code, res->msg);
	if (web && sts_code_is(res, "InvalidIdentityToken", NULL))
		return aws_fail(c, REG_EAUTH,
		    "sts:%s on %s: the web identity token in %s was rejected "
		    "(%s: %s)",
		    act, r->role_arn, r->token_file, code, res->msg);
	if (sts_code_is(res, "ExpiredToken", "ExpiredTokenException"))
		return aws_fail(c, REG_EAUTH,
		    "sts:%s on %s: the source credentials (%s) have expired "
		    "(%s: %s)",
		    act, r->role_arn, r->via, code, res->msg);
	if (sts_code_is(res, "RegionDisabledException", NULL))
		return aws_fail(c, REG_EPERM,
		    "sts:%s on %s: STS is not activated in region %s (%s)", act,
		    r->role_arn, c->region, res->msg);
	if (res->status >= 400 && res->status < 500 && !sts_retryable(res))
		return aws_fail(c, REG_EAUTH,
		    "sts:%s on %s failed with HTTP %ld (%s: %s)%s%s", act,
		    r->role_arn, res->status, code, res->msg,
		    web ? "" : "; source credentials: ", web ? "" : r->via);
	return aws_fail(c, REG_EUPSTREAM,
	    "sts:%s on %s: HTTP %ld from %s (%s: %s)", act, r->role_arn,
	    res->status, c->sts.url, code, res->msg);
}

/*
 * Up to AWS_STS_ATTEMPTS exchanges, retrying transport failures, 5xx and
 * throttling.  REG_OK with res->status (200: *cr filled), or an error
 * whose message is recorded.
 */
static enum reg_err
sts_attempts(struct aws_ctx *c, const struct aws_creds *src,
    const struct buf *body, const char *action, struct aws_creds *cr,
    struct sts_res *res)
{
	int attempt;
	enum reg_err er = REG_OK;

	for (attempt = 1; attempt <= AWS_STS_ATTEMPTS; attempt++) {
		if (attempt > 1) {
			log_debug("awscreds: sts:%s attempt %d failed, "
			          "retrying",
			    action, attempt - 1);
			aws_sleep_ms(c->o->retry_sleep_ms > 0
			        ? c->o->retry_sleep_ms
			        : 1000);
		}
		memset(res, 0, sizeof(*res));
		er = sts_post(c, src, body, action, cr, res);
		/* anything but a transport failure has its message */
		if (er != REG_OK && (er != REG_EUPSTREAM || res->status != 0))
			return er;
		if (er == REG_OK && (res->status == 200 || !sts_retryable(res)))
			return REG_OK;
	}
	if (er != REG_OK)
		return aws_fail(c, er, "cannot reach STS at %s: %s", c->sts.url,
		    res->neterr);
	return REG_OK; /* retryable status, attempts exhausted */
}

static enum reg_err
sts_call(struct aws_ctx *c, const struct aws_role *r,
    const struct aws_creds *src, const char *token, struct aws_creds *out)
{
	const char *action =
	    token != NULL ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	char session[80];
	struct aws_creds cr;
	struct sts_res res;
	struct buf body;
	enum reg_err er;

	memset(&cr, 0, sizeof(cr));
	memset(&res, 0, sizeof(res));
	buf_init(&body, STS_BODY_MAX);
	if (r->session != NULL)
		(void)snprintf(session, sizeof(session), "%s", r->session);
	else
		(void)snprintf(session, sizeof(session), "registry-%lld",
		    (long long)c->now);
	er = aws_ctx_sts(c);
	if (er == REG_OK)
		er = aws_ctx_tls(c);
	if (er == REG_OK)
		er = sts_body(c, action, r, session, token, &body);
	if (er == REG_OK)
		er = sts_attempts(c, src, &body, action, &cr, &res);
	if (er == REG_OK && res.status != 200)
		er = sts_map_error(c, r, token != NULL, &res);
	if (er != REG_OK)
		goto out;
	if (token != NULL)
		(void)snprintf(cr.source, sizeof(cr.source), "web identity %s",
		    r->role_arn);
	else
		(void)snprintf(cr.source, sizeof(cr.source),
		    "assume-role %s via %s", r->role_arn, r->via);
	*out = cr;
	log_debug("awscreds: sts:%s on %s ok", action, r->role_arn);
out:
	aws_creds_clear(&cr);
	buf_release_wipe(&body);
	return er;
}

enum reg_err
aws_sts_assume_role(struct aws_ctx *c, const struct aws_role *r,
    const struct aws_creds *src, struct aws_creds *out)
{
	return sts_call(c, r, src, NULL, out);
}

enum reg_err
aws_sts_web_identity(struct aws_ctx *c, const struct aws_role *r,
    struct aws_creds *out)
{
	struct buf tok;
	enum reg_err er;
	size_t n;

	buf_init(&tok, AWS_TOKEN_FILE_MAX + 1);
	er = aws_read_file(c, "web identity token file", r->token_file,
	    AWS_TOKEN_FILE_MAX, &tok, NULL);
	if (er != REG_OK)
		goto out;
	/* a JWT has no blanks: drop a trailing newline an editor added */
	n = tok.len;
	while (n > 0 &&
	    (tok.p[n - 1] == '\n' || tok.p[n - 1] == '\r' ||
	        tok.p[n - 1] == ' ' || tok.p[n - 1] == '\t'))
		n--;
	if (n < 4 || memchr(tok.p, '\0', n) != NULL) {
		er = aws_fail(c, REG_EINVAL,
		    "web identity token file %s is empty or not text",
		    r->token_file);
		goto out;
	}
	tok.p[n] = '\0';
	tok.len = n;
	er = sts_call(c, r, NULL, tok.p, out);
out:
	buf_release_wipe(&tok);
	return er;
}
