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

#include <ratkn_result.h>

#define TOKEN "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2lnbmF0dXJl"

START_TEST(test_round_trip)
{
	ratkn_result_t *out, *in;
	char reason[128];

	out = ratkn_result_create(RATKN_IKE_RESPONDER, TOKEN);
	ck_assert(out);
	ck_assert_int_eq(out->get_encoding(out).len, 4 + 4 + strlen(TOKEN));
	in = ratkn_result_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_role(in), RATKN_IKE_RESPONDER);
	ck_assert_str_eq(in->get_token(in), TOKEN);
	in->destroy(in);
	out->destroy(out);
}
END_TEST

START_TEST(test_create_invalid)
{
	ck_assert(!ratkn_result_create(RATKN_IKE_RESPONDER, NULL));
	ck_assert(!ratkn_result_create(RATKN_IKE_RESPONDER, "short"));
	ck_assert(!ratkn_result_create(RATKN_IKE_RESPONDER, TOKEN " x"));
	ck_assert(!ratkn_result_create(0, TOKEN));
}
END_TEST

static struct {
	char *hex;
	char *reason;
} bad[] = {
	{ "01 02", "truncated header (2 octets)" },
	{ "02 02 0001 0001 0010 61616161616161616161616161616161",
	  "unsupported version 2" },
	{ "01 03 0001 0001 0010 61616161616161616161616161616161",
	  "invalid role 3" },
	{ "01 02 0002 0001 0010 61616161616161616161616161616161",
	  "unsupported result format 2" },
	{ "01 02 0001", "TOKEN attribute missing" },
	{ "01 02 0001 0001 0004 61616161", "TOKEN attribute has invalid length 4" },
	{ "01 02 0001 0001 0010 6161616161616161616161616161612f",
	  "TOKEN is not a compact JWS" },
	{ "01 02 0001 0001 0010 61616161616161616161616161616100",
	  "TOKEN is not a compact JWS" },
	{ "01 02 0001 0001 0011 61616161616161616161616161616161",
	  "truncated attribute" },
};

START_TEST(test_malformed)
{
	char reason[128] = "";
	chunk_t data;

	data = ratkn_test_hex(bad[_i].hex);
	ck_assert(!ratkn_result_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason, bad[_i].reason);
	chunk_free(&data);
}
END_TEST

Suite *result_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("result");

	tc = tcase_create("codec");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_create_invalid);
	tcase_add_loop_test(tc, test_malformed, 0, countof(bad));
	suite_add_tcase(s, tc);

	return s;
}
