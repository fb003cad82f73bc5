/*
 * Copyright (C) 2026 ratkn developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

/*
 * Seed generator: writes the seed corpora of the fuzz targets and the data
 * files they use, from the real code paths: evidence quoted by a private
 * swtpm through ratkn_tpm (ECC and RSA AK), certifications of TPM-resident
 * ECDHE shares, the swtpm's EK certificate, the notify codecs' and the EAR
 * signer's own output, the vectors of docs/protocol.md section 12.
 *
 * Usage: gen_seeds DIR EK_CA_ISSUER EK_CA_ROOT
 * DIR/data must hold ear-key.pem and ear-pub.pem; writes DIR/data/* and
 * DIR/corpus/<target>/*.
 */

#define _GNU_SOURCE
#include "fuzz_common.h"
#include "swtpm_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include <tss2/tss2_mu.h>

#include <openssl/sha.h>

#include <ratkn_ak.h>
#include <ratkn_binding.h>
#include <ratkn_credential.h>
#include <ratkn_ear.h>
#include <ratkn_evidence.h>
#include <ratkn_negotiate.h>
#include <ratkn_result.h>
#include <ratkn_keys.h>
#include <ratkn_jwe.h>
#include <ratkn_tpm.h>
#include <ratkn_tpm_kex.h>

/**
 * Handle of the RSA AK (the ECC AK uses ratkn_tpm's default)
 */
#define RSA_AK_HANDLE 0x81010003

static char *base;

/**
 * Not a fuzzer, but fuzz_common.h declares the entry point
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return 0;
}

/**
 * Write a file DIR/sub/name
 */
static void put(char *sub, char *name, chunk_t data)
{
	char path[PATH_MAX];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", base, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", base, sub, name);
	file = fopen(path, "w");
	if (!file || fwrite(data.ptr, 1, data.len, file) != data.len)
	{
		fprintf(stderr, "writing %s failed: %s\n", path, strerror(errno));
		exit(1);
	}
	fclose(file);
}

/**
 * Write a corpus file, with a prefix
 */
static void seed(char *target, char *name, chunk_t prefix, chunk_t data)
{
	char sub[64];
	chunk_t all;

	snprintf(sub, sizeof(sub), "corpus/%s", target);
	all = chunk_cat("cc", prefix, data);
	put(sub, name, all);
	chunk_free(&all);
}

/**
 * Fail with a message
 */
static void fail(char *what)
{
	fprintf(stderr, "gen_seeds: %s failed\n", what);
	exit(1);
}

/**
 * Flags of the share target (fuzz_share.c)
 */
#define SHARE_P384 0x01
#define SHARE_SIGN 0x02
#define SHARE_OWN_POINT 0x04

/**
 * Write a seed of the share target: flags, SHARE_PUBLIC and SHARE_CERTIFY
 * with 2-octet lengths, SHARE_SIGNATURE
 */
static void share_seed(char *name, uint8_t flags, chunk_t tpm_public,
					   chunk_t certify, chunk_t signature)
{
	uint16_t len_public, len_certify;
	chunk_t prefix, data;

	len_public = htons(tpm_public.len);
	len_certify = htons(certify.len);
	prefix = chunk_from_thing(flags);
	data = chunk_cat("ccccc", chunk_from_thing(len_public), tpm_public,
					 chunk_from_thing(len_certify), certify, signature);
	seed("share", name, prefix, data);
	chunk_free(&data);
}

/**
 * Certify a TPM-resident share of the group with the TPM's AK for a binding
 */
static void tpm_share(ratkn_tpm_t *tpm, uint16_t group, chunk_t binding,
					  chunk_t *tpm_public, chunk_t *certify,
					  chunk_t *signature)
{
	ratkn_tpm_kex_t *share;

	share = ratkn_tpm_kex_create(tpm, group);
	if (!share || !share->certify(share, binding, certify, signature))
	{
		fail("certifying a TPM-resident share");
	}
	*tpm_public = chunk_clone(share->get_tpm_public(share));
	share->kex.destroy(&share->kex);
}

/**
 * Evidence of an attester, with its parts
 */
typedef struct {
	ratkn_tpm_t *tpm;
	chunk_t ak_public, spki, quote, signature, evidence;
	chunk_t share_public, share_certify, share_signature;
} attester_t;

/**
 * Quote with an AK of the TPM; if share is a group, certify a TPM-resident
 * share of it for the same binding and add the certification
 */
static void attest(char *tcti, bool rsa, ratkn_ike_role_t role, char *pcrs,
				   uint16_t share, attester_t *out)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;
	uint8_t session[RATKN_HASH_LEN], identity[RATKN_HASH_LEN];
	uint8_t binding[RATKN_HASH_LEN];

	out->tpm = ratkn_tpm_create(tcti, rsa ? RSA_AK_HANDLE : 0);
	if (!out->tpm ||
		!out->tpm->create_ak(out->tpm, rsa ? RATKN_AK_RSA : RATKN_AK_ECC,
							 FALSE, &out->ak_public) ||
		!ratkn_ak_spki_from_tpm(out->ak_public, &out->spki) ||
		!ratkn_binding_session_hash(chunk_from_str("IKE_SA_INIT request"),
							chunk_from_str("IKE_SA_INIT response"), session) ||
		!ratkn_binding_identity_hash(chunk_from_str("certificate"),
									 identity) ||
		!ratkn_binding_compute(role, chunk_from_thing(session),
							   chunk_from_thing(identity), binding) ||
		!ratkn_pcr_selection_parse(pcrs, &sel) ||
		!out->tpm->quote(out->tpm, &sel, chunk_from_thing(binding),
						 &out->quote, &out->signature, &values))
	{
		fail("quoting");
	}
	if (share)
	{
		tpm_share(out->tpm, share, chunk_from_thing(binding),
				  &out->share_public, &out->share_certify,
				  &out->share_signature);
	}
	evidence = ratkn_evidence_create_certified(role, chunk_from_thing(session),
									chunk_from_thing(identity), out->quote,
									out->signature, out->ak_public, values,
									out->share_public, out->share_certify,
									out->share_signature, chunk_empty);
	if (!evidence)
	{
		fail("building evidence");
	}
	out->evidence = chunk_clone(evidence->get_encoding(evidence));
	evidence->destroy(evidence);
}

/**
 * Free an attester's data
 */
static void attester_free(attester_t *this)
{
	this->tpm->destroy(this->tpm);
	chunk_free(&this->ak_public);
	chunk_free(&this->spki);
	chunk_free(&this->quote);
	chunk_free(&this->signature);
	chunk_free(&this->evidence);
	chunk_free(&this->share_public);
	chunk_free(&this->share_certify);
	chunk_free(&this->share_signature);
}

/**
 * A JSON request for the verifier_api target
 */
static void api_seed(char *name, char *method, char *path, char *type,
					 char *fmt, ...)
{
	char *body = "", *text;
	va_list args;

	if (fmt)
	{
		va_start(args, fmt);
		if (vasprintf(&body, fmt, args) < 0)
		{
			fail("formatting");
		}
		va_end(args);
	}
	if (asprintf(&text, "%s\n%s\n%s\n%s", method, path, type, body) < 0)
	{
		fail("formatting");
	}
	seed("verifier_api", name, chunk_empty, chunk_from_str(text));
	free(text);
	if (fmt)
	{
		free(body);
	}
}

/**
 * Seeds from the TPM
 */
static void tpm_seeds(char *tcti, char **ca)
{
	attester_t ecc = {}, rsa = {}, init = {}, banks = {}, shared = {};
	chunk_t ek_cert, ek_public, ek_spki, name, len;
	chunk_t share_public, share_certify, share_signature;
	ratkn_tpm_t *tpm;
	char *b64, *b64_ak, reason[256];
	uint8_t octet;

	attest(tcti, FALSE, RATKN_IKE_RESPONDER, "sha256:0,1,2,3,7", 0, &ecc);
	attest(tcti, TRUE, RATKN_IKE_RESPONDER, "sha256:0,7", 0, &rsa);
	attest(tcti, FALSE, RATKN_IKE_INITIATOR, "sha256:0-23", 0, &init);
	attest(tcti, FALSE, RATKN_IKE_RESPONDER, "sha1:0,7+sha256:0,7", 0,
		   &banks);
	attest(tcti, FALSE, RATKN_IKE_INITIATOR, "sha256:0,7", 19, &shared);

	put("data", "ak-ecc.spki", ecc.spki);
	put("data", "ak-rsa.spki", rsa.spki);
	put("data", "evidence-ecc.bin", ecc.evidence);

	seed("evidence", "ecc-responder", chunk_empty, ecc.evidence);
	seed("evidence", "rsa-responder", chunk_empty, rsa.evidence);
	seed("evidence", "ecc-initiator-24-pcrs", chunk_empty, init.evidence);
	seed("evidence", "ecc-two-banks", chunk_empty, banks.evidence);
	seed("evidence", "ecc-initiator-tpm-share", chunk_empty, shared.evidence);
	seed("appraisal", "ecc-responder", chunk_empty, ecc.evidence);
	seed("appraisal", "rsa-responder", chunk_empty, rsa.evidence);
	seed("appraisal", "ecc-initiator-24-pcrs", chunk_empty, init.evidence);
	seed("appraisal", "ecc-two-banks", chunk_empty, banks.evidence);

	/* TPM-resident shares certified by the ECC AK for the fuzzing binding:
	 * with the harness' signature (verifies), and with the TPM's (which
	 * does not, the fuzzing AK is another) */
	tpm_share(ecc.tpm, 19, fuzz_kms_binding(), &share_public, &share_certify,
			  &share_signature);
	share_seed("tpm-p256", SHARE_SIGN | SHARE_OWN_POINT, share_public,
			   share_certify, share_signature);
	share_seed("tpm-p256-tpm-signature", SHARE_OWN_POINT, share_public,
			   share_certify, share_signature);
	chunk_free(&share_public);
	chunk_free(&share_certify);
	chunk_free(&share_signature);
	tpm_share(ecc.tpm, 20, fuzz_kms_binding(), &share_public, &share_certify,
			  &share_signature);
	share_seed("tpm-p384", SHARE_P384 | SHARE_SIGN | SHARE_OWN_POINT,
			   share_public, share_certify, share_signature);
	chunk_free(&share_public);
	chunk_free(&share_certify);
	chunk_free(&share_signature);

	seed("ak_public", "ecc", chunk_empty, ecc.ak_public);
	seed("ak_public", "rsa", chunk_empty, rsa.ak_public);

	octet = ecc.quote.len;
	seed("signature", "ecdsa", chunk_from_thing(octet),
		 chunk_cat("cc", ecc.quote, ecc.signature));
	octet = rsa.quote.len;
	seed("signature", "rsassa", chunk_from_thing(octet),
		 chunk_cat("cc", rsa.quote, rsa.signature));

	tpm = ratkn_tpm_create(tcti, 0);
	if (!tpm->get_ek(tpm, &ek_cert, &ek_public))
	{
		fail("reading the EK");
	}
	tpm->destroy(tpm);
	seed("ak_public", "ek", chunk_empty, ek_public);
	octet = 0;
	seed("credential", "ek-cert", chunk_from_thing(octet), ek_cert);
	if (!ratkn_credential_check_ek(ek_cert, ca, &ek_spki, reason,
								   sizeof(reason)) ||
		!ratkn_credential_name(ecc.ak_public, &name))
	{
		fprintf(stderr, "%s\n", reason);
		fail("checking the EK certificate");
	}
	len = chunk_from_chars(0x01, name.len);
	seed("credential", "make", len, chunk_cat("cc", name, ek_spki));

	b64 = fuzz_base64url(ecc.evidence);
	api_seed("attest", "POST", "/v1/attest", "application/json",
			 "{\"evidence\":\"%s\"}", b64);
	free(b64);
	b64 = fuzz_base64url(rsa.evidence);
	api_seed("attest-unenrolled", "POST", "/v1/attest", "application/json",
			 "{\"evidence\":\"%s\"}", b64);
	free(b64);
	b64 = fuzz_base64url(ek_cert);
	b64_ak = fuzz_base64url(init.ak_public);
	api_seed("enroll", "POST", "/v1/enroll", "application/json",
			 "{\"ek_cert\":\"%s\",\"ak_public\":\"%s\",\"group\":\"default\"}",
			 b64, b64_ak);
	free(b64_ak);
	b64_ak = fuzz_base64url(rsa.ak_public);
	api_seed("enroll-rsa", "POST", "/v1/enroll", "application/json; charset=utf-8",
			 "{\"ek_cert\":\"%s\",\"ak_public\":\"%s\"}", b64, b64_ak);
	free(b64_ak);
	free(b64);

	chunk_free(&ek_cert);
	chunk_free(&ek_public);
	chunk_free(&ek_spki);
	chunk_free(&name);
	attester_free(&ecc);
	attester_free(&rsa);
	attester_free(&init);
	attester_free(&banks);
	attester_free(&shared);
}

/**
 * Seeds of RATKN_KEYS: releases the fuzzing recipient can unwrap, EDEK
 * requests
 */
static void keys_seeds()
{
	u_char dek[32], edek[60];
	ratkn_jwe_claims_t claims = {
		.name = "model-weights",
		.version = 1,
		.usage = "dek",
		.iat = FUZZ_NOW,
		.exp = FUZZ_NOW + 3600,
		.key = chunk_from_thing(dek),
	};
	ratkn_keys_t *keys;
	char *releases[2];
	chunk_t priv, pub, edeks[2];

	memset(dek, 0xd1, sizeof(dek));
	memset(edek, 0xed, sizeof(edek));
	priv = fuzz_kms_recipient(&pub);
	(void)priv;
	releases[0] = ratkn_jwe_wrap(&claims, 19, pub, fuzz_kms_binding());
	claims.name = "fleet-ppk";
	claims.version = 7;
	claims.usage = "ppk";
	claims.edek = chunk_from_thing(edek);
	releases[1] = ratkn_jwe_wrap(&claims, 19, pub, fuzz_kms_binding());
	if (!releases[0] || !releases[1])
	{
		fail("wrapping a release");
	}
	keys = ratkn_keys_create(RATKN_IKE_INITIATOR, releases, 1);
	if (!keys)
	{
		fail("building RATKN_KEYS");
	}
	seed("keys", "one", chunk_empty, keys->get_encoding(keys));
	keys->destroy(keys);
	keys = ratkn_keys_create(RATKN_IKE_INITIATOR, releases, 2);
	if (!keys)
	{
		fail("building RATKN_KEYS");
	}
	seed("keys", "two-with-edek", chunk_empty, keys->get_encoding(keys));
	keys->destroy(keys);
	/* an attester's EDEK requests */
	edeks[0] = claims.edek;
	edeks[1] = chunk_from_chars(0x01);
	keys = ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, 2);
	if (!keys)
	{
		fail("building RATKN_KEYS with EDEK requests");
	}
	seed("keys", "edek-requests", chunk_empty, keys->get_encoding(keys));
	keys->destroy(keys);
	free(releases[0]);
	free(releases[1]);
}

/**
 * TPM name of a public area: nameAlg (SHA-256) | SHA-256(TPMT_PUBLIC)
 */
static void tpm_name(chunk_t tpm_public, TPM2B_NAME *name)
{
	name->size = 2 + SHA256_DIGEST_LENGTH;
	name->name[0] = TPM2_ALG_SHA256 >> 8;
	name->name[1] = TPM2_ALG_SHA256 & 0xff;
	SHA256(tpm_public.ptr, tpm_public.len, name->name + 2);
}

/**
 * Public area of a share as ratkn_tpm creates it (TPM2_CreatePrimary of an
 * ECDH key), with the given point and scheme (marshalled, allocated)
 */
static chunk_t make_share_public(uint16_t group, chunk_t point,
								 TPM2_ALG_ID scheme)
{
	TPMT_PUBLIC pub = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
							TPMA_OBJECT_SENSITIVEDATAORIGIN |
							TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA |
							TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric.algorithm = TPM2_ALG_NULL,
			.scheme = {
				.scheme = scheme,
				.details.ecdh.hashAlg = TPM2_ALG_SHA256,
			},
			.curveID = group == 19 ? TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	};
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t offset = 0, field = point.len / 2;

	pub.unique.ecc.x.size = pub.unique.ecc.y.size = field;
	memcpy(pub.unique.ecc.x.buffer, point.ptr, field);
	memcpy(pub.unique.ecc.y.buffer, point.ptr + field, field);
	if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub, buf, sizeof(buf),
									&offset) != TSS2_RC_SUCCESS)
	{
		fail("marshalling a share's TPMT_PUBLIC");
	}
	return chunk_clone(chunk_create(buf, offset));
}

/**
 * TPMS_ATTEST of TPM2_CertifyCreation of a share, as the fuzzing AK would
 * sign it (marshalled, allocated)
 */
static chunk_t make_share_certify(chunk_t tpm_public, chunk_t binding)
{
	TPMS_ATTEST attest = {
		.magic = TPM2_GENERATED_VALUE,
		.type = TPM2_ST_ATTEST_CREATION,
		.clockInfo = {
			.clock = 123456789,
			.resetCount = 3,
			.restartCount = 1,
			.safe = TPM2_YES,
		},
		.firmwareVersion = 0x2021010100000000ULL,
	};
	uint8_t buf[sizeof(TPMS_ATTEST)];
	size_t offset = 0;

	tpm_name(fuzz_ak_public(), &attest.qualifiedSigner);
	attest.extraData.size = binding.len;
	memcpy(attest.extraData.buffer, binding.ptr, binding.len);
	tpm_name(tpm_public, &attest.attested.creation.objectName);
	/* a digest of the creation data (TPMS_CREATION_DATA) */
	attest.attested.creation.creationHash.size = SHA256_DIGEST_LENGTH;
	SHA256((u_char*)"TPMS_CREATION_DATA", strlen("TPMS_CREATION_DATA"),
		   attest.attested.creation.creationHash.buffer);
	if (Tss2_MU_TPMS_ATTEST_Marshal(&attest, buf, sizeof(buf),
									&offset) != TSS2_RC_SUCCESS)
	{
		fail("marshalling a share's TPMS_ATTEST");
	}
	return chunk_clone(chunk_create(buf, offset));
}

/**
 * Seeds of the share target that need no TPM: certifications made and
 * signed by the harness, for the fixed shares of fuzz_share_point()
 */
static void share_seeds()
{
	struct {
		char *name;
		uint8_t flags;
		TPM2_ALG_ID scheme;
	} cases[] = {
		{ "p256", SHARE_SIGN, TPM2_ALG_NULL },
		{ "p384", SHARE_P384 | SHARE_SIGN, TPM2_ALG_NULL },
		{ "p256-ecdh-own-point", SHARE_SIGN | SHARE_OWN_POINT,
		  TPM2_ALG_ECDH },
		{ "p384-ecdh", SHARE_P384 | SHARE_SIGN, TPM2_ALG_ECDH },
		{ "p256-input-signature", 0, TPM2_ALG_NULL },
	};
	chunk_t tpm_public, certify, signature;
	uint16_t group;
	int i;

	for (i = 0; i < countof(cases); i++)
	{
		group = cases[i].flags & SHARE_P384 ? 20 : 19;
		tpm_public = make_share_public(group, fuzz_share_point(group),
									   cases[i].scheme);
		certify = make_share_certify(tpm_public, fuzz_kms_binding());
		/* the fuzzing AK of this process, the harness' is another */
		signature = fuzz_ak_sign(certify);
		share_seed(cases[i].name, cases[i].flags, tpm_public, certify,
				   signature);
		chunk_free(&tpm_public);
		chunk_free(&certify);
		chunk_free(&signature);
	}
}

/**
 * Seeds of the codecs that need no TPM
 */
static void codec_seeds()
{
	ratkn_format_t formats[] = { RATKN_FORMAT_TPM2_QUOTE };
	ratkn_model_t models[] = { RATKN_MODEL_PASSPORT,
							   RATKN_MODEL_BACKGROUND_CHECK };
	ratkn_negotiate_t *negotiate;
	chunk_t share, nonce, vector, prefix;
	struct {
		char *name;
		uint8_t flags;
		uint16_t group;
		size_t share;
		int models;
	} cases[] = {
		{ "rp-curve25519", RATKN_FLAG_VERIFY, 31, 32, 0 },
		{ "attester-p256", RATKN_FLAG_ATTEST, 19, 64, 0 },
		{ "mutual-p384-models", RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY, 20,
		  96, 2 },
		{ "rp-curve448-passport", RATKN_FLAG_VERIFY, 32, 56, 1 },
		{ "group-unsupported", RATKN_FLAG_ATTEST, 0, 0, 0 },
	};
	int i;

	nonce = chunk_alloca(32);
	memset(nonce.ptr, 0x17, nonce.len);
	for (i = 0; i < countof(cases); i++)
	{
		share = chunk_alloc(cases[i].share);
		memset(share.ptr, 0x5a, share.len);
		negotiate = ratkn_negotiate_create(cases[i].flags, cases[i].group,
					share, cases[i].flags & RATKN_FLAG_VERIFY ? nonce
															  : chunk_empty,
					formats, countof(formats), models, cases[i].models);
		chunk_free(&share);
		if (!negotiate)
		{
			fail(cases[i].name);
		}
		seed("negotiate", cases[i].name, chunk_empty,
			 negotiate->get_encoding(negotiate));
		/* the attributes, with all rules optional and all required */
		prefix = chunk_from_chars(0x00);
		seed("tlv", cases[i].name, prefix,
			 chunk_skip(negotiate->get_encoding(negotiate), 4));
		negotiate->destroy(negotiate);
	}
	/* docs/protocol.md, 12.3 */
	vector = chunk_from_hex(chunk_from_str(
		"0102001f"
		"00010020" "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
				   "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
		"00020020" "17171717171717171717171717171717"
				   "17171717171717171717171717171717"
		"000300020001"), NULL);
	seed("negotiate", "protocol-12.3", chunk_empty, vector);
	prefix = chunk_from_chars(0x1f);
	seed("tlv", "protocol-12.3-all-required", prefix, chunk_skip(vector, 4));
	prefix = chunk_from_chars(0x00);
	seed("tlv", "unknown-and-empty", prefix, chunk_from_chars(
		0x00, 0x09, 0x00, 0x01, 0xaa, 0x00, 0x04, 0x00, 0x00, 0xff, 0xff,
		0x00, 0x00));
	chunk_free(&vector);
}

/**
 * Seeds of the EAR targets and RATKN_RESULT
 */
static void ear_seeds()
{
	ratkn_ear_status_t statuses[] = { RATKN_EAR_AFFIRMING, RATKN_EAR_WARNING,
									  RATKN_EAR_CONTRAINDICATED,
									  RATKN_EAR_NONE };
	uint8_t nonce[RATKN_HASH_LEN], identity[RATKN_HASH_LEN];
	ratkn_ear_claims_t claims = {
		.trust = { 2, 2, 2, 2 },
		.iat = FUZZ_NOW - 10,
		.exp = FUZZ_NOW + 300,
		.nonce = chunk_from_thing(nonce),
		.identity_hash = chunk_from_thing(identity),
		.verifier_build = "ratkn-verifier fuzz",
		.verifier_developer = "https://ratkn.example/fuzz",
		.policy_id = "ratkn/default",
	};
	ratkn_result_t *result;
	chunk_t key, status, payload, parts;
	char name[64], *token, *dot;
	int i;

	memset(nonce, 0x0e, sizeof(nonce));
	memset(identity, 0xec, sizeof(identity));
	key = fuzz_data("ear-key.pem");
	for (i = 0; i < countof(statuses); i++)
	{
		claims.status = statuses[i];
		claims.reason = i ? "PCR sha256:7 has unexpected value" : NULL;
		claims.trust[1] = i ? 96 : 2;
		token = ratkn_ear_sign(&claims, key);
		if (!token)
		{
			fail("signing an EAR");
		}
		snprintf(name, sizeof(name), "%s", ratkn_ear_status_name(statuses[i]));
		seed("ear", name, chunk_empty, chunk_from_str(token));

		/* the payload, for the target that signs it itself */
		parts = chunk_from_str(strchr(token, '.') + 1);
		dot = strchr(parts.ptr, '.');
		parts.len = dot - (char*)parts.ptr;
		payload = chunk_from_base64(chunk_cat("cc", parts,
								chunk_from_str(parts.len % 4 == 2 ? "==" :
											   parts.len % 4 == 3 ? "=" : "")),
								NULL);
		seed("ear_claims", name, chunk_empty, payload);
		chunk_free(&payload);

		result = ratkn_result_create(RATKN_IKE_RESPONDER, token);
		if (!result)
		{
			fail("building RATKN_RESULT");
		}
		seed("result", name, chunk_empty, result->get_encoding(result));
		result->destroy(result);

		status = chunk_from_chars(0x00, 0xc8);
		payload = chunk_from_str(token);
		if (asprintf((char**)&payload.ptr, "{\"ear\":\"%s\",\"status\":\"%s\"}",
					 token, name) < 0)
		{
			fail("formatting");
		}
		payload.len = strlen(payload.ptr);
		seed("verifier_client", name, status, payload);
		free(payload.ptr);
		free(token);
	}
	seed("verifier_client", "bad-request", chunk_from_chars(0x01, 0x90),
		 chunk_from_str("{\"error\":\"missing or malformed 'evidence'\"}"));
	seed("verifier_client", "server-error", chunk_from_chars(0x01, 0xf7),
		 chunk_from_str("<html>bad gateway</html>"));
	chunk_free(&key);

	api_seed("health", "GET", "/v1/health", "", NULL);
	api_seed("key", "GET", "/v1/key", "", NULL);
	api_seed("enroll-finish", "POST", "/v1/enroll/00112233445566778899aabbccddeeff",
			 "application/json",
			 "{\"secret\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}");
	api_seed("malformed", "POST", "/v1/attest", "application/json",
			 "{\"evidence\":\"AQIDBA\",\"evidence\":1}");
}

int main(int argc, char *argv[])
{
	swtpm_t *swtpm;
	char *ca[3], data[PATH_MAX];

	if (argc != 4)
	{
		fprintf(stderr, "usage: gen_seeds DIR EK_CA_ISSUER EK_CA_ROOT\n");
		return 1;
	}
	base = argv[1];
	ca[0] = argv[2];
	ca[1] = argv[3];
	ca[2] = NULL;
	snprintf(data, sizeof(data), "%s/data", base);
	setenv("RATKN_FUZZ_DATA", data, 1);
	fuzz_init();
	codec_seeds();
	keys_seeds();
	share_seeds();
	ear_seeds();
	swtpm = swtpm_create();
	if (!swtpm)
	{
		fail("starting swtpm");
	}
	tpm_seeds(swtpm->get_tcti(swtpm), ca);
	swtpm->destroy(swtpm);
	return 0;
}
