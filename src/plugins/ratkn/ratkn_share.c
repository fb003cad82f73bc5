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


#include "ratkn_share.h"
#include "ratkn_ak.h"

#include <tss2/tss2_mu.h>

#include <openssl/evp.h>

/**
 * Object attributes a share must have
 */
#define SHARE_ATTRS_SET (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | \
						 TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_DECRYPT)

/**
 * Object attributes a share must not have
 */
#define SHARE_ATTRS_CLEAR (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED)

/*
 * Described in header
 */
uint16_t ratkn_share_curve(uint16_t group)
{
	switch (group)
	{
		case 19:
			return TPM2_ECC_NIST_P256;
		case 20:
			return TPM2_ECC_NIST_P384;
		default:
			return 0;
	}
}

/**
 * Append a coordinate left-padded to the field size
 */
static bool put_coordinate(TPM2B_ECC_PARAMETER *param, size_t field,
						   u_char *out)
{
	if (!param->size || param->size > field)
	{
		return FALSE;
	}
	memset(out, 0, field - param->size);
	memcpy(out + field - param->size, param->buffer, param->size);
	return TRUE;
}

/*
 * Described in header
 */
bool ratkn_share_point(chunk_t tpm_public, uint16_t group, chunk_t *point,
					   char *reason, size_t len)
{
	TPMT_PUBLIC pub = {};
	uint16_t curve;
	size_t offset = 0, field;
	TPM2_ALG_ID scheme;

	curve = ratkn_share_curve(group);
	if (!curve)
	{
		snprintf(reason, len, "a TPM-resident share cannot be of group %u",
				 group);
		return FALSE;
	}
	if (!tpm_public.len ||
		Tss2_MU_TPMT_PUBLIC_Unmarshal(tpm_public.ptr, tpm_public.len, &offset,
									  &pub) != TSS2_RC_SUCCESS ||
		offset != tpm_public.len)
	{
		snprintf(reason, len, "SHARE_PUBLIC is no TPMT_PUBLIC");
		return FALSE;
	}
	if (pub.type != TPM2_ALG_ECC || pub.nameAlg != TPM2_ALG_SHA256)
	{
		snprintf(reason, len, "SHARE_PUBLIC is no ECC key with name "
				 "algorithm SHA-256 (type 0x%04x, nameAlg 0x%04x)", pub.type,
				 pub.nameAlg);
		return FALSE;
	}
	if (pub.parameters.eccDetail.curveID != curve)
	{
		snprintf(reason, len, "SHARE_PUBLIC is on TPM curve 0x%04x, not that "
				 "of group %u", pub.parameters.eccDetail.curveID, group);
		return FALSE;
	}
	if ((pub.objectAttributes & SHARE_ATTRS_SET) != SHARE_ATTRS_SET ||
		(pub.objectAttributes & SHARE_ATTRS_CLEAR))
	{
		snprintf(reason, len, "SHARE_PUBLIC attributes 0x%08x are not those "
				 "of a TPM-bound decryption key (fixedTPM, fixedParent, "
				 "sensitiveDataOrigin, decrypt; not sign or restricted)",
				 pub.objectAttributes);
		return FALSE;
	}
	scheme = pub.parameters.eccDetail.scheme.scheme;
	if (scheme != TPM2_ALG_NULL && scheme != TPM2_ALG_ECDH)
	{
		snprintf(reason, len, "SHARE_PUBLIC has scheme 0x%04x, not NULL or "
				 "ECDH", scheme);
		return FALSE;
	}
	field = curve == TPM2_ECC_NIST_P256 ? 32 : 48;
	*point = chunk_alloc(2 * field);
	if (!put_coordinate(&pub.unique.ecc.x, field, point->ptr) ||
		!put_coordinate(&pub.unique.ecc.y, field, point->ptr + field))
	{
		chunk_free(point);
		snprintf(reason, len, "SHARE_PUBLIC has an invalid point");
		return FALSE;
	}
	return TRUE;
}

/**
 * The TPM name of an object: nameAlg (SHA-256) | SHA-256(TPMT_PUBLIC)
 */
static bool object_name(chunk_t tpm_public, u_char name[2 + RATKN_HASH_LEN])
{
	u_int len = RATKN_HASH_LEN;

	name[0] = TPM2_ALG_SHA256 >> 8;
	name[1] = TPM2_ALG_SHA256 & 0xff;
	return EVP_Digest(tpm_public.ptr, tpm_public.len, name + 2, &len,
					  EVP_sha256(), NULL) == 1 && len == RATKN_HASH_LEN;
}

/*
 * Described in header
 */
bool ratkn_share_verify(chunk_t ak_public, chunk_t tpm_public, chunk_t certify,
						chunk_t signature, chunk_t binding, uint16_t group,
						chunk_t share, char *reason, size_t len)
{
	TPMS_ATTEST attest = {};
	u_char name[2 + RATKN_HASH_LEN];
	chunk_t point, spki, certified;
	size_t offset = 0;
	bool ok;

	if (!ratkn_share_point(tpm_public, group, &point, reason, len))
	{
		return FALSE;
	}
	ok = chunk_equals(point, share);
	chunk_free(&point);
	if (!ok)
	{
		snprintf(reason, len, "the certified TPM key is not the attester's "
				 "ratkn share");
		return FALSE;
	}
	if (!ratkn_ak_spki_from_tpm(ak_public, &spki))
	{
		snprintf(reason, len, "AK_PUBLIC is no usable AK");
		return FALSE;
	}
	ok = ratkn_ak_verify(spki, certify, signature);
	chunk_free(&spki);
	if (!ok)
	{
		snprintf(reason, len, "bad signature on the share's certification");
		return FALSE;
	}
	if (!certify.len ||
		Tss2_MU_TPMS_ATTEST_Unmarshal(certify.ptr, certify.len, &offset,
									  &attest) != TSS2_RC_SUCCESS ||
		offset != certify.len || attest.magic != TPM2_GENERATED_VALUE ||
		attest.type != TPM2_ST_ATTEST_CREATION)
	{
		snprintf(reason, len, "SHARE_CERTIFY is no TPM-generated creation "
				 "certification (TPM_ST_ATTEST_CREATION)");
		return FALSE;
	}
	if (binding.len != RATKN_HASH_LEN ||
		!chunk_equals_const(binding,
							chunk_create(attest.extraData.buffer,
										 attest.extraData.size)))
	{
		snprintf(reason, len, "the share's certification is bound to another "
				 "IKE session or identity");
		return FALSE;
	}
	certified = chunk_create(attest.attested.creation.objectName.name,
							 attest.attested.creation.objectName.size);
	if (!object_name(tpm_public, name) ||
		!chunk_equals(certified, chunk_from_thing(name)))
	{
		snprintf(reason, len, "the certification names another TPM key than "
				 "SHARE_PUBLIC");
		return FALSE;
	}
	return TRUE;
}
