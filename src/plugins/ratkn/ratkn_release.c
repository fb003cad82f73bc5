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

#include "ratkn_release.h"
#include "ratkn_keystore.h"
#include "ratkn_keys.h"

#include <time.h>

#include <threading/mutex.h>

typedef struct private_ratkn_release_t private_ratkn_release_t;

/**
 * Private data of a ratkn_release_t object.
 */
struct private_ratkn_release_t {

	/**
	 * Public interface.
	 */
	ratkn_release_t public;

	/**
	 * Key store, NULL until opened
	 */
	ratkn_keystore_t *store;

	/**
	 * Serializes use of the store (one token session)
	 */
	mutex_t *mutex;
};

/**
 * Settings section, with the namespace
 */
static void get_section(char *buf, size_t len)
{
	snprintf(buf, len, RATKN_RELEASE_SECTION, lib->ns);
}

/**
 * Open the store if not open yet, under the mutex
 */
static bool open_store(private_ratkn_release_t *this)
{
	char section[128];

	if (!this->store)
	{
		get_section(section, sizeof(section));
		this->store = ratkn_keystore_open(section, TRUE, NULL);
		if (!this->store)
		{
			DBG1(DBG_CFG, "ratkn: opening the KMS key store (%s) failed",
				 section);
		}
	}
	return this->store != NULL;
}

/**
 * Wrap a key to the attester and add the release to the list
 */
static void wrap_key(ratkn_session_t *session, chunk_t identity,
					 identification_t *peer,
					 ratkn_key_info_t *info, chunk_t key, chunk_t edek,
					 uint32_t lifetime, char *why, linked_list_t *releases)
{
	ratkn_jwe_claims_t claims;
	time_t now = time(NULL);
	char *jwe;

	claims = (ratkn_jwe_claims_t){
		.name = info->name,
		.version = info->version,
		.usage = info->usage,
		.iat = now,
		.exp = now + lifetime,
		.key = key,
		.edek = edek.len <= RATKN_JWE_MAX_EDEK ? edek : chunk_empty,
	};
	jwe = session->wrap_release(session, &claims, identity);
	if (jwe && strlen(jwe) <= RATKN_KEYS_RELEASE_MAX)
	{
		releases->insert_last(releases, jwe);
		DBG1(DBG_CFG, "ratkn: releasing key '%s:%u' (%s, expires in %us) to "
			 "'%Y'%s", info->name, info->version, info->usage, lifetime, peer,
			 why);
	}
	else
	{
		DBG1(DBG_CFG, "ratkn: wrapping key '%s:%u' for '%Y' failed",
			 info->name, info->version, peer);
		free(jwe);
	}
}

/**
 * Find the granting decision for a key name
 */
static ratkn_kms_decision_t *find_granted(linked_list_t *granted, char *name)
{
	ratkn_kms_decision_t *decision;
	enumerator_t *enumerator;
	ratkn_kms_decision_t *found = NULL;

	enumerator = granted->create_enumerator(granted);
	while (enumerator->enumerate(enumerator, &decision))
	{
		if (streq(decision->key, name))
		{
			found = decision;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Release the keys of EDEKs the attester presents again (draft section 2.1):
 * the EDEK must decrypt in the store (version not revoked) and the key name
 * be granted to the attester now; the version may be retired
 */
static void release_edeks(private_ratkn_release_t *this,
						  ratkn_session_t *session, identification_t *peer,
						  chunk_t identity, linked_list_t *edeks,
						  linked_list_t *granted, linked_list_t *kids,
						  linked_list_t *releases)
{
	ratkn_kms_decision_t *decision;
	ratkn_key_info_t *info;
	enumerator_t *enumerator;
	chunk_t *edek, key;
	char kid[RATKN_KEY_NAME_MAX + 16];

	enumerator = edeks->create_enumerator(edeks);
	while (enumerator->enumerate(enumerator, &edek))
	{
		if (!this->store->decrypt_edek(this->store, *edek, &info, &key))
		{	/* the reason is logged */
			DBG1(DBG_CFG, "ratkn: EDEK presented by '%Y' refused", peer);
			continue;
		}
		snprintf(kid, sizeof(kid), "%s:%u", info->name, info->version);
		decision = find_granted(granted, info->name);
		if (!decision)
		{
			DBG1(DBG_CFG, "ratkn: EDEK of '%s' presented by '%Y' refused: "
				 "the key is not granted to it", kid, peer);
		}
		else if (kids->find_first(kids, linked_list_match_str, NULL, kid))
		{
			DBG1(DBG_CFG, "ratkn: EDEK of '%s' presented by '%Y': released "
				 "anyway", kid, peer);
		}
		else if (releases->get_count(releases) == RATKN_KEYS_MAX)
		{
			DBG1(DBG_CFG, "ratkn: more than %d keys for '%Y', EDEK of '%s' "
				 "not answered", RATKN_KEYS_MAX, peer, kid);
		}
		else
		{
			wrap_key(session, identity, peer, info, key, *edek,
					 decision->lifetime, " (EDEK presented again)", releases);
			kids->insert_last(kids, strdup(kid));
		}
		chunk_clear(&key);
		ratkn_key_info_destroy(info);
	}
	enumerator->destroy(enumerator);
}

METHOD(ratkn_release_t, release, bool,
	private_ratkn_release_t *this, ratkn_session_t *session,
	identification_t *peer, linked_list_t *groups, ratkn_ear_status_t status, chunk_t identity,
	linked_list_t *edeks, linked_list_t *releases)
{
	ratkn_kms_decision_t *decision;
	ratkn_kms_policy_t *policy;
	ratkn_key_info_t *info;
	linked_list_t *decisions, *granted, *kids;
	chunk_t key, edek;
	char kid[RATKN_KEY_NAME_MAX + 16];

	this->mutex->lock(this->mutex);
	if (!open_store(this))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	policy = this->store->create_policy(this->store);
	if (!policy)
	{
		DBG1(DBG_CFG, "ratkn: reading the KMS grants failed");
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	granted = linked_list_create();
	kids = linked_list_create();
	decisions = policy->decide(policy, peer, groups, status);
	while (decisions->remove_first(decisions, (void**)&decision) == SUCCESS)
	{
		if (!decision->granted)
		{	/* logged by decide() */
			ratkn_kms_decision_destroy(decision);
			continue;
		}
		if (releases->get_count(releases) == RATKN_KEYS_MAX)
		{
			DBG1(DBG_CFG, "ratkn: more than %d keys granted to '%Y', key '%s' "
				 "not released", RATKN_KEYS_MAX, peer, decision->key);
		}
		else if (!this->store->get(this->store, decision->key, 0, &info, &key,
								   &edek))
		{
			DBG1(DBG_CFG, "ratkn: key '%s' granted to '%Y' has no active "
				 "version, not released", decision->key, peer);
		}
		else
		{
			wrap_key(session, identity, peer, info, key, edek,
					 decision->lifetime, "", releases);
			snprintf(kid, sizeof(kid), "%s:%u", info->name, info->version);
			kids->insert_last(kids, strdup(kid));
			chunk_clear(&key);
			chunk_free(&edek);
			ratkn_key_info_destroy(info);
		}
		granted->insert_last(granted, decision);
	}
	decisions->destroy(decisions);
	if (edeks && edeks->get_count(edeks))
	{
		release_edeks(this, session, peer, identity, edeks, granted, kids,
					  releases);
	}
	granted->destroy_function(granted, (void*)ratkn_kms_decision_destroy);
	kids->destroy_function(kids, free);
	policy->destroy(policy);
	this->mutex->unlock(this->mutex);
	return TRUE;
}

METHOD(ratkn_release_t, get_ppk, bool,
	private_ratkn_release_t *this, char *name, chunk_t *key,
	uint32_t *version)
{
	ratkn_key_info_t *info;
	bool ok = FALSE;

	this->mutex->lock(this->mutex);
	if (open_store(this))
	{
		if (!this->store->get(this->store, name, 0, &info, key, NULL))
		{
			DBG1(DBG_CFG, "ratkn: no active version of KMS key '%s' for a "
				 "PPK", name);
		}
		else
		{
			if (streq(info->usage, "ppk"))
			{
				*version = info->version;
				ok = TRUE;
			}
			else
			{
				DBG1(DBG_CFG, "ratkn: KMS key '%s' has usage '%s', not used "
					 "as PPK", name, info->usage);
				chunk_clear(key);
			}
			ratkn_key_info_destroy(info);
		}
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

METHOD(ratkn_release_t, destroy, void,
	private_ratkn_release_t *this)
{
	DESTROY_IF(this->store);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
bool ratkn_release_configured()
{
	char section[128];

	get_section(section, sizeof(section));
	return ratkn_keystore_setting(section, "token") != NULL;
}

/*
 * Described in header
 */
ratkn_release_t *ratkn_release_create()
{
	private_ratkn_release_t *this;

	INIT(this,
		.public = {
			.release = _release,
			.get_ppk = _get_ppk,
			.destroy = _destroy,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
