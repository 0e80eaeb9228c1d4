/*
 * storage/store.c: the LMDB environment, the transaction helper, keys,
 * and modules/versions.  Grants, rights and namespaces are in
 * store_grant.c; API tokens, the replay cache and the audit log in
 * store_misc.c; the value encoding in rec.c.  Key layout: store_priv.h.
 *
 * Invariant: every operation is one short transaction run through
 * store_txn_run() on the calling thread; the environment is opened with
 * MDB_NOTLS so read transactions hold no thread-local reader slot, and
 * LMDB's own writer lock serialises writers across threads and processes.
 * A version and its module entry are written in the same transaction, so
 * a module entry exists iff at least one version does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "storage/rec.h"
#include "storage/store_priv.h"

#define STORE_MAP_DEFAULT ((uint64_t)1 << 30)

static const char *const store_dbname[STORE_NDB] = {
	[STORE_DB_MODULES] = "modules",
	[STORE_DB_VERSIONS] = "versions",
	[STORE_DB_GRANTS] = "grants",
	[STORE_DB_GRANTS_BY_PRINCIPAL] = "grants_by_principal",
	[STORE_DB_NAMESPACES] = "namespaces",
	[STORE_DB_API_TOKENS] = "api_tokens",
	[STORE_DB_API_TOKEN_NAMES] = "api_token_names",
	[STORE_DB_REPLAY] = "replay",
	[STORE_DB_REPLAY_EXPIRY] = "replay_expiry",
	[STORE_DB_AUDIT] = "audit",
};

/*
 * How many store transactions this thread has open (callbacks of the
 * *_each functions run inside one).  A thread inside a transaction must
 * not wait for the exclusive map lock: it would wait for itself.
 */
static _Thread_local int store_depth;

/*
 * LMDB takes non-const MDB_val even where it only reads (keys, and data
 * for mdb_put without MDB_RESERVE).
 */
static void *
store_unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

enum reg_err
store_err(int rc, const char *what)
{
	switch (rc) {
	case MDB_SUCCESS:
		return REG_OK;
	case MDB_NOTFOUND:
		return REG_ENOENT;
	case MDB_KEYEXIST:
		return REG_EEXIST;
	case MDB_MAP_FULL: /* the map: raise store_opts.map_size */
	case ENOSPC:       /* the disk, at commit */
	case EDQUOT:
		log_warnx("%s: %s", what, mdb_strerror(rc));
		return REG_ENOSPC;
	case ENOMEM:
		return REG_ENOMEM;
	default:
		log_warnx("%s: %s", what, mdb_strerror(rc));
		return REG_ESTORE;
	}
}

enum reg_err
store_corrupt(enum store_db db, const MDB_val *key)
{
	log_warnx("store: corrupt record in %s (key of %zu bytes)",
	    store_dbname[db], key != NULL ? key->mv_size : 0);
	return REG_ESTORE;
}

/* ---- keys and argument checks ---- */

bool
store_str_ok(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max + 1) <= max;
}

bool
store_arr_ok(const char *a, size_t sz, size_t max)
{
	size_t n = strnlen(a, sz);

	return n > 0 && n < sz && n <= max;
}

void
store_key_init(struct store_key *k)
{
	k->len = 0;
	k->bad = false;
}

void
store_key_bytes(struct store_key *k, const void *p, size_t n)
{
	if (k->bad || n > sizeof(k->b) - k->len) {
		k->bad = true;
		return;
	}
	if (n > 0)
		memcpy(k->b + k->len, p, n);
	k->len += n;
}

static void
store_key_comp(struct store_key *k, const char *s, size_t max, bool lower)
{
	size_t i, n, start = k->len;

	if (s == NULL || k->bad) {
		k->bad = true;
		return;
	}
	n = strnlen(s, max + 1);
	if (n == 0 || n > max) {
		k->bad = true;
		return;
	}
	store_key_bytes(k, s, n);
	if (k->bad || !lower)
		return;
	/* ASCII only: names are ASCII by grammar; other bytes stay as is. */
	for (i = start; i < k->len; i++)
		if (k->b[i] >= 'A' && k->b[i] <= 'Z')
			k->b[i] = (unsigned char)(k->b[i] - 'A' + 'a');
}

void
store_key_str(struct store_key *k, const char *s, size_t max)
{
	store_key_comp(k, s, max, false);
}

void
store_key_lstr(struct store_key *k, const char *s, size_t max)
{
	store_key_comp(k, s, max, true);
}

void
store_key_sep(struct store_key *k)
{
	store_key_bytes(k, "", 1);
}

void
store_key_be(struct store_key *k, uint64_t v, size_t width)
{
	unsigned char b[8];
	size_t i;

	if (width > sizeof(b)) {
		k->bad = true;
		return;
	}
	for (i = 0; i < width; i++)
		b[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	store_key_bytes(k, b, width);
}

/* ---- environment and transactions ---- */

/*
 * Another process grew the map past ours: adopt its size.  Needs every
 * transaction of this process closed, hence the exclusive lock.
 */
static enum reg_err
store_adopt_map(struct store *st)
{
	int rc;

	if (store_depth > 0) {
		log_warnx("store: map grown by another process during a "
		          "listing; retry");
		return REG_ESTORE;
	}
	rc = pthread_rwlock_wrlock(&st->maplock);
	if (rc != 0) {
		errno = rc;
		log_warn("pthread_rwlock_wrlock");
		return REG_ESYS;
	}
	rc = mdb_env_set_mapsize(st->env, 0);
	(void)pthread_rwlock_unlock(&st->maplock);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_env_set_mapsize");
	log_info("store: adopted the map size set by another process");
	return REG_OK;
}

static enum reg_err
store_rdlock(struct store *st)
{
	int rc;

	rc = pthread_rwlock_rdlock(&st->maplock);
	if (rc != 0) {
		errno = rc;
		log_warn("pthread_rwlock_rdlock");
		return REG_ESYS;
	}
	return REG_OK;
}

enum reg_err
store_txn_run(struct store *st, unsigned int flags, store_txn_fn fn, void *arg)
{
	struct store_txn t = { .st = st, .txn = NULL };
	enum reg_err er;
	int rc, tries;

	if ((flags & MDB_RDONLY) == 0 && st->read_only) {
		log_warnx("store: write attempted on a read-only store");
		return REG_ESTORE;
	}
	for (tries = 0;; tries++) {
		er = store_rdlock(st);
		if (er != REG_OK)
			return er;
		rc = mdb_txn_begin(st->env, NULL, flags, &t.txn);
		if (rc != MDB_MAP_RESIZED || tries == 2)
			break;
		(void)pthread_rwlock_unlock(&st->maplock);
		er = store_adopt_map(st);
		if (er != REG_OK)
			return er;
	}
	if (rc != MDB_SUCCESS) {
		(void)pthread_rwlock_unlock(&st->maplock);
		return store_err(rc, "mdb_txn_begin");
	}

	store_depth++;
	er = fn(&t, arg);
	store_depth--;
	if (er != REG_OK || (flags & MDB_RDONLY) != 0) {
		mdb_txn_abort(t.txn);
	} else {
		/* The handle is freed whether or not the commit succeeds. */
		rc = mdb_txn_commit(t.txn);
		er = store_err(rc, "mdb_txn_commit");
	}
	(void)pthread_rwlock_unlock(&st->maplock);
	return er;
}

enum reg_err
store_get(struct store_txn *t, enum store_db db, const void *k, size_t klen,
    MDB_val *val)
{
	MDB_val key = { .mv_size = klen, .mv_data = store_unconst(k) };
	int rc;

	rc = mdb_get(t->txn, t->st->dbi[db], &key, val);
	return store_err(rc, "mdb_get");
}

enum reg_err
store_put(struct store_txn *t, enum store_db db, const void *k, size_t klen,
    const void *v, size_t vlen, unsigned int flags)
{
	MDB_val key = { .mv_size = klen, .mv_data = store_unconst(k) };
	MDB_val val = { .mv_size = vlen, .mv_data = store_unconst(v) };
	int rc;

	rc = mdb_put(t->txn, t->st->dbi[db], &key, &val, flags);
	return store_err(rc, "mdb_put");
}

enum reg_err
store_del(struct store_txn *t, enum store_db db, const void *k, size_t klen)
{
	MDB_val key = { .mv_size = klen, .mv_data = store_unconst(k) };
	int rc;

	rc = mdb_del(t->txn, t->st->dbi[db], &key, NULL);
	return store_err(rc, "mdb_del");
}

enum reg_err
store_scan(struct store_txn *t, enum store_db db, const void *prefix,
    size_t plen, store_scan_fn fn, void *arg)
{
	MDB_cursor *c = NULL;
	MDB_val k = { .mv_size = plen, .mv_data = store_unconst(prefix) };
	MDB_val v = { .mv_size = 0, .mv_data = NULL };
	MDB_cursor_op op = plen > 0 ? MDB_SET_RANGE : MDB_FIRST;
	enum reg_err er = REG_OK;
	bool stop = false;
	int rc;

	rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_cursor_open");
	for (;;) {
		rc = mdb_cursor_get(c, &k, &v, op);
		op = MDB_NEXT;
		if (rc == MDB_NOTFOUND)
			break;
		if (rc != MDB_SUCCESS) {
			er = store_err(rc, "mdb_cursor_get");
			break;
		}
		if (plen > 0 &&
		    (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		er = fn(&k, &v, arg, &stop);
		if (er != REG_OK || stop)
			break;
	}
	mdb_cursor_close(c);
	return er;
}

static enum reg_err
store_has_cb(const MDB_val *k, const MDB_val *v, void *arg, bool *stop)
{
	(void)k;
	(void)v;
	*(bool *)arg = true;
	*stop = true;
	return REG_OK;
}

enum reg_err
store_has_prefix(struct store_txn *t, enum store_db db, const void *prefix,
    size_t plen, bool *out)
{
	bool found = false;
	enum reg_err er;

	er = store_scan(t, db, prefix, plen, store_has_cb, &found);
	if (er == REG_OK)
		*out = found;
	return er;
}

/* Create the env handle, size it and open dir. */
static enum reg_err
store_open_env(struct store *st, const char *dir, uint64_t map, bool ro)
{
	int rc, dead = 0;

	rc = mdb_env_create(&st->env);
	if (rc != MDB_SUCCESS) {
		st->env = NULL;
		return store_err(rc, "mdb_env_create");
	}
	rc = mdb_env_set_maxdbs(st->env, STORE_NDB);
	if (rc == MDB_SUCCESS)
		rc = mdb_env_set_mapsize(st->env, (size_t)map);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_env_set");
	/* 0600: the state holds token hashes and grants. */
	rc =
	    mdb_env_open(st->env, dir, MDB_NOTLS | (ro ? MDB_RDONLY : 0), 0600);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_env_open");
	/* Free reader slots left by processes that died mid-transaction. */
	rc = mdb_reader_check(st->env, &dead);
	if (rc != MDB_SUCCESS)
		(void)store_err(rc, "mdb_reader_check");
	else if (dead > 0)
		log_info("store: cleared %d stale reader slots", dead);
	return REG_OK;
}

/* Open (or, unless read-only, create) every named database. */
static enum reg_err
store_open_dbs(struct store *st, const char *dir, bool ro)
{
	MDB_txn *txn = NULL;
	size_t i;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_txn_begin");
	for (i = 0; i < STORE_NDB; i++) {
		rc = mdb_dbi_open(txn, store_dbname[i], ro ? 0 : MDB_CREATE,
		    &st->dbi[i]);
		if (rc != MDB_SUCCESS) {
			mdb_txn_abort(txn);
			if (rc != MDB_NOTFOUND)
				return store_err(rc, "mdb_dbi_open");
			log_warnx("store: %s: database %s missing (not "
			          "initialised?)",
			    dir, store_dbname[i]);
			return REG_ESTORE;
		}
	}
	/* Even for a read transaction: this publishes the handles. */
	rc = mdb_txn_commit(txn);
	return store_err(rc, "mdb_txn_commit");
}

enum reg_err
store_open(const char *dir, const struct store_opts *opts, struct store **out)
{
	pthread_rwlockattr_t attr;
	struct store *st = NULL;
	uint64_t map = STORE_MAP_DEFAULT;
	enum reg_err er;
	bool ro = false;
	int rc;

	if (opts != NULL) {
		ro = opts->read_only;
		if (opts->map_size != 0)
			map = opts->map_size;
	}
	if (dir == NULL || out == NULL)
		return REG_EINVAL;
	if (map > SIZE_MAX) {
		log_warnx("store: map size %ju too large", (uintmax_t)map);
		return REG_EINVAL;
	}

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return REG_ENOMEM;
	st->read_only = ro;
	/*
	 * Reader-preferring, so a *_each callback may start another read
	 * transaction while a resize waits for the exclusive lock.
	 */
	if (pthread_rwlockattr_init(&attr) != 0) {
		free(st);
		return REG_ENOMEM;
	}
	(void)pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_READER_NP);
	rc = pthread_rwlock_init(&st->maplock, &attr);
	(void)pthread_rwlockattr_destroy(&attr);
	if (rc != 0) {
		free(st);
		return REG_ENOMEM;
	}

	er = store_open_env(st, dir, map, ro);
	if (er == REG_OK)
		er = store_open_dbs(st, dir, ro);
	if (er != REG_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	store_close(st);
	return er;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	(void)pthread_rwlock_destroy(&st->maplock);
	free(st);
}

/* ---- version lists ---- */

void
verlist_init(struct verlist *vl)
{
	vl->v = NULL;
	vl->n = 0;
	vl->cap = 0;
}

void
verlist_release(struct verlist *vl)
{
	free(vl->v);
	verlist_init(vl);
}

static enum reg_err
verlist_push(struct verlist *vl, const struct version_rec *v)
{
	struct version_rec *p;
	size_t ncap;

	if (vl->n == vl->cap) {
		ncap = vl->cap == 0 ? 8 : vl->cap * 2;
		if (ncap < vl->cap)
			return REG_ENOMEM;
		p = reallocarray(vl->v, ncap, sizeof(*p));
		if (p == NULL)
			return REG_ENOMEM;
		vl->v = p;
		vl->cap = ncap;
	}
	vl->v[vl->n++] = *v;
	return REG_OK;
}

/* ---- modules and versions ---- */

/* lc(ns) 0 lc(name) 0 system 0: the module key and its versions' prefix. */
static enum reg_err
store_modkey(struct store_key *k, const struct module_addr *m)
{
	if (m == NULL || !store_arr_ok(m->ns, sizeof(m->ns), NAME_MAX_LEN) ||
	    !store_arr_ok(m->name, sizeof(m->name), NAME_MAX_LEN) ||
	    !store_arr_ok(m->system, sizeof(m->system), NAME_MAX_LEN))
		return REG_EINVAL;
	store_key_init(k);
	store_key_lstr(k, m->ns, NAME_MAX_LEN);
	store_key_sep(k);
	store_key_lstr(k, m->name, NAME_MAX_LEN);
	store_key_sep(k);
	store_key_str(k, m->system, NAME_MAX_LEN);
	store_key_sep(k);
	return k->bad ? REG_EINVAL : REG_OK;
}

static enum reg_err
store_verkey(struct store_key *k, const struct module_addr *m,
    const char *version)
{
	enum reg_err er;

	er = store_modkey(k, m);
	if (er != REG_OK)
		return er;
	store_key_str(k, version, SEMVER_MAX_LEN);
	return k->bad ? REG_EINVAL : REG_OK;
}

struct vput_arg {
	const struct version_rec *in;
	struct version_rec rec; /* what is written */
	struct version_rec existing;
	bool have_existing;
};

static enum reg_err
vput_cb(struct store_txn *t, void *argp)
{
	struct vput_arg *a = argp;
	unsigned char buf[REC_MAX];
	struct store_key mk, vk;
	MDB_val key, val;
	bool newmod = false;
	enum reg_err er;
	size_t n;
	int rc;

	er = store_verkey(&vk, &a->in->m, a->in->version);
	if (er != REG_OK)
		return er;
	er = store_modkey(&mk, &a->in->m);
	if (er != REG_OK)
		return er;

	/* The module keeps the display case of its first publication. */
	a->rec = *a->in;
	er = store_get(t, STORE_DB_MODULES, mk.b, mk.len, &val);
	if (er == REG_ENOENT) {
		newmod = true;
	} else if (er != REG_OK) {
		return er;
	} else if (rec_dec_module(val.mv_data, val.mv_size, &a->rec.m) !=
	    REG_OK) {
		key.mv_size = mk.len;
		key.mv_data = mk.b;
		return store_corrupt(STORE_DB_MODULES, &key);
	}

	n = rec_enc_version(buf, sizeof(buf), &a->rec);
	if (n == 0)
		return REG_EINVAL;
	key.mv_size = vk.len;
	key.mv_data = vk.b;
	val.mv_size = n;
	val.mv_data = buf;
	/* On MDB_KEYEXIST, val is pointed at the record already there. */
	rc = mdb_put(t->txn, t->st->dbi[STORE_DB_VERSIONS], &key, &val,
	    MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		if (rec_dec_version(val.mv_data, val.mv_size, &a->existing) !=
		    REG_OK)
			return store_corrupt(STORE_DB_VERSIONS, &key);
		a->have_existing = true;
		return REG_EEXIST;
	}
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_put");

	if (!newmod)
		return REG_OK;
	n = rec_enc_module(buf, sizeof(buf), &a->in->m);
	if (n == 0)
		return REG_EINVAL;
	return store_put(t, STORE_DB_MODULES, mk.b, mk.len, buf, n, 0);
}

enum reg_err
store_version_put(struct store *st, const struct version_rec *v,
    struct version_rec *existing)
{
	struct vput_arg *a;
	enum reg_err er;

	if (v == NULL)
		return REG_EINVAL;
	/* Three records of 1.3 KiB: keep them off worker stacks. */
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return REG_ENOMEM;
	a->in = v;
	er = store_txn_run(st, 0, vput_cb, a);
	if (er == REG_EEXIST && a->have_existing && existing != NULL)
		*existing = a->existing;
	free(a);
	return er;
}

struct vget_arg {
	const struct module_addr *m;
	const char *version;
	struct version_rec *out;
};

static enum reg_err
vget_cb(struct store_txn *t, void *argp)
{
	struct vget_arg *a = argp;
	struct store_key vk;
	MDB_val key, val;
	enum reg_err er;

	er = store_verkey(&vk, a->m, a->version);
	if (er != REG_OK)
		return er;
	er = store_get(t, STORE_DB_VERSIONS, vk.b, vk.len, &val);
	if (er != REG_OK)
		return er;
	if (rec_dec_version(val.mv_data, val.mv_size, a->out) != REG_OK) {
		key.mv_size = vk.len;
		key.mv_data = vk.b;
		return store_corrupt(STORE_DB_VERSIONS, &key);
	}
	return REG_OK;
}

enum reg_err
store_version_get(struct store *st, const struct module_addr *m,
    const char *version, struct version_rec *out)
{
	struct vget_arg a = { .m = m, .version = version, .out = out };

	return store_txn_run(st, MDB_RDONLY, vget_cb, &a);
}

struct vlist_arg {
	const struct module_addr *m;
	struct verlist vl;
	struct version_rec tmp;
};

static enum reg_err
vlist_scan(const MDB_val *k, const MDB_val *v, void *argp, bool *stop)
{
	struct vlist_arg *a = argp;

	(void)stop;
	if (rec_dec_version(v->mv_data, v->mv_size, &a->tmp) != REG_OK)
		return store_corrupt(STORE_DB_VERSIONS, k);
	return verlist_push(&a->vl, &a->tmp);
}

static enum reg_err
vlist_cb(struct store_txn *t, void *argp)
{
	struct vlist_arg *a = argp;
	struct store_key mk;
	enum reg_err er;

	er = store_modkey(&mk, a->m);
	if (er != REG_OK)
		return er;
	return store_scan(t, STORE_DB_VERSIONS, mk.b, mk.len, vlist_scan, a);
}

enum reg_err
store_module_versions(struct store *st, const struct module_addr *m,
    struct verlist *out)
{
	struct vlist_arg *a;
	enum reg_err er;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return REG_ENOMEM;
	a->m = m;
	verlist_init(&a->vl);
	er = store_txn_run(st, MDB_RDONLY, vlist_cb, a);
	if (er == REG_OK && a->vl.n == 0)
		er = REG_ENOENT;
	if (er == REG_OK) {
		verlist_release(out);
		*out = a->vl;
		verlist_init(&a->vl);
	}
	verlist_release(&a->vl);
	free(a);
	return er;
}

struct vdel_arg {
	const struct module_addr *m;
	const char *version;
};

static enum reg_err
vdel_cb(struct store_txn *t, void *argp)
{
	struct vdel_arg *a = argp;
	struct store_key mk, vk;
	enum reg_err er;
	bool more = false;

	er = store_verkey(&vk, a->m, a->version);
	if (er != REG_OK)
		return er;
	er = store_modkey(&mk, a->m);
	if (er != REG_OK)
		return er;
	er = store_del(t, STORE_DB_VERSIONS, vk.b, vk.len);
	if (er != REG_OK)
		return er;
	er = store_has_prefix(t, STORE_DB_VERSIONS, mk.b, mk.len, &more);
	if (er != REG_OK || more)
		return er;
	er = store_del(t, STORE_DB_MODULES, mk.b, mk.len);
	return er == REG_ENOENT ? REG_OK : er;
}

enum reg_err
store_version_delete(struct store *st, const struct module_addr *m,
    const char *version)
{
	struct vdel_arg a = { .m = m, .version = version };

	return store_txn_run(st, 0, vdel_cb, &a);
}

struct vdep_arg {
	const struct module_addr *m;
	const char *version;
	bool deprecated;
	const char *reason;
	struct version_rec rec;
};

static enum reg_err
vdep_cb(struct store_txn *t, void *argp)
{
	struct vdep_arg *a = argp;
	unsigned char buf[REC_MAX];
	struct store_key vk;
	MDB_val key, val;
	enum reg_err er;
	size_t n;

	er = store_verkey(&vk, a->m, a->version);
	if (er != REG_OK)
		return er;
	er = store_get(t, STORE_DB_VERSIONS, vk.b, vk.len, &val);
	if (er != REG_OK)
		return er;
	if (rec_dec_version(val.mv_data, val.mv_size, &a->rec) != REG_OK) {
		key.mv_size = vk.len;
		key.mv_data = vk.b;
		return store_corrupt(STORE_DB_VERSIONS, &key);
	}
	a->rec.deprecated = a->deprecated;
	a->rec.deprecation_reason[0] = '\0';
	if (a->deprecated)
		memcpy(a->rec.deprecation_reason, a->reason,
		    strlen(a->reason) + 1);
	n = rec_enc_version(buf, sizeof(buf), &a->rec);
	if (n == 0)
		return REG_EINVAL;
	return store_put(t, STORE_DB_VERSIONS, vk.b, vk.len, buf, n, 0);
}

enum reg_err
store_version_deprecate(struct store *st, const struct module_addr *m,
    const char *version, bool deprecated, const char *reason)
{
	struct vdep_arg *a;
	enum reg_err er;

	if (reason == NULL)
		reason = "";
	if (!store_str_ok(reason, STORE_REASON_MAX))
		return REG_EINVAL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return REG_ENOMEM;
	a->m = m;
	a->version = version;
	a->deprecated = deprecated;
	a->reason = reason;
	er = store_txn_run(st, 0, vdep_cb, a);
	free(a);
	return er;
}

struct meach_arg {
	const char *ns;
	store_module_fn cb;
	void *arg;
};

static enum reg_err
meach_scan(const MDB_val *k, const MDB_val *v, void *argp, bool *stop)
{
	struct meach_arg *a = argp;
	struct module_addr m;

	if (rec_dec_module(v->mv_data, v->mv_size, &m) != REG_OK)
		return store_corrupt(STORE_DB_MODULES, k);
	if (!a->cb(&m, a->arg))
		*stop = true;
	return REG_OK;
}

static enum reg_err
meach_cb(struct store_txn *t, void *argp)
{
	struct meach_arg *a = argp;
	struct store_key pk;

	store_key_init(&pk);
	if (a->ns != NULL) {
		store_key_lstr(&pk, a->ns, NAME_MAX_LEN);
		store_key_sep(&pk);
		if (pk.bad)
			return REG_EINVAL;
	}
	return store_scan(t, STORE_DB_MODULES, pk.b, pk.len, meach_scan, a);
}

enum reg_err
store_modules_each(struct store *st, const char *ns, store_module_fn cb,
    void *arg)
{
	struct meach_arg a = { .ns = ns, .cb = cb, .arg = arg };

	if (cb == NULL)
		return REG_EINVAL;
	return store_txn_run(st, MDB_RDONLY, meach_cb, &a);
}
