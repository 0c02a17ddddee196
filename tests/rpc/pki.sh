# tests/rpc/pki.sh: certificates for the TLS tests, made with certtool at
# test time (sourced, not run). Everything goes under $PKI:
#
#   ca/        cacert.pem cakey.pem          the test CA
#   server/    servercert.pem serverkey.pem  CN=localhost, DNS localhost, IP 127.0.0.1
#   good/      client pki dir: cacert.pem clientcert.pem clientkey.pem (CN=ops,O=Example)
#   expired/   the same with a certificate that expired in 2020
#   intruder/  CN=intruder,O=Example (valid, but not on the allow list)
#   foreign/   a client certificate from another CA ("unknown CA")
#   nocert/    only the CA certificate
#   wrongca/   a client dir whose CA is the foreign one (cannot trust the daemon)
#   wronghost/ server certificate for CN=elsewhere (client must refuse)

pki_template() { # FILE LINES...
    f=$1; shift
    printf '%s\n' "$@" >"$f"
}

pki_key() {
    certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$1" >/dev/null 2>&1
}

pki_ca() { # DIR CN
    mkdir -p "$1"
    pki_key "$1/cakey.pem"
    pki_template "$1/ca.info" "cn = $2" "ca" "cert_signing_key" "crl_signing_key" \
        "expiration_days = 30"
    certtool --generate-self-signed --load-privkey "$1/cakey.pem" --template "$1/ca.info" \
        --outfile "$1/cacert.pem" >/dev/null 2>&1
}

pki_cert() { # CADIR OUTCERT OUTKEY TEMPLATE-LINES...
    ca=$1 cert=$2 key=$3; shift 3
    pki_key "$key"
    pki_template "$cert.info" "$@"
    certtool --generate-certificate --load-privkey "$key" --load-ca-certificate "$ca/cacert.pem" \
        --load-ca-privkey "$ca/cakey.pem" --template "$cert.info" --outfile "$cert" >/dev/null 2>&1
}

pki_client() { # DIR CADIR TRUSTCADIR TEMPLATE-LINES...
    d=$1 ca=$2 trust=$3; shift 3
    mkdir -p "$d"
    cp "$trust/cacert.pem" "$d/cacert.pem"
    pki_cert "$ca" "$d/clientcert.pem" "$d/clientkey.pem" "$@" tls_www_client signing_key \
        encryption_key
}

pki_make() {
    pki_ca "$PKI/ca" "virtkit test CA"
    pki_ca "$PKI/otherca" "someone else's CA"
    mkdir -p "$PKI/server" "$PKI/wronghost"
    pki_cert "$PKI/ca" "$PKI/server/servercert.pem" "$PKI/server/serverkey.pem" \
        "organization = Example" "cn = localhost" "dns_name = localhost" \
        "ip_address = 127.0.0.1" "tls_www_server" "signing_key" "encryption_key" \
        "expiration_days = 30"
    pki_cert "$PKI/ca" "$PKI/wronghost/servercert.pem" "$PKI/wronghost/serverkey.pem" \
        "organization = Example" "cn = elsewhere" "dns_name = elsewhere.example.com" \
        "tls_www_server" "signing_key" "encryption_key" "expiration_days = 30"
    pki_client "$PKI/good" "$PKI/ca" "$PKI/ca" "organization = Example" "cn = ops" \
        "expiration_days = 30"
    pki_client "$PKI/expired" "$PKI/ca" "$PKI/ca" "organization = Example" "cn = ops" \
        'activation_date = "2019-01-01 00:00:00"' 'expiration_date = "2020-01-01 00:00:00"'
    pki_client "$PKI/intruder" "$PKI/ca" "$PKI/ca" "organization = Example" "cn = intruder" \
        "expiration_days = 30"
    pki_client "$PKI/foreign" "$PKI/otherca" "$PKI/ca" "organization = Example" "cn = ops" \
        "expiration_days = 30"
    pki_client "$PKI/wrongca" "$PKI/ca" "$PKI/otherca" "organization = Example" "cn = ops" \
        "expiration_days = 30"
    mkdir -p "$PKI/nocert"
    cp "$PKI/ca/cacert.pem" "$PKI/nocert/cacert.pem"
    [ -s "$PKI/good/clientcert.pem" ] && [ -s "$PKI/expired/clientcert.pem" ] &&
        [ -s "$PKI/server/servercert.pem" ]
}

# A free TCP port on 127.0.0.1.
pki_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start virtkitd (the build tree's) on root $1 with TLS on port $2 (0:
# none) using server dir $3; extra config lines follow. Sets DPID; waits for the socket.
pki_daemon() {
    root=$1 port=$2 sdir=$3; shift 3
    mkdir -p "$root"
    {
        if [ "$port" != 0 ]; then
            echo "tls = {"
            echo "  listen = true; address = \"127.0.0.1\"; port = $port;"
            echo "  cert = \"$sdir/servercert.pem\"; key = \"$sdir/serverkey.pem\";"
            echo "  ca = \"$PKI/ca/cacert.pem\";"
            echo "  allowed_dn = ( \"CN=ops,O=Example*\" );"
            echo "};"
        fi
        for l in "$@"; do echo "$l"; done
    } >"$root/virtkitd.conf"
    "$B/framework/daemon/virtkitd" --root "$root" --config "$root/virtkitd.conf" \
        >"$root/virtkitd.log" 2>&1 &
    DPID=$!
    i=0
    while [ ! -S "$root/run/virtkit/virtkitd-sock" ]; do
        i=$((i + 1))
        if [ $i -gt 500 ] || ! kill -0 "$DPID" 2>/dev/null; then
            echo "virtkitd did not start:"; cat "$root/virtkitd.log"; return 1
        fi
        sleep 0.02
    done
}

pki_daemon_stop() {
    kill "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
}
