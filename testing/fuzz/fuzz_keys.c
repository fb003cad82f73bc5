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
 * Target: RATKN_KEYS notify data as an attester receives it (releases) in
 * the KMS's IKE_AUTH response, or a KMS (EDEK requests) in the attester's
 * IKE_AUTH request (docs/protocol.md section 14, docs/kms.md); what parses
 * must build again.
 * Each release is unwrapped as a JWE with a fixed recipient key and binding:
 * with ratkn_jwe_unwrap() (cjose) and with ratkn_jwe_unwrap_agree() (as for
 * a TPM-resident share, the ECDH done here in software with the same key),
 * which must agree on every release. The one difference allowed is a
 * non-empty encrypted key (the second JWE segment): ECDH-ES uses none,
 * ratkn_jwe_unwrap_agree() refuses one and cjose ignores it.
 */

#include "fuzz_common.h"

#include <ratkn_keys.h>
#include <ratkn_jwe.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

/**
 * Make an EVP_PKEY of P-256 from a public value X | Y and an optional
 * private scalar (the public value must be on the curve)
 */
static EVP_PKEY *make_pkey(chunk_t pub, chunk_t priv)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;
	u_char point[65];

	if (pub.len != 64)
	{
		return NULL;
	}
	point[0] = 0x04;
	memcpy(point + 1, pub.ptr, pub.len);
	bld = OSSL_PARAM_BLD_new();
	if (priv.len)
	{
		d = BN_bin2bn(priv.ptr, priv.len, NULL);
	}
	if (bld &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
										"P-256", 0) &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
										 point, sizeof(point)) &&
		(!priv.len ||
		 (d && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))))
	{
		params = OSSL_PARAM_BLD_to_param(bld);
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
		EVP_PKEY_fromdata(ctx, &pkey, priv.len ? EVP_PKEY_KEYPAIR
											   : EVP_PKEY_PUBLIC_KEY,
						  params) != 1)
	{
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

/**
 * ratkn_jwe_agree_t in software: ECDH of the recipient key (ctx) with the
 * sender's ephemeral key, which must be on the curve
 */
static bool agree(void *ctx, chunk_t epk, chunk_t *z)
{
	EVP_PKEY_CTX *derive;
	EVP_PKEY *peer;
	size_t len = 0;
	bool ok;

	peer = make_pkey(epk, chunk_empty);
	if (!peer)
	{
		return FALSE;
	}
	derive = EVP_PKEY_CTX_new(ctx, NULL);
	ok = derive && EVP_PKEY_derive_init(derive) == 1 &&
		 EVP_PKEY_derive_set_peer_ex(derive, peer, 1) == 1 &&
		 EVP_PKEY_derive(derive, NULL, &len) == 1 && len == 32;
	if (ok)
	{
		*z = chunk_alloc(len);
		ok = EVP_PKEY_derive(derive, z->ptr, &len) == 1 && len == z->len;
		if (!ok)
		{
			chunk_clear(z);
		}
	}
	EVP_PKEY_CTX_free(derive);
	EVP_PKEY_free(peer);
	return ok;
}

/**
 * Whether the second segment of a compact JWE (the encrypted key) is
 * non-empty
 */
static bool has_encrypted_key(char *token)
{
	char *dot;

	dot = strchr(token, '.');
	return dot && dot[1] && dot[1] != '.';
}

/**
 * Check that two chunks have the same content, both may be empty
 */
static bool same(chunk_t a, chunk_t b)
{
	return a.len == b.len && (!a.len || memeq(a.ptr, b.ptr, a.len));
}

/**
 * Check that RATKN_KEYS data builds again as the sender would, with the same
 * releases or EDEK requests
 */
static void check_rebuild(ratkn_keys_t *keys)
{
	enumerator_t *enumerator, *other;
	ratkn_keys_t *rebuilt;
	chunk_t edeks[RATKN_KEYS_MAX], *edek, *again;
	char *releases[RATKN_KEYS_MAX], *release, *copy;
	int count = 0, edek_count = 0;

	enumerator = keys->create_enumerator(keys);
	while (enumerator->enumerate(enumerator, &release))
	{
		if (count == RATKN_KEYS_MAX)
		{
			abort();
		}
		releases[count++] = release;
	}
	enumerator->destroy(enumerator);
	enumerator = keys->create_edek_enumerator(keys);
	while (enumerator->enumerate(enumerator, &edek))
	{
		if (edek_count == RATKN_KEYS_MAX || !edek->len ||
			edek->len > RATKN_KEYS_EDEK_MAX)
		{
			abort();
		}
		edeks[edek_count++] = *edek;
	}
	enumerator->destroy(enumerator);
	if (count != keys->get_count(keys) ||
		edek_count != keys->get_edek_count(keys) || !(count || edek_count))
	{	/* at least one release or EDEK request */
		abort();
	}
	if (count && edek_count)
	{	/* ratkn sends either, a peer may send both */
		return;
	}
	if (count)
	{
		rebuilt = ratkn_keys_create(keys->get_role(keys), releases, count);
	}
	else
	{
		rebuilt = ratkn_keys_create_request(keys->get_role(keys), edeks,
											edek_count);
	}
	if (!rebuilt || rebuilt->get_role(rebuilt) != keys->get_role(keys) ||
		rebuilt->get_count(rebuilt) != count ||
		rebuilt->get_edek_count(rebuilt) != edek_count)
	{
		abort();
	}
	enumerator = keys->create_enumerator(keys);
	other = rebuilt->create_enumerator(rebuilt);
	while (enumerator->enumerate(enumerator, &release))
	{
		if (!other->enumerate(other, &copy) || !streq(release, copy))
		{
			abort();
		}
	}
	enumerator->destroy(enumerator);
	other->destroy(other);
	enumerator = keys->create_edek_enumerator(keys);
	other = rebuilt->create_edek_enumerator(rebuilt);
	while (enumerator->enumerate(enumerator, &edek))
	{
		if (!other->enumerate(other, &again) || !same(*edek, *again))
		{
			abort();
		}
	}
	enumerator->destroy(enumerator);
	other->destroy(other);
	rebuilt->destroy(rebuilt);
}

/**
 * Check that the two unwrapping paths got the same key
 */
static void check_same(ratkn_jwe_key_t *a, ratkn_jwe_key_t *b)
{
	ratkn_jwe_claims_t *ca, *cb;

	ca = a->get_claims(a);
	cb = b->get_claims(b);
	if (!streq(a->get_kid(a), b->get_kid(b)) || !streq(ca->name, cb->name) ||
		!streq(ca->usage, cb->usage) || ca->version != cb->version ||
		ca->iat != cb->iat || ca->exp != cb->exp ||
		!same(ca->key, cb->key) || !same(ca->edek, cb->edek))
	{
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *recipient;
	ratkn_jwe_key_t *key, *agreed;
	ratkn_keys_t *keys;
	enumerator_t *enumerator;
	chunk_t input, priv, pub;
	char reason[128] = "", *release;

	fuzz_init();
	priv = fuzz_kms_recipient(&pub);
	if (!recipient)
	{
		recipient = make_pkey(pub, priv);
		if (!recipient)
		{
			abort();
		}
	}
	input = chunk_clone(chunk_create((u_char*)data, size));
	keys = ratkn_keys_parse(input, reason, sizeof(reason));
	chunk_free(&input);
	if (!keys)
	{
		if (!reason[0])
		{	/* every refusal names its reason */
			abort();
		}
		return 0;
	}
	check_rebuild(keys);
	enumerator = keys->create_enumerator(keys);
	while (enumerator->enumerate(enumerator, &release))
	{
		reason[0] = '\0';
		key = ratkn_jwe_unwrap(release, 19, priv, pub, fuzz_kms_binding(),
							   FUZZ_NOW, reason, sizeof(reason));
		if (key)
		{
			if (!ratkn_key_name_valid(key->get_claims(key)->name))
			{
				abort();
			}
		}
		else if (!reason[0])
		{
			abort();
		}
		reason[0] = '\0';
		agreed = ratkn_jwe_unwrap_agree(release, 19, agree, recipient,
										fuzz_kms_binding(), FUZZ_NOW, reason,
										sizeof(reason));
		if (!agreed && !reason[0])
		{
			abort();
		}
		if (has_encrypted_key(release))
		{	/* refused by ratkn_jwe_unwrap_agree(), cjose ignores it */
			if (agreed)
			{
				abort();
			}
		}
		else if (!key != !agreed)
		{	/* the two paths disagree */
			abort();
		}
		if (key && agreed)
		{
			check_same(key, agreed);
		}
		DESTROY_IF(key);
		DESTROY_IF(agreed);
	}
	enumerator->destroy(enumerator);
	keys->destroy(keys);
	return 0;
}
