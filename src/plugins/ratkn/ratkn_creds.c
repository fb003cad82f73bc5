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

#include "ratkn_creds.h"
#include "ratkn_keyring.h"
#include "ratkn_jwe.h"

#include <daemon.h>

/**
 * Prefix of PPK_IDs that name a KMS key (dynamic PPK, docs/kms.md)
 */
#define KMS_PPK_PREFIX "ratkn:"

typedef struct private_ratkn_creds_t private_ratkn_creds_t;

/**
 * Private data of a ratkn_creds_t object.
 */
struct private_ratkn_creds_t {

	/**
	 * Public interface.
	 */
	ratkn_creds_t public;

	/**
	 * Listener with the per-IKE_SA state
	 */
	ratkn_listener_t *listener;
};

/**
 * Enumerator over a single shared key
 */
typedef struct {
	/** implements enumerator_t */
	enumerator_t public;
	/** the key */
	shared_key_t *key;
	/** whether it was returned */
	bool done;
} shared_enumerator_t;

METHOD(enumerator_t, enumerate_shared, bool,
	shared_enumerator_t *this, va_list args)
{
	shared_key_t **key;
	id_match_t *me, *other;

	VA_ARGS_VGET(args, key, me, other);
	if (this->done)
	{
		return FALSE;
	}
	this->done = TRUE;
	*key = this->key;
	/* SK belongs to exactly this IKE_SA and these identities */
	if (me)
	{
		*me = ID_MATCH_PERFECT;
	}
	if (other)
	{
		*other = ID_MATCH_PERFECT;
	}
	return TRUE;
}

METHOD(enumerator_t, destroy_shared, void,
	shared_enumerator_t *this)
{
	this->key->destroy(this->key);
	free(this);
}

/**
 * Dynamic PPK: a KMS key as PPK for PPK_ID "ratkn:NAME", from the keyring
 * of an attester (charon.plugins.ratkn.ppk.keyring) or from the key store
 * of the KMS (charon.plugins.ratkn.ppk.kms); NULL if not such a PPK_ID or
 * not configured
 */
static shared_key_t *kms_ppk(private_ratkn_creds_t *this,
							 identification_t *ppk_id)
{
	ratkn_keyring_t *keyring;
	ratkn_release_t *kms;
	char id[RATKN_KEY_NAME_MAX + 16], *name, *ring;
	uint32_t version;
	chunk_t key;

	if (!ppk_id)
	{
		return NULL;
	}
	snprintf(id, sizeof(id), "%Y", ppk_id);
	if (!strpfx(id, KMS_PPK_PREFIX))
	{
		return NULL;
	}
	name = id + strlen(KMS_PPK_PREFIX);
	if (!ratkn_key_name_valid(name))
	{
		return NULL;
	}
	ring = lib->settings->get_str(lib->settings,
						"%s.plugins.ratkn.ppk.keyring", NULL, lib->ns);
	if (ring)
	{
		keyring = ratkn_keyring_open(ring, FALSE);
		if (!keyring || !keyring->read(keyring, name, 0, &key, &version))
		{
			DBG1(DBG_CFG, "ratkn: no key '%s' in keyring '%s' for PPK_ID '%s'",
				 name, ring, id);
			DESTROY_IF(keyring);
			return NULL;
		}
		keyring->destroy(keyring);
		DBG1(DBG_CFG, "ratkn: using released key '%s:%u' from keyring '%s' "
			 "as PPK", name, version, ring);
		return shared_key_create(SHARED_PPK, key);
	}
	if (lib->settings->get_bool(lib->settings, "%s.plugins.ratkn.ppk.kms",
								FALSE, lib->ns))
	{
		kms = this->listener->get_kms(this->listener);
		if (!kms->get_ppk(kms, name, &key, &version))
		{
			return NULL;
		}
		DBG1(DBG_CFG, "ratkn: using KMS key '%s:%u' as PPK", name, version);
		return shared_key_create(SHARED_PPK, key);
	}
	return NULL;
}

METHOD(credential_set_t, create_shared_enumerator, enumerator_t*,
	private_ratkn_creds_t *this, shared_key_type_t type, identification_t *me,
	identification_t *other)
{
	shared_enumerator_t *enumerator;
	shared_key_t *key = NULL;
	ike_sa_t *ike_sa;

	if (type != SHARED_PPK && type != SHARED_IKE)
	{
		return NULL;
	}
	if (type == SHARED_PPK)
	{
		key = kms_ppk(this, me);
	}
	ike_sa = charon->bus->get_sa(charon->bus);
	if (!key && !ike_sa)
	{
		return NULL;
	}
	if (!key)
	{
		key = this->listener->get_shared(this->listener, ike_sa, type, me,
										 other);
	}
	if (!key)
	{
		return NULL;
	}
	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _enumerate_shared,
			.destroy = _destroy_shared,
		},
		.key = key,
	);
	return &enumerator->public;
}

METHOD(ratkn_creds_t, destroy, void,
	private_ratkn_creds_t *this)
{
	free(this);
}

/*
 * Described in header
 */
ratkn_creds_t *ratkn_creds_create(ratkn_listener_t *listener)
{
	private_ratkn_creds_t *this;

	INIT(this,
		.public = {
			.set = {
				.create_shared_enumerator = _create_shared_enumerator,
				.create_private_enumerator = (void*)return_null,
				.create_cert_enumerator = (void*)return_null,
				.create_cdp_enumerator = (void*)return_null,
				.cache_cert = (void*)nop,
			},
			.destroy = _destroy,
		},
		.listener = listener,
	);
	return &this->public;
}
