/*
 * auth/awscreds_cfg.c: the configuration half of the credential chain:
 * the injected environment, the shared config and credentials files,
 * profile lookup with botocore's merging rules, and the resolution of
 * region, TLS trust and service endpoints.
 *
 * Profiles (botocore build_profile_map): in the config file "[default]"
 * and "[profile NAME]" (the later section wins when both name the same
 * profile); in the credentials file "[NAME]".  For every key but the
 * static keys the credentials file's value wins over the config file's;
 * static keys are taken per file (credentials file first), as botocore's
 * SharedCredentialProvider and ConfigProvider do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/awscreds_priv.h"
#include "common/cryptow.h"
#include "common/log.h"

#define AWS_ESC 96 /* escaped user text in messages */

void
aws_ctx_init(struct aws_ctx *c, const struct aws_opts *o, int64_t now,
    char *errbuf, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->now = now;
	c->errbuf = errbuf;
	c->errsz = errsz;
	if (errbuf != NULL && errsz > 0)
		errbuf[0] = '\0';
}

enum reg_err
aws_fail(struct aws_ctx *c, enum reg_err er, const char *fmt, ...)
{
	va_list ap;

	if (c->errbuf == NULL || c->errsz == 0 || c->errbuf[0] != '\0')
		return er;
	va_start(ap, fmt);
	(void)vsnprintf(c->errbuf, c->errsz, fmt, ap);
	va_end(ap);
	return er;
}

const char *
aws_env(const struct aws_ctx *c, const char *name)
{
	const struct aws_env *e = &c->o->env;
	const char *v = NULL;

	if (e->lookup != NULL)
		v = e->lookup(e->arg, name);
	else if (e->getenv != NULL)
		v = e->getenv(name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

bool
aws_is_true(const char *v)
{
	return v != NULL && strcasecmp(v, "true") == 0;
}

static bool
aws_profile_name_ok(const char *p)
{
	size_t i, n = strlen(p);

	if (n == 0 || n > AWS_PROFILE_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch <= 0x20 || ch == 0x7f || ch == '[' || ch == ']')
			return false;
	}
	return true;
}

enum reg_err
aws_ctx_start(struct aws_ctx *c)
{
	const char *p = c->o->profile;
	char esc[AWS_ESC];

	if (p != NULL && p[0] != '\0') {
		c->profile_explicit = true;
		c->profile_named = true;
	} else {
		p = aws_env(c, "AWS_PROFILE");
		if (p == NULL)
			p = aws_env(c, "AWS_DEFAULT_PROFILE");
		c->profile_named = p != NULL;
		if (p == NULL)
			p = "default";
	}
	if (!aws_profile_name_ok(p))
		return aws_fail(c, REG_EINVAL,
		    "profile name %s is not 1..%d printable characters without "
		    "blanks or brackets",
		    log_escape(esc, sizeof(esc), p, strlen(p)),
		    AWS_PROFILE_MAX);
	(void)snprintf(c->profile, sizeof(c->profile), "%s", p);
	return REG_OK;
}

void
aws_ctx_release(struct aws_ctx *c)
{
	aws_ini_free(c->config);
	aws_ini_free(c->creds);
	c->config = NULL;
	c->creds = NULL;
}

enum reg_err
aws_expand(const struct aws_ctx *c, const char *path, char *out, size_t outsz)
{
	const char *home;
	int n;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		home = c->o->env.home;
		if (home == NULL || home[0] == '\0')
			home = aws_env(c, "HOME");
		if (home == NULL)
			return REG_ENOENT;
		n = snprintf(out, outsz, "%s%s", home, path + 1);
	} else {
		n = snprintf(out, outsz, "%s", path);
	}
	if (n < 0 || (size_t)n >= outsz)
		return REG_ETOOBIG;
	return REG_OK;
}

static enum reg_err
aws_read_fd(int fd, size_t cap, struct buf *out)
{
	char tmp[4096];
	ssize_t n;
	enum reg_err er = REG_OK;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			er = REG_ESYS;
			break;
		}
		if (n == 0)
			break;
		if ((size_t)n > cap - out->len) {
			er = REG_ETOOBIG;
			break;
		}
		er = buf_add(out, tmp, (size_t)n);
		if (er != REG_OK)
			break;
	}
	cryptow_wipe(tmp, sizeof(tmp));
	return er;
}

enum reg_err
aws_read_file(struct aws_ctx *c, const char *what, const char *path, size_t cap,
    struct buf *out, bool *missing)
{
	struct stat st;
	enum reg_err er;
	int fd, saved;

	if (missing != NULL)
		*missing = false;
	/* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		if (missing != NULL && (saved == ENOENT || saved == ENOTDIR)) {
			*missing = true;
			return REG_OK;
		}
		return aws_fail(c, saved == ENOENT ? REG_ENOENT : REG_ESYS,
		    "%s %s: %s", what, path, strerror(saved));
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		(void)close(fd);
		return aws_fail(c, REG_ESYS, "%s %s: %s", what, path,
		    strerror(saved));
	}
	if (S_ISDIR(st.st_mode) && missing != NULL) {
		(void)close(fd);
		*missing = true;
		return REG_OK;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return aws_fail(c, REG_EINVAL, "%s %s: not a regular file",
		    what, path);
	}
	buf_reset(out);
	er = aws_read_fd(fd, cap, out);
	saved = errno;
	(void)close(fd);
	if (er == REG_ETOOBIG)
		return aws_fail(c, er, "%s %s: larger than %zu bytes", what,
		    path, cap);
	if (er == REG_ESYS)
		return aws_fail(c, er, "%s %s: %s", what, path,
		    strerror(saved));
	return er;
}

/* Read and parse one shared file; absent file: *ini stays NULL. */
static enum reg_err
aws_load_ini(struct aws_ctx *c, const char *what, const char *path,
    struct aws_ini **ini)
{
	char msg[200];
	struct buf b;
	bool missing = false;
	enum reg_err er;

	buf_init(&b, AWS_INI_MAX_FILE + 1);
	er = aws_read_file(c, what, path, AWS_INI_MAX_FILE, &b, &missing);
	if (er != REG_OK || missing)
		goto out;
	er =
	    aws_ini_parse(b.p != NULL ? b.p : "", b.len, ini, msg, sizeof(msg));
	if (er != REG_OK)
		er = aws_fail(c, er, "%s %s: %s", what, path, msg);
out:
	buf_release_wipe(&b);
	return er;
}

static enum reg_err
aws_file_path(struct aws_ctx *c, const char *env, const char *dflt, char *out,
    size_t outsz)
{
	const char *p = aws_env(c, env);
	enum reg_err er;

	er = aws_expand(c, p != NULL ? p : dflt, out, outsz);
	if (er == REG_ENOENT) { /* no home: no default files */
		out[0] = '\0';
		return REG_OK;
	}
	if (er != REG_OK)
		return aws_fail(c, er, "%s: path too long", env);
	return REG_OK;
}

enum reg_err
aws_ctx_files(struct aws_ctx *c)
{
	enum reg_err er;

	if (c->files_done)
		return REG_OK;
	c->files_done = true;
	er = aws_file_path(c, "AWS_CONFIG_FILE", "~/.aws/config",
	    c->config_path, sizeof(c->config_path));
	if (er == REG_OK)
		er = aws_file_path(c, "AWS_SHARED_CREDENTIALS_FILE",
		    "~/.aws/credentials", c->creds_path, sizeof(c->creds_path));
	if (er == REG_OK && c->config_path[0] != '\0')
		er = aws_load_ini(c, "config file", c->config_path, &c->config);
	if (er == REG_OK && c->creds_path[0] != '\0')
		er = aws_load_ini(c, "shared credentials file", c->creds_path,
		    &c->creds);
	if (er != REG_OK)
		return er;
	if (c->profile_named && !aws_prof_exists(c, c->profile))
		return aws_fail(c, REG_ENOENT,
		    "profile %s not found in %s or %s", c->profile,
		    c->config_path[0] != '\0' ? c->config_path : "(no config)",
		    c->creds_path[0] != '\0' ? c->creds_path
		                             : "(no credentials)");
	log_debug("awscreds: profile %s, config %s%s, credentials %s%s",
	    c->profile, c->config_path, c->config != NULL ? "" : " (absent)",
	    c->creds_path, c->creds != NULL ? "" : " (absent)");
	return REG_OK;
}

/*
 * "<kind> <name>" with blanks between, as botocore's shlex split of the
 * section name gives exactly two words.
 */
static bool
aws_section_is(const char *sect, const char *kind, const char *name)
{
	size_t kl = strlen(kind), nl = strlen(name);
	const char *p;

	if (strncmp(sect, kind, kl) != 0 ||
	    (sect[kl] != ' ' && sect[kl] != '\t'))
		return false;
	p = sect + kl;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, name, nl) != 0)
		return false;
	p += nl;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0';
}

/* The config-file section of a profile (the last one that names it). */
static bool
aws_config_section(const struct aws_ini *ini, const char *profile, size_t *idx)
{
	size_t i, n;
	bool found = false;

	if (ini == NULL)
		return false;
	n = aws_ini_nsections(ini);
	for (i = 0; i < n; i++) {
		const char *s = aws_ini_section(ini, i);

		if ((strcmp(profile, "default") == 0 &&
		        strcmp(s, "default") == 0) ||
		    aws_section_is(s, "profile", profile)) {
			*idx = i;
			found = true;
		}
	}
	return found;
}

const char *
aws_prof(const struct aws_ctx *c, const char *profile, const char *key,
    const char **from)
{
	const char *v;
	size_t i;

	if (aws_ini_find(c->creds, profile, &i)) {
		v = aws_ini_get(c->creds, i, key);
		if (v != NULL) {
			if (from != NULL)
				*from = "shared credentials file";
			return v;
		}
	}
	if (aws_config_section(c->config, profile, &i)) {
		v = aws_ini_get(c->config, i, key);
		if (v != NULL) {
			if (from != NULL)
				*from = "config file";
			return v;
		}
	}
	return NULL;
}

bool
aws_prof_config_section(const struct aws_ctx *c, const char *profile,
    size_t *idx)
{
	return aws_config_section(c->config, profile, idx);
}

bool
aws_prof_exists(const struct aws_ctx *c, const char *profile)
{
	size_t i;

	return aws_ini_find(c->creds, profile, &i) ||
	    aws_config_section(c->config, profile, &i);
}

/* The profile value of key, "" counting as unset. */
static const char *
aws_prof_val(const struct aws_ctx *c, const char *key)
{
	const char *v = aws_prof(c, c->profile, key, NULL);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

enum reg_err
aws_ctx_region(struct aws_ctx *c)
{
	const char *r = c->o->region, *from = "the region argument";
	char esc[AWS_ESC];
	enum reg_err er;

	if (c->region_done)
		return REG_OK;
	if (r == NULL || r[0] == '\0') {
		r = aws_env(c, "AWS_REGION");
		from = "AWS_REGION";
	}
	if (r == NULL) {
		r = aws_env(c, "AWS_DEFAULT_REGION");
		from = "AWS_DEFAULT_REGION";
	}
	if (r == NULL) {
		er = aws_ctx_files(c);
		if (er != REG_OK)
			return er;
		r = aws_prof_val(c, "region");
		from = "the profile's region";
	}
	if (r == NULL) {
		r = "us-east-1";
		from = "the default";
	}
	if (!aws_region_ok(r))
		return aws_fail(c, REG_EINVAL, "region %s from %s is not valid",
		    log_escape(esc, sizeof(esc), r, strlen(r)), from);
	(void)snprintf(c->region, sizeof(c->region), "%s", r);
	c->region_done = true;
	return REG_OK;
}

static enum reg_err
aws_ca_path(struct aws_ctx *c, const char *p, const char *from, bool dir,
    char *out, size_t outsz)
{
	enum reg_err er = aws_expand(c, p, out, outsz);

	if (er != REG_OK)
		return aws_fail(c, REG_EINVAL, "%s: cannot expand the path",
		    from);
	if (access(out, R_OK) != 0)
		return aws_fail(c, REG_EINVAL, "CA %s %s (from %s): %s",
		    dir ? "directory" : "bundle", out, from, strerror(errno));
	return REG_OK;
}

enum reg_err
aws_ctx_tls(struct aws_ctx *c)
{
	const char *f = c->o->ca_file, *from = "the ca-file argument", *d;
	enum reg_err er = REG_OK;

	if (c->tls_done)
		return REG_OK;
	memset(&c->tls, 0, sizeof(c->tls));
	if (f == NULL || f[0] == '\0') {
		f = aws_env(c, "AWS_CA_BUNDLE");
		from = "AWS_CA_BUNDLE";
	}
	if (f == NULL) {
		er = aws_ctx_files(c);
		if (er != REG_OK)
			return er;
		f = aws_prof_val(c, "ca_bundle");
		from = "the profile's ca_bundle";
	}
	if (f != NULL) {
		er = aws_ca_path(c, f, from, false, c->tls.ca_file,
		    sizeof(c->tls.ca_file));
	} else {
		f = aws_env(c, "SSL_CERT_FILE");
		d = aws_env(c, "SSL_CERT_DIR");
		if (f != NULL)
			er = aws_ca_path(c, f, "SSL_CERT_FILE", false,
			    c->tls.ca_file, sizeof(c->tls.ca_file));
		if (er == REG_OK && d != NULL)
			er = aws_ca_path(c, d, "SSL_CERT_DIR", true,
			    c->tls.ca_dir, sizeof(c->tls.ca_dir));
	}
	if (er == REG_OK)
		c->tls_done = true;
	return er;
}

static bool
aws_service_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	}
	return true;
}

/* The `services` section's <service> = endpoint_url = ... of the profile. */
static enum reg_err
aws_services_url(struct aws_ctx *c, const char *service, const char **url,
    char *tmp, size_t tmpsz)
{
	const char *name = aws_prof_val(c, "services"), *v;
	char key[40];
	struct span s;
	size_t i, n;
	enum reg_err er;

	*url = NULL;
	if (name == NULL || c->config == NULL)
		return REG_OK;
	(void)snprintf(key, sizeof(key), "%s", service);
	for (i = 0; key[i] != '\0'; i++) {
		if (key[i] == '-')
			key[i] = '_';
	}
	n = aws_ini_nsections(c->config);
	for (i = 0; i < n; i++) {
		if (!aws_section_is(aws_ini_section(c->config, i), "services",
		        name))
			continue;
		v = aws_ini_get(c->config, i, key);
		er = aws_ini_nested(v, "endpoint_url", &s);
		if (er == REG_EINVAL)
			return aws_fail(c, er,
			    "config file %s: [services %s] %s: a nested line "
			    "has no '='",
			    c->config_path, name, key);
		if (er == REG_OK) {
			if (!aws_copy(tmp, tmpsz, s.p, s.len))
				return aws_fail(c, REG_EINVAL,
				    "[services %s] %s endpoint_url is too long",
				    name, key);
			*url = tmp;
		}
	}
	return REG_OK;
}

static enum reg_err
aws_endpoint_default(struct aws_ctx *c, const char *service, const char *region,
    struct aws_endpoint *out)
{
	const char *dom = aws_partition_domain(region);

	if (strcmp(service, "sts") == 0) {
		(void)snprintf(out->url, sizeof(out->url), "https://sts.%s.%s",
		    region, dom);
	} else if (strcmp(service, "ecr") == 0) {
		(void)snprintf(out->url, sizeof(out->url),
		    "https://api.ecr.%s.%s", region, dom);
	} else if (strcmp(service, "iam") == 0) {
		const char *sr = "us-east-1", *host = "iam.amazonaws.com";

		if (strncmp(region, "cn-", 3) == 0) {
			sr = "cn-north-1";
			host = "iam.cn-north-1.amazonaws.com.cn";
		} else if (strncmp(region, "us-gov-", 7) == 0) {
			sr = "us-gov-west-1";
			host = "iam.us-gov.amazonaws.com";
		} else if (strcmp(dom, "amazonaws.com") != 0) {
			sr = region;
			host = NULL;
		}
		if (host == NULL)
			(void)snprintf(out->url, sizeof(out->url),
			    "https://iam.%s.%s", region, dom);
		else
			(void)snprintf(out->url, sizeof(out->url), "https://%s",
			    host);
		(void)snprintf(out->signing_region, sizeof(out->signing_region),
		    "%s", sr);
		return REG_OK;
	} else {
		return aws_fail(c, REG_EINVAL,
		    "no default endpoint for service %s: set "
		    "AWS_ENDPOINT_URL or the profile's endpoint_url",
		    service);
	}
	(void)snprintf(out->signing_region, sizeof(out->signing_region), "%s",
	    region);
	return REG_OK;
}

/* Configured URL: https, or http to loopback; trailing '/' dropped. */
static enum reg_err
aws_endpoint_configured(struct aws_ctx *c, const char *url, const char *from,
    const char *region, struct aws_endpoint *out)
{
	char esc[AWS_ESC];
	struct aws_url u;
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	if (aws_url_parse(url, n, &u) != REG_OK)
		return aws_fail(c, REG_EINVAL,
		    "endpoint %s from %s is not an http(s) URL",
		    log_escape(esc, sizeof(esc), url, strlen(url)), from);
	if (!u.https && !aws_url_loopback(&u))
		return aws_fail(c, REG_EINVAL,
		    "endpoint %s from %s: plain http is allowed only to a "
		    "loopback host",
		    log_escape(esc, sizeof(esc), url, strlen(url)), from);
	(void)aws_copy(out->url, sizeof(out->url), url, n);
	(void)snprintf(out->signing_region, sizeof(out->signing_region), "%s",
	    region);
	out->configured = true;
	return REG_OK;
}

/*
 * The configured endpoint of service in the documented order, or *url
 * NULL (none, or ignored).  *from and *url may point into envname and
 * tmp, the caller's storage.
 */
static enum reg_err
aws_endpoint_lookup(struct aws_ctx *c, const char *service, char *envname,
    size_t envsz, char *tmp, size_t tmpsz, const char **url, const char **from)
{
	size_t i;
	enum reg_err er;

	*url = NULL;
	*from = NULL;
	if (aws_is_true(aws_env(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
		return REG_OK;
	(void)snprintf(envname, envsz, "AWS_ENDPOINT_URL_%s", service);
	for (i = 17; envname[i] != '\0'; i++) {
		if (envname[i] == '-')
			envname[i] = '_';
		else if (envname[i] >= 'a' && envname[i] <= 'z')
			envname[i] = (char)(envname[i] - 'a' + 'A');
	}
	*from = envname;
	*url = aws_env(c, envname);
	if (*url != NULL)
		return REG_OK;
	*from = "AWS_ENDPOINT_URL";
	*url = aws_env(c, "AWS_ENDPOINT_URL");
	if (*url != NULL)
		return REG_OK;
	er = aws_ctx_files(c);
	if (er != REG_OK ||
	    aws_is_true(aws_prof_val(c, "ignore_configured_endpoint_urls")))
		return er;
	*from = "the profile's services section";
	er = aws_services_url(c, service, url, tmp, tmpsz);
	if (er != REG_OK || *url != NULL)
		return er;
	*from = "the profile's endpoint_url";
	*url = aws_prof_val(c, "endpoint_url");
	return REG_OK;
}

enum reg_err
aws_ctx_endpoint(struct aws_ctx *c, const char *service, const char *region,
    struct aws_endpoint *out)
{
	char envname[64], tmp[AWS_URL_MAX + 1];
	const char *url, *from;
	struct aws_endpoint ep;
	enum reg_err er;

	memset(&ep, 0, sizeof(ep));
	if (service == NULL || !aws_service_ok(service))
		return aws_fail(c, REG_EINVAL, "bad service name");
	if (region == NULL || !aws_region_ok(region))
		return aws_fail(c, REG_EINVAL, "bad region");
	er = aws_endpoint_lookup(c, service, envname, sizeof(envname), tmp,
	    sizeof(tmp), &url, &from);
	if (er != REG_OK)
		return er;
	if (url != NULL)
		er = aws_endpoint_configured(c, url, from, region, &ep);
	else
		er = aws_endpoint_default(c, service, region, &ep);
	if (er == REG_OK) {
		*out = ep;
		log_debug("awscreds: %s endpoint %s (%s)", service, ep.url,
		    ep.configured ? from : "default");
	}
	return er;
}

static bool
aws_path_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
	    ch == '~' || ch == '/';
}

enum reg_err
aws_ctx_sts(struct aws_ctx *c)
{
	enum reg_err er;
	size_t i;

	if (c->sts_done)
		return REG_OK;
	er = aws_ctx_region(c);
	if (er == REG_OK)
		er = aws_ctx_endpoint(c, "sts", c->region, &c->sts);
	if (er != REG_OK)
		return er;
	if (aws_url_parse(c->sts.url, strlen(c->sts.url), &c->sts_url) !=
	    REG_OK)
		return aws_fail(c, REG_EINVAL, "bad STS endpoint %s",
		    c->sts.url);
	for (i = 0; i < c->sts_url.path.len; i++) {
		if (!aws_path_char(c->sts_url.path.p[i]))
			return aws_fail(c, REG_EINVAL,
			    "STS endpoint %s: the path may hold only "
			    "[A-Za-z0-9._~/-]",
			    c->sts.url);
	}
	c->sts_done = true;
	return REG_OK;
}
