#!/bin/sh
# mkca.sh DIR - throwaway test CA and TLS certificates for the loopback STS stand-in.
#
# Writes into DIR (created if missing, mode 0700):
#   ca.crt ca.key                 the test CA (EC P-256, 30 days)
#   sts.crt sts.key               server cert signed by the CA for the STS/IAM names,
#                                 localhost and IP 127.0.0.1
#   wronghost.crt wronghost.key   signed by the CA, but only for wrong-host.example.test
#   expired.crt expired.key       signed by the CA for the STS names, expired in 2020
#   selfsigned.crt selfsigned.key self-signed for the STS names (not from the CA)
# The last three are for the "TLS failure -> 503, never a fallback" tests.
#
# Idempotent: when every file is present, the chain verifies, the SAN list is the
# expected one and nothing expires within a day, it does nothing. Otherwise it
# regenerates everything. Needs only openssl.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
command -v openssl >/dev/null 2>&1 || { echo "mkca: openssl not found" >&2; exit 1; }

NAMES="sts.amazonaws.com sts.us-east-1.amazonaws.com sts.us-west-2.amazonaws.com sts.eu-west-1.amazonaws.com iam.amazonaws.com localhost"
SAN=""
for n in $NAMES; do SAN="${SAN:+$SAN,}DNS:$n"; done
SAN="$SAN,IP:127.0.0.1"
DAYS=30

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

san_of() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | sed -n '2p' | tr -d ' '
}

up_to_date() {
	for f in ca.crt ca.key sts.crt sts.key wronghost.crt wronghost.key expired.crt expired.key \
		selfsigned.crt selfsigned.key; do
		[ -s "$dir/$f" ] || return 1
	done
	openssl verify -CAfile "$dir/ca.crt" "$dir/sts.crt" >/dev/null 2>&1 || return 1
	openssl verify -CAfile "$dir/ca.crt" "$dir/wronghost.crt" >/dev/null 2>&1 || return 1
	for c in ca sts wronghost selfsigned; do
		openssl x509 -in "$dir/$c.crt" -noout -checkend 86400 >/dev/null 2>&1 || return 1
		a=$(openssl x509 -in "$dir/$c.crt" -noout -pubkey 2>/dev/null) || return 1
		b=$(openssl pkey -in "$dir/$c.key" -pubout 2>/dev/null) || return 1
		[ "$a" = "$b" ] || return 1
	done
	want=$(echo "$SAN" | sed 's/IP:/IPAddress:/')
	[ "$(san_of "$dir/sts.crt")" = "$want" ] || return 1
	return 0
}

if up_to_date; then
	echo "mkca: $dir is up to date"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mkca.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
serial() { echo "0x1$(openssl rand -hex 15)"; }

# CA
newkey "$work/ca.key"
openssl req -new -x509 -key "$work/ca.key" -out "$work/ca.crt" -days "$DAYS" -sha256 \
	-subj "/CN=registry test STS CA (throwaway)" \
	-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" \
	-addext "subjectKeyIdentifier=hash" 2>/dev/null

ext() { # ext FILE SAN
	cat >"$1" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$2
EOF
}

leaf() { # leaf NAME CN SAN
	newkey "$work/$1.key"
	openssl req -new -key "$work/$1.key" -out "$work/$1.csr" -subj "/CN=$2" 2>/dev/null
	ext "$work/$1.ext" "$3"
	openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
		-set_serial "$(serial)" -days "$DAYS" -sha256 -extfile "$work/$1.ext" \
		-out "$work/$1.crt" 2>/dev/null
}

leaf sts sts.us-east-1.amazonaws.com "$SAN"
leaf wronghost wrong-host.example.test "DNS:wrong-host.example.test"

# Expired: openssl 3.0's x509 cannot back-date, 'openssl ca' can.
newkey "$work/expired.key"
openssl req -new -key "$work/expired.key" -out "$work/expired.csr" \
	-subj "/CN=sts.us-east-1.amazonaws.com" 2>/dev/null
: >"$work/index.txt"
cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = testca
[ testca ]
database = $work/index.txt
new_certs_dir = $work
rand_serial = yes
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
[ leaf ]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$SAN
EOF
openssl ca -batch -notext -config "$work/ca.cnf" -extensions leaf \
	-cert "$work/ca.crt" -keyfile "$work/ca.key" -in "$work/expired.csr" \
	-startdate 20200101000000Z -enddate 20200102000000Z -out "$work/expired.crt" 2>/dev/null

# Self-signed, right names, not from the CA.
newkey "$work/selfsigned.key"
openssl req -new -x509 -key "$work/selfsigned.key" -out "$work/selfsigned.crt" -days "$DAYS" \
	-sha256 -subj "/CN=sts.us-east-1.amazonaws.com" \
	-addext "basicConstraints=critical,CA:FALSE" -addext "subjectAltName=$SAN" 2>/dev/null

for f in ca sts wronghost expired selfsigned; do
	mv -f "$work/$f.key" "$dir/$f.key"
	mv -f "$work/$f.crt" "$dir/$f.crt"
done
chmod 600 "$dir"/*.key
chmod 644 "$dir"/*.crt
echo "mkca: wrote CA and certificates to $dir"
