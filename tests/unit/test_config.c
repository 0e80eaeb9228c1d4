/*
 * registry/config.c: the key = value grammar, defaults, ranges, the STS
 * endpoint lines and the cross-field checks, as tables.
 */
#include <string.h>

#include "../lib/t.h"
#include "../../registry/config.h"

static const struct {
	const char *text;
	bool ok;
	const char *why; /* substring of the message when !ok */
} cases[] = {
	{ "", true, NULL },
	{ "# comment only\n\n   \n", true, NULL },
	{ "threads = 4\n", true, NULL },
	{ "threads=4", true, NULL },
	{ "  threads   =   4   \r\n", true, NULL },
	{ "threads = 0\n", false, "line 1: threads: not a number" },
	{ "threads = 257\n", false, "threads" },
	{ "threads = -1\n", false, "threads" },
	{ "threads = 4x\n", false, "threads" },
	{ "threads = \n", false, "threads" },
	{ "threads = 4\nthreads = 5\n", false, "line 2: threads set twice" },
	{ "thread = 4\n", false, "line 1: unknown key \"thread\"" },
	{ "threads 4\n", false, "expected key = value" },
	{ "= 4\n", false, "unknown key" },
	{ "socket_mode = 0660\n", true, NULL },
	{ "socket_mode = 0668\n", false, "octal" },
	{ "socket_mode = 07777\n", false, "mode" },
	{ "syslog = yes\n", true, NULL },
	{ "syslog = maybe\n", false, "yes or no" },
	{ "state_dir = /var/lib/r\n", true, NULL },
	{ "sts_endpoint = sts.us-east-1.amazonaws.com us-east-1 aws\n", true,
	    NULL },
	{ "sts_endpoint = sts.us-east-1.amazonaws.com us-east-1 aws\n"
	  "sts_endpoint = sts.eu-west-1.amazonaws.com eu-west-1 aws\n",
	    true, NULL },
	{ "sts_endpoint = sts.us-east-1.amazonaws.com us-east-1\n", false,
	    "HOST REGION PARTITION" },
	{ "sts_endpoint = STS.example.com us-east-1 aws\n", false,
	    "lower-case" },
	/* sts_endpoint with four words took the fourth as the partition */
	{ "sts_endpoint = sts.a.com r aws extra\n", false,
	    "HOST REGION PARTITION" },
	{ "map_size = 1024\n", false, "map_size" },
	{ "archive_url_ttl = 9\n", false, "archive_url_ttl" },
	{ "token_max_ttl = 43201\n", false, "token_max_ttl" },
	{ "audience = x\0y\n", false, "NUL" },
};

static void
test_parse(void)
{
	struct reg_config c;
	char why[256];
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		size_t len = strlen(cases[i].text);
		enum reg_err er;

		if (strncmp(cases[i].text, "audience = x", 12) == 0)
			len = 15; /* includes the NUL byte */
		config_defaults(&c);
		why[0] = '\0';
		er = config_parse(&c, cases[i].text, len, why, sizeof(why));
		T_OK((er == REG_OK) == cases[i].ok, "case %zu ok=%d (%s)", i,
		    cases[i].ok, why);
		if (!cases[i].ok)
			T_OK(strstr(why, cases[i].why) != NULL,
			    "case %zu message \"%s\" has \"%s\"", i, why,
			    cases[i].why);
	}
}

static void
test_defaults_and_values(void)
{
	static const char text[] =
	    "threads = 3\nsocket = /tmp/s.sock\nsocket_mode = 0600\n"
	    "allow_user_principals = yes\n"
	    "sts_endpoint = sts.amazonaws.com us-east-1 aws\n";
	struct reg_config c;
	char why[256];

	config_defaults(&c);
	T_OK(c.threads == 8 && c.token_ttl == 3600 &&
	        c.archive_url_ttl == 600 && c.max_age == 300,
	    "defaults");
	T_OK(strcmp(c.audience_header, "x-k8s-aws-id") == 0,
	    "default audience header");
	T_OK(config_parse(&c, text, sizeof(text) - 1, why, sizeof(why)) ==
	        REG_OK,
	    "parse values");
	T_OK(c.threads == 3 && c.socket_mode == 0600 &&
	        c.allow_user_principals && c.nsts == 1 &&
	        strcmp(c.sts[0].region, "us-east-1") == 0 &&
	        strcmp(c.socket, "/tmp/s.sock") == 0,
	    "values applied");
}

static void
test_check(void)
{
	static const struct {
		const char *text;
		bool allow_test;
		bool ok;
		const char *why;
	} ck[] = {
		{ "", false, true, NULL },
		{ "socket = relative.sock\n", false, false, "absolute" },
		{ "sts_endpoint = sts.a.com us-east-1 aws\n", false, false,
		    "audience is empty" },
		{ "audience = r.example\n"
		  "sts_endpoint = sts.amazonaws.com eu-west-1 aws\n",
		    false, false, "us-east-1" },
		{ "sts_test_endpoint = 127.0.0.1:9\n", false, false, "-T" },
		{ "sts_test_endpoint = 127.0.0.1:9\n", true, true, NULL },
		{ "sts_test_endpoint = [::1]:9\n", true, true, NULL },
		{ "sts_test_endpoint = localhost:9\n", true, true, NULL },
		{ "sts_test_endpoint = 10.0.0.1:9\n", true, false, "loopback" },
		{ "sts_test_endpoint = sts.evil.example:443\n", true, false,
		    "loopback" },
		{ "sts_test_endpoint = 127.0.0.1\n", true, false, "loopback" },
		{ "sts_test_endpoint = 127.0.0.1:99999\n", true, false,
		    "loopback" },
		{ "token_ttl = 7200\n", false, false, "token_max_ttl" },
		{ "log_level = loud\n", false, false, "log_level" },
		{ "blob_location = /b\n", false, false, "blob_location" },
	};
	struct reg_config c;
	char why[256];
	size_t i;

	for (i = 0; i < nitems(ck); i++) {
		enum reg_err er;

		config_defaults(&c);
		why[0] = '\0';
		T_OK(config_parse(&c, ck[i].text, strlen(ck[i].text), why,
		         sizeof(why)) == REG_OK,
		    "check case %zu parses (%s)", i, why);
		er = config_check(&c, ck[i].allow_test, why, sizeof(why));
		T_OK((er == REG_OK) == ck[i].ok, "check case %zu ok=%d (%s)", i,
		    ck[i].ok, why);
		if (!ck[i].ok)
			T_OK(strstr(why, ck[i].why) != NULL,
			    "check case %zu message \"%s\" has \"%s\"", i, why,
			    ck[i].why);
	}
}

int
main(void)
{
	test_parse();
	test_defaults_and_values();
	test_check();
	return t_done();
}
