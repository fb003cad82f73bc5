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

#include <ratkn_tlv.h>

static ratkn_tlv_rule_t template[] = {
	{ 1, "ONE", 1, 4, TRUE },
	{ 2, "TWO", 0, 8, FALSE },
};

START_TEST(test_parse_good)
{
	ratkn_tlv_rule_t rules[countof(template)];
	char reason[64];
	/* ONE=aabb, unknown 7 (skipped), TWO="" */
	chunk_t data = chunk_from_chars(0x00,0x01,0x00,0x02,0xaa,0xbb,
									0x00,0x07,0x00,0x01,0xff,
									0x00,0x02,0x00,0x00);

	memcpy(rules, template, sizeof(rules));
	ck_assert(ratkn_tlv_parse(data, rules, countof(rules), reason,
							  sizeof(reason)));
	ck_assert(rules[0].present && rules[1].present);
	ck_assert(chunk_equals(rules[0].value, chunk_from_chars(0xaa,0xbb)));
	ck_assert_int_eq(rules[1].value.len, 0);
}
END_TEST

static struct {
	chunk_t data;
	char *reason;
} bad[] = {
	/* truncated header */
	{ chunk_from_chars(0x00,0x01,0x00), "truncated attribute" },
	/* truncated value */
	{ chunk_from_chars(0x00,0x01,0x00,0x03,0xaa,0xbb), "truncated attribute" },
	/* duplicate */
	{ chunk_from_chars(0x00,0x01,0x00,0x01,0xaa,0x00,0x01,0x00,0x01,0xaa),
	  "duplicate ONE attribute" },
	/* too long */
	{ chunk_from_chars(0x00,0x01,0x00,0x05,1,2,3,4,5),
	  "ONE attribute has invalid length 5" },
	/* too short */
	{ chunk_from_chars(0x00,0x01,0x00,0x00), "ONE attribute has invalid length 0" },
	/* missing required */
	{ chunk_from_chars(0x00,0x02,0x00,0x00), "ONE attribute missing" },
	{ chunk_from_chars(), "ONE attribute missing" },
};

START_TEST(test_parse_bad)
{
	ratkn_tlv_rule_t rules[countof(template)];
	char reason[64] = "";

	memcpy(rules, template, sizeof(rules));
	ck_assert(!ratkn_tlv_parse(bad[_i].data, rules, countof(rules), reason,
							   sizeof(reason)));
	ck_assert_str_eq(reason, bad[_i].reason);
}
END_TEST

START_TEST(test_write)
{
	bio_writer_t *writer;

	writer = bio_writer_create(0);
	ratkn_tlv_write(writer, 0x1234, chunk_from_chars(0x01,0x02));
	ratkn_tlv_write(writer, 5, chunk_empty);
	ck_assert(chunk_equals(writer->get_buf(writer),
			chunk_from_chars(0x12,0x34,0x00,0x02,0x01,0x02,0x00,0x05,0x00,0x00)));
	writer->destroy(writer);
}
END_TEST

Suite *tlv_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("tlv");

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0, countof(bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);

	return s;
}
