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

#define _GNU_SOURCE /* asprintf() */
#include <stdio.h>

#include "ratkn_tests.h"

#include <ratkn_jwe.h>
#include <ratkn_types.h>
#include <ratkn_base64url.h>

#include <jansson.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

/**
 * A recipient key pair: private scalar and X | Y
 */
typedef struct {
	chunk_t priv;
	chunk_t pub;
} keypair_t;

/**
 * Recipient and another key pair (P-256), a P-384 one
 */
static keypair_t recipient, other, p384;

/**
 * Binding of the session and of another one
 */
static chunk_t binding, other_binding;

/**
 * Time of the tests
 */
static time_t now;

/**
 * Key and EDEK released
 */
static chunk_t dek, edek;

/**
 * Generate a key pair of a curve
 */
static void keygen(char *curve, size_t len, keypair_t *pair)
{
	u_char pub[1 + 2 * 66];
	size_t pub_len;
	BIGNUM *d = NULL;
	EVP_PKEY *key;

	key = EVP_EC_gen(curve);
	ck_assert(key);
	ck_assert(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d));
	pair->priv = chunk_alloc(len);
	ck_assert(BN_bn2binpad(d, pair->priv.ptr, len) == len);
	ck_assert(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
											  pub, sizeof(pub), &pub_len));
	ck_assert_int_eq(pub_len, 1 + 2 * len);
	pair->pub = chunk_clone(chunk_create(pub + 1, 2 * len));
	BN_clear_free(d);
	EVP_PKEY_free(key);
}

static void setup()
{
	now = time(NULL);
	keygen("P-256", 32, &recipient);
	keygen("P-256", 32, &other);
	keygen("P-384", 48, &p384);
	binding = chunk_alloc(RATKN_HASH_LEN);
	memset(binding.ptr, 0x42, binding.len);
	other_binding = chunk_alloc(RATKN_HASH_LEN);
	memset(other_binding.ptr, 0x43, other_binding.len);
	dek = chunk_alloc(32);
	memset(dek.ptr, 0x11, dek.len);
	edek = chunk_alloc(70);
	memset(edek.ptr, 0xee, edek.len);
}

static void teardown()
{
	chunk_clear(&recipient.priv);
	chunk_free(&recipient.pub);
	chunk_clear(&other.priv);
	chunk_free(&other.pub);
	chunk_clear(&p384.priv);
	chunk_free(&p384.pub);
	chunk_free(&binding);
	chunk_free(&other_binding);
	chunk_clear(&dek);
	chunk_free(&edek);
}

/**
 * Claims released in the tests
 */
static ratkn_jwe_claims_t claims()
{
	return (ratkn_jwe_claims_t){
		.name = "model-weights",
		.version = 3,
		.usage = "dek",
		.iat = now,
		.exp = now + 600,
		.key = dek,
		.edek = edek,
	};
}

/**
 * Wrap the test claims to the recipient, for the session
 */
static char *wrap_default()
{
	ratkn_jwe_claims_t c = claims();
	char *token;

	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	return token;
}

START_TEST(test_round_trip)
{
	ratkn_jwe_key_t *key;
	ratkn_jwe_claims_t *c;
	char *token, reason[256];

	token = wrap_default();
	/* compact JWE: five parts, empty encrypted key with ECDH-ES */
	ck_assert(strstr(token, "..") != NULL);
	key = ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub, binding,
						   now, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	c = key->get_claims(key);
	ck_assert_str_eq(c->name, "model-weights");
	ck_assert_int_eq(c->version, 3);
	ck_assert_str_eq(c->usage, "dek");
	ck_assert_int_eq(c->iat, now);
	ck_assert_int_eq(c->exp, now + 600);
	ck_assert(chunk_equals(c->key, dek));
	ck_assert(chunk_equals(c->edek, edek));
	ck_assert_str_eq(key->get_kid(key), "model-weights:3");
	key->destroy(key);
	free(token);
}
END_TEST

START_TEST(test_no_edek_p384)
{
	ratkn_jwe_claims_t c = claims();
	ratkn_jwe_key_t *key;
	char *token, reason[256];

	c.edek = chunk_empty;
	c.usage = "ppk";
	token = ratkn_jwe_wrap(&c, 20, p384.pub, binding);
	ck_assert(token);
	key = ratkn_jwe_unwrap(token, 20, p384.priv, p384.pub, binding, now,
						   reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert(key->get_claims(key)->edek.len == 0);
	ck_assert_str_eq(key->get_claims(key)->usage, "ppk");
	key->destroy(key);
	/* a P-384 release does not unwrap as P-256 */
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_wrong_recipient)
{
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!ratkn_jwe_unwrap(token, 19, other.priv, other.pub, binding,
								now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "does not decrypt"));
	free(token);
}
END_TEST

/**
 * Parts of the compact JWE to modify: header, encrypted key (empty),
 * IV, ciphertext, tag
 */
static int tamper_part[] = { 0, 2, 3, 4 };

START_TEST(test_tampered)
{
	char *token, *pos, reason[256];
	int part;

	token = wrap_default();
	pos = token;
	for (part = 0; part < tamper_part[_i]; part++)
	{
		pos = strchr(pos, '.') + 1;
	}
	/* change a character in the middle of the part, keeping it base64url */
	pos += (strcspn(pos, ".") / 2);
	*pos = (*pos == 'A') ? 'B' : 'A';
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_truncated)
{
	char *token, reason[256];

	token = wrap_default();
	token[strlen(token) - 4] = '\0';
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(!ratkn_jwe_unwrap("a.b.c", 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

/**
 * Replace the protected header of a token by the given JSON, keeping the
 * other parts
 */
static char *replace_header(char *token, json_t *header)
{
	char *json, *encoded, *out;

	json = json_dumps(header, JSON_COMPACT);
	ck_assert(json);
	encoded = ratkn_base64url_encode(chunk_from_str(json));
	ck_assert(asprintf(&out, "%s%s", encoded, strchr(token, '.')) > 0);
	free(json);
	free(encoded);
	return out;
}

/**
 * Malformed ephemeral keys (epk) of the sender, each modifying member x:
 * cjose 0.6 aborts on a coordinate of 4n+1 base64 characters
 * (regression, found by testing/fuzz, target keys)
 */
static char *bad_epk_x[] = {
	"A",
	"AAAAA",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYx",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ",
	"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	"",
};

START_TEST(test_bad_epk)
{
	char *token, *bad, reason[256];
	chunk_t raw;
	json_t *header, *epk;
	size_t len;

	token = wrap_default();
	len = strchr(token, '.') - token;
	ck_assert(ratkn_base64url_decode(token, len, &raw));
	header = json_loadb((char*)raw.ptr, raw.len, 0, NULL);
	chunk_free(&raw);
	ck_assert(header);
	epk = json_object_get(header, "epk");
	ck_assert(json_is_object(epk));
	json_object_set_new(epk, "x", json_string(bad_epk_x[_i]));
	bad = replace_header(token, header);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "epk"), "%s", reason);
	free(bad);

	/* a private key member is refused as well */
	json_object_set_new(epk, "x", json_string(bad_epk_x[2]));
	json_object_set_new(epk, "d", json_string("A"));
	bad = replace_header(token, header);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "epk"), "%s", reason);
	free(bad);
	json_decref(header);
	free(token);
}
END_TEST

START_TEST(test_bad_segments)
{
	char *token, *bad, reason[256];

	/* an IV part of 4n+1 characters, and padding, never reach cjose */
	token = wrap_default();
	ck_assert(asprintf(&bad, "%.*s.A.%s", (int)(strchr(token, '.') - token),
					   token, strchr(strchr(token, '.') + 1, '.') + 1) > 0);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "five base64url parts"), "%s", reason);
	free(bad);
	ck_assert(asprintf(&bad, "%s=", token) > 0);
	ck_assert(!ratkn_jwe_unwrap(bad, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert_msg(strstr(reason, "five base64url parts"), "%s", reason);
	free(bad);
	free(token);
}
END_TEST

START_TEST(test_expired)
{
	ratkn_jwe_claims_t c = claims();
	ratkn_jwe_key_t *key;
	char *token, reason[256];

	c.iat = now - 700;
	c.exp = now - 100;
	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "expired"));
	/* at the exact expiry it is expired, a second before it is not */
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now - 100, reason, sizeof(reason)));
	key = ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub, binding,
						   now - 101, reason, sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	key->destroy(key);
	free(token);
}
END_TEST

START_TEST(test_future)
{
	ratkn_jwe_claims_t c = claims();
	char *token, reason[256];

	c.iat = now + 3600;
	c.exp = now + 7200;
	token = ratkn_jwe_wrap(&c, 19, recipient.pub, binding);
	ck_assert(token);
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "future"));
	free(token);
}
END_TEST

START_TEST(test_wrong_binding)
{
	char *token, reason[256];

	token = wrap_default();
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								other_binding, now, reason, sizeof(reason)));
	ck_assert(strstr(reason, "another session"));
	ck_assert(!ratkn_jwe_unwrap(token, 19, recipient.priv, recipient.pub,
								chunk_empty, now, reason, sizeof(reason)));
	free(token);
}
END_TEST

START_TEST(test_wrap_invalid)
{
	ratkn_jwe_claims_t c;

	c = claims();
	c.name = "bad name";
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.version = 0;
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.exp = c.iat;
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	c.key = chunk_create(dek.ptr, 8);
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, binding));
	c = claims();
	ck_assert(!ratkn_jwe_wrap(&c, 19, recipient.pub, chunk_empty));
	/* no OKP keys in cjose 0.6.2: no X25519 recipients */
	ck_assert(!ratkn_jwe_supported(31));
	ck_assert(!ratkn_jwe_wrap(&c, 31, chunk_create(dek.ptr, 32), binding));
	/* not a point on the curve */
	ck_assert(!ratkn_jwe_wrap(&c, 19, chunk_create(edek.ptr, 64), binding));
	/* wrong length for the group */
	ck_assert(!ratkn_jwe_wrap(&c, 20, recipient.pub, binding));
}
END_TEST

START_TEST(test_key_names)
{
	ck_assert(ratkn_key_name_valid("a"));
	ck_assert(ratkn_key_name_valid("model-weights.v2_x"));
	ck_assert(!ratkn_key_name_valid(""));
	ck_assert(!ratkn_key_name_valid(NULL));
	ck_assert(!ratkn_key_name_valid("-a"));
	ck_assert(!ratkn_key_name_valid("a:b"));
	ck_assert(!ratkn_key_name_valid("a/b"));
	ck_assert(!ratkn_key_name_valid(
		"a1234567890123456789012345678901234567890123456789012345678901234"));
	ck_assert(ratkn_key_name_valid(
		"a123456789012345678901234567890123456789012345678901234567890123"));
}
END_TEST

Suite *jwe_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("jwe");

	tc = tcase_create("wrap and unwrap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_edek_p384);
	tcase_add_test(tc, test_key_names);
	tcase_add_test(tc, test_wrap_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("rejected");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wrong_recipient);
	tcase_add_loop_test(tc, test_tampered, 0, countof(tamper_part));
	tcase_add_test(tc, test_truncated);
	tcase_add_loop_test(tc, test_bad_epk, 0, countof(bad_epk_x));
	tcase_add_test(tc, test_bad_segments);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_future);
	tcase_add_test(tc, test_wrong_binding);
	suite_add_tcase(s, tc);

	return s;
}
