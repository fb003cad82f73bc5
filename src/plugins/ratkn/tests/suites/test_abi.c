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

#include <daemon.h>

/**
 * The ABI probe (testing/abi) loaded into libcharon through the plugin
 * loader, as critical plugin: it fails to load if the strongSwan headers the
 * build used do not describe the installed libraries (method order, struct
 * layouts, enum values ratkn relies on)
 */
START_TEST(test_abi_probe)
{
	level_t levels[DBG_MAX];
	int i;

	ck_assert(libcharon_init());
	/* the probe's findings (DBG1 of DBG_CFG) on stderr, in the test log */
	for (i = 0; i < DBG_MAX; i++)
	{
		levels[i] = i == DBG_CFG ? LEVEL_CTRL : LEVEL_SILENT;
	}
	charon->set_default_loggers(charon, levels, TRUE);
	charon->load_loggers(charon);
	lib->plugins->add_path(lib->plugins, RATKN_ABI_DIR);
	ck_assert_msg(lib->plugins->load(lib->plugins,
									 RATKN_TEST_PLUGINS " ratkn-abi!"),
				  "the ABI probe failed (see the 'ratkn-abi: FAILED' lines)");
	ck_assert(strstr(lib->plugins->loaded_plugins(lib->plugins),
					 "ratkn-abi"));
	libcharon_deinit();
}
END_TEST

Suite *abi_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("abi");

	tc = tcase_create("probe");
	tcase_add_test(tc, test_abi_probe);
	suite_add_tcase(s, tc);

	return s;
}
