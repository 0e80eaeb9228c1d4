/*
 * common/num.h: the one bounded number parser (strtonum-like).  Input is
 * (pointer, length), no NUL needed; only ASCII decimal digits are
 * accepted (no sign, no spaces, no '+', no hex), at most 20 digits.
 */
#ifndef REG_NUM_H
#define REG_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* REG_EINVAL when not digits or outside [min, max]; *out only on success. */
enum reg_err num_parse_u64(const char *, size_t, uint64_t min, uint64_t max,
    uint64_t *out) REG_MUSTCHECK;

/* As above with an optional leading '-'. */
enum reg_err num_parse_i64(const char *, size_t, int64_t min, int64_t max,
    int64_t *out) REG_MUSTCHECK;

#endif
