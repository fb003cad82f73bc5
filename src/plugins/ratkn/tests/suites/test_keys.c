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

#include <ratkn_keys.h>

/* 64 octets, the shortest release accepted */
#define R64 "eyJhbGciOiJFQ0RILUVTIn0..aXZpdml2aXZpdml2.Y2lwaGVydGV4dA.dGFnMTI"
#define R64X "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

START_TEST(test_round_trip)
{
	char *releases[] = { R64, R64 ".x", R64 "-_y" }, *release;
	ratkn_keys_t *out, *in;
	enumerator_t *enumerator;
	char reason[128];
	int i = 0;

	ck_assert_int_eq(strlen(R64), 64);
	out = ratkn_keys_create(RATKN_IKE_INITIATOR, releases, countof(releases));
	ck_assert(out);
	ck_assert_int_eq(out->get_encoding(out).len,
					 4 + 3 * 4 + 64 + 66 + 67);
	in = ratkn_keys_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_role(in), RATKN_IKE_INITIATOR);
	ck_assert_int_eq(in->get_count(in), 3);
	enumerator = in->create_enumerator(in);
	while (enumerator->enumerate(enumerator, &release))
	{
		ck_assert_str_eq(release, releases[i++]);
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(i, 3);
	ck_assert_int_eq(in->get_edek_count(in), 0);
	enumerator = in->create_edek_enumerator(in);
	ck_assert(!enumerator->enumerate(enumerator, &release));
	enumerator->destroy(enumerator);
	ck_assert(chunk_equals(in->get_encoding(in), out->get_encoding(out)));
	in->destroy(in);
	out->destroy(out);
}
END_TEST

START_TEST(test_create_invalid)
{
	char *releases[RATKN_KEYS_MAX + 1], *bad[] = { R64 " " }, *none[] = { NULL };
	char *shortr[] = { "abc.def" };
	int i;

	for (i = 0; i < countof(releases); i++)
	{
		releases[i] = R64;
	}
	ck_assert(!ratkn_keys_create(RATKN_IKE_INITIATOR, releases, 0));
	ck_assert(!ratkn_keys_create(RATKN_IKE_INITIATOR, releases,
								 RATKN_KEYS_MAX + 1));
	ck_assert(!ratkn_keys_create(0, releases, 1));
	ck_assert(!ratkn_keys_create(RATKN_IKE_INITIATOR, bad, 1));
	ck_assert(!ratkn_keys_create(RATKN_IKE_INITIATOR, none, 1));
	ck_assert(!ratkn_keys_create(RATKN_IKE_INITIATOR, shortr, 1));
}
END_TEST

START_TEST(test_too_many)
{
	char *releases[RATKN_KEYS_MAX];
	ratkn_keys_t *out, *in;
	chunk_t data;
	char reason[128] = "";
	int i;

	for (i = 0; i < countof(releases); i++)
	{
		releases[i] = R64;
	}
	out = ratkn_keys_create(RATKN_IKE_RESPONDER, releases, RATKN_KEYS_MAX);
	ck_assert(out);
	in = ratkn_keys_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert(in);
	ck_assert_int_eq(in->get_count(in), RATKN_KEYS_MAX);
	in->destroy(in);
	/* one more RELEASE attribute */
	data = chunk_cat("cc", out->get_encoding(out),
					 chunk_from_chars(0x00, 0x01, 0x00, 0x40));
	data = chunk_cat("mc", data, chunk_from_str(R64));
	ck_assert(!ratkn_keys_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason, "more than 8 releases");
	chunk_free(&data);
	out->destroy(out);
}
END_TEST

static struct {
	char *hex;
	char *reason;
} bad[] = {
	{ "01 01", "truncated header (2 octets)" },
	{ "02 01 0001 0001 0040", "unsupported version 2" },
	{ "01 00 0001 0001 0040", "invalid role 0" },
	{ "01 03 0001 0001 0040", "invalid role 3" },
	{ "01 01 0002 0001 0040", "unsupported release format 2" },
	{ "01 01 0001", "no RELEASE or EDEK attribute" },
	/* only an unknown attribute */
	{ "01 01 0001 0009 0002 6161", "no RELEASE or EDEK attribute" },
	{ "01 01 0001 0001 0004 61616161",
	  "RELEASE 1 is not a compact JWE of 64 to 4096 octets" },
	{ "01 01 0001 0001 0041", "truncated attribute" },
	{ "01 01 0001 0002 0000", "EDEK 1 is not of 1 to 512 octets" },
	/* empty EDEK not at the end of the data */
	{ "01 01 0001 0002 0000 0002 0001 61",
	  "EDEK 1 is not of 1 to 512 octets" },
	{ "01 01 0001 0002 0002 61", "truncated attribute" },
	/* a valid EDEK does not excuse a bad RELEASE */
	{ "01 01 0001 0002 0001 61 0001 0004 61616161",
	  "RELEASE 1 is not a compact JWE of 64 to 4096 octets" },
	{ "01 01 0001 00", "truncated attribute" },
};

START_TEST(test_malformed)
{
	char reason[128] = "";
	chunk_t data;

	data = ratkn_test_hex(bad[_i].hex);
	ck_assert(!ratkn_keys_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason, bad[_i].reason);
	chunk_free(&data);
}
END_TEST

START_TEST(test_bad_chars)
{
	char reason[128] = "";
	chunk_t data, release;

	release = chunk_clone(chunk_from_str(R64X));
	release.ptr[10] = _i ? '/' : 0;
	data = chunk_cat("cc", chunk_from_chars(0x01, 0x01, 0x00, 0x01, 0x00,
											0x01, 0x00, 0x40), release);
	ck_assert(!ratkn_keys_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason,
					 "RELEASE 1 is not a compact JWE of 64 to 4096 octets");
	chunk_free(&data);
	chunk_free(&release);
}
END_TEST

START_TEST(test_unknown_skipped)
{
	char reason[128] = "";
	ratkn_keys_t *in;
	chunk_t data;

	data = chunk_cat("cc", chunk_from_chars(0x01, 0x02, 0x00, 0x01, 0x00,
						0x07, 0x00, 0x01, 0x61, 0x00, 0x01, 0x00, 0x40),
					 chunk_from_str(R64X));
	in = ratkn_keys_parse(data, reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_count(in), 1);
	ck_assert_int_eq(in->get_role(in), RATKN_IKE_RESPONDER);
	in->destroy(in);
	chunk_free(&data);
}
END_TEST

/**
 * Fill an EDEK with a pattern depending on its index
 */
static chunk_t edek_make(int i, size_t len)
{
	chunk_t edek;
	size_t j;

	edek = chunk_alloc(len);
	for (j = 0; j < len; j++)
	{
		edek.ptr[j] = (u_char)(i * 31 + j);
	}
	return edek;
}

/* EDEK counts for the request round trip */
static int request_counts[] = { 1, RATKN_KEYS_MAX };

START_TEST(test_request_round_trip)
{
	chunk_t edeks[RATKN_KEYS_MAX], *edek;
	ratkn_keys_t *out, *in;
	enumerator_t *enumerator;
	char reason[128] = "", *release;
	size_t expected = 4;
	int count = request_counts[_i], i;

	for (i = 0; i < count; i++)
	{
		/* vary lengths, including both bounds */
		edeks[i] = edek_make(i, i == 0 ? RATKN_KEYS_EDEK_MAX :
									i == 1 ? 1 : 16 + i);
		expected += 4 + edeks[i].len;
	}
	out = ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, count);
	ck_assert(out);
	ck_assert_int_eq(out->get_encoding(out).len, expected);
	ck_assert_int_eq(out->get_count(out), 0);
	ck_assert_int_eq(out->get_edek_count(out), count);
	/* header: version 1, role, release format 1, then EDEK attribute */
	ck_assert(chunk_equals(chunk_create(out->get_encoding(out).ptr, 6),
						   chunk_from_chars(0x01, 0x01, 0x00, 0x01,
											0x00, 0x02)));
	in = ratkn_keys_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_role(in), RATKN_IKE_INITIATOR);
	ck_assert_int_eq(in->get_count(in), 0);
	enumerator = in->create_enumerator(in);
	ck_assert(!enumerator->enumerate(enumerator, &release));
	enumerator->destroy(enumerator);
	ck_assert_int_eq(in->get_edek_count(in), count);
	i = 0;
	enumerator = in->create_edek_enumerator(in);
	while (enumerator->enumerate(enumerator, &edek))
	{
		ck_assert(i < count);
		ck_assert(chunk_equals(*edek, edeks[i]));
		i++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(i, count);
	ck_assert(chunk_equals(in->get_encoding(in), out->get_encoding(out)));
	in->destroy(in);
	/* the request owns clones */
	memset(edeks[0].ptr, 0xff, edeks[0].len);
	enumerator = out->create_edek_enumerator(out);
	ck_assert(enumerator->enumerate(enumerator, &edek));
	ck_assert(!chunk_equals(*edek, edeks[0]));
	enumerator->destroy(enumerator);
	out->destroy(out);
	for (i = 0; i < count; i++)
	{
		chunk_free(&edeks[i]);
	}
}
END_TEST

START_TEST(test_request_with_releases)
{
	char *releases[] = { R64 }, reason[128] = "", *release;
	ratkn_keys_t *out, *in;
	enumerator_t *enumerator;
	chunk_t data, *edek;
	int i = 0;

	out = ratkn_keys_create(RATKN_IKE_RESPONDER, releases, 1);
	ck_assert(out);
	/* EDEK "ab", RELEASE already there, EDEK "c", unknown attribute */
	data = chunk_cat("ccc",
				chunk_from_chars(0x01, 0x02, 0x00, 0x01,
								 0x00, 0x02, 0x00, 0x02, 0x61, 0x62),
				chunk_skip(out->get_encoding(out), 4),
				chunk_from_chars(0x00, 0x02, 0x00, 0x01, 0x63,
								 0x00, 0x09, 0x00, 0x01, 0x64));
	out->destroy(out);
	in = ratkn_keys_parse(data, reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_role(in), RATKN_IKE_RESPONDER);
	ck_assert_int_eq(in->get_count(in), 1);
	enumerator = in->create_enumerator(in);
	ck_assert(enumerator->enumerate(enumerator, &release));
	ck_assert_str_eq(release, R64);
	ck_assert(!enumerator->enumerate(enumerator, &release));
	enumerator->destroy(enumerator);
	ck_assert_int_eq(in->get_edek_count(in), 2);
	enumerator = in->create_edek_enumerator(in);
	while (enumerator->enumerate(enumerator, &edek))
	{
		ck_assert(chunk_equals(*edek, i ? chunk_from_str("c")
										: chunk_from_str("ab")));
		i++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(i, 2);
	ck_assert(chunk_equals(in->get_encoding(in), data));
	in->destroy(in);
	chunk_free(&data);
}
END_TEST

START_TEST(test_request_too_many)
{
	chunk_t edeks[RATKN_KEYS_MAX + 1], data;
	ratkn_keys_t *out, *in;
	char reason[128] = "";
	int i;

	for (i = 0; i < countof(edeks); i++)
	{
		edeks[i] = edek_make(i, 8);
	}
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks,
										 RATKN_KEYS_MAX + 1));
	out = ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks,
									RATKN_KEYS_MAX);
	ck_assert(out);
	in = ratkn_keys_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_edek_count(in), RATKN_KEYS_MAX);
	in->destroy(in);
	/* one more EDEK attribute */
	data = chunk_cat("cc", out->get_encoding(out),
					 chunk_from_chars(0x00, 0x02, 0x00, 0x08));
	data = chunk_cat("mc", data, edeks[RATKN_KEYS_MAX]);
	ck_assert(!ratkn_keys_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason, "more than 8 EDEKs");
	chunk_free(&data);
	out->destroy(out);
	for (i = 0; i < countof(edeks); i++)
	{
		chunk_free(&edeks[i]);
	}
}
END_TEST

/* EDEK lengths that are not acceptable */
static size_t bad_edek_lens[] = { 0, RATKN_KEYS_EDEK_MAX + 1 };

START_TEST(test_request_bad_length)
{
	chunk_t edeks[2], data;
	char reason[128] = "";
	size_t elen = bad_edek_lens[_i];

	edeks[0] = edek_make(0, 4);
	edeks[1] = edek_make(1, elen);
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_RESPONDER, edeks, 2));
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_RESPONDER, &edeks[1], 1));
	/* a valid EDEK, then the bad one */
	data = chunk_cat("cccc",
				chunk_from_chars(0x01, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00,
								 0x04),
				edeks[0],
				chunk_from_chars(0x00, 0x02, (u_char)(elen >> 8),
								 (u_char)(elen & 0xff)),
				edeks[1]);
	ck_assert(!ratkn_keys_parse(data, reason, sizeof(reason)));
	ck_assert_str_eq(reason, "EDEK 2 is not of 1 to 512 octets");
	chunk_free(&data);
	chunk_free(&edeks[0]);
	chunk_free(&edeks[1]);
}
END_TEST

START_TEST(test_request_invalid)
{
	chunk_t edeks[RATKN_KEYS_MAX + 1];
	ratkn_keys_t *out;
	int i;

	for (i = 0; i < countof(edeks); i++)
	{
		edeks[i] = chunk_from_str("edek");
	}
	ck_assert(!ratkn_keys_create_request(0, edeks, 1));
	ck_assert(!ratkn_keys_create_request(3, edeks, 1));
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, 0));
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, -1));
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks,
										 RATKN_KEYS_MAX + 1));
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, NULL, 1));
	edeks[1] = chunk_empty;
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, 2));
	edeks[1] = chunk_create(edeks[0].ptr, 0);
	ck_assert(!ratkn_keys_create_request(RATKN_IKE_INITIATOR, edeks, 2));
	/* the same input is accepted once it is valid */
	out = ratkn_keys_create_request(RATKN_IKE_RESPONDER, edeks, 1);
	ck_assert(out);
	ck_assert_int_eq(out->get_role(out), RATKN_IKE_RESPONDER);
	out->destroy(out);
}
END_TEST

Suite *keys_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("keys");

	tc = tcase_create("codec");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_create_invalid);
	tcase_add_test(tc, test_too_many);
	tcase_add_loop_test(tc, test_malformed, 0, countof(bad));
	tcase_add_loop_test(tc, test_bad_chars, 0, 2);
	tcase_add_test(tc, test_unknown_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("edek requests");
	tcase_add_loop_test(tc, test_request_round_trip, 0,
						countof(request_counts));
	tcase_add_test(tc, test_request_with_releases);
	tcase_add_test(tc, test_request_too_many);
	tcase_add_loop_test(tc, test_request_bad_length, 0,
						countof(bad_edek_lens));
	tcase_add_test(tc, test_request_invalid);
	suite_add_tcase(s, tc);

	return s;
}
