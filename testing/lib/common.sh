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
# the same TCP ports in every host: each host has its own network namespace
LAB_TPM_PORT=2321
LAB_TPM_CTRL_PORT=2322
LAB_TCTI="swtpm:host=127.0.0.1,port=$LAB_TPM_PORT"
# plugins loaded by every charon; ratkn is added for RATKN_HOSTS. Those
# the system does not ship are left out (lab_system_init): strongSwan 6.0
# no longer builds sha2, hmac, kdf, gcm and aes by default, openssl covers
# them. ml (ML-KEM, RFC 9370 hybrid key exchanges) and sha3 exist only in
# a strongSwan >= 6.0 built with them (upstream-X.Y.Z: --enable-ml
# --enable-sha3; Debian 13's 6.0.1 has no ML-KEM)
LAB_ALL_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation \
constraints pubkey curve25519 sha2 sha3 hmac kdf gcm aes ml kernel-libipsec \
kernel-netlink socket-default vici updown"
# plugins for swanctl and pki (avoids probing the TPM plugin and its noise)
LAB_ALL_TOOL_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation \
constraints pubkey curve25519 sha2 hmac"
LAB_DOMAIN=ratkn.test

# ---------------------------------------------------------------------------
# the strongSwan system the hosts run (testing/lab --system NAME, exported
# as RATKN_LAB_SYSTEM; see testing/README.md):
#   host            this machine's packaged charon (Debian 12), the
#                   repository's own build
#   trixie          charon, swanctl and ratkn from the Debian 13 root made
#                   by testing/setup-system, run chrooted in a view of it
#   upstream-X.Y.Z  charon and swanctl of testing/setup-system's private
#                   prefix, ratkn built against it
# LAB_SYSROOT       the root the hosts' charon runs in ("" for none)
# LAB_VIEW          where a host sees the root (inside its mount namespace)
# LAB_BUILD         the ratkn build of the system (plugin, tools, adversary)
# LAB_CHARON, LAB_SWANCTL, LAB_PLUGINDIR   paths inside the root
# ---------------------------------------------------------------------------

LAB_VIEW=/run/ratkn/root

# the variables lab_system_select sets (functions working on one host of a
# scenario declare them local and call lab_host_system)
LAB_SYSTEM_VARS="LAB_SYSTEM LAB_SYSROOT LAB_BUILD LAB_CHARON LAB_SWANCTL \
LAB_PLUGINDIR LAB_PLUGINS LAB_TOOL_PLUGINS"

# lab_system_select NAME: set LAB_SYSTEM_VARS for system NAME
lab_system_select()
{
	local name=${1:-host} cache=${RATKN_CACHE:-/var/cache/ratkn} p
	LAB_SYSTEM=$name
	LAB_SYSROOT=""
	LAB_BUILD=${RATKN_LAB_REPO:?}
	LAB_CHARON=/usr/lib/ipsec/charon
	LAB_SWANCTL=/usr/sbin/swanctl
	LAB_PLUGINDIR=/usr/lib/ipsec/plugins
	case $name in
	host) ;;
	trixie)
		LAB_SYSROOT=$cache/trixie/root
		LAB_BUILD=$RATKN_LAB_REPO/testing/out/system-trixie/src
		;;
	upstream-[0-9]*)
		LAB_BUILD=$RATKN_LAB_REPO/testing/out/system-$name/src
		LAB_CHARON=$cache/$name/prefix/libexec/ipsec/charon
		LAB_SWANCTL=$cache/$name/prefix/sbin/swanctl
		LAB_PLUGINDIR=$cache/$name/prefix/lib/ipsec/plugins
		;;
	*)
		lab_die "unknown system '$name' (host, trixie, upstream-X.Y.Z)"
		;;
	esac
	LAB_PLUGINS=""
	for p in $LAB_ALL_PLUGINS; do
		[[ ! -f $LAB_SYSROOT$LAB_PLUGINDIR/libstrongswan-$p.so ]] ||
			LAB_PLUGINS="$LAB_PLUGINS${LAB_PLUGINS:+ }$p"
	done
	LAB_TOOL_PLUGINS=""
	for p in $LAB_ALL_TOOL_PLUGINS; do
		[[ ! -f $LAB_SYSROOT$LAB_PLUGINDIR/libstrongswan-$p.so ]] ||
			LAB_TOOL_PLUGINS="$LAB_TOOL_PLUGINS${LAB_TOOL_PLUGINS:+ }$p"
	done
}

# lab_system_init NAME: the run's system (testing/lab --system NAME), which
# every host runs unless its scenario names another (SYSTEM_<host>)
lab_system_init()
{
	lab_system_select "${1:-host}"
	LAB_RUN_SYSTEM=$LAB_SYSTEM
	export RATKN_LAB_SYSTEM=$LAB_SYSTEM
}

# lab_host_system HOST: select the system HOST runs: its scenario's
# SYSTEM_<host> (exported as RATKN_LAB_SYSTEM_<host>), else the run's. Call
# after "local $LAB_SYSTEM_VARS" to keep the selection to the caller.
lab_host_system()
{
	local var=RATKN_LAB_SYSTEM_$1
	lab_system_select "${!var:-$LAB_RUN_SYSTEM}"
}

# lab_system_missing: why the selected system cannot run hosts (empty if
# it can); "testing/setup --system NAME" prepares it
lab_system_missing()
{
	local what="testing/setup --system $LAB_SYSTEM"
	[[ $LAB_SYSTEM == host ]] && what="testing/setup"
	if [[ -n $LAB_SYSROOT && ! -x $LAB_SYSROOT$LAB_CHARON ]]; then
		echo "no charon in $LAB_SYSROOT (run $what)"
	elif [[ -z $LAB_SYSROOT && ! -x $LAB_CHARON ]]; then
		echo "no charon at $LAB_CHARON (run $what)"
	elif [[ ! -f $LAB_BUILD/src/plugins/ratkn/.libs/libstrongswan-ratkn.so ]]; then
		echo "ratkn is not built for system $LAB_SYSTEM in $LAB_BUILD (run $what)"
	fi
}

# lab_system_check: the system is prepared (testing/setup --system NAME)
lab_system_check()
{
	local reason
	reason=$(lab_system_missing)
	[[ -z $reason ]] || lab_die "$reason"
}

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

lab_system_init "${RATKN_LAB_SYSTEM:-host}"
