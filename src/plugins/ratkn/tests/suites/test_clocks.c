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

#include <ratkn_clocks.h>

/**
 * A quote's clock info: Clock in seconds, counters, safe
 */
static ratkn_clock_info_t info(uint64_t seconds, uint32_t resets,
							   uint32_t restarts, bool safe)
{
	return (ratkn_clock_info_t){
		.clock = seconds * 1000,
		.reset_count = resets,
		.restart_count = restarts,
		.safe = safe,
	};
}

/**
 * Steps of a sequence of quotes of one AK: clock info and whether it is
 * accepted, with a text of the reason if not
 */
static struct {
	uint64_t seconds;
	uint32_t resets, restarts;
	bool safe;
	bool ok;
	char *reason;
} steps[] = {
	{ 1000, 5, 0, TRUE, TRUE, NULL },
	/* concurrent quotes arrive out of order */
	{ 1010, 5, 0, TRUE, TRUE, NULL },
	{ 1005, 5, 0, TRUE, TRUE, NULL },
	{ 1011, 5, 0, TRUE, TRUE, NULL },
	/* a quote from long ago in the same boot */
	{ 900, 5, 0, TRUE, FALSE, "TPM clock went backwards by 111 s" },
	/* not safe: the clock may repeat, the counters may not */
	{ 900, 5, 0, FALSE, TRUE, NULL },
	/* a resume, then a reboot */
	{ 1020, 5, 1, TRUE, TRUE, NULL },
	{ 1000, 5, 0, TRUE, FALSE, "counters went backwards (5/0 after 5/1)" },
	{ 1030, 6, 0, TRUE, TRUE, NULL },
	/* the TPM state of the previous boot restored */
	{ 1025, 5, 1, TRUE, FALSE, "counters went backwards (5/1 after 6/0)" },
	{ 1040, 6, 0, TRUE, TRUE, NULL },
};

START_TEST(test_sequence)
{
	ratkn_clocks_t *clocks;
	ratkn_clock_info_t i;
	chunk_t ak = chunk_from_str("AK public area");
	char reason[256];
	bool ok;
	int n;

	clocks = ratkn_clocks_create(8);
	for (n = 0; n < countof(steps); n++)
	{
		i = info(steps[n].seconds, steps[n].resets, steps[n].restarts,
				 steps[n].safe);
		reason[0] = '\0';
		ok = clocks->check(clocks, ak, &i, reason, sizeof(reason));
		ck_assert_msg(ok == steps[n].ok, "step %d: %s", n, reason);
		if (!ok)
		{
			ck_assert_msg(strstr(reason, steps[n].reason), "step %d: '%s'",
						  n, reason);
		}
	}
	clocks->destroy(clocks);
}
END_TEST

START_TEST(test_per_ak_bounded)
{
	ratkn_clocks_t *clocks;
	ratkn_clock_info_t new = info(100, 3, 0, TRUE), old = info(50, 2, 0, TRUE);
	char reason[256], name[16];
	int n;

	clocks = ratkn_clocks_create(4);
	ck_assert(clocks->check(clocks, chunk_from_str("ak0"), &new, reason,
							sizeof(reason)));
	/* other AKs are independent */
	ck_assert(clocks->check(clocks, chunk_from_str("ak1"), &old, reason,
							sizeof(reason)));
	ck_assert(!clocks->check(clocks, chunk_from_str("ak0"), &old, reason,
							 sizeof(reason)));
	/* the least recently seen AKs are forgotten */
	for (n = 2; n < 6; n++)
	{
		snprintf(name, sizeof(name), "ak%d", n);
		ck_assert(clocks->check(clocks, chunk_from_str(name), &new, reason,
								sizeof(reason)));
	}
	ck_assert(clocks->check(clocks, chunk_from_str("ak0"), &old, reason,
							sizeof(reason)));
	clocks->destroy(clocks);
}
END_TEST

Suite *clocks_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("clocks");

	tc = tcase_create("check");
	tcase_add_test(tc, test_sequence);
	tcase_add_test(tc, test_per_ak_bounded);
	suite_add_tcase(s, tc);

	return s;
}
