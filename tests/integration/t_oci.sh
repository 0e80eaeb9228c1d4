#!/usr/bin/env bash
# tests/integration/t_oci.sh BUILD_DIR: the OCI push client (admin-tools/
# oci.h) against a real docker-registry (CNCF distribution) on 127.0.0.1.
#
#   build  images with buildah (vfs storage, chroot isolation, a local
#          busybox-static base, RUN steps, no network) pushed to OCI
#          layouts; a hand-made layout when buildah cannot run here
#   (a)    no auth, plain http: push, skopeo reads it back, a second push
#          skips every blob (HEAD 200)
#   (b)    htpasswd Basic auth, the ECR flow (user AWS): wrong and missing
#          password fail naming the 401, the right one pushes, cross-repo
#          mount (201) and mount fallback (202, no second POST)
#   (c)    token auth: an ES256 token server (realm) with per-repository
#          grants, as ACR/GAR: push, wrong password, insufficient_scope
#   (d)    a fault-injecting proxy in front of (c): 429 + Retry-After, 503,
#          a later 401 insufficient_scope challenge, relative Locations;
#          and a repository that always answers 503 (bounded attempts)
#   (e)    TLS with a throw-away CA (ca_file) and Basic auth
#   and    no password or token in any output or log of the suite.
#
# Prints PASS/FAIL lines and "N passed, N failed[, N skipped]".
# Everything lives in a mktemp -d directory removed at exit (kept when
# T_OCI_KEEP is set, for debugging); every server listens on 127.0.0.1 and
# is stopped by PID in the EXIT trap.
set -u

O=${1:?usage: t_oci.sh BUILD_DIR (e.g. build/cc-plain)}
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/lib.sh

REGBIN=$(command -v docker-registry 2>/dev/null || true)
[ -z "$REGBIN" ] && [ -x /usr/bin/docker-registry ] && REGBIN=/usr/bin/docker-registry
if [ -z "$REGBIN" ]; then
	skip "docker-registry not found"
	t_summary
	exit $?
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/t_oci.XXXXXX") || exit 2
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${T_OCI_KEEP:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
mkdir -p "$T/logs" "$T/secrets"
L=$T/logs

# ---- the driver ----------------------------------------------------------

DRV=$T/oci_push
# an ASan build directory needs the sanitizer at link time too
SANFLAGS=
case $O in *asan*) SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" ;; esac
# shellcheck disable=SC2046,SC2086
if ! cc -std=c11 -D_GNU_SOURCE $SANFLAGS -I. tests/integration/oci_push.c \
    "$O/libtools.a" "$O/libauth.a" "$O/libstorage.a" "$O/libcommon.a" \
    $(pkg-config --libs jansson libcurl openssl lmdb libarchive) \
    -o "$DRV" >"$L/driver-build.log" 2>&1; then
	fail "build driver" "$(head -c 600 "$L/driver-build.log")"
	t_summary
	exit 1
fi
pass "build driver"

# push NAME [driver args...]: runs the driver with -v; sets RC, OUT, ERR
push() {
	local name=$1
	shift
	"$DRV" -v -b 50 "$@" >"$L/$name.out" 2>"$L/$name.err"
	RC=$?
	OUT=$(cat "$L/$name.out")
	ERR=$(cat "$L/$name.err")
}

# count PATTERN FILE: lines matching an extended regex
count() { grep -cE "$1" "$2" 2>/dev/null || true; }

# ---- images --------------------------------------------------------------

# A layout made without buildah: one gzip tar layer, a config, a manifest.
mk_layout_by_hand() {
	python3 - "$1" "$2" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
out, content = sys.argv[1], sys.argv[2].encode()
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(b):
    d = hashlib.sha256(b).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(b)
    return "sha256:" + d, len(b)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as t:
    ti = tarfile.TarInfo("hello.txt"); ti.size = len(content)
    t.addfile(ti, io.BytesIO(content))
layer = gzip.compress(raw.getvalue(), mtime=0)
ld, ls = blob(layer)
cfg = json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Cmd": ["/hello.txt"]},
    "rootfs": {"type": "layers",
    "diff_ids": ["sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()]}}).encode()
cd, cs = blob(cfg)
man = json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": ls}]}).encode()
md, ms = blob(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType":
    "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
    "annotations": {"org.opencontainers.image.ref.name": "v1"}}]},
    open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
}

# buildah as the orchestrator will run it: vfs storage under $T, chroot
# isolation for RUN, a base image assembled from busybox-static, no pulls.
build_with_buildah() {
	local BA c
	BA="buildah --storage-driver vfs --root $T/bstore --runroot $T/brun"
	[ "$(id -u)" = 0 ] || return 1
	command -v buildah >/dev/null 2>&1 || return 1
	[ -x /bin/busybox ] || return 1
	{
		c=$($BA from scratch) &&
		$BA copy "$c" /bin/busybox /bin/busybox &&
		$BA run --isolation chroot "$c" /bin/busybox --install -s /bin &&
		$BA config --cmd '["/bin/sh"]' "$c" &&
		$BA commit -q "$c" localhost/honua-busybox:local &&
		$BA rm "$c" &&
		mkdir -p "$T/ctx1" "$T/ctx2" &&
		echo "hello from image one" >"$T/ctx1/hello.txt" &&
		printf '%s\n' 'FROM localhost/honua-busybox:local' \
		    'COPY hello.txt /hello.txt' \
		    'RUN echo built-one > /built.txt && cat /hello.txt' \
		    'CMD ["/bin/cat", "/built.txt"]' >"$T/ctx1/Containerfile" &&
		head -c 3145728 /dev/urandom >"$T/ctx2/big.bin" &&
		printf '%s\n' 'FROM localhost/honua-busybox:local' \
		    'COPY big.bin /big.bin' \
		    'RUN echo built-two > /built.txt' >"$T/ctx2/Containerfile" &&
		$BA bud --isolation chroot --pull-never --layers=false \
		    -t localhost/honua-app:one "$T/ctx1" &&
		$BA bud --isolation chroot --pull-never --layers=false \
		    -t localhost/honua-app:two "$T/ctx2" &&
		$BA push localhost/honua-app:one "oci:$T/layout1:v1" &&
		$BA push localhost/honua-app:two "oci:$T/layout2:v1"
	} >"$L/buildah.log" 2>&1
}

if build_with_buildah; then
	pass "build images with buildah (vfs, chroot isolation, busybox base, RUN)"
else
	echo "# buildah could not build here (see buildah.log); using hand-made layouts"
	rm -rf "$T/layout1" "$T/layout2"
	if mk_layout_by_hand "$T/layout1" "image one" &&
	    mk_layout_by_hand "$T/layout2" "image two, different"; then
		pass "build layouts by hand (buildah unavailable)"
	else
		fail "build layouts" "python layout generator failed"
		t_summary
		exit 1
	fi
fi

# layout_info LAYOUT: "DIGEST NBLOBS" of the v1 manifest
layout_info() {
	python3 - "$1" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"]
man = json.load(open(d + "/blobs/sha256/" + m[7:]))
blobs = {man["config"]["digest"]} | {l["digest"] for l in man["layers"]}
print(m, len(blobs))
PY
}
read -r D1 N1 <<<"$(layout_info "$T/layout1")"
read -r D2 N2 <<<"$(layout_info "$T/layout2")"

# ---- registries ----------------------------------------------------------

# registry_conf NAME PORT [extra yaml...]: our own config, never the
# Debian default /etc/docker/registry/config.yml
registry_conf() {
	local name=$1 port=$2
	shift 2
	mkdir -p "$T/$name"
	{
		printf '%s\n' 'version: 0.1' 'log:' '  level: info' \
		    '  accesslog:' '    disabled: false' 'storage:' \
		    '  filesystem:' "    rootdirectory: $T/$name/data" \
		    '  delete:' '    enabled: true' 'http:' \
		    "  addr: 127.0.0.1:$port" "  secret: test-secret-$name"
		printf '%s\n' "$@"
	} >"$T/$name/config.yml"
}

# start NAME CMD...: background process, PID recorded for the trap
start() {
	local name=$1
	shift
	"$@" >"$L/$name.log" 2>&1 &
	PIDS+=($!)
}

# wait_up URL [curl args...]: until it answers at all (any status)
wait_up() {
	local url=$1 code
	shift
	for _ in $(seq 1 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")
		case $code in 000) sleep 0.1 ;; *) return 0 ;; esac
	done
	return 1
}

have_skopeo=0
command -v skopeo >/dev/null 2>&1 && have_skopeo=1
# skopeo_digest REF [skopeo args...]
skopeo_digest() {
	local ref=$1
	shift
	skopeo inspect "$@" "docker://$ref" 2>>"$L/skopeo.log" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])' 2>/dev/null
}

# ---- (a) no auth ---------------------------------------------------------

PA=$(free_port)
registry_conf noauth "$PA"
start reg-noauth "$REGBIN" serve "$T/noauth/config.yml"
if wait_up "http://127.0.0.1:$PA/v2/"; then
	pass "a: registry up on 127.0.0.1:$PA"
else
	fail "a: registry up" "$(tail -5 "$L/reg-noauth.log")"
fi

push a-push "$T/layout1" "http://127.0.0.1:$PA" honua/cust42/app v1
eq "a: push exits 0" 0 "$RC"
eq "a: push prints the manifest digest" "$D1" "$OUT"
eq "a: every blob uploaded once (PUT 201)" "$N1" \
    "$(count "^oci_push: PUT /v2/honua/cust42/app/blobs/uploads/[^ ]* 201$" "$L/a-push.err")"
contains "a: manifest PUT 201" "PUT /v2/honua/cust42/app/manifests/v1 201" "$ERR"
not_contains "a: request log has no query strings" "_state" "$ERR"
if [ $have_skopeo = 1 ]; then
	eq "a: skopeo reads it back with the same digest" "$D1" \
	    "$(skopeo_digest "127.0.0.1:$PA/honua/cust42/app:v1" --tls-verify=false)"
else
	skip "skopeo not found"
fi

push a-again "$T/layout1" "http://127.0.0.1:$PA" honua/cust42/app v1
eq "a: second push exits 0" 0 "$RC"
eq "a: second push prints the same digest" "$D1" "$OUT"
eq "a: second push: HEAD 200 for every blob" "$N1" \
    "$(count '^oci_push: HEAD /v2/honua/cust42/app/blobs/sha256:[0-9a-f]{64} 200$' "$L/a-again.err")"
eq "a: second push uploads nothing" 0 "$(count 'blobs/uploads' "$L/a-again.err")"

push a-badrepo "$T/layout1" "http://127.0.0.1:$PA" Honua/App v1
eq "a: invalid repository name exits 1" 1 "$RC"
eq "a: invalid repository name sends nothing" 0 "$(count '^oci_push: (GET|HEAD|POST|PUT) ' "$L/a-badrepo.err")"

# ---- (b) htpasswd Basic (ECR-style) --------------------------------------

PB=$(free_port)
openssl rand -hex 24 >"$T/secrets/aws.pw"
AWS_PW=$(cat "$T/secrets/aws.pw")
printf 'wrong-%s\n' "$(openssl rand -hex 8)" >"$T/secrets/wrong.pw"
htpasswd -Bbn AWS "$AWS_PW" >"$T/secrets/htpasswd" 2>/dev/null
registry_conf basic "$PB" 'auth:' '  htpasswd:' '    realm: basic-realm' \
    "    path: $T/secrets/htpasswd"
start reg-basic "$REGBIN" serve "$T/basic/config.yml"
if wait_up "http://127.0.0.1:$PB/v2/"; then
	pass "b: registry with htpasswd up on 127.0.0.1:$PB"
else
	fail "b: registry up" "$(tail -5 "$L/reg-basic.log")"
fi
RB=http://127.0.0.1:$PB

push b-wrong -u AWS -P "$T/secrets/wrong.pw" "$T/layout1" "$RB" honua/cust42/app v1
eq "b: wrong password exits 1" 1 "$RC"
contains "b: wrong password names the 401" "answered 401 UNAUTHORIZED" "$ERR"
contains "b: wrong password says what to check" "check the username and password" "$ERR"
eq "b: wrong password uploads nothing" 0 "$(count 'blobs' "$L/b-wrong.err")"

push b-anon "$T/layout1" "$RB" honua/cust42/app v1
eq "b: no credentials exits 1" 1 "$RC"
contains "b: no credentials is explained" "requires credentials" "$ERR"

push b-push -u AWS -P "$T/secrets/aws.pw" "$T/layout1" "$RB" honua/cust42/app v1
eq "b: right password exits 0" 0 "$RC"
eq "b: right password pushes the digest" "$D1" "$OUT"
eq "b: anonymous probe, then Basic: GET /v2/ 401 then 200" "401 200" \
    "$(grep -E '^oci_push: GET /v2/ ' "$L/b-push.err" | awk '{print $4}' | xargs)"
if [ $have_skopeo = 1 ]; then
	eq "b: skopeo --creds AWS:... reads it back" "$D1" \
	    "$(skopeo_digest "127.0.0.1:$PB/honua/cust42/app:v1" --tls-verify=false --creds "AWS:$AWS_PW")"
fi

push b-mount -u AWS -P "$T/secrets/aws.pw" -f honua/cust42/app "$T/layout1" "$RB" honua/cust42/mounted v1
eq "b: mount push exits 0" 0 "$RC"
eq "b: mount: every blob mounted (POST 201)" "$N1" \
    "$(count '^oci_push: POST /v2/honua/cust42/mounted/blobs/uploads/ 201$' "$L/b-mount.err")"
eq "b: mount: no blob uploaded" 0 "$(count '^oci_push: PUT .*/blobs/' "$L/b-mount.err")"
if [ $have_skopeo = 1 ]; then
	eq "b: mounted image reads back" "$D1" \
	    "$(skopeo_digest "127.0.0.1:$PB/honua/cust42/mounted:v1" --tls-verify=false --creds "AWS:$AWS_PW")"
fi

push b-fallback -u AWS -P "$T/secrets/aws.pw" -f honua/cust42/nosuch "$T/layout2" "$RB" honua/cust42/other v1
eq "b: mount fallback push exits 0" 0 "$RC"
eq "b: mount fallback: digest" "$D2" "$OUT"
eq "b: mount fallback: POST 202 per blob" "$N2" \
    "$(count '^oci_push: POST /v2/honua/cust42/other/blobs/uploads/ 202$' "$L/b-fallback.err")"
eq "b: mount fallback: no second POST" "$N2" \
    "$(count '^oci_push: POST ' "$L/b-fallback.err")"
eq "b: mount fallback: PUT 201 into the started session" "$N2" \
    "$(count '^oci_push: PUT /v2/honua/cust42/other/blobs/uploads/[^ ]* 201$' "$L/b-fallback.err")"

# ---- (c) token auth (ACR/GAR-style) --------------------------------------

have_tokens=0
if python3 -c 'import cryptography' 2>/dev/null; then
	have_tokens=1
else
	skip "python3-cryptography not found: token auth (c) and proxy (d)"
fi

if [ $have_tokens = 1 ]; then
	mkdir -p "$T/tok"
	openssl ecparam -genkey -name prime256v1 -noout -out "$T/secrets/tok-key.pem" 2>/dev/null
	openssl req -new -x509 -key "$T/secrets/tok-key.pem" -out "$T/tok/cert.pem" \
	    -days 1 -subj /CN=honua-test-token 2>/dev/null
	C42_PW=$(openssl rand -hex 20)
	printf 'honua-cust42 %s honua/cust42/\n' "$C42_PW" >"$T/secrets/users"
	printf '%s\n' "$C42_PW" >"$T/secrets/cust42.pw"
	cat >"$T/tok/server.py" <<'PY'
# A token server for distribution's token auth: ES256 JWTs whose kid is
# the libtrust key id of the certificate in the registry's rootcertbundle;
# Basic credentials per user, grants only under the user's prefix.
import base64, hashlib, json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

port, keyf, certf, usersf, tokensf, logf = sys.argv[1:7]
key = serialization.load_pem_private_key(open(keyf, "rb").read(), None)
cert = x509.load_pem_x509_certificate(open(certf, "rb").read())
spki = cert.public_key().public_bytes(serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo)
b32 = base64.b32encode(hashlib.sha256(spki).digest()[:30]).decode()
kid = ":".join(b32[i:i + 4] for i in range(0, 48, 4))
users = {}
for line in open(usersf):
    u, p, prefix = line.split()
    users[u] = (p, prefix)

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, st, obj, hdrs=()):
        b = json.dumps(obj).encode()
        self.send_response(st)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        for k, v in hdrs:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)
        return st

    def do_GET(self):
        u = urlparse(self.path)
        st = self.token(u) if u.path == "/token" else self.reply(404, {})
        with open(logf, "a") as f:
            f.write("GET %s %d\n" % (u.path, st))

    def token(self, u):
        q = parse_qs(u.query)
        deny = (401, {"errors": [{"code": "UNAUTHORIZED",
            "message": "invalid username/password"}]},
            [("WWW-Authenticate", 'Basic realm="honua-test-token"')])
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return self.reply(*deny)
        try:
            user, pw = base64.b64decode(auth[6:]).decode().split(":", 1)
        except Exception:
            return self.reply(*deny)
        if user not in users or users[user][0] != pw:
            return self.reply(*deny)
        access = []
        for sc in q.get("scope", []):
            for one in sc.split(" "):
                parts = one.split(":")
                if len(parts) < 3 or parts[0] != "repository":
                    continue
                name = ":".join(parts[1:-1])
                if name.startswith(users[user][1]):
                    access.append({"type": "repository", "name": name,
                        "actions": parts[-1].split(",")})
        now = int(time.time())
        hdr = {"typ": "JWT", "alg": "ES256", "kid": kid}
        claims = {"iss": "honua-test-issuer", "sub": user,
            "aud": q.get("service", [""])[0], "exp": now + 300,
            "nbf": now - 10, "iat": now, "jti": b64u(os.urandom(12)),
            "access": access}
        si = b64u(json.dumps(hdr).encode()) + "." + \
            b64u(json.dumps(claims).encode())
        r, s = decode_dss_signature(key.sign(si.encode(),
            ec.ECDSA(hashes.SHA256())))
        tok = si + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        with open(tokensf, "a") as f:
            f.write(tok + "\n")
        # ACR answers access_token only (provisioning.md 4.4)
        return self.reply(200, {"access_token": tok, "expires_in": 300})

ThreadingHTTPServer(("127.0.0.1", int(port)), H).serve_forever()
PY
	TP=$(free_port)
	PC=$(free_port)
	REALM=http://127.0.0.1:$TP/token
	start tokensrv python3 "$T/tok/server.py" "$TP" "$T/secrets/tok-key.pem" \
	    "$T/tok/cert.pem" "$T/secrets/users" "$T/secrets/tokens" "$L/tokensrv-requests.log"
	registry_conf token "$PC" 'auth:' '  token:' "    realm: $REALM" \
	    '    service: honua-test-registry' '    issuer: honua-test-issuer' \
	    "    rootcertbundle: $T/tok/cert.pem"
	start reg-token "$REGBIN" serve "$T/token/config.yml"
	if wait_up "http://127.0.0.1:$TP/token" && wait_up "http://127.0.0.1:$PC/v2/"; then
		pass "c: token server on :$TP and registry on :$PC up"
	else
		fail "c: token registry up" "$(tail -5 "$L/reg-token.log" "$L/tokensrv.log")"
	fi
	RC_URL=http://127.0.0.1:$PC

	push c-push -u honua-cust42 -P "$T/secrets/cust42.pw" "$T/layout1" "$RC_URL" honua/cust42/app v1
	eq "c: token push exits 0" 0 "$RC"
	eq "c: token push digest" "$D1" "$OUT"
	contains "c: anonymous /v2/ is challenged" "GET /v2/ 401" "$ERR"
	contains "c: token fetched from the realm" "GET http://127.0.0.1:$TP/token 200" "$ERR"
	contains "c: /v2/ accepted with the token" "GET /v2/ 200" "$ERR"
	eq "c: one token for the whole push" 1 "$(count '/token 200$' "$L/c-push.err")"
	if [ $have_skopeo = 1 ]; then
		eq "c: skopeo with the same credentials reads it back" "$D1" \
		    "$(skopeo_digest "127.0.0.1:$PC/honua/cust42/app:v1" --tls-verify=false --creds "honua-cust42:$C42_PW")"
	fi

	push c-wrong -u honua-cust42 -P "$T/secrets/wrong.pw" "$T/layout1" "$RC_URL" honua/cust42/app v1
	eq "c: wrong password exits 1" 1 "$RC"
	contains "c: wrong password: the token endpoint's 401" "token endpoint answered 401 UNAUTHORIZED: invalid username/password" "$ERR"

	push c-scope -u honua-cust42 -P "$T/secrets/cust42.pw" "$T/layout1" "$RC_URL" honua/cust99/app v1
	eq "c: another customer's repository exits 1" 1 "$RC"
	contains "c: insufficient_scope is reported" "401" "$ERR"
	contains "c: insufficient_scope is named" "(error=insufficient_scope); the credentials do not grant pull,push on this repository" "$ERR"
	eq "c: one token refresh for the challenged scope, then give up" 2 \
	    "$(count '/token 200$' "$L/c-scope.err")"

	# ---- (d) fault-injecting proxy in front of (c) -------------------
	cat >"$T/proxy.py" <<'PY'
# A reverse proxy to a registry that injects faults: the 1st blob-upload
# POST gets 429 + Retry-After: 1, the 2nd a 503; the 1st manifest PUT a 401
# insufficient_scope challenge; repositories named */always503/* always
# 503.  Upload Locations are made relative (path-relative for POST 202,
# absolute-path otherwise).  Logs "METHOD path status" (no query).
import http.client, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, up, realm, service, logf = sys.argv[1:6]
lock = threading.Lock()
seen = {"post": 0, "manifest": 0}

def err(code, msg):
    return {"errors": [{"code": code, "message": msg}]}

class P(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def log(self, st):
        with open(logf, "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path.split("?")[0], st))

    def fault(self):
        p = self.path.split("?")[0]
        if "/always503/" in p:
            return 503, [], err("UNAVAILABLE", "always down")
        with lock:
            if self.command == "POST" and p.endswith("/blobs/uploads/"):
                seen["post"] += 1
                if seen["post"] == 1:
                    return 429, [("Retry-After", "1")], err("TOOMANYREQUESTS", "slow down")
                if seen["post"] == 2:
                    return 503, [], err("UNAVAILABLE", "try later")
            if self.command == "PUT" and "/manifests/" in p:
                seen["manifest"] += 1
                if seen["manifest"] == 1:
                    repo = p[len("/v2/"):p.index("/manifests/")]
                    return 401, [("WWW-Authenticate",
                        'Bearer realm="%s",service="%s",scope="repository:%s:pull,push",error="insufficient_scope"'
                        % (realm, service, repo))], err("UNAUTHORIZED", "authentication required")
        return None

    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        f = self.fault()
        if f:
            st, hdrs, obj = f
            b = json.dumps(obj).encode()
            self.send_response(st)
            for k, v in hdrs:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(b)
            return self.log(st)
        c = http.client.HTTPConnection("127.0.0.1", int(up), timeout=60)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("connection", "content-length")}
        c.request(self.command, self.path,
                  body=body if self.command in ("POST", "PUT", "PATCH") else None,
                  headers=hdrs)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            kl = k.lower()
            if kl in ("connection", "transfer-encoding", "date", "server"):
                continue
            if kl == "content-length" and self.command != "HEAD":
                continue
            if kl == "location" and v.startswith("http://"):
                v = "/" + v.split("/", 3)[3]
                if self.command == "POST" and "/blobs/uploads/" in v:
                    v = v.split("/blobs/uploads/", 1)[1]
            self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()
        self.log(r.status)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = any

ThreadingHTTPServer(("127.0.0.1", int(port)), P).serve_forever()
PY
	PD=$(free_port)
	start proxy python3 "$T/proxy.py" "$PD" "$PC" "$REALM" honua-test-registry "$L/proxy-requests.log"
	if wait_up "http://127.0.0.1:$PD/v2/"; then
		pass "d: fault-injecting proxy up on :$PD"
	else
		fail "d: proxy up" "$(tail -5 "$L/proxy.log")"
	fi
	push d-push -u honua-cust42 -P "$T/secrets/cust42.pw" "$T/layout1" "http://127.0.0.1:$PD" honua/cust42/viaproxy v1
	eq "d: push through faults exits 0" 0 "$RC"
	eq "d: push through faults digest" "$D1" "$OUT"
	contains "d: 429 seen" "POST /v2/honua/cust42/viaproxy/blobs/uploads/ 429" "$ERR"
	contains "d: 503 seen" "POST /v2/honua/cust42/viaproxy/blobs/uploads/ 503" "$ERR"
	eq "d: POST retried until 202" "429 503 202" \
	    "$(grep -E '^oci_push: POST ' "$L/d-push.err" | head -3 | awk '{print $4}' | xargs)"
	eq "d: later 401 -> one new token -> manifest PUT retried" "401 200 201" \
	    "$(grep -E '^oci_push: (PUT /v2/honua/cust42/viaproxy/manifests/v1|GET http://127.0.0.1:'"$TP"'/token) ' "$L/d-push.err" | tail -3 | awk '{print $4}' | xargs)"
	eq "d: relative Locations followed (PUT 201 per blob)" "$N1" \
	    "$(count '^oci_push: PUT /v2/honua/cust42/viaproxy/blobs/uploads/[^ ]* 201$' "$L/d-push.err")"
	if [ $have_skopeo = 1 ]; then
		eq "d: image pushed through the proxy reads back" "$D1" \
		    "$(skopeo_digest "127.0.0.1:$PC/honua/cust42/viaproxy:v1" --tls-verify=false --creds "honua-cust42:$C42_PW")"
	fi

	push d-down -a 3 -u honua-cust42 -P "$T/secrets/cust42.pw" "$T/layout1" "http://127.0.0.1:$PD" honua/cust42/always503 v1
	eq "d: always-503 repository exits 1" 1 "$RC"
	contains "d: always-503: the status is named" "registry answered 503" "$ERR"
	eq "d: always-503: bounded attempts (3 HEADs)" 3 \
	    "$(count '^oci_push: HEAD .* 503$' "$L/d-down.err")"
fi

# ---- (e) TLS with a test CA + Basic --------------------------------------

mkdir -p "$T/tls/skopeo"
if {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/secrets/ca-key.pem" \
	    -out "$T/tls/ca.pem" -days 1 -subj /CN=honua-test-ca \
	    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign &&
	openssl req -newkey rsa:2048 -nodes -keyout "$T/secrets/srv-key.pem" \
	    -out "$T/tls/srv.csr" -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/tls/ext" &&
	openssl x509 -req -in "$T/tls/srv.csr" -CA "$T/tls/ca.pem" \
	    -CAkey "$T/secrets/ca-key.pem" -CAcreateserial -days 1 \
	    -extfile "$T/tls/ext" -out "$T/tls/srv.pem"
} >"$L/openssl.log" 2>&1; then
	cp "$T/tls/ca.pem" "$T/tls/skopeo/ca.crt"
	PE=$(free_port)
	registry_conf tls "$PE" '  tls:' "    certificate: $T/tls/srv.pem" \
	    "    key: $T/secrets/srv-key.pem" 'auth:' '  htpasswd:' \
	    '    realm: basic-realm' "    path: $T/secrets/htpasswd"
	start reg-tls "$REGBIN" serve "$T/tls/config.yml"
	if wait_up "https://127.0.0.1:$PE/v2/" --cacert "$T/tls/ca.pem"; then
		pass "e: TLS registry up on :$PE"
	else
		fail "e: TLS registry up" "$(tail -5 "$L/reg-tls.log")"
	fi
	push e-noca -u AWS -P "$T/secrets/aws.pw" "$T/layout1" "https://127.0.0.1:$PE" honua/cust42/app v1
	eq "e: without the CA exits 1" 1 "$RC"
	contains "e: without the CA: certificate error" "certificate" "$ERR"
	push e-push -c "$T/tls/ca.pem" -u AWS -P "$T/secrets/aws.pw" "$T/layout2" "https://127.0.0.1:$PE" honua/cust42/app v2
	eq "e: with ca_file exits 0" 0 "$RC"
	eq "e: with ca_file digest" "$D2" "$OUT"
	if [ $have_skopeo = 1 ]; then
		eq "e: skopeo over TLS reads it back" "$D2" \
		    "$(skopeo_digest "127.0.0.1:$PE/honua/cust42/app:v2" --cert-dir "$T/tls/skopeo" --creds "AWS:$AWS_PW")"
	fi
else
	fail "e: make a test CA" "$(tail -5 "$L/openssl.log")"
fi

# ---- no secret anywhere --------------------------------------------------

# every password, its Basic form, and every issued token
: >"$T/secrets/needles"
for f in aws.pw wrong.pw cust42.pw; do
	[ -f "$T/secrets/$f" ] || continue
	head -n1 "$T/secrets/$f" >>"$T/secrets/needles"
done
printf 'AWS:%s' "$AWS_PW" | base64 -w0 >>"$T/secrets/needles"
echo >>"$T/secrets/needles"
[ -f "$T/secrets/tokens" ] && cat "$T/secrets/tokens" >>"$T/secrets/needles"
ntok=$([ -f "$T/secrets/tokens" ] && wc -l <"$T/secrets/tokens" || echo 0)
# the detector itself must see a planted secret
head -n1 "$T/secrets/needles" | sed 's/^/planted: /' >"$T/secrets/canary"
ok "leak detector finds a planted password" grep -qF -f "$T/secrets/needles" "$T/secrets/canary"
leaks=$(grep -rlF -f "$T/secrets/needles" "$L" 2>/dev/null | xargs -r -n1 basename | xargs)
eq "no password, Basic value or token ($ntok tokens) in any output or log" "" "$leaks"
not_contains "no Authorization header in the request logs" "Authorization" "$(cat "$L"/*.err)"

t_summary
