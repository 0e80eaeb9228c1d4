/*
 * admin-tools/client_cache: the helper's token cache on a real file
 * system in a temporary directory: directory choice and modes, the file
 * name, save/load round trips (0600, atomic replace), every way an entry
 * is unusable (a table: garbage, wrong mode, symlink, other host, extra or
 * duplicate keys, bad token, too large), forget, and the refresh rule
 * (more than max(60 s, 10% of the lifetime) must remain) as a table.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../admin-tools/client_cache.h"
#include "../../common/cryptow.h"

#define HOST "127.0.0.1:8443"

static void
test_dir(void)
{
	char d[256];

	T_OK(client_cache_dir("/x/cache", "/home/u", d, sizeof(d)) == REG_OK &&
	        strcmp(d, "/x/cache/terraform-credentials-iam") == 0,
	    "XDG_CACHE_HOME wins");
	T_OK(client_cache_dir("relative", "/home/u", d, sizeof(d)) == REG_OK &&
	        strcmp(d, "/home/u/.cache/terraform-credentials-iam") == 0,
	    "a relative XDG_CACHE_HOME is ignored (XDG spec)");
	T_OK(client_cache_dir(NULL, "/home/u", d, sizeof(d)) == REG_OK &&
	        strcmp(d, "/home/u/.cache/terraform-credentials-iam") == 0,
	    "~/.cache by default");
	T_OK(client_cache_dir(NULL, NULL, d, sizeof(d)) == REG_ENOENT,
	    "neither: REG_ENOENT");
	T_OK(client_cache_dir("/x", NULL, d, 8) == REG_ETOOBIG, "too long");
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_mode & 07777 : 0;
}

static void
write_raw(const char *path, const char *text, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		perror(path);
	(void)fchmod(fd, mode);
	(void)close(fd);
}

static const struct {
	const char *desc, *content;
	mode_t mode;
	const char *why;
} bad[] = {
	{ "garbage", "not json", 0600, "not a JSON object" },
	{ "wrong mode",
	    "{\"host\":\"" HOST "\",\"token\":\"t\","
	    "\"expires_at\":1}",
	    0644, "0600" },
	{ "another host",
	    "{\"host\":\"x.example\",\"token\":\"t\","
	    "\"expires_at\":1}",
	    0600, "another host" },
	{ "extra key",
	    "{\"host\":\"" HOST "\",\"token\":\"t\","
	    "\"expires_at\":1,\"x\":1}",
	    0600, "not a cache entry" },
	{ "duplicate key",
	    "{\"host\":\"" HOST "\",\"token\":\"t\","
	    "\"token\":\"u\",\"expires_at\":1}",
	    0600, "not a JSON object" },
	{ "bad token",
	    "{\"host\":\"" HOST "\",\"token\":\"a b\","
	    "\"expires_at\":1}",
	    0600, "malformed" },
	{ "negative expiry",
	    "{\"host\":\"" HOST "\",\"token\":\"t\","
	    "\"expires_at\":-5}",
	    0600, "not a cache entry" },
	{ "string expiry",
	    "{\"host\":\"" HOST "\",\"token\":\"t\","
	    "\"expires_at\":\"soon\"}",
	    0600, "not a cache entry" },
	{ "no token", "{\"host\":\"" HOST "\",\"expires_at\":1}", 0600,
	    "not a cache entry" },
	{ "empty", "", 0600, "empty" },
	{ "array", "[]", 0600, "not a JSON object" },
};

static void
test_files(void)
{
	char dir[512], path[600], other[600], hex[65],
	    big[CLIENT_CACHE_FILE_MAX + 10];
	struct client_token t;
	const char *why;
	int64_t got;
	enum reg_err er;
	size_t i;

	(void)snprintf(dir, sizeof(dir), "%s/a/b/terraform-credentials-iam",
	    t_tmpdir());
	T_OK(client_cache_prepare(dir, path, sizeof(path)) == REG_OK &&
	        mode_of(dir) == 0700,
	    "cache directory created, 0700");
	(void)chmod(dir, 0755);
	T_OK(client_cache_prepare(dir, path, sizeof(path)) == REG_OK &&
	        mode_of(dir) == 0700,
	    "a looser mode is tightened to 0700");
	T_OK(client_cache_path(dir, HOST, path, sizeof(path)) == REG_OK &&
	        cryptow_sha256_hex(HOST, strlen(HOST), hex) == REG_OK &&
	        strlen(path) == strlen(dir) + 65 &&
	        strcmp(path + strlen(dir) + 1, hex) == 0,
	    "file name is the SHA-256 of the host");

	client_token_init(&t);
	T_OK(client_cache_load(path, HOST, &t, &got, &why) == REG_ENOENT,
	    "no entry: REG_ENOENT");
	T_OK(client_cache_save(dir, path, HOST, "reg1.abc.def", 5000, 1400) ==
	            REG_OK &&
	        mode_of(path) == 0600,
	    "saved with mode 0600");
	er = client_cache_load(path, HOST, &t, &got, &why);
	T_OK(er == REG_OK && strcmp(t.token, "reg1.abc.def") == 0 &&
	        t.expires_at == 5000 && got == 1400,
	    "round trip");
	client_token_release(&t);
	T_OK(client_cache_load(path, "other.example", &t, &got, &why) ==
	        REG_EINVAL,
	    "an entry is only for its host");

	for (i = 0; i < nitems(bad); i++) {
		write_raw(path, bad[i].content, bad[i].mode);
		why = NULL;
		er = client_cache_load(path, HOST, &t, &got, &why);
		T_OK(er == REG_EINVAL && why != NULL &&
		        strstr(why, bad[i].why) != NULL && t.token == NULL,
		    "unusable entry: %s (%s)", bad[i].desc,
		    why != NULL ? why : "-");
		client_token_release(&t);
		T_OK(client_cache_save(dir, path, HOST, "regt_new", 0, 1) ==
		            REG_OK &&
		        mode_of(path) == 0600 &&
		        client_cache_load(path, HOST, &t, &got, &why) ==
		            REG_OK &&
		        strcmp(t.token, "regt_new") == 0,
		    "and it is replaced by the next save (%s)", bad[i].desc);
		client_token_release(&t);
	}
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_raw(path, big, 0600);
	T_OK(client_cache_load(path, HOST, &t, &got, &why) == REG_EINVAL,
	    "an entry over 16 KiB is unusable");
	(void)snprintf(other, sizeof(other), "%s/real", dir);
	write_raw(other,
	    "{\"host\":\"" HOST "\",\"token\":\"t\",\"expires_at\":0}", 0600);
	(void)unlink(path);
	if (symlink(other, path) == 0)
		T_OK(client_cache_load(path, HOST, &t, &got, &why) ==
		            REG_EINVAL &&
		        strstr(why, "symlink") != NULL,
		    "a symlink is not followed");
	T_OK(client_cache_save(dir, path, HOST, "bad token", 0, 0) ==
	        REG_EINVAL,
	    "an invalid token is not saved");
	T_OK(client_cache_forget(path) == REG_OK && access(path, F_OK) != 0,
	    "forget removes the entry");
	T_OK(client_cache_forget(path) == REG_OK, "forget of nothing is fine");
}

static const struct {
	int64_t exp, got, now;
	bool fresh;
} fresh[] = {
	{ 0, 0, 999999999, true },   /* stored: no expiry known */
	{ 4600, 1000, 4239, true },  /* 1 h: 361 s left, margin 360 */
	{ 4600, 1000, 4240, false }, /* exactly the margin left */
	{ 4600, 1000, 5000, false }, /* expired */
	{ 1300, 1000, 1239, true },  /* 5 min: margin is the 60 s floor */
	{ 1300, 1000, 1240, false },
	{ 1300, 0, 1239, true }, /* unknown start: 60 s floor */
	{ 1300, 0, 1240, false },
	{ 1300, 2000, 1239, true },   /* nonsense start: 60 s floor */
	{ 44200, 1000, 39879, true }, /* 12 h: margin 4320 */
	{ 44200, 1000, 39880, false },
};

static void
test_fresh(void)
{
	size_t i;

	for (i = 0; i < nitems(fresh); i++)
		T_OK(client_cache_fresh(fresh[i].exp, fresh[i].got,
		         fresh[i].now) == fresh[i].fresh,
		    "fresh row %zu: expires %lld, obtained %lld, now %lld: %s",
		    i, (long long)fresh[i].exp, (long long)fresh[i].got,
		    (long long)fresh[i].now,
		    fresh[i].fresh ? "use it" : "refresh");
}

int
main(void)
{
	test_dir();
	test_files();
	test_fresh();
	return t_done();
}
