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

#include <ratkn_tpm.h>
#include <ratkn_tpm_kex.h>
#include <ratkn_share.h>
#include <ratkn_session.h>
#include <ratkn_jwe.h>
#include <ratkn_ak.h>

#include <tss2/tss2_mu.h>

static chunk_t ni = chunk_from_chars(0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01,
									 0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01);
static chunk_t nr = chunk_from_chars(0x02,0x02,0x02,0x02,0x02,0x02,0x02,0x02,
									 0x02,0x02,0x02,0x02,0x02,0x02,0x02,0x02);
static chunk_t spi_i = chunk_from_chars(1,2,3,4,5,6,7,8);
static chunk_t spi_r = chunk_from_chars(9,10,11,12,13,14,15,16);

static uint16_t groups[] = { 19, 20 };

/**
 * A TPM with an AK, and an appraisal policy trusting it
 */
static struct {
	ratkn_tpm_t *tpm;
	chunk_t ak_public;
	ratkn_appraisal_t *policy;
	ratkn_pcr_selection_t sel;
} t;

static void setup_tpm()
{
	chunk_t spki;

	t.tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(t.tpm->create_ak(t.tpm, RATKN_AK_ECC, FALSE, &t.ak_public));
	ck_assert(ratkn_ak_spki_from_tpm(t.ak_public, &spki));
	t.policy = ratkn_appraisal_create();
	t.policy->add_ak(t.policy, spki);
	chunk_free(&spki);
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &t.sel));
}

static void teardown_tpm()
{
	t.policy->destroy(t.policy);
	chunk_free(&t.ak_public);
	t.tpm->destroy(t.tpm);
}

START_TEST(test_ecdh)
{
	ratkn_tpm_kex_t *share;
	ratkn_kex_t *peer;
	chunk_t z1, z2, bad;

	share = ratkn_tpm_kex_create(t.tpm, groups[_i]);
	ck_assert(share);
	ck_assert_int_eq(share->kex.get_group(&share->kex), groups[_i]);
	ck_assert_int_eq(share->kex.get_public(&share->kex).len,
					 groups[_i] == 19 ? 64 : 96);
	peer = ratkn_kex_create(groups[_i]);
	ck_assert(share->kex.compute(&share->kex, peer->get_public(peer), &z1));
	ck_assert(peer->compute(peer, share->kex.get_public(&share->kex), &z2));
	ck_assert(chunk_equals(z1, z2));
	ck_assert_int_eq(z1.len, groups[_i] == 19 ? 32 : 48);
	chunk_clear(&z1);
	chunk_clear(&z2);
	/* wrong length */
	ck_assert(!share->kex.compute(&share->kex,
				chunk_create(peer->get_public(peer).ptr, 32), &z1));
	/* not on the curve: the TPM refuses */
	bad = chunk_clone(peer->get_public(peer));
	bad.ptr[bad.len - 1] ^= 0x01;
	ck_assert(!share->kex.compute(&share->kex, bad, &z1));
	chunk_free(&bad);
	/* the TPM still works for the share */
	ck_assert(share->kex.compute(&share->kex, peer->get_public(peer), &z1));
	chunk_clear(&z1);
	peer->destroy(peer);
	share->kex.destroy(&share->kex);
}
END_TEST

START_TEST(test_distinct)
{
	ratkn_tpm_kex_t *a, *b;

	/* every share is a fresh key */
	a = ratkn_tpm_kex_create(t.tpm, 19);
	b = ratkn_tpm_kex_create(t.tpm, 19);
	ck_assert(a && b);
	ck_assert(!chunk_equals(a->kex.get_public(&a->kex),
							b->kex.get_public(&b->kex)));
	a->kex.destroy(&a->kex);
	b->kex.destroy(&b->kex);
	/* no TPM share of other groups */
	ck_assert(!ratkn_tpm_kex_create(t.tpm, 31));
}
END_TEST

START_TEST(test_many)
{
	ratkn_tpm_kex_t *shares[8];
	ratkn_kex_t *peer;
	chunk_t z;
	int i;

	/* more shares than a TPM has object slots: none stays loaded */
	peer = ratkn_kex_create(19);
	for (i = 0; i < countof(shares); i++)
	{
		shares[i] = ratkn_tpm_kex_create(t.tpm, 19);
		ck_assert(shares[i]);
	}
	for (i = 0; i < countof(shares); i++)
	{
		ck_assert(shares[i]->kex.compute(&shares[i]->kex,
										 peer->get_public(peer), &z));
		chunk_clear(&z);
		shares[i]->kex.destroy(&shares[i]->kex);
	}
	peer->destroy(peer);
}
END_TEST

START_TEST(test_unwrap)
{
	ratkn_jwe_claims_t claims = {
		.name = "model-weights",
		.version = 3,
		.usage = "dek",
		.iat = 1000,
		.exp = 9000,
		.key = chunk_from_chars(0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,
								0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10),
	};
	uint8_t binding[RATKN_HASH_LEN], other[RATKN_HASH_LEN];
	ratkn_tpm_kex_t *share, *another;
	ratkn_jwe_key_t *key;
	char *token, reason[128] = "";

	memset(binding, 0x42, sizeof(binding));
	memset(other, 0x43, sizeof(other));
	share = ratkn_tpm_kex_create(t.tpm, groups[_i]);
	ck_assert(share);
	token = ratkn_jwe_wrap(&claims, groups[_i],
						   share->kex.get_public(&share->kex),
						   chunk_from_thing(binding));
	ck_assert(token);
	key = share->kex.unwrap(&share->kex, token, chunk_from_thing(binding),
							2000, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert(chunk_equals(key->get_claims(key)->key, claims.key));
	ck_assert_str_eq(key->get_kid(key), "model-weights:3");
	key->destroy(key);
	/* bound to another session */
	ck_assert(!share->kex.unwrap(&share->kex, token, chunk_from_thing(other),
								 2000, reason, sizeof(reason)));
	/* another TPM key cannot unwrap it */
	another = ratkn_tpm_kex_create(t.tpm, groups[_i]);
	ck_assert(another);
	ck_assert(!another->kex.unwrap(&another->kex, token,
								   chunk_from_thing(binding), 2000, reason,
								   sizeof(reason)));
	another->kex.destroy(&another->kex);
	free(token);
	share->kex.destroy(&share->kex);
}
END_TEST

/**
 * Certify a share with a binding
 */
static void certify(ratkn_tpm_kex_t *share, uint8_t *binding,
					chunk_t *attest, chunk_t *sig)
{
	ck_assert(share->certify(share, chunk_create(binding, RATKN_HASH_LEN),
							 attest, sig));
}

/**
 * Marshal a modified public area of a share
 */
static chunk_t modified_public(chunk_t tpm_public, TPMA_OBJECT set,
							   TPMA_OBJECT clear)
{
	TPMT_PUBLIC pub = {};
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t offset = 0;

	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(tpm_public.ptr, tpm_public.len,
										   &offset, &pub) == TSS2_RC_SUCCESS);
	pub.objectAttributes = (pub.objectAttributes | set) & ~clear;
	offset = 0;
	ck_assert(Tss2_MU_TPMT_PUBLIC_Marshal(&pub, buf, sizeof(buf),
										 &offset) == TSS2_RC_SUCCESS);
	return chunk_clone(chunk_create(buf, offset));
}

START_TEST(test_verify)
{
	uint8_t binding[RATKN_HASH_LEN], other[RATKN_HASH_LEN];
	ratkn_tpm_kex_t *share, *another;
	chunk_t attest, sig, attest2, sig2, pub, point, mod;
	char reason[256] = "";

	memset(binding, 0x42, sizeof(binding));
	memset(other, 0x43, sizeof(other));
	share = ratkn_tpm_kex_create(t.tpm, groups[_i]);
	ck_assert(share);
	pub = share->get_tpm_public(share);
	point = share->kex.get_public(&share->kex);
	certify(share, binding, &attest, &sig);

	ck_assert_msg(ratkn_share_verify(t.ak_public, pub, attest, sig,
									 chunk_from_thing(binding), groups[_i],
									 point, reason, sizeof(reason)),
				  "%s", reason);
	/* another binding (replayed into or relayed to another session) */
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest, sig,
								  chunk_from_thing(other), groups[_i], point,
								  reason, sizeof(reason)));
	ck_assert(strstr(reason, "bound to another"));
	/* the certified key is not the share the attester used */
	another = ratkn_tpm_kex_create(t.tpm, groups[_i]);
	ck_assert(another);
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest, sig,
								  chunk_from_thing(binding), groups[_i],
								  another->kex.get_public(&another->kex),
								  reason, sizeof(reason)));
	ck_assert(strstr(reason, "not the attester's ratkn share"));
	/* the certification of another key presented for this one */
	certify(another, binding, &attest2, &sig2);
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest2, sig2,
								  chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	ck_assert(strstr(reason, "names another TPM key"));
	/* a signature over other data */
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest, sig2,
								  chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	ck_assert(strstr(reason, "bad signature"));
	chunk_free(&attest2);
	chunk_free(&sig2);
	another->kex.destroy(&another->kex);
	/* a public area claiming other attributes: a signing key, or one that
	 * may leave the TPM */
	mod = modified_public(pub, TPMA_OBJECT_SIGN_ENCRYPT, 0);
	ck_assert(!ratkn_share_verify(t.ak_public, mod, attest, sig,
								  chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	ck_assert(strstr(reason, "attributes"));
	chunk_free(&mod);
	mod = modified_public(pub, 0, TPMA_OBJECT_FIXEDTPM);
	ck_assert(!ratkn_share_verify(t.ak_public, mod, attest, sig,
								  chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	ck_assert(strstr(reason, "attributes"));
	chunk_free(&mod);
	/* the wrong group for the public area */
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest, sig,
								  chunk_from_thing(binding),
								  groups[_i] == 19 ? 20 : 19, point, reason,
								  sizeof(reason)));
	ck_assert(!ratkn_share_verify(t.ak_public, pub, attest, sig,
								  chunk_from_thing(binding), 31, point, reason,
								  sizeof(reason)));
	/* garbage */
	ck_assert(!ratkn_share_verify(t.ak_public, chunk_from_str("x"), attest,
								  sig, chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	ck_assert(!ratkn_share_verify(t.ak_public, pub, chunk_empty, sig,
								  chunk_from_thing(binding), groups[_i],
								  point, reason, sizeof(reason)));
	chunk_free(&attest);
	chunk_free(&sig);
	share->kex.destroy(&share->kex);
}
END_TEST

START_TEST(test_quote_as_certification)
{
	uint8_t binding[RATKN_HASH_LEN];
	ratkn_tpm_kex_t *share;
	ratkn_pcr_values_t *values;
	chunk_t quote, sig;
	char reason[256] = "";

	/* a quote with the same qualifying data is no certification */
	memset(binding, 0x42, sizeof(binding));
	share = ratkn_tpm_kex_create(t.tpm, 19);
	ck_assert(share);
	ck_assert(t.tpm->quote(t.tpm, &t.sel, chunk_from_thing(binding), &quote,
						   &sig, &values));
	ck_assert(!ratkn_share_verify(t.ak_public, share->get_tpm_public(share),
								  quote, sig, chunk_from_thing(binding), 19,
								  share->kex.get_public(&share->kex), reason,
								  sizeof(reason)));
	ck_assert(strstr(reason, "TPM_ST_ATTEST_CREATION"));
	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	share->kex.destroy(&share->kex);
}
END_TEST

/**
 * Onboarding IKE_SA_INIT: the device initiates and attests, optionally with
 * a TPM share, the gateway verifies
 */
static void negotiate(ratkn_session_t *device, ratkn_session_t *gw,
					  uint16_t group, bool tpm_share, char *request)
{
	chunk_t offer, answer;

	if (tpm_share)
	{
		device->use_tpm_share(device, t.tpm);
	}
	offer = device->offer(device, RATKN_FLAG_ATTEST, group, NULL, 0);
	ck_assert(offer.len);
	answer = gw->answer(gw, offer, FALSE, NULL, 0);
	ck_assert(answer.len);
	device->process_answer(device, answer);
	ck_assert_int_eq(device->get_state(device), RATKN_SESSION_NEGOTIATED);
	ck_assert(device->has_tpm_share(device) == tpm_share);
	device->set_ike_sa_init(device, chunk_from_str(request),
							chunk_from_str("response"), ni, nr);
	gw->set_ike_sa_init(gw, chunk_from_str(request),
						chunk_from_str("response"), ni, nr);
}

START_TEST(test_session)
{
	ratkn_session_t *device, *gw;
	ratkn_evidence_t *evidence;
	chunk_t sk_d, sk_g, p, c, s;
	char reason[256] = "";

	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device, gw, groups[_i], TRUE, "request");
	ck_assert(device->get_sk(device, spi_i, spi_r, &sk_d));
	ck_assert(gw->get_sk(gw, spi_i, spi_r, &sk_g));
	ck_assert(chunk_equals(sk_d, sk_g));

	evidence = device->attest(device, t.tpm, chunk_from_str("device cert"),
							  &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert(evidence->get_share_cert(evidence, &p, &c, &s));
	ck_assert_int_eq(gw->appraise(gw, evidence, t.policy,
								  chunk_from_str("device cert"), reason,
								  sizeof(reason)), RATKN_APPRAISAL_OK);
	ck_assert_msg(gw->check_share(gw, evidence, chunk_from_str("device cert"),
								  reason, sizeof(reason)) ==
				  RATKN_APPRAISAL_OK, "%s", reason);
	/* bound to the identity the gateway saw */
	ck_assert_int_eq(gw->check_share(gw, evidence,
									 chunk_from_str("relay cert"), reason,
									 sizeof(reason)),
					 RATKN_APPRAISAL_SHARE_NOT_CERTIFIED);
	evidence->destroy(evidence);
	device->destroy(device);
	gw->destroy(gw);
}
END_TEST

START_TEST(test_session_software_share)
{
	ratkn_session_t *device, *gw;
	ratkn_evidence_t *evidence;
	chunk_t p, c, s;
	char reason[256] = "";

	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device, gw, 19, FALSE, "request");
	evidence = device->attest(device, t.tpm, chunk_from_str("device cert"),
							  &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert(!evidence->get_share_cert(evidence, &p, &c, &s));
	ck_assert_int_eq(gw->appraise(gw, evidence, t.policy,
								  chunk_from_str("device cert"), reason,
								  sizeof(reason)), RATKN_APPRAISAL_OK);
	ck_assert_int_eq(gw->check_share(gw, evidence,
									 chunk_from_str("device cert"), reason,
									 sizeof(reason)),
					 RATKN_APPRAISAL_SHARE_NOT_CERTIFIED);
	ck_assert(strstr(reason, "not certified"));
	evidence->destroy(evidence);
	device->destroy(device);
	gw->destroy(gw);
}
END_TEST

START_TEST(test_session_replay)
{
	ratkn_session_t *device, *gw, *device2, *gw2;
	ratkn_evidence_t *evidence, *evidence2, *mixed;
	chunk_t p, c, s, p2, c2, s2;
	char reason[256] = "";

	/* the certification of one IKE_SA's share spliced into the evidence of
	 * another IKE_SA of the same device (same AK, valid quote) */
	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device, gw, 19, TRUE, "request 1");
	device2 = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw2 = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device2, gw2, 19, TRUE, "request 2");
	evidence = device->attest(device, t.tpm, chunk_from_str("device cert"),
							  &t.sel, chunk_empty);
	evidence2 = device2->attest(device2, t.tpm, chunk_from_str("device cert"),
								&t.sel, chunk_empty);
	ck_assert(evidence && evidence2);
	ck_assert(evidence->get_share_cert(evidence, &p, &c, &s));
	ck_assert(evidence2->get_share_cert(evidence2, &p2, &c2, &s2));
	mixed = ratkn_evidence_create_certified(RATKN_IKE_INITIATOR,
					evidence2->get_session_hash(evidence2),
					evidence2->get_identity_hash(evidence2),
					evidence2->get_quote(evidence2),
					evidence2->get_signature(evidence2),
					evidence2->get_ak_public(evidence2),
					ratkn_pcr_values_create(), p, c, s, chunk_empty);
	ck_assert(mixed);
	ck_assert_int_eq(gw2->check_share(gw2, mixed,
									  chunk_from_str("device cert"), reason,
									  sizeof(reason)),
					 RATKN_APPRAISAL_SHARE_NOT_CERTIFIED);
	ck_assert(strstr(reason, "not the attester's ratkn share"));
	ck_assert_int_eq(gw2->check_share(gw2, evidence2,
									  chunk_from_str("device cert"), reason,
									  sizeof(reason)), RATKN_APPRAISAL_OK);
	mixed->destroy(mixed);
	evidence->destroy(evidence);
	evidence2->destroy(evidence2);
	device->destroy(device);
	gw->destroy(gw);
	device2->destroy(device2);
	gw2->destroy(gw2);
}
END_TEST

START_TEST(test_session_unsupported_group)
{
	ratkn_session_t *device;
	chunk_t offer;

	/* no TPM share of Curve25519: the offer fails, with a reason */
	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	device->use_tpm_share(device, t.tpm);
	offer = device->offer(device, RATKN_FLAG_ATTEST, 31, NULL, 0);
	ck_assert(!offer.len);
	ck_assert_int_eq(device->get_state(device), RATKN_SESSION_MALFORMED);
	ck_assert(strstr(device->get_reason(device), "TPM-resident"));
	ck_assert(!device->has_tpm_share(device));
	/* and stays failed */
	offer = device->offer(device, RATKN_FLAG_ATTEST, 31, NULL, 0);
	ck_assert(!offer.len);
	device->destroy(device);
}
END_TEST

Suite *tpm_share_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("tpm_share");

	tc = tcase_create("share");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_tpm, teardown_tpm);
	tcase_add_loop_test(tc, test_ecdh, 0, countof(groups));
	tcase_add_test(tc, test_distinct);
	tcase_add_test(tc, test_many);
	tcase_add_loop_test(tc, test_unwrap, 0, countof(groups));
	tcase_add_loop_test(tc, test_verify, 0, countof(groups));
	tcase_add_test(tc, test_quote_as_certification);
	suite_add_tcase(s, tc);

	tc = tcase_create("session");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_tpm, teardown_tpm);
	tcase_add_loop_test(tc, test_session, 0, countof(groups));
	tcase_add_test(tc, test_session_software_share);
	tcase_add_test(tc, test_session_replay);
	tcase_add_test(tc, test_session_unsupported_group);
	suite_add_tcase(s, tc);

	return s;
}
