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

#define _GNU_SOURCE
#include "ratkn_tests.h"

#include <ratkn_keystore.h>
#include <ratkn_pkcs11.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * Token of the tests
 */
#define TOKEN "ratkn-test"
#define PIN "1234"
#define CMK "ratkn-cmk"

/**
 * Temporary directory with the SoftHSM2 configuration and tokens
 */
static char dir[64];

/**
 * Is SoftHSM2 available (set up in the unchecked fixture)
 */
static bool have_softhsm;

/**
 * Key store of a test
 */
static ratkn_keystore_t *store;

/**
 * Create a temporary SoftHSM2 token, once for the test case
 */
static void setup_token()
{
	char path[256], cmd[512];
	FILE *conf;

	have_softhsm = FALSE;
	if (!*SOFTHSM2_MODULE || !*SOFTHSM2_UTIL ||
		access(SOFTHSM2_MODULE, R_OK) != 0)
	{
		fprintf(stderr, "SoftHSM2 not found, skipping key store tests\n");
		return;
	}
	strcpy(dir, "/tmp/ratkn-kms-test.XXXXXX");
	ck_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tokens", dir);
	ck_assert(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
	conf = fopen(path, "w");
	ck_assert(conf);
	fprintf(conf, "directories.tokendir = %s/tokens\n"
			"objectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(conf);
	setenv("SOFTHSM2_CONF", path, 1);
	snprintf(cmd, sizeof(cmd), "%s --init-token --free --label " TOKEN
			 " --pin " PIN " --so-pin 5678 >/dev/null", SOFTHSM2_UTIL);
	ck_assert(system(cmd) == 0);
	have_softhsm = TRUE;
}

static void teardown_token()
{
	char cmd[512];

	if (have_softhsm)
	{
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ignore_result(system(cmd));
	}
}

/**
 * Open the store with a fresh database
 */
static void setup()
{
	ratkn_pkcs11_t *token;
	char db[256];
	bool created;

	store = NULL;
	if (!have_softhsm)
	{
		return;
	}
	snprintf(db, sizeof(db), "%s/kms.db", dir);
	unlink(db);
	token = ratkn_pkcs11_create(SOFTHSM2_MODULE, TOKEN, PIN);
	ck_assert(token);
	store = ratkn_keystore_create(db, token, CMK);
	ck_assert(store);
	ck_assert(store->init_cmk(store, &created));
}

static void teardown()
{
	DESTROY_IF(store);
}

START_TEST(test_login)
{
	ratkn_pkcs11_t *token;

	if (!have_softhsm)
	{
		return;
	}
	ck_assert(!ratkn_pkcs11_create(SOFTHSM2_MODULE, TOKEN, "0000"));
	ck_assert(!ratkn_pkcs11_create(SOFTHSM2_MODULE, "no-such-token", PIN));
	ck_assert(!ratkn_pkcs11_create("/nonexistent/libp11.so", TOKEN, PIN));
	token = ratkn_pkcs11_create(SOFTHSM2_MODULE, TOKEN, PIN);
	ck_assert(token);
	token->destroy(token);
}
END_TEST

START_TEST(test_init_cmk)
{
	ratkn_keystore_t *other;
	ratkn_pkcs11_t *token;
	char db[256];
	bool created;

	if (!have_softhsm)
	{
		return;
	}
	snprintf(db, sizeof(db), "%s/other.db", dir);
	token = ratkn_pkcs11_create(SOFTHSM2_MODULE, TOKEN, PIN);
	ck_assert(token);
	other = ratkn_keystore_create(db, token, "cmk-init");
	ck_assert(other);
	ck_assert(other->init_cmk(other, &created));
	ck_assert(created);
	ck_assert(other->init_cmk(other, &created));
	ck_assert(!created);
	/* no key without a CMK of that label */
	other->destroy(other);
	token = ratkn_pkcs11_create(SOFTHSM2_MODULE, TOKEN, PIN);
	ck_assert(token);
	other = ratkn_keystore_create(db, token, "cmk-missing");
	ck_assert(!other->create(other, "k", "dek", chunk_empty, 32));
	other->destroy(other);
}
END_TEST

START_TEST(test_create_get)
{
	ratkn_key_info_t *info;
	chunk_t key, edek, again;

	if (!store)
	{
		return;
	}
	ck_assert(store->create(store, "model-weights", "dek", chunk_empty, 32));
	ck_assert(!store->create(store, "model-weights", "dek", chunk_empty, 32));
	ck_assert(!store->create(store, "bad name", "dek", chunk_empty, 32));
	ck_assert(!store->create(store, "k", "Bad", chunk_empty, 32));
	ck_assert(!store->create(store, "k", "dek", chunk_empty, 8));

	ck_assert(store->get(store, "model-weights", 0, &info, &key, &edek));
	ck_assert_int_eq(key.len, 32);
	ck_assert_int_eq(info->version, 1);
	ck_assert_int_eq(info->state, RATKN_KEY_ACTIVE);
	ck_assert_str_eq(info->usage, "dek");
	/* format, name, version, IV, key, tag */
	ck_assert_int_eq(edek.len, 1 + 1 + 13 + 4 + 12 + 32 + 16);
	ck_assert_int_eq(edek.ptr[0], RATKN_EDEK_FORMAT);
	/* the key is not in the EDEK in the clear */
	ck_assert(!memmem(edek.ptr, edek.len, key.ptr, 8));
	ratkn_key_info_destroy(info);

	ck_assert(store->decrypt_edek(store, edek, &info, &again));
	ck_assert(chunk_equals(key, again));
	ck_assert_str_eq(info->name, "model-weights");
	ratkn_key_info_destroy(info);
	chunk_clear(&again);

	/* a modified EDEK is refused */
	edek.ptr[edek.len - 1] ^= 0x01;
	ck_assert(!store->decrypt_edek(store, edek, NULL, &again));
	edek.ptr[edek.len - 1] ^= 0x01;
	ck_assert(!store->decrypt_edek(store, chunk_create(edek.ptr, 10), NULL,
								   &again));
	chunk_clear(&key);
	chunk_free(&edek);
}
END_TEST

START_TEST(test_import)
{
	chunk_t key, imported = chunk_from_chars(
		0x00,0x01,0x02,0x03,0x04,0x05,0x06,0x07,
		0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f);

	if (!store)
	{
		return;
	}
	ck_assert(store->create(store, "imported", "ppk", imported, 0));
	ck_assert(store->get(store, "imported", 1, NULL, &key, NULL));
	ck_assert(chunk_equals(key, imported));
	chunk_clear(&key);
	ck_assert(!store->create(store, "short", "ppk",
							 chunk_create(imported.ptr, 15), 0));
}
END_TEST

START_TEST(test_rotate_revoke)
{
	ratkn_key_info_t *info;
	enumerator_t *enumerator;
	chunk_t k1, k2, edek1, edek2, again;
	uint32_t version;
	int count = 0;

	if (!store)
	{
		return;
	}
	ck_assert(store->create(store, "weights", "dek", chunk_empty, 32));
	ck_assert(store->get(store, "weights", 0, NULL, &k1, &edek1));
	ck_assert(store->rotate(store, "weights", chunk_empty, &version));
	ck_assert_int_eq(version, 2);
	ck_assert(!store->rotate(store, "nothing", chunk_empty, &version));
	ck_assert(store->get(store, "weights", 0, &info, &k2, &edek2));
	ck_assert_int_eq(info->version, 2);
	ratkn_key_info_destroy(info);
	ck_assert(!chunk_equals(k1, k2));

	/* the retired version is not released, its EDEK still unwraps */
	ck_assert(!store->get(store, "weights", 1, NULL, &again, NULL));
	ck_assert(store->get_info(store, "weights", 1, &info));
	ck_assert_int_eq(info->state, RATKN_KEY_RETIRED);
	ratkn_key_info_destroy(info);
	ck_assert(store->decrypt_edek(store, edek1, NULL, &again));
	ck_assert(chunk_equals(k1, again));
	chunk_clear(&again);

	enumerator = store->create_enumerator(store, "weights");
	while (enumerator->enumerate(enumerator, &info))
	{
		ck_assert_int_eq(info->version, ++count);
		ck_assert_int_eq(info->len, 32);
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(count, 2);

	/* revoking version 1 stops its EDEK */
	ck_assert(store->revoke(store, "weights", 1));
	ck_assert(!store->revoke(store, "weights", 1));
	ck_assert(!store->decrypt_edek(store, edek1, NULL, &again));
	ck_assert(store->decrypt_edek(store, edek2, NULL, &again));
	chunk_clear(&again);

	/* revoking all stops everything */
	ck_assert(store->revoke(store, "weights", 0));
	ck_assert(!store->get(store, "weights", 0, NULL, &again, NULL));
	ck_assert(!store->decrypt_edek(store, edek2, NULL, &again));
	ck_assert(!store->rotate(store, "weights", chunk_empty, &version) ||
			  version == 3);

	chunk_clear(&k1);
	chunk_clear(&k2);
	chunk_free(&edek1);
	chunk_free(&edek2);
}
END_TEST

START_TEST(test_grants)
{
	identification_t *gw;
	ratkn_kms_grant_t grant = {
		.key = "weights",
		.peer = "*.fleet.example",
		.status = RATKN_EAR_AFFIRMING,
		.lifetime = 3600,
	};
	ratkn_kms_policy_t *policy;
	ratkn_kms_decision_t *decision;
	linked_list_t *list;
	u_int id1, id2;

	if (!store)
	{
		return;
	}
	ck_assert(store->add_grant(store, &grant, &id1));
	grant.peer = "group:ops";
	grant.status = RATKN_EAR_WARNING;
	ck_assert(store->add_grant(store, &grant, &id2));
	ck_assert(id2 > id1);
	grant.lifetime = 0;
	ck_assert(!store->add_grant(store, &grant, &id2));

	gw = identification_create_from_string("gw.fleet.example");
	policy = store->create_policy(store);
	list = policy->decide(policy, gw, NULL, RATKN_EAR_AFFIRMING);
	ck_assert_int_eq(list->get_count(list), 1);
	ck_assert(list->get_first(list, (void**)&decision) == SUCCESS);
	ck_assert(decision->granted);
	ck_assert_int_eq(decision->grant, id1);
	list->destroy_function(list, (void*)ratkn_kms_decision_destroy);
	policy->destroy(policy);

	ck_assert(store->remove_grant(store, id1));
	ck_assert(!store->remove_grant(store, id1));
	policy = store->create_policy(store);
	list = policy->decide(policy, gw, NULL, RATKN_EAR_AFFIRMING);
	ck_assert_int_eq(list->get_count(list), 0);
	list->destroy(list);
	policy->destroy(policy);
	gw->destroy(gw);
}
END_TEST

START_TEST(test_without_token)
{
	ratkn_keystore_t *plain;
	chunk_t key;
	char db[256];
	bool created;

	if (!have_softhsm)
	{
		return;
	}
	ck_assert(store->create(store, "listed", "dek", chunk_empty, 32));
	snprintf(db, sizeof(db), "%s/kms.db", dir);
	plain = ratkn_keystore_create(db, NULL, CMK);
	ck_assert(plain);
	ck_assert(!plain->init_cmk(plain, &created));
	ck_assert(!plain->get(plain, "listed", 0, NULL, &key, NULL));
	ck_assert(!plain->create(plain, "other", "dek", chunk_empty, 32));
	plain->destroy(plain);
}
END_TEST

Suite *keystore_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("keystore");

	tc = tcase_create("softhsm2 login");
	tcase_add_unchecked_fixture(tc, setup_token, teardown_token);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_login);
	suite_add_tcase(s, tc);

	tc = tcase_create("softhsm2 data");
	tcase_add_unchecked_fixture(tc, setup_token, teardown_token);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_init_cmk);
	tcase_add_test(tc, test_create_get);
	tcase_add_test(tc, test_import);
	tcase_add_test(tc, test_rotate_revoke);
	tcase_add_test(tc, test_grants);
	tcase_add_test(tc, test_without_token);
	suite_add_tcase(s, tc);

	return s;
}
