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

#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>

#include <tss2/tss2_mu.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/**
 * Level up to which DBG messages are printed, -1 for none
 */
static int debug_level = -1;

/**
 * dbg() hook: format every message (exercising the printf hooks the
 * parsers use in their messages), print only if asked to
 */
static void dbg_fuzz(debug_t group, level_t level, char *fmt, ...)
{
	char buf[1024];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (level <= debug_level)
	{
		fprintf(stderr, "[%d] %s\n", level, buf);
	}
}

/*
 * Described in header
 */
void fuzz_init()
{
	static bool done = FALSE;
	char *level;

	if (done)
	{
		return;
	}
	done = TRUE;
	/* "" loads no strongswan.conf, the fuzzers must not depend on one */
	if (!library_init("", "ratkn-fuzz"))
	{
		fprintf(stderr, "library_init() failed\n");
		abort();
	}
	level = getenv("RATKN_FUZZ_DEBUG");
	if (level && *level)
	{
		debug_level = atoi(level);
	}
	dbg = dbg_fuzz;
}

/*
 * Described in header
 */
char *fuzz_data_path(char *name)
{
	static char path[PATH_MAX];
	char *dir;

	dir = getenv("RATKN_FUZZ_DATA");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : FUZZ_DATADIR,
			 name);
	return path;
}

/*
 * Described in header
 */
chunk_t fuzz_data(char *name)
{
	chunk_t *data, copy;
	char *path;

	path = fuzz_data_path(name);
	data = chunk_map(path, FALSE);
	if (!data)
	{
		fprintf(stderr, "reading %s failed\n", path);
		abort();
	}
	copy = chunk_alloc(data->len + 1);
	memcpy(copy.ptr, data->ptr, data->len);
	copy.ptr[data->len] = '\0';
	copy.len = data->len;
	chunk_unmap(data);
	return copy;
}

/*
 * Described in header
 */
char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *str;

	str = malloc(size + 1);
	memcpy(str, data, size);
	str[size] = '\0';
	return str;
}

/**
 * The fuzzing AK
 */
static EVP_PKEY *ak;
static uint8_t ak_public[512], ak_spki[128];
static chunk_t ak_public_chunk, ak_spki_chunk;

/**
 * Create the fuzzing AK
 */
static void ak_init()
{
	TPMT_PUBLIC pub = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_RESTRICTED |
							TPMA_OBJECT_SIGN_ENCRYPT |
							TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
							TPMA_OBJECT_SENSITIVEDATAORIGIN |
							TPMA_OBJECT_USERWITHAUTH,
		.parameters.eccDetail = {
			.symmetric.algorithm = TPM2_ALG_NULL,
			.scheme = {
				.scheme = TPM2_ALG_ECDSA,
				.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
			},
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	};
	BIGNUM *x = NULL, *y = NULL;
	size_t offset = 0;
	u_char *pos = ak_spki;
	int len;

	if (ak)
	{
		return;
	}
	ak = EVP_EC_gen("P-256");
	if (!ak ||
		!EVP_PKEY_get_bn_param(ak, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		!EVP_PKEY_get_bn_param(ak, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
		BN_bn2binpad(x, pub.unique.ecc.x.buffer, 32) != 32 ||
		BN_bn2binpad(y, pub.unique.ecc.y.buffer, 32) != 32)
	{
		fprintf(stderr, "creating the fuzzing AK failed\n");
		abort();
	}
	BN_free(x);
	BN_free(y);
	pub.unique.ecc.x.size = pub.unique.ecc.y.size = 32;
	if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub, ak_public, sizeof(ak_public),
									&offset) != TSS2_RC_SUCCESS)
	{
		abort();
	}
	ak_public_chunk = chunk_create(ak_public, offset);
	len = i2d_PUBKEY(ak, NULL);
	if (len <= 0 || len > sizeof(ak_spki) || i2d_PUBKEY(ak, &pos) != len)
	{
		abort();
	}
	ak_spki_chunk = chunk_create(ak_spki, len);
}

/*
 * Described in header
 */
chunk_t fuzz_ak_public()
{
	ak_init();
	return ak_public_chunk;
}

/*
 * Described in header
 */
chunk_t fuzz_ak_spki()
{
	ak_init();
	return ak_spki_chunk;
}

/*
 * Described in header
 */
chunk_t fuzz_ak_sign(chunk_t data)
{
	TPMT_SIGNATURE sig = {
		.sigAlg = TPM2_ALG_ECDSA,
		.signature.ecdsa.hash = TPM2_ALG_SHA256,
	};
	uint8_t der[128], out[256];
	const u_char *pos = der;
	const BIGNUM *r, *s;
	size_t len = sizeof(der), offset = 0;
	ECDSA_SIG *ecdsa;
	EVP_MD_CTX *ctx;

	ak_init();
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
		EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ak) != 1 ||
		EVP_DigestSign(ctx, der, &len, data.ptr, data.len) != 1)
	{
		abort();
	}
	EVP_MD_CTX_free(ctx);
	ecdsa = d2i_ECDSA_SIG(NULL, &pos, len);
	if (!ecdsa)
	{
		abort();
	}
	ECDSA_SIG_get0(ecdsa, &r, &s);
	if (BN_bn2binpad(r, sig.signature.ecdsa.signatureR.buffer, 32) != 32 ||
		BN_bn2binpad(s, sig.signature.ecdsa.signatureS.buffer, 32) != 32)
	{
		abort();
	}
	ECDSA_SIG_free(ecdsa);
	sig.signature.ecdsa.signatureR.size = 32;
	sig.signature.ecdsa.signatureS.size = 32;
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, out, sizeof(out),
									   &offset) != TSS2_RC_SUCCESS)
	{
		abort();
	}
	return chunk_clone(chunk_create(out, offset));
}

/*
 * Described in header
 */
char *fuzz_base64url(chunk_t data)
{
	chunk_t b64;
	char *out;
	size_t i, len = 0;

	b64 = chunk_to_base64(data, NULL);
	out = malloc(b64.len + 1);
	for (i = 0; i < b64.len && b64.ptr[i] != '='; i++)
	{
		out[len++] = b64.ptr[i] == '+' ? '-' :
					 b64.ptr[i] == '/' ? '_' : b64.ptr[i];
	}
	out[len] = '\0';
	chunk_free(&b64);
	return out;
}

/**
 * KMS release recipient: a P-256 test key (openssl ecparam -genkey)
 */
static u_char kms_priv[] = {
	0x29,0x90,0xdc,0x2a,0x39,0xea,0x8d,0x1a,0x76,0x5a,0x80,0x1a,0x69,0xbd,0xce,
	0xc1,0x1b,0xba,0xef,0x1a,0xdd,0x81,0xca,0xda,0x6f,0x3c,0xf7,0x5e,0xd6,0x5e,
	0x72,0xf1,
};
static u_char kms_pub[] = {
	0x68,0x17,0xc2,0x51,0xa5,0x00,0x05,0x4d,0x3c,0xbb,0x38,0x82,0xad,0x30,
	0x77,0x7f,0x41,0xf2,0xfd,0xd0,0xd4,0xa0,0xfd,0xb9,0xc2,0x77,0x3b,0xa6,0x94,
	0x52,0x2d,0x61,0x13,0x8d,0x8b,0xb5,0x7d,0x73,0xd0,0x98,0x20,0x5a,0x75,0x32,
	0xdd,0x7d,0x2b,0xfb,0xcc,0x91,0xe8,0x88,0x61,0xcc,0x4c,0x1d,0x9d,0x20,0x4d,
	0x66,0x21,0xf9,0xcb,0x37,
};
static u_char kms_binding[32];

/*
 * Described in header
 */
chunk_t fuzz_kms_recipient(chunk_t *pub)
{
	*pub = chunk_from_thing(kms_pub);
	return chunk_from_thing(kms_priv);
}

/*
 * Described in header
 */
chunk_t fuzz_kms_binding()
{
	memset(kms_binding, 0x0b, sizeof(kms_binding));
	return chunk_from_thing(kms_binding);
}

/**
 * A P-384 point for the fuzzing shares (openssl ecparam -genkey)
 */
static u_char share_p384[] = {
	0x73,0x66,0x7f,0x53,0x35,0x26,0x1d,0x00,0xb5,0x29,0x62,0x85,0x01,0x4e,0x2f,
	0x0b,0x0d,0xf0,0x45,0x10,0xc9,0x56,0x27,0x7d,0xd9,0x73,0x2a,0x37,0x53,0x5d,
	0xf6,0x77,0x4b,0xc1,0x53,0x6e,0x8a,0x74,0x76,0x10,0x71,0x6c,0x7d,0xf7,0xd0,
	0x59,0x53,0x2e,0xdb,0x56,0x12,0xcb,0x06,0xc4,0xbb,0x2a,0xe5,0xdc,0x81,0x12,
	0x88,0xdc,0x5f,0x7d,0x40,0x6b,0xc1,0x0c,0xeb,0x4a,0x24,0x85,0x5e,0x15,0x19,
	0xde,0xbd,0xad,0x68,0xc2,0xa2,0xd5,0xf6,0xf5,0x1e,0x03,0x25,0x8e,0x07,0xb9,
	0xbc,0x06,0x65,0xbe,0xb8,0x36,
};

/*
 * Described in header
 */
chunk_t fuzz_share_point(uint16_t group)
{
	switch (group)
	{
		case 19:
			return chunk_from_thing(kms_pub);
		case 20:
			return chunk_from_thing(share_p384);
		default:
			return chunk_empty;
	}
}
