/*
 * admin-tools/cli.h: what the admin tools share: the program name and its
 * messages, a permuting option loop, the state directory, opening the
 * store, the audit record of a local change, and a small JSON writer.
 *
 * Exit codes of every tool: CLI_EXIT_OK on success; CLI_EXIT_FAIL when a
 * well-formed command failed against the state (not found, exists, I/O),
 * with "<tool>: <what failed>: <what to do>" on stderr; CLI_EXIT_USAGE when
 * the command line itself is wrong (unknown option, missing or extra
 * argument, a value outside its grammar), with the reason and a hint on
 * stderr.  Only main() calls exit().
 */
#ifndef REG_CLI_H
#define REG_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "storage/store.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

#define CLI_STATE_DEFAULT "/var/lib/registry"
#define CLI_STATE_ENV "REGISTRY_STATE"
#define CLI_PATH_MAX 4096
#define CLI_MAXPOS 8      /* positional arguments kept by cli_getopt */
#define CLI_ACTOR_MAX 128 /* "local-admin:" + login name */
#define CLI_OUT_MAX ((size_t)64 << 20) /* cap on one printed document */

/* Positional arguments in command-line order (borrowed from argv). */
struct cli_pos {
	const char *v[CLI_MAXPOS];
	size_t n;
	bool overflow; /* more than CLI_MAXPOS were given */
};

/*
 * Set the program name (borrowed, must outlive the program) used in every
 * message, send library log lines to stderr at warning level, and open
 * /dev/null on any of descriptors 0, 1, 2 that is closed.  false when
 * that fails (the caller exits with CLI_EXIT_FAIL).
 */
bool cli_init(const char *prog) REG_MUSTCHECK;
/* Whether cli_init found standard output closed (now /dev/null). */
bool cli_stdout_was_closed(void);
const char *cli_prog(void);

/* "<prog>: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) REG_PRINTF(1, 2);
/* "<prog>: warning: <message>\n" on stderr. */
void cli_warn(const char *fmt, ...) REG_PRINTF(1, 2);
/* "<prog>: <message>" then usage (the tool's short usage) on stderr;
 * returns CLI_EXIT_USAGE so callers can `return usage_error(...)`. */
int cli_usage_error(const char *usage, const char *fmt, ...) REG_PRINTF(2, 3);

/*
 * getopt_long that accepts options before and after positional arguments,
 * whatever POSIXLY_CORRECT says: non-option arguments are appended to pos
 * (which the caller zeroes first) and everything after "--" is positional.
 * Returns the option character as getopt_long does ('?' after getopt has
 * printed an error), or -1 when argv is exhausted.  optstring must not
 * start with '+', '-' or ':'.  Uses optind/optarg; call with optind = 1.
 */
int cli_getopt(int argc, char *const argv[], const char *optstring,
    const struct option *longopts, struct cli_pos *pos);

/*
 * The state directory: opt (from --state) if not NULL, else the
 * environment's REGISTRY_STATE if set and not empty, else
 * CLI_STATE_DEFAULT; trailing slashes are dropped (but "/" stays).  Copied
 * into out.  REG_EINVAL (empty), REG_ETOOBIG (longer than outsz - 1).
 */
enum reg_err cli_state_dir(const char *opt, char *out,
    size_t outsz) REG_MUSTCHECK;

/* out = dir "/" sub; false (out = "") when it does not fit. */
bool cli_path(char *out, size_t outsz, const char *dir, const char *sub);

/*
 * Open the store of an initialised state directory (<statedir>/db).  On
 * failure prints why and what to do (typically "run registry-admin
 * --state DIR init") and returns the error: REG_ENOENT (not initialised),
 * REG_ESTORE, REG_ESYS, REG_ENOMEM.  *out: new, free with store_close().
 */
enum reg_err cli_store_open(const char *statedir,
    struct store **out) REG_MUSTCHECK;

/*
 * When running as root on a state directory owned by someone else (the
 * user registryd runs as), give path, if it is owned by root, the state
 * directory's owner and group: registryd opens the state after dropping
 * privileges and could not read a root-owned 0600 key or database file.
 * A missing path is ignored; a failure is a warning.
 */
void cli_adopt(const char *statedir, const char *path);

/*
 * The audit principal of this process: "local-admin:<login name>" (the
 * login name from getlogin_r, else the password entry of the real uid,
 * else "uid<N>").  Borrowed, static, computed once.
 */
const char *cli_actor(void);

/*
 * Append one audit record: {"action":A,"principal":cli_actor(),
 * "target":T,"tool":prog,"ts":<unix seconds>[,extra]}.  extra is NULL or
 * further JSON members, already encoded, without a leading comma.  On
 * failure prints that the change was made but not audited.
 */
enum reg_err cli_audit(struct store *st, const char *action, const char *target,
    const char *extra) REG_MUSTCHECK;

/* The current time in Unix seconds. */
int64_t cli_now(void);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) of t into out (at least 32 bytes). */
void cli_fmt_time(int64_t t, char *out, size_t outsz);

/* Append s as a JSON string (quoted, escaped; bytes >= 0x80 kept). */
enum reg_err cli_json_str(struct buf *b, const char *s) REG_MUSTCHECK;

/* "true" or "false". */
const char *cli_jbool(bool v);

/*
 * An output document with a sticky error: every call after a failure is a
 * no-op, so a document is written straight through and checked once
 * (out->er) before it is printed.  Caller-owned storage; capped at
 * CLI_OUT_MAX bytes (REG_ETOOBIG).
 */
struct cli_out {
	struct buf b;
	enum reg_err er;
};

void cli_out_init(struct cli_out *out);
void cli_out_release(struct cli_out *out);
/* Raw text. */
void cli_out_s(struct cli_out *out, const char *text);
void cli_out_f(struct cli_out *out, const char *fmt, ...) REG_PRINTF(2, 3);
/* A JSON string. */
void cli_out_js(struct cli_out *out, const char *s);

/*
 * Append a grant as a JSON object in the shape of the original tool
 * (json.dumps(indent=2)), with "unique_id" when pinned and the
 * created/updated fields.  indent is the indentation of the object's own
 * braces (0 at top level, 2 inside an array); the opening brace is not
 * indented.  role is the display form of the principal.
 */
void cli_grant_json(struct cli_out *out, int indent, const char *ns,
    const char *role, const char *principal, const struct grant *g);

/*
 * Write the document to stdout and flush it.  On failure (including an
 * earlier out->er) prints the reason and returns false.
 */
bool cli_print(const struct cli_out *out);

/* Flush stdout; on failure prints the reason and returns false. */
bool cli_flush(void);

#endif
