/*
 * auth/urlsig.c: archive URL signatures (see urlsig.h).
 *
 * Invariant: urlsig_verify returns REG_OK only when the three parameters,
 * parsed independently of their order, are exactly those urlsig_sign
 * produced for this path with a key of kr, and exp is still ahead.
 */
#include <stdio.h>
#include <string.h>

#include "auth/urlsig.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/num.h"
#include "common/span.h"

#define URLSIG_SIG_B64LEN 43
#define URLSIG_EXP_DIGITS 20
/* "archive\n" path "\n" exp "\n" kid */
#define URLSIG_MSG_MAX \
	(8 + URLSIG_PATH_MAX + 1 + URLSIG_EXP_DIGITS + 1 + KEYRING_KID_MAX)

enum { P_EXP, P_KID, P_SIG, P_N };
static const char *const urlsig_pname[P_N] = { "exp", "kid", "sig" };

/* '/' then printable ASCII without space; *len on success. */
static bool
path_ok(const char *path, size_t *len)
{
	size_t n, i;

	n = strnlen(path, URLSIG_PATH_MAX + 1);
	if (n == 0 || n > URLSIG_PATH_MAX || path[0] != '/')
		return false;
	for (i = 0; i < n; i++)
		if (path[i] < 0x21 || path[i] > 0x7e)
			return false;
	*len = n;
	return true;
}

/* HMAC(sub-key of k, "archive\n" path "\n" exp "\n" kid). */
static enum reg_err
urlsig_mac(const struct keyring_key *k, const char *path, size_t plen,
    const char *exp, size_t elen, unsigned char mac[CRYPTOW_SHA256_LEN])
{
	char msg[URLSIG_MSG_MAX + 1];
	int n;

	/* plen <= URLSIG_PATH_MAX and elen <= 20 were checked by callers */
	n = snprintf(msg, sizeof(msg), "archive\n%.*s\n%.*s\n%s", (int)plen,
	    path, (int)elen, exp, keyring_key_kid(k));
	if (n < 0 || (size_t)n >= sizeof(msg))
		return REG_EINVAL;
	return cryptow_hmac_sha256(keyring_key_subkey(k, KEYRING_ARCHIVE_URL),
	    KEYRING_KEY_LEN, msg, (size_t)n, mac);
}

enum reg_err
urlsig_sign(const struct keyring *kr, const char *path, int64_t exp,
    struct buf *out)
{
	const struct keyring_key *k = keyring_current(kr);
	unsigned char mac[CRYPTOW_SHA256_LEN];
	char q[URLSIG_QUERY_MAX], e[URLSIG_EXP_DIGITS + 2];
	char sig[URLSIG_SIG_B64LEN + 1];
	size_t plen;
	enum reg_err er;
	int n;

	if (!path_ok(path, &plen) || exp < 1 || exp > URLSIG_TIME_MAX)
		return REG_EINVAL;
	n = snprintf(e, sizeof(e), "%lld", (long long)exp);
	if (n < 1 || (size_t)n >= sizeof(e))
		return REG_EINVAL;
	er = urlsig_mac(k, path, plen, e, (size_t)n, mac);
	if (er != REG_OK)
		return er;
	(void)b64url_encode(mac, sizeof(mac), sig);
	n = snprintf(q, sizeof(q), "exp=%s&kid=%s&sig=%s", e,
	    keyring_key_kid(k), sig);
	if (n < 0 || (size_t)n >= sizeof(q))
		return REG_ETOOBIG;
	return buf_add(out, q, (size_t)n);
}

/*
 * Split the query into the three values.  Returns a static reason, or
 * NULL on success.
 */
static const char *
query_parse(const char *query, size_t qlen, struct span v[P_N])
{
	struct span q = span_make(query, qlen), part, name;
	bool seen[P_N] = { false, false, false }, more = true;
	int i;

	if (qlen == 0)
		return "missing signature";
	while (more) {
		more = span_split(&q, '&', &part);
		if (!span_split(&part, '=', &name) || name.len == 0)
			return "malformed query parameter";
		for (i = 0; i < P_N; i++)
			if (span_eq(name, urlsig_pname[i]))
				break;
		if (i == P_N)
			return "unknown query parameter";
		if (seen[i])
			return "duplicate query parameter";
		seen[i] = true;
		v[i] = part; /* what follows the '=' */
	}
	for (i = 0; i < P_N; i++)
		if (!seen[i])
			return "missing query parameter";
	return NULL;
}

/* 43 base64url characters: exactly 32 bytes. */
static bool
sig_decode(struct span sig, unsigned char mac[CRYPTOW_SHA256_LEN])
{
	size_t n;

	return sig.len == URLSIG_SIG_B64LEN &&
	    b64url_decode(sig.p, sig.len, mac, CRYPTOW_SHA256_LEN, &n) ==
	    REG_OK &&
	    n == CRYPTOW_SHA256_LEN;
}

/* exp: canonical decimal, ahead of now, not too far.  NULL when fine. */
static const char *
exp_check(struct span e, int64_t now)
{
	uint64_t exp;

	if (e.len == 0 || e.len > URLSIG_EXP_DIGITS || e.p[0] == '0' ||
	    num_parse_u64(e.p, e.len, 1, (uint64_t)URLSIG_TIME_MAX, &exp) !=
	        REG_OK)
		return "bad exp";
	if (now >= 0 && exp <= (uint64_t)now)
		return "link expired";
	if (now < 0 || exp - (uint64_t)now > URLSIG_MAX_TTL + URLSIG_SKEW)
		return "link expiry too far ahead";
	return NULL;
}

enum reg_err
urlsig_verify(const struct keyring *kr, const char *path, const char *query,
    size_t qlen, int64_t now, const char **why)
{
	unsigned char mac[CRYPTOW_SHA256_LEN], want[CRYPTOW_SHA256_LEN];
	const struct keyring_key *k;
	struct span v[P_N];
	const char *w = "ok";
	enum reg_err er = REG_EPERM;
	size_t plen;

	if (!path_ok(path, &plen)) {
		w = "bad archive path";
		goto out;
	}
	if (qlen > URLSIG_QUERY_MAX) {
		w = "query too long";
		goto out;
	}
	w = query_parse(query, qlen, v);
	if (w != NULL)
		goto out;
	w = exp_check(v[P_EXP], now);
	if (w != NULL)
		goto out;
	if (!keyring_kid_valid(v[P_KID].p, v[P_KID].len)) {
		w = "bad kid";
		goto out;
	}
	if (!sig_decode(v[P_SIG], mac)) {
		w = "bad signature encoding";
		goto out;
	}
	k = keyring_find(kr, v[P_KID].p, v[P_KID].len);
	if (k == NULL) {
		w = "unknown key id";
		er = REG_ENOENT;
		goto out;
	}
	er = urlsig_mac(k, path, plen, v[P_EXP].p, v[P_EXP].len, want);
	if (er != REG_OK) {
		w = "internal error";
		goto out;
	}
	er = REG_EPERM;
	if (!cryptow_memeq(mac, want, sizeof(mac))) {
		w = "bad signature";
		goto out;
	}
	w = "ok";
	er = REG_OK;
out:
	cryptow_wipe(want, sizeof(want));
	if (why != NULL)
		*why = w;
	return er;
}
