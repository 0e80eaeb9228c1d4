/*
 * storage/: every store operation through a real LMDB environment in a
 * temporary directory (one sub-directory per case group); no mocks.  Also
 * the record decoder (rec.c) on hand-made and mutated byte strings, a
 * value corrupted in the data file itself, a full map, a map grown by
 * another process, and threads racing to publish the same version.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../storage/rec.h"
#include "../../storage/store.h"

/* A fresh sub-directory of the test's temporary directory. */
static const char *
tdir(const char *name)
{
	static char paths[16][512];
	static unsigned int next;
	char *p = paths[next++ % nitems(paths)];

	(void)snprintf(p, sizeof(paths[0]), "%s/%s", t_tmpdir(), name);
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		T_OK(0, "mkdir %s: %s", p, strerror(errno));
	return p;
}

static struct store *
topen(const char *name, uint64_t map_size)
{
	struct store_opts o = { .map_size = map_size, .read_only = false };
	struct store *st = NULL;

	if (!T_OK(store_open(tdir(name), &o, &st) == REG_OK, "open %s", name))
		return NULL;
	return st;
}

static struct version_rec
vrec(const char *ns, const char *name, const char *sys, const char *ver,
    char dig)
{
	struct version_rec v;

	memset(&v, 0, sizeof(v));
	(void)snprintf(v.m.ns, sizeof(v.m.ns), "%s", ns);
	(void)snprintf(v.m.name, sizeof(v.m.name), "%s", name);
	(void)snprintf(v.m.system, sizeof(v.m.system), "%s", sys);
	(void)snprintf(v.version, sizeof(v.version), "%s", ver);
	memset(v.digest, dig, 64);
	v.size = 1234;
	(void)snprintf(v.format, sizeof(v.format), "tar.gz");
	(void)snprintf(v.publisher, sizeof(v.publisher), "arn:aws:iam::1:x");
	v.published_at = 1700000000;
	return v;
}

static struct module_addr
maddr(const char *ns, const char *name, const char *sys)
{
	struct module_addr m;

	memset(&m, 0, sizeof(m));
	(void)snprintf(m.ns, sizeof(m.ns), "%s", ns);
	(void)snprintf(m.name, sizeof(m.name), "%s", name);
	(void)snprintf(m.system, sizeof(m.system), "%s", sys);
	return m;
}

static bool
vrec_eq(const struct version_rec *a, const struct version_rec *b)
{
	return strcmp(a->m.ns, b->m.ns) == 0 &&
	    strcmp(a->m.name, b->m.name) == 0 &&
	    strcmp(a->m.system, b->m.system) == 0 &&
	    strcmp(a->version, b->version) == 0 &&
	    strcmp(a->digest, b->digest) == 0 && a->size == b->size &&
	    strcmp(a->format, b->format) == 0 &&
	    strcmp(a->publisher, b->publisher) == 0 &&
	    a->published_at == b->published_at &&
	    a->deprecated == b->deprecated &&
	    strcmp(a->deprecation_reason, b->deprecation_reason) == 0;
}

/* ---- versions ---- */

static void
test_versions(void)
{
	static const struct {
		const char *ns, *name, *sys, *ver;
		char dig;
		enum reg_err want;
	} puts_[] = {
		{ "hashicorp", "consul", "aws", "0.1.0", 'a', REG_OK },
		{ "hashicorp", "consul", "aws", "1.0.0", 'b', REG_OK },
		{ "hashicorp", "consul", "aws", "1.10.2", 'c', REG_OK },
		{ "hashicorp", "consul", "aws", "1.0.0-rc.1", 'd', REG_OK },
		{ "hashicorp", "consul", "gcp", "1.0.0", 'e', REG_OK },
		/* same version again, any case: conflict */
		{ "hashicorp", "consul", "aws", "1.0.0", 'f', REG_EEXIST },
		{ "HashiCorp", "Consul", "aws", "1.0.0", 'b', REG_EEXIST },
		/* bad keys */
		{ "", "consul", "aws", "1.0.0", 'a', REG_EINVAL },
		{ "hashicorp", "", "aws", "1.0.0", 'a', REG_EINVAL },
		{ "hashicorp", "consul", "", "1.0.0", 'a', REG_EINVAL },
		{ "hashicorp", "consul", "aws", "", 'a', REG_EINVAL },
	};
	const struct module_addr consul = maddr("hashicorp", "consul", "aws");
	const struct module_addr upper = maddr("HASHICORP", "CONSUL", "aws");
	const struct module_addr sysup = maddr("hashicorp", "consul", "AWS");
	const struct module_addr nope = maddr("hashicorp", "nope", "aws");
	struct version_rec v, got, ex;
	struct verlist vl;
	struct store *st;
	size_t i, j;
	bool seen;

	st = topen("versions", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(puts_); i++) {
		v = vrec(puts_[i].ns, puts_[i].name, puts_[i].sys, puts_[i].ver,
		    puts_[i].dig);
		memset(&ex, 0, sizeof(ex));
		T_OK(store_version_put(st, &v, &ex) == puts_[i].want,
		    "put %s/%s/%s %s is %d", puts_[i].ns, puts_[i].name,
		    puts_[i].sys, puts_[i].ver, (int)puts_[i].want);
		if (puts_[i].want == REG_EEXIST)
			T_OK(ex.digest[0] == 'b' &&
			        strcmp(ex.m.ns, "hashicorp") == 0 &&
			        strcmp(ex.version, "1.0.0") == 0,
			    "existing record copied out (digest %.4s, ns %s)",
			    ex.digest, ex.m.ns);
	}
	v = vrec("hashicorp", "consul", "aws", "1.0.0", 'x');
	T_OK(store_version_put(st, &v, NULL) == REG_EEXIST,
	    "REG_EEXIST with existing == NULL");
	v = vrec("hashicorp", "consul", "aws", "3.0.0", 'x');
	memset(v.format, 'x', sizeof(v.format));
	T_OK(store_version_put(st, &v, NULL) == REG_EINVAL,
	    "a record field without its NUL is REG_EINVAL");
	v = vrec("hashicorp", "consul", "aws", "3.0.0", 'x');
	T_OK(store_version_get(st, &v.m, "3.0.0", &got) == REG_ENOENT,
	    "and nothing was written");

	v = vrec("hashicorp", "consul", "aws", "1.10.2", 'c');
	T_OK(store_version_get(st, &upper, "1.10.2", &got) == REG_OK &&
	        vrec_eq(&got, &v),
	    "get through upper-case ns/name returns every field");
	T_OK(store_version_get(st, &sysup, "1.10.2", &got) == REG_ENOENT,
	    "system is kept as given (AWS is another module)");
	T_OK(store_version_get(st, &consul, "1.10.3", &got) == REG_ENOENT,
	    "unknown version is REG_ENOENT");
	T_OK(store_version_get(st, &consul, "1.10", &got) == REG_ENOENT,
	    "a version prefix is not a match");

	verlist_init(&vl);
	T_OK(store_module_versions(st, &consul, &vl) == REG_OK && vl.n == 4,
	    "four versions of consul/aws (got %zu)", vl.n);
	for (i = 0; i < 4 && i < nitems(puts_); i++) {
		seen = false;
		for (j = 0; j < vl.n; j++)
			seen =
			    seen || strcmp(vl.v[j].version, puts_[i].ver) == 0;
		T_OK(seen, "list has %s", puts_[i].ver);
	}
	/* A second listing replaces, not appends. */
	T_OK(store_module_versions(st, &upper, &vl) == REG_OK && vl.n == 4,
	    "listing again through upper case still gives 4");
	verlist_release(&vl);
	T_OK(store_module_versions(st, &nope, &vl) == REG_ENOENT && vl.n == 0 &&
	        vl.v == NULL,
	    "unknown module: REG_ENOENT, out-param untouched");

	T_OK(store_version_deprecate(st, &upper, "1.0.0", true, "use 1.10.2") ==
	        REG_OK,
	    "deprecate");
	T_OK(store_version_get(st, &consul, "1.0.0", &got) == REG_OK &&
	        got.deprecated &&
	        strcmp(got.deprecation_reason, "use 1.10.2") == 0 &&
	        got.digest[0] == 'b',
	    "deprecated with reason, rest unchanged");
	T_OK(store_version_deprecate(st, &consul, "1.0.0", false, "ignored") ==
	        REG_OK,
	    "undeprecate");
	T_OK(store_version_get(st, &consul, "1.0.0", &got) == REG_OK &&
	        !got.deprecated && got.deprecation_reason[0] == '\0',
	    "mark and reason cleared");
	T_OK(store_version_deprecate(st, &consul, "9.9.9", true, "x") ==
	        REG_ENOENT,
	    "deprecate unknown is REG_ENOENT");

	T_OK(store_version_delete(st, &upper, "0.1.0") == REG_OK, "delete");
	T_OK(store_version_get(st, &consul, "0.1.0", &got) == REG_ENOENT,
	    "deleted version is gone");
	T_OK(store_version_delete(st, &consul, "0.1.0") == REG_ENOENT,
	    "delete again is REG_ENOENT");
	store_close(st);
}

/* Display case is the first publication's; keys ignore case. */
static void
test_case(void)
{
	const struct module_addr lower = maddr("acme", "hello", "aws");
	struct version_rec v, got;
	struct store *st;

	st = topen("case", 0);
	if (st == NULL)
		return;
	v = vrec("ACME", "Hello", "aws", "1.0.0", 'a');
	T_OK(store_version_put(st, &v, NULL) == REG_OK, "put ACME/Hello");
	T_OK(store_version_get(st, &lower, "1.0.0", &got) == REG_OK &&
	        strcmp(got.m.ns, "ACME") == 0 &&
	        strcmp(got.m.name, "Hello") == 0,
	    "acme/hello finds it, display case kept (%s/%s)", got.m.ns,
	    got.m.name);
	v = vrec("acme", "HELLO", "aws", "2.0.0", 'b');
	T_OK(store_version_put(st, &v, NULL) == REG_OK, "put acme/HELLO 2.0.0");
	T_OK(store_version_get(st, &lower, "2.0.0", &got) == REG_OK &&
	        strcmp(got.m.ns, "ACME") == 0 &&
	        strcmp(got.m.name, "Hello") == 0,
	    "later version takes the module's first display case");
	store_close(st);
}

/* ---- module listing ---- */

struct mlist {
	char names[16][200];
	size_t n;
	size_t stop_after; /* 0 = never */
};

static bool
mlist_cb(const struct module_addr *m, void *arg)
{
	struct mlist *l = arg;

	if (l->n < nitems(l->names))
		(void)snprintf(l->names[l->n], sizeof(l->names[0]), "%s/%s/%s",
		    m->ns, m->name, m->system);
	l->n++;
	return l->stop_after == 0 || l->n < l->stop_after;
}

static void
test_modules_each(void)
{
	static const char *const mods[][4] = {
		{ "ns1", "b", "gcp", "1.0.0" },
		{ "ns1", "b", "aws", "1.0.0" },
		{ "NS1", "A", "aws", "1.0.0" },
		{ "ns1", "a", "aws", "2.0.0" },
		{ "ns2", "c", "aws", "1.0.0" },
		{ "ns10", "d", "aws", "1.0.0" },
	};
	static const struct {
		const char *ns;
		size_t stop_after;
		size_t n;
		const char *first, *last;
	} cases[] = {
		{ "ns1", 0, 3, "NS1/A/aws", "ns1/b/gcp" },
		{ "Ns1", 0, 3, "NS1/A/aws", "ns1/b/gcp" },
		{ "ns2", 0, 1, "ns2/c/aws", "ns2/c/aws" },
		{ "ns10", 0, 1, "ns10/d/aws", "ns10/d/aws" },
		{ "ns3", 0, 0, NULL, NULL },
		{ NULL, 0, 5, "NS1/A/aws", "ns2/c/aws" },
		{ NULL, 2, 2, "NS1/A/aws", "ns1/b/aws" },
	};
	const struct module_addr bgcp = maddr("ns1", "b", "gcp");
	struct version_rec v;
	struct mlist l;
	struct store *st;
	size_t i;

	st = topen("modules", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(mods); i++) {
		v = vrec(mods[i][0], mods[i][1], mods[i][2], mods[i][3], 'a');
		T_OK(store_version_put(st, &v, NULL) == REG_OK, "put %s/%s/%s",
		    mods[i][0], mods[i][1], mods[i][2]);
	}
	for (i = 0; i < nitems(cases); i++) {
		memset(&l, 0, sizeof(l));
		l.stop_after = cases[i].stop_after;
		T_OK(store_modules_each(st, cases[i].ns, mlist_cb, &l) ==
		            REG_OK &&
		        l.n == cases[i].n,
		    "modules of %s: %zu (got %zu)",
		    cases[i].ns ? cases[i].ns : "(all)", cases[i].n, l.n);
		if (cases[i].n > 0 && l.n == cases[i].n)
			T_OK(strcmp(l.names[0], cases[i].first) == 0 &&
			        strcmp(l.names[l.n - 1], cases[i].last) == 0,
			    "in key order: %s .. %s (got %s .. %s)",
			    cases[i].first, cases[i].last, l.names[0],
			    l.names[l.n - 1]);
	}
	T_OK(store_version_delete(st, &bgcp, "1.0.0") == REG_OK,
	    "delete the only version of ns1/b/gcp");
	memset(&l, 0, sizeof(l));
	T_OK(store_modules_each(st, "ns1", mlist_cb, &l) == REG_OK &&
	        l.n == 2 && strcmp(l.names[1], "ns1/b/aws") == 0,
	    "the module went with its last version");
	T_OK(store_modules_each(st, "", mlist_cb, &l) == REG_EINVAL,
	    "empty namespace is REG_EINVAL");
	store_close(st);
}

/* ---- grants and rights ---- */

static struct grant
mkgrant(const char *rights, const char *by, const char *pin, int64_t t)
{
	struct grant g;

	memset(&g, 0, sizeof(g));
	g.download = strchr(rights, 'd') != NULL;
	g.upload = strchr(rights, 'u') != NULL;
	g.create_grant = strchr(rights, 'c') != NULL;
	g.delete_grant = strchr(rights, 'x') != NULL;
	g.created_at = t;
	g.updated_at = t;
	(void)snprintf(g.created_by, sizeof(g.created_by), "%s", by);
	(void)snprintf(g.unique_id, sizeof(g.unique_id), "%s", pin);
	return g;
}

static void
test_grants(void)
{
	static const struct {
		const char *ns, *principal, *rights;
		enum store_put_mode mode;
		enum reg_err want;
	} ops[] = {
		{ "ns1", "alice", "d", STORE_CREATE, REG_OK },
		{ "NS1", "alice", "du", STORE_CREATE, REG_EEXIST },
		{ "ns1", "bob", "d", STORE_UPDATE, REG_ENOENT },
		{ "ns1", "bob", "d", STORE_REPLACE, REG_OK },
		{ "ns1", "bob", "du", STORE_REPLACE, REG_OK },
		{ "Ns1", "alice", "du", STORE_UPDATE, REG_OK },
		{ "ns2", "alice", "c", STORE_REPLACE, REG_OK },
		{ "*", "alice", "x", STORE_CREATE, REG_OK },
		{ "ns1", "carol", "", STORE_CREATE, REG_OK },
		{ "", "carol", "d", STORE_CREATE, REG_EINVAL },
		{ "ns1", "", "d", STORE_CREATE, REG_EINVAL },
		{ "ns1", "dave", "d", (enum store_put_mode)7, REG_EINVAL },
	};
	struct grant g, got;
	struct store *st;
	size_t i;

	st = topen("grants", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(ops); i++) {
		g = mkgrant(ops[i].rights, ops[i].principal, "",
		    (int64_t)(100 + i));
		T_OK(store_grant_put(st, ops[i].ns, ops[i].principal, &g,
		         ops[i].mode) == ops[i].want,
		    "grant op %zu (%s, %s) is %d", i, ops[i].ns,
		    ops[i].principal, (int)ops[i].want);
	}
	T_OK(store_grant_get(st, "ns1", "alice", &got) == REG_OK &&
	        got.download && got.upload && !got.create_grant &&
	        !got.delete_grant,
	    "update changed the rights");
	T_OK(got.created_at == 100 && got.updated_at == 105 &&
	        strcmp(got.created_by, "alice") == 0,
	    "update kept created_at, took updated_at (%lld, %lld)",
	    (long long)got.created_at, (long long)got.updated_at);
	T_OK(store_grant_get(st, "ns1", "bob", &got) == REG_OK && got.upload &&
	        got.created_at == 103,
	    "replace over an existing grant keeps created_at");
	T_OK(store_grant_get(st, "ns1", "ALICE", &got) == REG_ENOENT,
	    "principals are case-sensitive");
	T_OK(store_grant_delete(st, "NS1", "bob") == REG_OK, "delete");
	T_OK(store_grant_delete(st, "ns1", "bob") == REG_ENOENT,
	    "delete again is REG_ENOENT");
	T_OK(store_grant_get(st, "ns1", "bob", &got) == REG_ENOENT,
	    "deleted grant is gone");
	store_close(st);
}

struct glist {
	char keys[16][400];
	size_t n;
};

static bool
glist_cb(const struct grant_entry *e, void *arg)
{
	struct glist *l = arg;

	if (l->n < nitems(l->keys))
		(void)snprintf(l->keys[l->n], sizeof(l->keys[0]),
		    "%s|%s|%s%s%s%s", e->ns, e->principal,
		    e->g.download ? "d" : "", e->g.upload ? "u" : "",
		    e->g.create_grant ? "c" : "", e->g.delete_grant ? "x" : "");
	l->n++;
	return true;
}

static void
test_grant_listing(void)
{
	static const char *const seed[][3] = {
		{ "ns1", "alice", "d" },
		{ "NS2", "alice", "u" },
		{ "*", "alice", "c" },
		{ "ns1", "carol", "dx" },
		{ "ns1", "alice2", "d" },
	};
	static const struct {
		const char *ns, *principal;
		size_t n;
		const char *first, *last;
	} cases[] = {
		{ NULL, NULL, 5, "*|alice|c", "ns2|alice|u" },
		{ "ns1", NULL, 3, "ns1|alice|d", "ns1|carol|dx" },
		{ "NS1", NULL, 3, "ns1|alice|d", "ns1|carol|dx" },
		{ NULL, "alice", 3, "*|alice|c", "ns2|alice|u" },
		{ NULL, "carol", 1, "ns1|carol|dx", "ns1|carol|dx" },
		{ "ns2", "alice", 1, "ns2|alice|u", "ns2|alice|u" },
		{ "ns2", "carol", 0, NULL, NULL },
		{ "ns9", NULL, 0, NULL, NULL },
		{ NULL, "nobody", 0, NULL, NULL },
	};
	struct glist l;
	struct grant g;
	struct store *st;
	size_t i;

	st = topen("grantlist", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(seed); i++) {
		g = mkgrant(seed[i][2], "root", "", 1);
		T_OK(store_grant_put(st, seed[i][0], seed[i][1], &g,
		         STORE_CREATE) == REG_OK,
		    "seed grant %s %s", seed[i][0], seed[i][1]);
	}
	for (i = 0; i < nitems(cases); i++) {
		memset(&l, 0, sizeof(l));
		T_OK(store_grants_each(st, cases[i].ns, cases[i].principal,
		         glist_cb, &l) == REG_OK &&
		        l.n == cases[i].n,
		    "grants (%s, %s): %zu (got %zu)",
		    cases[i].ns ? cases[i].ns : "-",
		    cases[i].principal ? cases[i].principal : "-", cases[i].n,
		    l.n);
		if (cases[i].n > 0 && l.n == cases[i].n)
			T_OK(strcmp(l.keys[0], cases[i].first) == 0 &&
			        strcmp(l.keys[l.n - 1], cases[i].last) == 0,
			    "order and fields: %s .. %s (got %s .. %s)",
			    cases[i].first, cases[i].last, l.keys[0],
			    l.keys[l.n - 1]);
	}
	store_close(st);
}

static void
test_rights(void)
{
	static const struct {
		const char *ns, *principal, *rights, *pin;
	} seed[] = {
		{ "ns1", "alice", "d", "" },
		{ "*", "alice", "u", "AROA-STAR" },
		{ "ns2", "erin", "d", "AROA-NS2" },
		{ "*", "erin", "", "AROA-ERIN-STAR" },
		{ "ns3", "frank", "", "" },
	};
	static const struct {
		const char *principal, *uid, *ns, *rights;
		bool any;
		bool mismatch;
	} cases[] = {
		{ "alice", "AROA-STAR", "ns1", "du", true, false },
		{ "alice", "AROA-STAR", "NS1", "du", true, false },
		{ "alice", "AROA-STAR", "ns9", "u", true, false },
		{ "alice", "AROA-STAR", NULL, "u", true, false },
		/* a pinned grant gave rights to a re-created role (t_iam F26) */
		{ "alice", "AROA-OTHER", "ns1", "d", true, true },
		{ "alice", NULL, "ns1", "d", true, true },
		{ "alice", "", "ns9", "", true, true },
		{ "erin", "AROA-NS2", "ns2", "d", true, true },
		{ "erin", "AROA-X", "ns2", "", true, true },
		{ "erin", "AROA-ERIN-STAR", "ns3", "", true, false },
		{ "frank", NULL, "ns1", "", true, false },
		{ "dave", NULL, "ns1", "", false, false },
		{ "dave", NULL, "pub", "d", false, false },
		{ "dave", NULL, "PUB", "d", false, false },
		{ "alice", "AROA-STAR", "pub", "du", true, false },
		{ "alic", NULL, "ns1", "", false, false },
	};
	struct rights r;
	struct grant g;
	struct store *st;
	char got[8];
	bool pub = true;
	size_t i;

	st = topen("rights", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(seed); i++) {
		g = mkgrant(seed[i].rights, "root", seed[i].pin, 1);
		T_OK(store_grant_put(st, seed[i].ns, seed[i].principal, &g,
		         STORE_CREATE) == REG_OK,
		    "seed %s %s", seed[i].ns, seed[i].principal);
	}
	T_OK(store_ns_is_public(st, "pub", &pub) == REG_OK && !pub,
	    "unknown namespace is not public");
	T_OK(store_ns_set_public(st, "Pub", true) == REG_OK, "make public");
	T_OK(store_ns_is_public(st, "PUB", &pub) == REG_OK && pub,
	    "public, whatever the case");
	for (i = 0; i < nitems(cases); i++) {
		memset(&r, 0, sizeof(r));
		T_OK(store_rights(st, cases[i].principal, cases[i].uid,
		         cases[i].ns, &r) == REG_OK,
		    "rights %s on %s", cases[i].principal,
		    cases[i].ns ? cases[i].ns : "(none)");
		(void)snprintf(got, sizeof(got), "%s%s%s%s",
		    r.download ? "d" : "", r.upload ? "u" : "",
		    r.create_grant ? "c" : "", r.delete_grant ? "x" : "");
		T_OK(strcmp(got, cases[i].rights) == 0 &&
		        r.any_grant == cases[i].any &&
		        r.pin_mismatch == cases[i].mismatch,
		    "%s (%s) on %s: '%s' any=%d mismatch=%d (got '%s' %d %d)",
		    cases[i].principal, cases[i].uid ? cases[i].uid : "-",
		    cases[i].ns ? cases[i].ns : "-", cases[i].rights,
		    cases[i].any, cases[i].mismatch, got, r.any_grant,
		    r.pin_mismatch);
	}
	T_OK(store_ns_set_public(st, "pub", false) == REG_OK &&
	        store_ns_is_public(st, "pub", &pub) == REG_OK && !pub,
	    "made private again");
	T_OK(store_rights(st, "dave", NULL, "pub", &r) == REG_OK && !r.download,
	    "no download once private");
	T_OK(store_grant_delete(st, "ns3", "frank") == REG_OK &&
	        store_rights(st, "frank", NULL, "ns1", &r) == REG_OK &&
	        !r.any_grant,
	    "any_grant false once the last grant is deleted");
	T_OK(store_rights(st, NULL, NULL, "ns1", &r) == REG_EINVAL,
	    "NULL principal is REG_EINVAL");
	store_close(st);
}

/* ---- API tokens ---- */

static struct api_token
mktoken(const char *name, unsigned char h)
{
	struct api_token t;

	memset(&t, 0, sizeof(t));
	(void)snprintf(t.name, sizeof(t.name), "%s", name);
	memset(t.hash, h, sizeof(t.hash));
	t.created_at = 10;
	t.expires_at = 0;
	(void)snprintf(t.created_by, sizeof(t.created_by), "admin");
	return t;
}

struct tlist {
	char names[8][STORE_TOKEN_NAME_MAX + 1];
	bool revoked[8];
	size_t n;
};

static bool
tlist_cb(const struct api_token *t, void *arg)
{
	struct tlist *l = arg;

	if (l->n < nitems(l->names)) {
		(void)snprintf(l->names[l->n], sizeof(l->names[0]), "%s",
		    t->name);
		l->revoked[l->n] = t->revoked;
	}
	l->n++;
	return true;
}

static void
test_apitokens(void)
{
	static const struct {
		const char *name;
		unsigned char h;
		enum reg_err want;
	} puts_[] = {
		{ "ci", 1, REG_OK }, { "backup", 2, REG_OK },
		{ "ci", 3, REG_EEXIST },    /* name taken */
		{ "other", 1, REG_EEXIST }, /* same secret */
		{ "other", 4, REG_OK },     /* nothing left by the failure */
		{ "", 5, REG_EINVAL },
		{ "CI", 6, REG_OK }, /* names compare exactly */
	};
	unsigned char h[32];
	struct api_token t, got;
	struct tlist l;
	struct store *st;
	size_t i;

	st = topen("tokens", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(puts_); i++) {
		t = mktoken(puts_[i].name, puts_[i].h);
		T_OK(store_apitoken_put(st, &t) == puts_[i].want,
		    "token put %s/%u is %d", puts_[i].name, puts_[i].h,
		    (int)puts_[i].want);
	}
	t = mktoken("x", 0);
	memset(t.name, 'n', sizeof(t.name));
	T_OK(store_apitoken_put(st, &t) == REG_EINVAL,
	    "name not NUL-terminated is REG_EINVAL");

	memset(h, 1, sizeof(h));
	T_OK(store_apitoken_get(st, h, &got) == REG_OK &&
	        strcmp(got.name, "ci") == 0 && !got.revoked &&
	        got.created_at == 10 && strcmp(got.created_by, "admin") == 0,
	    "get by hash");
	memset(h, 3, sizeof(h));
	T_OK(store_apitoken_get(st, h, &got) == REG_ENOENT,
	    "unknown hash is REG_ENOENT");
	T_OK(store_apitoken_revoke(st, "backup") == REG_OK, "revoke");
	T_OK(store_apitoken_revoke(st, "backup") == REG_OK,
	    "revoke twice is fine");
	memset(h, 2, sizeof(h));
	T_OK(store_apitoken_get(st, h, &got) == REG_OK && got.revoked,
	    "revoked token still found, marked revoked");
	T_OK(store_apitoken_revoke(st, "nope") == REG_ENOENT,
	    "revoke unknown is REG_ENOENT");

	memset(&l, 0, sizeof(l));
	T_OK(store_apitokens_each(st, tlist_cb, &l) == REG_OK && l.n == 4,
	    "four tokens listed (got %zu)", l.n);
	T_OK(l.n == 4 && strcmp(l.names[0], "CI") == 0 &&
	        strcmp(l.names[1], "backup") == 0 && l.revoked[1] &&
	        strcmp(l.names[2], "ci") == 0 &&
	        strcmp(l.names[3], "other") == 0 && !l.revoked[3],
	    "in name order with revoked flags");
	store_close(st);
}

/* ---- replay cache ---- */

static void
test_replay(void)
{
	static const struct {
		unsigned char k;
		int64_t exp, now;
		enum reg_err want;
	} cases[] = {
		{ 1, 100, 50, REG_OK },
		{ 1, 100, 60, REG_EEXIST },
		{ 1, 500, 99, REG_EEXIST },
		{ 2, 100, 60, REG_OK },
		{ 1, 200, 100, REG_OK }, /* expired at 100 */
		{ 1, 300, 150, REG_EEXIST },
		{ 2, 300, 150, REG_OK },
		{ 3, -5, -10, REG_OK }, /* negative times order too */
		{ 3, 10, -6, REG_EEXIST },
		{ 3, 10, -5, REG_OK },
	};
	unsigned char k[32];
	struct store *st;
	size_t i;
	int ok;

	st = topen("replay", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(cases); i++) {
		memset(k, cases[i].k, sizeof(k));
		T_OK(store_replay_add(st, k, cases[i].exp, cases[i].now) ==
		        cases[i].want,
		    "replay %zu: key %u exp %lld now %lld is %d", i, cases[i].k,
		    (long long)cases[i].exp, (long long)cases[i].now,
		    (int)cases[i].want);
	}
	/* Many expired entries: purged a few per call, all re-addable. */
	for (i = 0, ok = 0; i < 80; i++) {
		memset(k, 0, sizeof(k));
		k[0] = 0xAA;
		k[1] = (unsigned char)i;
		k[2] = (unsigned char)(i >> 8);
		ok += store_replay_add(st, k, 1000, 900) == REG_OK;
	}
	T_OK(ok == 80, "80 fresh keys added (%d)", ok);
	for (i = 0, ok = 0; i < 80; i++) {
		memset(k, 0, sizeof(k));
		k[0] = 0xAA;
		k[1] = (unsigned char)i;
		k[2] = (unsigned char)(i >> 8);
		ok += store_replay_add(st, k, 1000, 950) == REG_EEXIST;
	}
	T_OK(ok == 80, "all 80 are replays before expiry (%d)", ok);
	for (i = 0, ok = 0; i < 80; i++) {
		memset(k, 0, sizeof(k));
		k[0] = 0xAA;
		k[1] = (unsigned char)(79 - i);
		k[2] = (unsigned char)((79 - i) >> 8);
		ok += store_replay_add(st, k, 3000, 2000) == REG_OK;
	}
	T_OK(ok == 80, "all 80 re-addable after expiry (%d)", ok);
	store_close(st);
}

/* ---- audit log ---- */

struct alist {
	int64_t ts[64];
	char text[64][32];
	size_t n;
	size_t stop_after;
	bool nul_ok;
};

static bool
alist_cb(int64_t ts, const char *json, size_t len, void *arg)
{
	struct alist *l = arg;

	if (json[len] != '\0')
		l->nul_ok = false;
	if (l->n < nitems(l->ts)) {
		l->ts[l->n] = ts;
		(void)snprintf(l->text[l->n], sizeof(l->text[0]), "%.*s",
		    (int)len, json);
	}
	l->n++;
	return l->stop_after == 0 || l->n < l->stop_after;
}

static void
test_audit(void)
{
	static const char *const recs[] = {
		"{\"n\":0}",
		"{\"n\":1}",
		"{\"n\":2}",
		"{\"n\":3}",
		"{\"n\":4,\"why\":\"a longer record\"}",
	};
	struct alist l, m;
	struct store *st;
	char *big;
	size_t i, want;
	bool ordered = true;

	st = topen("audit", 0);
	if (st == NULL)
		return;
	for (i = 0; i < nitems(recs); i++)
		T_OK(store_audit_append(st, recs[i], strlen(recs[i])) == REG_OK,
		    "append %zu", i);
	memset(&l, 0, sizeof(l));
	l.nul_ok = true;
	T_OK(store_audit_each(st, 0, alist_cb, &l) == REG_OK &&
	        l.n == nitems(recs),
	    "all records (got %zu)", l.n);
	for (i = 0; i < l.n && i < nitems(recs); i++) {
		ordered = ordered && strcmp(l.text[i], recs[i]) == 0;
		if (i > 0)
			ordered = ordered && l.ts[i] >= l.ts[i - 1];
	}
	T_OK(ordered && l.nul_ok, "in append order, NUL after each");
	T_OK(l.n > 0 && l.ts[0] > 1600000000000000LL,
	    "timestamps are microseconds since the epoch");

	if (l.n == nitems(recs)) {
		want = 0;
		for (i = 0; i < l.n; i++)
			want += l.ts[i] >= l.ts[3];
		memset(&m, 0, sizeof(m));
		T_OK(store_audit_each(st, l.ts[3], alist_cb, &m) == REG_OK &&
		        m.n == want && strcmp(m.text[m.n - 1], recs[4]) == 0,
		    "since ts[3]: %zu records (got %zu)", want, m.n);
		memset(&m, 0, sizeof(m));
		T_OK(store_audit_each(st, l.ts[4] + 1, alist_cb, &m) ==
		            REG_OK &&
		        m.n == 0,
		    "since after the last: none");
	}
	memset(&m, 0, sizeof(m));
	m.stop_after = 2;
	T_OK(store_audit_each(st, -1, alist_cb, &m) == REG_OK && m.n == 2,
	    "callback stops the walk");

	big = calloc(1, STORE_AUDIT_MAX + 1);
	if (big != NULL) {
		memset(big, 'x', STORE_AUDIT_MAX + 1);
		T_OK(store_audit_append(st, big, STORE_AUDIT_MAX + 1) ==
		        REG_ETOOBIG,
		    "record over STORE_AUDIT_MAX is REG_ETOOBIG");
		T_OK(store_audit_append(st, big, STORE_AUDIT_MAX) == REG_OK,
		    "record of STORE_AUDIT_MAX is fine");
		free(big);
	}
	T_OK(store_audit_append(st, "", 0) == REG_EINVAL,
	    "empty record is REG_EINVAL");
	store_close(st);
}

/* ---- full map ---- */

static void
test_map_full(void)
{
	const struct module_addr m = maddr("full", "mod", "aws");
	struct store_opts o = { .map_size = 128 * 1024, .read_only = false };
	struct version_rec v, got;
	struct verlist vl;
	struct store *st = NULL;
	enum reg_err er = REG_OK;
	char ver[32], *big;
	int i, n = 0, intact = 0;

	if (!T_OK(store_open(tdir("full"), &o, &st) == REG_OK,
	        "open with a 128 KiB map"))
		return;
	for (i = 0; i < 10000; i++) {
		(void)snprintf(ver, sizeof(ver), "1.0.%d", i);
		v = vrec("full", "mod", "aws", ver, 'a');
		memset(v.deprecation_reason, 'r', STORE_REASON_MAX);
		v.deprecated = true;
		er = store_version_put(st, &v, NULL);
		if (er != REG_OK)
			break;
		n++;
	}
	T_OK(er == REG_ENOSPC && n > 10, "map full after %d puts: %d", n,
	    (int)er);
	big = calloc(1, 32 * 1024);
	T_OK(big != NULL &&
	        store_audit_append(st, big, 32 * 1024) == REG_ENOSPC,
	    "a 32 KiB audit record does not fit either");
	free(big);
	for (i = 0; i < n; i++) {
		(void)snprintf(ver, sizeof(ver), "1.0.%d", i);
		intact += store_version_get(st, &m, ver, &got) == REG_OK &&
		    got.deprecation_reason[STORE_REASON_MAX - 1] == 'r';
	}
	T_OK(intact == n, "all %d earlier versions read back (%d)", n, intact);
	verlist_init(&vl);
	T_OK(store_module_versions(st, &m, &vl) == REG_OK && vl.n == (size_t)n,
	    "listing intact (%zu)", vl.n);
	verlist_release(&vl);
	T_OK(store_version_delete(st, &m, "1.0.0") == REG_OK,
	    "a delete still works");
	store_close(st);

	/* And after reopening, with the same small map. */
	st = NULL;
	if (!T_OK(store_open(tdir("full"), &o, &st) == REG_OK, "reopen"))
		return;
	(void)snprintf(ver, sizeof(ver), "1.0.%d", n - 1);
	T_OK(store_version_get(st, &m, ver, &got) == REG_OK,
	    "last stored version survives a reopen");
	store_close(st);
}

/* ---- read-only ---- */

static void
test_read_only(void)
{
	struct store_opts ro = { .map_size = 0, .read_only = true };
	const struct module_addr m = maddr("ro", "mod", "aws");
	struct version_rec v, got;
	struct store *st;

	st = topen("ro", 0);
	if (st == NULL)
		return;
	v = vrec("ro", "mod", "aws", "1.0.0", 'a');
	T_OK(store_version_put(st, &v, NULL) == REG_OK, "seed");
	store_close(st);

	st = NULL;
	if (!T_OK(store_open(tdir("ro"), &ro, &st) == REG_OK, "open read-only"))
		return;
	T_OK(store_version_get(st, &m, "1.0.0", &got) == REG_OK,
	    "read-only reads");
	v = vrec("ro", "mod", "aws", "2.0.0", 'a');
	T_OK(store_version_put(st, &v, NULL) == REG_ESTORE,
	    "read-only refuses writes");
	store_close(st);

	st = NULL;
	T_OK(store_open(tdir("ro-empty"), &ro, &st) == REG_ESTORE && st == NULL,
	    "read-only on an empty directory is REG_ESTORE");
	T_OK(store_open("/nonexistent/dir", NULL, &st) == REG_ESTORE &&
	        st == NULL,
	    "missing directory is REG_ESTORE");
}

/* ---- a value corrupted in the data file ---- */

static size_t
patch_file(const char *path, const char *needle)
{
	size_t nlen = strlen(needle), n = 0, i, len;
	unsigned char *p = NULL;
	FILE *f;
	long sz;

	f = fopen(path, "r+b");
	if (f == NULL)
		return 0;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	len = (size_t)sz;
	p = malloc(len);
	if (p == NULL || fread(p, 1, len, f) != len)
		goto out;
	for (i = 2; i + nlen <= len; i++) {
		if (memcmp(p + i, needle, nlen) != 0)
			continue;
		/* The u16 length before the string now claims 65535 bytes. */
		p[i - 2] = 0xff;
		p[i - 1] = 0xff;
		n++;
	}
	if (n > 0 &&
	    (fseek(f, 0, SEEK_SET) != 0 || fwrite(p, 1, len, f) != len))
		n = 0;
out:
	free(p);
	if (fclose(f) != 0)
		n = 0;
	return n;
}

static void
test_corrupt_file(void)
{
	const struct module_addr m = maddr("bad", "mod", "aws");
	struct version_rec v, got;
	struct verlist vl;
	struct mlist l;
	struct store *st;
	char path[600];

	st = topen("corrupt", 0);
	if (st == NULL)
		return;
	v = vrec("bad", "mod", "aws", "1.0.0", 'a');
	(void)snprintf(v.publisher, sizeof(v.publisher),
	    "CORRUPT-ME-PUBLISHER");
	T_OK(store_version_put(st, &v, NULL) == REG_OK, "seed victim");
	v = vrec("bad", "mod", "aws", "2.0.0", 'b');
	T_OK(store_version_put(st, &v, NULL) == REG_OK, "seed neighbour");
	store_close(st);

	(void)snprintf(path, sizeof(path), "%s/data.mdb", tdir("corrupt"));
	T_OK(patch_file(path, "CORRUPT-ME-PUBLISHER") > 0,
	    "patched the value's length in data.mdb");

	st = topen("corrupt", 0);
	if (st == NULL)
		return;
	T_OK(store_version_get(st, &m, "1.0.0", &got) == REG_ESTORE,
	    "corrupt value: REG_ESTORE");
	verlist_init(&vl);
	T_OK(store_module_versions(st, &m, &vl) == REG_ESTORE && vl.n == 0,
	    "listing over it: REG_ESTORE");
	T_OK(store_version_get(st, &m, "2.0.0", &got) == REG_OK &&
	        got.digest[0] == 'b',
	    "neighbour still reads");
	memset(&l, 0, sizeof(l));
	T_OK(store_modules_each(st, "bad", mlist_cb, &l) == REG_OK && l.n == 1,
	    "module index unaffected");
	v = vrec("bad", "mod", "aws", "1.0.0", 'c');
	T_OK(store_version_put(st, &v, &got) == REG_ESTORE,
	    "put over a corrupt record: REG_ESTORE, not REG_EEXIST");
	store_close(st);
}

/* ---- the record decoder on its own ---- */

enum dec_kind {
	D_MODULE,
	D_VERSION,
	D_GRANT,
	D_NS,
	D_TOKEN,
	D_TOKNAME,
	D_REPLAY,
	D_AUDIT
};

static enum reg_err
dec(enum dec_kind k, const void *p, size_t len)
{
	struct module_addr m;
	struct version_rec *v;
	struct grant g;
	struct api_token t;
	unsigned char h[32];
	const char *json;
	int64_t x;
	size_t jl;
	bool b;
	enum reg_err er = REG_EINVAL;

	switch (k) {
	case D_MODULE:
		return rec_dec_module(p, len, &m);
	case D_VERSION:
		v = malloc(sizeof(*v));
		if (v != NULL)
			er = rec_dec_version(p, len, v);
		free(v);
		return er;
	case D_GRANT:
		return rec_dec_grant(p, len, &g);
	case D_NS:
		return rec_dec_ns(p, len, &b);
	case D_TOKEN:
		return rec_dec_token(p, len, &t);
	case D_TOKNAME:
		return rec_dec_tokname(p, len, h);
	case D_REPLAY:
		return rec_dec_replay(p, len, &x);
	case D_AUDIT:
		return rec_dec_audit(p, len, &json, &jl);
	}
	return er;
}

#define V(...) ((const unsigned char[]){ __VA_ARGS__ })
#define VL(...) sizeof((const unsigned char[]){ __VA_ARGS__ })
#define CASE(d, k, want, ...) \
	{ \
		d, k, V(__VA_ARGS__), VL(__VA_ARGS__), want \
	}

static void
test_rec_vectors(void)
{
	/* Not static: the compound literals live in this block. */
	const struct {
		const char *desc;
		enum dec_kind k;
		const unsigned char *p;
		size_t len;
		enum reg_err want;
	} cases[] = {
		CASE("module ok", D_MODULE, REG_OK, 0xEC, 1, 'M', 0, 1, 'a', 0,
		    1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, bad magic", D_MODULE, REG_ESTORE, 0xED, 1, 'M', 0,
		    1, 'a', 0, 1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, format 2", D_MODULE, REG_ESTORE, 0xEC, 2, 'M', 0,
		    1, 'a', 0, 1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, wrong type", D_MODULE, REG_ESTORE, 0xEC, 1, 'V',
		    0, 1, 'a', 0, 1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, length past end", D_MODULE, REG_ESTORE, 0xEC, 1,
		    'M', 0, 1, 'a', 0, 1, 'b', 0, 4, 'a', 'w', 's'),
		CASE("module, huge length", D_MODULE, REG_ESTORE, 0xEC, 1, 'M',
		    0xff, 0xff, 'a', 0, 1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, NUL inside", D_MODULE, REG_ESTORE, 0xEC, 1, 'M',
		    0, 2, 'a', 0, 0, 1, 'b', 0, 3, 'a', 'w', 's'),
		CASE("module, trailing byte", D_MODULE, REG_ESTORE, 0xEC, 1,
		    'M', 0, 1, 'a', 0, 1, 'b', 0, 3, 'a', 'w', 's', 0),
		CASE("module, missing field", D_MODULE, REG_ESTORE, 0xEC, 1,
		    'M', 0, 1, 'a', 0, 1, 'b'),
		CASE("header only", D_MODULE, REG_ESTORE, 0xEC, 1, 'M'),
		CASE("two bytes", D_NS, REG_ESTORE, 0xEC, 1),
		CASE("ns true", D_NS, REG_OK, 0xEC, 1, 'N', 1),
		CASE("ns false", D_NS, REG_OK, 0xEC, 1, 'N', 0),
		CASE("ns bool 2", D_NS, REG_ESTORE, 0xEC, 1, 'N', 2),
		CASE("replay ok", D_REPLAY, REG_OK, 0xEC, 1, 'R', 0, 0, 0, 0, 0,
		    0, 0, 9),
		CASE("replay short", D_REPLAY, REG_ESTORE, 0xEC, 1, 'R', 0, 0,
		    0, 0, 0, 0, 9),
		CASE("grant ok", D_GRANT, REG_OK, 0xEC, 1, 'G', 0x0f, 0, 0, 0,
		    0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 'r', 0, 0),
		CASE("grant, unknown right", D_GRANT, REG_ESTORE, 0xEC, 1, 'G',
		    0x1f, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1,
		    'r', 0, 0),
		CASE("tokname, 31-byte hash", D_TOKNAME, REG_ESTORE, 0xEC, 1,
		    'K', 0, 31, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
		    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
		    30, 31),
		CASE("tokname ok", D_TOKNAME, REG_OK, 0xEC, 1, 'K', 0, 32, 1, 2,
		    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
		    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32),
		CASE("audit ok", D_AUDIT, REG_OK, 0xEC, 1, 'A', 0, 0, 0, 2, 'h',
		    'i', 0),
		CASE("audit, empty ok", D_AUDIT, REG_OK, 0xEC, 1, 'A', 0, 0, 0,
		    0, 0),
		CASE("audit, no NUL", D_AUDIT, REG_ESTORE, 0xEC, 1, 'A', 0, 0,
		    0, 2, 'h', 'i'),
		CASE("audit, bad NUL", D_AUDIT, REG_ESTORE, 0xEC, 1, 'A', 0, 0,
		    0, 2, 'h', 'i', 'x'),
		CASE("audit, length past end", D_AUDIT, REG_ESTORE, 0xEC, 1,
		    'A', 0xff, 0xff, 0xff, 0xff, 'h', 'i', 0),
	};
	size_t i;

	for (i = 0; i < nitems(cases); i++)
		T_OK(dec(cases[i].k, cases[i].p, cases[i].len) == cases[i].want,
		    "rec: %s", cases[i].desc);
	T_OK(dec(D_VERSION, NULL, 0) == REG_ESTORE, "rec: NULL value");
}

/* Every truncation fails; every single-byte change decodes or fails. */
static void
test_rec_mutations(void)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	struct version_rec v, back;
	struct api_token t;
	unsigned char buf[REC_MAX], tmp[REC_MAX];
	size_t n, i, j, bad = 0, ok = 0;

	v = vrec("ns", "name", "aws", "1.2.3-rc.1+build.5", 'e');
	memset(v.publisher, 'p', STORE_PRINCIPAL_MAX);
	memset(v.deprecation_reason, 'r', STORE_REASON_MAX);
	v.deprecated = true;
	v.size = UINT64_MAX;
	v.published_at = INT64_MIN;
	n = rec_enc_version(buf, sizeof(buf), &v);
	T_OK(n > 0 && rec_dec_version(buf, n, &back) == REG_OK &&
	        vrec_eq(&v, &back),
	    "version with maximal fields round-trips (%zu bytes)", n);
	T_OK(rec_enc_version(buf, n - 1, &v) == 0,
	    "encoder refuses a short buffer");
	for (i = 0; i < n; i++)
		bad += rec_dec_version(buf, i, &back) == REG_ESTORE;
	T_OK(bad == n, "all %zu truncations are REG_ESTORE (%zu)", n, bad);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nitems(vals); j++) {
			memcpy(tmp, buf, n);
			tmp[i] = vals[j];
			if (rec_dec_version(tmp, n, &back) == REG_OK)
				ok++;
		}
	}
	T_OK(ok > 0 && ok < n * nitems(vals),
	    "byte changes: %zu decode, the rest are REG_ESTORE", ok);

	memset(v.m.ns, 'a', sizeof(v.m.ns));
	T_OK(rec_enc_version(buf, sizeof(buf), &v) == 0,
	    "encoder refuses an unterminated field");
	memset(&t, 0, sizeof(t));
	memset(t.name, 'n', STORE_TOKEN_NAME_MAX);
	memset(t.created_by, 'c', STORE_PRINCIPAL_MAX);
	t.revoked = true;
	t.expires_at = -1;
	n = rec_enc_token(buf, sizeof(buf), &t);
	memset(&back, 0, sizeof(back));
	T_OK(n > 0 && rec_dec_token(buf, n, &t) == REG_OK && t.revoked &&
	        t.expires_at == -1 && strlen(t.name) == STORE_TOKEN_NAME_MAX,
	    "token with maximal fields round-trips");
}

/* ---- racing threads ---- */

#define RACERS 8

struct racer {
	struct store *st;
	pthread_barrier_t *bar;
	int idx;
	int round;
	enum reg_err er;
	struct version_rec existing;
};

static void *
race_put(void *arg)
{
	struct racer *r = arg;
	struct version_rec v;
	char ver[32];

	(void)snprintf(ver, sizeof(ver), "1.0.%d", r->round);
	v = vrec("race", "mod", "aws", ver, (char)('a' + r->idx));
	(void)pthread_barrier_wait(r->bar);
	r->er = store_version_put(r->st, &v, &r->existing);
	return NULL;
}

static void *
race_replay(void *arg)
{
	struct racer *r = arg;
	unsigned char k[32];

	memset(k, 0x5a, sizeof(k));
	k[0] = (unsigned char)r->round;
	(void)pthread_barrier_wait(r->bar);
	r->er = store_replay_add(r->st, k, 100, 10);
	return NULL;
}

static void
race(struct store *st, void *(*fn)(void *), int round, const char *what)
{
	pthread_barrier_t bar;
	pthread_t th[RACERS];
	struct racer *r;
	int i, started = 0, ok = 0, exist = 0, same = 0, winner = -1;

	r = calloc(RACERS, sizeof(*r));
	if (r == NULL || pthread_barrier_init(&bar, NULL, RACERS) != 0) {
		T_OK(0, "race setup");
		free(r);
		return;
	}
	for (i = 0; i < RACERS; i++) {
		r[i].st = st;
		r[i].bar = &bar;
		r[i].idx = i;
		r[i].round = round;
		if (pthread_create(&th[i], NULL, fn, &r[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		(void)pthread_join(th[i], NULL);
	(void)pthread_barrier_destroy(&bar);
	for (i = 0; i < started; i++) {
		if (r[i].er == REG_OK) {
			ok++;
			winner = i;
		}
		exist += r[i].er == REG_EEXIST;
	}
	for (i = 0; fn == race_put && winner >= 0 && i < started; i++)
		same += r[i].er == REG_EEXIST &&
		    r[i].existing.digest[0] == (char)('a' + winner);
	if (fn != race_put)
		same = exist;
	T_OK(started == RACERS && ok == 1 && exist == RACERS - 1 &&
	        same == exist,
	    "%s round %d: one REG_OK, %d REG_EEXIST naming the winner "
	    "(ok %d, exist %d, same %d)",
	    what, round, RACERS - 1, ok, exist, same);
	free(r);
}

static void
test_race(void)
{
	const struct module_addr m = maddr("race", "mod", "aws");
	struct verlist vl;
	struct store *st;
	int round;

	st = topen("race", 0);
	if (st == NULL)
		return;
	for (round = 0; round < 10; round++)
		race(st, race_put, round, "version put");
	for (round = 0; round < 5; round++)
		race(st, race_replay, round, "replay add");
	verlist_init(&vl);
	T_OK(store_module_versions(st, &m, &vl) == REG_OK && vl.n == 10,
	    "ten versions after the races (%zu)", vl.n);
	verlist_release(&vl);
	store_close(st);
}

/* ---- a map grown by another process ---- */

static bool
count_cb(int64_t ts, const char *json, size_t len, void *arg)
{
	(void)ts;
	(void)json;
	(void)len;
	(*(size_t *)arg)++;
	return true;
}

/*
 * The other process: this program again (a fresh image, so nothing of the
 * parent's environment is inherited), run as "test_store --grow DIR".
 */
static int
grow_main(const char *dir)
{
	struct store_opts big = { .map_size = 8 * 1024 * 1024 };
	struct store *st = NULL;
	char rec[4000];
	int i, fails = 0;

	if (store_open(dir, &big, &st) != REG_OK)
		return 3;
	memset(rec, 'x', sizeof(rec));
	for (i = 0; i < 500; i++)
		fails += store_audit_append(st, rec, sizeof(rec)) != REG_OK;
	store_close(st);
	return fails == 0 ? 0 : 4;
}

static void
test_map_resized(const char *argv0)
{
	struct store_opts small = { .map_size = 256 * 1024 };
	struct store *st = NULL;
	char dir[512];
	char *args[4];
	size_t n = 0;
	pid_t pid;
	int status = 0;

	(void)snprintf(dir, sizeof(dir), "%s", tdir("resize"));
	if (!T_OK(store_open(dir, &small, &st) == REG_OK,
	        "open with a 256 KiB map"))
		return;
	T_OK(store_audit_append(st, "{\"parent\":1}", 12) == REG_OK,
	    "parent writes");
	args[0] = (char *)(uintptr_t)argv0;
	args[1] = (char *)(uintptr_t) "--grow";
	args[2] = dir;
	args[3] = NULL;
	pid = fork();
	if (pid == 0) {
		(void)execv(argv0, args);
		_exit(127);
	}
	if (!T_OK(pid > 0, "fork"))
		goto out;
	(void)waitpid(pid, &status, 0);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child grew the map to 8 MiB and wrote 2 MB (status %d)", status);
	T_OK(store_audit_each(st, 0, count_cb, &n) == REG_OK && n == 501,
	    "parent adopts the larger map and reads everything (%zu)", n);
	T_OK(store_audit_append(st, "{\"parent\":2}", 12) == REG_OK,
	    "parent writes after adopting");
out:
	store_close(st);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--grow") == 0)
		return grow_main(argv[2]);

	test_versions();
	test_case();
	test_modules_each();
	test_grants();
	test_grant_listing();
	test_rights();
	test_apitokens();
	test_replay();
	test_audit();
	test_map_full();
	test_read_only();
	test_corrupt_file();
	test_rec_vectors();
	test_rec_mutations();
	test_race();
	test_map_resized(argv[0]);
	return t_done();
}
