#!/bin/bash
# tests/integration/t_iam.sh O: the AWS IAM sign-in (POST /v1/auth/token)
# end to end: real nginx, registryd, LMDB, curl, the loopback STS stand-in
# (tests/sts: HTTPS with a test CA, real SigV4 verification, misbehaviour
# modes), tokens minted with the AWS SDK v3 signer (tests/sts/mint-sdk.mjs)
# and with the project's own signer (tests/integration/presign.c), and the
# real terraform CLI.
#   - happy paths: SDK and own-signer tokens, temporary credentials from
#     AssumeRole, the issued token on the module API, expiration_seconds
#   - spec/iam-auth.md section 8 A-F, one PASS line per row; every refusal
#     is checked for its status, that no token was issued and how many
#     requests the stand-in saw (GET /__requests before and after)
#   - audit records for every issued token and every refusal, and no
#     secret in any log of the suite
#   - terraform init with an exchanged token; 403 once the grant is gone
#   - nginx rate limit on the endpoint
# Usage: bash tests/integration/t_iam.sh build/h-iam   (from the repo root)
set -u
O=${1:?usage: t_iam.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"
# The suite starts python a few hundred times: call the interpreter itself
# (not a version-manager shim) and skip site-packages (stdlib only).
PY=$(command python3 -c 'import sys; print(sys.executable)')
python3() { "$PY" -S "$@"; }

T=$(mktemp -d /tmp/iamit.XXXXXX)
TMPDIR=$T # lib.sh's http and every other mktemp stay inside $T
export TMPDIR
STACK_SRC=$SRC
STACK_BIN=$SRC/$O/bin
STACK_STATE=$T/state
STACK_PORT=$(free_port)
STACK_MAX_BODY=1m
SPORT=$(free_port)
while [ "$SPORT" = "$STACK_PORT" ]; do SPORT=$(free_port); done
STACK_REGD_CONF_EXTRA="sts_test_endpoint = 127.0.0.1:$SPORT
sts_ca_file = $T/ca/ca.crt
sts_timeout_ms = 1500"
STACK_REGD_FLAGS=-T
export STACK_SRC STACK_BIN STACK_STATE STACK_PORT STACK_MAX_BODY STACK_REGD_CONF_EXTRA STACK_REGD_FLAGS
. "$SRC/nginx/stack.sh"

STS_PID=
cleanup() {
	stack_stop
	[ -n "$STS_PID" ] && stack_kill "$STS_PID"
	rm -rf "$T"
}
trap cleanup EXIT

ADMIN=$STACK_BIN/registry-admin
PERM=$STACK_BIN/manage-registry-permissions
AUD=127.0.0.1:$STACK_PORT
ACCT=123456789012
PUB_ARN=arn:aws:iam::$ACCT:role/tf-publisher
PUB=ASIATFPUBLISHER00001
READER=ASIATFREADER00000001
OTHERACCT=ASIAOTHERACCOUNT0001
ADMINLOW=ASIATFADMINLOWER0001
EXPIRED=ASIAEXPIREDCREDS0001
USERKEY=AKIAIOSFODNN7EXAMPLE
CA_STS=$T/ca/ca.crt

# ---- tools -------------------------------------------------------------------
PRESIGN=$T/presign
# shellcheck disable=SC2046
if ! cc -std=c11 -D_GNU_SOURCE -I. -o "$PRESIGN" tests/integration/presign.c \
    "$O/libauth.a" "$O/libstorage.a" "$O/libcommon.a" \
    $(pkg-config --libs jansson libcurl openssl lmdb libarchive) 2>"$T/presign.err"; then
	fail "presign driver compiles" "$(head -5 "$T/presign.err")"
	t_summary
	exit 1
fi
pass "presign driver compiles (auth/sigv4.h sigv4_presign)"
if ! sh tests/sts/mkca.sh "$T/ca" >/dev/null 2>"$T/mkca.err"; then
	fail "stand-in CA" "$(cat "$T/mkca.err")"
	t_summary
	exit 1
fi

HAVE_SDK=
SDK_MISSING="npm not found"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	if [ ! -d tests/sts/node_modules/@smithy ]; then
		npm ci --prefix tests/sts --no-audit --no-fund >"$T/npm.log" 2>&1 || true
	fi
	if [ -d tests/sts/node_modules/@smithy ]; then
		HAVE_SDK=1
	else
		SDK_MISSING="AWS SDK not installed (npm ci --prefix tests/sts failed: $(tail -1 "$T/npm.log"))"
	fi
fi

# Secrets of keys.json (the leak checks grep for every one of them).
declare -A SECRET STOKEN
eval "$(python3 - "$SRC/tests/sts/keys.json" <<'PY'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
for c in d["credentials"]:
    print("SECRET[%s]=%s" % (c["access_key_id"], shlex.quote(c["secret_access_key"])))
    print("STOKEN[%s]=%s" % (c["access_key_id"], shlex.quote(c.get("session_token", ""))))
PY
)"

# Token and URL manipulation (python3, stdlib only).
cat >"$T/tk.py" <<'PY'
import base64, json, re, sys

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def split(url):
    pre, _, q = url.partition("?")
    return pre, (q.split("&") if q else [])

def join(pre, pairs, sep="&"):
    return pre + "?" + sep.join(pairs)

def name(p):
    return p.split("=", 1)[0]

ARITY = {"set": 2, "del": 1, "add": 1, "dup": 1, "rename": 2, "prefix": 1,
         "host": 1, "path": 1, "suffix": 1, "reverse": 0, "lowerpct": 0,
         "semi": 0, "sub": 2, "insert": 2}

def mutate(url, ops):
    i = 0
    while i < len(ops):
        op = ops[i]
        args = ops[i + 1:i + 1 + ARITY[op]]
        i += 1 + ARITY[op]
        pre, pairs = split(url)
        if op == "set":
            pairs = [(args[0] + "=" + args[1]) if name(p) == args[0] else p for p in pairs]
        elif op == "del":
            pairs = [p for p in pairs if name(p) != args[0]]
        elif op == "add":
            pairs.append(args[0])
        elif op == "dup":
            pairs += [p for p in pairs if name(p) == args[0]][:1]
        elif op == "rename":
            pairs = [(args[1] + p[len(args[0]):]) if name(p) == args[0] else p for p in pairs]
        elif op == "prefix":
            pre = args[0]
        elif op == "host":
            m = re.match(r"^(https://)([^/?]*)(.*)$", pre)
            pre = m.group(1) + args[0] + m.group(3)
        elif op == "path":
            m = re.match(r"^(https://[^/?]*)(.*)$", pre)
            pre = m.group(1) + args[0]
        elif op == "reverse":
            pairs.reverse()
        elif op == "lowerpct":
            pairs = [re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), p) for p in pairs]
        elif op == "semi":
            url = join(pre, pairs[:2], ";") + "&" + "&".join(pairs[2:])
            continue
        elif op == "suffix":
            url = join(pre, pairs) + args[0]
            continue
        elif op == "sub":
            url = url.replace(args[0], args[1], 1)
            continue
        elif op == "insert":   # insert TEXT after the first occurrence of ANCHOR
            k = url.index(args[1]) + len(args[1])
            url = url[:k] + args[0] + url[k:]
            continue
        url = join(pre, pairs)
    return url

def unesc(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")

cmd = sys.argv[1]
if cmd == "mut":
    url = sys.stdin.read().rstrip("\n")
    sys.stdout.write(mutate(url, sys.argv[2:]) + "\n")
elif cmd == "wrap":
    # wrap VARIANT [BYTES-ESCAPE]: the URL on stdin (python escapes in argv[3]
    # are appended as raw bytes) as a k8s-aws-v1 token, strictly or not
    raw = sys.stdin.buffer.read().rstrip(b"\n")
    if len(sys.argv) > 3:
        raw += unesc(sys.argv[3])
    v = sys.argv[2]
    enc = b64u(raw)
    if v == "plain":
        out = enc
    elif v == "pad":
        out = base64.urlsafe_b64encode(raw).decode()
        assert out.endswith("="), "no padding for this length"
    elif v == "std":
        out = base64.b64encode(raw).decode().rstrip("=")
        assert out != enc, "no - or _ in this encoding"
    elif v == "nl":
        out = enc[:40] + "\n" + enc[40:]
    elif v == "sp":
        out = enc[:40] + " " + enc[40:]
    elif v == "tab":
        out = enc[:40] + "\t" + enc[40:]
    elif v == "trailnl":
        out = enc + "\n"
    elif v == "noncanon":
        alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        assert len(raw) % 3 != 0, "no spare bits for this length"
        last = alpha.index(enc[-1])
        out = enc[:-1] + alpha[last | 1]
    else:
        raise SystemExit("unknown variant")
    sys.stdout.write("k8s-aws-v1." + out)
elif cmd == "body":
    # body TOKEN-FILE [EXTRA-JSON-OBJECT]: the standard envelope, JSON-escaped
    tok = open(sys.argv[2], "rb").read().decode("latin-1")
    d = {"method": "aws-iam", "token": tok}
    if len(sys.argv) > 3:
        d.update(json.loads(sys.argv[3]))
    sys.stdout.write(json.dumps(d))
elif cmd == "sigs":
    # every X-Amz-Signature value in the tokens of a file (one per line)
    for line in open(sys.argv[2], encoding="latin-1"):
        line = line.strip()
        if not line.startswith("k8s-aws-v1."):
            continue
        p = line[len("k8s-aws-v1."):]
        try:
            u = base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode("latin-1")
        except Exception:
            continue
        for m in re.finditer(r"X-Amz-Signature=([0-9a-fA-F]{64})", u):
            print(m.group(1).lower())
elif cmd == "field":
    d = json.loads(sys.stdin.read())
    for k in sys.argv[2].split("."):
        d = d[k]
    print(d)
PY
tk() { python3 "$T/tk.py" "$@"; }

# ---- the stand-in --------------------------------------------------------------
STS_CURL=(--cacert "$CA_STS") # -k while the stand-in has a bad certificate
sts_start() { # CERTNAME
	rm -f "$T/sts.port"
	# "$PY" itself (not the python3 function), so that $! is the server
	"$PY" -S tests/sts/standin.py --cert "$T/ca/$1.crt" --key "$T/ca/$1.key" \
	    --keys tests/sts/keys.json --port "$SPORT" --port-file "$T/sts.port" \
	    --log "$T/sts.log" 2>>"$T/sts.err" &
	STS_PID=$!
	i=0
	while [ ! -s "$T/sts.port" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$STS_PID" 2>/dev/null; then
			return 1
		fi
		sleep 0.05
	done
}
sts_stop() { stack_kill "$STS_PID"; STS_PID=; }
sts_ctl() { curl -s "${STS_CURL[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$SPORT$1" "${@:2}"; }
sts_mode() { [ "$(sts_ctl /__control -d "$1")" = 200 ] || echo "stand-in refused control $1" >&2; }
sts_clear() { sts_mode '{"mode":null}'; }
sts_total() {
	curl -s "${STS_CURL[@]}" "https://127.0.0.1:$SPORT/__requests" |
	    sed -n 's/.*"total": *\([0-9]*\).*/\1/p'
}

if ! sts_start sts; then
	fail "stand-in starts" "$(tail -5 "$T/sts.err")"
	t_summary
	exit 1
fi
pass "stand-in starts (https://127.0.0.1:$SPORT, test CA)"

if ! stack_setup || ! stack_start; then
	fail "stack starts" "see $T"
	t_summary
	exit 1
fi
pass "stack starts (registryd -T + nginx on $STACK_URL, audience $AUD)"

# ---- minting ---------------------------------------------------------------------
# Every token gets its own X-Amz-Expires (signed), so that two tokens minted
# in the same second never share a signature (the replay cache's key).
EXPN=59
next_exp() { EXPN=$((EXPN % 900 + 1)); }
# mint_url AKID [presign options]: a presigned URL in $URL (NOTOK=1: no
# session token)
mint_url() {
	local akid=$1 st
	shift
	st=${STOKEN[$akid]:-}
	[ -n "${NOTOK:-}" ] && st=
	next_exp
	URL=$(env AWS_ACCESS_KEY_ID="$akid" AWS_SECRET_ACCESS_KEY="${SECRET[$akid]}" \
	    AWS_SESSION_TOKEN="$st" "$PRESIGN" --url --audience "$AUD" \
	    --expires "$EXPN" "$@")
}
wrap() { "$PRESIGN" --wrap; }
# mint AKID [options]: a token in $TOK
mint() { mint_url "$@" && TOK=$(printf '%s\n' "$URL" | wrap) && printf '%s\n' "$TOK" >>"$T/minted"; }
# mint_sdk AKID [mint-sdk options] (region us-east-1 unless --region R)
mint_sdk() {
	local akid=$1 region=us-east-1 args=()
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = --region ]; then region=$2; shift 2; else args+=("$1"); shift; fi
	done
	next_exp
	TOK=$(env AWS_ACCESS_KEY_ID="$akid" AWS_SECRET_ACCESS_KEY="${SECRET[$akid]}" \
	    AWS_SESSION_TOKEN="${STOKEN[$akid]:-}" node tests/sts/mint-sdk.mjs \
	    --expires "$EXPN" "${args[@]}" "$region" "$AUD" 2>"$T/sdk.err")
	printf '%s\n' "$TOK" >>"$T/minted"
}
# mut OPS...: mutate $URL (see tk.py), result in $URL
mut() { URL=$(printf '%s\n' "$URL" | tk mut "$@"); }
# tokfile FILE: the standard envelope around $TOK
tokfile() { printf '{"method":"aws-iam","token":"%s"}' "$TOK" >"$1"; }

# ---- posting -----------------------------------------------------------------------
# post_token [curl args]: POST /v1/auth/token (Content-Type from $CT unless
# CT is set to "-", which sends none); 429s from nginx's limit_req are
# waited out (up to 10 s)
post_token() {
	local ct=${CT:-application/json} n=0 cth
	if [ "$ct" = - ]; then cth="Content-Type:"; else cth="Content-Type: $ct"; fi
	while :; do
		http POST /v1/auth/token -H "$cth" "$@"
		if [ "$H_STATUS" != 429 ] || [ $n -ge 20 ]; then break; fi
		n=$((n + 1))
		sleep 0.5
	done
	if [ "$H_STATUS" = 200 ]; then
		printf '%s\n' "$(json "j['token']")" >>"$T/issued"
	fi
}

# row NAME WANT_STATUS WANT_STS_REQUESTS MESSAGE BODYFILE [curl args]
# One PASS/FAIL line: the status, that no token was issued (for a refusal),
# that the error names MESSAGE (when not empty), Retry-After on 503, and how
# many requests the stand-in saw ("any": not checked).  $SETTLE seconds are
# waited before the stand-in is asked (it counts a request when it is done).
row() {
	local name=$1 want=$2 wd=$3 msg=$4 bf=$5 b a d probs=
	shift 5
	b=$(sts_total)
	post_token --data-binary "@$bf" "$@"
	[ -n "${SETTLE:-}" ] && sleep "$SETTLE"
	a=$(sts_total)
	d=$((${a:-0} - ${b:-0}))
	[ "$H_STATUS" = "$want" ] || probs="$probs status $H_STATUS (want $want);"
	if [ "$want" != 200 ]; then
		case $H_BODY in *'"token":'* | *reg1.*) probs="$probs a token was issued;" ;; esac
		case $H_BODY in *'"errors"'*) ;; *) probs="$probs no errors array;" ;; esac
		if [ -n "$msg" ]; then
			case $H_BODY in *"$msg"*) ;; *) probs="$probs message lacks [$msg];" ;; esac
		fi
		if [ "$want" = 503 ] && [ -z "$(header retry-after)" ]; then
			probs="$probs no Retry-After;"
		fi
	else
		case $H_BODY in *'"token":"reg1.'*) ;; *) probs="$probs no token issued;" ;; esac
	fi
	if [ "$wd" != any ] && [ "$d" != "$wd" ]; then
		probs="$probs stand-in saw $d request(s) (want $wd);"
	fi
	if [ -z "$probs" ]; then
		pass "$name"
	else
		fail "$name" "$probs body=$(printf '%s' "$H_BODY" | head -c 300)"
	fi
}
# rowt NAME WANT DELTA MESSAGE: row with the standard envelope around $TOK
rowt() { tokfile "$T/b.json"; row "$@" "$T/b.json"; }
# rowu NAME WANT DELTA MESSAGE: $URL wrapped strictly, then rowt
rowu() { TOK=$(printf '%s\n' "$URL" | wrap); rowt "$@"; }
# rowraw NAME WANT DELTA MESSAGE TEXT: TEXT (printf %b escapes) as the body
rowraw() { printf '%b' "$5" >"$T/raw.json"; row "$1" "$2" "$3" "$4" "$T/raw.json"; }

# ---- grants and modules ------------------------------------------------------------
grant() { "$PERM" --state "$STACK_STATE" "$@" >"$T/perm.out" 2>&1; }
ADMIN_TOK=$("$ADMIN" --state "$STACK_STATE" token create admin --grant-all 2>/dev/null)
AUTH_ADMIN="Authorization: Bearer $ADMIN_TOK"
ok "grant for $PUB_ARN on acme (download, upload)" grant -r "$PUB_ARN" -n acme create -d -u
for v in 1.0.0 1.2.0 2.0.0; do
	mkmodule "$T/mod/$v" "$v"
	tgz "$T/mod/$v" "$T/hello-$v.tar.gz"
	http PUT "/v1/modules/acme/hello/null/$v" -H "$AUTH_ADMIN" \
	    -H "Content-Type: application/gzip" --data-binary "@$T/hello-$v.tar.gz"
	eq "publish acme/hello/null $v with the API token" 201 "$H_STATUS"
done
http PUT /v1/modules/beta/thing/null/1.0.0 -H "$AUTH_ADMIN" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "publish beta/thing/null 1.0.0 with the API token" 201 "$H_STATUS"
http PUT /v1/modules/gamma/thing/null/1.0.0 -H "$AUTH_ADMIN" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "publish gamma/thing/null 1.0.0 with the API token" 201 "$H_STATUS"

# =====================================================================================
# Happy paths
# =====================================================================================
check_issued() { # NAME-PREFIX [expected namespaces] [principal]
	local p=$1 ns=${2:-"['acme']"} pr=${3:-$PUB_ARN}
	eq "$p: 200" 200 "$H_STATUS"
	contains "$p: a reg1. token" '"token":"reg1.' "$H_BODY"
	eq "$p: principal" "$pr" "$(json "j['principal']")"
	eq "$p: namespaces" "$ns" "$(json "j['namespaces']")"
	eq "$p: Cache-Control: no-store" no-store "$(header cache-control)"
	contains "$p: expires_at is a UTC time" "Z" "$(json "j['expires_at']")"
}

if [ -n "$HAVE_SDK" ]; then
	mint_sdk "$PUB"
	if [ -n "$TOK" ]; then pass "SDK (@smithy/signature-v4) mints a token"; else fail "SDK mints a token" "$(cat "$T/sdk.err")"; fi
	tokfile "$T/b.json"
	b=$(sts_total)
	post_token --data-binary "@$T/b.json"
	check_issued "SDK token"
	eq "SDK token: default lifetime 3600 s" 3600 "$(json "j['expires_in']")"
	eq "SDK token: the stand-in saw exactly one request" 1 "$(($(sts_total) - b))"
	SDK_REG=$(json "j['token']")
	for r in us-west-2 eu-west-1; do
		mint_sdk "$PUB" --region "$r"
		tokfile "$T/b.json"
		post_token --data-binary "@$T/b.json"
		eq "SDK token for sts.$r.amazonaws.com accepted" 200 "$H_STATUS"
	done
	mint_sdk "$PUB" --host sts.amazonaws.com
	tokfile "$T/b.json"
	post_token --data-binary "@$T/b.json"
	eq "SDK token for the global sts.amazonaws.com (us-east-1 scope) accepted" 200 "$H_STATUS"
	http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $SDK_REG"
	eq "SDK-exchanged token lists versions" 200 "$H_STATUS"
else
	skip "$SDK_MISSING"
fi

mint "$PUB"
tokfile "$T/b.json"
b=$(sts_total)
post_token --data-binary "@$T/b.json"
check_issued "own-signer token (session token in the URL)"
eq "own-signer token: the stand-in saw exactly one request" 1 "$(($(sts_total) - b))"
REG=$(json "j['token']")
AUTH_REG="Authorization: Bearer $REG"
for r in us-west-2 eu-west-1; do
	mint "$PUB" --region "$r"
	rowt "own-signer token for sts.$r.amazonaws.com accepted" 200 1 ""
done
mint "$PUB" --host sts.amazonaws.com --region us-east-1
rowt "own-signer token for the global host accepted" 200 1 ""
mint "$PUB"
CT="application/json; charset=utf-8" rowt "Content-Type with a charset parameter accepted" 200 1 ""

# The issued token on the module API, like an API token.
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_REG"
eq "issued token: versions 200" 200 "$H_STATUS"
eq "issued token: versions listed" "1.0.0 1.2.0 2.0.0" "$(json "' '.join(v['version'] for v in j['modules'][0]['versions'])")"
http GET /v1/modules/acme/hello/null/1.2.0/download -H "$AUTH_REG"
eq "issued token: download 204" 204 "$H_STATUS"
mkmodule "$T/mod/3.0.0" 3.0.0 && tgz "$T/mod/3.0.0" "$T/hello-3.0.0.tar.gz"
http PUT /v1/modules/acme/hello/null/3.0.0 -H "$AUTH_REG" --data-binary "@$T/hello-3.0.0.tar.gz"
eq "issued token: publish (upload right) 201" 201 "$H_STATUS"
http GET /v1/modules/acme/hello/null/3.0.0 -H "$AUTH_REG"
contains "issued token: the publisher is the IAM principal" "tf-publisher" "$H_BODY"

# Temporary credentials: user ci-bot assumes role/tf-publisher at the
# stand-in (a presigned AssumeRole made with the same signer), then signs in
# with the minted ASIA key and session token.
NOTOK=1 mint_url "$USERKEY" --action AssumeRole \
    --param "RoleArn=$PUB_ARN" --param RoleSessionName=it-session --param DurationSeconds=900
curl -s --cacert "$CA_STS" --connect-to "sts.us-east-1.amazonaws.com:443:127.0.0.1:$SPORT" \
    -H "x-k8s-aws-id: $AUD" -H "Accept: application/json" "$URL" >"$T/assume.json"
ASSUMED_AKID=$(tk field AssumeRoleResponse.AssumeRoleResult.Credentials.AccessKeyId <"$T/assume.json" 2>/dev/null)
ASSUMED_SECRET=$(tk field AssumeRoleResponse.AssumeRoleResult.Credentials.SecretAccessKey <"$T/assume.json" 2>/dev/null)
ASSUMED_STOKEN=$(tk field AssumeRoleResponse.AssumeRoleResult.Credentials.SessionToken <"$T/assume.json" 2>/dev/null)
case $ASSUMED_AKID in
ASIA*)
	pass "AssumeRole at the stand-in gives temporary credentials"
	SECRET[$ASSUMED_AKID]=$ASSUMED_SECRET
	STOKEN[$ASSUMED_AKID]=$ASSUMED_STOKEN
	mint "$ASSUMED_AKID"
	tokfile "$T/b.json"
	post_token --data-binary "@$T/b.json"
	check_issued "AssumeRole credentials (own signer)"
	if [ -n "$HAVE_SDK" ]; then
		mint_sdk "$ASSUMED_AKID"
		tokfile "$T/b.json"
		post_token --data-binary "@$T/b.json"
		eq "AssumeRole credentials (SDK) accepted" 200 "$H_STATUS"
	fi
	;;
*) fail "AssumeRole at the stand-in gives temporary credentials" "$(head -c 300 "$T/assume.json")" ;;
esac

# expiration_seconds: honoured, capped at token_max_ttl (3600), positive.
mint "$PUB"
tokfile_exp() { tk body "$T/tok1" "$1" >"$T/b.json"; }
printf '%s' "$TOK" >"$T/tok1"
tokfile_exp '{"expiration_seconds": 120}'
t0=$(date +%s)
post_token --data-binary "@$T/b.json"
eq "expiration_seconds 120: 200" 200 "$H_STATUS"
eq "expiration_seconds 120: expires_in" 120 "$(json "j['expires_in']")"
ea=$(json "j['expires_at']")
d=$(( $(date -u -d "$ea" +%s) - t0 ))
if [ "$d" -ge 119 ] && [ "$d" -le 122 ]; then pass "expiration_seconds 120: expires_at = now + 120 ($ea)"; else fail "expiration_seconds 120: expires_at" "now + $d s ($ea)"; fi
mint "$PUB"
printf '%s' "$TOK" >"$T/tok1"
tokfile_exp '{"expiration_seconds": 3600}'
row "expiration_seconds 3600 (= token_max_ttl) accepted" 200 1 "" "$T/b.json"
for e in 3601 43200 0 -5 1.5 '"60"' true null; do
	mint "$PUB"
	printf '%s' "$TOK" >"$T/tok1"
	tokfile_exp "{\"expiration_seconds\": $e}"
	case $e in 3601 | 43200) m="exceeds the maximum of 3600" ;; 0 | -5) m="must be positive" ;; *) m="must be an integer" ;; esac
	row "expiration_seconds $e refused" 400 0 "$m" "$T/b.json"
done
# a token that lives 2 s: works now, refused later (checked after section D)
mint "$PUB"
printf '%s' "$TOK" >"$T/tok1"
tokfile_exp '{"expiration_seconds": 2}'
post_token --data-binary "@$T/b.json"
SHORT_T0=$(date +%s)
SHORT=$(json "j['token']")
eq "expiration_seconds 2: expires_in" 2 "$(json "j['expires_in']")"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $SHORT"
eq "a 2-second token works at once" 200 "$H_STATUS"

# =====================================================================================
# Section 8 A: envelope (400/413/415; the stand-in never sees a request)
# =====================================================================================
mint "$PUB"
GOOD=$TOK
# 1: size, chunking, media type
python3 -c "import sys; t=sys.argv[1]; b='{\"method\":\"aws-iam\",\"token\":\"%s\",\"pad\":\"' % t; sys.stdout.write(b + 'x' * (8193 - len(b) - 2) + '\"}')" "$GOOD" >"$T/big.json"
row "A1 body of 8193 bytes: 413 from nginx" 413 0 "" "$T/big.json"
python3 -c "import sys; sys.stdout.write('{\"method\":\"aws-iam\",\"token\":\"' + 'A' * 9300 + '\"}')" >"$T/big2.json"
row "A1 chunked 9 KiB body without a length: 413" 413 0 "" "$T/big2.json" -H "Transfer-Encoding: chunked"
printf '{"method":"aws-iam","token":"k8s-aws-v1.%s"}' "AAAA" >"$T/chunk.json"
row "A1 chunked small body: still checked (400)" 400 0 "token: " "$T/chunk.json" -H "Transfer-Encoding: chunked"
padbody() { # SIZE: the envelope around a fresh token, padded with blanks to SIZE bytes
	mint "$PUB"
	python3 -c "import sys; b='{\"method\":\"aws-iam\",\"token\":\"%s\"' % sys.argv[1]; sys.stdout.write(b + ' ' * (int(sys.argv[2]) - len(b) - 1) + '}')" "$TOK" "$1" >"$T/pad.json"
}
padbody 8192
row "A1 body of exactly 8192 bytes (blank padding) accepted" 200 1 "" "$T/pad.json"
padbody 8191
row "A1 body of 8191 bytes accepted" 200 1 "" "$T/pad.json"
mint "$PUB"
CT=APPLICATION/JSON rowt "A1 Content-Type APPLICATION/JSON (media types are case-insensitive) accepted" 200 1 ""
TOK=$GOOD
b=$(sts_total)
http GET /v1/auth/token
eq "A1 GET /v1/auth/token: 405" 405 "$H_STATUS"
http PUT /v1/auth/token -H "Content-Type: application/json" --data-binary "{\"method\":\"aws-iam\",\"token\":\"$GOOD\"}"
eq "A1 PUT /v1/auth/token: 405, the stand-in saw nothing" "405 0" "$H_STATUS $(($(sts_total) - b))"
tokfile "$T/good.json"
CT=text/plain row "A1 Content-Type text/plain: 415" 415 0 "Content-Type must be application/json" "$T/good.json"
CT=- row "A1 no Content-Type: 415" 415 0 "Content-Type must be application/json" "$T/good.json"
CT=application/x-www-form-urlencoded row "A1 Content-Type form-urlencoded: 415" 415 0 "" "$T/good.json"
CT=application/jsonp row "A1 Content-Type application/jsonp: 415" 415 0 "" "$T/good.json"
CT=application/json-seq row "A1 Content-Type application/json-seq: 415" 415 0 "" "$T/good.json"
# 2: JSON
rowraw "A2 invalid JSON (truncated)" 400 0 "invalid json" '{"method":"aws-iam","token":'
rowraw "A2 empty body" 400 0 "invalid json" ''
rowraw "A2 trailing bytes after the object" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\"}x"
rowraw "A2 two JSON objects" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\"}{\"method\":\"aws-iam\",\"token\":\"$GOOD\"}"
rowraw "A2 top-level array" 400 0 "" "[\"aws-iam\",\"$GOOD\"]"
rowraw "A2 top-level string" 400 0 "" "\"$GOOD\""
rowraw "A2 duplicate token key" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\",\"token\":\"$GOOD\"}"
rowraw "A2 duplicate method key" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"method\":\"aws-iam\",\"token\":\"$GOOD\"}"
rowraw "A2 \\u0000 inside the token" 400 0 "" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\\\\u0000\"}"
rowraw "A2 \\u0000 inside the method" 400 0 "" "{\"method\":\"aws-iam\\\\u0000\",\"token\":\"$GOOD\"}"
rowraw "A2 invalid UTF-8 in a string" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\",\"x\":\"\\xff\\xfe\"}"
rowraw "A2 overlong UTF-8 encoding" 400 0 "invalid json" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\\xc0\\xaf\"}"
# 3: keys and types
rowraw "A3 missing method" 400 0 "missing method" "{\"token\":\"$GOOD\"}"
rowraw "A3 missing token" 400 0 "missing token" '{"method":"aws-iam"}'
rowraw "A3 empty object" 400 0 "missing" '{}'
rowraw "A3 unknown extra key" 400 0 "unknown key" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\",\"foo\":1}"
rowraw "A3 AWS and OIDC fields together" 400 0 "unknown key" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\",\"provider\":\"github\"}"
rowraw "A3 Vault-style iam_request_url alongside" 400 0 "unknown key" "{\"method\":\"aws-iam\",\"token\":\"$GOOD\",\"iam_request_url\":\"aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8=\"}"
rowraw "A3 method a number" 400 0 "method must be a string" "{\"method\":1,\"token\":\"$GOOD\"}"
rowraw "A3 method null" 400 0 "method must be a string" "{\"method\":null,\"token\":\"$GOOD\"}"
rowraw "A3 method an object" 400 0 "method must be a string" "{\"method\":{\"aws-iam\":true},\"token\":\"$GOOD\"}"
rowraw "A3 token a number" 400 0 "token must be a string" '{"method":"aws-iam","token":12345}'
rowraw "A3 token null" 400 0 "token must be a string" '{"method":"aws-iam","token":null}'
rowraw "A3 token an object" 400 0 "token must be a string" "{\"method\":\"aws-iam\",\"token\":{\"t\":\"$GOOD\"}}"
rowraw "A3 token an array" 400 0 "token must be a string" "{\"method\":\"aws-iam\",\"token\":[\"$GOOD\"]}"
# 4: method
for m in AWS-IAM Aws-Iam 'aws-iam ' ' aws-iam' aws_iam awsiam oidc aws-iam-post ''; do
	rowraw "A4 method \"$m\" refused" 400 0 "unsupported method" "{\"method\":\"$m\",\"token\":\"$GOOD\"}"
done
rowt "A control: the envelope's token itself is valid" 200 1 ""

# =====================================================================================
# Section 8 B: token encoding
# =====================================================================================
mint_url "$PUB"
B64=$(printf '%s' "$URL" | tk wrap plain)
B64=${B64#k8s-aws-v1.}
for p in k8s-aws-v2. K8S-AWS-V1. k8s-aws-v1 k8s-aws-v1.. k8s-aws-v1: ' k8s-aws-v1.' ''; do
	TOK="$p$B64"
	printf '%s' "$TOK" >"$T/tok1"
	tk body "$T/tok1" >"$T/b.json"
	row "B5 prefix \"$p\" refused" 400 0 "" "$T/b.json"
done
TOK=k8s-aws-v1.
rowt "B5 empty payload" 400 0 "empty payload"
TOK=k8s-aws-v1.$(head -c 4086 /dev/zero | tr '\0' A)
eq "B5 test token is 4097 bytes" 4097 "${#TOK}"
rowt "B5 token of 4097 bytes" 400 0 "longer than 4096"
TOK=k8s-aws-v1.$(printf '%s' "$B64" | rev)
rowt "B5 payload that decodes to garbage" 400 0 ""
# 6: strict base64url; find a URL whose length leaves spare bits and whose
# encoding has '-' or '_' (X-Amz-Expires changes its length; only a '?' at
# an offset = 2 mod 3 encodes as '_' in ASCII text, hence the global host)
for e in 7 77 777 8 88 888 9 99 999 5 55 555 6 66 666 4 44 444; do
	mint_url "$PUB" --host sts.amazonaws.com --region us-east-1 --expires "$e"
	printf '%s' "$URL" | tk wrap std >/dev/null 2>&1 &&
	    printf '%s' "$URL" | tk wrap noncanon >/dev/null 2>&1 && break
done
for v in pad std nl sp tab trailnl noncanon; do
	if printf '%s' "$URL" | tk wrap "$v" >"$T/tok1" 2>"$T/wrap.err"; then
		tk body "$T/tok1" >"$T/b.json"
		row "B6 base64 variant $v refused" 400 0 "strict base64url" "$T/b.json"
	else
		fail "B6 base64 variant $v" "could not build it: $(tail -1 "$T/wrap.err")"
	fi
done
printf '%s' "$URL" | tk wrap plain >"$T/tok1"
tk body "$T/tok1" >"$T/b.json"
row "B6 control: the same URL strictly encoded is accepted" 200 1 "" "$T/b.json"
for bad in 'CR LF:\r\nHost: evil.example' 'LF:\n' 'NUL:\x00' 'TAB:\t' '0x80:\x80' 'UTF-8:\xc3\xa9' 'DEL:\x7f' 'space: '; do
	mint_url "$PUB"
	printf '%s' "$URL" | tk wrap plain "${bad#*:}" >"$T/tok1"
	tk body "$T/tok1" >"$T/b.json"
	row "B6 decoded URL ending in ${bad%%:*} refused" 400 0 "" "$T/b.json"
done
mint_url "$PUB"
mut insert '%0D%0AX-Evil:%201' 'Version=2011-06-15'
rowu "B6 percent-encoded CR LF in a value refused" 400 0 ""

# =====================================================================================
# Section 8 C: URL
# =====================================================================================
H1=sts.us-east-1.amazonaws.com
c_row() { # NAME MESSAGE MUT-OPS...
	local n=$1 m=$2
	shift 2
	mint_url "$PUB"
	mut "$@"
	rowu "C $n" 400 0 "$m"
}
c_row "7 http:// refused" "scheme must be https" prefix "http://$H1/"
c_row "7 HTTPS:// refused" "scheme must be https" prefix "HTTPS://$H1/"
c_row "7 no scheme refused" "scheme must be https" prefix "//$H1/"
c_row "7 sts.amazonaws.com.evil.example refused" "host not in allowlist" host sts.amazonaws.com.evil.example
c_row "7 sts.us-east-1.amazonaws.com.evil.example refused" "host not in allowlist" host "$H1.evil.example"
c_row "7 evil.example refused" "host not in allowlist" host evil.example
c_row "7 sts.amazonaws.com@evil.example refused" "userinfo not allowed" host sts.amazonaws.com@evil.example
c_row "7 userinfo before the right host refused" "userinfo not allowed" host "user:pw@$H1"
c_row "7 evil.example#@sts host refused" "" host "evil.example#@$H1"
c_row "7 explicit port :443 refused" "port not allowed" host "$H1:443"
c_row "7 other port refused" "port not allowed" host "$H1:8443"
c_row "7 upper-case host refused" "host not in allowlist" host STS.US-EAST-1.AMAZONAWS.COM
c_row "7 mixed-case host refused" "host not in allowlist" host Sts.us-east-1.amazonaws.com
c_row "7 trailing-dot host refused" "host not in allowlist" host "$H1."
c_row "7 IPv4 literal refused" "host not in allowlist" host 52.94.0.1
c_row "7 loopback literal refused" "" host 127.0.0.1
c_row "7 IPv6 literal refused" "" host "[::1]"
c_row "7 punycode host refused" "host not in allowlist" host sts.xn--us-ast-1-ssb.amazonaws.com
c_row "7 IDN (UTF-8) host refused" "" host "sts.us-ēast-1.amazonaws.com"
c_row "7 empty host refused" "" host ""
c_row "7 percent-encoded host refused" "" host "sts%2Eus-east-1.amazonaws.com"
# 8: well-formed, properly signed, not allowlisted
c8() { # NAME HOST REGION
	mint "$PUB" --host "$2" --region "$3"
	rowt "C 8 $1 refused" 400 0 "host not in allowlist"
}
c8 "sts.ap-southeast-2.amazonaws.com (region not configured)" sts.ap-southeast-2.amazonaws.com ap-southeast-2
c8 "sts.cn-north-1.amazonaws.com.cn (other partition)" sts.cn-north-1.amazonaws.com.cn cn-north-1
c8 "sts.us-gov-west-1.amazonaws.com (other partition)" sts.us-gov-west-1.amazonaws.com us-gov-west-1
c8 "FIPS sts-fips.us-east-1.amazonaws.com" sts-fips.us-east-1.amazonaws.com us-east-1
c8 "dual-stack sts.us-east-1.api.aws" sts.us-east-1.api.aws us-east-1
c8 "dual-stack FIPS sts-fips.us-east-1.api.aws" sts-fips.us-east-1.api.aws us-east-1
c8 "iam.amazonaws.com (not STS)" iam.amazonaws.com us-east-1
# 9: path and fragment
c_row "9 path /x refused" "path must be /" path /x
c_row "9 path // refused" "path must be /" path //
c_row "9 path /%2F refused" "path must be /" path /%2F
c_row "9 path /./ refused" "path must be /" path /./
c_row "9 path /.. refused" "path must be /" path /..
c_row "9 path /index.html refused" "path must be /" path /index.html
c_row "9 empty path refused" "path must be /" path ""
c_row "9 fragment at the end refused" "fragment not allowed" suffix "#frag"
c_row "9 empty fragment refused" "fragment not allowed" suffix "#"
mint_url "$PUB"
URL=${URL%%\?*}
rowu "C 9 no query at all refused" 400 0 "missing query"
URL="$URL?"
rowu "C 9 empty query refused" 400 0 "missing query"

# =====================================================================================
# Section 8 D: query
# =====================================================================================
d_row() { # NAME MESSAGE MUT-OPS...
	local n=$1 m=$2
	shift 2
	mint_url "$PUB"
	mut "$@"
	rowu "D $n" 400 0 "$m"
}
# 10: each required parameter missing in turn
for p in Action Version X-Amz-Algorithm X-Amz-Credential X-Amz-Date X-Amz-Expires X-Amz-SignedHeaders X-Amz-Signature; do
	d_row "10 $p missing" "missing $p" del "$p"
done
# X-Amz-Security-Token is optional locally: the stand-in refuses an ASIA key
# without it (InvalidClientTokenId, 401) and knows the AKIA user (403: users
# may not sign in by default)
NOTOK=1 mint "$PUB"
rowt "D 10 ASIA key without X-Amz-Security-Token: STS says InvalidClientTokenId (401)" 401 1 "InvalidClientTokenId"
NOTOK=1 mint "$USERKEY"
rowt "D 10 long-term AKIA key (IAM user) without a session token: 403" 403 1 "cannot sign in"
STOKEN[$USERKEY]=${STOKEN[$PUB]}
mint "$USERKEY"
STOKEN[$USERKEY]=
rowt "D 10 long-term AKIA key with a session token: STS says InvalidClientTokenId (401)" 401 1 "InvalidClientTokenId"
# 11: unknown parameters, properly signed
for p in "X-Amz-Target=AWSSecurityTokenServiceV20110615.AssumeRole" "RoleArn=arn:aws:iam::$ACCT:role/Admin" \
    "Foo=1" "X-Amz-User-Agent=aws-sdk" "X-Amz-Content-Sha256=UNSIGNED-PAYLOAD" "DurationSeconds=900"; do
	mint "$PUB" --param "$p"
	rowt "D 11 signed extra parameter ${p%%=*} refused" 400 0 "unknown parameter"
done
d_row "11 unsigned extra parameter Foo=1 refused" "unknown parameter" add Foo=1
d_row "11 parameter without '=' refused" "without '='" add Foo
d_row "11 empty parameter (&&) refused" "empty parameter" sub "&Version=" "&&Version="
# 12: duplicates
d_row "12 Action twice (exact duplicate)" "duplicate parameter" dup Action
d_row "12 X-Amz-Signature twice" "duplicate parameter" dup X-Amz-Signature
d_row "12 X-Amz-Date twice" "duplicate parameter" dup X-Amz-Date
d_row "12 X-Amz-Credential=real&x-amz-credential=eve (CVE-2022-2385)" "duplicate parameter" \
    add "x-amz-credential=EVE0000000000000EVE%2F20240101%2Fus-east-1%2Fsts%2Faws4_request"
d_row "12 x-amz-date case variant before the real one" "" sub "?" "?x-amz-date=20200101T000000Z&"
d_row "12 lower-case-only action=GetCallerIdentity" "unknown parameter" rename Action action
d_row "12 lower-case-only x-amz-signature" "unknown parameter" rename X-Amz-Signature x-amz-signature
d_row "12 upper-case-only X-AMZ-DATE" "unknown parameter" rename X-Amz-Date X-AMZ-DATE
d_row "12 percent-encoded name (X-Amz-Dat%65)" "" rename X-Amz-Date X-Amz-Dat%65
# 13: values
for a in AssumeRole AssumeRoleWithWebIdentity GetSessionToken GetFederationToken; do
	mint "$PUB" --action "$a"
	rowt "D 13 Action=$a (signed) refused" 400 0 "action must be GetCallerIdentity"
done
mint "$PUB" --action "GetCallerIdentity "
rowt "D 13 Action 'GetCallerIdentity ' (trailing space, signed) refused" 400 0 "action must be GetCallerIdentity"
d_row "13 Action=GetCaller%49dentity refused" "needless percent-encoding" set Action GetCaller%49dentity
d_row "13 Action=getcalleridentity refused" "action must be GetCallerIdentity" set Action getcalleridentity
mint "$PUB" --version 2011-06-16
rowt "D 13 Version=2011-06-16 (signed) refused" 400 0 "version must be 2011-06-15"
d_row "13 X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256 (SigV4A) refused" "algorithm must be AWS4-HMAC-SHA256" set X-Amz-Algorithm AWS4-ECDSA-P256-SHA256
d_row "13 X-Amz-Algorithm=AWS4-HMAC-SHA512 refused" "algorithm must be AWS4-HMAC-SHA256" set X-Amz-Algorithm AWS4-HMAC-SHA512
d_row "13 X-Amz-Algorithm=aws4-hmac-sha256 refused" "algorithm must be AWS4-HMAC-SHA256" set X-Amz-Algorithm aws4-hmac-sha256
d_row "13 ';' as a separator refused" "';' is not a separator" semi
d_row "13 '+' in a value refused" "'+' is not allowed" set Version 2011-06-15+
d_row "13 %zz refused" "bad percent-encoding" set Version 2011-06-15%zz
d_row "13 '%' at the end refused" "truncated percent-encoding" set Version 2011-06-15%
d_row "13 '%4' at the end refused" "truncated percent-encoding" set Version 2011-06-15%4
d_row "13 unencoded '=' in a value refused" "unencoded '='" set Version 2011-06-15=x
d_row "13 unencoded '/' in the credential refused" "invalid character" sub "%2F" "/"
d_row "13 empty X-Amz-Security-Token refused" "security token must be" set X-Amz-Security-Token ""
d_row "13 X-Amz-Security-Token with a non-base64 byte refused" "security token must be" set X-Amz-Security-Token "abc%21def"
# 14: X-Amz-Expires
for e in 0 -1 901 60s 1e2 100000000000000000000 060 "" "%2060" 0x3c; do
	d_row "14 X-Amz-Expires='$e' refused" "" set X-Amz-Expires "$e"
done
for e in 1 900; do
	mint "$PUB" --expires "$e"
	rowt "D 14 X-Amz-Expires=$e (signed) accepted" 200 1 ""
done
# 15: X-Amz-Signature
mint_url "$PUB"
SIG=$(printf '%s' "$URL" | sed -n 's/.*X-Amz-Signature=\([0-9a-f]*\).*/\1/p')
UPPER=$(printf '%s' "$SIG" | tr a-f A-F)
mut set X-Amz-Signature "$UPPER"
rowu "D 15 upper-case hex signature refused" 400 0 "signature must be 64 lower-case hex"
d_row "15 63-digit signature refused" "signature must be 64" set X-Amz-Signature "${SIG:0:63}"
d_row "15 65-digit signature refused" "signature must be 64" set X-Amz-Signature "${SIG}0"
d_row "15 non-hex signature refused" "signature must be 64" set X-Amz-Signature "${SIG:0:63}g"
d_row "15 empty signature refused" "signature must be 64" set X-Amz-Signature ""
# 16: X-Amz-SignedHeaders
mint "$PUB" --no-audience
rowt "D 16 SignedHeaders=host (audience unsigned; properly signed) refused" 400 0 "signedheaders must be exactly"
mint "$PUB" --header accept:application/json
rowt "D 16 SignedHeaders=accept;host;x-k8s-aws-id (properly signed) refused" 400 0 "signedheaders must be exactly"
for sh in "host%3Bx-k8s-aws-id%3Baccept" "x-k8s-aws-id%3Bhost" "host%3B%3Bx-k8s-aws-id" "HOST%3BX-K8S-AWS-ID" \
    "host%3Bx-k8s-aws-id%3B" "host%3Bx-registry-server-id" "host"; do
	d_row "16 SignedHeaders=$sh refused" "signedheaders must be exactly" set X-Amz-SignedHeaders "$sh"
done
# 17: X-Amz-Credential
mint "$PUB" --service s3
rowt "D 17 service s3 (properly signed) refused" 400 0 "service must be sts"
d_row "17 service STS refused" "service must be sts" sub "%2Fsts%2F" "%2FSTS%2F"
d_row "17 terminator aws4_request2 refused" "terminator must be aws4_request" sub "aws4_request" "aws4_request2"
TODAY=$(date -u +%Y%m%d)
YDAY=$(date -u -d yesterday +%Y%m%d)
d_row "17 credential date != X-Amz-Date date refused" "date does not match" sub "%2F$TODAY%2F" "%2F$YDAY%2F"
mint "$PUB" --host "$H1" --region us-west-2
rowt "D 17 region us-west-2 on sts.us-east-1 (properly signed) refused" 400 0 "region does not match"
mint "$PUB" --host sts.amazonaws.com --region us-west-2
rowt "D 17 region us-west-2 on the global host (properly signed) refused" 400 0 "region does not match"
mint "$PUB" --host sts.amazonaws.com --region eu-west-1
rowt "D 17 region eu-west-1 on the global host (properly signed) refused" 400 0 "region does not match"
d_row "17 lower-case AKID refused" "bad access key id" sub "$PUB" "$(printf %s "$PUB" | tr '[:upper:]' '[:lower:]')"
d_row "17 15-character AKID refused" "bad access key id" sub "$PUB" "${PUB:0:15}"
d_row "17 129-character AKID refused" "bad access key id" sub "$PUB" "$(head -c 129 /dev/zero | tr '\0' A)"
d_row "17 '/' inside the AKID refused" "credential: must be" sub "$PUB" "ASIATF%2FPUBLISHER00001"
d_row "17 '-' inside the AKID refused" "bad access key id" sub "$PUB" "ASIATF-PUBLISHER00001"
d_row "17 empty AKID refused" "" sub "$PUB" ""
d_row "17 credential with 4 parts refused" "credential: must be" sub "%2Faws4_request" ""
d_row "17 credential with 6 parts refused" "credential: must be" sub "aws4_request" "aws4_request%2Fx"
# 18: X-Amz-Date
d18() { # NAME VALUE
	local v=$2
	mint_url "$PUB"
	mut set X-Amz-Date "$v" sub "%2F$TODAY%2F" "%2F${v:0:8}%2F"
	rowu "D 18 $1" 400 0 "x-amz-date"
}
d18 "ISO 8601 extended 2024-01-01T00:00:00Z refused" 2024-01-01T00%3A00%3A00Z
d18 "no Z (${TODAY}T000000) refused" "${TODAY}T000000"
d18 "month 13 refused" 20241301T000000Z
d18 "February 30 refused" 20240230T000000Z
d18 "hour 24 refused" "${TODAY}T246000Z"
d18 "minute 60 refused" "${TODAY}T006000Z"
d18 "second 60 (leap second) refused" "${TODAY}T235960Z"
d18 "lower-case t and z refused" "${TODAY}t000000z"
d18 "far past (2015) refused" 20150830T123600Z
d18 "far future (2099) refused" 20990101T000000Z
# boundaries: mint at the very start of a second so that registryd's clock
# reads the same second
second_start() {
	local ns
	while :; do
		ns=$(date +%N)
		[ "${ns:0:1}" -lt 2 ] && return
		sleep 0.02
	done
}
for off in -301:400 61:400 -300:200 60:200 -299:200 59:200; do
	o=${off%%:*} w=${off##*:}
	second_start
	mint "$PUB" --date-offset "$o"
	case $o in -*) os=$o ;; *) os=+$o ;; esac
	if [ "$w" = 200 ]; then
		rowt "D 18 X-Amz-Date now${os} s accepted" 200 1 ""
	else
		rowt "D 18 X-Amz-Date now${os} s refused" 400 0 "x-amz-date"
	fi
done

# =====================================================================================
# Section 8 D 19: replay, D 20: audience
# =====================================================================================
mint_url "$PUB"
REPLAY_URL=$URL
TOK=$(printf '%s\n' "$URL" | wrap)
rowt "D 19 first use of a token: 200" 200 1 ""
rowt "D 19 the same token again: 401, no STS call" 401 0 "already used"
URL=$REPLAY_URL
mut reverse
rowu "D 19 same signature, parameters in reverse order: 401" 401 0 "already used"
URL=$REPLAY_URL
mut lowerpct
rowu "D 19 same signature, lower-case percent-encoding: 401" 401 0 "already used"
URL=$REPLAY_URL
mut reverse lowerpct
rowu "D 19 same signature, both re-encodings: 401" 401 0 "already used"
URL=$REPLAY_URL
mut sub "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id" "X-Amz-SignedHeaders=host%3bx-k8s-aws-id"
rowu "D 19 same signature, one escape in lower case: 401" 401 0 "already used"
if [ -n "$HAVE_SDK" ]; then
	mint_sdk "$PUB"
	rowt "D 19 SDK token, first use: 200" 200 1 ""
	rowt "D 19 SDK token, second use: 401" 401 0 "already used"
fi
for round in 1 2 3; do
	mint "$PUB"
	tokfile "$T/race.json"
	b=$(sts_total)
	for k in 1 2; do
		curl -s -o "$T/race$k.out" -w '%{http_code}\n' --cacert "$STACK_CA" -X POST \
		    -H "Content-Type: application/json" --data-binary "@$T/race.json" \
		    "$STACK_URL/v1/auth/token" >"$T/race$k" &
		eval "rp$k=\$!"
	done
	# shellcheck disable=SC2154
	wait "$rp1" "$rp2"
	for k in 1 2; do
		grep -o '"token":"reg1[^"]*' "$T/race$k.out" | cut -d'"' -f4 >>"$T/issued"
	done
	got=$(cat "$T/race1" "$T/race2" | sort | paste -sd' ')
	d=$(($(sts_total) - b))
	if [ "$got" = "200 401" ] && [ "$d" = 1 ]; then
		pass "D 19 two concurrent exchanges of one token, round $round: exactly one 200"
	else
		fail "D 19 two concurrent exchanges of one token, round $round" "statuses [$got], stand-in saw $d"
	fi
done
for a in prod-cluster vault.example.com 127.0.0.1 "127.0.0.1:$((STACK_PORT + 1))" "https://$AUD"; do
	next_exp
	TOK=$(env AWS_ACCESS_KEY_ID="$PUB" AWS_SECRET_ACCESS_KEY="${SECRET[$PUB]}" \
	    AWS_SESSION_TOKEN="${STOKEN[$PUB]}" "$PRESIGN" --audience "$a" --expires "$EXPN")
	printf '%s\n' "$TOK" >>"$T/minted"
	rowt "D 20 token signed for audience '$a': 401 after one STS call" 401 1 "SignatureDoesNotMatch"
done
# a wrong secret: local checks pass, STS refuses
next_exp
TOK=$(env AWS_ACCESS_KEY_ID="$PUB" AWS_SECRET_ACCESS_KEY="wrong${SECRET[$PUB]:5}" \
    AWS_SESSION_TOKEN="${STOKEN[$PUB]}" "$PRESIGN" --audience "$AUD" --expires "$EXPN")
printf '%s\n' "$TOK" >>"$T/minted"
rowt "D 20 wrong secret key: 401 (SignatureDoesNotMatch)" 401 1 "SignatureDoesNotMatch"
next_exp
TOK=$(env AWS_ACCESS_KEY_ID=ASIAUNKNOWNKEY000001 AWS_SECRET_ACCESS_KEY=x AWS_SESSION_TOKEN=abc \
    "$PRESIGN" --audience "$AUD" --expires "$EXPN")
rowt "D 20 unknown access key: 401 (InvalidClientTokenId)" 401 1 "InvalidClientTokenId"
mint "$EXPIRED"
rowt "D 20 expired temporary credentials: 401 (ExpiredToken)" 401 1 "ExpiredToken"

# The 2-second token is dead by now.
w=$((SHORT_T0 + 3 - $(date +%s)))
[ "$w" -gt 0 ] && sleep "$w"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $SHORT"
eq "F 27 the 2-second token after it expired: 401" 401 "$H_STATUS"
contains "F 27 expired token message" "expired" "$H_BODY"

# =====================================================================================
# Section 8 E: upstream behaviour (the stand-in misbehaves)
# =====================================================================================
e_row() { # NAME WANT DELTA MESSAGE CONTROL-JSON
	sts_mode "$5"
	mint "$PUB"
	rowt "E $1" "$2" "$3" "$4"
	sts_clear
}
# 21: redirects are not followed
for s in 301 302 303 307 308; do
	e_row "21 $s redirect to http://evil.example/ not followed: 503" 503 1 "" "{\"mode\":\"redirect\",\"status\":$s}"
done
e_row "21 302 to https://127.0.0.1 (the stand-in itself) not followed: 503" 503 1 "" \
    "{\"mode\":\"redirect\",\"status\":302,\"location\":\"https://127.0.0.1:$SPORT/\"}"
# 22: content types
e_row "22 Content-Type text/xml: 503" 503 1 "" '{"mode":"content-type","content_type":"text/xml"}'
e_row "22 Content-Type text/html: 503" 503 1 "" '{"mode":"content-type","content_type":"text/html"}'
e_row "22 no Content-Type: 503" 503 1 "" '{"mode":"content-type","content_type":null}'
e_row "22 Content-Type application/jsonp: 503" 503 1 "" '{"mode":"content-type","content_type":"application/jsonp"}'
e_row "22 Content-Type application/x-amz-json-1.1: 503" 503 1 "" '{"mode":"content-type","content_type":"application/x-amz-json-1.1"}'
e_row "22 Content-Type application/json; charset=utf-8: accepted" 200 1 "" '{"mode":"content-type","content_type":"application/json; charset=utf-8"}'
# 23: bodies
for m in dup-keys extra-top nested arn-number arn-null arn-empty trailing-garbage json-string-xml oversize; do
	e_row "23 body $m: 503" 503 1 "" "{\"mode\":\"$m\"}"
done
e_row "23 trailing whitespace-free garbage 'x': 503" 503 1 "" '{"mode":"trailing-garbage","garbage":"x"}'
SETTLE=1.0 e_row "23 body that never ends (hang; sts_timeout_ms 1500): 503" 503 1 "" '{"mode":"hang","seconds":2}'
e_row "23 connection closed without an answer: 503" 503 1 "" '{"mode":"drop"}'
SETTLE=0.3 e_row "23 answer 3 s late (over the timeout): 503" 503 any "" '{"mode":"delay","seconds":3}'
sleep 2.5
e_row "23 answer 0.5 s late (within the timeout): 200" 200 1 "" '{"mode":"delay","seconds":0.5}'
# 24: errors
for c in SignatureDoesNotMatch InvalidClientTokenId ExpiredToken AccessDenied; do
	e_row "24 403 $c: 401" 401 1 "$c" "{\"mode\":\"status\",\"status\":403,\"code\":\"$c\"}"
done
e_row "24 400 InvalidParameterValue: 401" 401 1 "" '{"mode":"status","status":400,"code":"InvalidParameterValue"}'
e_row "24 400 Throttling: 503 + Retry-After" 503 1 "" '{"mode":"throttle"}'
rowt "E 24 the throttled token is spent: the same token again is 401 (replay), no STS call" 401 0 "already used"
e_row "24 500 InternalFailure: 503 after one retry" 503 2 "" '{"mode":"status","status":500,"code":"InternalFailure"}'
e_row "24 503 ServiceUnavailable: 503 after one retry" 503 2 "" '{"mode":"status","status":503,"code":"ServiceUnavailable"}'
e_row "24 500 once, then a good answer: the retry succeeds" 200 2 "" '{"mode":"status","status":500,"count":1}'
e_row "24 200 with an error body: 503" 503 1 "" '{"mode":"status","status":200,"code":"Throttling"}'
# 25: identities (check 14 failures are 503, check 15/16 refusals 403)
for p in account-mismatch other-partition root federated-user user role-arn assumed-role-2 assumed-role-4 \
    assumed-role-5 instance-profile group upper-arn region-set seven-fields star-name space-name pct-name \
    role-case userid-no-colon userid-not-aroa account-short; do
	e_row "25 identity $p: 403" 403 1 "" "{\"mode\":\"identity\",\"preset\":\"$p\"}"
done
for p in missing-arn missing-userid missing-account account-number long-arn control-char; do
	e_row "25 malformed identity $p: 503" 503 1 "" "{\"mode\":\"identity\",\"preset\":\"$p\"}"
done
e_row "25 UserId session differs from the ARN session: 403" 403 1 "" \
    '{"mode":"identity","Arn":"arn:aws:sts::123456789012:assumed-role/tf-publisher/ci-session","UserId":"AROAEXAMPLEID1234567:other-session","Account":"123456789012"}'
e_row "25 identity with an IAM path in the assumed-role ARN: 403" 403 1 "" \
    '{"mode":"identity","Arn":"arn:aws:sts::123456789012:assumed-role/platform/tf-publisher/ci-session","UserId":"AROAEXAMPLEID1234567:ci-session","Account":"123456789012"}'
# TLS failures: restart the stand-in with bad certificates
for c in wronghost expired selfsigned; do
	sts_stop
	if ! sts_start "$c"; then
		fail "E 24 stand-in restarts with $c.crt" "$(tail -3 "$T/sts.err")"
		continue
	fi
	STS_CURL=(-k)
	mint "$PUB"
	rowt "E 24 TLS $c certificate: 503, no request reaches the stand-in" 503 0 ""
	STS_CURL=(--cacert "$CA_STS")
done
sts_stop
if sts_start sts; then pass "stand-in back with its good certificate"; else fail "stand-in restart" "$(tail -3 "$T/sts.err")"; fi
mint "$PUB"
rowt "E 24 control: sign-in works again with the good certificate" 200 1 ""
sts_stop
mint "$PUB"
rowt "E 24 stand-in down (connection refused): 503" 503 any ""
sts_start sts || fail "stand-in restart" "$(tail -3 "$T/sts.err")"

# =====================================================================================
# Section 8 F: authorization
# =====================================================================================
# 26
mint "$READER"
rowt "F 26 role without any grant: 403 (not 401)" 403 1 "has no grant"
grant -r "arn:aws:iam::$ACCT:role/tf-reader" -n beta create
mint "$READER"
rowt "F 26 grant with no rights at all: 403" 403 1 "has no grant"
grant -r "arn:aws:iam::$ACCT:role/tf-reader" -n beta delete
ok "F 26 grant written with a path (role/team/tf-reader) is accepted" \
    grant -r "arn:aws:iam::$ACCT:role/team/tf-reader" -n beta create -d
contains "F 26 manage-registry-permissions warns that the path is ignored" "ignored" "$(cat "$T/perm.out")"
mint "$READER"
tokfile "$T/b.json"
post_token --data-binary "@$T/b.json"
check_issued "F 26 path grant matches the assumed-role caller" "['beta']" "arn:aws:iam::$ACCT:role/tf-reader"
READER_REG=$(json "j['token']")
ok "F 26 grant for role/Admin" grant -r "arn:aws:iam::$ACCT:role/Admin" -n acme create -d -u
mint "$ADMINLOW"
rowt "F 26 grant for role/Admin, caller role/admin: 403" 403 1 "has no grant"
ok "F 26 grant pinned to another unique id" \
    grant -r "arn:aws:iam::210987654321:role/tf-publisher" -n gamma create -d --unique-id AROAOTHERDIFFERENT01
mint "$OTHERACCT"
rowt "F 26 pinned unique id differs from the caller's (role re-created): 403" 403 1 "re-created"
grant -r "arn:aws:iam::210987654321:role/tf-publisher" -n gamma update --unique-id AROAOTHERACCTROLE001
mint "$OTHERACCT"
tokfile "$T/b.json"
post_token --data-binary "@$T/b.json"
check_issued "F 26 pin set to the caller's unique id" "['gamma']" "arn:aws:iam::210987654321:role/tf-publisher"
PINNED_REG=$(json "j['token']")
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $PINNED_REG"
eq "F 26 other account, same role name: 403 on acme" 403 "$H_STATUS"
http GET /v1/modules/gamma/thing/null/versions -H "Authorization: Bearer $PINNED_REG"
eq "F 26 pinned grant, matching caller: 200 on gamma" 200 "$H_STATUS"
# The role is re-created (new unique id): the admin re-pins the grant.  The
# pin must hold at request time too, not only when a token is issued.
grant -r "arn:aws:iam::210987654321:role/tf-publisher" -n gamma update --unique-id AROAOTHERDIFFERENT01
http GET /v1/modules/gamma/thing/null/versions -H "Authorization: Bearer $PINNED_REG"
eq "F 26 token of the old role instance after the grant is re-pinned: 403 on gamma" 403 "$H_STATUS"
ok "F 26 unpinned grant of the same role on delta" \
    grant -r "arn:aws:iam::210987654321:role/tf-publisher" -n delta create -d
mint "$OTHERACCT"
tokfile "$T/b.json"
post_token --data-binary "@$T/b.json"
check_issued "F 26 caller with an unpinned grant (delta) and a mismatched pin (gamma)" "['delta']" "arn:aws:iam::210987654321:role/tf-publisher"
MIXED_REG=$(json "j['token']")
http GET /v1/modules/gamma/thing/null/versions -H "Authorization: Bearer $MIXED_REG"
eq "F 26 that token on the namespace whose pin does not match: 403" 403 "$H_STATUS"

# 27
http GET /v1/modules/beta/thing/null/versions -H "Authorization: Bearer $READER_REG"
eq "F 27 reader token on its namespace: 200" 200 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $READER_REG"
eq "F 27 reader token on another namespace: 403" 403 "$H_STATUS"
http PUT /v1/modules/beta/thing/null/9.0.0 -H "Authorization: Bearer $READER_REG" --data-binary "@$T/hello-1.0.0.tar.gz"
eq "F 27 reader token without the upload right: 403" 403 "$H_STATUS"
grant -r "arn:aws:iam::$ACCT:role/tf-reader" -n beta delete
http GET /v1/modules/beta/thing/null/versions -H "Authorization: Bearer $READER_REG"
eq "F 27 issued token after its grant is removed: 403 on the next request" 403 "$H_STATUS"
http GET "/v1/modules/acme/hello/null/versions?token=$REG"
eq "F 27 token in the query string: 400" 400 "$H_STATUS"
contains "F 27 query-string message" "query string" "$H_BODY"
http GET "/v1/modules/acme/hello/null/versions?access_token=$REG"
eq "F 27 token as access_token in the query string: 400" 400 "$H_STATUS"
for s in bearer BEARER bEaReR; do
	http GET /v1/modules/acme/hello/null/versions -H "Authorization: $s $REG"
	eq "F 27 scheme '$s' accepted" 200 "$H_STATUS"
done
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer  $REG"
eq "F 27 two spaces after Bearer: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $REG "
eq "F 27 trailing space after the token: ignored (HTTP optional whitespace, not part of the value)" 200 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $REG x"
eq "F 27 a second word after the token: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "$(printf 'Authorization: Bearer\t%s' "$REG")"
eq "F 27 tab after Bearer: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer"
eq "F 27 Bearer without a token: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Basic $REG"
eq "F 27 Basic scheme: 401" 401 "$H_STATUS"
FORGED=$(python3 - "$REG" <<'PY'
import base64, os, sys
p = sys.argv[1].split(".")
print(".".join([p[0], p[1], base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()]))
PY
)
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $FORGED"
eq "F 27 token never issued (valid payload, random MAC): 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer reg1.$(head -c 120 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d =).$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d =)"
eq "F 27 random reg1. token: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer ${REG%?}"
eq "F 27 truncated token (one character): 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer ${REG%.*}"
eq "F 27 token without its MAC: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $GOOD"
eq "F 27 the k8s-aws-v1 token itself as a bearer token: 401" 401 "$H_STATUS"
# retired signing key (registryd reloads on SIGHUP)
OLDKID=$("$ADMIN" --state "$STACK_STATE" key list 2>/dev/null | awk '/current/ {print $1}')
"$ADMIN" --state "$STACK_STATE" key rotate >/dev/null 2>&1
kill -HUP "$STACK_REGD_PID"
sleep 0.3
mint "$PUB"
tokfile "$T/b.json"
post_token --data-binary "@$T/b.json"
NEWREG=$(json "j['token']")
eq "F 27 sign-in after a key rotation: 200" 200 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_REG"
eq "F 27 token of the old key still valid before it is retired" 200 "$H_STATUS"
"$ADMIN" --state "$STACK_STATE" key retire "$OLDKID" >/dev/null 2>&1
kill -HUP "$STACK_REGD_PID"
sleep 0.3
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_REG"
eq "F 27 token of a retired key after SIGHUP: 401" 401 "$H_STATUS"
# registryd reloads keys at most once per 5 s (keyring_cache min_interval)
sleep 5.2
kill -HUP "$STACK_REGD_PID"
sleep 0.3
http GET /v1/modules/acme/hello/null/versions -H "$AUTH_REG"
eq "F 27 token of a retired key after a SIGHUP 5 s later: 401" 401 "$H_STATUS"
http GET /v1/modules/acme/hello/null/versions -H "Authorization: Bearer $NEWREG"
eq "F 27 token of the new key still valid" 200 "$H_STATUS"

# =====================================================================================
# terraform init with an exchanged token
# =====================================================================================
TF=${TERRAFORM:-$(command -v terraform || true)}
tf_init() { # dir token mode(block|env|none) [extra args]
	local d=$1 tk=$2 mode=$3
	shift 3
	mkdir -p "$d/home"
	if [ "$mode" = block ]; then
		printf 'credentials "127.0.0.1:%s" {\n  token = "%s"\n}\n' "$STACK_PORT" "$tk" >"$d/cli.tfrc"
	else
		: >"$d/cli.tfrc"
	fi
	local envtok=()
	[ "$mode" = env ] && envtok=("TF_TOKEN_127_0_0_1:$STACK_PORT=$tk")
	(cd "$d" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$d/home" \
	    TF_CLI_CONFIG_FILE="$d/cli.tfrc" SSL_CERT_FILE="$STACK_CA" \
	    SSL_CERT_DIR="$d/nocerts" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TMPDIR="$T" \
	    "${envtok[@]}" "$TF" init -input=false -no-color "$@") >"$d/init.log" 2>&1
}
tf_root() { # dir source version
	mkdir -p "$1"
	printf 'module "m" {\n  source  = "%s"\n  version = "%s"\n}\noutput "msg" {\n  value = module.m.msg\n}\n' "$2" "$3" >"$1/main.tf"
}
if [ -z "$TF" ]; then
	skip "terraform not found"
else
	mint "$PUB"
	tokfile "$T/b.json"
	post_token --data-binary "@$T/b.json"
	TFREG=$(json "j['token']")
	eq "terraform: token exchanged" 200 "$H_STATUS"
	SRCADDR=127.0.0.1:$STACK_PORT/acme/hello/null
	tf_root "$T/tf1" "$SRCADDR" "~> 1.0"
	if tf_init "$T/tf1" "$TFREG" env; then pass "terraform init with TF_TOKEN_127_0_0_1:$STACK_PORT"; else fail "terraform init with TF_TOKEN_" "$(tail -5 "$T/tf1/init.log")"; fi
	contains "terraform (env token) installed 1.2.0" '"Version":"1.2.0"' "$(cat "$T/tf1/.terraform/modules/modules.json" 2>/dev/null)"
	contains "terraform (env token) module files" "module version 1.2.0" "$(cat "$T/tf1/.terraform/modules/m/main.tf" 2>/dev/null)"
	tf_root "$T/tf2" "$SRCADDR" "~> 1.0"
	if tf_init "$T/tf2" "$TFREG" block; then pass "terraform init with a credentials block"; else fail "terraform init with a credentials block" "$(tail -5 "$T/tf2/init.log")"; fi
	contains "terraform (credentials block) installed 1.2.0" '"Version":"1.2.0"' "$(cat "$T/tf2/.terraform/modules/modules.json" 2>/dev/null)"
	ok "grant of tf-publisher on acme deleted" grant -r "$PUB_ARN" -n acme delete
	if tf_init "$T/tf1" "$TFREG" env -upgrade; then fail "terraform init -upgrade after the grant is deleted fails" "it succeeded"; else pass "terraform init -upgrade after the grant is deleted fails"; fi
	contains "terraform shows 403" "403 Forbidden" "$(cat "$T/tf1/init.log")"
	if tf_init "$T/tf2" "$TFREG" block -upgrade; then fail "terraform init -upgrade (credentials block) fails without the grant" "it succeeded"; else pass "terraform init -upgrade (credentials block) fails without the grant"; fi
	contains "terraform (credentials block) shows 403" "403" "$(cat "$T/tf2/init.log")"
	mint "$PUB"
	rowt "sign-in once the publisher has no grant left: 403" 403 1 "has no grant"
	grant -r "$PUB_ARN" -n acme create -d -u
fi

# =====================================================================================
# start-up checks of the test hooks, and a registry without the global host
# =====================================================================================
REGD=$STACK_BIN/registryd
CONF=$STACK_STATE/registryd.conf
quiet() { "$@" >/dev/null 2>&1; }
ok "registryd -n accepts the suite's configuration with -T" quiet "$REGD" -n -T -f "$CONF"
if "$REGD" -n -f "$CONF" >"$T/n.out" 2>&1; then fail "sts_test_endpoint without -T is refused" "accepted"; else pass "sts_test_endpoint without -T is refused"; fi
contains "sts_test_endpoint without -T: the message says why" "-T" "$(cat "$T/n.out")"
sed "s/^sts_test_endpoint = .*/sts_test_endpoint = 10.0.0.1:$SPORT/" "$CONF" >"$T/bad1.conf"
if "$REGD" -n -T -f "$T/bad1.conf" >/dev/null 2>&1; then fail "non-loopback sts_test_endpoint is refused" "accepted"; else pass "non-loopback sts_test_endpoint is refused"; fi
sed "s/^sts_endpoint = sts.amazonaws.com us-east-1 aws$/sts_endpoint = sts.amazonaws.com us-east-1 aws-cn/" "$CONF" >"$T/bad2.conf"
if "$REGD" -n -T -f "$T/bad2.conf" >/dev/null 2>&1; then fail "C 8 global host in partition aws-cn is refused at start-up" "accepted"; else pass "C 8 global host in partition aws-cn is refused at start-up"; fi
stack_kill "$STACK_REGD_PID"
sed -i '/^sts_endpoint = sts.amazonaws.com us-east-1 aws$/d' "$CONF"
rm -f "$STACK_STATE/run/registryd.sock"
if stack_start_registryd; then
	pass "registryd restarts without the global STS host"
	mint "$PUB" --host sts.amazonaws.com --region us-east-1
	rowt "C 8 global host when not configured: 400" 400 0 "host not in allowlist"
	mint "$PUB"
	rowt "C 8 control: the regional host still works" 200 1 ""
else
	fail "registryd restarts without the global STS host" "$(tail -5 "$STACK_STATE/registryd.log")"
fi

# =====================================================================================
# rate limit (nginx limit_req 20 r/s, burst 20)
# =====================================================================================
printf '{}' >"$T/empty.json"
rl_pids=
for i in $(seq 1 60); do
	curl -s -o "$T/rl.$i" -w '%{http_code}\n' --cacert "$STACK_CA" -X POST \
	    -H "Content-Type: application/json" --data-binary "@$T/empty.json" \
	    "$STACK_URL/v1/auth/token" >"$T/rl.code.$i" &
	rl_pids="$rl_pids $!"
done
# shellcheck disable=SC2086
wait $rl_pids
n429=$(cat "$T"/rl.code.* | grep -c '^429$')
n400=$(cat "$T"/rl.code.* | grep -c '^400$')
if [ "$n429" -gt 0 ]; then pass "rate limit: a burst of 60 sees $n429 x 429 ($n400 x 400)"; else fail "rate limit: a burst of 60 sees some 429" "codes: $(cat "$T"/rl.code.* | sort | uniq -c | tr '\n' ' ')"; fi
f429=$(grep -l '^429$' "$T"/rl.code.* | head -1)
[ -n "$f429" ] && contains "rate limit: 429 has a JSON errors body" '"errors"' "$(cat "${f429/rl.code./rl.}")"
sleep 1.5

# =====================================================================================
# audit, logs
# =====================================================================================
stack_stop
"$ADMIN" --state "$STACK_STATE" audit >"$T/audit.jsonl" 2>"$T/audit.err"
python3 - "$T/audit.jsonl" "$STACK_STATE/nginx/logs/access.log" >"$T/audit.check" <<'PY'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
issued = [r for r in recs if r.get("action") == "token-issued"]
refused = [r for r in recs if r.get("action") == "token-refused"]
n200 = nref = 0
for line in open(sys.argv[2]):
    m = re.search(r'"POST /v1/auth/token HTTP/[0-9.]+" (\d{3}) ', line)
    if not m:
        continue
    s = int(m.group(1))
    if s == 200:
        n200 += 1
    elif s not in (413, 429, 499):
        nref += 1
def out(k, v):
    print("%s=%s" % (k, v))
out("issued", len(issued)); out("ok200", n200)
out("refused", len(refused)); out("nref", nref)
need = ("principal", "account", "session_name", "access_key_id", "sts_request_id", "jti")
out("issued_missing", sum(1 for r in issued if not all(r.get(k) for k in need)))
out("refused_noreason", sum(1 for r in refused if not r.get("reason") or not r.get("status")))
def has(pred):
    return sum(1 for r in refused if pred(r))
out("replay", has(lambda r: r.get("reason") == "replay" and r.get("access_key_id") == "ASIATFPUBLISHER00001"))
out("nogrant", has(lambda r: r.get("reason") == "no grant" and r.get("sts_principal") == "aws:aws:123456789012:role:tf-reader"
    and r.get("account") == "123456789012" and r.get("session_name") == "ci-session" and r.get("sts_request_id")))
out("pin", has(lambda r: r.get("reason") == "unique id mismatch"))
out("sdm", has(lambda r: "SignatureDoesNotMatch" in r.get("reason", "") and r.get("sts_request_id") and r.get("status") == 401))
out("local", has(lambda r: r.get("reason", "").startswith("url: host not in allowlist") and r.get("status") == 400))
out("assumed", sum(1 for r in issued if r.get("session_name") == "it-session"))
out("pubkey", sum(1 for r in issued if r.get("principal") == "aws:aws:123456789012:role:tf-publisher"
    and r.get("account") == "123456789012"))
PY
av() { sed -n "s/^$1=//p" "$T/audit.check"; }
if [ -s "$T/audit.jsonl" ]; then pass "registry-admin audit prints records"; else fail "registry-admin audit prints records" "$(cat "$T/audit.err")"; fi
eq "audit: one token-issued record per 200 of /v1/auth/token" "$(av ok200)" "$(av issued)"
eq "audit: one token-refused record per refusal of /v1/auth/token" "$(av nref)" "$(av refused)"
eq "audit: every issued record has principal, account, session, access key id, STS request id, jti" 0 "$(av issued_missing)"
eq "audit: every refusal has a reason and a status" 0 "$(av refused_noreason)"
ok "audit: replay refusals name the access key id" test "$(av replay)" -ge 1
ok "audit: no-grant refusal names principal, account, session, STS request id" test "$(av nogrant)" -ge 1
ok "audit: unique-id mismatch recorded" test "$(av pin)" -ge 1
ok "audit: SignatureDoesNotMatch recorded with the STS request id" test "$(av sdm)" -ge 1
ok "audit: local refusals recorded with their reason" test "$(av local)" -ge 1
ok "audit: the AssumeRole session name is recorded" test "$(av assumed)" -ge 1
ok "audit: issued records carry the canonical principal key" test "$(av pubkey)" -ge 1

# secrets: keys.json, the AssumeRole credentials, every signature minted,
# every reg1. token issued (and the session tokens as they appear in URLs)
{
	for k in "${!SECRET[@]}"; do printf '%s\n' "${SECRET[$k]}"; done
	for k in "${!STOKEN[@]}"; do
		[ -n "${STOKEN[$k]}" ] || continue
		printf '%s\n' "${STOKEN[$k]}"
		python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "${STOKEN[$k]}"
		printf '%s\n' "${STOKEN[$k]:0:40}"
	done
	tk sigs "$T/minted"
	grep '^reg1\.' "$T/issued" 2>/dev/null
	printf '%s\n' "$ADMIN_TOK"
} | grep -v '^$' | sort -u >"$T/secrets"
nsig=$(tk sigs "$T/minted" | sort -u | wc -l)
nreg=$(grep -c '^reg1\.' "$T/issued")
ok "leak check covers $nsig signatures and $nreg issued tokens" test "$nsig" -gt 100 -a "$nreg" -gt 20
ok "leak check patterns do find the issued tokens (self-test)" grep -q -F -f "$T/secrets" "$T/issued"
printf '%s\n' "$ADMIN_TOK" >"$T/leak.selftest"
python3 -c 'import sys, urllib.parse; print("x" + urllib.parse.quote(sys.argv[1], safe="") + "x")' "${STOKEN[$PUB]}" >>"$T/leak.selftest"
eq "leak check patterns find an encoded session token and an API token (self-test)" 2 "$(grep -c -F -f "$T/secrets" "$T/leak.selftest")"
for f in "$STACK_STATE/registryd.log" "$STACK_STATE/nginx/logs/access.log" "$STACK_STATE/nginx/logs/error.log" \
    "$T/sts.log" "$T/sts.err" "$T/audit.jsonl"; do
	if [ ! -e "$f" ]; then
		fail "no secret in ${f#"$T"/}" "missing file"
		continue
	fi
	hits=$(grep -F -c -f "$T/secrets" "$f")
	if [ "$hits" = 0 ]; then
		pass "no secret, signature or token in ${f#"$T"/} ($(wc -l <"$f") lines)"
	else
		fail "no secret in ${f#"$T"/}" "$hits line(s) match, e.g. $(grep -F -o -f "$T/secrets" "$f" | head -1 | cut -c1-12)..."
	fi
done
ok "the stand-in log has requests" test -s "$T/sts.log"
ok "the stand-in log redacts signatures" grep -q REDACTED "$T/sts.log"
n500=$(grep -c '" 500 ' "$STACK_STATE/nginx/logs/access.log")
eq "no request of the suite was answered 500" 0 "$n500"

t_summary
