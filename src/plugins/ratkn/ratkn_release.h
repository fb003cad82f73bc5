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
 * @defgroup ratkn_release ratkn_release
 * @{ @ingroup ratkn
 */

#ifndef RATKN_RELEASE_H_
#define RATKN_RELEASE_H_

#include "ratkn_session.h"
#include "ratkn_ear.h"

#include <library.h>
#include <collections/linked_list.h>

/**
 * Settings section of the KMS relying party in charon.
 */
#define RATKN_RELEASE_SECTION "%s.plugins.ratkn.kms"

typedef struct ratkn_release_t ratkn_release_t;

/**
 * KMS relying party: releases granted keys from the key store to appraised
 * attesters (docs/kms.md). Opens the key store (and logs in to the token)
 * on first use and keeps it open; thread-safe.
 */
struct ratkn_release_t {

	/**
	 * Decide which keys an appraised attester gets and wrap each granted
	 * key to its attested ECDHE share (ratkn_session_t.wrap_release()).
	 * Grants and keys are read from the store at each call.
	 *
	 * @param session	the attester's ratkn session (negotiated)
	 * @param peer		identity the attester authenticated with, for the
	 *					grants
	 * @param groups	attester's groups (char*), may be NULL
	 * @param status	EAR status of the appraisal
	 * @param identity	DER of the attester's certificate (or SPKI)
	 * @param edeks		EDEKs the attester presents again (chunk_t*), whose
	 *					keys (also retired versions) are released if the
	 *					key name is granted to it; may be NULL
	 * @param releases	receives the compact JWEs (char*, allocated)
	 * @return			FALSE if the key store could not be used (logged)
	 */
	bool (*release)(ratkn_release_t *this, ratkn_session_t *session,
					identification_t *peer, linked_list_t *groups,
					ratkn_ear_status_t status, chunk_t identity,
					linked_list_t *edeks, linked_list_t *releases);

	/**
	 * Get the active version of a key of usage "ppk" (dynamic PPK).
	 *
	 * @param name		key name
	 * @param key		key (allocated; wipe with chunk_clear())
	 * @param version	receives the version
	 * @return			FALSE if there is none (logged)
	 */
	bool (*get_ppk)(ratkn_release_t *this, char *name, chunk_t *key,
					uint32_t *version);

	/**
	 * Destroy the object, closing the key store.
	 */
	void (*destroy)(ratkn_release_t *this);
};

/**
 * Check whether a KMS is configured (RATKN_RELEASE_SECTION.token is set).
 *
 * @return				TRUE if configured
 */
bool ratkn_release_configured();

/**
 * Create the KMS relying party (the store is opened on first use).
 *
 * @return				object
 */
ratkn_release_t *ratkn_release_create();

#endif /** RATKN_RELEASE_H_ @}*/
