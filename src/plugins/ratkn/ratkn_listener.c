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

#include "ratkn_listener.h"
#include "ratkn_session.h"
#include "ratkn_kex.h"
#include "ratkn_result.h"
#include "ratkn_ear.h"
#include "ratkn_verifier_client.h"
#include "ratkn_binding.h"
#include "ratkn_keys.h"
#include "ratkn_keyring.h"
#include "ratkn_release.h"
#include "ratkn_kms_policy.h"
#include "ratkn_clocks.h"
#include "ratkn_compat.h"

#include <time.h>

#include <daemon.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>
#include <encoding/payloads/nonce_payload.h>
#include <encoding/payloads/notify_payload.h>
#include <processing/jobs/rekey_ike_sa_job.h>
#include <processing/jobs/delete_ike_sa_job.h>

typedef struct private_ratkn_listener_t private_ratkn_listener_t;

/**
 * ratkn state of one IKE_SA
 */
typedef struct {

	/**
	 * Unique ID of the IKE_SA
	 */
	u_int id;

	/**
	 * Protocol state
	 */
	ratkn_session_t *session;

	/**
	 * Peer's evidence, if any
	 */
	ratkn_evidence_t *evidence;

	/**
	 * Why the peer's evidence could not be parsed, if it could not
	 */
	char evidence_error[128];

	/**
	 * Peer's attestation result (passport model), if any
	 */
	ratkn_result_t *result;

	/**
	 * Why the peer's attestation result could not be parsed
	 */
	char result_error[128];

	/**
	 * Peer accepted with status warning: CHILD_SAs are narrowed
	 */
	bool restricted;

	/**
	 * Whether our attestation was prepared (successfully or not)
	 */
	bool prepared;

	/**
	 * Our prepared attestation: notify type and data, empty on failure
	 */
	int attestation_type;
	chunk_t attestation;

	/**
	 * Relying party, remote background-check: whether the verifier was asked,
	 * its attestation result or why there is none
	 */
	bool asked_verifier;
	char *remote_token;
	char remote_error[256];


	/**
	 * Whether we sent our evidence
	 */
	bool evidence_sent;

	/**
	 * Whether the peer's first authentication round verified (responder)
	 */
	bool peer_authenticated;

	/**
	 * Whether the peer's evidence was appraised successfully
	 */
	bool attested;

	/**
	 * Identity of the attested peer, as it authenticated
	 */
	identification_t *attested_id;

	/**
	 * Policy of the connection the peer was appraised under (reference);
	 * appraised again if charon switches to another one
	 */
	ratkn_policy_t *appraised;

	/**
	 * Monotonic time of the scheduled re-attestation, 0 for none
	 */
	time_t reattest_at;

	/**
	 * Whether SK was handed out as PPK
	 */
	bool ppk_served;

	/**
	 * Whether SK was handed out as PSK
	 */
	bool psk_served;

	/**
	 * Whether the final decision was made and logged
	 */
	bool done;

	/**
	 * EAR status tier of the appraised peer (local appraisal: affirming),
	 * for KMS grants
	 */
	ratkn_ear_status_t status;

	/**
	 * KMS relying party: whether the release was decided
	 */
	bool keys_sent;

	/**
	 * Attester: the peer's RATKN_KEYS, or why it could not be parsed
	 */
	ratkn_keys_t *keys;
	char keys_error[128];

	/**
	 * KMS relying party: the attester's EDEK requests (RATKN_KEYS in its
	 * IKE_AUTH request), or why they could not be parsed
	 */
	ratkn_keys_t *requests;
	char requests_error[128];

	/**
	 * Attester: key ids "NAME:VERSION" whose EDEKs we presented (char*)
	 */
	linked_list_t *requested;

	/**
	 * Attester with a keyring: releases unwrapped once the peer was
	 * authorized (ratkn_jwe_key_t), installed when the IKE_SA is up
	 */
	linked_list_t *released;

	/**
	 * Attester: keyring this IKE_SA installed keys into, NULL if none, and
	 * whether they are removed when it goes down
	 */
	char *keyring;
	bool keys_remove;

} entry_t;

/**
 * Private data of a ratkn_listener_t object.
 */
struct private_ratkn_listener_t {

	/**
	 * Public interface.
	 */
	ratkn_listener_t public;

	/**
	 * Configuration
	 */
	ratkn_config_t *config;

	/**
	 * TPM for attesting, NULL if this host cannot attest
	 */
	ratkn_tpm_t *tpm;

	/**
	 * Outcomes for "ratkn status"
	 */
	ratkn_status_t *status;

	/**
	 * IKE_SA unique ID => entry_t
	 */
	hashtable_t *entries;

	/**
	 * Lock for entries (the entries themselves are only used by the thread
	 * that has the IKE_SA checked out), cache and reestablishing
	 */
	mutex_t *mutex;

	/**
	 * Attestation results we obtained as attester, for reuse (passport_t)
	 */
	linked_list_t *cache;

	/**
	 * Client of the verifiers, keeps connections open
	 */
	ratkn_verifier_client_t *verifiers;

	/**
	 * Unique ID of a new IKE_SA => ike_sa_id_t of the IKE_SA it replaces
	 */
	hashtable_t *reestablishing;

	/**
	 * Verifier name => time_t of its last failure (allocated), to back off
	 */
	hashtable_t *down;

	/**
	 * Initiator SPI => pending_t, state of IKE_SAs initiated while another
	 * IKE_SA was registered on the bus (re-authentication)
	 */
	hashtable_t *pending;

	/**
	 * KMS relying party (opens the key store on first use)
	 */
	ratkn_release_t *kms;

	/**
	 * Keyrings that up IKE_SAs installed keys into (keyring_use_t), for
	 * keys_on_down = remove
	 */
	linked_list_t *keyrings;

	/**
	 * Newest TPM clock info of the AKs we appraised
	 */
	ratkn_clocks_t *clocks;
};

/**
 * A keyring and the number of IKE_SAs that installed keys into it
 */
typedef struct {
	/** keyring name */
	char *name;
	/** number of IKE_SAs */
	u_int count;
} keyring_use_t;

/**
 * Destroy a keyring_use_t
 */
static void keyring_use_destroy(keyring_use_t *this)
{
	free(this->name);
	free(this);
}

/**
 * ratkn state of an IKE_SA whose IKE_SA_INIT request charon generated while
 * the IKE_SA it replaces was registered on the bus
 */
typedef struct {
	/** initiator SPI of the new IKE_SA */
	uint64_t spi;
	/** its state */
	entry_t *entry;
	/** the IKE_SA it replaces */
	ike_sa_id_t *replaces;
} pending_t;

/**
 * A cached attestation result of ours
 */
typedef struct {
	/** identity hash it is about */
	uint8_t id_hash[RATKN_HASH_LEN];
	/** verifier that issued it */
	char *verifier;
	/** the EAR */
	char *token;
	/** when we obtained it */
	time_t obtained;
	/** reuse it until */
	time_t until;
} passport_t;

/**
 * Destroy a cached result
 */
static void passport_destroy(passport_t *this)
{
	free(this->verifier);
	free(this->token);
	free(this);
}

/**
 * Maximum number of cached results
 */
#define MAX_CACHED 32

/**
 * Destroy an entry, wiping secrets
 */
static void entry_destroy(entry_t *this)
{
	this->session->destroy(this->session);
	DESTROY_IF(this->evidence);
	DESTROY_IF(this->result);
	chunk_free(&this->attestation);
	free(this->remote_token);
	DESTROY_IF(this->attested_id);
	DESTROY_IF(this->appraised);
	DESTROY_IF(this->keys);
	DESTROY_IF(this->requests);
	DESTROY_FUNCTION_IF(this->requested, free);
	DESTROY_OFFSET_IF(this->released, offsetof(ratkn_jwe_key_t, destroy));
	free(this->keyring);
	free(this);
}

/**
 * Find the entry of an IKE_SA
 */
static entry_t *get_entry(private_ratkn_listener_t *this, ike_sa_t *ike_sa)
{
	entry_t *entry;
	uintptr_t id;

	id = ike_sa->get_unique_id(ike_sa);
	this->mutex->lock(this->mutex);
	entry = this->entries->get(this->entries, (void*)id);
	this->mutex->unlock(this->mutex);
	return entry;
}

/**
 * Create and register the entry of an IKE_SA
 */
static entry_t *add_entry(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  ratkn_ike_role_t role)
{
	entry_t *entry, *old;
	uintptr_t id;

	id = ike_sa->get_unique_id(ike_sa);
	INIT(entry,
		.id = id,
		.session = ratkn_session_create(role),
	);
	this->mutex->lock(this->mutex);
	old = this->entries->put(this->entries, (void*)id, entry);
	this->mutex->unlock(this->mutex);
	if (old)
	{
		entry_destroy(old);
	}
	return entry;
}

/**
 * Get the ratkn policy of the IKE_SA's current connection, NULL if none or
 * role none
 */
static ratkn_policy_t *get_policy(private_ratkn_listener_t *this,
								  ike_sa_t *ike_sa)
{
	peer_cfg_t *peer_cfg;
	ratkn_policy_t *policy;

	peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	if (!peer_cfg)
	{
		return NULL;
	}
	policy = this->config->get_policy(this->config,
									  peer_cfg->get_name(peer_cfg));
	if (policy && policy->valid && policy->role == RATKN_ROLE_NONE)
	{
		policy->destroy(policy);
		return NULL;
	}
	return policy;
}

/**
 * Get the data of a notify that must appear at most once; reports
 * duplicates
 */
static bool get_notify_data(message_t *message, int type, chunk_t *data,
							bool *duplicate)
{
	enumerator_t *enumerator;
	payload_t *payload;
	notify_payload_t *notify;
	int count = 0;

	enumerator = message->create_payload_enumerator(message);
	while (enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) != PLV2_NOTIFY)
		{
			continue;
		}
		notify = (notify_payload_t*)payload;
		if (notify->get_notify_type(notify) == type)
		{
			if (!count++)
			{
				*data = notify->get_notification_data(notify);
			}
		}
	}
	enumerator->destroy(enumerator);
	*duplicate = count > 1;
	return count > 0;
}

/**
 * Get the IKE nonce of an IKE_SA_INIT message (allocated), empty if none
 */
static chunk_t get_nonce(message_t *message)
{
	nonce_payload_t *nonce;

	nonce = (nonce_payload_t*)message->get_payload(message, PLV2_NONCE);
	return nonce ? nonce->get_nonce(nonce) : chunk_empty;
}

/**
 * Record an IKE_SA_INIT message (with its nonce) in the session
 */
static void record_init(entry_t *entry, message_t *message, bool request)
{
	chunk_t nonce, packet;

	nonce = get_nonce(message);
	if (!nonce.len)
	{	/* error responses (COOKIE, INVALID_KE_PAYLOAD...) don't count */
		return;
	}
	packet = message->get_packet_data(message);
	if (request)
	{
		entry->session->set_ike_sa_init(entry->session, packet, chunk_empty,
										nonce, chunk_empty);
	}
	else
	{
		entry->session->set_ike_sa_init(entry->session, chunk_empty, packet,
										chunk_empty, nonce);
	}
	chunk_free(&nonce);
}

/**
 * Initiator: add our RATKN_NEGOTIATE to an outgoing IKE_SA_INIT request of
 * the IKE_SA with the given entry (created if NULL); cfg_sa provides the
 * connection
 */
static entry_t *offer(private_ratkn_listener_t *this, ike_sa_t *cfg_sa,
					  entry_t *entry, message_t *message)
{
	ratkn_policy_t *policy;
	uint8_t flags;
	chunk_t data;

	policy = get_policy(this, cfg_sa);
	if (!policy)
	{
		return entry;
	}
	if (!policy->valid)
	{	/* no offer; authorize() and get_shared() refuse the IKE_SA */
		DBG1(DBG_IKE, "ratkn: invalid ratkn configuration for connection "
			 "'%s', refusing", policy->name);
		policy->destroy(policy);
		return entry;
	}
	if (!entry)
	{
		INIT(entry,
			.session = ratkn_session_create(RATKN_IKE_INITIATOR),
		);
	}
	flags = policy->role;
	if ((flags & RATKN_FLAG_ATTEST) && !this->tpm)
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' has role %N, but no TPM is "
			 "configured (charon.plugins.ratkn.tpm.tcti)", policy->name,
			 ratkn_role_names, policy->role);
		flags &= ~RATKN_FLAG_ATTEST;
	}
	if ((flags & RATKN_FLAG_ATTEST) && policy->tpm_share)
	{
		entry->session->use_tpm_share(entry->session, this->tpm);
	}
	data = entry->session->offer(entry->session, flags, policy->group,
								 policy->models, policy->model_count);
	if (data.len)
	{
		message->add_notify(message, FALSE, RATKN_NOTIFY_NEGOTIATE, data);
		DBG2(DBG_IKE, "ratkn: offering %N with %s", ratkn_role_names, flags,
			 ratkn_kex_group_name(policy->group));
	}
	policy->destroy(policy);
	return entry;
}

/**
 * Register an entry for an IKE_SA
 */
static void put_entry(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
					  entry_t *entry)
{
	entry_t *old;
	uintptr_t id;

	id = ike_sa->get_unique_id(ike_sa);
	entry->id = id;
	this->mutex->lock(this->mutex);
	old = this->entries->put(this->entries, (void*)id, entry);
	this->mutex->unlock(this->mutex);
	if (old && old != entry)
	{
		entry_destroy(old);
	}
}

/**
 * Outgoing IKE_SA_INIT request of an IKE_SA that is not the one registered
 * on the bus: charon re-authenticates ike_sa (both with make-before-break and
 * break-before-make) by initiating a new IKE_SA from ike_sa's thread. The
 * new IKE_SA claims the state when it processes the response.
 */
static void foreign_request(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
							message_t *message, bool plain)
{
	ike_sa_id_t *id = message->get_ike_sa_id(message);
	pending_t *pending;
	uint64_t spi;

	spi = id->get_initiator_spi(id);
	this->mutex->lock(this->mutex);
	pending = this->pending->get(this->pending, (void*)(uintptr_t)spi);
	this->mutex->unlock(this->mutex);
	if (!plain)
	{
		if (pending)
		{
			record_init(pending->entry, message, TRUE);
		}
		return;
	}
	if (pending)
	{	/* retried IKE_SA_INIT */
		offer(this, ike_sa, pending->entry, message);
		return;
	}
	INIT(pending,
		.spi = spi,
		.replaces = ike_sa->get_id(ike_sa)->clone(ike_sa->get_id(ike_sa)),
	);
	pending->entry = offer(this, ike_sa, NULL, message);
	if (!pending->entry)
	{
		pending->replaces->destroy(pending->replaces);
		free(pending);
		return;
	}
	this->mutex->lock(this->mutex);
	pending = this->pending->put(this->pending, (void*)(uintptr_t)spi, pending);
	this->mutex->unlock(this->mutex);
	if (pending)
	{
		entry_destroy(pending->entry);
		pending->replaces->destroy(pending->replaces);
		free(pending);
	}
}

/**
 * Remove the pending state of an IKE_SA, NULL if there is none
 */
static pending_t *remove_pending(private_ratkn_listener_t *this,
								 ike_sa_t *ike_sa)
{
	ike_sa_id_t *id = ike_sa->get_id(ike_sa);
	pending_t *pending;
	uint64_t spi;

	if (!id->is_initiator(id))
	{
		return NULL;
	}
	spi = id->get_initiator_spi(id);
	this->mutex->lock(this->mutex);
	pending = this->pending->remove(this->pending, (void*)(uintptr_t)spi);
	this->mutex->unlock(this->mutex);
	if (pending && pending->spi != spi)
	{	/* another SPI hashed to the same key on 32-bit systems */
		this->mutex->lock(this->mutex);
		this->pending->put(this->pending, (void*)(uintptr_t)spi, pending);
		this->mutex->unlock(this->mutex);
		pending = NULL;
	}
	return pending;
}

/**
 * Claim the state a re-authenticating IKE_SA got while charon initiated it
 * from the IKE_SA it replaces
 */
static entry_t *claim_pending(private_ratkn_listener_t *this, ike_sa_t *ike_sa)
{
	pending_t *pending;
	ike_sa_id_t *old;
	entry_t *entry;
	uintptr_t id;

	pending = remove_pending(this, ike_sa);
	if (!pending)
	{
		return NULL;
	}
	entry = pending->entry;
	put_entry(this, ike_sa, entry);
	id = ike_sa->get_unique_id(ike_sa);
	this->mutex->lock(this->mutex);
	old = this->reestablishing->put(this->reestablishing, (void*)id,
									pending->replaces);
	this->mutex->unlock(this->mutex);
	DESTROY_IF(old);
	free(pending);
	return entry;
}

/**
 * Initiator: process the RATKN_NEGOTIATE answer in an IKE_SA_INIT response
 */
static void process_answer(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						   message_t *message)
{
	ratkn_session_state_t state;
	ratkn_policy_t *policy;
	entry_t *entry;
	chunk_t data;
	bool duplicate;

	entry = get_entry(this, ike_sa) ?: claim_pending(this, ike_sa);
	if (!entry)
	{
		return;
	}
	record_init(entry, message, FALSE);
	if (!get_notify_data(message, RATKN_NOTIFY_NEGOTIATE, &data, &duplicate))
	{
		if (message->get_payload(message, PLV2_NONCE))
		{
			policy = get_policy(this, ike_sa);
			DBG1(DBG_IKE, "ratkn: peer did not answer RATKN_NEGOTIATE (no "
				 "ratkn support)%s", policy && policy->required ?
				 ", but the connection requires attestation" : "");
			DESTROY_IF(policy);
		}
		return;
	}
	if (duplicate)
	{
		DBG1(DBG_IKE, "ratkn: peer sent RATKN_NEGOTIATE more than once, "
			 "using the first");
	}
	state = entry->session->process_answer(entry->session, data);
	if (state == RATKN_SESSION_NEGOTIATED)
	{
		DBG2(DBG_IKE, "ratkn: negotiated %s, peer flags 0x%02x",
			 ratkn_kex_group_name(entry->session->get_group(entry->session)),
			 entry->session->get_peer_flags(entry->session));
	}
	else
	{
		DBG1(DBG_IKE, "ratkn: RATKN_NEGOTIATE answer not usable (%N): %s",
			 ratkn_session_state_names, state,
			 entry->session->get_reason(entry->session));
	}
}

/**
 * Responder: process an initiator's RATKN_NEGOTIATE in an IKE_SA_INIT request
 */
static void process_offer(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	ratkn_model_t models[RATKN_MAX_MODELS];
	entry_t *entry;
	int count;
	chunk_t data;
	bool duplicate;

	if (!get_notify_data(message, RATKN_NOTIFY_NEGOTIATE, &data, &duplicate))
	{
		return;
	}
	entry = get_entry(this, ike_sa);
	if (!entry)
	{
		entry = add_entry(this, ike_sa, RATKN_IKE_RESPONDER);
	}
	record_init(entry, message, TRUE);
	if (duplicate)
	{
		DBG1(DBG_IKE, "ratkn: peer sent RATKN_NEGOTIATE more than once, "
			 "using the first");
	}
	/* the answer is created now and added to the response in answer() */
	count = this->config->get_models(this->config, models);
	if (!entry->session->answer(entry->session, data, this->tpm != NULL,
								models, count).len)
	{
		DBG1(DBG_IKE, "ratkn: ignoring malformed RATKN_NEGOTIATE: %s",
			 entry->session->get_reason(entry->session));
	}
}

/**
 * Responder: add our RATKN_NEGOTIATE to an outgoing IKE_SA_INIT response
 */
static void answer(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
				   message_t *message)
{
	entry_t *entry;
	chunk_t data;

	entry = get_entry(this, ike_sa);
	if (!entry || !message->get_payload(message, PLV2_NONCE))
	{
		return;
	}
	data = entry->session->answer(entry->session, chunk_empty, FALSE, NULL, 0);
	if (data.len)
	{
		message->add_notify(message, FALSE, RATKN_NOTIFY_NEGOTIATE, data);
	}
	/* charon announces PPK support (RFC 8784) only if a PPK exists already,
	 * but SK, a PPK for this IKE_SA, is derived later: announce it if the
	 * initiator asked for PPK and we negotiated a key */
	if (entry->session->get_state(entry->session) == RATKN_SESSION_NEGOTIATED &&
		ike_sa->supports_extension(ike_sa, EXT_PPK) &&
		!message->get_notify(message, USE_PPK))
	{
		message->add_notify(message, FALSE, USE_PPK, chunk_empty);
	}
}

/**
 * Get the DER encoding of the certificate (or raw public key) used in the
 * current or first completed authentication round of a side
 */
static bool get_identity_der(ike_sa_t *ike_sa, bool local, chunk_t *der,
							 identification_t **subject)
{
	enumerator_t *enumerator;
	certificate_t *cert = NULL;
	public_key_t *public;
	auth_cfg_t *auth;
	bool ok = FALSE;

	auth = ike_sa->get_auth_cfg(ike_sa, local);
	cert = auth->get(auth, AUTH_RULE_SUBJECT_CERT);
	if (!cert)
	{	/* a later round is in progress, use the first completed one */
		enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, local);
		if (enumerator->enumerate(enumerator, &auth))
		{
			cert = auth->get(auth, AUTH_RULE_SUBJECT_CERT);
		}
		enumerator->destroy(enumerator);
	}
	if (!cert)
	{
		return FALSE;
	}
	if (cert->get_type(cert) == CERT_X509)
	{
		ok = cert->get_encoding(cert, CERT_ASN1_DER, der);
	}
	else
	{
		public = cert->get_public_key(cert);
		if (public)
		{
			ok = public->get_encoding(public, PUBKEY_SPKI_ASN1_DER, der);
			public->destroy(public);
		}
	}
	if (ok && subject)
	{
		*subject = cert->get_subject(cert);
	}
	return ok;
}

/**
 * Milliseconds since a start time
 */
static u_int ms_since(timeval_t *start)
{
	timeval_t now;

	time_monotonic(&now);
	timersub(&now, start, &now);
	return now.tv_sec * 1000 + now.tv_usec / 1000;
}

/**
 * Look up a reusable attestation result of ours (allocated token)
 */
static char *get_cached(private_ratkn_listener_t *this, uint8_t *id_hash,
						char *verifier, time_t *obtained)
{
	enumerator_t *enumerator;
	passport_t *passport;
	char *token = NULL;
	time_t now = time(NULL);

	this->mutex->lock(this->mutex);
	enumerator = this->cache->create_enumerator(this->cache);
	while (enumerator->enumerate(enumerator, &passport))
	{
		if (passport->until <= now)
		{
			this->cache->remove_at(this->cache, enumerator);
			passport_destroy(passport);
		}
		else if (memeq(passport->id_hash, id_hash, RATKN_HASH_LEN) &&
				 streq(passport->verifier, verifier))
		{
			token = strdup(passport->token);
			*obtained = passport->obtained;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return token;
}

/**
 * Keep an attestation result of ours for reuse
 */
static void cache(private_ratkn_listener_t *this, uint8_t *id_hash,
				  char *verifier, char *token, time_t until)
{
	passport_t *passport, *old;

	INIT(passport,
		.verifier = strdup(verifier),
		.token = strdup(token),
		.obtained = time(NULL),
		.until = until,
	);
	memcpy(passport->id_hash, id_hash, RATKN_HASH_LEN);
	this->mutex->lock(this->mutex);
	if (this->cache->get_count(this->cache) >= MAX_CACHED &&
		this->cache->remove_first(this->cache, (void**)&old) == SUCCESS)
	{
		passport_destroy(old);
	}
	this->cache->insert_last(this->cache, passport);
	this->mutex->unlock(this->mutex);
}

/**
 * Check whether a verifier may be asked: after it was down, requests fail at
 * once for its retry interval, so that an outage does not hold up every
 * IKE_SA
 */
static bool verifier_usable(private_ratkn_listener_t *this,
							ratkn_verifier_cfg_t *verifier, char *reason,
							size_t len)
{
	time_t now = time(NULL), *failed;
	bool usable = TRUE;

	this->mutex->lock(this->mutex);
	failed = this->down->get(this->down, verifier->name);
	if (failed && now < *failed + (time_t)verifier->retry)
	{
		snprintf(reason, len, "verifier '%s' was down %lds ago, retrying "
				 "after %us", verifier->name, (long)(now - *failed),
				 verifier->retry);
		usable = FALSE;
	}
	this->mutex->unlock(this->mutex);
	return usable;
}

/**
 * Record whether a verifier was down in a request
 */
static void verifier_answered(private_ratkn_listener_t *this,
							  ratkn_verifier_cfg_t *verifier, bool down)
{
	enumerator_t *enumerator;
	time_t *failed;
	char *name;

	this->mutex->lock(this->mutex);
	failed = this->down->get(this->down, verifier->name);
	if (down)
	{
		if (!failed)
		{
			failed = malloc_thing(time_t);
			this->down->put(this->down, strdup(verifier->name), failed);
		}
		*failed = time(NULL);
	}
	else if (failed)
	{	/* back up: forget the failure, with the key we allocated */
		enumerator = this->down->create_enumerator(this->down);
		while (enumerator->enumerate(enumerator, &name, &failed))
		{
			if (streq(name, verifier->name))
			{
				this->down->remove_at(this->down, enumerator);
				free(name);
				free(failed);
				break;
			}
		}
		enumerator->destroy(enumerator);
	}
	this->mutex->unlock(this->mutex);
}

/**
 * Have a verifier appraise evidence. Requests block this worker (inside
 * charon's bus hooks, like eap-radius accounting does) for at most the
 * verifier's timeout, and fail at once while it is backed off.
 */
static char *call_verifier(private_ratkn_listener_t *this,
						   ratkn_verifier_cfg_t *verifier, chunk_t evidence,
						   char *reason, size_t len)
{
	char *token;
	bool down;

	if (!verifier_usable(this, verifier, reason, len))
	{
		return NULL;
	}
	token = this->verifiers->attest(this->verifiers, verifier->url,
							verifier->ca, verifier->timeout, evidence, &down,
							reason, len);
	verifier_answered(this, verifier, down);
	return token;
}

/**
 * Get a challenge from a verifier, with the same limits as call_verifier()
 */
static bool call_challenge(private_ratkn_listener_t *this,
						   ratkn_verifier_cfg_t *verifier, chunk_t *challenge,
						   char *reason, size_t len)
{
	bool ok, down;

	if (!verifier_usable(this, verifier, reason, len))
	{
		return FALSE;
	}
	ok = this->verifiers->challenge(this->verifiers, verifier->url,
							verifier->ca, verifier->timeout, challenge, &down,
							reason, len);
	verifier_answered(this, verifier, down);
	return ok;
}

/**
 * Attester, passport model: obtain an attestation result for evidence bound
 * to this IKE_SA (or reuse one) and add it to the message
 */
static bool attest_passport(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
							entry_t *entry, ratkn_policy_t *policy,
							chunk_t identity)
{
	ratkn_verifier_cfg_t *verifier;
	ratkn_evidence_t *evidence;
	ratkn_result_t *result;
	ratkn_ear_t *ear;
	uint8_t id_hash[RATKN_HASH_LEN];
	char reason[256] = "", *token;
	chunk_t challenge = chunk_empty;
	time_t obtained, until;
	timeval_t start;

	verifier = this->config->get_verifier(this->config, policy->verifier);
	if (!verifier)
	{
		DBG1(DBG_IKE, "ratkn: cannot attest in the passport model, verifier "
			 "'%s' of connection '%s' is not configured", policy->verifier,
			 policy->name);
		return FALSE;
	}
	ratkn_binding_identity_hash(identity, id_hash);
	token = policy->passport_cache ?
			get_cached(this, id_hash, verifier->name, &obtained) : NULL;
	if (token)
	{
		DBG1(DBG_IKE, "ratkn: reusing attestation result of verifier '%s' "
			 "obtained %us ago", verifier->name, time(NULL) - obtained);
	}
	else
	{
		time_monotonic(&start);
		/* a result we reuse must show the verifier that its quote was
		 * fresh, relying parties accept no other (section 13.5) */
		if (policy->passport_cache &&
			!call_challenge(this, verifier, &challenge, reason,
							sizeof(reason)))
		{
			DBG1(DBG_IKE, "ratkn: no challenge from verifier '%s' (%s), its "
				 "attestation result will not be reused", verifier->name,
				 reason);
		}
		evidence = entry->session->attest(entry->session, this->tpm, identity,
										  &policy->pcrs, challenge);
		chunk_free(&challenge);
		if (!evidence)
		{
			verifier->destroy(verifier);
			return FALSE;
		}
		token = call_verifier(this, verifier, evidence->get_encoding(evidence),
							  reason, sizeof(reason));
		evidence->destroy(evidence);
		if (!token)
		{
			DBG1(DBG_IKE, "ratkn: no attestation result: %s", reason);
			verifier->destroy(verifier);
			return FALSE;
		}
		/* what we forward must be a valid result; knowing its status helps
		 * operators */
		ear = ratkn_ear_verify(token, verifier->key, time(NULL), reason,
							   sizeof(reason));
		if (!ear)
		{
			DBG1(DBG_IKE, "ratkn: verifier '%s' returned an invalid "
				 "attestation result: %s", verifier->name, reason);
			free(token);
			verifier->destroy(verifier);
			return FALSE;
		}
		DBG1(DBG_IKE, "ratkn: verifier '%s' appraised our evidence in %u ms: "
			 "%s%s%s", verifier->name, ms_since(&start),
			 ratkn_ear_status_name(ear->get_claims(ear)->status),
			 ear->get_claims(ear)->reason ? ", " : "",
			 ear->get_claims(ear)->reason ?: "");
		if (policy->passport_cache &&
			ear->get_claims(ear)->status == RATKN_EAR_AFFIRMING &&
			ear->get_claims(ear)->fresh_since)
		{
			until = min(ear->get_claims(ear)->exp,
						time(NULL) + (time_t)policy->passport_cache);
			cache(this, id_hash, verifier->name, token, until);
		}
		ear->destroy(ear);
	}
	verifier->destroy(verifier);
	result = ratkn_result_create(entry->session->get_ike_role(entry->session),
								 token);
	free(token);
	if (!result)
	{
		return FALSE;
	}
	entry->attestation_type = RATKN_NOTIFY_RESULT;
	entry->attestation = chunk_clone(result->get_encoding(result));
	DBG1(DBG_IKE, "ratkn: sending attestation result (%zu bytes)",
		 entry->attestation.len);
	result->destroy(result);
	return TRUE;
}

/**
 * Describe the IKE_INTERMEDIATE exchanges the binding covers, "" if none
 */
static char *intermediates(entry_t *entry)
{
	switch (entry->session->get_intermediate_count(entry->session))
	{
		case 0:
			return "";
		case 1:
			return ", bound to IKE_SA_INIT and 1 IKE_INTERMEDIATE exchange";
		default:
			return ", bound to IKE_SA_INIT and the IKE_INTERMEDIATE "
				   "exchanges";
	}
}

/**
 * Attester, background-check model: add evidence bound to this IKE_SA
 */
static bool attest_evidence(private_ratkn_listener_t *this, entry_t *entry,
							ratkn_policy_t *policy, chunk_t identity)
{
	ratkn_evidence_t *evidence;
	chunk_t tpm_public, certify, signature;
	timeval_t start;
	bool certified;

	time_monotonic(&start);
	evidence = entry->session->attest(entry->session, this->tpm, identity,
									  &policy->pcrs, chunk_empty);
	if (!evidence)
	{
		return FALSE;
	}
	entry->attestation_type = RATKN_NOTIFY_EVIDENCE;
	entry->attestation = chunk_clone(evidence->get_encoding(evidence));
	certified = evidence->get_share_cert(evidence, &tpm_public, &certify,
										 &signature);
	DBG1(DBG_IKE, "ratkn: sending %N evidence over %u PCRs (%zu bytes, "
		 "quoted in %u ms)%s%s", ratkn_format_names,
		 evidence->get_format(evidence),
		 evidence->get_pcr_values(evidence)->get_count(
									evidence->get_pcr_values(evidence)),
		 evidence->get_encoding(evidence).len, ms_since(&start),
		 certified ? ", with the AK's certification of our TPM-resident "
					 "ECDHE share" : "", intermediates(entry));
	evidence->destroy(evidence);
	return TRUE;
}

static void record(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
				   bool peer, ratkn_model_t model, char *result, char *reason,
				   timeval_t *start);

/**
 * Attester: prepare our evidence or attestation result for this IKE_SA
 */
static void prepare_attestation(private_ratkn_listener_t *this,
								ike_sa_t *ike_sa, entry_t *entry,
								ratkn_policy_t *policy)
{
	ratkn_model_t model;
	chunk_t identity;
	timeval_t start;
	bool ok = FALSE;

	time_monotonic(&start);
	entry->prepared = TRUE;
	model = entry->session->get_model(entry->session, FALSE);
	if (!model)
	{
		DBG1(DBG_IKE, "ratkn: cannot attest, no attestation model in common "
			 "with the peer");
	}
	else if (!get_identity_der(ike_sa, TRUE, &identity, NULL))
	{
		DBG1(DBG_IKE, "ratkn: cannot attest, the first authentication round "
			 "of connection '%s' does not use a certificate or public key",
			 policy->name);
	}
	else
	{
		if (model == RATKN_MODEL_PASSPORT)
		{
			ok = attest_passport(this, ike_sa, entry, policy, identity);
		}
		else
		{
			ok = attest_evidence(this, entry, policy, identity);
		}
		chunk_free(&identity);
	}
	if (!ok)
	{
		DBG1(DBG_IKE, "ratkn: attesting failed, the peer will refuse the "
			 "IKE_SA");
	}
	record(this, ike_sa, FALSE, model, ok ? "sent" : "failed",
		   ok ? (model == RATKN_MODEL_PASSPORT ? "attestation result sent"
											   : "evidence sent")
			  : "attesting failed (see log)", &start);
}

/**
 * Whether we attest on this IKE_SA and may do the TPM work now: on a
 * responder only after the initiator authenticated
 */
static bool must_attest(entry_t *entry)
{
	return !entry->prepared &&
		entry->session->get_state(entry->session) == RATKN_SESSION_NEGOTIATED &&
		(entry->session->get_my_flags(entry->session) & RATKN_FLAG_ATTEST) &&
		(entry->session->get_peer_flags(entry->session) & RATKN_FLAG_VERIFY) &&
		(entry->session->get_ike_role(entry->session) == RATKN_IKE_INITIATOR ||
		 entry->peer_authenticated);
}

/**
 * Relying party, remote background-check: have the verifier appraise the
 * peer's evidence
 */
static void ask_verifier(private_ratkn_listener_t *this, entry_t *entry,
						 ratkn_policy_t *policy)
{
	ratkn_verifier_cfg_t *verifier;

	entry->asked_verifier = TRUE;
	verifier = this->config->get_verifier(this->config, policy->verifier);
	if (!verifier)
	{
		snprintf(entry->remote_error, sizeof(entry->remote_error),
				 "verifier '%s' not configured", policy->verifier);
		return;
	}
	entry->remote_token = call_verifier(this, verifier,
							entry->evidence->get_encoding(entry->evidence),
							entry->remote_error, sizeof(entry->remote_error));
	verifier->destroy(verifier);
}

/**
 * Attester (IKE initiator) with a keyring: present the EDEKs of pending
 * requests ("ratkn keys request") to the KMS in our IKE_AUTH request
 */
static void request_edeks(entry_t *entry, ratkn_policy_t *policy,
						  message_t *message)
{
	ratkn_keyring_request_t *request;
	ratkn_keyring_t *keyring;
	enumerator_t *enumerator;
	ratkn_keys_t *keys;
	chunk_t edeks[RATKN_KEYS_MAX];
	char kid[RATKN_KEY_NAME_MAX + 16];
	int count = 0;

	keyring = ratkn_keyring_open(policy->keyring, FALSE);
	if (!keyring)
	{
		return;
	}
	entry->requested = linked_list_create();
	enumerator = keyring->create_request_enumerator(keyring);
	while (enumerator->enumerate(enumerator, &request))
	{
		snprintf(kid, sizeof(kid), "%s:%u", request->name, request->version);
		if (count == RATKN_KEYS_MAX)
		{
			DBG1(DBG_IKE, "ratkn: more than %d EDEK requests pending, '%s' "
				 "waits for the next attestation", RATKN_KEYS_MAX, kid);
			continue;
		}
		edeks[count++] = chunk_clone(request->edek);
		entry->requested->insert_last(entry->requested, strdup(kid));
	}
	enumerator->destroy(enumerator);
	keyring->destroy(keyring);
	if (!count)
	{
		return;
	}
	keys = ratkn_keys_create_request(
						entry->session->get_ike_role(entry->session),
						edeks, count);
	if (keys)
	{
		message->add_notify(message, FALSE, RATKN_NOTIFY_KEYS,
							keys->get_encoding(keys));
		DBG1(DBG_IKE, "ratkn: presenting %d EDEK%s to the peer's KMS again "
			 "(RATKN_KEYS, %zu octets)", count, count == 1 ? "" : "s",
			 keys->get_encoding(keys).len);
		keys->destroy(keys);
	}
	else
	{
		DBG1(DBG_IKE, "ratkn: building the EDEK requests failed");
	}
	while (count--)
	{
		chunk_free(&edeks[count]);
	}
}

/**
 * Attester: add our attestation (and EDEK requests) to the outgoing IKE_AUTH
 * message with our first AUTH payload
 */
static void outgoing_auth(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	ratkn_policy_t *policy;
	entry_t *entry;

	entry = get_entry(this, ike_sa);
	if (!entry || entry->evidence_sent || !message->get_payload(message,
																PLV2_AUTH) ||
		message->get_notify(message, AUTHENTICATION_FAILED))
	{
		return;
	}
	policy = get_policy(this, ike_sa);
	if (!policy || !policy->valid || !(policy->role & RATKN_FLAG_ATTEST))
	{
		if (!message->get_request(message) && must_attest(entry))
		{
			DBG1(DBG_IKE, "ratkn: peer asked for attestation, but connection "
				 "'%s' is not configured to attest", ike_sa->get_name(ike_sa));
		}
		DESTROY_IF(policy);
		return;
	}
	if (must_attest(entry))
	{
		prepare_attestation(this, ike_sa, entry, policy);
	}
	if (entry->prepared && !entry->evidence_sent)
	{
		entry->evidence_sent = TRUE;
		if (entry->attestation.len)
		{
			message->add_notify(message, FALSE, entry->attestation_type,
								entry->attestation);
			if (message->get_request(message) && policy->keyring)
			{
				request_edeks(entry, policy, message);
			}
		}
	}
	policy->destroy(policy);
}

/**
 * Store the peer's evidence from an incoming IKE_AUTH message
 */
static void incoming_auth(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	entry_t *entry;
	chunk_t data;
	bool duplicate;

	entry = get_entry(this, ike_sa);
	if (!entry)
	{
		return;
	}
	if (message->get_request(message) && !entry->requests &&
		!entry->requests_error[0] &&
		get_notify_data(message, RATKN_NOTIFY_KEYS, &data, &duplicate))
	{
		entry->requests = duplicate ? NULL :
						  ratkn_keys_parse(data, entry->requests_error,
										   sizeof(entry->requests_error));
		if (duplicate)
		{
			snprintf(entry->requests_error, sizeof(entry->requests_error),
					 "RATKN_KEYS sent more than once");
		}
	}
	if (!message->get_request(message) && !entry->keys &&
		!entry->keys_error[0] &&
		get_notify_data(message, RATKN_NOTIFY_KEYS, &data, &duplicate))
	{
		entry->keys = duplicate ? NULL :
					  ratkn_keys_parse(data, entry->keys_error,
									   sizeof(entry->keys_error));
		if (duplicate)
		{
			snprintf(entry->keys_error, sizeof(entry->keys_error),
					 "RATKN_KEYS sent more than once");
		}
	}
	if (!entry->result && !entry->result_error[0] &&
		get_notify_data(message, RATKN_NOTIFY_RESULT, &data, &duplicate))
	{
		entry->result = duplicate ? NULL :
						ratkn_result_parse(data, entry->result_error,
										   sizeof(entry->result_error));
		if (duplicate)
		{
			snprintf(entry->result_error, sizeof(entry->result_error),
					 "RATKN_RESULT sent more than once");
		}
	}
	if (entry->evidence || entry->evidence_error[0] ||
		!get_notify_data(message, RATKN_NOTIFY_EVIDENCE, &data, &duplicate))
	{
		return;
	}
	if (duplicate)
	{
		snprintf(entry->evidence_error, sizeof(entry->evidence_error),
				 "RATKN_EVIDENCE sent more than once");
		return;
	}
	/* the codec logs what it received, or why it is malformed */
	entry->evidence = ratkn_evidence_parse(data);
	if (!entry->evidence)
	{
		snprintf(entry->evidence_error, sizeof(entry->evidence_error),
				 "malformed evidence");
	}
}

/**
 * KMS serving dynamic PPKs (charon.plugins.ratkn.ppk.kms): charon announces
 * PPK support only if a credential set lists a PPK without an identity, but
 * KMS keys are looked up by PPK_ID; announce it if the initiator asked
 */
static void announce_kms_ppk(ike_sa_t *ike_sa, message_t *message)
{
	if (ike_sa->supports_extension(ike_sa, EXT_PPK) &&
		!message->get_notify(message, USE_PPK) &&
		lib->settings->get_bool(lib->settings, "%s.plugins.ratkn.ppk.kms",
								FALSE, lib->ns))
	{
		message->add_notify(message, FALSE, USE_PPK, chunk_empty);
	}
}

/**
 * Groups of the peer established during authentication (AUTH_RULE_GROUP,
 * e.g. from attribute certificates or RADIUS), as strings
 */
static linked_list_t *get_groups(ike_sa_t *ike_sa)
{
	enumerator_t *enumerator, *rules;
	identification_t *group;
	linked_list_t *groups;
	auth_cfg_t *auth;
	auth_rule_t rule;
	char buf[256];

	groups = linked_list_create();
	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &auth))
	{
		rules = auth->create_enumerator(auth);
		while (rules->enumerate(rules, &rule, &group))
		{
			if (rule == AUTH_RULE_GROUP)
			{
				snprintf(buf, sizeof(buf), "%Y", group);
				groups->insert_last(groups, strdup(buf));
			}
		}
		rules->destroy(rules);
	}
	enumerator->destroy(enumerator);
	return groups;
}

/**
 * KMS relying party: the EDEKs the attester presents again (chunk_t*,
 * borrowed from entry->requests), NULL if none
 */
static linked_list_t *get_edek_requests(entry_t *entry,
										identification_t *peer)
{
	enumerator_t *enumerator;
	linked_list_t *edeks;
	chunk_t *edek;

	if (entry->requests_error[0])
	{
		DBG1(DBG_IKE, "ratkn: malformed EDEK requests from '%Y' ignored: %s",
			 peer, entry->requests_error);
		return NULL;
	}
	if (!entry->requests || !entry->requests->get_edek_count(entry->requests))
	{
		return NULL;
	}
	if (entry->requests->get_role(entry->requests) ==
		entry->session->get_ike_role(entry->session))
	{
		DBG1(DBG_IKE, "ratkn: EDEK requests for the other IKE role ignored");
		return NULL;
	}
	edeks = linked_list_create();
	enumerator = entry->requests->create_edek_enumerator(entry->requests);
	while (enumerator->enumerate(enumerator, &edek))
	{
		edeks->insert_last(edeks, edek);
	}
	enumerator->destroy(enumerator);
	DBG1(DBG_IKE, "ratkn: '%Y' presents %d EDEK%s again", peer,
		 edeks->get_count(edeks), edeks->get_count(edeks) == 1 ? "" : "s");
	return edeks;
}

/**
 * KMS relying party (kms = yes): add the keys granted to the appraised peer
 * to our final IKE_AUTH response (docs/kms.md)
 */
static void release_keys(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						 message_t *message)
{
	char *list[RATKN_KEYS_MAX], *jwe;
	linked_list_t *releases, *groups, *edeks;
	identification_t *subject;
	enumerator_t *enumerator;
	ratkn_policy_t *policy;
	ratkn_keys_t *keys;
	chunk_t identity;
	entry_t *entry;
	int count = 0;

	entry = get_entry(this, ike_sa);
	if (!entry || !entry->attested || !entry->done || entry->keys_sent ||
		message->get_request(message) ||
		message->get_notify(message, AUTHENTICATION_FAILED))
	{
		return;
	}
	policy = get_policy(this, ike_sa);
	if (!policy || !policy->valid || !policy->kms)
	{
		DESTROY_IF(policy);
		return;
	}
	entry->keys_sent = TRUE;
	if (!get_identity_der(ike_sa, FALSE, &identity, &subject))
	{
		DBG1(DBG_IKE, "ratkn: no certificate of the attested peer, no keys "
			 "released");
		policy->destroy(policy);
		return;
	}
	groups = get_groups(ike_sa);
	releases = linked_list_create();
	edeks = get_edek_requests(entry, entry->attested_id);
	if (this->kms->release(this->kms, entry->session, entry->attested_id,
						   groups,
						   entry->status, identity, edeks, releases))
	{
		enumerator = releases->create_enumerator(releases);
		while (enumerator->enumerate(enumerator, &jwe))
		{
			list[count++] = jwe;
		}
		enumerator->destroy(enumerator);
		keys = count ? ratkn_keys_create(
							entry->session->get_ike_role(entry->session) ==
							RATKN_IKE_INITIATOR ? RATKN_IKE_RESPONDER
												: RATKN_IKE_INITIATOR,
							list, count) : NULL;
		if (keys)
		{
			message->add_notify(message, FALSE, RATKN_NOTIFY_KEYS,
								keys->get_encoding(keys));
			DBG1(DBG_IKE, "ratkn: sending %d key release%s to '%Y' "
				 "(RATKN_KEYS, %zu octets)", count, count == 1 ? "" : "s",
				 entry->attested_id, keys->get_encoding(keys).len);
			keys->destroy(keys);
		}
		else
		{
			DBG1(DBG_IKE, "ratkn: no keys released to '%Y'",
				 entry->attested_id);
		}
	}
	releases->destroy_function(releases, free);
	groups->destroy_function(groups, free);
	DESTROY_IF(edeks);
	chunk_free(&identity);
	policy->destroy(policy);
}

/**
 * Attester with a keyring: unwrap the releases of the authorized peer while
 * our ECDHE private key still exists
 */
static void unwrap_keys(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						entry_t *entry, ratkn_policy_t *policy)
{
	identification_t *subject;
	enumerator_t *enumerator;
	ratkn_jwe_key_t *key;
	chunk_t identity;
	char *token, reason[256];
	time_t now = time(NULL);

	if (policy->kms && entry->attested &&
		entry->session->get_ike_role(entry->session) == RATKN_IKE_INITIATOR)
	{	/* e.g. a re-authentication started by the relying party */
		DBG1(DBG_IKE, "ratkn: connection '%s' has kms = yes, but we are the "
			 "IKE initiator: releases travel in the IKE_AUTH response, no "
			 "keys released to '%Y'", policy->name, entry->attested_id);
	}
	if (!(policy->role & RATKN_FLAG_ATTEST) || !entry->evidence_sent ||
		!entry->attestation.len)
	{
		return;
	}
	if (!policy->keyring)
	{
		if (entry->keys)
		{
			DBG1(DBG_IKE, "ratkn: peer released %d key%s, but connection "
				 "'%s' has no keyring, ignored",
				 entry->keys->get_count(entry->keys),
				 entry->keys->get_count(entry->keys) == 1 ? "" : "s",
				 policy->name);
		}
		return;
	}
	entry->released = linked_list_create();
	if (entry->keys_error[0])
	{
		DBG1(DBG_IKE, "ratkn: malformed RATKN_KEYS from peer: %s",
			 entry->keys_error);
		return;
	}
	if (!entry->keys)
	{
		DBG1(DBG_IKE, "ratkn: peer released no keys");
		return;
	}
	if (entry->keys->get_role(entry->keys) !=
		entry->session->get_ike_role(entry->session))
	{
		DBG1(DBG_IKE, "ratkn: key releases for the other IKE role, ignored");
		return;
	}
	if (!get_identity_der(ike_sa, TRUE, &identity, &subject))
	{
		DBG1(DBG_IKE, "ratkn: no certificate of ours, key releases ignored");
		return;
	}
	enumerator = entry->keys->create_enumerator(entry->keys);
	while (enumerator->enumerate(enumerator, &token))
	{
		key = entry->session->unwrap_release(entry->session, token, identity,
											 now, reason, sizeof(reason));
		if (key)
		{
			entry->released->insert_last(entry->released, key);
		}
		else
		{
			DBG1(DBG_IKE, "ratkn: key release from peer rejected: %s",
				 reason);
		}
	}
	enumerator->destroy(enumerator);
	chunk_free(&identity);
}

/**
 * Count an IKE_SA that installed keys into a keyring
 */
static void keyring_ref(private_ratkn_listener_t *this, char *name)
{
	enumerator_t *enumerator;
	keyring_use_t *use, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->keyrings->create_enumerator(this->keyrings);
	while (enumerator->enumerate(enumerator, &use))
	{
		if (streq(use->name, name))
		{
			found = use;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		INIT(found,
			.name = strdup(name),
		);
		this->keyrings->insert_last(this->keyrings, found);
	}
	found->count++;
	this->mutex->unlock(this->mutex);
}

/**
 * Uncount an IKE_SA that installed keys into a keyring; returns how many are
 * left
 */
static u_int keyring_unref(private_ratkn_listener_t *this, char *name)
{
	enumerator_t *enumerator;
	keyring_use_t *use;
	u_int count = 0;

	this->mutex->lock(this->mutex);
	enumerator = this->keyrings->create_enumerator(this->keyrings);
	while (enumerator->enumerate(enumerator, &use))
	{
		if (streq(use->name, name))
		{
			count = --use->count;
			if (!count)
			{
				this->keyrings->remove_at(this->keyrings, enumerator);
				keyring_use_destroy(use);
			}
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return count;
}

/**
 * Attester: log which EDEK requests the KMS answered and drop them (they are
 * one-shot: a request that was not answered is not sent again)
 */
static void answer_requests(entry_t *entry, ratkn_keyring_t *keyring,
							linked_list_t *kids)
{
	enumerator_t *enumerator;
	char *kid, *sep, name[RATKN_KEY_NAME_MAX + 1];
	uint32_t version;

	if (!entry->requested)
	{
		return;
	}
	enumerator = entry->requested->create_enumerator(entry->requested);
	while (enumerator->enumerate(enumerator, &kid))
	{
		if (kids->find_first(kids, linked_list_match_str, NULL, kid))
		{
			DBG1(DBG_IKE, "ratkn: key '%s' released again for its EDEK", kid);
		}
		else
		{
			DBG1(DBG_IKE, "ratkn: the peer's KMS did not answer the EDEK "
				 "request for '%s' (see its log), request dropped", kid);
		}
		sep = strrchr(kid, ':');
		if (sep && sep - kid <= RATKN_KEY_NAME_MAX)
		{
			snprintf(name, sizeof(name), "%.*s", (int)(sep - kid), kid);
			version = strtoul(sep + 1, NULL, 10);
			keyring->remove_requests(keyring, name, version);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Attester: install the unwrapped releases into the connection's keyring
 * once the IKE_SA is up; keys of the keyring that were not released in this
 * attestation (rotated or revoked) are removed
 */
static void install_keys(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						 entry_t *entry)
{
	ratkn_jwe_claims_t *claims;
	ratkn_keyring_t *keyring;
	ratkn_policy_t *policy;
	enumerator_t *enumerator;
	ratkn_jwe_key_t *key;
	linked_list_t *kids;
	time_t now = time(NULL);
	bool requested;
	int removed, pass;

	policy = get_policy(this, ike_sa);
	keyring = policy && policy->keyring ?
				ratkn_keyring_open(policy->keyring, TRUE) : NULL;
	if (keyring)
	{
		kids = linked_list_create();
		/* granted keys replace other versions; keys released again for an
		 * EDEK we presented go in after them and keep the others */
		for (pass = 0; pass < 2; pass++)
		{
			enumerator = entry->released->create_enumerator(entry->released);
			while (enumerator->enumerate(enumerator, &key))
			{
				claims = key->get_claims(key);
				requested = entry->requested &&
							entry->requested->find_first(entry->requested,
								linked_list_match_str, NULL, key->get_kid(key));
				if (requested != (pass == 1))
				{
					continue;
				}
				if (keyring->install(keyring, key, policy->key_perm, now,
									 requested))
				{
					kids->insert_last(kids, key->get_kid(key));
					DBG1(DBG_IKE, "ratkn: key '%s' (%s) installed in keyring "
						 "'%s', expires in %lds%s", key->get_kid(key),
						 claims->usage, policy->keyring,
						 (long)(claims->exp - now),
						 claims->edek.len ? ", with its EDEK" : "");
				}
			}
			enumerator->destroy(enumerator);
		}
		answer_requests(entry, keyring, kids);
		removed = keyring->remove_others(keyring, kids);
		if (removed)
		{
			DBG1(DBG_IKE, "ratkn: removed %d key%s no longer released from "
				 "keyring '%s'", removed, removed == 1 ? "" : "s",
				 policy->keyring);
		}
		kids->destroy(kids);
		keyring->destroy(keyring);
		if (!entry->keyring)
		{
			entry->keyring = strdup(policy->keyring);
			entry->keys_remove = policy->keys_remove;
			keyring_ref(this, entry->keyring);
		}
	}
	DESTROY_IF(policy);
	entry->released->destroy_offset(entry->released,
									offsetof(ratkn_jwe_key_t, destroy));
	entry->released = NULL;
}

/**
 * Attester: the IKE_SA is gone; with keys_on_down = remove, empty the
 * keyring when no other IKE_SA that installed keys into it is left
 */
static void keys_down(private_ratkn_listener_t *this, entry_t *entry)
{
	ratkn_keyring_t *keyring;
	int removed;

	if (!entry->keyring || keyring_unref(this, entry->keyring) ||
		!entry->keys_remove)
	{
		return;
	}
	keyring = ratkn_keyring_open(entry->keyring, FALSE);
	if (keyring)
	{
		removed = keyring->remove(keyring, NULL);
		DBG1(DBG_IKE, "ratkn: IKE_SA down, removed %d released key%s from "
			 "keyring '%s'", removed, removed == 1 ? "" : "s", entry->keyring);
		keyring->destroy(keyring);
	}
}

#ifdef HAVE_MESSAGE_GET_PLAIN
/**
 * Record an IKE_INTERMEDIATE message (RFC 9242) in its plaintext encoding,
 * which the binding covers (docs/protocol.md, section 6)
 */
static void record_intermediate(private_ratkn_listener_t *this,
								ike_sa_t *ike_sa, message_t *message)
{
	entry_t *entry;
	chunk_t plain;
	uint32_t mid;

	entry = get_entry(this, ike_sa);
	if (!entry || !message->get_plain(message, &plain))
	{
		return;
	}
	mid = message->get_message_id(message);
	if (!mid || !entry->session->set_intermediate(entry->session, mid - 1,
									message->get_request(message), plain))
	{	/* the binding then fails, which refuses the IKE_SA if it uses us */
		DBG1(DBG_IKE, "ratkn: IKE_INTERMEDIATE exchange with message ID %u "
			 "not recorded (at most %d are bound)", mid,
			 RATKN_BINDING_MAX_INTERMEDIATE);
	}
	chunk_free(&plain);
}
#endif /* HAVE_MESSAGE_GET_PLAIN */

METHOD(listener_t, message_hook, bool,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	ike_sa_id_t *id;
	entry_t *entry;

	if (!ike_sa || ike_sa->get_version(ike_sa) != IKEV2)
	{
		return TRUE;
	}
	id = message->get_ike_sa_id(message);
	if (!incoming && message->get_request(message) &&
		message->get_exchange_type(message) == IKE_SA_INIT &&
		id->get_initiator_spi(id) !=
				ike_sa->get_id(ike_sa)->get_initiator_spi(ike_sa->get_id(ike_sa)))
	{	/* charon initiates an IKE_SA with another one on the bus */
		foreign_request(this, ike_sa, message, plain);
		return TRUE;
	}
	switch (message->get_exchange_type(message))
	{
		case IKE_SA_INIT:
			if (incoming && plain)
			{
				if (message->get_request(message))
				{
					process_offer(this, ike_sa, message);
				}
				else
				{
					process_answer(this, ike_sa, message);
				}
			}
			else if (!incoming && plain)
			{
				if (message->get_request(message))
				{
					entry = offer(this, ike_sa, get_entry(this, ike_sa),
								  message);
					if (entry)
					{
						put_entry(this, ike_sa, entry);
					}
				}
				else
				{
					answer(this, ike_sa, message);
					announce_kms_ppk(ike_sa, message);
				}
			}
			else if (!incoming && !plain)
			{	/* the encoded message as sent, which AUTH signs */
				entry = get_entry(this, ike_sa);
				if (entry)
				{
					record_init(entry, message, message->get_request(message));
				}
			}
			break;
		case IKE_AUTH:
			if (plain)
			{
				if (incoming)
				{
					incoming_auth(this, ike_sa, message);
				}
				else
				{
					outgoing_auth(this, ike_sa, message);
					release_keys(this, ike_sa, message);
				}
			}
			break;
#ifdef HAVE_MESSAGE_GET_PLAIN
		case IKE_INTERMEDIATE:
			/* as received (decrypted, reassembled) and as sent (encoded) */
			if (incoming == plain)
			{
				record_intermediate(this, ike_sa, message);
			}
			break;
#endif /* HAVE_MESSAGE_GET_PLAIN */
		default:
			break;
	}
	return TRUE;
}

/**
 * Check whether the peer_cfg authenticates a side with a PSK round
 */
static bool has_psk_round(peer_cfg_t *peer_cfg, bool local)
{
	enumerator_t *enumerator;
	auth_cfg_t *auth;
	bool found = FALSE;

	enumerator = peer_cfg->create_auth_cfg_enumerator(peer_cfg, local);
	while (enumerator->enumerate(enumerator, &auth))
	{
		if ((uintptr_t)auth->get(auth, AUTH_RULE_AUTH_CLASS) == AUTH_CLASS_PSK)
		{
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Check whether the peer completed a PSK round
 */
static bool peer_did_psk_round(ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	auth_cfg_t *auth;
	bool found = FALSE;

	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &auth))
	{
		if ((uintptr_t)auth->get(auth, AUTH_RULE_AUTH_CLASS) == AUTH_CLASS_PSK)
		{
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Check that no other credential set offers a key of the given type for the
 * given identities: charon would try it too and SK would not be needed
 */
static bool sk_is_only_key(ike_sa_t *ike_sa, entry_t *entry,
						   shared_key_type_t type, identification_t *me,
						   identification_t *other, identification_t **conflict)
{
	enumerator_t *enumerator;
	shared_key_t *key;
	chunk_t sk, spi_i, spi_r;
	uint64_t spi;
	ike_sa_id_t *id;
	bool only = TRUE;

	id = ike_sa->get_id(ike_sa);
	spi = id->get_initiator_spi(id);
	spi_i = chunk_clone(chunk_from_thing(spi));
	spi = id->get_responder_spi(id);
	spi_r = chunk_clone(chunk_from_thing(spi));
	if (!entry->session->get_sk(entry->session, spi_i, spi_r, &sk))
	{
		sk = chunk_empty;
	}
	enumerator = lib->credmgr->create_shared_enumerator(lib->credmgr, type,
														me, other);
	while (enumerator->enumerate(enumerator, &key, NULL, NULL))
	{
		if (!chunk_equals_const(key->get_key(key), sk))
		{
			only = FALSE;
			*conflict = me;
		}
	}
	enumerator->destroy(enumerator);
	chunk_free(&spi_i);
	chunk_free(&spi_r);
	return only;
}

/**
 * Relying party: check an attestation result (section 13.3); msg receives
 * what happened, TRUE if accepted. passport is TRUE for a RATKN_RESULT the
 * attester sent, FALSE for the verifier's answer about the evidence we
 * received.
 */
static bool check_result(private_ratkn_listener_t *this, entry_t *entry,
						 ratkn_policy_t *policy, char *token, bool passport,
						 chunk_t identity, char *msg, size_t len)
{
	ratkn_verifier_cfg_t *verifier;
	ratkn_verdict_policy_t judge;
	ratkn_verdict_t verdict;
	ratkn_ear_t *ear;
	uint8_t binding[RATKN_HASH_LEN], id_hash[RATKN_HASH_LEN];
	char reason[256] = "";
	time_t now = time(NULL);

	verifier = this->config->get_verifier(this->config, policy->verifier);
	if (!verifier)
	{
		snprintf(msg, len, "verifier '%s' of connection '%s' is not "
				 "configured", policy->verifier, policy->name);
		return FALSE;
	}
	ear = ratkn_ear_verify(token, verifier->key, now, reason, sizeof(reason));
	if (!ear)
	{
		snprintf(msg, len, "attestation result not accepted from verifier "
				 "'%s': %s", verifier->name, reason);
		verifier->destroy(verifier);
		return FALSE;
	}
	if (!entry->session->get_peer_binding(entry->session, identity, binding,
										  id_hash))
	{
		snprintf(msg, len, "computing the binding failed");
		verdict = RATKN_VERDICT_REFUSE;
	}
	else
	{
		judge = (ratkn_verdict_policy_t){
			.passport = passport,
			.freshness = policy->freshness,
			.on_warning = policy->on_warning,
			.policy_ids = policy->accept_policies,
			.require_trust = policy->require_trust,
		};
		verdict = ratkn_verdict_judge(ear->get_claims(ear), &judge, binding,
									  id_hash, now, reason, sizeof(reason));
		entry->status = ear->get_claims(ear)->status;
		entry->restricted = verdict == RATKN_VERDICT_RESTRICT;
		snprintf(msg, len, "verifier '%s' %s %s", verifier->name,
				 verdict == RATKN_VERDICT_REFUSE ? "result refused:" : "says",
				 reason);
	}
	ear->destroy(ear);
	verifier->destroy(verifier);
	return verdict != RATKN_VERDICT_REFUSE;
}

/**
 * Relying party: check the clock info of the peer's authentic quote against
 * the newest seen of its AK
 */
static ratkn_appraisal_status_t check_clock(private_ratkn_listener_t *this,
											entry_t *entry, char *reason,
											size_t len)
{
	ratkn_clock_info_t info;

	if (!entry->evidence->get_clock_info(entry->evidence, &info))
	{	/* not reached, the appraisal parsed the quote */
		snprintf(reason, len, "not a TPM quote");
		return RATKN_APPRAISAL_NOT_A_QUOTE;
	}
	if (!this->clocks->check(this->clocks,
							 entry->evidence->get_ak_public(entry->evidence),
							 &info, reason, len))
	{
		return RATKN_APPRAISAL_STALE;
	}
	if (!info.safe)
	{
		DBG1(DBG_IKE, "ratkn: the peer's TPM clock is not marked safe (an "
			 "unorderly shutdown since it was last saved), only its boot "
			 "counters are compared");
	}
	return RATKN_APPRAISAL_OK;
}

/**
 * Relying party: appraise evidence locally (background-check model with a
 * co-located verifier)
 */
static bool appraise_local(private_ratkn_listener_t *this, entry_t *entry,
						   chunk_t identity, identification_t *other,
						   identification_t *subject, char *msg, size_t len)
{
	ratkn_appraisal_t *appraisal;
	ratkn_appraisal_status_t status;
	char reason[256] = "", attester[64] = "";
	bool pcrs;

	appraisal = this->config->get_appraisal(this->config, other, attester,
											sizeof(attester), reason,
											sizeof(reason));
	if (!appraisal)
	{
		if (reason[0])
		{
			snprintf(msg, len, "attester '%s' is misconfigured: %s",
					 attester, reason);
		}
		else
		{
			snprintf(msg, len, "no attester configured for this identity "
					 "(charon.plugins.ratkn.attesters)");
		}
		return FALSE;
	}
	status = entry->session->appraise(entry->session, entry->evidence,
									  appraisal, identity, reason,
									  sizeof(reason));
	if (status == RATKN_APPRAISAL_OK)
	{
		status = check_clock(this, entry, reason, sizeof(reason));
	}
	if (status != RATKN_APPRAISAL_OK)
	{
		snprintf(msg, len, "%N: %s", ratkn_appraisal_status_names, status,
				 reason);
	}
	else
	{	/* without reference values we vouch for the platform, not its
		 * state: no status a KMS grant accepts */
		pcrs = appraisal->has_reference(appraisal);
		entry->status = pcrs ? RATKN_EAR_AFFIRMING : RATKN_EAR_NONE;
		snprintf(msg, len, "%N evidence of attester '%s' appraised, %u PCRs "
				 "quoted%s, bound to this IKE_SA and certificate '%Y'%s",
				 ratkn_format_names,
				 entry->evidence->get_format(entry->evidence), attester,
				 entry->evidence->get_pcr_values(entry->evidence)->get_count(
							entry->evidence->get_pcr_values(entry->evidence)),
				 pcrs ? "" : " (no reference values: status none)", subject,
				 intermediates(entry));
	}
	appraisal->destroy(appraisal);
	return status == RATKN_APPRAISAL_OK;
}

/**
 * Relying party: check the certification of the peer's TPM-resident share if
 * its appraised evidence carries one or the connection requires one;
 * msg has the appraisal's outcome and gets the share's appended
 */
static bool check_share(entry_t *entry, ratkn_policy_t *policy,
						chunk_t identity, char *msg, size_t len)
{
	ratkn_appraisal_status_t status;
	chunk_t tpm_public, certify, signature;
	char reason[256];
	size_t used;

	if (!entry->evidence->get_share_cert(entry->evidence, &tpm_public,
										 &certify, &signature) &&
		!policy->require_tpm_share)
	{
		return TRUE;
	}
	status = entry->session->check_share(entry->session, entry->evidence,
										 identity, reason, sizeof(reason));
	if (status != RATKN_APPRAISAL_OK)
	{
		snprintf(msg, len, "%N: %s", ratkn_appraisal_status_names, status,
				 reason);
		return FALSE;
	}
	used = strlen(msg);
	snprintf(msg + used, len - used, ", ECDHE share TPM-resident (certified "
			 "by the AK)");
	return TRUE;
}

/**
 * Relying party: appraise the peer's evidence or attestation result, after
 * its certificate round; msg receives what happened
 */
static bool appraise_peer(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  entry_t *entry, ratkn_policy_t *policy,
						  ratkn_model_t model, char *msg, size_t len)
{
	identification_t *other, *subject;
	ratkn_ike_role_t peer_role;
	chunk_t identity;
	bool ok = FALSE;

	other = ike_sa->get_other_id(ike_sa);
	if (!model)
	{
		snprintf(msg, len, "no attestation model in common");
		return FALSE;
	}
	if (!get_identity_der(ike_sa, FALSE, &identity, &subject))
	{
		snprintf(msg, len, "it did not authenticate with a certificate or "
				 "public key");
		return FALSE;
	}
	peer_role = entry->session->get_ike_role(entry->session) ==
				RATKN_IKE_INITIATOR ? RATKN_IKE_RESPONDER : RATKN_IKE_INITIATOR;
	if (model == RATKN_MODEL_PASSPORT)
	{
		if (!entry->result)
		{
			snprintf(msg, len, "%s", entry->result_error[0] ?
					 entry->result_error : "no attestation result received");
		}
		else if (entry->result->get_role(entry->result) != peer_role)
		{
			snprintf(msg, len, "attestation result from the wrong role "
					 "(reflection)");
		}
		else
		{
			ok = check_result(this, entry, policy,
							  entry->result->get_token(entry->result), TRUE,
							  identity, msg, len);
		}
	}
	else if (!entry->evidence)
	{
		snprintf(msg, len, "%s", entry->evidence_error[0] ?
				 entry->evidence_error : "no evidence received");
	}
	else if (policy->remote_appraisal)
	{
		if (!entry->asked_verifier)
		{
			ask_verifier(this, entry, policy);
		}
		if (entry->remote_token)
		{
			ok = check_result(this, entry, policy, entry->remote_token,
							  FALSE, identity, msg, len);
		}
		else
		{
			snprintf(msg, len, "%s", entry->remote_error);
		}
	}
	else
	{
		ok = appraise_local(this, entry, identity, other, subject, msg, len);
	}
	if (ok && model != RATKN_MODEL_PASSPORT)
	{
		ok = check_share(entry, policy, identity, msg, len);
	}
	else if (ok && policy->require_tpm_share)
	{	/* not reached, the configuration does not allow it */
		snprintf(msg, len, "a TPM-resident share cannot be checked in the "
				 "passport model");
		ok = FALSE;
	}
	chunk_free(&identity);
	return ok;
}

/**
 * Record an outcome for "ratkn status"
 */
static void record(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
				   bool peer, ratkn_model_t model, char *result, char *reason,
				   timeval_t *start)
{
	ratkn_outcome_t outcome = {
		.time = time(NULL),
		.ms = ms_since(start),
	};

	snprintf(outcome.connection, sizeof(outcome.connection), "%s",
			 ike_sa->get_name(ike_sa));
	snprintf(outcome.peer, sizeof(outcome.peer), "%Y",
			 ike_sa->get_other_id(ike_sa));
	snprintf(outcome.direction, sizeof(outcome.direction), "%s",
			 peer ? "peer attested" : "we attested");
	snprintf(outcome.model, sizeof(outcome.model), "%s", model ?
			 enum_to_name(ratkn_model_names, model) : "none");
	snprintf(outcome.result, sizeof(outcome.result), "%s", result);
	snprintf(outcome.reason, sizeof(outcome.reason), "%s", reason);
	this->status->record(this->status, &outcome);
}

/**
 * Relying party: appraise, log and record
 */
static bool appraise(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
					 entry_t *entry, ratkn_policy_t *policy)
{
	ratkn_model_t model;
	identification_t *other;
	char msg[512] = "";
	timeval_t start;
	bool ok;

	time_monotonic(&start);
	other = ike_sa->get_other_id(ike_sa);
	model = entry->session->get_model(entry->session, TRUE);
	ok = appraise_peer(this, ike_sa, entry, policy, model, msg, sizeof(msg));
	DESTROY_IF(entry->appraised);
	entry->appraised = policy->get_ref(policy);
	if (ok)
	{
		DBG1(DBG_IKE, "ratkn: peer '%Y' attested (%N): %s, in %u ms", other,
			 ratkn_model_names, model, msg, ms_since(&start));
		entry->attested = TRUE;
		entry->attested_id = other->clone(other);
	}
	else
	{
		DBG1(DBG_IKE, "ratkn: peer '%Y' failed attestation (%N): %s", other,
			 ratkn_model_names, model, msg);
	}
	record(this, ike_sa, TRUE, model,
		   ok ? (entry->restricted ? "restricted" : "accepted") : "refused",
		   msg, &start);
	return ok;
}

/**
 * Relying party: charon switched to another connection (or the
 * configuration was reloaded) after we appraised the peer under a policy;
 * forget that appraisal so that the final connection's policy decides
 */
static void forget_appraisal(entry_t *entry, ratkn_policy_t *policy)
{
	if (!entry->appraised || entry->appraised == policy)
	{
		return;
	}
	DBG1(DBG_IKE, "ratkn: the IKE_SA moved from connection '%s' to '%s' "
		 "after the peer was appraised, appraising it again under '%s'",
		 entry->appraised->name, policy ? policy->name : "(no ratkn)",
		 policy ? policy->name : "(no ratkn)");
	if (!policy || !entry->appraised->verifier || !policy->verifier ||
		!streq(entry->appraised->verifier, policy->verifier))
	{	/* another verifier has to be asked */
		entry->asked_verifier = FALSE;
		free(entry->remote_token);
		entry->remote_token = NULL;
		entry->remote_error[0] = '\0';
	}
	entry->appraised->destroy(entry->appraised);
	entry->appraised = NULL;
	entry->attested = FALSE;
	entry->restricted = FALSE;
	entry->status = RATKN_EAR_NONE;
	DESTROY_IF(entry->attested_id);
	entry->attested_id = NULL;
}

/**
 * Whether a connection lists an attestation model
 */
static bool model_allowed(ratkn_policy_t *policy, ratkn_model_t model)
{
	int i;

	for (i = 0; i < policy->model_count; i++)
	{
		if (policy->models[i] == model)
		{
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Check that the models negotiated for each direction are among the
 * connection's: a responder negotiates from its global list before it
 * knows the connection
 */
static bool check_models(entry_t *entry, ratkn_policy_t *policy,
						 uint8_t mine, uint8_t peer)
{
	ratkn_model_t model;

	if ((policy->role & RATKN_FLAG_VERIFY) && (peer & RATKN_FLAG_ATTEST))
	{
		model = entry->session->get_model(entry->session, TRUE);
		if (model && !model_allowed(policy, model))
		{
			DBG1(DBG_IKE, "ratkn: the peer attests in the %N model, which "
				 "connection '%s' does not allow (as IKE responder ratkn "
				 "negotiated it from charon.plugins.ratkn.models before the "
				 "connection was known), refusing", ratkn_model_names, model,
				 policy->name);
			return FALSE;
		}
	}
	if ((policy->role & RATKN_FLAG_ATTEST) && (mine & RATKN_FLAG_ATTEST) &&
		(peer & RATKN_FLAG_VERIFY))
	{
		model = entry->session->get_model(entry->session, FALSE);
		if (model && !model_allowed(policy, model))
		{
			DBG1(DBG_IKE, "ratkn: we would attest in the %N model, which "
				 "connection '%s' does not allow, refusing",
				 ratkn_model_names, model, policy->name);
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Check the negotiated ratkn parameters against the connection's policy.
 * Returns FALSE to veto; *active is set if ratkn is in use for the IKE_SA.
 */
static bool check_negotiation(private_ratkn_listener_t *this,
							  ike_sa_t *ike_sa, entry_t *entry,
							  ratkn_policy_t *policy, bool final, bool *active)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	ratkn_session_state_t state = RATKN_SESSION_IDLE;
	uint8_t mine = 0, peer = 0;

	*active = FALSE;
	if (!policy->valid)
	{
		DBG1(DBG_IKE, "ratkn: invalid ratkn configuration for connection "
			 "'%s', refusing", policy->name);
		return FALSE;
	}
	if (policy->key_use == RATKN_KEY_USE_PPK && policy->required &&
		(!peer_cfg->get_ppk_id(peer_cfg) ||
		 !ratkn_ppk_required(peer_cfg)))
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' uses SK as PPK but does not "
			 "set ppk_id and ppk_required = yes, refusing (it could fall "
			 "back to NO_PPK_AUTH)", policy->name);
		return FALSE;
	}
	if (policy->key_use == RATKN_KEY_USE_PSK &&
		(!has_psk_round(peer_cfg, TRUE) || !has_psk_round(peer_cfg, FALSE)))
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' uses SK as PSK but lacks a "
			 "'psk' authentication round (local-2/remote-2), refusing",
			 policy->name);
		return FALSE;
	}
	if (entry)
	{
		state = entry->session->get_state(entry->session);
		mine = entry->session->get_my_flags(entry->session);
		peer = entry->session->get_peer_flags(entry->session);
	}
	if (state != RATKN_SESSION_NEGOTIATED)
	{
		if (!policy->required)
		{
			if (final)
			{
				DBG1(DBG_IKE, "ratkn: not negotiated with peer, continuing "
					 "without attestation (optional for connection '%s')",
					 policy->name);
			}
			return TRUE;
		}
		switch (state)
		{
			case RATKN_SESSION_NO_GROUP:
			case RATKN_SESSION_MALFORMED:
				DBG1(DBG_IKE, "ratkn: attestation required by connection "
					 "'%s', but negotiation failed: %s", policy->name,
					 entry->session->get_reason(entry->session));
				break;
			default:
				DBG1(DBG_IKE, "ratkn: attestation required by connection "
					 "'%s', but the peer does not support ratkn (no "
					 "RATKN_NEGOTIATE %s)", policy->name,
					 entry ? "answer" : "offer");
				break;
		}
		return FALSE;
	}
	if (entry->session->get_group(entry->session) != policy->group)
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' requires group %s, but %s was "
			 "negotiated", policy->name, ratkn_kex_group_name(policy->group),
			 ratkn_kex_group_name(entry->session->get_group(entry->session)));
		return FALSE;
	}
	if ((policy->role & RATKN_FLAG_VERIFY) && !(peer & RATKN_FLAG_ATTEST))
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' requires the peer to attest, "
			 "but the peer does not offer attestation", policy->name);
		return FALSE;
	}
	if ((policy->role & RATKN_FLAG_ATTEST) && !(mine & RATKN_FLAG_ATTEST))
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' has us attest, but no TPM is "
			 "configured", policy->name);
		return FALSE;
	}
	if ((policy->role & RATKN_FLAG_ATTEST) && policy->tpm_share &&
		!entry->session->has_tpm_share(entry->session))
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' has share = tpm, but our share "
			 "is not TPM-resident: only an IKE initiator uses a TPM share (a "
			 "responder does not use the TPM before its peer authenticated)",
			 policy->name);
		return FALSE;
	}
	if ((policy->role & RATKN_FLAG_ATTEST) && !(peer & RATKN_FLAG_VERIFY) &&
		policy->required)
	{
		DBG1(DBG_IKE, "ratkn: connection '%s' has us attest, but the peer "
			 "does not ask for attestation", policy->name);
		return FALSE;
	}
	if (!check_models(entry, policy, mine, peer))
	{
		return FALSE;
	}
	*active = TRUE;
	return TRUE;
}

/**
 * Final check that SK entered authentication
 */
static bool check_key_use(private_ratkn_listener_t *this, ike_sa_t *ike_sa,
						  entry_t *entry, ratkn_policy_t *policy)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	identification_t *conflict = NULL;

	switch (policy->key_use)
	{
		case RATKN_KEY_USE_PPK:
			if (!entry->ppk_served || !ike_sa->has_condition(ike_sa, COND_PPK))
			{
				DBG1(DBG_IKE, "ratkn: SK was not used as PPK for this IKE_SA, "
					 "refusing");
				return FALSE;
			}
			if (!sk_is_only_key(ike_sa, entry, SHARED_PPK,
								peer_cfg->get_ppk_id(peer_cfg), NULL,
								&conflict))
			{
				DBG1(DBG_IKE, "ratkn: another PPK is configured for PPK_ID "
					 "'%Y', SK might not have been used, refusing", conflict);
				return FALSE;
			}
			return TRUE;
		case RATKN_KEY_USE_PSK:
			if (!entry->psk_served || !peer_did_psk_round(ike_sa))
			{
				DBG1(DBG_IKE, "ratkn: peer did not prove knowledge of SK in a "
					 "PSK round, refusing");
				return FALSE;
			}
			if (!sk_is_only_key(ike_sa, entry, SHARED_IKE,
								ike_sa->get_my_id(ike_sa),
								ike_sa->get_other_id(ike_sa), &conflict))
			{
				DBG1(DBG_IKE, "ratkn: another PSK is configured for '%Y', SK "
					 "might not have been used, refusing", conflict);
				return FALSE;
			}
			return TRUE;
	}
	return FALSE;
}

/**
 * If an IKE_SA that re-establishes another one (re-attestation) fails, the
 * old one must not survive (with make-before-break it still exists)
 */
static void drop_replaced(private_ratkn_listener_t *this, ike_sa_t *ike_sa)
{
	ike_sa_id_t *old;
	uintptr_t id;

	id = ike_sa->get_unique_id(ike_sa);
	this->mutex->lock(this->mutex);
	old = this->reestablishing->remove(this->reestablishing, (void*)id);
	this->mutex->unlock(this->mutex);
	if (old)
	{
		DBG1(DBG_IKE, "ratkn: re-attestation failed, deleting the IKE_SA it "
			 "was to replace");
		lib->processor->queue_job(lib->processor,
					(job_t*)delete_ike_sa_job_create(old, TRUE));
		old->destroy(old);
	}
}

/**
 * Narrow a list of traffic selectors to those within allowed ones
 */
static void narrow_to(linked_list_t *list, linked_list_t *allowed)
{
	enumerator_t *enumerator, *inner;
	traffic_selector_t *ts, *permitted, *subset;
	linked_list_t *narrowed;

	narrowed = linked_list_create();
	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &ts))
	{
		inner = allowed->create_enumerator(allowed);
		while (inner->enumerate(inner, &permitted))
		{
			subset = ts->get_subset(ts, permitted);
			if (subset)
			{
				narrowed->insert_last(narrowed, subset);
			}
		}
		inner->destroy(inner);
		list->remove_at(list, enumerator);
		ts->destroy(ts);
	}
	enumerator->destroy(enumerator);
	while (narrowed->remove_first(narrowed, (void**)&ts) == SUCCESS)
	{
		list->insert_last(list, ts);
	}
	narrowed->destroy(narrowed);
}

METHOD(listener_t, narrow, bool,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	narrow_hook_t type, linked_list_t *local, linked_list_t *remote)
{
	traffic_selector_t *ts;
	entry_t *entry;

	entry = get_entry(this, ike_sa);
	if (!entry || !entry->restricted)
	{
		return TRUE;
	}
	switch (type)
	{
		case NARROW_INITIATOR_PRE_AUTH:
			/* a later CHILD_SA (or a rekeying): propose only what is
			 * allowed */
		case NARROW_RESPONDER:
		case NARROW_INITIATOR_POST_NOAUTH:
			/* the CHILD_SA of IKE_AUTH, the peer authenticated in it */
		case NARROW_INITIATOR_POST_AUTH:
			break;
		default:
			return TRUE;
	}
	if (entry->appraised && entry->appraised->warning_ts)
	{
		narrow_to(local, entry->appraised->warning_ts);
	}
	else
	{	/* not reached, restrict needs warning_ts */
		while (local->remove_first(local, (void**)&ts) == SUCCESS)
		{
			ts->destroy(ts);
		}
	}
	if (local->get_count(local))
	{
		DBG1(DBG_IKE, "ratkn: peer has attestation status warning, CHILD_SA "
			 "'%s' narrowed to %#R", child_sa->get_name(child_sa), local);
	}
	else
	{
		DBG1(DBG_IKE, "ratkn: peer has attestation status warning, nothing "
			 "of CHILD_SA '%s' is within warning_ts, refusing it",
			 child_sa->get_name(child_sa));
	}
	return TRUE;
}

METHOD(listener_t, authorize, bool,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, bool final,
	bool *success)
{
	ratkn_policy_t *policy;
	entry_t *entry;
	bool active, ok = TRUE;

	if (ike_sa->get_version(ike_sa) != IKEV2)
	{
		return TRUE;
	}
	entry = get_entry(this, ike_sa);
	/* the connection may change during IKE_AUTH, always use the current */
	policy = get_policy(this, ike_sa);
	if (entry)
	{
		forget_appraisal(entry, policy);
	}
	if (!policy)
	{
		if (entry && final && entry->session->get_state(entry->session) ==
												RATKN_SESSION_NEGOTIATED)
		{
			DBG1(DBG_IKE, "ratkn: negotiated with peer, but connection '%s' "
				 "does not use ratkn", ike_sa->get_peer_cfg(ike_sa) ?
				 ike_sa->get_peer_cfg(ike_sa)->get_name(
									ike_sa->get_peer_cfg(ike_sa)) : "?");
		}
		if (entry)
		{
			entry->peer_authenticated = TRUE;
		}
		return TRUE;
	}
	if (!check_negotiation(this, ike_sa, entry, policy, final, &active))
	{
		ok = FALSE;
	}
	else if (active)
	{
		entry->peer_authenticated = TRUE;
		if ((policy->role & RATKN_FLAG_VERIFY) && !entry->attested &&
			!appraise(this, ike_sa, entry, policy))
		{
			ok = FALSE;
		}
		else if (final && !entry->done)
		{
			ok = check_key_use(this, ike_sa, entry, policy);
			if (ok)
			{
				entry->done = TRUE;
				DBG1(DBG_IKE, "ratkn: IKE_SA authorized: %s, SK (%s) used as "
					 "%N", policy->role & RATKN_FLAG_VERIFY ?
					 "peer attested" : "attested to peer",
					 ratkn_kex_group_name(policy->group),
					 ratkn_key_use_names, policy->key_use);
				unwrap_keys(this, ike_sa, entry, policy);
				entry->session->clear_sk(entry->session);
			}
		}
	}
	else if (entry)
	{	/* optional and not negotiated */
		entry->peer_authenticated = TRUE;
	}
	if (!ok)
	{
		*success = FALSE;
		drop_replaced(this, ike_sa);
	}
	policy->destroy(policy);
	return TRUE;
}

METHOD(ratkn_listener_t, get_shared, shared_key_t*,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, shared_key_type_t type,
	identification_t *me, identification_t *other)
{
	ratkn_policy_t *policy;
	identification_t *ppk_id;
	peer_cfg_t *peer_cfg;
	shared_key_t *key = NULL;
	chunk_t sk, spi_i, spi_r;
	ike_sa_id_t *id;
	entry_t *entry;
	uint64_t spi;

	policy = get_policy(this, ike_sa);
	if (!policy)
	{
		return NULL;
	}
	peer_cfg = ike_sa->get_peer_cfg(ike_sa);
	switch (type)
	{
		case SHARED_PPK:
			ppk_id = peer_cfg->get_ppk_id(peer_cfg);
			if (policy->key_use != RATKN_KEY_USE_PPK || !me || !ppk_id ||
				!me->equals(me, ppk_id))
			{
				goto out;
			}
			break;
		case SHARED_IKE:
			if (policy->key_use != RATKN_KEY_USE_PSK)
			{
				goto out;
			}
			break;
		default:
			goto out;
	}
	entry = get_entry(this, ike_sa);
	if (!policy->valid)
	{
		DBG1(DBG_IKE, "ratkn: invalid ratkn configuration for connection "
			 "'%s', no SK", policy->name);
		goto out;
	}
	if (!entry ||
		entry->session->get_state(entry->session) != RATKN_SESSION_NEGOTIATED)
	{
		DBG1(DBG_IKE, "ratkn: no SK for connection '%s': %s", policy->name,
			 entry && entry->session->get_reason(entry->session)[0] ?
			 entry->session->get_reason(entry->session) :
			 "ratkn was not negotiated with the peer");
		goto out;
	}
	if (type == SHARED_IKE && (policy->role & RATKN_FLAG_VERIFY))
	{
		if (!entry->attested)
		{
			DBG1(DBG_IKE, "ratkn: no SK as PSK for '%Y': peer has not "
				 "attested", other);
			goto out;
		}
		if (!other || !other->matches(other, entry->attested_id))
		{
			DBG1(DBG_IKE, "ratkn: no SK as PSK for '%Y': the attested peer "
				 "is '%Y'", other, entry->attested_id);
			goto out;
		}
	}
	id = ike_sa->get_id(ike_sa);
	spi = id->get_initiator_spi(id);
	spi_i = chunk_clone(chunk_from_thing(spi));
	spi = id->get_responder_spi(id);
	spi_r = chunk_clone(chunk_from_thing(spi));
	if (entry->session->get_sk(entry->session, spi_i, spi_r, &sk))
	{
		key = shared_key_create(type, chunk_clone(sk));
		if (type == SHARED_PPK)
		{
			entry->ppk_served = TRUE;
		}
		else
		{
			entry->psk_served = TRUE;
		}
		DBG2(DBG_IKE, "ratkn: providing SK as %s",
			 type == SHARED_PPK ? "PPK" : "PSK");
	}
	chunk_free(&spi_i);
	chunk_free(&spi_r);
out:
	policy->destroy(policy);
	return key;
}

METHOD(listener_t, ike_state_change, bool,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, ike_sa_state_t state)
{
	pending_t *pending;
	ike_sa_id_t *old;
	entry_t *entry;
	uintptr_t id;
	u_int left;

	if (state == IKE_DESTROYING)
	{
		id = ike_sa->get_unique_id(ike_sa);
		this->mutex->lock(this->mutex);
		entry = this->entries->remove(this->entries, (void*)id);
		old = this->reestablishing->remove(this->reestablishing, (void*)id);
		left = this->entries->get_count(this->entries);
		this->mutex->unlock(this->mutex);
		DESTROY_IF(old);
		pending = remove_pending(this, ike_sa);
		if (pending)
		{
			entry_destroy(pending->entry);
			pending->replaces->destroy(pending->replaces);
			free(pending);
		}
		if (entry)
		{
			keys_down(this, entry);
			entry_destroy(entry);
			DBG2(DBG_IKE, "ratkn: released the state of this IKE_SA, %u "
				 "IKE_SA%s with ratkn state left", left, left == 1 ? "" : "s");
		}
	}
	return TRUE;
}

METHOD(listener_t, ike_updown, bool,
	private_ratkn_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	ratkn_policy_t *policy;
	ike_sa_id_t *old;
	entry_t *entry;
	uintptr_t id;

	entry = get_entry(this, ike_sa);
	if (!entry)
	{
		return TRUE;
	}
	/* SK and our ECDHE private key are not needed anymore */
	entry->session->clear_sk(entry->session);
	if (!up)
	{
		return TRUE;
	}
	/* a re-establishing IKE_SA made it, nothing to drop */
	id = ike_sa->get_unique_id(ike_sa);
	this->mutex->lock(this->mutex);
	old = this->reestablishing->remove(this->reestablishing, (void*)id);
	this->mutex->unlock(this->mutex);
	DESTROY_IF(old);

	if (entry->released)
	{
		install_keys(this, ike_sa, entry);
	}
	policy = get_policy(this, ike_sa);
	if (policy && policy->reattest && entry->attested)
	{
		/* re-authentication runs IKE_SA_INIT/IKE_AUTH again, hence a new
		 * attestation and a new SK */
		entry->reattest_at = time_monotonic(NULL) + policy->reattest;
		lib->scheduler->schedule_job(lib->scheduler,
				(job_t*)rekey_ike_sa_job_create(ike_sa->get_id(ike_sa), TRUE),
				policy->reattest);
		DBG1(DBG_IKE, "ratkn: peer will be re-attested in %us",
			 policy->reattest);
	}
	DESTROY_IF(policy);
	return TRUE;
}

/**
 * Replace an IKE_SA that re-establishing IKE_SAs are to replace by its
 * rekeyed successor; the mutex is held
 */
static void replace_id(private_ratkn_listener_t *this, ike_sa_id_t *old,
					   ike_sa_id_t *new)
{
	enumerator_t *enumerator;
	pending_t *pending;
	ike_sa_id_t *id;
	void *key;

	enumerator = this->reestablishing->create_enumerator(this->reestablishing);
	while (enumerator->enumerate(enumerator, &key, &id))
	{
		if (id->equals(id, old))
		{
			this->reestablishing->put(this->reestablishing, key,
									  new->clone(new));
			id->destroy(id);
			DBG2(DBG_IKE, "ratkn: the re-attestation under way now replaces "
				 "the rekeyed IKE_SA");
		}
	}
	enumerator->destroy(enumerator);
	enumerator = this->pending->create_enumerator(this->pending);
	while (enumerator->enumerate(enumerator, &key, &pending))
	{
		if (pending->replaces->equals(pending->replaces, old))
		{
			pending->replaces->destroy(pending->replaces);
			pending->replaces = new->clone(new);
		}
	}
	enumerator->destroy(enumerator);
}

METHOD(listener_t, ike_rekey, bool,
	private_ratkn_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	uintptr_t old_id, new_id;
	entry_t *entry, *replaced;
	time_t now;
	u_int left = 0;

	old_id = old->get_unique_id(old);
	new_id = new->get_unique_id(new);
	this->mutex->lock(this->mutex);
	entry = this->entries->remove(this->entries, (void*)old_id);
	replaced = NULL;
	if (entry)
	{
		entry->id = new_id;
		replaced = this->entries->put(this->entries, (void*)new_id, entry);
	}
	/* a re-attestation under way (make-before-break) must delete the
	 * successor if it fails, not the rekeyed IKE_SA that is gone */
	replace_id(this, old->get_id(old), new->get_id(new));
	this->mutex->unlock(this->mutex);
	if (replaced)
	{	/* not reached, a new IKE_SA has no state */
		entry_destroy(replaced);
	}
	if (!entry)
	{
		return TRUE;
	}
	/* the rekeyed IKE_SA's keys derive from the old SK_d, so they still
	 * depend on SK; what was decided about the peer stays in force */
	if (entry->reattest_at)
	{
		now = time_monotonic(NULL);
		left = entry->reattest_at > now ? entry->reattest_at - now : 1;
		entry->reattest_at = now + left;
		lib->scheduler->schedule_job(lib->scheduler,
				(job_t*)rekey_ike_sa_job_create(new->get_id(new), TRUE),
				left);
	}
	if (entry->attested || entry->keyring || entry->done)
	{
		DBG1(DBG_IKE, "ratkn: IKE_SA rekeyed, its attestation state moved to "
			 "%s[%u]%s%s", new->get_name(new), new_id,
			 entry->restricted ? ", CHILD_SAs still restricted" : "",
			 entry->keyring ? ", released keys kept" : "");
		if (left)
		{
			DBG1(DBG_IKE, "ratkn: peer will be re-attested in %us", left);
		}
	}
	return TRUE;
}

METHOD(ratkn_listener_t, get_kms, ratkn_release_t*,
	private_ratkn_listener_t *this)
{
	return this->kms;
}

METHOD(ratkn_listener_t, get_count, u_int,
	private_ratkn_listener_t *this)
{
	u_int count;

	this->mutex->lock(this->mutex);
	count = this->entries->get_count(this->entries);
	this->mutex->unlock(this->mutex);
	return count;
}

METHOD(ratkn_listener_t, destroy, void,
	private_ratkn_listener_t *this)
{
	enumerator_t *enumerator;
	pending_t *pending;
	ike_sa_id_t *old;
	entry_t *entry;
	time_t *failed;
	void *key;

	enumerator = this->entries->create_enumerator(this->entries);
	while (enumerator->enumerate(enumerator, &key, &entry))
	{
		entry_destroy(entry);
	}
	enumerator->destroy(enumerator);
	this->entries->destroy(this->entries);
	enumerator = this->reestablishing->create_enumerator(this->reestablishing);
	while (enumerator->enumerate(enumerator, &key, &old))
	{
		old->destroy(old);
	}
	enumerator->destroy(enumerator);
	this->reestablishing->destroy(this->reestablishing);
	enumerator = this->down->create_enumerator(this->down);
	while (enumerator->enumerate(enumerator, &key, &failed))
	{
		free(key);
		free(failed);
	}
	enumerator->destroy(enumerator);
	this->down->destroy(this->down);
	this->verifiers->destroy(this->verifiers);
	enumerator = this->pending->create_enumerator(this->pending);
	while (enumerator->enumerate(enumerator, &key, &pending))
	{
		entry_destroy(pending->entry);
		pending->replaces->destroy(pending->replaces);
		free(pending);
	}
	enumerator->destroy(enumerator);
	this->pending->destroy(this->pending);
	this->keyrings->destroy_function(this->keyrings,
									 (void*)keyring_use_destroy);
	this->kms->destroy(this->kms);
	this->cache->destroy_function(this->cache, (void*)passport_destroy);
	this->clocks->destroy(this->clocks);
	this->mutex->destroy(this->mutex);
	DESTROY_IF(this->tpm);
	free(this);
}

/*
 * Described in header
 */
ratkn_listener_t *ratkn_listener_create(ratkn_config_t *config,
										ratkn_status_t *status)
{
	private_ratkn_listener_t *this;
	uint32_t handle;
	char *tcti;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.authorize = _authorize,
				.ike_state_change = _ike_state_change,
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.narrow = _narrow,
			},
			.get_shared = _get_shared,
			.get_kms = _get_kms,
			.get_count = _get_count,
			.destroy = _destroy,
		},
		.config = config,
		.status = status,
		.entries = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr,
									32),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.cache = linked_list_create(),
		.reestablishing = hashtable_create(hashtable_hash_ptr,
										   hashtable_equals_ptr, 8),
		.down = hashtable_create(hashtable_hash_str, hashtable_equals_str, 4),
		.verifiers = ratkn_verifier_client_create(),
		.pending = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr,
									8),
		.kms = ratkn_release_create(),
		.keyrings = linked_list_create(),
		.clocks = ratkn_clocks_create(1024),
	);

	if (config->can_attest(config))
	{
		config->get_tpm(config, &tcti, &handle);
		this->tpm = ratkn_tpm_create(tcti, handle);
		this->tpm->set_timeout(this->tpm, config->get_tpm_timeout(config));
	}
	return &this->public;
}
