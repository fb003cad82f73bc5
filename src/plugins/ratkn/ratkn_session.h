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
 * @defgroup ratkn_session ratkn_session
 * @{ @ingroup ratkn
 */

#ifndef RATKN_SESSION_H_
#define RATKN_SESSION_H_

#include "ratkn_types.h"
#include "ratkn_negotiate.h"
#include "ratkn_evidence.h"
#include "ratkn_appraisal.h"
#include "ratkn_tpm.h"
#include "ratkn_jwe.h"

typedef enum ratkn_session_state_t ratkn_session_state_t;

/**
 * Negotiation state of a session.
 */
enum ratkn_session_state_t {
	/** nothing exchanged yet */
	RATKN_SESSION_IDLE,
	/** initiator sent its RATKN_NEGOTIATE, no answer processed yet */
	RATKN_SESSION_OFFERED,
	/** both sides sent RATKN_NEGOTIATE with shares of one group */
	RATKN_SESSION_NEGOTIATED,
	/** peer answered, but without a share of our group */
	RATKN_SESSION_NO_GROUP,
	/** peer's RATKN_NEGOTIATE was malformed */
	RATKN_SESSION_MALFORMED,
};

/**
 * enum names for ratkn_session_state_t.
 */
extern enum_name_t *ratkn_session_state_names;

typedef struct ratkn_session_t ratkn_session_t;

/**
 * ratkn protocol state of one IKE_SA: negotiation, SK, binding, evidence.
 *
 * Independent of charon: the glue feeds it the IKE_SA_INIT messages and
 * parameters. Not thread-safe; charon serializes work on an IKE_SA.
 */
struct ratkn_session_t {

	/**
	 * Our IKE role.
	 *
	 * @return			RATKN_IKE_INITIATOR or RATKN_IKE_RESPONDER
	 */
	ratkn_ike_role_t (*get_ike_role)(ratkn_session_t *this);

	/**
	 * Initiator: create our RATKN_NEGOTIATE offer (key pair, nonce).
	 *
	 * Calling it again (IKE_SA_INIT retry) returns the same offer.
	 *
	 * @param flags		our RATKN_FLAG_* flags
	 * @param group		ECDHE group
	 * @param models	models we support, in our order of preference
	 * @param count		number of models
	 * @return			notify data (borrowed), chunk_empty on failure
	 */
	chunk_t (*offer)(ratkn_session_t *this, uint8_t flags, uint16_t group,
					 ratkn_model_t *models, int count);

	/**
	 * Responder: process the initiator's offer and create our answer.
	 *
	 * Sets ATTEST if the initiator asked (VERIFY) and can_attest, VERIFY (with
	 * a nonce) if the initiator offers to attest; answers with group 0 if
	 * the group is not supported.
	 *
	 * @param data		initiator's RATKN_NEGOTIATE data
	 * @param can_attest	whether we can produce evidence
	 * @param models	models we support, in our order of preference
	 * @param count		number of models
	 * @return			answer (borrowed), chunk_empty if the offer was
	 *					malformed (state RATKN_SESSION_MALFORMED)
	 */
	chunk_t (*answer)(ratkn_session_t *this, chunk_t data, bool can_attest,
					  ratkn_model_t *models, int count);

	/**
	 * Initiator: process the responder's answer.
	 *
	 * @param data		responder's RATKN_NEGOTIATE data
	 * @return			resulting state
	 */
	ratkn_session_state_t (*process_answer)(ratkn_session_t *this,
											chunk_t data);

	/**
	 * Current state.
	 *
	 * @return			state
	 */
	ratkn_session_state_t (*get_state)(ratkn_session_t *this);

	/**
	 * Explanation of a MALFORMED or NO_GROUP state.
	 *
	 * @return			reason (borrowed), "" if none
	 */
	char *(*get_reason)(ratkn_session_t *this);

	/**
	 * Flags we sent.
	 *
	 * @return			RATKN_FLAG_* flags
	 */
	uint8_t (*get_my_flags)(ratkn_session_t *this);

	/**
	 * Flags the peer sent.
	 *
	 * @return			RATKN_FLAG_* flags
	 */
	uint8_t (*get_peer_flags)(ratkn_session_t *this);

	/**
	 * Attestation model of a direction: the first model of the relying
	 * party's list that the attester also lists (section 13.1).
	 *
	 * @param peer_attests	TRUE for the peer attesting to us, FALSE for us
	 *						attesting to the peer
	 * @return			model, 0 if there is none in common
	 */
	ratkn_model_t (*get_model)(ratkn_session_t *this, bool peer_attests);

	/**
	 * Negotiated group.
	 *
	 * @return			group, 0 if not negotiated
	 */
	uint16_t (*get_group)(ratkn_session_t *this);

	/**
	 * Record the final IKE_SA_INIT request and response as sent on the wire,
	 * with the IKE nonces (from the Nonce payloads) and SPIs. May be called
	 * again on IKE_SA_INIT retries; the last call counts.
	 *
	 * @param request	IKE_SA_INIT request or chunk_empty to keep the last
	 * @param response	IKE_SA_INIT response or chunk_empty to keep the last
	 * @param ni		Ni or chunk_empty to keep the last
	 * @param nr		Nr or chunk_empty to keep the last
	 */
	void (*set_ike_sa_init)(ratkn_session_t *this, chunk_t request,
							chunk_t response, chunk_t ni, chunk_t nr);

	/**
	 * Record a message of an IKE_INTERMEDIATE exchange (RFC 9242) in its
	 * plaintext encoding (IntAuth_A | IntAuth_P), which the binding then
	 * covers as well. May be called again for a retransmission.
	 *
	 * @param exchange	index of the IKE_INTERMEDIATE exchange, 0 for the
	 *					first (its message ID minus one)
	 * @param request	TRUE for the request, FALSE for the response
	 * @param plain		plaintext encoding
	 * @return			FALSE if exchange is beyond
	 *					RATKN_BINDING_MAX_INTERMEDIATE
	 */
	bool (*set_intermediate)(ratkn_session_t *this, u_int exchange,
							 bool request, chunk_t plain);

	/**
	 * Number of IKE_INTERMEDIATE exchanges recorded so far.
	 *
	 * @return			number of exchanges
	 */
	u_int (*get_intermediate_count)(ratkn_session_t *this);

	/**
	 * Get SK, deriving it on first use (docs/protocol.md, section 5).
	 *
	 * @param spi_i		8-octet initiator SPI
	 * @param spi_r		8-octet responder SPI
	 * @param sk		SK (borrowed, valid until destroy or clear_sk)
	 * @return			FALSE if not negotiated or derivation failed
	 */
	bool (*get_sk)(ratkn_session_t *this, chunk_t spi_i, chunk_t spi_r,
				   chunk_t *sk);

	/**
	 * Wipe SK and the ECDHE private key once IKE authentication is over.
	 */
	void (*clear_sk)(ratkn_session_t *this);

	/**
	 * Session hash over the recorded IKE_SA_INIT messages.
	 *
	 * @param hash		RATKN_HASH_LEN octets
	 * @return			FALSE if the messages are missing
	 */
	bool (*get_session_hash)(ratkn_session_t *this,
							 uint8_t hash[RATKN_HASH_LEN]);

	/**
	 * Relying party: the binding the peer's evidence must carry, from this
	 * session, the peer's IKE role and the identity it authenticated with.
	 *
	 * @param identity	DER of the peer's certificate (or SPKI)
	 * @param binding	RATKN_HASH_LEN octets
	 * @param id_hash	RATKN_HASH_LEN octets, the identity hash
	 * @return			FALSE if the messages are not recorded
	 */
	bool (*get_peer_binding)(ratkn_session_t *this, chunk_t identity,
							 uint8_t binding[RATKN_HASH_LEN],
							 uint8_t id_hash[RATKN_HASH_LEN]);

	/**
	 * Relying party: wrap a KMS key release to the peer's attested ECDHE
	 * share, bound to the peer's binding (docs/kms.md).
	 *
	 * @param claims	claims to release
	 * @param identity	DER of the peer's certificate (or SPKI)
	 * @return			compact JWE (allocated), NULL on failure (logged)
	 */
	char *(*wrap_release)(ratkn_session_t *this, ratkn_jwe_claims_t *claims,
						  chunk_t identity);

	/**
	 * Attester: unwrap a KMS key release with our ECDHE private key,
	 * checking that it is bound to our evidence of this session. Fails
	 * once clear_sk() was called.
	 *
	 * @param token		compact JWE
	 * @param identity	DER of our end-entity certificate (or SPKI)
	 * @param now		current time
	 * @param reason	receives the reason on failure
	 * @param len		size of reason
	 * @return			unwrapped key, NULL on failure
	 */
	ratkn_jwe_key_t *(*unwrap_release)(ratkn_session_t *this, char *token,
									   chunk_t identity, time_t now,
									   char *reason, size_t len);

	/**
	 * Attester: create evidence bound to this session and our identity.
	 *
	 * @param tpm		TPM to quote with
	 * @param identity	DER of our end-entity certificate (or SPKI)
	 * @param pcrs		PCRs to quote
	 * @param challenge	verifier challenge to bind the quote to as well
	 *					(passport model, docs/protocol.md section 13.5),
	 *					empty for none
	 * @return			evidence, NULL on failure (logged)
	 */
	ratkn_evidence_t *(*attest)(ratkn_session_t *this, ratkn_tpm_t *tpm,
								chunk_t identity, ratkn_pcr_selection_t *pcrs,
								chunk_t challenge);

	/**
	 * Relying party: appraise the peer's evidence against a policy, bound to
	 * this session, the peer's IKE role and the identity it authenticated
	 * with.
	 *
	 * @param evidence	the peer's evidence
	 * @param policy	appraisal policy for the peer
	 * @param identity	DER of the certificate (or SPKI) the peer
	 *					authenticated with
	 * @param reason	receives the reason on failure
	 * @param len		size of reason
	 * @return			appraisal status
	 */
	ratkn_appraisal_status_t (*appraise)(ratkn_session_t *this,
							ratkn_evidence_t *evidence,
							ratkn_appraisal_t *policy, chunk_t identity,
							char *reason, size_t len);

	/**
	 * Initiator: make our ECDHE share a TPM-resident key (ratkn_tpm_kex_t)
	 * certified by the AK in our evidence. Call before offer(); only P-256
	 * and P-384 shares can be TPM-resident.
	 *
	 * @param tpm		TPM (borrowed, must outlive the session)
	 */
	void (*use_tpm_share)(ratkn_session_t *this, ratkn_tpm_t *tpm);

	/**
	 * Whether our ECDHE share is TPM-resident.
	 *
	 * @return			TRUE if it is
	 */
	bool (*has_tpm_share)(ratkn_session_t *this);

	/**
	 * Relying party: check that the peer's evidence certifies its ratkn
	 * share as TPM-resident (docs/protocol.md, section 8, step 9), after the
	 * evidence was appraised (the AK is trusted).
	 *
	 * @param evidence	peer's evidence
	 * @param identity	DER of the certificate (or SPKI) the peer
	 *					authenticated with
	 * @param reason	receives the reason on failure
	 * @param len		size of reason
	 * @return			RATKN_APPRAISAL_OK, or
	 *					RATKN_APPRAISAL_SHARE_NOT_CERTIFIED if the
	 *					certification is missing or invalid
	 */
	ratkn_appraisal_status_t (*check_share)(ratkn_session_t *this,
							ratkn_evidence_t *evidence, chunk_t identity,
							char *reason, size_t len);

	/**
	 * Destroy the session, wiping all secrets.
	 */
	void (*destroy)(ratkn_session_t *this);
};

/**
 * Create a session.
 *
 * @param ike_role		our IKE role
 * @return				session
 */
ratkn_session_t *ratkn_session_create(ratkn_ike_role_t ike_role);

#endif /** RATKN_SESSION_H_ @}*/
