/*
 * common/name.h: allow-list grammars for registry names (Terraform's
 * terraform-registry-address rules, spec/terraform-protocols.md 2.1).
 *   namespace, name: ^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$
 *   system:          ^[0-9a-z]{1,64}$
 * Inputs are (pointer, length); a NUL inside is simply an invalid byte.
 */
#ifndef REG_NAME_H
#define REG_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_MAX_LEN 64
#define NAME_BUFSZ (NAME_MAX_LEN + 1)

bool name_valid(const char *, size_t);
bool system_valid(const char *, size_t);

/*
 * ASCII lower-case copy of src[0..len) into dst (dstsz must be > len);
 * always NUL-terminates.  For case-insensitive keys.
 */
void name_lower(char *dst, size_t dstsz, const char *src, size_t len);

#endif
