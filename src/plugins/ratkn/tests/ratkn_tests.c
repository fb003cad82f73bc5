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

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/**
 * Plugins the tests need from the installed libstrongswan (certificate and
 * key parsing, hashers for identification matching); configure adds the
 * software hashers where they are installed
 */
#define TEST_PLUGINS RATKN_TEST_PLUGINS

/*
 * Described in header
 */
chunk_t ratkn_test_hex(char *hex)
{
	char *clean, *pos;
	chunk_t bin;

	clean = strdup(hex);
	for (pos = clean; *hex; hex++)
	{
		if (!isspace(*hex))
		{
			*pos++ = *hex;
		}
	}
	*pos = '\0';
	bin = chunk_from_hex(chunk_from_str(clean), NULL);
	free(clean);
	return bin;
}

/**
 * Suites in the order they run; RATKN_TEST_SUITES="name,name" selects some
 */
static struct {
	char *name;
	Suite *(*create)();
} suites[] = {
	{ "tlv",		tlv_suite_create },
	{ "negotiate",	negotiate_suite_create },
	{ "kex",		kex_suite_create },
	{ "keysched",	keysched_suite_create },
	{ "binding",	binding_suite_create },
	{ "pcr",		pcr_suite_create },
	{ "reference",	reference_suite_create },
	{ "ak",			ak_suite_create },
	{ "evidence",	evidence_suite_create },
	{ "appraisal",	appraisal_suite_create },
	{ "tpm",		tpm_suite_create },
	{ "session",	session_suite_create },
	{ "tpm_share",	tpm_share_suite_create },
	{ "result",		result_suite_create },
	{ "keys",		keys_suite_create },
	{ "keyring",	keyring_suite_create },
	{ "ear",		ear_suite_create },
	{ "verdict",	verdict_suite_create },
	{ "clocks",		clocks_suite_create },
	{ "http",		http_suite_create },
	{ "credential",	credential_suite_create },
	{ "jwe",		jwe_suite_create },
	{ "keystore",	keystore_suite_create },
	{ "kms_policy",	kms_policy_suite_create },
	{ "config",		config_suite_create },
	{ "plugin",		plugin_suite_create },
	{ "abi",		abi_suite_create },
};

/**
 * Check if a suite is selected through RATKN_TEST_SUITES
 */
static bool selected(char *name)
{
	enumerator_t *enumerator;
	char *filter, *token;
	bool found = FALSE;

	filter = getenv("RATKN_TEST_SUITES");
	if (!filter || !*filter)
	{
		return TRUE;
	}
	enumerator = enumerator_create_token(filter, ",", " ");
	while (enumerator->enumerate(enumerator, &token))
	{
		if (streq(token, name))
		{
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

int main(int argc, char *argv[])
{
	SRunner *runner = NULL;
	Suite *suite;
	int i, failed;

	/* the tests must not pick up a system-wide or lab strongswan.conf */
	if (!library_init(RATKN_SRCDIR "/tests/ratkn_tests.conf", "ratkn-tests"))
	{
		fprintf(stderr, "library_init() failed\n");
		return 1;
	}
	if (!lib->plugins->load(lib->plugins, TEST_PLUGINS))
	{
		fprintf(stderr, "loading plugins '%s' failed\n", TEST_PLUGINS);
		library_deinit();
		return 1;
	}
	for (i = 0; i < countof(suites); i++)
	{
		if (!selected(suites[i].name))
		{
			continue;
		}
		suite = suites[i].create();
		if (!runner)
		{
			runner = srunner_create(suite);
		}
		else
		{
			srunner_add_suite(runner, suite);
		}
	}
	if (!runner)
	{
		fprintf(stderr, "no suite selected by RATKN_TEST_SUITES\n");
		library_deinit();
		return 1;
	}
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	library_deinit();
	return failed ? 1 : 0;
}
