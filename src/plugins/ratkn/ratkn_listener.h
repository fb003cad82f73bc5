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
 * @defgroup ratkn_listener ratkn_listener
 * @{ @ingroup ratkn
 */

#ifndef RATKN_LISTENER_H_
#define RATKN_LISTENER_H_

#include "ratkn_config.h"
#include "ratkn_status.h"
#include "ratkn_release.h"

#include <bus/listeners/listener.h>
#include <credentials/keys/shared_key.h>

typedef struct ratkn_listener_t ratkn_listener_t;

/**
 * Bus listener running the ratkn protocol on IKE_SAs: adds and parses the
 * ratkn notifies, attests and appraises, vetoes IKE_SAs that fail, and keeps
 * the per-IKE_SA state for as long as the IKE_SA exists.
 */
struct ratkn_listener_t {

	/**
	 * Implements listener_t.
	 */
	listener_t listener;

	/**
	 * Get SK of an IKE_SA as a shared key of the requested type, if ratkn
	 * policy allows it to be used for the given identities now.
	 *
	 * Must be called from the thread that has the IKE_SA checked out.
	 *
	 * @param ike_sa	IKE_SA being established
	 * @param type		SHARED_PPK or SHARED_IKE
	 * @param me		PPK_ID (SHARED_PPK) or own identity (SHARED_IKE)
	 * @param other		peer identity (SHARED_IKE), NULL for SHARED_PPK
	 * @return			shared key (new object), NULL if none
	 */
	shared_key_t *(*get_shared)(ratkn_listener_t *this, ike_sa_t *ike_sa,
								shared_key_type_t type, identification_t *me,
								identification_t *other);

	/**
	 * The KMS relying party (key store access shared with the credential
	 * set, one token session per process).
	 *
	 * @return			KMS relying party (borrowed)
	 */
	ratkn_release_t *(*get_kms)(ratkn_listener_t *this);

	/**
	 * Number of IKE_SAs with ratkn state (for tests and monitoring).
	 *
	 * @return			number of entries
	 */
	u_int (*get_count)(ratkn_listener_t *this);

	/**
	 * Destroy the listener and all state.
	 */
	void (*destroy)(ratkn_listener_t *this);
};

/**
 * Create the listener.
 *
 * @param config		configuration (borrowed, must outlive the listener)
 * @param status		outcome log (borrowed, must outlive the listener)
 * @return				listener
 */
ratkn_listener_t *ratkn_listener_create(ratkn_config_t *config,
										ratkn_status_t *status);

#endif /** RATKN_LISTENER_H_ @}*/
