#!/usr/bin/env bash
# selftest.sh - proves the loopback STS stand-in (standin.py), the CA tooling
# (mkca.sh) and the SDK minter (mint-sdk.mjs) work. Runnable standalone and from
# the integration suite. Loopback only; every process it starts is stopped by PID
# and its temporary directory is removed at exit.
#
# Env: PYTHON (default python3), SIGV4_SUITE (default ../../../shared/sigv4-test-suite),
#      STS_SELFTEST_REQUIRE_SDK=1 to fail (not skip) when npm/node is unusable.
# Output: PASS/FAIL/SKIP lines, then "N passed, N failed[, N skipped]". Exit 1 on failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-python3}
SUITE=${SIGV4_SUITE:-$HERE/../../../shared/sigv4-test-suite}
CHK="$HERE/selftest_check.py"
AUD=registry.example.test
STSHOST=sts.us-east-1.amazonaws.com
PUB_ARN=arn:aws:sts::123456789012:assumed-role/tf-publisher/ci-session
PUB_UID=AROAEXAMPLEID1234567:ci-session
ACCT=123456789012

pass=0 fail=0 skip=0
T=$(mktemp -d "${TMPDIR:-/tmp}/sts-selftest.XXXXXX") || exit 1
PIDS=""

stop_pid() { # stop_pid PID: TERM, wait at most 5 s, then KILL; returns the exit status
	local p=$1 wd rc
	kill -TERM "$p" 2>/dev/null || return 0
	(sleep 5; kill -KILL "$p" 2>/dev/null) &
	wd=$!
	wait "$p" 2>/dev/null
	rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	return $rc
}
cleanup() {
	local p
	for p in $PIDS; do stop_pid "$p"; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
sk() { skip=$((skip + 1)); echo "SKIP: $*"; }
chk() { # chk DESCRIPTION COMMAND... (the command's stderr is shown on failure)
	local d=$1
	shift
	if "$@" 2>"$T/chk.err"; then ok "$d"; else ko "$d: $(head -c 300 "$T/chk.err" | tr '\n' ' ')"; fi
}
c() { "$PY" "$CHK" "$@"; }
eq() { # eq WANT GOT
	[ "$1" = "$2" ] || { echo "want '$1', got '$2'" >&2; return 1; }
}

# --- CA ---------------------------------------------------------------------
CA="$T/ca"
if sh "$HERE/mkca.sh" "$CA" >"$T/mkca.out" 2>&1; then ok "mkca.sh creates the CA and certificates"; else
	ko "mkca.sh failed: $(cat "$T/mkca.out")"
	echo "$pass passed, $fail failed"
	exit 1
fi
sum1=$(cat "$CA"/*.crt | sha256sum)
sh "$HERE/mkca.sh" "$CA" >"$T/mkca2.out" 2>&1
chk "mkca.sh is idempotent (second run keeps the files)" eq "$sum1" "$(cat "$CA"/*.crt | sha256sum)"
chk "sts.crt chains to ca.crt" eq "$CA/sts.crt: OK" "$(openssl verify -CAfile "$CA/ca.crt" "$CA/sts.crt" 2>&1)"
san=$(openssl x509 -in "$CA/sts.crt" -noout -ext subjectAltName 2>/dev/null | tail -1)
chk "sts.crt names the STS hosts, iam, localhost and 127.0.0.1" eq \
	"DNS:sts.amazonaws.com, DNS:sts.us-east-1.amazonaws.com, DNS:sts.us-west-2.amazonaws.com, DNS:sts.eu-west-1.amazonaws.com, DNS:iam.amazonaws.com, DNS:localhost, IP Address:127.0.0.1" \
	"${san#"${san%%[! ]*}"}"

# --- SigV4 test suite through the stand-in's verifier ------------------------
if [ -d "$SUITE" ]; then
	chk "verifier: AWS SigV4 suite accepted, every one-byte mutation rejected" \
		"$PY" "$HERE/standin.py" --check-vectors "$SUITE"
else
	sk "SigV4 suite not found at $SUITE"
fi

# --- start the stand-in -----------------------------------------------------
start_standin() { # start_standin NAME CERT KEY [args...]; sets SPID SPORT
	local name=$1 cert=$2 key=$3 i=0
	shift 3
	rm -f "$T/$name.port"
	"$PY" "$HERE/standin.py" --cert "$cert" --key "$key" --keys "$HERE/keys.json" --port 0 \
		--port-file "$T/$name.port" --log "$T/$name.log" "$@" 2>"$T/$name.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
	while [ ! -s "$T/$name.port" ] && [ $i -lt 100 ]; do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	SPORT=$(cat "$T/$name.port" 2>/dev/null)
	[ -n "$SPORT" ]
}
if start_standin main "$CA/sts.crt" "$CA/sts.key"; then
	ok "stand-in listening on 127.0.0.1:$SPORT"
else
	ko "stand-in did not start: $(cat "$T/main.err")"
	echo "$pass passed, $fail failed"
	exit 1
fi
MPID=$SPID MPORT=$SPORT LOG="$T/main.log"

# sts URL [curl args...]: request through the STS names; sets CODE CTYPE RC;
# body in $T/body, response headers in $T/hdr.
sts() {
	local url=$1 out
	shift
	rm -f "$T/body" "$T/hdr"
	out=$(curl -sS --max-time "${MAXT:-10}" --cacert "$CA/ca.crt" \
		--connect-to "$STSHOST:443:127.0.0.1:$SPORT" \
		--connect-to "sts.amazonaws.com:443:127.0.0.1:$SPORT" \
		--connect-to "sts.eu-west-1.amazonaws.com:443:127.0.0.1:$SPORT" \
		--connect-to "sts.us-west-2.amazonaws.com:443:127.0.0.1:$SPORT" \
		-o "$T/body" -D "$T/hdr" -w '%{http_code}\n%{content_type}' "$@" "$url" 2>"$T/curl.err")
	RC=$?
	CODE=$(printf '%s\n' "$out" | sed -n 1p)
	CTYPE=$(printf '%s\n' "$out" | sed -n 2p)
	touch "$T/body" "$T/hdr"
}
ctl() { # ctl PATH [JSON]: control API; prints the JSON answer
	if [ $# -gt 1 ]; then
		curl -sS --max-time 5 --cacert "$CA/ca.crt" -H 'Content-Type: application/json' \
			--data-binary "$2" "https://127.0.0.1:$SPORT$1"
	else
		curl -sS --max-time 5 --cacert "$CA/ca.crt" "https://127.0.0.1:$SPORT$1"
	fi
}
reqcount() { ctl /__requests >"$T/rq" && c jget "$T/rq" total; }
code_is() { eq "$1" "$CODE"; }

ctl /__reset '{}' >/dev/null
chk "control: /__health answers" eq '{"ok": true}' "$(ctl /__health)"
chk "control: /__requests starts at 0" eq 0 "$(reqcount)"

UNSIGNED="https://$STSHOST/?Action=GetCallerIdentity&Version=2011-06-15"

# --- SDK-minted tokens --------------------------------------------------------
HAVE_SDK=0
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "SKIP: npm not found"
	skip=$((skip + 1))
elif [ -d "$HERE/node_modules/@smithy/signature-v4" ] && [ -d "$HERE/node_modules/@aws-crypto/sha256-js" ]; then
	HAVE_SDK=1
elif (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1; then
	HAVE_SDK=1
	ok "npm ci in tests/sts"
else
	echo "SKIP: npm ci failed: $(tail -3 "$T/npm.log" | tr '\n' ' ')"
	skip=$((skip + 1))
fi
if [ "$HAVE_SDK" = 0 ] && [ "${STS_SELFTEST_REQUIRE_SDK:-0}" = 1 ]; then
	ko "STS_SELFTEST_REQUIRE_SDK=1 but the SDK minter is unavailable"
fi

SIGS="$T/sigs" # every signature minted, to prove none reaches the logs
: >"$SIGS"
MINTED="$T/minted" # secrets of credentials minted by the stand-in
: >"$MINTED"
mint() { # mint AKID|@FILE [mint-sdk args...]: token on stdout (creds from keys.json or exports file)
	local who=$1
	shift
	(
		# shellcheck disable=SC1090
		if [ "${who#@}" != "$who" ]; then . "${who#@}"; else eval "$(c creds "$HERE/keys.json" "$who")"; fi
		node "$HERE/mint-sdk.mjs" "$@"
	)
}
url_of() { # url_of TOKEN: decoded URL; records its signature
	local u
	u=$(c decode "$1") || return 1
	printf '%s\n' "$u" | sed -n 's/.*X-Amz-Signature=\([0-9a-f]*\).*/\1/p' >>"$SIGS"
	printf '%s\n' "$u"
}
sign_post() { # sign_post AKID|@FILE BODY [mint args]: writes curl headers to $T/post.h
	local who=$1 body=$2
	shift 2
	mint "$who" --sign-post "$body" "$@" us-east-1 >"$T/post.h" || return 1
	sed -n 's/.*Signature=\([0-9a-f]*\).*/\1/p' "$T/post.h" >>"$SIGS"
}
post() { # post BODY [curl args]: header-signed POST with $T/post.h
	local b=$1
	shift
	sts "https://$STSHOST/" -X POST -H @"$T/post.h" --data-binary "$b" "$@"
}
JH=(-H "x-k8s-aws-id: $AUD" -H 'Accept: application/json')

if [ "$HAVE_SDK" = 1 ]; then
	TOK=$(mint ASIATFPUBLISHER00001 us-east-1 "$AUD")
	chk "mint-sdk.mjs prints a k8s-aws-v1. token" eq k8s-aws-v1. "${TOK:0:11}"
	URL=$(url_of "$TOK")
	chk "token decodes to a presigned URL with exactly the allowed parameters" \
		c params "$URL" "$STSHOST" yes

	sts "$URL" "${JH[@]}"
	chk "GetCallerIdentity presigned GET: 200 application/json" eq "200 application/json" "$CODE $CTYPE"
	chk "GetCallerIdentity JSON is exactly the §4.3 shape with the role identity" \
		c gci "$T/body" "$T/hdr" "$PUB_ARN" "$PUB_UID" "$ACCT"
	sts "$URL" -H "x-k8s-aws-id: $AUD"
	chk "GetCallerIdentity without Accept: 200 text/xml" eq "200 text/xml" "$CODE $CTYPE"
	chk "GetCallerIdentity XML carries the Arn" c gci-xml "$T/body" "$PUB_ARN"

	sts "$URL" -H "x-k8s-aws-id: vault.example.com" -H 'Accept: application/json'
	chk "wrong audience header value: 403" code_is 403
	chk "wrong audience: SignatureDoesNotMatch (JSON error shape)" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	U2=$(url_of "$(mint ASIATFPUBLISHER00001 us-east-1 prod-cluster)")
	sts "$U2" "${JH[@]}"
	chk "token signed for audience prod-cluster, sent with ours: 403 SignatureDoesNotMatch" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	sts "$URL" -H 'Accept: application/json'
	chk "audience header missing: 403 SignatureDoesNotMatch" c error "$T/body" "$T/hdr" SignatureDoesNotMatch json

	last=${URL: -1}
	if [ "$last" = 0 ]; then new=1; else new=0; fi
	sts "${URL%?}$new" "${JH[@]}"
	chk "tampered signature: 403 SignatureDoesNotMatch" c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	sts "$(printf '%s' "$URL" | sed 's/X-Amz-Expires=60/X-Amz-Expires=61/')" "${JH[@]}"
	chk "tampered signed parameter (X-Amz-Expires): 403 SignatureDoesNotMatch" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	sts "$(printf '%s' "$URL" | sed 's/Version=2011-06-15/Version=2011-06-15\&Foo=1/')" "${JH[@]}"
	chk "extra unsigned parameter: 403 SignatureDoesNotMatch" c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	sts "$(printf '%s' "$URL" | sed 's/^\(https:[^?]*?\)\([^&]*\)&\([^&]*\)/\1\3\&\2/')" "${JH[@]}"
	chk "same URL with parameters reordered: still 200 (canonical query is sorted)" code_is 200
	sts "$URL" "${JH[@]}" -H 'Host: sts.us-east-1.amazonaws.com.'
	chk "different Host header than signed: 403" code_is 403

	cat >"$T/notok.sh" <<EOF
$(c creds "$HERE/keys.json" ASIATFPUBLISHER00001)
unset AWS_SESSION_TOKEN
EOF
	sts "$(url_of "$(mint @"$T/notok.sh" us-east-1 "$AUD")")" "${JH[@]}"
	chk "ASIA key without X-Amz-Security-Token: 403 InvalidClientTokenId" \
		c error "$T/body" "$T/hdr" InvalidClientTokenId json
	cat >"$T/badtok.sh" <<EOF
$(c creds "$HERE/keys.json" ASIATFPUBLISHER00001)
export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEwrongtoken
EOF
	sts "$(url_of "$(mint @"$T/badtok.sh" us-east-1 "$AUD")")" "${JH[@]}"
	chk "ASIA key with a wrong session token: 403 InvalidClientTokenId" \
		c error "$T/body" "$T/hdr" InvalidClientTokenId json
	cat >"$T/unknown.sh" <<EOF
export AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000001 AWS_SECRET_ACCESS_KEY=unknownsecret0000000000000000000000000000
unset AWS_SESSION_TOKEN
EOF
	sts "$(url_of "$(mint @"$T/unknown.sh" us-east-1 "$AUD")")" "${JH[@]}"
	chk "unknown access key id: 403 InvalidClientTokenId" c error "$T/body" "$T/hdr" InvalidClientTokenId json
	sts "$(url_of "$(mint ASIAEXPIREDCREDS0001 us-east-1 "$AUD")")" "${JH[@]}"
	chk "expired temporary credentials: 403 ExpiredToken" c error "$T/body" "$T/hdr" ExpiredToken json

	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --date-offset -1000 us-east-1 "$AUD")")" "${JH[@]}"
	chk "X-Amz-Date 16 min old: 403 SignatureDoesNotMatch" c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	chk "... with 'Signature expired'" eq "Signature expired" "$(c message "$T/body" | cut -c1-17)"
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --date-offset 1000 us-east-1 "$AUD")")" "${JH[@]}"
	chk "X-Amz-Date 16 min ahead: 403 SignatureDoesNotMatch 'Signature expired'" \
		eq "403 Signature expired" "$CODE $(c message "$T/body" | cut -c1-17)"
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --date-offset -840 us-east-1 "$AUD")")" "${JH[@]}"
	chk "X-Amz-Date 14 min old: accepted (STS honours 15 min)" code_is 200

	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --host "$STSHOST" eu-west-1 "$AUD")")" "${JH[@]}"
	chk "eu-west-1 scope on sts.us-east-1: 403 SignatureDoesNotMatch" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	chk "... 'Credential should be scoped to a valid region'" eq "Credential should be scoped to a valid region" \
		"$(c message "$T/body" | cut -c1-45)"
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --host sts.amazonaws.com us-west-2 "$AUD")")" "${JH[@]}"
	chk "global sts.amazonaws.com with us-west-2 scope: 403 SignatureDoesNotMatch" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 --host sts.amazonaws.com us-east-1 "$AUD")")" "${JH[@]}"
	chk "global sts.amazonaws.com with us-east-1 scope: 200" code_is 200
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 eu-west-1 "$AUD")")" "${JH[@]}"
	chk "regional sts.eu-west-1 with eu-west-1 scope: 200" code_is 200

	sts "$(url_of "$(mint AKIAIOSFODNN7EXAMPLE us-east-1 "$AUD")")" "${JH[@]}"
	chk "long-term AKIA user key: 200 with the user identity" \
		c gci "$T/body" "$T/hdr" arn:aws:iam::123456789012:user/ci-bot AIDAEXAMPLEUSERID0001 "$ACCT"
	sts "$(url_of "$(mint ASIAOTHERACCOUNT0001 us-east-1 "$AUD")")" "${JH[@]}"
	chk "second-account role key: 200 with account 210987654321" \
		c gci "$T/body" "$T/hdr" arn:aws:sts::210987654321:assumed-role/tf-publisher/ci-session \
		AROAOTHERACCTROLE001:ci-session 210987654321

	# Header-signed POST form
	B='Action=GetCallerIdentity&Version=2011-06-15'
	sign_post ASIATFPUBLISHER00001 "$B"
	post "$B"
	chk "header-signed POST GetCallerIdentity: 200 text/xml" eq "200 text/xml" "$CODE $CTYPE"
	chk "... XML identity" c gci-xml "$T/body" "$PUB_ARN"
	post "$B" -H 'Accept: application/json'
	chk "header-signed POST with Accept: application/json: JSON identity" \
		c gci "$T/body" "$T/hdr" "$PUB_ARN" "$PUB_UID" "$ACCT"
	post 'Action=GetCallerIdentity&Version=2011-06-16'
	chk "POST body changed after signing: 403 SignatureDoesNotMatch" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch xml
	B='Action=GetSessionTokenX&Version=2011-06-15'
	sign_post ASIATFPUBLISHER00001 "$B"
	post "$B"
	chk "unknown action (signed): 400 InvalidAction" c error "$T/body" "$T/hdr" InvalidAction xml
	chk "... HTTP 400" code_is 400

	# AssumeRole with and without external id
	RA=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftf-deployer
	B="Action=AssumeRole&Version=2011-06-15&RoleArn=$RA&RoleSessionName=selftest"
	sign_post AKIAIOSFODNN7EXAMPLE "$B"
	post "$B"
	chk "AssumeRole without the required ExternalId: 403 AccessDenied" \
		c error "$T/body" "$T/hdr" AccessDenied xml
	B2="$B&ExternalId=wrong-external-id"
	sign_post AKIAIOSFODNN7EXAMPLE "$B2"
	post "$B2"
	chk "AssumeRole with a wrong ExternalId: 403 AccessDenied" c error "$T/body" "$T/hdr" AccessDenied xml
	B3="$B&ExternalId=tf-ext-7f3a9c21&DurationSeconds=900"
	sign_post AKIAIOSFODNN7EXAMPLE "$B3"
	post "$B3"
	chk "AssumeRole with the right ExternalId: 200 text/xml" eq "200 text/xml" "$CODE $CTYPE"
	if c creds-xml "$T/body" >"$T/ar.sh" 2>"$T/chk.err"; then
		ok "AssumeRole answer has ASIA credentials and an Expiration"
		# shellcheck disable=SC1091
		(. "$T/ar.sh"; printf '%s\n%s\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN") >>"$MINTED"
		chk "AssumeRole AssumedRoleUser Arn" eq arn:aws:sts::123456789012:assumed-role/tf-deployer/selftest \
			"$(c xml "$T/body" AssumedRoleUser/Arn)"
		sts "$(url_of "$(mint @"$T/ar.sh" us-east-1 "$AUD")")" "${JH[@]}"
		chk "minted AssumeRole credentials are accepted: assumed-role identity, UserId AROA…:session" \
			c gci "$T/body" "$T/hdr" arn:aws:sts::123456789012:assumed-role/tf-deployer/selftest \
			AROAEXAMPLEDEPLOYER1:selftest "$ACCT"
		sed '/AWS_SESSION_TOKEN/!b; s/AWS_SESSION_TOKEN=[^ ]*/AWS_SESSION_TOKEN=IQoJwrong/' "$T/ar.sh" >"$T/ar-bad.sh"
		sts "$(url_of "$(mint @"$T/ar-bad.sh" us-east-1 "$AUD")")" "${JH[@]}"
		chk "minted key with a wrong session token: 403 InvalidClientTokenId" \
			c error "$T/body" "$T/hdr" InvalidClientTokenId json
	else
		ko "AssumeRole answer: $(cat "$T/chk.err")"
	fi
	B="Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fnope&RoleSessionName=selftest"
	sign_post AKIAIOSFODNN7EXAMPLE "$B"
	post "$B" -H 'Accept: application/json'
	chk "AssumeRole on an unknown role: 403 AccessDenied (JSON)" c error "$T/body" "$T/hdr" AccessDenied json
	B="Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Ftf-publisher&RoleSessionName=selftest"
	sign_post AKIAIOSFODNN7EXAMPLE "$B"
	post "$B"
	chk "AssumeRole on a role that does not trust the caller: 403 AccessDenied" \
		c error "$T/body" "$T/hdr" AccessDenied xml
	B="Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftf-publisher&RoleSessionName=ci-session&DurationSeconds=900"
	sign_post AKIAIOSFODNN7EXAMPLE "$B"
	post "$B" -H 'Accept: application/json'
	chk "AssumeRole tf-publisher (no external id) as the trusted user, JSON answer: 200" \
		eq "arn:aws:sts::123456789012:assumed-role/tf-publisher/ci-session" \
		"$(c jget "$T/body" AssumeRoleResponse AssumeRoleResult AssumedRoleUser Arn)"
	c jget "$T/body" AssumeRoleResponse AssumeRoleResult Credentials SecretAccessKey >>"$MINTED" 2>/dev/null
	c jget "$T/body" AssumeRoleResponse AssumeRoleResult Credentials SessionToken >>"$MINTED" 2>/dev/null
	B="Action=AssumeRole&Version=2011-06-15&RoleArn=$RA&RoleSessionName=selftest"
	sts "https://$STSHOST/" -X POST --data-binary "$B" -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8'
	chk "AssumeRole unsigned: 403 MissingAuthenticationToken" \
		c error "$T/body" "$T/hdr" MissingAuthenticationToken xml
else
	for t in "presigned GET + identity JSON/XML" "audience binding" "tampered signature" \
		"InvalidClientTokenId cases" "clock window" "region scoping" "header-signed POST" \
		"AssumeRole with/without external id"; do
		sk "$t (needs the SDK minter)"
	done
fi

# --- web identity (unsigned; no SDK needed) -----------------------------------
WIT=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["roles"][2]["web_identity_tokens"][0]["token"])' "$HERE/keys.json")
WR=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftf-webid
FORM=(-X POST -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8')
sts "https://$STSHOST/" "${FORM[@]}" --data-binary "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=$WR&RoleSessionName=wi-session&WebIdentityToken=$WIT"
chk "AssumeRoleWithWebIdentity (unsigned) with an accepted token: 200 text/xml" eq "200 text/xml" "$CODE $CTYPE"
if c creds-xml "$T/body" >"$T/wi.sh" 2>"$T/chk.err"; then
	ok "web identity answer has ASIA credentials and an Expiration"
	# shellcheck disable=SC1091
	(. "$T/wi.sh"; printf '%s\n%s\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN") >>"$MINTED"
	chk "web identity SubjectFromWebIdentityToken from the token's sub" eq system:serviceaccount:ci:tf-publisher \
		"$(c xml "$T/body" SubjectFromWebIdentityToken)"
	if [ "$HAVE_SDK" = 1 ]; then
		sts "$(url_of "$(mint @"$T/wi.sh" us-east-1 "$AUD")")" "${JH[@]}"
		chk "minted web identity credentials are accepted" \
			c gci "$T/body" "$T/hdr" arn:aws:sts::123456789012:assumed-role/tf-webid/wi-session \
			AROAEXAMPLEWEBID0001:wi-session "$ACCT"
	fi
else
	ko "web identity answer: $(cat "$T/chk.err")"
fi
sts "https://$STSHOST/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=$WR&RoleSessionName=wi-session&WebIdentityToken=eyJhbGciOiJub25lIn0.e30.bogus"
chk "web identity with an unknown token: 400 InvalidIdentityToken" c error "$T/body" "$T/hdr" InvalidIdentityToken xml
chk "... HTTP 400" code_is 400
WIT2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["roles"][2]["web_identity_tokens"][1]["token"])' "$HERE/keys.json")
sts "https://$STSHOST/" "${FORM[@]}" -H 'Accept: application/json' --data-binary "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=$WR&RoleSessionName=wi-session&WebIdentityToken=$WIT2"
chk "web identity with an expired token: 400 ExpiredTokenException" c error "$T/body" "$T/hdr" ExpiredTokenException json
sts "https://$STSHOST/" "${FORM[@]}" --data-binary "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftf-deployer&RoleSessionName=wi-session&WebIdentityToken=$WIT"
chk "web identity on a role without web identity: 403 AccessDenied" c error "$T/body" "$T/hdr" AccessDenied xml
sts "$UNSIGNED" -H 'Accept: application/json'
chk "unsigned GetCallerIdentity: 403 MissingAuthenticationToken" \
	c error "$T/body" "$T/hdr" MissingAuthenticationToken json

# --- misbehaviour modes -------------------------------------------------------
# Modes apply to GetCallerIdentity whatever the signature, so a signed URL is used
# when the SDK is there and the unsigned one otherwise.
if [ "$HAVE_SDK" = 1 ]; then MURL=$URL NORMAL=200; else MURL=$UNSIGNED NORMAL=403; fi
MH=(-H "x-k8s-aws-id: $AUD" -H 'Accept: application/json')
setmode() { ctl /__control "$1" >"$T/ctl.out" && grep -q '"ok": true' "$T/ctl.out"; }

ctl /__reset '{}' >/dev/null
setmode '{"mode":"redirect","count":1}'
l0=$(wc -l <"$LOG")
sts "$MURL" "${MH[@]}"
chk "redirect: 302 with Location http://evil.example/" eq "302 http://evil.example/" "$CODE $(c header "$T/hdr" Location)"
chk "redirect: the stand-in saw exactly one request" eq 1 "$(reqcount)"
chk "redirect: the log gained exactly one line" eq $((l0 + 1)) "$(wc -l <"$LOG")"
setmode '{"mode":"redirect","status":307,"location":"https://sts.us-east-1.amazonaws.com/again","count":1}'
sts "$MURL" "${MH[@]}"
chk "redirect 307 with a chosen Location" eq "307" "$CODE"

for ct in "text/xml" "text/html" "application/json; charset=utf-8"; do
	setmode "{\"mode\":\"content-type\",\"content_type\":\"$ct\",\"count\":1}"
	sts "$MURL" "${MH[@]}"
	chk "content-type '$ct': 200, that header, JSON body" eq "200 $ct ok" "$CODE $CTYPE $(c mode valid "$T/body" && echo ok)"
done
setmode '{"mode":"content-type","content_type":null,"count":1}'
sts "$MURL" "${MH[@]}"
chk "content-type missing: 200, no Content-Type header" eq "200 0" "$CODE $(grep -ci '^content-type:' "$T/hdr")"

for m in dup-keys extra-top nested arn-number arn-null arn-empty trailing-garbage json-string-xml oversize; do
	setmode "{\"mode\":\"$m\",\"count\":1}"
	sts "$MURL" "${MH[@]}"
	chk "$m: 200 application/json with the crafted body" eq "200 application/json ok" \
		"$CODE $CTYPE $(c mode "$m" "$T/body" && echo ok)"
done

setmode '{"mode":"hang","seconds":4,"count":1}'
t0=$(date +%s)
MAXT=1 sts "$MURL" "${MH[@]}"
sz=$(stat -c %s "$T/body")
chk "hang: headers and part of the body, then silence (curl timeout 28)" eq "28 200 partial" \
	"$RC $CODE $([ "$sz" -gt 0 ] && [ "$sz" -lt 200 ] && echo partial)"
sts "$MURL" "${MH[@]}"
chk "server keeps answering while a hang is in progress" code_is "$NORMAL"
setmode '{"mode":"drop","count":1}'
sts "$MURL" "${MH[@]}"
chk "drop: connection closed without an answer (curl 52)" eq 52 "$RC"
setmode '{"mode":"delay","seconds":1,"count":1}'
t0=$(date +%s%N)
sts "$MURL" "${MH[@]}"
t1=$(date +%s%N)
chk "delay 1 s: answer after >= 1 s" eq "200 yes" "$CODE $([ $(((t1 - t0) / 1000000)) -ge 1000 ] && echo yes)"

setmode '{"mode":"throttle","count":1}'
sts "$MURL" "${MH[@]}"
chk "throttle: 400 Throttling JSON error" eq "400 ok" "$CODE $(c error "$T/body" "$T/hdr" Throttling json && echo ok)"
setmode '{"mode":"throttle","count":1}'
sts "$MURL" -H "x-k8s-aws-id: $AUD"
chk "throttle without Accept JSON: XML error" c error "$T/body" "$T/hdr" Throttling xml
for sc in "500 InternalFailure" "503 ServiceUnavailable" "403 ExpiredToken" "403 AccessDenied" \
	"403 InvalidClientTokenId" "403 SignatureDoesNotMatch"; do
	read -r st ec <<<"$sc"
	setmode "{\"mode\":\"status\",\"status\":$st,\"code\":\"$ec\",\"count\":1}"
	sts "$MURL" "${MH[@]}"
	chk "status $st $ec" eq "$st ok" "$CODE $(c error "$T/body" "$T/hdr" "$ec" json && echo ok)"
done

setmode '{"mode":"throttle","count":2}'
r1=""
for i in 1 2 3; do sts "$MURL" "${MH[@]}"; r1="$r1 $CODE"; done
chk "count 2: two throttles, then normal again" eq " 400 400 $NORMAL" "$r1"
setmode '{"mode":"status","status":503}'
r1=""
for i in 1 2 3; do sts "$MURL" "${MH[@]}"; r1="$r1 $CODE"; done
chk "no count: applies until reset" eq " 503 503 503" "$r1"
ctl /__reset '{}' >/dev/null
sts "$MURL" "${MH[@]}"
chk "/__reset clears the mode" code_is "$NORMAL"

for p in account-mismatch other-partition root federated-user assumed-role-2 assumed-role-4 \
	instance-profile upper-arn region-set star-name userid-no-colon; do
	setmode "{\"mode\":\"identity\",\"preset\":\"$p\",\"count\":1}"
	sts "$MURL" "${MH[@]}"
	echo "$p $(c field "$T/body" Arn UserId Account)" >>"$T/presets"
	[ "$CODE" = 200 ] || echo "BAD $p $CODE" >>"$T/presets"
done
chk "identity presets (§8 E 25) answer 200 with their identity" eq 0 "$(grep -c '^BAD' "$T/presets")"
chk "preset account-mismatch: Account differs from the ARN account" \
	eq '"210987654321"' "$(awk '$1=="account-mismatch"{print $4}' "$T/presets")"
chk "preset assumed-role-4" eq '"arn:aws:sts::123456789012:assumed-role/platform/tf-publisher/ci-session"' \
	"$(awk '$1=="assumed-role-4"{print $2}' "$T/presets")"
chk "preset userid-no-colon" eq '"AROAEXAMPLEID1234567"' "$(awk '$1=="userid-no-colon"{print $3}' "$T/presets")"
setmode '{"mode":"identity","Arn":"arn:aws:iam::123456789012:root","UserId":"123456789012","Account":123456789012,"count":1}'
sts "$MURL" "${MH[@]}"
chk "identity override returned verbatim (Account as a number)" eq '"arn:aws:iam::123456789012:root" 123456789012' \
	"$(c field "$T/body" Arn Account)"
setmode '{"mode":"identity","preset":"missing-arn","count":1}'
sts "$MURL" "${MH[@]}"
chk "identity preset missing-arn omits Arn" eq "<missing>" "$(c field "$T/body" Arn)"

# control API validation
chk "control: unknown mode refused (400)" eq 400 "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$CA/ca.crt" --data-binary '{"mode":"nope"}' "https://127.0.0.1:$SPORT/__control")"
chk "control: unknown key refused (400)" eq 400 "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$CA/ca.crt" --data-binary '{"mode":"throttle","cuont":1}' "https://127.0.0.1:$SPORT/__control")"
chk "control: GET /__control lists the modes" eq redirect "$(ctl /__control >"$T/cc" && c jget "$T/cc" modes 0)"
ctl /__reset '{}' >/dev/null

if [ "$HAVE_SDK" = 1 ]; then
	setmode '{"clock_offset":1200}'
	sts "$(url_of "$(mint ASIATFPUBLISHER00001 us-east-1 "$AUD")")" "${JH[@]}"
	chk "clock_offset +20 min: a fresh token is 'expired' for the stand-in" \
		c error "$T/body" "$T/hdr" SignatureDoesNotMatch json
	ctl /__reset '{}' >/dev/null
fi

# --- robustness -----------------------------------------------------------------
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
chk "garbage request line: 400" eq "HTTP/1.1 400 Bad Request" \
	"$(c raw "$SPORT" "$CA/ca.crt" "$(hex $'GARBAGE\r\n\r\n')")"
chk "bad HTTP version: 400" eq "HTTP/1.1 400 Bad Request" \
	"$(c raw "$SPORT" "$CA/ca.crt" "$(hex $'GET / HTTP/x.y\r\n\r\n')")"
chk "unknown method FOO: 405" eq "HTTP/1.1 405 Method Not Allowed" \
	"$(c raw "$SPORT" "$CA/ca.crt" "$(hex $'FOO / HTTP/1.1\r\nHost: x\r\n\r\n')")"
chk "Content-Length 10^9: 413" eq "HTTP/1.1 413 Request Entity Too Large" \
	"$(c raw "$SPORT" "$CA/ca.crt" "$(hex $'POST / HTTP/1.1\r\nHost: sts.us-east-1.amazonaws.com\r\nContent-Length: 1000000000\r\n\r\n')")"
chk "chunked body: 411" eq "HTTP/1.1 411 Length Required" \
	"$(c raw "$SPORT" "$CA/ca.crt" "$(hex $'POST / HTTP/1.1\r\nHost: sts.us-east-1.amazonaws.com\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')")"
sts "https://$STSHOST/?Action=GetCallerIdentity&Version=%zz"
chk "bad percent-encoding: 400 MalformedQueryString" c error "$T/body" "$T/hdr" MalformedQueryString xml
sts "https://$STSHOST/x?Action=GetCallerIdentity&Version=2011-06-15"
chk "path other than /: 404" code_is 404
sts "https://$STSHOST/" -X DELETE
chk "method DELETE: 405" code_is 405
curl -sS --max-time 3 -o /dev/null "http://127.0.0.1:$SPORT/" 2>/dev/null
(exec 3<>"/dev/tcp/127.0.0.1/$SPORT" && exec 3>&-) 2>/dev/null
head -c 300 /dev/urandom | curl -sS --max-time 3 -o /dev/null --cacert "$CA/ca.crt" \
	--connect-to "$STSHOST:443:127.0.0.1:$SPORT" -X POST --data-binary @- "https://$STSHOST/" 2>/dev/null
chk "after plain HTTP, an aborted connection and random bodies: still healthy" eq '{"ok": true}' "$(ctl /__health)"

# --- TLS failure certificates ---------------------------------------------------
for bad in expired wronghost selfsigned; do
	if start_standin "$bad" "$CA/$bad.crt" "$CA/$bad.key"; then
		curl -sS --max-time 5 -o /dev/null --cacert "$CA/ca.crt" \
			--connect-to "$STSHOST:443:127.0.0.1:$SPORT" "$UNSIGNED" 2>/dev/null
		rc=$?
		chk "TLS with the $bad certificate fails verification (curl 60)" eq 60 "$rc"
		stop_pid "$SPID"
	else
		ko "could not start a stand-in with $bad.crt"
	fi
done
SPORT=$MPORT

# --- the log ----------------------------------------------------------------------
lines=$(c log "$LOG" time,method,path,query,headers,action,verify,akid,status,request_id 2>"$T/chk.err")
chk "log: one JSON line per request with the documented fields" test -n "$lines"
chk "log: every line names its response status" test "$(grep -c '"status":' "$LOG")" -eq "$(wc -l <"$LOG")"
c secrets "$HERE/keys.json" "$SIGS" "$MINTED" >"$T/secrets"
leaks=0
while IFS= read -r s; do
	[ -n "$s" ] || continue
	if grep -qF -- "$s" "$LOG" "$T/main.err"; then leaks=$((leaks + 1)); fi
done <"$T/secrets"
chk "log and stderr contain no secret key, session token, web identity token or signature ($(wc -l <"$T/secrets") values checked)" eq 0 "$leaks"
chk "log: X-Amz-Signature and X-Amz-Security-Token logged as REDACTED" \
	test "$(grep -c '\["X-Amz-Signature","REDACTED"\]' "$LOG")" -gt 0 -o "$HAVE_SDK" = 0
grep -q '"X-Amz-Security-Token","[^R]' "$LOG" && leaks=1
chk "log: no X-Amz-Security-Token value other than REDACTED" eq 0 "$leaks"

# --- SIGTERM --------------------------------------------------------------------
stop_pid "$MPID"
rc=$?
chk "SIGTERM: the stand-in exits 0" eq 0 "$rc"
chk "SIGTERM: port file removed and 'stopped' reported" eq "gone stopped" \
	"$([ -e "$T/main.port" ] || echo gone) $(grep -o stopped "$T/main.err")"

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
