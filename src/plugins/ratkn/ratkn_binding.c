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

#include "ratkn_binding.h"

#include <openssl/evp.h>

/**
 * Label of the binding hash, including its terminating zero octet
 */
static const char binding_label[] = "ratkn v1 binding";

/**
 * Label of a challenged binding, including its terminating zero octet
 */
static const char challenge_label[] = "ratkn v1 challenge";

/**
 * SHA-256 over a list of chunks
 */
static bool sha256(chunk_t *parts, int count, uint8_t out[RATKN_HASH_LEN])
{
	EVP_MD_CTX *ctx;
	u_int len = RATKN_HASH_LEN;
	bool ok;
	int i;

	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < count; i++)
	{
		ok = EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * Described in header
 */
bool ratkn_binding_transcript_hash(chunk_t *messages, int count,
								   uint8_t hash[RATKN_HASH_LEN])
{
	chunk_t parts[2 * (2 + 2 * RATKN_BINDING_MAX_INTERMEDIATE)];
	uint32_t lens[2 + 2 * RATKN_BINDING_MAX_INTERMEDIATE];
	int i;

	if (count < 2 || count % 2 || count > countof(lens))
	{
		return FALSE;
	}
	for (i = 0; i < count; i++)
	{
		lens[i] = htonl(messages[i].len);
		parts[2 * i] = chunk_from_thing(lens[i]);
		parts[2 * i + 1] = messages[i];
	}
	return sha256(parts, 2 * count, hash);
}

/*
 * Described in header
 */
bool ratkn_binding_session_hash(chunk_t init_i, chunk_t init_r,
								uint8_t hash[RATKN_HASH_LEN])
{
	return ratkn_binding_transcript_hash((chunk_t[]){ init_i, init_r }, 2,
										 hash);
}

/*
 * Described in header
 */
bool ratkn_binding_identity_hash(chunk_t der, uint8_t hash[RATKN_HASH_LEN])
{
	return sha256(&der, 1, hash);
}

/*
 * Described in header
 */
bool ratkn_binding_compute(ratkn_ike_role_t role, chunk_t session_hash,
						   chunk_t identity_hash,
						   uint8_t binding[RATKN_HASH_LEN])
{
	uint8_t role_octet = role;

	if (session_hash.len != RATKN_HASH_LEN ||
		identity_hash.len != RATKN_HASH_LEN ||
		(role != RATKN_IKE_INITIATOR && role != RATKN_IKE_RESPONDER))
	{
		return FALSE;
	}
	return sha256((chunk_t[]){
			chunk_create((u_char*)binding_label, sizeof(binding_label)),
			chunk_from_thing(role_octet), session_hash, identity_hash,
		}, 4, binding);
}

/*
 * Described in header
 */
bool ratkn_binding_challenged(uint8_t binding[RATKN_HASH_LEN],
							  chunk_t challenge,
							  uint8_t qualifying[RATKN_HASH_LEN])
{
	if (challenge.len < RATKN_CHALLENGE_MIN ||
		challenge.len > RATKN_CHALLENGE_MAX)
	{
		return FALSE;
	}
	return sha256((chunk_t[]){
			chunk_create((u_char*)challenge_label, sizeof(challenge_label)),
			chunk_create(binding, RATKN_HASH_LEN), challenge,
		}, 3, qualifying);
}
