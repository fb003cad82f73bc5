# shellcheck shell=bash
# ML-KEM in the hosts' charon (hybrid-mlkem, hybrid-tampered): strongSwan
# >= 6.0 with the ml plugin, which the lab loads where the system ships it

MLKEM_MISSING="charon has no ML-KEM (needs strongSwan 6.0 built with the ml \
plugin: testing/lab --system upstream-6.0.6)"

# mlkem_require HOST...: fail unless each HOST's charon will load the ml
# plugin (checked before charon starts: on 5.9.8 swanctl would refuse the
# proposal with a less helpful message)
mlkem_require()
{
	local h dir
	for h in "$@"; do
		dir=$(hostdir "$h") || exit 1
		# a symlink into the system's plugin directory, as seen in the host
		if ! [[ -L $dir/plugins/libstrongswan-ml.so ||
				-e $dir/plugins/libstrongswan-ml.so ]] ||
		   ! grep -Eq '^[[:space:]]*load = (.* )?ml( |$)' \
				"$dir/etc/strongswan.conf"; then
			fail "$h: $MLKEM_MISSING"
		fi
	done
}

# mlkem_expect_sa HOST PEER: the IKE_SA of HOST with PEER negotiated ML-KEM
# as additional key exchange (RFC 9370), as swanctl --list-sas shows it
mlkem_expect_sa()
{
	local sas
	sas=$(swanctl_on "$1" --list-sas --ike "$2")
	grep -Eq 'KE1_ML_KEM_768' <<<"$sas" ||
		fail "$1: list-sas shows no ML-KEM key exchange ($MLKEM_MISSING): $sas"
	info "$1: IKE_SA with $2: $(grep -Eo '[A-Z0-9_/-]*KE1_ML_KEM_768[A-Z0-9_/-]*' <<<"$sas" | sed -n 1p)"
}
