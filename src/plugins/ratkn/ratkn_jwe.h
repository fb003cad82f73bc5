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

/**
 * @defgroup ratkn_jwe ratkn_jwe
 * @{ @ingroup ratkn
 */

#ifndef RATKN_JWE_H_
#define RATKN_JWE_H_

#include <library.h>

/**
 * "cty" of a ratkn key release JWE (docs/kms.md).
 */
#define RATKN_JWE_CTY "ratkn-key+json"

/**
 * Longest compact JWE accepted on unwrap.
 */
#define RATKN_JWE_MAX_LEN 16384

/**
 * Shortest and longest key material carried in a release.
 */
#define RATKN_JWE_MIN_KEY 16
#define RATKN_JWE_MAX_KEY 64

/**
 * Longest EDEK carried in a release.
 */
#define RATKN_JWE_MAX_EDEK 512

/**
 * Longest key name (names are [A-Za-z0-9._-], starting alphanumeric).
 */
#define RATKN_KEY_NAME_MAX 64

typedef struct ratkn_jwe_claims_t ratkn_jwe_claims_t;

/**
 * Claims of a key release (the JWE plaintext, docs/kms.md).
 */
struct ratkn_jwe_claims_t {

	/** "name": key name */
	char *name;

	/** "ver": key version, >= 1 */
	uint32_t version;

	/** "use": usage of the key ("dek", "ppk", ...) */
	char *usage;

	/** "iat": time of release */
	time_t iat;

	/** "exp": expiry of the released key */
	time_t exp;

	/** "k": key material, RATKN_JWE_MIN_KEY..RATKN_JWE_MAX_KEY octets */
	chunk_t key;

	/** "edek": the key wrapped under the CMK, optional (empty) */
	chunk_t edek;
};

typedef struct ratkn_jwe_key_t ratkn_jwe_key_t;

/**
 * A key unwrapped from a verified release.
 */
struct ratkn_jwe_key_t {

	/**
	 * Claims (borrowed; the key material is wiped on destroy()).
	 *
	 * @return			claims
	 */
	ratkn_jwe_claims_t *(*get_claims)(ratkn_jwe_key_t *this);

	/**
	 * Key id of the key, "name:version" (borrowed), as in the "kid" claim
	 * and usable as PPK_ID.
	 *
	 * @return			key id
	 */
	char *(*get_kid)(ratkn_jwe_key_t *this);

	/**
	 * Destroy the object, wiping the key material.
	 */
	void (*destroy)(ratkn_jwe_key_t *this);
};

/**
 * Check if a key name is valid: 1..RATKN_KEY_NAME_MAX characters of
 * [A-Za-z0-9._-], the first one alphanumeric.
 *
 * @param name		name
 * @return			TRUE if valid
 */
bool ratkn_key_name_valid(char *name);

/**
 * Check if keys can be released to a recipient key of a group.
 *
 * @param group		IANA key exchange method number of the recipient key
 * @return			TRUE for 19 (P-256) and 20 (P-384)
 */
bool ratkn_jwe_supported(uint16_t group);

/**
 * Wrap a key to a recipient's EC public key: a compact JWE with
 * alg ECDH-ES, enc A256GCM, cty RATKN_JWE_CTY and "apv" the session
 * binding (so it enters the key derivation and the protected header).
 *
 * @param claims		claims to release
 * @param group			group of the recipient key (19 or 20)
 * @param recipient		recipient public value in IKEv2 KE encoding (X | Y)
 * @param binding		session binding (docs/protocol.md section 6),
 *						RATKN_HASH_LEN octets
 * @return				compact JWE (allocated), NULL on error (logged)
 */
char *ratkn_jwe_wrap(ratkn_jwe_claims_t *claims, uint16_t group,
					 chunk_t recipient, chunk_t binding);

/**
 * Verify and unwrap a key release: the header (alg ECDH-ES, enc A256GCM,
 * cty, no other critical parameters), the binding in "apv", decryption with
 * the recipient's private key (GCM tag), the form of all claims and the
 * expiry.
 *
 * @param token			compact JWE
 * @param group			group of the recipient key (19 or 20)
 * @param priv			recipient private scalar (big-endian, field size)
 * @param pub			recipient public value in IKEv2 KE encoding (X | Y)
 * @param binding		expected session binding, RATKN_HASH_LEN octets
 * @param now			current time, for the expiry check
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				unwrapped key, NULL on failure
 */
ratkn_jwe_key_t *ratkn_jwe_unwrap(char *token, uint16_t group, chunk_t priv,
								  chunk_t pub, chunk_t binding, time_t now,
								  char *reason, size_t len);

/**
 * Compute the ECDH shared secret Z of a recipient key with a sender's
 * ephemeral public value, e.g. in a TPM (TPM2_ECDH_ZGen).
 *
 * The function must reject points that are not on the curve.
 *
 * @param ctx			context given to ratkn_jwe_unwrap_agree()
 * @param epk			sender's public value in IKEv2 KE encoding
 *						(X | Y, field size each, borrowed)
 * @param z				X coordinate of the shared point, field size
 *						(allocated, wiped and freed by the caller)
 * @return				TRUE if successful
 */
typedef bool (*ratkn_jwe_agree_t)(void *ctx, chunk_t epk, chunk_t *z);

/**
 * Verify and unwrap a key release like ratkn_jwe_unwrap(), for a recipient
 * key whose private part is not available (TPM-resident): the ECDH shared
 * secret with the sender's ephemeral key is computed by a callback, the
 * rest of ECDH-ES (Concat KDF, RFC 7518 section 4.6) and the A256GCM
 * decryption here.
 *
 * The checks and the failure reasons are the same as with
 * ratkn_jwe_unwrap(); the callback is only invoked for a release whose
 * header passed them.
 *
 * @param token			compact JWE
 * @param group			group of the recipient key (19 or 20)
 * @param agree			computes the shared secret with the recipient key
 * @param ctx			context passed to agree
 * @param binding		expected session binding, RATKN_HASH_LEN octets
 * @param now			current time, for the expiry check
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				unwrapped key, NULL on failure
 */
ratkn_jwe_key_t *ratkn_jwe_unwrap_agree(char *token, uint16_t group,
										ratkn_jwe_agree_t agree, void *ctx,
										chunk_t binding, time_t now,
										char *reason, size_t len);

#endif /** RATKN_JWE_H_ @}*/
