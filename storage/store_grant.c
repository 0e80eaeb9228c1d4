/*
 * storage/store_grant.c: grants, effective rights and namespaces.
 *
 * Invariant: grants holds lc(ns) 0 principal -> REC_GRANT and
 * grants_by_principal holds principal 0 lc(ns) -> "" for exactly the same
 * pairs; both are written and deleted in the same transaction.  The index
 * makes "every grant of one principal" a prefix walk (store_rights'
 * any_grant, and listings filtered by principal).
 */
#include <stdlib.h>
#include <string.h>

#include "storage/rec.h"
#include "storage/store_priv.h"

/* lc(ns) 0 principal, and principal 0 lc(ns). */
static enum reg_err
grant_keys(struct store_key *gk, struct store_key *pk, const char *ns,
    const char *principal)
{
	store_key_init(gk);
	store_key_lstr(gk, ns, NAME_MAX_LEN);
	store_key_sep(gk);
	store_key_str(gk, principal, STORE_PRINCIPAL_MAX);
	if (pk != NULL) {
		store_key_init(pk);
		store_key_str(pk, principal, STORE_PRINCIPAL_MAX);
		store_key_sep(pk);
		store_key_lstr(pk, ns, NAME_MAX_LEN);
	}
	if (gk->bad || (pk != NULL && pk->bad))
		return REG_EINVAL;
	return REG_OK;
}

/*
 * Split a key "a 0 b" into its two components (1..amax and 1..bmax bytes,
 * no NUL in b) as C strings.  False when the key does not have that shape.
 */
static bool
split_key(const MDB_val *k, char *a, size_t amax, char *b, size_t bmax)
{
	const char *p = k->mv_data;
	const char *sep;
	size_t alen, blen;

	sep = k->mv_size > 0 ? memchr(p, '\0', k->mv_size) : NULL;
	if (sep == NULL)
		return false;
	alen = (size_t)(sep - p);
	blen = k->mv_size - alen - 1;
	if (alen == 0 || alen > amax || blen == 0 || blen > bmax ||
	    memchr(sep + 1, '\0', blen) != NULL)
		return false;
	memcpy(a, p, alen);
	a[alen] = '\0';
	memcpy(b, sep + 1, blen);
	b[blen] = '\0';
	return true;
}

static enum reg_err
grant_read(struct store_txn *t, const struct store_key *gk, struct grant *out)
{
	MDB_val key = { .mv_size = gk->len, .mv_data = NULL };
	MDB_val val;
	enum reg_err er;

	er = store_get(t, STORE_DB_GRANTS, gk->b, gk->len, &val);
	if (er != REG_OK)
		return er;
	if (rec_dec_grant(val.mv_data, val.mv_size, out) != REG_OK)
		return store_corrupt(STORE_DB_GRANTS, &key);
	return REG_OK;
}

struct gput_arg {
	const char *ns;
	const char *principal;
	const struct grant *g;
	enum store_put_mode mode;
};

static enum reg_err
gput_cb(struct store_txn *t, void *argp)
{
	struct gput_arg *a = argp;
	unsigned char buf[REC_MAX];
	struct store_key gk, pk;
	struct grant rec, old;
	enum reg_err er;
	size_t n;

	er = grant_keys(&gk, &pk, a->ns, a->principal);
	if (er != REG_OK)
		return er;
	rec = *a->g;
	er = grant_read(t, &gk, &old);
	if (er == REG_OK) {
		if (a->mode == STORE_CREATE)
			return REG_EEXIST;
		/* The grant's creation stays what it was. */
		rec.created_at = old.created_at;
		memcpy(rec.created_by, old.created_by, sizeof(rec.created_by));
	} else if (er == REG_ENOENT) {
		if (a->mode == STORE_UPDATE)
			return REG_ENOENT;
	} else {
		return er;
	}
	n = rec_enc_grant(buf, sizeof(buf), &rec);
	if (n == 0)
		return REG_EINVAL;
	er = store_put(t, STORE_DB_GRANTS, gk.b, gk.len, buf, n, 0);
	if (er != REG_OK)
		return er;
	return store_put(t, STORE_DB_GRANTS_BY_PRINCIPAL, pk.b, pk.len, "", 0,
	    0);
}

enum reg_err
store_grant_put(struct store *st, const char *ns, const char *principal,
    const struct grant *g, enum store_put_mode mode)
{
	struct gput_arg a = { .ns = ns,
		.principal = principal,
		.g = g,
		.mode = mode };

	if (g == NULL ||
	    (mode != STORE_CREATE && mode != STORE_REPLACE &&
	        mode != STORE_UPDATE))
		return REG_EINVAL;
	return store_txn_run(st, 0, gput_cb, &a);
}

struct gget_arg {
	const char *ns;
	const char *principal;
	struct grant *out;
};

static enum reg_err
gget_cb(struct store_txn *t, void *argp)
{
	struct gget_arg *a = argp;
	struct store_key gk;
	enum reg_err er;

	er = grant_keys(&gk, NULL, a->ns, a->principal);
	if (er != REG_OK)
		return er;
	return grant_read(t, &gk, a->out);
}

enum reg_err
store_grant_get(struct store *st, const char *ns, const char *principal,
    struct grant *out)
{
	struct gget_arg a = { .ns = ns, .principal = principal, .out = out };

	return store_txn_run(st, MDB_RDONLY, gget_cb, &a);
}

static enum reg_err
gdel_cb(struct store_txn *t, void *argp)
{
	struct gget_arg *a = argp;
	struct store_key gk, pk;
	enum reg_err er;

	er = grant_keys(&gk, &pk, a->ns, a->principal);
	if (er != REG_OK)
		return er;
	er = store_del(t, STORE_DB_GRANTS, gk.b, gk.len);
	if (er != REG_OK)
		return er;
	er = store_del(t, STORE_DB_GRANTS_BY_PRINCIPAL, pk.b, pk.len);
	return er == REG_ENOENT ? REG_OK : er;
}

enum reg_err
store_grant_delete(struct store *st, const char *ns, const char *principal)
{
	struct gget_arg a = { .ns = ns, .principal = principal, .out = NULL };

	return store_txn_run(st, 0, gdel_cb, &a);
}

struct geach_arg {
	const char *ns;
	const char *principal;
	store_grant_fn cb;
	void *arg;
	struct store_txn *t;
	struct grant_entry e;
};

/* grants: lc(ns) 0 principal -> grant */
static enum reg_err
geach_scan(const MDB_val *k, const MDB_val *v, void *argp, bool *stop)
{
	struct geach_arg *a = argp;

	if (!split_key(k, a->e.ns, NAME_MAX_LEN, a->e.principal,
	        STORE_PRINCIPAL_MAX) ||
	    rec_dec_grant(v->mv_data, v->mv_size, &a->e.g) != REG_OK)
		return store_corrupt(STORE_DB_GRANTS, k);
	if (!a->cb(&a->e, a->arg))
		*stop = true;
	return REG_OK;
}

/* grants_by_principal: principal 0 lc(ns) -> "", then the grant itself */
static enum reg_err
geach_pscan(const MDB_val *k, const MDB_val *v, void *argp, bool *stop)
{
	struct geach_arg *a = argp;
	struct store_key gk;
	enum reg_err er;

	(void)v;
	if (!split_key(k, a->e.principal, STORE_PRINCIPAL_MAX, a->e.ns,
	        NAME_MAX_LEN))
		return store_corrupt(STORE_DB_GRANTS_BY_PRINCIPAL, k);
	er = grant_keys(&gk, NULL, a->e.ns, a->e.principal);
	if (er == REG_OK)
		er = grant_read(a->t, &gk, &a->e.g);
	if (er == REG_ENOENT || er == REG_EINVAL)
		return store_corrupt(STORE_DB_GRANTS_BY_PRINCIPAL, k);
	if (er != REG_OK)
		return er;
	if (!a->cb(&a->e, a->arg))
		*stop = true;
	return REG_OK;
}

static enum reg_err
geach_cb(struct store_txn *t, void *argp)
{
	struct geach_arg *a = argp;
	struct store_key k;
	enum reg_err er;

	a->t = t;
	if (a->ns != NULL && a->principal != NULL) {
		er = grant_keys(&k, NULL, a->ns, a->principal);
		if (er == REG_OK)
			er = grant_read(t, &k, &a->e.g);
		if (er == REG_ENOENT)
			return REG_OK; /* nothing matches the filter */
		if (er != REG_OK)
			return er;
		store_key_init(&k);
		store_key_lstr(&k, a->ns, NAME_MAX_LEN);
		memcpy(a->e.ns, k.b, k.len);
		a->e.ns[k.len] = '\0';
		memcpy(a->e.principal, a->principal, strlen(a->principal) + 1);
		(void)a->cb(&a->e, a->arg);
		return REG_OK;
	}
	store_key_init(&k);
	if (a->principal != NULL) {
		store_key_str(&k, a->principal, STORE_PRINCIPAL_MAX);
		store_key_sep(&k);
		if (k.bad)
			return REG_EINVAL;
		return store_scan(t, STORE_DB_GRANTS_BY_PRINCIPAL, k.b, k.len,
		    geach_pscan, a);
	}
	if (a->ns != NULL) {
		store_key_lstr(&k, a->ns, NAME_MAX_LEN);
		store_key_sep(&k);
		if (k.bad)
			return REG_EINVAL;
	}
	return store_scan(t, STORE_DB_GRANTS, k.b, k.len, geach_scan, a);
}

enum reg_err
store_grants_each(struct store *st, const char *ns, const char *principal,
    store_grant_fn cb, void *arg)
{
	struct geach_arg *a;
	enum reg_err er;

	if (cb == NULL)
		return REG_EINVAL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return REG_ENOMEM;
	a->ns = ns;
	a->principal = principal;
	a->cb = cb;
	a->arg = arg;
	er = store_txn_run(st, MDB_RDONLY, geach_cb, a);
	free(a);
	return er;
}

struct rights_arg {
	const char *principal;
	const char *unique_id; /* the caller's, or NULL */
	const char *ns;
	struct rights r;
};

/* A grant pinned to another incarnation of the role gives nothing. */
static void
rights_or(struct rights *r, const struct grant *g, const char *uid)
{
	if (g->unique_id[0] != '\0' &&
	    (uid == NULL || strcmp(uid, g->unique_id) != 0)) {
		r->pin_mismatch = true;
		return;
	}
	r->download |= g->download;
	r->upload |= g->upload;
	r->create_grant |= g->create_grant;
	r->delete_grant |= g->delete_grant;
}

static enum reg_err
rights_cb(struct store_txn *t, void *argp)
{
	struct rights_arg *a = argp;
	const char *nss[2] = { a->ns, "*" };
	struct store_key k;
	struct grant g;
	MDB_val val;
	enum reg_err er;
	bool pub = false;
	size_t i;

	memset(&a->r, 0, sizeof(a->r));
	for (i = 0; i < nitems(nss); i++) {
		if (nss[i] == NULL)
			continue;
		er = grant_keys(&k, NULL, nss[i], a->principal);
		if (er == REG_OK)
			er = grant_read(t, &k, &g);
		if (er == REG_ENOENT)
			continue;
		if (er != REG_OK)
			return er;
		rights_or(&a->r, &g, a->unique_id);
	}
	if (a->ns != NULL) {
		store_key_init(&k);
		store_key_lstr(&k, a->ns, NAME_MAX_LEN);
		if (k.bad)
			return REG_EINVAL;
		er = store_get(t, STORE_DB_NAMESPACES, k.b, k.len, &val);
		if (er == REG_OK &&
		    rec_dec_ns(val.mv_data, val.mv_size, &pub) != REG_OK) {
			MDB_val key = { .mv_size = k.len, .mv_data = k.b };

			return store_corrupt(STORE_DB_NAMESPACES, &key);
		}
		if (er != REG_OK && er != REG_ENOENT)
			return er;
		if (pub)
			a->r.download = true;
	}
	store_key_init(&k);
	store_key_str(&k, a->principal, STORE_PRINCIPAL_MAX);
	store_key_sep(&k);
	if (k.bad)
		return REG_EINVAL;
	return store_has_prefix(t, STORE_DB_GRANTS_BY_PRINCIPAL, k.b, k.len,
	    &a->r.any_grant);
}

enum reg_err
store_rights(struct store *st, const char *principal, const char *unique_id,
    const char *ns, struct rights *out)
{
	struct rights_arg a = { .principal = principal,
		.unique_id = unique_id != NULL && unique_id[0] != '\0'
		    ? unique_id
		    : NULL,
		.ns = ns };
	enum reg_err er;

	er = store_txn_run(st, MDB_RDONLY, rights_cb, &a);
	if (er == REG_OK)
		*out = a.r;
	return er;
}

/* ---- namespaces ---- */

struct ns_arg {
	const char *ns;
	bool pub;
};

static enum reg_err
ns_set_cb(struct store_txn *t, void *argp)
{
	struct ns_arg *a = argp;
	unsigned char buf[REC_HDR_LEN + 1];
	struct store_key k;
	size_t n;

	store_key_init(&k);
	store_key_lstr(&k, a->ns, NAME_MAX_LEN);
	if (k.bad)
		return REG_EINVAL;
	n = rec_enc_ns(buf, sizeof(buf), a->pub);
	if (n == 0)
		return REG_EINVAL;
	return store_put(t, STORE_DB_NAMESPACES, k.b, k.len, buf, n, 0);
}

enum reg_err
store_ns_set_public(struct store *st, const char *ns, bool pub)
{
	struct ns_arg a = { .ns = ns, .pub = pub };

	return store_txn_run(st, 0, ns_set_cb, &a);
}

static enum reg_err
ns_get_cb(struct store_txn *t, void *argp)
{
	struct ns_arg *a = argp;
	struct store_key k;
	MDB_val val;
	enum reg_err er;

	store_key_init(&k);
	store_key_lstr(&k, a->ns, NAME_MAX_LEN);
	if (k.bad)
		return REG_EINVAL;
	er = store_get(t, STORE_DB_NAMESPACES, k.b, k.len, &val);
	if (er == REG_ENOENT) {
		a->pub = false;
		return REG_OK;
	}
	if (er != REG_OK)
		return er;
	if (rec_dec_ns(val.mv_data, val.mv_size, &a->pub) != REG_OK) {
		MDB_val key = { .mv_size = k.len, .mv_data = k.b };

		return store_corrupt(STORE_DB_NAMESPACES, &key);
	}
	return REG_OK;
}

enum reg_err
store_ns_is_public(struct store *st, const char *ns, bool *out)
{
	struct ns_arg a = { .ns = ns, .pub = false };
	enum reg_err er;

	er = store_txn_run(st, MDB_RDONLY, ns_get_cb, &a);
	if (er == REG_OK)
		*out = a.pub;
	return er;
}
