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
 * @defgroup ratkn_result ratkn_result
 * @{ @ingroup ratkn
 */

#ifndef RATKN_RESULT_H_
#define RATKN_RESULT_H_

#include "ratkn_types.h"

/**
 * Private notify type of the RATKN_RESULT notify (IKE_AUTH, passport model).
 */
#define RATKN_NOTIFY_RESULT 42243

/**
 * Result format: EAR as compact JWS.
 */
#define RATKN_RESULT_EAR 1

/**
 * Minimum and maximum length of a result token.
 */
#define RATKN_RESULT_TOKEN_MIN 16
#define RATKN_RESULT_TOKEN_MAX 8192

typedef struct ratkn_result_t ratkn_result_t;

/**
 * Data of a RATKN_RESULT notify (docs/protocol.md, section 13.2).
 */
struct ratkn_result_t {

	/**
	 * IKE role the attester claims.
	 *
	 * @return			role
	 */
	ratkn_ike_role_t (*get_role)(ratkn_result_t *this);

	/**
	 * The attestation result, a compact JWS (borrowed, NUL-terminated).
	 *
	 * @return			token
	 */
	char *(*get_token)(ratkn_result_t *this);

	/**
	 * Encoded notify data (borrowed).
	 *
	 * @return			encoding
	 */
	chunk_t (*get_encoding)(ratkn_result_t *this);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(ratkn_result_t *this);
};

/**
 * Create RATKN_RESULT data for sending.
 *
 * @param role			attester's IKE role
 * @param token			EAR as compact JWS
 * @return				object, NULL if the token is not acceptable
 */
ratkn_result_t *ratkn_result_create(ratkn_ike_role_t role, char *token);

/**
 * Parse received RATKN_RESULT data.
 *
 * @param data			notify data
 * @param reason		receives the reason if malformed
 * @param len			size of reason
 * @return				object, NULL if malformed
 */
ratkn_result_t *ratkn_result_parse(chunk_t data, char *reason, size_t len);

#endif /** RATKN_RESULT_H_ @}*/
