#!/bin/sh
# make deps: install the Debian packages the project needs, non-interactively,
# only those missing.  Needs root (or sudo) when something is missing.
set -eu
PKGS="gcc make pkg-config libc6-dev libfcgi-dev libssl-dev libcurl4-openssl-dev
libjansson-dev liblmdb-dev libarchive-dev nginx-light openssl curl wrk
ca-certificates zip unzip python3 python3-cryptography lmdb-utils git
docker-registry buildah skopeo apache2-utils busybox-static strace"
[ -n "${EXTRA_PKGS:-}" ] && PKGS="$PKGS $EXTRA_PKGS"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
updated=""
if [ -z "$missing" ]; then
	echo "deps: all packages present"
else
	echo "deps: installing:$missing"
	$SUDO apt-get update -qq
	updated=1
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
# npm test tools (tests/sts): Node.js from Debian when there is none at all
if ! command -v npm >/dev/null 2>&1; then
	echo "deps: installing nodejs npm"
	[ -n "$updated" ] || $SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
