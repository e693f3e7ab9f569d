#!/bin/sh
# Makes the test PKI with the openssl command: a CA, a server certificate for
# localhost/127.0.0.1, an expired one and one for another host, all signed by the CA.
# Usage: make_certs.sh OUTDIR
set -eu
out=$1
mkdir -p "$out"
cd "$out"
rm -rf ca.db && mkdir ca.db && : > ca.db/index.txt && echo 1000 > ca.db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[srv]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
CNF
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 3650 -subj "/CN=Tulip Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
sign() { # name subject san startdate enddate
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$2" -addext "subjectAltName=$3"
    openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -extensions srv \
        -startdate "$4" -enddate "$5" -in "$1.csr" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr"
}
sign server "/CN=localhost" "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20991231000000Z
sign expired "/CN=localhost" "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200201000000Z
sign wronghost "/CN=other.example" "DNS:other.example" 20200101000000Z 20991231000000Z
touch stamp
