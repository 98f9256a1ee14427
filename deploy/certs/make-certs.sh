#!/bin/sh
# Makes a demo CA, the broker's certificate, the bridge's, and one per simulated device
# (CN = device id, as the per-device ACL expects) in $1. Runs once: existing files are kept.
set -eu
out=${1:-/certs}
devices=${DEVICES:-50}
mkdir -p "$out" && cd "$out"
[ -f ca.crt ] && exit 0
command -v openssl >/dev/null || apk add --no-cache openssl >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=FleetPulse demo CA" -keyout ca.key -out ca.crt
sign() {
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile "$1.ext" -out "$1.crt"
  rm -f "$1.csr" "$1.ext"
}
sign server "subjectAltName=DNS:mosquitto,DNS:localhost,IP:127.0.0.1"
sign fleetpulse-bridge "extendedKeyUsage=clientAuth"
i=0
while [ "$i" -lt "$devices" ]; do
  id=$(printf 'sim-%04d' "$i")
  sign "$id" "extendedKeyUsage=clientAuth"
  openssl pkcs12 -export -in "$id.crt" -inkey "$id.key" -name "$id" -passout pass:changeit -out "$id.p12"
  i=$((i + 1))
done
openssl pkcs12 -export -in fleetpulse-bridge.crt -inkey fleetpulse-bridge.key -passout pass:changeit -out fleetpulse-bridge.p12
chmod 644 ./*
