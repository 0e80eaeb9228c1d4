/*
 * common/semver.h: Semantic Versioning 2.0.0, strictly.
 *   MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]
 * No leading zeros in numeric identifiers (numeric parts and numeric
 * pre-release identifiers), no empty identifiers, identifiers from
 * [0-9A-Za-z-], numbers fit in uint64_t, whole string <= SEMVER_MAX_LEN.
 * A leading 'v' is refused with its own message.
 */
#ifndef REG_SEMVER_H
#define REG_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SEMVER_MAX_LEN 128
#define SEMVER_BUFSZ (SEMVER_MAX_LEN + 1)

struct semver {
	uint64_t major, minor, patch;
	char pre[SEMVER_BUFSZ];   /* "" when none, without the '-' */
	char build[SEMVER_BUFSZ]; /* "" when none, without the '+' */
};

/*
 * Parse s[0..len).  On failure returns REG_EINVAL and, if why is not
 * NULL, points *why at a static lowercase message naming the problem
 * (e.g. "version must not start with 'v'; use 1.2.3").
 */
enum reg_err semver_parse(const char *s, size_t len, struct semver *out,
    const char **why) REG_MUSTCHECK;

/* SemVer precedence (build metadata ignored): <0, 0, >0. */
int semver_cmp(const struct semver *, const struct semver *);

/*
 * Total order for sorting version strings that already parsed: precedence
 * first, then build metadata compared bytewise so equal-precedence
 * versions still sort deterministically.  Unparsable strings sort first.
 */
int semver_cmp_str(const char *, const char *);

bool semver_is_prerelease(const struct semver *);

#endif
