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

#include <ratkn_ak.h>

#include <stdio.h>
#include <unistd.h>

#include <tss2/tss2_mu.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/**
 * Attributes of an AK
 */
#define AK_ATTRS (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
				  TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | \
				  TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)

/**
 * Software keys of the test case
 */
static EVP_PKEY *ec256, *ec384, *rsa;

static void setup_keys()
{
	ec256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ck_assert(ec256 && ec384 && rsa);
}

static void teardown_keys()
{
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(rsa);
}

/**
 * DER SPKI of a key as OpenSSL encodes it
 */
static chunk_t spki_of(EVP_PKEY *pkey)
{
	chunk_t spki;
	u_char *pos;
	int len;

	len = i2d_PUBKEY(pkey, NULL);
	ck_assert(len > 0);
	spki = chunk_alloc(len);
	pos = spki.ptr;
	ck_assert_int_eq(i2d_PUBKEY(pkey, &pos), len);
	return spki;
}

/**
 * TPMT_PUBLIC of a software EC key, as a TPM would build it
 */
static void ecc_public(EVP_PKEY *pkey, TPMT_PUBLIC *pub)
{
	uint8_t point[1 + 2 * 48];
	size_t len, coord;

	ck_assert(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
											  point, sizeof(point), &len));
	ck_assert(point[0] == 0x04);
	coord = (len - 1) / 2;
	memset(pub, 0, sizeof(*pub));
	pub->type = TPM2_ALG_ECC;
	pub->nameAlg = TPM2_ALG_SHA256;
	pub->objectAttributes = AK_ATTRS;
	pub->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	pub->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	pub->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	pub->parameters.eccDetail.curveID = coord == 32 ? TPM2_ECC_NIST_P256
													: TPM2_ECC_NIST_P384;
	pub->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	pub->unique.ecc.x.size = coord;
	memcpy(pub->unique.ecc.x.buffer, point + 1, coord);
	pub->unique.ecc.y.size = coord;
	memcpy(pub->unique.ecc.y.buffer, point + 1 + coord, coord);
}

/**
 * TPMT_PUBLIC of a software RSA key
 */
static void rsa_public(EVP_PKEY *pkey, uint32_t exponent, TPMT_PUBLIC *pub)
{
	BIGNUM *n = NULL;

	ck_assert(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n));
	memset(pub, 0, sizeof(*pub));
	pub->type = TPM2_ALG_RSA;
	pub->nameAlg = TPM2_ALG_SHA256;
	pub->objectAttributes = AK_ATTRS;
	pub->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	pub->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
	pub->parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
	pub->parameters.rsaDetail.keyBits = BN_num_bytes(n) * 8;
	pub->parameters.rsaDetail.exponent = exponent;
	pub->unique.rsa.size = BN_num_bytes(n);
	ck_assert(BN_bn2binpad(n, pub->unique.rsa.buffer, pub->unique.rsa.size) ==
			  pub->unique.rsa.size);
	BN_free(n);
}

/**
 * Marshal a TPMT_PUBLIC
 */
static chunk_t marshal_public(TPMT_PUBLIC *pub)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t offset = 0;

	ck_assert(Tss2_MU_TPMT_PUBLIC_Marshal(pub, buf, sizeof(buf),
										  &offset) == TSS2_RC_SUCCESS);
	return chunk_clone(chunk_create(buf, offset));
}

/**
 * Convert and compare with the expected SPKI
 */
static void assert_spki(TPMT_PUBLIC *pub, EVP_PKEY *pkey)
{
	chunk_t tpm, spki, expected;

	tpm = marshal_public(pub);
	ck_assert(ratkn_ak_spki_from_tpm(tpm, &spki));
	expected = spki_of(pkey);
	ck_assert(chunk_equals(spki, expected));
	chunk_free(&tpm);
	chunk_free(&spki);
	chunk_free(&expected);
}

START_TEST(test_spki_ecc)
{
	TPMT_PUBLIC pub;

	ecc_public(ec256, &pub);
	assert_spki(&pub, ec256);
	ecc_public(ec384, &pub);
	assert_spki(&pub, ec384);
}
END_TEST

START_TEST(test_spki_ecc_short_coordinates)
{
	TPMT_PUBLIC pub;
	EVP_PKEY *pkey;
	int i;

	/* find a key with a leading zero in X, the TPM may omit it */
	for (i = 0; i < 2000; i++)
	{
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		ecc_public(pkey, &pub);
		if (pub.unique.ecc.x.buffer[0] == 0)
		{
			memmove(pub.unique.ecc.x.buffer, pub.unique.ecc.x.buffer + 1, 31);
			pub.unique.ecc.x.size = 31;
			assert_spki(&pub, pkey);
			EVP_PKEY_free(pkey);
			return;
		}
		EVP_PKEY_free(pkey);
	}
	ck_abort_msg("no key with a leading zero found");
}
END_TEST

START_TEST(test_spki_rsa)
{
	TPMT_PUBLIC pub;

	/* exponent 0 means 65537 */
	rsa_public(rsa, 0, &pub);
	assert_spki(&pub, rsa);
	rsa_public(rsa, 65537, &pub);
	assert_spki(&pub, rsa);
}
END_TEST

START_TEST(test_spki_rsa_exponent)
{
	const u_char *pos;
	TPMT_PUBLIC pub;
	EVP_PKEY *pkey;
	BIGNUM *e = NULL;
	chunk_t tpm, spki;

	rsa_public(rsa, 3, &pub);
	tpm = marshal_public(&pub);
	ck_assert(ratkn_ak_spki_from_tpm(tpm, &spki));
	pos = spki.ptr;
	pkey = d2i_PUBKEY(NULL, &pos, spki.len);
	ck_assert(pkey);
	ck_assert(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e));
	ck_assert(BN_is_word(e, 3));
	BN_free(e);
	EVP_PKEY_free(pkey);
	chunk_free(&tpm);
	chunk_free(&spki);
}
END_TEST

/**
 * Modifications of a valid public area that must be rejected
 */
static void modify(int i, TPMT_PUBLIC *pub)
{
	switch (i)
	{
		case 0:		/* not restricted */
			pub->objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
			break;
		case 1:		/* not for signing */
			pub->objectAttributes &= ~TPMA_OBJECT_SIGN_ENCRYPT;
			break;
		case 2:		/* a storage/decryption key */
			pub->objectAttributes &= ~TPMA_OBJECT_SIGN_ENCRYPT;
			pub->objectAttributes |= TPMA_OBJECT_DECRYPT;
			break;
		case 3:		/* both */
			pub->objectAttributes |= TPMA_OBJECT_DECRYPT;
			break;
		case 4:		/* unsupported curve */
			pub->parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
			break;
		case 5:
			pub->parameters.eccDetail.curveID = TPM2_ECC_NIST_P384;
			break;
		case 6:		/* coordinate too long */
			pub->unique.ecc.x.size = 33;
			break;
		case 7:		/* empty coordinate */
			pub->unique.ecc.y.size = 0;
			break;
		case 8:		/* not on the curve */
			pub->unique.ecc.y.buffer[5] ^= 0x01;
			break;
		case 9:		/* may leave the TPM */
			pub->objectAttributes &= ~TPMA_OBJECT_FIXEDTPM;
			break;
		case 10:	/* may be duplicated to another parent */
			pub->objectAttributes &= ~TPMA_OBJECT_FIXEDPARENT;
			break;
		case 11:	/* imported, not generated by the TPM */
			pub->objectAttributes &= ~TPMA_OBJECT_SENSITIVEDATAORIGIN;
			break;
		default:
			ck_abort();
	}
}

START_TEST(test_spki_reject_ecc)
{
	TPMT_PUBLIC pub;
	chunk_t tpm, spki = chunk_empty;

	ecc_public(ec256, &pub);
	modify(_i, &pub);
	tpm = marshal_public(&pub);
	ck_assert(!ratkn_ak_spki_from_tpm(tpm, &spki));
	ck_assert(spki.ptr == NULL);
	chunk_free(&tpm);
}
END_TEST

START_TEST(test_spki_reject_rsa)
{
	TPMT_PUBLIC pub;
	chunk_t tpm, spki = chunk_empty;

	rsa_public(rsa, 0, &pub);
	switch (_i)
	{
		case 0:
			pub.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
			break;
		case 1:		/* modulus size does not match */
			pub.parameters.rsaDetail.keyBits = 3072;
			break;
		case 2:		/* too small */
			pub.parameters.rsaDetail.keyBits = 1024;
			pub.unique.rsa.size = 128;
			break;
		case 3:		/* not an asymmetric key */
			pub.type = TPM2_ALG_KEYEDHASH;
			pub.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_HMAC;
			pub.parameters.keyedHashDetail.scheme.details.hmac.hashAlg =
														TPM2_ALG_SHA256;
			pub.unique.keyedHash.size = 32;
			break;
	}
	tpm = marshal_public(&pub);
	ck_assert(!ratkn_ak_spki_from_tpm(tpm, &spki));
	chunk_free(&tpm);
}
END_TEST

START_TEST(test_spki_reject_encoding)
{
	TPMT_PUBLIC pub;
	chunk_t tpm, copy, spki;
	size_t len;

	ecc_public(ec256, &pub);
	tpm = marshal_public(&pub);

	/* every truncation, in a buffer of exactly that size */
	for (len = 0; len < tpm.len; len++)
	{
		copy = chunk_clone(chunk_create(tpm.ptr, len));
		ck_assert_msg(!ratkn_ak_spki_from_tpm(copy, &spki), "len %zu", len);
		chunk_free(&copy);
	}
	/* trailing data */
	copy = chunk_cat("cc", tpm, chunk_from_chars(0x00));
	ck_assert(!ratkn_ak_spki_from_tpm(copy, &spki));
	chunk_free(&copy);
	chunk_free(&tpm);
}
END_TEST

/**
 * Sign data with a software key, as TPMT_SIGNATURE
 */
static chunk_t sign(EVP_PKEY *pkey, chunk_t data, uint16_t hash, bool minimal)
{
	TPMT_SIGNATURE sig = {};
	EVP_MD_CTX *ctx;
	ECDSA_SIG *ecdsa;
	const BIGNUM *r, *s;
	const u_char *pos;
	uint8_t raw[512], buf[sizeof(TPMT_SIGNATURE)];
	size_t len = sizeof(raw), offset = 0, coord;

	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1);
	ck_assert(EVP_DigestSign(ctx, raw, &len, data.ptr, data.len) == 1);
	EVP_MD_CTX_free(ctx);

	if (EVP_PKEY_is_a(pkey, "EC"))
	{
		coord = (EVP_PKEY_get_bits(pkey) + 7) / 8;
		pos = raw;
		ecdsa = d2i_ECDSA_SIG(NULL, &pos, len);
		ck_assert(ecdsa);
		ECDSA_SIG_get0(ecdsa, &r, &s);
		sig.sigAlg = TPM2_ALG_ECDSA;
		sig.signature.ecdsa.hash = hash;
		if (minimal)
		{
			sig.signature.ecdsa.signatureR.size = BN_bn2bin(r,
									sig.signature.ecdsa.signatureR.buffer);
			sig.signature.ecdsa.signatureS.size = BN_bn2bin(s,
									sig.signature.ecdsa.signatureS.buffer);
		}
		else
		{
			sig.signature.ecdsa.signatureR.size = coord;
			BN_bn2binpad(r, sig.signature.ecdsa.signatureR.buffer, coord);
			sig.signature.ecdsa.signatureS.size = coord;
			BN_bn2binpad(s, sig.signature.ecdsa.signatureS.buffer, coord);
		}
		ECDSA_SIG_free(ecdsa);
	}
	else
	{
		sig.sigAlg = TPM2_ALG_RSASSA;
		sig.signature.rsassa.hash = hash;
		sig.signature.rsassa.sig.size = len;
		memcpy(sig.signature.rsassa.sig.buffer, raw, len);
	}
	ck_assert(Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, buf, sizeof(buf),
											 &offset) == TSS2_RC_SUCCESS);
	return chunk_clone(chunk_create(buf, offset));
}

START_TEST(test_verify)
{
	EVP_PKEY *keys[] = { ec256, ec384, rsa };
	EVP_PKEY *key = keys[_i], *other = keys[(_i + 1) % countof(keys)];
	chunk_t data = chunk_from_str("quoted data"), spki, other_spki, sig, copy;
	size_t i;

	spki = spki_of(key);
	other_spki = spki_of(other);
	sig = sign(key, data, TPM2_ALG_SHA256, FALSE);
	ck_assert(ratkn_ak_verify(spki, data, sig));
	ck_assert(!ratkn_ak_verify(other_spki, data, sig));
	ck_assert(!ratkn_ak_verify(spki, chunk_from_str("quoted datA"), sig));
	ck_assert(!ratkn_ak_verify(spki, chunk_empty, sig));
	ck_assert(!ratkn_ak_verify(chunk_empty, data, sig));
	ck_assert(!ratkn_ak_verify(spki, data, chunk_empty));

	/* any modified octet of the signature */
	for (i = 0; i < sig.len; i++)
	{
		copy = chunk_clone(sig);
		copy.ptr[i] ^= 0x01;
		ck_assert_msg(!ratkn_ak_verify(spki, data, copy), "octet %zu", i);
		chunk_free(&copy);
	}
	/* trailing data */
	copy = chunk_cat("cc", sig, chunk_from_chars(0x00));
	ck_assert(!ratkn_ak_verify(spki, data, copy));
	chunk_free(&copy);
	chunk_free(&sig);

	/* a valid signature but claiming another hash */
	sig = sign(key, data, TPM2_ALG_SHA1, FALSE);
	ck_assert(!ratkn_ak_verify(spki, data, sig));
	chunk_free(&sig);

	chunk_free(&spki);
	chunk_free(&other_spki);
}
END_TEST

START_TEST(test_verify_minimal_ecdsa)
{
	chunk_t data = chunk_from_str("data"), spki, sig;
	int i;

	spki = spki_of(ec256);
	for (i = 0; i < 64; i++)
	{	/* r or s has a leading zero now and then */
		sig = sign(ec256, data, TPM2_ALG_SHA256, TRUE);
		ck_assert(ratkn_ak_verify(spki, data, sig));
		chunk_free(&sig);
	}
	chunk_free(&spki);
}
END_TEST

START_TEST(test_verify_wrong_scheme)
{
	TPMT_SIGNATURE sig = {};
	chunk_t data = chunk_from_str("data"), spki, rsa_spki, ecsig, copy;
	uint8_t buf[sizeof(TPMT_SIGNATURE)];
	size_t offset = 0;

	spki = spki_of(ec256);
	rsa_spki = spki_of(rsa);
	ecsig = sign(ec256, data, TPM2_ALG_SHA256, FALSE);
	/* ECDSA signature with an RSA key */
	ck_assert(!ratkn_ak_verify(rsa_spki, data, ecsig));

	/* RSAPSS and HMAC are not accepted */
	ck_assert(Tss2_MU_TPMT_SIGNATURE_Unmarshal(ecsig.ptr, ecsig.len, &offset,
											   &sig) == TSS2_RC_SUCCESS);
	sig.sigAlg = TPM2_ALG_RSAPSS;
	sig.signature.rsapss.hash = TPM2_ALG_SHA256;
	sig.signature.rsapss.sig.size = 256;
	offset = 0;
	ck_assert(Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, buf, sizeof(buf),
											 &offset) == TSS2_RC_SUCCESS);
	copy = chunk_create(buf, offset);
	ck_assert(!ratkn_ak_verify(rsa_spki, data, copy));

	memset(&sig, 0, sizeof(sig));
	sig.sigAlg = TPM2_ALG_HMAC;
	sig.signature.hmac.hashAlg = TPM2_ALG_SHA256;
	offset = 0;
	ck_assert(Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, buf, sizeof(buf),
											 &offset) == TSS2_RC_SUCCESS);
	copy = chunk_create(buf, offset);
	ck_assert(!ratkn_ak_verify(spki, data, copy));

	chunk_free(&ecsig);
	chunk_free(&spki);
	chunk_free(&rsa_spki);
}
END_TEST

/**
 * Temporary key file
 */
static char path[64];

static void setup_file()
{
	int fd;

	setup_keys();
	snprintf(path, sizeof(path), "%s/ratkn-ak-XXXXXX", P_tmpdir);
	fd = mkstemp(path);
	ck_assert(fd != -1);
	close(fd);
}

static void teardown_file()
{
	unlink(path);
	teardown_keys();
}

START_TEST(test_pem_roundtrip)
{
	EVP_PKEY *keys[] = { ec256, ec384, rsa };
	chunk_t spki, pem, loaded;

	spki = spki_of(keys[_i]);
	ck_assert(ratkn_ak_to_pem(spki, &pem));
	ck_assert_int_eq(strlen(pem.ptr), pem.len);
	ck_assert(strneq(pem.ptr, "-----BEGIN PUBLIC KEY-----\n", 27));
	ck_assert(chunk_write(pem, path, 022, TRUE));
	ck_assert(ratkn_ak_load(path, &loaded));
	ck_assert(chunk_equals(spki, loaded));
	chunk_free(&loaded);

	/* DER */
	ck_assert(chunk_write(spki, path, 022, TRUE));
	ck_assert(ratkn_ak_load(path, &loaded));
	ck_assert(chunk_equals(spki, loaded));
	chunk_free(&loaded);
	chunk_free(&pem);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_load_bad)
{
	EVP_PKEY *ed;
	chunk_t spki, data, loaded = chunk_empty;

	/* garbage */
	ck_assert(chunk_write(chunk_from_str("not a key\n"), path, 022, TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	/* empty */
	ck_assert(chunk_write(chunk_empty, path, 022, TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	/* broken PEM */
	ck_assert(chunk_write(chunk_from_str("-----BEGIN PUBLIC KEY-----\nAAAA\n"
						  "-----END PUBLIC KEY-----\n"), path, 022, TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	/* DER with trailing data */
	spki = spki_of(ec256);
	data = chunk_cat("cc", spki, chunk_from_chars(0x00));
	ck_assert(chunk_write(data, path, 022, TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	chunk_free(&data);
	/* truncated DER */
	ck_assert(chunk_write(chunk_create(spki.ptr, spki.len - 1), path, 022,
						  TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	chunk_free(&spki);
	/* not an ECC or RSA key */
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ck_assert(ed);
	spki = spki_of(ed);
	ck_assert(chunk_write(spki, path, 022, TRUE));
	ck_assert(!ratkn_ak_load(path, &loaded));
	chunk_free(&spki);
	EVP_PKEY_free(ed);
	/* missing */
	unlink(path);
	ck_assert(!ratkn_ak_load(path, &loaded));
	ck_assert(loaded.ptr == NULL);

	ck_assert(!ratkn_ak_to_pem(chunk_from_str("junk"), &data));
}
END_TEST

Suite *ak_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("ak");

	tc = tcase_create("spki");
	tcase_add_unchecked_fixture(tc, setup_keys, teardown_keys);
	tcase_add_test(tc, test_spki_ecc);
	tcase_add_test(tc, test_spki_ecc_short_coordinates);
	tcase_add_test(tc, test_spki_rsa);
	tcase_add_test(tc, test_spki_rsa_exponent);
	tcase_add_loop_test(tc, test_spki_reject_ecc, 0, 12);
	tcase_add_loop_test(tc, test_spki_reject_rsa, 0, 4);
	tcase_add_test(tc, test_spki_reject_encoding);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_unchecked_fixture(tc, setup_keys, teardown_keys);
	tcase_add_loop_test(tc, test_verify, 0, 3);
	tcase_add_test(tc, test_verify_minimal_ecdsa);
	tcase_add_test(tc, test_verify_wrong_scheme);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup_file, teardown_file);
	tcase_add_loop_test(tc, test_pem_roundtrip, 0, 3);
	tcase_add_test(tc, test_load_bad);
	suite_add_tcase(s, tc);

	return s;
}
