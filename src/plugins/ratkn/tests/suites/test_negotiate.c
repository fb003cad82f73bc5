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

#include <ratkn_negotiate.h>
#include <ratkn_kex.h>

static ratkn_format_t tpm2[] = { RATKN_FORMAT_TPM2_QUOTE };

/**
 * Compare chunks, two empty chunks being equal
 */
static bool eq(chunk_t a, chunk_t b)
{
	return (!a.len && !b.len) || chunk_equals(a, b);
}

/**
 * Create a share of the right length for a group
 */
static chunk_t share_for(uint16_t group)
{
	chunk_t share = chunk_alloc(ratkn_kex_public_len(group));

	memset(share.ptr, 0x5a, share.len);
	return share;
}

static struct {
	uint8_t flags;
	uint16_t group;
	size_t nonce;
	int formats;
	size_t len;
} good[] = {
	/* relying party with P-256: 4 + 68 + 36 + 6, see protocol.md */
	{ RATKN_FLAG_VERIFY, 19, 32, 1, 114 },
	/* attester with P-256 */
	{ RATKN_FLAG_ATTEST, 19, 0, 1, 78 },
	/* relying party with Curve25519 */
	{ RATKN_FLAG_VERIFY, 31, 32, 1, 82 },
	{ RATKN_FLAG_ATTEST, 31, 0, 1, 46 },
	{ RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY, 20, 64, 1, 178 },
	{ RATKN_FLAG_VERIFY, 32, 16, 1, 90 },
	/* supported but no role */
	{ 0, 31, 0, 0, 40 },
	/* group not supported by the responder */
	{ RATKN_FLAG_ATTEST, 0, 0, 1, 10 },
};

START_TEST(test_round_trip)
{
	ratkn_negotiate_t *out, *in;
	chunk_t share = chunk_empty, nonce = chunk_empty;
	char reason[128];

	if (good[_i].group)
	{
		share = share_for(good[_i].group);
	}
	if (good[_i].nonce)
	{
		nonce = chunk_alloc(good[_i].nonce);
		memset(nonce.ptr, 0x17, nonce.len);
	}
	out = ratkn_negotiate_create(good[_i].flags, good[_i].group, share, nonce,
								 tpm2, good[_i].formats, NULL, 0);
	ck_assert(out);
	ck_assert_int_eq(out->get_encoding(out).len, good[_i].len);
	ck_assert(eq(out->get_share(out), share));
	ck_assert(eq(out->get_nonce(out), nonce));

	in = ratkn_negotiate_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert_msg(in, "%s", reason);
	ck_assert_int_eq(in->get_version(in), 1);
	ck_assert_int_eq(in->get_flags(in), good[_i].flags);
	ck_assert_int_eq(in->get_group(in), good[_i].group);
	ck_assert(eq(in->get_share(in), share));
	ck_assert(eq(in->get_nonce(in), nonce));
	ck_assert(in->has_format(in, RATKN_FORMAT_TPM2_QUOTE) ==
			  (good[_i].formats > 0));
	ck_assert(chunk_equals(in->get_encoding(in), out->get_encoding(out)));
	in->destroy(in);
	out->destroy(out);
	chunk_free(&share);
	chunk_free(&nonce);
}
END_TEST

START_TEST(test_create_invalid)
{
	chunk_t share = share_for(31), nonce = chunk_alloca(32);

	/* VERIFY needs a nonce */
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_VERIFY, 31, share,
									  chunk_empty, tpm2, 1, NULL, 0));
	/* nonce too short/long */
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_VERIFY, 31, share,
									  chunk_create(nonce.ptr, 15), tpm2, 1, NULL, 0));
	/* roles need formats */
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_ATTEST, 31, share,
									  chunk_empty, tpm2, 0, NULL, 0));
	/* wrong share length */
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_ATTEST, 19, share,
									  chunk_empty, tpm2, 1, NULL, 0));
	/* share without group, group without share */
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_ATTEST, 0, share,
									  chunk_empty, tpm2, 1, NULL, 0));
	ck_assert(!ratkn_negotiate_create(RATKN_FLAG_ATTEST, 31, chunk_empty,
									  chunk_empty, tpm2, 1, NULL, 0));
	/* unknown flags */
	ck_assert(!ratkn_negotiate_create(0x80, 31, share, chunk_empty, tpm2, 1, NULL, 0));
	chunk_free(&share);
}
END_TEST

/**
 * A valid relying-party notify with Curve25519 (82 octets)
 */
static chunk_t valid_rp()
{
	ratkn_negotiate_t *n;
	chunk_t share = share_for(31), nonce, data;

	nonce = chunk_alloca(32);
	memset(nonce.ptr, 0x17, nonce.len);
	n = ratkn_negotiate_create(RATKN_FLAG_VERIFY, 31, share, nonce, tpm2, 1, NULL, 0);
	data = chunk_clone(n->get_encoding(n));
	n->destroy(n);
	chunk_free(&share);
	return data;
}

START_TEST(test_truncated)
{
	chunk_t data = valid_rp();
	ratkn_negotiate_t *n;
	char reason[128];
	size_t len;

	/* every truncation of a valid notify is rejected */
	for (len = 0; len < data.len; len++)
	{
		n = ratkn_negotiate_parse(chunk_create(data.ptr, len), reason,
								  sizeof(reason));
		ck_assert_msg(!n, "accepted truncation to %zu octets", len);
	}
	chunk_free(&data);
}
END_TEST

static struct {
	char *hex;
	char *reason;
} bad[] = {
	/* version 0 */
	{ "00 02 001f", "invalid version 0" },
	/* share of wrong length for P-256 */
	{ "01 01 0013 0001 0020 " "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	  " 0003 0002 0001", "SHARE of 32 octets for ecp256" },
	/* group without share */
	{ "01 01 001f 0003 0002 0001", "SHARE attribute missing" },
	/* share without group */
	{ "01 01 0000 0001 0001 5a 0003 0002 0001", "SHARE without group" },
	/* VERIFY without nonce */
	{ "01 02 0000 0003 0002 0001", "VERIFY without valid NONCE" },
	/* nonce too short */
	{ "01 02 0000 0002 000f 171717171717171717171717171717 0003 0002 0001",
	  "NONCE attribute has invalid length 15" },
	/* nonce too long */
	{ "01 02 0000 0002 0041 "
	  "1717171717171717171717171717171717171717171717171717171717171717"
	  "1717171717171717171717171717171717171717171717171717171717171717"
	  "17 0003 0002 0001", "NONCE attribute has invalid length 65" },
	/* odd formats */
	{ "01 01 0000 0003 0003 000100", "FORMATS attribute has odd length 3" },
	/* empty formats */
	{ "01 01 0000 0003 0000", "FORMATS attribute has invalid length 0" },
	/* ATTEST without formats */
	{ "01 01 0000", "FORMATS attribute missing" },
	/* duplicate formats */
	{ "01 01 0000 0003 0002 0001 0003 0002 0001", "duplicate FORMATS attribute" },
	/* attribute running past the end */
	{ "01 01 0000 0003 0004 0001", "truncated attribute" },
};

START_TEST(test_malformed)
{
	ratkn_negotiate_t *n;
	char reason[128] = "";
	chunk_t data;

	data = ratkn_test_hex(bad[_i].hex);
	n = ratkn_negotiate_parse(data, reason, sizeof(reason));
	ck_assert_msg(!n, "accepted %s", bad[_i].hex);
	ck_assert_str_eq(reason, bad[_i].reason);
	chunk_free(&data);
}
END_TEST

START_TEST(test_lenient)
{
	ratkn_negotiate_t *n;
	char reason[128] = "";
	chunk_t data;

	/* version 2, unknown flag 0x80, unknown attribute 9 and MODELS skipped,
	 * group 21 (not implemented) with a share of any length */
	data = ratkn_test_hex("02 81 0015 0009 0001 ff 0004 0002 0001 "
						  "0001 0003 aabbcc 0003 0004 0009 0001");
	n = ratkn_negotiate_parse(data, reason, sizeof(reason));
	ck_assert_msg(n, "%s", reason);
	ck_assert_int_eq(n->get_version(n), 2);
	ck_assert_int_eq(n->get_flags(n), RATKN_FLAG_ATTEST);
	ck_assert_int_eq(n->get_group(n), 21);
	ck_assert(chunk_equals(n->get_share(n), chunk_from_chars(0xaa,0xbb,0xcc)));
	ck_assert(n->has_format(n, RATKN_FORMAT_TPM2_QUOTE));
	ck_assert(!n->has_format(n, 9 + 1));
	n->destroy(n);
	chunk_free(&data);
}
END_TEST

START_TEST(test_models)
{
	ratkn_model_t both[] = { RATKN_MODEL_PASSPORT, RATKN_MODEL_BACKGROUND_CHECK };
	ratkn_model_t bc[] = { RATKN_MODEL_BACKGROUND_CHECK };
	ratkn_model_t got[RATKN_MAX_MODELS];
	ratkn_negotiate_t *out, *in;
	chunk_t share = share_for(31);
	char reason[128];

	/* a preference list is sent and parsed in order */
	out = ratkn_negotiate_create(RATKN_FLAG_ATTEST, 31, share, chunk_empty,
								 tpm2, 1, both, countof(both));
	ck_assert(out);
	ck_assert_int_eq(out->get_encoding(out).len, 46 + 8);
	in = ratkn_negotiate_parse(out->get_encoding(out), reason, sizeof(reason));
	ck_assert(in);
	ck_assert_int_eq(in->get_models(in, got), 2);
	ck_assert_int_eq(got[0], RATKN_MODEL_PASSPORT);
	ck_assert_int_eq(got[1], RATKN_MODEL_BACKGROUND_CHECK);
	in->destroy(in);
	out->destroy(out);

	/* background-check only is the default and not sent */
	out = ratkn_negotiate_create(RATKN_FLAG_ATTEST, 31, share, chunk_empty,
								 tpm2, 1, bc, 1);
	ck_assert_int_eq(out->get_encoding(out).len, 46);
	ck_assert_int_eq(out->get_models(out, got), 1);
	ck_assert_int_eq(got[0], RATKN_MODEL_BACKGROUND_CHECK);
	out->destroy(out);
	chunk_free(&share);

	/* odd MODELS length */
	share = ratkn_test_hex("01 00 0000 0004 0003 000100");
	ck_assert(!ratkn_negotiate_parse(share, reason, sizeof(reason)));
	ck_assert_str_eq(reason, "MODELS attribute has odd length 3");
	chunk_free(&share);
}
END_TEST

Suite *negotiate_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("negotiate");

	tc = tcase_create("round trip");
	tcase_add_loop_test(tc, test_round_trip, 0, countof(good));
	tcase_add_test(tc, test_create_invalid);
	tcase_add_test(tc, test_models);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_truncated);
	tcase_add_loop_test(tc, test_malformed, 0, countof(bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("lenient parsing");
	tcase_add_test(tc, test_lenient);
	suite_add_tcase(s, tc);

	return s;
}
