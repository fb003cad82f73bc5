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
 * @defgroup verifier_appraiser verifier_appraiser
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_APPRAISER_H_
#define VERIFIER_APPRAISER_H_

#include "verifier_store.h"
#include "verifier_key.h"
#include "verifier_challenge.h"

#include <ratkn_ear.h>

typedef struct verifier_result_t verifier_result_t;

/**
 * Outcome of an appraisal.
 */
struct verifier_result_t {
	/** EAR status */
	ratkn_ear_status_t status;
	/** trustworthiness vector */
	int trust[RATKN_EAR_TV_COUNT];
	/** why the status is not affirming, "" if it is */
	char reason[256];
	/** fingerprint of the AK, "" if the evidence has no usable AK */
	char ak[VERIFIER_FPR_LEN + 1];
	/** group of the attester, "" if not enrolled */
	char group[VERIFIER_GROUP_MAX + 1];
	/** the evidence could not be parsed (nothing to issue an EAR about) */
	bool malformed;
	/** the evidence was refused without an EAR: its challenge is not valid
	 *  (the reason says why) */
	bool refused;
	/** issue time of the evidence's valid challenge, 0 if none; in the EAR
	 *  as "ratkn.fresh-since" if the evidence is authentic */
	time_t fresh_since;
	/** the quote's signature by the enrolled AK and its binding verified */
	bool authentic;
	/** how the quote's clock compares with the newest evidence of the AK,
	 *  "" if it was not compared */
	char clock[128];
	/** the outcome was recorded for the attester (newest evidence) */
	bool recorded;
	/** EAR, compact JWS (allocated), NULL if none was issued */
	char *ear;
};

typedef struct verifier_appraiser_t verifier_appraiser_t;

/**
 * Appraises ratkn evidence against the store and issues EARs.
 */
struct verifier_appraiser_t {

	/**
	 * Appraise RATKN_EVIDENCE notify data and issue an EAR about it.
	 *
	 * Evidence from an unknown AK, with an invalid quote, replayed (its
	 * quote's TPM boot counters or clock behind those of the newest
	 * authentic evidence of the AK) or with PCR values differing from the
	 * group's reference values yields an EAR too (with status
	 * contraindicated, warning or none). The outcome is recorded for the
	 * attester only if the evidence is authentic and newer than any
	 * evidence recorded before.
	 *
	 * Evidence with a CHALLENGE must carry a valid challenge of this
	 * verifier, else it is refused without EAR. With one, the EAR of
	 * authentic evidence says since when the quote is fresh (the
	 * challenge's issue time, "ratkn.fresh-since"); its eat_nonce is the
	 * plain binding in any case.
	 *
	 * @param data		notify data
	 * @param result	outcome (free result->ear)
	 * @return			TRUE if an EAR was issued; FALSE if the evidence is
	 *					malformed (result->malformed), refused
	 *					(result->refused) or signing failed
	 */
	bool (*appraise)(verifier_appraiser_t *this, chunk_t data,
					 verifier_result_t *result);

	/**
	 * Destroy the appraiser.
	 */
	void (*destroy)(verifier_appraiser_t *this);
};

/**
 * Create an appraiser.
 *
 * @param store			store (borrowed)
 * @param key			signing key (borrowed)
 * @param challenge		issuer of the challenges evidence may carry
 *						(borrowed)
 * @param lifetime		EAR lifetime in seconds
 * @param tolerance		seconds the TPM clock of a quote may be behind the
 *						newest evidence of its AK in the same boot (quotes of
 *						concurrent IKE_SAs arriving out of order)
 * @param developer		"ear.verifier-id" developer (cloned)
 * @return				appraiser
 */
verifier_appraiser_t *verifier_appraiser_create(verifier_store_t *store,
												verifier_key_t *key,
												verifier_challenge_t *challenge,
												u_int lifetime,
												u_int tolerance,
												char *developer);

#endif /** VERIFIER_APPRAISER_H_ @}*/
