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

#include <ratkn_session.h>
#include <ratkn_binding.h>
#include <ratkn_negotiate.h>
#include <ratkn_kex.h>
#include <ratkn_ak.h>

#include "swtpm_fixture.h"

static chunk_t spi_i = chunk_from_chars(1,2,3,4,5,6,7,8);
static chunk_t spi_r = chunk_from_chars(9,10,11,12,13,14,15,16);
static chunk_t ni = chunk_from_chars(0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01,
									 0x01,0x01,0x01,0x01,0x01,0x01,0x01,0x01);
static chunk_t nr = chunk_from_chars(0x02,0x02,0x02,0x02,0x02,0x02,0x02,0x02,
									 0x02,0x02,0x02,0x02,0x02,0x02,0x02,0x02);

/**
 * Run IKE_SA_INIT between two sessions
 */
static void negotiate(ratkn_session_t *i, ratkn_session_t *r, uint8_t flags,
					  uint16_t group, bool can_attest)
{
	chunk_t offer, answer;

	offer = i->offer(i, flags, group, NULL, 0);
	ck_assert(offer.len);
	ck_assert_int_eq(i->get_state(i), RATKN_SESSION_OFFERED);
	answer = r->answer(r, offer, can_attest, NULL, 0);
	ck_assert(answer.len);
	i->process_answer(i, answer);
	i->set_ike_sa_init(i, chunk_from_str("request"), chunk_from_str("response"),
					   ni, nr);
	r->set_ike_sa_init(r, chunk_from_str("request"), chunk_from_str("response"),
					   ni, nr);
}

static struct {
	uint8_t offer;
	bool can_attest;
	uint8_t answer;
} roles[] = {
	/* client requires gateway to attest */
	{ RATKN_FLAG_VERIFY, TRUE, RATKN_FLAG_ATTEST },
	/* gateway without TPM cannot */
	{ RATKN_FLAG_VERIFY, FALSE, 0 },
	/* onboarding device attests, gateway asks for it */
	{ RATKN_FLAG_ATTEST, FALSE, RATKN_FLAG_VERIFY },
	{ RATKN_FLAG_ATTEST, TRUE, RATKN_FLAG_VERIFY },
	/* mutual */
	{ RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY, TRUE,
	  RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY },
};

START_TEST(test_roles)
{
	ratkn_session_t *i, *r;
	chunk_t sk_i, sk_r;

	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(i, r, roles[_i].offer, 31, roles[_i].can_attest);
	ck_assert_int_eq(i->get_state(i), RATKN_SESSION_NEGOTIATED);
	ck_assert_int_eq(r->get_state(r), RATKN_SESSION_NEGOTIATED);
	ck_assert_int_eq(i->get_my_flags(i), roles[_i].offer);
	ck_assert_int_eq(r->get_peer_flags(r), roles[_i].offer);
	ck_assert_int_eq(r->get_my_flags(r), roles[_i].answer);
	ck_assert_int_eq(i->get_peer_flags(i), roles[_i].answer);
	ck_assert_int_eq(i->get_group(i), 31);

	ck_assert(i->get_sk(i, spi_i, spi_r, &sk_i));
	ck_assert(r->get_sk(r, spi_i, spi_r, &sk_r));
	ck_assert_int_eq(sk_i.len, RATKN_SK_LEN);
	ck_assert(chunk_equals(sk_i, sk_r));
	/* SK is wiped on request and cannot be derived again */
	i->clear_sk(i);
	ck_assert(!i->get_sk(i, spi_i, spi_r, &sk_i));
	i->destroy(i);
	r->destroy(r);
}
END_TEST

static uint16_t groups[] = { 19, 20, 31, 32 };

START_TEST(test_groups)
{
	ratkn_session_t *i, *r;
	chunk_t sk_i, sk_r;

	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(i, r, RATKN_FLAG_VERIFY, groups[_i], TRUE);
	ck_assert_int_eq(r->get_group(r), groups[_i]);
	ck_assert(i->get_sk(i, spi_i, spi_r, &sk_i));
	ck_assert(r->get_sk(r, spi_i, spi_r, &sk_r));
	ck_assert(chunk_equals(sk_i, sk_r));
	i->destroy(i);
	r->destroy(r);
}
END_TEST

START_TEST(test_retry)
{
	ratkn_session_t *i;
	chunk_t first, second;

	/* a retried IKE_SA_INIT carries the same offer */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	first = chunk_clone(i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0));
	second = i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0);
	ck_assert(chunk_equals(first, second));
	chunk_free(&first);
	i->destroy(i);
}
END_TEST

START_TEST(test_unsupported_group)
{
	ratkn_session_t *i, *r;
	ratkn_negotiate_t *offer;
	chunk_t share, nonce, answer;
	ratkn_format_t format = RATKN_FORMAT_TPM2_QUOTE;

	/* an initiator proposing group 21, which we don't implement */
	share = chunk_alloca(132);
	memset(share.ptr, 0x33, share.len);
	nonce = chunk_alloca(32);
	memset(nonce.ptr, 0x44, nonce.len);
	offer = ratkn_negotiate_create(RATKN_FLAG_VERIFY, 21, share, nonce,
								   &format, 1, NULL, 0);
	ck_assert(offer);
	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	answer = r->answer(r, offer->get_encoding(offer), TRUE, NULL, 0);
	ck_assert(answer.len);
	ck_assert_int_eq(r->get_state(r), RATKN_SESSION_NO_GROUP);
	offer->destroy(offer);

	/* and the initiator side of a group-0 answer */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	ck_assert(i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0).len);
	ck_assert_int_eq(i->process_answer(i, answer), RATKN_SESSION_NO_GROUP);
	ck_assert(strstr(i->get_reason(i), "does not support group"));
	ck_assert(!i->get_sk(i, spi_i, spi_r, &share));
	i->destroy(i);
	r->destroy(r);
}
END_TEST

START_TEST(test_malformed_offer)
{
	ratkn_session_t *r;

	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	ck_assert(!r->answer(r, chunk_from_chars(0x00,0x02,0x00,0x1f), TRUE,
					   NULL, 0).len);
	ck_assert_int_eq(r->get_state(r), RATKN_SESSION_MALFORMED);
	ck_assert_str_eq(r->get_reason(r), "invalid version 0");
	r->destroy(r);
}
END_TEST

/**
 * Build an answer with arbitrary fields
 */
static chunk_t forged_answer(uint16_t group, u_char version)
{
	ratkn_negotiate_t *n;
	ratkn_kex_t *kex;
	ratkn_format_t format = RATKN_FORMAT_TPM2_QUOTE;
	chunk_t data;

	kex = ratkn_kex_create(group);
	n = ratkn_negotiate_create(RATKN_FLAG_ATTEST, group, kex->get_public(kex),
							   chunk_empty, &format, 1, NULL, 0);
	data = chunk_clone(n->get_encoding(n));
	data.ptr[0] = version;
	n->destroy(n);
	kex->destroy(kex);
	return data;
}

START_TEST(test_bad_answers)
{
	ratkn_session_t *i;
	chunk_t answer;

	/* answer with another group */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	ck_assert(i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0).len);
	answer = forged_answer(19, 1);
	ck_assert_int_eq(i->process_answer(i, answer), RATKN_SESSION_MALFORMED);
	chunk_free(&answer);
	i->destroy(i);

	/* answer with a higher version than offered */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	ck_assert(i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0).len);
	answer = forged_answer(31, 2);
	ck_assert_int_eq(i->process_answer(i, answer), RATKN_SESSION_MALFORMED);
	chunk_free(&answer);
	i->destroy(i);

	/* garbage */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	ck_assert(i->offer(i, RATKN_FLAG_VERIFY, 31, NULL, 0).len);
	ck_assert_int_eq(i->process_answer(i, chunk_from_chars(0x01)),
					 RATKN_SESSION_MALFORMED);
	i->destroy(i);
}
END_TEST

START_TEST(test_invalid_share)
{
	ratkn_session_t *i, *r;
	chunk_t offer, answer, sk;

	/* the responder's share is not a valid P-256 point: no SK */
	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	offer = i->offer(i, RATKN_FLAG_VERIFY, 19, NULL, 0);
	answer = chunk_clone(r->answer(r, offer, TRUE, NULL, 0));
	/* last octet of Y in the SHARE attribute at offset 8 */
	answer.ptr[8 + 63] ^= 0x01;
	ck_assert_int_eq(i->process_answer(i, answer), RATKN_SESSION_NEGOTIATED);
	i->set_ike_sa_init(i, chunk_from_str("a"), chunk_from_str("b"), ni, nr);
	ck_assert(!i->get_sk(i, spi_i, spi_r, &sk));
	chunk_free(&answer);
	i->destroy(i);
	r->destroy(r);
}
END_TEST

static uint16_t release_groups[] = { 19, 20 };

START_TEST(test_release)
{
	ratkn_jwe_claims_t claims = {
		.name = "model-weights",
		.version = 1,
		.usage = "dek",
		.iat = 1000,
		.exp = 9000,
		.key = chunk_from_chars(0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,
								0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10),
	};
	ratkn_session_t *device, *gw;
	ratkn_jwe_key_t *key;
	char *token, reason[128] = "";

	/* onboarding: the device initiates and attests, the gateway releases */
	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device, gw, RATKN_FLAG_ATTEST, release_groups[_i], FALSE);
	token = gw->wrap_release(gw, &claims, chunk_from_str("device cert"));
	ck_assert(token);
	key = device->unwrap_release(device, token, chunk_from_str("device cert"),
								 2000, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert(chunk_equals(key->get_claims(key)->key, claims.key));
	key->destroy(key);
	/* bound to the identity the relying party saw */
	ck_assert(!device->unwrap_release(device, token,
						chunk_from_str("other cert"), 2000, reason,
						sizeof(reason)));
	/* the relying party cannot unwrap its own release */
	ck_assert(!gw->unwrap_release(gw, token, chunk_from_str("device cert"),
								  2000, reason, sizeof(reason)));
	/* once the ECDHE key is wiped there is nothing to unwrap with */
	device->clear_sk(device);
	ck_assert(!device->unwrap_release(device, token,
						chunk_from_str("device cert"), 2000, reason,
						sizeof(reason)));
	ck_assert_str_eq(reason, "our ECDHE key is gone");
	free(token);
	device->destroy(device);
	gw->destroy(gw);
}
END_TEST

START_TEST(test_release_x25519)
{
	ratkn_jwe_claims_t claims = {
		.name = "k",
		.version = 1,
		.usage = "dek",
		.iat = 1000,
		.exp = 9000,
		.key = chunk_from_chars(0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,
								0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10),
	};
	ratkn_session_t *device, *gw;

	device = ratkn_session_create(RATKN_IKE_INITIATOR);
	gw = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(device, gw, RATKN_FLAG_ATTEST, 31, FALSE);
	ck_assert(!gw->wrap_release(gw, &claims, chunk_from_str("device cert")));
	device->destroy(device);
	gw->destroy(gw);
}
END_TEST

START_TEST(test_session_hash)
{
	ratkn_session_t *i;
	uint8_t a[RATKN_HASH_LEN], b[RATKN_HASH_LEN];

	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	ck_assert(!i->get_session_hash(i, a));
	i->set_ike_sa_init(i, chunk_from_str("req1"), chunk_from_str("resp"),
					   ni, nr);
	ck_assert(i->get_session_hash(i, a));
	/* a retried request replaces the recorded one */
	i->set_ike_sa_init(i, chunk_from_str("req2"), chunk_empty, chunk_empty,
					   chunk_empty);
	ck_assert(i->get_session_hash(i, b));
	ck_assert(!memeq(a, b, sizeof(a)));
	i->destroy(i);
}
END_TEST

static struct {
	ratkn_model_t i[2], r[2];
	int ni, nr;
	ratkn_model_t i_attests, r_attests;
} models[] = {
	/* nothing sent: background-check */
	{ { 0 }, { 0 }, 0, 0,
	  RATKN_MODEL_BACKGROUND_CHECK, RATKN_MODEL_BACKGROUND_CHECK },
	/* the relying party's preference wins */
	{ { RATKN_MODEL_PASSPORT, RATKN_MODEL_BACKGROUND_CHECK },
	  { RATKN_MODEL_BACKGROUND_CHECK, RATKN_MODEL_PASSPORT }, 2, 2,
	  RATKN_MODEL_BACKGROUND_CHECK, RATKN_MODEL_PASSPORT },
	/* passport-only attester, background-check-only relying party */
	{ { RATKN_MODEL_PASSPORT }, { RATKN_MODEL_BACKGROUND_CHECK }, 1, 1, 0, 0 },
	{ { RATKN_MODEL_PASSPORT }, { RATKN_MODEL_PASSPORT,
	  RATKN_MODEL_BACKGROUND_CHECK }, 1, 2, RATKN_MODEL_PASSPORT,
	  RATKN_MODEL_PASSPORT },
	{ { RATKN_MODEL_BACKGROUND_CHECK }, { RATKN_MODEL_PASSPORT }, 1, 1, 0, 0 },
};

START_TEST(test_models)
{
	ratkn_session_t *i, *r;
	chunk_t offer, answer;

	i = ratkn_session_create(RATKN_IKE_INITIATOR);
	r = ratkn_session_create(RATKN_IKE_RESPONDER);
	offer = i->offer(i, RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY, 31,
					 models[_i].i, models[_i].ni);
	answer = r->answer(r, offer, TRUE, models[_i].r, models[_i].nr);
	i->process_answer(i, answer);
	ck_assert_int_eq(i->get_model(i, FALSE), models[_i].i_attests);
	ck_assert_int_eq(r->get_model(r, TRUE), models[_i].i_attests);
	ck_assert_int_eq(i->get_model(i, TRUE), models[_i].r_attests);
	ck_assert_int_eq(r->get_model(r, FALSE), models[_i].r_attests);
	i->destroy(i);
	r->destroy(r);
}
END_TEST

/**
 * Attester and relying party sessions after IKE_SA_INIT, with a TPM-backed
 * appraisal policy trusting the TPM's AK
 */
static struct {
	ratkn_session_t *i, *r;
	ratkn_tpm_t *tpm;
	ratkn_appraisal_t *policy;
	ratkn_pcr_selection_t sel;
} t;

static void setup_tpm(uint8_t flags)
{
	chunk_t ak_public, spki;

	t.tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(t.tpm->create_ak(t.tpm, RATKN_AK_ECC, FALSE, &ak_public));
	ck_assert(ratkn_ak_spki_from_tpm(ak_public, &spki));
	t.policy = ratkn_appraisal_create();
	t.policy->add_ak(t.policy, spki);
	chunk_free(&ak_public);
	chunk_free(&spki);
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &t.sel));
	t.i = ratkn_session_create(RATKN_IKE_INITIATOR);
	t.r = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(t.i, t.r, flags, 31, TRUE);
}

static void setup_gateway_attests()
{
	setup_tpm(RATKN_FLAG_VERIFY);
}

static void setup_mutual()
{
	setup_tpm(RATKN_FLAG_VERIFY | RATKN_FLAG_ATTEST);
}

static void teardown_tpm()
{
	t.i->destroy(t.i);
	t.r->destroy(t.r);
	t.policy->destroy(t.policy);
	t.tpm->destroy(t.tpm);
}

START_TEST(test_attest_appraise)
{
	ratkn_evidence_t *evidence;
	char reason[256] = "";

	evidence = t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert_int_eq(evidence->get_role(evidence), RATKN_IKE_RESPONDER);
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)), RATKN_APPRAISAL_OK);
	evidence->destroy(evidence);
}
END_TEST

/**
 * Record the same IKE_INTERMEDIATE exchanges on both sides
 */
static void intermediate(ratkn_session_t *i, ratkn_session_t *r, u_int n)
{
	char req[32], rsp[32];
	u_int k;

	for (k = 0; k < n; k++)
	{
		snprintf(req, sizeof(req), "IKE_INTERMEDIATE %u request", k + 1);
		snprintf(rsp, sizeof(rsp), "IKE_INTERMEDIATE %u response", k + 1);
		ck_assert(i->set_intermediate(i, k, TRUE, chunk_from_str(req)));
		ck_assert(i->set_intermediate(i, k, FALSE, chunk_from_str(rsp)));
		ck_assert(r->set_intermediate(r, k, TRUE, chunk_from_str(req)));
		ck_assert(r->set_intermediate(r, k, FALSE, chunk_from_str(rsp)));
	}
}

START_TEST(test_intermediate)
{
	ratkn_evidence_t *evidence;
	uint8_t before[RATKN_HASH_LEN], after[RATKN_HASH_LEN];
	char reason[256] = "";

	/* the binding covers the additional key exchanges of RFC 9370 */
	ck_assert(t.r->get_session_hash(t.r, before));
	intermediate(t.i, t.r, 2);
	ck_assert_int_eq(t.r->get_intermediate_count(t.r), 2);
	ck_assert(t.r->get_session_hash(t.r, after));
	ck_assert(!memeq(before, after, sizeof(before)));
	evidence = t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)), RATKN_APPRAISAL_OK);

	/* the relying party saw other intermediate messages */
	ck_assert(t.i->set_intermediate(t.i, 1, FALSE,
									chunk_from_str("IKE_INTERMEDIATE 2 "
												   "response, tampered")));
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)),
					 RATKN_APPRAISAL_SESSION_MISMATCH);
	evidence->destroy(evidence);
}
END_TEST

START_TEST(test_intermediate_missing)
{
	ratkn_evidence_t *evidence;
	uint8_t hash[RATKN_HASH_LEN];
	char reason[256] = "";

	/* an attester that binds IKE_SA_INIT only (ignoring the additional key
	 * exchanges) is refused by a relying party that saw them */
	evidence = t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	intermediate(t.i, t.r, 1);
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)),
					 RATKN_APPRAISAL_SESSION_MISMATCH);
	evidence->destroy(evidence);

	/* half an exchange is no transcript */
	ck_assert(t.r->set_intermediate(t.r, 1, TRUE, chunk_from_str("req")));
	ck_assert(!t.r->get_session_hash(t.r, hash));
	ck_assert(!t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty));
	/* bounded */
	ck_assert(!t.r->set_intermediate(t.r, RATKN_BINDING_MAX_INTERMEDIATE,
									 TRUE, chunk_from_str("req")));
}
END_TEST

START_TEST(test_relay_other_identity)
{
	ratkn_evidence_t *evidence;
	char reason[256] = "";

	/* a relay authenticating with its own certificate forwards the
	 * gateway's evidence */
	evidence = t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("relay cert"), reason,
								   sizeof(reason)),
					 RATKN_APPRAISAL_IDENTITY_MISMATCH);
	evidence->destroy(evidence);
}
END_TEST

START_TEST(test_replay_other_session)
{
	ratkn_session_t *i2, *r2;
	ratkn_evidence_t *evidence;
	char reason[256] = "";

	/* evidence from one IKE_SA presented in another */
	evidence = t.r->attest(t.r, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	i2 = ratkn_session_create(RATKN_IKE_INITIATOR);
	r2 = ratkn_session_create(RATKN_IKE_RESPONDER);
	negotiate(i2, r2, RATKN_FLAG_VERIFY, 31, TRUE);
	i2->set_ike_sa_init(i2, chunk_from_str("another request"), chunk_empty,
						chunk_empty, chunk_empty);
	ck_assert_int_eq(i2->appraise(i2, evidence, t.policy,
								  chunk_from_str("gateway cert"), reason,
								  sizeof(reason)),
					 RATKN_APPRAISAL_SESSION_MISMATCH);
	evidence->destroy(evidence);
	i2->destroy(i2);
	r2->destroy(r2);
}
END_TEST

START_TEST(test_reflection)
{
	ratkn_evidence_t *evidence;
	char reason[256] = "";

	/* in a mutual exchange, the initiator's own evidence reflected back to
	 * it as the responder's */
	evidence = t.i->attest(t.i, t.tpm, chunk_from_str("gateway cert"),
						   &t.sel, chunk_empty);
	ck_assert(evidence);
	ck_assert_int_eq(t.i->appraise(t.i, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)),
					 RATKN_APPRAISAL_WRONG_ROLE);
	/* the responder accepts it, it is the initiator's evidence */
	ck_assert_int_eq(t.r->appraise(t.r, evidence, t.policy,
								   chunk_from_str("gateway cert"), reason,
								   sizeof(reason)), RATKN_APPRAISAL_OK);
	evidence->destroy(evidence);
}
END_TEST

Suite *session_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("session");

	tc = tcase_create("negotiation");
	tcase_add_loop_test(tc, test_roles, 0, countof(roles));
	tcase_add_loop_test(tc, test_groups, 0, countof(groups));
	tcase_add_test(tc, test_retry);
	tcase_add_test(tc, test_unsupported_group);
	tcase_add_test(tc, test_malformed_offer);
	tcase_add_test(tc, test_bad_answers);
	tcase_add_test(tc, test_invalid_share);
	tcase_add_test(tc, test_session_hash);
	tcase_add_loop_test(tc, test_release, 0, countof(release_groups));
	tcase_add_test(tc, test_release_x25519);
	tcase_add_loop_test(tc, test_models, 0, countof(models));
	suite_add_tcase(s, tc);

	tc = tcase_create("attestation");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_gateway_attests, teardown_tpm);
	tcase_add_test(tc, test_attest_appraise);
	tcase_add_test(tc, test_intermediate);
	tcase_add_test(tc, test_intermediate_missing);
	tcase_add_test(tc, test_relay_other_identity);
	tcase_add_test(tc, test_replay_other_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("mutual attestation");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_add_checked_fixture(tc, setup_mutual, teardown_tpm);
	tcase_add_test(tc, test_reflection);
	suite_add_tcase(s, tc);

	return s;
}
