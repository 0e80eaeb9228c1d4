/*
 * auth/sigv4.c: AWS Signature Version 4 (see sigv4.h).
 *
 * Invariant: every public function either succeeds or leaves its output
 * buf at the length it had on entry; the secret key and every key
 * derived from it are wiped before return.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "common/codec.h"

#define SIGV4_MAX_SECRET 256
#define SIGV4_MAX_TOKEN 8192
#define SIGV4_MAX_METHOD 32

static const char sigv4_hexu[] = "0123456789ABCDEF";

struct sigv4_hdr {
	struct span name;
	struct span value;
};

/* Undo appends: back to len bytes, keeping buf's NUL invariant. */
static void
sigv4_rewind(struct buf *b, size_t len)
{
	if (b->len > len) {
		b->len = len;
		b->p[len] = '\0';
	}
}

static bool
sigv4_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static bool
sigv4_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 7230 tchar */
static bool
sigv4_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char
sigv4_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	return c;
}

static bool
sigv4_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* "YYYYMMDDTHHMMSSZ" by shape only; range checks belong to verifiers. */
static bool
sigv4_amz_date_ok(const char *d)
{
	size_t i;

	if (d == NULL || strlen(d) != SIGV4_AMZ_DATE_LEN)
		return false;
	for (i = 0; i < SIGV4_AMZ_DATE_LEN; i++) {
		if (i == 8) {
			if (d[i] != 'T')
				return false;
		} else if (i == 15) {
			if (d[i] != 'Z')
				return false;
		} else if (!sigv4_digit(d[i])) {
			return false;
		}
	}
	return true;
}

/* region, service: [a-z0-9-]{1,64} */
static bool
sigv4_scope_part_ok(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > SIGV4_MAX_SCOPE_PART)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || sigv4_digit(s[i]) ||
		        s[i] == '-'))
			return false;
	}
	return true;
}

static bool
sigv4_creds_ok(const struct sigv4_creds *c)
{
	size_t i, n;

	if (c == NULL || c->akid == NULL || c->secret == NULL)
		return false;
	n = strlen(c->akid);
	if (n == 0 || n > SIGV4_MAX_AKID)
		return false;
	for (i = 0; i < n; i++) {
		if (!((c->akid[i] >= 'A' && c->akid[i] <= 'Z') ||
		        (c->akid[i] >= 'a' && c->akid[i] <= 'z') ||
		        sigv4_digit(c->akid[i])))
			return false;
	}
	n = strlen(c->secret);
	if (n == 0 || n > SIGV4_MAX_SECRET)
		return false;
	if (c->session_token != NULL) {
		n = strlen(c->session_token);
		if (n == 0 || n > SIGV4_MAX_TOKEN)
			return false;
		for (i = 0; i < n; i++) {
			if (c->session_token[i] < 0x21 ||
			    c->session_token[i] > 0x7e)
				return false;
		}
	}
	return true;
}

enum reg_err
sigv4_uri_encode(const char *p, size_t len, bool keep_slash, struct buf *out)
{
	size_t start = out->len, i;
	enum reg_err er = REG_OK;

	for (i = 0; i < len && er == REG_OK; i++) {
		unsigned char c = (unsigned char)p[i];

		if (sigv4_unreserved(c) || (keep_slash && c == '/')) {
			er = buf_addc(out, (char)c);
		} else {
			char e[3];

			e[0] = '%';
			e[1] = sigv4_hexu[c >> 4];
			e[2] = sigv4_hexu[c & 15];
			er = buf_add(out, e, sizeof(e));
		}
	}
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

struct sigv4_encq {
	size_t noff, nlen, voff, vlen;
};

static int
sigv4_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int
sigv4_encq_cmp(const char *base, const struct sigv4_encq *x,
    const struct sigv4_encq *y)
{
	int c = sigv4_cmp(base + x->noff, x->nlen, base + y->noff, y->nlen);

	if (c != 0)
		return c;
	return sigv4_cmp(base + x->voff, x->vlen, base + y->voff, y->vlen);
}

/* Encode every name and value into tmp, offsets into e. */
static enum reg_err
sigv4_encode_params(const struct sigv4_param *q, size_t n, struct buf *tmp,
    struct sigv4_encq *e)
{
	size_t i;
	enum reg_err er = REG_OK;

	for (i = 0; i < n && er == REG_OK; i++) {
		e[i].noff = tmp->len;
		er = sigv4_uri_encode(q[i].name.p, q[i].name.len, false, tmp);
		e[i].nlen = tmp->len - e[i].noff;
		e[i].voff = tmp->len;
		if (er == REG_OK)
			er = sigv4_uri_encode(q[i].value.p, q[i].value.len,
			    false, tmp);
		e[i].vlen = tmp->len - e[i].voff;
	}
	return er;
}

/* Stable insertion sort of idx[0..n): n is small, the order total. */
static void
sigv4_sort_params(const char *base, const struct sigv4_encq *e, size_t *idx,
    size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i; j > 0; j--) {
			if (sigv4_encq_cmp(base, &e[idx[j - 1]], &e[i]) <= 0)
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = i;
	}
}

static enum reg_err
sigv4_emit_params(const char *base, const struct sigv4_encq *e,
    const size_t *idx, size_t n, struct buf *out)
{
	size_t i;
	enum reg_err er = REG_OK;

	for (i = 0; i < n && er == REG_OK; i++) {
		const struct sigv4_encq *x = &e[idx[i]];

		if (i > 0)
			er = buf_addc(out, '&');
		if (er == REG_OK)
			er = buf_add(out, base + x->noff, x->nlen);
		if (er == REG_OK)
			er = buf_addc(out, '=');
		if (er == REG_OK)
			er = buf_add(out, base + x->voff, x->vlen);
	}
	return er;
}

enum reg_err
sigv4_canonical_query(const struct sigv4_param *q, size_t n, struct buf *out)
{
	struct sigv4_encq *e = NULL;
	size_t *idx = NULL;
	struct buf tmp;
	size_t start = out->len;
	enum reg_err er = REG_OK;

	buf_init(&tmp, SIGV4_MAX_CREQ);
	if (n > SIGV4_MAX_PARAMS || (n > 0 && q == NULL)) {
		er = REG_EINVAL;
		goto out;
	}
	if (n == 0)
		goto out;
	e = calloc(n, sizeof(*e));
	idx = calloc(n, sizeof(*idx));
	if (e == NULL || idx == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = sigv4_encode_params(q, n, &tmp, e);
	if (er != REG_OK)
		goto out;
	/* buf_cstr: "" while nothing was encoded (tmp.p is NULL then) */
	sigv4_sort_params(buf_cstr(&tmp), e, idx, n);
	er = sigv4_emit_params(buf_cstr(&tmp), e, idx, n, out);
out:
	if (er != REG_OK)
		sigv4_rewind(out, start);
	free(e);
	free(idx);
	buf_release(&tmp);
	return er;
}

/* Drop the last "/segment" written after start (a ".." segment). */
static void
sigv4_pop_segment(struct buf *out, size_t start)
{
	size_t k = out->len;

	while (k > start && out->p[k - 1] != '/')
		k--;
	if (k > start)
		k--; /* the '/' itself */
	sigv4_rewind(out, k);
}

enum reg_err
sigv4_canonical_uri(struct span path, unsigned flags, struct buf *out)
{
	struct span rest, seg;
	size_t start = out->len;
	bool more = true, trailing = false;
	enum reg_err er = REG_OK;

	if (path.len == 0)
		return buf_addc(out, '/');
	if (path.p[0] != '/')
		return REG_EINVAL;
	if (flags & SIGV4_NO_NORMALIZE_PATH)
		return sigv4_uri_encode(path.p, path.len, true, out);

	rest = span_make(path.p + 1, path.len - 1);
	while (more && er == REG_OK) {
		more = span_split(&rest, '/', &seg);
		trailing =
		    seg.len == 0 || span_eq(seg, ".") || span_eq(seg, "..");
		if (seg.len == 0 || span_eq(seg, "."))
			continue;
		if (span_eq(seg, "..")) {
			sigv4_pop_segment(out, start);
			continue;
		}
		er = buf_addc(out, '/');
		if (er == REG_OK)
			er = sigv4_uri_encode(seg.p, seg.len, false, out);
	}
	if (er == REG_OK && (out->len == start || trailing))
		er = buf_addc(out, '/');
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

static bool
sigv4_name_ok(struct span n)
{
	size_t i;

	if (n.len == 0 || n.len > SIGV4_MAX_NAME)
		return false;
	for (i = 0; i < n.len; i++) {
		if (!sigv4_tchar((unsigned char)n.p[i]))
			return false;
	}
	return true;
}

/* Field value: no control bytes except HT, LF (a fold) and CR before LF. */
static bool
sigv4_value_ok(struct span v)
{
	size_t i;

	for (i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c == '\r') {
			if (i + 1 >= v.len || v.p[i + 1] != '\n')
				return false;
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			return false;
		}
	}
	return true;
}

static bool
sigv4_name_eq(struct span a, struct span b)
{
	size_t i;

	if (a.len != b.len)
		return false;
	for (i = 0; i < a.len; i++) {
		if (sigv4_lower(a.p[i]) != sigv4_lower(b.p[i]))
			return false;
	}
	return true;
}

static int
sigv4_name_cmp(struct span a, struct span b)
{
	size_t i, n = a.len < b.len ? a.len : b.len;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)sigv4_lower(a.p[i]);
		unsigned char y = (unsigned char)sigv4_lower(b.p[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

/*
 * Collect host plus req->headers into h, validated, and idx sorted
 * stably by lower-case name.  h and idx have SIGV4_MAX_HEADERS + 1
 * entries.
 */
static enum reg_err
sigv4_sorted_headers(const struct sigv4_req *req, struct sigv4_hdr *h,
    size_t *idx, size_t *np)
{
	size_t n, i, j;

	if (req->nheaders > SIGV4_MAX_HEADERS ||
	    (req->nheaders > 0 && req->headers == NULL))
		return REG_EINVAL;
	if (req->host.len == 0 || req->host.len > SIGV4_MAX_NAME)
		return REG_EINVAL;
	for (i = 0; i < req->host.len; i++) {
		if (req->host.p[i] < 0x21 || req->host.p[i] > 0x7e)
			return REG_EINVAL;
	}
	h[0].name = span_cstr("host");
	h[0].value = req->host;
	n = 1;
	for (i = 0; i < req->nheaders; i++) {
		const struct sigv4_param *p = &req->headers[i];

		if (!sigv4_name_ok(p->name) || !sigv4_value_ok(p->value) ||
		    sigv4_name_eq(p->name, h[0].name))
			return REG_EINVAL;
		h[n].name = p->name;
		h[n].value = p->value;
		n++;
	}
	for (i = 0; i < n; i++) {
		for (j = i; j > 0; j--) {
			if (sigv4_name_cmp(h[idx[j - 1]].name, h[i].name) <= 0)
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = i;
	}
	*np = n;
	return REG_OK;
}

static enum reg_err
sigv4_add_lower(struct buf *out, struct span s)
{
	size_t i;
	enum reg_err er = REG_OK;

	for (i = 0; i < s.len && er == REG_OK; i++)
		er = buf_addc(out, sigv4_lower(s.p[i]));
	return er;
}

/*
 * Canonical value: each line (a folded header has several) trimmed,
 * runs of SP/HT collapsed to one space, lines joined with ','.
 */
static enum reg_err
sigv4_canon_value(struct span v, struct buf *out)
{
	struct span rest = v, line;
	bool more = true, first = true;
	enum reg_err er = REG_OK;

	while (more && er == REG_OK) {
		size_t a, b, i;
		bool in_ws = false;

		more = span_split(&rest, '\n', &line);
		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		if (!first)
			er = buf_addc(out, ',');
		first = false;
		a = 0;
		b = line.len;
		while (a < b && sigv4_ws(line.p[a]))
			a++;
		while (b > a && sigv4_ws(line.p[b - 1]))
			b--;
		for (i = a; i < b && er == REG_OK; i++) {
			if (sigv4_ws(line.p[i])) {
				if (!in_ws)
					er = buf_addc(out, ' ');
				in_ws = true;
			} else {
				er = buf_addc(out, line.p[i]);
				in_ws = false;
			}
		}
	}
	return er;
}

static enum reg_err
sigv4_emit_signed(const struct sigv4_hdr *h, const size_t *idx, size_t n,
    struct buf *out)
{
	size_t i;
	enum reg_err er = REG_OK;

	for (i = 0; i < n && er == REG_OK; i++) {
		if (i > 0 && sigv4_name_eq(h[idx[i - 1]].name, h[idx[i]].name))
			continue;
		if (i > 0)
			er = buf_addc(out, ';');
		if (er == REG_OK)
			er = sigv4_add_lower(out, h[idx[i]].name);
	}
	return er;
}

enum reg_err
sigv4_signed_headers(const struct sigv4_req *req, struct buf *out)
{
	struct sigv4_hdr h[SIGV4_MAX_HEADERS + 1];
	size_t idx[SIGV4_MAX_HEADERS + 1];
	size_t n = 0, start = out->len;
	enum reg_err er;

	er = sigv4_sorted_headers(req, h, idx, &n);
	if (er == REG_OK)
		er = sigv4_emit_signed(h, idx, n, out);
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

static bool
sigv4_method_ok(const char *m)
{
	size_t i, n;

	if (m == NULL)
		return false;
	n = strlen(m);
	if (n == 0 || n > SIGV4_MAX_METHOD)
		return false;
	for (i = 0; i < n; i++) {
		if (!sigv4_tchar((unsigned char)m[i]))
			return false;
	}
	return true;
}

static bool
sigv4_payload_hash_ok(const char *h)
{
	unsigned char tmp[CRYPTOW_SHA256_LEN];

	if (strcmp(h, SIGV4_UNSIGNED_PAYLOAD) == 0)
		return true;
	return hex_decode(h, strlen(h), tmp, sizeof(tmp));
}

static enum reg_err
sigv4_creq_headers(const struct sigv4_req *req, struct buf *out)
{
	struct sigv4_hdr h[SIGV4_MAX_HEADERS + 1];
	size_t idx[SIGV4_MAX_HEADERS + 1];
	size_t n = 0, i;
	enum reg_err er;

	er = sigv4_sorted_headers(req, h, idx, &n);
	for (i = 0; i < n && er == REG_OK; i++) {
		bool same =
		    i > 0 && sigv4_name_eq(h[idx[i - 1]].name, h[idx[i]].name);
		bool last = i + 1 == n ||
		    !sigv4_name_eq(h[idx[i]].name, h[idx[i + 1]].name);

		if (same) {
			er = buf_addc(out, ',');
		} else {
			er = sigv4_add_lower(out, h[idx[i]].name);
			if (er == REG_OK)
				er = buf_addc(out, ':');
		}
		if (er == REG_OK)
			er = sigv4_canon_value(h[idx[i]].value, out);
		if (er == REG_OK && last)
			er = buf_addc(out, '\n');
	}
	if (er == REG_OK)
		er = buf_addc(out, '\n');
	if (er == REG_OK)
		er = sigv4_emit_signed(h, idx, n, out);
	return er;
}

enum reg_err
sigv4_canonical_request(const struct sigv4_req *req, struct buf *out)
{
	char hash[CRYPTOW_SHA256_HEXLEN + 1];
	size_t start = out->len;
	enum reg_err er;

	if (!sigv4_method_ok(req->method) ||
	    (req->payload_hash != NULL &&
	        !sigv4_payload_hash_ok(req->payload_hash)) ||
	    (req->body == NULL && req->body_len > 0) ||
	    (req->nquery > 0 && req->query == NULL))
		return REG_EINVAL;
	er = buf_adds(out, req->method);
	if (er == REG_OK)
		er = buf_addc(out, '\n');
	if (er == REG_OK)
		er = sigv4_canonical_uri(req->path, req->flags, out);
	if (er == REG_OK)
		er = buf_addc(out, '\n');
	if (er == REG_OK)
		er = sigv4_canonical_query(req->query, req->nquery, out);
	if (er == REG_OK)
		er = buf_addc(out, '\n');
	if (er == REG_OK)
		er = sigv4_creq_headers(req, out);
	if (er == REG_OK)
		er = buf_addc(out, '\n');
	if (er == REG_OK) {
		if (req->payload_hash != NULL) {
			er = buf_adds(out, req->payload_hash);
		} else {
			er = cryptow_sha256_hex(req->body != NULL ? req->body
			                                          : "",
			    req->body_len, hash);
			if (er == REG_OK)
				er = buf_adds(out, hash);
		}
	}
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

enum reg_err
sigv4_scope(const char *amz_date, const char *region, const char *service,
    struct buf *out)
{
	size_t start = out->len;
	enum reg_err er;

	if (!sigv4_amz_date_ok(amz_date) || !sigv4_scope_part_ok(region) ||
	    !sigv4_scope_part_ok(service))
		return REG_EINVAL;
	er = buf_add(out, amz_date, 8);
	if (er == REG_OK)
		er = buf_printf(out, "/%s/%s/aws4_request", region, service);
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

enum reg_err
sigv4_string_to_sign(const char *amz_date, const char *region,
    const char *service, const char *creq, size_t creqlen, struct buf *out)
{
	char hash[CRYPTOW_SHA256_HEXLEN + 1];
	size_t start = out->len;
	enum reg_err er;

	if (!sigv4_amz_date_ok(amz_date) || (creq == NULL && creqlen > 0))
		return REG_EINVAL;
	er = cryptow_sha256_hex(creq != NULL ? creq : "", creqlen, hash);
	if (er != REG_OK)
		return er;
	er = buf_printf(out, "%s\n%s\n", SIGV4_ALGORITHM, amz_date);
	if (er == REG_OK)
		er = sigv4_scope(amz_date, region, service, out);
	if (er == REG_OK)
		er = buf_printf(out, "\n%s", hash);
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

enum reg_err
sigv4_signing_key(const char *secret, const char *amz_date, const char *region,
    const char *service, unsigned char key[CRYPTOW_SHA256_LEN])
{
	unsigned char k0[4 + SIGV4_MAX_SECRET + 1];
	unsigned char k1[CRYPTOW_SHA256_LEN], k2[CRYPTOW_SHA256_LEN];
	unsigned char k3[CRYPTOW_SHA256_LEN], k4[CRYPTOW_SHA256_LEN];
	size_t slen;
	enum reg_err er;

	if (secret == NULL || !sigv4_amz_date_ok(amz_date) ||
	    !sigv4_scope_part_ok(region) || !sigv4_scope_part_ok(service))
		return REG_EINVAL;
	slen = strlen(secret);
	if (slen == 0 || slen > SIGV4_MAX_SECRET)
		return REG_EINVAL;
	/* k0 = "AWS4" secret; the copied NULs are not part of the key */
	memcpy(k0, "AWS4", sizeof("AWS4"));
	memcpy(k0 + 4, secret, slen + 1);
	er = cryptow_hmac_sha256(k0, 4 + slen, amz_date, 8, k1);
	if (er == REG_OK)
		er = cryptow_hmac_sha256(k1, sizeof(k1), region, strlen(region),
		    k2);
	if (er == REG_OK)
		er = cryptow_hmac_sha256(k2, sizeof(k2), service,
		    strlen(service), k3);
	if (er == REG_OK)
		er =
		    cryptow_hmac_sha256(k3, sizeof(k3), "aws4_request", 12, k4);
	if (er == REG_OK)
		memcpy(key, k4, sizeof(k4));
	cryptow_wipe(k0, sizeof(k0));
	cryptow_wipe(k1, sizeof(k1));
	cryptow_wipe(k2, sizeof(k2));
	cryptow_wipe(k3, sizeof(k3));
	cryptow_wipe(k4, sizeof(k4));
	return er;
}

enum reg_err
sigv4_signature(const unsigned char key[CRYPTOW_SHA256_LEN], const char *sts,
    size_t stslen, char sig[SIGV4_SIG_HEXLEN + 1])
{
	unsigned char mac[CRYPTOW_SHA256_LEN];
	enum reg_err er;

	if (sts == NULL && stslen > 0)
		return REG_EINVAL;
	er = cryptow_hmac_sha256(key, CRYPTOW_SHA256_LEN,
	    sts != NULL ? sts : "", stslen, mac);
	if (er != REG_OK)
		return er;
	hex_encode(mac, sizeof(mac), sig);
	return REG_OK;
}

/* Canonical request -> string to sign -> signature, for either form. */
static enum reg_err
sigv4_sign(const struct sigv4_req *req, const struct sigv4_creds *creds,
    const char *region, const char *service, char sig[SIGV4_SIG_HEXLEN + 1])
{
	unsigned char key[CRYPTOW_SHA256_LEN];
	struct buf creq, sts;
	enum reg_err er;

	buf_init(&creq, SIGV4_MAX_CREQ);
	buf_init(&sts, SIGV4_MAX_CREQ);
	er = sigv4_canonical_request(req, &creq);
	if (er == REG_OK)
		er = sigv4_string_to_sign(req->amz_date, region, service,
		    buf_cstr(&creq), creq.len, &sts);
	if (er == REG_OK)
		er = sigv4_signing_key(creds->secret, req->amz_date, region,
		    service, key);
	if (er == REG_OK)
		er = sigv4_signature(key, buf_cstr(&sts), sts.len, sig);
	cryptow_wipe(key, sizeof(key));
	buf_release(&creq);
	buf_release(&sts);
	return er;
}

static bool
sigv4_has_header(const struct sigv4_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		if (sigv4_name_eq(req->headers[i].name, span_cstr(name)))
			return true;
	}
	return false;
}

enum reg_err
sigv4_authorization_header(const struct sigv4_req *req,
    const struct sigv4_creds *creds, const char *region, const char *service,
    struct buf *out)
{
	static const char *const reserved[] = { "host", "x-amz-date",
		"x-amz-security-token", "authorization" };
	struct sigv4_param h[SIGV4_MAX_HEADERS + 2];
	char sig[SIGV4_SIG_HEXLEN + 1];
	struct sigv4_req r;
	size_t n, i, start = out->len;
	enum reg_err er;

	if (!sigv4_creds_ok(creds) || !sigv4_amz_date_ok(req->amz_date) ||
	    req->nheaders > SIGV4_MAX_HEADERS ||
	    (req->nheaders > 0 && req->headers == NULL))
		return REG_EINVAL;
	for (i = 0; i < nitems(reserved); i++) {
		if (sigv4_has_header(req, reserved[i]))
			return REG_EINVAL;
	}
	n = req->nheaders;
	if (n > 0)
		memcpy(h, req->headers, n * sizeof(h[0]));
	h[n].name = span_cstr("x-amz-date");
	h[n].value = span_cstr(req->amz_date);
	n++;
	if (creds->session_token != NULL &&
	    !(req->flags & SIGV4_TOKEN_UNSIGNED)) {
		h[n].name = span_cstr("x-amz-security-token");
		h[n].value = span_cstr(creds->session_token);
		n++;
	}
	r = *req;
	r.headers = h;
	r.nheaders = n;

	er = sigv4_sign(&r, creds, region, service, sig);
	if (er == REG_OK)
		er = buf_printf(out, "%s Credential=%s/", SIGV4_ALGORITHM,
		    creds->akid);
	if (er == REG_OK)
		er = sigv4_scope(req->amz_date, region, service, out);
	if (er == REG_OK)
		er = buf_adds(out, ", SignedHeaders=");
	if (er == REG_OK)
		er = sigv4_signed_headers(&r, out);
	if (er == REG_OK)
		er = buf_printf(out, ", Signature=%s", sig);
	if (er != REG_OK)
		sigv4_rewind(out, start);
	return er;
}

static bool
sigv4_has_param(const struct sigv4_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nquery; i++) {
		if (span_eq(req->query[i].name, name))
			return true;
	}
	return false;
}

enum reg_err
sigv4_presign(const struct sigv4_req *req, const struct sigv4_creds *creds,
    const char *region, const char *service, unsigned expires, struct buf *out)
{
	static const char *const reserved[] = { "X-Amz-Algorithm",
		"X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Security-Token",
		"X-Amz-Signature" };
	struct sigv4_param q[SIGV4_MAX_PARAMS];
	char sig[SIGV4_SIG_HEXLEN + 1], expstr[16];
	struct buf cred, sh;
	struct sigv4_req r;
	size_t n, i, start = out->len;
	enum reg_err er = REG_OK;

	buf_init(&cred, SIGV4_MAX_AKID + 128);
	buf_init(&sh, SIGV4_MAX_CREQ);
	if (!sigv4_creds_ok(creds) || !sigv4_amz_date_ok(req->amz_date) ||
	    expires == 0 || expires > SIGV4_MAX_EXPIRES ||
	    req->nquery > SIGV4_MAX_PARAMS - nitems(reserved) ||
	    (req->nquery > 0 && req->query == NULL)) {
		er = REG_EINVAL;
		goto out;
	}
	for (i = 0; i < nitems(reserved); i++) {
		if (sigv4_has_param(req, reserved[i])) {
			er = REG_EINVAL;
			goto out;
		}
	}
	er = buf_printf(&cred, "%s/", creds->akid);
	if (er == REG_OK)
		er = sigv4_scope(req->amz_date, region, service, &cred);
	if (er == REG_OK)
		er = sigv4_signed_headers(req, &sh);
	if (er != REG_OK)
		goto out;
	(void)snprintf(expstr, sizeof(expstr), "%u", expires);

	n = req->nquery;
	if (n > 0)
		memcpy(q, req->query, n * sizeof(q[0]));
	q[n].name = span_cstr("X-Amz-Algorithm");
	q[n++].value = span_cstr(SIGV4_ALGORITHM);
	q[n].name = span_cstr("X-Amz-Credential");
	q[n++].value = span_make(cred.p, cred.len);
	q[n].name = span_cstr("X-Amz-Date");
	q[n++].value = span_cstr(req->amz_date);
	q[n].name = span_cstr("X-Amz-Expires");
	q[n++].value = span_cstr(expstr);
	q[n].name = span_cstr("X-Amz-SignedHeaders");
	q[n++].value = span_make(sh.p, sh.len);
	if (creds->session_token != NULL) {
		q[n].name = span_cstr("X-Amz-Security-Token");
		q[n++].value = span_cstr(creds->session_token);
	}
	r = *req;
	r.query = q;
	r.nquery = n;

	er = sigv4_sign(&r, creds, region, service, sig);
	if (er == REG_OK)
		er = buf_adds(out,
		    (req->flags & SIGV4_SCHEME_HTTP) ? "http://" : "https://");
	if (er == REG_OK)
		er = buf_add(out, req->host.p, req->host.len);
	if (er == REG_OK)
		er = sigv4_canonical_uri(req->path, req->flags, out);
	if (er == REG_OK)
		er = buf_addc(out, '?');
	if (er == REG_OK)
		er = sigv4_canonical_query(q, n, out);
	if (er == REG_OK)
		er = buf_printf(out, "&X-Amz-Signature=%s", sig);
out:
	if (er != REG_OK)
		sigv4_rewind(out, start);
	buf_release(&cred);
	buf_release(&sh);
	return er;
}
