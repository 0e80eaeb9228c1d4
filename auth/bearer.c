/*
 * auth/bearer.c: reg1 bearer tokens (see bearer.h).
 *
 * Invariant: bearer_verify returns REG_OK only for a token whose mac was
 * made with the token sub-key of the kid it names, whose payload is
 * exactly the schema, and whose times are in range at now.  Nothing that
 * failed a check is copied to the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/bearer.h"
#include "common/codec.h"
#include "common/cryptow.h"

#define BEARER_PREFIX_LEN 5
#define BEARER_MAC_LEN CRYPTOW_SHA256_LEN
#define BEARER_MAC_B64LEN 43
#define BEARER_NKEYS 9
/* Decoded payload bound: what fits in BEARER_MAX_LEN. */
#define BEARER_PAYLOAD_MAX 1536

/* Printable ASCII without space, length in [min, max]. */
static bool
claim_str_ok(const char *s, size_t len, size_t min, size_t max)
{
	size_t i;

	if (len < min || len > max)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

/* A NUL-terminated field of a caller's claims, within its buffer. */
static bool
claim_field_ok(const char *s, size_t bufsz, size_t min)
{
	size_t len = strnlen(s, bufsz);

	return len < bufsz && claim_str_ok(s, len, min, bufsz - 1);
}

enum reg_err
bearer_issue(const struct keyring *kr, struct bearer_claims *cl, int64_t now,
    int64_t ttl, char **token_out)
{
	const struct keyring_key *k = keyring_current(kr);
	unsigned char rnd[16], mac[BEARER_MAC_LEN];
	char jti[BEARER_JTI_LEN + 1];
	json_t *o = NULL;
	char *js = NULL, *tok = NULL;
	size_t jlen, need = 0, off;
	json_int_t jiat, jexp;
	int64_t exp;
	enum reg_err er;

	if (!claim_field_ok(cl->sub, sizeof(cl->sub), 1) ||
	    !claim_field_ok(cl->arn, sizeof(cl->arn), 0) ||
	    !claim_field_ok(cl->ses, sizeof(cl->ses), 0) ||
	    !claim_field_ok(cl->uid, sizeof(cl->uid), 0) || ttl < 1 ||
	    ttl > BEARER_MAX_TTL || now < 0 || now > BEARER_TIME_MAX - ttl)
		return REG_EINVAL;
	er = cryptow_random(rnd, sizeof(rnd));
	if (er != REG_OK)
		goto out;
	hex_encode(rnd, sizeof(rnd), jti);

	er = REG_ENOMEM;
	exp = now + ttl;
	jiat = now;
	jexp = exp;
	o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "v", 1,
	    "kid", keyring_key_kid(k), "sub", cl->sub, "arn", cl->arn, "ses",
	    cl->ses, "uid", cl->uid, "iat", jiat, "exp", jexp, "jti", jti);
	if (o == NULL)
		goto out;
	js = json_dumps(o, JSON_COMPACT);
	if (js == NULL)
		goto out;
	jlen = strlen(js);
	if (jlen > BEARER_PAYLOAD_MAX) {
		er = REG_ETOOBIG;
		goto out;
	}
	need = BEARER_PREFIX_LEN + b64url_enclen(jlen) + 1 + BEARER_MAC_B64LEN;
	if (need > BEARER_MAX_LEN) {
		er = REG_ETOOBIG;
		goto out;
	}
	tok = malloc(need + 1);
	if (tok == NULL)
		goto out;
	memcpy(tok, BEARER_PREFIX, BEARER_PREFIX_LEN);
	off = BEARER_PREFIX_LEN;
	off += b64url_encode((const unsigned char *)js, jlen, tok + off);
	er = cryptow_hmac_sha256(keyring_key_subkey(k, KEYRING_TOKEN),
	    KEYRING_KEY_LEN, tok, off, mac);
	if (er != REG_OK)
		goto out;
	tok[off++] = '.';
	(void)b64url_encode(mac, sizeof(mac), tok + off);

	(void)snprintf(cl->kid, sizeof(cl->kid), "%s", keyring_key_kid(k));
	memcpy(cl->jti, jti, sizeof(jti));
	cl->iat = now;
	cl->exp = exp;
	*token_out = tok;
	tok = NULL;
	er = REG_OK;
out:
	cryptow_wipe(mac, sizeof(mac));
	if (tok != NULL) {
		cryptow_wipe(tok, need + 1);
		free(tok);
	}
	free(js);
	json_decref(o);
	return er;
}

/* Copy string claim name of o into dst (bufsz bytes) if it is valid. */
static bool
get_str(const json_t *o, const char *name, char *dst, size_t bufsz, size_t min)
{
	const json_t *v = json_object_get(o, name);
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	len = json_string_length(v);
	if (len >= bufsz || !claim_str_ok(s, len, min, bufsz - 1))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

static bool
get_time(const json_t *o, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(o, name);
	json_int_t t;

	if (!json_is_integer(v))
		return false;
	t = json_integer_value(v);
	if (t < 0 || t > BEARER_TIME_MAX)
		return false;
	*out = (int64_t)t;
	return true;
}

static bool
is_lower_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The exact schema of an authenticated payload. */
static bool
claims_parse(const json_t *o, const char *kid, struct bearer_claims *c)
{
	const json_t *v;

	if (json_object_size(o) != BEARER_NKEYS)
		return false;
	v = json_object_get(o, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return false;
	if (!get_str(o, "kid", c->kid, sizeof(c->kid), 1) ||
	    strcmp(c->kid, kid) != 0)
		return false;
	if (!get_str(o, "sub", c->sub, sizeof(c->sub), 1) ||
	    !get_str(o, "arn", c->arn, sizeof(c->arn), 0) ||
	    !get_str(o, "ses", c->ses, sizeof(c->ses), 0) ||
	    !get_str(o, "uid", c->uid, sizeof(c->uid), 0) ||
	    !get_str(o, "jti", c->jti, sizeof(c->jti), BEARER_JTI_LEN) ||
	    !is_lower_hex(c->jti, BEARER_JTI_LEN))
		return false;
	return get_time(o, "iat", &c->iat) && get_time(o, "exp", &c->exp);
}

/*
 * "reg1." payload "." mac: the prefix, the length, exactly three parts, a
 * mac of 32 bytes.  Sets *plen (payload length) and mac; returns NULL, or
 * a static reason.
 */
static const char *
token_split(const char *tok, size_t len, size_t *plen,
    unsigned char mac[BEARER_MAC_LEN])
{
	const char *body, *dot;
	size_t blen, n;

	if (len > BEARER_MAX_LEN)
		return "token too long";
	if (len < BEARER_PREFIX_LEN ||
	    memcmp(tok, BEARER_PREFIX, BEARER_PREFIX_LEN) != 0)
		return "not a reg1 token";
	body = tok + BEARER_PREFIX_LEN;
	blen = len - BEARER_PREFIX_LEN;
	dot = memchr(body, '.', blen);
	if (dot == NULL)
		return "token has no mac part";
	*plen = (size_t)(dot - body);
	if (memchr(dot + 1, '.', blen - *plen - 1) != NULL)
		return "token has more than three parts";
	if (b64url_decode(dot + 1, blen - *plen - 1, mac, BEARER_MAC_LEN, &n) !=
	        REG_OK ||
	    n != BEARER_MAC_LEN)
		return "mac is not 32 bytes of base64url";
	if (*plen == 0)
		return "payload is not base64url";
	return NULL;
}

/* Decode the payload and parse it as a JSON object (*out: new ref). */
static const char *
payload_load(const char *b64, size_t len, json_t **out)
{
	unsigned char payload[BEARER_PAYLOAD_MAX];
	json_error_t jerr;
	json_t *o;
	size_t n;

	if (b64url_decode(b64, len, payload, sizeof(payload), &n) != REG_OK)
		return "payload is not base64url";
	o = json_loadb((const char *)payload, n, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL)
		return "payload is not valid json";
	if (!json_is_object(o)) {
		json_decref(o);
		return "payload is not a json object";
	}
	*out = o;
	return NULL;
}

/* The time rules of an authenticated token at now. */
static const char *
claims_times(const struct bearer_claims *c, int64_t now)
{
	/* 0 <= iat, exp <= BEARER_TIME_MAX: no overflow below */
	if (c->exp <= c->iat || c->exp - c->iat > BEARER_MAX_TTL)
		return "token lifetime out of range";
	if (c->iat - BEARER_SKEW > now)
		return "token issued in the future";
	if (c->exp <= now)
		return "token expired";
	return NULL;
}

enum reg_err
bearer_verify(const struct keyring *kr, const char *tok, size_t len,
    int64_t now, struct bearer_claims *out, const char **why)
{
	unsigned char mac[BEARER_MAC_LEN], want[BEARER_MAC_LEN];
	const struct keyring_key *k;
	struct bearer_claims c;
	const char *w;
	size_t plen = 0;
	json_t *o = NULL;
	const json_t *kidv;
	enum reg_err er = REG_EAUTH;

	w = token_split(tok, len, &plen, mac);
	if (w != NULL)
		goto out;
	w = payload_load(tok + BEARER_PREFIX_LEN, plen, &o);
	if (w != NULL)
		goto out;
	kidv = json_object_get(o, "kid");
	if (!json_is_string(kidv)) {
		w = "payload has no kid";
		goto out;
	}
	k = keyring_find(kr, json_string_value(kidv), json_string_length(kidv));
	if (k == NULL) {
		w = "unknown key id";
		er = REG_ENOENT;
		goto out;
	}
	er = cryptow_hmac_sha256(keyring_key_subkey(k, KEYRING_TOKEN),
	    KEYRING_KEY_LEN, tok, BEARER_PREFIX_LEN + plen, want);
	if (er != REG_OK) {
		w = "internal error";
		goto out;
	}
	er = REG_EAUTH;
	if (!cryptow_memeq(want, mac, sizeof(mac))) {
		w = "bad mac";
		goto out;
	}
	memset(&c, 0, sizeof(c));
	if (!claims_parse(o, keyring_key_kid(k), &c)) {
		w = "claims do not match the schema";
		goto out;
	}
	w = claims_times(&c, now);
	if (w != NULL)
		goto out;
	*out = c;
	w = "ok";
	er = REG_OK;
out:
	cryptow_wipe(want, sizeof(want));
	json_decref(o);
	if (why != NULL)
		*why = w;
	return er;
}
