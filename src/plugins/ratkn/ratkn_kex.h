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
 * @defgroup ratkn_kex ratkn_kex
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KEX_H_
#define RATKN_KEX_H_

#include "ratkn_jwe.h"

#include <library.h>

typedef struct ratkn_kex_t ratkn_kex_t;

/**
 * Ephemeral ECDHE key pair of a ratkn group (docs/protocol.md, section 4).
 *
 * Public values use IKEv2's KE payload encoding: X | Y for NIST curves
 * (RFC 5903), the raw u-coordinate for Curve25519/Curve448 (RFC 8031).
 */
struct ratkn_kex_t {

	/**
	 * IANA key exchange method number of the group.
	 *
	 * @return			group
	 */
	uint16_t (*get_group)(ratkn_kex_t *this);

	/**
	 * Our public value (borrowed).
	 *
	 * @return			public value
	 */
	chunk_t (*get_public)(ratkn_kex_t *this);

	/**
	 * Compute the shared secret with the peer's public value. The peer's
	 * value is validated (length, point on the curve, non-zero result).
	 *
	 * @param peer		peer's public value
	 * @param secret	shared secret Z (allocated; wipe with chunk_clear())
	 * @return			FALSE (and logged) if the peer's value is invalid
	 */
	bool (*compute)(ratkn_kex_t *this, chunk_t peer, chunk_t *secret);

	/**
	 * Unwrap a KMS key release (docs/kms.md) addressed to this key pair
	 * (ratkn_jwe_unwrap() with our private key, which never leaves the
	 * object). Only P-256 and P-384 (ratkn_jwe_supported()).
	 *
	 * @param token		compact JWE
	 * @param binding	expected session binding, RATKN_HASH_LEN octets
	 * @param now		current time, for the expiry check
	 * @param reason	receives the reason on failure
	 * @param len		size of reason
	 * @return			unwrapped key, NULL on failure
	 */
	ratkn_jwe_key_t *(*unwrap)(ratkn_kex_t *this, char *token,
							   chunk_t binding, time_t now, char *reason,
							   size_t len);

	/**
	 * Destroy the key pair, wiping the private key.
	 */
	void (*destroy)(ratkn_kex_t *this);
};

/**
 * Check if a group is supported.
 *
 * @param group		IANA key exchange method number
 * @return			TRUE for 19, 20, 31 and 32
 */
bool ratkn_kex_supported(uint16_t group);

/**
 * Length of a public value of a group.
 *
 * @param group		IANA key exchange method number
 * @return			length, 0 if unsupported
 */
size_t ratkn_kex_public_len(uint16_t group);

/**
 * Name of a group ("curve25519", "ecp256", ...).
 *
 * @param group		IANA key exchange method number
 * @return			static name, "unsupported" if unknown
 */
char *ratkn_kex_group_name(uint16_t group);

/**
 * Generate a fresh key pair.
 *
 * @param group		IANA key exchange method number
 * @return			key pair, NULL if unsupported or generation failed
 */
ratkn_kex_t *ratkn_kex_create(uint16_t group);

/**
 * Create a key pair from a known private key, for test vectors.
 *
 * @param group		IANA key exchange method number
 * @param priv		private scalar (NIST curves, big-endian) or raw
 *					private key (Curve25519/Curve448)
 * @param pub		matching public value in IKE encoding, required for
 *					NIST curves, ignored (derived) otherwise
 * @return			key pair, NULL if invalid
 */
ratkn_kex_t *ratkn_kex_create_from_private(uint16_t group, chunk_t priv,
										   chunk_t pub);

#endif /** RATKN_KEX_H_ @}*/
