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
 * @defgroup ratkn_keys ratkn_keys
 * @{ @ingroup ratkn
 */

#ifndef RATKN_KEYS_H_
#define RATKN_KEYS_H_

#include "ratkn_types.h"

#include <collections/enumerator.h>

/**
 * Private notify type of the RATKN_KEYS notify (IKE_AUTH response of a
 * relying party that releases keys, docs/protocol.md section 14, or IKE_AUTH
 * request of an attester that asks for EDEKs to be re-decrypted).
 */
#define RATKN_NOTIFY_KEYS 42244

/**
 * Release format: compact JWE, ECDH-ES/A256GCM (docs/kms.md).
 */
#define RATKN_KEYS_JWE 1

/**
 * Most releases, and most EDEK requests, in one notify.
 */
#define RATKN_KEYS_MAX 8

/**
 * Shortest and longest release (compact JWE) in a notify.
 */
#define RATKN_KEYS_RELEASE_MIN 64
#define RATKN_KEYS_RELEASE_MAX 4096

/**
 * Longest EDEK in an EDEK request (same as RATKN_JWE_MAX_EDEK), the shortest
 * is 1 octet.  At most RATKN_KEYS_MAX EDEKs per notify.
 */
#define RATKN_KEYS_EDEK_MAX 512

typedef struct ratkn_keys_t ratkn_keys_t;

/**
 * Data of a RATKN_KEYS notify: key releases for the attester (KMS to
 * attester) and/or EDEKs the attester asks the KMS to decrypt and release
 * again (attester to KMS).  A notify carries at least one of the two.
 */
struct ratkn_keys_t {

	/**
	 * IKE role of the attester the releases are for.
	 *
	 * @return			role
	 */
	ratkn_ike_role_t (*get_role)(ratkn_keys_t *this);

	/**
	 * Number of releases.
	 *
	 * @return			count, 0..RATKN_KEYS_MAX
	 */
	int (*get_count)(ratkn_keys_t *this);

	/**
	 * Enumerate the releases in the order they were sent.
	 *
	 * @return			enumerator over char* (compact JWE, NUL-terminated,
	 *					borrowed)
	 */
	enumerator_t *(*create_enumerator)(ratkn_keys_t *this);

	/**
	 * Number of EDEK requests.
	 *
	 * @return			count, 0..RATKN_KEYS_MAX
	 */
	int (*get_edek_count)(ratkn_keys_t *this);

	/**
	 * Enumerate the EDEK requests in order.
	 *
	 * @return			enumerator over chunk_t* (borrowed)
	 */
	enumerator_t *(*create_edek_enumerator)(ratkn_keys_t *this);

	/**
	 * Encoded notify data (borrowed).
	 *
	 * @return			encoding
	 */
	chunk_t (*get_encoding)(ratkn_keys_t *this);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(ratkn_keys_t *this);
};

/**
 * Create RATKN_KEYS data for sending.
 *
 * @param role			attester's IKE role
 * @param releases		compact JWEs
 * @param count			number of releases, 1..RATKN_KEYS_MAX
 * @return				object, NULL if a release is not acceptable
 */
ratkn_keys_t *ratkn_keys_create(ratkn_ike_role_t role, char **releases,
								int count);

/**
 * Create a RATKN_KEYS notify with EDEK requests (attester to KMS).
 *
 * @param role			the attester's IKE role
 * @param edeks			EDEKs to present (cloned), 1..RATKN_KEYS_EDEK_MAX
 *						octets each
 * @param count			number of EDEKs, 1..RATKN_KEYS_MAX
 * @return				object, NULL on invalid input
 */
ratkn_keys_t *ratkn_keys_create_request(ratkn_ike_role_t role, chunk_t *edeks,
										int count);

/**
 * Parse received RATKN_KEYS data.
 *
 * @param data			notify data
 * @param reason		receives the reason if malformed
 * @param len			size of reason
 * @return				object, NULL if malformed
 */
ratkn_keys_t *ratkn_keys_parse(chunk_t data, char *reason, size_t len);

#endif /** RATKN_KEYS_H_ @}*/
