/*
 * auth/keyring.c: signing keys on disk and in memory (see keyring.h).
 *
 * Invariant: a struct keyring holds 1..KEYRING_MAX_KEYS keys sorted by
 * kid (strcmp), without duplicates, and is never changed after it is
 * built, except for its reference count.  Raw keys live only on the stack
 * of the function that derives the sub-keys and are wiped there.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"

struct keyring_key {
	char kid[KEYRING_KID_BUFSZ];
	unsigned char sub[KEYRING_NPURPOSE][KEYRING_KEY_LEN];
};

struct keyring {
	atomic_uint refs;
	size_t n;
	struct keyring_key keys[]; /* n of them, sorted by kid */
};

struct keyring_cache {
	pthread_mutex_t mu;
	pthread_mutex_t load_mu; /* serialises load + swap, so an older load
				    never replaces a newer one */
	struct keyring *cur;     /* one reference owned by the cache */
	char *keydir;
	int64_t min_interval;
	int64_t last; /* time of the last load attempt */
};

/* The kids found in a key directory, in readdir order. */
struct kidlist {
	size_t n;
	char kid[KEYRING_MAX_KEYS][KEYRING_KID_BUFSZ];
};

static const char *const keyring_label[KEYRING_NPURPOSE] = {
	[KEYRING_TOKEN] = "reg1-token",
	[KEYRING_ARCHIVE_URL] = "reg1-archive-url",
};

/* "<kid>.key" or ".<kid>.tmp" plus NUL. */
#define KEYRING_NAME_BUFSZ (KEYRING_KID_BUFSZ + 8)
#define KEYRING_GEN_KID_LEN 19 /* k + YYYYMMDDHHMMSS + 4 hex */
#define KEYRING_GEN_TS_LEN 15  /* k + YYYYMMDDHHMMSS */

bool
keyring_kid_valid(const char *kid, size_t len)
{
	size_t i;

	if (len == 0 || len > KEYRING_KID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = kid[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '-' || c == '_'))
			continue;
		return false;
	}
	return true;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct keyring_key *ka = a, *kb = b;

	return strcmp(ka->kid, kb->kid);
}

static struct keyring *
keyring_alloc(size_t n)
{
	struct keyring *kr;

	kr = calloc(1, sizeof(*kr) + n * sizeof(kr->keys[0]));
	if (kr == NULL)
		return NULL;
	atomic_init(&kr->refs, 1);
	kr->n = n;
	return kr;
}

/* Fill k from a kid (valid, NUL-terminated) and its raw key. */
static enum reg_err
key_derive(struct keyring_key *k, const char *kid,
    const unsigned char raw[KEYRING_KEY_LEN])
{
	enum reg_err er;
	int p;

	(void)snprintf(k->kid, sizeof(k->kid), "%s", kid);
	for (p = 0; p < KEYRING_NPURPOSE; p++) {
		er = cryptow_hmac_sha256(raw, KEYRING_KEY_LEN, keyring_label[p],
		    strlen(keyring_label[p]), k->sub[p]);
		if (er != REG_OK)
			return er;
	}
	return REG_OK;
}

/* Sort, reject duplicates; on failure the keyring is freed. */
static enum reg_err
keyring_seal(struct keyring *kr, struct keyring **out)
{
	size_t i;

	qsort(kr->keys, kr->n, sizeof(kr->keys[0]), key_cmp);
	for (i = 1; i < kr->n; i++) {
		if (strcmp(kr->keys[i - 1].kid, kr->keys[i].kid) == 0) {
			keyring_free(kr);
			return REG_EINVAL;
		}
	}
	*out = kr;
	return REG_OK;
}

enum reg_err
keyring_from_bytes(const struct keyring_seed *seeds, size_t n,
    struct keyring **out)
{
	struct keyring *kr = NULL;
	enum reg_err er;
	size_t i;

	if (n == 0 || n > KEYRING_MAX_KEYS)
		return REG_EINVAL;
	for (i = 0; i < n; i++) {
		if (seeds[i].kid == NULL ||
		    !keyring_kid_valid(seeds[i].kid, strlen(seeds[i].kid)))
			return REG_EINVAL;
	}
	kr = keyring_alloc(n);
	if (kr == NULL)
		return REG_ENOMEM;
	for (i = 0; i < n; i++) {
		er = key_derive(&kr->keys[i], seeds[i].kid, seeds[i].key);
		if (er != REG_OK) {
			keyring_free(kr);
			return er;
		}
	}
	return keyring_seal(kr, out);
}

struct keyring *
keyring_ref(struct keyring *kr)
{
	atomic_fetch_add_explicit(&kr->refs, 1, memory_order_relaxed);
	return kr;
}

void
keyring_free(struct keyring *kr)
{
	if (kr == NULL)
		return;
	if (atomic_fetch_sub_explicit(&kr->refs, 1, memory_order_acq_rel) != 1)
		return;
	cryptow_wipe(kr->keys, kr->n * sizeof(kr->keys[0]));
	free(kr);
}

const struct keyring_key *
keyring_current(const struct keyring *kr)
{
	return &kr->keys[kr->n - 1];
}

const struct keyring_key *
keyring_find(const struct keyring *kr, const char *kid, size_t len)
{
	size_t i;

	if (len > KEYRING_KID_MAX)
		return NULL;
	for (i = 0; i < kr->n; i++) {
		const struct keyring_key *k = &kr->keys[i];

		if (strlen(k->kid) == len && memcmp(k->kid, kid, len) == 0)
			return k;
	}
	return NULL;
}

const char *
keyring_key_kid(const struct keyring_key *k)
{
	return k->kid;
}

const unsigned char *
keyring_key_subkey(const struct keyring_key *k, enum keyring_purpose purpose)
{
	return k->sub[purpose];
}

size_t
keyring_list(const struct keyring *kr, const char **kids, size_t max)
{
	size_t i;

	for (i = 0; i < kr->n && i < max; i++)
		kids[i] = kr->keys[i].kid;
	return kr->n;
}

/*
 * Open keydir.  A directory that others could add keys to is refused;
 * one they can merely list is a warning.
 */
static enum reg_err
keydir_open(const char *keydir, DIR **out)
{
	struct stat st;
	DIR *d;

	d = opendir(keydir);
	if (d == NULL) {
		if (errno == ENOENT) {
			log_warnx("keyring: %s does not exist; generate a key "
			          "first",
			    keydir);
			return REG_ENOENT;
		}
		log_warn("keyring: opendir %s", keydir);
		return REG_ESYS;
	}
	if (fstat(dirfd(d), &st) != 0) {
		log_warn("keyring: fstat %s", keydir);
		(void)closedir(d);
		return REG_ESYS;
	}
	if ((st.st_mode & 022) != 0) {
		log_warnx("keyring: %s is writable by group or others; "
		          "run: chmod 700 %s",
		    keydir, keydir);
		(void)closedir(d);
		return REG_EPERM;
	}
	if ((st.st_mode & 077) != 0)
		log_warnx("keyring: %s is accessible by group or others; "
		          "run: chmod 700 %s",
		    keydir, keydir);
	*out = d;
	return REG_OK;
}

/* Collect the kids of every "<kid>.key" entry. */
static enum reg_err
keydir_scan(DIR *d, const char *keydir, struct kidlist *kl)
{
	struct dirent *de;
	size_t len;

	kl->n = 0;
	rewinddir(d);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		len = strlen(de->d_name);
		if (len <= 4 || memcmp(de->d_name + len - 4, ".key", 4) != 0)
			continue;
		if (!keyring_kid_valid(de->d_name, len - 4))
			continue;
		if (kl->n == KEYRING_MAX_KEYS) {
			log_warnx("keyring: more than %d keys in %s; retire "
			          "old keys",
			    KEYRING_MAX_KEYS, keydir);
			return REG_ETOOBIG;
		}
		memcpy(kl->kid[kl->n], de->d_name, len - 4);
		kl->kid[kl->n][len - 4] = '\0';
		kl->n++;
	}
	if (errno != 0) {
		log_warn("keyring: readdir %s", keydir);
		return REG_ESYS;
	}
	return REG_OK;
}

/* A key file must be a regular file of the right size, owner-only. */
static enum reg_err
key_check_stat(int fd, const char *keydir, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		log_warn("keyring: fstat %s/%s", keydir, name);
		return REG_ESYS;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("keyring: %s/%s is not a regular file", keydir, name);
		return REG_EINVAL;
	}
	if ((st.st_mode & 077) != 0) {
		log_warnx("keyring: %s/%s is accessible by group or others "
		          "(mode %04o); run: chmod 600 %s/%s",
		    keydir, name, (unsigned)(st.st_mode & 07777), keydir, name);
		return REG_EPERM;
	}
	if (st.st_size != KEYRING_FILE_LEN) {
		log_warnx("keyring: %s/%s has %lld bytes, not %d (64 hex "
		          "digits and a newline); remove it or generate a "
		          "new key",
		    keydir, name, (long long)st.st_size, KEYRING_FILE_LEN);
		return REG_EINVAL;
	}
	return REG_OK;
}

/* Read and check one key file; raw only on success. */
static enum reg_err
key_read(int dfd, const char *keydir, const char *kid,
    unsigned char raw[KEYRING_KEY_LEN])
{
	char name[KEYRING_NAME_BUFSZ];
	char text[KEYRING_FILE_LEN + 1];
	size_t got = 0;
	ssize_t r;
	enum reg_err er = REG_EINVAL;
	int fd = -1;

	(void)snprintf(name, sizeof(name), "%s.key", kid);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP) {
			log_warnx("keyring: %s/%s is a symbolic link; "
			          "replace it with the key file",
			    keydir, name);
			goto out;
		}
		log_warn("keyring: open %s/%s", keydir, name);
		er = REG_ESYS;
		goto out;
	}
	er = key_check_stat(fd, keydir, name);
	if (er != REG_OK)
		goto out;
	er = REG_EINVAL;
	/* Read one byte more than needed to notice a file that grew. */
	while (got < sizeof(text)) {
		r = read(fd, text + got, sizeof(text) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_warn("keyring: read %s/%s", keydir, name);
			er = REG_ESYS;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != KEYRING_FILE_LEN || text[KEYRING_FILE_LEN - 1] != '\n' ||
	    !hex_decode(text, KEYRING_FILE_LEN - 1, raw, KEYRING_KEY_LEN)) {
		log_warnx("keyring: %s/%s is not 64 lower-case hex digits and "
		          "a newline; remove it or generate a new key",
		    keydir, name);
		goto out;
	}
	er = REG_OK;
out:
	cryptow_wipe(text, sizeof(text));
	if (fd >= 0)
		(void)close(fd);
	return er;
}

enum reg_err
keyring_load(const char *keydir, struct keyring **out)
{
	unsigned char raw[KEYRING_KEY_LEN];
	struct kidlist *kl = NULL;
	struct keyring *kr = NULL;
	DIR *d = NULL;
	enum reg_err er;
	size_t i;

	er = keydir_open(keydir, &d);
	if (er != REG_OK)
		goto out;
	kl = malloc(sizeof(*kl));
	if (kl == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = keydir_scan(d, keydir, kl);
	if (er != REG_OK)
		goto out;
	if (kl->n == 0) {
		log_warnx("keyring: no <kid>.key file in %s; generate a key",
		    keydir);
		er = REG_ENOENT;
		goto out;
	}
	kr = keyring_alloc(kl->n);
	if (kr == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	for (i = 0; i < kl->n; i++) {
		er = key_read(dirfd(d), keydir, kl->kid[i], raw);
		if (er != REG_OK)
			goto out;
		er = key_derive(&kr->keys[i], kl->kid[i], raw);
		cryptow_wipe(raw, sizeof(raw));
		if (er != REG_OK)
			goto out;
	}
	er = keyring_seal(kr, out);
	kr = NULL; /* consumed */
out:
	cryptow_wipe(raw, sizeof(raw));
	keyring_free(kr);
	free(kl);
	if (d != NULL)
		(void)closedir(d);
	return er;
}

/* Is kid of the generated shape k + 14 digits + 4 lower-case hex? */
static bool
kid_generated(const char *kid)
{
	size_t i;

	if (strlen(kid) != KEYRING_GEN_KID_LEN || kid[0] != 'k')
		return false;
	for (i = 1; i < KEYRING_GEN_TS_LEN; i++)
		if (kid[i] < '0' || kid[i] > '9')
			return false;
	for (; i < KEYRING_GEN_KID_LEN; i++)
		if (!((kid[i] >= '0' && kid[i] <= '9') ||
		        (kid[i] >= 'a' && kid[i] <= 'f')))
			return false;
	return true;
}

/*
 * Choose a new kid that sorts after every kid in kl: the current UTC
 * time and a random suffix; when the newest existing kid has the same or
 * a later timestamp (two keys in one second, or a clock that went back),
 * keep its timestamp and pick a random suffix above its suffix.
 */
static enum reg_err
kid_make(const struct kidlist *kl, const char *keydir,
    char kid[KEYRING_KID_BUFSZ])
{
	char cand[80]; /* room for any int in the fields; checked below */
	const char *newest = "";
	unsigned char rnd[2], suf[2];
	unsigned r, s;
	struct tm tm;
	time_t now;
	enum reg_err er;
	size_t i;

	for (i = 0; i < kl->n; i++)
		if (strcmp(kl->kid[i], newest) > 0)
			newest = kl->kid[i];
	er = cryptow_random(rnd, sizeof(rnd));
	if (er != REG_OK)
		return er;
	r = (unsigned)rnd[0] << 8 | rnd[1];
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL) {
		log_warn("keyring: gmtime_r");
		return REG_ESYS;
	}
	(void)snprintf(cand, sizeof(cand), "k%04d%02d%02d%02d%02d%02d%04x",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, r);
	if (!kid_generated(cand)) {
		log_warnx("keyring: cannot make a kid from the clock");
		return REG_ESYS;
	}
	if (strcmp(cand, newest) > 0)
		goto done;
	if (!kid_generated(newest) ||
	    strncmp(newest, cand, KEYRING_GEN_TS_LEN) < 0) {
		log_warnx("keyring: existing key %s in %s sorts after any new "
		          "kid; retire it first",
		    newest, keydir);
		return REG_EEXIST;
	}
	if (!hex_decode(newest + KEYRING_GEN_TS_LEN, 4, suf, sizeof(suf)))
		return REG_EEXIST; /* impossible: kid_generated checked */
	s = (unsigned)suf[0] << 8 | suf[1];
	if (s >= 0xffff) {
		log_warnx("keyring: no kid left after %s in %s; retry in a "
		          "second",
		    newest, keydir);
		return REG_EEXIST;
	}
	s = s + 1 + r % (0xffff - s);
	memcpy(cand, newest, KEYRING_GEN_TS_LEN);
	suf[0] = (unsigned char)(s >> 8);
	suf[1] = (unsigned char)(s & 0xff);
	hex_encode(suf, sizeof(suf), cand + KEYRING_GEN_TS_LEN);
done:
	memcpy(kid, cand, KEYRING_GEN_KID_LEN + 1);
	return REG_OK;
}

static enum reg_err
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return REG_ESYS;
		p += r;
		n -= (size_t)r;
	}
	return REG_OK;
}

/* The next kid for the directory d: after every kid it holds. */
static enum reg_err
keydir_next_kid(DIR *d, const char *keydir, char kid[KEYRING_KID_BUFSZ])
{
	struct kidlist *kl;
	enum reg_err er;

	kl = malloc(sizeof(*kl));
	if (kl == NULL)
		return REG_ENOMEM;
	er = keydir_scan(d, keydir, kl);
	if (er == REG_OK)
		er = kid_make(kl, keydir, kid);
	free(kl);
	return er;
}

/*
 * Create dfd/tmpname (O_EXCL, 0600) holding the key text, fsync'ed and
 * closed.  *made tells whether the file exists (also on failure).
 */
static enum reg_err
key_write_tmp(int dfd, const char *keydir, const char *tmpname,
    const char *text, bool *made)
{
	enum reg_err er = REG_ESYS;
	int fd;

	fd = openat(dfd, tmpname,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("keyring: create %s/%s", keydir, tmpname);
		return errno == EEXIST ? REG_EEXIST : REG_ESYS;
	}
	*made = true;
	if (fchmod(fd, 0600) != 0)
		log_warn("keyring: fchmod %s/%s", keydir, tmpname);
	else if (write_all(fd, text, KEYRING_FILE_LEN) != REG_OK)
		log_warn("keyring: write %s/%s", keydir, tmpname);
	else if (fsync(fd) != 0)
		log_warn("keyring: fsync %s/%s", keydir, tmpname);
	else
		er = REG_OK;
	if (close(fd) != 0 && er == REG_OK) {
		log_warn("keyring: close %s/%s", keydir, tmpname);
		er = REG_ESYS;
	}
	return er;
}

enum reg_err
keyring_generate(const char *keydir, char kid_out[KEYRING_KID_BUFSZ])
{
	char tmpname[KEYRING_NAME_BUFSZ], name[KEYRING_NAME_BUFSZ];
	char text[KEYRING_FILE_LEN + 1];
	unsigned char raw[KEYRING_KEY_LEN];
	char kid[KEYRING_KID_BUFSZ];
	bool tmp_made = false;
	DIR *d = NULL;
	enum reg_err er;

	if (mkdir(keydir, 0700) != 0 && errno != EEXIST) {
		log_warn("keyring: mkdir %s", keydir);
		er = REG_ESYS;
		goto out;
	}
	er = keydir_open(keydir, &d);
	if (er != REG_OK)
		goto out;
	er = keydir_next_kid(d, keydir, kid);
	if (er != REG_OK)
		goto out;
	er = cryptow_random(raw, sizeof(raw));
	if (er != REG_OK)
		goto out;
	hex_encode(raw, sizeof(raw), text);
	text[KEYRING_FILE_LEN - 1] = '\n';
	(void)snprintf(tmpname, sizeof(tmpname), ".%s.tmp", kid);
	(void)snprintf(name, sizeof(name), "%s.key", kid);
	er = key_write_tmp(dirfd(d), keydir, tmpname, text, &tmp_made);
	if (er != REG_OK)
		goto out;
	/* link(2) never replaces an existing key */
	if (linkat(dirfd(d), tmpname, dirfd(d), name, 0) != 0) {
		er = errno == EEXIST ? REG_EEXIST : REG_ESYS;
		log_warn("keyring: link %s/%s", keydir, name);
		goto out;
	}
	if (unlinkat(dirfd(d), tmpname, 0) == 0)
		tmp_made = false;
	if (fsync(dirfd(d)) != 0) {
		log_warn("keyring: fsync %s", keydir);
		er = REG_ESYS;
		goto out;
	}
	memcpy(kid_out, kid, KEYRING_KID_BUFSZ);
	er = REG_OK;
out:
	if (tmp_made)
		(void)unlinkat(dirfd(d), tmpname, 0);
	cryptow_wipe(raw, sizeof(raw));
	cryptow_wipe(text, sizeof(text));
	if (d != NULL)
		(void)closedir(d);
	return er;
}

enum reg_err
keyring_retire(const char *keydir, const char *kid)
{
	char name[KEYRING_NAME_BUFSZ];
	struct kidlist *kl = NULL;
	bool found = false;
	DIR *d = NULL;
	enum reg_err er;
	size_t i;

	if (kid == NULL || !keyring_kid_valid(kid, strlen(kid)))
		return REG_EINVAL;
	er = keydir_open(keydir, &d);
	if (er != REG_OK)
		goto out;
	kl = malloc(sizeof(*kl));
	if (kl == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = keydir_scan(d, keydir, kl);
	if (er != REG_OK)
		goto out;
	for (i = 0; i < kl->n; i++)
		if (strcmp(kl->kid[i], kid) == 0)
			found = true;
	if (!found) {
		er = REG_ENOENT;
		goto out;
	}
	if (kl->n == 1) {
		log_warnx("keyring: refusing to retire %s, the only key in %s; "
		          "generate a new key first",
		    kid, keydir);
		er = REG_EPERM;
		goto out;
	}
	(void)snprintf(name, sizeof(name), "%s.key", kid);
	if (unlinkat(dirfd(d), name, 0) != 0) {
		log_warn("keyring: unlink %s/%s", keydir, name);
		er = REG_ESYS;
		goto out;
	}
	if (fsync(dirfd(d)) != 0) {
		log_warn("keyring: fsync %s", keydir);
		er = REG_ESYS;
		goto out;
	}
	er = REG_OK;
out:
	free(kl);
	if (d != NULL)
		(void)closedir(d);
	return er;
}

enum reg_err
keyring_cache_new(const char *keydir, int64_t min_interval, int64_t now,
    struct keyring_cache **out)
{
	struct keyring_cache *kc = NULL;
	enum reg_err er;

	if (min_interval < 0)
		return REG_EINVAL;
	kc = calloc(1, sizeof(*kc));
	if (kc == NULL)
		return REG_ENOMEM;
	kc->keydir = strdup(keydir);
	if (kc->keydir == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = keyring_load(keydir, &kc->cur);
	if (er != REG_OK)
		goto out;
	if (pthread_mutex_init(&kc->mu, NULL) != 0 ||
	    pthread_mutex_init(&kc->load_mu, NULL) != 0) {
		log_warnx("keyring: pthread_mutex_init failed");
		er = REG_ESYS;
		goto out;
	}
	kc->min_interval = min_interval;
	kc->last = now;
	*out = kc;
	kc = NULL;
out:
	if (kc != NULL) {
		keyring_free(kc->cur);
		free(kc->keydir);
		free(kc);
	}
	return er;
}

void
keyring_cache_free(struct keyring_cache *kc)
{
	if (kc == NULL)
		return;
	(void)pthread_mutex_destroy(&kc->mu);
	(void)pthread_mutex_destroy(&kc->load_mu);
	keyring_free(kc->cur);
	free(kc->keydir);
	free(kc);
}

struct keyring *
keyring_cache_get(struct keyring_cache *kc)
{
	struct keyring *kr;

	(void)pthread_mutex_lock(&kc->mu);
	kr = keyring_ref(kc->cur);
	(void)pthread_mutex_unlock(&kc->mu);
	return kr;
}

/* Load keydir and swap it in; false (logged) keeps the loaded keys. */
static bool
cache_load(struct keyring_cache *kc)
{
	struct keyring *kr = NULL, *old;
	enum reg_err er;

	(void)pthread_mutex_lock(&kc->load_mu);
	/* Load outside mu: readers keep going meanwhile. */
	er = keyring_load(kc->keydir, &kr);
	if (er != REG_OK) {
		(void)pthread_mutex_unlock(&kc->load_mu);
		log_warnx("keyring: reloading %s: %s; keeping the loaded keys",
		    kc->keydir, reg_err_str(er));
		return false;
	}
	(void)pthread_mutex_lock(&kc->mu);
	old = kc->cur;
	kc->cur = kr;
	(void)pthread_mutex_unlock(&kc->mu);
	(void)pthread_mutex_unlock(&kc->load_mu);
	keyring_free(old);
	return true;
}

bool
keyring_cache_refresh(struct keyring_cache *kc, int64_t now)
{
	bool due;

	(void)pthread_mutex_lock(&kc->mu);
	/* now >= last here, so the unsigned difference is exact */
	due = now < kc->last ||
	    (uint64_t)now - (uint64_t)kc->last >= (uint64_t)kc->min_interval;
	if (due)
		kc->last = now;
	(void)pthread_mutex_unlock(&kc->mu);
	if (!due)
		return false;
	return cache_load(kc);
}

bool
keyring_cache_reload(struct keyring_cache *kc, int64_t now)
{
	(void)pthread_mutex_lock(&kc->mu);
	kc->last = now;
	(void)pthread_mutex_unlock(&kc->mu);
	return cache_load(kc);
}
