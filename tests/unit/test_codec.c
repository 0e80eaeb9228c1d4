/*
 * common/codec: hex and base64 codecs.  RFC 4648 section 10 vectors for
 * both base64 alphabets (padded standard, unpadded url) and base16, then
 * tables of inputs the strict decoders must refuse, then buffer sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/t.h"
#include "../../common/codec.h"

#define S(lit) lit, sizeof(lit) - 1

/* RFC 4648 section 10, plus bytes that differ between the alphabets. */
static const struct {
	const char *raw;
	size_t rawlen;
	const char *b64, *b64url, *hex;
} vectors[] = {
	{ S(""), "", "", "" },
	{ S("f"), "Zg==", "Zg", "66" },
	{ S("fo"), "Zm8=", "Zm8", "666f" },
	{ S("foo"), "Zm9v", "Zm9v", "666f6f" },
	{ S("foob"), "Zm9vYg==", "Zm9vYg", "666f6f62" },
	{ S("fooba"), "Zm9vYmE=", "Zm9vYmE", "666f6f6261" },
	{ S("foobar"), "Zm9vYmFy", "Zm9vYmFy", "666f6f626172" },
	{ S("\xfb\xff"), "+/8=", "-_8", "fbff" },
	{ S("\xfb\xff\xbf"), "+/+/", "-_-_", "fbffbf" },
	{ S("\x00"), "AA==", "AA", "00" },
	{ S("\x00\x00\x00"), "AAAA", "AAAA", "000000" },
	{ S("\xff\xff\xff\xff"), "/////w==", "_____w", "ffffffff" },
	{ S("\x14\xfb\x9c\x03\xd9\x7e"), "FPucA9l+", "FPucA9l-",
	    "14fb9c03d97e" },
	{ S("\x14\xfb\x9c\x03\xd9"), "FPucA9k=", "FPucA9k", "14fb9c03d9" },
	{ S("\x14\xfb\x9c\x03"), "FPucAw==", "FPucAw", "14fb9c03" },
};

static void
test_vectors(void)
{
	size_t i;

	for (i = 0; i < nitems(vectors); i++) {
		const unsigned char *raw =
		    (const unsigned char *)vectors[i].raw;
		size_t n = vectors[i].rawlen, outlen = 0;
		unsigned char dec[16];
		char enc[32];

		T_OK(b64_enclen(n) == strlen(vectors[i].b64) &&
		        b64url_enclen(n) == strlen(vectors[i].b64url),
		    "vector %zu: enclen", i);

		T_OK(b64_encode(raw, n, enc) == strlen(vectors[i].b64) &&
		        strcmp(enc, vectors[i].b64) == 0,
		    "vector %zu: b64_encode \"%s\"", i, enc);
		T_OK(b64url_encode(raw, n, enc) == strlen(vectors[i].b64url) &&
		        strcmp(enc, vectors[i].b64url) == 0,
		    "vector %zu: b64url_encode \"%s\"", i, enc);
		hex_encode(raw, n, enc);
		T_OK(strcmp(enc, vectors[i].hex) == 0,
		    "vector %zu: hex_encode \"%s\"", i, enc);

		T_OK(b64_decode(vectors[i].b64, strlen(vectors[i].b64), dec,
		         sizeof(dec), &outlen) == REG_OK &&
		        outlen == n && memcmp(dec, raw, n) == 0,
		    "vector %zu: b64_decode \"%s\"", i, vectors[i].b64);
		T_OK(b64url_decode(vectors[i].b64url, strlen(vectors[i].b64url),
		         dec, sizeof(dec), &outlen) == REG_OK &&
		        outlen == n && memcmp(dec, raw, n) == 0,
		    "vector %zu: b64url_decode \"%s\"", i, vectors[i].b64url);
		T_OK(hex_decode(vectors[i].hex, strlen(vectors[i].hex), dec,
		         n) &&
		        memcmp(dec, raw, n) == 0,
		    "vector %zu: hex_decode \"%s\"", i, vectors[i].hex);
	}
}

/* Every byte value through every codec and back. */
static void
test_roundtrip(void)
{
	unsigned char raw[256], dec[256];
	char enc[2 * sizeof(raw) + 1];
	size_t i, n, outlen;
	bool ok = true;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	for (n = 0; n <= sizeof(raw); n++) {
		hex_encode(raw, n, enc);
		if (!hex_decode(enc, 2 * n, dec, n) || memcmp(dec, raw, n) != 0)
			ok = T_OK(false, "hex round trip, %zu bytes", n);
		if (b64_encode(raw, n, enc) != b64_enclen(n) ||
		    b64_decode(enc, b64_enclen(n), dec, n, &outlen) != REG_OK ||
		    outlen != n || memcmp(dec, raw, n) != 0)
			ok = T_OK(false, "b64 round trip, %zu bytes", n);
		if (b64url_encode(raw, n, enc) != b64url_enclen(n) ||
		    b64url_decode(enc, b64url_enclen(n), dec, n, &outlen) !=
		        REG_OK ||
		    outlen != n || memcmp(dec, raw, n) != 0)
			ok = T_OK(false, "b64url round trip, %zu bytes", n);
	}
	T_OK(ok, "hex, b64, b64url round trips of 0..256 bytes");
}

/* Inputs each strict decoder must refuse with REG_EINVAL. */
struct bad {
	const char *in;
	size_t len;
};

static const struct bad bad_b64url[] = {
	{ S("Zg==") },             /* padding */
	{ S("Zg=") },              /* padding */
	{ S("Zm8=") },             /* padding */
	{ S("=") },                /* padding alone */
	{ S("====") },             /* padding alone */
	{ S("+/8") },              /* standard alphabet */
	{ S("Zm9v+A") },           /* '+' */
	{ S("Zm9v/A") },           /* '/' */
	{ S("Zm 9v") },            /* whitespace */
	{ S(" Zm9v") },            /* whitespace */
	{ S("Zm9v ") },            /* whitespace */
	{ S("Zm9v\n") },           /* newline */
	{ S("Zm9v\r\nZg") },       /* line break */
	{ S("Zm\tv") },            /* tab */
	{ S("Zm\0v") },            /* NUL */
	{ S("Zm9v\0") },           /* trailing NUL */
	{ S("QR") },               /* non-canonical: "QQ" is 'A' */
	{ S("Zh") },               /* non-canonical: "Zg" is 'f' */
	{ S("Zm9") },              /* non-canonical: "Zm8" is "fo" */
	{ S("AB") },               /* non-canonical: "AA" is 0x00 */
	{ S("AAB") },              /* non-canonical: "AAA" is 0x0000 */
	{ S("Z") },                /* length % 4 == 1 */
	{ S("Zm9vY") },            /* length % 4 == 1 */
	{ S("Zm9vYmFyZ") },        /* length % 4 == 1 */
	{ S("\xc3\xa9\xc3\xa9") }, /* non-ASCII */
	{ S("Zm9v.A") },           /* '.' */
	{ S("Zm9v@A") },           /* '@' ('A' - 1) */
	{ S("Zm9v[A") },           /* '[' ('Z' + 1) */
	{ S("Zm9v`A") },           /* '`' ('a' - 1) */
	{ S("Zm9v{A") },           /* '{' ('z' + 1) */
	{ S("Zm9v:A") },           /* ':' ('9' + 1) */
};

static const struct bad bad_b64[] = {
	{ S("Zg") },         /* padding missing */
	{ S("Zm8") },        /* padding missing */
	{ S("Zg=") },        /* short padding */
	{ S("Zg===") },      /* too much padding */
	{ S("Z===") },       /* three '=' */
	{ S("====") },       /* padding alone */
	{ S("=AAA") },       /* '=' first */
	{ S("Zg=a") },       /* data after '=' */
	{ S("Zm8=Zm8=") },   /* padding in the middle */
	{ S("Zm9v====") },   /* a whole group of padding */
	{ S("Zh==") },       /* non-canonical: "Zg==" is 'f' */
	{ S("Zm9=") },       /* non-canonical: "Zm8=" is "fo" */
	{ S("QR==") },       /* non-canonical */
	{ S("-_8=") },       /* url alphabet */
	{ S("Zm9v Zm9v") },  /* whitespace */
	{ S("Zm9v\nZm9v") }, /* newline */
	{ S("Zg==\n") },     /* trailing newline */
	{ S("Zm\0v") },      /* NUL */
	{ S("Z") },          /* length */
	{ S("Zm9vY") },      /* length */
};

static void
test_bad(void)
{
	unsigned char out[64];
	size_t i, outlen;

	for (i = 0; i < nitems(bad_b64url); i++) {
		outlen = 12345;
		T_OK(b64url_decode(bad_b64url[i].in, bad_b64url[i].len, out,
		         sizeof(out), &outlen) == REG_EINVAL &&
		        outlen == 12345,
		    "b64url refuses case %zu \"%.*s\"", i,
		    (int)bad_b64url[i].len, bad_b64url[i].in);
	}
	for (i = 0; i < nitems(bad_b64); i++) {
		outlen = 12345;
		T_OK(b64_decode(bad_b64[i].in, bad_b64[i].len, out, sizeof(out),
		         &outlen) == REG_EINVAL &&
		        outlen == 12345,
		    "b64 refuses case %zu \"%.*s\"", i, (int)bad_b64[i].len,
		    bad_b64[i].in);
	}
}

/* The url alphabet's two extra characters, alone. */
static void
test_url_alphabet(void)
{
	unsigned char out[4];
	size_t outlen = 0;

	T_OK(b64url_decode("__8", 3, out, sizeof(out), &outlen) == REG_OK &&
	        outlen == 2 && out[0] == 0xff && out[1] == 0xff,
	    "b64url \"__8\" is ff ff");
}

static const struct {
	const char *in;
	size_t len;
	size_t outlen;
} bad_hex[] = {
	{ S("6"), 1 },                  /* odd length */
	{ S("666"), 1 },                /* odd length */
	{ S("666f"), 1 },               /* longer than 2 * outlen */
	{ S("66"), 2 },                 /* shorter than 2 * outlen */
	{ S(""), 1 },                   /* empty */
	{ S("666F"), 2 },               /* upper case */
	{ S("AB"), 1 },                 /* upper case */
	{ S("0g"), 1 },                 /* 'f' + 1 */
	{ S("g0"), 1 }, { S("/0"), 1 }, /* '0' - 1 */
	{ S(":0"), 1 },                 /* '9' + 1 */
	{ S("`0"), 1 },                 /* 'a' - 1 */
	{ S("0x"), 1 }, { S(" 0"), 1 }, /* whitespace */
	{ S("0\n"), 1 },                /* newline */
	{ S("\0000"), 1 },              /* NUL */
	{ S("66 6f"), 2 },              /* separator */
	{ S("66:6f"), 2 },              /* separator */
	{ S("\xc3\xa9"), 1 },           /* non-ASCII */
};

static void
test_hex(void)
{
	unsigned char out[8];
	size_t i;

	for (i = 0; i < nitems(bad_hex); i++)
		T_OK(!hex_decode(bad_hex[i].in, bad_hex[i].len, out,
		         bad_hex[i].outlen),
		    "hex refuses case %zu \"%.*s\" into %zu", i,
		    (int)bad_hex[i].len, bad_hex[i].in, bad_hex[i].outlen);
	T_OK(hex_decode("", 0, out, 0), "hex \"\" into 0 bytes");
	T_OK(hex_decode("00ff7f80", 8, out, 4) && out[0] == 0x00 &&
	        out[1] == 0xff && out[2] == 0x7f && out[3] == 0x80,
	    "hex \"00ff7f80\"");
	/* the length bounds the read */
	T_OK(hex_decode("0a0b", 2, out, 1) && out[0] == 0x0a,
	    "hex reads only len bytes");
}

/* The output capacity: exact fits, one less is REG_ETOOBIG. */
static const struct {
	const char *in;
	bool url;
	size_t need;
} sizes[] = {
	{ "", true, 0 },
	{ "Zg", true, 1 },
	{ "Zm8", true, 2 },
	{ "Zm9v", true, 3 },
	{ "Zm9vYg", true, 4 },
	{ "Zm9vYmE", true, 5 },
	{ "Zm9vYmFy", true, 6 },
	{ "", false, 0 },
	{ "Zg==", false, 1 },
	{ "Zm8=", false, 2 },
	{ "Zm9v", false, 3 },
	{ "Zm9vYg==", false, 4 },
	{ "Zm9vYmE=", false, 5 },
	{ "Zm9vYmFy", false, 6 },
};

static enum reg_err
dec(bool url, const char *in, unsigned char *out, size_t outsz, size_t *outlen)
{
	if (url)
		return b64url_decode(in, strlen(in), out, outsz, outlen);
	return b64_decode(in, strlen(in), out, outsz, outlen);
}

static void
test_sizes(void)
{
	unsigned char out[8];
	size_t i, outlen;

	for (i = 0; i < nitems(sizes); i++) {
		const char *kind = sizes[i].url ? "b64url" : "b64";

		outlen = 999;
		T_OK(dec(sizes[i].url, sizes[i].in, out, sizes[i].need,
		         &outlen) == REG_OK &&
		        outlen == sizes[i].need,
		    "%s \"%s\" fits in %zu", kind, sizes[i].in, sizes[i].need);
		if (sizes[i].need == 0)
			continue;
		outlen = 999;
		T_OK(dec(sizes[i].url, sizes[i].in, out, sizes[i].need - 1,
		         &outlen) == REG_ETOOBIG &&
		        outlen == 999,
		    "%s \"%s\" into %zu is REG_ETOOBIG", kind, sizes[i].in,
		    sizes[i].need - 1);
	}
	/* REG_ETOOBIG must come before any byte is written */
	memset(out, 0x5a, sizeof(out));
	T_OK(b64url_decode("Zm9vYmFy", 8, out, 5, &outlen) == REG_ETOOBIG &&
	        out[0] == 0x5a,
	    "b64url: nothing written when the output is too small");
}

/* hex_decode read past len when 2*outlen wrapped (found by review) */
static void
test_hex_huge_outlen_no_overread(void)
{
	unsigned char out[4];
	char *in = malloc(1);

	if (in == NULL)
		return;
	in[0] = 'a';
	T_OK(!hex_decode(in, 0, out, SIZE_MAX / 2 + 1),
	    "hex: huge outlen refused without reading past the input");
	free(in);
}

int
main(void)
{
	test_hex_huge_outlen_no_overread();
	test_vectors();
	test_roundtrip();
	test_bad();
	test_url_alphabet();
	test_hex();
	test_sizes();
	return t_done();
}
