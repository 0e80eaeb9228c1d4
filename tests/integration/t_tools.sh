#!/bin/bash
# tests/integration/t_tools.sh O: the client tools end to end against real
# nginx + registryd (-T, the loopback STS stand-in of tests/sts verifying
# SigV4 for real) and the real terraform CLI, all on loopback:
#   - registry-publish: reproducible digests, dry run, 200/409, IAM or
#     --token, .terraformignore, refusals
#   - get-registry-token: token/config/env, env and config output used by
#     terraform init, -T, 403 printed as an error (no token), CA trust
#     through SSL_CERT_FILE, SSL_CERT_DIR and --ca-file
#   - terraform-credentials-iam + install-registry-credentials-helper: a
#     fresh HOME with only AWS credentials, terraform init through the
#     helper, the cached token reused by init -upgrade (no new exchange),
#     AWS_ROLE_ARN with an external id, a web identity token file, a
#     corrupt cache file, 0600 files, store/forget, `{}` for other hosts
#     with no network activity at all, an idempotent rc file edit
#   - manage-registry-permissions --registry: the grant API's rules
#   - no secret of the suite in any log
# Usage: bash tests/integration/t_tools.sh build/cc-plain   (repo root)
set -u
O=${1:?usage: t_tools.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"
PY=$(command python3 -c 'import sys; print(sys.executable)')
python3() { "$PY" -S "$@"; }

T=$(mktemp -d /tmp/toolsit.XXXXXX)
TMPDIR=$T
export TMPDIR
BIN=$SRC/$O/bin
STACK_SRC=$SRC
STACK_BIN=$BIN
STACK_STATE=$T/state
STACK_PORT=$(free_port)
STACK_MAX_BODY=1m
SPORT=$(free_port)
while [ "$SPORT" = "$STACK_PORT" ]; do SPORT=$(free_port); done
STACK_REGD_CONF_EXTRA="sts_test_endpoint = 127.0.0.1:$SPORT
sts_ca_file = $T/ca/ca.crt"
STACK_REGD_FLAGS=-T
export STACK_SRC STACK_BIN STACK_STATE STACK_PORT STACK_MAX_BODY
. "$SRC/nginx/stack.sh"

STS_PID=
cleanup() {
	stack_stop
	[ -n "$STS_PID" ] && stack_kill "$STS_PID"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

HOST=127.0.0.1:$STACK_PORT
ACCT=123456789012
PUB=ASIATFPUBLISHER00001
READER=ASIATFREADER00000001
USERKEY=AKIAIOSFODNN7EXAMPLE
CA_STS=$T/ca/ca.crt
PUBLISH=$BIN/registry-publish
GRT=$BIN/get-registry-token
HELPER=$BIN/terraform-credentials-iam
INSTALL=$BIN/install-registry-credentials-helper
PERM=$BIN/manage-registry-permissions
ADMIN=$BIN/registry-admin
TF=${TERRAFORM:-$(command -v terraform || true)}
LOGS=$T/logs # every stderr of the suite, for the leak check
mkdir -p "$LOGS"
ISSUED_TOKENS=()

for t in registry-publish get-registry-token terraform-credentials-iam install-registry-credentials-helper; do
	if [ ! -x "$BIN/$t" ]; then
		fail "$t is built" "missing $BIN/$t"
		t_summary
		exit 1
	fi
done

# Secrets of keys.json: the leak check greps for every one of them.
declare -A SECRET STOKEN
eval "$(python3 - "$SRC/tests/sts/keys.json" <<'PY'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
for c in d["credentials"]:
    print("SECRET[%s]=%s" % (c["access_key_id"], shlex.quote(c["secret_access_key"])))
    print("STOKEN[%s]=%s" % (c["access_key_id"], shlex.quote(c.get("session_token", ""))))
for r in d["roles"]:
    for w in r.get("web_identity_tokens", []):
        if not w.get("expired"):
            print("WEBID_TOKEN=%s" % shlex.quote(w["token"]))
PY
)"

if ! sh tests/sts/mkca.sh "$T/ca" >/dev/null 2>"$LOGS/mkca.err"; then
	fail "stand-in CA" "$(cat "$LOGS/mkca.err")"
	t_summary
	exit 1
fi
rm -f "$T/sts.port"
"$PY" -S tests/sts/standin.py --cert "$T/ca/sts.crt" --key "$T/ca/sts.key" \
    --keys tests/sts/keys.json --port "$SPORT" --port-file "$T/sts.port" \
    --log "$LOGS/sts.log" 2>>"$LOGS/sts.err" &
STS_PID=$!
i=0
while [ ! -s "$T/sts.port" ] && [ $i -lt 100 ] && kill -0 "$STS_PID" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
if [ ! -s "$T/sts.port" ]; then
	fail "stand-in starts" "$(tail -5 "$LOGS/sts.err")"
	t_summary
	exit 1
fi
sts_total() {
	curl -s --cacert "$CA_STS" "https://127.0.0.1:$SPORT/__requests" |
	    sed -n 's/.*"total": *\([0-9]*\).*/\1/p'
}
sts_gci() { # GetCallerIdentity requests seen so far
	curl -s --cacert "$CA_STS" "https://127.0.0.1:$SPORT/__requests" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["by_action"].get("GetCallerIdentity", 0))'
}

if ! stack_setup || ! stack_start; then
	fail "stack starts" "see $T"
	t_summary
	exit 1
fi
pass "stack and STS stand-in start (registry $HOST, STS 127.0.0.1:$SPORT)"

tok() { "$ADMIN" --state "$STACK_STATE" token create "$@" 2>>"$LOGS/admin.err"; }
grant() { "$PERM" --state "$STACK_STATE" "$@" >/dev/null 2>>"$LOGS/perm.err"; }
PUB_TOK=$(tok publisher)
READ_TOK=$(tok reader)
grant -r token:publisher -n acme create -d -u
grant -r token:reader -n acme create -d
grant -r "arn:aws:iam::$ACCT:role/tf-publisher" -n acme create -d -u
grant -r "arn:aws:iam::$ACCT:role/tf-deployer" -n acme create -d
grant -r "arn:aws:iam::$ACCT:role/tf-webid" -n acme create -d

# A clean environment for a tool: the AWS identity of key $1 (or none),
# the registry CA by SSL_CERT_FILE, IMDS off; extra VAR=value arguments
# follow, then -- and the command.
H0=$T/home0
mkdir -p "$H0"
aws_env() {
	key=$1
	if [ -n "$key" ]; then
		AWSV=(AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="${SECRET[$key]}")
		[ -n "${STOKEN[$key]}" ] && AWSV+=(AWS_SESSION_TOKEN="${STOKEN[$key]}")
	else
		AWSV=()
	fi
}
run() { # run KEY [VAR=value...] -- cmd...  (stdout to $OUT, stderr to a log)
	key=$1
	shift
	vars=()
	while [ "$1" != "--" ]; do
		vars+=("$1")
		shift
	done
	shift
	aws_env "$key"
	RUN_N=$((${RUN_N:-0} + 1))
	RUN_ERR=$LOGS/run$RUN_N.err
	OUT=$(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$H0" \
	    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	    AWS_CONFIG_FILE="$T/none" AWS_SHARED_CREDENTIALS_FILE="$T/none" \
	    SSL_CERT_FILE="$STACK_CA" SSL_CERT_DIR="$T/nocerts" \
	    "${AWSV[@]}" "${vars[@]}" "$@" 2>"$RUN_ERR")
	RC=$?
	ERR=$(cat "$RUN_ERR")
}

# ---- registry-publish --------------------------------------------------------
M=$T/mod
mkmodule "$M" 1.0.0
mkdir -p "$M/.git" "$M/.terraform/modules" "$M/examples" "$M/build"
echo '[core]' >"$M/.git/config"
echo 'junk' >"$M/.terraform/modules/x.tf"
echo 'module "x" { source = "../" }' >"$M/examples/main.tf"
echo 'secret build output' >"$M/build/out.bin"
printf 'debug\n' >"$M/debug.log"
printf '# not part of the module\n*.log\nbuild/\n' >"$M/.terraformignore"

run "" -- "$PUBLISH" --dry-run --output "$T/dry.tgz" acme/tools/null 1.0.0 "$M"
eq "publish --dry-run exits 0" 0 "$RC"
DRY=$(printf '%s\n' "$OUT" | sed -n 's/^digest: //p')
contains "dry run prints the digest" "sha256:" "$DRY"
contains "dry run lists the files" "main.tf" "$OUT"
not_contains "dry run leaves out .git" ".git" "$OUT"
not_contains "dry run leaves out .terraform/" ".terraform/" "$OUT"
not_contains "dry run honours .terraformignore (*.log)" "debug.log" "$OUT"
not_contains "dry run honours .terraformignore (build/)" "build/" "$OUT"
contains "dry run says nothing was sent" "not sent" "$ERR"
eq "--output holds the archive of that digest" "${DRY#sha256:}" "$(sha256sum "$T/dry.tgz" | cut -d' ' -f1)"
LIST=$(tar -tvzf "$T/dry.tgz" 2>&1)
contains "archive entries have uid/gid 0" "0/0" "$LIST"
contains "archive entries have mtime 0" "1970-01-01 00:00" "$LIST"
eq "archive entries sorted bytewise" "$(tar -tzf "$T/dry.tgz" | LC_ALL=C sort)" "$(tar -tzf "$T/dry.tgz")"
eq "gzip header has no timestamp" "00000000" "$(od -An -tx1 -j4 -N4 "$T/dry.tgz" | tr -d ' \n')"
http GET /v1/modules/acme/tools/null/versions -H "Authorization: Bearer $READ_TOK"
eq "a dry run sends nothing" 404 "$H_STATUS"

S0=$(sts_gci)
run "" -- "$PUBLISH" --registry "$HOST" --token "$PUB_TOK" acme/tools/null 1.0.0 "$M"
eq "publish with --token exits 0" 0 "$RC"
eq "publish prints the digest the registry recorded" "$DRY" "$OUT"
contains "publish says it was published" "published acme/tools/null 1.0.0" "$ERR"
eq "publish with --token makes no STS request" "$S0" "$(sts_gci)"
http GET /v1/modules/acme/tools/null/1.0.0 -H "Authorization: Bearer $READ_TOK"
eq "the registry recorded that digest" "$DRY" "$(json "j['digest']")"

touch -d '2001-02-03 04:05:06' "$M/main.tf" "$M/README.md"
chmod 600 "$M/README.md"
run "" REGISTRY_TOKEN="$PUB_TOK" -- "$PUBLISH" --registry "$HOST" acme/tools/null 1.0.0 "$M"
eq "same directory again (other times and modes, REGISTRY_TOKEN): exit 0" 0 "$RC"
eq "same directory again: same digest" "$DRY" "$OUT"
contains "same directory again: already published" "already published" "$ERR"

echo '# changed' >>"$M/main.tf"
run "" -- "$PUBLISH" --dry-run acme/tools/null 1.0.0 "$M"
DRY2=$(printf '%s\n' "$OUT" | sed -n 's/^digest: //p')
ok "a changed file gives another digest" test -n "$DRY2" -a "$DRY2" != "$DRY"
run "" -- "$PUBLISH" --registry "$HOST" --token "$PUB_TOK" acme/tools/null 1.0.0 "$M"
eq "changed content under the same version: exit 1" 1 "$RC"
eq "409: nothing on stdout" "" "$OUT"
contains "409: the status is shown" "HTTP 409" "$ERR"
contains "409: the registry's message is shown" "already exists with digest" "$ERR"
contains "409: says what to do" "publish a new version" "$ERR"
run "" -- "$PUBLISH" --registry "$HOST" --token "$PUB_TOK" acme/tools/null 1.1.0 "$M"
eq "changed content as a new version: exit 0" 0 "$RC"
eq "new version: the changed digest" "$DRY2" "$OUT"

run "" -- "$PUBLISH" --registry "$HOST" --token "$READ_TOK" acme/tools/null 9.0.0 "$M"
eq "publish without the upload right: exit 1" 1 "$RC"
contains "publish without the upload right: 403 and advice" "HTTP 403" "$ERR"
run "$PUB" -- "$PUBLISH" --registry "$HOST" acme/tools/null 1.2.0 "$M"
eq "publish with the IAM exchange (no token anywhere): exit 0" 0 "$RC"
contains "IAM publish prints a digest" "sha256:" "$OUT"
run "" -- "$PUBLISH" --registry "$HOST" acme/tools/null 1.3.0 "$M"
eq "no token and no AWS credentials: exit 1" 1 "$RC"
contains "no credentials: says what to do" "--token" "$ERR"
run "" -- "$PUBLISH" --registry "$HOST" --token "$PUB_TOK" acme/tools/null v1.0.0 "$M"
eq "v-prefixed version: usage error 2" 2 "$RC"
run "" -- "$PUBLISH" --registry "$HOST" --token "$PUB_TOK" acme/tools 1.0.0 "$M"
eq "address without a system: usage error 2" 2 "$RC"
run "" -- "$PUBLISH" acme/tools/null 1.0.0 "$M"
eq "no registry: usage error 2" 2 "$RC"
mkdir -p "$T/notf" && echo hi >"$T/notf/README.md"
run "" -- "$PUBLISH" --dry-run acme/tools/null 1.0.0 "$T/notf"
eq "a directory without .tf files: exit 1" 1 "$RC"
contains "no .tf file named" "no .tf file" "$ERR"
mkdir -p "$T/esc" && mkmodule "$T/esc" 0.1.0 && ln -s /etc/passwd "$T/esc/pw"
run "" -- "$PUBLISH" --dry-run acme/tools/null 1.0.0 "$T/esc"
eq "a symlink leaving the module: exit 1" 1 "$RC"
contains "the symlink is named" '"pw"' "$ERR"
run "" -- "$PUBLISH" --help
eq "publish --help exits 0" 0 "$RC"

# ---- get-registry-token ------------------------------------------------------
TFNAME="TF_TOKEN_127_0_0_1:$STACK_PORT"
S0=$(sts_gci)
run "$PUB" -- "$GRT" -r "$HOST" env
eq "get-registry-token env exits 0" 0 "$RC"
case $OUT in "$TFNAME="reg1.*) pass "env prints $TFNAME=<token> (no quotes)" ;; *) fail "env prints $TFNAME=<token>" "[$OUT]" ;; esac
contains "env explains how to set a name with ':'" "env '$TFNAME=" "$ERR"
eq "one exchange, one GetCallerIdentity" "$((S0 + 1))" "$(sts_gci)"
ENV_LINE=$OUT
ENV_TOKEN=${OUT#*=}

run "$PUB" -- "$GRT" -r "$HOST" -T 120 token
eq "get-registry-token token exits 0" 0 "$RC"
TOK120=$OUT
eq "-T 120 gives a token living 120 s" 120 "$(printf %s "$TOK120" | python3 -c '
import base64, json, sys
p = sys.stdin.read().split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
print(c["exp"] - c["iat"])')"
http GET /v1/modules/acme/tools/null/versions -H "Authorization: Bearer $TOK120"
eq "the printed token works on the API" 200 "$H_STATUS"

run "$PUB" -- "$GRT" -r "$HOST" config
eq "get-registry-token config exits 0" 0 "$RC"
contains "config prints a credentials block" "credentials \"$HOST\" {" "$OUT"
CONFIG_OUT=$OUT

run "$PUB" -- "$GRT" -r "$HOST" --service execute-api token
eq "--service is accepted" 0 "$RC"
contains "--service is ignored with a note" "ignored" "$ERR"

run "$READER" -- "$GRT" -r "$HOST" env
eq "403 from the registry: exit 1" 1 "$RC"
eq "403: no token printed" "" "$OUT"
contains "403 printed as an error with the status" "HTTP 403" "$ERR"
contains "403: the registry's reason" "has no grant" "$ERR"
run "$PUB" -- "$GRT" -r "$HOST" -T 99999 token
eq "-T out of range: usage error 2" 2 "$RC"
run "$PUB" -- "$GRT" -r "https://$HOST" token
eq "a URL instead of a host: usage error 2" 2 "$RC"
contains "a URL: says to drop the scheme" "without a scheme" "$ERR"
run "$PUB" -- "$GRT" -r "caf$(printf '\303\251').example" token
eq "an IDN host: usage error 2" 2 "$RC"
contains "an IDN host: says why" "non-ASCII" "$ERR"
run "$PUB" -- "$GRT" -r "$HOST" frob
eq "unknown command: usage error 2" 2 "$RC"
run "$PUB" SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt -- "$GRT" -r "$HOST" token
eq "registry CA not trusted: exit 1" 1 "$RC"
contains "untrusted CA: says how to trust it" "--ca-file" "$ERR"
run "$PUB" SSL_CERT_FILE=/nonexistent -- "$GRT" -r "$HOST" --ca-file "$STACK_CA" token
eq "--ca-file trusts the registry CA" 0 "$RC"
mkdir -p "$T/certdir" && cp "$STACK_CA" "$T/certdir/registry-ca.pem"
run "$PUB" SSL_CERT_FILE=/nonexistent SSL_CERT_DIR="$T/nocerts:$T/certdir" -- "$GRT" -r "$HOST" token
eq "SSL_CERT_DIR (unhashed files, as Go reads them) trusts the registry CA" 0 "$RC"
run "$PUB" -- "$GRT" -t "127.0.0.1:$SPORT" -r "$HOST" --ca-file "$CA_STS" token
eq "a token host that is not a registry: exit 1" 1 "$RC"
eq "a token host that is not a registry: no token printed" "" "$OUT"

if [ -z "$TF" ]; then
	skip "terraform not found"
else
	tf_root() { # dir
		mkdir -p "$1/home"
		printf 'module "m" {\n  source  = "%s/acme/tools/null"\n  version = "~> 1.0"\n}\n' "$HOST" >"$1/main.tf"
	}
	tf_init() { # dir cli-config [extra env...] -- extra args
		d=$1
		cfg=$2
		shift 2
		vars=()
		while [ $# -gt 0 ] && [ "$1" != "--" ]; do
			vars+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		(cd "$d" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$d/home" \
		    TF_CLI_CONFIG_FILE="$cfg" SSL_CERT_FILE="$STACK_CA" \
		    SSL_CERT_DIR="$T/nocerts" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
		    "${vars[@]}" "$TF" init -input=false -no-color "$@") >"$d/init.log" 2>&1
	}
	tf_root "$T/tfenv"
	: >"$T/tfenv/empty.tfrc"
	if tf_init "$T/tfenv" "$T/tfenv/empty.tfrc" "$ENV_LINE"; then
		pass "terraform init with the env output applied by env"
	else
		fail "terraform init with the env output applied by env" "$(tail -3 "$T/tfenv/init.log")"
	fi
	contains "env: module installed" '"Version":"1.2.0"' "$(cat "$T/tfenv/.terraform/modules/modules.json" 2>/dev/null)"
	tf_root "$T/tfcfg"
	printf '%s\n' "$CONFIG_OUT" >"$T/tfcfg/cli.tfrc"
	if tf_init "$T/tfcfg" "$T/tfcfg/cli.tfrc"; then
		pass "terraform init with the config output in a CLI config file"
	else
		fail "terraform init with the config output in a CLI config file" "$(tail -3 "$T/tfcfg/init.log")"
	fi
	tf_root "$T/tfnone"
	if tf_init "$T/tfnone" "$T/tfenv/empty.tfrc"; then
		fail "terraform init without a token fails" "it succeeded"
	else
		pass "terraform init without a token fails (the token is what made it work)"
	fi
fi

# ---- credentials helper and installer ------------------------------------------
hexname() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
CACHE_NAME=$(hexname "$HOST")
# new_home NAME: a fresh HOME with the helper installed; sets HH
new_home() {
	HH=$T/home-$1
	mkdir -p "$HH/work"
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HH" "$INSTALL" \
	    --registry-host "$HOST" --ca-file "$STACK_CA" \
	    >"$LOGS/install-$1.out" 2>"$LOGS/install-$1.err"
}
# helper_run [VAR=value...] -- ARGS...: the installed helper, with the
# HOME of HH and the given environment; stdout in $OUT, status in $RC
helper_run() {
	vars=()
	while [ "$1" != "--" ]; do
		vars+=("$1")
		shift
	done
	shift
	RUN_N=$((${RUN_N:-0} + 1))
	OUT=$(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HH" \
	    AWS_EC2_METADATA_DISABLED=true "${vars[@]}" \
	    "$HH/.terraform.d/plugins/terraform-credentials-iam" \
	    --registry-host "$HOST" --ca-file "$STACK_CA" "$@" \
	    2>"$LOGS/run$RUN_N.err")
	RC=$?
	ERR=$(cat "$LOGS/run$RUN_N.err")
}
# aws_files KEY: ~/.aws/credentials and config of HH for that key
aws_files() {
	mkdir -p "$HH/.aws"
	{
		echo "[default]"
		echo "aws_access_key_id = $1"
		echo "aws_secret_access_key = ${SECRET[$1]}"
		[ -n "${STOKEN[$1]}" ] && echo "aws_session_token = ${STOKEN[$1]}"
	} >"$HH/.aws/credentials"
	printf '[default]\nregion = us-east-1\n' >"$HH/.aws/config"
	chmod 600 "$HH/.aws/credentials"
}
cached_token() { sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$HH/.cache/terraform-credentials-iam/$CACHE_NAME" 2>/dev/null; }

new_home main
eq "installer exits 0" 0 "$?"
ok "helper installed in ~/.terraform.d/plugins, mode 0755" test "$(stat -c %a "$HH/.terraform.d/plugins/terraform-credentials-iam" 2>/dev/null)" = 755
RCF=$HH/.terraformrc
contains "rc file has the credentials_helper block" 'credentials_helper "iam" {' "$(cat "$RCF" 2>/dev/null)"
contains "the block names the registry host" "\"--registry-host\", \"$HOST\"" "$(cat "$RCF" 2>/dev/null)"
contains "the block records --ca-file" "\"--ca-file\", \"$(realpath "$STACK_CA")\"" "$(cat "$RCF" 2>/dev/null)"
eq "a new rc file is 0600" 600 "$(stat -c %a "$RCF")"
SUM1=$(sha256sum <"$RCF")
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" --registry-host "$HOST" --ca-file "$STACK_CA" >"$LOGS/install-again.out" 2>&1
eq "installing again changes nothing" "$SUM1" "$(sha256sum <"$RCF")"
contains "installing again says so" "already has" "$(cat "$LOGS/install-again.out")"
# an rc file with other content: kept byte for byte
printf '# my settings\nplugin_cache_dir = "/tmp/x"\n\ncredentials "other.example" {\n  token = "x}{"\n}\n' >"$T/rc-other"
cp "$T/rc-other" "$T/rc-edit"
chmod 640 "$T/rc-edit"
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" --registry-host "$HOST" --rc-file "$T/rc-edit" >/dev/null 2>>"$LOGS/install.err"
eq "existing content kept byte for byte" "$(cat "$T/rc-other")" "$(head -c "$(stat -c %s "$T/rc-other")" "$T/rc-edit")"
eq "the rc file keeps its mode" 640 "$(stat -c %a "$T/rc-edit")"
printf '\n# after\n' >>"$T/rc-edit"
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" --registry-host "$HOST" --registry-host "registry.example.test" --rc-file "$T/rc-edit" >/dev/null 2>>"$LOGS/install.err"
eq "the block is replaced in place, text after it kept" 1 "$(grep -c 'credentials_helper' "$T/rc-edit")"
contains "the replaced block has both hosts" '"registry.example.test"' "$(cat "$T/rc-edit")"
eq "text after the block kept" "# after" "$(tail -1 "$T/rc-edit")"
printf 'credentials_helper "vault" {\n  args = []\n}\n' >"$T/rc-vault"
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" --registry-host "$HOST" --rc-file "$T/rc-vault" >/dev/null 2>"$LOGS/install-vault.err"
eq "another credentials_helper: refused (exit 1)" 1 "$?"
contains "another helper: says only one is allowed and about --force" "--force" "$(cat "$LOGS/install-vault.err")"
contains "another helper: file untouched" '"vault"' "$(cat "$T/rc-vault")"
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" --force --registry-host "$HOST" --rc-file "$T/rc-vault" >/dev/null 2>>"$LOGS/install.err"
contains "--force replaces it" '"iam"' "$(cat "$T/rc-vault")"
not_contains "--force: the other helper is gone" '"vault"' "$(cat "$T/rc-vault")"
env -i PATH=/usr/bin:/bin HOME="$HH" "$INSTALL" >/dev/null 2>&1
eq "installer without --registry-host: usage error 2" 2 "$?"

# The helper never answers for another host, and does nothing for it.
helper_run AWS_ACCESS_KEY_ID=$PUB AWS_SECRET_ACCESS_KEY="${SECRET[$PUB]}" AWS_SESSION_TOKEN="${STOKEN[$PUB]}" AWS_REGION=us-east-1 -- get registry.terraform.io
eq "get for another host: exit 0" 0 "$RC"
eq "get for another host: {}" "{}" "$OUT"
ok "get for another host: no cache directory touched" test ! -e "$HH/.cache"
if command -v strace >/dev/null 2>&1; then
	strace -f -qq -e trace=socket,connect,sendto,sendmsg -o "$T/strace.out" \
	    env -i PATH=/usr/bin:/bin HOME="$HH" AWS_ACCESS_KEY_ID=$PUB \
	    AWS_SECRET_ACCESS_KEY="${SECRET[$PUB]}" AWS_SESSION_TOKEN="${STOKEN[$PUB]}" \
	    "$HH/.terraform.d/plugins/terraform-credentials-iam" --registry-host "$HOST" \
	    --ca-file "$STACK_CA" get evil.example.com >"$T/strace.stdout" 2>>"$LOGS/strace.err"
	eq "strace: another host gets {}" "{}" "$(cat "$T/strace.stdout")"
	eq "strace: no socket, connect or send at all (not even DNS)" "" "$(grep -E 'socket\(|connect\(|send' "$T/strace.out")"
	strace -f -qq -e trace=connect -o "$T/strace2.out" env -i PATH=/usr/bin:/bin HOME="$T/nohome" \
	    "$HH/.terraform.d/plugins/terraform-credentials-iam" --registry-host "$HOST" \
	    --ca-file "$STACK_CA" get "$HOST" >/dev/null 2>>"$LOGS/strace.err"
	contains "strace sees connections when there are some (the check works)" "connect(" "$(cat "$T/strace2.out")"
else
	skip "strace not found: the no-network check of the helper"
fi
helper_run -- get "registry.example.test"
eq "a host of another registry: {}" "{}" "$OUT"
helper_run -- forget registry.terraform.io
eq "forget for another host: exit 0" 0 "$RC"
helper_run -- store registry.terraform.io </dev/null
eq "store for another host: refused (exit 1)" 1 "$RC"

if [ -z "$TF" ]; then
	skip "terraform not found"
else
	tf_helper_init() { # dir [VAR=value...] -- [init args]: HOME=$HH, no TF_CLI_CONFIG_FILE
		d=$1
		shift
		vars=()
		while [ $# -gt 0 ] && [ "$1" != "--" ]; do
			vars+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		TFLOG_N=$((${TFLOG_N:-0} + 1))
		TFLOG=$LOGS/tf$TFLOG_N.log
		(cd "$d" && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HH" \
		    SSL_CERT_FILE="$STACK_CA" SSL_CERT_DIR="$T/nocerts" \
		    CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 AWS_EC2_METADATA_DISABLED=true \
		    "${vars[@]}" "$TF" init -input=false -no-color "$@") >"$TFLOG" 2>&1
	}
	tf_mod() { printf 'module "m" {\n  source  = "%s/acme/tools/null"\n  version = "~> 1.0"\n}\n' "$HOST" >"$1/main.tf"; }

	# 1. only AWS credentials (shared files), the installed helper
	aws_files "$PUB"
	tf_mod "$HH/work"
	G0=$(sts_gci)
	if tf_helper_init "$HH/work"; then
		pass "terraform init through the helper (no token configured anywhere)"
	else
		fail "terraform init through the helper" "$(tail -5 "$TFLOG")"
	fi
	contains "helper: module installed" '"Version":"1.2.0"' "$(cat "$HH/work/.terraform/modules/modules.json" 2>/dev/null)"
	eq "helper: one exchange (the helper was called)" "$((G0 + 1))" "$(sts_gci)"
	CF=$HH/.cache/terraform-credentials-iam/$CACHE_NAME
	ok "helper: the token is cached" test -s "$CF"
	eq "helper: cache file mode 0600" 600 "$(stat -c %a "$CF" 2>/dev/null)"
	eq "helper: cache directory mode 0700" 700 "$(stat -c %a "$HH/.cache/terraform-credentials-iam" 2>/dev/null)"
	ISSUED_TOKENS+=("$(cached_token)")
	G1=$(sts_gci)
	if tf_helper_init "$HH/work" -- -upgrade; then
		pass "terraform init -upgrade through the helper"
	else
		fail "terraform init -upgrade through the helper" "$(tail -5 "$TFLOG")"
	fi
	eq "init -upgrade within the lifetime reuses the cached token (no new exchange)" "$G1" "$(sts_gci)"

	# 2. AWS_ROLE_ARN with an external id (AssumeRole at the stand-in)
	new_home role
	tf_mod "$HH/work"
	ROLEV=(AWS_ACCESS_KEY_ID=$USERKEY AWS_SECRET_ACCESS_KEY="${SECRET[$USERKEY]}"
	    AWS_ROLE_ARN="arn:aws:iam::$ACCT:role/tf-deployer" AWS_EXTERNAL_ID=tf-ext-7f3a9c21
	    AWS_REGION=us-east-1 AWS_ENDPOINT_URL_STS="https://127.0.0.1:$SPORT" AWS_CA_BUNDLE="$CA_STS")
	G0=$(sts_gci)
	if tf_helper_init "$HH/work" "${ROLEV[@]}"; then
		pass "terraform init through the helper with AWS_ROLE_ARN + external id"
	else
		fail "terraform init with AWS_ROLE_ARN + external id" "$(tail -5 "$TFLOG")"
	fi
	eq "role: one exchange" "$((G0 + 1))" "$(sts_gci)"
	contains "role: the registry issued the token to tf-deployer" '"principal":"aws:aws:123456789012:role:tf-deployer"' \
	    "$(grep token-issued "$STACK_STATE/registryd.log" | tail -1)"
	ISSUED_TOKENS+=("$(cached_token)")
	helper_run AWS_ACCESS_KEY_ID=$USERKEY AWS_SECRET_ACCESS_KEY="${SECRET[$USERKEY]}" \
	    AWS_ROLE_ARN="arn:aws:iam::$ACCT:role/tf-deployer" AWS_EXTERNAL_ID=wrong-id \
	    AWS_REGION=us-east-1 AWS_ENDPOINT_URL_STS="https://127.0.0.1:$SPORT" AWS_CA_BUNDLE="$CA_STS" \
	    XDG_CACHE_HOME="$T/xdg-wrong" -- get "$HOST"
	eq "role with a wrong external id: exit 1" 1 "$RC"
	eq "role with a wrong external id: no token" "" "$OUT"

	# 3. a web identity token file
	new_home webid
	tf_mod "$HH/work"
	printf %s "$WEBID_TOKEN" >"$T/webid.jwt"
	G0=$(sts_gci)
	if tf_helper_init "$HH/work" AWS_ROLE_ARN="arn:aws:iam::$ACCT:role/tf-webid" \
	    AWS_WEB_IDENTITY_TOKEN_FILE="$T/webid.jwt" AWS_REGION=us-east-1 \
	    AWS_ENDPOINT_URL_STS="https://127.0.0.1:$SPORT" AWS_CA_BUNDLE="$CA_STS"; then
		pass "terraform init through the helper with a web identity token file"
	else
		fail "terraform init with a web identity token file" "$(tail -5 "$TFLOG")"
	fi
	eq "web identity: one exchange" "$((G0 + 1))" "$(sts_gci)"
	contains "web identity: the registry issued the token to tf-webid" '"principal":"aws:aws:123456789012:role:tf-webid"' \
	    "$(grep token-issued "$STACK_STATE/registryd.log" | tail -1)"
	ISSUED_TOKENS+=("$(cached_token)")
fi

# The cache: corrupt, wrong mode, near expiry, store and forget.
new_home cache
PUBV=(AWS_ACCESS_KEY_ID=$PUB AWS_SECRET_ACCESS_KEY="${SECRET[$PUB]}" AWS_SESSION_TOKEN="${STOKEN[$PUB]}" AWS_REGION=us-east-1)
CF=$HH/.cache/terraform-credentials-iam/$CACHE_NAME
G0=$(sts_gci)
helper_run "${PUBV[@]}" -- get "$HOST"
eq "helper get: exit 0" 0 "$RC"
case $OUT in '{"token":"reg1.'*'"}') pass "helper get prints {\"token\":...}" ;; *) fail "helper get prints {\"token\":...}" "[${OUT:0:40}]" ;; esac
FIRST=$OUT
ISSUED_TOKENS+=("$(cached_token)")
helper_run "${PUBV[@]}" -- get "$HOST"
eq "helper get again: the cached token" "$FIRST" "$OUT"
eq "helper get again: no new exchange" "$((G0 + 1))" "$(sts_gci)"
printf 'garbage{' >"$CF"
chmod 600 "$CF"
helper_run "${PUBV[@]}" -- get "$HOST"
eq "corrupt cache file: exit 0 anyway" 0 "$RC"
case $OUT in '{"token":"reg1.'*) pass "corrupt cache file: a new token" ;; *) fail "corrupt cache file: a new token" "[${OUT:0:40}]" ;; esac
contains "corrupt cache file: a note on stderr" "ignoring the cache entry" "$ERR"
eq "corrupt cache file: a new exchange" "$((G0 + 2))" "$(sts_gci)"
ok "corrupt cache file: replaced by a valid entry" python3 -c 'import json,sys; json.load(open(sys.argv[1]))["token"]' "$CF"
ISSUED_TOKENS+=("$(cached_token)")
chmod 644 "$CF"
helper_run "${PUBV[@]}" -- get "$HOST"
eq "cache file with mode 0644: ignored (new exchange)" "$((G0 + 3))" "$(sts_gci)"
eq "cache file with mode 0644: replaced with 0600" 600 "$(stat -c %a "$CF")"
ISSUED_TOKENS+=("$(cached_token)")
NOW=$(date +%s)
printf '{"host":"%s","token":"%s","expires_at":%d,"obtained_at":%d}\n' "$HOST" "$(cached_token)" $((NOW + 30)) $((NOW - 3570)) >"$CF"
helper_run "${PUBV[@]}" -- get "$HOST"
eq "a token 30 s from expiry is refreshed" "$((G0 + 4))" "$(sts_gci)"
ISSUED_TOKENS+=("$(cached_token)")
printf '{"token":"regt_storedTOKENstoredTOKENstoredTOKEN0000000"}' >"$T/store.json"
helper_run -- store "$HOST" <"$T/store.json"
eq "store: exit 0" 0 "$RC"
eq "store: file mode 0600" 600 "$(stat -c %a "$CF")"
helper_run -- get "$HOST"
eq "get after store: the stored token, as given" '{"token":"regt_storedTOKENstoredTOKENstoredTOKEN0000000"}' "$OUT"
eq "get after store: no exchange" "$((G0 + 4))" "$(sts_gci)"
helper_run -- forget "$HOST"
eq "forget: exit 0" 0 "$RC"
ok "forget: the entry is gone" test ! -e "$CF"
helper_run -- forget "$HOST"
eq "forget again: exit 0" 0 "$RC"
printf 'not json' >"$T/store.bad"
helper_run -- store "$HOST" <"$T/store.bad"
eq "store of malformed input: exit 1" 1 "$RC"
helper_run -- get "$HOST"
eq "get with no AWS credentials and no cache: exit 1" 1 "$RC"
eq "get with no AWS credentials: nothing on stdout" "" "$OUT"
contains "get with no AWS credentials: says what to do" "credentials" "$ERR"
helper_run -- frob "$HOST"
eq "helper: unknown verb is a usage error" 2 "$RC"
ISSUED_TOKENS+=("regt_storedTOKENstoredTOKENstoredTOKEN0000000")

# ---- manage-registry-permissions --registry ---------------------------------------
RV=(AWS_ACCESS_KEY_ID=$READER AWS_SECRET_ACCESS_KEY="${SECRET[$READER]}" AWS_SESSION_TOKEN="${STOKEN[$READER]}" AWS_REGION=us-east-1)
READER_ARN=arn:aws:iam::$ACCT:role/tf-reader
grant -r "$READER_ARN" -n team-a create -d -c
mrp() { run "" "${RV[@]}" -- "$PERM" --registry "$HOST" --ca-file "$STACK_CA" "$@"; }
mrp -r token:reader -n team-a create -d
eq "remote: create-grant on team-a can grant download on team-a" 0 "$RC"
contains "remote: prints the grant" '"download": true' "$OUT"
REMOTE_SHOW=$OUT
LOCAL_SHOW=$("$PERM" --state "$STACK_STATE" -r token:reader -n team-a show 2>>"$LOGS/perm.err")
eq "remote output is the local output" "$LOCAL_SHOW" "$REMOTE_SHOW"
mrp -r token:reader -n team-a show
eq "remote show: same output" "$LOCAL_SHOW" "$OUT"
contains "remote create is audited with the caller" '"action":"grant-create"' "$(grep '"target":"team-a token:reader"' "$STACK_STATE/registryd.log")"
contains "the audit record names the IAM caller" 'tf-reader' "$(grep '"target":"team-a token:reader"' "$STACK_STATE/registryd.log")"
mrp -r token:reader -n team-b create -d
eq "remote: cannot grant on team-b (exit 1)" 1 "$RC"
contains "remote: team-b refusal is a 403 with the registry's reason" "HTTP 403" "$ERR"
eq "remote: team-b: nothing on stdout" "" "$OUT"
mrp -r token:publisher -n team-a create -d -u
eq "remote: cannot grant upload without holding it (exit 1)" 1 "$RC"
contains "remote: escalation refusal says why" "does not hold that right itself" "$ERR"
"$PERM" --state "$STACK_STATE" -r token:publisher -n team-a show >/dev/null 2>&1
eq "remote: the refused grant was not created" 1 "$?"
mrp -r token:reader -n team-a create -d
eq "remote create of an existing grant: exit 1" 1 "$RC"
contains "remote create of an existing grant: says update or --force" "--force" "$ERR"
mrp -r token:reader -n team-a update -c
eq "remote update (raising a right the caller holds): exit 0" 0 "$RC"
contains "remote update changes only the given right" '"download": true' "$OUT"
contains "remote update sets create_grant" '"create_grant": true' "$OUT"
mrp -r token:reader -n team-a update --no-download
eq "remote update lowering a right needs delete-grant: exit 1" 1 "$RC"
mrp -r token:reader -n team-a delete
eq "remote delete needs delete-grant: exit 1" 1 "$RC"
grant -r "$READER_ARN" -n team-a update -D
mrp -r token:reader -n team-a delete
eq "remote delete with delete-grant: exit 0" 0 "$RC"
contains "remote delete prints what was deleted" '"namespace": "team-a"' "$OUT"
mrp -r token:reader -n team-a show
eq "remote show of a deleted grant: exit 1" 1 "$RC"
contains "remote show of a missing grant: says so" "does not exist" "$ERR"
mrp -r token:reader -n team-a delete
eq "remote delete of nothing: exit 1" 1 "$RC"
mrp -n team-a list
eq "remote list: exit 0" 0 "$RC"
eq "remote list is the local list" "$("$PERM" --state "$STACK_STATE" -n team-a list 2>>"$LOGS/perm.err")" "$OUT"
mrp -n team-a list -r "$READER_ARN"
contains "remote list filtered by -r" '"role": "arn:aws:iam::123456789012:role/tf-reader"' "$OUT"
ADMIN_TOK=$(tok admin --grant-all)
run "" -- "$PERM" --registry "$HOST" --ca-file "$STACK_CA" --token "$ADMIN_TOK" -r token:publisher -n team-b create -d -u
eq "remote with --token (an API token): exit 0" 0 "$RC"
run "" -- "$PERM" --registry "$HOST" --ca-file "$STACK_CA" --token "$READ_TOK" -n team-b list
eq "remote list without a grant-management right: exit 1" 1 "$RC"
contains "remote list refusal: 403" "HTTP 403" "$ERR"
run "" -- "$PERM" --registry "$HOST" list
eq "remote list without -n: usage error 2" 2 "$RC"
run "" -- "$PERM" --registry "$HOST" --state "$STACK_STATE" -n team-a list
eq "--registry with --state: usage error 2" 2 "$RC"
run "" -- "$PERM" --state "$STACK_STATE" --token x -n team-a list
eq "--token without --registry: usage error 2" 2 "$RC"
ISSUED_TOKENS+=("$ADMIN_TOK")

# ---- secrets in logs -----------------------------------------------------------
leak_check() {
	files=$(find "$LOGS" "$STACK_STATE/registryd.log" "$STACK_STATE/nginx/logs" "$T"/tf*/init.log -type f 2>/dev/null | grep -v '/strace')
	leaked=
	for k in "${!SECRET[@]}"; do
		for s in "${SECRET[$k]}" "${STOKEN[$k]}"; do
			[ -n "$s" ] || continue
			# shellcheck disable=SC2086
			if grep -qF -- "$s" $files 2>/dev/null; then leaked="$leaked $k"; fi
		done
	done
	for s in "$@"; do
		[ -n "$s" ] || continue
		# shellcheck disable=SC2086
		if grep -qF -- "$s" $files 2>/dev/null; then leaked="$leaked issued-token"; fi
	done
	if [ -n "${WEBID_TOKEN:-}" ]; then
		# shellcheck disable=SC2086
		grep -qF -- "$WEBID_TOKEN" $files 2>/dev/null && leaked="$leaked web-identity-token"
	fi
	if [ -z "$leaked" ]; then
		pass "no AWS secret key, session token or issued token in any log ($(echo "$files" | wc -w) files)"
	else
		fail "no secret in any log" "found:$leaked"
	fi
}
leak_check "$ENV_TOKEN" "$TOK120" "$PUB_TOK" "$READ_TOK" "${ISSUED_TOKENS[@]}"

t_summary
