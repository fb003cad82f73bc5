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
 * @defgroup ratkn_negotiate ratkn_negotiate
 * @{ @ingroup ratkn
 */

#ifndef RATKN_NEGOTIATE_H_
#define RATKN_NEGOTIATE_H_

#include "ratkn_types.h"

/**
 * Minimum length of a relying-party nonce.
 */
#define RATKN_NONCE_MIN 16

/**
 * Maximum length of a relying-party nonce.
 */
#define RATKN_NONCE_MAX 64

/**
 * Length of the nonces ratkn sends.
 */
#define RATKN_NONCE_LEN 32

/**
 * Maximum number of evidence formats in a FORMATS attribute.
 */
#define RATKN_MAX_FORMATS 16

/**
 * Maximum number of models in a MODELS attribute.
 */
#define RATKN_MAX_MODELS 8

typedef struct ratkn_negotiate_t ratkn_negotiate_t;

/**
 * Data of a RATKN_NEGOTIATE notify (docs/protocol.md, section 4).
 */
struct ratkn_negotiate_t {

	/**
	 * Protocol version sent.
	 *
	 * @return			version (>= 1)
	 */
	uint8_t (*get_version)(ratkn_negotiate_t *this);

	/**
	 * Flags (RATKN_FLAG_ATTEST, RATKN_FLAG_VERIFY; unknown bits cleared).
	 *
	 * @return			flags
	 */
	uint8_t (*get_flags)(ratkn_negotiate_t *this);

	/**
	 * ECDHE group, 0 if the sender does not support the peer's group.
	 *
	 * @return			IANA key exchange method number
	 */
	uint16_t (*get_group)(ratkn_negotiate_t *this);

	/**
	 * Sender's ECDHE public share (borrowed), empty with group 0.
	 *
	 * @return			share
	 */
	chunk_t (*get_share)(ratkn_negotiate_t *this);

	/**
	 * Relying-party nonce (borrowed), empty without VERIFY.
	 *
	 * @return			nonce
	 */
	chunk_t (*get_nonce)(ratkn_negotiate_t *this);

	/**
	 * Check if an evidence format is listed.
	 *
	 * @param format	format
	 * @return			TRUE if listed
	 */
	bool (*has_format)(ratkn_negotiate_t *this, ratkn_format_t format);

	/**
	 * Attestation models the sender supports, in its order of preference
	 * (docs/protocol.md, section 13.1); background-check only if the sender
	 * sent no MODELS attribute.
	 *
	 * @param models	receives up to RATKN_MAX_MODELS models
	 * @return			number of models
	 */
	int (*get_models)(ratkn_negotiate_t *this,
					  ratkn_model_t models[RATKN_MAX_MODELS]);

	/**
	 * Encoded notify data (borrowed).
	 *
	 * @return			encoding
	 */
	chunk_t (*get_encoding)(ratkn_negotiate_t *this);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(ratkn_negotiate_t *this);
};

/**
 * Create RATKN_NEGOTIATE data for sending (version RATKN_VERSION).
 *
 * @param flags			RATKN_FLAG_* flags
 * @param group			ECDHE group, 0 for "group not supported"
 * @param share			public share (cloned), empty with group 0
 * @param nonce			relying-party nonce (cloned), required with VERIFY
 * @param formats		evidence formats, required with ATTEST or VERIFY
 * @param count			number of formats
 * @param models		supported models in order of preference; the MODELS
 *						attribute is omitted if this is background-check only
 * @param model_count	number of models
 * @return				object, NULL if the arguments violate the rules
 */
ratkn_negotiate_t *ratkn_negotiate_create(uint8_t flags, uint16_t group,
										  chunk_t share, chunk_t nonce,
										  ratkn_format_t *formats, int count,
										  ratkn_model_t *models,
										  int model_count);

/**
 * Parse received RATKN_NEGOTIATE data.
 *
 * Versions above RATKN_VERSION are parsed with the version 1 layout.
 *
 * @param data			notify data
 * @param reason		receives the reason if malformed
 * @param len			size of reason
 * @return				object, NULL if malformed
 */
ratkn_negotiate_t *ratkn_negotiate_parse(chunk_t data, char *reason,
										 size_t len);

#endif /** RATKN_NEGOTIATE_H_ @}*/
