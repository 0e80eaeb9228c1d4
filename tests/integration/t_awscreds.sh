#!/usr/bin/env bash
# tests/integration/t_awscreds.sh BUILD-DIR: the AWS credential chain
# (auth/awscreds) end to end, from a real process environment.
#
# Builds tests/integration/awscreds_probe.c against BUILD-DIR's libauth.a,
# libstorage.a and libcommon.a (make O=BUILD-DIR BUILD-DIR/libauth.a ...),
# then drives it against loopback servers only:
#   - tests/sts/standin.py (HTTPS with a throwaway CA from tests/sts/mkca.sh,
#     SigV4-verifying, AssumeRole with ExternalId, web identity), or, when it
#     cannot start, the minimal STS of aws_endpoints.py (plain http);
#   - tests/integration/aws_endpoints.py: container endpoint and IMDSv2.
# Prints "PASS name" / "FAIL name: detail", then "N passed, N failed"; exits
# non-zero on any failure.  Everything lives in one mktemp -d directory that
# is removed at exit; servers bind 127.0.0.1 and are stopped by PID.
# Run from the repository root: tests/integration/t_awscreds.sh build/cc-plain
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-python3}
CC=${CC:-cc}
B=${1:-}
if [ -z "$B" ]; then
	echo "usage: $0 BUILD-DIR" >&2
	exit 2
fi
case $B in /*) ;; *) B=$ROOT/$B ;; esac

npass=0
nfail=0
pass() { npass=$((npass + 1)); printf 'PASS %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf 'FAIL %s: %s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | head -c 600)"; }
summary() { printf '%d passed, %d failed\n' "$npass" "$nfail"; }

T=$(mktemp -d "${TMPDIR:-/tmp}/t_awscreds.XXXXXX") || exit 1
PIDS=""
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	for p in $PIDS; do stop_pid "$p"; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_file() { # wait_file PATH: up to 10 s
	for _ in $(seq 1 50); do
		[ -s "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- build the probe ---------------------------------------------------------
for l in libauth.a libstorage.a libcommon.a; do
	if [ ! -f "$B/$l" ]; then
		fail "build probe" "$B/$l missing: make O=${B#"$ROOT"/} ${B#"$ROOT"/}/libauth.a ${B#"$ROOT"/}/libstorage.a ${B#"$ROOT"/}/libcommon.a"
		summary
		exit 1
	fi
done
SANFLAGS=""
case $B in *asan*) SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" ;; esac
# shellcheck disable=SC2046,SC2086
if "$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	-Wall -Wextra -Werror -g $SANFLAGS -I"$ROOT" "$HERE/awscreds_probe.c" \
	"$B/libauth.a" "$B/libstorage.a" "$B/libcommon.a" \
	$(pkg-config --libs libcurl openssl jansson lmdb) -lpthread \
	-o "$T/probe" 2>"$T/cc.err"; then
	pass "build probe"
else
	fail "build probe" "$(cat "$T/cc.err")"
	summary
	exit 1
fi

# ---- fixtures ---------------------------------------------------------------
AKID_USER=AKIAIOSFODNN7EXAMPLE                       # tests/sts/keys.json: ci-bot
SECRET_USER=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AKID_ENV=AKIAPROBEENV00000001
SECRET_ENV=probeEnvSecret/Key+00000000000000000001
AKID_PROF=AKIAPROBEPROFILE0001
SECRET_PROF=probeProfSecret/Key+0000000000000000002
ACCT=123456789012
DEPLOYER=arn:aws:iam::$ACCT:role/tf-deployer
PUBLISHER=arn:aws:iam::$ACCT:role/tf-publisher
WEBID_ROLE=arn:aws:iam::$ACCT:role/tf-webid
EXT_ID=tf-ext-7f3a9c21
CTOKEN=probe-container-auth-token-0123456789abcdef
mkdir -p "$T/home"
WEBID_OK=$("$PY" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1]))["roles"] if r["arn"].endswith("role/tf-webid")][0]; print(r["web_identity_tokens"][0]["token"])' "$ROOT/tests/sts/keys.json" 2>/dev/null)
WEBID_OLD=$("$PY" -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1]))["roles"] if r["arn"].endswith("role/tf-webid")][0]; print(r["web_identity_tokens"][1]["token"])' "$ROOT/tests/sts/keys.json" 2>/dev/null)
[ -n "$WEBID_OK" ] || WEBID_OK=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c3R1Yi1zaWduYXR1cmU
printf '%s' "$WEBID_OK" >"$T/webid.token"
printf '%s' "${WEBID_OLD:-expired}" >"$T/webid.old"
printf '%s' "not-a-valid-token-for-this-role" >"$T/webid.bad"
printf '%s\n' "$CTOKEN" >"$T/container.token"
printf '%s' "wrong-token" >"$T/container.bad"

# ---- servers ----------------------------------------------------------------
"$PY" "$HERE/aws_endpoints.py" --port-file "$T/ep.port" --log "$T/ep.log" \
	--container-token "$CTOKEN" --external-id "$EXT_ID" --external-id-role "$DEPLOYER" \
	--webid-token "$WEBID_OK" 2>"$T/ep.err" &
PIDS="$PIDS $!"
if wait_file "$T/ep.port"; then
	EP=$(cat "$T/ep.port")
	pass "aws_endpoints.py listening on 127.0.0.1:$EP"
else
	fail "aws_endpoints.py start" "$(cat "$T/ep.err")"
	summary
	exit 1
fi
: >"$T/ep.log"

STS_KIND=stub
STS_URL=http://127.0.0.1:$EP
CA=""
if [ -f "$ROOT/tests/sts/standin.py" ] && sh "$ROOT/tests/sts/mkca.sh" "$T/ca" >"$T/mkca.out" 2>&1; then
	"$PY" "$ROOT/tests/sts/standin.py" --cert "$T/ca/sts.crt" --key "$T/ca/sts.key" \
		--keys "$ROOT/tests/sts/keys.json" --port-file "$T/sts.port" \
		--log "$T/sts.log" 2>"$T/sts.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
	if wait_file "$T/sts.port"; then
		STS_KIND=standin
		STS_URL=https://127.0.0.1:$(cat "$T/sts.port")
		CA=$T/ca/ca.crt
	fi
fi
echo "# STS: $STS_KIND at $STS_URL"
STS_ENV=(AWS_ENDPOINT_URL_STS="$STS_URL")
[ -n "$CA" ] && STS_ENV+=(AWS_CA_BUNDLE="$CA")

# ---- running the probe ----------------------------------------------------------
n=0
OUT="" ERR="" RC=0
# probe VAR=VALUE... -- ARGS...: an isolated environment (env -i)
probe() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	n=$((n + 1))
	OUT=$T/probe.$n.out
	ERR=$T/probe.$n.err
	env -i PATH="$PATH" HOME="$T/home" AWS_EC2_METADATA_DISABLED=true \
		AWS_CONFIG_FILE="$T/none" AWS_SHARED_CREDENTIALS_FILE="$T/none" \
		"${envs[@]}" "$T/probe" -R 1 "$@" >"$OUT" 2>"$ERR"
	RC=$?
}
field() { sed -n "s/^$1: //p" "$OUT" | head -n 1; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }

expect_ok() { # expect_ok NAME SOURCE-SUBSTRING [AKID [SECRET]]
	local name=$1 src
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit $RC: $(cat "$ERR")"
		return 1
	fi
	src=$(field source)
	case $src in
	*"$2"*) ;;
	*) fail "$name" "source [$src] lacks [$2]"; return 1 ;;
	esac
	if [ $# -ge 3 ] && [ -n "$3" ] && [ "$(field akid)" != "$3" ]; then
		fail "$name" "akid [$(field akid)], want [$3]"
		return 1
	fi
	if [ $# -ge 4 ] && [ "$(field secret_sha256)" != "$(sha "$4")" ]; then
		fail "$name" "secret hash differs"
		return 1
	fi
	pass "$name"
}
expect_err() { # expect_err NAME SUBSTRING...
	local name=$1 s
	shift
	if [ "$RC" -eq 0 ]; then
		fail "$name" "succeeded: $(cat "$OUT")"
		return 1
	fi
	for s in "$@"; do
		if ! grep -qF -- "$s" "$ERR"; then
			fail "$name" "stderr lacks [$s]: $(cat "$ERR")"
			return 1
		fi
	done
	pass "$name"
}

# ---- environment and shared files ----------------------------------------------
probe AWS_ACCESS_KEY_ID="$AKID_ENV" AWS_SECRET_ACCESS_KEY="$SECRET_ENV" --
expect_ok "env keys" environment "$AKID_ENV" "$SECRET_ENV"
if [ "$RC" -eq 0 ] && [ "$(field token_sha256)" = none ] && [ "$(field expiration)" = 0 ]; then
	pass "env keys: no token, static"
else
	fail "env keys: no token, static" "$(cat "$OUT")"
fi

probe AWS_ACCESS_KEY_ID="$AKID_ENV" AWS_SECRET_ACCESS_KEY="$SECRET_ENV" AWS_SESSION_TOKEN=probe-session-token-1 --
if [ "$RC" -eq 0 ] && [ "$(field token_sha256)" = "$(sha probe-session-token-1)" ]; then
	pass "env session token"
else
	fail "env session token" "$(cat "$OUT" "$ERR")"
fi

probe AWS_ACCESS_KEY_ID="$AKID_ENV" --
expect_err "env key without secret" "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"

cat >"$T/config" <<EOF
[default]
region = eu-west-1

[profile dev]
region = us-west-2
aws_access_key_id = AKIACONFIGIGNORED001
aws_secret_access_key = ignored/secret+because+credentials+wins

[profile base]
region = eu-central-1

[profile deployer]
role_arn = $DEPLOYER
source_profile = base
external_id = $EXT_ID
role_session_name = probe-run
region = eu-west-1

[profile wrongext]
role_arn = $DEPLOYER
source_profile = base
external_id = wrong-external-id

[profile noext]
role_arn = $DEPLOYER
source_profile = base

[profile loop1]
role_arn = $DEPLOYER
source_profile = loop2

[profile loop2]
role_arn = $PUBLISHER
source_profile = loop1

[profile pod]
role_arn = $WEBID_ROLE
web_identity_token_file = $T/webid.token
EOF
cat >"$T/credentials" <<EOF
[dev]
aws_access_key_id = $AKID_PROF
aws_secret_access_key = $SECRET_PROF

[base]
aws_access_key_id = $AKID_USER
aws_secret_access_key = $SECRET_USER
EOF
FILES=(AWS_CONFIG_FILE="$T/config" AWS_SHARED_CREDENTIALS_FILE="$T/credentials")

probe "${FILES[@]}" AWS_PROFILE=dev --
expect_ok "shared files: AWS_PROFILE=dev, credentials file wins" \
	"profile dev (shared credentials file)" "$AKID_PROF" "$SECRET_PROF"
if [ "$(field region)" = us-west-2 ]; then
	pass "region from the profile"
else
	fail "region from the profile" "$(field region)"
fi

probe "${FILES[@]}" AWS_ACCESS_KEY_ID="$AKID_ENV" AWS_SECRET_ACCESS_KEY="$SECRET_ENV" -- -p dev -r ap-south-1
expect_ok "explicit profile beats environment keys" "profile dev" "$AKID_PROF"
if [ "$(field region)" = ap-south-1 ]; then
	pass "region argument first"
else
	fail "region argument first" "$(field region)"
fi

probe "${FILES[@]}" AWS_PROFILE=nope --
expect_err "missing profile" "profile nope not found in $T/config or $T/credentials"

probe "${FILES[@]}" -- -p loop1
expect_err "source_profile loop" "source_profile loop"

printf '[default]\nregion = us-east-1\n[profile x\n' >"$T/bad.config"
probe AWS_CONFIG_FILE="$T/bad.config" --
expect_err "malformed config file" "$T/bad.config: line 3: unterminated section header"

# ---- STS: AssumeRole through source_profile with external_id --------------------
probe "${FILES[@]}" "${STS_ENV[@]}" -- -p deployer
expect_ok "assume-role via source_profile with external_id ($STS_KIND)" \
	"assume-role $DEPLOYER via profile base"
if [ "$RC" -eq 0 ]; then
	now=$(date +%s)
	exp=$(field expiration)
	ak=$(field akid)
	if [ "${ak#ASIA}" != "$ak" ] && [ "$(field token_sha256)" != none ] &&
		[ "$exp" -gt $((now + 3000)) ] && [ "$exp" -lt $((now + 4000)) ]; then
		pass "assume-role: temporary ASIA key, token, 1 h expiration"
	else
		fail "assume-role: temporary ASIA key, token, 1 h expiration" "$(cat "$OUT")"
	fi
	if [ "$(field sts_endpoint)" = "$STS_URL (configured)" ]; then
		pass "STS endpoint from AWS_ENDPOINT_URL_STS"
	else
		fail "STS endpoint from AWS_ENDPOINT_URL_STS" "$(field sts_endpoint)"
	fi
fi
if [ "$STS_KIND" = standin ]; then
	grep '"action":"AssumeRole"' "$T/sts.log" | tail -n 1 >"$T/last.json"
	if grep -q '"verify":"ok"' "$T/last.json" && grep -q "\"akid\":\"$AKID_USER\"" "$T/last.json"; then
		pass "stand-in verified the SigV4 signature"
	else
		fail "stand-in verified the SigV4 signature" "$(cat "$T/last.json")"
	fi
	if grep -q "Credential=$AKID_USER/[0-9]*/eu-west-1/sts/aws4_request" "$T/last.json" &&
		grep -q "\"Host\",\"${STS_URL#https://}\"" "$T/last.json"; then
		pass "signed for the profile's region, Host header with the port"
	else
		fail "signed for the profile's region, Host header with the port" "$(head -c 600 "$T/last.json")"
	fi
fi

probe "${FILES[@]}" "${STS_ENV[@]}" -- -p wrongext
expect_err "wrong external id names the role" "$DEPLOYER" "AccessDenied" "external id" "(one was sent)"
probe "${FILES[@]}" "${STS_ENV[@]}" -- -p noext
expect_err "missing external id says none was sent" "$DEPLOYER" "(none was sent)"

if [ -n "$CA" ]; then
	probe "${FILES[@]}" AWS_ENDPOINT_URL_STS="$STS_URL" -- -p deployer
	expect_err "untrusted CA: TLS failure, no fallback" "cannot reach STS at $STS_URL"
	probe "${FILES[@]}" AWS_ENDPOINT_URL_STS="$STS_URL" -- -p deployer -c "$CA"
	expect_ok "--ca-file argument" "assume-role $DEPLOYER"
	probe "${FILES[@]}" AWS_ENDPOINT_URL_STS="$STS_URL" SSL_CERT_FILE="$CA" -- -p deployer
	expect_ok "SSL_CERT_FILE" "assume-role $DEPLOYER"
fi

probe "${FILES[@]}" AWS_ENDPOINT_URL_STS=https://127.0.0.1:1 -- -p deployer
expect_err "STS unreachable" "cannot reach STS at https://127.0.0.1:1"

# environment keys + AWS_ROLE_ARN: assume the role on top
probe "${STS_ENV[@]}" AWS_ACCESS_KEY_ID="$AKID_USER" AWS_SECRET_ACCESS_KEY="$SECRET_USER" \
	AWS_ROLE_ARN="$PUBLISHER" AWS_ROLE_SESSION_NAME=probe-env --
expect_ok "environment keys + AWS_ROLE_ARN" "assume-role $PUBLISHER via environment"
probe "${STS_ENV[@]}" AWS_ACCESS_KEY_ID="$AKID_USER" AWS_SECRET_ACCESS_KEY="$SECRET_USER" \
	AWS_ROLE_ARN="$DEPLOYER" AWS_EXTERNAL_ID="$EXT_ID" --
expect_ok "environment keys + AWS_ROLE_ARN + AWS_EXTERNAL_ID" "assume-role $DEPLOYER via environment"

# ---- web identity ------------------------------------------------------------------
probe "${STS_ENV[@]}" AWS_ROLE_ARN="$WEBID_ROLE" AWS_WEB_IDENTITY_TOKEN_FILE="$T/webid.token" --
expect_ok "web identity from the environment" "web identity $WEBID_ROLE"
if [ "$STS_KIND" = standin ]; then
	if grep '"action":"AssumeRoleWithWebIdentity"' "$T/sts.log" | tail -n 1 | grep -q '"auth":"none"'; then
		pass "web identity request is unsigned"
	else
		fail "web identity request is unsigned" "$(grep AssumeRoleWithWebIdentity "$T/sts.log" | tail -n 1 | head -c 300)"
	fi
	probe "${STS_ENV[@]}" AWS_ROLE_ARN="$WEBID_ROLE" AWS_WEB_IDENTITY_TOKEN_FILE="$T/webid.old" --
	expect_err "expired web identity token" "$T/webid.old has expired"
fi
probe "${STS_ENV[@]}" AWS_ROLE_ARN="$WEBID_ROLE" AWS_WEB_IDENTITY_TOKEN_FILE="$T/webid.bad" --
expect_err "rejected web identity token" "$T/webid.bad was rejected" "InvalidIdentityToken"
probe "${FILES[@]}" "${STS_ENV[@]}" -- -p pod
expect_ok "web identity from a profile" "web identity $WEBID_ROLE"

# ---- container ---------------------------------------------------------------------
CURI=http://127.0.0.1:$EP/container/creds
probe AWS_CONTAINER_CREDENTIALS_FULL_URI="$CURI" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container.token" --
expect_ok "container FULL_URI + token file" container ASIASTUBCONTAINER001 \
	"$("$PY" "$HERE/aws_endpoints.py" --print-secrets | sed -n 1p)"
probe AWS_CONTAINER_CREDENTIALS_FULL_URI="$CURI" AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOKEN" --
expect_ok "container FULL_URI + token variable" container ASIASTUBCONTAINER001
probe AWS_CONTAINER_CREDENTIALS_FULL_URI="$CURI" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container.bad" --
expect_err "container: wrong token" "answered HTTP 401"
if [ "$(count 'GET /container/creds auth=yes imds_token=no status=401' "$T/ep.log")" -eq 3 ]; then
	pass "container: three attempts"
else
	fail "container: three attempts" "$(cat "$T/ep.log")"
fi
probe AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/creds --
expect_err "container: host refused" "AWS_CONTAINER_CREDENTIALS_FULL_URI http://192.0.2.10/creds is refused"
probe AWS_CONTAINER_CREDENTIALS_FULL_URI="$CURI" AWS_CONTAINER_AUTHORIZATION_TOKEN="$(printf 'a\r\nX-Injected: 1')" --
expect_err "container: CR/LF token refused" "CR or LF"

# ---- IMDSv2 -------------------------------------------------------------------------
IMDS_ENV=(AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$EP")
probe "${IMDS_ENV[@]}" --
expect_ok "imds v2" "imds (role stub-role)" ASIASTUBIMDS00000001 \
	"$("$PY" "$HERE/aws_endpoints.py" --print-secrets | sed -n 3p)"
if [ "$(count 'PUT /latest/api/token' "$T/ep.log")" -ge 1 ] && \
    [ "$(count 'GET /latest/meta-data/iam/security-credentials/stub-role auth=no imds_token=yes status=200' "$T/ep.log")" -ge 1 ] && \
    [ "$(grep -c 'GET /latest/meta-data.*imds_token=no' "$T/ep.log")" -eq 0 ]; then
	pass "imds: token PUT first, every GET carries the token"
else
	fail "imds: token PUT first, every GET carries the token" "$(cat "$T/ep.log")"
fi
probe AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1 --
expect_err "imds unreachable: not on EC2" "no AWS credentials found"
probe "${IMDS_ENV[@]}" AWS_EC2_METADATA_DISABLED=true --
expect_err "AWS_EC2_METADATA_DISABLED" "no AWS credentials found"

# ---- refresh ------------------------------------------------------------------------
# Simulated clock (-s): the stub's credentials expire 3600 s after issue.
before=$(count 'GET /container/creds auth=yes imds_token=no status=200' "$T/ep.log")
probe AWS_CONTAINER_CREDENTIALS_FULL_URI="$CURI" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/container.token" -- -w 600 -n 3 -s 1550
after=$(count 'GET /container/creds auth=yes imds_token=no status=200' "$T/ep.log")
if [ "$RC" -eq 0 ] && [ "$(count '^get ' "$OUT")" -eq 3 ] && [ $((after - before)) -eq 2 ]; then
	pass "refresh: container re-fetched inside the 600 s window (2 fetches for 3 gets)"
else
	fail "refresh: container" "rc=$RC fetches=$((after - before)) $(cat "$ERR")"
fi
before=$(count 'security-credentials/stub-role auth=no imds_token=yes status=200' "$T/ep.log")
probe "${IMDS_ENV[@]}" -- -w 600 -n 4 -s 1000
after=$(count 'security-credentials/stub-role auth=no imds_token=yes status=200' "$T/ep.log")
if [ "$RC" -eq 0 ] && [ $((after - before)) -eq 2 ]; then
	pass "refresh: imds re-fetched once the window is reached (2 fetches for 4 gets)"
else
	fail "refresh: imds" "rc=$RC fetches=$((after - before)) $(cat "$ERR")"
fi
if [ "$STS_KIND" = standin ]; then
	before=$(count '"action":"AssumeRole"' "$T/sts.log")
	probe "${FILES[@]}" "${STS_ENV[@]}" -- -p deployer -w 600 -n 3
	mid=$(count '"action":"AssumeRole"' "$T/sts.log")
	probe "${FILES[@]}" "${STS_ENV[@]}" -- -p deployer -w 4000 -n 3
	after=$(count '"action":"AssumeRole"' "$T/sts.log")
	if [ $((mid - before)) -eq 1 ] && [ $((after - mid)) -eq 3 ]; then
		pass "refresh: assume-role cached (1 call), re-assumed when the window exceeds the lifetime (3 calls)"
	else
		fail "refresh: assume-role" "cached=$((mid - before)) refreshed=$((after - mid))"
	fi
fi

# ---- no secret anywhere --------------------------------------------------------------
{
	printf '%s\n' "$SECRET_USER" "$SECRET_ENV" "$SECRET_PROF" "$CTOKEN" "$WEBID_OK" probe-session-token-1
	[ -n "$WEBID_OLD" ] && printf '%s\n' "$WEBID_OLD"
	"$PY" "$HERE/aws_endpoints.py" --print-secrets
} >"$T/secrets"
leaks=$(cat "$T"/probe.*.out "$T"/probe.*.err "$T/ep.log" "$T/ep.err" \
	"$T"/sts.log "$T"/sts.err 2>/dev/null | grep -F -c -f "$T/secrets")
if [ "$leaks" -eq 0 ]; then
	pass "no secret key or token in any output or server log"
else
	fail "no secret in outputs" "$leaks line(s) leak"
fi
odd=$(cat "$T"/probe.*.out | grep -v -E '^(region|sts_endpoint|get [0-9]+|source|akid|secret_sha256|token_sha256|expiration)(: |$)' | head -n 3)
if [ -z "$odd" ]; then
	pass "probe prints only the documented fields"
else
	fail "probe output" "$odd"
fi

summary
[ "$nfail" -eq 0 ]
