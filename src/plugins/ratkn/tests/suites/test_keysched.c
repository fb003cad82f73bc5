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

#include <ratkn_keysched.h>
#include <ratkn_kex.h>

/**
 * Vectors of docs/protocol.md section 12, cross-checked with the OpenSSL
 * command line by testing/vectors/check
 */
#define NI "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define NR "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define SPII "0102030405060708"
#define SPIR "1112131415161718"

static struct {
	uint16_t group;
	char *priv_i, *share_i, *priv_r, *share_r, *sk;
} vectors[] = {
	{ 31,
	  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	  "b2e1d74388318c3d51b39634dd147f4e22d8346be14feca9cec31bc09eabbe2c" },
	{ 19,
	  "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	  "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	  "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	  "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
	  "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	  "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	  "58639801 96fb63e3c4721eb3eade4aceea065ea443fb2f7d8e1e98fa43225e2d" },
};

START_TEST(test_vectors)
{
	chunk_t ni, nr, spi_i, spi_r, priv_i, share_i, priv_r, share_r, expected;
	chunk_t z, sk_i, sk_r;
	ratkn_kex_t *i, *r;

	ni = ratkn_test_hex(NI);
	nr = ratkn_test_hex(NR);
	spi_i = ratkn_test_hex(SPII);
	spi_r = ratkn_test_hex(SPIR);
	priv_i = ratkn_test_hex(vectors[_i].priv_i);
	share_i = ratkn_test_hex(vectors[_i].share_i);
	priv_r = ratkn_test_hex(vectors[_i].priv_r);
	share_r = ratkn_test_hex(vectors[_i].share_r);
	expected = ratkn_test_hex(vectors[_i].sk);

	i = ratkn_kex_create_from_private(vectors[_i].group, priv_i, share_i);
	r = ratkn_kex_create_from_private(vectors[_i].group, priv_r, share_r);
	ck_assert(i && r);

	/* both sides derive the same SK */
	ck_assert(i->compute(i, share_r, &z));
	ck_assert(ratkn_keysched_derive(z, ni, nr, spi_i, spi_r, share_i, share_r,
									&sk_i));
	chunk_clear(&z);
	ck_assert(r->compute(r, share_i, &z));
	ck_assert(ratkn_keysched_derive(z, ni, nr, spi_i, spi_r, share_i, share_r,
									&sk_r));
	chunk_clear(&z);
	ck_assert_int_eq(sk_i.len, RATKN_SK_LEN);
	ck_assert(chunk_equals(sk_i, sk_r));
	ck_assert_msg(chunk_equals(sk_i, expected), "SK %#B", &sk_i);

	chunk_clear(&sk_i);
	chunk_clear(&sk_r);
	i->destroy(i);
	r->destroy(r);
	chunk_free(&ni);
	chunk_free(&nr);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
	chunk_free(&priv_i);
	chunk_free(&share_i);
	chunk_free(&priv_r);
	chunk_free(&share_r);
	chunk_free(&expected);
}
END_TEST

/**
 * Every input changes SK
 */
START_TEST(test_inputs_matter)
{
	chunk_t in[7], base, sk;
	int k;

	for (k = 0; k < countof(in); k++)
	{
		in[k] = chunk_alloc(k >= 3 && k <= 4 ? 8 : 32);
		memset(in[k].ptr, k + 1, in[k].len);
	}
	ck_assert(ratkn_keysched_derive(in[0], in[1], in[2], in[3], in[4], in[5],
									in[6], &base));
	for (k = 0; k < countof(in); k++)
	{
		in[k].ptr[0] ^= 0x80;
		ck_assert(ratkn_keysched_derive(in[0], in[1], in[2], in[3], in[4],
										in[5], in[6], &sk));
		ck_assert_msg(!chunk_equals(sk, base), "input %d does not matter", k);
		chunk_clear(&sk);
		in[k].ptr[0] ^= 0x80;
	}
	/* swapping the shares matters, too */
	ck_assert(ratkn_keysched_derive(in[0], in[1], in[2], in[3], in[4], in[6],
									in[5], &sk));
	ck_assert(!chunk_equals(sk, base));
	chunk_clear(&sk);
	chunk_clear(&base);
	for (k = 0; k < countof(in); k++)
	{
		chunk_free(&in[k]);
	}
}
END_TEST

START_TEST(test_invalid)
{
	chunk_t x = chunk_from_chars(1,2,3,4,5,6,7,8), sk;

	ck_assert(!ratkn_keysched_derive(chunk_empty, x, x, x, x, x, x, &sk));
	ck_assert(!ratkn_keysched_derive(x, chunk_empty, x, x, x, x, x, &sk));
	ck_assert(!ratkn_keysched_derive(x, x, x, chunk_create(x.ptr, 7), x, x, x,
									 &sk));
	ck_assert(!ratkn_keysched_derive(x, x, x, x, x, chunk_empty, x, &sk));
}
END_TEST

Suite *keysched_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("keysched");

	tc = tcase_create("vectors");
	tcase_add_loop_test(tc, test_vectors, 0, countof(vectors));
	suite_add_tcase(s, tc);

	tc = tcase_create("inputs");
	tcase_add_test(tc, test_inputs_matter);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);

	return s;
}
