#!/bin/bash
# tests/integration/t_orchestrator.sh O: honua-orchestrator end to end
# against tests/aws/fakeaws.py (a stateful loopback stand-in for ECR, IAM,
# STS and Secrets Manager that verifies SigV4), a real docker-registry
# with Basic auth as ECR uses it, buildah and skopeo.
#   - usage: grammar errors, region allow-list, --confirm, --help
#   - the lifecycle: create-registry, create-credentials (file 0600,
#     --output -, --rotate, the 2-key cap), build and push, audit, delete;
#     seeded unmanaged resources are never touched
#   - every fault: throttling, 5xx, dropped connections, quota errors,
#     delayed visibility, and a SIGKILL between two steps, each followed by
#     a re-run that converges to the same end state
#   - --dry-run makes no request; cross-account with --assume-role-arn
#   - no planted secret appears in any output or log of the suite
# Prints PASS/FAIL lines and ends with "N passed, N failed[, N skipped]".
set -u
O=${1:?usage: t_orchestrator.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"
BIN=$SRC/$O/bin/honua-orchestrator
[ -x "$BIN" ] || BIN=$O/bin/honua-orchestrator

T=$(mktemp -d /tmp/orchit.XXXXXX)
mkdir -p "$T/out" "$T/creds" "$T/tmp" "$T/home" "$T/git"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

if [ ! -x "$BIN" ]; then
	fail "tool built" "$BIN missing"
	t_summary
	exit 1
fi

rnd() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }
PAT="ghp_$(rnd)"
ECR_PW="ecrpw$(rnd)"
ADMIN_AKID=AKIAHONUAADMIN000001
ADMIN_SECRET=$(python3 -c 'import json;print(json.load(open("tests/aws/keys.json"))["keys"]["AKIAHONUAADMIN000001"]["secret"])')
VENDOR_SECRET=$(python3 -c 'import json;print(json.load(open("tests/aws/keys.json"))["keys"]["AKIAVENDOROPS0000001"]["secret"])')
ROLE=arn:aws:iam::210987654321:role/honua-orchestrator
EXTID=honua-ext-5e1f2a90
OLD=1700000000 # 2023-11-14: "old" timestamps for audit

# ---- docker-registry (ECR-style Basic auth, user AWS) ----------------------
HAVE_REG=0
REG_PORT=$(free_port)
if command -v docker-registry >/dev/null 2>&1 &&
	command -v htpasswd >/dev/null 2>&1; then
	htpasswd -Bbn AWS "$ECR_PW" >"$T/htpasswd" 2>/dev/null
	cat >"$T/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $T/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
auth:
  htpasswd:
    realm: basic-realm
    path: $T/htpasswd
EOF
	docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break
		sleep 0.1
	done
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REG_PORT/v2/")" = 401 ]; then
		HAVE_REG=1
		pass "docker-registry on 127.0.0.1:$REG_PORT asks for Basic auth"
	else
		fail "docker-registry starts" "see $T/registry.log"
	fi
fi

# ---- the AWS stand-in ------------------------------------------------------
cat >"$T/seed.json" <<EOF
{"accounts": {"123456789012": {
  "repositories": [
    {"name": "honua/legacy/app", "tags": []},
    {"name": "honua/acme/old", "tags": [{"Key": "ManagedBy", "Value": "someone-else"}]},
    {"name": "honua/squat/app", "tags": [{"Key": "team", "Value": "web"}]},
    {"name": "other/app", "tags": []},
    {"name": "honua/zeta/app", "tags": [{"Key": "ManagedBy", "Value": "honua-orchestrator"},
                                        {"Key": "honua:customer-id", "Value": "zeta"}],
     "createdAt": $OLD}
  ],
  "users": [
    {"name": "honua-customer-legacy", "path": "/honua/", "tags": []},
    {"name": "honua-customer-squat", "path": "/honua/", "tags": [{"Key": "team", "Value": "web"}],
     "policies": {"mine": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}},
    {"name": "ops-admin", "path": "/", "tags": []}
  ]
}}}
EOF
FAKE_PORT=$(free_port)
python3 "$SRC/tests/aws/fakeaws.py" --port "$FAKE_PORT" --port-file "$T/fake.port" \
	--keys "$SRC/tests/aws/keys.json" --seed "$T/seed.json" --log "$T/fake-requests.jsonl" \
	--secret "honua/github-pat-build-orchestrator=$PAT" --ecr-password "$ECR_PW" \
	--ecr-proxy-endpoint "http://127.0.0.1:$REG_PORT" 2>"$T/fake.err" &
PIDS="$PIDS $!"
for _ in $(seq 1 50); do
	[ -s "$T/fake.port" ] && break
	sleep 0.1
done
if [ ! -s "$T/fake.port" ]; then
	fail "fake AWS starts" "$(cat "$T/fake.err")"
	t_summary
	exit 1
fi
FAKE=http://127.0.0.1:$FAKE_PORT
pass "fake AWS on $FAKE"

ctl() { curl -s -X "$1" "$FAKE$2" ${3:+-d "$3"}; }
fault() { ctl POST /__faults "$1" >/dev/null; }
reset_faults() { ctl POST /__reset >/dev/null; }
nreq() { wc -l <"$T/fake-requests.jsonl" | tr -d ' '; }
state() { ctl GET /__state >"$T/state.json"; }
# q EXPR: a python expression over the state (s) -> printed
q() {
	state
	python3 -c "import json,sys; s=json.load(open('$T/state.json')); a=s['accounts']; print($1)"
}
# logq EXPR: over the request log lines since line $LOGMARK (L = list)
LOGMARK=0
mark() { LOGMARK=$(nreq); }
logq() {
	python3 -c "
import json
L=[json.loads(x) for x in open('$T/fake-requests.jsonl').read().splitlines()[$LOGMARK:]]
print($1)"
}

# ---- environment of every run ---------------------------------------------
export HOME=$T/home TMPDIR=$T/tmp
export AWS_ACCESS_KEY_ID=$ADMIN_AKID AWS_SECRET_ACCESS_KEY=$ADMIN_SECRET
export AWS_ENDPOINT_URL=$FAKE AWS_REGION=us-east-1
export AWS_CONFIG_FILE=$T/home/none AWS_SHARED_CREDENTIALS_FILE=$T/home/none
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
	AWS_DEFAULT_REGION AWS_CA_BUNDLE AWS_ALLOWED_ECR_REGIONS 2>/dev/null
export HONUA_POLICY_DIR=$SRC/admin-tools/policies
export HONUA_RETRY_BASE_MS=20 HONUA_RETRY_BASE_OTHER_MS=5 HONUA_RETRY_CAP_MS=300
export HONUA_CONSISTENCY_TIMEOUT_S=10 HONUA_CONSISTENCY_POLL_MS=20
export HONUA_HTTP_TIMEOUT_MS=20000

N=0
# orch ARGS...: run the tool; RC, OUT, ERR set; outputs kept for the grep
orch() {
	N=$((N + 1))
	"$BIN" "$@" >"$T/out/$N.out" 2>"$T/out/$N.err"
	RC=$?
	OUT=$(cat "$T/out/$N.out")
	ERR=$(cat "$T/out/$N.err")
}
# as orch, but standard output is a credentials document (kept apart)
orch_doc() {
	N=$((N + 1))
	"$BIN" "$@" >"$T/creds/stdout-$N.json" 2>"$T/out/$N.err"
	RC=$?
	OUT=$(cat "$T/creds/stdout-$N.json")
	ERR=$(cat "$T/out/$N.err")
}

# The converged state of a provisioned customer C (registry + credentials
# in file F): one managed repository honua/C/app with its lifecycle policy,
# user honua-customer-C with the inline policy and exactly one key, the
# key in F.  Prints "ok" or what differs.
converged() {
	c=$1
	f=$2
	acct=${3:-123456789012}
	state
	python3 - "$T/state.json" "$c" "$f" "$acct" "${4:-app}" <<'PY'
import json, sys, os, stat
s = json.load(open(sys.argv[1])); c = sys.argv[2]; f = sys.argv[3]; acct = sys.argv[4]
want = sorted("us-east-1/honua/%s/%s" % (c, i) for i in sys.argv[5].split(","))
a = s["accounts"].get(acct, {"repositories": {}, "users": {}})
bad = []
repos = {k: v for k, v in a["repositories"].items()
         if k.split("/", 1)[1].startswith("honua/%s/" % c)
         and {"Key": "honua:customer-id", "Value": c} in v["tags"]}
if sorted(repos) != want:
    bad.append("repos %s" % list(repos))
for r in repos.values():
    if not r["managed"] or not r["lifecyclePolicy"] or r["imageTagMutability"] != "IMMUTABLE" or not r["scanOnPush"]:
        bad.append("repo settings %s" % r)
    if {"Key": "honua:customer-id", "Value": c} not in r["tags"]:
        bad.append("repo customer tag %s" % r["tags"])
u = a["users"].get("honua-customer-" + c)
if u is None:
    bad.append("no user")
else:
    if u["path"] != "/honua/" or not u["managed"]:
        bad.append("user %s" % u)
    if list(u["policies"]) != ["honua-ecr-access"]:
        bad.append("policies %s" % list(u["policies"]))
    if len(u["keys"]) != 1:
        bad.append("keys %s" % u["keys"])
    try:
        st = os.stat(f)
        d = json.load(open(f))
        if stat.S_IMODE(st.st_mode) != 0o600:
            bad.append("mode %o" % stat.S_IMODE(st.st_mode))
        if len(u["keys"]) == 1 and d["aws"]["accessKeyId"] != u["keys"][0]["id"]:
            bad.append("document key %s != %s" % (d["aws"]["accessKeyId"], u["keys"][0]["id"]))
        if d["customerId"] != c or d["schema"] != "honua-credentials/v1":
            bad.append("document header")
    except (OSError, ValueError, KeyError) as e:
        bad.append("document: %s" % e)
print("ok" if not bad else "; ".join(bad))
PY
}

# nothing of customer C is left in account A
gone() {
	q "[k for k in a.get('${2:-123456789012}',{'repositories':{}})['repositories'] if '/honua/$1/' in k] + [k for k in a.get('${2:-123456789012}',{'users':{}})['users'] if k == 'honua-customer-$1']"
}

# ============================================================================
# 1. usage errors, refused before any request
# ============================================================================
mark
orch
eq "no command: exit 2" 2 "$RC"
orch --help
eq "--help: exit 0" 0 "$RC"
contains "--help shows the commands" "create-credentials" "$OUT"
orch frobnicate --provider aws
eq "unknown command: exit 2" 2 "$RC"
for bad in Acme ab 1abc acme-co abcdefghijklmnop "ac me" "acmé"; do
	orch create-registry --provider aws --customer-id "$bad"
	eq "customer id '$bad' refused (exit 2)" 2 "$RC"
	contains "customer id '$bad': the rule is in the message" '^[a-z][a-z0-9]{2,14}$' "$ERR"
done
orch create-registry --provider aws --customer-id abcdefghijklmno --dry-run
eq "a 15-character customer id is fine" 0 "$RC"
orch create-registry --provider aws --customer-id acme --region eu-central-1
eq "region outside the allow-list: exit 2" 2 "$RC"
contains "region refusal names AWS_ALLOWED_ECR_REGIONS" "AWS_ALLOWED_ECR_REGIONS" "$ERR"
AWS_REGION=sa-east-1 orch audit --provider aws
eq "region from AWS_REGION outside the allow-list: exit 2" 2 "$RC"
AWS_ALLOWED_ECR_REGIONS=eu-central-1 orch create-registry --provider aws --customer-id acme --region eu-central-1 --dry-run
eq "AWS_ALLOWED_ECR_REGIONS extends the allow-list" 0 "$RC"
orch delete --provider aws --customer-id acme
eq "delete without --confirm: exit 2" 2 "$RC"
contains "delete says to add --confirm" "--confirm" "$ERR"
orch create-registry --provider azure --customer-id acme
eq "azure: exit 2" 2 "$RC"
contains "azure is not available yet" "provider azure is not available in this build yet" "$ERR"
orch build --customer-id acme --github-repo "file://$T/git/app" --tag v1 --push-to aws,gcp
eq "build --push-to gcp: exit 2" 2 "$RC"
contains "gcp is not available yet" "provider gcp is not available in this build yet" "$ERR"
orch create-registry --provider aws --customer-id acme --assume-role-arn "$ROLE"
eq "--assume-role-arn without --external-id: exit 2" 2 "$RC"
orch audit --provider aws --older-than 90x
eq "--older-than 90x: exit 2" 2 "$RC"
orch create-registry --provider aws --customer-id acme --rotate
eq "an option of another command: exit 2" 2 "$RC"
orch create-credentials --provider aws --customer-id acme --output "$T/no/such/dir/acme.json"
eq "--output into a missing directory: exit 2 before any request" 2 "$RC"
eq "no usage error made a request" "$LOGMARK" "$(nreq)"

# ============================================================================
# 1b. the stand-in verifies SigV4 for real
# ============================================================================
AWS_SECRET_ACCESS_KEY=${ADMIN_SECRET}x orch create-registry --provider aws --customer-id sigbad
eq "a wrong secret key: exit 1" 1 "$RC"
contains "a wrong secret key: SignatureDoesNotMatch" "SignatureDoesNotMatch" "$ERR"
AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000001 orch create-registry --provider aws --customer-id sigbad
contains "an unknown key: InvalidClientTokenId" "InvalidClientTokenId" "$ERR"
SESSION_SECRET=$(python3 -c 'import json;print(json.load(open("tests/aws/keys.json"))["keys"]["ASIAHONUASESSION0001"]["secret"])')
SESSION_TOKEN=$(python3 -c 'import json;print(json.load(open("tests/aws/keys.json"))["keys"]["ASIAHONUASESSION0001"]["token"])')
AWS_ACCESS_KEY_ID=ASIAHONUASESSION0001 AWS_SECRET_ACCESS_KEY=$SESSION_SECRET \
	orch audit --provider aws
contains "session credentials without their token: refused" "InvalidClientTokenId" "$ERR"
AWS_ACCESS_KEY_ID=ASIAHONUASESSION0001 AWS_SECRET_ACCESS_KEY=$SESSION_SECRET AWS_SESSION_TOKEN=$SESSION_TOKEN \
	orch audit --provider aws
eq "session credentials with their token (signed): exit 0" 0 "$RC"
eq "nothing was created by the refused requests" "[]" "$(gone sigbad)"

# ============================================================================
# 2. --dry-run: every call printed, none made
# ============================================================================
mark
orch create-registry --provider aws --customer-id dryco --dry-run
eq "dry-run create-registry: exit 0" 0 "$RC"
contains "dry-run prints CreateRepository" "ecr CreateRepository POST $FAKE/" "$OUT"
contains "dry-run prints PutLifecyclePolicy" "PutLifecyclePolicy" "$OUT"
orch create-credentials --provider aws --customer-id dryco --dry-run --output "$T/creds/dry.json"
eq "dry-run create-credentials: exit 0" 0 "$RC"
contains "dry-run prints CreateUser" "iam CreateUser" "$OUT"
contains "dry-run prints PutUserPolicy" "PutUserPolicy" "$OUT"
contains "dry-run prints CreateAccessKey" "CreateAccessKey" "$OUT"
orch audit --provider all --dry-run
eq "dry-run audit: exit 0" 0 "$RC"
orch delete --provider aws --customer-id dryco --dry-run
eq "dry-run delete (no --confirm needed): exit 0" 0 "$RC"
contains "dry-run delete prints GetUser" "iam GetUser" "$OUT"
orch build --customer-id dryco --github-repo "file://$T/git/app" --tag v1 --push-to aws --dry-run
eq "dry-run build: exit 0" 0 "$RC"
contains "dry-run build prints GetSecretValue" "secretsmanager GetSecretValue" "$OUT"
contains "dry-run build prints the buildah command" "buildah" "$OUT"
orch create-registry --provider aws --customer-id xdry --dry-run --assume-role-arn "$ROLE" --external-id "$EXTID"
eq "dry-run with --assume-role-arn: exit 0" 0 "$RC"
eq "--dry-run made no request at all" "$LOGMARK" "$(nreq)"
[ -e "$T/creds/dry.json" ] && fail "dry-run wrote no document" "exists" || pass "dry-run wrote no document"

# ============================================================================
# 3. the lifecycle (with two unmanaged lookalikes seeded)
# ============================================================================
state
cp "$T/state.json" "$T/state-initial.json"
UNMANAGED_BEFORE=$(python3 -c "
import json; a=json.load(open('$T/state-initial.json'))['accounts']['123456789012']
print(json.dumps([a['repositories'][k] for k in sorted(a['repositories'])]+[a['users'][k] for k in sorted(a['users'])], sort_keys=True))")

mark
orch create-registry --provider aws --customer-id acme --images app,worker -v
eq "create-registry acme: exit 0" 0 "$RC"
contains "both repositories created" "created       aws   ecr-repository       honua/acme/worker" "$OUT"
eq "repositories are tagged, IMMUTABLE, scanned, with a lifecycle policy" "True" \
	"$(q "all(r['managed'] and {'Key':'honua:customer-id','Value':'acme'} in r['tags'] and r['imageTagMutability']=='IMMUTABLE' and r['scanOnPush'] and r['lifecyclePolicy'] for k,r in a['123456789012']['repositories'].items() if '/honua/acme/' in k and not k.endswith('/old'))")"
orch create-registry --provider aws --customer-id acme --images app,worker
eq "create-registry re-run: exit 0" 0 "$RC"
contains "re-run adopts" "adopted       aws   ecr-repository       honua/acme/app" "$OUT"
orch create-registry --provider aws --customer-id squat
eq "an unmanaged repository of that name is not adopted: exit 1" 1 "$RC"
contains "refusal says why" "not managed by honua-orchestrator" "$ERR"

# credentials to a file
mark
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" -v
eq "create-credentials acme: exit 0" 0 "$RC"
eq "acme converged (file 0600, one key, policy)" "ok" "$(converged acme "$T/creds/acme.json" 123456789012 app,worker)"
eq "credentials document lists both repositories" "['honua/acme/app', 'honua/acme/worker']" \
	"$(python3 -c "import json;print(sorted(json.load(open('$T/creds/acme.json'))['aws']['repositories']))")"
POLICY=$(q "json.dumps(a['123456789012']['users']['honua-customer-acme']['policies']['honua-ecr-access'], sort_keys=True)")
contains "policy is scoped to the customer's repositories" '"arn:aws:ecr:us-east-1:123456789012:repository/honua/acme/*"' "$POLICY"
contains "policy allows ecr:GetAuthorizationToken" '"ecr:GetAuthorizationToken"' "$POLICY"
not_contains "default policy is pull-only" "ecr:PutImage" "$POLICY"
eq "the new key was verified with STS and ECR before delivery" "True" \
	"$(logq "any(r['action']=='GetCallerIdentity' and r.get('caller','').endswith('honua-customer-acme') for r in L) and any(r['action']=='GetAuthorizationToken' and r.get('caller','').endswith('honua-customer-acme') and r['status']==200 for r in L)")"
KEY1=$(python3 -c "import json;print(json.load(open('$T/creds/acme.json'))['aws']['accessKeyId'])")

orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json"
eq "create-credentials re-run without --rotate: exit 0" 0 "$RC"
contains "re-run keeps the delivered key" "kept" "$OUT"
eq "still the same single key" "[['$KEY1']]" "$(q "[[k['id'] for k in a['123456789012']['users']['honua-customer-acme']['keys']]]")"

orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" --allow-push
eq "--allow-push: exit 0" 0 "$RC"
contains "--allow-push puts the push policy" "ecr:PutImage" "$(q "json.dumps(a['123456789012']['users']['honua-customer-acme']['policies'])")"

# --rotate: new key written first, old one deactivated and deleted after
mark
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" --rotate
eq "--rotate: exit 0" 0 "$RC"
KEY2=$(python3 -c "import json;print(json.load(open('$T/creds/acme.json'))['aws']['accessKeyId'])")
[ "$KEY2" != "$KEY1" ] && pass "--rotate issued a new key" || fail "--rotate issued a new key" "$KEY2"
eq "--rotate left exactly the new key" "ok" "$(converged acme "$T/creds/acme.json" 123456789012 app,worker)"
eq "--rotate: the old key was deleted only after the document was written (and deactivated first)" "True" \
	"$(logq "[r['action'] for r in L if r['action'] in ('CreateAccessKey','TagUser','UpdateAccessKey','DeleteAccessKey')]==['CreateAccessKey','TagUser','TagUser','UpdateAccessKey','DeleteAccessKey']")"

# the 2-key cap: a second key someone made by hand, in use
ctl POST /__seed "{\"accounts\":{\"123456789012\":{\"users\":[{\"name\":\"honua-customer-acme\",\"keys\":[{\"id\":\"AKIAHANDMADE00000001\",\"secret\":\"handmadeSecret$(rnd)\",\"created\":$OLD}]}],\"key_last_used\":{\"AKIAHANDMADE00000001\":{\"date\":$((OLD + 100)),\"service\":\"ecr\"}}}}}" >/dev/null
eq "seeded: the user is at the 2-key cap" "2" "$(q "len(a['123456789012']['users']['honua-customer-acme']['keys'])")"
mark
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json"
eq "at the cap without --rotate: nothing new (exit 0, kept)" "0 2" "$RC $(q "len(a['123456789012']['users']['honua-customer-acme']['keys'])")"
eq "no CreateAccessKey without --rotate" "0" "$(logq "sum(r['action']=='CreateAccessKey' for r in L)")"
mark
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" --rotate
eq "--rotate at the cap: exit 0" 0 "$RC"
eq "--rotate at the cap converged to one new key" "ok" "$(converged acme "$T/creds/acme.json" 123456789012 app,worker)"
eq "--rotate at the cap never hit LimitExceeded" "0" "$(logq "sum(r.get('error')=='LimitExceeded' for r in L)")"
eq "--rotate at the cap made room by deleting the oldest key first" "AKIAHANDMADE00000001" \
	"$(logq "[r['params']['AccessKeyId'] for r in L if r['action']=='DeleteAccessKey'][0]")"
contains "the cap is reported" "2-key cap" "$OUT$ERR"

# quota: IAM LimitExceeded is not retried
mark
fault '{"action":"CreateAccessKey","kind":"quota","count":5}'
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" --rotate
eq "quota error: exit 1" 1 "$RC"
contains "quota error is explained" "not retried" "$ERR"
eq "quota error was tried exactly once" "1" "$(logq "sum(r['action']=='CreateAccessKey' for r in L)")"
reset_faults
orch create-credentials --provider aws --customer-id acme --output "$T/creds/acme.json" --rotate
eq "after the quota error, a re-run converges" "0 ok" "$RC $(converged acme "$T/creds/acme.json" 123456789012 app,worker)"

# --output -: the document on standard output, the report on stderr
orch create-registry --provider aws --customer-id beta
orch_doc create-credentials --provider aws --customer-id beta --output -
eq "--output -: exit 0" 0 "$RC"
eq "--output -: stdout is the document" "beta" "$(printf '%s' "$OUT" | python3 -c 'import json,sys;print(json.load(sys.stdin)["customerId"])')"
contains "--output -: the report went to stderr" "credentials" "$ERR"
[ -e "honua-credentials-beta.json" ] && fail "--output - wrote no file" "exists" || pass "--output - wrote no file"

# ============================================================================
# 4. build and push into docker-registry, read back with skopeo
# ============================================================================
mkdir -p "$T/git/app"
(
	cd "$T/git/app" && git init -q -b main . &&
		echo "hello from acme" >hello.txt &&
		printf 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello.txt"]\n' >Dockerfile &&
		git add . && git -c user.email=t@example.com -c user.name=t commit -qm v1 &&
		git tag v1.0.0
) >/dev/null 2>&1
BUILDAH_OK=0
if command -v buildah >/dev/null 2>&1; then
	mkdir -p "$T/probe/ctx" && printf 'FROM scratch\nCOPY Dockerfile /x\n' >"$T/probe/ctx/Dockerfile"
	buildah --root "$T/probe/root" --runroot "$T/probe/run" --storage-driver vfs \
		bud --isolation chroot --pull=never -q -t localhost/probe:1 "$T/probe/ctx" \
		>"$T/probe.log" 2>&1 && BUILDAH_OK=1
	rm -rf "$T/probe"
fi
if ! command -v buildah >/dev/null 2>&1; then
	skip "buildah not found"
elif [ "$BUILDAH_OK" != 1 ]; then
	skip "buildah cannot build here (see the probe log): $(tail -1 "$T/probe.log")"
elif [ "$HAVE_REG" != 1 ]; then
	skip "docker-registry not found"
else
	mark
	orch build --customer-id acme --github-repo "file://$T/git/app" --ref v1.0.0 --tag v1 --push-to aws -v
	eq "build and push: exit 0" 0 "$RC"
	contains "build reports the push" "pushed" "$OUT"
	DIGEST=$(printf '%s\n' "$OUT" | sed -n 's/.*@\(sha256:[0-9a-f]*\).*/\1/p' | head -1)
	eq "the PAT was read from Secrets Manager" "1" "$(logq "sum(r['action']=='GetSecretValue' and r['params'].get('SecretId')=='honua/github-pat-build-orchestrator' for r in L)")"
	if command -v skopeo >/dev/null 2>&1; then
		skopeo inspect --creds "AWS:$ECR_PW" --tls-verify=false \
			"docker://127.0.0.1:$REG_PORT/honua/acme/app:v1" >"$T/out/skopeo.json" 2>"$T/out/skopeo.err"
		eq "skopeo inspect reads the image back" 0 "$?"
		eq "skopeo sees the pushed digest" "$DIGEST" \
			"$(python3 -c "import json;print(json.load(open('$T/out/skopeo.json'))['Digest'])" 2>/dev/null)"
		skopeo inspect --creds "AWS:wrong" --tls-verify=false \
			"docker://127.0.0.1:$REG_PORT/honua/acme/app:v1" >/dev/null 2>&1
		[ $? -ne 0 ] && pass "the registry refuses a wrong password" || fail "the registry refuses a wrong password" "accepted"
	else
		skip "skopeo not found"
	fi
	orch build --customer-id acme --github-repo "file://$T/git/app" --tag v2 --push-to aws
	eq "build without --ref (default branch): exit 0" 0 "$RC"
	orch build --customer-id nobody --github-repo "file://$T/git/app" --tag v1 --push-to aws
	eq "build for a customer without a registry: exit 1" 1 "$RC"
	contains "build says to run create-registry" "create-registry" "$ERR"
	orch build --customer-id acme --github-repo "file://$T/git/app" --ref no-such-ref --tag v3 --push-to aws
	eq "build of a missing ref: exit 1" 1 "$RC"
	ls "$T/tmp" | grep -q honua-build && fail "build directories removed" "$(ls "$T/tmp")" || pass "build directories removed"

	# RUN steps on a base image assembled locally from busybox-static, in
	# shared storage (HONUA_BUILDAH_ROOT): no pull from anywhere
	if [ -x /bin/busybox ] && file /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
		BS="buildah --root $T/bstore/root --runroot $T/bstore/run --storage-driver vfs"
		ctr=$($BS from scratch 2>>"$T/out/busybox.log") &&
			$BS copy "$ctr" /bin/busybox /bin/busybox >>"$T/out/busybox.log" 2>&1 &&
			$BS commit -q "$ctr" localhost/busybox:latest >>"$T/out/busybox.log" 2>&1 &&
			$BS rm "$ctr" >/dev/null 2>&1
		mkdir -p "$T/git/runapp"
		(
			cd "$T/git/runapp" && git init -q -b main . &&
				printf 'FROM localhost/busybox:latest\nRUN ["/bin/busybox", "sh", "-c", "echo built by RUN > /built.txt"]\nCMD ["/bin/busybox", "cat", "/built.txt"]\n' >Containerfile &&
				git add . && git -c user.email=t@example.com -c user.name=t commit -qm run
		) >/dev/null 2>&1
		HONUA_BUILDAH_ROOT=$T/bstore/root HONUA_BUILDAH_RUNROOT=$T/bstore/run \
			orch build --customer-id acme --github-repo "file://$T/git/runapp" --dockerfile Containerfile --tag run1 --push-to aws
		eq "a RUN step on a local busybox base image builds and pushes" 0 "$RC"
		if command -v skopeo >/dev/null 2>&1; then
			skopeo inspect --creds "AWS:$ECR_PW" --tls-verify=false \
				"docker://127.0.0.1:$REG_PORT/honua/acme/app:run1" >"$T/out/skopeo-run1.json" 2>&1
			eq "the RUN image has the base layer and its own" "2" \
				"$(python3 -c "import json;print(len(json.load(open('$T/out/skopeo-run1.json'))['Layers']))" 2>/dev/null)"
		fi
		eq "the built image was removed from the shared storage" "" \
			"$($BS images -q localhost/honua-build/acme-app:run1 2>/dev/null)"
	else
		skip "busybox-static not found: no RUN build"
	fi

	# the token reaches git as an extra header, never on a command line
	python3 - "$T/git-http.port" "$T/git-http.auth" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "a").write((self.headers.get("Authorization") or "-") + "\n")
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
	PIDS="$PIDS $!"
	for _ in $(seq 1 50); do [ -s "$T/git-http.port" ] && break; sleep 0.1; done
	orch build --customer-id acme --github-repo "http://127.0.0.1:$(cat "$T/git-http.port")/org/app.git" --tag v9 --push-to aws -v
	eq "clone from a server that refuses: exit 1" 1 "$RC"
	WANT="basic $(printf 'x-access-token:%s' "$PAT" | base64 -w0)"
	GOT=$(tr -d '\r' <"$T/git-http.auth" 2>/dev/null | head -1)
	[ "$GOT" = "$WANT" ] && pass "git sent the PAT as an http.extraheader (never on a command line)" ||
		fail "git sent the PAT as an http.extraheader" "got [${GOT:0:12}...]"
	rm -f "$T/git-http.auth"
fi

# ============================================================================
# 5. audit: managed resources only, with age, images, keys, last use
# ============================================================================
ctl POST /__seed "{\"accounts\":{\"123456789012\":{\"repositories\":[{\"name\":\"honua/acme/app\",\"images\":[{\"imageDigest\":\"sha256:$(printf a%.0s $(seq 64))\",\"imageTags\":[\"v1\"],\"imagePushedAt\":$OLD,\"lastRecordedPullTime\":$((OLD + 3600)),\"imageSizeInBytes\":1234},{\"imageDigest\":\"sha256:$(printf b%.0s $(seq 64))\",\"imageTags\":[\"v2\"],\"imagePushedAt\":$((OLD + 7200)),\"imageSizeInBytes\":99},{\"imageDigest\":\"sha256:$(printf c%.0s $(seq 64))\",\"imageTags\":[],\"imagePushedAt\":$((OLD + 60)),\"imageSizeInBytes\":5}]}]}}}" >/dev/null
orch audit --provider aws --json --older-than 90d --unused
eq "audit --json: exit 0" 0 "$RC"
printf '%s' "$OUT" >"$T/out/audit.json"
aud() { python3 -c "import json; d=json.load(open('$T/out/audit.json')); R={r['name']:r for r in d['resources']}; print($1)"; }
eq "audit counts images over small pages" "3" "$(aud "R['honua/acme/app']['images']")"
eq "audit shows the newest push" "2023-11-15T00:13:20Z" "$(aud "R['honua/acme/app']['lastPush']")"
eq "audit flags an old repository (created long ago)" "True True" "$(aud "R['honua/zeta/app']['olderThanThreshold'], R['honua/zeta/app']['unused']")"
eq "audit: acme/app was neither pushed nor pulled in 90 days: unused" "True" "$(aud "R['honua/acme/app']['unused']")"
eq "audit lists the user and its key" "True True" "$(aud "'honua-customer-acme' in R, any(r['kind']=='access-key' and r['user']=='honua-customer-acme' for r in d['resources'])")"
eq "audit never lists unmanaged resources" "[]" "$(aud "[n for n in R if n in ('honua/legacy/app','honua/acme/old','honua/squat/app','other/app','honua-customer-legacy','honua-customer-squat','ops-admin')]")"
eq "audit counts the unmanaged ones it left out" "True" "$(aud "d['unmanagedIgnored']>=4")"
eq "every listed resource is deletable by its customer id" "True" "$(aud "all(r['deletable'] and r['deleteWith'].endswith('--customer-id %s --confirm' % r['customerId']) for r in d['resources'])")"
orch audit --provider all
eq "audit (text): exit 0" 0 "$RC"
contains "text audit shows images" "images=3" "$OUT"
not_contains "text audit leaves the unmanaged out" "honua/legacy/app" "$OUT"

# ============================================================================
# 6. delete: IAM order, managed only, reported; re-run converges
# ============================================================================
mark
orch delete --provider aws --customer-id acme --confirm
eq "delete acme: exit 0" 0 "$RC"
contains "delete reports the user" "removed       aws   iam-user             honua-customer-acme" "$OUT"
contains "delete reports the repositories" "honua/acme/worker" "$OUT"
contains "delete reports the lookalike it left" "skipped       aws   ecr-repository       honua/acme/old" "$OUT"
eq "nothing of acme is left (but the unmanaged lookalike)" "['us-east-1/honua/acme/old']" "$(gone acme)"
ORDER="{'DeleteAccessKey':0,'DeleteUserPolicy':1,'DeleteUser':2}"
eq "IAM order: keys, policies, user" "True" "$(logq "(lambda o: o==sorted(o,key=lambda x:$ORDER[x]) and o[-1]=='DeleteUser' and len(set(o))==3)([r['action'] for r in L if r['action'] in $ORDER])")"
eq "the unmanaged honua/acme/old is still there" "True" "$(q "'us-east-1/honua/acme/old' in a['123456789012']['repositories']")"
orch delete --provider all --customer-id acme --confirm
eq "delete re-run: exit 0" 0 "$RC"
contains "delete re-run reports absence" "absent" "$OUT"
mark
orch delete --provider aws --customer-id squat --confirm
eq "delete of an unmanaged lookalike: exit 0" 0 "$RC"
contains "unmanaged lookalikes are skipped and reported" "skipped" "$OUT"
contains "and warned about" "not managed by honua-orchestrator" "$ERR"
eq "delete changed nothing unmanaged" "0" "$(logq "sum(1 for r in L if r.get('mutating'))")"
orch delete --provider aws --customer-id beta --confirm
eq "delete beta: exit 0" 0 "$RC"

# a managed user with something IAM refuses to delete around (a login
# profile this tool did not make): a clear error, and nothing else lost
ctl POST /__seed '{"accounts":{"123456789012":{"users":[{"name":"honua-customer-dconf","path":"/honua/","tags":[{"Key":"ManagedBy","Value":"honua-orchestrator"},{"Key":"honua:customer-id","Value":"dconf"}],"extra":["login profile"]}]}}}' >/dev/null
orch delete --provider aws --customer-id dconf --confirm
eq "DeleteConflict: exit 1" 1 "$RC"
contains "DeleteConflict: says what to remove by hand" "by hand" "$ERR"
ctl POST /__seed '{"accounts":{"123456789012":{"users":[{"name":"honua-customer-dconf","extra":[]}]}}}' >/dev/null
orch delete --provider aws --customer-id dconf --confirm
eq "DeleteConflict: once the extra is gone, the re-run completes" "0 []" "$RC $(gone dconf)"

# a managed user whose only key is in use but was not delivered by us:
# no silent extra key without --rotate
orch create-registry --provider aws --customer-id fgn
ctl POST /__seed "{\"accounts\":{\"123456789012\":{\"users\":[{\"name\":\"honua-customer-fgn\",\"path\":\"/honua/\",\"tags\":[{\"Key\":\"ManagedBy\",\"Value\":\"honua-orchestrator\"},{\"Key\":\"honua:customer-id\",\"Value\":\"fgn\"}],\"keys\":[{\"id\":\"AKIAFOREIGNKEY000001\",\"secret\":\"foreignSecret$(rnd)\"}]}],\"key_last_used\":{\"AKIAFOREIGNKEY000001\":{\"date\":$OLD}}}}}" >/dev/null
orch create-credentials --provider aws --customer-id fgn --output "$T/creds/fgn.json"
eq "a key in use that was not delivered: refused without --rotate (exit 1)" 1 "$RC"
contains "the refusal points to --rotate" "--rotate" "$ERR"
eq "no key was added" "['AKIAFOREIGNKEY000001']" "$(q "[k['id'] for k in a['123456789012']['users']['honua-customer-fgn']['keys']]")"
orch create-credentials --provider aws --customer-id fgn --output "$T/creds/fgn.json" --rotate --json
eq "--rotate replaces it: exit 0" 0 "$RC"
eq "--json report is JSON with the actions" "True" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"] and any(x["action"]=="removed" and x["name"]=="AKIAFOREIGNKEY000001" for x in d["actions"]))')"
eq "--rotate replaced the foreign key" "ok" "$(converged fgn "$T/creds/fgn.json")"
orch delete --provider aws --customer-id fgn --confirm --json
eq "delete --json: exit 0" 0 "$RC"
eq "delete --json lists what it removed" "True" "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(x["action"]=="removed" for x in d["actions"])>=4)')"

# ============================================================================
# 7. faults: each one, then the same end state
# ============================================================================
i=0
while read -r name spec; do
	i=$((i + 1))
	c="flt$i"
	reset_faults
	mark
	fault "$spec"
	orch create-registry --provider aws --customer-id "$c"
	r1=$RC
	orch create-credentials --provider aws --customer-id "$c" --output "$T/creds/$c.json"
	r2=$RC
	eq "fault $name: both commands succeed" "0 0" "$r1 $r2"
	eq "fault $name: converged" "ok" "$(converged "$c" "$T/creds/$c.json")"
	eq "fault $name: it was injected" "True" "$(logq "any('fault' in r for r in L) or $([ "$name" = visibility ] && echo True || echo False)")"
	orch delete --provider aws --customer-id "$c" --confirm
done <<'EOF'
throttle-CreateRepository {"action":"CreateRepository","kind":"throttle","count":2}
503-PutLifecyclePolicy {"action":"PutLifecyclePolicy","kind":"error","status":503,"count":2}
500-DescribeRepositories {"action":"DescribeRepositories","kind":"error","status":500,"count":1}
drop-ListTagsForResource {"action":"ListTagsForResource","kind":"drop","count":1}
throttle-CreateUser {"action":"CreateUser","kind":"throttle","count":3}
500-PutUserPolicy {"action":"PutUserPolicy","kind":"error","status":500,"count":2}
502-ListAccessKeys {"action":"ListAccessKeys","kind":"error","status":502,"count":1}
throttle-CreateAccessKey {"action":"CreateAccessKey","kind":"throttle","count":1}
drop-GetCallerIdentity {"action":"GetCallerIdentity","kind":"drop","count":2}
throttle-GetAuthorizationToken {"action":"GetAuthorizationToken","kind":"throttle","count":2}
visibility {"kind":"visibility","count":3}
EOF
reset_faults
eq "visibility: NoSuchEntity and InvalidClientTokenId were waited out" "True" \
	"$(python3 -c "
import json
L=[json.loads(x) for x in open('$T/fake-requests.jsonl')]
print(any(r.get('error')=='NoSuchEntity' and r['action']=='PutUserPolicy' for r in L) and any(r.get('error')=='InvalidClientTokenId' for r in L))")"

# Retry-After is honoured
reset_faults
fault '{"action":"GetCallerIdentity","kind":"throttle","count":1,"retry_after":1}'
t0=$(date +%s%N)
orch create-registry --provider aws --customer-id rafter
t1=$(date +%s%N)
eq "Retry-After: exit 0" 0 "$RC"
[ $(((t1 - t0) / 1000000)) -ge 950 ] && pass "Retry-After: 1 was waited" || fail "Retry-After: 1 was waited" "$(((t1 - t0) / 1000000)) ms"
orch delete --provider aws --customer-id rafter --confirm

# retries end: throttling beyond the attempts, then a re-run converges
reset_faults
mark
fault '{"action":"CreateRepository","kind":"throttle","count":50}'
HONUA_MAX_ATTEMPTS=3 orch create-registry --provider aws --customer-id thr
eq "throttled past the last attempt: exit 1" 1 "$RC"
contains "the message says it was throttled" "throttl" "$ERR"
eq "exactly 3 attempts" "3" "$(logq "sum(r['action']=='CreateRepository' for r in L)")"
reset_faults
orch create-registry --provider aws --customer-id thr
orch create-credentials --provider aws --customer-id thr --output "$T/creds/thr.json"
eq "throttling: the re-run converges" "ok" "$(converged thr "$T/creds/thr.json")"
orch delete --provider aws --customer-id thr --confirm

# quota on CreateRepository: one attempt, a clear error
mark
fault '{"action":"CreateRepository","kind":"quota","count":5}'
orch create-registry --provider aws --customer-id quo
eq "ECR LimitExceededException: exit 1" 1 "$RC"
contains "quota message" "LimitExceededException" "$ERR"
eq "quota: exactly one attempt" "1" "$(logq "sum(r['action']=='CreateRepository' for r in L)")"
reset_faults

# ============================================================================
# 8. SIGKILL between two steps, then a re-run converges
# ============================================================================
# crash CMD ACTION WHEN [SKIP]: run the provisioning of customer $c, kill
# it while ACTION hangs (before or after the stand-in applied it)
crash() {
	reset_faults
	fault "{\"action\":\"$2\",\"kind\":\"hang\",\"when\":\"$3\",\"skip\":${4:-0}}"
	N=$((N + 1))
	"$BIN" $1 >"$T/out/$N.out" 2>"$T/out/$N.err" &
	cpid=$!
	hung=0
	for _ in $(seq 1 100); do
		if ctl GET /__faults | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["hung"] else 1)'; then
			hung=1
			break
		fi
		sleep 0.05
	done
	kill -9 "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	reset_faults
	[ "$hung" = 1 ]
}
j=0
while read -r action when skip; do
	j=$((j + 1))
	c="crash$j"
	cr="create-registry --provider aws --customer-id $c"
	cc="create-credentials --provider aws --customer-id $c --output $T/creds/$c.json"
	case $action in
	CreateRepository | PutLifecyclePolicy) cmd=$cr ;;
	*) orch $cr; cmd=$cc ;;
	esac
	if crash "$cmd" "$action" "$when" "$skip"; then
		pass "crash in $action ($when): the tool was killed there"
	else
		fail "crash in $action ($when)" "never reached"
	fi
	orch $cr
	r1=$RC
	orch $cc
	eq "crash in $action ($when): re-runs succeed" "0 0" "$r1 $RC"
	eq "crash in $action ($when): converged" "ok" "$(converged "$c" "$T/creds/$c.json")"
done <<'EOF'
CreateRepository after 0
PutLifecyclePolicy before 0
CreateUser after 0
PutUserPolicy before 0
ListAccessKeys before 0
CreateAccessKey after 0
GetCallerIdentity before 1
TagUser before 1
EOF
# a crash in the middle of a delete
k=0
while read -r action when; do
	k=$((k + 1))
	c="crash$k"
	if crash "delete --provider aws --customer-id $c --confirm" "$action" "$when"; then
		pass "crash in delete at $action ($when)"
	else
		fail "crash in delete at $action ($when)" "never reached"
	fi
	orch delete --provider aws --customer-id "$c" --confirm
	eq "crash in delete at $action ($when): the re-run succeeds" 0 "$RC"
	eq "crash in delete at $action ($when): nothing left" "[]" "$(gone "$c")"
done <<'EOF'
DeleteAccessKey after
DeleteUserPolicy before
DeleteUser after
DeleteRepository after
EOF
for c in crash5 crash6 crash7 crash8; do orch delete --provider aws --customer-id "$c" --confirm; done

# ============================================================================
# 9. cross-account: --assume-role-arn with the external id
# ============================================================================
mark
AWS_ACCESS_KEY_ID=AKIAVENDOROPS0000001 AWS_SECRET_ACCESS_KEY=$VENDOR_SECRET \
	orch create-registry --provider aws --customer-id xacct --assume-role-arn "$ROLE" --external-id wrong-id
eq "wrong external id: exit 1" 1 "$RC"
contains "wrong external id: a clear error" "external id" "$ERR"
contains "wrong external id: STS said AccessDenied" "AccessDenied" "$ERR"
eq "wrong external id: nothing was created" "0" "$(logq "sum(r.get('mutating',False) for r in L)")"
AWS_ACCESS_KEY_ID=AKIAVENDOROPS0000001 AWS_SECRET_ACCESS_KEY=$VENDOR_SECRET \
	orch create-registry --provider aws --customer-id xacct --assume-role-arn "$ROLE" --external-id "$EXTID" -v
eq "cross-account create-registry: exit 0" 0 "$RC"
AWS_ACCESS_KEY_ID=AKIAVENDOROPS0000001 AWS_SECRET_ACCESS_KEY=$VENDOR_SECRET \
	orch create-credentials --provider aws --customer-id xacct --assume-role-arn "$ROLE" --external-id "$EXTID" --output "$T/creds/xacct.json"
eq "cross-account create-credentials: exit 0" 0 "$RC"
eq "cross-account: everything landed in the target account" "ok" "$(converged xacct "$T/creds/xacct.json" 210987654321)"
eq "cross-account: nothing in the caller's accounts" "[]" "$(gone xacct)"
contains "cross-account: the policy names the target account" "210987654321:repository/honua/xacct/*" \
	"$(q "json.dumps(a['210987654321']['users']['honua-customer-xacct']['policies'])")"
AWS_ACCESS_KEY_ID=AKIAVENDOROPS0000001 AWS_SECRET_ACCESS_KEY=$VENDOR_SECRET \
	orch delete --provider aws --customer-id xacct --assume-role-arn "$ROLE" --external-id "$EXTID" --confirm
eq "cross-account delete: exit 0" 0 "$RC"
eq "cross-account delete: nothing left" "[]" "$(gone xacct 210987654321)"

# ============================================================================
# 10. the end state, and the secrets
# ============================================================================
eq "no managed resource of the suite is left" "[]" "$(q "[k for x in a.values() for k in list(x['repositories'])+list(x['users']) if (x['repositories'].get(k) or x['users'].get(k))['managed'] and 'zeta' not in k]")"
UNMANAGED_AFTER=$(q "json.dumps([a['123456789012']['repositories'][k] for k in sorted(a['123456789012']['repositories'])]+[a['123456789012']['users'][k] for k in sorted(a['123456789012']['users'])], sort_keys=True)")
eq "the seeded resources are exactly as they were" "$UNMANAGED_BEFORE" "$UNMANAGED_AFTER"
eq "no successful change ever targeted an unmanaged resource" "[]" "$(LOGMARK=0 logq "[(r['action'],r.get('target')) for r in L if r.get('mutating') and r.get('target_managed') is False and r['status']==200]")"

{
	ctl GET /__secrets | python3 -c 'import json,sys; [print(s) for s in json.load(sys.stdin)["secrets"]]'
	printf '%s\n%s\n%s\n%s\n' "$PAT" "$ECR_PW" "$ADMIN_SECRET" "$VENDOR_SECRET"
} | grep -v '^$' | sort -u >"$T/secret-values.txt"
NSECRETS=$(sort -u "$T/secret-values.txt" | grep -c .)
[ "$NSECRETS" -ge 10 ] && pass "the secrets to look for: $NSECRETS (IAM keys minted, PAT, ECR password, ...)" ||
	fail "secrets collected" "$NSECRETS"
grep -qF -f "$T/secret-values.txt" -r "$T/creds" && pass "the grep finds secrets where they belong (credentials documents)" ||
	fail "the grep finds secrets in the credentials documents" "none"
LEAKS=$(grep -lF -f "$T/secret-values.txt" -r "$T/out" "$T/fake-requests.jsonl" "$T/fake.err" \
	"$T/registry.log" "$T/state.json" "$T/state-initial.json" 2>/dev/null)
eq "no secret in any output or log of the suite" "" "$LEAKS"

t_summary
