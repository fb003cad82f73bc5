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

#include "ratkn_verifier_client.h"
#include "ratkn_http.h"

#include <jansson.h>

/*
 * Described in header
 */
char *ratkn_verifier_client_attest(char *url, char *ca, u_int timeout_ms,
								   chunk_t evidence, bool *down, char *reason,
								   size_t len)
{
	ratkn_http_t *http;
	json_t *request, *response, *ear, *error;
	json_error_t json_error;
	chunk_t body, answer = chunk_empty;
	char *encoded, *token = NULL;
	u_int status;

	*down = FALSE;
	http = ratkn_http_create(url, ca, timeout_ms);
	if (!http)
	{
		snprintf(reason, len, "invalid verifier URL '%s'", url);
		return NULL;
	}
	encoded = ratkn_base64url_encode(evidence);
	request = json_pack("{ss}", "evidence", encoded);
	free(encoded);
	body = chunk_from_str(json_dumps(request, JSON_COMPACT));
	json_decref(request);

	if (!http->post(http, "/v1/attest", "application/json", body, &status,
					&answer))
	{
		snprintf(reason, len, "verifier %s unreachable", url);
		*down = TRUE;
	}
	else
	{
		response = json_loadb(answer.ptr, answer.len, 0, &json_error);
		ear = response ? json_object_get(response, "ear") : NULL;
		if (status == 200 && json_is_string(ear))
		{
			token = strdup(json_string_value(ear));
		}
		else
		{
			*down = status >= 500;
			error = response ? json_object_get(response, "error") : NULL;
			snprintf(reason, len, "verifier %s answered HTTP %u%s%s", url,
					 status, json_is_string(error) ? ": " : "",
					 json_is_string(error) ? json_string_value(error) : "");
		}
		json_decref(response);
	}
	free(body.ptr);
	chunk_free(&answer);
	http->destroy(http);
	return token;
}
