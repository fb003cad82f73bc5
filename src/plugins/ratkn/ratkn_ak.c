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

#include "ratkn_ak.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <tss2/tss2_mu.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/**
 * Attributes an AK must have: a restricted signing key
 */
#define AK_ATTRIBUTES (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)

/**
 * Encode a public key as DER SubjectPublicKeyInfo
 */
static bool pkey_to_spki(EVP_PKEY *pkey, chunk_t *spki)
{
	u_char *pos;
	int len;

	len = i2d_PUBKEY(pkey, NULL);
	if (len <= 0)
	{
		return FALSE;
	}
	*spki = chunk_alloc(len);
	pos = spki->ptr;
	if (i2d_PUBKEY(pkey, &pos) != len)
	{
		chunk_free(spki);
		return FALSE;
	}
	return TRUE;
}

/**
 * Create a public key from OSSL_PARAMs
 */
static EVP_PKEY *pkey_from_params(char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params;

	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
	{
		ERR_clear_error();
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/**
 * Public key of an ECC TPMT_PUBLIC
 */
static EVP_PKEY *ecc_pkey(TPMT_PUBLIC *pub)
{
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;
	TPMS_ECC_POINT *point = &pub->unique.ecc;
	u_char buf[1 + 2 * TPM2_MAX_ECC_KEY_BYTES];
	size_t coord;
	char *group;

	switch (pub->parameters.eccDetail.curveID)
	{
		case TPM2_ECC_NIST_P256:
			group = "P-256";
			coord = 32;
			break;
		case TPM2_ECC_NIST_P384:
			group = "P-384";
			coord = 48;
			break;
		default:
			DBG1(DBG_PTS, "ratkn: AK curve 0x%04x not supported (NIST P-256 "
				 "or P-384 required)", pub->parameters.eccDetail.curveID);
			return NULL;
	}
	if (point->x.size > coord || point->y.size > coord ||
		!point->x.size || !point->y.size)
	{
		DBG1(DBG_PTS, "ratkn: AK has an invalid ECC point (%u/%u octets)",
			 point->x.size, point->y.size);
		return NULL;
	}
	/* uncompressed point, coordinates left-padded to the field size */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x04;
	memcpy(buf + 1 + coord - point->x.size, point->x.buffer, point->x.size);
	memcpy(buf + 1 + 2 * coord - point->y.size, point->y.buffer,
		   point->y.size);

	bld = OSSL_PARAM_BLD_new();
	if (bld &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
										group, 0) &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, buf,
										 1 + 2 * coord))
	{
		pkey = pkey_from_params("EC", bld);
	}
	OSSL_PARAM_BLD_free(bld);
	if (!pkey)
	{
		DBG1(DBG_PTS, "ratkn: AK has an invalid ECC public key");
	}
	return pkey;
}

/**
 * Public key of an RSA TPMT_PUBLIC
 */
static EVP_PKEY *rsa_pkey(TPMT_PUBLIC *pub)
{
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n, *e;
	uint32_t exponent;

	if (pub->parameters.rsaDetail.keyBits < 2048 ||
		pub->unique.rsa.size * 8 != pub->parameters.rsaDetail.keyBits)
	{
		DBG1(DBG_PTS, "ratkn: AK has an invalid RSA key (%u bits, modulus of "
			 "%u octets; at least 2048 bits required)",
			 pub->parameters.rsaDetail.keyBits, pub->unique.rsa.size);
		return NULL;
	}
	exponent = pub->parameters.rsaDetail.exponent ?: 65537;
	n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
	e = BN_new();
	bld = OSSL_PARAM_BLD_new();
	if (n && e && bld && BN_set_word(e, exponent) &&
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
	{
		pkey = pkey_from_params("RSA", bld);
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	if (!pkey)
	{
		DBG1(DBG_PTS, "ratkn: AK has an invalid RSA public key");
	}
	return pkey;
}

/*
 * Described in header
 */
bool ratkn_ak_spki_from_tpm(chunk_t tpmt_public, chunk_t *spki)
{
	TPMT_PUBLIC pub = {};
	EVP_PKEY *pkey;
	size_t offset = 0;
	TSS2_RC rc;
	bool ok;

	if (!tpmt_public.len)
	{
		DBG1(DBG_PTS, "ratkn: AK public area is empty");
		return FALSE;
	}
	rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(tpmt_public.ptr, tpmt_public.len,
									   &offset, &pub);
	if (rc != TSS2_RC_SUCCESS || offset != tpmt_public.len)
	{
		DBG1(DBG_PTS, "ratkn: AK public area is not a valid TPMT_PUBLIC (%s)",
			 rc != TSS2_RC_SUCCESS ? "malformed" : "trailing data");
		return FALSE;
	}
	if ((pub.objectAttributes & AK_ATTRIBUTES) != AK_ATTRIBUTES ||
		(pub.objectAttributes & TPMA_OBJECT_DECRYPT))
	{
		DBG1(DBG_PTS, "ratkn: TPM key is not a restricted signing key "
			 "(attributes 0x%08x)", pub.objectAttributes);
		return FALSE;
	}
	switch (pub.type)
	{
		case TPM2_ALG_ECC:
			pkey = ecc_pkey(&pub);
			break;
		case TPM2_ALG_RSA:
			pkey = rsa_pkey(&pub);
			break;
		default:
			DBG1(DBG_PTS, "ratkn: AK key type 0x%04x not supported (ECC or RSA "
				 "required)", pub.type);
			return FALSE;
	}
	if (!pkey)
	{
		return FALSE;
	}
	ok = pkey_to_spki(pkey, spki);
	EVP_PKEY_free(pkey);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: encoding the AK public key failed");
	}
	return ok;
}

/**
 * Parse a DER SubjectPublicKeyInfo, the whole encoding must be consumed
 */
static EVP_PKEY *pkey_from_spki(chunk_t spki)
{
	const u_char *pos = spki.ptr;
	EVP_PKEY *pkey;

	if (!spki.len || spki.len > INT_MAX)
	{
		return NULL;
	}
	pkey = d2i_PUBKEY(NULL, &pos, spki.len);
	if (pkey && pos != spki.ptr + spki.len)
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	if (!pkey)
	{
		ERR_clear_error();
	}
	return pkey;
}

/*
 * Described in header
 */
bool ratkn_ak_load(char *path, chunk_t *spki)
{
	EVP_PKEY *pkey = NULL;
	chunk_t data;
	BIO *bio;
	bool ok;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd == -1)
	{
		DBG1(DBG_PTS, "ratkn: opening AK public key '%s' failed: %s", path,
			 strerror(errno));
		return FALSE;
	}
	ok = chunk_from_fd(fd, &data);
	close(fd);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: reading AK public key '%s' failed: %s", path,
			 strerror(errno));
		return FALSE;
	}
	if (memstr(data.ptr, "-----BEGIN", data.len))
	{
		if (data.len <= INT_MAX)
		{
			bio = BIO_new_mem_buf(data.ptr, data.len);
			if (bio)
			{
				pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
				BIO_free(bio);
			}
		}
	}
	else
	{
		pkey = pkey_from_spki(data);
	}
	chunk_free(&data);
	if (!pkey)
	{
		ERR_clear_error();
		DBG1(DBG_PTS, "ratkn: '%s' contains no PEM or DER encoded public key",
			 path);
		return FALSE;
	}
	if (!EVP_PKEY_is_a(pkey, "EC") && !EVP_PKEY_is_a(pkey, "RSA"))
	{
		DBG1(DBG_PTS, "ratkn: '%s': AK must be an ECC or RSA key", path);
		EVP_PKEY_free(pkey);
		return FALSE;
	}
	ok = pkey_to_spki(pkey, spki);
	EVP_PKEY_free(pkey);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: '%s': encoding the public key failed", path);
	}
	return ok;
}

/*
 * Described in header
 */
bool ratkn_ak_to_pem(chunk_t spki, chunk_t *pem)
{
	EVP_PKEY *pkey;
	BIO *bio;
	char *data;
	long len;
	bool ok = FALSE;

	pkey = pkey_from_spki(spki);
	if (!pkey)
	{
		DBG1(DBG_PTS, "ratkn: invalid public key, PEM encoding failed");
		return FALSE;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio && PEM_write_bio_PUBKEY(bio, pkey) == 1)
	{
		len = BIO_get_mem_data(bio, &data);
		if (len > 0)
		{
			*pem = chunk_alloc(len + 1);
			memcpy(pem->ptr, data, len);
			pem->ptr[len] = '\0';
			pem->len = len;
			ok = TRUE;
		}
	}
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return ok;
}

/**
 * Convert an ECDSA signature (r, s) to a DER ECDSA-Sig-Value
 */
static bool ecdsa_to_der(TPMS_SIGNATURE_ECC *ecdsa, chunk_t *der)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	u_char *pos;
	int len;

	r = BN_bin2bn(ecdsa->signatureR.buffer, ecdsa->signatureR.size, NULL);
	s = BN_bin2bn(ecdsa->signatureS.buffer, ecdsa->signatureS.size, NULL);
	sig = ECDSA_SIG_new();
	if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1)
	{
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return FALSE;
	}
	/* r and s are owned by sig now */
	len = i2d_ECDSA_SIG(sig, NULL);
	if (len <= 0)
	{
		ECDSA_SIG_free(sig);
		return FALSE;
	}
	*der = chunk_alloc(len);
	pos = der->ptr;
	if (i2d_ECDSA_SIG(sig, &pos) != len)
	{
		chunk_free(der);
		ECDSA_SIG_free(sig);
		return FALSE;
	}
	ECDSA_SIG_free(sig);
	return TRUE;
}

/*
 * Described in header
 */
bool ratkn_ak_verify(chunk_t spki, chunk_t data, chunk_t signature)
{
	TPMT_SIGNATURE sig = {};
	EVP_MD_CTX *ctx;
	EVP_PKEY *pkey;
	chunk_t raw = chunk_empty;
	size_t offset = 0;
	TSS2_RC rc;
	bool ok = FALSE;

	if (!signature.len)
	{
		DBG1(DBG_PTS, "ratkn: signature is empty");
		return FALSE;
	}
	rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(signature.ptr, signature.len,
										  &offset, &sig);
	if (rc != TSS2_RC_SUCCESS || offset != signature.len)
	{
		DBG1(DBG_PTS, "ratkn: signature is not a valid TPMT_SIGNATURE (%s)",
			 rc != TSS2_RC_SUCCESS ? "malformed" : "trailing data");
		return FALSE;
	}
	pkey = pkey_from_spki(spki);
	if (!pkey)
	{
		DBG1(DBG_PTS, "ratkn: invalid AK public key");
		return FALSE;
	}
	switch (sig.sigAlg)
	{
		case TPM2_ALG_ECDSA:
			if (sig.signature.ecdsa.hash != TPM2_ALG_SHA256)
			{
				DBG1(DBG_PTS, "ratkn: ECDSA signature with hash 0x%04x not "
					 "supported (SHA-256 required)", sig.signature.ecdsa.hash);
				break;
			}
			if (!EVP_PKEY_is_a(pkey, "EC"))
			{
				DBG1(DBG_PTS, "ratkn: ECDSA signature but the AK is no ECC "
					 "key");
				break;
			}
			ok = ecdsa_to_der(&sig.signature.ecdsa, &raw);
			break;
		case TPM2_ALG_RSASSA:
			if (sig.signature.rsassa.hash != TPM2_ALG_SHA256)
			{
				DBG1(DBG_PTS, "ratkn: RSASSA signature with hash 0x%04x not "
					 "supported (SHA-256 required)", sig.signature.rsassa.hash);
				break;
			}
			if (!EVP_PKEY_is_a(pkey, "RSA"))
			{
				DBG1(DBG_PTS, "ratkn: RSASSA signature but the AK is no RSA "
					 "key");
				break;
			}
			raw = chunk_clone(chunk_create(sig.signature.rsassa.sig.buffer,
										   sig.signature.rsassa.sig.size));
			ok = TRUE;
			break;
		default:
			DBG1(DBG_PTS, "ratkn: signature scheme 0x%04x not supported "
				 "(ECDSA or RSASSA required)", sig.sigAlg);
			break;
	}
	if (ok)
	{
		ctx = EVP_MD_CTX_new();
		ok = ctx &&
			 EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
			 EVP_DigestVerify(ctx, raw.ptr, raw.len, data.ptr, data.len) == 1;
		EVP_MD_CTX_free(ctx);
		if (!ok)
		{
			ERR_clear_error();
			DBG2(DBG_PTS, "ratkn: TPM signature does not verify");
		}
	}
	chunk_free(&raw);
	EVP_PKEY_free(pkey);
	return ok;
}
