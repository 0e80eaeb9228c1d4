/*
 * admin-tools/client_rc: the credentials_helper block editor as a table
 * of (file, expected file or error) rows: replace in place, append,
 * keep every other byte, idempotence, another helper (refused unless
 * forced), several helpers, and the scanner's refusals (unterminated
 * strings and comments, unbalanced brackets, heredocs, odd forms); plus
 * HCL string quoting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../admin-tools/client_rc.h"

#define BLOCK \
	"credentials_helper \"iam\" {\n  args = [\"--registry-host\", " \
	"\"127.0.0.1:8443\"]\n}"

struct row {
	const char *desc;
	const char *in;
	bool force;
	enum reg_err er;
	const char *out; /* '@' stands for BLOCK; NULL when er != REG_OK */
	const char *why; /* substring of why when er != REG_OK */
	size_t line;     /* err_line for REG_EINVAL */
};

static const struct row rows[] = {
	{ "empty file", "", false, REG_OK, "@\n", NULL, 0 },
	{ "append after a newline", "plugin_cache_dir = \"/x\"\n", false,
	    REG_OK, "plugin_cache_dir = \"/x\"\n\n@\n", NULL, 0 },
	{ "append without a final newline", "disable_checkpoint = true", false,
	    REG_OK, "disable_checkpoint = true\n\n@\n", NULL, 0 },
	{ "append after a comment", "# mine", false, REG_OK, "# mine\n\n@\n",
	    NULL, 0 },
	{ "replace ours in place",
	    "a = 1\ncredentials_helper \"iam\" {\n  args = [\"old\"]\n}\nb = "
	    "2\n",
	    false, REG_OK, "a = 1\n@\nb = 2\n", NULL, 0 },
	{ "replace ours spanning lines with nested brackets and strings",
	    "credentials_helper \"iam\" {\n  args = [\n    \"x}\", # }\n    "
	    "\"y]\\\"\" /* { */\n  ]\n  nested { a = [1, {b = 2}] }\n} # "
	    "tail\n",
	    false, REG_OK, "@ # tail\n", NULL, 0 },
	{ "a word label", "credentials_helper iam {}\n", false, REG_OK, "@\n",
	    NULL, 0 },
	{ "other blocks kept byte for byte",
	    "credentials \"x.example\" {\n\ttoken = \"t}{\"\n}\n\n"
	    "credentials_helper \"iam\" { args = [] }\n"
	    "provider_installation {\n  direct {}\n}\n",
	    false, REG_OK,
	    "credentials \"x.example\" {\n\ttoken = \"t}{\"\n}\n\n@\n"
	    "provider_installation {\n  direct {}\n}\n",
	    NULL, 0 },
	{ "a value that mentions credentials_helper is not a block",
	    "x = \"credentials_helper\"\ny = credentials_helper\n", false,
	    REG_OK, "x = \"credentials_helper\"\ny = credentials_helper\n\n@\n",
	    NULL, 0 },
	{ "nested credentials_helper is not top level",
	    "host \"h\" { credentials_helper \"iam\" { } }\n", false, REG_OK,
	    "host \"h\" { credentials_helper \"iam\" { } }\n\n@\n", NULL, 0 },
	{ "interpolation with a nested string", "a = \"${lookup(m, \"}\")}\"\n",
	    false, REG_OK, "a = \"${lookup(m, \"}\")}\"\n\n@\n", NULL, 0 },
	{ "another helper refused", "credentials_helper \"vault\" {}\n", false,
	    REG_EEXIST, NULL, "--force", 0 },
	{ "another helper replaced with force",
	    "x = 1\ncredentials_helper \"vault\" { args = [] }\n", true, REG_OK,
	    "x = 1\n@\n", NULL, 0 },
	{ "two helpers refused",
	    "credentials_helper \"iam\" {}\ncredentials_helper \"iam\" {}\n",
	    true, REG_EEXIST, NULL, "several", 0 },
	{ "unterminated string", "a = \"x\nb = 1\n", false, REG_EINVAL, NULL,
	    "unterminated string", 1 },
	{ "unterminated comment", "a = 1\n/* x\n", false, REG_EINVAL, NULL,
	    "comment", 2 },
	{ "unbalanced", "a {\n b = [1, 2}\n", false, REG_EINVAL, NULL,
	    "unbalanced", 2 },
	{ "unclosed", "a {\n", false, REG_EINVAL, NULL, "unclosed", 2 },
	{ "heredoc refused", "a = <<EOF\nx\nEOF\n", false, REG_EINVAL, NULL,
	    "heredoc", 1 },
	{ "helper as an attribute", "credentials_helper = {}\n", false,
	    REG_EINVAL, NULL, "not written as a block", 1 },
	{ "ends after '='", "a =", false, REG_EINVAL, NULL, "middle", 1 },
	{ "ends after a key", "a", false, REG_EINVAL, NULL, "middle", 1 },
	{ "ends after the helper keyword", "credentials_helper \"iam\"", false,
	    REG_EINVAL, NULL, "middle", 1 },
};

/* What was produced instead, on one TAP comment line. */
static void
diag(enum reg_err er, const char *s)
{
	printf("#   got %s: [", reg_err_str(er));
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			printf("\\n");
		else
			printf("%c", *s);
	}
	printf("]\n");
}

/* Expand '@' into BLOCK. */
static char *
expand(const char *tmpl)
{
	size_t n = strlen(tmpl) + strlen(BLOCK) + 1, o = 0;
	char *s = malloc(n);

	if (s == NULL)
		return NULL;
	for (; *tmpl != '\0'; tmpl++) {
		if (*tmpl == '@') {
			memcpy(s + o, BLOCK, strlen(BLOCK));
			o += strlen(BLOCK);
		} else {
			s[o++] = *tmpl;
		}
	}
	s[o] = '\0';
	return s;
}

static void
test_rows(void)
{
	struct client_rc_scan sc;
	struct buf out, again;
	const char *why;
	enum reg_err er;
	char *want;
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];

		buf_init(&out, CLIENT_RC_MAX * 2);
		buf_init(&again, CLIENT_RC_MAX * 2);
		why = NULL;
		er = client_rc_edit(r->in, strlen(r->in), BLOCK, r->force, &out,
		    &sc, &why);
		if (r->er != REG_OK) {
			T_OK(er == r->er && why != NULL &&
			        strstr(why, r->why) != NULL &&
			        (r->er != REG_EINVAL || sc.err_line == r->line),
			    "%s: %s (got %s, %s, line %zu)", r->desc,
			    reg_err_str(r->er), reg_err_str(er),
			    why != NULL ? why : "-", sc.err_line);
		} else {
			want = expand(r->out);
			if (!T_OK(er == REG_OK && want != NULL &&
			            strcmp(buf_cstr(&out), want) == 0,
			        "%s", r->desc))
				diag(er, buf_cstr(&out));
			er = client_rc_edit(out.p, out.len, BLOCK, false,
			    &again, &sc, &why);
			T_OK(er == REG_OK && again.len == out.len &&
			        memcmp(again.p, out.p, out.len) == 0 &&
			        sc.n == 1 && strcmp(sc.b[0].label, "iam") == 0,
			    "%s: editing again changes nothing", r->desc);
			free(want);
		}
		buf_release(&out);
		buf_release(&again);
	}
}

static void
test_scan(void)
{
	static const char f[] = "a = 1\ncredentials_helper \"vault\" {\n"
	                        "  args = [\"x\"]\n}\n";
	struct client_rc_scan sc;
	const char *why = NULL;

	T_OK(client_rc_scan(f, sizeof(f) - 1, &sc, &why) == REG_OK &&
	        sc.n == 1 && strcmp(sc.b[0].label, "vault") == 0 &&
	        sc.b[0].start == 6 && f[sc.b[0].end - 1] == '}' &&
	        sc.b[0].end == sizeof(f) - 2,
	    "scan reports the block's range and label");
}

static void
test_quote(void)
{
	static const struct {
		const char *in, *out;
		enum reg_err er;
	} q[] = {
		{ "/home/u/ca.crt", "\"/home/u/ca.crt\"", REG_OK },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"", REG_OK },
		{ "", "\"\"", REG_OK },
		{ "x${y}", NULL, REG_EINVAL },
		{ "x%{y}", NULL, REG_EINVAL },
		{ "new\nline", NULL, REG_EINVAL },
	};
	struct buf b;
	enum reg_err er;
	size_t i;

	for (i = 0; i < nitems(q); i++) {
		buf_init(&b, 1024);
		er = client_rc_quote(q[i].in, &b);
		T_OK(er == q[i].er &&
		        (er != REG_OK || strcmp(buf_cstr(&b), q[i].out) == 0) &&
		        (er == REG_OK || b.len == 0),
		    "quote row %zu (%s)", i, buf_cstr(&b));
		buf_release(&b);
	}
}

int
main(void)
{
	test_rows();
	test_scan();
	test_quote();
	return t_done();
}
