#!/bin/sh
# make run: set up a local state directory (reused when it exists) and run
# registryd + nginx on https://127.0.0.1:$REGISTRY_PORT in the foreground.
# Ctrl-C stops both.
#   REGISTRY_STATE  state directory (default ./var)
#   REGISTRY_PORT   HTTPS port (default 8443)
#   REGISTRY_STS_TEST_ENDPOINT  loopback HOST:PORT of an STS stand-in (tests)
#   REGISTRY_STS_CA_FILE        CA file trusted for STS
set -eu
: "${O:?run through make run}"
STACK_SRC=$(pwd)
STACK_BIN=$STACK_SRC/$O/bin
state=${REGISTRY_STATE:-./var}
mkdir -p "$state"
STACK_STATE=$(CDPATH= cd -- "$state" && pwd)
STACK_PORT=${REGISTRY_PORT:-8443}
STACK_REGD_CONF_EXTRA=""
STACK_REGD_FLAGS=""
if [ -n "${REGISTRY_STS_TEST_ENDPOINT:-}" ]; then
	STACK_REGD_CONF_EXTRA="sts_test_endpoint = $REGISTRY_STS_TEST_ENDPOINT"
	STACK_REGD_FLAGS="-T"
fi
if [ -n "${REGISTRY_STS_CA_FILE:-}" ]; then
	STACK_REGD_CONF_EXTRA="$STACK_REGD_CONF_EXTRA
sts_ca_file = $REGISTRY_STS_CA_FILE"
fi
export STACK_SRC STACK_BIN STACK_STATE STACK_PORT STACK_REGD_CONF_EXTRA \
    STACK_REGD_FLAGS
. "$STACK_SRC/nginx/stack.sh"

stack_setup
if [ ! -s "$STACK_STATE/admin-token" ]; then
	(umask 077 && "$STACK_BIN/registry-admin" --state "$STACK_STATE" \
	    token create admin --grant-all >"$STACK_STATE/admin-token.tmp" \
	    2>/dev/null && mv "$STACK_STATE/admin-token.tmp" \
	    "$STACK_STATE/admin-token")
fi
chmod 600 "$STACK_STATE/admin-token"

trap 'stack_stop; echo; echo "registry stopped"; exit 0' INT TERM
stack_start

H=127.0.0.1:$STACK_PORT
cat <<EOM

The registry is running at $STACK_URL (registryd pid $STACK_REGD_PID,
nginx pid $STACK_NGINX_PID).  Press Ctrl-C to stop both.

State:        $STACK_STATE
CA file:      $STACK_CA   (trust it: SSL_CERT_FILE / --cacert)
Admin token:  $STACK_STATE/admin-token   (mode 0600; every right on every namespace)
Logs:         $STACK_STATE/registryd.log, $STACK_STATE/nginx/logs/

Publish a module with curl:
  mkdir -p /tmp/hello && printf 'output "msg" { value = "hello" }\n' >/tmp/hello/main.tf
  tar -C /tmp/hello -czf /tmp/hello.tar.gz .
  curl --cacert $STACK_CA -H "Authorization: Bearer \$(cat $STACK_STATE/admin-token)" \\
       -T /tmp/hello.tar.gz $STACK_URL/v1/modules/acme/hello/null/1.0.0

or with the tools (build/.../bin):
  $STACK_BIN/registry-admin --state $STACK_STATE token create ci
  $STACK_BIN/manage-registry-permissions --state $STACK_STATE -r token:ci -n acme create -d -u

Use it from Terraform (main.tf):
  module "hello" {
    source  = "$H/acme/hello/null"
    version = "~> 1.0"
  }

and run, in that directory (a host with a port needs env, not export):
  env SSL_CERT_FILE=$STACK_CA 'TF_TOKEN_127_0_0_1:$STACK_PORT='"\$(cat $STACK_STATE/admin-token)" terraform init

EOM
wait "$STACK_NGINX_PID" || true
stack_stop
