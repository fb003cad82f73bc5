# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2034
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# Constants and output helpers shared by the lab's scripts.

# network namespaces of lab hosts are named $LAB_NS_PREFIX<host>, shared
# segments (bridges) $LAB_NS_PREFIX_seg<N>
LAB_NS_PREFIX=ratkn-
# host-side state: lock, holder pids of running hosts
LAB_STATE=/run/ratkn-lab
LAB_CHARON=/usr/lib/ipsec/charon
LAB_PLUGINDIR=/usr/lib/ipsec/plugins
# the same TCP ports in every host: each host has its own network namespace
LAB_TPM_PORT=2321
LAB_TPM_CTRL_PORT=2322
LAB_TCTI="swtpm:host=127.0.0.1,port=$LAB_TPM_PORT"
# plugins loaded by every charon; ratkn is added for RATKN_HOSTS
LAB_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints \
pubkey curve25519 sha2 hmac kdf gcm aes kernel-libipsec kernel-netlink \
socket-default vici updown"
# plugins for swanctl and pki (avoids probing the TPM plugin and its noise)
LAB_TOOL_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation \
constraints pubkey curve25519 sha2 hmac"
LAB_DOMAIN=ratkn.test

# print a line of the lab's progress in verbose mode
lab_step()
{
	if [[ ${RATKN_LAB_VERBOSE:-0} == 1 ]]; then
		printf '  [%s] %s\n' "${RATKN_LAB_NAME:-lab}" "$*"
	fi
	return 0
}

lab_note()
{
	printf 'lab: %s\n' "$*" >&2
}

# fatal error of the lab itself (usage, environment)
lab_die()
{
	printf 'lab: ERROR: %s\n' "$*" >&2
	exit 2
}

# the namespace of a host
lab_ns()
{
	printf '%s%s' "$LAB_NS_PREFIX" "$1"
}

# true if WORD is in the space separated LIST
lab_in_list()
{
	local word=$1 item
	for item in $2; do
		[[ $item == "$word" ]] && return 0
	done
	return 1
}

# all lab namespaces currently present
lab_namespaces()
{
	ip netns list 2>/dev/null | awk -v p="$LAB_NS_PREFIX" \
		'index($1, p) == 1 { print $1 }'
}
