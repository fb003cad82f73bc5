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
 * @defgroup ratkn ratkn
 * @ingroup cplugins
 *
 * @defgroup ratkn_types ratkn_types
 * @{ @ingroup ratkn
 */

#ifndef RATKN_TYPES_H_
#define RATKN_TYPES_H_

#include <library.h>

/**
 * ratkn protocol version implemented (docs/protocol.md).
 */
#define RATKN_VERSION 1

/**
 * Private notify type of the RATKN_NEGOTIATE status notify (IKE_SA_INIT).
 */
#define RATKN_NOTIFY_NEGOTIATE 42241

/**
 * Private notify type of the RATKN_EVIDENCE status notify (IKE_AUTH).
 */
#define RATKN_NOTIFY_EVIDENCE 42242

/**
 * Length of SK in octets.
 */
#define RATKN_SK_LEN 32

/**
 * Length of a SHA-256 hash, used for bindings and hashes on the wire.
 */
#define RATKN_HASH_LEN 32

/**
 * Length limits of a verifier's challenge (docs/protocol.md, section 13.5).
 */
#define RATKN_CHALLENGE_MIN 16
#define RATKN_CHALLENGE_MAX 64

typedef enum ratkn_flag_t ratkn_flag_t;

/**
 * Flags of the RATKN_NEGOTIATE notify.
 */
enum ratkn_flag_t {
	/** sender will attest when the peer asks for it */
	RATKN_FLAG_ATTEST = 0x01,
	/** sender requires the peer to attest */
	RATKN_FLAG_VERIFY = 0x02,
};

typedef enum ratkn_role_t ratkn_role_t;

/**
 * Configured ratkn role of a connection, a combination of the flags above.
 */
enum ratkn_role_t {
	/** no attestation */
	RATKN_ROLE_NONE = 0,
	/** we attest to the peer */
	RATKN_ROLE_ATTESTER = RATKN_FLAG_ATTEST,
	/** the peer must attest to us */
	RATKN_ROLE_RELYING_PARTY = RATKN_FLAG_VERIFY,
	/** both attest */
	RATKN_ROLE_MUTUAL = RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY,
};

/**
 * enum names for ratkn_role_t (settings keywords).
 */
extern enum_name_t *ratkn_role_names;

typedef enum ratkn_key_use_t ratkn_key_use_t;

/**
 * How SK is fed into IKEv2.
 */
enum ratkn_key_use_t {
	/** as RFC 8784 post-quantum preshared key */
	RATKN_KEY_USE_PPK = 1,
	/** as PSK of a second (RFC 4739) authentication round */
	RATKN_KEY_USE_PSK = 2,
};

/**
 * enum names for ratkn_key_use_t (settings keywords).
 */
extern enum_name_t *ratkn_key_use_names;

typedef enum ratkn_format_t ratkn_format_t;

/**
 * Evidence formats.
 */
enum ratkn_format_t {
	/** TPM 2.0 quote (TPMS_ATTEST, TPMT_SIGNATURE, PCR values, AK) */
	RATKN_FORMAT_TPM2_QUOTE = 1,
};

/**
 * enum names for ratkn_format_t.
 */
extern enum_name_t *ratkn_format_names;

typedef enum ratkn_model_t ratkn_model_t;

/**
 * Attestation models (docs/protocol.md, section 13.1).
 */
enum ratkn_model_t {
	/** the attester sends evidence, the relying party has it appraised */
	RATKN_MODEL_BACKGROUND_CHECK = 1,
	/** the attester forwards an attestation result from a verifier */
	RATKN_MODEL_PASSPORT = 2,
};

/**
 * enum names for ratkn_model_t.
 */
extern enum_name_t *ratkn_model_names;

typedef enum ratkn_ike_role_t ratkn_ike_role_t;

/**
 * IKE role of the attester, as encoded in the binding and in evidence.
 */
enum ratkn_ike_role_t {
	RATKN_IKE_INITIATOR = 1,
	RATKN_IKE_RESPONDER = 2,
};

/**
 * enum names for ratkn_ike_role_t.
 */
extern enum_name_t *ratkn_ike_role_names;

#endif /** RATKN_TYPES_H_ @}*/
