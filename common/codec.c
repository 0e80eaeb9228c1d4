/*
 * common/codec.c: strict hex and base64 codecs (see codec.h).
 */
#include <string.h>

#include "common/codec.h"

static const char hexdig[] = "0123456789abcdef";
static const char b64url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
hex_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	size_t i;

	if (len % 2 != 0 || len / 2 != outlen)
		return false;
	for (i = 0; i < outlen; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

size_t
b64url_enclen(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t
b64_enclen(size_t n)
{
	return (n + 2) / 3 * 4;
}

static size_t
b64_enc(const char *alpha, int pad, const unsigned char *in, size_t n,
    char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t
b64url_encode(const unsigned char *in, size_t n, char *out)
{
	return b64_enc(b64url_alpha, 0, in, n, out);
}

size_t
b64_encode(const unsigned char *in, size_t n, char *out)
{
	return b64_enc(b64_alpha, 1, in, n, out);
}

static int
b64_val(const char *alpha, char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = memchr(alpha, c, 64);
	return p == NULL ? -1 : (int)(p - alpha);
}

/* Decode unpadded groups; len % 4 must not be 1. */
static enum reg_err
b64_dec(const char *alpha, const char *in, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen)
{
	size_t i, o = 0, need;
	unsigned v = 0;
	int bits = 0;

	if (len % 4 == 1)
		return REG_EINVAL;
	need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	if (need > outsz)
		return REG_ETOOBIG;
	for (i = 0; i < len; i++) {
		int d = b64_val(alpha, in[i]);

		if (d < 0)
			return REG_EINVAL;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits & 0xff);
		}
	}
	/* non-canonical: leftover bits must be zero */
	if (bits > 0 && (v & ((1u << bits) - 1)) != 0)
		return REG_EINVAL;
	*outlen = o;
	return REG_OK;
}

enum reg_err
b64url_decode(const char *in, size_t len, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	return b64_dec(b64url_alpha, in, len, out, outsz, outlen);
}

enum reg_err
b64_decode(const char *in, size_t len, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	size_t pad = 0;

	if (len % 4 != 0)
		return REG_EINVAL;
	if (len >= 1 && in[len - 1] == '=')
		pad++;
	if (len >= 2 && in[len - 2] == '=')
		pad++;
	return b64_dec(b64_alpha, in, len - pad, out, outsz, outlen);
}
