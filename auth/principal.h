/*
 * auth/principal.h: principal keys, the strings grants are keyed by
 * (DESIGN.md "Identity, tokens, grants"; spec/iam-auth.md sections 5.6
 * and 6).
 *
 *   aws:<partition>:<account>:role:<name>   an IAM role (any session)
 *   aws:<partition>:<account>:user:<name>   an IAM user (if enabled)
 *   token:<name>                            a static API token
 *   (later oidc:<provider>:<subject>)
 *
 * partition is one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
 * aws-iso-e, aws-iso-f, aws-eusc; account is 12 digits; name matches
 * [A-Za-z0-9+=,.@_-]{1,64}; a token name matches apitoken_name_valid.
 * Matching is exact and case-sensitive: IAM returns the stored case, so a
 * case mismatch fails closed.  IAM paths and STS session names are never
 * part of a key.  The display form of an aws key is its canonical IAM ARN
 * (arn:aws:iam::123456789012:role/tf-publisher); of a token key, the key.
 *
 * Every parser takes (pointer, length) and writes its out-parameter only
 * on success; *why (if why is not NULL) is set on every return to a
 * static lowercase reason.
 */
#ifndef REG_PRINCIPAL_H
#define REG_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

#define PRINCIPAL_KEY_MAX 256 /* = STORE_PRINCIPAL_MAX */
#define PRINCIPAL_BUFSZ (PRINCIPAL_KEY_MAX + 1)
#define PRINCIPAL_NAME_MAX 64
#define PRINCIPAL_SESSION_MAX 64
#define PRINCIPAL_PATH_MAX 512
#define PRINCIPAL_UNIQUE_ID_MAX 128
#define PRINCIPAL_ARN_MAX 2048 /* longer input is refused unread */
#define PRINCIPAL_WARN_BUFSZ (PRINCIPAL_PATH_MAX + 128)

/* What an admin's grant input resolved to. */
struct principal_grant {
	char key[PRINCIPAL_BUFSZ];
	char display[PRINCIPAL_BUFSZ];
	/* "" or e.g. "role path /platform/ is ignored for matching; grants
	 * match role name tf-publisher": show it to the admin. */
	char warning[PRINCIPAL_WARN_BUFSZ];
};

/* The identity in an STS GetCallerIdentity answer. */
struct principal_sts {
	char key[PRINCIPAL_BUFSZ];
	char display[PRINCIPAL_BUFSZ];
	char session[PRINCIPAL_SESSION_MAX + 1]; /* audit only; "" for users */
	/* UserId before ':' (AROA... or AIDA...), for optional pinning */
	char unique_id[PRINCIPAL_UNIQUE_ID_MAX + 1];
	char account[13];
};

/* One of the partitions listed above. */
bool principal_partition_known(const char *p, size_t len);

/* Whether key[0..len) is a principal key of the grammar above. */
bool principal_key_valid(const char *key, size_t len);

/*
 * What an admin types for manage-registry-permissions -r:
 *   arn:<partition>:iam::<account>:role/[path/]Name   (path dropped, with
 *                                                      out->warning set)
 *   arn:<partition>:iam::<account>:user/[path/]Name   (whether users may
 *                                                      sign in is config)
 *   token:NAME
 *   aws:<partition>:<account>:role|user:NAME          (already a key)
 * Refused (REG_EINVAL): assumed-role and federated-user (sts) ARNs, root,
 * any other resource type, '*' or '?' anywhere, names outside the
 * grammar, unknown partitions, "ARN:" in another case, a region, a field
 * count other than 6, path segments that are empty, over 512 bytes in
 * total, or contain characters outside '!'..'~' or any of '*', '?', '%'.
 * out (on success only) is filled.
 */
enum reg_err principal_from_grant_input(const char *in, size_t len,
    struct principal_grant *out, const char **why) REG_MUSTCHECK;

/*
 * The STS answer (spec/iam-auth.md section 6 grammar and table):
 *   arn:P:sts::A:assumed-role/Role/Session  -> aws:P:A:role:Role, with
 *       exactly 3 '/' parts, UserId "AROA...:<Session>" (same session)
 *   arn:P:iam::A:user/[path/]Name           -> aws:P:A:user:Name, only if
 *       allow_users, UserId "AIDA..." without ':'
 * P must equal expected_partition (NUL-terminated, a known partition,
 * else REG_EINVAL), account must be 12 digits equal to the ARN's A.
 * Everything else (root, federated-user, IAM role ARNs, instance-profile,
 * group, 2- or 4-part assumed-role, a region, upper-case "ARN:", a bad
 * name or session, a UserId of the wrong shape) is REG_EAUTH.
 * out (on success only) is filled.
 */
enum reg_err principal_from_sts(const char *arn, size_t arnlen,
    const char *userid, size_t uidlen, const char *account, size_t acctlen,
    const char *expected_partition, bool allow_users, struct principal_sts *out,
    const char **why) REG_MUSTCHECK;

/*
 * The display form of key[0..len) into out (NUL-terminated): the
 * canonical ARN of an aws key (arn:aws:iam::123456789012:role/NAME), the
 * key itself for token:.  REG_EINVAL when key is not valid (out
 * untouched).
 */
enum reg_err principal_display(const char *key, size_t len,
    char out[PRINCIPAL_BUFSZ]) REG_MUSTCHECK;

#endif
