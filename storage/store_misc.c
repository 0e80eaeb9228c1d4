/*
 * storage/store_misc.c: static API tokens, the replay cache and the audit
 * log.
 *
 * Invariants, each kept inside one write transaction:
 *   - api_tokens (hash -> token) and api_token_names (name -> hash) hold
 *     the same set of tokens, so names and hashes are both unique;
 *   - every replay entry (key -> expiry) has exactly one replay_expiry
 *     entry (biased-be64(expiry) key -> ""), so the oldest expiries are
 *     the first keys there and purging needs no scan;
 *   - audit keys (be64(ts_us) be32(seq)) only grow: a new record takes
 *     max(now, last ts) and the next sequence number at that ts.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "storage/rec.h"
#include "storage/store_priv.h"

/* Expired replay entries removed per store_replay_add() call, at most. */
#define STORE_REPLAY_PURGE 32

#define STORE_AUDIT_KEYLEN 12

/* ---- static API tokens ---- */

static enum reg_err
token_read(struct store_txn *t, const unsigned char hash[32],
    struct api_token *out)
{
	MDB_val key = { .mv_size = 32, .mv_data = NULL };
	MDB_val val;
	enum reg_err er;

	er = store_get(t, STORE_DB_API_TOKENS, hash, 32, &val);
	if (er != REG_OK)
		return er;
	if (rec_dec_token(val.mv_data, val.mv_size, out) != REG_OK)
		return store_corrupt(STORE_DB_API_TOKENS, &key);
	return REG_OK;
}

/* name -> hash through the name index. */
static enum reg_err
token_hash_by_name(struct store_txn *t, const char *name,
    unsigned char hash[32])
{
	struct store_key k;
	MDB_val val;
	enum reg_err er;

	store_key_init(&k);
	store_key_str(&k, name, STORE_TOKEN_NAME_MAX);
	if (k.bad)
		return REG_EINVAL;
	er = store_get(t, STORE_DB_API_TOKEN_NAMES, k.b, k.len, &val);
	if (er != REG_OK)
		return er;
	if (rec_dec_tokname(val.mv_data, val.mv_size, hash) != REG_OK) {
		MDB_val key = { .mv_size = k.len, .mv_data = k.b };

		return store_corrupt(STORE_DB_API_TOKEN_NAMES, &key);
	}
	return REG_OK;
}

static enum reg_err
tput_cb(struct store_txn *t, void *argp)
{
	const struct api_token *tok = argp;
	unsigned char buf[REC_MAX], nbuf[REC_HDR_LEN + 2 + 32];
	struct store_key k;
	enum reg_err er;
	size_t n, nn;

	if (!store_arr_ok(tok->name, sizeof(tok->name), STORE_TOKEN_NAME_MAX))
		return REG_EINVAL;
	store_key_init(&k);
	store_key_str(&k, tok->name, STORE_TOKEN_NAME_MAX);
	n = rec_enc_token(buf, sizeof(buf), tok);
	nn = rec_enc_tokname(nbuf, sizeof(nbuf), tok->hash);
	if (k.bad || n == 0 || nn == 0)
		return REG_EINVAL;
	er = store_put(t, STORE_DB_API_TOKEN_NAMES, k.b, k.len, nbuf, nn,
	    MDB_NOOVERWRITE);
	if (er != REG_OK)
		return er;
	/* The same secret under two names would make lookups ambiguous. */
	return store_put(t, STORE_DB_API_TOKENS, tok->hash, 32, buf, n,
	    MDB_NOOVERWRITE);
}

enum reg_err
store_apitoken_put(struct store *st, const struct api_token *tok)
{
	if (tok == NULL)
		return REG_EINVAL;
	return store_txn_run(st, 0, tput_cb, (void *)(uintptr_t)tok);
}

struct tget_arg {
	const unsigned char *hash;
	const char *name;
	struct api_token tok;
	store_apitoken_fn cb;
	void *arg;
	struct store_txn *t;
};

static enum reg_err
tget_cb(struct store_txn *t, void *argp)
{
	struct tget_arg *a = argp;

	return token_read(t, a->hash, &a->tok);
}

enum reg_err
store_apitoken_get(struct store *st, const unsigned char hash[32],
    struct api_token *out)
{
	struct tget_arg a;
	enum reg_err er;

	if (hash == NULL)
		return REG_EINVAL;
	memset(&a, 0, sizeof(a));
	a.hash = hash;
	er = store_txn_run(st, MDB_RDONLY, tget_cb, &a);
	if (er == REG_OK)
		*out = a.tok;
	return er;
}

static enum reg_err
trevoke_cb(struct store_txn *t, void *argp)
{
	struct tget_arg *a = argp;
	unsigned char hash[32], buf[REC_MAX];
	enum reg_err er;
	size_t n;

	er = token_hash_by_name(t, a->name, hash);
	if (er != REG_OK)
		return er;
	er = token_read(t, hash, &a->tok);
	if (er == REG_ENOENT) {
		MDB_val key = { .mv_size = strlen(a->name), .mv_data = NULL };

		return store_corrupt(STORE_DB_API_TOKEN_NAMES, &key);
	}
	if (er != REG_OK)
		return er;
	if (a->tok.revoked)
		return REG_OK;
	a->tok.revoked = true;
	n = rec_enc_token(buf, sizeof(buf), &a->tok);
	if (n == 0)
		return REG_EINVAL;
	return store_put(t, STORE_DB_API_TOKENS, hash, 32, buf, n, 0);
}

enum reg_err
store_apitoken_revoke(struct store *st, const char *name)
{
	struct tget_arg a;

	memset(&a, 0, sizeof(a));
	a.name = name;
	return store_txn_run(st, 0, trevoke_cb, &a);
}

static enum reg_err
teach_scan(const MDB_val *k, const MDB_val *v, void *argp, bool *stop)
{
	struct tget_arg *a = argp;
	unsigned char hash[32];
	enum reg_err er;

	if (rec_dec_tokname(v->mv_data, v->mv_size, hash) != REG_OK)
		return store_corrupt(STORE_DB_API_TOKEN_NAMES, k);
	er = token_read(a->t, hash, &a->tok);
	if (er == REG_ENOENT)
		return store_corrupt(STORE_DB_API_TOKEN_NAMES, k);
	if (er != REG_OK)
		return er;
	if (!a->cb(&a->tok, a->arg))
		*stop = true;
	return REG_OK;
}

static enum reg_err
teach_cb(struct store_txn *t, void *argp)
{
	struct tget_arg *a = argp;

	a->t = t;
	return store_scan(t, STORE_DB_API_TOKEN_NAMES, NULL, 0, teach_scan, a);
}

enum reg_err
store_apitokens_each(struct store *st, store_apitoken_fn cb, void *arg)
{
	struct tget_arg a;

	if (cb == NULL)
		return REG_EINVAL;
	memset(&a, 0, sizeof(a));
	a.cb = cb;
	a.arg = arg;
	return store_txn_run(st, MDB_RDONLY, teach_cb, &a);
}

/* ---- replay cache ---- */

/* int64 -> uint64 preserving order, for big-endian keys. */
static uint64_t
bias64(int64_t v)
{
	return (uint64_t)v ^ ((uint64_t)1 << 63);
}

static int64_t
unbias64(const unsigned char *p)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t)(v ^ ((uint64_t)1 << 63));
}

struct replay_arg {
	const unsigned char *key;
	int64_t expires_at;
	int64_t now;
};

/* Drop up to STORE_REPLAY_PURGE entries that expired at or before now. */
static enum reg_err
replay_purge(struct store_txn *t, int64_t now)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	unsigned char ek[8 + 32];
	enum reg_err er = REG_OK;
	int i, rc;

	rc = mdb_cursor_open(t->txn, t->st->dbi[STORE_DB_REPLAY_EXPIRY], &c);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_cursor_open");
	for (i = 0; i < STORE_REPLAY_PURGE; i++) {
		rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
		if (rc == MDB_NOTFOUND)
			break;
		if (rc != MDB_SUCCESS) {
			er = store_err(rc, "mdb_cursor_get");
			break;
		}
		if (k.mv_size != sizeof(ek)) {
			er = store_corrupt(STORE_DB_REPLAY_EXPIRY, &k);
			break;
		}
		memcpy(ek, k.mv_data, sizeof(ek));
		if (unbias64(ek) > now)
			break;
		rc = mdb_cursor_del(c, 0);
		if (rc != MDB_SUCCESS) {
			er = store_err(rc, "mdb_cursor_del");
			break;
		}
		er = store_del(t, STORE_DB_REPLAY, ek + 8, 32);
		if (er == REG_ENOENT)
			er = REG_OK;
		if (er != REG_OK)
			break;
	}
	mdb_cursor_close(c);
	return er;
}

static enum reg_err
replay_cb(struct store_txn *t, void *argp)
{
	struct replay_arg *a = argp;
	unsigned char buf[REC_HDR_LEN + 8];
	struct store_key ek;
	MDB_val val;
	enum reg_err er;
	int64_t old;
	size_t n;

	er = replay_purge(t, a->now);
	if (er != REG_OK)
		return er;
	er = store_get(t, STORE_DB_REPLAY, a->key, 32, &val);
	if (er == REG_OK) {
		if (rec_dec_replay(val.mv_data, val.mv_size, &old) != REG_OK) {
			MDB_val key = { .mv_size = 32, .mv_data = NULL };

			return store_corrupt(STORE_DB_REPLAY, &key);
		}
		if (old > a->now)
			return REG_EEXIST;
		/* Expired but not purged yet: replace it and its index. */
		store_key_init(&ek);
		store_key_be(&ek, bias64(old), 8);
		store_key_bytes(&ek, a->key, 32);
		er = store_del(t, STORE_DB_REPLAY_EXPIRY, ek.b, ek.len);
		if (er != REG_OK && er != REG_ENOENT)
			return er;
	} else if (er != REG_ENOENT) {
		return er;
	}
	n = rec_enc_replay(buf, sizeof(buf), a->expires_at);
	if (n == 0)
		return REG_EINVAL;
	er = store_put(t, STORE_DB_REPLAY, a->key, 32, buf, n, 0);
	if (er != REG_OK)
		return er;
	store_key_init(&ek);
	store_key_be(&ek, bias64(a->expires_at), 8);
	store_key_bytes(&ek, a->key, 32);
	return store_put(t, STORE_DB_REPLAY_EXPIRY, ek.b, ek.len, "", 0, 0);
}

enum reg_err
store_replay_add(struct store *st, const unsigned char key[32],
    int64_t expires_at, int64_t now)
{
	struct replay_arg a = { .key = key,
		.expires_at = expires_at,
		.now = now };

	if (key == NULL)
		return REG_EINVAL;
	return store_txn_run(st, 0, replay_cb, &a);
}

/* ---- audit log ---- */

struct audit_arg {
	const char *json;
	size_t len;
	int64_t since_us;
	store_audit_fn cb;
	void *arg;
};

static uint64_t
be_get(const unsigned char *p, size_t width)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < width; i++)
		v = (v << 8) | p[i];
	return v;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum reg_err
aappend_cb(struct store_txn *t, void *argp)
{
	struct audit_arg *a = argp;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	struct store_key key;
	uint64_t ts = (uint64_t)now_us(), last;
	uint32_t seq = 0, lseq;
	size_t size;
	int rc;

	rc = mdb_cursor_open(t->txn, t->st->dbi[STORE_DB_AUDIT], &c);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_cursor_open");
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_SUCCESS) {
		if (k.mv_size != STORE_AUDIT_KEYLEN)
			return store_corrupt(STORE_DB_AUDIT, &k);
		last = be_get(k.mv_data, 8);
		lseq =
		    (uint32_t)be_get((const unsigned char *)k.mv_data + 8, 4);
		if (last >= (uint64_t)INT64_MAX)
			return store_corrupt(STORE_DB_AUDIT, &k);
		/* Never go back, even when the clock does. */
		if (last >= ts) {
			ts = last;
			seq = lseq + 1;
			if (lseq == UINT32_MAX) {
				ts = last + 1;
				seq = 0;
			}
		}
	} else if (rc != MDB_NOTFOUND) {
		return store_err(rc, "mdb_cursor_get");
	}

	store_key_init(&key);
	store_key_be(&key, ts, 8);
	store_key_be(&key, seq, 4);
	size = rec_audit_size(a->len);
	if (key.bad || size == 0)
		return REG_EINVAL;
	k.mv_size = key.len;
	k.mv_data = key.b;
	v.mv_size = size;
	v.mv_data = NULL;
	/* Keys only grow, so MDB_APPEND holds; encode in place. */
	rc = mdb_put(t->txn, t->st->dbi[STORE_DB_AUDIT], &k, &v,
	    MDB_RESERVE | MDB_APPEND);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_put");
	if (rec_enc_audit(v.mv_data, size, a->json, a->len) != size)
		return REG_EINVAL;
	return REG_OK;
}

enum reg_err
store_audit_append(struct store *st, const char *json, size_t len)
{
	struct audit_arg a = { .json = json, .len = len };

	if (json == NULL || len == 0)
		return REG_EINVAL;
	if (len > STORE_AUDIT_MAX)
		return REG_ETOOBIG;
	return store_txn_run(st, 0, aappend_cb, &a);
}

static enum reg_err
aeach_cb(struct store_txn *t, void *argp)
{
	struct audit_arg *a = argp;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	MDB_cursor_op op = MDB_SET_RANGE;
	struct store_key key;
	const char *json;
	enum reg_err er = REG_OK;
	size_t len;
	int rc;

	store_key_init(&key);
	store_key_be(&key, a->since_us < 0 ? 0 : (uint64_t)a->since_us, 8);
	store_key_be(&key, 0, 4);
	if (key.bad)
		return REG_EINVAL;
	rc = mdb_cursor_open(t->txn, t->st->dbi[STORE_DB_AUDIT], &c);
	if (rc != MDB_SUCCESS)
		return store_err(rc, "mdb_cursor_open");
	k.mv_size = key.len;
	k.mv_data = key.b;
	for (;;) {
		rc = mdb_cursor_get(c, &k, &v, op);
		op = MDB_NEXT;
		if (rc == MDB_NOTFOUND)
			break;
		if (rc != MDB_SUCCESS) {
			er = store_err(rc, "mdb_cursor_get");
			break;
		}
		if (k.mv_size != STORE_AUDIT_KEYLEN ||
		    be_get(k.mv_data, 8) > INT64_MAX ||
		    rec_dec_audit(v.mv_data, v.mv_size, &json, &len) !=
		        REG_OK) {
			er = store_corrupt(STORE_DB_AUDIT, &k);
			break;
		}
		if (!a->cb((int64_t)be_get(k.mv_data, 8), json, len, a->arg))
			break;
	}
	mdb_cursor_close(c);
	return er;
}

enum reg_err
store_audit_each(struct store *st, int64_t since_us, store_audit_fn cb,
    void *arg)
{
	struct audit_arg a = { .since_us = since_us, .cb = cb, .arg = arg };

	if (cb == NULL)
		return REG_EINVAL;
	return store_txn_run(st, MDB_RDONLY, aeach_cb, &a);
}
