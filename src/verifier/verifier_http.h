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
 * @defgroup verifier_http verifier_http
 * @{ @ingroup verifier
 */

#ifndef VERIFIER_HTTP_H_
#define VERIFIER_HTTP_H_

#include "verifier_api.h"
#include "verifier_config.h"

typedef struct verifier_http_t verifier_http_t;

/**
 * HTTP(S) server of the verifier: libevent's evhttp, TLS 1.2+ through
 * bufferevent_openssl, single-threaded.
 *
 * Each connection lives at most the configured timeout (also while the
 * client sends slowly), request headers are limited to 8 KiB and bodies to
 * max_body. SIGTERM and SIGINT stop the server gracefully: it stops
 * accepting, completes requests being received or answered (for at most the
 * timeout) and returns from run().
 */
struct verifier_http_t {

	/**
	 * Serve requests until SIGTERM or SIGINT.
	 *
	 * @return			TRUE if stopped by a signal, FALSE on error
	 */
	bool (*run)(verifier_http_t *this);

	/**
	 * Port the server listens on (useful with port 0).
	 *
	 * @return			port
	 */
	uint16_t (*get_port)(verifier_http_t *this);

	/**
	 * Destroy the server, closing all connections.
	 */
	void (*destroy)(verifier_http_t *this);
};

/**
 * Create the server and bind its socket.
 *
 * @param config		configuration (borrowed)
 * @param api			API handling the requests (borrowed)
 * @return				server, NULL (logged) on error
 */
verifier_http_t *verifier_http_create(verifier_config_t *config,
									  verifier_api_t *api);

#endif /** VERIFIER_HTTP_H_ @}*/
