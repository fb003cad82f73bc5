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

#include <daemon.h>

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

METHOD(credential_set_t, create_shared_enumerator, enumerator_t*,
	private_ratkn_creds_t *this, shared_key_type_t type, identification_t *me,
	identification_t *other)
{
	shared_enumerator_t *enumerator;
	shared_key_t *key;
	ike_sa_t *ike_sa;

	if (type != SHARED_PPK && type != SHARED_IKE)
	{
		return NULL;
	}
	ike_sa = charon->bus->get_sa(charon->bus);
	if (!ike_sa)
	{
		return NULL;
	}
	key = this->listener->get_shared(this->listener, ike_sa, type, me, other);
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
