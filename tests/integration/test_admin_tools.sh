#!/bin/sh
# tests/integration/test_admin_tools.sh BINDIR: registry-admin and
# manage-registry-permissions (local mode) against a throwaway state
# directory: every command, every error path, exit codes, JSON output,
# messages, file modes, and that an API token is never stored in clear.
#
#   sh tests/integration/test_admin_tools.sh build/cc-plain/bin
#
# Prints "PASS name" or "FAIL name: detail" per check, then
# "N passed, N failed"; exits 1 when any check failed, 2 on a harness
# problem.  Needs python3 (for JSON checks).
set -u

BIN=${1:?usage: test_admin_tools.sh BINDIR}
RA=$BIN/registry-admin
MRP=$BIN/manage-registry-permissions
for t in "$RA" "$MRP"; do
	[ -x "$t" ] || { echo "test_admin_tools: $t is not executable" >&2; exit 2; }
done
command -v python3 >/dev/null 2>&1 ||
	{ echo "test_admin_tools: python3 is needed for the JSON checks" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/admin-tools.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 2' HUP INT TERM
S=$T/state
unset REGISTRY_STATE POSIXLY_CORRECT

npass=0
nfail=0
pass() { npass=$((npass + 1)); echo "PASS $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL $1: $2"; }

# run CMD...: stdout to $T/out, stderr to $T/err, exit status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# ok NAME CONDITION-COMMAND...: one check.
ok() {
	_n=$1
	shift
	if "$@"; then pass "$_n"; else
		fail "$_n" "rc=$rc stdout=$(head -c 300 "$T/out" | tr '\n' ' ') stderr=$(head -c 300 "$T/err" | tr '\n' ' ')"
	fi
}

rc_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -q -e "$1" "$T/out"; }
err_has() { grep -q -e "$1" "$T/err"; }
err_has_fixed() { grep -q -F -e "$1" "$T/err"; }
out_empty() { [ ! -s "$T/out" ]; }
err_empty() { [ ! -s "$T/err" ]; }

# json EXPR: stdout parses as JSON (d) and the Python expression holds.
json() {
	python3 - "$T/out" "$1" <<'EOF' 2>/dev/null
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

# jsonl EXPR: every stdout line is a JSON object; L is the list of them.
jsonl() {
	python3 - "$T/out" "$1" <<'EOF' 2>/dev/null
import json, sys
with open(sys.argv[1]) as f:
    L = [json.loads(x) for x in f.read().splitlines()]
sys.exit(0 if all(isinstance(x, dict) for x in L) and eval(sys.argv[2]) else 1)
EOF
}

# nkeys DIR: how many <kid>.key files; firstkey DIR: the oldest one's name.
nkeys() {
	_c=0
	for _f in "$1"/*.key; do [ -e "$_f" ] && _c=$((_c + 1)); done
	echo "$_c"
}
firstkey() {
	for _f in "$1"/*.key; do [ -e "$_f" ] && { basename "$_f"; return; }; done
}

# mode PATH: "drwx------" and so on.
mode() { ls -ld "$1" | cut -c1-10; }

ROLE=arn:aws:iam::123456789012:role/tf-publisher
ROLEKEY=aws:aws:123456789012:role:tf-publisher
ROLE2=arn:aws:iam::123456789012:role/tf-reader
ROLE2KEY=aws:aws:123456789012:role:tf-reader
ROLE3=arn:aws:iam::210987654321:role/ops
ROLE3KEY=aws:aws:210987654321:role:ops

# ===================== registry-admin =====================

run "$RA" --help
ok ra_help_exit0 rc_is 0
ok ra_help_stdout out_has '^usage: registry-admin'
ok ra_help_full out_has 'token create NAME'
ok ra_help_no_stderr err_empty

run "$RA"
ok ra_noargs_exit2 rc_is 2
ok ra_noargs_usage_stderr err_has '^usage: registry-admin'
ok ra_noargs_no_stdout out_empty

run "$RA" --state "$S" frobnicate
ok ra_unknown_command_exit2 rc_is 2
ok ra_unknown_command_msg err_has "unknown command 'frobnicate'"

run "$RA" --state "$S" --bogus init
ok ra_unknown_option_exit2 rc_is 2
ok ra_unknown_option_usage err_has '^usage: registry-admin'

run "$RA" --state
ok ra_state_missing_arg_exit2 rc_is 2

run "$RA" --state "$S" token list
ok ra_before_init_exit1 rc_is 1
ok ra_before_init_hint err_has_fixed "cannot open state in $S"
ok ra_before_init_says_init err_has_fixed "run registry-admin --state $S init"
ok ra_before_init_creates_nothing test ! -e "$S"

run "$RA" --state "$S" init extra
ok ra_init_extra_arg_exit2 rc_is 2

# init, with the global option after the command
run "$RA" init --state "$S"
ok ra_init_exit0 rc_is 0
ok ra_init_reports out_has "created $S"
ok ra_init_reports_key out_has 'generated signing key k'
ok ra_init_state_mode_0700 [ "$(mode "$S")" = drwx------ ]
ok ra_init_db_mode_0700 [ "$(mode "$S/db")" = drwx------ ]
ok ra_init_keys_mode_0700 [ "$(mode "$S/keys")" = drwx------ ]
ok ra_init_db_created test -f "$S/db/data.mdb"
ok ra_init_blobs_created test -d "$S/blobs/sha256" -a -d "$S/blobs/tmp"
ok ra_init_one_key [ "$(nkeys "$S/keys")" -eq 1 ]
key1=$(firstkey "$S/keys")
ok ra_init_key_mode_0600 [ "$(mode "$S/keys/$key1")" = -rw------- ]
ok ra_init_quiet_stderr err_empty

run "$RA" --state "$S" init
ok ra_init_again_exit0 rc_is 0
ok ra_init_again_says_nothing out_has 'nothing to do'
ok ra_init_again_no_created sh -c "! grep -q created '$T/out'"
ok ra_init_again_same_keys [ "$(nkeys "$S/keys")" -eq 1 ]

# REGISTRY_STATE and --json
run env REGISTRY_STATE="$S" "$RA" --json init
ok ra_init_env_state_exit0 rc_is 0
ok ra_init_json_unchanged json 'd["changed"] is False and d["created"] == [] and d["key"] is None'

S2=$T/state2
run "$RA" --state "$S2" --json init
ok ra_init_json_fresh json 'd["changed"] is True and "db" in d["created"] and "keys" in d["created"] and d["key"].startswith("k")'

run "$RA" --state "$T/no/such/parent/state" init
ok ra_init_bad_parent_exit1 rc_is 1
ok ra_init_bad_parent_msg err_has 'cannot create'

: >"$T/plainfile"
run "$RA" --state "$T/plainfile" init
ok ra_init_not_a_dir_exit1 rc_is 1
ok ra_init_not_a_dir_msg err_has 'not a directory'

# run as root on a state directory owned by registryd's user, what the
# tools create is handed to that user (registryd runs unprivileged)
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	S3=$T/state3
	mkdir -m 0700 "$S3" && chown nobody "$S3"
	run "$RA" --state "$S3" init
	ok ra_init_as_root_exit0 rc_is 0
	k=$(firstkey "$S3/keys")
	ok ra_init_as_root_key_owner [ "$(ls -ln "$S3/keys/$k" | awk '{print $3}')" = "$(id -u nobody)" ]
	ok ra_init_as_root_db_owner [ "$(ls -ln "$S3/db/data.mdb" | awk '{print $3}')" = "$(id -u nobody)" ]
	run "$RA" --state "$S3" key rotate
	k=$(sed -n 's/^new signing key \([a-z0-9_-]*\).*/\1/p' "$T/out").key
	ok ra_rotate_as_root_key_owner [ "$(ls -ln "$S3/keys/$k" | awk '{print $3}')" = "$(id -u nobody)" ]
else
	echo "SKIP ra_init_as_root_*: not root"
fi

# ---- tokens ----
"$RA" --state "$S" token create ci >"$T/tok" 2>"$T/tokerr"
rc=$?
cp "$T/tokerr" "$T/err"
: >"$T/out"
TOK=$(cat "$T/tok")
ok ra_token_create_exit0 rc_is 0
ok ra_token_create_stdout_is_token_alone sh -c "[ \$(wc -l <'$T/tok') -eq 1 ] && grep -Eq '^regt_[A-Za-z0-9_-]{43}\$' '$T/tok'"
ok ra_token_create_note_stderr err_has 'shown only once'
ok ra_token_create_stderr_has_no_token sh -c "! grep -qF '$TOK' '$T/tokerr'"
ok ra_token_not_in_db_clear sh -c "! grep -rqF '$TOK' '$S/db'"
ok ra_token_not_in_state_clear sh -c "! grep -rqF '$TOK' '$S'"
# the secret part only, in case a prefix-stripped copy were kept
ok ra_token_secret_not_in_db sh -c "! grep -rqF '${TOK#regt_}' '$S/db'"

run "$RA" --state "$S" token create ci
ok ra_token_create_taken_exit1 rc_is 1
ok ra_token_create_taken_msg err_has 'already exists'
ok ra_token_create_taken_no_stdout out_empty

"$RA" --state "$S" token create lost >&- 2>"$T/err"
rc=$?
: >"$T/out"
ok ra_token_create_stdout_closed_exit1 rc_is 1
ok ra_token_create_stdout_closed_msg err_has 'would be lost'
run "$RA" --state "$S" --json token list
ok ra_token_create_stdout_closed_not_stored json '"lost" not in [t["name"] for t in d]'
# closed stdout and stdin must not let output land in the database files
# (LMDB would get descriptors 0 and 1)
"$MRP" --state "$S" list <&- >&- 2>/dev/null
run "$MRP" --state "$S" list
ok mrp_list_stdout_closed_db_intact rc_is 0
ok ra_token_stdout_closed_not_in_db sh -c "! grep -rqE 'regt_[A-Za-z0-9_-]{43}' '$S/db'"

run "$RA" --state "$S" token create 'Bad Name'
ok ra_token_create_bad_name_exit2 rc_is 2
ok ra_token_create_bad_name_msg err_has 'invalid token name'

run "$RA" --state "$S" token create
ok ra_token_create_no_name_exit2 rc_is 2

for v in 0 abc -5 99999999999999999999; do
	run "$RA" --state "$S" token create t-exp --expires-in "$v"
	ok "ra_token_create_expires_in_${v}_exit2" rc_is 2
done
run "$RA" --state "$S" token create t-exp --expires-in
ok ra_token_create_expires_in_missing_exit2 rc_is 2

run "$RA" --state "$S" token list --grant-all
ok ra_grant_all_outside_create_exit2 rc_is 2

run "$RA" --state "$S" token create admin --grant-all --expires-in 3600
ok ra_token_create_grant_all_exit0 rc_is 0
ok ra_token_create_grant_all_token out_has '^regt_'
ok ra_token_create_grant_all_note err_has 'granted'
run "$MRP" --state "$S" show -r token:admin -n '*'
ok ra_grant_all_grant_exists rc_is 0
ok ra_grant_all_all_rights json 'd["principal"] == "token:admin" and d["namespace"] == "*" and all(d["permissions"][k] for k in ("download","upload","create_grant","delete_grant"))'

run "$RA" --state "$S" token list
ok ra_token_list_exit0 rc_is 0
ok ra_token_list_header out_has '^NAME'
ok ra_token_list_has_ci out_has '^ci '
ok ra_token_list_has_admin out_has '^admin '
ok ra_token_list_never out_has 'never'
ok ra_token_list_no_secret sh -c "! grep -qF '$TOK' '$T/out'"

run "$RA" --state "$S" --json token list
ok ra_token_list_json_exit0 rc_is 0
ok ra_token_list_json json 'len(d) == 2 and {t["name"] for t in d} == {"ci","admin"}'
ok ra_token_list_json_fields json 'all(t["revoked"] is False and isinstance(t["created_at"], int) for t in d)'
ok ra_token_list_json_expiry json '[t for t in d if t["name"] == "ci"][0]["expires_at"] is None and isinstance([t for t in d if t["name"] == "admin"][0]["expires_at"], int)'

run "$RA" --state "$S" token revoke ci
ok ra_token_revoke_exit0 rc_is 0
ok ra_token_revoke_msg out_has 'revoked'
run "$RA" --state "$S" --json token list
ok ra_token_revoke_listed json '[t for t in d if t["name"] == "ci"][0]["revoked"] is True'
run "$RA" --state "$S" token revoke ci
ok ra_token_revoke_again_exit0 rc_is 0
ok ra_token_revoke_again_msg out_has 'already revoked'
run "$RA" --state "$S" token revoke nosuch
ok ra_token_revoke_unknown_exit1 rc_is 1
ok ra_token_revoke_unknown_msg err_has 'no API token named nosuch'
run "$RA" --state "$S" token revoke
ok ra_token_revoke_no_name_exit2 rc_is 2
run "$RA" --state "$S" token
ok ra_token_no_sub_exit2 rc_is 2
run "$RA" --state "$S" token frob
ok ra_token_bad_sub_exit2 rc_is 2

# ---- keys ----
run "$RA" --state "$S" key list
ok ra_key_list_exit0 rc_is 0
ok ra_key_list_one_current sh -c "[ \$(wc -l <'$T/out') -eq 1 ] && grep -q '(current)' '$T/out'"
oldkid=$(sed 's/ .*//' "$T/out")

run "$RA" --state "$S" key rotate
ok ra_key_rotate_exit0 rc_is 0
ok ra_key_rotate_sighup out_has 'SIGHUP'
newkid=$(sed -n 's/^new signing key \([a-z0-9_-]*\).*/\1/p' "$T/out")
ok ra_key_rotate_prints_kid test -n "$newkid" -a -f "$S/keys/$newkid.key"
ok ra_key_rotate_mode_0600 [ "$(mode "$S/keys/$newkid.key")" = -rw------- ]

run "$RA" --state "$S" --json key list
ok ra_key_list_json_exit0 rc_is 0
ok ra_key_list_json_order json "[k['kid'] for k in d] == ['$oldkid', '$newkid'] and d[-1]['current'] is True and d[0]['current'] is False"

run "$RA" --state "$S" key retire 'BAD/../x'
ok ra_key_retire_bad_kid_exit2 rc_is 2
run "$RA" --state "$S" key retire k00000000000000
ok ra_key_retire_unknown_exit1 rc_is 1
ok ra_key_retire_unknown_msg err_has 'no signing key'
run "$RA" --state "$S" key retire
ok ra_key_retire_no_kid_exit2 rc_is 2
run "$RA" --state "$S" key retire "$oldkid"
ok ra_key_retire_exit0 rc_is 0
ok ra_key_retire_gone test ! -e "$S/keys/$oldkid.key"
run "$RA" --state "$S" key retire "$newkid"
ok ra_key_retire_only_exit1 rc_is 1
ok ra_key_retire_only_msg err_has 'only signing key'
ok ra_key_retire_only_kept test -f "$S/keys/$newkid.key"
run "$RA" --state "$S" key
ok ra_key_no_sub_exit2 rc_is 2
run "$RA" --state "$S2" key rotate --state "$T/nostate"
ok ra_key_rotate_no_state_exit1 rc_is 1
ok ra_key_rotate_no_state_hint err_has 'init'

# ---- namespaces ----
run "$RA" --state "$S" namespace public Team on
ok ra_ns_public_on_exit0 rc_is 0
run "$RA" --state "$S" --json namespace show team
ok ra_ns_show_json_public json 'd["namespace"] == "team" and d["public"] is True'
run "$RA" --state "$S" namespace public team off
ok ra_ns_public_off_exit0 rc_is 0
run "$RA" --state "$S" namespace show team
ok ra_ns_show_text out_has '^public: no'
run "$RA" --state "$S" namespace public team maybe
ok ra_ns_public_bad_value_exit2 rc_is 2
run "$RA" --state "$S" namespace public -- -bad on
ok ra_ns_public_bad_name_exit2 rc_is 2
ok ra_ns_public_bad_name_msg err_has 'invalid namespace'
run "$RA" --state "$S" namespace public '*' on
ok ra_ns_public_star_exit2 rc_is 2
run "$RA" --state "$S" namespace show
ok ra_ns_show_no_name_exit2 rc_is 2
run "$RA" --state "$S" namespace
ok ra_ns_no_sub_exit2 rc_is 2

# ===================== manage-registry-permissions =====================

run "$MRP" --help
ok mrp_help_exit0 rc_is 0
ok mrp_help_stdout out_has '^usage: manage-registry-permissions'
ok mrp_help_mentions_no_flags out_has 'no-download'

run "$MRP"
ok mrp_noargs_exit2 rc_is 2
ok mrp_noargs_usage err_has '^usage: manage-registry-permissions'

run "$MRP" --state "$S" -r "$ROLE" -n team frob
ok mrp_bad_sub_exit2 rc_is 2

run "$MRP" --state "$S" --bogus list
ok mrp_unknown_option_exit2 rc_is 2

# options before the subcommand (the original's order)
run "$MRP" --state "$S" -r "$ROLE" -n team create -d
ok mrp_create_opts_before_exit0 rc_is 0
ok mrp_create_json json 'd["namespace"] == "team" and d["role"] == "'"$ROLE"'" and d["principal"] == "'"$ROLEKEY"'" and d["permissions"] == {"download": True, "upload": False, "create_grant": False, "delete_grant": False}'
ok mrp_create_created_by json 'd["created_by"].startswith("local-admin:") and isinstance(d["created_at"], int)'
ok mrp_create_key_order json 'list(d)[:4] == ["namespace","role","principal","permissions"]'
ok mrp_create_indent2 sh -c "sed -n 2p '$T/out' | grep -q '^  \"namespace\": \"team\",\$'"
ok mrp_create_no_unique_id json '"unique_id" not in d'

# options after the subcommand (the original refused this)
run "$MRP" create --state "$S" -r "$ROLE2" -n team -u
ok mrp_create_opts_after_exit0 rc_is 0
ok mrp_create_opts_after_json json 'd["principal"] == "'"$ROLE2KEY"'" and d["permissions"]["upload"] is True and d["permissions"]["download"] is False'

# mixed, long option names, and POSIXLY_CORRECT must not matter
run env POSIXLY_CORRECT=1 "$MRP" --state "$S" --role-arn "$ROLE3" create --namespace Other --download --create-grant
ok mrp_create_mixed_long_posixly_exit0 rc_is 0
ok mrp_create_mixed_long_json json 'd["namespace"] == "other" and d["principal"] == "'"$ROLE3KEY"'" and d["permissions"]["download"] and d["permissions"]["create_grant"] and not d["permissions"]["upload"]'
run "$MRP" --state "$S" show --principal "$ROLE3" --namespace other
ok mrp_principal_long_option rc_is 0

# create refuses to overwrite
run "$MRP" --state "$S" -r "$ROLE" -n team create -u
ok mrp_create_exists_exit1 rc_is 1
ok mrp_create_exists_msg err_has_fixed "grant for $ROLE on namespace team exists; use update, or create --force to replace it"
ok mrp_create_exists_no_stdout out_empty
run "$MRP" --state "$S" -r "$ROLE" -n team show
ok mrp_create_exists_unchanged json 'd["permissions"]["download"] is True and d["permissions"]["upload"] is False'

run "$MRP" --state "$S" -r "$ROLE" -n team create -u --force
ok mrp_create_force_exit0 rc_is 0
ok mrp_create_force_replaced json 'd["permissions"] == {"download": False, "upload": True, "create_grant": False, "delete_grant": False}'

# update changes only the flags given
run "$MRP" --state "$S" -r "$ROLE" -n team update -d
ok mrp_update_set_exit0 rc_is 0
ok mrp_update_set_keeps_others json 'd["permissions"] == {"download": True, "upload": True, "create_grant": False, "delete_grant": False}'
run "$MRP" --state "$S" update --no-upload -r "$ROLE" -n team
ok mrp_update_clear_exit0 rc_is 0
ok mrp_update_clear_keeps_others json 'd["permissions"] == {"download": True, "upload": False, "create_grant": False, "delete_grant": False}'
run "$MRP" --state "$S" -r "$ROLE" -n team update -cD
ok mrp_update_grouped_flags json 'd["permissions"] == {"download": True, "upload": False, "create_grant": True, "delete_grant": True}'
run "$MRP" --state "$S" -r "$ROLE" -n team update --no-create-grant --no-delete-grant --no-download
ok mrp_update_clear_three json 'd["permissions"] == {"download": False, "upload": False, "create_grant": False, "delete_grant": False}'
run "$MRP" --state "$S" -r "$ROLE" -n team show
ok mrp_update_persisted json 'not any(d["permissions"].values())'

run "$MRP" --state "$S" -r "$ROLE" -n team update
ok mrp_update_no_flags_exit2 rc_is 2
ok mrp_update_no_flags_msg err_has 'needs at least one'
run "$MRP" --state "$S" -r "$ROLE" -n team update -d --no-download
ok mrp_update_conflict_exit2 rc_is 2
ok mrp_update_conflict_msg err_has 'contradict'
run "$MRP" --state "$S" -r "$ROLE" -n nosuchns update -d
ok mrp_update_missing_exit1 rc_is 1
ok mrp_update_missing_msg err_has_fixed "grant for $ROLE on namespace nosuchns does not exist; create it with create"

# unique id pin
run "$MRP" --state "$S" -r "$ROLE" -n team update --unique-id AROAEXAMPLEID1234567
ok mrp_unique_id_set json 'd["unique_id"] == "AROAEXAMPLEID1234567"'
run "$MRP" --state "$S" -r "$ROLE" -n team update --unique-id ''
ok mrp_unique_id_cleared json '"unique_id" not in d'
run "$MRP" --state "$S" -r "$ROLE" -n team update --unique-id 'aroa;x'
ok mrp_unique_id_bad_exit2 rc_is 2
run "$MRP" --state "$S" -r token:admin -n team create --unique-id AROAEXAMPLEID1234567
ok mrp_unique_id_token_exit2 rc_is 2

# role path: dropped, with a warning
run "$MRP" --state "$S" -r arn:aws:iam::123456789012:role/platform/tf-pathy -n team create -d
ok mrp_role_path_exit0 rc_is 0
ok mrp_role_path_warning err_has 'ignored'
ok mrp_role_path_key json 'd["principal"] == "aws:aws:123456789012:role:tf-pathy" and d["role"] == "arn:aws:iam::123456789012:role/tf-pathy"'

# principals and namespaces that are refused
for p in 'arn:aws:sts::123456789012:assumed-role/tf-publisher/session1' \
	'arn:aws:iam::123456789012:root' '*' 'arn:aws:iam::123456789012:role/*' \
	'nonsense' 'token:Bad Name'; do
	run "$MRP" --state "$S" -r "$p" -n team create -d
	ok "mrp_bad_principal_exit2 ($p)" rc_is 2
	ok "mrp_bad_principal_msg ($p)" err_has 'invalid principal'
done
run "$MRP" --state "$S" -r "$ROLE" -n 'bad ns' create -d
ok mrp_bad_namespace_exit2 rc_is 2
ok mrp_bad_namespace_msg err_has 'invalid namespace'

# usage errors
run "$MRP" --state "$S" -n team create -d
ok mrp_missing_r_exit2 rc_is 2
ok mrp_missing_r_msg err_has 'needs -r'
run "$MRP" --state "$S" -r "$ROLE" create -d
ok mrp_missing_n_exit2 rc_is 2
ok mrp_missing_n_msg err_has 'needs -n'
run "$MRP" --state "$S" -r "$ROLE" -n team delete -d
ok mrp_flags_on_delete_exit2 rc_is 2
run "$MRP" --state "$S" -r "$ROLE" -n team update -d --force
ok mrp_force_on_update_exit2 rc_is 2
run "$MRP" --state "$S" -r "$ROLE" -n team create update
ok mrp_two_subcommands_exit2 rc_is 2
run "$MRP" --state "$S" -r "$ROLE" -n
ok mrp_option_missing_arg_exit2 rc_is 2

# remote mode (t_tools.sh tests it against a registry): local and
# remote at once is a usage error
run "$MRP" --registry registry.example.com --state "$S" -r "$ROLE" -n team show
ok mrp_registry_and_state_exit2 rc_is 2
ok mrp_registry_and_state_msg err_has_fixed 'not both'

# a state directory that was never initialised
run "$MRP" --state "$T/nostate" -r "$ROLE" -n team show
ok mrp_no_state_exit1 rc_is 1
ok mrp_no_state_hint err_has_fixed "run registry-admin --state $T/nostate init"

# the "*" namespace
run "$MRP" --state "$S" -r "$ROLE2" -n '*' create -d
ok mrp_star_namespace_exit0 rc_is 0
ok mrp_star_namespace_json json 'd["namespace"] == "*"'

# show, list
run "$MRP" --state "$S" -r "$ROLE2" -n team show
ok mrp_show_exit0 rc_is 0
ok mrp_show_json json 'd["principal"] == "'"$ROLE2KEY"'" and d["permissions"]["upload"] is True'
run "$MRP" --state "$S" list
ok mrp_list_exit0 rc_is 0
ok mrp_list_all json 'isinstance(d, list) and len(d) == 6'
ok mrp_list_shape json 'all(set(["namespace","role","principal","permissions"]) <= set(g) for g in d)'
run "$MRP" --state "$S" list -n team
ok mrp_list_by_ns json 'len(d) == 3 and all(g["namespace"] == "team" for g in d)'
run "$MRP" --state "$S" -r "$ROLE2" list
ok mrp_list_by_principal json 'len(d) == 2 and all(g["principal"] == "'"$ROLE2KEY"'" for g in d)'
run "$MRP" --state "$S" list -n team -r "$ROLE2KEY"
ok mrp_list_by_both_key_input json 'len(d) == 1 and d[0]["role"] == "'"$ROLE2"'"'
run "$MRP" --state "$S" list -n emptyns
ok mrp_list_empty json 'd == []'
run "$MRP" --state "$S" list -d
ok mrp_list_flags_exit2 rc_is 2

# delete prints what it deleted; deleting again fails
run "$MRP" --state "$S" delete -r "$ROLE2" -n team
ok mrp_delete_exit0 rc_is 0
ok mrp_delete_prints json 'd["principal"] == "'"$ROLE2KEY"'" and d["namespace"] == "team" and d["permissions"]["upload"] is True'
run "$MRP" --state "$S" delete -r "$ROLE2" -n team
ok mrp_delete_missing_exit1 rc_is 1
ok mrp_delete_missing_msg err_has_fixed "grant for $ROLE2 on namespace team does not exist"
ok mrp_delete_missing_no_stdout out_empty
run "$MRP" --state "$S" show -r "$ROLE2" -n team
ok mrp_show_missing_exit1 rc_is 1
ok mrp_show_missing_msg err_has 'does not exist'

# ===================== audit =====================

run "$RA" --state "$S" audit
ok audit_exit0 rc_is 0
ok audit_json_lines jsonl 'len(L) > 10'
ok audit_principal_local_admin jsonl 'all(x["principal"].startswith("local-admin:") for x in L)'
ok audit_actions jsonl '{"init","token_create","token_revoke","grant_create","grant_replace","grant_update","grant_delete","key_rotate","key_retire","namespace_public"} <= {x["action"] for x in L}'
ok audit_oldest_first jsonl 'L[0]["action"] == "init" and [x["ts"] for x in L] == sorted(x["ts"] for x in L)'
ok audit_grant_target jsonl 'any(x["action"] == "grant_delete" and x["target"] == "'"$ROLE2KEY"'" and x["namespace"] == "team" for x in L)'
ok audit_no_token sh -c "! grep -qF '${TOK#regt_}' '$T/out'"
run "$RA" --state "$S" audit --since 99999999999
ok audit_since_future_empty out_empty
ok audit_since_future_exit0 rc_is 0
run "$RA" --state "$S" audit --since 0
ok audit_since_zero jsonl 'len(L) > 10'
run "$RA" --state "$S" audit --since yesterday
ok audit_since_bad_exit2 rc_is 2
run "$RA" --state "$S" token list --since 0
ok audit_since_elsewhere_exit2 rc_is 2
ok final_token_still_not_in_db sh -c "! grep -rqF '${TOK#regt_}' '$S'"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
