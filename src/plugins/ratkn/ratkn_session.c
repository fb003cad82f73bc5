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

#include "ratkn_session.h"
#include "ratkn_kex.h"
#include "ratkn_keysched.h"
#include "ratkn_binding.h"
#include "ratkn_tpm_kex.h"
#include "ratkn_share.h"

#include <openssl/rand.h>

ENUM(ratkn_session_state_names, RATKN_SESSION_IDLE, RATKN_SESSION_MALFORMED,
	"idle",
	"offered",
	"negotiated",
	"no-common-group",
	"malformed",
);

/**
 * Evidence formats this implementation produces and appraises
 */
static ratkn_format_t formats[] = { RATKN_FORMAT_TPM2_QUOTE };

typedef struct private_ratkn_session_t private_ratkn_session_t;

/**
 * Private data of a ratkn_session_t object.
 */
struct private_ratkn_session_t {

	/**
	 * Public interface.
	 */
	ratkn_session_t public;

	/**
	 * Our IKE role
	 */
	ratkn_ike_role_t role;

	/**
	 * Negotiation state
	 */
	ratkn_session_state_t state;

	/**
	 * Reason for MALFORMED/NO_GROUP
	 */
	char reason[128];

	/**
	 * Our RATKN_NEGOTIATE
	 */
	ratkn_negotiate_t *mine;

	/**
	 * Peer's RATKN_NEGOTIATE
	 */
	ratkn_negotiate_t *peer;

	/**
	 * Our ECDHE key pair
	 */
	ratkn_kex_t *kex;

	/**
	 * TPM to create a TPM-resident share in, if configured
	 */
	ratkn_tpm_t *share_tpm;

	/**
	 * Our ECDHE key pair if it is TPM-resident (same object as kex)
	 */
	ratkn_tpm_kex_t *tpm_kex;

	/**
	 * Whether our share is TPM-resident (stays set after clear_sk())
	 */
	bool tpm_share;

	/**
	 * IKE_SA_INIT request and response as on the wire
	 */
	chunk_t init_i, init_r;

	/**
	 * IKE_INTERMEDIATE requests and responses, plaintext encoding, by
	 * exchange
	 */
	chunk_t int_i[RATKN_BINDING_MAX_INTERMEDIATE];
	chunk_t int_r[RATKN_BINDING_MAX_INTERMEDIATE];

	/**
	 * IKE nonces
	 */
	chunk_t ni, nr;

	/**
	 * Derived SK
	 */
	chunk_t sk;
};

METHOD(ratkn_session_t, get_ike_role, ratkn_ike_role_t,
	private_ratkn_session_t *this)
{
	return this->role;
}

/**
 * Create our RATKN_NEGOTIATE with a fresh key pair and, with VERIFY, a nonce
 */
static bool build_mine(private_ratkn_session_t *this, uint8_t flags,
					   uint16_t group, ratkn_model_t *models, int model_count)
{
	uint8_t nonce[RATKN_NONCE_LEN];
	chunk_t share = chunk_empty;
	int count = 0;

	if (group && this->share_tpm)
	{
		this->tpm_kex = ratkn_tpm_kex_create(this->share_tpm, group);
		if (!this->tpm_kex)
		{
			DBG1(DBG_IKE, "ratkn: creating the TPM-resident ECDHE share "
				 "failed");
			return FALSE;
		}
		this->kex = &this->tpm_kex->kex;
		this->tpm_share = TRUE;
		share = this->kex->get_public(this->kex);
	}
	else if (group)
	{
		this->kex = ratkn_kex_create(group);
		if (!this->kex)
		{
			return FALSE;
		}
		share = this->kex->get_public(this->kex);
	}
	if ((flags & RATKN_FLAG_VERIFY) &&
		RAND_bytes(nonce, sizeof(nonce)) != 1)
	{
		DBG1(DBG_IKE, "ratkn: generating nonce failed");
		return FALSE;
	}
	if (flags & (RATKN_FLAG_ATTEST | RATKN_FLAG_VERIFY))
	{
		count = countof(formats);
	}
	this->mine = ratkn_negotiate_create(flags, group, share,
						(flags & RATKN_FLAG_VERIFY) ? chunk_from_thing(nonce)
													: chunk_empty,
						formats, count, models, model_count);
	return this->mine != NULL;
}

METHOD(ratkn_session_t, offer, chunk_t,
	private_ratkn_session_t *this, uint8_t flags, uint16_t group,
	ratkn_model_t *models, int count)
{
	if (this->role != RATKN_IKE_INITIATOR ||
		this->state == RATKN_SESSION_MALFORMED)
	{
		return chunk_empty;
	}
	if (!this->mine)
	{
		if (!ratkn_kex_supported(group))
		{
			return chunk_empty;
		}
		if (!build_mine(this, flags, group, models, count))
		{
			DESTROY_IF(this->kex);
			this->kex = NULL;
			this->tpm_kex = NULL;
			this->tpm_share = FALSE;
			this->state = RATKN_SESSION_MALFORMED;
			snprintf(this->reason, sizeof(this->reason), "creating our %s"
					 "ECDHE share failed", this->share_tpm ?
					 "TPM-resident " : "");
			return chunk_empty;
		}
		this->state = RATKN_SESSION_OFFERED;
	}
	return this->mine->get_encoding(this->mine);
}

METHOD(ratkn_session_t, answer, chunk_t,
	private_ratkn_session_t *this, chunk_t data, bool can_attest,
	ratkn_model_t *models, int count)
{
	uint8_t flags = 0, peer_flags;
	uint16_t group;

	if (this->role != RATKN_IKE_RESPONDER)
	{
		return chunk_empty;
	}
	if (this->mine)
	{	/* retransmitted or retried request, answer the same */
		return this->mine->get_encoding(this->mine);
	}
	this->peer = ratkn_negotiate_parse(data, this->reason,
									   sizeof(this->reason));
	if (!this->peer)
	{
		this->state = RATKN_SESSION_MALFORMED;
		return chunk_empty;
	}
	peer_flags = this->peer->get_flags(this->peer);
	if ((peer_flags & RATKN_FLAG_VERIFY) && can_attest &&
		this->peer->has_format(this->peer, RATKN_FORMAT_TPM2_QUOTE))
	{
		flags |= RATKN_FLAG_ATTEST;
	}
	if ((peer_flags & RATKN_FLAG_ATTEST) &&
		this->peer->has_format(this->peer, RATKN_FORMAT_TPM2_QUOTE))
	{
		flags |= RATKN_FLAG_VERIFY;
	}
	group = this->peer->get_group(this->peer);
	if (!ratkn_kex_supported(group))
	{
		snprintf(this->reason, sizeof(this->reason),
				 "peer proposed unsupported group %u", group);
		group = 0;
	}
	if (!build_mine(this, flags, group, models, count))
	{
		this->state = RATKN_SESSION_MALFORMED;
		snprintf(this->reason, sizeof(this->reason),
				 "building our answer failed");
		return chunk_empty;
	}
	this->state = group ? RATKN_SESSION_NEGOTIATED : RATKN_SESSION_NO_GROUP;
	return this->mine->get_encoding(this->mine);
}

METHOD(ratkn_session_t, process_answer, ratkn_session_state_t,
	private_ratkn_session_t *this, chunk_t data)
{
	ratkn_negotiate_t *peer;
	uint16_t group;

	if (this->role != RATKN_IKE_INITIATOR || !this->mine)
	{
		return this->state;
	}
	peer = ratkn_negotiate_parse(data, this->reason, sizeof(this->reason));
	if (!peer)
	{
		this->state = RATKN_SESSION_MALFORMED;
		return this->state;
	}
	DESTROY_IF(this->peer);
	this->peer = peer;
	if (peer->get_version(peer) > RATKN_VERSION)
	{
		snprintf(this->reason, sizeof(this->reason),
				 "responder answered with version %u to version %u",
				 peer->get_version(peer), RATKN_VERSION);
		this->state = RATKN_SESSION_MALFORMED;
		return this->state;
	}
	group = peer->get_group(peer);
	if (group == 0)
	{
		snprintf(this->reason, sizeof(this->reason),
				 "peer does not support group %s",
				 ratkn_kex_group_name(this->mine->get_group(this->mine)));
		this->state = RATKN_SESSION_NO_GROUP;
		return this->state;
	}
	if (group != this->mine->get_group(this->mine))
	{
		snprintf(this->reason, sizeof(this->reason),
				 "peer answered with group %u instead of %u", group,
				 this->mine->get_group(this->mine));
		this->state = RATKN_SESSION_MALFORMED;
		return this->state;
	}
	this->state = RATKN_SESSION_NEGOTIATED;
	return this->state;
}

METHOD(ratkn_session_t, get_state, ratkn_session_state_t,
	private_ratkn_session_t *this)
{
	return this->state;
}

METHOD(ratkn_session_t, get_reason, char*,
	private_ratkn_session_t *this)
{
	return this->reason;
}

METHOD(ratkn_session_t, get_my_flags, uint8_t,
	private_ratkn_session_t *this)
{
	return this->mine ? this->mine->get_flags(this->mine) : 0;
}

METHOD(ratkn_session_t, get_peer_flags, uint8_t,
	private_ratkn_session_t *this)
{
	return this->peer ? this->peer->get_flags(this->peer) : 0;
}

METHOD(ratkn_session_t, get_model, ratkn_model_t,
	private_ratkn_session_t *this, bool peer_attests)
{
	ratkn_model_t rp[RATKN_MAX_MODELS], attester[RATKN_MAX_MODELS];
	int rp_count, attester_count, i, j;

	if (!this->mine || !this->peer)
	{
		return 0;
	}
	if (peer_attests)
	{
		rp_count = this->mine->get_models(this->mine, rp);
		attester_count = this->peer->get_models(this->peer, attester);
	}
	else
	{
		rp_count = this->peer->get_models(this->peer, rp);
		attester_count = this->mine->get_models(this->mine, attester);
	}
	for (i = 0; i < rp_count; i++)
	{
		for (j = 0; j < attester_count; j++)
		{
			if (rp[i] == attester[j])
			{
				return rp[i];
			}
		}
	}
	return 0;
}

METHOD(ratkn_session_t, get_group, uint16_t,
	private_ratkn_session_t *this)
{
	if (this->state != RATKN_SESSION_NEGOTIATED)
	{
		return 0;
	}
	return this->mine->get_group(this->mine);
}

/**
 * Replace a recorded chunk if a new value is given
 */
static void replace(chunk_t *field, chunk_t value)
{
	if (value.len)
	{
		chunk_free(field);
		*field = chunk_clone(value);
	}
}

METHOD(ratkn_session_t, set_ike_sa_init, void,
	private_ratkn_session_t *this, chunk_t request, chunk_t response,
	chunk_t ni, chunk_t nr)
{
	replace(&this->init_i, request);
	replace(&this->init_r, response);
	replace(&this->ni, ni);
	replace(&this->nr, nr);
}

METHOD(ratkn_session_t, set_intermediate, bool,
	private_ratkn_session_t *this, u_int exchange, bool request,
	chunk_t plain)
{
	if (exchange >= RATKN_BINDING_MAX_INTERMEDIATE || !plain.len)
	{
		return FALSE;
	}
	replace(request ? &this->int_i[exchange] : &this->int_r[exchange],
			plain);
	return TRUE;
}

METHOD(ratkn_session_t, get_intermediate_count, u_int,
	private_ratkn_session_t *this)
{
	u_int count = 0;

	while (count < RATKN_BINDING_MAX_INTERMEDIATE &&
		   (this->int_i[count].len || this->int_r[count].len))
	{
		count++;
	}
	return count;
}

METHOD(ratkn_session_t, get_sk, bool,
	private_ratkn_session_t *this, chunk_t spi_i, chunk_t spi_r, chunk_t *sk)
{
	chunk_t z, share_i, share_r;
	bool ok;

	if (this->sk.ptr)
	{
		*sk = this->sk;
		return TRUE;
	}
	if (this->state != RATKN_SESSION_NEGOTIATED || !this->kex ||
		!this->ni.len || !this->nr.len)
	{
		return FALSE;
	}
	if (!this->kex->compute(this->kex, this->peer->get_share(this->peer), &z))
	{
		return FALSE;
	}
	share_i = this->mine->get_share(this->mine);
	share_r = this->peer->get_share(this->peer);
	if (this->role == RATKN_IKE_RESPONDER)
	{
		share_i = this->peer->get_share(this->peer);
		share_r = this->mine->get_share(this->mine);
	}
	ok = ratkn_keysched_derive(z, this->ni, this->nr, spi_i, spi_r,
							   share_i, share_r, &this->sk);
	chunk_clear(&z);
	if (ok)
	{
		*sk = this->sk;
	}
	return ok;
}

METHOD(ratkn_session_t, clear_sk, void,
	private_ratkn_session_t *this)
{
	chunk_clear(&this->sk);
	DESTROY_IF(this->kex);
	this->kex = NULL;
	this->tpm_kex = NULL;
}

METHOD(ratkn_session_t, get_session_hash, bool,
	private_ratkn_session_t *this, uint8_t hash[RATKN_HASH_LEN])
{
	chunk_t messages[2 + 2 * RATKN_BINDING_MAX_INTERMEDIATE], log;
	u_int i, count;

	if (!this->init_i.len || !this->init_r.len)
	{
		return FALSE;
	}
	messages[0] = this->init_i;
	messages[1] = this->init_r;
	count = get_intermediate_count(this);
	for (i = 0; i < count; i++)
	{	/* an exchange seen only half is no transcript to bind */
		if (!this->int_i[i].len || !this->int_r[i].len)
		{
			DBG1(DBG_IKE, "ratkn: IKE_INTERMEDIATE exchange %u was not "
				 "recorded completely, no binding", i + 1);
			return FALSE;
		}
		messages[2 + 2 * i] = this->int_i[i];
		messages[3 + 2 * i] = this->int_r[i];
	}
	/* public octets only (IKE_SA_INIT as on the wire, IKE_INTERMEDIATE in
	 * the plaintext encoding both peers compute): test vectors, debugging */
	for (i = 0; i < 2 + 2 * count; i++)
	{
		DBG3(DBG_IKE, "ratkn: transcript message %u (%s %s) %B", i + 1,
			 i < 2 ? "IKE_SA_INIT" : "IKE_INTERMEDIATE",
			 i % 2 ? "response" : "request", &messages[i]);
	}
	if (!ratkn_binding_transcript_hash(messages, 2 + 2 * count, hash))
	{
		return FALSE;
	}
	log = chunk_create(hash, RATKN_HASH_LEN);
	DBG2(DBG_IKE, "ratkn: session hash over IKE_SA_INIT and %u "
		 "IKE_INTERMEDIATE exchange%s: %#B", count, count == 1 ? "" : "s",
		 &log);
	return TRUE;
}

METHOD(ratkn_session_t, get_peer_binding, bool,
	private_ratkn_session_t *this, chunk_t identity,
	uint8_t binding[RATKN_HASH_LEN], uint8_t id_hash[RATKN_HASH_LEN])
{
	uint8_t session[RATKN_HASH_LEN];

	return get_session_hash(this, session) &&
		   ratkn_binding_identity_hash(identity, id_hash) &&
		   ratkn_binding_compute(this->role == RATKN_IKE_INITIATOR ?
								 RATKN_IKE_RESPONDER : RATKN_IKE_INITIATOR,
								 chunk_from_thing(session),
								 chunk_create(id_hash, RATKN_HASH_LEN),
								 binding);
}

METHOD(ratkn_session_t, wrap_release, char*,
	private_ratkn_session_t *this, ratkn_jwe_claims_t *claims,
	chunk_t identity)
{
	uint8_t binding[RATKN_HASH_LEN], id_hash[RATKN_HASH_LEN];

	if (this->state != RATKN_SESSION_NEGOTIATED ||
		!get_peer_binding(this, identity, binding, id_hash))
	{
		DBG1(DBG_IKE, "ratkn: no binding to wrap a key release to");
		return NULL;
	}
	return ratkn_jwe_wrap(claims, this->peer->get_group(this->peer),
						  this->peer->get_share(this->peer),
						  chunk_from_thing(binding));
}

METHOD(ratkn_session_t, unwrap_release, ratkn_jwe_key_t*,
	private_ratkn_session_t *this, char *token, chunk_t identity, time_t now,
	char *reason, size_t len)
{
	uint8_t session[RATKN_HASH_LEN], id[RATKN_HASH_LEN], binding[RATKN_HASH_LEN];

	if (this->state != RATKN_SESSION_NEGOTIATED || !this->kex)
	{
		snprintf(reason, len, "our ECDHE key is gone");
		return NULL;
	}
	if (!get_session_hash(this, session) ||
		!ratkn_binding_identity_hash(identity, id) ||
		!ratkn_binding_compute(this->role, chunk_from_thing(session),
							   chunk_from_thing(id), binding))
	{
		snprintf(reason, len, "computing the binding failed");
		return NULL;
	}
	return this->kex->unwrap(this->kex, token, chunk_from_thing(binding), now,
							 reason, len);
}

METHOD(ratkn_session_t, attest, ratkn_evidence_t*,
	private_ratkn_session_t *this, ratkn_tpm_t *tpm, chunk_t identity,
	ratkn_pcr_selection_t *pcrs, chunk_t challenge)
{
	uint8_t session[RATKN_HASH_LEN], id[RATKN_HASH_LEN], binding[RATKN_HASH_LEN];
	uint8_t qualifying[RATKN_HASH_LEN];
	chunk_t quote, signature, ak_public;
	chunk_t certify = chunk_empty, certify_sig = chunk_empty;
	chunk_t share_public = chunk_empty, id_log, binding_log;
	ratkn_pcr_values_t *values;
	ratkn_evidence_t *evidence;

	if (!get_session_hash(this, session) ||
		!ratkn_binding_identity_hash(identity, id) ||
		!ratkn_binding_compute(this->role, chunk_from_thing(session),
							   chunk_from_thing(id), binding))
	{
		DBG1(DBG_IKE, "ratkn: computing the binding failed");
		return NULL;
	}
	id_log = chunk_from_thing(id);
	binding_log = chunk_from_thing(binding);
	DBG2(DBG_IKE, "ratkn: identity hash %#B, binding (role %d) %#B",
		 &id_log, this->role, &binding_log);
	memcpy(qualifying, binding, sizeof(binding));
	if (challenge.len &&
		!ratkn_binding_challenged(binding, challenge, qualifying))
	{
		DBG1(DBG_IKE, "ratkn: the verifier's challenge has an invalid length "
			 "(%zu octets)", challenge.len);
		return NULL;
	}
	/* quote first: it notices if the AK was replaced since it was loaded */
	if (!tpm->quote(tpm, pcrs, chunk_from_thing(qualifying), &quote,
					&signature, &values))
	{
		return NULL;
	}
	if (!tpm->get_ak_public(tpm, &ak_public))
	{
		chunk_free(&quote);
		chunk_free(&signature);
		values->destroy(values);
		return NULL;
	}
	if (this->tpm_kex)
	{	/* certified after the quote, by the AK that signed it */
		if (!this->tpm_kex->certify(this->tpm_kex, chunk_from_thing(binding),
									&certify, &certify_sig))
		{
			DBG1(DBG_IKE, "ratkn: certifying our TPM-resident ECDHE share "
				 "failed");
			chunk_free(&quote);
			chunk_free(&signature);
			chunk_free(&ak_public);
			values->destroy(values);
			return NULL;
		}
		share_public = this->tpm_kex->get_tpm_public(this->tpm_kex);
	}
	evidence = ratkn_evidence_create_certified(this->role,
									chunk_from_thing(session),
									chunk_from_thing(id), quote, signature,
									ak_public, values, share_public, certify,
									certify_sig, challenge);
	chunk_free(&quote);
	chunk_free(&signature);
	chunk_free(&ak_public);
	chunk_free(&certify);
	chunk_free(&certify_sig);
	return evidence;
}

METHOD(ratkn_session_t, appraise, ratkn_appraisal_status_t,
	private_ratkn_session_t *this, ratkn_evidence_t *evidence,
	ratkn_appraisal_t *policy, chunk_t identity, char *reason, size_t len)
{
	uint8_t session[RATKN_HASH_LEN], id[RATKN_HASH_LEN];
	ratkn_ike_role_t peer_role;

	if (!get_session_hash(this, session) ||
		!ratkn_binding_identity_hash(identity, id))
	{
		snprintf(reason, len, "IKE_SA_INIT messages not recorded");
		return RATKN_APPRAISAL_SESSION_MISMATCH;
	}
	peer_role = this->role == RATKN_IKE_INITIATOR ? RATKN_IKE_RESPONDER
												  : RATKN_IKE_INITIATOR;
	return policy->appraise(policy, evidence, peer_role,
							chunk_from_thing(session), chunk_from_thing(id),
							reason, len);
}

METHOD(ratkn_session_t, use_tpm_share, void,
	private_ratkn_session_t *this, ratkn_tpm_t *tpm)
{
	this->share_tpm = tpm;
}

METHOD(ratkn_session_t, has_tpm_share, bool,
	private_ratkn_session_t *this)
{
	return this->tpm_share;
}

METHOD(ratkn_session_t, check_share, ratkn_appraisal_status_t,
	private_ratkn_session_t *this, ratkn_evidence_t *evidence,
	chunk_t identity, char *reason, size_t len)
{
	uint8_t binding[RATKN_HASH_LEN], id_hash[RATKN_HASH_LEN];
	chunk_t tpm_public, certify, signature;

	if (!evidence->get_share_cert(evidence, &tpm_public, &certify,
								  &signature))
	{
		snprintf(reason, len, "the peer's ECDHE share is not certified as "
				 "TPM-resident");
		return RATKN_APPRAISAL_SHARE_NOT_CERTIFIED;
	}
	if (this->state != RATKN_SESSION_NEGOTIATED ||
		!get_peer_binding(this, identity, binding, id_hash))
	{
		snprintf(reason, len, "IKE_SA_INIT messages not recorded");
		return RATKN_APPRAISAL_SHARE_NOT_CERTIFIED;
	}
	if (!ratkn_share_verify(evidence->get_ak_public(evidence), tpm_public,
							certify, signature, chunk_from_thing(binding),
							this->peer->get_group(this->peer),
							this->peer->get_share(this->peer), reason, len))
	{
		return RATKN_APPRAISAL_SHARE_NOT_CERTIFIED;
	}
	return RATKN_APPRAISAL_OK;
}

METHOD(ratkn_session_t, destroy, void,
	private_ratkn_session_t *this)
{
	int i;

	clear_sk(this);
	DESTROY_IF(this->mine);
	DESTROY_IF(this->peer);
	chunk_free(&this->init_i);
	chunk_free(&this->init_r);
	for (i = 0; i < RATKN_BINDING_MAX_INTERMEDIATE; i++)
	{
		chunk_free(&this->int_i[i]);
		chunk_free(&this->int_r[i]);
	}
	chunk_free(&this->ni);
	chunk_free(&this->nr);
	free(this);
}

/*
 * Described in header
 */
ratkn_session_t *ratkn_session_create(ratkn_ike_role_t ike_role)
{
	private_ratkn_session_t *this;

	INIT(this,
		.public = {
			.get_ike_role = _get_ike_role,
			.offer = _offer,
			.answer = _answer,
			.process_answer = _process_answer,
			.get_state = _get_state,
			.get_reason = _get_reason,
			.get_my_flags = _get_my_flags,
			.get_peer_flags = _get_peer_flags,
			.get_model = _get_model,
			.get_group = _get_group,
			.set_ike_sa_init = _set_ike_sa_init,
			.set_intermediate = _set_intermediate,
			.get_intermediate_count = _get_intermediate_count,
			.get_sk = _get_sk,
			.clear_sk = _clear_sk,
			.get_session_hash = _get_session_hash,
			.get_peer_binding = _get_peer_binding,
			.wrap_release = _wrap_release,
			.unwrap_release = _unwrap_release,
			.attest = _attest,
			.appraise = _appraise,
			.use_tpm_share = _use_tpm_share,
			.has_tpm_share = _has_tpm_share,
			.check_share = _check_share,
			.destroy = _destroy,
		},
		.role = ike_role,
		.state = RATKN_SESSION_IDLE,
	);
	return &this->public;
}
