/*
 * admin-tools/client_ignore: .terraformignore rules as a table of
 * (rules, path, is it a directory, excluded?) rows, with git's semantics:
 * last match wins, '!' re-includes, trailing '/' for directories,
 * anchoring, '*', '?', classes, escapes and the two-star segment; plus
 * the fixed exclusions (.git, .terraform) and the limits.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../admin-tools/client_ignore.h"

struct row {
	const char *rules;
	const char *path;
	bool dir;
	bool excluded;
};

static const struct row rows[] = {
	/* nothing */
	{ "", "main.tf", false, false },
	{ "# comment\n\n   \n", "main.tf", false, false },
	/* base names at any depth */
	{ "*.log", "a.log", false, true },
	{ "*.log", "dir/sub/a.log", false, true },
	{ "*.log", "a.log.txt", false, false },
	{ "*.log", "dir.log/x.tf", false, true }, /* parent dir matches */
	{ "secret", "x/secret", false, true },
	{ "secret", "x/secret/inner.tf", false, true },
	{ "secret", "secrets", false, false },
	/* negation, last match wins */
	{ "*.log\n!keep.log", "keep.log", false, false },
	{ "*.log\n!keep.log", "other.log", false, true },
	{ "!keep.log\n*.log", "keep.log", false, true },
	/* no re-inclusion inside an excluded directory */
	{ "build/\n!build/keep.tf", "build/keep.tf", false, true },
	{ "build/*\n!build/keep.tf", "build/keep.tf", false, false },
	{ "build/*\n!build/keep.tf", "build/other.tf", false, true },
	/* directories only */
	{ "cache/", "cache", true, true },
	{ "cache/", "cache", false, false },
	{ "cache/", "a/cache/x", false, true },
	/* anchoring */
	{ "/top.tf", "top.tf", false, true },
	{ "/top.tf", "sub/top.tf", false, false },
	{ "docs/*.md", "docs/a.md", false, true },
	{ "docs/*.md", "x/docs/a.md", false, false },
	{ "docs/*.md", "docs/sub/a.md", false, false },
	/* two stars */
	{ "**/foo", "foo", false, true },
	{ "**/foo", "a/b/foo", false, true },
	{ "a/**/b", "a/b", false, true },
	{ "a/**/b", "a/x/y/b", false, true },
	{ "a/**/b", "x/a/b", false, false },
	{ "a/**", "a", true, false },
	{ "a/**", "a/x", false, true },
	{ "a/**", "a/x/y", false, true },
	{ "**", "anything/at/all", false, true },
	{ "a**b", "axxb", false, true },
	{ "a**b", "ax/xb", false, false },
	/* single-character tokens */
	{ "?.tf", "a.tf", false, true },
	{ "?.tf", "ab.tf", false, false },
	{ "[abc].tf", "b.tf", false, true },
	{ "[abc].tf", "d.tf", false, false },
	{ "[a-c].tf", "c.tf", false, true },
	{ "[!a-c].tf", "c.tf", false, false },
	{ "[^a-c].tf", "z.tf", false, true },
	{ "[]].tf", "].tf", false, true },
	{ "[a.tf", "[a.tf", false, true }, /* unterminated: literal */
	{ "*", "x", false, true },
	{ "*", "", false, false }, /* not a path */
	/* escapes and special lines */
	{ "\\#notes", "#notes", false, true },
	{ "\\!bang", "!bang", false, true },
	{ "\\*", "*", false, true },
	{ "\\*", "x", false, false },
	{ "trail\\ ", "trail ", false, true },
	{ "trail   ", "trail", false, true },
	{ "crlf.tf\r\n", "crlf.tf", false, true },
	{ "/", "x", false, false },
	{ "!", "x", false, false },
	/* fixed exclusions, whatever the rules say */
	{ "", ".git", true, true },
	{ "", ".git/config", false, true },
	{ "", "sub/.terraform/modules/x.tf", false, true },
	{ "!.git\n!.git/**", ".git/HEAD", false, true },
	{ "", ".gitignore", false, false },
	{ "", ".terraform.lock.hcl", false, false },
	/* backtracking that must not explode */
	{ "*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    false, false },
	{ "**/**/**/**/**/**/**/z",
	    "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/y", false, false },
};

/* The rules on one line, for the TAP description. */
static const char *
oneline(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = s[i];
	if (s[i] == '\n')
		out[i] = '|';
	else if (s[i] == '\r')
		out[i] = '~';
	out[i] = '\0';
	return out;
}

static void
test_rows(void)
{
	struct client_ignore *ig;
	char show[128];
	size_t i;
	bool got;

	for (i = 0; i < nitems(rows); i++) {
		ig = NULL;
		if (client_ignore_new(rows[i].rules, strlen(rows[i].rules),
		        &ig) != REG_OK) {
			T_OK(false, "row %zu: rules compile", i);
			continue;
		}
		got = client_ignore_excluded(ig, rows[i].path,
		    strlen(rows[i].path), rows[i].dir);
		T_OK(got == rows[i].excluded, "rules [%s] path %s%s: %s",
		    oneline(rows[i].rules, show, sizeof(show)), rows[i].path,
		    rows[i].dir ? "/" : "",
		    rows[i].excluded ? "excluded" : "kept");
		client_ignore_free(ig);
	}
}

static void
test_counts_and_limits(void)
{
	struct client_ignore *ig = NULL;
	char *big;
	size_t n = CLIENT_IGNORE_TEXT_MAX + 1;

	T_OK(client_ignore_new("# c\na\n\n!b\nc/\n", 13, &ig) == REG_OK &&
	        client_ignore_count(ig) == 3,
	    "three rules, comments and blanks not counted");
	T_OK(!client_ignore_match(ig, "/abs", 4, false) &&
	        !client_ignore_match(ig, "a//b", 4, false) &&
	        !client_ignore_match(ig, "a/", 2, false),
	    "paths outside the grammar never match");
	client_ignore_free(ig);
	client_ignore_free(NULL);
	T_OK(!client_ignore_excluded(NULL, "main.tf", 7, false),
	    "no rules: kept");
	big = malloc(n);
	if (big == NULL)
		return;
	memset(big, 'a', n);
	ig = NULL;
	T_OK(client_ignore_new(big, n, &ig) == REG_ETOOBIG && ig == NULL,
	    "over 256 KiB is REG_ETOOBIG");
	memset(big, '/', 200);
	big[200] = '\0';
	big[0] = 'x';
	T_OK(client_ignore_new(big, 200, &ig) == REG_ETOOBIG,
	    "a pattern of more than 64 segments is REG_ETOOBIG");
	free(big);
}

int
main(void)
{
	test_rows();
	test_counts_and_limits();
	return t_done();
}
