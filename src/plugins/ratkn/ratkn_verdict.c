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

#include "ratkn_verdict.h"

#include <stdio.h>

ENUM(ratkn_on_warning_names, RATKN_WARNING_REFUSE, RATKN_WARNING_RESTRICT,
	"refuse",
	"accept",
	"restrict",
);

/**
 * Check that the result is bound to this IKE_SA, or is a cached passport
 * the policy accepts; describes which in bound
 */
static bool check_bound(ratkn_ear_claims_t *claims,
						ratkn_verdict_policy_t *policy,
						uint8_t binding[RATKN_HASH_LEN], time_t now,
						char *bound, size_t bound_len, char *msg, size_t len)
{
	if (chunk_equals_const(claims->nonce, chunk_create(binding,
													   RATKN_HASH_LEN)))
	{
		snprintf(bound, bound_len, "bound to this IKE_SA");
		return TRUE;
	}
	if (!policy->passport)
	{	/* evidence we received: whatever its age, its quote must be ours */
		snprintf(msg, len, "attestation result bound to another IKE session "
				 "(the evidence of this IKE_SA must be bound to it)");
		return FALSE;
	}
	if (!policy->freshness)
	{
		snprintf(msg, len, "attestation result bound to another IKE session");
		return FALSE;
	}
	if (!claims->fresh_since)
	{
		snprintf(msg, len, "attestation result bound to another IKE session, "
				 "and not to a verifier challenge (a cached result is only "
				 "accepted if the verifier saw its quote made after its "
				 "challenge)");
		return FALSE;
	}
	if (claims->fresh_since + (time_t)policy->freshness < now)
	{
		snprintf(msg, len, "attestation result bound to another IKE session, "
				 "and its evidence is %lds old, older than the freshness "
				 "window of %us", (long)(now - claims->fresh_since),
				 policy->freshness);
		return FALSE;
	}
	snprintf(bound, bound_len, "cached result, evidence %lds old",
			 (long)(now - claims->fresh_since));
	return TRUE;
}

/**
 * Check the appraisal policy the verifier applied
 */
static bool check_policy_id(ratkn_ear_claims_t *claims,
							ratkn_verdict_policy_t *policy, char *msg,
							size_t len)
{
	enumerator_t *enumerator;
	char *id, accepted[256] = "";
	size_t used = 0;
	bool found = FALSE;

	if (!policy->policy_ids || !policy->policy_ids->get_count(
														policy->policy_ids))
	{
		return TRUE;
	}
	enumerator = policy->policy_ids->create_enumerator(policy->policy_ids);
	while (enumerator->enumerate(enumerator, &id))
	{
		if (claims->policy_id && streq(claims->policy_id, id))
		{
			found = TRUE;
		}
		if (used < sizeof(accepted))
		{
			used += snprintf(accepted + used, sizeof(accepted) - used, "%s%s",
							 used ? ", " : "", id);
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		snprintf(msg, len, "appraisal policy '%s' not accepted (the "
				 "connection accepts %s)", claims->policy_id ?: "(none)",
				 accepted);
	}
	return found;
}

/**
 * Check the trustworthiness claims that must be affirming
 */
static bool check_trust(ratkn_ear_claims_t *claims,
						ratkn_verdict_policy_t *policy, char *msg, size_t len)
{
	int i;

	for (i = 0; i < RATKN_EAR_TV_COUNT; i++)
	{
		if ((policy->require_trust & (1 << i)) &&
			(claims->trust[i] < RATKN_EAR_TV_AFFIRMING_MIN ||
			 claims->trust[i] > RATKN_EAR_TV_AFFIRMING_MAX))
		{
			snprintf(msg, len, "trustworthiness claim %s is %d, not "
					 "affirming (required by the connection)",
					 ratkn_ear_tv_name(i), claims->trust[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * Described in header
 */
ratkn_verdict_t ratkn_verdict_judge(ratkn_ear_claims_t *claims,
									ratkn_verdict_policy_t *policy,
									uint8_t binding[RATKN_HASH_LEN],
									uint8_t id_hash[RATKN_HASH_LEN],
									time_t now, char *msg, size_t len)
{
	ratkn_verdict_t verdict = RATKN_VERDICT_REFUSE;
	char bound[64];

	if (!chunk_equals_const(claims->identity_hash,
							chunk_create(id_hash, RATKN_HASH_LEN)))
	{
		snprintf(msg, len, "attestation result for another identity");
		return RATKN_VERDICT_REFUSE;
	}
	if (!check_bound(claims, policy, binding, now, bound, sizeof(bound),
					 msg, len) ||
		!check_policy_id(claims, policy, msg, len) ||
		!check_trust(claims, policy, msg, len))
	{
		return RATKN_VERDICT_REFUSE;
	}
	switch (claims->status)
	{
		case RATKN_EAR_AFFIRMING:
			verdict = RATKN_VERDICT_ACCEPT;
			break;
		case RATKN_EAR_WARNING:
			switch (policy->on_warning)
			{
				case RATKN_WARNING_ACCEPT:
					verdict = RATKN_VERDICT_ACCEPT;
					break;
				case RATKN_WARNING_RESTRICT:
					verdict = RATKN_VERDICT_RESTRICT;
					break;
				default:
					break;
			}
			break;
		default:
			break;
	}
	snprintf(msg, len, "%s (%s)%s%s%s", ratkn_ear_status_name(claims->status),
			 bound, claims->reason ? ": " : "", claims->reason ?: "",
			 verdict == RATKN_VERDICT_RESTRICT ?
				", CHILD_SAs restricted to warning_ts" : "");
	return verdict;
}
