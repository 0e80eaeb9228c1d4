#!/bin/bash
# tests/integration/t_daemon.sh O: registryd as a daemon: -n config check,
# privilege drop when started as root (uid/gid, no_new_privs, checked in
# /proc), clean stop on SIGTERM, refusal of a test STS endpoint without -T.
set -u
O=${1:?usage: t_daemon.sh BUILD_DIR}
SRC=$(pwd)
. "$SRC/tests/integration/lib.sh"
T=$(mktemp -d /tmp/regd.XXXXXX)
chmod 755 "$T"
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
BIN=$SRC/$O/bin

printf 'threads = 2\nsocket = %s/s.sock\nstate_dir = %s/state\n' "$T" "$T" >"$T/ok.conf"
out=$("$BIN/registryd" -n -f "$T/ok.conf" 2>&1)
eq "registryd -n accepts a good config" 0 $?
contains "registryd -n says so" "configuration OK" "$out"
printf 'threads = 2\nthreds = 3\n' >"$T/bad.conf"
out=$("$BIN/registryd" -n -f "$T/bad.conf" 2>&1)
eq "registryd -n refuses a bad config" 1 $?
contains "the refusal names the line and key" 'line 2: unknown key "threds"' "$out"
printf 'sts_test_endpoint = 127.0.0.1:9\n' >"$T/test.conf"
out=$("$BIN/registryd" -n -f "$T/test.conf" 2>&1)
eq "a test STS endpoint needs -T" 1 $?
out=$("$BIN/registryd" -n -T -f "$T/test.conf" 2>&1)
eq "with -T it is accepted" 0 $?
printf 'sts_test_endpoint = 192.0.2.1:443\n' >"$T/test2.conf"
out=$("$BIN/registryd" -n -T -f "$T/test2.conf" 2>&1)
eq "a non-loopback test STS endpoint is refused even with -T" 1 $?
"$BIN/registryd" -n -f "$T/missing.conf" >/dev/null 2>&1
eq "a missing config file is an error" 1 $?

if [ "$(id -u)" -ne 0 ]; then
	skip "privilege drop needs root"
	t_summary
	exit $?
fi
"$BIN/registry-admin" --state "$T/state" init >/dev/null 2>&1
chown -R nobody:nogroup "$T/state"
mkdir -p "$T/run" && chown nobody:nogroup "$T/run"
printf 'threads = 2\nsocket = %s/run/r.sock\nstate_dir = %s/state\nuser = nobody\ngroup = nogroup\nsocket_mode = 0660\n' "$T" "$T" >"$T/drop.conf"
"$BIN/registryd" -f "$T/drop.conf" >"$T/drop.log" 2>&1 &
PID=$!
i=0
while [ ! -S "$T/run/r.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
ok "registryd started as root with user = nobody" kill -0 "$PID"
uid=$(awk '/^Uid:/ {print $2" "$3" "$4" "$5}' /proc/$PID/status)
gid=$(awk '/^Gid:/ {print $2" "$3" "$4" "$5}' /proc/$PID/status)
nu=$(id -u nobody)
ng=$(getent group nogroup | cut -d: -f3)
eq "all four uids are nobody's" "$nu $nu $nu $nu" "$uid"
eq "all four gids are nogroup's" "$ng $ng $ng $ng" "$gid"
eq "supplementary groups dropped" "$ng" "$(awk '/^Groups:/ {print $2}' /proc/$PID/status)"
eq "no_new_privs is set" 1 "$(awk '/^NoNewPrivs:/ {print $2}' /proc/$PID/status)"
eq "the socket's group is nogroup" nogroup "$(stat -c %G "$T/run/r.sock")"
contains "the log says it dropped privileges" "running as nobody" "$(cat "$T/drop.log")"
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
wait "$PID" 2>/dev/null
eq "SIGTERM stops it cleanly (exit 0)" 0 $?
PID=
ok "the socket is removed on stop" test ! -e "$T/run/r.sock"
contains "the log says stopped" "stopped" "$(cat "$T/drop.log")"
t_summary
