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

#include "ratkn_appraisal.h"
#include "ratkn_ak.h"
#include "ratkn_binding.h"

#include <tss2/tss2_mu.h>

#include <openssl/evp.h>

#include <collections/linked_list.h>
#include <threading/rwlock.h>

ENUM(ratkn_appraisal_status_names, RATKN_APPRAISAL_OK,
	 RATKN_APPRAISAL_STALE,
	"ok",
	"unsupported",
	"wrong-role",
	"untrusted-ak",
	"bad-signature",
	"not-a-quote",
	"session-mismatch",
	"identity-mismatch",
	"binding-mismatch",
	"pcr-digest-mismatch",
	"pcr-not-quoted",
	"pcr-mismatch",
	"share-not-certified",
	"stale-quote",
);

typedef struct private_ratkn_appraisal_t private_ratkn_appraisal_t;

/**
 * Private data of a ratkn_appraisal_t object.
 */
struct private_ratkn_appraisal_t {

	/**
	 * Public interface.
	 */
	ratkn_appraisal_t public;

	/**
	 * Trusted AKs, as SHA-256 fingerprints of their SPKI (chunk_t*)
	 */
	linked_list_t *aks;

	/**
	 * Trusted AKs, as TPM Names (chunk_t*)
	 */
	linked_list_t *names;

	/**
	 * Reference values, NULL if none
	 */
	ratkn_reference_t *reference;

	/**
	 * Protects the policy (set up once, then only read)
	 */
	rwlock_t *lock;

	/**
	 * Reference count
	 */
	refcount_t ref;
};

/**
 * SHA-256 of data
 */
static bool sha256(chunk_t data, uint8_t hash[RATKN_HASH_LEN])
{
	u_int len = RATKN_HASH_LEN;

	return EVP_Digest(data.ptr, data.len, hash, &len, EVP_sha256(),
					  NULL) == 1;
}

METHOD(ratkn_appraisal_t, add_ak, void,
	private_ratkn_appraisal_t *this, chunk_t spki)
{
	uint8_t hash[RATKN_HASH_LEN];
	chunk_t *fingerprint;

	if (!sha256(spki, hash))
	{
		DBG1(DBG_PTS, "ratkn: hashing the AK failed, not trusted");
		return;
	}
	INIT(fingerprint);
	*fingerprint = chunk_clone(chunk_from_thing(hash));
	this->lock->write_lock(this->lock);
	this->aks->insert_last(this->aks, fingerprint);
	this->lock->unlock(this->lock);
	DBG2(DBG_PTS, "ratkn: trusting AK %+B (SHA-256 of SPKI)", fingerprint);
}

METHOD(ratkn_appraisal_t, add_ak_name, void,
	private_ratkn_appraisal_t *this, chunk_t name)
{
	chunk_t *copy;

	INIT(copy);
	*copy = chunk_clone(name);
	this->lock->write_lock(this->lock);
	this->names->insert_last(this->names, copy);
	this->lock->unlock(this->lock);
	DBG2(DBG_PTS, "ratkn: trusting AK with Name %+B", copy);
}

METHOD(ratkn_appraisal_t, has_reference, bool,
	private_ratkn_appraisal_t *this)
{
	bool has;

	this->lock->read_lock(this->lock);
	has = this->reference != NULL;
	this->lock->unlock(this->lock);
	return has;
}

METHOD(ratkn_appraisal_t, set_reference, void,
	private_ratkn_appraisal_t *this, ratkn_reference_t *ref)
{
	ratkn_reference_t *old;

	this->lock->write_lock(this->lock);
	old = this->reference;
	this->reference = ref;
	this->lock->unlock(this->lock);
	DESTROY_IF(old);
}

/**
 * Check whether an AK (its fingerprint) is trusted
 */
static bool in_list(linked_list_t *list, chunk_t value)
{
	enumerator_t *enumerator;
	chunk_t *trusted;
	bool found = FALSE;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &trusted))
	{
		if (chunk_equals(*trusted, value))
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Check whether an AK is trusted, by its SPKI fingerprint or its Name
 */
static bool is_trusted(private_ratkn_appraisal_t *this, chunk_t fingerprint,
					   chunk_t ak_public)
{
	chunk_t name;
	bool found;

	if (in_list(this->aks, fingerprint))
	{
		return TRUE;
	}
	if (!this->names->get_count(this->names) ||
		!ratkn_ak_name(ak_public, &name))
	{
		return FALSE;
	}
	found = in_list(this->names, name);
	chunk_free(&name);
	return found;
}

/**
 * Convert the quote's TPML_PCR_SELECTION; banks without PCRs are ignored (they
 * do not contribute to the digest)
 */
static bool selection_from_tpml(TPML_PCR_SELECTION *tpml,
								ratkn_pcr_selection_t *sel)
{
	TPMS_PCR_SELECTION *bank;
	uint32_t mask;
	int i, j;

	memset(sel, 0, sizeof(*sel));
	for (i = 0; i < tpml->count; i++)
	{
		bank = &tpml->pcrSelections[i];
		mask = 0;
		for (j = 0; j < bank->sizeofSelect; j++)
		{
			if (j >= 3)
			{
				if (bank->pcrSelect[j])
				{	/* PCRs beyond RATKN_PCR_COUNT */
					return FALSE;
				}
				continue;
			}
			mask |= bank->pcrSelect[j] << (8 * j);
		}
		if (!mask)
		{
			continue;
		}
		for (j = 0; j < sel->count; j++)
		{
			if (sel->banks[j].alg == bank->hash)
			{	/* a bank twice */
				return FALSE;
			}
		}
		if (sel->count == RATKN_PCR_MAX_BANKS ||
			!ratkn_pcr_alg_digest_len(bank->hash))
		{
			return FALSE;
		}
		sel->banks[sel->count].alg = bank->hash;
		sel->banks[sel->count].mask = mask;
		sel->count++;
	}
	return TRUE;
}

/**
 * Hash the PCR values in the order of the selection (as the TPM computes
 * pcrDigest); all values must be covered
 */
static bool pcr_digest(ratkn_pcr_selection_t *sel, ratkn_pcr_values_t *values,
					   uint8_t hash[RATKN_HASH_LEN])
{
	EVP_MD_CTX *ctx;
	chunk_t value;
	u_int len = RATKN_HASH_LEN, pcr, count = 0;
	bool ok;
	int b;

	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (b = 0; ok && b < sel->count; b++)
	{
		for (pcr = 0; ok && pcr < RATKN_PCR_COUNT; pcr++)
		{
			if (sel->banks[b].mask & (1 << pcr))
			{
				ok = values->get(values, sel->banks[b].alg, pcr, &value) &&
					 EVP_DigestUpdate(ctx, value.ptr, value.len) == 1;
				count++;
			}
		}
	}
	ok = ok && count == values->get_count(values) &&
		 EVP_DigestFinal_ex(ctx, hash, &len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/**
 * Check the PCR values against the reference values
 */
static ratkn_appraisal_status_t check_reference(ratkn_reference_t *reference,
							ratkn_pcr_values_t *values, char *reason,
							size_t len)
{
	ratkn_pcr_selection_t ref;
	chunk_t value;
	u_int pcr;
	int b;

	reference->get_selection(reference, &ref);
	for (b = 0; b < ref.count; b++)
	{
		for (pcr = 0; pcr < RATKN_PCR_COUNT; pcr++)
		{
			if ((ref.banks[b].mask & (1 << pcr)) &&
				!values->get(values, ref.banks[b].alg, pcr, &value))
			{
				snprintf(reason, len, "PCR %s:%u not quoted",
						 ratkn_pcr_alg_name(ref.banks[b].alg), pcr);
				return RATKN_APPRAISAL_PCR_NOT_QUOTED;
			}
		}
	}
	for (b = 0; b < ref.count; b++)
	{
		for (pcr = 0; pcr < RATKN_PCR_COUNT; pcr++)
		{
			if ((ref.banks[b].mask & (1 << pcr)) &&
				values->get(values, ref.banks[b].alg, pcr, &value) &&
				!reference->matches(reference, ref.banks[b].alg, pcr, value))
			{
				snprintf(reason, len, "PCR %s:%u has unexpected value %+B",
						 ratkn_pcr_alg_name(ref.banks[b].alg), pcr, &value);
				return RATKN_APPRAISAL_PCR_MISMATCH;
			}
		}
	}
	return RATKN_APPRAISAL_OK;
}

/**
 * Check the binding (step 6), with the claims authenticated by the quote
 */
static ratkn_appraisal_status_t check_binding(ratkn_evidence_t *evidence,
							ratkn_ike_role_t role, chunk_t extra,
							chunk_t session_hash, chunk_t identity_hash,
							char *reason, size_t len)
{
	uint8_t claimed[RATKN_HASH_LEN], expected[RATKN_HASH_LEN];
	bool session_ok, identity_ok;
	chunk_t claimed_session, claimed_identity, challenge;

	claimed_session = evidence->get_session_hash(evidence);
	claimed_identity = evidence->get_identity_hash(evidence);
	challenge = evidence->get_challenge(evidence);
	if (!ratkn_binding_compute(role, claimed_session, claimed_identity,
							   claimed) ||
		!ratkn_binding_compute(role, session_hash, identity_hash, expected) ||
		(challenge.len &&
		 (!ratkn_binding_challenged(claimed, challenge, claimed) ||
		  !ratkn_binding_challenged(expected, challenge, expected))))
	{
		snprintf(reason, len, "computing the binding failed");
		return RATKN_APPRAISAL_BINDING_MISMATCH;
	}
	if (!chunk_equals_const(extra, chunk_from_thing(claimed)))
	{
		snprintf(reason, len, "binding mismatch: the quote's qualifying data "
				 "is not the binding of the claimed session and identity%s",
				 challenge.len ? " with the claimed challenge" : "");
		return RATKN_APPRAISAL_BINDING_MISMATCH;
	}
	/* the claims are authenticated now, tell which one differs */
	session_ok = chunk_equals_const(claimed_session, session_hash);
	identity_ok = chunk_equals_const(claimed_identity, identity_hash);
	if (!session_ok)
	{
		snprintf(reason, len, "evidence bound to another IKE session%s",
				 identity_ok ? "" : " and another identity");
		return RATKN_APPRAISAL_SESSION_MISMATCH;
	}
	if (!identity_ok)
	{
		snprintf(reason, len, "evidence bound to another identity");
		return RATKN_APPRAISAL_IDENTITY_MISMATCH;
	}
	if (!chunk_equals_const(extra, chunk_from_thing(expected)))
	{	/* not reached, the claims equal the recomputed values */
		snprintf(reason, len, "binding mismatch");
		return RATKN_APPRAISAL_BINDING_MISMATCH;
	}
	return RATKN_APPRAISAL_OK;
}

/**
 * Appraise with the lock held
 */
static ratkn_appraisal_status_t appraise_locked(
							private_ratkn_appraisal_t *this,
							ratkn_evidence_t *evidence, ratkn_ike_role_t role,
							chunk_t session_hash, chunk_t identity_hash,
							char *reason, size_t len)
{
	ratkn_appraisal_status_t status;
	ratkn_pcr_selection_t quoted, selection;
	ratkn_pcr_values_t *values;
	TPMS_ATTEST attest = {};
	uint8_t fingerprint[RATKN_HASH_LEN], digest[RATKN_HASH_LEN];
	chunk_t spki, quote, extra, name, fp = chunk_from_thing(fingerprint);
	char buf1[128], buf2[128];
	size_t offset = 0;
	TSS2_RC rc;

	/* 1. format (well-formedness is checked when parsing) */
	if (!evidence)
	{
		snprintf(reason, len, "no evidence");
		return RATKN_APPRAISAL_UNSUPPORTED;
	}
	if (evidence->get_format(evidence) != RATKN_FORMAT_TPM2_QUOTE)
	{
		snprintf(reason, len, "evidence format %d not supported",
				 evidence->get_format(evidence));
		return RATKN_APPRAISAL_UNSUPPORTED;
	}

	/* 2. role */
	if (evidence->get_role(evidence) != role)
	{
		snprintf(reason, len, "evidence from wrong role (reflection): made as "
				 "IKE %N, but the attester is the IKE %N",
				 ratkn_ike_role_names, evidence->get_role(evidence),
				 ratkn_ike_role_names, role);
		return RATKN_APPRAISAL_WRONG_ROLE;
	}

	/* 3. trusted AK */
	if (!ratkn_ak_spki_from_tpm(evidence->get_ak_public(evidence), &spki))
	{
		snprintf(reason, len, "untrusted AK: AK_PUBLIC is not a restricted "
				 "ECC or RSA signing key");
		return RATKN_APPRAISAL_UNTRUSTED_AK;
	}
	if (!sha256(spki, fingerprint))
	{
		chunk_free(&spki);
		snprintf(reason, len, "untrusted AK: hashing it failed");
		return RATKN_APPRAISAL_UNTRUSTED_AK;
	}
	if (!is_trusted(this, chunk_from_thing(fingerprint),
					evidence->get_ak_public(evidence)))
	{
		chunk_free(&spki);
		if (ratkn_ak_name(evidence->get_ak_public(evidence), &name))
		{
			snprintf(reason, len, "untrusted AK %+B (SHA-256 of SPKI), Name "
					 "%+B", &fp, &name);
			chunk_free(&name);
		}
		else
		{
			snprintf(reason, len, "untrusted AK %+B (SHA-256 of SPKI)", &fp);
		}
		return RATKN_APPRAISAL_UNTRUSTED_AK;
	}

	/* 4. signature */
	quote = evidence->get_quote(evidence);
	if (!ratkn_ak_verify(spki, quote, evidence->get_signature(evidence)))
	{
		chunk_free(&spki);
		snprintf(reason, len, "bad quote signature (AK %+B)",
				 &fp);
		return RATKN_APPRAISAL_BAD_SIGNATURE;
	}
	chunk_free(&spki);

	/* 5. a TPM-generated quote */
	rc = quote.len ? Tss2_MU_TPMS_ATTEST_Unmarshal(quote.ptr, quote.len,
												  &offset, &attest)
				   : TSS2_MU_RC_INSUFFICIENT_BUFFER;
	if (rc != TSS2_RC_SUCCESS || offset != quote.len)
	{
		snprintf(reason, len, "not a TPM quote: QUOTE is not a valid "
				 "TPMS_ATTEST");
		return RATKN_APPRAISAL_NOT_A_QUOTE;
	}
	if (attest.magic != TPM2_GENERATED_VALUE)
	{
		snprintf(reason, len, "not a TPM quote: magic 0x%08x is not "
				 "TPM_GENERATED_VALUE", attest.magic);
		return RATKN_APPRAISAL_NOT_A_QUOTE;
	}
	if (attest.type != TPM2_ST_ATTEST_QUOTE)
	{
		snprintf(reason, len, "not a TPM quote: attestation type 0x%04x",
				 attest.type);
		return RATKN_APPRAISAL_NOT_A_QUOTE;
	}

	/* 6. binding */
	extra = chunk_create(attest.extraData.buffer, attest.extraData.size);
	status = check_binding(evidence, role, extra, session_hash, identity_hash,
						   reason, len);
	if (status != RATKN_APPRAISAL_OK)
	{
		return status;
	}

	/* 7. PCR selection and digest */
	values = evidence->get_pcr_values(evidence);
	values->get_selection(values, &selection);
	if (!selection_from_tpml(&attest.attested.quote.pcrSelect, &quoted))
	{
		snprintf(reason, len, "PCR digest mismatch: unsupported PCR "
				 "selection in the quote");
		return RATKN_APPRAISAL_PCR_DIGEST_MISMATCH;
	}
	if (!ratkn_pcr_selection_equals(&quoted, &selection))
	{
		snprintf(reason, len, "PCR digest mismatch: quoted PCRs '%s' but "
				 "values for '%s'",
				 ratkn_pcr_selection_to_str(&quoted, buf1, sizeof(buf1)),
				 ratkn_pcr_selection_to_str(&selection, buf2, sizeof(buf2)));
		return RATKN_APPRAISAL_PCR_DIGEST_MISMATCH;
	}
	if (!pcr_digest(&quoted, values, digest) ||
		!chunk_equals(chunk_from_thing(digest),
					  chunk_create(attest.attested.quote.pcrDigest.buffer,
								   attest.attested.quote.pcrDigest.size)))
	{
		snprintf(reason, len, "PCR digest mismatch: PCR values do not hash to "
				 "the quote's PCR digest");
		return RATKN_APPRAISAL_PCR_DIGEST_MISMATCH;
	}

	/* 8. reference values */
	if (this->reference)
	{
		status = check_reference(this->reference, values, reason, len);
		if (status != RATKN_APPRAISAL_OK)
		{
			return status;
		}
	}
	DBG2(DBG_PTS, "ratkn: evidence with AK %+B, PCRs %s appraised "
		 "successfully%s", &fp,
		 ratkn_pcr_selection_to_str(&quoted, buf1, sizeof(buf1)),
		 this->reference ? "" : " (no reference values)");
	return RATKN_APPRAISAL_OK;
}

METHOD(ratkn_appraisal_t, appraise, ratkn_appraisal_status_t,
	private_ratkn_appraisal_t *this, ratkn_evidence_t *evidence,
	ratkn_ike_role_t role, chunk_t session_hash, chunk_t identity_hash,
	char *reason, size_t len)
{
	ratkn_appraisal_status_t status;

	if (len)
	{
		reason[0] = '\0';
	}
	this->lock->read_lock(this->lock);
	status = appraise_locked(this, evidence, role, session_hash, identity_hash,
							 reason, len);
	this->lock->unlock(this->lock);
	return status;
}

METHOD(ratkn_appraisal_t, get_ref, ratkn_appraisal_t*,
	private_ratkn_appraisal_t *this)
{
	ref_get(&this->ref);
	return &this->public;
}

CALLBACK(destroy_fingerprint, void,
	chunk_t *fingerprint)
{
	chunk_free(fingerprint);
	free(fingerprint);
}

METHOD(ratkn_appraisal_t, destroy, void,
	private_ratkn_appraisal_t *this)
{
	if (ref_put(&this->ref))
	{
		this->aks->destroy_function(this->aks, destroy_fingerprint);
		this->names->destroy_function(this->names, destroy_fingerprint);
		DESTROY_IF(this->reference);
		this->lock->destroy(this->lock);
		free(this);
	}
}

/*
 * Described in header
 */
ratkn_appraisal_t *ratkn_appraisal_create()
{
	private_ratkn_appraisal_t *this;

	INIT(this,
		.public = {
			.add_ak = _add_ak,
			.add_ak_name = _add_ak_name,
			.has_reference = _has_reference,
			.set_reference = _set_reference,
			.appraise = _appraise,
			.get_ref = _get_ref,
			.destroy = _destroy,
		},
		.aks = linked_list_create(),
		.names = linked_list_create(),
		.lock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.ref = 1,
	);
	return &this->public;
}
