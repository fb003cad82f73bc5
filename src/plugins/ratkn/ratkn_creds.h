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
 * @defgroup ratkn_creds ratkn_creds
 * @{ @ingroup ratkn
 */

#ifndef RATKN_CREDS_H_
#define RATKN_CREDS_H_

#include "ratkn_listener.h"

#include <credentials/credential_set.h>

typedef struct ratkn_creds_t ratkn_creds_t;

/**
 * Credential set serving SK of the IKE_SA being established on the calling
 * thread as SHARED_PPK (by PPK_ID) or SHARED_IKE (by identities).
 */
struct ratkn_creds_t {

	/**
	 * Implements credential_set_t.
	 */
	credential_set_t set;

	/**
	 * Destroy the credential set.
	 */
	void (*destroy)(ratkn_creds_t *this);
};

/**
 * Create the credential set.
 *
 * @param listener		listener holding the per-IKE_SA state (borrowed)
 * @return				credential set
 */
ratkn_creds_t *ratkn_creds_create(ratkn_listener_t *listener);

#endif /** RATKN_CREDS_H_ @}*/
