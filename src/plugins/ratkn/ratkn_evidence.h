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
 * @defgroup ratkn_evidence ratkn_evidence
 * @{ @ingroup ratkn
 */

#ifndef RATKN_EVIDENCE_H_
#define RATKN_EVIDENCE_H_

#include "ratkn_types.h"
#include "ratkn_pcr.h"

/**
 * Maximum length of the QUOTE, SIGNATURE and AK_PUBLIC attributes.
 */
#define RATKN_EVIDENCE_MAX_BLOB 1024

/**
 * Maximum number of PCR values in evidence.
 */
#define RATKN_EVIDENCE_MAX_PCRS 64

typedef struct ratkn_clock_info_t ratkn_clock_info_t;

/**
 * The TPMS_CLOCK_INFO of a quote: the TPM's time and its boot counters.
 */
struct ratkn_clock_info_t {
	/** milliseconds the TPM has been powered since it was made (Clock) */
	uint64_t clock;
	/** TPM resets (reboots) since TPM2_Clear */
	uint32_t reset_count;
	/** TPM restarts (resumes) since the last reset */
	uint32_t restart_count;
	/** whether Clock cannot have been reported before (no unorderly
	 *  shutdown since it was last saved) */
	bool safe;
};

/**
 * Compare the boot counters of two clock infos.
 *
 * @param a			first
 * @param b			second
 * @return			< 0 if a is from an earlier boot (reset or restart)
 *					than b, 0 if from the same, > 0 if from a later one
 */
int ratkn_clock_info_boot_cmp(ratkn_clock_info_t *a, ratkn_clock_info_t *b);

typedef struct ratkn_evidence_t ratkn_evidence_t;

/**
 * Evidence of the tpm2-quote format: the data of a RATKN_EVIDENCE notify
 * (docs/protocol.md, section 7).
 */
struct ratkn_evidence_t {

	/**
	 * IKE role the attester claims.
	 *
	 * @return			role
	 */
	ratkn_ike_role_t (*get_role)(ratkn_evidence_t *this);

	/**
	 * Evidence format.
	 *
	 * @return			format
	 */
	ratkn_format_t (*get_format)(ratkn_evidence_t *this);

	/**
	 * Session hash the attester claims to have bound (borrowed).
	 *
	 * @return			32 octets
	 */
	chunk_t (*get_session_hash)(ratkn_evidence_t *this);

	/**
	 * Identity hash the attester claims to have bound (borrowed).
	 *
	 * @return			32 octets
	 */
	chunk_t (*get_identity_hash)(ratkn_evidence_t *this);

	/**
	 * Marshalled TPMS_ATTEST (borrowed).
	 *
	 * @return			quote
	 */
	chunk_t (*get_quote)(ratkn_evidence_t *this);

	/**
	 * Marshalled TPMT_SIGNATURE (borrowed).
	 *
	 * @return			signature
	 */
	chunk_t (*get_signature)(ratkn_evidence_t *this);

	/**
	 * Marshalled TPMT_PUBLIC of the AK (borrowed).
	 *
	 * @return			AK public area
	 */
	chunk_t (*get_ak_public)(ratkn_evidence_t *this);

	/**
	 * PCR values the quote covers (borrowed).
	 *
	 * @return			PCR values
	 */
	ratkn_pcr_values_t *(*get_pcr_values)(ratkn_evidence_t *this);

	/**
	 * Certification of a TPM-resident ECDHE share (SHARE_PUBLIC,
	 * SHARE_CERTIFY, SHARE_SIGNATURE), if the evidence carries one.
	 *
	 * @param tpm_public	marshalled TPMT_PUBLIC of the share (borrowed)
	 * @param certify		marshalled TPMS_ATTEST of TPM2_Certify (borrowed)
	 * @param signature		marshalled TPMT_SIGNATURE by the AK (borrowed)
	 * @return				TRUE if present (else all are empty)
	 */
	bool (*get_share_cert)(ratkn_evidence_t *this, chunk_t *tpm_public,
						   chunk_t *certify, chunk_t *signature);

	/**
	 * Verifier challenge the quote is bound to as well (section 13.5), if
	 * any (borrowed).
	 *
	 * @return			CHALLENGE, empty if absent
	 */
	chunk_t (*get_challenge)(ratkn_evidence_t *this);

	/**
	 * The clock info of the quote (not authenticated until the quote's
	 * signature was verified).
	 *
	 * @param info		receives the clock info
	 * @return			FALSE if QUOTE is not a TPMS_ATTEST
	 */
	bool (*get_clock_info)(ratkn_evidence_t *this, ratkn_clock_info_t *info);

	/**
	 * Encoded notify data (borrowed).
	 *
	 * @return			encoding
	 */
	chunk_t (*get_encoding)(ratkn_evidence_t *this);

	/**
	 * Destroy the evidence.
	 */
	void (*destroy)(ratkn_evidence_t *this);
};

/**
 * Create tpm2-quote evidence for sending.
 *
 * @param role			attester's IKE role
 * @param session_hash	bound session hash (cloned)
 * @param identity_hash	bound identity hash (cloned)
 * @param quote			marshalled TPMS_ATTEST (cloned)
 * @param signature		marshalled TPMT_SIGNATURE (cloned)
 * @param ak_public		marshalled TPMT_PUBLIC of the AK (cloned)
 * @param values		PCR values (adopted)
 * @return				evidence, NULL if a value exceeds the limits
 */
ratkn_evidence_t *ratkn_evidence_create(ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							chunk_t quote, chunk_t signature, chunk_t ak_public,
							ratkn_pcr_values_t *values);

/**
 * Create tpm2-quote evidence for sending, with the certification of a
 * TPM-resident ECDHE share (docs/protocol.md, section 7) and/or a
 * verifier's challenge (section 13.5).
 *
 * @param role			attester's IKE role
 * @param session_hash	bound session hash (cloned)
 * @param identity_hash	bound identity hash (cloned)
 * @param quote			marshalled TPMS_ATTEST (cloned)
 * @param signature		marshalled TPMT_SIGNATURE (cloned)
 * @param ak_public		marshalled TPMT_PUBLIC of the AK (cloned)
 * @param values		PCR values (adopted)
 * @param share_public	marshalled TPMT_PUBLIC of the share (cloned)
 * @param share_certify	marshalled TPMS_ATTEST of TPM2_Certify (cloned)
 * @param share_signature	marshalled TPMT_SIGNATURE of the certification
 *						(cloned); all three empty for no certification
 * @param challenge		verifier challenge the quote is bound to as well
 *						(cloned), empty for none
 * @return				evidence, NULL if a value exceeds the limits
 */
ratkn_evidence_t *ratkn_evidence_create_certified(ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							chunk_t quote, chunk_t signature, chunk_t ak_public,
							ratkn_pcr_values_t *values, chunk_t share_public,
							chunk_t share_certify, chunk_t share_signature,
							chunk_t challenge);

/**
 * Parse received RATKN_EVIDENCE notify data.
 *
 * @param data			notify data
 * @return				evidence, NULL if malformed (the reason is logged)
 */
ratkn_evidence_t *ratkn_evidence_parse(chunk_t data);

#endif /** RATKN_EVIDENCE_H_ @}*/
