# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# testing/bench: the benchmark driver, sourced by the prepare and test
# scripts of testing/bench/all-modes (testing/lab bench) and of
# testing/scenarios/bench-quick, with the lab's test API. See
# docs/performance.md.
#
# Settings (environment; testing/lab bench sets them from its options):
#   RATKN_BENCH_MODES   modes to run, in this order (default: all of
#                       BENCH_MODES; the onboard modes only if the client
#                       has a TPM, TPM_HOSTS)
#   RATKN_BENCH_N       handshakes per mode and phase (sequential, concurrent)
#   RATKN_BENCH_C       concurrent initiators
#   RATKN_BENCH_ROUNDS  the N handshakes of a mode are split into this many
#                       rounds, and the rounds of all modes interleave, so
#                       that a noisy machine affects all modes alike
#   RATKN_BENCH_WARMUP  handshakes per mode before measuring
#   RATKN_BENCH_LOAD    1: afterwards the load run (ratkn-ppk):
#                       RATKN_BENCH_LOAD_SEQ sequential handshakes, then
#                       RATKN_BENCH_LOAD_CONC_N handshakes by
#                       RATKN_BENCH_LOAD_CONC concurrent initiators; all must
#                       succeed and charon's RSS must not grow by more than
#                       RATKN_BENCH_LOAD_RSS_KIB
#   RATKN_BENCH_PERF    1: at the end, profile N sequential handshakes of
#                       each of RATKN_BENCH_PERF_MODES (default plain,
#                       ratkn-ppk, passport-cached) with perf
#                       (bench/perf.MODE.txt)
#
# Results go to $RATKN_LAB_RUN/bench/: meta.tsv (one line per measured
# chunk: log positions, RSS, wall time), one CSV per chunk (ratkn-bench
# output), report.md and performance.png (testing/bench/report).

# modes in table order; the connection of a mode has the mode's name and an
# address pair of its own: client 192.0.2.(100+N) = gw 192.0.2.N, N = 1-7
# the modes of the gateway attesting, in this order, 9 onboard, 10
# onboard-tpm (testing/bench/all-modes/*/swanctl.conf)
BENCH_MODES="plain static-ppk ratkn-ppk ratkn-psk onboard onboard-tpm passport passport-cached remote-bc"
# modes in which the client attests (device onboarding: the attester is the
# IKE initiator, which a TPM-resident share needs); they need a client TPM
BENCH_CLIENT_TPM_MODES="onboard onboard-tpm"
# KMS key release (issue 4): add "kms" here and a connection "kms" on the
# reserved address pair 192.0.2.108 = 192.0.2.8 in all-modes/*/swanctl.conf

BENCH_DIR=$RATKN_LAB_REPO/testing/bench

# bench_build: compile the vici client into the run's bin/ (on PATH in hosts)
bench_build()
{
	local src out=$RATKN_LAB_RUN/bin/ratkn-bench
	src=$(sed -n 's/^strongswan_source = //p' "$RATKN_LAB_REPO/Makefile" \
		2>/dev/null) || true
	[[ -n $src ]] || src=$("$RATKN_LAB_REPO/testing/setup" --print-source-dir)
	[[ -f $src/src/libcharon/plugins/vici/libvici.h ]] ||
		fail "bench: no libvici.h in the strongSwan source tree '$src'"
	[[ -e /usr/lib/ipsec/libvici.so ]] ||
		fail "bench: /usr/lib/ipsec/libvici.so missing (strongswan-swanctl)"
	mkdir -p "$RATKN_LAB_RUN/bin"
	gcc -O2 -g -Wall -Wno-format -Wno-pointer-sign \
		-include "$src/config.h" -I"$src/src/libstrongswan" \
		-I"$src/src/libcharon/plugins/vici" \
		-o "$out" "$BENCH_DIR/ratkn-bench.c" \
		-L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec -lvici -lstrongswan \
		-lpthread || fail "bench: compiling ratkn-bench failed"
}

# bench_tpm_logging HOST: restart HOST's swtpm with a log of every TPM
# command (level 5: "SWTPM_IO_Read" and the command bytes), then replay the
# lab measured boot, so the PCRs match the recorded reference again; the AK
# is persistent and survives. Runs before the charons start (prepare).
bench_tpm_logging()
{
	local host=$1 dir pid m
	dir=$(hostdir "$host")
	# shellcheck source=../lib/tpm.sh
	source "$RATKN_LAB_LIB/tpm.sh"
	pid=$(cat "$dir/tpm/swtpm.pid")
	kill "$pid"
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" ||
		fail "bench: swtpm of $host does not stop"
	on "$host" swtpm socket --tpm2 --tpmstate dir="$dir/tpm/state" \
		--server type=tcp,port="$LAB_TPM_PORT",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$LAB_TPM_CTRL_PORT",bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear \
		--log file="$dir/tpm/swtpm.log",level=5 \
		--daemon --pid file="$dir/tpm/swtpm.pid" ||
		fail "bench: restarting swtpm of $host failed"
	wait_for 10 on "$host" tpm2_pcrread sha256:0 ||
		fail "bench: restarted swtpm of $host does not answer"
	for m in "${LAB_BOOT_MEASUREMENTS[@]}"; do
		on "$host" ratkn measure --pcr "${m%%:*}" "${m#*:}" >/dev/null
	done
	on "$host" ratkn pcrs --out "$dir/tpm/bench.pcrs" >/dev/null
	cmp -s <(grep -v '^#' "$dir/etc/ratkn/reference.pcrs") \
		<(grep -v '^#' "$dir/tpm/bench.pcrs") ||
		fail "bench: PCRs of $host after the swtpm restart differ from the reference"
	info "bench: $host's swtpm logs TPM commands to tpm/swtpm.log"
}

# bench_prepare: for the prepare script; the swtpm of each attesting host
# (gw, and client for the onboard modes) logs its commands
bench_prepare()
{
	local h
	bench_build
	for h in gw client; do
		if lab_in_list "$h" "${RATKN_LAB_TPM_HOSTS:-}"; then
			bench_tpm_logging "$h"
		fi
	done
}

# RSS of HOST's charon in KiB
bench_rss()
{
	local pid
	pid=$(cat "$(hostdir "$1")/charon.pid")
	awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"
}

# number of lines of a file (log position)
bench_lines()
{
	if [[ -f $1 ]]; then
		wc -l <"$1"
	else
		echo 0
	fi
}

# bench_idle: wait until neither charon has an IKE_SA
bench_idle()
{
	local h
	for h in client gw; do
		on "$h" ratkn-bench idle --timeout 60000 >/dev/null ||
			fail "bench: $h still has IKE_SAs 60 s after the handshakes"
	done
}

BENCH_FAILED=0

# bench_chunk MODE PHASE ROUND N C: N handshakes of MODE by C initiators,
# recorded in meta.tsv; PHASE seq (one initiator, IKE_SA deleted before the
# next) or conc (C initiators, deleted in the background)
bench_chunk()
{
	local mode=$1 phase=$2 round=$3 n=$4 c=$5 term=sync out line
	local out_dir=$RATKN_LAB_RUN/bench rc=0 base ok failed wall
	local pos=() rss=()
	[[ $phase == seq ]] || term=async
	base=$out_dir/$mode.$phase.$round
	rss+=("$(bench_rss client)" "$(bench_rss gw)")
	pos+=("$(bench_lines "$(log_of client)")" "$(bench_lines "$(log_of gw)")"
		"$(bench_lines "$(hostdir gw)/tpm/swtpm.log")"
		"$(bench_lines "$(hostdir client)/tpm/swtpm.log")")
	out=$(on client ratkn-bench initiate --ike "$mode" --child net -n "$n" \
		-c "$c" --terminate "$term" --csv "$base.csv" 2>"$base.err") ||
		rc=$?
	((rc < 2)) ||
		fail "bench: ratkn-bench failed: $(head -c 300 "$base.err")"
	bench_idle
	rss+=("$(bench_rss client)" "$(bench_rss gw)")
	pos+=("$(bench_lines "$(log_of client)")" "$(bench_lines "$(log_of gw)")"
		"$(bench_lines "$(hostdir gw)/tpm/swtpm.log")"
		"$(bench_lines "$(hostdir client)/tpm/swtpm.log")")
	line=$(sed -n 's/.* ok=\([0-9]*\) failed=\([0-9]*\) wall_s=\([0-9.]*\).*/\1 \2 \3/p' \
		<<<"$out")
	[[ -n $line ]] || fail "bench: unexpected output of ratkn-bench: $out"
	read -r ok failed wall <<<"$line"
	# fields: see FIELDS in testing/bench/report (the client's swtpm log
	# last: runs before the onboard modes had no client TPM)
	printf '%s\t' "$mode" "$phase" "$round" "$n" "$c" "$ok" "$failed" \
		"$wall" "${pos[0]}" "${pos[4]}" "${pos[1]}" "${pos[5]}" "${pos[2]}" \
		"${pos[6]}" "${rss[0]}" "${rss[2]}" "${rss[1]}" "${rss[3]}" \
		"${pos[3]}" >>"$out_dir/meta.tsv"
	printf '%s\n' "${pos[7]}" >>"$out_dir/meta.tsv"
	info "$(printf '%-16s %-9s round %s: %s' "$mode" "$phase" "$round" "$out")"
	if ((failed > 0)); then
		BENCH_FAILED=$((BENCH_FAILED + failed))
		info "  $(head -n 3 "$base.err")"
	fi
}

# bench_load: the load run of issue 6 (attested handshakes, ratkn-ppk)
bench_load()
{
	local seq=${RATKN_BENCH_LOAD_SEQ:-1000} conc=${RATKN_BENCH_LOAD_CONC:-50}
	local conc_n=${RATKN_BENCH_LOAD_CONC_N:-500}
	local max=${RATKN_BENCH_LOAD_RSS_KIB:-4096} c0 g0 c1 g1
	local failed_before=$BENCH_FAILED
	info "load: $seq sequential, then $conc_n handshakes by $conc" \
		"concurrent initiators (ratkn-ppk)"
	# warm-up at full concurrency: charon's threads and their malloc arenas
	on client ratkn-bench initiate --ike ratkn-ppk --child net -n "$conc" \
		-c "$conc" --terminate async >/dev/null 2>&1 ||
		fail "load: warm-up with $conc concurrent initiators failed"
	bench_idle
	c0=$(bench_rss client)
	g0=$(bench_rss gw)
	bench_chunk ratkn-ppk load-seq 1 "$seq" 1
	bench_chunk ratkn-ppk load-conc 1 "$conc_n" "$conc"
	c1=$(bench_rss client)
	g1=$(bench_rss gw)
	info "load: RSS client $c0 -> $c1 KiB, gw $g0 -> $g1 KiB (limit +$max KiB)"
	((BENCH_FAILED == failed_before)) ||
		fail "load: $((BENCH_FAILED - failed_before)) attested handshakes failed"
	((c1 - c0 <= max && g1 - g0 <= max)) ||
		fail "load: charon RSS grew by more than $max KiB" \
			"(client $((c1 - c0)), gw $((g1 - g0)))"
}

# bench_perf MODE N: profile N sequential handshakes of MODE with perf
# (both charons and both swtpms, call graphs); not part of the
# measurements. Writes perf.MODE.data and perf.MODE.txt (by process and
# library, then the hottest symbols).
bench_perf()
{
	local mode=$1 n=$2 out_dir=$RATKN_LAB_RUN/bench pids pid h
	pids="$(cat "$(hostdir client)/charon.pid"),$(cat "$(hostdir gw)/charon.pid")"
	for h in gw client; do
		if [[ -f $(hostdir "$h")/tpm/swtpm.pid ]]; then
			pids="$pids,$(cat "$(hostdir "$h")/tpm/swtpm.pid")"
		fi
	done
	perf record -q -F 1999 -g -p "$pids" -o "$out_dir/perf.$mode.data" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	on client ratkn-bench initiate --ike "$mode" --child net -n "$n" -c 1 \
		--terminate sync >"$out_dir/perf.$mode.out" 2>&1 || true
	kill -INT "$pid"
	wait "$pid" || true
	{
		echo "# $(cat "$out_dir/perf.$mode.out")"
		echo "# samples by process and library"
		perf report -i "$out_dir/perf.$mode.data" --stdio --no-children \
			--sort comm,dso -g none 2>/dev/null | grep -v "^$" | sed -n 1,40p
		echo "# hottest symbols"
		perf report -i "$out_dir/perf.$mode.data" --stdio --no-children \
			--sort comm,dso,sym -g none 2>/dev/null | grep -v '^#' |
			grep -v "^$" | sed -n 1,40p
	} >"$out_dir/perf.$mode.txt"
	info "bench: perf profile of $mode in bench/perf.$mode.txt"
}

# bench_main: the benchmark (test script)
bench_main()
{
	local modes=${RATKN_BENCH_MODES:-$BENCH_MODES} n=${RATKN_BENCH_N:-20}
	local c=${RATKN_BENCH_C:-4} rounds=${RATKN_BENCH_ROUNDS:-1}
	local warmup=${RATKN_BENCH_WARMUP:-5} mode r per out_dir wc all
	out_dir=$RATKN_LAB_RUN/bench
	mkdir -p "$out_dir"
	: >"$out_dir/meta.tsv"
	for mode in $modes; do
		lab_in_list "$mode" "$BENCH_MODES" ||
			fail "bench: unknown mode '$mode' (modes: $BENCH_MODES)"
	done
	# the onboard modes need a client TPM (TPM_HOSTS of the scenario): left
	# out of the default list without one, an error when asked for
	if ! lab_in_list client "${RATKN_LAB_TPM_HOSTS:-}"; then
		if [[ -n ${RATKN_BENCH_MODES:-} ]]; then
			for mode in $BENCH_CLIENT_TPM_MODES; do
				! lab_in_list "$mode" "$modes" || fail "bench: mode" \
					"$mode needs a TPM on the client (TPM_HOSTS)"
			done
		else
			all=$modes
			modes=""
			for mode in $all; do
				lab_in_list "$mode" "$BENCH_CLIENT_TPM_MODES" ||
					modes="$modes${modes:+ }$mode"
			done
			info "bench: no TPM on the client: without" \
				"$BENCH_CLIENT_TPM_MODES"
		fi
	fi
	per=$(((n + rounds - 1) / rounds))
	{
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "modes=$modes"
		echo "n=$((per * rounds))"
		echo "c=$c"
		echo "rounds=$rounds"
		echo "warmup=$warmup"
		echo "load=${RATKN_BENCH_LOAD:-0}"
		echo "cpus=$(nproc)"
		echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "kernel=$(uname -r)"
		echo "strongswan=$(/usr/lib/ipsec/charon --version 2>&1 | head -n 1)"
		echo "swtpm=$(swtpm --version 2>&1 | head -n 1)"
		echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$out_dir/info"
	info "bench: modes: $modes; $((per * rounds)) sequential and" \
		"$((per * rounds)) concurrent (C=$c) handshakes per mode in" \
		"$rounds round(s)"

	verifier_start verifier 192.0.2.250
	on gw ratkn enroll --verifier https://verifier.ratkn.test:8443 \
		--ca /etc/swanctl/x509ca/ca.pem >/dev/null ||
		fail "bench: the gateway could not enroll at the verifier"

	# warm-up: every code path, connection and thread once, caches filled
	for mode in $modes; do
		wc=$((warmup < c ? warmup : c))
		((wc > 0)) || wc=1
		on client ratkn-bench initiate --ike "$mode" --child net \
			-n "$warmup" -c "$wc" --terminate async >/dev/null \
			2>"$out_dir/$mode.warmup.err" ||
			fail "bench: warm-up of mode $mode failed: $(head -n 3 "$out_dir/$mode.warmup.err")"
	done
	bench_idle

	for ((r = 1; r <= rounds; r++)); do
		for mode in $modes; do
			bench_chunk "$mode" seq "$r" "$per" 1
			bench_chunk "$mode" conc "$r" "$per" "$c"
		done
	done

	if [[ ${RATKN_BENCH_LOAD:-0} == 1 ]]; then
		bench_load
	fi

	if [[ ${RATKN_BENCH_PERF:-0} == 1 ]]; then
		for mode in ${RATKN_BENCH_PERF_MODES:-plain ratkn-ppk passport-cached}; do
			bench_perf "$mode" "$n"
		done
	fi

	python3 "$BENCH_DIR/report" "$RATKN_LAB_RUN" >"$out_dir/report.md" \
		2>"$out_dir/report.err" ||
		fail "bench: testing/bench/report failed: $(tail -n 5 "$out_dir/report.err")"
	cat "$out_dir/report.md"
	((BENCH_FAILED == 0)) || fail "bench: $BENCH_FAILED handshakes failed"
}
