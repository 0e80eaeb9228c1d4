/*
 * registry/req.c: FastCGI parameters -> validated struct reg_req (kcgi's
 * kvalid idea: handlers never see raw input).
 *
 * The path comes from REQUEST_URI (as the client sent it, before nginx
 * normalisation), split at '?', then at '/', and each segment is
 * percent-decoded exactly once, so "%2F" can never become a separator.
 * Empty segments, "." and ".." are refused.
 */
#include <string.h>

#include "common/log.h"
#include "common/num.h"
#include "common/span.h"
#include "registry/req.h"

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
req_pct_decode(const char *in, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexv(in[i + 1]);
			lo = hexv(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return (long)o;
}

static enum reg_err
parse_path(struct reg_req *r, struct span path, const char **why)
{
	struct span seg;
	bool more = true;

	if (path.len == 0 || path.p[0] != '/') {
		*why = "request path must start with /";
		return REG_EINVAL;
	}
	if (req_pct_decode(path.p, path.len, r->raw_path, sizeof(r->raw_path)) <
	    0) {
		*why = "request path has a bad percent-escape or is too long";
		return REG_EINVAL;
	}
	path.p++;
	path.len--;
	while (more && path.len > 0) {
		long n;

		more = span_split(&path, '/', &seg);
		if (!more)
			path.len = 0;
		if (seg.len == 0) {
			/* one trailing slash is tolerated, inner ones not */
			if (!more)
				break;
			*why = "request path has an empty segment";
			return REG_EINVAL;
		}
		if (r->nseg >= REQ_MAX_SEGS) {
			*why = "request path has too many segments";
			return REG_EINVAL;
		}
		n = req_pct_decode(seg.p, seg.len, r->seg[r->nseg],
		    sizeof(r->seg[r->nseg]));
		if (n < 0) {
			*why = "request path segment has a bad "
			       "percent-escape or is too long";
			return REG_EINVAL;
		}
		if (memchr(r->seg[r->nseg], '/', (size_t)n) != NULL ||
		    strcmp(r->seg[r->nseg], ".") == 0 ||
		    strcmp(r->seg[r->nseg], "..") == 0) {
			*why = "request path segment may not be '.', '..' or "
			       "contain an encoded '/'";
			return REG_EINVAL;
		}
		r->nseg++;
	}
	return REG_OK;
}

static enum reg_err
parse_query(struct reg_req *r, struct span q, const char **why)
{
	struct span pair, name;
	bool more = true;

	if (q.len > REQ_QUERY_MAX) {
		*why = "query string too long";
		return REG_ETOOBIG;
	}
	if (q.len > 0)
		memcpy(r->raw_query, q.p, q.len);
	r->raw_query[q.len] = '\0';
	while (more && q.len > 0) {
		struct req_param *p;

		more = span_split(&q, '&', &pair);
		if (!more)
			q.len = 0;
		if (pair.len == 0)
			continue;
		if (r->nparams >= REQ_MAX_PARAMS) {
			*why = "too many query parameters";
			return REG_EINVAL;
		}
		p = &r->params[r->nparams];
		if (!span_split(&pair, '=', &name)) {
			name = pair;
			pair.len = 0;
		}
		if (req_pct_decode(name.p, name.len, p->name, sizeof(p->name)) <
		        0 ||
		    req_pct_decode(pair.p, pair.len, p->value,
		        sizeof(p->value)) < 0) {
			*why = "query parameter has a bad percent-escape or "
			       "is too long";
			return REG_EINVAL;
		}
		r->nparams++;
	}
	return REG_OK;
}

static enum reg_method
parse_method(const char *m)
{
	if (m == NULL)
		return 0;
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "PUT") == 0)
		return M_PUT;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	if (strcmp(m, "DELETE") == 0)
		return M_DELETE;
	return 0;
}

static void
copy_param(struct reg_conn *c, const char *name, char *dst, size_t dstsz)
{
	const char *v = conn_param(c, name);

	dst[0] = '\0';
	if (v != NULL)
		(void)log_escape(dst, dstsz, v, strlen(v));
}

enum reg_err
req_parse(struct reg_conn *c, struct reg_req *r, const char **why)
{
	const char *uri, *cl, *q;
	struct span path, query = { NULL, 0 };
	enum reg_err er;

	r->conn = c;
	copy_param(c, "REQUEST_ID", r->id, sizeof(r->id));
	copy_param(c, "REMOTE_ADDR", r->remote_addr, sizeof(r->remote_addr));
	copy_param(c, "CONTENT_TYPE", r->content_type, sizeof(r->content_type));
	r->method = parse_method(conn_param(c, "REQUEST_METHOD"));
	if (r->method == 0) {
		*why = "method not supported";
		return REG_EMETHOD;
	}
	uri = conn_param(c, "REQUEST_URI");
	if (uri == NULL || uri[0] == '\0') {
		*why = "missing REQUEST_URI";
		return REG_EINVAL;
	}
	if (strlen(uri) > REQ_PATH_MAX + REQ_QUERY_MAX) {
		*why = "request URI too long";
		return REG_ETOOBIG;
	}
	q = strchr(uri, '?');
	path = span_make(uri, q != NULL ? (size_t)(q - uri) : strlen(uri));
	if (q != NULL)
		query = span_cstr(q + 1);
	if (path.len > REQ_PATH_MAX) {
		*why = "request path too long";
		return REG_ETOOBIG;
	}
	er = parse_path(r, path, why);
	if (er != REG_OK)
		return er;
	er = parse_query(r, query, why);
	if (er != REG_OK)
		return er;
	cl = conn_param(c, "CONTENT_LENGTH");
	if (cl != NULL && cl[0] != '\0') {
		if (num_parse_u64(cl, strlen(cl), 0, UINT64_C(1) << 40,
		        &r->content_length) != REG_OK) {
			*why = "bad Content-Length";
			return REG_EINVAL;
		}
		r->has_content_length = true;
	}
	r->authorization = conn_param(c, "HTTP_AUTHORIZATION");
	return REG_OK;
}

const char *
req_param(const struct reg_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return r->params[i].value;
	return NULL;
}
