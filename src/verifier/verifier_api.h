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
 * @defgroup verifier_api verifier_api
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_API_H_
#define VERIFIER_API_H_

#include "verifier_config.h"
#include "verifier_store.h"
#include "verifier_key.h"

typedef struct verifier_api_t verifier_api_t;

/**
 * The verifier's HTTP API (docs/verifier.md), independent of the HTTP
 * server: JSON requests in, status and JSON responses out.
 */
struct verifier_api_t {

	/**
	 * Handle a request.
	 *
	 * @param peer		client address, for logs
	 * @param method	request method ("GET", "POST", ...)
	 * @param path		path of the request URI, without query
	 * @param type		Content-Type of the request, NULL if none
	 * @param body		request body
	 * @param response	JSON response (allocated, NUL-terminated)
	 * @param allow		for 405, the allowed method (static)
	 * @return			HTTP status code
	 */
	u_int (*handle)(verifier_api_t *this, char *peer, char *method,
					char *path, char *type, chunk_t body, chunk_t *response,
					char **allow);

	/**
	 * Destroy the API.
	 */
	void (*destroy)(verifier_api_t *this);
};

/**
 * Create the API.
 *
 * @param config		configuration (borrowed)
 * @param store			store (borrowed)
 * @param key			EAR signing key (borrowed)
 * @return				API, NULL if no random data is available for the
 *						challenge key
 */
verifier_api_t *verifier_api_create(verifier_config_t *config,
									verifier_store_t *store,
									verifier_key_t *key);

#endif /** VERIFIER_API_H_ @}*/
