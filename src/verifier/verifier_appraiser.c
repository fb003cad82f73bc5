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

#include "verifier_appraiser.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <ratkn_ak.h>
#include <ratkn_appraisal.h>
#include <ratkn_binding.h>
#include <ratkn_evidence.h>

#include <openssl/evp.h>

#ifndef VERIFIER_BUILD
#define VERIFIER_BUILD "ratkn-verifier"
#endif

/**
 * AR4SI trustworthiness claim values used
 */
enum {
	TV_MALFUNCTION = -1,
	TV_NONE = 0,
	TV_UNEXPECTED_EVIDENCE = 1,
	TV_APPROVED = 2,
	TV_UNSAFE = 32,
	TV_CONTRAINDICATED = 96,
	TV_UNRECOGNIZED_INSTANCE = 97,
	TV_CRYPTO_FAILED = 99,
};

typedef struct private_verifier_appraiser_t private_verifier_appraiser_t;

/**
 * Private data of a verifier_appraiser_t object.
 */
struct private_verifier_appraiser_t {

	/**
	 * Public interface.
	 */
	verifier_appraiser_t public;

	/**
	 * Store
	 */
	verifier_store_t *store;

	/**
	 * Signing key
	 */
	verifier_key_t *key;

	/**
	 * Challenge issuer
	 */
	verifier_challenge_t *challenge;

	/**
	 * EAR lifetime
	 */
	u_int lifetime;

	/**
	 * How far a quote's clock may be behind the newest one, in ms
	 */
	uint64_t tolerance;

	/**
	 * Developer in ear.verifier-id
	 */
	char *developer;
};

/**
 * Append to the reason, "; " separated, "..." if it does not fit
 */
static void add_reason(verifier_result_t *result, char *fmt, ...)
{
	size_t used, len = sizeof(result->reason);
	va_list args;
	int written;

	used = strlen(result->reason);
	if (used && used + 2 < len)
	{
		strcat(result->reason, "; ");
		used += 2;
	}
	va_start(args, fmt);
	written = vsnprintf(result->reason + used, len - used, fmt, args);
	va_end(args);
	if (written < 0 || used + written >= len)
	{
		strcpy(result->reason + len - 4, "...");
	}
}

/**
 * Set the outcome
 */
static void set(verifier_result_t *result, ratkn_ear_status_t status,
				int instance, int configuration, int executables,
				int hardware)
{
	result->status = status;
	result->trust[RATKN_EAR_TV_INSTANCE] = instance;
	result->trust[RATKN_EAR_TV_CONFIGURATION] = configuration;
	result->trust[RATKN_EAR_TV_EXECUTABLES] = executables;
	result->trust[RATKN_EAR_TV_HARDWARE] = hardware;
}

/**
 * SHA-256 fingerprint of a SPKI, hex
 */
static bool fingerprint(chunk_t spki, char fpr[VERIFIER_FPR_LEN + 1])
{
	uint8_t hash[32];
	u_int len = sizeof(hash);
	int i;

	if (EVP_Digest(spki.ptr, spki.len, hash, &len, EVP_sha256(), NULL) != 1)
	{
		return FALSE;
	}
	for (i = 0; i < sizeof(hash); i++)
	{
		snprintf(fpr + 2 * i, 3, "%02x", hash[i]);
	}
	return TRUE;
}

/**
 * Compare the quoted PCRs with the group's reference values
 */
static void compare(ratkn_reference_t *ref, ratkn_pcr_selection_t *warning,
					ratkn_pcr_values_t *values, int instance, int hardware,
					verifier_result_t *result)
{
	ratkn_pcr_selection_t sel;
	u_int pcr, failed = 0, hard = 0;
	chunk_t value;
	bool soft;
	int b;

	ref->get_selection(ref, &sel);
	for (b = 0; b < sel.count; b++)
	{
		for (pcr = 0; pcr < RATKN_PCR_COUNT; pcr++)
		{
			if (!(sel.banks[b].mask & (1 << pcr)))
			{
				continue;
			}
			soft = ratkn_pcr_selection_contains(warning, sel.banks[b].alg,
												pcr);
			if (!values->get(values, sel.banks[b].alg, pcr, &value))
			{
				add_reason(result, "PCR %s:%u not quoted%s",
						   ratkn_pcr_alg_name(sel.banks[b].alg), pcr,
						   soft ? " (warning PCR)" : "");
			}
			else if (!ref->matches(ref, sel.banks[b].alg, pcr, value))
			{
				add_reason(result, "PCR %s:%u has unexpected value%s",
						   ratkn_pcr_alg_name(sel.banks[b].alg), pcr,
						   soft ? " (warning PCR)" : "");
			}
			else
			{
				continue;
			}
			failed++;
			hard += soft ? 0 : 1;
		}
	}
	if (!failed)
	{
		set(result, RATKN_EAR_AFFIRMING, instance, TV_APPROVED, TV_APPROVED,
			hardware);
	}
	else if (!hard)
	{
		set(result, RATKN_EAR_WARNING, instance, TV_UNSAFE, TV_UNSAFE,
			hardware);
	}
	else
	{
		set(result, RATKN_EAR_CONTRAINDICATED, instance, TV_CONTRAINDICATED,
			TV_CONTRAINDICATED, hardware);
	}
}

/**
 * Compare the clock info of an authentic quote with that of the newest
 * evidence recorded for its AK. Returns FALSE (and sets the result
 * contraindicated) for replayed evidence; sets *newer if the evidence is
 * newer than the recorded one, so that it may be recorded.
 */
static bool check_clock(private_verifier_appraiser_t *this,
						verifier_attester_t *attester,
						ratkn_clock_info_t *info, int hardware,
						verifier_result_t *result, bool *newer)
{
	ratkn_clock_info_t *last = &attester->clock;
	uint64_t behind;
	int cmp;

	*newer = FALSE;
	if (!attester->has_clock)
	{
		snprintf(result->clock, sizeof(result->clock), "first evidence of "
				 "this AK");
		*newer = TRUE;
		return TRUE;
	}
	cmp = ratkn_clock_info_boot_cmp(info, last);
	if (cmp < 0)
	{
		set(result, RATKN_EAR_CONTRAINDICATED, TV_CONTRAINDICATED, TV_NONE,
			TV_NONE, hardware);
		add_reason(result, "TPM reset/restart counter went backwards for "
				   "this AK (replayed evidence or a cleared TPM): quote of "
				   "boot %u/%u, newest evidence of boot %u/%u",
				   info->reset_count, info->restart_count, last->reset_count,
				   last->restart_count);
		snprintf(result->clock, sizeof(result->clock), "boot counters "
				 "backwards");
		return FALSE;
	}
	if (cmp > 0)
	{
		snprintf(result->clock, sizeof(result->clock), "newer boot");
		*newer = TRUE;
		return TRUE;
	}
	if (info->clock > last->clock)
	{
		snprintf(result->clock, sizeof(result->clock), "newer");
		*newer = TRUE;
		return TRUE;
	}
	behind = last->clock - info->clock;
	if (!info->safe)
	{	/* after an unorderly shutdown the TPM may repeat clock values */
		snprintf(result->clock, sizeof(result->clock), "%" PRIu64 " ms "
				 "behind, but the clock is not safe (unorderly shutdown): "
				 "compared boot counters only, not recorded", behind);
		return TRUE;
	}
	if (behind > this->tolerance)
	{
		set(result, RATKN_EAR_CONTRAINDICATED, TV_CONTRAINDICATED, TV_NONE,
			TV_NONE, hardware);
		add_reason(result, "the quote's TPM clock is %" PRIu64 ".%03" PRIu64
				   " s behind the newest evidence of this AK in the same boot "
				   "(replayed evidence)", behind / 1000, behind % 1000);
		snprintf(result->clock, sizeof(result->clock), "replayed: %" PRIu64
				 " ms behind", behind);
		return FALSE;
	}
	snprintf(result->clock, sizeof(result->clock), "%" PRIu64 " ms behind, "
			 "within the tolerance: not recorded", behind);
	return TRUE;
}

/**
 * Check that the evidence's AK_PUBLIC has the TPM Name pinned for the
 * attester, if any. The SPKI the attester was found by does not cover the
 * AK's attributes and policy, the Name does.
 */
static bool check_name(verifier_attester_t *attester,
					   ratkn_evidence_t *evidence, verifier_result_t *result)
{
	chunk_t name = chunk_empty;
	bool match;

	if (!attester->ak_name.len)
	{	/* registered with its public key only: attributes unproven */
		return TRUE;
	}
	match = ratkn_ak_name(evidence->get_ak_public(evidence), &name) &&
			chunk_equals(name, attester->ak_name);
	if (!match)
	{
		DBG2(DBG_PTS, "appraisal: AK %s claims a public area with Name %+B, "
			 "its pinned Name is %+B", result->ak, &name,
			 &attester->ak_name);
		set(result, RATKN_EAR_CONTRAINDICATED, TV_UNRECOGNIZED_INSTANCE,
			TV_NONE, TV_NONE, TV_NONE);
		add_reason(result, "AK_PUBLIC does not match the %s (attributes or "
				   "policy differ)", attester->ek_cert.len ?
				   "enrolled AK's TPM Name" :
				   "TPM Name registered for this AK");
	}
	chunk_free(&name);
	return match;
}

/**
 * Appraise parsed evidence, fill in the result, set *newer if the evidence
 * is authentic and newer than the recorded one
 */
static void check(private_verifier_appraiser_t *this,
				  ratkn_evidence_t *evidence, verifier_result_t *result,
				  ratkn_clock_info_t *info, bool *newer)
{
	verifier_store_status_t status;
	verifier_attester_t *attester;
	ratkn_appraisal_status_t appraised;
	ratkn_appraisal_t *appraisal;
	ratkn_reference_t *ref;
	verifier_group_t group;
	chunk_t spki;
	char reason[256];
	int hardware;
	bool fresh;

	if (!ratkn_ak_spki_from_tpm(evidence->get_ak_public(evidence), &spki))
	{
		set(result, RATKN_EAR_CONTRAINDICATED, TV_UNRECOGNIZED_INSTANCE,
			TV_NONE, TV_NONE, TV_NONE);
		add_reason(result, "AK not enrolled: AK_PUBLIC is not a restricted "
				   "signing key");
		return;
	}
	if (!fingerprint(spki, result->ak))
	{
		chunk_free(&spki);
		set(result, RATKN_EAR_NONE, TV_MALFUNCTION, TV_NONE, TV_NONE,
			TV_NONE);
		add_reason(result, "verifier malfunction: hashing the AK failed");
		return;
	}
	chunk_free(&spki);

	status = this->store->get_attester(this->store, result->ak, &attester);
	if (status == VERIFIER_STORE_NOT_FOUND)
	{
		set(result, RATKN_EAR_CONTRAINDICATED, TV_UNRECOGNIZED_INSTANCE,
			TV_NONE, TV_NONE, TV_NONE);
		add_reason(result, "AK not enrolled");
		return;
	}
	if (status != VERIFIER_STORE_OK)
	{
		set(result, RATKN_EAR_NONE, TV_MALFUNCTION, TV_NONE, TV_NONE,
			TV_NONE);
		add_reason(result, "verifier malfunction: database error");
		return;
	}
	snprintf(result->group, sizeof(result->group), "%s", attester->group);
	hardware = attester->ek_cert.len ? TV_APPROVED : TV_NONE;
	if (!check_name(attester, evidence, result))
	{
		verifier_attester_destroy(attester);
		return;
	}

	/* authenticity and internal consistency: the quote's qualifyingData
	 * must be the binding of the claimed role, session and identity; an AK
	 * with a pinned Name is trusted by its Name only */
	appraisal = ratkn_appraisal_create();
	if (attester->ak_name.len)
	{
		appraisal->add_ak_name(appraisal, attester->ak_name);
	}
	else
	{
		appraisal->add_ak(appraisal, attester->ak_spki);
	}
	appraised = appraisal->appraise(appraisal, evidence,
							evidence->get_role(evidence),
							evidence->get_session_hash(evidence),
							evidence->get_identity_hash(evidence),
							reason, sizeof(reason));
	appraisal->destroy(appraisal);
	if (appraised == RATKN_APPRAISAL_OK &&
		!evidence->get_clock_info(evidence, info))
	{	/* cannot happen after the appraisal parsed the quote */
		appraised = RATKN_APPRAISAL_UNSUPPORTED;
		snprintf(reason, sizeof(reason), "the quote has no clock info");
	}
	if (appraised != RATKN_APPRAISAL_OK)
	{
		verifier_attester_destroy(attester);
		set(result, RATKN_EAR_CONTRAINDICATED,
			appraised == RATKN_APPRAISAL_UNSUPPORTED ? TV_UNEXPECTED_EVIDENCE
													 : TV_CRYPTO_FAILED,
			TV_NONE, TV_NONE, TV_NONE);
		add_reason(result, "%s", reason);
		return;
	}
	/* the clock info is authentic now: refuse replayed evidence */
	result->authentic = TRUE;
	fresh = check_clock(this, attester, info, hardware, result, newer);
	verifier_attester_destroy(attester);
	if (!fresh)
	{
		return;
	}

	status = this->store->get_group(this->store, result->group, &group);
	if (status == VERIFIER_STORE_OK)
	{
		status = this->store->get_reference(this->store, result->group, &ref);
	}
	if (status != VERIFIER_STORE_OK)
	{
		set(result, RATKN_EAR_NONE, status == VERIFIER_STORE_NOT_FOUND ?
			TV_APPROVED : TV_MALFUNCTION, TV_NONE, TV_NONE, hardware);
		add_reason(result, status == VERIFIER_STORE_NOT_FOUND ?
				   "group '%s' does not exist" :
				   "verifier malfunction: database error", result->group);
		return;
	}
	if (!ref)
	{
		set(result, RATKN_EAR_NONE, TV_APPROVED, TV_NONE, TV_NONE, hardware);
		add_reason(result, "group '%s' has no reference values",
				   result->group);
		return;
	}
	compare(ref, &group.warning, evidence->get_pcr_values(evidence),
			TV_APPROVED, hardware, result);
	ref->destroy(ref);
}

METHOD(verifier_appraiser_t, appraise, bool,
	private_verifier_appraiser_t *this, chunk_t data,
	verifier_result_t *result)
{
	ratkn_ear_claims_t claims;
	ratkn_evidence_t *evidence;
	ratkn_clock_info_t info = {};
	uint8_t binding[RATKN_HASH_LEN];
	char policy[VERIFIER_GROUP_MAX + 8];
	bool newer = FALSE;
	chunk_t challenge;
	time_t now, issued = 0;

	memset(result, 0, sizeof(*result));
	evidence = ratkn_evidence_parse(data);
	if (!evidence ||
		!ratkn_binding_compute(evidence->get_role(evidence),
							   evidence->get_session_hash(evidence),
							   evidence->get_identity_hash(evidence),
							   binding))
	{
		DESTROY_IF(evidence);
		result->malformed = TRUE;
		snprintf(result->reason, sizeof(result->reason),
				 "malformed evidence");
		return FALSE;
	}
	now = time(NULL);
	challenge = evidence->get_challenge(evidence);
	if (challenge.len)
	{	/* a challenge the verifier did not issue, or an expired one, would
		 * make old evidence look fresh: no EAR at all */
		if (this->challenge->verify(this->challenge, challenge, now, &issued,
						result->reason, sizeof(result->reason)) !=
			VERIFIER_CHALLENGE_OK)
		{
			evidence->destroy(evidence);
			result->refused = TRUE;
			return FALSE;
		}
		result->fresh_since = min(issued, now);
	}
	check(this, evidence, result, &info, &newer);
	if (!result->authentic)
	{	/* the quote is not proven to be made for the challenge */
		result->fresh_since = 0;
	}

	snprintf(policy, sizeof(policy), "ratkn/%s", result->group);
	claims = (ratkn_ear_claims_t){
		.status = result->status,
		.iat = now,
		.exp = now + this->lifetime,
		.nonce = chunk_from_thing(binding),
		/* the authentic quote was made for the challenge, so no earlier
		 * than that was issued */
		.fresh_since = result->fresh_since,
		.identity_hash = evidence->get_identity_hash(evidence),
		.verifier_developer = this->developer,
		.verifier_build = VERIFIER_BUILD,
		.policy_id = result->group[0] ? policy : NULL,
		.reason = result->reason[0] ? result->reason : NULL,
	};
	memcpy(claims.trust, result->trust, sizeof(claims.trust));
	result->ear = ratkn_ear_sign(&claims, this->key->get_private(this->key));
	if (result->ear && newer)
	{	/* only authentic evidence newer than all before changes the state,
		 * the store checks that again within its transaction */
		switch (this->store->record_attestation(this->store, result->ak, now,
							ratkn_ear_status_name(result->status), &info))
		{
			case VERIFIER_STORE_OK:
				result->recorded = TRUE;
				break;
			case VERIFIER_STORE_EXISTS:
				snprintf(result->clock, sizeof(result->clock), "newer "
						 "evidence was recorded meanwhile: not recorded");
				break;
			default:
				break;
		}
	}
	evidence->destroy(evidence);
	return result->ear != NULL;
}

METHOD(verifier_appraiser_t, destroy, void,
	private_verifier_appraiser_t *this)
{
	free(this->developer);
	free(this);
}

/*
 * Described in header
 */
verifier_appraiser_t *verifier_appraiser_create(verifier_store_t *store,
												verifier_key_t *key,
												verifier_challenge_t *challenge,
												u_int lifetime,
												u_int tolerance,
												char *developer)
{
	private_verifier_appraiser_t *this;

	INIT(this,
		.public = {
			.appraise = _appraise,
			.destroy = _destroy,
		},
		.store = store,
		.key = key,
		.challenge = challenge,
		.lifetime = lifetime,
		.tolerance = (uint64_t)tolerance * 1000,
		.developer = strdup(developer),
	);
	return &this->public;
}
