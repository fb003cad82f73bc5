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

#include "ratkn_tests.h"
#include "swtpm_fixture.h"

#include <ratkn_appraisal.h>
#include <ratkn_ak.h>
#include <ratkn_binding.h>
#include <ratkn_tpm.h>

#include <pthread.h>

#include <tss2/tss2_mu.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

/**
 * Handle of the RSA AK in the TPM of the test case
 */
#define RSA_AK_HANDLE 0x81010003

/**
 * Everything a test needs: the attester's TPM and AK, the relying party's
 * view of the session and identity, reference values
 */
static struct {
	/** attester's TPM */
	ratkn_tpm_t *tpm;
	/** TPMT_PUBLIC of its AK */
	chunk_t ak_public;
	/** SPKI of its AK */
	chunk_t spki;
	/** session hash both sides computed */
	uint8_t session[RATKN_HASH_LEN];
	/** identity hash both sides computed */
	uint8_t identity[RATKN_HASH_LEN];
	/** PCRs quoted */
	ratkn_pcr_selection_t sel;
} t;

/**
 * Set up the attester, with an ECC AK or the RSA AK
 */
static void setup_attester(bool rsa)
{
	memset(&t, 0, sizeof(t));
	t.tpm = ratkn_tpm_create(swtpm_fixture_tcti(),
							 rsa ? RSA_AK_HANDLE : 0);
	ck_assert(t.tpm->create_ak(t.tpm, rsa ? RATKN_AK_RSA : RATKN_AK_ECC,
							   FALSE, &t.ak_public));
	ck_assert(ratkn_ak_spki_from_tpm(t.ak_public, &t.spki));
	ck_assert(ratkn_binding_session_hash(chunk_from_str("IKE_SA_INIT i"),
							chunk_from_str("IKE_SA_INIT r"), t.session));
	ck_assert(ratkn_binding_identity_hash(chunk_from_str("certificate"),
										  t.identity));
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &t.sel));
}

static void setup_ecc()
{
	setup_attester(FALSE);
}

static void teardown_attester()
{
	t.tpm->destroy(t.tpm);
	chunk_free(&t.ak_public);
	chunk_free(&t.spki);
}

/**
 * Copy PCR values
 */
static ratkn_pcr_values_t *clone_values(ratkn_pcr_values_t *values)
{
	ratkn_pcr_values_t *clone;
	enumerator_t *enumerator;
	u_int alg, pcr;
	chunk_t digest;

	clone = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(clone->add(clone, alg, pcr, digest));
	}
	enumerator->destroy(enumerator);
	return clone;
}

/**
 * Build evidence from parts and send it "over the wire" (encode, parse)
 */
static ratkn_evidence_t *wire(ratkn_ike_role_t role, chunk_t session,
							  chunk_t identity, chunk_t quote, chunk_t sig,
							  chunk_t ak_public, ratkn_pcr_values_t *values)
{
	ratkn_evidence_t *evidence, *parsed;

	evidence = ratkn_evidence_create(role, session, identity, quote, sig,
									 ak_public, values);
	ck_assert(evidence);
	parsed = ratkn_evidence_parse(evidence->get_encoding(evidence));
	ck_assert(parsed);
	evidence->destroy(evidence);
	return parsed;
}

/**
 * Attester side: quote with the binding of (bound_role, bound_session,
 * bound_identity), claim (role, session, identity) in the evidence. Returns
 * the raw parts if quote/sig/values are given.
 */
static ratkn_evidence_t *attest_as(ratkn_ike_role_t bound_role,
								   chunk_t bound_session,
								   chunk_t bound_identity,
								   ratkn_ike_role_t role, chunk_t session,
								   chunk_t identity, chunk_t *quote_out,
								   chunk_t *sig_out,
								   ratkn_pcr_values_t **values_out)
{
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;
	chunk_t quote, sig;

	ck_assert(ratkn_binding_compute(bound_role, bound_session, bound_identity,
									binding));
	ck_assert(t.tpm->quote(t.tpm, &t.sel, chunk_from_thing(binding), &quote,
						   &sig, &values));
	evidence = wire(role, session, identity, quote, sig, t.ak_public,
					values_out ? clone_values(values) : values);
	if (quote_out)
	{
		*quote_out = quote;
		*sig_out = sig;
		*values_out = values;
	}
	else
	{
		chunk_free(&quote);
		chunk_free(&sig);
	}
	return evidence;
}

/**
 * Honest attester as IKE responder
 */
static ratkn_evidence_t *attest()
{
	return attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
					 chunk_from_thing(t.session),
					 chunk_from_thing(t.identity), NULL, NULL, NULL);
}

/**
 * Reference values: the current values of a selection
 */
static ratkn_reference_t *current_reference(char *selection)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_reference_t *ref;
	enumerator_t *enumerator;
	u_int alg, pcr;
	chunk_t digest;

	ck_assert(ratkn_pcr_selection_parse(selection, &sel));
	ck_assert(t.tpm->read_pcrs(t.tpm, &sel, &values));
	ref = ratkn_reference_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(ref->add(ref, alg, pcr, digest));
	}
	enumerator->destroy(enumerator);
	values->destroy(values);
	return ref;
}

/**
 * Relying party policy: the attester's AK, reference values of a selection
 * (NULL for none)
 */
static ratkn_appraisal_t *policy(char *reference)
{
	ratkn_appraisal_t *appraisal;

	appraisal = ratkn_appraisal_create();
	appraisal->add_ak(appraisal, t.spki);
	if (reference)
	{
		appraisal->set_reference(appraisal, current_reference(reference));
	}
	return appraisal;
}

/**
 * Reason of the last appraisal
 */
static char last_reason[256];

/**
 * Appraise as relying party of an attesting responder, check the outcome
 */
static void assert_appraisal(ratkn_appraisal_t *appraisal,
							 ratkn_evidence_t *evidence,
							 ratkn_appraisal_status_t expected,
							 char *reason)
{
	ratkn_appraisal_status_t status;
	char *buf = last_reason;

	status = appraisal->appraise(appraisal, evidence, RATKN_IKE_RESPONDER,
								 chunk_from_thing(t.session),
								 chunk_from_thing(t.identity), buf,
								 sizeof(last_reason));
	ck_assert_msg(status == expected, "expected %N, got %N: %s",
				  ratkn_appraisal_status_names, expected,
				  ratkn_appraisal_status_names, status, buf);
	if (expected == RATKN_APPRAISAL_OK)
	{
		ck_assert_str_eq(buf, "");
	}
	else
	{
		ck_assert(strlen(buf) > 0 && !strchr(buf, '\n'));
	}
	if (reason)
	{
		ck_assert_msg(strstr(buf, reason), "'%s' not in '%s'", reason, buf);
	}
}

START_TEST(test_good)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;

	if (_i)
	{	/* RSA AK */
		teardown_attester();
		setup_attester(TRUE);
	}
	appraisal = policy("sha256:0-7");
	evidence = attest();
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);

	/* without reference values only authenticity and binding count */
	appraisal = policy(NULL);
	evidence = attest();
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_wrong_binding)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	uint8_t nonce[RATKN_HASH_LEN], binding[RATKN_HASH_LEN];
	ratkn_pcr_values_t *values;
	chunk_t quote, sig;

	appraisal = policy("sha256:0-7");

	/* quoted with another nonce (e.g. an old binding) but claiming ours */
	memset(nonce, 0x99, sizeof(nonce));
	ck_assert(t.tpm->quote(t.tpm, &t.sel, chunk_from_thing(nonce), &quote,
						   &sig, &values));
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					values);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "binding mismatch");
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);

	/* the binding of the right values, truncated (other qualifying data) */
	ck_assert(ratkn_binding_compute(RATKN_IKE_RESPONDER,
				chunk_from_thing(t.session), chunk_from_thing(t.identity),
				binding));
	ck_assert(t.tpm->quote(t.tpm, &t.sel, chunk_create(binding, 31), &quote,
						   &sig, &values));
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					values);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "binding mismatch");
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);

	/* quoted for the other role while claiming the right one */
	evidence = attest_as(RATKN_IKE_INITIATOR, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "binding mismatch");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

/**
 * Evidence of an honest attester (responder) for a verifier's challenge
 * (docs/protocol.md, section 13.5), claiming the given challenge
 */
static ratkn_evidence_t *attest_challenged(chunk_t challenge, chunk_t claimed)
{
	uint8_t binding[RATKN_HASH_LEN], qualifying[RATKN_HASH_LEN];
	ratkn_evidence_t *evidence, *parsed;
	ratkn_pcr_values_t *values;
	chunk_t quote, sig;

	ck_assert(ratkn_binding_compute(RATKN_IKE_RESPONDER,
				chunk_from_thing(t.session), chunk_from_thing(t.identity),
				binding));
	ck_assert(ratkn_binding_challenged(binding, challenge, qualifying));
	ck_assert(t.tpm->quote(t.tpm, &t.sel, chunk_from_thing(qualifying),
						   &quote, &sig, &values));
	evidence = ratkn_evidence_create_certified(RATKN_IKE_RESPONDER,
					chunk_from_thing(t.session), chunk_from_thing(t.identity),
					quote, sig, t.ak_public, values, chunk_empty, chunk_empty,
					chunk_empty, claimed);
	ck_assert(evidence);
	parsed = ratkn_evidence_parse(evidence->get_encoding(evidence));
	ck_assert(parsed);
	ck_assert(claimed.len ? chunk_equals(parsed->get_challenge(parsed),
										 claimed)
						  : !parsed->get_challenge(parsed).len);
	evidence->destroy(evidence);
	chunk_free(&quote);
	chunk_free(&sig);
	return parsed;
}

START_TEST(test_challenged)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	chunk_t challenge, other;

	challenge = chunk_from_chars(0x00,0x00,0x00,0x00,0x6b,0x49,0xd2,0x00,
								 0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,
								 0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10);
	other = chunk_clone(challenge);
	other.ptr[8] ^= 0x01;
	appraisal = policy("sha256:0-7");

	/* the quote covers binding and challenge */
	evidence = attest_challenged(challenge, challenge);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);

	/* claiming another challenge than the quote's */
	evidence = attest_challenged(challenge, other);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "with the claimed challenge");
	evidence->destroy(evidence);

	/* hiding the challenge */
	evidence = attest_challenged(challenge, chunk_empty);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "binding mismatch");
	evidence->destroy(evidence);

	/* a plain quote presented as challenged */
	evidence = attest();
	ck_assert(!evidence->get_challenge(evidence).len);
	evidence->destroy(evidence);

	chunk_free(&other);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_ak_name)
{
	ratkn_appraisal_t *by_spki, *by_name;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	chunk_t quote, sig, name, forged;

	ck_assert(ratkn_ak_name(t.ak_public, &name));
	ck_assert_int_eq(name.len, 34);
	ck_assert(name.ptr[0] == 0x00 && name.ptr[1] == 0x0b);
	by_spki = policy("sha256:0-7");
	by_name = ratkn_appraisal_create();
	by_name->add_ak_name(by_name, name);
	by_name->set_reference(by_name, current_reference("sha256:0-7"));

	evidence = attest();
	assert_appraisal(by_name, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);

	/* the same key with other attributes (noDA flipped): the SPKI still
	 * matches and the signature verifies, the Name does not */
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), &quote, &sig, &values);
	evidence->destroy(evidence);
	forged = chunk_clone(t.ak_public);
	forged.ptr[6] ^= 0x04;
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, forged, values);
	assert_appraisal(by_spki, evidence, RATKN_APPRAISAL_OK, NULL);
	assert_appraisal(by_name, evidence, RATKN_APPRAISAL_UNTRUSTED_AK,
					 "untrusted AK");
	ck_assert_msg(strstr(last_reason, "Name 000b"), "%s", last_reason);
	evidence->destroy(evidence);

	chunk_free(&forged);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&name);
	by_spki->destroy(by_spki);
	by_name->destroy(by_name);
}
END_TEST

START_TEST(test_session_mismatch)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	uint8_t other[RATKN_HASH_LEN];

	/* made honestly for another IKE session (replay, relay) */
	ck_assert(ratkn_binding_session_hash(chunk_from_str("IKE_SA_INIT i"),
							chunk_from_str("IKE_SA_INIT r'"), other));
	appraisal = policy("sha256:0-7");
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(other),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(other),
						 chunk_from_thing(t.identity), NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_SESSION_MISMATCH,
					 "evidence bound to another IKE session");
	ck_assert(!strstr(last_reason, "identity"));
	evidence->destroy(evidence);

	/* both differ: the session is reported */
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(other),
						 chunk_from_thing(other), RATKN_IKE_RESPONDER,
						 chunk_from_thing(other), chunk_from_thing(other),
						 NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_SESSION_MISMATCH,
					 "another IKE session and another identity");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_identity_mismatch)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	uint8_t other[RATKN_HASH_LEN];

	/* made for another certificate (diversion) */
	ck_assert(ratkn_binding_identity_hash(chunk_from_str("other cert"),
										  other));
	appraisal = policy("sha256:0-7");
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(other), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session), chunk_from_thing(other),
						 NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_IDENTITY_MISMATCH,
					 "evidence bound to another identity");
	evidence->destroy(evidence);

	/* claims that are not what was quoted are a binding mismatch */
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(other), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BINDING_MISMATCH,
					 "binding mismatch");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_wrong_role)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;

	/* evidence the peer made as initiator, reflected to us */
	appraisal = policy("sha256:0-7");
	evidence = attest_as(RATKN_IKE_INITIATOR, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_INITIATOR,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), NULL, NULL, NULL);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_WRONG_ROLE,
					 "evidence from wrong role (reflection)");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_pcr_mismatch)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	ratkn_reference_t *ref;
	uint8_t measurement[32];
	char expected[128];
	chunk_t value;

	/* reference values taken before a measurement */
	appraisal = policy("sha256:0-7");
	ref = current_reference("sha256:0-7");
	memset(measurement, 0x77, sizeof(measurement));
	ck_assert(t.tpm->extend(t.tpm, TPM2_ALG_SHA256, 7,
							chunk_from_thing(measurement)));
	evidence = attest();
	values = evidence->get_pcr_values(evidence);
	ck_assert(values->get(values, TPM2_ALG_SHA256, 7, &value));
	snprintf(expected, sizeof(expected),
			 "PCR sha256:7 has unexpected value %+B", &value);
	ck_assert_int_eq(strlen(expected), 34 + 64);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_MISMATCH,
					 expected);
	appraisal->destroy(appraisal);

	/* accepted once the new value is an alternative */
	ck_assert(ref->add(ref, TPM2_ALG_SHA256, 7, value));
	appraisal = ratkn_appraisal_create();
	appraisal->add_ak(appraisal, t.spki);
	appraisal->set_reference(appraisal, ref);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_pcr_not_quoted)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;

	/* reference values for PCR 9, but the attester quotes 0-7 */
	appraisal = policy("sha256:0-7,9");
	evidence = attest();
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_NOT_QUOTED,
					 "PCR sha256:9 not quoted");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);

	/* another bank */
	appraisal = policy("sha256:0-7+sha1:0");
	evidence = attest();
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_NOT_QUOTED,
					 "PCR sha1:0 not quoted");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_untrusted_ak)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_tpm_t *tpm;
	swtpm_t *other;
	chunk_t ak, spki, fp;
	uint8_t fingerprint[32];
	char expected[128];

	/* no AK trusted */
	appraisal = ratkn_appraisal_create();
	evidence = attest();
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_UNTRUSTED_AK,
					 "untrusted AK");
	appraisal->destroy(appraisal);

	/* the AK of another TPM trusted */
	other = swtpm_create();
	ck_assert(other);
	tpm = ratkn_tpm_create(other->get_tcti(other), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	tpm->destroy(tpm);
	other->destroy(other);
	ck_assert(ratkn_ak_spki_from_tpm(ak, &spki));
	ck_assert(!chunk_equals(spki, t.spki));
	appraisal = ratkn_appraisal_create();
	appraisal->add_ak(appraisal, spki);
	ck_assert(ratkn_binding_identity_hash(t.spki, fingerprint));
	fp = chunk_from_thing(fingerprint);
	snprintf(expected, sizeof(expected), "untrusted AK %+B (SHA-256 of SPKI)",
			 &fp);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_UNTRUSTED_AK,
					 expected);

	/* and trusting ours as well helps */
	appraisal->add_ak(appraisal, t.spki);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	appraisal->destroy(appraisal);
	evidence->destroy(evidence);
	chunk_free(&ak);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_ak_swapped)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	ratkn_tpm_t *tpm;
	chunk_t quote, sig, rsa_ak, rsa_spki;

	/* a quote of our AK presented with another trusted AK */
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), RSA_AK_HANDLE);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_RSA, FALSE, &rsa_ak));
	tpm->destroy(tpm);
	ck_assert(ratkn_ak_spki_from_tpm(rsa_ak, &rsa_spki));
	appraisal = policy("sha256:0-7");
	appraisal->add_ak(appraisal, rsa_spki);
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), &quote, &sig, &values);
	evidence->destroy(evidence);
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, rsa_ak, values);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BAD_SIGNATURE,
					 "bad quote signature");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);

	/* an AK_PUBLIC that is no restricted signing key */
	appraisal = policy(NULL);
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig,
					chunk_from_str("not a TPMT_PUBLIC"),
					ratkn_pcr_values_create());
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_UNTRUSTED_AK,
					 "untrusted AK");
	evidence->destroy(evidence);
	appraisal->destroy(appraisal);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&rsa_ak);
	chunk_free(&rsa_spki);
}
END_TEST

START_TEST(test_tampered_signature)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	chunk_t quote, sig, copy;
	size_t i;

	appraisal = policy("sha256:0-7");
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), &quote, &sig, &values);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);

	/* any octet of the signature flipped */
	for (i = 0; i < sig.len; i++)
	{
		copy = chunk_clone(sig);
		copy.ptr[i] ^= 0x80;
		evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						chunk_from_thing(t.identity), quote, copy,
						t.ak_public, clone_values(values));
		assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BAD_SIGNATURE,
						 "bad quote signature");
		evidence->destroy(evidence);
		chunk_free(&copy);
	}
	/* any octet of the quote flipped */
	for (i = 0; i < quote.len; i++)
	{
		copy = chunk_clone(quote);
		copy.ptr[i] ^= 0x01;
		evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						chunk_from_thing(t.identity), copy, sig,
						t.ak_public, clone_values(values));
		assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BAD_SIGNATURE,
						 "bad quote signature");
		evidence->destroy(evidence);
		chunk_free(&copy);
	}
	/* the quote truncated or extended */
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity),
					chunk_create(quote.ptr, quote.len - 1), sig, t.ak_public,
					clone_values(values));
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BAD_SIGNATURE, NULL);
	evidence->destroy(evidence);
	copy = chunk_cat("cc", quote, chunk_from_chars(0x00));
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), copy, sig, t.ak_public,
					clone_values(values));
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_BAD_SIGNATURE, NULL);
	evidence->destroy(evidence);
	chunk_free(&copy);

	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	appraisal->destroy(appraisal);
}
END_TEST

START_TEST(test_tampered_pcr_values)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values, *tampered;
	enumerator_t *enumerator;
	u_int alg, pcr, i;
	chunk_t quote, sig, digest, copy, d0, d6;
	uint8_t zero[32] = {}, measurement[32];

	/* PCR 6 differs from PCR 0 */
	memset(measurement, 0x66, sizeof(measurement));
	ck_assert(t.tpm->extend(t.tpm, TPM2_ALG_SHA256, 6,
							chunk_from_thing(measurement)));
	appraisal = policy(NULL);
	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), &quote, &sig, &values);
	evidence->destroy(evidence);

	for (i = 0; i < 8; i++)
	{	/* one value changed (and no reference values that would catch it) */
		tampered = ratkn_pcr_values_create();
		enumerator = values->create_enumerator(values);
		while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
		{
			copy = chunk_clone(digest);
			if (pcr == i)
			{
				copy.ptr[31] ^= 0x01;
			}
			ck_assert(tampered->add(tampered, alg, pcr, copy));
			chunk_free(&copy);
		}
		enumerator->destroy(enumerator);
		evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						chunk_from_thing(t.identity), quote, sig, t.ak_public,
						tampered);
		assert_appraisal(appraisal, evidence,
						 RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
						 "PCR values do not hash to the quote's PCR digest");
		evidence->destroy(evidence);
	}

	/* values of two PCRs swapped */
	ck_assert(values->get(values, TPM2_ALG_SHA256, 0, &d0));
	ck_assert(values->get(values, TPM2_ALG_SHA256, 6, &d6));
	ck_assert(!chunk_equals(d0, d6));
	tampered = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(tampered->add(tampered, alg, pcr,
								pcr == 0 ? d6 : pcr == 6 ? d0 : digest));
	}
	enumerator->destroy(enumerator);
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					tampered);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
					 NULL);
	evidence->destroy(evidence);

	/* a value missing */
	tampered = ratkn_pcr_values_create();
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		if (pcr != 7)
		{
			ck_assert(tampered->add(tampered, alg, pcr, digest));
		}
	}
	enumerator->destroy(enumerator);
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					tampered);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
					 "quoted PCRs 'sha256:0-7' but values for 'sha256:0-6'");
	evidence->destroy(evidence);

	/* an additional value */
	tampered = clone_values(values);
	ck_assert(tampered->add(tampered, TPM2_ALG_SHA256, 8,
							chunk_from_thing(zero)));
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					tampered);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
					 "PCR digest mismatch");
	evidence->destroy(evidence);

	/* the same values in another order are still the quoted ones */
	tampered = ratkn_pcr_values_create();
	for (i = 8; i-- > 0; )
	{
		ck_assert(values->get(values, TPM2_ALG_SHA256, i, &digest));
		ck_assert(tampered->add(tampered, TPM2_ALG_SHA256, i, digest));
	}
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, sig, t.ak_public,
					tampered);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);

	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	appraisal->destroy(appraisal);
}
END_TEST

/**
 * Parse a marshalled TPMS_ATTEST
 */
static void unmarshal_attest(chunk_t data, TPMS_ATTEST *attest)
{
	size_t offset = 0;

	memset(attest, 0, sizeof(*attest));
	ck_assert(Tss2_MU_TPMS_ATTEST_Unmarshal(data.ptr, data.len, &offset,
										   attest) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(offset, data.len);
}

/**
 * A software "AK": an EC key with a restricted signing TPMT_PUBLIC, to
 * produce signed structures a TPM would never sign with an AK
 */
static void software_ak(EVP_PKEY **pkey, chunk_t *ak_public)
{
	TPMT_PUBLIC pub = {};
	uint8_t point[65], buf[sizeof(TPMT_PUBLIC)];
	size_t len, offset = 0;

	*pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(*pkey);
	ck_assert(EVP_PKEY_get_octet_string_param(*pkey, OSSL_PKEY_PARAM_PUB_KEY,
											  point, sizeof(point), &len));
	ck_assert_int_eq(len, 65);
	pub.type = TPM2_ALG_ECC;
	pub.nameAlg = TPM2_ALG_SHA256;
	pub.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT |
						   TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
						   TPMA_OBJECT_SENSITIVEDATAORIGIN;
	pub.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	pub.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	pub.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	pub.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	pub.unique.ecc.x.size = 32;
	memcpy(pub.unique.ecc.x.buffer, point + 1, 32);
	pub.unique.ecc.y.size = 32;
	memcpy(pub.unique.ecc.y.buffer, point + 33, 32);
	ck_assert(Tss2_MU_TPMT_PUBLIC_Marshal(&pub, buf, sizeof(buf),
										  &offset) == TSS2_RC_SUCCESS);
	*ak_public = chunk_clone(chunk_create(buf, offset));
}

/**
 * Sign data with the software AK as TPMT_SIGNATURE
 */
static chunk_t software_sign(EVP_PKEY *pkey, chunk_t data)
{
	TPMT_SIGNATURE sig = {};
	ECDSA_SIG *ecdsa;
	EVP_MD_CTX *ctx;
	const BIGNUM *r, *s;
	const u_char *pos;
	uint8_t der[128], buf[sizeof(TPMT_SIGNATURE)];
	size_t len = sizeof(der), offset = 0;

	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1);
	ck_assert(EVP_DigestSign(ctx, der, &len, data.ptr, data.len) == 1);
	EVP_MD_CTX_free(ctx);
	pos = der;
	ecdsa = d2i_ECDSA_SIG(NULL, &pos, len);
	ck_assert(ecdsa);
	ECDSA_SIG_get0(ecdsa, &r, &s);
	sig.sigAlg = TPM2_ALG_ECDSA;
	sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig.signature.ecdsa.signatureR.size = 32;
	BN_bn2binpad(r, sig.signature.ecdsa.signatureR.buffer, 32);
	sig.signature.ecdsa.signatureS.size = 32;
	BN_bn2binpad(s, sig.signature.ecdsa.signatureS.buffer, 32);
	ECDSA_SIG_free(ecdsa);
	ck_assert(Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, buf, sizeof(buf),
											 &offset) == TSS2_RC_SUCCESS);
	return chunk_clone(chunk_create(buf, offset));
}

START_TEST(test_not_a_quote)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	ratkn_pcr_values_t *values;
	TPMS_ATTEST attest;
	EVP_PKEY *pkey;
	chunk_t quote, sig, ak_public, spki, forged, forged_sig;
	uint8_t buf[sizeof(TPMS_ATTEST) + 1] = {};
	size_t offset;
	int i;

	software_ak(&pkey, &ak_public);
	ck_assert(ratkn_ak_spki_from_tpm(ak_public, &spki));
	appraisal = ratkn_appraisal_create();
	appraisal->add_ak(appraisal, spki);

	evidence = attest_as(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), RATKN_IKE_RESPONDER,
						 chunk_from_thing(t.session),
						 chunk_from_thing(t.identity), &quote, &sig, &values);
	evidence->destroy(evidence);

	/* the real quote re-signed by the software key is fine */
	forged_sig = software_sign(pkey, quote);
	evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
					chunk_from_thing(t.identity), quote, forged_sig,
					ak_public, clone_values(values));
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	evidence->destroy(evidence);
	chunk_free(&forged_sig);

	/* not TPM generated, other attestation type, not a TPMS_ATTEST */
	for (i = 0; i < 4; i++)
	{
		unmarshal_attest(quote, &attest);
		offset = 0;
		switch (i)
		{
			case 0:
				attest.magic = 0x12345678;
				break;
			case 1:
				attest.type = TPM2_ST_ATTEST_CERTIFY;
				memset(&attest.attested, 0, sizeof(attest.attested));
				break;
		}
		ck_assert(Tss2_MU_TPMS_ATTEST_Marshal(&attest, buf, sizeof(buf),
											  &offset) == TSS2_RC_SUCCESS);
		forged = chunk_create(buf, offset);
		if (i == 2)
		{	/* trailing data */
			forged.len++;
		}
		if (i == 3)
		{
			forged = chunk_from_str("arbitrary data");
		}
		forged_sig = software_sign(pkey, forged);
		evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						chunk_from_thing(t.identity), forged, forged_sig,
						ak_public, clone_values(values));
		assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_NOT_A_QUOTE,
						 "not a TPM quote");
		evidence->destroy(evidence);
		chunk_free(&forged_sig);
	}

	/* quoted PCR selections we can't have values for */
	for (i = 0; i < 3; i++)
	{
		TPML_PCR_SELECTION *pcrs = &attest.attested.quote.pcrSelect;

		unmarshal_attest(quote, &attest);
		switch (i)
		{
			case 0:		/* PCR 24 */
				pcrs->pcrSelections[0].sizeofSelect = 4;
				pcrs->pcrSelections[0].pcrSelect[3] = 0x01;
				break;
			case 1:		/* a bank twice */
				pcrs->pcrSelections[1] = pcrs->pcrSelections[0];
				pcrs->count = 2;
				break;
			case 2:		/* an unknown bank */
				pcrs->pcrSelections[0].hash = TPM2_ALG_SM3_256;
				break;
		}
		offset = 0;
		ck_assert(Tss2_MU_TPMS_ATTEST_Marshal(&attest, buf, sizeof(buf),
											  &offset) == TSS2_RC_SUCCESS);
		forged = chunk_create(buf, offset);
		forged_sig = software_sign(pkey, forged);
		evidence = wire(RATKN_IKE_RESPONDER, chunk_from_thing(t.session),
						chunk_from_thing(t.identity), forged, forged_sig,
						ak_public, clone_values(values));
		assert_appraisal(appraisal, evidence,
						 RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
						 "unsupported PCR selection in the quote");
		evidence->destroy(evidence);
		chunk_free(&forged_sig);
	}

	appraisal->destroy(appraisal);
	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&ak_public);
	chunk_free(&spki);
	EVP_PKEY_free(pkey);
}
END_TEST

START_TEST(test_no_evidence)
{
	ratkn_appraisal_t *appraisal;

	appraisal = policy(NULL);
	assert_appraisal(appraisal, NULL, RATKN_APPRAISAL_UNSUPPORTED,
					 "no evidence");
	appraisal->destroy(appraisal);
}
END_TEST

/**
 * Appraisal run by a thread
 */
static void *appraise_thread(void *data)
{
	ratkn_evidence_t *evidence = ((void**)data)[0];
	ratkn_appraisal_t *appraisal = ((void**)data)[1];
	char reason[256];
	intptr_t failed = 0;
	int i;

	appraisal = appraisal->get_ref(appraisal);
	for (i = 0; i < 25; i++)
	{
		if (appraisal->appraise(appraisal, evidence, RATKN_IKE_RESPONDER,
								chunk_from_thing(t.session),
								chunk_from_thing(t.identity), reason,
								sizeof(reason)) != RATKN_APPRAISAL_OK)
		{
			failed++;
		}
	}
	appraisal->destroy(appraisal);
	return (void*)failed;
}

START_TEST(test_threads_refcount)
{
	ratkn_appraisal_t *appraisal;
	ratkn_evidence_t *evidence;
	pthread_t threads[4];
	void *data[2], *failed;
	int i;

	appraisal = policy("sha256:0-7");
	evidence = attest();
	data[0] = evidence;
	data[1] = appraisal;
	for (i = 0; i < countof(threads); i++)
	{
		ck_assert(pthread_create(&threads[i], NULL, appraise_thread,
								 data) == 0);
	}
	for (i = 0; i < countof(threads); i++)
	{
		ck_assert(pthread_join(threads[i], &failed) == 0);
		ck_assert(failed == NULL);
	}
	/* a reference outlives the creator's */
	ck_assert(appraisal->get_ref(appraisal) == appraisal);
	appraisal->destroy(appraisal);
	assert_appraisal(appraisal, evidence, RATKN_APPRAISAL_OK, NULL);
	appraisal->destroy(appraisal);
	evidence->destroy(evidence);
}
END_TEST

START_TEST(test_status_names)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_OK);
	ck_assert_str_eq(buf, "ok");
	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_UNTRUSTED_AK);
	ck_assert_str_eq(buf, "untrusted-ak");
	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_PCR_MISMATCH);
	ck_assert_str_eq(buf, "pcr-mismatch");
	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_SHARE_NOT_CERTIFIED);
	ck_assert_str_eq(buf, "share-not-certified");
	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_STALE);
	ck_assert_str_eq(buf, "stale-quote");
	snprintf(buf, sizeof(buf), "%N", ratkn_appraisal_status_names,
			 RATKN_APPRAISAL_STALE + 1);
	ck_assert_str_eq(buf, "(14)");
}
END_TEST

Suite *appraisal_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("appraisal");

	tc = tcase_create("names");
	tcase_add_test(tc, test_status_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("swtpm");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_ecc, teardown_attester);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_good, 0, 2);
	tcase_add_test(tc, test_wrong_binding);
	tcase_add_test(tc, test_challenged);
	tcase_add_test(tc, test_ak_name);
	tcase_add_test(tc, test_session_mismatch);
	tcase_add_test(tc, test_identity_mismatch);
	tcase_add_test(tc, test_wrong_role);
	tcase_add_test(tc, test_pcr_mismatch);
	tcase_add_test(tc, test_pcr_not_quoted);
	tcase_add_test(tc, test_untrusted_ak);
	tcase_add_test(tc, test_ak_swapped);
	tcase_add_test(tc, test_tampered_signature);
	tcase_add_test(tc, test_tampered_pcr_values);
	tcase_add_test(tc, test_not_a_quote);
	tcase_add_test(tc, test_no_evidence);
	tcase_add_test(tc, test_threads_refcount);
	suite_add_tcase(s, tc);

	return s;
}
