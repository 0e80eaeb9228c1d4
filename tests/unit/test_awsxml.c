/*
 * auth/awsxml: the bounded XML extractor on STS/IAM-shaped documents:
 * paths and nth, entities and character references, namespaces,
 * comments, refused constructs (DOCTYPE, CDATA), truncation, caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../auth/awsxml.h"

#define STS_OK \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<AssumeRoleResponse " \
	"xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n" \
	"  <AssumeRoleResult>\n" \
	"    <Credentials>\n" \
	"      <AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId>\n" \
	"      <SecretAccessKey>wJal/r+XUtn&amp;FEMI</SecretAccessKey>\n" \
	"      " \
	"<SessionToken>IQoJb3JpZ2luX2VjE//////////wEa==</SessionToken>\n" \
	"      <Expiration>2026-11-23T11:00:00Z</Expiration>\n" \
	"    </Credentials>\n" \
	"    <AssumedRoleUser>\n" \
	"      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:s</AssumedRoleId>\n" \
	"      <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\n" \
	"    </AssumedRoleUser>\n" \
	"  </AssumeRoleResult>\n" \
	"  <ResponseMetadata><RequestId>c6104cbe</RequestId>" \
	"</ResponseMetadata>\n" \
	"</AssumeRoleResponse>\n"

#define STS_ERR \
	"<ErrorResponse " \
	"xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n" \
	"  <Error>\n" \
	"    <Type>Sender</Type>\n" \
	"    <Code>AccessDenied</Code>\n" \
	"    <Message>User: arn:aws:iam::123456789012:user/ci-bot is not " \
	"authorized to perform: sts:AssumeRole on resource: " \
	"arn:aws:iam::123456789012:role/tf-deployer</Message>\n" \
	"  </Error>\n" \
	"  <RequestId>d1a0a2b6-33e2</RequestId>\n" \
	"</ErrorResponse>\n"

#define IAM_LIST \
	"<ListUsersResponse><ListUsersResult><Users>" \
	"<member><UserName>alice</UserName><Path>/</Path></member>" \
	"<member><Path>/x/</Path></member>" \
	"<member><UserName>carol</UserName></member>" \
	"</Users><IsTruncated>false</IsTruncated></ListUsersResult>" \
	"</ListUsersResponse>"

#define CRED "AssumeRoleResponse/AssumeRoleResult/Credentials/"

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

static const struct tcase {
	const char *desc, *doc, *path;
	size_t nth;
	enum reg_err er;
	const char *want; /* text, when REG_OK */
	size_t wantlen;   /* 0: strlen(want) */
} cases[] = {
	/* the STS shapes */
	{ "sts AccessKeyId", STS_OK, CRED "AccessKeyId", 0, REG_OK,
	    "ASIAEXAMPLE000000001", 0 },
	{ "sts secret with &amp;", STS_OK, CRED "SecretAccessKey", 0, REG_OK,
	    "wJal/r+XUtn&FEMI", 0 },
	{ "sts token", STS_OK, CRED "SessionToken", 0, REG_OK,
	    "IQoJb3JpZ2luX2VjE//////////wEa==", 0 },
	{ "sts expiration", STS_OK, CRED "Expiration", 0, REG_OK,
	    "2026-11-23T11:00:00Z", 0 },
	{ "sts arn", STS_OK,
	    "AssumeRoleResponse/AssumeRoleResult/"
	    "AssumedRoleUser/Arn",
	    0, REG_OK, "arn:aws:sts::123456789012:assumed-role/r/s", 0 },
	{ "sts wrong root", STS_OK,
	    "AssumeRoleWithWebIdentityResponse/"
	    "AssumeRoleWithWebIdentityResult/"
	    "Credentials/AccessKeyId",
	    0, REG_ENOENT, NULL, 0 },
	{ "sts path must start at the root", STS_OK, "Credentials/AccessKeyId",
	    0, REG_ENOENT, NULL, 0 },
	{ "sts second match absent", STS_OK, CRED "AccessKeyId", 1, REG_ENOENT,
	    NULL, 0 },
	{ "element with children is not text", STS_OK,
	    "AssumeRoleResponse/AssumeRoleResult/Credentials", 0, REG_EINVAL,
	    NULL, 0 },
	{ "error code", STS_ERR, "ErrorResponse/Error/Code", 0, REG_OK,
	    "AccessDenied", 0 },
	{ "error request id", STS_ERR, "ErrorResponse/RequestId", 0, REG_OK,
	    "d1a0a2b6-33e2", 0 },
	/* lists */
	{ "iam first member", IAM_LIST,
	    "ListUsersResponse/ListUsersResult/Users/member/UserName", 0,
	    REG_OK, "alice", 0 },
	{ "iam nth counts matches, not members", IAM_LIST,
	    "ListUsersResponse/ListUsersResult/Users/member/UserName", 1,
	    REG_OK, "carol", 0 },
	{ "iam third path", IAM_LIST,
	    "ListUsersResponse/ListUsersResult/Users/member/Path", 1, REG_OK,
	    "/x/", 0 },
	/* entities */
	{ "five entities", "<a>&amp;&lt;&gt;&quot;&apos;</a>", "a", 0, REG_OK,
	    "&<>\"'", 0 },
	{ "decimal ref", "<a>&#65;&#066;</a>", "a", 0, REG_OK, "AB", 0 },
	{ "hex ref", "<a>&#x41;&#X42;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "hex ref lower x", "<a>&#x41;&#x6a;</a>", "a", 0, REG_OK, "Aj", 0 },
	{ "ref to 2-byte utf-8", "<a>&#xE9;</a>", "a", 0, REG_OK, "\xc3\xa9",
	    0 },
	{ "ref to 4-byte utf-8", "<a>&#x1F600;</a>", "a", 0, REG_OK,
	    "\xf0\x9f\x98\x80", 0 },
	{ "ref to tab and newline", "<a>&#9;&#10;</a>", "a", 0, REG_OK, "\t\n",
	    0 },
	{ "leading zeros", "<a>&#0000065;</a>", "a", 0, REG_OK, "A", 0 },
	{ "&#0; refused", "<a>&#0;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "C0 ref refused", "<a>&#1;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "surrogate refused", "<a>&#xD800;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "FFFE refused", "<a>&#xFFFE;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "beyond unicode refused", "<a>&#x110000;</a>", "a", 0, REG_EINVAL,
	    NULL, 0 },
	{ "too many digits", "<a>&#x000000041;</a>", "a", 0, REG_EINVAL, NULL,
	    0 },
	{ "empty ref", "<a>&#;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "empty hex ref", "<a>&#x;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "unknown entity", "<a>&nbsp;</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "unterminated entity", "<a>&amp</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "bare ampersand", "<a>a & b</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "entity in another element still checked",
	    "<r><a>x</a><b>&bad;</b></r>", "r/a", 0, REG_EINVAL, NULL, 0 },
	/* namespaces, attributes, comments, PIs, whitespace */
	{ "prefix ignored", "<s:R xmlns:s=\"u\"><s:Code>X</s:Code></s:R>",
	    "R/Code", 0, REG_OK, "X", 0 },
	{ "attributes both quotes", "<a x='1' y=\"&lt;2&gt;\" >v</a>", "a", 0,
	    REG_OK, "v", 0 },
	{ "attribute without blank before it", "<a x='1'y='2'>v</a>", "a", 0,
	    REG_EINVAL, NULL, 0 },
	{ "attribute with <", "<a x='<'>v</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "attribute without value", "<a x>v</a>", "a", 0, REG_EINVAL, NULL,
	    0 },
	{ "comment inside text dropped", "<a>Access<!-- x -->Denied</a>", "a",
	    0, REG_OK, "AccessDenied", 0 },
	{ "pi inside text dropped", "<a>b<?x y?>c</a>", "a", 0, REG_OK, "bc",
	    0 },
	{ "whitespace kept", "<a> \tv\n</a>", "a", 0, REG_OK, " \tv\n", 0 },
	{ "self-closing is empty text", "<r><Token/></r>", "r/Token", 0, REG_OK,
	    "", 0 },
	{ "self-closing with attribute", "<r><T a=\"1\" /></r>", "r/T", 0,
	    REG_OK, "", 0 },
	{ "end tag with blank", "<a>v</a >", "a", 0, REG_OK, "v", 0 },
	{ "> in text is fine", "<a>a>b</a>", "a", 0, REG_OK, "a>b", 0 },
	{ "utf-8 passes through", "<a>\xc3\xa9t\xc3\xa9</a>", "a", 0, REG_OK,
	    "\xc3\xa9t\xc3\xa9", 0 },
	{ "fragment: several top-level elements", "<m>1</m><m>2</m>", "m", 1,
	    REG_OK, "2", 0 },
	{ "empty document", "", "a", 0, REG_ENOENT, NULL, 0 },
	/* refused constructs */
	{ "cdata refused", "<a><![CDATA[x]]></a>", "a", 0, REG_EINVAL, NULL,
	    0 },
	{ "cdata elsewhere refused", "<r><a>x</a><b><![CDATA[y]]></b></r>",
	    "r/a", 0, REG_EINVAL, NULL, 0 },
	{ "doctype refused", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "a",
	    0, REG_EINVAL, NULL, 0 },
	{ "NUL in text", "<a>x\0y</a>", "a", 0, REG_EINVAL, NULL, 11 },
	{ "control byte in text", "<a>x\001y</a>", "a", 0, REG_EINVAL, NULL,
	    0 },
	{ "mismatched end tag", "<a><b>x</a></b>", "a/b", 0, REG_EINVAL, NULL,
	    0 },
	{ "end tag without start", "</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "unclosed root (truncated)", "<a><b>x</b>", "a/b", 0, REG_EINVAL,
	    NULL, 0 },
	{ "unterminated comment", "<a>x<!-- y</a>", "a", 0, REG_EINVAL, NULL,
	    0 },
	{ "unterminated pi", "<?xml version='1.0'<a/>", "a", 0, REG_EINVAL,
	    NULL, 0 },
	{ "bad name start", "<1a>x</1a>", "1a", 0, REG_EINVAL, NULL, 0 },
	{ "lone <", "<a>x < y</a>", "a", 0, REG_EINVAL, NULL, 0 },
	{ "trailing <", "<a>x</a><", "a", 0, REG_EINVAL, NULL, 0 },
	/* paths */
	{ "empty path", "<a>x</a>", "", 0, REG_EINVAL, NULL, 0 },
	{ "leading slash", "<a>x</a>", "/a", 0, REG_EINVAL, NULL, 0 },
	{ "empty component", "<a><b>x</b></a>", "a//b", 0, REG_EINVAL, NULL,
	    0 },
	{ "trailing slash", "<a>x</a>", "a/", 0, REG_EINVAL, NULL, 0 },
};

static void
test_table(void)
{
	char out[256];
	size_t i, n, len;
	enum reg_err er;

	for (i = 0; i < nitems(cases); i++) {
		const struct tcase *c = &cases[i];

		len = c->wantlen > 0 && c->want == NULL ? c->wantlen
		                                        : strlen(c->doc);
		memset(out, 'Z', sizeof(out));
		n = 9999;
		er = awsxml_text(c->doc, len, c->path, c->nth, out, sizeof(out),
		    &n);
		if (!T_OK(er == c->er, "%s: %s (got %s)", c->desc,
		        reg_err_str(c->er), reg_err_str(er)))
			continue;
		if (er != REG_OK) {
			T_OK(n == 9999 && out[0] == 'Z',
			    "%s: outputs untouched on failure", c->desc);
			continue;
		}
		T_OK(n == strlen(c->want) && memcmp(out, c->want, n) == 0 &&
		        out[n] == '\0',
		    "%s: text [%s]", c->desc, vis(c->want));
	}
}

/*
 * Every prefix that cuts into the root element is malformed; prefixes
 * that end before it (in the XML declaration's wake) are empty
 * documents or malformed, never a match.
 */
static void
test_truncated(void)
{
	static const char *const docs[] = { STS_OK, STS_ERR, IAM_LIST };
	size_t d, k, last, root, bad = 0;
	struct span sp;

	for (d = 0; d < nitems(docs); d++) {
		size_t len = strlen(docs[d]);
		const char *r = docs[d];

		T_OK(awsxml_check(docs[d], len) == REG_OK, "doc %zu is valid",
		    d);
		while ((r = strchr(r, '<')) != NULL && r[1] == '?')
			r++;
		root = r != NULL ? (size_t)(r - docs[d]) : 0;
		last = len;
		while (last > 0 && docs[d][last - 1] != '>')
			last--;
		for (k = 0; k < last; k++) {
			enum reg_err er = awsxml_element(docs[d], k,
			    "ErrorResponse/Error/Code", 0, &sp);

			if (k <= root ? er == REG_OK : er != REG_EINVAL) {
				if (bad++ < 5)
					(void)T_OK(false,
					    "doc %zu prefix %zu: got %s", d, k,
					    reg_err_str(er));
			}
		}
	}
	T_OK(bad == 0, "every cut prefix refused (%zu bad)", bad);
}

static void
test_caps(void)
{
	char deep[2 * 34 * 4 + 16], out[8], *big;
	size_t i, n = 0, len;
	struct span sp;

	/* depth: 32 open elements are fine, 33 are not */
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</a>");
	T_OK(awsxml_check(deep, n) == REG_OK, "depth 32 accepted");
	n = 0;
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</a>");
	T_OK(awsxml_check(deep, n) == REG_EINVAL, "depth 33 refused");

	/* output cap: exact fit needs len + 1 */
	memset(out, 'Z', sizeof(out));
	T_OK(awsxml_text("<a>1234567</a>", 14, "a", 0, out, 8, &n) == REG_OK &&
	        n == 7,
	    "7 bytes fit in 8");
	memset(out, 'Z', sizeof(out));
	T_OK(awsxml_text("<a>12345678</a>", 15, "a", 0, out, 8, &n) ==
	            REG_ETOOBIG &&
	        out[0] == 'Z',
	    "8 bytes do not fit in 8, out untouched");
	T_OK(awsxml_text("<a>&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;</a>", 47,
	         "a", 0, out, 8, &n) == REG_ETOOBIG,
	    "decoded length counts, not raw");

	/* name cap */
	big = malloc(AWSXML_MAX_DOC + 2);
	if (big == NULL)
		return;
	memset(big, 'n', 300);
	big[0] = '<';
	memcpy(big + 300, "/>", 2);
	T_OK(awsxml_check(big, 302) == REG_EINVAL, "299-byte name refused");

	/* document cap */
	len = AWSXML_MAX_DOC + 1;
	memset(big, ' ', len);
	T_OK(awsxml_check(big, len) == REG_ETOOBIG, "oversized document");
	T_OK(awsxml_element(big, len, "a", 0, &sp) == REG_ETOOBIG,
	    "oversized document (element)");
	T_OK(awsxml_check(big, len - 1) == REG_OK, "the cap itself is fine");
	free(big);

	/* path cap */
	T_OK(awsxml_element("<a/>", 4, "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", 0,
	         &sp) == REG_EINVAL,
	    "17 path components refused");
	T_OK(awsxml_element(NULL, 3, "a", 0, &sp) == REG_EINVAL,
	    "NULL document with a length");
	T_OK(awsxml_text("<a/>", 4, "a", 0, out, 0, &n) == REG_EINVAL,
	    "zero-size output");
}

/* awsxml_element then a relative query inside it. */
static void
test_fragment(void)
{
	struct span m;
	char out[32];
	size_t n;

	T_OK(awsxml_element(IAM_LIST, strlen(IAM_LIST),
	         "ListUsersResponse/ListUsersResult/Users/member", 1,
	         &m) == REG_OK,
	    "second member");
	T_OK(awsxml_text(m.p, m.len, "UserName", 0, out, sizeof(out), &n) ==
	        REG_ENOENT,
	    "second member has no UserName");
	T_OK(awsxml_text(m.p, m.len, "Path", 0, out, sizeof(out), &n) ==
	            REG_OK &&
	        strcmp(out, "/x/") == 0,
	    "second member's Path");
	T_OK(awsxml_element(STS_OK, strlen(STS_OK), CRED "AccessKeyId", 0,
	         &m) == REG_OK &&
	        m.len == 20 && memcmp(m.p, "ASIAEXAMPLE000000001", 20) == 0,
	    "element span is the raw inner content");
	T_OK(awsxml_element("<r><e/></r>", 11, "r/e", 0, &m) == REG_OK &&
	        m.len == 0,
	    "self-closing element has an empty span");
}

int
main(void)
{
	test_table();
	test_truncated();
	test_caps();
	test_fragment();
	return t_done();
}
