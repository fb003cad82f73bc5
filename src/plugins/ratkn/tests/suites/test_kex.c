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

#include <ratkn_kex.h>

/**
 * Known-answer vectors: RFC 7748 section 6.1 (X25519), RFC 5903 section 8.1
 * (256-bit random ECP group)
 */
static struct {
	uint16_t group;
	char *priv_a, *pub_a, *priv_b, *pub_b, *shared;
} vectors[] = {
	{ 31,
	  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
	{ 19,
	  "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	  "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	  "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	  "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
	  "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	  "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	  "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE" },
};

START_TEST(test_vectors)
{
	chunk_t priv_a, pub_a, priv_b, pub_b, shared, z;
	ratkn_kex_t *a, *b;

	priv_a = ratkn_test_hex(vectors[_i].priv_a);
	pub_a = ratkn_test_hex(vectors[_i].pub_a);
	priv_b = ratkn_test_hex(vectors[_i].priv_b);
	pub_b = ratkn_test_hex(vectors[_i].pub_b);
	shared = ratkn_test_hex(vectors[_i].shared);

	a = ratkn_kex_create_from_private(vectors[_i].group, priv_a, pub_a);
	b = ratkn_kex_create_from_private(vectors[_i].group, priv_b, pub_b);
	ck_assert(a && b);
	ck_assert(chunk_equals(a->get_public(a), pub_a));
	ck_assert(chunk_equals(b->get_public(b), pub_b));
	ck_assert(a->compute(a, pub_b, &z));
	ck_assert(chunk_equals(z, shared));
	chunk_clear(&z);
	ck_assert(b->compute(b, pub_a, &z));
	ck_assert(chunk_equals(z, shared));
	chunk_clear(&z);

	a->destroy(a);
	b->destroy(b);
	chunk_free(&priv_a);
	chunk_free(&pub_a);
	chunk_free(&priv_b);
	chunk_free(&pub_b);
	chunk_free(&shared);
}
END_TEST

static uint16_t groups[] = { 19, 20, 31, 32 };

START_TEST(test_fresh)
{
	ratkn_kex_t *a, *b;
	chunk_t za, zb;

	a = ratkn_kex_create(groups[_i]);
	b = ratkn_kex_create(groups[_i]);
	ck_assert(a && b);
	ck_assert_int_eq(a->get_group(a), groups[_i]);
	ck_assert_int_eq(a->get_public(a).len, ratkn_kex_public_len(groups[_i]));
	ck_assert(!chunk_equals(a->get_public(a), b->get_public(b)));
	ck_assert(a->compute(a, b->get_public(b), &za));
	ck_assert(b->compute(b, a->get_public(a), &zb));
	ck_assert(chunk_equals(za, zb));
	chunk_clear(&za);
	chunk_clear(&zb);
	a->destroy(a);
	b->destroy(b);
}
END_TEST

START_TEST(test_unsupported)
{
	ck_assert(!ratkn_kex_create(0));
	ck_assert(!ratkn_kex_create(14));
	ck_assert(!ratkn_kex_create(21));
	ck_assert(!ratkn_kex_supported(2));
	ck_assert_int_eq(ratkn_kex_public_len(1234), 0);
	ck_assert_str_eq(ratkn_kex_group_name(99), "unsupported");
	ck_assert_str_eq(ratkn_kex_group_name(31), "curve25519");
}
END_TEST

START_TEST(test_invalid_peer)
{
	ratkn_kex_t *a;
	chunk_t z, bad;

	/* wrong lengths */
	a = ratkn_kex_create(groups[_i]);
	ck_assert(a);
	bad = chunk_alloc(a->get_public(a).len - 1);
	memset(bad.ptr, 0x42, bad.len);
	ck_assert(!a->compute(a, bad, &z));
	chunk_free(&bad);
	bad = chunk_alloc(a->get_public(a).len + 1);
	memset(bad.ptr, 0x42, bad.len);
	ck_assert(!a->compute(a, bad, &z));
	chunk_free(&bad);
	ck_assert(!a->compute(a, chunk_empty, &z));
	a->destroy(a);
}
END_TEST

START_TEST(test_point_not_on_curve)
{
	ratkn_kex_t *a;
	chunk_t z, pub;

	a = ratkn_kex_create(19);
	pub = chunk_clone(a->get_public(a));
	/* flipping a bit of Y moves the point off the curve */
	pub.ptr[pub.len - 1] ^= 0x01;
	ck_assert(!a->compute(a, pub, &z));
	/* the all-zero encoding is not a point either */
	memset(pub.ptr, 0, pub.len);
	ck_assert(!a->compute(a, pub, &z));
	chunk_free(&pub);
	a->destroy(a);
}
END_TEST

START_TEST(test_x25519_low_order)
{
	ratkn_kex_t *a;
	chunk_t z, zero;

	/* the all-zero u-coordinate is a low-order point: the result is zero */
	a = ratkn_kex_create(31);
	zero = chunk_alloca(32);
	memset(zero.ptr, 0, zero.len);
	ck_assert(!a->compute(a, zero, &z));
	a->destroy(a);
}
END_TEST

static uint16_t release_groups[] = { 19, 20 };

START_TEST(test_unwrap)
{
	ratkn_jwe_claims_t claims = {
		.name = "model-weights",
		.version = 3,
		.usage = "dek",
		.iat = 1000,
		.exp = 5000,
		.key = chunk_from_chars(0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,
								0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10),
	};
	uint8_t binding[32], other[32];
	ratkn_kex_t *kex, *wrong;
	ratkn_jwe_key_t *key;
	char *token, reason[128] = "";

	memset(binding, 0x42, sizeof(binding));
	memset(other, 0x43, sizeof(other));
	kex = ratkn_kex_create(release_groups[_i]);
	wrong = ratkn_kex_create(release_groups[_i]);
	ck_assert(kex && wrong);
	token = ratkn_jwe_wrap(&claims, release_groups[_i], kex->get_public(kex),
						   chunk_from_thing(binding));
	ck_assert(token);
	key = kex->unwrap(kex, token, chunk_from_thing(binding), 2000, reason,
					  sizeof(reason));
	ck_assert_msg(key, "%s", reason);
	ck_assert(chunk_equals(key->get_claims(key)->key, claims.key));
	ck_assert_str_eq(key->get_kid(key), "model-weights:3");
	key->destroy(key);
	/* bound to another session */
	ck_assert(!kex->unwrap(kex, token, chunk_from_thing(other), 2000, reason,
						   sizeof(reason)));
	/* another recipient */
	ck_assert(!wrong->unwrap(wrong, token, chunk_from_thing(binding), 2000,
							 reason, sizeof(reason)));
	/* expired */
	ck_assert(!kex->unwrap(kex, token, chunk_from_thing(binding), 5000,
						   reason, sizeof(reason)));
	free(token);
	kex->destroy(kex);
	wrong->destroy(wrong);
}
END_TEST

START_TEST(test_unwrap_x25519)
{
	uint8_t binding[32] = {};
	ratkn_kex_t *kex;
	char reason[128] = "";

	kex = ratkn_kex_create(31);
	ck_assert(kex);
	ck_assert(!kex->unwrap(kex, "a.b.c.d.e", chunk_from_thing(binding), 1,
						   reason, sizeof(reason)));
	ck_assert_str_eq(reason, "releases to curve25519 keys are not supported");
	kex->destroy(kex);
}
END_TEST

Suite *kex_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("kex");

	tc = tcase_create("vectors");
	tcase_add_loop_test(tc, test_vectors, 0, countof(vectors));
	suite_add_tcase(s, tc);

	tc = tcase_create("fresh key pairs");
	tcase_add_loop_test(tc, test_fresh, 0, countof(groups));
	suite_add_tcase(s, tc);

	tc = tcase_create("unsupported groups");
	tcase_add_test(tc, test_unsupported);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid peer values");
	tcase_add_loop_test(tc, test_invalid_peer, 0, countof(groups));
	tcase_add_test(tc, test_point_not_on_curve);
	tcase_add_test(tc, test_x25519_low_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("unwrap key releases");
	tcase_add_loop_test(tc, test_unwrap, 0, countof(release_groups));
	tcase_add_test(tc, test_unwrap_x25519);
	suite_add_tcase(s, tc);

	return s;
}
