#!/usr/bin/env bash
# A throwaway MIT Kerberos KDC for trying monikerd's Kerberos (SPNEGO)
# authentication by hand. Needs the Debian packages krb5-kdc,
# krb5-admin-server and krb5-user (kinit).
#
#   scripts/kdc/dev-kdc.sh [DIR] [PORT]
#
# Creates the realm MONIKER.DEV in DIR (default ./.kdc; wiped first) with
# the principals alice (password alice-dev-password) and HTTP/localhost
# (keys in DIR/http.keytab), prints the monikerd config and the client
# commands to use, then runs krb5kdc in the foreground on 127.0.0.1:PORT
# (default 8888) until Ctrl-C.
set -euo pipefail

dir=${1:-.kdc}
port=${2:-8888}
realm=MONIKER.DEV
export PATH="$PATH:/usr/sbin:/sbin"
for b in krb5kdc kdb5_util kadmin.local; do
	command -v "$b" >/dev/null || { echo "$b not found: apt-get install krb5-kdc krb5-admin-server krb5-user" >&2; exit 1; }
done

rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

cat >"$dir/krb5.conf" <<CONF
[libdefaults]
 default_realm = $realm
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
 udp_preference_limit = 1

[realms]
 $realm = {
  kdc = 127.0.0.1:$port
 }

[domain_realm]
 localhost = $realm
CONF

cat >"$dir/kdc.conf" <<CONF
[realms]
 $realm = {
  database_name = $dir/principal
  key_stash_file = $dir/stash
  acl_file = $dir/kadm5.acl
  kdc_listen = 127.0.0.1:$port
  kdc_tcp_listen = 127.0.0.1:$port
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }

[logging]
 kdc = FILE:$dir/kdc.log
CONF
: >"$dir/kadm5.acl"

export KRB5_CONFIG="$dir/krb5.conf" KRB5_KDC_PROFILE="$dir/kdc.conf"
kdb5_util -r "$realm" create -s -P "dev-master-password" >>"$dir/setup.log" 2>&1
kadmin.local -r "$realm" -q "addprinc -pw alice-dev-password alice" >>"$dir/setup.log" 2>&1
kadmin.local -r "$realm" -q "addprinc -randkey HTTP/localhost" >>"$dir/setup.log" 2>&1
kadmin.local -r "$realm" -q "ktadd -k $dir/http.keytab HTTP/localhost" >>"$dir/setup.log" 2>&1

cat <<TXT
Realm $realm on 127.0.0.1:$port (files in $dir).

monikerd config.yaml:

  auth:
    enabled: true
    enforce: true
    method_order: [kerberos]
    kerberos:
      enabled: true
      keytab_path: $dir/http.keytab
      service_principal: HTTP/localhost@$realm

Client (another shell):

  export KRB5_CONFIG=$dir/krb5.conf
  echo alice-dev-password | kinit alice
  curl --negotiate -u : http://localhost:8050/resolve/prices.equity/AAPL

krb5kdc is running in the foreground; Ctrl-C stops it.
TXT
exec krb5kdc -n -r "$realm"
