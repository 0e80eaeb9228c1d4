/*
 * admin-tools/client.c: see client.h.  Invariant: no secret reaches a
 * message, and every buffer that held one is wiped before it is freed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/cli.h"
#include "admin-tools/client.h"
#include "auth/awscreds.h"
#include "auth/sigv4.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"
#include "common/num.h"

#define CLIENT_BUNDLE_MAX ((uint64_t)32 << 20)
#define CLIENT_CERT_FILE_MAX ((uint64_t)4 << 20)
#define CLIENT_PRESIGN_EXPIRES 60
#define CLIENT_PRESIGN_EXPIRES_MAX 900 /* the registry's limit */
#define CLIENT_EXCHANGE_BODY_MAX 8192
#define CLIENT_CURLERR_MAX 256 /* CURL_ERROR_SIZE */

/* ---- host names and TF_TOKEN_ ---- */

static bool
client_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Characters and shape of what was typed; NULL or why not. */
static const char *
client_host_shape(const char *in, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty host name: give the registry host, e.g. "
		       "registry.example.com or 127.0.0.1:8443";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x80)
			return "internationalised (non-ASCII) host names are "
			       "not supported (Terraform 1.11 cannot install "
			       "modules from them): use an ASCII host name";
		if (c <= 0x20 || c == 0x7f)
			return "host name contains a space or control "
			       "character";
	}
	if (len >= 3 && memmem(in, len, "://", 3) != NULL)
		return "give the host name without a scheme: "
		       "registry.example.com, not https://registry.example.com";
	if (memchr(in, '/', len) != NULL)
		return "give only the host name and port, without a path";
	if (in[0] == '[' || memchr(in, ':', len) != memrchr(in, ':', len))
		return "IPv6 address literals are not supported: use a host "
		       "name";
	return NULL;
}

/* Lower-case in[0..hl) into h and check its labels; NULL or why not. */
static const char *
client_host_labels(const char *in, size_t hl, char *h)
{
	size_t i, lstart = 0;

	if (hl == 0 || hl > CLIENT_HOSTNAME_MAX)
		return "host name is empty or longer than 253 bytes";
	for (i = 0; i < hl; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '_')
			return "'_' is not allowed in host names";
		if (c != '.' && !client_label_char(c))
			return "host name has a character outside a-z, 0-9, "
			       "'-' and '.'";
		h[i] = c;
	}
	h[hl] = '\0';
	if (h[hl - 1] == '.')
		return "remove the trailing dot from the host name";
	for (i = 0; i <= hl; i++) {
		if (i < hl && h[i] != '.')
			continue;
		if (i == lstart || i - lstart > 63)
			return "host name has an empty label or one longer "
			       "than "
			       "63 bytes";
		if (h[lstart] == '-' || h[i - 1] == '-')
			return "a host name label must not start or end with "
			       "'-'";
		lstart = i + 1;
	}
	return NULL;
}

enum reg_err
client_host_canon(const char *in, size_t len, char out[CLIENT_HOST_BUFSZ],
    const char **why)
{
	char h[CLIENT_HOSTNAME_MAX + 1];
	const char *colon, *w;
	uint64_t port = 443;
	size_t hl = len;

	w = client_host_shape(in, len);
	if (w == NULL) {
		colon = memchr(in, ':', len);
		if (colon != NULL) {
			hl = (size_t)(colon - in);
			if (num_parse_u64(colon + 1, len - hl - 1, 1, 65535,
			        &port) != REG_OK)
				w = "bad port: give host:PORT with PORT in "
				    "1..65535";
		}
	}
	if (w == NULL)
		w = client_host_labels(in, hl, h);
	if (w != NULL) {
		if (why != NULL)
			*why = w;
		return REG_EINVAL;
	}
	if (port == 443)
		(void)snprintf(out, CLIENT_HOST_BUFSZ, "%s", h);
	else
		(void)snprintf(out, CLIENT_HOST_BUFSZ, "%s:%u", h,
		    (unsigned)port);
	return REG_OK;
}

enum reg_err
client_tf_token_name(const char *host, char *out, size_t outsz)
{
	char canon[CLIENT_HOST_BUFSZ];
	struct buf b;
	enum reg_err er;
	size_t i, n = strnlen(host, CLIENT_HOST_BUFSZ);

	if (n >= CLIENT_HOST_BUFSZ ||
	    client_host_canon(host, n, canon, NULL) != REG_OK ||
	    strcmp(canon, host) != 0)
		return REG_EINVAL;
	buf_init(&b, CLIENT_TFNAME_BUFSZ);
	er = buf_adds(&b, "TF_TOKEN_");
	for (i = 0; er == REG_OK && i < n; i++) {
		if (host[i] == '-')
			er = buf_adds(&b, "__");
		else if (host[i] == '.')
			er = buf_addc(&b, '_');
		else
			er = buf_addc(&b, host[i]); /* ':' and the port too */
	}
	if (er == REG_OK && b.len >= outsz)
		er = REG_ETOOBIG;
	if (er == REG_OK)
		memcpy(out, b.p, b.len + 1);
	buf_release(&b);
	return er;
}

enum reg_err
client_tf_token_host(const char *var, size_t len, char out[CLIENT_HOST_BUFSZ])
{
	char h[CLIENT_TFNAME_BUFSZ];
	size_t i, n = 0;

	memset(h, 0, sizeof(h));
	if (len < 9 || memcmp(var, "TF_TOKEN_", 9) != 0)
		return REG_EINVAL;
	for (i = 9; i < len; i++) {
		if (n + 1 >= sizeof(h))
			return REG_EINVAL;
		if (var[i] == '_' && i + 1 < len && var[i + 1] == '_') {
			h[n++] = '-';
			i++;
		} else if (var[i] == '_') {
			h[n++] = '.';
		} else {
			h[n++] = var[i];
		}
	}
	return client_host_canon(h, n, out, NULL);
}

bool
client_tf_token_needs_env(const char *name)
{
	return strpbrk(name, ":-") != NULL;
}

bool
client_token_valid(const char *tok, size_t len)
{
	size_t i;

	if (len == 0 || len > CLIENT_TOKEN_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = tok[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		        c == '~' || c == '+' || c == '/' || c == '=' ||
		        c == '-'))
			return false;
	}
	return true;
}

/* ---- TLS trust ---- */

/* Go's default bundle files on Linux (crypto/x509/root_linux.go). */
static const char *const client_go_cert_files[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
};

/* Append the file at path to fd; false (nothing appended) if unreadable. */
static enum reg_err
client_bundle_add(int out, const char *path, uint64_t *total)
{
	char chunk[8192];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return REG_ENOENT;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > CLIENT_CERT_FILE_MAX) {
		(void)close(fd);
		return REG_ENOENT; /* skipped, as Go skips what it cannot use */
	}
	if ((uint64_t)st.st_size > CLIENT_BUNDLE_MAX - *total) {
		(void)close(fd);
		return REG_ETOOBIG;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (write(out, chunk, (size_t)n) != n) {
			(void)close(fd);
			return REG_ESYS;
		}
		*total += (uint64_t)n;
	}
	(void)close(fd);
	if (n < 0)
		return REG_ENOENT;
	return write(out, "\n", 1) == 1 ? REG_OK : REG_ESYS;
}

static enum reg_err
client_bundle_dir(int out, const char *dir, size_t len, uint64_t *total)
{
	char d[CLIENT_PATH_MAX], p[CLIENT_PATH_MAX];
	struct dirent *de;
	enum reg_err er = REG_OK;
	DIR *dp;
	int n;

	if (len == 0 || len >= sizeof(d))
		return REG_OK;
	memcpy(d, dir, len);
	d[len] = '\0';
	dp = opendir(d);
	if (dp == NULL)
		return REG_OK; /* a missing directory adds nothing (Go) */
	while (er == REG_OK && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n = snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(p))
			continue;
		er = client_bundle_add(out, p, total);
		if (er == REG_ENOENT)
			er = REG_OK;
	}
	(void)closedir(dp);
	return er;
}

/* Fill the open bundle fd: the file (or Go's default), every dir. */
static enum reg_err
client_bundle_fill(int fd, const char *cert_file, const char *cert_dir)
{
	const char *p, *colon;
	uint64_t total = 0;
	enum reg_err er = REG_ENOENT;
	size_t i;

	if (cert_file != NULL && cert_file[0] != '\0') {
		er = client_bundle_add(fd, cert_file, &total);
	} else {
		for (i = 0;
		     i < nitems(client_go_cert_files) && er == REG_ENOENT; i++)
			er = client_bundle_add(fd, client_go_cert_files[i],
			    &total);
	}
	if (er == REG_ENOENT)
		er = REG_OK;
	for (p = cert_dir; er == REG_OK && p != NULL;) {
		colon = strchr(p, ':');
		er = client_bundle_dir(fd, p,
		    colon != NULL ? (size_t)(colon - p) : strlen(p), &total);
		p = colon != NULL ? colon + 1 : NULL;
	}
	if (er == REG_OK && fsync(fd) != 0)
		er = REG_ESYS;
	return er;
}

/* --ca-file: only that file. */
static enum reg_err
client_tls_ca_opt(struct client_tls *t, const char *ca_opt, char *err,
    size_t errsz)
{
	int n;

	if (access(ca_opt, R_OK) != 0) {
		(void)snprintf(err, errsz,
		    "cannot read the CA file %s (%s): give the PEM file of the "
		    "CA that signed the registry's certificate",
		    ca_opt, strerror(errno));
		return REG_ENOENT;
	}
	n = snprintf(t->ca_file, sizeof(t->ca_file), "%s", ca_opt);
	if (n < 0 || (size_t)n >= sizeof(t->ca_file)) {
		(void)snprintf(err, errsz, "CA file path is too long");
		t->ca_file[0] = '\0';
		return REG_ETOOBIG;
	}
	return REG_OK;
}

enum reg_err
client_tls_init(struct client_tls *t, const char *ca_opt, const char *cert_file,
    const char *cert_dir, char *err, size_t errsz)
{
	const char *tmp;
	enum reg_err er;
	int fd, n;

	t->ca_file[0] = '\0';
	t->bundle[0] = '\0';
	if (ca_opt != NULL && ca_opt[0] != '\0')
		return client_tls_ca_opt(t, ca_opt, err, errsz);
	if (cert_dir == NULL || cert_dir[0] == '\0') {
		if (cert_file != NULL && cert_file[0] != '\0')
			(void)snprintf(t->ca_file, sizeof(t->ca_file), "%s",
			    cert_file);
		return REG_OK;
	}
	tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	n = snprintf(t->bundle, sizeof(t->bundle), "%s/registry-ca-XXXXXX",
	    tmp);
	fd = n < 0 || (size_t)n >= sizeof(t->bundle) ? -1 : mkstemp(t->bundle);
	if (fd < 0) {
		(void)snprintf(err, errsz,
		    "cannot create a temporary CA bundle in %s: set TMPDIR to "
		    "a writable directory, or give --ca-file",
		    tmp);
		t->bundle[0] = '\0';
		return REG_ESYS;
	}
	er = client_bundle_fill(fd, cert_file, cert_dir);
	(void)close(fd);
	if (er != REG_OK) {
		(void)snprintf(err, errsz, "%s",
		    er == REG_ETOOBIG
		        ? "SSL_CERT_DIR holds more than 32 MiB of files: give "
		          "--ca-file"
		        : "cannot write the temporary CA bundle: set TMPDIR "
		          "to a writable directory, or give --ca-file");
		client_tls_release(t);
		return er;
	}
	(void)snprintf(t->ca_file, sizeof(t->ca_file), "%s", t->bundle);
	return REG_OK;
}

void
client_tls_release(struct client_tls *t)
{
	if (t->bundle[0] != '\0')
		(void)unlink(t->bundle);
	t->bundle[0] = '\0';
	t->ca_file[0] = '\0';
}

const char *
client_tls_ca(const struct client_tls *t)
{
	return t->ca_file[0] != '\0' ? t->ca_file : NULL;
}

/* ---- requests ---- */

enum reg_err
client_request(const struct client_http *h, const char *method,
    const char *path, const char *ctype, const void *body, size_t len, int fd,
    uint64_t fdlen, struct fetch_resp *resp, char *err, size_t errsz)
{
	struct fetch_req fr;
	struct buf url, auth;
	char cerr[CLIENT_CURLERR_MAX] = "";
	enum reg_err er;

	if (errsz > 0)
		err[0] = '\0';

	buf_init(&url, 8192);
	buf_init(&auth, CLIENT_TOKEN_MAX + 16);
	fetch_req_init(&fr);
	er = buf_printf(&url, "https://%s%s", h->host, path);
	if (er != REG_OK)
		goto out;
	fr.method = method;
	fr.url = buf_cstr(&url);
	fr.ca_file = h->ca_file;
	fr.timeout_ms = h->timeout_ms;
	fr.quiet = true;
	fr.max_body = (size_t)1024 * 1024;
	if (h->bearer != NULL) {
		er = buf_printf(&auth, "Bearer %s", h->bearer);
		if (er == REG_OK)
			er = fetch_req_header(&fr, "Authorization",
			    buf_cstr(&auth));
		if (er != REG_OK)
			goto out;
	}
	er = fetch_req_header(&fr, "Accept", "application/json");
	if (er == REG_OK && ctype != NULL)
		er = fetch_req_header(&fr, "Content-Type", ctype);
	if (er != REG_OK)
		goto out;
	if (fd >= 0) {
		fr.body_fd = fd;
		fr.body_fd_len = fdlen;
	} else if (body != NULL) {
		fr.body = body;
		fr.body_len = len;
	}
	er = fetch_do(&fr, resp, cerr, sizeof(cerr));
	if (er == REG_EUPSTREAM) {
		(void)snprintf(err, errsz,
		    "cannot reach the registry at https://%s (%s): check the "
		    "host name and port, that the registry is running, and "
		    "that its CA is trusted (SSL_CERT_FILE, SSL_CERT_DIR or "
		    "--ca-file)",
		    h->host, cerr[0] != '\0' ? cerr : reg_err_str(er));
		goto out;
	}
	if (er == REG_ECRYPTO) {
		(void)snprintf(err, errsz,
		    "cannot verify the TLS certificate of https://%s (%s): "
		    "trust the CA that signed it with --ca-file, "
		    "SSL_CERT_FILE or SSL_CERT_DIR",
		    h->host, cerr[0] != '\0' ? cerr : reg_err_str(er));
		goto out;
	}
	if (er != REG_OK)
		(void)snprintf(err, errsz, "request to https://%s failed: %s",
		    h->host, cerr[0] != '\0' ? cerr : reg_err_str(er));
out:
	if (er != REG_OK && er != REG_EUPSTREAM && err[0] == '\0')
		(void)snprintf(err, errsz, "request to %s failed: %s", h->host,
		    reg_err_str(er));
	fetch_req_release(&fr); /* frees the Authorization header copy */
	buf_release_wipe(&auth);
	buf_release(&url);
	return er;
}

/* The "errors" strings of an error body, joined with "; ". */
static void
client_errors_join(json_t *errs, char *out, size_t outsz)
{
	char esc[512];
	size_t i, used = 0;
	json_t *v;
	int n;

	json_array_foreach(errs, i, v)
	{
		if (!json_is_string(v) || used >= outsz)
			continue;
		n = snprintf(out + used, outsz - used, "%s%s",
		    used > 0 ? "; " : "",
		    log_escape(esc, sizeof(esc), json_string_value(v),
		        json_string_length(v)));
		if (n > 0)
			used += (size_t)n;
	}
}

void
client_resp_error(const struct fetch_resp *resp, char *out, size_t outsz)
{
	char esc[512];
	json_error_t jerr;
	json_t *doc = NULL, *errs, *msg;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (resp->body.len > 0)
		doc = json_loadb(resp->body.p, resp->body.len, 0, &jerr);
	errs = json_is_object(doc) ? json_object_get(doc, "errors") : NULL;
	msg = json_is_object(doc) ? json_object_get(doc, "message") : NULL;
	if (json_is_array(errs))
		client_errors_join(errs, out, outsz);
	else if (json_is_string(msg))
		(void)snprintf(out, outsz, "%s",
		    log_escape(esc, sizeof(esc), json_string_value(msg),
		        json_string_length(msg)));
	else if (doc == NULL && resp->body.len > 0)
		(void)snprintf(out, outsz, "%s",
		    log_escape(esc, sizeof(esc), resp->body.p,
		        resp->body.len < 200 ? resp->body.len : 200));
	json_decref(doc);
	if (out[0] == '\0')
		(void)snprintf(out, outsz, "HTTP %ld", resp->status);
}

/* ---- tokens ---- */

void
client_token_init(struct client_token *t)
{
	memset(t, 0, sizeof(*t));
}

void
client_token_release(struct client_token *t)
{
	if (t->token != NULL) {
		cryptow_wipe(t->token, strlen(t->token));
		free(t->token);
	}
	memset(t, 0, sizeof(*t));
}

enum reg_err
client_token_set(struct client_token *t, const char *tok)
{
	size_t n = strnlen(tok, CLIENT_TOKEN_MAX + 1);
	char *p;

	if (!client_token_valid(tok, n))
		return REG_EINVAL;
	p = malloc(n + 1);
	if (p == NULL)
		return REG_ENOMEM;
	memcpy(p, tok, n + 1);
	if (t->token != NULL) {
		cryptow_wipe(t->token, strlen(t->token));
		free(t->token);
	}
	t->token = p;
	return REG_OK;
}

enum reg_err
client_token_from_arg(struct client_token *t, char *arg)
{
	enum reg_err er = client_token_set(t, arg);

	cryptow_wipe(arg, strlen(arg));
	return er;
}

enum reg_err
client_token_from_file(struct client_token *t, const char *path, char *err,
    size_t errsz)
{
	char b[CLIENT_TOKEN_MAX + 3];
	enum reg_err er = REG_OK;
	ssize_t n;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		(void)snprintf(err, errsz, "cannot open the token file %s: %s",
		    path, strerror(errno));
		return errno == ENOENT ? REG_ENOENT : REG_ESYS;
	}
	n = read(fd, b, sizeof(b) - 1);
	(void)close(fd);
	if (n < 0) {
		(void)snprintf(err, errsz, "cannot read the token file %s: %s",
		    path, strerror(errno));
		return REG_ESYS;
	}
	len = strcspn(b, "\r\n") < (size_t)n ? strcspn(b, "\r\n") : (size_t)n;
	b[len] = '\0';
	if (!client_token_valid(b, len)) {
		(void)snprintf(err, errsz,
		    "the token file %s does not hold a token on its first "
		    "line: put the token (regt_... or reg1....) there",
		    path);
		er = REG_EINVAL;
	} else {
		er = client_token_set(t, b);
	}
	cryptow_wipe(b, sizeof(b));
	return er;
}

/* ---- IAM exchange ---- */

enum reg_err
client_sts_host(const char *region, char *out, size_t outsz)
{
	const char *dom = "amazonaws.com";
	size_t i, n = strnlen(region, AWS_REGION_MAX + 1);
	int w;

	if (n == 0 || n > AWS_REGION_MAX)
		return REG_EINVAL;
	for (i = 0; i < n; i++)
		if (!client_label_char(region[i]))
			return REG_EINVAL;
	if (strncmp(region, "cn-", 3) == 0)
		dom = "amazonaws.com.cn";
	else if (strncmp(region, "us-isob-", 8) == 0)
		dom = "sc2s.sgov.gov";
	else if (strncmp(region, "us-iso-", 7) == 0)
		dom = "c2s.ic.gov";
	w = snprintf(out, outsz, "sts.%s.%s", region, dom);
	return w < 0 || (size_t)w >= outsz ? REG_ETOOBIG : REG_OK;
}

enum reg_err
client_iam_presign(const struct sigv4_creds *creds, const char *region,
    const char *audience, int64_t now, struct buf *out)
{
	struct sigv4_param q[2], hd[1];
	struct sigv4_req req;
	struct buf url;
	char host[128], date[SIGV4_AMZ_DATE_LEN + 1], *enc = NULL;
	time_t tt = (time_t)now;
	struct tm tm;
	enum reg_err er;
	unsigned rnd;
	size_t el;

	er = client_sts_host(region, host, sizeof(host));
	if (er != REG_OK)
		return REG_EINVAL;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm) !=
	        SIGV4_AMZ_DATE_LEN)
		return REG_EINVAL;
	q[0].name = span_cstr("Action");
	q[0].value = span_cstr("GetCallerIdentity");
	q[1].name = span_cstr("Version");
	q[1].value = span_cstr("2011-06-15");
	hd[0].name = span_cstr("x-k8s-aws-id");
	hd[0].value = span_cstr(audience);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.host = span_cstr(host);
	req.path = span_cstr("/");
	req.query = q;
	req.nquery = nitems(q);
	req.headers = hd;
	req.nheaders = nitems(hd);
	req.amz_date = date;
	/*
	 * The registry refuses a signature it has seen (replay cache), and
	 * dates have one-second steps: a varying X-Amz-Expires (which STS
	 * ignores for GetCallerIdentity: 15 minutes whatever it says) keeps
	 * two exchanges in the same second apart.
	 */
	if (cryptow_random(&rnd, sizeof(rnd)) != REG_OK)
		rnd = 0;
	buf_init(&url, 3072);
	er = sigv4_presign(&req, creds, region, "sts",
	    CLIENT_PRESIGN_EXPIRES +
	        rnd % (CLIENT_PRESIGN_EXPIRES_MAX - CLIENT_PRESIGN_EXPIRES + 1),
	    &url);
	if (er != REG_OK)
		goto out;
	el = b64url_enclen(url.len);
	enc = malloc(el + 1);
	if (enc == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	(void)b64url_encode((const unsigned char *)url.p, url.len, enc);
	er = buf_printf(out, "k8s-aws-v1.%s", enc);
	cryptow_wipe(enc, el);
out:
	free(enc);
	buf_release_wipe(&url);
	return er;
}

/* The string member name of o, or NULL. */
static const char *
client_jstr(json_t *o, const char *name, size_t *len)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

enum reg_err
client_token_parse(const char *body, size_t len, struct client_token *out)
{
	json_error_t jerr;
	json_t *doc, *v;
	const char *s;
	size_t n = 0;
	int64_t at = 0, in = 0;
	enum reg_err er = REG_EINVAL;

	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc))
		goto out;
	s = client_jstr(doc, "token", &n);
	if (s == NULL || !client_token_valid(s, n) || strlen(s) != n)
		goto out;
	v = json_object_get(doc, "expires_in");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			goto out;
		in = (int64_t)json_integer_value(v);
	}
	v = json_object_get(doc, "expires_at");
	if (v != NULL) {
		if (!json_is_string(v) ||
		    aws_iso8601_parse(json_string_value(v),
		        json_string_length(v), &at) != REG_OK)
			goto out;
	}
	er = client_token_set(out, s);
	if (er != REG_OK)
		goto out;
	out->expires_at = at;
	out->expires_in = in;
	out->principal[0] = '\0';
	s = client_jstr(doc, "principal", &n);
	if (s != NULL)
		(void)log_escape(out->principal, sizeof(out->principal), s, n);
out:
	if (json_is_object(doc)) {
		s = client_jstr(doc, "token", &n);
		if (s != NULL) /* jansson's copy of the secret */
			cryptow_wipe((void *)(uintptr_t)s, n);
	}
	json_decref(doc);
	return er;
}

static const char *
client_aws_hint(enum reg_err er)
{
	switch (er) {
	case REG_ENOENT:
		return "configure AWS credentials (environment, ~/.aws "
		       "profiles, AWS_ROLE_ARN, web identity, container or "
		       "instance role)";
	case REG_EPERM:
		return "the role cannot be assumed with these credentials: "
		       "check its trust policy and the external id";
	case REG_EAUTH:
		return "the AWS credentials were rejected or have expired: "
		       "refresh them";
	case REG_EUPSTREAM:
		return "AWS could not be reached: check the network, "
		       "AWS_ENDPOINT_URL_STS and AWS_CA_BUNDLE";
	default:
		return "check the AWS configuration";
	}
}

/* Map the token endpoint's refusal to our error and advice. */
static enum reg_err
client_exchange_refused(const struct client_iam *c, const char *host,
    const struct fetch_resp *resp, char *err, size_t errsz)
{
	char msg[600];
	const char *hint;
	enum reg_err er;

	client_resp_error(resp, msg, sizeof(msg));
	switch (resp->status) {
	case 401:
		er = REG_EAUTH;
		hint = "check that the AWS credentials are valid and that the "
		       "registry host name matches its configured audience";
		break;
	case 403:
		er = REG_EPERM;
		hint = "ask a registry administrator for a grant "
		       "(manage-registry-permissions)";
		break;
	case 404:
		er = REG_EINVAL;
		hint = "this registry does not offer IAM sign-in: use an API "
		       "token (--token)";
		break;
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		er = REG_EUPSTREAM;
		hint = "try again shortly";
		break;
	default:
		er = REG_EINVAL;
		hint = "check --registry-host, --token-host and the AWS region";
		break;
	}
	(void)snprintf(err, errsz,
	    "the registry at %s refused the token exchange for %s "
	    "(HTTP %ld): %s: %s",
	    host, c->audience, resp->status, msg, hint);
	return er;
}

/* One presign + exchange; *replayed when the registry saw it already. */
static enum reg_err
client_exchange_once(const struct client_iam *c, const struct aws_creds *cr,
    const char *region, int64_t now, struct client_token *out, bool *replayed,
    char *err, size_t errsz)
{
	struct sigv4_creds sc;
	struct fetch_resp resp;
	struct buf tok, body;
	char ctype[128] = "";
	enum reg_err er;

	*replayed = false;
	buf_init(&tok, 8192);
	buf_init(&body, CLIENT_EXCHANGE_BODY_MAX);
	fetch_resp_init(&resp);
	aws_creds_sigv4(cr, &sc);
	er = client_iam_presign(&sc, region, c->audience, now, &tok);
	if (er != REG_OK) {
		(void)snprintf(err, errsz,
		    "cannot sign the GetCallerIdentity request (%s): check "
		    "the region %s and the AWS credentials",
		    reg_err_str(er), region);
		goto out;
	}
	er = buf_printf(&body, "{\"method\":\"aws-iam\",\"token\":\"%s\"",
	    buf_cstr(&tok));
	if (er == REG_OK && c->expiration_seconds > 0)
		er = buf_printf(&body, ",\"expiration_seconds\":%lld",
		    (long long)c->expiration_seconds);
	if (er == REG_OK)
		er = buf_addc(&body, '}');
	if (er != REG_OK) {
		(void)snprintf(err, errsz, "signed request too large (%s)",
		    reg_err_str(er));
		goto out;
	}
	er = client_request(c->token_host, "POST", "/v1/auth/token",
	    "application/json", body.p, body.len, -1, 0, &resp, err, errsz);
	if (er != REG_OK)
		goto out;
	if (resp.status != 200) {
		er = client_exchange_refused(c, c->token_host->host, &resp, err,
		    errsz);
		*replayed = resp.status == 401 && strstr(err, "already used");
		goto out;
	}
	(void)fetch_resp_header(&resp, "content-type", ctype, sizeof(ctype));
	if (strncmp(ctype, "application/json", 16) != 0 ||
	    client_token_parse(resp.body.p != NULL ? resp.body.p : "",
	        resp.body.len, out) != REG_OK) {
		er = REG_EINVAL;
		(void)snprintf(err, errsz,
		    "the token endpoint of %s gave an answer that is not a "
		    "registry token: check --token-host (it must be the "
		    "registry itself)",
		    c->token_host->host);
		goto out;
	}
	if (out->expires_at == 0 && out->expires_in > 0)
		out->expires_at = now + out->expires_in;
out:
	buf_release_wipe(&tok);
	buf_release_wipe(&body);
	buf_release_wipe(&resp.body);
	fetch_resp_release(&resp);
	return er;
}

enum reg_err
client_iam_token(const struct client_iam *c, int64_t now,
    struct client_token *out, char *err, size_t errsz)
{
	struct aws_opts ao;
	struct aws_creds *cr = NULL;
	char region[AWS_REGION_MAX + 1], aerr[AWS_ERRMSG_MAX];
	struct timespec ts;
	enum reg_err er;
	bool replayed;

	memset(&ao, 0, sizeof(ao));
	ao.env.getenv = c->getenv;
	ao.env.home = c->home;
	ao.profile = c->profile;
	ao.region = c->region;
	er = aws_region_resolve(&ao, region, aerr, sizeof(aerr));
	if (er != REG_OK) {
		(void)snprintf(err, errsz, "cannot find the AWS region: %s: %s",
		    aerr, "give --region or set AWS_REGION");
		return er;
	}
	cr = calloc(1, sizeof(*cr));
	if (cr == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return REG_ENOMEM;
	}
	er = aws_creds_resolve(&ao, now, cr, aerr, sizeof(aerr));
	if (er != REG_OK) {
		(void)snprintf(err, errsz,
		    "cannot get AWS credentials: %s: %s%s", aerr,
		    client_aws_hint(er),
		    c->token_hint && er == REG_ENOENT
		        ? ", or give --token with an API token"
		        : "");
		goto out;
	}
	er = client_exchange_once(c, cr, region, now, out, &replayed, err,
	    errsz);
	if (er == REG_EAUTH && replayed) {
		/*
		 * Signatures have one-second dates: another exchange with
		 * the same credentials in the same second signed the same
		 * bytes.  Sign again in the next second.
		 */
		if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
			(void)usleep((useconds_t)(1000000 - ts.tv_nsec / 1000) %
			        1000000 +
			    20000);
		er = client_exchange_once(c, cr, region, client_now(), out,
		    &replayed, err, errsz);
	}
out:
	aws_creds_clear(cr);
	free(cr);
	return er;
}

enum reg_err
client_bearer(struct client_login *l, struct client_token *out, char *err,
    size_t errsz)
{
	struct client_http th;
	struct client_iam ci;
	const char *env;

	if (l->token_arg != NULL) {
		if (client_token_from_arg(out, l->token_arg) != REG_OK) {
			(void)snprintf(err, errsz,
			    "--token does not look like a registry token "
			    "(letters, digits and ._~+/=- only)");
			return REG_EINVAL;
		}
		return REG_OK;
	}
	if (l->token_file != NULL)
		return client_token_from_file(out, l->token_file, err, errsz);
	env = getenv(CLIENT_TOKEN_ENV);
	if (env != NULL && env[0] != '\0') {
		if (client_token_set(out, env) != REG_OK) {
			(void)snprintf(err, errsz,
			    "%s does not hold a registry token: unset it or "
			    "put the token (regt_... or reg1....) in it",
			    CLIENT_TOKEN_ENV);
			return REG_EINVAL;
		}
		return REG_OK;
	}
	memset(&th, 0, sizeof(th));
	th.host = l->host;
	th.ca_file = l->ca_file;
	memset(&ci, 0, sizeof(ci));
	ci.audience = l->host;
	ci.token_host = &th;
	ci.profile = l->profile;
	ci.region = l->region;
	ci.expiration_seconds = l->expiration_seconds;
	ci.getenv = getenv;
	ci.token_hint = true;
	return client_iam_token(&ci, client_now(), out, err, errsz);
}

/* ---- misc ---- */

void
client_note(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "%s: %s\n", cli_prog(), msg);
}

int64_t
client_now(void)
{
	struct timespec ts;

	/*
	 * Not time(2): it reads the coarse clock, which can still show the
	 * previous second just after a second boundary.
	 */
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL);
	return (int64_t)ts.tv_sec;
}

enum reg_err
client_self_dir(char *out, size_t outsz)
{
	char p[CLIENT_PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", p, sizeof(p) - 1);
	if (n <= 0)
		return REG_ESYS;
	if ((size_t)n >= sizeof(p) - 1)
		return REG_ETOOBIG;
	p[n] = '\0';
	slash = strrchr(p, '/');
	if (slash == NULL)
		return REG_ESYS;
	*slash = '\0';
	if (strlen(p) >= outsz)
		return REG_ETOOBIG;
	(void)snprintf(out, outsz, "%s", p[0] != '\0' ? p : "/");
	return REG_OK;
}
