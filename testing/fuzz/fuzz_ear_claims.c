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
 * Target: the claims of an EAR whose signature verifies (docs/protocol.md,
 * section 13.3, step 2). The input is the JWT payload; the harness signs it
 * with ES256 and the key of data/ear-key.pem, so ratkn_ear_verify() gets
 * past the signature check and parses the claims.
 */

#define _GNU_SOURCE
#include "fuzz_common.h"

#include <stdio.h>

#include <ratkn_ear.h>
#include <ratkn_types.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/**
 * JOSE header of the tokens
 */
#define HEADER "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"

/**
 * Sign header.payload with ES256, return the compact JWS
 */
static char *sign(EVP_PKEY *key, chunk_t payload)
{
	uint8_t der[128], raw[64];
	const u_char *pos = der;
	size_t len = sizeof(der);
	const BIGNUM *r, *s;
	EVP_MD_CTX *ctx;
	ECDSA_SIG *sig;
	char *header, *body, *input, *b64, *token;

	header = fuzz_base64url(chunk_from_str(HEADER));
	body = fuzz_base64url(payload);
	if (asprintf(&input, "%s.%s", header, body) < 0)
	{
		abort();
	}
	free(header);
	free(body);
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
		EVP_DigestSign(ctx, der, &len, (u_char*)input, strlen(input)) != 1)
	{
		abort();
	}
	EVP_MD_CTX_free(ctx);
	sig = d2i_ECDSA_SIG(NULL, &pos, len);
	if (!sig)
	{
		abort();
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32)
	{
		abort();
	}
	ECDSA_SIG_free(sig);
	b64 = fuzz_base64url(chunk_from_thing(raw));
	if (asprintf(&token, "%s.%s", input, b64) < 0)
	{
		abort();
	}
	free(b64);
	free(input);
	return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	static chunk_t pub;
	ratkn_ear_claims_t *claims;
	ratkn_ear_t *ear;
	char reason[256], *token;
	chunk_t pem;
	BIO *bio;

	fuzz_init();
	if (!key)
	{
		pem = fuzz_data("ear-key.pem");
		bio = BIO_new_mem_buf(pem.ptr, pem.len);
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
		chunk_free(&pem);
		pub = fuzz_data("ear-pub.pem");
		if (!key)
		{
			abort();
		}
	}
	token = sign(key, chunk_create((u_char*)data, size));
	ear = ratkn_ear_verify(token, pub, FUZZ_NOW, reason, sizeof(reason));
	if (ear)
	{
		claims = ear->get_claims(ear);
		if (claims->nonce.len != RATKN_HASH_LEN ||
			claims->identity_hash.len != RATKN_HASH_LEN ||
			claims->exp <= FUZZ_NOW || claims->iat > claims->exp ||
			!claims->verifier_build || !claims->verifier_developer)
		{
			abort();
		}
		DBG3(DBG_LIB, "EAR %s %B %B %s", ratkn_ear_status_name(claims->status),
			 &claims->nonce, &claims->identity_hash, claims->reason ?: "");
		ear->destroy(ear);
	}
	else if (!reason[0])
	{
		abort();
	}
	free(token);
	return 0;
}
