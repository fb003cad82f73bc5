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
 * @defgroup ratkn_http ratkn_http
 * @{ @ingroup ratkn
 */

#ifndef RATKN_HTTP_H_
#define RATKN_HTTP_H_

#include <library.h>

/**
 * Largest response body accepted.
 */
#define RATKN_HTTP_MAX_RESPONSE (64 * 1024)

typedef struct ratkn_http_t ratkn_http_t;

/**
 * HTTP(S) client for a verifier's API (libcurl), with a fixed base URL, an
 * optional pinned CA and a total timeout per request. Not thread-safe: use
 * one object per thread or serialize.
 */
struct ratkn_http_t {

	/**
	 * POST a body.
	 *
	 * @param path		path appended to the base URL ("/v1/attest")
	 * @param type		content type ("application/json")
	 * @param body		request body
	 * @param status	HTTP status of the response
	 * @param response	response body (allocated, at most
	 *					RATKN_HTTP_MAX_RESPONSE octets)
	 * @return			FALSE (and logged: timeout, refused, TLS...) if no
	 *					response was received
	 */
	bool (*post)(ratkn_http_t *this, char *path, char *type, chunk_t body,
				 u_int *status, chunk_t *response);

	/**
	 * GET a resource.
	 *
	 * @param path		path appended to the base URL
	 * @param status	HTTP status of the response
	 * @param response	response body (allocated)
	 * @return			FALSE (and logged) if no response was received
	 */
	bool (*get)(ratkn_http_t *this, char *path, u_int *status,
				chunk_t *response);

	/**
	 * Destroy the client.
	 */
	void (*destroy)(ratkn_http_t *this);
};

/**
 * Create a client.
 *
 * @param base_url		"https://verifier.example:8443" (or http:// for tests)
 * @param ca_file		PEM CA certificate(s) to verify the server with, NULL
 *						for the system's trust store
 * @param timeout_ms	total time limit of a request
 * @return				client, NULL on error
 */
ratkn_http_t *ratkn_http_create(char *base_url, char *ca_file,
								u_int timeout_ms);

#endif /** RATKN_HTTP_H_ @}*/
