/*
 * storage/rec.h: the one value encoding of the LMDB state (internal to
 * storage/; no LMDB here, so unit tests and fuzzers can drive it alone).
 *
 * Every value is
 *
 *   magic 0xEC | format version 0x01 | record type (one ASCII letter)
 *   then the type's fields, in a fixed order, each one of:
 *     u8, bool   1 byte (bool must be 0 or 1)
 *     i64, u64   8 bytes, big-endian (i64 as two's complement)
 *     str        u16 big-endian length, then that many bytes; no NUL
 *                inside, and the length must fit the destination field
 *     bytes32    u16 length (must be 32), then 32 bytes
 *     blob       u32 big-endian length, the bytes, then one NUL byte
 *
 * and nothing after the last field.  Decoders check every length against
 * what is left and against the destination, and return REG_ESTORE on any
 * deviation (short, long, bad magic/version/type, bool > 1, unknown flag
 * bits, NUL inside a string); they never read past len, and write their
 * out-param only on success.  A new field means a new format version;
 * decoders of this version refuse anything else rather than guess.
 *
 * Encoders take records whose strings must be NUL-terminated inside their
 * arrays and within the field limits; otherwise they return 0 (the caller
 * turns that into REG_EINVAL).  On success they return the encoded length,
 * which never exceeds REC_MAX (the audit blob excepted).
 */
#ifndef REG_REC_H
#define REG_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "storage/store.h"

#define REC_MAGIC 0xEC
#define REC_V1 0x01
#define REC_HDR_LEN 3
#define REC_MAX 2048 /* bytes: bound on every fixed-shape record */

enum rec_type {
	REC_MODULE = 'M',  /* modules: display address */
	REC_VERSION = 'V', /* versions: struct version_rec */
	REC_GRANT = 'G',   /* grants: struct grant */
	REC_NS = 'N',      /* namespaces: public flag */
	REC_TOKEN = 'T',   /* api_tokens: struct api_token */
	REC_TOKNAME = 'K', /* api_token_names: hash of the token */
	REC_REPLAY = 'R',  /* replay: expiry */
	REC_AUDIT = 'A',   /* audit: JSON text */
};

size_t rec_enc_module(unsigned char *, size_t, const struct module_addr *);
enum reg_err rec_dec_module(const void *, size_t,
    struct module_addr *) REG_MUSTCHECK;

size_t rec_enc_version(unsigned char *, size_t, const struct version_rec *);
enum reg_err rec_dec_version(const void *, size_t,
    struct version_rec *) REG_MUSTCHECK;

size_t rec_enc_grant(unsigned char *, size_t, const struct grant *);
enum reg_err rec_dec_grant(const void *, size_t, struct grant *) REG_MUSTCHECK;

size_t rec_enc_ns(unsigned char *, size_t, bool pub);
enum reg_err rec_dec_ns(const void *, size_t, bool *pub) REG_MUSTCHECK;

size_t rec_enc_token(unsigned char *, size_t, const struct api_token *);
enum reg_err rec_dec_token(const void *, size_t,
    struct api_token *) REG_MUSTCHECK;

size_t rec_enc_tokname(unsigned char *, size_t, const unsigned char hash[32]);
enum reg_err rec_dec_tokname(const void *, size_t,
    unsigned char hash[32]) REG_MUSTCHECK;

size_t rec_enc_replay(unsigned char *, size_t, int64_t expires_at);
enum reg_err rec_dec_replay(const void *, size_t,
    int64_t *expires_at) REG_MUSTCHECK;

/* Encoded size of an audit record of len bytes; 0 when len is too big. */
size_t rec_audit_size(size_t len);
size_t rec_enc_audit(unsigned char *, size_t, const char *json, size_t len);
/*
 * *json: borrowed, points into the value (so it lives as long as the value)
 * and is followed by a NUL byte; *jlen excludes it.
 */
enum reg_err rec_dec_audit(const void *, size_t, const char **json,
    size_t *jlen) REG_MUSTCHECK;

#endif
