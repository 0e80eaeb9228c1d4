/*
 * auth/keyring.h: the HMAC signing keys of bearer tokens and archive URL
 * signatures.
 *
 * On disk a key directory (<state>/keys/, mode 0700) holds one file per
 * key, <kid>.key, mode 0600, containing 32 random bytes as 64 lower-case
 * hex digits and a newline (65 bytes).  Generated kids are
 * "k" + UTC YYYYMMDDHHMMSS + 4 hex digits, so names sort by age and the
 * newest key (the greatest kid, bytewise) is the current signing key.
 * Rotation is adding a key; retiring is deleting one.  Every other file in
 * the directory is ignored, including dot files (keyring_generate's
 * temporaries).
 *
 * A struct keyring is immutable once built and reference counted, so any
 * number of threads may use one at the same time.  The raw keys never stay
 * in memory: each is replaced at load by one sub-key per purpose,
 * HMAC-SHA256(key, "reg1-token") and HMAC-SHA256(key, "reg1-archive-url"),
 * so a token MAC can never be replayed as a URL signature or the other way
 * round.  All key material is wiped before it is freed.
 *
 * Threads and reloading: registryd keeps one struct keyring_cache.  A
 * worker takes a reference with keyring_cache_get(), verifies, and drops
 * it with keyring_free().  When a token or URL names an unknown kid (a key
 * added on another node), or periodically so that a retired key stops
 * verifying, the worker calls keyring_cache_refresh(): it reloads at most
 * once per min_interval seconds, loads outside the lock, and swaps the new
 * keyring in under the lock; threads still holding the old one keep using
 * it until they drop their reference.
 */
#ifndef REG_KEYRING_H
#define REG_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define KEYRING_KEY_LEN 32 /* raw key and sub-key length */
#define KEYRING_KID_MAX 32 /* kid grammar: [a-z0-9][a-z0-9_-]{0,31} */
#define KEYRING_KID_BUFSZ (KEYRING_KID_MAX + 1)
#define KEYRING_MAX_KEYS 64 /* more keys in a directory is REG_ETOOBIG */
#define KEYRING_FILE_LEN 65 /* 64 hex digits + '\n' */

/* What a sub-key is for; each purpose has its own derived key. */
enum keyring_purpose {
	KEYRING_TOKEN = 0,       /* bearer tokens: HMAC(key, "reg1-token") */
	KEYRING_ARCHIVE_URL = 1, /* HMAC(key, "reg1-archive-url") */
	KEYRING_NPURPOSE
};

struct keyring;     /* immutable, reference counted */
struct keyring_key; /* one key of a keyring; borrowed from it */

/* A kid and its raw key, for keyring_from_bytes(). */
struct keyring_seed {
	const char *kid; /* borrowed; NUL-terminated */
	unsigned char key[KEYRING_KEY_LEN];
};

/* The kid grammar: [a-z0-9][a-z0-9_-]{0,31}, so it is safe in a file
 * name, a JSON string and a URL query without escaping. */
bool keyring_kid_valid(const char *kid, size_t len);

/*
 * Create a new key in keydir (creating keydir itself with mode 0700 if it
 * is missing): 32 bytes from cryptow_random, written to a dot-file
 * temporary (O_CREAT|O_EXCL|O_NOFOLLOW, 0600), fsync'ed, then linked to
 * <kid>.key (link(2) fails rather than overwrite) and the directory
 * fsync'ed, so a concurrent loader never sees a half-written key.  The kid
 * is chosen to sort after every kid already in keydir, so the new key is
 * the current signing key at the next load.  kid_out (KEYRING_KID_BUFSZ
 * bytes) receives the kid on success.
 * REG_ESYS (logged), REG_ECRYPTO, REG_EEXIST (kid collision, or an
 * existing kid sorts after any kid we can generate), REG_ETOOBIG.
 */
enum reg_err keyring_generate(const char *keydir,
    char kid_out[KEYRING_KID_BUFSZ]) REG_MUSTCHECK;

/*
 * Load every <kid>.key of keydir.  A key file that is group or other
 * accessible gives REG_EPERM, a directory writable by group or others
 * also REG_EPERM, a key file that is not a regular file, has the wrong
 * size or content gives REG_EINVAL; each is logged with the file name and
 * the fix.  No key at all is REG_ENOENT; more than KEYRING_MAX_KEYS is
 * REG_ETOOBIG; REG_ESYS, REG_ENOMEM, REG_ECRYPTO.  A file whose name is
 * not a valid kid + ".key" is skipped.
 * *out (on success only): new, release with keyring_free.
 */
enum reg_err keyring_load(const char *keydir,
    struct keyring **out) REG_MUSTCHECK;

/*
 * An in-memory keyring of n keys (1 <= n <= KEYRING_MAX_KEYS) for tests,
 * fuzz targets and tools: the same derivation as keyring_load.  seeds is
 * borrowed (the caller wipes its keys).  REG_EINVAL for a bad or duplicate
 * kid or a bad n; REG_ENOMEM, REG_ECRYPTO.
 * *out (on success only): new, release with keyring_free.
 */
enum reg_err keyring_from_bytes(const struct keyring_seed *seeds, size_t n,
    struct keyring **out) REG_MUSTCHECK;

/* Another reference to kr (returned); drop it with keyring_free. */
struct keyring *keyring_ref(struct keyring *kr);

/* Drop one reference; the last one wipes and frees.  NULL is a no-op. */
void keyring_free(struct keyring *kr);

/* The newest key (greatest kid): the one to sign with.  Never NULL.
 * Borrowed, valid while the caller holds its reference to kr. */
const struct keyring_key *keyring_current(const struct keyring *kr);

/* The key named kid[0..len), or NULL.  Borrowed, as keyring_current. */
const struct keyring_key *keyring_find(const struct keyring *kr,
    const char *kid, size_t len);

/* A key's kid, NUL-terminated.  Borrowed, as keyring_current. */
const char *keyring_key_kid(const struct keyring_key *k);

/* A key's KEYRING_KEY_LEN-byte sub-key for purpose.  Borrowed, as
 * keyring_current.  Secret: never log or copy it. */
const unsigned char *keyring_key_subkey(const struct keyring_key *k,
    enum keyring_purpose purpose);

/*
 * For the admin tool: store up to max kids of kr, oldest first, in
 * kids[] (borrowed, valid while the reference is held) and return the
 * number of keys in kr (so keyring_list(kr, NULL, 0) counts them).  The
 * last one is the current key.
 */
size_t keyring_list(const struct keyring *kr, const char **kids, size_t max);

/*
 * Delete <kid>.key from keydir and fsync the directory.  Verifiers that
 * already hold a keyring keep the key until they reload.  REG_EINVAL for
 * a bad kid, REG_ENOENT when there is no such key, REG_EPERM (logged)
 * when it is the only key, REG_ESYS (logged).
 */
enum reg_err keyring_retire(const char *keydir, const char *kid) REG_MUSTCHECK;

/*
 * Thread-safe holder of the current keyring for a server (see the top of
 * this file).  keydir is copied.  keyring_cache_new loads once (that
 * counts as the reload attempt at time now) and fails as keyring_load
 * does, or REG_EINVAL for min_interval < 0.  min_interval (seconds)
 * bounds how often keyring_cache_refresh reloads.
 * *out (on success only): new, free with keyring_cache_free.
 */
struct keyring_cache;
enum reg_err keyring_cache_new(const char *keydir, int64_t min_interval,
    int64_t now, struct keyring_cache **out) REG_MUSTCHECK;

/* Frees the holder and drops its reference.  NULL is a no-op.  Must not
 * race with any other keyring_cache_* call on kc. */
void keyring_cache_free(struct keyring_cache *kc);

/* A new reference to the current keyring; never NULL.  Drop it with
 * keyring_free. */
struct keyring *keyring_cache_get(struct keyring_cache *kc);

/*
 * Reload keydir unless a reload was attempted less than min_interval
 * seconds before now (by any thread; a clock that went backwards allows
 * a reload).  Returns true when a newly loaded
 * keyring was installed; a failed load is logged and the old keyring is
 * kept (so a half-edited directory never takes the server down).
 */
bool keyring_cache_refresh(struct keyring_cache *kc, int64_t now);

/*
 * Reload keydir now, whatever the interval (an operator's SIGHUP: a
 * retired key must stop verifying at once, even if an unknown-kid refresh
 * happened a moment ago).  Returns true when the new keyring was
 * installed; a failed load is logged and the old keyring kept.
 */
bool keyring_cache_reload(struct keyring_cache *kc, int64_t now);

#endif
