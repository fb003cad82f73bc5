# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# Test API: functions available to a scenario's `test` and `prepare`
# scripts (and used by the lab itself). Documented in testing/README.md.
#
# Environment set by the lab:
#   RATKN_LAB_REPO      repository root (built plugin and ratkn tool)
#   RATKN_LAB_LIB       this directory
#   RATKN_LAB_NAME      scenario name
#   RATKN_LAB_SCENARIO  scenario directory (current directory of the test)
#   RATKN_LAB_RUN       output directory of this scenario (one dir per host)
#   RATKN_LAB_HOSTS     hosts of the scenario
#   RATKN_LAB_TPM_HOSTS hosts with a software TPM
#   RATKN_LAB_VERBOSE   1 in verbose/demo mode
#   RATKN_LAB_REASON    file the failure reason is written to

# shellcheck source=common.sh
source "${RATKN_LAB_LIB:?}/common.sh"

# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------

# fail REASON...: end the scenario with REASON (the first reason wins)
fail()
{
	local reason="$*"
	if [[ -z ${RATKN_LAB_REASON:-} ]]; then
		printf 'FAIL: %s\n' "$reason" >&2
	elif [[ ! -s $RATKN_LAB_REASON ]]; then
		printf 'FAIL: %s\n' "$reason" >&2
		printf '%s\n' "$reason" >"$RATKN_LAB_REASON"
	fi
	exit 1
}

# ERR trap: report the failed command and where it failed; in test scripts
# the line of the test script is named
_lab_err()
{
	local status=$1 cmd=$2 i where=""
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [[ ${BASH_SOURCE[i]} == "${RATKN_LAB_SCRIPT:-}" ]]; then
			where="${BASH_SOURCE[i]##*/} line ${BASH_LINENO[i - 1]}"
			break
		fi
	done
	[[ -n $where ]] || where="${BASH_SOURCE[1]##*/} line ${BASH_LINENO[0]}"
	fail "$where: '$cmd' failed (status $status)"
}

# verbose: true in verbose/demo mode
verbose()
{
	[[ ${RATKN_LAB_VERBOSE:-0} == 1 ]]
}

# info MESSAGE...: a line of test output (visible with -v and in test.log)
info()
{
	printf '%s\n' "$*"
}

# show CMD...: print "$ CMD" and run CMD, for output worth seeing in a demo
show()
{
	printf '$ %s\n' "$*"
	"$@"
}

# ---------------------------------------------------------------------------
# hosts
# ---------------------------------------------------------------------------

# hostdir HOST: the host's directory (etc/, log/, tpm/) seen from outside
hostdir()
{
	local host=${1:?hostdir: HOST missing}
	lab_in_list "$host" "${RATKN_LAB_HOSTS:-}" ||
		fail "unknown host '$host' (hosts: ${RATKN_LAB_HOSTS:-none})"
	printf '%s/%s' "$RATKN_LAB_RUN" "$host"
}

# log_of HOST: path of the host's charon log
log_of()
{
	local dir
	dir=$(hostdir "$1") || exit 1
	printf '%s/log/charon.log' "$dir"
}

# on HOST CMD...: run CMD inside HOST (its network and mount namespace),
# with the ratkn tool on PATH and TPM2TOOLS_TCTI set on TPM hosts
on()
{
	local host=${1:?on: HOST missing} dir pid tcti=()
	shift
	(($#)) || fail "on $host: no command given"
	dir=$(hostdir "$host") || exit 1
	pid=$(cat "$dir/holder.pid" 2>/dev/null) ||
		fail "on $host: host is not running"
	if lab_in_list "$host" "${RATKN_LAB_TPM_HOSTS:-}"; then
		tcti=("TPM2TOOLS_TCTI=$LAB_TCTI")
	fi
	nsenter -t "$pid" -m -n -- env PATH="$dir/bin:$RATKN_LAB_RUN/bin:$PATH" \
		RATKN_LAB_HOST="$host" "${tcti[@]}" "$@"
}

# swanctl_on HOST ARGS...: run swanctl in HOST
swanctl_on()
{
	local host=${1:?swanctl_on: HOST missing}
	shift
	on "$host" swanctl "$@"
}

# ---------------------------------------------------------------------------
# waiting
# ---------------------------------------------------------------------------

# wait_for SECONDS CMD...: run CMD until it succeeds (status 0 on success,
# 1 after SECONDS)
wait_for()
{
	local seconds=${1:?wait_for: SECONDS missing} end
	shift
	end=$((SECONDS + seconds))
	while true; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

# ---------------------------------------------------------------------------
# IKE
# ---------------------------------------------------------------------------

# initiate HOST CHILD [TIMEOUT]: initiate CHILD on HOST; returns swanctl's
# status, its output is printed on failure
initiate()
{
	local host=${1:?initiate: HOST missing} child=${2:?initiate: CHILD missing}
	local timeout=${3:-30} out status=0
	out=$(swanctl_on "$host" --initiate --child "$child" \
		--timeout "$timeout" 2>&1) || status=$?
	if ((status == 0)); then
		info "$host: initiated '$child'"
	else
		info "$host: initiating '$child' failed (status $status):"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	return "$status"
}

# expect_initiate_fails HOST CHILD [TIMEOUT]: initiating CHILD on HOST
# must fail
expect_initiate_fails()
{
	local host=${1:?expect_initiate_fails: HOST missing}
	local child=${2:?expect_initiate_fails: CHILD missing} timeout=${3:-30}
	if swanctl_on "$host" --initiate --child "$child" --timeout "$timeout" \
			>/dev/null 2>&1; then
		fail "$host: initiating '$child' succeeded, expected a failure"
	fi
	info "$host: initiating '$child' failed, as expected"
}

# terminate HOST IKE: terminate the IKE_SA named IKE on HOST
terminate()
{
	local host=${1:?terminate: HOST missing} ike=${2:?terminate: IKE missing}
	swanctl_on "$host" --terminate --ike "$ike" --timeout 10 >/dev/null 2>&1
}

# raw --list-sas of IKE on HOST, one line per SA
_lab_sas_raw()
{
	swanctl_on "$1" --list-sas --noblock --raw --ike "$2" 2>/dev/null
}

# true if HOST has IKE established (and CHILD installed)
_lab_sa_up()
{
	local raw
	raw=$(_lab_sas_raw "$1" "$2") || return 1
	[[ $raw == *"{$2 {"*"state=ESTABLISHED"* ]] || return 1
	[[ -z ${3:-} ]] && return 0
	grep -qE "\{name=$3 [^{}]*state=INSTALLED" <<<"$raw"
}

# expect_sa HOST IKE [CHILD]: the IKE_SA named IKE is ESTABLISHED on HOST
# (and has an INSTALLED CHILD_SA named CHILD); waits up to 5 seconds
expect_sa()
{
	local host=${1:?expect_sa: HOST missing} ike=${2:?expect_sa: IKE missing}
	local child=${3:-} what
	what="IKE_SA '$ike'"
	[[ -z $child ]] || what="$what with CHILD_SA '$child'"
	if ! wait_for 5 _lab_sa_up "$host" "$ike" "$child"; then
		swanctl_on "$host" --list-sas --noblock 2>&1 | sed 's/^/    /' || true
		fail "$host: no established $what"
	fi
	info "$host: $what established"
}

# expect_no_sa HOST IKE: HOST has no IKE_SA named IKE
expect_no_sa()
{
	local host=${1:?expect_no_sa: HOST missing} ike=${2:?expect_no_sa: IKE missing}
	if [[ $(_lab_sas_raw "$host" "$ike") == *"{$ike {"* ]]; then
		swanctl_on "$host" --list-sas --noblock 2>&1 | sed 's/^/    /' || true
		fail "$host: unexpected IKE_SA '$ike'"
	fi
	info "$host: no IKE_SA '$ike', as expected"
}

# sa_counter HOST IKE CHILD FIELD: print a CHILD_SA value from swanctl's raw
# output, e.g. packets-in, packets-out, bytes-in, bytes-out, spi-in, state
sa_counter()
{
	local host=${1:?sa_counter: HOST missing} ike=${2:?sa_counter: IKE missing}
	local child=${3:?sa_counter: CHILD missing}
	local field=${4:?sa_counter: FIELD missing} value
	value=$(_lab_sas_raw "$host" "$ike" |
		grep -oE "\{name=$child [^{}]*" | sed -n 1p |
		grep -oE "(^| )$field=[^ ]*" | sed -n 1p | cut -d= -f2-) || true
	[[ -n $value ]] ||
		fail "$host: no '$field' for CHILD_SA '$child' of IKE_SA '$ike'"
	printf '%s\n' "$value"
}

# ---------------------------------------------------------------------------
# traffic
# ---------------------------------------------------------------------------

# expect_ping HOST SRC DST: HOST reaches DST with source address SRC
expect_ping()
{
	local host=${1:?expect_ping: HOST missing} src=${2:?expect_ping: SRC missing}
	local dst=${3:?expect_ping: DST missing}
	if ! on "$host" ping -n -c 3 -i 0.2 -W 2 -I "$src" "$dst"; then
		fail "$host: no ping reply from $dst (source $src)"
	fi
}

# expect_no_ping HOST SRC DST: DST does not answer HOST's ping from SRC
expect_no_ping()
{
	local host=${1:?expect_no_ping: HOST missing}
	local src=${2:?expect_no_ping: SRC missing} dst=${3:?expect_no_ping: DST missing}
	if on "$host" ping -n -c 2 -i 0.2 -W 1 -I "$src" "$dst" >/dev/null 2>&1; then
		fail "$host: $dst answers a ping from $src, expected no reply"
	fi
	info "$host: no ping reply from $dst (source $src), as expected"
}

# ---------------------------------------------------------------------------
# logs
# ---------------------------------------------------------------------------

# log_mark HOST: later expect_log/expect_no_log calls for HOST only look at
# log lines written after this point
log_mark()
{
	local log
	log=$(log_of "${1:?log_mark: HOST missing}") || exit 1
	wc -l <"$log" >"$log.mark"
}

# the log of HOST from its mark on
_lab_log_since_mark()
{
	local log=$1 mark=0
	[[ -f $log.mark ]] && mark=$(<"$log.mark")
	tail -n "+$((mark + 1))" "$log"
}

_lab_log_has()
{
	# no grep -q: an early exit would fail the pipeline (SIGPIPE)
	_lab_log_since_mark "$1" | grep -E -- "$2" >/dev/null
}

# expect_log HOST REGEX [SECONDS]: the charon log of HOST (since log_mark)
# matches the extended regular expression REGEX within SECONDS (default 5)
expect_log()
{
	local host=${1:?expect_log: HOST missing} regex=${2:?expect_log: REGEX missing}
	local seconds=${3:-5} log
	log=$(log_of "$host") || exit 1
	if ! wait_for "$seconds" _lab_log_has "$log" "$regex"; then
		fail "$host: charon log has no line matching '$regex'"
	fi
	info "$host: log: $(_lab_log_since_mark "$log" | grep -E -- "$regex" |
		sed -n 1p | cut -c 1-300)"
}

# expect_no_log HOST REGEX: no line of the charon log of HOST (since
# log_mark) matches REGEX
expect_no_log()
{
	local host=${1:?expect_no_log: HOST missing}
	local regex=${2:?expect_no_log: REGEX missing} log line
	log=$(log_of "$host") || exit 1
	if line=$(_lab_log_since_mark "$log" | grep -E -- "$regex" | sed -n 1p); then
		fail "$host: charon log matches '$regex': $line"
	fi
	info "$host: log has no '$regex', as expected"
}

# ---------------------------------------------------------------------------
# verifier (ratkn-verifier, docs/verifier.md)
# ---------------------------------------------------------------------------

# verifier_start HOST ADDR [SETTING=VALUE...]: run ratkn-verifier in HOST on
# ADDR:8443 with TLS (the host's lab certificate) and a fresh EAR signing key;
# group "default" is opened for self-enrollment (the operator's decision,
# groups are closed by default) and gets the reference values of the first
# TPM host; every host gets /etc/ratkn/verifier.pem (the EAR key) and an
# /etc/hosts entry for HOST.ratkn.test. SETTINGs are added to the verifier
# section of its config.
verifier_start()
{
	local host=${1:?verifier_start: HOST missing}
	local addr=${2:?verifier_start: ADDR missing} dir setting h tpm
	shift 2
	dir=$(hostdir "$host") || exit 1
	mkdir -p "$dir/etc/ratkn/verifier"
	{
		printf 'verifier {\n'
		printf '\tlisten = %s\n\tport = 8443\n\ttls = yes\n' "$addr"
		printf '\tcert = /etc/swanctl/x509/%s.pem\n' "$host"
		printf '\tkey = /etc/swanctl/private/%s.key\n' "$host"
		printf '\tsigning_key = /etc/ratkn/verifier/ear-key.pem\n'
		printf '\tdatabase = /etc/ratkn/verifier/verifier.db\n'
		printf '\tek_ca = %s, %s\n' /var/lib/swtpm-localca/issuercert.pem \
			/var/lib/swtpm-localca/swtpm-localca-rootca-cert.pem
		for setting; do
			printf '\t%s = %s\n' "${setting%%=*}" "${setting#*=}"
		done
		printf '}\n'
	} >"$dir/etc/ratkn/verifier/verifier.conf"
	verifier_ctl "$host" keygen >/dev/null
	verifier_ctl "$host" group add default --enroll open >/dev/null
	for tpm in ${RATKN_LAB_TPM_HOSTS:-}; do
		verifier_ctl "$host" reference set default \
			"/etc/ratkn/peers/$tpm.pcrs" >/dev/null
		break
	done
	echo "$addr" >"$dir/etc/ratkn/verifier/addr"
	verifier_resume "$host"
	verifier_ctl "$host" key >"$dir/verifier.pem"
	for h in ${RATKN_LAB_HOSTS:-}; do
		cp "$dir/verifier.pem" "$(hostdir "$h")/etc/ratkn/verifier.pem"
		on "$h" sh -c "echo '$addr $host.ratkn.test' >>/etc/hosts"
	done
	# charons read their configuration before the test started the
	# verifier: let ratkn load the verifier key now
	for h in ${RATKN_LAB_CHARON_HOSTS:-}; do
		swanctl_on "$h" --reload-settings >/dev/null
	done
}

# verifier_resume HOST: (re)start the verifier of HOST set up by
# verifier_start, with its state, and wait until it accepts connections
verifier_resume()
{
	local host=${1:?verifier_resume: HOST missing} dir addr
	dir=$(hostdir "$host") || exit 1
	addr=$(cat "$dir/etc/ratkn/verifier/addr") ||
		fail "verifier_resume: no verifier set up in $host"
	(on "$host" sh -c 'echo $$ >/etc/ratkn/verifier/pid
		exec ratkn-verifier --config /etc/ratkn/verifier/verifier.conf' \
		>>"$dir/log/verifier.log" 2>&1 || true) &
	wait_for 10 on "$host" bash -c "exec 3<>/dev/tcp/$addr/8443" ||
		fail "verifier on $host did not start: $(tail -5 "$dir/log/verifier.log")"
}

# verifier_ctl HOST ARGS...: ratkn-verifier-ctl in HOST with its config
verifier_ctl()
{
	local host=${1:?verifier_ctl: HOST missing}
	shift
	on "$host" ratkn-verifier-ctl --config /etc/ratkn/verifier/verifier.conf \
		"$@"
}

# verifier_stop HOST: stop the verifier of HOST (SIGTERM)
verifier_stop()
{
	local host=${1:?verifier_stop: HOST missing} pid
	pid=$(cat "$(hostdir "$host")/etc/ratkn/verifier/pid") ||
		fail "no verifier running in $host"
	kill "$pid" 2>/dev/null || true
	wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" ||
		fail "verifier in $host did not stop"
}

# verifier_log HOST: path of the verifier's log (structured JSON lines)
verifier_log()
{
	printf '%s/log/verifier.log' "$(hostdir "${1:?verifier_log: HOST missing}")"
}

# ---------------------------------------------------------------------------
# faults: swtpm (kill, stall, restart) and charon (restart, valgrind), see
# tpm.sh and charon.sh
# ---------------------------------------------------------------------------

# shellcheck source=tpm.sh
source "$RATKN_LAB_LIB/tpm.sh"
# shellcheck source=charon.sh
source "$RATKN_LAB_LIB/charon.sh"

# verifier_stall HOST: suspend HOST's verifier (SIGSTOP): it still accepts
# TCP connections, but does not answer
verifier_stall()
{
	local host=${1:?verifier_stall: HOST missing} pid
	pid=$(cat "$(hostdir "$host")/etc/ratkn/verifier/pid") ||
		fail "no verifier running in $host"
	kill -STOP "$pid"
	info "$host: verifier stalled (SIGSTOP)"
}

# verifier_continue HOST: resume a stalled verifier (SIGCONT)
verifier_continue()
{
	local host=${1:?verifier_continue: HOST missing} pid
	pid=$(cat "$(hostdir "$host")/etc/ratkn/verifier/pid") ||
		fail "no verifier running in $host"
	kill -CONT "$pid"
	info "$host: verifier continues (SIGCONT)"
}
