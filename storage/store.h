/*
 * storage/store.h: the registry's state in one LMDB environment.  This is
 * the only module that includes <lmdb.h>; callers see domain operations.
 *
 * Named databases: modules, versions, grants, namespaces, api_tokens,
 * replay, audit.  Keys are lower-cased where lookups ignore case
 * (namespace, name); the display case is kept in the values.  Every
 * operation runs in its own short transaction, so a struct store may be
 * shared by all threads of one process (one environment per process; never
 * use it across fork()).  Several processes (registryd and the admin tools)
 * may open the same directory at once: LMDB's lock file serialises writers.
 *
 * Out-params are written only on success.  Strings in the records below
 * are NUL-terminated copies owned by the record.
 *
 * Common errors, not repeated below: REG_EINVAL for an argument the store
 * cannot key (NULL, empty, over its length cap, or a record string not
 * NUL-terminated inside its array); REG_ESTORE for an LMDB failure (logged)
 * or a stored value that fails to decode (logged as corrupt; never read
 * past its end); REG_ENOSPC (logged) when a write finds the map or the
 * disk full, after which the earlier state is intact; REG_ENOMEM.  A write
 * on a store opened read_only is REG_ESTORE.
 *
 * The *_each callbacks run inside the read transaction, in key order: keep
 * them short; they may call other store read functions but no store
 * write function (collect first, write after).
 */
#ifndef REG_STORE_H
#define REG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/name.h"
#include "common/semver.h"

#define STORE_PRINCIPAL_MAX 256 /* bytes, without NUL */
#define STORE_REASON_MAX 512
#define STORE_TOKEN_NAME_MAX 64
#define STORE_AUDIT_MAX 65536 /* bytes of one audit record */

struct store;

struct module_addr {
	char ns[NAME_BUFSZ];
	char name[NAME_BUFSZ];
	char system[NAME_BUFSZ];
};

struct version_rec {
	struct module_addr m;       /* display case as first published */
	char version[SEMVER_BUFSZ]; /* exactly as published */
	char digest[65];            /* sha256 hex of the archive */
	uint64_t size;              /* archive bytes */
	char format[8];             /* "tar.gz" or "zip" */
	char publisher[STORE_PRINCIPAL_MAX + 1];
	int64_t published_at; /* unix seconds */
	bool deprecated;
	char deprecation_reason[STORE_REASON_MAX + 1];
};

/* A growable list of version records (caller-owned storage). */
struct verlist {
	struct version_rec *v;
	size_t n;
	size_t cap;
};
void verlist_init(struct verlist *);
void verlist_release(struct verlist *);

struct grant {
	bool download, upload, create_grant, delete_grant;
	int64_t created_at;
	int64_t updated_at;
	char created_by[STORE_PRINCIPAL_MAX + 1];
	char unique_id[129]; /* optional pin (AROA...), "" when unset */
};

/* A grant together with its key, for listings. */
struct grant_entry {
	char ns[NAME_BUFSZ]; /* as stored ("*" allowed) */
	char principal[STORE_PRINCIPAL_MAX + 1];
	struct grant g;
};

struct api_token {
	char name[STORE_TOKEN_NAME_MAX +
	    1];                 /* unique; principal "token:<name>" */
	unsigned char hash[32]; /* SHA-256 of the secret */
	int64_t created_at;
	int64_t expires_at; /* 0 = never */
	char created_by[STORE_PRINCIPAL_MAX + 1];
	bool revoked;
};

struct store_opts {
	uint64_t map_size; /* bytes; 0 = default (1 GiB) */
	bool read_only;
};

/*
 * Open (creating if needed) the environment in directory dir (which must
 * exist).  *out: new, free with store_close().  REG_ESTORE, REG_ENOMEM.
 */
enum reg_err store_open(const char *dir, const struct store_opts *,
    struct store **out) REG_MUSTCHECK;
void store_close(struct store *); /* NULL-safe */

/* ---- modules and versions ---- */

/*
 * Record a version.  If the (case-insensitive) module/version already
 * exists, returns REG_EEXIST and copies the existing record to *existing
 * (if not NULL) so the caller can tell "same bytes" from "conflict".
 * The module index entry is created in the same transaction.
 * REG_ENOSPC when the map is full.
 */
enum reg_err store_version_put(struct store *, const struct version_rec *,
    struct version_rec *existing) REG_MUSTCHECK;

/* One version (case-insensitive ns/name).  REG_ENOENT when absent. */
enum reg_err store_version_get(struct store *, const struct module_addr *,
    const char *version, struct version_rec *out) REG_MUSTCHECK;

/*
 * All versions of a module, unsorted.  REG_ENOENT when the module has none.
 * On success the previous contents of *out are released and replaced.
 */
enum reg_err store_module_versions(struct store *, const struct module_addr *,
    struct verlist *out) REG_MUSTCHECK;

/* Remove one version (and the module entry when it was the last). */
enum reg_err store_version_delete(struct store *, const struct module_addr *,
    const char *version) REG_MUSTCHECK;

/*
 * Mark deprecated with a reason (NULL = "", at most STORE_REASON_MAX), or
 * with deprecated false clear the mark and the reason.  REG_ENOENT.
 */
enum reg_err store_version_deprecate(struct store *, const struct module_addr *,
    const char *version, bool deprecated, const char *reason) REG_MUSTCHECK;

/*
 * Visit modules: all of them (ns == NULL) or one namespace's
 * (case-insensitive), in key order.  cb gets the module's display address
 * and may return false to stop.  Borrowed pointers die after cb returns.
 */
typedef bool (*store_module_fn)(const struct module_addr *, void *);
enum reg_err store_modules_each(struct store *, const char *ns,
    store_module_fn cb, void *arg) REG_MUSTCHECK;

/* ---- grants ---- */

enum store_put_mode {
	STORE_CREATE,  /* fail with REG_EEXIST if present */
	STORE_REPLACE, /* create or overwrite */
	STORE_UPDATE,  /* fail with REG_ENOENT if absent */
};

/*
 * ns is lower-cased for the key ("*" = every namespace); principal is kept
 * as given.  When a grant is overwritten (STORE_REPLACE on an existing
 * one, STORE_UPDATE), its created_at and created_by stay as they were;
 * every other field comes from the argument.  REG_ENOENT from get/delete
 * when absent.
 */
enum reg_err store_grant_put(struct store *, const char *ns,
    const char *principal, const struct grant *,
    enum store_put_mode) REG_MUSTCHECK;
enum reg_err store_grant_get(struct store *, const char *ns,
    const char *principal, struct grant *out) REG_MUSTCHECK;
enum reg_err store_grant_delete(struct store *, const char *ns,
    const char *principal) REG_MUSTCHECK;

/*
 * Visit grants, optionally filtered by namespace and/or principal (NULL =
 * any): by (ns, principal) key order, or by (principal, ns) when filtered
 * by principal only.  No match is REG_OK with no call.
 */
typedef bool (*store_grant_fn)(const struct grant_entry *, void *);
enum reg_err store_grants_each(struct store *, const char *ns,
    const char *principal, store_grant_fn cb, void *arg) REG_MUSTCHECK;

/*
 * The effective rights of principal on namespace ns, in one read
 * transaction: the OR of the grants (ns, principal) and ("*", principal),
 * plus download when the namespace is public.  A grant pinned to a role's
 * unique id (grant.unique_id) counts only when the caller's unique_id
 * (the AROA... part of its STS UserId; NULL or "" when it has none, as API
 * tokens) is the same; otherwise it gives nothing and sets pin_mismatch.
 * any_grant tells whether the principal has any grant at all (on any
 * namespace).  ns may be NULL: then only the "*" grant and any_grant
 * count.
 */
struct rights {
	bool download, upload, create_grant, delete_grant;
	bool any_grant;    /* principal has at least one grant somewhere */
	bool pin_mismatch; /* a grant was skipped: pinned to another id */
};
enum reg_err store_rights(struct store *, const char *principal,
    const char *unique_id, const char *ns, struct rights *out) REG_MUSTCHECK;

/* ---- namespaces ---- */

enum reg_err store_ns_set_public(struct store *, const char *ns,
    bool) REG_MUSTCHECK;
/* false when unknown. */
enum reg_err store_ns_is_public(struct store *, const char *ns,
    bool *out) REG_MUSTCHECK;

/* ---- static API tokens ---- */

/*
 * REG_EEXIST when the name is taken (names compare exactly, as given) or
 * another token has the same hash.
 */
enum reg_err store_apitoken_put(struct store *,
    const struct api_token *) REG_MUSTCHECK;
/*
 * Lookup by SHA-256 of the secret.  REG_ENOENT when unknown.  Revoked and
 * expired tokens are returned too: the caller checks revoked/expires_at.
 */
enum reg_err store_apitoken_get(struct store *, const unsigned char hash[32],
    struct api_token *out) REG_MUSTCHECK;
/* Mark revoked by name.  REG_ENOENT when unknown. */
enum reg_err store_apitoken_revoke(struct store *,
    const char *name) REG_MUSTCHECK;
/* In name order; the token pointer is borrowed until cb returns. */
typedef bool (*store_apitoken_fn)(const struct api_token *, void *);
enum reg_err store_apitokens_each(struct store *, store_apitoken_fn,
    void *) REG_MUSTCHECK;

/* ---- replay cache (shared by all workers and processes) ---- */

/*
 * Atomically insert key (32 bytes) with an expiry.  REG_EEXIST if an
 * unexpired entry is present (one that expires after now).  Up to 32
 * expired entries are purged on the way, oldest expiry first.
 */
enum reg_err store_replay_add(struct store *, const unsigned char key[32],
    int64_t expires_at, int64_t now) REG_MUSTCHECK;

/* ---- audit log ---- */

/*
 * Append one record (a JSON object text, copied; 1..STORE_AUDIT_MAX bytes,
 * else REG_EINVAL / REG_ETOOBIG).  Its timestamp is the current time in
 * microseconds, or the last record's when the clock went back; a sequence
 * number makes keys unique across threads and processes.
 */
enum reg_err store_audit_append(struct store *, const char *json,
    size_t len) REG_MUSTCHECK;
typedef bool (
    *store_audit_fn)(int64_t ts_us, const char *json, size_t len, void *);
/*
 * Visit records with timestamp >= since_us, oldest first, until cb
 * returns false.  json is borrowed until cb returns; it is followed by a
 * NUL byte, which len does not count.
 */
enum reg_err store_audit_each(struct store *, int64_t since_us, store_audit_fn,
    void *) REG_MUSTCHECK;

#endif
