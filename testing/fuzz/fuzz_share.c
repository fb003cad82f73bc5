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

/*
 * Target: the certification of a TPM-resident ECDHE share as a relying
 * party receives it in RATKN_EVIDENCE (SHARE_PUBLIC, SHARE_CERTIFY,
 * SHARE_SIGNATURE; docs/protocol.md sections 7 and 8): ratkn_share_point()
 * and ratkn_share_verify().
 *
 * The input is a flags octet, SHARE_PUBLIC and SHARE_CERTIFY each with a
 * 2-octet length, and SHARE_SIGNATURE (the rest). The flags:
 *
 *   bit 0: the group is 20 (P-384), else 19 (P-256)
 *   bit 1: the harness signs SHARE_CERTIFY with the fuzzing AK, as
 *          fuzz_appraisal does for quotes; the input's SHARE_SIGNATURE is
 *          then not used
 *   bit 2: the attester's share is the point of SHARE_PUBLIC, else the
 *          fixed fuzz_share_point() of the group
 *
 * The AK is fuzz_ak_public(), the binding fuzz_kms_binding(). The fuzzing
 * AK is created anew in every process, so no input can carry a signature
 * by it: a certification the harness did not sign must never verify, and
 * one it signed must verify exactly if it is valid, which the harness checks
 * on its own: a TPMS_ATTEST of TPM2_CertifyCreation (TPM_ST_ATTEST_CREATION)
 * with the binding as extraData, whose object name is nameAlg |
 * SHA-256(SHARE_PUBLIC), and the point of SHARE_PUBLIC is the share.
 */

#include "fuzz_common.h"

#include <ratkn_share.h>

#include <bio/bio_reader.h>

#include <tss2/tss2_mu.h>

#include <openssl/sha.h>

/**
 * Flags of the first input octet
 */
#define FLAG_P384 0x01
#define FLAG_SIGN 0x02
#define FLAG_OWN_POINT 0x04

/**
 * Check a point ratkn_share_point() accepted against the public area
 */
static void check_point(chunk_t tpm_public, uint16_t group, chunk_t point)
{
	TPMT_PUBLIC pub = {};
	TPMA_OBJECT attrs;
	size_t offset = 0, field;
	TPM2B_ECC_PARAMETER *x, *y;

	field = group == 19 ? 32 : 48;
	if (Tss2_MU_TPMT_PUBLIC_Unmarshal(tpm_public.ptr, tpm_public.len, &offset,
									  &pub) != TSS2_RC_SUCCESS ||
		offset != tpm_public.len || pub.type != TPM2_ALG_ECC ||
		pub.nameAlg != TPM2_ALG_SHA256 ||
		pub.parameters.eccDetail.curveID != ratkn_share_curve(group))
	{
		abort();
	}
	attrs = pub.objectAttributes;
	if (!(attrs & TPMA_OBJECT_DECRYPT) || !(attrs & TPMA_OBJECT_FIXEDTPM) ||
		!(attrs & TPMA_OBJECT_FIXEDPARENT) ||
		!(attrs & TPMA_OBJECT_SENSITIVEDATAORIGIN) ||
		(attrs & (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED)))
	{	/* no TPM-bound ECDH key */
		abort();
	}
	x = &pub.unique.ecc.x;
	y = &pub.unique.ecc.y;
	if (point.len != 2 * field || !x->size || x->size > field || !y->size ||
		y->size > field ||
		!memeq(point.ptr + field - x->size, x->buffer, x->size) ||
		!memeq(point.ptr + 2 * field - y->size, y->buffer, y->size))
	{
		abort();
	}
}

/**
 * Whether SHARE_CERTIFY certifies SHARE_PUBLIC for the binding, as the
 * harness sees it
 */
static bool certifies(chunk_t tpm_public, chunk_t certify, chunk_t binding)
{
	TPMS_ATTEST attest = {};
	TPM2B_NAME *name;
	u_char digest[SHA256_DIGEST_LENGTH];
	size_t offset = 0;

	if (!certify.len ||
		Tss2_MU_TPMS_ATTEST_Unmarshal(certify.ptr, certify.len, &offset,
									  &attest) != TSS2_RC_SUCCESS ||
		offset != certify.len || attest.magic != TPM2_GENERATED_VALUE ||
		attest.type != TPM2_ST_ATTEST_CREATION ||
		!chunk_equals(binding, chunk_create(attest.extraData.buffer,
											attest.extraData.size)))
	{
		return FALSE;
	}
	SHA256(tpm_public.ptr, tpm_public.len, digest);
	name = &attest.attested.creation.objectName;
	return name->size == 2 + sizeof(digest) &&
		   name->name[0] == (TPM2_ALG_SHA256 >> 8) &&
		   name->name[1] == (TPM2_ALG_SHA256 & 0xff) &&
		   memeq(name->name + 2, digest, sizeof(digest));
}

/**
 * Verify, every refusal must give a reason
 */
static bool verify(chunk_t tpm_public, chunk_t certify, chunk_t signature,
				   chunk_t binding, uint16_t group, chunk_t share)
{
	char reason[256] = "";

	if (ratkn_share_verify(fuzz_ak_public(), tpm_public, certify, signature,
						   binding, group, share, reason, sizeof(reason)))
	{
		return TRUE;
	}
	if (!reason[0])
	{
		abort();
	}
	return FALSE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bio_reader_t *reader;
	chunk_t tpm_public, certify, signature, point = chunk_empty, other, share;
	chunk_t binding, wrong;
	char reason[256];
	uint16_t group;
	uint8_t flags;
	bool point_ok, ok;

	fuzz_init();
	reader = bio_reader_create(chunk_create((u_char*)data, size));
	if (!reader->read_uint8(reader, &flags) ||
		!reader->read_data16(reader, &tpm_public) ||
		!reader->read_data16(reader, &certify))
	{
		reader->destroy(reader);
		return 0;
	}
	/* separate allocations, so that reading past a part is caught */
	tpm_public = chunk_clone(tpm_public);
	certify = chunk_clone(certify);
	signature = chunk_clone(reader->peek(reader));
	reader->destroy(reader);
	group = flags & FLAG_P384 ? 20 : 19;
	binding = fuzz_kms_binding();

	reason[0] = '\0';
	point_ok = ratkn_share_point(tpm_public, group, &point, reason,
								 sizeof(reason));
	if (point_ok)
	{
		check_point(tpm_public, group, point);
	}
	else if (!reason[0])
	{
		abort();
	}
	/* a public area is of one curve, and no other group has TPM shares */
	reason[0] = '\0';
	if (ratkn_share_point(tpm_public, group == 19 ? 20 : 19, &other, reason,
						  sizeof(reason)))
	{
		if (point_ok)
		{
			abort();
		}
		chunk_free(&other);
	}
	else if (!reason[0])
	{
		abort();
	}
	reason[0] = '\0';
	if (ratkn_share_point(tpm_public, 31, &other, reason, sizeof(reason)) ||
		!reason[0])
	{
		abort();
	}

	share = (flags & FLAG_OWN_POINT) && point_ok ? point
												 : fuzz_share_point(group);
	if (flags & FLAG_SIGN)
	{
		chunk_free(&signature);
		signature = fuzz_ak_sign(certify);
	}
	ok = verify(tpm_public, certify, signature, binding, group, share);
	if (!(flags & FLAG_SIGN))
	{	/* nothing but the harness can sign with the fuzzing AK */
		if (ok)
		{
			abort();
		}
	}
	else if (ok != (point_ok && chunk_equals(point, share) &&
					certifies(tpm_public, certify, binding)))
	{	/* a valid certification verifies, nothing else does */
		abort();
	}
	if (ok)
	{	/* only for this session, this group and this signature */
		wrong = chunk_clone(binding);
		wrong.ptr[wrong.len - 1] ^= 0x01;
		if (verify(tpm_public, certify, signature, wrong, group, share) ||
			verify(tpm_public, certify, signature, binding,
				   group == 19 ? 20 : 19, share))
		{
			abort();
		}
		chunk_free(&wrong);
		signature.ptr[signature.len - 1] ^= 0x01;
		if (verify(tpm_public, certify, signature, binding, group, share))
		{
			abort();
		}
	}
	chunk_free(&point);
	chunk_free(&tpm_public);
	chunk_free(&certify);
	chunk_free(&signature);
	return 0;
}
