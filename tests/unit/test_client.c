/*
 * admin-tools/client: host names in Terraform's comparison form and
 * TF_TOKEN_ names (spec/terraform-protocols.md 3.2) as tables checked in
 * both directions, token syntax, the STS host of a region, the presigned
 * k8s-aws-v1 token (parsed back by the registry's own validator,
 * auth/iamtok), the token endpoint's answer, error texts, and the TLS
 * bundle built from SSL_CERT_DIR.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../admin-tools/client.h"
#include "../../auth/iamtok.h"
#include "../../auth/sigv4.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */

static const struct {
	const char *in;
	const char *out; /* NULL: refused */
	const char *why; /* substring of the refusal */
} hosts[] = {
	{ "registry.example.com", "registry.example.com", NULL },
	{ "Registry.Example.COM", "registry.example.com", NULL },
	{ "registry.example.com:443", "registry.example.com", NULL },
	{ "registry.example.com:0443", "registry.example.com", NULL },
	{ "127.0.0.1:8443", "127.0.0.1:8443", NULL },
	{ "127.0.0.1:08443", "127.0.0.1:8443", NULL },
	{ "my-reg.example.test", "my-reg.example.test", NULL },
	{ "localhost:18443", "localhost:18443", NULL },
	{ "xn--caf-dma.fr", "xn--caf-dma.fr", NULL },
	{ "a.b-c.d:65535", "a.b-c.d:65535", NULL },
	{ "", NULL, "empty" },
	{ "https://registry.example.com", NULL, "without a scheme" },
	{ "registry.example.com/v1", NULL, "without a path" },
	{ "caf\xc3\xa9.fr", NULL, "non-ASCII" },
	{ "reg_istry.example.com", NULL, "'_'" },
	{ "registry.example.com.", NULL, "trailing dot" },
	{ "-reg.example.com", NULL, "start or end with '-'" },
	{ "reg-.example.com", NULL, "start or end with '-'" },
	{ "reg..example.com", NULL, "empty label" },
	{ "[::1]:8443", NULL, "IPv6" },
	{ "::1", NULL, "IPv6" },
	{ "host:0", NULL, "bad port" },
	{ "host:65536", NULL, "bad port" },
	{ "host:", NULL, "bad port" },
	{ "host:8a", NULL, "bad port" },
	{ "ho st", NULL, "space" },
	{ "host\t", NULL, "control" },
	{ "a!b.com", NULL, "outside" },
	{ ":8443", NULL, "empty" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	  "com",
	    NULL, "longer than 63" },
};

static void
test_host_canon(void)
{
	char out[CLIENT_HOST_BUFSZ];
	const char *why;
	enum reg_err er;
	size_t i;

	for (i = 0; i < nitems(hosts); i++) {
		why = NULL;
		memset(out, 'x', sizeof(out));
		er = client_host_canon(hosts[i].in, strlen(hosts[i].in), out,
		    &why);
		if (hosts[i].out != NULL)
			T_OK(er == REG_OK && strcmp(out, hosts[i].out) == 0,
			    "host '%s' -> '%s' (got %s '%s')", hosts[i].in,
			    hosts[i].out, reg_err_str(er),
			    er == REG_OK ? out : "");
		else
			T_OK(er == REG_EINVAL && why != NULL &&
			        strstr(why, hosts[i].why) != NULL,
			    "host '%s' refused: %s (got %s)", hosts[i].in,
			    hosts[i].why, why != NULL ? why : "-");
	}
}

/* spec/terraform-protocols.md 3.2, read in reverse. */
static const struct {
	const char *host;
	const char *name;
} tfnames[] = {
	{ "app.terraform.io", "TF_TOKEN_app_terraform_io" },
	{ "my-reg.example.test", "TF_TOKEN_my__reg_example_test" },
	{ "127.0.0.1:18443", "TF_TOKEN_127_0_0_1:18443" },
	{ "localhost:18443", "TF_TOKEN_localhost:18443" },
	{ "registry.example.test:18443",
	    "TF_TOKEN_registry_example_test:18443" },
	{ "xn--caf-dma.fr", "TF_TOKEN_xn____caf__dma_fr" },
	{ "abc.execute-api.us-east-1.amazonaws.com",
	    "TF_TOKEN_abc_execute__api_us__east__1_amazonaws_com" },
	{ "a--b.c", "TF_TOKEN_a____b_c" },
	{ "a-b-c", "TF_TOKEN_a__b__c" },
};

static void
test_tf_token_names(void)
{
	char name[CLIENT_TFNAME_BUFSZ], back[CLIENT_HOST_BUFSZ];
	size_t i;

	for (i = 0; i < nitems(tfnames); i++) {
		T_OK(client_tf_token_name(tfnames[i].host, name,
		         sizeof(name)) == REG_OK &&
		        strcmp(name, tfnames[i].name) == 0,
		    "TF_TOKEN name of %s is %s (got %s)", tfnames[i].host,
		    tfnames[i].name, name);
		/* Terraform's own direction gives the host back */
		T_OK(client_tf_token_host(name, strlen(name), back) == REG_OK &&
		        strcmp(back, tfnames[i].host) == 0,
		    "Terraform maps %s back to %s", name, tfnames[i].host);
		T_OK(client_tf_token_needs_env(name) ==
		        (strpbrk(name, ":-") != NULL),
		    "needs env for %s", name);
	}
	/* verified facts of 3.2 in Terraform's direction */
	T_OK(client_tf_token_host("TF_TOKEN_MY__REG_EXAMPLE_TEST", 29, back) ==
	            REG_OK &&
	        strcmp(back, "my-reg.example.test") == 0,
	    "upper-case variable names work");
	T_OK(client_tf_token_host("TF_TOKEN_127_0_0_1_18443", 24, back) ==
	            REG_EINVAL ||
	        strcmp(back, "127.0.0.1:18443") != 0,
	    "TF_TOKEN_127_0_0_1_18443 does not name 127.0.0.1:18443");
	T_OK(client_tf_token_host("TF_TOKEN_example_com:443", 24, back) ==
	            REG_OK &&
	        strcmp(back, "example.com") == 0,
	    ":443 is dropped");
	T_OK(client_tf_token_name("Example.com", name, sizeof(name)) ==
	        REG_EINVAL,
	    "a host not in comparison form is refused");
	T_OK(client_tf_token_name("example.com:443", name, sizeof(name)) ==
	        REG_EINVAL,
	    "example.com:443 is not comparison form");
	T_OK(client_tf_token_name("app.terraform.io", name, 10) == REG_ETOOBIG,
	    "small buffer is REG_ETOOBIG");
	T_OK(!client_tf_token_needs_env("TF_TOKEN_app_terraform_io"),
	    "a plain name can be exported");
}

static void
test_tokens(void)
{
	static const struct {
		const char *tok;
		bool ok;
	} rows[] = {
		{ "regt_abcDEF012-_", true },
		{ "reg1.eyJ2IjoxfQ.abc-_", true },
		{ "a+b/c=", true },
		{ "", false },
		{ "has space", false },
		{ "quote\"", false },
		{ "new\nline", false },
		{ "dollar$", false },
		{ "back\\slash", false },
	};
	struct client_token t;
	char arg[] = "regt_secretvalue";
	size_t i;

	for (i = 0; i < nitems(rows); i++)
		T_OK(client_token_valid(rows[i].tok, strlen(rows[i].tok)) ==
		        rows[i].ok,
		    "token syntax row %zu", i);
	client_token_init(&t);
	T_OK(client_token_from_arg(&t, arg) == REG_OK &&
	        strcmp(t.token, "regt_secretvalue") == 0,
	    "token copied from argv");
	T_OK(arg[0] == '\0' && arg[5] == '\0', "argv copy wiped");
	client_token_release(&t);
	T_OK(t.token == NULL, "release clears");
}

static void
test_sts_host(void)
{
	char h[128];

	T_OK(client_sts_host("us-east-1", h, sizeof(h)) == REG_OK &&
	        strcmp(h, "sts.us-east-1.amazonaws.com") == 0,
	    "us-east-1");
	T_OK(client_sts_host("eu-west-1", h, sizeof(h)) == REG_OK &&
	        strcmp(h, "sts.eu-west-1.amazonaws.com") == 0,
	    "eu-west-1");
	T_OK(client_sts_host("cn-north-1", h, sizeof(h)) == REG_OK &&
	        strcmp(h, "sts.cn-north-1.amazonaws.com.cn") == 0,
	    "china partition");
	T_OK(client_sts_host("us-east-1.evil.com/", h, sizeof(h)) == REG_EINVAL,
	    "a region cannot inject a host");
	T_OK(client_sts_host("", h, sizeof(h)) == REG_EINVAL, "empty region");
}

/* The token we make passes every check the registry makes (2 to 9). */
static void
test_presign(void)
{
	static const struct iamtok_endpoint eps[] = {
		{ "sts.us-east-1.amazonaws.com", "us-east-1", "aws" },
		{ "sts.eu-west-1.amazonaws.com", "eu-west-1", "aws" },
	};
	struct sigv4_creds c = { "ASIATFPUBLISHER00001",
		"gWMn5n0RdF3r4d42B7xSAthbW70+3Odoo9q6ALTu", "FwoGZXIvYXdz+/=" };
	struct iamtok_policy pol;
	struct iamtok *it;
	struct buf tok;
	const char *why = NULL;
	enum reg_err er;

	it = calloc(1, sizeof(*it));
	if (it == NULL)
		return;
	pol.endpoints = eps;
	pol.nendpoints = nitems(eps);
	pol.audience_header = NULL;
	pol.now = NOW + 30;
	pol.max_age = 300;
	pol.max_future = 60;
	buf_init(&tok, 8192);
	er = client_iam_presign(&c, "eu-west-1", "127.0.0.1:8443", NOW, &tok);
	T_OK(er == REG_OK, "presign: %s", reg_err_str(er));
	T_OK(strncmp(buf_cstr(&tok), "k8s-aws-v1.", 11) == 0,
	    "k8s-aws-v1. prefix");
	er = iamtok_parse_token(tok.p, tok.len, &pol, it, &why);
	T_OK(er == REG_OK, "the registry's validator accepts it (%s)",
	    why != NULL ? why : "ok");
	T_OK(er == REG_OK && it->endpoint == &eps[1],
	    "signed for the region's STS host");
	T_OK(er == REG_OK && strcmp(it->akid, c.akid) == 0 &&
	        it->has_session_token && it->expires >= 60 &&
	        it->expires <= 900 && it->date == NOW &&
	        strcmp(it->signed_headers, "host;x-k8s-aws-id") == 0,
	    "akid, session token, expiry, date, signed headers");
	buf_reset(&tok);
	T_OK(client_iam_presign(&c, "not a region", "h", NOW, &tok) ==
	        REG_EINVAL,
	    "bad region refused");
	buf_release_wipe(&tok);
	free(it);
}

static void
test_token_parse(void)
{
	static const struct {
		const char *body;
		bool ok;
		int64_t at, in;
	} rows[] = {
		{ "{\"token\":\"reg1.a.b\",\"expires_at\":\"2023-11-14T23:13:"
		  "20Z\","
		  "\"expires_in\":3600,\"principal\":\"arn:aws:iam::1:role/x\","
		  "\"namespaces\":[\"acme\"]}",
		    true, NOW + 3600, 3600 },
		{ "{\"token\":\"regt_x\"}", true, 0, 0 },
		{ "{\"token\":\"a b\"}", false, 0, 0 },
		{ "{\"token\":1}", false, 0, 0 },
		{ "{\"message\":\"Forbidden\"}", false, 0, 0 },
		{ "Forbidden", false, 0, 0 },
		{ "{\"token\":\"x\",\"token\":\"y\"}", false, 0, 0 },
		{ "{\"token\":\"x\",\"expires_at\":\"tomorrow\"}", false, 0,
		    0 },
		{ "{\"token\":\"x\",\"expires_in\":-1}", false, 0, 0 },
		{ "{\"token\":\"x\\u0000y\"}", false, 0, 0 },
	};
	struct client_token t;
	enum reg_err er;
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		client_token_init(&t);
		er = client_token_parse(rows[i].body, strlen(rows[i].body), &t);
		T_OK((er == REG_OK) == rows[i].ok &&
		        (!rows[i].ok ||
		            (t.expires_at == rows[i].at &&
		                t.expires_in == rows[i].in)),
		    "token answer row %zu: %s", i, reg_err_str(er));
		T_OK(rows[i].ok || t.token == NULL,
		    "nothing kept from a refused answer (row %zu)", i);
		client_token_release(&t);
	}
}

static void
test_resp_error(void)
{
	static const struct {
		long status;
		const char *body, *want;
	} rows[] = {
		{ 403, "{\"errors\":[\"no grant\",\"second\"]}",
		    "no grant; second" },
		{ 403, "{\"message\":\"Forbidden\"}", "Forbidden" },
		{ 502, "<html>bad\x01gateway</html>", "<html>bad\\x01gateway" },
		{ 500, "", "HTTP 500" },
		{ 404, "{\"errors\":[]}", "HTTP 404" },
	};
	struct fetch_resp r;
	char out[256];
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		fetch_resp_init(&r);
		r.status = rows[i].status;
		if (buf_adds(&r.body, rows[i].body) != REG_OK)
			break;
		client_resp_error(&r, out, sizeof(out));
		T_OK(strstr(out, rows[i].want) != NULL,
		    "error text row %zu: '%s' has '%s'", i, out, rows[i].want);
		fetch_resp_release(&r);
	}
}

static bool
file_has(const char *path, const char *needle)
{
	char b[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, b, sizeof(b) - 1);
	(void)close(fd);
	if (n < 0)
		return false;
	b[n] = '\0';
	return strstr(b, needle) != NULL;
}

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		perror(path);
	(void)close(fd);
}

static void
test_tls(void)
{
	struct client_tls t;
	char dir[512], d2[512], f[600], bundle[CLIENT_PATH_MAX], err[512];
	enum reg_err er;

	(void)snprintf(dir, sizeof(dir), "%s/certs", t_tmpdir());
	(void)snprintf(d2, sizeof(d2), "%s/certs2", t_tmpdir());
	(void)mkdir(dir, 0700);
	(void)mkdir(d2, 0700);
	(void)snprintf(f, sizeof(f), "%s/one.pem", dir);
	write_file(f, "CERT-ONE\n");
	(void)snprintf(f, sizeof(f), "%s/two.crt", d2);
	write_file(f, "CERT-TWO");
	(void)snprintf(f, sizeof(f), "%s/file.pem", t_tmpdir());
	write_file(f, "CERT-FILE\n");

	er = client_tls_init(&t, NULL, f, NULL, err, sizeof(err));
	T_OK(er == REG_OK && strcmp(client_tls_ca(&t), f) == 0,
	    "SSL_CERT_FILE alone is used as is");
	client_tls_release(&t);
	er = client_tls_init(&t, NULL, NULL, NULL, err, sizeof(err));
	T_OK(er == REG_OK && client_tls_ca(&t) == NULL, "nothing: default");
	client_tls_release(&t);
	er = client_tls_init(&t, f, "/nonexistent", dir, err, sizeof(err));
	T_OK(er == REG_OK && strcmp(client_tls_ca(&t), f) == 0,
	    "--ca-file wins");
	client_tls_release(&t);
	er = client_tls_init(&t, "/nonexistent/ca.pem", NULL, NULL, err,
	    sizeof(err));
	T_OK(er == REG_ENOENT && strstr(err, "/nonexistent/ca.pem") != NULL,
	    "unreadable --ca-file named");
	(void)snprintf(d2 + strlen(d2), sizeof(d2) - strlen(d2), ":%s/none",
	    t_tmpdir());
	{
		char both[1100];

		(void)snprintf(both, sizeof(both), "%s:%s", dir, d2);
		er = client_tls_init(&t, NULL, f, both, err, sizeof(err));
	}
	T_OK(er == REG_OK && client_tls_ca(&t) != NULL, "bundle made");
	(void)snprintf(bundle, sizeof(bundle), "%s",
	    client_tls_ca(&t) != NULL ? client_tls_ca(&t) : "");
	T_OK(file_has(bundle, "CERT-FILE") && file_has(bundle, "CERT-ONE") &&
	        file_has(bundle, "CERT-TWO"),
	    "bundle has SSL_CERT_FILE and every file of every directory");
	client_tls_release(&t);
	T_OK(access(bundle, F_OK) != 0, "bundle removed on release");
}

int
main(void)
{
	test_host_canon();
	test_tf_token_names();
	test_tokens();
	test_sts_host();
	test_presign();
	test_token_parse();
	test_resp_error();
	test_tls();
	return t_done();
}
