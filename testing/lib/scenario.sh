# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# One scenario, from scenario.conf to teardown. scenario_main runs in a
# subshell of testing/lab with RATKN_LAB_* set; it writes the failure reason
# to $RATKN_LAB_REASON and always tears down what it started (EXIT trap),
# unless RATKN_LAB_KEEP=1.

# shellcheck source=api.sh
source "${RATKN_LAB_LIB:?}/api.sh"
# shellcheck source=hosts.sh
source "$RATKN_LAB_LIB/hosts.sh"
# shellcheck source=pki.sh
source "$RATKN_LAB_LIB/pki.sh"
# shellcheck source=tpm.sh
source "$RATKN_LAB_LIB/tpm.sh"
# shellcheck source=charon.sh
source "$RATKN_LAB_LIB/charon.sh"

# read and check scenario.conf (in the current directory)
scenario_conf()
{
	local h v var
	HOSTS="" LINKS="" TPM_HOSTS="" VALGRIND_HOSTS="" TIMEOUT=300
	unset RATKN_HOSTS CHARON_HOSTS
	[[ -f scenario.conf ]] || fail "scenario.conf missing"
	# shellcheck disable=SC1091
	source ./scenario.conf
	RATKN_HOSTS=${RATKN_HOSTS-$HOSTS}
	CHARON_HOSTS=${CHARON_HOSTS-$HOSTS}

	[[ -n ${HOSTS// /} ]] || fail "scenario.conf: HOSTS is empty"
	for h in $HOSTS; do
		[[ $h =~ ^[a-z][a-z0-9]{0,30}$ ]] || fail "scenario.conf: host \
name '$h' is invalid (lower case letters and digits, starting with a letter)"
	done
	for v in TPM_HOSTS RATKN_HOSTS CHARON_HOSTS VALGRIND_HOSTS; do
		for h in ${!v}; do
			lab_in_list "$h" "$HOSTS" ||
				fail "scenario.conf: $v names '$h', which is not in HOSTS"
		done
	done
	for var in $(compgen -v SUBNET_ || true) $(compgen -v ROUTES_ || true) \
			   $(compgen -v PLUGINS_ || true) $(compgen -v SYSTEM_ || true); do
		lab_in_list "${var#*_}" "$HOSTS" ||
			fail "scenario.conf: $var: '${var#*_}' is not in HOSTS"
	done
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || fail "scenario.conf: TIMEOUT must be seconds"
	[[ -f test ]] || fail "test script missing"

	# the strongSwan system of a host, if not the run's (mixed versions)
	for var in $(compgen -v SYSTEM_ || true); do
		[[ ${!var} =~ ^(host|trixie|upstream-[0-9]+\.[0-9]+\.[0-9]+)$ ]] ||
			fail "scenario.conf: $var: unknown system '${!var}' (host, \
trixie, upstream-X.Y.Z)"
		export "RATKN_LAB_${var}=${!var}"
	done
	for h in $HOSTS; do
		scenario_host_system "$h"
	done

	# extra plugins of a host, for the charon helpers in other processes
	for var in $(compgen -v PLUGINS_ || true); do
		scenario_host_plugins "${var#PLUGINS_}" "${!var}"
		export "RATKN_LAB_${var}=${!var}"
	done
	export RATKN_LAB_HOSTS=$HOSTS RATKN_LAB_TPM_HOSTS=$TPM_HOSTS
	export RATKN_LAB_RATKN_HOSTS=$RATKN_HOSTS RATKN_LAB_CHARON_HOSTS=$CHARON_HOSTS
	export RATKN_LAB_VALGRIND_HOSTS=$VALGRIND_HOSTS
}

# scenario_host_system HOST: the system HOST runs is prepared
scenario_host_system()
{
	local host=$1 reason $LAB_SYSTEM_VARS
	lab_host_system "$host"
	reason=$(lab_system_missing)
	[[ -z $reason ]] || fail "$host runs strongSwan system $LAB_SYSTEM: $reason"
	return 0
}

# scenario_host_plugins HOST FILES: the extra plugins of HOST are built for
# its system
scenario_host_plugins()
{
	local host=$1 files=$2 f $LAB_SYSTEM_VARS
	lab_host_system "$host"
	for f in $files; do
		[[ $f == /* ]] || f=$LAB_BUILD/$f
		[[ $f == */libstrongswan-*.so ]] || fail "scenario.conf: \
PLUGINS_$host: '$f' is not a libstrongswan-NAME.so plugin"
		[[ -f $f ]] || fail "scenario.conf: PLUGINS_$host: $f is not built"
	done
}

# run a scenario script (test, prepare) with the test API, in a session of
# its own (killed as a whole on timeout and interrupt)
scenario_script()
{
	local file=$1 rc=0 pid size=0
	[[ -f $file ]] || return 0
	lab_step "running ${file##*/}"
	[[ -f $RATKN_LAB_RUN/test.log ]] &&
		size=$(stat -c %s "$RATKN_LAB_RUN/test.log")
	setsid timeout -k 5 "$TIMEOUT" bash "$RATKN_LAB_LIB/run-test" "$file" \
		</dev/null >>"$RATKN_LAB_RUN/test.log" 2>&1 &
	pid=$!
	echo "$pid" >"$RATKN_LAB_RUN/script.pid"
	if [[ ${RATKN_LAB_VERBOSE:-0} == 1 ]]; then
		# show the output as it is written
		tail -c "+$((size + 1))" -s 0.2 -f --pid="$pid" \
			"$RATKN_LAB_RUN/test.log" &
		echo $! >"$RATKN_LAB_RUN/tail.pid"
	fi
	wait "$pid" || rc=$?
	if [[ -f $RATKN_LAB_RUN/tail.pid ]]; then
		wait "$(cat "$RATKN_LAB_RUN/tail.pid")" || true
		rm -f "$RATKN_LAB_RUN/tail.pid"
	fi
	rm -f "$RATKN_LAB_RUN/script.pid"
	((rc != 124)) || fail "${file##*/} timed out after $TIMEOUT s (TIMEOUT)"
	((rc == 0)) || fail "${file##*/} failed (status $rc)"
}

scenario_teardown()
{
	local rc=$? h pids=() pid ns
	trap '' INT TERM
	trap - ERR
	set +e
	if pid=$(cat "$RATKN_LAB_RUN/script.pid" 2>/dev/null); then
		kill -TERM -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$RATKN_LAB_RUN/script.pid"
	fi
	if pid=$(cat "$RATKN_LAB_RUN/tail.pid" 2>/dev/null); then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$RATKN_LAB_RUN/tail.pid"
	fi
	if [[ ${RATKN_LAB_KEEP:-0} == 1 ]]; then
		: >"$RATKN_LAB_RUN/kept"
		exit "$rc"
	fi
	lab_step "teardown"
	for h in $RATKN_LAB_HOSTS; do
		pid=$(cat "$RATKN_LAB_RUN/$h/charon.pid" 2>/dev/null) && pids+=("$pid")
	done
	lab_kill_wait 5 "${pids[@]}"
	for h in $RATKN_LAB_TPM_HOSTS; do
		tpm_stop "$h"
	done
	for h in $RATKN_LAB_HOSTS; do
		lab_ns_remove "$(lab_ns "$h")"
		rm -f "$LAB_STATE/host-$h" "$RATKN_LAB_RUN/$h/holder.pid" \
			"$RATKN_LAB_RUN/$h/charon.pid"
	done
	while read -r ns; do
		[[ $ns == "${LAB_NS_PREFIX}_seg"* ]] && lab_ns_remove "$ns"
	done < <(lab_namespaces)
	lab_keyrings_remove
	exit "$rc"
}

# lab_tool_wrappers HOST: the tools on PATH inside HOST
# ($RATKN_LAB_RUN/HOST/bin): ratkn and ratkn-kms of the build for the host's
# system, swanctl of that system (both chrooted into the host's view of the
# system root, if any); the verifier always runs on this machine (the
# repository's own build)
lab_tool_wrappers()
{
	local host=$1 tool bin=$RATKN_LAB_RUN/$1/bin chroot="" $LAB_SYSTEM_VARS
	lab_host_system "$host"
	mkdir -p "$bin"
	# cd: chroot(1) starts in /, keep the caller's directory
	# shellcheck disable=SC2016
	[[ -z $LAB_SYSROOT ]] || chroot="chroot $LAB_VIEW /bin/sh -c 'cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"' \"\$PWD\""
	for tool in src/ratkn/ratkn src/kms/ratkn-kms; do
		printf '#!/bin/sh\nexec %s "%s/%s" "$@"\n' "$chroot" "$LAB_BUILD" \
			"$tool" >"$bin/${tool##*/}"
	done
	for tool in src/verifier/ratkn-verifier src/verifier/ratkn-verifier-ctl; do
		printf '#!/bin/sh\nexec "%s/%s" "$@"\n' "$RATKN_LAB_REPO" "$tool" \
			>"$bin/${tool##*/}"
	done
	if [[ $LAB_SYSTEM != host ]]; then
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$chroot" "$LAB_SWANCTL" \
			>"$bin/swanctl"
	fi
	chmod +x "$bin"/*
}

# scenario_main: everything for the scenario in $RATKN_LAB_SCENARIO
scenario_main()
{
	local h var
	set -eEuo pipefail
	trap scenario_teardown EXIT
	# an interrupted run is torn down even with --keep
	trap 'RATKN_LAB_KEEP=0; exit 130' INT TERM
	trap '_lab_err $? "$BASH_COMMAND"' ERR
	RATKN_LAB_HOSTS=""
	RATKN_LAB_TPM_HOSTS=""

	cd "$RATKN_LAB_SCENARIO"
	scenario_conf

	lab_step "hosts: $RATKN_LAB_HOSTS"
	for h in $RATKN_LAB_HOSTS; do
		host_prepare_files "$h"
		lab_tool_wrappers "$h"
	done
	for h in $RATKN_LAB_HOSTS; do
		host_create "$h"
	done
	links_create "$LINKS"
	for h in $RATKN_LAB_HOSTS; do
		var=SUBNET_$h
		if [[ -n ${!var:-} ]]; then
			host_subnet "$h" "${!var}"
		fi
		var=ROUTES_$h
		if [[ -n ${!var:-} ]]; then
			host_routes "$h" "${!var}"
		fi
	done

	if [[ -n ${RATKN_LAB_TPM_HOSTS// /} ]]; then
		[[ -x $LAB_BUILD/src/ratkn/ratkn ]] || fail "TPM hosts need \
the ratkn tool, which is not built ($LAB_BUILD/src/ratkn/ratkn)"
		for h in $RATKN_LAB_TPM_HOSTS; do
			tpm_start "$h"
		done
		for h in $RATKN_LAB_TPM_HOSTS; do
			tpm_provision "$h"
		done
		tpm_distribute
	fi

	scenario_script "$RATKN_LAB_SCENARIO/prepare"

	for h in $RATKN_LAB_CHARON_HOSTS; do
		charon_start "$h"
	done
	for h in $RATKN_LAB_CHARON_HOSTS; do
		charon_wait "$h"
	done
	for h in $RATKN_LAB_CHARON_HOSTS; do
		charon_load "$h"
	done

	scenario_script "$RATKN_LAB_SCENARIO/test"
}
