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

#define _GNU_SOURCE
#include "verifier_tests.h"
#include "swtpm_fixture.h"

#include <stdio.h>
#include <unistd.h>

#include <ratkn_ak.h>
#include <ratkn_binding.h>
#include <ratkn_ear.h>
#include <ratkn_evidence.h>

#include "verifier_appraiser.h"
#include "verifier_key.h"
#include "verifier_store.h"

/**
 * PCRs quoted and referenced
 */
#define PCRS "sha256:0-7"

static char *dir;
static verifier_store_t *store;
static verifier_key_t *key;
static verifier_appraiser_t *appraiser;
static verifier_challenge_t *challenge;
static vt_attester_t *attester;

/**
 * Set up with an ECC or RSA AK and a clock tolerance
 */
static void setup_with(bool rsa, u_int tolerance)
{
	char *path;

	dir = vt_mkdtemp();
	ck_assert(asprintf(&path, "%s/verifier.db", dir) > 0);
	store = verifier_store_create(path);
	ck_assert(store);
	free(path);
	ck_assert(asprintf(&path, "%s/ear-key.pem", dir) > 0);
	ck_assert(verifier_key_generate(path));
	key = verifier_key_load(path);
	ck_assert(key);
	free(path);
	challenge = verifier_challenge_create(60);
	ck_assert(challenge);
	appraiser = verifier_appraiser_create(store, key, challenge, 300,
										  tolerance,
										  "https://ratkn.example/test");
	attester = vt_attester_create(rsa);
	ck_assert_int_eq(store->add_group(store, "default"), VERIFIER_STORE_OK);
}

static void setup()
{
	setup_with(FALSE, 60);
}

static void setup_rsa()
{
	setup_with(TRUE, 60);
}

static void setup_clock()
{	/* quotes one second apart are replays */
	setup_with(FALSE, 1);
}

static void teardown()
{
	vt_attester_destroy(attester);
	appraiser->destroy(appraiser);
	challenge->destroy(challenge);
	key->destroy(key);
	store->destroy(store);
	vt_rmtree(dir);
}

/**
 * Enroll the attester, with or without EK certificate
 */
static void enroll(bool ek)
{
	verifier_attester_t a = {
		.ak_spki = attester->spki,
		.ek_cert = ek ? chunk_from_str("EK certificate") : chunk_empty,
		.group = "default",
	};

	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	ck_assert_str_eq(a.fingerprint, attester->fpr);
}

/**
 * Enroll the attester with the TPM Name of its AK, with or without EK
 * certificate (as enrollment or "attester add --ak-public" do)
 */
static void enroll_named(bool ek)
{
	verifier_attester_t a = {
		.ak_spki = attester->spki,
		.ek_cert = ek ? chunk_from_str("EK certificate") : chunk_empty,
		.group = "default",
	};

	ck_assert(ratkn_ak_name(attester->ak_public, &a.ak_name));
	ck_assert_int_eq(store->add_attester(store, &a), VERIFIER_STORE_OK);
	chunk_free(&a.ak_name);
}

/**
 * Use the current PCR values as reference values
 */
static void set_reference(char *pcrs)
{
	array_t *refs;

	refs = vt_current_refs(attester, pcrs);
	ck_assert_int_eq(store->set_reference(store, "default", refs),
					 VERIFIER_STORE_OK);
	array_destroy_function(refs, verifier_ref_destroy, NULL);
}

/**
 * Set warning PCRs
 */
static void set_warning(char *pcrs)
{
	ratkn_pcr_selection_t sel;

	ck_assert(ratkn_pcr_selection_parse(pcrs, &sel));
	ck_assert_int_eq(store->set_warning(store, "default", &sel),
					 VERIFIER_STORE_OK);
}

/**
 * Appraise evidence (freed), verify the EAR
 */
static ratkn_ear_t *appraise(chunk_t evidence, verifier_result_t *result)
{
	ratkn_ear_t *ear;
	char reason[256];

	ck_assert(appraiser->appraise(appraiser, evidence, result));
	chunk_free(&evidence);
	ck_assert(result->ear);
	ear = ratkn_ear_verify(result->ear, key->get_public(key), time(NULL),
						   reason, sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	/* the EAR says what the result says */
	ck_assert_int_eq(ear->get_claims(ear)->status, result->status);
	ck_assert(memeq(ear->get_claims(ear)->trust, result->trust,
					sizeof(result->trust)));
	free(result->ear);
	result->ear = NULL;
	return ear;
}

/**
 * Check the trustworthiness vector
 */
static void assert_trust(ratkn_ear_claims_t *claims, int instance,
						 int configuration, int executables, int hardware)
{
	ck_assert_int_eq(claims->trust[RATKN_EAR_TV_INSTANCE], instance);
	ck_assert_int_eq(claims->trust[RATKN_EAR_TV_CONFIGURATION],
					 configuration);
	ck_assert_int_eq(claims->trust[RATKN_EAR_TV_EXECUTABLES], executables);
	ck_assert_int_eq(claims->trust[RATKN_EAR_TV_HARDWARE], hardware);
}

START_TEST(test_affirming)
{
	verifier_result_t result;
	verifier_attester_t *a;
	ratkn_ear_claims_t *claims;
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_ear_t *ear;
	time_t now = time(NULL);

	enroll(TRUE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	claims = ear->get_claims(ear);
	ck_assert_int_eq(claims->status, RATKN_EAR_AFFIRMING);
	assert_trust(claims, 2, 2, 2, 2);
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(chunk_equals(claims->nonce, chunk_from_thing(binding)));
	ck_assert(chunk_equals(claims->identity_hash,
						   chunk_from_thing(attester->identity)));
	ck_assert(claims->iat >= now && claims->iat <= now + 5);
	ck_assert_int_eq(claims->exp, claims->iat + 300);
	ck_assert_str_eq(claims->policy_id, "ratkn/default");
	ck_assert_str_eq(claims->verifier_developer,
					 "https://ratkn.example/test");
	ck_assert(strpfx(claims->verifier_build, "ratkn-verifier"));
	ck_assert(!claims->reason);
	/* no challenge, no claim about freshness */
	ck_assert_int_eq(claims->fresh_since, 0);
	ck_assert_int_eq(result.fresh_since, 0);
	ck_assert_str_eq(result.ak, attester->fpr);
	ck_assert_str_eq(result.group, "default");
	ck_assert_str_eq(result.reason, "");
	ear->destroy(ear);

	ck_assert_int_eq(store->get_attester(store, attester->fpr, &a),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(a->last_status, "affirming");
	ck_assert(a->last_seen >= now);
	verifier_attester_destroy(a);
}
END_TEST

START_TEST(test_initiator)
{
	verifier_result_t result;
	uint8_t responder[RATKN_HASH_LEN], initiator[RATKN_HASH_LEN];
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_INITIATOR), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	vt_binding(attester, RATKN_IKE_INITIATOR, initiator);
	vt_binding(attester, RATKN_IKE_RESPONDER, responder);
	ck_assert(chunk_equals(ear->get_claims(ear)->nonce,
						   chunk_from_thing(initiator)));
	/* a relying party expecting responder evidence sees another nonce */
	ck_assert(!chunk_equals(ear->get_claims(ear)->nonce,
							chunk_from_thing(responder)));
	ear->destroy(ear);
}
END_TEST

START_TEST(test_manual_attester)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(FALSE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	/* no EK checked, no claim about the hardware */
	assert_trust(ear->get_claims(ear), 2, 2, 2, 0);
	ear->destroy(ear);
}
END_TEST

START_TEST(test_unknown_ak)
{
	verifier_result_t result;
	ratkn_ear_claims_t *claims;
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_ear_t *ear;

	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	claims = ear->get_claims(ear);
	ck_assert_int_eq(claims->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(claims, 97, 0, 0, 0);
	ck_assert_str_eq(claims->reason, "AK not enrolled");
	ck_assert(!claims->policy_id);
	/* still about this evidence */
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(chunk_equals(claims->nonce, chunk_from_thing(binding)));
	ck_assert_str_eq(result.ak, attester->fpr);
	ck_assert_str_eq(result.group, "");
	ear->destroy(ear);
}
END_TEST

START_TEST(test_pcr_mismatch)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	vt_extend(attester, 4, "evil loader");
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(ear->get_claims(ear), 2, 96, 96, 2);
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "PCR sha256:4 has unexpected value");
	ck_assert_str_eq(ear->get_claims(ear)->policy_id, "ratkn/default");
	ear->destroy(ear);
}
END_TEST

START_TEST(test_warning_pcr)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	set_warning("sha256:7");
	vt_extend(attester, 7, "secure boot: disabled");
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_WARNING);
	assert_trust(ear->get_claims(ear), 2, 32, 32, 2);
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "PCR sha256:7 has unexpected value (warning PCR)");
	ear->destroy(ear);

	/* a mismatch outside the warning PCRs wins */
	vt_extend(attester, 5, "other partition table");
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "PCR sha256:5 has unexpected value; PCR sha256:7 has "
					 "unexpected value (warning PCR)");
	ear->destroy(ear);
}
END_TEST

START_TEST(test_not_quoted)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, "sha256:0-3,5-7",
							   RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "PCR sha256:4 not quoted");
	ear->destroy(ear);

	/* more PCRs than referenced are fine */
	ear = appraise(vt_evidence(attester, "sha256:0-10",
							   RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
}
END_TEST

START_TEST(test_alternatives)
{
	verifier_result_t result;
	array_t *old, *new;
	verifier_ref_t *ref;
	ratkn_ear_t *ear;

	enroll(TRUE);
	old = vt_current_refs(attester, PCRS);
	vt_extend(attester, 4, "bootloader 1.1");
	new = vt_current_refs(attester, "sha256:4");
	ck_assert(array_remove(new, ARRAY_HEAD, &ref));
	array_insert(old, ARRAY_TAIL, ref);
	array_destroy_function(new, verifier_ref_destroy, NULL);
	ck_assert_int_eq(store->set_reference(store, "default", old),
					 VERIFIER_STORE_OK);
	array_destroy_function(old, verifier_ref_destroy, NULL);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
}
END_TEST

START_TEST(test_no_reference)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(TRUE);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_NONE);
	assert_trust(ear->get_claims(ear), 2, 0, 0, 2);
	ck_assert_str_eq(ear->get_claims(ear)->reason,
					 "group 'default' has no reference values");
	ear->destroy(ear);
}
END_TEST

/**
 * How to forge evidence
 */
typedef enum {
	FORGE_PCR_VALUE,
	FORGE_BINDING,
	FORGE_SIGNATURE,
	FORGE_IDENTITY_CLAIM,
} forge_t;

static struct {
	forge_t forge;
	char *reason;
} forgeries[] = {
	{ FORGE_PCR_VALUE, "PCR digest mismatch" },
	{ FORGE_BINDING, "binding mismatch" },
	{ FORGE_SIGNATURE, "bad quote signature" },
	{ FORGE_IDENTITY_CLAIM, "binding mismatch" },
};

START_TEST(test_forged)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values, *forged;
	ratkn_evidence_t *evidence;
	verifier_result_t result;
	enumerator_t *enumerator;
	uint8_t binding[RATKN_HASH_LEN], other[RATKN_HASH_LEN];
	chunk_t quote, sig, digest, identity;
	u_int alg, pcr;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	ck_assert(ratkn_pcr_selection_parse(PCRS, &sel));
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	if (forgeries[_i].forge == FORGE_BINDING)
	{	/* quoted for another identity than claimed */
		memset(other, 0x66, sizeof(other));
		ck_assert(ratkn_binding_compute(RATKN_IKE_RESPONDER,
						chunk_from_thing(attester->session),
						chunk_from_thing(other), binding));
	}
	ck_assert(attester->tpm->quote(attester->tpm, &sel,
								   chunk_from_thing(binding), &quote, &sig,
								   &values));
	forged = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		digest = chunk_clone(digest);
		if (forgeries[_i].forge == FORGE_PCR_VALUE && pcr == 4)
		{	/* claim the good value after a bad measurement */
			digest.ptr[0] ^= 0x01;
		}
		ck_assert(forged->add(forged, alg, pcr, digest));
		chunk_free(&digest);
	}
	enumerator->destroy(enumerator);
	values->destroy(values);
	if (forgeries[_i].forge == FORGE_SIGNATURE)
	{
		sig.ptr[sig.len - 1] ^= 0x01;
	}
	identity = chunk_from_thing(attester->identity);
	if (forgeries[_i].forge == FORGE_IDENTITY_CLAIM)
	{	/* a relay claiming its own identity for honest evidence */
		memset(other, 0x77, sizeof(other));
		identity = chunk_from_thing(other);
	}
	evidence = ratkn_evidence_create(RATKN_IKE_RESPONDER,
									 chunk_from_thing(attester->session),
									 identity, quote, sig, attester->ak_public,
									 forged);
	ck_assert(evidence);
	ear = appraise(chunk_clone(evidence->get_encoding(evidence)), &result);
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(ear->get_claims(ear), 99, 0, 0, 0);
	ck_assert_msg(strstr(ear->get_claims(ear)->reason, forgeries[_i].reason),
				  "reason '%s'", ear->get_claims(ear)->reason);
	ear->destroy(ear);
}
END_TEST

START_TEST(test_not_an_ak)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;
	verifier_result_t result;
	uint8_t binding[RATKN_HASH_LEN];
	chunk_t quote, sig, ek_cert, ek_public;
	ratkn_ear_t *ear;

	/* the EK's public area is no restricted signing key */
	enroll(TRUE);
	set_reference(PCRS);
	ck_assert(attester->tpm->get_ek(attester->tpm, &ek_cert, &ek_public));
	ck_assert(ratkn_pcr_selection_parse(PCRS, &sel));
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(attester->tpm->quote(attester->tpm, &sel,
								   chunk_from_thing(binding), &quote, &sig,
								   &values));
	evidence = ratkn_evidence_create(RATKN_IKE_RESPONDER,
									 chunk_from_thing(attester->session),
									 chunk_from_thing(attester->identity),
									 quote, sig, ek_public, values);
	ck_assert(evidence);
	ear = appraise(chunk_clone(evidence->get_encoding(evidence)), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(ear->get_claims(ear), 97, 0, 0, 0);
	ck_assert(strstr(ear->get_claims(ear)->reason, "not a restricted"));
	ck_assert_str_eq(result.ak, "");
	ear->destroy(ear);
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&ek_cert);
	chunk_free(&ek_public);
}
END_TEST

START_TEST(test_malformed)
{
	verifier_result_t result;
	chunk_t evidence;

	ck_assert(!appraiser->appraise(appraiser, chunk_from_str("garbage"),
								   &result));
	ck_assert(result.malformed);
	ck_assert(!result.ear);
	ck_assert(!appraiser->appraise(appraiser, chunk_empty, &result));
	ck_assert(result.malformed);

	/* truncated */
	evidence = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	evidence.len -= 10;
	ck_assert(!appraiser->appraise(appraiser, evidence, &result));
	ck_assert(result.malformed);
	chunk_free(&evidence);
}
END_TEST

START_TEST(test_ak_name)
{
	verifier_result_t result;
	verifier_attester_t *a;
	ratkn_ear_claims_t *claims;
	chunk_t altered, spki;
	ratkn_ear_t *ear;

	enroll_named(TRUE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	assert_trust(ear->get_claims(ear), 2, 2, 2, 2);
	ear->destroy(ear);

	/* the same key claiming other attributes (noDA flipped): the SPKI is
	 * the enrolled one and the quote's signature verifies, but the Name is
	 * not the one enrollment proved */
	altered = vt_ak_public_no_da(attester);
	ck_assert(ratkn_ak_spki_from_tpm(altered, &spki));
	ck_assert(chunk_equals(spki, attester->spki));
	chunk_free(&spki);
	ear = appraise(vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER,
								  altered), &result);
	claims = ear->get_claims(ear);
	ck_assert_int_eq(claims->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(claims, 97, 0, 0, 0);
	ck_assert_str_eq(claims->reason, "AK_PUBLIC does not match the enrolled "
					 "AK's TPM Name (attributes or policy differ)");
	ck_assert_str_eq(claims->policy_id, "ratkn/default");
	ck_assert_str_eq(result.ak, attester->fpr);
	/* not authentic evidence of the enrolled AK: nothing recorded */
	ck_assert(!result.authentic && !result.recorded);
	ear->destroy(ear);
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &a),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(a->last_status, "affirming");
	verifier_attester_destroy(a);

	/* registered by the operator with the Name: likewise, without the
	 * hardware claim */
	enroll_named(FALSE);
	ear = appraise(vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER,
								  altered), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_str_eq(ear->get_claims(ear)->reason, "AK_PUBLIC does not "
					 "match the TPM Name registered for this AK (attributes "
					 "or policy differ)");
	ear->destroy(ear);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	assert_trust(ear->get_claims(ear), 2, 2, 2, 0);
	ear->destroy(ear);

	/* registered with its public key only: the attributes the evidence
	 * claims are not checked, as before */
	enroll(FALSE);
	ear = appraise(vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER,
								  altered), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	assert_trust(ear->get_claims(ear), 2, 2, 2, 0);
	ear->destroy(ear);
	chunk_free(&altered);
}
END_TEST

START_TEST(test_ak_name_rsa)
{
	verifier_result_t result;
	chunk_t altered;
	ratkn_ear_t *ear;

	enroll_named(TRUE);
	set_reference(PCRS);
	altered = vt_ak_public_no_da(attester);
	ear = appraise(vt_evidence_ak(attester, PCRS, RATKN_IKE_RESPONDER,
								  altered), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert(strpfx(ear->get_claims(ear)->reason, "AK_PUBLIC does not "
					 "match the enrolled AK's TPM Name"));
	ear->destroy(ear);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
	chunk_free(&altered);
}
END_TEST

START_TEST(test_rsa)
{
	verifier_result_t result;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	ear = appraise(vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
}
END_TEST

START_TEST(test_challenge_fresh)
{
	verifier_result_t result;
	ratkn_ear_claims_t *claims;
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_ear_t *ear;
	chunk_t value;
	time_t now = time(NULL);

	enroll(TRUE);
	set_reference(PCRS);
	ck_assert(challenge->issue(challenge, now - 10, &value));
	ear = appraise(vt_evidence_challenged(attester, PCRS, RATKN_IKE_RESPONDER,
										  value, value), &result);
	claims = ear->get_claims(ear);
	ck_assert_int_eq(claims->status, RATKN_EAR_AFFIRMING);
	ck_assert_int_eq(claims->fresh_since, now - 10);
	ck_assert_int_eq(result.fresh_since, now - 10);
	ck_assert(claims->iat >= now);
	/* eat_nonce stays the plain binding, as the relying party computes it */
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(chunk_equals(claims->nonce, chunk_from_thing(binding)));
	ear->destroy(ear);

	/* also for a contraindicated platform: its quote is fresh */
	vt_extend(attester, 4, "evil loader");
	ear = appraise(vt_evidence_challenged(attester, PCRS, RATKN_IKE_RESPONDER,
										  value, value), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_int_eq(ear->get_claims(ear)->fresh_since, now - 10);
	ear->destroy(ear);
	chunk_free(&value);
}
END_TEST

/**
 * Challenges evidence must not carry
 */
typedef enum {
	BAD_EXPIRED,
	BAD_FUTURE,
	BAD_OTHER_VERIFIER,
	BAD_MAC,
	BAD_LENGTH,
} bad_challenge_t;

static struct {
	bad_challenge_t bad;
	char *reason;
} bad_challenges[] = {
	{ BAD_EXPIRED, "challenge expired (issued 75s ago, lifetime 60s)" },
	{ BAD_FUTURE, "challenge issued in the future (30s ahead)" },
	{ BAD_OTHER_VERIFIER, "challenge not issued by this verifier" },
	{ BAD_MAC, "challenge not issued by this verifier" },
	{ BAD_LENGTH, "challenge not issued by this verifier (16 octets" },
};

START_TEST(test_challenge_refused)
{
	verifier_challenge_t *other;
	verifier_result_t result;
	verifier_attester_t *a;
	chunk_t value, evidence;
	time_t now = time(NULL);

	enroll(TRUE);
	set_reference(PCRS);
	switch (bad_challenges[_i].bad)
	{
		case BAD_EXPIRED:
			ck_assert(challenge->issue(challenge, now - 75, &value));
			break;
		case BAD_FUTURE:
			ck_assert(challenge->issue(challenge, now + 30, &value));
			break;
		case BAD_OTHER_VERIFIER:
			other = verifier_challenge_create(60);
			ck_assert(other->issue(other, now, &value));
			other->destroy(other);
			break;
		case BAD_MAC:
			ck_assert(challenge->issue(challenge, now, &value));
			value.ptr[value.len - 1] ^= 0x80;
			break;
		case BAD_LENGTH:
			value = chunk_clone(chunk_from_str("0123456789abcdef"));
			break;
	}
	/* a genuine quote made for that challenge: refused without an EAR */
	evidence = vt_evidence_challenged(attester, PCRS, RATKN_IKE_RESPONDER,
									  value, value);
	ck_assert(!appraiser->appraise(appraiser, evidence, &result));
	ck_assert(result.refused && !result.malformed);
	ck_assert(!result.ear);
	ck_assert_msg(strstr(result.reason, bad_challenges[_i].reason),
				  "reason '%s'", result.reason);
	/* nothing recorded */
	ck_assert_int_eq(store->get_attester(store, attester->fpr, &a),
					 VERIFIER_STORE_OK);
	ck_assert(!a->has_clock);
	ck_assert_int_eq(a->last_seen, 0);
	verifier_attester_destroy(a);
	chunk_free(&evidence);
	chunk_free(&value);
}
END_TEST

START_TEST(test_challenge_not_quoted)
{
	verifier_result_t result;
	ratkn_ear_t *ear;
	chunk_t value, other;

	enroll(TRUE);
	set_reference(PCRS);
	ck_assert(challenge->issue(challenge, time(NULL), &value));
	ck_assert(challenge->issue(challenge, time(NULL), &other));

	/* a valid challenge claimed for a quote made for another one (or
	 * attached to an old quote made for none): no freshness */
	ear = appraise(vt_evidence_challenged(attester, PCRS, RATKN_IKE_RESPONDER,
										  other, value), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_msg(strstr(ear->get_claims(ear)->reason, "binding mismatch"),
				  "reason '%s'", ear->get_claims(ear)->reason);
	ck_assert_int_eq(ear->get_claims(ear)->fresh_since, 0);
	ck_assert_int_eq(result.fresh_since, 0);
	ear->destroy(ear);

	/* a valid challenge, but an AK nobody enrolled */
	ck_assert_int_eq(store->remove_attester(store, attester->fpr),
					 VERIFIER_STORE_OK);
	ear = appraise(vt_evidence_challenged(attester, PCRS, RATKN_IKE_RESPONDER,
										  value, value), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert_int_eq(ear->get_claims(ear)->fresh_since, 0);
	ear->destroy(ear);
	chunk_free(&value);
	chunk_free(&other);
}
END_TEST

/**
 * Clock info of evidence
 */
static ratkn_clock_info_t clock_of(chunk_t data)
{
	ratkn_evidence_t *evidence;
	ratkn_clock_info_t info;

	evidence = ratkn_evidence_parse(data);
	ck_assert(evidence);
	ck_assert(evidence->get_clock_info(evidence, &info));
	evidence->destroy(evidence);
	return info;
}

/**
 * Check the recorded status and clock of the attester
 */
static void assert_recorded(char *status, ratkn_clock_info_t *clock)
{
	verifier_attester_t *a;

	ck_assert_int_eq(store->get_attester(store, attester->fpr, &a),
					 VERIFIER_STORE_OK);
	ck_assert_str_eq(a->last_status, status);
	ck_assert(a->has_clock);
	ck_assert(a->clock.clock == clock->clock);
	ck_assert_int_eq(a->clock.reset_count, clock->reset_count);
	ck_assert_int_eq(a->clock.restart_count, clock->restart_count);
	verifier_attester_destroy(a);
}

/**
 * Replace the attester by one on a TPM of its own, which the test may
 * restart (the fixture's TPM must outlive the test's process)
 */
static swtpm_t *private_tpm()
{
	swtpm_t *swtpm = NULL;
	int i;

	/* the free ports swtpm_create() found may be taken by a concurrent
	 * test run before swtpm binds them: try again */
	for (i = 0; i < 3 && !swtpm; i++)
	{
		swtpm = swtpm_create();
	}
	ck_assert(swtpm);
	vt_attester_destroy(attester);
	attester = vt_attester_create_on(swtpm->get_tcti(swtpm), FALSE);
	return swtpm;
}

/**
 * Stop the attester and its private TPM
 */
static void private_tpm_destroy(swtpm_t *swtpm)
{
	vt_attester_destroy(attester);
	attester = NULL;
	swtpm->destroy(swtpm);
}

/**
 * Restart the TPM without TPM2_Shutdown (a reset, the clock is not safe
 * afterwards), set the reference values anew
 */
static void tpm_reset(swtpm_t *swtpm)
{
	swtpm->stop(swtpm);
	ck_assert(swtpm->start(swtpm, TRUE));
	set_reference(PCRS);
}

START_TEST(test_clock_order)
{
	verifier_result_t result;
	ratkn_clock_info_t ca, cb;
	chunk_t a, b;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	a = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	usleep(20000);
	b = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	ca = clock_of(a);
	cb = clock_of(b);
	ck_assert_int_eq(ratkn_clock_info_boot_cmp(&ca, &cb), 0);
	ck_assert(cb.clock > ca.clock);

	/* in order: both recorded */
	ear = appraise(chunk_clone(a), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ck_assert(result.authentic && result.recorded);
	ck_assert_str_eq(result.clock, "first evidence of this AK");
	ear->destroy(ear);
	assert_recorded("affirming", &ca);
	ear = appraise(chunk_clone(b), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ck_assert(result.recorded);
	ck_assert_str_eq(result.clock, "newer");
	ear->destroy(ear);
	assert_recorded("affirming", &cb);

	/* the same again, or the earlier one of a concurrent IKE_SA arriving
	 * late: appraised, but not recorded */
	ear = appraise(chunk_clone(b), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ck_assert(!result.recorded);
	ear->destroy(ear);
	ear = appraise(chunk_clone(a), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ck_assert(!result.recorded);
	ck_assert_msg(strstr(result.clock, "within the tolerance"), "%s",
				  result.clock);
	ear->destroy(ear);
	assert_recorded("affirming", &cb);
	chunk_free(&a);
	chunk_free(&b);
}
END_TEST

START_TEST(test_clock_replayed)
{
	verifier_result_t result;
	ratkn_clock_info_t cgood, cbad;
	chunk_t good, bad;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	good = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	cgood = clock_of(good);
	ck_assert_msg(cgood.safe, "the TPM's clock is not safe");
	usleep(1200000);
	vt_extend(attester, 4, "evil loader");
	bad = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	cbad = clock_of(bad);

	ear = appraise(chunk_clone(bad), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ear->destroy(ear);
	assert_recorded("contraindicated", &cbad);

	/* the old good quote posted again: refused as replayed, and it does
	 * not make the attester look good */
	ear = appraise(chunk_clone(good), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(ear->get_claims(ear), 96, 0, 0, 2);
	ck_assert_msg(strstr(ear->get_claims(ear)->reason, "behind the newest "
				  "evidence of this AK in the same boot (replayed evidence)"),
				  "reason '%s'", ear->get_claims(ear)->reason);
	ck_assert(result.authentic && !result.recorded);
	ear->destroy(ear);
	assert_recorded("contraindicated", &cbad);
	chunk_free(&good);
	chunk_free(&bad);
}
END_TEST

START_TEST(test_clock_backwards)
{
	verifier_result_t result;
	ratkn_clock_info_t cold, cnew;
	chunk_t old, new;
	ratkn_ear_t *ear;
	swtpm_t *swtpm;

	swtpm = private_tpm();
	enroll(TRUE);
	set_reference(PCRS);
	old = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	cold = clock_of(old);
	tpm_reset(swtpm);
	new = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	cnew = clock_of(new);
	ck_assert(ratkn_clock_info_boot_cmp(&cnew, &cold) > 0);

	ear = appraise(chunk_clone(new), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
	ear = appraise(chunk_clone(old), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	assert_trust(ear->get_claims(ear), 96, 0, 0, 2);
	ck_assert_msg(strpfx(ear->get_claims(ear)->reason, "TPM reset/restart "
				  "counter went backwards for this AK (replayed evidence or "
				  "a cleared TPM)"), "reason '%s'",
				  ear->get_claims(ear)->reason);
	ck_assert(!result.recorded);
	ear->destroy(ear);
	assert_recorded("affirming", &cnew);
	chunk_free(&old);
	chunk_free(&new);
	private_tpm_destroy(swtpm);
}
END_TEST

START_TEST(test_clock_not_safe)
{
	verifier_result_t result;
	ratkn_clock_info_t ca, cb;
	chunk_t a, b;
	ratkn_ear_t *ear;
	swtpm_t *swtpm;

	/* after an unorderly shutdown the TPM's clock is not safe */
	swtpm = private_tpm();
	enroll(TRUE);
	tpm_reset(swtpm);
	a = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	usleep(1200000);
	b = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	ca = clock_of(a);
	cb = clock_of(b);
	ck_assert(!ca.safe && !cb.safe);

	ear = appraise(chunk_clone(b), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ear->destroy(ear);
	/* behind beyond the tolerance, but the counters are all we have */
	ear = appraise(chunk_clone(a), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_AFFIRMING);
	ck_assert(!result.recorded);
	ck_assert_msg(strstr(result.clock, "not safe"), "%s", result.clock);
	ck_assert_msg(strstr(result.clock, "compared boot counters only"), "%s",
				  result.clock);
	ear->destroy(ear);
	assert_recorded("affirming", &cb);
	chunk_free(&a);
	chunk_free(&b);
	private_tpm_destroy(swtpm);
}
END_TEST

START_TEST(test_not_authentic_not_recorded)
{
	ratkn_evidence_t *parsed, *forged;
	verifier_result_t result;
	ratkn_clock_info_t cgood;
	ratkn_pcr_values_t *values;
	ratkn_pcr_selection_t sel;
	uint8_t binding[RATKN_HASH_LEN];
	chunk_t good, quote, sig;
	ratkn_ear_t *ear;

	enroll(TRUE);
	set_reference(PCRS);
	good = vt_evidence(attester, PCRS, RATKN_IKE_RESPONDER);
	cgood = clock_of(good);
	ear = appraise(good, &result);
	ear->destroy(ear);
	assert_recorded("affirming", &cgood);

	/* a later quote with a broken signature: contraindicated, but it does
	 * not change what is recorded for the AK */
	usleep(20000);
	ck_assert(ratkn_pcr_selection_parse(PCRS, &sel));
	vt_binding(attester, RATKN_IKE_RESPONDER, binding);
	ck_assert(attester->tpm->quote(attester->tpm, &sel,
								   chunk_from_thing(binding), &quote, &sig,
								   &values));
	sig.ptr[sig.len - 1] ^= 0x01;
	forged = ratkn_evidence_create(RATKN_IKE_RESPONDER,
								   chunk_from_thing(attester->session),
								   chunk_from_thing(attester->identity), quote,
								   sig, attester->ak_public, values);
	ck_assert(forged);
	parsed = ratkn_evidence_parse(forged->get_encoding(forged));
	ck_assert(parsed);
	parsed->destroy(parsed);
	ear = appraise(chunk_clone(forged->get_encoding(forged)), &result);
	ck_assert_int_eq(ear->get_claims(ear)->status, RATKN_EAR_CONTRAINDICATED);
	ck_assert(!result.authentic && !result.recorded);
	ck_assert_str_eq(result.clock, "");
	ear->destroy(ear);
	assert_recorded("affirming", &cgood);
	forged->destroy(forged);
	chunk_free(&quote);
	chunk_free(&sig);
}
END_TEST

Suite *appraiser_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("appraiser");

	tc = tcase_create("appraise");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_affirming);
	tcase_add_test(tc, test_initiator);
	tcase_add_test(tc, test_manual_attester);
	tcase_add_test(tc, test_ak_name);
	tcase_add_test(tc, test_unknown_ak);
	tcase_add_test(tc, test_pcr_mismatch);
	tcase_add_test(tc, test_warning_pcr);
	tcase_add_test(tc, test_not_quoted);
	tcase_add_test(tc, test_alternatives);
	tcase_add_test(tc, test_no_reference);
	tcase_add_loop_test(tc, test_forged, 0, countof(forgeries));
	tcase_add_test(tc, test_not_an_ak);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_challenge_fresh);
	tcase_add_loop_test(tc, test_challenge_refused, 0,
						countof(bad_challenges));
	tcase_add_test(tc, test_challenge_not_quoted);
	suite_add_tcase(s, tc);

	tc = tcase_create("clock");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_clock, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clock_order);
	tcase_add_test(tc, test_clock_replayed);
	tcase_add_test(tc, test_clock_backwards);
	tcase_add_test(tc, test_clock_not_safe);
	tcase_add_test(tc, test_not_authentic_not_recorded);
	suite_add_tcase(s, tc);

	tc = tcase_create("rsa");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_rsa, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rsa);
	tcase_add_test(tc, test_ak_name_rsa);
	suite_add_tcase(s, tc);

	return s;
}
