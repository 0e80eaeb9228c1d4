/*
 * storage/store_priv.h: what the storage/store*.c files share.  Internal:
 * nothing outside storage/ includes this (it is the only header that
 * pulls in <lmdb.h>).
 *
 * Key layout (components separated by a NUL byte, which no component can
 * contain; "lc" = ASCII lower-cased, everything else as given):
 *
 *   modules            lc(ns) 0 lc(name) 0 system 0           -> REC_MODULE
 *   versions           lc(ns) 0 lc(name) 0 system 0 version   -> REC_VERSION
 *   grants             lc(ns) 0 principal                     -> REC_GRANT
 *   grants_by_principal principal 0 lc(ns)                    -> empty
 *   namespaces         lc(ns)                                 -> REC_NS
 *   api_tokens         sha256(secret) (32 bytes)              -> REC_TOKEN
 *   api_token_names    name                                   -> REC_TOKNAME
 *   replay             key (32 bytes)                         -> REC_REPLAY
 *   replay_expiry      be64(expires_at ^ 1<<63) key(32)       -> empty
 *   audit              be64(ts_us) be32(seq)                  -> REC_AUDIT
 *
 * The modules key ends in a NUL so that it is also the prefix of all of
 * that module's version keys.  The *_by_principal, api_token_names and
 * replay_expiry databases are indexes kept in the same write transaction
 * as their primary record.
 */
#ifndef REG_STORE_PRIV_H
#define REG_STORE_PRIV_H

#include <pthread.h>
#include <lmdb.h>

#include "common/err.h"
#include "storage/store.h"

enum store_db {
	STORE_DB_MODULES,
	STORE_DB_VERSIONS,
	STORE_DB_GRANTS,
	STORE_DB_GRANTS_BY_PRINCIPAL,
	STORE_DB_NAMESPACES,
	STORE_DB_API_TOKENS,
	STORE_DB_API_TOKEN_NAMES,
	STORE_DB_REPLAY,
	STORE_DB_REPLAY_EXPIRY,
	STORE_DB_AUDIT,
	STORE_NDB
};

struct store {
	MDB_env *env;
	MDB_dbi dbi[STORE_NDB];
	bool read_only;
	/*
	 * Held shared by every transaction and exclusively only to adopt a
	 * map grown by another process (mdb_env_set_mapsize() needs the
	 * process to have no transaction open).
	 */
	pthread_rwlock_t maplock;
};

struct store_txn {
	struct store *st;
	MDB_txn *txn;
};

typedef enum reg_err (*store_txn_fn)(struct store_txn *, void *);

/* LMDB's default maximum key size. */
#define STORE_KEY_MAX 511

/* A key being built; any overflow or bad component makes it bad. */
struct store_key {
	unsigned char b[STORE_KEY_MAX];
	size_t len;
	bool bad;
};

/* Map an LMDB return code to ours, logging what the caller cannot. */
enum reg_err store_err(int rc, const char *what);

/* Log a value that failed to decode (once, here) and return REG_ESTORE. */
enum reg_err store_corrupt(enum store_db, const MDB_val *key);

/*
 * Run fn in one transaction (flags: 0 or MDB_RDONLY).  A read transaction
 * is always aborted; a write transaction is committed iff fn returned
 * REG_OK.  fn must not end the transaction itself, and must copy out what
 * it keeps: MDB_val data dies with the transaction.
 */
enum reg_err store_txn_run(struct store *, unsigned int flags, store_txn_fn fn,
    void *arg) REG_MUSTCHECK;

/* mdb_get/mdb_put/mdb_del on one of our databases, mapped with store_err. */
enum reg_err store_get(struct store_txn *, enum store_db, const void *k,
    size_t klen, MDB_val *val) REG_MUSTCHECK;
enum reg_err store_put(struct store_txn *, enum store_db, const void *k,
    size_t klen, const void *v, size_t vlen, unsigned int flags) REG_MUSTCHECK;
enum reg_err store_del(struct store_txn *, enum store_db, const void *k,
    size_t klen) REG_MUSTCHECK;

/*
 * Visit every record whose key starts with prefix (plen 0: all), in key
 * order.  fn returns REG_OK to go on; *stop = true ends the walk with
 * REG_OK; any other value ends it with that value.
 */
typedef enum reg_err (*store_scan_fn)(const MDB_val *key, const MDB_val *val,
    void *arg, bool *stop);
enum reg_err store_scan(struct store_txn *, enum store_db, const void *prefix,
    size_t plen, store_scan_fn fn, void *arg) REG_MUSTCHECK;

/* True when db has at least one key starting with prefix. */
enum reg_err store_has_prefix(struct store_txn *, enum store_db,
    const void *prefix, size_t plen, bool *out) REG_MUSTCHECK;

void store_key_init(struct store_key *);
/* A component of 1..max bytes (max + 1 with strnlen), lower-cased or not. */
void store_key_str(struct store_key *, const char *s, size_t max);
void store_key_lstr(struct store_key *, const char *s, size_t max);
void store_key_bytes(struct store_key *, const void *, size_t);
void store_key_sep(struct store_key *);
void store_key_be(struct store_key *, uint64_t v, size_t width);

/* A NUL-terminated string of at most max bytes (NULL is not). */
bool store_str_ok(const char *s, size_t max);
/* An array of size sz that holds a NUL-terminated string of 1..max bytes. */
bool store_arr_ok(const char *a, size_t sz, size_t max);

#endif
