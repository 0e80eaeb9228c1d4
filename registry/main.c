/*
 * registry/main.c: registryd, the FastCGI registry server.
 *
 *   registryd [-dnT] [-f config] [-s state_dir] [-S socket]
 *
 * Start-up order: read and check the configuration, open the unix socket,
 * drop privileges (when started as root and a user is configured), then
 * open the state (LMDB environment, blob directory, signing keys) as the
 * unprivileged user, remove upload leftovers of a previous crash, and run
 * a fixed pool of worker threads.  The main thread waits for signals:
 * SIGTERM/SIGINT stop (each worker finishes its request), SIGHUP reloads
 * the signing keys.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/iamtok.h"
#include "auth/keyring.h"
#include "common/fetch.h"
#include "common/log.h"
#include "registry/app.h"
#include "registry/conn.h"
#include "registry/handlers.h"
#include "storage/blob.h"

static struct app app;
static struct reg_config cfg;
static int listen_fd = -1;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: registryd [-dnT] [-f config] [-s state_dir] "
	    "[-S socket]\n");
	exit(2);
}

static void *
worker(void *arg)
{
	struct reg_conn *c;

	(void)arg;
	c = conn_new(listen_fd);
	if (c == NULL) {
		log_warnx("worker: cannot allocate a FastCGI request");
		return NULL;
	}
	while (conn_accept(c))
		dispatch(&app, c);
	conn_free(c);
	return NULL;
}

static void
drop_privileges(const struct reg_config *c)
{
	struct passwd *pw;
	struct group *gr = NULL;
	uid_t ru, eu, su;
	gid_t rg, eg, sg, gid;

	if (geteuid() != 0) {
		if (c->user[0] != '\0')
			log_info("not root: ignoring user = %s", c->user);
		goto nnp;
	}
	if (c->user[0] == '\0') {
		log_warnx("running as root: set user = in the configuration "
		          "to drop privileges");
		goto nnp;
	}
	pw = getpwnam(c->user);
	if (pw == NULL)
		fatalx("unknown user %s", c->user);
	gid = pw->pw_gid;
	if (c->group[0] != '\0') {
		gr = getgrnam(c->group);
		if (gr == NULL)
			fatalx("unknown group %s", c->group);
		gid = gr->gr_gid;
	}
	if (setgroups(1, &gid) != 0)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) != 0)
		fatal("setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0)
		fatal("setresuid");
	if (getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid ||
	    sg != gid)
		fatalx("group privileges were not dropped");
	if (getresuid(&ru, &eu, &su) != 0 || ru != pw->pw_uid ||
	    eu != pw->pw_uid || su != pw->pw_uid)
		fatalx("user privileges were not dropped");
	log_info("running as %s", c->user);
nnp:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		log_warn("prctl PR_SET_NO_NEW_PRIVS");
}

static void
set_str(char *dst, size_t dstsz, const char *src, const char *what)
{
	if (strlen(src) >= dstsz)
		fatalx("%s too long", what);
	memcpy(dst, src, strlen(src) + 1);
}

/* What the command line asked for. */
struct flags {
	const char *cfile; /* -f */
	const char *state; /* -s */
	const char *sock;  /* -S */
	bool check;        /* -n */
	bool debug;        /* -d */
	bool test_sts;     /* -T */
};

static void
parse_flags(int argc, char **argv, struct flags *fl)
{
	int ch;

	memset(fl, 0, sizeof(*fl));
	while ((ch = getopt(argc, argv, "df:nS:s:T")) != -1) {
		switch (ch) {
		case 'd':
			fl->debug = true;
			break;
		case 'f':
			fl->cfile = optarg;
			break;
		case 'n':
			fl->check = true;
			break;
		case 'S':
			fl->sock = optarg;
			break;
		case 's':
			fl->state = optarg;
			break;
		case 'T':
			fl->test_sts = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* The IAM sign-in settings, checked as the token endpoint will use them. */
static bool
iam_settings_usable(void)
{
	struct iamtok_policy pol = { app.sts_eps, cfg.nsts, cfg.audience_header,
		0, (int64_t)cfg.max_age, (int64_t)cfg.max_future };
	size_t i;

	for (i = 0; i < cfg.nsts; i++) {
		app.sts_eps[i].host = cfg.sts[i].host;
		app.sts_eps[i].region = cfg.sts[i].region;
		app.sts_eps[i].partition = cfg.sts[i].partition;
	}
	return iamtok_policy_valid(&pol);
}

/*
 * Defaults, then the state directory (-s, else REGISTRY_STATE), the file
 * and the socket (-S), then the cross-field checks.  false (the reason on
 * stderr) when registryd must not start.
 */
static bool
load_config(const struct flags *fl)
{
	const char *state = fl->state;
	char why[512];

	config_defaults(&cfg);
	if (state == NULL)
		state = config_env_state();
	if (state != NULL)
		set_str(cfg.state_dir, sizeof(cfg.state_dir), state,
		    "state_dir");
	if (fl->cfile != NULL &&
	    config_load(&cfg, fl->cfile, why, sizeof(why)) != REG_OK) {
		fprintf(stderr, "registryd: %s\n", why);
		return false;
	}
	if (fl->sock != NULL)
		set_str(cfg.socket, sizeof(cfg.socket), fl->sock, "socket");
	if (config_check(&cfg, fl->test_sts, why, sizeof(why)) != REG_OK) {
		fprintf(stderr, "registryd: %s%s%s\n",
		    fl->cfile ? fl->cfile : "", fl->cfile ? ": " : "", why);
		return false;
	}
	if (cfg.nsts > 0 && !iam_settings_usable()) {
		fprintf(stderr,
		    "registryd: the IAM sign-in settings "
		    "(sts_endpoint, audience_header, max_age, "
		    "max_future) are not usable\n");
		return false;
	}
	return true;
}

/* The configured destination and level; -d always means debug. */
static void
start_logging(const struct flags *fl)
{
	log_init("registryd", cfg.syslog,
	    fl->debug                                 ? LOG_LVL_DEBUG
	        : strcmp(cfg.log_level, "warn") == 0  ? LOG_LVL_WARN
	        : strcmp(cfg.log_level, "debug") == 0 ? LOG_LVL_DEBUG
	                                              : LOG_LVL_INFO);
	if (cfg.sts_test_endpoint[0] != '\0')
		log_warnx("TEST MODE: STS requests are sent to %s (-T); never "
		          "use this in production",
		    cfg.sts_test_endpoint);
}

/* Block the signals the main thread waits for; *set gets them. */
static void
block_signals(sigset_t *set)
{
	/*
	 * A signal ignored at exec (nohup, a shell's background job) is
	 * discarded and never reaches sigwait(): take the ones we wait for
	 * back to their defaults first.  SIGPIPE stays ignored.
	 */
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGHUP, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	/* Workers inherit this mask; only the main thread takes signals. */
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* The listening socket, with its mode and group; false when it failed. */
static bool
open_socket(void)
{
	listen_fd = conn_listen(cfg.socket, 128);
	if (listen_fd < 0)
		return false;
	if (chmod(cfg.socket, (mode_t)cfg.socket_mode) != 0)
		fatal("chmod %s", cfg.socket);
	if (cfg.group[0] != '\0' && geteuid() == 0) {
		struct group *gr = getgrnam(cfg.group);

		if (gr == NULL || chown(cfg.socket, (uid_t)-1, gr->gr_gid) != 0)
			fatal("chown %s to group %s", cfg.socket, cfg.group);
	}
	return true;
}

/*
 * Blobs, LMDB and signing keys, opened as the unprivileged user (after
 * drop_privileges()), so that everything created belongs to it.
 */
static void
open_state(void)
{
	struct store_opts so = { 0 };
	char dbdir[CONFIG_STR_MAX + 8];
	size_t n;

	app.cfg = &cfg;
	app.started_at = (int64_t)time(NULL);
	snprintf(app.blobdir, sizeof(app.blobdir), "%s/blobs", cfg.state_dir);
	snprintf(app.keydir, sizeof(app.keydir), "%s/keys", cfg.state_dir);
	if (blob_init_dir(app.blobdir) != REG_OK)
		fatalx("cannot use blob directory %s", app.blobdir);
	n = blob_cleanup_tmp(app.blobdir);
	if (n > 0)
		log_info("removed %zu unfinished upload(s)", n);
	snprintf(dbdir, sizeof(dbdir), "%s/db", cfg.state_dir);
	if (mkdir(dbdir, 0700) != 0 && errno != EEXIST)
		fatal("mkdir %s", dbdir);
	so.map_size = cfg.map_size;
	if (store_open(dbdir, &so, &app.store) != REG_OK)
		fatalx("cannot open the state in %s", dbdir);
	if (keyring_cache_new(app.keydir, 5, (int64_t)time(NULL), &app.keys) !=
	    REG_OK)
		fatalx("no usable signing key in %s: run registry-admin init",
		    app.keydir);
}

/* Take signals until SIGTERM or SIGINT; SIGHUP reloads the signing keys. */
static void
wait_for_stop(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* forced: an unknown-kid refresh must not delay it */
			if (keyring_cache_reload(app.keys, (int64_t)time(NULL)))
				log_info("SIGHUP: signing keys reloaded");
			else
				log_warnx("SIGHUP: signing keys NOT reloaded; "
				          "still using the previous keys");
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
}

/*
 * Run the worker pool until asked to stop, then shut the socket down so
 * that each worker finishes its request and returns, and wait for them.
 */
static void
serve(const sigset_t *set)
{
	pthread_t *tids;
	size_t i;

	tids = calloc(cfg.threads, sizeof(*tids));
	if (tids == NULL)
		fatal("calloc");
	for (i = 0; i < cfg.threads; i++)
		if (pthread_create(&tids[i], NULL, worker, NULL) != 0)
			fatalx("pthread_create failed");
	log_info("listening on %s with %zu threads, state in %s", cfg.socket,
	    (size_t)cfg.threads, cfg.state_dir);

	wait_for_stop(set);
	log_info("shutting down");
	(void)shutdown(listen_fd, SHUT_RDWR);
	for (i = 0; i < cfg.threads; i++)
		pthread_join(tids[i], NULL);
	close(listen_fd);
	(void)unlink(cfg.socket);
	free(tids);
}

int
main(int argc, char **argv)
{
	struct flags fl;
	sigset_t set;

	parse_flags(argc, argv, &fl);
	log_init("registryd", 0, fl.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (!load_config(&fl))
		return 1;
	if (fl.check) {
		fprintf(stderr, "registryd: configuration OK\n");
		return 0;
	}
	start_logging(&fl);
	block_signals(&set);

	conn_lib_init();
	fetch_global_init();
	if (!open_socket())
		return 1;
	drop_privileges(&cfg);
	open_state();

	serve(&set);
	keyring_cache_free(app.keys);
	store_close(app.store);
	log_info("stopped");
	return 0;
}
