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
 * @defgroup ratkn_verdict ratkn_verdict
 * @{ @ingroup ratkn
 */

#ifndef RATKN_VERDICT_H_
#define RATKN_VERDICT_H_

#include "ratkn_types.h"
#include "ratkn_ear.h"

#include <collections/linked_list.h>

typedef enum ratkn_on_warning_t ratkn_on_warning_t;

/**
 * What a relying party does with an attestation result of status warning.
 */
enum ratkn_on_warning_t {
	/** refuse the IKE_SA */
	RATKN_WARNING_REFUSE,
	/** accept it */
	RATKN_WARNING_ACCEPT,
	/** accept it, with CHILD_SAs narrowed to warning_ts */
	RATKN_WARNING_RESTRICT,
};

/**
 * enum names for ratkn_on_warning_t (settings keywords).
 */
extern enum_name_t *ratkn_on_warning_names;

typedef enum ratkn_verdict_t ratkn_verdict_t;

/**
 * A relying party's judgement of an attestation result.
 */
enum ratkn_verdict_t {
	/** refuse the IKE_SA */
	RATKN_VERDICT_REFUSE,
	/** accept it */
	RATKN_VERDICT_ACCEPT,
	/** accept it with restricted CHILD_SAs (status warning) */
	RATKN_VERDICT_RESTRICT,
};

typedef struct ratkn_verdict_policy_t ratkn_verdict_policy_t;

/**
 * What a relying party's connection accepts in an attestation result.
 */
struct ratkn_verdict_policy_t {

	/**
	 * TRUE if the result is a passport the attester sent (RATKN_RESULT),
	 * FALSE if it is the verifier's answer about evidence received in this
	 * IKE_SA (remote background-check model), which must always be bound to
	 * this IKE_SA
	 */
	bool passport;

	/**
	 * Passport only: age in seconds up to which a cached result that is not
	 * bound to this IKE_SA is accepted, measured from the verifier challenge
	 * its evidence was bound to ("ratkn.fresh-since"); 0 for never
	 */
	u_int freshness;

	/**
	 * What status warning leads to
	 */
	ratkn_on_warning_t on_warning;

	/**
	 * Accepted "ear.appraisal-policy-id" values (char*), NULL or empty for
	 * any
	 */
	linked_list_t *policy_ids;

	/**
	 * Trustworthiness claims that must be in the affirming tier, a mask of
	 * (1 << RATKN_EAR_TV_*)
	 */
	u_int require_trust;
};

/**
 * Judge the claims of a verified attestation result (docs/protocol.md,
 * section 13.3, checks 3 to 7; the signature and expiry were checked by
 * ratkn_ear_verify()).
 *
 * @param claims		claims of the verified EAR
 * @param policy		what the connection accepts
 * @param binding		binding the relying party recomputed for this IKE_SA
 * @param id_hash		hash of the certificate the peer authenticated with
 * @param now			current time
 * @param msg			receives what was decided and why, one line
 * @param len			size of msg
 * @return				verdict
 */
ratkn_verdict_t ratkn_verdict_judge(ratkn_ear_claims_t *claims,
									ratkn_verdict_policy_t *policy,
									uint8_t binding[RATKN_HASH_LEN],
									uint8_t id_hash[RATKN_HASH_LEN],
									time_t now, char *msg, size_t len);

#endif /** RATKN_VERDICT_H_ @}*/
