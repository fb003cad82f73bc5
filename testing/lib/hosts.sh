# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# Lab hosts: a network namespace plus a "holder" process owning a private
# mount namespace, in which per-host directories are mounted over /etc/...
# and the plugin directory. Links between hosts are veth pairs or, for three
# and more hosts, a bridge in a namespace of its own.

# host_create HOST: namespaces, holder and mounts of HOST; its files must be
# prepared in $RATKN_LAB_RUN/HOST (see host_prepare_files)
host_create()
{
	local host=$1 ns dir pid i $LAB_SYSTEM_VARS
	lab_host_system "$host"
	ns=$(lab_ns "$host")
	dir=$RATKN_LAB_RUN/$host

	ip netns add "$ns" || fail "$host: cannot create network namespace $ns"
	ip -n "$ns" link set lo up
	nsenter --net="/run/netns/$ns" sysctl -q -w net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null ||
		fail "$host: cannot set sysctls in $ns"

	# the holder: sleep in the host's netns and a private mount namespace
	# (ip netns exec and unshare exec, so $! is the sleep)
	setsid ip netns exec "$ns" unshare -m --propagation private -- \
		sleep infinity </dev/null >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >"$dir/holder.pid"
	echo "$pid $RATKN_LAB_RUN" >"$LAB_STATE/host-$host"
	for ((i = 0; i < 50; i++)); do
		if [[ $(readlink "/proc/$pid/ns/mnt" 2>/dev/null) != \
				"$(readlink /proc/self/ns/mnt)" &&
				$(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]]; then
			break
		fi
		kill -0 "$pid" 2>/dev/null || fail "$host: holder process died"
		sleep 0.1
	done
	((i < 50)) || fail "$host: holder process did not enter its namespaces"

	# mounts inside the host; /etc becomes an overlay so that /etc/ratkn
	# can be created without touching the real /etc
	# shellcheck disable=SC2016
	nsenter -t "$pid" -m -n -- bash -euc '
		dir=$1 orig=$2 sysroot=$3 view=$4 repo=$5 run=$6
		mount -t tmpfs -o mode=0755 ratkn-lab-run /run
		mkdir -p /run/strongswan /run/lock /run/ratkn/etc-upper \
			/run/ratkn/etc-work /run/ratkn/plugins.orig
		if ! mount -t overlay ratkn-lab-etc -o lowerdir=/etc,upperdir=/run/ratkn/etc-upper,workdir=/run/ratkn/etc-work /etc; then
			echo "overlay on /etc not possible; using the real /etc" >&2
			mkdir -p /etc/ratkn
		fi
		mkdir -p /etc/ratkn /etc/swanctl /etc/strongswan.d
		mount --bind "$dir/etc/strongswan.conf" /etc/strongswan.conf
		mount --bind "$dir/etc/strongswan.d" /etc/strongswan.d
		mount --bind "$dir/etc/swanctl" /etc/swanctl
		mount --bind "$dir/etc/ratkn" /etc/ratkn
		if [[ -z $sysroot ]]; then
			mount --bind "$orig" /run/ratkn/plugins.orig
			mount --bind "$dir/plugins" "$orig"
			exit 0
		fi
		# the system root: a view of it (writes go to this host'"'"'s /run)
		# with the host'"'"'s /run, /etc files, the repository and the run
		# directory at the same paths
		source "$RATKN_LAB_LIB/sysroot.sh"
		# /etc/hosts and /etc/softhsm as files of this host that the test
		# changes later (verifier_start, KMS token)
		cp /etc/hosts /run/ratkn/hosts
		mount --bind /run/ratkn/hosts /etc/hosts
		mkdir -p /run/ratkn/softhsm
		mount --bind /run/ratkn/softhsm /etc/softhsm 2>/dev/null ||
			{ mkdir -p /etc/softhsm && mount --bind /run/ratkn/softhsm /etc/softhsm; }
		sysroot_view "$sysroot" "$view" /run/ratkn/root-scratch \
			/run /etc/strongswan.conf /etc/strongswan.d /etc/swanctl \
			/etc/ratkn /etc/hosts /etc/softhsm "$repo" "$run"
		mount --bind "$view$orig" "$view/run/ratkn/plugins.orig"
		mount --bind "$dir/plugins" "$view$orig"
	' mounts "$dir" "$LAB_PLUGINDIR" "$LAB_SYSROOT" "$LAB_VIEW" \
		"$RATKN_LAB_REPO" "$RATKN_LAB_RUN" >"$dir/log/mounts.log" 2>&1 ||
		fail "$host: mounting the host directories failed: $(cat "$dir/log/mounts.log")"
	lab_step "$host: namespace $ns, holder $pid"
}

# host_add_addrs HOST DEV ADDR[,ADDR...]
host_add_addrs()
{
	local host=$1 dev=$2 addrs=$3 addr ns extra
	ns=$(lab_ns "$host")
	[[ -n $addrs ]] || return 0
	for addr in ${addrs//,/ }; do
		extra=()
		[[ $addr == *:* ]] && extra=(nodad)
		ip -n "$ns" addr add "$addr" dev "$dev" "${extra[@]}" ||
			fail "$host: cannot add address $addr to $dev"
	done
}

# links_create LINKS: "a:ADDR=b:ADDR c:ADDR=d:ADDR=e:ADDR ..."
links_create()
{
	local links=$1 link ep eps host addrs seg=0 n i ns dev peer
	local -A ifcount=()
	for link in $links; do
		IFS='=' read -r -a eps <<<"$link"
		n=${#eps[@]}
		((n >= 2)) || fail "LINKS: '$link' needs at least two endpoints"
		local hosts=() devs=() addrl=()
		for ep in "${eps[@]}"; do
			host=${ep%%:*}
			addrs=""
			[[ $ep == *:* ]] && addrs=${ep#*:}
			lab_in_list "$host" "$RATKN_LAB_HOSTS" ||
				fail "LINKS: '$host' in '$link' is not in HOSTS"
			dev=eth${ifcount[$host]:-0}
			ifcount[$host]=$((${ifcount[$host]:-0} + 1))
			hosts+=("$host")
			devs+=("$dev")
			addrl+=("$addrs")
		done
		if ((n == 2)); then
			ip link add "${devs[0]}" netns "$(lab_ns "${hosts[0]}")" type veth \
				peer name "${devs[1]}" netns "$(lab_ns "${hosts[1]}")" ||
				fail "LINKS: cannot create veth pair for '$link'"
		else
			# a shared segment: a bridge in a namespace of its own
			seg=$((seg + 1))
			ns=${LAB_NS_PREFIX}_seg$seg
			ip netns add "$ns" || fail "LINKS: cannot create namespace $ns"
			if ! ip -n "$ns" link add br0 type bridge ||
					! ip -n "$ns" link set br0 up; then
				fail "LINKS: cannot create bridge in $ns"
			fi
			for ((i = 0; i < n; i++)); do
				peer=p$i
				if ! ip link add "${devs[i]}" netns "$(lab_ns "${hosts[i]}")" \
						type veth peer name "$peer" netns "$ns" ||
						! ip -n "$ns" link set "$peer" master br0 up; then
					fail "LINKS: cannot attach ${hosts[i]} to segment $ns"
				fi
			done
		fi
		for ((i = 0; i < n; i++)); do
			host_add_addrs "${hosts[i]}" "${devs[i]}" "${addrl[i]}"
			ip -n "$(lab_ns "${hosts[i]}")" link set "${devs[i]}" up ||
				fail "${hosts[i]}: cannot set ${devs[i]} up"
		done
		lab_step "link $link"
	done
}

# host_subnet HOST ADDRS: protected subnet address(es) on interface sub0, a
# dummy interface (or, on kernels without dummy support, a bridge without
# ports, which behaves the same for local addresses)
host_subnet()
{
	local host=$1 addrs=$2 ns
	ns=$(lab_ns "$host")
	if ! ip -n "$ns" link add sub0 type dummy 2>/dev/null &&
			! ip -n "$ns" link add sub0 type bridge; then
		fail "$host: cannot create interface sub0 (neither dummy nor bridge)"
	fi
	ip -n "$ns" link set sub0 up || fail "$host: cannot set sub0 up"
	host_add_addrs "$host" sub0 "$addrs"
}

# host_routes HOST ROUTES: "PREFIX via GW; PREFIX dev eth0; ..."
host_routes()
{
	local host=$1 routes=$2 route ns
	ns=$(lab_ns "$host")
	local -a list
	IFS=';' read -r -a list <<<"$routes"
	for route in "${list[@]}"; do
		# word splitting intended: ROUTE is arguments of "ip route add"
		# shellcheck disable=SC2086
		[[ -n ${route// /} ]] && { ip -n "$ns" route add $route ||
			fail "$host: ip route add $route failed"; }
	done
	return 0
}

# kill PIDS with SIGTERM, after SECONDS with SIGKILL
lab_kill_wait()
{
	local seconds=$1 pid alive i
	shift
	(($#)) || return 0
	kill -TERM "$@" 2>/dev/null || true
	for ((i = 0; i < seconds * 10; i++)); do
		alive=()
		for pid; do
			kill -0 "$pid" 2>/dev/null && alive+=("$pid")
		done
		((${#alive[@]})) || return 0
		sleep 0.1
	done
	kill -KILL "${alive[@]}" 2>/dev/null || true
	sleep 0.1
}

# remove a namespace and every process in it
lab_ns_remove()
{
	local ns=$1 pids
	[[ -e /run/netns/$ns ]] || return 0
	mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
	lab_kill_wait 3 "${pids[@]}"
	ip netns del "$ns" 2>/dev/null || true
}

# remove the keyrings scenarios created for released keys: kernel keyrings
# are not namespaced by network or mount namespaces, so lab hosts use named
# keyrings "ratkn-lab-*" in root's user keyring, removed here
lab_keyrings_remove()
{
	local id desc
	command -v keyctl >/dev/null || return 0
	for id in $(keyctl rlist @u 2>/dev/null); do
		desc=$(keyctl rdescribe "$id" 2>/dev/null) || continue
		if [[ $desc == keyring\;*\;ratkn-lab-* ]]; then
			keyctl clear "$id" >/dev/null 2>&1
			keyctl unlink "$id" @u >/dev/null 2>&1
		fi
	done
	return 0
}

# remove every lab namespace and process (no matter which run created them)
lab_clean_all()
{
	local ns
	while read -r ns; do
		[[ -n $ns ]] && lab_ns_remove "$ns"
	done < <(lab_namespaces)
	rm -f "$LAB_STATE"/host-*
	lab_keyrings_remove
}
