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

#include <time.h>
#include <unistd.h>
#include <keyutils.h>

#include <ratkn_keyring.h>
#include <ratkn_kex.h>

/**
 * Keyring of this test run, under the user keyring
 */
static char name[64];

static void setup()
{
	snprintf(name, sizeof(name), "ratkn-test-%d", getpid());
}

static void teardown()
{
	key_serial_t serial;

	serial = keyctl_search(KEY_SPEC_USER_KEYRING, "keyring", name, 0);
	if (serial >= 0)
	{
		keyctl_clear(serial);
		keyctl_unlink(serial, KEY_SPEC_USER_KEYRING);
	}
}

/**
 * Make an unwrapped release of NAME:VERSION expiring at exp
 */
static ratkn_jwe_key_t *make_key(char *key_name, uint32_t version,
								 time_t exp, u_char fill, bool edek)
{
	u_char k[32], e[40];
	ratkn_jwe_claims_t claims = {
		.name = key_name,
		.version = version,
		.usage = "dek",
		.iat = exp - 100,
		.exp = exp,
		.key = chunk_from_thing(k),
		.edek = edek ? chunk_from_thing(e) : chunk_empty,
	};
	uint8_t binding[32] = {};
	ratkn_jwe_key_t *key;
	ratkn_kex_t *kex;
	char *token, reason[128] = "";

	memset(k, fill, sizeof(k));
	memset(e, 0xee, sizeof(e));
	kex = ratkn_kex_create(19);
	token = ratkn_jwe_wrap(&claims, 19, kex->get_public(kex),
						   chunk_from_thing(binding));
	ck_assert(token);
	key = kex->unwrap(kex, token, chunk_from_thing(binding), exp - 50, reason,
					  sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	free(token);
	kex->destroy(kex);
	return key;
}

/**
 * Number of released keys listed, and whether NAME:VERSION is among them
 */
static int count_keys(ratkn_keyring_t *keyring, char *key_name,
					  uint32_t version, bool *found, bool *edek)
{
	ratkn_keyring_entry_t *entry;
	enumerator_t *enumerator;
	int count = 0;

	*found = *edek = FALSE;
	enumerator = keyring->create_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &entry))
	{
		count++;
		if (streq(entry->name, key_name) && entry->version == version)
		{
			*found = TRUE;
			*edek = entry->edek != 0;
			ck_assert_int_eq(entry->perm, RATKN_KEYRING_DEFAULT_PERM);
		}
	}
	enumerator->destroy(enumerator);
	return count;
}

/**
 * Number of pending requests, optionally copying the EDEK of NAME:VERSION
 * (allocated) and checking the permissions of every request
 */
static int count_requests(ratkn_keyring_t *keyring, char *key_name,
						  uint32_t version, chunk_t *edek)
{
	ratkn_keyring_request_t *request;
	enumerator_t *enumerator;
	unsigned int perm;
	char *desc;
	int count = 0;

	if (edek)
	{
		*edek = chunk_empty;
	}
	enumerator = keyring->create_request_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &request))
	{
		count++;
		ck_assert(request->serial > 0);
		ck_assert(request->edek.len > 0);
		ck_assert(keyctl_describe_alloc(request->serial, &desc) > 0);
		ck_assert(sscanf(desc, "user;%*[^;];%*[^;];%x;", &perm) == 1);
		ck_assert_int_eq(perm, RATKN_KEYRING_DEFAULT_PERM);
		free(desc);
		if (edek && key_name && streq(request->name, key_name) &&
			request->version == version)
		{
			ck_assert(!edek->ptr);
			*edek = chunk_clone(request->edek);
		}
	}
	enumerator->destroy(enumerator);
	return count;
}

/**
 * Open the keyring of this test run, NULL (skip) if there is no keyring
 */
static ratkn_keyring_t *open_keyring()
{
	ratkn_keyring_t *keyring;

	keyring = ratkn_keyring_open(name, TRUE);
	if (!keyring)
	{
		fprintf(stderr, "no kernel keyring available, skipped\n");
	}
	return keyring;
}

START_TEST(test_names)
{
	ck_assert(ratkn_keyring_name_valid("ratkn"));
	ck_assert(ratkn_keyring_name_valid("ratkn-lab_x.1"));
	ck_assert(!ratkn_keyring_name_valid(""));
	ck_assert(!ratkn_keyring_name_valid(NULL));
	ck_assert(!ratkn_keyring_name_valid("a/b"));
	ck_assert(!ratkn_keyring_name_valid("a b"));
	ck_assert(!ratkn_keyring_name_valid(
		"0123456789012345678901234567890123456789012345678901234567890123x"));
	ck_assert(!ratkn_keyring_open("a:b", TRUE));
}
END_TEST

START_TEST(test_install)
{
	ratkn_keyring_t *keyring;
	ratkn_jwe_key_t *k1, *k2, *other;
	linked_list_t *keep;
	time_t now = time(NULL);
	uint32_t version;
	bool found, edek;
	chunk_t key;

	ck_assert(!ratkn_keyring_open(name, FALSE));
	keyring = ratkn_keyring_open(name, TRUE);
	if (!keyring)
	{
		fprintf(stderr, "no kernel keyring available, skipped\n");
		return;
	}
	k1 = make_key("model", 1, now + 3600, 0x11, TRUE);
	k2 = make_key("model", 2, now + 3600, 0x22, FALSE);
	other = make_key("other", 7, now + 3600, 0x77, TRUE);

	ck_assert(keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM, now,
							   FALSE));
	ck_assert(keyring->install(keyring, other, RATKN_KEYRING_DEFAULT_PERM,
							   now, FALSE));
	ck_assert_int_eq(count_keys(keyring, "model", 1, &found, &edek), 2);
	ck_assert(found && edek);
	ck_assert(keyring->read(keyring, "model", 0, &key, &version));
	ck_assert_int_eq(version, 1);
	ck_assert(chunk_equals(key, k1->get_claims(k1)->key));
	chunk_clear(&key);
	ck_assert(!keyring->read(keyring, "model", 2, &key, NULL));
	ck_assert(!keyring->read(keyring, "none", 0, &key, NULL));

	/* the same keyring is found again by name */
	keyring->destroy(keyring);
	keyring = ratkn_keyring_open(name, FALSE);
	ck_assert(keyring);

	/* a new version replaces the old one and its EDEK */
	ck_assert(keyring->install(keyring, k2, RATKN_KEYRING_DEFAULT_PERM, now,
							   FALSE));
	ck_assert_int_eq(count_keys(keyring, "model", 2, &found, &edek), 2);
	ck_assert(found && !edek);
	ck_assert_int_eq(count_keys(keyring, "model", 1, &found, &edek), 2);
	ck_assert(!found);
	ck_assert(keyring->read(keyring, "model", 0, &key, &version));
	ck_assert_int_eq(version, 2);
	ck_assert(chunk_equals(key, k2->get_claims(k2)->key));
	chunk_clear(&key);

	/* keys not in the released set go */
	keep = linked_list_create_with_items("other:7", NULL);
	ck_assert_int_eq(keyring->remove_others(keyring, keep), 1);
	ck_assert_int_eq(keyring->remove_others(keyring, keep), 0);
	keep->destroy(keep);
	ck_assert_int_eq(count_keys(keyring, "other", 7, &found, &edek), 1);
	ck_assert(found && edek);

	ck_assert_int_eq(keyring->remove(keyring, "model"), 0);
	ck_assert_int_eq(keyring->remove(keyring, "other"), 1);
	ck_assert_int_eq(count_keys(keyring, "other", 7, &found, &edek), 0);

	/* expired releases are not installed */
	ck_assert(!keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM,
								now + 3600, FALSE));
	ck_assert_int_eq(keyring->remove(keyring, NULL), 0);

	k1->destroy(k1);
	k2->destroy(k2);
	other->destroy(other);
	keyring->destroy(keyring);
}
END_TEST

START_TEST(test_expiry)
{
	ratkn_keyring_t *keyring;
	ratkn_jwe_key_t *key;
	time_t now = time(NULL);
	chunk_t data;

	keyring = ratkn_keyring_open(name, TRUE);
	if (!keyring)
	{
		fprintf(stderr, "no kernel keyring available, skipped\n");
		return;
	}
	key = make_key("short", 1, now + 3600, 0x33, FALSE);
	/* installed 1 s before its expiry */
	ck_assert(keyring->install(keyring, key, RATKN_KEYRING_DEFAULT_PERM,
							   now + 3599, FALSE));
	ck_assert(keyring->read(keyring, "short", 1, &data, NULL));
	chunk_clear(&data);
	sleep(2);
	ck_assert(!keyring->read(keyring, "short", 1, &data, NULL));
	key->destroy(key);
	keyring->destroy(keyring);
}
END_TEST

START_TEST(test_keep_others)
{
	ratkn_keyring_t *keyring;
	ratkn_jwe_key_t *k1, *k2, *k3;
	time_t now = time(NULL);
	uint32_t version;
	bool found, edek;
	chunk_t key;

	keyring = open_keyring();
	if (!keyring)
	{
		return;
	}
	k1 = make_key("model", 1, now + 3600, 0x11, TRUE);
	k2 = make_key("model", 2, now + 3600, 0x22, FALSE);
	k3 = make_key("model", 3, now + 3600, 0x33, FALSE);

	/* the active version, then an old one re-released: both stay */
	ck_assert(keyring->install(keyring, k2, RATKN_KEYRING_DEFAULT_PERM, now,
							   FALSE));
	ck_assert(keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM, now,
							   TRUE));
	ck_assert_int_eq(count_keys(keyring, "model", 1, &found, &edek), 2);
	ck_assert(found && edek);
	ck_assert_int_eq(count_keys(keyring, "model", 2, &found, &edek), 2);
	ck_assert(found && !edek);
	ck_assert(keyring->read(keyring, "model", 0, &key, &version));
	ck_assert_int_eq(version, 2);
	ck_assert(chunk_equals(key, k2->get_claims(k2)->key));
	chunk_clear(&key);
	ck_assert(keyring->read(keyring, "model", 1, &key, &version));
	ck_assert_int_eq(version, 1);
	ck_assert(chunk_equals(key, k1->get_claims(k1)->key));
	chunk_clear(&key);

	/* the same version again with keep_others replaces it in place */
	ck_assert(keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM, now,
							   TRUE));
	ck_assert_int_eq(count_keys(keyring, "model", 1, &found, &edek), 2);
	ck_assert(found && edek);

	/* a new version without keep_others removes both */
	ck_assert(keyring->install(keyring, k3, RATKN_KEYRING_DEFAULT_PERM, now,
							   FALSE));
	ck_assert_int_eq(count_keys(keyring, "model", 3, &found, &edek), 1);
	ck_assert(found && !edek);
	ck_assert(!keyring->read(keyring, "model", 1, &key, NULL));
	ck_assert(!keyring->read(keyring, "model", 2, &key, NULL));
	ck_assert(!keyring->read_edek(keyring, "model", 1, &key));
	ck_assert_int_eq(keyring->remove(keyring, NULL), 1);

	k1->destroy(k1);
	k2->destroy(k2);
	k3->destroy(k3);
	keyring->destroy(keyring);
}
END_TEST

START_TEST(test_requests)
{
	ratkn_keyring_t *keyring;
	u_char a[40], b[17], c[1], big[RATKN_JWE_MAX_EDEK + 1];
	chunk_t edek;

	keyring = open_keyring();
	if (!keyring)
	{
		return;
	}
	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	memset(c, 0xcc, sizeof(c));
	memset(big, 0x55, sizeof(big));

	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 0);
	ck_assert(keyring->add_request(keyring, "model", 1, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(keyring->add_request(keyring, "model", 2, chunk_from_thing(b),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(keyring->add_request(keyring, "other", UINT32_MAX,
								   chunk_from_thing(c),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(count_requests(keyring, "model", 1, &edek), 3);
	ck_assert(chunk_equals(edek, chunk_from_thing(a)));
	chunk_free(&edek);
	ck_assert_int_eq(count_requests(keyring, "model", 2, &edek), 3);
	ck_assert(chunk_equals(edek, chunk_from_thing(b)));
	chunk_free(&edek);
	ck_assert_int_eq(count_requests(keyring, "other", UINT32_MAX, &edek), 3);
	ck_assert(chunk_equals(edek, chunk_from_thing(c)));
	chunk_free(&edek);

	/* a request of the same NAME:VERSION replaces the EDEK */
	ck_assert(keyring->add_request(keyring, "model", 1, chunk_from_thing(b),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(count_requests(keyring, "model", 1, &edek), 3);
	ck_assert(chunk_equals(edek, chunk_from_thing(b)));
	chunk_free(&edek);

	/* invalid requests are refused */
	ck_assert(!keyring->add_request(keyring, NULL, 1, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "", 1, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "-model", 1, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "a:1", 1, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "a b", 1, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "model", 0, chunk_from_thing(a),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "model", 3, chunk_empty,
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(!keyring->add_request(keyring, "model", 3,
									chunk_from_thing(big),
									RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 3);

	/* the longest EDEK is accepted */
	ck_assert(keyring->add_request(keyring, "large", 1,
								   chunk_create(big, RATKN_JWE_MAX_EDEK),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(count_requests(keyring, "large", 1, &edek), 4);
	ck_assert(chunk_equals(edek, chunk_create(big, RATKN_JWE_MAX_EDEK)));
	chunk_free(&edek);

	/* removed by NAME:VERSION */
	ck_assert_int_eq(keyring->remove_requests(keyring, "large", 1), 1);
	ck_assert_int_eq(keyring->remove_requests(keyring, "large", 1), 0);
	ck_assert_int_eq(keyring->remove_requests(keyring, "model", 3), 0);
	ck_assert_int_eq(keyring->remove_requests(keyring, "none", 0), 0);
	ck_assert_int_eq(keyring->remove_requests(keyring, "other", 1), 0);
	ck_assert_int_eq(keyring->remove_requests(keyring, "model", 2), 1);
	ck_assert_int_eq(count_requests(keyring, "model", 2, &edek), 2);
	ck_assert(!edek.ptr);

	/* by name, all versions */
	ck_assert(keyring->add_request(keyring, "model", 7, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(keyring->remove_requests(keyring, "model", 0), 2);
	ck_assert_int_eq(count_requests(keyring, "other", UINT32_MAX, &edek), 1);
	ck_assert(chunk_equals(edek, chunk_from_thing(c)));
	chunk_free(&edek);

	/* all */
	ck_assert(keyring->add_request(keyring, "model", 1, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(keyring->remove_requests(keyring, NULL, 0), 2);
	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 0);
	ck_assert_int_eq(keyring->remove_requests(keyring, NULL, 0), 0);

	keyring->destroy(keyring);
}
END_TEST

START_TEST(test_requests_separate)
{
	ratkn_keyring_t *keyring;
	ratkn_jwe_key_t *k1, *k2, *other;
	linked_list_t *keep;
	time_t now = time(NULL);
	u_char a[24];
	uint32_t version;
	bool found, edek;
	chunk_t data;

	keyring = open_keyring();
	if (!keyring)
	{
		return;
	}
	memset(a, 0xaa, sizeof(a));
	k1 = make_key("model", 1, now + 3600, 0x11, TRUE);
	k2 = make_key("model", 2, now + 3600, 0x22, FALSE);
	other = make_key("other", 7, now + 3600, 0x77, TRUE);

	ck_assert(keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM, now,
							   FALSE));
	ck_assert(keyring->install(keyring, k2, RATKN_KEYRING_DEFAULT_PERM, now,
							   TRUE));
	ck_assert(keyring->install(keyring, other, RATKN_KEYRING_DEFAULT_PERM,
							   now, FALSE));

	/* the EDEK stored with a released key, none for one without */
	ck_assert(keyring->read_edek(keyring, "model", 1, &data));
	ck_assert(chunk_equals(data, k1->get_claims(k1)->edek));
	chunk_free(&data);
	ck_assert(keyring->read_edek(keyring, "other", 7, &data));
	ck_assert(chunk_equals(data, other->get_claims(other)->edek));
	chunk_free(&data);
	ck_assert(!keyring->read_edek(keyring, "model", 2, &data));
	ck_assert(!keyring->read_edek(keyring, "model", 3, &data));
	ck_assert(!keyring->read_edek(keyring, "none", 1, &data));
	ck_assert(!keyring->read_edek(keyring, "model", 0, &data));
	ck_assert(!keyring->read_edek(keyring, NULL, 1, &data));

	/* requests, one of a version not in the keyring, are neither released
	 * keys nor EDEKs */
	ck_assert(keyring->add_request(keyring, "model", 1, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(keyring->add_request(keyring, "model", 3, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert(keyring->add_request(keyring, "zzz", 1, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(count_keys(keyring, "model", 3, &found, &edek), 3);
	ck_assert(!found);
	ck_assert_int_eq(count_keys(keyring, "zzz", 1, &found, &edek), 3);
	ck_assert(!found);
	ck_assert(!keyring->read(keyring, "zzz", 0, &data, NULL));
	ck_assert(!keyring->read(keyring, "model", 3, &data, NULL));
	ck_assert(keyring->read(keyring, "model", 0, &data, &version));
	ck_assert_int_eq(version, 2);
	chunk_clear(&data);
	ck_assert(!keyring->read_edek(keyring, "model", 3, &data));
	ck_assert(!keyring->read_edek(keyring, "zzz", 1, &data));
	ck_assert(keyring->read_edek(keyring, "model", 1, &data));
	ck_assert(chunk_equals(data, k1->get_claims(k1)->edek));
	chunk_free(&data);

	/* installing a release does not touch requests */
	ck_assert(keyring->install(keyring, k1, RATKN_KEYRING_DEFAULT_PERM, now,
							   TRUE));
	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 3);

	/* removing released keys leaves requests alone */
	keep = linked_list_create_with_items("other:7", NULL);
	ck_assert_int_eq(keyring->remove_others(keyring, keep), 2);
	keep->destroy(keep);
	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 3);
	ck_assert_int_eq(keyring->remove(keyring, "model"), 0);
	ck_assert_int_eq(keyring->remove(keyring, "zzz"), 0);
	ck_assert_int_eq(count_requests(keyring, NULL, 0, NULL), 3);
	ck_assert_int_eq(keyring->remove(keyring, NULL), 1);
	ck_assert_int_eq(count_keys(keyring, "other", 7, &found, &edek), 0);
	ck_assert_int_eq(count_requests(keyring, "model", 1, &data), 3);
	ck_assert(chunk_equals(data, chunk_from_thing(a)));
	chunk_free(&data);

	/* and removing requests leaves released keys alone */
	ck_assert(keyring->install(keyring, other, RATKN_KEYRING_DEFAULT_PERM,
							   now, FALSE));
	ck_assert(keyring->add_request(keyring, "other", 7, chunk_from_thing(a),
								   RATKN_KEYRING_DEFAULT_PERM));
	ck_assert_int_eq(keyring->remove_requests(keyring, NULL, 0), 4);
	ck_assert_int_eq(count_keys(keyring, "other", 7, &found, &edek), 1);
	ck_assert(found && edek);
	ck_assert_int_eq(keyring->remove(keyring, NULL), 1);

	k1->destroy(k1);
	k2->destroy(k2);
	other->destroy(other);
	keyring->destroy(keyring);
}
END_TEST

Suite *keyring_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("keyring");

	tc = tcase_create("keyring");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_install);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_keep_others);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_requests_separate);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);

	return s;
}
