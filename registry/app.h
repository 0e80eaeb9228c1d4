/*
 * registry/app.h: process-wide state shared (read-only, apart from the
 * keyring swap and the counters) by all worker threads.
 */
#ifndef REG_APP_H
#define REG_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "auth/iamtok.h"
#include "registry/config.h"
#include "storage/store.h"

struct keyring_cache;

enum metric {
	MET_REQUESTS,
	MET_2XX,
	MET_4XX,
	MET_5XX,
	MET_PUBLISH,
	MET_DOWNLOAD_URLS,
	MET_ARCHIVES,
	MET_TOKENS_ISSUED,
	MET_TOKENS_REFUSED,
	MET_MAX
};

struct app {
	const struct reg_config *cfg;
	struct store *store;
	char blobdir[CONFIG_STR_MAX + 16];
	char keydir[CONFIG_STR_MAX + 16];

	/* Signing keys; workers take references (auth/keyring.h). */
	struct keyring_cache *keys;

	/* cfg->sts as the token endpoint's allowlist, built once at start */
	struct iamtok_endpoint sts_eps[CONFIG_MAX_STS];

	atomic_uint_fast64_t metrics[MET_MAX];
	int64_t started_at;
};

static inline void
app_count(struct app *a, enum metric m)
{
	atomic_fetch_add_explicit(&a->metrics[m], 1, memory_order_relaxed);
}

#endif
