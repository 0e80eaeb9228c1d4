/*
 * admin-tools/orch_build.h: honua-orchestrator build: clone a GitHub
 * repository at a ref (the token from AWS Secrets Manager, handed to git
 * through GIT_CONFIG_* environment variables as an http.extraheader,
 * never on a command line and never logged), build it with buildah
 * (--isolation chroot, --storage-driver vfs, --pull=never, storage under
 * a temporary directory unless HONUA_BUILDAH_ROOT is set), export an OCI
 * layout, and push it with admin-tools/oci to each target registry with
 * the credentials the provider's registry_login gives.
 */
#ifndef REG_ORCH_BUILD_H
#define REG_ORCH_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "admin-tools/orch_core.h"
#include "common/err.h"

#define ORCH_BUILD_MAX_TARGETS 3

/*
 * Check the --push-to list: names[0..*n) get the provider of each
 * target.  REG_EINVAL (unknown or repeated name; msg says which),
 * REG_ENOENT (a provider this build does not implement: msg is
 * "provider X is not available in this build yet").
 */
enum reg_err orch_build_targets(const char *list,
    const struct orch_provider_ops **ops, size_t *n, char *msg,
    size_t msgsz) REG_MUSTCHECK;

/*
 * Whether url is a repository URL build accepts: https://..., file://...
 * or http:// to a loopback host; no userinfo, no whitespace or control
 * bytes, not starting with '-'.
 */
bool orch_build_url_ok(const char *url);

/* A git ref: [A-Za-z0-9._/-]{1,255}, not starting with '-', no "..". */
bool orch_build_ref_ok(const char *ref);

/* A relative path inside the repository: no "..", not absolute. */
bool orch_build_relpath_ok(const char *path);

/*
 * Run the whole build for ctx->opts (validated by main) and add one
 * report line per push.  Errors are recorded with orch_fail().
 */
enum reg_err orch_build_run(struct orch_ctx *ctx,
    const struct orch_provider_ops *const *targets, size_t ntargets,
    struct orch_report *rep) REG_MUSTCHECK;

#endif
