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
#include "swtpm_fixture.h"

#include <ratkn_tpm.h>
#include <ratkn_ak.h>

#include <tss2/tss2_mu.h>

#include <openssl/evp.h>
#include <unistd.h>

/**
 * Parse a marshalled TPMT_PUBLIC
 */
static void unmarshal_public(chunk_t data, TPMT_PUBLIC *pub)
{
	size_t offset = 0;

	memset(pub, 0, sizeof(*pub));
	ck_assert(Tss2_MU_TPMT_PUBLIC_Unmarshal(data.ptr, data.len, &offset,
										   pub) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(offset, data.len);
}

/**
 * Parse a marshalled TPMS_ATTEST
 */
static void unmarshal_attest(chunk_t data, TPMS_ATTEST *attest)
{
	size_t offset = 0;

	memset(attest, 0, sizeof(*attest));
	ck_assert(Tss2_MU_TPMS_ATTEST_Unmarshal(data.ptr, data.len, &offset,
										   attest) == TSS2_RC_SUCCESS);
	ck_assert_int_eq(offset, data.len);
}

START_TEST(test_create_ak_ecc)
{
	ratkn_tpm_t *tpm;
	TPMT_PUBLIC pub;
	chunk_t ak, again, spki;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	unmarshal_public(ak, &pub);
	ck_assert_int_eq(pub.type, TPM2_ALG_ECC);
	ck_assert_int_eq(pub.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
	ck_assert_int_eq(pub.parameters.eccDetail.scheme.scheme, TPM2_ALG_ECDSA);
	ck_assert(pub.objectAttributes & TPMA_OBJECT_RESTRICTED);
	ck_assert(pub.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT);
	ck_assert(pub.objectAttributes & TPMA_OBJECT_FIXEDTPM);
	ck_assert(ratkn_ak_spki_from_tpm(ak, &spki));
	chunk_free(&spki);

	/* reused */
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	/* another type is not created without force */
	ck_assert(tpm->create_ak(tpm, RATKN_AK_RSA, FALSE, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	/* forced: a primary key from the same template is the same key */
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, TRUE, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	chunk_free(&ak);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_create_ak_rsa)
{
	ratkn_tpm_t *tpm;
	TPMT_PUBLIC pub;
	chunk_t ak, again, spki;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010003);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_RSA, FALSE, &ak));
	unmarshal_public(ak, &pub);
	ck_assert_int_eq(pub.type, TPM2_ALG_RSA);
	ck_assert_int_eq(pub.parameters.rsaDetail.keyBits, 2048);
	ck_assert_int_eq(pub.parameters.rsaDetail.scheme.scheme, TPM2_ALG_RSASSA);
	ck_assert(ratkn_ak_spki_from_tpm(ak, &spki));
	chunk_free(&spki);
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);

	/* replaced by an ECC key with force */
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, TRUE, &again));
	ck_assert(!chunk_equals(ak, again));
	unmarshal_public(again, &pub);
	ck_assert_int_eq(pub.type, TPM2_ALG_ECC);
	chunk_free(&ak);
	ck_assert(tpm->get_ak_public(tpm, &ak));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	chunk_free(&ak);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_ak_differs_from_ek)
{
	ratkn_tpm_t *tpm, *ek;
	TPMT_PUBLIC pub, ek_pub;
	chunk_t ak, ekp;

	/* swtpm_setup persists the EKs at 0x81010001 (RSA), 0x81010016 (ECC) */
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	tpm->destroy(tpm);
	ek = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010016);
	ck_assert(ek->get_ak_public(ek, &ekp));
	ek->destroy(ek);
	unmarshal_public(ak, &pub);
	unmarshal_public(ekp, &ek_pub);
	ck_assert_int_eq(ek_pub.type, TPM2_ALG_ECC);
	ck_assert(pub.unique.ecc.x.size != ek_pub.unique.ecc.x.size ||
			  !memeq(pub.unique.ecc.x.buffer, ek_pub.unique.ecc.x.buffer,
					 pub.unique.ecc.x.size));
	chunk_free(&ak);
	/* and the EK is not accepted as AK (a decryption key) */
	ck_assert(!ratkn_ak_spki_from_tpm(ekp, &ak));
	chunk_free(&ekp);
}
END_TEST

START_TEST(test_no_ak)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values = NULL;
	ratkn_tpm_t *tpm;
	chunk_t ak = chunk_empty, quote = chunk_empty, sig = chunk_empty;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010009);
	ck_assert(!tpm->get_ak_public(tpm, &ak));
	ck_assert(ratkn_pcr_selection_parse("sha256:0", &sel));
	ck_assert(!tpm->quote(tpm, &sel, chunk_from_str("nonce"), &quote, &sig,
						  &values));
	ck_assert(!ak.ptr && !quote.ptr && !sig.ptr && !values);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_no_tpm)
{
	ratkn_tpm_t *tpm;
	chunk_t ak;

	tpm = ratkn_tpm_create("swtpm:host=127.0.0.1,port=1", 0);
	ck_assert(!tpm->get_ak_public(tpm, &ak));
	tpm->destroy(tpm);
	tpm = ratkn_tpm_create("device:/nonexistent/tpm", 0);
	ck_assert(!tpm->get_ak_public(tpm, &ak));
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_read_pcrs)
{
	ratkn_pcr_selection_t sel, got;
	ratkn_pcr_values_t *values;
	enumerator_t *enumerator;
	ratkn_tpm_t *tpm;
	chunk_t digest;
	u_int alg, pcr, i = 0;

	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	/* 48 values: needs several TPM2_PCR_Read calls */
	ck_assert(ratkn_pcr_selection_parse("sha256:0-23+sha1:0-23", &sel));
	ck_assert(tpm->read_pcrs(tpm, &sel, &values));
	ck_assert_int_eq(values->get_count(values), 48);
	values->get_selection(values, &got);
	ck_assert(ratkn_pcr_selection_equals(&sel, &got));
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{	/* in selection order */
		ck_assert_int_eq(alg, i < 24 ? TPM2_ALG_SHA256 : TPM2_ALG_SHA1);
		ck_assert_int_eq(pcr, i % 24);
		ck_assert_int_eq(digest.len, i < 24 ? 32 : 20);
		/* PC client: PCRs 17-22 start as all ones, the others as zeros */
		if (pcr >= 17 && pcr <= 22)
		{
			ck_assert(digest.ptr[0] == 0xff && digest.ptr[digest.len - 1]
					  == 0xff);
		}
		i++;
	}
	enumerator->destroy(enumerator);
	values->destroy(values);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_read_pcrs_inactive_bank)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values = NULL;
	ratkn_tpm_t *tpm;

	/* swtpm_setup activated sha1 and sha256 only */
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(ratkn_pcr_selection_parse("sha256:0+sha384:0", &sel));
	ck_assert(!tpm->read_pcrs(tpm, &sel, &values));
	ck_assert(values == NULL);
	/* still usable */
	ck_assert(ratkn_pcr_selection_parse("sha256:0", &sel));
	ck_assert(tpm->read_pcrs(tpm, &sel, &values));
	values->destroy(values);
	tpm->destroy(tpm);
}
END_TEST

/**
 * Hash old | new with a bank's algorithm
 */
static chunk_t extended(char *md, chunk_t old, chunk_t digest)
{
	chunk_t result = chunk_alloc(EVP_MD_get_size(EVP_get_digestbyname(md)));
	EVP_MD_CTX *ctx;

	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestInit_ex(ctx, EVP_get_digestbyname(md), NULL) == 1);
	ck_assert(EVP_DigestUpdate(ctx, old.ptr, old.len) == 1);
	ck_assert(EVP_DigestUpdate(ctx, digest.ptr, digest.len) == 1);
	ck_assert(EVP_DigestFinal_ex(ctx, result.ptr, NULL) == 1);
	EVP_MD_CTX_free(ctx);
	return result;
}

START_TEST(test_extend)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *before, *after;
	ratkn_tpm_t *tpm;
	uint8_t d32[32], d20[20];
	chunk_t old, new, expected;

	memset(d32, 0xab, sizeof(d32));
	memset(d20, 0xcd, sizeof(d20));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(ratkn_pcr_selection_parse("sha256:16+sha1:16", &sel));
	ck_assert(tpm->read_pcrs(tpm, &sel, &before));
	ck_assert(tpm->extend(tpm, TPM2_ALG_SHA256, 16, chunk_from_thing(d32)));
	ck_assert(tpm->extend(tpm, TPM2_ALG_SHA1, 16, chunk_from_thing(d20)));
	ck_assert(tpm->read_pcrs(tpm, &sel, &after));

	ck_assert(before->get(before, TPM2_ALG_SHA256, 16, &old));
	ck_assert(after->get(after, TPM2_ALG_SHA256, 16, &new));
	expected = extended("sha256", old, chunk_from_thing(d32));
	ck_assert(chunk_equals(new, expected));
	chunk_free(&expected);
	ck_assert(before->get(before, TPM2_ALG_SHA1, 16, &old));
	ck_assert(after->get(after, TPM2_ALG_SHA1, 16, &new));
	expected = extended("sha1", old, chunk_from_thing(d20));
	ck_assert(chunk_equals(new, expected));
	chunk_free(&expected);
	before->destroy(before);
	after->destroy(after);

	/* invalid */
	ck_assert(!tpm->extend(tpm, TPM2_ALG_SHA256, 16, chunk_from_thing(d20)));
	ck_assert(!tpm->extend(tpm, TPM2_ALG_SHA256, 24, chunk_from_thing(d32)));
	ck_assert(!tpm->extend(tpm, 0x4242, 16, chunk_from_thing(d32)));
	/* not allowed by the TPM from locality 0 */
	ck_assert(!tpm->extend(tpm, TPM2_ALG_SHA256, 17, chunk_from_thing(d32)));
	tpm->destroy(tpm);
}
END_TEST

/**
 * Quote and check the result against the TPM's PCRs
 */
static void quote_and_check(ratkn_tpm_t *tpm, char *selection,
							chunk_t qualifying)
{
	ratkn_pcr_selection_t sel, got;
	ratkn_pcr_values_t *values, *read;
	enumerator_t *enumerator;
	TPMS_ATTEST attest;
	chunk_t ak, spki, quote, sig, digest, value;
	u_int alg, pcr;
	EVP_MD_CTX *ctx;
	uint8_t hash[32];

	ck_assert(ratkn_pcr_selection_parse(selection, &sel));
	ck_assert(tpm->quote(tpm, &sel, qualifying, &quote, &sig, &values));
	ck_assert(tpm->get_ak_public(tpm, &ak));
	ck_assert(ratkn_ak_spki_from_tpm(ak, &spki));

	ck_assert(ratkn_ak_verify(spki, quote, sig));
	unmarshal_attest(quote, &attest);
	ck_assert_int_eq(attest.magic, TPM2_GENERATED_VALUE);
	ck_assert_int_eq(attest.type, TPM2_ST_ATTEST_QUOTE);
	ck_assert_int_eq(attest.extraData.size, qualifying.len);
	ck_assert(!qualifying.len ||
			  memeq(attest.extraData.buffer, qualifying.ptr, qualifying.len));
	values->get_selection(values, &got);
	ck_assert(ratkn_pcr_selection_equals(&sel, &got));

	/* pcrDigest is SHA-256 over the values in order */
	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1);
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(EVP_DigestUpdate(ctx, digest.ptr, digest.len) == 1);
	}
	enumerator->destroy(enumerator);
	ck_assert(EVP_DigestFinal_ex(ctx, hash, NULL) == 1);
	EVP_MD_CTX_free(ctx);
	ck_assert(chunk_equals(chunk_from_thing(hash),
				chunk_create(attest.attested.quote.pcrDigest.buffer,
							 attest.attested.quote.pcrDigest.size)));

	/* the values are the TPM's */
	ck_assert(tpm->read_pcrs(tpm, &sel, &read));
	ck_assert_int_eq(read->get_count(read), values->get_count(values));
	enumerator = values->create_enumerator(values);
	while (enumerator->enumerate(enumerator, &alg, &pcr, &digest))
	{
		ck_assert(read->get(read, alg, pcr, &value));
		ck_assert(chunk_equals(digest, value));
	}
	enumerator->destroy(enumerator);
	read->destroy(read);
	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&spki);
	chunk_free(&ak);
}

START_TEST(test_quote)
{
	ratkn_tpm_t *tpm;
	uint8_t nonce[64];
	chunk_t ak;

	memset(nonce, 0x5a, sizeof(nonce));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	chunk_free(&ak);
	quote_and_check(tpm, "sha256:0-7", chunk_create(nonce, 32));
	quote_and_check(tpm, "sha256:0,16,23", chunk_create(nonce, 1));
	quote_and_check(tpm, "sha1:0-3+sha256:0-23", chunk_from_thing(nonce));
	quote_and_check(tpm, "sha256:0-7", chunk_empty);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_quote_rsa)
{
	ratkn_tpm_t *tpm;
	uint8_t nonce[32];
	chunk_t ak;

	memset(nonce, 0xa5, sizeof(nonce));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010004);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_RSA, FALSE, &ak));
	chunk_free(&ak);
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_quote_invalid)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values = NULL;
	ratkn_tpm_t *tpm;
	uint8_t nonce[65];
	chunk_t ak, quote = chunk_empty, sig = chunk_empty;

	memset(nonce, 0, sizeof(nonce));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	chunk_free(&ak);
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &sel));
	/* qualifyingData longer than sizeof(TPMU_HA) */
	ck_assert(!tpm->quote(tpm, &sel, chunk_from_thing(nonce), &quote, &sig,
						  &values));
	/* inactive bank */
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7+sha512:0", &sel));
	ck_assert(!tpm->quote(tpm, &sel, chunk_create(nonce, 32), &quote, &sig,
						  &values));
	/* invalid selection */
	sel.count = 1;
	sel.banks[0].alg = TPM2_ALG_SHA256;
	sel.banks[0].mask = 1 << 24;
	ck_assert(!tpm->quote(tpm, &sel, chunk_create(nonce, 32), &quote, &sig,
						  &values));
	ck_assert(!quote.ptr && !sig.ptr && !values);
	tpm->destroy(tpm);
}
END_TEST

START_TEST(test_reconnect)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_tpm_t *tpm;
	swtpm_t *swtpm;
	uint8_t d32[32];
	chunk_t ak, again, value, expected;

	memset(d32, 0x42, sizeof(d32));
	swtpm = swtpm_create();
	ck_assert(swtpm);
	tpm = ratkn_tpm_create(swtpm->get_tcti(swtpm), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));

	/* while the TPM is down commands fail */
	swtpm->stop(swtpm);
	ck_assert(!tpm->get_ak_public(tpm, &again));
	ck_assert(!tpm->extend(tpm, TPM2_ALG_SHA256, 16, chunk_from_thing(d32)));

	/* and work again when it is back (PCRs were reset by the restart) */
	ck_assert(swtpm->start(swtpm, TRUE));
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	ck_assert(tpm->extend(tpm, TPM2_ALG_SHA256, 16, chunk_from_thing(d32)));
	ck_assert(ratkn_pcr_selection_parse("sha256:16", &sel));
	ck_assert(tpm->read_pcrs(tpm, &sel, &values));
	ck_assert(values->get(values, TPM2_ALG_SHA256, 16, &value));
	expected = extended("sha256", chunk_from_thing((uint8_t[32]){}),
						chunk_from_thing(d32));
	ck_assert(chunk_equals(value, expected));
	chunk_free(&expected);
	values->destroy(values);

	/* a TPM that is not started up gets TPM2_Startup */
	ck_assert(swtpm->start(swtpm, FALSE));
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);

	chunk_free(&ak);
	tpm->destroy(tpm);
	swtpm->destroy(swtpm);
}
END_TEST

START_TEST(test_quote_reconnect)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values = NULL;
	ratkn_tpm_t *tpm;
	swtpm_t *swtpm;
	uint8_t nonce[32];
	chunk_t ak, again, quote = chunk_empty, sig = chunk_empty;

	memset(nonce, 0x17, sizeof(nonce));
	swtpm = swtpm_create();
	ck_assert(swtpm);
	tpm = ratkn_tpm_create(swtpm->get_tcti(swtpm), 0);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));
	/* consecutive quotes reuse the loaded AK */
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));

	/* no quote while the TPM is down */
	swtpm->stop(swtpm);
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &sel));
	ck_assert(!tpm->quote(tpm, &sel, chunk_from_thing(nonce), &quote, &sig,
						  &values));
	ck_assert(!quote.ptr && !sig.ptr && !values);

	/* restarted on the same state, the AK is loaded again */
	ck_assert(swtpm->start(swtpm, TRUE));
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);

	/* restarted and not started up: TPM2_Startup, then the quote */
	ck_assert(swtpm->start(swtpm, FALSE));
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));
	quote_and_check(tpm, "sha1:0-3+sha256:0-23", chunk_from_thing(nonce));

	chunk_free(&ak);
	tpm->destroy(tpm);
	swtpm->destroy(swtpm);
}
END_TEST

START_TEST(test_quote_ak_replaced)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values;
	ratkn_tpm_t *tpm, *other;
	TPMT_PUBLIC pub;
	uint8_t nonce[32];
	chunk_t ak, replaced, again, quote, sig, spki;

	memset(nonce, 0x71, sizeof(nonce));
	tpm = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010005);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, TRUE, &ak));
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));

	/* someone else (another process) replaces the AK at the handle */
	other = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010005);
	ck_assert(other->create_ak(other, RATKN_AK_RSA, TRUE, &replaced));
	other->destroy(other);
	ck_assert(!chunk_equals(ak, replaced));

	/* the quote notices, and the public area is the new key's */
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &sel));
	ck_assert(tpm->quote(tpm, &sel, chunk_from_thing(nonce), &quote, &sig,
						 &values));
	ck_assert(tpm->get_ak_public(tpm, &again));
	ck_assert(chunk_equals(again, replaced));
	unmarshal_public(again, &pub);
	ck_assert_int_eq(pub.type, TPM2_ALG_RSA);
	ck_assert(ratkn_ak_spki_from_tpm(again, &spki));
	ck_assert(ratkn_ak_verify(spki, quote, sig));
	values->destroy(values);
	chunk_free(&quote);
	chunk_free(&sig);
	chunk_free(&spki);
	chunk_free(&again);
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));

	/* replaced once more, by a key of the first type */
	other = ratkn_tpm_create(swtpm_fixture_tcti(), 0x81010005);
	ck_assert(other->create_ak(other, RATKN_AK_ECC, TRUE, &again));
	chunk_free(&again);
	other->destroy(other);
	quote_and_check(tpm, "sha256:0-7", chunk_from_thing(nonce));

	chunk_free(&ak);
	chunk_free(&replaced);
	tpm->destroy(tpm);
}
END_TEST

/**
 * Milliseconds since start
 */
static u_int ms_since(timeval_t *start)
{
	timeval_t now, diff;

	time_monotonic(&now);
	timersub(&now, start, &diff);
	return diff.tv_sec * 1000 + diff.tv_usec / 1000;
}

/**
 * Get the AK's public area, retrying for up to 5 s
 */
static bool get_ak_eventually(ratkn_tpm_t *tpm, chunk_t *ak)
{
	int i;

	for (i = 0; i < 100; i++)
	{
		if (tpm->get_ak_public(tpm, ak))
		{
			return TRUE;
		}
		usleep(50000);
	}
	return FALSE;
}

START_TEST(test_timeout)
{
	ratkn_pcr_selection_t sel;
	ratkn_pcr_values_t *values = NULL;
	ratkn_tpm_t *tpm, *other;
	swtpm_t *swtpm;
	timeval_t start;
	uint8_t nonce[32] = {};
	chunk_t ak, again, quote = chunk_empty, sig = chunk_empty;
	u_int ms;

	swtpm = swtpm_create();
	ck_assert(swtpm);
	tpm = ratkn_tpm_create(swtpm->get_tcti(swtpm), 0);
	tpm->set_timeout(tpm, 1000);
	ck_assert(tpm->create_ak(tpm, RATKN_AK_ECC, FALSE, &ak));

	/* a command to a stalled TPM fails after the timeout */
	swtpm->pause(swtpm, TRUE);
	time_monotonic(&start);
	ck_assert(!tpm->get_ak_public(tpm, &again));
	ms = ms_since(&start);
	ck_assert_int_ge(ms, 1000);
	ck_assert_int_lt(ms, 5000);

	/* further commands fail at once while it has not answered */
	ck_assert(ratkn_pcr_selection_parse("sha256:0-7", &sel));
	time_monotonic(&start);
	ck_assert(!tpm->quote(tpm, &sel, chunk_from_thing(nonce), &quote, &sig,
						  &values));
	ck_assert_int_lt(ms_since(&start), 200);
	ck_assert(!quote.ptr && !sig.ptr && !values);

	/* a TPM object that has not connected yet times out connecting */
	other = ratkn_tpm_create(swtpm->get_tcti(swtpm), 0);
	other->set_timeout(other, 1000);
	time_monotonic(&start);
	ck_assert(!other->get_ak_public(other, &again));
	ck_assert_int_lt(ms_since(&start), 5000);

	/* once the TPM answers again, everything works */
	swtpm->pause(swtpm, FALSE);
	ck_assert(get_ak_eventually(tpm, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);
	ck_assert(tpm->quote(tpm, &sel, chunk_from_thing(nonce), &quote, &sig,
						 &values));
	chunk_free(&quote);
	chunk_free(&sig);
	values->destroy(values);
	ck_assert(get_ak_eventually(other, &again));
	ck_assert(chunk_equals(ak, again));
	chunk_free(&again);

	/* destroying a TPM object with a stalled command does not wait for it */
	swtpm->pause(swtpm, TRUE);
	ck_assert(!other->read_pcrs(other, &sel, &values));
	time_monotonic(&start);
	other->destroy(other);
	ck_assert_int_lt(ms_since(&start), 200);
	swtpm->pause(swtpm, FALSE);
	ck_assert(get_ak_eventually(tpm, &again));
	chunk_free(&again);

	chunk_free(&ak);
	tpm->destroy(tpm);
	swtpm->destroy(swtpm);
}
END_TEST

Suite *tpm_suite_create()
{
	Suite *s;
	TCase *tc;

	s = suite_create("tpm");

	tc = tcase_create("ak");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_ak_ecc);
	tcase_add_test(tc, test_create_ak_rsa);
	tcase_add_test(tc, test_ak_differs_from_ek);
	tcase_add_test(tc, test_no_ak);
	tcase_add_test(tc, test_no_tpm);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcrs");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_read_pcrs);
	tcase_add_test(tc, test_read_pcrs_inactive_bank);
	tcase_add_test(tc, test_extend);
	suite_add_tcase(s, tc);

	tc = tcase_create("quote");
	tcase_add_unchecked_fixture(tc, swtpm_fixture_setup,
								swtpm_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_quote_rsa);
	tcase_add_test(tc, test_quote_invalid);
	tcase_add_test(tc, test_quote_ak_replaced);
	suite_add_tcase(s, tc);

	tc = tcase_create("connection");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reconnect);
	tcase_add_test(tc, test_quote_reconnect);
	tcase_add_test(tc, test_timeout);
	suite_add_tcase(s, tc);

	return s;
}
