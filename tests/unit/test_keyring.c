/*
 * tests/unit/test_keyring.c: auth/keyring: kid grammar, generate, load,
 * current/find/list, retire, refusal of unsafe or malformed key files,
 * sub-key derivation, in-memory keyrings, and the reloading cache.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/keyring.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "tests/lib/t.h"

/* 32 bytes 00 01 .. 1f as the file holds them. */
#define KEY_HEX \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
static const char key_hex[] = KEY_HEX;

static void
path_join(char *out, size_t outsz, const char *dir, const char *name)
{
	(void)snprintf(out, outsz, "%s/%s", dir, name);
}

/* A fresh directory under the test's temporary directory. */
static const char *
fresh_dir(const char *name, mode_t mode)
{
	static char path[512];

	path_join(path, sizeof(path), t_tmpdir(), name);
	if (mkdir(path, mode) != 0 || chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

static void
write_file(const char *dir, const char *name, const char *text, size_t len,
    mode_t mode)
{
	char path[600];
	int fd;

	path_join(path, sizeof(path), dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    fchmod(fd, mode) != 0 || close(fd) != 0) {
		perror(path);
		exit(2);
	}
}

static void
test_kid_valid(void)
{
	static const struct {
		const char *kid;
		bool ok;
	} tab[] = {
		{ "k20240101000000abcd", true },
		{ "a", true },
		{ "0", true },
		{ "key-2_x", true },
		{ "abcdefghijklmnopqrstuvwxyz012345", true },   /* 32 */
		{ "abcdefghijklmnopqrstuvwxyz0123456", false }, /* 33 */
		{ "", false },
		{ "-a", false },
		{ "_a", false },
		{ "K1", false },
		{ "k.1", false },
		{ "k/1", false },
		{ "k 1", false },
		{ "k1\n", false },
		{ "..", false },
	};
	char esc[80];
	size_t i;

	for (i = 0; i < nitems(tab); i++)
		T_OK(keyring_kid_valid(tab[i].kid, strlen(tab[i].kid)) ==
		        tab[i].ok,
		    "kid_valid(\"%s\") == %d",
		    log_escape(esc, sizeof(esc), tab[i].kid,
		        strlen(tab[i].kid)),
		    tab[i].ok);
	T_OK(!keyring_kid_valid("k\0x", 3), "kid with NUL rejected");
}

static void
test_generate_load_retire(void)
{
	char kid[3][KEYRING_KID_BUFSZ], path[600], text[80];
	const char *dir, *kids[4];
	struct keyring *kr = NULL;
	struct stat st;
	size_t i, n;
	ssize_t got;
	int fd;

	dir = fresh_dir("gen", 0700);
	for (i = 0; i < 3; i++)
		T_OK(keyring_generate(dir, kid[i]) == REG_OK, "generate %zu",
		    i);
	T_OK(strlen(kid[0]) == 19 && kid[0][0] == 'k', "kid shape %s", kid[0]);
	T_OK(strcmp(kid[0], kid[1]) < 0 && strcmp(kid[1], kid[2]) < 0,
	    "generated kids sort by age: %s %s %s", kid[0], kid[1], kid[2]);

	(void)snprintf(path, sizeof(path), "%s/%s.key", dir, kid[0]);
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	        st.st_size == KEYRING_FILE_LEN,
	    "key file is 0600 and 65 bytes");
	fd = open(path, O_RDONLY);
	got = fd >= 0 ? read(fd, text, sizeof(text)) : -1;
	if (fd >= 0)
		(void)close(fd);
	T_OK(got == KEYRING_FILE_LEN && text[64] == '\n', "key file text");

	T_OK(keyring_load(dir, &kr) == REG_OK, "load");
	if (kr == NULL)
		return;
	n = keyring_list(kr, kids, nitems(kids));
	T_OK(n == 3 && strcmp(kids[0], kid[0]) == 0 &&
	        strcmp(kids[2], kid[2]) == 0,
	    "list: 3 keys, oldest first");
	T_OK(keyring_list(kr, NULL, 0) == 3, "list counts");
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid[2]) == 0,
	    "current is the newest");
	T_OK(keyring_find(kr, kid[1], strlen(kid[1])) != NULL &&
	        strcmp(keyring_key_kid(
	                   keyring_find(kr, kid[1], strlen(kid[1]))),
	            kid[1]) == 0,
	    "find existing");
	T_OK(keyring_find(kr, "nope", 4) == NULL, "find unknown");
	T_OK(keyring_find(kr, kid[1], strlen(kid[1]) - 1) == NULL,
	    "find a prefix of a kid");
	T_OK(memcmp(keyring_key_subkey(keyring_current(kr), KEYRING_TOKEN),
	         keyring_key_subkey(keyring_current(kr), KEYRING_ARCHIVE_URL),
	         KEYRING_KEY_LEN) != 0,
	    "sub-keys differ per purpose");
	keyring_free(kr);
	kr = NULL;

	T_OK(keyring_retire(dir, kid[0]) == REG_OK, "retire oldest");
	T_OK(keyring_retire(dir, kid[0]) == REG_ENOENT, "retire twice");
	T_OK(keyring_retire(dir, "Bad kid") == REG_EINVAL, "retire bad kid");
	T_OK(keyring_retire(dir, kid[2]) == REG_OK, "retire newest");
	T_OK(keyring_load(dir, &kr) == REG_OK && kr != NULL &&
	        keyring_list(kr, NULL, 0) == 1 &&
	        strcmp(keyring_key_kid(keyring_current(kr)), kid[1]) == 0,
	    "after retiring, the remaining key is current");
	keyring_free(kr);
	kr = NULL;
	T_OK(keyring_retire(dir, kid[1]) == REG_EPERM,
	    "refuse to retire the only key");
	T_OK(keyring_load(dir, &kr) == REG_OK, "only key still loads");
	keyring_free(kr);
}

static void
test_generate_creates_dir(void)
{
	char dir[512], kid[KEYRING_KID_BUFSZ];
	struct stat st;

	path_join(dir, sizeof(dir), t_tmpdir(), "newkeys");
	T_OK(keyring_generate(dir, kid) == REG_OK, "generate creates keydir");
	T_OK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	    "keydir mode 0700");
}

/* Sub-keys of a loaded file equal HMAC(key, label), computed here. */
static void
test_subkey_vector(void)
{
	unsigned char raw[32], want[32];
	struct keyring_seed seed;
	struct keyring *kr = NULL, *mem = NULL;
	const struct keyring_key *k;
	const char *dir;
	size_t i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	dir = fresh_dir("vec", 0700);
	write_file(dir, "k1.key", key_hex, strlen(key_hex), 0600);
	T_OK(keyring_load(dir, &kr) == REG_OK, "load known key");
	if (kr == NULL)
		return;
	k = keyring_find(kr, "k1", 2);
	T_OK(k != NULL, "find k1");
	if (k == NULL)
		goto out;
	T_OK(cryptow_hmac_sha256(raw, 32, "reg1-token", 10, want) == REG_OK &&
	        memcmp(keyring_key_subkey(k, KEYRING_TOKEN), want, 32) == 0,
	    "token sub-key = HMAC(key, \"reg1-token\")");
	T_OK(cryptow_hmac_sha256(raw, 32, "reg1-archive-url", 16, want) ==
	            REG_OK &&
	        memcmp(keyring_key_subkey(k, KEYRING_ARCHIVE_URL), want, 32) ==
	            0,
	    "url sub-key = HMAC(key, \"reg1-archive-url\")");
	seed.kid = "k1";
	memcpy(seed.key, raw, 32);
	T_OK(keyring_from_bytes(&seed, 1, &mem) == REG_OK, "from_bytes");
	T_OK(mem != NULL &&
	        memcmp(keyring_key_subkey(keyring_current(mem), KEYRING_TOKEN),
	            keyring_key_subkey(k, KEYRING_TOKEN), 32) == 0,
	    "from_bytes derives as load does");
out:
	keyring_free(mem);
	keyring_free(kr);
}

/* Key directories that must not load, one per row. */
static void
test_bad_files(void)
{
	static const char upper[] = "000102030405060708090A0B0C0D0E0F"
	                            "101112131415161718191a1b1c1d1e1f\n";
	static const char nonhex[] = "000102030405060708090a0b0c0d0e0f"
	                             "101112131415161718191a1b1c1d1e1g\n";
	static const char crlf[] = "000102030405060708090a0b0c0d0e0f"
	                           "101112131415161718191a1b1c1d1e1\r\n";
	static const struct {
		const char *name;
		const char *text; /* NULL: no key file at all */
		size_t len;
		mode_t mode;
		mode_t dirmode;
		enum reg_err want;
	} tab[] = {
		{ "mode0644", key_hex, 65, 0644, 0700, REG_EPERM },
		{ "mode0640", key_hex, 65, 0640, 0700, REG_EPERM },
		{ "mode0604", key_hex, 65, 0604, 0700, REG_EPERM },
		{ "mode0660", key_hex, 65, 0660, 0700, REG_EPERM },
		{ "short", key_hex, 64, 0600, 0700, REG_EINVAL },
		{ "long", KEY_HEX "\n", 66, 0600, 0700, REG_EINVAL },
		{ "empty", "", 0, 0600, 0700, REG_EINVAL },
		{ "upper", upper, 65, 0600, 0700, REG_EINVAL },
		{ "nonhex", nonhex, 65, 0600, 0700, REG_EINVAL },
		{ "crlf", crlf, 65, 0600, 0700, REG_EINVAL },
		{ "nokeys", NULL, 0, 0, 0700, REG_ENOENT },
		{ "dir0777", key_hex, 65, 0600, 0777, REG_EPERM },
		{ "dir0770", key_hex, 65, 0600, 0770, REG_EPERM },
		{ "dir0755", key_hex, 65, 0600, 0755, REG_OK }, /* warns */
		{ "mode0400", key_hex, 65, 0400, 0700, REG_OK },
	};
	struct keyring *kr;
	const char *dir;
	char name[64];
	size_t i;

	for (i = 0; i < nitems(tab); i++) {
		(void)snprintf(name, sizeof(name), "bad-%s", tab[i].name);
		dir = fresh_dir(name, 0700);
		if (tab[i].text != NULL)
			write_file(dir, "k1.key", tab[i].text, tab[i].len,
			    tab[i].mode);
		(void)chmod(dir, tab[i].dirmode);
		kr = NULL;
		T_OK(keyring_load(dir, &kr) == tab[i].want &&
		        (tab[i].want == REG_OK) == (kr != NULL),
		    "%s: load gives %s", tab[i].name, reg_err_str(tab[i].want));
		keyring_free(kr);
		(void)chmod(dir, 0700);
	}
}

static void
test_odd_entries(void)
{
	char path[600], target[600];
	struct keyring *kr = NULL;
	const char *dir;

	/* Files that are not <valid kid>.key are ignored. */
	dir = fresh_dir("odd", 0700);
	write_file(dir, "k1.key", key_hex, 65, 0600);
	write_file(dir, "README", "x", 1, 0644);
	write_file(dir, ".k2.tmp", key_hex, 65, 0644);
	write_file(dir, "Bad.key", "x", 1, 0644);
	write_file(dir, ".key", "x", 1, 0644);
	write_file(dir, "k3.key.bak", "x", 1, 0644);
	T_OK(keyring_load(dir, &kr) == REG_OK && kr != NULL &&
	        keyring_list(kr, NULL, 0) == 1,
	    "non-key files are ignored");
	keyring_free(kr);
	kr = NULL;

	/* A symbolic link named like a key is refused. */
	dir = fresh_dir("symlink", 0700);
	write_file(dir, "real", key_hex, 65, 0600);
	path_join(target, sizeof(target), dir, "real");
	path_join(path, sizeof(path), dir, "k1.key");
	if (symlink(target, path) != 0) {
		perror("symlink");
		exit(2);
	}
	T_OK(keyring_load(dir, &kr) == REG_EINVAL && kr == NULL,
	    "symlinked key file refused");

	/* A directory named like a key is refused. */
	dir = fresh_dir("subdir", 0700);
	path_join(path, sizeof(path), dir, "k1.key");
	if (mkdir(path, 0700) != 0) {
		perror("mkdir");
		exit(2);
	}
	T_OK(keyring_load(dir, &kr) == REG_EINVAL && kr == NULL,
	    "directory named k1.key refused");

	path_join(path, sizeof(path), t_tmpdir(), "does-not-exist");
	T_OK(keyring_load(path, &kr) == REG_ENOENT && kr == NULL,
	    "missing keydir is REG_ENOENT");
}

static void
test_from_bytes(void)
{
	struct keyring_seed seeds[3];
	struct keyring *kr = NULL;
	const char *kids[3];
	size_t i;

	memset(seeds, 0, sizeof(seeds));
	seeds[0].kid = "kb";
	seeds[1].kid = "kc";
	seeds[2].kid = "ka";
	for (i = 0; i < 3; i++)
		seeds[i].key[0] = (unsigned char)i;
	T_OK(keyring_from_bytes(seeds, 3, &kr) == REG_OK, "from_bytes 3");
	if (kr != NULL) {
		T_OK(keyring_list(kr, kids, 3) == 3 &&
		        strcmp(kids[0], "ka") == 0 &&
		        strcmp(kids[1], "kb") == 0 &&
		        strcmp(kids[2], "kc") == 0,
		    "sorted by kid");
		T_OK(strcmp(keyring_key_kid(keyring_current(kr)), "kc") == 0,
		    "current is the greatest kid");
		T_OK(keyring_ref(kr) == kr, "ref returns the keyring");
		keyring_free(kr); /* one reference left */
		T_OK(keyring_find(kr, "ka", 2) != NULL,
		    "still usable after one of two references dropped");
		keyring_free(kr);
		kr = NULL;
	}
	seeds[1].kid = "kb";
	seeds[0].kid = "kb";
	T_OK(keyring_from_bytes(seeds, 2, &kr) == REG_EINVAL && kr == NULL,
	    "duplicate kid refused");
	seeds[0].kid = "K";
	T_OK(keyring_from_bytes(seeds, 1, &kr) == REG_EINVAL && kr == NULL,
	    "bad kid refused");
	seeds[0].kid = NULL;
	T_OK(keyring_from_bytes(seeds, 1, &kr) == REG_EINVAL && kr == NULL,
	    "NULL kid refused");
	T_OK(keyring_from_bytes(seeds, 0, &kr) == REG_EINVAL && kr == NULL,
	    "no keys refused");
	keyring_free(NULL);
}

static void
test_cache(void)
{
	char kid1[KEYRING_KID_BUFSZ], kid2[KEYRING_KID_BUFSZ];
	char path[600];
	struct keyring_cache *kc = NULL;
	struct keyring *kr;
	const char *dir;

	dir = fresh_dir("cache", 0700);
	T_OK(keyring_cache_new(dir, 30, 1000, &kc) == REG_ENOENT && kc == NULL,
	    "cache on an empty dir fails");
	T_OK(keyring_generate(dir, kid1) == REG_OK, "generate 1");
	T_OK(keyring_cache_new(dir, -1, 1000, &kc) == REG_EINVAL,
	    "negative interval");
	T_OK(keyring_cache_new(dir, 30, 1000, &kc) == REG_OK && kc != NULL,
	    "cache new");
	if (kc == NULL)
		return;
	kr = keyring_cache_get(kc);
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid1) == 0,
	    "cache holds kid1");
	T_OK(keyring_generate(dir, kid2) == REG_OK, "generate 2");
	T_OK(!keyring_cache_refresh(kc, 1029), "no reload within interval");
	T_OK(keyring_cache_refresh(kc, 1030), "reload after interval");
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid1) == 0,
	    "an old reference is unchanged");
	keyring_free(kr);
	kr = keyring_cache_get(kc);
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid2) == 0,
	    "new reference sees kid2");
	keyring_free(kr);

	/* A broken directory keeps the loaded keys. */
	(void)snprintf(path, sizeof(path), "%s/%s.key", dir, kid2);
	(void)chmod(path, 0644);
	T_OK(!keyring_cache_refresh(kc, 2000), "failed reload reports false");
	kr = keyring_cache_get(kc);
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid2) == 0,
	    "failed reload keeps the old keyring");
	keyring_free(kr);
	(void)chmod(path, 0600);
	T_OK(!keyring_cache_refresh(kc, 2010), "attempt counted, not due");
	T_OK(keyring_cache_refresh(kc, 1500), "clock went back: reload");
	/* SIGHUP did not reload a retired key's removal when an unknown-kid
	 * refresh had happened in the last interval (t_iam F27) */
	T_OK(keyring_generate(dir, kid1) == REG_OK, "generate 3");
	T_OK(!keyring_cache_refresh(kc, 1501), "refresh not due");
	T_OK(keyring_cache_reload(kc, 1501), "forced reload within interval");
	kr = keyring_cache_get(kc);
	T_OK(strcmp(keyring_key_kid(keyring_current(kr)), kid1) == 0,
	    "forced reload installed the new key");
	keyring_free(kr);
	keyring_cache_free(kc);
	keyring_cache_free(NULL);
}

int
main(void)
{
	log_init("test_keyring", 0, LOG_LVL_WARN);
	umask(022);
	test_kid_valid();
	test_generate_load_retire();
	test_generate_creates_dir();
	test_subkey_vector();
	test_bad_files();
	test_odd_entries();
	test_from_bytes();
	test_cache();
	return t_done();
}
