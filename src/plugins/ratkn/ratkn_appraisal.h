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
 * @defgroup ratkn_appraisal ratkn_appraisal
 * @{ @ingroup ratkn
 */

#ifndef RATKN_APPRAISAL_H_
#define RATKN_APPRAISAL_H_

#include "ratkn_evidence.h"
#include "ratkn_reference.h"

typedef enum ratkn_appraisal_status_t ratkn_appraisal_status_t;

/**
 * Outcome of an appraisal, in the order the checks are made
 * (docs/protocol.md, section 8).
 */
enum ratkn_appraisal_status_t {
	/** all checks passed */
	RATKN_APPRAISAL_OK = 0,
	/** evidence format not supported */
	RATKN_APPRAISAL_UNSUPPORTED,
	/** role in evidence is not the attester's IKE role (reflection) */
	RATKN_APPRAISAL_WRONG_ROLE,
	/** AK is not trusted for this attester */
	RATKN_APPRAISAL_UNTRUSTED_AK,
	/** quote signature does not verify */
	RATKN_APPRAISAL_BAD_SIGNATURE,
	/** signed data is not a TPM-generated quote */
	RATKN_APPRAISAL_NOT_A_QUOTE,
	/** bound to another IKE session (replay, relay) */
	RATKN_APPRAISAL_SESSION_MISMATCH,
	/** bound to another identity (diversion, relay) */
	RATKN_APPRAISAL_IDENTITY_MISMATCH,
	/** qualifyingData does not match the recomputed binding */
	RATKN_APPRAISAL_BINDING_MISMATCH,
	/** PCR values do not match the quoted selection or digest */
	RATKN_APPRAISAL_PCR_DIGEST_MISMATCH,
	/** a PCR with reference values was not quoted */
	RATKN_APPRAISAL_PCR_NOT_QUOTED,
	/** a PCR value is not among its reference values */
	RATKN_APPRAISAL_PCR_MISMATCH,
	/** the certification of a TPM-resident share is missing or invalid */
	RATKN_APPRAISAL_SHARE_NOT_CERTIFIED,
	/** the quote's TPM clock is older than one seen before (replay, a
	 *  cleared or restored TPM) */
	RATKN_APPRAISAL_STALE,
};

/**
 * enum names for ratkn_appraisal_status_t.
 */
extern enum_name_t *ratkn_appraisal_status_names;

typedef struct ratkn_appraisal_t ratkn_appraisal_t;

/**
 * Appraisal policy for an attester: trusted AKs and reference values; appraises
 * tpm2-quote evidence against an expected binding.
 */
struct ratkn_appraisal_t {

	/**
	 * Trust an attestation key.
	 *
	 * @param spki		DER SubjectPublicKeyInfo of the AK (cloned)
	 */
	void (*add_ak)(ratkn_appraisal_t *this, chunk_t spki);

	/**
	 * Trust an attestation key by its TPM Name, which unlike the SPKI also
	 * pins the key's attributes (fixedTPM, restricted...) and policy.
	 *
	 * @param name		Name of the AK (nameAlg and hash, cloned)
	 */
	void (*add_ak_name)(ratkn_appraisal_t *this, chunk_t name);

	/**
	 * Whether reference values are set.
	 *
	 * @return			TRUE if PCR values are compared
	 */
	bool (*has_reference)(ratkn_appraisal_t *this);

	/**
	 * Set the reference values (replacing previous ones).
	 *
	 * @param ref		reference values (adopted)
	 */
	void (*set_reference)(ratkn_appraisal_t *this, ratkn_reference_t *ref);

	/**
	 * Appraise evidence.
	 *
	 * @param evidence		evidence to appraise
	 * @param role			attester's actual IKE role
	 * @param session_hash	session hash recomputed by the relying party
	 * @param identity_hash	hash of the identity the attester authenticated with
	 * @param reason		buffer receiving a one-line reason on failure
	 *						(details such as the PCR bank/index), "" on success
	 * @param len			size of reason
	 * @return				RATKN_APPRAISAL_OK or the first failed check
	 */
	ratkn_appraisal_status_t (*appraise)(ratkn_appraisal_t *this,
							ratkn_evidence_t *evidence, ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							char *reason, size_t len);

	/**
	 * Get a reference to this object.
	 *
	 * @return			this, with an additional reference
	 */
	ratkn_appraisal_t *(*get_ref)(ratkn_appraisal_t *this);

	/**
	 * Release a reference, destroying the object with the last one.
	 */
	void (*destroy)(ratkn_appraisal_t *this);
};

/**
 * Create an empty appraisal policy (no AK trusted, no reference values).
 *
 * @return				appraisal policy
 */
ratkn_appraisal_t *ratkn_appraisal_create();

#endif /** RATKN_APPRAISAL_H_ @}*/
