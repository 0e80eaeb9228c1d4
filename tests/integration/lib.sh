# tests/integration/lib.sh: helpers for the integration suites (bash).
# Each check prints "PASS name" or "FAIL name: detail"; a suite ends with
# t_summary, which prints "N passed, N failed[, N skipped]" (read by
# tests/run-all).

T_PASS=0
T_FAIL=0
T_SKIP=0

pass() { T_PASS=$((T_PASS + 1)); printf 'PASS %s\n' "$1"; }
fail() { T_FAIL=$((T_FAIL + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
skip() { T_SKIP=$((T_SKIP + 1)); printf 'SKIP: %s\n' "$1"; }

# ok NAME CONDITION-COMMAND... : pass when the command succeeds
ok() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# eq NAME EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

# contains NAME NEEDLE HAYSTACK
contains() {
	case $3 in
	*"$2"*) pass "$1" ;;
	*) fail "$1" "[$2] not in [$(printf '%s' "$3" | head -c 600)]" ;;
	esac
}

not_contains() {
	case $3 in
	*"$2"*) fail "$1" "[$2] unexpectedly in [$(printf '%s' "$3" | head -c 400)]" ;;
	*) pass "$1" ;;
	esac
}

t_summary() {
	if [ "$T_SKIP" -gt 0 ]; then
		printf '%d passed, %d failed, %d skipped\n' "$T_PASS" "$T_FAIL" "$T_SKIP"
	else
		printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	fi
	[ "$T_FAIL" -eq 0 ]
}

# A free TCP port on 127.0.0.1 (bounded tries).
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# HTTP helper: http METHOD PATH [curl args...]; sets H_STATUS, H_BODY,
# H_HEADERS.  Uses $STACK_URL and $STACK_CA.
http() {
	m=$1
	p=$2
	shift 2
	hdr=$(mktemp)
	body=$(mktemp)
	H_STATUS=$(curl -s -o "$body" -D "$hdr" -w '%{http_code}' \
	    --cacert "$STACK_CA" -X "$m" "$@" "$STACK_URL$p")
	H_BODY=$(cat "$body")
	H_HEADERS=$(tr -d '\r' <"$hdr")
	rm -f "$hdr" "$body"
}

# header NAME: value of a response header from the last http call (the
# name matched case-insensitively, the value as sent)
header() {
	printf '%s\n' "$H_HEADERS" | awk -v n="$1" '
	    index($0, ":") > 0 && tolower(substr($0, 1, index($0, ":") - 1)) == tolower(n) {
		v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); print v; exit }'
}

# json EXPR: evaluate a python expression on the last body (as j)
json() {
	printf '%s' "$H_BODY" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)" 2>/dev/null
}

# mkmodule DIR VERSION [extra files...]: a small Terraform module
mkmodule() {
	mkdir -p "$1"
	cat >"$1/main.tf" <<EOT
variable "greeting" {
  default = "hello"
}
output "msg" {
  value = "\${var.greeting} from module version $2"
}
EOT
	printf '# module %s\n' "$2" >"$1/README.md"
}

# tgz DIR OUT: pack a module directory as .tar.gz
tgz() { tar -C "$1" -czf "$2" .; }
