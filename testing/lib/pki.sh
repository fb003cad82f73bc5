# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# PKI of a lab run: one ECDSA P-256 CA, one certificate per host name with
# DN "C=CH, O=ratkn, CN=<host>.ratkn.test" and that name as SAN. Generated
# once per lab run in $RATKN_LAB_PKI and shared by its scenarios.

# run pki with a minimal plugin list (no TPM probing)
lab_pki()
{
	STRONGSWAN_CONF=$RATKN_LAB_PKI/strongswan.conf pki "$@"
}

pki_ensure_ca()
{
	local dir=$RATKN_LAB_PKI
	[[ -f $dir/ca.pem ]] && return 0
	mkdir -p "$dir"
	printf 'pki {\n\tload = %s\n}\n' "$LAB_TOOL_PLUGINS" >"$dir/strongswan.conf"
	{
		lab_pki --gen --type ecdsa --size 256 --outform pem >"$dir/ca.key" &&
			lab_pki --self --ca --lifetime 30 --in "$dir/ca.key" \
				--type ecdsa --dn "C=CH, O=ratkn, CN=ratkn lab CA" \
				--outform pem >"$dir/ca.pem.tmp" &&
			mv "$dir/ca.pem.tmp" "$dir/ca.pem"
	} 2>"$dir/pki.log" || fail "creating the lab CA failed: $(cat "$dir/pki.log")"
}

# pki_host_cert HOST: create (once) HOST.key and HOST.pem in $RATKN_LAB_PKI
pki_host_cert()
{
	local host=$1 dir=$RATKN_LAB_PKI cn
	cn=$host.$LAB_DOMAIN
	[[ -f $dir/$host.pem ]] && return 0
	pki_ensure_ca
	{
		lab_pki --gen --type ecdsa --size 256 --outform pem \
			>"$dir/$host.key" &&
			lab_pki --issue --cacert "$dir/ca.pem" --cakey "$dir/ca.key" \
				--type priv --in "$dir/$host.key" --lifetime 30 \
				--dn "C=CH, O=ratkn, CN=$cn" --san "$cn" \
				--outform pem >"$dir/$host.pem.tmp" &&
			mv "$dir/$host.pem.tmp" "$dir/$host.pem"
	} 2>"$dir/pki-$host.log" ||
		fail "issuing the certificate of $host failed: $(cat "$dir/pki-$host.log")"
}
