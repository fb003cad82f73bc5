# shellcheck shell=bash
# Shared by the kms-* scenarios (sourced by their prepare scripts): a KMS on
# host gw with a SoftHSM2 token that lives in gw's run directory, and an
# "enterprise" that encrypts model weights with a DEK it imports into the KMS.

# kms_setup: token (SoftHSM2, in gw's directory), PIN file, key store and CMK
kms_setup()
{
	local dir
	dir=$(hostdir gw)
	mkdir -p "$dir/softhsm"
	# /etc is an overlay inside the host: this config exists only in gw
	on gw sh -c "mkdir -p /etc/softhsm && printf '%s\n' \
		'directories.tokendir = $dir/softhsm' 'objectstore.backend = file' \
		'log.level = ERROR' >/etc/softhsm/softhsm2.conf"
	on gw softhsm2-util --init-token --free --label ratkn-kms --pin 1234 \
		--so-pin 5678 >/dev/null
	printf '1234\n' >"$dir/etc/ratkn/kms.pin"
	chmod 600 "$dir/etc/ratkn/kms.pin"
	on gw ratkn-kms init
}

# enterprise_encrypt NAME FILE: make a DEK, encrypt FILE with it (AES-256-GCM,
# weights.py), import the DEK into the KMS as key NAME, forget it; the
# ciphertext goes to the device (FILE.enc in its directory), the plaintext's
# SHA-256 to $RATKN_LAB_RUN/FILE.sha256
enterprise_encrypt()
{
	local name=$1 file=$2 ent="$RATKN_LAB_RUN/enterprise"
	mkdir -p "$ent"
	head -c 32 /dev/urandom >"$ent/dek"
	/usr/bin/python3 "$RATKN_LAB_REPO/testing/scenarios/kms-release/weights.py" \
		encrypt "$ent/dek" "$file" "$(hostdir device)/${file##*/}.enc"
	sha256sum <"$file" | cut -d' ' -f1 >"$RATKN_LAB_RUN/${file##*/}.sha256"
	on gw ratkn-kms key create "$name" --import "$ent/dek"
	# only the KMS (its token) can give the DEK out from now on
	rm -f "$ent/dek"
}
