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

#include <ratkn_pcr.h>

#include <tss2/tss2_tpm2_types.h>

/**
 * Selections that parse, with their canonical form and content
 */
static struct {
	char *str;
	char *canonical;
	u_int count;
	uint16_t alg[2];
	uint32_t mask[2];
} good[] = {
	{ "sha256:0,1,2-7", "sha256:0-7", 1,
	  { TPM2_ALG_SHA256 }, { 0xff } },
	{ "sha256:0", "sha256:0", 1, { TPM2_ALG_SHA256 }, { 0x01 } },
	{ "sha256:23", "sha256:23", 1, { TPM2_ALG_SHA256 }, { 0x800000 } },
	{ "sha256:0-23", "sha256:0-23", 1, { TPM2_ALG_SHA256 }, { 0xffffff } },
	{ "sha256:0,1", "sha256:0,1", 1, { TPM2_ALG_SHA256 }, { 0x03 } },
	{ "sha256:7,0", "sha256:0,7", 1, { TPM2_ALG_SHA256 }, { 0x81 } },
	{ "sha256:1-3,5,6,10-12", "sha256:1-3,5,6,10-12", 1,
	  { TPM2_ALG_SHA256 }, { 0x1c6e } },
	{ "sha256:4-4", "sha256:4", 1, { TPM2_ALG_SHA256 }, { 0x10 } },
	{ "sha256:0-7+sha1:0", "sha256:0-7+sha1:0", 2,
	  { TPM2_ALG_SHA256, TPM2_ALG_SHA1 }, { 0xff, 0x01 } },
	{ "sha1:10+sha256:16", "sha1:10+sha256:16", 2,
	  { TPM2_ALG_SHA1, TPM2_ALG_SHA256 }, { 0x400, 0x10000 } },
	{ "sha384:0 + sha512:1", "sha384:0+sha512:1", 2,
	  { TPM2_ALG_SHA384, TPM2_ALG_SHA512 }, { 0x01, 0x02 } },
	{ " SHA256 : 0 , 1 ", "sha256:0,1", 1, { TPM2_ALG_SHA256 }, { 0x03 } },
};

START_TEST(test_selection_parse)
{
	ratkn_pcr_selection_t sel, again;
	char buf[128];
	int i;

	ck_assert(ratkn_pcr_selection_parse(good[_i].str, &sel));
	ck_assert_int_eq(sel.count, good[_i].count);
	for (i = 0; i < sel.count; i++)
	{
		ck_assert_int_eq(sel.banks[i].alg, good[_i].alg[i]);
		ck_assert_int_eq(sel.banks[i].mask, good[_i].mask[i]);
	}
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf)),
					 good[_i].canonical);
	/* round trip */
	ck_assert(ratkn_pcr_selection_parse(buf, &again));
	ck_assert(ratkn_pcr_selection_equals(&sel, &again));
}
END_TEST

/**
 * Selections that must be rejected
 */
static char *bad[] = {
	"",
	" ",
	"sha256",
	"sha256:",
	"sha256:24",
	"sha256:100",
	"sha256:99999999999999999999",
	"sha256:-1",
	"sha256:1-",
	"sha256:7-3",
	"sha256:1,",
	"sha256:,1",
	"sha256:1,,2",
	"sha256:1,1",
	"sha256:0-7,3",
	"sha256:a",
	"sha256:1x",
	"sha256:1 2",
	"md5:1",
	"sha3:1",
	":1",
	"sha256:1+",
	"sha256:1+sha256:2",
	"sha256:1+sha1:2+sha1:3",
	"sha256:0-23+sha1:0-23+sha384:0+sha512:0+sha256:1",
	"sha256:1;sha1:2",
	"sha2567:1",
	"sha256-1",
};

START_TEST(test_selection_reject)
{
	ratkn_pcr_selection_t sel = {
		.count = 1,
		.banks = {{ .alg = 0x1234, .mask = 0x42 }},
	};

	ck_assert_msg(!ratkn_pcr_selection_parse(bad[_i], &sel), "'%s' accepted",
				  bad[_i]);
	/* the output is not touched on failure */
	ck_assert_int_eq(sel.count, 1);
	ck_assert_int_eq(sel.banks[0].alg, 0x1234);
	ck_assert_int_eq(sel.banks[0].mask, 0x42);
}
END_TEST

START_TEST(test_selection_null)
{
	ratkn_pcr_selection_t sel;

	ck_assert(!ratkn_pcr_selection_parse(NULL, &sel));
}
END_TEST

START_TEST(test_selection_to_str_short)
{
	ratkn_pcr_selection_t sel;
	char buf[8];

	ck_assert(ratkn_pcr_selection_parse("sha256:0,2,4,6,8", &sel));
	ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf));
	ck_assert(strlen(buf) < sizeof(buf));
	ck_assert(strneq(buf, "sha256:", 7));
}
END_TEST

START_TEST(test_selection_to_str_empty_bank)
{
	ratkn_pcr_selection_t sel = {
		.count = 3,
		.banks = {
			{ .alg = TPM2_ALG_SHA1, .mask = 0 },
			{ .alg = TPM2_ALG_SHA256, .mask = 0x3 },
			{ .alg = TPM2_ALG_SHA384, .mask = 0 },
		},
	};
	char buf[64];

	ck_assert_str_eq(ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf)),
					 "sha256:0,1");
	sel.banks[1].mask = 0;
	ck_assert_str_eq(ratkn_pcr_selection_to_str(&sel, buf, sizeof(buf)), "");
}
END_TEST

START_TEST(test_selection_contains_equals)
{
	ratkn_pcr_selection_t a, b, c, d;

	ck_assert(ratkn_pcr_selection_parse("sha256:0-7+sha1:9", &a));
	ck_assert(ratkn_pcr_selection_parse("sha256:0,1,2,3,4,5,6,7+sha1:9", &b));
	ck_assert(ratkn_pcr_selection_parse("sha1:9+sha256:0-7", &c));
	ck_assert(ratkn_pcr_selection_parse("sha256:0-6+sha1:9", &d));

	ck_assert(ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA256, 0));
	ck_assert(ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA256, 7));
	ck_assert(!ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA256, 8));
	ck_assert(!ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA256, 24));
	ck_assert(!ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA256, 1000));
	ck_assert(ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA1, 9));
	ck_assert(!ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA1, 0));
	ck_assert(!ratkn_pcr_selection_contains(&a, TPM2_ALG_SHA384, 0));

	ck_assert(ratkn_pcr_selection_equals(&a, &b));
	ck_assert(ratkn_pcr_selection_equals(&b, &a));
	/* bank order matters */
	ck_assert(!ratkn_pcr_selection_equals(&a, &c));
	ck_assert(!ratkn_pcr_selection_equals(&a, &d));
}
END_TEST

START_TEST(test_algs)
{
	uint16_t alg;

	ck_assert_int_eq(ratkn_pcr_alg_digest_len(TPM2_ALG_SHA1), 20);
	ck_assert_int_eq(ratkn_pcr_alg_digest_len(TPM2_ALG_SHA256), 32);
	ck_assert_int_eq(ratkn_pcr_alg_digest_len(TPM2_ALG_SHA384), 48);
	ck_assert_int_eq(ratkn_pcr_alg_digest_len(TPM2_ALG_SHA512), 64);
	ck_assert_int_eq(ratkn_pcr_alg_digest_len(TPM2_ALG_SM3_256), 0);
	ck_assert_int_eq(ratkn_pcr_alg_digest_len(0), 0);
	ck_assert_str_eq(ratkn_pcr_alg_name(TPM2_ALG_SHA1), "sha1");
	ck_assert_str_eq(ratkn_pcr_alg_name(TPM2_ALG_SHA256), "sha256");
	ck_assert_str_eq(ratkn_pcr_alg_name(TPM2_ALG_SHA384), "sha384");
	ck_assert_str_eq(ratkn_pcr_alg_name(TPM2_ALG_SHA512), "sha512");
	ck_assert_str_eq(ratkn_pcr_alg_name(0x4242), "unknown");
	ck_assert(ratkn_pcr_alg_from_name("sha384", &alg));
	ck_assert_int_eq(alg, TPM2_ALG_SHA384);
	ck_assert(!ratkn_pcr_alg_from_name("sha", &alg));
	ck_assert(!ratkn_pcr_alg_from_name("", &alg));
}
END_TEST

START_TEST(test_values)
{
	ratkn_pcr_values_t *values;
	ratkn_pcr_selection_t sel;
	enumerator_t *enumerator;
	uint8_t d20[20], d32[32], d48[48], d64[64];
	chunk_t digest;
	u_int alg, pcr, i = 0;
	struct {
		u_int alg;
		u_int pcr;
		size_t len;
	} expected[] = {
		{ TPM2_ALG_SHA256, 7, 32 },
		{ TPM2_ALG_SHA256, 0, 32 },
		{ TPM2_ALG_SHA1, 3, 20 },
		{ TPM2_ALG_SHA512, 23, 64 },
		{ TPM2_ALG_SHA384, 1, 48 },
	};

	memset(d20, 0x20, sizeof(d20));
	memset(d32, 0x32, sizeof(d32));
	memset(d48, 0x48, sizeof(d48));
	memset(d64, 0x64, sizeof(d64));

	values = ratkn_pcr_values_create();
	ck_assert_int_eq(values->get_count(values), 0);
	ck_assert(values->add(values, TPM2_ALG_SHA256, 7, chunk_from_thing(d32)));
	ck_assert(values->add(values, TPM2_ALG_SHA256, 0, chunk_from_thing(d32)));
	ck_assert(values->add(values, TPM2_ALG_SHA1, 3, chunk_from_thing(d20)));
	ck_assert(values->add(values, TPM2_ALG_SHA512, 23, chunk_from_thing(d64)));
	ck_assert(values->add(values, TPM2_ALG_SHA384, 1, chunk_from_thing(d48)));

	/* duplicate */
	ck_assert(!values->add(values, TPM2_ALG_SHA256, 7, chunk_from_thing(d32)));
	/* wrong digest length */
	ck_assert(!values->add(values, TPM2_ALG_SHA256, 8, chunk_from_thing(d20)));
	ck_assert(!values->add(values, TPM2_ALG_SHA1, 8, chunk_from_thing(d32)));
	ck_assert(!values->add(values, TPM2_ALG_SHA256, 8, chunk_empty));
	/* index out of range */
	ck_assert(!values->add(values, TPM2_ALG_SHA256, 24, chunk_from_thing(d32)));
	ck_assert(!values->add(values, TPM2_ALG_SHA256, 255,
						   chunk_from_thing(d32)));
	/* unsupported bank */
	ck_assert(!values->add(values, TPM2_ALG_SM3_256, 1, chunk_from_thing(d32)));
	ck_assert_int_eq(values->get_count(values), 5);

	ck_assert(values->get(values, TPM2_ALG_SHA1, 3, &digest));
	ck_assert(chunk_equals(digest, chunk_from_thing(d20)));
	ck_assert(!values->get(values, TPM2_ALG_SHA1, 7, &digest));
	ck_assert(!values->get(values, TPM2_ALG_SHA384, 3, &digest));

	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(i < countof(expected));
		ck_assert_int_eq(alg, expected[i].alg);
		ck_assert_int_eq(pcr, expected[i].pcr);
		ck_assert_int_eq(digest.len, expected[i].len);
		i++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(i, countof(expected));

	values->get_selection(values, &sel);
	ck_assert_int_eq(sel.count, 4);
	ck_assert_int_eq(sel.banks[0].alg, TPM2_ALG_SHA256);
	ck_assert_int_eq(sel.banks[0].mask, 0x81);
	ck_assert_int_eq(sel.banks[1].alg, TPM2_ALG_SHA1);
	ck_assert_int_eq(sel.banks[1].mask, 0x08);
	ck_assert_int_eq(sel.banks[2].alg, TPM2_ALG_SHA512);
	ck_assert_int_eq(sel.banks[2].mask, 0x800000);
	ck_assert_int_eq(sel.banks[3].alg, TPM2_ALG_SHA384);
	ck_assert_int_eq(sel.banks[3].mask, 0x02);
	values->destroy(values);
}
END_TEST

START_TEST(test_values_clone)
{
	ratkn_pcr_values_t *values;
	uint8_t d32[32];
	chunk_t digest;

	memset(d32, 0x01, sizeof(d32));
	values = ratkn_pcr_values_create();
	ck_assert(values->add(values, TPM2_ALG_SHA256, 1, chunk_from_thing(d32)));
	memset(d32, 0x02, sizeof(d32));
	ck_assert(values->get(values, TPM2_ALG_SHA256, 1, &digest));
	ck_assert_int_eq(digest.ptr[0], 0x01);
	values->destroy(values);
}
END_TEST

START_TEST(test_values_empty_selection)
{
	ratkn_pcr_values_t *values;
	ratkn_pcr_selection_t sel;

	values = ratkn_pcr_values_create();
	memset(&sel, 0xff, sizeof(sel));
	values->get_selection(values, &sel);
	ck_assert_int_eq(sel.count, 0);
	values->destroy(values);
}
END_TEST

Suite *pcr_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("pcr");

	tc = tcase_create("selection");
	tcase_add_loop_test(tc, test_selection_parse, 0, countof(good));
	tcase_add_loop_test(tc, test_selection_reject, 0, countof(bad));
	tcase_add_test(tc, test_selection_null);
	tcase_add_test(tc, test_selection_to_str_short);
	tcase_add_test(tc, test_selection_to_str_empty_bank);
	tcase_add_test(tc, test_selection_contains_equals);
	tcase_add_test(tc, test_algs);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_values_clone);
	tcase_add_test(tc, test_values_empty_selection);
	suite_add_tcase(s, tc);

	return s;
}
