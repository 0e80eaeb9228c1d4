/*
 * registry/config.h: registryd's configuration, one struct, defaults in one
 * table (config.c), read from a "key = value" file and then immutable.
 * No getenv() outside config.c.
 */
#ifndef REG_CONFIG_H
#define REG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CONFIG_STR_MAX 512
#define CONFIG_MAX_STS 16

struct sts_endpoint {
	char host[128];
	char region[32];
	char partition[16];
};

struct reg_config {
	char socket[CONFIG_STR_MAX]; /* FastCGI unix socket path */
	uint64_t socket_mode;        /* octal, e.g. 0660 */
	char state_dir[CONFIG_STR_MAX];
	char user[64]; /* drop to this user when root */
	char group[64];
	uint64_t threads;
	bool syslog;
	char log_level[16]; /* warn | info | debug */

	uint64_t map_size;         /* LMDB map size, bytes */
	uint64_t max_upload_bytes; /* publish body cap */
	uint64_t max_archive_entries;
	uint64_t max_archive_bytes;         /* uncompressed */
	uint64_t archive_url_ttl;           /* seconds */
	char blob_location[CONFIG_STR_MAX]; /* nginx internal location */

	/* IAM sign-in (spec/iam-auth.md) */
	char audience[256]; /* registry host name clients sign */
	char audience_header[64];
	struct sts_endpoint sts[CONFIG_MAX_STS];
	size_t nsts;
	uint64_t token_ttl;     /* default lifetime of issued tokens */
	uint64_t token_max_ttl; /* cap on expiration_seconds, <= 12 h */
	uint64_t max_age;       /* X-Amz-Date freshness window */
	uint64_t max_future;
	bool allow_user_principals;
	char sts_ca_file[CONFIG_STR_MAX];
	char sts_proxy[CONFIG_STR_MAX];         /* "" = no proxy */
	char sts_test_endpoint[CONFIG_STR_MAX]; /* loopback host:port, tests */
	uint64_t sts_timeout_ms;
};

/* Fill c with the defaults. */
void config_defaults(struct reg_config *c);

/*
 * Read path over the defaults.  On failure *why (static or in whybuf)
 * names the line and the problem.  REG_EINVAL, REG_ESYS.
 */
enum reg_err config_load(struct reg_config *c, const char *path, char *whybuf,
    size_t whysz) REG_MUSTCHECK;

/* Parse a config text (for tests and the fuzzer). */
enum reg_err config_parse(struct reg_config *c, const char *text, size_t len,
    char *whybuf, size_t whysz) REG_MUSTCHECK;

/*
 * Cross-field checks after loading (e.g. the STS test endpoint must be a
 * loopback address and allowed by allow_test_sts).
 */
enum reg_err config_check(const struct reg_config *c, bool allow_test_sts,
    char *whybuf, size_t whysz) REG_MUSTCHECK;

/* REGISTRY_STATE or NULL: the only environment variable registryd reads. */
const char *config_env_state(void);

#endif
