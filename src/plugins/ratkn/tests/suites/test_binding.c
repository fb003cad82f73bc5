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

#include <ratkn_binding.h>

/**
 * Vector of docs/protocol.md section 12: M_i = 00..3f, M_r = 40..7f,
 * identity DER = c0..df, attester role responder
 */
#define SESSION_HASH \
	"007b64a82a84af303f001f3a0f7a756aaf688a27b1b7fdc4e3035474d03d8d31"
#define IDENTITY_HASH \
	"ec071e0a0136c837c051cee6a7713edbaea6936712d1a3ca37e84fee3226e61d"
#define BINDING_R \
	"0e1695891a5277530ae5cf285037647e1a4100d5619196741ec21cebe6514d6e"
#define BINDING_I \
	"b43b58296cf122d94967d8fa458adb63e26bf63f655e8154538cabd0948a61b7"
#define TRANSCRIPT_HASH \
	"75f7c9c6b0c6f11f35109b92dcee7713547121dbf3a35e07aaf301e7b6a9b5e6"
#define TRANSCRIPT_BINDING_R \
	"16dfdc88aa48db6ff4f2fae8d3c354b5f2c4ec19b2f009fc82dd9d292b28c136"
#define CHALLENGED_R \
	"5f25ee8723b337e5320c8e7aa7eac1bb3c2b3d99fef26f1bf643bb9a973c1603"

/**
 * Bytes start, start + 1, ..., start + len - 1
 */
static chunk_t counting(u_char start, size_t len)
{
	chunk_t c = chunk_alloc(len);
	size_t i;

	for (i = 0; i < len; i++)
	{
		c.ptr[i] = start + i;
	}
	return c;
}

START_TEST(test_vector)
{
	uint8_t session[RATKN_HASH_LEN], id[RATKN_HASH_LEN], b[RATKN_HASH_LEN];
	chunk_t m_i, m_r, der, expected, c;

	m_i = counting(0x00, 64);
	m_r = counting(0x40, 64);
	der = counting(0xc0, 32);

	ck_assert(ratkn_binding_session_hash(m_i, m_r, session));
	expected = ratkn_test_hex(SESSION_HASH);
	c = chunk_from_thing(session);
	ck_assert_msg(chunk_equals(c, expected), "session hash %#B", &c);
	chunk_free(&expected);

	ck_assert(ratkn_binding_identity_hash(der, id));
	expected = ratkn_test_hex(IDENTITY_HASH);
	c = chunk_from_thing(id);
	ck_assert_msg(chunk_equals(c, expected), "identity hash %#B", &c);
	chunk_free(&expected);

	ck_assert(ratkn_binding_compute(RATKN_IKE_RESPONDER,
				chunk_from_thing(session), chunk_from_thing(id), b));
	expected = ratkn_test_hex(BINDING_R);
	c = chunk_from_thing(b);
	ck_assert_msg(chunk_equals(c, expected), "binding (R) %#B", &c);
	chunk_free(&expected);

	ck_assert(ratkn_binding_compute(RATKN_IKE_INITIATOR,
				chunk_from_thing(session), chunk_from_thing(id), b));
	expected = ratkn_test_hex(BINDING_I);
	c = chunk_from_thing(b);
	ck_assert_msg(chunk_equals(c, expected), "binding (I) %#B", &c);
	chunk_free(&expected);

	chunk_free(&m_i);
	chunk_free(&m_r);
	chunk_free(&der);
}
END_TEST

START_TEST(test_transcript_vector)
{
	uint8_t session[RATKN_HASH_LEN], id[RATKN_HASH_LEN], b[RATKN_HASH_LEN];
	chunk_t m[4], der, expected, c;
	int i;

	m[0] = counting(0x00, 64);
	m[1] = counting(0x40, 64);
	m[2] = counting(0x80, 32);
	m[3] = counting(0xa0, 48);
	der = counting(0xc0, 32);

	/* IKE_SA_INIT alone: the plain session hash */
	ck_assert(ratkn_binding_transcript_hash(m, 2, session));
	expected = ratkn_test_hex(SESSION_HASH);
	ck_assert(chunk_equals(chunk_from_thing(session), expected));
	chunk_free(&expected);

	/* with one IKE_INTERMEDIATE exchange */
	ck_assert(ratkn_binding_transcript_hash(m, 4, session));
	expected = ratkn_test_hex(TRANSCRIPT_HASH);
	c = chunk_from_thing(session);
	ck_assert_msg(chunk_equals(c, expected), "transcript hash %#B", &c);
	chunk_free(&expected);
	ck_assert(ratkn_binding_identity_hash(der, id));
	ck_assert(ratkn_binding_compute(RATKN_IKE_RESPONDER,
				chunk_from_thing(session), chunk_from_thing(id), b));
	expected = ratkn_test_hex(TRANSCRIPT_BINDING_R);
	c = chunk_from_thing(b);
	ck_assert_msg(chunk_equals(c, expected), "binding %#B", &c);
	chunk_free(&expected);

	/* pairs only, at most RATKN_BINDING_MAX_INTERMEDIATE exchanges */
	ck_assert(!ratkn_binding_transcript_hash(m, 3, session));
	ck_assert(!ratkn_binding_transcript_hash(m, 0, session));
	for (i = 0; i < 4; i++)
	{
		chunk_free(&m[i]);
	}
	chunk_free(&der);
}
END_TEST

START_TEST(test_challenged_vector)
{
	uint8_t q[RATKN_HASH_LEN];
	chunk_t binding, challenge, expected, c;

	binding = ratkn_test_hex(BINDING_R);
	challenge = counting(0xa0, 40);
	ck_assert(ratkn_binding_challenged(binding.ptr, challenge, q));
	expected = ratkn_test_hex(CHALLENGED_R);
	c = chunk_from_thing(q);
	ck_assert_msg(chunk_equals(c, expected), "challenged binding %#B", &c);
	chunk_free(&expected);

	/* 16 to 64 octets */
	ck_assert(!ratkn_binding_challenged(binding.ptr,
										chunk_create(challenge.ptr, 15), q));
	ck_assert(ratkn_binding_challenged(binding.ptr,
									   chunk_create(challenge.ptr, 16), q));
	chunk_free(&challenge);
	challenge = counting(0x00, 65);
	ck_assert(!ratkn_binding_challenged(binding.ptr, challenge, q));
	ck_assert(ratkn_binding_challenged(binding.ptr,
									   chunk_create(challenge.ptr, 64), q));
	chunk_free(&challenge);
	chunk_free(&binding);
}
END_TEST

START_TEST(test_order_matters)
{
	uint8_t a[RATKN_HASH_LEN], b[RATKN_HASH_LEN];
	chunk_t m_i = counting(0, 10), m_r = counting(10, 10), moved;

	ck_assert(ratkn_binding_session_hash(m_i, m_r, a));
	ck_assert(ratkn_binding_session_hash(m_r, m_i, b));
	ck_assert(!memeq(a, b, sizeof(a)));
	/* length prefixes: moving the boundary between messages matters */
	moved = chunk_cat("cc", chunk_create(m_i.ptr + 9, 1), m_r);
	ck_assert(ratkn_binding_session_hash(chunk_create(m_i.ptr, 9), moved, b));
	ck_assert(!memeq(a, b, sizeof(a)));
	chunk_free(&moved);
	chunk_free(&m_i);
	chunk_free(&m_r);
}
END_TEST

START_TEST(test_invalid)
{
	uint8_t h[RATKN_HASH_LEN], b[RATKN_HASH_LEN];

	memset(h, 1, sizeof(h));
	ck_assert(!ratkn_binding_compute(0, chunk_from_thing(h),
									 chunk_from_thing(h), b));
	ck_assert(!ratkn_binding_compute(3, chunk_from_thing(h),
									 chunk_from_thing(h), b));
	ck_assert(!ratkn_binding_compute(RATKN_IKE_INITIATOR,
				chunk_create(h, 31), chunk_from_thing(h), b));
	ck_assert(!ratkn_binding_compute(RATKN_IKE_INITIATOR,
				chunk_from_thing(h), chunk_create(h, 20), b));
}
END_TEST

Suite *binding_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("binding");

	tc = tcase_create("binding");
	tcase_add_test(tc, test_vector);
	tcase_add_test(tc, test_transcript_vector);
	tcase_add_test(tc, test_challenged_vector);
	tcase_add_test(tc, test_order_matters);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);

	return s;
}
