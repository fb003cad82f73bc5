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
 * @defgroup ratkn_ear ratkn_ear
 * @{ @ingroup ratkn
 */

#ifndef RATKN_EAR_H_
#define RATKN_EAR_H_

#include <library.h>

/**
 * EAT profile of EAR (draft-ietf-rats-ear).
 */
#define RATKN_EAR_PROFILE "tag:github.com,2023:veraison/ear"

/**
 * Name of the single submodule in ratkn's EARs.
 */
#define RATKN_EAR_SUBMOD "tpm2"

typedef enum ratkn_ear_status_t ratkn_ear_status_t;

/**
 * EAR status tiers (draft-ietf-rats-ar4si), with their "ear.status" names.
 */
enum ratkn_ear_status_t {
	/** "none": no claim could be made */
	RATKN_EAR_NONE = 0,
	/** "affirming": the attester is in a state the verifier endorses */
	RATKN_EAR_AFFIRMING = 2,
	/** "warning": usable, with reservations */
	RATKN_EAR_WARNING = 32,
	/** "contraindicated": must not be trusted */
	RATKN_EAR_CONTRAINDICATED = 96,
};

/**
 * Name of a status as in "ear.status" ("affirming", ...).
 *
 * @param status	status
 * @return			static name, "none" for unknown values
 */
char *ratkn_ear_status_name(ratkn_ear_status_t status);

/**
 * Parse an "ear.status" name.
 *
 * @param name		name
 * @param status	parsed status
 * @return			FALSE if unknown
 */
bool ratkn_ear_status_from_name(char *name, ratkn_ear_status_t *status);

/**
 * Trustworthiness vector claims of AR4SI used by ratkn (the index into
 * ratkn_ear_claims_t.trust; the names are the JSON keys).
 */
enum {
	RATKN_EAR_TV_INSTANCE = 0,		/* "instance-identity" */
	RATKN_EAR_TV_CONFIGURATION,		/* "configuration" */
	RATKN_EAR_TV_EXECUTABLES,		/* "executables" */
	RATKN_EAR_TV_HARDWARE,			/* "hardware" */
	RATKN_EAR_TV_COUNT,
};

/**
 * Lowest and highest value of the AR4SI "affirming" tier of a
 * trustworthiness claim.
 */
#define RATKN_EAR_TV_AFFIRMING_MIN 2
#define RATKN_EAR_TV_AFFIRMING_MAX 31

/**
 * Name of a trustworthiness claim ("hardware", ...).
 *
 * @param claim		RATKN_EAR_TV_* index
 * @return			static name, NULL if out of range
 */
char *ratkn_ear_tv_name(int claim);

/**
 * Parse the name of a trustworthiness claim.
 *
 * @param name		name, as in the JSON ("instance-identity", ...)
 * @param claim		receives the RATKN_EAR_TV_* index
 * @return			FALSE if unknown
 */
bool ratkn_ear_tv_from_name(char *name, int *claim);

typedef struct ratkn_ear_claims_t ratkn_ear_claims_t;

/**
 * Claims of a ratkn EAR (docs/verifier.md lists the JSON).
 */
struct ratkn_ear_claims_t {

	/** submodule status, "submods.tpm2.ear.status" */
	ratkn_ear_status_t status;

	/** AR4SI trustworthiness claims (-1..127 as in AR4SI, 0 = no claim,
	 *  values outside -128..127 omit the claim) */
	int trust[RATKN_EAR_TV_COUNT];

	/** "iat", issue time */
	time_t iat;

	/** "exp", expiry time */
	time_t exp;

	/** "eat_nonce": the ratkn binding the evidence was bound to (32 octets) */
	chunk_t nonce;

	/** "ratkn.fresh-since", optional (0 = absent): the evidence was bound to
	 *  a challenge the verifier issued at this time, so the quote was made
	 *  no earlier (docs/protocol.md, section 13.5) */
	time_t fresh_since;

	/** "cnf" {"x5t#S256"}: identity hash of the attester (32 octets) */
	chunk_t identity_hash;

	/** "ear.verifier-id" {"build"} */
	char *verifier_build;

	/** "ear.verifier-id" {"developer"} */
	char *verifier_developer;

	/** "submods.tpm2.ear.appraisal-policy-id", optional */
	char *policy_id;

	/** "submods.tpm2.ratkn.reason", human readable, optional */
	char *reason;
};

typedef struct ratkn_ear_t ratkn_ear_t;

/**
 * A verified EAR.
 */
struct ratkn_ear_t {

	/**
	 * Claims (borrowed; chunks and strings valid as long as the object).
	 *
	 * @return			claims
	 */
	ratkn_ear_claims_t *(*get_claims)(ratkn_ear_t *this);

	/**
	 * The compact JWS as received (borrowed).
	 *
	 * @return			token
	 */
	char *(*get_token)(ratkn_ear_t *this);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(ratkn_ear_t *this);
};

/**
 * Sign claims as an EAR: a JWT signed with ES256.
 *
 * @param claims		claims
 * @param key_pem		PEM of the verifier's EC P-256 private key
 * @return				compact JWS (allocated), NULL on error
 */
char *ratkn_ear_sign(ratkn_ear_claims_t *claims, chunk_t key_pem);

/**
 * Verify and parse an EAR: the signature (ES256 only, "alg" must be ES256)
 * with the given public key, the profile, the presence and form of all
 * required claims, and the expiry.
 *
 * Nonce, identity and status are returned for the caller to judge.
 *
 * @param token			compact JWS
 * @param key_pem		PEM of the verifier's public key
 * @param now			current time, for the expiry check
 * @param reason		receives the reason on failure
 * @param len			size of reason
 * @return				EAR, NULL on failure
 */
ratkn_ear_t *ratkn_ear_verify(char *token, chunk_t key_pem, time_t now,
							  char *reason, size_t len);

#endif /** RATKN_EAR_H_ @}*/
