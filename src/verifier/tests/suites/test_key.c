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
#include "verifier_tests.h"

#include <stdio.h>
#include <sys/stat.h>

#include <jansson.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ratkn_ear.h>
#include <ratkn_verifier_client.h>

#include "verifier_key.h"

static char *dir;
static char *path;

static void setup()
{
	dir = vt_mkdtemp();
	ck_assert(asprintf(&path, "%s/ear-key.pem", dir) > 0);
}

static void teardown()
{
	free(path);
	vt_rmtree(dir);
}

START_TEST(test_generate_load)
{
	verifier_key_t *key;
	struct stat st;

	ck_assert(verifier_key_generate(path));
	ck_assert(stat(path, &st) == 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* never overwritten */
	ck_assert(!verifier_key_generate(path));

	key = verifier_key_load(path);
	ck_assert(key);
	ck_assert(strstr(key->get_private(key).ptr, "PRIVATE KEY"));
	ck_assert(strstr(key->get_public(key).ptr, "-----BEGIN PUBLIC KEY-----"));
	ck_assert_int_eq(strlen(key->get_public(key).ptr),
					 key->get_public(key).len);
	key->destroy(key);
}
END_TEST

START_TEST(test_jwk)
{
	verifier_key_t *key;
	json_t *jwk;
	char *canonical, *kid;
	uint8_t hash[32];
	u_int len = sizeof(hash);

	ck_assert(verifier_key_generate(path));
	key = verifier_key_load(path);
	ck_assert(key);
	jwk = json_loads(key->get_jwk(key), 0, NULL);
	ck_assert(jwk);
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kty")), "EC");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "crv")), "P-256");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "alg")), "ES256");
	ck_assert_int_eq(strlen(json_string_value(json_object_get(jwk, "x"))),
					 43);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(jwk, "y"))),
					 43);
	/* RFC 7638 thumbprint, recomputed */
	ck_assert(asprintf(&canonical, "{\"crv\":\"P-256\",\"kty\":\"EC\","
					   "\"x\":\"%s\",\"y\":\"%s\"}",
					   json_string_value(json_object_get(jwk, "x")),
					   json_string_value(json_object_get(jwk, "y"))) > 0);
	ck_assert(EVP_Digest(canonical, strlen(canonical), hash, &len,
						 EVP_sha256(), NULL));
	kid = ratkn_base64url_encode(chunk_from_thing(hash));
	ck_assert_str_eq(kid, key->get_kid(key));
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kid")), kid);
	free(kid);
	free(canonical);
	json_decref(jwk);
	key->destroy(key);
}
END_TEST

START_TEST(test_sign_verify)
{
	ratkn_ear_claims_t claims = {
		.status = RATKN_EAR_AFFIRMING,
		.iat = time(NULL),
		.exp = time(NULL) + 60,
		.verifier_developer = "test",
		.verifier_build = "test",
	};
	uint8_t nonce[32] = { 1 }, id[32] = { 2 };
	verifier_key_t *key;
	ratkn_ear_t *ear;
	char *token, reason[128];

	ck_assert(verifier_key_generate(path));
	key = verifier_key_load(path);
	claims.nonce = chunk_from_thing(nonce);
	claims.identity_hash = chunk_from_thing(id);
	token = ratkn_ear_sign(&claims, key->get_private(key));
	ck_assert(token);
	ear = ratkn_ear_verify(token, key->get_public(key), time(NULL), reason,
						   sizeof(reason));
	ck_assert_msg(ear, "%s", reason);
	ear->destroy(ear);
	free(token);
	key->destroy(key);
}
END_TEST

START_TEST(test_invalid_keys)
{
	EVP_PKEY *pkey;
	FILE *file;

	ck_assert(!verifier_key_load(path));
	vt_write(path, "garbage");
	ck_assert(!verifier_key_load(path));
	vt_write(path, "");
	ck_assert(!verifier_key_load(path));

	/* P-384 is not ES256 */
	pkey = EVP_EC_gen("P-384");
	file = fopen(path, "w");
	ck_assert(PEM_write_PrivateKey(file, pkey, NULL, NULL, 0, NULL, NULL));
	fclose(file);
	EVP_PKEY_free(pkey);
	ck_assert(!verifier_key_load(path));

	/* nor is a public key a signing key */
	pkey = EVP_EC_gen("P-256");
	file = fopen(path, "w");
	ck_assert(PEM_write_PUBKEY(file, pkey));
	fclose(file);
	EVP_PKEY_free(pkey);
	ck_assert(!verifier_key_load(path));
}
END_TEST

Suite *key_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("key");
	tc = tcase_create("key");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_generate_load);
	tcase_add_test(tc, test_jwk);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_invalid_keys);
	suite_add_tcase(s, tc);
	return s;
}
