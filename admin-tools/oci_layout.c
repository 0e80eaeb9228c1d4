/*
 * admin-tools/oci_layout.c: reading an OCI image layout directory
 * (image-spec image-layout.md): oci-layout, index.json and
 * blobs/sha256/<hex>.
 *
 * Invariant: a path inside the layout is built only from a digest that
 * matched "sha256:[0-9a-f]{64}", so nothing outside blobs/sha256/ is ever
 * opened; files are opened with O_NOFOLLOW and must be regular; every
 * blob handed to the pusher has been checked for size and SHA-256.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-tools/oci.h"
#include "admin-tools/oci_int.h"
#include "common/codec.h"
#include "common/cryptow.h"
#include "common/log.h"

#define OCI_READ_CHUNK 65536

/* Map errno from open(2) to our codes. */
static enum reg_err
open_err(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return REG_ENOENT;
	case ELOOP:
		return REG_EINVAL; /* a symbolic link, refused */
	case ENOMEM:
		return REG_ENOMEM;
	default:
		return REG_ESYS;
	}
}

/*
 * Read the regular file path (at most cap bytes) into a new buffer with
 * a NUL after the content.  what names the file in errbuf.
 */
static enum reg_err
read_small(const char *path, size_t cap, const char *what, char **out,
    size_t *outlen, char *errbuf, size_t errsz)
{
	struct stat st;
	char *p = NULL;
	size_t off = 0, size;
	enum reg_err er;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		er = open_err(errno);
		oci_seterr(errbuf, errsz, "%s: %s", what,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		er = REG_ESYS;
		oci_seterr(errbuf, errsz, "%s: %s", what, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		er = REG_EINVAL;
		oci_seterr(errbuf, errsz, "%s: not a regular file", what);
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > cap) {
		er = REG_ETOOBIG;
		oci_seterr(errbuf, errsz,
		    "%s: %lld bytes, over the limit of %zu", what,
		    (long long)st.st_size, cap);
		goto out;
	}
	size = (size_t)st.st_size;
	p = malloc(size + 1);
	if (p == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	while (off < size) {
		n = read(fd, p + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			er = REG_ESYS;
			oci_seterr(errbuf, errsz, "%s: %s", what,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	if (off != size) {
		er = REG_EINVAL;
		oci_seterr(errbuf, errsz, "%s: changed while being read", what);
		goto out;
	}
	p[off] = '\0';
	*out = p;
	*outlen = off;
	p = NULL;
	er = REG_OK;
out:
	free(p);
	if (fd >= 0)
		(void)close(fd);
	return er;
}

/* Untrusted text for a message, escaped into tmp. */
static const char *
esc(char *tmp, size_t tmpsz, const char *s, size_t n)
{
	return log_escape(tmp, tmpsz, s, n);
}

/*
 * A descriptor object: mediaType, digest (sha256 only) and size
 * (0..maxsize).  Other members (annotations, urls, platform, ...) are
 * allowed and ignored.
 */
static enum reg_err
desc_parse(json_t *o, uint64_t maxsize, const char *what, struct oci_desc *d,
    char *errbuf, size_t errsz)
{
	json_t *mt, *dg, *sz;
	char tmp[160];
	json_int_t v;

	if (!json_is_object(o)) {
		oci_seterr(errbuf, errsz, "%s: descriptor is not an object",
		    what);
		return REG_EINVAL;
	}
	mt = json_object_get(o, "mediaType");
	dg = json_object_get(o, "digest");
	sz = json_object_get(o, "size");
	if (!json_is_string(mt) ||
	    !oci_media_valid(json_string_value(mt), json_string_length(mt))) {
		oci_seterr(errbuf, errsz, "%s: missing or malformed mediaType",
		    what);
		return REG_EINVAL;
	}
	if (!json_is_string(dg) ||
	    !oci_digest_valid(json_string_value(dg), json_string_length(dg))) {
		oci_seterr(errbuf, errsz,
		    "%s: digest \"%s\" is not sha256:<64 lower-case hex>", what,
		    json_is_string(dg)
		        ? esc(tmp, sizeof(tmp), json_string_value(dg),
		              json_string_length(dg))
		        : "");
		return REG_EINVAL;
	}
	if (!json_is_integer(sz) || json_integer_value(sz) < 0) {
		oci_seterr(errbuf, errsz, "%s: missing or negative size", what);
		return REG_EINVAL;
	}
	v = json_integer_value(sz);
	if ((unsigned long long)v > maxsize) {
		oci_seterr(errbuf, errsz,
		    "%s: size %lld over the limit of %llu", what, (long long)v,
		    (unsigned long long)maxsize);
		return REG_ETOOBIG;
	}
	memset(d, 0, sizeof(*d));
	memcpy(d->media_type, json_string_value(mt), json_string_length(mt));
	memcpy(d->digest, json_string_value(dg), json_string_length(dg));
	d->size = (uint64_t)v;
	return REG_OK;
}

static bool
schema_v2(json_t *root)
{
	json_t *v = json_object_get(root, "schemaVersion");

	return json_is_integer(v) && json_integer_value(v) == 2;
}

/* The index's top level: schemaVersion 2, a manifests array. */
static json_t *
index_manifests(json_t *root)
{
	json_t *mt = json_object_get(root, "mediaType");
	json_t *mans = json_object_get(root, "manifests");

	if (!schema_v2(root) || !json_is_array(mans))
		return NULL;
	if (mt != NULL &&
	    (!json_is_string(mt) ||
	        strcmp(json_string_value(mt), OCI_MT_OCI_INDEX) != 0))
		return NULL;
	return mans;
}

/*
 * The entry of mans named tag (every entry's annotations checked), or
 * the only one when tag is NULL.  *pick borrowed from mans.
 */
static enum reg_err
index_select(json_t *mans, const char *tag, json_t **pick, char *errbuf,
    size_t errsz)
{
	size_t i, nmatch = 0;
	char tmp[160];
	json_t *e;

	if (tag == NULL && json_array_size(mans) != 1) {
		oci_seterr(errbuf, errsz,
		    "index.json: %zu manifests; name the one to push by tag",
		    json_array_size(mans));
		return json_array_size(mans) == 0 ? REG_ENOENT : REG_EINVAL;
	}
	json_array_foreach(mans, i, e)
	{
		json_t *ann = json_object_get(e, "annotations");
		json_t *ref = json_object_get(ann, OCI_REF_NAME);

		if (!json_is_object(e) ||
		    (ann != NULL && !json_is_object(ann)) ||
		    (ref != NULL && !json_is_string(ref))) {
			oci_seterr(errbuf, errsz,
			    "index.json: manifests[%zu] is malformed", i);
			return REG_EINVAL;
		}
		if (tag == NULL ||
		    (ref != NULL && strcmp(json_string_value(ref), tag) == 0)) {
			*pick = e;
			nmatch++;
		}
	}
	if (nmatch == 1)
		return REG_OK;
	(void)esc(tmp, sizeof(tmp), tag, strlen(tag));
	if (nmatch == 0) {
		oci_seterr(errbuf, errsz,
		    "index.json: no manifest named \"%s\"", tmp);
		return REG_ENOENT;
	}
	oci_seterr(errbuf, errsz, "index.json: %zu manifests are named \"%s\"",
	    nmatch, tmp);
	return REG_EINVAL;
}

enum reg_err
oci_index_pick(const char *json, size_t len, const char *tag,
    struct oci_desc *out, char *errbuf, size_t errsz)
{
	struct oci_desc d;
	json_error_t jerr;
	json_t *root = NULL, *mans, *pick = NULL;
	enum reg_err er = REG_EINVAL;

	if (json == NULL)
		goto out;
	if (len > OCI_INDEX_MAX) {
		er = REG_ETOOBIG;
		oci_seterr(errbuf, errsz, "index.json: over %zu bytes",
		    OCI_INDEX_MAX);
		goto out;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		oci_seterr(errbuf, errsz, "index.json: %s",
		    root == NULL ? jerr.text : "not an object");
		goto out;
	}
	mans = index_manifests(root);
	if (mans == NULL) {
		oci_seterr(errbuf, errsz,
		    "index.json: not an image index (schemaVersion 2, "
		    "manifests array)");
		goto out;
	}
	er = index_select(mans, tag, &pick, errbuf, errsz);
	if (er != REG_OK)
		goto out;
	er = desc_parse(pick, OCI_MANIFEST_MAX, "index.json: manifest", &d,
	    errbuf, errsz);
	if (er != REG_OK)
		goto out;
	if (d.size == 0) {
		er = REG_EINVAL;
		oci_seterr(errbuf, errsz, "index.json: manifest of size 0");
		goto out;
	}
	*out = d;
out:
	json_decref(root);
	return er;
}

static bool
is_manifest_type(const char *mt)
{
	return strcmp(mt, OCI_MT_OCI_MANIFEST) == 0 ||
	    strcmp(mt, OCI_MT_DOCKER_MANIFEST) == 0;
}

static bool
is_index_type(const char *mt)
{
	return strcmp(mt, OCI_MT_OCI_INDEX) == 0 ||
	    strcmp(mt, OCI_MT_DOCKER_LIST) == 0;
}

/* Refuse what we cannot push, with a message naming it. */
static enum reg_err
check_manifest_type(const char *mt, char *errbuf, size_t errsz)
{
	char tmp[160];

	if (is_manifest_type(mt))
		return REG_OK;
	if (is_index_type(mt))
		oci_seterr(errbuf, errsz,
		    "%s is an image index (multi-arch image); only single "
		    "image manifests can be pushed for now",
		    mt);
	else
		oci_seterr(errbuf, errsz, "unsupported manifest media type %s",
		    esc(tmp, sizeof(tmp), mt, strlen(mt)));
	return REG_EMEDIA;
}

void
oci_manifest_release(struct oci_manifest *m)
{
	if (m == NULL)
		return;
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

/* A "mediaType" member, when there is one, must say media_type. */
static bool
manifest_mt_ok(json_t *root, const char *media_type)
{
	json_t *mt = json_object_get(root, "mediaType");

	if (mt == NULL)
		return strcmp(media_type, OCI_MT_DOCKER_MANIFEST) != 0;
	return json_is_string(mt) &&
	    strcmp(json_string_value(mt), media_type) == 0;
}

/* The layers array into m->layers (new). */
static enum reg_err
layers_parse(json_t *layers, struct oci_manifest *m, char *errbuf, size_t errsz)
{
	enum reg_err er;
	char what[48];
	json_t *e;
	size_t i;

	if (!json_is_array(layers)) {
		oci_seterr(errbuf, errsz, "manifest: no layers array");
		return REG_EINVAL;
	}
	if (json_array_size(layers) > OCI_LAYERS_MAX) {
		oci_seterr(errbuf, errsz, "manifest: %zu layers, over %d",
		    json_array_size(layers), OCI_LAYERS_MAX);
		return REG_ETOOBIG;
	}
	m->nlayers = json_array_size(layers);
	m->layers = calloc(m->nlayers > 0 ? m->nlayers : 1, sizeof(*m->layers));
	if (m->layers == NULL)
		return REG_ENOMEM;
	json_array_foreach(layers, i, e)
	{
		(void)snprintf(what, sizeof(what), "manifest: layers[%zu]", i);
		er = desc_parse(e, INT64_MAX, what, &m->layers[i], errbuf,
		    errsz);
		if (er != REG_OK)
			return er;
	}
	return REG_OK;
}

enum reg_err
oci_manifest_parse(const char *json, size_t len, const char *media_type,
    struct oci_manifest *out, char *errbuf, size_t errsz)
{
	struct oci_manifest m;
	json_error_t jerr;
	json_t *root = NULL;
	enum reg_err er = REG_EINVAL;

	memset(&m, 0, sizeof(m));
	if (json == NULL || media_type == NULL)
		goto out;
	er = check_manifest_type(media_type, errbuf, errsz);
	if (er != REG_OK)
		goto out;
	er = REG_EINVAL;
	if (len > OCI_MANIFEST_MAX) {
		er = REG_ETOOBIG;
		oci_seterr(errbuf, errsz, "manifest: over %zu bytes",
		    OCI_MANIFEST_MAX);
		goto out;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		oci_seterr(errbuf, errsz, "manifest: %s",
		    root == NULL ? jerr.text : "not an object");
		goto out;
	}
	if (!schema_v2(root)) {
		oci_seterr(errbuf, errsz, "manifest: schemaVersion is not 2");
		goto out;
	}
	if (!manifest_mt_ok(root, media_type)) {
		oci_seterr(errbuf, errsz,
		    "manifest: mediaType differs from its descriptor's %s",
		    media_type);
		goto out;
	}
	er = desc_parse(json_object_get(root, "config"), INT64_MAX,
	    "manifest: config", &m.config, errbuf, errsz);
	if (er == REG_OK)
		er = layers_parse(json_object_get(root, "layers"), &m, errbuf,
		    errsz);
	if (er != REG_OK)
		goto out;
	*out = m;
	memset(&m, 0, sizeof(m));
out:
	oci_manifest_release(&m);
	json_decref(root);
	return er;
}

void
oci_image_free(struct oci_image *img)
{
	if (img == NULL)
		return;
	free(img->blobdir);
	free(img->manifest_bytes);
	oci_manifest_release(&img->m);
	free(img);
}

static enum reg_err
blob_path(const struct oci_image *img, const char *digest, char *out,
    size_t outsz)
{
	int n;

	if (!oci_digest_valid(digest, strlen(digest)))
		return REG_EINVAL;
	n = snprintf(out, outsz, "%s/%s", img->blobdir, digest + 7);
	if (n < 0 || (size_t)n >= outsz)
		return REG_ETOOBIG;
	return REG_OK;
}

enum reg_err
oci_image_blob_open(const struct oci_image *img, const struct oci_desc *d,
    int *fdp)
{
	char path[PATH_MAX];
	struct stat st;
	enum reg_err er;
	int fd = -1;

	er = blob_path(img, d->digest, path, sizeof(path));
	if (er != REG_OK)
		goto out;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		er = open_err(errno);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		er = REG_ESYS;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		er = REG_EINVAL;
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size != d->size) {
		er = REG_EUNPROC;
		goto out;
	}
	*fdp = fd;
	fd = -1;
out:
	if (fd >= 0)
		(void)close(fd);
	return er;
}

/* Hex SHA-256 of data, compared with a "sha256:" digest. */
static enum reg_err
digest_matches(const void *data, size_t len, const char *digest, bool *ok)
{
	char hex[CRYPTOW_SHA256_HEXLEN + 1];
	enum reg_err er;

	er = cryptow_sha256_hex(data, len, hex);
	if (er != REG_OK)
		return er;
	*ok = strcmp(hex, digest + 7) == 0;
	return REG_OK;
}

static const char *
blob_open_why(enum reg_err er)
{
	switch (er) {
	case REG_ENOENT:
		return "missing from blobs/sha256";
	case REG_EUNPROC:
		return "size differs from its descriptor";
	case REG_EINVAL:
		return "not a regular file (symbolic links are refused)";
	default:
		return reg_err_str(er);
	}
}

/* Stream the blob of d through SHA-256 and compare. */
static enum reg_err
verify_blob(const struct oci_image *img, const struct oci_desc *d,
    const char *what, char *errbuf, size_t errsz)
{
	unsigned char md[CRYPTOW_SHA256_LEN];
	char hex[CRYPTOW_SHA256_HEXLEN + 1];
	struct cryptow_hash *h = NULL;
	unsigned char *chunk = NULL;
	uint64_t total = 0;
	enum reg_err er;
	ssize_t n;
	int fd = -1;

	er = oci_image_blob_open(img, d, &fd);
	if (er != REG_OK) {
		oci_seterr(errbuf, errsz, "%s blob %s: %s", what, d->digest,
		    blob_open_why(er));
		goto out;
	}
	chunk = malloc(OCI_READ_CHUNK);
	if (chunk == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	er = cryptow_hash_new(&h);
	if (er != REG_OK)
		goto out;
	for (;;) {
		n = read(fd, chunk, OCI_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			er = REG_ESYS;
			oci_seterr(errbuf, errsz, "%s blob %s: %s", what,
			    d->digest, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		er = cryptow_hash_update(h, chunk, (size_t)n);
		if (er != REG_OK)
			goto out;
	}
	er = cryptow_hash_final(h, md);
	if (er != REG_OK)
		goto out;
	hex_encode(md, sizeof(md), hex);
	if (total != d->size || strcmp(hex, d->digest + 7) != 0) {
		er = REG_EUNPROC;
		oci_seterr(errbuf, errsz,
		    "%s blob %s: content does not match its digest", what,
		    d->digest);
		goto out;
	}
out:
	cryptow_hash_free(h);
	free(chunk);
	if (fd >= 0)
		(void)close(fd);
	return er;
}

/* oci-layout must be {"imageLayoutVersion": "1.0.0"} (other keys allowed). */
static enum reg_err
check_layout_file(const char *dir, char *errbuf, size_t errsz)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *root = NULL, *v;
	char *data = NULL;
	size_t len;
	enum reg_err er;
	int n;

	n = snprintf(path, sizeof(path), "%s/oci-layout", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		er = REG_ETOOBIG;
		oci_seterr(errbuf, errsz, "layout path too long");
		goto out;
	}
	er = read_small(path, OCI_LAYOUT_FILE_MAX, "oci-layout", &data, &len,
	    errbuf, errsz);
	if (er != REG_OK)
		goto out;
	er = REG_EINVAL;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	v = json_object_get(root, "imageLayoutVersion");
	if (!json_is_string(v) || strcmp(json_string_value(v), "1.0.0") != 0) {
		oci_seterr(errbuf, errsz,
		    "oci-layout: imageLayoutVersion is not \"1.0.0\"");
		goto out;
	}
	er = REG_OK;
out:
	json_decref(root);
	free(data);
	return er;
}

/* Read the manifest blob of img->manifest and check size and digest. */
static enum reg_err
read_manifest(struct oci_image *img, char *errbuf, size_t errsz)
{
	char path[PATH_MAX];
	enum reg_err er;
	bool ok = false;

	er = blob_path(img, img->manifest.digest, path, sizeof(path));
	if (er != REG_OK)
		return er;
	er = read_small(path, OCI_MANIFEST_MAX, "manifest blob",
	    &img->manifest_bytes, &img->manifest_len, errbuf, errsz);
	if (er == REG_ENOENT)
		oci_seterr(errbuf, errsz,
		    "manifest blob %s: missing from blobs/sha256",
		    img->manifest.digest);
	if (er != REG_OK)
		return er;
	er = digest_matches(img->manifest_bytes, img->manifest_len,
	    img->manifest.digest, &ok);
	if (er != REG_OK)
		return er;
	if (img->manifest_len != img->manifest.size || !ok) {
		oci_seterr(errbuf, errsz,
		    "manifest blob %s: content does not match its %s",
		    img->manifest.digest,
		    img->manifest_len != img->manifest.size ? "size"
		                                            : "digest");
		return REG_EUNPROC;
	}
	return REG_OK;
}

enum reg_err
oci_layout_open(const char *dir, const char *tag, struct oci_image **out,
    char *errbuf, size_t errsz)
{
	struct oci_image *img = NULL;
	char path[PATH_MAX], what[32];
	char *index = NULL;
	size_t len, i;
	enum reg_err er = REG_EINVAL;
	int n;

	if (dir == NULL || dir[0] == '\0') {
		oci_seterr(errbuf, errsz, "no layout directory");
		goto out;
	}
	if (tag != NULL && !oci_tag_valid(tag, strlen(tag))) {
		oci_seterr(errbuf, errsz, "layout tag is not a valid tag");
		goto out;
	}
	er = check_layout_file(dir, errbuf, errsz);
	if (er != REG_OK)
		goto out;
	img = calloc(1, sizeof(*img));
	n = snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	if (n < 0 || (size_t)n >= sizeof(path) - 1 - CRYPTOW_SHA256_HEXLEN) {
		er = REG_ETOOBIG;
		oci_seterr(errbuf, errsz, "layout path too long");
		goto out;
	}
	if (img != NULL)
		img->blobdir = strdup(path);
	if (img == NULL || img->blobdir == NULL) {
		er = REG_ENOMEM;
		goto out;
	}
	(void)snprintf(path, sizeof(path), "%s/index.json", dir);
	er = read_small(path, OCI_INDEX_MAX, "index.json", &index, &len, errbuf,
	    errsz);
	if (er == REG_OK)
		er = oci_index_pick(index, len, tag, &img->manifest, errbuf,
		    errsz);
	if (er == REG_OK)
		er = check_manifest_type(img->manifest.media_type, errbuf,
		    errsz);
	if (er == REG_OK)
		er = read_manifest(img, errbuf, errsz);
	if (er == REG_OK)
		er = oci_manifest_parse(img->manifest_bytes, img->manifest_len,
		    img->manifest.media_type, &img->m, errbuf, errsz);
	if (er == REG_OK)
		er = verify_blob(img, &img->m.config, "config", errbuf, errsz);
	for (i = 0; er == REG_OK && i < img->m.nlayers; i++) {
		(void)snprintf(what, sizeof(what), "layer %zu", i + 1);
		er = verify_blob(img, &img->m.layers[i], what, errbuf, errsz);
	}
	if (er != REG_OK)
		goto out;
	*out = img;
	img = NULL;
out:
	free(index);
	oci_image_free(img);
	return er;
}
