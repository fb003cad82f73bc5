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
 * @defgroup ratkn_verifier_client ratkn_verifier_client
 * @{ @ingroup ratkn
 */

#ifndef RATKN_VERIFIER_CLIENT_H_
#define RATKN_VERIFIER_CLIENT_H_

#include "ratkn_base64url.h"
#include "ratkn_types.h"

#include <library.h>

typedef struct ratkn_verifier_client_t ratkn_verifier_client_t;

/**
 * Client of verifiers' APIs (docs/verifier.md).
 *
 * Connections to verifiers are kept open between requests (up to 4 idle
 * ones, each for a URL, CA file and timeout), so that a request usually
 * costs neither a TCP and TLS handshake nor a libcurl handle, TLS context
 * and CA file load, whose allocations made charon's heap grow with every
 * request. Thread-safe; each request has a connection of its own.
 */
struct ratkn_verifier_client_t {

	/**
	 * Have a verifier appraise evidence (POST /v1/attest) and return its
	 * attestation result. Used by an attester in the passport model and by a
	 * relying party in the remote background-check model. Blocks for at most
	 * timeout_ms.
	 *
	 * @param url			verifier base URL
	 * @param ca			CA file for the verifier's TLS certificate, NULL
	 *						for the system's
	 * @param timeout_ms	time limit
	 * @param evidence		RATKN_EVIDENCE notify data
	 * @param down			set to TRUE if the verifier is unreachable, timed
	 *						out or answered with a server error (worth backing
	 *						off), FALSE if it answered otherwise
	 * @param reason		receives the reason on failure
	 * @param len			size of reason
	 * @return				EAR as compact JWS (allocated), NULL on failure
	 */
	char *(*attest)(ratkn_verifier_client_t *this, char *url, char *ca,
					u_int timeout_ms, chunk_t evidence, bool *down,
					char *reason, size_t len);

	/**
	 * Get a challenge from a verifier (POST /v1/challenge), to bind a quote
	 * to so that the verifier can tell it is fresh (docs/protocol.md,
	 * section 13.5). Blocks for at most timeout_ms.
	 *
	 * @param url			verifier base URL
	 * @param ca			CA file for the verifier's TLS certificate, NULL
	 *						for the system's
	 * @param timeout_ms	time limit
	 * @param challenge		receives the challenge (allocated)
	 * @param down			set as with attest()
	 * @param reason		receives the reason on failure
	 * @param len			size of reason
	 * @return				FALSE on failure
	 */
	bool (*challenge)(ratkn_verifier_client_t *this, char *url, char *ca,
					  u_int timeout_ms, chunk_t *challenge, bool *down,
					  char *reason, size_t len);

	/**
	 * Close all connections and destroy the client.
	 */
	void (*destroy)(ratkn_verifier_client_t *this);
};

/**
 * Create a verifier client.
 *
 * @return				client
 */
ratkn_verifier_client_t *ratkn_verifier_client_create();

#endif /** RATKN_VERIFIER_CLIENT_H_ @}*/
