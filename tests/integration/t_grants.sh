#!/bin/bash
# tests/integration/t_grants.sh O: the grant API (/v1/grants) over real
# nginx + registryd: who may grant what (no escalation), create/update/
# delete semantics, status codes, audit records.
set -u
O=${1:?usage: t_grants.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"
T=$(mktemp -d /tmp/reggr.XXXXXX)
STACK_SRC=$SRC STACK_BIN=$SRC/$O/bin STACK_STATE=$T/state STACK_PORT=$(free_port)
export STACK_SRC STACK_BIN STACK_STATE STACK_PORT
. "$SRC/nginx/stack.sh"
trap 'stack_stop; rm -rf "$T"' EXIT
if ! stack_setup || ! stack_start; then fail "stack starts" "see logs"; t_summary; exit 1; fi
ADMIN=$STACK_BIN/registry-admin
PERM=$STACK_BIN/manage-registry-permissions
tok() { "$ADMIN" --state "$STACK_STATE" token create "$@" 2>/dev/null; }
ROOT=$(tok root --grant-all)
GA=$(tok ga)
DEL=$(tok del)
tok x >/dev/null
"$PERM" --state "$STACK_STATE" -r token:ga -n team-a create -d -c >/dev/null 2>&1
"$PERM" --state "$STACK_STATE" -r token:del -n team-a create -D >/dev/null 2>&1
J="Content-Type: application/json"

http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"download":true}'
eq "create-grant holder grants download on its namespace" 201 "$H_STATUS"
eq "answer has the permissions" True "$(json "j['permissions']['download']")"
http PUT /v1/grants/team-b/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"download":true}'
eq "cannot grant on another namespace" 403 "$H_STATUS"
contains "403 names the missing right" "create-grant right on namespace team-b" "$H_BODY"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"mode":"update","upload":true}'
eq "cannot grant upload without holding it" 403 "$H_STATUS"
contains "escalation message" "does not hold that right itself" "$H_BODY"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"download":true}'
eq "create over an existing grant is 409" 409 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"mode":"update","download":false}'
eq "clearing a right needs delete-grant" 403 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $ROOT" -H "$J" -d '{"mode":"update","upload":true}'
eq "update changes only the given right" 200 "$H_STATUS"
eq "update kept download" True "$(json "j['permissions']['download']")"
eq "update set upload" True "$(json "j['permissions']['upload']")"
http GET /v1/grants/team-a -H "Authorization: Bearer $GA"
eq "list grants of a namespace" 200 "$H_STATUS"
eq "list has the three grants" 3 "$(json "len(j['grants'])")"
http GET /v1/grants/team-a/token:x -H "Authorization: Bearer $GA"
eq "show one grant" 200 "$H_STATUS"
http GET /v1/grants/team-b -H "Authorization: Bearer $GA"
eq "list elsewhere is 403" 403 "$H_STATUS"
http DELETE /v1/grants/team-a/token:x -H "Authorization: Bearer $GA"
eq "delete needs delete-grant" 403 "$H_STATUS"
http DELETE /v1/grants/team-a/token:x -H "Authorization: Bearer $DEL"
eq "delete-grant holder deletes" 200 "$H_STATUS"
http DELETE /v1/grants/team-a/token:x -H "Authorization: Bearer $DEL"
eq "deleting again is 404" 404 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $GA" -H "$J" -d '{"mode":"update","download":true}'
eq "update of a missing grant is 404" 404 "$H_STATUS"
http PUT /v1/grants/team-a/arn:aws:iam:: -H "Authorization: Bearer $ROOT" -H "$J" -d '{"download":true}'
eq "non-canonical principal is 400" 400 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $ROOT" -H "$J" -d '{"download":"yes"}'
eq "non-boolean right is 400" 400 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $ROOT" -H "$J" -d '{"download":true,"admin":true}'
eq "unknown field is 400" 400 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "Authorization: Bearer $ROOT" -d '{"download":true}'
eq "non-JSON content type is 415" 415 "$H_STATUS"
http PUT /v1/grants/team-a/token:x -H "$J" -d '{"download":true}'
eq "no token is 401" 401 "$H_STATUS"
http PUT '/v1/grants/*/token:x' -H "Authorization: Bearer $GA" -H "$J" -d '{"download":true}'
eq "granting on * needs rights on *" 403 "$H_STATUS"
http PUT '/v1/grants/*/token:x' -H "Authorization: Bearer $ROOT" -H "$J" -d '{"download":true}'
eq "root grants on *" 201 "$H_STATUS"
audit=$("$ADMIN" --state "$STACK_STATE" audit 2>/dev/null)
contains "grant changes are audited" '"action":"grant-create"' "$audit"
contains "grant deletions are audited" '"action":"grant-delete"' "$audit"
not_contains "the audit never holds a token" "regt_" "$audit"
t_summary
