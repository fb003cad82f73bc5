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
 * @defgroup ratkn_status ratkn_status
 * @{ @ingroup ratkn
 */

#ifndef RATKN_STATUS_H_
#define RATKN_STATUS_H_

#include <library.h>

/**
 * Default URI of the status socket.
 */
#define RATKN_STATUS_SOCKET "unix:///var/run/ratkn.sock"

/**
 * Number of outcomes kept.
 */
#define RATKN_STATUS_MAX 256

typedef struct ratkn_outcome_t ratkn_outcome_t;

/**
 * Outcome of one attestation, as shown by "ratkn status".
 */
struct ratkn_outcome_t {
	/** when */
	time_t time;
	/** connection name */
	char connection[64];
	/** peer identity */
	char peer[128];
	/** "peer attested" (we appraised) or "we attested" */
	char direction[16];
	/** attestation model */
	char model[20];
	/** "accepted", "restricted", "refused", "sent", "failed" */
	char result[16];
	/** details or failure reason */
	char reason[256];
	/** duration in ms */
	u_int ms;
};

typedef struct ratkn_status_t ratkn_status_t;

/**
 * Keeps the latest attestation outcomes and serves them as JSON on a UNIX
 * socket (charon.plugins.ratkn.socket) to "ratkn status".
 */
struct ratkn_status_t {

	/**
	 * Record an outcome (copied).
	 *
	 * @param outcome	outcome
	 */
	void (*record)(ratkn_status_t *this, ratkn_outcome_t *outcome);

	/**
	 * Render the outcomes as JSON, newest last.
	 *
	 * @return			JSON text (allocated)
	 */
	char *(*to_json)(ratkn_status_t *this);

	/**
	 * Destroy the object, closing the socket.
	 */
	void (*destroy)(ratkn_status_t *this);
};

/**
 * Create the object and open the socket.
 *
 * @param uri		socket URI, NULL for no socket
 * @return			object
 */
ratkn_status_t *ratkn_status_create(char *uri);

#endif /** RATKN_STATUS_H_ @}*/
