#!/bin/bash
# tests/integration/t_registry.sh O: the registry end to end with real
# nginx, registryd, LMDB, curl and the real terraform CLI.
#   - protocol: discovery, versions, download, archives, listing, search
#   - publish: 201/200/409, every bad input with its status and message
#   - auth: 401/403 rules, tokens in query strings, Authorization syntax
#   - terraform init (spec/terraform-protocols.md section 9 recipe)
#   - faults: concurrent publishes, SIGKILL mid-publish, LMDB map full,
#     expired links, tampered archives (checksum verification)
#   - no request of the whole suite is answered 500 (nginx access log)
set -u
O=${1:?usage: t_registry.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"

T=$(mktemp -d /tmp/regit.XXXXXX)
STACK_SRC=$SRC
STACK_BIN=$SRC/$O/bin
STACK_STATE=$T/state
STACK_PORT=$(free_port)
STACK_MAX_BODY=1m
STACK_REGD_CONF_EXTRA="archive_url_ttl = 600"
export STACK_SRC STACK_BIN STACK_STATE STACK_PORT STACK_MAX_BODY
. "$SRC/nginx/stack.sh"

cleanup() {
	stack_stop
	[ -n "${EXTRA_PIDS:-}" ] && for p in $EXTRA_PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ADMIN=$STACK_BIN/registry-admin
PERM=$STACK_BIN/manage-registry-permissions

if ! stack_setup || ! stack_start; then
	fail "stack starts" "see $T"
	t_summary
	exit 1
fi
pass "stack starts (registryd + nginx on $STACK_URL)"

tok() { "$ADMIN" --state "$STACK_STATE" token create "$@" 2>/dev/null; }
grant() { "$PERM" --state "$STACK_STATE" "$@" >/dev/null 2>&1; }
ADMIN_TOK=$(tok admin --grant-all)
READER_TOK=$(tok reader)
UPLOADER_TOK=$(tok uploader)
NOGRANT_TOK=$(tok nogrant)
OTHER_TOK=$(tok other)
grant -r token:reader -n acme create -d
grant -r token:uploader -n acme create -d -u
grant -r token:other -n beta create -d -u
AUTH_ADMIN="Authorization: Bearer $ADMIN_TOK"
AUTH_READER="Authorization: Bearer $READER_TOK"
AUTH_UP="Authorization: Bearer $UPLOADER_TOK"
AUTH_NOGRANT="Authorization: Bearer $NOGRANT_TOK"
AUTH_OTHER="Authorization: Bearer $OTHER_TOK"
eq "tokens created" "regt_" "$(printf %s "$ADMIN_TOK" | cut -c1-5)"

# ---- discovery -----------------------------------------------------------
http GET /.well-known/terraform.json
eq "discovery 200" 200 "$H_STATUS"
eq "discovery content-type is exactly application/json" "application/json" "$(header content-type)"
eq "discovery modules.v1" "/v1/modules/" "$(json "j['modules.v1']")"

# ---- publish -------------------------------------------------------------
for v in 1.0.0 1.2.0 1.3.0-beta.1 2.0.0; do
	mkmodule "$T/mod/$v" "$v"
	tgz "$T/mod/$v" "$T/hello-$v.tar.gz"
	http PUT "/v1/modules/acme/hello/null/$v" -H "$AUTH_UP" \
	    -H "Content-Type: application/gzip" --data-binary "@$T/hello-$v.tar.gz"
	eq "publish $v is 201" 201 "$H_STATUS"
done
eq "publish answers the digest" "sha256:$(sha256sum "$T/hello-2.0.0.tar.gz" | cut -d' ' -f1)" "$(json "j['digest']")"
eq "publish answers the size" "$(stat -c %s "$T/hello-2.0.0.tar.gz")" "$(json "j['size']")"
http PUT /v1/modules/acme/hello/null/1.0.0 -H "$AUTH_UP" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "publishing the same bytes again is 200" 200 "$H_STATUS"
http PUT /v1/modules/acme/hello/null/1.0.0 -H "$AUTH_UP" --data-binary "@$T/hello-2.0.0.tar.gz"
eq "different bytes for an existing version is 409" 409 "$H_STATUS"
contains "409 names both digests" "already exists with digest" "$H_BODY"

# a zip module
mkdir -p "$T/zipmod" && mkmodule "$T/zipmod" 0.1.0 && (cd "$T/zipmod" && zip -qr "$T/z.zip" .)
http PUT /v1/modules/acme/zipped/null/0.1.0 -H "$AUTH_UP" --data-binary "@$T/z.zip"
eq "publish a .zip is 201" 201 "$H_STATUS"
eq "zip format recorded" zip "$(json "j['format']")"

# ---- bad publishes: status and message ----------------------------------
bad_publish() { # name version file status message
	http PUT "/v1/modules/acme/bad/null/$2" -H "$AUTH_UP" --data-binary "@$3"
	eq "$1: status" "$4" "$H_STATUS"
	contains "$1: message" "$5" "$H_BODY"
}
bad_publish "v prefix refused" v1.0.0 "$T/hello-1.0.0.tar.gz" 400 "must not start with 'v'"
bad_publish "leading zero refused" 01.0.0 "$T/hello-1.0.0.tar.gz" 400 "leading zero"
bad_publish "two-part version refused" 1.0 "$T/hello-1.0.0.tar.gz" 400 "invalid version"
printf 'not an archive at all' >"$T/garbage.bin"
bad_publish "garbage body" 1.0.0 "$T/garbage.bin" 400 "not a .tar.gz or .zip"
mkdir -p "$T/notf" && echo hi >"$T/notf/README.md" && tgz "$T/notf" "$T/notf.tgz"
bad_publish "archive without .tf" 1.0.0 "$T/notf.tgz" 422 "no .tf file"
python3 - "$T" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def mk(name, entries):
    with tarfile.open(f"{t}/{name}", "w:gz") as tf:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            data = e.get("data", b"x = 1\n")
            if e.get("type") == "sym":
                ti.type = tarfile.SYMTYPE; ti.linkname = e["target"]; data = None
            elif e.get("type") == "chr":
                ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3; data = None
            else:
                ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
mk("abs.tgz", [{"name": "/etc/main.tf"}])
mk("dotdot.tgz", [{"name": "main.tf"}, {"name": "../evil.tf"}])
mk("symlink.tgz", [{"name": "main.tf"}, {"name": "l", "type": "sym", "target": "/etc/passwd"}])
mk("dev.tgz", [{"name": "main.tf"}, {"name": "null", "type": "chr"}])
PY
bad_publish "absolute path" 1.0.0 "$T/abs.tgz" 422 "absolute"
bad_publish "dot-dot path" 1.0.0 "$T/dotdot.tgz" 422 ".."
bad_publish "symlink leaving the archive" 1.0.0 "$T/symlink.tgz" 422 "link"
bad_publish "device file" 1.0.0 "$T/dev.tgz" 422 "device"
head -c 2000000 /dev/urandom >"$T/big.bin"
http PUT /v1/modules/acme/bad/null/1.0.0 -H "$AUTH_UP" --data-binary "@$T/big.bin"
eq "body over the cap is 413 from nginx" 413 "$H_STATUS"
contains "413 has a JSON body" '"errors"' "$H_BODY"
: >"$T/empty.bin"
bad_publish "empty body" 1.0.0 "$T/empty.bin" 400 "empty body"
http PUT "/v1/modules/ac%2Fme/bad/null/1.0.0" -H "$AUTH_UP" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "encoded slash in a path segment is 400" 400 "$H_STATUS"
http PUT "/v1/modules/-acme/bad/null/1.0.0" -H "$AUTH_UP" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "bad namespace is 400" 400 "$H_STATUS"
contains "bad namespace message" "invalid namespace" "$H_BODY"
http PUT "/v1/modules/acme/bad/NULL/1.0.0" -H "$AUTH_UP" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "upper-case system is 400" 400 "$H_STATUS"
http GET /v1/modules/acme/bad/null/versions -H "$AUTH_ADMIN"
eq "nothing was recorded by the bad publishes" 404 "$H_STATUS"

# ---- versions and lookups -------------------------------------------------
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_READER"
eq "versions 200" 200 "$H_STATUS"
eq "versions SemVer-sorted" "1.0.0 1.2.0 1.3.0-beta.1 2.0.0" \
    "$(json "' '.join(v['version'] for v in j['modules'][0]['versions'])")"
http GET /v1/modules/ACME/Hello/null/versions -H "$AUTH_READER"
eq "namespace and name are case-insensitive" 200 "$H_STATUS"
http GET /v1/modules/acme/nope/null/versions -H "$AUTH_READER"
eq "unknown module is 404" 404 "$H_STATUS"
contains "404 body has errors" '"errors"' "$H_BODY"
http GET /v1/modules/acme/hello/null/1.2.0 -H "$AUTH_READER"
eq "version detail 200" 200 "$H_STATUS"
eq "version detail publisher" "token:uploader" "$(json "j['publisher']")"
contains "version detail has a publish time" "T" "$(json "j['published_at']")"
http GET /v1/modules/acme/hello/null -H "$AUTH_READER"
eq "latest version is the newest non-pre-release" 2.0.0 "$(json "j['version']")"
http GET /v1/modules/acme/hello/null/9.9.9 -H "$AUTH_READER"
eq "unknown version is 404" 404 "$H_STATUS"

# ---- auth rules -------------------------------------------------------------
http GET /v1/modules/acme/hello/null/versions
eq "no token is 401" 401 "$H_STATUS"
contains "401 has WWW-Authenticate" "Bearer realm=" "$(header www-authenticate)"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer regt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
eq "unknown token is 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer ${READER_TOK%?}"
eq "truncated token is 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: bearer $READER_TOK"
eq "scheme is case-insensitive" 200 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer  $READER_TOK"
eq "two spaces after Bearer is 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Basic $READER_TOK"
eq "Basic scheme is 401" 401 "$H_STATUS"
http GET "/v1/modules/acme/hello/null/versions?token=$READER_TOK"
eq "token in the query string is 400" 400 "$H_STATUS"
contains "query token message" "query string" "$H_BODY"
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_NOGRANT"
eq "token without a grant is 403" 403 "$H_STATUS"
http GET /v1/modules/acme/hello/null/1.2.0/download -H "$AUTH_OTHER"
eq "token with a grant elsewhere is 403 on download" 403 "$H_STATUS"
contains "403 names the right and the namespace" "lacks the download right on namespace acme" "$H_BODY"
http PUT /v1/modules/acme/hello/null/3.0.0 -H "$AUTH_READER" --data-binary "@$T/hello-2.0.0.tar.gz"
eq "publish without upload right is 403" 403 "$H_STATUS"
contains "403 names the upload right" "upload right on namespace acme" "$H_BODY"
"$ADMIN" --state "$STACK_STATE" token revoke nogrant >/dev/null 2>&1
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_NOGRANT"
eq "revoked token is 401" 401 "$H_STATUS"
http PUT /.well-known/terraform.json -H "$AUTH_ADMIN" -d x
eq "wrong method is 405" 405 "$H_STATUS"
contains "405 says which methods" "GET" "$(header allow)"

# ---- download and archives ---------------------------------------------------
http GET /v1/modules/acme/hello/null/1.2.0/download -H "$AUTH_READER"
eq "download is 204" 204 "$H_STATUS"
LOC=$(header x-terraform-get)
contains "X-Terraform-Get is a signed archive link" "/v1/archives/acme/hello/null/1.2.0/hello-1.2.0.tar.gz?" "$LOC"
contains "X-Terraform-Get carries the checksum" "checksum=sha256:$(sha256sum "$T/hello-1.2.0.tar.gz" | cut -d' ' -f1)" "$LOC"
ALOC=$(printf %s "$LOC" | sed 's/&checksum=[^&]*//')
# go-getter re-sorts parameters: check the reversed order too
REV=$(printf %s "${ALOC#*\?}" | tr '&' '\n' | sort -r | paste -sd'&')
http GET "${ALOC%%\?*}?$REV"
eq "archive GET with re-ordered parameters is 200" 200 "$H_STATUS"
eq "archive bytes are the published bytes" "$(sha256sum "$T/hello-1.2.0.tar.gz" | cut -d' ' -f1)" "$(curl -s --cacert "$STACK_CA" "$STACK_URL$ALOC" | sha256sum | cut -d' ' -f1)"
eq "archive has no Content-Encoding" "" "$(header content-encoding)"
http HEAD "$ALOC" -I
eq "archive HEAD is 200" 200 "$H_STATUS"
http GET "$ALOC" -H "Accept-Encoding: gzip"
eq "archive with Accept-Encoding: gzip is not encoded" "" "$(header content-encoding)"
TAMPERED=$(printf %s "$ALOC" | sed -E 's/sig=(.)/sig=\1x/')
http GET "$TAMPERED"
eq "tampered archive signature is 403" 403 "$H_STATUS"
http GET "$(printf %s "$ALOC" | sed 's/1\.2\.0/1.0.0/g')"
eq "signature for another version is 403" 403 "$H_STATUS"
http GET "${ALOC%%\?*}"
eq "archive without signature is 403" 403 "$H_STATUS"
http GET /v1/modules/acme/hello/null/download -H "$AUTH_READER"
eq "latest download redirects" 302 "$H_STATUS"
contains "latest download points at 2.0.0" "/2.0.0/download" "$(header location)"

# ---- deprecate and delete ---------------------------------------------------
http POST /v1/modules/acme/hello/null/1.0.0/deprecate -H "$AUTH_UP" -H "Content-Type: application/json" -d '{"reason":"use 1.2.0"}'
eq "deprecate is 200" 200 "$H_STATUS"
eq "deprecated flag set" True "$(json "j['deprecated']")"
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_READER"
eq "deprecation is flagged in listings" "use 1.2.0" "$(json "[v for v in j['modules'][0]['versions'] if v['version']=='1.0.0'][0]['deprecation_reason']")"
http GET /v1/modules/acme/hello/null/1.0.0/download -H "$AUTH_READER"
eq "deprecated version still downloadable" 204 "$H_STATUS"
http POST /v1/modules/acme/hello/null/1.0.0/deprecate -H "$AUTH_UP" -H "Content-Type: application/json" -d '{}'
eq "deprecate without reason is 400" 400 "$H_STATUS"
http POST /v1/modules/acme/hello/null/1.0.0/deprecate -H "$AUTH_UP" -H "Content-Type: text/plain" -d '{"reason":"x"}'
eq "deprecate with a non-JSON type is 415" 415 "$H_STATUS"
http POST /v1/modules/acme/hello/null/1.0.0/deprecate -H "$AUTH_UP" -H "Content-Type: application/json" -d '{"reason":"a","reason":"b"}'
eq "duplicate JSON keys are 400" 400 "$H_STATUS"
mkmodule "$T/mod/0.9.0" 0.9.0 && tgz "$T/mod/0.9.0" "$T/h090.tgz"
http PUT /v1/modules/acme/hello/null/0.9.0 -H "$AUTH_UP" --data-binary "@$T/h090.tgz"
http DELETE /v1/modules/acme/hello/null/0.9.0 -H "$AUTH_UP"
eq "delete is 200" 200 "$H_STATUS"
http GET /v1/modules/acme/hello/null/0.9.0 -H "$AUTH_READER"
eq "deleted version is gone" 404 "$H_STATUS"
http DELETE /v1/modules/acme/hello/null/0.9.0 -H "$AUTH_UP"
eq "deleting it again is 404" 404 "$H_STATUS"

# ---- listing and search --------------------------------------------------
for n in alpha beta gamma delta epsilon; do
	http PUT "/v1/modules/acme/net-$n/aws/1.0.0" -H "$AUTH_UP" --data-binary "@$T/hello-1.0.0.tar.gz"
done
http PUT /v1/modules/beta/secret/aws/1.0.0 -H "$AUTH_OTHER" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "publish into another namespace" 201 "$H_STATUS"
http GET /v1/modules/acme -H "$AUTH_READER"
eq "namespace listing 200" 200 "$H_STATUS"
eq "namespace listing counts modules" 7 "$(json "len(j['modules'])")"
http GET "/v1/modules/search?q=net&limit=2" -H "$AUTH_READER"
eq "search page 1 has 2" 2 "$(json "len(j['modules'])")"
eq "search next_offset" 2 "$(json "j['meta']['next_offset']")"
http GET "/v1/modules/search?q=net&limit=2&offset=4" -H "$AUTH_READER"
eq "search last page has 1" 1 "$(json "len(j['modules'])")"
http GET "/v1/modules/search?q=secret" -H "$AUTH_READER"
eq "search hides namespaces the caller cannot read" 0 "$(json "len(j['modules'])")"
http GET "/v1/modules/search?q=secret" -H "$AUTH_ADMIN"
eq "search shows them to a reader of that namespace" 1 "$(json "len(j['modules'])")"
http GET /v1/modules/beta -H "$AUTH_READER"
eq "listing a namespace without the right is 403" 403 "$H_STATUS"
http GET "/v1/modules/search?q=" -H "$AUTH_READER"
eq "empty search is 400" 400 "$H_STATUS"
http GET "/v1/modules/search?q=net&limit=1000" -H "$AUTH_READER"
eq "limit over the maximum is 400" 400 "$H_STATUS"
"$ADMIN" --state "$STACK_STATE" namespace public beta on >/dev/null 2>&1
http GET /v1/modules/beta/secret/aws/versions
eq "public namespace allows anonymous download" 200 "$H_STATUS"
http PUT /v1/modules/beta/secret/aws/2.0.0 --data-binary "@$T/hello-1.0.0.tar.gz"
eq "public namespace still needs a token to publish" 401 "$H_STATUS"

# ---- terraform init ----------------------------------------------------------
TF=${TERRAFORM:-$(command -v terraform || true)}
tf_init() { # dir token [extra args]
	d=$1
	tk=$2
	shift 2
	if [ -n "$tk" ]; then
		printf 'credentials "127.0.0.1:%s" {\n  token = "%s"\n}\n' "$STACK_PORT" "$tk" >"$d/cli.tfrc"
	else
		: >"$d/cli.tfrc"
	fi
	mkdir -p "$d/home"
	(cd "$d" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$d/home" \
	    TF_CLI_CONFIG_FILE="$d/cli.tfrc" SSL_CERT_FILE="$STACK_CA" \
	    SSL_CERT_DIR="$d/nocerts" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
	    "$TF" init -input=false -no-color "$@") >"$d/init.log" 2>&1
}
tf_root() { # dir source version
	mkdir -p "$1"
	printf 'module "m" {\n  source  = "%s"\n  version = "%s"\n}\noutput "msg" {\n  value = module.m.msg\n}\n' "$2" "$3" >"$1/main.tf"
}
SRCADDR=127.0.0.1:$STACK_PORT/acme/hello/null
if [ -z "$TF" ]; then
	skip "terraform not found"
else
	tf_root "$T/tf1" "$SRCADDR" "~> 1.0"
	if tf_init "$T/tf1" "$READER_TOK"; then pass "terraform init ~> 1.0"; else fail "terraform init ~> 1.0" "$(tail -5 "$T/tf1/init.log")"; fi
	contains "terraform installed 1.2.0" '"Version":"1.2.0"' "$(cat "$T/tf1/.terraform/modules/modules.json" 2>/dev/null)"
	contains "module files installed" "module version 1.2.0" "$(cat "$T/tf1/.terraform/modules/m/main.tf" 2>/dev/null)"
	tf_root "$T/tf2" "$SRCADDR" "1.3.0-beta.1"
	tf_init "$T/tf2" "$READER_TOK"
	contains "exact pre-release constraint installs it" '"Version":"1.3.0-beta.1"' "$(cat "$T/tf2/.terraform/modules/modules.json" 2>/dev/null)"
	tf_root "$T/tf3" "$SRCADDR" "~> 1.0"
	if tf_init "$T/tf3" ""; then fail "terraform init without token fails" "it succeeded"; else pass "terraform init without token fails"; fi
	contains "no token: terraform shows 401" "401 Unauthorized" "$(cat "$T/tf3/init.log")"
	tf_root "$T/tf4" "$SRCADDR" "~> 1.0"
	if tf_init "$T/tf4" "$OTHER_TOK"; then fail "terraform init without download right fails" "it succeeded"; else pass "terraform init without download right fails"; fi
	contains "no download right: the message names the namespace" "namespace acme" "$(cat "$T/tf4/init.log")"
	# go-getter verifies checksum=sha256: corrupt the stored blob
	mkmodule "$T/mod/5.0.0" 5.0.0 && tgz "$T/mod/5.0.0" "$T/h5.tgz"
	http PUT /v1/modules/acme/tamper/null/5.0.0 -H "$AUTH_UP" --data-binary "@$T/h5.tgz"
	D=$(sha256sum "$T/h5.tgz" | cut -d' ' -f1)
	BLOB=$STACK_STATE/blobs/sha256/$(printf %s "$D" | cut -c1-2)/$D
	cp "$T/h090.tgz" "$BLOB.new" && mv "$BLOB.new" "$BLOB"
	tf_root "$T/tf5" "127.0.0.1:$STACK_PORT/acme/tamper/null" "5.0.0"
	if tf_init "$T/tf5" "$READER_TOK"; then fail "terraform refuses a tampered archive" "init succeeded"; else pass "terraform refuses a tampered archive"; fi
	contains "go-getter reports the checksum mismatch" "Checksums did not match" "$(cat "$T/tf5/init.log")"
fi

# ---- concurrency: two publishes of one version, different bytes ----------
mkmodule "$T/c1" 7.0.0 && tgz "$T/c1" "$T/c1.tgz"
mkmodule "$T/c2" 7.0.0 && echo '# other' >>"$T/c2/main.tf" && tgz "$T/c2" "$T/c2.tgz"
for round in 1 2 3; do
	v=7.0.$round
	curl -s -o /dev/null -w '%{http_code}\n' --cacert "$STACK_CA" -X PUT -H "$AUTH_UP" --data-binary "@$T/c1.tgz" "$STACK_URL/v1/modules/acme/race/null/$v" >"$T/r1" &
	p1=$!
	curl -s -o /dev/null -w '%{http_code}\n' --cacert "$STACK_CA" -X PUT -H "$AUTH_UP" --data-binary "@$T/c2.tgz" "$STACK_URL/v1/modules/acme/race/null/$v" >"$T/r2" &
	p2=$!
	wait $p1 $p2
	eq "concurrent publishes round $round: one 201 and one 409" "201 409" "$(cat "$T/r1" "$T/r2" | sort | paste -sd' ')"
done

# ---- SIGKILL in the middle of a publish -------------------------------------
head -c 900000 /dev/urandom >"$T/slow.bin"
curl -s -o /dev/null --cacert "$STACK_CA" --limit-rate 100k -X PUT -H "$AUTH_UP" \
    --data-binary "@$T/slow.bin" "$STACK_URL/v1/modules/acme/killed/null/1.0.0" &
CURL_PID=$!
EXTRA_PIDS=$CURL_PID
i=0
while [ -z "$(ls "$STACK_STATE/blobs/tmp" 2>/dev/null)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "an upload temp file exists mid-publish" test -n "$(ls "$STACK_STATE/blobs/tmp")"
kill -9 "$STACK_REGD_PID"
wait "$STACK_REGD_PID" 2>/dev/null
kill "$CURL_PID" 2>/dev/null; wait "$CURL_PID" 2>/dev/null
ok "the temp file is still there after SIGKILL" test -n "$(ls "$STACK_STATE/blobs/tmp")"
rm -f "$STACK_STATE/run/registryd.sock"
stack_start_registryd
ok "no temp file is left after the next start" test -z "$(ls "$STACK_STATE/blobs/tmp")"
http GET /v1/modules/acme/killed/null/versions -H "$AUTH_ADMIN"
eq "no partial version exists" 404 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_READER"
eq "earlier data intact after SIGKILL" 200 "$H_STATUS"

# ---- expired archive links ---------------------------------------------------
stack_kill "$STACK_REGD_PID"
sed -i 's/^archive_url_ttl = .*/archive_url_ttl = 10/' "$STACK_STATE/registryd.conf"
grep -q '^archive_url_ttl' "$STACK_STATE/registryd.conf" || echo 'archive_url_ttl = 10' >>"$STACK_STATE/registryd.conf"
rm -f "$STACK_STATE/run/registryd.sock"
stack_start_registryd
http GET /v1/modules/acme/hello/null/1.2.0/download -H "$AUTH_READER"
SHORT=$(header x-terraform-get | sed 's/&checksum=[^&]*//')
http GET "$SHORT"
eq "fresh short-lived link works" 200 "$H_STATUS"
sleep 11
http GET "$SHORT"
eq "expired archive link is 403" 403 "$H_STATUS"
contains "expired link message" "expired" "$H_BODY"

# ---- LMDB map full -> 507, data intact ---------------------------------------
stack_kill "$STACK_REGD_PID"
echo 'map_size = 262144' >>"$STACK_STATE/registryd.conf"
FULL=$T/full
mkdir -p "$FULL"
cp -a "$STACK_STATE/keys" "$FULL/" 2>/dev/null
"$ADMIN" --state "$FULL" init >/dev/null 2>&1
FULLTOK=$("$ADMIN" --state "$FULL" token create full --grant-all 2>/dev/null)
sed -e "s|^state_dir = .*|state_dir = $FULL|" "$STACK_STATE/registryd.conf" >"$FULL/registryd.conf"
"$STACK_BIN/registryd" -f "$FULL/registryd.conf" >>"$FULL/registryd.log" 2>&1 &
STACK_REGD_PID=$!
i=0; while [ ! -S "$STACK_STATE/run/registryd.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
got507=no
first=
for i in $(seq 1 400); do
	code=$(curl -s -o "$T/full.out" -w '%{http_code}' --cacert "$STACK_CA" -X PUT \
	    -H "Authorization: Bearer $FULLTOK" --data-binary "@$T/hello-1.0.0.tar.gz" \
	    "$STACK_URL/v1/modules/fill/mod$i/null/1.0.0")
	[ -z "$first" ] && first=$code
	if [ "$code" = 507 ]; then got507=yes; break; fi
	[ "$code" = 201 ] || { fail "map fill publish $i" "status $code: $(cat "$T/full.out")"; break; }
done
eq "first publish on the small map works" 201 "$first"
eq "a full LMDB map answers 507" yes "$got507"
contains "507 message says what to do" "map_size" "$(cat "$T/full.out")"
http GET /v1/modules/fill/mod1/null/versions -H "Authorization: Bearer $FULLTOK"
eq "existing data intact after map full" 200 "$H_STATUS"
stack_kill "$STACK_REGD_PID"

# ---- no 500 anywhere -----------------------------------------------------------
stack_stop
n500=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /HTTP\/[0-9.]+"$/) { if ($(i+1) == 500) c++ } } END { print c + 0 }' "$STACK_STATE/nginx/logs/access.log")
eq "no request of the suite was answered 500" 0 "$n500"
ok "the access log never contains a token" sh -c "! grep -q 'regt_\|reg1\.' '$STACK_STATE/nginx/logs/access.log'"
ok "registryd's log never contains a token" sh -c "! grep -q 'regt_[A-Za-z0-9_-]\{20\}' '$STACK_STATE/registryd.log'"

t_summary
