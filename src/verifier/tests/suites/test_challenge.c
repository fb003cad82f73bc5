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

#include "verifier_tests.h"

#include "verifier_challenge.h"

/**
 * Lifetime of the challenges of the tests
 */
#define LIFETIME 60

static verifier_challenge_t *challenge;

static void setup()
{
	challenge = verifier_challenge_create(LIFETIME);
	ck_assert(challenge);
}

static void teardown()
{
	challenge->destroy(challenge);
}

/**
 * Verify a challenge, check the outcome and (part of) the reason
 */
static void assert_verify(chunk_t value, time_t now,
						  verifier_challenge_status_t expected, char *reason)
{
	char why[256] = "";
	time_t issued = 0;

	ck_assert_int_eq(challenge->verify(challenge, value, now, &issued, why,
									   sizeof(why)), expected);
	if (reason)
	{
		ck_assert_msg(strstr(why, reason), "reason '%s', expected '%s'", why,
					  reason);
	}
}

START_TEST(test_valid)
{
	chunk_t a, b;
	char reason[128] = "";
	time_t now = time(NULL), issued = 0;

	ck_assert_int_eq(challenge->get_lifetime(challenge), LIFETIME);
	ck_assert(challenge->issue(challenge, now, &a));
	ck_assert_int_eq(a.len, VERIFIER_CHALLENGE_LEN);
	ck_assert(a.len >= RATKN_CHALLENGE_MIN && a.len <= RATKN_CHALLENGE_MAX);
	/* the issue time, big-endian, then random */
	ck_assert(untoh64(a.ptr) == (uint64_t)now);
	ck_assert_int_eq(challenge->verify(challenge, a, now, &issued, reason,
									   sizeof(reason)), VERIFIER_CHALLENGE_OK);
	ck_assert_int_eq(issued, now);
	/* valid for its lifetime, several times */
	assert_verify(a, now + LIFETIME, VERIFIER_CHALLENGE_OK, NULL);
	assert_verify(a, now + 1, VERIFIER_CHALLENGE_OK, NULL);
	/* each one is different */
	ck_assert(challenge->issue(challenge, now, &b));
	ck_assert(!chunk_equals(a, b));
	assert_verify(b, now, VERIFIER_CHALLENGE_OK, NULL);
	chunk_free(&a);
	chunk_free(&b);
}
END_TEST

START_TEST(test_expired)
{
	chunk_t value;
	time_t now = time(NULL);

	ck_assert(challenge->issue(challenge, now - 75, &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_EXPIRED,
				  "challenge expired (issued 75s ago, lifetime 60s)");
	chunk_free(&value);
	ck_assert(challenge->issue(challenge, now - LIFETIME - 1, &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_EXPIRED, NULL);
	chunk_free(&value);
}
END_TEST

START_TEST(test_future)
{
	chunk_t value;
	time_t now = time(NULL);

	ck_assert(challenge->issue(challenge, now + 30, &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_FUTURE,
				  "challenge issued in the future (30s ahead)");
	chunk_free(&value);
	/* a small skew is tolerated */
	ck_assert(challenge->issue(challenge, now + VERIFIER_CHALLENGE_SKEW,
							   &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_OK, NULL);
	chunk_free(&value);
	ck_assert(challenge->issue(challenge, now + VERIFIER_CHALLENGE_SKEW + 1,
							   &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_FUTURE, NULL);
	chunk_free(&value);
}
END_TEST

START_TEST(test_forged)
{
	verifier_challenge_t *other;
	chunk_t value;
	time_t now = time(NULL);
	int i;

	/* any changed bit: in the time, the random part and the MAC */
	ck_assert(challenge->issue(challenge, now - 75, &value));
	for (i = 0; i < VERIFIER_CHALLENGE_LEN * 8; i++)
	{
		value.ptr[i / 8] ^= 1 << (i % 8);
		assert_verify(value, now, VERIFIER_CHALLENGE_FORGED,
					  "challenge not issued by this verifier");
		value.ptr[i / 8] ^= 1 << (i % 8);
	}
	/* a made up time cannot make it fresh again */
	htoun64(value.ptr, now);
	assert_verify(value, now, VERIFIER_CHALLENGE_FORGED, NULL);
	chunk_free(&value);

	/* another verifier's, or this one's before a restart (new key) */
	other = verifier_challenge_create(LIFETIME);
	ck_assert(other->issue(other, now, &value));
	assert_verify(value, now, VERIFIER_CHALLENGE_FORGED,
				  "challenge not issued by this verifier (or before it "
				  "restarted)");
	chunk_free(&value);
	other->destroy(other);
}
END_TEST

START_TEST(test_wrong_length)
{
	chunk_t value;
	time_t now = time(NULL);

	ck_assert(challenge->issue(challenge, now, &value));
	assert_verify(chunk_create(value.ptr, value.len - 1), now,
				  VERIFIER_CHALLENGE_MALFORMED, "(39 octets, its challenges "
				  "have 40)");
	assert_verify(chunk_create(value.ptr, 16), now,
				  VERIFIER_CHALLENGE_MALFORMED, NULL);
	assert_verify(chunk_empty, now, VERIFIER_CHALLENGE_MALFORMED, NULL);
	chunk_free(&value);
	value = chunk_alloc(64);
	memset(value.ptr, 0, value.len);
	assert_verify(value, now, VERIFIER_CHALLENGE_MALFORMED, NULL);
	/* the first 40 octets of an all-zero value are no challenge either */
	value.len = VERIFIER_CHALLENGE_LEN;
	assert_verify(value, now, VERIFIER_CHALLENGE_FORGED, NULL);
	chunk_free(&value);
}
END_TEST

Suite *challenge_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("challenge");

	tc = tcase_create("challenge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_future);
	tcase_add_test(tc, test_forged);
	tcase_add_test(tc, test_wrong_length);
	suite_add_tcase(s, tc);

	return s;
}
