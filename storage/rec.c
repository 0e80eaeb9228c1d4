/*
 * storage/rec.c: see rec.h for the format.  A writer and a reader keep a
 * sticky "bad" flag, so a record codec is a straight list of field calls
 * followed by one check; once bad, no further byte is read or written.
 */
#include <string.h>

#include "storage/rec.h"

struct rec_w {
	unsigned char *p;
	size_t cap;
	size_t len;
	bool bad;
};

struct rec_r {
	const unsigned char *p;
	size_t len;
	size_t off;
	bool bad;
};

/* ---- writer ---- */

static void
w_init(struct rec_w *w, unsigned char *p, size_t cap, enum rec_type type)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->bad = false;
	if (cap < REC_HDR_LEN) {
		w->bad = true;
		return;
	}
	p[0] = REC_MAGIC;
	p[1] = REC_V1;
	p[2] = (unsigned char)type;
	w->len = REC_HDR_LEN;
}

static void
w_bytes(struct rec_w *w, const void *s, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void
w_uint(struct rec_w *w, uint64_t v, size_t width)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < width; i++)
		b[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	w_bytes(w, b, width);
}

static void
w_bool(struct rec_w *w, bool v)
{
	w_uint(w, v ? 1 : 0, 1);
}

static void
w_i64(struct rec_w *w, int64_t v)
{
	w_uint(w, (uint64_t)v, 8);
}

/*
 * A string field from a char array of size arrsz: it must be
 * NUL-terminated inside the array and at most max bytes long.
 */
static void
w_str(struct rec_w *w, const char *arr, size_t arrsz, size_t max)
{
	size_t n = strnlen(arr, arrsz);

	if (n == arrsz || n > max || n > UINT16_MAX) {
		w->bad = true;
		return;
	}
	w_uint(w, n, 2);
	w_bytes(w, arr, n);
}

static size_t
w_done(const struct rec_w *w)
{
	return w->bad ? 0 : w->len;
}

/* ---- reader ---- */

static void
r_init(struct rec_r *r, const void *p, size_t len, enum rec_type type)
{
	r->p = p;
	r->len = len;
	r->off = REC_HDR_LEN;
	r->bad = p == NULL || len < REC_HDR_LEN || r->p[0] != REC_MAGIC ||
	    r->p[1] != REC_V1 || r->p[2] != (unsigned char)type;
}

/* Borrow n bytes from the value, or NULL (and bad) when they are not all there. */
static const unsigned char *
r_take(struct rec_r *r, size_t n)
{
	const unsigned char *q;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static uint64_t
r_uint(struct rec_r *r, size_t width)
{
	const unsigned char *q = r_take(r, width);
	uint64_t v = 0;
	size_t i;

	if (q == NULL)
		return 0;
	for (i = 0; i < width; i++)
		v = (v << 8) | q[i];
	return v;
}

static bool
r_bool(struct rec_r *r)
{
	uint64_t v = r_uint(r, 1);

	if (v > 1)
		r->bad = true;
	return v == 1;
}

static int64_t
r_i64(struct rec_r *r)
{
	return (int64_t)r_uint(r, 8);
}

/* A string field into dst (size dstsz, so at most dstsz - 1 bytes). */
static void
r_str(struct rec_r *r, char *dst, size_t dstsz)
{
	size_t n = (size_t)r_uint(r, 2);
	const unsigned char *q;

	if (r->bad || n >= dstsz) {
		r->bad = true;
		return;
	}
	q = r_take(r, n);
	if (q == NULL || (n > 0 && memchr(q, '\0', n) != NULL)) {
		r->bad = true;
		return;
	}
	if (n > 0)
		memcpy(dst, q, n);
	dst[n] = '\0';
}

static void
r_hash(struct rec_r *r, unsigned char out[32])
{
	const unsigned char *q;

	if (r_uint(r, 2) != 32)
		r->bad = true;
	q = r_take(r, 32);
	if (q != NULL)
		memcpy(out, q, 32);
}

/* All fields read and nothing left over. */
static enum reg_err
r_done(const struct rec_r *r)
{
	if (r->bad || r->off != r->len)
		return REG_ESTORE;
	return REG_OK;
}

/* ---- records ---- */

static void
w_addr(struct rec_w *w, const struct module_addr *m)
{
	w_str(w, m->ns, sizeof(m->ns), NAME_MAX_LEN);
	w_str(w, m->name, sizeof(m->name), NAME_MAX_LEN);
	w_str(w, m->system, sizeof(m->system), NAME_MAX_LEN);
}

static void
r_addr(struct rec_r *r, struct module_addr *m)
{
	r_str(r, m->ns, sizeof(m->ns));
	r_str(r, m->name, sizeof(m->name));
	r_str(r, m->system, sizeof(m->system));
}

size_t
rec_enc_module(unsigned char *out, size_t outsz, const struct module_addr *m)
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_MODULE);
	w_addr(&w, m);
	return w_done(&w);
}

enum reg_err
rec_dec_module(const void *p, size_t len, struct module_addr *out)
{
	struct module_addr m;
	struct rec_r r;
	enum reg_err er;

	r_init(&r, p, len, REC_MODULE);
	r_addr(&r, &m);
	er = r_done(&r);
	if (er == REG_OK)
		*out = m;
	return er;
}

size_t
rec_enc_version(unsigned char *out, size_t outsz, const struct version_rec *v)
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_VERSION);
	w_addr(&w, &v->m);
	w_str(&w, v->version, sizeof(v->version), SEMVER_MAX_LEN);
	w_str(&w, v->digest, sizeof(v->digest), sizeof(v->digest) - 1);
	w_uint(&w, v->size, 8);
	w_str(&w, v->format, sizeof(v->format), sizeof(v->format) - 1);
	w_str(&w, v->publisher, sizeof(v->publisher), STORE_PRINCIPAL_MAX);
	w_i64(&w, v->published_at);
	w_bool(&w, v->deprecated);
	w_str(&w, v->deprecation_reason, sizeof(v->deprecation_reason),
	    STORE_REASON_MAX);
	return w_done(&w);
}

enum reg_err
rec_dec_version(const void *p, size_t len, struct version_rec *out)
{
	struct version_rec v;
	struct rec_r r;
	enum reg_err er;

	r_init(&r, p, len, REC_VERSION);
	r_addr(&r, &v.m);
	r_str(&r, v.version, sizeof(v.version));
	r_str(&r, v.digest, sizeof(v.digest));
	v.size = r_uint(&r, 8);
	r_str(&r, v.format, sizeof(v.format));
	r_str(&r, v.publisher, sizeof(v.publisher));
	v.published_at = r_i64(&r);
	v.deprecated = r_bool(&r);
	r_str(&r, v.deprecation_reason, sizeof(v.deprecation_reason));
	er = r_done(&r);
	if (er == REG_OK)
		*out = v;
	return er;
}

/* Rights as one flag byte; bits above these are refused when decoding. */
#define REC_G_DOWNLOAD 0x01
#define REC_G_UPLOAD 0x02
#define REC_G_CREATE 0x04
#define REC_G_DELETE 0x08
#define REC_G_ALL 0x0f

size_t
rec_enc_grant(unsigned char *out, size_t outsz, const struct grant *g)
{
	struct rec_w w;
	unsigned int f = 0;

	if (g->download)
		f |= REC_G_DOWNLOAD;
	if (g->upload)
		f |= REC_G_UPLOAD;
	if (g->create_grant)
		f |= REC_G_CREATE;
	if (g->delete_grant)
		f |= REC_G_DELETE;
	w_init(&w, out, outsz, REC_GRANT);
	w_uint(&w, f, 1);
	w_i64(&w, g->created_at);
	w_i64(&w, g->updated_at);
	w_str(&w, g->created_by, sizeof(g->created_by), STORE_PRINCIPAL_MAX);
	w_str(&w, g->unique_id, sizeof(g->unique_id), sizeof(g->unique_id) - 1);
	return w_done(&w);
}

enum reg_err
rec_dec_grant(const void *p, size_t len, struct grant *out)
{
	struct grant g;
	struct rec_r r;
	enum reg_err er;
	uint64_t f;

	r_init(&r, p, len, REC_GRANT);
	f = r_uint(&r, 1);
	if ((f & ~(uint64_t)REC_G_ALL) != 0)
		r.bad = true;
	g.download = (f & REC_G_DOWNLOAD) != 0;
	g.upload = (f & REC_G_UPLOAD) != 0;
	g.create_grant = (f & REC_G_CREATE) != 0;
	g.delete_grant = (f & REC_G_DELETE) != 0;
	g.created_at = r_i64(&r);
	g.updated_at = r_i64(&r);
	r_str(&r, g.created_by, sizeof(g.created_by));
	r_str(&r, g.unique_id, sizeof(g.unique_id));
	er = r_done(&r);
	if (er == REG_OK)
		*out = g;
	return er;
}

size_t
rec_enc_ns(unsigned char *out, size_t outsz, bool pub)
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_NS);
	w_bool(&w, pub);
	return w_done(&w);
}

enum reg_err
rec_dec_ns(const void *p, size_t len, bool *pub)
{
	struct rec_r r;
	enum reg_err er;
	bool v;

	r_init(&r, p, len, REC_NS);
	v = r_bool(&r);
	er = r_done(&r);
	if (er == REG_OK)
		*pub = v;
	return er;
}

static void
w_hash(struct rec_w *w, const unsigned char hash[32])
{
	w_uint(w, 32, 2);
	w_bytes(w, hash, 32);
}

size_t
rec_enc_token(unsigned char *out, size_t outsz, const struct api_token *t)
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_TOKEN);
	w_str(&w, t->name, sizeof(t->name), STORE_TOKEN_NAME_MAX);
	w_hash(&w, t->hash);
	w_i64(&w, t->created_at);
	w_i64(&w, t->expires_at);
	w_str(&w, t->created_by, sizeof(t->created_by), STORE_PRINCIPAL_MAX);
	w_bool(&w, t->revoked);
	return w_done(&w);
}

enum reg_err
rec_dec_token(const void *p, size_t len, struct api_token *out)
{
	struct api_token t;
	struct rec_r r;
	enum reg_err er;

	r_init(&r, p, len, REC_TOKEN);
	r_str(&r, t.name, sizeof(t.name));
	r_hash(&r, t.hash);
	t.created_at = r_i64(&r);
	t.expires_at = r_i64(&r);
	r_str(&r, t.created_by, sizeof(t.created_by));
	t.revoked = r_bool(&r);
	er = r_done(&r);
	if (er == REG_OK)
		*out = t;
	return er;
}

size_t
rec_enc_tokname(unsigned char *out, size_t outsz, const unsigned char hash[32])
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_TOKNAME);
	w_hash(&w, hash);
	return w_done(&w);
}

enum reg_err
rec_dec_tokname(const void *p, size_t len, unsigned char hash[32])
{
	unsigned char h[32];
	struct rec_r r;
	enum reg_err er;

	r_init(&r, p, len, REC_TOKNAME);
	r_hash(&r, h);
	er = r_done(&r);
	if (er == REG_OK)
		memcpy(hash, h, sizeof(h));
	return er;
}

size_t
rec_enc_replay(unsigned char *out, size_t outsz, int64_t expires_at)
{
	struct rec_w w;

	w_init(&w, out, outsz, REC_REPLAY);
	w_i64(&w, expires_at);
	return w_done(&w);
}

enum reg_err
rec_dec_replay(const void *p, size_t len, int64_t *expires_at)
{
	struct rec_r r;
	enum reg_err er;
	int64_t v;

	r_init(&r, p, len, REC_REPLAY);
	v = r_i64(&r);
	er = r_done(&r);
	if (er == REG_OK)
		*expires_at = v;
	return er;
}

size_t
rec_audit_size(size_t len)
{
	if (len > UINT32_MAX || len > SIZE_MAX - (REC_HDR_LEN + 4 + 1))
		return 0;
	return REC_HDR_LEN + 4 + len + 1;
}

size_t
rec_enc_audit(unsigned char *out, size_t outsz, const char *json, size_t len)
{
	struct rec_w w;

	if (rec_audit_size(len) == 0)
		return 0;
	w_init(&w, out, outsz, REC_AUDIT);
	w_uint(&w, len, 4);
	w_bytes(&w, json, len);
	w_bytes(&w, "", 1);
	return w_done(&w);
}

enum reg_err
rec_dec_audit(const void *p, size_t len, const char **json, size_t *jlen)
{
	const unsigned char *q, *nul;
	struct rec_r r;
	enum reg_err er;
	size_t n;

	r_init(&r, p, len, REC_AUDIT);
	n = (size_t)r_uint(&r, 4);
	q = r_take(&r, n);
	nul = r_take(&r, 1);
	if (nul != NULL && *nul != '\0')
		r.bad = true;
	er = r_done(&r);
	if (er == REG_OK) {
		*json = (const char *)q;
		*jlen = n;
	}
	return er;
}
