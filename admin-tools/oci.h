/*
 * admin-tools/oci.h: the project's OCI distribution push client.
 *
 * Reads an OCI image layout directory (as `buildah push IMG oci:DIR:TAG`
 * writes it), verifies every blob it will send (size and SHA-256), and
 * pushes the image to a registry that speaks the OCI distribution API
 * (CNCF distribution, ECR, ACR, GAR): GET /v2/, Basic or Bearer (token)
 * authentication from the WWW-Authenticate challenge, HEAD/mount/POST/PUT
 * per blob, then PUT of the manifest.  provisioning.md section 6 is the
 * algorithm.
 *
 * Invariants: a digest is "sha256:" and 64 lower-case hex digits, and it
 * is the only thing used to build a path inside the layout; nothing that
 * could hold a secret (password, token, Authorization header, query
 * string) is ever written to errbuf or passed to the log hook.
 *
 * The parsers (challenge, error body, token response, Location, index
 * and manifest JSON) take (pointer, length), need no NUL and are exported
 * for the unit tests and fuzz targets.
 */
#ifndef REG_OCI_H
#define REG_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

#define OCI_DIGEST_SIZE 72 /* "sha256:" + 64 hex + NUL */
#define OCI_MEDIA_MAX 127  /* a media type, without parameters */
#define OCI_REPO_MAX 255   /* repository name */
#define OCI_TAG_MAX 128
#define OCI_LAYOUT_FILE_MAX 4096           /* the oci-layout file */
#define OCI_INDEX_MAX ((size_t)1 << 20)    /* index.json */
#define OCI_MANIFEST_MAX ((size_t)4 << 20) /* one manifest */
#define OCI_LAYERS_MAX 1024
#define OCI_URL_MAX 4096 /* a Location, realm or built URL */

#define OCI_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_REF_NAME "org.opencontainers.image.ref.name"

/* ---- grammars --------------------------------------------------------- */

/* "sha256:" followed by exactly 64 lower-case hex digits. */
bool oci_digest_valid(const char *, size_t);
/*
 * Distribution repository name: components [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
 * joined by '/', at most OCI_REPO_MAX bytes.
 */
bool oci_repo_valid(const char *, size_t);
/* Tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
bool oci_tag_valid(const char *, size_t);
/* type "/" subtype of RFC 6838 restricted-name characters, no parameters,
 * at most OCI_MEDIA_MAX bytes. */
bool oci_media_valid(const char *, size_t);

/* ---- the image layout ------------------------------------------------- */

struct oci_desc {
	char media_type[OCI_MEDIA_MAX + 1];
	char digest[OCI_DIGEST_SIZE];
	uint64_t size;
};

struct oci_manifest {
	struct oci_desc config;
	struct oci_desc *layers; /* nlayers entries, owned */
	size_t nlayers;
};

struct oci_image {
	char *blobdir;            /* "<layout>/blobs/sha256", owned */
	struct oci_desc manifest; /* the descriptor from index.json */
	char *manifest_bytes;     /* exactly as stored (and sent); NUL after */
	size_t manifest_len;
	struct oci_manifest m;
};

/*
 * Pick one manifest descriptor from the bytes of index.json: the entry
 * whose org.opencontainers.image.ref.name annotation equals tag, or the
 * only entry when tag is NULL.  The descriptor is checked (digest
 * grammar, media type grammar, 0 < size <= OCI_MANIFEST_MAX) but not
 * its media type.  *out only on success.  REG_ETOOBIG (len over
 * OCI_INDEX_MAX), REG_EINVAL (not the index schema, several entries and
 * no tag, several entries with that tag, a bad descriptor), REG_ENOENT
 * (no entry has that tag).  errbuf (may be NULL) says why, for humans.
 */
enum reg_err oci_index_pick(const char *json, size_t len, const char *tag,
    struct oci_desc *out, char *errbuf, size_t errsz) REG_MUSTCHECK;

/*
 * Parse the bytes of an image manifest whose descriptor media type is
 * media_type (OCI_MT_OCI_MANIFEST or OCI_MT_DOCKER_MANIFEST): schemaVersion
 * 2, a mediaType member (when present) equal to media_type, a config
 * descriptor and at most OCI_LAYERS_MAX layer descriptors.  *out only on
 * success; release it with oci_manifest_release().  REG_EMEDIA (an index
 * or any other media type), REG_ETOOBIG, REG_EINVAL, REG_ENOMEM.
 */
enum reg_err oci_manifest_parse(const char *json, size_t len,
    const char *media_type, struct oci_manifest *out, char *errbuf,
    size_t errsz) REG_MUSTCHECK;
/* Frees the layers; NULL-safe, leaves an empty manifest. */
void oci_manifest_release(struct oci_manifest *);

/*
 * Read the layout directory dir (borrowed): oci-layout (version 1.0.0),
 * index.json, the manifest picked by tag (NULL: the only one), then the
 * config and every layer blob, each checked for size and SHA-256 before
 * anything is pushed.  Blob paths are built from the digest only; blobs
 * must be regular files (symbolic links are refused).
 * *out: new, free with oci_image_free().
 * REG_ENOENT (a missing file or blob, or no such tag), REG_EINVAL
 * (malformed JSON or descriptor, wrong layout version), REG_ETOOBIG,
 * REG_EMEDIA (an index/multi-arch image or unknown media type),
 * REG_EUNPROC (a blob whose size or digest does not match), REG_ESYS,
 * REG_ENOMEM, REG_ECRYPTO.  errbuf (may be NULL) gets a message.
 */
enum reg_err oci_layout_open(const char *dir, const char *tag,
    struct oci_image **out, char *errbuf, size_t errsz) REG_MUSTCHECK;
void oci_image_free(struct oci_image *);

/*
 * Open the blob of d (a descriptor of img) read-only.  *fd: new, close it
 * with close().  The file's size is checked against d->size.  REG_EINVAL
 * (bad digest), REG_ENOENT, REG_EUNPROC (size differs), REG_ESYS.
 */
enum reg_err oci_image_blob_open(const struct oci_image *img,
    const struct oci_desc *d, int *fd) REG_MUSTCHECK;

/* ---- WWW-Authenticate ------------------------------------------------- */

#define OCI_CHAL_MAX 8192       /* one header value */
#define OCI_CHAL_PARAMS_MAX 16  /* per challenge */
#define OCI_CHAL_NAME_MAX 32    /* parameter name */
#define OCI_CHAL_VALUE_MAX 2048 /* parameter value, unescaped */

enum oci_scheme { OCI_SCHEME_NONE = 0, OCI_SCHEME_BASIC, OCI_SCHEME_BEARER };

/* One challenge; parameters are kept as offsets into pool (copyable). */
struct oci_challenge {
	enum oci_scheme scheme;
	size_t nparams;
	struct {
		size_t name;  /* offset of the lower-cased, NUL-ended name */
		size_t value; /* offset of the unescaped, NUL-ended value */
		size_t value_len;
	} param[OCI_CHAL_PARAMS_MAX];
	size_t used;
	char pool[OCI_CHAL_MAX + 2 * OCI_CHAL_PARAMS_MAX];
};

/*
 * Parse one WWW-Authenticate header value (RFC 7235: 1#challenge, each
 * auth-scheme [1*SP (token68 / #auth-param)], values token or
 * quoted-string with quoted-pairs) strictly, and keep the Bearer
 * challenge if there is one, else the Basic one.  Names are lower-cased;
 * a name given twice in one challenge, a control or non-ASCII byte, an
 * unterminated quote or a missing "=" is an error.  A Bearer challenge
 * must carry a non-empty realm.  *out only on success.
 * REG_EINVAL (syntax), REG_ETOOBIG (over OCI_CHAL_MAX, _PARAMS_MAX,
 * _NAME_MAX or _VALUE_MAX), REG_ENOENT (well formed, but neither Basic
 * nor Bearer).
 */
enum reg_err oci_challenge_parse(const char *, size_t,
    struct oci_challenge *out) REG_MUSTCHECK;
/* Borrowed from ch, valid while ch is; NULL when absent / out of range. */
const char *oci_challenge_get(const struct oci_challenge *ch, const char *name);
const char *oci_challenge_name(const struct oci_challenge *ch, size_t i);
const char *oci_challenge_value(const struct oci_challenge *ch, size_t i);

/* ---- registry answers ------------------------------------------------- */

#define OCI_ERRBODY_MAX ((size_t)64 << 10)
#define OCI_ERRCODE_MAX 64
#define OCI_ERRMSG_MAX 255

/* The first entry of {"errors":[{"code","message","detail"}]}. */
struct oci_regerr {
	size_t nerrors;                   /* entries in the array */
	char code[OCI_ERRCODE_MAX + 1];   /* [A-Z0-9_]{1,64} */
	char message[OCI_ERRMSG_MAX + 1]; /* escaped, printable, maybe "" */
	char detail[OCI_ERRMSG_MAX + 1];  /* compact JSON, escaped, maybe "" */
};

/*
 * Parse a registry error body.  Text is escaped (log_escape) and
 * truncated with "..." to fit.  *out only on success.  REG_ETOOBIG (over
 * OCI_ERRBODY_MAX), REG_EINVAL (not that shape, no entries, a code
 * outside its grammar), REG_ENOMEM.
 */
enum reg_err oci_errbody_parse(const char *, size_t,
    struct oci_regerr *out) REG_MUSTCHECK;

#define OCI_TOKENRESP_MAX ((size_t)64 << 10)
#define OCI_TOKEN_MAX 16384
#define OCI_TOKEN_TTL_DEFAULT 60

/*
 * Parse a token endpoint answer: "token" or "access_token" (the first
 * non-empty one, in that order), an RFC 6750 b64token of at most
 * OCI_TOKEN_MAX bytes, and "expires_in" (a positive integer, default
 * OCI_TOKEN_TTL_DEFAULT).  On success *tok is new (wipe and free it with
 * oci_secret_free()) and *expires_in is set; nothing is written on
 * failure.  REG_ETOOBIG, REG_EINVAL, REG_ENOMEM.
 */
enum reg_err oci_token_parse(const char *, size_t, char **tok,
    int64_t *expires_in) REG_MUSTCHECK;
/* Wipe a NUL-terminated secret and free it; NULL-safe. */
void oci_secret_free(char *);

/*
 * The URL to use for an upload Location header value loc (loclen bytes)
 * received in answer to req_url: an absolute http(s) URL as is, an
 * absolute path ("/v2/...") on req_url's origin, or a relative path
 * against req_url's directory (no "." or ".." segments).  With digest
 * (NULL for none), "digest=sha256%3A<hex>" is appended after "&" when
 * loc already has a query, else after "?".  *out: new, free with free().
 * REG_EINVAL (empty, bytes outside 0x21-0x7e, a fragment, a
 * network-path "//" reference, a bad URL or digest), REG_ETOOBIG (over
 * OCI_URL_MAX), REG_EPERM (https downgraded to http), REG_ENOMEM.
 */
enum reg_err oci_location_join(const char *req_url, const char *loc,
    size_t loclen, const char *digest, char **out) REG_MUSTCHECK;

/*
 * Retry-After as delta-seconds (1 to 5 digits); false for anything else
 * (an HTTP-date included: the caller then uses its own backoff).
 */
bool oci_retry_after(const char *, size_t, unsigned int *secs);

/* ---- push ------------------------------------------------------------- */

/* Borrowed; NULL (or a NULL username) means anonymous. */
struct oci_creds {
	const char *username; /* no ':' (RFC 7617) */
	const char *password; /* never logged; the client wipes its copies */
};

/*
 * A request log line: "METHOD /path STATUS" (path without query; the
 * origin is prefixed for hosts other than the registry), or
 * "METHOD /path error: <transport error>".  Never a header or a secret.
 */
typedef void (*oci_log_fn)(void *arg, const char *line);

/*
 * Every pointer is borrowed for the duration of the call.  registry is a
 * base URL "https://host[:port]" (one trailing '/' allowed, no path);
 * plain http only for loopback hosts (127.0.0.0/8, localhost, [::1]).
 */
struct oci_push_opts {
	const char *registry;
	const char *repository;        /* e.g. "honua/acme/app" */
	const char *tag;               /* e.g. "v1" */
	const struct oci_creds *creds; /* NULL: anonymous */
	const char *ca_file;           /* NULL: system trust store */
	const char *mount_from; /* NULL, or a repository to mount blobs from */
	oci_log_fn log;         /* NULL: no request log */
	void *log_arg;
	unsigned int max_attempts; /* per request on 429/5xx/transport; 0: 4 */
	unsigned int backoff_ms;   /* first backoff step; 0: 1000 */
	long timeout_ms;           /* per small request; 0: 30000 */
	long blob_timeout_ms;      /* per blob upload; 0: 3600000 */
};

/* Zeroes opts (every default). */
void oci_push_opts_init(struct oci_push_opts *);

/*
 * Push img (borrowed) as opts->repository:opts->tag: authenticate
 * (GET /v2/, then Basic or a Bearer token from the challenge's realm for
 * scope repository:<name>:pull,push), push the config and every layer
 * that the registry does not have yet (mounting from opts->mount_from
 * when given), then PUT the manifest bytes.  A later 401 makes one token
 * refresh (for the scope challenged) and one retry; 429 and 5xx are
 * retried with backoff, honouring Retry-After.  digest_out gets the
 * manifest digest, checked against the registry's Docker-Content-Digest.
 * Needs fetch_global_init() first.
 * REG_EINVAL (bad options), REG_EAUTH (401, bad credentials),
 * REG_EPERM (403), REG_ENOENT (404), REG_ETOOBIG (413),
 * REG_EMEDIA (415), REG_EUNPROC (another 4xx, or a digest the registry
 * reported differently), REG_EUPSTREAM (transport errors, 5xx, 429 after
 * the last attempt), REG_ENOMEM, REG_ESYS, REG_ECRYPTO.  errbuf (may be
 * NULL) gets a one-line message naming the step, the HTTP status and the
 * registry's error code and message.
 */
enum reg_err oci_push_image(const struct oci_image *img,
    const struct oci_push_opts *opts, char digest_out[OCI_DIGEST_SIZE],
    char *errbuf, size_t errsz) REG_MUSTCHECK;

/* oci_layout_open(layout_dir, layout_tag) + oci_push_image(). */
enum reg_err oci_push_layout(const char *layout_dir, const char *layout_tag,
    const struct oci_push_opts *opts, char digest_out[OCI_DIGEST_SIZE],
    char *errbuf, size_t errsz) REG_MUSTCHECK;

#endif
