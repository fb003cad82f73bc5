#!/bin/sh
# Set up ratkn-verifier on a host (docs/verifier.md, "Deployment").
# Run as root; adapt names, addresses and CA files first.
set -e

# configuration and key directory, readable by root only
install -d -m 0700 /etc/ratkn/verifier /var/lib/ratkn
install -m 0600 verifier.conf /etc/ratkn/verifier.conf

# TLS server certificate: from your CA, or, to try things out, self-signed
# for the name the attesters and relying parties use
if [ ! -f /etc/ratkn/verifier/cert.pem ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout /etc/ratkn/verifier/key.pem \
		-out /etc/ratkn/verifier/cert.pem -days 365 \
		-subj "/CN=verifier.example" \
		-addext "subjectAltName=DNS:verifier.example"
	chmod 600 /etc/ratkn/verifier/key.pem
fi

# EAR signing key (kept if it exists); give its public half to the relying
# parties and attesters (charon.plugins.ratkn.verifiers.<name>.key)
ratkn-verifier-ctl keygen
ratkn-verifier-ctl key > /etc/ratkn/verifier/ear-public.pem

# a group of attesters with the reference values of a known-good platform,
# written there with "ratkn pcrs --out reference.pcrs" (docs/attester.md)
ratkn-verifier-ctl group add default
ratkn-verifier-ctl reference set default reference.pcrs
# which TPMs may enroll into it is your decision; groups are closed to
# self-enrollment. Either assign the EKs of your platforms to it (their EK
# certificate, from "ratkn ek show --out ek.pem" on the platform or from the
# vendor, or the SHA-256 of its public key) ...
# ratkn-verifier-ctl ek assign ek.pem default
# ... or let any TPM with an EK certificate of your ek_ca enroll into it
# (only on networks you trust to that extent):
# ratkn-verifier-ctl group set default --enroll open
# optional: PCRs whose change only yields "warning", e.g. the secure boot
# configuration
# ratkn-verifier-ctl warning set default sha256:7

# the service
install -m 0644 ../../ratkn-verifier.service /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now ratkn-verifier
curl --cacert /etc/ratkn/verifier/cert.pem https://verifier.example:8443/v1/health

# then, on each attester (docs/attester.md):
#   ratkn enroll --verifier https://verifier.example:8443 --ca cert.pem
# (into the group its EK is assigned to; --group NAME for an open group)
# and check here:
#   ratkn-verifier-ctl attester list
