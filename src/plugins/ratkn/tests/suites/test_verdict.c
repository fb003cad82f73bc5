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

#include <ratkn_verdict.h>

/**
 * The binding of "this IKE_SA", another one, and the identity hashes
 */
static uint8_t binding[RATKN_HASH_LEN] = { 0x01, 0x02, 0x03 };
static uint8_t other_binding[RATKN_HASH_LEN] = { 0x0a, 0x0b, 0x0c };
static uint8_t id_hash[RATKN_HASH_LEN] = { 0x11, 0x12, 0x13 };
static uint8_t other_id[RATKN_HASH_LEN] = { 0x21, 0x22, 0x23 };

/**
 * Current time of the tests
 */
#define NOW 1800000000

/**
 * What a row changes in the claims and the policy
 */
enum {
	OTHER_BINDING = (1 << 0),
	OTHER_IDENTITY = (1 << 1),
	PASSPORT = (1 << 2),
	POLICY_IDS = (1 << 3),
	NO_POLICY_ID = (1 << 4),
	LAX_POLICY_ID = (1 << 5),
	REQUIRE_HARDWARE = (1 << 6),
};

/**
 * One case: claims and policy, the expected verdict and a text the message
 * must contain
 */
static struct {
	u_int flags;
	ratkn_ear_status_t status;
	time_t fresh_since;
	u_int freshness;
	int hardware;
	ratkn_on_warning_t on_warning;
	ratkn_verdict_t verdict;
	char *msg;
} rows[] = {
	/* bound to this IKE_SA, in both models */
	{ 0, RATKN_EAR_AFFIRMING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming (bound to this IKE_SA)" },
	{ PASSPORT, RATKN_EAR_AFFIRMING, 0, 60, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming (bound to this IKE_SA)" },
	{ OTHER_IDENTITY, RATKN_EAR_AFFIRMING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_REFUSE, "for another identity" },
	/* issue 12 defect 2: a freshness window never stands in for the
	 * binding of evidence received in this IKE_SA */
	{ OTHER_BINDING, RATKN_EAR_AFFIRMING, NOW - 5, 60, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "the evidence of this IKE_SA must be bound to it" },
	{ OTHER_BINDING | PASSPORT, RATKN_EAR_AFFIRMING, NOW - 5, 0, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "bound to another IKE session" },
	/* a cached passport needs its quote to be younger than the window,
	 * which only a verifier challenge shows */
	{ OTHER_BINDING | PASSPORT, RATKN_EAR_AFFIRMING, 0, 60, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "not to a verifier challenge" },
	{ OTHER_BINDING | PASSPORT, RATKN_EAR_AFFIRMING, NOW - 30, 60, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_ACCEPT,
	  "affirming (cached result, evidence 30s old)" },
	{ OTHER_BINDING | PASSPORT, RATKN_EAR_AFFIRMING, NOW - 61, 60, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "61s old, older than the freshness window of 60s" },
	/* appraisal policies the connection accepts */
	{ POLICY_IDS, RATKN_EAR_AFFIRMING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming" },
	{ POLICY_IDS | LAX_POLICY_ID, RATKN_EAR_AFFIRMING, 0, 0, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "appraisal policy 'ratkn/lax' not accepted (the connection accepts "
	  "ratkn/prod, ratkn/lab)" },
	{ POLICY_IDS | NO_POLICY_ID, RATKN_EAR_AFFIRMING, 0, 0, 2,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "appraisal policy '(none)' not accepted" },
	{ LAX_POLICY_ID, RATKN_EAR_AFFIRMING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming" },
	/* trustworthiness claims that must be affirming */
	{ REQUIRE_HARDWARE, RATKN_EAR_AFFIRMING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming" },
	{ REQUIRE_HARDWARE, RATKN_EAR_AFFIRMING, 0, 0, 0, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_REFUSE, "trustworthiness claim hardware is 0" },
	{ REQUIRE_HARDWARE, RATKN_EAR_AFFIRMING, 0, 0, 32,
	  RATKN_WARNING_REFUSE, RATKN_VERDICT_REFUSE,
	  "hardware is 32, not affirming" },
	{ 0, RATKN_EAR_AFFIRMING, 0, 0, 0, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_ACCEPT, "affirming" },
	/* status tiers */
	{ 0, RATKN_EAR_WARNING, 0, 0, 2, RATKN_WARNING_REFUSE,
	  RATKN_VERDICT_REFUSE, "warning" },
	{ 0, RATKN_EAR_WARNING, 0, 0, 2, RATKN_WARNING_ACCEPT,
	  RATKN_VERDICT_ACCEPT, "warning" },
	{ 0, RATKN_EAR_WARNING, 0, 0, 2, RATKN_WARNING_RESTRICT,
	  RATKN_VERDICT_RESTRICT, "CHILD_SAs restricted to warning_ts" },
	{ 0, RATKN_EAR_CONTRAINDICATED, 0, 0, 2, RATKN_WARNING_ACCEPT,
	  RATKN_VERDICT_REFUSE, "contraindicated" },
	{ 0, RATKN_EAR_NONE, 0, 0, 2, RATKN_WARNING_ACCEPT,
	  RATKN_VERDICT_REFUSE, "none" },
};

START_TEST(test_judge)
{
	ratkn_ear_claims_t claims = {
		.status = rows[_i].status,
		.trust = { 2, 2, 2, rows[_i].hardware },
		.iat = NOW - 1,
		.exp = NOW + 300,
		.fresh_since = rows[_i].fresh_since,
		.reason = NULL,
	};
	ratkn_verdict_policy_t policy = {
		.passport = rows[_i].flags & PASSPORT,
		.freshness = rows[_i].freshness,
		.on_warning = rows[_i].on_warning,
	};
	ratkn_verdict_t verdict;
	u_int flags = rows[_i].flags;
	char msg[512] = "";

	claims.nonce = chunk_from_thing(binding);
	if (flags & OTHER_BINDING)
	{
		claims.nonce = chunk_from_thing(other_binding);
	}
	claims.identity_hash = chunk_from_thing(id_hash);
	if (flags & OTHER_IDENTITY)
	{
		claims.identity_hash = chunk_from_thing(other_id);
	}
	claims.policy_id = "ratkn/prod";
	if (flags & LAX_POLICY_ID)
	{
		claims.policy_id = "ratkn/lax";
	}
	if (flags & NO_POLICY_ID)
	{
		claims.policy_id = NULL;
	}
	if (flags & POLICY_IDS)
	{
		policy.policy_ids = linked_list_create_with_items("ratkn/prod",
														  "ratkn/lab", NULL);
	}
	if (flags & REQUIRE_HARDWARE)
	{
		policy.require_trust = 1 << RATKN_EAR_TV_HARDWARE;
	}
	verdict = ratkn_verdict_judge(&claims, &policy, binding, id_hash, NOW,
								  msg, sizeof(msg));
	ck_assert_msg(verdict == rows[_i].verdict, "row %d: verdict %d, "
				  "expected %d (%s)", _i, verdict, rows[_i].verdict, msg);
	ck_assert_msg(strstr(msg, rows[_i].msg), "row %d: '%s', expected '%s'",
				  _i, msg, rows[_i].msg);
	DESTROY_IF(policy.policy_ids);
}
END_TEST

START_TEST(test_on_warning_names)
{
	ratkn_on_warning_t on_warning;

	ck_assert(enum_from_name(ratkn_on_warning_names, "restrict",
							 &on_warning));
	ck_assert_int_eq(on_warning, RATKN_WARNING_RESTRICT);
	ck_assert(!enum_from_name(ratkn_on_warning_names, "narrow", &on_warning));
}
END_TEST

Suite *verdict_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("verdict");

	tc = tcase_create("judge");
	tcase_add_loop_test(tc, test_judge, 0, countof(rows));
	tcase_add_test(tc, test_on_warning_names);
	suite_add_tcase(s, tc);

	return s;
}
