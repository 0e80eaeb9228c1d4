/*
 * auth/awscreds: the credential chain over an injected environment and
 * temporary shared files, with a loopback stub (a thread in this
 * process) playing STS, the container endpoint and IMDS; plus the
 * tables for region and endpoint order, the INI parser, the container
 * host allow-list and ISO-8601.
 *
 * The stub answers its scripted responses in order, one per connection,
 * whatever the path, and records every request so cases can assert on
 * what was sent (signed Host with the port, ExternalId, tokens).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../auth/awscreds.h"
#include "../../auth/awscreds_ini.h"
#include "../../common/buf.h"
#include "../../common/fetch.h"
#include "../../common/log.h"
#include "../../common/num.h"

/* ---- fixtures ---------------------------------------------------------- */

#define AKID_ENV "AKIAENVEXAMPLE000001"
#define SECRET_ENV "envSecret/EXAMPLE+KEY0000000000000000001"
#define AKID_CFG "AKIACONFIGEXAMPLE001"
#define SECRET_CFG "cfgSecret/EXAMPLE+KEY0000000000000000002"
#define AKID_CRED "AKIACREDSEXAMPLE0001"
#define SECRET_CRED "credSecret/EXAMPLE+KEY000000000000000003"
#define AKID_STS1 "ASIASTUBROLE00000001"
#define SECRET_STS1 "stsSecret/ONE+KEY&amp;0000000000000000004"
#define SECRET_STS1_DEC "stsSecret/ONE+KEY&0000000000000000004"
#define TOKEN_STS1 "FwoGZXIvYXdzEStubTokenOne000000000000001"
#define AKID_STS2 "ASIASTUBROLE00000002"
#define SECRET_STS2 "stsSecret/TWO+KEY00000000000000000000005"
#define TOKEN_STS2 "FwoGZXIvYXdzEStubTokenTwo000000000000002"
#define AKID_CTR "ASIACONTAINER0000001"
#define SECRET_CTR "ctrSecret/EXAMPLE+KEY0000000000000000006"
#define TOKEN_CTR "IQoJb3JpZ2luX2VjContainerToken00000000001"
#define AKID_IMDS "ASIAIMDSEXAMPLE00001"
#define SECRET_IMDS "imdsSecret/EXAMPLE+KEY000000000000000007"
#define TOKEN_IMDS "IQoJb3JpZ2luX2VjImdsToken000000000000001"
#define WEBID_TOKEN "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln"
#define ROLE "arn:aws:iam::123456789012:role/tf-deployer"
#define ROLE2 "arn:aws:iam::123456789012:role/tf-inner"
#define EXP2030 "2030-01-01T00:00:00Z"
#define T2030 1893456000LL

static const char *const secrets[] = { SECRET_ENV, SECRET_CFG, SECRET_CRED,
	SECRET_STS1_DEC, SECRET_STS2, SECRET_CTR, SECRET_IMDS, TOKEN_STS1,
	TOKEN_STS2, TOKEN_CTR, TOKEN_IMDS, WEBID_TOKEN, "tok-abc-123" };

#define STS_CREDS(act, akid, secret, token) \
	"<" act \
	"Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">" \
	"<" act "Result><Credentials><AccessKeyId>" akid "</AccessKeyId>" \
	"<SecretAccessKey>" secret "</SecretAccessKey><SessionToken>" token \
	"</SessionToken><Expiration>" EXP2030 "</Expiration></Credentials>" \
	"</" act "Result></" act "Response>\n"
#define STS_AR1 STS_CREDS("AssumeRole", AKID_STS1, SECRET_STS1, TOKEN_STS1)
#define STS_AR2 STS_CREDS("AssumeRole", AKID_STS2, SECRET_STS2, TOKEN_STS2)
#define STS_WEB \
	STS_CREDS("AssumeRoleWithWebIdentity", AKID_STS1, SECRET_STS1, \
	    TOKEN_STS1)
#define STS_ERROR(code, msg) \
	"<ErrorResponse><Error><Type>Sender</Type><Code>" code "</Code>" \
	"<Message>" msg "</Message></Error><RequestId>r-1</RequestId>" \
	"</ErrorResponse>\n"
#define CTR_JSON \
	"{\"AccessKeyId\":\"" AKID_CTR "\",\"SecretAccessKey\":\"" SECRET_CTR \
	"\",\"Token\":\"" TOKEN_CTR "\",\"Expiration\":\"" EXP2030 "\"}"
#define IMDS_JSON \
	"{\"Code\":\"Success\",\"LastUpdated\":\"2026-11-23T10:00:00Z\"," \
	"\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" AKID_IMDS "\"," \
	"\"SecretAccessKey\":\"" SECRET_IMDS "\",\"Token\":\"" TOKEN_IMDS \
	"\",\"Expiration\":\"" EXP2030 "\"}"

#define CFG_ENV_KEYS \
	"AWS_ACCESS_KEY_ID=" AKID_ENV, "AWS_SECRET_ACCESS_KEY=" SECRET_ENV
#define STS_HERE "AWS_ENDPOINT_URL_STS=http://127.0.0.1:@PORT"
#define NOREQ (-1)

/* Printable form of s for TAP descriptions (rotating static buffers). */
static const char *
vis(const char *s)
{
	static char bufs[4][512];
	static size_t next;
	char *b = bufs[next++ % 4];
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 5 < sizeof(bufs[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || c == '\t') {
			b[o++] = '\\';
			b[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(b + o, 5, "\\x%02x", c);
		} else {
			b[o++] = (char)c;
		}
	}
	b[o] = '\0';
	return b;
}

/* ---- the stub ---------------------------------------------------------- */

struct stub_resp {
	int status; /* 0: accept, say nothing until the client gives up */
	const char *body;
};

struct stub {
	int ls;
	unsigned port;
	pthread_t th;
	const struct stub_resp *r;
	size_t n, served;
	struct buf log; /* every request, then "\n=====\n" */
};

static bool
stub_read_req(int fd, struct buf *req)
{
	char tmp[4096], *he;
	uint64_t clen = 0;
	ssize_t k;

	for (;;) {
		he = req->p != NULL ? strstr(req->p, "\r\n\r\n") : NULL;
		if (he != NULL) {
			char *cl = strcasestr(req->p, "\r\ncontent-length:");
			size_t hl = (size_t)(he - req->p) + 4, d = 0;

			if (cl != NULL && cl < he) {
				cl += 17;
				while (*cl == ' ')
					cl++;
				while (cl[d] >= '0' && cl[d] <= '9')
					d++;
				if (num_parse_u64(cl, d, 0, 1 << 20, &clen) !=
				    REG_OK)
					return false;
			}
			if (req->len >= hl + clen)
				return true;
		}
		k = read(fd, tmp, sizeof(tmp));
		if (k <= 0 || buf_add(req, tmp, (size_t)k) != REG_OK)
			return false;
	}
}

static void *
stub_main(void *arg)
{
	struct stub *s = arg;
	struct buf req, out;
	struct pollfd pfd;
	size_t i;
	int fd;

	for (i = 0; i < s->n; i++) {
		fd = accept(s->ls, NULL, NULL);
		if (fd < 0)
			break;
		buf_init(&req, 1 << 20);
		buf_init(&out, 1 << 20);
		if (stub_read_req(fd, &req) &&
		    buf_add(&s->log, req.p, req.len) == REG_OK &&
		    buf_adds(&s->log, "\n=====\n") != REG_OK)
			s->log.len = 0; /* over the cap: the case will fail */
		s->served++;
		if (s->r[i].status == 0) {
			pfd.fd = fd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1,
			    4000); /* until the client hangs up */
		} else if (
		    buf_printf(&out,
		        "HTTP/1.1 %d Stub\r\nContent-Type: text/plain\r\n"
		        "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		        s->r[i].status, strlen(s->r[i].body),
		        s->r[i].body) == REG_OK) {
			(void)!write(fd, out.p, out.len);
		}
		buf_release(&req);
		buf_release(&out);
		close(fd);
	}
	return NULL;
}

static bool
stub_start(struct stub *s, const struct stub_resp *r, size_t n)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(s, 0, sizeof(*s));
	buf_init(&s->log, 1 << 22);
	s->r = r;
	s->n = n;
	s->ls = socket(AF_INET, SOCK_STREAM, 0);
	if (s->ls < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->ls, 8) != 0 ||
	    getsockname(s->ls, (struct sockaddr *)&sa, &sl) != 0)
		return false;
	s->port = ntohs(sa.sin_port);
	if (n == 0)
		return true; /* a port that accepts nothing */
	return pthread_create(&s->th, NULL, stub_main, s) == 0;
}

static void
stub_stop(struct stub *s)
{
	(void)shutdown(s->ls, SHUT_RDWR); /* wakes a blocked accept */
	if (s->n > 0)
		(void)pthread_join(s->th, NULL);
	close(s->ls);
}

/* A loopback port with nobody listening. */
static unsigned
dead_port(void)
{
	struct stub s;
	unsigned p;

	if (!stub_start(&s, NULL, 0))
		return 1;
	p = s.port;
	stub_stop(&s);
	buf_release(&s.log);
	return p;
}

/* ---- environment and files --------------------------------------------- */

#define TENV_MAX 24

struct tenv {
	char kv[TENV_MAX][1400];
	size_t n;
};

static const char *
tenv_lookup(void *arg, const char *name)
{
	const struct tenv *e = arg;
	size_t i, nl = strlen(name);

	for (i = 0; i < e->n; i++) {
		if (strncmp(e->kv[i], name, nl) == 0 && e->kv[i][nl] == '=')
			return e->kv[i] + nl + 1;
	}
	return NULL;
}

struct subst {
	char port[16], config[512], creds[512], tok[512];
};

static void
expand(const char *in, const struct subst *s, char *out, size_t outsz)
{
	static const char *const names[] = { "@PORT", "@CONFIG", "@CREDS",
		"@TOKFILE", "@TMP" };
	size_t o = 0, i;

	while (*in != '\0' && o + 1 < outsz) {
		const char *rep = NULL;
		size_t nl = 0;

		for (i = 0; i < nitems(names); i++) {
			nl = strlen(names[i]);
			if (strncmp(in, names[i], nl) == 0)
				break;
		}
		switch (i) {
		case 0:
			rep = s->port;
			break;
		case 1:
			rep = s->config;
			break;
		case 2:
			rep = s->creds;
			break;
		case 3:
			rep = s->tok;
			break;
		case 4:
			rep = t_tmpdir();
			break;
		default:
			out[o++] = *in++;
			continue;
		}
		o += (size_t)snprintf(out + o, outsz - o, "%s", rep);
		if (o >= outsz)
			o = outsz - 1;
		in += nl;
	}
	out[o] = '\0';
}

static void
tenv_add(struct tenv *e, const char *kv, const struct subst *s)
{
	if (e->n < TENV_MAX)
		expand(kv, s, e->kv[e->n++], sizeof(e->kv[0]));
}

static bool
wfile(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static void
opts_for(struct aws_opts *o, struct tenv *e)
{
	memset(o, 0, sizeof(*o));
	o->env.lookup = tenv_lookup;
	o->env.arg = e;
	o->env.home = t_tmpdir();
	o->retry_sleep_ms = 1;
}

static bool
leaks_secret(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(secrets); i++) {
		if (strstr(s, secrets[i]) != NULL)
			return true;
	}
	return false;
}

/* ---- the chain table --------------------------------------------------- */

struct ccase {
	const char *name;
	const char *env[12];
	const char *config, *creds, *tokfile; /* contents; NULL: absent */
	const char *profile;                  /* explicit argument */
	struct stub_resp stub[4];
	size_t nstub;
	enum reg_err er;
	const char *akid;   /* REG_OK: expected */
	const char *secret; /* REG_OK: expected, NULL: not checked */
	const char *token;  /* REG_OK: expected, NULL: not checked */
	const char *text;   /* REG_OK: in source; else in the message */
	const char *req_has[4];
	const char *req_lacks[2];
	int nreq; /* requests the stub saw, NOREQ: not checked */
};

#define PROF_A_ROLE \
	"[profile a]\nrole_arn = " ROLE "\nsource_profile = b\n" \
	"region = us-west-2\n"
#define CREDS_B \
	"[b]\naws_access_key_id = " AKID_CRED \
	"\naws_secret_access_key = " SECRET_CRED "\n"

static const struct ccase chain_cases[] = {
	/* 1. environment */
	{ "env: keys", { CFG_ENV_KEYS }, NULL, NULL, NULL, NULL, { { 0, 0 } },
	    0, REG_OK, AKID_ENV, SECRET_ENV, "", "environment", { 0 }, { 0 },
	    0 },
	{ "env: session token",
	    { CFG_ENV_KEYS, "AWS_SESSION_TOKEN=" TOKEN_STS1 }, NULL, NULL, NULL,
	    NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV, SECRET_ENV, TOKEN_STS1,
	    "environment", { 0 }, { 0 }, 0 },
	{ "env: legacy AWS_SECURITY_TOKEN",
	    { CFG_ENV_KEYS, "AWS_SECURITY_TOKEN=" TOKEN_STS2 }, NULL, NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV, NULL, TOKEN_STS2,
	    "environment", { 0 }, { 0 }, 0 },
	{ "env: AWS_SESSION_TOKEN wins over the legacy name",
	    { CFG_ENV_KEYS, "AWS_SESSION_TOKEN=" TOKEN_STS1,
	        "AWS_SECURITY_TOKEN=" TOKEN_STS2 },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV, NULL,
	    TOKEN_STS1, "environment", { 0 }, { 0 }, 0 },
	{ "env: missing secret is an error", { "AWS_ACCESS_KEY_ID=" AKID_ENV },
	    "[default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "AWS_SECRET_ACCESS_KEY is not", { 0 }, { 0 }, 0 },
	{ "env: a secret without key id is ignored",
	    { "AWS_SECRET_ACCESS_KEY=" SECRET_ENV }, NULL, NULL, NULL, NULL,
	    { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "no AWS credentials found", { 0 }, { 0 }, 0 },
	{ "env: empty key id counts as unset",
	    { "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=" SECRET_ENV }, NULL,
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "no AWS credentials found", { 0 }, { 0 }, 0 },
	{ "env: key id with bad characters",
	    { "AWS_ACCESS_KEY_ID=AKIA-NOT/OK",
	        "AWS_SECRET_ACCESS_KEY=" SECRET_ENV },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL,
	    NULL, "environment: the access key id", { 0 }, { 0 }, 0 },
	{ "env: secret with a blank",
	    { "AWS_ACCESS_KEY_ID=" AKID_ENV, "AWS_SECRET_ACCESS_KEY=a b" },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL,
	    NULL, "secret access key is not", { 0 }, { 0 }, 0 },
	{ "env: bad AWS_CREDENTIAL_EXPIRATION",
	    { CFG_ENV_KEYS, "AWS_CREDENTIAL_EXPIRATION=tomorrow" }, NULL, NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "AWS_CREDENTIAL_EXPIRATION", { 0 }, { 0 }, 0 },
	{ "env wins over AWS_PROFILE's keys", { CFG_ENV_KEYS, "AWS_PROFILE=x" },
	    "[profile x]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV, NULL, NULL,
	    "environment", { 0 }, { 0 }, 0 },
	{ "explicit profile skips the environment", { CFG_ENV_KEYS },
	    "[profile x]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, "x", { { 0, 0 } }, 0, REG_OK, AKID_CFG, SECRET_CFG, "",
	    "profile x (config file)", { 0 }, { 0 }, 0 },
	{ "env keys do not need a sane config file", { CFG_ENV_KEYS },
	    "[default\n", NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV,
	    NULL, NULL, "environment", { 0 }, { 0 }, 0 },

	/* shared files */
	{ "config [default]", { 0 },
	    "[default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CFG, SECRET_CFG, "",
	    "profile default (config file)", { 0 }, { 0 }, 0 },
	{ "config [profile x] via AWS_PROFILE", { "AWS_PROFILE=x" },
	    "[default]\naws_access_key_id = " AKID_ENV
	    "\naws_secret_access_key = " SECRET_ENV "\n"
	    "[profile   x  ]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG
	    "\naws_session_token = " TOKEN_STS1 "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CFG, NULL,
	    TOKEN_STS1, "profile x (config file)", { 0 }, { 0 }, 0 },
	{ "credentials [x] via the argument (clean)", { 0 }, NULL,
	    "[x]\naws_access_key_id=" AKID_CRED
	    "\naws_secret_access_key=" SECRET_CRED "\n",
	    NULL, "x", { { 0, 0 } }, 0, REG_OK, AKID_CRED, SECRET_CRED, "",
	    "profile x (shared credentials file)", { 0 }, { 0 }, 0 },
	{ "credentials file wins over config for keys", { 0 },
	    "[default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    "[default]\naws_access_key_id = " AKID_CRED
	    "\naws_secret_access_key = " SECRET_CRED "\n",
	    NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CRED, SECRET_CRED, NULL,
	    "profile default (shared credentials file)", { 0 }, { 0 }, 0 },
	{ "keys are taken per file, not merged", { 0 },
	    "[default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    "[default]\naws_secret_access_key = " SECRET_CRED "\n", NULL, NULL,
	    { { 0, 0 } }, 0, REG_OK, AKID_CFG, SECRET_CFG, NULL,
	    "profile default (config file)", { 0 }, { 0 }, 0 },
	{ "keys are case-insensitive, ':' splits too", { 0 },
	    "[default]\nAWS_Access_Key_Id: " AKID_CFG
	    "\naws_secret_access_key:" SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CFG, SECRET_CFG, "",
	    "profile default", { 0 }, { 0 }, 0 },
	{ "the later of [default] / [profile default] wins", { 0 },
	    "[default]\naws_access_key_id = " AKID_ENV
	    "\naws_secret_access_key = " SECRET_ENV "\n"
	    "[profile default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CFG, NULL, NULL,
	    "profile default (config file)", { 0 }, { 0 }, 0 },
	{ "config [x] without 'profile' is not a profile", { "AWS_PROFILE=x" },
	    "[x]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "profile x not found", { 0 }, { 0 }, 0 },
	{ "legacy AWS_DEFAULT_PROFILE", { "AWS_DEFAULT_PROFILE=x" }, NULL,
	    "[x]\naws_access_key_id=" AKID_CRED
	    "\naws_secret_access_key=" SECRET_CRED "\n",
	    NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CRED, NULL, NULL,
	    "profile x", { 0 }, { 0 }, 0 },
	{ "AWS_PROFILE beats AWS_DEFAULT_PROFILE",
	    { "AWS_PROFILE=y", "AWS_DEFAULT_PROFILE=x" }, NULL,
	    "[x]\naws_access_key_id=" AKID_CRED
	    "\naws_secret_access_key=" SECRET_CRED
	    "\n[y]\naws_access_key_id=" AKID_CFG
	    "\naws_secret_access_key=" SECRET_CFG "\n",
	    NULL, NULL, { { 0, 0 } }, 0, REG_OK, AKID_CFG, NULL, NULL,
	    "profile y", { 0 }, { 0 }, 0 },
	{ "partial keys in the credentials file", { 0 }, NULL,
	    "[default]\naws_access_key_id = " AKID_CRED "\n", NULL, NULL,
	    { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "has aws_access_key_id but no aws_secret_access_key", { 0 }, { 0 },
	    0 },
	{ "named profile missing", { "AWS_PROFILE=nope" },
	    "[default]\nregion = eu-west-1\n", NULL, NULL, NULL, { { 0, 0 } },
	    0, REG_ENOENT, NULL, NULL, NULL, "profile nope not found", { 0 },
	    { 0 }, 0 },
	{ "named default must exist too", { "AWS_PROFILE=default" }, NULL, NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "profile default not found", { 0 }, { 0 }, 0 },
	{ "bad profile name", { 0 }, NULL, NULL, NULL, "a b", { { 0, 0 } }, 0,
	    REG_EINVAL, NULL, NULL, NULL, "profile name", { 0 }, { 0 }, 0 },
	{ "~ in AWS_SHARED_CREDENTIALS_FILE",
	    { "AWS_SHARED_CREDENTIALS_FILE=~/tilde.creds" }, NULL, NULL, NULL,
	    NULL, { { 0, 0 } }, 0, REG_OK, AKID_CRED, NULL, NULL,
	    "profile default (shared credentials file)", { 0 }, { 0 }, 0 },
	{ "unterminated section", { 0 }, "[default]\n[profile x\nregion=a\n",
	    NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "line 2: unterminated section header", { 0 }, { 0 }, 0 },
	{ "no '=' on a line", { 0 }, "[default]\nregion us-east-1\n", NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "line 2: neither a section header nor key = value", { 0 }, { 0 },
	    0 },
	{ "option before any section", { 0 }, NULL,
	    "aws_access_key_id = " AKID_CRED "\n", NULL, NULL, { { 0, 0 } }, 0,
	    REG_EINVAL, NULL, NULL, NULL, "line 1: option before any section",
	    { 0 }, { 0 }, 0 },
	{ "duplicate key", { 0 }, NULL,
	    "[default]\naws_access_key_id = " AKID_CRED
	    "\nAWS_ACCESS_KEY_ID = " AKID_CFG "\n",
	    NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "line 3: duplicate key", { 0 }, { 0 }, 0 },
	{ "control character", { 0 }, "[default]\nregion = us\033east\n", NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "line 2: control character", { 0 }, { 0 }, 0 },
	{ "credential_process refused, not skipped", { 0 },
	    "[default]\ncredential_process = /bin/echo\n", NULL, NULL, NULL,
	    { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "uses credential_process, which is not supported", { 0 }, { 0 },
	    0 },
	{ "sso refused", { 0 }, "[default]\nsso_session = corp\n", NULL, NULL,
	    NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "uses sso_session", { 0 }, { 0 }, 0 },

	/* 2. role_arn + source_profile */
	{ "assume role via source_profile", { STS_HERE },
	    PROF_A_ROLE "external_id = ext-123\nrole_session_name = ci-run\n"
	                "duration_seconds = 7200\n",
	    CREDS_B, NULL, "a", { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1,
	    SECRET_STS1_DEC, TOKEN_STS1, "assume-role " ROLE " via profile b",
	    { "Host: 127.0.0.1:@PORT", "Credential=" AKID_CRED "/20",
	        "/us-west-2/sts/aws4_request",
	        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%"
	        "3A"
	        "%3A123456789012%3Arole%2Ftf-deployer&RoleSessionName=ci-run&"
	        "ExternalId=ext-123&DurationSeconds=7200" },
	    { "X-Amz-Security-Token", 0 }, 1 },
	{ "default session name and duration", { STS_HERE }, PROF_A_ROLE,
	    CREDS_B, NULL, "a", { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1,
	    NULL, NULL, "via profile b",
	    { "RoleSessionName=registry-1700000000&DurationSeconds=3600" },
	    { "ExternalId", 0 }, 1 },
	{ "chain a -> b -> c: the inner role signs the outer call",
	    { STS_HERE },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = b\n"
	    "[profile b]\nrole_arn = " ROLE2 "\nsource_profile = c\n",
	    "[c]\naws_access_key_id = " AKID_CRED
	    "\naws_secret_access_key = " SECRET_CRED "\n",
	    NULL, "a", { { 200, STS_AR1 }, { 200, STS_AR2 } }, 2, REG_OK,
	    AKID_STS2, SECRET_STS2, TOKEN_STS2, "via profile b",
	    { "Credential=" AKID_CRED "/", "role%2Ftf-inner",
	        "Credential=" AKID_STS1 "/",
	        "X-Amz-Security-Token: " TOKEN_STS1 },
	    { 0 }, 2 },
	{ "source profile's static keys win over its role_arn", { STS_HERE },
	    PROF_A_ROLE "[profile b]\nrole_arn = " ROLE2
	                "\nsource_profile = b\n",
	    CREDS_B, NULL, "a", { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1,
	    NULL, NULL, "via profile b", { "Credential=" AKID_CRED "/" },
	    { "tf-inner", 0 }, 1 },
	{ "self-reference with static keys is allowed", { STS_HERE },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = a\n"
	    "aws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, NULL, "a", { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1, NULL,
	    NULL, "via profile a", { "Credential=" AKID_CFG "/" }, { 0 }, 1 },
	{ "source_profile loop", { 0 },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = b\n"
	    "[profile b]\nrole_arn = " ROLE2 "\nsource_profile = a\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "source_profile loop: profile b sources a", { 0 }, { 0 }, 0 },
	{ "self-reference without keys is a loop", { 0 },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = a\n", NULL,
	    NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "source_profile loop", { 0 }, { 0 }, 0 },
	{ "chain longer than the cap", { 0 },
	    "[profile p0]\nrole_arn=" ROLE "\nsource_profile=p1\n"
	    "[profile p1]\nrole_arn=" ROLE "\nsource_profile=p2\n"
	    "[profile p2]\nrole_arn=" ROLE "\nsource_profile=p3\n"
	    "[profile p3]\nrole_arn=" ROLE "\nsource_profile=p4\n"
	    "[profile p4]\nrole_arn=" ROLE "\nsource_profile=p5\n"
	    "[profile p5]\nrole_arn=" ROLE "\nsource_profile=p6\n"
	    "[profile p6]\nrole_arn=" ROLE "\nsource_profile=p7\n"
	    "[profile p7]\nrole_arn=" ROLE "\nsource_profile=p8\n"
	    "[profile p8]\nrole_arn=" ROLE "\nsource_profile=p9\n"
	    "[profile p9]\naws_access_key_id=" AKID_CFG
	    "\naws_secret_access_key=" SECRET_CFG "\n",
	    NULL, NULL, "p0", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "more than 8 chained roles", { 0 }, { 0 }, 0 },
	{ "source_profile missing", { 0 },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = nope\n", NULL,
	    NULL, "a", { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "source_profile nope not found", { 0 }, { 0 }, 0 },
	{ "source profile without credentials", { 0 },
	    "[profile a]\nrole_arn = " ROLE "\nsource_profile = b\n"
	    "[profile b]\nregion = eu-west-1\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "source_profile b has no credentials", { 0 }, { 0 }, 0 },
	{ "role_arn alone", { 0 }, "[profile a]\nrole_arn = " ROLE "\n", NULL,
	    NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "neither source_profile nor credential_source", { 0 }, { 0 }, 0 },
	{ "source_profile and credential_source", { 0 },
	    PROF_A_ROLE "credential_source = Environment\n", CREDS_B, NULL, "a",
	    { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "both source_profile and credential_source", { 0 }, { 0 }, 0 },
	{ "mfa_serial refused", { 0 }, PROF_A_ROLE "mfa_serial = arn:x\n",
	    CREDS_B, NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "mfa_serial", { 0 }, { 0 }, 0 },
	{ "duration_seconds out of range", { STS_HERE },
	    PROF_A_ROLE "duration_seconds = 600\n", CREDS_B, NULL, "a",
	    { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "duration_seconds 600 is not 900..43200", { 0 }, { 0 }, 0 },
	{ "bad role session name", { STS_HERE },
	    PROF_A_ROLE "role_session_name = a/b\n", CREDS_B, NULL, "a",
	    { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "role session name a/b", { 0 }, { 0 }, 0 },
	{ "role_arn that is not an ARN", { STS_HERE },
	    "[profile a]\nrole_arn = tf-deployer\nsource_profile = b\n",
	    CREDS_B, NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "role tf-deployer is not an ARN", { 0 }, { 0 }, 0 },

	/* credential_source */
	{ "credential_source Environment", { STS_HERE, CFG_ENV_KEYS },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = Environment\n",
	    NULL, NULL, "a", { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1, NULL,
	    NULL, "via credential_source Environment",
	    { "Credential=" AKID_ENV "/" }, { 0 }, 1 },
	{ "credential_source Environment without keys", { 0 },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = Environment\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "AWS_ACCESS_KEY_ID is not set", { 0 }, { 0 }, 0 },
	{ "credential_source EcsContainer",
	    { STS_HERE,
	        "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = EcsContainer\n",
	    NULL, NULL, "a", { { 200, CTR_JSON }, { 200, STS_AR1 } }, 2, REG_OK,
	    AKID_STS1, NULL, NULL, "via credential_source EcsContainer",
	    { "GET /c HTTP/1.1", "Credential=" AKID_CTR "/",
	        "X-Amz-Security-Token: " TOKEN_CTR },
	    { 0 }, 2 },
	{ "credential_source EcsContainer without the variables", { 0 },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = EcsContainer\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "credential_source EcsContainer: neither", { 0 }, { 0 }, 0 },
	{ "credential_source Ec2InstanceMetadata, IMDS disabled", { 0 },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = Ec2InstanceMetadata\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL, NULL,
	    "AWS_EC2_METADATA_DISABLED is true", { 0 }, { 0 }, 0 },
	{ "credential_source Ec2InstanceMetadata",
	    { STS_HERE, "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    "[profile a]\nrole_arn = " ROLE
	    "\ncredential_source = Ec2InstanceMetadata\n",
	    NULL, NULL, "a",
	    { { 200, "imds-token-1" }, { 200, "web-role\n" },
	        { 200, IMDS_JSON }, { 200, STS_AR1 } },
	    4, REG_OK, AKID_STS1, NULL, NULL,
	    "via credential_source Ec2InstanceMetadata",
	    { "Credential=" AKID_IMDS "/" }, { 0 }, 4 },
	{ "credential_source bogus", { 0 },
	    "[profile a]\nrole_arn = " ROLE "\ncredential_source = Magic\n",
	    NULL, NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "credential_source must be Environment, Ec2InstanceMetadata or "
	    "EcsContainer",
	    { 0 }, { 0 }, 0 },

	/* STS answers */
	{ "AccessDenied names the role and the external id", { STS_HERE },
	    PROF_A_ROLE "external_id = wrong-id\n", CREDS_B, NULL, "a",
	    { { 403,
	        STS_ERROR("AccessDenied",
	            "User: arn:aws:iam::123456789012:user/ci-bot is not "
	            "authorized to perform: sts:AssumeRole") } },
	    1, REG_EPERM, NULL, NULL, NULL,
	    "sts:AssumeRole on " ROLE " was denied (AccessDenied: User: "
	    "arn:aws:iam::123456789012:user/ci-bot is not authorized to "
	    "perform: "
	    "sts:AssumeRole); check that profile b may assume the role and, if "
	    "its trust policy requires an external id, that external_id or "
	    "AWS_EXTERNAL_ID is right (one was sent)",
	    { 0 }, { 0 }, 1 },
	{ "AccessDenied without an external id says none was sent",
	    { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL, "a",
	    { { 403, STS_ERROR("AccessDenied", "denied") } }, 1, REG_EPERM,
	    NULL, NULL, NULL, "(none was sent)", { 0 }, { 0 }, 1 },
	{ "ExpiredToken", { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL, "a",
	    { { 403,
	        STS_ERROR("ExpiredToken",
	            "The security token included in "
	            "the request is expired") } },
	    1, REG_EAUTH, NULL, NULL, NULL,
	    "the source credentials (profile b) have expired", { 0 }, { 0 },
	    1 },
	{ "InvalidClientTokenId", { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL, "a",
	    { { 403, STS_ERROR("InvalidClientTokenId", "bad") } }, 1, REG_EAUTH,
	    NULL, NULL, NULL, "InvalidClientTokenId: bad", { 0 }, { 0 }, 1 },
	{ "Throttling is retried", { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL,
	    "a",
	    { { 400, STS_ERROR("Throttling", "Rate exceeded") },
	        { 200, STS_AR1 } },
	    2, REG_OK, AKID_STS1, NULL, NULL, "assume-role", { 0 }, { 0 }, 2 },
	{ "5xx three times", { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL, "a",
	    { { 503, "busy" }, { 500, "busy" }, { 502, "busy" } }, 3,
	    REG_EUPSTREAM, NULL, NULL, NULL, "HTTP 502", { 0 }, { 0 }, 3 },
	{ "200 without credentials", { STS_HERE }, PROF_A_ROLE, CREDS_B, NULL,
	    "a", { { 200, "<html>hello</html>" } }, 1, REG_EUPSTREAM, NULL,
	    NULL, NULL, "answered 200 without a usable AccessKeyId", { 0 },
	    { 0 }, 1 },
	{ "200 with a truncated document", { STS_HERE }, PROF_A_ROLE, CREDS_B,
	    NULL, "a", { { 200, "<AssumeRoleResponse><AssumeRoleResult>" } }, 1,
	    REG_EUPSTREAM, NULL, NULL, NULL, "AccessKeyId (invalid request)",
	    { 0 }, { 0 }, 1 },
	{ "STS unreachable", { "AWS_ENDPOINT_URL_STS=http://127.0.0.1:@DEAD" },
	    PROF_A_ROLE, CREDS_B, NULL, "a", { { 0, 0 } }, 0, REG_EUPSTREAM,
	    NULL, NULL, NULL, "cannot reach STS at http://127.0.0.1:", { 0 },
	    { 0 }, 0 },
	{ "plain http STS endpoint off loopback",
	    { "AWS_ENDPOINT_URL_STS=http://sts.example.com" }, PROF_A_ROLE,
	    CREDS_B, NULL, "a", { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "plain http is allowed only to a loopback host", { 0 }, { 0 }, 0 },

	/* 1b. AWS_ROLE_ARN on top of environment keys */
	{ "env keys + AWS_ROLE_ARN assume the role",
	    { STS_HERE, CFG_ENV_KEYS, "AWS_ROLE_ARN=" ROLE,
	        "AWS_EXTERNAL_ID=tf-ext-7f3a9c21", "AWS_ROLE_SESSION_NAME=ci" },
	    NULL, NULL, NULL, NULL, { { 200, STS_AR1 } }, 1, REG_OK, AKID_STS1,
	    NULL, TOKEN_STS1, "assume-role " ROLE " via environment",
	    { "Credential=" AKID_ENV "/",
	        "RoleSessionName=ci&ExternalId=tf-ext-7f3a9c21" },
	    { 0 }, 1 },
	{ "env keys + AWS_ROLE_ARN + token file: keys only",
	    { CFG_ENV_KEYS, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" },
	    NULL, NULL, WEBID_TOKEN, NULL, { { 0, 0 } }, 0, REG_OK, AKID_ENV,
	    NULL, NULL, "environment", { 0 }, { 0 }, 0 },

	/* 3. web identity */
	{ "web identity from the environment",
	    { STS_HERE, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" },
	    NULL, NULL, WEBID_TOKEN "\n", NULL, { { 200, STS_WEB } }, 1, REG_OK,
	    AKID_STS1, SECRET_STS1_DEC, TOKEN_STS1, "web identity " ROLE,
	    { "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=",
	        "&WebIdentityToken=" WEBID_TOKEN "\n=====" },
	    { "Authorization:", "X-Amz-Date" }, 1 },
	{ "web identity from the profile", { STS_HERE },
	    "[default]\nrole_arn = " ROLE
	    "\nweb_identity_token_file = @TOKFILE\nrole_session_name = pod\n",
	    NULL, WEBID_TOKEN, NULL, { { 200, STS_WEB } }, 1, REG_OK, AKID_STS1,
	    NULL, NULL, "web identity", { "RoleSessionName=pod" }, { 0 }, 1 },
	{ "web identity beats the profile's static keys",
	    { STS_HERE, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" },
	    "[default]\naws_access_key_id = " AKID_CFG
	    "\naws_secret_access_key = " SECRET_CFG "\n",
	    NULL, WEBID_TOKEN, NULL, { { 200, STS_WEB } }, 1, REG_OK, AKID_STS1,
	    NULL, NULL, "web identity", { 0 }, { 0 }, 1 },
	{ "token file without a role",
	    { "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" }, NULL, NULL, WEBID_TOKEN,
	    NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "but no role ARN", { 0 }, { 0 }, 0 },
	{ "token file missing",
	    { STS_HERE, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TMP/no-such-token" },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL,
	    NULL, "web identity token file", { 0 }, { 0 }, 0 },
	{ "InvalidIdentityToken",
	    { STS_HERE, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" },
	    NULL, NULL, WEBID_TOKEN, NULL,
	    { { 400, STS_ERROR("InvalidIdentityToken", "not valid") } }, 1,
	    REG_EAUTH, NULL, NULL, NULL, "was rejected (InvalidIdentityToken",
	    { 0 }, { 0 }, 1 },
	{ "expired web identity token",
	    { STS_HERE, "AWS_ROLE_ARN=" ROLE,
	        "AWS_WEB_IDENTITY_TOKEN_FILE=@TOKFILE" },
	    NULL, NULL, WEBID_TOKEN, NULL,
	    { { 400, STS_ERROR("ExpiredTokenException", "Token expired") } }, 1,
	    REG_EAUTH, NULL, NULL, NULL, "has expired (ExpiredTokenException",
	    { 0 }, { 0 }, 1 },

	/* 5. container */
	{ "container FULL_URI with a token file",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/v1/c",
	        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=@TOKFILE",
	        "AWS_CONTAINER_AUTHORIZATION_TOKEN=ignored" },
	    NULL, NULL, "tok-abc-123\n", NULL, { { 200, CTR_JSON } }, 1, REG_OK,
	    AKID_CTR, SECRET_CTR, TOKEN_CTR, "container",
	    { "GET /v1/c HTTP/1.1", "Authorization: tok-abc-123\r\n",
	        "Accept: application/json" },
	    { "ignored", 0 }, 1 },
	{ "container token from the variable",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:@PORT/c",
	        "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok-abc-123" },
	    NULL, NULL, NULL, NULL, { { 200, CTR_JSON } }, 1, REG_OK, AKID_CTR,
	    NULL, NULL, "container", { "Authorization: tok-abc-123\r\n" },
	    { 0 }, 1 },
	{ "container token with CR LF",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c",
	        "AWS_CONTAINER_AUTHORIZATION_TOKEN=a\r\nX-Evil: 1" },
	    NULL, NULL, NULL, NULL, { { 200, CTR_JSON } }, 1, REG_EINVAL, NULL,
	    NULL, NULL, "CR or LF", { 0 }, { 0 }, 0 },
	{ "container token file with an inner newline",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c",
	        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=@TOKFILE" },
	    NULL, NULL, "tok\nX-Evil: 1\n", NULL, { { 200, CTR_JSON } }, 1,
	    REG_EINVAL, NULL, NULL, NULL,
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds a CR or LF", { 0 },
	    { 0 }, 0 },
	{ "container host refused",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.0.0.1/creds" },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL,
	    NULL,
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI http://10.0.0.1/creds is "
	    "refused: http is allowed only to loopback",
	    { 0 }, { 0 }, 0 },
	{ "container relative URI must be a path",
	    { "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=v2/creds" }, NULL, NULL,
	    NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL, NULL,
	    "RELATIVE_URI v2/creds is not an absolute path", { 0 }, { 0 }, 0 },
	{ "container retried up to three times",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    NULL, NULL, NULL, NULL,
	    { { 500, "x" }, { 500, "x" }, { 200, CTR_JSON } }, 3, REG_OK,
	    AKID_CTR, NULL, NULL, "container", { 0 }, { 0 }, 3 },
	{ "container 403 three times",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    NULL, NULL, NULL, NULL,
	    { { 403, "no" }, { 403, "no" }, { 403, "no" } }, 3, REG_EAUTH, NULL,
	    NULL, NULL, "answered HTTP 403", { 0 }, { 0 }, 3 },
	{ "container bad json",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    NULL, NULL, NULL, NULL, { { 200, "{\"AccessKeyId\": 1}" } }, 1,
	    REG_EUPSTREAM, NULL, NULL, NULL,
	    "AccessKeyId in the response is not", { 0 }, { 0 }, 1 },
	{ "container duplicate keys refused",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    NULL, NULL, NULL, NULL,
	    { { 200, "{\"AccessKeyId\":\"A\",\"AccessKeyId\":\"B\"}" } }, 1,
	    REG_EUPSTREAM, NULL, NULL, NULL, "not a json object", { 0 }, { 0 },
	    1 },
	{ "profile without keys falls through to the container",
	    { "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/c" },
	    "[profile x]\nregion = eu-west-1\n", NULL, NULL, "x",
	    { { 200, CTR_JSON } }, 1, REG_OK, AKID_CTR, NULL, NULL, "container",
	    { 0 }, { 0 }, 1 },

	/* 6. IMDS */
	{ "imds v2",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT/" },
	    NULL, NULL, NULL, NULL,
	    { { 200, "imds-token-1" }, { 200, "web-role\n" },
	        { 200, IMDS_JSON } },
	    3, REG_OK, AKID_IMDS, SECRET_IMDS, TOKEN_IMDS,
	    "imds (role web-role)",
	    { "PUT /latest/api/token HTTP/1.1",
	        "x-aws-ec2-metadata-token-ttl-seconds: 21600",
	        "GET /latest/meta-data/iam/security-credentials/web-role HTTP",
	        "x-aws-ec2-metadata-token: imds-token-1" },
	    { 0 }, 3 },
	{ "imds v1 fallback after 404 on the token",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL,
	    { { 404, "" }, { 200, "web-role" }, { 200, IMDS_JSON } }, 3, REG_OK,
	    AKID_IMDS, NULL, NULL, "imds", { 0 },
	    { "x-aws-ec2-metadata-token:", 0 }, 3 },
	{ "imds v1 disabled",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_V1_DISABLED=true",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL, { { 403, "" } }, 1, REG_EUPSTREAM, NULL,
	    NULL, NULL, "IMDSv1 is disabled", { 0 }, { 0 }, 1 },
	{ "imds unreachable: not on EC2",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@DEAD" },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_ENOENT, NULL, NULL,
	    NULL, "no AWS credentials found", { 0 }, { 0 }, 0 },
	{ "imds timeout: not on EC2",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL, { { 0, "" } }, 1, REG_ENOENT, NULL, NULL,
	    NULL, "no AWS credentials found", { 0 }, { 0 }, 1 },
	{ "imds without a role",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL, { { 200, "t" }, { 404, "" } }, 2,
	    REG_ENOENT, NULL, NULL, NULL, "no AWS credentials found", { 0 },
	    { 0 }, 2 },
	{ "imds Code not Success",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL,
	    { { 200, "t" }, { 200, "r" },
	        { 200, "{\"Code\":\"Fail\",\"AccessKeyId\":\"A\"}" } },
	    3, REG_EUPSTREAM, NULL, NULL, NULL, "Code is Fail, not Success",
	    { 0 }, { 0 }, 3 },
	{ "imds bad role name",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:@PORT" },
	    NULL, NULL, NULL, NULL, { { 200, "t" }, { 200, "../../x" } }, 2,
	    REG_EUPSTREAM, NULL, NULL, NULL, "the role name is not", { 0 },
	    { 0 }, 2 },
	{ "imds endpoint with a path",
	    { "AWS_EC2_METADATA_DISABLED=false",
	        "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1/x" },
	    NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_EINVAL, NULL, NULL,
	    NULL, "is not an http(s)://host[:port] URL", { 0 }, { 0 }, 0 },
};

struct run {
	struct stub st;
	struct tenv env;
	struct subst sub;
	struct aws_opts o;
	char err[AWS_ERRMSG_MAX];
};

/* Start the stub, write the files, build the environment. */
static bool
run_setup(struct run *r, const struct ccase *c, size_t i)
{
	char tilde[600];
	size_t k;

	memset(r, 0, sizeof(*r));
	if (!stub_start(&r->st, c->stub, c->nstub))
		return false;
	(void)snprintf(r->sub.port, sizeof(r->sub.port), "%u", r->st.port);
	(void)snprintf(r->sub.config, sizeof(r->sub.config), "%s/c%zu.config",
	    t_tmpdir(), i);
	(void)snprintf(r->sub.creds, sizeof(r->sub.creds), "%s/c%zu.creds",
	    t_tmpdir(), i);
	(void)snprintf(r->sub.tok, sizeof(r->sub.tok), "%s/c%zu.token",
	    t_tmpdir(), i);
	if (c->config != NULL) {
		char *x = malloc(strlen(c->config) + 1024);

		if (x == NULL)
			return false;
		expand(c->config, &r->sub, x, strlen(c->config) + 1024);
		if (!wfile(r->sub.config, x, strlen(x))) {
			free(x);
			return false;
		}
		free(x);
	}
	if (c->creds != NULL &&
	    !wfile(r->sub.creds, c->creds, strlen(c->creds)))
		return false;
	if (c->tokfile != NULL &&
	    !wfile(r->sub.tok, c->tokfile, strlen(c->tokfile)))
		return false;
	(void)snprintf(tilde, sizeof(tilde), "%s/tilde.creds", t_tmpdir());
	if (!wfile(tilde,
	        "[default]\naws_access_key_id=" AKID_CRED
	        "\naws_secret_access_key=" SECRET_CRED "\n",
	        strlen("[default]\naws_access_key_id=" AKID_CRED
	               "\naws_secret_access_key=" SECRET_CRED "\n")))
		return false;
	for (k = 0; k < nitems(c->env) && c->env[k] != NULL; k++) {
		char dead[64];

		if (strstr(c->env[k], "@DEAD") != NULL) {
			char tmp[600];
			const char *at = strstr(c->env[k], "@DEAD");

			(void)snprintf(dead, sizeof(dead), "%u", dead_port());
			(void)snprintf(tmp, sizeof(tmp), "%.*s%s",
			    (int)(at - c->env[k]), c->env[k], dead);
			tenv_add(&r->env, tmp, &r->sub);
		} else {
			tenv_add(&r->env, c->env[k], &r->sub);
		}
	}
	tenv_add(&r->env, "AWS_EC2_METADATA_DISABLED=true", &r->sub);
	tenv_add(&r->env, "AWS_CONFIG_FILE=@CONFIG", &r->sub);
	tenv_add(&r->env, "AWS_SHARED_CREDENTIALS_FILE=@CREDS", &r->sub);
	opts_for(&r->o, &r->env);
	r->o.profile = c->profile;
	return true;
}

static void
run_checks(const struct ccase *c, struct run *r, enum reg_err er,
    const struct aws_creds *cr)
{
	const char *log = buf_cstr(&r->st.log);
	char want[700];
	size_t k;
	int n = 0;
	const char *p;

	for (p = strstr(log, "\n=====\n"); p != NULL;
	     p = strstr(p + 1, "\n=====\n"))
		n++;
	if (!T_OK(er == c->er, "%s: %s (got %s: %s)", c->name,
	        reg_err_str(c->er), reg_err_str(er), r->err))
		return;
	if (er == REG_OK) {
		T_OK(strcmp(cr->akid, c->akid) == 0, "%s: akid %s (got %s)",
		    c->name, c->akid, cr->akid);
		if (c->secret != NULL)
			T_OK(strcmp(cr->secret, c->secret) == 0, "%s: secret",
			    c->name);
		if (c->token != NULL)
			T_OK(strcmp(cr->session_token, c->token) == 0,
			    "%s: session token", c->name);
		T_OK(strstr(cr->source, c->text) != NULL,
		    "%s: source [%s] has [%s]", c->name, cr->source, c->text);
		T_OK(r->err[0] == '\0', "%s: no message on success", c->name);
	} else {
		T_OK(strstr(r->err, c->text) != NULL,
		    "%s: message [%s] has [%s]", c->name, vis(r->err),
		    vis(c->text));
	}
	T_OK(!leaks_secret(r->err), "%s: no secret in the message", c->name);
	for (k = 0; k < nitems(c->req_has) && c->req_has[k] != NULL; k++) {
		expand(c->req_has[k], &r->sub, want, sizeof(want));
		T_OK(strstr(log, want) != NULL, "%s: request has [%s]", c->name,
		    vis(want));
	}
	for (k = 0; k < nitems(c->req_lacks) && c->req_lacks[k] != NULL; k++)
		T_OK(strstr(log, c->req_lacks[k]) == NULL,
		    "%s: request lacks [%s]", c->name, c->req_lacks[k]);
	if (c->nreq != NOREQ)
		T_OK(n == c->nreq, "%s: %d request(s) (got %d)", c->name,
		    c->nreq, n);
}

static void
test_chain(void)
{
	struct aws_creds cr;
	struct run *r;
	size_t i;
	enum reg_err er;

	r = malloc(sizeof(*r));
	if (r == NULL)
		return;
	for (i = 0; i < nitems(chain_cases); i++) {
		const struct ccase *c = &chain_cases[i];

		if (!T_OK(run_setup(r, c, i), "%s: setup", c->name))
			continue;
		memset(&cr, 0x5a, sizeof(cr));
		er = aws_creds_resolve(&r->o, 1700000000, &cr, r->err,
		    sizeof(r->err));
		stub_stop(&r->st);
		run_checks(c, r, er, &cr);
		if (er == REG_OK && strstr(c->text, "assume-role") != NULL)
			T_OK(cr.expiration == T2030, "%s: expiration", c->name);
		aws_creds_clear(&cr);
		buf_release(&r->st.log);
	}
	free(r);
}

/* ---- provider: cache and refresh ---------------------------------------- */

static void
test_provider(void)
{
	static const struct stub_resp resp[] = { { 200, CTR_JSON },
		{ 200, CTR_JSON }, { 500, "x" }, { 500, "x" }, { 500, "x" } };
	struct aws_creds_provider *p = NULL;
	struct aws_creds cr;
	struct run *r = malloc(sizeof(*r));
	static const struct ccase c = { "provider",
		{ "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:@PORT/"
		  "c" },
		NULL, NULL, NULL, NULL, { { 0, 0 } }, 0, REG_OK, NULL, NULL,
		NULL, NULL, { 0 }, { 0 }, 0 };
	int64_t now = T2030 - 3600;

	if (r == NULL || !run_setup(r, &c, 999)) {
		free(r);
		return;
	}
	stub_stop(&r->st);
	buf_release(&r->st.log);
	if (!stub_start(&r->st, resp, nitems(resp)))
		return;
	(void)snprintf(r->sub.port, sizeof(r->sub.port), "%u", r->st.port);
	r->env.n = 0;
	tenv_add(&r->env, c.env[0], &r->sub);
	tenv_add(&r->env, "AWS_EC2_METADATA_DISABLED=true", &r->sub);
	tenv_add(&r->env, "AWS_CONFIG_FILE=@TMP/none", &r->sub);
	tenv_add(&r->env, "AWS_SHARED_CREDENTIALS_FILE=@TMP/none", &r->sub);
	r->o.refresh_window = 600;
	T_OK(aws_creds_provider_new(&r->o, &p) == REG_OK, "provider new");
	if (p == NULL)
		goto out;
	T_OK(aws_creds_get(p, now, &cr) == REG_OK &&
	        strcmp(cr.akid, AKID_CTR) == 0 && cr.expiration == T2030,
	    "first get fetches");
	T_OK(r->st.served == 1, "one request (%zu)", r->st.served);
	T_OK(aws_creds_get(p, now + 2999, &cr) == REG_OK, "cached get");
	T_OK(r->st.served == 1, "still one request 601 s before expiry");
	T_OK(aws_creds_get(p, now + 3000, &cr) == REG_OK &&
	        strcmp(cr.akid, AKID_CTR) == 0,
	    "get within the window");
	T_OK(r->st.served == 2, "refetched 600 s before expiry (%zu)",
	    r->st.served);
	T_OK(aws_creds_get(p, now + 3100, &cr) == REG_EUPSTREAM,
	    "failed refresh is an error");
	T_OK(strstr(aws_creds_provider_errmsg(p), "answered HTTP 500") != NULL,
	    "provider keeps the message: %s", aws_creds_provider_errmsg(p));
	T_OK(r->st.served == 5, "three attempts (%zu)", r->st.served);
out:
	aws_creds_provider_free(p);
	aws_creds_clear(&cr);
	stub_stop(&r->st);
	buf_release(&r->st.log);
	free(r);
}

/* Static credentials are cached for good. */
static void
test_provider_static(void)
{
	struct aws_creds_provider *p = NULL;
	struct aws_creds cr;
	struct tenv e;
	struct subst s;
	struct aws_opts o;

	memset(&e, 0, sizeof(e));
	memset(&s, 0, sizeof(s));
	tenv_add(&e, "AWS_ACCESS_KEY_ID=" AKID_ENV, &s);
	tenv_add(&e, "AWS_SECRET_ACCESS_KEY=" SECRET_ENV, &s);
	opts_for(&o, &e);
	o.profile = NULL;
	if (aws_creds_provider_new(&o, &p) != REG_OK)
		return;
	T_OK(aws_creds_get(p, 1, &cr) == REG_OK && cr.expiration == 0,
	    "static credentials");
	e.n = 0; /* the environment empties: the cache still answers */
	T_OK(aws_creds_get(p, 1LL << 40, &cr) == REG_OK &&
	        strcmp(cr.akid, AKID_ENV) == 0,
	    "static credentials never refresh");
	aws_creds_provider_free(p);
	aws_creds_clear(&cr);
}

/* ---- region, endpoints, TLS ------------------------------------------------ */

static const struct rcase {
	const char *name, *arg, *env[4], *config;
	enum reg_err er;
	const char *want;
} region_cases[] = {
	{ "argument first", "eu-central-1",
	    { "AWS_REGION=us-west-1", "AWS_DEFAULT_REGION=us-west-2" },
	    "[default]\nregion = ap-south-1\n", REG_OK, "eu-central-1" },
	{ "AWS_REGION second", NULL,
	    { "AWS_REGION=us-west-1", "AWS_DEFAULT_REGION=us-west-2" },
	    "[default]\nregion = ap-south-1\n", REG_OK, "us-west-1" },
	{ "AWS_DEFAULT_REGION third", NULL, { "AWS_DEFAULT_REGION=us-west-2" },
	    "[default]\nregion = ap-south-1\n", REG_OK, "us-west-2" },
	{ "profile fourth", NULL, { 0 }, "[default]\nregion = ap-south-1\n",
	    REG_OK, "ap-south-1" },
	{ "named profile's region", NULL, { "AWS_PROFILE=x" },
	    "[default]\nregion = ap-south-1\n[profile x]\nregion = sa-east-1\n",
	    REG_OK, "sa-east-1" },
	{ "default last", NULL, { 0 }, NULL, REG_OK, "us-east-1" },
	{ "empty AWS_REGION is unset", NULL,
	    { "AWS_REGION=", "AWS_DEFAULT_REGION=eu-west-3" }, NULL, REG_OK,
	    "eu-west-3" },
	{ "bad region", NULL, { "AWS_REGION=US_EAST/1" }, NULL, REG_EINVAL,
	    NULL },
	{ "bad profile region", NULL, { 0 }, "[default]\nregion = a b\n",
	    REG_EINVAL, NULL },
	{ "malformed config", NULL, { 0 }, "[default\n", REG_EINVAL, NULL },
	{ "env region needs no config", NULL, { "AWS_REGION=eu-west-1" },
	    "[default\n", REG_OK, "eu-west-1" },
};

static void
test_region(void)
{
	char reg[AWS_REGION_MAX + 1], err[AWS_ERRMSG_MAX], path[512];
	struct subst s;
	struct tenv e;
	struct aws_opts o;
	size_t i, k;
	enum reg_err er;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < nitems(region_cases); i++) {
		const struct rcase *c = &region_cases[i];

		(void)snprintf(path, sizeof(path), "%s/r%zu.config", t_tmpdir(),
		    i);
		(void)snprintf(s.config, sizeof(s.config), "%s", path);
		if (c->config != NULL)
			(void)wfile(path, c->config, strlen(c->config));
		memset(&e, 0, sizeof(e));
		for (k = 0; k < nitems(c->env) && c->env[k] != NULL; k++)
			tenv_add(&e, c->env[k], &s);
		tenv_add(&e, "AWS_CONFIG_FILE=@CONFIG", &s);
		tenv_add(&e, "AWS_SHARED_CREDENTIALS_FILE=@TMP/none", &s);
		opts_for(&o, &e);
		o.region = c->arg;
		memset(reg, 'Z', sizeof(reg));
		er = aws_region_resolve(&o, reg, err, sizeof(err));
		if (T_OK(er == c->er, "region: %s (got %s: %s)", c->name,
		        reg_err_str(er), err) &&
		    er == REG_OK)
			T_OK(strcmp(reg, c->want) == 0, "region: %s is %s (%s)",
			    c->name, c->want, reg);
	}
}

static const struct ecase {
	const char *name, *service, *region, *env[4], *config;
	enum reg_err er;
	const char *url, *signing;
	bool configured;
} ep_cases[] = {
	{ "sts default is regional", "sts", "eu-west-1", { 0 }, NULL, REG_OK,
	    "https://sts.eu-west-1.amazonaws.com", "eu-west-1", false },
	{ "sts china", "sts", "cn-north-1", { 0 }, NULL, REG_OK,
	    "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", false },
	{ "iam global", "iam", "eu-west-1", { 0 }, NULL, REG_OK,
	    "https://iam.amazonaws.com", "us-east-1", false },
	{ "iam govcloud", "iam", "us-gov-east-1", { 0 }, NULL, REG_OK,
	    "https://iam.us-gov.amazonaws.com", "us-gov-west-1", false },
	{ "ecr", "ecr", "us-west-2", { 0 }, NULL, REG_OK,
	    "https://api.ecr.us-west-2.amazonaws.com", "us-west-2", false },
	{ "service variable first", "sts", "eu-west-1",
	    { "AWS_ENDPOINT_URL_STS=https://127.0.0.1:4566/",
	        "AWS_ENDPOINT_URL=https://global.example" },
	    "[default]\nservices = s\nendpoint_url = https://prof.example\n"
	    "[services s]\nsts =\n  endpoint_url = https://svc.example\n",
	    REG_OK, "https://127.0.0.1:4566", "eu-west-1", true },
	{ "global variable second", "sts", "eu-west-1",
	    { "AWS_ENDPOINT_URL=https://global.example" },
	    "[default]\nservices = s\nendpoint_url = https://prof.example\n"
	    "[services s]\nsts =\n  endpoint_url = https://svc.example\n",
	    REG_OK, "https://global.example", "eu-west-1", true },
	{ "services section third", "sts", "eu-west-1", { 0 },
	    "[default]\nservices = s\nendpoint_url = https://prof.example\n"
	    "[services s]\nsts =\n  endpoint_url = https://svc.example\n"
	    "  other = 1\n",
	    REG_OK, "https://svc.example", "eu-west-1", true },
	{ "services section for another service", "iam", "eu-west-1", { 0 },
	    "[default]\nservices = s\nendpoint_url = https://prof.example\n"
	    "[services s]\nsts =\n  endpoint_url = https://svc.example\n",
	    REG_OK, "https://prof.example", "eu-west-1", true },
	{ "profile endpoint_url fourth", "sts", "eu-west-1", { 0 },
	    "[default]\nendpoint_url = https://prof.example/base\n", REG_OK,
	    "https://prof.example/base", "eu-west-1", true },
	{ "ignore variable", "sts", "eu-west-1",
	    { "AWS_ENDPOINT_URL_STS=https://127.0.0.1:4566",
	        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=TRUE" },
	    "[default]\nendpoint_url = https://prof.example\n", REG_OK,
	    "https://sts.eu-west-1.amazonaws.com", "eu-west-1", false },
	{ "ignore in the profile", "sts", "eu-west-1", { 0 },
	    "[default]\nendpoint_url = https://prof.example\n"
	    "ignore_configured_endpoint_urls = true\n",
	    REG_OK, "https://sts.eu-west-1.amazonaws.com", "eu-west-1", false },
	{ "hyphen in the variable name", "ecr-public", "us-east-1",
	    { "AWS_ENDPOINT_URL_ECR_PUBLIC=https://ecrp.example" }, NULL,
	    REG_OK, "https://ecrp.example", "us-east-1", true },
	{ "http to loopback allowed", "sts", "us-east-1",
	    { "AWS_ENDPOINT_URL_STS=http://[::1]:8080" }, NULL, REG_OK,
	    "http://[::1]:8080", "us-east-1", true },
	{ "http elsewhere refused", "sts", "us-east-1",
	    { "AWS_ENDPOINT_URL_STS=http://sts.example.com" }, NULL, REG_EINVAL,
	    NULL, NULL, false },
	{ "not a URL", "sts", "us-east-1", { "AWS_ENDPOINT_URL_STS=ftp://x" },
	    NULL, REG_EINVAL, NULL, NULL, false },
	{ "userinfo refused", "sts", "us-east-1",
	    { "AWS_ENDPOINT_URL_STS=https://u:p@x.example" }, NULL, REG_EINVAL,
	    NULL, NULL, false },
	{ "unknown service without configuration", "s3", "us-east-1", { 0 },
	    NULL, REG_EINVAL, NULL, NULL, false },
	{ "nested line without '='", "sts", "us-east-1", { 0 },
	    "[default]\nservices = s\n[services s]\nsts =\n  endpoint_url\n",
	    REG_EINVAL, NULL, NULL, false },
};

static void
test_endpoints(void)
{
	char err[AWS_ERRMSG_MAX], path[512];
	struct aws_endpoint ep;
	struct subst s;
	struct tenv e;
	struct aws_opts o;
	size_t i, k;
	enum reg_err er;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < nitems(ep_cases); i++) {
		const struct ecase *c = &ep_cases[i];

		(void)snprintf(path, sizeof(path), "%s/e%zu.config", t_tmpdir(),
		    i);
		(void)snprintf(s.config, sizeof(s.config), "%s", path);
		if (c->config != NULL)
			(void)wfile(path, c->config, strlen(c->config));
		memset(&e, 0, sizeof(e));
		for (k = 0; k < nitems(c->env) && c->env[k] != NULL; k++)
			tenv_add(&e, c->env[k], &s);
		tenv_add(&e, "AWS_CONFIG_FILE=@CONFIG", &s);
		tenv_add(&e, "AWS_SHARED_CREDENTIALS_FILE=@TMP/none", &s);
		opts_for(&o, &e);
		er = aws_endpoint_resolve(&o, c->service, c->region, &ep, err,
		    sizeof(err));
		if (!T_OK(er == c->er, "endpoint: %s (got %s: %s)", c->name,
		        reg_err_str(er), err) ||
		    er != REG_OK)
			continue;
		T_OK(strcmp(ep.url, c->url) == 0 &&
		        strcmp(ep.signing_region, c->signing) == 0 &&
		        ep.configured == c->configured,
		    "endpoint: %s: %s %s %d", c->name, ep.url,
		    ep.signing_region, ep.configured);
	}
}

static void
test_tls(void)
{
	char err[AWS_ERRMSG_MAX], ca[512], cfg[512];
	struct aws_tls tls;
	struct subst s;
	struct tenv e;
	struct aws_opts o;

	memset(&s, 0, sizeof(s));
	(void)snprintf(ca, sizeof(ca), "%s/ca.pem", t_tmpdir());
	(void)wfile(ca, "x", 1);
	(void)snprintf(cfg, sizeof(cfg), "%s/tls.config", t_tmpdir());
	(void)wfile(cfg, "[default]\nca_bundle = ~/ca.pem\n", 31);
	(void)snprintf(s.config, sizeof(s.config), "%s", cfg);

	memset(&e, 0, sizeof(e));
	tenv_add(&e, "AWS_CONFIG_FILE=@CONFIG", &s);
	tenv_add(&e, "SSL_CERT_FILE=/nonexistent", &s);
	opts_for(&o, &e);
	T_OK(aws_tls_resolve(&o, &tls, err, sizeof(err)) == REG_OK &&
	        strcmp(tls.ca_file, ca) == 0,
	    "tls: profile ca_bundle with ~ beats SSL_CERT_FILE (%s)",
	    tls.ca_file);
	o.ca_file = "/nonexistent/ca.pem";
	T_OK(aws_tls_resolve(&o, &tls, err, sizeof(err)) == REG_EINVAL &&
	        strstr(err, "from the ca-file argument") != NULL,
	    "tls: the argument comes first and must exist: %s", err);
	o.ca_file = NULL;
	e.n = 0;
	tenv_add(&e, "AWS_CONFIG_FILE=@TMP/none", &s);
	tenv_add(&e, "AWS_CA_BUNDLE=@TMP/ca.pem", &s);
	T_OK(aws_tls_resolve(&o, &tls, err, sizeof(err)) == REG_OK &&
	        strcmp(tls.ca_file, ca) == 0 && tls.ca_dir[0] == '\0',
	    "tls: AWS_CA_BUNDLE");
	e.n = 0;
	tenv_add(&e, "AWS_CONFIG_FILE=@TMP/none", &s);
	tenv_add(&e, "SSL_CERT_FILE=@TMP/ca.pem", &s);
	tenv_add(&e, "SSL_CERT_DIR=@TMP", &s);
	T_OK(aws_tls_resolve(&o, &tls, err, sizeof(err)) == REG_OK &&
	        strcmp(tls.ca_file, ca) == 0 &&
	        strcmp(tls.ca_dir, t_tmpdir()) == 0,
	    "tls: SSL_CERT_FILE and SSL_CERT_DIR");
	e.n = 0;
	tenv_add(&e, "AWS_CONFIG_FILE=@TMP/none", &s);
	T_OK(aws_tls_resolve(&o, &tls, err, sizeof(err)) == REG_OK &&
	        tls.ca_file[0] == '\0' && tls.ca_dir[0] == '\0',
	    "tls: system store");
}

/* ---- the INI parser --------------------------------------------------- */

static const struct icase {
	const char *name, *text;
	size_t len; /* 0: strlen */
	enum reg_err er;
	const char *sect, *key, *val; /* one expected value, or msg */
} ini_cases[] = {
	{ "basic", "[a]\nk = v\n", 0, REG_OK, "a", "k", "v" },
	{ "no trailing newline", "[a]\nk=v", 0, REG_OK, "a", "k", "v" },
	{ "crlf", "[a]\r\nk = v \r\n", 0, REG_OK, "a", "k", "v" },
	{ "lone cr", "[a]\rk = v\r", 0, REG_OK, "a", "k", "v" },
	{ "bom", "\xef\xbb\xbf[a]\nk=v\n", 0, REG_OK, "a", "k", "v" },
	{ "comments", "# c\n; c\n[a] # c\n  # c\nk = v # not a comment\n", 0,
	    REG_OK, "a", "k", "v # not a comment" },
	{ "key lower-cased, section kept", "[Prof X]\nKeY = V\n", 0, REG_OK,
	    "Prof X", "key", "V" },
	{ "first delimiter splits", "[a]\nurl = http://h:1/x=y\n", 0, REG_OK,
	    "a", "url", "http://h:1/x=y" },
	{ "colon delimiter", "[a]\nk: v=w\n", 0, REG_OK, "a", "k", "v=w" },
	{ "empty value", "[a]\nk =\n", 0, REG_OK, "a", "k", "" },
	{ "continuation", "[a]\nk = one\n  two\n\ttwo b\nz = 1\n", 0, REG_OK,
	    "a", "k", "one\ntwo\ntwo b" },
	{ "nested", "[s x]\nsts =\n  endpoint_url = http://h\n", 0, REG_OK,
	    "s x", "sts", "\nendpoint_url = http://h" },
	{ "blank line inside a value kept", "[a]\nk = 1\n\n  2\n\n", 0, REG_OK,
	    "a", "k", "1\n\n2" },
	{ "comment inside a value skipped", "[a]\nk = 1\n  # x\n  2\n", 0,
	    REG_OK, "a", "k", "1\n2" },
	{ "indented option after a header", "[a]\n  k = v\n", 0, REG_OK, "a",
	    "k", "v" },
	{ "indented header is a continuation", "[a]\nk = v\n  [b]\n", 0, REG_OK,
	    "a", "k", "v\n[b]" },
	/* fuzz_awsconfig: a TAB inside a key is kept, like a space */
	{ "inner blanks of a key kept", "[a]\nk\t\tx y =v\n", 0, REG_OK, "a",
	    "k\t\tx y", "v" },
	{ "unterminated section", "[a\nk=v\n", 0, REG_EINVAL, NULL, NULL,
	    "line 1: unterminated section header" },
	{ "empty section", "[]\n", 0, REG_EINVAL, NULL, NULL,
	    "line 1: empty section name" },
	{ "junk after section", "[a] b\n", 0, REG_EINVAL, NULL, NULL,
	    "line 1: junk after section header" },
	{ "no delimiter", "[a]\nk\n", 0, REG_EINVAL, NULL, NULL,
	    "line 2: neither a section header nor key = value" },
	{ "empty key", "[a]\n = v\n", 0, REG_EINVAL, NULL, NULL,
	    "line 2: empty key" },
	{ "option before section", "k = v\n", 0, REG_EINVAL, NULL, NULL,
	    "line 1: option before any section header" },
	{ "duplicate section", "[a]\n[b]\n[a]\n", 0, REG_EINVAL, NULL, NULL,
	    "line 3: duplicate section" },
	{ "duplicate key, case folded", "[a]\nK=1\nk=2\n", 0, REG_EINVAL, NULL,
	    NULL, "line 3: duplicate key" },
	{ "NUL byte", "[a]\nk = v\0w\n", 11, REG_EINVAL, NULL, NULL,
	    "line 2: NUL byte" },
	{ "escape byte", "[a]\nk = \033[1m\n", 0, REG_EINVAL, NULL, NULL,
	    "line 2: control character 0x1b" },
	{ "DEL byte", "[a]\nk = \177\n", 0, REG_EINVAL, NULL, NULL,
	    "line 2: control character 0x7f" },
};

static void
test_ini(void)
{
	char err[200];
	struct aws_ini *ini;
	size_t i, idx;
	enum reg_err er;

	for (i = 0; i < nitems(ini_cases); i++) {
		const struct icase *c = &ini_cases[i];
		size_t len = c->len > 0 ? c->len : strlen(c->text);
		const char *v;

		ini = NULL;
		err[0] = '\0';
		er = aws_ini_parse(c->text, len, &ini, err, sizeof(err));
		if (!T_OK(er == c->er, "ini: %s (got %s: %s)", c->name,
		        reg_err_str(er), err))
			goto next;
		if (er != REG_OK) {
			T_OK(strcmp(err, c->val) == 0 && ini == NULL,
			    "ini: %s: message [%s]", c->name, err);
			goto next;
		}
		v = aws_ini_find(ini, c->sect, &idx)
		    ? aws_ini_get(ini, idx, c->key)
		    : NULL;
		T_OK(v != NULL && strcmp(v, c->val) == 0,
		    "ini: %s: [%s] %s = [%s]", c->name, c->sect, c->key,
		    v != NULL ? vis(v) : "(null)");
next:
		aws_ini_free(ini);
	}
}

static void
test_ini_caps(void)
{
	char err[200], *big;
	struct aws_ini *ini = NULL;
	struct span sp;
	size_t n, i;

	big = malloc(AWS_INI_MAX_FILE + 2);
	if (big == NULL)
		return;
	n = (size_t)snprintf(big, 64, "[a]\nk = ");
	memset(big + n, 'x', AWS_INI_MAX_LINE);
	T_OK(aws_ini_parse(big, n + AWS_INI_MAX_LINE - 4, &ini, err,
	         sizeof(err)) == REG_OK,
	    "a line at the cap is fine");
	aws_ini_free(ini);
	ini = NULL;
	T_OK(aws_ini_parse(big, n + AWS_INI_MAX_LINE, &ini, err, sizeof(err)) ==
	            REG_ETOOBIG &&
	        strcmp(err, "line 2: longer than 16384 bytes") == 0,
	    "huge line: %s", err);
	memset(big, '\n', AWS_INI_MAX_FILE + 1);
	T_OK(aws_ini_parse(big, AWS_INI_MAX_FILE + 1, &ini, err, sizeof(err)) ==
	        REG_ETOOBIG,
	    "file over the cap: %s", err);
	T_OK(aws_ini_parse(big, AWS_INI_MAX_FILE, &ini, err, sizeof(err)) ==
	        REG_OK,
	    "file at the cap (blank lines)");
	aws_ini_free(ini);
	ini = NULL;
	n = 0;
	for (i = 0; i <= AWS_INI_MAX_SECTIONS; i++)
		n += (size_t)snprintf(big + n, 32, "[s%zu]\n", i);
	T_OK(aws_ini_parse(big, n, &ini, err, sizeof(err)) == REG_ETOOBIG,
	    "too many sections: %s", err);
	n = (size_t)snprintf(big, 32, "[a]\n");
	for (i = 0; i <= AWS_INI_MAX_KEYS; i++)
		n += (size_t)snprintf(big + n, 32, "k%zu=1\n", i);
	T_OK(aws_ini_parse(big, n, &ini, err, sizeof(err)) == REG_ETOOBIG,
	    "too many keys: %s", err);
	free(big);

	T_OK(aws_ini_nested("\nendpoint_url = a\n x = y \nendpoint_url=b",
	         "endpoint_url", &sp) == REG_OK &&
	        span_eq(sp, "b"),
	    "nested: the last one wins");
	T_OK(aws_ini_nested("endpoint_url = a", "endpoint_url", &sp) ==
	        REG_ENOENT,
	    "nested: only values that start with a newline");
	T_OK(aws_ini_nested("\nx", "x", &sp) == REG_EINVAL,
	    "nested: a line without '='");

	/* a whole file through the chain: NUL byte in the credentials */
	{
		static const char text[] =
		    "[default]\naws_access_key_id = A\0B\n";
		char path[512], msg[AWS_ERRMSG_MAX];
		struct subst s;
		struct tenv e;
		struct aws_opts o;
		struct aws_creds cr;

		memset(&s, 0, sizeof(s));
		(void)snprintf(path, sizeof(path), "%s/nul.creds", t_tmpdir());
		(void)wfile(path, text, sizeof(text) - 1);
		(void)snprintf(s.creds, sizeof(s.creds), "%s", path);
		memset(&e, 0, sizeof(e));
		tenv_add(&e, "AWS_SHARED_CREDENTIALS_FILE=@CREDS", &s);
		tenv_add(&e, "AWS_CONFIG_FILE=@TMP/none", &s);
		opts_for(&o, &e);
		T_OK(aws_creds_resolve(&o, 1, &cr, msg, sizeof(msg)) ==
		            REG_EINVAL &&
		        strstr(msg, "nul.creds: line 2: NUL byte") != NULL,
		    "NUL byte through the chain: %s", msg);
	}
}

/* A FIFO as a token file used to block in open(); it must fail fast. */
static void
test_token_fifo_does_not_hang(void)
{
	char msg[AWS_ERRMSG_MAX], fifo[512];
	struct aws_creds cr;
	struct aws_opts o;
	struct subst s;
	struct tenv e;

	memset(&s, 0, sizeof(s));
	(void)snprintf(fifo, sizeof(fifo), "%s/token.fifo", t_tmpdir());
	if (!T_OK(mkfifo(fifo, 0600) == 0, "mkfifo"))
		return;
	memset(&e, 0, sizeof(e));
	tenv_add(&e, "AWS_ROLE_ARN=" ROLE, &s);
	tenv_add(&e, "AWS_WEB_IDENTITY_TOKEN_FILE=@TMP/token.fifo", &s);
	tenv_add(&e, "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1", &s);
	tenv_add(&e, "AWS_CONFIG_FILE=@TMP/none", &s);
	tenv_add(&e, "AWS_SHARED_CREDENTIALS_FILE=@TMP/none", &s);
	opts_for(&o, &e);
	T_OK(aws_creds_resolve(&o, 1, &cr, msg, sizeof(msg)) == REG_EINVAL &&
	        strstr(msg, "token.fifo: not a regular file") != NULL,
	    "token file FIFO refused: %s", msg);
}

/* ---- allow-list and ISO-8601 ----------------------------------------------- */

static const struct {
	const char *url;
	bool ok;
} uri_cases[] = {
	{ "http://127.0.0.1/creds", true },
	{ "http://127.0.0.1:8080/creds", true },
	{ "http://127.255.255.254/x", true },
	{ "http://localhost/x", true },
	{ "http://LOCALHOST:1/x", true },
	{ "http://[::1]/x", true },
	{ "http://[0:0:0:0:0:0:0:1]:9/x", true },
	{ "http://169.254.170.2/v2/credentials/abc", true },
	{ "http://169.254.170.23/v1/credentials", true },
	{ "http://[fd00:ec2::23]/v1/credentials", true },
	{ "http://[FD00:EC2:0::23]/v1/credentials", true },
	{ "https://creds.example.com/x", true },
	{ "https://10.1.2.3/x", true },
	{ "http://10.0.0.1/x", false },
	{ "http://169.254.169.254/latest", false },
	{ "http://169.254.170.3/x", false },
	{ "http://128.0.0.1/x", false },
	{ "http://127.0.0.1.evil.example/x", false },
	{ "http://localhost.evil.example/x", false },
	{ "http://0127.0.0.1/x", false },
	{ "http://127.1/x", false },
	{ "http://[::ffff:127.0.0.1]/x", false },
	{ "http://[fd00:ec2::254]/x", false },
	{ "http://169.254.170.2@evil.example/x", false },
	{ "http://user@127.0.0.1/x", false },
	{ "ftp://127.0.0.1/x", false },
	{ "127.0.0.1/x", false },
	{ "http:///x", false },
	{ "http://127.0.0.1:0/x", false },
	{ "http://127.0.0.1:65536/x", false },
	{ "http://127.0.0.1:/x", false },
	{ "http://127.0.0.1/x y", false },
	{ "http://127.0.0.1/x#frag", false },
	{ "http://[::1/x", false },
};

static void
test_allowlist(void)
{
	const char *why;
	size_t i;

	for (i = 0; i < nitems(uri_cases); i++) {
		why = NULL;
		T_OK(aws_container_uri_allowed(uri_cases[i].url,
		         strlen(uri_cases[i].url), &why) == uri_cases[i].ok &&
		        (uri_cases[i].ok || why != NULL),
		    "container uri %s %s", uri_cases[i].url,
		    uri_cases[i].ok ? "allowed" : "refused");
	}
}

static const struct {
	const char *s;
	enum reg_err er;
	int64_t t;
} iso_cases[] = {
	{ "2026-11-23T11:00:00Z", REG_OK, 1795431600 },
	{ "1970-01-01T00:00:00Z", REG_OK, 0 },
	{ "2030-01-01T00:00:00Z", REG_OK, 1893456000 },
	{ "2024-02-29T12:00:00Z", REG_OK, 1709208000 },
	{ "2026-11-23t11:00:00z", REG_OK, 1795431600 },
	{ "2026-11-23T11:00:00.123Z", REG_OK, 1795431600 },
	{ "2026-11-23T11:00:00.123456789Z", REG_OK, 1795431600 },
	{ "2026-11-23T12:30:00+01:30", REG_OK, 1795431600 },
	{ "2026-11-23T09:00:00-02:00", REG_OK, 1795431600 },
	{ "9999-12-31T23:59:59Z", REG_OK, 253402300799LL },
	{ "2023-02-29T12:00:00Z", REG_EINVAL, 0 },
	{ "2100-02-29T12:00:00Z", REG_EINVAL, 0 },
	{ "2026-04-31T00:00:00Z", REG_EINVAL, 0 },
	{ "2026-13-01T00:00:00Z", REG_EINVAL, 0 },
	{ "2026-00-01T00:00:00Z", REG_EINVAL, 0 },
	{ "2026-01-00T00:00:00Z", REG_EINVAL, 0 },
	{ "2026-01-01T24:00:00Z", REG_EINVAL, 0 },
	{ "2026-01-01T00:60:00Z", REG_EINVAL, 0 },
	{ "2026-01-01T00:00:60Z", REG_EINVAL, 0 },
	{ "1969-12-31T23:59:59Z", REG_EINVAL, 0 },
	{ "1970-01-01T00:00:00+00:01", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00", REG_EINVAL, 0 },
	{ "2026-11-23 11:00:00Z", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00.Z", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00.1234567890Z", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00+0100", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00+24:00", REG_EINVAL, 0 },
	{ "2026-11-23T11:00:00ZZ", REG_EINVAL, 0 },
	{ "+2026-11-23T11:00:00Z", REG_EINVAL, 0 },
	{ "2026-1-23T11:00:00Z", REG_EINVAL, 0 },
	{ "２026-11-23T11:00:00Z", REG_EINVAL, 0 },
	{ "1800000000", REG_EINVAL, 0 },
	{ "", REG_EINVAL, 0 },
};

static void
test_iso8601(void)
{
	int64_t t;
	size_t i;
	enum reg_err er;

	for (i = 0; i < nitems(iso_cases); i++) {
		t = -7;
		er = aws_iso8601_parse(iso_cases[i].s, strlen(iso_cases[i].s),
		    &t);
		T_OK(er == iso_cases[i].er &&
		        (er == REG_OK ? t == iso_cases[i].t : t == -7),
		    "iso8601 %s -> %s %lld (got %lld)", iso_cases[i].s,
		    reg_err_str(iso_cases[i].er), (long long)iso_cases[i].t,
		    (long long)t);
	}
	/* (ptr, len): no NUL needed, nothing read past len */
	T_OK(aws_iso8601_parse("2026-11-23T11:00:00Zjunk", 20, &t) == REG_OK &&
	        t == 1795431600,
	    "iso8601 honours len");
}

int
main(void)
{
	fetch_global_init();
	log_init("test_awscreds", 0, LOG_LVL_WARN);
	test_iso8601();
	test_allowlist();
	test_ini();
	test_ini_caps();
	test_region();
	test_endpoints();
	test_tls();
	test_chain();
	test_token_fifo_does_not_hang();
	test_provider();
	test_provider_static();
	return t_done();
}
