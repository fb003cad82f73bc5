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

/**
 * @defgroup ratkn_tests ratkn_tests
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TESTS_H_
#define RATKN_TESTS_H_

#include <check.h>
#include <library.h>

/**
 * Suite constructors, one per tests/suites/test_*.c file.
 */
Suite *tlv_suite_create();
Suite *negotiate_suite_create();
Suite *kex_suite_create();
Suite *keysched_suite_create();
Suite *binding_suite_create();
Suite *pcr_suite_create();
Suite *reference_suite_create();
Suite *ak_suite_create();
Suite *tpm_suite_create();
Suite *evidence_suite_create();
Suite *appraisal_suite_create();
Suite *session_suite_create();
Suite *tpm_share_suite_create();
Suite *result_suite_create();
Suite *keys_suite_create();
Suite *keyring_suite_create();
Suite *ear_suite_create();
Suite *verdict_suite_create();
Suite *clocks_suite_create();
Suite *http_suite_create();
Suite *credential_suite_create();
Suite *jwe_suite_create();
Suite *keystore_suite_create();
Suite *kms_policy_suite_create();
Suite *config_suite_create();
Suite *plugin_suite_create();
Suite *abi_suite_create();

/**
 * Parse a hex string into an allocated chunk (test helper).
 *
 * @param hex			hex string, whitespace ignored
 * @return				allocated chunk
 */
chunk_t ratkn_test_hex(char *hex);

#endif /** RATKN_TESTS_H_ @}*/
