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
 * @defgroup ratkn_binding ratkn_binding
 * @{ @ingroup ratkn
 */

#ifndef RATKN_BINDING_H_
#define RATKN_BINDING_H_

#include "ratkn_types.h"

/**
 * Hash both IKE_SA_INIT messages into the session hash (docs/protocol.md,
 * section 6): SHA-256(uint32(len(M_i)) | M_i | uint32(len(M_r)) | M_r).
 *
 * @param init_i		IKE_SA_INIT request as sent on the wire
 * @param init_r		IKE_SA_INIT response as sent on the wire
 * @param hash			RATKN_HASH_LEN octets
 * @return				FALSE if hashing failed
 */
bool ratkn_binding_session_hash(chunk_t init_i, chunk_t init_r,
								uint8_t hash[RATKN_HASH_LEN]);

/**
 * Maximum number of IKE_INTERMEDIATE exchanges bound (RFC 9370 allows up
 * to seven additional key exchanges).
 */
#define RATKN_BINDING_MAX_INTERMEDIATE 8

/**
 * Hash the key exchange transcript into the session hash (docs/protocol.md,
 * section 6): SHA-256 over uint32(len(m)) | m for every message in order,
 * the IKE_SA_INIT request and response followed by the request and the
 * response of each IKE_INTERMEDIATE exchange (RFC 9242) in their plaintext
 * encoding. With just the two IKE_SA_INIT messages this equals
 * ratkn_binding_session_hash().
 *
 * @param messages		IKE_SA_INIT request and response, then
 *						IKE_INTERMEDIATE request/response pairs
 * @param count			number of messages, even, at least 2
 * @param hash			RATKN_HASH_LEN octets
 * @return				FALSE if hashing failed or count is invalid
 */
bool ratkn_binding_transcript_hash(chunk_t *messages, int count,
								   uint8_t hash[RATKN_HASH_LEN]);

/**
 * Hash an identity: the DER of an end-entity certificate, or the DER
 * SubjectPublicKeyInfo of a raw public key.
 *
 * @param der			encoding to hash
 * @param hash			RATKN_HASH_LEN octets
 * @return				FALSE if hashing failed
 */
bool ratkn_binding_identity_hash(chunk_t der, uint8_t hash[RATKN_HASH_LEN]);

/**
 * Compute the binding used as TPM2_Quote qualifyingData:
 * SHA-256("ratkn v1 binding" | 0x00 | role | session_hash | identity_hash).
 *
 * @param role			IKE role of the attester
 * @param session_hash	RATKN_HASH_LEN octets
 * @param identity_hash	RATKN_HASH_LEN octets
 * @param binding		RATKN_HASH_LEN octets
 * @return				FALSE if an input has the wrong length
 */
bool ratkn_binding_compute(ratkn_ike_role_t role, chunk_t session_hash,
						   chunk_t identity_hash,
						   uint8_t binding[RATKN_HASH_LEN]);

/**
 * Combine a binding with a verifier's challenge into the qualifyingData of a
 * quote made for that verifier (docs/protocol.md, section 13.5):
 * SHA-256("ratkn v1 challenge" | 0x00 | binding | challenge).
 *
 * The binding stays in the quote, so a relying party that receives the
 * evidence can still check it; the challenge lets the verifier that issued
 * it tell that the quote was made after it did.
 *
 * @param binding		RATKN_HASH_LEN octets
 * @param challenge		the verifier's challenge, 16-64 octets
 * @param qualifying	RATKN_HASH_LEN octets
 * @return				FALSE if the challenge has the wrong length
 */
bool ratkn_binding_challenged(uint8_t binding[RATKN_HASH_LEN],
							  chunk_t challenge,
							  uint8_t qualifying[RATKN_HASH_LEN]);

#endif /** RATKN_BINDING_H_ @}*/
