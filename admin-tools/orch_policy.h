/*
 * admin-tools/orch_policy.h: the policy documents shipped with
 * honua-orchestrator (admin-tools/policies/, installed under
 * share/honua-orchestrator/policies): where they are, and rendering a
 * template's placeholders @PARTITION@, @REGION@, @ACCOUNT@ and
 * @CUSTOMER_ID@ into compact, valid JSON.
 *
 * Lookup order for a file: HONUA_POLICY_DIR when set (the file must be
 * there), else the compiled-in ORCH_POLICY_DIR_DEFAULT when the file
 * exists there, else ./admin-tools/policies (running from the source
 * tree).
 */
#ifndef REG_ORCH_POLICY_H
#define REG_ORCH_POLICY_H

#include <stddef.h>

#include "admin-tools/orch_core.h"
#include "common/buf.h"
#include "common/err.h"

#define ORCH_POLICY_PULL "customer-ecr-policy.json.in"
#define ORCH_POLICY_PUSH "customer-ecr-push-policy.json.in"
#define ORCH_POLICY_LIFECYCLE "ecr-lifecycle-policy.json"
#define ORCH_POLICY_ORCHESTRATOR "orchestrator-policy.json"
#define ORCH_POLICY_MAX ((size_t)32 << 10)

/* Values substituted into a template; all borrowed, all validated. */
struct orch_policy_vars {
	const char *partition;   /* aws, aws-cn, aws-us-gov */
	const char *region;      /* [a-z0-9-]{1,32} */
	const char *account;     /* 12 digits */
	const char *customer_id; /* the customer-id grammar */
};

/*
 * Read the shipped file `name` (a plain file name) into out (capped at
 * ORCH_POLICY_MAX).  REG_ENOENT with a message naming where it looked,
 * REG_ETOOBIG, REG_ESYS, REG_ENOMEM.
 */
enum reg_err orch_policy_load(const struct orch_config *cfg, const char *name,
    struct buf *out, char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * Replace every placeholder of tmpl[0..len) and append the result as
 * compact JSON to out.  REG_EINVAL (with a message) for an unknown or
 * unterminated placeholder, an invalid value, or a result that is not a
 * JSON object; REG_ETOOBIG, REG_ENOMEM.
 */
enum reg_err orch_policy_render(const char *tmpl, size_t len,
    const struct orch_policy_vars *vars, struct buf *out, char *errbuf,
    size_t errsz) REG_MUSTCHECK;

/*
 * Compact an already complete JSON document (the lifecycle policy) into
 * out.  REG_EINVAL when it is not a JSON object.
 */
enum reg_err orch_policy_compact(const char *doc, size_t len,
    struct buf *out) REG_MUSTCHECK;

#endif
