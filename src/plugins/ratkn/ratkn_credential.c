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

#include "ratkn_credential.h"
#include "ratkn_pcr.h"

#include <errno.h>

#include <tss2/tss2_mu.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/**
 * Hash algorithm (nameAlg) of the EKs of the TCG default templates L-1/L-2,
 * used for the seed, KDFa/KDFe and the outer HMAC
 */
#define EK_HASH "SHA256"

/**
 * Digest size of EK_HASH, also the size of the seed and the HMAC key
 */
#define EK_DIGEST_LEN 32

/**
 * Key size of the EK's symmetric algorithm (AES-128 CFB in L-1/L-2)
 */
#define EK_SYM_KEY_LEN 16

/**
 * Size of a coordinate of NIST P-256
 */
#define P256_COORD_LEN 32

/**
 * Largest credential: the TPM accepts at most the digest size of the EK's
 * nameAlg
 */
#define MAX_SECRET_LEN EK_DIGEST_LEN

/**
 * OID of tcg-kp-EKCertificate, the extended key usage of EK certificates
 */
#define OID_TCG_KP_EK_CERTIFICATE "2.23.133.8.1"

/**
 * Labels of the KDFs; as in the TPM, they include the terminating zero
 * (TPM 2.0 Part 1, 11.4.10)
 */
static const char label_identity[] = "IDENTITY";
static const char label_storage[] = "STORAGE";
static const char label_integrity[] = "INTEGRITY";

/**
 * Key types of EKs we support
 */
typedef enum {
	EK_UNSUPPORTED = 0,
	EK_RSA2048,
	EK_ECC_P256,
} ek_type_t;

/*
 * Described in header
 */
bool ratkn_credential_name(chunk_t tpmt_public, chunk_t *name)
{
	TPMT_PUBLIC pub = {};
	const EVP_MD *md = NULL;
	size_t offset = 0, len;
	u_int hash_len;

	if (!tpmt_public.len ||
		Tss2_MU_TPMT_PUBLIC_Unmarshal(tpmt_public.ptr, tpmt_public.len,
									  &offset, &pub) != TSS2_RC_SUCCESS ||
		offset != tpmt_public.len)
	{
		DBG1(DBG_PTS, "ratkn: invalid public area (TPMT_PUBLIC) of %zu "
			 "octets", tpmt_public.len);
		return FALSE;
	}
	len = ratkn_pcr_alg_digest_len(pub.nameAlg);
	if (len)
	{
		md = EVP_get_digestbyname(ratkn_pcr_alg_name(pub.nameAlg));
	}
	if (!md)
	{
		DBG1(DBG_PTS, "ratkn: name algorithm 0x%04x of the public area not "
			 "supported", pub.nameAlg);
		return FALSE;
	}
	*name = chunk_alloc(2 + len);
	htoun16(name->ptr, pub.nameAlg);
	hash_len = len;
	if (EVP_Digest(tpmt_public.ptr, tpmt_public.len, name->ptr + 2, &hash_len,
				   md, NULL) != 1 || hash_len != len)
	{
		DBG1(DBG_PTS, "ratkn: hashing the public area failed");
		ERR_clear_error();
		chunk_free(name);
		return FALSE;
	}
	return TRUE;
}

/**
 * Check that a name is nameAlg | digest of a known hash algorithm
 */
static bool name_valid(chunk_t name)
{
	size_t len;

	if (name.len < 2)
	{
		return FALSE;
	}
	len = ratkn_pcr_alg_digest_len(untoh16(name.ptr));
	return len && name.len == 2 + len;
}

/**
 * Key type of an EK public key, sets reason if it is not supported
 */
static ek_type_t ek_type(EVP_PKEY *pkey, char *reason, size_t len)
{
	char group[64] = "";

	switch (EVP_PKEY_get_base_id(pkey))
	{
		case EVP_PKEY_RSA:
			if (EVP_PKEY_get_bits(pkey) == 2048)
			{
				return EK_RSA2048;
			}
			snprintf(reason, len, "EK is an RSA key of %d bits, only RSA "
					 "2048 is supported", EVP_PKEY_get_bits(pkey));
			return EK_UNSUPPORTED;
		case EVP_PKEY_EC:
			if (EVP_PKEY_get_group_name(pkey, group, sizeof(group),
										NULL) == 1 &&
				(streq(group, "prime256v1") || streq(group, "P-256")))
			{
				return EK_ECC_P256;
			}
			ERR_clear_error();
			snprintf(reason, len, "EK is an ECC key on curve %s, only NIST "
					 "P-256 is supported", group);
			return EK_UNSUPPORTED;
		default:
			snprintf(reason, len, "EK is neither an RSA nor an ECC key");
			return EK_UNSUPPORTED;
	}
}

/**
 * HMAC-SHA256 over the concatenation of some chunks
 */
static bool hmac(chunk_t key, chunk_t *data, int count, uint8_t *out)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, EK_HASH, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t len = 0;
	bool ok;
	int i;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
	{
		ctx = EVP_MAC_CTX_new(mac);
	}
	ok = ctx && EVP_MAC_init(ctx, key.ptr, key.len, params) == 1;
	for (i = 0; ok && i < count; i++)
	{
		ok = !data[i].len ||
			 EVP_MAC_update(ctx, data[i].ptr, data[i].len) == 1;
	}
	ok = ok && EVP_MAC_final(ctx, out, &len, EK_DIGEST_LEN) == 1 &&
		 len == EK_DIGEST_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok;
}

/**
 * KDFa with SHA-256 (TPM 2.0 Part 1, 11.4.10.2): HMAC(key, counter | label |
 * contextU | contextV | bits), for bits a multiple of 8
 */
static bool kdfa(chunk_t key, chunk_t label, chunk_t context_u,
				 chunk_t context_v, u_int bits, uint8_t *out)
{
	uint8_t counter[4], size[4], block[EK_DIGEST_LEN];
	size_t done = 0, len = bits / 8;
	uint32_t i;
	bool ok = TRUE;

	htoun32(size, bits);
	for (i = 1; ok && done < len; i++)
	{
		htoun32(counter, i);
		ok = hmac(key, (chunk_t[]){
						chunk_from_thing(counter), label, context_u,
						context_v, chunk_from_thing(size),
					}, 5, block);
		if (ok)
		{
			memcpy(out + done, block, min(len - done, sizeof(block)));
			done += min(len - done, sizeof(block));
		}
	}
	memwipe(block, sizeof(block));
	return ok;
}

/**
 * KDFe with SHA-256 (TPM 2.0 Part 1, 11.4.10.3): H(counter | Z | label |
 * partyUInfo | partyVInfo), EK_DIGEST_LEN octets
 */
static bool kdfe(chunk_t z, chunk_t label, chunk_t party_u, chunk_t party_v,
				 uint8_t *out)
{
	uint8_t counter[4];
	EVP_MD_CTX *ctx;
	u_int len = 0;
	bool ok;

	htoun32(counter, 1);
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, counter, sizeof(counter)) == 1 &&
		 EVP_DigestUpdate(ctx, z.ptr, z.len) == 1 &&
		 EVP_DigestUpdate(ctx, label.ptr, label.len) == 1 &&
		 EVP_DigestUpdate(ctx, party_u.ptr, party_u.len) == 1 &&
		 EVP_DigestUpdate(ctx, party_v.ptr, party_v.len) == 1 &&
		 EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == EK_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/**
 * Wrap data into a marshalled TPM2B
 */
static chunk_t tpm2b(chunk_t data)
{
	chunk_t out;

	out = chunk_alloc(2 + data.len);
	htoun16(out.ptr, data.len);
	memcpy(out.ptr + 2, data.ptr, data.len);
	return out;
}

/**
 * RSA secret sharing (Part 1, B.10.3): encrypt a random seed with RSA-OAEP
 * (SHA-256, label "IDENTITY")
 */
static bool rsa_share(EVP_PKEY *ek, uint8_t *seed, chunk_t *encrypted)
{
	EVP_PKEY_CTX *ctx;
	chunk_t out = chunk_empty;
	u_char *label;
	size_t len = 0;
	bool ok = FALSE;

	if (RAND_priv_bytes(seed, EK_DIGEST_LEN) != 1)
	{
		DBG1(DBG_PTS, "ratkn: generating a seed failed");
		return FALSE;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ek, NULL);
	label = OPENSSL_memdup(label_identity, sizeof(label_identity));
	if (ctx && label && EVP_PKEY_encrypt_init(ctx) == 1 &&
		EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
		EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
		EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1 &&
		EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label,
										 sizeof(label_identity)) == 1)
	{
		label = NULL;
		if (EVP_PKEY_encrypt(ctx, NULL, &len, seed, EK_DIGEST_LEN) == 1)
		{
			out = chunk_alloc(len);
			ok = EVP_PKEY_encrypt(ctx, out.ptr, &len, seed,
								  EK_DIGEST_LEN) == 1;
			out.len = len;
		}
	}
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: RSA-OAEP encryption of the seed failed");
		ERR_clear_error();
		chunk_free(&out);
		return FALSE;
	}
	*encrypted = tpm2b(out);
	chunk_free(&out);
	return TRUE;
}

/**
 * Get a coordinate of an EC public key, left-padded to P256_COORD_LEN
 */
static bool ec_coordinate(EVP_PKEY *pkey, const char *param, uint8_t *out)
{
	BIGNUM *bn = NULL;
	bool ok;

	ok = EVP_PKEY_get_bn_param(pkey, param, &bn) == 1 &&
		 BN_bn2binpad(bn, out, P256_COORD_LEN) == P256_COORD_LEN;
	BN_free(bn);
	return ok;
}

/**
 * ECC secret sharing (Part 1, C.6.4): ECDH with an ephemeral key, seed =
 * KDFe(Z, "IDENTITY", ephemeral.x, ek.x), the encrypted secret is the
 * ephemeral public key as TPMS_ECC_POINT
 */
static bool ecc_share(EVP_PKEY *ek, uint8_t *seed, chunk_t *encrypted)
{
	uint8_t z[P256_COORD_LEN], eph_x[P256_COORD_LEN], eph_y[P256_COORD_LEN];
	uint8_t ek_x[P256_COORD_LEN];
	TPM2B_ENCRYPTED_SECRET secret = {};
	TPMS_ECC_POINT point = {};
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *eph;
	size_t len = sizeof(z), offset = 0;
	bool ok;

	eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (eph)
	{
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL);
	}
	ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
		 EVP_PKEY_derive_set_peer(ctx, ek) == 1 &&
		 EVP_PKEY_derive(ctx, z, &len) == 1 && len == sizeof(z) &&
		 ec_coordinate(eph, OSSL_PKEY_PARAM_EC_PUB_X, eph_x) &&
		 ec_coordinate(eph, OSSL_PKEY_PARAM_EC_PUB_Y, eph_y) &&
		 ec_coordinate(ek, OSSL_PKEY_PARAM_EC_PUB_X, ek_x) &&
		 kdfe(chunk_from_thing(z), chunk_from_thing(label_identity),
			  chunk_from_thing(eph_x), chunk_from_thing(ek_x), seed);
	memwipe(z, sizeof(z));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(eph);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: ECDH with the EK failed");
		ERR_clear_error();
		return FALSE;
	}
	point.x.size = P256_COORD_LEN;
	memcpy(point.x.buffer, eph_x, P256_COORD_LEN);
	point.y.size = P256_COORD_LEN;
	memcpy(point.y.buffer, eph_y, P256_COORD_LEN);
	if (Tss2_MU_TPMS_ECC_POINT_Marshal(&point, secret.secret,
						sizeof(secret.secret), &offset) != TSS2_RC_SUCCESS)
	{
		DBG1(DBG_PTS, "ratkn: marshalling the ephemeral ECC point failed");
		return FALSE;
	}
	secret.size = offset;
	*encrypted = tpm2b(chunk_create(secret.secret, secret.size));
	return TRUE;
}

/**
 * AES-128-CFB encryption with a zero IV (the TPM's credential encryption)
 */
static bool aes_cfb(uint8_t *key, chunk_t in, chunk_t *out)
{
	uint8_t iv[16] = {};
	EVP_CIPHER_CTX *ctx;
	int len = 0, final = 0;
	bool ok;

	*out = chunk_alloc(in.len);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_cfb128(), NULL, key,
								   iv) == 1 &&
		 EVP_EncryptUpdate(ctx, out->ptr, &len, in.ptr, in.len) == 1 &&
		 EVP_EncryptFinal_ex(ctx, out->ptr + len, &final) == 1 &&
		 len + final == in.len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		ERR_clear_error();
		chunk_free(out);
	}
	return ok;
}

/*
 * Described in header
 */
bool ratkn_credential_make(chunk_t ek_spki, chunk_t name, chunk_t secret,
						   chunk_t *blob, chunk_t *encrypted)
{
	uint8_t seed[EK_DIGEST_LEN], sym_key[EK_SYM_KEY_LEN];
	uint8_t hmac_key[EK_DIGEST_LEN], integrity[EK_DIGEST_LEN];
	chunk_t plain, enc_identity = chunk_empty, outer, share = chunk_empty;
	const u_char *pos = ek_spki.ptr;
	EVP_PKEY *ek;
	char reason[128];
	ek_type_t type;
	bool ok = FALSE;

	if (!name_valid(name))
	{
		DBG1(DBG_PTS, "ratkn: invalid TPM name of %zu octets for a "
			 "credential", name.len);
		return FALSE;
	}
	if (!secret.len || secret.len > MAX_SECRET_LEN)
	{
		DBG1(DBG_PTS, "ratkn: credential of %zu octets not supported (1 to "
			 "%d)", secret.len, MAX_SECRET_LEN);
		return FALSE;
	}
	ek = d2i_PUBKEY(NULL, &pos, ek_spki.len);
	if (!ek || pos != ek_spki.ptr + ek_spki.len)
	{
		DBG1(DBG_PTS, "ratkn: EK is not a valid SubjectPublicKeyInfo");
		ERR_clear_error();
		EVP_PKEY_free(ek);
		return FALSE;
	}
	type = ek_type(ek, reason, sizeof(reason));
	switch (type)
	{
		case EK_RSA2048:
			ok = rsa_share(ek, seed, &share);
			break;
		case EK_ECC_P256:
			ok = ecc_share(ek, seed, &share);
			break;
		default:
			DBG1(DBG_PTS, "ratkn: %s", reason);
			break;
	}
	EVP_PKEY_free(ek);
	if (!ok)
	{
		memwipe(seed, sizeof(seed));
		return FALSE;
	}

	/* symKey = KDFa(seed, "STORAGE", name, "", 128),
	 * HMACkey = KDFa(seed, "INTEGRITY", "", "", 256) (Part 1, 24.4/24.5) */
	plain = tpm2b(secret);
	ok = kdfa(chunk_from_thing(seed), chunk_from_thing(label_storage), name,
			  chunk_empty, 8 * EK_SYM_KEY_LEN, sym_key) &&
		 kdfa(chunk_from_thing(seed), chunk_from_thing(label_integrity),
			  chunk_empty, chunk_empty, 8 * EK_DIGEST_LEN, hmac_key) &&
		 aes_cfb(sym_key, plain, &enc_identity) &&
		 hmac(chunk_from_thing(hmac_key), (chunk_t[]){ enc_identity, name },
			  2, integrity);
	memwipe(seed, sizeof(seed));
	memwipe(sym_key, sizeof(sym_key));
	memwipe(hmac_key, sizeof(hmac_key));
	chunk_clear(&plain);
	if (!ok)
	{
		DBG1(DBG_PTS, "ratkn: protecting the credential failed");
		ERR_clear_error();
		chunk_free(&enc_identity);
		chunk_free(&share);
		return FALSE;
	}
	/* TPM2B_ID_OBJECT { TPM2B_DIGEST integrityHMAC | encIdentity } */
	outer = tpm2b(chunk_from_thing(integrity));
	outer = chunk_cat("mm", outer, enc_identity);
	*blob = tpm2b(outer);
	chunk_free(&outer);
	*encrypted = share;
	DBG2(DBG_PTS, "ratkn: made a credential for name %+B with an %s EK",
		 &name, type == EK_RSA2048 ? "RSA" : "ECC");
	return TRUE;
}

/**
 * Load the certificates of a PEM file into a store
 */
static bool load_ca_file(X509_STORE *store, char *file, char *reason,
						 size_t len)
{
	X509 *cert;
	BIO *bio;
	int count = 0;

	bio = BIO_new_file(file, "r");
	if (!bio)
	{
		snprintf(reason, len, "opening CA file '%s' failed: %s", file,
				 strerror(errno));
		ERR_clear_error();
		return FALSE;
	}
	while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
	{
		if (X509_STORE_add_cert(store, cert) != 1)
		{
			X509_free(cert);
			BIO_free(bio);
			snprintf(reason, len, "adding a CA certificate of '%s' failed",
					 file);
			ERR_clear_error();
			return FALSE;
		}
		X509_free(cert);
		count++;
	}
	/* the loop ends with a "no start line" error at the end of the file */
	ERR_clear_error();
	BIO_free(bio);
	if (!count)
	{
		snprintf(reason, len, "CA file '%s' contains no PEM certificate",
				 file);
		return FALSE;
	}
	return TRUE;
}

/**
 * Check the extended key usage of an EK certificate, if it has one
 */
static bool check_eku(X509 *cert)
{
	EXTENDED_KEY_USAGE *eku;
	ASN1_OBJECT *ek_oid;
	bool ok = FALSE;
	int i, crit;

	eku = X509_get_ext_d2i(cert, NID_ext_key_usage, &crit, NULL);
	if (!eku)
	{	/* absent (crit -1), or invalid (-2, OpenSSL rejected it already) */
		return crit == -1;
	}
	ek_oid = OBJ_txt2obj(OID_TCG_KP_EK_CERTIFICATE, 1);
	for (i = 0; ek_oid && i < sk_ASN1_OBJECT_num(eku); i++)
	{
		if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), ek_oid) == 0 ||
			OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) ==
													NID_anyExtendedKeyUsage)
		{
			ok = TRUE;
		}
	}
	ASN1_OBJECT_free(ek_oid);
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/**
 * Verify an EK certificate with a store, sets reason on failure
 */
static bool verify_ek(X509 *cert, X509_STORE *store, char *reason, size_t len)
{
	X509_STORE_CTX *ctx;
	X509 *current;
	char subject[256] = "";
	int err, depth, chain = 0;
	bool ok = FALSE;

	ctx = X509_STORE_CTX_new();
	if (!ctx || X509_STORE_CTX_init(ctx, store, cert, NULL) != 1)
	{
		snprintf(reason, len, "initializing the certificate verification "
				 "failed");
		X509_STORE_CTX_free(ctx);
		return FALSE;
	}
	/* EK certificates carry a critical SAN with TPM attributes (which
	 * OpenSSL handles) and often no usage fit for any of OpenSSL's purposes;
	 * the purpose is not checked but everything else is: signatures, CA
	 * constraints and key usage of the issuers, validity, critical
	 * extensions. The extended key usage is checked by us. */
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	if (X509_verify_cert(ctx) == 1)
	{
		chain = sk_X509_num(X509_STORE_CTX_get0_chain(ctx));
		ok = TRUE;
	}
	else
	{
		err = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		current = X509_STORE_CTX_get_current_cert(ctx);
		if (current)
		{
			X509_NAME_oneline(X509_get_subject_name(current), subject,
							  sizeof(subject));
		}
		snprintf(reason, len, "EK certificate not trusted: %s (depth %d%s%s)",
				 X509_verify_cert_error_string(err), depth,
				 subject[0] ? ", " : "", subject);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (ok && chain < 2)
	{
		snprintf(reason, len, "EK certificate is itself a trusted CA "
				 "certificate");
		ok = FALSE;
	}
	return ok;
}

/*
 * Described in header
 */
bool ratkn_credential_check_ek(chunk_t ek_cert, char **ca_files,
							   chunk_t *ek_spki, char *reason, size_t len)
{
	const u_char *pos = ek_cert.ptr;
	X509_STORE *store = NULL;
	EVP_PKEY *pkey;
	X509 *cert;
	u_char *out;
	int i, der_len;
	bool ok = FALSE;

	snprintf(reason, len, "unknown error");
	cert = d2i_X509(NULL, &pos, ek_cert.len);
	if (!cert || pos != ek_cert.ptr + ek_cert.len)
	{
		snprintf(reason, len, "EK certificate is not a valid DER X.509 "
				 "certificate");
		goto out;
	}
	if (!ca_files || !ca_files[0])
	{
		snprintf(reason, len, "no trusted CA certificates configured");
		goto out;
	}
	store = X509_STORE_new();
	if (!store)
	{
		goto out;
	}
	for (i = 0; ca_files[i]; i++)
	{
		if (!load_ca_file(store, ca_files[i], reason, len))
		{
			goto out;
		}
	}
	if (!verify_ek(cert, store, reason, len))
	{
		goto out;
	}
	if (X509_check_ca(cert) != 0)
	{
		snprintf(reason, len, "EK certificate is a CA certificate");
		goto out;
	}
	if (!check_eku(cert))
	{
		snprintf(reason, len, "EK certificate has an extended key usage "
				 "without tcg-kp-EKCertificate (%s)",
				 OID_TCG_KP_EK_CERTIFICATE);
		goto out;
	}
	pkey = X509_get0_pubkey(cert);
	if (!pkey)
	{
		snprintf(reason, len, "EK certificate has an invalid public key");
		goto out;
	}
	if (ek_type(pkey, reason, len) == EK_UNSUPPORTED)
	{
		goto out;
	}
	der_len = i2d_PUBKEY(pkey, NULL);
	if (der_len <= 0)
	{
		snprintf(reason, len, "encoding the EK public key failed");
		goto out;
	}
	*ek_spki = chunk_alloc(der_len);
	out = ek_spki->ptr;
	if (i2d_PUBKEY(pkey, &out) != der_len)
	{
		snprintf(reason, len, "encoding the EK public key failed");
		chunk_free(ek_spki);
		goto out;
	}
	ok = TRUE;

out:
	if (!ok)
	{
		DBG2(DBG_PTS, "ratkn: checking EK certificate failed: %s", reason);
	}
	ERR_clear_error();
	X509_STORE_free(store);
	X509_free(cert);
	return ok;
}
