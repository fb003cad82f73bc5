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

/*
 * Target: a verifier's response to POST /v1/attest as parsed by the
 * attester or relying party (ratkn_verifier_client_t.attest()). The HTTP
 * transport is replaced by a stub (this file defines ratkn_http_create(), so
 * ratkn_http.o is not linked): the first two input octets are the HTTP
 * status, the rest is the response body; an empty input is an unreachable
 * verifier.
 */

#include "fuzz_common.h"

#include <ratkn_http.h>
#include <ratkn_verifier_client.h>

/**
 * The response the stub returns
 */
static chunk_t response;
static u_int response_status;
static bool reachable;

METHOD(ratkn_http_t, post, bool,
	ratkn_http_t *this, char *path, char *type, chunk_t body, u_int *status,
	chunk_t *answer)
{
	if (!reachable)
	{
		return FALSE;
	}
	*status = response_status;
	*answer = chunk_clone(response);
	return TRUE;
}

METHOD(ratkn_http_t, get, bool,
	ratkn_http_t *this, char *path, u_int *status, chunk_t *answer)
{
	return FALSE;
}

METHOD(ratkn_http_t, destroy, void,
	ratkn_http_t *this)
{
	free(this);
}

/**
 * Stub of the HTTP client
 */
ratkn_http_t *ratkn_http_create(char *base_url, char *ca_file,
								u_int timeout_ms)
{
	ratkn_http_t *this;

	INIT(this,
		.post = _post,
		.get = _get,
		.destroy = _destroy,
	);
	return this;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ratkn_verifier_client_t *client;
	char reason[256] = "", *token;
	bool down;

	fuzz_init();
	if (!client)
	{	/* keeps the (stub) connection between requests, as in charon */
		client = ratkn_verifier_client_create();
	}
	reachable = size >= 2;
	response_status = reachable ? (data[0] << 8 | data[1]) : 0;
	response = chunk_clone(reachable ? chunk_create((u_char*)data + 2,
													size - 2)
									 : chunk_empty);
	token = client->attest(client, "https://verifier.example", NULL, 1000,
						   chunk_from_str("evidence"), &down, reason,
						   sizeof(reason));
	if (token)
	{
		if (response_status != 200 || down)
		{
			abort();
		}
		free(token);
	}
	else if (!reason[0] || (!reachable && !down))
	{
		abort();
	}
	chunk_free(&response);
	return 0;
}
