# shellcheck shell=bash source-path=SCRIPTDIR
#
# Copyright (C) 2026 ratkn developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# Software TPMs of TPM_HOSTS and the lab's measured boot.
#
# Every TPM host gets a fresh swtpm (state in HOST/tpm/), listening on
# 127.0.0.1:2321 inside the host's network namespace. The "lab measured
# boot" extends the fixed measurements below into the SHA-256 bank, each as
# SHA-256 of the text (ratkn measure), then the attestation key is created
# and the PCR values are recorded as the reference.

LAB_BOOT_MEASUREMENTS=(
	"0:lab firmware 1.0"
	"1:lab firmware configuration"
	"2:lab option ROMs"
	"3:lab option ROM configuration"
	"4:lab bootloader 1.0"
	"5:lab partition table"
	"6:lab platform events"
	"7:secure boot: enabled"
)

# tpm_start HOST: create the TPM state and start swtpm inside HOST
tpm_start()
{
	local host=$1 dir state log
	dir=$(hostdir "$host") || exit 1
	state=$dir/tpm/state
	log=$dir/tpm/swtpm_setup.log
	mkdir -p "$state"
	swtpm_setup --tpm2 --tpmstate "$state" --create-ek-cert \
		--create-platform-cert --lock-nvram --overwrite >"$log" 2>&1 ||
		fail "$host: swtpm_setup failed: $(tail -n 20 "$log")"
	tpm_run "$host"
}

# tpm_run HOST: start swtpm inside HOST on the TPM state created by
# tpm_start and wait until it answers
tpm_run()
{
	local host=$1 dir state
	dir=$(hostdir "$host") || exit 1
	state=$dir/tpm/state
	on "$host" swtpm socket --tpm2 --tpmstate dir="$state" \
		--server type=tcp,port="$LAB_TPM_PORT",bindaddr=127.0.0.1 \
		--ctrl type=tcp,port="$LAB_TPM_CTRL_PORT",bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear \
		--log file="$dir/tpm/swtpm.log" \
		--daemon --pid file="$dir/tpm/swtpm.pid" \
		>"$dir/tpm/swtpm.stderr" 2>&1 ||
		fail "$host: starting swtpm failed: $(cat "$dir/tpm/swtpm.stderr")"
	wait_for 10 on "$host" tpm2_pcrread sha256:0 ||
		fail "$host: swtpm does not answer on $LAB_TCTI: $(on "$host" tpm2_pcrread sha256:0 2>&1 | tail -n 5)"
	lab_step "$host: swtpm running ($LAB_TCTI, pid $(cat "$dir/tpm/swtpm.pid"))"
}

# tpm_stop HOST
tpm_stop()
{
	local host=$1 pid
	pid=$(cat "$RATKN_LAB_RUN/$host/tpm/swtpm.pid" 2>/dev/null) || return 0
	# a swtpm stalled by tpm_stall gets SIGTERM only once it continues
	kill -CONT "$pid" 2>/dev/null || true
	lab_kill_wait 3 "$pid"
}

# tpm_provision HOST: lab measured boot, attestation key, reference PCRs
tpm_provision()
{
	local host=$1 m out
	out=$(hostdir "$host")/log/provision.log
	for m in "${LAB_BOOT_MEASUREMENTS[@]}"; do
		on "$host" ratkn measure --pcr "${m%%:*}" "${m#*:}" >>"$out" 2>&1 ||
			fail "$host: ratkn measure --pcr ${m%%:*} failed: $(tail -n 5 "$out")"
	done
	on "$host" ratkn ak create --out /etc/ratkn/ak.pem >>"$out" 2>&1 ||
		fail "$host: ratkn ak create failed: $(tail -n 5 "$out")"
	on "$host" ratkn ak show --name --out /etc/ratkn/ak.name >>"$out" 2>&1 ||
		fail "$host: ratkn ak show --name failed: $(tail -n 5 "$out")"
	on "$host" ratkn pcrs --out /etc/ratkn/reference.pcrs >>"$out" 2>&1 ||
		fail "$host: ratkn pcrs failed: $(tail -n 5 "$out")"
	lab_step "$host: measured boot done, AK and reference PCRs in /etc/ratkn"
}

# tpm_distribute: copy each TPM host's AK (public key and TPM Name) and
# reference PCRs to the
# /etc/ratkn/peers/ directory of every host
tpm_distribute()
{
	local t h src dst
	for t in $RATKN_LAB_TPM_HOSTS; do
		src=$RATKN_LAB_RUN/$t/etc/ratkn
		for h in $RATKN_LAB_HOSTS; do
			dst=$RATKN_LAB_RUN/$h/etc/ratkn/peers
			mkdir -p "$dst"
			if ! cp "$src/ak.pem" "$dst/$t.ak.pem" ||
					! cp "$src/ak.name" "$dst/$t.ak.name" ||
					! cp "$src/reference.pcrs" "$dst/$t.pcrs"; then
				fail "copying the AK/reference PCRs of $t to $h failed"
			fi
		done
	done
}

# ---------------------------------------------------------------------------
# faults (test API): kill, stall and restart a host's swtpm
# ---------------------------------------------------------------------------

# tpm_pid HOST: print the pid of HOST's running swtpm
tpm_pid()
{
	local host=${1:?tpm_pid: HOST missing} pid
	if ! pid=$(cat "$(hostdir "$host")/tpm/swtpm.pid" 2>/dev/null) ||
			! kill -0 "$pid" 2>/dev/null; then
		fail "$host: no swtpm running"
	fi
	printf '%s\n' "$pid"
}

# tpm_kill HOST: kill HOST's swtpm (SIGKILL); its state stays for tpm_restart
tpm_kill()
{
	local host=${1:?tpm_kill: HOST missing} pid
	pid=$(tpm_pid "$host")
	kill -KILL "$pid"
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" ||
		fail "$host: swtpm (pid $pid) did not die"
	info "$host: swtpm killed"
}

# tpm_stall HOST: suspend HOST's swtpm (SIGSTOP): it still accepts
# connections, but does not answer
tpm_stall()
{
	local host=${1:?tpm_stall: HOST missing}
	kill -STOP "$(tpm_pid "$host")"
	info "$host: swtpm stalled (SIGSTOP)"
}

# tpm_continue HOST: resume a stalled swtpm (SIGCONT)
tpm_continue()
{
	local host=${1:?tpm_continue: HOST missing}
	kill -CONT "$(tpm_pid "$host")"
	info "$host: swtpm continues (SIGCONT)"
}

# tpm_restart HOST: start HOST's swtpm again on its state after tpm_kill
# and repeat the lab measured boot (a TPM reset clears the PCRs, like a
# reboot), so that the PCRs match the reference values again
tpm_restart()
{
	local host=${1:?tpm_restart: HOST missing} m out
	out=$(hostdir "$host")/log/provision.log
	tpm_run "$host"
	for m in "${LAB_BOOT_MEASUREMENTS[@]}"; do
		on "$host" ratkn measure --pcr "${m%%:*}" "${m#*:}" >>"$out" 2>&1 ||
			fail "$host: ratkn measure --pcr ${m%%:*} failed: $(tail -n 5 "$out")"
	done
	info "$host: swtpm restarted, lab measured boot repeated"
}
